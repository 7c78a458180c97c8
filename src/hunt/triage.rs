//! Triage: what each rule's run found (hits, first and last hit, devices)
//! and the order an analyst reads them in: rules that fired first, the
//! most severe and the noisiest on top, optionally grouped by ATT&CK tactic.

use std::collections::HashSet;

use polars::prelude::*;

use crate::data::types::KqlType;
use crate::hunt::rules::{Entities, Rule};
use crate::kql::value::Scalar;

/// What one run of a rule found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Findings {
    /// Rows the rule returned.
    pub hits: usize,
    /// The earliest and latest hit time (`Timestamp`, else the first
    /// datetime column), when the hits have one.
    pub first: Option<i64>,
    pub last: Option<i64>,
    /// How many distinct devices the hits name (the rule's device column,
    /// else `DeviceName`), when they name any.
    pub devices: Option<usize>,
}

impl Findings {
    /// The findings of a rule's result frame.
    pub fn of(frame: &DataFrame, entities: &Entities) -> Findings {
        let time = frame
            .column("Timestamp")
            .ok()
            .filter(|c| KqlType::of(c.dtype()) == Some(KqlType::Datetime))
            .or_else(|| {
                frame
                    .columns()
                    .iter()
                    .find(|c| KqlType::of(c.dtype()) == Some(KqlType::Datetime))
            });
        let (first, last) = time
            .and_then(|c| c.as_materialized_series().datetime().ok())
            .map_or((None, None), |t| (t.physical().min(), t.physical().max()));
        let device = entities.device.as_deref().unwrap_or("DeviceName");
        let devices = frame.column(device).ok().map(|c| {
            let s = c.as_materialized_series();
            let distinct: HashSet<String> = (0..s.len())
                .filter_map(|i| match Scalar::from_series(s, i) {
                    Scalar::Null(_) => None,
                    v => Some(v.to_text().into_owned()).filter(|t| !t.is_empty()),
                })
                .collect();
            distinct.len()
        });
        Findings {
            hits: frame.height(),
            first,
            last,
            devices,
        }
    }
}

/// How bad a severity is, for sorting: critical first, unknown last.
pub fn severity_rank(severity: &str) -> u8 {
    match severity.to_ascii_lowercase().as_str() {
        "critical" => 4,
        "high" => 3,
        "medium" => 2,
        "low" => 1,
        "informational" => 0,
        _ => 0,
    }
}

/// Where a rule stands after its last run.
#[derive(Debug, Clone, Copy)]
pub struct Standing<'a> {
    pub severity: &'a str,
    /// The rule's first ATT&CK tactic.
    pub tactic: Option<&'a str>,
    /// Hits of the last run, if it ran and did not fail.
    pub hits: Option<usize>,
    /// Whether the last run failed.
    pub failed: bool,
}

