//! `parse_user_agent()`: the documentation's two examples with their exact
//! output, the shapes the hunting corpus reads (browser and OS families
//! per sign-in), and the errors for a wrong `look_for`.

use crate::common;

use common::{assert_table, render};
use quarry::data::catalog::Catalog;
use quarry::kql::value::Scalar;
use quarry::kql::{RunOptions, run};
use serde_json::json;

/// The dynamic value of column `x` in the first row.
#[track_caller]
fn x_of(query: &str) -> serde_json::Value {
    let frame = run(&Catalog::new(), query, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{}", e.render(query)));
    let column = frame.column("x").expect("a column x");
    match Scalar::from_series(column.as_materialized_series(), 0) {
        Scalar::Dynamic(j) => j,
        other => panic!("x is {other:?}"),
    }
}

#[track_caller]
fn table(query: &str, expected: &str) {
    let frame = run(&Catalog::new(), query, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{}", e.render(query)));
    assert_table(query, &render(&frame), expected);
}

#[track_caller]
fn error(query: &str) -> String {
    match run(&Catalog::new(), query, &RunOptions::default()) {
        Ok(f) => panic!("{query} ran: {f:?}"),
        Err(e) => e.render(query),
    }
}

#[test]
fn documented_example_look_for_as_string() {
    let got = x_of(
        r#"print useragent = "Mozilla/5.0 (Windows; U; en-US) AppleWebKit/531.9 (KHTML, like Gecko) AdobeAIR/2.5.1"
        | extend x = parse_user_agent(useragent, "browser")"#,
    );
    let expected = json!({
      "Browser": {
        "Family": "AdobeAIR",
        "MajorVersion": "2",
        "MinorVersion": "5",
        "Patch": "1"
      }
    });
    // Key order too, as the bag prints.
    assert_eq!(got.to_string(), expected.to_string());
}

#[test]
fn documented_example_look_for_as_array() {
    let got = x_of(
        r#"print useragent = "Mozilla/5.0 (SymbianOS/9.2; U; Series60/3.1 NokiaN81-3/10.0.032 Profile/MIDP-2.0 Configuration/CLDC-1.1 ) AppleWebKit/413 (KHTML, like Gecko) Safari/4"
        | extend x = parse_user_agent(useragent, dynamic(["browser","os","device"]))"#,
    );
    let expected = json!({
      "Browser": {
        "Family": "Nokia OSS Browser",
        "MajorVersion": "3",
        "MinorVersion": "1",
        "Patch": ""
      },
      "OperatingSystem": {
        "Family": "Symbian OS",
        "MajorVersion": "9",
        "MinorVersion": "2",
        "Patch": "",
        "PatchMinor": ""
      },
      "Device": {
        "Family": "Nokia N81",
        "Brand": "Nokia",
        "Model": "N81-3"
      }
    });
    assert_eq!(got.to_string(), expected.to_string());
}

const SIGN_INS: &str = r#"let SigninLogs = datatable(UserPrincipalName:string, UserAgent:string)[
    "ann@contoso.com", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
    "bob@contoso.com", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
    "cat@contoso.com", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.77",
    "dan@contoso.com", "python-requests/2.31.0",
    "eve@contoso.com", "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15"
];
"#;

#[test]
fn sign_ins_by_browser() {
    // The shape of the corpus's SignInsByBrowser query.
    table(
        &format!(
            "{SIGN_INS}SigninLogs
            | extend ParsedAgent = parse_json(parse_user_agent(UserAgent, \"browser\"))
            | extend Browser = strcat(tostring(ParsedAgent.Browser.Family), \" \", tostring(ParsedAgent.Browser.MajorVersion), \".\", tostring(ParsedAgent.Browser.MinorVersion))
            | summarize Users = dcount(UserPrincipalName) by Browser
            | sort by Browser asc"
        ),
        r#"Browser:string | Users:long
        "Edge 120.0" | 2
        "Mobile Safari 17.1" | 1
        "Python Requests 2.31" | 1
        "Safari 17.1" | 1"#,
    );
}

#[test]
fn os_and_browser_families_by_index() {
    // The shape of the corpus's Entra ID rules: both targets in one bag.
    table(
        &format!(
            "{SIGN_INS}SigninLogs
            | extend ParsedUserAgent = parse_user_agent(UserAgent, dynamic([\"os\", \"browser\"]))
            | project UserPrincipalName,
                UserAgentOS = tostring(ParsedUserAgent[\"OperatingSystem\"][\"Family\"]),
                OSVersion = tostring(ParsedUserAgent.OperatingSystem.MajorVersion),
                Browser = tostring(ParsedUserAgent[\"Browser\"][\"Family\"]),
                Device = ParsedUserAgent.Device"
        ),
        r#"UserPrincipalName:string | UserAgentOS:string | OSVersion:string | Browser:string | Device:dynamic
        "ann@contoso.com" | "Windows" | "10" | "Edge" | null
        "bob@contoso.com" | "iOS" | "17" | "Mobile Safari" | null
        "cat@contoso.com" | "Windows" | "10" | "Edge" | null
        "dan@contoso.com" | "Other" | "" | "Python Requests" | null
        "eve@contoso.com" | "Mac OS X" | "10" | "Safari" | null"#,
    );
}

#[test]
fn look_for_per_row_and_unknown_agents() {
    table(
        r#"datatable(ua:string, what:string)[
            "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36", "device",
            "", "os"]
        | project x = parse_user_agent(ua, what)"#,
        r#"x:dynamic
        {"Device":{"Family":"K","Brand":"Generic_Android","Model":"K"}}
        {"OperatingSystem":{"Family":"Other","MajorVersion":"","MinorVersion":"","Patch":"","PatchMinor":""}}"#,
    );
}

#[test]
fn a_wrong_look_for_points_at_it() {
    assert_eq!(
        error(r#"print x = parse_user_agent("curl/8.0", "brwoser")"#),
        concat!(
            "error: parse_user_agent() looks for \"browser\", \"os\" or \"device\", not 'brwoser'\n",
            " --> line 1, column 40\n  |\n",
            "1 | print x = parse_user_agent(\"curl/8.0\", \"brwoser\")\n",
            "  |                                        ^^^^^^^^^"
        )
    );
    assert_eq!(
        error(r#"print x = parse_user_agent("curl/8.0", dynamic(["os", 1]))"#),
        concat!(
            "error: parse_user_agent() looks for \"browser\", \"os\" or \"device\", not 1\n",
            " --> line 1, column 40\n  |\n",
            "1 | print x = parse_user_agent(\"curl/8.0\", dynamic([\"os\", 1]))\n",
            "  |                                        ^^^^^^^^^^^^^^^^^^"
        )
    );
    assert_eq!(
        error(r#"print x = parse_user_agent("curl/8.0")"#),
        concat!(
            "error: parse_user_agent() takes 2 argument(s), 1 given\n",
            " --> line 1, column 11\n  |\n",
            "1 | print x = parse_user_agent(\"curl/8.0\")\n",
            "  |           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
        )
    );
}
