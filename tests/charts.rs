//! Pictures: every `render` kind drawn in cells on known data (insta
//! snapshots, legend and axis labels exact), NO_COLOR marks, the chart and
//! the timeline driven with keys in the workbench, and SVG written by the
//! workbench and by `quarry query --format svg`.

use std::path::Path;
use std::time::Duration;

use assert_cmd::Command;
use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::kql::{RunOptions, run};
use quarry::session::investigation::{Step, ViewKind};
use quarry::session::kql_text::split_stages;
use quarry::tui::app::{App, AppOptions, Message};
use quarry::tui::theme::Theme;
use quarry::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const HOUR: i64 = 3_600_000_000_000;
/// 2024-05-01T00:00:00Z in nanoseconds.
const DAY: i64 = 1_714_521_600_000_000_000;

/// 24 connections over six hours: 4444 every fourth, web traffic, a few
/// failures.
fn net_catalog() -> Catalog {
    let mut times = Vec::new();
    let mut actions = Vec::new();
    let mut ports = Vec::new();
    let mut protocols = Vec::new();
    // Rows per hour: 2, 5, 8, 4, 2, 3.
    let hours = [
        0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 5, 5, 5,
    ];
    for i in 0..24i64 {
        times.push(DAY + hours[i as usize] * HOUR + i * 60_000_000_000);
        actions.push(if i % 5 == 0 {
            "ConnectionFailed"
        } else {
            "ConnectionSuccess"
        });
        ports.push(match i % 4 {
            0 => 4444i64,
            1 | 2 => 443,
            _ => 80,
        });
        protocols.push(if i % 3 == 0 { "Udp" } else { "Tcp" });
    }
    let times = Int64Chunked::from_vec("Timestamp".into(), times)
        .into_datetime(TimeUnit::Nanoseconds, None)
        .into_column();
    let frame = DataFrame::new(
        24,
        vec![
            times,
            Column::new("ActionType".into(), actions),
            Column::new("RemotePort".into(), ports),
            Column::new("Protocol".into(), protocols),
        ],
    )
    .unwrap();
    let mut c = Catalog::new();
    c.insert(Table {
        name: "Net".into(),
        frame,
        files: vec![],
        warnings: Vec::new(),
    });
    c
}

