//! Whole-series figures that come out as several columns:
//! `series_stats`, `series_fit_line` and `series_fit_2lines` (and their
//! `_dynamic` forms, one bag each), `series_fit_poly`. Each evaluates to a
//! bag per row whose keys [`super::multi_valued`] turns into columns.

use serde_json::{Map, Value as Json};

use super::convert::{as_bool, as_long, expect, expect_integer};
use super::series::{numbers, real_json, stats};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "series_stats",
        min_args: 1,
        max_args: 2,
        eval: series_stats,
    },
    ScalarFunction {
        name: "series_fit_line",
        min_args: 1,
        max_args: 1,
        eval: fit_line,
    },
    ScalarFunction {
        name: "series_fit_line_dynamic",
        min_args: 1,
        max_args: 1,
        eval: fit_line,
    },
    ScalarFunction {
        name: "series_fit_2lines",
        min_args: 1,
        max_args: 1,
        eval: fit_2lines,
    },
    ScalarFunction {
        name: "series_fit_2lines_dynamic",
        min_args: 1,
        max_args: 1,
        eval: fit_2lines,
    },
    ScalarFunction {
        name: "series_fit_poly",
        min_args: 1,
        max_args: 3,
        eval: fit_poly,
    },
];

fn bag(m: Option<Map<String, Json>>) -> Scalar {
    match m {
        Some(m) => Scalar::Dynamic(Json::Object(m)),
        None => Scalar::Null(KqlType::Dynamic),
    }
}

/// `series_stats(x[, ignore_nonfinite])`: min, min_idx, max, max_idx,
/// avg, stdev and variance (sample). A null or non-finite element makes
/// them null unless `ignore_nonfinite`.
fn series_stats(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let ignore = a.get(1).and_then(as_bool).unwrap_or(false);
        let Some(values) = numbers(&a[0]) else {
            return Ok(bag(None));
        };
        let clean = values.iter().all(|v| v.is_some_and(f64::is_finite));
        if !ignore && !clean {
            let keys = [
                "min", "min_idx", "max", "max_idx", "avg", "stdev", "variance",
            ];
            return Ok(bag(Some(
                keys.iter().map(|k| (k.to_string(), Json::Null)).collect(),
            )));
        }
        Ok(bag(Some(stats(&values, ignore))))
    })
}

/// A least-squares line through `(x, y)` points.
#[derive(Debug, Clone, Copy)]
pub struct Line {
    pub slope: f64,
    pub interception: f64,
    /// 1 - residual / total sum of squares.
    pub rsquare: f64,
    /// The sample variance of the values.
    pub variance: f64,
    /// The residuals' sum of squares over n - 1, as Kusto reports it.
    pub rvariance: f64,
    /// The residual sum of squares.
    pub ssr: f64,
}

/// The line through the points `(x0 + i, y[i])`. Kusto numbers the
/// points from 1, which its documented interception shows.
pub fn fit(y: &[f64], x0: f64) -> Line {
    let n = y.len() as f64;
    let xs = || (0..y.len()).map(|i| x0 + i as f64);
    let mx = xs().sum::<f64>() / n;
    let my = y.iter().sum::<f64>() / n;
    let sxx: f64 = xs().map(|x| (x - mx).powi(2)).sum();
    let sxy: f64 = xs().zip(y).map(|(x, v)| (x - mx) * (v - my)).sum();
    let slope = if sxx == 0.0 { 0.0 } else { sxy / sxx };
    let interception = my - slope * mx;
    let sst: f64 = y.iter().map(|v| (v - my).powi(2)).sum();
    let ssr: f64 = xs()
        .zip(y)
        .map(|(x, v)| (v - (interception + slope * x)).powi(2))
        .sum();
    let dof = (n - 1.0).max(1.0);
    Line {
        slope,
        interception,
        rsquare: if sst == 0.0 { 1.0 } else { 1.0 - ssr / sst },
        variance: sst / dof,
        rvariance: ssr / dof,
        ssr,
    }
}

