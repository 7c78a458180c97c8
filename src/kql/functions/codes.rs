//! Text encodings and small parsers: Unicode code points, base64 of byte
//! arrays and GUIDs, zlib and gzip in base64, `format_bytes`, `isascii`,
//! `isutf8`,
//! `has_any_index`, `parse_csv`, `parse_urlquery`, `parse_command_line`
//! and `jaccard_index`.
//!
//! Input that cannot be decoded gives null (or "" for text results), as
//! Kusto does.

use std::collections::HashSet;
use std::io::{Read, Write};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Map, Value as Json};

use super::convert::{as_long, expect_string, json_of};
use super::series::array;
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val, json_to_text};

macro_rules! f {
    ($name:literal, $min:literal, $max:literal, $eval:expr) => {
        ScalarFunction {
            name: $name,
            min_args: $min,
            max_args: $max,
            eval: $eval,
        }
    };
}

/// The encoding and parsing functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    f!(
        "unicode_codepoints_from_string",
        1,
        1,
        codepoints_from_string
    ),
    f!("unicode_codepoints_to_string", 1, 64, codepoints_to_string),
    // The deprecated names Kusto still accepts.
    f!("to_utf8", 1, 1, codepoints_from_string),
    f!("make_string", 1, 64, codepoints_to_string),
    f!("base64_decode_toarray", 1, 1, base64_decode_toarray),
    f!("base64_encode_fromarray", 1, 1, base64_encode_fromarray),
    f!("base64_decode_toguid", 1, 1, base64_decode_toguid),
    f!("base64_encode_fromguid", 1, 1, base64_encode_fromguid),
    f!("zlib_compress_to_base64_string", 1, 1, zlib_compress),
    f!("zlib_decompress_from_base64_string", 1, 1, zlib_decompress),
    f!("gzip_compress_to_base64_string", 1, 1, gzip_compress),
    f!("gzip_decompress_from_base64_string", 1, 1, gzip_decompress),
    f!("format_bytes", 1, 4, format_bytes),
    f!("isascii", 1, 1, isascii),
    f!("isutf8", 1, 1, isutf8),
    f!("has_any_index", 2, 2, has_any_index),
    f!("parse_csv", 1, 1, parse_csv),
    f!("parse_urlquery", 1, 1, parse_urlquery),
    f!("parseurlquery", 1, 1, parse_urlquery),
    f!("jaccard_index", 2, 2, jaccard_index),
    f!("parse_command_line", 2, 2, parse_command_line),
];

fn null_dynamic() -> Scalar {
    Scalar::Null(KqlType::Dynamic)
}

/// `unicode_codepoints_from_string(s)`: the code point of each character.
fn codepoints_from_string(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let text = a[0].to_text();
        Ok(Scalar::Dynamic(Json::Array(
            text.chars().map(|c| Json::from(u32::from(c))).collect(),
        )))
    })
}

/// Collects code points from numbers and (nested) arrays of numbers;
/// `None` when one is not a valid code point.
fn collect_codepoints(j: &Json, out: &mut String) -> Option<()> {
    match j {
        Json::Array(items) => items.iter().try_for_each(|i| collect_codepoints(i, out)),
        Json::Number(n) => {
            let c = char::from_u32(u32::try_from(n.as_i64()?).ok()?)?;
            out.push(c);
            Some(())
        }
        _ => None,
    }
}

/// `unicode_codepoints_to_string(values...)`: the text of code points
/// given as numbers or arrays of them; null when one is not a code point.
fn codepoints_to_string(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        let mut out = String::new();
        let ok = a
            .iter()
            .try_for_each(|v| collect_codepoints(&json_of(v), &mut out));
        Ok(Scalar::String(if ok.is_some() {
            out
        } else {
            String::new()
        }))
    })
}

fn decode_base64(text: &str) -> Option<Vec<u8>> {
    STANDARD.decode(text.trim()).ok()
}

