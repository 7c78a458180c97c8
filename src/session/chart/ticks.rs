//! Axis ticks and the way values are written on charts: numbers with
//! their thousands grouped, dates at the precision the axis needs.

use chrono::{DateTime, Utc};

use crate::kql::render::AxisScale;

const MS_PER_MINUTE: f64 = 60_000.0;
const MS_PER_HOUR: f64 = 3_600_000.0;
const MS_PER_DAY: f64 = 86_400_000.0;

/// A value on a chart: integers grouped (`12,500`), others to three
/// significant decimals at most (`0.125`, `2.5`).
pub fn number(v: f64) -> String {
    if !v.is_finite() {
        return v.to_string();
    }
    if v.fract() == 0.0 && v.abs() < 1e18 {
        let n = crate::text::thousands(v.abs() as u64);
        return if v < 0.0 { format!("-{n}") } else { n };
    }
    let digits = if v.abs() >= 100.0 {
        1
    } else if v.abs() >= 1.0 {
        2
    } else {
        3
    };
    let text = format!("{v:.digits$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    // The integer part grouped too.
    match text.split_once('.') {
        Some((int, frac)) => format!("{}.{frac}", number(int.parse().unwrap_or(0.0))),
        None => text.to_string(),
    }
}

fn datetime(ms: f64) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_millis(ms.round() as i64)
}

/// A datetime (milliseconds) in full, as little as needed: `2024-05-01`,
/// `2024-05-01 06:00`, `2024-05-01 06:00:05`, `2024-05-01 06:00:05.250`.
pub fn datetime_full(ms: f64) -> String {
    let Some(t) = datetime(ms) else {
        return number(ms);
    };
    let ms = ms.round() as i64;
    let format = if ms.rem_euclid(1000) != 0 {
        "%Y-%m-%d %H:%M:%S%.3f"
    } else if ms.rem_euclid(60_000) != 0 {
        "%Y-%m-%d %H:%M:%S"
    } else if ms.rem_euclid(MS_PER_DAY as i64) != 0 {
        "%Y-%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    };
    t.format(format).to_string()
}

/// Where an axis puts its ticks, and their labels.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticks {
    pub values: Vec<f64>,
    pub labels: Vec<String>,
}

/// About `count` round numbers spanning `lo..=hi` (1, 2 or 5 times a
/// power of ten apart); powers of ten on a log axis.
pub fn numeric(lo: f64, hi: f64, count: usize, scale: AxisScale) -> Ticks {
    let values = match scale {
        AxisScale::Log if lo > 0.0 && hi > 0.0 => {
            let (a, b) = (lo.log10().floor() as i32, hi.log10().ceil() as i32);
            let every = (((b - a) as usize) / count.max(1)).max(1);
            (a..=b)
                .step_by(every)
                .map(|e| 10f64.powi(e))
                .filter(|v| *v >= lo * 0.999 && *v <= hi * 1.001)
                .collect()
        }
        _ => {
            let step = nice_step((hi - lo) / count.max(1) as f64);
            let first = (lo / step).ceil() * step;
            let mut values = Vec::new();
            let mut v = first;
            while v <= hi + step * 1e-9 && values.len() < 100 {
                // -0.0 reads as 0.
                values.push(if v.abs() < step * 1e-9 { 0.0 } else { v });
                v += step;
            }
            values
        }
    };
    let labels = values.iter().map(|v| number(*v)).collect();
    Ticks { values, labels }
}

/// An axis from `lo` to `hi` whose ends fall on ticks, about `count`
/// round steps apart: its bounds and a label per tick, evenly spaced from
/// the bottom bound to the top one. On a log axis the bounds are the
/// exponents of the powers of ten around the values (the space a log
/// chart is drawn in), one tick per power.
pub fn covering(lo: f64, hi: f64, count: usize, scale: AxisScale) -> (f64, f64, Vec<String>) {
    if scale == AxisScale::Log && lo > 0.0 {
        let a = lo.log10().floor();
        let b = hi.log10().ceil().max(a + 1.0);
        let labels = (a as i32..=b as i32)
            .map(|e| number(10f64.powi(e)))
            .collect();
        return (a, b, labels);
    }
    let Ticks { values, .. } = numeric(lo, hi, count, AxisScale::Linear);
    let step = match values.as_slice() {
        [a, b, ..] => b - a,
        _ => (hi - lo).max(1.0),
    };
    let mut first = values.first().copied().unwrap_or(lo);
    let mut last = values.last().copied().unwrap_or(hi);
    while first > lo {
        first -= step;
    }
    while last < hi {
        last += step;
    }
    if last <= first {
        last = first + step;
    }
    let n = ((last - first) / step).round() as usize;
    let labels = (0..=n).map(|i| number(first + step * i as f64)).collect();
    (first, last, labels)
}

fn nice_step(raw: f64) -> f64 {
    if raw <= 0.0 || !raw.is_finite() {
        return 1.0;
    }
    let power = 10f64.powf(raw.log10().floor());
    let f = raw / power;
    let nice = if f <= 1.0 {
        1.0
    } else if f <= 2.0 {
        2.0
    } else if f <= 5.0 {
        5.0
    } else {
        10.0
    };
    nice * power
}

