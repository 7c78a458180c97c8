//! Scalar and aggregate functions, by family. A function is added by adding
//! one entry to its family's `FUNCTIONS` table; `lookup` and `quarry check`
//! read the same tables.

pub mod aggregates;
pub mod array_sort;
pub mod arrays;
pub mod bitwise_aggregates;
pub mod checks;
pub mod codes;
pub mod convert;
pub mod datetime;
pub mod decimal;
pub mod dictionary;
pub mod distributions;
pub mod dynamic;
pub mod geo;
mod group_udf;
pub mod hash;
pub mod hll;
pub mod ip;
pub mod ip_ranges;
pub mod logic;
pub mod math;
pub mod multi_valued;
pub mod random;
pub mod regex_search;
pub mod schema_aggregate;
pub mod series;
pub mod series_decompose;
pub mod series_fft;
pub mod series_fit;
pub mod series_periods;
pub mod statistics;
pub mod strings;
pub mod tdigest;
pub mod terms;
pub mod timezones;
pub mod units;
pub mod user_agent;
pub mod weighted;
pub mod window;

use polars::prelude::*;
use rayon::prelude::*;

use super::ast::Span;
use super::error::QueryError;
use super::limits::Cancel;
use super::value::{Scalar, Val};
use crate::data::types::KqlType;

/// An evaluated call of a scalar function.
pub struct Call<'a> {
    /// The function name as written (for messages).
    pub name: &'a str,
    pub args: Vec<Val>,
    /// The span of each argument, for errors that point at one.
    pub spans: Vec<Span>,
    /// The column each argument names, when it is just a column
    /// (`bag_pack_columns(Id, Value)` packs under those names).
    pub columns: Vec<Option<String>>,
    /// The span of the whole call.
    pub span: Span,
    /// Rows in the frame the call is evaluated over.
    pub rows: usize,
    /// The query's `now()`.
    pub now: i64,
    /// The query's cancel flag: row-by-row functions look at it between
    /// blocks of rows.
    pub cancel: Cancel<'a>,
}

