//! Frame time with a chart of five million points on screen: a
//! `render timechart` over 5,000,000 rows (three series), then the cursor
//! moved along it, each key followed by a full redraw at 160x45; and the
//! timeline (`t`) of the five-million-row table, moved and redrawn.
//!
//! Prints the one-off cost of building the chart (reading, grouping and
//! binning the rows, on the worker thread), the longest the UI thread is
//! busy with the arriving result (it only takes the built chart), and
//! p50/p99/max per frame, also for the same chart in `ysplit=panels`:
//!
//!     cargo bench --bench chart

use std::time::{Duration, Instant};

use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::kql::render::render_of_text;
use quarry::session::chart::Chart;
use quarry::tui::app::{App, AppOptions};
use quarry::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const ROWS: usize = 5_000_000;
const QUERY: &str = "Big | render timechart with (ycolumns=BytesSent, series=ActionType)";
const PANELS: &str =
    "Big | render timechart with (ycolumns=BytesSent, series=ActionType, ysplit=panels)";

fn big_frame(n: usize) -> DataFrame {
    let base: i64 = 1_741_089_600_000_000_000; // 2025-03-04T12:00:00Z
    let ts: Vec<i64> = (0..n as i64).map(|i| base + i * 241_920_000).collect();
    let bytes: Vec<i64> = (0..n as i64).map(|i| (i * 7919) % 262_144).collect();
    let action: Vec<&str> = (0..n)
        .map(|i| {
            [
                "ConnectionSuccess",
                "ConnectionFailed",
                "InboundConnectionAccepted",
            ][i % 3]
        })
        .collect();
    let ts = Int64Chunked::from_vec("Timestamp".into(), ts)
        .into_datetime(TimeUnit::Nanoseconds, None)
        .into_column();
    DataFrame::new(
        n,
        vec![
            ts,
            Column::new("ActionType".into(), action),
            Column::new("BytesSent".into(), bytes),
        ],
    )
    .expect("columns have the same length")
}

fn press(app: &mut App, terminal: &mut Terminal<TestBackend>, code: KeyCode) -> Duration {
    let t = Instant::now();
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    terminal
        .draw(|f| views::draw(f, app))
        .expect("drawing on a TestBackend cannot fail");
    t.elapsed()
}

fn report(what: &str, mut times: Vec<Duration>) {
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1e3;
    let at = |p: f64| times[((times.len() - 1) as f64 * p) as usize];
    println!(
        "{what}, 160x45, {} frames: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        times.len(),
        ms(at(0.5)),
        ms(at(0.99)),
        ms(times[times.len() - 1])
    );
}

fn main() {
    let frame = big_frame(ROWS);
    let spec = render_of_text(QUERY).expect("the query renders");
    let t = Instant::now();
    let chart = Chart::build(&frame, &spec).expect("a chart");
    println!(
        "building the chart of {ROWS} rows: {:.1} ms ({} series, {} points drawn each at most)",
        t.elapsed().as_secs_f64() * 1e3,
        chart.series.len(),
        chart.series.iter().map(|s| s.x.len()).max().unwrap_or(0)
    );

    let mut catalog = Catalog::new();
    catalog.insert(Table {
        name: "Big".into(),
        frame,
        files: vec![],
        warnings: Vec::new(),
    });
    let mut app = App::new(AppOptions::new(std::env::temp_dir()));
    app.set_catalog(catalog);
    app.resize(160, 45);
    let mut terminal = Terminal::new(TestBackend::new(160, 45)).expect("test backend");

    for (name, query) in [("timechart", QUERY), ("timechart in panels", PANELS)] {
        chart_frames(&mut app, &mut terminal, name, query);
    }

    // The timeline of the five-million-row table.
    app.handle_key(KeyEvent::new(KeyCode::Char(':'), KeyModifiers::NONE));
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in "Big".chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    assert!(
        app.wait_idle(Duration::from_secs(300)),
        "the table timed out"
    );
    let t = press(&mut app, &mut terminal, KeyCode::Char('t'));
    println!(
        "t on {ROWS} rows (binning and first frame): {:.1} ms",
        t.as_secs_f64() * 1e3
    );
    let keys = [
        KeyCode::Char('l'),
        KeyCode::Char('l'),
        KeyCode::Char('h'),
        KeyCode::Char('j'),
    ];
    let times: Vec<Duration> = (0..2000)
        .map(|i| press(&mut app, &mut terminal, keys[i % keys.len()]))
        .collect();
    report(&format!("timeline of {ROWS} rows"), times);
}

/// Runs `query` (typed at `:`) and reports the workbench's time to the
/// chart, the longest the UI thread spent on a worker reply meanwhile,
/// and frames with the cursor moving along the chart.
fn chart_frames(app: &mut App, terminal: &mut Terminal<TestBackend>, name: &str, query: &str) {
    app.handle_key(KeyEvent::new(KeyCode::Char(':'), KeyModifiers::NONE));
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    for c in query.chars() {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    let t = Instant::now();
    app.handle_key(KeyEvent::new(KeyCode::Enter, KeyModifiers::NONE));
    // The UI loop's part: poll for replies, as the workbench does between
    // frames; the reply carrying the chart must not hold it up.
    let mut longest = Duration::ZERO;
    while app.busy() {
        assert!(
            t.elapsed() < Duration::from_secs(300),
            "the query timed out"
        );
        let p = Instant::now();
        if app.poll_worker() {
            longest = longest.max(p.elapsed());
        } else {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    println!(
        "{name}: query and chart in the workbench {:.1} ms; the UI thread on its reply {:.3} ms at most",
        t.elapsed().as_secs_f64() * 1e3,
        longest.as_secs_f64() * 1e3
    );
    assert!(
        app.current().chart.as_ref().is_some_and(|c| c.showing),
        "the chart is on screen"
    );
    let keys = [
        KeyCode::Char('l'),
        KeyCode::Char('l'),
        KeyCode::Char('h'),
        KeyCode::PageDown,
    ];
    let times: Vec<Duration> = (0..2000)
        .map(|i| press(app, terminal, keys[i % keys.len()]))
        .collect();
    report(&format!("{name} of {ROWS} points"), times);
}