/// The step a query makes in the workbench.
fn step_of(query: &str) -> Step {
    let frame = run(&net_catalog(), query, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{}", e.render(query)));
    Step::new(ViewKind::Table, "t".into(), split_stages(query), frame)
}

fn text_of(buf: &ratatui::buffer::Buffer) -> String {
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The chart view of `query`, 80 by 20 cells.
fn chart_screen(query: &str, theme: &Theme) -> String {
    chart_screen_sized(query, theme, 80, 20)
}

/// The chart view of `query`, `width` by `height` cells.
fn chart_screen_sized(query: &str, theme: &Theme, width: u16, height: u16) -> String {
    let step = step_of(query);
    let sc = step.chart.as_ref().expect("a chart");
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal
        .draw(|f| {
            let area = f.area();
            views::chart::draw(f.buffer_mut(), area, sc, theme)
        })
        .unwrap();
    text_of(terminal.backend().buffer())
}

fn colour() -> Theme {
    Theme {
        monochrome: false,
        ..Theme::default()
    }
}

fn mono() -> Theme {
    Theme {
        monochrome: true,
        ..Theme::default()
    }
}

#[test]
fn snapshot_timechart() {
    let q = "Net | summarize count() by bin(Timestamp, 1h), ActionType \
             | render timechart with (title=\"Connections per hour\")";
    insta::assert_snapshot!("timechart", chart_screen(q, &colour()));
}

#[test]
fn snapshot_timechart_without_colour() {
    let q = "Net | summarize count() by bin(Timestamp, 1h), ActionType | render timechart";
    let screen = chart_screen(q, &mono());
    // Each series has its own mark in the plot and in the legend.
    assert!(screen.contains("•• ConnectionFailed"), "{screen}");
    assert!(screen.contains("++ ConnectionSuccess"), "{screen}");
    insta::assert_snapshot!("timechart_no_color", screen);
}

#[test]
fn snapshot_linechart_and_scatterchart() {
    let q = "Net | summarize Rows = count(), Ports = dcount(RemotePort) by bin(Timestamp, 1h) \
             | render linechart with (ytitle=\"rows\")";
    insta::assert_snapshot!("linechart", chart_screen(q, &colour()));
    let q =
        "Net | summarize count() by bin(Timestamp, 1h) | render scatterchart with (legend=hidden)";
    insta::assert_snapshot!("scatterchart", chart_screen(q, &colour()));
}

#[test]
fn snapshot_areas() {
    let q = "Net | summarize count() by bin(Timestamp, 1h), Protocol | render areachart";
    insta::assert_snapshot!("areachart", chart_screen(q, &colour()));
    let q = "Net | summarize count() by bin(Timestamp, 1h), Protocol | render stackedareachart";
    insta::assert_snapshot!("stackedareachart", chart_screen(q, &colour()));
}

#[test]
fn snapshot_columns_and_bars() {
    let q = "Net | summarize count() by RemotePort, ActionType | sort by RemotePort asc \
             | render columnchart with (title=\"Ports\")";
    insta::assert_snapshot!("columnchart", chart_screen(q, &colour()));
    let q = "Net | summarize count() by RemotePort, ActionType | sort by RemotePort asc \
             | render columnchart with (kind=stacked)";
    insta::assert_snapshot!("columnchart_stacked_no_color", chart_screen(q, &mono()));
    let q = "Net | summarize count() by tostring(RemotePort) | render barchart";
    insta::assert_snapshot!("barchart", chart_screen(q, &colour()));
}

#[test]
fn snapshot_pie_and_card() {
    let q = "Net | summarize count() by Protocol | render piechart with (title=\"Protocols\")";
    let screen = chart_screen(q, &colour());
    assert!(screen.contains("Tcp 16 (66.7%)"), "{screen}");
    assert!(screen.contains("Udp 8 (33.3%)"), "{screen}");
    insta::assert_snapshot!("piechart", screen);
    let q = "Net | summarize Connections = count(), Ports = dcount(RemotePort) | render card";
    insta::assert_snapshot!("card", chart_screen(q, &colour()));
}

#[test]
fn snapshot_make_series_timechart() {
    // make-series: one row per ActionType, the points in arrays.
    let q = "Net | make-series count() default=0 on Timestamp step 1h by ActionType \
             | render timechart";
    let screen = chart_screen(q, &colour());
    assert!(screen.contains("── ConnectionSuccess"), "{screen}");
    assert!(screen.contains("── ConnectionFailed"), "{screen}");
    insta::assert_snapshot!("make_series_timechart", screen);
}

#[test]
fn snapshot_anomalychart() {
    // Hour 2 has 8 rows: the one point over 6 is marked on the line.
    let q = "Net | make-series n=count() default=0 on Timestamp step 1h \
             | extend anomalies = series_greater(n, 6), baseline = series_multiply(n, 0.5) \
             | render anomalychart with (title=\"Connections, anomalies\")";
    let step = step_of(q);
    let chart = step.chart.as_ref().unwrap().chart.as_ref().unwrap();
    let marks: Vec<_> = chart.series.iter().filter(|s| s.anomaly).collect();
    assert_eq!(marks.len(), 1);
    assert_eq!(marks[0].top, [8.0]);
    let screen = chart_screen(q, &colour());
    assert!(screen.contains("◆◆ anomalies (anomaly)"), "{screen}");
    assert!(screen.matches('◆').count() >= 3, "{screen}");
    insta::assert_snapshot!("anomalychart", screen);
}

#[test]
fn snapshot_ysplit_panels_and_axes() {
    let q = "Net | summarize count() by bin(Timestamp, 1h), ActionType \
             | render timechart with (ysplit=panels, title=\"Panels\")";
    let screen = chart_screen_sized(q, &colour(), 80, 24);
    // Each panel titled by its series, the x axis once at the bottom.
    assert!(screen.contains("ConnectionSuccess"), "{screen}");
    assert_eq!(screen.matches("Timestamp").count(), 1, "{screen}");
    insta::assert_snapshot!("timechart_ysplit_panels", screen);
    let q = "Net | summarize Rows = count(), Ports = dcount(RemotePort) by bin(Timestamp, 1h) \
             | project Timestamp, Rows = Rows * 1000, Ports \
             | render linechart with (ysplit=axes, title=\"Axes\")";
    insta::assert_snapshot!("linechart_ysplit_axes", chart_screen(q, &colour()));
    // Without colour each axis is headed by its series' mark.
    let screen = chart_screen(q, &mono());
    assert!(screen.contains("+3"), "{screen}");
    assert!(screen.contains("•8,000"), "{screen}");
    insta::assert_snapshot!("linechart_ysplit_axes_no_color", screen);
    let q = "Net | summarize Rows = count(), Ports = dcount(RemotePort) by Protocol \
             | render columnchart with (ysplit=panels)";
    insta::assert_snapshot!("columnchart_ysplit_panels", chart_screen(q, &colour()));
}

#[test]
fn split_and_marked_charts_draw_at_any_size_without_panicking() {
    let queries = [
        "Net | summarize count() by bin(Timestamp, 1h), ActionType | render timechart with (ysplit=panels)",
        "Net | summarize count() by bin(Timestamp, 1h), ActionType | render timechart with (ysplit=axes)",
        "Net | summarize count() by RemotePort, Protocol | render columnchart with (ysplit=axes)",
        "Net | summarize count() by RemotePort, Protocol | render columnchart with (ysplit=panels)",
        "Net | summarize count() by RemotePort, Protocol | render barchart with (ysplit=axes)",
        "Net | summarize count() by RemotePort, Protocol | render barchart with (ysplit=panels)",
        "Net | make-series n=count() default=0 on Timestamp step 1h \
         | extend anomalies = series_greater(n, 6) | render anomalychart with (ysplit=panels)",
    ];
    for q in queries {
        let step = step_of(q);
        let sc = step.chart.as_ref().expect("a chart");
        assert!(sc.chart.is_ok(), "{q}: {:?}", sc.chart);
        for (w, h) in [
            (20, 4),
            (21, 5),
            (24, 6),
            (30, 7),
            (40, 9),
            (60, 12),
            (80, 3),
            (200, 60),
        ] {
            let mut terminal = Terminal::new(TestBackend::new(w, h)).unwrap();
            terminal
                .draw(|f| {
                    let area = f.area();
                    views::chart::draw(f.buffer_mut(), area, sc, &mono())
                })
                .unwrap();
        }
    }
}

// ----- the workbench -------------------------------------------------------

const WAIT: Duration = Duration::from_secs(60);

fn app(export_dir: &Path) -> App {
    let mut app = App::new(AppOptions::new(export_dir.to_path_buf()));
    app.set_catalog(net_catalog());
    app.resize(100, 30);
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn run_query(app: &mut App, query: &str) {
    key(app, KeyCode::Char(':'));
    // The prompt opens with the current pipeline; replace it.
    app.handle_key(KeyEvent::new(KeyCode::Char('u'), KeyModifiers::CONTROL));
    typed(app, query);
    key(app, KeyCode::Enter);
    assert!(app.wait_idle(WAIT), "query did not finish");
    assert!(app.error().is_none(), "{:?}", app.error());
}

fn message(app: &App) -> String {
    match app.message() {
        Some(Message::Info(t) | Message::Warning(t)) => t.clone(),
        _ => String::new(),
    }
}

#[test]
fn c_flips_chart_and_table_and_drills_go_before_render() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    run_query(
        &mut app,
        "Net | summarize count() by RemotePort | render columnchart",
    );
    assert!(app.current().chart.as_ref().is_some_and(|c| c.showing));
    // The cursor walks the categories.
    key(&mut app, KeyCode::Char('l'));
    assert_eq!(app.current().chart.as_ref().map(|c| c.cursor), Some(1));
    // Drills need the table.
    key(&mut app, KeyCode::Char('f'));
    assert_eq!(
        message(&app),
        "this is the chart: c shows the table to work on its rows"
    );
    key(&mut app, KeyCode::Char('c'));
    assert!(app.current().chart.as_ref().is_some_and(|c| !c.showing));
    // A filter on the table goes before the render, which must stay last.
    key(&mut app, KeyCode::Char('f'));
    assert!(app.wait_idle(WAIT));
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(
        app.current().stages,
        [
            "Net",
            "summarize count() by RemotePort",
            "where RemotePort == 4444"
        ]
    );
}

#[test]
fn a_chart_that_cannot_be_drawn_shows_the_table_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    run_query(&mut app, "Net | project ActionType | render piechart");
    assert!(app.current().chart.as_ref().is_some_and(|c| !c.showing));
    assert_eq!(
        message(&app),
        "no numeric column to plot (columns: ActionType:string); summarize a count() or name ycolumns"
    );
}

#[test]
fn e_writes_the_chart_on_screen_to_svg() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    run_query(
        &mut app,
        "Net | summarize count() by Protocol | render piechart with (title=\"Protocols\")",
    );
    key(&mut app, KeyCode::Char('E'));
    let written = message(&app);
    let path = written
        .strip_prefix("chart written to ")
        .unwrap_or_else(|| panic!("{written}"));
    let doc = std::fs::read_to_string(path).unwrap();
    assert!(doc.contains(">Protocols</text>"), "{doc}");
    assert_eq!(doc.matches("class=\"series\"").count(), 2);
    // A second one gets a new name, never over the first.
    key(&mut app, KeyCode::Char('E'));
    assert_ne!(message(&app), written);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 2);
}

