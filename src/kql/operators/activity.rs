//! The activity plugins: ids seen per time window (Start + k * Step) and
//! per combination of the dimensions, summarised three ways.
//!
//! - `activity_counts_metrics(IdColumn, TimelineColumn, Start, End, Step
//!   [, Dimension, ...])`: per window the rows (`count`), the distinct ids
//!   (`dcount`), the ids not seen in an earlier window (`new_dcount`) and
//!   the distinct ids from the first window to this one
//!   (`aggregated_dcount`); the timeline column (the window start, under
//!   the timeline column's name) and the dimensions come first.
//! - `activity_metrics(IdColumn, TimelineColumn, [Start, End,] Window
//!   [, Dimension, ...])`: per window the distinct ids (`dcount_values`),
//!   those not seen in the window before (`dcount_newvalues`), and the
//!   share of the window before's ids seen again (`retention_rate`) or not
//!   (`churn_rate`, 1 - retention); the first window's rates are NaN (no
//!   one at the beginning). Without Start and End the windows start at the
//!   earliest time and run to the latest. The dimensions come last.
//! - `sliding_window_counts(IdColumn, TimelineColumn, Start, End,
//!   LookbackWindow, Bin [, Dimension, ...])`: per bin from Start to End
//!   (every bin, also those without rows), the rows (`count`) and distinct
//!   ids (`dcount`) of the lookback window ending with it (LookbackWindow
//!   rounded down to whole bins); the timeline column and the dimensions
//!   come first.
//! - `new_activity_metrics`: see [`super::activity_cohorts`].
//!
//! Rows before Start or after End are left out; windows without rows do
//! not appear. Rows are ordered by dimensions then window. Ids are
//! compared as text. Kusto also takes `week`, `month` or `year` for the
//! step (calendar periods); Quarry takes a timespan only and says so.

use std::collections::{BTreeMap, HashSet};

use polars::prelude::*;

use super::polars_error;
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

/// One window's rows and distinct ids.
pub(super) type Window = (i64, HashSet<String>);

/// One combination of dimension values: the values, and per window start
/// the rows and the distinct ids.
pub(super) type Group = (Vec<Scalar>, BTreeMap<i64, Window>);

/// What every activity plugin reads from its input.
pub(super) struct Activity {
    pub start: i64,
    pub end: i64,
    pub step: i64,
    /// The timeline column's name (the output's window column).
    pub timeline: String,
    /// The dimension columns: name and type.
    pub dims: Vec<(String, KqlType)>,
    /// Per dimension values (as text, for ordering) the group.
    pub groups: BTreeMap<Vec<String>, Group>,
}

/// Where an activity plugin finds its arguments.
pub(super) struct ActivityArgs<'a> {
    pub plugin: &'a str,
    pub id: &'a Expr,
    pub timeline: &'a Expr,
    /// Start and End; `None` takes the earliest and latest times.
    pub range: Option<(&'a Expr, &'a Expr)>,
    pub step: &'a Expr,
    /// What the plugin's documentation calls the step ("Step", "Window").
    pub step_name: &'a str,
    pub dims: &'a [Expr],
}

impl Activity {
    /// The dimension columns of the output, from the groups' values.
    pub fn dim_columns(&self, values: Vec<Vec<Scalar>>) -> Vec<Column> {
        self.dims
            .iter()
            .zip(values)
            .map(|((name, kind), v)| scalars_to_series(name, *kind, v).into_column())
            .collect()
    }

    /// A column of window starts named `name`.
    pub fn time_column(name: &str, windows: Vec<Scalar>) -> Column {
        scalars_to_series(name, KqlType::Datetime, windows).into_column()
    }
}