/// The numbers of an array argument; `None` (the result is null) when it
/// is not an array, is empty, or has an element that is not a number.
fn series(s: &Scalar) -> Option<Vec<f64>> {
    let v: Option<Vec<f64>> = numbers(s)?.into_iter().collect();
    v.filter(|v| !v.is_empty())
}

/// `series_fit_line(y)`: rsquare, slope, variance, rvariance,
/// interception and line_fit of the least-squares line.
fn fit_line(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(y) = series(&a[0]) else {
            return Ok(bag(None));
        };
        let l = fit(&y, 1.0);
        let line: Vec<Json> = (1..=y.len())
            .map(|x| real_json(l.interception + l.slope * x as f64))
            .collect();
        let mut m = Map::new();
        m.insert("rsquare".into(), real_json(l.rsquare));
        m.insert("slope".into(), real_json(l.slope));
        m.insert("variance".into(), real_json(l.variance));
        m.insert("rvariance".into(), real_json(l.rvariance));
        m.insert("interception".into(), real_json(l.interception));
        m.insert("line_fit".into(), Json::Array(line));
        Ok(bag(Some(m)))
    })
}

/// `series_fit_2lines(y)`: the split into a left part `y[..split_idx]`
/// and a right part `y[split_idx..]` (two points each at least) whose two
/// lines leave the least residual, i.e. the highest total r-square.
fn fit_2lines(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(y) = series(&a[0]) else {
            return Ok(bag(None));
        };
        let n = y.len();
        let whole = fit(&y, 1.0);
        let sst = whole.variance * (n as f64 - 1.0).max(1.0);
        let best = (2..n.saturating_sub(1))
            .map(|k| {
                let left = fit(&y[..k], 1.0);
                let right = fit(&y[k..], 1.0 + k as f64);
                (k, left, right)
            })
            .min_by(|a, b| (a.1.ssr + a.2.ssr).total_cmp(&(b.1.ssr + b.2.ssr)));
        // Too short to split: one line on both sides.
        let (k, left, right) = best.unwrap_or((n, whole, whole));
        let ssr = left.ssr + right.ssr;
        let line: Vec<Json> = (0..n)
            .map(|i| {
                let l = if i < k { &left } else { &right };
                real_json(l.interception + l.slope * (i + 1) as f64)
            })
            .collect();
        let mut m = Map::new();
        m.insert(
            "rsquare".into(),
            real_json(if sst == 0.0 { 1.0 } else { 1.0 - ssr / sst }),
        );
        m.insert("split_idx".into(), Json::from(k));
        m.insert("variance".into(), real_json(whole.variance));
        m.insert(
            "rvariance".into(),
            real_json(ssr / (n as f64 - 1.0).max(1.0)),
        );
        m.insert("line_fit".into(), Json::Array(line));
        for (side, l) in [("right", &right), ("left", &left)] {
            m.insert(format!("{side}_rsquare"), real_json(l.rsquare));
            m.insert(format!("{side}_slope"), real_json(l.slope));
            m.insert(format!("{side}_interception"), real_json(l.interception));
            m.insert(format!("{side}_variance"), real_json(l.variance));
            m.insert(format!("{side}_rvariance"), real_json(l.rvariance));
        }
        Ok(bag(Some(m)))
    })
}

