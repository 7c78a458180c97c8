//! The workbench on a remote engine (`quarry --remote URL`), driven with
//! key events and drawn with ratatui's TestBackend, against a local HTTP
//! server (tiny_http on 127.0.0.1) answering as Log Analytics, Data
//! Explorer and Defender document it. Every request the workbench makes is
//! checked: path, token, body (the KQL it sends). No test reaches a real
//! service.

use crate::remote_server;

use std::time::Duration;

use quarry::remote::{Endpoint, Engine, Settings, Token};
use quarry::session::investigation::ViewKind;
use quarry::tui::app::{App, AppOptions, Message, PromptKind};
use quarry::tui::views;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use serde_json::{Value, json};

use remote_server::{Reply, Seen, Server, json_reply, raw_reply};

const TOKEN: &str = "wb-token-91c2";
const WAIT: Duration = Duration::from_secs(60);

fn engine(url: &str) -> Engine {
    Engine::new(
        Endpoint::parse(url).unwrap(),
        Token::new(TOKEN),
        Settings::default(),
    )
}

/// The workbench opened on `url`, its tables listed.
fn remote_app(url: &str, dir: &std::path::Path) -> App {
    let mut app = App::new(AppOptions::new(dir.to_path_buf()));
    app.resize(100, 24);
    app.open_remote(engine(url));
    assert!(app.wait_idle(WAIT), "the listing did not finish");
    app
}

fn key(app: &mut App, code: KeyCode) {
    app.handle_key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ch(app: &mut App, c: char) {
    key(app, KeyCode::Char(c));
}

fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        ch(app, c);
    }
}

fn wait(app: &mut App) {
    assert!(app.wait_idle(WAIT), "work did not finish");
}

/// The screen as text, one line per row, trailing blanks trimmed; the
/// query time is pinned. The token never shows.
fn screen(app: &mut App) -> String {
    if app.last_query_time().is_some() {
        app.set_last_query_time(Some(Duration::from_millis(12)));
    }
    let mut terminal = Terminal::new(TestBackend::new(100, 24)).unwrap();
    terminal.draw(|f| views::draw(f, app)).unwrap();
    let buf = terminal.backend().buffer().clone();
    let mut out = String::new();
    for y in 0..buf.area.height {
        let mut line = String::new();
        for x in 0..buf.area.width {
            line.push_str(buf[(x, y)].symbol());
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    assert!(!out.contains(TOKEN), "the token is on screen");
    out
}

/// The KQL a request carried (Log Analytics' `query`, Defender's `Query`,
/// Data Explorer's `csl`).
fn kql(seen: &Seen) -> String {
    let body = seen.json();
    ["query", "Query", "csl"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_str))
        .unwrap_or_else(|| panic!("no KQL in {body}"))
        .to_string()
}

fn assert_authorized(seen: &[Seen]) {
    for s in seen {
        assert_eq!(
            s.header("Authorization"),
            Some(format!("Bearer {TOKEN}").as_str()),
            "{} {}",
            s.method,
            s.path
        );
    }
}

/// Log Analytics' metadata, as the API documents it (trimmed).
fn metadata() -> Value {
    json!({
        "tables": [
            {"id": "SigninLogs", "name": "SigninLogs", "description": "Sign-ins of Microsoft Entra ID",
             "timespanColumn": "TimeGenerated",
             "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "UserPrincipalName", "type": "string", "isPreferredFacet": true},
                         {"name": "IPAddress", "type": "string"}, {"name": "ResultType", "type": "string"}],
             "related": {"categories": ["security"]}},
            {"id": "AuditLogs", "name": "AuditLogs", "description": "Audit events of Microsoft Entra ID",
             "timespanColumn": "TimeGenerated", "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "OperationName", "type": "string"}]},
            {"id": "custom_CL", "name": "custom_CL", "timespanColumn": "TimeGenerated", "columns": []}
        ],
        "functions": [], "workspaces": [{"id": "ws-1", "name": "contoso-sentinel"}]
    })
}

/// A Log Analytics answer of sign-ins: `n` rows cycling over three users.
fn signins(n: usize) -> Value {
    let users = ["alice@contoso.com", "bob@contoso.com", "carol@contoso.com"];
    let rows: Vec<Value> = (0..n)
        .map(|i| {
            json!([
                format!("2024-03-18T11:{:02}:{:02}Z", i / 60 % 60, i % 60),
                users[i % 3],
                format!("10.0.{}.{}", i / 256 % 256, i % 256),
                if i % 4 == 0 { "50126" } else { "0" }
            ])
        })
        .collect();
    json!({"tables": [{"name": "PrimaryResult",
        "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "UserPrincipalName", "type": "string"},
                    {"name": "IPAddress", "type": "string"}, {"name": "ResultType", "type": "string"}],
        "rows": rows}]})
}

