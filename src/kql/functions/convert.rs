//! Conversion functions (`tostring`, `toint`, `tolong`, `todouble`,
//! `tobool`, `todecimal`, `toguid`, `tohex`, `gettype`) and the conversion
//! rules every other family shares, so that `toint(x)` and a function that
//! takes an int read a value the same way.
//!
//! Kusto keeps datetimes and timespans in 100 ns ticks, and that is what
//! `tolong()` of one gives: datetimes count from 0001-01-01, as .NET does.

use std::fmt::Write as _;

use polars::prelude::*;
use serde_json::Value as Json;

use super::{Call, ScalarFunction};
use crate::data::decimal::Decimal;
use crate::data::time::{NANOS_PER_TICK, parse_datetime, parse_timespan};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val, parse_json_bytes};

/// Ticks from 0001-01-01 (.NET's epoch) to 1970-01-01.
pub const TICKS_TO_UNIX_EPOCH: i64 = 621_355_968_000_000_000;

/// The conversion functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "tostring",
        min_args: 1,
        max_args: 1,
        eval: tostring,
    },
    ScalarFunction {
        name: "toint",
        min_args: 1,
        max_args: 1,
        eval: toint,
    },
    ScalarFunction {
        name: "tolong",
        min_args: 1,
        max_args: 1,
        eval: tolong,
    },
    ScalarFunction {
        name: "todouble",
        min_args: 1,
        max_args: 1,
        eval: toreal,
    },
    ScalarFunction {
        name: "toreal",
        min_args: 1,
        max_args: 1,
        eval: toreal,
    },
    ScalarFunction {
        name: "todecimal",
        min_args: 1,
        max_args: 1,
        eval: super::decimal::todecimal,
    },
    ScalarFunction {
        name: "parse_version",
        min_args: 1,
        max_args: 1,
        eval: super::decimal::parse_version,
    },
    ScalarFunction {
        name: "tobool",
        min_args: 1,
        max_args: 1,
        eval: tobool,
    },
    ScalarFunction {
        name: "toboolean",
        min_args: 1,
        max_args: 1,
        eval: tobool,
    },
    ScalarFunction {
        name: "toguid",
        min_args: 1,
        max_args: 1,
        eval: toguid,
    },
    ScalarFunction {
        name: "tohex",
        min_args: 1,
        max_args: 2,
        eval: tohex,
    },
    ScalarFunction {
        name: "gettype",
        min_args: 1,
        max_args: 1,
        eval: gettype,
    },
];

// ---------------------------------------------------------------------------
// Reading one value as a given type (Kusto's `to*()` rules).

/// A dynamic value holding a string is read through its text; JSON numbers
/// and bools as themselves.
fn json_scalar(j: &Json) -> Scalar {
    crate::kql::expr::json_scalar(j)
}

/// `tolong()`: numbers truncate, bools are 1/0, text is parsed, datetimes
/// and timespans give ticks.
pub fn as_long(s: &Scalar) -> Option<i64> {
    match s {
        Scalar::Null(_) => None,
        Scalar::Bool(b) => Some(i64::from(*b)),
        Scalar::Int(v) => Some(i64::from(*v)),
        Scalar::Long(v) => Some(*v),
        Scalar::Real(v) => real_to_long(*v),
        Scalar::Decimal(d) => d.trunc_i64(),
        Scalar::Datetime(ns) => ns
            .div_euclid(NANOS_PER_TICK)
            .checked_add(TICKS_TO_UNIX_EPOCH),
        Scalar::Timespan(ns) => Some(ns / NANOS_PER_TICK),
        Scalar::String(t) => parse_long(t),
        Scalar::Dynamic(Json::Object(_) | Json::Array(_) | Json::Null) => None,
        Scalar::Dynamic(j) => as_long(&json_scalar(j)),
    }
}

/// A real truncated toward zero, if it fits.
pub fn real_to_long(v: f64) -> Option<i64> {
    let t = v.trunc();
    (t.is_finite() && t >= i64::MIN as f64 && t < i64::MAX as f64).then_some(t as i64)
}

/// Integer text; a decimal fraction is truncated, as `toint(2.3)` is.
fn parse_long(t: &str) -> Option<i64> {
    let t = t.trim();
    t.parse::<i64>()
        .ok()
        .or_else(|| parse_real(t).and_then(real_to_long))
}