impl Runner<'_> {
    /// Reads the ids of `frame` into windows per dimension combination.
    pub(super) fn read_activity(
        &self,
        a: ActivityArgs,
        frame: &DataFrame,
    ) -> Result<Activity, QueryError> {
        let plugin = a.plugin;
        let empty = DataFrame::empty();
        let datetime = |e: &Expr, what: &str| match self.eval_scalar(e, &empty)? {
            Scalar::Datetime(t) => Ok(t),
            other => Err(QueryError::type_error(
                format!(
                    "{plugin}(): {what} must be a datetime, not {}",
                    other.kind()
                ),
                e.span,
            )),
        };
        let step = match self.eval_scalar(a.step, &empty)? {
            Scalar::Timespan(t) if t > 0 => t,
            other => {
                return Err(QueryError::type_error(
                    format!(
                        "{plugin}(): {} must be a positive timespan (Quarry does not take 'week', 'month' or 'year'), not {}",
                        a.step_name,
                        other.to_text()
                    ),
                    a.step.span,
                ));
            }
        };
        let timeline = match &a.timeline.kind {
            ExprKind::Name(n) => n.clone(),
            _ => "Timestamp".to_string(),
        };
        let rows = frame.height();
        let ids = self.eval(a.id, frame)?.to_text(rows);
        let times = self.eval(a.timeline, frame)?;
        let (start, end) = match a.range {
            Some((s, e)) => (datetime(s, "Start")?, datetime(e, "End")?),
            None => {
                let all = (0..rows).filter_map(|i| match times.get(i) {
                    Scalar::Datetime(t) => Some(t),
                    _ => None,
                });
                all.fold((i64::MAX, i64::MIN), |(lo, hi), t| (lo.min(t), hi.max(t)))
            }
        };
        let mut dims: Vec<(String, Val)> = Vec::new();
        for d in a.dims {
            let ExprKind::Name(name) = &d.kind else {
                return Err(QueryError::type_error(
                    format!("{plugin}(): a dimension must be a column name"),
                    d.span,
                ));
            };
            dims.push((name.clone(), self.eval(d, frame)?));
        }
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
            let window = window_of(start, t, step);
            let values: Vec<Scalar> = dims.iter().map(|(_, v)| v.get(i)).collect();
            let key: Vec<String> = values.iter().map(|v| v.to_text().into_owned()).collect();
            let group = groups
                .entry(key)
                .or_insert_with(|| (values, BTreeMap::new()));
            let cell = group.1.entry(window).or_default();
            cell.0 += 1;
            cell.1.insert(ids.get(i).unwrap_or("").to_string());
        }
        Ok(Activity {
            start,
            end,
            step,
            timeline,
            dims: dims.into_iter().map(|(n, v)| (n, v.kind())).collect(),
            groups,
        })
    }

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
        let activity = self.read_activity(
            ActivityArgs {
                plugin: "activity_counts_metrics",
                id: &args[0],
                timeline: &args[1],
                range: Some((&args[2], &args[3])),
                step: &args[4],
                step_name: "Step",
                dims: &args[5..],
            },
            &frame,
        )?;
        let mut out_time = Vec::new();
        let mut out_dims: Vec<Vec<Scalar>> = vec![Vec::new(); activity.dims.len()];
        let (mut count, mut dcount, mut new_dcount, mut aggregated) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (values, windows) in activity.groups.values() {
            let mut seen: HashSet<&String> = HashSet::new();
            for (window, (rows, ids)) in windows {
                let new = ids.iter().filter(|id| !seen.contains(*id)).count() as i64;
                seen.extend(ids.iter());
                out_time.push(Scalar::Datetime(*window));
                push_dims(&mut out_dims, values);
                count.push(*rows);
                dcount.push(ids.len() as i64);
                new_dcount.push(new);
                aggregated.push(seen.len() as i64);
            }
        }
        let mut columns = vec![Activity::time_column(&activity.timeline, out_time)];
        columns.extend(activity.dim_columns(out_dims));
        for (name, values) in [
            ("count", count),
            ("dcount", dcount),
            ("new_dcount", new_dcount),
            ("aggregated_dcount", aggregated),
        ] {
            columns.push(Column::new(name.into(), values));
        }
        finish(columns, &activity, span)
    }

    /// Whether an activity plugin's third argument is already a window (a
    /// column or a timespan), so that Start and End were left out.
    pub(super) fn is_window_argument(&self, arg: &Expr, frame: &DataFrame) -> bool {
        matches!(&arg.kind, ExprKind::Name(n) if frame.column(n).is_ok())
            || matches!(
                self.eval_scalar(arg, &DataFrame::empty()),
                Ok(Scalar::Timespan(_))
            )
    }

    /// `activity_metrics`; also returns the kept input columns (the
    /// timeline and the dimensions), for `*` in an output schema.
    pub(super) fn activity_metrics(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        const USAGE: &str =
            "activity_metrics() needs IdColumn, TimelineColumn, [Start, End,] and Window";
        if args.len() < 3 {
            return Err(QueryError::type_error(USAGE, span));
        }
        let third_is_window = self.is_window_argument(&args[2], &frame);
        let (range, step, dims) = if third_is_window {
            (None, &args[2], &args[3..])
        } else if args.len() >= 5 {
            (Some((&args[2], &args[3])), &args[4], &args[5..])
        } else {
            return Err(QueryError::type_error(USAGE, span));
        };
        let activity = self.read_activity(
            ActivityArgs {
                plugin: "activity_metrics",
                id: &args[0],
                timeline: &args[1],
                range,
                step,
                step_name: "Window",
                dims,
            },
            &frame,
        )?;
        let mut out_time = Vec::new();
        let mut out_dims: Vec<Vec<Scalar>> = vec![Vec::new(); activity.dims.len()];
        let (mut dcount, mut new, mut retention, mut churn) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let none = HashSet::new();
        for (values, windows) in activity.groups.values() {
            for (window, (_, ids)) in windows {
                let before = windows
                    .get(&window.saturating_sub(activity.step))
                    .map_or(&none, |(_, ids)| ids);
                let returned = ids.iter().filter(|id| before.contains(*id)).count();
                let rate = returned as f64 / before.len() as f64;
                out_time.push(Scalar::Datetime(*window));
                push_dims(&mut out_dims, values);
                dcount.push(ids.len() as i64);
                new.push((ids.len() - returned) as i64);
                retention.push(rate);
                churn.push(1.0 - rate);
            }
        }
        let mut columns = vec![
            Activity::time_column(&activity.timeline, out_time),
            Column::new("dcount_values".into(), dcount),
            Column::new("dcount_newvalues".into(), new),
            Column::new("retention_rate".into(), retention),
            Column::new("churn_rate".into(), churn),
        ];
        columns.extend(activity.dim_columns(out_dims));
        finish(columns, &activity, span)
    }
}

