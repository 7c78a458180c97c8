//! After the columns are read: order points, `accumulate`, stack
//! (`kind=stacked`, `stacked100`), bin long series, and settle the ranges
//! (`ymin`, `ymax`, log axes).

use std::collections::BTreeMap;

use super::{Chart, MAX_POINTS, Series, Shape, XKind};
use crate::kql::render::{AxisScale, RenderSpec, Stacking};

pub(super) fn finish(chart: &mut Chart, spec: &RenderSpec) {
    let continuous = !matches!(chart.x, XKind::Category(_));
    for s in &mut chart.series {
        if continuous {
            sort_by_x(s);
        } else if chart.shape != Shape::Pie {
            sum_duplicates(s);
        }
        if spec.accumulate && !s.anomaly {
            let mut run = 0.0;
            for y in &mut s.y {
                run += *y;
                *y = run;
            }
        }
        s.top = s.y.clone();
        s.bottom = vec![0.0; s.y.len()];
    }
    let stackable = matches!(chart.shape, Shape::Area | Shape::Column | Shape::Bar);
    if stackable && matches!(chart.stacking, Stacking::Stacked | Stacking::Stacked100) {
        stack(&mut chart.series, chart.stacking == Stacking::Stacked100);
    }
    // Before binning: a mark sits on the flagged point itself.
    super::split::place_anomalies(&mut chart.series);
    for s in &mut chart.series {
        if s.x.len() > MAX_POINTS {
            bin(s, MAX_POINTS / 4);
            chart.binned = true;
        }
    }
    chart.x_range = range(chart.series.iter().flat_map(|s| s.x.iter().copied()));
    if let XKind::Category(labels) = &chart.x {
        chart.x_range = (0.0, labels.len().saturating_sub(1) as f64);
    }
    chart.y_range = y_range(&chart.series, chart.y_scale, spec.ymin, spec.ymax);
}

/// The y span that shows `series`: from zero (or the smallest value below
/// it) to the largest, unless `ymin`/`ymax` say otherwise; on a log axis
/// from the smallest positive value.
pub(super) fn y_range(
    series: &[Series],
    scale: AxisScale,
    ymin: Option<f64>,
    ymax: Option<f64>,
) -> (f64, f64) {
    let (mut lo, mut hi) = range(
        series
            .iter()
            .flat_map(|s| s.top.iter().chain(&s.bottom).copied()),
    );
    if scale == AxisScale::Log {
        // Nothing at or below zero has a logarithm: the axis starts at the
        // smallest positive value.
        let positive = range(
            series
                .iter()
                .flat_map(|s| s.top.iter().copied())
                .filter(|v| *v > 0.0),
        );
        (lo, hi) = positive;
    } else {
        lo = lo.min(0.0);
    }
    if let Some(v) = ymin {
        lo = v;
    }
    if let Some(v) = ymax {
        hi = v;
    }
    if hi <= lo {
        hi = lo + 1.0;
    }
    (lo, hi)
}

fn range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let mut lo = f64::INFINITY;
    let mut hi = f64::NEG_INFINITY;
    for v in values {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    if lo > hi { (0.0, 0.0) } else { (lo, hi) }
}

fn sort_by_x(s: &mut Series) {
    if s.x.windows(2).all(|w| w[0] <= w[1]) {
        return;
    }
    let mut order: Vec<usize> = (0..s.x.len()).collect();
    order.sort_by(|&a, &b| s.x[a].total_cmp(&s.x[b]));
    s.x = order.iter().map(|&i| s.x[i]).collect();
    s.y = order.iter().map(|&i| s.y[i]).collect();
}

/// A category read twice in one series is one bar of their sum.
fn sum_duplicates(s: &mut Series) {
    let mut sums: BTreeMap<u64, f64> = BTreeMap::new();
    for (x, y) in s.x.iter().zip(&s.y) {
        *sums.entry(*x as u64).or_insert(0.0) += y;
    }
    s.x = sums.keys().map(|&k| k as f64).collect();
    s.y = sums.into_values().collect();
}

/// Stacks each series on those before it, x by x (a series without a
/// point at some x adds nothing there).
fn stack(series: &mut [Series], percent: bool) {
    let key = |x: f64| x.to_bits();
    let mut totals: BTreeMap<u64, f64> = BTreeMap::new();
    if percent {
        for s in series.iter() {
            for (x, y) in s.x.iter().zip(&s.y) {
                *totals.entry(key(*x)).or_insert(0.0) += y;
            }
        }
    }
    let mut level: BTreeMap<u64, f64> = BTreeMap::new();
    for s in series.iter_mut() {
        for i in 0..s.x.len() {
            let k = key(s.x[i]);
            let mut v = s.y[i];
            if percent {
                let t = totals.get(&k).copied().unwrap_or(0.0);
                v = if t == 0.0 { 0.0 } else { v / t * 100.0 };
            }
            let base = level.entry(k).or_insert(0.0);
            s.bottom[i] = *base;
            s.top[i] = *base + v;
            *base += v;
        }
    }
}

/// Bins a long series into `bins` spans of x, keeping each span's first,
/// lowest, highest and last point: the drawn line still reaches every
/// spike and dip.
fn bin(s: &mut Series, bins: usize) {
    let (Some(&lo), Some(&hi)) = (s.x.first(), s.x.last()) else {
        return;
    };
    let width = (hi - lo) / bins as f64;
    let mut keep: Vec<usize> = Vec::with_capacity(bins * 4);
    let mut start = 0;
    while start < s.x.len() {
        let b = if width > 0.0 {
            (((s.x[start] - lo) / width) as usize).min(bins - 1)
        } else {
            0
        };
        let mut end = start + 1;
        while end < s.x.len() {
            let e = if width > 0.0 {
                (((s.x[end] - lo) / width) as usize).min(bins - 1)
            } else {
                0
            };
            if e != b {
                break;
            }
            end += 1;
        }
        let span = start..end;
        let lowest = span
            .clone()
            .min_by(|&a, &b| s.top[a].total_cmp(&s.top[b]))
            .unwrap_or(start);
        let highest = span
            .clone()
            .max_by(|&a, &b| s.top[a].total_cmp(&s.top[b]))
            .unwrap_or(start);
        let mut picks = [start, lowest, highest, end - 1];
        picks.sort_unstable();
        for p in picks {
            if keep.last() != Some(&p) {
                keep.push(p);
            }
        }
        start = end;
    }
    let take = |v: &[f64]| keep.iter().map(|&i| v[i]).collect::<Vec<f64>>();
    s.x = take(&s.x);
    s.y = take(&s.y);
    s.top = take(&s.top);
    s.bottom = take(&s.bottom);
}
