//! `summarize count() by RemoteIP, RemotePort` over 5 million connections
//! with millions of distinct (RemoteIP, RemotePort) pairs: the cardinality
//! the engine issue specifies (4.6M groups; goal 0.5 s on 2 cores). The
//! generated sample data has far fewer pairs (its remote addresses come from
//! a few hundred hosts), so these frames are made here, as inbound traffic
//! to an exposed server looks: ephemeral remote ports, and remote addresses
//! drawn either from 8,192 addresses (about 4.6M pairs; RemoteIP is then
//! dictionary-encoded, as the catalog stores it) or from 4 million
//! (nearly every pair distinct; RemoteIP stays plain text and is hashed).
//!
//!     cargo bench --bench summarize

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::data::encode::encode_frame;
use quarry::kql::{RunOptions, run};

const ROWS: usize = 5_000_000;

/// A small, fast, deterministic generator (SplitMix64).
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

fn connections(n: usize, addresses: u64, ports: u64) -> DataFrame {
    let mut r = Mix(42);
    let mut ip = Vec::with_capacity(n);
    let mut port = Vec::with_capacity(n);
    for _ in 0..n {
        let a = r.next() % addresses;
        ip.push(format!(
            "20.{}.{}.{}",
            64 + (a >> 16),
            (a >> 8) & 255,
            a & 255
        ));
        port.push(49_152 + (r.next() % ports) as i32);
    }
    let frame = DataFrame::new(
        n,
        vec![
            Column::new("RemoteIP".into(), ip),
            Column::new("RemotePort".into(), port),
        ],
    )
    .expect("frame");
    encode_frame(frame).expect("encode")
}

fn bench(c: &mut Criterion) {
    let options = RunOptions::default();
    let query = "DeviceNetworkEvents | summarize count() by RemoteIP, RemotePort";
    let mut g = c.benchmark_group("summarize");
    g.sample_size(10);
    for (addresses, ports) in [(8_192, 4_096), (1 << 22, 16_384)] {
        let mut catalog = Catalog::new();
        catalog.insert(Table {
            name: "DeviceNetworkEvents".into(),
            frame: connections(ROWS, addresses, ports),
            files: Vec::new(),
            warnings: Vec::new(),
        });
        let groups = run(&catalog, query, &options).expect("query").height();
        let encoded = matches!(
            catalog
                .get("DeviceNetworkEvents")
                .map(|t| t.frame.column("RemoteIP").map(|c| c.dtype().clone())),
            Some(Ok(DataType::Categorical(_, _)))
        );
        let how = if encoded { "encoded" } else { "plain text" };
        g.bench_function(
            format!("count by RemoteIP ({how}), RemotePort: {groups} groups"),
            |b| b.iter(|| black_box(run(&catalog, query, &options).expect("query"))),
        );
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
