//! Combining tables: `join` (its kinds and `on` keys), `lookup` and
//! `union`.

use super::super::ast::*;
use super::super::error::{QueryError, did_you_mean};
use super::super::lexer::TokenKind;
use super::names::take_option;
use super::pipeline::CROSS_RESOURCE;
use super::{PResult, Parser};

impl Parser<'_> {
    pub(super) fn parse_join(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["kind"])?;
        let kind = match take_option(&mut options, "kind") {
            None => JoinKind::InnerUnique,
            Some(v) => join_kind(&v)?,
        };
        let right = Box::new(self.parse_join_right()?);
        let on = self.parse_join_on()?;
        Ok(OperatorKind::Join {
            kind,
            options,
            right,
            on,
        })
    }

    pub(super) fn parse_lookup(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["kind"])?;
        let kind = match take_option(&mut options, "kind") {
            None => JoinKind::LeftOuter,
            Some(v) => match join_kind(&v)? {
                kind @ (JoinKind::LeftOuter | JoinKind::Inner) => kind,
                _ => {
                    return Err(QueryError::syntax(
                        format!("lookup kind must be leftouter or inner, not '{}'", v.name),
                        v.span,
                    ));
                }
            },
        };
        let right = Box::new(self.parse_join_right()?);
        let on = self.parse_join_on()?;
        Ok(OperatorKind::Lookup { kind, right, on })
    }

    /// The right side of a join: `(pipeline)` or a table name.
    fn parse_join_right(&mut self) -> PResult<Pipeline> {
        let start = self.span();
        if !self.at(&TokenKind::LParen) && !self.at_name() || self.is_ident("on") {
            return Err(self.expected_after("a table or '(' with the right side"));
        }
        let source = self.parse_source()?;
        Ok(match source {
            Source::Paren(inner) => *inner,
            source => Pipeline {
                source,
                ops: Vec::new(),
                span: start.to(self.prev_span()),
            },
        })
    }

    /// `on A, B`, `on $left.a == $right.b and ...`; empty without `on`.
    fn parse_join_on(&mut self) -> PResult<Vec<JoinKey>> {
        let mut keys = Vec::new();
        if !self.eat_ident("on") {
            return Ok(keys);
        }
        loop {
            keys.push(self.parse_join_key()?);
            if !(self.eat(&TokenKind::Comma) || self.eat_ident("and")) {
                return Ok(keys);
            }
        }
    }

    fn parse_join_key(&mut self) -> PResult<JoinKey> {
        let Some(side) = self.join_side() else {
            let what = "a column name or '$left.column == $right.column'";
            if !self.at_name() {
                return Err(self.expected_after(what));
            }
            return Ok(JoinKey::Same(self.parse_name(what)?));
        };
        let first = self.parse_side_column()?;
        self.expect(TokenKind::EqEq, "'=='")?;
        let other = if side == "$left" { "$right" } else { "$left" };
        if self.join_side() != Some(other) {
            return Err(self.expected_after(&format!("'{other}.column'")));
        }
        let second = self.parse_side_column()?;
        let (left, right) = if side == "$left" {
            (first, second)
        } else {
            (second, first)
        };
        Ok(JoinKey::Pair { left, right })
    }

    fn join_side(&self) -> Option<&'static str> {
        match self.ident_at(0) {
            Some("$left") => Some("$left"),
            Some("$right") => Some("$right"),
            _ => None,
        }
    }

    /// `$left.Col` with the cursor on `$left`; the column name.
    fn parse_side_column(&mut self) -> PResult<Ident> {
        self.bump();
        self.expect(TokenKind::Dot, "'.' and a column name")?;
        self.parse_name("a column name")
    }

    pub(super) fn parse_union(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["kind", "withsource", "isfuzzy"])?;
        let with_source = take_option(&mut options, "withsource");
        let mut tables = Vec::new();
        loop {
            tables.push(self.parse_union_table()?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        Ok(OperatorKind::Union {
            options,
            with_source,
            tables,
        })
    }

    /// `(pipeline)`, `Table`, `Device*` or `f(args)`.
    fn parse_union_table(&mut self) -> PResult<Pipeline> {
        let start = self.span();
        if self.at(&TokenKind::LParen) {
            let open = self.bump().span;
            let inner = self.parse_pipeline()?;
            self.expect_close(TokenKind::RParen, open)?;
            return Ok(inner);
        }
        let name = self.parse_name_pattern("a table name")?;
        let source = if let Some(source) = self.pattern_source(&name)? {
            source
        } else if self.at(&TokenKind::LParen) && CROSS_RESOURCE.contains(&name.name.as_str()) {
            self.skip_cross_resource(name)?
        } else if self.at(&TokenKind::LParen) && !name.name.contains('*') {
            let args = self.parse_call_args()?;
            Source::Call {
                name,
                args,
                span: start.to(self.prev_span()),
            }
        } else {
            Source::Table(name)
        };
        Ok(Pipeline {
            source,
            ops: Vec::new(),
            span: start.to(self.prev_span()),
        })
    }
}

