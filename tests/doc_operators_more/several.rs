//! `fork`, `facet` and `evaluate preview`: operators with several results, and how
//! the command line and the workbench show them.

use assert_cmd::cargo::CommandCargoExt;
use polars::df;
use quarry::data::catalog::Table;
use serde_json::json;
use std::time::Duration;

use crate::common::{error, typed_table as table};

use super::*;

// --- fork -------------------------------------------------------------------

/// A row of the fork stand-in.
#[allow(clippy::too_many_arguments)]
fn storm(
    start: &str,
    end: &str,
    episode: i64,
    event: i64,
    kind: &str,
    injuries: i64,
    deaths: (i64, i64),
) -> Vec<Scalar> {
    vec![
        dt(start),
        dt(end),
        l(episode),
        l(event),
        s("FLORIDA"),
        s(kind),
        l(injuries),
        l(0),
        l(deaths.0),
        l(deaths.1),
    ]
}

fn fork_columns() -> Vec<String> {
    names(&[
        "StartTime",
        "EndTime",
        "EpisodeId",
        "EventId",
        "State",
        "EventType",
        "InjuriesDirect",
        "InjuriesIndirect",
        "DeathsDirect",
        "DeathsIndirect",
    ])
}

fn storms_with_deaths() -> Vec<Vec<Scalar>> {
    vec![
        storm(
            "2007-02-02T03:17:00Z",
            "2007-02-02T03:25:00Z",
            3464,
            18948,
            "Tornado",
            10,
            (2, 0),
        ),
        storm(
            "2007-02-02T03:37:00Z",
            "2007-02-02T03:55:00Z",
            3464,
            18950,
            "Tornado",
            9,
            (1, 1),
        ),
        storm(
            "2007-03-13T08:20:00Z",
            "2007-03-13T08:20:00Z",
            4094,
            22961,
            "Dense Fog",
            3,
            (2, 0),
        ),
        storm(
            "2007-09-11T15:26:00Z",
            "2007-09-11T15:26:00Z",
            9578,
            53798,
            "Rip Current",
            0,
            (2, 0),
        ),
    ]
}

fn storms_with_injuries() -> Vec<Vec<Scalar>> {
    vec![
        storm(
            "2007-02-02T03:10:00Z",
            "2007-02-02T03:16:00Z",
            2545,
            17515,
            "Tornado",
            15,
            (0, 0),
        ),
        storm(
            "2007-02-02T03:17:00Z",
            "2007-02-02T03:25:00Z",
            3464,
            18948,
            "Tornado",
            10,
            (2, 0),
        ),
        storm(
            "2007-02-02T03:37:00Z",
            "2007-02-02T03:55:00Z",
            3464,
            18950,
            "Tornado",
            9,
            (1, 1),
        ),
        storm(
            "2007-02-02T03:55:00Z",
            "2007-02-02T04:10:00Z",
            3464,
            20318,
            "Tornado",
            42,
            (0, 0),
        ),
        // The page prints the first four rows of this table.
        storm(
            "2007-03-13T08:20:00Z",
            "2007-03-13T08:20:00Z",
            4094,
            22961,
            "Dense Fog",
            3,
            (2, 0),
        ),
    ]
}

/// fork-operator.md, "returns two tables": each leg filters the same rows.
#[test]
fn fork_runs_each_leg_on_the_same_rows() {
    let q = format!(
        "{FORK_STORMS}StormEvents
| where State == \"FLORIDA\"
| fork
    ( where DeathsDirect + DeathsIndirect > 1)
    ( where InjuriesDirect + InjuriesIndirect > 1)"
    );
    assert_eq!(
        tables(&q),
        vec![
            (None, fork_columns(), storms_with_deaths()),
            (None, fork_columns(), storms_with_injuries()),
        ]
    );
    // What `run` (the workbench, the rules) answers with: the first leg.
    assert_eq!(table(&q), (fork_columns(), storms_with_deaths()));
}

