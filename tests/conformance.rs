//! KQL conformance: every operator, predicate and default that threat
//! hunters rely on, checked against Kusto's documented behaviour with exact
//! rows and columns (names, order, KQL types, values).
//!
//! Each case renders the result frame as a small text table: a header of
//! `name:type` cells, then one line per row. Strings are quoted (so `""` and
//! a missing value are told apart), nulls read `null`, datetimes and
//! timespans print as Kusto prints them, dynamic values as compact JSON.
//!
//! The reference is Microsoft's documentation (learn.microsoft.com/kusto);
//! where a case comes straight from a documented example, it says so.

use crate::common;
use common::{cell, render, tidy};
use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::kql::{QueryError, RunOptions};

/// 2025-03-18T12:00:00Z: the query clock of every case.
const NOW: i64 = 1_742_299_200_000_000_000;

fn options() -> RunOptions {
    RunOptions {
        now: NOW,
        plugins: quarry::hunt::plugins(),
        ..Default::default()
    }
}

fn run_in(catalog: &Catalog, query: &str) -> Result<DataFrame, QueryError> {
    quarry::kql::run(catalog, query, &options())
}

/// The rendered result of a query, or the rendered error.
fn table_in(catalog: &Catalog, query: &str) -> String {
    match run_in(catalog, query) {
        Ok(frame) => render(&frame),
        Err(e) => format!("ERROR {}", e.render(query)),
    }
}

#[track_caller]
fn check_in(catalog: &Catalog, query: &str, expected: &str) {
    common::assert_table(query, &table_in(catalog, query), expected);
}

#[track_caller]
fn check(query: &str, expected: &str) {
    check_in(&Catalog::new(), query, expected);
}

/// Like `check`, for results whose row order Kusto leaves open: the rows are
/// compared sorted (the header stays first).
#[track_caller]
fn check_rows(query: &str, expected: &str) {
    let sorted = |t: &str| {
        let mut lines: Vec<&str> = t.lines().collect();
        if lines.len() > 1 {
            lines[1..].sort_unstable();
        }
        lines.join("\n")
    };
    let got = table_in(&Catalog::new(), query);
    assert_eq!(
        sorted(&got),
        sorted(&tidy(expected)),
        "\nquery: {query}\n--- got ---\n{got}\n"
    );
}

/// The rendered error of a query that must fail.
#[track_caller]
fn error_in(catalog: &Catalog, query: &str) -> String {
    match run_in(catalog, query) {
        Ok(frame) => panic!("query should fail: {query}\n{}", render(&frame)),
        Err(e) => e.render(query),
    }
}

/// The one value of `print r = <expr>`.
fn value(expr: &str) -> String {
    let query = format!("print r = {expr}");
    match run_in(&Catalog::new(), &query) {
        Ok(frame) if frame.height() == 1 && frame.width() == 1 => {
            cell(frame.columns()[0].as_materialized_series(), 0)
        }
        Ok(frame) => format!("unexpected shape\n{}", render(&frame)),
        Err(e) => format!("ERROR {}", e.render(&query)),
    }
}

/// A table made by a query (a `datatable`), for catalogs.
fn frame(query: &str) -> DataFrame {
    match run_in(&Catalog::new(), query) {
        Ok(f) => f,
        Err(e) => panic!("{}", e.render(query)),
    }
}

/// Three small tables in the shape of Defender's, for `search` and `union`.
fn hunting_catalog() -> Catalog {
    let mut c = Catalog::new();
    let tables = [
        (
            "NetworkCommunicationEvents",
            r#"datatable(Timestamp:datetime, DeviceName:string, RemoteIP:string, RemotePort:long, InitiatingProcessCommandLine:string) [
                datetime(2025-03-18T10:00:00Z), "ws-01", "192.168.0.255", 4444, "powershell.exe -enc AAAA",
                datetime(2025-03-18T10:05:00Z), "ws-02", "192.168.10.4", 443, "chrome.exe",
                datetime(2025-03-18T10:10:00Z), "ws-01", "10.192.168.5", 80, "KustoExplorerQueryRun.exe",
            ]"#,
        ),
        (
            "ProcessEvents",
            r#"datatable(Timestamp:datetime, DeviceName:string, FileName:string, ProcessCommandLine:string) [
                datetime(2025-03-18T09:00:00Z), "ws-01", "cmd.exe", "cmd.exe /c whoami",
                datetime(2025-03-18T09:30:00Z), "WS-03", "Explorer.EXE", "C:\\Windows\\Explorer.EXE",
            ]"#,
        ),
        (
            "DeviceInfo",
            r#"datatable(DeviceName:string, OSPlatform:string, OnboardedDays:long) [
                "ws-01", "Windows10", 30,
                "ws-02", "Windows11", 2,
            ]"#,
        ),
    ];
    for (name, query) in tables {
        c.insert(Table {
            name: name.to_string(),
            frame: frame(query),
            files: vec![],
            warnings: Vec::new(),
        });
    }
    c
}

// ---------------------------------------------------------------- search

/// `search "x"` is `where * has "x"` over every table, `$table` first.
#[test]
fn search_all_tables() {
    check_in(
        &hunting_catalog(),
        r#"search "ws-01" | project $table, DeviceName, Timestamp | sort by $table asc, Timestamp asc"#,
        r#"
        $table:string | DeviceName:string | Timestamp:datetime
        "DeviceInfo" | "ws-01" | null
        "NetworkCommunicationEvents" | "ws-01" | 2025-03-18T10:00:00.0000000Z
        "NetworkCommunicationEvents" | "ws-01" | 2025-03-18T10:10:00.0000000Z
        "ProcessEvents" | "ws-01" | 2025-03-18T09:00:00.0000000Z
        "#,
    );
}

#[test]
fn search_puts_table_first() {
    check_in(
        &hunting_catalog(),
        r#"search in (DeviceInfo) "ws-02""#,
        r#"
        $table:string | DeviceName:string | OSPlatform:string | OnboardedDays:long
        "DeviceInfo" | "ws-02" | "Windows11" | 2
        "#,
    );
}

#[test]
fn search_in_named_and_wildcard_tables() {
    check_in(
        &hunting_catalog(),
        r#"search in (NetworkCommunicationEvents, Proc*) "ws-01" | project $table, Timestamp | sort by Timestamp asc"#,
        r#"
        $table:string | Timestamp:datetime
        "ProcessEvents" | 2025-03-18T09:00:00.0000000Z
        "NetworkCommunicationEvents" | 2025-03-18T10:00:00.0000000Z
        "NetworkCommunicationEvents" | 2025-03-18T10:10:00.0000000Z
        "#,
    );
}

/// Counting hits per table reads only `$table`, and gives what counting
/// the full hits gives.
#[test]
fn search_counts_per_table() {
    let c = hunting_catalog();
    for term in ["192.168.0", "4444", "nothing-matches"] {
        let fast = table_in(
            &c,
            &format!("search \"{term}\" | summarize n = count() by $table | sort by $table asc"),
        );
        let full = table_in(
            &c,
            &format!(
                "search \"{term}\" | project $table, x = 1 | summarize n = count() by $table | sort by $table asc"
            ),
        );
        assert_eq!(fast, full, "{term}");
        assert_eq!(
            fast.contains("NetworkCommunicationEvents"),
            term != "nothing-matches",
            "{fast}"
        );
        let count = table_in(&c, &format!("search \"{term}\" | count"));
        let rows = table_in(&c, &format!("search \"{term}\" | project x = 1 | count"));
        assert_eq!(count, rows, "{term}");
    }
}

/// `T | search ...` filters the piped rows; `$table` names the source table.
#[test]
fn search_piped() {
    check_in(
        &hunting_catalog(),
        r#"NetworkCommunicationEvents | search "4444""#,
        r#"
        $table:string | Timestamp:datetime | DeviceName:string | RemoteIP:string | RemotePort:long | InitiatingProcessCommandLine:string
        "NetworkCommunicationEvents" | 2025-03-18T10:00:00.0000000Z | "ws-01" | "192.168.0.255" | 4444 | "powershell.exe -enc AAAA"
        "#,
    );
}

/// Numbers and datetimes are searched as their text (terms: `18T11` is one,
/// so a bare date is not a whole-term match), a negative number with its
/// minus sign, and a term that their text cannot hold (`192.168.0`) matches
/// only text.
#[test]
fn search_numbers_and_datetimes_as_text() {
    let table = "datatable(t:datetime, n:long, s:string) [datetime(2025-03-18T11:42:07.5Z), -7, 'a', datetime(2025-03-19), 192, '192.168.0.1']";
    check(
        &format!("{table} | search \"2025-03-18T11\" | project n"),
        "n:long\n-7",
    );
    check(
        &format!("{table} | search \"2025-03-18\" | project n"),
        "n:long",
    );
    check(
        &format!("{table} | search \"-7\" | project n"),
        "n:long\n-7",
    );
    check(
        &format!("{table} | search \"192.168.0\" | project n"),
        "n:long\n192",
    );
    check(
        &format!("{table} | search \"07.5000000z\" | project n"),
        "n:long\n-7",
    );
}