fn go_to_column(app: &mut App, name: &str) {
    for _ in 0..50 {
        if app.current().current_column_name() == Some(name) {
            return;
        }
        ch(app, 'l');
    }
    panic!("no column {name}");
}

#[test]
fn home_lists_the_workspace_tables_and_each_drill_runs_there() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(vec![
        json_reply(200, &metadata()),
        json_reply(200, &signins(3)),
        json_reply(200, &signins(1)),
    ]);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let mut app = remote_app(&url, dir.path());
    insta::assert_snapshot!("remote_home_log_analytics", screen(&mut app));
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(
        (seen[0].method.as_str(), seen[0].path.as_str()),
        ("GET", "/v1/workspaces/ws-1/metadata")
    );

    // Home is sorted by name: AuditLogs, custom_CL, SigninLogs.
    ch(&mut app, 'j');
    ch(&mut app, 'j');
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().pipeline(), "SigninLogs");
    assert_eq!(app.current().rows.height(), 3);
    let seen = server.seen();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        (seen[1].method.as_str(), seen[1].path.as_str()),
        ("POST", "/v1/workspaces/ws-1/query")
    );
    assert_eq!(kql(&seen[1]), "SigninLogs\n| take 10001");
    assert_eq!(seen[1].header("Prefer"), Some("wait=600"));
    insta::assert_snapshot!("remote_table_log_analytics", screen(&mut app));

    // f on alice's UserPrincipalName: the filter is sent, after the pipeline.
    go_to_column(&mut app, "UserPrincipalName");
    ch(&mut app, 'f');
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    assert_eq!(
        kql(&seen[2]),
        "SigninLogs | where UserPrincipalName == \"alice@contoso.com\"\n| take 10001"
    );
    assert_eq!(app.current().rows.height(), 1);
    assert_authorized(&seen);
}

#[test]
fn a_capped_view_says_so_and_pulled_home_drills_run_locally() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(vec![
        json_reply(200, &metadata()),
        // The view asks for 10,001 rows and gets them: more than the cap.
        json_reply(200, &signins(10_001)),
        // The pull asks for all of them.
        json_reply(200, &signins(12_000)),
    ]);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let mut app = remote_app(&url, dir.path());
    ch(&mut app, ':');
    typed(&mut app, "SigninLogs");
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert_eq!(app.current().rows.height(), 10_000);
    assert_eq!(
        app.message(),
        Some(&Message::Warning(
            "capped at 10,000 rows: narrow the query, or P pulls the whole result".into()
        ))
    );
    insta::assert_snapshot!("remote_capped", screen(&mut app));

    // P: the name prompt, the source's name offered.
    ch(&mut app, 'P');
    assert_eq!(app.prompt(), Some(&PromptKind::PullName));
    insta::assert_snapshot!("remote_pull_prompt", screen(&mut app));
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    let seen = server.seen();
    assert_eq!(seen.len(), 3);
    // The whole result, without the view's cap.
    assert_eq!(kql(&seen[2]), "SigninLogs");
    assert_eq!(app.current().pipeline(), "SigninLogs_pulled");
    assert_eq!(app.current().rows.height(), 12_000);
    assert_eq!(
        app.message(),
        Some(&Message::Info(
            "pulled 12,000 rows into the local table SigninLogs_pulled: drills on it run locally"
                .into()
        ))
    );
    assert_eq!(
        app.catalog().get("SigninLogs_pulled").unwrap().rows(),
        12_000
    );

    // F on UserPrincipalName: counted locally, no request.
    go_to_column(&mut app, "UserPrincipalName");
    ch(&mut app, 'F');
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(server.seen().len(), 3, "a drill on a pulled table went out");
    assert!(matches!(app.current().kind, ViewKind::Frequency { .. }));
    let step = app.current();
    let frame = step.rows.clone().into_frame();
    let users = frame
        .column("UserPrincipalName")
        .unwrap()
        .str()
        .unwrap()
        .clone();
    let counts = frame.column("Count").unwrap().i64().unwrap().clone();
    let mut got: Vec<(String, i64)> = (0..step.rows.height())
        .map(|i| (users.get(i).unwrap().to_string(), counts.get(i).unwrap()))
        .collect();
    got.sort();
    assert_eq!(
        got,
        [
            ("alice@contoso.com".to_string(), 4000),
            ("bob@contoso.com".to_string(), 4000),
            ("carol@contoso.com".to_string(), 4000)
        ]
    );
    insta::assert_snapshot!("remote_local_drill", screen(&mut app));

    // Home lists the pulled table under the remote ones.
    for _ in 0..5 {
        ch(&mut app, 'q');
    }
    assert!(matches!(app.current().kind, ViewKind::Home));
    insta::assert_snapshot!("remote_home_with_pulled", screen(&mut app));
}

