//! Values of KQL expressions while a query runs: a scalar (the same for every
//! row) or a column, typed as `data::types` describes.

use std::borrow::Cow;

use polars::prelude::*;
use serde_json::Value as Json;

use crate::data::decimal::{self, Decimal};
use crate::data::encode::decode;
use crate::data::time::{format_datetime, format_timespan};
use crate::data::types::KqlType;

/// One KQL scalar value.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Null(KqlType),
    Bool(bool),
    Int(i32),
    Long(i64),
    Real(f64),
    /// Exact, up to 38 digits (see `data::decimal`).
    Decimal(Decimal),
    /// Nanoseconds since the Unix epoch, UTC.
    Datetime(i64),
    /// Nanoseconds.
    Timespan(i64),
    String(String),
    Dynamic(Json),
}

impl Scalar {
    pub fn kind(&self) -> KqlType {
        match self {
            Scalar::Null(k) => *k,
            Scalar::Bool(_) => KqlType::Bool,
            Scalar::Int(_) => KqlType::Int,
            Scalar::Long(_) => KqlType::Long,
            Scalar::Real(_) => KqlType::Real,
            Scalar::Decimal(_) => KqlType::Decimal,
            Scalar::Datetime(_) => KqlType::Datetime,
            Scalar::Timespan(_) => KqlType::Timespan,
            Scalar::String(_) => KqlType::String,
            Scalar::Dynamic(_) => KqlType::Dynamic,
        }
    }

    /// Strings are never null: a string null is "".
    pub fn is_null(&self) -> bool {
        matches!(self, Scalar::Null(_)) || matches!(self, Scalar::Dynamic(Json::Null))
    }

    /// `len` copies of the value as a column.
    pub fn to_series(&self, name: &str, len: usize) -> Series {
        let name: PlSmallStr = name.into();
        match self {
            Scalar::Null(kind) => {
                if *kind == KqlType::String {
                    Series::new(name, vec![""; len])
                } else {
                    Series::full_null(name, len, &kind.polars())
                }
            }
            Scalar::Bool(b) => BooleanChunked::full(name, *b, len).into_series(),
            Scalar::Int(v) => Int32Chunked::full(name, *v, len).into_series(),
            Scalar::Long(v) => Int64Chunked::full(name, *v, len).into_series(),
            Scalar::Real(v) => Float64Chunked::full(name, *v, len).into_series(),
            Scalar::Decimal(d) => decimal::column(name, &vec![Some(*d); len]),
            Scalar::Datetime(v) => Int64Chunked::full(name, *v, len)
                .into_datetime(TimeUnit::Nanoseconds, None)
                .into_series(),
            Scalar::Timespan(v) => Int64Chunked::full(name, *v, len)
                .into_duration(TimeUnit::Nanoseconds)
                .into_series(),
            Scalar::String(s) => StringChunked::full(name, s, len).into_series(),
            Scalar::Dynamic(Json::Null) => Series::full_null(name, len, &DataType::Binary),
            Scalar::Dynamic(v) => {
                BinaryChunked::full(name, v.to_string().as_bytes(), len).into_series()
            }
        }
    }

    /// Reads row `i` of a KQL-typed column.
    pub fn from_series(series: &Series, i: usize) -> Scalar {
        let kind = KqlType::of(series.dtype()).unwrap_or(KqlType::Dynamic);
        match series.get(i) {
            Ok(v) => Scalar::from_any(&v, kind),
            Err(_) => Scalar::Null(kind),
        }
    }

