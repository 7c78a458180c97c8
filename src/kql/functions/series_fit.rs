//! Whole-series figures that come out as several columns:
//! `series_stats`, `series_fit_line` and `series_fit_2lines` (and their
//! `_dynamic` forms, one bag each). Each evaluates to a bag per row whose
//! keys [`super::multi_valued`] turns into columns.

use serde_json::{Map, Value as Json};

use super::convert::as_bool;
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
    fn flat_and_single_point_lines() {
        let l = fit(&[3.0, 3.0, 3.0], 1.0);
        assert_eq!((l.slope, l.interception, l.rsquare), (0.0, 3.0, 1.0));
        let l = fit(&[5.0], 1.0);
        assert_eq!((l.slope, l.interception), (0.0, 5.0));
    }
}
