//! Conversions and construction: `todatetime`, `totimespan`, the
//! `unixtime_*_todatetime` family, `make_datetime` and `make_timespan`.

use chrono::NaiveDate;
use polars::prelude::*;

use super::{NANOS_PER_HOUR, NANOS_PER_MINUTE, nanos, typed, typed_column};
use crate::data::time::{NANOS_PER_DAY, NANOS_PER_SEC, NANOS_PER_TICK, parse_datetime};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_long, as_real, coerce, expect_number};
use crate::kql::value::{Scalar, Val};

/// `todatetime(x)`: null when `x` is not a datetime or datetime text.
pub(super) fn todatetime(call: &Call) -> Result<Val, QueryError> {
    if let Val::Column(c) = &call.args[0]
        && let Ok(text) = c.str()
    {
        let out: Int64Chunked = text.iter().map(|t| t.and_then(parse_datetime)).collect();
        return Ok(typed_column(KqlType::Datetime, out));
    }
    call.rowwise(KqlType::Datetime, |a| Ok(coerce(&a[0], KqlType::Datetime)))
}

/// `totimespan(x)`: text in Kusto's forms, or a number of ticks.
pub(super) fn totimespan(call: &Call) -> Result<Val, QueryError> {
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

pub(super) fn unix_seconds(call: &Call) -> Result<Val, QueryError> {
    from_unix(call, NANOS_PER_SEC)
}

pub(super) fn unix_millis(call: &Call) -> Result<Val, QueryError> {
    from_unix(call, 1_000_000)
}

pub(super) fn unix_micros(call: &Call) -> Result<Val, QueryError> {
    from_unix(call, 1_000)
}

pub(super) fn unix_nanos(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn make_datetime(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn make_timespan(call: &Call) -> Result<Val, QueryError> {
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
