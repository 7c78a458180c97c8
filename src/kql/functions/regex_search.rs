//! `indexof_regex(string, match[, start[, length[, occurrence]]])`: where
//! a regular expression matches, as `indexof` finds plain text.
//!
//! Unlike `indexof`, the documented rules make a negative start null (not
//! an offset from the end), and occurrences are counted over
//! non-overlapping matches (`indexof_regex("ababaa", @"a.a", 0, -1, 2)` is
//! -1). Positions count characters.

use super::convert::{as_long, expect_integer};
use super::strings::Patterns;
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions of this family, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[ScalarFunction {
    name: "indexof_regex",
    min_args: 2,
    max_args: 5,
    eval: indexof_regex,
}];

fn indexof_regex(call: &Call) -> Result<Val, QueryError> {
    for i in 2..call.args.len() {
        expect_integer(call, i)?;
    }
    let patterns = Patterns::new(call, 1)?;
    call.rowwise(KqlType::Long, |a| {
        let arg = |i: usize, default: i64| a.get(i).map_or(Some(default), as_long);
        let (Some(start), Some(length), Some(occurrence)) = (arg(2, 0), arg(3, -1), arg(4, 1))
        else {
            return Ok(Scalar::Null(KqlType::Long));
        };
        if start < 0 || length < -1 || occurrence < 1 {
            return Ok(Scalar::Null(KqlType::Long));
        }
        let re = patterns.get(&a[1])?;
        let text = a[0].to_text();
        let byte = |chars: i64| {
            usize::try_from(chars)
                .ok()
                .and_then(|n| text.char_indices().nth(n))
                .map_or(text.len(), |(i, _)| i)
        };
        let from = byte(start);
        let to = if length == -1 {
            text.len()
        } else {
            byte(start.saturating_add(length))
        };
        let window = &text[from..to];
        let found = usize::try_from(occurrence - 1)
            .ok()
            .and_then(|n| re.find_iter(window).nth(n));
        Ok(Scalar::Long(found.map_or(-1, |m| {
            start + window[..m.start()].chars().count() as i64
        })))
    })
}
