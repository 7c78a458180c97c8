//! `mv-expand`: one row per element of a dynamic array (or per property of
//! a bag), the other columns repeated.

use polars::prelude::*;
use serde_json::Value as Json;

use super::{expr_name, polars_error};
use crate::data::types::KqlType;
use crate::kql::ast::{Assignment, Expr, OpOption};
use crate::kql::error::QueryError;
use crate::kql::expr::json_scalar;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

impl Runner<'_> {
    pub(super) fn op_mv_expand(
        &self,
        columns: &[Assignment],
        limit: Option<&Expr>,
        options: &[OpOption],
        to_types: &[Option<String>],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let option = |n: &str| {
            options
                .iter()
                .find(|o| o.name.name.eq_ignore_ascii_case(n))
                .map(|o| o.value.name.clone())
        };
        // Documented spellings: `kind=array` or `bagexpansion=array`.
        let bag_as_array = option("bagexpansion")
            .or_else(|| option("kind"))
            .is_some_and(|v| v.eq_ignore_ascii_case("array"));
        let item_index = option("with_itemindex");
        let rows = frame.height();
        let span = columns.first().map_or_else(Default::default, |c| c.span);
        let limit = match limit {
            Some(e) => match self.eval_scalar(e, &frame)? {
                Scalar::Long(n) => Some(n.max(0) as usize),
                Scalar::Int(n) => Some(n.max(0) as usize),
                _ => None,
            },
            None => None,
        };
        // Each expanded column: its name, target type (`to typeof(t)`), and
        // per input row the list of elements.
        let mut expanded: Vec<(String, Option<KqlType>, Vec<Vec<Json>>)> = Vec::new();
        for (ci, a) in columns.iter().enumerate() {
            let expr = &a.expr;
            let to = match to_types.get(ci) {
                Some(Some(t)) => Some(
                    KqlType::parse(t)
                        .ok_or_else(|| QueryError::syntax(format!("unknown type '{t}'"), a.span))?,
                ),
                _ => None,
            };
            let name = match a.names.first() {
                Some(n) => n.name.clone(),
                None => expr_name(expr).unwrap_or_else(|| "Column1".into()),
            };
            let v = self.eval(expr, &frame)?;
            let mut lists = Vec::with_capacity(rows);
            for i in 0..rows {
                let elems = match v.get(i) {
                    Scalar::Dynamic(Json::Array(items)) => items,
                    Scalar::Dynamic(Json::Object(m)) => m
                        .into_iter()
                        .map(|(k, v)| {
                            if bag_as_array {
                                return Json::Array(vec![Json::String(k), v]);
                            }
                            let mut one = serde_json::Map::new();
                            one.insert(k, v);
                            Json::Object(one)
                        })
                        .collect(),
                    // Documented: a null gives one row (null), an empty
                    // array or bag none.
                    Scalar::Dynamic(Json::Null) | Scalar::Null(_) => vec![Json::Null],
                    Scalar::Dynamic(other) => vec![other],
                    Scalar::String(s) => match serde_json::from_str::<Json>(&s) {
                        Ok(Json::Array(items)) => items,
                        _ => vec![Json::String(s)],
                    },
                    other => vec![other.to_json()],
                };
                let elems = match limit {
                    Some(n) => elems.into_iter().take(n).collect(),
                    None => elems,
                };
                lists.push(elems);
            }
            expanded.push((name, to, lists));
        }
        // Rows repeat as often as their longest list; a row whose lists are
        // all empty is dropped.
        let mut index: Vec<IdxSize> = Vec::new();
        let mut position: Vec<usize> = Vec::new();
        for i in 0..rows {
            let n = expanded
                .iter()
                .map(|(_, _, l)| l[i].len())
                .max()
                .unwrap_or(1);
            for k in 0..n {
                index.push(i as IdxSize);
                position.push(k);
            }
        }
        let idx = IdxCa::from_vec("".into(), index.clone());
        let mut out = frame.take(&idx).map_err(|e| polars_error(e, span))?;
        for (name, to, lists) in expanded {
            let values: Vec<Scalar> = index
                .iter()
                .zip(&position)
                .map(|(&i, &k)| match lists[i as usize].get(k) {
                    Some(j) => match to {
                        Some(KqlType::Dynamic) | None => Scalar::Dynamic(j.clone()),
                        Some(_) => json_scalar(j),
                    },
                    None => Scalar::Null(to.unwrap_or(KqlType::Dynamic)),
                })
                .collect();
            let kind = to.unwrap_or(KqlType::Dynamic);
            let values: Vec<Scalar> = if kind == KqlType::Datetime {
                values
                    .into_iter()
                    .map(|v| match v {
                        Scalar::String(s) => crate::data::time::parse_datetime(&s)
                            .map_or(Scalar::Null(KqlType::Datetime), Scalar::Datetime),
                        o => o,
                    })
                    .collect()
            } else {
                values
            };
            let s = scalars_to_series(&name, kind, values);
            out.with_column(s.into_column())
                .map_err(|e| polars_error(e, span))?;
        }
        if let Some(name) = item_index {
            let positions: Vec<i64> = position.iter().map(|&k| k as i64).collect();
            out.with_column(Column::new(name.as_str().into(), positions))
                .map_err(|e| polars_error(e, span))?;
        }
        Ok(out)
    }
}
