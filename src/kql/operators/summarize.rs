//! `summarize` and `distinct`.
//!
//! Aggregate arguments are evaluated into working columns and the rows are
//! grouped ([`groups::group_ids`]); aggregates that can be computed from
//! the group ids directly are (see `direct`), the others by Polars over the
//! rows reordered by group. `arg_min(x, *)` is computed as a row index per
//! group followed by one gather of the input rows.

mod direct;
mod fold;
mod lists;
#[cfg(test)]
mod tests;

use polars::prelude::*;
use rayon::prelude::*;

use super::{expr_name, gather, groups, polars_error, unique_name, val_column};
use crate::data::encode;
use crate::data::normalize::kql_series;
use crate::kql::ast::{Assignment, Expr, ExprKind, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::functions::aggregates::{self, AggInput, AggOutput, Gathered, Post};
use crate::kql::limits::Cancel;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val, parse_json_bytes};

const ROW: &str = "__quarry_row";

/// One planned output column of `summarize`.
struct Planned {
    name: String,
    output: AggOutput,
    /// The `Name =` given by the user, which renames only the first column
    /// of a multi-column aggregate.
    explicit: bool,
    /// For the columns a row-fetching output gathers, the names the user
    /// gave them in turn: `(Lat, City) = arg_min(Lat, City)`.
    renames: Vec<String>,
}

/// One aggregate call of `summarize`, its arguments evaluated.
struct Call {
    /// The aggregation function's name.
    function: &'static str,
    /// The arguments as evaluated (encoded text still encoded), for the
    /// direct computation.
    args: Vec<direct::Arg>,
    /// The working columns the Polars plan reads: name and value.
    columns: Vec<(String, Val)>,
    /// Its output columns: indices into the planned outputs.
    outputs: std::ops::Range<usize>,
}

impl Call {
    /// Whether the Polars plan reads the row index column.
    fn reads_rows(&self) -> bool {
        matches!(
            self.function,
            "arg_min" | "arg_max" | "argmin" | "argmax" | "take_any" | "any"
        )
    }
}

