//! Tabular operators, one family per file. Each takes the piped frame and
//! returns the next one.

mod active_users;
mod activity;
mod activity_cohorts;
mod activity_engagement;
mod dcount_intersect;
mod evaluate;
mod external;
mod facet;
mod filter;
mod find;
mod fork;
mod funnel_completion;
mod funnel_sequence;
mod geo_lookup;
mod groups;
mod ip_lookup;
mod join;
mod join_match;
mod lookup_pairs;
mod macro_expand;
mod make_series;
mod misc;
mod multi_value;
mod mv_apply;
mod mv_expand;
mod names;
mod narrow;
mod order;
mod parse;
mod parse_kv;
mod partition;
mod patterns;
mod preview;
mod project;
mod reduce;
mod rolling;
mod rows_near;
mod sample_distinct;
mod scan;
mod schema_merge;
mod sequence_detect;
mod services;
mod session_count;
mod several;
mod slices;
mod sort;
mod source;
mod summarize;
mod timeline;
mod top_hitters;
mod top_nested;
mod union;

pub use names::{expr_name, unique_name};
use polars::prelude::*;

pub use evaluate::EVALUATE_PLUGINS;
pub use external::{check_externaldata, check_inline_external_table};
pub(crate) use filter::{Kept, kept};
pub use fork::fork_leg_name;
pub use services::{needs_service, plugin_unsupported};

use super::ast::{Operator, OperatorKind, Span};
use super::error::QueryError;
use super::limits::Cancel;
use super::run::Runner;
use super::value::Val;
use crate::data::types::KqlType;

