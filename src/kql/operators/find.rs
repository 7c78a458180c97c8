//! `find [withsource=Col] [in (Tables)] where Predicate [project ...]`:
//! the rows of several tables (every loaded table without `in`) that
//! match a predicate, as one table whose first column (`source_`, or the
//! `withsource` name) names each row's table.
//!
//! The predicate is a `search` predicate: bare strings are terms (`find
//! "x"` is `find where * has "x"`), and a table without some column it
//! names has no hits for that part (find-operator.md: "EventsTable1 rows
//! are filtered with Version == 'v1.0.0'"). A table with none of the
//! columns it names is left out.
//!
//! The columns, after `source_`:
//! - `project-smart` (the default): the columns the predicate names, then
//!   those every table left in has, the others of each row packed into a
//!   bag, `pack_`;
//! - `project Col [: type], ...`: those columns (null where a table lacks
//!   one; converted to the type when given), and with `pack_all()` the
//!   others of each row in `pack_`.
//!
//! A column with different types in different tables is split per type
//! (`ProcessId_string`, `ProcessId_long`), as `union` splits it; a table
//! where the predicate does not type-check (`ProcessId == 1001` over a
//! string ProcessId) has no hits, unless no table takes the predicate.
//! Rows come table by table, in the order the tables are given (or
//! loaded).

use std::collections::HashSet;

use polars::prelude::*;
use serde_json::{Map, Value as Json};

use super::evaluate::convert;
use super::filter::column_names_in;
use super::union::{concat_outer, leg_name};
use super::{polars_error, wildcard_match};
use crate::data::types::KqlType;
use crate::kql::ast::{Find, FindProject, Pipeline, Source, Span};
use crate::kql::error::{ErrorKind, QueryError};
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// The bag of the columns a row's table has beside the output ones.
const PACK: &str = "pack_";

impl Runner<'_> {
    /// `find`
    pub(super) fn op_find(&self, f: &Find, span: Span) -> Result<DataFrame, QueryError> {
        let source = f
            .with_source
            .as_ref()
            .map_or_else(|| "source_".to_string(), |w| w.name.clone());
        let mut parts = self.find_tables(&f.tables, span)?;
        let known: HashSet<String> = parts
            .iter()
            .flat_map(|(_, frame)| frame.get_column_names())
            .map(|c| c.to_string())
            .collect();
        // The predicate's columns (a scalar `let` is no column).
        let mut named = Vec::new();
        column_names_in(&f.predicate, &mut named);
        let mut predicate_columns: Vec<&str> = Vec::new();
        for n in named {
            if known.contains(n) && self.scope.get(n).is_none() && !predicate_columns.contains(&n) {
                predicate_columns.push(n);
            }
        }
        if !predicate_columns.is_empty() {
            parts.retain(|(_, frame)| predicate_columns.iter().any(|c| frame.column(c).is_ok()));
        }
        let (wanted, types, pack) = match &f.project {
            FindProject::Smart => {
                let mut wanted: Vec<String> =
                    predicate_columns.iter().map(|c| c.to_string()).collect();
                if let Some((_, first)) = parts.first() {
                    for c in first.get_column_names() {
                        let everywhere = parts.iter().all(|(_, f)| f.column(c).is_ok());
                        if everywhere && !wanted.iter().any(|w| w == c.as_str()) {
                            wanted.push(c.to_string());
                        }
                    }
                }
                let types = vec![None; wanted.len()];
                (wanted, types, true)
            }
            FindProject::Columns { columns, pack_all } => {
                let mut types = Vec::new();
                for (name, kind) in columns {
                    types.push(match kind {
                        Some(k) => Some(KqlType::parse(k).ok_or_else(|| {
                            QueryError::syntax(format!("unknown type '{k}'"), name.span)
                        })?),
                        None => None,
                    });
                }
                let wanted = columns.iter().map(|(n, _)| n.name.clone()).collect();
                (wanted, types, *pack_all)
            }
        };
        let mut frames = Vec::with_capacity(parts.len());
        let mut mistyped = None;
        for (table, frame) in parts {
            self.check_cancel()?;
            let hits =
                match self.search_frame(false, &f.predicate, frame, None, Some(&known), false) {
                    Ok(hits) => hits,
                    // A column of another type here (`ProcessId == 1001` over a
                    // string ProcessId): no hits in this table, as Kusto reads
                    // the predicate per table; an error only if no table takes it.
                    Err(e) if e.kind == ErrorKind::Type => {
                        mistyped.get_or_insert(e);
                        continue;
                    }
                    Err(e) => return Err(e),
                };
            frames.push(find_part(
                &source, &table, &hits, &wanted, &types, pack, span,
            )?);
        }
        if let Some(e) = mistyped
            && frames.is_empty()
        {
            return Err(e);
        }
        let stacked = if frames.is_empty() {
            DataFrame::new(
                0,
                vec![Column::new(source.as_str().into(), Vec::<&str>::new())],
            )
            .map_err(|e| polars_error(e, span))?
        } else {
            concat_outer(frames, span)?
        };
        order_columns(stacked, &source, &wanted, &types, pack, span)
    }

    /// The tables `find` looks in, each with its name for `source_`.
    fn find_tables(
        &self,
        tables: &[Pipeline],
        span: Span,
    ) -> Result<Vec<(String, DataFrame)>, QueryError> {
        let mut parts = Vec::new();
        if tables.is_empty() {
            for name in self.table_names() {
                parts.push((name.to_string(), self.table(name, span)?));
            }
            return Ok(parts);
        }
        for (i, p) in tables.iter().enumerate() {
            match &p.source {
                Source::Table(id) if p.ops.is_empty() && id.name.contains('*') => {
                    let names: Vec<String> = self
                        .table_names()
                        .into_iter()
                        .filter(|n| wildcard_match(&id.name, n))
                        .map(str::to_string)
                        .collect();
                    for n in names {
                        parts.push((n.clone(), self.table(&n, id.span)?));
                    }
                }
                Source::Table(id) if p.ops.is_empty() => {
                    parts.push((id.name.clone(), self.table(&id.name, id.span)?));
                }
                _ => {
                    let name = leg_name(p, || format!("find_arg{}", i + 1));
                    parts.push((name, self.pipeline(p, None)?));
                }
            }
        }
        Ok(parts)
    }
}

