//! `sort`/`order by`, `top`, `take`/`limit`, `sample`.

use polars::prelude::*;

use super::order::{OrderKey, row_order};
use super::{gather, polars_error, val_column};
use crate::data::encode;
use crate::kql::ast::{Expr, NullsPos, SortDir, SortKey};
use crate::kql::error::QueryError;
use crate::kql::limits::Cancel;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// The hidden column of row numbers that a sort carries.
const ROW: &str = "__quarry_sortrow";

/// An encoded text column as each row's rank among the column's distinct
/// values: sorting millions of small numbers instead of comparing text.
/// Other columns are returned as they are.
fn text_rank(column: Column, cancel: Cancel) -> Result<Column, QueryError> {
    let Some((codes, mapping)) = encode::codes(column.as_materialized_series()) else {
        return Ok(column);
    };
    let n = mapping.num_cats_upper_bound();
    let mut by_text: Vec<u32> = (0..n as u32).collect();
    by_text.sort_unstable_by(|&a, &b| {
        mapping
            .cat_to_str(a)
            .unwrap_or_default()
            .cmp(mapping.cat_to_str(b).unwrap_or_default())
    });
    let mut rank = vec![0u32; n];
    for (r, &code) in by_text.iter().enumerate() {
        rank[code as usize] = r as u32;
    }
    cancel.check()?;
    let rank_of = |c: u32| rank.get(c as usize).copied().unwrap_or(0);
    let ranks = if codes.null_count() == 0 {
        let mut ranks: Vec<u32> = Vec::with_capacity(codes.len());
        for (i, c) in codes.into_no_null_iter().enumerate() {
            if i.is_multiple_of(1 << 16) {
                cancel.check()?;
            }
            ranks.push(rank_of(c));
        }
        UInt32Chunked::from_vec(column.name().clone(), ranks)
    } else {
        let mut ranks = Vec::with_capacity(codes.len());
        for (i, c) in codes.iter().enumerate() {
            if i.is_multiple_of(1 << 16) {
                cancel.check()?;
            }
            ranks.push(c.map(rank_of));
        }
        UInt32Chunked::from_iter_options(column.name().clone(), ranks.into_iter())
    };
    Ok(ranks.into_column())
}

