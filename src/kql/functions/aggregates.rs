//! Aggregation functions of `summarize`. Each entry says how to compute it
//! as Polars expressions over columns holding its evaluated arguments.

use polars::prelude::*;

use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::Scalar;

/// What `summarize` has prepared for one aggregate call.
pub struct AggInput<'a> {
    pub name: &'a str,
    /// Per argument: the working column holding its values, `None` for `*`
    /// or a constant.
    pub columns: Vec<Option<String>>,
    /// Per argument: its value when constant.
    pub constants: Vec<Option<Scalar>>,
    /// Per argument: the column it names, if it is a plain column (for the
    /// default output name: `max(x)` is `max_x`).
    pub arg_names: Vec<Option<String>>,
    /// Per argument: the KQL type of its values, when known.
    pub kinds: Vec<Option<KqlType>>,
    /// The working column holding each row's index in the input.
    pub row_index: &'a str,
    pub span: crate::kql::ast::Span,
}

impl AggInput<'_> {
    pub(super) fn col(&self, i: usize) -> Result<Expr, QueryError> {
        match self.columns.get(i) {
            Some(Some(c)) => Ok(col(c.as_str())),
            _ => Err(QueryError::type_error(
                format!(
                    "argument {} of {}() must be a column or expression",
                    i + 1,
                    self.name
                ),
                self.span,
            )),
        }
    }
    pub(super) fn limit(&self, i: usize, default: usize) -> Result<usize, QueryError> {
        match self.constants.get(i) {
            None => Ok(default),
            Some(Some(Scalar::Long(n))) if *n > 0 => Ok(*n as usize),
            Some(Some(Scalar::Int(n))) if *n > 0 => Ok(*n as usize),
            _ => Err(QueryError::type_error(
                format!(
                    "argument {} of {}() must be a positive constant",
                    i + 1,
                    self.name
                ),
                self.span,
            )),
        }
    }
    /// `prefix_x` for a plain column argument, else `prefix_`.
    pub(super) fn default_name(&self, prefix: &str) -> String {
        match self.arg_names.first() {
            Some(Some(n)) => format!("{prefix}_{n}"),
            _ => format!("{prefix}_"),
        }
    }
}

/// How to turn the aggregated Polars column into KQL's.
#[derive(Debug, Clone, PartialEq)]
pub enum Post {
    /// Already the right type (numbers are widened to long).
    None,
    /// A list per group becomes a dynamic array.
    Array,
    /// A list of property bags per group is merged into one bag.
    MergeBags,
    /// A list of dynamic values per group becomes the set of their
    /// elements: arrays are flattened one level, duplicates dropped, at most
    /// this many kept.
    DynamicSet(usize),
    /// A list of dynamic values per group becomes one array: arrays are
    /// concatenated (flattened one level), other values kept as elements
    /// (a null row as null), at most this many elements kept. Kusto's
    /// `make_list` of arrays gives their elements, as its documentation's
    /// examples build MultiPolygon coordinates with it.
    DynamicList(usize),
    /// The value is a row index; the caller fetches input columns of that
    /// row.
    Gather(Gathered),
}

/// The input columns an aggregate fetches from the row it picked.
#[derive(Debug, Clone, PartialEq)]
pub struct Gathered {
    /// These columns; `None` for every column not already out
    /// (`arg_max(x, *)`).
    pub columns: Option<Vec<String>>,
    /// Put before each fetched column's name: the deprecated
    /// `argmax(Price, Supplier)` names it `max_Price_Supplier`.
    pub prefix: String,
    /// A column `*` leaves out (argmax's first argument, already out
    /// under its prefixed name).
    pub skip: Option<String>,
}

impl Gathered {
    /// The columns of `columns` (every one for `None`), named as they are.
    fn as_named(columns: Option<Vec<String>>) -> Post {
        Post::Gather(Gathered {
            columns,
            prefix: String::new(),
            skip: None,
        })
    }
}

/// One output column of an aggregate.
pub struct AggOutput {
    /// The name Kusto gives it when the user gives none.
    pub name: String,
    pub expr: Expr,
    /// Whether the expression yields several values per group (a list).
    pub is_list: bool,
    pub post: Post,
}

pub type AggPlan = fn(&AggInput) -> Result<Vec<AggOutput>, QueryError>;

/// An aggregation function: name, argument count, and its plan.
pub struct AggregateFunction {
    pub name: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    pub plan: AggPlan,
}

pub(super) fn one(name: String, expr: Expr) -> Result<Vec<AggOutput>, QueryError> {
    Ok(vec![AggOutput {
        name,
        expr,
        is_list: false,
        post: Post::None,
    }])
}