#[test]
fn a_view_that_holds_every_row_is_pulled_without_a_request() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(vec![
        json_reply(200, &metadata()),
        json_reply(200, &signins(5)),
    ]);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let mut app = remote_app(&url, dir.path());
    ch(&mut app, ':');
    typed(&mut app, "SigninLogs | where ResultType != \"0\"");
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert_eq!(app.current().rows.height(), 5);
    ch(&mut app, 'P');
    // A name that is a remote table's is refused, and asked again.
    for _ in 0.."SigninLogs_pulled".len() {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "AuditLogs");
    key(&mut app, KeyCode::Enter);
    assert_eq!(app.prompt(), Some(&PromptKind::PullName));
    assert_eq!(
        app.message(),
        Some(&Message::Warning(
            "AuditLogs is a table of Log Analytics at 127.0.0.1: a local table of that name would hide it; choose another name".into()
        ))
    );
    for _ in 0.."AuditLogs".len() {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "Failures");
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert_eq!(
        server.seen().len(),
        2,
        "the rows on screen were fetched again"
    );
    assert_eq!(app.current().pipeline(), "Failures");
    assert_eq!(app.catalog().get("Failures").unwrap().rows(), 5);
    // A pipeline typed over it runs locally too.
    ch(&mut app, ':');
    for _ in 0.."Failures".len() {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "Failures | summarize n = count()");
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert_eq!(server.seen().len(), 2);
    let n = app
        .current()
        .rows
        .clone()
        .into_frame()
        .column("n")
        .unwrap()
        .i64()
        .unwrap()
        .get(0);
    assert_eq!(n, Some(5));
}

