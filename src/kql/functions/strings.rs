//! String functions: concatenation, case, length, substrings, splitting,
//! regular expressions (`extract`, `extract_all`, `replace_regex`, `trim`,
//! `countof`), searching (`indexof`), URL and path parsing, URL and base64
//! coding.
//!
//! Strings are never null: a function that cannot produce a string gives
//! "". Positions and lengths count characters (Unicode code points), as
//! Kusto's `strlen` does, never bytes, so no input can split a character.
//! Where Kusto's documentation says an argument is "forcibly converted" to
//! a string (`strcat`, `indexof`, `reverse`, `strrep`, ...) any scalar is
//! accepted; elsewhere a string (or a dynamic value, read as its text) is
//! required.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::Mutex;

use base64::Engine as _;
use polars::prelude::*;
use regex::Regex;
use serde_json::{Map, Value as Json};

use super::convert::{as_long, coerce, column, expect_integer, expect_string, i64_column};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The string functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "strcat",
        min_args: 1,
        max_args: 64,
        eval: strcat,
    },
    ScalarFunction {
        name: "strcat_delim",
        min_args: 3,
        max_args: 65,
        eval: strcat_delim,
    },
    ScalarFunction {
        name: "strlen",
        min_args: 1,
        max_args: 1,
        eval: strlen,
    },
    ScalarFunction {
        name: "string_size",
        min_args: 1,
        max_args: 1,
        eval: string_size,
    },
    ScalarFunction {
        name: "tolower",
        min_args: 1,
        max_args: 1,
        eval: tolower,
    },
    ScalarFunction {
        name: "toupper",
        min_args: 1,
        max_args: 1,
        eval: toupper,
    },
    ScalarFunction {
        name: "substring",
        min_args: 2,
        max_args: 3,
        eval: substring,
    },
    ScalarFunction {
        name: "split",
        min_args: 2,
        max_args: 3,
        eval: split,
    },
    ScalarFunction {
        name: "extract",
        min_args: 3,
        max_args: 4,
        eval: extract,
    },
    ScalarFunction {
        name: "extract_all",
        min_args: 2,
        max_args: 3,
        eval: extract_all,
    },
    ScalarFunction {
        name: "extractall",
        min_args: 2,
        max_args: 3,
        eval: extract_all,
    },
    ScalarFunction {
        name: "replace_string",
        min_args: 3,
        max_args: 3,
        eval: replace_string,
    },
    ScalarFunction {
        name: "replace_strings",
        min_args: 3,
        max_args: 3,
        eval: replace_strings,
    },
    ScalarFunction {
        name: "replace_regex",
        min_args: 3,
        max_args: 3,
        eval: replace_regex,
    },
    ScalarFunction {
        name: "replace",
        min_args: 3,
        max_args: 3,
        eval: replace,
    },
    ScalarFunction {
        name: "trim",
        min_args: 2,
        max_args: 2,
        eval: trim,
    },
    ScalarFunction {
        name: "trim_start",
        min_args: 2,
        max_args: 2,
        eval: trim_start,
    },
    ScalarFunction {
        name: "trim_end",
        min_args: 2,
        max_args: 2,
        eval: trim_end,
    },
    ScalarFunction {
        name: "indexof",
        min_args: 2,
        max_args: 5,
        eval: indexof,
    },
    ScalarFunction {
        name: "countof",
        min_args: 2,
        max_args: 3,
        eval: countof,
    },
    ScalarFunction {
        name: "translate",
        min_args: 3,
        max_args: 3,
        eval: translate,
    },
    ScalarFunction {
        name: "regex_quote",
        min_args: 1,
        max_args: 1,
        eval: regex_quote,
    },
    ScalarFunction {
        name: "reverse",
        min_args: 1,
        max_args: 1,
        eval: reverse,
    },
    ScalarFunction {
        name: "strrep",
        min_args: 2,
        max_args: 3,
        eval: strrep,
    },
    ScalarFunction {
        name: "strcmp",
        min_args: 2,
        max_args: 2,
        eval: strcmp,
    },
    ScalarFunction {
        name: "parse_url",
        min_args: 1,
        max_args: 1,
        eval: parse_url,
    },
    ScalarFunction {
        name: "parseurl",
        min_args: 1,
        max_args: 1,
        eval: parse_url,
    },
    ScalarFunction {
        name: "parse_path",
        min_args: 1,
        max_args: 1,
        eval: parse_path,
    },
    ScalarFunction {
        name: "url_encode",
        min_args: 1,
        max_args: 1,
        eval: url_encode,
    },
    ScalarFunction {
        name: "url_encode_component",
        min_args: 1,
        max_args: 1,
        eval: url_encode_component,
    },
    ScalarFunction {
        name: "url_decode",
        min_args: 1,
        max_args: 1,
        eval: url_decode,
    },
    ScalarFunction {
        name: "base64_encode_tostring",
        min_args: 1,
        max_args: 1,
        eval: base64_encode,
    },
    ScalarFunction {
        name: "base64_encodestring",
        min_args: 1,
        max_args: 1,
        eval: base64_encode,
    },
    ScalarFunction {
        name: "base64_decode_tostring",
        min_args: 1,
        max_args: 1,
        eval: base64_decode,
    },
    ScalarFunction {
        name: "base64_decodestring",
        min_args: 1,
        max_args: 1,
        eval: base64_decode,
    },
];

