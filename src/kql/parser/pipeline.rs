//! Pipelines: a source (a table, a call, a parenthesised pipeline or an
//! operator that makes rows) and the `| operator`s after it, and the
//! look-ahead that tells a tabular expression from a scalar one.

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

/// Functions that name a table in another cluster, database, workspace or
/// service (`arg("").Resources`): Quarry only has the tables it loaded.
pub(super) const CROSS_RESOURCE: [&str; 6] =
    ["cluster", "database", "workspace", "app", "arg", "adx"];

impl Parser<'_> {
    pub(super) fn parse_pipeline(&mut self) -> PResult<Pipeline> {
        self.enter()?;
        // A subquery inside a search predicate is ordinary KQL again.
        let outer_search = std::mem::replace(&mut self.search_mode, false);
        let start = self.span();
        let pipeline = match self.parse_source() {
            Ok(source) => self.parse_pipe_ops(source, start.to(self.prev_span())),
            Err(e) => Err(e),
        };
        self.search_mode = outer_search;
        self.leave();
        pipeline
    }

    /// The `| op` that follow a source spanning `start`.
    pub(super) fn parse_pipe_ops(&mut self, source: Source, start: Span) -> PResult<Pipeline> {
        let mut ops = Vec::new();
        while self.eat(&TokenKind::Pipe) {
            if let Some(op) = self.parse_operator()? {
                ops.push(op);
            }
        }
        let end = ops.last().map_or(start, |op| op.span);
        Ok(Pipeline {
            source,
            ops,
            span: start.to(end),
        })
    }

    /// A pipeline whose source was parsed as an expression first (in `let`
    /// values and function bodies, which may be scalar or tabular).
    pub(super) fn continue_pipeline_from(&mut self, expr: Expr) -> PResult<Pipeline> {
        let start = expr.span;
        let source = match expr.kind {
            ExprKind::Name(name) => Source::Table(Ident {
                name,
                span: expr.span,
            }),
            ExprKind::Call { name, args } => Source::Call {
                name,
                args,
                span: expr.span,
            },
            ExprKind::Tabular(pipeline) => Source::Paren(pipeline),
            _ => {
                return Err(QueryError::syntax(
                    format!(
                        "expected a table before '|', found the expression '{}'",
                        self.text(expr.span)
                    ),
                    expr.span,
                ));
            }
        };
        self.parse_pipe_ops(source, start)
    }

    /// Whether a tabular expression starts `offset` tokens ahead: a
    /// tabular keyword (`union`, `datatable(`, ...), or a name, call or
    /// parenthesis followed by `|`.
    pub(super) fn at_tabular_start(&self, offset: usize) -> bool {
        if let Some(word) = self.ident_at(offset) {
            let next = self.kind_at(offset + 1);
            // What may follow the keyword when it starts an operator, rather
            // than being a column of that name (`search > 0`, `union and x`).
            let operand = match next {
                TokenKind::Ident(w) => self.word_binop(w, false, offset + 1).is_none(),
                TokenKind::Str(_) | TokenKind::LParen | TokenKind::Star => true,
                TokenKind::LBracket => self.name_len_at(offset + 1) == Some(3),
                _ => false,
            };
            let tabular = match word {
                "datatable" | "externaldata" | "external_data" => matches!(next, TokenKind::LParen),
                "inline_external_table" => {
                    matches!(next, TokenKind::LParen) || self.ident_at(offset + 1) == Some("kind")
                }
                w if CROSS_RESOURCE.contains(&w) => matches!(next, TokenKind::LParen),
                "union" | "search" | "find" | "evaluate" => operand,
                "macro" => self.at_macro_expand(offset),
                "print" => {
                    operand
                        || matches!(
                            next,
                            TokenKind::Long(_)
                                | TokenKind::Real(_)
                                | TokenKind::Timespan(_)
                                | TokenKind::Raw { .. }
                                | TokenKind::Minus
                        )
                }
                "range" => {
                    matches!(next, TokenKind::Ident(_)) && self.ident_at(offset + 2) == Some("from")
                }
                _ => false,
            };
            if tabular {
                return true;
            }
        }
        let Some(after) = self.skip_term(offset) else {
            return false;
        };
        matches!(self.kind_at(after), TokenKind::Pipe)
    }

    /// The offset just past a name, a call or a parenthesised group at
    /// `offset`, for looking ahead.
    pub(super) fn skip_term(&self, offset: usize) -> Option<usize> {
        let after_name = match self.name_len_at(offset) {
            Some(n) => offset + n,
            None if matches!(self.kind_at(offset), TokenKind::LParen) => offset,
            None => return None,
        };
        if !matches!(self.kind_at(after_name), TokenKind::LParen) {
            return Some(after_name);
        }
        let mut depth = 0usize;
        let mut i = after_name;
        loop {
            match self.kind_at(i) {
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i + 1);
                    }
                }
                TokenKind::Eof | TokenKind::Error(_) => return None,
                _ => {}
            }
            i += 1;
        }
    }

    pub(super) fn parse_source(&mut self) -> PResult<Source> {
        if self.at(&TokenKind::LParen) {
            let open = self.bump().span;
            let inner = self.parse_pipeline()?;
            self.expect_close(TokenKind::RParen, open)?;
            return Ok(Source::Paren(Box::new(inner)));
        }
        // At the head of a pipeline these words can only be operators.
        if let Some(word) = self.ident_at(0).map(str::to_string)
            && let Some(source) = self.parse_source_operator(&word)?
        {
            return Ok(source);
        }
        if !self.at_name() {
            return Err(self.expected_after("a table name or a tabular expression"));
        }
        let name = self.parse_name("a table name")?;
        if self.at(&TokenKind::LParen) && CROSS_RESOURCE.contains(&name.name.as_str()) {
            return self.skip_cross_resource(name);
        }
        if let Some(source) = self.pattern_source(&name)? {
            return Ok(source);
        }
        if self.at(&TokenKind::LParen) {
            let args = self.parse_call_args()?;
            let span = name.span.to(self.prev_span());
            return Ok(Source::Call { name, args, span });
        }
        Ok(Source::Table(name))
    }

    /// `arg("").Resources`: an Azure Resource Graph table. Offline it is
    /// the loaded table of that name (an ARG export), so it reads as the
    /// plain table name. `cluster("c").database("d").T` and the other
    /// cross-resource forms are noted as unsupported and read past: the
    /// table returned stands in for them and never reaches the caller, who
    /// gets the unsupported error.
    pub(super) fn skip_cross_resource(&mut self, name: Ident) -> PResult<Source> {
        if name.name == "arg" {
            self.parse_call_args()?;
            if !self.eat(&TokenKind::Dot) {
                return Err(self.expected_after("'.' and a table name after arg(\"\")"));
            }
            let table = self.parse_name("a table name after 'arg(\"\").'")?;
            if !self.at(&TokenKind::Dot) && !self.at(&TokenKind::LParen) {
                return Ok(Source::Table(table));
            }
            if self.at(&TokenKind::LParen) {
                self.parse_call_args()?;
            }
        } else {
            self.parse_call_args()?;
        }
        self.defer_unsupported(
            &format!("cross-resource query '{}()'", name.name),
            name.span,
        );
        while self.eat(&TokenKind::Dot) {
            self.parse_name("a name after '.'")?;
            if self.at(&TokenKind::LParen) {
                self.parse_call_args()?;
            }
        }
        Ok(Source::Table(name))
    }

    /// The operators of a subquery whose input is implicit (`mv-apply`'s
    /// `on (...)`): `op | op | ...` without a source.
    pub(super) fn parse_subquery_ops(&mut self) -> PResult<Vec<Operator>> {
        self.enter()?;
        // A subquery inside a search predicate is ordinary KQL again.
        let outer_search = std::mem::replace(&mut self.search_mode, false);
        let mut ops = Vec::new();
        let result = loop {
            match self.parse_operator() {
                Ok(Some(op)) => ops.push(op),
                Ok(None) => {}
                Err(e) => break Err(e),
            }
            if !self.eat(&TokenKind::Pipe) {
                break Ok(());
            }
        };
        self.search_mode = outer_search;
        self.leave();
        result.map(|()| ops)
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::ast::*;
    use super::super::parse;
    use super::super::printed::q;

    #[test]
    fn pipelines_and_sources() {
        assert_eq!(q("T\n| where a\n| take 5"), "T | where a | take 5");
        assert_eq!(q("(T | where a) | count"), "(T | where a) | count");
        assert_eq!(q("['My Table'] | count"), "My Table | count");
        assert_eq!(q("[\"x\"] | count"), "x | count");
        assert_eq!(q("table(\"T\") | count"), "table(\"T\") | count");
        assert_eq!(q("f(T, 1)"), "f(T, 1)");
        assert_eq!(q("$table"), "$table");
        assert_eq!(
            q("// only a comment\nT // trailing\n| count // end"),
            "T | count"
        );
    }

    #[test]
    fn spans() {
        let src = "let x = 1;\nT | where a == 1 | project b";
        let query = parse(src).unwrap();
        assert_eq!(query.span, Span::new(0, src.len()));
        assert_eq!(query.lets[0].span, Span::new(0, 9));
        assert_eq!(query.body.span, Span::new(11, src.len()));
        assert_eq!(
            &src[query.body.ops[0].span.start..query.body.ops[0].span.end],
            "where a == 1"
        );
        let OperatorKind::Where(expr) = &query.body.ops[0].kind else {
            panic!()
        };
        assert_eq!(&src[expr.span.start..expr.span.end], "a == 1");
        let OperatorKind::Project(cols) = &query.body.ops[1].kind else {
            panic!()
        };
        assert_eq!(cols[0].span, Span::new(src.len() - 1, src.len()));
        let paren = parse("(T | take 1) | count").unwrap();
        assert_eq!(paren.body.span, Span::new(0, 20));
    }
}
