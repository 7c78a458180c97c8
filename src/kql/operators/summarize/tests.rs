//! Every aggregate computed directly (`direct`) against the same query
//! computed through Polars' plans, on the same data: the results must be
//! identical, column names, types, nulls and order included.

use std::cell::Cell;

use polars::prelude::*;

use crate::data::catalog::{Catalog, Table};
use crate::data::encode;
use crate::kql::{RunOptions, run};

thread_local! {
    /// Set while a test runs a query the plain way: every aggregate
    /// through Polars.
    pub(super) static PLAIN: Cell<bool> = const { Cell::new(false) };
    /// Aggregate calls computed directly by the last query.
    pub(super) static DIRECT_CALLS: Cell<usize> = const { Cell::new(0) };
}

/// A small, deterministic generator (SplitMix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// `rows` events over `hosts` hosts, every column type with nulls (text
/// with empty values), as a catalog with one table `T`.
fn catalog(rows: usize, hosts: u64) -> Catalog {
    let mut r = Mix(rows as u64 ^ hosts);
    let mut host = Vec::new();
    let mut port = Vec::new();
    let mut bytes = Vec::new();
    let mut time = Vec::new();
    let mut dur = Vec::new();
    let mut real = Vec::new();
    let mut flag = Vec::new();
    let mut dynamic: Vec<Option<String>> = Vec::new();
    let mut sparse = Vec::new();
    for i in 0..rows {
        let h = r.below(hosts);
        host.push(if r.below(13) == 0 {
            String::new()
        } else {
            format!("host-{h}")
        });
        port.push((r.below(9) != 0).then(|| [80, 443, 4444, 8080, 53][r.below(5) as usize]));
        bytes.push((r.below(7) != 0).then(|| r.below(100_000) as i64 - 20_000));
        // Ten days in whole minutes; a few equal timestamps per host.
        time.push(
            (r.below(11) != 0)
                .then(|| 1_740_787_200_000_000_000 + r.below(14_400) as i64 * 60_000_000_000),
        );
        dur.push((r.below(6) != 0).then(|| r.below(3_600) as i64 * 1_000_000_000));
        real.push((r.below(8) != 0).then(|| match r.below(20) {
            0 => f64::NAN,
            1 => -0.0,
            2 => 0.0,
            _ => r.below(1000) as f64 / 8.0,
        }));
        flag.push((r.below(10) != 0).then(|| r.below(3) == 0));
        dynamic.push(match r.below(6) {
            0 => None,
            1 => Some("[1,2]".to_string()),
            2 => Some(format!("[{},\"a\"]", r.below(3))),
            3 => Some("{\"k\":1}".to_string()),
            4 => Some(format!("\"s{}\"", r.below(4))),
            _ => Some(format!("{}", r.below(5))),
        });
        // Null on every row of the first two hosts' groups.
        sparse.push((h >= 2).then_some(i as i64 % 17));
    }
    let text = StringChunked::from_iter_values("HostEnc".into(), host.iter().map(String::as_str));
    // Text with too many distinct values stays plain, as loading keeps it.
    let encoded = encode::encode(&text)
        .expect("encode")
        .unwrap_or_else(|| text.into_series());
    let dynamic: BinaryChunked = dynamic
        .iter()
        .map(|d| d.as_ref().map(|s| s.as_bytes()))
        .collect();
    let frame = DataFrame::new(
        rows,
        vec![
            Column::new("Host".into(), host),
            encoded.into_column(),
            Column::new("Port".into(), port),
            Column::new("Bytes".into(), bytes),
            Int64Chunked::new("Time".into(), time)
                .into_datetime(TimeUnit::Nanoseconds, None)
                .into_column(),
            Int64Chunked::new("Dur".into(), dur)
                .into_duration(TimeUnit::Nanoseconds)
                .into_column(),
            Column::new("Real".into(), real),
            Column::new("Flag".into(), flag),
            dynamic.with_name("Dyn".into()).into_column(),
            Column::new("Sparse".into(), sparse),
        ],
    )
    .expect("frame");
    // In several chunks, as loaded tables are.
    let third = rows / 3;
    let mut chunked = frame.slice(0, third);
    for part in [
        frame.slice(third as i64, third),
        frame.slice(2 * third as i64, rows),
    ] {
        chunked.vstack_mut(&part).expect("stack");
    }
    assert!(rows < 3 || chunked.columns()[0].n_chunks() == 3);
    let frame = chunked;
    let mut catalog = Catalog::new();
    catalog.insert(Table {
        name: "T".into(),
        frame,
        files: Vec::new(),
        warnings: Vec::new(),
    });
    catalog
}