impl Call<'_> {
    /// The span of argument `i`, or of the call when it is missing.
    pub fn arg_span(&self, i: usize) -> Span {
        self.spans.get(i).copied().unwrap_or(self.span)
    }

    /// Argument `i` as a constant; errors when it varies by row.
    pub fn constant(&self, i: usize) -> Result<Scalar, QueryError> {
        match self.args.get(i) {
            Some(Val::Scalar(s)) => Ok(s.clone()),
            Some(Val::Column(c)) if c.len() == 1 => Ok(Scalar::from_series(c, 0)),
            Some(Val::Column(_)) => Err(QueryError::type_error(
                format!("argument {} of {}() must be a constant", i + 1, self.name),
                self.arg_span(i),
            )),
            None => Err(QueryError::type_error(
                format!("{}() needs argument {}", self.name, i + 1),
                self.span,
            )),
        }
    }

    /// Argument `i` as constant text.
    pub fn constant_text(&self, i: usize) -> Result<String, QueryError> {
        Ok(self.constant(i)?.to_text().into_owned())
    }

    /// Argument `i` as a constant integer.
    pub fn constant_long(&self, i: usize) -> Result<i64, QueryError> {
        match self.constant(i)? {
            Scalar::Int(v) => Ok(i64::from(v)),
            Scalar::Long(v) => Ok(v),
            Scalar::Real(v) => Ok(v as i64),
            Scalar::Decimal(d) => d.trunc_i64().ok_or_else(|| {
                QueryError::type_error(
                    format!("argument {} of {}() is too large", i + 1, self.name),
                    self.arg_span(i),
                )
            }),
            other => Err(QueryError::type_error(
                format!(
                    "argument {} of {}() must be a number, not {}",
                    i + 1,
                    self.name,
                    other.kind()
                ),
                self.arg_span(i),
            )),
        }
    }

    /// Whether every argument is a constant, so the result is one too.
    pub fn all_scalar(&self) -> bool {
        self.args.iter().all(|a| matches!(a, Val::Scalar(_)))
    }

    pub fn type_error(&self, i: usize, expected: &str) -> QueryError {
        let got = self.args.get(i).map(Val::kind);
        QueryError::type_error(
            format!(
                "argument {} of {}() must be {expected}{}",
                i + 1,
                self.name,
                got.map(|k| format!(", not {k}")).unwrap_or_default()
            ),
            self.arg_span(i),
        )
    }

    /// Applies `f` row by row to the arguments' values, giving a column of
    /// type `kind` (or a scalar when every argument is constant). The
    /// general path: hot functions use column kernels instead.
    pub fn rowwise(
        &self,
        kind: KqlType,
        f: impl Fn(&[Scalar]) -> Result<Scalar, QueryError> + Sync,
    ) -> Result<Val, QueryError> {
        if self.all_scalar() {
            let args: Vec<Scalar> = self.args.iter().map(|a| a.get(0)).collect();
            return f(&args).map(Val::Scalar);
        }
        // Blocks in parallel, each small enough (a parse_url is some
        // microseconds a row) that a cancel is seen within tens of ms; each
        // block becomes its column part there too (JSON text for dynamic
        // values is no small cost either).
        const BLOCK: usize = 1 << 13;
        let parts = (0..self.rows.div_ceil(BLOCK))
            .into_par_iter()
            .map(|b| {
                self.cancel.check()?;
                let rows = b * BLOCK..((b + 1) * BLOCK).min(self.rows);
                let mut out = Vec::with_capacity(rows.len());
                let mut row = Vec::with_capacity(self.args.len());
                for i in rows {
                    row.clear();
                    row.extend(self.args.iter().map(|a| a.get(i)));
                    out.push(f(&row)?);
                }
                Ok(scalars_to_series("", kind, out))
            })
            .collect::<Result<Vec<Series>, QueryError>>()?;
        self.cancel.check()?;
        // One chunk, as a fresh column is everywhere else. Joining millions
        // of values cannot look at the flag, so it is waited for.
        let span = self.span;
        let join = move || join_parts(parts, kind, span);
        let column = if self.rows > 1 << 16 {
            self.cancel.wait_for(join)??
        } else {
            join()?
        };
        Ok(Val::Column(column))
    }
}

/// Row-by-row blocks joined into one column of one chunk.
fn join_parts(parts: Vec<Series>, kind: KqlType, span: Span) -> Result<Series, QueryError> {
    let mut parts = parts.into_iter();
    let Some(mut column) = parts.next() else {
        return Ok(scalars_to_series("", kind, Vec::new()));
    };
    for part in parts {
        // Decimal blocks each take the scale their values need.
        crate::data::decimal::append(&mut column, &part)
            .map_err(|e| QueryError::runtime(e.to_string(), Some(span)))?;
    }
    Ok(column.rechunk())
}

/// The `[start[, length[, occurrence]]]` of `indexof` and `array_index_of`
/// (arguments 2 to 4 of `a`), `None` when one is null or out of range (the
/// result is then null).
struct Occurrence {
    start: i64,
    length: i64,
    occurrence: i64,
}

impl Occurrence {
    fn of(a: &[Scalar]) -> Option<Occurrence> {
        let arg = |i: usize, default: i64| a.get(i).map_or(Some(default), convert::as_long);
        let (start, length, occurrence) = (arg(2, 0)?, arg(3, -1)?, arg(4, 1)?);
        (length >= -1 && occurrence >= 1).then_some(Occurrence {
            start,
            length,
            occurrence,
        })
    }

