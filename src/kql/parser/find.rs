//! The `find` operator: `find [withsource=Col] [in (Tables)] where
//! Predicate [project-smart | project Col[:type], ... [, pack_all()]]`, or
//! `find Predicate [...]` over every table.

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::names::take_option;
use super::search::termify;
use super::{PResult, Parser};

impl Parser<'_> {
    /// `find ...`, after `find`.
    pub(super) fn parse_find(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["withsource"])?;
        let with_source = take_option(&mut options, "withsource");
        let mut tables = Vec::new();
        let scoped = self.is_ident("in") && matches!(self.kind_at(1), TokenKind::LParen);
        if scoped {
            self.bump();
            let open = self.bump().span;
            loop {
                tables.push(self.parse_find_table()?);
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
            self.expect_close(TokenKind::RParen, open)?;
            if !self.eat_ident("where") {
                return Err(self.expected_after("'where' and the predicate"));
            }
        } else {
            // `find where x` reads as `find x` does.
            self.eat_ident("where");
        }
        if self.at_operator_end() {
            return Err(self.expected_after("a predicate"));
        }
        let outer = std::mem::replace(&mut self.search_mode, true);
        let predicate = self.parse_expr();
        self.search_mode = outer;
        let predicate = termify(predicate?);
        let project = self.parse_find_project()?;
        Ok(OperatorKind::Find(Box::new(Find {
            with_source,
            tables,
            predicate,
            project,
        })))
    }

    /// A table of `in (...)`: a name, a wildcard or `(pipeline)`.
    fn parse_find_table(&mut self) -> PResult<Pipeline> {
        let start = self.span();
        if self.at(&TokenKind::LParen) {
            let open = self.bump().span;
            let inner = self.parse_pipeline()?;
            self.expect_close(TokenKind::RParen, open)?;
            return Ok(inner);
        }
        let name = self.parse_name_pattern("a table name")?;
        if self.at(&TokenKind::LParen) || self.at(&TokenKind::Dot) {
            return Err(QueryError::unsupported(
                "find in other databases or clusters",
                name.span,
            ));
        }
        Ok(Pipeline {
            source: Source::Table(name),
            ops: Vec::new(),
            span: start.to(self.prev_span()),
        })
    }

    /// `project-smart`, `project Col [: type], ... [, pack_all()]`, or
    /// nothing (project-smart).
    fn parse_find_project(&mut self) -> PResult<FindProject> {
        if !self.is_ident("project") {
            return Ok(FindProject::Smart);
        }
        if matches!(self.kind_at(1), TokenKind::Minus)
            && self.glued(1)
            && self.glued(2)
            && self.ident_at(2) == Some("smart")
        {
            self.pos += 3;
            return Ok(FindProject::Smart);
        }
        self.bump();
        let mut columns = Vec::new();
        let mut pack_all = false;
        loop {
            if self.is_ident("pack_all") && matches!(self.kind_at(1), TokenKind::LParen) {
                let at = self.span();
                self.bump();
                self.bump();
                self.expect(TokenKind::RParen, "')' after 'pack_all('")?;
                if pack_all {
                    return Err(QueryError::syntax("pack_all() is given twice", at));
                }
                pack_all = true;
            } else {
                let name = self.parse_name("a column name or pack_all()")?;
                let kind = if self.eat(&TokenKind::Colon) {
                    Some(self.parse_name("a type after ':'")?.name)
                } else {
                    None
                };
                columns.push((name, kind));
            }
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        Ok(FindProject::Columns { columns, pack_all })
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    fn find(src: &str) -> Find {
        let q = parse(src).unwrap_or_else(|e| panic!("{}", e.render(src)));
        match q.body.source {
            Source::Operator(op) => match op.kind {
                OperatorKind::Find(f) => *f,
                other => panic!("not find: {other:?}"),
            },
            other => panic!("not an operator: {other:?}"),
        }
    }

    #[test]
    fn scopes_predicates_and_projections() {
        let f = find(
            "find withsource=T in (A, B*, (C | take 1)) where x == 1 project a, b:long, pack_all()",
        );
        assert_eq!(f.with_source.map(|w| w.name).as_deref(), Some("T"));
        assert_eq!(f.tables.len(), 3);
        let FindProject::Columns { columns, pack_all } = f.project else {
            panic!("not a list")
        };
        let names: Vec<(&str, Option<&str>)> = columns
            .iter()
            .map(|(n, k)| (n.name.as_str(), k.as_deref()))
            .collect();
        assert_eq!(names, vec![("a", None), ("b", Some("long"))]);
        assert!(pack_all);
        let f = find("find \"Hernandez\"");
        assert!(f.tables.is_empty());
        assert!(matches!(f.predicate.kind, ExprKind::SearchTerm { .. }));
        assert_eq!(f.project, FindProject::Smart);
        assert_eq!(
            find("find x == 1 project-smart").project,
            FindProject::Smart
        );
    }

    #[test]
    fn errors() {
        let err = |src: &str| parse(src).expect_err("an error").message;
        assert_eq!(
            err("find in (A) x == 1"),
            "expected 'where' and the predicate after ')'"
        );
        assert_eq!(
            err("find in (A) where"),
            "expected a predicate after 'where'"
        );
        assert_eq!(
            err("find in (database('*').*) where * has 'x'"),
            "find in other databases or clusters is not supported yet"
        );
    }
}
