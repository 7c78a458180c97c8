//! Plugins: `evaluate plugin(args)`, with the output schema a plugin may be
//! given (`: (*, Name:string)`).

use super::super::ast::*;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
    /// `evaluate [hint.x=y] plugin(args) [: (schema)]`, after `evaluate`.
    pub(super) fn parse_evaluate(&mut self) -> PResult<OperatorKind> {
        // Hints (`hint.distribution=per_node`) do not change the result.
        self.parse_options(&[])?;
        let plugin = self.parse_name("a plugin name")?;
        if !self.at(&TokenKind::LParen) {
            return Err(self.expected_after("'(' and the plugin's arguments"));
        }
        let args = if crate::kql::operators::needs_service(&plugin.name) {
            self.parse_service_args()?
        } else {
            self.parse_call_args()?
        };
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
        let columns = if !wildcard || self.eat(&TokenKind::Comma) {
            self.parse_column_types(false)?
        } else {
            Vec::new()
        };
        self.expect_close(TokenKind::RParen, open)?;
        Ok(OutputSchema { wildcard, columns })
    }
}

#[cfg(test)]
mod tests {
    use super::super::printed::{piped, q};

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
}
