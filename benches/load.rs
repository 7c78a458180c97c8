//! Loading a large DeviceNetworkEvents export, from Parquet and from CSV.
//!
//! The data is what `quarry sample` writes (5,000,000 network events by
//! default; `QUARRY_BENCH_ROWS` changes it), generated once into
//! `bench-data/<rows>/{csv,parquet}/` (git-ignored) by the release binary.
//!
//!     cargo bench --bench load
//!     QUARRY_BENCH_ROWS=500000 cargo bench --bench load
//!
//! Criterion measures time; for peak memory, time the CLI, which loads the
//! same way: `/usr/bin/time -v target/release/quarry tables
//! bench-data/5000000/csv/DeviceNetworkEvents.csv` ("Maximum resident set
//! size"). The goals (issue 13): at most 1 GiB for the 5,000,000 rows, and
//! no slower than Python Polars. `benches/compare/load.py` loads the same
//! files with Quarry, Polars and DuckDB, each run in a fresh process, and
//! prints times and peak memory side by side:
//!
//!     python3 benches/compare/load.py --quarry target/release/quarry \
//!         bench-data/5000000/parquet/DeviceNetworkEvents.parquet \
//!         bench-data/5000000/csv/DeviceNetworkEvents.csv

mod common;

use std::sync::atomic::AtomicBool;
use std::time::Duration;

use common::{data, rows, source};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use quarry::data::load::{LoadControl, load_table};

fn bench_load(c: &mut Criterion) {
    // As `quarry` itself runs.
    quarry::data::load::keep_freed_memory();
    let mut group = c.benchmark_group("load DeviceNetworkEvents");
    group.sample_size(10);
    group.measurement_time(Duration::from_secs(60));
    for format in ["parquet", "csv"] {
        let file = data(format);
        let source = source(&file);
        let bytes = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(format!("{format} {} rows", rows()), |b| {
            b.iter(|| {
                let cancel = AtomicBool::new(false);
                let control = LoadControl::new(&|_| {}, &cancel);
                let (tables, errors) = load_table(&source, &control);
                assert!(errors.is_empty(), "{errors:?}");
                assert_eq!(tables[0].rows(), rows());
                tables
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_load);
criterion_main!(benches);
