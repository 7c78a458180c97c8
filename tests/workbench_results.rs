//! A query that makes several tables (`fork`, `facet`, `evaluate
//! preview`) in the workbench: `]` and `[` switch between its tables, each
//! keeps its cursor, and a drill continues from the query that makes the
//! shown table alone (KQL allows no operator after `fork`).

use std::time::Duration;

use polars::df;
use quarry::data::catalog::{Catalog, Table};
use quarry::tui::app::{App, AppOptions, Message};
use quarry::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

fn storms_app(dir: &std::path::Path) -> App {
    let frame = df!(
        "State" => ["FLORIDA", "TEXAS", "FLORIDA", "IOWA"],
        "Deaths" => [2i64, 0, 1, 0],
    )
    .expect("a frame");
    let mut catalog = Catalog::new();
    catalog.insert(Table {
        name: "Storms".into(),
        frame,
        files: Vec::new(),
        warnings: Vec::new(),
    });
    let mut app = App::new(AppOptions::new(dir.to_path_buf()));
    app.set_catalog(catalog);
    app.resize(100, 24);
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

/// Types a pipeline at the `:` prompt (from home) and waits for it.
fn query(app: &mut App, text: &str) {
    key(app, KeyCode::Char(':'));
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
    key(app, KeyCode::Enter);
    settle(app);
}

fn settle(app: &mut App) {
    assert!(
        app.wait_idle(Duration::from_secs(60)),
        "the query did not finish"
    );
    assert!(app.error().is_none(), "{:?}", app.error());
}

/// The column names and the text of every row of the current step.
fn shown(app: &App) -> Vec<String> {
    let step = app.current();
    let mut out = vec![
        step.columns
            .iter()
            .map(|c| c.name.clone())
            .collect::<Vec<_>>()
            .join(" | "),
    ];
    for r in 0..step.rows() {
        let cells: Vec<String> = (0..step.columns.len())
            .map(|c| step.cell(r, c).to_text().into_owned())
            .collect();
        out.push(cells.join(" | "));
    }
    out
}

fn screen(app: &mut App) -> String {
    app.set_last_query_time(Some(Duration::from_millis(12)));
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).expect("a terminal");
    terminal.draw(|f| views::draw(f, app)).expect("draws");
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let line: String = (0..buf.area.width)
            .map(|x| buf[(x, y)].symbol().to_string())
            .collect();
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn brackets_switch_between_the_tables_of_a_fork() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut app = storms_app(dir.path());
    query(
        &mut app,
        "Storms | fork Deadly = (where Deaths > 0) (summarize n = count() by State | sort by State asc)",
    );
    assert_eq!(
        app.message(),
        Some(&Message::Info(
            "fork made 2 tables (Deadly, leg 2): ] [ switch between them".into()
        ))
    );
    assert_eq!(
        shown(&app),
        ["State | Deaths", "FLORIDA | 2", "FLORIDA | 1"]
    );
    // The cursor on the second row of the first table ...
    key(&mut app, KeyCode::Char('j'));
    key(&mut app, KeyCode::Char(']'));
    assert_eq!(
        shown(&app),
        ["State | n", "FLORIDA | 2", "IOWA | 1", "TEXAS | 1"]
    );
    assert_eq!(app.current().view.row, 0);
    assert_eq!(
        app.message(),
        Some(&Message::Info(
            "fork table 2/2 leg 2: Storms | summarize n = count() by State | sort by State asc"
                .into()
        ))
    );
    insta::assert_snapshot!("fork_second_table", screen(&mut app));
    // ... is where it was when the first table comes back (`]` wraps).
    key(&mut app, KeyCode::Char(']'));
    assert_eq!(shown(&app).len(), 3);
    assert_eq!(app.current().view.row, 1);
    key(&mut app, KeyCode::Char('['));
    assert_eq!(shown(&app).len(), 4);
    // The step's pipeline is still the one the analyst wrote.
    assert_eq!(
        app.current().pipeline(),
        "Storms | fork Deadly = (where Deaths > 0) (summarize n = count() by State | sort by State asc)"
    );
}