    pub fn from_any(v: &AnyValue, kind: KqlType) -> Scalar {
        match v {
            AnyValue::Null => {
                if kind == KqlType::String {
                    Scalar::String(String::new())
                } else {
                    Scalar::Null(kind)
                }
            }
            AnyValue::Boolean(b) => Scalar::Bool(*b),
            AnyValue::Int32(x) => Scalar::Int(*x),
            AnyValue::Int64(x) => Scalar::Long(*x),
            AnyValue::Float64(x) => Scalar::Real(*x),
            AnyValue::Decimal(m, _, scale) => decimal::from_any(*m, *scale)
                .map_or(Scalar::Null(KqlType::Decimal), Scalar::Decimal),
            AnyValue::Datetime(x, _, _) => Scalar::Datetime(*x),
            AnyValue::Duration(x, _) => Scalar::Timespan(*x),
            AnyValue::String(s) => Scalar::String(s.to_string()),
            AnyValue::StringOwned(s) => Scalar::String(s.to_string()),
            AnyValue::Categorical(c, m) | AnyValue::Enum(c, m) => {
                Scalar::String(m.cat_to_str(*c).unwrap_or_default().to_string())
            }
            AnyValue::CategoricalOwned(c, m) | AnyValue::EnumOwned(c, m) => {
                Scalar::String(m.cat_to_str(*c).unwrap_or_default().to_string())
            }
            AnyValue::Binary(b) => Scalar::Dynamic(parse_json_bytes(b)),
            AnyValue::BinaryOwned(b) => Scalar::Dynamic(parse_json_bytes(b)),
            AnyValue::UInt32(x) => Scalar::Long(i64::from(*x)),
            AnyValue::UInt64(x) => Scalar::Long(*x as i64),
            other => Scalar::String(other.to_string()),
        }
    }

    /// KQL's `tostring()`: "" for null, numbers and datetimes in Kusto's
    /// formats, a dynamic string without its quotes, other dynamic as JSON.
    pub fn to_text(&self) -> Cow<'_, str> {
        match self {
            Scalar::Null(_) => Cow::Borrowed(""),
            Scalar::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
            Scalar::Int(v) => Cow::Owned(v.to_string()),
            Scalar::Long(v) => Cow::Owned(v.to_string()),
            Scalar::Real(v) => Cow::Owned(format_real(*v)),
            Scalar::Decimal(d) => Cow::Owned(d.to_string()),
            Scalar::Datetime(v) => Cow::Owned(format_datetime(*v)),
            Scalar::Timespan(v) => Cow::Owned(format_timespan(*v)),
            Scalar::String(s) => Cow::Borrowed(s),
            Scalar::Dynamic(j) => Cow::Owned(json_to_text(j)),
        }
    }

    /// The value as JSON, as it appears inside a dynamic array or bag.
    pub fn to_json(&self) -> Json {
        match self {
            Scalar::Null(_) => Json::Null,
            Scalar::Bool(b) => Json::Bool(*b),
            Scalar::Int(v) => Json::from(*v),
            Scalar::Long(v) => Json::from(*v),
            Scalar::Real(v) => serde_json::Number::from_f64(*v).map_or(Json::Null, Json::Number),
            // Kusto's dynamic holds no decimal: inside one it is a real.
            Scalar::Decimal(d) => {
                serde_json::Number::from_f64(d.to_f64()).map_or(Json::Null, Json::Number)
            }
            Scalar::Datetime(v) => Json::String(format_datetime(*v)),
            Scalar::Timespan(v) => Json::String(format_timespan(*v)),
            Scalar::String(s) => Json::String(s.clone()),
            Scalar::Dynamic(j) => j.clone(),
        }
    }
}

/// Reals print like Kusto: integral values without a fraction.
pub fn format_real(v: f64) -> String {
    if v.is_nan() {
        "NaN".into()
    } else if v.is_infinite() {
        if v > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        }
    } else {
        let s = format!("{v}");
        s
    }
}

