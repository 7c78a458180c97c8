//! `partition by Col (subquery)`: the subquery runs on each key's rows and
//! the results are stacked; `{ query }` runs a query with its own source
//! once per key, the key bound to the column's name. Kusto documents `{}`
//! for the legacy strategy only, but its own examples use it with
//! `hint.strategy=native` too, so any strategy takes it.

use polars::prelude::*;

use super::gather;
use super::groups::group_ids;
use super::union::concat_outer;
use crate::kql::ast::{Ident, OpOption, PartitionBody, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::run::{Binding, Runner};
use crate::kql::value::{Scalar, series_to_text};

/// Kusto's limit on partitions under the legacy strategy (the default).
const LEGACY_PARTITIONS: usize = 64;

impl Runner<'_> {
    /// `partition [hint.strategy=s] by Col (ops)` or `{ query }`.
    pub(super) fn op_partition(
        &self,
        options: &[OpOption],
        by: &Ident,
        body: &PartitionBody,
        frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let strategy = options
            .iter()
            .find(|o| o.name.name == "hint.strategy")
            .map(|o| (o.value.name.as_str(), o.value.span));
        let key = frame.column(&by.name).map_err(|_| {
            let names: Vec<&str> = frame
                .get_column_names()
                .into_iter()
                .map(|s| s.as_str())
                .collect();
            QueryError::unknown(
                format!(
                    "unknown column '{}'{}",
                    by.name,
                    did_you_mean(&by.name, names)
                ),
                by.span,
            )
        })?;
        let key = key.as_materialized_series().clone();
        let parts = partitions(&key, self)?;
        let legacy = strategy.is_none_or(|(s, _)| s == "legacy");
        if legacy && parts.len() > LEGACY_PARTITIONS {
            return Err(QueryError::runtime(
                format!(
                    "partition by {} makes {} partitions; the legacy strategy (the default) takes at most {LEGACY_PARTITIONS}: add hint.strategy=native",
                    by.name,
                    parts.len()
                ),
                Some(by.span),
            ));
        }
        let mut results = Vec::with_capacity(parts.len());
        for rows in &parts {
            self.check_cancel()?;
            let idx = IdxCa::from_vec("".into(), rows.clone());
            let out = match body {
                PartitionBody::Ops(ops) => {
                    let sub = gather(&frame, &idx, self.cancel(), span)?;
                    self.operators(ops, sub, None)?
                }
                PartitionBody::Query(query) => {
                    let value = Scalar::from_series(&key, rows[0] as usize);
                    let mut scope = self.scope.clone();
                    scope.insert(by.name.clone(), Binding::Scalar(value));
                    self.nested(scope)?.pipeline(query, None)?
                }
            };
            results.push(out);
        }
        if results.is_empty() {
            // No rows: the columns still follow the subquery.
            return match body {
                PartitionBody::Ops(ops) => Ok(self.operators(ops, frame.head(Some(0)), None)?),
                PartitionBody::Query(_) => Ok(frame.head(Some(0))),
            };
        }
        concat_outer(results, span)
    }
}

/// The rows of each key, keys in order of first appearance. Keys the fast
/// grouping cannot read (dynamic values) are grouped by their text.
fn partitions(key: &Series, runner: &Runner) -> Result<Vec<Vec<IdxSize>>, QueryError> {
    let groups = match group_ids(std::slice::from_ref(key), runner.cancel())? {
        Some(g) => g,
        None => {
            let text = series_to_text(key).into_series();
            group_ids(&[text], runner.cancel())?.ok_or_else(|| {
                QueryError::runtime(
                    format!("cannot partition by a column of type {}", key.dtype()),
                    None,
                )
            })?
        }
    };
    let mut parts: Vec<Vec<IdxSize>> = vec![Vec::new(); groups.first_rows.len()];
    for (row, &g) in groups.ids.iter().enumerate() {
        parts[g as usize].push(row as IdxSize);
    }
    Ok(parts)
}
