//! Expanding arrays and bags into rows: `mv-expand`, and `mv-apply`, which
//! runs a subquery over each row's expanded values.

use super::super::ast::*;
use super::super::lexer::TokenKind;
use super::names::take_option;
use super::{PResult, Parser};

impl Parser<'_> {
    pub(super) fn parse_mv_expand(&mut self) -> PResult<OperatorKind> {
        let options = self.parse_options(&["bagexpansion", "with_itemindex", "kind"])?;
        let (columns, to_types, limit) = self.parse_expansions()?;
        Ok(OperatorKind::MvExpand {
            columns,
            limit,
            options,
            to_types,
        })
    }

    /// The columns of `mv-expand` and `mv-apply`: `[Name =] expr [to
    /// typeof(t)], ...`, then an optional `limit n`.
    #[allow(clippy::type_complexity)]
    fn parse_expansions(
        &mut self,
    ) -> PResult<(Vec<Assignment>, Vec<Option<String>>, Option<Expr>)> {
        let mut columns = Vec::new();
        let mut to_types = Vec::new();
        loop {
            columns.push(self.parse_assignment()?);
            to_types.push(if self.eat_ident("to") {
                Some(self.parse_typeof()?)
            } else {
                None
            });
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        let limit = if self.eat_ident("limit") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        Ok((columns, to_types, limit))
    }

    /// `mv-apply [with_itemindex=I] [Name =] expr [to typeof(t)], ... [limit n] on (subquery)`
    pub(super) fn parse_mv_apply(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["with_itemindex"])?;
        let item_index = take_option(&mut options, "with_itemindex");
        let (columns, to_types, limit) = self.parse_expansions()?;
        if !self.eat_ident("on") {
            return Err(self.expected_after("'on' and the subquery in parentheses"));
        }
        let open = self.expect(TokenKind::LParen, "'(' and the subquery")?;
        let subquery = self.parse_subquery_ops()?;
        self.expect_close(TokenKind::RParen, open)?;
        Ok(OperatorKind::MvApply {
            columns,
            to_types,
            item_index,
            limit,
            subquery,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::printed::piped;

    #[test]
    fn mv_expand() {
        assert_eq!(piped("mv-expand a"), "mv-expand a");
        assert_eq!(
            piped(
                "mv-expand bagexpansion=array with_itemindex=i a to typeof(string), b = c.d limit 10"
            ),
            "mv-expand bagexpansion=array with_itemindex=i a to string, b=c.d limit 10"
        );
        assert_eq!(piped("mvexpand a"), "mv-expand a");
        assert_eq!(
            piped("mv-expand a to string"),
            "error: expected 'typeof(type)' after 'to'"
        );
    }

    #[test]
    fn mv_apply() {
        assert_eq!(
            piped(
                "mv-apply with_itemindex=i x = arr to typeof(long), y limit 5 on (where x > 1 | summarize make_list(x))"
            ),
            "mv-apply with_itemindex=i x=arr to long, y limit 5 on (where (> x 1) | summarize make_list(x) by )"
        );
        assert_eq!(piped("mvapply a on (take 1)"), "mv-apply a on (take 1)");
        assert_eq!(
            piped("mv-apply a on (mv-apply b on (project b))"),
            "mv-apply a on (mv-apply b on (project b))"
        );
        assert_eq!(
            piped("mv-apply x"),
            "error: expected 'on' and the subquery in parentheses after 'x'"
        );
        assert_eq!(
            piped("mv-apply x on where"),
            "error: expected '(' and the subquery after 'on'"
        );
        assert_eq!(
            piped("mv-apply x on ()"),
            "error: expected an operator after '('"
        );
        assert_eq!(
            piped("mv-apply x on (take 1"),
            "error: expected ')' to close '(' opened at line 1, column 19"
        );
    }
}
