//! Window functions (`row_number`, `prev`, `next`, `row_cumsum`,
//! `row_rank_dense`, `row_rank_min`, `row_window_session`), random values,
//! `hash_many`/`hash_combine`, weighted percentiles, the `binary_all_*`
//! aggregates and the storable sketches (`hll`, `tdigest` and their
//! functions): the documentation's examples with their printed output.

use crate::common;

use common::{assert_table, render};
use polars::prelude::DataFrame;
use quarry::data::catalog::Catalog;
use quarry::data::types::KqlType;
use quarry::kql::value::Scalar;
use quarry::kql::{QueryError, RunOptions, run};

fn try_run(query: &str) -> Result<DataFrame, QueryError> {
    run(&Catalog::new(), query, &RunOptions::default())
}

#[track_caller]
fn table(query: &str, expected: &str) {
    let f = try_run(query).unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    assert_table(query, &render(&f), expected);
}

/// Every value of column `name`.
fn column(query: &str, name: &str) -> Vec<Scalar> {
    let f = try_run(query).unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    let c = f
        .column(name)
        .unwrap_or_else(|_| panic!("no column {name} in {f:?}"));
    let s = c.as_materialized_series();
    (0..s.len()).map(|i| Scalar::from_series(s, i)).collect()
}

fn error(query: &str) -> String {
    match try_run(query) {
        Ok(f) => panic!("{query} ran: {f:?}"),
        Err(e) => e.render(query),
    }
}

const DEPARTURES: &str = r#"datatable (Airport:string, Airline:string, Departures:long)
[
  "SEA", "LH", 3,
  "SEA", "LY", 100,
  "SEA", "UA", 3,
  "SEA", "BA", 2,
  "SEA", "EL", 3
]"#;

// --- window functions -------------------------------------------------------------

#[test]
fn row_rank_min_and_dense_from_the_docs() {
    table(
        &format!("{DEPARTURES} | sort by Departures asc | extend Rank=row_rank_min(Departures)"),
        r#"Airport:string | Airline:string | Departures:long | Rank:long
        "SEA" | "BA" | 2 | 1
        "SEA" | "LH" | 3 | 2
        "SEA" | "UA" | 3 | 2
        "SEA" | "EL" | 3 | 2
        "SEA" | "LY" | 100 | 5"#,
    );
    table(
        &format!("{DEPARTURES} | sort by Departures asc | extend Rank=row_rank_dense(Departures)"),
        r#"Airport:string | Airline:string | Departures:long | Rank:long
        "SEA" | "BA" | 2 | 1
        "SEA" | "LH" | 3 | 2
        "SEA" | "UA" | 3 | 2
        "SEA" | "EL" | 3 | 2
        "SEA" | "LY" | 100 | 3"#,
    );
    table(
        r#"datatable(Category:string, Item:string, Value:int)
        ["A", "item1", 10, "A","item2", 10, "A", "item3", 5, "A", "item4", 20, "B", "item2", 5, "B", "item1", 7]
        | sort by Category asc, Value asc
        | extend rank = row_rank_min(Value, Category != prev(Category))"#,
        r#"Category:string | Item:string | Value:int | rank:long
        "A" | "item3" | 5 | 1
        "A" | "item1" | 10 | 2
        "A" | "item2" | 10 | 2
        "A" | "item4" | 20 | 4
        "B" | "item2" | 5 | 1
        "B" | "item1" | 7 | 2"#,
    );
    table(
        r#"datatable (Airport:string, Airline:string, Departures:long)
        ["SEA", "LH", 3, "SEA", "LY", 100, "SEA", "UA", 3, "SEA", "BA", 2, "SEA", "EL", 3, "AMS", "EL", 1, "AMS", "BA", 1]
        | sort by Airport desc, Departures asc
        | extend Rank=row_rank_dense(Departures, prev(Airport) != Airport)
        | project Airport, Departures, Rank"#,
        r#"Airport:string | Departures:long | Rank:long
        "SEA" | 2 | 1
        "SEA" | 3 | 2
        "SEA" | 3 | 2
        "SEA" | 3 | 2
        "SEA" | 100 | 3
        "AMS" | 1 | 1
        "AMS" | 1 | 1"#,
    );
}

