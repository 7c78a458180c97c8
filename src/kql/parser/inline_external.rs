//! `inline_external_table`, after its name:
//!
//! ```text
//! inline_external_table [(Name:type, ...)] kind=storage|delta
//!     [partition by (Name:type [= expr], ...)] [pathformat=(part ...)]
//!     [dataformat=f] (uri, ...) [with (name=value, ...)]
//! ```
//!
//! The clauses between the kind and the storage list are taken in any
//! order; a `pathformat` part is a string, a partition column's name or
//! `datetime_pattern('yyyy/MM/dd', Column)`. Whether a clause suits the
//! kind is the operator's to say (it names the clause with a caret).

use super::super::ast::*;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
    pub(super) fn parse_inline_external_table(&mut self) -> PResult<OperatorKind> {
        let mut columns = Vec::new();
        if self.at(&TokenKind::LParen) {
            let open = self.bump().span;
            columns = self.parse_column_types(true)?;
            self.expect_close(TokenKind::RParen, open)?;
        }
        if !self.is_ident("kind") {
            return Err(self.expected_after("'kind=storage' or 'kind=delta'"));
        }
        self.bump();
        self.expect(TokenKind::Assign, "'=' after 'kind'")?;
        let kind = self.parse_name("storage or delta")?;
        let mut table = InlineExternalTable {
            columns,
            kind,
            partitions: Vec::new(),
            path_format: Vec::new(),
            data_format: None,
            uris: Vec::new(),
            properties: Vec::new(),
        };
        loop {
            if self.is_ident("partition") && self.ident_at(1) == Some("by") {
                self.bump();
                self.bump();
                table.partitions = self.parse_partition_columns()?;
            } else if self.is_ident("pathformat") {
                self.bump();
                self.expect(TokenKind::Assign, "'=' after 'pathformat'")?;
                table.path_format = self.parse_path_format()?;
            } else if self.is_ident("dataformat") {
                self.bump();
                self.expect(TokenKind::Assign, "'=' after 'dataformat'")?;
                table.data_format = Some(self.parse_option_value()?);
            } else {
                break;
            }
        }
        let open = self.expect(TokenKind::LParen, "'(' and the storage connection strings")?;
        loop {
            table.uris.push(self.parse_connection_string()?);
            if !self.eat(&TokenKind::Comma) || self.at(&TokenKind::RParen) {
                break;
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        table.properties = self.parse_with_properties()?;
        Ok(OperatorKind::InlineExternalTable(Box::new(table)))
    }

    /// `(Name:type [= expr], ...)` after `partition by`.
    fn parse_partition_columns(&mut self) -> PResult<Vec<PartitionColumn>> {
        let open = self.expect(TokenKind::LParen, "'(' and the partition columns")?;
        let mut partitions = Vec::new();
        loop {
            let name = self.parse_name("a partition column name")?;
            self.expect(TokenKind::Colon, "':' and a type after the partition name")?;
            let kind = self.parse_type_name()?;
            let expr = if self.eat(&TokenKind::Assign) {
                Some(self.parse_expr()?)
            } else {
                None
            };
            partitions.push(PartitionColumn { name, kind, expr });
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        Ok(partitions)
    }

    /// `('text' Column datetime_pattern('fmt', Column) ...)` after `pathformat=`.
    fn parse_path_format(&mut self) -> PResult<Vec<PathFormatPart>> {
        let open = self.expect(TokenKind::LParen, "'(' and the path format")?;
        let mut parts = Vec::new();
        while !self.at(&TokenKind::RParen) {
            if let TokenKind::Str(text) = self.kind() {
                parts.push(PathFormatPart::Text(text.clone()));
                self.bump();
            } else if self.is_ident("datetime_pattern")
                && matches!(self.kind_at(1), TokenKind::LParen)
            {
                self.bump();
                let open = self.bump().span;
                let TokenKind::Str(pattern) = self.kind().clone() else {
                    return Err(self.expected_after("a pattern string such as 'yyyy/MM/dd'"));
                };
                self.bump();
                self.expect(TokenKind::Comma, "',' and the partition column")?;
                let column = self.parse_name("a partition column name")?;
                self.expect_close(TokenKind::RParen, open)?;
                parts.push(PathFormatPart::DatetimePattern { pattern, column });
            } else if self.ident_at(0).is_some() {
                parts.push(PathFormatPart::Column(
                    self.parse_name("a partition column name")?,
                ));
            } else {
                return Err(self.expected_after(
                    "a string, a partition column or datetime_pattern(...) in the path format",
                ));
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        Ok(parts)
    }
}

#[cfg(test)]
mod tests {
    use super::super::printed::q;

    #[test]
    fn storage_and_delta_forms() {
        assert_eq!(
            q(
                "inline_external_table(T:datetime, D:string, R:string) kind=storage \
                 partition by (Day:datetime = startofday(T), RP:string = R) \
                 pathformat=('day=' datetime_pattern('yyyy/MM/dd', Day) '/region=' RP) \
                 dataformat=parquet (h@\"https://x/c;managed_identity=1\", URI) with (includeHeaders='All')"
            ),
            "inline_external_table(T:datetime, D:string, R:string) kind=storage \
             partition by (Day:datetime = startofday(T), RP:string = R) \
             pathformat=(\"day=\" datetime_pattern(\"yyyy/MM/dd\", Day) \"/region=\" RP) \
             dataformat=parquet (\"https://x/c;managed_identity=1\", URI) with (includeHeaders=All)"
        );
        assert_eq!(
            q(
                "inline_external_table kind=delta (h@\"abfss://f@a.dfs.core.windows.net/d/t\") | take 1"
            ),
            "inline_external_table kind=delta (\"abfss://f@a.dfs.core.windows.net/d/t\") | take 1"
        );
        assert_eq!(
            super::super::printed::piped("inline_external_table kind=delta (\"u\")"),
            "error: 'inline_external_table' starts a query; it cannot follow '|'"
        );
        assert_eq!(
            q("inline_external_table(a:string) dataformat=csv (\"u\")"),
            "error: expected 'kind=storage' or 'kind=delta' after ')'"
        );
        assert_eq!(
            q("inline_external_table(a:string) kind=storage pathformat=(1) (\"u\")"),
            "error: expected a string, a partition column or datetime_pattern(...) in the path format after '('"
        );
        assert_eq!(
            q("inline_external_table(a:string) kind=storage dataformat=csv"),
            "error: expected '(' and the storage connection strings after 'csv'"
        );
    }
}
