//! Conformance cases from Microsoft's KQL documentation for the rest of the
//! operator reference: `fork`, `facet`, `sample-distinct`, `top-hitters`,
//! `consume`, `find`, the plugins `preview`, `narrow`, `session_count`,
//! `funnel_sequence`, `funnel_sequence_completion`, `sequence_detect` and
//! `activity_engagement`, the plugins that need a service, and the
//! `declare query_parameters`, `declare pattern`, `set` and `alias`
//! statements.
//!
//! The pages' examples read the help cluster's StormEvents; here each runs
//! on a stand-in `let StormEvents = datatable(...)` holding the rows the
//! page prints (and a few that must be left out), so the documented output
//! is the exact typed result. Where a page prints no output (a chart, or
//! random data), the expected values are worked out by hand from the data
//! and the page's description, as each test says. Operators with several
//! results are read with `run_results`; errors are compared with their
//! caret; the command line and the workbench are driven end to end.

mod find;
mod plugins;
mod several;
mod statements;
mod values;

use quarry::data::catalog::Catalog;
use quarry::data::time::{parse_datetime, parse_timespan};
use quarry::kql::value::Scalar;
use quarry::kql::{RunOptions, run_results};

/// One table of a result: its name, its column names, its typed rows.
pub type Typed = (Option<String>, Vec<String>, Vec<Vec<Scalar>>);

/// Every table a query makes, typed, on an empty catalog.
#[track_caller]
pub fn tables(query: &str) -> Vec<Typed> {
    let results = run_results(&Catalog::new(), query, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    results
        .into_iter()
        .map(|r| {
            let names = r
                .frame
                .get_column_names()
                .iter()
                .map(|n| n.to_string())
                .collect();
            let rows = (0..r.frame.height())
                .map(|i| {
                    r.frame
                        .columns()
                        .iter()
                        .map(|c| Scalar::from_series(c.as_materialized_series(), i))
                        .collect()
                })
                .collect();
            (r.name, names, rows)
        })
        .collect()
}

pub fn dt(text: &str) -> Scalar {
    Scalar::Datetime(parse_datetime(text).expect("a datetime"))
}

pub fn ts(text: &str) -> Scalar {
    Scalar::Timespan(parse_timespan(text).expect("a timespan"))
}

pub fn s(text: &str) -> Scalar {
    Scalar::String(text.into())
}

pub fn l(n: i64) -> Scalar {
    Scalar::Long(n)
}

pub fn names(list: &[&str]) -> Vec<String> {
    list.iter().map(|n| n.to_string()).collect()
}

/// fork-operator.md's rows (the page prints the first few of each table)
/// and the deaths that put them in one leg or the other; one Texan row
/// the `where` leaves out.
pub const FORK_STORMS: &str = r#"let StormEvents = datatable(StartTime:datetime, EndTime:datetime, EpisodeId:long, EventId:long, State:string, EventType:string, InjuriesDirect:long, InjuriesIndirect:long, DeathsDirect:long, DeathsIndirect:long)[
datetime(2007-02-02T03:10:00Z), datetime(2007-02-02T03:16:00Z), 2545, 17515, "FLORIDA", "Tornado", 15, 0, 0, 0,
datetime(2007-02-02T03:17:00Z), datetime(2007-02-02T03:25:00Z), 3464, 18948, "FLORIDA", "Tornado", 10, 0, 2, 0,
datetime(2007-02-02T03:37:00Z), datetime(2007-02-02T03:55:00Z), 3464, 18950, "FLORIDA", "Tornado", 9, 0, 1, 1,
datetime(2007-02-02T03:55:00Z), datetime(2007-02-02T04:10:00Z), 3464, 20318, "FLORIDA", "Tornado", 42, 0, 0, 0,
datetime(2007-03-13T08:20:00Z), datetime(2007-03-13T08:20:00Z), 4094, 22961, "FLORIDA", "Dense Fog", 3, 0, 2, 0,
datetime(2007-09-11T15:26:00Z), datetime(2007-09-11T15:26:00Z), 9578, 53798, "FLORIDA", "Rip Current", 0, 0, 2, 0,
datetime(2007-06-01T10:00:00Z), datetime(2007-06-01T11:00:00Z), 5000, 30000, "TEXAS", "Tornado", 5, 0, 3, 0];
"#;
