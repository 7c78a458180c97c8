//! `evaluate diffpatterns_text(TextColumn, BooleanCondition [, MinTokens,
//! Threshold, MaxTokens])`: the text patterns that tell apart the rows
//! where the condition is true from those where it is false.
//!
//! A text is read as its first MaxTokens (1 to 20, default 20) tokens,
//! separated by white space and compared exactly (`Below` is not
//! `below`); token position i is dimension i, so a pattern fixes the
//! tokens at some positions, as `diffpatterns` fixes the values of some
//! columns. The candidates are the closed patterns with at least
//! MinTokens (0 to 200, default 1) tokens whose shares of the true and
//! the false rows differ by at least Threshold (0.015 to 1, default
//! 0.05), and from the largest difference down a pattern is kept unless
//! it refines, or is refined by, one kept before, or its difference is
//! already told by those (see [`super::diffpatterns`]). Rows whose condition is null are left out.
//!
//! Output: `Count_of_True`, `Count_of_False`, `Percent_of_True`,
//! `Percent_of_False` (two decimals), and `Pattern`: the tokens from the
//! first position to the last fixed one, `*` for a free position, and a
//! final `*` when some of its texts go on past its last token within
//! MaxTokens, as diffpatterns-text-plugin.md prints them (`Below normal
//! *`; its patterns of 20 tokens end without one). Rows go from the
//! patterns most typical of true to those most typical of false (the
//! documented example's order).

use std::collections::HashMap;

use polars::prelude::*;

use super::bits::{Rows, Weights};
use super::diffpatterns::differing;
use super::frequent::{Closed, Miner};
use super::{ABSENT, Args, Dim, Item, Table, count_column, output, percent, round2};
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;

const PLUGIN: &str = "diffpatterns_text";

impl Runner<'_> {
    /// `diffpatterns_text`; no input column passes through.
    pub(in crate::kql::operators) fn diffpatterns_text(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let args = Args::new(
            PLUGIN,
            args,
            Some((
                5,
                "TextColumn, BooleanCondition, MinTokens, Threshold, MaxTokens",
            )),
        )?;
        if args.args.len() < 2 {
            return Err(QueryError::type_error(
                "diffpatterns_text() needs TextColumn and BooleanCondition",
                span,
            ));
        }
        let min_tokens = args.whole(self, 2, "MinTokens", 0, 200)?.unwrap_or(1) as usize;
        let threshold = args
            .number(
                self,
                3,
                "Threshold",
                |t| (0.015..=1.0).contains(&t),
                "a number from 0.015 to 1",
            )?
            .unwrap_or(0.05);
        let max_tokens = args.whole(self, 4, "MaxTokens", 1, 20)?.unwrap_or(20) as usize;

        let rows = frame.height();
        let (text_arg, condition_arg) = (&args.args[0], &args.args[1]);
        let text = self.eval(text_arg, &frame)?;
        if text.kind() != KqlType::String {
            return Err(QueryError::type_error(
                format!(
                    "diffpatterns_text(): TextColumn must be a string, not {}",
                    text.kind()
                ),
                text_arg.span,
            ));
        }
        let text = text.to_text(rows);
        let condition = self.eval(condition_arg, &frame)?;
        if condition.kind() != KqlType::Bool {
            return Err(QueryError::type_error(
                format!(
                    "diffpatterns_text(): BooleanCondition must be a bool, not {}",
                    condition.kind()
                ),
                condition_arg.span,
            ));
        }
        let condition = condition.to_bools(rows);
        let set = |wanted: bool| Rows::from_fn(rows, |r| condition.get(r) == Some(wanted));
        let sets = vec![set(true), set(false)];
        for (s, word) in sets.iter().zip(["true", "false"]) {
            if s.first().is_none() {
                return Err(QueryError::runtime(
                    format!(
                        "diffpatterns_text(): BooleanCondition is {word} for no row; both sets need rows"
                    ),
                    Some(condition_arg.span),
                ));
            }
        }

        let (table, tokens) = positions(&text, max_tokens, self)?;
        let miner = Miner {
            plugin: PLUGIN,
            table: &table,
            sets,
            threshold,
            max_dims: max_tokens,
            budget_bytes: self.options.budget.bytes(),
            max_candidates: super::frequent::MAX_CANDIDATES,
            span,
            cancel: self.cancel(),
        };
        let totals = miner.totals();
        let shares = |c: &Closed| {
            (
                percent(c.counts[0], totals[0]),
                percent(c.counts[1], totals[1]),
            )
        };
        let mined = miner.closed(false)?;
        let mut kept = differing(&mined, &miner, threshold, min_tokens)?;
        kept.sort_by(|x, y| {
            let signed = |c: &Closed| {
                let (pt, pf) = shares(c);
                pt - pf
            };
            signed(y).total_cmp(&signed(x))
        });

        let n = kept.len();
        let mut counted = miner.sets[0].clone();
        counted.or(&miner.sets[1]);
        let patterns: Vec<String> = kept
            .iter()
            .map(|c| render(&c.items, &tokens, goes_on(&table, &counted, &c.items)))
            .collect();
        let (pt, pf): (Vec<f64>, Vec<f64>) = kept.iter().map(shares).unzip();
        let columns = vec![
            count_column("Count_of_True", kept.iter().map(|c| c.counts[0]), true),
            count_column("Count_of_False", kept.iter().map(|c| c.counts[1]), true),
            Column::new(
                "Percent_of_True".into(),
                pt.iter().map(|&p| round2(p)).collect::<Vec<_>>(),
            ),
            Column::new(
                "Percent_of_False".into(),
                pf.iter().map(|&p| round2(p)).collect::<Vec<_>>(),
            ),
            Column::new("Pattern".into(), patterns),
        ];
        Ok((output(columns, n, span)?, Vec::new()))
    }
}

