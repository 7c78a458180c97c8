//! Calendar arithmetic and parts: `datetime_add`, `datetime_diff`,
//! `datetime_part`, the `startof*`/`endof*` family, `dayofweek`,
//! `dayofmonth`, `dayofyear`, `hourofday`, `monthofyear`, `getyear` and
//! `week_of_year`. Weeks start on Sunday.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, Timelike};

use super::{
    NANOS_PER_HOUR, NANOS_PER_MINUTE, NANOS_PER_WEEK, day_floor, naive, nanos, per_datetime, typed,
    weekday,
};
use crate::data::time::{NANOS_PER_DAY, NANOS_PER_SEC, NANOS_PER_TICK};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{
    as_datetime, as_long, expect_datetime, expect_integer, expect_string,
};
use crate::kql::value::{Scalar, Val};

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
pub(super) fn datetime_add(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn datetime_diff(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn datetime_part(call: &Call) -> Result<Val, QueryError> {
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

pub(super) fn startofday(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Day, false)
}

pub(super) fn startofweek(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Week, false)
}

pub(super) fn startofmonth(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Month, false)
}

pub(super) fn startofyear(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Year, false)
}

pub(super) fn endofday(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Day, true)
}

pub(super) fn endofweek(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Week, true)
}

pub(super) fn endofmonth(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Month, true)
}

pub(super) fn endofyear(call: &Call) -> Result<Val, QueryError> {
    period_bound(call, Period::Year, true)
}

/// `dayofweek(dt)`: days since the preceding Sunday, as a timespan.
pub(super) fn dayofweek(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Timespan, |ns, _| {
        Some(weekday(ns) * NANOS_PER_DAY)
    })
}

pub(super) fn dayofmonth(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).day()))
    })
}

pub(super) fn dayofyear(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).ordinal()))
    })
}

pub(super) fn hourofday(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(ns.rem_euclid(NANOS_PER_DAY) / NANOS_PER_HOUR)
    })
}

pub(super) fn monthofyear(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).month()))
    })
}

pub(super) fn getyear(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).year()))
    })
}

/// `week_of_year(dt)`: the ISO 8601 week (the first week holds the year's
/// first Thursday). `weekofyear` is its deprecated alias.
pub(super) fn week_of_year(call: &Call) -> Result<Val, QueryError> {
    per_datetime(call, 0, KqlType::Int, |ns, _| {
        Some(i64::from(naive(ns).iso_week().week()))
    })
}
