//! Remote engines, end to end through the binary, against a local HTTP
//! server (tiny_http on 127.0.0.1) that answers as Log Analytics, Defender
//! advanced hunting and Data Explorer document it, and records the requests
//! it receives so the tests can check path, headers and body. No test
//! reaches a real service.

use crate::remote_server;

use assert_cmd::Command;
use serde_json::{Value, json};

use remote_server::{Reply, SILENT, Server, json_reply, raw_reply};

const TOKEN: &str = "test-token-5f3a";

fn quarry() -> Command {
    let mut cmd = Command::cargo_bin("quarry").unwrap();
    cmd.env("QUARRY_TOKEN", TOKEN)
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

fn run(cmd: &mut Command) -> Run {
    let out = cmd.output().unwrap();
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    // Whatever happened, the token is never shown.
    assert!(!run.stdout.contains(TOKEN), "token in stdout");
    assert!(!run.stderr.contains(TOKEN), "token in stderr");
    run
}

/// A Log Analytics answer with a column of every type.
fn log_analytics_answer() -> Value {
    json!({"tables": [{
        "name": "PrimaryResult",
        "columns": [
            {"name": "TimeGenerated", "type": "datetime"},
            {"name": "Account", "type": "string"},
            {"name": "Attempts", "type": "long"},
            {"name": "Port", "type": "int"},
            {"name": "Score", "type": "real"},
            {"name": "Risky", "type": "bool"},
            {"name": "Details", "type": "dynamic"},
            {"name": "Took", "type": "timespan"},
            {"name": "CorrelationId", "type": "guid"}
        ],
        "rows": [
            ["2024-03-18T11:42:07.1234567Z", "alice@contoso.com", 3, 443, 0.5, true,
             "{\"ip\":\"10.0.0.1\",\"tags\":[\"a\"]}", "00:05:00", "0f8fad5b-d9cb-469f-a165-70867728950e"],
            [null, "bob", null, null, null, false, null, null, null]
        ]
    }]})
}

#[test]
fn log_analytics_query_prints_typed_rows() {
    let server = Server::start(vec![json_reply(200, &log_analytics_answer())]);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let r = run(quarry().args([
        "query",
        "--remote",
        &url,
        "--timespan",
        "7d",
        "--format",
        "json",
        "SigninLogs | take 2",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let printed: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(
        printed,
        json!([
            {"TimeGenerated": "2024-03-18T11:42:07.1234567Z", "Account": "alice@contoso.com",
             "Attempts": 3, "Port": 443, "Score": 0.5, "Risky": true,
             "Details": {"ip": "10.0.0.1", "tags": ["a"]}, "Took": "00:05:00",
             "CorrelationId": "0f8fad5b-d9cb-469f-a165-70867728950e"},
            {"TimeGenerated": null, "Account": "bob", "Attempts": null, "Port": null,
             "Score": null, "Risky": false, "Details": null, "Took": null, "CorrelationId": ""}
        ])
    );
    let seen = server.seen();
    assert_eq!(seen.len(), 1);
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].path, "/v1/workspaces/ws-1/query");
    assert_eq!(
        seen[0].header("Authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(seen[0].header("Prefer"), Some("wait=600"));
    assert_eq!(
        seen[0].json(),
        json!({"query": "SigninLogs | take 2", "timespan": "P7D"})
    );
}

#[test]
fn log_analytics_table_output_is_the_local_one() {
    let server = Server::start(vec![json_reply(200, &log_analytics_answer())]);
    let url = format!("{}/v1/workspaces/ws-1", server.base);
    let r = run(quarry().args([
        "query",
        "--remote",
        &url,
        "SigninLogs | project TimeGenerated, Account, Attempts, Risky, Took",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "\
TimeGenerated                 Account            Attempts  Port  Score  Risky  Details                         Took      CorrelationId
----------------------------  -----------------  --------  ----  -----  -----  ------------------------------  --------  ------------------------------------
2024-03-18T11:42:07.1234567Z  alice@contoso.com  3         443   0.5    true   {\"ip\":\"10.0.0.1\",\"tags\":[\"a\"]}  00:05:00  0f8fad5b-d9cb-469f-a165-70867728950e
                              bob                                       false
(2 rows)
"
    );
    // No --timespan: none is sent.
    assert_eq!(
        server.seen()[0].json(),
        json!({"query": "SigninLogs | project TimeGenerated, Account, Attempts, Risky, Took"})
    );
}

#[test]
fn defender_keys_in_any_case_and_dotnet_types() {
    let answer = json!({
        "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#microsoft.graph.security.huntingQueryResults",
        "Schema": [
            {"Name": "Timestamp", "Type": "DateTime"},
            {"Name": "DeviceName", "Type": "String"},
            {"Name": "RemotePort", "Type": "Int32"},
            {"Name": "InitiatingProcessId", "Type": "Int64"},
            {"Name": "Score", "Type": "Double"},
            {"Name": "IsRemote", "Type": "Boolean"},
            {"Name": "AdditionalFields", "Type": "Object"}
        ],
        "Results": [
            {"Timestamp": "2024-03-18T11:42:07.1234567Z", "devicename": "ws-17", "RemotePort": 4444,
             "InitiatingProcessId": 9001, "Score": 1.25, "IsRemote": false,
             "AdditionalFields": {"Command": "whoami"}},
            {"timestamp": "2024-03-18T12:00:00Z", "DeviceName": "ws-18", "RemotePort": 443}
        ]
    });
    let server = Server::start(vec![json_reply(200, &answer)]);
    let url = format!("{}/beta/security", server.base);
    let r = run(quarry().args([
        "query",
        "--remote",
        &url,
        "--format",
        "ndjson",
        "DeviceNetworkEvents | take 2",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "{\"Timestamp\":\"2024-03-18T11:42:07.1234567Z\",\"DeviceName\":\"ws-17\",\"RemotePort\":4444,\"InitiatingProcessId\":9001,\"Score\":1.25,\"IsRemote\":false,\"AdditionalFields\":{\"Command\":\"whoami\"}}\n\
         {\"Timestamp\":\"2024-03-18T12:00:00.0000000Z\",\"DeviceName\":\"ws-18\",\"RemotePort\":443,\"InitiatingProcessId\":null,\"Score\":null,\"IsRemote\":null,\"AdditionalFields\":null}\n"
    );
    let seen = server.seen();
    assert_eq!(seen[0].path, "/beta/security/runHuntingQuery");
    assert_eq!(
        seen[0].header("Authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(
        seen[0].json(),
        json!({"Query": "DeviceNetworkEvents | take 2"})
    );
}

/// A Data Explorer v2 answer around one primary result.
fn kusto_frames(rows: Value, completion: Value) -> Value {
    json!([
        {"FrameType": "DataSetHeader", "IsProgressive": false, "Version": "v2.0"},
        {"FrameType": "DataTable", "TableId": 0, "TableKind": "QueryProperties", "TableName": "@ExtendedProperties",
         "Columns": [{"ColumnName": "TableId", "ColumnType": "int"}, {"ColumnName": "Key", "ColumnType": "string"},
                     {"ColumnName": "Value", "ColumnType": "dynamic"}],
         "Rows": [[1, "Visualization", "{\"Visualization\":null}"]]},
        {"FrameType": "DataTable", "TableId": 1, "TableKind": "PrimaryResult", "TableName": "PrimaryResult",
         "Columns": [{"ColumnName": "StartTime", "ColumnType": "datetime"}, {"ColumnName": "State", "ColumnType": "string"},
                     {"ColumnName": "DamageProperty", "ColumnType": "int"}, {"ColumnName": "Damage", "ColumnType": "decimal"},
                     {"ColumnName": "Tags", "ColumnType": "dynamic"}],
         "Rows": rows},
        {"FrameType": "DataTable", "TableId": 2, "TableKind": "QueryCompletionInformation", "TableName": "QueryCompletionInformation",
         "Columns": [{"ColumnName": "Timestamp", "ColumnType": "datetime"}], "Rows": [["2024-01-01T00:00:00Z"]]},
        completion
    ])
}

fn done() -> Value {
    json!({"FrameType": "DataSetCompletion", "HasErrors": false, "Cancelled": false})
}

fn storms() -> Value {
    json!([
        [
            "2007-09-29T08:11:00Z",
            "ATLANTIC SOUTH",
            0,
            "1.5",
            ["water", "spout"]
        ],
        ["2007-09-18T20:00:00Z", "FLORIDA", 1000, "0", null]
    ])
}

#[test]
fn data_explorer_primary_result_as_csv() {
    let server = Server::start(vec![json_reply(200, &kusto_frames(storms(), done()))]);
    let url = format!("{}/Samples", server.base);
    let r = run(quarry().args([
        "query",
        "--remote",
        &url,
        "--format",
        "csv",
        "StormEvents | take 2",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "StartTime,State,DamageProperty,Damage,Tags\r\n\
         2007-09-29T08:11:00.0000000Z,ATLANTIC SOUTH,0,1.5,\"[\"\"water\"\",\"\"spout\"\"]\"\r\n\
         2007-09-18T20:00:00.0000000Z,FLORIDA,1000,0,\r\n"
    );
    let seen = server.seen();
    assert_eq!(seen[0].path, "/v2/rest/query");
    assert_eq!(
        seen[0].header("Authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    let body = seen[0].json();
    assert_eq!(body["db"], "Samples");
    assert_eq!(body["csl"], "StormEvents | take 2");
    assert_eq!(body["properties"]["Options"]["servertimeout"], "00:11:00");
}

#[test]
fn data_explorer_refusal_prints_kustos_own_message() {
    let error = json!({"error": {
        "code": "General_BadRequest",
        "message": "Request is invalid and cannot be executed.",
        "@type": "Kusto.Data.Exceptions.KustoBadRequestException",
        "@message": "Request is invalid and cannot be processed: Semantic error: SEM0100: 'table' operator: Failed to resolve table expression named 'aaa'",
        "@permanent": true,
        "innererror": {
            "code": "SEM0100",
            "message": "'table' operator: Failed to resolve table expression named 'aaa'",
            "@type": "Kusto.Data.Exceptions.SemanticException"
        }
    }});
    let server = Server::start(vec![json_reply(400, &error)]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/Samples", server.base),
        "aaa",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "quarry: Data Explorer refused the query (HTTP 400 Bad Request): Request is invalid and cannot be executed.\n  \
         Request is invalid and cannot be processed: Semantic error: SEM0100: 'table' operator: Failed to resolve table expression named 'aaa'\n"
    );
}

#[test]
fn data_explorer_errors_inside_a_200_fail_the_query() {
    let completion = json!({"FrameType": "DataSetCompletion", "HasErrors": true, "Cancelled": false,
        "OneApiErrors": [{"error": {"code": "LimitsExceeded", "message": "Request is invalid and cannot be executed.",
            "@message": "Query execution has exceeded the allowed limits (80DA0001): The results of this query exceed the set limit of memory."}}]});
    let server = Server::start(vec![json_reply(200, &kusto_frames(storms(), completion))]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/Samples", server.base),
        "StormEvents",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(r.stdout, "");
    assert_eq!(
        r.stderr,
        "quarry: Data Explorer failed the query: Request is invalid and cannot be executed.\n  \
         Query execution has exceeded the allowed limits (80DA0001): The results of this query exceed the set limit of memory.\n"
    );
}

#[test]
fn data_explorer_truncation_is_shown() {
    let completion = json!({"FrameType": "DataSetCompletion", "HasErrors": true, "Cancelled": false,
        "OneApiErrors": [{"error": {"code": "LimitsExceeded", "message": "Request is invalid and cannot be executed.",
            "@message": "Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)"}}]});
    let server = Server::start(vec![json_reply(200, &kusto_frames(storms(), completion))]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/Samples", server.base),
        "--format",
        "csv",
        "StormEvents",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 3);
    assert_eq!(
        r.stderr,
        "note: Data Explorer truncated the result at 2 rows: Request is invalid and cannot be executed.; \
         Query result set has exceeded the internal record count limit 500000 (E_QUERY_RESULT_SET_TOO_LARGE; see https://aka.ms/kustoquerylimits)\n"
    );
}

#[test]
fn throttling_honours_retry_after_then_succeeds() {
    let throttled = || {
        let mut r = json_reply(
            429,
            &json!({"error": {"code": "TooManyRequests", "message": "Rate limit is exceeded."}}),
        );
        r.headers.push(("Retry-After", "0".into()));
        r
    };
    let server = Server::start(vec![
        throttled(),
        throttled(),
        json_reply(200, &log_analytics_answer()),
    ]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/v1/workspaces/ws-1", server.base),
        "--format",
        "ndjson",
        "SigninLogs",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().count(), 2);
    assert_eq!(
        r.stderr,
        "quarry: throttled (HTTP 429): trying again in 0 s (retry 1 of 3)\n\
         quarry: throttled (HTTP 429): trying again in 0 s (retry 2 of 3)\n"
    );
    assert_eq!(server.seen().len(), 3);
}

#[test]
fn throttling_that_does_not_stop_is_reported() {
    let throttled = || {
        let mut r = json_reply(
            429,
            &json!({"error": {"code": "TooManyRequests", "message": "Rate limit is exceeded."}}),
        );
        r.headers.push(("Retry-After", "0".into()));
        r
    };
    let server = Server::start((0..4).map(|_| throttled()).collect());
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/v1.0/security", server.base),
        "DeviceInfo",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.ends_with(
            "quarry: Defender advanced hunting: the service is throttling requests (HTTP 429) and still was after 4 tries (0 s waited); try again later: Rate limit is exceeded.\n"
        ),
        "{}",
        r.stderr
    );
    assert_eq!(server.seen().len(), 4);
}

#[test]
fn a_long_retry_after_is_not_waited_for() {
    let mut reply = json_reply(
        429,
        &json!({"error": {"code": "TooManyRequests", "message": "CPU quota reached."}}),
    );
    reply.headers.push(("Retry-After", "900".into()));
    let server = Server::start(vec![reply]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/v1.0/security", server.base),
        "DeviceInfo",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: Defender advanced hunting: the service is throttling requests (HTTP 429) and asks to wait 900 s before trying again; try again later: CPU quota reached.\n"
    );
}

#[test]
fn html_instead_of_json_is_a_clear_error() {
    let server = Server::start(vec![raw_reply(
        200,
        "text/html; charset=utf-8",
        "<!DOCTYPE html><html><head><title>Sign in to your account</title></head><body></body></html>",
    )]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/v1/workspaces/ws-1", server.base),
        "SigninLogs",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: Log Analytics's answer cannot be read: the answer is an HTML page (\"Sign in to your account\"), not JSON: a proxy or a sign-in page answered instead of the service\n"
    );
}

#[test]
fn a_truncated_answer_is_a_clear_error() {
    let full = kusto_frames(storms(), done()).to_string();
    let cut = &full[..full.len() / 2];
    let server = Server::start(vec![raw_reply(200, "application/json", cut)]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/Samples", server.base),
        "StormEvents",
    ]));
    assert_eq!(r.code, 2);
    assert!(
        r.stderr.starts_with(
            "quarry: Data Explorer's answer cannot be read: the answer ends in the middle of its JSON (after "
        ) && r.stderr.ends_with("): it was cut short; run the query again\n"),
        "{}",
        r.stderr
    );
    // Whole JSON, but the frames stop before DataSetCompletion.
    let frames = kusto_frames(storms(), done());
    let mut partial = frames.as_array().unwrap().clone();
    partial.pop();
    let server = Server::start(vec![json_reply(200, &Value::Array(partial))]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/Samples", server.base),
        "StormEvents",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: Data Explorer's answer cannot be read: the answer ends before its DataSetCompletion frame: it was cut short; run the query again\n"
    );
}

#[test]
fn malformed_bodies_and_unknown_types_are_clear_errors() {
    let cases: Vec<(Reply, &str)> = vec![
        (
            raw_reply(200, "application/json", "{\"tables\": oops}"),
            "quarry: Log Analytics's answer cannot be read: the answer is not valid JSON: expected value at line 1 column 12\n",
        ),
        (
            json_reply(
                200,
                &json!({"tables": [{"name": "PrimaryResult",
                "columns": [{"name": "Shape", "type": "geography"}], "rows": [[1]]}]}),
            ),
            "quarry: Log Analytics's answer cannot be read: column Shape has type 'geography', which Quarry does not know (it knows bool, datetime, dynamic, guid, int, long, real, decimal, string, timespan (or their .NET names))\n",
        ),
        (
            json_reply(
                200,
                &json!({"tables": [{"name": "PrimaryResult",
                "columns": [{"name": "When", "type": "datetime"}], "rows": [["last tuesday"]]}]}),
            ),
            "quarry: Log Analytics's answer cannot be read: row 1, column When: \"last tuesday\" is not of type datetime\n",
        ),
        (
            json_reply(200, &json!({"value": []})),
            "quarry: Log Analytics's answer cannot be read: no \"tables\" in the answer\n",
        ),
        (
            raw_reply(200, "application/json", ""),
            "quarry: Log Analytics's answer cannot be read: the answer is empty\n",
        ),
    ];
    for (reply, expected) in cases {
        let server = Server::start(vec![reply]);
        let r = run(quarry().args([
            "query",
            "--remote",
            &format!("{}/v1/workspaces/ws-1", server.base),
            "T",
        ]));
        assert_eq!(r.code, 2, "{expected}");
        assert_eq!(r.stderr, expected);
    }
}

#[test]
fn an_expired_token_says_how_to_renew_it() {
    let error = json!({"error": {"code": "InvalidAuthenticationTokenAudience",
        "message": "The access token is from the wrong issuer.", "innererror": null}});
    let server = Server::start(vec![json_reply(401, &error)]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/v1/workspaces/ws-1", server.base),
        "T",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: Log Analytics refused the query (HTTP 401 Unauthorized): The access token is from the wrong issuer.\n  \
         (is the token for https://api.loganalytics.io and still valid? QUARRY_TOKEN may be stale; `az login` renews the Azure CLI's)\n"
    );
}

#[test]
fn no_answer_within_the_timeout() {
    let server = Server::start(vec![Reply {
        status: SILENT,
        headers: Vec::new(),
        body: Vec::new(),
    }]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/Samples", server.base),
        "--timeout",
        "1",
        "StormEvents",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: Data Explorer: no complete answer from 127.0.0.1 within 1 s (timed out); give a long query more time with --timeout\n"
    );
}

#[test]
fn without_a_token_both_ways_are_named() {
    let empty = tempfile::tempdir().unwrap();
    let r = run(Command::cargo_bin("quarry")
        .unwrap()
        .env_remove("QUARRY_TOKEN")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env("PATH", empty.path())
        .args([
            "query",
            "--remote",
            "http://127.0.0.1:9/v1/workspaces/ws-1",
            "T",
        ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: no access token: QUARRY_TOKEN is not set and the Azure CLI (az) is not installed; \
         set QUARRY_TOKEN to a bearer token for https://api.loganalytics.io, or sign in with the Azure CLI (az login) \
         so that `az account get-access-token --resource https://api.loganalytics.io` gives one\n"
    );
}

#[cfg(unix)]
fn fake_az(dir: &std::path::Path, script: &str) {
    use std::os::unix::fs::PermissionsExt;
    let path = dir.join("az");
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[cfg(unix)]
#[test]
fn the_azure_cli_gives_the_token_for_the_clusters_resource() {
    let server = Server::start(vec![json_reply(200, &kusto_frames(storms(), done()))]);
    let bin = tempfile::tempdir().unwrap();
    // Answers only when asked for the cluster's own resource.
    fake_az(
        bin.path(),
        &format!(
            "#!/bin/sh\nif [ \"$1 $2 $3 $4\" = \"account get-access-token --resource {}\" ]; then echo token-from-az; \
             else echo \"unexpected: $*\" >&2; exit 1; fi\n",
            server.base
        ),
    );
    let r = run(Command::cargo_bin("quarry")
        .unwrap()
        .env_remove("QUARRY_TOKEN")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env("PATH", bin.path())
        .args([
            "query",
            "--remote",
            &format!("{}/Samples", server.base),
            "--format",
            "csv",
            "StormEvents | take 2",
        ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!r.stdout.contains("token-from-az"));
    assert_eq!(
        server.seen()[0].header("Authorization"),
        Some("Bearer token-from-az")
    );
}

#[cfg(unix)]
#[test]
fn an_azure_cli_not_signed_in_is_quoted() {
    let bin = tempfile::tempdir().unwrap();
    fake_az(
        bin.path(),
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n",
    );
    let r = run(Command::cargo_bin("quarry")
        .unwrap()
        .env_remove("QUARRY_TOKEN")
        .env_remove("HTTP_PROXY")
        .env_remove("http_proxy")
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("ALL_PROXY")
        .env_remove("all_proxy")
        .env("PATH", bin.path())
        .args([
            "query",
            "--remote",
            "https://graph.microsoft.com/v1.0/security",
            "DeviceInfo",
        ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: no access token: QUARRY_TOKEN is not set and the Azure CLI gave none \
         (az: ERROR: Please run 'az login' to setup account.); set QUARRY_TOKEN to a bearer token for \
         https://graph.microsoft.com, or sign in with the Azure CLI (az login) so that \
         `az account get-access-token --resource https://graph.microsoft.com` gives one\n"
    );
}

#[test]
fn bad_urls_and_options_are_refused_before_any_request() {
    let r = run(quarry().args(["query", "--remote", "https://api.loganalytics.io/v1", "T"]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: https://api.loganalytics.io/v1: a Log Analytics URL names a workspace: https://api.loganalytics.io/v1/workspaces/WORKSPACE-ID\n"
    );
    let r = run(quarry().args([
        "query",
        "--remote",
        "http://127.0.0.1:9/Samples",
        "--timespan",
        "7d",
        "T",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: --timespan is for Log Analytics and Defender; in Data Explorer, filter the time in the query (| where Timestamp > ago(7d))\n"
    );
    let r = run(quarry().args([
        "query",
        "--remote",
        "http://127.0.0.1:9/v1/workspaces/ws-1",
        "--timespan",
        "99999999999.00:00:00",
        "T",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: --timespan 99999999999.00:00:00: expected a positive KQL timespan (7d, 12h, 30m) or ISO 8601 (P7D, PT12H, or START/END)\n"
    );
}

#[test]
fn pull_writes_a_table_that_opens_like_any_export() {
    let server = Server::start(vec![
        json_reply(200, &kusto_frames(storms(), done())),
        json_reply(200, &kusto_frames(storms(), done())),
    ]);
    let url = format!("{}/Samples", server.base);
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("pulled");
    let r = run(quarry().args([
        "pull",
        "--remote",
        &url,
        "--as",
        "Storms",
        "--out",
        out.to_str().unwrap(),
        "StormEvents | take 2",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    let file = out.join("Storms.parquet");
    assert_eq!(
        r.stderr,
        format!(
            "pulled 2 rows, 5 columns into {} (table Storms: quarry {})\n",
            file.display(),
            out.display()
        )
    );
    // Only the table is left: no temporary file.
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["Storms.parquet"]);

    let local = |query: &str| {
        run(quarry().args([
            "query",
            "--data",
            out.to_str().unwrap(),
            "--format",
            "json",
            query,
        ]))
    };
    let r = local("Storms | count");
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        serde_json::from_str::<Value>(&r.stdout).unwrap(),
        json!([{"Count": 2}])
    );
    // Typed as the remote result was: the same JSON, and the same schema.
    let remote = run(quarry().args([
        "query",
        "--remote",
        &url,
        "--format",
        "json",
        "StormEvents | take 2",
    ]));
    let r = local("Storms");
    assert_eq!(r.stdout, remote.stdout);
    let r = local("Storms | getschema | project ColumnName, ColumnType");
    assert_eq!(
        serde_json::from_str::<Value>(&r.stdout).unwrap(),
        json!([
            {"ColumnName": "StartTime", "ColumnType": "datetime"},
            {"ColumnName": "State", "ColumnType": "string"},
            {"ColumnName": "DamageProperty", "ColumnType": "int"},
            {"ColumnName": "Damage", "ColumnType": "decimal"},
            {"ColumnName": "Tags", "ColumnType": "dynamic"}
        ])
    );
    let r = local("Storms | mv-expand Tags | where Tags == 'spout' | project State");
    assert_eq!(
        serde_json::from_str::<Value>(&r.stdout).unwrap(),
        json!([{"State": "ATLANTIC SOUTH"}])
    );

    // An existing table is not replaced without --force, and no query is sent.
    let r = run(quarry().args([
        "pull",
        "--remote",
        &url,
        "--as",
        "Storms",
        "--out",
        out.to_str().unwrap(),
        "StormEvents",
    ]));
    assert_eq!(r.code, 1);
    assert_eq!(
        r.stderr,
        format!(
            "quarry: {} exists (use --force to replace it)\n",
            file.display()
        )
    );
    assert_eq!(server.seen().len(), 2);
}

#[test]
fn pull_refuses_a_name_that_is_not_a_table_name() {
    let dir = tempfile::tempdir().unwrap();
    let r = run(quarry().args([
        "pull",
        "--remote",
        "http://127.0.0.1:9/Samples",
        "--as",
        "../escape",
        "--out",
        dir.path().to_str().unwrap(),
        "T",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: --as \"../escape\": a table name is letters, digits and _, not starting with a digit\n"
    );
}

#[test]
fn data_explorer_management_commands_use_the_v1_endpoint() {
    let answer = json!({"Tables": [{"TableName": "Table_0",
        "Columns": [{"ColumnName": "TableName", "DataType": "String", "ColumnType": "string"},
                    {"ColumnName": "DatabaseName", "DataType": "String", "ColumnType": "string"}],
        "Rows": [["StormEvents", "Samples"], ["PopulationData", "Samples"]]}]});
    let server = Server::start(vec![json_reply(200, &answer)]);
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("{}/Samples", server.base),
        "--format",
        "csv",
        ".show tables",
    ]));
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "TableName,DatabaseName\r\nStormEvents,Samples\r\nPopulationData,Samples\r\n"
    );
    let seen = server.seen();
    assert_eq!(seen[0].path, "/v1/rest/mgmt");
    assert_eq!(seen[0].json()["csl"], ".show tables");
}

#[test]
fn no_server_at_the_url() {
    // Bind, then close: the port is free and refuses connections.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let r = run(quarry().args([
        "query",
        "--remote",
        &format!("http://127.0.0.1:{port}/Samples"),
        "StormEvents",
    ]));
    assert_eq!(r.code, 2);
    assert_eq!(
        r.stderr,
        "quarry: Data Explorer: cannot connect to 127.0.0.1: connection refused\n"
    );
}

#[test]
fn remote_options_need_remote() {
    for args in [
        ["query", "--sample", "--timespan", "7d", "T"],
        ["query", "--sample", "--timeout", "5", "T"],
    ] {
        let r = run(quarry().args(args));
        assert_eq!(r.code, 2);
        assert_eq!(
            r.stderr,
            "quarry: --timespan and --timeout are for a remote engine: add --remote URL\n"
        );
    }
}
