//! `format_datetime` and `format_timespan`: .NET-style custom format
//! strings, tokenized once when constant.

use chrono::{Datelike, Timelike};

use super::{naive, weekday};
use crate::data::time::{NANOS_PER_SEC, NANOS_PER_TICK};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{
    as_datetime, as_timespan, expect_datetime, expect_string, expect_timespan,
};
use crate::kql::value::{Scalar, Val};

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
pub(super) fn format_datetime(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn format_timespan(call: &Call) -> Result<Val, QueryError> {
    expect_timespan(call, 0)?;
    expect_string(call, 1)?;
    format_by_pattern(call, "dhHmsfF", as_timespan, render_timespan)
}
