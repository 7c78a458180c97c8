//! Deterministic, realistic sample data with planted hunting stories.
//!
//! `quarry sample --out DIR [--rows N] [--seed S] [--format F]` calls
//! [`generate`] (or [`write_text_dir`] for CSV and JSON Lines). It writes
//! five tables, each through a [`RowSink`] one row at a time, so five million
//! rows need no more memory than fifty:
//!
//! | table                        | rows                                      |
//! |------------------------------|-------------------------------------------|
//! | `DeviceNetworkEvents`        | `rows` (at least the planted rows)        |
//! | `NetworkCommunicationEvents` | about `rows / 5` (at least 1,335)         |
//! | `DeviceProcessEvents`        | `rows / 10` + 10 planted                  |
//! | `DeviceInfo`                 | 139 devices × 14 daily reports            |
//! | `FileProfiles`               | one per known binary hash (a few dozen)   |
//!
//! The data covers the 14 days up to [`END`] (2025-03-18T12:00:00Z), and the
//! newest datetime in every table is exactly `END`. The same options give the
//! same bytes: every random choice comes from ChaCha8 streams keyed by the
//! seed (or, for the fixed "world" of devices, users and hashes, by labels),
//! and nothing reads the wall clock or iterates a hash map.
//!
//! The planted stories ([`planted`], listed in `sample-data/README.md`) are
//! identical for every `rows` and `seed`: the KQL Mysteries beacons to
//! 192.168.0.255:4444, and the CloudFront hunting query's hits and
//! near-misses.

mod catalog;
mod clock;
mod comms;
mod devices;
mod files;
mod network;
pub mod parquet;
pub mod planted;
mod process;
mod processes;
mod profiles;
mod rng;
mod sink;
mod world;

use std::fs::OpenOptions;
use std::io::{self, BufWriter};
use std::path::Path;

pub use clock::{END, START};
pub use sink::{Cell, CsvSink, JsonlSink, RowSink, TableSpec, TextFormat, push_datetime};

/// What to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SampleOptions {
    /// Rows of `DeviceNetworkEvents`; the other tables scale from it.
    pub rows: usize,
    /// Varies the ordinary traffic; the world and planted rows stay fixed.
    pub seed: u64,
}

impl Default for SampleOptions {
    fn default() -> SampleOptions {
        SampleOptions {
            rows: 50_000,
            seed: 1,
        }
    }
}

/// How many rows each table received, in generation order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SampleSummary {
    pub tables: Vec<(String, u64)>,
}

/// The tables [`generate`] writes, in the order it writes them.
pub const TABLES: &[&str] = &[
    network::TABLE,
    comms::TABLE,
    processes::TABLE,
    devices::TABLE,
    profiles::TABLE,
];

/// The spec of every generated table, in generation order.
pub fn table_specs() -> Vec<TableSpec> {
    vec![
        TableSpec::new(network::TABLE, network::columns()),
        TableSpec::new(comms::TABLE, comms::COLUMNS),
        TableSpec::new(processes::TABLE, processes::columns()),
        TableSpec::new(devices::TABLE, devices::columns()),
        TableSpec::new(profiles::TABLE, profiles::columns()),
    ]
}

/// Generates every table in [`TABLES`] order. For each, `sink_factory` is
/// called with its spec and returns where its rows go; the sink receives the
/// rows in time order, then `finish`. Returns the row count per table.
pub fn generate(
    opts: &SampleOptions,
    sink_factory: &mut dyn FnMut(&TableSpec) -> io::Result<Box<dyn RowSink>>,
) -> io::Result<SampleSummary> {
    let world = world::World::new();
    let mut tables = Vec::new();
    for spec in table_specs() {
        let mut sink = sink_factory(&spec)?;
        let rows = match spec.name.as_str() {
            network::TABLE => network::write(&world, opts, sink.as_mut())?,
            comms::TABLE => comms::write(&world, opts, sink.as_mut())?,
            processes::TABLE => processes::write(&world, opts, sink.as_mut())?,
            devices::TABLE => devices::write(&world, opts, sink.as_mut())?,
            profiles::TABLE => profiles::write(&world, sink.as_mut())?,
            other => unreachable!("unknown sample table {other}"),
        };
        sink.finish()?;
        tables.push((spec.name, rows));
    }
    Ok(SampleSummary { tables })
}

/// Writes every table to `dir/<Table>.<csv|jsonl>`, buffered. Refuses to
/// overwrite an existing file (the error names it); creates `dir` if needed.
pub fn write_text_dir(
    opts: &SampleOptions,
    dir: &Path,
    format: TextFormat,
) -> io::Result<SampleSummary> {
    std::fs::create_dir_all(dir)?;
    generate(opts, &mut |spec| {
        let path = dir.join(format!("{}.{}", spec.name, format.extension()));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        format.sink(BufWriter::with_capacity(1 << 20, file), spec)
    })
}

#[cfg(test)]
mod tests;