#[test]
fn t_selects_a_range_and_narrows_with_an_exact_stage() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    run_query(&mut app, "Net | where RemotePort == 4444");
    key(&mut app, KeyCode::Char('t'));
    // The worker bins the rows, off the UI thread.
    assert!(app.wait_idle(WAIT));
    let t = app.current().timeline.clone().expect("a timeline");
    assert_eq!(t.column, "Timestamp");
    // Six rows from 00:00 to 04:20 in 5-minute bins fit 98 columns.
    assert_eq!(t.step, HOUR / 12);
    assert_eq!(t.counts.len(), 53);
    // From the bin of 01:04 to the bin of 02:12.
    for _ in 0..12 {
        key(&mut app, KeyCode::Char('l'));
    }
    key(&mut app, KeyCode::Char(' '));
    for _ in 0..14 {
        key(&mut app, KeyCode::Char('l'));
    }
    let t = app.current().timeline.clone().unwrap();
    assert_eq!(t.selected(), (12, 26));
    let rows = t.selected_rows();
    key(&mut app, KeyCode::Enter);
    assert!(app.wait_idle(WAIT));
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(
        app.current().stages.last().map(String::as_str),
        Some(
            "where Timestamp between (datetime(2024-05-01T01:00:00.0000000Z) .. \
             datetime(2024-05-01T02:14:59.9999999Z))"
        )
    );
    assert_eq!(app.current().rows.height() as u64, rows);
    assert_eq!(rows, 3);
}

