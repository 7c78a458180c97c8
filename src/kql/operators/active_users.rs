//! `evaluate active_users_count(IdColumn, TimelineColumn, Start, End,
//! LookbackWindow, Period, ActivePeriodsCount, Bin [, Dimension, ...])`:
//! per bin (Start + k * Bin) and dimension combination, the distinct ids
//! with an active appearance in the bin.
//!
//! An appearance (a row between Start and End) is active when the id was
//! seen in at least ActivePeriodsCount distinct periods (times binned by
//! Period) within the lookback window ending with it, (t - LookbackWindow,
//! t]; appearances before Start count for the lookback
//! (active-users-count-plugin.md: B on 7/4 is active thanks to 6/29 and
//! 6/30, B on 7/8 is not). Bins without active ids do not appear. Output:
//! the timeline column, the dimensions, `dcount`.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use polars::prelude::*;

use super::activity::{Activity, finish, push_dims, window_of};
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

impl Runner<'_> {
    /// `active_users_count`; also returns the kept input columns (the
    /// timeline and the dimensions), for `*` in an output schema.
    pub(super) fn active_users_count(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        if args.len() < 8 {
            return Err(QueryError::type_error(
                "active_users_count() needs IdColumn, TimelineColumn, Start, End, LookbackWindow, Period, ActivePeriodsCount and Bin",
                span,
            ));
        }
        let empty = DataFrame::empty();
        let value = |i: usize| self.eval_scalar(&args[i], &empty);
        let wrong = |i: usize, what: &str, got: Scalar| {
            QueryError::type_error(
                format!("active_users_count(): {what}, not {}", got.to_text()),
                args[i].span,
            )
        };
        let datetime = |i: usize, what: &str| match value(i)? {
            Scalar::Datetime(t) => Ok(t),
            other => Err(wrong(i, &format!("{what} must be a datetime"), other)),
        };
        let timespan = |i: usize, what: &str| match value(i)? {
            Scalar::Timespan(t) if t > 0 => Ok(t),
            other => Err(wrong(
                i,
                &format!(
                    "{what} must be a positive timespan (Quarry does not take 'week', 'month' or 'year')"
                ),
                other,
            )),
        };
        let (start, end) = (datetime(2, "Start")?, datetime(3, "End")?);
        let lookback = timespan(4, "LookbackWindow")?;
        let period = timespan(5, "Period")?;
        let needed = match value(6)? {
            Scalar::Int(n) if n > 0 => n as usize,
            Scalar::Long(n) if n > 0 => n as usize,
            other => {
                return Err(wrong(
                    6,
                    "ActivePeriodsCount must be a whole number above 0",
                    other,
                ));
            }
        };
        let bin = timespan(7, "Bin")?;
        let timeline = match &args[1].kind {
            ExprKind::Name(n) => n.clone(),
            _ => "Timestamp".to_string(),
        };
        let rows = frame.height();
        let ids = self.eval(&args[0], &frame)?.to_text(rows);
        let times = self.eval(&args[1], &frame)?;
        let mut dims: Vec<(String, Val)> = Vec::new();
        for d in &args[8..] {
            let ExprKind::Name(name) = &d.kind else {
                return Err(QueryError::type_error(
                    "active_users_count(): a dimension must be a column name",
                    d.span,
                ));
            };
            dims.push((name.clone(), self.eval(d, &frame)?));
        }
        // Per dimension values (as text): the values, and per id its
        // appearance times in order.
        type Appearances = (Vec<Scalar>, HashMap<String, BTreeSet<i64>>);
        let mut groups: BTreeMap<Vec<String>, Appearances> = BTreeMap::new();
        for i in 0..rows {
            if i % (1 << 16) == 0 {
                self.check_cancel()?;
            }
            let Scalar::Datetime(t) = times.get(i) else {
                continue;
            };
            if t > end {
                continue;
            }
            let values: Vec<Scalar> = dims.iter().map(|(_, v)| v.get(i)).collect();
            let key: Vec<String> = values.iter().map(|v| v.to_text().into_owned()).collect();
            let group = groups
                .entry(key)
                .or_insert_with(|| (values, HashMap::new()));
            let id = ids.get(i).unwrap_or("").to_string();
            group.1.entry(id).or_default().insert(t);
        }
        let mut out_time = Vec::new();
        let mut out_dims: Vec<Vec<Scalar>> = vec![Vec::new(); dims.len()];
        let mut dcount = Vec::new();
        for (values, users) in groups.values() {
            self.check_cancel()?;
            let mut active: BTreeMap<i64, HashSet<&String>> = BTreeMap::new();
            for (id, seen) in users {
                for &t in seen.range(start..=end) {
                    let periods: HashSet<i64> = seen
                        .range(t.saturating_sub(lookback).saturating_add(1)..=t)
                        .map(|s| s.div_euclid(period))
                        .collect();
                    if periods.len() >= needed {
                        let window = window_of(start, t, bin);
                        active.entry(window).or_default().insert(id);
                    }
                }
            }
            for (window, ids) in active {
                out_time.push(Scalar::Datetime(window));
                push_dims(&mut out_dims, values);
                dcount.push(ids.len() as i64);
            }
        }
        let activity = Activity {
            start,
            end,
            step: bin,
            timeline,
            dims: dims.iter().map(|(n, v)| (n.clone(), v.kind())).collect(),
            groups: BTreeMap::new(),
        };
        let mut columns = vec![Activity::time_column(&activity.timeline, out_time)];
        columns.extend(activity.dim_columns(out_dims));
        columns.push(Column::new("dcount".into(), dcount));
        finish(columns, &activity, span)
    }
}
