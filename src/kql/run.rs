//! Running a query: `run(catalog, query, options) -> frame`, the one code
//! path that the workbench, the command line, the rules and the tests share.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use polars::prelude::*;

use super::ast::{self, Function, LetValue, Pipeline, Query, Source, Span};
use super::error::{ErrorKind, QueryError, did_you_mean};
use super::limits::Aside;
use super::parser::parse;
use super::value::{Scalar, Val};
use crate::data::catalog::Catalog;

/// A tabular function provided by a layer above `kql`, called with
/// `invoke Name(args)` (FileProfile comes from the hunt layer).
pub trait Plugin: Send + Sync {
    /// The name after `invoke`.
    fn name(&self) -> &str;
    /// Enriches or transforms the piped rows; `args` are evaluated scalars.
    fn invoke(
        &self,
        input: DataFrame,
        args: &[Scalar],
        catalog: &Catalog,
        span: Span,
    ) -> Result<DataFrame, QueryError>;
}

/// How a query runs.
#[derive(Clone, Default)]
pub struct RunOptions {
    /// The instant `now()` and `ago()` use, nanoseconds since the epoch;
    /// one per query, as in Kusto.
    pub now: i64,
    /// Set to stop a running query: operators check it between stages and
    /// inside their loops over rows.
    pub cancel: Option<Arc<AtomicBool>>,
    /// The memory the rows an operator builds may take; operators that
    /// multiply rows refuse past it before allocating.
    pub budget: super::limits::Budget,
    pub plugins: Vec<Arc<dyn Plugin>>,
    /// The stored functions (`.create function` files) queries may call.
    pub functions: Arc<super::stored::StoredFunctions>,
    /// Folders, in search order, where `externaldata` looks for local
    /// copies of the files its URLs name: Quarry never downloads.
    pub externaldata_dirs: Vec<PathBuf>,
}

/// Parses and runs a query.
pub fn run(catalog: &Catalog, text: &str, options: &RunOptions) -> Result<DataFrame, QueryError> {
    let query = parse(text)?;
    run_query(catalog, &query, options)
}

/// Runs a parsed query.
pub fn run_query(
    catalog: &Catalog,
    query: &Query,
    options: &RunOptions,
) -> Result<DataFrame, QueryError> {
    let mut runner = Runner::new(catalog, options);
    runner.bind_lets(&query.lets)?;
    for statement in &query.named {
        runner.bind_statement(statement)?;
    }
    runner.pipeline(&query.body, None)
}

/// What a `let` name stands for.
#[derive(Clone)]
pub enum Binding {
    Scalar(Scalar),
    Table(Arc<DataFrame>),
    Function(Arc<Function>, Scope),
}

/// The `let` bindings visible at a point of the query.
#[derive(Clone, Default)]
pub struct Scope {
    bindings: HashMap<String, Binding>,
    /// `let g = Edges | make-graph ...;`: a graph is not a table, so the
    /// name stands for the pipeline that makes it, run where `g` is used.
    graphs: HashMap<String, Arc<Pipeline>>,
    /// The stored functions, seen where no `let` binds the name.
    stored: Arc<super::stored::StoredFunctions>,
}

impl Scope {
    /// The pipeline a graph `let` binds.
    pub fn graph(&self, name: &str) -> Option<&Arc<Pipeline>> {
        self.graphs.get(name)
    }
    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.bindings
            .get(name)
            .or_else(|| self.stored.binding(name))
    }
    /// The stored function `name` stands for, unless a `let` shadows it.
    pub fn stored(&self, name: &str) -> Option<&super::stored::StoredFunction> {
        match self.bindings.get(name) {
            Some(_) => None,
            None => self.stored.get(name),
        }
    }
    pub fn insert(&mut self, name: String, b: Binding) {
        self.graphs.remove(&name);
        self.bindings.insert(name, b);
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.bindings
            .keys()
            .map(String::as_str)
            .chain(self.stored.names())
    }
}

/// Function calls nest; this bounds recursion (`let f = () { f() }`).
const MAX_DEPTH: usize = 64;

/// The state of one running query.
pub struct Runner<'a> {
    pub catalog: &'a Catalog,
    pub options: &'a RunOptions,
    pub scope: Scope,
    depth: usize,
}

