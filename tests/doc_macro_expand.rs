//! `macro-expand` (macro-expand-operator.md): the page's examples
//! rewritten onto local tables (an entity group of tables, since Quarry
//! queries one local database offline), the three ways of naming the
//! group, `kind` and `isfuzzy`, nesting, and the errors with their carets.

use crate::common;

use common::{assert_table, render};
use quarry::data::catalog::Catalog;
use quarry::kql::{RunOptions, check::check, run};

/// 2025-03-18T12:00:00Z, the instant `ago()` counts back from.
const NOW: i64 = 1_742_299_200_000_000_000;

/// Error logs of two sites, which the page keeps in two clusters' copies
/// of one database, and the SKU of each source; admins of two sites; a
/// table whose name needs quoting.
fn catalog() -> Catalog {
    let tables = [
        (
            "LogsWest",
            r#"datatable(Source:string, Level:string, Message:string) [
                "web-1", "Error", "disk full",
                "web-1", "Error", "timeout",
                "web-2", "Info", "ok",
                "web-2", "Error", "crash",
                "db-1", "Error", "deadlock",
            ]"#,
        ),
        (
            "LogsEast",
            r#"datatable(Source:string, Level:string, Region:string, Code:long) [
                "web-3", "Error", "east", 500,
                "db-2", "Error", "east", 503,
                "db-2", "Error", "east", 504,
                "web-3", "Warning", "east", 299,
            ]"#,
        ),
        (
            "DimCluster",
            r#"datatable(Source:string, SKU:string) [
                "web-1", "D14", "web-2", "D14", "db-1", "L8", "web-3", "D14", "db-2", "L8",
            ]"#,
        ),
        (
            "AdminsA",
            r#"datatable(Source:string, Name:string, Site:string, Timestamp:datetime) [
                "s1", "alice", "A", datetime(2025-03-18T11:30:00Z),
                "s2", "bob", "A", datetime(2025-03-18T11:50:00Z),
                "s3", "carol", "A", datetime(2025-03-18T09:00:00Z),
            ]"#,
        ),
        (
            "AdminsB",
            r#"datatable(Source:string, Name:string, Site:string, Timestamp:datetime) [
                "s1", "dave", "B", datetime(2025-03-18T11:40:00Z),
                "s3", "erin", "B", datetime(2025-03-18T11:45:00Z),
                "s2", "frank", "B", datetime(2025-03-18T10:00:00Z),
            ]"#,
        ),
        (
            "My Table",
            r#"datatable(Source:string, Level:string) ["lab-1", "Error"]"#,
        ),
    ];
    crate::common::catalog_of(&tables)
}

fn options() -> RunOptions {
    RunOptions {
        now: NOW,
        ..RunOptions::default()
    }
}

fn try_run(query: &str) -> Result<String, quarry::kql::QueryError> {
    run(&catalog(), query, &options()).map(|f| render(&f))
}

#[track_caller]
fn table(query: &str, expected: &str) {
    let got = try_run(query).unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    assert_table(query, &got, expected);
}

/// The error a query gives, rendered with its caret.
#[track_caller]
fn error(query: &str) -> String {
    match try_run(query) {
        Ok(t) => panic!("{query} ran:\n{t}"),
        Err(e) => e.render(query),
    }
}

/// The subquery of "Calculate errors": per site, errors by source with
/// their SKU.
const ERRORS_BY_SOURCE: &str = "(
    X
    | where Level == 'Error'
    | summarize Count=count() by Source
    | join kind=inner (DimCluster | project SKU, Source) on Source
)";

