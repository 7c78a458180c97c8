//! `evaluate rows_near(Condition, NumRows [, RowsAfter])`: the rows within
//! NumRows before (and NumRows, or RowsAfter, after) a row where Condition
//! is true, in input order, each once. A null condition is false.

use polars::prelude::*;

use super::polars_error;
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

impl Runner<'_> {
    /// `rows_near`; also returns the input columns, for `*` in an output
    /// schema.
    pub(super) fn rows_near(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        if !(2..=3).contains(&args.len()) {
            return Err(QueryError::type_error(
                "rows_near() needs Condition, NumRows and optionally RowsAfter",
                span,
            ));
        }
        let empty = DataFrame::empty();
        let count = |e: &Expr, what: &str| match self.eval_scalar(e, &empty)? {
            Scalar::Int(n) if n >= 0 => Ok(n as usize),
            Scalar::Long(n) if n >= 0 => Ok(n as usize),
            other => Err(QueryError::type_error(
                format!(
                    "rows_near(): {what} must be a whole number of rows, 0 or more, not {}",
                    other.to_text()
                ),
                e.span,
            )),
        };
        let before = count(&args[1], "NumRows")?;
        let after = match args.get(2) {
            Some(e) => count(e, "RowsAfter")?,
            None => before,
        };
        let rows = frame.height();
        let condition = self.eval(&args[0], &frame)?;
        if condition.kind() != KqlType::Bool {
            return Err(QueryError::type_error(
                format!(
                    "rows_near(): Condition must be a bool, not {}",
                    condition.kind()
                ),
                args[0].span,
            ));
        }
        let hits = condition.to_bools(rows);
        let mut keep = vec![false; rows];
        for (i, hit) in hits.iter().enumerate() {
            if hit == Some(true) {
                let last = i.saturating_add(after).min(rows.saturating_sub(1));
                keep[i.saturating_sub(before)..=last].fill(true);
            }
        }
        let mask = BooleanChunked::from_slice("".into(), &keep);
        let kept = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let out = frame.filter(&mask).map_err(|e| polars_error(e, span))?;
        Ok((out, kept))
    }
}
