//! The workbench's steps on a large catalog, timed as the workbench runs
//! them, with the memory they take.
//!
//! The data is what `quarry sample --format parquet` writes (5,000,000
//! network events by default; `QUARRY_BENCH_ROWS` changes it, and the other
//! tables scale with it), generated once into `bench-data/<rows>/parquet/`
//! (git-ignored) by the release binary. The whole folder is loaded, as
//! `quarry bench-data/<rows>/parquet` loads it, then each step runs
//! `QUARRY_BENCH_RUNS` times (default 3):
//!
//! - the all-table search (`/` at home): `search "T" | summarize Hits ...`;
//! - a drill (Enter on a table's hit count): `search in (Table) "T"`;
//! - `F` on two marked columns of the drilled rows: their frequency table;
//! - a drill into the largest group (Enter on it): `where K1 == .. and ..`;
//! - sorts (`s` on a column): the whole network table by time and by a
//!   text column, and the drilled rows by a text column.
//!
//! Every step runs as the workbench runs it (`kql::run_rows`): on the
//! previous step's rows, standing for its table
//! (`session::kql_text::plan_append`), and answering with the rows it
//! picked, gathered only as a view draws them. Each line also times
//! drawing the step's first screen (50 rows) and gathering every row of
//! it (what an export or a stage that reads every column pays).
//!
//!     cargo bench --bench workbench
//!     QUARRY_BENCH_ROWS=50000000 cargo bench --bench workbench
//!     QUARRY_BENCH_TERM=10.10.0.10 cargo bench --bench workbench
//!
//! Each line gives the first run, the median of all runs, the rows of the
//! result and the process's resident memory after the step; the load line
//! gives the peak resident memory so far. For the peak of the whole run:
//! `/usr/bin/time -v target/release/deps/workbench-* --bench`.

mod common;

use std::time::{Duration, Instant};

use quarry::data::catalog::Catalog;
use quarry::data::load::load_paths;
use quarry::kql::value::Scalar;
use quarry::kql::{Cancel, Rows, RunOptions, run_rows};
use quarry::session::kql_text::{
    Plan, frequency_stage, global_search_stages, group_stage, join_stages, plan_append,
    search_in_stage, sort_stage,
};

const TABLE: &str = "DeviceNetworkEvents";

/// A line of /proc/self/status in MiB (`VmRSS`, `VmHWM`), where there is one.
fn memory(field: &str) -> String {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with(field))?;
            let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(format!("{} MiB", kb >> 10))
        })
        .unwrap_or_else(|| "n/a".into())
}

fn runs() -> usize {
    std::env::var("QUARRY_BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1)
}

/// Runs `text` on `catalog` as the workbench's worker does, `register` (a
/// previous step's rows) standing for the table of that name.
fn step(catalog: &Catalog, text: &str, register: Option<(&str, &Rows)>) -> Rows {
    run_rows(catalog, text, &RunOptions::default(), register)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
}

/// Times a step over the runs and prints its line; returns its result.
fn timed(label: &str, catalog: &Catalog, text: &str, register: Option<(&str, &Rows)>) -> Rows {
    let mut times: Vec<Duration> = Vec::new();
    let mut result = Rows::default();
    for _ in 0..runs() {
        // The previous run's result is dropped first, as the workbench
        // replaces a step's rows.
        drop(std::mem::take(&mut result));
        let start = Instant::now();
        result = step(catalog, text, register);
        times.push(start.elapsed());
    }
    let first = times[0];
    times.sort();
    let median = times[times.len() / 2];
    let screen = Instant::now();
    let window = result.window(0, 50);
    let screen = screen.elapsed();
    drop(window);
    let whole = Instant::now();
    let gathered = result.gather(Cancel::default()).expect("gathered");
    let whole = whole.elapsed();
    drop(gathered);
    println!(
        "{label:<34} first {:>7.3} s  median {:>7.3} s  {:>11} rows  screen {:>6.1} ms  gather all {:>6.3} s  RSS {}",
        first.as_secs_f64(),
        median.as_secs_f64(),
        result.height(),
        screen.as_secs_f64() * 1e3,
        whole.as_secs_f64(),
        memory("VmRSS")
    );
    result
}

/// Runs `stage` appended to `parent` as the workbench plans it: on
/// `frame`, the parent's rows, when the plan allows.
fn appended(label: &str, catalog: &Catalog, parent: &[String], frame: &Rows, stage: &str) -> Rows {
    let (full, plan) = plan_append(parent, stage).unwrap_or_else(|e| panic!("{stage}: {e}"));
    match &plan {
        Plan::Cached { text, table, .. } => timed(label, catalog, text, Some((table, frame))),
        Plan::Full { .. } => timed(label, catalog, &full, None),
    }
}

fn main() {
    // As `quarry` itself runs.
    quarry::data::load::keep_freed_memory();
    let rows = common::rows();
    let file = common::data("parquet");
    let folder = file
        .parent()
        .expect("folder")
        .to_string_lossy()
        .into_owned();
    let term = std::env::var("QUARRY_BENCH_TERM").unwrap_or_else(|_| "192.168.0".into());
    println!(
        "# {rows} network events, folder {folder}, term {term:?}, {} runs",
        runs()
    );

    let start = Instant::now();
    let catalog = load_paths(std::slice::from_ref(&folder));
    assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
    let loaded: Vec<String> = catalog
        .tables()
        .map(|t| format!("{} {}", t.name, t.rows()))
        .collect();
    println!(
        "{:<34} {:>7.3} s  peak {}  RSS {}  ({})",
        "load the folder",
        start.elapsed().as_secs_f64(),
        memory("VmHWM"),
        memory("VmRSS"),
        loaded.join(", ")
    );

    let search = join_stages(&global_search_stages(&term));
    timed("search, every table", &catalog, &search, None);

    let drill = vec![search_in_stage(TABLE, &term)];
    let hits = timed("drill: the table's hits", &catalog, &drill[0], None);

    let keys = ["RemoteIP".to_string(), "RemotePort".to_string()];
    let groups = appended(
        "F: RemoteIP, RemotePort",
        &catalog,
        &drill,
        &hits,
        &frequency_stage(&keys),
    );
    if groups.height() > 0 {
        let top: Vec<(String, Scalar)> = keys
            .iter()
            .map(|k| {
                let column = groups.names().iter().position(|n| n == k);
                (k.clone(), groups.cell(0, column.expect("key column")))
            })
            .collect();
        appended(
            "drill: the largest group",
            &catalog,
            &drill,
            &hits,
            &group_stage(&top),
        );
    }
    appended(
        "sort the drill by RemoteUrl",
        &catalog,
        &drill,
        &hits,
        &sort_stage("RemoteUrl", false),
    );
    drop(hits);

    let table = Rows::whole(catalog.get(TABLE).expect("table").frame.clone());
    let opened = vec![TABLE.to_string()];
    appended(
        "sort the table by Timestamp",
        &catalog,
        &opened,
        &table,
        &sort_stage("Timestamp", true),
    );
    appended(
        "sort the table by RemoteUrl",
        &catalog,
        &opened,
        &table,
        &sort_stage("RemoteUrl", false),
    );
    println!("{:<34} peak {}", "whole run", memory("VmHWM"));
}