/// Runs `query` directly and the plain way; asserts the results are the
/// same and that `direct` calls were computed directly. Returns the
/// result.
fn same_both_ways(catalog: &Catalog, query: &str, direct: usize) -> DataFrame {
    let options = RunOptions::default();
    PLAIN.set(true);
    let plain = run(catalog, query, &options);
    PLAIN.set(false);
    let plain = plain.unwrap_or_else(|e| panic!("{query}: {e}"));
    assert_eq!(
        DIRECT_CALLS.get(),
        0,
        "{query}: nothing direct the plain way"
    );
    let fast = run(catalog, query, &options).unwrap_or_else(|e| panic!("{query}: {e}"));
    assert_eq!(
        DIRECT_CALLS.get(),
        direct,
        "{query}: calls computed directly"
    );
    assert_eq!(plain.schema(), fast.schema(), "{query}");
    assert!(
        plain.equals_missing(&fast),
        "{query}\nplain:\n{plain}\ndirect:\n{fast}"
    );
    fast
}

/// Aggregates, and how many of their calls are computed directly.
const AGGREGATES: &[(&str, usize)] = &[
    ("count()", 1),
    ("count(Port)", 1),
    ("countif(Port > 100)", 1),
    ("countif(Flag)", 1),
    ("sum(Port)", 1),
    ("sum(Bytes)", 1),
    ("sum(Dur)", 1),
    ("sumif(Bytes, Flag)", 1),
    ("sum(Real)", 0),
    ("avg(Port)", 1),
    ("avg(Bytes)", 1),
    ("avgif(Port, Flag)", 1),
    ("avg(Real)", 0),
    ("avg(Time)", 0),
    ("min(Port)", 1),
    ("max(Bytes)", 1),
    ("min(Time)", 1),
    ("max(Dur)", 1),
    ("minif(Time, Flag)", 1),
    ("maxif(Port, Port < 100)", 1),
    ("min(Host)", 0),
    ("max(Real)", 0),
    ("dcount(Port)", 1),
    ("dcount(Host)", 1),
    ("dcount(HostEnc)", 1),
    ("dcount(Time)", 1),
    ("dcount(Dyn)", 1),
    ("dcount(Real)", 1),
    ("dcount(Flag)", 1),
    ("dcount(Port, 2)", 1),
    ("dcountif(Host, Flag)", 1),
    ("count_distinct(Bytes)", 1),
    ("arg_min(Time, *)", 1),
    ("arg_max(Bytes, Host, Port)", 1),
    ("arg_min(Port, HostEnc)", 1),
    ("Last = arg_max(Time, *)", 1),
    ("arg_max(Dur, Dyn)", 1),
    ("take_any(Host)", 1),
    ("take_any(HostEnc)", 1),
    ("take_any(Port)", 1),
    ("take_any(Host, Port)", 1),
    ("take_any(*)", 1),
    ("take_anyif(Host, Flag)", 1),
    ("take_anyif(Port, Port > 1000)", 1),
    ("make_set(Port)", 1),
    ("make_set(Host)", 1),
    ("make_set(HostEnc)", 1),
    ("make_set(Time)", 1),
    ("make_set(Real)", 1),
    ("make_set(Port, 2)", 1),
    ("make_set_if(Host, Flag)", 1),
    ("make_set_if(Bytes, Flag, 3)", 1),
    ("make_set(Dyn)", 0),
    ("make_list(Port)", 1),
    ("make_list(HostEnc)", 1),
    ("make_list(Dyn)", 0),
    ("make_list(Dur, 4)", 1),
    ("make_list_if(Bytes, Flag, 3)", 1),
    ("make_list_with_nulls(Port)", 1),
    ("make_list_with_nulls(Host)", 1),
    ("stdev(Bytes)", 0),
    ("percentile(Bytes, 50)", 0),
];

