//! `buildschema(DynamicExpr)`: the smallest schema that admits every
//! dynamic value of a group, as Kusto writes it: a value's type name
//! (`long`, `double`, `string`, `bool`), a container (a bag's properties,
//! an array's elements under the key `` `indexer` ``), or an array of the
//! alternatives when values differ, in order of first appearance. Nulls
//! add nothing; a group of nulls (or no rows) gives null.

use serde_json::{Map, Value as Json};

use super::aggregates::{AggInput, AggOutput, AggregateFunction, Post};
use super::group_udf::{json_column, per_group};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::Scalar;

/// The aggregates of this family, as `aggregates::lookup` finds them.
pub const AGGREGATES: &[AggregateFunction] = &[AggregateFunction {
    name: "buildschema",
    min_args: 1,
    max_args: 1,
    plan: build,
}];

/// The key Kusto gives an array's elements in a schema.
const INDEXER: &str = "`indexer`";

/// The schema of some values: their alternatives, the type names and at
/// most one container, in order of first appearance.
#[derive(Default)]
struct Schema {
    types: Vec<&'static str>,
    /// Properties (and an array's `indexer`) in order of first appearance.
    container: Option<Vec<(String, Schema)>>,
    /// How many type names came before the container.
    container_at: usize,
}

impl Schema {
    fn add(&mut self, v: &Json) {
        let name = match v {
            Json::Null => return,
            Json::Bool(_) => "bool",
            Json::Number(n) if n.is_i64() || n.is_u64() => "long",
            Json::Number(_) => "double",
            Json::String(_) => "string",
            Json::Array(items) => {
                let container = self.container();
                for item in items {
                    entry(container, INDEXER).add(item);
                }
                return;
            }
            Json::Object(bag) => {
                let container = self.container();
                for (k, item) in bag {
                    if !item.is_null() {
                        entry(container, k).add(item);
                    }
                }
                return;
            }
        };
        if !self.types.contains(&name) {
            self.types.push(name);
        }
    }

    /// The container alternative, made on first use.
    fn container(&mut self) -> &mut Vec<(String, Schema)> {
        if self.container.is_none() {
            self.container_at = self.types.len();
        }
        self.container.get_or_insert_with(Vec::new)
    }

    fn to_json(&self) -> Json {
        let mut all: Vec<Json> = self
            .types
            .iter()
            .map(|t| Json::String((*t).to_string()))
            .collect();
        if let Some(c) = &self.container {
            let bag: Map<String, Json> = c.iter().map(|(k, s)| (k.clone(), s.to_json())).collect();
            all.insert(self.container_at, Json::Object(bag));
        }
        match all.len() {
            0 => Json::Null,
            1 => all.remove(0),
            _ => Json::Array(all),
        }
    }
}

/// The schema under `key` of a container, added if missing.
fn entry<'a>(container: &'a mut Vec<(String, Schema)>, key: &str) -> &'a mut Schema {
    let at = match container.iter().position(|(k, _)| k == key) {
        Some(i) => i,
        None => {
            container.push((key.to_string(), Schema::default()));
            container.len() - 1
        }
    };
    &mut container[at].1
}

fn build(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    if let Some(Some(kind)) = a.kinds.first()
        && *kind != KqlType::Dynamic
    {
        return Err(QueryError::type_error(
            format!(
                "buildschema() needs a dynamic value (parse_json() reads JSON text), not {kind}"
            ),
            a.span,
        ));
    }
    let expr = per_group(vec![a.col(0)?], |cols: &mut [polars::prelude::Column]| {
        let values = cols[0].as_materialized_series();
        let mut schema = Schema::default();
        for i in 0..values.len() {
            if let Scalar::Dynamic(j) = Scalar::from_series(values, i) {
                schema.add(&j);
            }
        }
        let json = schema.to_json();
        Ok(json_column((!json.is_null()).then_some(json)))
    });
    Ok(vec![AggOutput {
        name: a.default_name("schema"),
        expr,
        is_list: false,
        post: Post::None,
    }])
}