impl Runner<'_> {
    pub(super) fn op_summarize(
        &self,
        aggregates: &[Assignment],
        by: &[Assignment],
        frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let rows = frame.height();
        let mut keys: Vec<Column> = Vec::new();
        let mut key_names: Vec<String> = Vec::new();
        let mut unnamed = 0;
        for b in by {
            let name = match b.names.first() {
                Some(n) => n.name.clone(),
                None => expr_name(&b.expr).unwrap_or_else(|| {
                    unnamed += 1;
                    format!("Column{unnamed}")
                }),
            };
            let name = unique_name(&name, &key_names);
            let v = self.eval_rows(&b.expr, &frame)?;
            keys.push(val_column(v, &name, rows));
            key_names.push(name);
        }

        // `array_sort_asc(make_set(x))`, `round(avg(x), 2)`: the aggregates
        // inside a scalar expression are computed as hidden columns, then the
        // expression is evaluated over the groups.
        let (aggregates, computed) = split_computed(aggregates);
        let aggregates = &aggregates[..];
        let mut planned: Vec<Planned> = Vec::new();
        let mut calls: Vec<Call> = Vec::new();
        for (ai, a) in aggregates.iter().enumerate() {
            let ExprKind::Call { name, args } = &a.expr.kind else {
                return Err(QueryError::syntax(
                    "summarize expects aggregation functions such as count(), max(x), make_set(x)",
                    a.expr.span,
                ));
            };
            let Some(f) = aggregates::lookup(&name.name) else {
                let names = aggregates::AGGREGATES.iter().map(|f| f.name);
                return Err(QueryError::unknown(
                    format!(
                        "'{}' is not an aggregation function{}",
                        name.name,
                        did_you_mean(&name.name, names)
                    ),
                    name.span,
                ));
            };
            if args.len() < f.min_args || args.len() > f.max_args {
                return Err(QueryError::type_error(
                    format!("{}() does not take {} argument(s)", f.name, args.len()),
                    a.expr.span,
                ));
            }
            let mut input = AggInput {
                name: f.name,
                columns: Vec::new(),
                constants: Vec::new(),
                arg_names: Vec::new(),
                kinds: Vec::new(),
                row_index: ROW,
                span: a.expr.span,
            };
            let mut call = Call {
                function: f.name,
                args: Vec::new(),
                columns: Vec::new(),
                outputs: 0..0,
            };
            for (i, arg) in args.iter().enumerate() {
                input.arg_names.push(expr_name(arg));
                if matches!(arg.kind, ExprKind::Star) {
                    input.columns.push(None);
                    input.constants.push(None);
                    input.kinds.push(None);
                    call.args.push(direct::Arg {
                        values: None,
                        constant: None,
                    });
                    continue;
                }
                let v = self.eval_rows(arg, &frame)?;
                input.kinds.push(Some(v.kind()));
                match &v {
                    Val::Scalar(s) if i > 0 => {
                        input.columns.push(None);
                        input.constants.push(Some(s.clone()));
                        call.args.push(direct::Arg {
                            values: None,
                            constant: Some(s.clone()),
                        });
                    }
                    _ => {
                        let c = format!("__quarry_a{ai}_{i}");
                        input.columns.push(Some(c.clone()));
                        input.constants.push(None);
                        call.args.push(direct::Arg {
                            values: Some(v.clone().into_series(&c, rows)),
                            constant: None,
                        });
                        call.columns.push((c, v));
                    }
                }
            }
            let outputs = (f.plan)(&input)?;
            let first = planned.len();
            // `(A, B, C) = f(...)`: the names go to the columns in turn, a
            // row-fetching output taking all that are left.
            let mut given = a.names.iter().map(|n| n.name.clone());
            for output in outputs {
                let (name, explicit, renames) = match &output.post {
                    Post::Gather(_) => (output.name.clone(), false, given.by_ref().collect()),
                    _ => match given.next() {
                        Some(n) => (n, true, Vec::new()),
                        None => (output.name.clone(), false, Vec::new()),
                    },
                };
                planned.push(Planned {
                    name,
                    output,
                    explicit,
                    renames,
                });
            }
            call.outputs = first..planned.len();
            calls.push(call);
        }

        let result = self.aggregate(keys, &key_names, &calls, &planned, rows, span)?;
        self.check_cancel()?;

        // Assemble: keys first, then each aggregate's columns in order.
        let height = result.height();
        let mut out: Vec<Column> = Vec::new();
        let mut taken: Vec<String> = Vec::new();
        // Each column below is millions of values for millions of groups:
        // look at the cancel flag between them.
        for k in &key_names {
            self.check_cancel()?;
            let c = result.column(k).map_err(|e| polars_error(e, span))?;
            // Encoded text stays encoded, as the table held it: decoding
            // millions of keys would copy every value.
            if encode::dictionary_name(c.dtype()).is_some() {
                out.push(c.clone());
            } else {
                out.push(kql_column(c.as_materialized_series(), span)?.into_column());
            }
            taken.push(k.clone());
        }
        for (i, p) in planned.iter().enumerate() {
            self.check_cancel()?;
            let c = result
                .column(&format!("__quarry_o{i}"))
                .map_err(|e| polars_error(e, span))?
                .as_materialized_series()
                .clone();
            match &p.output.post {
                Post::Gather(gathered) => {
                    let idx = c.cast(&IDX_DTYPE).map_err(|e| polars_error(e, span))?;
                    let idx = idx.idx().map_err(|e| polars_error(e, span))?;
                    let which = &gathered.columns;
                    let wanted: Vec<String> = match which {
                        Some(cols) => cols.clone(),
                        None => frame
                            .get_column_names()
                            .iter()
                            .map(|s| s.to_string())
                            .filter(|n| !taken.contains(n) && gathered.skip.as_ref() != Some(n))
                            .collect(),
                    };
                    // Each source column and its output name, then the
                    // columns gathered side by side.
                    let mut sources: Vec<(&Column, String)> = Vec::new();
                    let mut renames = p.renames.iter();
                    for w in wanted {
                        // `arg_max(x, *)`: x itself is already out, under its name.
                        if which.is_none() && taken.contains(&w) {
                            continue;
                        }
                        let src = frame.column(&w).map_err(|_| {
                            QueryError::unknown(format!("unknown column '{w}'"), span)
                        })?;
                        let name = match renames.next() {
                            Some(given) => given.clone(),
                            None => unique_name(&format!("{}{w}", gathered.prefix), &taken),
                        };
                        taken.push(name.clone());
                        sources.push((src, name));
                    }
                    let gathered = sources
                        .par_iter()
                        .map(|(src, name)| {
                            let g = direct::take_rows(
                                src.as_materialized_series(),
                                idx,
                                self.cancel(),
                            )?;
                            Ok(g.with_name(name.as_str().into()).into_column())
                        })
                        .collect::<Result<Vec<_>, QueryError>>()?;
                    out.extend(gathered);
                }
                post => {
                    let s = finish(&c, post, span)?;
                    let name = if p.explicit {
                        p.name.clone()
                    } else {
                        unique_name(&p.name, &taken)
                    };
                    taken.push(name.clone());
                    out.push(s.with_name(name.as_str().into()).into_column());
                }
            }
        }
        // `Name = arg_min(Timestamp, *)`: Timestamp is the renamed first
        // column, so the gathered copy must not reappear under its own name.
        let mut seen: Vec<String> = Vec::new();
        let mut deduped = Vec::new();
        for c in out {
            let n = c.name().to_string();
            if seen.contains(&n) {
                continue;
            }
            seen.push(n);
            deduped.push(c);
        }
        let out = drop_renamed_arg(deduped, &planned);
        let mut out = DataFrame::new(height, out).map_err(|e| polars_error(e, span))?;
        for (i, c) in computed.iter().enumerate() {
            let v = self.eval(&c.expr, &out)?;
            let first = format!("{INNER}{i}_0");
            let at = out.get_column_index(&first).unwrap_or(out.width());
            let name = c
                .names
                .first()
                .map(|n| n.name.clone())
                .unwrap_or_else(|| format!("Column{}", i + 1));
            let hidden: Vec<String> = out
                .get_column_names()
                .iter()
                .map(|s| s.to_string())
                .filter(|n| n.starts_with(&format!("{INNER}{i}_")))
                .collect();
            out = out.drop_many(hidden);
            out.insert_column(at.min(out.width()), val_column(v, &name, height))
                .map_err(|e| polars_error(e, span))?;
        }
        crate::kql::operators::fill_strings(out, span)
    }

    /// `distinct A, B` or `distinct *`.
    pub(super) fn op_distinct(
        &self,
        cols: &[Expr],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let span = cols.first().map_or_else(Span::default, |c| c.span);
        let star = cols.iter().any(|c| matches!(c.kind, ExprKind::Star));
        let frame = if star {
            frame
        } else {
            let rows = frame.height();
            let mut out = Vec::new();
            let mut unnamed = 0;
            for c in cols {
                let v = self.eval_rows(c, &frame)?;
                let name = expr_name(c).unwrap_or_else(|| {
                    unnamed += 1;
                    format!("Column{unnamed}")
                });
                out.push(val_column(v, &name, rows));
            }
            DataFrame::new(rows, out).map_err(|e| polars_error(e, span))?
        };
        let columns: Vec<Series> = frame
            .columns()
            .iter()
            .map(|c| c.as_materialized_series().clone())
            .collect();
        match groups::distinct_rows(&columns, self.cancel())? {
            Some(first_rows) => gather(
                &frame,
                &IdxCa::from_vec("".into(), first_rows),
                self.cancel(),
                span,
            ),
            None => frame
                .unique_stable(None, UniqueKeepStrategy::First, None)
                .map_err(|e| polars_error(e, span)),
        }
    }
}

