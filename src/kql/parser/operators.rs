//! Tabular operators: what follows a `|`, and the operators that start a
//! pipeline on their own (`search`, `union`, `datatable`, `print`,
//! `range`, ...). This file reads the operator's name and hands the rest to
//! its family's file; a few one-line operators are read here.

use super::super::ast::*;
use super::super::error::{QueryError, did_you_mean};
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

/// Operators Quarry parses.
const SUPPORTED: &[&str] = &[
    "where",
    "filter",
    "search",
    "project",
    "project-away",
    "project-keep",
    "project-rename",
    "project-reorder",
    "extend",
    "summarize",
    "sort",
    "order",
    "top",
    "take",
    "limit",
    "distinct",
    "count",
    "join",
    "lookup",
    "union",
    "mv-expand",
    "invoke",
    "as",
    "serialize",
    "render",
    "getschema",
    "parse",
    "sample",
    "mv-apply",
    "evaluate",
    "make-series",
    "parse-kv",
    "parse-where",
    "scan",
    "partition",
    "reduce",
    "top-nested",
    "project-by-names",
    "make-graph",
    "graph-match",
    "graph-to-table",
    "graph-shortest-paths",
    "graph-mark-components",
    "fork",
    "facet",
    "sample-distinct",
    "top-hitters",
    "consume",
    "macro-expand",
];

/// Real KQL operators Quarry does not run yet: named, not "unknown".
const UNSUPPORTED: &[&str] = &["project-smart", "assert-schema"];