fn join_kind(value: &Ident) -> PResult<JoinKind> {
    Ok(match value.name.as_str() {
        "innerunique" => JoinKind::InnerUnique,
        "inner" => JoinKind::Inner,
        "leftouter" => JoinKind::LeftOuter,
        "rightouter" => JoinKind::RightOuter,
        "fullouter" | "outer" => JoinKind::FullOuter,
        "leftsemi" | "semi" => JoinKind::LeftSemi,
        "leftanti" | "anti" | "leftantisemi" => JoinKind::LeftAnti,
        "rightsemi" => JoinKind::RightSemi,
        "rightanti" | "rightantisemi" => JoinKind::RightAnti,
        other => {
            const KINDS: [&str; 13] = [
                "innerunique",
                "inner",
                "leftouter",
                "rightouter",
                "fullouter",
                "leftsemi",
                "leftanti",
                "rightsemi",
                "rightanti",
                "anti",
                "semi",
                "leftantisemi",
                "rightantisemi",
            ];
            let hint = did_you_mean(other, KINDS);
            return Err(QueryError::syntax(
                format!("unknown join kind '{other}'{hint}"),
                value.span,
            ));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::super::ast::{JoinKind, OperatorKind};
    use super::super::parse;
    use super::super::printed::{piped, q};

    #[test]
    fn joins() {
        assert_eq!(piped("join (U) on a"), "join InnerUnique (U) on a");
        assert_eq!(piped("join kind=inner U on a, b"), "join Inner (U) on a, b");
        assert_eq!(
            piped(
                "join kind=leftouter hint.strategy=broadcast (U | where x) on $left.a == $right.b, c"
            ),
            "join LeftOuter hint.strategy=broadcast (U | where x) on $left.a==$right.b, c"
        );
        assert_eq!(
            piped("join (U) on $right.b == $left.a and $left.c == $right.d"),
            "join InnerUnique (U) on $left.a==$right.b, $left.c==$right.d"
        );
        for (kind, expected) in [
            ("innerunique", JoinKind::InnerUnique),
            ("inner", JoinKind::Inner),
            ("leftouter", JoinKind::LeftOuter),
            ("rightouter", JoinKind::RightOuter),
            ("fullouter", JoinKind::FullOuter),
            ("leftsemi", JoinKind::LeftSemi),
            ("semi", JoinKind::LeftSemi),
            ("leftanti", JoinKind::LeftAnti),
            ("anti", JoinKind::LeftAnti),
            ("leftantisemi", JoinKind::LeftAnti),
            ("rightsemi", JoinKind::RightSemi),
            ("rightanti", JoinKind::RightAnti),
            ("rightantisemi", JoinKind::RightAnti),
        ] {
            let query = parse(&format!("T | join kind={kind} (U) on a")).unwrap();
            let OperatorKind::Join { kind, .. } = &query.body.ops[0].kind else {
                panic!()
            };
            assert_eq!(*kind, expected);
        }
        assert_eq!(
            piped("join kind=innr (U) on a"),
            "error: unknown join kind 'innr' (did you mean 'inner'?)"
        );
        assert_eq!(
            piped("join on a"),
            "error: expected a table or '(' with the right side after 'join'"
        );
        assert_eq!(
            piped("join (U) on $left.a"),
            "error: expected '==' after 'a'"
        );
        assert_eq!(
            piped("join (U) on $left.a == $left.b"),
            "error: expected '$right.column' after '=='"
        );
        assert_eq!(
            piped("join (U) on 5"),
            "error: expected a column name or '$left.column == $right.column' after 'on'"
        );
    }

    #[test]
    fn lookups() {
        assert_eq!(piped("lookup (U) on a"), "lookup LeftOuter (U) on a");
        assert_eq!(
            piped("lookup kind=inner U on $left.a == $right.b"),
            "lookup Inner (U) on $left.a==$right.b"
        );
        assert_eq!(
            piped("lookup kind=leftouter (U | take 1) on a"),
            "lookup LeftOuter (U | take 1) on a"
        );
        assert_eq!(
            piped("lookup kind=leftanti (U) on a"),
            "error: lookup kind must be leftouter or inner, not 'leftanti'"
        );
    }

    #[test]
    fn unions() {
        assert_eq!(q("union A, B"), "union (A), (B)");
        assert_eq!(
            q("union withsource=T kind=outer isfuzzy=true Device*, (X | take 1)"),
            "union kind=outer isfuzzy=true withsource=T (Device*), (X | take 1)"
        );
        assert_eq!(q("union (A), B | where x"), "union (A), (B) | where x");
        assert_eq!(piped("union U, f(1)"), "union (U), (f(1))");
        assert_eq!(q("union *"), "union (*)");
    }
}
