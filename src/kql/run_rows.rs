//! Running a workbench step: `run` for a view, whose rows need not be
//! gathered.
//!
//! A drill into 22 million hits, or a sort of 50 million rows, chooses its
//! rows in a second; gathering every column of them in their new order
//! took several more. So a pipeline that only chooses rows (`where`,
//! `search`, `sort`, `top`, `take` over a table or over the previous
//! step's rows) answers with the rows it picked ([`Rows`]), and a stage
//! that reads only some columns (`summarize ... by RemoteIP, RemotePort`)
//! gathers only those. Everything else runs as [`super::run`] runs it, on
//! the rows gathered, so the answers are the same by construction.

use std::cell::RefCell;

use polars::prelude::*;

use super::ast::{Expr, ExprKind, Operator, OperatorKind, Pipeline, Query, SortKey, Source};
use super::error::QueryError;
use super::parser::parse;
use super::rows::Rows;
use super::run::{RunOptions, Runner, run_query};
use crate::data::catalog::{Catalog, Table};

/// Functions that read columns their arguments do not name.
const READS_EVERY_COLUMN: &[&str] = &[
    "pack_all",
    "column_ifexists",
    "columnifexists",
    "ingestion_time",
];

/// Parses and runs `text` as [`super::run`] does, with `input` (a name
/// and rows: the previous step's) standing for the table of that name,
/// and answers with rows that may not be gathered yet.
pub fn run_rows(
    catalog: &Catalog,
    text: &str,
    options: &RunOptions,
    input: Option<(&str, &Rows)>,
) -> Result<Rows, QueryError> {
    let query = parse(text)?;
    let runner = Runner::new(catalog, options);
    if query.lets.is_empty()
        && query.named.is_empty()
        && query.restrict.is_none()
        && query.take_max_records.is_none()
        && let Some(start) = start(&runner, &query.body, input)?
    {
        return selected(&runner, start.rows, start.origin, &query.body.ops);
    }
    run_gathered(catalog, &query, options, input)
}

/// Parses and runs `text` as [`super::run_results`] does, with `input`
/// standing for the table of that name as in [`run_rows`]: every table
/// of a query that makes several (`fork`, `facet`), each with its name.
pub fn run_rows_results(
    catalog: &Catalog,
    text: &str,
    options: &RunOptions,
    input: Option<(&str, &Rows)>,
) -> Result<Vec<(Option<String>, Rows)>, QueryError> {
    let results = match input {
        Some(input) => super::run_results(&with_input(catalog, input, options)?, text, options)?,
        None => super::run_results(catalog, text, options)?,
    };
    Ok(results
        .into_iter()
        .map(|r| (r.name, Rows::whole(r.frame)))
        .collect())
}

/// Runs `query` as `run` does, with `input` gathered and registered as a
/// table.
fn run_gathered(
    catalog: &Catalog,
    query: &Query,
    options: &RunOptions,
    input: Option<(&str, &Rows)>,
) -> Result<Rows, QueryError> {
    let frame = match input {
        Some(input) => run_query(&with_input(catalog, input, options)?, query, options)?,
        None => run_query(catalog, query, options)?,
    };
    Ok(Rows::whole(frame))
}

/// The catalog with `input`'s rows gathered and registered as a table.
fn with_input(
    catalog: &Catalog,
    (name, rows): (&str, &Rows),
    options: &RunOptions,
) -> Result<Catalog, QueryError> {
    let cancel = super::limits::Cancel::new(options.cancel.as_deref());
    let mut local = catalog.clone();
    local.insert(Table {
        name: name.to_string(),
        frame: rows.gather(cancel)?,
        files: Vec::new(),
        warnings: Vec::new(),
    });
    Ok(local)
}

/// Where a pipeline's rows come from, when they can be picked from.
struct Start<'q> {
    rows: Rows,
    /// The table a piped `search` names in `$table`.
    origin: Option<&'q str>,
}

