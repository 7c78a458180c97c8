//! `evaluate sequence_detect(TimelineColumn, MaxSequenceStepWindow,
//! MaxSequenceSpan, Expr1, Expr2, ... [, Dim1, Dim2, ...])`: every
//! occurrence of a sequence of conditions, one row each.
//!
//! The arguments after MaxSequenceSpan that are conditions (bool) are the
//! steps, named by `name = (condition)`; the rest are the dimensions that
//! correlate the rows of one sequence. Within each combination of the
//! dimensions, rows are taken in time order: an occurrence is a row
//! meeting each condition in turn, each later in that order than the one
//! before and at most MaxSequenceStepWindow after it, the last at most
//! MaxSequenceSpan after the first. Every such combination of rows is an
//! occurrence (one heat wave followed by two fires is two rows), as the
//! page's example lists them. Columns: the dimensions, then the time of
//! each step (`<step>_<TimelineColumn>`), then `Duration` (last step's time
//! minus the first's); rows in order of the steps' times.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::timeline::Axis;
use super::{expr_name, polars_error};
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::limits::{Growth, Unit};
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

/// Occurrences found between two looks at the budget.
const ADMIT_EVERY: usize = 1 << 16;

/// What the search for occurrences reads.
struct Steps<'a> {
    /// Each step's condition, per input row.
    met: &'a [Vec<bool>],
    /// One dimension group's rows in time order: (time, row).
    rows: &'a [(i64, usize)],
    step_window: i64,
    span: i64,
}

impl Runner<'_> {
    /// `sequence_detect`; it keeps the dimension columns.
    pub(super) fn sequence_detect(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        const PLUGIN: &str = "sequence_detect";
        if args.len() < 4 {
            return Err(QueryError::type_error(
                "sequence_detect() needs TimelineColumn, MaxSequenceStepWindow, MaxSequenceSpan and at least one condition",
                span,
            ));
        }
        let timeline = self.read_timeline(PLUGIN, &args[0], &frame)?;
        let axis = timeline.axis;
        let step_window = self.timeline_length(PLUGIN, "MaxSequenceStepWindow", &args[1], axis)?;
        let max_span = self.timeline_length(PLUGIN, "MaxSequenceSpan", &args[2], axis)?;
        let rows = frame.height();
        // The conditions, then the dimensions.
        let mut conditions: Vec<(String, Vec<bool>)> = Vec::new();
        let mut dims: Vec<(String, Val)> = Vec::new();
        for (i, a) in args[3..].iter().enumerate() {
            let (name, value) = match &a.kind {
                ExprKind::NamedArg { name, value } => (Some(name.name.clone()), &**value),
                _ => (expr_name(a), a),
            };
            let v = self.eval(value, &frame)?;
            if dims.is_empty() && v.kind() == KqlType::Bool {
                let met = (0..rows)
                    .map(|r| matches!(v.get(r), Scalar::Bool(true)))
                    .collect();
                conditions.push((name.unwrap_or_else(|| format!("Expr{}", i + 1)), met));
            } else {
                let Some(name) = name else {
                    return Err(QueryError::type_error(
                        "sequence_detect(): a dimension must be a column or have a name",
                        a.span,
                    ));
                };
                dims.push((name, v));
            }
        }
        if conditions.is_empty() {
            return Err(QueryError::type_error(
                "sequence_detect(): the fourth argument must be a condition, such as heat = (EventType == 'Excessive Heat')",
                args[3].span,
            ));
        }
        let mut groups: BTreeMap<Vec<String>, Vec<(i64, usize)>> = BTreeMap::new();
        for (r, at) in timeline.at.iter().enumerate() {
            let Some(t) = *at else { continue };
            let key = dims
                .iter()
                .map(|(_, v)| v.get(r).to_text().into_owned())
                .collect();
            groups.entry(key).or_default().push((t, r));
        }
        let met: Vec<Vec<bool>> = conditions.iter().map(|(_, m)| m.clone()).collect();
        let mut found: Vec<Vec<usize>> = Vec::new();
        for events in groups.values_mut() {
            self.check_cancel()?;
            events.sort_unstable();
            let steps = Steps {
                met: &met,
                rows: events,
                step_window,
                span: max_span,
            };
            let mut chain = Vec::with_capacity(met.len());
            for (first, &(_, row)) in events.iter().enumerate() {
                if steps.met[0][row] {
                    chain.push(first);
                    self.extend_chain(&steps, &mut chain, &mut found, span)?;
                    chain.pop();
                }
            }
        }
        // Each occurrence is a list of input rows, one per step.
        found.sort_by_key(|chain| chain.iter().map(|&r| timeline.at[r]).collect::<Vec<_>>());
        let height = found.len();
        let mut columns = Vec::new();
        for (name, v) in &dims {
            let values = found.iter().map(|c| v.get(c[0])).collect();
            columns.push(scalars_to_series(name, v.kind(), values).into_column());
        }
        let time_of = |r: usize| timeline.at[r].unwrap_or_default();
        for (s, (name, _)) in conditions.iter().enumerate() {
            let column = format!("{name}_{}", timeline.name);
            columns.push(axis.column(&column, found.iter().map(|c| time_of(c[s]))));
        }
        let durations = found
            .iter()
            .map(|c| time_of(c[c.len() - 1]) - time_of(c[0]));
        let duration_axis = match axis {
            Axis::Number => Axis::Number,
            _ => Axis::Timespan,
        };
        columns.push(duration_axis.column("Duration", durations));
        let kept = dims.iter().map(|(n, _)| n.clone()).collect();
        let out = DataFrame::new(height, columns).map_err(|e| polars_error(e, span))?;
        Ok((out, kept))
    }

    /// Extends `chain` (positions in `steps.rows`) by the next step in
    /// every way it can, adding each complete chain (as input rows) to
    /// `found`.
    fn extend_chain(
        &self,
        steps: &Steps,
        chain: &mut Vec<usize>,
        found: &mut Vec<Vec<usize>>,
        span: Span,
    ) -> Result<(), QueryError> {
        let step = chain.len();
        if step == steps.met.len() {
            found.push(chain.iter().map(|&p| steps.rows[p].1).collect());
            if found.len().is_multiple_of(ADMIT_EVERY) {
                self.check_cancel()?;
                self.admit(&Growth {
                    operator: "sequence_detect",
                    count: found.len() as u64,
                    unit: Unit::Rows,
                    item_bytes: (steps.met.len() * 16) as u64,
                    advice: "narrow the conditions, or shorten MaxSequenceStepWindow and MaxSequenceSpan",
                    span,
                })?;
            }
            return Ok(());
        }
        let (Some(&last), Some(&first)) = (chain.last(), chain.first()) else {
            return Ok(());
        };
        let (t_last, t_first) = (steps.rows[last].0, steps.rows[first].0);
        for next in last + 1..steps.rows.len() {
            let (t, row) = steps.rows[next];
            if t - t_last > steps.step_window || t - t_first > steps.span {
                break;
            }
            if steps.met[step][row] {
                chain.push(next);
                self.extend_chain(steps, chain, found, span)?;
                chain.pop();
            }
        }
        Ok(())
    }
}