// ---------------------------------------------------------------------------
// Shared machinery.

fn string_val(s: String) -> Val {
    Val::Scalar(Scalar::String(s))
}

/// Applies `f` to the text of a one-string-argument function: once for a
/// constant, over the column's strings otherwise (no per-row scalars).
fn map_text<T>(
    call: &Call,
    i: usize,
    f: impl Fn(&str) -> T,
    scalar: impl Fn(T) -> Scalar,
    collect: impl Fn(&mut dyn Iterator<Item = T>) -> Series,
) -> Val {
    match &call.args[i] {
        Val::Scalar(s) => Val::Scalar(scalar(f(&s.to_text()))),
        v => {
            let text = v.to_text(call.rows);
            let mut it = text.iter().map(|t| f(t.unwrap_or("")));
            Val::Column(collect(&mut it))
        }
    }
}

/// A string-valued `map_text`.
fn map_string(call: &Call, i: usize, f: impl Fn(&str) -> String) -> Val {
    map_text(call, i, f, Scalar::String, |it| {
        let mut b = StringChunkedBuilder::new("".into(), 0);
        for s in it {
            b.append_value(s);
        }
        b.finish().into_series()
    })
}

/// A long-valued `map_text`.
fn map_long(call: &Call, i: usize, f: impl Fn(&str) -> i64) -> Val {
    map_text(call, i, f, Scalar::Long, |it| {
        it.map(Some).collect::<Int64Chunked>().into_series()
    })
}

/// Compiles regexes: once for a constant pattern, and with a cache when the
/// pattern varies by row. A bad pattern is an error at its argument.
pub(super) struct Patterns<'a> {
    call: &'a Call<'a>,
    arg: usize,
    constant: Option<Regex>,
    // A Mutex: rows are evaluated on several threads.
    cache: Mutex<HashMap<String, Regex>>,
}

impl<'a> Patterns<'a> {
    pub(super) fn new(call: &'a Call<'a>, arg: usize) -> Result<Patterns<'a>, QueryError> {
        let constant = match &call.args[arg] {
            Val::Scalar(s) => Some(compile(call, arg, &s.to_text())?),
            Val::Column(_) => None,
        };
        Ok(Patterns {
            call,
            arg,
            constant,
            cache: Mutex::new(HashMap::new()),
        })
    }

    /// The regex for a row whose pattern argument is `pattern`.
    pub(super) fn get(&self, pattern: &Scalar) -> Result<Regex, QueryError> {
        if let Some(re) = &self.constant {
            return Ok(re.clone());
        }
        let text = pattern.to_text();
        let cached = self
            .cache
            .lock()
            .ok()
            .and_then(|c| c.get(text.as_ref()).cloned());
        if let Some(re) = cached {
            return Ok(re);
        }
        let re = compile(self.call, self.arg, &text)?;
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() > 1024 {
            cache.clear();
        }
        cache.insert(text.into_owned(), re.clone());
        Ok(re)
    }
}

fn compile(call: &Call, arg: usize, pattern: &str) -> Result<Regex, QueryError> {
    Regex::new(pattern).map_err(|e| {
        QueryError::runtime(
            format!("invalid regular expression in {}(): {e}", call.name),
            Some(call.arg_span(arg)),
        )
    })
}

/// The byte offset of character `n` of `s` (its length when `n` is past
/// the end): always a character boundary.
fn byte_at(s: &str, n: i64) -> usize {
    usize::try_from(n)
        .ok()
        .and_then(|n| s.char_indices().nth(n))
        .map_or(if n <= 0 { 0 } else { s.len() }, |(i, _)| i)
}

/// Character-indexed view of a string: byte offsets of each character
/// boundary, so slicing by character count can never split a character.
fn char_bounds(s: &str) -> Vec<usize> {
    let mut b: Vec<usize> = s.char_indices().map(|(i, _)| i).collect();
    b.push(s.len());
    b
}

// ---------------------------------------------------------------------------
// Concatenation, length, case.

