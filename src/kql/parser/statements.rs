//! Statements: a query is `let`, `set`, `declare` and `restrict`
//! statements, then one or more tabular statements separated by `;` (a
//! batch: each makes its own results). `let` binds a value, a table or a
//! function (`let f = (x:long) { ... }`).

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
    pub(super) fn parse_query(&mut self) -> PResult<Query> {
        let (lets, first) = self.parse_statements(false)?;
        let Some(first) = first else {
            let message = if lets.is_empty() {
                "the query is empty"
            } else {
                "expected a query after the 'let' statements"
            };
            return Err(self.error_here(message));
        };
        let start = lets.first().map_or(first.span, |l| l.span);
        let mut statements = vec![first];
        loop {
            let separated = self.eat(&TokenKind::Semi);
            while self.eat(&TokenKind::Semi) {}
            if self.at(&TokenKind::Eof) {
                break;
            }
            if !separated {
                return Err(self.unexpected_after_pipeline());
            }
            self.refuse_statement_after_tabular()?;
            statements.push(self.parse_pipeline()?);
        }
        let span = start.to(statements.last().map_or(start, |p| p.span));
        // The statements that only name tables for the ones after them,
        // up to the first that makes a result (the last always makes one).
        let last = statements.len() - 1;
        let first_result = statements
            .iter()
            .position(|p| !Query::binds_only(p))
            .unwrap_or(last);
        let mut rest = statements.split_off(first_result);
        let body = rest.remove(0);
        Ok(Query {
            lets,
            restrict: self.restrict.take(),
            named: statements,
            body,
            more: rest,
            span,
            take_max_records: self.take_max_records.take(),
        })
    }

    /// A batch's `let`, `set`, `declare` and `restrict` statements come
    /// before its first tabular statement: Quarry binds them once for all
    /// the statements, so one written between two is refused.
    fn refuse_statement_after_tabular(&self) -> PResult<()> {
        let statement = ["let", "set", "declare", "alias"]
            .into_iter()
            .find(|k| self.is_ident(k) && self.name_len_at(1).is_some());
        if let Some(keyword) = statement {
            return Err(self.error_here(format!(
                "a '{keyword}' statement after a tabular statement: Quarry reads a query's '{keyword}' statements before its first tabular statement; move this one above it"
            )));
        }
        if self.at_restrict() {
            return Err(self.error_here(
                "a 'restrict' statement after a tabular statement: it restricts only the statements after it, so write it before the first",
            ));
        }
        Ok(())
    }

    /// The error for a token that cannot continue a finished pipeline.
    pub(super) fn unexpected_after_pipeline(&self) -> QueryError {
        self.error_here(format!(
            "unexpected {}: expected '|' or the end of the query",
            self.describe_current()
        ))
    }

    /// `let`s then an optional tabular body (a function body may be
    /// scalar; it is parsed by the caller when `body` is `None` there).
    pub(super) fn parse_statements(
        &mut self,
        in_function: bool,
    ) -> PResult<(Vec<Let>, Option<Pipeline>)> {
        let mut lets = Vec::new();
        loop {
            while self.eat(&TokenKind::Semi) {}
            if self.is_ident("let")
                && matches!(
                    self.kind_at(1),
                    TokenKind::Long(_) | TokenKind::Real(_) | TokenKind::Timespan(_)
                )
            {
                // `let 2022 = ...`: digits alone make no name (`2022Cves` does).
                self.bump();
                return Err(self.error_here(format!(
                    "expected a name after 'let', found {}",
                    self.describe_current()
                )));
            }
            if self.at_entity_group_let() {
                self.parse_entity_group_let()?;
                continue;
            }
            if self.is_ident("let") && self.name_len_at(1).is_some() {
                lets.push(self.parse_let()?);
                if !self.eat(&TokenKind::Semi) {
                    return Err(self.error_here(format!(
                        "expected ';' after the 'let' statement, found {}",
                        self.describe_current()
                    )));
                }
                continue;
            }
            if self.is_ident("set") && self.name_len_at(1).is_some() && !in_function {
                // bin_auto()'s options are kept; other query options
                // (`set query_now = ...;`) do not change what the query
                // means to Quarry.
                if self.ident_at(1) == Some("query_take_max_records") {
                    self.take_max_records_option()?;
                    continue;
                }
                if let Some(option) = self
                    .ident_at(1)
                    .filter(|o| o.starts_with("query_bin_auto_"))
                {
                    let option = option.to_string();
                    self.bin_auto_option(&option)?;
                    continue;
                }
                self.skip_statement()?;
                continue;
            }
            if self.is_ident("declare") && self.ident_at(1) == Some("query_parameters") {
                lets.extend(self.parse_query_parameters()?);
                continue;
            }
            if self.is_ident("declare") && self.ident_at(1) == Some("pattern") && !in_function {
                self.parse_pattern()?;
                continue;
            }
            if self.at_restrict() && !in_function {
                self.parse_restrict(lets.len())?;
                continue;
            }
            if self.is_ident("alias") && self.ident_at(1) == Some("database") && !in_function {
                self.refuse_alias()?;
                continue;
            }
            break;
        }
        if in_function || self.at(&TokenKind::Eof) {
            return Ok((lets, None));
        }
        let body = self.parse_pipeline()?;
        Ok((lets, Some(body)))
    }

    /// `set query_bin_auto_size = Expr;` or `set query_bin_auto_at = Expr;`.
    fn bin_auto_option(&mut self, option: &str) -> PResult<()> {
        self.bump();
        let name = self.bump().span;
        self.expect(TokenKind::Assign, "'=' after the option name")?;
        let value = self.parse_expr()?;
        match option {
            "query_bin_auto_size" => self.bin_auto.size = Some(value),
            "query_bin_auto_at" => self.bin_auto.at = Some(value),
            _ => {
                return Err(QueryError::syntax(
                    format!(
                        "unknown option '{option}': bin_auto() reads query_bin_auto_size and query_bin_auto_at"
                    ),
                    name,
                ));
            }
        }
        if !self.eat(&TokenKind::Semi) {
            return Err(self.error_here(format!(
                "expected ';' after the 'set' statement, found {}",
                self.describe_current()
            )));
        }
        Ok(())
    }

    /// `set query_take_max_records = N;`
    fn take_max_records_option(&mut self) -> PResult<()> {
        self.bump();
        self.bump();
        self.expect(TokenKind::Assign, "'=' after the option name")?;
        self.take_max_records = Some(self.parse_expr()?);
        if !self.eat(&TokenKind::Semi) {
            return Err(self.error_here(format!(
                "expected ';' after the 'set' statement, found {}",
                self.describe_current()
            )));
        }
        Ok(())
    }

    /// Read past a statement up to its `;`.
    fn skip_statement(&mut self) -> PResult<()> {
        let start = self.bump().span;
        while !matches!(self.kind(), TokenKind::Semi | TokenKind::Eof) {
            if let TokenKind::Error(_) = self.kind() {
                // error_here reports the lexer's message.
                return Err(self.error_here(""));
            }
            self.bump();
        }
        if !self.eat(&TokenKind::Semi) {
            return Err(QueryError::syntax(
                "expected ';' after the statement",
                start.to(self.prev_span()),
            ));
        }
        Ok(())
    }

    fn parse_let(&mut self) -> PResult<Let> {
        let start = self.bump().span;
        let name = self.parse_name("a name after 'let'")?;
        if !self.eat(&TokenKind::Assign) {
            return Err(self.error_here(format!("expected '=' after 'let {}'", name.name)));
        }
        let value = self.parse_let_value()?;
        let span = start.to(self.prev_span());
        Ok(Let { name, value, span })
    }

    fn parse_let_value(&mut self) -> PResult<LetValue> {
        if self.at_function_def() {
            return Ok(LetValue::Function(self.parse_function()?));
        }
        if self.at(&TokenKind::Semi) || self.at(&TokenKind::Eof) {
            return Err(self.expected_after("a value"));
        }
        if self.at_tabular_start(0) {
            return Ok(LetValue::Tabular(self.parse_pipeline()?));
        }
        let expr = self.parse_expr()?;
        if self.at(&TokenKind::Pipe) {
            return Ok(LetValue::Tabular(self.continue_pipeline_from(expr)?));
        }
        // `materialize(...)` and `table("x")` are tables, whatever is inside.
        if let ExprKind::Call { name, .. } = &expr.kind
            && matches!(
                name.name.as_str(),
                "materialize" | "table" | "_GetWatchlist"
            )
        {
            return Ok(LetValue::Tabular(self.continue_pipeline_from(expr)?));
        }
        Ok(LetValue::Expr(expr))
    }

    /// `(params) { ... }` or `view (params) { ... }` follows.
    fn at_function_def(&self) -> bool {
        let offset =
            usize::from(self.is_ident("view") && matches!(self.kind_at(1), TokenKind::LParen));
        if !matches!(self.kind_at(offset), TokenKind::LParen) {
            return false;
        }
        if matches!(self.kind_at(offset + 1), TokenKind::RParen) {
            return matches!(self.kind_at(offset + 2), TokenKind::LBrace);
        }
        self.name_len_at(offset + 1)
            .is_some_and(|n| matches!(self.kind_at(offset + 1 + n), TokenKind::Colon))
    }

    fn parse_function(&mut self) -> PResult<Function> {
        let start = self.span();
        self.eat_ident("view");
        let open = self.expect(TokenKind::LParen, "'('")?;
        let mut params = Vec::new();
        if !self.at(&TokenKind::RParen) {
            loop {
                params.push(self.parse_param()?);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        let brace = self.span();
        if !self.eat(&TokenKind::LBrace) {
            return Err(self.expected_after("'{' to start the function body"));
        }
        self.enter()?;
        let (lets, _) = self.parse_statements(true)?;
        let body = self.parse_function_body(&params)?;
        self.leave();
        while self.eat(&TokenKind::Semi) {}
        let end = self.expect_close(TokenKind::RBrace, brace)?;
        Ok(Function {
            params,
            lets,
            body,
            span: start.to(end),
        })
    }

    fn parse_function_body(&mut self, params: &[Param]) -> PResult<FunctionBody> {
        if self.at(&TokenKind::RBrace) {
            return Err(self.expected_after("a function body"));
        }
        if self.at_tabular_start(0) {
            return Ok(FunctionBody::Tabular(self.parse_pipeline()?));
        }
        let expr = self.parse_expr()?;
        if self.at(&TokenKind::Pipe) {
            return Ok(FunctionBody::Tabular(self.continue_pipeline_from(expr)?));
        }
        // `{ T }` returns the table parameter T itself.
        if let ExprKind::Name(name) = &expr.kind
            && params
                .iter()
                .any(|p| p.kind == ParamKind::Tabular && &p.name.name == name)
        {
            return Ok(FunctionBody::Tabular(self.continue_pipeline_from(expr)?));
        }
        Ok(FunctionBody::Scalar(expr))
    }

    /// `x:string`, `x:long = 5`, `T:(*)`, `T:(a:string, b:long)`
    fn parse_param(&mut self) -> PResult<Param> {
        let name = self.parse_name("a parameter name")?;
        self.expect(TokenKind::Colon, "':' and a type after the parameter name")?;
        let kind = if self.at(&TokenKind::LParen) {
            let open = self.bump().span;
            if !self.eat(&TokenKind::Star) {
                loop {
                    self.parse_name("a column name")?;
                    self.expect(TokenKind::Colon, "':' after the column name")?;
                    self.parse_type_name()?;
                    if !self.eat(&TokenKind::Comma) {
                        break;
                    }
                }
            }
            self.expect_close(TokenKind::RParen, open)?;
            ParamKind::Tabular
        } else {
            ParamKind::Scalar(self.parse_type_name()?)
        };
        let default = if self.eat(&TokenKind::Assign) {
            Some(self.parse_expr()?)
        } else {
            None
        };
        Ok(Param {
            name,
            kind,
            default,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::super::error::ErrorKind;
    use super::super::parse;
    use super::super::printed::q;

    #[test]
    fn let_statements() {
        assert_eq!(q("let x = 1h; T"), "let x = ts(36000000000); T");
        assert_eq!(
            q("let x = 1h;\nlet y = \"a\";\nT;"),
            "let x = ts(36000000000); let y = \"a\"; T"
        );
        assert_eq!(
            q("let T2 = Tbl | where a > 1; T2"),
            "let T2 = tabular Tbl | where (> a 1); T2"
        );
        assert_eq!(q("let T2 = Tbl; T2"), "let T2 = Tbl; T2");
        assert_eq!(
            q("let M = materialize(Tbl | take 5); M"),
            "let M = tabular materialize({Tbl | take 5}); M"
        );
        assert_eq!(
            q("let M = materialize(Tbl); M"),
            "let M = tabular materialize(Tbl); M"
        );
        assert_eq!(
            q("let d = datatable(a:long)[1, 2]; d"),
            "let d = tabular datatable(a:long)[1, 2]; d"
        );
        assert_eq!(
            q("let s = toscalar(T | count); print s"),
            "let s = toscalar({T | count}); print s"
        );
        assert_eq!(
            q("let P = (T | take 1) | count; P"),
            "let P = tabular (T | take 1) | count; P"
        );
        assert_eq!(q("let ['a b'] = 1; T"), "let a b = 1; T");
    }

    #[test]
    fn function_lets() {
        assert_eq!(
            q(
                "let f = (T:(*), x:string, y:long = 5) { let z = x; T | where a == z | take y }; f(Tbl, \"a\")"
            ),
            "let f = fn(T:(*), x:string, y:long=5) { let z = x; tabular T | where (== a z) | take y }; f(Tbl, \"a\")"
        );
        assert_eq!(
            q("let f = (x:long) { x + 1 }; print f(1)"),
            "let f = fn(x:long) { (+ x 1) }; print f(1)"
        );
        assert_eq!(
            q("let f = (T:(a:string, b:long)) { T }; f(X)"),
            "let f = fn(T:(*)) { tabular T }; f(X)"
        );
        assert_eq!(
            q("let f = () { Tbl | take 1 }; f()"),
            "let f = fn() { tabular Tbl | take 1 }; f()"
        );
        assert_eq!(q("let f = view () { Tbl }; f"), "let f = fn() { Tbl }; f");
        assert_eq!(
            q("let f = (x:long) { x; }; print f(1)"),
            "let f = fn(x:long) { x }; print f(1)"
        );
    }

    #[test]
    fn a_batch_keeps_its_statements_in_order() {
        let src = "let a = 1;\nG | graph-to-table nodes as N, edges as E;\nN;\nE | as X;\nX";
        let query = parse(src).expect("parses");
        let text = |p: &super::super::super::ast::Pipeline| &src[p.span.start..p.span.end];
        assert_eq!(
            query.named.iter().map(text).collect::<Vec<_>>(),
            ["G | graph-to-table nodes as N, edges as E"]
        );
        assert_eq!(text(&query.body), "N");
        assert_eq!(
            query.more.iter().map(text).collect::<Vec<_>>(),
            ["E | as X", "X"]
        );
        assert_eq!(
            query.results().map(text).collect::<Vec<_>>(),
            ["N", "E | as X", "X"]
        );
        assert!(query.is_batch());
        assert!(!parse("T | count;").expect("parses").is_batch());
    }

    #[test]
    fn restrict_statements() {
        use super::super::super::ast::RestrictKind as K;
        let src = "let V = view () { T };\nrestrict access to (V, Test*, database().T1, database().*);\nlet n = 2;\nV";
        let query = parse(src).expect("parses");
        let restrict = query.restrict.as_ref().expect("a restrict statement");
        assert_eq!(restrict.after_lets, 1);
        assert_eq!(
            restrict
                .entities
                .iter()
                .map(|e| (e.pattern.as_str(), e.kind))
                .collect::<Vec<_>>(),
            [
                ("V", K::Any),
                ("Test*", K::Lets),
                ("T1", K::Tables),
                ("*", K::Tables)
            ]
        );
        assert_eq!(
            restrict.describe(),
            "restrict access to (V, Test*, database().T1, database().*)"
        );
        assert_eq!(query.lets.len(), 2);
        assert_eq!(query.let_prefix(src), &src[..src.len() - 1]);
        let alone = "restrict access to (T);\nT";
        assert_eq!(
            parse(alone).expect("parses").let_prefix(alone),
            "restrict access to (T);\n"
        );
        let err = parse("restrict access to (cluster('c').database('d').T);\nT").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert_eq!(
            parse("restrict access to T;\nT").unwrap_err().message,
            "expected '(' and the entities to allow after 'to'"
        );
    }

    #[test]
    fn statements_that_are_skipped() {
        assert_eq!(q("set query_now = datetime(2020-01-01);\nT"), "T");
        assert_eq!(
            q("declare query_parameters(x:long = 5, s:string = 'a');\nT"),
            "let x = tolong(5); let s = tostring(\"a\"); T"
        );
        let err = parse("declare query_parameters(x:long);\nT").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert_eq!(
            err.message,
            "query parameter 'x' has no default value, and offline there is no request to give it one: declare one (x:long = ...) or use let"
        );
    }
}
