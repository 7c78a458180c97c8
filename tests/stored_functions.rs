//! Stored functions (`.create function` files in `functions/` folders):
//! calling them on known data, defaults, `invoke`, shadowing by `let`,
//! the data folder over the config folder, errors in a definition with
//! file, line and caret, `quarry check --functions`, `quarry query`, and
//! the workbench listing them.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use assert_cmd::cargo::CommandCargoExt;
use quarry::data::catalog::Catalog;
use quarry::kql::stored::{self, StoredFunctions};
use quarry::kql::{QueryError, RunOptions};

use crate::common::{assert_table, render};

/// tests/fixtures/stored_functions/`part`
fn fixture(part: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/stored_functions")
        .join(part)
}

fn data() -> String {
    fixture("data").to_string_lossy().into_owned()
}

/// The fixture tables, and the functions of the data folder with
/// `config` as the config folder.
fn setup(config: &str) -> (Catalog, RunOptions) {
    let catalog = quarry::data::load::load_paths(&[data()]);
    assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
    let functions = stored::load(&stored::folders(&[data()], Some(fixture(config))));
    let options = RunOptions {
        // 2025-03-19T12:00:00Z
        now: 1_742_385_600_000_000_000,
        functions: Arc::new(functions),
        ..Default::default()
    };
    (catalog, options)
}

fn try_run(query: &str) -> Result<String, QueryError> {
    let (catalog, options) = setup("config/functions");
    quarry::kql::run(&catalog, query, &options).map(|f| render(&f))
}

#[track_caller]
fn table(query: &str, expected: &str) {
    let got = try_run(query).unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    assert_table(query, &got, expected);
}

#[test]
fn a_function_without_parameters_is_called_with_or_without_parentheses() {
    for q in ["Hosts", "Hosts()", "Hosts() | count", "union Hosts, Hosts"] {
        let got = try_run(q).unwrap_or_else(|e| panic!("{}", e.render(q)));
        assert!(
            got.starts_with("Host:string\n\"ws-1\"") || got == "Count:long\n3",
            "{q}: {got}"
        );
    }
    table(
        "Hosts",
        r#"Host:string
        "ws-1"
        "ws-2"
        "ws-3""#,
    );
}

#[test]
fn parameters_take_their_defaults() {
    table(
        "C2Connections | project Host, Port",
        r#"Host:string | Port:long
        "ws-2" | 4444
        "ws-3" | 4444"#,
    );
    table(
        "C2Connections(dynamic([80, 443])) | project Host, Port",
        r#"Host:string | Port:long
        "ws-1" | 443
        "ws-1" | 80"#,
    );
}

#[test]
fn invoke_passes_the_piped_table_and_the_body_reads_watchlists() {
    // TagAdmins reads _GetWatchlist('Admins') and column_ifexists.
    table(
        "Conn | where Port != 4444 | invoke TagAdmins() | project Host, Account, Severity, IsAdmin",
        r#"Host:string | Account:string | Severity:string | IsAdmin:bool
        "ws-1" | "alice" | "low" | true
        "ws-1" | "alice" | "low" | true"#,
    );
    table(
        "C2Connections() | extend Severity = 'high' | invoke TagAdmins() | project Account, Severity, IsAdmin",
        r#"Account:string | Severity:string | IsAdmin:bool
        "bob" | "high" | false
        "mallory" | "high" | false"#,
    );
}

#[test]
fn scalar_functions_in_expressions() {
    table(
        "print a = IsWorkingTime(datetime(2025-03-18 09:00)), b = IsWorkingTime(datetime(2025-03-18 22:00)), c = IsWorkingTime()",
        "a:bool | b:bool | c:bool
        true | false | true",
    );
    // Row by row, and from one stored function's body to another's.
    table(
        "Conn | extend Working = IsWorkingTime(Timestamp) | project Host, Working",
        r#"Host:string | Working:bool
        "ws-1" | true
        "ws-2" | true
        "ws-3" | false
        "ws-1" | true"#,
    );
    table(
        "OffHours | project Host, Port",
        r#"Host:string | Port:long
        "ws-3" | 4444"#,
    );
}

