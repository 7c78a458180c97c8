//! Substrings and searching by character position: `substring`, `indexof`,
//! `countof`.

use super::{Patterns, byte_at, char_bounds, map_string};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_long, expect_integer, expect_string};
use crate::kql::value::{Scalar, Val};

/// `substring(s, start[, length])`: by characters; a negative start counts
/// from the end.
pub(super) fn substring(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn indexof(call: &Call) -> Result<Val, QueryError> {
    for i in 2..call.args.len() {
        expect_integer(call, i)?;
    }
    call.rowwise(KqlType::Long, |a| {
        let text = a[0].to_text();
        let needle = a[1].to_text();
        let Some(wanted) = crate::kql::functions::Occurrence::of(a) else {
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
pub(super) fn countof(call: &Call) -> Result<Val, QueryError> {
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
