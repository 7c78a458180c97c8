//! `reduce by Text`: groups similar texts under a pattern with `*`
//! wildcards, after Vaarandi's SLCT (the paper Kusto's documentation
//! cites). A term is frequent at a position when more than `threshold` of
//! the rows have it there; rows with the same frequent terms (and as many
//! terms) form a group when more than `threshold` of the rows do; the
//! pattern keeps the frequent terms and puts `*` for the others. Rows in no
//! group are counted under `others`.

use std::collections::HashMap;

use polars::prelude::*;

use super::polars_error;
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// Kusto's default `threshold`.
const DEFAULT_THRESHOLD: f64 = 0.1;

/// One text cut into terms and what separates them.
struct Cut<'t> {
    terms: Vec<&'t str>,
    /// The separator text before each term, and after the last one.
    gaps: Vec<&'t str>,
}

impl Runner<'_> {
    /// `reduce [kind=source] by Expr [with threshold=t, characters=c]`.
    pub(super) fn op_reduce(
        &self,
        source_kind: bool,
        by: &Expr,
        threshold: Option<&Expr>,
        characters: Option<&Expr>,
        frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let empty = DataFrame::empty();
        let threshold = match threshold {
            None => DEFAULT_THRESHOLD,
            Some(e) => match self.eval_scalar(e, &empty)? {
                Scalar::Real(v) if (0.0..=1.0).contains(&v) => v,
                Scalar::Long(v) if (0..=1).contains(&v) => v as f64,
                Scalar::Int(v) if (0..=1).contains(&v) => f64::from(v),
                other => {
                    return Err(QueryError::type_error(
                        format!(
                            "threshold must be a number between 0 and 1, not {}",
                            other.to_text()
                        ),
                        e.span,
                    ));
                }
            },
        };
        let separators: Option<Vec<char>> = match characters {
            None => None,
            Some(e) => match self.eval_scalar(e, &empty)? {
                Scalar::String(s) if !s.is_empty() => Some(s.chars().collect()),
                other => {
                    return Err(QueryError::type_error(
                        format!(
                            "characters must be a non-empty string, not {}",
                            other.kind()
                        ),
                        e.span,
                    ));
                }
            },
        };
        let rows = frame.height();
        let text = self.eval(by, &frame)?.to_text(rows);
        let values: Vec<&str> = text.iter().map(|v| v.unwrap_or("")).collect();
        let cuts: Vec<Cut> = values
            .iter()
            .map(|v| cut(v, separators.as_deref()))
            .collect();
        self.check_cancel()?;
        let support = threshold * rows as f64;
        let mut term_counts: HashMap<(usize, &str), usize> = HashMap::new();
        for c in &cuts {
            for (i, t) in c.terms.iter().enumerate() {
                *term_counts.entry((i, *t)).or_default() += 1;
            }
        }
        let frequent = |i: usize, t: &str| {
            term_counts
                .get(&(i, t))
                .is_some_and(|&n| n as f64 > support)
        };
        // Each row's candidate: which of its terms are frequent.
        let mut candidates: HashMap<Vec<Option<&str>>, (usize, usize)> = HashMap::new();
        let mut keys: Vec<Option<Vec<Option<&str>>>> = Vec::with_capacity(rows);
        for (row, c) in cuts.iter().enumerate() {
            if row % 65536 == 0 {
                self.check_cancel()?;
            }
            let key: Vec<Option<&str>> = c
                .terms
                .iter()
                .enumerate()
                .map(|(i, t)| frequent(i, t).then_some(*t))
                .collect();
            if key.iter().all(Option::is_none) {
                keys.push(None);
                continue;
            }
            candidates.entry(key.clone()).or_insert((0, row)).0 += 1;
            keys.push(Some(key));
        }
        // Groups: candidates frequent enough; by size, then first row.
        let mut groups: Vec<(&Vec<Option<&str>>, usize, usize)> = candidates
            .iter()
            .filter(|(_, (n, _))| *n as f64 > support)
            .map(|(k, (n, first))| (k, *n, *first))
            .collect();
        groups.sort_by(|a, b| b.1.cmp(&a.1).then(a.2.cmp(&b.2)));
        let keep_gaps = separators.is_none();
        let pattern_of = |row: usize| pattern(&cuts[row], keep_gaps, &frequent);
        let grouped: HashMap<&Vec<Option<&str>>, String> = groups
            .iter()
            .map(|(k, _, first)| (*k, pattern_of(*first)))
            .collect();
        let row_pattern =
            |row: usize| -> Option<&String> { keys[row].as_ref().and_then(|k| grouped.get(k)) };
        if source_kind {
            let patterns: Vec<String> = (0..rows)
                .map(|r| row_pattern(r).cloned().unwrap_or_else(|| "others".into()))
                .collect();
            let mut frame = frame;
            frame
                .with_column(Column::new("Pattern".into(), patterns))
                .map_err(|e| polars_error(e, span))?;
            return Ok(frame);
        }
        let mut pattern_col: Vec<String> = Vec::new();
        let mut counts: Vec<i64> = Vec::new();
        let mut representatives: Vec<String> = Vec::new();
        for (k, n, first) in &groups {
            pattern_col.push(grouped.get(k).cloned().unwrap_or_default());
            counts.push(*n as i64);
            representatives.push(values[*first].to_string());
        }
        let others = rows - groups.iter().map(|g| g.1).sum::<usize>();
        if others > 0 {
            pattern_col.push("others".into());
            counts.push(others as i64);
            representatives.push(String::new());
        }
        DataFrame::new(
            counts.len(),
            vec![
                Column::new("Pattern".into(), pattern_col),
                Column::new("Count".into(), counts),
                Column::new("Representative".into(), representatives),
            ],
        )
        .map_err(|e| polars_error(e, span))
    }
}

