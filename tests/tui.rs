//! The workbench, driven with key events: snapshots of every view
//! (ratatui's TestBackend + insta), the whole KQL Mysteries story end to
//! end, hostile cells, and the real binary in tmux.

use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::session::investigation::ViewKind;
use quarry::tui::app::{App, AppOptions, Message, PromptKind};
use quarry::tui::keymap::Keymap;
use quarry::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

const WAIT: Duration = Duration::from_secs(60);

fn sample_catalog() -> Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG
        .get_or_init(|| quarry::data::load::load_paths(&[sample_dir()]))
        .clone()
}

/// The source tree's sample data (what the binary bundles), read in place:
/// in-process tests do not write the bundle into the user's data directory.
fn sample_dir() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data").to_string()
}

fn app_with(catalog: Catalog, export_dir: &Path, width: u16, height: u16) -> App {
    app_with_options(
        catalog,
        AppOptions::new(export_dir.to_path_buf()),
        width,
        height,
    )
}

fn app_with_options(catalog: Catalog, options: AppOptions, width: u16, height: u16) -> App {
    let mut app = App::new(options);
    app.set_catalog(catalog);
    app.resize(width, height);
    app
}

/// The workbench on the bundled sample data, as `quarry` with no PATH opens
/// it: the status bar says "sample data".
fn sample_app(export_dir: &Path) -> App {
    let options = AppOptions {
        sample_data: true,
        ..AppOptions::new(export_dir.to_path_buf())
    };
    app_with_options(sample_catalog(), options, 80, 24)
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ch(app: &mut App, c: char) {
    key(app, KeyCode::Char(c));
}

fn ctrl(app: &mut App, c: char) {
    app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::CONTROL));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        ch(app, c);
    }
}

fn settle(app: &mut App) {
    assert!(app.wait_idle(WAIT), "work did not finish");
    assert!(app.error().is_none(), "unexpected error: {:?}", app.error());
}

/// The screen as text, one line per row, trailing blanks trimmed. Timings
/// are pinned so snapshots do not depend on the machine.
fn screen(app: &mut App) -> String {
    if app.last_query_time().is_some() {
        app.set_last_query_time(Some(Duration::from_millis(12)));
    }
    let size = app_size(app);
    let mut terminal = Terminal::new(TestBackend::new(size.0, size.1)).unwrap();
    terminal.draw(|f| views::draw(f, app)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        let mut x = 0;
        while x < buf.area.width {
            let symbol = buf[(x, y)].symbol();
            line.push_str(symbol);
            // A wide character covers the next cell too.
            x += quarry::text::display_width(symbol).max(1) as u16;
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

fn app_size(app: &App) -> (u16, u16) {
    let a = app.areas();
    (a.hints.width, a.hints.y + 1)
}

/// Moves the cursor to a column by name.
fn go_to_column(app: &mut App, name: &str) {
    for _ in 0..200 {
        if app.current().current_column_name() == Some(name) {
            return;
        }
        ch(app, 'l');
    }
    panic!("no column {name}");
}

/// Moves the cursor to the first row whose `column` shows `value`.
fn go_to_row(app: &mut App, column: &str, value: &str) {
    ch(app, 'g');
    let step = app.current();
    let col = step.columns.iter().position(|c| c.name == column).unwrap();
    let row = (0..step.rows.height())
        .find(|&r| step.cell(r, col).to_text() == value)
        .unwrap_or_else(|| panic!("no row with {column} = {value}"));
    for _ in 0..row {
        ch(app, 'j');
    }
}

fn search_home(app: &mut App, text: &str) {
    ch(app, '/');
    typed(app, text);
    key(app, KeyCode::Enter);
    settle(app);
}

/// Home -> search "192.168.0" -> NetworkCommunicationEvents.
fn open_story_table(app: &mut App) {
    search_home(app, "192.168.0");
    go_to_row(app, "$table", "NetworkCommunicationEvents");
    key(app, KeyCode::Enter);
    settle(app);
}

// ----- snapshots -----------------------------------------------------------

#[test]
fn snapshot_home() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    insta::assert_snapshot!("home", screen(&mut app));
}

/// Issue 9: cells that could not be read are null, and home says so, with
/// the file and line, under the tables.
#[test]
fn home_lists_cells_read_as_null() {
    let dir = tempfile::tempdir().unwrap();
    let mut csv = String::from("Timestamp,DeviceName,RemoteIP,RemotePort\n");
    for i in 0..30 {
        let port = if i == 7 {
            "44x3".to_string()
        } else {
            format!("{}", 440 + i)
        };
        csv.push_str(&format!(
            "2025-03-18T11:42:{i:02}Z,wks-{i:03},10.0.0.{i},{port}\n"
        ));
    }
    let path = dir.path().join("DeviceNetworkEvents.csv");
    std::fs::write(&path, csv).unwrap();
    let catalog = quarry::data::load::load_paths(&[dir.path().display().to_string()]);
    let mut app = app_with(catalog, dir.path(), 200, 30);
    let screen = screen(&mut app);
    let lines: Vec<&str> = screen.lines().map(str::trim).collect();
    let at = lines
        .iter()
        .position(|l| *l == "Loaded with warnings:")
        .unwrap_or_else(|| panic!("no warnings heading:\n{screen}"));
    assert_eq!(
        lines[at + 1],
        format!(
            "DeviceNetworkEvents: 1 cell could not be read and is null: RemotePort (int) at {}:9 \"44x3\"",
            path.display()
        )
    );
}

#[test]
fn snapshot_search_results() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    search_home(&mut app, "192.168.0");
    assert!(matches!(app.current().kind, ViewKind::SearchResults { .. }));
    insta::assert_snapshot!("search_results", screen(&mut app));
}

#[test]
fn snapshot_table() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    open_story_table(&mut app);
    insta::assert_snapshot!("table", screen(&mut app));
}

#[test]
fn snapshot_frequency() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    open_story_table(&mut app);
    go_to_column(&mut app, "RemotePort");
    ch(&mut app, 'F');
    settle(&mut app);
    insta::assert_snapshot!("frequency", screen(&mut app));
}

#[test]
fn snapshot_record_and_detail() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    open_story_table(&mut app);
    ch(&mut app, 'p');
    insta::assert_snapshot!("detail_panel", screen(&mut app));
    ch(&mut app, 'p');
    key(&mut app, KeyCode::Enter);
    assert!(matches!(app.current().kind, ViewKind::Record { row: 0 }));
    insta::assert_snapshot!("record", screen(&mut app));
}

#[test]
fn snapshot_help() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    ch(&mut app, '?');
    insta::assert_snapshot!("help", screen(&mut app));
    ch(&mut app, 'G');
    insta::assert_snapshot!("help_end", screen(&mut app));
    ch(&mut app, 'q');
    assert_eq!(app.context(), quarry::tui::action::Context::Home);
}