/// Real text as .NET reads it, including `NaN` and `Infinity`.
fn parse_real(t: &str) -> Option<f64> {
    let t = t.trim();
    if t.is_empty() {
        return None;
    }
    t.parse::<f64>()
        .ok()
        .or(match t.to_ascii_lowercase().as_str() {
            "infinity" | "+infinity" => Some(f64::INFINITY),
            "-infinity" => Some(f64::NEG_INFINITY),
            _ => None,
        })
}

/// `todouble()`.
pub fn as_real(s: &Scalar) -> Option<f64> {
    match s {
        Scalar::Null(_) => None,
        Scalar::Bool(b) => Some(if *b { 1.0 } else { 0.0 }),
        Scalar::Int(v) => Some(f64::from(*v)),
        Scalar::Long(v) => Some(*v as f64),
        Scalar::Real(v) => Some(*v),
        Scalar::Decimal(d) => Some(d.to_f64()),
        Scalar::Datetime(_) | Scalar::Timespan(_) => as_long(s).map(|v| v as f64),
        Scalar::String(t) => parse_real(t),
        Scalar::Dynamic(Json::Object(_) | Json::Array(_) | Json::Null) => None,
        Scalar::Dynamic(j) => as_real(&json_scalar(j)),
    }
}

/// `todecimal()`: numbers exactly (a real by its shortest digits, `0.1`
/// is 0.1), decimal text (`"123.45678"`, `"1e5"`), bools as 1 and 0,
/// datetimes and timespans as ticks; null for anything else or a value of
/// more than 38 integer digits.
pub fn as_decimal(s: &Scalar) -> Option<Decimal> {
    match s {
        Scalar::Null(_) => None,
        Scalar::Bool(b) => Some(Decimal::from_i64(i64::from(*b))),
        Scalar::Int(v) => Some(Decimal::from_i64(i64::from(*v))),
        Scalar::Long(v) => Some(Decimal::from_i64(*v)),
        Scalar::Real(v) => Decimal::from_f64(*v),
        Scalar::Decimal(d) => Some(*d),
        Scalar::Datetime(_) | Scalar::Timespan(_) => as_long(s).map(Decimal::from_i64),
        Scalar::String(t) => Decimal::parse(t),
        // A JSON number by its own digits, not through a real.
        Scalar::Dynamic(Json::Number(n)) => Decimal::parse(&n.to_string()),
        Scalar::Dynamic(Json::Bool(b)) => Some(Decimal::from_i64(i64::from(*b))),
        Scalar::Dynamic(Json::String(t)) => Decimal::parse(t),
        Scalar::Dynamic(_) => None,
    }
}

/// `tobool()`: `true`/`false` in any case, and numbers (non-zero is true).
pub fn as_bool(s: &Scalar) -> Option<bool> {
    match s {
        Scalar::Null(_) => None,
        Scalar::Bool(b) => Some(*b),
        Scalar::Int(v) => Some(*v != 0),
        Scalar::Long(v) => Some(*v != 0),
        Scalar::Real(v) => (!v.is_nan()).then_some(*v != 0.0),
        Scalar::Decimal(d) => Some(!d.is_zero()),
        Scalar::Datetime(_) | Scalar::Timespan(_) => None,
        Scalar::String(t) => {
            let t = t.trim();
            if t.eq_ignore_ascii_case("true") {
                Some(true)
            } else if t.eq_ignore_ascii_case("false") {
                Some(false)
            } else {
                t.parse::<i64>().ok().map(|v| v != 0)
            }
        }
        Scalar::Dynamic(Json::Object(_) | Json::Array(_) | Json::Null) => None,
        Scalar::Dynamic(j) => as_bool(&json_scalar(j)),
    }
}

/// `todatetime()`: datetimes, and text in any form `data::time` parses.
pub fn as_datetime(s: &Scalar) -> Option<i64> {
    match s {
        Scalar::Datetime(v) => Some(*v),
        Scalar::String(t) => parse_datetime(t),
        Scalar::Dynamic(Json::String(t)) => parse_datetime(t),
        _ => None,
    }
}