#[test]
fn a_let_of_the_same_name_shadows_a_stored_function() {
    table(
        r#"let Hosts = () { print Host = "mine" }; Hosts"#,
        r#"Host:string
        "mine""#,
    );
    table(
        "let IsWorkingTime = (d:datetime) { false }; print w = IsWorkingTime(now())",
        "w:bool
        false",
    );
    // A stored function's body sees the stored functions, not the query's
    // lets: OffHours still calls the stored C2Connections.
    table(
        "let C2Connections = () { print Host = 'mine', Port = 1 }; OffHours | project Host",
        r#"Host:string
        "ws-3""#,
    );
}

#[test]
fn the_data_folder_wins_over_the_config_folder_with_a_warning() {
    table(
        "Shadowed",
        r#"From:string
        "data""#,
    );
    table(
        "FromConfig()",
        "Answer:long
        42",
    );
    let (_, options) = setup("config/functions");
    let warnings: Vec<String> = options
        .functions
        .warnings
        .iter()
        .map(|w| w.to_string())
        .collect();
    assert_eq!(
        warnings,
        [format!(
            "{}:2: stored function 'Shadowed' is not used: {}:30 defines it too and comes first (data folders come before the config folder)",
            fixture("config/functions/shared.kql").display(),
            fixture("data/functions/hunt.kql").display()
        )]
    );
    let names: Vec<String> = options.functions.iter().map(|f| f.signature()).collect();
    assert_eq!(
        names,
        [
            "C2Connections(ports:dynamic = dynamic([4444]))",
            "FromConfig()",
            "Hosts()",
            "IsWorkingTime(date_time:datetime = datetime(null))",
            "OffHours()",
            "Shadowed()",
            "TagAdmins(T:(*))",
        ]
    );
    let c2 = options.functions.get("C2Connections").expect("loaded");
    assert_eq!(
        c2.docstring.as_deref(),
        Some("Connections to the usual C2 ports")
    );
    assert_eq!(c2.folder.as_deref(), Some("Hunts"));
    assert_eq!(c2.line, 4);
}

fn bad_functions() -> StoredFunctions {
    stored::load(&[fixture("bad/functions")])
}

#[test]
fn a_bad_definition_is_a_warning_with_file_line_and_caret() {
    let functions = bad_functions();
    // The good ones still load.
    assert_eq!(functions.names().collect::<Vec<_>>(), ["Good", "Typo"]);
    let path = fixture("bad/functions/bad.kql");
    assert_eq!(functions.warnings.len(), 1);
    assert_eq!(
        functions.warnings[0].render(),
        format!(
            "{p}:4: expected ':' and a type after the parameter 'since' (as in since:string, or since:(*) for a table), found ')'\n --> {p}:4:36\n  |\n4 | .create-or-alter function Bad(since) {{\n  |                                    ^",
            p = path.display()
        )
    );
}

#[test]
fn calling_a_function_whose_definition_failed_says_why() {
    let catalog = quarry::data::load::load_paths(&[data()]);
    let options = RunOptions {
        functions: Arc::new(bad_functions()),
        ..Default::default()
    };
    let expected = format!(
        "stored function 'Bad' could not be read: {}:4: expected ':' and a type after the parameter 'since' (as in since:string, or since:(*) for a table), found ')'",
        fixture("bad/functions/bad.kql").display()
    );
    for query in [
        "Bad()",
        "Conn | invoke Bad()",
        "print Bad(datetime(2025-01-01))",
        "Conn | extend x = Bad(1)",
    ] {
        let e = quarry::kql::run(&catalog, query, &options).expect_err("Bad is not loaded");
        assert_eq!(e.message, expected, "{query}");
    }
}

#[test]
fn an_error_inside_a_body_names_the_place_in_the_definition() {
    let catalog = quarry::data::load::load_paths(&[data()]);
    let options = RunOptions {
        functions: Arc::new(bad_functions()),
        ..Default::default()
    };
    let query = "Conn | take 1 | union (Typo())";
    let e = quarry::kql::run(&catalog, query, &options).expect_err("Prot is no column");
    assert_eq!(
        e.render(query),
        format!(
            "error: unknown column 'Prot' (did you mean 'Port'?) (in stored function 'Typo' at {}:10:13)\n --> line 1, column 24\n  |\n1 | Conn | take 1 | union (Typo())\n  |                        ^^^^^^",
            fixture("bad/functions/bad.kql").display()
        )
    );
}