/// The whole workbench as text, `width` by `height`.
fn app_screen(app: &mut App, width: u16, height: u16) -> Vec<String> {
    app.resize(width, height);
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|f| views::draw(f, app)).unwrap();
    text_of(terminal.backend().buffer())
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn the_hints_bar_shows_the_picture_keys_where_they_apply() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    let hints = |app: &mut App| {
        let screen = app_screen(app, 160, 30);
        screen
            .last()
            .map(|l| l.trim().to_string())
            .unwrap_or_default()
    };
    run_query(
        &mut app,
        "Net | summarize count() by Protocol | render piechart",
    );
    // A chart on screen: flip to the table, write SVG; no drills.
    assert_eq!(
        hints(&mut app),
        "? help  q back  c table  E svg  / search  : query  e export  Q quit"
    );
    // Its table: drills, the chart to flip back to, no SVG, no timeline
    // (no times in it).
    key(&mut app, KeyCode::Char('c'));
    let bar = hints(&mut app);
    assert!(bar.contains("f keep  c chart  x exclude"), "{bar}");
    assert!(
        !bar.contains("E svg") && !bar.contains("t timeline"),
        "{bar}"
    );
    // A table with times: the timeline, no chart.
    run_query(&mut app, "Net | where RemotePort == 4444");
    let bar = hints(&mut app);
    assert!(bar.contains("s sort  t timeline  / search"), "{bar}");
    assert!(!bar.contains("c chart"), "{bar}");
    // The rules list groups by tactic with T.
    key(&mut app, KeyCode::Char('R'));
    let bar = hints(&mut app);
    assert!(bar.contains("r run all  T by tactic"), "{bar}");
}