/// "Calculate errors": the inline entity group, the sum over every site's
/// subquery, and the same as the page's `union` without macro-expand.
#[test]
fn calculate_errors_inline() {
    let query = format!(
        "macro-expand entity_group [LogsWest, LogsEast] as X\n{ERRORS_BY_SOURCE}\n| summarize Sum=sum(Count) by SKU\n| sort by SKU asc"
    );
    let expected = r#"SKU:string | Sum:long
        "D14" | 4
        "L8" | 3"#;
    table(&query, expected);
    let by_hand = "union
      (
        LogsWest
        | where Level == 'Error'
        | summarize Count=count() by Source
        | join kind=inner (DimCluster | project SKU, Source) on Source
      ),
      (
        LogsEast
        | where Level == 'Error'
        | summarize Count=count() by Source
        | join kind=inner (DimCluster | project SKU, Source) on Source
      )
    | summarize Sum=sum(Count) by SKU
    | sort by SKU asc";
    table(by_hand, expected);
    // Before the summarize, one row per site and source, West's first.
    table(
        &format!("macro-expand entity_group [LogsWest, LogsEast] as X\n{ERRORS_BY_SOURCE}"),
        r#"Source:string | Count:long | SKU:string | Source1:string
        "web-1" | 2 | "D14" | "web-1"
        "web-2" | 1 | "D14" | "web-2"
        "db-1" | 1 | "L8" | "db-1"
        "web-3" | 1 | "D14" | "web-3"
        "db-2" | 2 | "L8" | "db-2""#,
    );
}

/// "Calculate SKU errors using let statement", and the third syntax,
/// `macro-expand X in G`.
#[test]
fn the_group_named_by_a_let() {
    let expected = r#"SKU:string | Sum:long
        "D14" | 4
        "L8" | 3"#;
    table(
        &format!(
            "let GreaterDatabase = entity_group [LogsWest, LogsEast];\nmacro-expand GreaterDatabase as X\n{ERRORS_BY_SOURCE}\n| summarize Sum=sum(Count) by SKU\n| sort by SKU asc"
        ),
        expected,
    );
    table(
        &format!(
            "let GreaterDatabase = entity_group [LogsWest, LogsEast];\nmacro-expand X in GreaterDatabase\n{ERRORS_BY_SOURCE}\n| summarize Sum=sum(Count) by SKU\n| sort by SKU asc"
        ),
        expected,
    );
    // Other lets around the group's, and a quoted table name.
    table(
        "let level = 'Error';
         let G = entity_group [['My Table'], LogsWest];
         let n = 1;
         macro-expand G as X (X | where Level == level | take n | project Source)",
        r#"Source:string
        "lab-1"
        "web-1""#,
    );
}

/// "Extend table with contextual scalar functions": the local database
/// has no name and no cluster serves it, so both values are empty.
#[test]
fn contextual_scalars() {
    table(
        "let MyEntityGroup = entity_group [LogsWest, LogsEast];
         macro-expand MyEntityGroup as X
         (
             X
             | extend current_database = X.$current_database, current_cluster = X.$current_cluster_endpoint
         )
         | summarize count() by current_cluster, current_database",
        r#"current_cluster:string | current_database:string | count_:long
        "" | "" | 9"#,
    );
    table(
        "macro-expand entity_group [LogsWest] as X (print d = X.$current_database, c = X.$current_cluster_endpoint)
         | extend t = gettype(d), n = strlen(c)",
        r#"d:string | c:string | t:string | n:long
        "" | "" | "string" | 0"#,
    );
}

/// "Nested macro-expand query": every pair of sites joined on Source,
/// among the admins of the last hour.
#[test]
fn nested_macro_expand() {
    let nested = "let MyEntityGroup_Outer = entity_group [AdminsA, AdminsB];
        let MyEntityGroup_Inner = entity_group [AdminsA, AdminsB];
        macro-expand MyEntityGroup_Outer as X
        (
            macro-expand  MyEntityGroup_Inner as Y
            (
                X
                | where Timestamp > ago(1h)
                | extend lhs_database = X.$current_database, lhs_cluster = X.$current_cluster_endpoint
                | join (
                    Y
                    | where Timestamp > ago(1h)
                    | extend rhs_database = Y.$current_database, rhs_cluster = Y.$current_cluster_endpoint
                ) on Source
            )
        )";
    table(
        &format!(
            "{nested}\n| summarize count() by lhs_cluster, lhs_database, rhs_cluster, rhs_database"
        ),
        r#"lhs_cluster:string | lhs_database:string | rhs_cluster:string | rhs_database:string | count_:long
        "" | "" | "" | "" | 6"#,
    );
    // The four pairs (X, Y), told apart by the tables' Site.
    table(
        &format!("{nested}\n| summarize count() by Site, Site1 | sort by Site asc, Site1 asc"),
        r#"Site:string | Site1:string | count_:long
        "A" | "A" | 2
        "A" | "B" | 1
        "B" | "A" | 1
        "B" | "B" | 2"#,
    );
}

