//! `parse` and `parse-where`: new columns cut out of a text by a pattern of
//! literals, `*` and typed columns.

use polars::prelude::*;
use regex::Regex;

use super::polars_error;
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ParsePart};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// What a pattern made of every row's text.
struct Extraction {
    /// The pattern's columns, in order, with their types.
    columns: Vec<(String, KqlType)>,
    /// One list of values per column, one value per row.
    values: Vec<Vec<Scalar>>,
    /// Whether the row's text matched (with every typed column of its type).
    matched: Vec<bool>,
}

impl Runner<'_> {
    /// `parse [kind=simple|regex|relaxed] Expr with "lit" Col [:type] "lit" * ...`:
    /// new columns from the parts of a text. Rows that do not match, or
    /// whose parts are not of their column's type, get empty values (nulls
    /// for typed columns), as Kusto's strict modes do; with `relaxed`, a
    /// part that is not of its type is null and the rest still match.
    pub(super) fn op_parse(
        &self,
        source: &Expr,
        kind: Option<&str>,
        flags: Option<&str>,
        pattern: &[ParsePart],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let extraction = self.extract(source, kind, flags, pattern, &frame)?;
        attach(frame, extraction, source)
    }

    /// `parse-where`: as `parse`, but only the rows whose text matches the
    /// whole pattern (typed parts included) are kept.
    pub(super) fn op_parse_where(
        &self,
        source: &Expr,
        kind: Option<&str>,
        flags: Option<&str>,
        pattern: &[ParsePart],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let mut extraction = self.extract(source, kind, flags, pattern, &frame)?;
        let mask = BooleanChunked::from_slice("".into(), &extraction.matched);
        let frame = frame
            .filter(&mask)
            .map_err(|e| polars_error(e, source.span))?;
        let matched = std::mem::take(&mut extraction.matched);
        for column in &mut extraction.values {
            let all = std::mem::take(column);
            *column = all
                .into_iter()
                .zip(&matched)
                .filter_map(|(v, keep)| keep.then_some(v))
                .collect();
        }
        attach(frame, extraction, source)
    }

    fn extract(
        &self,
        source: &Expr,
        kind: Option<&str>,
        flags: Option<&str>,
        pattern: &[ParsePart],
        frame: &DataFrame,
    ) -> Result<Extraction, QueryError> {
        let rows = frame.height();
        let regex_mode = kind.is_some_and(|k| k.eq_ignore_ascii_case("regex"));
        let relaxed = kind.is_some_and(|k| k.eq_ignore_ascii_case("relaxed"));
        let (re, columns) = pattern_regex(pattern, regex_mode, relaxed, flags, source)?;
        let text = self.eval(source, frame)?.to_text(rows);
        let mut values: Vec<Vec<Scalar>> = vec![Vec::with_capacity(rows); columns.len()];
        let mut matched = Vec::with_capacity(rows);
        let mut row: Vec<Option<Scalar>> = Vec::with_capacity(columns.len());
        for (i, v) in text.iter().enumerate() {
            if i % 4096 == 0 {
                self.check_cancel()?;
            }
            row.clear();
            let caps = re.captures(v.unwrap_or(""));
            if let Some(caps) = &caps {
                for (ci, (_, k)) in columns.iter().enumerate() {
                    let part = caps.name(&group_name(ci)).map(|m| m.as_str());
                    row.push(part.and_then(|t| typed(t, *k)));
                }
            }
            let ok = caps.is_some() && (relaxed || row.iter().all(Option::is_some));
            matched.push(ok);
            for (ci, (_, k)) in columns.iter().enumerate() {
                let cell = if ok || relaxed {
                    row.get_mut(ci).and_then(Option::take)
                } else {
                    None
                };
                values[ci].push(cell.unwrap_or_else(|| empty(*k)));
            }
        }
        Ok(Extraction {
            columns,
            values,
            matched,
        })
    }
}

