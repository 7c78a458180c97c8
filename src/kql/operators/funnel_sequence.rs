//! `evaluate funnel_sequence(IdColumn, TimelineColumn, Start, End,
//! MaxSequenceStepWindow, Step, StateColumn, Sequence)`: where the ids
//! that went through a sequence of states came from and went next, as
//! three tables for a sankey diagram.
//!
//! Each id's rows between Start and End are taken in time order (rows at
//! the same time in input order). The sequence occurs where consecutive
//! rows hold its states in turn, each no more than MaxSequenceStepWindow
//! after the one before. Its `prev` is the state of the row just before
//! the first step and its `next` that of the row just after the last,
//! when that row is within MaxSequenceStepWindow of it (else empty). An
//! occurrence belongs to the Step window (Start + k * Step) of its first
//! step. The tables count distinct ids per window and `prev`/`next`
//! (`dcount`), with up to 128 of them (`samples`, in order of first
//! occurrence); rows are ordered by window, then largest `dcount` first,
//! then `prev` and `next`.

use std::collections::{BTreeMap, HashMap, HashSet};

use polars::prelude::*;
use serde_json::Value as Json;

use super::activity::window_of;
use super::polars_error;
use super::timeline::Axis;
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::{NamedResult, Runner};
use crate::kql::value::{Scalar, json_to_text};

/// The most ids listed in a row's `samples`.
const MAX_SAMPLES: usize = 128;

/// Distinct ids, in order of first appearance, as JSON values.
#[derive(Default)]
struct Ids {
    seen: HashSet<String>,
    samples: Vec<Json>,
}

impl Ids {
    fn add(&mut self, key: &str, id: &Scalar) {
        if self.seen.insert(key.to_string()) && self.samples.len() < MAX_SAMPLES {
            self.samples.push(id.to_json());
        }
    }
}

/// Per window, per key (`[prev, next]`, `[prev]` or `[next]`), the ids.
type Counts = BTreeMap<i64, HashMap<Vec<String>, Ids>>;

impl Runner<'_> {
    /// `funnel_sequence`: the prev-sequence-next, prev-sequence and
    /// sequence-next tables.
    pub(super) fn funnel_sequence(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<Vec<NamedResult>, QueryError> {
        const PLUGIN: &str = "funnel_sequence";
        let [id, time, start, end, max_step, step, state, sequence] = args else {
            return Err(QueryError::type_error(
                "funnel_sequence() needs IdColumn, TimelineColumn, Start, End, MaxSequenceStepWindow, Step, StateColumn and Sequence",
                span,
            ));
        };
        let timeline = self.read_timeline(PLUGIN, time, &frame)?;
        let axis = timeline.axis;
        let from = self.timeline_point(PLUGIN, "Start", start, axis)?;
        let to = self.timeline_point(PLUGIN, "End", end, axis)?;
        let max_step = self.timeline_length(PLUGIN, "MaxSequenceStepWindow", max_step, axis)?;
        let step = self.timeline_length(PLUGIN, "Step", step, axis)?;
        let sequence = self.sequence_states(PLUGIN, sequence)?;
        let rows = frame.height();
        let ids = self.eval(id, &frame)?;
        let id_text = ids.to_text(rows);
        let states = self.eval(state, &frame)?.to_text(rows);
        // Each id's rows in time order.
        let mut by_id: HashMap<&str, Vec<(i64, usize)>> = HashMap::new();
        let mut order: Vec<&str> = Vec::new();
        for (i, at) in timeline.at.iter().enumerate() {
            let Some(t) = *at else { continue };
            if t < from || t > to {
                continue;
            }
            let key = id_text.get(i).unwrap_or("");
            by_id
                .entry(key)
                .or_insert_with(|| {
                    order.push(key);
                    Vec::new()
                })
                .push((t, i));
        }
        let (mut both, mut prevs, mut nexts) = (Counts::new(), Counts::new(), Counts::new());
        for (n, key) in order.iter().enumerate() {
            if n.is_multiple_of(4096) {
                self.check_cancel()?;
            }
            let mut events = by_id.remove(key).unwrap_or_default();
            events.sort_by_key(|&(t, i)| (t, i));
            let held: Vec<&str> = events
                .iter()
                .map(|&(_, i)| states.get(i).unwrap_or(""))
                .collect();
            for (first, last) in occurrences(&events, &held, &sequence, max_step) {
                let window = window_of(from, events[first].0, step);
                let prev = if first > 0 && events[first].0 - events[first - 1].0 <= max_step {
                    held[first - 1].to_string()
                } else {
                    String::new()
                };
                let next = match events.get(last + 1) {
                    Some(e) if e.0 - events[last].0 <= max_step => held[last + 1].to_string(),
                    _ => String::new(),
                };
                let id = ids.get(events[first].1);
                for (counts, k) in [
                    (&mut both, vec![prev.clone(), next.clone()]),
                    (&mut prevs, vec![prev.clone()]),
                    (&mut nexts, vec![next.clone()]),
                ] {
                    counts
                        .entry(window)
                        .or_default()
                        .entry(k)
                        .or_default()
                        .add(key, &id);
                }
            }
        }
        let name = &timeline.name;
        Ok(vec![
            NamedResult {
                name: Some("prev-sequence-next".into()),
                frame: funnel_table(name, axis, &["prev", "next"], both, span)?,
            },
            NamedResult {
                name: Some("prev-sequence".into()),
                frame: funnel_table(name, axis, &["prev"], prevs, span)?,
            },
            NamedResult {
                name: Some("sequence-next".into()),
                frame: funnel_table(name, axis, &["next"], nexts, span)?,
            },
        ])
    }

    /// The `Sequence` argument: a non-empty array of states, as text.
    pub(super) fn sequence_states(
        &self,
        plugin: &str,
        e: &Expr,
    ) -> Result<Vec<String>, QueryError> {
        match self.eval_scalar(e, &DataFrame::empty())? {
            Scalar::Dynamic(Json::Array(items)) if !items.is_empty() => {
                Ok(items.iter().map(json_to_text).collect())
            }
            other => Err(QueryError::type_error(
                format!(
                    "{plugin}(): Sequence must be a non-empty array of states, such as dynamic(['Hail', 'Tornado']), not {}",
                    other.to_text()
                ),
                e.span,
            )),
        }
    }
}