/// `strcat(a, b, ...)`: every argument's text, joined.
fn strcat(call: &Call) -> Result<Val, QueryError> {
    join_texts(call, &call.args, "")
}

/// `strcat_delim(delimiter, a, b, ...)`.
fn strcat_delim(call: &Call) -> Result<Val, QueryError> {
    let delim = match &call.args[0] {
        Val::Scalar(s) => s.to_text().into_owned(),
        Val::Column(_) => {
            return call.rowwise(KqlType::String, |a| {
                let d = a[0].to_text();
                let parts: Vec<Cow<str>> = a[1..].iter().map(Scalar::to_text).collect();
                Ok(Scalar::String(parts.join(d.as_ref())))
            });
        }
    };
    join_texts(call, &call.args[1..], &delim)
}

fn join_texts(call: &Call, args: &[Val], delim: &str) -> Result<Val, QueryError> {
    if args.iter().all(|a| matches!(a, Val::Scalar(_))) {
        let parts: Vec<String> = args
            .iter()
            .map(|a| a.get(0).to_text().into_owned())
            .collect();
        return Ok(string_val(parts.join(delim)));
    }
    // Constant parts are kept as one string each rather than broadcast,
    // and integers are written straight into the row's text.
    enum Part {
        Const(String),
        Text(StringChunked),
        Integer(Int64Chunked),
    }
    let parts: Vec<Part> = args
        .iter()
        .map(|a| match a {
            Val::Scalar(s) => Part::Const(s.to_text().into_owned()),
            Val::Column(c) if matches!(c.dtype(), DataType::Int32 | DataType::Int64) => {
                Part::Integer(i64_column(a, call.rows))
            }
            v => Part::Text(v.to_text(call.rows)),
        })
        .collect();
    enum Cursor<'p> {
        Const(&'p str),
        Text(Box<dyn Iterator<Item = Option<&'p str>> + 'p>),
        Integer(Box<dyn Iterator<Item = Option<i64>> + 'p>),
    }
    let mut cursors: Vec<Cursor> = parts
        .iter()
        .map(|p| match p {
            Part::Const(s) => Cursor::Const(s),
            Part::Text(c) => Cursor::Text(Box::new(c.iter())),
            Part::Integer(c) => Cursor::Integer(Box::new(c.iter())),
        })
        .collect();
    let mut b = StringChunkedBuilder::new("".into(), call.rows);
    let mut buf = String::new();
    for _ in 0..call.rows {
        buf.clear();
        for (k, cursor) in cursors.iter_mut().enumerate() {
            if k > 0 {
                buf.push_str(delim);
            }
            match cursor {
                Cursor::Const(s) => buf.push_str(s),
                Cursor::Text(it) => buf.push_str(it.next().flatten().unwrap_or("")),
                Cursor::Integer(it) => {
                    if let Some(v) = it.next().flatten() {
                        // Writing to a String cannot fail.
                        let _ = write!(buf, "{v}");
                    }
                }
            }
        }
        b.append_value(&buf);
    }
    Ok(column(b.finish()))
}

/// `strlen(s)`: Unicode code points.
fn strlen(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_long(call, 0, |s| s.chars().count() as i64))
}

/// `string_size(s)`: bytes of UTF-8.
fn string_size(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_long(call, 0, |s| s.len() as i64))
}

fn tolower(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, str::to_lowercase))
}

fn toupper(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, str::to_uppercase))
}

/// `reverse(x)`: by characters; any scalar is converted to text.
fn reverse(call: &Call) -> Result<Val, QueryError> {
    Ok(map_string(call, 0, |s| s.chars().rev().collect()))
}

/// `strcmp(a, b)`: -1, 0 or 1, ordinal.
fn strcmp(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    expect_string(call, 1)?;
    call.rowwise(KqlType::Int, |a| {
        Ok(Scalar::Int(match a[0].to_text().cmp(&a[1].to_text()) {
            std::cmp::Ordering::Less => -1,
            std::cmp::Ordering::Equal => 0,
            std::cmp::Ordering::Greater => 1,
        }))
    })
}

/// The largest string `strrep` builds; fewer repeats are made beyond it, so
/// a long cell cannot make a gigabyte of text.
const STRREP_MAX_BYTES: usize = 16 << 20;

/// `strrep(value, n[, delimiter])`: repeats are capped at 1024, as Kusto
/// documents, and at `STRREP_MAX_BYTES` of output.
fn strrep(call: &Call) -> Result<Val, QueryError> {
    expect_integer(call, 1)?;
    call.rowwise(KqlType::String, |a| {
        let text = a[0].to_text();
        let delim = a.get(2).map(Scalar::to_text).unwrap_or(Cow::Borrowed(""));
        let unit = (text.len() + delim.len()).max(1);
        let n = as_long(&a[1])
            .unwrap_or(0)
            .clamp(0, 1024)
            .min((STRREP_MAX_BYTES / unit) as i64) as usize;
        Ok(Scalar::String(vec![text.as_ref(); n].join(delim.as_ref())))
    })
}