    /// The position of the wanted occurrence among `n` items (characters,
    /// elements), -1 if there is none. `find(from, end)` is the first match
    /// starting in `from..end`; each search examines `length` items from
    /// where it starts (the start, then one past the previous occurrence),
    /// as the documentation's examples show. `to_end` lets a search start
    /// at `n` itself (an empty string is found at the end of a text).
    fn position(&self, n: i64, to_end: bool, mut find: impl FnMut(i64, i64) -> Option<i64>) -> i64 {
        let mut from = if self.start < 0 {
            (n + self.start).max(0)
        } else {
            self.start
        };
        let mut seen = 0;
        while from < n || (to_end && from == n) {
            let end = if self.length == -1 {
                n
            } else {
                from.saturating_add(self.length).min(n)
            };
            let Some(at) = find(from, end) else {
                break;
            };
            seen += 1;
            if seen == self.occurrence {
                return at;
            }
            from = at + 1;
        }
        -1
    }
}

/// Builds a column of type `kind` from scalars (nulls and mismatches become
/// null, or "" for strings).
pub fn scalars_to_series(name: &str, kind: KqlType, values: Vec<Scalar>) -> Series {
    let name: PlSmallStr = name.into();
    match kind {
        KqlType::Bool => values
            .iter()
            .map(|v| match v {
                Scalar::Bool(b) => Some(*b),
                _ => None,
            })
            .collect::<BooleanChunked>()
            .with_name(name)
            .into_series(),
        KqlType::Int => values
            .iter()
            .map(|v| match v {
                Scalar::Int(x) => Some(*x),
                Scalar::Long(x) => i32::try_from(*x).ok(),
                _ => None,
            })
            .collect::<Int32Chunked>()
            .with_name(name)
            .into_series(),
        KqlType::Long => values
            .iter()
            .map(|v| match v {
                Scalar::Int(x) => Some(i64::from(*x)),
                Scalar::Long(x) => Some(*x),
                _ => None,
            })
            .collect::<Int64Chunked>()
            .with_name(name)
            .into_series(),
        KqlType::Real => values
            .iter()
            .map(|v| match v {
                Scalar::Int(x) => Some(f64::from(*x)),
                Scalar::Long(x) => Some(*x as f64),
                Scalar::Real(x) => Some(*x),
                _ => None,
            })
            .collect::<Float64Chunked>()
            .with_name(name)
            .into_series(),
        KqlType::Decimal => {
            let values: Vec<_> = values
                .iter()
                .map(|v| match v {
                    Scalar::Int(_) | Scalar::Long(_) | Scalar::Real(_) | Scalar::Decimal(_) => {
                        convert::as_decimal(v)
                    }
                    _ => None,
                })
                .collect();
            crate::data::decimal::column(name, &values)
        }
        KqlType::Datetime | KqlType::Timespan => {
            let ca: Int64Chunked = values
                .iter()
                .map(|v| match v {
                    Scalar::Datetime(x) | Scalar::Timespan(x) => Some(*x),
                    _ => None,
                })
                .collect();
            let ca = ca.with_name(name);
            if kind == KqlType::Datetime {
                ca.into_datetime(TimeUnit::Nanoseconds, None).into_series()
            } else {
                ca.into_duration(TimeUnit::Nanoseconds).into_series()
            }
        }
        KqlType::String => values
            .iter()
            .map(|v| Some(v.to_text().into_owned()))
            .collect::<StringChunked>()
            .with_name(name)
            .into_series(),
        KqlType::Dynamic => values
            .iter()
            .map(|v| {
                if v.is_null() {
                    None
                } else {
                    Some(v.to_json().to_string().into_bytes())
                }
            })
            .collect::<BinaryChunked>()
            .with_name(name)
            .into_series(),
    }
}

/// How a scalar function is evaluated.
pub type ScalarImpl = fn(&Call) -> Result<Val, QueryError>;

/// One scalar function: its name, how many arguments it takes, and its
/// implementation.
pub struct ScalarFunction {
    pub name: &'static str,
    pub min_args: usize,
    pub max_args: usize,
    pub eval: ScalarImpl,
}

