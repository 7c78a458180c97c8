//! KQL parser: tokens to the syntax tree of [`super::ast`].
//!
//! A hand-written recursive-descent parser over the whole token list, so it
//! can look ahead freely (KQL keywords are contextual: `count` is an
//! operator, a function and a fine column name). `mod.rs` holds the cursor,
//! errors, statements and pipelines; `expr.rs` scalar expressions and
//! literals; `operators.rs` the tabular operators.

mod expr;
mod flow_ops;
mod graph;
mod operators;
mod render;
mod text_ops;
mod top_nested;

use super::ast::*;
use super::error::{QueryError, line_col};
use super::lexer::{Token, TokenKind, tokenize};

/// Deeper nesting than this is refused with an error rather than risking
/// the stack (the workbench parses on threads with small stacks).
const MAX_DEPTH: usize = 256;

/// Stack the parser may use, whatever the depth: unoptimised builds have
/// frames several times larger than release ones, and a 2 MiB thread must
/// still get an error rather than an overflow.
const STACK_BUDGET: usize = 1 << 20;

/// An address on the current stack, to measure how much the parser uses.
#[inline(never)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

type PResult<T> = Result<T, QueryError>;

/// Functions that name a table in another cluster, database, workspace or
/// service (`arg("").Resources`): Quarry only has the tables it loaded.
const CROSS_RESOURCE: [&str; 6] = ["cluster", "database", "workspace", "app", "arg", "adx"];

/// Parse a whole query: `let` statements, then one tabular expression.
pub fn parse(source: &str) -> Result<Query, QueryError> {
    let mut p = Parser::new(source);
    let query = p.parse_query()?;
    p.finish(query)
}

/// Parse a lone scalar expression (a rule parameter, a filter typed in a
/// prompt). Nothing may follow it.
pub fn parse_expr(source: &str) -> Result<Expr, QueryError> {
    let mut p = Parser::new(source);
    let expr = p.parse_expr()?;
    if !p.at(&TokenKind::Eof) {
        return Err(p.error_here(format!(
            "unexpected {} after the expression",
            p.describe_current()
        )));
    }
    p.finish(expr)
}

pub(super) struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    /// Where the stack was when parsing began.
    stack_base: usize,
    /// Inside a `search` predicate, where `Col:"x"` and `x*` are terms.
    search_mode: bool,
    /// The first known-but-unsupported feature met. Parsing goes on past
    /// it, so a syntax error further on is still reported first (it has to
    /// be fixed in any case) and the rest of the query is still checked.
    unsupported: Option<QueryError>,
    /// `set query_bin_auto_size = ...;` and `set query_bin_auto_at = ...;`:
    /// what `bin_auto(x)` bins by.
    bin_auto: BinAuto,
}

/// The bin size and fixed point the query's `set` statements give
/// `bin_auto()`.
#[derive(Default)]
pub(super) struct BinAuto {
    pub size: Option<Expr>,
    pub at: Option<Expr>,
}