// ---------------------------------------------------------------------------
// Substrings and searching.

/// `substring(s, start[, length])`: by characters; a negative start counts
/// from the end.
fn substring(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    expect_integer(call, 1)?;
    if call.args.len() > 2 {
        expect_integer(call, 2)?;
    }
    let cut = |s: &str, start: i64, len: Option<i64>| -> String {
        // Only a negative start needs the length in characters.
        let start = if start < 0 {
            (s.chars().count() as i64 + start).max(0)
        } else {
            start
        };
        let from = byte_at(s, start);
        let rest = &s[from..];
        let to = match len {
            Some(l) if l < 0 => 0,
            Some(l) => byte_at(rest, l),
            None => rest.len(),
        };
        rest[..to].to_string()
    };
    // The usual shape: a column of text with constant positions.
    if let (Val::Column(_), Some(Val::Scalar(st)), len) =
        (&call.args[0], call.args.get(1), call.args.get(2))
        && len.is_none_or(|l| matches!(l, Val::Scalar(_)))
    {
        let empty = || {
            Ok(Val::Column(
                Scalar::String(String::new()).to_series("", call.rows),
            ))
        };
        let Some(start) = as_long(st) else {
            return empty();
        };
        let len = match len {
            None => None,
            Some(l) => match as_long(&l.get(0)) {
                Some(l) => Some(l),
                None => return empty(),
            },
        };
        return Ok(map_string(call, 0, |s| cut(s, start, len)));
    }
    call.rowwise(KqlType::String, |a| {
        let Some(start) = as_long(&a[1]) else {
            return Ok(Scalar::String(String::new()));
        };
        let len = match a.get(2) {
            Some(l) => match as_long(l) {
                Some(l) => Some(l),
                None => return Ok(Scalar::String(String::new())),
            },
            None => None,
        };
        Ok(Scalar::String(cut(&a[0].to_text(), start, len)))
    })
}

/// `indexof(s, match[, start[, length[, occurrence]]])`: the character
/// position of the nth occurrence of `match`, -1 when absent, null for a
/// length below -1 or an occurrence below 1. Each search examines `length`
/// characters from where it starts (the start, then one past the previous
/// occurrence), as the docs' examples show: `indexof("abcdefgabcdefg",
/// "cde", 1, 10, 2)` is 9 although 9 + 3 is past 1 + 10.
fn indexof(call: &Call) -> Result<Val, QueryError> {
    for i in 2..call.args.len() {
        expect_integer(call, i)?;
    }
    call.rowwise(KqlType::Long, |a| {
        let text = a[0].to_text();
        let needle = a[1].to_text();
        let Some(wanted) = super::Occurrence::of(a) else {
            return Ok(Scalar::Null(KqlType::Long));
        };
        let bounds = char_bounds(&text);
        let n = (bounds.len() - 1) as i64;
        let at = wanted.position(n, true, |from, end| {
            let window = &text[bounds[from as usize]..bounds[end as usize]];
            let pos = window.find(needle.as_ref())?;
            Some(from + window[..pos].chars().count() as i64)
        });
        Ok(Scalar::Long(at))
    })
}

/// `countof(s, search[, kind])`: plain matches may overlap, regex matches
/// do not.
fn countof(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    expect_string(call, 1)?;
    let regex_kind = match call.args.get(2) {
        None => false,
        Some(Val::Scalar(k)) => match k.to_text().as_ref() {
            "normal" | "" => false,
            "regex" => true,
            other => {
                return Err(QueryError::type_error(
                    format!("countof() kind must be 'normal' or 'regex', not '{other}'"),
                    call.arg_span(2),
                ));
            }
        },
        Some(Val::Column(_)) => return Err(call.type_error(2, "a constant 'normal' or 'regex'")),
    };
    if regex_kind {
        let patterns = Patterns::new(call, 1)?;
        return call.rowwise(KqlType::Long, |a| {
            let re = patterns.get(&a[1])?;
            Ok(Scalar::Long(
                re.find_iter(&a[0].to_text())
                    .filter(|m| !m.is_empty())
                    .count() as i64,
            ))
        });
    }
    call.rowwise(KqlType::Long, |a| {
        let text = a[0].to_text();
        let needle = a[1].to_text();
        if needle.is_empty() {
            return Ok(Scalar::Long(0));
        }
        let step = needle.chars().next().map_or(1, char::len_utf8);
        let mut count = 0;
        let mut from = 0;
        while let Some(pos) = text.get(from..).and_then(|t| t.find(needle.as_ref())) {
            count += 1;
            from += pos + step;
        }
        Ok(Scalar::Long(count))
    })
}

