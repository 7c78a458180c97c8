//! Date and time functions: `ago`, `now`, `bin`/`floor`, `bin_at`,
//! `datetime_add`, `datetime_diff`, `datetime_part`, the `startof*` and
//! `endof*` family, the calendar parts (`dayofweek`, `getyear`, ...),
//! `format_datetime`, `format_timespan`, `todatetime`, `totimespan`, the
//! `unixtime_*_todatetime` family, `make_datetime` and `make_timespan`.
//!
//! Datetimes are nanoseconds since 1970, UTC; Kusto's own epoch for binning
//! is 0001-01-01 (.NET ticks), which only matters for bins that do not
//! divide a day: `bin(t, 7d)` gives Mondays, as in Kusto, not Thursdays.
//! Weeks start on Sunday (`startofweek`, `dayofweek`, `datetime_diff`).

use chrono::{DateTime, Datelike, Months, NaiveDate, NaiveDateTime, Timelike, Utc};
use polars::prelude::*;

use super::convert::{
    TICKS_TO_UNIX_EPOCH, as_datetime, as_long, as_real, as_timespan, coerce, column, expect,
    expect_datetime, expect_integer, expect_number, expect_string, expect_timespan, i64_column,
};
use super::{Call, ScalarFunction};
use crate::data::time::{NANOS_PER_DAY, NANOS_PER_SEC, NANOS_PER_TICK, parse_datetime};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The date and time functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "ago",
        min_args: 1,
        max_args: 1,
        eval: ago,
    },
    ScalarFunction {
        name: "now",
        min_args: 0,
        max_args: 1,
        eval: now,
    },
    ScalarFunction {
        name: "bin",
        min_args: 2,
        max_args: 2,
        eval: bin,
    },
    ScalarFunction {
        name: "floor",
        min_args: 2,
        max_args: 2,
        eval: bin,
    },
    ScalarFunction {
        name: "bin_at",
        min_args: 3,
        max_args: 3,
        eval: bin_at,
    },
    ScalarFunction {
        name: "datetime_add",
        min_args: 3,
        max_args: 3,
        eval: datetime_add,
    },
    ScalarFunction {
        name: "datetime_diff",
        min_args: 3,
        max_args: 3,
        eval: datetime_diff,
    },
    ScalarFunction {
        name: "datetime_part",
        min_args: 2,
        max_args: 2,
        eval: datetime_part,
    },
    ScalarFunction {
        name: "datepart",
        min_args: 2,
        max_args: 2,
        eval: datetime_part,
    },
    ScalarFunction {
        name: "startofday",
        min_args: 1,
        max_args: 2,
        eval: startofday,
    },
    ScalarFunction {
        name: "startofweek",
        min_args: 1,
        max_args: 2,
        eval: startofweek,
    },
    ScalarFunction {
        name: "startofmonth",
        min_args: 1,
        max_args: 2,
        eval: startofmonth,
    },
    ScalarFunction {
        name: "startofyear",
        min_args: 1,
        max_args: 2,
        eval: startofyear,
    },
    ScalarFunction {
        name: "endofday",
        min_args: 1,
        max_args: 2,
        eval: endofday,
    },
    ScalarFunction {
        name: "endofweek",
        min_args: 1,
        max_args: 2,
        eval: endofweek,
    },
    ScalarFunction {
        name: "endofmonth",
        min_args: 1,
        max_args: 2,
        eval: endofmonth,
    },
    ScalarFunction {
        name: "endofyear",
        min_args: 1,
        max_args: 2,
        eval: endofyear,
    },
    ScalarFunction {
        name: "dayofweek",
        min_args: 1,
        max_args: 1,
        eval: dayofweek,
    },
    ScalarFunction {
        name: "dayofmonth",
        min_args: 1,
        max_args: 1,
        eval: dayofmonth,
    },
    ScalarFunction {
        name: "dayofyear",
        min_args: 1,
        max_args: 1,
        eval: dayofyear,
    },
    ScalarFunction {
        name: "hourofday",
        min_args: 1,
        max_args: 1,
        eval: hourofday,
    },
    ScalarFunction {
        name: "getmonth",
        min_args: 1,
        max_args: 1,
        eval: monthofyear,
    },
    ScalarFunction {
        name: "monthofyear",
        min_args: 1,
        max_args: 1,
        eval: monthofyear,
    },
    ScalarFunction {
        name: "getyear",
        min_args: 1,
        max_args: 1,
        eval: getyear,
    },
    ScalarFunction {
        name: "week_of_year",
        min_args: 1,
        max_args: 1,
        eval: week_of_year,
    },
    ScalarFunction {
        name: "weekofyear",
        min_args: 1,
        max_args: 1,
        eval: week_of_year,
    },
    ScalarFunction {
        name: "format_datetime",
        min_args: 2,
        max_args: 2,
        eval: format_datetime,
    },
    ScalarFunction {
        name: "format_timespan",
        min_args: 2,
        max_args: 2,
        eval: format_timespan,
    },
    ScalarFunction {
        name: "todatetime",
        min_args: 1,
        max_args: 1,
        eval: todatetime,
    },
    ScalarFunction {
        name: "todate",
        min_args: 1,
        max_args: 1,
        eval: todatetime,
    },
    ScalarFunction {
        name: "totimespan",
        min_args: 1,
        max_args: 1,
        eval: totimespan,
    },
    ScalarFunction {
        name: "totime",
        min_args: 1,
        max_args: 1,
        eval: totimespan,
    },
    ScalarFunction {
        name: "unixtime_seconds_todatetime",
        min_args: 1,
        max_args: 1,
        eval: unix_seconds,
    },
    ScalarFunction {
        name: "unixtime_milliseconds_todatetime",
        min_args: 1,
        max_args: 1,
        eval: unix_millis,
    },
    ScalarFunction {
        name: "unixtime_microseconds_todatetime",
        min_args: 1,
        max_args: 1,
        eval: unix_micros,
    },
    ScalarFunction {
        name: "unixtime_nanoseconds_todatetime",
        min_args: 1,
        max_args: 1,
        eval: unix_nanos,
    },
    ScalarFunction {
        name: "make_datetime",
        min_args: 3,
        max_args: 6,
        eval: make_datetime,
    },
    ScalarFunction {
        name: "make_timespan",
        min_args: 2,
        max_args: 4,
        eval: make_timespan,
    },
];

