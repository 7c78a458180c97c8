//! `quarry check`: does Quarry understand a query? Parses it and checks that
//! every operator and function it uses is supported, without any data.

use std::collections::{HashMap, HashSet};

use super::ast::*;
use super::error::QueryError;
use super::functions;
use super::operators;
use super::parser::parse;
use super::stored::StoredFunctions;

/// Names callable as functions that are not in the function tables: the
/// evaluator handles them itself.
const SPECIAL: &[&str] = &[
    "toscalar",
    "column_names_of",
    "column_ifexists",
    "columnifexists",
    "pack_all",
    "materialize",
    "table",
    "view",
    "ingestion_time",
    "geo_info_from_ip_address",
    "typeof",
];

/// Tabular functions the runner resolves itself (`_GetWatchlist('alias')`
/// reads a loaded table); only valid where a table is expected.
const TABULAR_SPECIAL: &[&str] = &["_GetWatchlist"];

/// Checks a query; `plugins` are the names `invoke` accepts besides `let`
/// functions (FileProfile).
pub fn check(text: &str, plugins: &[&str]) -> Result<(), QueryError> {
    check_with(text, plugins, &StoredFunctions::default())
}

/// Checks a query that may call `stored` functions: a call is accepted
/// when the function's body passes the check too.
pub fn check_with(
    text: &str,
    plugins: &[&str],
    stored: &StoredFunctions,
) -> Result<(), QueryError> {
    let query = parse(text)?;
    let mut checker = Checker {
        functions: HashSet::new(),
        plugins,
        in_graph: false,
        stored,
        verdicts: HashMap::new(),
    };
    checker.lets(&query.lets)?;
    for statement in query.statements() {
        checker.pipeline(statement)?;
    }
    Ok(())
}

struct Checker<'a> {
    /// `let` functions in scope (scoping is flattened: a name defined
    /// anywhere counts everywhere, which can only make check more lenient
    /// than the evaluator for shadowed names).
    functions: HashSet<String>,
    plugins: &'a [&'a str],
    /// Inside a graph operator, where all(), map(), node_degree_in() ...
    /// are graph functions.
    in_graph: bool,
    /// The stored functions, seen where no `let` binds the name.
    stored: &'a StoredFunctions,
    /// Each stored function's body checked once: its first problem.
    verdicts: HashMap<String, Option<QueryError>>,
}

