//! Seasonality: `series_periods_detect`, `series_periods_validate` and
//! `series_seasonal`.
//!
//! Kusto does not publish how it scores a period, so Quarry scores period
//! `p` as the share of the series' variance (after removing a straight-line
//! trend) that the median of each phase explains: 1 for a pattern that
//! repeats exactly, 0 for none. As Kusto documents, a period spans at least
//! 4 points and less than half the series. A multiple of a period (28 when
//! 14 repeats) is not a period of its own unless it scores clearly better
//! (by a quarter). On the documentation's example (a weekly period of 14
//! half-days) Quarry finds 14, as Kusto does, scored 0.96 where Kusto
//! prints "approximately 0.84".

use serde_json::Value as Json;

use super::convert::{as_long, as_real};
use super::series::{numbers, real_json};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "series_periods_detect",
        min_args: 4,
        max_args: 4,
        eval: periods_detect,
    },
    ScalarFunction {
        name: "series_periods_validate",
        min_args: 2,
        max_args: 17,
        eval: periods_validate,
    },
    ScalarFunction {
        name: "series_seasonal",
        min_args: 1,
        max_args: 2,
        eval: seasonal,
    },
];

/// The shortest period Kusto looks for.
const MIN_PERIOD: usize = 4;

/// How much better than a divisor a multiple must score to count.
const HARMONIC_MARGIN: f64 = 0.8;

/// The score `series_seasonal` needs to find a period.
const SEASONAL_THRESHOLD: f64 = 0.7;

/// The longest period a series of `n` points can show (less than half).
fn max_period(n: usize) -> usize {
    n.saturating_sub(1) / 2
}

/// The values minus their least-squares line.
fn detrend(y: &[f64]) -> Vec<f64> {
    let line = super::series_fit::fit(y, 0.0);
    y.iter()
        .enumerate()
        .map(|(i, v)| v - (line.interception + line.slope * i as f64))
        .collect()
}

/// The median of some values (`None` when there are none).
pub fn median(values: &mut [f64]) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

/// Each point's phase median for period `p`: the seasonal component.
pub fn phase_medians(y: &[f64], p: usize, len: usize) -> Vec<f64> {
    let per_phase: Vec<f64> = (0..p)
        .map(|phase| {
            let mut v: Vec<f64> = y
                .iter()
                .skip(phase)
                .step_by(p)
                .copied()
                .filter(|x| x.is_finite())
                .collect();
            median(&mut v).unwrap_or(0.0)
        })
        .collect();
    (0..len).map(|i| per_phase[i % p]).collect()
}

/// How well period `p` describes `y`, from 0 to 1 (see the module
/// comment); 0 outside the periods a series of this length can show.
pub fn period_score(y: &[f64], p: usize) -> f64 {
    if p < MIN_PERIOD || p > max_period(y.len()) {
        return 0.0;
    }
    let r = detrend(y);
    let mean = r.iter().sum::<f64>() / r.len() as f64;
    let sst: f64 = r.iter().map(|v| (v - mean).powi(2)).sum();
    if sst <= f64::EPSILON * r.len() as f64 {
        return 0.0;
    }
    let fitted = phase_medians(&r, p, r.len());
    let ssr: f64 = r.iter().zip(&fitted).map(|(v, s)| (v - s).powi(2)).sum();
    (1.0 - ssr / sst).clamp(0.0, 1.0)
}

/// The periods of `y` between `min` and `max` points, best first, at most
/// `count` of them, each with its score.
pub fn detect(y: &[f64], min: f64, max: f64, count: usize) -> Vec<(usize, f64)> {
    let top = max_period(y.len());
    if top < MIN_PERIOD {
        return Vec::new();
    }
    let scores: Vec<f64> = (0..=top + 1).map(|p| period_score(y, p)).collect();
    let score = |p: usize| scores.get(p).copied().unwrap_or(0.0);
    let lo = (min.max(0.0).ceil() as usize).max(MIN_PERIOD);
    let hi = if max.is_finite() && max >= 0.0 {
        (max.floor() as usize).min(top)
    } else {
        top
    };
    let mut found: Vec<(usize, f64)> = (lo..=hi)
        .filter(|&p| {
            let s = score(p);
            s > 0.0 && s >= score(p - 1) && s >= score(p + 1)
        })
        .filter(|&p| {
            // A multiple (give or take a point) of a period that scores
            // nearly as well is that period again.
            !(MIN_PERIOD..p).any(|q| {
                let rest = p % q;
                (rest <= 1 || rest + 1 >= q) && p / q >= 2 && score(q) >= HARMONIC_MARGIN * score(p)
            })
        })
        .map(|p| (p, score(p)))
        .collect();
    found.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    found.truncate(count);
    found
}

