//! The beta distribution: `beta_cdf`, `beta_inv` and `beta_pdf`; and
//! Student's t through it: `welch_test`. Arguments out of range give NaN
//! or null as Kusto's documented examples show.
//!
//! The regularised incomplete beta is computed here (Lentz's continued
//! fraction over libm's log-gamma) rather than taken from a special
//! functions crate: `puruspe`'s is off by about 3e-10 at the
//! documentation's own example, where Kusto prints 15 digits.

use super::convert::{as_real, expect_number};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "beta_cdf",
        min_args: 3,
        max_args: 3,
        eval: |c| beta(c, cdf),
    },
    ScalarFunction {
        name: "beta_inv",
        min_args: 3,
        max_args: 3,
        eval: |c| beta(c, inv),
    },
    ScalarFunction {
        name: "beta_pdf",
        min_args: 3,
        max_args: 3,
        eval: |c| beta(c, pdf),
    },
    ScalarFunction {
        name: "welch_test",
        min_args: 6,
        max_args: 6,
        eval: welch_test,
    },
];

/// The largest shape parameter Kusto accepts.
const MAX_SHAPE: f64 = 10_000.0;

fn shapes_ok(a: f64, b: f64) -> bool {
    a > 0.0 && b > 0.0 && a <= MAX_SHAPE && b <= MAX_SHAPE
}

/// `beta_cdf(x, a, b)`: NaN for x outside [0, 1] or a bad shape.
fn cdf(x: f64, a: f64, b: f64) -> Option<f64> {
    if !(0.0..=1.0).contains(&x) || !shapes_ok(a, b) {
        return Some(f64::NAN);
    }
    Some(incomplete_beta(a, b, x))
}

