//! `top-nested`: hierarchical top-N ("the top 3 devices, and for each its
//! top 2 processes").
//!
//! Each clause splits every group kept by the clause above (a "path") by a
//! value, ranks the values by an aggregate and keeps the first N. The rows
//! that miss the top form the path's rest: it gets a row of its own when
//! this clause or a deeper one has `with others = v`, and is dropped
//! otherwise (documented: the rest of a level without `with others` shows
//! an empty value and aggregate, and a deeper `with others` its own value
//! and the aggregate over the whole rest).
//!
//! The output has two columns per clause, value then aggregate, outermost
//! clause first; rows are in the hierarchy's order, each rest after the
//! top values of its path.

use std::collections::HashMap;

use polars::prelude::*;

use super::{expr_name, gather, groups, polars_error, unique_name, val_column};
use crate::data::encode;
use crate::kql::ast::{Assignment, Expr, ExprKind, Ident, SortDir, Span, TopNestedLevel};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

/// The working column holding each row's group while aggregating.
const GROUP: &str = "__quarry_top_nested_group";
/// The working name of the aggregate.
const AGG: &str = "__quarry_top_nested_agg";
/// The rank of a rest: after every kept value of its path.
const REST_RANK: u32 = u32::MAX;
/// Rows between two looks at the cancel flag.
const BLOCK: usize = 1 << 16;

/// The paths of one clause.
struct Level {
    /// Each path's path in the clause above (0, the whole input, for the
    /// first clause).
    parent: Vec<u32>,
    /// Each path's value (the `others` value or null for a rest).
    value: Series,
    /// Each path's aggregate (null for a rest without `others`).
    aggregate: Series,
    /// Each path's place among its parent's paths.
    rank: Vec<u32>,
}