// ---------------------------------------------------------------------------
// Splitting and regular expressions.

/// `split(s, delimiter[, index])`: a dynamic array of the parts; with an
/// index, an array holding just that part (empty when out of range).
fn split(call: &Call) -> Result<Val, QueryError> {
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

/// The optional type argument of `extract` and `extract_json`
/// (`typeof(long)` arrives as the type's name).
pub(super) fn type_argument(call: &Call, i: usize) -> Result<Option<KqlType>, QueryError> {
    match call.args.get(i) {
        None => Ok(None),
        Some(Val::Scalar(Scalar::String(t))) => KqlType::parse(t.trim())
            .map(Some)
            .ok_or_else(|| QueryError::type_error(format!("unknown type '{t}'"), call.arg_span(i))),
        Some(_) => Err(call.type_error(i, "a type, such as typeof(long)")),
    }
}

/// `extract(regex, group, source[, typeof(t)])`: the group's text of the
/// first match, "" (or null once converted) when there is none.
fn extract(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    expect_integer(call, 1)?;
    expect_string(call, 2)?;
    let to = type_argument(call, 3)?;
    let patterns = Patterns::new(call, 0)?;
    let group_of = |s: &Scalar| as_long(s).and_then(|g| usize::try_from(g).ok());
    if let Some(re) = &patterns.constant
        && let Val::Scalar(g) = &call.args[1]
        && let Some(g) = group_of(g)
        && g >= re.captures_len()
    {
        return Err(QueryError::type_error(
            format!("extract(): the regular expression has no capture group {g}"),
            call.arg_span(1),
        ));
    }
    let one = |re: &Regex, g: Option<usize>, text: &str| -> Option<String> {
        let g = g?;
        if g == 0 {
            return re.find(text).map(|m| m.as_str().to_string());
        }
        re.captures(text)
            .and_then(|c| c.get(g))
            .map(|m| m.as_str().to_string())
    };
    let finish = |found: Option<String>| -> Scalar {
        match to {
            None | Some(KqlType::String) => Scalar::String(found.unwrap_or_default()),
            Some(k) => found.map_or(Scalar::Null(k), |t| coerce(&Scalar::String(t), k)),
        }
    };
    // Hot path: constant regex and group over a column of text, with the
    // capture positions reused from row to row.
    if let (Some(re), Val::Scalar(g), Val::Column(_)) =
        (&patterns.constant, &call.args[1], &call.args[2])
        && (to.is_none() || to == Some(KqlType::String))
    {
        let g = group_of(g);
        let text = call.args[2].to_text(call.rows);
        let mut locs = re.capture_locations();
        let mut b = StringChunkedBuilder::new("".into(), call.rows);
        for t in text.iter() {
            let t = t.unwrap_or("");
            let found = g.and_then(|g| {
                re.captures_read(&mut locs, t)?;
                locs.get(g).and_then(|(s, e)| t.get(s..e))
            });
            b.append_value(found.unwrap_or(""));
        }
        return Ok(column(b.finish()));
    }
    call.rowwise(to.unwrap_or(KqlType::String), |a| {
        let re = patterns.get(&a[0])?;
        Ok(finish(one(&re, group_of(&a[1]), &a[2].to_text())))
    })
}

/// `extract_all(regex, [groups,] source)`: every match; with one group a
/// flat array, with several an array of arrays; null when nothing matches.
fn extract_all(call: &Call) -> Result<Val, QueryError> {
    let source = call.args.len() - 1;
    expect_string(call, 0)?;
    expect_string(call, source)?;
    let patterns = Patterns::new(call, 0)?;
    // Group selectors: numbers or names, fixed for the query.
    let selectors: Option<Vec<Json>> = if call.args.len() == 3 {
        match call.constant(1)? {
            Scalar::Dynamic(Json::Array(a)) => Some(a),
            other => {
                return Err(QueryError::type_error(
                    format!(
                        "argument 2 of extract_all() must be a dynamic array of capture groups, not {}",
                        other.kind()
                    ),
                    call.arg_span(1),
                ));
            }
        }
    } else {
        None
    };
    call.rowwise(KqlType::Dynamic, |a| {
        let re = patterns.get(&a[0])?;
        let groups: Vec<usize> = match &selectors {
            None if re.captures_len() > 1 => (1..re.captures_len()).collect(),
            None => vec![0],
            Some(sel) => {
                let mut out = Vec::with_capacity(sel.len());
                for s in sel {
                    let g = match s {
                        Json::Number(n) => n.as_u64().and_then(|g| usize::try_from(g).ok()),
                        Json::String(name) => {
                            re.capture_names().position(|n| n == Some(name.as_str()))
                        }
                        _ => None,
                    };
                    match g {
                        Some(g) if g < re.captures_len() => out.push(g),
                        _ => {
                            return Err(QueryError::type_error(
                                format!(
                                    "extract_all(): no capture group {s} in the regular expression"
                                ),
                                call.arg_span(1),
                            ));
                        }
                    }
                }
                out
            }
        };
        let text = a[source].to_text();
        let mut matches = Vec::new();
        for caps in re.captures_iter(&text) {
            let vals: Vec<Json> = groups
                .iter()
                .map(|&g| Json::String(caps.get(g).map_or("", |m| m.as_str()).to_string()))
                .collect();
            if groups.len() == 1 {
                matches.extend(vals);
            } else {
                matches.push(Json::Array(vals));
            }
        }
        Ok(if matches.is_empty() {
            Scalar::Null(KqlType::Dynamic)
        } else {
            Scalar::Dynamic(Json::Array(matches))
        })
    })
}

/// `replace_string(text, lookup, rewrite)`: every occurrence.
fn replace_string(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    expect_string(call, 1)?;
    expect_string(call, 2)?;
    if let (Val::Scalar(l), Val::Scalar(r)) = (&call.args[1], &call.args[2]) {
        let (lookup, rewrite) = (l.to_text().into_owned(), r.to_text().into_owned());
        return Ok(map_string(call, 0, |s| {
            if lookup.is_empty() {
                s.to_string()
            } else {
                s.replace(&lookup, &rewrite)
            }
        }));
    }
    call.rowwise(KqlType::String, |a| {
        let (s, lookup, rewrite) = (a[0].to_text(), a[1].to_text(), a[2].to_text());
        Ok(Scalar::String(if lookup.is_empty() {
            s.into_owned()
        } else {
            s.replace(lookup.as_ref(), &rewrite)
        }))
    })
}

/// `replace_strings(text, lookups, rewrites)`: every lookup replaced by its
/// rewrite in one pass. Lookups claim their matches in list order, and a
/// match overlapping one already claimed is left alone (Kusto's "the earlier
/// match takes precedence"); a lookup that is not a string is ignored, and
/// a rewrite that is not a string leaves its matches as they are.
fn replace_strings(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    let pairs = |l: &Scalar, r: &Scalar| -> Vec<(String, Option<String>)> {
        let (Scalar::Dynamic(Json::Array(l)), Scalar::Dynamic(r)) = (l, r) else {
            return Vec::new();
        };
        l.iter()
            .enumerate()
            .filter_map(|(i, lookup)| {
                let lookup = lookup.as_str().filter(|s| !s.is_empty())?;
                let rewrite = r.get(i).and_then(Json::as_str).map(str::to_string);
                Some((lookup.to_string(), rewrite))
            })
            .collect()
    };
    fn apply(text: &str, pairs: &[(String, Option<String>)]) -> String {
        // (start, end, rewrite) of the claimed matches.
        let mut claimed: Vec<(usize, usize, Option<&str>)> = Vec::new();
        for (lookup, rewrite) in pairs {
            for (start, _) in text.match_indices(lookup.as_str()) {
                let end = start + lookup.len();
                if claimed.iter().all(|&(s, e, _)| end <= s || start >= e) {
                    claimed.push((start, end, rewrite.as_deref()));
                }
            }
        }
        claimed.sort_by_key(|&(s, _, _)| s);
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (s, e, rewrite) in claimed {
            out.push_str(&text[at..s]);
            out.push_str(rewrite.unwrap_or(&text[s..e]));
            at = e;
        }
        out.push_str(&text[at..]);
        out
    }
    if let (Val::Scalar(l), Val::Scalar(r)) = (&call.args[1], &call.args[2]) {
        let pairs = pairs(l, r);
        return Ok(map_string(call, 0, |s| apply(s, &pairs)));
    }
    call.rowwise(KqlType::String, |a| {
        Ok(Scalar::String(apply(&a[0].to_text(), &pairs(&a[1], &a[2]))))
    })
}

/// Kusto's rewrite syntax (`\1` for a group, `\0` for the match) in the
/// regex crate's (`${1}`), with any literal `$` escaped.
fn rewrite_template(rewrite: &str) -> String {
    let mut out = String::with_capacity(rewrite.len());
    let mut chars = rewrite.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '$' => out.push_str("$$"),
            '\\' => match chars.peek() {
                Some(d) if d.is_ascii_digit() => {
                    let mut n = String::new();
                    while let Some(d) = chars.peek().filter(|d| d.is_ascii_digit()) {
                        n.push(*d);
                        chars.next();
                    }
                    out.push_str(&format!("${{{n}}}"));
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            c => out.push(c),
        }
    }
    out
}

/// The body of `replace_regex(text, regex, rewrite)` and the older
/// `replace(regex, rewrite, text)`.
fn regex_replace(
    call: &Call,
    text: usize,
    regex: usize,
    rewrite: usize,
) -> Result<Val, QueryError> {
    expect_string(call, text)?;
    expect_string(call, regex)?;
    expect_string(call, rewrite)?;
    let patterns = Patterns::new(call, regex)?;
    if let (Some(re), Val::Scalar(r)) = (&patterns.constant, &call.args[rewrite]) {
        let template = rewrite_template(&r.to_text());
        return Ok(map_string(call, text, |s| {
            re.replace_all(s, template.as_str()).into_owned()
        }));
    }
    call.rowwise(KqlType::String, |a| {
        let re = patterns.get(&a[regex])?;
        let template = rewrite_template(&a[rewrite].to_text());
        Ok(Scalar::String(
            re.replace_all(&a[text].to_text(), template.as_str())
                .into_owned(),
        ))
    })
}

fn replace_regex(call: &Call) -> Result<Val, QueryError> {
    regex_replace(call, 0, 1, 2)
}

fn replace(call: &Call) -> Result<Val, QueryError> {
    regex_replace(call, 2, 0, 1)
}

/// `trim`, `trim_start`, `trim_end`: remove every leading and/or trailing
/// match of a regex (Kusto's trim takes a regex, not a character set).
fn trim_with(call: &Call, start: bool, end: bool) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    expect_string(call, 1)?;
    let anchored = |p: &str| -> Result<(Option<Regex>, Option<Regex>), QueryError> {
        let s = if start {
            Some(compile(call, 0, &format!("^(?:{p})+"))?)
        } else {
            None
        };
        let e = if end {
            Some(compile(call, 0, &format!("(?:{p})+$"))?)
        } else {
            None
        };
        // Reject a bad pattern with its own message, not the wrapped one.
        compile(call, 0, p)?;
        Ok((s, e))
    };
    let apply = |re: &(Option<Regex>, Option<Regex>), s: &str| -> String {
        let mut t = s;
        if let Some(m) = re.0.as_ref().and_then(|r| r.find(t)) {
            t = &t[m.end()..];
        }
        if let Some(m) = re.1.as_ref().and_then(|r| r.find(t)) {
            t = &t[..m.start()];
        }
        t.to_string()
    };
    if let Val::Scalar(p) = &call.args[0] {
        let re = anchored(&p.to_text())?;
        return Ok(map_string(call, 1, |s| apply(&re, s)));
    }
    call.rowwise(KqlType::String, |a| {
        let re = anchored(&a[0].to_text())?;
        Ok(Scalar::String(apply(&re, &a[1].to_text())))
    })
}