#[test]
fn data_explorer_home_is_show_tables_and_views_are_v2_queries() {
    let dir = tempfile::tempdir().unwrap();
    let shown = json!({"Tables": [{"TableName": "Table_0",
        "Columns": [{"ColumnName": "TableName", "DataType": "String", "ColumnType": "string"},
                    {"ColumnName": "DatabaseName", "DataType": "String", "ColumnType": "string"},
                    {"ColumnName": "Folder", "DataType": "String", "ColumnType": "string"},
                    {"ColumnName": "DocString", "DataType": "String", "ColumnType": "string"}],
        "Rows": [["StormEvents", "Samples", "Storm_Events", "US storms, 2007"],
                 ["PopulationData", "Samples", "", ""]]}]});
    let frames = json!([
        {"FrameType": "DataSetHeader", "IsProgressive": false, "Version": "v2.0"},
        {"FrameType": "DataTable", "TableId": 1, "TableKind": "PrimaryResult", "TableName": "PrimaryResult",
         "Columns": [{"ColumnName": "State", "ColumnType": "string"}, {"ColumnName": "Deaths", "ColumnType": "int"}],
         "Rows": [["TEXAS", 4], ["KANSAS", 0]]},
        {"FrameType": "DataSetCompletion", "HasErrors": false, "Cancelled": false}
    ]);
    let server = Server::start(vec![json_reply(200, &shown), json_reply(200, &frames)]);
    let url = format!("{}/Samples", server.base);
    let mut app = remote_app(&url, dir.path());
    insta::assert_snapshot!("remote_home_data_explorer", screen(&mut app));
    ch(&mut app, 'j');
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().rows.height(), 2);
    let seen = server.seen();
    assert_eq!(seen[0].path, "/v1/rest/mgmt");
    assert_eq!(seen[0].json()["csl"], ".show tables");
    assert_eq!(seen[0].json()["db"], "Samples");
    assert_eq!(seen[1].path, "/v2/rest/query");
    assert_eq!(kql(&seen[1]), "StormEvents\n| take 10001");
    assert_authorized(&seen);
}

#[test]
fn defender_home_is_the_documented_schema_and_views_are_hunting_queries() {
    let dir = tempfile::tempdir().unwrap();
    let answer = json!({
        "schema": [{"name": "Timestamp", "type": "DateTime"}, {"name": "DeviceName", "type": "String"},
                   {"name": "ProcessCommandLine", "type": "String"}],
        "results": [{"Timestamp": "2024-03-18T11:42:07Z", "DeviceName": "ws-17", "ProcessCommandLine": "whoami /all"}]
    });
    let server = Server::start(vec![json_reply(200, &answer)]);
    let url = format!("{}/v1.0/security", server.base);
    let mut app = remote_app(&url, dir.path());
    // No request: Graph has no table list; the documented schema is home.
    assert!(server.seen().is_empty());
    insta::assert_snapshot!("remote_home_defender", screen(&mut app));
    ch(&mut app, ':');
    typed(
        &mut app,
        "DeviceProcessEvents | where ProcessCommandLine has \"whoami\"",
    );
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    let seen = server.seen();
    assert_eq!(seen[0].path, "/v1.0/security/runHuntingQuery");
    assert_eq!(
        seen[0].json(),
        json!({"Query": "DeviceProcessEvents | where ProcessCommandLine has \"whoami\"\n| take 10001"})
    );
    assert_eq!(app.current().rows.height(), 1);
    assert_authorized(&seen);
}

/// Each bad answer is an error above the view it was asked from; the
/// workbench goes on, and the next query runs.
#[test]
fn bad_answers_are_errors_on_screen_and_the_workbench_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let full = signins(2).to_string();
    let cases: Vec<(Reply, &str)> = vec![
        (
            raw_reply(
                200,
                "text/html",
                "<html><head><title>Sign in to your account</title></head></html>",
            ),
            "error: Log Analytics's answer cannot be read: the answer is an HTML page (\"Sign in to your account\"), not JSON: a proxy or a sign-in page answered instead of the service",
        ),
        (
            raw_reply(200, "application/json", &full[..full.len() / 2]),
            "error: Log Analytics's answer cannot be read: the answer ends in the middle of its JSON (after",
        ),
        (
            raw_reply(200, "application/json", "{\"tables\": [oops]}"),
            "error: Log Analytics's answer cannot be read: the answer is not valid JSON: expected value at line 1 column 13",
        ),
        (
            json_reply(
                400,
                &json!({"error": {"message": "The request had some invalid properties", "code": "BadArgumentError",
                    "innererror": {"code": "SemanticError", "message": "'where' operator: Failed to resolve column 'Nope'"}}}),
            ),
            "error: Log Analytics refused the query (HTTP 400 Bad Request): The request had some invalid properties; SemanticError: 'where' operator: Failed to resolve column 'Nope'",
        ),
    ];
    let mut replies = vec![json_reply(200, &metadata()), json_reply(200, &signins(2))];
    let n = cases.len();
    let mut expected = Vec::new();
    for (reply, message) in cases {
        replies.push(reply);
        expected.push(message);
    }
    replies.push(json_reply(200, &signins(1)));
    let server = Server::start(replies);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let mut app = remote_app(&url, dir.path());
    ch(&mut app, ':');
    typed(&mut app, "SigninLogs");
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert_eq!(app.current().rows.height(), 2);
    for (i, message) in expected.iter().enumerate() {
        go_to_column(&mut app, "IPAddress");
        ch(&mut app, 'x');
        wait(&mut app);
        let error = app.error().map(|e| format!("error: {}", e.message));
        let error = error.unwrap_or_else(|| panic!("case {i}: no error on screen"));
        assert!(error.starts_with(message), "case {i}: {error}");
        // The view it was asked from stays.
        assert_eq!(app.current().pipeline(), "SigninLogs");
        assert_eq!(app.current().rows.height(), 2);
        if i == 0 {
            insta::assert_snapshot!("remote_error_html", screen(&mut app));
        }
    }
    // And the next query runs.
    ch(&mut app, 'x');
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().rows.height(), 1);
    assert_eq!(server.seen().len(), 3 + n);
}

