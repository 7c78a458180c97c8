//! The timeline of a view (`t`): how its rows fall over time, in bins
//! chosen for the width it is drawn in, and a range of bins that narrows
//! the view with an exact `where ... between (...)` stage.

use polars::prelude::*;

use super::kql_text::quote_ident;
use crate::data::time::format_datetime;
use crate::data::types::KqlType;

const NS_PER_SEC: i64 = 1_000_000_000;
/// KQL's datetime resolution: 100 ns.
const TICK: i64 = 100;

/// Bin widths the timeline may use, in seconds: round units an analyst
/// reads at a glance.
const STEPS: &[i64] = &[
    1,
    5,
    15,
    30,
    60,
    5 * 60,
    15 * 60,
    30 * 60,
    3600,
    3 * 3600,
    6 * 3600,
    12 * 3600,
    86_400,
    7 * 86_400,
    30 * 86_400,
    365 * 86_400,
];

/// A histogram of a view's rows over one datetime column.
#[derive(Clone, Debug, PartialEq)]
pub struct Timeline {
    /// The datetime column binned.
    pub column: String,
    /// Start of the first bin, nanoseconds since the epoch.
    pub start: i64,
    /// Width of a bin, nanoseconds.
    pub step: i64,
    /// Rows in each bin.
    pub counts: Vec<u64>,
    /// Rows with no time (not in any bin).
    pub nulls: usize,
    /// The bin under the cursor.
    pub cursor: usize,
    /// Where a range selection began (`v`), if one is being made.
    pub anchor: Option<usize>,
}

/// Why a view has no timeline.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TimelineError {
    #[error("no datetime column in this view to draw a timeline of")]
    NoTimeColumn,
    #[error("no row of this view has a {0}")]
    NoTimes(String),
}

impl Timeline {
    /// Bins `rows` over `column` (or their first datetime column) into at
    /// most `bins` bins. Only that column is gathered.
    pub fn build(
        rows: &crate::kql::Rows,
        column: Option<&str>,
        bins: usize,
    ) -> Result<Timeline, TimelineError> {
        let is_time = |c: &Column| KqlType::of(c.dtype()) == Some(KqlType::Datetime);
        let schema = rows.empty();
        let name = column
            .and_then(|name| schema.column(name).ok().filter(|c| is_time(c)))
            .or_else(|| schema.columns().iter().find(|c| is_time(c)))
            .ok_or(TimelineError::NoTimeColumn)?
            .name()
            .to_string();
        let frame = rows
            .select(std::slice::from_ref(&name), crate::kql::Cancel::default())
            .map_err(|_| TimelineError::NoTimeColumn)?;
        let chosen = frame
            .column(&name)
            .map_err(|_| TimelineError::NoTimeColumn)?;
        let times = chosen
            .as_materialized_series()
            .cast(&DataType::Int64)
            .map_err(|_| TimelineError::NoTimeColumn)?;
        let times = times.i64().map_err(|_| TimelineError::NoTimeColumn)?;
        let (Some(lo), Some(hi)) = (times.min(), times.max()) else {
            return Err(TimelineError::NoTimes(name));
        };
        let bins = bins.max(1) as i64;
        let span = hi - lo + 1;
        let step = STEPS
            .iter()
            .map(|s| s * NS_PER_SEC)
            .find(|s| (span + s - 1) / s < bins)
            .unwrap_or_else(|| (span / bins + 1).max(1));
        let start = lo.div_euclid(step) * step;
        let n = ((hi - start) / step + 1) as usize;
        let mut counts = vec![0u64; n];
        for t in times.iter().flatten() {
            let i = ((t - start) / step) as usize;
            if let Some(c) = counts.get_mut(i) {
                *c += 1;
            }
        }
        Ok(Timeline {
            column: name,
            start,
            step,
            counts,
            nulls: times.null_count(),
            cursor: 0,
            anchor: None,
        })
    }

    /// Moves the cursor by `delta` bins.
    pub fn move_cursor(&mut self, delta: isize) {
        self.cursor = self
            .cursor
            .saturating_add_signed(delta)
            .min(self.counts.len().saturating_sub(1));
    }

    /// Starts a range at the cursor, or drops the one being made.
    pub fn toggle_anchor(&mut self) {
        self.anchor = match self.anchor {
            Some(_) => None,
            None => Some(self.cursor),
        };
    }

    /// The bins selected: from the anchor to the cursor, or the cursor's.
    pub fn selected(&self) -> (usize, usize) {
        let a = self.anchor.unwrap_or(self.cursor);
        (a.min(self.cursor), a.max(self.cursor))
    }

    /// Start of bin `i`.
    pub fn bin_start(&self, i: usize) -> i64 {
        self.start + self.step * i as i64
    }

    /// Rows in the selected bins.
    pub fn selected_rows(&self) -> u64 {
        let (a, b) = self.selected();
        self.counts[a..=b].iter().sum()
    }

    /// The stage that keeps the selected bins' rows: `between` is
    /// inclusive, so it ends one tick (100 ns) before the next bin starts
    /// and the narrowed view holds exactly the rows the bars counted.
    pub fn stage(&self) -> String {
        let (a, b) = self.selected();
        let from = self.bin_start(a);
        let to = self.bin_start(b + 1) - TICK;
        format!(
            "where {} between (datetime({}) .. datetime({}))",
            quote_ident(&self.column),
            format_datetime(from),
            format_datetime(to)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        let base = 1_714_521_600 * NS_PER_SEC; // 2024-05-01
        let hour = 3600 * NS_PER_SEC;
        let times = [0, 1, 1, 5, 23].map(|h| base + h * hour).to_vec();
        let times = Int64Chunked::from_vec("Timestamp".into(), times)
            .into_datetime(TimeUnit::Nanoseconds, None)
            .into_column();
        DataFrame::new(
            5,
            vec![Column::new("Name".into(), ["a", "b", "c", "d", "e"]), times],
        )
        .unwrap()
    }

    #[test]
    fn bins_fit_the_width_and_count_rows() {
        let t = Timeline::build(&frame().clone().into(), None, 30).unwrap();
        assert_eq!(t.column, "Timestamp");
        assert_eq!(t.step, 3600 * NS_PER_SEC);
        assert_eq!(t.counts.len(), 24);
        assert_eq!(&t.counts[..6], &[1, 2, 0, 0, 0, 1]);
        let t = Timeline::build(&frame().clone().into(), Some("Timestamp"), 10).unwrap();
        assert_eq!(t.step, 3 * 3600 * NS_PER_SEC);
        assert_eq!(t.counts, vec![3, 1, 0, 0, 0, 0, 0, 1]);
    }

    #[test]
    fn a_range_of_bins_is_an_exact_between() {
        let mut t = Timeline::build(&frame().clone().into(), None, 30).unwrap();
        t.move_cursor(1);
        t.toggle_anchor();
        t.move_cursor(4);
        assert_eq!(t.selected(), (1, 5));
        assert_eq!(t.selected_rows(), 3);
        assert_eq!(
            t.stage(),
            "where Timestamp between (datetime(2024-05-01T01:00:00.0000000Z) .. \
             datetime(2024-05-01T05:59:59.9999999Z))"
        );
    }

    #[test]
    fn views_without_times_say_so() {
        let df = df!("Name" => ["a"]).unwrap();
        assert_eq!(
            Timeline::build(&df.clone().into(), None, 10),
            Err(TimelineError::NoTimeColumn)
        );
    }
}