const NANOS_PER_HOUR: i64 = 3600 * NANOS_PER_SEC;
const NANOS_PER_MINUTE: i64 = 60 * NANOS_PER_SEC;
const NANOS_PER_WEEK: i64 = 7 * NANOS_PER_DAY;
/// 0001-01-01 in nanoseconds since 1970 (outside i64, hence i128).
const TICK_EPOCH_NS: i128 = -(TICKS_TO_UNIX_EPOCH as i128) * NANOS_PER_TICK as i128;

fn naive(ns: i64) -> NaiveDateTime {
    DateTime::<Utc>::from_timestamp_nanos(ns).naive_utc()
}

fn nanos(dt: NaiveDateTime) -> Option<i64> {
    dt.and_utc().timestamp_nanos_opt()
}

/// Midnight of the day holding `ns`; `None` before the oldest datetime.
fn day_floor(ns: i64) -> Option<i64> {
    ns.checked_sub(ns.rem_euclid(NANOS_PER_DAY))
}

/// 0 for Sunday to 6 for Saturday (1970-01-01 was a Thursday).
fn weekday(ns: i64) -> i64 {
    (ns.div_euclid(NANOS_PER_DAY) + 4).rem_euclid(7)
}

/// Wraps an `i64` result as a value of `kind`.
fn typed(kind: KqlType, v: Option<i64>) -> Scalar {
    match (kind, v) {
        (_, None) => Scalar::Null(kind),
        (KqlType::Datetime, Some(v)) => Scalar::Datetime(v),
        (KqlType::Timespan, Some(v)) => Scalar::Timespan(v),
        (KqlType::Int, Some(v)) => i32::try_from(v).map_or(Scalar::Null(kind), Scalar::Int),
        (_, Some(v)) => Scalar::Long(v),
    }
}

/// A column of `kind` from `i64` results.
fn typed_column(kind: KqlType, ca: Int64Chunked) -> Val {
    match kind {
        KqlType::Datetime => {
            Val::Column(ca.into_datetime(TimeUnit::Nanoseconds, None).into_series())
        }
        KqlType::Timespan => Val::Column(ca.into_duration(TimeUnit::Nanoseconds).into_series()),
        KqlType::Int => column(
            ca.iter()
                .map(|v| v.and_then(|v| i32::try_from(v).ok()))
                .collect::<Int32Chunked>(),
        ),
        _ => column(ca),
    }
}