type Expr_ = polars::prelude::Expr;

impl Runner<'_> {
    /// The keys of each group and the output columns of every call
    /// (`__quarry_o{i}` for planned output `i`), one row per group.
    fn aggregate(
        &self,
        keys: Vec<Column>,
        key_names: &[String],
        calls: &[Call],
        planned: &[Planned],
        rows: usize,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let cancel = self.cancel();
        // Tests compare each direct aggregate with its Polars plan.
        #[cfg(test)]
        let direct_allowed = !tests::PLAIN.get();
        #[cfg(not(test))]
        let direct_allowed = true;
        #[cfg(test)]
        tests::DIRECT_CALLS.set(0);
        let output_name = |i: usize| format!("__quarry_o{i}");
        let exprs = |calls: &[&Call]| -> Vec<Expr_> {
            calls
                .iter()
                .flat_map(|c| c.outputs.clone())
                .map(|i| {
                    let p = &planned[i];
                    let e = p.output.expr.clone();
                    let e = if keys.is_empty() && p.output.is_list {
                        e.implode(true)
                    } else {
                        e
                    };
                    e.alias(output_name(i))
                })
                .collect()
        };
        // What the Polars plans of `calls` read: their arguments (text
        // decoded) and, if asked, each row's index.
        let work = |calls: &[&Call], keys: &[Column]| -> Result<DataFrame, QueryError> {
            let mut columns: Vec<Column> = keys.to_vec();
            // Without any column the frame would have no rows to count.
            let no_columns = keys.is_empty() && calls.iter().all(|c| c.columns.is_empty());
            if no_columns || calls.iter().any(|c| c.reads_rows()) {
                let row_index: Vec<IdxSize> = (0..rows as IdxSize).collect();
                columns.push(Column::new(ROW.into(), row_index));
            }
            for c in calls {
                for (name, v) in &c.columns {
                    columns.push(val_column(v.clone().decoded(), name, rows));
                }
            }
            DataFrame::new(rows, columns).map_err(|e| polars_error(e, span))
        };
        let all: Vec<&Call> = calls.iter().collect();
        if keys.is_empty() {
            return work(&all, &[])?
                .lazy()
                .select(exprs(&all))
                .collect()
                .map_err(|e| polars_error(e, span));
        }
        let key_series: Vec<Series> = keys
            .iter()
            .map(|c| c.as_materialized_series().clone())
            .collect();
        let Some(groups) = groups::group_ids(&key_series, cancel)? else {
            let by: Vec<Expr_> = key_names.iter().map(|k| col(k.as_str())).collect();
            return work(&all, &keys)?
                .lazy()
                .group_by_stable(by)
                .agg(exprs(&all))
                .collect()
                .map_err(|e| polars_error(e, span));
        };
        drop(key_series);
        let direct: Vec<Option<Vec<Series>>> = calls
            .par_iter()
            .map(|c| {
                if direct::handles(c.function) && direct_allowed {
                    direct::aggregate(c.function, &c.args, &groups, cancel)
                } else {
                    Ok(None)
                }
            })
            .collect::<Result<_, QueryError>>()?;
        #[cfg(test)]
        tests::DIRECT_CALLS.set(direct.iter().filter(|d| d.is_some()).count());
        let rest: Vec<&Call> = calls
            .iter()
            .zip(&direct)
            .filter(|(_, d)| d.is_none())
            .map(|(c, _)| c)
            .collect();
        let mut out = if rest.is_empty() {
            DataFrame::empty_with_height(groups.len())
        } else {
            aggregate_groups(work(&rest, &[])?, &groups, exprs(&rest), cancel, span)?
        };
        for (c, columns) in calls.iter().zip(direct) {
            for (i, s) in c.outputs.clone().zip(columns.into_iter().flatten()) {
                cancel.check()?;
                out.with_column(s.with_name(output_name(i).into()).into_column())
                    .map_err(|e| polars_error(e, span))?;
            }
        }
        cancel.check()?;
        let keys: Vec<Column> = keys
            .into_par_iter()
            .map(|k| {
                direct::take_sorted(k.as_materialized_series(), &groups.first_rows, cancel)
                    .map(|s| s.with_name(k.name().clone()).into_column())
            })
            .collect::<Result<_, QueryError>>()?;
        for k in keys {
            out.with_column(k).map_err(|e| polars_error(e, span))?;
        }
        Ok(out)
    }
}