impl<'a> Runner<'a> {
    /// A runner at the top of a query, with nothing bound yet.
    pub(crate) fn new(catalog: &'a Catalog, options: &'a RunOptions) -> Runner<'a> {
        Runner {
            catalog,
            options,
            scope: Scope {
                stored: Arc::clone(&options.functions),
                ..Scope::default()
            },
            depth: 0,
        }
    }

    pub fn now(&self) -> i64 {
        self.options.now
    }

    pub fn check_cancel(&self) -> Result<(), QueryError> {
        self.cancel().check()
    }

    /// The query's cancel flag, for loops below the operators.
    pub fn cancel(&self) -> super::limits::Cancel<'_> {
        super::limits::Cancel::new(self.options.cancel.as_deref())
    }

    /// Refuses a result that would not fit in the query's memory budget.
    pub fn admit(&self, growth: &super::limits::Growth) -> Result<(), QueryError> {
        self.options.budget.admit(growth)
    }

    /// A runner for a nested scope (function bodies).
    pub(crate) fn nested(&self, mut scope: Scope) -> Result<Runner<'a>, QueryError> {
        if self.depth >= MAX_DEPTH {
            return Err(QueryError::runtime(
                "functions nest too deeply (recursion is not allowed)",
                None,
            ));
        }
        // A stored function's body is closed over nothing: it sees the
        // stored functions of the query it runs in.
        scope.stored = Arc::clone(&self.options.functions);
        Ok(Runner {
            catalog: self.catalog,
            options: self.options,
            scope,
            depth: self.depth + 1,
        })
    }

    pub fn bind_lets(&mut self, lets: &[ast::Let]) -> Result<(), QueryError> {
        for l in lets {
            if let LetValue::Tabular(p) = &l.value
                && super::graph::makes_graph(p, |n| self.scope.graph(n).is_some())
            {
                self.scope.bindings.remove(&l.name.name);
                self.scope
                    .graphs
                    .insert(l.name.name.clone(), Arc::new(p.clone()));
                continue;
            }
            self.scope.graphs.remove(&l.name.name);
            let binding = match &l.value {
                LetValue::Function(f) => Binding::Function(Arc::new(f.clone()), self.scope.clone()),
                LetValue::Tabular(p) => Binding::Table(Arc::new(self.pipeline(p, None)?)),
                LetValue::Expr(e) => match self.tabular_expr(e)? {
                    Some(frame) => Binding::Table(Arc::new(frame)),
                    None => {
                        let empty = DataFrame::empty();
                        match self.eval(e, &empty)? {
                            Val::Scalar(s) => Binding::Scalar(s),
                            Val::Column(c) => Binding::Scalar(Scalar::from_series(&c, 0)),
                        }
                    }
                },
            };
            self.scope.insert(l.name.name.clone(), binding);
        }
        Ok(())
    }

    /// A statement before the last, which names its result for the
    /// statements after it: `... | as X`, or graph-to-table's tables.
    fn bind_statement(&mut self, p: &Pipeline) -> Result<(), QueryError> {
        if let Some(ast::Operator {
            kind: ast::OperatorKind::As(name),
            ..
        }) = p.ops.last()
        {
            let frame = self.pipeline(p, None)?;
            self.scope
                .insert(name.name.clone(), Binding::Table(Arc::new(frame)));
            return Ok(());
        }
        for (name, frame) in self.graph_tables(p)? {
            self.scope.insert(name, Binding::Table(Arc::new(frame)));
        }
        Ok(())
    }

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
                Ok(self.catalog.get(n).map(|t| t.frame.clone()))
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
        let Some(table) = candidates.iter().find_map(|n| self.catalog.get(n)) else {
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
            let item = super::functions::scalars_to_series(
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
        if let Some(t) = self.catalog.get(name) {
            return Ok(t.frame.clone());
        }
        if bare {
            return self.call_tabular_function(name, &[], None, span);
        }
        Err(self.unknown_table(name, span))
    }

    pub fn unknown_table(&self, name: &str, span: Span) -> QueryError {
        let lets: Vec<&str> = self
            .scope
            .names()
            .filter(|n| matches!(self.scope.get(n), Some(Binding::Table(_))))
            .collect();
        let hint = did_you_mean(name, self.catalog.names().chain(lets));
        QueryError::unknown(format!("unknown table '{name}'{hint}"), span)
    }

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
    fn enter_function(
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

    /// Runs a pipeline; `input` is the piped table for pipelines that are
    /// operator arguments with an implicit input (none here) or `None`.
    pub fn pipeline(
        &self,
        p: &Pipeline,
        input: Option<DataFrame>,
    ) -> Result<DataFrame, QueryError> {
        if input.is_none()
            && let Source::Table(id) = &p.source
            && let Some(graph) = self.scope.graph(&id.name)
        {
            // The graph's pipeline, then the operators that read it.
            let mut ops = graph.ops.clone();
            ops.extend(p.ops.iter().cloned());
            let whole = Pipeline {
                source: graph.source.clone(),
                ops,
                span: p.span,
            };
            return self.pipeline(&whole, None);
        }
        let frame = match (input, &p.source) {
            (Some(f), _) => f,
            // `search "x" | summarize count() by $table` (the workbench's
            // all-table search) needs no column of the hits but `$table`.
            (None, Source::Operator(op)) if counts_per_table(&p.ops) => match &op.kind {
                ast::OperatorKind::Search {
                    case_sensitive,
                    tables,
                    predicate,
                } => self.op_search(*case_sensitive, tables, predicate, op.span, true)?,
                _ => self.source(&p.source)?,
            },
            (None, source) => self.source(source)?,
        };
        // The table a piped `search` names in `$table`.
        let origin = match &p.source {
            Source::Table(id) => Some(id.name.as_str()),
            _ => None,
        };
        self.operators(&p.ops, frame, origin)
    }

    /// Runs `ops` over `frame`. `as Name` binds the frame so far to `Name`
    /// for the rest of the query: the remaining operators (and the
    /// subqueries inside them, `join (Name | ...)`) run in a scope that
    /// holds it, and `Name` is what `union withsource=` calls these rows.
    pub(crate) fn operators<'p>(
        &self,
        ops: &'p [ast::Operator],
        mut frame: DataFrame,
        origin: Option<&'p str>,
    ) -> Result<DataFrame, QueryError> {
        let mut counted = false;
        for (i, op) in ops.iter().enumerate() {
            self.check_cancel()?;
            if counted {
                // The `count` after a join, already answered.
                counted = false;
                continue;
            }
            // A graph flows only between graph operators; the run of them
            // ends in a table, which the rest of the pipeline reads.
            if let ast::OperatorKind::Graph(_) = &op.kind {
                let (frame, used) = self.graph_operators(&ops[i..], frame)?;
                return self.operators(&ops[i + used..], frame, None);
            }
            if let ast::OperatorKind::As(name) = &op.kind {
                let mut scope = self.scope.clone();
                scope.insert(name.name.clone(), Binding::Table(Arc::new(frame.clone())));
                let rest = Runner {
                    catalog: self.catalog,
                    options: self.options,
                    scope,
                    depth: self.depth,
                };
                return rest.operators(&ops[i + 1..], frame, Some(name.name.as_str()));
            }
            // `sort by k | take n` is `top n by k`: only n rows are gathered
            // (the `take` that follows then keeps them all).
            if let ast::OperatorKind::Sort(keys) = &op.kind
                && let Some(ast::Operator {
                    kind: ast::OperatorKind::Take(n),
                    ..
                }) = ops.get(i + 1)
            {
                frame = self.op_top(n, keys, frame)?;
                continue;
            }
            // `join ... | count` is answered from the key counts, without
            // building the joined rows (which may not fit in memory).
            if let Some(ast::Operator {
                kind: ast::OperatorKind::Count,
                ..
            }) = ops.get(i + 1)
            {
                match &op.kind {
                    ast::OperatorKind::Join {
                        kind, right, on, ..
                    } => {
                        frame = self.op_join(*kind, right, on, frame, true, op.span)?;
                        counted = true;
                        continue;
                    }
                    ast::OperatorKind::Lookup { kind, right, on } => {
                        frame = self.op_lookup(*kind, right, on, frame, true, op.span)?;
                        counted = true;
                        continue;
                    }
                    _ => {}
                }
            }
            frame = self.operator_freeing_aside(op, frame, origin)?;
        }
        Ok(frame)
    }

    /// Runs one operator. Should it be cancelled, what it read is freed on
    /// another thread: the input of the last stages can be gigabytes (the
    /// ten million rows an mv-expand made), and unmapping them took up to
    /// 190 ms after the cancel was noticed, time the analyst waits for.
    fn operator_freeing_aside(
        &self,
        op: &ast::Operator,
        frame: DataFrame,
        origin: Option<&str>,
    ) -> Result<DataFrame, QueryError> {
        // mv-expand frees its input as soon as it has gathered the rows it
        // repeats (its peak memory would otherwise hold both), and sets its
        // own output aside on a cancel.
        if matches!(op.kind, ast::OperatorKind::MvExpand { .. }) {
            return self.operator(op, frame, origin);
        }
        // Shares every column: on a cancel, the columns' last reference.
        let input = frame.clone();
        let out = self.operator(op, frame, origin);
        if out.as_ref().is_err_and(|e| e.kind == ErrorKind::Cancelled) {
            drop(Aside::new(input));
        }
        out
    }

    fn source(&self, source: &Source) -> Result<DataFrame, QueryError> {
        match source {
            Source::Table(id) => self.table(&id.name, id.span),
            Source::Paren(p) => self.pipeline(p, None),
            Source::Operator(op) => self.source_operator(op),
            Source::Call { name, .. } if super::graph::is_graph_model(&name.name, &self.scope) => {
                Err(super::graph::graph_model_error(name.span))
            }
            Source::Call { name, args, span } => {
                let call = ast::Expr {
                    kind: ast::ExprKind::Call {
                        name: name.clone(),
                        args: args.clone(),
                    },
                    span: *span,
                };
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

/// Whether `ops` begin by counting rows, per `$table` at most (`count`, or
/// `summarize [N =] count() [by $table]`), so no other column is read.
fn counts_per_table(ops: &[ast::Operator]) -> bool {
    use ast::{ExprKind, OperatorKind};
    match ops.first().map(|op| &op.kind) {
        Some(OperatorKind::Count) => true,
        Some(OperatorKind::Summarize {
            options,
            aggregates,
            by,
        }) => {
            options.is_empty()
                && !aggregates.is_empty()
                && aggregates.iter().all(|a| {
                    matches!(&a.expr.kind, ExprKind::Call { name, args }
                        if name.name == "count" && args.is_empty())
                })
                && by
                    .iter()
                    .all(|b| matches!(&b.expr.kind, ExprKind::Name(n) if n == "$table"))
        }
        _ => false,
    }
}