/// The rows a pipeline starts from, when they can be picked from: a
/// table (or `input`), or `search in (Table) ...` over one table.
fn start<'q>(
    runner: &Runner,
    pipeline: &'q Pipeline,
    input: Option<(&str, &Rows)>,
) -> Result<Option<Start<'q>>, QueryError> {
    let table_rows = |name: &str| -> Option<Rows> {
        if let Some((input_name, rows)) = input
            && input_name == name
        {
            return Some(rows.clone());
        }
        if runner.scope.get(name).is_some() {
            return None;
        }
        runner
            .catalog
            .get(name)
            .map(|t| Rows::whole(t.frame.clone()))
    };
    match &pipeline.source {
        Source::Table(id) => Ok(table_rows(&id.name).map(|rows| Start {
            rows,
            origin: Some(id.name.as_str()),
        })),
        // `(T)`: the workbench's name for a step whose pipeline has no
        // source table.
        Source::Paren(inner) => match (&inner.source, inner.ops.is_empty()) {
            (Source::Table(id), true) => {
                Ok(table_rows(&id.name).map(|rows| Start { rows, origin: None }))
            }
            _ => Ok(None),
        },
        Source::Operator(op) => match &op.kind {
            OperatorKind::Search {
                case_sensitive,
                tables,
                predicate,
            } if tables.len() == 1 && !tables[0].name.contains('*') => {
                let name = tables[0].name.as_str();
                let Some(rows) = table_rows(name) else {
                    return Ok(None);
                };
                let rows = searched(runner, rows, *case_sensitive, predicate, name)?;
                Ok(Some(Start { rows, origin: None }))
            }
            _ => Ok(None),
        },
        _ => Ok(None),
    }
}

/// Runs `ops` over `rows`: the operators that choose rows pick them, and
/// the rest runs on only the columns it reads.
fn selected(
    runner: &Runner,
    mut rows: Rows,
    origin: Option<&str>,
    ops: &[Operator],
) -> Result<Rows, QueryError> {
    let mut i = 0;
    while let Some(op) = ops.get(i) {
        runner.check_cancel()?;
        rows = match &op.kind {
            OperatorKind::Where(e) => filtered(runner, &rows, e)?,
            OperatorKind::Search {
                case_sensitive,
                tables,
                predicate,
            } if tables.is_empty() => searched(
                runner,
                rows,
                *case_sensitive,
                predicate,
                origin.unwrap_or(""),
            )?,
            // `sort by k | take n` is `top n by k`, as `run` does it.
            OperatorKind::Sort(keys) => match ops.get(i + 1).map(|o| &o.kind) {
                Some(OperatorKind::Take(n)) => {
                    i += 1;
                    let n = runner.count_arg(n, &rows.empty())?;
                    sorted(runner, &rows, keys, Some(n))?
                }
                _ => sorted(runner, &rows, keys, None)?,
            },
            OperatorKind::Top { count, keys } => {
                let n = runner.count_arg(count, &rows.empty())?;
                sorted(runner, &rows, keys, Some(n))?
            }
            OperatorKind::Take(n) => rows.head(runner.count_arg(n, &rows.empty())?),
            _ => break,
        };
        i += 1;
    }
    let rest = &ops[i..];
    if rest.is_empty() {
        return Ok(rows);
    }
    let frame = match columns_read(runner, rest, &rows.names()) {
        Some(names) => rows.select(&names, runner.cancel())?,
        None => rows.gather(runner.cancel())?,
    };
    runner.operators(rest, frame, origin).map(Rows::whole)
}

/// `where e` over `rows`.
fn filtered(runner: &Runner, rows: &Rows, e: &Expr) -> Result<Rows, QueryError> {
    let columns = rows.names();
    match names_read(runner, e, &columns) {
        // Only the columns the predicate reads, gathered.
        Some(names) => {
            let work = rows.select(&names, runner.cancel())?;
            let mask = runner.mask_in_slices(e, &work, |s| runner.eval(e, s))?;
            rows.keep(&mask)
        }
        None => picked_by_every_column(runner, rows, e, |s| runner.eval(e, s)),
    }
}

/// `search` over `rows`: every column is read. The hits get a `$table`
/// column (naming `table`) first, as `run`'s search gives them, unless
/// they have one.
fn searched(
    runner: &Runner,
    rows: Rows,
    case_sensitive: bool,
    predicate: &Expr,
    table: &str,
) -> Result<Rows, QueryError> {
    let hits = picked_by_every_column(runner, &rows, predicate, |s| {
        runner.search_predicate(case_sensitive, predicate, s, None)
    })?;
    if hits.source().column("$table").is_ok() {
        return Ok(hits);
    }
    let column = Runner::table_column(table, hits.source().height(), predicate.span)?;
    hits.with_first_column(column)
}

/// The rows of `rows` that `predicate` keeps, `value` evaluating it over
/// a frame with every column.
fn picked_by_every_column(
    runner: &Runner,
    rows: &Rows,
    predicate: &Expr,
    value: impl Fn(&DataFrame) -> Result<super::value::Val, QueryError>,
) -> Result<Rows, QueryError> {
    let source = rows.source();
    match rows.picks() {
        None => {
            let mask = runner.mask_in_slices(predicate, source, value)?;
            rows.keep(&mask)
        }
        // A row-local predicate has the same value for a row wherever the
        // row is: asked of the whole source, the picked rows' answers are
        // read off, without gathering every column of them. Worth it
        // unless the picks are a small share of the source.
        Some(picks)
            if picks.len().saturating_mul(8) >= source.height()
                && runner.row_local(predicate, source) =>
        {
            let all = runner.mask_in_slices(predicate, source, value)?;
            let mask = all
                .take(picks)
                .map_err(|e| super::operators::polars_error(e, predicate.span))?;
            rows.keep(&mask)
        }
        Some(_) => {
            let frame = rows.gather(runner.cancel())?;
            let mask = runner.mask_in_slices(predicate, &frame, value)?;
            Rows::whole(frame).keep(&mask)
        }
    }
}