/// `totimespan()`: timespans, timespan text (`1.02:03:04`, `5m`), and
/// numbers, read as ticks (the inverse of `tolong(timespan)`).
pub fn as_timespan(s: &Scalar) -> Option<i64> {
    match s {
        Scalar::Timespan(v) => Some(*v),
        Scalar::String(t) => parse_timespan(t),
        Scalar::Int(_) | Scalar::Long(_) => as_long(s)?.checked_mul(NANOS_PER_TICK),
        Scalar::Real(v) => {
            let ns = (v * NANOS_PER_TICK as f64).round();
            ns.is_finite().then_some(ns as i64)
        }
        Scalar::Decimal(d) => as_timespan(&Scalar::Real(d.to_f64())),
        Scalar::Dynamic(Json::String(t)) => parse_timespan(t),
        Scalar::Dynamic(j @ Json::Number(_)) => as_timespan(&json_scalar(j)),
        _ => None,
    }
}

/// Reads a value as `kind`, null when it cannot be (how a dynamic value or
/// a mixed argument list is brought to one type).
pub fn coerce(s: &Scalar, kind: KqlType) -> Scalar {
    if s.kind() == kind {
        return s.clone();
    }
    let v = match kind {
        KqlType::Bool => as_bool(s).map(Scalar::Bool),
        KqlType::Int => as_long(s)
            .and_then(|v| i32::try_from(v).ok())
            .map(Scalar::Int),
        KqlType::Long => as_long(s).map(Scalar::Long),
        KqlType::Real => as_real(s).map(Scalar::Real),
        KqlType::Decimal => as_decimal(s).map(Scalar::Decimal),
        KqlType::Datetime => as_datetime(s).map(Scalar::Datetime),
        KqlType::Timespan => as_timespan(s).map(Scalar::Timespan),
        KqlType::String => Some(Scalar::String(s.to_text().into_owned())),
        KqlType::Dynamic => Some(Scalar::Dynamic(s.to_json())),
    };
    v.unwrap_or(Scalar::Null(kind))
}

// ---------------------------------------------------------------------------
// Argument checks and column views shared by the families.

/// Fails unless argument `i` is one of the accepted kinds; a dynamic value
/// is always accepted (it is read through the conversion rules above, as
/// Kusto reads `AdditionalFields.x`).
pub fn expect(
    call: &Call,
    i: usize,
    ok: impl Fn(KqlType) -> bool,
    expected: &str,
) -> Result<(), QueryError> {
    match call.args.get(i) {
        Some(v) if v.kind() == KqlType::Dynamic || ok(v.kind()) => Ok(()),
        // A typed null of another type is still a mistake, but `dynamic(null)`
        // fits anywhere.
        Some(_) | None => Err(call.type_error(i, expected)),
    }
}

/// Argument `i` must be a string.
pub fn expect_string(call: &Call, i: usize) -> Result<(), QueryError> {
    expect(call, i, |k| k == KqlType::String, "a string")
}

/// Argument `i` must be a number.
pub fn expect_number(call: &Call, i: usize) -> Result<(), QueryError> {
    expect(call, i, KqlType::is_numeric, "a number")
}

/// Argument `i` must be an integer.
pub fn expect_integer(call: &Call, i: usize) -> Result<(), QueryError> {
    expect(
        call,
        i,
        |k| matches!(k, KqlType::Int | KqlType::Long),
        "an integer",
    )
}

/// Argument `i` must be a datetime.
pub fn expect_datetime(call: &Call, i: usize) -> Result<(), QueryError> {
    expect(call, i, |k| k == KqlType::Datetime, "a datetime")
}

/// Argument `i` must be a timespan.
pub fn expect_timespan(call: &Call, i: usize) -> Result<(), QueryError> {
    expect(call, i, |k| k == KqlType::Timespan, "a timespan")
}

/// Argument `i` must be a bool.
pub fn expect_bool(call: &Call, i: usize) -> Result<(), QueryError> {
    expect(call, i, |k| k == KqlType::Bool, "a bool")
}

/// The 64-bit integer behind each value of a column: numbers widened,
/// datetimes and timespans as nanoseconds, anything else through `tolong`.
pub fn i64_column(v: &Val, rows: usize) -> Int64Chunked {
    match v {
        Val::Scalar(s) => {
            let x = match s {
                Scalar::Datetime(x) | Scalar::Timespan(x) => Some(*x),
                other => as_long(other),
            };
            match x {
                Some(x) => Int64Chunked::full("".into(), x, rows),
                None => Int64Chunked::full_null("".into(), rows),
            }
        }
        Val::Column(c) => {
            let phys = c.to_physical_repr();
            match phys.dtype() {
                DataType::Int64 => phys.i64().cloned().unwrap_or_default(),
                DataType::Int32 | DataType::Boolean | DataType::UInt32 => phys
                    .cast(&DataType::Int64)
                    .ok()
                    .and_then(|s| s.i64().ok().cloned())
                    .unwrap_or_else(|| Int64Chunked::full_null("".into(), rows)),
                _ => (0..c.len())
                    .map(|i| as_long(&Scalar::from_series(c, i)))
                    .collect(),
            }
        }
    }
}