/// Case-insensitive unless `kind=case_sensitive`.
#[test]
fn search_case_sensitivity() {
    let c = hunting_catalog();
    check_in(&c, r#"search "WS" | count"#, "Count:long\n7");
    check_in(
        &c,
        r#"search kind=case_insensitive "WS" | count"#,
        "Count:long\n7",
    );
    check_in(
        &c,
        r#"search kind=case_sensitive "WS" | project $table, DeviceName"#,
        r#"
        $table:string | DeviceName:string
        "ProcessEvents" | "WS-03"
        "#,
    );
}

/// The documented term forms: `x` has, `x*` hasprefix, `*x` hassuffix,
/// `*x*` contains, `a*b` matches regex `\ba.*b\b`.
#[test]
fn search_term_forms() {
    let c = hunting_catalog();
    let ports = |term: &str| {
        table_in(
            &c,
            &format!(
                r#"search in (NetworkCommunicationEvents) "{term}" | project RemotePort | sort by RemotePort asc"#
            ),
        )
    };
    // `has` is term matching: "KustoExplorerQueryRun" does not have "explorer".
    assert_eq!(ports("explorer"), "RemotePort:long");
    assert_eq!(ports("*explorer*"), "RemotePort:long\n80");
    assert_eq!(ports("kusto*"), "RemotePort:long\n80");
    assert_eq!(ports("explorer*"), "RemotePort:long");
    assert_eq!(ports("*queryrun"), "RemotePort:long\n80");
    assert_eq!(ports("*kusto"), "RemotePort:long");
    assert_eq!(ports("power*enc"), "RemotePort:long\n4444");
    // The regex form is anchored on word boundaries (`\bpower.*enc\b`).
    assert_eq!(ports("ower*enc"), "RemotePort:long");
    assert_eq!(ports("power*en"), "RemotePort:long");
    // A multi-term needle matches a contiguous run of terms.
    assert_eq!(ports("192.168.0"), "RemotePort:long\n4444");
    assert_eq!(ports("192.168"), "RemotePort:long\n80\n443\n4444");
    check_in(
        &c,
        r#"search in (ProcessEvents) "explorer" | project FileName"#,
        "FileName:string\n\"Explorer.EXE\"",
    );
}

/// `Col:"x"` restricts the term to one column; tables without the column
/// have no hits.
#[test]
fn search_column_term() {
    let c = hunting_catalog();
    check_in(
        &c,
        r#"search RemoteIP:"192.168.0" | project $table, RemoteIP"#,
        r#"
        $table:string | RemoteIP:string
        "NetworkCommunicationEvents" | "192.168.0.255"
        "#,
    );
    check_in(
        &c,
        r#"search FileName:"cmd" or OSPlatform:"Windows11" | project $table, DeviceName | sort by DeviceName asc"#,
        r#"
        $table:string | DeviceName:string
        "ProcessEvents" | "ws-01"
        "DeviceInfo" | "ws-02"
        "#,
    );
}

/// Terms combine with boolean operators and ordinary predicates.
#[test]
fn search_boolean_predicates() {
    let c = hunting_catalog();
    check_in(
        &c,
        r#"search "ws-01" and RemotePort > 100 | project $table, RemotePort"#,
        r#"
        $table:string | RemotePort:long
        "NetworkCommunicationEvents" | 4444
        "#,
    );
    check_in(
        &c,
        r#"search in (ProcessEvents) "whoami" or ("explorer" and "windows") | sort by Timestamp asc | project FileName"#,
        r#"
        FileName:string
        "cmd.exe"
        "Explorer.EXE"
        "#,
    );
}

/// Documented: `search "x"` means `where * has "x"`, which is a predicate
/// of its own.
#[test]
fn where_star_matches_any_column() {
    let c = hunting_catalog();
    check_in(
        &c,
        r#"ProcessEvents | where * has "whoami" | project FileName"#,
        "FileName:string\n\"cmd.exe\"",
    );
    check_in(
        &c,
        r#"ProcessEvents | where * contains "xplo" | project FileName"#,
        "FileName:string\n\"Explorer.EXE\"",
    );
    check_in(
        &c,
        r#"ProcessEvents | where * !has "whoami" | project FileName"#,
        "FileName:string\n\"Explorer.EXE\"",
    );
    check_in(
        &c,
        r#"NetworkCommunicationEvents | where * has "4444" | project RemotePort"#,
        "RemotePort:long\n4444",
    );
}

#[test]
fn search_star_keeps_every_row() {
    check_in(&hunting_catalog(), "search * | count", "Count:long\n7");
}

// ------------------------------------------------------- where and project

const EVENTS: &str = r#"datatable(Device:string, Port:long, Bytes:real, Seen:datetime) [
    "ws-01", 443, 1.5, datetime(2025-03-18T10:00:00Z),
    "ws-02", 4444, 2.5, datetime(2025-03-18T11:00:00Z),
    "ws-01", 80, real(null), datetime(2025-03-18T12:00:00Z),
]"#;

fn events(tail: &str) -> String {
    format!("{EVENTS}\n{tail}")
}

