//! Tabular operators: what follows a `|`, and the operators that start a
//! pipeline on their own (`search`, `union`, `datatable`, `print`, `range`).

use super::super::ast::*;
use super::super::error::{QueryError, did_you_mean};
use super::super::lexer::TokenKind;
use super::expr::termify;
use super::pipeline::CROSS_RESOURCE;
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
];

/// Real KQL operators Quarry does not run yet: named, not "unknown".
const UNSUPPORTED: &[&str] = &[
    "fork",
    "facet",
    "find",
    "top-hitters",
    "sample-distinct",
    "project-smart",
    "consume",
    "assert-schema",
    "macro-expand",
];

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
            other if UNSUPPORTED.contains(&other) => {
                return Ok(self.skip_unsupported(other, name_span));
            }
            "datatable" | "print" | "range" | "externaldata" | "external_data" => {
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
        Ok(Some(Operator {
            kind,
            span: start.to(self.prev_span()),
        }))
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
            "evaluate" => {
                self.bump();
                self.parse_evaluate()?
            }
            "find" => {
                self.skip_unsupported(word, start);
                // A stand-in: the caller gets the unsupported error instead.
                return Ok(Some(Source::Table(Ident {
                    name: word.to_string(),
                    span: start,
                })));
            }
            _ => return Ok(None),
        };
        Ok(Some(Source::Operator(Box::new(Operator {
            kind,
            span: start.to(self.prev_span()),
        }))))
    }

    // ---- column lists ----

    pub(super) fn parse_assignments(&mut self) -> PResult<Vec<Assignment>> {
        let mut items = vec![self.parse_assignment()?];
        while self.eat(&TokenKind::Comma) {
            items.push(self.parse_assignment()?);
        }
        Ok(items)
    }

    /// `Name = expr`, `(A, B) = expr` or `expr`.
    pub(super) fn parse_assignment(&mut self) -> PResult<Assignment> {
        let start = self.span();
        let mut names = Vec::new();
        if let Some(n) = self.assigned_names_len() {
            if n > 1 && matches!(self.kind(), TokenKind::LParen) {
                let open = self.bump().span;
                loop {
                    names.push(self.parse_name("a column name")?);
                    if !self.eat(&TokenKind::Comma) {
                        break;
                    }
                }
                self.expect_close(TokenKind::RParen, open)?;
            } else {
                names.push(self.parse_name("a column name")?);
            }
            self.bump();
        }
        let expr = self.parse_expr()?;
        let span = start.to(expr.span);
        Ok(Assignment { names, expr, span })
    }

    /// Tokens in `Name` or `(A, B)` when an `=` follows them.
    fn assigned_names_len(&self) -> Option<usize> {
        if let Some(n) = self.name_len_at(0) {
            return matches!(self.kind_at(n), TokenKind::Assign).then_some(n);
        }
        if !matches!(self.kind(), TokenKind::LParen) {
            return None;
        }
        let mut i = 1;
        loop {
            i += self.name_len_at(i)?;
            match self.kind_at(i) {
                TokenKind::Comma => i += 1,
                TokenKind::RParen => break,
                _ => return None,
            }
        }
        matches!(self.kind_at(i + 1), TokenKind::Assign).then_some(i + 1)
    }

    fn parse_project_rename(&mut self) -> PResult<OperatorKind> {
        let mut pairs = Vec::new();
        loop {
            let new = self.parse_name("a column name")?;
            if !self.eat(&TokenKind::Assign) {
                return Err(self.error_here(format!(
                    "expected '=' after '{}' in project-rename",
                    new.name
                )));
            }
            let old = self.parse_name("the column to rename")?;
            pairs.push((new, old));
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        Ok(OperatorKind::ProjectRename(pairs))
    }

    fn parse_project_reorder(&mut self) -> PResult<OperatorKind> {
        let mut names = Vec::new();
        loop {
            let name = self.parse_name_pattern("a column name")?;
            // The order keywords sort the columns a wildcard matches.
            let order = if self.is_ident("granny") && matches!(self.kind_at(1), TokenKind::Minus) {
                let desc = matches!(self.kind_at(2), TokenKind::Ident(w) if w.eq_ignore_ascii_case("desc"));
                self.pos += 3;
                Some(if desc {
                    NameOrder::GrannyDesc
                } else {
                    NameOrder::GrannyAsc
                })
            } else if self.eat_ident("asc") {
                Some(NameOrder::Asc)
            } else if self.eat_ident("desc") {
                Some(NameOrder::Desc)
            } else {
                None
            };
            names.push((name, order));
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        Ok(OperatorKind::ProjectReorder(names))
    }

    // ---- summarize, sort, top, distinct ----

    fn parse_summarize(&mut self) -> PResult<OperatorKind> {
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

    fn parse_sort_keys(&mut self) -> PResult<Vec<SortKey>> {
        let mut keys = Vec::new();
        loop {
            let expr = self.parse_expr()?;
            let dir = if self.eat_ident("asc") {
                Some(SortDir::Asc)
            } else if self.eat_ident("desc") {
                Some(SortDir::Desc)
            } else {
                None
            };
            let nulls = if self.eat_ident("nulls") {
                if self.eat_ident("first") {
                    Some(NullsPos::First)
                } else if self.eat_ident("last") {
                    Some(NullsPos::Last)
                } else {
                    return Err(self.expected_after("'first' or 'last'"));
                }
            } else {
                None
            };
            keys.push(SortKey { expr, dir, nulls });
            if !self.eat(&TokenKind::Comma) {
                return Ok(keys);
            }
        }
    }

    fn parse_top(&mut self) -> PResult<OperatorKind> {
        let count = self.parse_expr()?;
        if !self.eat_ident("by") {
            return Err(self.expected_after("'by'"));
        }
        Ok(OperatorKind::Top {
            count,
            keys: self.parse_sort_keys()?,
        })
    }

    fn parse_distinct(&mut self) -> PResult<OperatorKind> {
        if matches!(self.kind(), TokenKind::Star) {
            let span = self.bump().span;
            return Ok(OperatorKind::Distinct(vec![Expr {
                kind: ExprKind::Star,
                span,
            }]));
        }
        let mut columns = Vec::new();
        loop {
            let mut column = self.parse_assignment()?;
            // `Name = expr` is kept as a named argument, which evaluates to
            // `expr` and names its column `Name`.
            match column.names.len() {
                0 => columns.push(column.expr),
                1 => {
                    let name = column.names.remove(0);
                    columns.push(Expr {
                        kind: ExprKind::NamedArg {
                            name,
                            value: Box::new(column.expr),
                        },
                        span: column.span,
                    });
                }
                _ => {
                    self.defer_unsupported("'distinct' with '(A, B) = expr'", column.span);
                    columns.push(column.expr);
                }
            }
            if !self.eat(&TokenKind::Comma) {
                return Ok(OperatorKind::Distinct(columns));
            }
        }
    }

    // ---- search ----

    fn parse_search(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["kind"])?;
        let case_sensitive = match take_option(&mut options, "kind") {
            None => false,
            Some(v) if v.name == "case_sensitive" => true,
            Some(v) if v.name == "case_insensitive" => false,
            Some(v) => {
                return Err(QueryError::syntax(
                    format!(
                        "unknown search kind '{}' (expected case_sensitive or case_insensitive)",
                        v.name
                    ),
                    v.span,
                ));
            }
        };
        let mut tables = Vec::new();
        if self.is_ident("in") && matches!(self.kind_at(1), TokenKind::LParen) {
            self.bump();
            let open = self.bump().span;
            tables = self.parse_name_pattern_list("a table name")?;
            self.expect_close(TokenKind::RParen, open)?;
        }
        if self.at_operator_end() {
            return Err(self.expected_after("a search term"));
        }
        let outer = std::mem::replace(&mut self.search_mode, true);
        let predicate = self.parse_expr();
        self.search_mode = outer;
        Ok(OperatorKind::Search {
            case_sensitive,
            tables,
            predicate: termify(predicate?),
        })
    }

    // ---- join, lookup, union ----

    fn parse_join(&mut self) -> PResult<OperatorKind> {
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

    fn parse_lookup(&mut self) -> PResult<OperatorKind> {
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

    fn parse_union(&mut self) -> PResult<OperatorKind> {
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
        let source = if self.at(&TokenKind::LParen) && CROSS_RESOURCE.contains(&name.name.as_str())
        {
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

    // ---- mv-expand, parse ----

    fn parse_mv_expand(&mut self) -> PResult<OperatorKind> {
        let options = self.parse_options(&["bagexpansion", "with_itemindex", "kind"])?;
        let (columns, to_types, limit) = self.parse_expansions()?;
        Ok(OperatorKind::MvExpand {
            columns,
            limit,
            options,
            to_types,
        })
    }

    /// The columns of `mv-expand` and `mv-apply`: `[Name =] expr [to
    /// typeof(t)], ...`, then an optional `limit n`.
    #[allow(clippy::type_complexity)]
    fn parse_expansions(
        &mut self,
    ) -> PResult<(Vec<Assignment>, Vec<Option<String>>, Option<Expr>)> {
        let mut columns = Vec::new();
        let mut to_types = Vec::new();
        loop {
            columns.push(self.parse_assignment()?);
            to_types.push(if self.eat_ident("to") {
                Some(self.parse_typeof()?)
            } else {
                None
            });
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        let limit = if self.eat_ident("limit") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        Ok((columns, to_types, limit))
    }

    /// `typeof(string)` after `to`: the type name.
    fn parse_typeof(&mut self) -> PResult<String> {
        if !self.eat_ident("typeof") {
            return Err(self.expected_after("'typeof(type)'"));
        }
        let open = self.expect(TokenKind::LParen, "'('")?;
        let ty = self.parse_type_name()?;
        self.expect_close(TokenKind::RParen, open)?;
        Ok(ty)
    }

    /// `mv-apply [with_itemindex=I] [Name =] expr [to typeof(t)], ... [limit n] on (subquery)`
    fn parse_mv_apply(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["with_itemindex"])?;
        let item_index = take_option(&mut options, "with_itemindex");
        let (columns, to_types, limit) = self.parse_expansions()?;
        if !self.eat_ident("on") {
            return Err(self.expected_after("'on' and the subquery in parentheses"));
        }
        let open = self.expect(TokenKind::LParen, "'(' and the subquery")?;
        let subquery = self.parse_subquery_ops()?;
        self.expect_close(TokenKind::RParen, open)?;
        Ok(OperatorKind::MvApply {
            columns,
            to_types,
            item_index,
            limit,
            subquery,
        })
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

    /// `evaluate [hint.x=y] plugin(args) [: (schema)]`, after `evaluate`.
    fn parse_evaluate(&mut self) -> PResult<OperatorKind> {
        // Hints (`hint.distribution=per_node`) do not change the result.
        self.parse_options(&[])?;
        let plugin = self.parse_name("a plugin name")?;
        if !self.at(&TokenKind::LParen) {
            return Err(self.expected_after("'(' and the plugin's arguments"));
        }
        let args = self.parse_call_args()?;
        let schema = if self.eat(&TokenKind::Colon) {
            Some(self.parse_output_schema()?)
        } else {
            None
        };
        Ok(OperatorKind::Evaluate {
            plugin,
            args,
            schema,
        })
    }

    /// `(*, Name:type, ...)` after a plugin's `:`.
    fn parse_output_schema(&mut self) -> PResult<OutputSchema> {
        let open = self.expect(TokenKind::LParen, "'(' and the output schema")?;
        let wildcard = self.eat(&TokenKind::Star);
        let mut columns = Vec::new();
        if !wildcard || self.eat(&TokenKind::Comma) {
            loop {
                let name = self.parse_name("a column name")?;
                self.expect(TokenKind::Colon, "':' and a type after the column name")?;
                columns.push((name, self.parse_type_name()?));
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        Ok(OutputSchema { wildcard, columns })
    }

    /// `externaldata (a:string, ...) [ "uri", ... ] [with (name=value, ...)]`,
    /// after `externaldata`.
    fn parse_externaldata(&mut self) -> PResult<OperatorKind> {
        let open = self.expect(TokenKind::LParen, "'(' and the columns")?;
        let mut columns = Vec::new();
        loop {
            let name = self.parse_name("a column name")?;
            self.expect(TokenKind::Colon, "':' and a type after the column name")?;
            columns.push((name, self.parse_type_name()?));
            // A trailing comma before `)` is accepted, as in datatable values.
            if !self.eat(&TokenKind::Comma) || self.at(&TokenKind::RParen) {
                break;
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        let open = self.expect(TokenKind::LBracket, "'[' and the storage URIs")?;
        let mut uris = Vec::new();
        loop {
            if !matches!(self.kind(), TokenKind::Str(_)) {
                return Err(self.expected_after("a string with a storage URI"));
            }
            // Adjacent literals are one URI (`@"https://..." h@"?sig=..."`).
            uris.push(self.parse_string_literal());
            if !self.eat(&TokenKind::Comma) || self.at(&TokenKind::RBracket) {
                break;
            }
        }
        self.expect_close(TokenKind::RBracket, open)?;
        let mut properties = Vec::new();
        if self.is_ident("with") && matches!(self.kind_at(1), TokenKind::LParen) {
            self.bump();
            let open = self.bump().span;
            while !self.at(&TokenKind::RParen) {
                let name = self.parse_name("a property name")?;
                self.expect(TokenKind::Assign, "'=' after the property name")?;
                let value = self.parse_option_value()?;
                properties.push(OpOption { name, value });
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect_close(TokenKind::RParen, open)?;
        }
        Ok(OperatorKind::ExternalData {
            columns,
            uris,
            properties,
        })
    }

    /// `make-series [kind=..] [Name =] agg [default = v], ... on Axis
    /// (from a to b step s | in range(a, b, s)) [by ...]`
    fn parse_make_series(&mut self) -> PResult<OperatorKind> {
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

    fn parse_parse(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["kind", "flags"])?;
        let kind = take_option(&mut options, "kind").map(|k| k.name);
        let flags = take_option(&mut options, "flags");
        if let Some(f) = &flags {
            super::text_ops::check_regex_flags(f, kind.as_deref())?;
        }
        let flags = flags.map(|f| f.name);
        let source = self.parse_expr()?;
        if !self.eat_ident("with") {
            return Err(self.expected_after("'with' and a pattern"));
        }
        let pattern = self.parse_parse_pattern()?;
        Ok(OperatorKind::Parse {
            source,
            kind,
            flags,
            pattern,
        })
    }

    /// The pattern of `parse` and `parse-where` after `with`: strings,
    /// `*` and `Column[:type]`, up to the end of the operator.
    pub(super) fn parse_parse_pattern(&mut self) -> PResult<Vec<ParsePart>> {
        let mut pattern = Vec::new();
        while !self.at_operator_end() {
            match self.kind() {
                TokenKind::Str(_) => {
                    pattern.push(ParsePart::Literal(self.parse_string_literal().0))
                }
                TokenKind::Star => {
                    self.bump();
                    pattern.push(ParsePart::Wildcard);
                }
                _ if self.at_name() => {
                    let name = self.parse_name("a column name")?;
                    let kind = if self.eat(&TokenKind::Colon) {
                        Some(self.parse_type_name()?)
                    } else {
                        None
                    };
                    pattern.push(ParsePart::Column { name, kind });
                }
                _ => {
                    return Err(self.error_here(format!(
                        "expected a string, '*' or a column name in the parse pattern, found {}",
                        self.describe_current()
                    )));
                }
            }
        }
        if pattern.is_empty() {
            return Err(self.expected_after("a pattern"));
        }
        Ok(pattern)
    }

    // ---- sources ----

    /// `datatable (a:string, b:long) [ "x", 1, ... ]`
    fn parse_datatable(&mut self) -> PResult<OperatorKind> {
        let open = self.expect(TokenKind::LParen, "'(' and the columns")?;
        let mut columns = Vec::new();
        loop {
            let name = self.parse_name("a column name")?;
            self.expect(TokenKind::Colon, "':' and a type after the column name")?;
            columns.push((name, self.parse_type_name()?));
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        let open = self.expect(TokenKind::LBracket, "'[' and the values")?;
        let mut values = Vec::new();
        while !self.at(&TokenKind::RBracket) {
            values.push(self.parse_expr()?);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect_close(TokenKind::RBracket, open)?;
        Ok(OperatorKind::Datatable { columns, values })
    }

    /// `range x from a to b step s`
    fn parse_range(&mut self) -> PResult<OperatorKind> {
        let name = self.parse_name("a column name")?;
        if !self.eat_ident("from") {
            return Err(self.expected_after("'from'"));
        }
        let from = self.parse_expr()?;
        if !self.eat_ident("to") {
            return Err(self.expected_after("'to'"));
        }
        let to = self.parse_expr()?;
        if !self.eat_ident("step") {
            return Err(self.expected_after("'step'"));
        }
        let step = self.parse_expr()?;
        Ok(OperatorKind::Range {
            name,
            from,
            to,
            step,
        })
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

/// Remove the option called `name` and return its value.
fn take_option(options: &mut Vec<OpOption>, name: &str) -> Option<Ident> {
    let i = options.iter().position(|o| o.name.name == name)?;
    Some(options.remove(i).value)
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
    fn where_and_filter() {
        assert_eq!(piped("where a == 1"), "where (== a 1)");
        assert_eq!(piped("filter a"), "where a");
        assert_eq!(
            piped("where"),
            "error: expected an expression after 'where'"
        );
    }

    #[test]
    fn project_family() {
        assert_eq!(
            piped("project a, b = c + 1, ['x y']"),
            "project a, b=(+ c 1), x y"
        );
        assert_eq!(
            piped("project-away a, Init*, *Id"),
            "project-away a, Init*, *Id"
        );
        assert_eq!(piped("project-keep a, b*"), "project-keep a, b*");
        assert_eq!(
            piped("project-rename New = Old, ['n 2'] = o2"),
            "project-rename New=Old, n 2=o2"
        );
        assert_eq!(
            piped("project-reorder b, a* asc, c desc, d granny-asc"),
            "project-reorder b, a* Asc, c Desc, d GrannyAsc"
        );
        assert_eq!(
            piped("extend x = 1, (A, B) = f(), y"),
            "extend x=1, (A, B)=f(), y"
        );
        assert_eq!(
            piped("extend type = 1, count = 2"),
            "extend type=1, count=2"
        );
        assert_eq!(
            piped("project"),
            "error: expected an expression after 'project'"
        );
        assert_eq!(
            piped("project-rename a"),
            "error: expected '=' after 'a' in project-rename"
        );
        // Spaces break a hyphenated name: this is `project -away` then junk.
        assert_eq!(
            piped("project - away a"),
            "error: unexpected 'a': expected '|' or the end of the query"
        );
    }

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
    fn sort_top_take_distinct_count() {
        assert_eq!(piped("sort by a"), "sort a");
        assert_eq!(
            piped("order by a asc nulls first, b desc nulls last, c nulls last"),
            "sort a asc nulls-first, b desc nulls-last, c nulls-last"
        );
        assert_eq!(piped("top 10 by a desc"), "top 10 by a desc");
        assert_eq!(
            piped("top 5 by a asc nulls last"),
            "top 5 by a asc nulls-last"
        );
        assert_eq!(piped("take 5"), "take 5");
        assert_eq!(piped("limit 5"), "take 5");
        assert_eq!(piped("distinct a, b"), "distinct a, b");
        assert_eq!(piped("distinct *"), "distinct *");
        assert_eq!(piped("count"), "count");
        assert_eq!(piped("sort a"), "error: expected 'by' after 'sort'");
        assert_eq!(piped("top 10 a"), "error: expected 'by' after '10'");
        assert_eq!(
            piped("sort by a nulls"),
            "error: expected 'first' or 'last' after 'nulls'"
        );
    }

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

    #[test]
    fn mv_expand() {
        assert_eq!(piped("mv-expand a"), "mv-expand a");
        assert_eq!(
            piped(
                "mv-expand bagexpansion=array with_itemindex=i a to typeof(string), b = c.d limit 10"
            ),
            "mv-expand bagexpansion=array with_itemindex=i a to string, b=c.d limit 10"
        );
        assert_eq!(piped("mvexpand a"), "mv-expand a");
        assert_eq!(
            piped("mv-expand a to string"),
            "error: expected 'typeof(type)' after 'to'"
        );
    }

    #[test]
    fn parse_operator() {
        assert_eq!(
            piped("parse Msg with * \"user=\" User:string \" id=\" Id:long *"),
            "parse Msg with * \"user=\" User:string \" id=\" Id:long *"
        );
        assert_eq!(
            piped("parse kind=regex flags=i Msg with @\"(\\d+)\" N:long"),
            "parse kind=regex Msg with \"(\\\\d+)\" N:long"
        );
        assert_eq!(
            piped("parse kind=relaxed tostring(x) with a \",\" b"),
            "parse kind=relaxed tostring(x) with a \",\" b"
        );
        assert_eq!(
            piped("parse Msg \"x\""),
            "error: expected 'with' and a pattern after 'Msg'"
        );
        assert_eq!(
            piped("parse Msg with 5"),
            "error: expected a string, '*' or a column name in the parse pattern, found '5'"
        );
    }

    #[test]
    fn mv_apply() {
        assert_eq!(
            piped(
                "mv-apply with_itemindex=i x = arr to typeof(long), y limit 5 on (where x > 1 | summarize make_list(x))"
            ),
            "mv-apply with_itemindex=i x=arr to long, y limit 5 on (where (> x 1) | summarize make_list(x) by )"
        );
        assert_eq!(piped("mvapply a on (take 1)"), "mv-apply a on (take 1)");
        assert_eq!(
            piped("mv-apply a on (mv-apply b on (project b))"),
            "mv-apply a on (mv-apply b on (project b))"
        );
        assert_eq!(
            piped("mv-apply x"),
            "error: expected 'on' and the subquery in parentheses after 'x'"
        );
        assert_eq!(
            piped("mv-apply x on where"),
            "error: expected '(' and the subquery after 'on'"
        );
        assert_eq!(
            piped("mv-apply x on ()"),
            "error: expected an operator after '('"
        );
        assert_eq!(
            piped("mv-apply x on (take 1"),
            "error: expected ')' to close '(' opened at line 1, column 19"
        );
    }

    #[test]
    fn evaluate() {
        assert_eq!(
            piped("evaluate bag_unpack(d, 'p_', columnsConflict='keep_source')"),
            "evaluate bag_unpack(d, \"p_\", columnsConflict=\"keep_source\")"
        );
        assert_eq!(
            piped("evaluate bag_unpack(d) : (*, Name:string, Age:long)"),
            "evaluate bag_unpack(d) : (*, Name:string, Age:long)"
        );
        assert_eq!(
            piped("evaluate pivot(S): (K:string, A:long)"),
            "evaluate pivot(S) : (K:string, A:long)"
        );
        assert_eq!(
            piped("evaluate hint.distribution=per_node pivot(State, sum(x)) | take 1"),
            "evaluate pivot(State, sum(x)) | take 1"
        );
        assert_eq!(
            q("evaluate python(typeof(*), 'x')"),
            "evaluate python(typeof(*), \"x\")"
        );
        assert_eq!(
            piped("evaluate pivot"),
            "error: expected '(' and the plugin's arguments after 'pivot'"
        );
        assert_eq!(
            piped("evaluate bag_unpack(d) : (a)"),
            "error: expected ':' and a type after the column name after 'a'"
        );
    }

    #[test]
    fn externaldata() {
        assert_eq!(
            q(
                "externaldata(a:string, b:long)[@\"https://x/y.csv\", h@\"https://x/\" \"z.csv\"] with (format=\"csv\", ignoreFirstRecord=True)"
            ),
            "externaldata(a:string, b:long)[\"https://x/y.csv\", \"https://x/z.csv\"] with (format=csv, ignoreFirstRecord=True)"
        );
        assert_eq!(
            q("externaldata (a:string,) [\"u\"] | take 1"),
            "externaldata(a:string)[\"u\"] with () | take 1"
        );
        assert_eq!(
            q("let t = externaldata(a:string)[\"u\"] with(format='txt'); t"),
            "let t = tabular externaldata(a:string)[\"u\"] with (format=txt); t"
        );
        assert_eq!(
            q("external_data(a:string)[\"u\"]"),
            "externaldata(a:string)[\"u\"] with ()"
        );
        assert_eq!(
            q("externaldata(a:string)"),
            "error: expected '[' and the storage URIs after ')'"
        );
        assert_eq!(
            q("externaldata(a:string)[1]"),
            "error: expected a string with a storage URI after '['"
        );
        assert_eq!(
            q("externaldata(a:string)[\"u\"] with (format)"),
            "error: expected '=' after the property name after 'format'"
        );
        assert_eq!(
            piped("externaldata(a:string)[\"u\"]"),
            "error: 'externaldata' starts a query; it cannot follow '|'"
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

    #[test]
    fn distinct_with_names_and_watchlists() {
        assert_eq!(piped("distinct a, B = b"), "distinct a, B=b");
        assert_eq!(
            q("let w = _GetWatchlist('x'); w"),
            "let w = tabular _GetWatchlist(\"x\"); w"
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

    #[test]
    fn source_operators() {
        assert_eq!(
            q("datatable(a:string, b:long)[\"x\", 1, \"y\", -2,]"),
            "datatable(a:string, b:long)[\"x\", 1, \"y\", -2]"
        );
        assert_eq!(
            q("datatable (['a b']:dynamic) [dynamic({\"k\": 1})] | count"),
            "datatable(a b:dynamic)[dyn({\"k\":1})] | count"
        );
        assert_eq!(q("print x = 1, \"a\""), "print x=1, \"a\"");
        assert_eq!(
            q("range x from 1 to 10 step 2"),
            "range x from 1 to 10 step 2"
        );
        assert_eq!(
            q("range t from ago(1d) to now() step 1h | count"),
            "range t from ago(ts(864000000000)) to now() step ts(36000000000) | count"
        );
        assert_eq!(
            q("datatable(a)[1]"),
            "error: expected ':' and a type after the column name after 'a'"
        );
        assert_eq!(
            q("range x from 1 to 10"),
            "error: expected 'step' after '10'"
        );
    }
}
