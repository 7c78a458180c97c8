//! Names as a query writes them: column and table names (plain or quoted
//! `['My Column']`), wildcard patterns (`Device*`), the `name=value`
//! options at the head of an operator (`kind=inner`, `hint.strategy=...`),
//! type names and the `Name:type` column lists of schemas.

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};
use crate::data::types::KqlType;

impl Parser<'_> {
    /// A name: an identifier (keywords too, KQL is permissive) or a quoted
    /// `['My Column']` / `["x"]`.
    pub(super) fn at_name(&self) -> bool {
        match self.kind() {
            TokenKind::Ident(_) => true,
            TokenKind::LBracket => self.at_quoted_name(),
            _ => false,
        }
    }

    pub(super) fn at_quoted_name(&self) -> bool {
        matches!(self.kind(), TokenKind::LBracket)
            && matches!(self.kind_at(1), TokenKind::Str(_))
            && matches!(self.kind_at(2), TokenKind::RBracket)
    }

    /// Number of tokens the name at `offset` spans (1 or 3), if any.
    pub(super) fn name_len_at(&self, offset: usize) -> Option<usize> {
        match self.kind_at(offset) {
            TokenKind::Ident(_) => Some(1),
            TokenKind::LBracket
                if matches!(self.kind_at(offset + 1), TokenKind::Str(_))
                    && matches!(self.kind_at(offset + 2), TokenKind::RBracket) =>
            {
                Some(3)
            }
            _ => None,
        }
    }

    pub(super) fn parse_name(&mut self, what: &str) -> PResult<Ident> {
        match self.kind().clone() {
            TokenKind::Ident(name) => {
                let span = self.bump().span;
                Ok(Ident { name, span })
            }
            TokenKind::LBracket if self.at_quoted_name() => {
                let open = self.bump().span;
                let TokenKind::Str(name) = self.bump().kind else {
                    unreachable!("checked by at_quoted_name")
                };
                let close = self.bump().span;
                Ok(Ident {
                    name,
                    span: open.to(close),
                })
            }
            _ => Err(self.expected_after(what)),
        }
    }

    /// A name that may hold `*` wildcards: `Device*`, `*Id`, `Init*Name`.
    pub(super) fn parse_name_pattern(&mut self, what: &str) -> PResult<Ident> {
        if self.at_quoted_name() {
            return self.parse_name(what);
        }
        if !matches!(self.kind(), TokenKind::Ident(_) | TokenKind::Star) {
            return Err(self.expected_after(what));
        }
        let start = self.bump().span;
        let mut end = start;
        while self.glued(0)
            && matches!(
                self.kind(),
                TokenKind::Ident(_) | TokenKind::Star | TokenKind::Long(_)
            )
        {
            end = self.bump().span;
        }
        let span = start.to(end);
        Ok(Ident {
            name: self.text(span).to_string(),
            span,
        })
    }

    /// `A, B*, C` up to the end of the operator.
    pub(super) fn parse_name_pattern_list(&mut self, what: &str) -> PResult<Vec<Ident>> {
        let mut names = vec![self.parse_name_pattern(what)?];
        while self.eat(&TokenKind::Comma) {
            names.push(self.parse_name_pattern(what)?);
        }
        Ok(names)
    }

    /// `name=value` options (`kind=inner`, `hint.strategy=shuffle`) at the
    /// start of an operator; `names` lists the plain ones it takes, and
    /// every operator takes `hint.*`.
    pub(super) fn parse_options(&mut self, names: &[&str]) -> PResult<Vec<OpOption>> {
        let mut options = Vec::new();
        while let Some(first) = self.ident_at(0) {
            let dotted = first == "hint" && matches!(self.kind_at(1), TokenKind::Dot);
            let plain = names.contains(&first) && matches!(self.kind_at(1), TokenKind::Assign);
            if !(dotted || plain) {
                break;
            }
            let start = self.span();
            let mut end = self.bump().span;
            while self.eat(&TokenKind::Dot) {
                end = self.parse_name("an option name")?.span;
            }
            let span = start.to(end);
            let name = Ident {
                name: self.text(span).to_string(),
                span,
            };
            self.expect(TokenKind::Assign, "'=' after the option name")?;
            let value = self.parse_option_value()?;
            options.push(OpOption { name, value });
        }
        Ok(options)
    }

    pub(super) fn parse_option_value(&mut self) -> PResult<Ident> {
        let tok = self.peek().clone();
        let name = match &tok.kind {
            TokenKind::Ident(s) | TokenKind::Str(s) => s.clone(),
            TokenKind::Long(_) | TokenKind::Real(_) | TokenKind::Timespan(_) => {
                self.text(tok.span).to_string()
            }
            _ => return Err(self.expected_after("an option value")),
        };
        self.bump();
        Ok(Ident {
            name,
            span: tok.span,
        })
    }

    /// A scalar type name: `string`, `long`, `datetime`, ...
    pub(super) fn parse_type_name(&mut self) -> PResult<String> {
        match self.kind() {
            TokenKind::Ident(name) => {
                let name = name.clone();
                self.bump();
                Ok(name)
            }
            _ => Err(self.expected_after("a type name")),
        }
    }

    /// A type name Quarry knows (`string`, `long`, ...); another is an
    /// error at its token.
    pub(super) fn parse_known_type_name(&mut self) -> PResult<String> {
        let span = self.span();
        let kind = self.parse_type_name()?;
        if KqlType::parse(&kind).is_none() {
            return Err(QueryError::syntax(format!("unknown type '{kind}'"), span));
        }
        Ok(kind)
    }

    /// `Name:type, ...`: the columns of a schema (`datatable`,
    /// `externaldata`, a plugin's output), up to the `)` that closes it,
    /// which is left to the caller; `trailing_comma` accepts `, )`.
    pub(super) fn parse_column_types(
        &mut self,
        trailing_comma: bool,
    ) -> PResult<Vec<(Ident, String)>> {
        let mut columns = Vec::new();
        loop {
            let name = self.parse_name("a column name")?;
            self.expect(TokenKind::Colon, "':' and a type after the column name")?;
            columns.push((name, self.parse_type_name()?));
            if !self.eat(&TokenKind::Comma) || trailing_comma && self.at(&TokenKind::RParen) {
                break;
            }
        }
        Ok(columns)
    }

    /// `typeof(string)` after `to`: the type name.
    pub(super) fn parse_typeof(&mut self) -> PResult<String> {
        if !self.eat_ident("typeof") {
            return Err(self.expected_after("'typeof(type)'"));
        }
        let open = self.expect(TokenKind::LParen, "'('")?;
        let ty = self.parse_type_name()?;
        self.expect_close(TokenKind::RParen, open)?;
        Ok(ty)
    }
}

/// Remove the option called `name` and return its value.
pub(super) fn take_option(options: &mut Vec<OpOption>, name: &str) -> Option<Ident> {
    let i = options.iter().position(|o| o.name.name == name)?;
    Some(options.remove(i).value)
}