/// `rows` in the order of `keys`, the first `limit` only.
fn sorted(
    runner: &Runner,
    rows: &Rows,
    keys: &[SortKey],
    limit: Option<usize>,
) -> Result<Rows, QueryError> {
    let columns = rows.names();
    let mut names = Vec::new();
    for k in keys {
        match names_read(runner, &k.expr, &columns) {
            Some(n) => names.extend(n),
            None => {
                let frame = rows.gather(runner.cancel())?;
                let order = runner.sort_order(keys, &frame, limit)?;
                return Rows::whole(frame).take(&order);
            }
        }
    }
    let work = rows.select(&names, runner.cancel())?;
    let order = runner.sort_order(keys, &work, limit)?;
    rows.take(&order)
}

/// The columns (of `columns`) that `e` reads, when they can be told:
/// `None` when it reads every column (`*`, `pack_all()`, a search term
/// without a column), calls a user function (whose body cannot be seen
/// from here) or names something that is neither a column nor a `let`
/// value (an error, which is worded from the whole frame).
fn names_read(runner: &Runner, e: &Expr, columns: &[String]) -> Option<Vec<String>> {
    let names: RefCell<Vec<String>> = RefCell::new(Vec::new());
    let every = e.any(&|x| match &x.kind {
        ExprKind::Star | ExprKind::SearchTerm { column: None, .. } | ExprKind::Tabular(_) => true,
        ExprKind::SearchTerm {
            column: Some(c), ..
        } => {
            names.borrow_mut().push(c.name.clone());
            false
        }
        ExprKind::Call { name, .. } => {
            READS_EVERY_COLUMN.contains(&name.name.to_ascii_lowercase().as_str())
                || runner.scope.get(&name.name).is_some()
        }
        ExprKind::Name(n) => {
            if columns.iter().any(|c| c == n) {
                names.borrow_mut().push(n.clone());
                false
            } else {
                runner.scope.get(n).is_none()
            }
        }
        _ => false,
    });
    (!every).then(|| names.into_inner())
}

/// The columns of the input that the operators `ops` read, when their
/// output depends on those alone (they end in `summarize`, `count`,
/// `project` or `distinct`); `None` when every column may reach the
/// output or cannot be told.
fn columns_read(runner: &Runner, ops: &[Operator], columns: &[String]) -> Option<Vec<String>> {
    let mut read: Vec<String> = Vec::new();
    // Columns the operators make: names of theirs, not the input's.
    let mut made: Vec<String> = Vec::new();
    let add = |e: &Expr, made: &[String], read: &mut Vec<String>| -> Option<()> {
        let known: Vec<String> = columns.iter().chain(made).cloned().collect();
        let names = names_read(runner, e, &known)?;
        read.extend(names.into_iter().filter(|n| !made.contains(n)));
        Some(())
    };
    for op in ops {
        match &op.kind {
            OperatorKind::Where(e) => add(e, &made, &mut read)?,
            OperatorKind::Sort(keys) => {
                for k in keys {
                    add(&k.expr, &made, &mut read)?;
                }
            }
            OperatorKind::Top { count, keys } => {
                add(count, &made, &mut read)?;
                for k in keys {
                    add(&k.expr, &made, &mut read)?;
                }
            }
            OperatorKind::Take(n) => add(n, &made, &mut read)?,
            OperatorKind::Extend(assignments) => {
                for a in assignments {
                    add(&a.expr, &made, &mut read)?;
                    made.extend(a.names.iter().map(|n| n.name.clone()));
                }
            }
            OperatorKind::Summarize { aggregates, by, .. } => {
                for a in aggregates.iter().chain(by) {
                    add(&a.expr, &made, &mut read)?;
                }
                return Some(read);
            }
            OperatorKind::Project(assignments) => {
                for a in assignments {
                    add(&a.expr, &made, &mut read)?;
                }
                return Some(read);
            }
            OperatorKind::Distinct(exprs) => {
                for e in exprs {
                    add(e, &made, &mut read)?;
                }
                return Some(read);
            }
            OperatorKind::Count => return Some(read),
            _ => return None,
        }
    }
    None
}
