//! Operators that start a query from nothing: `datatable`, `print`, `range`.

use polars::prelude::*;

use super::{expr_name, polars_error, val_column};
use crate::data::types::KqlType;
use crate::kql::ast::{Assignment, Expr, ExprKind, Ident, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::limits::{Growth, Unit};
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

impl Runner<'_> {
    /// `datatable (a:string, b:long) [ "x", 1, "y", 2 ]`
    pub(super) fn op_datatable(
        &self,
        columns: &[(Ident, String)],
        values: &[Expr],
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        if columns.is_empty() {
            return Err(QueryError::syntax(
                "datatable needs at least one column",
                span,
            ));
        }
        if !values.len().is_multiple_of(columns.len()) {
            return Err(QueryError::syntax(
                format!(
                    "datatable has {} values, which is not a multiple of its {} columns",
                    values.len(),
                    columns.len()
                ),
                span,
            ));
        }
        let empty = DataFrame::empty();
        let rows = values.len() / columns.len();
        let mut out = Vec::with_capacity(columns.len());
        for (ci, (name, type_name)) in columns.iter().enumerate() {
            let kind = KqlType::parse(type_name).ok_or_else(|| {
                QueryError::syntax(format!("unknown type '{type_name}'"), name.span)
            })?;
            let mut cells = Vec::with_capacity(rows);
            for r in 0..rows {
                let e = &values[r * columns.len() + ci];
                let v = self.eval_scalar(e, &empty)?;
                cells.push(coerce_cell(v, kind).ok_or_else(|| {
                    QueryError::type_error(
                        format!("a value of column '{}' must be {kind}", name.name),
                        e.span,
                    )
                })?);
            }
            out.push(scalars_to_series(&name.name, kind, cells).into_column());
        }
        DataFrame::new(rows, out).map_err(|e| polars_error(e, span))
    }

    /// `print a = 1, b = "x"`: one row.
    pub(super) fn op_print(&self, items: &[Assignment]) -> Result<DataFrame, QueryError> {
        let one = DataFrame::new(1, vec![]).map_err(|e| polars_error(e, Span::default()))?;
        let mut out = Vec::new();
        let mut names: Vec<String> = Vec::new();
        for (i, a) in items.iter().enumerate() {
            let rest = super::multi_value::Rest::Keep;
            if let Some(cols) = self.multi_value_columns(a, &one, rest)? {
                for c in cols {
                    let name = super::unique_name(c.name(), &names);
                    names.push(name.clone());
                    out.push(c.with_name(name.as_str().into()).into_column());
                }
                continue;
            }
            let v = self.eval(&a.expr, &one)?;
            let name = match a.names.first() {
                Some(n) => n.name.clone(),
                // A let-bound name is a value to print, not a column: Kusto
                // calls it print_N (parse-json-function.md: `print d`).
                None if matches!(a.expr.kind, ExprKind::Name(_)) => format!("print_{i}"),
                None => expr_name(&a.expr).unwrap_or_else(|| format!("print_{i}")),
            };
            let name = super::unique_name(&name, &names);
            names.push(name.clone());
            out.push(val_column(v, &name, 1));
        }
        DataFrame::new(1, out).map_err(|e| polars_error(e, Span::default()))
    }

    /// `range x from a to b step s`: numbers, datetimes or timespans.
    pub(super) fn op_range(
        &self,
        name: &Ident,
        from: &Expr,
        to: &Expr,
        step: &Expr,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let empty = DataFrame::empty();
        let (a, b, s) = (
            self.eval_scalar(from, &empty)?,
            self.eval_scalar(to, &empty)?,
            self.eval_scalar(step, &empty)?,
        );
        let as_i64 = |v: &Scalar| match v {
            Scalar::Int(x) => Some(i64::from(*x)),
            Scalar::Long(x) | Scalar::Datetime(x) | Scalar::Timespan(x) => Some(*x),
            Scalar::Real(x) => Some(*x as i64),
            _ => None,
        };
        let kind = a.kind();
        let (Some(lo), Some(hi), Some(st)) = (as_i64(&a), as_i64(&b), as_i64(&s)) else {
            return Err(QueryError::type_error(
                "range needs numbers, datetimes or timespans",
                span,
            ));
        };
        // In i128: `range x from -9223372036854775807 to 9223372036854775807`
        // must not overflow.
        let steps = (i128::from(hi) - i128::from(lo)).checked_div(i128::from(st));
        let Some(steps) = steps.filter(|n| *n >= 0) else {
            return Err(QueryError::type_error(
                "range step must move from 'from' towards 'to'",
                step.span,
            ));
        };
        let count = u64::try_from(steps + 1).unwrap_or(u64::MAX);
        self.admit(&Growth {
            operator: "range",
            count,
            unit: Unit::Rows,
            // A value, and its Scalar while the column is built.
            item_bytes: 8 + std::mem::size_of::<Scalar>() as u64,
            advice: "use a larger step or a shorter range",
            span,
        })?;
        let steps = i64::try_from(steps)
            .map_err(|_| QueryError::runtime("range would produce too many rows", Some(span)))?;
        let cancel = self.cancel();
        let values: Vec<Scalar> = (0..=steps)
            .map(|i| {
                if i % (1 << 16) == 0 {
                    cancel.check()?;
                }
                // Between `from` and `to`, so it fits; the product may not.
                let v = (i128::from(lo) + i128::from(i) * i128::from(st)) as i64;
                Ok(match kind {
                    KqlType::Datetime => Scalar::Datetime(v),
                    KqlType::Timespan => Scalar::Timespan(v),
                    _ => Scalar::Long(v),
                })
            })
            .collect::<Result<_, QueryError>>()?;
        let rows = values.len();
        let out_kind = if kind.is_numeric() {
            KqlType::Long
        } else {
            kind
        };
        let col = scalars_to_series(&name.name, out_kind, values).into_column();
        DataFrame::new(rows, vec![col]).map_err(|e| polars_error(e, span))
    }
}

/// A datatable cell as the column's type (numbers widen, text parses).
fn coerce_cell(v: Scalar, kind: KqlType) -> Option<Scalar> {
    if v.is_null() {
        return Some(if kind == KqlType::String {
            Scalar::String(String::new())
        } else {
            Scalar::Null(kind)
        });
    }
    Some(match (kind, v) {
        (k, v) if v.kind() == k => v,
        (KqlType::Long, Scalar::Int(x)) => Scalar::Long(i64::from(x)),
        (KqlType::Int, Scalar::Long(x)) => Scalar::Int(i32::try_from(x).ok()?),
        (KqlType::Real, Scalar::Int(x)) => Scalar::Real(f64::from(x)),
        (KqlType::Real, Scalar::Long(x)) => Scalar::Real(x as f64),
        (KqlType::Dynamic, v) => Scalar::Dynamic(v.to_json()),
        (KqlType::String, v) => Scalar::String(v.to_text().into_owned()),
        (KqlType::Datetime, Scalar::String(s)) => {
            Scalar::Datetime(crate::data::time::parse_datetime(&s)?)
        }
        (KqlType::Timespan, Scalar::String(s)) => {
            Scalar::Timespan(crate::data::time::parse_timespan(&s)?)
        }
        (KqlType::Bool, Scalar::Long(x)) => Scalar::Bool(x != 0),
        _ => return None,
    })
}
