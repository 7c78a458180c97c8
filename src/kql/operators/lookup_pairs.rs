//! The output of the lookup plugins (`ipv4_lookup`, `ipv6_lookup`,
//! `geo_polygon_lookup`, `geo_line_lookup`): the pairs of input row and
//! matching lookup row they found, gathered side by side.

use polars::prelude::*;

use super::{fill_strings, gather, polars_error, unique_name};
use crate::kql::ast::Span;
use crate::kql::error::QueryError;
use crate::kql::limits::{Growth, Unit, row_bytes};
use crate::kql::run::Runner;

/// What a lookup plugin found, and how it lays it out.
pub(super) struct Pairs {
    /// For each output row, the input row...
    pub input: Vec<IdxSize>,
    /// ...and the lookup row it matched (`None`: an unmatched input row,
    /// kept on request).
    pub lookup: Vec<Option<IdxSize>>,
    /// The lookup table's columns in the output.
    pub lookup_columns: Vec<String>,
    /// Whether the lookup table's columns come first.
    pub lookup_first: bool,
}

impl Runner<'_> {
    /// The rows of `pairs`: the input's columns and the lookup table's
    /// chosen columns (in the order the plugin documents), a name
    /// already taken getting a suffix as in `join`. Refused before it is
    /// built when it would not fit in the memory budget.
    pub(super) fn lookup_rows(
        &self,
        plugin: &str,
        frame: &DataFrame,
        table: &DataFrame,
        pairs: Pairs,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        self.admit(&Growth {
            operator: plugin,
            count: pairs.input.len() as u64,
            unit: Unit::Rows,
            item_bytes: row_bytes(frame) + row_bytes(table),
            advice: "filter the input or the lookup table first",
            span,
        })?;
        let input_part = gather(
            frame,
            &IdxCa::from_vec("".into(), pairs.input),
            self.cancel(),
            span,
        )?;
        let table = table
            .select(pairs.lookup_columns)
            .map_err(|e| polars_error(e, span))?;
        let lookup_part = gather(
            &table,
            &IdxCa::from_iter_options("".into(), pairs.lookup.into_iter()),
            self.cancel(),
            span,
        )?;
        let (first, second) = if pairs.lookup_first {
            (lookup_part, input_part)
        } else {
            (input_part, lookup_part)
        };
        let mut taken: Vec<String> = Vec::new();
        let mut columns: Vec<Column> = Vec::new();
        for c in first.columns().iter().chain(second.columns()) {
            let name = unique_name(c.name(), &taken);
            taken.push(name.clone());
            columns.push(c.clone().with_name(name.into()));
        }
        let out = DataFrame::new(first.height(), columns).map_err(|e| polars_error(e, span))?;
        fill_strings(out, span)
    }
}