#[test]
fn snapshot_prompt_and_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    open_story_table(&mut app);
    ch(&mut app, ':');
    assert_eq!(app.prompt(), Some(&PromptKind::Pipeline));
    typed(&mut app, " | where RemotPort == 4444");
    insta::assert_snapshot!("prompt", screen(&mut app));
    let before = app.investigation().depth();
    key(&mut app, KeyCode::Enter);
    assert!(app.wait_idle(WAIT));
    // The error shows inline, with a caret, and the previous result stays.
    let err = app.error().expect("an error").clone();
    assert!(err.message.contains("RemotPort"), "{}", err.message);
    assert!(
        err.message.contains("RemotePort"),
        "did you mean: {}",
        err.message
    );
    assert_eq!(app.investigation().depth(), before);
    insta::assert_snapshot!("error", screen(&mut app));
    // `:` offers the failed pipeline again, to fix it.
    ch(&mut app, ':');
    let text = screen(&mut app);
    assert!(text.contains("RemotPort == 4444"), "{text}");
}

/// The Mysteries' step: count by two columns with KQL typed at the prompt,
/// Enter on the odd group, and its rows appear.
#[test]
fn enter_on_a_typed_summarize_group_shows_its_rows() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    ch(&mut app, ':');
    typed(
        &mut app,
        "NetworkCommunicationEvents | where RemoteIP has \"192.168.0.\" | summarize count() by RemoteIP, RemotePort | sort by count_ desc",
    );
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let counts = screen(&mut app);
    assert!(
        counts.contains(" 192.168.0.255        4444     600"),
        "{counts}"
    );
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let step = app.current();
    assert!(matches!(step.kind, ViewKind::Table));
    assert_eq!(step.rows.height(), 600);
    assert_eq!(
        step.stages.last().map(String::as_str),
        Some("where RemoteIP == \"192.168.0.255\" and RemotePort == 4444")
    );
    assert_eq!(step.stages.len(), 3, "{:?}", step.stages);
}

#[test]
fn syntax_errors_keep_the_prompt_open() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    ch(&mut app, ':');
    typed(&mut app, "NetworkCommunicationEvents | where (");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.prompt(), Some(&PromptKind::Pipeline));
    assert!(app.error().is_some_and(|e| e.caret.is_some()));
    insta::assert_snapshot!("syntax_error", screen(&mut app));
    key(&mut app, KeyCode::Esc);
    assert_eq!(app.prompt(), None);
}

#[test]
fn snapshot_too_small() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(sample_catalog(), dir.path(), 60, 20);
    insta::assert_snapshot!("too_small", screen(&mut app));
    // Still answers keys, and grows back.
    app.resize(80, 24);
    assert!(screen(&mut app).contains("NetworkCommunicationEvents"));
}

#[test]
fn snapshot_wide_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(sample_catalog(), dir.path(), 140, 30);
    open_story_table(&mut app);
    ch(&mut app, ':');
    key(&mut app, KeyCode::End);
    typed(&mut app, " | where RemoteIP has \"192.168.0.\"");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    insta::assert_snapshot!("main_screen", screen(&mut app));
}

// ----- hostile cells -------------------------------------------------------

fn hostile_catalog() -> Catalog {
    let frame = df!(
        "Name\u{1b}[31m" => [
            "\u{1b}[2J\u{1b}[Hcleared",
            "invoice\u{202e}fdp.exe",
            "line1\r\nline2\ttab",
            "\u{1b}]52;c;ZXZpbA==\u{7}osc",
            "日本語のファイル名.txt",
            "",
        ],
        "Cmd" => [
            "=HYPERLINK(\"http://evil/\")",
            "powershell -enc AAAA",
            "\u{9b}31mC1",
            &"x".repeat(300),
            "\u{0}\u{8}\u{7f}",
            "ok",
        ],
        "N" => [1i64, -2, 300, 4_000_000, 0, 6],
    )
    .unwrap();
    let mut c = Catalog::new();
    c.insert(Table {
        name: "Hostile\u{1b}Table".into(),
        frame,
        files: vec![],
        warnings: Vec::new(),
    });
    c
}

fn assert_no_raw_controls(screen_text: &str) {
    for c in screen_text.chars() {
        assert!(
            c == '\n' || !quarry::text::needs_escape(c),
            "raw {c:?} reached the screen:\n{screen_text}"
        );
    }
}

#[test]
fn hostile_strings_are_escaped_in_every_view() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = app_with(hostile_catalog(), dir.path(), 100, 24);
    let home = screen(&mut app);
    assert_no_raw_controls(&home);
    assert!(home.contains("Hostile\\eTable"), "{home}");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    ch(&mut app, 'p');
    let table = screen(&mut app);
    assert_no_raw_controls(&table);
    insta::assert_snapshot!("hostile_table", table);
    ch(&mut app, 'p');
    // Filter on the hostile cell: the stage quotes it, the engine finds it.
    ch(&mut app, 'j');
    ch(&mut app, 'f');
    settle(&mut app);
    assert_eq!(app.current().rows.height(), 1);
    let pipeline = app.current().pipeline();
    assert_eq!(
        pipeline,
        "['Hostile\\u001bTable'] | where ['Name\\u001b[31m'] == \"invoice\\u202efdp.exe\""
    );
    let filtered = screen(&mut app);
    assert_no_raw_controls(&filtered);
    ch(&mut app, 'q');
    // Record, frequency, detail, search.
    ch(&mut app, 'j');
    ch(&mut app, 'j');
    key(&mut app, KeyCode::Enter);
    let record = screen(&mut app);
    assert_no_raw_controls(&record);
    insta::assert_snapshot!("hostile_record", record);
    ch(&mut app, 'q');
    ch(&mut app, 'F');
    settle(&mut app);
    assert_no_raw_controls(&screen(&mut app));
    ch(&mut app, 'q');
    ch(&mut app, '/');
    typed(&mut app, "\u{1b}[31m");
    app.handle_paste("\u{1b}]0;title\u{7}");
    assert_no_raw_controls(&screen(&mut app));
    key(&mut app, KeyCode::Enter);
    assert!(app.wait_idle(WAIT));
    assert_no_raw_controls(&screen(&mut app));
}

// ----- behaviour -----------------------------------------------------------

