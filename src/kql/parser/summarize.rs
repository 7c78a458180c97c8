//! Aggregation: `summarize ... by ...` and `make-series ... on Axis ...`.

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::names::take_option;
use super::{PResult, Parser};

impl Parser<'_> {
    pub(super) fn parse_summarize(&mut self) -> PResult<OperatorKind> {
        let options = self.parse_options(&[])?;
        let aggregates = if self.is_ident("by") || self.at_operator_end() {
            Vec::new()
        } else {
            self.parse_assignments()?
        };
        let by = if self.eat_ident("by") {
            self.parse_assignments()?
        } else {
            Vec::new()
        };
        if aggregates.is_empty() && by.is_empty() {
            return Err(self.expected_after("an aggregation or 'by'"));
        }
        Ok(OperatorKind::Summarize {
            options,
            aggregates,
            by,
        })
    }

    /// `make-series [kind=..] [Name =] agg [default = v], ... on Axis
    /// (from a to b step s | in range(a, b, s)) [by ...]`
    pub(super) fn parse_make_series(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["kind"])?;
        let nonempty = match take_option(&mut options, "kind") {
            None => false,
            Some(kind) if kind.name == "nonempty" => true,
            Some(kind) => {
                return Err(QueryError::syntax(
                    format!(
                        "unknown make-series kind '{}' (expected nonempty)",
                        kind.name
                    ),
                    kind.span,
                ));
            }
        };
        let mut aggregates = Vec::new();
        loop {
            let assignment = self.parse_assignment()?;
            let default =
                if self.is_ident("default") && matches!(self.kind_at(1), TokenKind::Assign) {
                    self.pos += 2;
                    Some(self.parse_expr()?)
                } else {
                    None
                };
            aggregates.push(SeriesAggregate {
                assignment,
                default,
            });
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        if !self.eat_ident("on") {
            return Err(self.expected_after("'on' and the axis column"));
        }
        // `Axis in range(...)`: the axis is a plain name, or `in` would be
        // read as the list operator.
        let axis = if self
            .name_len_at(0)
            .is_some_and(|n| self.ident_at(n) == Some("in"))
        {
            let name = self.parse_name("the axis column")?;
            Expr {
                kind: ExprKind::Name(name.name),
                span: name.span,
            }
        } else {
            self.parse_expr()?
        };
        let range_syntax = self.is_ident("in");
        let (from, to, step) = if self.eat_ident("in") {
            if !self.eat_ident("range") {
                return Err(self.expected_after("'range(start, stop, step)'"));
            }
            let start = self.span();
            let mut args = self.parse_call_args()?;
            if args.len() != 3 {
                return Err(QueryError::syntax(
                    "range() takes 3 arguments: start, stop and step",
                    start.to(self.prev_span()),
                ));
            }
            let step = args.pop();
            let to = args.pop();
            let from = args.pop();
            match step {
                Some(step) => (from, to, step),
                None => return Err(self.expected_after("'range(start, stop, step)'")),
            }
        } else {
            let from = if self.eat_ident("from") {
                Some(self.parse_expr()?)
            } else {
                None
            };
            let to = if self.eat_ident("to") {
                Some(self.parse_expr()?)
            } else {
                None
            };
            if !self.eat_ident("step") {
                return Err(self.expected_after("'step'"));
            }
            (from, to, self.parse_expr()?)
        };
        let by = if self.eat_ident("by") {
            self.parse_assignments()?
        } else {
            Vec::new()
        };
        Ok(OperatorKind::MakeSeries {
            nonempty,
            aggregates,
            axis,
            from,
            to,
            step,
            range_syntax,
            by,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::printed::piped;

    #[test]
    fn summarize() {
        assert_eq!(
            piped("summarize count() by a, b"),
            "summarize count() by a, b"
        );
        assert_eq!(
            piped(
                "summarize hint.strategy=shuffle hint.num_partitions=10 N = count(), dcount(x) by bin(Timestamp, 1h), K = tolower(k)"
            ),
            "summarize hint.strategy=shuffle hint.num_partitions=10 N=count(), dcount(x) by bin(Timestamp, ts(36000000000)), K=tolower(k)"
        );
        assert_eq!(
            piped("summarize (A, B) = arg_max(T, x) by k"),
            "summarize (A, B)=arg_max(T, x) by k"
        );
        assert_eq!(piped("summarize by a"), "summarize  by a");
        assert_eq!(
            piped("summarize StartTime = arg_min(Timestamp, *)"),
            "summarize StartTime=arg_min(Timestamp, *) by "
        );
        assert_eq!(
            piped("summarize"),
            "error: expected an aggregation or 'by' after 'summarize'"
        );
    }

    #[test]
    fn make_series() {
        assert_eq!(
            piped(
                "make-series C = count() default=0, avg(x) on Timestamp from ago(1d) to now() step 1h by Dev"
            ),
            "make-series C=count() default=0, avg(x) on Timestamp from ago(ts(864000000000)) to now() step ts(36000000000) by Dev"
        );
        assert_eq!(
            piped("make-series kind=nonempty count() on T in range(0, 10, 1)"),
            "make-series kind=nonempty count() on T from 0 to 10 step 1 range by "
        );
        assert_eq!(
            piped("make-series count() on T step 1h"),
            "make-series count() on T step ts(36000000000) by "
        );
        assert_eq!(
            piped("make-series count() on T"),
            "error: expected 'step' after 'T'"
        );
        assert_eq!(
            piped("make-series kind=all count() on T step 1"),
            "error: unknown make-series kind 'all' (expected nonempty)"
        );
        assert_eq!(
            piped("make-series count() on T in range(0, 10)"),
            "error: range() takes 3 arguments: start, stop and step"
        );
    }
}
