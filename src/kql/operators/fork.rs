//! `fork [name=](ops) [name=](ops) ...`: each leg's operators run on the
//! same input, and each makes a result of its own, named by `name=` or by
//! an `as Name` at the leg's end. Kusto documents a list of operators a leg
//! may use; Quarry runs any.

use polars::prelude::*;

use crate::kql::ast::{ForkLeg, OperatorKind};
use crate::kql::error::QueryError;
use crate::kql::run::{NamedResult, Runner};

/// The name of a leg's result: `name=` before it, else its final `as`.
pub fn fork_leg_name(leg: &ForkLeg) -> Option<String> {
    leg.name.as_ref().map(|n| n.name.clone()).or_else(|| {
        leg.ops.last().and_then(|op| match &op.kind {
            OperatorKind::As(name) => Some(name.name.clone()),
            _ => None,
        })
    })
}

impl Runner<'_> {
    /// Runs every leg of `fork` on `frame`, in order.
    pub(super) fn op_fork(
        &self,
        legs: &[ForkLeg],
        frame: DataFrame,
    ) -> Result<Vec<NamedResult>, QueryError> {
        let mut out = Vec::with_capacity(legs.len());
        for leg in legs {
            self.check_cancel()?;
            // The frame's columns are shared, not copied.
            let rows = self.operators(&leg.ops, frame.clone(), None)?;
            out.push(NamedResult {
                name: fork_leg_name(leg),
                frame: rows,
            });
        }
        Ok(out)
    }
}
