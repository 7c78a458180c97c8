//! `evaluate plugin(args) [: (schema)]`: the plugins Quarry implements.
//!
//! - `bag_unpack(Column [, OutputColumnPrefix] [, columnsConflict]
//!   [, ignoredProperties])`: one column per top-level property of the
//!   dynamic bags in `Column`, in order of first appearance, typed from the
//!   values (one type for all non-null values, else `dynamic`), appended
//!   after the input's columns; `Column` itself is removed. A property that
//!   is already a column is an error, unless `columnsConflict` is
//!   `replace_source` (the input column is dropped) or `keep_source` (the
//!   property is skipped). Values that are not bags contribute nothing.
//! - `pivot(PivotColumn [, aggregation] [, Column1, ...])`: one row per
//!   group of the given columns (default: all but the pivot column and the
//!   aggregated ones), one column per distinct pivot value in order of first
//!   appearance, each cell the aggregation (default `count()`) over the
//!   group's rows with that value; cells with no rows are 0 for counts and
//!   sums, null otherwise.
//! - `ipv4_lookup` and `ipv6_lookup`: see [`super::ip_lookup`].
//! - `activity_counts_metrics`, `activity_metrics` and
//!   `sliding_window_counts`: see [`super::activity`];
//!   `new_activity_metrics`: see
//!   [`super::activity_cohorts`].
//! - `dcount_intersect`: see [`super::dcount_intersect`].
//! - `rows_near`: see [`super::rows_near`].
//! - `active_users_count`: see [`super::active_users`].
//! - `geo_polygon_lookup` and `geo_line_lookup`: see [`super::geo_lookup`].
//! - `schema_merge`: see [`super::schema_merge`].
//! - `rolling_percentile`: see [`super::rolling`].
//! - `narrow`, `session_count`, `funnel_sequence_completion`,
//!   `sequence_detect`, `activity_engagement`: see their modules;
//!   `preview` and `funnel_sequence` make several tables (see
//!   [`super::several`]).
//! - `autocluster`, `basket`, `diffpatterns` and `diffpatterns_text`: see
//!   [`super::patterns`].
//!
//! An output schema keeps only its columns, in its order and converted to
//! its types (missing ones null), after the input's columns when it starts
//! with `*`.

use std::collections::HashMap;

use polars::prelude::*;
use serde_json::Value as Json;

use super::geo_lookup::Shape;
use super::ip_lookup::Family;
use super::{polars_error, unique_name};
use crate::data::types::KqlType;
use crate::kql::ast::{Assignment, Expr, ExprKind, Ident, OutputSchema, Span};
use crate::kql::error::QueryError;
use crate::kql::expr::json_scalar;
use crate::kql::functions::{self, scalars_to_series};
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// The plugins `evaluate` runs; any other is "not supported yet".
pub const EVALUATE_PLUGINS: &[&str] = &[
    "bag_unpack",
    "pivot",
    "ipv4_lookup",
    "ipv6_lookup",
    "activity_counts_metrics",
    "activity_metrics",
    "new_activity_metrics",
    "sliding_window_counts",
    "dcount_intersect",
    "rows_near",
    "active_users_count",
    "geo_polygon_lookup",
    "geo_line_lookup",
    "schema_merge",
    "rolling_percentile",
    "preview",
    "funnel_sequence",
    "narrow",
    "session_count",
    "funnel_sequence_completion",
    "sequence_detect",
    "activity_engagement",
    "autocluster",
    "basket",
    "diffpatterns",
    "diffpatterns_text",
];

/// The value column of pivot's intermediate summarize; `$` keeps it apart
/// from the input's names.
const PIVOT_VALUE: &str = "$pivot_value";