/// `base64_decode_toarray(s)`: the decoded bytes as an array of numbers.
fn base64_decode_toarray(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(decode_base64(&a[0].to_text()).map_or(null_dynamic(), |b| {
            Scalar::Dynamic(Json::Array(b.into_iter().map(Json::from).collect()))
        }))
    })
}

/// `base64_encode_fromarray(bytes)`: "" when an element is not a byte.
fn base64_encode_fromarray(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        let bytes: Option<Vec<u8>> = array(&a[0]).and_then(|v| {
            v.iter()
                .map(|e| e.as_u64().and_then(|n| u8::try_from(n).ok()))
                .collect()
        });
        Ok(Scalar::String(
            bytes.map(|b| STANDARD.encode(b)).unwrap_or_default(),
        ))
    })
}

/// The 16 bytes of a GUID in .NET's order: the first three groups little
/// endian, the last two as written.
fn guid_bytes(text: &str) -> Option<[u8; 16]> {
    let hex: String = text
        .trim()
        .trim_matches(['{', '}'])
        .chars()
        .filter(|c| *c != '-')
        .collect();
    if hex.len() != 32 {
        return None;
    }
    let mut raw = [0u8; 16];
    for (i, slot) in raw.iter_mut().enumerate() {
        *slot = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    raw[0..4].reverse();
    raw[4..6].reverse();
    raw[6..8].reverse();
    Some(raw)
}

fn guid_text(mut b: [u8; 16]) -> String {
    b[0..4].reverse();
    b[4..6].reverse();
    b[6..8].reverse();
    let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

fn base64_decode_toguid(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        let guid = decode_base64(&a[0].to_text())
            .and_then(|b| <[u8; 16]>::try_from(b.as_slice()).ok())
            .map(guid_text);
        Ok(Scalar::String(guid.unwrap_or_default()))
    })
}

fn base64_encode_fromguid(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        Ok(Scalar::String(
            guid_bytes(&a[0].to_text())
                .map(|b| STANDARD.encode(b))
                .unwrap_or_default(),
        ))
    })
}

/// `zlib_compress_to_base64_string(s)`: zlib without compression (stored
/// blocks), which is what Kusto's documented output holds.
fn zlib_compress(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        let text = a[0].to_text();
        let mut enc = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::none());
        let done = enc.write_all(text.as_bytes()).and_then(|()| enc.finish());
        Ok(Scalar::String(
            done.map(|b| STANDARD.encode(b)).unwrap_or_default(),
        ))
    })
}

fn zlib_decompress(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        let text = decode_base64(&a[0].to_text())
            .and_then(|b| inflated_text(flate2::read::ZlibDecoder::new(b.as_slice())));
        Ok(Scalar::String(text.unwrap_or_default()))
    })
}

/// The most text one value may inflate to. A few hundred bytes of base64
/// can hold gigabytes of zeros; a value beyond this is refused as one that
/// does not decompress, rather than filling the memory.
const MAX_INFLATED: u64 = 64 << 20;

/// The UTF-8 text a decompressing reader gives; `None` when the stream is
/// damaged, is not UTF-8, or inflates beyond [`MAX_INFLATED`].
fn inflated_text(decoder: impl Read) -> Option<String> {
    let mut out = Vec::new();
    decoder.take(MAX_INFLATED + 1).read_to_end(&mut out).ok()?;
    if out.len() as u64 > MAX_INFLATED {
        return None;
    }
    String::from_utf8(out).ok()
}

/// The gzip header Kusto writes: the magic, deflate, no flags, no time, no
/// extra flags, an unknown system (its documented output starts so).
const GZIP_HEADER: [u8; 10] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];

