//! An aggregate computed by Rust code over each group's values (the
//! sketches of `hll` and `tdigest`, the `binary_all_*` folds), as one
//! Polars expression that gives one value per group.

use polars::prelude::*;

/// Runs `f` on each group's input columns; `f` returns one dynamic
/// (binary JSON) value.
pub(super) fn per_group<F>(inputs: Vec<Expr>, f: F) -> Expr
where
    F: Fn(&mut [Column]) -> PolarsResult<Column> + 'static + Send + Sync,
{
    apply_multiple(f, inputs, binary_field, true)
}

/// Runs `f` on each group's input columns; `f` returns one long.
pub(super) fn per_group_long<F>(inputs: Vec<Expr>, f: F) -> Expr
where
    F: Fn(&mut [Column]) -> PolarsResult<Column> + 'static + Send + Sync,
{
    apply_multiple(f, inputs, long_field, true)
}

fn long_field(_: &Schema, f: &[Field]) -> PolarsResult<Field> {
    Ok(Field::new(
        f.first().map_or_else(|| "".into(), |f| f.name().clone()),
        DataType::Int64,
    ))
}

fn binary_field(_: &Schema, f: &[Field]) -> PolarsResult<Field> {
    Ok(Field::new(
        f.first().map_or_else(|| "".into(), |f| f.name().clone()),
        DataType::Binary,
    ))
}

/// One JSON value (or null) as the one-row column a group gives.
pub(super) fn json_column(j: Option<serde_json::Value>) -> Column {
    let bytes: Option<Vec<u8>> = j.map(|j| j.to_string().into_bytes());
    Column::new("".into(), [bytes])
}
