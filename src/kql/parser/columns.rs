//! Column lists and the operators made of them: `Name = expr` and
//! `(A, B) = expr` assignments (which `project`, `extend`, `summarize`,
//! `print` and others take), the `project` family and `distinct`.

use super::super::ast::*;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
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

    pub(super) fn parse_project_rename(&mut self) -> PResult<OperatorKind> {
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

    pub(super) fn parse_project_reorder(&mut self) -> PResult<OperatorKind> {
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

    pub(super) fn parse_distinct(&mut self) -> PResult<OperatorKind> {
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
}

#[cfg(test)]
mod tests {
    use super::super::printed::{piped, q};

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
    fn distinct_with_names_and_watchlists() {
        assert_eq!(piped("distinct a, B = b"), "distinct a, B=b");
        assert_eq!(
            q("let w = _GetWatchlist('x'); w"),
            "let w = tabular _GetWatchlist(\"x\"); w"
        );
    }
}
