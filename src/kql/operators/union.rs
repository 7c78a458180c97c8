//! `union`: tables, wildcards and subqueries, outer (all columns) or inner
//! (common columns), with `withsource=`.

use polars::prelude::*;

use crate::data::encode::decode;

use super::{fill_strings, polars_error, unique_name, wildcard_match};
use crate::data::decimal;
use crate::data::types::KqlType;
use crate::kql::ast::{Ident, OpOption, OperatorKind, Pipeline, Source, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;

impl Runner<'_> {
    pub(super) fn op_union(
        &self,
        options: &[OpOption],
        with_source: Option<&Ident>,
        tables: &[Pipeline],
        piped: Option<(DataFrame, Option<&str>)>,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let opt = |n: &str| {
            options
                .iter()
                .find(|o| o.name.name.eq_ignore_ascii_case(n))
                .map(|o| o.value.name.to_ascii_lowercase())
        };
        let inner = opt("kind").as_deref() == Some("inner");
        let fuzzy = opt("isfuzzy").as_deref() == Some("true");
        let mut parts: Vec<(String, DataFrame)> = Vec::new();
        if let Some((frame, origin)) = piped {
            parts.push((origin.unwrap_or("union_arg0").to_string(), frame));
        }
        for (i, p) in tables.iter().enumerate() {
            self.check_cancel()?;
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
                Source::Table(id) if p.ops.is_empty() => match self.table(&id.name, id.span) {
                    Ok(f) => parts.push((id.name.clone(), f)),
                    Err(e) if fuzzy => self.options.warnings.push(format!(
                        "union isfuzzy=true left out a source: {}",
                        e.message
                    )),
                    Err(e) => return Err(e),
                },
                _ => {
                    let name = leg_name(p, || format!("union_arg{}", i + 1));
                    parts.push((name, self.pipeline(p, None)?));
                }
            }
        }
        let mut frames: Vec<DataFrame> = Vec::new();
        for (name, mut f) in parts {
            if let Some(col) = with_source {
                let c = Column::new(col.name.as_str().into(), vec![name.as_str(); f.height()]);
                f = f
                    .insert_column(0, c)
                    .map_err(|e| polars_error(e, span))?
                    .clone();
            }
            frames.push(f);
        }
        stack(frames, inner, span)
    }
}

/// Stacks the legs of a union (or of a `macro-expand`): `inner` keeps the
/// columns every leg has, else all of them (see [`concat_outer`]).
pub(super) fn stack(
    mut frames: Vec<DataFrame>,
    inner: bool,
    span: Span,
) -> Result<DataFrame, QueryError> {
    if inner {
        rename_type_clashes(&mut frames, span)?;
        let common: Vec<String> = frames
            .first()
            .map(|f| {
                f.get_column_names()
                    .iter()
                    .map(|s| s.to_string())
                    .filter(|n| frames.iter().all(|g| g.column(n).is_ok()))
                    .collect()
            })
            .unwrap_or_default();
        frames = frames
            .into_iter()
            .map(|f| f.select(common.clone()))
            .collect::<PolarsResult<_>>()
            .map_err(|e| polars_error(e, span))?;
    }
    concat_outer(frames, span)
}

/// The name of a leg of `union` or `find` that is a query: the name of
/// its final `as Name`, else `unnamed()`.
pub(super) fn leg_name(leg: &Pipeline, unnamed: impl FnOnce() -> String) -> String {
    leg.ops
        .iter()
        .rev()
        .find_map(|op| match &op.kind {
            OperatorKind::As(n) => Some(n.name.clone()),
            _ => None,
        })
        .unwrap_or_else(unnamed)
}

/// Stacks frames by column name (outer union): a column missing from a frame
/// is null there ("" for strings), and a column whose type differs between
/// frames is split per type.
pub(super) fn concat_outer(
    mut frames: Vec<DataFrame>,
    span: Span,
) -> Result<DataFrame, QueryError> {
    if frames.is_empty() {
        return Ok(DataFrame::empty());
    }
    decode_mixed_text(&mut frames, span)?;
    same_decimal_scale(&mut frames, span)?;
    rename_type_clashes(&mut frames, span)?;
    let lazies: Vec<LazyFrame> = frames.into_iter().map(|f| f.lazy()).collect();
    let out = concat_lf_diagonal(lazies, UnionArgs::default())
        .and_then(|lf| lf.collect())
        .map_err(|e| polars_error(e, span))?;
    fill_strings(out, span)
}

