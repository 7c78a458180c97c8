//! `evaluate diffpatterns(SplitColumn, SplitValueA, SplitValueB
//! [, WeightColumn, Threshold, MaxDimensions, CustomWildcard, ...])`: the
//! patterns that tell two sets of rows apart.
//!
//! Set A is the rows where `tostring(SplitColumn) == SplitValueA`, set B
//! those where it is SplitValueB; other rows are left out. The candidates
//! are the closed patterns (see [`super::frequent`]) covering at least
//! Threshold (0.015 to 1, default 0.05) of A or of B, from generators of
//! at most MaxDimensions values (default: no limit), whose shares of A and
//! B differ by at least Threshold. From the largest difference down, a
//! candidate is kept unless
//!
//! - it fixes all the values of a kept one, or a kept one fixes all of its
//!   (the refinements of a difference are the same difference): so
//!   `EventType == "Hail", DamageCrops == 0` hides `DamageCrops == 0`
//!   alone (diffpatterns-plugin.md);
//! - or, on the rows no kept pattern covers, its shares of A and B (of all
//!   of A and B) no longer differ by Threshold in the same direction: the
//!   difference is already told. So the result is a small set of patterns that say different
//!   things, as the page promises, rather than every combination of them.
//!
//! Output: `SegmentId`, `CountA`, `CountB` (long; real with a real weight
//! column), `PercentA`, `PercentB` and `PercentDiffAB` (`|PercentA -
//! PercentB|`, computed before rounding), rounded to two decimals as
//! Kusto prints them, then every column but the split and weight columns;
//! rows by PercentDiffAB, largest first.

use polars::prelude::*;

use super::bits::Rows;
use super::frequent::{Closed, Mined, Miner};
use super::{
    Args, Item, count_column, dimension_columns, dimensions, nested, output, percent, read_weights,
    round2,
};
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, series_to_text};

const PLUGIN: &str = "diffpatterns";

impl Runner<'_> {
    /// `diffpatterns`; also returns the dimension columns, for `*` in an
    /// output schema.
    pub(in crate::kql::operators) fn diffpatterns(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let args = Args::new(PLUGIN, args, None)?;
        if args.args.len() < 3 {
            return Err(QueryError::type_error(
                "diffpatterns() needs SplitColumn, SplitValueA and SplitValueB",
                span,
            ));
        }
        let split = &args.args[0];
        let ExprKind::Name(split_name) = &split.kind else {
            return Err(QueryError::type_error(
                "diffpatterns(): SplitColumn must be a column name",
                split.span,
            ));
        };
        let Ok(split_column) = frame.column(split_name) else {
            let names = frame.get_column_names();
            return Err(QueryError::unknown(
                format!(
                    "diffpatterns(): unknown column '{split_name}' for SplitColumn{}",
                    did_you_mean(split_name, names.iter().map(|n| n.as_str()))
                ),
                split.span,
            ));
        };
        let value = |i: usize, name: &str| -> Result<(String, Span), QueryError> {
            let e = &args.args[i];
            match self.eval_scalar(e, &DataFrame::empty())? {
                Scalar::String(s) => Ok((s, e.span)),
                other => Err(QueryError::type_error(
                    format!(
                        "diffpatterns(): {name} must be a string, such as \"{}\", not {}",
                        other.to_text(),
                        other.kind()
                    ),
                    e.span,
                )),
            }
        };
        let (a, a_span) = value(1, "SplitValueA")?;
        let (b, b_span) = value(2, "SplitValueB")?;
        if a == b {
            return Err(QueryError::type_error(
                format!(
                    "diffpatterns(): SplitValueA and SplitValueB are both \"{a}\"; they must name two different sets"
                ),
                b_span,
            ));
        }
        let weight = args.column(3, "WeightColumn", &frame)?;
        let threshold = args
            .number(
                self,
                4,
                "Threshold",
                |t| (0.015..=1.0).contains(&t),
                "a number from 0.015 to 1",
            )?
            .unwrap_or(0.05);
        let max_dims = args.whole(self, 5, "MaxDimensions", 1, i64::MAX)?;
        let wildcards = args.wildcards(self, 6)?;
        let (weights, whole) = read_weights(PLUGIN, &frame, weight.as_ref(), false)?;

        let text = series_to_text(split_column.as_materialized_series());
        let rows = frame.height();
        let side = |wanted: &str| {
            Rows::from_fn(rows, |r| {
                text.get(r).unwrap_or("") == wanted && weights.of_row(r) > 0.0
            })
        };
        let (set_a, set_b) = (side(&a), side(&b));
        for (set, value, at, name) in [
            (&set_a, &a, a_span, "SplitValueA"),
            (&set_b, &b, b_span, "SplitValueB"),
        ] {
            if set.first().is_none() {
                return Err(QueryError::runtime(
                    format!(
                        "diffpatterns(): no row has {split_name} == \"{value}\" ({name}){}",
                        some_values(&text)
                    ),
                    Some(at),
                ));
            }
        }

        let mut except = vec![split_name.as_str()];
        except.extend(weight.iter().map(|(n, _)| n.as_str()));
        let (table, sources) = dimensions(&frame, &except, weights, self.cancel())?;
        let miner = Miner {
            plugin: PLUGIN,
            table: &table,
            sets: vec![set_a, set_b],
            threshold,
            max_dims: max_dims.map_or(table.dims.len(), |m| m as usize).max(1),
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
        let kept = differing(&mined, &miner, threshold, 0)?;

        let n = kept.len();
        let (pa, pb): (Vec<f64>, Vec<f64>) = kept.iter().map(shares).unzip();
        let mut columns = vec![
            Column::new("SegmentId".into(), (0..n as i64).collect::<Vec<_>>()),
            count_column("CountA", kept.iter().map(|c| c.counts[0]), whole),
            count_column("CountB", kept.iter().map(|c| c.counts[1]), whole),
            Column::new(
                "PercentA".into(),
                pa.iter().map(|&p| round2(p)).collect::<Vec<_>>(),
            ),
            Column::new(
                "PercentB".into(),
                pb.iter().map(|&p| round2(p)).collect::<Vec<_>>(),
            ),
            Column::new(
                "PercentDiffAB".into(),
                pa.iter()
                    .zip(&pb)
                    .map(|(a, b)| round2((a - b).abs()))
                    .collect::<Vec<_>>(),
            ),
        ];
        let items: Vec<&[Item]> = kept.iter().map(|c| c.items.as_slice()).collect();
        columns.extend(dimension_columns(&sources, &items, &wildcards));
        let names = sources.iter().map(|s| s.name.clone()).collect();
        Ok((output(columns, n, span)?, names))
    }
}

