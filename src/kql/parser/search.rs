//! The `search` operator: its `kind=`, the `in (Tables)` scope and a
//! predicate whose bare words and strings are terms (`"x"`, `x*`,
//! `Col:"x"`).

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::names::take_option;
use super::{PResult, Parser};

impl Parser<'_> {
    /// `search [kind=case_sensitive] [in (Table, Device*)] predicate`,
    /// after `search`.
    pub(super) fn parse_search(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["kind"])?;
        let case_sensitive = match take_option(&mut options, "kind") {
            None => false,
            Some(v) if v.name == "case_sensitive" => true,
            Some(v) if v.name == "case_insensitive" => false,
            Some(v) => {
                return Err(QueryError::syntax(
                    format!(
                        "unknown search kind '{}' (expected case_sensitive or case_insensitive)",
                        v.name
                    ),
                    v.span,
                ));
            }
        };
        let mut tables = Vec::new();
        if self.is_ident("in") && matches!(self.kind_at(1), TokenKind::LParen) {
            self.bump();
            let open = self.bump().span;
            tables = self.parse_name_pattern_list("a table name")?;
            self.expect_close(TokenKind::RParen, open)?;
        }
        if self.at_operator_end() {
            return Err(self.expected_after("a search term"));
        }
        let outer = std::mem::replace(&mut self.search_mode, true);
        let predicate = self.parse_expr();
        self.search_mode = outer;
        Ok(OperatorKind::Search {
            case_sensitive,
            tables,
            predicate: termify(predicate?),
        })
    }

    /// `Col:"x"` or `Col:x*` in a search predicate.
    pub(super) fn parse_scoped_term(&mut self, column: Ident) -> PResult<Expr> {
        self.bump();
        match self.kind() {
            TokenKind::Str(_) => {
                let (text, span) = self.parse_string_literal();
                Ok(Expr {
                    kind: ExprKind::SearchTerm {
                        column: Some(column.clone()),
                        text,
                    },
                    span: column.span.to(span),
                })
            }
            TokenKind::Ident(_) | TokenKind::Star | TokenKind::Long(_) | TokenKind::Real(_) => {
                let start = self.bump().span;
                Ok(self.finish_bare_term(start, Some(column)))
            }
            _ => Err(self.expected_after("a search term")),
        }
    }

    /// An unquoted term whose first token (at `start`) is consumed: the
    /// glued words, numbers and `*` that follow belong to it.
    pub(super) fn finish_bare_term(&mut self, start: Span, column: Option<Ident>) -> Expr {
        let mut end = start;
        while self.glued(0)
            && matches!(
                self.kind(),
                TokenKind::Ident(_) | TokenKind::Star | TokenKind::Long(_) | TokenKind::Real(_)
            )
        {
            end = self.bump().span;
        }
        let text = self.text(start.to(end)).to_string();
        let span = column.as_ref().map_or(start, |c| c.span).to(end);
        Expr {
            kind: ExprKind::SearchTerm { column, text },
            span,
        }
    }
}

/// A search predicate's atoms become terms: `search "x" and not(y)`. Only
/// `and`, `or` and `not()` are walked, so `Col has "x"` keeps its string.
pub(super) fn termify(expr: Expr) -> Expr {
    let Expr { kind, span } = expr;
    let kind = match kind {
        ExprKind::Literal(Literal::String(text)) => ExprKind::SearchTerm { column: None, text },
        ExprKind::Name(text) => ExprKind::SearchTerm { column: None, text },
        ExprKind::Binary {
            op: op @ (BinaryOp::And | BinaryOp::Or),
            left,
            right,
        } => ExprKind::Binary {
            op,
            left: Box::new(termify(*left)),
            right: Box::new(termify(*right)),
        },
        ExprKind::Call { name, args } if name.name == "not" => ExprKind::Call {
            name,
            args: args.into_iter().map(termify).collect(),
        },
        other => other,
    };
    Expr { kind, span }
}

#[cfg(test)]
mod tests {
    use super::super::printed::{piped, q};

    #[test]
    fn search_predicates() {
        assert_eq!(q("search \"x\""), "search term(x)");
        assert_eq!(q("search x"), "search term(x)");
        assert_eq!(q("search x*"), "search term(x*)");
        assert_eq!(q("search *x"), "search term(*x)");
        assert_eq!(q("search *x*"), "search term(*x*)");
        assert_eq!(q("search a*b"), "search term(a*b)");
        assert_eq!(q("search \"a*b\""), "search term(a*b)");
        assert_eq!(q("search Col:\"x\""), "search term(Col:x)");
        assert_eq!(q("search Col:x*"), "search term(Col:x*)");
        assert_eq!(q("search ['My Col']:\"x\""), "search term(My Col:x)");
        assert_eq!(
            q("search \"a\" and (\"b\" or Col:\"c\")"),
            "search (and term(a) (or term(b) term(Col:c)))"
        );
        assert_eq!(
            q("search \"a\" and not(\"b\")"),
            "search (and term(a) not(term(b)))"
        );
        assert_eq!(q("search Col == 5"), "search (== Col 5)");
        assert_eq!(q("search Col has \"x\""), "search (has Col \"x\")");
        assert_eq!(
            q("search in (T1, T2, Device*) \"x\""),
            "search in(T1, T2, Device*) term(x)"
        );
        assert_eq!(q("search kind=case_sensitive \"x\""), "search cs term(x)");
        assert_eq!(q("search kind=case_insensitive \"x\""), "search term(x)");
        assert_eq!(piped("search \"x\""), "search term(x)");
        assert_eq!(
            q("search \u{201c}192.168.0\u{201d}"),
            "search term(192.168.0)"
        );
        assert_eq!(q("search"), "error: expected a search term after 'search'");
        assert_eq!(
            q("search kind=fuzzy \"x\""),
            "error: unknown search kind 'fuzzy' (expected case_sensitive or case_insensitive)"
        );
    }
}
