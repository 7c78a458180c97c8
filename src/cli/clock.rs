//! `--now RFC3339|wall|data`: the instant `now()` and `ago()` use.

use crate::data::catalog::Catalog;
use crate::data::time::{format_datetime, parse_datetime};

/// Where the query clock comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Clock {
    /// A fixed instant, nanoseconds since the epoch.
    Pinned(i64),
    /// The machine's clock.
    Wall,
    /// The newest datetime in the loaded tables (the default: exports are
    /// historical, so "the last hour" means the last hour of the data).
    Data,
}

impl std::str::FromStr for Clock {
    type Err = String;
    fn from_str(s: &str) -> Result<Clock, String> {
        match s {
            "wall" => Ok(Clock::Wall),
            "data" => Ok(Clock::Data),
            other => parse_datetime(other).map(Clock::Pinned).ok_or_else(|| {
                format!("'{other}' is not a datetime (RFC 3339, e.g. 2025-03-18T12:00:00Z), 'wall' or 'data'")
            }),
        }
    }
}

impl Clock {
    /// The instant, and a description for the user when it was not pinned.
    pub fn resolve(&self, catalog: &Catalog) -> (i64, Option<String>) {
        match self {
            Clock::Pinned(ns) => (*ns, None),
            Clock::Wall => {
                let ns = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
                (
                    ns,
                    Some(format!("clock: {} (wall clock)", format_datetime(ns))),
                )
            }
            Clock::Data => match catalog.newest_datetime() {
                Some(ns) => (
                    ns,
                    Some(format!(
                        "clock: {} (newest datetime in the data; pin it with --now)",
                        format_datetime(ns)
                    )),
                ),
                None => {
                    let ns = chrono::Utc::now().timestamp_nanos_opt().unwrap_or(0);
                    (
                        ns,
                        Some(format!(
                            "clock: {} (wall clock: the data has no datetimes)",
                            format_datetime(ns)
                        )),
                    )
                }
            },
        }
    }
}