#[test]
fn bad_input_in_the_workbench_leaves_the_table_and_says_why() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app(dir.path());
    // Every row in one day: one point in time.
    run_query(
        &mut app,
        "Net | summarize count() by bin(Timestamp, 1d) | render timechart",
    );
    assert!(app.current().chart.as_ref().is_some_and(|c| !c.showing));
    assert_eq!(
        message(&app),
        "a datetime x axis needs at least two distinct times; every row is at 2024-05-01 (render columnchart shows a single time)"
    );
    // Nothing numeric.
    run_query(&mut app, "Net | distinct ActionType | render columnchart");
    assert_eq!(
        message(&app),
        "no numeric column to plot (columns: ActionType:string); summarize a count() or name ycolumns"
    );
    // Too many series: drawn, and the ones left out named under it.
    run_query(
        &mut app,
        "Net | extend Minute = tostring(datetime_part(\"minute\", Timestamp)) \
         | summarize count() by bin(Timestamp, 1h), Minute | render timechart",
    );
    let screen = app_screen(&mut app, 160, 30).join("\n");
    assert!(
        screen.contains("16 more series not drawn (at most 8): "),
        "{screen}"
    );
}

// ----- SVG from the command line --------------------------------------------

/// Every `<path class="series">` and every text of an SVG document, with
/// the class of the element holding it.
fn svg_parts(doc: &str) -> (Vec<String>, Vec<(String, String)>) {
    use quick_xml::events::{BytesStart, Event};
    fn attr(e: &BytesStart<'_>, name: &str) -> String {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| {
                a.normalized_value(quick_xml::XmlVersion::Implicit1_0)
                    .ok()
                    .map(|v| v.into_owned())
            })
            .unwrap_or_default()
    }
    let mut reader = quick_xml::Reader::from_str(doc);
    let (mut paths, mut texts) = (Vec::new(), Vec::new());
    let mut open: Vec<(String, String)> = Vec::new();
    loop {
        match reader.read_event().expect("well-formed SVG") {
            Event::Eof => break,
            Event::Start(e) => open.push((attr(&e, "class"), String::new())),
            Event::Empty(e) if e.name().as_ref() == "path" && attr(&e, "class") == "series" => {
                paths.push(attr(&e, "data-series"));
            }
            Event::Text(t) => {
                if let Some((_, text)) = open.last_mut() {
                    text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                let c = match r.xml10_content().as_ref() {
                    "lt" => '<',
                    "gt" => '>',
                    "amp" => '&',
                    "quot" => '"',
                    "apos" => '\'',
                    other => panic!("unexpected entity {other}"),
                };
                if let Some((_, text)) = open.last_mut() {
                    text.push(c);
                }
            }
            Event::End(_) => {
                if let Some((class, text)) = open.pop()
                    && !text.trim().is_empty()
                {
                    texts.push((class, text));
                }
            }
            _ => {}
        }
    }
    assert!(open.is_empty(), "unclosed elements");
    (paths, texts)
}

