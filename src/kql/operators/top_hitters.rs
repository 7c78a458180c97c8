//! `top-hitters N of Value [by Summing]`: the N values with the most rows
//! (`approximate_count_<Value>`), or with the largest sum of Summing
//! (`approximate_sum_<Summing>`), largest first. Kusto approximates with a
//! count-min sketch; Quarry counts exactly, which is what the sketch
//! approximates: `summarize count() by Value | top N by count_`.

use polars::prelude::*;

use super::expr_name;
use crate::kql::ast::{Assignment, Expr, ExprKind, Ident, SortDir, SortKey, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;

impl Runner<'_> {
    /// `top-hitters`
    pub(super) fn op_top_hitters(
        &self,
        count: &Expr,
        of: &Expr,
        by: Option<&Expr>,
        frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let call = |name: &str, args: Vec<Expr>, at: Span| Expr {
            kind: ExprKind::Call {
                name: Ident {
                    name: name.into(),
                    span: at,
                },
                args,
            },
            span: at,
        };
        let named = |e: &Expr| expr_name(e).unwrap_or_else(|| "Column1".into());
        let (total, aggregate) = match by {
            Some(b) => (
                format!("approximate_sum_{}", named(b)),
                call("sum", vec![b.clone()], b.span),
            ),
            None => (
                format!("approximate_count_{}", named(of)),
                call("count", Vec::new(), of.span),
            ),
        };
        let aggregate = Assignment {
            names: vec![Ident {
                name: total.clone(),
                span,
            }],
            expr: aggregate,
            span,
        };
        let value = Assignment {
            names: Vec::new(),
            expr: of.clone(),
            span: of.span,
        };
        let counted = self.op_summarize(&[aggregate], &[value], frame, span)?;
        let key = SortKey {
            expr: Expr {
                kind: ExprKind::Name(total),
                span,
            },
            dir: Some(SortDir::Desc),
            nulls: None,
        };
        self.op_top(count, &[key], counted)
    }
}