/// The hidden column of group ids.
const GROUP: &str = "__quarry_group";

/// Aggregates `work` (one row per input row) over groups found by
/// [`groups::group_ids`]: the rows are reordered so each group is one slice
/// (Polars then aggregates sorted slices instead of hashing the keys
/// again). Millions of rows are aggregated a run of whole groups at a
/// time, checking `cancel` between runs.
fn aggregate_groups(
    work: DataFrame,
    groups: &groups::Groups,
    exprs: Vec<Expr_>,
    cancel: Cancel,
    span: Span,
) -> Result<DataFrame, QueryError> {
    /// Rows aggregated between two looks at the cancel flag.
    const RUN: usize = 1 << 16;
    let perm = IdxCa::from_vec("".into(), groups.permutation());
    let mut rest = gather(&work, &perm, cancel, span)?;
    drop(work);
    let sorted = groups.sorted_ids();
    // Runs end on a group boundary, so every group is aggregated whole.
    let mut runs = Vec::new();
    let mut start = 0;
    while start < sorted.len() {
        let mut end = (start + RUN).min(sorted.len());
        while end < sorted.len() && sorted[end] == sorted[end - 1] {
            end += 1;
        }
        runs.push((start, end));
        start = end;
    }
    let mut ids = UInt32Chunked::from_vec(GROUP.into(), sorted);
    ids.set_sorted_flag(polars::series::IsSorted::Ascending);
    rest.with_column(ids.into_column())
        .map_err(|e| polars_error(e, span))?;
    let mut out: Option<DataFrame> = None;
    for (start, end) in runs {
        cancel.check()?;
        let part = rest
            .slice(start as i64, end - start)
            .lazy()
            .group_by_stable([col(GROUP)])
            .agg(exprs.clone())
            .collect()
            .map_err(|e| polars_error(e, span))?;
        match &mut out {
            None => out = Some(part),
            Some(o) => {
                o.vstack_mut_owned(part)
                    .map_err(|e| polars_error(e, span))?;
            }
        }
    }
    let mut out = match out {
        Some(o) => o,
        None => rest
            .lazy()
            .group_by_stable([col(GROUP)])
            .agg(exprs)
            .collect()
            .map_err(|e| polars_error(e, span))?,
    };
    let in_order = out
        .column(GROUP)
        .and_then(|c| c.as_materialized_series().u32().cloned())
        .map_err(|e| polars_error(e, span))?
        .into_no_null_iter()
        .enumerate()
        .all(|(i, g)| i == g as usize);
    if !in_order {
        out = out
            .sort([GROUP], SortMultipleOptions::default())
            .map_err(|e| polars_error(e, span))?;
    }
    cancel.check()?;
    out.drop(GROUP).map_err(|e| polars_error(e, span))
}