fn trim(call: &Call) -> Result<Val, QueryError> {
    trim_with(call, true, true)
}

fn trim_start(call: &Call) -> Result<Val, QueryError> {
    trim_with(call, true, false)
}

fn trim_end(call: &Call) -> Result<Val, QueryError> {
    trim_with(call, false, true)
}

// ---------------------------------------------------------------------------
// URLs, paths, encodings.

/// `parse_url(url)`: the parts of an absolute URL as a bag; text that is
/// not one gives the bag with every part empty.
fn parse_url(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(Scalar::Dynamic(url_parts(&a[0].to_text())))
    })
}

fn url_parts(text: &str) -> Json {
    let mut bag = Map::new();
    let parsed = url::Url::parse(text.trim())
        .ok()
        .filter(|u| u.has_host() || !u.cannot_be_a_base());
    let get = |f: &dyn Fn(&url::Url) -> String| parsed.as_ref().map(f).unwrap_or_default();
    bag.insert(
        "Scheme".into(),
        Json::String(get(&|u| u.scheme().to_string())),
    );
    bag.insert(
        "Host".into(),
        Json::String(get(&|u| u.host_str().unwrap_or("").to_string())),
    );
    bag.insert(
        "Port".into(),
        Json::String(get(&|u| {
            u.port().map(|p| p.to_string()).unwrap_or_default()
        })),
    );
    bag.insert("Path".into(), Json::String(get(&|u| u.path().to_string())));
    bag.insert(
        "Username".into(),
        Json::String(get(&|u| u.username().to_string())),
    );
    bag.insert(
        "Password".into(),
        Json::String(get(&|u| u.password().unwrap_or("").to_string())),
    );
    let mut query = Map::new();
    if let Some(u) = &parsed {
        for (k, v) in u.query_pairs() {
            query.insert(k.into_owned(), Json::String(v.into_owned()));
        }
    }
    bag.insert("Query Parameters".into(), Json::Object(query));
    bag.insert(
        "Fragment".into(),
        Json::String(get(&|u| u.fragment().unwrap_or("").to_string())),
    );
    Json::Object(bag)
}

