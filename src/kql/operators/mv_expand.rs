//! `mv-expand`: one row per element of a dynamic array (or per property of
//! a bag), the other columns repeated.

use polars::prelude::*;
use serde_json::Value as Json;

use super::slices::Slices;
use super::{expr_name, gather, polars_error};
use crate::data::types::KqlType;
use crate::kql::ast::{Assignment, Expr, OpOption, Span};
use crate::kql::error::QueryError;
use crate::kql::expr::json_scalar;
use crate::kql::functions::scalars_to_series;
use crate::kql::limits::{Aside, Growth, Unit, row_bytes};
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

impl Runner<'_> {
    pub(super) fn op_mv_expand(
        &self,
        columns: &[Assignment],
        limit: Option<&Expr>,
        options: &[OpOption],
        to_types: &[Option<String>],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let option = |n: &str| {
            options
                .iter()
                .find(|o| o.name.name.eq_ignore_ascii_case(n))
                .map(|o| o.value.name.clone())
        };
        // Documented spellings: `kind=array` or `bagexpansion=array`.
        let bag_as_array = option("bagexpansion")
            .or_else(|| option("kind"))
            .is_some_and(|v| v.eq_ignore_ascii_case("array"));
        let item_index = option("with_itemindex");
        let rows = frame.height();
        let span = columns.first().map_or_else(Default::default, |c| c.span);
        let limit = match limit {
            Some(e) => match self.eval_scalar(e, &frame)? {
                Scalar::Long(n) => Some(n.max(0) as usize),
                Scalar::Int(n) => Some(n.max(0) as usize),
                _ => None,
            },
            None => None,
        };
        let how = Elements {
            bag_as_array,
            null_row: true,
        };
        let expanded = self.expand_columns(columns, to_types, limit, how, &frame)?;
        let counts = expansion_counts(&expanded, rows);
        self.admit_expansion("mv-expand", &counts, &frame, expanded.len(), span)?;
        let (index, position) = expansion_rows(&counts);
        let idx = IdxCa::from_vec("".into(), index.clone());
        let mut out = gather(&frame, &idx, self.cancel(), span)?;
        drop(frame);
        for Expanded { name, to, lists } in expanded {
            let s = match self.expanded_column(&name, to, &lists, &index, &position) {
                Ok(s) => s,
                Err(e) => {
                    // Millions of gathered rows: freed on another thread,
                    // not while a cancel waits (see `Aside`).
                    drop(Aside::new(out));
                    return Err(e);
                }
            };
            out.with_column(s.into_column())
                .map_err(|e| polars_error(e, span))?;
        }
        if let Some(name) = item_index {
            let positions: Vec<i64> = position.iter().map(|&k| k as i64).collect();
            out.with_column(Column::new(name.as_str().into(), positions))
                .map_err(|e| polars_error(e, span))?;
        }
        Ok(out)
    }
}

impl Runner<'_> {
    /// One expanded column: output row `r` holds element `position[r]` of
    /// input row `index[r]`'s list (null past its end). Built a slice at a
    /// time, so Ctrl+C is seen and no second copy of every element as
    /// scalars is ever held.
    fn expanded_column(
        &self,
        name: &str,
        to: Option<KqlType>,
        lists: &[Vec<Json>],
        index: &[IdxSize],
        position: &[usize],
    ) -> Result<Series, QueryError> {
        let kind = to.unwrap_or(KqlType::Dynamic);
        let cancel = self.cancel();
        let mut out: Option<Series> = None;
        for (start, len) in Slices::new(index.len()) {
            cancel.check()?;
            let rows = &index[start..start + len];
            let at = &position[start..start + len];
            let values: Vec<Scalar> = rows
                .iter()
                .zip(at)
                .map(|(&i, &k)| match lists[i as usize].get(k) {
                    Some(j) => match to {
                        Some(KqlType::Dynamic) | None => Scalar::Dynamic(j.clone()),
                        Some(KqlType::Datetime) => match json_scalar(j) {
                            Scalar::String(s) => crate::data::time::parse_datetime(&s)
                                .map_or(Scalar::Null(KqlType::Datetime), Scalar::Datetime),
                            o => o,
                        },
                        Some(_) => json_scalar(j),
                    },
                    None => Scalar::Null(kind),
                })
                .collect();
            let part = scalars_to_series(name, kind, values);
            match &mut out {
                None => out = Some(part),
                Some(o) => {
                    o.append(&part)
                        .map_err(|e| QueryError::runtime(e.to_string(), None))?;
                }
            }
        }
        // One chunk, as the operators after it expect of a fresh column;
        // joining ten million values cannot look at the flag, so it is
        // waited for.
        match out {
            None => Ok(scalars_to_series(name, kind, Vec::new())),
            Some(o) if o.n_chunks() > 1 && index.len() > 1 << 16 => {
                cancel.wait_for(move || o.rechunk())
            }
            Some(o) => Ok(o.rechunk()),
        }
    }
}