#[test]
fn kql_mysteries_story_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());

    // search "192.168.0": hits per table.
    search_home(&mut app, "192.168.0");
    assert_eq!(
        app.current().pipeline(),
        r#"search "192.168.0" | summarize Hits = count() by $table | sort by Hits desc"#
    );
    let text = screen(&mut app);
    assert!(text.contains("NetworkCommunicationEvents") && text.contains("DeviceNetworkEvents"));

    // Enter on NetworkCommunicationEvents: search in (T) "x".
    go_to_row(&mut app, "$table", "NetworkCommunicationEvents");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert_eq!(
        app.current().pipeline(),
        r#"search in (NetworkCommunicationEvents) "192.168.0""#
    );

    // The filter, typed via `:` after the pipeline it was given.
    ch(&mut app, ':');
    key(&mut app, KeyCode::End);
    typed(&mut app, r#" | where RemoteIP has "192.168.0.""#);
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let filtered_rows = app.current().rows.height();
    assert_eq!(filtered_rows, 1335);

    // Frequency by the two marked columns.
    go_to_column(&mut app, "RemoteIP");
    ch(&mut app, 'm');
    go_to_column(&mut app, "RemotePort");
    ch(&mut app, 'm');
    ch(&mut app, 'F');
    settle(&mut app);
    assert!(matches!(app.current().kind, ViewKind::Frequency { .. }));
    assert_eq!(app.current().rows.height(), 10);
    assert_eq!(app.current().cell(0, 0).to_text(), "192.168.0.255");
    assert_eq!(app.current().cell(0, 1).to_text(), "4444");
    assert_eq!(app.current().cell(0, 2).to_text(), "600");
    let text = screen(&mut app);
    assert!(text.contains("44.9%"), "share of 600 in 1335:\n{text}");

    // Enter on 192.168.0.255:4444 drills to its rows.
    ch(&mut app, 'g');
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let pipeline = app.current().pipeline();
    assert_eq!(
        pipeline,
        r#"search in (NetworkCommunicationEvents) "192.168.0" | where RemoteIP has "192.168.0." | where RemoteIP == "192.168.0.255" and RemotePort == 4444"#
    );
    assert_eq!(app.current().rows.height(), 600);
    let labels: Vec<&str> = app
        .investigation()
        .steps()
        .iter()
        .map(|s| s.label.as_str())
        .collect();
    assert_eq!(
        labels,
        vec![
            "Home",
            r#"search "192.168.0""#,
            "NetworkCommunicationEvents",
            r#"where RemoteIP has "192.168.0.""#,
            "count by RemoteIP, RemotePort",
            r#"RemoteIP == "192.168.0.255" and RemotePort == 4444"#,
        ]
    );

    // The pipeline pastes into Defender unchanged: the CLI gets the same rows.
    let catalog = sample_catalog();
    let direct = quarry::kql::run(&catalog, &pipeline, &Default::default()).unwrap();
    assert_eq!(direct.height(), 600);

    // Select three rows (rows 2, 3 and 6) and export them.
    ch(&mut app, 'j');
    ch(&mut app, ' ');
    ch(&mut app, ' ');
    ch(&mut app, 'j');
    ch(&mut app, 'j');
    ch(&mut app, ' ');
    assert_eq!(app.current().view.selection.rows(600), vec![1, 2, 5]);
    ch(&mut app, 'e');
    assert_eq!(app.prompt(), Some(&PromptKind::ExportName));
    let shown = screen(&mut app);
    assert!(
        shown.contains("quarry-NetworkCommunicationEvents-"),
        "{shown}"
    );
    ctrl(&mut app, 'u');
    typed(&mut app, "beacons.csv");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let path = dir.path().join("beacons.csv");
    let message = match app.message() {
        Some(Message::Info(m)) => m.clone(),
        other => panic!("{other:?}"),
    };
    assert_eq!(message, format!("exported 3 rows to {}", path.display()));
    assert!(screen(&mut app).contains("exported 3 rows"));

    let text = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4);
    assert_eq!(
        lines[0],
        "$table,TimeGenerated,ComputerName,LocalIP,RemoteIP,RemotePort,Protocol,BytesSent,EventDescription"
    );
    let frame = &app.current().rows.clone().into_frame();
    for (line, row) in lines[1..].iter().zip([1usize, 2, 5]) {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields[0], "NetworkCommunicationEvents");
        assert_eq!(fields[1], app.current().cell(row, 1).to_text());
        assert_eq!(fields[4], "192.168.0.255");
        assert_eq!(fields[5], "4444");
        assert_eq!(fields[8], "Encrypted outbound data transfer");
    }
    assert!(frame.height() == 600);

    // With nothing selected, `e` exports every row of the view; an existing
    // name asks before replacing.
    ch(&mut app, 'u');
    ch(&mut app, 'e');
    ctrl(&mut app, 'u');
    typed(&mut app, "beacons.csv");
    key(&mut app, KeyCode::Enter);
    assert!(matches!(
        app.prompt(),
        Some(PromptKind::ConfirmOverwrite(_))
    ));
    ch(&mut app, 'n');
    assert_eq!(app.prompt(), Some(&PromptKind::ExportName));
    key(&mut app, KeyCode::Enter);
    ch(&mut app, 'y');
    settle(&mut app);
    let text = std::fs::read_to_string(&path).unwrap();
    assert_eq!(text.lines().count(), 601);

    // Back pops each step, without running anything.
    for depth in (0..5).rev() {
        ch(&mut app, 'q');
        assert_eq!(app.investigation().depth(), depth);
    }
}

#[test]
fn filters_sorts_and_hides_are_stages() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    go_to_row_home(&mut app, "NetworkCommunicationEvents");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert_eq!(app.current().pipeline(), "NetworkCommunicationEvents");
    let total = app.current().rows.height();

    go_to_column(&mut app, "Protocol");
    ch(&mut app, 'x');
    settle(&mut app);
    assert!(
        app.current()
            .pipeline()
            .ends_with(r#"| where Protocol != "TCP""#)
            || app
                .current()
                .pipeline()
                .ends_with(r#"| where Protocol != "UDP""#)
    );
    let excluded = app.current().rows.height();
    assert!(excluded < total);
    // The cursor stays on the column it filtered.
    assert_eq!(app.current().current_column_name(), Some("Protocol"));
    ch(&mut app, 'q');

    ch(&mut app, 'f');
    settle(&mut app);
    assert_eq!(app.current().rows.height() + excluded, total);
    ch(&mut app, 'q');

    // s sorts; s again reverses in place.
    go_to_column(&mut app, "BytesSent");
    ch(&mut app, 's');
    settle(&mut app);
    assert_eq!(
        app.current().pipeline(),
        "NetworkCommunicationEvents | sort by BytesSent asc"
    );
    let depth = app.investigation().depth();
    ch(&mut app, 's');
    settle(&mut app);
    assert_eq!(
        app.current().pipeline(),
        "NetworkCommunicationEvents | sort by BytesSent desc"
    );
    assert_eq!(app.investigation().depth(), depth);
    let first = app
        .current()
        .cell(0, app.current().view.col)
        .to_text()
        .into_owned();
    let second = app
        .current()
        .cell(1, app.current().view.col)
        .to_text()
        .into_owned();
    assert!(first.parse::<i64>().unwrap() >= second.parse::<i64>().unwrap());

    // - hides; two in a row make one project-away.
    ch(&mut app, '-');
    settle(&mut app);
    ch(&mut app, '-');
    settle(&mut app);
    assert_eq!(
        app.current().pipeline(),
        "NetworkCommunicationEvents | sort by BytesSent desc | project-away BytesSent, EventDescription"
    );
    assert!(app.current().columns.iter().all(|c| c.name != "BytesSent"));

    // / in a view appends a search; y copies the pipeline.
    ch(&mut app, '/');
    typed(&mut app, "wks-fin-001");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert!(
        app.current()
            .pipeline()
            .ends_with(r#"| search "wks-fin-001""#)
    );
    ch(&mut app, 'y');
    assert_eq!(
        app.take_clipboard().unwrap(),
        "NetworkCommunicationEvents\n| sort by BytesSent desc\n| project-away BytesSent, EventDescription\n| search \"wks-fin-001\""
    );
    ch(&mut app, 'Y');
    assert!(app.take_clipboard().is_some());
}

fn go_to_row_home(app: &mut App, table: &str) {
    ch(app, 'g');
    let names: Vec<String> = app.catalog().names().map(str::to_string).collect();
    let i = names.iter().position(|n| n == table).unwrap();
    for _ in 0..i {
        ch(app, 'j');
    }
}

#[test]
fn a_newer_query_replaces_a_pending_one_and_cancel_stops_it() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = sample_app(dir.path());
    go_to_row_home(&mut app, "DeviceNetworkEvents");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let depth = app.investigation().depth();
    // f then x at once: only x's step arrives.
    ch(&mut app, 'f');
    ch(&mut app, 'x');
    settle(&mut app);
    assert_eq!(app.investigation().depth(), depth + 1);
    assert!(app.current().pipeline().contains("!="));
    ch(&mut app, 'q');
    // Ctrl+c: the query stops and no step is pushed.
    ch(&mut app, 'F');
    assert!(app.busy());
    ctrl(&mut app, 'c');
    assert!(!app.busy());
    assert!(app.wait_idle(WAIT));
    assert_eq!(app.investigation().depth(), depth);
    // q while a query runs cancels it instead of going back.
    ch(&mut app, 'F');
    ch(&mut app, 'q');
    assert!(app.wait_idle(WAIT));
    assert_eq!(app.investigation().depth(), depth);
}

#[test]
fn keys_come_from_the_keymap() {
    let dir = tempfile::tempdir().unwrap();
    let mut options = AppOptions::new(dir.path().to_path_buf());
    options.keymap = Keymap::from_toml(
        "frequency = \"ctrl+f\"\nshow_help = \"f1\"\n",
        Path::new("k.toml"),
    )
    .unwrap();
    let mut app = App::new(options);
    app.set_catalog(sample_catalog());
    app.resize(120, 30);
    let text = screen(&mut app);
    assert!(text.contains("f1 help"), "{text}");
    key(&mut app, KeyCode::F(1));
    let text = screen(&mut app);
    assert!(text.contains("ctrl+f"), "{text}");
}

#[test]
fn loading_runs_on_the_worker() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new(AppOptions::new(dir.path().to_path_buf()));
    app.resize(80, 24);
    app.load(vec![sample_dir()]);
    assert!(app.busy());
    let _ = screen(&mut app);
    assert!(app.wait_idle(WAIT));
    assert_eq!(app.catalog().tables().count(), 5);
    let text = screen(&mut app);
    assert!(text.contains("5 tables loaded"), "{text}");
    assert!(text.contains("clock 2025-03-18T12:00:00Z"), "{text}");
}

