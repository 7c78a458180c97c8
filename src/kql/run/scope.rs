//! What names stand for while a query runs: the `let` bindings (values,
//! tables, functions with the scope they close over), graph `let`s kept
//! as the pipeline that makes them, and the stored functions seen where no
//! `let` binds a name; binding a query's `let`s and named statements.

use std::collections::HashMap;
use std::sync::Arc;

use polars::prelude::*;

use super::Runner;
use crate::kql::ast::{self, Function, LetValue, Pipeline};
use crate::kql::error::QueryError;
use crate::kql::stored::{StoredFunction, StoredFunctions};
use crate::kql::value::{Scalar, Val};

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
    stored: Arc<StoredFunctions>,
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
    pub fn stored(&self, name: &str) -> Option<&StoredFunction> {
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

impl Scope {
    /// An empty scope that sees `stored` functions.
    pub(super) fn with_stored(stored: Arc<StoredFunctions>) -> Scope {
        Scope {
            stored,
            ..Scope::default()
        }
    }

    /// Makes `stored` the functions seen where no `let` binds a name.
    pub(super) fn see_stored(&mut self, stored: Arc<StoredFunctions>) {
        self.stored = stored;
    }
}

impl Runner<'_> {
    pub fn bind_lets(&mut self, lets: &[ast::Let]) -> Result<(), QueryError> {
        for l in lets {
            if let LetValue::Tabular(p) = &l.value
                && crate::kql::graph::makes_graph(p, |n| self.scope.graph(n).is_some())
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
    pub(super) fn bind_statement(&mut self, p: &Pipeline) -> Result<(), QueryError> {
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
}