/// `gzip_compress_to_base64_string(s)`: gzip without compression (stored
/// blocks) under Kusto's header, which is what its documented output holds.
fn gzip_compress(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    call.rowwise(KqlType::String, |a| {
        let text = a[0].to_text();
        let mut enc =
            flate2::write::DeflateEncoder::new(GZIP_HEADER.to_vec(), flate2::Compression::none());
        let Ok(mut out) = enc.write_all(text.as_bytes()).and_then(|()| enc.finish()) else {
            return Ok(Scalar::String(String::new()));
        };
        let mut crc = flate2::Crc::new();
        crc.update(text.as_bytes());
        out.extend_from_slice(&crc.sum().to_le_bytes());
        // ISIZE is the length modulo 2^32 (RFC 1952).
        out.extend_from_slice(&(text.len() as u32).to_le_bytes());
        Ok(Scalar::String(STANDARD.encode(out)))
    })
}

/// `gzip_decompress_from_base64_string(s)`: "" unless `s` is base64 of a
/// gzip stream whose header has the magic, deflate and no flags (Kusto
/// documents that it reads no optional header field) and whose checksum
/// and length hold.
fn gzip_decompress(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    call.rowwise(KqlType::String, |a| {
        let text = decode_base64(&a[0].to_text())
            .filter(|b| b.len() >= 18 && b[..3] == GZIP_HEADER[..3] && b[3] == 0)
            .and_then(|b| inflated_text(flate2::read::GzDecoder::new(b.as_slice())));
        Ok(Scalar::String(text.unwrap_or_default()))
    })
}

const BYTE_UNITS: [&str; 7] = ["Bytes", "KB", "MB", "GB", "TB", "PB", "EB"];

/// `format_bytes(size[, precision[, units[, base]]])`: "19.08 MB". The
/// unit is the largest one not above the size unless `units` names one;
/// `base` is 1024 (default) or 1000.
fn format_bytes(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        let Some(size) = super::convert::as_real(&a[0]).filter(|_| !a[0].is_null()) else {
            return Ok(Scalar::String(String::new()));
        };
        let precision = a.get(1).and_then(as_long).unwrap_or(0).clamp(0, 15) as usize;
        let wanted = a
            .get(2)
            .map(|u| u.to_text().into_owned())
            .unwrap_or_default();
        let base = match a.get(3).and_then(as_long) {
            Some(1000) => 1000.0,
            _ => 1024.0,
        };
        let power = match BYTE_UNITS
            .iter()
            .position(|u| u.eq_ignore_ascii_case(&wanted) && !wanted.is_empty())
        {
            Some(p) => p,
            None => {
                let mut p = 0;
                while p + 1 < BYTE_UNITS.len() && size.abs() >= f64::powi(base, p as i32 + 1) {
                    p += 1;
                }
                p
            }
        };
        let value = size / f64::powi(base, power as i32);
        Ok(Scalar::String(format!(
            "{value:.precision$} {}",
            BYTE_UNITS[power]
        )))
    })
}

fn isascii(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Bool, |a| {
        Ok(Scalar::Bool(a[0].to_text().is_ascii()))
    })
}

/// `isutf8(value)`: whether the value's text is valid UTF-8. It always is
/// here: Quarry holds every text as UTF-8 (a file that is not is read as
/// Windows-1252, each byte a character, and no function makes a lone
/// surrogate), and a null number or time reads as "", valid too.
fn isutf8(_call: &Call) -> Result<Val, QueryError> {
    Ok(Val::Scalar(Scalar::Bool(true)))
}

/// The terms of a text as `has` sees them: runs of letters and digits,
/// lowercased.
fn terms(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// `has_any_index(text, lookups)`: the index of the first lookup the text
/// `has` (as a whole term or a run of terms), -1 when none.
fn has_any_index(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Long, |a| {
        let Some(lookups) = array(&a[1]) else {
            return Ok(Scalar::Null(KqlType::Long));
        };
        let words = terms(&a[0].to_text());
        let found = lookups.iter().position(|l| {
            let want = terms(&json_to_text(l));
            !want.is_empty() && words.windows(want.len()).any(|w| w == want.as_slice())
        });
        Ok(Scalar::Long(found.map_or(-1, |i| i as i64)))
    })
}