#[test]
fn recursion_between_stored_functions_is_refused() {
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::write(
        dir.path().join("loop.kql"),
        ".create function Ping() { Pong() }\n.create function Pong() { Ping() }\n",
    )
    .expect("writes");
    let options = RunOptions {
        functions: Arc::new(stored::load(&[dir.path().to_path_buf()])),
        ..Default::default()
    };
    let e = quarry::kql::run(&Catalog::new(), "Ping()", &options).expect_err("recursion");
    assert!(
        e.message
            .starts_with("functions nest too deeply (recursion is not allowed)"),
        "{}",
        e.message
    );
}

/// The binary, with a config directory of its own (empty unless a test
/// writes into it), so the developer's own functions stay out.
fn quarry(config: &Path) -> Command {
    let mut cmd = Command::cargo_bin("quarry").expect("the binary");
    cmd.env("XDG_CONFIG_HOME", config).env("HOME", config);
    cmd
}

#[test]
fn check_accepts_calls_of_the_functions_it_is_given() {
    let home = tempfile::tempdir().expect("a folder");
    let query = "C2Connections() | invoke TagAdmins() | where IsWorkingTime(Timestamp)";
    let out = quarry(home.path())
        .args(["check", "--functions"])
        .arg(fixture("data/functions"))
        .arg(query)
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");

    let out = quarry(home.path())
        .args(["check", query])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: unknown function 'C2Connections': not a KQL function. If the query's authors saved \
         it in their workspace, put its .create function in a .kql file of the functions/ folder \
         of the data folder or of Quarry's config directory\n --> line 1, column 1\n  |\n1 | C2Connections() | invoke TagAdmins() | where IsWorkingTime(Timestamp)\n  | ^^^^^^^^^^^^^\n"
    );

    // The config directory's functions/ is read by default.
    let config_functions = home.path().join("quarry/functions");
    std::fs::create_dir_all(&config_functions).expect("a folder");
    std::fs::copy(
        fixture("data/functions/hunt.kql"),
        config_functions.join("hunt.kql"),
    )
    .expect("copies");
    let out = quarry(home.path())
        .args(["check", query])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
}

#[test]
fn check_reports_bad_definitions_and_bodies_it_cannot_run() {
    let home = tempfile::tempdir().expect("a folder");
    let out = quarry(home.path())
        .args(["check", "--functions"])
        .arg(fixture("bad/functions"))
        .arg("Good() | union Bad()")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let path = fixture("bad/functions/bad.kql");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        format!(
            "warning: {p}:4: expected ':' and a type after the parameter 'since' (as in since:string, or since:(*) for a table), found ')'\n --> {p}:4:36\n  |\n4 | .create-or-alter function Bad(since) {{\n  |                                    ^\nerror: stored function 'Bad' could not be read: {p}:4: expected ':' and a type after the parameter 'since' (as in since:string, or since:(*) for a table), found ')'\n --> line 1, column 16\n  |\n1 | Good() | union Bad()\n  |                ^^^\n",
            p = path.display()
        )
    );

    // A body using a function Quarry lacks makes its callers fail too.
    let dir = tempfile::tempdir().expect("a folder");
    std::fs::write(
        dir.path().join("f.kql"),
        ".create function Odd() {\n  print x = no_such_function(1)\n}\n",
    )
    .expect("writes");
    let out = quarry(home.path())
        .args(["check", "--functions"])
        .arg(dir.path())
        .arg("Odd()")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.starts_with(&format!(
            "error: unknown function 'no_such_function': not a KQL function. If the query's \
             authors saved it in their workspace, put its .create function in a .kql file of the \
             functions/ folder of the data folder or of Quarry's config directory (in stored \
             function 'Odd' at {}:2:13)",
            dir.path().join("f.kql").display()
        )),
        "{stderr}"
    );
}

