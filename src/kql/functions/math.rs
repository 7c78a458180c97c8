//! Numeric functions: `abs`, `round`, `ceiling`, `sqrt`, `pow`, `log`,
//! `log10`, `log2`, `exp`, `exp2`, `exp10`, `sign`, `isnan`, `isinf`,
//! `isfinite`, `pi`, `gamma`, `loggamma`, `erf`, `erfc`, the trigonometric functions and the bitwise ones
//! (`binary_and`, ..., `bitset_count_ones`). Null in, null out;
//! where Kusto documents null for an undefined result (`log(-1)`,
//! `sqrt(-1)`), that is null rather than NaN.

use polars::prelude::*;

use super::convert::{as_long, as_real, column, expect, expect_integer, expect_number, f64_column};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The numeric functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "binary_and",
        min_args: 2,
        max_args: 2,
        eval: binary_and,
    },
    ScalarFunction {
        name: "binary_or",
        min_args: 2,
        max_args: 2,
        eval: binary_or,
    },
    ScalarFunction {
        name: "binary_xor",
        min_args: 2,
        max_args: 2,
        eval: binary_xor,
    },
    ScalarFunction {
        name: "binary_not",
        min_args: 1,
        max_args: 1,
        eval: binary_not,
    },
    ScalarFunction {
        name: "binary_shift_left",
        min_args: 2,
        max_args: 2,
        eval: binary_shift_left,
    },
    ScalarFunction {
        name: "binary_shift_right",
        min_args: 2,
        max_args: 2,
        eval: binary_shift_right,
    },
    ScalarFunction {
        name: "bitset_count_ones",
        min_args: 1,
        max_args: 1,
        eval: bitset_count_ones,
    },
    ScalarFunction {
        name: "gamma",
        min_args: 1,
        max_args: 1,
        eval: gamma,
    },
    ScalarFunction {
        name: "loggamma",
        min_args: 1,
        max_args: 1,
        eval: loggamma,
    },
    ScalarFunction {
        name: "erf",
        min_args: 1,
        max_args: 1,
        eval: erf,
    },
    ScalarFunction {
        name: "erfc",
        min_args: 1,
        max_args: 1,
        eval: erfc,
    },
    ScalarFunction {
        name: "abs",
        min_args: 1,
        max_args: 1,
        eval: abs,
    },
    ScalarFunction {
        name: "round",
        min_args: 1,
        max_args: 2,
        eval: round,
    },
    ScalarFunction {
        name: "ceiling",
        min_args: 1,
        max_args: 1,
        eval: ceiling,
    },
    ScalarFunction {
        name: "sqrt",
        min_args: 1,
        max_args: 1,
        eval: sqrt,
    },
    ScalarFunction {
        name: "pow",
        min_args: 2,
        max_args: 2,
        eval: pow,
    },
    ScalarFunction {
        name: "log",
        min_args: 1,
        max_args: 1,
        eval: log,
    },
    ScalarFunction {
        name: "log10",
        min_args: 1,
        max_args: 1,
        eval: log10,
    },
    ScalarFunction {
        name: "log2",
        min_args: 1,
        max_args: 1,
        eval: log2,
    },
    ScalarFunction {
        name: "exp",
        min_args: 1,
        max_args: 1,
        eval: exp,
    },
    ScalarFunction {
        name: "exp2",
        min_args: 1,
        max_args: 1,
        eval: exp2,
    },
    ScalarFunction {
        name: "exp10",
        min_args: 1,
        max_args: 1,
        eval: exp10,
    },
    ScalarFunction {
        name: "sign",
        min_args: 1,
        max_args: 1,
        eval: sign,
    },
    ScalarFunction {
        name: "isnan",
        min_args: 1,
        max_args: 1,
        eval: isnan,
    },
    ScalarFunction {
        name: "isinf",
        min_args: 1,
        max_args: 1,
        eval: isinf,
    },
    ScalarFunction {
        name: "isfinite",
        min_args: 1,
        max_args: 1,
        eval: isfinite,
    },
    ScalarFunction {
        name: "pi",
        min_args: 0,
        max_args: 0,
        eval: pi,
    },
    ScalarFunction {
        name: "sin",
        min_args: 1,
        max_args: 1,
        eval: sin,
    },
    ScalarFunction {
        name: "cos",
        min_args: 1,
        max_args: 1,
        eval: cos,
    },
    ScalarFunction {
        name: "tan",
        min_args: 1,
        max_args: 1,
        eval: tan,
    },
    ScalarFunction {
        name: "cot",
        min_args: 1,
        max_args: 1,
        eval: cot,
    },
    ScalarFunction {
        name: "asin",
        min_args: 1,
        max_args: 1,
        eval: asin,
    },
    ScalarFunction {
        name: "acos",
        min_args: 1,
        max_args: 1,
        eval: acos,
    },
    ScalarFunction {
        name: "atan",
        min_args: 1,
        max_args: 1,
        eval: atan,
    },
    ScalarFunction {
        name: "atan2",
        min_args: 2,
        max_args: 2,
        eval: atan2,
    },
    ScalarFunction {
        name: "degrees",
        min_args: 1,
        max_args: 1,
        eval: degrees,
    },
    ScalarFunction {
        name: "radians",
        min_args: 1,
        max_args: 1,
        eval: radians,
    },
];

