//! The pattern-mining plugins a hunter reaches for when a query returns
//! thousands of hits: `evaluate autocluster()`, `basket()`,
//! `diffpatterns()` and `diffpatterns_text()`.
//!
//! All four see the input as dimensions: every column (but the weight and
//! split columns) is one, and a row's value in it is an *item*. A
//! *pattern* fixes the values of some dimensions and leaves the others
//! free (a *wildcard*); it covers the rows that have all its values, and
//! its count is their weight (1 a row, or the weight column's value).
//! Every value is an item, the empty string and null included (null
//! reads as the default wildcard, as the documentation warns: pass a
//! CustomWildcard such as `'*'` when that matters).
//!
//! - [`autocluster`]: a few patterns found by local search from seed rows
//!   (Seed-Expand), scored by a weighted geometric mean of coverage and
//!   of the share of dimensions fixed.
//! - [`basket`]: every closed pattern covering at least Threshold of the
//!   rows (Apriori over the patterns' generators, see [`frequent`]).
//! - [`diffpatterns`]: the patterns whose share differs by at least
//!   Threshold between two sets of rows, no pattern refining another.
//! - [`text`]: `diffpatterns_text`, the same over the first tokens of a
//!   text column, position by position.
//!
//! Arguments are positional, and `'~'` stands for a default. The output
//! has one row per pattern, then one column per dimension (in the input's
//! order) holding the pattern's value or the wildcard: null, "" for
//! strings, or the CustomWildcard given for the column's type.

mod autocluster;
mod basket;
mod bits;
mod diffpatterns;
mod frequent;
mod text;

use std::collections::HashMap;

use polars::prelude::*;

use super::groups::group_ids;
use super::polars_error;
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind, Literal, Span};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::functions::scalars_to_series;
use crate::kql::limits::Cancel;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, series_to_text};
use bits::Weights;

/// The code of "no value here" (a position past the end of a text): never
/// an item.
const ABSENT: u32 = u32::MAX;

/// A value of one dimension: (dimension, code).
type Item = (u32, u32);

/// One dimension: each row's value as a code, `0..distinct` (or
/// [`ABSENT`]).
struct Dim {
    codes: Vec<u32>,
    distinct: u32,
}

/// The rows as the miners see them.
struct Table {
    dims: Vec<Dim>,
    weights: Weights,
    len: usize,
}

/// Where the output finds a dimension's values: the input column, and
/// the first row of each code.
struct Source {
    name: String,
    series: Series,
    first_rows: Vec<IdxSize>,
}

/// The input's columns, but `except`, as dimensions.
fn dimensions(
    frame: &DataFrame,
    except: &[&str],
    weights: Weights,
    cancel: Cancel,
) -> Result<(Table, Vec<Source>), QueryError> {
    let mut dims = Vec::new();
    let mut sources = Vec::new();
    for column in frame.columns() {
        if except.contains(&column.name().as_str()) {
            continue;
        }
        cancel.check()?;
        let series = column.as_materialized_series();
        let (codes, first_rows) = encode(series, cancel)?;
        dims.push(Dim {
            codes,
            distinct: first_rows.len() as u32,
        });
        sources.push(Source {
            name: column.name().to_string(),
            series: series.clone(),
            first_rows,
        });
    }
    let table = Table {
        dims,
        weights,
        len: frame.height(),
    };
    Ok((table, sources))
}

/// Each row's code in `series` (equal values, equal codes; numbered in
/// order of first appearance), and the first row of each code.
fn encode(series: &Series, cancel: Cancel) -> Result<(Vec<u32>, Vec<IdxSize>), QueryError> {
    if let Some(groups) = group_ids(std::slice::from_ref(series), cancel)? {
        return Ok((groups.ids, groups.first_rows));
    }
    // Types the grouping does not read (dynamic) compare by their text.
    let text = series_to_text(series);
    let mut seen: HashMap<Option<&str>, u32> = HashMap::new();
    let mut first_rows = Vec::new();
    let codes = text
        .iter()
        .enumerate()
        .map(|(r, t)| {
            *seen.entry(t).or_insert_with(|| {
                first_rows.push(r as IdxSize);
                first_rows.len() as u32 - 1
            })
        })
        .collect();
    Ok((codes, first_rows))
}

/// The positional arguments of one plugin call, `'~'` meaning "the
/// default".
struct Args<'r> {
    plugin: &'static str,
    args: &'r [Expr],
}