#[test]
fn query_runs_the_data_folders_functions() {
    let home = tempfile::tempdir().expect("a folder");
    let out = quarry(home.path())
        .args(["query", "--data", &data(), "--format", "csv"])
        .arg("C2Connections | invoke TagAdmins() | project Host, IsAdmin")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Host,IsAdmin\r\nws-2,false\r\nws-3,false\r\n"
    );
    // The .kql files are not tables, and not load warnings.
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("unsupported file type"),
        "{out:?}"
    );
}

/// The workbench's screen as text, one line per row.
fn screen(app: &mut quarry::tui::App, width: u16, height: u16) -> String {
    let mut terminal = ratatui::Terminal::new(ratatui::backend::TestBackend::new(width, height))
        .expect("a test terminal");
    terminal
        .draw(|f| quarry::tui::views::draw(f, app))
        .expect("draws");
    let buf = terminal.backend().buffer().clone();
    (0..buf.area.height)
        .map(|y| {
            let line: String = (0..buf.area.width).map(|x| buf[(x, y)].symbol()).collect();
            line.trim_end().to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_workbench_lists_the_functions_and_the_bad_definitions() {
    let exports = tempfile::tempdir().expect("a folder");
    let options = quarry::tui::AppOptions {
        functions_folder: Some(fixture("bad/functions")),
        ..quarry::tui::AppOptions::new(exports.path().to_path_buf())
    };
    let mut app = quarry::tui::App::new(options);
    app.resize(160, 30);
    app.load(vec![data()]);
    assert!(app.wait_idle(std::time::Duration::from_secs(60)));
    let home = screen(&mut app, 160, 30);
    assert!(
        home.contains("2 tables loaded in")
            && home.contains("; 8 stored functions; 1 function definition not used (listed below)"),
        "{home}"
    );
    assert!(home.contains(" 8 stored functions\n"), "{home}");
    assert!(
        home.contains("   C2Connections(ports:dynamic = dynamic([4444])) · Good() · Hosts() · IsWorkingTime(date_time:datetime = datetime(null)) · OffHours() · Shadowed()\n   TagAdmins(T:(*)) · Typo()\n"),
        "{home}"
    );
    assert!(
        home.contains(&format!(
            " 1 stored function definition not used:\n   {}:4: expected ':' and a type after the parameter 'since'",
            fixture("bad/functions/bad.kql").display()
        )),
        "{home}"
    );
}

#[test]
fn a_rule_calls_the_data_folders_functions() {
    let home = tempfile::tempdir().expect("a folder");
    let rule = home.path().join("c2.toml");
    std::fs::write(
        &rule,
        "id = \"TST-0001\"\ntitle = \"C2 ports from a stored function\"\nseverity = \"high\"\n\n[query]\ntext = '''\nC2Connections\n| invoke TagAdmins()\n| project Host, Port, IsAdmin\n'''\n",
    )
    .expect("writes");
    let out = quarry(home.path())
        .args(["rules", "run"])
        .arg(&rule)
        .args(["--data", &data(), "--format", "csv"])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Host,Port,IsAdmin\r\nws-2,4444,false\r\nws-3,4444,false\r\n"
    );
}

#[test]
fn rules_import_checks_rules_against_the_config_folders_functions() {
    let home = tempfile::tempdir().expect("a folder");
    let pack = tempfile::tempdir().expect("a folder");
    std::fs::write(
        pack.path().join("c2.toml"),
        "id = \"TST-0002\"\ntitle = \"C2 ports\"\nseverity = \"high\"\n\n[query]\ntext = '''\nC2Connections() | invoke TagAdmins()\n'''\n",
    )
    .expect("writes");
    let import = |force: bool| {
        let mut cmd = quarry(home.path());
        cmd.args(["rules", "import"]).arg(pack.path());
        if force {
            cmd.arg("--force");
        }
        let out = cmd.output().expect("runs");
        assert!(out.status.success(), "{out:?}");
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let stderr = import(false);
    assert!(
        stderr.contains("taken, but it cannot run yet: unknown function 'C2Connections'"),
        "{stderr}"
    );
    let functions = home.path().join("quarry/functions");
    std::fs::create_dir_all(&functions).expect("a folder");
    std::fs::copy(
        fixture("data/functions/hunt.kql"),
        functions.join("hunt.kql"),
    )
    .expect("copies");
    let stderr = import(true);
    assert!(!stderr.contains("cannot run yet"), "{stderr}");
}
