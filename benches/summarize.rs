//! Grouping: `summarize` over 5 million connections, on the same Parquet
//! files that `benches/compare/grouping.py` gives DuckDB and Python Polars.
//!
//! The data sets:
//!
//! - `sample`: the generated DeviceNetworkEvents (`quarry sample --rows
//!   5000000 --format parquet`, see `common`), loaded as the workbench
//!   loads it. `count() by RemoteIP, RemotePort` has 289k groups there.
//! - `generated`: inbound traffic to an exposed server, made here:
//!   ephemeral remote ports and remote addresses drawn from 8,192 addresses
//!   (about 4.6M (RemoteIP, RemotePort) pairs; RemoteIP is then
//!   dictionary-encoded, as the catalog stores it), with a timestamp and
//!   one of 1,000 device names per row.
//! - `near-distinct`: the same from 4 million addresses: nearly every pair
//!   distinct; RemoteIP stays plain text and is hashed.
//!
//! The generated rows are written once to
//! `bench-data/grouping/connections-<addresses>.parquet` for the comparison
//! script. Run with:
//!
//! ```text
//! cargo bench --bench summarize
//! cargo bench --bench summarize -- sample/      # one data set
//! cargo bench --bench summarize -- dcount       # one aggregate
//! ```

mod common;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use criterion::{Criterion, criterion_group, criterion_main};
use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::data::encode::encode_frame;
use quarry::data::load::{LoadControl, load_table};
use quarry::kql::{RunOptions, run};

const ROWS: usize = 5_000_000;

/// The queries on the sample data, named as the comparison script names
/// them.
const SAMPLE: &[(&str, &str)] = &[
    (
        "count by RemoteIP, RemotePort",
        "summarize count() by RemoteIP, RemotePort",
    ),
    (
        "dcount(RemotePort) by RemoteIP",
        "summarize dcount(RemotePort) by RemoteIP",
    ),
    (
        "arg_min(Timestamp, RemoteUrl) by RemoteIP, RemotePort",
        "summarize arg_min(Timestamp, RemoteUrl) by RemoteIP, RemotePort",
    ),
    (
        "make_set(RemotePort) by RemoteIP",
        "summarize make_set(RemotePort) by RemoteIP",
    ),
    (
        "count, dcount, arg_max by RemoteIP, ReportId",
        "summarize count(), dcount(RemotePort), arg_max(Timestamp, RemoteUrl) by RemoteIP, ReportId",
    ),
];

/// The queries on the generated connections.
const GENERATED: &[(&str, &str)] = &[
    (
        "count by RemoteIP, RemotePort",
        "summarize count() by RemoteIP, RemotePort",
    ),
    (
        "dcount(DeviceName) by RemoteIP",
        "summarize dcount(DeviceName) by RemoteIP",
    ),
    (
        "arg_min(Timestamp, DeviceName) by RemoteIP, RemotePort",
        "summarize arg_min(Timestamp, DeviceName) by RemoteIP, RemotePort",
    ),
    (
        "make_set(RemotePort) by RemoteIP",
        "summarize make_set(RemotePort) by RemoteIP",
    ),
];

/// A small, fast, deterministic generator (SplitMix64); the comparison
/// script computes the same sequence.
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// `n` connections from `addresses` remote addresses to `ports` remote
/// ports (plain text, as read from a file).
fn connections(n: usize, addresses: u64, ports: u64) -> DataFrame {
    let mut r = Mix(42);
    // A second stream, so that the address and port sequence (and so the
    // group counts) stay as they were before these columns were added.
    let mut s = Mix(7);
    let mut ip = Vec::with_capacity(n);
    let mut port = Vec::with_capacity(n);
    let mut time = Vec::with_capacity(n);
    let mut device = Vec::with_capacity(n);
    // 2025-03-01T00:00:00Z, in nanoseconds.
    const START: i64 = 1_740_787_200_000_000_000;
    for _ in 0..n {
        let a = r.next() % addresses;
        ip.push(format!(
            "20.{}.{}.{}",
            64 + (a >> 16),
            (a >> 8) & 255,
            a & 255
        ));
        port.push(49_152 + (r.next() % ports) as i32);
        // Within a week, to the millisecond.
        time.push(START + (s.next() % 604_800_000) as i64 * 1_000_000);
        device.push(format!("ws-{:04}", s.next() % 1000));
    }
    let time = Int64Chunked::from_vec("Timestamp".into(), time)
        .into_datetime(TimeUnit::Nanoseconds, None)
        .into_column();
    DataFrame::new(
        n,
        vec![
            time,
            Column::new("DeviceName".into(), device),
            Column::new("RemoteIP".into(), ip),
            Column::new("RemotePort".into(), port),
        ],
    )
    .expect("frame")
}

