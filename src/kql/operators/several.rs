//! The operators that make several results (see [`crate::kql::run::run_results`]):
//! one place that runs them all, and the first of them for a caller that
//! takes one table.

use polars::prelude::*;

use crate::kql::ast::{Operator, OperatorKind};
use crate::kql::error::QueryError;
use crate::kql::run::{NamedResult, Runner};

impl Runner<'_> {
    /// Every table `op` makes from `frame`.
    pub(crate) fn op_several(
        &self,
        op: &Operator,
        frame: DataFrame,
    ) -> Result<Vec<NamedResult>, QueryError> {
        match &op.kind {
            OperatorKind::Fork(legs) => self.op_fork(legs, frame),
            OperatorKind::Facet { columns, with } => {
                self.op_facet(columns, with.as_deref(), frame, op.span)
            }
            OperatorKind::Evaluate { plugin, args, .. } if plugin.name == "preview" => {
                self.preview(args, frame, op.span)
            }
            OperatorKind::Evaluate { plugin, args, .. } if plugin.name == "funnel_sequence" => {
                self.funnel_sequence(args, frame, op.span)
            }
            _ => Err(QueryError::runtime(
                "this operator makes one result",
                Some(op.span),
            )),
        }
    }

    /// The first table `op` makes: what `run` answers with (the parser
    /// lets such an operator end a query only).
    pub(super) fn op_first_of_several(
        &self,
        op: &Operator,
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let empty = frame.clear();
        Ok(self
            .op_several(op, frame)?
            .into_iter()
            .next()
            .map_or(empty, |r| r.frame))
    }
}
