//! The statements a middle tier puts before a query: `declare
//! query_parameters(...)`, `declare pattern ...` (and a pattern's
//! invocations, which stand for the query their mapping names), and
//! `alias database ...`.
//!
//! - A query parameter with a default is a `let` of that default, made the
//!   declared type; one without a default has no value offline (there is no
//!   request to carry it), which is an error at its name.
//! - A pattern maps tuples of strings (and a path) to a tabular
//!   expression; `Name("a").Path` or `Name("a").["Path"]` is replaced by
//!   the expression when the query is read. An invocation the pattern does
//!   not map, or of a pattern declared without mappings, is Kusto's
//!   "One or more pattern references were not declared" error.
//! - `alias database` names another cluster's database: refused at
//!   `alias`, as Quarry queries only the tables it loaded.

use std::collections::HashMap;

use super::super::ast::*;
use super::super::error::{ErrorKind, QueryError};
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

/// A declared pattern: how many arguments, whether it takes a path, and
/// its mappings (an empty pattern has none).
#[derive(Default)]
pub(super) struct Pattern {
    arity: usize,
    path: bool,
    mappings: HashMap<(Vec<String>, Option<String>), Pipeline>,
}

/// The conversion that makes a query parameter's default its declared
/// type.
fn conversion(kind: &str) -> Option<&'static str> {
    Some(match kind {
        "string" => "tostring",
        "long" | "int64" => "tolong",
        "int" | "int32" => "toint",
        "real" | "double" => "toreal",
        "bool" | "boolean" => "tobool",
        "datetime" | "date" => "todatetime",
        "timespan" | "time" => "totimespan",
        "dynamic" => "todynamic",
        "guid" => "toguid",
        "decimal" => "todecimal",
        _ => return None,
    })
}