/// The least-squares solution of `columns · b ≈ y` (the matrix given by
/// its columns, each as long as `y`), by Householder QR: the normal
/// equations would square the condition number of a Vandermonde matrix,
/// which is bad enough already. `None` when the columns are (nearly)
/// dependent: too few distinct x for the degree.
fn least_squares(mut columns: Vec<Vec<f64>>, mut y: Vec<f64>) -> Option<Vec<f64>> {
    let (n, m) = (y.len(), columns.len());
    if m == 0 || m > n {
        return None;
    }
    let mut diagonal = vec![0.0; m];
    for k in 0..m {
        let norm = columns[k][k..].iter().map(|v| v * v).sum::<f64>().sqrt();
        let alpha = if columns[k][k] > 0.0 { -norm } else { norm };
        // The reflector v = x - alpha e1, kept in place of the column.
        columns[k][k] -= alpha;
        let vv: f64 = columns[k][k..].iter().map(|v| v * v).sum();
        diagonal[k] = alpha;
        if vv == 0.0 {
            continue;
        }
        let (head, tail) = columns.split_at_mut(k + 1);
        let v = &head[k][k..];
        let reflect = |target: &mut [f64]| {
            let f = 2.0 * v.iter().zip(&*target).map(|(a, b)| a * b).sum::<f64>() / vv;
            target.iter_mut().zip(v).for_each(|(t, a)| *t -= f * a);
        };
        tail.iter_mut().for_each(|c| reflect(&mut c[k..]));
        reflect(&mut y[k..]);
    }
    let largest = diagonal.iter().fold(0.0_f64, |a, d| a.max(d.abs()));
    if largest == 0.0 || diagonal.iter().any(|d| d.abs() <= largest * 1e-12) {
        return None;
    }
    let mut b = vec![0.0; m];
    for k in (0..m).rev() {
        let known: f64 = (k + 1..m).map(|j| columns[j][k] * b[j]).sum();
        b[k] = (y[k] - known) / diagonal[k];
    }
    Some(b)
}

/// A least-squares polynomial: its coefficients from the highest power
/// down, and its value at each x.
struct Poly {
    coefficients: Vec<f64>,
    fit: Vec<f64>,
}

/// The polynomial of `degree` nearest to the points `(x[i], y[i])`. The
/// x are divided by their largest magnitude first (the fit is the same,
/// the matrix far better conditioned: Kusto's own examples fit x up to
/// 200 with degree 5), and the coefficients scaled back.
fn fit_polynomial(x: &[f64], y: &[f64], degree: usize) -> Option<Poly> {
    let scale = x.iter().fold(0.0_f64, |a, v| a.max(v.abs()));
    let scale = if scale > 0.0 { scale } else { 1.0 };
    let u: Vec<f64> = x.iter().map(|v| v / scale).collect();
    // Column j holds u^j.
    let columns: Vec<Vec<f64>> = (0..=degree)
        .map(|j| u.iter().map(|v| v.powi(j as i32)).collect())
        .collect();
    let b = least_squares(columns, y.to_vec())?;
    let fit = u
        .iter()
        .map(|v| b.iter().rev().fold(0.0, |acc, c| acc * v + c))
        .collect();
    let coefficients = b
        .iter()
        .enumerate()
        .rev()
        .map(|(j, c)| c / scale.powi(j as i32))
        .collect();
    Some(Poly { coefficients, fit })
}

