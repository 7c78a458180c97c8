//! Regular-expression extraction and quoting: `extract`, `extract_all`,
//! `regex_quote`.

use polars::prelude::*;
use regex::Regex;
use serde_json::Value as Json;

use super::{Patterns, map_string, type_argument};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_long, coerce, column, expect_integer, expect_string};
use crate::kql::value::{Scalar, Val};

/// `extract(regex, group, source[, typeof(t)])`: the group's text of the
/// first match, "" (or null once converted) when there is none.
pub(super) fn extract(call: &Call) -> Result<Val, QueryError> {
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
pub(super) fn extract_all(call: &Call) -> Result<Val, QueryError> {
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
/// `regex_quote(s)`: `s` with every regex metacharacter escaped, so it
/// matches itself literally.
pub(super) fn regex_quote(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, regex::escape))
}