/// Every family's table.
fn families() -> [&'static [ScalarFunction]; 28] {
    [
        strings::FUNCTIONS,
        regex_search::FUNCTIONS,
        convert::FUNCTIONS,
        datetime::FUNCTIONS,
        dynamic::FUNCTIONS,
        ip::FUNCTIONS,
        logic::FUNCTIONS,
        math::FUNCTIONS,
        hash::FUNCTIONS,
        series::FUNCTIONS,
        arrays::FUNCTIONS,
        codes::FUNCTIONS,
        ip_ranges::FUNCTIONS,
        geo::FUNCTIONS,
        series_fit::FUNCTIONS,
        series_fft::FUNCTIONS,
        series_periods::FUNCTIONS,
        series_decompose::FUNCTIONS,
        window::FUNCTIONS,
        random::FUNCTIONS,
        hll::FUNCTIONS,
        tdigest::FUNCTIONS,
        timezones::FUNCTIONS,
        units::FUNCTIONS,
        distributions::FUNCTIONS,
        user_agent::FUNCTIONS,
        checks::FUNCTIONS,
        array_sort::FUNCTIONS,
    ]
}

/// The scalar function of this name (names are case-sensitive in KQL, but
/// a case slip is forgiven here since the meaning is unambiguous).
pub fn lookup(name: &str) -> Option<&'static ScalarFunction> {
    families()
        .into_iter()
        .flatten()
        .find(|f| f.name == name)
        .or_else(|| {
            families()
                .into_iter()
                .flatten()
                .find(|f| f.name.eq_ignore_ascii_case(name))
        })
}

/// Names of every scalar and aggregate function, for did-you-mean hints and
/// `quarry check`.
pub fn all_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> = families().into_iter().flatten().map(|f| f.name).collect();
    names.extend(aggregates::AGGREGATES.iter().map(|a| a.name));
    names.extend(statistics::AGGREGATES.iter().map(|a| a.name));
    names.extend(weighted::AGGREGATES.iter().map(|a| a.name));
    names.extend(hll::AGGREGATES.iter().map(|a| a.name));
    names.extend(tdigest::AGGREGATES.iter().map(|a| a.name));
    names.extend(bitwise_aggregates::AGGREGATES.iter().map(|a| a.name));
    names.extend(schema_aggregate::AGGREGATES.iter().map(|a| a.name));
    names
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;

    /// A call of one argument, the longs `0..rows`.
    fn call_over(rows: usize, flag: &AtomicBool) -> Call<'_> {
        let values: Vec<i64> = (0..rows as i64).collect();
        Call {
            name: "f",
            args: vec![Val::Column(Series::new("x".into(), values))],
            spans: vec![Span::default()],
            columns: vec![None],
            span: Span::default(),
            rows,
            now: 0,
            cancel: Cancel::new(Some(flag)),
        }
    }

    #[test]
    fn rows_keep_their_order_across_blocks() {
        // Many blocks, and a short last one.
        let rows = 1_200_000;
        let flag = AtomicBool::new(false);
        let call = call_over(rows, &flag);
        let out = call
            .rowwise(KqlType::Long, |a| match a[0] {
                Scalar::Long(v) => Ok(Scalar::Long(v * 2)),
                ref other => Ok(other.clone()),
            })
            .expect("runs");
        let Val::Column(c) = out else {
            panic!("a column")
        };
        let got: Vec<Option<i64>> = c.i64().expect("longs").iter().collect();
        let want: Vec<Option<i64>> = (0..rows as i64).map(|v| Some(v * 2)).collect();
        assert_eq!(got, want);
        // One chunk, as a fresh column is everywhere else.
        assert_eq!(c.n_chunks(), 1);
    }

    #[test]
    fn a_cancelled_call_stops() {
        let flag = AtomicBool::new(true);
        let call = call_over(50_000, &flag);
        let out = call.rowwise(KqlType::Long, |a| Ok(a[0].clone()));
        assert_eq!(out.err(), Some(QueryError::cancelled()));
    }
}
