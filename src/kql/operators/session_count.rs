//! `evaluate session_count(IdColumn, TimelineColumn, Start, End, Bin,
//! LookBackWindow [, Dimension, ...])`: how many sessions were active in
//! each bin (Start + k * Bin, every bin from Start to End).
//!
//! An id's rows between Start and End, in time order, make its sessions:
//! a row within LookBackWindow of the id's row before continues that
//! row's session, any other starts a new one. A session is active in a bin
//! where it has a row, so `count_sessions` counts, per bin, the distinct
//! (id, session) pairs with a row in it. The page gives no output to
//! compare with (only a chart); this is its parameters' description
//! taken literally. The timeline may be datetimes, timespans or numbers
//! (the page's example counts time in `long` slots). Columns: the
//! timeline (the bin start), the dimensions, `count_sessions`; rows in
//! order of dimensions, then bin.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use super::polars_error;
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// The most bins `session_count` makes per dimension combination.
const MAX_SESSION_BINS: i128 = 1_000_000;

/// One combination of dimensions: its values, and each id's times.
type Group = (Vec<Scalar>, HashMap<String, Vec<i64>>);

impl Runner<'_> {
    /// `session_count`; also returns the kept input columns (the
    /// timeline and the dimensions), for `*` in an output schema.
    pub(super) fn session_count(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        const PLUGIN: &str = "session_count";
        if args.len() < 6 {
            return Err(QueryError::type_error(
                "session_count() needs IdColumn, TimelineColumn, Start, End, Bin and LookBackWindow",
                span,
            ));
        }
        let timeline = self.read_timeline(PLUGIN, &args[1], &frame)?;
        let axis = timeline.axis;
        let start = self.timeline_point(PLUGIN, "Start", &args[2], axis)?;
        let end = self.timeline_point(PLUGIN, "End", &args[3], axis)?;
        let bin = self.timeline_length(PLUGIN, "Bin", &args[4], axis)?;
        let lookback = self.timeline_length(PLUGIN, "LookBackWindow", &args[5], axis)?;
        let bins = if end < start {
            0
        } else {
            let n = (i128::from(end) - i128::from(start)) / i128::from(bin) + 1;
            if n > MAX_SESSION_BINS {
                return Err(QueryError::type_error(
                    format!(
                        "session_count(): {n} bins from Start to End; Quarry makes at most {MAX_SESSION_BINS} (take a larger Bin)"
                    ),
                    args[4].span,
                ));
            }
            n as usize
        };
        let rows = frame.height();
        let ids = self.eval(&args[0], &frame)?.to_text(rows);
        let mut dims = Vec::new();
        for d in &args[6..] {
            let ExprKind::Name(name) = &d.kind else {
                return Err(QueryError::type_error(
                    "session_count(): a dimension must be a column name",
                    d.span,
                ));
            };
            dims.push((name.clone(), self.eval(d, &frame)?));
        }
        let mut groups: BTreeMap<Vec<String>, Group> = BTreeMap::new();
        if dims.is_empty() {
            // Every bin is a row, even with no rows at all.
            groups.insert(Vec::new(), (Vec::new(), HashMap::new()));
        }
        for (i, at) in timeline.at.iter().enumerate() {
            if i.is_multiple_of(1 << 16) {
                self.check_cancel()?;
            }
            let Some(t) = *at else { continue };
            if t < start || t > end {
                continue;
            }
            let values: Vec<Scalar> = dims.iter().map(|(_, v)| v.get(i)).collect();
            let key: Vec<String> = values.iter().map(|v| v.to_text().into_owned()).collect();
            groups
                .entry(key)
                .or_insert_with(|| (values, HashMap::new()))
                .1
                .entry(ids.get(i).unwrap_or("").to_string())
                .or_default()
                .push(t);
        }
        let mut out_time = Vec::new();
        let mut out_dims: Vec<Vec<Scalar>> = vec![Vec::new(); dims.len()];
        let mut counts = Vec::new();
        for (values, by_id) in groups.into_values() {
            self.check_cancel()?;
            let mut per_bin = vec![0i64; bins];
            for mut times in by_id.into_values() {
                times.sort_unstable();
                // The bin the current session was last counted in.
                let mut counted: Option<usize> = None;
                let mut previous: Option<i64> = None;
                for t in times {
                    if previous.is_some_and(|p| t - p > lookback) {
                        counted = None;
                    }
                    previous = Some(t);
                    let b = ((i128::from(t) - i128::from(start)) / i128::from(bin)) as usize;
                    if counted != Some(b) {
                        per_bin[b] += 1;
                        counted = Some(b);
                    }
                }
            }
            for (k, n) in per_bin.into_iter().enumerate() {
                out_time.push(start.saturating_add((k as i64).saturating_mul(bin)));
                for (column, v) in out_dims.iter_mut().zip(&values) {
                    column.push(v.clone());
                }
                counts.push(n);
            }
        }
        let height = counts.len();
        let mut columns = vec![axis.column(&timeline.name, out_time)];
        for ((name, v), values) in dims.iter().zip(out_dims) {
            columns.push(scalars_to_series(name, v.kind(), values).into_column());
        }
        columns.push(Column::new("count_sessions".into(), counts));
        let kept = std::iter::once(timeline.name.clone())
            .chain(dims.iter().map(|(n, _)| n.clone()))
            .collect();
        let out = DataFrame::new(height, columns).map_err(|e| polars_error(e, span))?;
        Ok((out, kept))
    }
}
