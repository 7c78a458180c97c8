//! Calls of `let` and stored functions: arguments bound to parameters
//! (a piped table to the first, for `invoke`), tabular bodies run for a
//! table, scalar bodies evaluated row by row with their arguments as
//! columns.

use std::sync::Arc;

use polars::prelude::*;

use super::{Binding, Runner};
use crate::kql::ast::{self, Function, LetValue, Span};
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

impl<'a> Runner<'a> {
    /// Calls a `let` function whose body is tabular; `input` is the piped
    /// table for `invoke`, bound to the first (tabular) parameter.
    pub fn call_tabular_function(
        &self,
        name: &str,
        args: &[ast::Expr],
        input: Option<DataFrame>,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let (f, inner) = self.enter_function(name, args, input, span)?;
        let table = inner.tabular_body(&f, span);
        self.in_stored_body(name, span, table)
    }

    /// Runs a function's body for a table.
    fn tabular_body(&self, f: &Function, span: Span) -> Result<DataFrame, QueryError> {
        let empty = DataFrame::empty();
        match &f.body {
            ast::FunctionBody::Tabular(p) => self.pipeline(p, None),
            ast::FunctionBody::Scalar(e) => {
                if let Some(t) = self.tabular_expr(e)? {
                    return Ok(t);
                }
                let v = self.eval_scalar(e, &empty)?;
                Ok(
                    DataFrame::new(1, vec![v.to_series("print_0", 1).into_column()])
                        .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))?,
                )
            }
        }
    }

    /// The runner inside a call of a `let` function whose arguments are
    /// constants or tables: parameters bound, the body's `let`s too.
    pub(super) fn enter_function(
        &self,
        name: &str,
        args: &[ast::Expr],
        input: Option<DataFrame>,
        span: Span,
    ) -> Result<(Arc<Function>, Runner<'a>), QueryError> {
        let Some(Binding::Function(f, captured)) = self.scope.get(name) else {
            return Err(QueryError::unknown(
                format!("unknown function '{name}'"),
                span,
            ));
        };
        let f = f.clone();
        let mut scope = captured.clone();
        // The function itself is visible in its body only to report recursion.
        let mut params = f.params.iter();
        if let Some(input) = input {
            match params.next() {
                Some(p) if matches!(p.kind, ast::ParamKind::Tabular) => {
                    scope.insert(p.name.name.clone(), Binding::Table(Arc::new(input)));
                }
                _ => {
                    return Err(QueryError::type_error(
                        format!(
                            "function '{name}' does not take a table as its first parameter, so it cannot be invoked"
                        ),
                        span,
                    ));
                }
            }
        }
        let params: Vec<&ast::Param> = params.collect();
        if args.len() > params.len() {
            return Err(QueryError::type_error(
                format!(
                    "function '{name}' takes {} argument(s), {} given",
                    params.len(),
                    args.len()
                ),
                span,
            ));
        }
        let empty = DataFrame::empty();
        for (i, p) in params.iter().enumerate() {
            let binding = match (&p.kind, args.get(i)) {
                (ast::ParamKind::Tabular, Some(a)) => match self.tabular_expr(a)? {
                    Some(t) => Binding::Table(Arc::new(t)),
                    None => {
                        return Err(QueryError::type_error(
                            format!("parameter '{}' expects a table", p.name.name),
                            a.span,
                        ));
                    }
                },
                (ast::ParamKind::Scalar(_), Some(a)) => {
                    Binding::Scalar(self.eval_scalar(a, &empty)?)
                }
                (_, None) => match &p.default {
                    Some(d) => Binding::Scalar(self.eval_scalar(d, &empty)?),
                    None => {
                        return Err(QueryError::type_error(
                            format!("function '{name}' needs a value for '{}'", p.name.name),
                            span,
                        ));
                    }
                },
            };
            scope.insert(p.name.name.clone(), binding);
        }
        let mut inner = self.nested(scope)?;
        let lets = inner.bind_lets(&f.lets);
        self.in_stored_body(name, span, lets)?;
        Ok((f, inner))
    }

    /// Calls a scalar `let` function on the rows of `frame`.
    pub fn call_scalar_function(
        &self,
        name: &str,
        args: &[ast::Expr],
        frame: &DataFrame,
        span: Span,
    ) -> Result<Option<Val>, QueryError> {
        let Some(Binding::Function(f, captured)) = self.scope.get(name) else {
            return Ok(None);
        };
        let ast::FunctionBody::Scalar(body) = &f.body else {
            return Err(QueryError::type_error(
                format!("function '{name}' returns a table, not a value"),
                span,
            ));
        };
        if args.len() > f.params.len() {
            return Err(QueryError::type_error(
                format!(
                    "function '{name}' takes {} argument(s), {} given",
                    f.params.len(),
                    args.len()
                ),
                span,
            ));
        }
        // Row-wise arguments become columns of a frame the body sees.
        let mut scope = captured.clone();
        let mut columns: Vec<Column> = frame.columns().to_vec();
        for (i, p) in f.params.iter().enumerate() {
            let v = match (args.get(i), &p.default) {
                (Some(a), _) => self.eval(a, frame)?,
                (None, Some(d)) => self.eval(d, frame)?,
                (None, None) => {
                    return Err(QueryError::type_error(
                        format!("function '{name}' needs a value for '{}'", p.name.name),
                        span,
                    ));
                }
            };
            match v {
                Val::Scalar(s) => scope.insert(p.name.name.clone(), Binding::Scalar(s)),
                Val::Column(c) => {
                    columns.retain(|col| col.name().as_str() != p.name.name);
                    columns.push(c.with_name(p.name.name.as_str().into()).into_column());
                }
            }
        }
        let inner_frame = DataFrame::new(frame.height(), columns)
            .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))?;
        let mut inner = self.nested(scope)?;
        let value = inner
            .bind_lets_over(&f.lets, inner_frame, span)
            .and_then(|rows| inner.eval(body, &rows));
        self.in_stored_body(name, span, value).map(Some)
    }

    /// Binds the `let`s of a scalar function's body. A value that varies
    /// by row (it reads a parameter given a column) becomes a column of
    /// the rows the body sees, so the body's later `let`s and its result
    /// see it too.
    fn bind_lets_over(
        &mut self,
        lets: &[ast::Let],
        mut frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        for l in lets {
            let LetValue::Expr(e) = &l.value else {
                self.bind_lets(std::slice::from_ref(l))?;
                continue;
            };
            if let Some(t) = self.tabular_expr(e)? {
                self.scope
                    .insert(l.name.name.clone(), Binding::Table(Arc::new(t)));
                continue;
            }
            match self.eval(e, &frame)? {
                Val::Scalar(s) => {
                    let _ = frame.drop_in_place(&l.name.name);
                    self.scope.insert(l.name.name.clone(), Binding::Scalar(s));
                }
                Val::Column(c) => {
                    frame
                        .with_column(c.with_name(l.name.name.as_str().into()).into_column())
                        .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))?;
                }
            }
        }
        Ok(frame)
    }

    /// Evaluates an expression that must not depend on rows.
    pub fn eval_scalar(&self, e: &ast::Expr, frame: &DataFrame) -> Result<Scalar, QueryError> {
        match self.eval(e, frame)? {
            Val::Scalar(s) => Ok(s),
            Val::Column(c) if c.len() == 1 => Ok(Scalar::from_series(&c, 0)),
            Val::Column(_) => Err(QueryError::type_error(
                "expected a constant value here",
                e.span,
            )),
        }
    }
}