pub(super) fn list(name: String, expr: Expr, post: Post) -> Result<Vec<AggOutput>, QueryError> {
    Ok(vec![AggOutput {
        name,
        expr,
        is_list: true,
        post,
    }])
}

/// The predicate argument of an `...if` aggregate: null counts as false.
pub(super) fn pred(a: &AggInput, i: usize) -> Result<Expr, QueryError> {
    Ok(a.col(i)?.fill_null(lit(false)))
}

/// `count()` counts records; summarize-operator.md shows `count(y)` too
/// counting every record, nulls included, named `count_y`.
fn count(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one(a.default_name("count"), len().cast(DataType::Int64))
}

fn countif(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one("countif_".into(), pred(a, 0)?.sum().cast(DataType::Int64))
}

fn dcount(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one(
        a.default_name("dcount"),
        a.col(0)?.drop_nulls().n_unique().cast(DataType::Int64),
    )
}

fn dcountif(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one(
        a.default_name("dcountif"),
        a.col(0)?
            .filter(pred(a, 1)?)
            .drop_nulls()
            .n_unique()
            .cast(DataType::Int64),
    )
}

fn count_distinct(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one(
        a.default_name("count_distinct"),
        a.col(0)?.drop_nulls().n_unique().cast(DataType::Int64),
    )
}

/// `count_distinctif(x, predicate)`: the distinct values of `x` among the
/// rows where the predicate holds (nulls not counted).
fn count_distinctif(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one(
        a.default_name("count_distinctif"),
        a.col(0)?
            .filter(pred(a, 1)?)
            .drop_nulls()
            .n_unique()
            .cast(DataType::Int64),
    )
}

/// What `sum` adds up: ints as longs, as Kusto sums them (an int column's
/// total easily exceeds an int).
fn addends(a: &AggInput) -> Result<Expr, QueryError> {
    let x = a.col(0)?;
    Ok(match a.kinds.first() {
        Some(Some(KqlType::Int)) => x.cast(DataType::Int64),
        _ => x,
    })
}

/// Whether the first argument is a decimal (summed and averaged exactly).
fn of_decimals(a: &AggInput) -> bool {
    a.kinds.first() == Some(&Some(KqlType::Decimal))
}

/// The first argument as the user wrote it, for messages.
fn first_arg(a: &AggInput) -> String {
    a.arg_names
        .first()
        .cloned()
        .flatten()
        .unwrap_or_else(|| "x".into())
}

fn sum(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    if of_decimals(a) {
        let sum = super::decimal::sum_expr(a.col(0)?, a.name, &first_arg(a));
        return one(a.default_name("sum"), sum);
    }
    one(a.default_name("sum"), addends(a)?.sum())
}

fn sumif(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    if of_decimals(a) {
        let x = a.col(0)?.filter(pred(a, 1)?);
        let sum = super::decimal::sum_expr(x, a.name, &first_arg(a));
        return one(a.default_name("sumif"), sum);
    }
    one(
        a.default_name("sumif"),
        addends(a)?.filter(pred(a, 1)?).sum(),
    )
}

/// The mean of `x`: a real for numbers, the same type for datetimes and
/// timespans (the mean of their ticks).
fn mean(a: &AggInput, x: Expr) -> Expr {
    match a.kinds.first() {
        Some(Some(k @ (KqlType::Datetime | KqlType::Timespan))) => x
            .cast(DataType::Int64)
            .cast(DataType::Float64)
            .mean()
            .round(0, RoundMode::HalfToEven)
            .cast(DataType::Int64)
            .cast(k.polars()),
        _ => x.cast(DataType::Float64).mean(),
    }
}

/// `avg(x)`: of no rows at all (an empty input), a number's average is NaN,
/// as summarize-operator.md prints it ("dividing by 0"); a time's is null.
fn avg(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    if of_decimals(a) {
        let avg = super::decimal::avg_expr(a.col(0)?, a.name, &first_arg(a));
        return one(a.default_name("avg"), avg);
    }
    let avg = mean(a, a.col(0)?);
    let avg = match a.kinds.first() {
        Some(Some(KqlType::Datetime | KqlType::Timespan)) => avg,
        _ => when(len().eq(lit(0))).then(lit(f64::NAN)).otherwise(avg),
    };
    one(a.default_name("avg"), avg)
}

fn avgif(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    if of_decimals(a) {
        let x = a.col(0)?.filter(pred(a, 1)?);
        let avg = super::decimal::avg_expr(x, a.name, &first_arg(a));
        return one(a.default_name("avgif"), avg);
    }
    one(
        a.default_name("avgif"),
        mean(a, a.col(0)?.filter(pred(a, 1)?)),
    )
}

