//! `facet by Col1, Col2 ... [with (ops)]`: the rows the `with` operators
//! make (when given), then for each column a table of its values and how
//! many rows hold each (`count_<Col>`), values in order of first
//! appearance, as the page's example lists them.

use polars::prelude::*;

use crate::kql::ast::{Assignment, Expr, ExprKind, Ident, Operator, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::run::{NamedResult, Runner};

impl Runner<'_> {
    /// The `with` table, then one table of counts per column.
    pub(super) fn op_facet(
        &self,
        columns: &[Ident],
        with: Option<&[Operator]>,
        frame: DataFrame,
        span: Span,
    ) -> Result<Vec<NamedResult>, QueryError> {
        let names: Vec<&str> = frame
            .get_column_names()
            .into_iter()
            .map(|s| s.as_str())
            .collect();
        if let Some(c) = columns.iter().find(|c| !names.contains(&c.name.as_str())) {
            return Err(QueryError::unknown(
                format!(
                    "unknown column '{}'{}",
                    c.name,
                    did_you_mean(&c.name, names.iter().copied())
                ),
                c.span,
            ));
        }
        let mut out = Vec::with_capacity(columns.len() + 1);
        if let Some(ops) = with {
            out.push(NamedResult {
                name: Some("with".into()),
                frame: self.operators(ops, frame.clone(), None)?,
            });
        }
        for c in columns {
            self.check_cancel()?;
            let count = Assignment {
                names: vec![Ident {
                    name: format!("count_{}", c.name),
                    span: c.span,
                }],
                expr: Expr {
                    kind: ExprKind::Call {
                        name: Ident {
                            name: "count".into(),
                            span: c.span,
                        },
                        args: Vec::new(),
                    },
                    span: c.span,
                },
                span: c.span,
            };
            let by = Assignment {
                names: Vec::new(),
                expr: Expr {
                    kind: ExprKind::Name(c.name.clone()),
                    span: c.span,
                },
                span: c.span,
            };
            out.push(NamedResult {
                name: Some(c.name.clone()),
                frame: self.op_summarize(&[count], &[by], frame.clone(), span)?,
            });
        }
        Ok(out)
    }
}
