//! `split`: text cut at a delimiter into a dynamic array, written as JSON
//! text directly on the hot path.

use polars::prelude::*;
use serde_json::Value as Json;

use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_long, column, expect_integer, expect_string};
use crate::kql::value::{Scalar, Val};

/// `split(s, delimiter[, index])`: a dynamic array of the parts; with an
/// index, an array holding just that part (empty when out of range).
pub(super) fn split(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    expect_string(call, 1)?;
    if call.args.len() > 2 {
        expect_integer(call, 2)?;
    }
    let parts = |s: &str, delim: &str, index: Option<i64>| -> Json {
        let all: Vec<&str> = if delim.is_empty() {
            vec![s]
        } else {
            s.split(delim).collect()
        };
        let picked: Vec<Json> = match index {
            None => all
                .into_iter()
                .map(|p| Json::String(p.to_string()))
                .collect(),
            Some(i) => usize::try_from(i)
                .ok()
                .and_then(|i| all.get(i))
                .map(|p| vec![Json::String(p.to_string())])
                .unwrap_or_default(),
        };
        Json::Array(picked)
    };
    let constant_rest = call.args[1..].iter().all(|a| matches!(a, Val::Scalar(_)));
    if let (Val::Column(_), true) = (&call.args[0], constant_rest) {
        let delim = call.args[1].get(0).to_text().into_owned();
        let index = match call.args.get(2) {
            Some(v) => match as_long(&v.get(0)) {
                Some(i) => Some(i),
                None => {
                    return Ok(Val::Column(Series::full_null(
                        "".into(),
                        call.rows,
                        &DataType::Binary,
                    )));
                }
            },
            None => None,
        };
        // The JSON text is written straight from the parts, without
        // building JSON values.
        let text = call.args[0].to_text(call.rows);
        let mut b = BinaryChunkedBuilder::new("".into(), call.rows);
        let mut buf: Vec<u8> = Vec::new();
        for t in text.iter() {
            let t = t.unwrap_or("");
            buf.clear();
            match index {
                None => {
                    buf.push(b'[');
                    if delim.is_empty() {
                        push_json_str(&mut buf, t);
                    } else {
                        for (k, part) in t.split(delim.as_str()).enumerate() {
                            if k > 0 {
                                buf.push(b',');
                            }
                            push_json_str(&mut buf, part);
                        }
                    }
                    buf.push(b']');
                }
                Some(_) => buf.extend_from_slice(parts(t, &delim, index).to_string().as_bytes()),
            }
            b.append_value(&buf);
        }
        return Ok(column(b.finish()));
    }
    call.rowwise(KqlType::Dynamic, |a| {
        let index = match a.get(2) {
            Some(v) => match as_long(v) {
                Some(i) => Some(i),
                None => return Ok(Scalar::Null(KqlType::Dynamic)),
            },
            None => None,
        };
        Ok(Scalar::Dynamic(parts(
            &a[0].to_text(),
            &a[1].to_text(),
            index,
        )))
    })
}

/// Appends `s` as a JSON string literal, escaped as serde_json escapes
/// (the hot path of `split` writes its JSON text directly).
fn push_json_str(buf: &mut Vec<u8>, s: &str) {
    buf.push(b'"');
    let bytes = s.as_bytes();
    let mut from = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let escape: &[u8] = match c {
            b'"' => br#"\""#,
            b'\\' => br"\\",
            b'\n' => br"\n",
            b'\r' => br"\r",
            b'\t' => br"\t",
            0x08 => br"\b",
            0x0c => br"\f",
            0..=0x1f => b"",
            _ => continue,
        };
        buf.extend_from_slice(&bytes[from..i]);
        if escape.is_empty() {
            buf.extend_from_slice(format!("\\u{c:04x}").as_bytes());
        } else {
            buf.extend_from_slice(escape);
        }
        from = i + 1;
    }
    buf.extend_from_slice(&bytes[from..]);
    buf.push(b'"');
}
