//! `evaluate preview(NumberOfRows)`: two results, the first NumberOfRows
//! rows (`take`) and how many rows there were (`count`).

use polars::prelude::*;

use super::polars_error;
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::run::{NamedResult, Runner};

impl Runner<'_> {
    /// `preview`: the rows, then their count.
    pub(super) fn preview(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<Vec<NamedResult>, QueryError> {
        let [count] = args else {
            return Err(QueryError::type_error(
                "preview() takes one argument: the number of rows to show",
                span,
            ));
        };
        let n = self.count_arg(count, &frame)?;
        let total = DataFrame::new(
            1,
            vec![Column::new("Count".into(), [frame.height() as i64])],
        )
        .map_err(|e| polars_error(e, span))?;
        Ok(vec![
            NamedResult {
                name: None,
                frame: frame.head(Some(n)),
            },
            NamedResult {
                name: None,
                frame: total,
            },
        ])
    }
}
