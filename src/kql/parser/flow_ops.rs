//! Operators that run logic over the rows as a sequence or by group:
//! `scan` and `partition`.

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
    /// `scan [with_match_id=Id] [declare (Name:type [= v], ...)] with (steps)`,
    /// after `scan`.
    pub(super) fn parse_scan(&mut self) -> PResult<OperatorKind> {
        let options = self.parse_options(&["with_match_id"])?;
        let match_id = options
            .into_iter()
            .find(|o| o.name.name == "with_match_id")
            .map(|o| o.value);
        let mut declare: Vec<(Ident, String, Option<Expr>)> = Vec::new();
        if self.eat_ident("declare") {
            let open = self.expect(TokenKind::LParen, "'(' and the declared columns")?;
            loop {
                let name = self.parse_name("a column name")?;
                self.expect(TokenKind::Colon, "':' and the column's type")?;
                let kind = self.parse_known_type_name()?;
                let default = if self.eat(&TokenKind::Assign) {
                    Some(self.parse_expr()?)
                } else {
                    None
                };
                if declare.iter().any(|(n, _, _)| n.name == name.name) {
                    return Err(QueryError::syntax(
                        format!("'{}' is declared twice", name.name),
                        name.span,
                    ));
                }
                declare.push((name, kind, default));
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect_close(TokenKind::RParen, open)?;
        }
        if !self.eat_ident("with") {
            return Err(self.expected_after("'with' and the steps in parentheses"));
        }
        let open = self.expect(TokenKind::LParen, "'(' and the steps")?;
        let mut steps: Vec<ScanStep> = Vec::new();
        while self.is_ident("step") {
            let step = self.parse_scan_step()?;
            if steps.iter().any(|s| s.name.name == step.name.name) {
                return Err(QueryError::syntax(
                    format!("a step named '{}' already exists", step.name.name),
                    step.name.span,
                ));
            }
            steps.push(step);
            if !self.eat(&TokenKind::Semi) {
                break;
            }
        }
        if steps.is_empty() {
            return Err(self.expected_after("a step: 'step Name: Condition;'"));
        }
        if !self.at(&TokenKind::RParen) {
            return Err(self.error_here(format!(
                "expected 'step' or ')' closing the steps, found {}",
                self.describe_current()
            )));
        }
        self.expect_close(TokenKind::RParen, open)?;
        Ok(OperatorKind::Scan(Box::new(Scan {
            match_id,
            declare,
            steps,
        })))
    }

    /// `step Name [output=all|last|none]: Condition [=> Col = expr, ...]`.
    /// A step may assign a declared column or one of the input's (Kusto's
    /// parser allows both); which columns the input has is known when the
    /// query runs.
    fn parse_scan_step(&mut self) -> PResult<ScanStep> {
        self.bump();
        let name = self.parse_name("a step name")?;
        let mut output = StepOutput::All;
        if self.eat_ident("output") {
            self.expect(TokenKind::Assign, "'=' after 'output'")?;
            let value = self.parse_name("all, last or none")?;
            output = match value.name.as_str() {
                "all" => StepOutput::All,
                "last" => StepOutput::Last,
                "none" => StepOutput::None,
                other => {
                    return Err(QueryError::syntax(
                        format!("a step's output is all, last or none, not '{other}'"),
                        value.span,
                    ));
                }
            };
        }
        self.expect(TokenKind::Colon, "':' and the step's condition")?;
        let condition = self.parse_expr()?;
        let mut assignments = Vec::new();
        if self.eat(&TokenKind::Arrow) {
            loop {
                let a = self.parse_assignment()?;
                if a.names.len() != 1 {
                    return Err(QueryError::syntax(
                        "a step assigns one column: 'Name = expr'",
                        a.span,
                    ));
                }
                assignments.push(a);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        Ok(ScanStep {
            name,
            output,
            condition,
            assignments,
        })
    }

    /// `partition [hint.strategy=s] [hints] by Col (subquery)` or
    /// `{ query }`, after `partition`.
    pub(super) fn parse_partition(&mut self) -> PResult<OperatorKind> {
        let options = self.parse_options(&[])?;
        for o in &options {
            if o.name.name == "hint.strategy"
                && !matches!(o.value.name.as_str(), "native" | "shuffle" | "legacy")
            {
                return Err(QueryError::syntax(
                    format!(
                        "hint.strategy is native, shuffle or legacy, not '{}'",
                        o.value.name
                    ),
                    o.value.span,
                ));
            }
        }
        if !self.eat_ident("by") {
            return Err(self.expected_after("'by' and the partition column"));
        }
        let by = self.parse_name("the partition column")?;
        let body = if self.at(&TokenKind::LParen) {
            let open = self.bump().span;
            let ops = self.parse_subquery_ops()?;
            self.expect_close(TokenKind::RParen, open)?;
            PartitionBody::Ops(ops)
        } else if self.at(&TokenKind::LBrace) {
            let open = self.bump().span;
            let query = self.parse_pipeline()?;
            self.expect_close(TokenKind::RBrace, open)?;
            PartitionBody::Query(Box::new(query))
        } else {
            return Err(self.expected_after("the subquery in '(...)' or '{...}'"));
        };
        Ok(OperatorKind::Partition { options, by, body })
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::printed::only_op;
    use super::*;

    fn err(src: &str) -> String {
        parse(src).expect_err("an error").message
    }

    #[test]
    fn scan_steps_and_declarations() {
        let OperatorKind::Scan(scan) = only_op(
            "T | scan with_match_id=m declare (a:long=0, b:string) with (
                step s1: x > 1 => a = x;
                step s2 output=last: x > s1.x => a = s1.a + 1, b = 'y'
            )",
        ) else {
            panic!("not scan")
        };
        assert_eq!(scan.match_id.map(|m| m.name).as_deref(), Some("m"));
        let declared: Vec<(&str, &str, bool)> = scan
            .declare
            .iter()
            .map(|(n, t, d)| (n.name.as_str(), t.as_str(), d.is_some()))
            .collect();
        assert_eq!(declared, [("a", "long", true), ("b", "string", false)]);
        assert_eq!(scan.steps.len(), 2);
        assert_eq!(scan.steps[1].output, StepOutput::Last);
        assert_eq!(scan.steps[1].assignments.len(), 2);
    }

    #[test]
    fn scan_mistakes() {
        let src = "T | scan with (step s: true => (a, b) = f(x);)";
        let e = parse(src).expect_err("an error");
        assert_eq!(
            e.render(src),
            concat!(
                "error: a step assigns one column: 'Name = expr'\n --> line 1, column 32\n",
                "  |\n1 | T | scan with (step s: true => (a, b) = f(x);)\n",
                "  |                                ^^^^^^^^^^^^^"
            )
        );
        assert_eq!(
            err("T | scan with (step s: true => x + 1;)"),
            "a step assigns one column: 'Name = expr'"
        );
        assert_eq!(
            err("T | scan declare (a:long, a:long) with (step s: true;)"),
            "'a' is declared twice"
        );
        assert_eq!(
            err("T | scan with ()"),
            "expected a step: 'step Name: Condition;' after '('"
        );
        assert_eq!(
            err("T | scan with (step s: true; where x)"),
            "expected 'step' or ')' closing the steps, found 'where'"
        );
        assert_eq!(
            err("T | scan declare (a:lng) with (step s: true;)"),
            "unknown type 'lng'"
        );
    }

    #[test]
    fn partition_bodies() {
        let OperatorKind::Partition { by, body, options } =
            only_op("T | partition hint.strategy=native by K (where x > 1 | count)")
        else {
            panic!("not partition")
        };
        assert_eq!(by.name, "K");
        assert_eq!(options.len(), 1);
        assert!(matches!(body, PartitionBody::Ops(ops) if ops.len() == 2));
        let OperatorKind::Partition { body, .. } =
            only_op("T | partition by K { U | where K == x }")
        else {
            panic!("not partition")
        };
        assert!(matches!(body, PartitionBody::Query(_)));
        assert_eq!(
            err("T | partition by K"),
            "expected the subquery in '(...)' or '{...}' after 'K'"
        );
        assert_eq!(
            err("T | partition K (count)"),
            "expected 'by' and the partition column after 'partition'"
        );
    }
}