#[test]
fn tables_that_cannot_be_listed_leave_queries_possible() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(vec![
        json_reply(
            403,
            &json!({"error": {"code": "InsufficientAccessError", "message": "The provided credentials have insufficient access to perform the requested operation"}}),
        ),
        json_reply(200, &signins(2)),
    ]);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let mut app = remote_app(&url, dir.path());
    let error = app.error().map(|e| e.message.clone()).unwrap_or_default();
    assert!(
        error.starts_with("cannot list the tables: Log Analytics refused the query (HTTP 403 Forbidden): The provided credentials have insufficient access to perform the requested operation; (is the token for https://api.loganalytics.io and still valid?"),
        "{error}"
    );
    insta::assert_snapshot!("remote_home_unlisted", screen(&mut app));
    ch(&mut app, ':');
    typed(&mut app, "SigninLogs | take 2");
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().rows.height(), 2);
    assert_eq!(kql(&server.seen()[1]), "SigninLogs | take 2\n| take 10001");
    // Back home, once the error line is gone, home says why it is empty.
    ch(&mut app, 'q');
    let home = screen(&mut app);
    assert!(
        home.contains(" No tables listed on Log Analytics at 127.0.0.1.\n Log Analytics refused the query (HTTP 403 Forbidden)"),
        "{home}"
    );
}

/// `/` at home searches every remote table there; Enter on a table's hits
/// opens them, there too; a pipeline ending in `render` keeps its render
/// after the cap, and its chart is drawn.
#[test]
fn search_and_charts_run_remotely() {
    let dir = tempfile::tempdir().unwrap();
    let hits = json!({"tables": [{"name": "PrimaryResult",
        "columns": [{"name": "$table", "type": "string"}, {"name": "Hits", "type": "long"}],
        "rows": [["SigninLogs", 3], ["AuditLogs", 1]]}]});
    let counts = json!({"tables": [{"name": "PrimaryResult",
        "columns": [{"name": "UserPrincipalName", "type": "string"}, {"name": "n", "type": "long"}],
        "rows": [["alice@contoso.com", 5], ["bob@contoso.com", 2]]}]});
    let server = Server::start(vec![
        json_reply(200, &metadata()),
        json_reply(200, &hits),
        json_reply(200, &signins(3)),
        json_reply(200, &counts),
    ]);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let mut app = remote_app(&url, dir.path());
    ch(&mut app, '/');
    typed(&mut app, "alice");
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert!(matches!(app.current().kind, ViewKind::SearchResults { .. }));
    assert_eq!(
        kql(&server.seen()[1]),
        "search \"alice\" | summarize Hits = count() by $table | sort by Hits desc\n| take 10001"
    );
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(
        kql(&server.seen()[2]),
        "search in (SigninLogs) \"alice\"\n| take 10001"
    );
    ch(&mut app, ':');
    for _ in 0..80 {
        key(&mut app, KeyCode::Backspace);
    }
    typed(
        &mut app,
        "SigninLogs | summarize n = count() by UserPrincipalName | render columnchart",
    );
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(
        kql(&server.seen()[3]),
        "SigninLogs | summarize n = count() by UserPrincipalName\n| take 10001\n| render columnchart"
    );
    assert!(app.current().chart.as_ref().is_some_and(|c| c.showing));
}