/// A real function of one number, over a column without per-row scalars.
/// `f` returns `None` where the result is undefined.
fn real_unary(call: &Call, f: impl Fn(f64) -> Option<f64>) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    Ok(match &call.args[0] {
        Val::Scalar(s) => Val::Scalar(
            as_real(s)
                .and_then(&f)
                .map_or(Scalar::Null(KqlType::Real), Scalar::Real),
        ),
        v => column(
            f64_column(v, call.rows)
                .iter()
                .map(|x| x.and_then(&f))
                .collect::<Float64Chunked>(),
        ),
    })
}

fn sqrt(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| (x >= 0.0).then(|| x.sqrt()))
}

fn log(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| (x >= 0.0).then(|| x.ln()))
}

fn log10(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| (x >= 0.0).then(|| x.log10()))
}

fn log2(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| (x >= 0.0).then(|| x.log2()))
}

fn exp(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.exp()))
}

/// `erf(x)`: the error function (`erf(1)` is 0.842700792949715).
fn erf(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(libm::erf(x)))
}

/// `erfc(x)`: the complementary error function, 1 - erf(x), computed
/// directly so large x keeps its digits (`erfc(3)` is 2.20904969985854E-05).
fn erfc(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(libm::erfc(x)))
}

fn exp2(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.exp2()))
}

fn exp10(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(10f64.powf(x)))
}

/// `sign(x)`: -1, 0 or 1, as a real (its argument is read as a real).
fn sign(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| {
        Some(if x > 0.0 {
            1.0
        } else if x < 0.0 {
            -1.0
        } else {
            x
        })
    })
}

fn sin(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.sin()))
}

fn cos(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.cos()))
}

fn tan(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.tan()))
}

fn cot(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(1.0 / x.tan()))
}

fn asin(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.asin()))
}

fn acos(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.acos()))
}

fn atan(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.atan()))
}

fn degrees(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.to_degrees()))
}

fn radians(call: &Call) -> Result<Val, QueryError> {
    real_unary(call, |x| Some(x.to_radians()))
}

fn pow(call: &Call) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    expect_number(call, 1)?;
    call.rowwise(KqlType::Real, |a| {
        Ok(match (as_real(&a[0]), as_real(&a[1])) {
            (Some(b), Some(e)) => Scalar::Real(b.powf(e)),
            _ => Scalar::Null(KqlType::Real),
        })
    })
}

fn atan2(call: &Call) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    expect_number(call, 1)?;
    call.rowwise(KqlType::Real, |a| {
        Ok(match (as_real(&a[0]), as_real(&a[1])) {
            (Some(y), Some(x)) => Scalar::Real(y.atan2(x)),
            _ => Scalar::Null(KqlType::Real),
        })
    })
}

