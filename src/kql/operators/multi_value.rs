//! Spreading a multi-column function's result (`series_fit_line`,
//! `series_decompose`, ...) over columns in `project`, `extend` and
//! `print`; see [`crate::kql::functions::multi_valued`]; also
//! `array_sort_asc`/`_desc` of several arrays, one column per array.

use polars::prelude::*;
use serde_json::Value as Json;

use super::expr_name;
use crate::data::types::KqlType;
use crate::kql::ast::{Assignment, Expr, ExprKind};
use crate::kql::error::QueryError;
use crate::kql::expr::json_scalar;
use crate::kql::functions::{array_sort, multi_valued, scalars_to_series};
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

/// Which columns a statement keeps when fewer names than outputs are
/// given: `project (a, b) = f(x)` keeps the rest under Kusto's names,
/// `extend` keeps only the named ones (as Kusto documents).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Rest {
    Keep,
    Drop,
}

impl Runner<'_> {
    /// The columns an assignment makes when it calls a function with
    /// several outputs; `None` for any other assignment.
    pub(super) fn multi_value_columns(
        &self,
        a: &Assignment,
        frame: &DataFrame,
        rest: Rest,
    ) -> Result<Option<Vec<Series>>, QueryError> {
        let ExprKind::Call { name, args } = &a.expr.kind else {
            return Ok(None);
        };
        if matches!(name.name.as_str(), "array_sort_asc" | "array_sort_desc") {
            return self.sorted_arrays_columns(a, args, frame, rest);
        }
        let Some(m) = multi_valued::lookup(&name.name) else {
            return Ok(None);
        };
        if a.names.len() > m.outputs.len() {
            return Err(QueryError::type_error(
                format!(
                    "{}() gives {} columns, but {} names are given",
                    m.name,
                    m.outputs.len(),
                    a.names.len()
                ),
                a.span,
            ));
        }
        let rows = frame.height();
        let value = self.eval_rows(&a.expr, frame)?;
        let prefix = match args.first().and_then(expr_name) {
            Some(arg) => format!("{}_{arg}_", m.name),
            None => format!("{}_", m.name),
        };
        let count = match (rest, a.names.is_empty()) {
            (Rest::Drop, false) => a.names.len(),
            _ => m.outputs.len(),
        };
        let bags: Vec<Scalar> = match &value {
            Val::Scalar(s) => vec![s.clone()],
            Val::Column(_) => (0..frame.height()).map(|i| value.get(i)).collect(),
        };
        let mut out = Vec::with_capacity(count);
        for (i, (key, suffix, kind)) in m.outputs.iter().take(count).enumerate() {
            let column = match a.names.get(i) {
                Some(n) => n.name.clone(),
                None => format!("{prefix}{suffix}"),
            };
            let values: Vec<Scalar> = bags.iter().map(|b| field(b, key, *kind)).collect();
            let mut s = scalars_to_series(&column, *kind, values);
            if s.len() == 1 && rows != 1 {
                s = s.new_from_index(0, rows);
            }
            out.push(s);
        }
        Ok(Some(out))
    }
}

impl Runner<'_> {
    /// `array_sort_asc(a1, a2, ...)` (and `_desc`) of several arrays: one
    /// column per array, named as the query names them or `a1_sorted`;
    /// `None` for one array (an ordinary dynamic value).
    fn sorted_arrays_columns(
        &self,
        a: &Assignment,
        args: &[Expr],
        frame: &DataFrame,
        rest: Rest,
    ) -> Result<Option<Vec<Series>>, QueryError> {
        let kinds = args
            .iter()
            .map(|arg| self.eval(arg, frame).map(|v| v.kind()))
            .collect::<Result<Vec<_>, _>>()?;
        let arrays = array_sort::array_count(&kinds);
        if arrays < 2 {
            return Ok(None);
        }
        let rows = frame.height();
        let value = self.eval_rows(&a.expr, frame)?;
        let results: Vec<Scalar> = match &value {
            Val::Scalar(s) => vec![s.clone()],
            Val::Column(_) => (0..rows).map(|i| value.get(i)).collect(),
        };
        let count = match (rest, a.names.is_empty()) {
            (Rest::Drop, false) => a.names.len().min(arrays),
            _ => arrays,
        };
        let mut out = Vec::with_capacity(count);
        for (i, arg) in args.iter().enumerate().take(count) {
            let column = match a.names.get(i) {
                Some(n) => n.name.clone(),
                None => format!(
                    "{}_sorted",
                    expr_name(arg).unwrap_or_else(|| format!("array{}", i + 1))
                ),
            };
            let values: Vec<Scalar> = results
                .iter()
                .map(|r| match r {
                    Scalar::Dynamic(Json::Array(all)) => match all.get(i) {
                        Some(Json::Null) | None => Scalar::Null(KqlType::Dynamic),
                        Some(j) => Scalar::Dynamic(j.clone()),
                    },
                    _ => Scalar::Null(KqlType::Dynamic),
                })
                .collect();
            let mut s = scalars_to_series(&column, KqlType::Dynamic, values);
            if s.len() == 1 && rows != 1 {
                s = s.new_from_index(0, rows);
            }
            out.push(s);
        }
        Ok(Some(out))
    }
}

/// The value under `key` of a result bag, as a `kind`.
fn field(bag: &Scalar, key: &str, kind: KqlType) -> Scalar {
    let Scalar::Dynamic(Json::Object(m)) = bag else {
        return Scalar::Null(kind);
    };
    match (m.get(key), kind) {
        (None | Some(Json::Null), k) => Scalar::Null(k),
        (Some(j), KqlType::Dynamic) => Scalar::Dynamic(j.clone()),
        (Some(j), KqlType::Long) => j.as_i64().map_or(Scalar::Null(kind), Scalar::Long),
        (Some(j), KqlType::Real) => j.as_f64().map_or(Scalar::Null(kind), Scalar::Real),
        (Some(j), _) => json_scalar(j),
    }
}