impl Parser<'_> {
    /// One operator after a `|`; `None` for an unsupported one, which is
    /// noted and read past.
    pub(super) fn parse_operator(&mut self) -> PResult<Option<Operator>> {
        let start = self.span();
        let Some(first) = self.ident_at(0).map(str::to_string) else {
            return Err(self.expected_after("an operator"));
        };
        // Hyphenated names (`project-away`) are words glued by `-`.
        let mut name = first;
        let mut end = self.bump().span;
        while matches!(self.kind(), TokenKind::Minus) && self.glued(0) && self.glued(1) {
            let Some(part) = self.ident_at(1).map(str::to_string) else {
                break;
            };
            self.pos += 2;
            name.push('-');
            name.push_str(&part);
            end = self.prev_span();
        }
        let name_span = start.to(end);
        let kind = match name.as_str() {
            "where" | "filter" => OperatorKind::Where(self.parse_expr()?),
            "search" => self.parse_search()?,
            "project" => OperatorKind::Project(self.parse_assignments()?),
            "project-away" => {
                OperatorKind::ProjectAway(self.parse_name_pattern_list("a column name")?)
            }
            "project-keep" => {
                OperatorKind::ProjectKeep(self.parse_name_pattern_list("a column name")?)
            }
            "project-rename" => self.parse_project_rename()?,
            "project-by-names" => {
                if self.at_operator_end() {
                    return Err(self.error_here(
                        "expected a column name, a pattern or an array of names after 'project-by-names'",
                    ));
                }
                let mut specifiers = vec![self.parse_expr()?];
                while self.eat(&TokenKind::Comma) {
                    specifiers.push(self.parse_expr()?);
                }
                OperatorKind::ProjectByNames(specifiers)
            }
            "project-reorder" => self.parse_project_reorder()?,
            "extend" => OperatorKind::Extend(self.parse_assignments()?),
            "summarize" => self.parse_summarize()?,
            "sort" | "order" => {
                if !self.eat_ident("by") {
                    return Err(self.expected_after("'by'"));
                }
                OperatorKind::Sort(self.parse_sort_keys()?)
            }
            "top" => self.parse_top()?,
            "top-nested" => self.parse_top_nested(start)?,
            "take" | "limit" => OperatorKind::Take(self.parse_expr()?),
            "distinct" => self.parse_distinct()?,
            "count" => OperatorKind::Count,
            "join" => self.parse_join()?,
            "lookup" => self.parse_lookup()?,
            "union" => self.parse_union()?,
            "mv-expand" | "mvexpand" => self.parse_mv_expand()?,
            "invoke" => {
                let name = self.parse_name("a function name")?;
                let args = self.parse_call_args()?;
                OperatorKind::Invoke { name, args }
            }
            "as" => {
                self.parse_options(&[])?;
                OperatorKind::As(self.parse_name("a name")?)
            }
            "serialize" => {
                let columns = if self.at_operator_end() {
                    Vec::new()
                } else {
                    self.parse_assignments()?
                };
                OperatorKind::Serialize(columns)
            }
            "render" => self.parse_render(start)?,
            "getschema" => OperatorKind::GetSchema,
            "parse" => self.parse_parse()?,
            "sample" => OperatorKind::Sample(self.parse_expr()?),
            "mv-apply" | "mvapply" => self.parse_mv_apply()?,
            "evaluate" => self.parse_evaluate()?,
            "make-series" => self.parse_make_series()?,
            "parse-kv" => self.parse_parse_kv()?,
            "parse-where" => self.parse_parse_where()?,
            "scan" => self.parse_scan()?,
            "partition" => self.parse_partition()?,
            "reduce" => self.parse_reduce()?,
            "make-graph"
            | "graph-match"
            | "graph-to-table"
            | "graph-shortest-paths"
            | "graph-mark-components" => self.parse_graph_op(&name)?,
            "fork" => self.parse_fork()?,
            "facet" => self.parse_facet()?,
            "sample-distinct" => self.parse_sample_distinct()?,
            "top-hitters" => self.parse_top_hitters()?,
            "consume" => {
                // `decodeblocks=true` forces decoding on a cluster; here
                // every value is already decoded.
                self.parse_options(&["decodeblocks"])?;
                OperatorKind::Consume
            }
            other if UNSUPPORTED.contains(&other) => {
                return Ok(self.skip_unsupported(other, name_span));
            }
            "datatable"
            | "print"
            | "range"
            | "externaldata"
            | "external_data"
            | "find"
            | "macro-expand"
            | "inline_external_table" => {
                return Err(QueryError::syntax(
                    format!("'{name}' starts a query; it cannot follow '|'"),
                    name_span,
                ));
            }
            other => {
                let hint = did_you_mean(other, SUPPORTED.iter().chain(UNSUPPORTED).copied());
                return Err(QueryError::syntax(
                    format!("unknown operator '{other}'{hint}"),
                    name_span,
                ));
            }
        };
        let op = Operator {
            kind,
            span: start.to(self.prev_span()),
        };
        self.note_several(&op, name_span);
        Ok(Some(op))
    }

    /// Note an unsupported operator and read past the rest of it.
    fn skip_unsupported(&mut self, feature: &str, span: Span) -> Option<Operator> {
        self.defer_unsupported(feature, span);
        self.take_operator_text();
        None
    }

    /// An operator that starts a pipeline, or `None` when `word` is not one.
    pub(super) fn parse_source_operator(&mut self, word: &str) -> PResult<Option<Source>> {
        let start = self.span();
        let kind = match word {
            "search" => {
                self.bump();
                self.parse_search()?
            }
            "union" => {
                self.bump();
                self.parse_union()?
            }
            "datatable" => {
                self.bump();
                self.parse_datatable()?
            }
            "print" => {
                self.bump();
                OperatorKind::Print(self.parse_assignments()?)
            }
            "range" => {
                self.bump();
                self.parse_range()?
            }
            "externaldata" | "external_data" => {
                self.bump();
                self.parse_externaldata()?
            }
            "inline_external_table" => {
                self.bump();
                self.parse_inline_external_table()?
            }
            "evaluate" => {
                self.bump();
                self.parse_evaluate()?
            }
            "find" => {
                self.bump();
                self.parse_find()?
            }
            "macro" if self.at_macro_expand(0) => self.parse_macro_expand()?,
            _ => return Ok(None),
        };
        Ok(Some(Source::Operator(Box::new(Operator {
            kind,
            span: start.to(self.prev_span()),
        }))))
    }

    /// The rest of an unsupported operator as written, up to the `|`,
    /// `;` or `)` that ends it.
    fn take_operator_text(&mut self) -> String {
        let start = self.span().start;
        let mut end = start;
        let mut depth = 0usize;
        loop {
            match self.kind() {
                TokenKind::Eof | TokenKind::Error(_) => break,
                TokenKind::Pipe | TokenKind::Semi if depth == 0 => break,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace if depth == 0 => break,
                TokenKind::LParen | TokenKind::LBracket | TokenKind::LBrace => depth += 1,
                TokenKind::RParen | TokenKind::RBracket | TokenKind::RBrace => depth -= 1,
                _ => {}
            }
            end = self.bump().span.end;
        }
        self.src.get(start..end).unwrap_or("").to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::super::printed::piped;

    #[test]
    fn where_and_filter() {
        assert_eq!(piped("where a == 1"), "where (== a 1)");
        assert_eq!(piped("filter a"), "where a");
        assert_eq!(
            piped("where"),
            "error: expected an expression after 'where'"
        );
    }

    #[test]
    fn other_operators() {
        assert_eq!(
            piped("invoke FileProfile(\"InitiatingProcessSHA1\", 100)"),
            "invoke FileProfile(\"InitiatingProcessSHA1\", 100)"
        );
        assert_eq!(piped("invoke FileProfile()"), "invoke FileProfile()");
        assert_eq!(piped("as T2"), "as T2");
        assert_eq!(piped("as hint.materialized=true T2"), "as T2");
        assert_eq!(piped("serialize"), "serialize ");
        assert_eq!(
            piped("serialize n = row_number()"),
            "serialize n=row_number()"
        );
        assert_eq!(
            piped("render timechart with (title=\"x\", ymin=0)"),
            "render timechart"
        );
        assert_eq!(piped("getschema"), "getschema");
        assert_eq!(piped("sample 10"), "sample 10");
        assert_eq!(piped("union U"), "union (U)");
        assert_eq!(
            piped("print 1"),
            "error: 'print' starts a query; it cannot follow '|'"
        );
        assert_eq!(
            piped("wher a"),
            "error: unknown operator 'wher' (did you mean 'where'?)"
        );
        assert_eq!(piped("frobnicate"), "error: unknown operator 'frobnicate'");
        assert_eq!(piped("5"), "error: expected an operator after '|'");
    }
}