/// The texts as dimensions: position i holds each text's i-th token (or
/// [`ABSENT`] past its end). Also the tokens of each position's codes.
fn positions(
    text: &StringChunked,
    max_tokens: usize,
    runner: &Runner,
) -> Result<(Table, Vec<Vec<String>>), QueryError> {
    let rows = text.len();
    let mut codes = vec![vec![ABSENT; rows]; max_tokens];
    let mut seen: Vec<HashMap<&str, u32>> = vec![HashMap::new(); max_tokens];
    let mut tokens: Vec<Vec<String>> = vec![Vec::new(); max_tokens];
    for (r, t) in text.iter().enumerate() {
        if r.is_multiple_of(65_536) {
            runner.check_cancel()?;
        }
        for (p, token) in t
            .unwrap_or("")
            .split_whitespace()
            .take(max_tokens)
            .enumerate()
        {
            codes[p][r] = *seen[p].entry(token).or_insert_with(|| {
                tokens[p].push(token.to_string());
                tokens[p].len() as u32 - 1
            });
        }
    }
    let dims = codes
        .into_iter()
        .zip(&tokens)
        .map(|(codes, t)| Dim {
            codes,
            distinct: t.len() as u32,
        })
        .collect();
    let table = Table {
        dims,
        weights: Weights::Unit,
        len: rows,
    };
    Ok((table, tokens))
}

/// Whether a text the pattern covers has a token after the pattern's
/// last one (within MaxTokens).
fn goes_on(table: &Table, counted: &Rows, items: &[Item]) -> bool {
    let Some(next) = items.iter().map(|&(p, _)| p as usize + 1).max() else {
        return true;
    };
    let Some(after) = table.dims.get(next) else {
        return false;
    };
    counted.iter().any(|r| {
        after.codes[r] != ABSENT
            && items
                .iter()
                .all(|&(p, code)| table.dims[p as usize].codes[r] == code)
    })
}

/// A pattern as the documentation prints it: `* * below normal *`, the
/// final `*` when its texts go on.
fn render(items: &[Item], tokens: &[Vec<String>], goes_on: bool) -> String {
    let Some(last) = items.iter().map(|&(p, _)| p as usize).max() else {
        return "*".to_string();
    };
    let mut words: Vec<&str> = (0..=last)
        .map(|p| {
            items
                .iter()
                .find(|&&(q, _)| q as usize == p)
                .map_or("*", |&(_, code)| tokens[p][code as usize].as_str())
        })
        .collect();
    if goes_on {
        words.push("*");
    }
    words.join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patterns_print_as_documented() {
        let tokens = vec![
            vec!["Below".to_string()],
            vec!["normal".to_string()],
            vec!["x".to_string()],
        ];
        assert_eq!(render(&[(0, 0), (1, 0)], &tokens, true), "Below normal *");
        assert_eq!(render(&[(1, 0)], &tokens, true), "* normal *");
        assert_eq!(render(&[(2, 0)], &tokens, false), "* * x");
    }
}
