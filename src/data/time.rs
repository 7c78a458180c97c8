//! Datetimes and timespans as Kusto writes them.
//!
//! Datetimes are nanoseconds since the Unix epoch, UTC; Kusto's resolution is
//! 100 ns (a tick), and Defender's portal exports all seven fractional digits
//! (`2025-03-18T11:42:07.1234567Z`), so parsing keeps up to nine.

use chrono::{DateTime, NaiveDate, NaiveDateTime, NaiveTime, Utc};

pub const NANOS_PER_TICK: i64 = 100;
pub const NANOS_PER_SEC: i64 = 1_000_000_000;
pub const NANOS_PER_DAY: i64 = 86_400 * NANOS_PER_SEC;

/// Parses a datetime as found in exports and queries: ISO 8601 with `T` or a
/// space, optional fraction (any number of digits, kept to the nanosecond),
/// optional `Z` or `±hh:mm`; a date alone; and the US format of Sentinel's
/// CSV export (`3/18/2025, 11:42:07.123 AM`). Returns nanoseconds, UTC.
pub fn parse_datetime(text: &str) -> Option<i64> {
    let s = text.trim();
    parse_iso(s.as_bytes()).or_else(|| parse_other(s))
}

/// [`parse_datetime`] on raw bytes, as loaders find them: the ISO fast path
/// needs no UTF-8 check; other forms must be UTF-8.
pub fn parse_datetime_bytes(bytes: &[u8]) -> Option<i64> {
    let b = bytes.trim_ascii();
    parse_iso(b).or_else(|| parse_other(std::str::from_utf8(b).ok()?))
}

fn digits(b: &[u8], at: usize, n: usize) -> Option<i64> {
    let part = b.get(at..at + n)?;
    let mut v = 0i64;
    for &c in part {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(v)
}

/// The fast path: `YYYY-MM-DD[(T| )hh:mm[:ss[.fffffffff]]][Z|±hh:mm]`.
fn parse_iso(b: &[u8]) -> Option<i64> {
    if b.len() < 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        digits(b, 0, 4)? as i32,
        digits(b, 5, 2)? as u32,
        digits(b, 8, 2)? as u32,
    )?;
    let mut secs_of_day = 0i64;
    let mut nanos = 0i64;
    let mut i = 10;
    if i < b.len() && (b[i] == b'T' || b[i] == b' ') && b.len() >= i + 6 && b[i + 3] == b':' {
        let h = digits(b, i + 1, 2)?;
        let m = digits(b, i + 4, 2)?;
        i += 6;
        let mut s = 0;
        if i < b.len() && b[i] == b':' {
            s = digits(b, i + 1, 2)?;
            i += 3;
        }
        if h > 23 || m > 59 || s > 60 {
            return None;
        }
        secs_of_day = h * 3600 + m * 60 + s;
        if i < b.len() && b[i] == b'.' {
            i += 1;
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                if i - start < 9 {
                    nanos = nanos * 10 + i64::from(b[i] - b'0');
                }
                i += 1;
            }
            if i == start {
                return None;
            }
            for _ in (i - start)..9 {
                nanos *= 10;
            }
        }
    }
    let mut offset = 0i64;
    if i < b.len() {
        match b[i] {
            b'Z' | b'z' if i + 1 == b.len() => {}
            b'+' | b'-' if b.len() == i + 6 && b[i + 3] == b':' => {
                let sign = if b[i] == b'-' { -1 } else { 1 };
                offset = sign * (digits(b, i + 1, 2)? * 3600 + digits(b, i + 4, 2)? * 60);
            }
            _ => return None,
        }
    }
    let days = date
        .signed_duration_since(NaiveDate::from_ymd_opt(1970, 1, 1)?)
        .num_days();
    let secs = days
        .checked_mul(86_400)?
        .checked_add(secs_of_day - offset)?;
    secs.checked_mul(NANOS_PER_SEC)?.checked_add(nanos)
}

/// An ISO date written with one-digit months or days (`1970-5-12`,
/// `2024-1-2T03:04`), zero-padded so the fast path reads it.
fn pad_iso(s: &str) -> Option<String> {
    let end = s.find(['T', ' ']).unwrap_or(s.len());
    let (date, rest) = s.split_at(end);
    let mut parts = date.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let ok = |p: &str, max: usize| {
        !p.is_empty() && p.len() <= max && p.bytes().all(|b| b.is_ascii_digit())
    };
    if parts.next().is_some() || y.len() != 4 || !ok(y, 4) || !ok(m, 2) || !ok(d, 2) {
        return None;
    }
    if m.len() == 2 && d.len() == 2 {
        return None;
    }
    Some(format!("{y}-{m:0>2}-{d:0>2}{rest}"))
}