impl Runner<'_> {
    pub(super) fn op_top_nested(
        &self,
        clauses: &[TopNestedLevel],
        mut frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        // Each row's path in the clause above, and which paths are kept
        // values (not rests): the whole input is one kept path.
        let mut path: Vec<u32> = vec![0; frame.height()];
        let mut kept_path: Vec<bool> = vec![true];
        let mut levels: Vec<Level> = Vec::with_capacity(clauses.len());
        for (i, clause) in clauses.iter().enumerate() {
            self.cancel().check()?;
            // Whether the values that miss this clause's top are kept as a
            // rest: documented for a clause with `with others` and for the
            // clauses above one.
            let rests_shown = clauses[i..].iter().any(|c| c.others.is_some());
            let limit = match &clause.count {
                Some(c) => Some(self.top_nested_count(c, &frame)?),
                None => None,
            };
            let rows = frame.height();
            let value = val_column(self.eval_rows(&clause.of.expr, &frame)?, "value", rows)
                .take_materialized_series();
            let parents = Series::new("parent".into(), &path);
            let groups = match groups::group_ids(&[parents, value.clone()], self.cancel())? {
                Some(groups) => groups,
                None if rows == 0 => groups::Groups {
                    ids: Vec::new(),
                    first_rows: Vec::new(),
                },
                None => {
                    return Err(QueryError::type_error(
                        "top-nested cannot group by this value's type (dynamic); convert it with tostring()",
                        clause.of.expr.span,
                    ));
                }
            };

            // Rank the values of each kept path by their aggregate.
            let ranking =
                self.aggregate_by(&frame, groups.ids.clone(), groups.len(), &clause.by)?;
            let group_parent: Vec<u32> = groups
                .first_rows
                .iter()
                .map(|&r| path[r as usize])
                .collect();
            let candidates: Vec<u32> = (0..groups.len() as u32)
                .filter(|&g| kept_path[group_parent[g as usize] as usize])
                .collect();
            let order = rank_groups(&candidates, &group_parent, &ranking, clause.dir, span)?;

            // Number the new paths: the kept values first, then the rests.
            let mut new_of_group: Vec<Option<u32>> = vec![None; groups.len()];
            let mut parent = Vec::new();
            let mut rank = Vec::new();
            let mut value_rows: Vec<Option<IdxSize>> = Vec::new();
            let mut in_parent = 0u32;
            let mut previous: Option<u32> = None;
            for &g in &order {
                let p = group_parent[g as usize];
                if previous != Some(p) {
                    previous = Some(p);
                    in_parent = 0;
                }
                if limit.is_none_or(|n| (in_parent as usize) < n) {
                    new_of_group[g as usize] = Some(parent.len() as u32);
                    parent.push(p);
                    rank.push(in_parent);
                    value_rows.push(Some(groups.first_rows[g as usize]));
                }
                in_parent += 1;
            }
            let kept_values = parent.len();
            let mut rest_of: HashMap<u32, u32> = HashMap::new();
            let mut next_path: Vec<u32> = Vec::with_capacity(rows);
            let mut keep_rows: Vec<IdxSize> = Vec::new();
            for (row, (&g, &p)) in groups.ids.iter().zip(&path).enumerate() {
                if row % BLOCK == 0 {
                    self.cancel().check()?;
                }
                let to = match new_of_group[g as usize] {
                    Some(to) if kept_path[p as usize] => to,
                    // A rest stays a rest; a value newly out of the top
                    // starts one only if some clause will show it.
                    _ if rests_shown || !kept_path[p as usize] => {
                        *rest_of.entry(p).or_insert_with(|| {
                            parent.push(p);
                            rank.push(REST_RANK);
                            value_rows.push(None);
                            parent.len() as u32 - 1
                        })
                    }
                    _ => continue,
                };
                next_path.push(to);
                keep_rows.push(row as IdxSize);
            }
            let paths = parent.len();

            // A path's value: its first row's, or the `others` value.
            let value_rows: IdxCa = value_rows.into_iter().collect();
            let mut values = plain(
                value
                    .take(&value_rows)
                    .map_err(|e| polars_error(e, clause.of.expr.span))?,
            );
            if let Some(others) = &clause.others {
                values = with_others(
                    self.eval_scalar(others, &frame)?,
                    values,
                    kept_values,
                    others,
                )?;
            }

            if keep_rows.len() < rows {
                let idx = IdxCa::from_vec("".into(), keep_rows);
                frame = gather(&frame, &idx, self.cancel(), span)?;
            }
            let totals = self.aggregate_by(&frame, next_path.clone(), paths, &clause.by)?;
            let shown: IdxCa = (0..paths)
                .map(|p| (p < kept_values || clause.others.is_some()).then_some(p as IdxSize))
                .collect();
            let aggregate = totals
                .take(&shown)
                .map_err(|e| polars_error(e, clause.by.expr.span))?;

            kept_path = (0..paths).map(|p| p < kept_values).collect();
            path = next_path;
            levels.push(Level {
                parent,
                value: values,
                aggregate,
                rank,
            });
        }
        assemble(clauses, &levels, span)
    }

    /// `N` of a clause: a non-negative count.
    fn top_nested_count(&self, count: &Expr, frame: &DataFrame) -> Result<usize, QueryError> {
        match self.eval_scalar(count, frame)? {
            Scalar::Long(n) => Ok(n.max(0) as usize),
            Scalar::Int(n) => Ok(n.max(0) as usize),
            Scalar::Real(n) => Ok(n.max(0.0) as usize),
            other => Err(QueryError::type_error(
                format!("top-nested's count must be a number, not {}", other.kind()),
                count.span,
            )),
        }
    }

    /// The aggregation `by` over the rows of each of `groups` groups
    /// (`ids`: each row's group), one value per group in group order.
    fn aggregate_by(
        &self,
        frame: &DataFrame,
        ids: Vec<u32>,
        groups: usize,
        by: &Assignment,
    ) -> Result<Series, QueryError> {
        let mut work = frame.clone();
        work.with_column(Column::new(GROUP.into(), ids))
            .map_err(|e| polars_error(e, by.span))?;
        let aggregate = Assignment {
            names: vec![Ident {
                name: AGG.to_string(),
                span: by.span,
            }],
            expr: by.expr.clone(),
            span: by.span,
        };
        let key = Assignment {
            names: Vec::new(),
            expr: Expr {
                kind: ExprKind::Name(GROUP.to_string()),
                span: by.span,
            },
            span: by.span,
        };
        let out = self
            .op_summarize(&[aggregate], &[key], work, by.span)
            .map_err(|mut e| {
                if e.message.starts_with("summarize expects") {
                    e.message = "top-nested ranks by an aggregation such as count(), sum(x), \
                                 max(x) or an arithmetic of them"
                        .into();
                }
                e
            })?;
        let column = |name: &str| {
            out.column(name)
                .map(|c| c.as_materialized_series().clone())
                .map_err(|e| polars_error(e, by.span))
        };
        // The summary's rows follow its own grouping: place them by group.
        let ids = column(GROUP)?
            .cast(&DataType::UInt32)
            .map_err(|e| polars_error(e, by.span))?;
        let ids = ids.u32().map_err(|e| polars_error(e, by.span))?;
        let mut at: Vec<Option<IdxSize>> = vec![None; groups];
        for (row, g) in ids.iter().enumerate() {
            if let Some(slot) = g.and_then(|g| at.get_mut(g as usize)) {
                *slot = Some(row as IdxSize);
            }
        }
        let at: IdxCa = at.into_iter().collect();
        let aggregate = column(AGG)?
            .take(&at)
            .map_err(|e| polars_error(e, by.span))?;
        Ok(plain(aggregate))
    }
}