impl<'a> Parser<'a> {
    fn new(src: &'a str) -> Parser<'a> {
        Parser {
            src,
            toks: tokenize(src),
            pos: 0,
            depth: 0,
            stack_base: stack_position(),
            search_mode: false,
            unsupported: None,
            bin_auto: BinAuto::default(),
        }
    }

    /// The parse result, unless an unsupported feature was skipped.
    fn finish<T>(&mut self, value: T) -> PResult<T> {
        match self.unsupported.take() {
            Some(err) => Err(err),
            None => Ok(value),
        }
    }

    /// Note an unsupported feature (the first one is reported).
    fn defer_unsupported(&mut self, feature: &str, span: Span) {
        if self.unsupported.is_none() {
            self.unsupported = Some(QueryError::unsupported(feature, span));
        }
    }

    // ---- cursor ----

    fn tok_at(&self, i: usize) -> &Token {
        // The list always ends with Eof, and the cursor never passes it.
        let last = self.toks.len() - 1;
        &self.toks[i.min(last)]
    }

    fn peek(&self) -> &Token {
        self.tok_at(self.pos)
    }

    fn kind(&self) -> &TokenKind {
        &self.peek().kind
    }

    fn kind_at(&self, offset: usize) -> &TokenKind {
        &self.tok_at(self.pos + offset).kind
    }

    fn span(&self) -> Span {
        self.peek().span
    }

    /// Span of the last consumed token (an empty span at 0 before any).
    fn prev_span(&self) -> Span {
        if self.pos == 0 {
            Span::new(0, 0)
        } else {
            self.tok_at(self.pos - 1).span
        }
    }

    fn bump(&mut self) -> Token {
        let tok = self.peek().clone();
        if !matches!(tok.kind, TokenKind::Eof) {
            self.pos += 1;
        }
        tok
    }

    fn at(&self, kind: &TokenKind) -> bool {
        self.kind() == kind
    }

    fn eat(&mut self, kind: &TokenKind) -> bool {
        let hit = self.at(kind);
        if hit {
            self.bump();
        }
        hit
    }

    fn ident_at(&self, offset: usize) -> Option<&str> {
        match self.kind_at(offset) {
            TokenKind::Ident(name) => Some(name),
            _ => None,
        }
    }

    fn is_ident(&self, name: &str) -> bool {
        self.ident_at(0) == Some(name)
    }

    fn eat_ident(&mut self, name: &str) -> bool {
        let hit = self.is_ident(name);
        if hit {
            self.bump();
        }
        hit
    }

    /// Token `offset` ahead is glued to the one before it (no space).
    fn glued(&self, offset: usize) -> bool {
        !self.tok_at(self.pos + offset).spaced
    }

    /// At the end of an operator: `|`, `)`, `;`, or the end of the query.
    fn at_operator_end(&self) -> bool {
        matches!(
            self.kind(),
            TokenKind::Pipe
                | TokenKind::RParen
                | TokenKind::Semi
                | TokenKind::Eof
                | TokenKind::RBrace
        )
    }

    // ---- errors ----

    fn text(&self, span: Span) -> &str {
        self.src.get(span.start..span.end).unwrap_or("")
    }

    /// How a token is named in messages: `'where'`, `end of query`.
    fn describe(&self, tok: &Token) -> String {
        match tok.kind {
            TokenKind::Eof => "end of query".to_string(),
            _ => {
                let text = self.text(tok.span);
                let mut shown: String = text.chars().take(40).collect();
                if shown.len() < text.len() {
                    shown.push('…');
                }
                format!("'{shown}'")
            }
        }
    }

    fn describe_current(&self) -> String {
        self.describe(self.peek())
    }

    /// The previous token as written, for "after 'where'" messages.
    fn prev_text(&self) -> String {
        if self.pos == 0 {
            return String::new();
        }
        self.describe(self.tok_at(self.pos - 1))
    }

    /// A syntax error at the current token; when the lexer gave up there,
    /// its message wins because it says what is really wrong.
    fn error_here(&self, message: impl Into<String>) -> QueryError {
        let tok = self.peek();
        match &tok.kind {
            TokenKind::Error(lex_msg) => QueryError::syntax(lex_msg.clone(), tok.span),
            _ => QueryError::syntax(message, tok.span),
        }
    }

    /// "expected X after 'Y'" at the current token.
    fn expected_after(&self, what: &str) -> QueryError {
        if self.pos == 0 {
            return self.error_here(format!(
                "expected {what}, found {}",
                self.describe_current()
            ));
        }
        self.error_here(format!("expected {what} after {}", self.prev_text()))
    }

    fn line_col_of(&self, span: Span) -> String {
        let (line, col) = line_col(self.src, span.start);
        format!("line {line}, column {col}")
    }

    /// Consume the bracket closing the one at `open`.
    fn expect_close(&mut self, close: TokenKind, open: Span) -> PResult<Span> {
        if self.at(&close) {
            return Ok(self.bump().span);
        }
        let (c, o) = match close {
            TokenKind::RParen => (')', '('),
            TokenKind::RBracket => (']', '['),
            _ => ('}', '{'),
        };
        Err(self.error_here(format!(
            "expected '{c}' to close '{o}' opened at {}",
            self.line_col_of(open)
        )))
    }

    fn expect(&mut self, kind: TokenKind, what: &str) -> PResult<Span> {
        if self.at(&kind) {
            return Ok(self.bump().span);
        }
        Err(self.expected_after(what))
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH || stack_position().abs_diff(self.stack_base) > STACK_BUDGET {
            return Err(self.error_here("the query is nested too deeply"));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    // ---- names ----

    /// A name: an identifier (keywords too, KQL is permissive) or a quoted
    /// `['My Column']` / `["x"]`.
    fn at_name(&self) -> bool {
        match self.kind() {
            TokenKind::Ident(_) => true,
            TokenKind::LBracket => self.at_quoted_name(),
            _ => false,
        }
    }

    fn at_quoted_name(&self) -> bool {
        matches!(self.kind(), TokenKind::LBracket)
            && matches!(self.kind_at(1), TokenKind::Str(_))
            && matches!(self.kind_at(2), TokenKind::RBracket)
    }

    /// Number of tokens the name at `offset` spans (1 or 3), if any.
    fn name_len_at(&self, offset: usize) -> Option<usize> {
        match self.kind_at(offset) {
            TokenKind::Ident(_) => Some(1),
            TokenKind::LBracket
                if matches!(self.kind_at(offset + 1), TokenKind::Str(_))
                    && matches!(self.kind_at(offset + 2), TokenKind::RBracket) =>
            {
                Some(3)
            }
            _ => None,
        }
    }

    fn parse_name(&mut self, what: &str) -> PResult<Ident> {
        match self.kind().clone() {
            TokenKind::Ident(name) => {
                let span = self.bump().span;
                Ok(Ident { name, span })
            }
            TokenKind::LBracket if self.at_quoted_name() => {
                let open = self.bump().span;
                let TokenKind::Str(name) = self.bump().kind else {
                    unreachable!("checked by at_quoted_name")
                };
                let close = self.bump().span;
                Ok(Ident {
                    name,
                    span: open.to(close),
                })
            }
            _ => Err(self.expected_after(what)),
        }
    }

    /// A name that may hold `*` wildcards: `Device*`, `*Id`, `Init*Name`.
    fn parse_name_pattern(&mut self, what: &str) -> PResult<Ident> {
        if self.at_quoted_name() {
            return self.parse_name(what);
        }
        if !matches!(self.kind(), TokenKind::Ident(_) | TokenKind::Star) {
            return Err(self.expected_after(what));
        }
        let start = self.bump().span;
        let mut end = start;
        while self.glued(0)
            && matches!(
                self.kind(),
                TokenKind::Ident(_) | TokenKind::Star | TokenKind::Long(_)
            )
        {
            end = self.bump().span;
        }
        let span = start.to(end);
        Ok(Ident {
            name: self.text(span).to_string(),
            span,
        })
    }

    /// `A, B*, C` up to the end of the operator.
    fn parse_name_pattern_list(&mut self, what: &str) -> PResult<Vec<Ident>> {
        let mut names = vec![self.parse_name_pattern(what)?];
        while self.eat(&TokenKind::Comma) {
            names.push(self.parse_name_pattern(what)?);
        }
        Ok(names)
    }

    /// `name=value` options (`kind=inner`, `hint.strategy=shuffle`) at the
    /// start of an operator; `names` lists the plain ones it takes, and
    /// every operator takes `hint.*`.
    fn parse_options(&mut self, names: &[&str]) -> PResult<Vec<OpOption>> {
        let mut options = Vec::new();
        while let Some(first) = self.ident_at(0) {
            let dotted = first == "hint" && matches!(self.kind_at(1), TokenKind::Dot);
            let plain = names.contains(&first) && matches!(self.kind_at(1), TokenKind::Assign);
            if !(dotted || plain) {
                break;
            }
            let start = self.span();
            let mut end = self.bump().span;
            while self.eat(&TokenKind::Dot) {
                end = self.parse_name("an option name")?.span;
            }
            let span = start.to(end);
            let name = Ident {
                name: self.text(span).to_string(),
                span,
            };
            self.expect(TokenKind::Assign, "'=' after the option name")?;
            let value = self.parse_option_value()?;
            options.push(OpOption { name, value });
        }
        Ok(options)
    }

    fn parse_option_value(&mut self) -> PResult<Ident> {
        let tok = self.peek().clone();
        let name = match &tok.kind {
            TokenKind::Ident(s) | TokenKind::Str(s) => s.clone(),
            TokenKind::Long(_) | TokenKind::Real(_) | TokenKind::Timespan(_) => {
                self.text(tok.span).to_string()
            }
            _ => return Err(self.expected_after("an option value")),
        };
        self.bump();
        Ok(Ident {
            name,
            span: tok.span,
        })
    }

    // ---- statements ----

    fn parse_query(&mut self) -> PResult<Query> {
        let (lets, body) = self.parse_statements(false)?;
        let Some(body) = body else {
            let message = if lets.is_empty() {
                "the query is empty"
            } else {
                "expected a query after the 'let' statements"
            };
            return Err(self.error_here(message));
        };
        let start = lets.first().map_or(body.span, |l| l.span);
        let mut body = body;
        let mut named = Vec::new();
        loop {
            let separated = self.eat(&TokenKind::Semi);
            while self.eat(&TokenKind::Semi) {}
            if self.at(&TokenKind::Eof) {
                break;
            }
            if !separated {
                return Err(self.unexpected_after_pipeline());
            }
            let next = self.parse_pipeline()?;
            if !names_its_result(&body) {
                return Err(QueryError::syntax(
                    "Quarry shows the result of a query's last statement only, so this statement's would be lost: end it with '| as Name' to use it in the statements after it",
                    body.span,
                ));
            }
            named.push(std::mem::replace(&mut body, next));
        }
        let span = start.to(body.span);
        Ok(Query {
            lets,
            named,
            body,
            span,
        })
    }

    /// The error for a token that cannot continue a finished pipeline.
    fn unexpected_after_pipeline(&self) -> QueryError {
        self.error_here(format!(
            "unexpected {}: expected '|' or the end of the query",
            self.describe_current()
        ))
    }

    /// `let`s then an optional tabular body (a function body may be
    /// scalar; it is parsed by the caller when `body` is `None` there).
    fn parse_statements(&mut self, in_function: bool) -> PResult<(Vec<Let>, Option<Pipeline>)> {
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
                self.defer_unsupported(
                    "declare query_parameters",
                    self.span().to(self.tok_at(self.pos + 1).span),
                );
                self.skip_statement()?;
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

    /// A scalar type name: `string`, `long`, `datetime`, ...
    fn parse_type_name(&mut self) -> PResult<String> {
        match self.kind() {
            TokenKind::Ident(name) => {
                let name = name.clone();
                self.bump();
                Ok(name)
            }
            _ => Err(self.expected_after("a type name")),
        }
    }

    // ---- pipelines ----

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
    fn parse_pipe_ops(&mut self, source: Source, start: Span) -> PResult<Pipeline> {
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
    fn continue_pipeline_from(&mut self, expr: Expr) -> PResult<Pipeline> {
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
                w if CROSS_RESOURCE.contains(&w) => matches!(next, TokenKind::LParen),
                "union" | "search" | "find" | "evaluate" => operand,
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
    fn skip_term(&self, offset: usize) -> Option<usize> {
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

    fn parse_source(&mut self) -> PResult<Source> {
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
}

/// Whether a statement names its result for the statements after it:
/// it ends with `as Name`, or with graph-to-table naming every table.
fn names_its_result(p: &Pipeline) -> bool {
    match p.ops.last().map(|op| &op.kind) {
        Some(OperatorKind::As(_)) => true,
        Some(OperatorKind::Graph(g)) => match g.as_ref() {
            super::graph::ast::GraphOp::ToTable(exports) => {
                exports.iter().all(|e| e.alias.is_some())
            }
            _ => false,
        },
        _ => false,
    }
}

#[cfg(test)]
pub(super) mod tests {
    //! A compact printed form of the tree (no spans) so tests state the
    //! exact expected AST in one line; spans are tested on their own.

    use super::super::ast::*;
    use super::super::error::ErrorKind;
    use super::{parse, parse_expr};

    fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
        items.iter().map(f).collect::<Vec<_>>().join(", ")
    }

    pub(in super::super) fn lit(l: &Literal) -> String {
        match l {
            Literal::String(s) => format!("{s:?}"),
            Literal::Long(v) => v.to_string(),
            Literal::Int(v) => format!("int({v})"),
            Literal::Real(v) => format!("real({v})"),
            Literal::Bool(b) => b.to_string(),
            Literal::Timespan(t) => format!("ts({t})"),
            Literal::Datetime(d) => format!("datetime({d})"),
            Literal::Dynamic(v) => format!("dyn({v})"),
            Literal::Null(t) => format!("null({t})"),
        }
    }

    pub(in super::super) fn ex(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Literal(l) => lit(l),
            ExprKind::Name(n) => n.clone(),
            ExprKind::Star => "*".into(),
            ExprKind::Negate(x) => format!("(neg {})", ex(x)),
            ExprKind::Binary { op, left, right } => {
                let op = match op {
                    BinaryOp::Add => "+",
                    BinaryOp::Sub => "-",
                    BinaryOp::Mul => "*",
                    BinaryOp::Div => "/",
                    BinaryOp::Mod => "%",
                    BinaryOp::Eq => "==",
                    BinaryOp::NotEq => "!=",
                    BinaryOp::Lt => "<",
                    BinaryOp::LtEq => "<=",
                    BinaryOp::Gt => ">",
                    BinaryOp::GtEq => ">=",
                    BinaryOp::And => "and",
                    BinaryOp::Or => "or",
                    BinaryOp::EqTilde => "=~",
                    BinaryOp::NotEqTilde => "!~",
                };
                format!("({op} {} {})", ex(left), ex(right))
            }
            ExprKind::StringOp { op, left, right } => {
                let name = match op.kind {
                    StringOpKind::Has => "has",
                    StringOpKind::HasPrefix => "hasprefix",
                    StringOpKind::HasSuffix => "hassuffix",
                    StringOpKind::Contains => "contains",
                    StringOpKind::StartsWith => "startswith",
                    StringOpKind::EndsWith => "endswith",
                    StringOpKind::MatchesRegex => "matches_regex",
                };
                let bang = if op.negated { "!" } else { "" };
                let cs = if op.case_sensitive && op.kind != StringOpKind::MatchesRegex {
                    "_cs"
                } else {
                    ""
                };
                format!("({bang}{name}{cs} {} {})", ex(left), ex(right))
            }
            ExprKind::List { op, left, items } => {
                let op = match op {
                    ListOp::In => "in",
                    ListOp::NotIn => "!in",
                    ListOp::InCi => "in~",
                    ListOp::NotInCi => "!in~",
                    ListOp::HasAny => "has_any",
                    ListOp::HasAll => "has_all",
                };
                format!("({op} {} [{}])", ex(left), list(items, ex))
            }
            ExprKind::Between {
                negated,
                value,
                low,
                high,
            } => {
                let bang = if *negated { "!" } else { "" };
                format!("({bang}between {} {} {})", ex(value), ex(low), ex(high))
            }
            ExprKind::Call { name, args } => format!("{}({})", name.name, list(args, ex)),
            ExprKind::Member { target, name } => format!("{}.{}", ex(target), name.name),
            ExprKind::Index { target, index } => format!("{}[{}]", ex(target), ex(index)),
            ExprKind::SearchTerm { column: None, text } => format!("term({text})"),
            ExprKind::SearchTerm {
                column: Some(c),
                text,
            } => format!("term({}:{text})", c.name),
            ExprKind::Tabular(p) => format!("{{{}}}", pipe(p)),
            ExprKind::Tuple(items) => format!("(tuple {})", list(items, ex)),
            ExprKind::NamedArg { name, value } => format!("{}={}", name.name, ex(value)),
        }
    }

    fn assign(a: &Assignment) -> String {
        match a.names.len() {
            0 => ex(&a.expr),
            1 => format!("{}={}", a.names[0].name, ex(&a.expr)),
            _ => format!("({})={}", list(&a.names, |n| n.name.clone()), ex(&a.expr)),
        }
    }

    fn opts(options: &[OpOption]) -> String {
        options
            .iter()
            .map(|o| format!("{}={} ", o.name.name, o.value.name))
            .collect()
    }

    fn key(k: &SortKey) -> String {
        let mut s = ex(&k.expr);
        match k.dir {
            Some(SortDir::Asc) => s.push_str(" asc"),
            Some(SortDir::Desc) => s.push_str(" desc"),
            None => {}
        }
        match k.nulls {
            Some(NullsPos::First) => s.push_str(" nulls-first"),
            Some(NullsPos::Last) => s.push_str(" nulls-last"),
            None => {}
        }
        s
    }

    fn join_key(k: &JoinKey) -> String {
        match k {
            JoinKey::Same(c) => c.name.clone(),
            JoinKey::Pair { left, right } => format!("$left.{}==$right.{}", left.name, right.name),
        }
    }

    fn names(ids: &[Ident]) -> String {
        list(ids, |i| i.name.clone())
    }

    /// The columns and limit of `mv-expand` and `mv-apply`.
    fn expansions(
        columns: &[Assignment],
        to_types: &[Option<String>],
        limit: &Option<Expr>,
    ) -> (String, String) {
        let cols: Vec<String> = columns
            .iter()
            .zip(to_types)
            .map(|(c, t)| match t {
                Some(t) => format!("{} to {t}", assign(c)),
                None => assign(c),
            })
            .collect();
        let limit = limit
            .as_ref()
            .map(|l| format!(" limit {}", ex(l)))
            .unwrap_or_default();
        (cols.join(", "), limit)
    }

    pub(in super::super) fn op(o: &Operator) -> String {
        match &o.kind {
            OperatorKind::Where(e) => format!("where {}", ex(e)),
            OperatorKind::Search {
                case_sensitive,
                tables,
                predicate,
            } => {
                let cs = if *case_sensitive { "cs " } else { "" };
                let t = if tables.is_empty() {
                    String::new()
                } else {
                    format!("in({}) ", names(tables))
                };
                format!("search {cs}{t}{}", ex(predicate))
            }
            OperatorKind::Project(a) => format!("project {}", list(a, assign)),
            OperatorKind::ProjectAway(n) => format!("project-away {}", names(n)),
            OperatorKind::ProjectKeep(n) => format!("project-keep {}", names(n)),
            OperatorKind::ProjectRename(p) => {
                format!(
                    "project-rename {}",
                    list(p, |(a, b)| format!("{}={}", a.name, b.name))
                )
            }
            OperatorKind::ProjectReorder(n) => format!(
                "project-reorder {}",
                list(n, |(i, o)| match o {
                    Some(o) => format!("{} {o:?}", i.name),
                    None => i.name.clone(),
                })
            ),
            OperatorKind::Extend(a) => format!("extend {}", list(a, assign)),
            OperatorKind::Summarize {
                options,
                aggregates,
                by,
            } => {
                format!(
                    "summarize {}{} by {}",
                    opts(options),
                    list(aggregates, assign),
                    list(by, assign)
                )
            }
            OperatorKind::Sort(keys) => format!("sort {}", list(keys, key)),
            OperatorKind::Top { count, keys } => {
                format!("top {} by {}", ex(count), list(keys, key))
            }
            OperatorKind::Take(e) => format!("take {}", ex(e)),
            OperatorKind::ProjectByNames(e) => format!("project-by-names {}", list(e, ex)),
            OperatorKind::TopNested(levels) => {
                let level = |l: &TopNestedLevel| {
                    let count = l.count.as_ref().map(ex).unwrap_or_default();
                    let others = l.others.as_ref().map(|o| format!(" others {}", ex(o)));
                    format!(
                        "[{count} of {}{} by {} {:?}]",
                        assign(&l.of),
                        others.unwrap_or_default(),
                        assign(&l.by),
                        l.dir
                    )
                };
                format!("top-nested {}", list(levels, level))
            }
            OperatorKind::Distinct(e) => format!("distinct {}", list(e, ex)),
            OperatorKind::Count => "count".into(),
            OperatorKind::Join {
                kind,
                options,
                right,
                on,
            } => {
                format!(
                    "join {kind:?} {}({}) on {}",
                    opts(options),
                    pipe(right),
                    list(on, join_key)
                )
            }
            OperatorKind::Lookup { kind, right, on } => {
                format!(
                    "lookup {kind:?} ({}) on {}",
                    pipe(right),
                    list(on, join_key)
                )
            }
            OperatorKind::Union {
                options,
                with_source,
                tables,
            } => {
                let ws = with_source
                    .as_ref()
                    .map(|w| format!("withsource={} ", w.name))
                    .unwrap_or_default();
                format!(
                    "union {}{ws}{}",
                    opts(options),
                    list(tables, |p| format!("({})", pipe(p)))
                )
            }
            OperatorKind::MvExpand {
                columns,
                limit,
                options,
                to_types,
            } => {
                let (cols, limit) = expansions(columns, to_types, limit);
                format!("mv-expand {}{cols}{limit}", opts(options))
            }
            OperatorKind::Invoke { name, args } => {
                format!("invoke {}({})", name.name, list(args, ex))
            }
            OperatorKind::Datatable { columns, values } => format!(
                "datatable({})[{}]",
                list(columns, |(n, t)| format!("{}:{t}", n.name)),
                list(values, ex)
            ),
            OperatorKind::Print(a) => format!("print {}", list(a, assign)),
            OperatorKind::Range {
                name,
                from,
                to,
                step,
            } => {
                format!(
                    "range {} from {} to {} step {}",
                    name.name,
                    ex(from),
                    ex(to),
                    ex(step)
                )
            }
            OperatorKind::As(n) => format!("as {}", n.name),
            OperatorKind::Serialize(a) => format!("serialize {}", list(a, assign)),
            OperatorKind::Render(r) => format!("render {}", r.visualization.name()),
            OperatorKind::GetSchema => "getschema".into(),
            OperatorKind::Parse {
                source,
                kind,
                pattern,
                ..
            } => {
                let parts: Vec<String> = pattern
                    .iter()
                    .map(|p| match p {
                        ParsePart::Literal(s) => format!("{s:?}"),
                        ParsePart::Column {
                            name,
                            kind: Some(k),
                        } => format!("{}:{k}", name.name),
                        ParsePart::Column { name, kind: None } => name.name.clone(),
                        ParsePart::Wildcard => "*".into(),
                    })
                    .collect();
                let kind = kind
                    .as_ref()
                    .map(|k| format!("kind={k} "))
                    .unwrap_or_default();
                format!("parse {kind}{} with {}", ex(source), parts.join(" "))
            }
            OperatorKind::Sample(e) => format!("sample {}", ex(e)),
            // Their parsers' own tests read these trees directly.
            OperatorKind::ParseKv(_)
            | OperatorKind::ParseWhere { .. }
            | OperatorKind::Scan(_)
            | OperatorKind::Partition { .. }
            | OperatorKind::Reduce { .. }
            | OperatorKind::Graph(_) => format!("{:?}", o.kind),
            OperatorKind::MvApply {
                columns,
                to_types,
                item_index,
                limit,
                subquery,
            } => {
                let index = item_index
                    .as_ref()
                    .map(|i| format!("with_itemindex={} ", i.name))
                    .unwrap_or_default();
                let (cols, limit) = expansions(columns, to_types, limit);
                let sub: Vec<String> = subquery.iter().map(op).collect();
                format!("mv-apply {index}{cols}{limit} on ({})", sub.join(" | "))
            }
            OperatorKind::Evaluate {
                plugin,
                args,
                schema,
            } => {
                let schema = schema
                    .as_ref()
                    .map(|s| {
                        let mut cols: Vec<String> = s
                            .columns
                            .iter()
                            .map(|(n, t)| format!("{}:{t}", n.name))
                            .collect();
                        if s.wildcard {
                            cols.insert(0, "*".into());
                        }
                        format!(" : ({})", cols.join(", "))
                    })
                    .unwrap_or_default();
                format!("evaluate {}({}){schema}", plugin.name, list(args, ex))
            }
            OperatorKind::ExternalData {
                columns,
                uris,
                properties,
            } => format!(
                "externaldata({})[{}] with ({})",
                list(columns, |(n, t)| format!("{}:{t}", n.name)),
                list(uris, |(u, _)| format!("{u:?}")),
                list(properties, |o| format!("{}={}", o.name.name, o.value.name))
            ),
            OperatorKind::MakeSeries {
                nonempty,
                aggregates,
                axis,
                from,
                to,
                step,
                range_syntax,
                by,
            } => {
                let aggs = list(aggregates, |a| match &a.default {
                    Some(d) => format!("{} default={}", assign(&a.assignment), ex(d)),
                    None => assign(&a.assignment),
                });
                let from = from
                    .as_ref()
                    .map(|f| format!(" from {}", ex(f)))
                    .unwrap_or_default();
                let to = to
                    .as_ref()
                    .map(|t| format!(" to {}", ex(t)))
                    .unwrap_or_default();
                let kind = if *nonempty { "kind=nonempty " } else { "" };
                let range = if *range_syntax { " range" } else { "" };
                format!(
                    "make-series {kind}{aggs} on {}{from}{to} step {}{range} by {}",
                    ex(axis),
                    ex(step),
                    list(by, assign)
                )
            }
        }
    }

    fn source(s: &Source) -> String {
        match s {
            Source::Table(t) => t.name.clone(),
            Source::Call { name, args, .. } => format!("{}({})", name.name, list(args, ex)),
            Source::Operator(o) => op(o),
            Source::Paren(p) => format!("({})", pipe(p)),
        }
    }

    pub(in super::super) fn pipe(p: &Pipeline) -> String {
        let mut s = source(&p.source);
        for o in &p.ops {
            s.push_str(" | ");
            s.push_str(&op(o));
        }
        s
    }

    fn let_(l: &Let) -> String {
        let value = match &l.value {
            LetValue::Expr(e) => ex(e),
            LetValue::Tabular(p) => format!("tabular {}", pipe(p)),
            LetValue::Function(f) => {
                let params = list(&f.params, |p| {
                    let kind = match &p.kind {
                        ParamKind::Tabular => "(*)".to_string(),
                        ParamKind::Scalar(t) => t.clone(),
                    };
                    let default = p
                        .default
                        .as_ref()
                        .map(|d| format!("={}", ex(d)))
                        .unwrap_or_default();
                    format!("{}:{kind}{default}", p.name.name)
                });
                let lets: String = f.lets.iter().map(|l| format!("{}; ", let_(l))).collect();
                let body = match &f.body {
                    FunctionBody::Tabular(p) => format!("tabular {}", pipe(p)),
                    FunctionBody::Scalar(e) => ex(e),
                };
                format!("fn({params}) {{ {lets}{body} }}")
            }
        };
        format!("let {} = {value}", l.name.name)
    }

    /// The printed form of a parsed query, or the error message.
    pub(in super::super) fn q(src: &str) -> String {
        match parse(src) {
            Ok(query) => {
                let lets: String = query
                    .lets
                    .iter()
                    .map(|l| format!("{}; ", let_(l)))
                    .collect();
                format!("{lets}{}", pipe(&query.body))
            }
            Err(e) => format!("error: {}", e.message),
        }
    }

    /// The printed form of the first operator after `T |`.
    pub(in super::super) fn piped(op_text: &str) -> String {
        let printed = q(&format!("T | {op_text}"));
        printed
            .strip_prefix("T | ")
            .map(str::to_string)
            .unwrap_or(printed)
    }

    /// The printed form of an expression.
    pub(in super::super) fn e(src: &str) -> String {
        match parse_expr(src) {
            Ok(expr) => ex(&expr),
            Err(err) => format!("error: {}", err.message),
        }
    }

    /// The error for `src`, rendered with its caret.
    pub(in super::super) fn rendered(src: &str) -> String {
        match parse(src) {
            Ok(_) => "parsed".into(),
            Err(err) => err.render(src),
        }
    }

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
    fn statements_that_are_skipped() {
        assert_eq!(q("set query_now = datetime(2020-01-01);\nT"), "T");
        let err = parse("declare query_parameters(x:long = 5);\nT").unwrap_err();
        assert_eq!(err.kind, ErrorKind::Unsupported);
        assert_eq!(err.message, "declare query_parameters is not supported yet");
    }

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

    #[test]
    fn query_level_errors() {
        assert_eq!(q(""), "error: the query is empty");
        assert_eq!(q("  // nothing\n"), "error: the query is empty");
        assert_eq!(
            q("let x = 1;"),
            "error: expected a query after the 'let' statements"
        );
        assert_eq!(
            q("let x = 1\nT"),
            "error: expected ';' after the 'let' statement, found 'T'"
        );
        assert_eq!(q("let x 1; T"), "error: expected '=' after 'let x'");
        assert_eq!(q("let x = ; T"), "error: expected a value after '='");
        assert_eq!(
            q("| where x"),
            "error: expected a table name or a tabular expression, found '|'"
        );
        assert_eq!(
            q("T where x"),
            "error: unexpected 'where': expected '|' or the end of the query"
        );
        assert_eq!(q("T |"), "error: expected an operator after '|'");
        assert_eq!(
            q("(T | count"),
            "error: expected ')' to close '(' opened at line 1, column 1"
        );
        assert_eq!(
            q("T | count)"),
            "error: unexpected ')': expected '|' or the end of the query"
        );
    }

    #[test]
    fn rendered_errors_point_at_the_token() {
        assert_eq!(
            rendered("T\n| where "),
            "error: expected an expression after 'where'\n --> line 2, column 9\n  |\n2 | | where \n  |         ^"
        );
        assert_eq!(
            rendered("T | where a == \"abc"),
            "error: unterminated string literal\n --> line 1, column 16\n  |\n1 | T | where a == \"abc\n  |                ^^^^"
        );
        assert_eq!(
            rendered("T | where f(a, b"),
            "error: expected ')' to close '(' opened at line 1, column 12\n --> line 1, column 17\n  |\n1 | T | where f(a, b\n  |                 ^"
        );
        assert_eq!(
            rendered("T | summarise count()"),
            "error: unknown operator 'summarise' (did you mean 'summarize'?)\n --> line 1, column 5\n  |\n1 | T | summarise count()\n  |     ^^^^^^^^^"
        );
    }

    #[test]
    fn the_lexer_error_wins_where_the_parser_stops() {
        assert_eq!(q("T | where a # b"), "error: unexpected character '#'");
        // An error further on than the parser's own is not the one reported.
        assert_eq!(
            q("T | where | \"x"),
            "error: expected an expression after 'where'"
        );
    }

    #[test]
    fn unsupported_features_are_named() {
        for (src, feature) in [
            ("T | fork (take 1)", "fork"),
            ("T | facet by x", "facet"),
            ("T | top-hitters 3 of a", "top-hitters"),
            ("T | sample-distinct 3 of a", "sample-distinct"),
            ("T | project-smart", "project-smart"),
            ("find \"x\"", "find"),
            (
                "cluster(\"c\").database(\"d\").T | count",
                "cross-resource query 'cluster()'",
            ),
            (
                "let R = workspace(\"w\").T | count; R",
                "cross-resource query 'workspace()'",
            ),
            ("T | distinct (A, B) = b", "'distinct' with '(A, B) = expr'"),
        ] {
            let err = parse(src).unwrap_err();
            assert_eq!(err.kind, ErrorKind::Unsupported, "{src}");
            assert_eq!(
                err.message,
                format!("{feature} is not supported yet"),
                "{src}"
            );
        }
        let err = parse("T | fork (take 1)").unwrap_err();
        assert_eq!(err.span, Some(Span::new(4, 8)));
    }

    #[test]
    fn a_syntax_error_after_an_unsupported_feature_still_shows() {
        assert_eq!(
            q("T | fork (take 1) | where"),
            "error: expected an expression after 'where'"
        );
        assert_eq!(
            q("T | facet by x | where a"),
            "error: facet is not supported yet"
        );
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("T | where {}1{}", "(".repeat(300), ")".repeat(300));
        assert!(q(&deep).contains("nested too deeply"), "{}", q(&deep));
        let minus = format!("print {}1", "-".repeat(300));
        assert!(q(&minus).contains("nested too deeply"));
        let pipes = format!("{}T{}", "(".repeat(300), ")".repeat(300));
        assert!(q(&pipes).contains("nested too deeply"));
        // Long chains build trees as deep as nesting does.
        let chain = format!("T | where {}", vec!["a"; 300].join(" or "));
        assert!(q(&chain).contains("nested too deeply"));
        let members = format!("print a{}", ".b".repeat(300));
        assert!(q(&members).contains("nested too deeply"));
        assert!(!q(&format!("T | where {}", vec!["a"; 200].join(" or "))).starts_with("error"));
        let dynamic = format!("print dynamic({}1{})", "[".repeat(300), "]".repeat(300));
        assert!(q(&dynamic).contains("nested too deeply"));
        let calls = format!("print {}1{}", "f(".repeat(300), ")".repeat(300));
        assert!(q(&calls).contains("nested too deeply"));
        let subqueries = format!("print {}T{}", "toscalar(".repeat(300), ")".repeat(300));
        assert!(q(&subqueries).contains("nested too deeply"));
        // Reasonable nesting works on a thread with a small stack.
        let ok = format!("T | where {}1{}", "(".repeat(100), ")".repeat(100));
        let handle = std::thread::Builder::new()
            .stack_size(2 << 20)
            .spawn(move || q(&ok))
            .unwrap();
        assert_eq!(handle.join().unwrap(), "T | where 1");
    }

    /// The seed hunting query Quarry's first rule is built on.
    const CLOUDFRONT_SEED: &str = r#"let query_frequency = 1h;
let query_period = 14d;
DeviceNetworkEvents
| where Timestamp > ago(query_period)
| where RemoteUrl matches regex @"d\d[a-z0-9]{12}\.cloudfront.net"// and not(InitiatingProcessAccountSid in ("S-1-5-18", "S-1-5-20"))
| summarize
    StartTime = arg_min(Timestamp, *),
    EndTime = max(Timestamp),
    DeviceNamesSample = array_sort_asc(make_set(DeviceName, 100))
    by InitiatingProcessVersionInfoCompanyName, InitiatingProcessVersionInfoProductName, InitiatingProcessVersionInfoOriginalFileName, InitiatingProcessVersionInfoInternalFileName, InitiatingProcessVersionInfoFileDescription
| where StartTime > ago(query_frequency)
| invoke FileProfile("InitiatingProcessSHA1")
| where not(GlobalPrevalence > 1000 and GlobalFirstSeen < ago(query_frequency) and SignatureState == "SignedValid")
| project
    StartTime,
    EndTime,
    DeviceNamesSample,
    Timestamp = StartTime,
    DeviceId,
    ReportId
"#;

    /// The queries of "KQL Mysteries", chapter 1, as printed (typographic
    /// quotes and a misspelt table included: that is the planner's error).
    const MYSTERIES: [&str; 4] = [
        "search \u{201c}192.168.0\u{201d}",
        "search in (NetworkCommunciationEvents) \u{201c}192.168.0\u{201d}",
        "NetworkCommunicationEvents\n| where RemoteIP has \"192.168.0.\"\n| summarize count() by RemoteIP, RemotePort",
        "NetworkCommunicationEvents\n| where RemoteIP has \"192.168.0.255\" and RemotePort == 4444\n| project TimeGenerated, ComputerName, RemoteIP, RemotePort, Protocol, EventDescription",
    ];

    #[test]
    fn the_seed_query_parses() {
        assert_eq!(
            q(CLOUDFRONT_SEED),
            "let query_frequency = ts(36000000000); let query_period = ts(12096000000000); DeviceNetworkEvents \
             | where (> Timestamp ago(query_period)) \
             | where (matches_regex RemoteUrl \"d\\\\d[a-z0-9]{12}\\\\.cloudfront.net\") \
             | summarize StartTime=arg_min(Timestamp, *), EndTime=max(Timestamp), DeviceNamesSample=array_sort_asc(make_set(DeviceName, 100)) \
             by InitiatingProcessVersionInfoCompanyName, InitiatingProcessVersionInfoProductName, InitiatingProcessVersionInfoOriginalFileName, InitiatingProcessVersionInfoInternalFileName, InitiatingProcessVersionInfoFileDescription \
             | where (> StartTime ago(query_frequency)) \
             | invoke FileProfile(\"InitiatingProcessSHA1\") \
             | where not((and (and (> GlobalPrevalence 1000) (< GlobalFirstSeen ago(query_frequency))) (== SignatureState \"SignedValid\"))) \
             | project StartTime, EndTime, DeviceNamesSample, Timestamp=StartTime, DeviceId, ReportId"
        );
    }

    #[test]
    fn the_mysteries_queries_parse() {
        assert_eq!(q(MYSTERIES[0]), "search term(192.168.0)");
        assert_eq!(
            q(MYSTERIES[1]),
            "search in(NetworkCommunciationEvents) term(192.168.0)"
        );
        assert_eq!(
            q(MYSTERIES[2]),
            "NetworkCommunicationEvents | where (has RemoteIP \"192.168.0.\") | summarize count() by RemoteIP, RemotePort"
        );
        assert_eq!(
            q(MYSTERIES[3]),
            "NetworkCommunicationEvents | where (and (has RemoteIP \"192.168.0.255\") (== RemotePort 4444)) \
             | project TimeGenerated, ComputerName, RemoteIP, RemotePort, Protocol, EventDescription"
        );
        let err = parse("search in (T) \"192.168.0").unwrap_err();
        assert_eq!(err.span, Some(Span::new(14, 24)));
    }

    /// Where the shared corpus is: beside the repository (CI, and /work).
    fn corpus_path() -> Option<std::path::PathBuf> {
        let beside = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../shared/kql-corpus/queries.jsonl");
        [beside, "/work/shared/kql-corpus/queries.jsonl".into()]
            .into_iter()
            .find(|p| p.exists())
    }

    /// Real hunting queries parse, or fail on a named unsupported feature;
    /// the few syntax errors are blocks that are not KQL (prose, commands)
    /// or genuinely broken queries.
    #[test]
    fn the_corpus_parses() {
        let Some(path) = corpus_path() else {
            eprintln!("kql corpus not found; skipped");
            return;
        };
        let text = std::fs::read_to_string(path).unwrap();
        let (mut total, mut ok, mut unsupported) = (0usize, 0usize, 0usize);
        for line in text.lines() {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            let Some(query) = record["query"].as_str() else {
                continue;
            };
            total += 1;
            match parse(query) {
                Ok(_) => ok += 1,
                Err(e) if e.kind == ErrorKind::Unsupported => unsupported += 1,
                Err(e) => {
                    // Every error renders (the span is inside the text).
                    assert!(e.render(query).contains('^'));
                }
            }
        }
        let syntax_ok = (ok + unsupported) as f64 / total as f64;
        eprintln!("corpus: {total} queries, {ok} parsed, {unsupported} unsupported");
        assert!(total > 1000);
        assert!(
            syntax_ok >= 0.97,
            "only {:.1}% are valid KQL to the parser",
            syntax_ok * 100.0
        );
        assert!(ok as f64 / total as f64 >= 0.75);
    }

    mod fuzz {
        use super::super::super::lexer::tokenize;
        use super::super::{parse, parse_expr};
        use super::{CLOUDFRONT_SEED, MYSTERIES};
        use proptest::prelude::*;

        /// Pieces of KQL to build token soups from.
        const PIECES: &[&str] = &[
            "T",
            "x",
            "|",
            "where",
            "project",
            "extend",
            "summarize",
            "by",
            "join",
            "kind=inner",
            "on",
            "$left",
            "$right",
            ".",
            "..",
            "(",
            ")",
            "[",
            "]",
            "{",
            "}",
            ",",
            ";",
            ":",
            "=",
            "==",
            "!=",
            "=~",
            "!~",
            "<",
            ">",
            "<=",
            "+",
            "-",
            "*",
            "/",
            "%",
            "!",
            "~",
            "has",
            "!has",
            "in",
            "in~",
            "!in",
            "has_any",
            "between",
            "and",
            "or",
            "not",
            "let",
            "\"s\"",
            "'s'",
            "@\"v\"",
            "\"",
            "'",
            "1",
            "1.5",
            "1h",
            "0x1F",
            "1e3",
            "datetime(",
            "datetime(2020-01-01)",
            "dynamic(",
            "dynamic([1,{\"a\":2}])",
            "int(null)",
            "typeof(",
            "search",
            "union",
            "datatable",
            "print",
            "range",
            "from",
            "to",
            "step",
            "mv-expand",
            "parse",
            "with",
            "render",
            "top",
            "sort",
            "asc",
            "nulls",
            "first",
            "toscalar(",
            "materialize(",
            "arg_max(",
            "count()",
            "//c\n",
            "\n",
            "mv-apply",
            "evaluate",
            "externaldata",
            "arg(\"\")",
            "lookup",
            "invoke",
            "as",
            "distinct",
            "['q']",
            "h\"o\"",
            "matches",
            "regex",
            "project-away",
            "-",
            "away",
            "#",
            "\u{e9}",
            "\u{201c}",
            "view",
        ];

        fn check(src: &str) {
            for result in [parse(src).map(|_| ()), parse_expr(src).map(|_| ())] {
                if let Err(e) = result {
                    let span = e.span.expect("parse errors have a span");
                    assert!(
                        span.start <= span.end && span.end <= src.len(),
                        "{span:?} in {src:?}"
                    );
                    e.render(src);
                }
            }
        }

        fn soup(pieces: &[&str], glue: bool) -> String {
            pieces.join(if glue { "" } else { " " })
        }

        /// Cases per property: 3000, or `PROPTEST_CASES` for a longer run.
        fn cases() -> u32 {
            std::env::var("PROPTEST_CASES")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or(3000)
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(cases()))]

            #[test]
            fn random_text_never_panics(src in "\\PC{0,120}") {
                check(&src);
                let _ = tokenize(&src);
            }

            #[test]
            fn random_kql_characters_never_panic(src in "[a-z0-9 |()\\[\\]{}\"'@.,;:=!~<>*+/%$_\\-\n]{0,120}") {
                check(&src);
            }

            #[test]
            fn token_soup_never_panics(
                pieces in prop::collection::vec(prop::sample::select(PIECES), 0..40),
                glue in any::<bool>(),
            ) {
                check(&soup(&pieces, glue));
            }

            #[test]
            fn mangled_real_queries_never_panic(
                which in 0usize..5,
                cut in any::<prop::sample::Index>(),
                len in 0usize..30,
                insert in prop::sample::select(PIECES),
            ) {
                let base = if which == 4 { CLOUDFRONT_SEED } else { MYSTERIES[which] };
                let mut at = cut.index(base.len() + 1);
                while !base.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + len).min(base.len());
                while !base.is_char_boundary(end) {
                    end -= 1;
                }
                check(&format!("{}{}", &base[..at], &base[end..]));
                check(&format!("{}{insert}{}", &base[..at], &base[at..]));
                check(&base[..at]);
            }
        }
    }
}
