//! Ordering rows: `sort by` (`order by`) and `top N by`, with their keys'
//! `asc`/`desc` and `nulls first`/`nulls last`.

use super::super::ast::*;
use super::super::lexer::TokenKind;
use super::{PResult, Parser};

impl Parser<'_> {
    pub(super) fn parse_sort_keys(&mut self) -> PResult<Vec<SortKey>> {
        let mut keys = Vec::new();
        loop {
            let expr = self.parse_expr()?;
            let dir = self.parse_sort_dir();
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

    /// `asc` or `desc` after a sort key, if written.
    pub(super) fn parse_sort_dir(&mut self) -> Option<SortDir> {
        if self.eat_ident("asc") {
            Some(SortDir::Asc)
        } else if self.eat_ident("desc") {
            Some(SortDir::Desc)
        } else {
            None
        }
    }

    pub(super) fn parse_top(&mut self) -> PResult<OperatorKind> {
        let count = self.parse_expr()?;
        if !self.eat_ident("by") {
            return Err(self.expected_after("'by'"));
        }
        Ok(OperatorKind::Top {
            count,
            keys: self.parse_sort_keys()?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::printed::piped;

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
}