#[test]
fn row_number_and_row_cumsum_from_the_docs() {
    table(
        r#"datatable (Airport:string, Airline:string, Departures:long)
        ["TLV", "LH", 1, "TLV", "LY", 100, "SEA", "LH", 1, "SEA", "BA", 2, "SEA", "LY", 0]
        | sort by Airport asc, Departures desc
        | extend Rank=row_number(1, prev(Airport) != Airport)"#,
        r#"Airport:string | Airline:string | Departures:long | Rank:long
        "SEA" | "BA" | 2 | 1
        "SEA" | "LH" | 1 | 2
        "SEA" | "LY" | 0 | 3
        "TLV" | "LY" | 100 | 1
        "TLV" | "LH" | 1 | 2"#,
    );
    table(
        "range a from 1 to 4 step 1 | sort by a desc | extend rn=row_number(7)",
        "a:long | rn:long\n4 | 7\n3 | 8\n2 | 9\n1 | 10",
    );
    table(
        "datatable (a:long) [1, 2, 3, 4, 5, 6, 7, 8, 9, 10] | where a%2==0 | serialize cs=row_cumsum(a)",
        "a:long | cs:long\n2 | 2\n4 | 6\n6 | 12\n8 | 20\n10 | 30",
    );
    table(
        r#"datatable (name:string, month:int, salary:long)
        ["Alice", 1, 1000, "Bob", 1, 1000, "Alice", 2, 2000, "Bob", 2, 1950, "Alice", 3, 1400, "Bob", 3, 1450]
        | order by name asc, month asc
        | extend total=row_cumsum(salary, name != prev(name))"#,
        r#"name:string | month:int | salary:long | total:long
        "Alice" | 1 | 1000 | 1000
        "Alice" | 2 | 2000 | 3000
        "Alice" | 3 | 1400 | 4400
        "Bob" | 1 | 1000 | 1000
        "Bob" | 2 | 1950 | 2950
        "Bob" | 3 | 1450 | 4400"#,
    );
    table(
        "print x=1.5 | union (print x=2.25) | serialize s=row_cumsum(x)",
        "x:real | s:real\n1.5 | 1.5\n2.25 | 3.75",
    );
}

#[test]
fn prev_and_next_with_offsets_and_defaults() {
    table(
        r#"range x from 1 to 4 step 1
        | extend p = prev(x), p2 = prev(x, 2, -1), n = next(x), s = next(strcat("v", x), 1, "end")"#,
        r#"x:long | p:long | p2:long | n:long | s:string
        1 | null | -1 | 2 | "v2"
        2 | 1 | -1 | 3 | "v3"
        3 | 2 | 1 | 4 | "v4"
        4 | 3 | 2 | null | "end""#,
    );
    let e = error("range x from 1 to 2 step 1 | extend p = prev(x, -1)");
    assert!(e.contains("the offset of prev() cannot be negative"), "{e}");
}

#[test]
fn row_window_session_from_the_docs() {
    table(
        r#"datatable (ID:string, Timestamp:datetime) [
            "1", datetime(2024-04-11 10:00:00),
            "2", datetime(2024-04-11 10:18:00),
            "1", datetime(2024-04-11 11:00:00),
            "3", datetime(2024-04-11 11:30:00),
            "2", datetime(2024-04-11 13:30:00),
            "2", datetime(2024-04-11 10:16:00)
        ]
        | sort by ID asc, Timestamp asc
        | extend SessionStarted = row_window_session(Timestamp, 1h, 5m, ID != prev(ID))"#,
        r#"ID:string | Timestamp:datetime | SessionStarted:datetime
        "1" | 2024-04-11T10:00:00.0000000Z | 2024-04-11T10:00:00.0000000Z
        "1" | 2024-04-11T11:00:00.0000000Z | 2024-04-11T11:00:00.0000000Z
        "2" | 2024-04-11T10:16:00.0000000Z | 2024-04-11T10:16:00.0000000Z
        "2" | 2024-04-11T10:18:00.0000000Z | 2024-04-11T10:16:00.0000000Z
        "2" | 2024-04-11T13:30:00.0000000Z | 2024-04-11T13:30:00.0000000Z
        "3" | 2024-04-11T11:30:00.0000000Z | 2024-04-11T11:30:00.0000000Z"#,
    );
    // The session ends an hour after its start, however close the rows.
    table(
        "range t from datetime(2024-01-01) to datetime(2024-01-01 01:20) step 20m
        | extend s = row_window_session(t, 1h, 30m)
        | project s",
        "s:datetime
        2024-01-01T00:00:00.0000000Z
        2024-01-01T00:00:00.0000000Z
        2024-01-01T00:00:00.0000000Z
        2024-01-01T01:00:00.0000000Z
        2024-01-01T01:00:00.0000000Z",
    );
    let e = error("print t=1 | extend row_window_session(t, 1h, 5m)");
    assert!(e.contains("must be a datetime"), "{e}");
}

