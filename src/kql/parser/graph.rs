//! The graph operators: `make-graph`, `graph-match`,
//! `graph-shortest-paths`, `graph-to-table`, `graph-mark-components`.

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::graph::ast::*;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
    /// The graph operator called `name`, its name already read.
    pub(super) fn parse_graph_op(&mut self, name: &str) -> PResult<OperatorKind> {
        let op = match name {
            "make-graph" => GraphOp::MakeGraph(self.parse_make_graph()?),
            "graph-match" => GraphOp::Match(self.parse_graph_match(false)?),
            "graph-shortest-paths" => GraphOp::Match(self.parse_graph_match(true)?),
            "graph-to-table" => GraphOp::ToTable(self.parse_graph_to_table()?),
            _ => self.parse_mark_components()?,
        };
        Ok(OperatorKind::Graph(Box::new(op)))
    }

    fn parse_make_graph(&mut self) -> PResult<MakeGraph> {
        let source = self.parse_name("the source node id column")?;
        let undirected =
            if self.at(&TokenKind::Minus) && matches!(self.kind_at(1), TokenKind::Minus) {
                self.pos += 2;
                !self.eat(&TokenKind::Gt)
            } else {
                return Err(self.expected_after("'-->' (or '--')"));
            };
        let target = self.parse_name("the target node id column")?;
        let mut nodes = Vec::new();
        let mut node_id = None;
        if self.is_ident("with_node_id") {
            self.bump();
            self.expect(TokenKind::Assign, "'=' after 'with_node_id'")?;
            node_id = Some(self.parse_name("a property name")?);
        } else if self.eat_ident("with") {
            loop {
                let table = self.parse_pipeline()?;
                if !self.eat_ident("on") {
                    return Err(self.expected_after("'on' and the node id column"));
                }
                let id = self.parse_name("the node id column")?;
                nodes.push((table, id));
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        let mut partition = None;
        if self.is_ident("partitioned")
            && matches!(self.kind_at(1), TokenKind::Minus)
            && self.ident_at(2) == Some("by")
        {
            self.pos += 3;
            let column = self.parse_name("the partition column")?;
            if !self.at(&TokenKind::LParen) {
                return Err(
                    self.expected_after("'(' and the graph operators to run on each partition")
                );
            }
            let open = self.bump().span;
            let ops = self.parse_subquery_ops()?;
            self.expect_close(TokenKind::RParen, open)?;
            partition = Some((column, ops));
        }
        Ok(MakeGraph {
            source,
            target,
            undirected,
            nodes,
            node_id,
            partition,
        })
    }

    fn parse_graph_match(&mut self, shortest: bool) -> PResult<GraphMatch> {
        let mut cycles = Cycles::UniqueEdges;
        let mut output_all = false;
        loop {
            let option = if shortest { "output" } else { "cycles" };
            if !(self.is_ident(option) && matches!(self.kind_at(1), TokenKind::Assign)) {
                break;
            }
            self.pos += 2;
            let value = self.parse_name(&format!("a value for '{option}'"))?;
            match (shortest, value.name.as_str()) {
                (false, "unique_edges") => cycles = Cycles::UniqueEdges,
                (false, "none") => cycles = Cycles::None,
                (false, "all") => cycles = Cycles::All,
                (true, "any") => output_all = false,
                (true, "all") => output_all = true,
                _ => {
                    let allowed = if shortest {
                        "'any' or 'all'"
                    } else {
                        "'unique_edges', 'none' or 'all'"
                    };
                    return Err(QueryError::syntax(
                        format!("{option} must be {allowed}, not '{}'", value.name),
                        value.span,
                    ));
                }
            }
        }
        let start = self.span();
        let mut sequences = vec![self.parse_sequence()?];
        while self.eat(&TokenKind::Comma) {
            sequences.push(self.parse_sequence()?);
        }
        let pattern_span = start.to(self.prev_span());
        let condition = if self.eat_ident("where") {
            Some(self.parse_expr()?)
        } else {
            None
        };
        if !self.eat_ident("project") {
            let what = if condition.is_some() {
                "'project' and the output columns"
            } else {
                "'where' or 'project'"
            };
            return Err(self.expected_after(what));
        }
        let project = self.parse_assignments()?;
        Ok(GraphMatch {
            cycles,
            shortest: shortest.then_some(output_all),
            sequences,
            condition,
            project,
            pattern_span,
        })
    }

    /// `(a)-[e]->(b)...`
    fn parse_sequence(&mut self) -> PResult<Sequence> {
        let first = self.parse_node_pattern()?;
        let mut rest = Vec::new();
        while matches!(self.kind(), TokenKind::Minus | TokenKind::Lt) {
            let edge = self.parse_edge_pattern()?;
            let node = self.parse_node_pattern()?;
            rest.push((edge, node));
        }
        Ok(Sequence { first, rest })
    }

    fn parse_node_pattern(&mut self) -> PResult<NodePattern> {
        if !self.at(&TokenKind::LParen) {
            let what =
                if self.pos > 0 && matches!(self.tok_at(self.pos - 1).kind, TokenKind::RParen) {
                    "an edge ('-->', '<--', '--' or '-[e]->') or the end of the pattern"
                } else {
                    "a node such as '(n)' or '()' in the graph pattern"
                };
            return Err(self.expected_after(what));
        }
        let open = self.bump().span;
        let name = if self.at(&TokenKind::RParen) {
            None
        } else {
            Some(self.parse_name("a node variable name")?)
        };
        let close = self.expect_close(TokenKind::RParen, open)?;
        Ok(NodePattern {
            name,
            span: open.to(close),
        })
    }

    /// `-->`, `<--`, `--`, `-[e]->`, `<-[e]-`, `-[e]-`, with `*min..max`
    /// inside the brackets for a variable-length edge.
    fn parse_edge_pattern(&mut self) -> PResult<EdgePattern> {
        let start = self.span();
        let from_right = self.eat(&TokenKind::Lt);
        if !self.eat(&TokenKind::Minus) {
            return Err(self.expected_after("'-' in the edge ('<--' or '<-[e]-')"));
        }
        let mut name = None;
        let mut length = None;
        if self.at(&TokenKind::LBracket) {
            let open = self.bump().span;
            if !matches!(self.kind(), TokenKind::Star | TokenKind::RBracket) {
                name = Some(self.parse_name("an edge variable name")?);
            }
            if self.eat(&TokenKind::Star) {
                let min = self.parse_edge_bound("the minimum length")?;
                if !self.eat(&TokenKind::DotDot) {
                    return Err(self.expected_after("'..' and the maximum length (as in '*1..3')"));
                }
                let max_span = self.span();
                let max = self.parse_edge_bound("the maximum length")?;
                if max < min {
                    return Err(QueryError::syntax(
                        format!("the maximum length {max} is less than the minimum {min}"),
                        max_span,
                    ));
                }
                length = Some((min, max));
            }
            self.expect_close(TokenKind::RBracket, open)?;
        }
        if !self.eat(&TokenKind::Minus) {
            return Err(self.expected_after("'-' to continue the edge ('-->', '--' or ']->')"));
        }
        let to_right = self.eat(&TokenKind::Gt);
        let direction = match (from_right, to_right) {
            (false, true) => Direction::Right,
            (true, false) => Direction::Left,
            (false, false) => Direction::Any,
            (true, true) => {
                return Err(QueryError::syntax(
                    "an edge points one way ('-->' or '<--') or none ('--'), not both",
                    start.to(self.prev_span()),
                ));
            }
        };
        Ok(EdgePattern {
            name,
            direction,
            length,
            span: start.to(self.prev_span()),
        })
    }

    fn parse_edge_bound(&mut self, what: &str) -> PResult<u32> {
        match self.kind().clone() {
            TokenKind::Long(n) => {
                let span = self.bump().span;
                u32::try_from(n).map_err(|_| {
                    QueryError::syntax(format!("the edge length {n} is too large"), span)
                })
            }
            _ => Err(self.expected_after(what)),
        }
    }

    fn parse_graph_to_table(&mut self) -> PResult<Vec<TableExport>> {
        let mut exports = Vec::new();
        loop {
            let start = self.span();
            let element = if self.eat_ident("nodes") {
                Element::Nodes
            } else if self.eat_ident("edges") {
                Element::Edges
            } else {
                return Err(self.expected_after("'nodes' or 'edges'"));
            };
            let mut export = TableExport {
                element,
                alias: None,
                node_id: None,
                source_id: None,
                target_id: None,
                span: start,
            };
            loop {
                if self.eat_ident("as") {
                    export.alias = Some(self.parse_name("a table name")?);
                    continue;
                }
                let Some(option) = self.ident_at(0).map(str::to_string) else {
                    break;
                };
                let slot = match (element, option.as_str()) {
                    (Element::Nodes, "with_node_id") => &mut export.node_id,
                    (Element::Edges, "with_source_id") => &mut export.source_id,
                    (Element::Edges, "with_target_id") => &mut export.target_id,
                    (_, "with_node_id" | "with_source_id" | "with_target_id") => {
                        let which = if element == Element::Nodes {
                            "nodes"
                        } else {
                            "edges"
                        };
                        return Err(
                            self.error_here(format!("'{option}' does not apply to {which}"))
                        );
                    }
                    _ => break,
                };
                self.bump();
                self.expect(TokenKind::Assign, &format!("'=' after '{option}'"))?;
                *slot = Some(self.parse_name("a column name")?);
            }
            export.span = start.to(self.prev_span());
            exports.push(export);
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        Ok(exports)
    }

    fn parse_mark_components(&mut self) -> PResult<GraphOp> {
        let mut strong = false;
        let mut id = None;
        loop {
            if self.is_ident("kind") && matches!(self.kind_at(1), TokenKind::Assign) {
                self.pos += 2;
                let value = self.parse_name("'weak' or 'strong'")?;
                strong = match value.name.as_str() {
                    "weak" => false,
                    "strong" => true,
                    other => {
                        return Err(QueryError::syntax(
                            format!("kind must be 'weak' or 'strong', not '{other}'"),
                            value.span,
                        ));
                    }
                };
            } else if self.is_ident("with_component_id")
                && matches!(self.kind_at(1), TokenKind::Assign)
            {
                self.pos += 2;
                id = Some(self.parse_name("a property name")?);
            } else {
                break;
            }
        }
        Ok(GraphOp::MarkComponents { strong, id })
    }
}