/// The mined patterns (of at least `min_items` values) whose shares of the
/// two sets differ by `threshold` or more, largest difference first (then
/// most rows), thinned by [`distinct_differences`].
pub(super) fn differing(
    mined: &Mined,
    miner: &Miner,
    threshold: f64,
    min_items: usize,
) -> Result<Vec<Closed>, QueryError> {
    let totals = miner.totals();
    let diff =
        |c: &Closed| (percent(c.counts[0], totals[0]) - percent(c.counts[1], totals[1])).abs();
    let mut candidates: Vec<Closed> = mined
        .patterns
        .iter()
        .filter(|c| c.items.len() >= min_items && diff(c) >= threshold * 100.0)
        .cloned()
        .collect();
    candidates.sort_by(|x, y| {
        diff(y)
            .total_cmp(&diff(x))
            .then((y.counts[0] + y.counts[1]).total_cmp(&(x.counts[0] + x.counts[1])))
    });
    distinct_differences(candidates, mined, miner, threshold)
}

/// From candidates ordered by difference, those that neither refine nor
/// are refined by one kept before them, and whose shares of the two sets
/// still differ by `threshold`, the same way, on the rows the kept ones
/// leave.
fn distinct_differences(
    candidates: Vec<Closed>,
    mined: &Mined,
    miner: &Miner,
    threshold: f64,
) -> Result<Vec<Closed>, QueryError> {
    let totals = miner.totals();
    let weights = &miner.table.weights;
    let mut covered = Rows::none(miner.table.len);
    let mut left = vec![0u64; covered.words().len()];
    let mut kept: Vec<Closed> = Vec::new();
    for (i, c) in candidates.into_iter().enumerate() {
        if i.is_multiple_of(64) {
            miner.cancel.check()?;
        }
        if kept.iter().any(|k| nested(&k.items, &c.items)) {
            continue;
        }
        let rows = mined.rows(&c.items);
        let mut shares = [0.0; 2];
        for (s, set) in miner.sets.iter().enumerate().take(2) {
            for (((l, r), c), m) in left
                .iter_mut()
                .zip(rows.words())
                .zip(covered.words())
                .zip(set.words())
            {
                *l = r & !c & m;
            }
            shares[s] = percent(weights.of_words(&left), totals[s]);
        }
        let full = c.counts[0] / totals[0] - c.counts[1] / totals[1];
        if (shares[0] - shares[1]) * full.signum() < threshold * 100.0 {
            continue;
        }
        covered.or(&rows);
        kept.push(c);
    }
    Ok(kept)
}

/// ", whose values include "x", "y", ..." (the first five, in order of
/// appearance), for an error about a value that is not there.
fn some_values(text: &StringChunked) -> String {
    let mut seen: Vec<&str> = Vec::new();
    for t in text.iter() {
        let t = t.unwrap_or("");
        if !seen.contains(&t) {
            seen.push(t);
            if seen.len() > 5 {
                break;
            }
        }
    }
    if seen.is_empty() {
        return "; there are no rows".to_string();
    }
    let more = if seen.len() > 5 { ", ..." } else { "" };
    let shown: Vec<String> = seen.iter().take(5).map(|v| format!("\"{v}\"")).collect();
    format!("; its values include {}{more}", shown.join(", "))
}