/// Hidden columns of aggregates nested in scalar expressions.
const INNER: &str = "__quarry_inner";

/// Splits summarize items into plain aggregate calls and computed items
/// (a scalar expression over aggregates). Each computed item's aggregates
/// become hidden items named `__quarry_inner{i}_{k}`, and in the returned
/// expression they are replaced by references to those columns.
fn split_computed(items: &[Assignment]) -> (Vec<Assignment>, Vec<Assignment>) {
    let mut plain = Vec::new();
    let mut computed = Vec::new();
    for a in items {
        let direct = matches!(&a.expr.kind, ExprKind::Call { name, .. } if aggregates::lookup(&name.name).is_some());
        if direct {
            plain.push(a.clone());
            continue;
        }
        let i = computed.len();
        let mut inner = Vec::new();
        let rewritten = replace_aggregates(&a.expr, i, &mut inner);
        if inner.is_empty() {
            // Not an aggregate at all: let the plain path report it.
            plain.push(a.clone());
            continue;
        }
        for (k, e) in inner.into_iter().enumerate() {
            plain.push(Assignment {
                names: vec![crate::kql::ast::Ident {
                    name: format!("{INNER}{i}_{k}"),
                    span: e.span,
                }],
                span: e.span,
                expr: e,
            });
        }
        computed.push(Assignment {
            names: a.names.clone(),
            expr: rewritten,
            span: a.span,
        });
    }
    (plain, computed)
}

fn replace_aggregates(e: &Expr, i: usize, inner: &mut Vec<Expr>) -> Expr {
    let mut out = e.clone();
    match &mut out.kind {
        ExprKind::Call { name, .. }
            if aggregates::lookup(&name.name).is_some()
                && crate::kql::functions::lookup(&name.name).is_none() =>
        {
            let k = inner.len();
            inner.push(e.clone());
            out.kind = ExprKind::Name(format!("{INNER}{i}_{k}"));
        }
        ExprKind::Call { args, .. } => {
            for a in args.iter_mut() {
                *a = replace_aggregates(a, i, inner);
            }
        }
        ExprKind::Binary { left, right, .. } | ExprKind::StringOp { left, right, .. } => {
            **left = replace_aggregates(left, i, inner);
            **right = replace_aggregates(right, i, inner);
        }
        ExprKind::Negate(x) => **x = replace_aggregates(x, i, inner),
        ExprKind::Member { target, .. } => **target = replace_aggregates(target, i, inner),
        ExprKind::Index { target, index } => {
            **target = replace_aggregates(target, i, inner);
            **index = replace_aggregates(index, i, inner);
        }
        ExprKind::Between {
            value, low, high, ..
        } => {
            **value = replace_aggregates(value, i, inner);
            **low = replace_aggregates(low, i, inner);
            **high = replace_aggregates(high, i, inner);
        }
        ExprKind::List { left, items, .. } => {
            **left = replace_aggregates(left, i, inner);
            for it in items.iter_mut() {
                *it = replace_aggregates(it, i, inner);
            }
        }
        _ => {}
    }
    out
}