/// Applies `f` to the datetime in argument `dt` of each row, with the
/// row's arguments: over the raw nanoseconds when that argument is a
/// datetime column and the others are constant, row by row otherwise.
fn per_datetime(
    call: &Call,
    dt: usize,
    kind: KqlType,
    f: impl Fn(i64, &[Scalar]) -> Option<i64> + Sync,
) -> Result<Val, QueryError> {
    expect_datetime(call, dt)?;
    let others_constant = call
        .args
        .iter()
        .enumerate()
        .all(|(i, a)| i == dt || matches!(a, Val::Scalar(_)));
    if let (Val::Column(c), true) = (&call.args[dt], others_constant)
        && c.dtype() == &DataType::Datetime(TimeUnit::Nanoseconds, None)
    {
        let args: Vec<Scalar> = call.args.iter().map(|a| a.get(0)).collect();
        let ns = i64_column(&call.args[dt], call.rows);
        let out: Int64Chunked = ns.iter().map(|v| v.and_then(|v| f(v, &args))).collect();
        return Ok(typed_column(kind, out));
    }
    call.rowwise(kind, |a| {
        Ok(typed(kind, as_datetime(&a[dt]).and_then(|v| f(v, a))))
    })
}

// ---------------------------------------------------------------------------
// now, ago

/// `now([offset])`: the query's one instant.
fn now(call: &Call) -> Result<Val, QueryError> {
    if call.args.is_empty() {
        return Ok(Val::Scalar(Scalar::Datetime(call.now)));
    }
    expect_timespan(call, 0)?;
    let now = call.now;
    call.rowwise(KqlType::Datetime, |a| {
        Ok(typed(
            KqlType::Datetime,
            as_timespan(&a[0]).and_then(|t| now.checked_add(t)),
        ))
    })
}

/// `ago(timespan)`: `now() - timespan`.
fn ago(call: &Call) -> Result<Val, QueryError> {
    expect_timespan(call, 0)?;
    let now = call.now;
    if let Val::Column(c) = &call.args[0]
        && c.dtype() == &DataType::Duration(TimeUnit::Nanoseconds)
    {
        let ts = i64_column(&call.args[0], call.rows);
        let out: Int64Chunked = ts
            .iter()
            .map(|v| v.and_then(|v| now.checked_sub(v)))
            .collect();
        return Ok(typed_column(KqlType::Datetime, out));
    }
    call.rowwise(KqlType::Datetime, |a| {
        Ok(typed(
            KqlType::Datetime,
            as_timespan(&a[0]).and_then(|t| now.checked_sub(t)),
        ))
    })
}

// ---------------------------------------------------------------------------
// bin, bin_at

/// What `bin` rounds: the value's type decides the bin size's.
fn bin_kind(call: &Call) -> Result<KqlType, QueryError> {
    let kind = match call.args[0].kind() {
        KqlType::Dynamic => KqlType::Real,
        k => k,
    };
    match kind {
        KqlType::Datetime | KqlType::Timespan => {
            expect(
                call,
                1,
                |k| k == KqlType::Timespan,
                "a timespan (the bin size of a datetime or timespan)",
            )?;
            if call.args.len() > 2 {
                expect(
                    call,
                    2,
                    |k| k == kind,
                    &format!("a {kind} (the fixed point)"),
                )?;
            }
            Ok(kind)
        }
        k if k.is_numeric() => {
            expect_number(call, 1)?;
            if call.args.len() > 2 {
                expect_number(call, 2)?;
            }
            let kinds = call.args.iter().map(Val::kind);
            Ok(
                if kinds
                    .clone()
                    .any(|k| k == KqlType::Real || k == KqlType::Dynamic)
                {
                    KqlType::Real
                } else if kinds.clone().all(|k| k == KqlType::Int) {
                    KqlType::Int
                } else {
                    KqlType::Long
                },
            )
        }
        _ => Err(call.type_error(0, "a number, datetime or timespan")),
    }
}

/// Rounds an integer (nanoseconds for datetimes and timespans) down to a
/// multiple of `size` counted from `origin`; null for a size that is not
/// positive.
fn floor_i(v: i64, size: i64, origin: i128) -> Option<i64> {
    if size <= 0 {
        return None;
    }
    let d = i128::from(v) - origin;
    i64::try_from(origin + d.div_euclid(i128::from(size)) * i128::from(size)).ok()
}

fn floor_f(v: f64, size: f64, origin: f64) -> Option<f64> {
    // NaN is no size either.
    if size.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater) {
        return None;
    }
    let r = origin + ((v - origin) / size).floor() * size;
    Some(r)
}