/// Where `sequence` occurs in `events` (time order, their states `held`):
/// the first and last event of each occurrence.
pub(super) fn occurrences(
    events: &[(i64, usize)],
    held: &[&str],
    sequence: &[String],
    max_step: i64,
) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    if events.len() < sequence.len() {
        return out;
    }
    for first in 0..=events.len() - sequence.len() {
        let whole = sequence.iter().enumerate().all(|(s, want)| {
            let k = first + s;
            held[k] == want && (s == 0 || events[k].0 - events[k - 1].0 <= max_step)
        });
        if whole {
            out.push((first, first + sequence.len() - 1));
        }
    }
    out
}

/// One of the three tables: window, the key columns, `dcount`, `samples`.
fn funnel_table(
    timeline: &str,
    axis: Axis,
    keys: &[&str],
    counts: Counts,
    span: Span,
) -> Result<DataFrame, QueryError> {
    let mut windows = Vec::new();
    let mut key_values: Vec<Vec<String>> = vec![Vec::new(); keys.len()];
    let (mut dcounts, mut samples) = (Vec::new(), Vec::new());
    for (window, groups) in counts {
        let mut groups: Vec<(Vec<String>, Ids)> = groups.into_iter().collect();
        groups.sort_by(|(a, x), (b, y)| y.seen.len().cmp(&x.seen.len()).then_with(|| a.cmp(b)));
        for (key, ids) in groups {
            windows.push(window);
            for (column, v) in key_values.iter_mut().zip(key) {
                column.push(v);
            }
            dcounts.push(ids.seen.len() as i64);
            samples.push(Scalar::Dynamic(Json::Array(ids.samples)));
        }
    }
    let height = dcounts.len();
    let mut columns = vec![axis.column(timeline, windows)];
    for (name, values) in keys.iter().zip(key_values) {
        columns.push(Column::new((*name).into(), values));
    }
    columns.push(Column::new("dcount".into(), dcounts));
    columns.push(
        scalars_to_series("samples", crate::data::types::KqlType::Dynamic, samples).into_column(),
    );
    DataFrame::new(height, columns).map_err(|e| polars_error(e, span))
}
