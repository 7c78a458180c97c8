//! A workbench step's rows, picked and not gathered (`kql::run_rows`),
//! answer exactly what the whole pipeline answers when run in one go
//! (`kql::run`): each stage below is appended to a step as the workbench
//! appends it (`plan_append`, the step's rows standing for its table), and
//! the gathered rows must equal the full run's frame, column for column,
//! row for row. The steps that only choose rows must stay ungathered.

use std::sync::OnceLock;

use quarry::data::catalog::{Catalog, Table};
use quarry::data::load::load_paths;
use quarry::data::sample::END;
use quarry::kql::value::Scalar;
use quarry::kql::{Cancel, Rows, RunOptions, run, run_rows};
use quarry::session::kql_text::{
    Plan, frequency_stage, group_stage, join_stages, plan_append, search_in_stage,
};

/// The sample data, and `Big`: its network table six times over, enough
/// rows (over half a million) for the predicates to run a slice at a time.
fn catalog() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");
        let mut c = load_paths(&[dir.to_string()]);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        let net = c
            .get("DeviceNetworkEvents")
            .expect("network table")
            .frame
            .clone();
        let mut big = net.clone();
        while big.height() < 600_000 {
            big.vstack_mut(&net).unwrap();
        }
        c.insert(Table {
            name: "Big".into(),
            frame: big,
            files: Vec::new(),
            warnings: Vec::new(),
        });
        c
    })
}

fn options() -> RunOptions {
    RunOptions {
        now: END,
        ..Default::default()
    }
}

/// Runs the pipeline `stages` step by step as the workbench does (each
/// stage on the previous step's rows), and checks each step against the
/// full run. Returns the last step's rows.
#[track_caller]
fn steps(stages: &[&str]) -> Rows {
    let catalog = catalog();
    let mut done: Vec<String> = Vec::new();
    let mut rows: Option<Rows> = None;
    for stage in stages {
        let (full, step) = match &rows {
            Some(parent) => {
                let (full, plan) = plan_append(&done, stage).unwrap();
                let step = match &plan {
                    Plan::Cached { text, table, .. } => {
                        run_rows(catalog, text, &options(), Some((table, parent)))
                    }
                    Plan::Full { text } => run_rows(catalog, text, &options(), None),
                };
                // The caret points into the full pipeline, as the workbench
                // shows it.
                (full, step.map_err(|e| plan.map_error(e)))
            }
            None => (
                stage.to_string(),
                run_rows(catalog, stage, &options(), None),
            ),
        };
        assert_same(&full, step.clone());
        match step {
            Ok(step) => rows = Some(step),
            // An error ends the steps, as in the workbench.
            Err(_) => return rows.unwrap_or_default(),
        }
        done.push(stage.to_string());
    }
    rows.unwrap_or_default()
}

/// The step's rows, gathered, are the full run's frame; an error is the
/// full run's error.
#[track_caller]
fn assert_same(full: &str, step: Result<Rows, quarry::kql::QueryError>) {
    let expected = run(catalog(), full, &options());
    match (expected, step) {
        (Ok(expected), Ok(step)) => {
            let got = step.gather(Cancel::default()).unwrap();
            assert_eq!(
                got.get_column_names(),
                expected.get_column_names(),
                "columns of {full}"
            );
            assert!(
                got.equals_missing(&expected),
                "rows of {full}:\n{got}\n--- expected ---\n{expected}"
            );
        }
        (Err(expected), Err(step)) => {
            assert_eq!(step.render(full), expected.render(full), "error of {full}");
        }
        (Ok(_), Err(e)) => panic!("{full}: the step failed: {}", e.render(full)),
        (Err(e), Ok(_)) => panic!("{full}: the full run failed: {}", e.render(full)),
    }
}

fn picked(rows: &Rows) -> bool {
    rows.picks().is_some()
}

#[test]
fn filters_and_sorts_of_a_table_pick_rows_without_gathering() {
    for stage in [
        "where RemotePort == 4444",
        "where RemoteIP has \"192.168.0.\" and RemotePort in (443, 4444)",
        "sort by Timestamp desc",
        "sort by RemoteUrl asc, Timestamp desc",
        "order by RemotePort asc nulls last",
        "search \"192.168.0\"",
        "where * has \"cloudfront\"",
        "top 7 by RemoteUrl asc",
        "sort by Timestamp asc | take 4",
        "where RemotePort > 1000 | sort by LocalPort desc | take 20",
    ] {
        let rows = steps(&["DeviceNetworkEvents", stage]);
        assert!(picked(&rows), "{stage} gathered its rows");
    }
}