/// A text column encoded differently in different frames (or encoded in
/// one, plain in another) is stacked as plain text.
fn decode_mixed_text(frames: &mut [DataFrame], span: Span) -> Result<(), QueryError> {
    let mut mixed: Vec<String> = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        for c in f.columns() {
            let differs = frames[..i].iter().any(|g| {
                g.column(c.name()).is_ok_and(|d| {
                    d.dtype() != c.dtype()
                        && KqlType::of(d.dtype()) == Some(KqlType::String)
                        && KqlType::of(c.dtype()) == Some(KqlType::String)
                })
            });
            if differs && !mixed.contains(&c.name().to_string()) {
                mixed.push(c.name().to_string());
            }
        }
    }
    for f in frames.iter_mut() {
        for name in &mixed {
            let text = match f.column(name) {
                Ok(c) => decode(c.as_materialized_series()),
                Err(_) => None,
            };
            if let Some(text) = text {
                f.with_column(text.into_column())
                    .map_err(|e| polars_error(e, span))?;
            }
        }
    }
    Ok(())
}

/// A decimal column of different scales in different frames is one KQL
/// type: each is brought to a scale that holds all their values.
fn same_decimal_scale(frames: &mut [DataFrame], span: Span) -> Result<(), QueryError> {
    let mut names: Vec<String> = Vec::new();
    for f in frames.iter() {
        for c in f.columns() {
            let name = c.name().to_string();
            if decimal::is_decimal(c.dtype()) && !names.contains(&name) {
                names.push(name);
            }
        }
    }
    for name in names {
        let columns: Vec<Series> = frames
            .iter()
            .filter_map(|f| f.column(&name).ok())
            .map(|c| c.as_materialized_series().clone())
            .collect();
        let Some(scale) = decimal::common_scale(columns.iter()) else {
            continue;
        };
        for f in frames.iter_mut() {
            let rescaled = match f.column(&name) {
                Ok(c) if decimal::is_decimal(c.dtype()) => {
                    decimal::rescale(c.as_materialized_series(), scale)
                }
                _ => continue,
            };
            f.with_column(rescaled.into_column())
                .map_err(|e| polars_error(e, span))?;
        }
    }
    Ok(())
}

/// A column that has different types in different tables becomes one column
/// per type, named `Col_type`, as Kusto does; a name a table already has is
/// numbered (`x_long1` beside a table's own `x_long`, union-operator.md).
fn rename_type_clashes(frames: &mut [DataFrame], span: Span) -> Result<(), QueryError> {
    let mut clashing: Vec<String> = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        for c in f.columns() {
            let clash = frames[..i]
                .iter()
                .any(|g| g.column(c.name()).is_ok_and(|d| d.dtype() != c.dtype()));
            if clash && !clashing.contains(&c.name().to_string()) {
                clashing.push(c.name().to_string());
            }
        }
    }
    // Names that stay as they are, then each (column, type) given its name
    // once, in the order the tables show them.
    let mut taken: Vec<String> = Vec::new();
    for f in frames.iter() {
        for c in f.get_column_names() {
            let c = c.to_string();
            if !clashing.contains(&c) && !taken.contains(&c) {
                taken.push(c);
            }
        }
    }
    let mut renamed: Vec<(String, &'static str, String)> = Vec::new();
    for f in frames.iter_mut() {
        for name in &clashing {
            if let Ok(c) = f.column(name) {
                let kind = KqlType::of(c.dtype()).map_or("dynamic", |k| k.name());
                let new = match renamed.iter().find(|(n, k, _)| n == name && *k == kind) {
                    Some((_, _, new)) => new.clone(),
                    None => {
                        let new = unique_name(&format!("{name}_{kind}"), &taken);
                        taken.push(new.clone());
                        renamed.push((name.clone(), kind, new.clone()));
                        new
                    }
                };
                f.rename(name, new.as_str().into())
                    .map_err(|e| polars_error(e, span))?;
            }
        }
    }
    Ok(())
}