/// One table's hits: `source_`, the wanted columns it has (converted when
/// a type is given), and the bag of the rest.
fn find_part(
    source: &str,
    table: &str,
    hits: &DataFrame,
    wanted: &[String],
    types: &[Option<KqlType>],
    pack: bool,
    span: Span,
) -> Result<DataFrame, QueryError> {
    let rows = hits.height();
    let mut columns = vec![Column::new(source.into(), vec![table; rows])];
    for (name, kind) in wanted.iter().zip(types) {
        if let Ok(c) = hits.column(name) {
            let c = c.as_materialized_series();
            columns.push(match kind {
                Some(k) => convert(c, *k, name).into_column(),
                None => c.clone().into_column(),
            });
        }
    }
    if pack {
        let rest: Vec<&Column> = hits
            .columns()
            .iter()
            .filter(|c| !wanted.iter().any(|w| w == c.name().as_str()))
            .collect();
        let bags = (0..rows)
            .map(|i| {
                let bag: Map<String, Json> = rest
                    .iter()
                    .map(|c| {
                        let v = Scalar::from_series(c.as_materialized_series(), i);
                        (c.name().to_string(), v.to_json())
                    })
                    .collect();
                Scalar::Dynamic(Json::Object(bag))
            })
            .collect();
        columns.push(scalars_to_series(PACK, KqlType::Dynamic, bags).into_column());
    }
    DataFrame::new(rows, columns).map_err(|e| polars_error(e, span))
}

/// `source_`, the wanted columns (each, or the columns a clash of types
/// split it into), then `pack_`. A wanted column no table has is null
/// (of its given type, else string).
fn order_columns(
    mut frame: DataFrame,
    source: &str,
    wanted: &[String],
    types: &[Option<KqlType>],
    pack: bool,
    span: Span,
) -> Result<DataFrame, QueryError> {
    let names: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let mut order = vec![source.to_string()];
    for (name, kind) in wanted.iter().zip(types) {
        if names.contains(name) {
            order.push(name.clone());
            continue;
        }
        let split: Vec<&String> = names
            .iter()
            .filter(|n| {
                n.strip_prefix(name.as_str())
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|t| KqlType::parse(t).is_some())
            })
            .collect();
        if split.is_empty() {
            let kind = kind.unwrap_or(KqlType::String);
            // Strings are never null.
            let empty = match kind {
                KqlType::String => Scalar::String(String::new()),
                _ => Scalar::Null(kind),
            };
            let nulls = vec![empty; frame.height()];
            frame
                .with_column(scalars_to_series(name, kind, nulls).into_column())
                .map_err(|e| polars_error(e, span))?;
            order.push(name.clone());
        }
        order.extend(split.into_iter().cloned());
    }
    if pack && names.iter().any(|n| n == PACK) {
        order.push(PACK.to_string());
    }
    frame.select(order).map_err(|e| polars_error(e, span))
}
