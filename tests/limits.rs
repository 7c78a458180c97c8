//! Runaway queries are refused before they allocate, with a message that
//! says which operator, how much, and what to do; a cancelled query stops
//! inside its operator.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::Duration;

use assert_cmd::Command;
use quarry::data::catalog::Catalog;
use quarry::kql::error::ErrorKind;
use quarry::kql::{Budget, RunOptions, run};

fn with_budget(bytes: u64) -> RunOptions {
    RunOptions {
        budget: Budget::new(bytes),
        ..Default::default()
    }
}

fn refusal(query: &str, bytes: u64) -> String {
    let e = run(&Catalog::new(), query, &with_budget(bytes)).expect_err("refused");
    assert_eq!(e.kind, ErrorKind::Limit, "{}", e.message);
    e.message
}

const CROSS: &str = "range x from 1 to 50000 step 1 | extend k = 1 \
     | join kind=inner (range y from 1 to 50000 step 1 | extend k = 1) on k";

#[test]
fn a_cross_product_join_is_refused_with_its_size() {
    assert_eq!(
        refusal(CROSS, 1 << 30),
        "join would produce 2,500,000,000 rows (about 93.1 GiB), more than the limit of \
         26,843,545 rows (1.0 GiB of memory at 40 bytes a row; set with --max-memory); \
         filter both sides first, or join on more keys"
    );
}

#[test]
fn every_join_kind_is_sized_before_it_is_built() {
    for kind in ["leftouter", "rightouter", "fullouter"] {
        let q = CROSS.replace("kind=inner", &format!("kind={kind}"));
        let message = refusal(&q, 16 << 20);
        assert!(
            message.starts_with("join would produce 2,500,000,000 rows"),
            "{kind}: {message}"
        );
    }
    // One left row per key: 50,000 rows, which fit.
    let q = CROSS.replace("kind=inner", "kind=innerunique");
    let frame = run(&Catalog::new(), &q, &with_budget(16 << 20)).expect("ran");
    assert_eq!(frame.height(), 50_000);
    let q = "range x from 1 to 3 step 1 | extend k = 1 \
             | lookup (range y from 1 to 200000 step 1 | extend k = 1) on k";
    let message = refusal(q, 17 << 20);
    assert!(
        message.starts_with("lookup would produce 600,000 rows (about 22.9 MiB)"),
        "{message}"
    );
}

#[test]
fn the_count_of_a_join_is_computed_without_building_it() {
    let q = format!("{CROSS} | count");
    let frame = run(&Catalog::new(), &q, &with_budget(1 << 30)).expect("counted");
    assert_eq!(
        frame.column("Count").unwrap().i64().unwrap().get(0),
        Some(2_500_000_000)
    );
}

#[test]
fn joins_within_the_budget_still_run() {
    let q = "range x from 1 to 1000 step 1 | extend k = x % 10 \
             | join kind=inner (range y from 1 to 100 step 1 | extend k = y % 10) on k | count";
    let frame = run(&Catalog::new(), q, &with_budget(1 << 20)).expect("ran");
    assert_eq!(
        frame.column("Count").unwrap().i64().unwrap().get(0),
        Some(10_000)
    );
    let q = "range x from 1 to 1000 step 1 | extend k = x % 10 \
             | join kind=inner (range y from 1 to 100 step 1 | extend k = y % 10) on k";
    assert_eq!(
        run(&Catalog::new(), q, &with_budget(1 << 20))
            .expect("ran")
            .height(),
        10_000
    );
}