/// Where the comparison script finds the generated connections.
fn generated_file(addresses: u64) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench-data")
        .join("grouping")
        .join(format!("connections-{addresses}.parquet"))
}

fn write_parquet(frame: &mut DataFrame, path: &Path) {
    if path.exists() {
        return;
    }
    let dir = path.parent().expect("a folder");
    std::fs::create_dir_all(dir).expect("create bench-data/grouping");
    let partial = path.with_extension("partial");
    let file = std::fs::File::create(&partial).expect("create parquet");
    ParquetWriter::new(file)
        .finish(frame)
        .expect("write parquet");
    std::fs::rename(&partial, path).expect("rename parquet");
}

fn sample_catalog() -> Catalog {
    let file = common::data("parquet");
    let source = common::source(&file);
    let never = AtomicBool::new(false);
    let (tables, errors) = load_table(&source, &LoadControl::new(&|_| {}, &never));
    assert!(errors.is_empty(), "{errors:?}");
    let mut catalog = Catalog::new();
    for t in tables {
        catalog.insert(t);
    }
    catalog
}

fn generated_catalog(addresses: u64, ports: u64) -> Catalog {
    let mut frame = connections(ROWS, addresses, ports);
    write_parquet(&mut frame, &generated_file(addresses));
    let mut catalog = Catalog::new();
    catalog.insert(Table {
        name: "Connections".into(),
        frame: encode_frame(frame).expect("encode"),
        files: Vec::new(),
        warnings: Vec::new(),
    });
    catalog
}

fn cases(c: &mut Criterion, group: &str, catalog: &Catalog, table: &str, queries: &[(&str, &str)]) {
    let options = RunOptions::default();
    let mut g = c.benchmark_group(group);
    g.sample_size(10);
    for (name, query) in queries {
        let query = format!("{table} | {query}");
        let groups = run(catalog, &query, &options).expect("query").height();
        g.bench_function(format!("{name}: {groups} groups"), |b| {
            b.iter(|| black_box(run(catalog, &query, &options).expect("query")))
        });
    }
    g.finish();
}

/// Whether a name filter given on the command line (`-- sample/`) may
/// select a case of `group`: data sets no case of which is wanted are not
/// loaded.
fn wanted(group: &str, queries: &[(&str, &str)]) -> bool {
    // Criterion's options that take a value: that value is no filter.
    const VALUED: &[&str] = &[
        "--warm-up-time",
        "--measurement-time",
        "--sample-size",
        "--profile-time",
        "--save-baseline",
        "--baseline",
        "--load-baseline",
        "--noise-threshold",
        "--confidence-level",
        "--significance-level",
        "--nresamples",
        "--output-format",
        "--plotting-backend",
        "--color",
    ];
    let args: Vec<String> = std::env::args().skip(1).collect();
    let filters: Vec<&String> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            !a.starts_with('-') && (*i == 0 || !VALUED.contains(&args[i - 1].as_str()))
        })
        .map(|(_, a)| a)
        .collect();
    // Criterion reads a filter as a regular expression.
    let filters: Vec<regex::Regex> = filters
        .iter()
        .map(|f| regex::Regex::new(f).unwrap_or_else(|_| panic!("bad filter {f}")))
        .collect();
    filters.is_empty()
        || queries.iter().any(|(name, _)| {
            let id = format!("{group}/{name}");
            filters.iter().any(|f| f.is_match(&id))
        })
}

fn bench(c: &mut Criterion) {
    if wanted("sample", SAMPLE) {
        let sample = sample_catalog();
        cases(c, "sample", &sample, "DeviceNetworkEvents", SAMPLE);
    }
    if wanted("generated", GENERATED) {
        let encoded = generated_catalog(8_192, 4_096);
        cases(c, "generated", &encoded, "Connections", GENERATED);
    }
    if wanted("near-distinct", &GENERATED[..1]) {
        let distinct = generated_catalog(1 << 22, 16_384);
        cases(
            c,
            "near-distinct",
            &distinct,
            "Connections",
            &GENERATED[..1],
        );
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
