//! KQL parser: tokens to the syntax tree of [`super::ast`].
//!
//! A hand-written recursive-descent parser over the whole token list, so it
//! can look ahead freely (KQL keywords are contextual: `count` is an
//! operator, a function and a fine column name). This file holds the entry
//! points, the cursor over the tokens and the error helpers; each other
//! file parses one part of the language:
//!
//! - `statements.rs`: the query, `let`, `set` and function definitions;
//!   `pipeline.rs`: sources, `| op` chains, tabular look-ahead;
//! - `expr.rs`: scalar expressions; `literals.rs`: literals;
//!   `names.rs`: names, patterns, options, type names and schemas;
//! - `operators.rs`: which operator follows a `|`, handed to its family:
//!   `columns.rs` (project, extend, distinct), `sort.rs`, `top_nested.rs`,
//!   `summarize.rs` (and make-series), `join_union.rs`, `search.rs`,
//!   `expand.rs` (mv-expand, mv-apply), `text_ops.rs` (parse, parse-kv,
//!   parse-where, reduce), `flow_ops.rs` (scan, partition), `evaluate.rs`,
//!   `sources.rs` (datatable, externaldata, range), `inline_external.rs`,
//!   `render.rs`, `graph.rs`.

mod columns;
mod declare;
mod evaluate;
mod expand;
mod expr;
mod find;
mod flow_ops;
mod graph;
mod inline_external;
mod join_union;
mod literals;
mod macro_expand;
mod names;
mod operators;
mod pipeline;
mod render;
mod restrict;
mod search;
mod several;
mod sort;
mod sources;
mod statements;
mod summarize;
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

/// Parse a whole query: `let` statements, then one tabular expression.
pub fn parse(source: &str) -> Result<Query, QueryError> {
    let mut p = Parser::new(source);
    let query = p.parse_query()?;
    p.check_several(&query)?;
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
    /// The operators met that make several results (`fork`, `facet`,
    /// ...): where each starts, and what to call it with a caret at.
    several: Vec<several::SeveralAt>,
    /// The patterns `declare pattern` statements declared, by name.
    patterns: std::collections::HashMap<String, declare::Pattern>,
    /// `set query_take_max_records = N;`
    take_max_records: Option<Expr>,
    /// `restrict access to (...);`, and the declared patterns it hides.
    restrict: Option<Restrict>,
    hidden_patterns: std::collections::HashSet<String>,
    /// The entity groups `let G = entity_group [...]` defined.
    entity_groups: macro_expand::EntityGroups,
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
            several: Vec::new(),
            patterns: std::collections::HashMap::new(),
            take_max_records: None,
            restrict: None,
            hidden_patterns: std::collections::HashSet::new(),
            entity_groups: macro_expand::EntityGroups::new(),
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
}

#[cfg(test)]
mod printed;

#[cfg(test)]
mod tests {
    //! Whole queries: errors, nesting limits, real hunting queries and
    //! random input.

    use super::super::ast::*;
    use super::super::error::ErrorKind;
    use super::parse;
    use super::printed::{q, rendered};

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
            ("T | assert-schema (a:long)", "assert-schema"),
            ("T | project-smart", "project-smart"),
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
        let err = parse("T | project-smart").unwrap_err();
        assert_eq!(err.span, Some(Span::new(4, 17)));
    }

    #[test]
    fn a_syntax_error_after_an_unsupported_feature_still_shows() {
        assert_eq!(
            q("T | project-smart | where"),
            "error: expected an expression after 'where'"
        );
        assert_eq!(
            q("T | assert-schema (a:long) | where a"),
            "error: assert-schema is not supported yet"
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
    ///
    /// The corpus is others' queries and is not in the repository, so the
    /// test runs on request (`cargo test -- --ignored`) and fails when the
    /// corpus is not there; `tests/corpus_syntax.rs` keeps the constructs
    /// it taught the parser.
    #[test]
    #[ignore = "needs the hunting corpus at ../shared/kql-corpus/queries.jsonl"]
    fn the_corpus_parses() {
        let path = corpus_path().expect("the hunting corpus at ../shared/kql-corpus/queries.jsonl");
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
