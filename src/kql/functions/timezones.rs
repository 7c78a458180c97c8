//! Time zones: `datetime_utc_to_local`, `datetime_local_to_utc` and
//! `datetime_list_timezones`, over the IANA database (chrono-tz), which
//! holds the names Kusto accepts (`US/Pacific`, `Europe/Paris`, ...).
//!
//! Local times that happen twice (clocks going back) are read as the
//! later, standard-time instant; local times that never happen (clocks
//! going forward) take the offset in force after the change, as Kusto's
//! documented example shows (02:00 in Brussels on 2022-03-27 is 00:00 UTC).

use chrono::{DateTime, LocalResult, NaiveDateTime, Offset, TimeZone};
use chrono_tz::Tz;
use serde_json::Value as Json;

use super::convert::{expect_datetime, expect_string};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "datetime_utc_to_local",
        min_args: 2,
        max_args: 2,
        eval: |c| convert(c, true),
    },
    ScalarFunction {
        name: "datetime_local_to_utc",
        min_args: 2,
        max_args: 2,
        eval: |c| convert(c, false),
    },
    ScalarFunction {
        name: "datetime_list_timezones",
        min_args: 0,
        max_args: 0,
        eval: list,
    },
];

const NANOS: i64 = 1_000_000_000;

/// A datetime (nanoseconds since the epoch) as a naive date and time.
fn naive(ns: i64) -> Option<NaiveDateTime> {
    DateTime::from_timestamp(ns.div_euclid(NANOS), ns.rem_euclid(NANOS) as u32)
        .map(|d| d.naive_utc())
}

fn nanos(t: NaiveDateTime) -> Option<i64> {
    t.and_utc().timestamp_nanos_opt()
}

/// The UTC instant `ns` as wall-clock time in `tz`.
fn to_local(ns: i64, tz: Tz) -> Option<i64> {
    let utc = naive(ns)?;
    nanos(tz.from_utc_datetime(&utc).naive_local())
}

/// Wall-clock time `ns` in `tz` as a UTC instant.
fn to_utc(ns: i64, tz: Tz) -> Option<i64> {
    let local = naive(ns)?;
    let utc = match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.naive_utc(),
        LocalResult::Ambiguous(_, later) => later.naive_utc(),
        LocalResult::None => {
            // In the gap: the offset after it (found an hour on).
            let after = tz
                .from_local_datetime(&(local + chrono::Duration::hours(1)))
                .earliest()?;
            local - chrono::Duration::seconds(i64::from(after.offset().fix().local_minus_utc()))
        }
    };
    nanos(utc)
}

/// The zone named `name`, exactly or ignoring case.
fn zone(name: &str) -> Option<Tz> {
    name.parse::<Tz>().ok().or_else(|| {
        chrono_tz::TZ_VARIANTS
            .iter()
            .find(|z| z.name().eq_ignore_ascii_case(name))
            .copied()
    })
}

fn convert(call: &Call, to_local_time: bool) -> Result<Val, QueryError> {
    expect_datetime(call, 0)?;
    expect_string(call, 1)?;
    // A constant zone that does not exist is a mistake worth a caret.
    if let Some(Scalar::String(name)) = call.args.get(1).and_then(Val::as_scalar)
        && zone(name).is_none()
    {
        return Err(QueryError::type_error(
            format!(
                "unknown time zone '{name}': use an IANA name such as 'Europe/Paris' (datetime_list_timezones() lists them)"
            ),
            call.arg_span(1),
        ));
    }
    call.rowwise(KqlType::Datetime, |a| {
        let (Scalar::Datetime(ns), Some(tz)) = (&a[0], zone(&a[1].to_text())) else {
            return Ok(Scalar::Null(KqlType::Datetime));
        };
        let out = if to_local_time {
            to_local(*ns, tz)
        } else {
            to_utc(*ns, tz)
        };
        Ok(out.map_or(Scalar::Null(KqlType::Datetime), Scalar::Datetime))
    })
}

/// `datetime_list_timezones()`: every zone name, as a dynamic array.
fn list(_: &Call) -> Result<Val, QueryError> {
    Ok(Val::Scalar(Scalar::Dynamic(Json::Array(
        chrono_tz::TZ_VARIANTS
            .iter()
            .map(|z| Json::String(z.name().to_string()))
            .collect(),
    ))))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> i64 {
        crate::data::time::parse_datetime(text).unwrap_or_default()
    }

    #[test]
    fn brussels_spring_forward_as_documented() {
        let tz = zone("Europe/Brussels").expect("a zone");
        let cases = [
            ("2022-03-27 01:00:00", "2022-03-27 00:00:00"),
            ("2022-03-27 02:00:00", "2022-03-27 00:00:00"),
            ("2022-03-27 03:00:00", "2022-03-27 01:00:00"),
            ("2022-03-27 04:00:00", "2022-03-27 02:00:00"),
        ];
        for (local, utc) in cases {
            assert_eq!(to_utc(at(local), tz), Some(at(utc)), "{local}");
        }
        assert_eq!(
            to_local(at("2022-03-27 00:00:00"), tz),
            Some(at("2022-03-27 01:00:00"))
        );
    }

    #[test]
    fn fall_back_reads_the_standard_time() {
        let tz = zone("europe/brussels").expect("case does not matter");
        // 02:30 happens twice on 2022-10-30; standard time (UTC+1) wins.
        assert_eq!(
            to_utc(at("2022-10-30 02:30:00"), tz),
            Some(at("2022-10-30 01:30:00"))
        );
        assert!(zone("Mars/Olympus").is_none());
    }
}
