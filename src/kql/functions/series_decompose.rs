//! Decomposition and anomalies: `series_decompose`,
//! `series_decompose_anomalies`, `series_decompose_forecast` and
//! `series_outliers`, in the order Kusto documents: the seasonal component
//! (each phase's median), the trend of what is left (its average or its
//! least-squares line), baseline = seasonal + trend, residual = x -
//! baseline; anomalies are residuals outside Tukey's fences.
//!
//! Elements that are not numbers are left out of the learning, and their
//! residual, score and flag are null (0 for the flag).

use serde_json::{Map, Value as Json};

use super::convert::{as_long, as_real};
use super::series::{numbers, real_json};
use super::series_fit::fit;
use super::series_periods::{detect, phase_medians};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "series_decompose",
        min_args: 1,
        max_args: 5,
        eval: decompose_fn,
    },
    ScalarFunction {
        name: "series_decompose_anomalies",
        min_args: 1,
        max_args: 7,
        eval: anomalies_fn,
    },
    ScalarFunction {
        name: "series_decompose_forecast",
        min_args: 2,
        max_args: 5,
        eval: forecast_fn,
    },
    ScalarFunction {
        name: "series_outliers",
        min_args: 1,
        max_args: 5,
        eval: outliers_fn,
    },
];

/// Kusto's default score a detected period needs.
const SEASONALITY_THRESHOLD: f64 = 0.6;

/// How the trend is taken.
#[derive(Clone, Copy, PartialEq)]
enum Trend {
    Avg,
    LineFit,
    None,
}

/// The options shared by the decomposing functions.
struct Options {
    /// -1 to detect, 0 for none, else the period in bins.
    seasonality: i64,
    trend: Trend,
    /// Points at the end left out of the learning (forecast slots).
    test_points: usize,
    threshold: f64,
}

/// The four components, one value per point.
struct Parts {
    baseline: Vec<f64>,
    seasonal: Vec<f64>,
    trend: Vec<f64>,
    residual: Vec<Option<f64>>,
}

fn decompose(x: &[Option<f64>], o: &Options) -> Parts {
    let n = x.len();
    let learn = n.saturating_sub(o.test_points);
    // The learning points; gaps are filled with the mean so periods and
    // phases keep their places.
    let known: Vec<f64> = x[..learn].iter().filter_map(|v| *v).collect();
    let mean = if known.is_empty() {
        0.0
    } else {
        known.iter().sum::<f64>() / known.len() as f64
    };
    let filled: Vec<f64> = x[..learn].iter().map(|v| v.unwrap_or(mean)).collect();
    let period = match o.seasonality {
        s if s > 0 => Some(s as usize),
        -1 => detect(&filled, 0.0, f64::INFINITY, 1)
            .first()
            .filter(|(_, score)| *score >= o.threshold)
            .map(|(p, _)| *p),
        _ => None,
    };
    let seasonal = match period {
        Some(p) => {
            let gaps: Vec<f64> = x[..learn].iter().map(|v| v.unwrap_or(f64::NAN)).collect();
            phase_medians(&gaps, p, n)
        }
        None => vec![0.0; n],
    };
    let deseasoned: Vec<(usize, f64)> = x[..learn]
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v - seasonal[i])))
        .collect();
    let trend: Vec<f64> = match o.trend {
        Trend::None => vec![0.0; n],
        _ if deseasoned.is_empty() => vec![0.0; n],
        Trend::Avg => {
            let avg = deseasoned.iter().map(|p| p.1).sum::<f64>() / deseasoned.len() as f64;
            vec![avg; n]
        }
        Trend::LineFit => {
            let (slope, interception) = line_through(&deseasoned);
            (0..n)
                .map(|i| interception + slope * (i + 1) as f64)
                .collect()
        }
    };
    let baseline: Vec<f64> = seasonal.iter().zip(&trend).map(|(s, t)| s + t).collect();
    let residual = x
        .iter()
        .zip(&baseline)
        .map(|(v, b)| v.map(|v| v - b))
        .collect();
    Parts {
        baseline,
        seasonal,
        trend,
        residual,
    }
}

/// The least-squares line through points `(i + 1, v)`, gaps skipped.
fn line_through(points: &[(usize, f64)]) -> (f64, f64) {
    if points.len() == points.last().map_or(0, |p| p.0 + 1) {
        let y: Vec<f64> = points.iter().map(|p| p.1).collect();
        let l = fit(&y, 1.0);
        return (l.slope, l.interception);
    }
    let n = points.len() as f64;
    let mx = points.iter().map(|p| (p.0 + 1) as f64).sum::<f64>() / n;
    let my = points.iter().map(|p| p.1).sum::<f64>() / n;
    let sxx: f64 = points.iter().map(|p| ((p.0 + 1) as f64 - mx).powi(2)).sum();
    let sxy: f64 = points
        .iter()
        .map(|p| ((p.0 + 1) as f64 - mx) * (p.1 - my))
        .sum();
    let slope = if sxx == 0.0 { 0.0 } else { sxy / sxx };
    (slope, my - slope * mx)
}