fn min(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one(a.default_name("min"), a.col(0)?.min())
}

fn max(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one(a.default_name("max"), a.col(0)?.max())
}

fn minif(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one(a.default_name("minif"), a.col(0)?.filter(pred(a, 1)?).min())
}

fn maxif(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    one(a.default_name("maxif"), a.col(0)?.filter(pred(a, 1)?).max())
}

fn stdev(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let x = a.col(0)?.cast(DataType::Float64);
    one(a.default_name("stdev"), zero_when_none(x.clone(), x.std(1)))
}

fn variance(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let x = a.col(0)?.cast(DataType::Float64);
    one(
        a.default_name("variance"),
        zero_when_none(x.clone(), x.var(1)),
    )
}

/// `spread` of the values of `x`, or 0 when `x` has no (non-null) value:
/// the documented default of `stdev`, `variance` and their `if` forms
/// (summarize-operator.md, "Default values of aggregations").
pub(super) fn zero_when_none(x: Expr, spread: Expr) -> Expr {
    when(x.count().eq(lit(0))).then(lit(0.0)).otherwise(spread)
}

fn percentile(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let p = match a.constants.get(1) {
        Some(Some(Scalar::Long(p))) => *p as f64,
        Some(Some(Scalar::Int(p))) => f64::from(*p),
        Some(Some(Scalar::Real(p))) => *p,
        _ => {
            return Err(QueryError::type_error(
                "percentile() needs a constant percentage",
                a.span,
            ));
        }
    };
    let name = match a.arg_names.first() {
        Some(Some(n)) => format!("percentile_{n}_{}", p.to_string().replace('.', "_")),
        _ => format!("percentile__{}", p.to_string().replace('.', "_")),
    };
    one(name, super::statistics::percentile_of(a, p)?)
}

/// `take_any(x)`: documented to return a non-null, non-empty value of a
/// single column when the group has one; `take_any(x, y, ...)` takes every
/// value from one row; `take_any(*)` every column. The deprecated `any()`
/// prefixes its columns with `any_`.
fn take_any(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let prefix = if a.name == "any" { "any_" } else { "" };
    let star = a
        .columns
        .iter()
        .zip(&a.constants)
        .any(|(c, k)| c.is_none() && k.is_none());
    if star {
        return Ok(vec![AggOutput {
            name: String::new(),
            expr: col(a.row_index).first(),
            is_list: false,
            post: Gathered::as_named(None),
        }]);
    }
    let name = |i: usize| match a.arg_names.get(i) {
        Some(Some(n)) => format!("{prefix}{n}"),
        _ if a.columns.len() == 1 => format!("{}_", a.name),
        _ => format!("{}_{i}", a.name),
    };
    if a.columns.len() == 1 {
        let x = a.col(0)?;
        // Strings are never null: "" is their missing value.
        let present = match a.kinds.first() {
            Some(Some(KqlType::String)) => x.clone().neq(lit("")),
            _ => x.clone().is_not_null(),
        };
        let expr = x.clone().filter(present).first().fill_null(x.first());
        return one(name(0), expr);
    }
    // One row for all of them: the group's first.
    (0..a.columns.len())
        .map(|i| {
            Ok(AggOutput {
                name: name(i),
                expr: a.col(i)?.first(),
                is_list: false,
                post: Post::None,
            })
        })
        .collect()
}

/// `take_anyif(x, predicate)`: a value of `x` from a row where the
/// predicate holds (a non-null, non-empty one when there is one); null when
/// it holds for none. Named like `take_any(x)`: the column's own name.
fn take_anyif(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let prefix = if a.name == "anyif" { "any_" } else { "" };
    let name = match a.arg_names.first() {
        Some(Some(n)) => format!("{prefix}{n}"),
        _ => format!("{}_", a.name),
    };
    let x = a.col(0)?;
    let chosen = x.clone().filter(pred(a, 1)?);
    let present = match a.kinds.first() {
        Some(Some(KqlType::String)) => chosen.clone().neq(lit("")),
        _ => chosen.clone().is_not_null(),
    };
    let expr = chosen
        .clone()
        .filter(present)
        .first()
        .fill_null(chosen.first());
    one(name, expr)
}

/// The distinct values of `x` (already filtered), at most `n`. Documented:
/// the set of an array column is the set of the arrays' elements.
fn set_of(a: &AggInput, x: Expr, n: usize) -> Result<Vec<AggOutput>, QueryError> {
    if let Some(Some(KqlType::Dynamic)) = a.kinds.first() {
        return list(a.default_name("set"), x.drop_nulls(), Post::DynamicSet(n));
    }
    list(
        a.default_name("set"),
        x.drop_nulls().unique_stable().head(Some(n)),
        Post::Array,
    )
}