/// Keys of every kind: text, encoded text, ints with nulls, datetimes,
/// dynamic values, bools, reals, computed keys.
const KEYS: &[&str] = &[
    "Host",
    "HostEnc, Port",
    "Time",
    "Dyn",
    "Flag, Real",
    "bin(Time, 1d), Host",
    "tostring(Dyn)",
];

#[test]
fn every_aggregate_is_the_same_directly_and_through_polars() {
    let catalog = catalog(3_000, 40);
    for key in KEYS {
        for (aggregate, direct) in AGGREGATES {
            let query = format!("T | summarize {aggregate} by {key}");
            same_both_ways(&catalog, &query, *direct);
        }
    }
}

#[test]
fn several_aggregates_mix_direct_and_polars_columns() {
    let catalog = catalog(3_000, 40);
    let out = same_both_ways(
        &catalog,
        "T | summarize n = count(), dcount(Port), s = stdev(Bytes), arg_max(Time, Host), \
         make_set(Dyn), take_any(*) by HostEnc",
        4,
    );
    assert_eq!(out.height(), 41);
    same_both_ways(
        &catalog,
        "T | summarize round(avg(Bytes), 2), array_length(make_set(Port)), \
         max(Time) - min(Time) by Host",
        4,
    );
}

#[test]
fn groups_without_values_get_each_aggregates_empty_value() {
    // Sparse is null throughout the first two hosts' groups; the `if`
    // forms see no row where the predicate never holds.
    let catalog = catalog(3_000, 40);
    let query = "T | summarize count(), sum(Sparse), min(Sparse), avg(Sparse), \
                 arg_min(Sparse, *), take_any(Sparse), dcount(Sparse), make_set(Sparse), \
                 make_list(Sparse), countif(Port == -1), sumif(Bytes, Port == -1), \
                 maxif(Time, Port == -1), take_anyif(Host, Port == -1), \
                 make_set_if(Host, Port == -1) by Host";
    let out = same_both_ways(&catalog, query, 14);
    let empty = out
        .clone()
        .lazy()
        .filter(col("Host").eq(lit("host-0")))
        .collect()
        .expect("filter");
    assert_eq!(empty.height(), 1);
    let cell = |name: &str| {
        empty
            .column(name)
            .expect(name)
            .get(0)
            .expect("row")
            .to_string()
    };
    assert_eq!(cell("sum_Sparse"), "0");
    assert_eq!(cell("min_Sparse"), "null");
    assert_eq!(cell("avg_Sparse"), "null");
    assert_eq!(cell("dcount_Sparse"), "0");
    assert_eq!(cell("set_Sparse"), "b\"[]\"");
    assert_eq!(cell("countif_"), "0");
}

#[test]
fn no_rows_are_no_groups() {
    let catalog = catalog(3_000, 40);
    let out = same_both_ways(
        &catalog,
        "T | where Port == -1 | summarize count(), make_set(Host), arg_min(Time, *) by Host",
        3,
    );
    assert_eq!(out.height(), 0);
}

#[test]
fn rows_shared_between_threads_merge_in_row_order() {
    // Enough rows that each thread folds its own share of the rows, with
    // few groups; ties (equal extremes) must go to the first row.
    let catalog = catalog(300_000, 50);
    same_both_ways(
        &catalog,
        "T | summarize count(), sum(Bytes), avg(Port), min(Time), arg_max(Port, Host, Bytes), \
         take_any(HostEnc), countif(Flag), take_anyif(Port, Flag) by HostEnc",
        8,
    );
    // Bitmaps per group (few encoded values, few flags) and grouped pairs
    // (many values).
    same_both_ways(
        &catalog,
        "T | summarize dcount(Bytes), make_set(Port), make_list(Port, 5), dcount(HostEnc), \
         make_set(HostEnc), make_set_if(Flag, Port > 100) by Port, Flag",
        6,
    );
}

#[test]
fn many_groups_are_the_same_directly_and_through_polars() {
    // About as many groups as rows: every group's table is bucketed.
    let catalog = catalog(200_000, 150_000);
    same_both_ways(
        &catalog,
        "T | summarize count(), dcount(Port), arg_max(Time, Bytes), make_set(Port) by Host, Port",
        4,
    );
}
