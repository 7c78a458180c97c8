//! `evaluate funnel_sequence_completion(IdColumn, TimelineColumn, Start,
//! End, BinSize, StateColumn, Sequence, MaxSequenceStepPeriods)`: how far
//! the ids got through a sequence of states, per time bin and per period
//! allowed for it.
//!
//! Each bin (Start + k * BinSize, rows between Start and End) is analysed
//! on its own. An id reaches step n of the sequence when, from one of its
//! rows in the first state, rows in the next states follow in time order
//! (not necessarily adjacent), each of them no later than the period after
//! that first row; the earliest such row is taken at each step. Per bin,
//! period (in the order given) and step (in sequence order), `dcount` is
//! the number of distinct ids that reached that step. Bins where no id
//! reached the first step are left out. Columns: the timeline (the bin
//! start), the state (named after the state column), `Period`, `dcount`.

use std::collections::{BTreeMap, HashMap, HashSet};

use polars::prelude::*;
use serde_json::Value as Json;

use super::activity::window_of;
use super::polars_error;
use super::timeline::Axis;
use crate::data::time::parse_timespan;
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// One row of an id: its time, its row number (for ties) and its state.
type Event<'a> = (i64, usize, &'a str);

impl Runner<'_> {
    /// `funnel_sequence_completion`; it keeps the timeline column.
    pub(super) fn funnel_sequence_completion(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        const PLUGIN: &str = "funnel_sequence_completion";
        let [id, time, start, end, bin, state, sequence, periods] = args else {
            return Err(QueryError::type_error(
                "funnel_sequence_completion() needs IdColumn, TimelineColumn, Start, End, BinSize, StateColumn, Sequence and MaxSequenceStepPeriods",
                span,
            ));
        };
        let timeline = self.read_timeline(PLUGIN, time, &frame)?;
        let axis = timeline.axis;
        let from = self.timeline_point(PLUGIN, "Start", start, axis)?;
        let to = self.timeline_point(PLUGIN, "End", end, axis)?;
        let bin = self.timeline_length(PLUGIN, "BinSize", bin, axis)?;
        let sequence = self.sequence_states(PLUGIN, sequence)?;
        let periods = self.periods(periods, axis)?;
        let rows = frame.height();
        let ids = self.eval(id, &frame)?.to_text(rows);
        let states = self.eval(state, &frame)?.to_text(rows);
        // Per bin, per id, its rows.
        let mut bins: BTreeMap<i64, HashMap<&str, Vec<Event>>> = BTreeMap::new();
        for (i, at) in timeline.at.iter().enumerate() {
            let Some(t) = *at else { continue };
            if t < from || t > to {
                continue;
            }
            bins.entry(window_of(from, t, bin))
                .or_default()
                .entry(ids.get(i).unwrap_or(""))
                .or_default()
                .push((t, i, states.get(i).unwrap_or("")));
        }
        let (mut out_bin, mut out_state, mut out_period, mut out_count) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for (window, by_id) in bins {
            // Per period, per step, the ids that reached it.
            let mut reached: Vec<Vec<HashSet<&str>>> =
                vec![vec![HashSet::new(); sequence.len()]; periods.len()];
            for (n, (id, mut events)) in by_id.into_iter().enumerate() {
                if n.is_multiple_of(1024) {
                    self.check_cancel()?;
                }
                events.sort_by_key(|&(t, i, _)| (t, i));
                for (p, &period) in periods.iter().enumerate() {
                    let steps = furthest_step(&events, &sequence, period);
                    for set in reached[p].iter_mut().take(steps) {
                        set.insert(id);
                    }
                }
            }
            if reached.iter().all(|steps| steps[0].is_empty()) {
                continue;
            }
            for (p, steps) in reached.into_iter().enumerate() {
                for (s, ids) in steps.into_iter().enumerate() {
                    out_bin.push(window);
                    out_state.push(sequence[s].clone());
                    out_period.push(periods[p]);
                    out_count.push(ids.len() as i64);
                }
            }
        }
        let state_name = match &state.kind {
            ExprKind::Name(n) => n.clone(),
            _ => "State".to_string(),
        };
        let period_axis = match axis {
            Axis::Number => Axis::Number,
            _ => Axis::Timespan,
        };
        let height = out_count.len();
        let columns = vec![
            axis.column(&timeline.name, out_bin),
            Column::new(state_name.as_str().into(), out_state),
            period_axis.column("Period", out_period),
            Column::new("dcount".into(), out_count),
        ];
        let out = DataFrame::new(height, columns).map_err(|e| polars_error(e, span))?;
        Ok((out, vec![timeline.name]))
    }

    /// `MaxSequenceStepPeriods`: a non-empty array of positive lengths on
    /// the timeline's axis (timespans, or numbers for a numeric timeline).
    fn periods(&self, e: &Expr, axis: Axis) -> Result<Vec<i64>, QueryError> {
        let bad = |v: &str| {
            QueryError::type_error(
                format!(
                    "funnel_sequence_completion(): MaxSequenceStepPeriods must be a non-empty array of positive {}, such as dynamic([1h, 1d]), not {v}",
                    if axis == Axis::Number {
                        "numbers"
                    } else {
                        "timespans"
                    }
                ),
                e.span,
            )
        };
        let v = self.eval_scalar(e, &DataFrame::empty())?;
        let Scalar::Dynamic(Json::Array(items)) = &v else {
            return Err(bad(&v.to_text()));
        };
        if items.is_empty() {
            return Err(bad("[]"));
        }
        items
            .iter()
            .map(|item| {
                let length = match (axis, item) {
                    (Axis::Number, Json::Number(n)) => n.as_i64(),
                    (Axis::Datetime | Axis::Timespan, Json::String(s)) => parse_timespan(s),
                    _ => None,
                };
                length
                    .filter(|n| *n > 0)
                    .ok_or_else(|| bad(&item.to_string()))
            })
            .collect()
    }
}

/// How many steps of `sequence` an id's `events` (time order) reach
/// within `period` of a first step.
fn furthest_step(events: &[Event], sequence: &[String], period: i64) -> usize {
    let mut best = 0;
    for (first, &(t0, _, s0)) in events.iter().enumerate() {
        if s0 != sequence[0] {
            continue;
        }
        let mut steps = 1;
        let mut at = first;
        for want in &sequence[1..] {
            let next = events[at + 1..]
                .iter()
                .position(|&(t, _, s)| s == want && t - t0 <= period);
            match next {
                Some(k) => {
                    at += 1 + k;
                    steps += 1;
                }
                None => break,
            }
        }
        best = best.max(steps);
        if best == sequence.len() {
            break;
        }
    }
    best
}