/// A predicate on reals; null (and any non-real) is false.
fn real_test(call: &Call, f: fn(f64) -> bool) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    Ok(match &call.args[0] {
        Val::Scalar(s) => Val::Scalar(Scalar::Bool(as_real(s).is_some_and(f))),
        v => column(
            f64_column(v, call.rows)
                .iter()
                .map(|x| Some(x.is_some_and(f)))
                .collect::<BooleanChunked>(),
        ),
    })
}

fn isnan(call: &Call) -> Result<Val, QueryError> {
    real_test(call, f64::is_nan)
}

fn isinf(call: &Call) -> Result<Val, QueryError> {
    real_test(call, f64::is_infinite)
}

fn isfinite(call: &Call) -> Result<Val, QueryError> {
    real_test(call, f64::is_finite)
}

fn pi(_call: &Call) -> Result<Val, QueryError> {
    Ok(Val::Scalar(Scalar::Real(std::f64::consts::PI)))
}

/// The numeric kind of argument `i`, with a dynamic value read as a real.
fn numeric_kind(call: &Call, i: usize) -> KqlType {
    match call.args[i].kind() {
        KqlType::Dynamic => KqlType::Real,
        k => k,
    }
}

/// `abs(x)`: keeps the type (int, long, real, timespan).
fn abs(call: &Call) -> Result<Val, QueryError> {
    expect(
        call,
        0,
        |k| k.is_numeric() || k == KqlType::Timespan,
        "a number or timespan",
    )?;
    let kind = numeric_kind(call, 0);
    call.rowwise(kind, |a| {
        Ok(match &a[0] {
            Scalar::Int(v) => v.checked_abs().map_or(Scalar::Null(kind), Scalar::Int),
            Scalar::Long(v) => v.checked_abs().map_or(Scalar::Null(kind), Scalar::Long),
            Scalar::Timespan(v) => v.checked_abs().map_or(Scalar::Null(kind), Scalar::Timespan),
            Scalar::Decimal(d) => Scalar::Decimal(d.abs()),
            other => as_real(other).map_or(Scalar::Null(kind), |x| Scalar::Real(x.abs())),
        })
    })
}

/// `ceiling(x)`: integers are already whole.
fn ceiling(call: &Call) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    let kind = numeric_kind(call, 0);
    if kind == KqlType::Real {
        return real_unary(call, |x| Some(x.ceil()));
    }
    if kind == KqlType::Decimal {
        return call.rowwise(kind, |a| {
            Ok(match &a[0] {
                Scalar::Decimal(d) => d.ceiling().map_or(Scalar::Null(kind), Scalar::Decimal),
                _ => Scalar::Null(kind),
            })
        });
    }
    Ok(call.args[0].clone())
}

/// Rounds half away from zero to `digits` decimal places (negative digits
/// round to tens, hundreds, ...): `round(2.15, 1)` is 2.2, `round(-50.55,
/// -2)` is -100.
pub fn round_real(x: f64, digits: i64) -> f64 {
    if !x.is_finite() {
        return x;
    }
    if digits >= 0 {
        if digits > 15 {
            return x;
        }
        let m = 10f64.powi(digits as i32);
        let r = (x * m).round() / m;
        if r.is_finite() { r } else { x }
    } else {
        if digits < -308 {
            return 0.0;
        }
        let m = 10f64.powi((-digits) as i32);
        (x / m).round() * m
    }
}

/// Rounds an integer to a power of ten (`digits` < 0), half away from zero.
fn round_long(v: i64, digits: i64) -> Option<i64> {
    if digits >= 0 {
        return Some(v);
    }
    if digits < -18 {
        return Some(0);
    }
    let m = 10i64.pow((-digits) as u32);
    let q = v / m;
    let r = v % m;
    let q = if r.unsigned_abs() * 2 >= m.unsigned_abs() {
        q + v.signum()
    } else {
        q
    };
    q.checked_mul(m)
}

