//! `sample-distinct N of Column`: up to N distinct values of a column, as
//! one column. Kusto picks them as is fastest (its own page warns they are
//! biased); Quarry's `sample` is deterministic, and so is this: of the
//! distinct values in order of first appearance, N evenly spaced ones (all
//! of them when there are no more than N).

use polars::prelude::*;

use super::groups::distinct_rows;
use super::{gather, polars_error};
use crate::kql::ast::{Expr, Ident, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::run::Runner;
use crate::kql::value::series_to_text;

impl Runner<'_> {
    /// `sample-distinct`
    pub(super) fn op_sample_distinct(
        &self,
        count: &Expr,
        column: &Ident,
        frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let n = self.count_arg(count, &frame)?;
        let values = frame.column(&column.name).map_err(|_| {
            let names = frame
                .get_column_names()
                .into_iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>();
            QueryError::unknown(
                format!(
                    "unknown column '{}'{}",
                    column.name,
                    did_you_mean(&column.name, names)
                ),
                column.span,
            )
        })?;
        let values = values.as_materialized_series().clone();
        let firsts = match distinct_rows(std::slice::from_ref(&values), self.cancel())? {
            Some(rows) => rows,
            // Dynamic values are told apart by their JSON text.
            None => {
                let text = series_to_text(&values).into_series();
                distinct_rows(&[text], self.cancel())?.ok_or_else(|| {
                    QueryError::runtime(
                        format!("cannot tell the values of {} apart", column.name),
                        Some(column.span),
                    )
                })?
            }
        };
        let k = firsts.len();
        let picked: Vec<IdxSize> = if n >= k {
            firsts
        } else {
            (0..n).map(|i| firsts[i * k / n]).collect()
        };
        let one = DataFrame::new(frame.height(), vec![values.into_column()])
            .map_err(|e| polars_error(e, span))?;
        gather(
            &one,
            &IdxCa::from_vec("".into(), picked),
            self.cancel(),
            span,
        )
    }
}