/// `parse_csv(s)`: the fields of the first record.
fn parse_csv(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let text = a[0].to_text();
        let mut reader = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(text.as_bytes());
        let fields = match reader.records().next() {
            Some(Ok(r)) => r.iter().map(|f| Json::String(f.to_string())).collect(),
            Some(Err(_)) => return Ok(null_dynamic()),
            None => vec![Json::String(String::new())],
        };
        Ok(Scalar::Dynamic(Json::Array(fields)))
    })
}

/// `parse_urlquery(q)`: `{"Query Parameters": {name: value, ...}}`,
/// names and values percent-decoded.
fn parse_urlquery(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let text = a[0].to_text();
        let query = text.trim_start_matches('?');
        let params: Map<String, Json> = url::form_urlencoded::parse(query.as_bytes())
            .map(|(k, v)| (k.into_owned(), Json::String(v.into_owned())))
            .collect();
        let mut out = Map::new();
        out.insert("Query Parameters".into(), Json::Object(params));
        Ok(Scalar::Dynamic(Json::Object(out)))
    })
}

/// `jaccard_index(a, b)`: distinct values in both over distinct values in
/// either (numbers by value); null unless both are arrays.
fn jaccard_index(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        let (Some(x), Some(y)) = (array(&a[0]), array(&a[1])) else {
            return Ok(Scalar::Null(KqlType::Real));
        };
        let key = |j: &Json| match j.as_f64() {
            Some(f) => format!("n{f}"),
            None => j.to_string(),
        };
        let sx: HashSet<String> = x.iter().map(key).collect();
        let sy: HashSet<String> = y.iter().map(key).collect();
        let union = sx.union(&sy).count();
        if union == 0 {
            return Ok(Scalar::Real(0.0));
        }
        Ok(Scalar::Real(
            sx.intersection(&sy).count() as f64 / union as f64,
        ))
    })
}

/// Splits a Windows command line as `CommandLineToArgvW` does: blanks
/// separate arguments outside quotes; 2n backslashes before a quote give n
/// and the quote opens or closes, 2n+1 give n and a literal quote; `""`
/// inside quotes is a literal quote; other backslashes are literal.
pub fn windows_arguments(line: &str) -> Vec<String> {
    let mut args = Vec::new();
    let mut cur = String::new();
    let mut started = false;
    let mut quoted = false;
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\\' => {
                let run = chars[i..].iter().take_while(|&&x| x == '\\').count();
                i += run;
                started = true;
                if chars.get(i) == Some(&'"') {
                    cur.extend(std::iter::repeat_n('\\', run / 2));
                    if run % 2 == 1 {
                        cur.push('"');
                        i += 1;
                    }
                } else {
                    cur.extend(std::iter::repeat_n('\\', run));
                }
                continue;
            }
            '"' => {
                started = true;
                if quoted && chars.get(i + 1) == Some(&'"') {
                    cur.push('"');
                    i += 1;
                } else {
                    quoted = !quoted;
                }
            }
            ' ' | '\t' if !quoted => {
                if started {
                    args.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            other => {
                cur.push(other);
                started = true;
            }
        }
        i += 1;
    }
    if started {
        args.push(cur);
    }
    args
}

/// `parse_command_line(command_line, "windows")`: the arguments as an
/// array of strings. Windows is the only parser Kusto documents; another
/// is an error.
fn parse_command_line(call: &Call) -> Result<Val, QueryError> {
    if let Ok(kind) = call.constant_text(1)
        && !kind.eq_ignore_ascii_case("windows")
    {
        return Err(QueryError::type_error(
            format!("parse_command_line() knows the parser \"windows\", not \"{kind}\""),
            call.arg_span(1),
        ));
    }
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(Scalar::Dynamic(Json::Array(
            windows_arguments(&a[0].to_text())
                .into_iter()
                .map(Json::String)
                .collect(),
        )))
    })
}
