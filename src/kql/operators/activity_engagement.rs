//! `evaluate activity_engagement(IdColumn, TimelineColumn, [Start, End,]
//! InnerActivityWindow, OuterActivityWindow [, Dimension, ...])`: daily
//! over weekly (or monthly) active users. Per inner window (Start + k *
//! InnerActivityWindow; without Start and End, from the earliest time to
//! the latest) and combination of the dimensions: the distinct ids in the
//! inner window (`dcount_activities_inner`), those in the outer window
//! that ends with it (`dcount_activities_outer`: the OuterActivityWindow
//! rounded down to whole inner windows), and their ratio
//! (`activity_ratio`). A window whose outer window saw no one is left
//! out (its ratio has no meaning). The timeline column comes first and the
//! dimensions last, as the page's output schema lists them; rows are in
//! order of dimensions, then window. Rows before Start or after End are
//! left out.

use std::collections::HashSet;

use polars::prelude::*;

use super::activity::{Activity, ActivityArgs, finish, nth_window, push_dims, window_count};
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// The most inner windows `activity_engagement` walks per combination.
const MAX_ENGAGEMENT_WINDOWS: i64 = 1_000_000;

impl Runner<'_> {
    /// `activity_engagement`; also returns the kept input columns (the
    /// timeline and the dimensions), for `*` in an output schema.
    pub(super) fn activity_engagement(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        const USAGE: &str = "activity_engagement() needs IdColumn, TimelineColumn, [Start, End,] InnerActivityWindow and OuterActivityWindow";
        if args.len() < 4 {
            return Err(QueryError::type_error(USAGE, span));
        }
        let third_is_window = self.is_window_argument(&args[2], &frame);
        let (range, inner, outer, dims) = if third_is_window {
            (None, &args[2], &args[3], &args[4..])
        } else if args.len() >= 6 {
            (Some((&args[2], &args[3])), &args[4], &args[5], &args[6..])
        } else {
            return Err(QueryError::type_error(USAGE, span));
        };
        let activity = self.read_activity(
            ActivityArgs {
                plugin: "activity_engagement",
                id: &args[0],
                timeline: &args[1],
                range,
                step: inner,
                step_name: "InnerActivityWindow",
                dims,
            },
            &frame,
        )?;
        let windows_per_outer = match self.eval_scalar(outer, &DataFrame::empty())? {
            Scalar::Timespan(t) if t >= activity.step => t / activity.step,
            other => {
                return Err(QueryError::type_error(
                    format!(
                        "activity_engagement(): OuterActivityWindow must be a timespan at least as long as InnerActivityWindow, not {}",
                        other.to_text()
                    ),
                    outer.span,
                ));
            }
        };
        let bins = window_count(
            "activity_engagement",
            &activity,
            MAX_ENGAGEMENT_WINDOWS,
            inner.span,
        )?;
        let (start, step) = (activity.start, activity.step);
        let mut out_time = Vec::new();
        let mut out_dims: Vec<Vec<Scalar>> = vec![Vec::new(); activity.dims.len()];
        let (mut inner_counts, mut outer_counts, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
        for (values, windows) in activity.groups.values() {
            for k in 0..bins {
                if k % 4096 == 0 {
                    self.check_cancel()?;
                }
                let window = nth_window(start, k, step);
                let from = window.saturating_sub((windows_per_outer - 1).saturating_mul(step));
                let mut seen: HashSet<&String> = HashSet::new();
                for (_, (_, ids)) in windows.range(from..=window) {
                    seen.extend(ids.iter());
                }
                if seen.is_empty() {
                    continue;
                }
                let active = windows.get(&window).map_or(0, |(_, ids)| ids.len());
                out_time.push(Scalar::Datetime(window));
                push_dims(&mut out_dims, values);
                inner_counts.push(active as i64);
                outer_counts.push(seen.len() as i64);
                ratios.push(active as f64 / seen.len() as f64);
            }
        }
        let mut columns = vec![
            Activity::time_column(&activity.timeline, out_time),
            Column::new("dcount_activities_inner".into(), inner_counts),
            Column::new("dcount_activities_outer".into(), outer_counts),
            Column::new("activity_ratio".into(), ratios),
        ];
        columns.extend(activity.dim_columns(out_dims));
        finish(columns, &activity, span)
    }
}
