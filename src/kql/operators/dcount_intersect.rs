//! `evaluate dcount_intersect(hll_1, hll_2 [, hll_3, ...])`: per row, the
//! distinct counts of S1, S1 ∩ S2, S1 ∩ S2 ∩ S3, ... from 2 to 16 `hll()`
//! sketches, appended as `s0`, `s1`, ... after the input's columns.
//!
//! While the sketches list their hashes (small sets) the intersections
//! are exact; past that they come from the unions by inclusion-exclusion,
//! as HyperLogLog sketches allow (an estimate, floored at 0). A row where a
//! value is not a sketch gets nulls.

use std::collections::HashSet;

use polars::prelude::*;

use super::polars_error;
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::hll::{Sketch, union_count};
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

impl Runner<'_> {
    /// `dcount_intersect`; also returns the input columns, for `*` in an
    /// output schema.
    pub(super) fn dcount_intersect(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        if !(2..=16).contains(&args.len()) {
            return Err(QueryError::type_error(
                format!(
                    "dcount_intersect() takes 2 to 16 hll() values, not {}",
                    args.len()
                ),
                span,
            ));
        }
        let rows = frame.height();
        let values = args
            .iter()
            .map(|a| self.eval(a, &frame))
            .collect::<Result<Vec<_>, _>>()?;
        let mut out: Vec<Vec<Option<i64>>> = vec![Vec::with_capacity(rows); args.len()];
        for i in 0..rows {
            self.check_cancel()?;
            let sketches: Option<Vec<Sketch>> = values
                .iter()
                .map(|v| match v.get(i) {
                    Scalar::Dynamic(j) => Sketch::from_json(&j),
                    _ => None,
                })
                .collect();
            for (n, column) in out.iter_mut().enumerate() {
                column.push(match &sketches {
                    Some(s) => Some(self.intersection(&s[..=n])?),
                    None => None,
                });
            }
        }
        let mut columns: Vec<Column> = frame.columns().to_vec();
        let kept = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        for (n, values) in out.into_iter().enumerate() {
            columns.push(Column::new(format!("s{n}").into(), values));
        }
        let out = DataFrame::new(rows, columns).map_err(|e| polars_error(e, span))?;
        Ok((out, kept))
    }
}

impl Runner<'_> {
    /// The distinct count of the intersection of the sets: exact while
    /// every sketch lists its hashes, else the sum over every non-empty
    /// subset of its union's count, signed by the subset's size (2^16
    /// unions for 16 sets: the cancel flag is looked at as it goes).
    fn intersection(&self, sets: &[Sketch]) -> Result<i64, QueryError> {
        let listed: Option<Vec<HashSet<u64>>> = sets
            .iter()
            .map(|s| s.listed().map(|h| h.iter().copied().collect()))
            .collect();
        if let Some(listed) = listed
            && let Some((first, rest)) = listed.split_first()
        {
            let common = first.iter().filter(|h| rest.iter().all(|r| r.contains(h)));
            return Ok(common.count() as i64);
        }
        let mut total = 0i64;
        for mask in 1u32..(1 << sets.len()) {
            if mask % 64 == 0 {
                self.check_cancel()?;
            }
            let chosen: Vec<Sketch> = (0..sets.len())
                .filter(|b| mask & (1 << b) != 0)
                .map(|b| sets[b].clone())
                .collect();
            let sign = if chosen.len() % 2 == 1 { 1 } else { -1 };
            total += sign * union_count(&chosen);
        }
        Ok(total.max(0))
    }
}
