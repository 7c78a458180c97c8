//! `restrict access to (...)` while a query runs: the `let`s before the
//! statement are bound without it, then it is put in force (the scope
//! drops the tabular `let`s it does not list), and every read of the
//! catalog goes through [`Runner::catalog_table`] and
//! [`Runner::table_names`], which leave out the tables it does not list.
//! A view defined before the statement closed over a scope without it,
//! so its body still reads what it likes (restrict-statement.md).

use super::Runner;
use crate::data::catalog::Table;
use crate::kql::ast::{Query, Span};
use crate::kql::error::QueryError;

impl Runner<'_> {
    /// Binds a query's `let`s, with its `restrict` statement in force from
    /// where it stands among them.
    pub(crate) fn bind_query_lets(&mut self, query: &Query) -> Result<(), QueryError> {
        let Some(restrict) = &query.restrict else {
            return self.bind_lets(&query.lets);
        };
        let at = restrict.after_lets.min(query.lets.len());
        self.bind_lets(&query.lets[..at])?;
        self.scope.restrict(restrict.clone());
        self.bind_lets(&query.lets[at..])
    }

    /// A table of the catalog, unless a `restrict` statement hides it.
    pub fn catalog_table(&self, name: &str) -> Option<&Table> {
        let visible = self
            .scope
            .restriction()
            .is_none_or(|r| r.allows_table(name));
        self.catalog.get(name).filter(|_| visible)
    }

    /// The names of the catalog's tables a `restrict` statement leaves
    /// visible (all of them without one).
    pub fn table_names(&self) -> Vec<&str> {
        let restriction = self.scope.restriction();
        self.catalog
            .names()
            .filter(|n| restriction.is_none_or(|r| r.allows_table(n)))
            .collect()
    }

    /// The error for a reference to a table, `let` or stored function
    /// that a `restrict` statement hides; `None` when it hides no such
    /// thing.
    pub fn hidden_error(&self, name: &str, span: Span) -> Option<QueryError> {
        let restrict = self.scope.restriction()?;
        let hidden = self.scope.is_hidden(name)
            || (self.catalog.get(name).is_some() && !restrict.allows_table(name));
        hidden.then(|| restrict.hides(name, span))
    }
}