impl Parser<'_> {
    /// `declare query_parameters(Name:type [= default], ...);`, after which
    /// each parameter is a `let`.
    pub(super) fn parse_query_parameters(&mut self) -> PResult<Vec<Let>> {
        let start = self.bump().span;
        self.bump();
        let open = self.expect(TokenKind::LParen, "'(' and the parameters")?;
        let mut lets = Vec::new();
        if !self.at(&TokenKind::RParen) {
            loop {
                let name = self.parse_name("a parameter name")?;
                self.expect(TokenKind::Colon, "':' and a type after the parameter name")?;
                let kind = self.parse_name("a type")?;
                let Some(convert) = conversion(&kind.name) else {
                    return Err(QueryError::syntax(
                        format!("unknown type '{}'", kind.name),
                        kind.span,
                    ));
                };
                if !self.eat(&TokenKind::Assign) {
                    if self.unsupported.is_none() {
                        self.unsupported = Some(QueryError::new(
                            ErrorKind::Unsupported,
                            format!(
                                "query parameter '{}' has no default value, and offline there is no request to give it one: declare one ({}:{} = ...) or use let",
                                name.name, name.name, kind.name
                            ),
                            Some(name.span),
                        ));
                    }
                } else {
                    let default = self.parse_expr()?;
                    let span = default.span;
                    let value = Expr {
                        kind: ExprKind::Call {
                            name: Ident {
                                name: convert.to_string(),
                                span: kind.span,
                            },
                            args: vec![default],
                        },
                        span,
                    };
                    lets.push(Let {
                        span: name.span.to(span),
                        name,
                        value: LetValue::Expr(value),
                    });
                }
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        self.end_statement(start)?;
        Ok(lets)
    }

    /// `declare pattern Name;` or `declare pattern Name = (a:string, ...)
    /// [[p:string]] { (v, ...)[.[pv]] = { query }; ... };`
    pub(super) fn parse_pattern(&mut self) -> PResult<()> {
        let start = self.bump().span;
        self.bump();
        let name = self.parse_name("a pattern name")?;
        let mut pattern = Pattern::default();
        if self.eat(&TokenKind::Assign) {
            let open = self.expect(TokenKind::LParen, "'(' and the pattern's arguments")?;
            loop {
                self.parse_string_param()?;
                pattern.arity += 1;
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect_close(TokenKind::RParen, open)?;
            if self.at(&TokenKind::LBracket) {
                let open = self.bump().span;
                self.parse_string_param()?;
                self.expect_close(TokenKind::RBracket, open)?;
                pattern.path = true;
            }
            let body = self.expect(TokenKind::LBrace, "'{' and the pattern's mappings")?;
            while !self.at(&TokenKind::RBrace) && !self.at(&TokenKind::Eof) {
                let at = self.span();
                let (args, path) = self.parse_pattern_key(pattern.arity, pattern.path)?;
                self.expect(TokenKind::Assign, "'=' and '{ query }'")?;
                let open = self.expect(TokenKind::LBrace, "'{' and the query it maps to")?;
                let query = self.parse_pipeline()?;
                self.expect_close(TokenKind::RBrace, open)?;
                if pattern.mappings.insert((args, path), query).is_some() {
                    return Err(QueryError::syntax(
                        "this pattern maps these values twice",
                        at.to(self.prev_span()),
                    ));
                }
                while self.eat(&TokenKind::Semi) {}
            }
            self.expect_close(TokenKind::RBrace, body)?;
        }
        self.end_statement(start)?;
        self.patterns.insert(name.name, pattern);
        Ok(())
    }

    /// `Name:string` in a pattern's declaration (only strings are keys).
    fn parse_string_param(&mut self) -> PResult<()> {
        self.parse_name("an argument name")?;
        self.expect(TokenKind::Colon, "':' and a type after the argument name")?;
        let kind = self.parse_name("a type")?;
        if kind.name != "string" {
            return Err(QueryError::syntax(
                format!("a pattern's arguments are strings, not {}", kind.name),
                kind.span,
            ));
        }
        Ok(())
    }

    /// `("a", "b").["path"]` (or `.path`): a mapping's or an invocation's
    /// values, checked against the pattern's declaration.
    fn parse_pattern_key(
        &mut self,
        arity: usize,
        with_path: bool,
    ) -> PResult<(Vec<String>, Option<String>)> {
        let open = self.expect(TokenKind::LParen, "'(' and the pattern's values")?;
        let mut args = Vec::new();
        loop {
            if !matches!(self.kind(), TokenKind::Str(_)) {
                return Err(self.expected_after("a string value"));
            }
            args.push(self.parse_string_literal().0);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        let close = self.expect_close(TokenKind::RParen, open)?;
        let path = if self.eat(&TokenKind::Dot) {
            if self.at(&TokenKind::LBracket) {
                let open = self.bump().span;
                if !matches!(self.kind(), TokenKind::Str(_)) {
                    return Err(self.expected_after("a string path"));
                }
                let path = self.parse_string_literal().0;
                self.expect_close(TokenKind::RBracket, open)?;
                Some(path)
            } else {
                Some(self.parse_name("a path after '.'")?.name)
            }
        } else {
            None
        };
        if args.len() != arity || path.is_some() != with_path {
            return Err(QueryError::syntax(
                format!(
                    "this pattern takes {arity} value{}{}",
                    if arity == 1 { "" } else { "s" },
                    if with_path { " and a path" } else { "" }
                ),
                open.to(close),
            ));
        }
        Ok((args, path))
    }

    /// When `name` is a declared pattern and a call follows, the
    /// invocation read as the query its mapping names.
    pub(super) fn pattern_source(&mut self, name: &Ident) -> PResult<Option<Source>> {
        if !self.at(&TokenKind::LParen) {
            return Ok(None);
        }
        // An empty pattern fits any invocation, and maps none.
        let (arity, path) = match self.patterns.get(&name.name) {
            None => return Ok(None),
            Some(_) if let Some(e) = self.hidden_pattern(name) => return Err(e),
            Some(p) if p.arity > 0 => (p.arity, p.path),
            Some(_) => (self.count_call_values(), self.call_has_path()),
        };
        let key = self.parse_pattern_key(arity, path)?;
        let found = self
            .patterns
            .get(&name.name)
            .and_then(|p| p.mappings.get(&key))
            .cloned();
        let span = name.span.to(self.prev_span());
        match found {
            Some(query) => Ok(Some(Source::Paren(Box::new(query)))),
            None => Err(QueryError::new(
                ErrorKind::Unknown,
                format!(
                    "One or more pattern references were not declared. Detected pattern references: [\"{}\"]",
                    self.text(span).replace('"', "'")
                ),
                Some(span),
            )),
        }
    }

    /// How many comma-separated values the call at the cursor has.
    fn count_call_values(&self) -> usize {
        let mut n = 1;
        let mut i = 1;
        loop {
            match self.kind_at(i) {
                TokenKind::Comma => n += 1,
                TokenKind::RParen | TokenKind::Eof => return n,
                _ => {}
            }
            i += 1;
        }
    }

    /// Whether the call at the cursor is followed by `.path`.
    fn call_has_path(&self) -> bool {
        let mut i = 1;
        while !matches!(self.kind_at(i), TokenKind::RParen | TokenKind::Eof) {
            i += 1;
        }
        matches!(self.kind_at(i + 1), TokenKind::Dot)
    }

    /// `alias database Name = cluster(...).database(...);`: refused.
    pub(super) fn refuse_alias(&mut self) -> PResult<()> {
        let at = self.span();
        if self.unsupported.is_none() {
            self.unsupported = Some(QueryError::new(
                ErrorKind::Unsupported,
                "alias database names a database of a Kusto cluster, which Quarry cannot reach offline: it queries the tables it loaded",
                Some(at.to(self.tok_at(self.pos + 1).span)),
            ));
        }
        self.bump();
        while !matches!(self.kind(), TokenKind::Semi | TokenKind::Eof) {
            self.bump();
        }
        self.end_statement(at)
    }

    /// The `;` that ends a statement started at `start`.
    fn end_statement(&mut self, start: Span) -> PResult<()> {
        if self.eat(&TokenKind::Semi) {
            return Ok(());
        }
        Err(QueryError::syntax(
            "expected ';' after the statement",
            start.to(self.prev_span()),
        ))
    }
}