/// The regex a pattern stands for, and its columns. Each column is a
/// named group, so groups inside a `kind=regex` pattern's own literals do
/// not shift them. In simple mode `*` and text columns take as little as
/// they can and `.` crosses lines; in regex mode they take as much as they
/// can (the `U` flag swaps that) and `.` stops at a line end unless the
/// `s` flag is given, as Kusto's examples show.
fn pattern_regex(
    pattern: &[ParsePart],
    regex_mode: bool,
    relaxed: bool,
    flags: Option<&str>,
    source: &Expr,
) -> Result<(Regex, Vec<(String, KqlType)>), QueryError> {
    let mut re = String::from(if regex_mode { "" } else { "(?s)" });
    if let Some(f) = flags.filter(|f| !f.is_empty()) {
        re.push_str(&format!("(?{f})"));
    }
    let (any, any_last) = if regex_mode {
        (".*", ".*")
    } else {
        (".*?", ".*")
    };
    let mut columns: Vec<(String, KqlType)> = Vec::new();
    let n = pattern.len();
    for (i, part) in pattern.iter().enumerate() {
        let last = i + 1 == n;
        match part {
            ParsePart::Literal(l) => {
                if regex_mode {
                    re.push_str(l);
                } else {
                    re.push_str(&regex::escape(l));
                }
            }
            ParsePart::Wildcard => re.push_str(if last { any_last } else { any }),
            ParsePart::Column { name, kind } => {
                let k = match kind {
                    Some(t) => KqlType::parse(t).ok_or_else(|| {
                        QueryError::syntax(format!("unknown type '{t}'"), name.span)
                    })?,
                    None => KqlType::String,
                };
                let group = match k {
                    KqlType::Long | KqlType::Int => r"-?\d+",
                    KqlType::Real => r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?",
                    _ if last => any_last,
                    _ => any,
                };
                let name_ = group_name(columns.len());
                if relaxed && k.is_numeric() {
                    // Text that is not a number still matches, and is null.
                    re.push_str(&format!("(?P<{name_}>(?:{group}|{any}))"));
                } else {
                    re.push_str(&format!("(?P<{name_}>{group})"));
                }
                let k = if k == KqlType::Int { KqlType::Long } else { k };
                columns.push((name.name.clone(), k));
            }
        }
    }
    let re = Regex::new(&re).map_err(|e| {
        QueryError::runtime(
            format!("the parse pattern is not a valid regular expression: {e}"),
            Some(source.span),
        )
    })?;
    Ok((re, columns))
}

/// The regex group of the pattern's `i`th column.
fn group_name(i: usize) -> String {
    format!("quarry_parse_{i}")
}

/// A column's value when its part is missing: "" for strings, else null.
fn empty(k: KqlType) -> Scalar {
    match k {
        KqlType::String => Scalar::String(String::new()),
        k => Scalar::Null(k),
    }
}

/// A part as a value of its column's type; `None` when it is not one.
pub(super) fn typed(t: &str, k: KqlType) -> Option<Scalar> {
    match k {
        KqlType::String => Some(Scalar::String(t.to_string())),
        KqlType::Long | KqlType::Int => t.trim().parse().ok().map(Scalar::Long),
        KqlType::Real => t.trim().parse().ok().map(Scalar::Real),
        KqlType::Decimal => crate::data::decimal::Decimal::parse(t).map(Scalar::Decimal),
        KqlType::Datetime => crate::data::time::parse_datetime(t.trim()).map(Scalar::Datetime),
        KqlType::Timespan => crate::data::time::parse_timespan(t.trim()).map(Scalar::Timespan),
        KqlType::Bool => match t.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Some(Scalar::Bool(true)),
            "false" | "0" => Some(Scalar::Bool(false)),
            _ => None,
        },
        KqlType::Dynamic => Some(Scalar::Dynamic(crate::kql::value::parse_json_bytes(
            t.as_bytes(),
        ))),
    }
}

/// Adds (or replaces) the extracted columns.
fn attach(
    mut frame: DataFrame,
    extraction: Extraction,
    source: &Expr,
) -> Result<DataFrame, QueryError> {
    for ((name, k), vals) in extraction.columns.into_iter().zip(extraction.values) {
        let s = scalars_to_series(&name, k, vals);
        frame
            .with_column(s.into_column())
            .map_err(|e| polars_error(e, source.span))?;
    }
    Ok(frame)
}
