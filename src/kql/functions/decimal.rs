//! The functions that make decimals: `todecimal()` and `parse_version()`
//! (their entries are in `convert::FUNCTIONS`). The type itself, its
//! arithmetic and its columns are `data::decimal`.

use polars::prelude::*;

use super::Call;
use super::convert::{as_decimal, expect_string};
use crate::data::decimal::{self, Decimal};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// `todecimal(x)`: see [`as_decimal`]; null when `x` cannot be read.
pub fn todecimal(call: &Call) -> Result<Val, QueryError> {
    if call.args[0].kind() == KqlType::Decimal {
        return Ok(call.args[0].clone());
    }
    call.rowwise(KqlType::Decimal, |a| {
        Ok(as_decimal(&a[0]).map_or(Scalar::Null(KqlType::Decimal), Scalar::Decimal))
    })
}

/// `parse_version(v)`: one to four dot-separated parts of at most eight
/// digits each, missing parts zero, as one comparable decimal:
/// `1.2.3.4` is 1,000,000,020,000,000,300,000,004. Null for anything else.
pub fn parse_version(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    call.rowwise(KqlType::Decimal, |a| {
        Ok(version_number(&a[0].to_text()).map_or(Scalar::Null(KqlType::Decimal), Scalar::Decimal))
    })
}

/// `sum(x)` of a decimal column in each group, exact. The result keeps
/// the column's scale (as SQL's `SUM` of a decimal does): a sum whose
/// integer part no longer fits beside it is an error, never wrapped.
/// `call` and `arg` name the call and its argument in the error.
pub fn sum_expr(x: Expr, call: &str, arg: &str) -> Expr {
    per_group(x, call, arg, |values| exact_sum(values).map(Some))
}

/// `avg(x)` of a decimal column in each group, exact to the column's
/// scale (Kusto's avg of decimals is a decimal); null without values.
pub fn avg_expr(x: Expr, call: &str, arg: &str) -> Expr {
    per_group(x, call, arg, |values| {
        let count = values.iter().flatten().count();
        if count == 0 {
            return Some(None);
        }
        let count = Decimal::from_i64(i64::try_from(count).ok()?);
        Some(exact_sum(values)?.checked_div(count))
    })
}

/// The sum of the values present; `None` past 38 digits.
fn exact_sum(values: &[Option<Decimal>]) -> Option<Decimal> {
    values
        .iter()
        .flatten()
        .try_fold(Decimal::ZERO, |acc, v| acc.checked_add(*v))
}

/// One decimal per group from its values (`f` gives `None` for a result
/// past 38 digits), at the input column's scale.
fn per_group(
    x: Expr,
    call: &str,
    arg: &str,
    f: impl Fn(&[Option<Decimal>]) -> Option<Option<Decimal>> + Send + Sync + 'static,
) -> Expr {
    let (call, arg) = (call.to_string(), arg.to_string());
    apply_multiple(
        move |columns: &mut [Column]| {
            let input = columns[0].as_materialized_series();
            let scale = match input.dtype() {
                DataType::Decimal(_, s) => *s as u32,
                _ => decimal::COLUMN_SCALE,
            };
            let values = decimal::values(input).unwrap_or_default();
            let result = f(&values);
            let fits = match result {
                Some(Some(d)) => d.rounded_mantissa(scale).is_some(),
                Some(None) => true,
                None => false,
            };
            if !fits {
                polars_bail!(ComputeError:
                    "{call}({arg}): the decimals add up to more than the 38 digits their column \
                     holds ({scale} of them after the point); {call}(todouble({arg})) adds them \
                     as reals"
                );
            }
            let one = decimal::column(input.name().clone(), &[result.flatten()]);
            Ok(decimal::rescale(&one, scale).into_column())
        },
        [x],
        |_: &Schema, fields: &[Field]| {
            Ok(match fields.first() {
                Some(f) => f.clone(),
                None => Field::new("".into(), KqlType::Decimal.polars()),
            })
        },
        true,
    )
}

/// The decimal of a version text (see [`parse_version`]).
pub fn version_number(text: &str) -> Option<Decimal> {
    let text = text.trim();
    let parts: Vec<&str> = text.split('.').collect();
    if parts.len() > 4 {
        return None;
    }
    let mut value: i128 = 0;
    for i in 0..4 {
        let part = match parts.get(i) {
            Some(p) => {
                if p.is_empty() || p.len() > 8 || !p.bytes().all(|c| c.is_ascii_digit()) {
                    return None;
                }
                p.parse::<i128>().ok()?
            }
            None => 0,
        };
        // Eight digits a part: at most 32 digits in all.
        value = value * 100_000_000 + part;
    }
    Decimal::from_parts(value, 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn version(text: &str) -> Option<String> {
        version_number(text).map(|d| d.to_string())
    }

    #[test]
    fn the_documented_versions() {
        // parse-version-function.md
        for (text, value) in [
            ("0.0.0.5", "5"),
            ("0.0.7.0", "700000000"),
            ("0.0.3", "300000000"),
            ("0.2", "20000000000000000"),
            ("0.1.2.0", "10000000200000000"),
            ("1.2.3.4", "1000000020000000300000004"),
            ("1", "1000000000000000000000000"),
            ("99999999.0.0.0", "99999999000000000000000000000000"),
            (
                "99999999.99999999.99999999.99999999",
                "99999999999999999999999999999999",
            ),
        ] {
            assert_eq!(version(text).as_deref(), Some(value), "{text}");
        }
    }

    #[test]
    fn text_that_is_no_version() {
        for text in [
            "",
            "1.2.3.4.5",
            "1..2",
            ".1",
            "1.",
            "123456789",
            "1.-2",
            "1.2a",
            "v1.2",
            "1,2",
        ] {
            assert_eq!(version(text), None, "{text:?}");
        }
    }

    #[test]
    fn versions_order_as_versions() {
        let v = |t: &str| version_number(t).expect("a version");
        assert!(v("1.10") > v("1.9.99999999.99999999"));
        assert!(v("10.0.19041.1") < v("10.0.19041.2"));
        assert_eq!(v("1.0"), v("1.0.0.0"));
    }
}