#[test]
fn where_and_filter() {
    let expected = r#"
        Device:string | Port:long | Bytes:real | Seen:datetime
        "ws-01" | 443 | 1.5 | 2025-03-18T10:00:00.0000000Z
        "ws-01" | 80 | null | 2025-03-18T12:00:00.0000000Z
    "#;
    check(&events(r#"| where Device == "ws-01""#), expected);
    check(&events(r#"| filter Device == "ws-01""#), expected);
    check(
        &events("| where Port > 100 and Port < 1000 | project Port"),
        "Port:long\n443",
    );
    check(
        &events("| where Port < 100 or Port > 1000 | project Port"),
        "Port:long\n4444\n80",
    );
    check(
        &events("| where not(Port == 443) | project Port"),
        "Port:long\n4444\n80",
    );
    // A null predicate drops the row: null > 2 is null.
    check(
        &events("| where Bytes > 2 | project Port"),
        "Port:long\n4444",
    );
    check(
        &events("| where Bytes < 2 | project Port"),
        "Port:long\n443",
    );
    check(
        &events("| where Seen > datetime(2025-03-18T10:30:00Z) | project Port"),
        "Port:long\n4444\n80",
    );
}

#[test]
fn project_names_and_computes() {
    check(
        &events("| project Device, Kb = Bytes * 1000, Port"),
        r#"
        Device:string | Kb:real | Port:long
        "ws-01" | 1500 | 443
        "ws-02" | 2500 | 4444
        "ws-01" | null | 80
        "#,
    );
    // An unnamed expression is Column1, Column2, ...
    check(
        &events("| take 1 | project Port + 1, Port * 2"),
        "Column1:long | Column2:long\n444 | 886",
    );
}

#[test]
fn project_away_keep_rename_reorder() {
    check(
        &events("| take 1 | project-away Bytes, Seen"),
        "Device:string | Port:long\n\"ws-01\" | 443",
    );
    check(&events("| take 1 | project-away *e*"), "Port:long\n443");
    // project-keep keeps the table's column order, not the list's.
    check(
        &events("| take 1 | project-keep Seen, D*"),
        "Device:string | Seen:datetime\n\"ws-01\" | 2025-03-18T10:00:00.0000000Z",
    );
    check(
        &events("| take 1 | project-rename Host = Device, P = Port"),
        "Host:string | P:long | Bytes:real | Seen:datetime\n\"ws-01\" | 443 | 1.5 | 2025-03-18T10:00:00.0000000Z",
    );
    // Documented: `print a='a', b='b', c='c' | project-reorder b` is b, a, c.
    check(
        "print a='a', b='b', c='c' | project-reorder b",
        "b:string | a:string | c:string\n\"b\" | \"a\" | \"c\"",
    );
    check(
        &events("| take 1 | project-reorder Seen, Port"),
        "Seen:datetime | Port:long | Device:string | Bytes:real\n2025-03-18T10:00:00.0000000Z | 443 | \"ws-01\" | 1.5",
    );
}

/// Documented: `print b = 'b', a2='a2', a3='a3', a1='a1' | project-reorder a* asc`
/// orders the matched columns by name.
#[test]
fn project_reorder_wildcard_ordering() {
    check(
        "print b = 'b', a2='a2', a3='a3', a1='a1' | project-reorder a* asc",
        "a1:string | a2:string | a3:string | b:string\n\"a1\" | \"a2\" | \"a3\" | \"b\"",
    );
}

/// Documented: an existing column named by `extend` is removed and appended
/// with its new value; later items see earlier ones.
#[test]
fn extend_adds_and_replaces() {
    check(
        &events("| take 2 | extend Port = Port + 1, Big = Port > 1000"),
        r#"
        Device:string | Bytes:real | Seen:datetime | Port:long | Big:bool
        "ws-01" | 1.5 | 2025-03-18T10:00:00.0000000Z | 444 | false
        "ws-02" | 2.5 | 2025-03-18T11:00:00.0000000Z | 4445 | true
        "#,
    );
    check(
        "print x = 1, y = 2 | extend x = 3",
        "y:long | x:long\n2 | 3",
    );
    check("print x = 1 | extend x = 2", "x:long\n2");
    check(
        "print x = 1 | extend x * 2, y = 3",
        "x:long | Column1:long | y:long\n1 | 2 | 3",
    );
}

// ---------------------------------------------------------------- summarize

const LOGONS: &str = r#"datatable(Account:string, Device:string, Failed:long, Time:datetime) [
    "alice", "ws-01", 1, datetime(2025-03-18T10:05:00Z),
    "alice", "ws-02", 0, datetime(2025-03-18T10:50:00Z),
    "bob", "ws-01", 3, datetime(2025-03-18T11:10:00Z),
    "alice", "ws-01", long(null), datetime(2025-03-18T11:20:00Z),
    "carol", "ws-03", 2, datetime(2025-03-18T11:59:59Z),
]"#;

fn logons(tail: &str) -> String {
    format!("{LOGONS}\n{tail}")
}

#[test]
fn summarize_default_names() {
    check_rows(
        &logons(
            "| summarize count(), sum(Failed), max(Failed), min(Time), avg(Failed), make_set(Device), dcount(Device) by Account",
        ),
        r#"
        Account:string | count_:long | sum_Failed:long | max_Failed:long | min_Time:datetime | avg_Failed:real | set_Device:dynamic | dcount_Device:long
        "alice" | 3 | 1 | 1 | 2025-03-18T10:05:00.0000000Z | 0.5 | ["ws-01","ws-02"] | 2
        "bob" | 1 | 3 | 3 | 2025-03-18T11:10:00.0000000Z | 3 | ["ws-01"] | 1
        "carol" | 1 | 2 | 2 | 2025-03-18T11:59:59.0000000Z | 2 | ["ws-03"] | 1
        "#,
    );
}

#[test]
fn summarize_explicit_names_and_duplicates() {
    check(
        &logons(
            "| summarize Logons = count(), count(), count() by Who = Account | where Who == 'bob'",
        ),
        "Who:string | Logons:long | count_:long | count_1:long\n\"bob\" | 1 | 1 | 1",
    );
    check(
        &logons("| summarize max(Failed), max(Failed)"),
        "max_Failed:long | max_Failed1:long\n3 | 3",
    );
}

/// `by` expressions, `bin()` named after its column.
#[test]
fn summarize_by_expressions_and_bin() {
    check(
        &logons("| summarize n = count() by bin(Time, 1h) | sort by Time asc"),
        r#"
        Time:datetime | n:long
        2025-03-18T10:00:00.0000000Z | 2
        2025-03-18T11:00:00.0000000Z | 3
        "#,
    );
    check(
        &logons("| summarize n = count() by Bucket = Failed % 2 | sort by Bucket asc"),
        r#"
        Bucket:long | n:long
        null | 1
        0 | 2
        1 | 2
        "#,
    );
    check(
        &logons("| summarize n = count() by Account, Device | where n > 1"),
        "Account:string | Device:string | n:long\n\"alice\" | \"ws-01\" | 2",
    );
}

/// Documented: without `by`, an empty input gives one row; count, sum and
/// dcount are 0, make_set and make_list `[]`, avg NaN (summarize-operator.md
/// prints it: "dividing by 0"), the others null. With `by`, no rows.
#[test]
fn summarize_on_empty_input() {
    check(
        &logons(
            "| where Account == 'nobody' | summarize count(), sum(Failed), dcount(Device), make_set(Device), make_list(Failed), max(Failed), avg(Failed), countif(Failed > 1)",
        ),
        r#"
        count_:long | sum_Failed:long | dcount_Device:long | set_Device:dynamic | list_Failed:dynamic | max_Failed:long | avg_Failed:real | countif_:long
        0 | 0 | 0 | [] | [] | null | NaN | 0
        "#,
    );
    check(
        &logons("| where Account == 'nobody' | summarize count() by Account"),
        "Account:string | count_:long",
    );
}

/// Kusto sums ints as longs: a total past 2^31 neither wraps nor fails.
#[test]
fn sum_of_ints_is_a_long() {
    check(
        "datatable(n:int) [2000000000, 2000000000, int(null)] | summarize sum(n), sumif(n, n > 0), max(n)",
        r#"
        sum_n:long | sumif_n:long | max_n:int
        4000000000 | 4000000000 | 2000000000
        "#,
    );
}

/// Documented: null values are ignored by aggregations.
#[test]
fn aggregates_skip_nulls() {
    check(
        &logons(
            "| where Account == 'alice' | summarize count(), sum(Failed), avg(Failed), min(Failed), make_list(Failed), make_set(Failed), dcount(Failed)",
        ),
        r#"
        count_:long | sum_Failed:long | avg_Failed:real | min_Failed:long | list_Failed:dynamic | set_Failed:dynamic | dcount_Failed:long
        3 | 1 | 0.5 | 0 | [1,0] | [1,0] | 2
        "#,
    );
}

#[test]
fn conditional_aggregates() {
    check(
        &logons(
            "| summarize countif(Failed > 0), dcountif(Device, Failed > 0), sumif(Failed, Device == 'ws-01'), avgif(Failed, Device == 'ws-01'), Bad = make_set_if(Device, Failed > 0), L = make_list_if(Failed, Account == 'alice')",
        ),
        r#"
        countif_:long | dcountif_Device:long | sumif_Failed:long | avgif_Failed:real | Bad:dynamic | L:dynamic
        3 | 2 | 4 | 2 | ["ws-01","ws-03"] | [1,0]
        "#,
    );
}

#[test]
fn make_bag_and_take_any() {
    check(
        r#"datatable(k:string, v:dynamic) ["a", dynamic({"x": 1}), "a", dynamic({"y": 2}), "a", dynamic(null), "a", dynamic([1])]
        | summarize Bag = make_bag(v) by k"#,
        r#"k:string | Bag:dynamic
        "a" | {"x":1,"y":2}"#,
    );
    // Documented: given one column, take_any returns a non-null, non-empty
    // value when there is one; the column keeps its name.
    check(
        r#"datatable(k:string, s:string, n:long) ["a", "", long(null), "a", "x", 5]
        | summarize take_any(s), take_any(n) by k"#,
        "k:string | s:string | n:long\n\"a\" | \"x\" | 5",
    );
    // take_any(*): every column but the group keys, from one row.
    check(
        r#"datatable(k:string, s:string, n:long) ["a", "x", 5, "b", "y", 6]
        | summarize take_any(*) by k"#,
        "k:string | s:string | n:long\n\"a\" | \"x\" | 5\n\"b\" | \"y\" | 6",
    );
}

#[test]
fn arg_min_and_arg_max() {
    check_rows(
        &logons("| summarize arg_max(Time, Device) by Account"),
        r#"
        Account:string | Time:datetime | Device:string
        "alice" | 2025-03-18T11:20:00.0000000Z | "ws-01"
        "bob" | 2025-03-18T11:10:00.0000000Z | "ws-01"
        "carol" | 2025-03-18T11:59:59.0000000Z | "ws-03"
        "#,
    );
    check_rows(
        &logons("| summarize arg_min(Time, *) by Account"),
        r#"
        Account:string | Time:datetime | Device:string | Failed:long
        "alice" | 2025-03-18T10:05:00.0000000Z | "ws-01" | 1
        "bob" | 2025-03-18T11:10:00.0000000Z | "ws-01" | 3
        "carol" | 2025-03-18T11:59:59.0000000Z | "ws-03" | 2
        "#,
    );
    // `Name = arg_min(Time, *)` renames only the first column: the output
    // has First and no Time.
    check_rows(
        &logons("| summarize First = arg_min(Time, *) by Account | where Account == 'alice'"),
        "Account:string | First:datetime | Device:string | Failed:long\n\"alice\" | 2025-03-18T10:05:00.0000000Z | \"ws-01\" | 1",
    );
    check_rows(
        &logons(
            "| summarize Last = arg_max(Time, Device, Failed) by Account | where Account == 'bob'",
        ),
        "Account:string | Last:datetime | Device:string | Failed:long\n\"bob\" | 2025-03-18T11:10:00.0000000Z | \"ws-01\" | 3",
    );
}

/// Documented: rows whose ExprToMaximize is null are ignored, unless it is
/// null for the whole group; then one row of the group is picked.
#[test]
fn arg_max_null_handling() {
    check_rows(
        r#"datatable(Fruit: string, Color: string, Version: int) [
            "Apple", "Red", 1,
            "Apple", "Green", int(null),
            "Banana", "Yellow", int(null),
            "Banana", "Green", int(null),
            "Pear", "Brown", 1,
            "Pear", "Green", 2,
        ]
        | summarize arg_max(Version, *) by Fruit"#,
        r#"
        Fruit:string | Version:int | Color:string
        "Apple" | 1 | "Red"
        "Banana" | null | "Yellow"
        "Pear" | 2 | "Green"
        "#,
    );
}

/// make_list and make_set nest dynamic values as JSON and keep datetimes as
/// datetimes; an array's elements join the list (geo-h3cell-rings-function.md
/// prints `make_list` of arrays as one flat array).
#[test]
fn make_list_of_dynamic_and_datetime_values() {
    check(
        r#"datatable(d:dynamic, t:datetime) [dynamic([1, 2]), datetime(2025-01-01), dynamic({"a": "x"}), datetime(2025-01-01)]
        | summarize make_list(d), make_set(t)"#,
        r#"list_d:dynamic | set_t:dynamic
        [1,2,{"a":"x"}] | ["2025-01-01T00:00:00.0000000Z"]"#,
    );
}

/// Documented (make_set, "Set from array column"): the set of an array
/// column is the set of the arrays' elements.
#[test]
fn make_set_flattens_arrays() {
    check(
        r#"datatable (Val: int, Arr1: dynamic) [
            1, dynamic(['A1', 'A2', 'A3']),
            5, dynamic(['A2', 'C1']),
            7, dynamic(['C2', 'A3']),
            5, dynamic(['C2', 'A1'])
        ]
        | summarize Val_set = make_set(Val), Arr1_set = make_set(Arr1)"#,
        r#"Val_set:dynamic | Arr1_set:dynamic
        [1,5,7] | ["A1","A2","A3","C1","C2"]"#,
    );
}

/// The mean of timespans and datetimes keeps their type.
#[test]
fn avg_of_times() {
    check(
        "datatable(t:timespan, d:datetime) [1h, datetime(2025-01-01), 2h, datetime(2025-01-03)] | summarize avg(t), avg(d), sum(t), min(t), max(d)",
        "avg_t:timespan | avg_d:datetime | sum_t:timespan | min_t:timespan | max_d:datetime\n01:30:00 | 2025-01-02T00:00:00.0000000Z | 03:00:00 | 01:00:00 | 2025-01-03T00:00:00.0000000Z",
    );
}

/// `count` outputs `Count`; `distinct` keeps the first of each.
#[test]
fn count_and_distinct() {
    check(&logons("| count"), "Count:long\n5");
    check(&logons("| where Account == 'x' | count"), "Count:long\n0");
    check_rows(
        &logons("| distinct Account, Device"),
        r#"
        Account:string | Device:string
        "alice" | "ws-01"
        "alice" | "ws-02"
        "bob" | "ws-01"
        "carol" | "ws-03"
        "#,
    );
    check(
        r#"datatable(a:long, b:string) [1, "x", 1, "x", 2, "y"] | distinct *"#,
        "a:long | b:string\n1 | \"x\"\n2 | \"y\"",
    );
}

// ------------------------------------------------------ sort, top and take

const NUMBERS: &str = "datatable(x:long, s:string) [2, 'b', long(null), 'n', 3, 'c', 1, 'a']";

fn numbers(tail: &str) -> String {
    format!("{NUMBERS} {tail}")
}

/// Documented: descending by default; nulls last when descending and first
/// when ascending, unless `nulls first|last` says otherwise.
#[test]
fn sort_directions_and_nulls() {
    let xs = |tail: &str| table_in(&Catalog::new(), &numbers(&format!("{tail} | project x")));
    assert_eq!(xs("| sort by x"), "x:long\n3\n2\n1\nnull");
    assert_eq!(xs("| order by x"), "x:long\n3\n2\n1\nnull");
    assert_eq!(xs("| sort by x desc"), "x:long\n3\n2\n1\nnull");
    assert_eq!(xs("| sort by x asc"), "x:long\nnull\n1\n2\n3");
    assert_eq!(xs("| sort by x asc nulls last"), "x:long\n1\n2\n3\nnull");
    assert_eq!(xs("| sort by x desc nulls first"), "x:long\nnull\n3\n2\n1");
    assert_eq!(xs("| order by x nulls first"), "x:long\nnull\n3\n2\n1");
}

/// Documented: null and NaN stay together at the nulls end, null outermost.
#[test]
fn sort_places_nan_next_to_null() {
    let reals = "datatable(x:real) [5, real(null), -5, real(+inf), 0, real(nan), real(-inf)]";
    let xs = |tail: &str| table_in(&Catalog::new(), &format!("{reals} {tail}"));
    assert_eq!(
        xs("| sort by x asc nulls first"),
        "x:real\nnull\nNaN\n-Infinity\n-5\n0\n5\nInfinity"
    );
    assert_eq!(
        xs("| sort by x desc nulls first"),
        "x:real\nnull\nNaN\nInfinity\n5\n0\n-5\n-Infinity"
    );
    assert_eq!(
        xs("| sort by x asc nulls last"),
        "x:real\n-Infinity\n-5\n0\n5\nInfinity\nNaN\nnull"
    );
    assert_eq!(
        xs("| sort by x desc nulls last"),
        "x:real\nInfinity\n5\n0\n-5\n-Infinity\nNaN\nnull"
    );
    assert_eq!(
        xs("| sort by x"),
        "x:real\nInfinity\n5\n0\n-5\n-Infinity\nNaN\nnull"
    );
}

#[test]
fn sort_by_several_keys_and_expressions() {
    check(
        r#"datatable(a:string, b:long) ["x", 1, "y", 2, "x", 3, "y", 1]
        | sort by a asc, b desc"#,
        "a:string | b:long\n\"x\" | 3\n\"x\" | 1\n\"y\" | 2\n\"y\" | 1",
    );
    check(
        r#"datatable(a:long) [1, -3, 2] | sort by abs(a) asc"#,
        "a:long\n1\n2\n-3",
    );
}

/// `sort | take n` (run as `top n`) keeps ties in their input order, like
/// a full sort followed by `take`.
#[test]
fn sort_then_take_keeps_ties_in_order() {
    let table = "datatable(k:string, n:long) ['b', 1, 'a', 2, 'b', 3, 'a', 4, 'c', 5]";
    check(
        &format!("{table} | sort by k asc | take 3"),
        "k:string | n:long\n\"a\" | 2\n\"a\" | 4\n\"b\" | 1",
    );
    check(
        &format!("{table} | sort by k asc | take 3 | take 2"),
        "k:string | n:long\n\"a\" | 2\n\"a\" | 4",
    );
}

#[test]
fn top_defaults_to_descending() {
    check(
        &numbers("| top 2 by x"),
        "x:long | s:string\n3 | \"c\"\n2 | \"b\"",
    );
    check(
        &numbers("| top 2 by x asc"),
        "x:long | s:string\nnull | \"n\"\n1 | \"a\"",
    );
    check(
        &numbers("| top 2 by x asc nulls last"),
        "x:long | s:string\n1 | \"a\"\n2 | \"b\"",
    );
    check(
        &numbers("| top 10 by x desc nulls first | project x"),
        "x:long\nnull\n3\n2\n1",
    );
}

#[test]
fn take_and_limit() {
    check(&numbers("| take 2 | project x"), "x:long\n2\nnull");
    check(&numbers("| limit 1 | project x"), "x:long\n2");
    check(&numbers("| take 0 | project x"), "x:long");
    check(&numbers("| take 100 | count"), "Count:long\n4");
}

// --------------------------------------------------------------- join

/// The tables of the join documentation's examples.
const X_Y: &str = r#"let X = datatable(Key:string, Value1:long) ['a', 1, 'b', 2, 'b', 3, 'c', 4];
let Y = datatable(Key:string, Value2:long) ['b', 10, 'c', 20, 'c', 30, 'd', 40];
"#;

fn xy(body: &str) -> String {
    format!("{X_Y}{body}")
}

/// Documented: the default is innerunique, which keeps one left row per key;
/// the right key column is kept, renamed `Key1`.
#[test]
fn join_innerunique_is_the_default() {
    let expected = r#"
        Key:string | Value1:long | Key1:string | Value2:long
        "b" | 2 | "b" | 10
        "c" | 4 | "c" | 20
        "c" | 4 | "c" | 30
    "#;
    check_rows(&xy("X | join Y on Key"), expected);
    check_rows(&xy("X | join kind=innerunique Y on Key"), expected);
    check_rows(&xy("X | join kind=innerunique (Y) on Key"), expected);
}

#[test]
fn join_inner() {
    check_rows(
        &xy("X | join kind=inner Y on Key"),
        r#"
        Key:string | Value1:long | Key1:string | Value2:long
        "b" | 2 | "b" | 10
        "b" | 3 | "b" | 10
        "c" | 4 | "c" | 20
        "c" | 4 | "c" | 30
        "#,
    );
}

/// Unmatched cells are null; strings read "" (Kusto strings are never null).
#[test]
fn join_outer_flavours() {
    check_rows(
        &xy("X | join kind=leftouter Y on Key"),
        r#"
        Key:string | Value1:long | Key1:string | Value2:long
        "a" | 1 | "" | null
        "b" | 2 | "b" | 10
        "b" | 3 | "b" | 10
        "c" | 4 | "c" | 20
        "c" | 4 | "c" | 30
        "#,
    );
    check_rows(
        &xy("X | join kind=rightouter Y on Key"),
        r#"
        Key:string | Value1:long | Key1:string | Value2:long
        "b" | 2 | "b" | 10
        "b" | 3 | "b" | 10
        "c" | 4 | "c" | 20
        "c" | 4 | "c" | 30
        "" | null | "d" | 40
        "#,
    );
    check_rows(
        &xy("X | join kind=fullouter Y on Key"),
        r#"
        Key:string | Value1:long | Key1:string | Value2:long
        "a" | 1 | "" | null
        "b" | 2 | "b" | 10
        "b" | 3 | "b" | 10
        "c" | 4 | "c" | 20
        "c" | 4 | "c" | 30
        "" | null | "d" | 40
        "#,
    );
}

/// Semi and anti joins keep one side's columns.
#[test]
fn join_semi_and_anti() {
    check_rows(
        &xy("X | join kind=leftsemi Y on Key"),
        "Key:string | Value1:long\n\"b\" | 2\n\"b\" | 3\n\"c\" | 4",
    );
    check_rows(
        &xy("X | join kind=leftanti Y on Key"),
        "Key:string | Value1:long\n\"a\" | 1",
    );
    check_rows(
        &xy("X | join kind=rightsemi Y on Key"),
        "Key:string | Value2:long\n\"b\" | 10\n\"c\" | 20\n\"c\" | 30",
    );
    check_rows(
        &xy("X | join kind=rightanti Y on Key"),
        "Key:string | Value2:long\n\"d\" | 40",
    );
}

/// `$left.a == $right.b`: both key columns stay, each under its own name.
#[test]
fn join_on_left_right_pairs() {
    check_rows(
        r#"let L = datatable(Host:string, Ip:string) ['ws-01', '10.0.0.1', 'ws-02', '10.0.0.2'];
        let R = datatable(RemoteIP:string, Port:long) ['10.0.0.2', 443, '10.0.0.9', 80];
        L | join kind=inner R on $left.Ip == $right.RemoteIP"#,
        "Host:string | Ip:string | RemoteIP:string | Port:long\n\"ws-02\" | \"10.0.0.2\" | \"10.0.0.2\" | 443",
    );
    // Several keys, and a clash of a non-key column.
    check_rows(
        r#"let L = datatable(A:string, B:long, V:string) ['x', 1, 'l1', 'x', 2, 'l2'];
        let R = datatable(A:string, B:long, V:string) ['x', 2, 'r2', 'x', 3, 'r3'];
        L | join kind=inner R on A, $left.B == $right.B"#,
        "A:string | B:long | V:string | A1:string | B1:long | V1:string\n\"x\" | 2 | \"l2\" | \"x\" | 2 | \"r2\"",
    );
}

// --------------------------------------------------------------- lookup

/// Documented: lookup defaults to leftouter and does not repeat the key
/// columns of the right side.
#[test]
fn lookup_extends_facts() {
    let fact = r#"let FactTable=datatable(Row:string,Personal:string,Family:string) [
        "1", "Bill", "Gates",
        "2", "Bill", "Clinton",
        "3", "Bill", "Clinton",
        "4", "Steve", "Ballmer",
        "5", "Tim", "Cook",
        "6", "Satya", "Nadella"
    ];
    let DimTable=datatable(Personal:string,Family:string,Alias:string) [
        "Bill", "Gates", "billg",
        "Bill", "Clinton", "billc",
        "Steve", "Ballmer", "steveb",
        "Tim", "Cook", "timc"
    ];
    "#;
    check_rows(
        &format!("{fact}FactTable | lookup kind=leftouter DimTable on Personal, Family"),
        r#"
        Row:string | Personal:string | Family:string | Alias:string
        "1" | "Bill" | "Gates" | "billg"
        "2" | "Bill" | "Clinton" | "billc"
        "3" | "Bill" | "Clinton" | "billc"
        "4" | "Steve" | "Ballmer" | "steveb"
        "5" | "Tim" | "Cook" | "timc"
        "6" | "Satya" | "Nadella" | ""
        "#,
    );
    check_rows(
        &format!("{fact}FactTable | lookup (DimTable) on Personal, Family | where Row == '6'"),
        "Row:string | Personal:string | Family:string | Alias:string\n\"6\" | \"Satya\" | \"Nadella\" | \"\"",
    );
    check_rows(
        &format!("{fact}FactTable | lookup kind=inner DimTable on Personal, Family | count"),
        "Count:long\n5",
    );
}