/// Steps a time axis may use, in milliseconds.
const TIME_STEPS: &[f64] = &[
    1.0,
    10.0,
    100.0,
    1_000.0,
    5_000.0,
    15_000.0,
    30_000.0,
    MS_PER_MINUTE,
    5.0 * MS_PER_MINUTE,
    15.0 * MS_PER_MINUTE,
    30.0 * MS_PER_MINUTE,
    MS_PER_HOUR,
    3.0 * MS_PER_HOUR,
    6.0 * MS_PER_HOUR,
    12.0 * MS_PER_HOUR,
    MS_PER_DAY,
    2.0 * MS_PER_DAY,
    3.0 * MS_PER_DAY,
    7.0 * MS_PER_DAY,
    14.0 * MS_PER_DAY,
    30.0 * MS_PER_DAY,
    91.0 * MS_PER_DAY,
    365.0 * MS_PER_DAY,
];

/// About `count` ticks on a time axis, at whole minutes, hours or days,
/// labelled with what changes: `05-01 06:00` within days, `2024-05-01`
/// across them.
pub fn time(lo: f64, hi: f64, count: usize) -> Ticks {
    let raw = (hi - lo) / count.max(1) as f64;
    let step = TIME_STEPS
        .iter()
        .copied()
        .find(|s| *s >= raw)
        .unwrap_or(365.0 * MS_PER_DAY);
    let first = (lo / step).ceil() * step;
    let mut values = Vec::new();
    let mut v = first;
    while v <= hi && values.len() < 100 {
        values.push(v);
        v += step;
    }
    let format = if step >= MS_PER_DAY {
        "%Y-%m-%d"
    } else if step >= MS_PER_MINUTE {
        if hi - lo <= MS_PER_DAY && same_day(lo, hi) {
            "%H:%M"
        } else {
            "%m-%d %H:%M"
        }
    } else if step >= 1000.0 {
        "%H:%M:%S"
    } else {
        "%H:%M:%S%.3f"
    };
    let labels = values
        .iter()
        .map(|v| datetime(*v).map_or_else(|| number(*v), |t| t.format(format).to_string()))
        .collect();
    Ticks { values, labels }
}

/// A datetime on an axis spanning `span` milliseconds: the time of day
/// within a day, day and time within weeks, the date beyond.
pub fn time_label(ms: f64, span: f64) -> String {
    let format = if span <= MS_PER_DAY {
        "%H:%M"
    } else if span <= 14.0 * MS_PER_DAY {
        "%m-%d %H:%M"
    } else {
        "%Y-%m-%d"
    };
    datetime(ms).map_or_else(|| number(ms), |t| t.format(format).to_string())
}

/// A span of nanoseconds as KQL writes one: `6h`, `15m`, `1d`, `30s`.
pub fn duration(ns: i64) -> String {
    const UNITS: &[(i64, &str)] = &[
        (86_400_000_000_000, "d"),
        (3_600_000_000_000, "h"),
        (60_000_000_000, "m"),
        (1_000_000_000, "s"),
        (1_000_000, "ms"),
    ];
    for (size, unit) in UNITS {
        if ns >= *size && ns % size == 0 {
            return format!("{}{unit}", ns / size);
        }
    }
    format!("{}ms", ns as f64 / 1e6)
}

fn same_day(a: f64, b: f64) -> bool {
    (a / MS_PER_DAY).floor() == (b / MS_PER_DAY).floor()
}

/// Where `v` sits on an axis: itself, or its logarithm (None at or below
/// zero, which a log axis cannot show).
pub fn scaled(v: f64, scale: AxisScale) -> Option<f64> {
    match scale {
        AxisScale::Linear => Some(v),
        AxisScale::Log if v > 0.0 => Some(v.log10()),
        AxisScale::Log => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_well() {
        assert_eq!(number(1_234_567.0), "1,234,567");
        assert_eq!(number(-2500.0), "-2,500");
        assert_eq!(number(0.125), "0.125");
        assert_eq!(number(2.5), "2.5");
        assert_eq!(number(12_345.678), "12,345.7");
    }

    #[test]
    fn dates_show_what_they_need() {
        let day = 1_714_521_600_000.0; // 2024-05-01
        assert_eq!(datetime_full(day), "2024-05-01");
        assert_eq!(datetime_full(day + 6.0 * MS_PER_HOUR), "2024-05-01 06:00");
        assert_eq!(datetime_full(day + 5_250.0), "2024-05-01 00:00:05.250");
    }

    #[test]
    fn ticks_are_round() {
        let t = numeric(0.0, 1000.0, 4, AxisScale::Linear);
        assert_eq!(t.labels, ["0", "500", "1,000"]);
        let t = numeric(1.0, 50_000.0, 5, AxisScale::Log);
        assert_eq!(t.labels, ["1", "10", "100", "1,000", "10,000"]);
        assert_eq!(
            covering(3.0, 1_234.0, 4, AxisScale::Linear),
            (
                0.0,
                1_500.0,
                vec!["0".into(), "500".into(), "1,000".into(), "1,500".into()]
            )
        );
        assert_eq!(
            covering(3.0, 1_234.0, 4, AxisScale::Log),
            (
                0.0,
                4.0,
                ["1", "10", "100", "1,000", "10,000"]
                    .map(String::from)
                    .to_vec()
            )
        );
        let day = 1_714_521_600_000.0;
        let t = time(day, day + 2.0 * MS_PER_DAY, 4);
        assert_eq!(
            t.labels,
            [
                "05-01 00:00",
                "05-01 12:00",
                "05-02 00:00",
                "05-02 12:00",
                "05-03 00:00"
            ]
        );
        let t = time(day, day + 20.0 * MS_PER_DAY, 4);
        // Weeks from the epoch, a Thursday.
        assert_eq!(t.labels, ["2024-05-02", "2024-05-09", "2024-05-16"]);
    }
}