/// Polls the worker until `done` holds (or the test's patience ends).
fn until(app: &mut App, done: impl Fn(&App) -> bool) {
    let deadline = std::time::Instant::now() + WAIT;
    while !done(app) {
        assert!(std::time::Instant::now() < deadline, "timed out");
        app.poll_worker();
        std::thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn loaded_tables_open_while_others_still_load() {
    let dir = tempfile::tempdir().unwrap();
    let small = dir.path().join("Small.csv");
    std::fs::write(&small, "Host,Port\nws-1,443\nws-2,80\n").unwrap();
    // A pipe: its table loads only when the test writes it.
    let pipe = dir.path().join("Zeta.csv");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    let mut app = App::new(AppOptions::new(dir.path().to_path_buf()));
    app.resize(80, 24);
    app.load(vec![
        small.to_string_lossy().into_owned(),
        pipe.to_string_lossy().into_owned(),
    ]);
    until(&mut app, |a| a.catalog().get("Small").is_some());
    assert!(app.busy(), "Zeta is still loading");
    let home = screen(&mut app);
    assert!(home.contains("Small"), "{home}");
    assert!(home.contains("Loading tables"), "{home}");
    assert!(home.contains("Zeta"), "{home}");

    key(&mut app, KeyCode::Enter);
    until(&mut app, |a| {
        matches!(a.current().kind, ViewKind::Table) && a.current().rows.height() == 2
    });
    let table = screen(&mut app);
    assert!(table.contains("ws-2"), "{table}");
    assert!(table.contains("loading; 1 table ready"), "{table}");

    std::fs::write(&pipe, "Host\nws-3\n").unwrap();
    assert!(app.wait_idle(WAIT));
    assert_eq!(app.catalog().get("Zeta").map(|t| t.rows()), Some(1));
    assert_eq!(app.catalog().tables().count(), 2);
}

#[test]
fn readme_key_list_matches_the_keymap() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let start = readme
        .find("<!-- keys:start -->")
        .expect("README has the key list markers");
    let end = readme
        .find("<!-- keys:end -->")
        .expect("README has the key list markers");
    let block = &readme[start..end];
    let listed: Vec<&str> = block
        .lines()
        .skip_while(|l| !l.starts_with("```"))
        .skip(1)
        .take_while(|l| !l.starts_with("```"))
        .collect();
    let expected = Keymap::default().help_lines();
    assert_eq!(
        listed,
        expected.iter().map(String::as_str).collect::<Vec<_>>(),
        "README's key list differs from Keymap::default().help_lines(); paste:\n{}",
        expected.join("\n")
    );
}

// ----- the investigation is saved as it goes -----------------------------

/// A workbench that saves to `state`, started from what it holds, loading
/// the sample data as `quarry` would.
fn saving_app(dir: &Path, state: &Path) -> App {
    let (saved, warning) = quarry::session::persist::SavedState::load(state);
    assert_eq!(warning, None);
    let options = AppOptions {
        state_path: Some(state.to_path_buf()),
        saved,
        ..AppOptions::new(dir.to_path_buf())
    };
    let mut app = App::new(options);
    app.resize(100, 30);
    app.load(vec![sample_dir()]);
    app.begin_session();
    app
}

fn saved(state: &Path) -> quarry::session::persist::SavedState {
    quarry::session::persist::SavedState::load(state).0
}

#[test]
fn the_state_follows_the_investigation_and_a_crash_reopens_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let mut app = saving_app(dir.path(), &state);
    assert!(
        saved(&state).open,
        "the session is marked open from the start"
    );
    settle(&mut app);
    ch(&mut app, ':');
    typed(&mut app, "DeviceInfo | summarize n = count() by OSPlatform");
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    // Written at once, not at quit.
    let s = saved(&state);
    assert_eq!(
        s.view.as_deref(),
        Some("DeviceInfo | summarize n = count() by OSPlatform")
    );
    assert_eq!(s.running, None);
    assert_eq!(s.data.len(), 1);
    // Back home: saved too; the last pipelines stay for the hint.
    ch(&mut app, 'q');
    let s = saved(&state);
    assert_eq!(s.view, None);
    assert_eq!(
        s.last_session,
        vec!["DeviceInfo | summarize n = count() by OSPlatform".to_string()]
    );
    ch(&mut app, 'j');
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let at = saved(&state).view.unwrap();
    // The process dies here (no end_session): the next start reopens it.
    drop(app);
    let mut again = saving_app(dir.path(), &state);
    assert!(again.wait_idle(WAIT));
    assert_eq!(again.current().pipeline(), at);
    let text = screen(&mut again);
    assert!(
        text.contains("reopened your last session, which ended unexpectedly"),
        "{text}"
    );
    // Quitting closes it: the next start opens at home.
    again.end_session();
    assert!(!saved(&state).open);
    let mut third = saving_app(dir.path(), &state);
    assert!(third.wait_idle(WAIT));
    assert_eq!(third.investigation().depth(), 0);
}