/// Slower formats, tried only when ISO fails.
fn parse_other(s: &str) -> Option<i64> {
    if let Some(padded) = pad_iso(s) {
        return parse_iso(padded.as_bytes());
    }
    if let Some(ns) = parse_zoned(s) {
        return Some(ns);
    }
    const FORMATS: &[&str] = &[
        "%m-%d-%Y %H:%M:%S%.f",
        "%m/%d/%Y, %I:%M:%S%.f %p",
        "%m/%d/%Y %I:%M:%S%.f %p",
        "%m/%d/%Y %H:%M:%S%.f",
        "%m/%d/%Y, %H:%M:%S%.f",
        "%Y/%m/%d %H:%M:%S%.f",
        "%d %b %Y %H:%M:%S%.f",
    ];
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return dt.with_timezone(&Utc).timestamp_nanos_opt();
    }
    for f in FORMATS {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, f) {
            return dt.and_utc().timestamp_nanos_opt();
        }
    }
    // `MM-dd-yyyy` is the documented `todatetime('12-02-2022')` form.
    for f in ["%m/%d/%Y", "%Y/%m/%d", "%m-%d-%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, f) {
            return d.and_time(NaiveTime::MIN).and_utc().timestamp_nanos_opt();
        }
    }
    None
}

/// The forms of Kusto's datetime table that carry a zone or a weekday
/// (scalar-data-types/datetime.md): ISO 8601 with an offset written
/// `+0330`, `+03` or after a space (`2019-01-22 03:54:16 +0330`, as web
/// server logs write it), RFC 822 (`Sat, 8 Nov 14 15:05:02 GMT`), RFC 850
/// (`Saturday, 08-Nov-14 15:05 GMT`) and the sortable form with a zone
/// (`2014-11-08 15:05:25 GMT`); each with or without its zone, seconds
/// and weekday. The offset is taken off, so the result is UTC.
fn parse_zoned(s: &str) -> Option<i64> {
    let (rest, offset_secs) = split_zone(s);
    // A leading weekday (`Sat, ` or `Saturday, `) says nothing more.
    let rest = match rest.split_once(", ") {
        Some((day, after)) if day.chars().all(|c| c.is_ascii_alphabetic()) => after,
        _ => rest,
    };
    const FORMATS: &[&str] = &[
        "%d %b %y %H:%M:%S%.f",
        "%d %b %y %H:%M",
        "%d %b %Y %H:%M:%S%.f",
        "%d %b %Y %H:%M",
        "%d-%b-%y %H:%M:%S%.f",
        "%d-%b-%y %H:%M",
        "%d-%b-%Y %H:%M:%S%.f",
        "%d-%b-%Y %H:%M",
    ];
    let local = parse_iso(rest.as_bytes())
        .or_else(|| parse_iso(pad_iso(rest)?.as_bytes()))
        .or_else(|| {
            FORMATS.iter().find_map(|f| {
                NaiveDateTime::parse_from_str(rest, f)
                    .ok()?
                    .and_utc()
                    .timestamp_nanos_opt()
            })
        })?;
    local.checked_sub(offset_secs.checked_mul(NANOS_PER_SEC)?)
}

/// Splits a trailing zone off a datetime's text: ` GMT`, ` UTC`, or an
/// offset `±hh`, `±hhmm`, `±hh:mm` (after a space or right after the time),
/// as seconds east of UTC. Text without a time of day (`2014-11-08`) has no
/// zone: its last `-08` is the day.
fn split_zone(s: &str) -> (&str, i64) {
    for zone in [" GMT", " UTC", " Z"] {
        if let Some(rest) = s.strip_suffix(zone) {
            return (rest, 0);
        }
    }
    let Some(sign_at) = s.rfind(['+', '-']) else {
        return (s, 0);
    };
    let (rest, zone) = s.split_at(sign_at);
    let digits: String = zone[1..].chars().filter(|&c| c != ':').collect();
    let colons = zone[1..].matches(':').count();
    let well_formed = match digits.len() {
        2 => colons == 0,
        4 => colons == 0 || (colons == 1 && zone.as_bytes().get(3) == Some(&b':')),
        _ => false,
    };
    if !well_formed || !digits.bytes().all(|b| b.is_ascii_digit()) || !rest.contains(':') {
        return (s, 0);
    }
    let hours: i64 = digits[..2].parse().unwrap_or(0);
    let minutes: i64 = digits.get(2..).map_or(0, |m| m.parse().unwrap_or(0));
    if hours > 14 || minutes > 59 {
        return (s, 0);
    }
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    (rest.trim_end(), sign * (hours * 3600 + minutes * 60))
}