/// `tostring()` of a dynamic value.
pub fn json_to_text(j: &Json) -> String {
    match j {
        Json::Null => String::new(),
        Json::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Dynamic columns hold JSON text; text that is not JSON reads as a string.
pub fn parse_json_bytes(b: &[u8]) -> Json {
    serde_json::from_slice(b)
        .unwrap_or_else(|_| Json::String(String::from_utf8_lossy(b).into_owned()))
}

/// The value of an expression over a frame.
#[derive(Debug, Clone)]
pub enum Val {
    /// The same value for every row (literals, `now()`, scalar `let`s).
    Scalar(Scalar),
    /// One value per row.
    Column(Series),
}

impl Val {
    pub fn kind(&self) -> KqlType {
        match self {
            Val::Scalar(s) => s.kind(),
            Val::Column(c) => KqlType::of(c.dtype()).unwrap_or(KqlType::Dynamic),
        }
    }

    pub fn null(kind: KqlType) -> Val {
        Val::Scalar(Scalar::Null(kind))
    }

    /// The value as a column of `len` rows named `name`.
    pub fn into_series(self, name: &str, len: usize) -> Series {
        match self {
            Val::Scalar(s) => s.to_series(name, len),
            Val::Column(c) => c.with_name(name.into()),
        }
    }

    /// Row `i` (for a scalar, the scalar).
    pub fn get(&self, i: usize) -> Scalar {
        match self {
            Val::Scalar(s) => s.clone(),
            Val::Column(c) => Scalar::from_series(c, i),
        }
    }

    pub fn as_scalar(&self) -> Option<&Scalar> {
        match self {
            Val::Scalar(s) => Some(s),
            Val::Column(_) => None,
        }
    }

    /// The value with an encoded text column (see `data::encode`) turned
    /// into plain text, for code that reads text row by row.
    pub fn decoded(self) -> Val {
        match self {
            Val::Column(c) => match decode(&c) {
                Some(text) => Val::Column(text.into_series()),
                None => Val::Column(c),
            },
            v => v,
        }
    }

    /// The values as text (`tostring()` of each), `len` rows.
    pub fn to_text(&self, len: usize) -> StringChunked {
        match self {
            Val::Scalar(s) => StringChunked::full("".into(), &s.to_text(), len),
            Val::Column(c) => series_to_text(c),
        }
    }

    /// The values as booleans, null where not a bool or null.
    pub fn to_bools(&self, len: usize) -> BooleanChunked {
        match self {
            Val::Scalar(Scalar::Bool(b)) => BooleanChunked::full("".into(), *b, len),
            Val::Scalar(_) => BooleanChunked::full_null("".into(), len),
            Val::Column(c) => match c.dtype() {
                DataType::Boolean => c
                    .bool()
                    .cloned()
                    .unwrap_or_else(|_| BooleanChunked::full_null("".into(), len)),
                DataType::Binary => c
                    .binary()
                    .map(|b| {
                        b.iter()
                            .map(|v| v.and_then(|v| parse_json_bytes(v).as_bool()))
                            .collect()
                    })
                    .unwrap_or_else(|_| BooleanChunked::full_null("".into(), len)),
                _ => BooleanChunked::full_null("".into(), len),
            },
        }
    }
}

/// `tostring()` of every value of a column.
pub fn series_to_text(c: &Series) -> StringChunked {
    match c.dtype() {
        DataType::String => c.str().cloned().unwrap_or_default(),
        DataType::Categorical(_, _) | DataType::Enum(_, _) => decode(c).unwrap_or_default(),
        DataType::Binary => c
            .binary()
            .map(|b| {
                b.iter()
                    .map(|v| {
                        Some(
                            v.map(|v| json_to_text(&parse_json_bytes(v)))
                                .unwrap_or_default(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default(),
        DataType::Datetime(_, _) => c
            .datetime()
            .map(|d| {
                d.physical()
                    .iter()
                    .map(|v| Some(v.map(format_datetime).unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default(),
        DataType::Duration(_) => c
            .duration()
            .map(|d| {
                d.physical()
                    .iter()
                    .map(|v| Some(v.map(format_timespan).unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default(),
        DataType::Int32 | DataType::Int64 => match c.cast(&DataType::Int64) {
            Ok(v) => v
                .i64()
                .map(|v| {
                    v.iter()
                        .map(|v| Some(v.map(|v| v.to_string()).unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default(),
            Err(_) => StringChunked::default(),
        },
        DataType::Float64 => c
            .f64()
            .map(|d| {
                d.iter()
                    .map(|v| Some(v.map(format_real).unwrap_or_default()))
                    .collect()
            })
            .unwrap_or_default(),
        DataType::Decimal(_, _) => decimal::values(c)
            .unwrap_or_default()
            .into_iter()
            .map(|v| Some(v.map(|d| d.to_string()).unwrap_or_default()))
            .collect(),
        _ => (0..c.len())
            .map(|i| Some(Scalar::from_series(c, i).to_text().into_owned()))
            .collect(),
    }
}