#[test]
fn other_multiplying_operators_are_refused() {
    assert_eq!(
        refusal("range x from 1 to 10000000000000 step 1", 1 << 30),
        format!(
            "range would produce 10,000,000,000,000 rows (about 727.6 TiB), more than the limit of \
             {} rows (1.0 GiB of memory at {} bytes a row; set with --max-memory); \
             use a larger step or a shorter range",
            thousands((1 << 30) / (8 + scalar_bytes())),
            8 + scalar_bytes()
        )
    );
    let expand = refusal(
        "range x from 1 to 1000 step 1 | extend a = range(1, 10000) | mv-expand a",
        1 << 20,
    );
    assert!(
        expand.starts_with("mv-expand would produce 10,000,000 rows"),
        "{expand}"
    );
    assert!(
        expand.ends_with("filter first, or cap the elements per row with `limit`"),
        "{expand}"
    );
    let apply = refusal(
        "range x from 1 to 1000 step 1 | extend a = range(1, 10000) \
         | mv-apply a to typeof(long) on (summarize sum(a))",
        1 << 20,
    );
    assert!(
        apply.starts_with("mv-apply would produce 10,000,000 rows"),
        "{apply}"
    );
    let series = refusal(
        "range x from 1 to 10000 step 1 | extend t = datetime(2025-01-01) + x * 1s \
         | make-series count() default=0 on t from datetime(2025-01-01) to datetime(2025-01-08) step 1s by x",
        1 << 20,
    );
    assert!(series.starts_with("make-series would produce "), "{series}");
    assert!(
        series.ends_with("use a larger step, a shorter range, or fewer groups"),
        "{series}"
    );
}

#[test]
fn a_range_at_the_ends_of_long_does_not_overflow() {
    let message = refusal(
        "range x from -9223372036854775807 to 9223372036854775807 step 1",
        1 << 30,
    );
    assert!(
        message.starts_with("range would produce 18,446,744,073,709,551,615 rows"),
        "{message}"
    );
}

/// Bytes of one value as `range` builds it.
fn scalar_bytes() -> u64 {
    std::mem::size_of::<quarry::kql::value::Scalar>() as u64
}

fn thousands(n: u64) -> String {
    quarry::text::thousands(n)
}

#[test]
fn a_query_cancelled_inside_a_join_stops_with_cancelled() {
    // 1,000 x 1,000 rows per key over 100 keys: 100 million rows, far more
    // work than a tenth of a second; the flag is set while it runs.
    let q = "range x from 1 to 100000 step 1 | extend k = x % 100 \
             | join kind=inner (range y from 1 to 100000 step 1 | extend k = y % 100) on k \
             | summarize count() by k";
    let flag = Arc::new(AtomicBool::new(false));
    let options = RunOptions {
        cancel: Some(Arc::clone(&flag)),
        budget: Budget::new(64 << 30),
        ..Default::default()
    };
    let running = thread::spawn(move || run(&Catalog::new(), q, &options));
    thread::sleep(Duration::from_millis(100));
    flag.store(true, Ordering::Relaxed);
    let e = running.join().expect("no panic").expect_err("cancelled");
    assert_eq!(e.kind, ErrorKind::Cancelled);
    assert_eq!(e.message, "query cancelled");
}

#[test]
fn the_command_line_refuses_a_runaway_join_on_the_sample_data() {
    let q = "DeviceNetworkEvents | extend k = 1 \
             | join kind=inner (DeviceNetworkEvents | extend k = 1) on k | take 5";
    let out = Command::cargo_bin("quarry")
        .unwrap()
        .args(["query", "--sample", "--max-memory", "2GB", q])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "error: join would produce 2,500,000,000 rows (about 1010.5 GiB), more than the limit \
             of 4,948,119 rows (2.0 GiB of memory at 434 bytes a row; set with --max-memory); \
             filter both sides first, or join on more keys"
        ),
        "{stderr}"
    );

    let q = "DeviceNetworkEvents | extend k = 1 \
             | join kind=inner (DeviceNetworkEvents | extend k = 1) on k | count";
    let out = Command::cargo_bin("quarry")
        .unwrap()
        .args(["query", "--sample", "--format", "csv", q])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Count\r\n2500000000\r\n"
    );
}

#[test]
fn a_bad_max_memory_is_a_clear_error() {
    let out = Command::cargo_bin("quarry")
        .unwrap()
        .args(["query", "--sample", "--max-memory", "lots", "print 1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("invalid value 'lots' for '--max-memory <SIZE>': 'lots' is not a memory size (try 512MB or 4GB)"),
        "{stderr}"
    );
}
