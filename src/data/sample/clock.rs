//! The sample data's fixed clock and its working-hours activity curve.
//!
//! The data ends at [`END`] and covers the 14 days before it. No wall clock is
//! read anywhere, so the same options always give the same bytes, and because
//! the newest datetime in every table is exactly `END`, Quarry's default
//! clock ("the newest timestamp in the loaded data") equals `END`, which is
//! what makes `ago(1h)` in the planted stories mean what the README says.

/// Nanoseconds per unit.
pub const SEC: i64 = 1_000_000_000;
pub const MIN: i64 = 60 * SEC;
pub const HOUR: i64 = 60 * MIN;
pub const DAY: i64 = 24 * HOUR;

/// 2025-03-18T12:00:00Z, in nanoseconds since the Unix epoch: the newest
/// instant in the generated data.
pub const END: i64 = 1_742_299_200 * SEC;
/// How far back the data reaches.
pub const SPAN: i64 = 14 * DAY;
/// 2025-03-04T12:00:00Z.
pub const START: i64 = END - SPAN;

/// A UTC instant as nanoseconds, for constants (`const` so tables of planted
/// facts can be written as dates).
pub const fn utc(y: i64, mo: i64, d: i64, h: i64, mi: i64, s: i64) -> i64 {
    // Howard Hinnant's days_from_civil.
    let y = if mo <= 2 { y - 1 } else { y };
    let era = (if y >= 0 { y } else { y - 399 }) / 400;
    let yoe = y - era * 400;
    let mp = (mo + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    ((days * 24 + h) * 60 + mi) * 60 * SEC + s * SEC
}

/// Rounds down to Kusto's resolution, 100 ns, so every value survives a
/// round trip through Kusto's seven-digit text unchanged.
pub fn tick(ns: i64) -> i64 {
    ns - ns.rem_euclid(100)
}

/// Maps a position in `[0, 1)` to an instant in `[START, END)` so that more
/// of the data falls in office hours of a US East Coast company.
///
/// Events are generated at positions `(i + u) / n`, which keeps them in time
/// order while the curve shapes the density: nights and weekends are quiet,
/// weekday mornings busy, as in a real export.
pub struct Activity {
    /// Cumulative weight at the start of each hour from `START`.
    cumulative: Vec<f64>,
}

impl Activity {
    pub fn new() -> Activity {
        let hours = (SPAN / HOUR) as usize;
        let mut cumulative = Vec::with_capacity(hours + 1);
        let mut total = 0.0;
        cumulative.push(0.0);
        for h in 0..hours {
            total += Self::weight(START + h as i64 * HOUR);
            cumulative.push(total);
        }
        Activity { cumulative }
    }

    /// Relative activity in the hour starting at `utc_ns`.
    fn weight(utc_ns: i64) -> f64 {
        // US daylight saving began 2025-03-09 07:00 UTC.
        let offset = if utc_ns < utc(2025, 3, 9, 7, 0, 0) {
            -5
        } else {
            -4
        };
        let local = utc_ns + offset * HOUR;
        let day = local.div_euclid(DAY);
        let hour = local.rem_euclid(DAY) / HOUR;
        let weekday = (day + 4).rem_euclid(7); // 1970-01-01 was a Thursday; 0 = Sunday
        let weekend = weekday == 0 || weekday == 6;
        match (weekend, hour) {
            (false, 8..=17) => 10.0,
            (false, 7 | 18 | 19) => 5.0,
            (false, 20..=22) => 2.0,
            (true, 9..=18) => 2.0,
            _ => 1.0,
        }
    }

    /// The instant at position `f` (clamped into `[0, 1)`), rounded to a tick.
    pub fn at(&self, f: f64) -> i64 {
        let total = *self.cumulative.last().expect("non-empty");
        let target = f.clamp(0.0, 1.0) * total;
        let hours = self.cumulative.len() - 1;
        let h = self
            .cumulative
            .partition_point(|&c| c <= target)
            .saturating_sub(1);
        let h = h.min(hours - 1);
        let width = self.cumulative[h + 1] - self.cumulative[h];
        let within = ((target - self.cumulative[h]) / width).clamp(0.0, 1.0);
        let ns = START + h as i64 * HOUR + (within * HOUR as f64) as i64;
        tick(ns.min(END - 100))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constants_are_the_documented_instants() {
        assert_eq!(utc(2025, 3, 18, 12, 0, 0), END);
        assert_eq!(utc(1970, 1, 1, 0, 0, 0), 0);
        assert_eq!(utc(2000, 2, 29, 0, 0, 0), 951_782_400 * SEC);
        assert_eq!(START, utc(2025, 3, 4, 12, 0, 0));
    }

    #[test]
    fn activity_is_monotone_and_inside_the_window() {
        let a = Activity::new();
        let mut last = START;
        for i in 0..10_000 {
            let t = a.at(i as f64 / 10_000.0);
            assert!(t >= last && t < END);
            assert_eq!(t % 100, 0);
            last = t;
        }
        assert_eq!(a.at(0.0), START);
        assert!(a.at(0.999_999_999) < END);
    }

    #[test]
    fn office_hours_are_busier_than_nights() {
        let a = Activity::new();
        let mut by_hour = [0u32; 24];
        for i in 0..100_000 {
            let t = a.at(i as f64 / 100_000.0);
            by_hour[((t - 4 * HOUR).rem_euclid(DAY) / HOUR) as usize] += 1;
        }
        assert!(by_hour[10] > 3 * by_hour[3]);
    }
}