impl<'r> Args<'r> {
    /// At most `max` arguments (`None`: any number), none of them named.
    fn new(
        plugin: &'static str,
        args: &'r [Expr],
        max: Option<(usize, &str)>,
    ) -> Result<Args<'r>, QueryError> {
        if let Some(a) = args
            .iter()
            .find(|a| matches!(a.kind, ExprKind::NamedArg { .. }))
        {
            return Err(QueryError::type_error(
                format!("{plugin}() takes its arguments by position, not by name"),
                a.span,
            ));
        }
        if let Some((max, names)) = max
            && let Some(extra) = args.get(max)
        {
            return Err(QueryError::type_error(
                format!("{plugin}() takes at most {max} arguments: {names}"),
                extra.span,
            ));
        }
        Ok(Args { plugin, args })
    }

    /// The argument at `i`, unless it is missing or `'~'`.
    fn given(&self, i: usize) -> Option<&'r Expr> {
        self.args.get(i).filter(|a| !is_tilde(a))
    }

    /// A number argument within `valid` (described as `range`).
    fn number(
        &self,
        runner: &Runner,
        i: usize,
        name: &str,
        valid: impl Fn(f64) -> bool,
        range: &str,
    ) -> Result<Option<f64>, QueryError> {
        let Some(e) = self.given(i) else {
            return Ok(None);
        };
        let value = match runner.eval_scalar(e, &DataFrame::empty())? {
            Scalar::Real(v) => Some(v),
            Scalar::Long(v) => Some(v as f64),
            Scalar::Int(v) => Some(f64::from(v)),
            _ => None,
        };
        match value {
            Some(v) if valid(v) => Ok(Some(v)),
            _ => Err(self.bad(runner, e, name, range)),
        }
    }

    /// A whole-number argument from `min` to `max`.
    fn whole(
        &self,
        runner: &Runner,
        i: usize,
        name: &str,
        min: i64,
        max: i64,
    ) -> Result<Option<i64>, QueryError> {
        let Some(e) = self.given(i) else {
            return Ok(None);
        };
        let value = match runner.eval_scalar(e, &DataFrame::empty())? {
            Scalar::Long(v) => Some(v),
            Scalar::Int(v) => Some(i64::from(v)),
            _ => None,
        };
        let range = if max == i64::MAX {
            format!("a whole number, {min} or more")
        } else {
            format!("a whole number from {min} to {max}")
        };
        match value {
            Some(v) if (min..=max).contains(&v) => Ok(Some(v)),
            _ => Err(self.bad(runner, e, name, &range)),
        }
    }

    /// "plugin(): Name must be RANGE, not VALUE" at the argument.
    fn bad(&self, runner: &Runner, e: &Expr, name: &str, range: &str) -> QueryError {
        let shown = match runner.eval_scalar(e, &DataFrame::empty()) {
            Ok(Scalar::String(s)) => format!("the string \"{s}\""),
            Ok(Scalar::Null(k)) => format!("a null {k}"),
            Ok(s) => s.to_text().into_owned(),
            Err(_) => "that".to_string(),
        };
        QueryError::type_error(
            format!("{}(): {name} must be {range}, not {shown}", self.plugin),
            e.span,
        )
    }

    /// A column argument: a column name (or a string naming a column) of
    /// `frame`, with where it was written.
    fn column(
        &self,
        i: usize,
        name: &str,
        frame: &DataFrame,
    ) -> Result<Option<(String, Span)>, QueryError> {
        let Some(e) = self.given(i) else {
            return Ok(None);
        };
        let column = match &e.kind {
            ExprKind::Name(n) => n.clone(),
            ExprKind::Literal(Literal::String(s)) => s.clone(),
            _ => {
                return Err(QueryError::type_error(
                    format!("{}(): {name} must be a column name", self.plugin),
                    e.span,
                ));
            }
        };
        if frame.column(&column).is_err() {
            let names = frame.get_column_names();
            return Err(QueryError::unknown(
                format!(
                    "{}(): unknown column '{column}' for {name}{}",
                    self.plugin,
                    did_you_mean(&column, names.iter().map(|n| n.as_str()))
                ),
                e.span,
            ));
        }
        Ok(Some((column, e.span)))
    }

    /// The CustomWildcard arguments from `from` on: one value per type.
    fn wildcards(&self, runner: &Runner, from: usize) -> Result<Wildcards, QueryError> {
        let mut by_type = HashMap::new();
        for i in from..self.args.len() {
            let Some(e) = self.given(i) else { continue };
            let value = runner.eval_scalar(e, &DataFrame::empty())?;
            by_type.insert(value.kind(), value);
        }
        Ok(Wildcards(by_type))
    }
}

/// Whether an argument is the string `~` (use the default).
fn is_tilde(e: &Expr) -> bool {
    matches!(&e.kind, ExprKind::Literal(Literal::String(s)) if s == "~")
}

/// The value that marks a free dimension, per column type.
struct Wildcards(HashMap<KqlType, Scalar>);