#[test]
fn quarry_query_writes_svg_of_the_render() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("chart.svg");
    Command::cargo_bin("quarry")
        .unwrap()
        .args(["query", "--sample", "--format", "svg", "--output"])
        .arg(&out)
        .arg(
            "DeviceNetworkEvents | summarize count() by bin(Timestamp, 6h), ActionType \
             | render timechart with (title=\"Network events\")",
        )
        .assert()
        .success()
        .stderr(predicates::str::contains("wrote timechart chart ("));
    let doc = std::fs::read_to_string(&out).unwrap();
    let (paths, texts) = svg_parts(&doc);
    let of = |c: &str| -> Vec<String> {
        texts
            .iter()
            .filter(|(k, _)| k == c)
            .map(|(_, t)| t.clone())
            .collect()
    };
    assert_eq!(of("title"), ["Network events"]);
    assert_eq!(of("legend-label"), paths);
    assert!(!paths.is_empty());
    assert_eq!(of("x-title"), ["Timestamp"]);
    assert_eq!(of("y-title"), ["count_"]);
    assert!(of("y-label").contains(&"0".to_string()));
    assert!(of("x-label").len() >= 3);
    // Not over an existing file without --force.
    Command::cargo_bin("quarry")
        .unwrap()
        .args(["query", "--sample", "--format", "svg", "--output"])
        .arg(&out)
        .arg("DeviceNetworkEvents | summarize count() by Protocol | render piechart")
        .assert()
        .code(1)
        .stderr(predicates::str::contains(
            "exists (use --force to replace it)",
        ));
}

#[test]
fn quarry_query_writes_svg_of_a_make_series() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("series.svg");
    Command::cargo_bin("quarry")
        .unwrap()
        .args(["query", "--sample", "--format", "svg", "--output"])
        .arg(&out)
        .arg(
            "DeviceNetworkEvents | where ActionType in (\"ConnectionSuccess\", \"ConnectionFailed\") \
             | make-series count() default=0 on Timestamp step 1h by ActionType \
             | render timechart with (title=\"Hourly\")",
        )
        .assert()
        .success()
        .stderr(predicates::str::contains(
            "wrote timechart chart (2 series) to",
        ));
    let doc = std::fs::read_to_string(&out).unwrap();
    let (paths, texts) = svg_parts(&doc);
    let of = |c: &str| -> Vec<String> {
        texts
            .iter()
            .filter(|(k, _)| k == c)
            .map(|(_, t)| t.clone())
            .collect()
    };
    // One path per row of the make-series, named by its by-column.
    assert_eq!(paths, ["ConnectionSuccess", "ConnectionFailed"]);
    assert_eq!(of("legend-label"), paths);
    assert_eq!(of("title"), ["Hourly"]);
    assert_eq!(of("x-title"), ["Timestamp"]);
    assert_eq!(of("y-title"), ["count_"]);
    // The sample's two weeks, labelled by date.
    assert!(
        of("x-label").iter().all(|l| l.starts_with("2025-03-")),
        "{:?}",
        of("x-label")
    );
    assert!(of("y-label").contains(&"0".to_string()));
    // 336 hourly points a line, not one.
    let d = doc
        .lines()
        .find(|l| l.contains(r#"data-series="ConnectionFailed""#))
        .unwrap();
    assert!(d.matches('L').count() > 300, "{d}");
}

#[test]
fn svg_of_a_bad_render_points_at_it() {
    Command::cargo_bin("quarry")
        .unwrap()
        .args(["query", "--sample", "--format", "svg", "T | render pie"])
        .assert()
        .code(2)
        .stderr(predicates::str::starts_with(
            "error: unknown visualization 'pie' (did you mean 'piechart'?)",
        ));
}

#[test]
fn svg_without_render_is_refused() {
    Command::cargo_bin("quarry")
        .unwrap()
        .args([
            "query",
            "--sample",
            "--format",
            "svg",
            "DeviceNetworkEvents | take 3",
        ])
        .assert()
        .code(2)
        .stderr(
            "quarry: --format svg needs a query that ends in render (for example: ... | render timechart)\n",
        );
}
