//! `evaluate narrow()`: a wide table turned on its side for reading, one
//! row per cell: `Row` (the row's number from 0, long), `Column` (its
//! name) and `Value` (the cell as `tostring` writes it), row by row and
//! within a row in column order.

use polars::prelude::*;

use super::polars_error;
use crate::kql::ast::{Expr, Span};
use crate::kql::error::QueryError;
use crate::kql::limits::{Growth, Unit};
use crate::kql::run::Runner;
use crate::kql::value::series_to_text;

/// Bytes of one output row: a long and two text views.
const NARROW_ROW_BYTES: u64 = 8 + 16 + 16;

impl Runner<'_> {
    /// `narrow`; it keeps no input column.
    pub(super) fn narrow(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        if let Some(a) = args.first() {
            return Err(QueryError::type_error(
                "narrow() takes no arguments",
                a.span,
            ));
        }
        let (rows, width) = (frame.height(), frame.width());
        self.admit(&Growth {
            operator: "narrow",
            count: (rows as u64).saturating_mul(width as u64),
            unit: Unit::Rows,
            item_bytes: NARROW_ROW_BYTES,
            advice: "narrow fewer rows (take some first) or project fewer columns",
            span,
        })?;
        let texts: Vec<StringChunked> = frame
            .columns()
            .iter()
            .map(|c| series_to_text(c.as_materialized_series()))
            .collect();
        let names: Vec<&str> = frame.columns().iter().map(|c| c.name().as_str()).collect();
        let cells = rows * width;
        let (mut row, mut column, mut value) = (
            Vec::with_capacity(cells),
            Vec::with_capacity(cells),
            Vec::with_capacity(cells),
        );
        for r in 0..rows {
            if r.is_multiple_of(4096) {
                self.check_cancel()?;
            }
            for (name, text) in names.iter().zip(&texts) {
                row.push(r as i64);
                column.push(*name);
                value.push(text.get(r).unwrap_or(""));
            }
        }
        let out = DataFrame::new(
            cells,
            vec![
                Column::new("Row".into(), row),
                Column::new("Column".into(), column),
                Column::new("Value".into(), value),
            ],
        )
        .map_err(|e| polars_error(e, span))?;
        Ok((out, Vec::new()))
    }
}
