//! An answer drawn from fewer tables than the query names is never
//! silent: what a fuzzy `union` or `macro-expand` left out is a warning
//! the command line prints, the workbench shows, and the rules list marks.

use std::time::Duration;

use assert_cmd::prelude::*;
use polars::df;
use quarry::data::catalog::{Catalog, Table};
use quarry::kql::shared::{Watch, run_many};
use quarry::kql::{RunOptions, parser::parse, run};
use quarry::tui::app::{App, AppOptions, Message};
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use crate::common::render;

fn storms() -> Catalog {
    let mut catalog = Catalog::new();
    catalog.insert(Table {
        name: "Storms".into(),
        frame: df!("State" => ["FLORIDA", "TEXAS"], "Deaths" => [2i64, 0]).expect("a frame"),
        files: Vec::new(),
        warnings: Vec::new(),
    });
    catalog
}

const LEFT_OUT: &str =
    "union isfuzzy=true left out a source: unknown table 'Strms' (did you mean 'Storms'?)";

#[test]
fn a_fuzzy_union_says_which_table_it_left_out() {
    let options = RunOptions::default();
    let frame = run(
        &storms(),
        "union isfuzzy=true Storms, Strms | count",
        &options,
    )
    .expect("runs");
    assert_eq!(render(&frame), "Count:long\n2");
    assert_eq!(options.warnings.take(), [LEFT_OUT]);
    // Every table found: nothing to say.
    run(&storms(), "union isfuzzy=true Storms | count", &options).expect("runs");
    assert!(options.warnings.take().is_empty());
}

#[test]
fn a_fuzzy_macro_expand_says_which_entity_it_left_out() {
    let options = RunOptions::default();
    let frame = run(
        &storms(),
        "macro-expand isfuzzy=true entity_group [Storms, Storm] as X (X | count)",
        &options,
    )
    .expect("runs");
    assert_eq!(render(&frame), "Count:long\n2");
    assert_eq!(
        options.warnings.take(),
        [
            "macro-expand isfuzzy=true left out an entity: unknown table 'Storm' (did you mean 'Storms'?)"
        ]
    );
}

/// Rules run together: each answer has its own query's warnings only.
#[test]
fn rules_run_together_keep_their_warnings_apart() {
    let queries = [
        "Storms | where Deaths > 0",
        "union isfuzzy=true Storms, Strms | where Deaths > 0",
    ]
    .map(|q| parse(q).expect("parses"));
    struct Quiet;
    impl Watch for Quiet {}
    let answers = run_many(&storms(), &queries, &RunOptions::default(), &Quiet);
    let warnings: Vec<Vec<String>> = answers.into_iter().map(|a| a.warnings).collect();
    assert_eq!(warnings, [vec![], vec![LEFT_OUT.to_string()]]);
}

fn data_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("Storms.csv"),
        "State,Deaths\nFLORIDA,2\nTEXAS,0\n",
    )
    .expect("writes");
    dir
}

#[test]
fn quarry_query_prints_the_warning_on_standard_error() {
    let dir = data_dir();
    let out = std::process::Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["query", "--now", "2024-01-01T00:00:00Z", "--data"])
        .arg(dir.path())
        .arg("union isfuzzy=true Storms, Strms | count")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Count\n-----\n2\n(1 rows)\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!("warning: {LEFT_OUT}\n")
    );
}

#[test]
fn quarry_rules_run_prints_a_rules_warning_under_its_line() {
    let dir = data_dir();
    let rules = tempfile::tempdir().expect("a temporary folder");
    let rule = rules.path().join("fuzzy.toml");
    std::fs::write(
        &rule,
        "id = \"TST-0001\"\ntitle = \"Deaths anywhere\"\ndescription = \"Storms with deaths.\"\n\
         severity = \"low\"\n\n[query]\ntext = '''\nunion isfuzzy=true Storms, OldStorms\n\
         | where Deaths > 0\n'''\n",
    )
    .expect("writes");
    let out = std::process::Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["rules", "run", "--now", "2024-01-01T00:00:00Z", "--data"])
        .arg(dir.path())
        .arg(&rule)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("TST-0001  Deaths anywhere: 1 hits in "))
        .expect("the rule's line");
    assert_eq!(
        lines.get(at + 1).copied(),
        Some(
            "TST-0001  warning: union isfuzzy=true left out a source: unknown table 'OldStorms' \
             (did you mean 'Storms'?)"
        )
    );
}

#[test]
fn the_workbench_shows_the_warning_with_the_result() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut app = App::new(AppOptions::new(dir.path().to_path_buf()));
    app.set_catalog(storms());
    app.resize(100, 24);
    let mut key = |code| app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
    key(KeyCode::Char(':'));
    for c in "union isfuzzy=true Storms, Strms".chars() {
        key(KeyCode::Char(c));
    }
    key(KeyCode::Enter);
    assert!(
        app.wait_idle(Duration::from_secs(60)),
        "the query did not finish"
    );
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().rows.height(), 2);
    assert_eq!(app.message(), Some(&Message::Warning(LEFT_OUT.into())));
}

/// In the triage, a rule whose query left a table out has its hit count
/// marked `!`, and the warning shows under the list on its line.
#[test]
fn the_triage_marks_a_rule_that_read_fewer_tables() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let mut app = App::new(AppOptions::new(dir.path().to_path_buf()));
    app.set_catalog(storms());
    app.resize(120, 24);
    let rule = quarry::hunt::rules::Rule::from_toml(
        "id = \"TST-0001\"\ntitle = \"Deaths anywhere\"\nseverity = \"low\"\n\
         description = \"Storms with deaths.\"\n[query]\n\
         text = '''union isfuzzy=true Storms, OldStorms | where Deaths > 0'''\n",
        "test",
    )
    .expect("a rule");
    app.set_rules(vec![rule]);
    for c in ['R', 'A'] {
        app.handle_key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    assert!(
        app.wait_idle(Duration::from_secs(60)),
        "the rules did not finish"
    );
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(120, 24)).expect("a terminal");
    terminal
        .draw(|f| quarry::tui::views::draw(f, &mut app))
        .expect("draws");
    let buf = terminal.backend().buffer().clone();
    let lines: Vec<String> = (0..buf.area.height)
        .map(|y| {
            (0..buf.area.width)
                .map(|x| buf[(x, y)].symbol().to_string())
                .collect::<String>()
                .trim_end()
                .to_string()
        })
        .collect();
    let row = lines
        .iter()
        .find(|l| l.contains("TST-0001  Deaths anywhere"))
        .expect("the rule's row");
    assert!(row.contains(" 1! "), "{row}");
    assert!(
        lines.iter().any(|l| l.trim()
            == "warning: union isfuzzy=true left out a source: unknown table 'OldStorms' (did you \
                mean 'Storms'?)"),
        "{}",
        lines.join("\n")
    );
}