/// The real behind each value of a column (`todouble` of each).
pub fn f64_column(v: &Val, rows: usize) -> Float64Chunked {
    match v {
        Val::Scalar(s) => match as_real(s) {
            Some(x) => Float64Chunked::full("".into(), x, rows),
            None => Float64Chunked::full_null("".into(), rows),
        },
        Val::Column(c) => match c.dtype() {
            DataType::Float64 => c.f64().cloned().unwrap_or_default(),
            DataType::Int32 | DataType::Int64 | DataType::Boolean => c
                .cast(&DataType::Float64)
                .ok()
                .and_then(|s| s.f64().ok().cloned())
                .unwrap_or_else(|| Float64Chunked::full_null("".into(), rows)),
            DataType::Decimal(_, _) => crate::data::decimal::values(c)
                .unwrap_or_default()
                .into_iter()
                .map(|d| d.map(Decimal::to_f64))
                .collect(),
            _ => (0..c.len())
                .map(|i| as_real(&Scalar::from_series(c, i)))
                .collect(),
        },
    }
}

/// The decimal behind each value (`todecimal` of each), `rows` of them.
pub fn decimal_column(v: &Val, rows: usize) -> Vec<Option<Decimal>> {
    match v {
        Val::Scalar(s) => vec![as_decimal(s); rows],
        Val::Column(c) => match crate::data::decimal::values(c) {
            Some(values) => values,
            None => match c.dtype() {
                DataType::Int32 | DataType::Int64 => i64_column(v, rows)
                    .iter()
                    .map(|x| x.map(Decimal::from_i64))
                    .collect(),
                DataType::Float64 => f64_column(v, rows)
                    .iter()
                    .map(|x| x.and_then(Decimal::from_f64))
                    .collect(),
                _ => (0..c.len())
                    .map(|i| as_decimal(&Scalar::from_series(c, i)))
                    .collect(),
            },
        },
    }
}

/// A value read as dynamic JSON (text holding a JSON array or bag is
/// looked into, as member access does).
pub fn json_of(s: &Scalar) -> Json {
    match s {
        Scalar::Dynamic(Json::String(t)) | Scalar::String(t) => {
            let trimmed = t.trim_start();
            if trimmed.starts_with('[') || trimmed.starts_with('{') {
                serde_json::from_str(t).unwrap_or_else(|_| Json::String(t.clone()))
            } else {
                Json::String(t.clone())
            }
        }
        other => other.to_json(),
    }
}

/// A column result from per-row `Option`s of a KQL type.
pub fn column<T>(ca: ChunkedArray<T>) -> Val
where
    T: PolarsDataType,
    ChunkedArray<T>: IntoSeries,
{
    Val::Column(ca.into_series())
}

// ---------------------------------------------------------------------------
// The conversion functions.

/// `tostring(x)`: never null.
fn tostring(call: &Call) -> Result<Val, QueryError> {
    Ok(match &call.args[0] {
        Val::Scalar(s) => Val::Scalar(Scalar::String(s.to_text().into_owned())),
        // Integers are formatted directly rather than through per-row scalars.
        v @ Val::Column(c) if matches!(c.dtype(), DataType::Int32 | DataType::Int64) => {
            let mut b = StringChunkedBuilder::new("".into(), call.rows);
            let mut buf = String::new();
            for x in i64_column(v, call.rows).iter() {
                buf.clear();
                if let Some(x) = x {
                    // Writing to a String cannot fail.
                    let _ = write!(buf, "{x}");
                }
                b.append_value(&buf);
            }
            column(b.finish())
        }
        // Dynamic values are parsed and written back as text row by row:
        // on every core, looking at the cancel flag.
        Val::Column(c) if matches!(c.dtype(), DataType::Binary) => call
            .rowwise(KqlType::String, |a| {
                Ok(Scalar::String(a[0].to_text().into_owned()))
            })?,
        v => column(v.to_text(call.rows)),
    })
}

fn toint(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Int, |a| Ok(coerce(&a[0], KqlType::Int)))
}

