//! A rule's hits as the investigation carries them: which rule, why each
//! hit fired, and how a narrowed view (`f`, `x`, a sort) finds its hits
//! again.

use std::collections::HashMap;

use polars::prelude::*;

use crate::hunt::verdict::Why;
use crate::kql::value::Scalar;
use crate::session::investigation::Step;

/// The hits of one rule run, and why each fired.
#[derive(Debug, Clone)]
pub struct Hits {
    /// The pipeline of the step these hits are shown in.
    pub pipeline: String,
    /// The rule's place in the list.
    pub rule: usize,
    /// Per row of the step, why it fired.
    pub reasons: Vec<Why>,
    /// The hits as the rule returned them.
    pub frame: DataFrame,
}

impl Hits {
    /// Why the hit on `row` of `step` fired; `None` when `step` is not a
    /// view of these hits.
    pub fn why_at(&self, step: &Step, row: usize) -> Option<&Why> {
        if step.pipeline() != self.pipeline {
            return None;
        }
        self.reasons.get(row)
    }

    /// The hits of `step`, a view of these hits that kept, dropped or
    /// reordered rows: each of its rows is matched to its hit by the values
    /// of the columns both share. When several hits share those values and
    /// fired for different reasons, the row's reason is unknown rather
    /// than the first one's.
    pub fn narrowed(&self, step: &Step) -> Hits {
        let common: Vec<(&Column, usize)> = self
            .frame
            .columns()
            .iter()
            .filter_map(|c| {
                let j = step
                    .columns
                    .iter()
                    .position(|s| s.name == c.name().as_str())?;
                Some((c, j))
            })
            .collect();
        let mut hit_of: HashMap<Vec<Key>, Match> = HashMap::new();
        for i in 0..self.frame.height() {
            let k: Vec<Key> = common
                .iter()
                .map(|&(c, _)| Key::of(Scalar::from_series(c.as_materialized_series(), i)))
                .collect();
            hit_of
                .entry(k)
                .and_modify(|m| {
                    if let Match::One(first) = *m
                        && self.reasons.get(first) != self.reasons.get(i)
                    {
                        *m = Match::Ambiguous;
                    }
                })
                .or_insert(Match::One(i));
        }
        let reasons = (0..step.rows.height())
            .map(|row| {
                let k: Vec<Key> = common
                    .iter()
                    .map(|&(_, j)| Key::of(step.cell(row, j)))
                    .collect();
                match hit_of.get(&k) {
                    Some(Match::One(i)) => self.reasons.get(*i).cloned().unwrap_or_else(|| {
                        Why::Unknown("this row is not one of the rule's hits".into())
                    }),
                    Some(Match::Ambiguous) => Why::Unknown(
                        "several hits show these values and fired for different reasons; \
                         the rule's full result tells them apart"
                            .into(),
                    ),
                    None => Why::Unknown("this row is not one of the rule's hits".into()),
                }
            })
            .collect();
        Hits {
            pipeline: step.pipeline(),
            rule: self.rule,
            reasons,
            frame: self.frame.clone(),
        }
    }
}

/// Which hit a row of a narrowed view is.
#[derive(Debug, Clone, Copy)]
enum Match {
    One(usize),
    /// Hits with the same values but different reasons.
    Ambiguous,
}

/// A cell as a hashable key: its type and its text (reals by their bits,
/// so that no two different values share a key).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum Key {
    Null,
    Real(u64),
    Other(crate::data::types::KqlType, String),
}

impl Key {
    fn of(v: Scalar) -> Key {
        match v {
            Scalar::Null(_) => Key::Null,
            Scalar::Real(r) => Key::Real(r.to_bits()),
            v => Key::Other(v.kind(), v.to_text().into_owned()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::investigation::ViewKind;

    fn hits() -> Hits {
        let frame = df!(
            "ReportId" => [1i64, 2, 3],
            "DeviceName" => ["wks-1", "wks-1", "wks-2"],
        )
        .expect("frame");
        Hits {
            pipeline: "Hits".into(),
            rule: 0,
            reasons: vec![
                Why::Failed(vec!["unsigned".into()]),
                Why::Failed(vec!["global prevalence 3, under 1000".into()]),
                Why::Failed(vec!["unsigned".into()]),
            ],
            frame,
        }
    }

    fn step(frame: DataFrame, stage: &str) -> Step {
        Step::new(
            ViewKind::Table,
            stage.into(),
            vec!["Hits".into(), stage.into()],
            frame,
        )
    }

    #[test]
    fn a_sorted_view_finds_each_hit_again() {
        let h = hits();
        let frame = df!("ReportId" => [3i64, 1], "DeviceName" => ["wks-2", "wks-1"]).unwrap();
        let s = step(frame, "sort by ReportId desc");
        let n = h.narrowed(&s);
        assert_eq!(n.why_at(&s, 0), Some(&h.reasons[2]));
        assert_eq!(n.why_at(&s, 1), Some(&h.reasons[0]));
    }

    /// Two hits that differ only in a projected-away column, with
    /// different reasons: the row's reason is unknown, not the first one's.
    #[test]
    fn hits_that_a_view_cannot_tell_apart_have_unknown_reasons() {
        let h = hits();
        let frame = df!("DeviceName" => ["wks-1", "wks-2"]).unwrap();
        let s = step(frame, "project DeviceName");
        let n = h.narrowed(&s);
        assert!(matches!(n.why_at(&s, 0), Some(Why::Unknown(w)) if w.starts_with("several hits")));
        // wks-2 is one hit only.
        assert_eq!(n.why_at(&s, 1), Some(&h.reasons[2]));
        // Not a view of these hits at all.
        let other = step(df!("DeviceName" => ["wks-1"]).unwrap(), "take 1");
        assert_eq!(n.why_at(&other, 0), None);
    }
}
