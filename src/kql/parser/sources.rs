//! Operators that make rows of their own at the head of a pipeline:
//! `datatable`, `externaldata` and `range`.

use super::super::ast::*;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
    /// `datatable (a:string, b:long) [ "x", 1, ... ]`
    pub(super) fn parse_datatable(&mut self) -> PResult<OperatorKind> {
        let open = self.expect(TokenKind::LParen, "'(' and the columns")?;
        let columns = self.parse_column_types(false)?;
        self.expect_close(TokenKind::RParen, open)?;
        let open = self.expect(TokenKind::LBracket, "'[' and the values")?;
        let mut values = self.finish_items(open, TokenKind::RBracket, Self::parse_expr)?;
        self.exact_decimal_cells(&columns, &mut values);
        Ok(OperatorKind::Datatable { columns, values })
    }

    /// A number in a decimal column is read from its own digits (`0.1`,
    /// 25-digit integers), as Kusto reads it for that column's type, not
    /// through the real or long it lexed as.
    fn exact_decimal_cells(&self, columns: &[(Ident, String)], values: &mut [Expr]) {
        let decimal = |t: &String| t.eq_ignore_ascii_case("decimal");
        if columns.is_empty() || !columns.iter().any(|(_, t)| decimal(t)) {
            return;
        }
        for (i, e) in values.iter_mut().enumerate() {
            if decimal(&columns[i % columns.len()].1)
                && matches!(
                    e.kind,
                    ExprKind::Literal(Literal::Real(_) | Literal::Long(_) | Literal::Int(_))
                )
                && let Some(d) = crate::data::decimal::Decimal::parse(self.text(e.span))
            {
                e.kind = ExprKind::Literal(Literal::Decimal(d));
            }
        }
    }

    /// `externaldata (a:string, ...) [ "uri", ... ] [with (name=value, ...)]`,
    /// after `externaldata`.
    pub(super) fn parse_externaldata(&mut self) -> PResult<OperatorKind> {
        let open = self.expect(TokenKind::LParen, "'(' and the columns")?;
        // A trailing comma before `)` is accepted, as in datatable values.
        let columns = self.parse_column_types(true)?;
        self.expect_close(TokenKind::RParen, open)?;
        let open = self.expect(TokenKind::LBracket, "'[' and the storage URIs")?;
        let mut uris = Vec::new();
        loop {
            uris.push(self.parse_connection_string()?);
            if !self.eat(&TokenKind::Comma) || self.at(&TokenKind::RBracket) {
                break;
            }
        }
        self.expect_close(TokenKind::RBracket, open)?;
        let properties = self.parse_with_properties()?;
        Ok(OperatorKind::ExternalData {
            columns,
            uris,
            properties,
        })
    }

    /// A storage connection string: a string literal (adjacent literals are
    /// one: `@"https://..." h@"?sig=..."`) or the name of a query parameter
    /// holding one.
    pub(super) fn parse_connection_string(&mut self) -> PResult<Expr> {
        if matches!(self.kind(), TokenKind::Str(_)) {
            let (text, span) = self.parse_string_literal();
            return Ok(Expr {
                kind: ExprKind::Literal(Literal::String(text)),
                span,
            });
        }
        if self.ident_at(0).is_some() {
            let name = self.parse_name("a query parameter")?;
            return Ok(Expr {
                kind: ExprKind::Name(name.name),
                span: name.span,
            });
        }
        Err(self.expected_after("a string with a storage URI"))
    }

    /// `with (name=value, ...)` after the storage of `externaldata` or
    /// `inline_external_table`; none when there is no `with (`.
    pub(super) fn parse_with_properties(&mut self) -> PResult<Vec<OpOption>> {
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
        Ok(properties)
    }

    /// `range x from a to b step s`
    pub(super) fn parse_range(&mut self) -> PResult<OperatorKind> {
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
}

#[cfg(test)]
mod tests {
    use super::super::printed::{piped, q};

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
}