/// The `q`th percentile (0-100) of sorted values, interpolating between
/// the closest ranks.
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let rank = q / 100.0 * (sorted.len() - 1) as f64;
    let (lo, hi) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[lo] + (sorted[hi] - sorted[lo]) * (rank - lo as f64)
}

/// Tukey's fences: how far each value lies beyond the `lo`th or `hi`th
/// percentile, in units of the range between them (0 inside, negative
/// below). With no spread between the percentiles, the mean absolute
/// deviation from the median is the unit instead; with none at all,
/// every score is 0.
fn outlier_scores(x: &[Option<f64>], lo: f64, hi: f64) -> Vec<Option<f64>> {
    let mut sorted: Vec<f64> = x.iter().filter_map(|v| *v).collect();
    if sorted.is_empty() {
        return x.iter().map(|_| None).collect();
    }
    sorted.sort_by(f64::total_cmp);
    let (q_lo, q_hi) = (percentile(&sorted, lo), percentile(&sorted, hi));
    let mut unit = q_hi - q_lo;
    if unit <= 0.0 {
        let median = percentile(&sorted, 50.0);
        unit = sorted.iter().map(|v| (v - median).abs()).sum::<f64>() / sorted.len() as f64;
    }
    x.iter()
        .map(|v| {
            v.map(|v| {
                if unit <= 0.0 {
                    0.0
                } else if v > q_hi {
                    (v - q_hi) / unit
                } else if v < q_lo {
                    (v - q_lo) / unit
                } else {
                    0.0
                }
            })
        })
        .collect()
}

fn reals(v: &[f64]) -> Json {
    Json::Array(v.iter().copied().map(real_json).collect())
}

fn optional_reals(v: &[Option<f64>]) -> Json {
    Json::Array(v.iter().map(|x| x.map_or(Json::Null, real_json)).collect())
}

/// The options in arguments `at..`: seasonality, trend, test points, then
/// (after `threshold_at` more) the seasonality threshold.
fn options(
    a: &[Scalar],
    seasonality_at: usize,
    trend_at: usize,
    test_at: Option<usize>,
    threshold_at: usize,
) -> Result<Options, String> {
    let seasonality = a.get(seasonality_at).and_then(as_long).unwrap_or(-1);
    if seasonality < -1 {
        return Err(format!(
            "seasonality must be -1, 0 or a period, not {seasonality}"
        ));
    }
    let trend = match a.get(trend_at).map(|s| s.to_text().to_ascii_lowercase()) {
        None => Trend::Avg,
        Some(t) => match t.as_str() {
            "" | "avg" => Trend::Avg,
            "linefit" => Trend::LineFit,
            "none" => Trend::None,
            other => return Err(format!("trend must be avg, linefit or none, not '{other}'")),
        },
    };
    let test_points = test_at
        .and_then(|i| a.get(i))
        .and_then(as_long)
        .unwrap_or(0)
        .max(0) as usize;
    let threshold = a
        .get(threshold_at)
        .and_then(as_real)
        .unwrap_or(SEASONALITY_THRESHOLD);
    Ok(Options {
        seasonality,
        trend,
        test_points,
        threshold,
    })
}

/// Runs `f` on each row's series and options; a bad option is an error
/// pointing at the call.
fn each_row(
    call: &Call,
    parse: impl Fn(&[Scalar]) -> Result<Options, String> + Sync,
    f: impl Fn(&[Option<f64>], &Options, &[Scalar]) -> Result<Json, String> + Sync,
) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(x) = numbers(&a[0]) else {
            return Ok(Scalar::Null(KqlType::Dynamic));
        };
        let fail = |m: String| QueryError::type_error(format!("{}(): {m}", call.name), call.span);
        let o = parse(a).map_err(fail)?;
        let x: Vec<Option<f64>> = x.into_iter().map(|v| v.filter(|v| v.is_finite())).collect();
        Ok(Scalar::Dynamic(f(&x, &o, a).map_err(fail)?))
    })
}

/// `series_decompose(x[, seasonality, trend, test_points, threshold])`:
/// baseline, seasonal, trend and residual.
fn decompose_fn(call: &Call) -> Result<Val, QueryError> {
    each_row(
        call,
        |a| options(a, 1, 2, Some(3), 4),
        |x, o, _| {
            let p = decompose(x, o);
            let mut m = Map::new();
            m.insert("baseline".into(), reals(&p.baseline));
            m.insert("seasonal".into(), reals(&p.seasonal));
            m.insert("trend".into(), reals(&p.trend));
            m.insert("residual".into(), optional_reals(&p.residual));
            Ok(Json::Object(m))
        },
    )
}