/// The shared body of `bin` and `bin_at` (`fixed` is the fixed point's
/// argument).
fn bin_core(call: &Call, fixed: Option<usize>) -> Result<Val, QueryError> {
    let kind = bin_kind(call)?;
    let default_origin = if kind == KqlType::Datetime {
        TICK_EPOCH_NS
    } else {
        0
    };
    let int_origin = |a: &[Scalar]| -> Option<i128> {
        match fixed {
            None => Some(default_origin),
            Some(i) => match kind {
                KqlType::Datetime => as_datetime(&a[i]).map(i128::from),
                KqlType::Timespan => as_timespan(&a[i]).map(i128::from),
                _ => as_long(&a[i]).map(i128::from),
            },
        }
    };
    let size_of = |s: &Scalar| -> Option<i64> {
        if matches!(kind, KqlType::Datetime | KqlType::Timespan) {
            as_timespan(s)
        } else {
            as_long(s)
        }
    };
    // Hot path: a column of values, constant size and fixed point.
    let rest_constant = call.args[1..].iter().all(|a| matches!(a, Val::Scalar(_)));
    if let (Val::Column(_), true) = (&call.args[0], rest_constant) {
        let args: Vec<Scalar> = call.args.iter().map(|a| a.get(0)).collect();
        if kind == KqlType::Real {
            let size = as_real(&args[1]);
            let origin = fixed.map_or(Some(0.0), |i| as_real(&args[i]));
            let values = super::convert::f64_column(&call.args[0], call.rows);
            let out: Float64Chunked = match (size, origin) {
                (Some(s), Some(o)) => values
                    .iter()
                    .map(|v| v.and_then(|v| floor_f(v, s, o)))
                    .collect(),
                _ => Float64Chunked::full_null("".into(), call.rows),
            };
            return Ok(column(out));
        }
        let size = size_of(&args[1]);
        let origin = int_origin(&args);
        let values = i64_column(&call.args[0], call.rows);
        let out: Int64Chunked = match (size, origin) {
            (Some(s), Some(o)) => values
                .iter()
                .map(|v| v.and_then(|v| floor_i(v, s, o)))
                .collect(),
            _ => Int64Chunked::full_null("".into(), call.rows),
        };
        return Ok(typed_column(kind, out));
    }
    call.rowwise(kind, |a| {
        if kind == KqlType::Real {
            let origin = fixed.map_or(Some(0.0), |i| as_real(&a[i]));
            return Ok(match (as_real(&a[0]), as_real(&a[1]), origin) {
                (Some(v), Some(s), Some(o)) => {
                    floor_f(v, s, o).map_or(Scalar::Null(kind), Scalar::Real)
                }
                _ => Scalar::Null(kind),
            });
        }
        let value = match kind {
            KqlType::Datetime => as_datetime(&a[0]),
            KqlType::Timespan => as_timespan(&a[0]),
            _ => as_long(&a[0]),
        };
        Ok(match (value, size_of(&a[1]), int_origin(a)) {
            (Some(v), Some(s), Some(o)) => typed(kind, floor_i(v, s, o)),
            _ => Scalar::Null(kind),
        })
    })
}

/// `bin(value, size)`, alias `floor`.
fn bin(call: &Call) -> Result<Val, QueryError> {
    bin_core(call, None)
}

/// `bin_at(value, size, fixed_point)`.
fn bin_at(call: &Call) -> Result<Val, QueryError> {
    bin_core(call, Some(2))
}

// ---------------------------------------------------------------------------
// Calendar periods.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Period {
    Year,
    Quarter,
    Month,
    Week,
    Day,
    Hour,
    Minute,
    Second,
    Millisecond,
    Microsecond,
    Nanosecond,
}

impl Period {
    fn parse(s: &str) -> Option<Period> {
        Some(match s.trim().to_ascii_lowercase().as_str() {
            "year" => Period::Year,
            "quarter" => Period::Quarter,
            "month" => Period::Month,
            "week" => Period::Week,
            "day" => Period::Day,
            "hour" => Period::Hour,
            "minute" => Period::Minute,
            "second" => Period::Second,
            "millisecond" => Period::Millisecond,
            "microsecond" => Period::Microsecond,
            "nanosecond" => Period::Nanosecond,
            _ => return None,
        })
    }

    /// Nanoseconds in one period of fixed length.
    fn fixed(self) -> Option<i64> {
        Some(match self {
            Period::Week => NANOS_PER_WEEK,
            Period::Day => NANOS_PER_DAY,
            Period::Hour => NANOS_PER_HOUR,
            Period::Minute => NANOS_PER_MINUTE,
            Period::Second => NANOS_PER_SEC,
            Period::Millisecond => 1_000_000,
            Period::Microsecond => 1_000,
            Period::Nanosecond => 1,
            _ => return None,
        })
    }
}

/// A constant period argument is checked once, so a typo is an error
/// rather than a column of nulls.
fn check_period(call: &Call, i: usize) -> Result<(), QueryError> {
    expect_string(call, i)?;
    if let Val::Scalar(s) = &call.args[i] {
        let text = s.to_text();
        if Period::parse(&text).is_none() {
            return Err(QueryError::type_error(
                format!(
                    "unknown period '{text}' in {}(): use year, quarter, month, week, day, hour, minute, second, millisecond, microsecond or nanosecond",
                    call.name
                ),
                call.arg_span(i),
            ));
        }
    }
    Ok(())
}

