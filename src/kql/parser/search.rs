//! The `search` operator: its `kind=`, the `in (Tables)` scope and a
//! predicate whose bare words and strings are terms.

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::expr::termify;
use super::names::take_option;
use super::{PResult, Parser};

impl Parser<'_> {
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