impl Checker<'_> {
    fn lets(&mut self, lets: &[Let]) -> Result<(), QueryError> {
        for l in lets {
            match &l.value {
                LetValue::Expr(e) => self.expr(e)?,
                LetValue::Tabular(p) => self.pipeline(p)?,
                LetValue::Function(f) => {
                    self.functions.insert(l.name.name.clone());
                    self.function(f)?;
                }
            }
        }
        Ok(())
    }

    /// A function's `let`s, parameter defaults and body.
    fn function(&mut self, f: &Function) -> Result<(), QueryError> {
        self.lets(&f.lets)?;
        for p in &f.params {
            if let Some(d) = &p.default {
                self.expr(d)?;
            }
        }
        match &f.body {
            FunctionBody::Tabular(p) => self.pipeline(p),
            FunctionBody::Scalar(e) => self.expr(e),
        }
    }

    /// `name` calls a stored function: no `let` function of the query
    /// has that name.
    fn is_stored(&self, name: &str) -> bool {
        !self.functions.contains(name) && self.stored.get(name).is_some()
    }

    /// A call of a stored function, accepted when its body passes the
    /// check. Each body is checked once; a body that calls itself is left
    /// to the runner, which refuses recursion.
    fn stored_call(&mut self, name: &Ident) -> Result<(), QueryError> {
        let stored = self.stored;
        let Some(f) = stored.get(&name.name) else {
            return Ok(());
        };
        if !self.verdicts.contains_key(&name.name) {
            self.verdicts.insert(name.name.clone(), None);
            // The body sees the stored functions, not the caller's lets.
            let lets = std::mem::take(&mut self.functions);
            let in_graph = std::mem::replace(&mut self.in_graph, false);
            let verdict = self.function(&f.function).err();
            self.functions = lets;
            self.in_graph = in_graph;
            self.verdicts.insert(name.name.clone(), verdict);
        }
        match self.verdicts.get(&name.name) {
            Some(Some(e)) => Err(f.error_at_call(e.clone(), name.span)),
            _ => Ok(()),
        }
    }

    fn pipeline(&mut self, p: &Pipeline) -> Result<(), QueryError> {
        match &p.source {
            Source::Table(_) => {}
            Source::Call { name, .. }
                if name.name == "graph" && !self.functions.contains("graph") =>
            {
                return Err(crate::kql::graph::graph_model_error(name.span));
            }
            Source::Call { name, args, .. } => {
                if !TABULAR_SPECIAL.contains(&name.name.as_str()) {
                    self.call(name, false)?;
                }
                for a in args {
                    self.expr(a)?;
                }
            }
            Source::Operator(op) => self.operator(op)?,
            Source::Paren(inner) => self.pipeline(inner)?,
        }
        for op in &p.ops {
            self.operator(op)?;
        }
        Ok(())
    }

    fn assignments(&mut self, items: &[Assignment], aggregate: bool) -> Result<(), QueryError> {
        for a in items {
            if aggregate {
                self.aggregate(&a.expr)?;
            } else {
                self.expr(&a.expr)?;
            }
        }
        Ok(())
    }

    fn operator(&mut self, op: &Operator) -> Result<(), QueryError> {
        use OperatorKind as K;
        match &op.kind {
            K::Where(e) | K::Take(e) | K::Sample(e) => self.expr(e),
            K::Search { predicate, .. } => self.expr(predicate),
            K::Project(a) | K::Extend(a) | K::Serialize(a) | K::Print(a) => {
                self.assignments(a, false)
            }
            K::ProjectAway(_) | K::ProjectKeep(_) | K::ProjectRename(_) | K::ProjectReorder(_) => {
                Ok(())
            }
            K::Summarize { aggregates, by, .. } => {
                self.assignments(aggregates, true)?;
                self.assignments(by, false)
            }
            K::Sort(keys) => keys.iter().try_for_each(|k| self.expr(&k.expr)),
            K::Top { count, keys } => {
                self.expr(count)?;
                keys.iter().try_for_each(|k| self.expr(&k.expr))
            }
            K::TopNested(levels) => levels.iter().try_for_each(|l| {
                l.count.iter().try_for_each(|c| self.expr(c))?;
                self.assignments(std::slice::from_ref(&l.of), false)?;
                l.others.iter().try_for_each(|o| self.expr(o))?;
                self.assignments(std::slice::from_ref(&l.by), true)
            }),
            K::Distinct(cols) | K::ProjectByNames(cols) => {
                cols.iter().try_for_each(|c| self.expr(c))
            }
            K::Count | K::As(_) | K::Render(_) | K::GetSchema => Ok(()),
            K::Join { right, .. } | K::Lookup { right, .. } => self.pipeline(right),
            K::Union { tables, .. } => tables.iter().try_for_each(|t| self.pipeline(t)),
            K::MvExpand { columns, limit, .. } => {
                self.assignments(columns, false)?;
                limit.iter().try_for_each(|l| self.expr(l))
            }
            K::Invoke { name, args } => {
                if self.is_stored(&name.name) {
                    self.stored_call(name)?;
                } else if !self.functions.contains(&name.name)
                    && !self
                        .plugins
                        .iter()
                        .any(|p| p.eq_ignore_ascii_case(&name.name))
                {
                    let names = self
                        .plugins
                        .iter()
                        .copied()
                        .chain(self.functions.iter().map(String::as_str))
                        .chain(self.stored.names());
                    if let Some(e) = self.stored.unreadable_error(&name.name, name.span) {
                        return Err(e);
                    }
                    return Err(QueryError::unknown(
                        format!(
                            "unknown function '{}'{}",
                            name.name,
                            super::error::unknown_function_hint(
                                &name.name,
                                names.collect::<Vec<_>>()
                            )
                        ),
                        name.span,
                    ));
                }
                args.iter().try_for_each(|a| self.expr(a))
            }
            K::Datatable { values, .. } => values.iter().try_for_each(|v| self.expr(v)),
            K::Range { from, to, step, .. } => {
                self.expr(from)?;
                self.expr(to)?;
                self.expr(step)
            }
            K::Parse { source, .. } => self.expr(source),
            K::MvApply {
                columns,
                to_types,
                limit,
                subquery,
                ..
            } => {
                for (c, t) in columns.iter().zip(to_types) {
                    if let Some(t) = t {
                        known_type(t, c.span)?;
                    }
                }
                self.assignments(columns, false)?;
                limit.iter().try_for_each(|l| self.expr(l))?;
                subquery.iter().try_for_each(|o| self.operator(o))
            }
            K::Evaluate {
                plugin,
                args,
                schema,
            } => {
                if let Some(s) = schema {
                    s.columns
                        .iter()
                        .try_for_each(|(n, t)| known_type(t, n.span))?;
                }
                if !operators::EVALUATE_PLUGINS.contains(&plugin.name.as_str()) {
                    return Err(operators::plugin_unsupported(plugin));
                }
                // pivot's second argument is an aggregation.
                let aggregates = plugin.name == "pivot";
                args.iter().try_for_each(|a| self.expr_with(a, aggregates))
            }
            K::ExternalData {
                columns,
                uris,
                properties,
            } => {
                columns
                    .iter()
                    .try_for_each(|(n, t)| known_type(t, n.span))?;
                uris.iter().try_for_each(|u| self.expr(u))?;
                operators::check_externaldata(columns, properties)
            }
            K::InlineExternalTable(t) => {
                t.columns
                    .iter()
                    .try_for_each(|(n, ty)| known_type(ty, n.span))?;
                for p in &t.partitions {
                    known_type(&p.kind, p.name.span)?;
                }
                t.uris.iter().try_for_each(|u| self.expr(u))?;
                operators::check_inline_external_table(t)
            }
            K::MakeSeries {
                aggregates,
                axis,
                from,
                to,
                step,
                by,
                ..
            } => {
                for a in aggregates {
                    self.aggregate(&a.assignment.expr)?;
                    a.default.iter().try_for_each(|d| self.expr(d))?;
                }
                self.expr(axis)?;
                from.iter().chain(to).try_for_each(|e| self.expr(e))?;
                self.expr(step)?;
                self.assignments(by, false)
            }
            K::ParseKv(kv) => self.expr(&kv.source),
            K::ParseWhere { source, .. } => self.expr(source),
            K::Scan(scan) => {
                for (_, _, default) in &scan.declare {
                    default.iter().try_for_each(|d| self.expr(d))?;
                }
                for step in &scan.steps {
                    self.expr(&step.condition)?;
                    self.assignments(&step.assignments, false)?;
                }
                Ok(())
            }
            K::Partition { body, .. } => match body {
                PartitionBody::Ops(ops) => ops.iter().try_for_each(|o| self.operator(o)),
                PartitionBody::Query(p) => self.pipeline(p),
            },
            K::Reduce {
                by,
                threshold,
                characters,
                ..
            } => {
                self.expr(by)?;
                threshold
                    .iter()
                    .chain(characters)
                    .try_for_each(|e| self.expr(e))
            }
            K::Graph(g) => self.graph(g),
            K::Fork(legs) => legs
                .iter()
                .flat_map(|l| &l.ops)
                .try_for_each(|o| self.operator(o)),
            K::Facet { with, .. } => with.iter().flatten().try_for_each(|o| self.operator(o)),
            K::SampleDistinct { count, .. } => self.expr(count),
            K::TopHitters { count, of, by } => {
                self.expr(count)?;
                self.expr(of)?;
                by.iter().try_for_each(|b| self.expr(b))
            }
            K::Consume => Ok(()),
            K::Find(f) => {
                f.tables.iter().try_for_each(|t| self.pipeline(t))?;
                if let FindProject::Columns { columns, .. } = &f.project {
                    for (name, kind) in columns {
                        if let Some(k) = kind {
                            known_type(k, name.span)?;
                        }
                    }
                }
                self.expr(&f.predicate)
            }
            K::MacroExpand(m) => m.legs.iter().try_for_each(|leg| {
                self.lets(&leg.lets)?;
                self.pipeline(&leg.body)
            }),
        }
    }

    /// A graph operator: its node tables, its conditions and columns,
    /// where the graph functions are known.
    fn graph(&mut self, g: &crate::kql::graph::ast::GraphOp) -> Result<(), QueryError> {
        use crate::kql::graph::ast::GraphOp;
        match g {
            GraphOp::MakeGraph(m) => {
                for (table, _) in &m.nodes {
                    self.pipeline(table)?;
                }
                if let Some((_, ops)) = &m.partition {
                    ops.iter().try_for_each(|o| self.operator(o))?;
                }
                Ok(())
            }
            GraphOp::Match(m) => {
                self.in_graph = true;
                let result = m
                    .condition
                    .iter()
                    .chain(m.project.iter().map(|a| &a.expr))
                    .try_for_each(|e| self.expr(e));
                self.in_graph = false;
                result
            }
            GraphOp::ToTable(_) | GraphOp::MarkComponents { .. } => Ok(()),
        }
    }

    /// A `summarize` item: an aggregation, possibly inside a scalar
    /// expression (`round(avg(x), 2)`).
    fn aggregate(&mut self, e: &Expr) -> Result<(), QueryError> {
        self.expr_with(e, true)
    }

    fn expr(&mut self, e: &Expr) -> Result<(), QueryError> {
        self.expr_with(e, false)
    }

    fn expr_with(&mut self, e: &Expr, aggregates: bool) -> Result<(), QueryError> {
        match &e.kind {
            ExprKind::Call { name, args } => {
                self.call(name, aggregates)?;
                args.iter().try_for_each(|a| self.expr_with(a, aggregates))
            }
            ExprKind::Literal(_)
            | ExprKind::Name(_)
            | ExprKind::Star
            | ExprKind::SearchTerm { .. } => Ok(()),
            ExprKind::Negate(x) => self.expr_with(x, aggregates),
            ExprKind::Binary { left, right, .. } | ExprKind::StringOp { left, right, .. } => {
                self.expr_with(left, aggregates)?;
                self.expr_with(right, aggregates)
            }
            ExprKind::List { left, items, .. } => {
                self.expr_with(left, aggregates)?;
                items.iter().try_for_each(|i| self.expr_with(i, aggregates))
            }
            ExprKind::Between {
                value, low, high, ..
            } => {
                self.expr_with(value, aggregates)?;
                self.expr_with(low, aggregates)?;
                self.expr_with(high, aggregates)
            }
            ExprKind::Member { target, .. } => self.expr_with(target, aggregates),
            ExprKind::Index { target, index } => {
                self.expr_with(target, aggregates)?;
                self.expr_with(index, aggregates)
            }
            ExprKind::Tabular(p) => self.pipeline(p),
            ExprKind::Tuple(items) => items.iter().try_for_each(|i| self.expr_with(i, aggregates)),
            ExprKind::NamedArg { value, .. } => self.expr_with(value, aggregates),
        }
    }

    fn call(&mut self, name: &Ident, aggregates: bool) -> Result<(), QueryError> {
        let n = name.name.as_str();
        if self.is_stored(n) {
            return self.stored_call(name);
        }
        if functions::lookup(n).is_some()
            || SPECIAL.contains(&n)
            || (self.in_graph && crate::kql::graph::FUNCTIONS.contains(&n))
            || self.functions.contains(n)
            || (aggregates && functions::aggregates::lookup(n).is_some())
        {
            return Ok(());
        }
        if functions::aggregates::lookup(n).is_some() {
            return Err(QueryError::type_error(
                format!("{n}() is an aggregation function: use it in summarize"),
                name.span,
            ));
        }
        if let Some(e) = self.stored.unreadable_error(n, name.span) {
            return Err(e);
        }
        let mut names = functions::all_names();
        names.extend(SPECIAL);
        names.extend(self.stored.names());
        Err(QueryError::new(
            super::error::ErrorKind::Unknown,
            format!(
                "unknown function '{n}'{}",
                super::error::unknown_function_hint(n, names)
            ),
            Some(name.span),
        ))
    }
}

/// A type name the engine knows (`string`, `long`, `guid`, ...).
fn known_type(name: &str, span: Span) -> Result<(), QueryError> {
    match crate::data::types::KqlType::parse(name) {
        Some(_) => Ok(()),
        None => Err(QueryError::syntax(format!("unknown type '{name}'"), span)),
    }
}