/// fork-operator.md, "Named subqueries": `as` at a leg's end and `name=`
/// before it name the tables.
#[test]
fn fork_legs_are_named_by_as_or_name() {
    let expected = vec![
        (
            Some("StormsWithDeaths".to_string()),
            fork_columns(),
            storms_with_deaths(),
        ),
        (
            Some("StormsWithInjuries".to_string()),
            fork_columns(),
            storms_with_injuries(),
        ),
    ];
    let with_as = format!(
        "{FORK_STORMS}StormEvents
| where State == \"FLORIDA\"
| fork
    (where DeathsDirect + DeathsIndirect > 1 | as StormsWithDeaths)
    (where InjuriesDirect + InjuriesIndirect > 1 | as StormsWithInjuries)"
    );
    assert_eq!(tables(&with_as), expected);
    let with_names = format!(
        "{FORK_STORMS}StormEvents
| where State == \"FLORIDA\"
| fork
    StormsWithDeaths = (where DeathsDirect + DeathsIndirect > 1)
    StormsWithInjuries = (where InjuriesDirect + InjuriesIndirect > 1)"
    );
    assert_eq!(tables(&with_names), expected);
}

/// A leg may summarize; the legs' tables need not share columns.
#[test]
fn fork_legs_make_tables_of_their_own_shape() {
    let q =
        format!("{FORK_STORMS}StormEvents | fork (summarize Events = count() by State) (count)");
    assert_eq!(
        tables(&q),
        vec![
            (
                None,
                names(&["State", "Events"]),
                vec![vec![s("FLORIDA"), l(6)], vec![s("TEXAS"), l(1)]]
            ),
            (None, names(&["Count"]), vec![vec![l(7)]]),
        ]
    );
}

#[test]
fn several_results_end_the_query() {
    assert_eq!(
        error("print x=1 | fork (take 1) (count) | where x > 0"),
        "error: fork makes several results, so it must be the last operator of the query
 --> line 1, column 13
  |
1 | print x=1 | fork (take 1) (count) | where x > 0
  |             ^^^^"
    );
    assert_eq!(
        error("let T = print x=1 | fork (take 1) (count); T"),
        "error: fork makes several results, so it must be the last operator of the query
 --> line 1, column 21
  |
1 | let T = print x=1 | fork (take 1) (count); T
  |                     ^^^^"
    );
    assert_eq!(
        error("print x=1 | evaluate preview(1) | count"),
        "error: evaluate preview makes several results, so it must be the last operator of the query
 --> line 1, column 22
  |
1 | print x=1 | evaluate preview(1) | count
  |                      ^^^^^^^"
    );
    assert_eq!(
        error("print x=1 | fork"),
        "error: expected a subquery in '(...)' after 'fork'
 --> line 1, column 17
  |
1 | print x=1 | fork
  |                 ^"
    );
}

// --- facet ------------------------------------------------------------------

