//! Key-to-frame time on a five-million-row view: one key through the App
//! (`App::handle_key`) plus drawing the whole screen (`views::draw` on a
//! 160x45 TestBackend, with ratatui's diff), the work between a key press
//! and the frame that answers it. Goal: 5 ms at the 99th percentile.
//!
//! Besides criterion's report, prints p50/p99/max over a fixed mix of keys
//! (down, page down, right, end, home, select, detail panel):
//!
//!     cargo bench --bench frame

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::tui::app::{App, AppOptions};
use quarry::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const ROWS: usize = 5_000_000;

/// A DeviceNetworkEvents-like frame: datetimes, strings of several widths,
/// numbers.
fn big_frame(n: usize) -> DataFrame {
    let base: i64 = 1_741_089_600_000_000_000; // 2025-03-04T12:00:00Z
    let ts: Vec<i64> = (0..n as i64).map(|i| base + i * 241_920_000).collect();
    let devices: Vec<String> = (0..500)
        .map(|i| format!("wks-fin-{i:03}.contoso.local"))
        .collect();
    let device: Vec<&str> = (0..n)
        .map(|i| devices[(i * 7) % devices.len()].as_str())
        .collect();
    let ips: Vec<String> = (0..1024)
        .map(|i| format!("10.{}.{}.{}", i % 7, i % 251, i % 13))
        .collect();
    let ip: Vec<&str> = (0..n).map(|i| ips[(i * 13) % ips.len()].as_str()).collect();
    let port: Vec<i64> = (0..n).map(|i| [443i64, 80, 53, 445, 4444][i % 5]).collect();
    let bytes: Vec<i64> = (0..n).map(|i| (i as i64 * 7919) % 262_144).collect();
    let action: Vec<&str> = (0..n)
        .map(|i| {
            [
                "ConnectionSuccess",
                "ConnectionFailed",
                "InboundConnectionAccepted",
            ][i % 3]
        })
        .collect();
    let cmds = [
        "\"C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe\" --type=utility --utility-sub-type=network.mojom.NetworkService",
        "C:\\Windows\\system32\\svchost.exe -k NetworkService -p -s Dnscache",
        "powershell.exe -nop -w hidden -enc SQBFAFgAIAAoAE4AZQB3AC0ATwBiAGoAZQBjAHQA",
    ];
    let cmd: Vec<&str> = (0..n).map(|i| cmds[i % 3]).collect();
    let ts = Int64Chunked::from_vec("Timestamp".into(), ts)
        .into_datetime(TimeUnit::Nanoseconds, None)
        .into_column();
    DataFrame::new(
        n,
        vec![
            ts,
            Column::new("DeviceName".into(), device),
            Column::new("ActionType".into(), action),
            Column::new("RemoteIP".into(), ip),
            Column::new("RemotePort".into(), port),
            Column::new("BytesSent".into(), bytes),
            Column::new("InitiatingProcessCommandLine".into(), cmd),
        ],
    )
    .expect("columns have the same length")
}

/// The App showing the big table, as after Enter on it at home.
fn app_on_big_table() -> App {
    let mut catalog = Catalog::new();
    catalog.insert(Table {
        name: "Big".into(),
        frame: big_frame(ROWS),
        files: vec![],
        warnings: Vec::new(),
    });
    let mut app = App::new(AppOptions::new(std::env::temp_dir()));
    app.set_catalog(catalog);
    app.resize(160, 45);
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        app.wait_idle(Duration::from_secs(120)),
        "opening the table timed out"
    );
    assert_eq!(app.current().rows.height(), ROWS);
    app
}

fn press(
    app: &mut App,
    terminal: &mut Terminal<TestBackend>,
    code: KeyCode,
    modifiers: KeyModifiers,
) {
    app.handle_key(KeyEvent::new(code, modifiers));
    terminal
        .draw(|f| views::draw(f, app))
        .expect("drawing on a TestBackend cannot fail");
}

/// The mix of keys measured: moves that redraw every visible row.
const KEYS: [(KeyCode, KeyModifiers); 10] = [
    (KeyCode::Char('j'), KeyModifiers::NONE),
    (KeyCode::PageDown, KeyModifiers::NONE),
    (KeyCode::Char('l'), KeyModifiers::NONE),
    (KeyCode::Char('d'), KeyModifiers::CONTROL),
    (KeyCode::Char('G'), KeyModifiers::NONE),
    (KeyCode::Char('k'), KeyModifiers::NONE),
    (KeyCode::Char(' '), KeyModifiers::NONE),
    (KeyCode::Char('g'), KeyModifiers::NONE),
    (KeyCode::Char('p'), KeyModifiers::NONE),
    (KeyCode::Char('h'), KeyModifiers::NONE),
];

fn percentiles(app: &mut App, terminal: &mut Terminal<TestBackend>) {
    let mut times = Vec::with_capacity(5000);
    let mut per_key: Vec<Vec<Duration>> = vec![Vec::new(); KEYS.len()];
    for i in 0..5000 {
        let (code, m) = KEYS[i % KEYS.len()];
        let t = Instant::now();
        press(app, terminal, code, m);
        let d = t.elapsed();
        times.push(d);
        per_key[i % KEYS.len()].push(d);
    }
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let pct = |v: &mut Vec<Duration>, p: f64| {
        v.sort();
        v[((v.len() - 1) as f64 * p) as usize]
    };
    let (p50, p99) = (pct(&mut times, 0.50), pct(&mut times, 0.99));
    println!(
        "key-to-frame on {ROWS} rows, 160x45, {} presses: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        ms(p50),
        ms(p99),
        ms(times[times.len() - 1]),
    );
    for ((code, m), v) in KEYS.iter().zip(per_key.iter_mut()) {
        let (p50, p99) = (pct(v, 0.50), pct(v, 0.99));
        println!(
            "  {m:?} {code:?}: p50 {:.3} ms, p99 {:.3} ms",
            ms(p50),
            ms(p99)
        );
    }
}

fn bench(c: &mut Criterion) {
    let mut app = app_on_big_table();
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).expect("test backend");
    terminal.draw(|f| views::draw(f, &mut app)).expect("draw");
    percentiles(&mut app, &mut terminal);

    c.bench_function("key_to_frame_5m_rows_down", |b| {
        b.iter(|| {
            press(
                black_box(&mut app),
                &mut terminal,
                KeyCode::Char('j'),
                KeyModifiers::NONE,
            )
        })
    });
    c.bench_function("key_to_frame_5m_rows_page_down", |b| {
        b.iter(|| {
            press(
                black_box(&mut app),
                &mut terminal,
                KeyCode::PageDown,
                KeyModifiers::NONE,
            )
        })
    });
    let mut i = 0;
    c.bench_function("key_to_frame_5m_rows_mixed", |b| {
        b.iter(|| {
            let (code, m) = KEYS[i % KEYS.len()];
            i += 1;
            press(black_box(&mut app), &mut terminal, code, m)
        })
    });
}

criterion_group! {
    name = frame;
    config = Criterion::default().sample_size(50).measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(frame);