/// Ctrl+C on a remote query that does not answer: the workbench is free
/// at once (the request is left to end on its own thread), and the next
/// query runs.
#[test]
fn a_remote_query_that_hangs_is_cancelled_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(vec![
        json_reply(200, &metadata()),
        Reply {
            status: remote_server::SILENT,
            headers: Vec::new(),
            body: Vec::new(),
        },
        json_reply(200, &signins(2)),
    ]);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let mut app = remote_app(&url, dir.path());
    ch(&mut app, ':');
    typed(&mut app, "SigninLogs | where ResultType == \"50126\"");
    key(&mut app, KeyCode::Enter);
    assert!(app.busy());
    // The request has reached the server before it is cancelled.
    for _ in 0..600 {
        if server.seen().len() == 2 {
            break;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    assert_eq!(server.seen().len(), 2);
    app.handle_key(KeyEvent::new(KeyCode::Char('c'), KeyModifiers::CONTROL));
    assert!(!app.busy());
    assert!(!app.stopping());
    assert_eq!(
        app.message(),
        Some(&Message::Warning("cancelling query".into()))
    );
    ch(&mut app, ':');
    for _ in 0..80 {
        key(&mut app, KeyCode::Backspace);
    }
    typed(&mut app, "SigninLogs");
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(app.current().pipeline(), "SigninLogs");
    assert_eq!(app.current().rows.height(), 2);
}

/// KQL Quarry's own parser does not know goes to the service, which
/// judges it.
#[test]
fn the_service_judges_kql_quarry_does_not_know() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(vec![
        json_reply(200, &metadata()),
        json_reply(200, &signins(1)),
    ]);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let mut app = remote_app(&url, dir.path());
    let text = "SigninLogs | assert-schema (UserPrincipalName:string)";
    assert!(quarry::kql::parser::parse(text).is_err());
    ch(&mut app, ':');
    typed(&mut app, text);
    key(&mut app, KeyCode::Enter);
    wait(&mut app);
    assert!(app.error().is_none(), "{:?}", app.error());
    assert_eq!(kql(&server.seen()[1]), format!("{text}\n| take 10001"));
}

#[test]
fn pull_is_only_for_a_remote_workbench() {
    let dir = tempfile::tempdir().unwrap();
    let mut app = App::new(AppOptions::new(dir.path().to_path_buf()));
    app.resize(100, 24);
    app.set_catalog(quarry::data::catalog::Catalog::new());
    assert!(!app.available(quarry::tui::action::Action::PullTable));
    app.step(quarry::tui::action::Action::PullTable);
    assert_eq!(
        app.message(),
        Some(&Message::Info(
            "P pulls a view of a remote engine home (quarry --remote URL); these tables are local"
                .into()
        ))
    );
}

#[test]
fn the_binary_needs_a_token_before_it_takes_the_terminal() {
    let empty = tempfile::tempdir().unwrap();
    let out = assert_cmd::Command::cargo_bin("quarry")
        .unwrap()
        .env_remove("QUARRY_TOKEN")
        // No Azure CLI on this PATH.
        .env("PATH", empty.path())
        .args(["--remote", "http://127.0.0.1:9/v1/workspaces/ws-1"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "quarry: no access token: QUARRY_TOKEN is not set and the Azure CLI (az) is not installed; set QUARRY_TOKEN to a bearer token for https://api.loganalytics.io, or sign in with the Azure CLI (az login) so that `az account get-access-token --resource https://api.loganalytics.io` gives one\n"
    );
    let out = assert_cmd::Command::cargo_bin("quarry")
        .unwrap()
        .env("QUARRY_TOKEN", TOKEN)
        .args(["--remote", "ftp://x/y"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "quarry: ftp://x/y: a remote engine's URL starts with https:// (http:// only for a local test server)\n"
    );
}
