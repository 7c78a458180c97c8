//! Rewriting text: `replace_string`, `replace_strings`, `replace_regex`
//! (and the older `replace`), the regex `trim` family and `translate`.

use regex::Regex;
use serde_json::Value as Json;

use super::{Patterns, compile, map_string};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::expect_string;
use crate::kql::value::{Scalar, Val};

/// `replace_string(text, lookup, rewrite)`: every occurrence.
pub(super) fn replace_string(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn replace_strings(call: &Call) -> Result<Val, QueryError> {
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

pub(super) fn replace_regex(call: &Call) -> Result<Val, QueryError> {
    regex_replace(call, 0, 1, 2)
}

pub(super) fn replace(call: &Call) -> Result<Val, QueryError> {
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

pub(super) fn trim(call: &Call) -> Result<Val, QueryError> {
    trim_with(call, true, true)
}

pub(super) fn trim_start(call: &Call) -> Result<Val, QueryError> {
    trim_with(call, true, false)
}

pub(super) fn trim_end(call: &Call) -> Result<Val, QueryError> {
    trim_with(call, false, true)
}
/// `translate(searchList, replacementList, source)`: each character of
/// `source` found in `searchList` becomes the character at the same place in
/// `replacementList` (its last character when shorter), or is dropped when
/// `replacementList` is empty. `translate("abc", "x", "abc")` is "xxx".
pub(super) fn translate(call: &Call) -> Result<Val, QueryError> {
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
