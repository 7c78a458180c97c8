//! List operators: `in`, `!in`, `in~`, `!in~`, `has_any` and `has_all`.

use polars::prelude::*;
use serde_json::Value as Json;

use super::compare::{bool_val, compare_scalars, not};
use super::json_scalar;
use crate::data::types::KqlType;
use crate::kql::ast::{BinaryOp, Expr, ExprKind, ListOp, StringOpKind};
use crate::kql::error::QueryError;
use crate::kql::functions::convert::as_decimal;
use crate::kql::functions::dictionary::{PredicateKey, dictionary_of};
use crate::kql::functions::terms::Matcher;
use crate::kql::run::{Binding, Runner};
use crate::kql::value::{Scalar, Val};

impl Runner<'_> {
    /// `x in (...)`, `has_any`, `has_all` and their negations, over the rows
    /// of `frame`.
    pub(super) fn list_op(
        &self,
        op: ListOp,
        left: &Expr,
        items: &[Expr],
        frame: &DataFrame,
    ) -> Result<Val, QueryError> {
        let rows = frame.height();
        let l = self.eval(left, frame)?;
        // The right side: constants, dynamic arrays (flattened), or a
        // tabular subquery's first column.
        let mut values: Vec<Scalar> = Vec::new();
        for item in items {
            if let ExprKind::Tabular(p) = &item.kind {
                let t = self.pipeline(p, None)?;
                if let Some(c) = t.columns().first() {
                    let s = c.as_materialized_series();
                    values.extend((0..s.len()).map(|i| Scalar::from_series(s, i)));
                }
                continue;
            }
            if let ExprKind::Name(n) = &item.kind
                && frame.column(n).is_err()
                && let Some(Binding::Table(t)) = self.scope.get(n)
            {
                if let Some(c) = t.columns().first() {
                    let s = c.as_materialized_series();
                    values.extend((0..s.len()).map(|i| Scalar::from_series(s, i)));
                }
                continue;
            }
            match self.eval(item, frame)? {
                Val::Scalar(Scalar::Dynamic(Json::Array(a))) => {
                    values.extend(a.iter().map(json_scalar));
                }
                Val::Scalar(s) => values.push(s),
                Val::Column(c) => {
                    return Err(QueryError::type_error(
                        format!(
                            "the list after '{}' must be constant, but '{}' varies by row",
                            list_op_name(op),
                            c.name()
                        ),
                        item.span,
                    ));
                }
            }
        }
        let result = match op {
            ListOp::In | ListOp::NotIn | ListOp::InCi | ListOp::NotInCi => {
                let ci = matches!(op, ListOp::InCi | ListOp::NotInCi);
                in_list(&l, &values, ci, rows)
            }
            ListOp::HasAny | ListOp::HasAll => {
                let matchers: Vec<Matcher> = values
                    .iter()
                    .map(|v| Matcher::new(StringOpKind::Has, &v.to_text(), false))
                    .collect::<Result<_, _>>()
                    .map_err(|m| QueryError::runtime(m, Some(left.span)))?;
                let mut buf = String::new();
                let all = op == ListOp::HasAll;
                let holds = |s: &str, buf: &mut String| {
                    if all {
                        matchers.iter().all(|m| m.matches(s, buf))
                    } else {
                        matchers.iter().any(|m| m.matches(s, buf))
                    }
                };
                if let Val::Column(c) = &l
                    && let Some(d) = dictionary_of(c)
                {
                    let key = PredicateKey::new(
                        if all { "has_all" } else { "has_any" },
                        matchers.iter().map(|m| m.key().as_str().to_string()),
                    );
                    let out = d.map_bool(c.name().clone(), Some(key), |s| {
                        holds(s, &mut String::new())
                    });
                    return Ok(bool_val(out));
                }
                let out: BooleanChunked = l
                    .to_text(rows)
                    .iter()
                    .map(|v| Some(holds(v.unwrap_or(""), &mut buf)))
                    .collect();
                Val::Column(out.into_series())
            }
        };
        match op {
            ListOp::NotIn | ListOp::NotInCi => not(result, rows),
            _ => Ok(result),
        }
    }
}

fn list_op_name(op: ListOp) -> &'static str {
    match op {
        ListOp::In => "in",
        ListOp::NotIn => "!in",
        ListOp::InCi => "in~",
        ListOp::NotInCi => "!in~",
        ListOp::HasAny => "has_any",
        ListOp::HasAll => "has_all",
    }
}

/// `x in (...)`: case-sensitive for strings unless `in~`.
fn in_list(l: &Val, values: &[Scalar], case_insensitive: bool, rows: usize) -> Val {
    let kind = l.kind();
    if kind == KqlType::String || kind == KqlType::Dynamic || case_insensitive {
        let set: std::collections::HashSet<String> = values
            .iter()
            .map(|v| {
                let t = v.to_text().into_owned();
                if case_insensitive {
                    t.to_lowercase()
                } else {
                    t
                }
            })
            .collect();
        if let Val::Scalar(s) = l {
            let t = s.to_text();
            let t = if case_insensitive {
                t.to_lowercase()
            } else {
                t.into_owned()
            };
            return Val::Scalar(Scalar::Bool(set.contains(&t)));
        }
        let found = |v: &str| {
            if case_insensitive {
                set.contains(&v.to_lowercase())
            } else {
                set.contains(v)
            }
        };
        if let Val::Column(c) = l
            && let Some(d) = dictionary_of(c)
        {
            let mut members: Vec<&str> = set.iter().map(String::as_str).collect();
            members.sort_unstable();
            let key = PredicateKey::new(if case_insensitive { "in~" } else { "in" }, members);
            return bool_val(d.map_bool(c.name().clone(), Some(key), found));
        }
        let text = l.to_text(rows);
        let out: BooleanChunked = text
            .iter()
            .map(|v| {
                let v = v.unwrap_or("");
                Some(if case_insensitive {
                    set.contains(&v.to_lowercase())
                } else {
                    set.contains(v)
                })
            })
            .collect();
        return bool_val(out);
    }
    // Numbers, datetimes, bools: compare as scalars.
    let matches = |s: &Scalar| -> Option<bool> {
        if s.is_null() {
            return Some(false);
        }
        Some(values.iter().any(|v| {
            let (a, b) = promote(s, v);
            compare_scalars(BinaryOp::Eq, &a, &b) == Scalar::Bool(true)
        }))
    };
    match l {
        Val::Scalar(s) => Val::Scalar(Scalar::Bool(matches(s).unwrap_or(false))),
        Val::Column(c) => {
            let out: BooleanChunked = (0..rows)
                .map(|i| matches(&Scalar::from_series(c, i)))
                .collect();
            bool_val(out)
        }
    }
}

/// Numbers compare as reals so `5 in (5.0)` holds; as decimals when either
/// is one, so `parse_version(v) in (parse_version("1.2.3.4"))` compares all
/// 25 digits.
fn promote(a: &Scalar, b: &Scalar) -> (Scalar, Scalar) {
    let numeric = |s: &Scalar| s.kind().is_numeric();
    if (a.kind() == KqlType::Decimal || b.kind() == KqlType::Decimal) && numeric(a) && numeric(b) {
        let exact =
            |s: &Scalar| as_decimal(s).map_or(Scalar::Null(KqlType::Decimal), Scalar::Decimal);
        return (exact(a), exact(b));
    }
    let real = |s: &Scalar| match s {
        Scalar::Int(x) => Scalar::Real(f64::from(*x)),
        Scalar::Long(x) => Scalar::Real(*x as f64),
        other => other.clone(),
    };
    (real(a), real(b))
}
