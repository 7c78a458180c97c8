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
    /// `restrict access to (...)`, once the query has passed it: what it
    /// hides is out of this scope (a function defined before it closed
    /// over a scope without it, and reads what it likes).
    restriction: Option<Arc<ast::Restrict>>,
    /// The `let` names the restriction hid.
    hidden: std::collections::HashSet<String>,
}

impl Scope {
    /// The pipeline a graph `let` binds.
    pub fn graph(&self, name: &str) -> Option<&Arc<Pipeline>> {
        self.graphs.get(name)
    }
    pub fn get(&self, name: &str) -> Option<&Binding> {
        self.bindings.get(name).or_else(|| {
            self.stored
                .binding(name)
                .filter(|b| self.stored_visible(name, b))
        })
    }
    /// The stored function `name` stands for, unless a `let` shadows it.
    pub fn stored(&self, name: &str) -> Option<&StoredFunction> {
        match self.bindings.get(name) {
            Some(_) => None,
            None => self.stored.get(name).filter(|_| {
                self.stored
                    .binding(name)
                    .is_some_and(|b| self.stored_visible(name, b))
            }),
        }
    }
    /// The `restrict` statement in force here, if any.
    pub fn restriction(&self) -> Option<&ast::Restrict> {
        self.restriction.as_deref()
    }
    /// Whether `name` is a `let`, graph or stored function the
    /// restriction hides.
    pub fn is_hidden(&self, name: &str) -> bool {
        self.hidden.contains(name)
            || (!self.bindings.contains_key(name)
                && self
                    .stored
                    .binding(name)
                    .is_some_and(|b| !self.stored_visible(name, b)))
    }
    /// A stored function the restriction leaves visible: a tabular one is
    /// an entity it lists or not; a scalar one is no table or view.
    fn stored_visible(&self, name: &str, b: &Binding) -> bool {
        match (&self.restriction, b) {
            (Some(r), Binding::Function(f, _)) if is_tabular(f) => r.allows_table(name),
            _ => true,
        }
    }
    /// Puts `restrict access to (...)` in force: the tabular `let`s and
    /// graphs bound so far that it does not list leave the scope.
    pub(super) fn restrict(&mut self, restrict: ast::Restrict) {
        let hidden: Vec<String> = self
            .bindings
            .iter()
            .filter(|(name, b)| {
                let tabular = match b {
                    Binding::Table(_) => true,
                    Binding::Function(f, _) => is_tabular(f),
                    Binding::Scalar(_) => false,
                };
                tabular && !restrict.allows_let(name)
            })
            .map(|(name, _)| name.clone())
            .chain(
                self.graphs
                    .keys()
                    .filter(|name| !restrict.allows_let(name))
                    .cloned(),
            )
            .collect();
        for name in hidden {
            self.bindings.remove(&name);
            self.graphs.remove(&name);
            self.hidden.insert(name);
        }
        self.restriction = Some(Arc::new(restrict));
    }
    pub fn insert(&mut self, name: String, b: Binding) {
        self.graphs.remove(&name);
        self.hidden.remove(&name);
        self.bindings.insert(name, b);
    }
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.bindings
            .keys()
            .map(String::as_str)
            .chain(self.stored.names().filter(|n| {
                self.stored
                    .binding(n)
                    .is_some_and(|b| self.stored_visible(n, b))
            }))
    }
}

/// Whether a function returns a table (a view is one): its body is a
/// pipeline, or a lone name or call that is no parameter and no built-in
/// scalar function (`view () { Table1 }`, `() { f(1) }`), which the runner
/// reads as a table too.
fn is_tabular(f: &Function) -> bool {
    match &f.body {
        ast::FunctionBody::Tabular(_) => true,
        ast::FunctionBody::Scalar(e) => match &e.kind {
            ast::ExprKind::Name(n) => !f.params.iter().any(|p| &p.name.name == n),
            ast::ExprKind::Call { name, .. } => crate::kql::functions::lookup(&name.name).is_none(),
            _ => false,
        },
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
                self.scope.hidden.remove(&l.name.name);
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
