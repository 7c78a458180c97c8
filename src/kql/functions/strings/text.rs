//! Concatenation, length, case, reversal, comparison and repetition:
//! `strcat`, `strcat_delim`, `strlen`, `string_size`, `tolower`, `toupper`,
//! `reverse`, `strcmp`, `strrep`.

use std::borrow::Cow;
use std::fmt::Write as _;

use polars::prelude::*;

use super::{map_long, map_string, string_val};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_long, column, expect_integer, expect_string, i64_column};
use crate::kql::value::{Scalar, Val};

/// `strcat(a, b, ...)`: every argument's text, joined.
pub(super) fn strcat(call: &Call) -> Result<Val, QueryError> {
    join_texts(call, &call.args, "")
}

/// `strcat_delim(delimiter, a, b, ...)`.
pub(super) fn strcat_delim(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn strlen(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_long(call, 0, |s| s.chars().count() as i64))
}

/// `string_size(s)`: bytes of UTF-8.
pub(super) fn string_size(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_long(call, 0, |s| s.len() as i64))
}

pub(super) fn tolower(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, str::to_lowercase))
}

pub(super) fn toupper(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, str::to_uppercase))
}

/// `reverse(x)`: by characters; any scalar is converted to text.
pub(super) fn reverse(call: &Call) -> Result<Val, QueryError> {
    Ok(map_string(call, 0, |s| s.chars().rev().collect()))
}

/// `strcmp(a, b)`: -1, 0 or 1, ordinal.
pub(super) fn strcmp(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn strrep(call: &Call) -> Result<Val, QueryError> {
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
