//! Where a query's rows come from: a table of the catalog or a tabular
//! `let` by name (with "did you mean"), `table("Name")`, `view` and
//! `materialize`, `_GetWatchlist`, and a pipeline's source (a call, a
//! parenthesised pipeline, a source operator).

use polars::prelude::*;

use super::{Binding, Runner};
use crate::kql::ast::{self, Source, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::value::{Scalar, Val};

impl Runner<'_> {
    /// An expression that denotes a table: a table or tabular `let` name,
    /// `materialize(...)`, or a call of a tabular function.
    pub(crate) fn tabular_expr(&self, e: &ast::Expr) -> Result<Option<DataFrame>, QueryError> {
        match &e.kind {
            ast::ExprKind::Name(n) => {
                if let Some(Binding::Table(t)) = self.scope.get(n) {
                    return Ok(Some((**t).clone()));
                }
                if matches!(self.scope.get(n), Some(Binding::Scalar(_))) {
                    return Ok(None);
                }
                if let Some(e) = self.hidden_error(n, e.span) {
                    return Err(e);
                }
                Ok(self.catalog_table(n).map(|t| t.frame.clone()))
            }
            ast::ExprKind::Tabular(p) => Ok(Some(self.pipeline(p, None)?)),
            ast::ExprKind::Call { name, args } => {
                let lname = name.name.to_ascii_lowercase();
                if (lname == "materialize" || lname == "view")
                    && let Some(arg) = args.first()
                {
                    return self.tabular_expr(arg);
                }
                if lname == "table" {
                    return self.table_call(args, name.span).map(Some);
                }
                if name.name == "_GetWatchlist" {
                    return self.watchlist(args, e.span).map(Some);
                }
                match self.scope.get(&name.name) {
                    Some(Binding::Function(f, _))
                        if matches!(f.body, ast::FunctionBody::Tabular(_)) =>
                    {
                        Ok(Some(
                            self.call_tabular_function(&name.name, args, None, e.span)?,
                        ))
                    }
                    // `let g = (n:long) { f(1, n) };` where `f` returns a
                    // table: the body reads as a scalar call, and is a table.
                    Some(Binding::Function(f, _))
                        if matches!(&f.body, ast::FunctionBody::Scalar(b)
                            if matches!(b.kind, ast::ExprKind::Call { .. } | ast::ExprKind::Name(_))) =>
                    {
                        let (f, inner) = self.enter_function(&name.name, args, None, e.span)?;
                        let table = match &f.body {
                            ast::FunctionBody::Scalar(b) => inner.tabular_expr(b),
                            ast::FunctionBody::Tabular(_) => Ok(None),
                        };
                        self.in_stored_body(&name.name, e.span, table)
                    }
                    _ => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }

    /// `table("Name")`
    fn table_call(&self, args: &[ast::Expr], span: Span) -> Result<DataFrame, QueryError> {
        let empty = DataFrame::empty();
        let name = match args.first().map(|a| self.eval(a, &empty)).transpose()? {
            Some(Val::Scalar(Scalar::String(s))) => s,
            _ => {
                return Err(QueryError::type_error(
                    "table() expects a table name string",
                    span,
                ));
            }
        };
        self.table(&name, span)
    }

    /// `_GetWatchlist('alias')`: a Sentinel watchlist. Offline it is a
    /// loaded table named `alias`, `Watchlist_alias` or
    /// `_GetWatchlist_alias`, the first that exists, taken as it is: a
    /// watchlist exported from Sentinel already has its `SearchKey` column,
    /// and in a table without one Quarry cannot know which column the
    /// search key was, so none is invented. Sentinel's `WatchlistItem`
    /// (the row as a property bag) is added when the table lacks it.
    fn watchlist(&self, args: &[ast::Expr], span: Span) -> Result<DataFrame, QueryError> {
        let empty = DataFrame::empty();
        let alias = match (
            args.len(),
            args.first()
                .map(|a| self.eval_scalar(a, &empty))
                .transpose()?,
        ) {
            (1, Some(Scalar::String(s))) => s,
            _ => {
                return Err(QueryError::type_error(
                    "_GetWatchlist() expects one argument: the watchlist alias as a string",
                    span,
                ));
            }
        };
        let candidates = [
            alias.clone(),
            format!("Watchlist_{alias}"),
            format!("_GetWatchlist_{alias}"),
        ];
        let Some(table) = candidates.iter().find_map(|n| self.catalog_table(n)) else {
            return Err(QueryError::runtime(
                format!(
                    "watchlist '{alias}' is not loaded: _GetWatchlist looks for a table named '{}', '{}' or '{}'; \
                     export the watchlist to CSV and load it under that name, e.g. `quarry {alias}=watchlist.csv`",
                    candidates[0], candidates[1], candidates[2]
                ),
                Some(span),
            ));
        };
        let mut frame = table.frame.clone();
        if frame.column("WatchlistItem").is_err() {
            let bags: Vec<Scalar> = (0..frame.height())
                .map(|i| {
                    let bag: serde_json::Map<String, serde_json::Value> = frame
                        .columns()
                        .iter()
                        .map(|c| {
                            let v = Scalar::from_series(c.as_materialized_series(), i);
                            (c.name().to_string(), v.to_json())
                        })
                        .collect();
                    Scalar::Dynamic(serde_json::Value::Object(bag))
                })
                .collect();
            let item = crate::kql::functions::scalars_to_series(
                "WatchlistItem",
                crate::data::types::KqlType::Dynamic,
                bags,
            );
            frame
                .with_column(item.into_column())
                .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))?;
        }
        Ok(frame)
    }

    /// A table of the catalog or a tabular `let`, by name.
    pub fn table(&self, name: &str, span: Span) -> Result<DataFrame, QueryError> {
        if let Some(Binding::Table(t)) = self.scope.get(name) {
            return Ok((**t).clone());
        }
        // A function without parameters is called by its name alone
        // (user-defined-functions.md), and so is one whose parameters all
        // have defaults; a `let` one shadows the tables, a stored one does
        // not (Kusto keeps tables and functions apart).
        let bare = matches!(self.scope.get(name),
            Some(Binding::Function(f, _)) if f.params.iter().all(|p| p.default.is_some()));
        if bare && self.scope.stored(name).is_none() {
            return self.call_tabular_function(name, &[], None, span);
        }
        if let Some(t) = self.catalog_table(name) {
            return Ok(t.frame.clone());
        }
        if bare {
            return self.call_tabular_function(name, &[], None, span);
        }
        Err(self.unknown_table(name, span))
    }

    /// The error for a table name that reads nothing: one a `restrict`
    /// statement hides, or one that does not exist.
    pub fn unknown_table(&self, name: &str, span: Span) -> QueryError {
        if let Some(e) = self.hidden_error(name, span) {
            return e;
        }
        let lets: Vec<&str> = self
            .scope
            .names()
            .filter(|n| matches!(self.scope.get(n), Some(Binding::Table(_))))
            .collect();
        let hint = did_you_mean(name, self.table_names().into_iter().chain(lets));
        QueryError::unknown(format!("unknown table '{name}'{hint}"), span)
    }

    pub(super) fn source(&self, source: &Source) -> Result<DataFrame, QueryError> {
        match source {
            Source::Table(id) => self.table(&id.name, id.span),
            Source::Paren(p) => self.pipeline(p, None),
            Source::Operator(op) => self.source_operator(op),
            Source::Call { name, .. }
                if crate::kql::graph::is_graph_model(&name.name, &self.scope) =>
            {
                Err(crate::kql::graph::graph_model_error(name.span))
            }
            Source::Call { name, args, span } => {
                let call = ast::Expr {
                    kind: ast::ExprKind::Call {
                        name: name.clone(),
                        args: args.clone(),
                    },
                    span: *span,
                };
                if let Some(e) = self.hidden_error(&name.name, name.span) {
                    return Err(e);
                }
                match self.tabular_expr(&call)? {
                    Some(f) => Ok(f),
                    None if self.scope.get(&name.name).is_none()
                        && let Some(e) = self
                            .options
                            .functions
                            .unreadable_error(&name.name, name.span) =>
                    {
                        Err(e)
                    }
                    None => Err(QueryError::unknown(
                        format!(
                            "unknown tabular function '{}'{}",
                            name.name,
                            did_you_mean(&name.name, self.scope.names())
                        ),
                        name.span,
                    )),
                }
            }
        }
    }
}