// --- random values, hashes ---------------------------------------------------------

#[test]
fn rand_and_new_guid_give_fresh_values_per_row() {
    let reals = column("range x from 1 to 200 step 1 | project r = rand()", "r");
    assert!(
        reals
            .iter()
            .all(|v| matches!(v, Scalar::Real(r) if (0.0..1.0).contains(r)))
    );
    let distinct: std::collections::HashSet<String> =
        reals.iter().map(|v| v.to_text().into_owned()).collect();
    assert!(distinct.len() > 190, "{}", distinct.len());
    let ints = column("range x from 1 to 200 step 1 | project r = rand(3)", "r");
    assert!(ints.iter().all(|v| matches!(v, Scalar::Long(0..=2))));
    for k in 0..3 {
        assert!(ints.contains(&Scalar::Long(k)), "{k} never drawn");
    }
    let guids = column("range x from 1 to 50 step 1 | project g = new_guid()", "g");
    let re =
        regex::Regex::new("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
            .expect("regex");
    let set: std::collections::HashSet<String> = guids
        .iter()
        .map(|g| {
            let t = g.to_text().into_owned();
            assert!(re.is_match(&t), "{t}");
            t
        })
        .collect();
    assert_eq!(set.len(), 50);
    let e = error("print rand(0)");
    assert!(e.contains("rand(n) needs a positive n, not 0"), "{e}");
}

#[test]
fn hash_many_is_hash_combine_of_the_hashes() {
    // The documentation's hashes of the two words.
    table(
        r#"print value1 = "Hello", value2 = "World"
        | extend h1 = hash(value1), h2 = hash(value2)
        | extend same = hash_many(value1, value2) == hash_combine(h1, h2)
        | project h1, h2, same"#,
        "h1:long | h2:long | same:bool\n753694413698530628 | 1846988464401551951 | true",
    );
    table(
        "print a = hash_combine(1, 2) == hash_combine(2, 1), b = isnull(hash_combine(1, long(null)))",
        "a:bool | b:bool\nfalse | true",
    );
}

// --- weighted percentiles ---------------------------------------------------------

const LATENCY: &str = "datatable (ReqCount:long, LatencyBucket:long) [8, 10, 6, 20, 3, 30, 1, 40]";

#[test]
fn weighted_percentiles_from_the_docs() {
    table(
        &format!("{LATENCY} | summarize percentilesw(LatencyBucket, ReqCount, 50, 75, 99.9)"),
        "percentile_LatencyBucket_50:long | percentile_LatencyBucket_75:long | percentile_LatencyBucket_99_9:long
        20 | 20 | 40",
    );
    table(
        &format!("{LATENCY} | summarize percentilesw_array(LatencyBucket, ReqCount, 50, 75, 99.9)"),
        "percentile_LatencyBucket:dynamic\n[20,20,40]",
    );
    table(
        &format!(
            "{LATENCY} | summarize percentilesw_array(LatencyBucket, ReqCount, dynamic([50, 75, 99.9]))"
        ),
        "percentile_LatencyBucket:dynamic\n[20,20,40]",
    );
    table(
        &format!(
            "{LATENCY} | summarize p = percentilew(LatencyBucket, ReqCount, 0), percentiles_array(LatencyBucket, 10, 90)"
        ),
        "p:long | percentiles_LatencyBucket:dynamic\n10 | [10,40]",
    );
    let e = error(&format!(
        "{LATENCY} | summarize percentilesw(LatencyBucket, ReqCount, 150)"
    ));
    assert!(
        e.contains("percentilesw() takes percentages from 0 to 100, not 150"),
        "{e}"
    );
}

// --- hll and tdigest ------------------------------------------------------------

#[test]
fn hll_sketches_from_the_docs() {
    table(
        "range x from 1 to 10 step 1
        | extend y = x + 10
        | summarize hll_x = hll(x), hll_y = hll(y)
        | project merged = hll_merge(hll_x, hll_y)
        | project dcount_hll(merged)",
        "dcount_hll_merged:long\n20",
    );
    // Small sets list Kusto's own hashes: the documentation's sketch of a
    // bin holding 0 and 5000.
    table(
        "datatable(DamageProperty:long)[0, 5000, 0] | summarize hll(DamageProperty)",
        r#"hll_DamageProperty:dynamic
        [[1024,14],["3803688792395291579","7755241107725382121"],[]]"#,
    );
    // Past 1024 values the count is an estimate: within 4 sigma (0.8%).
    let n = column(
        "range x from 1 to 20000 step 1 | extend k = x % 4
        | summarize h = hll(x) by k | summarize m = hll_merge(h) | project n = dcount_hll(m)",
        "n",
    );
    let Scalar::Long(n) = n[0] else {
        panic!("{n:?}")
    };
    assert!((n - 20_000).abs() < 640, "{n}");
    table(
        "range x from 1 to 100 step 1 | summarize h = hll_if(x % 10, x > 50, 0) | project c = dcount_hll(h)",
        "c:long\n10",
    );
    table("print c = dcount_hll(dynamic([1, 2]))", "c:long\nnull");
    let e = error("range x from 1 to 3 step 1 | summarize hll(x, 7)");
    assert!(
        e.contains("the accuracy of hll() is a constant from 0 to 4"),
        "{e}"
    );
}

#[test]
fn tdigest_sketches_from_the_docs() {
    table(
        "range x from 1 to 10 step 1
        | extend y = x + 10
        | summarize tdigestX = tdigest(x), tdigestY = tdigest(y)
        | project merged = merge_tdigest(tdigestX, tdigestY)
        | project percentile_tdigest(merged, 100, typeof(long))",
        "percentile_tdigest_merged:long\n20",
    );
    table(
        "let DT=datatable(V:real, W:long) [1.0, 1, 2.0, 2];
        DT
        | summarize TD=tdigest(V, W)
        | project P50=percentile_tdigest(TD, 50)",
        "P50:real\n2",
    );
    table(
        "range x from 1 to 1000 step 1
        | summarize t_x=tdigest(x)
        | project rank_of_685=rank_tdigest(t_x, 685), pct = percentrank_tdigest(t_x, 685),
                  a = percentiles_array_tdigest(t_x, 10, 90), b = percentiles_array_tdigest(t_x, dynamic([50]), typeof(real))",
        "rank_of_685:long | pct:real | a:dynamic | b:dynamic\n685 | 68.5 | [100,900] | [500.0]",
    );
    // Datetimes come back as datetimes; digests merge across groups.
    table(
        "range t from datetime(2024-01-01) to datetime(2024-01-10) step 1d
        | extend k = dayofmonth(t) % 2
        | summarize d = tdigest(t) by k
        | summarize m = tdigest_merge(d)
        | project latest = percentile_tdigest(m, 100)",
        "latest:datetime\n2024-01-10T00:00:00.0000000Z",
    );
    let e = error("print s='a' | summarize tdigest(s)");
    assert!(
        e.contains("tdigest() takes numbers, datetimes or timespans, not string"),
        "{e}"
    );
    assert_eq!(
        column("print p = percentile_tdigest(dynamic(null), 50)", "p"),
        vec![Scalar::Null(KqlType::Real)]
    );
}

#[test]
fn binary_all_aggregates() {
    // The documentation's example: the AND of the four is CAFEF00D.
    table(
        "datatable(num:long)[0xFFFFFFFF, 0xFFFFF00F, 0xCFFFFFFD, 0xFAFEFFFF]
        | summarize a = binary_all_and(num)
        | project result = toupper(tohex(a))",
        r#"result:string
        "CAFEF00D""#,
    );
    table(
        "datatable(k:long, num:long)[1, 6, 1, 3, 2, 5, 3, long(null)]
        | summarize binary_all_and(num), binary_all_or(num), binary_all_xor(num) by k",
        "k:long | binary_all_and_num:long | binary_all_or_num:long | binary_all_xor_num:long
        1 | 2 | 7 | 5
        2 | 5 | 5 | 5
        3 | null | null | null",
    );
}
