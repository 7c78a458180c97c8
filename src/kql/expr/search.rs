//! `search` and `where * has ...`: a term matched in every column, numbers
//! and datetimes searched as their text without formatting each value.

use polars::prelude::*;

use super::compare::not;
use crate::data::time::{DATETIME_TEXT_LEN, datetime_text, format_datetime};
use crate::kql::ast::{Expr, Span, StringOp, StringOpKind};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::functions::terms::Matcher;
use crate::kql::run::Runner;
use crate::kql::value::Val;

impl Runner<'_> {
    /// `search` terms: `"x"` is `* has "x"`, `Col:"x"` is `Col has "x"`;
    /// `x*`, `*x`, `*x*` and `a*b` switch to hasprefix, hassuffix, contains
    /// and a regex.
    pub fn search_term(
        &self,
        column: Option<&str>,
        text: &str,
        case_sensitive: bool,
        frame: &DataFrame,
        span: Span,
    ) -> Result<Val, QueryError> {
        let matcher =
            search_matcher(text, case_sensitive).map_err(|m| QueryError::runtime(m, Some(span)))?;
        let rows = frame.height();
        let columns: Vec<&Column> = match column {
            Some(c) => vec![frame.column(c).map_err(|_| {
                let names: Vec<&str> = frame
                    .get_column_names()
                    .into_iter()
                    .map(|s| s.as_str())
                    .collect();
                QueryError::unknown(
                    format!("unknown column '{c}'{}", did_you_mean(c, names)),
                    span,
                )
            })?],
            None => frame.columns().iter().collect(),
        };
        Ok(Val::Column(
            matches_in_any(&matcher, &columns, rows).into_series(),
        ))
    }

    /// `where * has "x"` (what `search "x"` means): the predicate holds in
    /// some column; `* !has "x"` holds when it holds in none.
    pub(super) fn any_column(
        &self,
        op: StringOp,
        right: &Expr,
        frame: &DataFrame,
    ) -> Result<Val, QueryError> {
        let needle = self.eval_scalar(right, frame)?;
        let matcher = Matcher::new(op.kind, &needle.to_text(), op.case_sensitive)
            .map_err(|m| QueryError::runtime(m, Some(right.span)))?;
        let rows = frame.height();
        let columns: Vec<&Column> = frame.columns().iter().collect();
        let v = Val::Column(matches_in_any(&matcher, &columns, rows).into_series());
        if op.negated { not(v, rows) } else { Ok(v) }
    }
}

/// A search term's matches in one column; `None` when the column's values
/// cannot match (a word searched in a column of numbers). Numbers, dates and
/// dynamic values are searched as their text, without formatting every
/// value where the answer is known from the number itself.
fn search_column(matcher: &Matcher, s: &Series) -> Option<BooleanChunked> {
    let digits = |c: char| c.is_ascii_digit() || c == '-';
    match s.dtype() {
        DataType::String | DataType::Categorical(_, _) => return matcher.apply_any(s),
        DataType::Int32 | DataType::Int64 => {
            if !matcher.possible_in_shape(NUMBER_SHAPE) {
                return None;
            }
            if let Some(n) = matcher.single_number() {
                // A number's text is one term, perhaps after a minus sign.
                let v = s.cast(&DataType::Int64).ok()?;
                let v = v.i64().ok()?;
                let hit = &v.equal(n) | &v.equal(-n);
                return hit.any().then_some(hit);
            }
        }
        DataType::Boolean if !matcher.possible_in(|c| "truefalsTRUEFALS".contains(c)) => {
            return None;
        }
        DataType::Float64 if !matcher.possible_in(|c| digits(c) || ".eE+NaInfity".contains(c)) => {
            return None;
        }
        DataType::Datetime(_, _) => {
            if !matcher.possible_in_shape(DATETIME_SHAPE) {
                return None;
            }
            if let (Some(n), Some(len)) = (matcher.single_number(), matcher.needle_len()) {
                return datetime_has_number(s, n, len);
            }
            // Each value's text written into one buffer, none allocated.
            let mut buf = [0u8; DATETIME_TEXT_LEN];
            let mut scratch = String::new();
            let hits: BooleanChunked = s
                .datetime()
                .ok()?
                .physical()
                .iter()
                .map(|v| {
                    v.map(|ns| match datetime_text(ns, &mut buf) {
                        Some(text) => matcher.matches(text, &mut scratch),
                        None => matcher.matches(&format_datetime(ns), &mut scratch),
                    })
                })
                .collect();
            return Some(hits.with_name(s.name().clone()));
        }
        DataType::Duration(_) if !matcher.possible_in(|c| digits(c) || ":.".contains(c)) => {
            return None;
        }
        _ => {}
    }
    Some(matcher.apply(s))
}