#[test]
fn lookup_on_left_right_pairs() {
    check_rows(
        &xy("X | lookup (Y | project K = Key, Value2) on $left.Key == $right.K"),
        r#"
        Key:string | Value1:long | Value2:long
        "a" | 1 | null
        "b" | 2 | 10
        "b" | 3 | 10
        "c" | 4 | 20
        "c" | 4 | 30
        "#,
    );
}

// --------------------------------------------------------------- union

/// Documented: `kind=outer` (the default) has every column of every input;
/// cells an input lacks are null ("" for strings).
#[test]
fn union_outer_is_the_default() {
    check_rows(
        "union (datatable(a:long, b:string) [1, 'x']), (datatable(b:string, c:real) ['y', 2.5])",
        "a:long | b:string | c:real\n1 | \"x\" | null\nnull | \"y\" | 2.5",
    );
    check_rows(
        "union kind=outer (print a = 1), (print b = 'z')",
        "a:long | b:string\n1 | \"\"\nnull | \"z\"",
    );
}

#[test]
fn union_inner_keeps_common_columns() {
    check_rows(
        "union kind=inner (datatable(a:long, b:string) [1, 'x']), (datatable(b:string, c:real) ['y', 2.5])",
        "b:string\n\"x\"\n\"y\"",
    );
}