/// `kind=outer` (the default) keeps every column, null where a leg has
/// none ("" for text); `kind=inner` keeps the columns every leg has.
#[test]
fn outer_and_inner() {
    let subquery = "(X | where Source startswith 'db')";
    let outer = r#"Source:string | Level:string | Message:string | Region:string | Code:long
        "db-1" | "Error" | "deadlock" | "" | null
        "db-2" | "Error" | "" | "east" | 503
        "db-2" | "Error" | "" | "east" | 504"#;
    table(
        &format!("macro-expand entity_group [LogsWest, LogsEast] as X {subquery}"),
        outer,
    );
    table(
        &format!("macro-expand kind=outer entity_group [LogsWest, LogsEast] as X {subquery}"),
        outer,
    );
    table(
        &format!("macro-expand kind=inner entity_group [LogsWest, LogsEast] as X {subquery}"),
        r#"Source:string | Level:string
        "db-1" | "Error"
        "db-2" | "Error"
        "db-2" | "Error""#,
    );
    // The same as union's kinds.
    table(
        "union kind=inner (LogsWest | where Source startswith 'db'), (LogsEast | where Source startswith 'db')",
        r#"Source:string | Level:string
        "db-1" | "Error"
        "db-2" | "Error"
        "db-2" | "Error""#,
    );
}

/// `isfuzzy=true` leaves out the tables that are not loaded; without it
/// a missing table is an error at its reference.
#[test]
fn isfuzzy() {
    table(
        "macro-expand isfuzzy=true entity_group [LogsWest, LogsNorth, LogsEast] as X (X | count)",
        "Count:long
        5
        4",
    );
    // `set best_effort = true;` leaves them out too, isfuzzy or not.
    table(
        "set best_effort = true;
         macro-expand isfuzzy=false entity_group [LogsWest, LogsNorth, LogsEast] as X (X | count)",
        "Count:long
        5
        4",
    );
    assert_eq!(
        error("set best_effort = false; macro-expand entity_group [LogsWest, LogsEst] as X (X | count)")
            .lines()
            .next(),
        Some("error: unknown table 'LogsEst' (did you mean 'LogsEast'?)")
    );
    assert_eq!(
        error("macro-expand entity_group [LogsWest, LogsEst] as X (X | count)"),
        "error: unknown table 'LogsEst' (did you mean 'LogsEast'?)
 --> line 1, column 38
  |
1 | macro-expand entity_group [LogsWest, LogsEst] as X (X | count)
  |                                      ^^^^^^^"
    );
    assert_eq!(
        error("macro-expand isfuzzy=false entity_group [LogsWest, LogsEst] as X (X | count)"),
        "error: unknown table 'LogsEst' (did you mean 'LogsEast'?)
 --> line 1, column 52
  |
1 | macro-expand isfuzzy=false entity_group [LogsWest, LogsEst] as X (X | count)
  |                                                    ^^^^^^^"
    );
    assert_eq!(
        error("macro-expand isfuzzy=true entity_group [LogsEst, Nowhere] as X (X | count)"),
        "error: isfuzzy=true leaves out the entities that are missing, but none of this group's is here: unknown table 'LogsEst' (did you mean 'LogsEast'?); unknown table 'Nowhere'
 --> line 1, column 27
  |
1 | macro-expand isfuzzy=true entity_group [LogsEst, Nowhere] as X (X | count)
  |                           ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    );
    // A group named by a let: the caret is at the missing table where
    // the let lists it.
    assert_eq!(
        error("let G = entity_group [LogsWest, LogsEst]; macro-expand G as X (X | count)"),
        "error: unknown table 'LogsEst' (did you mean 'LogsEast'?)
 --> line 1, column 33
  |
1 | let G = entity_group [LogsWest, LogsEst]; macro-expand G as X (X | count)
  |                                 ^^^^^^^"
    );
}