#[test]
fn the_query_that_was_running_is_named_and_not_run_again() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.json");
    let data = std::fs::canonicalize(sample_dir()).unwrap();
    let write = |view: Option<&str>, running: &str| {
        quarry::session::persist::SavedState {
            view: view.map(str::to_string),
            running: Some(running.to_string()),
            data: vec![data.to_string_lossy().into_owned()],
            open: true,
            ..Default::default()
        }
        .save(&state)
        .unwrap();
    };
    // It died while running a query on top of a view: the view reopens,
    // the query is named, and `:` then Up offers it.
    write(Some("DeviceInfo | take 3"), "DeviceInfo | take 4");
    let mut app = saving_app(dir.path(), &state);
    assert!(app.wait_idle(WAIT));
    assert_eq!(app.current().pipeline(), "DeviceInfo | take 3");
    assert!(
        matches!(app.message(), Some(Message::Warning(m)) if m == "reopened your last session; \
            it stopped while running DeviceInfo | take 4 (not run again: : then up recalls it)"),
        "{:?}",
        app.message()
    );
    ch(&mut app, ':');
    key(&mut app, KeyCode::Up);
    let text = screen(&mut app);
    assert!(text.contains(" : DeviceInfo | take 4\n"), "{text}");
    drop(app);
    // It died reopening the view itself: not reopened again (no loop).
    write(Some("DeviceInfo | take 3"), "DeviceInfo | take 3");
    let mut app = saving_app(dir.path(), &state);
    assert!(app.wait_idle(WAIT));
    assert_eq!(app.investigation().depth(), 0);
    assert!(
        matches!(app.message(), Some(Message::Warning(m)) if m == "your last session stopped while \
            running DeviceInfo | take 3 (not run again: : then up recalls it)"),
        "{:?}",
        app.message()
    );
    drop(app);
    // Other data: nothing to reopen.
    quarry::session::persist::SavedState {
        view: Some("DeviceInfo | take 3".into()),
        data: vec!["/elsewhere".into()],
        open: true,
        ..Default::default()
    }
    .save(&state)
    .unwrap();
    let mut app = saving_app(dir.path(), &state);
    assert!(app.wait_idle(WAIT));
    assert_eq!(app.investigation().depth(), 0);
}

// ----- the real binary -----------------------------------------------------

/// A tmux server of its own (so parallel tests never share one) running a
/// command in a session of the given size.
struct Tmux {
    socket: String,
}

impl Tmux {
    /// Starts `command` (run by the shell) in a new server named after the
    /// test. tmux must be installed: without it the test fails, it does not
    /// skip.
    fn start(tag: &str, width: u16, height: u16, command: &str) -> Tmux {
        let version = std::process::Command::new("tmux").arg("-V").output();
        assert!(
            version.is_ok_and(|o| o.status.success()),
            "tmux is needed to drive the real binary (apt-get install tmux)"
        );
        let t = Tmux {
            socket: format!("quarry-test-{}-{tag}", std::process::id()),
        };
        let ok = t
            .tmux()
            .args(["new-session", "-d", "-s", "t", "-x"])
            .arg(width.to_string())
            .arg("-y")
            .arg(height.to_string())
            .arg(command)
            .status()
            .unwrap()
            .success();
        assert!(ok, "tmux new-session failed");
        t
    }

    fn tmux(&self) -> std::process::Command {
        let mut c = std::process::Command::new("tmux");
        c.args(["-L", &self.socket]);
        c
    }