impl Wildcards {
    fn of(&self, kind: KqlType) -> Scalar {
        match self.0.get(&kind) {
            Some(v) => v.clone(),
            None if kind == KqlType::String => Scalar::String(String::new()),
            None => Scalar::Null(kind),
        }
    }
}

/// The weights of the rows: 1 each, or the values of `column` (numbers,
/// integers only when `integers`), a null weight counting 0. Also says
/// whether the weights are whole numbers (counts are then `long`).
fn read_weights(
    plugin: &str,
    frame: &DataFrame,
    column: Option<&(String, Span)>,
    integers: bool,
) -> Result<(Weights, bool), QueryError> {
    let Some((name, span)) = column else {
        return Ok((Weights::Unit, true));
    };
    let series = frame
        .column(name)
        .map_err(|e| polars_error(e, *span))?
        .as_materialized_series();
    let kind = KqlType::of(series.dtype());
    let whole = matches!(kind, Some(KqlType::Int | KqlType::Long));
    if !(whole || (!integers && kind == Some(KqlType::Real))) {
        let wanted = if integers {
            "an int or long column"
        } else {
            "a numeric column (int, long or real)"
        };
        return Err(QueryError::type_error(
            format!(
                "{plugin}(): WeightColumn must be {wanted}; '{name}' is {}",
                kind.map_or("of another type", |k| k.name())
            ),
            *span,
        ));
    }
    let values = series
        .cast(&DataType::Float64)
        .map_err(|e| polars_error(e, *span))?;
    let values = values.f64().map_err(|e| polars_error(e, *span))?;
    let mut weights = Vec::with_capacity(values.len());
    for v in values.iter() {
        let w = v.unwrap_or(0.0);
        if !(w.is_finite() && w >= 0.0) {
            return Err(QueryError::runtime(
                format!("{plugin}(): WeightColumn '{name}' holds {w}; weights must be 0 or more"),
                Some(*span),
            ));
        }
        weights.push(w);
    }
    Ok((Weights::Column(weights), whole))
}

/// One output column per dimension: each pattern's value, or the
/// wildcard where the pattern leaves the dimension free.
fn dimension_columns(
    sources: &[Source],
    patterns: &[&[Item]],
    wildcards: &Wildcards,
) -> Vec<Column> {
    sources
        .iter()
        .enumerate()
        .map(|(d, source)| {
            let kind = KqlType::of(source.series.dtype()).unwrap_or(KqlType::Dynamic);
            let values = patterns
                .iter()
                .map(
                    |items| match items.iter().find(|(dim, _)| *dim as usize == d) {
                        Some(&(_, code)) => Scalar::from_series(
                            &source.series,
                            source.first_rows[code as usize] as usize,
                        ),
                        None => wildcards.of(kind),
                    },
                )
                .collect();
            scalars_to_series(&source.name, kind, values).into_column()
        })
        .collect()
}

/// A column of counts: `long` when the weights are whole numbers.
fn count_column(name: &str, counts: impl Iterator<Item = f64>, whole: bool) -> Column {
    if whole {
        Column::new(
            name.into(),
            counts.map(|c| c.round() as i64).collect::<Vec<_>>(),
        )
    } else {
        Column::new(name.into(), counts.collect::<Vec<_>>())
    }
}

/// The output frame: the leading columns, then the dimensions; strings
/// never null.
fn output(columns: Vec<Column>, rows: usize, span: Span) -> Result<DataFrame, QueryError> {
    let frame = DataFrame::new(rows, columns).map_err(|e| polars_error(e, span))?;
    super::fill_strings(frame, span)
}

/// Whether one pattern fixes all the values of the other (so the rows of
/// one are a subset of the other's).
fn nested(a: &[Item], b: &[Item]) -> bool {
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    small.iter().all(|i| large.contains(i))
}

/// `x` rounded to two decimals, as Kusto prints diffpatterns' percentages.
fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// A percentage of `total`, 0 when the total is 0.
fn percent(count: f64, total: f64) -> f64 {
    if total > 0.0 {
        100.0 * count / total
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nesting_and_rounding() {
        assert!(nested(&[(0, 1)], &[(0, 1), (2, 0)]));
        assert!(nested(&[(0, 1), (2, 0)], &[(2, 0)]));
        assert!(!nested(&[(0, 1)], &[(0, 2), (2, 0)]));
        assert_eq!(round2(42.704), 42.7);
        assert_eq!(round2(14.997), 15.0);
        assert_eq!(percent(1.0, 0.0), 0.0);
    }

    #[test]
    fn encoding_numbers_values_in_order_of_appearance() {
        let s = Series::new("x".into(), ["b", "a", "b", ""]);
        let (codes, first) = encode(&s, Cancel::default()).unwrap();
        assert_eq!(codes, vec![0, 1, 0, 2]);
        assert_eq!(first, vec![0, 1, 3]);
    }
}