fn make_set(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let n = a.limit(1, 1_048_576)?;
    set_of(a, a.col(0)?, n)
}

fn make_set_if(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let n = a.limit(2, 1_048_576)?;
    set_of(a, a.col(0)?.filter(pred(a, 1)?), n)
}

/// The values of `x` (already filtered) in row order, at most `n`; the
/// arrays of a dynamic column contribute their elements.
fn list_of(a: &AggInput, x: Expr, n: usize) -> Result<Vec<AggOutput>, QueryError> {
    if let Some(Some(KqlType::Dynamic)) = a.kinds.first() {
        return list(a.default_name("list"), x, Post::DynamicList(n));
    }
    list(a.default_name("list"), x.head(Some(n)), Post::Array)
}

fn make_list(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let n = a.limit(1, 1_048_576)?;
    list_of(a, a.col(0)?.drop_nulls(), n)
}

fn make_list_if(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let n = a.limit(2, 1_048_576)?;
    list_of(a, a.col(0)?.filter(pred(a, 1)?).drop_nulls(), n)
}

fn make_list_with_nulls(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let n = a.limit(1, 1_048_576)?;
    list_of(a, a.col(0)?, n)
}

fn make_bag(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let n = a.limit(1, 1_048_576)?;
    list(
        a.default_name("bag"),
        a.col(0)?.drop_nulls().head(Some(n)),
        Post::MergeBags,
    )
}

/// How an arg_min-like aggregate names its columns.
#[derive(Clone, Copy, PartialEq)]
enum ArgNaming {
    /// `arg_max(Price, Supplier)`: `Price`, `Supplier`.
    Plain,
    /// The deprecated `argmax(Price, Supplier)`: `max_Price`,
    /// `max_Price_Supplier`, every column prefixed, as Kusto.Language's
    /// `argmax` names them (its result-name prefix applies to each).
    Prefixed,
}

/// `arg_min(x, cols...)` / `arg_max(x, *)`: the extreme value, then the
/// other columns of a row where it occurs.
fn arg_extreme(
    a: &AggInput,
    is_max: bool,
    naming: ArgNaming,
) -> Result<Vec<AggOutput>, QueryError> {
    let x = a.col(0)?;
    let extreme = if is_max {
        x.clone().max()
    } else {
        x.clone().min()
    };
    let prefix = if is_max { "max" } else { "min" };
    let primary = a.arg_names.first().cloned().flatten();
    let first_name = match (&primary, naming) {
        (Some(n), ArgNaming::Plain) => n.clone(),
        (Some(n), ArgNaming::Prefixed) => format!("{prefix}_{n}"),
        (None, _) => format!("{prefix}_"),
    };
    // Rows where x is null are ignored, unless x is null in the whole
    // group: then (documented) one row of the group is picked.
    let row = col(a.row_index)
        .filter(x.eq(extreme.clone()))
        .first()
        .fill_null(col(a.row_index).first());
    let columns = if a.columns.len() > 1 && a.columns[1..].iter().any(Option::is_none) {
        None
    } else {
        Some(
            a.arg_names[1..]
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    n.clone()
                        .unwrap_or_else(|| format!("{}{}", first_name, i + 1))
                })
                .collect(),
        )
    };
    let gathered = match naming {
        ArgNaming::Plain => Gathered::as_named(columns),
        ArgNaming::Prefixed => Post::Gather(Gathered {
            columns,
            prefix: format!("{first_name}_"),
            skip: primary,
        }),
    };
    Ok(vec![
        AggOutput {
            name: first_name,
            expr: extreme,
            is_list: false,
            post: Post::None,
        },
        AggOutput {
            name: String::new(),
            expr: row,
            is_list: false,
            post: gathered,
        },
    ])
}

fn arg_min(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    arg_extreme(a, false, ArgNaming::Plain)
}

fn arg_max(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    arg_extreme(a, true, ArgNaming::Plain)
}

/// The deprecated `argmin()`: `arg_min` with every column prefixed.
fn argmin(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    arg_extreme(a, false, ArgNaming::Prefixed)
}

/// The deprecated `argmax()`: `arg_max` with every column prefixed.
fn argmax(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    arg_extreme(a, true, ArgNaming::Prefixed)
}

const MANY: usize = usize::MAX;