/// Adds whole months, keeping the time of day and clamping the day to the
/// month's last (Jan 31 + 1 month is Feb 28/29), as .NET's AddMonths does.
fn add_months(ns: i64, months: i64) -> Option<i64> {
    let dt = naive(ns);
    let m = u32::try_from(months.unsigned_abs()).ok()?;
    let moved = if months >= 0 {
        dt.checked_add_months(Months::new(m))
    } else {
        dt.checked_sub_months(Months::new(m))
    }?;
    nanos(moved)
}

/// `datetime_add(period, amount, datetime)`.
fn datetime_add(call: &Call) -> Result<Val, QueryError> {
    check_period(call, 0)?;
    expect_integer(call, 1)?;
    per_datetime(call, 2, KqlType::Datetime, |ns, a| {
        let period = Period::parse(&a[0].to_text())?;
        let amount = as_long(&a[1])?;
        match period {
            Period::Year => add_months(ns, amount.checked_mul(12)?),
            Period::Quarter => add_months(ns, amount.checked_mul(3)?),
            Period::Month => add_months(ns, amount),
            p => ns.checked_add(amount.checked_mul(p.fixed()?)?),
        }
    })
}

/// The start of the Sunday-based week holding `ns`.
fn week_start(ns: i64) -> Option<i64> {
    day_floor(ns)?.checked_sub(weekday(ns) * NANOS_PER_DAY)
}

/// `datetime_diff(period, dt1, dt2)`: how many period boundaries lie
/// between the two (calendar counting: Dec 31 to Jan 1 is one year).
fn datetime_diff(call: &Call) -> Result<Val, QueryError> {
    check_period(call, 0)?;
    expect_datetime(call, 1)?;
    expect_datetime(call, 2)?;
    call.rowwise(KqlType::Long, |a| {
        let (Some(p), Some(x), Some(y)) = (
            Period::parse(&a[0].to_text()),
            as_datetime(&a[1]),
            as_datetime(&a[2]),
        ) else {
            return Ok(Scalar::Null(KqlType::Long));
        };
        let (dx, dy) = (naive(x), naive(y));
        let months = |d: NaiveDateTime| i64::from(d.year()) * 12 + i64::from(d.month0());
        let v = match p {
            Period::Year => Some(i64::from(dx.year()) - i64::from(dy.year())),
            Period::Quarter => Some(months(dx).div_euclid(3) - months(dy).div_euclid(3)),
            Period::Month => Some(months(dx) - months(dy)),
            Period::Week => week_start(x)
                .zip(week_start(y))
                .and_then(|(a, b)| a.checked_sub(b))
                .map(|d| d / NANOS_PER_WEEK),
            Period::Nanosecond => x.checked_sub(y),
            p => p
                .fixed()
                .map(|unit| x.div_euclid(unit) - y.div_euclid(unit)),
        };
        Ok(typed(KqlType::Long, v))
    })
}

/// `datetime_part(part, datetime)`: an int.
fn datetime_part(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    const PARTS: &[&str] = &[
        "year",
        "quarter",
        "month",
        "week_of_year",
        "weekofyear",
        "week",
        "day",
        "dayofyear",
        "hour",
        "minute",
        "second",
        "millisecond",
        "microsecond",
        "nanosecond",
    ];
    if let Val::Scalar(s) = &call.args[0] {
        let part = s.to_text().to_ascii_lowercase();
        if !PARTS.contains(&part.as_str()) {
            return Err(QueryError::type_error(
                format!(
                    "unknown part '{part}' in datetime_part(): use one of {}",
                    PARTS.join(", ")
                ),
                call.arg_span(0),
            ));
        }
    }
    per_datetime(call, 1, KqlType::Int, |ns, a| {
        let d = naive(ns);
        let frac = ns.rem_euclid(NANOS_PER_SEC);
        Some(match a[0].to_text().to_ascii_lowercase().as_str() {
            "year" => i64::from(d.year()),
            "quarter" => i64::from(d.month0() / 3 + 1),
            "month" => i64::from(d.month()),
            "week_of_year" | "weekofyear" | "week" => i64::from(d.iso_week().week()),
            "day" => i64::from(d.day()),
            "dayofyear" => i64::from(d.ordinal()),
            "hour" => i64::from(d.hour()),
            "minute" => i64::from(d.minute()),
            "second" => i64::from(d.second()),
            "millisecond" => frac / 1_000_000,
            "microsecond" => frac / 1_000,
            "nanosecond" => frac,
            _ => return None,
        })
    })
}