/// facet-operator.md: the `with` table the page prints (the five ALASKA
/// rows), then the counts per State and per EventType of the filtered
/// rows, values in order of first appearance.
#[test]
fn facet_counts_each_column_after_the_with_table() {
    let q = r#"let StormEvents = datatable(State:string, StartTime:datetime, Source:string, EpisodeId:long, EventType:string)[
"ALASKA", datetime(2007-01-04 12:00:00), "COOP Observer", 2192, "Heavy Snow",
"ALASKA", datetime(2007-01-04 15:00:00), "Trained Spotter", 2192, "Heavy Snow",
"ALABAMA", datetime(2007-03-01 10:00:00), "Public", 3000, "Heavy Rain",
"ALASKA", datetime(2007-01-04 15:00:00), "Trained Spotter", 2192, "Heavy Snow",
"ALASKA", datetime(2007-01-04 15:00:00), "Trained Spotter", 2192, "Heavy Snow",
"ARIZONA", datetime(2007-08-01 10:00:00), "Public", 4000, "Heavy Rain",
"ALASKA", datetime(2007-01-06 18:00:00), "COOP Observer", 2193, "Heavy Snow",
"ALASKA", datetime(2007-01-07 18:00:00), "COOP Observer", 2193, "Heavy Snow",
"TEXAS", datetime(2007-01-05 18:00:00), "Public", 5000, "Heavy Snow"];
StormEvents
| where State startswith "A" and EventType has "Heavy"
| facet by State, EventType
    with 
    (
    where StartTime between(datetime(2007-01-04) .. 7d) 
    | project State, StartTime, Source, EpisodeId, EventType
    | take 5
    )"#;
    let alaska = |t: &str, source: &str, episode: i64| {
        vec![s("ALASKA"), dt(t), s(source), l(episode), s("Heavy Snow")]
    };
    assert_eq!(
        tables(q),
        vec![
            (
                Some("with".to_string()),
                names(&["State", "StartTime", "Source", "EpisodeId", "EventType"]),
                vec![
                    alaska("2007-01-04 12:00:00", "COOP Observer", 2192),
                    alaska("2007-01-04 15:00:00", "Trained Spotter", 2192),
                    alaska("2007-01-04 15:00:00", "Trained Spotter", 2192),
                    alaska("2007-01-04 15:00:00", "Trained Spotter", 2192),
                    alaska("2007-01-06 18:00:00", "COOP Observer", 2193),
                ]
            ),
            (
                Some("State".to_string()),
                names(&["State", "count_State"]),
                vec![
                    vec![s("ALASKA"), l(6)],
                    vec![s("ALABAMA"), l(1)],
                    vec![s("ARIZONA"), l(1)],
                ]
            ),
            (
                Some("EventType".to_string()),
                names(&["EventType", "count_EventType"]),
                vec![vec![s("Heavy Snow"), l(6)], vec![s("Heavy Rain"), l(2)]]
            ),
        ]
    );
}

#[test]
fn facet_without_with_and_its_errors() {
    assert_eq!(
        tables("datatable(a:string)['x','y','x'] | facet by a"),
        vec![(
            Some("a".to_string()),
            names(&["a", "count_a"]),
            vec![vec![s("x"), l(2)], vec![s("y"), l(1)]]
        )]
    );
    assert_eq!(
        error("print Stat=1 | facet by State"),
        "error: unknown column 'State' (did you mean 'Stat'?)
 --> line 1, column 25
  |
1 | print Stat=1 | facet by State
  |                         ^^^^^"
    );
    assert_eq!(
        error("print x=1 | facet x"),
        "error: expected 'by' and the columns to count after 'facet'
 --> line 1, column 19
  |
1 | print x=1 | facet x
  |                   ^"
    );
}

// --- evaluate preview ---------------------------------------------------------

/// preview-plugin.md: the first rows (the page's five), then the count.
#[test]
fn preview_gives_the_rows_and_their_count() {
    let q = r#"let StormEvents = datatable(StartTime:datetime, EpisodeId:long, State:string)[
datetime(2007-12-30T16:00:00Z), 11749, "GEORGIA",
datetime(2007-12-20T07:50:00Z), 12554, "MISSISSIPPI",
datetime(2007-09-29T08:11:00Z), 11091, "ATLANTIC SOUTH",
datetime(2007-09-20T21:57:00Z), 11078, "FLORIDA",
datetime(2007-09-18T20:00:00Z), 11074, "FLORIDA",
datetime(2007-09-17T20:00:00Z), 11073, "TEXAS",
datetime(2007-09-16T20:00:00Z), 11072, "OHIO"];
StormEvents | evaluate preview(5)"#;
    let row = |t: &str, e: i64, st: &str| vec![dt(t), l(e), s(st)];
    assert_eq!(
        tables(q),
        vec![
            (
                None,
                names(&["StartTime", "EpisodeId", "State"]),
                vec![
                    row("2007-12-30T16:00:00Z", 11749, "GEORGIA"),
                    row("2007-12-20T07:50:00Z", 12554, "MISSISSIPPI"),
                    row("2007-09-29T08:11:00Z", 11091, "ATLANTIC SOUTH"),
                    row("2007-09-20T21:57:00Z", 11078, "FLORIDA"),
                    row("2007-09-18T20:00:00Z", 11074, "FLORIDA"),
                ]
            ),
            (None, names(&["Count"]), vec![vec![l(7)]]),
        ]
    );
    assert_eq!(
        error("print x=1 | evaluate preview()"),
        "error: preview() takes one argument: the number of rows to show
 --> line 1, column 13
  |
1 | print x=1 | evaluate preview()
  |             ^^^^^^^^^^^^^^^^^^"
    );
}

