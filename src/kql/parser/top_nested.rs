//! The `top-nested` operator's clauses.

use super::super::ast::*;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
    /// `[N] of [Name =] Expr [with others = v] by [Name =] Agg [asc|desc]`,
    /// after the first `top-nested`; each further clause starts with
    /// `, top-nested`.
    pub(super) fn parse_top_nested(&mut self, first: Span) -> PResult<OperatorKind> {
        let mut levels = vec![self.parse_top_nested_level(first)?];
        while self.eat(&TokenKind::Comma) {
            let start = self.span();
            if !self.eat_top_nested() {
                return Err(self.expected_after("'top-nested'"));
            }
            levels.push(self.parse_top_nested_level(start)?);
        }
        Ok(OperatorKind::TopNested(levels))
    }

    fn parse_top_nested_level(&mut self, start: Span) -> PResult<TopNestedLevel> {
        let count = if self.is_ident("of") {
            None
        } else if self.at_operator_end() || self.at(&TokenKind::Comma) {
            return Err(self.error_here("expected a count or 'of' after 'top-nested'"));
        } else {
            Some(self.parse_expr()?)
        };
        if !self.eat_ident("of") {
            return Err(self.expected_after("'of'"));
        }
        let of = self.parse_assignment()?;
        let others = if self.eat_ident("with") {
            if !self.eat_ident("others") {
                return Err(self.expected_after("'others'"));
            }
            self.expect(TokenKind::Assign, "'=' and the value of the others row")?;
            Some(self.parse_expr()?)
        } else {
            None
        };
        if !self.eat_ident("by") {
            return Err(self.expected_after("'by'"));
        }
        let by = self.parse_assignment()?;
        let dir = self.parse_sort_dir();
        Ok(TopNestedLevel {
            count,
            of,
            others,
            by,
            dir,
            span: start.to(self.prev_span()),
        })
    }

    /// `top-nested` as one word: `top`, `-` and `nested` with no space.
    fn eat_top_nested(&mut self) -> bool {
        let hit = self.is_ident("top")
            && matches!(self.kind_at(1), TokenKind::Minus)
            && self.glued(1)
            && self.ident_at(2) == Some("nested")
            && self.glued(2);
        if hit {
            self.pos += 3;
        }
        hit
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::printed::op;

    fn first_op(src: &str) -> String {
        let query = parse(src).unwrap_or_else(|e| panic!("{src}: {}", e.render(src)));
        query.body.ops.first().map(op).unwrap_or_default()
    }

    #[test]
    fn clauses_with_and_without_their_options() {
        assert_eq!(
            first_op(
                "T | top-nested 2 of State with others = \"rest\" by sum(x), top-nested of Ev by Ignore = max(1) asc"
            ),
            "top-nested [2 of State others \"rest\" by sum(x) None], \
             [ of Ev by Ignore=max(1) Some(Asc)]"
        );
        assert_eq!(
            first_op("T | top-nested n + 1 of D = tolower(a) by c = count() desc"),
            "top-nested [(+ n 1) of D=tolower(a) by c=count() Some(Desc)]"
        );
    }

    #[test]
    fn top_nested_glued_only() {
        // `top - nested` with spaces is not the operator's name.
        let src = "T | top-nested 1 of a by count(), top - nested 1 of b by count()";
        let e = parse(src).expect_err("a spaced minus");
        assert_eq!(e.message, "expected 'top-nested' after ','");
    }
}