    /// The screen, wrapped lines joined (so long messages read whole).
    fn capture(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-J", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// The screen and the lines scrolled off it.
    fn capture_history(&self) -> String {
        let out = self
            .tmux()
            .args(["capture-pane", "-p", "-J", "-S", "-", "-t", "t"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// A pane variable, such as `alternate_on` or `pane_tty`.
    fn format(&self, variable: &str) -> String {
        let out = self
            .tmux()
            .args(["display-message", "-p", "-t", "t"])
            .arg(format!("#{{{variable}}}"))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    fn send(&self, keys: &[&str]) {
        assert!(
            self.tmux()
                .args(["send-keys", "-t", "t"])
                .args(keys)
                .status()
                .unwrap()
                .success()
        );
    }

    fn wait_for(&self, text: &str) -> String {
        let deadline = std::time::Instant::now() + Duration::from_secs(90);
        loop {
            let screen = self.capture();
            if screen.contains(text) {
                return screen;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "timed out waiting for {text:?}; screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = self.tmux().arg("kill-server").status();
    }
}

/// The shell command that runs the binary in `work` with its config,
/// history and bundled sample data under `home` (never the user's), with
/// `env` set, then prints its exit status and the terminal's settings.
fn workbench_command(home: &Path, work: &Path, env: &str, args: &str) -> String {
    format!(
        "cd '{}' && XDG_CONFIG_HOME='{}/config' XDG_DATA_HOME='{}/data' HOME='{}' {env} '{}' {args}; \
         echo quarry-exited-$?; stty -a; echo end-of-stty; sleep 60",
        work.display(),
        home.display(),
        home.display(),
        home.display(),
        PathBuf::from(env!("CARGO_BIN_EXE_quarry")).display()
    )
}

#[test]
fn real_binary_in_tmux() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let t = Tmux::start(
        "main",
        120,
        32,
        &workbench_command(home.path(), work.path(), "", "--now 2025-03-18T12:00:00Z"),
    );
    let home_screen = t.wait_for("5 tables loaded");
    assert!(
        home_screen.contains("NetworkCommunicationEvents"),
        "{home_screen}"
    );
    // No PATH: the bundled sample data, and the status bar says so.
    assert!(
        home_screen.contains("sample data │ 5 tables, 67,012 rows"),
        "{home_screen}"
    );
    assert!(
        home.path()
            .join("data/quarry/sample-data/DeviceInfo.csv.zst")
            .exists()
    );
    assert!(
        home_screen.contains("clock 2025-03-18T12:00:00Z"),
        "{home_screen}"
    );

    t.send(&["/"]);
    t.send(&["-l", "192.168.0"]);
    t.send(&["Enter"]);
    let s = t.wait_for("Hits");
    assert!(s.contains("DeviceNetworkEvents"), "{s}");
    t.send(&["j", "Enter"]);
    t.wait_for(r#"KQL  search in (NetworkCommunicationEvents) "192.168.0""#);
    t.send(&[":"]);
    t.send(&["End"]);
    t.send(&[
        "-l",
        r#" | where RemoteIP has "192.168.0." | summarize count() by RemoteIP, RemotePort"#,
    ]);
    t.send(&["Enter"]);
    let s = t.wait_for("count_");
    assert!(
        s.contains("192.168.0.255") && s.contains("4444") && s.contains("600"),
        "{s}"
    );
    t.send(&["?"]);
    t.wait_for("Keys (change them in keymap.toml");
    t.send(&["q", "Q"]);
    let s = t.wait_for("quarry-exited-");
    assert!(s.contains("quarry-exited-0"), "{s}");
    // History was saved in the temporary data directory.
    let state = std::fs::read_to_string(home.path().join("data/quarry/state.json")).unwrap();
    assert!(
        state.contains("summarize count() by RemoteIP, RemotePort"),
        "{state}"
    );
}

#[test]
fn runaway_and_cancelled_queries_in_tmux() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let t = Tmux::start(
        "limits",
        160,
        40,
        &workbench_command(
            home.path(),
            work.path(),
            "",
            "--now 2025-03-18T12:00:00Z --max-memory 2GB",
        ),
    );
    t.wait_for("5 tables loaded");
    let query = |text: &str| {
        t.send(&[":"]);
        t.send(&["C-u"]);
        t.send(&["-l", text]);
        t.send(&["Enter"]);
    };
    // A cross product: refused before it allocates, the whole message on
    // screen (wrapped), the workbench still answering.
    query(
        "DeviceNetworkEvents | extend k = 1 | join kind=inner (DeviceNetworkEvents | extend k = 1) on k | take 5",
    );
    let s = t.wait_for("join on more keys");
    // The message wraps at the screen's edge: read it as one line.
    let flat: String = s
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end())
        .collect();
    assert!(
        flat.contains(
            "error: join would produce 2,500,000,000 rows (about 1010.5 GiB), more than the limit of \
             4,948,119 rows (2.0 GiB of memory at 434 bytes a row; set with --max-memory); filter \
             both sides first, or join on more keys"
        ),
        "{flat}"
    );
    query("DeviceInfo | count");
    let s = t.wait_for("1946");
    assert!(s.contains("Count"), "{s}");
    // A join that runs for seconds, cancelled while it runs: the worker
    // stops, says so, and the next query runs.
    query(
        "DeviceNetworkEvents | join kind=inner (DeviceNetworkEvents | take 10000) on DeviceName \
         | summarize dcount(RemotePort1) by DeviceName, RemotePort | count",
    );
    t.wait_for("(ctrl+c cancels)");
    t.send(&["C-c"]);
    let s = t.wait_for("query cancelled (");
    assert!(s.contains("ms after ctrl+c)"), "{s}");
    query("NetworkCommunicationEvents | count");
    t.wait_for("10000");
    t.send(&["Q"]);
    let s = t.wait_for("quarry-exited-");
    assert!(s.contains("quarry-exited-0"), "{s}");
}

/// The pid of the only child of `pid` (named `what`, for the message).
fn child_of(pid: &str, what: &str) -> String {
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        let out = std::process::Command::new("pgrep")
            .args(["-P", pid])
            .output()
            .expect("pgrep (procps) is needed to find the workbench child");
        let pids: Vec<String> = String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        if pids.len() == 1 {
            return pids[0].clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "expected one {what} under {pid}, found {pids:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

/// The workbench process in a pane: the shell's child is the supervisor,
/// the supervisor's child the workbench.
fn workbench_pid(t: &Tmux) -> String {
    let shell = t.format("pane_pid");
    let supervisor = child_of(&shell, "supervisor");
    child_of(&supervisor, "workbench")
}

/// `stty -a`'s words, as printed on screen after the workbench ended.
fn assert_sane_terminal(t: &Tmux) {
    let screen = t.wait_for("end-of-stty");
    let words: Vec<&str> = screen.split([' ', ';', '\n']).collect();
    for sane in ["icanon", "echo", "isig", "icrnl", "opost", "onlcr"] {
        assert!(
            words.contains(&sane) && !words.contains(&format!("-{sane}").as_str()),
            "stty -a does not show {sane}:\n{screen}"
        );
    }
}

/// The terminal of a pane is still in the workbench's raw mode (read from
/// outside, while the workbench runs).
fn pane_is_raw(t: &Tmux) -> bool {
    let tty = t.format("pane_tty");
    let out = std::process::Command::new("stty")
        .args(["-a", "-F", &tty])
        .output()
        .or_else(|_| {
            std::process::Command::new("stty")
                .args(["-a", "-f", &tty])
                .output()
        })
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "stty -a on {tty} failed");
    text.split_whitespace().any(|w| w == "-icanon")
}

#[test]
fn sigkill_restores_the_terminal_and_quarry_reopens_where_it_was() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    let command = workbench_command(home.path(), work.path(), "", "--now 2025-03-18T12:00:00Z");
    let t = Tmux::start("sigkill", 160, 40, &command);
    t.wait_for("5 tables loaded");
    t.send(&[":"]);
    t.send(&["-l", "DeviceInfo | summarize n = count() by OSPlatform"]);
    t.send(&["Enter"]);
    t.wait_for("KQL  DeviceInfo | summarize n = count() by OSPlatform");
    assert_eq!(t.format("alternate_on"), "1");
    assert!(pane_is_raw(&t));

    // What the kernel's OOM killer does.
    let pid = workbench_pid(&t);
    assert!(
        std::process::Command::new("kill")
            .args(["-KILL", &pid])
            .status()
            .unwrap()
            .success()
    );
    let s = t.wait_for("quarry-exited-");
    assert!(s.contains("quarry-exited-137"), "{s}");
    assert!(
        s.contains(
            "quarry: the workbench was killed by SIGKILL (perhaps the system ran out of memory); \
             your terminal has been restored. Your investigation was saved: run quarry again to reopen it."
        ),
        "{s}"
    );
    assert_sane_terminal(&t);
    assert_eq!(
        t.format("alternate_on"),
        "0",
        "still in the alternate screen"
    );
    assert_eq!(t.format("cursor_flag"), "1", "the cursor is still hidden");
    drop(t);

    // The next start reopens the view it was on.
    let t = Tmux::start("sigkill-again", 160, 40, &command);
    let s = t.wait_for("reopened your last session, which ended unexpectedly");
    let s = if s.contains("OSPlatform") {
        s
    } else {
        t.wait_for("KQL  DeviceInfo | summarize n = count() by OSPlatform")
    };
    assert!(
        s.contains("KQL  DeviceInfo | summarize n = count() by OSPlatform"),
        "{s}"
    );
    t.wait_for("Windows");
    t.send(&["Q"]);
    let s = t.wait_for("quarry-exited-");
    assert!(s.contains("quarry-exited-0"), "{s}");
    // Quit cleanly: the next start opens at home.
    let state: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("data/quarry/state.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(state["open"], false, "{state}");
    assert_eq!(
        state["view"], "DeviceInfo | summarize n = count() by OSPlatform",
        "{state}"
    );
}

#[test]
fn a_panic_inside_a_query_is_an_error_and_the_workbench_goes_on() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    // Debug builds only: the first query panics on a rayon thread.
    let command = workbench_command(
        home.path(),
        work.path(),
        "QUARRY_DEBUG_PANIC=1",
        "--now 2025-03-18T12:00:00Z",
    );
    let t = Tmux::start("panic", 120, 32, &command);
    t.wait_for("5 tables loaded");
    t.send(&[":"]);
    t.send(&["-l", "DeviceInfo | count"]);
    t.send(&["Enter"]);
    t.wait_for(
        "error: internal error (please report it): QUARRY_DEBUG_PANIC: a panic inside the query at src/tui/worker.rs:",
    );
    // The terminal was left alone: still full screen, still raw.
    assert_eq!(t.format("alternate_on"), "1");
    assert!(
        pane_is_raw(&t),
        "the panic restored the terminal under the workbench"
    );
    // And the next query runs.
    t.send(&[":"]);
    t.send(&["Enter"]);
    let s = t.wait_for("1946");
    assert!(s.contains("KQL  DeviceInfo | count"), "{s}");
    t.send(&["Q"]);
    let s = t.wait_for("quarry-exited-");
    assert!(s.contains("quarry-exited-0"), "{s}");
    assert!(!s.contains("quarry: the workbench"), "{s}");
}

#[test]
fn an_abort_is_cleaned_up_by_the_supervisor() {
    let home = tempfile::tempdir().unwrap();
    let work = tempfile::tempdir().unwrap();
    // Debug builds only: the first query aborts, as a failed allocation does.
    let command = workbench_command(
        home.path(),
        work.path(),
        "QUARRY_DEBUG_ABORT=1",
        "--now 2025-03-18T12:00:00Z",
    );
    let t = Tmux::start("abort", 160, 40, &command);
    t.wait_for("5 tables loaded");
    t.send(&[":"]);
    t.send(&["-l", "DeviceInfo | take 3"]);
    t.send(&["Enter"]);
    let s = t.wait_for("quarry-exited-");
    assert!(s.contains("quarry-exited-134"), "{s}");
    // What the workbench wrote while it had the screen is shown after it,
    // not lost with the alternate screen (a backtrace may follow it).
    let all = t.capture_history();
    let failed = all.find("memory allocation of 13107200000 bytes failed\n");
    let said = all.find("quarry: the workbench aborted");
    assert!(failed.is_some() && failed < said, "{all}");
    assert!(
        s.contains(
            "quarry: the workbench aborted (SIGABRT: a memory allocation failed, or an internal error); \
             your terminal has been restored. Your investigation was saved: run quarry again to reopen it."
        ),
        "{s}"
    );
    assert_sane_terminal(&t);
    assert_eq!(t.format("alternate_on"), "0");
    // The query that was running is remembered, and not run again.
    let state = std::fs::read_to_string(home.path().join("data/quarry/state.json")).unwrap();
    assert!(
        state.contains(r#""running": "DeviceInfo | take 3""#),
        "{state}"
    );
    drop(t);
    let command = workbench_command(home.path(), work.path(), "", "--now 2025-03-18T12:00:00Z");
    let t = Tmux::start("abort-again", 220, 40, &command);
    t.wait_for(
        "your last session stopped while running DeviceInfo | take 3 (not run again: : then up recalls it)",
    );
    t.send(&[":", "Up"]);
    t.wait_for(" : DeviceInfo | take 3");
    // Apart: Escape then Q at once would read as Alt+Q.
    t.send(&["Escape"]);
    t.wait_for(" Q quit");
    t.send(&["Q"]);
    let s = t.wait_for("quarry-exited-");
    assert!(s.contains("quarry-exited-0"), "{s}");
}

// ----- detection rules -----------------------------------------------------

fn rules_app(export_dir: &Path) -> App {
    let mut options = AppOptions::new(export_dir.to_path_buf());
    options.clock = Box::new(|_: &Catalog| (quarry::data::sample::END, None));
    let mut app = App::new(options);
    app.set_catalog(sample_catalog());
    app.resize(120, 40);
    let (rules, errors) = quarry::hunt::rules::load_all(None);
    assert!(errors.is_empty(), "{errors:?}");
    app.set_rules(rules);
    app
}

/// Issue 10's triage: after `A`, the rules that fired come first, most
/// severe then noisiest, with their devices, first and last hit and
/// tactic; a rule that could not run says why; `T` groups by tactic.
#[test]
fn triage_of_every_rule_that_fired() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = rules_app(dir.path());
    let rule = |id: &str, severity: &str, tactic: &str, query: &str| {
        quarry::hunt::rules::Rule::from_toml(
            &format!(
                "id = \"{id}\"\ntitle = \"{id} rule\"\nseverity = \"{severity}\"\n\
                 tactics = [\"{tactic}\"]\ndescription = \"{id} description\"\n\
                 [query]\ntext = '''{query}'''\n"
            ),
            "test",
        )
        .unwrap()
    };
    let mut rules = quarry::hunt::rules::load_all(None).0;
    rules.extend([
        rule("T-LOW", "low", "Discovery", "DeviceNetworkEvents | take 7"),
        rule(
            "T-NONE",
            "high",
            "Impact",
            "DeviceNetworkEvents | where RemotePort == -1",
        ),
        rule(
            "T-HIGH",
            "high",
            "Execution",
            "DeviceProcessEvents | take 2",
        ),
        rule("T-BROKEN", "critical", "Impact", "NoSuchTable | take 1"),
    ]);
    app.set_rules(rules);
    let ids = |text: &str| -> Vec<String> {
        text.lines()
            .filter_map(|l| l.split_whitespace().next())
            .filter(|w| w.starts_with("T-") || w.starts_with("QRY-"))
            .map(str::to_string)
            // The list's five rows, not the status line under them.
            .take(5)
            .collect()
    };
    ch(&mut app, 'R');
    ch(&mut app, 'A');
    settle(&mut app);
    let text = screen(&mut app);
    // Fired by severity then hits; then the failed one; then no hits.
    assert_eq!(
        ids(&text),
        ["T-HIGH", "QRY-0001", "T-LOW", "T-BROKEN", "T-NONE"],
        "{text}"
    );
    insta::assert_snapshot!("triage", text);
    // Grouped by tactic: CommandAndControl, Discovery, Execution.
    ch(&mut app, 'T');
    let text = screen(&mut app);
    assert_eq!(
        ids(&text),
        ["QRY-0001", "T-LOW", "T-HIGH", "T-BROKEN", "T-NONE"],
        "{text}"
    );
    assert!(
        text.contains("grouped by tactic (T: by severity)"),
        "{text}"
    );
    // Down to the broken rule: why it could not run.
    key(&mut app, KeyCode::Char('g'));
    for _ in 0..3 {
        key(&mut app, KeyCode::Down);
    }
    let text = screen(&mut app);
    assert!(
        text.contains("could not run: unknown table 'NoSuchTable'"),
        "{text}"
    );
    // Enter on a rule that fired opens its hits.
    key(&mut app, KeyCode::Up);
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert!(matches!(app.current().kind, ViewKind::Table));
    assert_eq!(app.current().label, "T-HIGH rule");
}

/// Running all rules shares the scans of the tables they read (issue 10):
/// the triage rows are exactly those of each rule run on its own (the
/// figures below are `quarry query`'s for each rule's query on the sample),
/// and a rule whose shared `where` fails lists its error.
#[test]
fn run_all_rules_shares_scans_and_triages_each_rule_as_alone() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = rules_app(dir.path());
    let rule = |id: &str, severity: &str, tactic: &str, query: &str| {
        quarry::hunt::rules::Rule::from_toml(
            &format!(
                "id = \"{id}\"\ntitle = \"{id} rule\"\nseverity = \"{severity}\"\n\
                 tactics = [\"{tactic}\"]\n[query]\ntext = '''{query}'''\n"
            ),
            "test",
        )
        .unwrap()
    };
    let mut rules = quarry::hunt::rules::load_all(None).0;
    rules.extend([
        rule(
            "S-PS",
            "high",
            "Execution",
            r#"DeviceProcessEvents | where FileName =~ "POWERSHELL.EXE""#,
        ),
        rule(
            "S-PY",
            "medium",
            "Execution",
            r#"DeviceProcessEvents | where FileName == "python.exe" and not(DeviceName startswith "zz")"#,
        ),
        rule(
            "S-FAST",
            "critical",
            "Execution",
            r#"DeviceProcessEvents | where FileName in ("fastpdf_update.exe", "BrightlineAssist.exe") | project Timestamp, DeviceName, FileName"#,
        ),
        rule(
            "S-SQL",
            "medium",
            "Discovery",
            "DeviceNetworkEvents | where RemotePort == 1433",
        ),
        rule(
            "S-BAD",
            "high",
            "Impact",
            "DeviceProcessEvents | where NoSuchColumn == 1",
        ),
        rule(
            "S-NONE",
            "low",
            "Impact",
            "DeviceNetworkEvents | where RemotePort == -1",
        ),
    ]);
    app.set_rules(rules);
    ch(&mut app, 'R');
    ch(&mut app, 'A');
    settle(&mut app);
    let text = screen(&mut app);
    let rows: Vec<&str> = text
        .lines()
        .skip_while(|l| !l.contains(" rules fired "))
        .take(9)
        .collect();
    assert_eq!(
        rows,
        [
            " 5 of 7 rules fired (89 hits), 1 could not run; by severity then hits (T: by tactic)",
            " Rule                                               Severity           Hits  Devices  First hit         Last hit",
            " S-FAST  S-FAST rule                                critical              4        4  2025-03-18 11:16  2025-03-18 11:50",
            " S-PS  S-PS rule                                    high                 30       12  2025-03-04 12:33  2025-03-14 19:21",
            " S-PY  S-PY rule                                    medium               45       28  2025-03-04 13:17  2025-03-18 06:52",
            " S-SQL  S-SQL rule                                  medium                7        1  2025-03-04 17:51  2025-03-14 22:36",
            " QRY-0001  Uncommon process connecting to a Cloud…  medium                3        3  2025-03-18 11:17  2025-03-18 11:45",
            " S-BAD  S-BAD rule                                  high              error        ·  ·                 ·",
            " S-NONE  S-NONE rule                                low                   0        0  ·                 ·",
        ],
        "{text}"
    );
    assert!(
        text.contains(" ran 7 rules: 5 fired, 1 could not run "),
        "{text}"
    );
    // Down to the failed rule: the shared scan's error, as the rule alone
    // gives it.
    for _ in 0..5 {
        key(&mut app, KeyCode::Down);
    }
    let text = screen(&mut app);
    assert!(
        text.contains("could not run: unknown column 'NoSuchColumn'"),
        "{text}"
    );
    // Enter runs the rule under the cursor alone and opens its hits.
    for _ in 0..4 {
        key(&mut app, KeyCode::Up);
    }
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert_eq!(app.current().label, "S-PS rule");
    assert_eq!(app.current().rows.height(), 30);
}

/// Ctrl+C cancels a run of all rules (one job, one cancel flag): the
/// workbench is free at once, and no rule's result arrives afterwards.
#[test]
fn ctrl_c_cancels_running_all_rules() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = rules_app(dir.path());
    ch(&mut app, 'R');
    ch(&mut app, 'A');
    assert!(app.busy());
    ctrl(&mut app, 'c');
    assert!(!app.busy());
    assert!(
        matches!(app.message(), Some(Message::Warning(w)) if w == "cancelling rules"),
        "{:?}",
        app.message()
    );
    // A query after it runs once the cancelled job has stopped; the rule
    // results the job sent meanwhile are not taken.
    key(&mut app, KeyCode::Esc);
    ch(&mut app, ':');
    for c in "DeviceInfo | take 1".chars() {
        ch(&mut app, c);
    }
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert_eq!(app.current().rows.height(), 1);
    ch(&mut app, 'R');
    let text = screen(&mut app);
    assert!(!text.contains("rules fired"), "{text}");
    assert!(text.contains("never"), "{text}");
}

#[test]
fn snapshot_rules_list_and_hits_with_profile() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = rules_app(dir.path());
    ch(&mut app, 'R');
    assert_eq!(app.context(), quarry::tui::action::Context::Rules);
    insta::assert_snapshot!("rules_list", screen(&mut app));

    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert!(matches!(app.current().kind, ViewKind::Table));
    assert!(app.current_hits().is_some());
    let hits = screen(&mut app);
    assert!(hits.contains("fastpdf_update.exe"), "{hits}");
    assert!(hits.contains("unsigned"), "{hits}");
    assert!(hits.contains("global prevalence 3, under 1000"), "{hits}");
    insta::assert_snapshot!("rule_hits", hits);
}

/// Judging hits after narrowing them: with the first hit excluded (`x`),
/// the panel still profiles each remaining hit and says why it fired.
#[test]
fn the_profile_panel_follows_filtered_hits() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = rules_app(dir.path());
    ch(&mut app, 'R');
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let all = app.current_hits().expect("hits").clone();
    assert_eq!(all.reasons.len(), 3);
    assert!(
        all.reasons[1..]
            .iter()
            .all(|r| matches!(r, quarry::hunt::verdict::Why::Failed(f) if !f.is_empty()))
    );
    assert_ne!(all.reasons[1], all.reasons[2]);
    ch(&mut app, 'x');
    settle(&mut app);
    assert_eq!(app.current().rows.height(), 2);
    let hits = app
        .current_hits()
        .expect("the narrowed hits keep their panel");
    assert_eq!(hits.why_at(app.current(), 0), Some(&all.reasons[1]));
    assert_eq!(hits.why_at(app.current(), 1), Some(&all.reasons[2]));
    let text = screen(&mut app);
    assert!(text.contains("hit 1 of 2"), "{text}");
    assert!(text.contains("why it fired"), "{text}");
    assert!(!text.contains("fastpdf_update.exe"), "{text}");
}

#[test]
fn run_all_rules_counts_hits_and_pivots_open_pipelines() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = rules_app(dir.path());
    ch(&mut app, 'R');
    ch(&mut app, 'A');
    settle(&mut app);
    let list = screen(&mut app);
    assert!(!list.contains("never"), "{list}");
    assert_eq!(app.context(), quarry::tui::action::Context::Rules);

    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    let depth = app.investigation().depth();
    let hash = {
        let step = app.current();
        let c = step
            .columns
            .iter()
            .position(|c| c.name == "InitiatingProcessSHA1")
            .unwrap();
        step.cell(step.current_row(), c).to_text().into_owned()
    };
    ch(&mut app, '1');
    settle(&mut app);
    assert_eq!(app.investigation().depth(), depth + 1);
    assert_eq!(
        app.current().pipeline(),
        format!("DeviceNetworkEvents | where InitiatingProcessSHA1 == \"{hash}\"")
    );
    assert!(app.current().rows.height() > 0);
    key(&mut app, KeyCode::Esc);
    ch(&mut app, '2');
    settle(&mut app);
    assert!(
        app.current()
            .pipeline()
            .starts_with("DeviceProcessEvents | where SHA1 ==")
    );
    key(&mut app, KeyCode::Esc);
    ch(&mut app, '3');
    settle(&mut app);
    let p = app.current().pipeline();
    assert!(
        p.starts_with("union DeviceNetworkEvents, DeviceProcessEvents | where DeviceName =="),
        "{p}"
    );
    assert!(app.current().rows.height() > 0);
}