/// Documented: a column with different types in different inputs becomes
/// one column per type, suffixed `_` and the type.
#[test]
fn union_splits_columns_by_type() {
    check_rows(
        "union (print a = 1), (print a = 'one')",
        "a_long:long | a_string:string\n1 | \"\"\nnull | \"one\"",
    );
}

#[test]
fn union_tables_wildcards_and_withsource() {
    let c = hunting_catalog();
    check_in(
        &c,
        "union withsource=Source DeviceInfo, Proc* | summarize n = count() by Source | sort by Source asc",
        "Source:string | n:long\n\"DeviceInfo\" | 2\n\"ProcessEvents\" | 2",
    );
    check_in(
        &c,
        "union withsource=T *Events | summarize n = count() by T | sort by T asc",
        "T:string | n:long\n\"NetworkCommunicationEvents\" | 3\n\"ProcessEvents\" | 2",
    );
    // withsource puts its column first.
    check_in(
        &c,
        "union withsource=T DeviceInfo | take 1",
        "T:string | DeviceName:string | OSPlatform:string | OnboardedDays:long\n\"DeviceInfo\" | \"ws-01\" | \"Windows10\" | 30",
    );
    // Piped: the input is one of the legs.
    check_in(
        &c,
        "DeviceInfo | union ProcessEvents | count",
        "Count:long\n4",
    );
}

// --------------------------------------------------------------- mv-expand

/// Documented: each element becomes a row; an empty array gives no row, a
/// null gives one row with null; the column stays dynamic.
#[test]
fn mv_expand_arrays() {
    check(
        "datatable (a: int, b: dynamic) [1, dynamic([10, 20]), 2, dynamic(['a', 'b'])] | mv-expand b",
        "a:int | b:dynamic\n1 | 10\n1 | 20\n2 | \"a\"\n2 | \"b\"",
    );
    check(
        "datatable (a: int, b: dynamic) [1, dynamic([10]), 2, dynamic([]), 3, dynamic(null)] | mv-expand b",
        "a:int | b:dynamic\n1 | 10\n3 | null",
    );
}

#[test]
fn mv_expand_bags() {
    let bags = r#"datatable (a: int, b: dynamic) [1, dynamic({"prop1": "a1", "prop2": "b1"})]"#;
    check(
        &format!("{bags} | mv-expand b"),
        "a:int | b:dynamic\n1 | {\"prop1\":\"a1\"}\n1 | {\"prop2\":\"b1\"}",
    );
    check(
        &format!("{bags} | mv-expand bagexpansion=array b"),
        "a:int | b:dynamic\n1 | [\"prop1\",\"a1\"]\n1 | [\"prop2\",\"b1\"]",
    );
    check(
        &format!("{bags} | mv-expand kind=array b | extend key = b[0], val = b[1]"),
        "a:int | b:dynamic | key:dynamic | val:dynamic\n1 | [\"prop1\",\"a1\"] | \"prop1\" | \"a1\"\n1 | [\"prop2\",\"b1\"] | \"prop2\" | \"b1\"",
    );
}

/// Documented: several columns expand in parallel (zipped), missing values
/// null; `to typeof()` types the column; `with_itemindex` numbers the items.
#[test]
fn mv_expand_zip_types_and_index() {
    check(
        r#"datatable (a: int, b: dynamic, c: dynamic) [1, dynamic({"prop1": "a", "prop2": "b"}), dynamic([5, 4, 3])] | mv-expand b, c"#,
        "a:int | b:dynamic | c:dynamic\n1 | {\"prop1\":\"a\"} | 5\n1 | {\"prop2\":\"b\"} | 4\n1 | null | 3",
    );
    check(
        r#"datatable (a: string, b: dynamic, c: dynamic) ["Constant", dynamic([1, 2, 3, 4]), dynamic([6, 7, 8, 9])]
        | mv-expand b, c to typeof(int) | getschema | project ColumnName, ColumnType"#,
        "ColumnName:string | ColumnType:string\n\"a\" | \"string\"\n\"b\" | \"dynamic\"\n\"c\" | \"int\"",
    );
    check(
        "range x from 1 to 4 step 1 | summarize x = make_list(x) | mv-expand with_itemindex=Index x to typeof(long)",
        "x:long | Index:long\n1 | 0\n2 | 1\n3 | 2\n4 | 3",
    );
    check(
        "print d = dynamic([1, 2, 3]) | mv-expand d limit 2",
        "d:dynamic\n1\n2",
    );
    check(
        "print d = dynamic(['x', 1]) | mv-expand n = d to typeof(long)",
        "d:dynamic | n:long\n[\"x\",1] | null\n[\"x\",1] | 1",
    );
}

// ------------------------------------------- let, invoke and query sources

#[test]
fn let_scalars_and_tables() {
    check(
        "let n = 2; let T = datatable(a:long) [1, 2, 3]; T | where a >= n",
        "a:long\n2\n3",
    );
    check(
        "let since = ago(1h); let T = datatable(t:datetime) [datetime(2025-03-18T11:30:00Z), datetime(2025-03-18T10:00:00Z)]; T | where t > since",
        "t:datetime\n2025-03-18T11:30:00.0000000Z",
    );
    // A tabular let can be a pipeline.
    check(
        "let T = range i from 1 to 5 step 1 | where i % 2 == 0; T | count",
        "Count:long\n2",
    );
}