// --- the command line and the workbench ---------------------------------------

/// A folder with one small table, for the binary and the workbench.
fn storm_folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("Storms.csv"),
        "State,Deaths\nFLORIDA,2\nTEXAS,0\nFLORIDA,0\n",
    )
    .expect("writes");
    dir
}

/// `quarry query` prints every table of a fork under a heading, or a JSON
/// array of them, and refuses CSV (one table) before loading anything.
#[test]
fn the_command_line_prints_every_table() {
    let dir = storm_folder();
    let run = |args: &[&str]| {
        std::process::Command::cargo_bin("quarry")
            .expect("the binary")
            .arg("query")
            .arg("--data")
            .arg(dir.path())
            .args(["--now", "2024-01-01T00:00:00Z"])
            .args(args)
            .output()
            .expect("runs")
    };
    let q = "Storms | fork Deadly = (where Deaths > 0) (summarize n = count() by State)";
    let out = run(&[q]);
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "# Deadly (result 1 of 2)
State    Deaths
-------  ------
FLORIDA  2
(1 rows)

# result 2 of 2
State    n
-------  -
FLORIDA  2
TEXAS    1
(2 rows)
"
    );
    let out = run(&["--format", "json", q]);
    assert!(out.status.success(), "{out:?}");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(
        json,
        json!([
            {"result": 1, "name": "Deadly", "rows": [{"State": "FLORIDA", "Deaths": 2}]},
            {"result": 2, "name": null, "rows": [
                {"State": "FLORIDA", "n": 2}, {"State": "TEXAS", "n": 1}]}
        ])
    );
    let out = run(&["--format", "csv", q]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(out.stdout, b"");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "quarry: fork makes 2 tables and --format csv holds one: use --format table or json, or keep one of them\n"
    );
}

/// The workbench shows the first table, with a note naming the rest
/// (tests/workbench_results.rs switches between them).
#[test]
fn the_workbench_shows_the_first_table_and_says_so() {
    use quarry::tui::app::{App, AppOptions, Message};
    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
    let dir = tempfile::tempdir().expect("a temporary folder");
    let frame = df!(
        "State" => ["FLORIDA", "TEXAS", "FLORIDA"],
        "Deaths" => [2i64, 0, 0],
    )
    .expect("a frame");
    let mut catalog = Catalog::new();
    catalog.insert(Table {
        name: "Storms".into(),
        frame,
        files: Vec::new(),
        warnings: Vec::new(),
    });
    let mut app = App::new(AppOptions::new(dir.path().to_path_buf()));
    app.set_catalog(catalog);
    app.resize(100, 24);
    let mut key = |code| app_key(&mut app, code);
    key(KeyCode::Char(':'));
    for c in "Storms | fork Deadly = (where Deaths > 0) (count)".chars() {
        key(KeyCode::Char(c));
    }
    key(KeyCode::Enter);
    assert!(
        app.wait_idle(Duration::from_secs(60)),
        "the query did not finish"
    );
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().rows.height(), 1);
    assert_eq!(
        app.message(),
        Some(&Message::Info(
            "fork made 2 tables (Deadly, leg 2): ] [ switch between them".into()
        ))
    );

    // `consume` answers with no columns and no rows: the view draws it.
    // (Esc goes back home, where ':' starts an empty pipeline.)
    app_key(&mut app, KeyCode::Esc);
    app_key(&mut app, KeyCode::Char(':'));
    for c in "Storms | consume".chars() {
        app_key(&mut app, KeyCode::Char(c));
    }
    app_key(&mut app, KeyCode::Enter);
    assert!(
        app.wait_idle(Duration::from_secs(60)),
        "the query did not finish"
    );
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().rows.height(), 0);
    assert_eq!(app.current().rows.width(), 0);
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(100, 24)).expect("a terminal");
    terminal
        .draw(|f| quarry::tui::views::draw(f, &mut app))
        .expect("draws");

    fn app_key(app: &mut App, code: KeyCode) {
        app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    }
}