/// `beta_inv(p, a, b)`: NaN for a bad shape, null for p outside (0, 1].
/// The cdf rises with x, so halving [0, 1] sixty times finds x to the
/// last bit.
fn inv(p: f64, a: f64, b: f64) -> Option<f64> {
    if !shapes_ok(a, b) {
        return Some(f64::NAN);
    }
    if !(p > 0.0 && p <= 1.0) {
        return None;
    }
    let (mut lo, mut hi) = (0.0f64, 1.0f64);
    for _ in 0..64 {
        let mid = (lo + hi) / 2.0;
        if incomplete_beta(a, b, mid) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    Some((lo + hi) / 2.0)
}

/// `beta_pdf(x, a, b)`: NaN for x outside (0, 1) or a bad shape.
fn pdf(x: f64, a: f64, b: f64) -> Option<f64> {
    if !(x > 0.0 && x < 1.0 && shapes_ok(a, b)) {
        return Some(f64::NAN);
    }
    let ln = (a - 1.0) * x.ln() + (b - 1.0) * (1.0 - x).ln() + ln_beta_front(a, b);
    Some(ln.exp())
}

/// ln(Gamma(a + b) / (Gamma(a) Gamma(b))).
fn ln_beta_front(a: f64, b: f64) -> f64 {
    libm::lgamma(a + b) - libm::lgamma(a) - libm::lgamma(b)
}

/// The regularised incomplete beta I_x(a, b), for x in [0, 1] and
/// positive shapes.
fn incomplete_beta(a: f64, b: f64, x: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let front = (ln_beta_front(a, b) + a * x.ln() + b * (1.0 - x).ln()).exp();
    // The fraction converges fast on this side of the mean; use the
    // symmetry I_x(a, b) = 1 - I_(1-x)(b, a) on the other.
    if x < (a + 1.0) / (a + b + 2.0) {
        front * continued_fraction(a, b, x) / a
    } else {
        1.0 - front * continued_fraction(b, a, 1.0 - x) / b
    }
}

/// The continued fraction of the incomplete beta, by Lentz's method.
fn continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..=500 {
        let m = f64::from(m);
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

fn beta(call: &Call, f: fn(f64, f64, f64) -> Option<f64>) -> Result<Val, QueryError> {
    for i in 0..3 {
        expect_number(call, i)?;
    }
    call.rowwise(KqlType::Real, |a| {
        let (Some(x), Some(p), Some(q)) = (as_real(&a[0]), as_real(&a[1]), as_real(&a[2])) else {
            return Ok(Scalar::Null(KqlType::Real));
        };
        if x.is_nan() || p.is_nan() || q.is_nan() {
            return Ok(Scalar::Real(f64::NAN));
        }
        Ok(f(x, p, q).map_or(Scalar::Null(KqlType::Real), Scalar::Real))
    })
}

/// The two-sided p-value of Welch's t-test on two samples given by their
/// mean, (sample) variance and count: t = (m1 - m2) / sqrt(v1/n1 + v2/n2)
/// with the Welch-Satterthwaite degrees of freedom, and
/// P(|T| >= |t|) = I_(df/(df+t^2))(df/2, 1/2). `None` where it is not a
/// number: a count under 2, a negative variance, or no spread at all.
fn welch_p_value(m1: f64, v1: f64, n1: f64, m2: f64, v2: f64, n2: f64) -> Option<f64> {
    if n1 < 2.0 || n2 < 2.0 || v1 < 0.0 || v2 < 0.0 {
        return None;
    }
    let (s1, s2) = (v1 / n1, v2 / n2);
    let se2 = s1 + s2;
    if se2 <= 0.0 {
        return None;
    }
    let t = (m1 - m2) / se2.sqrt();
    let df = se2 * se2 / (s1 * s1 / (n1 - 1.0) + s2 * s2 / (n2 - 1.0));
    let p = incomplete_beta(df / 2.0, 0.5, df / (df + t * t));
    p.is_finite().then_some(p)
}

/// `welch_test(mean1, variance1, count1, mean2, variance2, count2)`: the
/// p-value that the two populations have equal means (see
/// [`welch_p_value`]); null for null or meaningless arguments.
fn welch_test(call: &Call) -> Result<Val, QueryError> {
    for i in 0..6 {
        expect_number(call, i)?;
    }
    call.rowwise(KqlType::Real, |a| {
        let v: Option<Vec<f64>> = a.iter().map(as_real).collect();
        let p = v.and_then(|v| welch_p_value(v[0], v[1], v[2], v[3], v[4], v[5]));
        Ok(p.map_or(Scalar::Null(KqlType::Real), Scalar::Real))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_values() {
        let near = |got: Option<f64>, want: f64| {
            let g = got.unwrap_or(f64::NAN);
            assert!((g - want).abs() < 1e-12, "{g} vs {want}");
        };
        near(cdf(0.9, 10.0, 20.0), 0.999999999999959);
        near(inv(0.1, 10.0, 20.0), 0.226415022388749);
        near(pdf(0.5, 10.0, 20.0), 0.746176019310951);
        assert!(cdf(1.5, 10.0, 20.0).is_some_and(f64::is_nan));
        assert!(cdf(0.1, -1.0, 20.0).is_some_and(f64::is_nan));
        assert_eq!(inv(1.5, 10.0, 20.0), None);
        assert!(inv(0.1, -1.0, 20.0).is_some_and(f64::is_nan));
        assert!(pdf(0.0, 10.0, 20.0).is_some_and(f64::is_nan));
    }

    /// Wikipedia's first example (the documentation's samples): t = -2.46,
    /// df = 24.9, p = 0.021.
    #[test]
    fn welch_on_the_documented_samples() {
        let p = welch_p_value(
            20.82,
            7.867_428_571_428_573,
            15.0,
            22.986_666_666_666_668,
            3.812_666_666_666_668,
            15.0,
        )
        .unwrap_or(f64::NAN);
        assert!((p - 0.021).abs() < 5e-4, "{p}");
        // Equal samples: no evidence at all that the means differ.
        assert_eq!(welch_p_value(1.0, 2.0, 10.0, 1.0, 2.0, 10.0), Some(1.0));
        assert_eq!(welch_p_value(1.0, 0.0, 10.0, 2.0, 0.0, 10.0), None);
        assert_eq!(welch_p_value(1.0, 2.0, 1.0, 2.0, 2.0, 10.0), None);
    }

    #[test]
    fn inverse_undoes_the_cdf() {
        for &(a, b) in &[(0.5, 0.5), (2.0, 5.0), (30.0, 3.0)] {
            for &p in &[0.01, 0.3, 0.77, 0.999] {
                let x = inv(p, a, b).unwrap_or(f64::NAN);
                let back = cdf(x, a, b).unwrap_or(f64::NAN);
                assert!((back - p).abs() < 1e-9, "{a} {b} {p}: {back}");
            }
        }
    }
}