impl Runner<'_> {
    /// Applies one piped operator. `origin` is the pipeline's source table,
    /// if it is one.
    pub fn operator(
        &self,
        op: &Operator,
        frame: DataFrame,
        origin: Option<&str>,
    ) -> Result<DataFrame, QueryError> {
        use OperatorKind as K;
        match &op.kind {
            K::Where(e) => self.op_where(e, frame),
            K::Search {
                case_sensitive,
                tables,
                predicate,
            } => {
                if !tables.is_empty() {
                    return Err(QueryError::syntax(
                        "'search in (...)' cannot follow a pipe",
                        op.span,
                    ));
                }
                self.op_search_piped(*case_sensitive, predicate, frame, origin)
            }
            K::Project(a) => self.op_project(a, frame),
            K::ProjectAway(c) => self.op_project_away(c, frame),
            K::ProjectKeep(c) => self.op_project_keep(c, frame),
            K::ProjectByNames(s) => self.op_project_by_names(s, frame),
            K::ProjectRename(p) => self.op_project_rename(p, frame),
            K::ProjectReorder(c) => self.op_project_reorder(c, frame),
            K::Extend(a) | K::Serialize(a) => self.op_extend(a, frame),
            K::Summarize { aggregates, by, .. } => {
                self.op_summarize(aggregates, by, frame, op.span)
            }
            K::Sort(keys) => self.op_sort(keys, frame),
            K::Top { count, keys } => self.op_top(count, keys, frame),
            K::Take(n) => self.op_take(n, frame),
            K::TopNested(levels) => self.op_top_nested(levels, frame, op.span),
            K::Sample(n) => self.op_sample(n, frame),
            K::Distinct(cols) => self.op_distinct(cols, frame),
            K::Count => count_rows(&frame, op.span),
            K::Join {
                kind, right, on, ..
            } => self.op_join(*kind, right, on, frame, false, op.span),
            K::Lookup { kind, right, on } => {
                self.op_lookup(*kind, right, on, frame, false, op.span)
            }
            K::Union {
                options,
                with_source,
                tables,
            } => self.op_union(
                options,
                with_source.as_ref(),
                tables,
                Some((frame, origin)),
                op.span,
            ),
            K::MvExpand {
                columns,
                limit,
                options,
                to_types,
            } => self.op_mv_expand(columns, limit.as_ref(), options, to_types, frame),
            K::Invoke { name, args } => self.op_invoke(name, args, frame),
            K::As(_) | K::Render(_) => Ok(frame),
            K::GetSchema => get_schema(&frame, op.span),
            K::Parse {
                source,
                kind,
                flags,
                pattern,
            } => self.op_parse(source, kind.as_deref(), flags.as_deref(), pattern, frame),
            K::MvApply {
                columns,
                to_types,
                item_index,
                limit,
                subquery,
            } => self.op_mv_apply(
                columns,
                to_types,
                item_index.as_ref(),
                limit.as_ref(),
                subquery,
                frame,
                op.span,
            ),
            K::Fork(_) | K::Facet { .. } => self.op_first_of_several(op, frame),
            K::Evaluate { .. } if op.kind.several_results() => self.op_first_of_several(op, frame),
            K::Evaluate {
                plugin,
                args,
                schema,
            } => self.op_evaluate(plugin, args, schema.as_ref(), frame, op.span),
            K::SampleDistinct { count, column } => {
                self.op_sample_distinct(count, column, frame, op.span)
            }
            K::TopHitters { count, of, by } => {
                self.op_top_hitters(count, of, by.as_ref(), frame, op.span)
            }
            // The input was computed; nothing is returned.
            K::Consume => Ok(DataFrame::empty()),
            K::MakeSeries { .. } => self.op_make_series(&op.kind, frame, op.span),
            K::ParseKv(kv) => self.op_parse_kv(kv, frame),
            K::ParseWhere {
                source,
                kind,
                flags,
                pattern,
            } => self.op_parse_where(source, kind.as_deref(), flags.as_deref(), pattern, frame),
            K::Scan(scan) => self.op_scan(scan, frame, op.span),
            K::Partition { options, by, body } => {
                self.op_partition(options, by, body, frame, op.span)
            }
            K::Reduce {
                source_kind,
                by,
                threshold,
                characters,
            } => self.op_reduce(
                *source_kind,
                by,
                threshold.as_ref(),
                characters.as_ref(),
                frame,
                op.span,
            ),
            K::Graph(g) => Err(self.graph_out_of_place(g, op.span)),
            K::Datatable { .. }
            | K::Print(_)
            | K::Range { .. }
            | K::ExternalData { .. }
            | K::InlineExternalTable(_)
            | K::Find(_)
            | K::MacroExpand(_) => Err(QueryError::syntax(
                "this operator starts a query; it cannot follow a pipe",
                op.span,
            )),
        }
    }

    /// An operator that starts a pipeline: `search`, `union`, `datatable`,
    /// `print`, `range`.
    pub fn source_operator(&self, op: &Operator) -> Result<DataFrame, QueryError> {
        use OperatorKind as K;
        match &op.kind {
            K::Search {
                case_sensitive,
                tables,
                predicate,
            } => self.op_search(*case_sensitive, tables, predicate, op.span, false),
            K::Union {
                options,
                with_source,
                tables,
            } => self.op_union(options, with_source.as_ref(), tables, None, op.span),
            K::Datatable { columns, values } => self.op_datatable(columns, values, op.span),
            K::Print(a) => self.op_print(a),
            K::Range {
                name,
                from,
                to,
                step,
            } => self.op_range(name, from, to, step, op.span),
            K::ExternalData {
                columns,
                uris,
                properties,
            } => self.op_externaldata(columns, uris, properties, op.span),
            K::InlineExternalTable(t) => self.op_inline_external_table(t, op.span),
            K::Find(f) => self.op_find(f, op.span),
            K::MacroExpand(m) => self.op_macro_expand(m, op.span),
            K::Evaluate { plugin, .. } if EVALUATE_PLUGINS.contains(&plugin.name.as_str()) => {
                Err(QueryError::syntax(
                    format!(
                        "evaluate {} needs an input table: put it after a '|'",
                        plugin.name
                    ),
                    op.span,
                ))
            }
            K::Evaluate { plugin, .. } => Err(plugin_unsupported(plugin)),
            _ => Err(QueryError::syntax(
                "this operator needs an input table: put it after a '|'",
                op.span,
            )),
        }
    }
}

/// `count`: one row, one column `Count`.
fn count_rows(frame: &DataFrame, span: Span) -> Result<DataFrame, QueryError> {
    DataFrame::new(
        1,
        vec![Column::new("Count".into(), [frame.height() as i64])],
    )
    .map_err(|e| polars_error(e, span))
}

