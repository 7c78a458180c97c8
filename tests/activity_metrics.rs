//! `evaluate activity_counts_metrics`: Microsoft's documented example with
//! its exact output, dimensions, the window bounds, and the errors.

use crate::common;
use common::render;

use quarry::data::catalog::Catalog;
use quarry::kql::RunOptions;

fn table(query: &str) -> String {
    match quarry::kql::run(&Catalog::new(), query, &RunOptions::default()) {
        Ok(frame) => render(&frame),
        Err(e) => format!("ERROR {}", e.message),
    }
}

#[track_caller]
fn check(query: &str, expected: &str) {
    common::assert_table(query, &table(query), expected);
}

const USERS: &str = "let start=datetime(2017-08-01);
let end=datetime(2017-08-04);
let window=1d;
let T = datatable(UserId:string, Timestamp:datetime, Region:string)
[
'A', datetime(2017-08-01), 'eu',
'D', datetime(2017-08-01), 'us',
'J', datetime(2017-08-01), 'eu',
'B', datetime(2017-08-01), 'us',
'C', datetime(2017-08-02), 'eu',
'T', datetime(2017-08-02), 'us',
'J', datetime(2017-08-02), 'eu',
'H', datetime(2017-08-03), 'eu',
'T', datetime(2017-08-03), 'us',
'T', datetime(2017-08-03), 'us',
'J', datetime(2017-08-03), 'eu',
'B', datetime(2017-08-03), 'us',
'S', datetime(2017-08-03), 'eu',
'S', datetime(2017-08-04), 'eu',
'Z', datetime(2017-08-05), 'eu',
];";

/// activity-counts-metrics-plugin.md (the row on 2017-08-05 is after End).
#[test]
fn docs_activity_counts_metrics() {
    check(
        &format!(
            "{USERS} T | evaluate activity_counts_metrics(UserId, Timestamp, start, end, window)"
        ),
        "Timestamp:datetime | count:long | dcount:long | new_dcount:long | aggregated_dcount:long
        2017-08-01T00:00:00.0000000Z | 4 | 4 | 4 | 4
        2017-08-02T00:00:00.0000000Z | 3 | 3 | 2 | 6
        2017-08-03T00:00:00.0000000Z | 6 | 5 | 2 | 8
        2017-08-04T00:00:00.0000000Z | 1 | 1 | 0 | 8",
    );
}

/// Per dimension, each region counts its own new and aggregated ids;
/// two-day windows start at Start.
#[test]
fn activity_counts_metrics_by_dimension() {
    check(
        &format!(
            "{USERS} T | evaluate activity_counts_metrics(UserId, Timestamp, start, end, 2d, Region)"
        ),
        r#"Timestamp:datetime | Region:string | count:long | dcount:long | new_dcount:long | aggregated_dcount:long
        2017-08-01T00:00:00.0000000Z | "eu" | 4 | 3 | 3 | 3
        2017-08-03T00:00:00.0000000Z | "eu" | 4 | 3 | 2 | 5
        2017-08-01T00:00:00.0000000Z | "us" | 3 | 3 | 3 | 3
        2017-08-03T00:00:00.0000000Z | "us" | 3 | 2 | 0 | 3"#,
    );
}

#[test]
fn activity_counts_metrics_errors() {
    assert_eq!(
        table(&format!(
            "{USERS} T | evaluate activity_counts_metrics(UserId, Timestamp, start, end, 'week')"
        )),
        "ERROR activity_counts_metrics(): Step must be a positive timespan (Quarry does not take 'week', 'month' or 'year'), not week"
    );
    assert_eq!(
        table(&format!(
            "{USERS} T | evaluate activity_counts_metrics(UserId, Timestamp, start, end)"
        )),
        "ERROR activity_counts_metrics() needs IdColumn, TimelineColumn, Start, End and Step"
    );
    assert_eq!(
        table(&format!(
            "{USERS} T | evaluate activity_counts_metrics(UserId, Timestamp, 1, end, 1d)"
        )),
        "ERROR activity_counts_metrics(): Start must be a datetime, not long"
    );
}
