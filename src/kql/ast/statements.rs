//! A query's statements beyond the `let`s: the tabular statements of a
//! batch (which make results, which only name tables) and the `restrict`
//! statement.

use super::{OperatorKind, Pipeline, Query, Span};

impl Query {
    /// The text of the query's `let` statements (with comments between
    /// them, and its `restrict` statement), up to where its tabular body
    /// starts: the one reader of a query's let prefix, which knows where a
    /// statement ends from the tokens, not the lines.
    pub fn let_prefix<'a>(&self, text: &'a str) -> &'a str {
        if self.lets.is_empty() && self.restrict.is_none() {
            return "";
        }
        text.get(..self.body.span.start).unwrap_or("")
    }

    /// Every tabular statement, in the order written.
    pub fn statements(&self) -> impl Iterator<Item = &Pipeline> {
        self.named
            .iter()
            .chain(std::iter::once(&self.body))
            .chain(&self.more)
    }

    /// The statements that make results, in order: `body`, then those of
    /// `more` that do not only name tables (the last always makes one).
    pub fn results(&self) -> impl Iterator<Item = &Pipeline> {
        let last = self.more.len().saturating_sub(1);
        std::iter::once(&self.body).chain(
            self.more
                .iter()
                .enumerate()
                .filter(move |(i, p)| *i == last || !Query::binds_only(p))
                .map(|(_, p)| p),
        )
    }

    /// Whether the query is a batch: several statements make results
    /// (the last statement always makes one).
    pub fn is_batch(&self) -> bool {
        !self.more.is_empty()
    }

    /// Whether a statement before the last makes no table of its own, only
    /// names tables for the statements after it: graph-to-table naming
    /// every table it makes (graph-to-table-operator.md's `... nodes as N,
    /// edges as E; N; E` makes two tables).
    pub fn binds_only(p: &Pipeline) -> bool {
        match p.ops.last().map(|op| &op.kind) {
            Some(OperatorKind::Graph(g)) => match g.as_ref() {
                crate::kql::graph::ast::GraphOp::ToTable(exports) => {
                    exports.iter().all(|e| e.alias.is_some())
                }
                _ => false,
            },
            _ => false,
        }
    }
}

/// `restrict access to (A, B*, database().T);`
#[derive(Debug, Clone, PartialEq)]
pub struct Restrict {
    pub entities: Vec<RestrictEntity>,
    /// How many of the query's `let`s come before the statement: those are
    /// the ones it may hide; the ones after it are visible to the rest.
    pub after_lets: usize,
    pub span: Span,
}

/// One entity a `restrict` statement lists.
#[derive(Debug, Clone, PartialEq)]
pub struct RestrictEntity {
    /// A name, or a pattern with `*` wildcards.
    pub pattern: String,
    /// Whether it names `let`s, tables, or both.
    pub kind: RestrictKind,
    pub span: Span,
}

impl Restrict {
    /// Whether the statement leaves the `let` (or pattern) `name` visible.
    pub fn allows_let(&self, name: &str) -> bool {
        self.entities.iter().any(|e| {
            e.kind != RestrictKind::Tables
                && crate::kql::operators::wildcard_match(&e.pattern, name)
        })
    }

    /// Whether the statement leaves the table or stored function `name`
    /// visible.
    pub fn allows_table(&self, name: &str) -> bool {
        self.entities.iter().any(|e| {
            e.kind != RestrictKind::Lets && crate::kql::operators::wildcard_match(&e.pattern, name)
        })
    }

    /// The statement as an error message quotes it.
    pub fn describe(&self) -> String {
        let list: Vec<String> = self
            .entities
            .iter()
            .map(|e| match e.kind {
                RestrictKind::Tables => format!("database().{}", e.pattern),
                _ => e.pattern.clone(),
            })
            .collect();
        format!("restrict access to ({})", list.join(", "))
    }
}

/// What a listed entity may match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestrictKind {
    /// A plain name: a `let` or a table of that name.
    Any,
    /// A bare pattern (`*`, `Test*`): `let`s only; the documentation's
    /// `restrict access to (*)` leaves no table accessible.
    Lets,
    /// `database().Name` or `database().*`: tables and stored functions.
    Tables,
}
