//! Ctrl+C inside long operators: how soon a cancelled query gives control
//! back, on the generated 5,000,000-row DeviceNetworkEvents (Parquet).
//!
//!     cargo bench --bench cancel
//!     QUARRY_BENCH_ROWS=500000 cargo bench --bench cancel
//!     cargo bench --bench cancel -- summarize top   # only those
//!
//! For each operator, its query runs once uncancelled (its running time),
//! then again and again on a thread while the cancel flag is set at points
//! spread over that running time; the time from setting the flag to the
//! query's return is the cancel latency. Loading is measured the same way.
//! Prints, per operator: the uncancelled time, and the cancel latency's
//! p50, p99 and maximum. The goal is under 200 ms.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{data, rows, source};
use quarry::data::catalog::Catalog;
use quarry::data::load::{LoadControl, load_table};
use quarry::kql::limits::{cancel_noticed_at, cancel_noticed_when, last_check_at, trace_checks};
use quarry::kql::{Budget, RunOptions, run};

/// Cancels per operator.
const SAMPLES: usize = 20;
/// A cancel slower than this is reported with the check that noticed it.
const SLOW: Duration = Duration::from_millis(150);

const CASES: &[(&str, &str)] = &[
    (
        "join",
        // On ReportId and DeviceName: about ten million joined rows, a few
        // seconds of work (on DeviceName alone it is refused: 180 billion).
        "DeviceNetworkEvents | join kind=inner (DeviceNetworkEvents \
         | project ReportId, DeviceName, R2 = RemotePort) on ReportId, DeviceName \
         | summarize count() by DeviceName",
    ),
    (
        "summarize",
        "DeviceNetworkEvents | summarize count(), dcount(RemotePort), \
         arg_max(Timestamp, RemoteUrl) by RemoteIP, ReportId",
    ),
    (
        "sort",
        "DeviceNetworkEvents | sort by RemoteIP asc, Timestamp desc",
    ),
    (
        "top",
        "DeviceNetworkEvents | top 100 by InitiatingProcessCommandLine asc",
    ),
    ("search", "search \"no-such-term-anywhere\""),
    (
        "regex filter",
        r#"DeviceNetworkEvents | where RemoteUrl matches regex @"(?i)^[a-z0-9]{14}\.cloudfront\.net$" or InitiatingProcessCommandLine matches regex @"-e(nc)?\s+[A-Za-z0-9+/=]{16,}""#,
    ),
    (
        "extend (function)",
        "DeviceNetworkEvents | extend Host = tostring(parse_url(strcat(\"https://\", RemoteUrl)).Host) \
         | summarize count() by Host",
    ),
    (
        "mv-expand",
        "DeviceNetworkEvents | extend Ports = pack_array(LocalPort, RemotePort) \
         | mv-expand Ports | summarize count() by tostring(Ports)",
    ),
];

fn main() {
    // As `quarry` itself runs.
    quarry::data::load::keep_freed_memory();
    // Every check notes its place, so a slow cancel can be told from where
    // to where its unchecked work ran.
    trace_checks(true);
    let file = data("parquet");
    let source = source(&file);
    let never = AtomicBool::new(false);
    let (tables, errors) = load_table(&source, &LoadControl::new(&|_| {}, &never));
    assert!(errors.is_empty(), "{errors:?}");
    let mut catalog = Catalog::new();
    for t in tables {
        catalog.insert(t);
    }
    let catalog = Arc::new(catalog);
    println!(
        "cancel latency on {} rows (p50 / p99 / max over {SAMPLES} cancels)",
        rows()
    );
    println!(
        "{:<14} {:>10} {:>9} {:>9} {:>9}",
        "operator", "full run", "p50", "p99", "max"
    );
    // `cargo bench --bench cancel -- summarize top`: only those (cargo's
    // own `--bench` flag is not a name).
    let only: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| only.is_empty() || only.iter().any(|o| name.contains(o.as_str()));
    for (name, query) in CASES.iter().filter(|(name, _)| wanted(name)) {
        let catalog = Arc::clone(&catalog);
        let query = query.to_string();
        measure(name, move |cancel| {
            let options = RunOptions {
                cancel: Some(cancel),
                budget: Budget::new(16 << 30),
                ..Default::default()
            };
            run(&catalog, &query, &options).is_ok()
        });
    }
    if !wanted("loading") {
        return;
    }
    let source = Arc::new(source);
    measure("loading", move |cancel| {
        let (tables, _) = load_table(&source, &LoadControl::new(&|_| {}, &cancel));
        !tables.is_empty()
    });
}

/// Runs `work` once to time it, then `SAMPLES` times cancelled part way
/// through, and prints the latencies. `work` returns whether it finished
/// (false when cancelled).
fn measure(name: &str, work: impl Fn(Arc<AtomicBool>) -> bool + Send + Sync + 'static) {
    let work = Arc::new(work);
    let started = Instant::now();
    assert!(
        work(Arc::new(AtomicBool::new(false))),
        "{name}: the uncancelled run failed"
    );
    let full = started.elapsed();
    let mut latencies = Vec::new();
    let mut slow = Vec::new();
    for k in 0..SAMPLES {
        let delay = full.mul_f64((k as f64 + 0.5) / SAMPLES as f64 * 0.9);
        let flag = Arc::new(AtomicBool::new(false));
        // The query's return is timed from inside its thread, as the
        // workbench's worker (a thread that lives on) sends its reply: the
        // end of a thread that made gigabytes of allocations takes 150 ms
        // more, which no analyst waits for.
        let (done, returned) = std::sync::mpsc::channel();
        let running = {
            let work = Arc::clone(&work);
            let flag = Arc::clone(&flag);
            thread::spawn(move || {
                let finished = work(flag);
                let _ = done.send(Instant::now());
                finished
            })
        };
        thread::sleep(delay);
        let before = last_check_at().unwrap_or_default();
        let set = Instant::now();
        flag.store(true, Ordering::Relaxed);
        let returned_at = returned.recv().ok();
        let finished = running.join().unwrap_or(false);
        if !finished {
            let latency = returned_at.map_or_else(|| set.elapsed(), |t| t.duration_since(set));
            if latency > SLOW {
                let noticed = cancel_noticed_when()
                    .map(|t| t.saturating_duration_since(set))
                    .unwrap_or_default();
                slow.push((
                    latency,
                    noticed,
                    before,
                    cancel_noticed_at().unwrap_or_default(),
                ));
            }
            latencies.push(latency);
        }
    }
    latencies.sort();
    let at = |q: f64| -> Duration {
        if latencies.is_empty() {
            return Duration::ZERO;
        }
        let i = ((q * latencies.len() as f64).ceil() as usize).clamp(1, latencies.len()) - 1;
        latencies[i]
    };
    let ms = |d: Duration| format!("{:.1} ms", d.as_secs_f64() * 1e3);
    println!(
        "{:<14} {:>10} {:>9} {:>9} {:>9}{}",
        name,
        format!("{:.2} s", full.as_secs_f64()),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
        if latencies.len() < SAMPLES {
            format!(
                "  ({} of {SAMPLES} finished before the cancel)",
                SAMPLES - latencies.len()
            )
        } else {
            String::new()
        }
    );
    // Between which checks each slow cancel ran: the work between them is
    // what to make check more often.
    for (latency, noticed, before, site) in slow {
        println!(
            "    {:.0} ms (noticed after {:.0} ms), from the check at {before} to the one at {site}",
            latency.as_secs_f64() * 1e3,
            noticed.as_secs_f64() * 1e3
        );
    }
}