/// Functions with default parameters and tabular parameters, called
/// directly and with `invoke`.
#[test]
fn let_functions_and_invoke() {
    check(
        "let add = (x:long, y:long = 10) { x + y }; print a = add(1), b = add(1, 2)",
        "a:long | b:long\n11 | 3",
    );
    check(
        "let big = (T:(a:long), limit:long = 1) { T | where a > limit }; datatable(a:long) [1, 2, 3] | invoke big()",
        "a:long\n2\n3",
    );
    check(
        "let big = (T:(a:long), limit:long = 1) { T | where a > limit }; datatable(a:long) [1, 2, 3] | invoke big(2)",
        "a:long\n3",
    );
    check(
        "let rows = (T:(*)) { T | count }; rows(datatable(a:long) [1, 2])",
        "Count:long\n2",
    );
    check(
        "let scaled = (T:(*), k:long) { T | extend b = a * k }; let D = datatable(a:long) [1, 2]; scaled(D, 3)",
        "a:long | b:long\n1 | 3\n2 | 6",
    );
    // A function body can have its own lets.
    check(
        "let f = (x:long) { let y = x * 2; y + 1 }; print r = f(5)",
        "r:long\n11",
    );
}

#[test]
fn datatable_types() {
    check(
        r#"datatable(b:bool, i:int, l:long, r:real, d:datetime, t:timespan, s:string, y:dynamic)
        [true, 1, 2, 2.5, datetime(2025-01-02 03:04:05), 1h, "x", dynamic({"k": [1]})]"#,
        r#"
        b:bool | i:int | l:long | r:real | d:datetime | t:timespan | s:string | y:dynamic
        true | 1 | 2 | 2.5 | 2025-01-02T03:04:05.0000000Z | 01:00:00 | "x" | {"k":[1]}
        "#,
    );
    check("datatable(a:long, b:string) []", "a:long | b:string");
}

/// Documented: unnamed print columns are print_0, print_1, ...
#[test]
fn print_names() {
    check(
        "print 1, 'a', x = 2.5",
        "print_0:long | print_1:string | x:real\n1 | \"a\" | 2.5",
    );
}

#[test]
fn range_numbers_and_times() {
    check("range x from 1 to 5 step 2", "x:long\n1\n3\n5");
    check("range x from 3 to 1 step -1", "x:long\n3\n2\n1");
    check(
        "range t from datetime(2025-03-18) to datetime(2025-03-18T02:00:00Z) step 1h",
        "t:datetime\n2025-03-18T00:00:00.0000000Z\n2025-03-18T01:00:00.0000000Z\n2025-03-18T02:00:00.0000000Z",
    );
}

/// Documented: `as` binds a name usable later in the query (the right side
/// of a join, a union leg) and names the rows in `withsource=`.
#[test]
fn as_binds_a_name() {
    check(
        "range x from 1 to 3 step 1 | as T | where x > 1 | join kind=inner (T | where x < 3) on x",
        "x:long | x1:long\n2 | 2",
    );
    check_rows(
        "range x from 1 to 2 step 1 | as T1 | union withsource=TableName (range x from 1 to 2 step 1 | as T2)",
        "TableName:string | x:long\n\"T1\" | 1\n\"T1\" | 2\n\"T2\" | 1\n\"T2\" | 2",
    );
}

#[test]
fn as_serialize_and_render_pass_rows_through() {
    check(
        "range x from 1 to 2 step 1 | as T | serialize | render timechart",
        "x:long\n1\n2",
    );
    check(
        "range x from 1 to 2 step 1 | serialize y = x * 10",
        "x:long | y:long\n1 | 10\n2 | 20",
    );
}

/// Documented output: ColumnName, ColumnOrdinal, DataType, ColumnType.
#[test]
fn getschema_describes_columns() {
    check(
        "datatable(s:string, i:int, l:long, r:real, d:datetime, t:timespan, y:dynamic) [] | getschema",
        r#"
        ColumnName:string | ColumnOrdinal:int | DataType:string | ColumnType:string
        "s" | 0 | "System.String" | "string"
        "i" | 1 | "System.Int32" | "int"
        "l" | 2 | "System.Int64" | "long"
        "r" | 3 | "System.Double" | "real"
        "d" | 4 | "System.DateTime" | "datetime"
        "t" | 5 | "System.TimeSpan" | "timespan"
        "y" | 6 | "System.Object" | "dynamic"
        "#,
    );
}

/// Documented (parse operator): `*` skips text, typed columns convert.
#[test]
fn parse_extracts_columns() {
    check(
        r#"datatable(EventText:string) ["Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=23, lockTime=02/17/2016 08:40:01, releaseTime=02/17/2016 08:40:01, previousLockTime=02/17/2016 08:39:01)"]
        | parse EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices:long * "sliceNumber=" sliceNumber:long * "lockTime=" lockTime ", releaseTime=" releaseTime:date "," * "previousLockTime=" previousLockTime:date ")" *
        | project resourceName, totalSlices, sliceNumber, lockTime, releaseTime, previousLockTime"#,
        r#"
        resourceName:string | totalSlices:long | sliceNumber:long | lockTime:string | releaseTime:datetime | previousLockTime:datetime
        "PipelineScheduler" | 27 | 23 | "02/17/2016 08:40:01" | 2016-02-17T08:40:01.0000000Z | 2016-02-17T08:39:01.0000000Z
        "#,
    );
    // A row that does not match gets empty strings and nulls.
    check(
        r#"datatable(s:string) ["user=alice id=7", "nothing"] | parse s with "user=" User " id=" Id:long"#,
        "s:string | User:string | Id:long\n\"user=alice id=7\" | \"alice\" | 7\n\"nothing\" | \"\" | null",
    );
    check(
        r#"print s = "ab12cd" | parse kind=regex s with "[a-z]+" n:long "[a-z]+" | project n"#,
        "n:long\n12",
    );
}

/// Documented (parse, relaxed): a value that is not of its column's type is
/// null, and the other columns are still extracted.
#[test]
fn parse_relaxed() {
    check(
        r#"datatable(EventText:string) [
            "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=27, sliceNumber=15, lockTime=02/17/2016 08:40:00, releaseTime=nonValidDateTime, previousLockTime=02/17/2016 08:39:00)",
            "Event: NotifySliceRelease (resourceName=PipelineScheduler, totalSlices=nonValidLongValue, sliceNumber=20, lockTime=02/17/2016 08:40:01, releaseTime=nonValidDateTime 08:40:01, previousLockTime=02/17/2016 08:39:01)",
        ]
        | parse kind=relaxed EventText with * "resourceName=" resourceName ", totalSlices=" totalSlices:long * "sliceNumber=" sliceNumber:long * "lockTime=" lockTime ", releaseTime=" releaseTime:date "," * "previousLockTime=" previousLockTime:date ")" *
        | project-away EventText"#,
        r#"
        resourceName:string | totalSlices:long | sliceNumber:long | lockTime:string | releaseTime:datetime | previousLockTime:datetime
        "PipelineScheduler" | 27 | 15 | "02/17/2016 08:40:00" | null | 2016-02-17T08:39:00.0000000Z
        "PipelineScheduler" | null | 20 | "02/17/2016 08:40:01" | null | 2016-02-17T08:39:01.0000000Z
        "#,
    );
}

// --------------------------------------------------------------- predicates