impl Runner<'_> {
    /// `sliding_window_counts`; also returns the kept input columns (the
    /// timeline and the dimensions), for `*` in an output schema.
    pub(super) fn sliding_window_counts(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        if args.len() < 6 {
            return Err(QueryError::type_error(
                "sliding_window_counts() needs IdColumn, TimelineColumn, Start, End, LookbackWindow and Bin",
                span,
            ));
        }
        let activity = self.read_activity(
            ActivityArgs {
                plugin: "sliding_window_counts",
                id: &args[0],
                timeline: &args[1],
                range: Some((&args[2], &args[3])),
                step: &args[5],
                step_name: "Bin",
                dims: &args[6..],
            },
            &frame,
        )?;
        let lookback = match self.eval_scalar(&args[4], &DataFrame::empty())? {
            Scalar::Timespan(t) if t >= activity.step => t / activity.step,
            other => {
                return Err(QueryError::type_error(
                    format!(
                        "sliding_window_counts(): LookbackWindow must be a timespan of at least one Bin, not {}",
                        other.to_text()
                    ),
                    args[4].span,
                ));
            }
        };
        let (start, step) = (activity.start, activity.step);
        let bins = window_count(
            "sliding_window_counts",
            &activity,
            MAX_SLIDING_BINS,
            args[5].span,
        )?;
        let mut out_time = Vec::new();
        let mut out_dims: Vec<Vec<Scalar>> = vec![Vec::new(); activity.dims.len()];
        let (mut count, mut dcount) = (Vec::new(), Vec::new());
        for (values, windows) in activity.groups.values() {
            for k in 0..bins {
                self.check_cancel()?;
                let bin = nth_window(start, k, step);
                let from = bin.saturating_sub((lookback - 1) * step);
                let (mut rows, mut ids) = (0, HashSet::new());
                for (_, (n, seen)) in windows.range(from..=bin) {
                    rows += n;
                    ids.extend(seen.iter());
                }
                out_time.push(Scalar::Datetime(bin));
                push_dims(&mut out_dims, values);
                count.push(rows);
                dcount.push(ids.len() as i64);
            }
        }
        let mut columns = vec![Activity::time_column(&activity.timeline, out_time)];
        columns.extend(activity.dim_columns(out_dims));
        columns.push(Column::new("count".into(), count));
        columns.push(Column::new("dcount".into(), dcount));
        finish(columns, &activity, span)
    }
}

/// The most bins `sliding_window_counts` makes (every bin from Start to
/// End is a row per dimension combination).
const MAX_SLIDING_BINS: i64 = 1_000_000;

/// The start of the window holding `t` (at or after `start`). In i128:
/// the nanoseconds between datetimes centuries apart overflow i64.
pub(super) fn window_of(start: i64, t: i64, step: i64) -> i64 {
    let offset = (i128::from(t) - i128::from(start)).div_euclid(i128::from(step));
    nth_window(start, i64::try_from(offset).unwrap_or(i64::MAX), step)
}

/// The start of window `k` (Start + k * step), saturated at the ends of
/// time.
pub(super) fn nth_window(start: i64, k: i64, step: i64) -> i64 {
    let at = i128::from(start) + i128::from(k) * i128::from(step);
    i64::try_from(at).unwrap_or(if at < 0 { i64::MIN } else { i64::MAX })
}

/// How many windows run from Start to End (0 when End is before Start);
/// more than `limit` is refused, at the step's argument.
pub(super) fn window_count(
    plugin: &str,
    activity: &Activity,
    limit: i64,
    at: Span,
) -> Result<i64, QueryError> {
    if activity.end < activity.start {
        return Ok(0);
    }
    let span = i128::from(activity.end) - i128::from(activity.start);
    let n = span / i128::from(activity.step) + 1;
    if n > i128::from(limit) {
        return Err(QueryError::type_error(
            format!(
                "{plugin}(): {n} windows from Start to End; Quarry makes at most {limit} (take a larger step)"
            ),
            at,
        ));
    }
    Ok(n as i64)
}

/// Appends one row's dimension values.
pub(super) fn push_dims(out: &mut [Vec<Scalar>], values: &[Scalar]) {
    for (column, v) in out.iter_mut().zip(values) {
        column.push(v.clone());
    }
}

/// The output frame, and the input columns it kept (timeline, dimensions).
pub(super) fn finish(
    columns: Vec<Column>,
    activity: &Activity,
    span: Span,
) -> Result<(DataFrame, Vec<String>), QueryError> {
    let kept = std::iter::once(activity.timeline.clone())
        .chain(activity.dims.iter().map(|(n, _)| n.clone()))
        .collect();
    let height = columns.first().map_or(0, |c| c.len());
    let out = DataFrame::new(height, columns).map_err(|e| polars_error(e, span))?;
    Ok((out, kept))
}