#[test]
fn a_drill_on_a_fork_table_continues_from_that_legs_own_query() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut app = storms_app(dir.path());
    query(
        &mut app,
        "Storms | fork Deadly = (where Deaths > 0) (summarize n = count() by State)",
    );
    // `x` on the first row's State excludes FLORIDA from the Deadly leg:
    // nothing is left, and the pipeline is one KQL can run.
    key(&mut app, KeyCode::Char('x'));
    settle(&mut app);
    assert_eq!(
        app.current().pipeline(),
        "Storms | where Deaths > 0 | where State != \"FLORIDA\""
    );
    assert_eq!(shown(&app), ["State | Deaths"]);
    assert!(app.current().results.is_none());
    // Back on the fork, the counts leg: Enter on a group shows its rows.
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Char(']'));
    let texas = (0..app.current().rows())
        .find(|&r| app.current().cell(r, 0).to_text() == "TEXAS")
        .expect("a TEXAS group");
    for _ in 0..texas {
        key(&mut app, KeyCode::Char('j'));
    }
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert_eq!(
        app.current().pipeline(),
        "Storms | where State == \"TEXAS\""
    );
    assert_eq!(shown(&app), ["State | Deaths", "TEXAS | 0"]);
}

#[test]
fn facet_tables_are_counts_a_drill_can_open() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut app = storms_app(dir.path());
    query(&mut app, "Storms | facet by State, Deaths");
    assert_eq!(
        app.message(),
        Some(&Message::Info(
            "facet made 2 tables (State, Deaths): ] [ switch between them".into()
        ))
    );
    key(&mut app, KeyCode::Char(']'));
    let step = app.current();
    assert_eq!(step.columns[0].name, "Deaths");
    let zero = (0..step.rows())
        .find(|&r| step.cell(r, 0).to_text() == "0")
        .expect("a group of 0 deaths");
    for _ in 0..zero {
        key(&mut app, KeyCode::Char('j'));
    }
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert_eq!(app.current().pipeline(), "Storms | where Deaths == 0");
    assert_eq!(shown(&app), ["State | Deaths", "TEXAS | 0", "IOWA | 0"]);
}

#[test]
fn a_table_no_query_makes_alone_is_shown_but_not_narrowed() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut app = storms_app(dir.path());
    query(
        &mut app,
        "datatable(t:datetime, u:string, e:string) [datetime(2024-01-01), 'x', 'a', datetime(2024-01-01 01:00), 'x', 'b'] | evaluate funnel_sequence(u, t, datetime(2024-01-01), datetime(2024-01-02), 1d, 1d, e, dynamic(['a']))",
    );
    let depth = app.investigation().depth();
    key(&mut app, KeyCode::Char('f'));
    settle(&mut app);
    assert_eq!(app.investigation().depth(), depth, "no step was added");
    assert_eq!(
        app.message(),
        Some(&Message::Warning(
            "no KQL query makes the table 'prev-sequence-next' of evaluate funnel_sequence \
             alone, so it cannot be narrowed; edit the pipeline (:) instead"
                .into()
        ))
    );
}

#[test]
fn a_query_with_one_table_says_brackets_have_nothing_to_switch() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut app = storms_app(dir.path());
    query(&mut app, "Storms | count");
    key(&mut app, KeyCode::Char(']'));
    assert_eq!(
        app.message(),
        Some(&Message::Info(
            "this query made one table: fork, facet and evaluate preview make several".into()
        ))
    );
    assert_eq!(shown(&app), ["Count", "4"]);
}

#[test]
fn a_batch_shows_each_statements_table_and_drills_from_its_own_query() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut app = storms_app(dir.path());
    query(
        &mut app,
        "Storms | where Deaths > 0 | as Deadly; Deadly | summarize n = count() by State",
    );
    assert_eq!(
        app.message(),
        Some(&Message::Info(
            "the batch of 2 statements made 2 tables (Deadly, Table 2): ] [ switch between them"
                .into()
        ))
    );
    assert_eq!(
        shown(&app),
        ["State | Deaths", "FLORIDA | 2", "FLORIDA | 1"]
    );
    key(&mut app, KeyCode::Char(']'));
    assert_eq!(shown(&app), ["State | n", "FLORIDA | 2"]);
    // Enter on the group: its rows, from the second statement's own query
    // (the first statement's table bound by a `let`).
    key(&mut app, KeyCode::Enter);
    settle(&mut app);
    assert_eq!(
        app.current().pipeline(),
        "let Deadly = Storms | where Deaths > 0;\nDeadly | where State == \"FLORIDA\""
    );
    assert_eq!(
        shown(&app),
        ["State | Deaths", "FLORIDA | 2", "FLORIDA | 1"]
    );
}