/// The numbers of a series; `None` when it is not an array or has an
/// element that is not a finite number.
fn finite_series(s: &Scalar) -> Option<Vec<f64>> {
    numbers(s)?
        .into_iter()
        .map(|v| v.filter(|x| x.is_finite()))
        .collect()
}

fn bag(periods: Vec<Json>, scores: Vec<Json>) -> Scalar {
    let mut m = serde_json::Map::new();
    m.insert("periods".into(), Json::Array(periods));
    m.insert("scores".into(), Json::Array(scores));
    Scalar::Dynamic(Json::Object(m))
}

/// `series_periods_detect(y, min_period, max_period, num_periods)`:
/// `periods` and `scores`, `num_periods` long, padded with zeros.
fn periods_detect(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let (Some(y), Some(min), Some(max), Some(count)) = (
            finite_series(&a[0]),
            as_real(&a[1]),
            as_real(&a[2]),
            as_long(&a[3]),
        ) else {
            return Ok(Scalar::Null(KqlType::Dynamic));
        };
        let count = count.clamp(0, 1024) as usize;
        let found = detect(&y, min, max, count);
        let mut periods: Vec<Json> = found.iter().map(|(p, _)| Json::from(*p)).collect();
        let mut scores: Vec<Json> = found.iter().map(|(_, s)| real_json(*s)).collect();
        periods.resize(count, Json::from(0));
        scores.resize(count, Json::from(0));
        Ok(bag(periods, scores))
    })
}

/// `series_periods_validate(y, period1, ...)`: each period's score
/// (0 outside 4 .. half the series).
fn periods_validate(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(y) = finite_series(&a[0]) else {
            return Ok(Scalar::Null(KqlType::Dynamic));
        };
        let mut periods = Vec::new();
        let mut scores = Vec::new();
        for p in &a[1..] {
            let Some(p) = as_real(p) else {
                return Ok(Scalar::Null(KqlType::Dynamic));
            };
            periods.push(real_json(p));
            let whole = p.round();
            let score = if whole >= 0.0 && (p - whole).abs() < 1e-9 {
                period_score(&y, whole as usize)
            } else {
                0.0
            };
            scores.push(real_json(score));
        }
        Ok(bag(periods, scores))
    })
}

/// `series_seasonal(y[, period])`: each point's phase median. With no
/// period (or -1) the best detected one scoring 0.7 or more is used;
/// without one, or with period 0, the result is zeros.
fn seasonal(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(y) = finite_series(&a[0]) else {
            return Ok(Scalar::Null(KqlType::Dynamic));
        };
        let period = match a.get(1) {
            None => -1,
            Some(p) => as_long(p).unwrap_or(-1),
        };
        let p = match period {
            -1 => detect(&y, 0.0, f64::INFINITY, 1)
                .first()
                .filter(|(_, s)| *s >= SEASONAL_THRESHOLD)
                .map(|(p, _)| *p),
            p if p > 0 => Some(p as usize),
            _ => None,
        };
        let values = match p {
            Some(p) => phase_medians(&y, p, y.len()),
            None => vec![0.0; y.len()],
        };
        Ok(Scalar::Dynamic(Json::Array(
            values.into_iter().map(real_json).collect(),
        )))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const TRAFFIC: [f64; 60] = [
        80., 139., 87., 110., 68., 54., 50., 51., 53., 133., 86., 141., 97., 156., 94., 149., 95.,
        140., 77., 61., 50., 54., 47., 133., 72., 152., 94., 148., 105., 162., 101., 160., 87.,
        63., 53., 55., 54., 151., 103., 189., 108., 183., 113., 175., 113., 178., 90., 71., 62.,
        62., 65., 165., 109., 181., 115., 182., 121., 178., 114., 170.,
    ];

    #[test]
    fn the_documented_weekly_period_is_found_first() {
        let found = detect(&TRAFFIC, 0.0, 50.0, 2);
        assert_eq!(found[0].0, 14);
        assert!(found[0].1 > 0.95 && found[0].1 < 0.97, "{found:?}");
        // 28 is 14 twice, not a period of its own.
        assert!(found.iter().all(|(p, _)| *p != 28), "{found:?}");
    }

    #[test]
    fn periods_outside_the_bounds_score_zero() {
        assert_eq!(period_score(&TRAFFIC, 3), 0.0);
        assert_eq!(period_score(&TRAFFIC, 30), 0.0);
        assert_eq!(period_score(&[1.0; 20], 5), 0.0);
        assert!(detect(&[1.0, 2.0, 3.0], 0.0, 10.0, 3).is_empty());
    }

    #[test]
    fn medians() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(median(&mut [4.0, 1.0, 2.0, 3.0]), Some(2.5));
        assert_eq!(median(&mut []), None);
    }
}
