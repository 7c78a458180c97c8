//! `evaluate new_activity_metrics(IdColumn, TimelineColumn, Start, End,
//! Window [, Cohort] [, Dimension, ...] [, Lookback])`: cohorts of new ids
//! (first seen in a window) followed through the later windows.
//!
//! Per dimension combination, per "from" window that has rows (only the
//! window holding Cohort when it is given) and per "to" window from it to
//! End (also windows without rows): `dcount_new_values`, the ids of the
//! to window not seen up to the from window (before it when to is from);
//! `dcount_retained_values` and `dcount_churn_values`, the from window's
//! cohort seen, or not, in the to window; `retention_rate` and
//! `churn_rate`, those two as shares of the cohort (NaN for an empty
//! cohort). Ids of the Lookback table (its column named as IdColumn)
//! count as seen before Start. Columns: `from_<Timeline>`,
//! `to_<Timeline>`, the counts and rates, then the dimensions; rows by
//! dimensions, from, to.

use std::collections::HashSet;

use polars::prelude::*;

use super::activity::{Activity, ActivityArgs, finish, nth_window, push_dims, window_count};
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, series_to_text};

/// The most windows new_activity_metrics follows (2,001,000 pairs).
const MAX_WINDOWS: i64 = 2_000;

impl Runner<'_> {
    /// `new_activity_metrics`; also returns the kept input columns (the
    /// timeline and the dimensions), for `*` in an output schema.
    pub(super) fn new_activity_metrics(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        if args.len() < 5 {
            return Err(QueryError::type_error(
                "new_activity_metrics() needs IdColumn, TimelineColumn, Start, End and Window",
                span,
            ));
        }
        // After Window: a cohort (a scalar, sixth only), dimensions
        // (columns), and a lookback table (last).
        let empty = DataFrame::empty();
        let mut cohort: Option<(i64, Span)> = None;
        let mut lookback: Option<HashSet<String>> = None;
        let mut dims_end = args.len();
        for (i, a) in args.iter().enumerate().skip(5) {
            let is_column = matches!(&a.kind, ExprKind::Name(n) if frame.column(n).is_ok());
            if is_column {
                continue;
            }
            if i == args.len() - 1
                && let Some(table) = self.tabular_expr(a)?
            {
                lookback = Some(self.lookback_ids(&args[0], &table, a.span)?);
                dims_end = i;
                continue;
            }
            if i != 5 {
                return Err(QueryError::type_error(
                    "new_activity_metrics(): after the Cohort come dimension columns, then a Lookback table",
                    a.span,
                ));
            }
            match self.eval_scalar(a, &empty)? {
                Scalar::Datetime(t) => cohort = Some((t, a.span)),
                other => {
                    return Err(QueryError::type_error(
                        format!(
                            "new_activity_metrics(): Cohort must be a datetime, not {}",
                            other.kind()
                        ),
                        a.span,
                    ));
                }
            }
        }
        let first_dim = if cohort.is_some() { 6 } else { 5 };
        let activity = self.read_activity(
            ActivityArgs {
                plugin: "new_activity_metrics",
                id: &args[0],
                timeline: &args[1],
                range: Some((&args[2], &args[3])),
                step: &args[4],
                step_name: "Window",
                dims: &args[first_dim.min(dims_end)..dims_end],
            },
            &frame,
        )?;
        let (start, step) = (activity.start, activity.step);
        // Every (from, to) pair of windows is a row: n windows make up to
        // n * (n + 1) / 2 rows per dimension combination.
        let last = window_count("new_activity_metrics", &activity, MAX_WINDOWS, args[4].span)? - 1;
        let only = match cohort {
            Some((t, _)) if t >= start && t <= activity.end => {
                // t is within End, so the quotient is below the window count.
                Some(((i128::from(t) - i128::from(start)) / i128::from(step)) as i64)
            }
            Some((_, at)) => {
                return Err(QueryError::type_error(
                    "new_activity_metrics(): Cohort must lie between Start and End",
                    at,
                ));
            }
            None => None,
        };
        let lookback = lookback.unwrap_or_default();
        let none = HashSet::new();
        let mut out_from = Vec::new();
        let mut out_to = Vec::new();
        let mut out_dims: Vec<Vec<Scalar>> = vec![Vec::new(); activity.dims.len()];
        let (mut new, mut retained, mut churned, mut retention, mut churn) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (values, windows) in activity.groups.values() {
            let ids_of = |k: i64| {
                windows
                    .get(&nth_window(start, k, step))
                    .map_or(&none, |(_, ids)| ids)
            };
            // The ids seen before window k (the lookback's among them).
            let mut seen: HashSet<&String> = lookback.iter().collect();
            for from in 0..=last {
                self.check_cancel()?;
                let here = ids_of(from);
                let wanted = only.is_none_or(|k| k == from);
                if wanted && windows.contains_key(&nth_window(start, from, step)) {
                    let cohort: HashSet<&String> =
                        here.iter().filter(|id| !seen.contains(*id)).collect();
                    let mut through: HashSet<&String> = seen.clone();
                    through.extend(here.iter());
                    for to in from..=last {
                        let there = ids_of(to);
                        let before = if to == from { &seen } else { &through };
                        let kept = cohort.iter().filter(|id| there.contains(**id)).count();
                        let size = cohort.len() as f64;
                        out_from.push(Scalar::Datetime(nth_window(start, from, step)));
                        out_to.push(Scalar::Datetime(nth_window(start, to, step)));
                        push_dims(&mut out_dims, values);
                        new.push(there.iter().filter(|id| !before.contains(id)).count() as i64);
                        retained.push(kept as i64);
                        churned.push((cohort.len() - kept) as i64);
                        retention.push(kept as f64 / size);
                        churn.push((cohort.len() - kept) as f64 / size);
                    }
                }
                seen.extend(here.iter());
            }
        }
        let timeline = &activity.timeline;
        let mut columns = vec![
            Activity::time_column(&format!("from_{timeline}"), out_from),
            Activity::time_column(&format!("to_{timeline}"), out_to),
            Column::new("dcount_new_values".into(), new),
            Column::new("dcount_retained_values".into(), retained),
            Column::new("dcount_churn_values".into(), churned),
            Column::new("retention_rate".into(), retention),
            Column::new("churn_rate".into(), churn),
        ];
        columns.extend(activity.dim_columns(out_dims));
        finish(columns, &activity, span)
    }

    /// The ids of a lookback table: its column named as the id column.
    fn lookback_ids(
        &self,
        id: &Expr,
        table: &DataFrame,
        at: Span,
    ) -> Result<HashSet<String>, QueryError> {
        let ExprKind::Name(name) = &id.kind else {
            return Err(QueryError::type_error(
                "new_activity_metrics(): with a Lookback table, IdColumn must be a column name",
                id.span,
            ));
        };
        let column = table.column(name).map_err(|_| {
            QueryError::type_error(
                format!("new_activity_metrics(): the Lookback table has no column '{name}'"),
                at,
            )
        })?;
        let text = series_to_text(column.as_materialized_series());
        Ok(text.iter().flatten().map(str::to_string).collect())
    }
}