#[test]
fn stages_that_read_some_columns_answer_as_the_full_run() {
    for stage in [
        "summarize count() by RemoteIP, RemotePort",
        "count",
        "project RemoteIP, Timestamp",
        "extend Length = strlen(RemoteUrl) | summarize max(Length) by RemotePort",
        "distinct RemotePort",
        "where RemotePort == 443 | summarize dcount(RemoteIP) by bin(Timestamp, 1h)",
        "project-away RemoteUrl",
        "extend Port = tostring(RemotePort)",
        "summarize take_any(*) by RemotePort",
        "summarize count()",
        "summarize n = count(), since = min(Timestamp)",
        "where 1 == 1 | count",
        "where true",
        "sort by 1 asc | take 3",
        "take 0",
        "where RemotePort == 4444 | project-rename Port = RemotePort",
        "project Port = RemotePort + 1, RemoteIP",
        "where NoSuchColumn == 1",
        "sort by NoSuchColumn",
        "where RemotPort == 1",
    ] {
        // On the table, and on rows already picked (filtered, reordered).
        steps(&["DeviceNetworkEvents", stage]);
        steps(&["DeviceNetworkEvents", "where RemotePort != 443", stage]);
        steps(&["DeviceNetworkEvents", "sort by RemoteIP asc", stage]);
    }
}

#[test]
fn a_drill_stays_picked_through_the_hunters_next_steps() {
    let drill = search_in_stage("DeviceNetworkEvents", "192.168.0");
    let hits = steps(&[&drill]);
    assert!(picked(&hits));
    assert_eq!(hits.names()[0], "$table");

    let keys = ["RemoteIP".to_string(), "RemotePort".to_string()];
    let groups = steps(&[&drill, &frequency_stage(&keys)]);
    assert!(groups.height() > 1);
    let top: Vec<(String, Scalar)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.clone(), groups.cell(0, i)))
        .collect();
    let group = group_stage(&top);
    let drilled = steps(&[&drill, &group]);
    assert!(picked(&drilled) && drilled.height() > 0);

    let sorted = steps(&[
        &drill,
        &group,
        "sort by RemoteUrl asc",
        "where RemotePort > 0",
    ]);
    assert!(picked(&sorted));
    steps(&[&drill, "sort by Timestamp desc", "search \"4444\""]);
    steps(&[&drill, "where $table == \"DeviceNetworkEvents\"", "take 3"]);
    steps(&[&drill, "extend Hour = bin(Timestamp, 1h)", "count"]);
}

#[test]
fn searches_within_picked_rows_read_every_column() {
    // Sorted rows (every row picked) and a narrow drill (a few picked):
    // a search is answered from the source or from the gathered rows.
    steps(&[
        "DeviceNetworkEvents",
        "sort by Timestamp desc",
        "search \"4444\"",
    ]);
    steps(&[
        "DeviceNetworkEvents",
        "where RemotePort == 4444",
        "search \"192.168.0.255\"",
    ]);
    steps(&[
        "DeviceNetworkEvents",
        "sort by RemotePort asc",
        "where * has \"443\"",
    ]);
}

#[test]
fn millions_of_rows_are_filtered_a_slice_at_a_time_to_the_same_answer() {
    let rows = steps(&[
        "Big",
        "where RemotePort == 4444 or RemoteUrl has \"cloudfront\"",
    ]);
    assert!(picked(&rows));
    steps(&["Big", "search \"192.168.0\"", "sort by Timestamp asc"]);
    steps(&[
        "Big",
        "sort by RemoteIP asc",
        "summarize count() by RemotePort",
    ]);
}

#[test]
fn row_window_functions_see_the_picked_rows_in_order() {
    steps(&[
        "DeviceNetworkEvents",
        "sort by Timestamp asc",
        "where row_number() <= 3",
    ]);
    steps(&[
        "DeviceNetworkEvents",
        "where RemotePort == 443",
        "sort by Timestamp asc",
        "extend n = row_number()",
    ]);
}

#[test]
fn queries_with_lets_and_other_sources_run_whole() {
    let rows = run_rows(
        catalog(),
        "let p = 4444; DeviceNetworkEvents | where RemotePort == p",
        &options(),
        None,
    )
    .unwrap();
    assert!(!picked(&rows));
    assert_same(
        "let p = 4444; DeviceNetworkEvents | where RemotePort == p",
        Ok(rows),
    );
    let text = join_stages(&[
        "union DeviceNetworkEvents, NetworkCommunicationEvents".to_string(),
        "where RemotePort == 4444".to_string(),
    ]);
    assert_same(&text, run_rows(catalog(), &text, &options(), None));
}

#[test]
fn a_view_draws_its_window_of_picked_rows() {
    let rows = steps(&["DeviceNetworkEvents", "sort by Timestamp desc"]);
    let whole = run(
        catalog(),
        "DeviceNetworkEvents | sort by Timestamp desc",
        &options(),
    )
    .unwrap();
    let window = rows.window(10, 5);
    assert!(window.equals_missing(&whole.slice(10, 5)));
    let col = whole.get_column_index("RemoteIP").unwrap();
    assert_eq!(
        rows.cell(12, col),
        Scalar::from_series(
            whole.column("RemoteIP").unwrap().as_materialized_series(),
            12
        )
    );
}