/// The kept paths' candidate groups in ranking order: by parent path, then
/// by aggregate (largest first unless `asc`), ties in order of appearance.
fn rank_groups(
    candidates: &[u32],
    group_parent: &[u32],
    ranking: &Series,
    dir: Option<SortDir>,
    span: Span,
) -> Result<Vec<u32>, QueryError> {
    let idx = IdxCa::from_vec("".into(), candidates.to_vec());
    let parents: Vec<u32> = candidates
        .iter()
        .map(|&g| group_parent[g as usize])
        .collect();
    let work = DataFrame::new(
        candidates.len(),
        vec![
            Column::new("parent".into(), parents),
            ranking
                .take(&idx)
                .map_err(|e| polars_error(e, span))?
                .with_name("aggregate".into())
                .into_column(),
            Column::new("group".into(), candidates.to_vec()),
        ],
    )
    .map_err(|e| polars_error(e, span))?;
    let desc = dir.unwrap_or(SortDir::Desc) == SortDir::Desc;
    let options = SortMultipleOptions::default()
        .with_order_descending_multi([false, desc])
        .with_nulls_last(true)
        .with_maintain_order(true);
    let sorted = work
        .sort(["parent", "aggregate"], options)
        .map_err(|e| polars_error(e, span))?;
    let groups = sorted
        .column("group")
        .and_then(|c| c.u32().cloned())
        .map_err(|e| polars_error(e, span))?;
    Ok(groups.into_no_null_iter().collect())
}

/// `values` with the rests' values (from `kept` on) set to `others`, in
/// the values' type.
fn with_others(
    others: Scalar,
    values: Series,
    kept: usize,
    expr: &Expr,
) -> Result<Series, QueryError> {
    let len = values.len();
    let constant = Val::Scalar(others).into_series("value", 1);
    let constant = constant.strict_cast(values.dtype()).map_err(|_| {
        QueryError::type_error(
            format!(
                "the 'with others' value must be of the type of the clause's values ({})",
                crate::data::types::KqlType::of(values.dtype())
                    .map_or_else(|| values.dtype().to_string(), |t| t.to_string())
            ),
            expr.span,
        )
    })?;
    let constant = constant.new_from_index(0, len);
    let is_kept: BooleanChunked = (0..len).map(|i| i < kept).collect();
    values
        .zip_with(&is_kept, &constant)
        .map_err(|e| polars_error(e, expr.span))
}

/// Encoded text as plain text: a level has few values, and the `others`
/// value is not in the column's dictionary.
fn plain(s: Series) -> Series {
    match encode::decode(&s) {
        Some(text) => text.into_series().with_name(s.name().clone()),
        None => s,
    }
}

/// The output: one row per path of the last clause, with the value and
/// aggregate of it and of each path above it.
fn assemble(
    clauses: &[TopNestedLevel],
    levels: &[Level],
    span: Span,
) -> Result<DataFrame, QueryError> {
    let Some(last) = levels.last() else {
        return Ok(DataFrame::empty());
    };
    let paths = last.parent.len();
    // chain[l][f]: the path at clause l above the last clause's path f.
    let mut chain: Vec<Vec<u32>> = vec![Vec::new(); levels.len()];
    let mut current: Vec<u32> = (0..paths as u32).collect();
    for (l, level) in levels.iter().enumerate().rev() {
        let up = current.iter().map(|&p| level.parent[p as usize]).collect();
        chain[l] = std::mem::replace(&mut current, up);
    }
    let mut order: Vec<u32> = (0..paths as u32).collect();
    order.sort_by_key(|&f| {
        levels
            .iter()
            .zip(&chain)
            .map(|(level, c)| level.rank[c[f as usize] as usize])
            .collect::<Vec<u32>>()
    });

    let mut names: Vec<String> = Vec::new();
    let mut columns: Vec<Column> = Vec::new();
    for (n, ((clause, level), c)) in clauses.iter().zip(levels).zip(&chain).enumerate() {
        let idx = IdxCa::from_vec(
            "".into(),
            order.iter().map(|&f| c[f as usize] as IdxSize).collect(),
        );
        let value_name = match clause.of.names.first() {
            Some(name) => name.name.clone(),
            None => expr_name(&clause.of.expr).unwrap_or_else(|| format!("Column{}", n + 1)),
        };
        let value_name = unique_name(&value_name, &names);
        names.push(value_name.clone());
        let aggregate_name = match clause.by.names.first() {
            Some(name) => name.name.clone(),
            None => format!("aggregated_{value_name}"),
        };
        let aggregate_name = unique_name(&aggregate_name, &names);
        names.push(aggregate_name.clone());
        for (series, name) in [
            (&level.value, value_name),
            (&level.aggregate, aggregate_name),
        ] {
            let column = series
                .take(&idx)
                .map_err(|e| polars_error(e, span))?
                .with_name(name.as_str().into());
            columns.push(column.into_column());
        }
    }
    let frame = DataFrame::new(paths, columns).map_err(|e| polars_error(e, span))?;
    super::fill_strings(frame, span)
}