impl Runner<'_> {
    pub(super) fn op_evaluate(
        &self,
        plugin: &Ident,
        args: &[Expr],
        schema: Option<&OutputSchema>,
        frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let (out, kept) = match plugin.name.as_str() {
            "bag_unpack" => self.bag_unpack(args, frame, span)?,
            "pivot" => self.pivot(args, frame, span)?,
            "ipv4_lookup" => self.ip_lookup(Family::V4, args, frame, span)?,
            "ipv6_lookup" => self.ip_lookup(Family::V6, args, frame, span)?,
            "activity_counts_metrics" => self.activity_counts_metrics(args, frame, span)?,
            "activity_metrics" => self.activity_metrics(args, frame, span)?,
            "new_activity_metrics" => self.new_activity_metrics(args, frame, span)?,
            "sliding_window_counts" => self.sliding_window_counts(args, frame, span)?,
            "dcount_intersect" => self.dcount_intersect(args, frame, span)?,
            "rows_near" => self.rows_near(args, frame, span)?,
            "active_users_count" => self.active_users_count(args, frame, span)?,
            "geo_polygon_lookup" => self.geo_lookup(Shape::Polygon, args, frame, span)?,
            "geo_line_lookup" => self.geo_lookup(Shape::Line, args, frame, span)?,
            "schema_merge" => self.schema_merge(args, frame, span)?,
            "rolling_percentile" => self.rolling_percentile(args, frame, span)?,
            "narrow" => self.narrow(args, frame, span)?,
            "session_count" => self.session_count(args, frame, span)?,
            "funnel_sequence_completion" => self.funnel_sequence_completion(args, frame, span)?,
            "sequence_detect" => self.sequence_detect(args, frame, span)?,
            "activity_engagement" => self.activity_engagement(args, frame, span)?,
            "autocluster" => self.autocluster(args, frame, span)?,
            "basket" => self.basket(args, frame, span)?,
            "diffpatterns" => self.diffpatterns(args, frame, span)?,
            "diffpatterns_text" => self.diffpatterns_text(args, frame, span)?,
            _ => return Err(super::plugin_unsupported(plugin)),
        };
        match schema {
            Some(s) => apply_schema(out, &kept, s, span),
            None => Ok(out),
        }
    }

    /// `bag_unpack`; also returns the input columns it kept, for `*` in an
    /// output schema.
    fn bag_unpack(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let mut column: Option<&Expr> = None;
        let mut prefix = String::new();
        let mut conflict = "error".to_string();
        let mut ignored: Vec<String> = Vec::new();
        let empty = DataFrame::empty();
        for (i, a) in args.iter().enumerate() {
            let (param, value) = match &a.kind {
                ExprKind::NamedArg { name, value } => (name.name.to_ascii_lowercase(), &**value),
                _ => {
                    let param = [
                        "column",
                        "outputcolumnprefix",
                        "columnsconflict",
                        "ignoredproperties",
                    ]
                    .get(i)
                    .copied()
                    .unwrap_or("");
                    (param.to_string(), a)
                }
            };
            match param.as_str() {
                "column" => column = Some(value),
                "outputcolumnprefix" => {
                    prefix = self.eval_scalar(value, &empty)?.to_text().into_owned()
                }
                "columnsconflict" => {
                    conflict = self
                        .eval_scalar(value, &empty)?
                        .to_text()
                        .to_ascii_lowercase()
                }
                "ignoredproperties" => {
                    ignored = match self.eval_scalar(value, &empty)? {
                        Scalar::Dynamic(Json::Array(items)) => {
                            items.iter().map(crate::kql::value::json_to_text).collect()
                        }
                        other => vec![other.to_text().into_owned()],
                    }
                }
                _ => {
                    return Err(QueryError::type_error(
                        "bag_unpack() takes a column, then OutputColumnPrefix, columnsConflict and ignoredProperties",
                        a.span,
                    ));
                }
            }
        }
        if !matches!(
            conflict.as_str(),
            "error" | "replace_source" | "keep_source"
        ) {
            return Err(QueryError::type_error(
                format!(
                    "columnsConflict must be 'error', 'replace_source' or 'keep_source', not '{conflict}'"
                ),
                span,
            ));
        }
        let Some(column) = column else {
            return Err(QueryError::type_error(
                "bag_unpack() needs the dynamic column to unpack",
                span,
            ));
        };
        let v = self.eval(column, &frame)?;
        let rows = frame.height();
        let bags: Vec<Option<serde_json::Map<String, Json>>> = (0..rows)
            .map(|i| match v.get(i) {
                Scalar::Dynamic(Json::Object(m)) => Some(m),
                // JSON text in a string column unpacks too.
                Scalar::String(s) => match serde_json::from_str::<Json>(&s) {
                    Ok(Json::Object(m)) => Some(m),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        // Every property, with the type of its non-null values (`None`
        // until one is seen).
        let mut keys: Vec<(String, Option<KqlType>)> = Vec::new();
        let mut position: HashMap<String, usize> = HashMap::new();
        for bag in bags.iter().flatten() {
            for (k, val) in bag {
                if ignored.contains(k) {
                    continue;
                }
                let slot = *position.entry(k.clone()).or_insert_with(|| {
                    keys.push((k.clone(), None));
                    keys.len() - 1
                });
                if let Some(kind) = json_kind(val) {
                    let entry = &mut keys[slot].1;
                    *entry = match *entry {
                        None => Some(kind),
                        Some(k) if k == kind => Some(k),
                        Some(_) => Some(KqlType::Dynamic),
                    };
                }
            }
        }
        // Kusto's property bags keep their keys sorted, so the new columns
        // come in that order (bag-unpack-plugin.md: Age, Height, Name).
        keys.sort_by(|a, b| a.0.cmp(&b.0));
        let source = match &column.kind {
            ExprKind::Name(n) if frame.column(n).is_ok() => Some(n.clone()),
            _ => None,
        };
        let mut kept: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .filter(|n| Some(n) != source.as_ref())
            .collect();
        let mut new_columns: Vec<Column> = Vec::new();
        // A property replacing an input column takes that column's place
        // (bag-unpack-plugin.md: Name stays first, Age follows).
        let mut replacing: HashMap<String, Column> = HashMap::new();
        let mut replaced: Vec<String> = Vec::new();
        for (key, kind) in keys {
            let name = format!("{prefix}{key}");
            let mut replaces = false;
            if kept.contains(&name) {
                match conflict.as_str() {
                    "keep_source" => continue,
                    "replace_source" => replaces = true,
                    _ => {
                        return Err(QueryError::runtime(
                            format!(
                                "bag_unpack: column '{name}' already exists; pass columnsConflict='replace_source' or 'keep_source'"
                            ),
                            Some(column.span),
                        ));
                    }
                }
            }
            let kind = kind.unwrap_or(KqlType::Dynamic);
            let values: Vec<Scalar> = bags
                .iter()
                .map(|bag| match bag.as_ref().and_then(|b| b.get(&key)) {
                    None | Some(Json::Null) => Scalar::Null(kind),
                    Some(j) if kind == KqlType::Dynamic => Scalar::Dynamic(j.clone()),
                    Some(j) => json_scalar(j),
                })
                .collect();
            let column = scalars_to_series(&name, kind, values).into_column();
            if replaces {
                replaced.push(name.clone());
                replacing.insert(name, column);
            } else {
                new_columns.push(column);
            }
        }
        let columns: Vec<Column> = frame
            .select(kept.clone())
            .map_err(|e| polars_error(e, span))?
            .columns()
            .iter()
            .map(|c| {
                replacing
                    .remove(c.name().as_str())
                    .unwrap_or_else(|| c.clone())
            })
            .chain(new_columns)
            .collect();
        kept.retain(|n| !replaced.contains(n));
        let out = DataFrame::new(rows, columns).map_err(|e| polars_error(e, span))?;
        Ok((super::fill_strings(out, span)?, kept))
    }

    /// `pivot`; also returns the group columns, for `*` in an output schema.
    fn pivot(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let Some(first) = args.first() else {
            return Err(QueryError::type_error(
                "pivot() needs the column to pivot",
                span,
            ));
        };
        let ExprKind::Name(pivot) = &first.kind else {
            return Err(QueryError::type_error(
                "pivot() expects a column name first",
                first.span,
            ));
        };
        if frame.column(pivot).is_err() {
            return Err(self.eval(first, &frame).err().unwrap_or_else(|| {
                QueryError::unknown(format!("unknown column '{pivot}'"), first.span)
            }));
        }
        let mut aggregation: Option<&Expr> = None;
        let mut groups: Vec<String> = Vec::new();
        for (i, a) in args.iter().enumerate().skip(1) {
            match &a.kind {
                ExprKind::Call { name, .. }
                    if i == 1 && functions::aggregates::lookup(&name.name).is_some() =>
                {
                    aggregation = Some(a);
                }
                ExprKind::Name(n) if frame.column(n).is_ok() => groups.push(n.clone()),
                ExprKind::Name(n) => {
                    let names: Vec<&str> = frame
                        .get_column_names()
                        .iter()
                        .map(|s| s.as_str())
                        .collect();
                    return Err(QueryError::unknown(
                        format!(
                            "unknown column '{n}'{}",
                            crate::kql::error::did_you_mean(n, names)
                        ),
                        a.span,
                    ));
                }
                _ => {
                    return Err(QueryError::type_error(
                        "pivot() takes the pivot column, an optional aggregation such as sum(x), then column names",
                        a.span,
                    ));
                }
            }
        }
        let default_count = Expr {
            kind: ExprKind::Call {
                name: Ident {
                    name: "count".into(),
                    span: first.span,
                },
                args: Vec::new(),
            },
            span: first.span,
        };
        let aggregation = aggregation.unwrap_or(&default_count);
        if groups.is_empty() {
            let mut used = Vec::new();
            column_names(aggregation, &mut used);
            groups = frame
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .filter(|n| n != pivot && !used.contains(n))
                .collect();
        }
        let assign = |name: &str, expr: Expr| Assignment {
            names: vec![Ident {
                name: name.to_string(),
                span: expr.span,
            }],
            span: expr.span,
            expr,
        };
        let name_expr = |n: &str| Expr {
            kind: ExprKind::Name(n.to_string()),
            span: first.span,
        };
        let mut by: Vec<Assignment> = groups.iter().map(|g| assign(g, name_expr(g))).collect();
        by.push(assign(pivot, name_expr(pivot)));
        let summed = self.op_summarize(
            &[assign(PIVOT_VALUE, aggregation.clone())],
            &by,
            frame.clone(),
            span,
        )?;

        // Pivot values and groups in order of first appearance in the input.
        let text_of = |f: &DataFrame, col: &str| -> Result<Vec<String>, QueryError> {
            let c = f.column(col).map_err(|e| polars_error(e, span))?;
            let t = crate::kql::value::series_to_text(c.as_materialized_series());
            Ok(t.iter().map(|v| v.unwrap_or("").to_string()).collect())
        };
        let group_text = |f: &DataFrame| -> Result<Vec<Vec<String>>, QueryError> {
            let cols: Vec<Vec<String>> = groups
                .iter()
                .map(|g| text_of(f, g))
                .collect::<Result<_, _>>()?;
            Ok((0..f.height())
                .map(|i| cols.iter().map(|c| c[i].clone()).collect())
                .collect())
        };
        let mut values: Vec<String> = Vec::new();
        for v in text_of(&frame, pivot)? {
            if !values.contains(&v) {
                values.push(v);
            }
        }
        let mut group_order: HashMap<Vec<String>, usize> = HashMap::new();
        for key in group_text(&frame)? {
            let next = group_order.len();
            group_order.entry(key).or_insert(next);
        }
        let ngroups = group_order.len();
        let value_column = summed
            .column(PIVOT_VALUE)
            .map_err(|e| polars_error(e, span))?;
        let kind = KqlType::of(value_column.dtype()).unwrap_or(KqlType::Dynamic);
        let agg_name = match &aggregation.kind {
            ExprKind::Call { name, .. } => name.name.to_ascii_lowercase(),
            _ => String::new(),
        };
        let empty_cell = match (agg_name.as_str(), kind) {
            ("count" | "countif" | "dcount" | "dcountif" | "sum" | "sumif", KqlType::Real) => {
                Scalar::Real(0.0)
            }
            ("count" | "countif" | "dcount" | "dcountif" | "sum" | "sumif", KqlType::Int) => {
                Scalar::Int(0)
            }
            ("count" | "countif" | "dcount" | "dcountif" | "sum" | "sumif", KqlType::Long) => {
                Scalar::Long(0)
            }
            _ => Scalar::Null(kind),
        };
        let mut cells: Vec<Vec<Scalar>> = vec![vec![empty_cell; ngroups]; values.len()];
        // The summarize row that gives each group its column values.
        let mut representative: Vec<IdxSize> = vec![0; ngroups];
        let summed_groups = group_text(&summed)?;
        let summed_pivots = text_of(&summed, pivot)?;
        let value_series = value_column.as_materialized_series();
        for (r, key) in summed_groups.iter().enumerate() {
            let (Some(&g), Some(p)) = (
                group_order.get(key),
                values.iter().position(|v| Some(v) == summed_pivots.get(r)),
            ) else {
                continue;
            };
            representative[g] = r as IdxSize;
            cells[p][g] = Scalar::from_series(value_series, r);
        }
        let mut columns: Vec<Column> = summed
            .select(groups.clone())
            .and_then(|f| f.take(&IdxCa::from_vec("".into(), representative)))
            .map_err(|e| polars_error(e, span))?
            .columns()
            .to_vec();
        let mut taken = groups.clone();
        for (value, column) in values.iter().zip(cells) {
            let name = unique_name(value, &taken);
            columns.push(scalars_to_series(&name, kind, column).into_column());
            taken.push(name);
        }
        let out = DataFrame::new(ngroups, columns).map_err(|e| polars_error(e, span))?;
        Ok((out, groups))
    }
}

/// The KQL type of a JSON value inside a bag, `None` for null.
fn json_kind(j: &Json) -> Option<KqlType> {
    Some(match j {
        Json::Null => return None,
        Json::Bool(_) => KqlType::Bool,
        Json::Number(n) if n.is_i64() => KqlType::Long,
        Json::Number(_) => KqlType::Real,
        Json::String(_) => KqlType::String,
        _ => KqlType::Dynamic,
    })
}

/// The column names an expression reads.
fn column_names(e: &Expr, out: &mut Vec<String>) {
    match &e.kind {
        ExprKind::Name(n) => out.push(n.clone()),
        ExprKind::Negate(x)
        | ExprKind::Member { target: x, .. }
        | ExprKind::NamedArg { value: x, .. } => column_names(x, out),
        ExprKind::Binary { left, right, .. } | ExprKind::StringOp { left, right, .. } => {
            column_names(left, out);
            column_names(right, out);
        }
        ExprKind::List { left, items, .. } => {
            column_names(left, out);
            items.iter().for_each(|i| column_names(i, out));
        }
        ExprKind::Between {
            value, low, high, ..
        } => {
            for x in [value, low, high] {
                column_names(x, out);
            }
        }
        ExprKind::Call { args, .. } | ExprKind::Tuple(args) => {
            args.iter().for_each(|a| column_names(a, out))
        }
        ExprKind::Index { target, index } => {
            column_names(target, out);
            column_names(index, out);
        }
        ExprKind::Literal(_)
        | ExprKind::Star
        | ExprKind::SearchTerm { .. }
        | ExprKind::Tabular(_) => {}
    }
}

/// Keeps the schema's columns, converted to its types; a leading `*` keeps
/// `kept` (the plugin's pass-through input columns) first.
fn apply_schema(
    out: DataFrame,
    kept: &[String],
    schema: &OutputSchema,
    span: Span,
) -> Result<DataFrame, QueryError> {
    let rows = out.height();
    let declared: Vec<&str> = schema
        .columns
        .iter()
        .map(|(n, _)| n.name.as_str())
        .collect();
    let mut columns: Vec<Column> = Vec::new();
    if schema.wildcard {
        for name in kept {
            if !declared.contains(&name.as_str())
                && let Ok(c) = out.column(name)
            {
                columns.push(c.clone());
            }
        }
    }
    for (name, ty) in &schema.columns {
        let kind = KqlType::parse(ty)
            .ok_or_else(|| QueryError::syntax(format!("unknown type '{ty}'"), name.span))?;
        let column = match out.column(&name.name) {
            Ok(c) => convert(c.as_materialized_series(), kind, &name.name),
            Err(_) => Scalar::Null(kind).to_series(&name.name, rows),
        };
        columns.push(column.into_column());
    }
    let frame = DataFrame::new(rows, columns).map_err(|e| polars_error(e, span))?;
    super::fill_strings(frame, span)
}

/// A column as another KQL type, value by value (null where it does not
/// convert).
pub(super) fn convert(series: &Series, kind: KqlType, name: &str) -> Series {
    if KqlType::of(series.dtype()) == Some(kind) {
        return series.clone();
    }
    let values: Vec<Scalar> = (0..series.len())
        .map(|i| {
            let v = Scalar::from_series(series, i);
            match (&v, kind) {
                (_, KqlType::Dynamic) => Scalar::Dynamic(v.to_json()),
                (Scalar::Null(_), _) => Scalar::Null(kind),
                _ => super::external::from_text(&v.to_text(), kind),
            }
        })
        .collect();
    scalars_to_series(name, kind, values)
}
