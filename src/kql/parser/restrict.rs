//! `restrict access to (EntitySpecifiers);` (restrict-statement.md): the
//! tables, views and patterns the rest of the query may reference.
//!
//! An entity is a `let` name or a table name (`View1`), a pattern of `let`
//! names (`*`, `Test*`), or the current database's tables and functions
//! (`database().Table1`, `database().*`). Quarry has one local database,
//! so an entity of another (`database('DB2').T`, `cluster('c')...`) is
//! refused rather than silently read as a local one.

use super::super::ast::*;
use super::super::error::{ErrorKind, QueryError};
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
    /// Whether the cursor is at `restrict access to`.
    pub(super) fn at_restrict(&self) -> bool {
        self.is_ident("restrict")
            && self.ident_at(1) == Some("access")
            && self.ident_at(2) == Some("to")
    }

    /// `restrict access to (...)`, up to and with its `;`; `lets` is how
    /// many `let`s came before it.
    pub(super) fn parse_restrict(&mut self, lets: usize) -> PResult<()> {
        let start = self.span();
        if let Some(earlier) = &self.restrict {
            return Err(QueryError::syntax(
                format!(
                    "a second 'restrict access to' statement: the query already has '{}'; list every entity in one",
                    earlier.describe()
                ),
                start,
            ));
        }
        self.bump();
        self.bump();
        self.bump();
        let open = self.expect(TokenKind::LParen, "'(' and the entities to allow")?;
        let mut entities = Vec::new();
        loop {
            entities.push(self.parse_restrict_entity()?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        let span = start.to(self.prev_span());
        if !self.eat(&TokenKind::Semi) {
            return Err(self.error_here(format!(
                "expected ';' after the 'restrict' statement, found {}",
                self.describe_current()
            )));
        }
        let restrict = Restrict {
            entities,
            after_lets: lets,
            span,
        };
        // Patterns are resolved while parsing, so the ones the statement
        // hides are known now.
        self.hidden_patterns = self
            .patterns
            .keys()
            .filter(|name| !restrict.allows_let(name))
            .cloned()
            .collect();
        self.restrict = Some(restrict);
        Ok(())
    }

    /// `Name`, `Name*`, `*`, `database().Name`, `database().*`.
    fn parse_restrict_entity(&mut self) -> PResult<RestrictEntity> {
        let start = self.span();
        let on_database = matches!(self.ident_at(0), Some("database" | "cluster"))
            && matches!(self.kind_at(1), TokenKind::LParen);
        if !on_database {
            let name = self.parse_name_pattern("an entity name")?;
            let kind = if name.name.contains('*') {
                RestrictKind::Lets
            } else {
                RestrictKind::Any
            };
            return Ok(RestrictEntity {
                pattern: name.name,
                kind,
                span: name.span,
            });
        }
        let function = self.bump().span;
        let args = self.parse_call_args()?;
        let call = function.to(self.prev_span());
        if self.text(function) == "cluster" || !args.is_empty() {
            return Err(QueryError::new(
                ErrorKind::Unsupported,
                format!(
                    "'{}' in a restrict statement: Quarry has one local database, so it can allow only its own tables (database().Name, database().*, or Name)",
                    self.text(call)
                ),
                Some(call),
            ));
        }
        self.expect(TokenKind::Dot, "'.' and a table name after database()")?;
        let name = self.parse_name_pattern("a table or function name after 'database().'")?;
        Ok(RestrictEntity {
            pattern: name.name,
            kind: RestrictKind::Tables,
            span: start.to(name.span),
        })
    }

    /// The error for a pattern the `restrict` statement hides, if it does.
    pub(super) fn hidden_pattern(&self, name: &Ident) -> Option<QueryError> {
        let restrict = self.restrict.as_ref()?;
        self.hidden_patterns
            .contains(&name.name)
            .then(|| restrict.hides(&name.name, name.span))
    }
}

impl Restrict {
    /// The error for a reference to `name`, which this statement hides.
    pub fn hides(&self, name: &str, span: Span) -> QueryError {
        QueryError::unknown(
            format!(
                "'{}' hides '{name}' from the rest of the query: it may reference only the entities listed",
                self.describe()
            ),
            span,
        )
    }
}