/// The order to show rules in: those that fired (by tactic first when
/// `by_tactic`), then by severity and hits, most first; then the rules
/// that failed, then those that found nothing, then those never run; ties
/// keep the rules' own order.
pub fn order(rules: &[Standing], by_tactic: bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..rules.len()).collect();
    let class = |s: &Standing| match (s.failed, s.hits) {
        (false, Some(n)) if n > 0 => 0,
        (true, _) => 1,
        (false, Some(_)) => 2,
        (false, None) => 3,
    };
    idx.sort_by(|&a, &b| {
        let (x, y) = (&rules[a], &rules[b]);
        class(x)
            .cmp(&class(y))
            .then_with(|| {
                if by_tactic && class(x) == 0 {
                    // Rules without a tactic after those with one.
                    (x.tactic.is_none(), x.tactic).cmp(&(y.tactic.is_none(), y.tactic))
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then_with(|| severity_rank(y.severity).cmp(&severity_rank(x.severity)))
            .then_with(|| y.hits.unwrap_or(0).cmp(&x.hits.unwrap_or(0)))
            .then_with(|| a.cmp(&b))
    });
    idx
}

/// A detection rule as the analyst's list holds it: the rule and what its
/// last run said.
#[derive(Clone, Debug)]
pub struct RuleEntry {
    /// The rule.
    pub rule: Rule,
    /// When it last ran (wall clock).
    pub last_run: Option<chrono::DateTime<chrono::Local>>,
    /// Hits of the last run.
    pub hits: Option<usize>,
    /// Why the last run failed.
    pub error: Option<String>,
    /// What the last run warned of: tables a fuzzy `union` left out, so
    /// its hits may be fewer than on the whole data.
    pub warnings: Vec<String>,
    /// What the last run found (hits, their times, devices).
    pub findings: Option<Findings>,
}

impl RuleEntry {
    /// A rule not run yet.
    pub fn new(rule: Rule) -> RuleEntry {
        RuleEntry {
            rule,
            last_run: None,
            hits: None,
            error: None,
            warnings: Vec::new(),
            findings: None,
        }
    }

    /// Where it stands, for [`order`].
    pub fn standing(&self) -> Standing<'_> {
        Standing {
            severity: &self.rule.severity,
            tactic: self.rule.tactics.first().map(String::as_str),
            hits: self.hits,
            failed: self.error.is_some(),
        }
    }
}

/// The order to list `entries` in: [`order`] of their standings.
pub fn order_entries(entries: &[RuleEntry], by_tactic: bool) -> Vec<usize> {
    let standings: Vec<Standing> = entries.iter().map(RuleEntry::standing).collect();
    order(&standings, by_tactic)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s<'a>(
        severity: &'a str,
        tactic: Option<&'a str>,
        hits: Option<usize>,
        failed: bool,
    ) -> Standing<'a> {
        Standing {
            severity,
            tactic,
            hits,
            failed,
        }
    }

    #[test]
    fn fired_rules_come_first_by_severity_then_hits() {
        let rules = [
            s("low", Some("Execution"), Some(50), false),
            s("high", Some("Persistence"), Some(2), false),
            s("high", Some("Execution"), Some(9), false),
            s("medium", None, None, false),
            s("critical", Some("Impact"), Some(0), false),
            s("high", None, None, true),
            s("medium", Some("Discovery"), Some(1), false),
        ];
        assert_eq!(order(&rules, false), [2, 1, 6, 0, 5, 4, 3]);
        // By tactic: Discovery, Execution (high 9, low 50), Persistence.
        assert_eq!(order(&rules, true), [6, 2, 0, 1, 5, 4, 3]);
    }

    #[test]
    fn findings_count_hits_times_and_devices() {
        let frame = df!(
            "DeviceName" => ["wks-1", "wks-2", "wks-1", ""],
            "Timestamp" => [30i64, 10, 20, 40],
        )
        .unwrap()
        .lazy()
        .with_column(col("Timestamp").cast(DataType::Datetime(TimeUnit::Nanoseconds, None)))
        .collect()
        .unwrap();
        let f = Findings::of(&frame, &Entities::default());
        assert_eq!(
            f,
            Findings {
                hits: 4,
                first: Some(10),
                last: Some(40),
                devices: Some(2)
            }
        );
        let e = Entities {
            device: Some("Computer".into()),
            ..Default::default()
        };
        assert_eq!(Findings::of(&frame, &e).devices, None);
    }

    #[test]
    fn entries_are_ordered_by_their_last_runs() {
        let rule = |id: &str, severity: &str, tactic: &str| {
            let text = format!(
                "id = \"{id}\"\ntitle = \"{id}\"\nseverity = \"{severity}\"\n\
                 tactics = [\"{tactic}\"]\n[query]\ntext = \"T | take 1\"\n"
            );
            RuleEntry::new(Rule::from_toml(&text, "test").unwrap())
        };
        let mut entries = vec![
            rule("never-run", "critical", "Impact"),
            rule("failed", "high", "Execution"),
            rule("fired-low", "low", "Persistence"),
            rule("fired-high", "high", "Discovery"),
        ];
        entries[1].error = Some("unknown table".into());
        entries[2].hits = Some(7);
        entries[3].hits = Some(1);
        assert_eq!(order_entries(&entries, false), [3, 2, 1, 0]);
        assert_eq!(entries[3].standing().tactic, Some("Discovery"));
    }
}