/// Cuts a text at `separators` (by default anything not a letter or a
/// digit); empty terms are dropped.
fn cut<'t>(text: &'t str, separators: Option<&[char]>) -> Cut<'t> {
    let is_sep = |c: char| match separators {
        Some(s) => s.contains(&c),
        None => !c.is_alphanumeric(),
    };
    let mut terms = Vec::new();
    let mut gaps = Vec::new();
    let mut gap_start = 0;
    let mut term_start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (is_sep(c), term_start) {
            (true, Some(s)) => {
                terms.push(&text[s..i]);
                term_start = None;
                gap_start = i;
            }
            (false, None) => {
                gaps.push(&text[gap_start..i]);
                term_start = Some(i);
            }
            _ => {}
        }
    }
    match term_start {
        Some(s) => {
            terms.push(&text[s..]);
            gaps.push("");
        }
        None => gaps.push(&text[gap_start..]),
    }
    Cut { terms, gaps }
}

/// A group's pattern from one of its rows: frequent terms as they are,
/// `*` for the others. With the default separators the separating text
/// is kept (`San *`); separators given with `characters` are left out, as
/// Kusto's own examples show (`fooZ1` with `characters="Z"` gives `foo*`).
fn pattern(c: &Cut, keep_gaps: bool, frequent: &impl Fn(usize, &str) -> bool) -> String {
    let mut out = String::new();
    for (i, t) in c.terms.iter().enumerate() {
        if keep_gaps {
            out.push_str(c.gaps[i]);
        }
        if frequent(i, t) {
            out.push_str(t);
        } else {
            out.push('*');
        }
    }
    if keep_gaps && let Some(last) = c.gaps.get(c.terms.len()) {
        out.push_str(last);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cutting_keeps_the_separating_text() {
        let c = cut(" San  Bernard.", None);
        assert_eq!(c.terms, vec!["San", "Bernard"]);
        assert_eq!(c.gaps, vec![" ", "  ", "."]);
        let c = cut("fooZ1", Some(&['Z']));
        assert_eq!(c.terms, vec!["foo", "1"]);
        let c = cut("", None);
        assert!(c.terms.is_empty());
        assert_eq!(c.gaps, vec![""]);
    }

    #[test]
    fn patterns_keep_frequent_terms() {
        let c = cut("One -on- One", None);
        let p = pattern(&c, true, &|_, t| t == "on");
        assert_eq!(p, "* -on- *");
        let c = cut("fooZ1", Some(&['Z']));
        assert_eq!(pattern(&c, false, &|_, t| t == "foo"), "foo*");
    }
}