impl Runner<'_> {
    /// `sort by a [asc|desc] [nulls first|last], ...`: descending by
    /// default; nulls last when descending and first when ascending.
    pub(super) fn op_sort(
        &self,
        keys: &[SortKey],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        self.sorted(keys, frame, None)
    }

    /// `top n by expr [asc|desc]`
    pub(crate) fn op_top(
        &self,
        count: &Expr,
        keys: &[SortKey],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let n = self.count_arg(count, &frame)?;
        self.sorted(keys, frame, Some(n))
    }

    /// The rows of `frame` in the order of `keys`, the first `limit` only.
    /// Only the keys are sorted (with the row numbers); the rows wanted are
    /// then gathered once, so `top 10` on millions of rows moves 10 rows.
    fn sorted(
        &self,
        keys: &[SortKey],
        frame: DataFrame,
        limit: Option<usize>,
    ) -> Result<DataFrame, QueryError> {
        let span = keys.first().map_or_else(Default::default, |k| k.expr.span);
        let order = self.sort_order(keys, &frame, limit)?;
        gather(&frame, &order, self.cancel(), span)
    }

    /// The row numbers of `frame` in the order of `keys`, the first
    /// `limit` only: what `sort` and `top` gather.
    pub(crate) fn sort_order(
        &self,
        keys: &[SortKey],
        frame: &DataFrame,
        limit: Option<usize>,
    ) -> Result<IdxCa, QueryError> {
        let rows = frame.height();
        let span = keys.first().map_or_else(Default::default, |k| k.expr.span);
        let mut work: Vec<Column> = Vec::new();
        let mut names = Vec::new();
        let mut descending = Vec::new();
        let mut nulls_last = Vec::new();
        for (i, k) in keys.iter().enumerate() {
            let v = self.eval_rows(&k.expr, frame)?;
            let name = format!("__quarry_sort{i}");
            let desc = k.dir.unwrap_or(SortDir::Desc) == SortDir::Desc;
            let last = match k.nulls {
                Some(NullsPos::First) => false,
                Some(NullsPos::Last) => true,
                None => desc,
            };
            let column = val_column(v, &name, rows);
            if let Ok(reals) = column.f64() {
                // Documented: NaN goes with null, next to it (`null, NaN,
                // -inf, ..., +inf` or `-inf, ..., +inf, NaN, null`). A class
                // key orders null, NaN and numbers; the numbers follow.
                let class: Vec<u8> = reals
                    .iter()
                    .map(|x| {
                        let kind = match x {
                            Some(v) if !v.is_nan() => 0u8,
                            Some(_) => 1,
                            None => 2,
                        };
                        if last { kind } else { 2 - kind }
                    })
                    .collect();
                let class_name = format!("__quarry_sortclass{i}");
                work.push(Column::new(class_name.as_str().into(), class));
                names.push(class_name);
                descending.push(false);
                nulls_last.push(false);
                let numbers: Float64Chunked =
                    reals.iter().map(|x| x.filter(|x| !x.is_nan())).collect();
                work.push(
                    numbers
                        .into_series()
                        .with_name(name.as_str().into())
                        .into_column(),
                );
            } else if limit.is_some_and(|n| super::order::selects_few(n, rows)) {
                // `top n` compares encoded text by its values where it
                // lies; ranking a dictionary every table shares costs more.
                work.push(column);
            } else {
                work.push(text_rank(column, self.cancel())?);
            }
            names.push(name);
            descending.push(desc);
            nulls_last.push(last);
        }
        let ordered = {
            let order_keys: Vec<OrderKey> = work
                .iter()
                .zip(descending.iter().zip(&nulls_last))
                .map(|(column, (&descending, &nulls_last))| OrderKey {
                    column,
                    descending,
                    nulls_last,
                })
                .collect();
            row_order(&order_keys, limit, self.cancel())?
        };
        Ok(match ordered {
            Some(order) => IdxCa::from_vec("".into(), order),
            None => {
                // A key type without a number order (lists): Polars sorts,
                // without looking at the cancel flag.
                let row: Vec<IdxSize> = (0..rows as IdxSize).collect();
                work.push(Column::new(ROW.into(), row));
                let options = SortMultipleOptions::default()
                    .with_order_descending_multi(descending)
                    .with_nulls_last_multi(nulls_last)
                    .with_maintain_order(true);
                let order = DataFrame::new(rows, work)
                    .and_then(|w| w.sort(names, options))
                    .map_err(|e| polars_error(e, span))?;
                let order = order
                    .column(ROW)
                    .and_then(|c| c.idx())
                    .map_err(|e| polars_error(e, span))?;
                match limit {
                    Some(n) => order.slice(0, n),
                    None => order.clone(),
                }
            }
        })
    }

    /// `take n`: the first n rows (Kusto promises any n rows).
    pub(super) fn op_take(&self, count: &Expr, frame: DataFrame) -> Result<DataFrame, QueryError> {
        let n = self.count_arg(count, &frame)?;
        Ok(frame.head(Some(n)))
    }

    /// `sample n`: n rows spread evenly over the input, so repeated runs
    /// agree (Kusto's are random).
    pub(super) fn op_sample(
        &self,
        count: &Expr,
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let n = self.count_arg(count, &frame)?;
        let rows = frame.height();
        if n >= rows {
            return Ok(frame);
        }
        let idx: Vec<IdxSize> = (0..n).map(|i| (i * rows / n) as IdxSize).collect();
        let idx = IdxCa::from_vec("".into(), idx);
        frame.take(&idx).map_err(|e| polars_error(e, count.span))
    }

    pub(crate) fn count_arg(&self, count: &Expr, frame: &DataFrame) -> Result<usize, QueryError> {
        match self.eval_scalar(count, frame)? {
            Scalar::Long(n) => Ok(n.max(0) as usize),
            Scalar::Int(n) => Ok(n.max(0) as usize),
            Scalar::Real(n) => Ok(n.max(0.0) as usize),
            other => Err(QueryError::type_error(
                format!("a row count must be a number, not {}", other.kind()),
                count.span,
            )),
        }
    }
}