/// Memory of one expanded element in its output column.
const EXPANDED_BYTES: u64 = 32;

/// One column being expanded: its name, its `to typeof(t)` type, and per
/// input row its elements.
pub(super) struct Expanded {
    pub(super) name: String,
    pub(super) to: Option<KqlType>,
    /// Freed aside: millions of small vectors (see [`Aside`]).
    pub(super) lists: Aside<Vec<Vec<Json>>>,
}

/// How values become elements.
#[derive(Clone, Copy)]
pub(super) struct Elements {
    /// A bag's properties as `[key, value]` arrays (`bagexpansion=array`),
    /// not one-property bags.
    pub(super) bag_as_array: bool,
    /// A null gives one (null) element, as `mv-expand` documents, rather
    /// than none.
    pub(super) null_row: bool,
}

impl Elements {
    /// The elements of one value: an array's items, a bag's properties,
    /// JSON-array text parsed, anything else itself.
    pub(super) fn of(self, v: Scalar) -> Vec<Json> {
        match v {
            Scalar::Dynamic(Json::Array(items)) => items,
            Scalar::Dynamic(Json::Object(m)) => m
                .into_iter()
                .map(|(k, v)| {
                    if self.bag_as_array {
                        return Json::Array(vec![Json::String(k), v]);
                    }
                    let mut one = serde_json::Map::new();
                    one.insert(k, v);
                    Json::Object(one)
                })
                .collect(),
            Scalar::Dynamic(Json::Null) | Scalar::Null(_) if self.null_row => vec![Json::Null],
            Scalar::Dynamic(Json::Null) | Scalar::Null(_) => vec![],
            Scalar::Dynamic(other) => vec![other],
            Scalar::String(s) => match serde_json::from_str::<Json>(&s) {
                Ok(Json::Array(items)) => items,
                _ => vec![Json::String(s)],
            },
            other => vec![other.to_json()],
        }
    }
}

impl Runner<'_> {
    /// Refuses an expansion into `counts` rows per input row that would
    /// not fit in the memory budget, before the rows are built.
    pub(super) fn admit_expansion(
        &self,
        operator: &str,
        counts: &[usize],
        frame: &DataFrame,
        columns: usize,
        span: Span,
    ) -> Result<(), QueryError> {
        self.admit(&Growth {
            operator,
            count: counts.iter().map(|&n| n as u64).sum(),
            unit: Unit::Rows,
            item_bytes: row_bytes(frame) + EXPANDED_BYTES * columns as u64,
            advice: "filter first, or cap the elements per row with `limit`",
            span,
        })
    }

    /// Evaluates the columns of `mv-expand` or `mv-apply` into their
    /// elements, at most `limit` per row.
    pub(super) fn expand_columns(
        &self,
        columns: &[Assignment],
        to_types: &[Option<String>],
        limit: Option<usize>,
        how: Elements,
        frame: &DataFrame,
    ) -> Result<Vec<Expanded>, QueryError> {
        let mut expanded = Vec::with_capacity(columns.len());
        for (ci, a) in columns.iter().enumerate() {
            let to = match to_types.get(ci) {
                Some(Some(t)) => Some(
                    KqlType::parse(t)
                        .ok_or_else(|| QueryError::syntax(format!("unknown type '{t}'"), a.span))?,
                ),
                _ => None,
            };
            let name = match a.names.first() {
                Some(n) => n.name.clone(),
                None => expr_name(&a.expr).unwrap_or_else(|| format!("Column{}", ci + 1)),
            };
            let v = self.eval_rows(&a.expr, frame)?;
            let cancel = self.cancel();
            // Each row's elements are built one by one (microseconds a
            // row): the flag is read between slices sized by time.
            let mut lists = Aside::new(Vec::with_capacity(frame.height()));
            for (at, len) in Slices::new(frame.height()) {
                cancel.check()?;
                lists.extend((at..at + len).map(|i| {
                    let elems = how.of(v.get(i));
                    match limit {
                        Some(n) => elems.into_iter().take(n).collect(),
                        None => elems,
                    }
                }));
            }
            expanded.push(Expanded { name, to, lists });
        }
        Ok(expanded)
    }
}

/// Per input row, how many output rows it gives: its longest list's length
/// (a row whose lists are all empty gives none).
pub(super) fn expansion_counts(expanded: &[Expanded], rows: usize) -> Vec<usize> {
    (0..rows)
        .map(|i| expanded.iter().map(|e| e.lists[i].len()).max().unwrap_or(0))
        .collect()
}

/// The output rows of an expansion: each input row repeated `counts` times,
/// with the position within its lists.
pub(super) fn expansion_rows(counts: &[usize]) -> (Vec<IdxSize>, Vec<usize>) {
    let mut index: Vec<IdxSize> = Vec::new();
    let mut position: Vec<usize> = Vec::new();
    for (i, &n) in counts.iter().enumerate() {
        for k in 0..n {
            index.push(i as IdxSize);
            position.push(k);
        }
    }
    (index, position)
}