/// (type, left value, operator and right side, expected result). Each case
/// runs twice: on a constant (`print`) and on a column (`datatable`), since
/// the two take different paths.
const PREDICATES: &[(&str, &str, &str, &str)] = &[
    // `has` is whole-term matching; `contains` is substring matching.
    (
        "string",
        r#""KustoExplorerQueryRun""#,
        r#"has "Explorer""#,
        "false",
    ),
    (
        "string",
        r#""KustoExplorerQueryRun""#,
        r#"contains "Explorer""#,
        "true",
    ),
    (
        "string",
        r#""KustoExplorerQueryRun""#,
        r#"!has "Explorer""#,
        "true",
    ),
    (
        "string",
        r#""KustoExplorerQueryRun""#,
        r#"!contains "explorer""#,
        "false",
    ),
    // The string operators page's examples.
    ("string", r#""North America""#, r#"has "america""#, "true"),
    ("string", r#""North America""#, r#"!has "amer""#, "true"),
    (
        "string",
        r#""North America""#,
        r#"has_cs "America""#,
        "true",
    ),
    (
        "string",
        r#""North America""#,
        r#"has_cs "america""#,
        "false",
    ),
    ("string", r#""North America""#, r#"!has_cs "amer""#, "true"),
    (
        "string",
        r#""North America""#,
        r#"hasprefix "amer""#,
        "true",
    ),
    (
        "string",
        r#""North America""#,
        r#"hasprefix "merica""#,
        "false",
    ),
    (
        "string",
        r#""North America""#,
        r#"!hasprefix "mer""#,
        "true",
    ),
    (
        "string",
        r#""North America""#,
        r#"hasprefix_cs "Amer""#,
        "true",
    ),
    (
        "string",
        r#""North America""#,
        r#"hasprefix_cs "amer""#,
        "false",
    ),
    (
        "string",
        r#""North America""#,
        r#"!hasprefix_cs "Amer""#,
        "false",
    ),
    ("string", r#""North America""#, r#"hassuffix "ica""#, "true"),
    (
        "string",
        r#""North America""#,
        r#"hassuffix "ameri""#,
        "false",
    ),
    (
        "string",
        r#""North America""#,
        r#"!hassuffix "orth""#,
        "false",
    ),
    (
        "string",
        r#""North America""#,
        r#"hassuffix_cs "ica""#,
        "true",
    ),
    (
        "string",
        r#""North America""#,
        r#"hassuffix_cs "ICA""#,
        "false",
    ),
    (
        "string",
        r#""North America""#,
        r#"!hassuffix_cs "ICA""#,
        "true",
    ),
    ("string", r#""FabriKam""#, r#"contains "BRik""#, "true"),
    ("string", r#""Fabrikam""#, r#"!contains "xyz""#, "true"),
    ("string", r#""FabriKam""#, r#"contains_cs "Kam""#, "true"),
    ("string", r#""Fabrikam""#, r#"contains_cs "Kam""#, "false"),
    ("string", r#""Fabrikam""#, r#"!contains_cs "Kam""#, "true"),
    ("string", r#""Fabrikam""#, r#"startswith "fab""#, "true"),
    ("string", r#""Fabrikam""#, r#"!startswith "kam""#, "true"),
    ("string", r#""Fabrikam""#, r#"startswith_cs "Fab""#, "true"),
    ("string", r#""Fabrikam""#, r#"startswith_cs "fab""#, "false"),
    ("string", r#""Fabrikam""#, r#"!startswith_cs "fab""#, "true"),
    ("string", r#""Fabrikam""#, r#"endswith "KAM""#, "true"),
    ("string", r#""Fabrikam""#, r#"!endswith "ka""#, "true"),
    ("string", r#""Fabrikam""#, r#"endswith_cs "kam""#, "true"),
    ("string", r#""Fabrikam""#, r#"endswith_cs "KAM""#, "false"),
    ("string", r#""Fabrikam""#, r#"!endswith_cs "KAM""#, "true"),
    ("string", r#""aBc""#, r#"== "aBc""#, "true"),
    ("string", r#""abc""#, r#"== "ABC""#, "false"),
    ("string", r#""abc""#, r#"!= "ABC""#, "true"),
    ("string", r#""abc""#, r#"=~ "ABC""#, "true"),
    ("string", r#""aBc""#, r#"!~ "xyz""#, "true"),
    ("string", r#""abc""#, r#"!~ "ABC""#, "false"),
    // A multi-term needle matches a contiguous run of whole terms.
    (
        "string",
        r#""192.168.0.255""#,
        r#"has "192.168.0.""#,
        "true",
    ),
    (
        "string",
        r#""192.168.10.4""#,
        r#"has "192.168.0.""#,
        "false",
    ),
    (
        "string",
        r#""10.192.168.5""#,
        r#"has "192.168.0.""#,
        "false",
    ),
    (
        "string",
        r#""src=10.192.168.0.7""#,
        r#"has "192.168.0""#,
        "true",
    ),
    (
        "string",
        r#""cmd.exe /c whoami""#,
        r#"has "cmd.exe""#,
        "true",
    ),
    (
        "string",
        r#""cmd.exe /c whoami""#,
        r#"has "exe /c""#,
        "true",
    ),
    (
        "string",
        r#""cmd.exe /c whoami""#,
        r#"matches regex @"who\w+""#,
        "true",
    ),
    (
        "string",
        r#""cmd.exe /c whoami""#,
        r#"matches regex "^who""#,
        "false",
    ),
    // Lists.
    ("string", r#""abc""#, r#"in ("abc", "def")"#, "true"),
    ("string", r#""ABC""#, r#"in ("abc", "def")"#, "false"),
    ("string", r#""ABC""#, r#"!in ("abc")"#, "true"),
    ("string", r#""ABC""#, r#"in~ ("abc", "def")"#, "true"),
    ("string", r#""ABC""#, r#"!in~ ("abc")"#, "false"),
    ("string", r#""b""#, r#"in (dynamic(["a", "b"]))"#, "true"),
    ("long", "5", "in (1, 5, 9)", "true"),
    ("long", "5", "!in (1, 9)", "true"),
    (
        "string",
        r#""cmd.exe /c whoami""#,
        r#"has_any ("net", "whoami")"#,
        "true",
    ),
    (
        "string",
        r#""cmd.exe /c whoami""#,
        r#"has_any ("who", "net")"#,
        "false",
    ),
    (
        "string",
        r#""cmd.exe /c whoami""#,
        r#"has_any (dynamic(["WHOAMI"]))"#,
        "true",
    ),
    (
        "string",
        r#""cmd.exe /c whoami""#,
        r#"has_all ("cmd", "whoami")"#,
        "true",
    ),
    (
        "string",
        r#""cmd.exe /c whoami""#,
        r#"has_all ("cmd", "net")"#,
        "false",
    ),
    // Ranges are inclusive at both ends.
    ("long", "10", "between (1 .. 10)", "true"),
    ("long", "11", "between (1 .. 10)", "false"),
    ("long", "5", "!between (1 .. 10)", "false"),
    ("real", "0.5", "between (0.1 .. 1)", "true"),
    (
        "datetime",
        "datetime(2025-03-18T10:00:00Z)",
        "between (datetime(2025-03-18) .. 1d)",
        "true",
    ),
    (
        "datetime",
        "datetime(2025-03-19T00:00:01Z)",
        "between (datetime(2025-03-18) .. 1d)",
        "false",
    ),
    ("timespan", "90m", "between (1h .. 2h)", "true"),
    // Logic.
    ("bool", "true", "and false", "false"),
    ("bool", "false", "or true", "true"),
    ("long", "1", "== 1 and not(false)", "true"),
];

#[test]
fn predicates_on_constants_and_columns() {
    let mut failures = Vec::new();
    for (ty, lhs, tail, expected) in PREDICATES {
        let scalar = value(&format!("{lhs} {tail}"));
        let column_query = format!("datatable(x:{ty}) [{lhs}] | project r = x {tail}");
        let column = table_in(&Catalog::new(), &column_query);
        let column_cell = column
            .strip_prefix("r:bool\n")
            .unwrap_or(&column)
            .to_string();
        if scalar != *expected || column_cell != *expected {
            failures.push(format!(
                "{lhs} {tail}: expected {expected}, constant gave {scalar}, column gave {column_cell}"
            ));
        }
    }
    assert!(failures.is_empty(), "\n{}", failures.join("\n"));
}

/// Predicates on a column against a column (the right side varies by row).
#[test]
fn predicates_between_columns() {
    check(
        r#"datatable(a:string, b:string) ["Fabrikam", "BRIK", "North America", "amer", "Fabrikam", "fabrikam"]
        | project c = a contains b, h = a has b, p = a hasprefix b, s = a startswith b, e = a =~ b"#,
        "c:bool | h:bool | p:bool | s:bool | e:bool\ntrue | false | false | false | false\ntrue | false | true | false | false\ntrue | true | true | true | true",
    );
}

/// The hunting idioms: a `let` list or table on the right of `in` and
/// `has_any`, a subquery, `toscalar`.
#[test]
fn lists_from_lets_and_subqueries() {
    let c = hunting_catalog();
    check_in(
        &c,
        r#"let bad = dynamic(["whoami", "net"]); ProcessEvents | where ProcessCommandLine has_any (bad) | project FileName"#,
        "FileName:string\n\"cmd.exe\"",
    );
    check_in(
        &c,
        r#"let ips = datatable(ip:string) ["192.168.0.255", "10.0.0.1"]; NetworkCommunicationEvents | where RemoteIP in (ips) | project RemotePort"#,
        "RemotePort:long\n4444",
    );
    check_in(
        &c,
        "NetworkCommunicationEvents | where DeviceName in ((DeviceInfo | where OnboardedDays < 7 | project DeviceName)) | project RemotePort",
        "RemotePort:long\n443",
    );
    check_in(
        &c,
        "let top = toscalar(NetworkCommunicationEvents | summarize max(RemotePort)); NetworkCommunicationEvents | where RemotePort == top | project DeviceName",
        "DeviceName:string\n\"ws-01\"",
    );
}

// --------------------------------------------------------------- null rules

/// Documented (null values): ==, != and > on null, and where dropping null.
#[test]
fn null_comparisons() {
    check(
        r#"datatable(val:int)[5, int(null)]
        | extend IsBiggerThan3 = val > 3
        | extend IsBiggerThan3OrNull = val > 3 or isnull(val)
        | extend IsEqualToNull = val == int(null)
        | extend IsNotEqualToNull = val != int(null)"#,
        r#"
        val:int | IsBiggerThan3:bool | IsBiggerThan3OrNull:bool | IsEqualToNull:bool | IsNotEqualToNull:bool
        5 | true | true | false | true
        null | null | true | null | null
        "#,
    );
    assert_eq!(value("int(null) == 1"), "false");
    assert_eq!(value("int(null) != 1"), "true");
    assert_eq!(value("int(null) == int(null)"), "null");
    assert_eq!(value("int(null) != int(null)"), "null");
    // Documented (logical operators): null counts as false in and/or.
    assert_eq!(value("bool(null) and true"), "false");
    assert_eq!(value("bool(null) or true"), "true");
    assert_eq!(value("iff(bool(null) and true, true, false)"), "false");
    check(
        "datatable(b:bool) [bool(null), true, false] | project a = b and true, o = b or true",
        "a:bool | o:bool\nfalse | true\ntrue | true\nfalse | true",
    );
    // Documented: where treats null as false.
    check(
        r#"datatable(ival:int, sval:string)[5, "a", int(null), "b"] | where ival != 5"#,
        "ival:int | sval:string\nnull | \"b\"",
    );
    check(
        r#"datatable(ival:int, sval:string)[5, "a", int(null), "b"] | where ival > 1"#,
        "ival:int | sval:string\n5 | \"a\"",
    );
}

/// Strings have no null: a missing string is "".
#[test]
fn strings_are_never_null() {
    check(
        r#"datatable(s:string, n:long) ["", long(null)] | extend e = isempty(s), z = isnull(s), t = tostring(n), tn = isnull(tostring(n))"#,
        "s:string | n:long | e:bool | z:bool | t:string | tn:bool\n\"\" | null | true | false | \"\" | false",
    );
    assert_eq!(value("strcat('a', tostring(long(null)), 'b')"), "\"ab\"");
}

// ------------------------------------------------- scalar semantics users check

/// One `now()` per query: every row and every call sees the same instant,
/// the run's clock.
#[test]
fn one_now_per_query() {
    check(
        "range i from 1 to 3 step 1 | extend t = now() | summarize dcount(t), min(t)",
        "dcount_t:long | min_t:datetime\n1 | 2025-03-18T12:00:00.0000000Z",
    );
    assert_eq!(value("now() == now()"), "true");
    assert_eq!(value("now() - ago(1h)"), "01:00:00");
    assert_eq!(value("ago(1d)"), "2025-03-17T12:00:00.0000000Z");
}

/// Datetimes keep all seven fractional digits (100 ns ticks).
#[test]
fn datetime_literals_keep_ticks() {
    assert_eq!(
        value("datetime(2025-03-18T11:42:07.1234567Z) == datetime(2025-03-18 11:42:07.1234567)"),
        "true"
    );
    assert_eq!(
        value("datetime(2025-03-18T11:42:07.1234567Z) == datetime(2025-03-18T11:42:07.1234568Z)"),
        "false"
    );
    assert_eq!(
        value("datetime(2025-03-18T11:42:07.1234567Z)"),
        "2025-03-18T11:42:07.1234567Z"
    );
    assert_eq!(
        value("datetime(2025-03-18)"),
        "2025-03-18T00:00:00.0000000Z"
    );
    check(
        "datatable(t:datetime) [datetime(2025-03-18T11:42:07.1234567Z)] | where t == datetime(2025-03-18T11:42:07.1234567Z) | count",
        "Count:long\n1",
    );
}

/// Integer division stays integral; a real operand makes it real.
#[test]
fn integer_and_real_arithmetic() {
    check(
        "print a = 7 / 2, b = -7 / 2, c = 7.0 / 2, d = 7 % 3, e = 2 * 3 + 1, f = 1 / 4 * 4",
        "a:long | b:long | c:real | d:long | e:long | f:long\n3 | -3 | 3.5 | 1 | 7 | 0",
    );
    check(
        "datatable(x:long) [7, -7] | project a = x / 2, b = x / 2.0",
        "a:long | b:real\n3 | 3.5\n-3 | -3.5",
    );
    // int op long is long; int op int stays int.
    check(
        "datatable(x:int) [7] | project a = x / toint(2), b = x / 2",
        "a:int | b:long\n3 | 3",
    );
}

/// numerical-operators.md: "The modulo of two numbers always returns in
/// Kusto a small non-negative number", 0 <= N % D < abs(D), for columns
/// and constants, longs, ints and reals.
#[test]
fn modulo_is_never_negative() {
    check(
        "print plusPlus = 14 % 12, minusPlus = -14 % 12, plusMinus = 14 % -12, minusMinus = -14 % -12",
        "plusPlus:long | minusPlus:long | plusMinus:long | minusMinus:long\n2 | 10 | 2 | 10",
    );
    check(
        "datatable(n:long, d:long) [14, 12, -14, 12, 14, -12, -14, -12, -7, 3] | project m = n % d",
        "m:long\n2\n10\n2\n10\n2",
    );
    check(
        "print a = toint(-7) % toint(3), b = -7.5 % 2.0",
        "a:int | b:real\n2 | 0.5",
    );
    check(
        "datatable(x:real) [-7.5] | project m = x % 2",
        "m:real\n0.5",
    );
}

/// summarize-operator.md: `count(y)` counts every record, nulls
/// included, and is named `count_y`; a repeated aggregate gets a suffix.
#[test]
fn count_of_a_column_counts_records() {
    check(
        "range x from 1 to 2 step 1 | extend y = iff(x == 1, real(null), real(5)) | summarize count(y)",
        "count_y:long\n2",
    );
    check(
        "range x from 1 to 2 step 1 | extend y = iff(x == 1, real(null), real(5)) | summarize make_set(y), make_set(y)",
        "set_y:dynamic | set_y1:dynamic\n[5.0] | [5.0]",
    );
}

/// `int(2)` is an int literal, as `long(2)` is a long one.
#[test]
fn int_literals_are_int() {
    check(
        "print a = int(2), b = int(-3), c = long(2)",
        "a:int | b:int | c:long\n2 | -3 | 2",
    );
}

#[test]
fn timespan_arithmetic() {
    check(
        "print a = datetime(2025-01-02) - datetime(2025-01-01), b = datetime(2025-01-01) + 1h, c = 2h / 30m, d = 1h * 2, e = 1d - 1s, f = -30m, g = 1.5h",
        "a:timespan | b:datetime | c:real | d:timespan | e:timespan | f:timespan | g:timespan\n1.00:00:00 | 2025-01-01T01:00:00.0000000Z | 4 | 02:00:00 | 23:59:59 | -00:30:00 | 01:30:00",
    );
    check(
        "datatable(t:datetime) [datetime(2025-03-18T10:00:00Z)] | project d = now() - t, later = t + 90s",
        "d:timespan | later:datetime\n02:00:00 | 2025-03-18T10:01:30.0000000Z",
    );
}

/// `.prop`, `["prop"]` and `[0]` on dynamic values; missing is null.
#[test]
fn dynamic_member_access() {
    check(
        r#"print d = dynamic({"a": {"b": [10, 20]}, "k-1": "v"})
        | project x = d.a.b[1], y = d["a"]["b"][0], z = d.a.c, w = d["k-1"], n = d.a.b[5]"#,
        "x:dynamic | y:dynamic | z:dynamic | w:dynamic | n:dynamic\n20 | 10 | null | \"v\" | null",
    );
    check(
        r#"datatable(d:dynamic) [dynamic({"Port": 443}), dynamic({"Port": 80}), dynamic({})]
        | where d.Port > 100 | project p = toint(d.Port)"#,
        "p:int\n443",
    );
    check(
        r#"datatable(d:dynamic) [dynamic({"User": "alice"}), dynamic({"User": "bob"})]
        | where d.User == "bob" | project u = tostring(d["User"])"#,
        "u:string\n\"bob\"",
    );
}

// ------------------------------------------------------------------ errors

/// Errors name the problem, point at it with carets, and suggest the
/// closest name.
#[test]
fn syntax_error_points_at_the_character() {
    let q = "datatable(a:long) [1] | where a == | count";
    assert_eq!(
        error_in(&Catalog::new(), q),
        tidy_error(
            "error: expected an expression after '=='
             --> line 1, column 36
              |
            1 | datatable(a:long) [1] | where a == | count
              |                                    ^"
        )
    );
}

#[test]
fn unknown_column_suggests_the_closest() {
    let q = "datatable(DeviceName:string) ['x'] | where DevceName == 'x'";
    assert_eq!(
        error_in(&Catalog::new(), q),
        tidy_error(
            "error: unknown column 'DevceName' (did you mean 'DeviceName'?)
             --> line 1, column 44
              |
            1 | datatable(DeviceName:string) ['x'] | where DevceName == 'x'
              |                                            ^^^^^^^^^"
        )
    );
}

#[test]
fn unknown_table_suggests_the_closest() {
    let q = r#"search in (NetworkCommunciationEvents) "x""#;
    assert_eq!(
        error_in(&hunting_catalog(), q),
        tidy_error(
            r#"error: unknown table 'NetworkCommunciationEvents' (did you mean 'NetworkCommunicationEvents'?)
             --> line 1, column 12
              |
            1 | search in (NetworkCommunciationEvents) "x"
              |            ^^^^^^^^^^^^^^^^^^^^^^^^^^"#
        )
    );
    let q = "NetworkComunicationEvents | take 1";
    assert!(
        error_in(&hunting_catalog(), q).starts_with(
            "error: unknown table 'NetworkComunicationEvents' (did you mean 'NetworkCommunicationEvents'?)"
        ),
        "{}",
        error_in(&hunting_catalog(), q)
    );
}

#[test]
fn unsupported_feature_is_named() {
    let q = "datatable(a:long) [1] | assert-schema (a:long)";
    assert_eq!(
        error_in(&Catalog::new(), q),
        tidy_error(
            "error: assert-schema is not supported yet
             --> line 1, column 25
              |
            1 | datatable(a:long) [1] | assert-schema (a:long)
              |                         ^^^^^^^^^^^^^"
        )
    );
}

/// The expected rendering of an error, written indented in a test: the
/// common indentation of the lines after the first is removed.
fn tidy_error(text: &str) -> String {
    let mut lines = text.lines();
    let first = lines.next().unwrap_or_default().to_string();
    let rest: Vec<&str> = lines.collect();
    let indent = rest
        .iter()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.len() - l.trim_start().len())
        .min()
        .unwrap_or(0);
    std::iter::once(first)
        .chain(
            rest.iter()
                .map(|l| l.get(indent..).unwrap_or("").to_string()),
        )
        .collect::<Vec<_>>()
        .join("\n")
}
