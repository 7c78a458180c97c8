//! Running `macro-expand`: each leg (the subquery with its entity put in,
//! see `parser::macro_expand`) in a scope of its own, then the legs
//! stacked as `union` stacks them.

use polars::prelude::*;

use super::union::stack;
use crate::kql::ast::{MacroExpand, Span};
use crate::kql::error::QueryError;
use crate::kql::run::{Binding, Runner};

impl Runner<'_> {
    pub(super) fn op_macro_expand(
        &self,
        m: &MacroExpand,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let mut frames = Vec::with_capacity(m.legs.len());
        let mut missing = Vec::new();
        for leg in &m.legs {
            self.check_cancel()?;
            if !self.is_entity(&leg.entity.name) {
                let unknown = self.unknown_table(&leg.entity.name, leg.entity.span);
                if !m.fuzzy {
                    return Err(unknown);
                }
                self.options.warnings.push(format!(
                    "macro-expand isfuzzy=true left out an entity: {}",
                    unknown.message
                ));
                missing.push(unknown.message);
                continue;
            }
            // The subquery's `let`s are its own: each leg binds them anew.
            let mut runner = self.nested(self.scope.clone())?;
            runner.bind_lets(&leg.lets)?;
            frames.push(runner.pipeline(&leg.body, None)?);
        }
        if frames.is_empty() {
            return Err(QueryError::unknown(
                format!(
                    "isfuzzy=true leaves out the entities that are missing, but none of this group's is here: {}",
                    missing.join("; ")
                ),
                m.group,
            ));
        }
        stack(frames, m.inner, span)
    }

    /// Whether `name` is a table the subquery can read: a table of the
    /// catalog, a tabular `let`, or a function called by its name alone.
    fn is_entity(&self, name: &str) -> bool {
        match self.scope.get(name) {
            Some(Binding::Table(_)) => true,
            Some(Binding::Function(f, _)) => f.params.iter().all(|p| p.default.is_some()),
            _ => self.catalog.get(name).is_some(),
        }
    }
}