/// The start of the period holding `ns`, moved by `offset` periods.
fn start_of(ns: i64, period: Period, offset: i64) -> Option<i64> {
    match period {
        Period::Day => day_floor(ns)?.checked_add(offset.checked_mul(NANOS_PER_DAY)?),
        Period::Week => week_start(ns)?.checked_add(offset.checked_mul(NANOS_PER_WEEK)?),
        Period::Month => {
            let d = naive(ns).date();
            let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1)?.and_hms_opt(0, 0, 0)?;
            add_months(nanos(first)?, offset)
        }
        _ => {
            let year = i64::from(naive(ns).year()).checked_add(offset)?;
            nanos(NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, 1, 1)?.and_hms_opt(0, 0, 0)?)
        }
    }
}

/// The last tick of the period holding `ns`, moved by `offset` periods.
fn end_of(ns: i64, period: Period, offset: i64) -> Option<i64> {
    start_of(ns, period, offset.checked_add(1)?)?.checked_sub(NANOS_PER_TICK)
}

fn period_bound(call: &Call, period: Period, end: bool) -> Result<Val, QueryError> {
    if call.args.len() > 1 {
        expect_integer(call, 1)?;
    }
    per_datetime(call, 0, KqlType::Datetime, |ns, a| {
        let offset = match a.get(1) {
            Some(o) => as_long(o)?,
            None => 0,
        };
        if end {
            end_of(ns, period, offset)
        } else {
            start_of(ns, period, offset)
        }
    })
}

fn startofday(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Day, false)
}

fn startofweek(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Week, false)
}

fn startofmonth(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Month, false)
}

fn startofyear(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Year, false)
}

fn endofday(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Day, true)
}

fn endofweek(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Week, true)
}

fn endofmonth(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Month, true)
}

fn endofyear(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Year, true)
}

/// `dayofweek(dt)`: days since the preceding Sunday, as a timespan.
fn dayofweek(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Timespan, |ns, _| {
        Some(weekday(ns) * NANOS_PER_DAY)
    })
}

fn dayofmonth(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).day()))
    })
}

fn dayofyear(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).ordinal()))
    })
}

fn hourofday(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(ns.rem_euclid(NANOS_PER_DAY) / NANOS_PER_HOUR)
    })
}

fn monthofyear(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).month()))
    })
}

fn getyear(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).year()))
    })
}

/// `week_of_year(dt)`: the ISO 8601 week (the first week holds the year's
/// first Thursday). `weekofyear` is its deprecated alias.
fn week_of_year(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).iso_week().week()))
    })
}

// ---------------------------------------------------------------------------
// Formatting.

/// One element of a format string: a specifier letter repeated `n` times,
/// or literal text.
#[derive(Debug, Clone)]
enum Token {
    Spec(char, usize),
    Literal(String),
}

/// Splits a .NET-style custom format into specifiers and literal text
/// (`\x` and `'...'`/`"..."` are literal, as in .NET).
fn tokenize(format: &str, specs: &str) -> Vec<Token> {
    let chars: Vec<char> = format.chars().collect();
    let mut out = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if specs.contains(c) {
            let mut n = 1;
            while i + n < chars.len() && chars[i + n] == c {
                n += 1;
            }
            if !lit.is_empty() {
                out.push(Token::Literal(std::mem::take(&mut lit)));
            }
            out.push(Token::Spec(c, n));
            i += n;
            continue;
        }
        match c {
            '\\' if i + 1 < chars.len() => {
                lit.push(chars[i + 1]);
                i += 2;
            }
            '\'' | '"' => {
                i += 1;
                while i < chars.len() && chars[i] != c {
                    lit.push(chars[i]);
                    i += 1;
                }
                i += 1;
            }
            _ => {
                lit.push(c);
                i += 1;
            }
        }
    }
    if !lit.is_empty() {
        out.push(Token::Literal(lit));
    }
    out
}

