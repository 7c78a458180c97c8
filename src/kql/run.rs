//! Running a query: `run(catalog, query, options) -> frame`, the one code
//! path that the workbench, the command line, the rules and the tests share.
//!
//! This file holds the entry points, the options and the [`Runner`]; its
//! parts: `scope` (what `let` names stand for), `tables` (where rows come
//! from), `calls` (`let` and stored function calls), `pipeline` (a source,
//! then the operators in turn). The operators themselves are in
//! `kql::operators`.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use polars::prelude::*;

use super::ast::{Query, Span};
use super::error::QueryError;
use super::parser::parse;
use super::value::Scalar;
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
    /// Where the query's warnings gather (what a fuzzy `union` left out).
    pub warnings: super::warnings::Warnings,
}

/// Parses and runs a query.
pub fn run(catalog: &Catalog, text: &str, options: &RunOptions) -> Result<DataFrame, QueryError> {
    let query = parse(text)?;
    run_query(catalog, &query, options)
}

/// Runs a parsed query, answering with its first table (the first of a
/// batch's statements, the first of `fork`'s legs): [`run_results`]
/// answers with all of them.
pub fn run_query(
    catalog: &Catalog,
    query: &Query,
    options: &RunOptions,
) -> Result<DataFrame, QueryError> {
    let mut runner = Runner::new(catalog, options);
    runner.bind_query_lets(query)?;
    for statement in &query.named {
        runner.bind_statement(statement)?;
    }
    let frame = runner.pipeline(&query.body, None)?;
    runner.take_max_records(query, frame)
}

mod calls;
mod pipeline;
mod restrict;
mod results;
mod scope;
mod tables;

pub use results::{NamedResult, result_labels, run_results, several_results};
pub use scope::{Binding, Scope};

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
            scope: Scope::with_stored(Arc::clone(&options.functions)),
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
        scope.see_stored(Arc::clone(&self.options.functions));
        Ok(Runner {
            catalog: self.catalog,
            options: self.options,
            scope,
            depth: self.depth + 1,
        })
    }
}
