//! Evaluating scalar expressions over a frame: literals, columns, operators,
//! string predicates, function calls and dynamic member access, with KQL's
//! types and null rules.

mod arithmetic;
mod compare;
mod lists;
mod member;
mod search;
mod text_predicates;

use polars::prelude::*;
use serde_json::Value as Json;

use super::ast::{BinaryOp, Expr, ExprKind, FunctionBody, Literal, Span};
use super::error::{QueryError, did_you_mean};
use super::functions::{self, Call};
use super::run::{Binding, Runner};
use super::value::{Scalar, Val};
use crate::data::time::{NANOS_PER_TICK, parse_datetime};
use crate::data::types::KqlType;
use arithmetic::negate;

pub use arithmetic::cast;
pub use compare::{binary, not};
pub use member::member;
pub use text_predicates::string_op;

impl Runner<'_> {
    /// Evaluates `e` over the rows of `frame`.
    pub fn eval(&self, e: &Expr, frame: &DataFrame) -> Result<Val, QueryError> {
        let rows = frame.height();
        match &e.kind {
            ExprKind::Literal(l) => literal(l, e.span).map(Val::Scalar),
            ExprKind::Name(n) => self.name(n, frame, e.span),
            ExprKind::Star => Err(QueryError::syntax("'*' is not allowed here", e.span)),
            ExprKind::Negate(inner) => negate(self.eval(inner, frame)?, e.span),
            ExprKind::Binary { op, left, right } => {
                let l = self.eval(left, frame)?;
                let r = self.eval(right, frame)?;
                binary(*op, l, r, rows, e.span)
            }
            ExprKind::StringOp { op, left, right } if matches!(left.kind, ExprKind::Star) => {
                self.any_column(*op, right, frame)
            }
            ExprKind::StringOp { op, left, right } => {
                let l = self.eval(left, frame)?;
                let r = self.eval(right, frame)?;
                string_op(*op, &l, &r, rows, right.span)
            }
            ExprKind::List { op, left, items } => self.list_op(*op, left, items, frame),
            ExprKind::Between {
                negated,
                value,
                low,
                high,
            } => {
                let v = self.eval(value, frame)?;
                let lo = self.eval(low, frame)?;
                let mut hi = self.eval(high, frame)?;
                // `t between (datetime(...) .. 3d)`: a timespan upper bound
                // is an offset from the lower one.
                if lo.kind() == KqlType::Datetime && hi.kind() == KqlType::Timespan {
                    hi = binary(BinaryOp::Add, lo.clone(), hi, rows, high.span)?;
                }
                let ge = binary(BinaryOp::GtEq, v.clone(), lo, rows, e.span)?;
                let le = binary(BinaryOp::LtEq, v, hi, rows, e.span)?;
                let both = binary(BinaryOp::And, ge, le, rows, e.span)?;
                if *negated { not(both, rows) } else { Ok(both) }
            }
            ExprKind::Call { name, args } => self.call(&name.name, args, frame, e.span, name.span),
            ExprKind::Member { target, name } => {
                let t = self.eval(target, frame)?;
                member(&t, &Json::String(name.name.clone()), rows)
            }
            ExprKind::Index { target, index } => {
                let t = self.eval(target, frame)?;
                let i = self.eval_scalar(index, frame)?;
                let key = match i {
                    Scalar::String(s) => Json::String(s),
                    Scalar::Int(v) => Json::from(v),
                    Scalar::Long(v) => Json::from(v),
                    other => {
                        return Err(QueryError::type_error(
                            format!(
                                "an index must be a string or a number, not {}",
                                other.kind()
                            ),
                            index.span,
                        ));
                    }
                };
                member(&t, &key, rows)
            }
            ExprKind::SearchTerm { column, text } => self.search_term(
                column.as_ref().map(|c| c.name.as_str()),
                text,
                false,
                frame,
                e.span,
            ),
            ExprKind::Tabular(_) => Err(QueryError::type_error(
                "a table is not a value; use toscalar() or 'in (...)'",
                e.span,
            )),
            ExprKind::Tuple(_) => Err(QueryError::type_error(
                "a list is only allowed after 'in'",
                e.span,
            )),
            ExprKind::NamedArg { value, .. } => self.eval(value, frame),
        }
    }

    fn name(&self, n: &str, frame: &DataFrame, span: Span) -> Result<Val, QueryError> {
        if let Ok(c) = frame.column(n) {
            return Ok(Val::Column(c.as_materialized_series().clone()));
        }
        match self.scope.get(n) {
            Some(Binding::Scalar(s)) => return Ok(Val::Scalar(s.clone())),
            Some(Binding::Table(_)) => {
                return Err(QueryError::type_error(
                    format!("'{n}' is a table, not a value"),
                    span,
                ));
            }
            // A scalar function of no parameters is called by its name
            // alone (named-expressions.md: `let x = () {rand(1000)}; print x`).
            Some(Binding::Function(f, _))
                if f.params.is_empty() && matches!(f.body, FunctionBody::Scalar(_)) =>
            {
                if let Some(v) = self.call_scalar_function(n, &[], frame, span)? {
                    return Ok(v);
                }
            }
            Some(Binding::Function(..)) => {
                return Err(QueryError::type_error(
                    format!("'{n}' is a function; call it as {n}()"),
                    span,
                ));
            }
            None => {}
        }
        let names: Vec<&str> = frame
            .get_column_names()
            .into_iter()
            .map(|s| s.as_str())
            .collect();
        let hint = did_you_mean(n, names.iter().copied().chain(self.scope.names()));
        Err(QueryError::unknown(
            format!("unknown column '{n}'{hint}"),
            span,
        ))
    }

    fn call(
        &self,
        name: &str,
        args: &[Expr],
        frame: &DataFrame,
        span: Span,
        name_span: Span,
    ) -> Result<Val, QueryError> {
        let rows = frame.height();
        match name {
            // `column_names_of(T)`: the names of a tabular expression's
            // columns, as a dynamic array.
            "column_names_of" => {
                let t = match args {
                    [arg] => match (self.tabular_expr(arg)?, &arg.kind) {
                        (None, ExprKind::Name(n)) if self.scope.get(n).is_none() => {
                            return Err(self.unknown_table(n, arg.span));
                        }
                        (t, _) => t,
                    },
                    _ => None,
                };
                let Some(t) = t else {
                    return Err(QueryError::type_error(
                        "column_names_of() needs one tabular argument: a table, a let-bound tabular expression or a call of a tabular function",
                        span,
                    ));
                };
                let names = t
                    .get_column_names()
                    .iter()
                    .map(|n| Json::String(n.to_string()))
                    .collect();
                return Ok(Val::Scalar(Scalar::Dynamic(Json::Array(names))));
            }
            "toscalar" => {
                let arg = args.first().ok_or_else(|| {
                    QueryError::type_error("toscalar() needs a tabular argument", span)
                })?;
                let t = match &arg.kind {
                    ExprKind::Tabular(p) => self.pipeline(p, None)?,
                    _ => match self.tabular_pipeline_of(arg)? {
                        Some(t) => t,
                        None => return self.eval(arg, frame),
                    },
                };
                let value = match t.columns().first() {
                    Some(c) if t.height() > 0 => Scalar::from_series(c.as_materialized_series(), 0),
                    Some(c) => Scalar::Null(KqlType::of(c.dtype()).unwrap_or(KqlType::Dynamic)),
                    None => Scalar::Null(KqlType::Dynamic),
                };
                return Ok(Val::Scalar(value));
            }
            // `pack_all([ignore_null_empty])`: every column of the row, by
            // name, in a bag.
            "pack_all" => {
                let skip_empty = match args.first() {
                    Some(a) => match self.eval_scalar(a, frame)? {
                        Scalar::Bool(b) => b,
                        other => {
                            return Err(QueryError::type_error(
                                format!("pack_all() takes a bool, not {}", other.kind()),
                                a.span,
                            ));
                        }
                    },
                    None => false,
                };
                let columns: Vec<&Series> = frame
                    .columns()
                    .iter()
                    .map(|c| c.as_materialized_series())
                    .collect();
                let bags: BinaryChunked = (0..rows)
                    .map(|i| {
                        let mut bag = serde_json::Map::new();
                        for c in &columns {
                            let v = Scalar::from_series(c, i);
                            let empty =
                                v.is_null() || matches!(&v, Scalar::String(t) if t.is_empty());
                            if !(skip_empty && empty) {
                                bag.insert(c.name().to_string(), v.to_json());
                            }
                        }
                        Some(Json::Object(bag).to_string().into_bytes())
                    })
                    .collect();
                return Ok(Val::Column(bags.into_series()));
            }
            // `columnifexists`: the documented, deprecated older name.
            "column_ifexists" | "columnifexists" => {
                let col = match args
                    .first()
                    .map(|a| self.eval_scalar(a, frame))
                    .transpose()?
                {
                    Some(Scalar::String(s)) => s,
                    _ => {
                        return Err(QueryError::type_error(
                            format!("{name}() needs a column name string"),
                            span,
                        ));
                    }
                };
                if let Ok(c) = frame.column(&col) {
                    return Ok(Val::Column(c.as_materialized_series().clone()));
                }
                return match args.get(1) {
                    Some(d) => self.eval(d, frame),
                    None => Err(QueryError::type_error(
                        format!("{name}() needs a default value"),
                        span,
                    )),
                };
            }
            // `typeof(T)`: the type's name, the form functions taking a
            // type argument (`extract(..., typeof(int))`) read.
            "typeof" => {
                let ty = match args {
                    [a] => match &a.kind {
                        ExprKind::Name(n) => KqlType::parse(n).map(|_| n.clone()),
                        ExprKind::Literal(Literal::String(t)) => {
                            KqlType::parse(t).map(|_| t.clone())
                        }
                        _ => None,
                    },
                    _ => None,
                };
                return match ty {
                    Some(t) => Ok(Val::Scalar(Scalar::String(t))),
                    None => Err(QueryError::type_error(
                        "typeof() takes one type name, such as typeof(long)",
                        span,
                    )),
                };
            }
            "geo_info_from_ip_address" => {
                if args.len() != 1 {
                    return Err(QueryError::type_error(
                        format!(
                            "geo_info_from_ip_address() takes 1 argument(s), {} given",
                            args.len()
                        ),
                        span,
                    ));
                }
                let Some(table) = self.catalog.get(functions::geo::GEOIP_TABLE) else {
                    return Err(QueryError::runtime(functions::geo::NO_TABLE, Some(span)));
                };
                let ip = self.eval(&args[0], frame)?;
                let index = functions::geo::GeoIndex::build(&table.frame, span)?;
                return Ok(index.eval(&ip, rows));
            }
            "ingestion_time" => {
                if !args.is_empty() {
                    return Err(QueryError::type_error(
                        "ingestion_time() takes no arguments",
                        span,
                    ));
                }
                // Offline there is no ingestion time; the closest value
                // Kusto would show is the event's own time column.
                for col in ["TimeGenerated", "Timestamp"] {
                    if let Ok(c) = frame.column(col)
                        && KqlType::of(c.dtype()) == Some(KqlType::Datetime)
                    {
                        return Ok(Val::Column(c.as_materialized_series().clone()));
                    }
                }
                return Ok(Val::null(KqlType::Datetime));
            }
            _ => {}
        }
        if let Some(v) = self.call_scalar_function(name, args, frame, span)? {
            return Ok(v);
        }
        if functions::aggregates::lookup(name).is_some() && functions::lookup(name).is_none() {
            return Err(QueryError::type_error(
                format!("{name}() is an aggregation function: use it in summarize"),
                name_span,
            ));
        }
        let Some(f) = functions::lookup(name) else {
            // A stored function whose definition failed: say why.
            if let Some(e) = self.options.functions.unreadable_error(name, name_span) {
                return Err(e);
            }
            let mut names = functions::all_names();
            names.extend(self.scope.names());
            return Err(QueryError::unknown(
                format!(
                    "unknown function '{name}'{}",
                    crate::kql::error::unknown_function_hint(name, names)
                ),
                name_span,
            ));
        };
        if args.len() < f.min_args || args.len() > f.max_args {
            let expected = if f.min_args == f.max_args {
                format!("{}", f.min_args)
            } else if f.max_args == usize::MAX {
                format!("at least {}", f.min_args)
            } else {
                format!("{} to {}", f.min_args, f.max_args)
            };
            return Err(QueryError::type_error(
                format!(
                    "{}() takes {expected} argument(s), {} given",
                    f.name,
                    args.len()
                ),
                span,
            ));
        }
        let mut vals = Vec::with_capacity(args.len());
        let (mut spans, mut columns) = (Vec::new(), Vec::new());
        for a in args {
            // `f(*)`: every column (estimate_data_size(*)).
            let named: Vec<(Val, Option<String>)> = match &a.kind {
                ExprKind::Star => frame
                    .columns()
                    .iter()
                    .map(|c| {
                        let v = Val::Column(c.as_materialized_series().clone());
                        (v, Some(c.name().to_string()))
                    })
                    .collect(),
                ExprKind::Name(n) => vec![(self.eval(a, frame)?, Some(n.clone()))],
                _ => vec![(self.eval(a, frame)?, None)],
            };
            for (v, column) in named {
                // Functions read text row by row: encoded columns as plain text.
                vals.push(v.decoded());
                spans.push(a.span);
                columns.push(column);
            }
        }
        let call = Call {
            name: f.name,
            args: vals,
            spans,
            columns,
            span,
            rows,
            now: self.now(),
            cancel: self.cancel(),
        };
        (f.eval)(&call)
    }

    /// A call argument that names a table (`toscalar(T)`).
    fn tabular_pipeline_of(&self, e: &Expr) -> Result<Option<DataFrame>, QueryError> {
        if let ExprKind::Name(n) = &e.kind
            && let Some(Binding::Table(t)) = self.scope.get(n)
        {
            return Ok(Some((**t).clone()));
        }
        Ok(None)
    }
}