/// Formats a datetime as Kusto displays it: ISO 8601, UTC, seven fractional
/// digits, `Z` (`2025-03-18T11:42:07.1234567Z`).
pub fn format_datetime(ns: i64) -> String {
    let mut buf = [0u8; DATETIME_TEXT_LEN];
    if let Some(text) = datetime_text(ns, &mut buf) {
        return text.to_string();
    }
    let dt = DateTime::<Utc>::from_timestamp_nanos(ns);
    let frac = ns.rem_euclid(NANOS_PER_SEC) / NANOS_PER_TICK;
    format!("{}.{:07}Z", dt.format("%Y-%m-%dT%H:%M:%S"), frac)
}

/// The length of a datetime's text in years 0 to 9999.
pub const DATETIME_TEXT_LEN: usize = 28;

/// [`format_datetime`] into a buffer, without allocating (searching
/// millions of timestamps as text); `None` for years outside 0 to 9999.
pub fn datetime_text(ns: i64, buf: &mut [u8; DATETIME_TEXT_LEN]) -> Option<&str> {
    let secs = ns.div_euclid(NANOS_PER_SEC);
    let ticks = ns.rem_euclid(NANOS_PER_SEC) / NANOS_PER_TICK;
    let (year, month, day) = civil_from_days(secs.div_euclid(86_400));
    let of_day = secs.rem_euclid(86_400);
    if !(0..=9999).contains(&year) {
        return None;
    }
    let mut put = |at: usize, value: i64, width: usize| {
        let mut v = value;
        for i in (at..at + width).rev() {
            buf[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, year, 4);
    put(5, month, 2);
    put(8, day, 2);
    put(11, of_day / 3600, 2);
    put(14, of_day / 60 % 60, 2);
    put(17, of_day % 60, 2);
    put(20, ticks, 7);
    for (at, c) in [
        (4, b'-'),
        (7, b'-'),
        (10, b'T'),
        (13, b':'),
        (16, b':'),
        (19, b'.'),
        (27, b'Z'),
    ] {
        buf[at] = c;
    }
    std::str::from_utf8(buf).ok()
}

/// Days since 1970-01-01 to (year, month, day), proleptic Gregorian
/// (Howard Hinnant's `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Parses a timespan in Kusto's text form: `[-][d.]hh:mm[:ss[.fffffff]]`
/// (`1.02:03:04.5`, `00:05:00`), or a literal with a unit (`5m`, `1.5h`,
/// `30s`, `100ms`, `2d`, `3tick`). Returns nanoseconds.
pub fn parse_timespan(text: &str) -> Option<i64> {
    let s = text.trim();
    if let Some(ns) = parse_timespan_literal(s) {
        return Some(ns);
    }
    let (neg, s) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (days, clock) = match s.split_once(':') {
        Some((head, _)) => match head.split_once('.') {
            Some((d, _)) => (d.parse::<i64>().ok()?, &s[d.len() + 1..]),
            None => (0, s),
        },
        None => return None,
    };
    let mut parts = clock.split(':');
    let h: i64 = parts.next()?.parse().ok()?;
    let m: i64 = parts.next()?.parse().ok()?;
    let (sec, frac) = match parts.next() {
        Some(p) => match p.split_once('.') {
            Some((sec, frac)) => (sec.parse::<i64>().ok()?, frac),
            None => (p.parse::<i64>().ok()?, ""),
        },
        None => (0, ""),
    };
    if parts.next().is_some() || !frac.bytes().all(|c| c.is_ascii_digit()) || frac.len() > 9 {
        return None;
    }
    let mut nanos = 0i64;
    for (i, c) in frac.bytes().enumerate() {
        nanos += i64::from(c - b'0') * 10i64.pow(8 - i as u32);
    }
    // Checked: a timespan beyond ±292 years is no timespan, not a panic.
    let clock_secs = h
        .checked_mul(3600)?
        .checked_add(m.checked_mul(60)?)?
        .checked_add(sec)?;
    let total = days
        .checked_mul(NANOS_PER_DAY)?
        .checked_add(clock_secs.checked_mul(NANOS_PER_SEC)?)?
        .checked_add(nanos)?;
    if neg {
        total.checked_neg()
    } else {
        Some(total)
    }
}

/// The nanoseconds in one unit of a timespan suffix, as KQL spells them.
pub fn timespan_unit(unit: &str) -> Option<i64> {
    Some(match unit {
        "d" | "day" | "days" => NANOS_PER_DAY,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600 * NANOS_PER_SEC,
        "m" | "min" | "minute" | "minutes" => 60 * NANOS_PER_SEC,
        "s" | "sec" | "second" | "seconds" => NANOS_PER_SEC,
        "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => 1_000_000,
        "microsecond" | "microseconds" | "micro" | "micros" => 1_000,
        "tick" | "ticks" => NANOS_PER_TICK,
        _ => return None,
    })
}

/// `5m`, `1.5h`, `-2d`: a number followed by a unit.
fn parse_timespan_literal(s: &str) -> Option<i64> {
    let split = s.find(|c: char| c.is_ascii_alphabetic())?;
    let (num, unit) = s.split_at(split);
    let value: f64 = num.trim().parse().ok()?;
    let unit = timespan_unit(unit.trim())?;
    let ns = value * unit as f64;
    ns.is_finite().then_some(ns.round() as i64)
}

/// Formats a timespan as Kusto does: `[-][d.]hh:mm:ss[.fffffff]`.
pub fn format_timespan(ns: i64) -> String {
    let neg = ns < 0;
    let ns = ns.unsigned_abs();
    let ticks_frac = (ns % NANOS_PER_SEC as u64) / NANOS_PER_TICK as u64;
    let total_secs = ns / NANOS_PER_SEC as u64;
    let days = total_secs / 86_400;
    let h = (total_secs % 86_400) / 3600;
    let m = (total_secs % 3600) / 60;
    let s = total_secs % 60;
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    if days > 0 {
        out.push_str(&format!("{days}."));
    }
    out.push_str(&format!("{h:02}:{m:02}:{s:02}"));
    if ticks_frac > 0 {
        out.push_str(&format!(".{ticks_frac:07}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datetime_text_matches_the_general_formatter() {
        let general = |ns: i64| {
            let dt = DateTime::<Utc>::from_timestamp_nanos(ns);
            let frac = ns.rem_euclid(NANOS_PER_SEC) / NANOS_PER_TICK;
            format!("{}.{:07}Z", dt.format("%Y-%m-%dT%H:%M:%S"), frac)
        };
        for ns in [
            0,
            -1,
            -100,
            1_742_298_127_123_456_700,
            1_742_298_127_000_000_000,
            -2_208_988_800_000_000_000,
            i64::MAX,
            i64::MIN,
        ] {
            assert_eq!(format_datetime(ns), general(ns), "{ns}");
        }
        let mut buf = [0u8; DATETIME_TEXT_LEN];
        assert_eq!(
            datetime_text(1_742_298_127_123_456_700, &mut buf),
            Some("2025-03-18T11:42:07.1234567Z")
        );
    }

    #[test]
    fn seven_digit_fractions_keep_every_tick() {
        let a = parse_datetime("2025-03-18T11:42:07.1234567Z").unwrap();
        let b = parse_datetime("2025-03-18T11:42:07.1234570Z").unwrap();
        assert_eq!(b - a, 300);
        assert_eq!(format_datetime(a), "2025-03-18T11:42:07.1234567Z");
    }

    #[test]
    fn datetime_forms() {
        let base = parse_datetime("2025-03-18T11:42:07Z").unwrap();
        assert_eq!(base, 1_742_298_127 * NANOS_PER_SEC);
        assert_eq!(parse_datetime("2025-03-18 11:42:07"), Some(base));
        assert_eq!(parse_datetime("2025-03-18T13:42:07+02:00"), Some(base));
        assert_eq!(parse_datetime("3/18/2025, 11:42:07.000 AM"), Some(base));
        assert_eq!(
            parse_datetime("2025-03-18"),
            Some(base - (11 * 3600 + 42 * 60 + 7) * NANOS_PER_SEC)
        );
        assert_eq!(parse_datetime("2025-13-18"), None);
        assert_eq!(parse_datetime("hello"), None);
        assert_eq!(parse_datetime("2025-03-18Tx"), None);
        assert_eq!(parse_datetime("1969-12-31T23:59:59Z"), Some(-NANOS_PER_SEC));
    }

    #[test]
    fn timespans() {
        assert_eq!(parse_timespan("00:05:00"), Some(300 * NANOS_PER_SEC));
        assert_eq!(
            parse_timespan("1.02:03:04.5"),
            Some(NANOS_PER_DAY + (2 * 3600 + 3 * 60 + 4) * NANOS_PER_SEC + 500_000_000)
        );
        assert_eq!(parse_timespan("1.5h"), Some(5400 * NANOS_PER_SEC));
        assert_eq!(parse_timespan("-2d"), Some(-2 * NANOS_PER_DAY));
        // Too large for 64-bit nanoseconds: not a timespan (was an overflow panic).
        assert_eq!(parse_timespan("99999999999.00:00:00"), None);
        assert_eq!(parse_timespan("00:00:9223372036854775807"), None);
        assert_eq!(
            format_timespan(NANOS_PER_DAY + 3_723 * NANOS_PER_SEC),
            "1.01:02:03"
        );
        assert_eq!(format_timespan(-1500 * 1_000_000), "-00:00:01.5000000");
    }
}