/// `series_decompose_anomalies(x[, threshold, seasonality, trend,
/// test_points, method, seasonality_threshold])`: ad_flag (+1, -1, 0),
/// ad_score and baseline.
fn anomalies_fn(call: &Call) -> Result<Val, QueryError> {
    each_row(
        call,
        |a| options(a, 2, 3, Some(4), 6),
        |x, o, a| {
            let k = a.get(1).and_then(as_real).unwrap_or(1.5);
            let (lo, hi) = match a.get(5).map(|m| m.to_text().to_ascii_lowercase()) {
                None => (10.0, 90.0),
                Some(m) if m.is_empty() || m == "ctukey" => (10.0, 90.0),
                Some(m) if m == "tukey" => (25.0, 75.0),
                Some(m) => return Err(format!("the method must be ctukey or tukey, not '{m}'")),
            };
            let p = decompose(x, o);
            let scores = outlier_scores(&p.residual, lo, hi);
            let flags: Vec<Json> = scores
                .iter()
                .map(|s| {
                    Json::from(match s {
                        Some(s) if *s > k => 1,
                        Some(s) if *s < -k => -1,
                        _ => 0,
                    })
                })
                .collect();
            let mut m = Map::new();
            m.insert("ad_flag".into(), Json::Array(flags));
            m.insert("ad_score".into(), optional_reals(&scores));
            m.insert("baseline".into(), reals(&p.baseline));
            Ok(Json::Object(m))
        },
    )
}

/// `series_decompose_forecast(x, points[, seasonality, trend,
/// threshold])`: the baseline learnt without the last `points` points.
fn forecast_fn(call: &Call) -> Result<Val, QueryError> {
    each_row(
        call,
        |a| {
            let mut o = options(a, 2, 3, None, 4)?;
            o.test_points = a.get(1).and_then(as_long).unwrap_or(0).max(0) as usize;
            Ok(o)
        },
        |x, o, _| Ok(reals(&decompose(x, o).baseline)),
    )
}

/// `series_outliers(x[, kind, ignore_val, min_percentile,
/// max_percentile])`: each value's Tukey score.
fn outliers_fn(call: &Call) -> Result<Val, QueryError> {
    each_row(
        call,
        |_| {
            Ok(Options {
                seasonality: 0,
                trend: Trend::None,
                test_points: 0,
                threshold: 0.0,
            })
        },
        |x, _, a| {
            let kind = a
                .get(1)
                .map(|k| k.to_text().to_ascii_lowercase())
                .unwrap_or_default();
            let (lo, hi) = match kind.as_str() {
                "" | "ctukey" => (
                    a.get(3).and_then(as_real).unwrap_or(10.0),
                    a.get(4).and_then(as_real).unwrap_or(90.0),
                ),
                "tukey" => (25.0, 75.0),
                other => return Err(format!("kind must be ctukey or tukey, not '{other}'")),
            };
            if !(2.0..=98.0).contains(&lo) || !(2.0..=98.0).contains(&hi) || lo >= hi {
                return Err(
                    "the percentiles must lie between 2 and 98, the first below the second".into(),
                );
            }
            let ignore = a.get(2).and_then(as_real);
            let kept: Vec<Option<f64>> =
                x.iter().map(|v| v.filter(|v| ignore != Some(*v))).collect();
            let scores = outlier_scores(&kept, lo, hi);
            // Nulls and ignored values score 0, as documented.
            Ok(Json::Array(
                scores
                    .into_iter()
                    .map(|s| real_json(s.unwrap_or(0.0)))
                    .collect(),
            ))
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn some(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|x| Some(*x)).collect()
    }

    #[test]
    fn a_pure_season_is_all_baseline() {
        let x: Vec<f64> = (0..40).map(|i| [1.0, 5.0, 3.0, 2.0, 8.0][i % 5]).collect();
        let o = Options {
            seasonality: -1,
            trend: Trend::Avg,
            test_points: 0,
            threshold: 0.6,
        };
        let p = decompose(&some(&x), &o);
        for (b, v) in p.baseline.iter().zip(&x) {
            assert!((b - v).abs() < 1e-12);
        }
        assert!(
            p.residual
                .iter()
                .all(|r| r.is_some_and(|r| r.abs() < 1e-12))
        );
    }

    #[test]
    fn a_line_is_all_trend_and_forecasts_on() {
        let x: Vec<Option<f64>> = (0..10)
            .map(|i| (i < 8).then_some(2.0 * i as f64 + 1.0))
            .collect();
        let o = Options {
            seasonality: 0,
            trend: Trend::LineFit,
            test_points: 2,
            threshold: 0.6,
        };
        let p = decompose(&x, &o);
        assert!((p.baseline[9] - 19.0).abs() < 1e-9, "{:?}", p.baseline);
        assert_eq!(p.residual[9], None);
        assert!(p.seasonal.iter().all(|s| *s == 0.0));
    }

    #[test]
    fn tukey_scores() {
        let x = some(&[1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 100.0]);
        let s = outlier_scores(&x, 25.0, 75.0);
        // Q1 = 3.25, Q3 = 7.75: 100 is (100 - 7.75) / 4.5 ranges out.
        assert!((s[9].unwrap_or(0.0) - (100.0 - 7.75) / 4.5).abs() < 1e-12);
        assert_eq!(s[4], Some(0.0));
        assert!(s[0].unwrap_or(0.0) < 0.0);
    }
}