/// The first `n` (at most 7) digits of a second's fraction; with `trim`
/// (`F`), trailing zeros dropped and nothing at all for zero.
fn fraction(frac_ns: i64, n: usize, trim: bool) -> String {
    let digits = format!("{:07}", frac_ns / NANOS_PER_TICK);
    let s = &digits[..n.min(7)];
    if trim {
        s.trim_end_matches('0').to_string()
    } else {
        s.to_string()
    }
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn render_datetime(ns: i64, tokens: &[Token]) -> String {
    let d = naive(ns);
    let frac = ns.rem_euclid(NANOS_PER_SEC);
    let mut out = String::new();
    for t in tokens {
        match t {
            Token::Literal(s) => out.push_str(s),
            Token::Spec(c, n) => {
                let n = *n;
                let num = |v: i64, width: usize| format!("{v:0width$}");
                let s = match c {
                    'd' if n <= 2 => num(i64::from(d.day()), n),
                    'd' if n == 3 => DAYS[weekday(ns) as usize][..3].to_string(),
                    'd' => DAYS[weekday(ns) as usize].to_string(),
                    'f' => fraction(frac, n, false),
                    'F' => fraction(frac, n, true),
                    'h' => num(i64::from((d.hour() + 11) % 12 + 1), n.min(2)),
                    'H' => num(i64::from(d.hour()), n.min(2)),
                    'm' => num(i64::from(d.minute()), n.min(2)),
                    'M' if n <= 2 => num(i64::from(d.month()), n),
                    'M' if n == 3 => MONTHS[d.month0() as usize][..3].to_string(),
                    'M' => MONTHS[d.month0() as usize].to_string(),
                    's' => num(i64::from(d.second()), n.min(2)),
                    'y' if n <= 2 => num(i64::from(d.year()).rem_euclid(100), n),
                    'y' => num(i64::from(d.year()), n),
                    't' => {
                        let pm = d.hour() >= 12;
                        let full = if pm { "PM" } else { "AM" };
                        if n == 1 {
                            full[..1].to_string()
                        } else {
                            full.to_string()
                        }
                    }
                    other => other.to_string().repeat(n),
                };
                out.push_str(&s);
            }
        }
    }
    out
}

/// `format_datetime(dt, format)`: Kusto's specifiers (`yyyy`, `MM`, `dd`,
/// `HH`, `hh`, `mm`, `ss`, `f`..`fffffff`, `F`.., `tt`); other characters
/// are copied. A null datetime gives "".
fn format_datetime(call: &Call) -> Result<Val, QueryError> {
    expect_datetime(call, 0)?;
    expect_string(call, 1)?;
    format_by_pattern(call, "dfFhHmMsyt", as_datetime, render_datetime)
}

/// The shared body of `format_datetime` and `format_timespan`: the pattern
/// is tokenized once when constant, and a null value formats as "".
fn format_by_pattern(
    call: &Call,
    specs: &str,
    value: fn(&Scalar) -> Option<i64>,
    render: fn(i64, &[Token]) -> String,
) -> Result<Val, QueryError> {
    let constant = match &call.args[1] {
        Val::Scalar(s) => Some(tokenize(&s.to_text(), specs)),
        Val::Column(_) => None,
    };
    call.rowwise(KqlType::String, |a| {
        let Some(ns) = value(&a[0]) else {
            return Ok(Scalar::String(String::new()));
        };
        let text = match &constant {
            Some(t) => render(ns, t),
            None => render(ns, &tokenize(&a[1].to_text(), specs)),
        };
        Ok(Scalar::String(text))
    })
}

fn render_timespan(ns: i64, tokens: &[Token]) -> String {
    // .NET's custom timespan formats carry no sign.
    let ns = ns.unsigned_abs();
    let secs = ns / NANOS_PER_SEC as u64;
    let frac = (ns % NANOS_PER_SEC as u64) as i64;
    let (days, hours, minutes, seconds) = (
        secs / 86_400,
        secs % 86_400 / 3600,
        secs % 3600 / 60,
        secs % 60,
    );
    let mut out = String::new();
    for t in tokens {
        match t {
            Token::Literal(s) => out.push_str(s),
            Token::Spec(c, n) => {
                let n = *n;
                let num = |v: u64, width: usize| format!("{v:0width$}");
                let s = match c {
                    'd' => num(days, n.min(8)),
                    'h' | 'H' => num(hours, n.min(2)),
                    'm' => num(minutes, n.min(2)),
                    's' => num(seconds, n.min(2)),
                    'f' => fraction(frac, n, false),
                    'F' => fraction(frac, n, true),
                    other => other.to_string().repeat(n),
                };
                out.push_str(&s);
            }
        }
    }
    out
}

/// `format_timespan(ts, format)`: `d`.. (days, zero-padded to the count),
/// `h`/`H`, `m`, `s`, `f`, `F`.
fn format_timespan(call: &Call) -> Result<Val, QueryError> {
    expect_timespan(call, 0)?;
    expect_string(call, 1)?;
    format_by_pattern(call, "dhHmsfF", as_timespan, render_timespan)
}

// ---------------------------------------------------------------------------
// Conversions and construction.

/// `todatetime(x)`: null when `x` is not a datetime or datetime text.
fn todatetime(call: &Call) -> Result<Val, QueryError> {
    if let Val::Column(c) = &call.args[0]
        && let Ok(text) = c.str()
    {
        let out: Int64Chunked = text.iter().map(|t| t.and_then(parse_datetime)).collect();
        return Ok(typed_column(KqlType::Datetime, out));
    }
    call.rowwise(KqlType::Datetime, |a| Ok(coerce(&a[0], KqlType::Datetime)))
}

/// `totimespan(x)`: text in Kusto's forms, or a number of ticks.
fn totimespan(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Timespan, |a| Ok(coerce(&a[0], KqlType::Timespan)))
}