fn tolong(call: &Call) -> Result<Val, QueryError> {
    if let Val::Column(c) = &call.args[0]
        && matches!(c.dtype(), DataType::Int32 | DataType::Int64)
    {
        return Ok(column(i64_column(&call.args[0], call.rows)));
    }
    call.rowwise(KqlType::Long, |a| Ok(coerce(&a[0], KqlType::Long)))
}

fn toreal(call: &Call) -> Result<Val, QueryError> {
    if let Val::Column(c) = &call.args[0]
        && matches!(
            c.dtype(),
            DataType::Int32 | DataType::Int64 | DataType::Float64
        )
    {
        return Ok(column(f64_column(&call.args[0], call.rows)));
    }
    call.rowwise(KqlType::Real, |a| Ok(coerce(&a[0], KqlType::Real)))
}

fn tobool(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Bool, |a| Ok(coerce(&a[0], KqlType::Bool)))
}

/// `toguid(x)`: Quarry keeps guids as strings, in the canonical lower-case
/// form; text that is not a guid gives "" (a string is never null).
fn toguid(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        let text = a[0].to_text();
        Ok(Scalar::String(canonical_guid(&text).unwrap_or_default()))
    })
}

/// `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`, also accepted without dashes or
/// within braces or parentheses.
fn canonical_guid(text: &str) -> Option<String> {
    let t = text.trim();
    let t = t
        .strip_prefix('{')
        .and_then(|r| r.strip_suffix('}'))
        .or_else(|| t.strip_prefix('(').and_then(|r| r.strip_suffix(')')))
        .unwrap_or(t);
    let hex: String = if t.len() == 36 {
        let b = t.as_bytes();
        if [8, 13, 18, 23].iter().any(|&i| b[i] != b'-') {
            return None;
        }
        t.chars().filter(|&c| c != '-').collect()
    } else {
        t.to_string()
    };
    if hex.len() != 32 || !hex.bytes().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let h = hex.to_ascii_lowercase();
    Some(format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    ))
}

/// `tohex(value[, minLength])`: two's complement for negatives, at the
/// value's own width (8 digits for an int, 16 for a long).
fn tohex(call: &Call) -> Result<Val, QueryError> {
    expect_integer(call, 0)?;
    if call.args.len() > 1 {
        expect_integer(call, 1)?;
    }
    call.rowwise(KqlType::String, |a| {
        let digits = match &a[0] {
            Scalar::Int(v) => format!("{:x}", *v as u32),
            Scalar::Null(_) => return Ok(Scalar::String(String::new())),
            other => match as_long(other) {
                Some(v) => format!("{:x}", v as u64),
                None => return Ok(Scalar::String(String::new())),
            },
        };
        let min = a.get(1).and_then(as_long).unwrap_or(0).clamp(0, 16) as usize;
        Ok(Scalar::String(format!("{digits:0>min$}")))
    })
}

/// `gettype(x)`: the static type, or for a dynamic value the type of what
/// it holds (`int` for a small JSON integer, `dictionary` for a bag).
fn gettype(call: &Call) -> Result<Val, QueryError> {
    let v = &call.args[0];
    if v.kind() != KqlType::Dynamic {
        let name = v.kind().name().to_string();
        return Ok(match v {
            Val::Scalar(_) => Val::Scalar(Scalar::String(name)),
            Val::Column(_) => Val::Column(Scalar::String(name).to_series("", call.rows)),
        });
    }
    match v {
        Val::Scalar(s) => Ok(Val::Scalar(Scalar::String(
            dynamic_type_name(&s.to_json()).into(),
        ))),
        Val::Column(c) => {
            let out: StringChunked = match c.binary() {
                Ok(b) => b
                    .iter()
                    .map(|x| Some(x.map_or("null", |x| dynamic_type_name(&parse_json_bytes(x)))))
                    .collect(),
                Err(_) => StringChunked::full("".into(), "null", call.rows),
            };
            Ok(column(out))
        }
    }
}

/// The runtime type name of a value inside a dynamic.
pub fn dynamic_type_name(j: &Json) -> &'static str {
    match j {
        Json::Null => "null",
        Json::Bool(_) => "bool",
        Json::Number(n) => match n.as_i64() {
            Some(v) if i32::try_from(v).is_ok() => "int",
            Some(_) => "long",
            None if n.is_u64() => "long",
            None => "real",
        },
        Json::String(_) => "string",
        Json::Array(_) => "array",
        Json::Object(_) => "dictionary",
    }
}