/// Rows where the predicate holds in at least one of `columns` (searched in
/// parallel).
fn matches_in_any(matcher: &Matcher, columns: &[&Column], rows: usize) -> BooleanChunked {
    use rayon::prelude::*;
    let hits: Vec<Option<BooleanChunked>> = columns
        .par_iter()
        .map(|c| search_column(matcher, c.as_materialized_series()))
        .collect();
    let mut acc = BooleanChunked::full("".into(), false, rows);
    for hit in hits.into_iter().flatten() {
        acc = &acc | &hit.fill_null_with_values(false).unwrap_or(hit);
    }
    acc
}

/// The text of every long or int fits in this (`#` for a digit).
const NUMBER_SHAPE: &str = "-###################";

/// The text of every datetime (see `data::time::format_datetime`), `#`
/// for a digit.
const DATETIME_SHAPE: &str = "####-##-##T##:##:##.#######Z";

/// `has "2025"` on a datetime, without formatting it: in
/// `2025-03-18T11:42:07.1234567Z` the all-digit terms are the year (4
/// digits), the month, minute and second (2), and the ticks (7); the day and
/// hour share the term `18T11`.
fn datetime_has_number(s: &Series, n: i64, len: usize) -> Option<BooleanChunked> {
    use chrono::{Datelike, Timelike};
    let dt = s.datetime().ok()?;
    // Most searched numbers are no year, month, minute or second of the
    // column at all: decide that from its range without visiting rows.
    let year =
        |ns: i64| i64::from(chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(ns).year());
    let possible = match len {
        4 => match (dt.physical().min(), dt.physical().max()) {
            (Some(lo), Some(hi)) => (year(lo)..=year(hi)).contains(&n),
            _ => false,
        },
        2 => n <= 59,
        7 => true,
        _ => false,
    };
    if !possible {
        return None;
    }
    let hit: BooleanChunked = dt
        .physical()
        .iter()
        .map(|v| {
            v.map(|ns| {
                let t = chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(ns);
                match len {
                    4 => i64::from(t.year()) == n,
                    2 => [t.month(), t.minute(), t.second()].contains(&(n as u32)),
                    7 => ns.rem_euclid(1_000_000_000) / 100 == n,
                    _ => false,
                }
            })
        })
        .collect();
    hit.any().then_some(hit)
}

/// The matcher for one `search` term with its wildcards.
fn search_matcher(text: &str, case_sensitive: bool) -> Result<Matcher, String> {
    let starts = text.starts_with('*');
    let ends = text.ends_with('*') && text.len() > 1;
    let inner = text.trim_matches('*');
    if inner.contains('*') {
        // Documented: `search "Lab*PC"` is `matches regex @"\bLab.*PC\b"`.
        let pattern: Vec<String> = inner.split('*').map(regex::escape).collect();
        let mut re = format!(r"\b{}\b", pattern.join(".*"));
        if !case_sensitive {
            re = format!("(?i){re}");
        }
        return Matcher::new(StringOpKind::MatchesRegex, &re, true);
    }
    let kind = match (starts, ends) {
        (true, true) => StringOpKind::Contains,
        (false, true) => StringOpKind::HasPrefix,
        (true, false) => StringOpKind::HasSuffix,
        (false, false) => StringOpKind::Has,
    };
    Matcher::new(kind, inner, case_sensitive)
}
