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

mod binning;
mod calendar;
mod clock;
mod construction;
mod formatting;

use chrono::{DateTime, NaiveDateTime, Utc};
use polars::prelude::*;

use super::convert::{TICKS_TO_UNIX_EPOCH, as_datetime, column, expect_datetime, i64_column};
use super::{Call, ScalarFunction};
use crate::data::time::{NANOS_PER_DAY, NANOS_PER_SEC, NANOS_PER_TICK};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};
use binning::{bin, bin_at};
use calendar::{
    datetime_add, datetime_diff, datetime_part, dayofmonth, dayofweek, dayofyear, endofday,
    endofmonth, endofweek, endofyear, getyear, hourofday, monthofyear, startofday, startofmonth,
    startofweek, startofyear, week_of_year,
};
use clock::{ago, now};
use construction::{
    make_datetime, make_timespan, todatetime, totimespan, unix_micros, unix_millis, unix_nanos,
    unix_seconds,
};
use formatting::{format_datetime, format_timespan};

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