/// In `Name = arg_min(Timestamp, *)`, the gathered `Timestamp` column is the
/// same value as `Name`, and Kusto leaves it out.
fn drop_renamed_arg(out: Vec<Column>, planned: &[Planned]) -> Vec<Column> {
    let mut drop: Vec<String> = Vec::new();
    for w in planned.windows(2) {
        if let (Post::None, Post::Gather(Gathered { columns: None, .. })) =
            (&w[0].output.post, &w[1].output.post)
            && w[0].explicit
            && w[0].name != w[0].output.name
        {
            drop.push(w[0].output.name.clone());
        }
    }
    out.into_iter()
        .filter(|c| !drop.iter().any(|d| d == c.name().as_str()))
        .collect()
}

fn kql_column(s: &Series, span: Span) -> Result<Series, QueryError> {
    kql_series(s).map_err(|e| polars_error(e, span))
}

/// Turns an aggregated column into its KQL type.
fn finish(s: &Series, post: &Post, span: Span) -> Result<Series, QueryError> {
    match post {
        Post::MergeBags => {
            let lists = s.list().map_err(|e| polars_error(e, span))?;
            let out: BinaryChunked = (0..lists.len())
                .map(|i| {
                    let mut bag = serde_json::Map::new();
                    if let Some(g) = lists.get_as_series(i)
                        && let Ok(b) = g.binary()
                    {
                        for v in b.iter().flatten() {
                            if let serde_json::Value::Object(m) = parse_json_bytes(v) {
                                bag.extend(m);
                            }
                        }
                    }
                    Some(serde_json::Value::Object(bag).to_string().into_bytes())
                })
                .collect();
            Ok(out.into_series())
        }
        // Each element as KQL puts it in a dynamic array: dynamic values
        // nested as JSON (not as their text), datetimes in Kusto's format.
        Post::Array => {
            let Ok(lists) = s.list() else {
                return kql_column(s, span);
            };
            // Elements come out physical (a datetime as its i64); cast back.
            let inner = lists.inner_dtype().clone();
            let out: BinaryChunked = (0..lists.len())
                .map(|i| {
                    let group = lists.get_as_series(i).and_then(|g| match &inner {
                        // Decimal mantissas are already at the list's scale:
                        // a cast would scale them again.
                        DataType::Decimal(p, s) if g.dtype() != &inner => g
                            .i128()
                            .ok()
                            .map(|ca| ca.clone().into_decimal_unchecked(*p, *s).into_series()),
                        _ => g.cast(&inner).ok(),
                    });
                    let items: Vec<serde_json::Value> = match group {
                        Some(g) => (0..g.len())
                            .map(|j| Scalar::from_series(&g, j).to_json())
                            .collect(),
                        None => Vec::new(),
                    };
                    Some(serde_json::Value::Array(items).to_string().into_bytes())
                })
                .collect();
            Ok(out.into_series())
        }
        Post::DynamicSet(limit) => dynamic_elements(s, *limit, true, span),
        Post::DynamicList(limit) => dynamic_elements(s, *limit, false, span),
        _ => kql_column(s, span),
    }
}

/// One JSON array per group of a list of dynamic values: each array's
/// elements, each other value as one element (a null row as null), at most
/// `limit`; with `distinct`, each element once (`make_set`), else all of
/// them in row order (`make_list`).
fn dynamic_elements(
    s: &Series,
    limit: usize,
    distinct: bool,
    span: Span,
) -> Result<Series, QueryError> {
    let Ok(lists) = s.list() else {
        return kql_column(s, span);
    };
    let out: BinaryChunked = (0..lists.len())
        .map(|i| {
            let mut seen = std::collections::HashSet::new();
            let mut items: Vec<serde_json::Value> = Vec::new();
            if let Some(g) = lists.get_as_series(i)
                && let Ok(b) = g.binary()
            {
                for v in b.iter() {
                    let elements = match v.map(parse_json_bytes) {
                        Some(serde_json::Value::Array(a)) => a,
                        Some(other) => vec![other],
                        None if distinct => Vec::new(),
                        None => vec![serde_json::Value::Null],
                    };
                    for e in elements {
                        if items.len() >= limit {
                            break;
                        }
                        if !distinct || seen.insert(e.to_string()) {
                            items.push(e);
                        }
                    }
                }
            }
            Some(serde_json::Value::Array(items).to_string().into_bytes())
        })
        .collect();
    Ok(out.into_series())
}
