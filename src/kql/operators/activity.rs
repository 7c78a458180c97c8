//! `evaluate activity_counts_metrics(IdColumn, TimelineColumn, Start, End,
//! Step [, Dimension, ...])`: per time window (Start + k * Step) and per
//! combination of the dimensions, the rows (`count`), the distinct ids
//! (`dcount`), the ids not seen in an earlier window (`new_dcount`) and
//! the distinct ids from the first window to this one
//! (`aggregated_dcount`). Rows before Start or after End are left out;
//! windows without rows do not appear. The output is the timeline column
//! (the window start, under the timeline column's name), the dimensions,
//! then the four counts, ordered by dimensions then window.
//!
//! Ids are compared as text. Kusto also takes `week`, `month` or `year`
//! for Step (calendar periods); Quarry takes a timespan only and says so.

use std::collections::{BTreeMap, HashSet};

use polars::prelude::*;

use super::polars_error;
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// One combination of dimension values: the values, and per window start
/// the rows and the distinct ids.
type Group = (Vec<Scalar>, BTreeMap<i64, (i64, HashSet<String>)>);

impl Runner<'_> {
    /// `activity_counts_metrics`; also returns the kept input columns (the
    /// timeline and the dimensions), for `*` in an output schema.
    pub(super) fn activity_counts_metrics(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        if args.len() < 5 {
            return Err(QueryError::type_error(
                "activity_counts_metrics() needs IdColumn, TimelineColumn, Start, End and Step",
                span,
            ));
        }
        let empty = DataFrame::empty();
        let datetime = |e: &Expr, what: &str| match self.eval_scalar(e, &empty)? {
            Scalar::Datetime(t) => Ok(t),
            other => Err(QueryError::type_error(
                format!(
                    "activity_counts_metrics(): {what} must be a datetime, not {}",
                    other.kind()
                ),
                e.span,
            )),
        };
        let (start, end) = (datetime(&args[2], "Start")?, datetime(&args[3], "End")?);
        let step = match self.eval_scalar(&args[4], &empty)? {
            Scalar::Timespan(t) if t > 0 => t,
            other => {
                return Err(QueryError::type_error(
                    format!(
                        "activity_counts_metrics(): Step must be a positive timespan (Quarry does not take 'week', 'month' or 'year'), not {}",
                        other.to_text()
                    ),
                    args[4].span,
                ));
            }
        };
        let timeline_name = match &args[1].kind {
            ExprKind::Name(n) => n.clone(),
            _ => "Timestamp".to_string(),
        };
        let rows = frame.height();
        let ids = self.eval(&args[0], &frame)?.to_text(rows);
        let times = self.eval(&args[1], &frame)?;
        let mut dims: Vec<(String, crate::kql::value::Val)> = Vec::new();
        for d in &args[5..] {
            let name = match &d.kind {
                ExprKind::Name(n) => n.clone(),
                _ => {
                    return Err(QueryError::type_error(
                        "activity_counts_metrics(): a dimension must be a column name",
                        d.span,
                    ));
                }
            };
            dims.push((name, self.eval(d, &frame)?));
        }
        // Per dimension values (as text, for ordering) then window: the
        // ids and the row count.
        let mut groups: BTreeMap<Vec<String>, Group> = BTreeMap::new();
        for i in 0..rows {
            if i % (1 << 16) == 0 {
                self.check_cancel()?;
            }
            let Scalar::Datetime(t) = times.get(i) else {
                continue;
            };
            if t < start || t > end {
                continue;
            }
            let window = start + (t - start) / step * step;
            let values: Vec<Scalar> = dims.iter().map(|(_, v)| v.get(i)).collect();
            let key: Vec<String> = values.iter().map(|v| v.to_text().into_owned()).collect();
            let group = groups
                .entry(key)
                .or_insert_with(|| (values, BTreeMap::new()));
            let cell = group.1.entry(window).or_default();
            cell.0 += 1;
            cell.1.insert(ids.get(i).unwrap_or("").to_string());
        }
        let mut out_time = Vec::new();
        let mut out_dims: Vec<Vec<Scalar>> = vec![Vec::new(); dims.len()];
        let (mut count, mut dcount, mut new_dcount, mut aggregated) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (values, windows) in groups.into_values() {
            let mut seen: HashSet<String> = HashSet::new();
            for (window, (rows, ids)) in windows {
                let new = ids.iter().filter(|id| !seen.contains(*id)).count() as i64;
                seen.extend(ids.iter().cloned());
                out_time.push(Scalar::Datetime(window));
                for (column, v) in out_dims.iter_mut().zip(&values) {
                    column.push(v.clone());
                }
                count.push(rows);
                dcount.push(ids.len() as i64);
                new_dcount.push(new);
                aggregated.push(seen.len() as i64);
            }
        }
        let mut columns =
            vec![scalars_to_series(&timeline_name, KqlType::Datetime, out_time).into_column()];
        for ((name, v), values) in dims.iter().zip(out_dims) {
            columns.push(scalars_to_series(name, v.kind(), values).into_column());
        }
        for (name, values) in [
            ("count", count),
            ("dcount", dcount),
            ("new_dcount", new_dcount),
            ("aggregated_dcount", aggregated),
        ] {
            columns.push(Column::new(name.into(), values));
        }
        let kept = std::iter::once(timeline_name)
            .chain(dims.into_iter().map(|(n, _)| n))
            .collect();
        let height = columns.first().map_or(0, |c| c.len());
        let out = DataFrame::new(height, columns).map_err(|e| polars_error(e, span))?;
        Ok((out, kept))
    }
}