/// The subquery is any tabular expression: `let`s, joins, unions; the
/// operator starts an expression anywhere one may start.
#[test]
fn where_macro_expand_may_stand() {
    table(
        "let Errors = macro-expand entity_group [LogsWest, LogsEast] as X (X | where Level == 'Error');
         Errors | count",
        "Count:long
        7",
    );
    table(
        "DimCluster
         | join kind=inner (macro-expand entity_group [LogsWest, LogsEast] as X (X | summarize n = count() by Source)) on Source
         | project Source, SKU, n
         | sort by Source asc",
        r#"Source:string | SKU:string | n:long
        "db-1" | "L8" | 1
        "db-2" | "L8" | 2
        "web-1" | "D14" | 2
        "web-2" | "D14" | 2
        "web-3" | "D14" | 2"#,
    );
    table(
        "macro-expand entity_group [LogsWest, LogsEast] as X (
             let errors = X | where Level == 'Error';
             let sources = toscalar(errors | summarize dcount(Source));
             errors | summarize Errors = count() | extend Sources = sources
         )",
        "Errors:long | Sources:long
        4 | 3
        3 | 2",
    );
    // `X` inside a string, or as a member name, is not the entity.
    table(
        "macro-expand entity_group [['My Table']] as X (X | extend s = 'X', d = dynamic({'X': 1}).X)",
        r#"Source:string | Level:string | s:string | d:dynamic
        "lab-1" | "Error" | "X" | 1"#,
    );
}

#[test]
fn references_to_other_places_are_refused() {
    // The page's own example, verbatim.
    let docs = "macro-expand entity_group [cluster('C1').database('MyDatabase'), cluster('C2').database('MyDatabase')] as X
(
    X.Logs
    | where Level == 'Error'
    | summarize Count=count() by Source
    | join kind=inner (X.DimCluster | project SKU, Source) on Source
)
| summarize Sum=sum(Count) by SKU";
    assert_eq!(
        error(docs),
        "error: cluster('C1').database('MyDatabase') is in another Kusto cluster: Quarry queries one local database offline (the tables it loaded), so an entity group names its tables, e.g. entity_group [DeviceProcessEvents, DeviceNetworkEvents]
 --> line 1, column 28
  |
1 | macro-expand entity_group [cluster('C1').database('MyDatabase'), cluster('C2').database('MyDatabase')] as X
  |                            ^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    );
    assert_eq!(
        error("let G = entity_group [LogsWest, database('Archive').LogsWest]; macro-expand G as X (X | count)"),
        "error: database('Archive').LogsWest is in another database: Quarry queries one local database offline (the tables it loaded), so an entity group names its tables, e.g. entity_group [DeviceProcessEvents, DeviceNetworkEvents]
 --> line 1, column 33
  |
1 | let G = entity_group [LogsWest, database('Archive').LogsWest]; macro-expand G as X (X | count)
  |                                 ^^^^^^^^^^^^^^^^^^^^^^^^^^^^"
    );
    assert_eq!(
        error("macro-expand entity_group [workspace('w1')] as X (X | count)"),
        "error: workspace('w1') is in another workspace or service: Quarry queries one local database offline (the tables it loaded), so an entity group names its tables, e.g. entity_group [DeviceProcessEvents, DeviceNetworkEvents]
 --> line 1, column 28
  |
1 | macro-expand entity_group [workspace('w1')] as X (X | count)
  |                            ^^^^^^^^^^^^^^^"
    );
    // `X.Table` reads a table of a database entity; here X is a table.
    assert_eq!(
        error("macro-expand entity_group [LogsWest] as X (X.Logs | count)"),
        "error: 'X' stands for the table 'LogsWest' here, which has no tables: 'X.Table' reads a table of a database entity, and Quarry queries one local database offline, so its entity groups list tables; write 'X' alone
 --> line 1, column 44
  |
1 | macro-expand entity_group [LogsWest] as X (X.Logs | count)
  |                                            ^^^^^^"
    );
}