/// `getschema`
fn get_schema(frame: &DataFrame, span: Span) -> Result<DataFrame, QueryError> {
    let cols = frame.columns();
    let names: Vec<&str> = cols.iter().map(|c| c.name().as_str()).collect();
    let ordinals: Vec<i32> = (0..cols.len() as i32).collect();
    let kinds: Vec<KqlType> = cols
        .iter()
        .map(|c| KqlType::of(c.dtype()).unwrap_or(KqlType::Dynamic))
        .collect();
    let system: Vec<&str> = kinds
        .iter()
        .map(|k| match k {
            KqlType::Bool => "System.Boolean",
            KqlType::Int => "System.Int32",
            KqlType::Long => "System.Int64",
            KqlType::Real => "System.Double",
            KqlType::Decimal => "System.Data.SqlTypes.SqlDecimal",
            KqlType::Datetime => "System.DateTime",
            KqlType::Timespan => "System.TimeSpan",
            KqlType::String => "System.String",
            KqlType::Dynamic => "System.Object",
        })
        .collect();
    let kql: Vec<&str> = kinds.iter().map(|k| k.name()).collect();
    DataFrame::new(
        cols.len(),
        vec![
            Column::new("ColumnName".into(), names),
            Column::new("ColumnOrdinal".into(), ordinals),
            Column::new("DataType".into(), system),
            Column::new("ColumnType".into(), kql),
        ],
    )
    .map_err(|e| polars_error(e, span))
}

pub(crate) fn polars_error(e: PolarsError, span: Span) -> QueryError {
    QueryError::runtime(e.to_string(), Some(span))
}

/// A value as a named column of `rows` rows.
pub fn val_column(v: Val, name: &str, rows: usize) -> Column {
    v.into_series(name, rows).into_column()
}

/// The rows `idx` of `frame`, in that order. Loaded columns come in tens
/// of chunks (one per row group or load chunk); gathering scattered rows
/// from one contiguous copy is several times faster, so each column is
/// made contiguous first, one at a time per thread. Millions of rows are
/// gathered a slice at a time, checking `cancel` between slices.
pub fn gather(
    frame: &DataFrame,
    idx: &IdxCa,
    cancel: Cancel,
    span: Span,
) -> Result<DataFrame, QueryError> {
    use rayon::prelude::*;
    /// Rows gathered between two looks at the cancel flag.
    /// (A quarter million text cells take some 40 ms to gather.)
    const SLICE: usize = 1 << 18;
    let columns = frame
        .columns()
        .par_iter()
        .map(|c| {
            cancel.check()?;
            // Copying a column of 50M rows takes longer than gathering a
            // few hundred thousand of them from its chunks (0.15 s against
            // 0.015 s); gathering millions from the chunks is the slower.
            let c = if c.n_chunks() > 1 && idx.len() > 1 << 16 && idx.len() >= c.len() / 8 {
                c.rechunk()
            } else {
                c.clone()
            };
            if idx.len() <= SLICE {
                return c.take(idx).map_err(|e| polars_error(e, span));
            }
            let mut out: Option<Column> = None;
            for start in (0..idx.len()).step_by(SLICE) {
                cancel.check()?;
                let part = c
                    .take(&idx.slice(start as i64, SLICE))
                    .map_err(|e| polars_error(e, span))?;
                match &mut out {
                    None => out = Some(part),
                    Some(o) => {
                        o.append(&part).map_err(|e| polars_error(e, span))?;
                    }
                }
            }
            Ok(out.unwrap_or_else(|| c.clear()))
        })
        .collect::<Result<Vec<_>, QueryError>>()?;
    DataFrame::new(idx.len(), columns).map_err(|e| polars_error(e, span))
}

/// Whether a column-name pattern with `*` wildcards matches a name.
pub fn wildcard_match(pattern: &str, name: &str) -> bool {
    if !pattern.contains('*') {
        return pattern == name;
    }
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut rest = name;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            match rest.strip_prefix(part) {
                Some(r) => rest = r,
                None => return false,
            }
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            match rest.find(part) {
                Some(at) => rest = &rest[at + part.len()..],
                None => return false,
            }
        }
    }
    true
}

/// Strings are never null: after joins and unions, fill them with "".
pub fn fill_strings(frame: DataFrame, span: Span) -> Result<DataFrame, QueryError> {
    crate::data::normalize::fill_string_nulls(frame).map_err(|e| polars_error(e, span))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards() {
        assert!(wildcard_match("Initiating*", "InitiatingProcessSHA1"));
        assert!(wildcard_match("*SHA1", "InitiatingProcessSHA1"));
        assert!(wildcard_match("I*SHA*", "InitiatingProcessSHA1"));
        assert!(!wildcard_match("Device*", "InitiatingProcessSHA1"));
        assert!(wildcard_match("A", "A"));
    }

    #[test]
    fn unique_names_get_suffixes() {
        let taken = vec!["count_".to_string(), "count_1".to_string()];
        assert_eq!(unique_name("count_", &taken), "count_2");
        assert_eq!(unique_name("x", &taken), "x");
    }
}