/// `series_fit_poly(y[, x[, degree]])`: rsquare, coefficients (highest
/// power first), variance, rvariance and poly_fit of the least-squares
/// polynomial of `degree` (1 by default) through `(x, y)`, x being 1, 2,
/// ... when absent or null. Variances are over n - 1, as
/// `series_fit_line`'s, so degree 1 gives that function's figures. Null
/// when a series is not an array of numbers, the two differ in length, or
/// there are too few distinct points for the degree.
fn fit_poly(call: &Call) -> Result<Val, QueryError> {
    for i in 0..call.args.len().min(2) {
        expect(call, i, |k| k == KqlType::String, "a dynamic array")?;
    }
    if call.args.len() > 2 {
        expect_integer(call, 2)?;
    }
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(y) = series(&a[0]) else {
            return Ok(bag(None));
        };
        let x = match a.get(1) {
            Some(s) if !s.is_null() => match series(s) {
                Some(x) if x.len() == y.len() => x,
                _ => return Ok(bag(None)),
            },
            _ => (1..=y.len()).map(|i| i as f64).collect(),
        };
        let degree = match a.get(2) {
            None => 1,
            Some(d) => match as_long(d).and_then(|d| usize::try_from(d).ok()) {
                Some(d) => d,
                None => return Ok(bag(None)),
            },
        };
        let Some(poly) = fit_polynomial(&x, &y, degree) else {
            return Ok(bag(None));
        };
        let n = y.len() as f64;
        let mean = y.iter().sum::<f64>() / n;
        let sst: f64 = y.iter().map(|v| (v - mean).powi(2)).sum();
        let ssr: f64 = y.iter().zip(&poly.fit).map(|(v, f)| (v - f).powi(2)).sum();
        let dof = (n - 1.0).max(1.0);
        let mut m = Map::new();
        m.insert(
            "rsquare".into(),
            real_json(if sst == 0.0 { 1.0 } else { 1.0 - ssr / sst }),
        );
        m.insert(
            "coefficients".into(),
            Json::Array(poly.coefficients.into_iter().map(real_json).collect()),
        );
        m.insert("variance".into(), real_json(sst / dof));
        m.insert("rvariance".into(), real_json(ssr / dof));
        m.insert(
            "poly_fit".into(),
            Json::Array(poly.fit.into_iter().map(real_json).collect()),
        );
        Ok(bag(Some(m)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_documented_line() {
        let y = [
            2.0, 5.0, 6.0, 8.0, 11.0, 15.0, 17.0, 18.0, 25.0, 26.0, 30.0, 30.0,
        ];
        let l = fit(&y, 1.0);
        assert!((l.slope - 2.730_769_230_769_231).abs() < 1e-12);
        assert!((l.interception + 1.666_666_666_666_67).abs() < 1e-12);
        assert!((l.rsquare - 0.982_900_730_884_447).abs() < 1e-12);
        assert!((l.variance - 98.628_787_878_787_86).abs() < 1e-9);
        assert!((l.rvariance - 1.686_480_186_480_187).abs() < 1e-12);
    }

    #[test]
    fn a_polynomial_is_found_again() {
        // y = 2x^3 - x + 5 at x = -3..=4, exactly.
        let x: Vec<f64> = (-3..=4).map(f64::from).collect();
        let y: Vec<f64> = x.iter().map(|v| 2.0 * v.powi(3) - v + 5.0).collect();
        let p = fit_polynomial(&x, &y, 3).expect("fits");
        for (got, want) in p.coefficients.iter().zip([2.0, 0.0, -1.0, 5.0]) {
            assert!((got - want).abs() < 1e-9, "{:?}", p.coefficients);
        }
        for (got, want) in p.fit.iter().zip(&y) {
            assert!((got - want).abs() < 1e-9);
        }
    }

    #[test]
    fn degree_one_is_the_line() {
        let y = [
            2.0, 5.0, 6.0, 8.0, 11.0, 15.0, 17.0, 18.0, 25.0, 26.0, 30.0, 30.0,
        ];
        let x: Vec<f64> = (1..=12).map(f64::from).collect();
        let p = fit_polynomial(&x, &y, 1).expect("fits");
        let l = fit(&y, 1.0);
        assert!((p.coefficients[0] - l.slope).abs() < 1e-12);
        assert!((p.coefficients[1] - l.interception).abs() < 1e-12);
    }

    #[test]
    fn too_few_distinct_points_fit_nothing() {
        assert!(fit_polynomial(&[1.0, 1.0, 1.0], &[1.0, 2.0, 3.0], 1).is_none());
        assert!(fit_polynomial(&[1.0, 2.0], &[1.0, 2.0], 2).is_none());
        assert!(fit_polynomial(&[], &[], 0).is_none());
    }

    #[test]
    fn flat_and_single_point_lines() {
        let l = fit(&[3.0, 3.0, 3.0], 1.0);
        assert_eq!((l.slope, l.interception, l.rsquare), (0.0, 3.0, 1.0));
        let l = fit(&[5.0], 1.0);
        assert_eq!((l.slope, l.interception), (0.0, 5.0));
    }
}