/// A literal's value. Datetimes are parsed here so a bad one points at itself.
pub fn literal(l: &Literal, span: Span) -> Result<Scalar, QueryError> {
    Ok(match l {
        Literal::String(s) => Scalar::String(s.clone()),
        Literal::Long(v) => Scalar::Long(*v),
        Literal::Int(v) => Scalar::Int(*v),
        Literal::Real(v) => Scalar::Real(*v),
        Literal::Decimal(v) => Scalar::Decimal(*v),
        Literal::Bool(b) => Scalar::Bool(*b),
        Literal::Timespan(ticks) => Scalar::Timespan(ticks.saturating_mul(NANOS_PER_TICK)),
        Literal::Datetime(text) => match text.trim() {
            "" | "null" => Scalar::Null(KqlType::Datetime),
            t => {
                let t = t.trim_matches(|c| c == '"' || c == '\'');
                // The documentation writes dates spaced out as
                // `datetime(2017 - 08 - 01)` (sliding-window-counts-plugin.md).
                let spaced =
                    || parse_datetime(&t.split('-').map(str::trim).collect::<Vec<_>>().join("-"));
                Scalar::Datetime(
                    parse_datetime(t).or_else(spaced).ok_or_else(|| {
                        QueryError::syntax(format!("invalid datetime '{t}'"), span)
                    })?,
                )
            }
        },
        Literal::Dynamic(j) => Scalar::Dynamic(j.clone()),
        Literal::Null(kind) => match KqlType::parse(kind) {
            Some(KqlType::String) => Scalar::String(String::new()),
            Some(k) => Scalar::Null(k),
            None => return Err(QueryError::syntax(format!("unknown type '{kind}'"), span)),
        },
    })
}

/// A JSON value inside a dynamic as a scalar (for `in` lists and comparisons).
pub fn json_scalar(j: &Json) -> Scalar {
    match j {
        Json::Null => Scalar::Null(KqlType::Dynamic),
        Json::Bool(b) => Scalar::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Scalar::Long(i),
            None => Scalar::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Scalar::String(s.clone()),
        other => Scalar::Dynamic(other.clone()),
    }
}

fn runtime(e: PolarsError, span: Span) -> QueryError {
    QueryError::runtime(e.to_string(), Some(span))
}