/// Every aggregation function.
pub static AGGREGATES: &[AggregateFunction] = &[
    AggregateFunction {
        name: "count",
        min_args: 0,
        max_args: 1,
        plan: count,
    },
    AggregateFunction {
        name: "countif",
        min_args: 1,
        max_args: 1,
        plan: countif,
    },
    AggregateFunction {
        name: "dcount",
        min_args: 1,
        max_args: 2,
        plan: dcount,
    },
    AggregateFunction {
        name: "dcountif",
        min_args: 2,
        max_args: 3,
        plan: dcountif,
    },
    AggregateFunction {
        name: "count_distinct",
        min_args: 1,
        max_args: 1,
        plan: count_distinct,
    },
    AggregateFunction {
        name: "count_distinctif",
        min_args: 2,
        max_args: 2,
        plan: count_distinctif,
    },
    AggregateFunction {
        name: "sum",
        min_args: 1,
        max_args: 1,
        plan: sum,
    },
    AggregateFunction {
        name: "sumif",
        min_args: 2,
        max_args: 2,
        plan: sumif,
    },
    AggregateFunction {
        name: "avg",
        min_args: 1,
        max_args: 1,
        plan: avg,
    },
    AggregateFunction {
        name: "avgif",
        min_args: 2,
        max_args: 2,
        plan: avgif,
    },
    AggregateFunction {
        name: "min",
        min_args: 1,
        max_args: 1,
        plan: min,
    },
    AggregateFunction {
        name: "max",
        min_args: 1,
        max_args: 1,
        plan: max,
    },
    AggregateFunction {
        name: "minif",
        min_args: 2,
        max_args: 2,
        plan: minif,
    },
    AggregateFunction {
        name: "maxif",
        min_args: 2,
        max_args: 2,
        plan: maxif,
    },
    AggregateFunction {
        name: "stdev",
        min_args: 1,
        max_args: 1,
        plan: stdev,
    },
    AggregateFunction {
        name: "variance",
        min_args: 1,
        max_args: 1,
        plan: variance,
    },
    AggregateFunction {
        name: "percentile",
        min_args: 2,
        max_args: 2,
        plan: percentile,
    },
    AggregateFunction {
        name: "take_any",
        min_args: 1,
        max_args: MANY,
        plan: take_any,
    },
    AggregateFunction {
        name: "take_anyif",
        min_args: 2,
        max_args: 2,
        plan: take_anyif,
    },
    AggregateFunction {
        name: "anyif",
        min_args: 2,
        max_args: 2,
        plan: take_anyif,
    },
    AggregateFunction {
        name: "any",
        min_args: 1,
        max_args: MANY,
        plan: take_any,
    },
    AggregateFunction {
        name: "make_set",
        min_args: 1,
        max_args: 2,
        plan: make_set,
    },
    AggregateFunction {
        name: "makeset",
        min_args: 1,
        max_args: 2,
        plan: make_set,
    },
    AggregateFunction {
        name: "make_set_if",
        min_args: 2,
        max_args: 3,
        plan: make_set_if,
    },
    AggregateFunction {
        name: "make_list",
        min_args: 1,
        max_args: 2,
        plan: make_list,
    },
    AggregateFunction {
        name: "makelist",
        min_args: 1,
        max_args: 2,
        plan: make_list,
    },
    AggregateFunction {
        name: "make_list_if",
        min_args: 2,
        max_args: 3,
        plan: make_list_if,
    },
    AggregateFunction {
        name: "make_list_with_nulls",
        min_args: 1,
        max_args: 2,
        plan: make_list_with_nulls,
    },
    AggregateFunction {
        name: "make_bag",
        min_args: 1,
        max_args: 2,
        plan: make_bag,
    },
    AggregateFunction {
        name: "arg_min",
        min_args: 1,
        max_args: MANY,
        plan: arg_min,
    },
    AggregateFunction {
        name: "arg_max",
        min_args: 1,
        max_args: MANY,
        plan: arg_max,
    },
    AggregateFunction {
        name: "argmin",
        min_args: 1,
        max_args: MANY,
        plan: argmin,
    },
    AggregateFunction {
        name: "argmax",
        min_args: 1,
        max_args: MANY,
        plan: argmax,
    },
];

/// The aggregation function of this name.
pub fn lookup(name: &str) -> Option<&'static AggregateFunction> {
    AGGREGATES
        .iter()
        .chain(super::statistics::AGGREGATES)
        .chain(super::weighted::AGGREGATES)
        .chain(super::hll::AGGREGATES)
        .chain(super::tdigest::AGGREGATES)
        .chain(super::bitwise_aggregates::AGGREGATES)
        .chain(super::schema_aggregate::AGGREGATES)
        .find(|a| a.name == name)
}
