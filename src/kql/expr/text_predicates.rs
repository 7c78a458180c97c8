//! Predicates on text: `==`/`!=`/`=~`/`!~` and the string operators (`has`,
//! `contains`, `startswith`, `matches regex`, ... and their negations).

use polars::prelude::*;

use super::compare::{bool_val, not};
use crate::kql::ast::{Span, StringOp};
use crate::kql::error::QueryError;
use crate::kql::functions::dictionary::{PredicateKey, dictionary_of};
use crate::kql::functions::{self, terms::Matcher};
use crate::kql::value::{Scalar, Val};

/// `==`, `!=`, `=~`, `!~` on text.
pub(super) fn string_equals(
    l: &Val,
    r: &Val,
    rows: usize,
    negated: bool,
    case_sensitive: bool,
) -> Result<Val, QueryError> {
    if let (Val::Scalar(a), Val::Scalar(b)) = (l, r) {
        let (a, b) = (a.to_text(), b.to_text());
        let eq = if case_sensitive {
            a == b
        } else {
            a.to_lowercase() == b.to_lowercase()
        };
        return Ok(Val::Scalar(Scalar::Bool(eq != negated)));
    }
    // An encoded column against a constant: once per distinct value.
    if let (Val::Column(c), Val::Scalar(s)) | (Val::Scalar(s), Val::Column(c)) = (l, r)
        && let Some(d) = dictionary_of(c)
    {
        let needle = s.to_text();
        let lower = needle.to_lowercase();
        let key = PredicateKey::new(
            "equals",
            [
                case_sensitive.to_string(),
                negated.to_string(),
                needle.to_string(),
            ],
        );
        let out = d.map_bool(c.name().clone(), Some(key), |v| {
            let eq = if case_sensitive {
                v == needle
            } else {
                v.to_lowercase() == lower
            };
            eq != negated
        });
        return Ok(bool_val(out));
    }
    let (col, other) = match (l, r) {
        (Val::Column(_), Val::Scalar(s)) => (l.to_text(rows), Some(s.to_text().into_owned())),
        (Val::Scalar(s), Val::Column(_)) => (r.to_text(rows), Some(s.to_text().into_owned())),
        _ => (l.to_text(rows), None),
    };
    let out: BooleanChunked = match other {
        Some(needle) if case_sensitive => {
            let eq = col.equal(needle.as_str());
            if negated { !&eq } else { eq }
        }
        Some(needle) => {
            let needle = needle.to_lowercase();
            col.iter()
                .map(|v| Some((v.unwrap_or("").to_lowercase() == needle) != negated))
                .collect()
        }
        None => {
            let rt = r.to_text(rows);
            col.iter()
                .zip(rt.iter())
                .map(|(a, b)| {
                    let (a, b) = (a.unwrap_or(""), b.unwrap_or(""));
                    let eq = if case_sensitive {
                        a == b
                    } else {
                        a.to_lowercase() == b.to_lowercase()
                    };
                    Some(eq != negated)
                })
                .collect()
        }
    };
    Ok(bool_val(out))
}

/// `has`, `contains`, `startswith`, `matches regex`, ... and their negations.
pub fn string_op(
    op: StringOp,
    l: &Val,
    r: &Val,
    rows: usize,
    rspan: Span,
) -> Result<Val, QueryError> {
    let result = match r {
        Val::Scalar(needle) => {
            let m = Matcher::new(op.kind, &needle.to_text(), op.case_sensitive)
                .map_err(|msg| QueryError::runtime(msg, Some(rspan)))?;
            match l {
                Val::Scalar(h) => {
                    let mut buf = String::new();
                    Val::Scalar(Scalar::Bool(m.matches(&h.to_text(), &mut buf)))
                }
                Val::Column(c) => bool_val(m.apply(c)),
            }
        }
        Val::Column(_) => {
            let hay = l.to_text(rows);
            let needles = r.to_text(rows);
            let mut out = Vec::with_capacity(rows);
            for (h, n) in hay.iter().zip(needles.iter()) {
                let ok = functions::terms::matches_once(
                    op.kind,
                    h.unwrap_or(""),
                    n.unwrap_or(""),
                    op.case_sensitive,
                )
                .map_err(|msg| QueryError::runtime(msg, Some(rspan)))?;
                out.push(Some(ok));
            }
            bool_val(out.into_iter().collect())
        }
    };
    if op.negated {
        not(result, rows)
    } else {
        Ok(result)
    }
}