/// `parse_path(path)`: Scheme, RootPath, DirectoryPath, DirectoryName,
/// Filename, Extension and AlternateDataStreamName of a Windows or Unix
/// path (UNC, `\\?\` long paths and `file://` URLs included).
fn parse_path(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(Scalar::Dynamic(path_parts(&a[0].to_text())))
    })
}

fn path_parts(text: &str) -> Json {
    let mut rest = text;
    let mut scheme = "";
    if let Some(pos) = rest.find("://") {
        let s = &rest[..pos];
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
        {
            scheme = s;
            rest = &rest[pos + 3..];
        }
    }
    // A long-path prefix belongs to no part.
    let unprefixed = rest.strip_prefix(r"\\?\").unwrap_or(rest);
    let is_sep = |c: char| c == '\\' || c == '/';
    let root = {
        let b = unprefixed.as_bytes();
        if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
            &unprefixed[..2]
        } else {
            ""
        }
    };
    let (dir, file) = match rest.rfind(is_sep) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        // `C:file.txt`: the drive is no part of the file name.
        None if !root.is_empty() && rest.starts_with(root) => ("", &rest[root.len()..]),
        None => ("", rest),
    };
    // `file.exe:stream`: a colon in the file name starts a data stream.
    let (file, stream) = match file.find(':') {
        Some(i) => (&file[..i], &file[i + 1..]),
        None => (file, ""),
    };
    let dir_name = dir.rfind(is_sep).map_or(dir, |i| &dir[i + 1..]);
    let dir_name = if dir_name == root { "" } else { dir_name };
    let extension = file.rfind('.').map_or("", |i| &file[i + 1..]);
    let mut bag = Map::new();
    for (k, v) in [
        ("Scheme", scheme),
        ("RootPath", root),
        ("DirectoryPath", dir),
        ("DirectoryName", dir_name),
        ("Filename", file),
        ("Extension", extension),
        ("AlternateDataStreamName", stream),
    ] {
        bag.insert(k.into(), Json::String(v.to_string()));
    }
    Json::Object(bag)
}

