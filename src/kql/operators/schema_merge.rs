//! `evaluate schema_merge([PreserveOrder])`: schemas in `getschema`'s
//! format (ColumnName, ColumnOrdinal, DataType, ColumnType), one after the
//! other (a schema starts where ColumnOrdinal stops growing), merged into
//! one, as Kusto's plugin does.
//!
//! - Columns keep the order they have in the schemas: a column first seen
//!   in a later schema goes after the known column it follows there
//!   (`[Uri, HttpStatus]` and `[Uri, Referrer, HttpStatus]` give `Uri,
//!   Referrer, HttpStatus`).
//! - Types of one column are reduced to a common one: equal types stay,
//!   `int`/`long`/`real` widen to the widest; any other pair is an error on
//!   that column.
//! - With `PreserveOrder` (the default, `true`) a column must have, in every
//!   schema, the ordinal of the first schema it appeared in; otherwise it is
//!   an error ("columns are out of order", as Kusto prints it).
//! - A column in error has ordinal -1, DataType `ERROR(unknown CSL
//!   type:ERROR(reason))` and ColumnType `ERROR(reason)`; the others are
//!   numbered from 0 in order.

use polars::prelude::*;

use super::polars_error;
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// The reason Kusto prints for a column whose ordinal moved.
const OUT_OF_ORDER: &str = "columns are out of order";

/// One column of the merged schema.
struct Merged {
    name: String,
    /// Its ordinal in the first schema it appeared in.
    first_ordinal: i64,
    data_type: String,
    column_type: String,
    error: Option<String>,
}

impl Runner<'_> {
    /// Runs the plugin; keeps no input column (its output is a schema).
    pub(super) fn schema_merge(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let empty = DataFrame::empty();
        let preserve_order = match args {
            [] => true,
            [a] => {
                let value = match &a.kind {
                    ExprKind::NamedArg { name, value }
                        if name.name.eq_ignore_ascii_case("PreserveOrder") =>
                    {
                        value
                    }
                    ExprKind::NamedArg { name, .. } => {
                        return Err(QueryError::type_error(
                            format!(
                                "schema_merge() has no parameter '{}': it takes PreserveOrder",
                                name.name
                            ),
                            name.span,
                        ));
                    }
                    _ => a,
                };
                match self.eval_scalar(value, &empty)? {
                    Scalar::Bool(b) => b,
                    other => {
                        return Err(QueryError::type_error(
                            format!(
                                "schema_merge(): PreserveOrder must be a bool, not {}",
                                other.kind()
                            ),
                            a.span,
                        ));
                    }
                }
            }
            _ => {
                return Err(QueryError::type_error(
                    "schema_merge() takes one argument at most: PreserveOrder",
                    span,
                ));
            }
        };
        let column = |name: &str| -> Result<Series, QueryError> {
            frame
                .column(name)
                .map(|c| c.as_materialized_series().clone())
                .map_err(|_| {
                    QueryError::type_error(
                        format!(
                            "schema_merge() reads schemas as getschema gives them (ColumnName, ColumnOrdinal, DataType, ColumnType); the input has no {name}"
                        ),
                        span,
                    )
                })
        };
        let names = column("ColumnName")?;
        let ordinals = column("ColumnOrdinal")?;
        let data_types = column("DataType")?;
        let column_types = column("ColumnType")?;

        let mut merged: Vec<Merged> = Vec::new();
        // Where a new column goes: after the last known column of this schema.
        let mut cursor = 0;
        let mut previous: Option<i64> = None;
        for i in 0..frame.height() {
            let name = Scalar::from_series(&names, i).to_text().into_owned();
            let ordinal = match Scalar::from_series(&ordinals, i) {
                Scalar::Int(v) => i64::from(v),
                Scalar::Long(v) => v,
                other => {
                    return Err(QueryError::type_error(
                        format!(
                            "schema_merge(): ColumnOrdinal must be a number, not {}",
                            other.to_text()
                        ),
                        span,
                    ));
                }
            };
            if previous.is_some_and(|p| ordinal <= p) {
                cursor = 0;
            }
            previous = Some(ordinal);
            let data_type = Scalar::from_series(&data_types, i).to_text().into_owned();
            let column_type = Scalar::from_series(&column_types, i).to_text().into_owned();
            match merged.iter().position(|m| m.name == name) {
                Some(p) => {
                    let m = &mut merged[p];
                    if m.error.is_none() {
                        if preserve_order && m.first_ordinal != ordinal {
                            m.error = Some(OUT_OF_ORDER.to_string());
                        } else if let Some(t) = common_type(&m.column_type, &column_type) {
                            if t != m.column_type {
                                m.column_type = t.to_string();
                                m.data_type = data_type;
                            }
                        } else {
                            m.error = Some(format!(
                                "types {} and {column_type} cannot be reduced to one",
                                m.column_type
                            ));
                        }
                    }
                    cursor = cursor.max(p + 1);
                }
                None => {
                    merged.insert(
                        cursor,
                        Merged {
                            name,
                            first_ordinal: ordinal,
                            data_type,
                            column_type,
                            error: None,
                        },
                    );
                    cursor += 1;
                }
            }
        }

        let mut next = 0;
        let mut out_ordinals: Vec<i32> = Vec::with_capacity(merged.len());
        for m in &merged {
            if m.error.is_some() {
                out_ordinals.push(-1);
            } else {
                out_ordinals.push(next);
                next += 1;
            }
        }
        let out_names: Vec<&str> = merged.iter().map(|m| m.name.as_str()).collect();
        let out_data: Vec<String> = merged
            .iter()
            .map(|m| match &m.error {
                Some(e) => format!("ERROR(unknown CSL type:ERROR({e}))"),
                None => m.data_type.clone(),
            })
            .collect();
        let out_types: Vec<String> = merged
            .iter()
            .map(|m| match &m.error {
                Some(e) => format!("ERROR({e})"),
                None => m.column_type.clone(),
            })
            .collect();
        let out = DataFrame::new(
            merged.len(),
            vec![
                Column::new("ColumnName".into(), out_names),
                Column::new("ColumnOrdinal".into(), out_ordinals),
                Column::new("DataType".into(), out_data),
                Column::new("ColumnType".into(), out_types),
            ],
        )
        .map_err(|e| polars_error(e, span))?;
        Ok((out, Vec::new()))
    }
}

/// The type both `a` and `b` reduce to: the same type, or the wider of two
/// numbers; `None` when they have none.
fn common_type<'t>(a: &'t str, b: &'t str) -> Option<&'t str> {
    const NUMBERS: [&str; 3] = ["int", "long", "real"];
    if a == b {
        return Some(a);
    }
    let rank = |t: &str| NUMBERS.iter().position(|n| *n == t);
    match (rank(a), rank(b)) {
        (Some(x), Some(y)) => Some(NUMBERS[x.max(y)]),
        _ => None,
    }
}