/// `round(x[, digits])`: keeps the type.
fn round(call: &Call) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    if call.args.len() > 1 {
        expect_integer(call, 1)?;
    }
    let kind = numeric_kind(call, 0);
    if call.args.len() == 1 && kind == KqlType::Real {
        return real_unary(call, |x| Some(x.round()));
    }
    call.rowwise(kind, |a| {
        let digits = match a.get(1) {
            None => 0,
            Some(d) => match as_long(d) {
                Some(d) => d,
                None => return Ok(Scalar::Null(kind)),
            },
        };
        Ok(match &a[0] {
            Scalar::Int(v) => round_long(i64::from(*v), digits)
                .and_then(|r| i32::try_from(r).ok())
                .map_or(Scalar::Null(kind), Scalar::Int),
            Scalar::Long(v) => round_long(*v, digits).map_or(Scalar::Null(kind), Scalar::Long),
            // Exact, half away from zero: round(decimal(2.345), 2) is 2.35.
            Scalar::Decimal(d) => d.round(digits).map_or(Scalar::Null(kind), Scalar::Decimal),
            other => {
                as_real(other).map_or(Scalar::Null(kind), |x| Scalar::Real(round_real(x, digits)))
            }
        })
    })
}

/// A bitwise function of longs; null in, null out.
fn bitwise(call: &Call, f: fn(i64, i64) -> Option<i64>) -> Result<Val, QueryError> {
    for i in 0..call.args.len() {
        expect_integer(call, i)?;
    }
    call.rowwise(KqlType::Long, |a| {
        let x = as_long(&a[0]);
        let y = match a.get(1) {
            Some(b) => as_long(b),
            None => Some(0),
        };
        Ok(match (x, y) {
            (Some(x), Some(y)) => f(x, y).map_or(Scalar::Null(KqlType::Long), Scalar::Long),
            _ => Scalar::Null(KqlType::Long),
        })
    })
}

fn binary_and(call: &Call) -> Result<Val, QueryError> {
    bitwise(call, |x, y| Some(x & y))
}

fn binary_or(call: &Call) -> Result<Val, QueryError> {
    bitwise(call, |x, y| Some(x | y))
}

fn binary_xor(call: &Call) -> Result<Val, QueryError> {
    bitwise(call, |x, y| Some(x ^ y))
}

fn binary_not(call: &Call) -> Result<Val, QueryError> {
    bitwise(call, |x, _| Some(!x))
}

/// Shifts by 0 to 63 bits; any other count is null rather than wrapping.
fn binary_shift_left(call: &Call) -> Result<Val, QueryError> {
    bitwise(call, |x, n| {
        u32::try_from(n).ok().and_then(|n| x.checked_shl(n))
    })
}

fn binary_shift_right(call: &Call) -> Result<Val, QueryError> {
    bitwise(call, |x, n| {
        u32::try_from(n).ok().and_then(|n| x.checked_shr(n))
    })
}

fn bitset_count_ones(call: &Call) -> Result<Val, QueryError> {
    bitwise(call, |x, _| Some(i64::from(x.count_ones())))
}

/// `gamma(x)`: the gamma function (`gamma(5)` is 24); null for null.
fn gamma(call: &Call) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    call.rowwise(KqlType::Real, |a| {
        Ok(as_real(&a[0]).map_or(Scalar::Null(KqlType::Real), |x| {
            Scalar::Real(libm::tgamma(x))
        }))
    })
}

/// `loggamma(x)`: the natural logarithm of the absolute value of gamma.
fn loggamma(call: &Call) -> Result<Val, QueryError> {
    expect_number(call, 0)?;
    call.rowwise(KqlType::Real, |a| {
        Ok(as_real(&a[0]).map_or(Scalar::Null(KqlType::Real), |x| {
            Scalar::Real(libm::lgamma(x))
        }))
    })
}
