//! The operators added for the rest of the reference: `fork` and `facet`
//! (several results), `sample-distinct`, `top-hitters` and `consume`.

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

/// An operator that makes several results, as met by the parser.
pub(super) struct SeveralAt {
    /// Where the operator starts: the last operator of a statement is
    /// the one place it may be.
    start: usize,
    /// The operator (`fork`, `evaluate preview`) and where to point.
    label: String,
    caret: Span,
}

impl Parser<'_> {
    /// Notes `op` if it makes several results; `caret` is its name.
    pub(super) fn note_several(&mut self, op: &Operator, caret: Span) {
        if !op.kind.several_results() {
            return;
        }
        let (label, caret) = match &op.kind {
            OperatorKind::Evaluate { plugin, .. } => {
                (format!("evaluate {}", plugin.name), plugin.span)
            }
            _ => (self.text(caret).to_string(), caret),
        };
        self.several.push(SeveralAt {
            start: op.span.start,
            label,
            caret,
        });
    }

    /// Refuses an operator with several results anywhere but at the end
    /// of a statement: nothing can read its tables (a pipe takes one).
    pub(super) fn check_several(&self, query: &Query) -> PResult<()> {
        let lasts: Vec<usize> = query
            .statements()
            .filter_map(|p| p.ops.last().map(|op| op.span.start))
            .collect();
        match self.several.iter().find(|s| !lasts.contains(&s.start)) {
            Some(s) => Err(QueryError::syntax(
                format!(
                    "{} makes several results, so it must be the last operator of the query",
                    s.label
                ),
                s.caret,
            )),
            None => Ok(()),
        }
    }

    /// The arguments of a plugin that needs a service. Quarry never runs
    /// them, and they may hold syntax of the service's (`r(typeof(*,
    /// fx:double), ...)`): when they do not parse, they are read past, so
    /// the error is the one that says the plugin needs its service.
    pub(super) fn parse_service_args(&mut self) -> PResult<Vec<Expr>> {
        let (pos, unsupported) = (self.pos, self.unsupported.clone());
        if let Ok(args) = self.parse_call_args() {
            return Ok(args);
        }
        self.pos = pos;
        self.unsupported = unsupported;
        let open = self.expect(TokenKind::LParen, "'('")?;
        let mut depth = 0usize;
        loop {
            match self.kind() {
                TokenKind::Eof => {
                    return self
                        .expect_close(TokenKind::RParen, open)
                        .map(|_| Vec::new());
                }
                TokenKind::RParen if depth == 0 => {
                    self.bump();
                    return Ok(Vec::new());
                }
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth = depth.saturating_sub(1)
                }
                _ => {}
            }
            self.bump();
        }
    }

    /// `fork [name=](ops) [name=](ops) ...`, after `fork`.
    pub(super) fn parse_fork(&mut self) -> PResult<OperatorKind> {
        let mut legs = Vec::new();
        loop {
            let start = self.span();
            let named = self
                .name_len_at(0)
                .is_some_and(|n| matches!(self.kind_at(n), TokenKind::Assign));
            let name = if named {
                let name = self.parse_name("a result name")?;
                self.bump();
                Some(name)
            } else {
                None
            };
            if !self.at(&TokenKind::LParen) {
                if name.is_some() || legs.is_empty() {
                    return Err(self.expected_after("a subquery in '(...)'"));
                }
                break;
            }
            let open = self.bump().span;
            let ops = self.parse_subquery_ops()?;
            let close = self.expect_close(TokenKind::RParen, open)?;
            legs.push(ForkLeg {
                name,
                ops,
                span: start.to(close),
            });
        }
        Ok(OperatorKind::Fork(legs))
    }

    /// `facet by Col [, Col ...] [with (ops)]`, after `facet`.
    pub(super) fn parse_facet(&mut self) -> PResult<OperatorKind> {
        if !self.eat_ident("by") {
            return Err(self.expected_after("'by' and the columns to count"));
        }
        let mut columns = vec![self.parse_name("a column name")?];
        while self.eat(&TokenKind::Comma) {
            columns.push(self.parse_name("a column name")?);
        }
        let with = if self.eat_ident("with") {
            let open = self.expect(
                TokenKind::LParen,
                "'(' and the operators of the 'with' table",
            )?;
            let ops = self.parse_subquery_ops()?;
            self.expect_close(TokenKind::RParen, open)?;
            Some(ops)
        } else {
            None
        };
        Ok(OperatorKind::Facet { columns, with })
    }

    /// `sample-distinct N of Column`, after the operator's name.
    pub(super) fn parse_sample_distinct(&mut self) -> PResult<OperatorKind> {
        if self.at_operator_end() {
            return Err(self.expected_after("the number of values"));
        }
        let count = self.parse_expr()?;
        if !self.eat_ident("of") {
            return Err(self.expected_after("'of' and a column name"));
        }
        let column = self.parse_name("a column name")?;
        Ok(OperatorKind::SampleDistinct { count, column })
    }

    /// `top-hitters N of Expr [by Expr]`, after the operator's name.
    pub(super) fn parse_top_hitters(&mut self) -> PResult<OperatorKind> {
        if self.at_operator_end() {
            return Err(self.expected_after("the number of values"));
        }
        let count = self.parse_expr()?;
        if !self.eat_ident("of") {
            return Err(self.expected_after("'of' and the values to rank"));
        }
        let of = self.parse_expr()?;
        let by = if self.eat_ident("by") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        Ok(OperatorKind::TopHitters { count, of, by })
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::printed::{only_op, piped};
    use super::*;

    fn err(src: &str) -> String {
        parse(src).expect_err("an error").message
    }

    #[test]
    fn fork_legs_with_and_without_names() {
        let OperatorKind::Fork(legs) =
            only_op("T | fork (where a > 1) Named = (count | as X) (take 1)")
        else {
            panic!("not fork")
        };
        let names: Vec<Option<&str>> = legs
            .iter()
            .map(|l| l.name.as_ref().map(|n| n.name.as_str()))
            .collect();
        assert_eq!(names, vec![None, Some("Named"), None]);
        assert_eq!(legs[1].ops.len(), 2);
        assert_eq!(
            piped("fork"),
            "error: expected a subquery in '(...)' after 'fork'"
        );
        assert_eq!(
            piped("fork A = where x"),
            "error: expected a subquery in '(...)' after '='"
        );
    }

    #[test]
    fn facet_columns_and_with() {
        let OperatorKind::Facet { columns, with } =
            only_op("T | facet by State, EventType with (where x | take 5)")
        else {
            panic!("not facet")
        };
        assert_eq!(columns.len(), 2);
        assert_eq!(with.map(|w| w.len()), Some(2));
        assert_eq!(
            piped("facet State"),
            "error: expected 'by' and the columns to count after 'facet'"
        );
    }

    #[test]
    fn sample_distinct_and_top_hitters() {
        assert!(matches!(
            only_op("T | sample-distinct 10 of EpisodeId"),
            OperatorKind::SampleDistinct { .. }
        ));
        assert!(matches!(
            only_op("T | top-hitters 5 of EventType by DamageProperty"),
            OperatorKind::TopHitters { by: Some(_), .. }
        ));
        assert_eq!(
            err("T | sample-distinct 10 EpisodeId"),
            "expected 'of' and a column name after '10'"
        );
        assert_eq!(
            err("T | top-hitters 5"),
            "expected 'of' and the values to rank after '5'"
        );
        assert!(matches!(
            only_op("T | consume decodeblocks=true"),
            OperatorKind::Consume
        ));
    }
}
