//! `invoke`: plugins and `let` functions that take the piped table.

use polars::prelude::*;

use crate::kql::ast::{Expr, Ident};
use crate::kql::error::QueryError;
use crate::kql::run::{Binding, Runner};
use crate::kql::value::Scalar;

impl Runner<'_> {
    /// `invoke f(args)`: a plugin (such as FileProfile) or a `let` function
    /// whose first parameter is a table.
    pub(super) fn op_invoke(
        &self,
        name: &Ident,
        args: &[Expr],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        if let Some(Binding::Function(..)) = self.scope.get(&name.name) {
            return self.call_tabular_function(&name.name, args, Some(frame), name.span);
        }
        let plugin = self
            .options
            .plugins
            .iter()
            .find(|p| p.name().eq_ignore_ascii_case(&name.name))
            .cloned();
        let Some(plugin) = plugin else {
            if let Some(e) = self
                .options
                .functions
                .unreadable_error(&name.name, name.span)
            {
                return Err(e);
            }
            let names: Vec<&str> = self
                .options
                .plugins
                .iter()
                .map(|p| p.name())
                .chain(self.scope.names())
                .collect();
            return Err(QueryError::unknown(
                format!(
                    "unknown function '{}'{}",
                    name.name,
                    crate::kql::error::unknown_function_hint(&name.name, names)
                ),
                name.span,
            ));
        };
        let empty = DataFrame::empty();
        let values: Vec<Scalar> = args
            .iter()
            .map(|a| self.eval_scalar(a, &empty))
            .collect::<Result<_, _>>()?;
        plugin.invoke(frame, &values, self.catalog, name.span)
    }
}