/// A Unix time in units of `unit_ns` nanoseconds, to a datetime; a real
/// keeps its fraction to the tick.
fn from_unix(call: &Call, unit_ns: i64) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    call.rowwise(KqlType::Datetime, |a| {
        let ns = match &a[0] {
            Scalar::Int(_) | Scalar::Long(_) => as_long(&a[0]).and_then(|v| v.checked_mul(unit_ns)),
            other => as_real(other).and_then(|v| {
                let ticks = (v * unit_ns as f64 / NANOS_PER_TICK as f64).round();
                (ticks.is_finite() && ticks.abs() < (i64::MAX / NANOS_PER_TICK) as f64)
                    .then(|| ticks as i64 * NANOS_PER_TICK)
            }),
        };
        Ok(typed(KqlType::Datetime, ns))
    })
}

fn unix_seconds(call: &Call) -> Result<Val, QueryError> {
    from_unix(call, NANOS_PER_SEC)
}

fn unix_millis(call: &Call) -> Result<Val, QueryError> {
    from_unix(call, 1_000_000)
}

fn unix_micros(call: &Call) -> Result<Val, QueryError> {
    from_unix(call, 1_000)
}

fn unix_nanos(call: &Call) -> Result<Val, QueryError> {
    from_unix(call, 1)
}

/// Seconds (possibly fractional, below 60) as nanoseconds, to the tick.
fn seconds_ns(s: &Scalar) -> Option<i64> {
    let v = as_real(s)?;
    (0.0..60.0)
        .contains(&v)
        .then(|| (v * 1e7).round() as i64 * NANOS_PER_TICK)
}

/// `make_datetime(year, month, day[, hour, minute[, second]])`: null when
/// the parts are not a valid date and time.
fn make_datetime(call: &Call) -> Result<Val, QueryError> {
    if call.args.len() == 4 {
        return Err(QueryError::type_error(
            "make_datetime() takes year, month, day and optionally hour, minute and second (3, 5 or 6 arguments)",
            call.span,
        ));
    }
    for i in 0..call.args.len() {
        expect_number(call, i)?;
    }
    call.rowwise(KqlType::Datetime, |a| {
        let part = |i: usize| a.get(i).map_or(Some(0), as_long);
        let build = || -> Option<i64> {
            let date = NaiveDate::from_ymd_opt(
                i32::try_from(part(0)?).ok()?,
                u32::try_from(part(1)?).ok()?,
                u32::try_from(part(2)?).ok()?,
            )?;
            let (h, m) = (part(3)?, part(4)?);
            if !(0..24).contains(&h) || !(0..60).contains(&m) {
                return None;
            }
            let s = match a.get(5) {
                Some(s) => seconds_ns(s)?,
                None => 0,
            };
            nanos(date.and_hms_opt(0, 0, 0)?)?
                .checked_add(h * NANOS_PER_HOUR + m * NANOS_PER_MINUTE + s)
        };
        Ok(typed(KqlType::Datetime, build()))
    })
}

/// `make_timespan(hour, minute)`, `(hour, minute, second)` or `(day, hour,
/// minute, second)`: null when a part is out of range.
fn make_timespan(call: &Call) -> Result<Val, QueryError> {
    for i in 0..call.args.len() {
        expect_number(call, i)?;
    }
    let n = call.args.len();
    call.rowwise(KqlType::Timespan, |a| {
        let build = || -> Option<i64> {
            let (days, rest) = if n == 4 {
                (as_long(&a[0])?, &a[1..])
            } else {
                (0, a)
            };
            let (h, m) = (as_long(&rest[0])?, as_long(&rest[1])?);
            if !(0..24).contains(&h) || !(0..60).contains(&m) {
                return None;
            }
            let s = match rest.get(2) {
                Some(s) => seconds_ns(s)?,
                None => 0,
            };
            days.checked_mul(NANOS_PER_DAY)?
                .checked_add(h * NANOS_PER_HOUR + m * NANOS_PER_MINUTE + s)
        };
        Ok(typed(KqlType::Timespan, build()))
    })
}