/// Percent-encodes like .NET's `HttpUtility.UrlEncode`: letters, digits
/// and `-_.!*()` stay, a space becomes `+` (or `%20` for a component),
/// everything else is `%xx` of its UTF-8 bytes, in lower-case hex.
fn percent_encode(s: &str, space_plus: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z'
            | b'A'..=b'Z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'*'
            | b'('
            | b')' => out.push(b as char),
            b' ' if space_plus => out.push('+'),
            _ => out.push_str(&format!("%{b:02x}")),
        }
    }
    out
}

fn url_encode(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| percent_encode(s, true)))
}

fn url_encode_component(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| percent_encode(s, false)))
}

/// `url_decode(s)`: `%xx` and `+` decoded; bytes that are not UTF-8 are
/// replaced rather than failing the row.
fn url_decode(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| {
        let plus = s.replace('+', " ");
        percent_encoding::percent_decode_str(&plus)
            .decode_utf8_lossy()
            .into_owned()
    }))
}

fn base64_encode(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| {
        base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
    }))
}

/// `base64_decode_tostring(s)`: "" when the text is not base64 or does not
/// decode to UTF-8 (Kusto's null; strings are never null).
fn base64_decode(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| {
        base64::engine::general_purpose::STANDARD
            .decode(s.trim().as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    }))
}

// ---------------------------------------------------------------------------
// Character translation and regex quoting.

/// `translate(searchList, replacementList, source)`: each character of
/// `source` found in `searchList` becomes the character at the same place in
/// `replacementList` (its last character when shorter), or is dropped when
/// `replacementList` is empty. `translate("abc", "x", "abc")` is "xxx".
fn translate(call: &Call) -> Result<Val, QueryError> {
    for i in 0..3 {
        expect_string(call, i)?;
    }
    call.rowwise(KqlType::String, |a| {
        let search: Vec<char> = a[0].to_text().chars().collect();
        let replace: Vec<char> = a[1].to_text().chars().collect();
        let out = a[2]
            .to_text()
            .chars()
            .filter_map(|c| match search.iter().position(|&s| s == c) {
                None => Some(c),
                Some(i) => replace.get(i).or(replace.last()).copied(),
            })
            .collect();
        Ok(Scalar::String(out))
    })
}

/// `regex_quote(s)`: `s` with every regex metacharacter escaped, so it
/// matches itself literally.
fn regex_quote(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, regex::escape))
}