#[test]
fn malformed_groups_and_operators() {
    assert_eq!(
        error("macro-expand entity_group LogsWest as X (X)"),
        "error: expected '[' and the entities of the group after 'entity_group'
 --> line 1, column 27
  |
1 | macro-expand entity_group LogsWest as X (X)
  |                           ^^^^^^^^"
    );
    assert_eq!(
        error("macro-expand entity_group [] as X (X)"),
        "error: an entity_group lists at least one entity: entity_group [DeviceProcessEvents, ...]
 --> line 1, column 27
  |
1 | macro-expand entity_group [] as X (X)
  |                           ^^"
    );
    assert_eq!(
        error("macro-expand entity_group [LogsWest LogsEast] as X (X)"),
        "error: expected ',' or ']' after the entity 'LogsWest', found 'LogsEast'
 --> line 1, column 37
  |
1 | macro-expand entity_group [LogsWest LogsEast] as X (X)
  |                                     ^^^^^^^^"
    );
    assert_eq!(
        error("macro-expand entity_group [LogsWest, ] as X (X)"),
        "error: expected an entity (a table name) after ','
 --> line 1, column 38
  |
1 | macro-expand entity_group [LogsWest, ] as X (X)
  |                                      ^"
    );
    assert_eq!(
        error("macro-expand entity_group [LogsWest as X (X)"),
        "error: expected ',' or ']' after the entity 'LogsWest', found 'as'
 --> line 1, column 37
  |
1 | macro-expand entity_group [LogsWest as X (X)
  |                                     ^^"
    );
    assert_eq!(
        error("macro-expand entity_group [LogsWest] X (X)"),
        "error: expected 'as' and the entity identifier after ']'
 --> line 1, column 38
  |
1 | macro-expand entity_group [LogsWest] X (X)
  |                                      ^"
    );
    assert_eq!(
        error("macro-expand entity_group [LogsWest] as X X | count"),
        "error: expected '(' and the subquery after 'X'
 --> line 1, column 43
  |
1 | macro-expand entity_group [LogsWest] as X X | count
  |                                           ^"
    );
    assert_eq!(
        error("macro-expand entity_group [LogsWest] as X (X | count"),
        "error: expected ')' to close '(' opened at line 1, column 43
 --> line 1, column 53
  |
1 | macro-expand entity_group [LogsWest] as X (X | count
  |                                                     ^"
    );
    assert_eq!(
        error("macro-expand entity_group [LogsWest] as X (X | count) extra"),
        "error: unexpected 'extra': expected '|' or the end of the query
 --> line 1, column 55
  |
1 | macro-expand entity_group [LogsWest] as X (X | count) extra
  |                                                       ^^^^^"
    );
    assert_eq!(
        error("macro-expand kind=leftouter entity_group [LogsWest] as X (X)"),
        "error: macro-expand kind must be inner or outer, not 'leftouter'
 --> line 1, column 19
  |
1 | macro-expand kind=leftouter entity_group [LogsWest] as X (X)
  |                   ^^^^^^^^^"
    );
    // The page's stored-group example: Quarry has no stored entity groups.
    assert_eq!(
        error("macro-expand MyEntityGroup as X (X.Admins)"),
        "error: unknown entity group 'MyEntityGroup': define it in the query, let MyEntityGroup = entity_group [DeviceProcessEvents, ...]; (Quarry has no stored entity groups)
 --> line 1, column 14
  |
1 | macro-expand MyEntityGroup as X (X.Admins)
  |              ^^^^^^^^^^^^^"
    );
    // It takes no input.
    assert_eq!(
        error("LogsWest | macro-expand entity_group [LogsEast] as X (X)"),
        "error: 'macro-expand' starts a query; it cannot follow '|'
 --> line 1, column 12
  |
1 | LogsWest | macro-expand entity_group [LogsEast] as X (X)
  |            ^^^^^^^^^^^^"
    );
    // A nested macro-expand needs an identifier of its own.
    assert_eq!(
        error("macro-expand entity_group [LogsWest] as X (macro-expand entity_group [LogsEast] as X (X))"),
        "error: a nested macro-expand needs an identifier of its own: 'X' is the outer macro-expand's
 --> line 1, column 84
  |
1 | macro-expand entity_group [LogsWest] as X (macro-expand entity_group [LogsEast] as X (X))
  |                                                                                    ^"
    );
    assert_eq!(
        error("macro-expand entity_group [LogsWest] as X (X | extend d = X.$current_db)"),
        "error: unknown value '$current_db' of an entity: macro-expand gives X.$current_database and X.$current_cluster_endpoint
 --> line 1, column 59
  |
1 | macro-expand entity_group [LogsWest] as X (X | extend d = X.$current_db)
  |                                                           ^^^^^^^^^^^^^"
    );
}

/// Nested groups multiply: past 4096 subqueries in all the query is
/// refused (at the group whose expansion passes it) rather than read for
/// ever.
#[test]
fn nesting_is_bounded() {
    let tables = vec!["LogsWest"; 20].join(", ");
    let query = format!(
        "let G = entity_group [{tables}];\nmacro-expand G as X (macro-expand G as Y (macro-expand G as Z (X | count)))"
    );
    let e = run(&catalog(), &query, &options()).unwrap_err();
    assert_eq!(e.kind, quarry::kql::error::ErrorKind::Limit);
    assert_eq!(
        e.render(&query)
            .lines()
            .skip(1)
            .collect::<Vec<_>>()
            .join("\n"),
        " --> line 2, column 56
  |
2 | macro-expand G as X (macro-expand G as Y (macro-expand G as Z (X | count)))
  |                                                        ^"
    );
    assert_eq!(
        e.message,
        "macro-expand expands to more than 4096 subqueries (nested entity groups multiply): use fewer tables or less nesting"
    );
    // Two levels of 20 (420 subqueries) run.
    table(
        &format!(
            "let G = entity_group [{tables}];\nmacro-expand G as X (macro-expand G as Y (X | count)) | summarize sum(Count), count()"
        ),
        "sum_Count:long | count_:long
        2000 | 400",
    );
}

/// `quarry check` knows the operator, and checks each leg's subquery.
#[test]
fn check_reads_the_subquery() {
    assert_eq!(
        check(
            "let G = entity_group [LogsWest, LogsEast]; macro-expand G as X (X | summarize count() by Source)",
            &[]
        ),
        Ok(())
    );
    let query = "macro-expand entity_group [LogsWest] as X (X | extend y = no_such_function(1))";
    let e = check(query, &[]).unwrap_err();
    assert_eq!(
        e.message,
        "unknown function 'no_such_function': not a KQL function. If the query's authors saved it \
         in their workspace, put its .create function in a .kql file of the functions/ folder of \
         the data folder or of Quarry's config directory"
    );
    assert_eq!(
        e.span.map(|s| &query[s.start..s.end]),
        Some("no_such_function")
    );
    let cluster = "macro-expand entity_group [cluster('C1').database('D')] as X (X.Logs)";
    let e = check(cluster, &[]).unwrap_err();
    assert_eq!(e.kind, quarry::kql::error::ErrorKind::Unsupported);
}

/// The binary: a query over a folder with two tables, and `quarry check`.
#[test]
fn end_to_end() {
    use assert_cmd::Command;
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("LogsWest.csv"),
        "Source,Level\nweb-1,Error\nweb-2,Info\n",
    )
    .expect("writes");
    std::fs::write(
        dir.path().join("LogsEast.csv"),
        "Source,Level\nweb-3,Error\n",
    )
    .expect("writes");
    let out = Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["query", "--data"])
        .arg(dir.path())
        .args([
            "--format",
            "csv",
            "macro-expand entity_group [LogsWest, LogsEast] as X (X | where Level == 'Error') | project Source",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "Source\r\nweb-1\r\nweb-3\r\n"
    );
    let out = Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["query", "--data"])
        .arg(dir.path())
        .arg("macro-expand entity_group [LogsWest, LogsNorth] as X (X)")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains(
            "error: unknown table 'LogsNorth' (did you mean 'LogsEast'?)
 --> line 1, column 38
  |
1 | macro-expand entity_group [LogsWest, LogsNorth] as X (X)
  |                                      ^^^^^^^^^
"
        ),
        "{out:?}"
    );
    Command::cargo_bin("quarry")
        .expect("the binary")
        .args([
            "check",
            "let G = entity_group [DeviceProcessEvents]; macro-expand X in G (X | take 1)",
        ])
        .assert()
        .success();
}
