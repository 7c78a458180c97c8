//! String functions: concatenation, case, length, substrings, splitting,
//! regular expressions (`extract`, `extract_all`, `replace_regex`, `trim`,
//! `countof`), searching (`indexof`), URL and path parsing, URL and base64
//! coding, punycode.
//!
//! Strings are never null: a function that cannot produce a string gives
//! "". Positions and lengths count characters (Unicode code points), as
//! Kusto's `strlen` does, never bytes, so no input can split a character.
//! Where Kusto's documentation says an argument is "forcibly converted" to
//! a string (`strcat`, `indexof`, `reverse`, `strrep`, ...) any scalar is
//! accepted; elsewhere a string (or a dynamic value, read as its text) is
//! required.

mod encodings;
mod locations;
mod punycode;
mod regexes;
mod replace;
mod split;
mod substrings;
mod text;

use std::collections::HashMap;
use std::sync::Mutex;

use polars::prelude::*;
use regex::Regex;

use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};
use encodings::{base64_decode, base64_encode, url_decode, url_encode, url_encode_component};
use locations::{parse_path, parse_url};
use punycode::{
    punycode_domain_from_string, punycode_domain_to_string, punycode_from_string,
    punycode_to_string,
};
use regexes::{extract, extract_all, regex_quote};
use replace::{
    replace, replace_regex, replace_string, replace_strings, translate, trim, trim_end, trim_start,
};
use split::split;
use substrings::{countof, indexof, substring};
use text::{reverse, strcat, strcat_delim, strcmp, string_size, strlen, strrep, tolower, toupper};

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
    ScalarFunction {
        name: "punycode_from_string",
        min_args: 1,
        max_args: 1,
        eval: punycode_from_string,
    },
    ScalarFunction {
        name: "punycode_to_string",
        min_args: 1,
        max_args: 1,
        eval: punycode_to_string,
    },
    ScalarFunction {
        name: "punycode_domain_to_string",
        min_args: 1,
        max_args: 1,
        eval: punycode_domain_to_string,
    },
    ScalarFunction {
        name: "punycode_domain_from_string",
        min_args: 1,
        max_args: 1,
        eval: punycode_domain_from_string,
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
