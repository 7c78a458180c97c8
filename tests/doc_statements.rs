//! Query statements: batches (batches.md), `restrict access to`
//! (restrict-statement.md) and the deprecated `argmax`/`argmin`
//! aggregates (the old argmin-aggfunction.md). The pages query the help
//! cluster's tables; here the same queries run on `datatable`/`range` or
//! on local tables built to hold what the pages assume.

use crate::common;

use common::{render, tidy};
use quarry::data::catalog::Catalog;
use quarry::kql::{NamedResult, RunOptions, check::check, run, run_results, several_results};

/// Local tables for the restrict page: `Table1` and `Table2` (both with
/// `Column1`), and the `Data` of per-user salaries its last example
/// assumes.
fn catalog() -> Catalog {
    let tables = [
        (
            "Table1",
            r#"datatable(Column1:string, Column2:long) ["a", 1, "b", 2, "c", 3]"#,
        ),
        (
            "Table2",
            r#"datatable(Column1:string, Column2:long) ["x", 10, "y", 20]"#,
        ),
        (
            "Data",
            r#"datatable(UserID:string, Year:long, Month:long, Salary:long) [
                "username@domain.com", 2024, 1, 100,
                "username@domain.com", 2024, 1, 50,
                "username@domain.com", 2024, 2, 120,
                "other@domain.com", 2024, 1, 999,
            ]"#,
        ),
    ];
    crate::common::catalog_of(&tables)
}

/// Every table a query makes on `catalog`, each as its name and rendered
/// rows.
#[track_caller]
fn results_on(catalog: &Catalog, query: &str) -> Vec<(Option<String>, String)> {
    let results: Vec<NamedResult> = run_results(catalog, query, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    results
        .into_iter()
        .map(|r| (r.name, render(&r.frame)))
        .collect()
}

/// The expected tables, each written as a name and an indented table.
fn expected(tables: &[(&str, &str)]) -> Vec<(Option<String>, String)> {
    tables
        .iter()
        .map(|(name, table)| (Some(name.to_string()), tidy(table)))
        .collect()
}

/// The error a query gives on `catalog`, rendered with its caret.
#[track_caller]
fn error_on(catalog: &Catalog, query: &str) -> String {
    match run_results(catalog, query, &RunOptions::default()) {
        Ok(r) => panic!("{query} ran: {} tables", r.len()),
        Err(e) => e.render(query),
    }
}

/// The rendered error as written indented in a test.
fn tidy_error(text: &str) -> String {
    crate::graph::tidy_error(text)
}

/// Storm events with the help cluster's counts for Florida (1042) and
/// Guam (4), so the page's printed outputs come out.
const STORMS: &str = r#"let StormEvents = range i from 1 to 1046 step 1
| extend State = iff(i <= 1042, "FLORIDA", "GUAM");
"#;

/// batches.md, "Name tabular results": two statements, each named by its
/// `as`, with the counts the page prints.
#[test]
fn name_tabular_results() {
    let query = format!(
        "{STORMS}StormEvents | where State == \"FLORIDA\" | count | as ['Count of events in Florida'];
StormEvents | where State == \"GUAM\" | count | as ['Count of events in Guam']"
    );
    assert_eq!(
        results_on(&Catalog::new(), &query),
        expected(&[
            ("Count of events in Florida", "Count:long\n1042"),
            ("Count of events in Guam", "Count:long\n4"),
        ])
    );
    // The workbench and the rules answer with the first table, and the
    // workbench is told of the other.
    let first = run(&Catalog::new(), &query, &RunOptions::default()).expect("runs");
    assert_eq!(render(&first), "Count:long\n1042");
    assert_eq!(
        several_results(&query),
        Some((
            "the batch of 2 statements".to_string(),
            vec![
                "Count of events in Florida".to_string(),
                "Count of events in Guam".to_string()
            ]
        ))
    );
    assert_eq!(check(&query, &[]), Ok(()));
}

/// batches.md, "Share a calculation": one `materialize` read by two
/// statements, on states counted as the page's first table prints them.
/// Its second table prints the first one's counts (above 2000) under
/// `n < 10`, a copying slip, so the states below 10 here are this test's
/// own.
#[test]
fn share_a_calculation() {
    let query = r#"let counts = datatable(State:string, n:long) [
    "ILLINOIS", 2022, "IOWA", 2337, "KANSAS", 3166, "MISSOURI", 2016,
    "TEXAS", 4701, "GUAM", 4, "HAWAII WATERS", 2, "OHIO", 1200];
let StormEvents = counts | mv-expand i = range(1, n) | project State;
let m = materialize(StormEvents | summarize n=count() by State);
m | where n > 2000;
m | where n < 10"#;
    assert_eq!(
        results_on(&Catalog::new(), query),
        expected(&[
            (
                "Table 1",
                r#"State:string | n:long
                "ILLINOIS" | 2022
                "IOWA" | 2337
                "KANSAS" | 3166
                "MISSOURI" | 2016
                "TEXAS" | 4701"#
            ),
            (
                "Table 2",
                r#"State:string | n:long
                "GUAM" | 4
                "HAWAII WATERS" | 2"#
            ),
        ])
    );
}

/// A `materialize` shared by two statements is computed once: both read
/// the same fresh GUIDs.
#[test]
fn materialize_is_computed_once_for_every_statement() {
    let query = "let m = materialize(range x from 1 to 3 step 1 | extend g = new_guid());
m | project g;
m | project g";
    let results = results_on(&Catalog::new(), query);
    assert_eq!(results.len(), 2);
    assert_eq!(results[0].1, results[1].1);
    let guids: std::collections::HashSet<&str> = results[0].1.lines().skip(1).collect();
    assert_eq!(guids.len(), 3, "{}", results[0].1);
}

/// A statement ending in `as Name` names its table for the statements
/// after it too; a statement that only names graph tables makes none; a
/// statement ending in `fork` adds its legs in place; unnamed tables are
/// `Table N` by their place among all of them.
#[test]
fn a_batch_names_each_table() {
    let query = "range x from 1 to 3 step 1 | as Small;
Small | summarize total = sum(x);
Small | fork Odd = (where x % 2 == 1) (where x == 2)";
    assert_eq!(
        results_on(&Catalog::new(), query),
        expected(&[
            ("Small", "x:long\n1\n2\n3"),
            ("Table 2", "total:long\n6"),
            ("Odd", "x:long\n1\n3"),
            ("Table 4", "x:long\n2"),
        ])
    );
    assert_eq!(
        several_results(query),
        Some((
            "the batch of 3 statements".to_string(),
            ["Small", "Table 2", "Odd", "Table 4"]
                .map(String::from)
                .to_vec()
        ))
    );
    // A lone statement keeps its single unnamed table, as before.
    assert_eq!(
        results_on(&Catalog::new(), "print a = 1"),
        vec![(None, "a:long\n1".to_string())]
    );
    assert_eq!(several_results("print a = 1"), None);
}

/// `set query_take_max_records` cuts every table of a batch.
#[test]
fn take_max_records_cuts_every_statement() {
    let query = "set query_take_max_records = 2;
range x from 1 to 5 step 1;
range y from 10 to 50 step 10";
    assert_eq!(
        results_on(&Catalog::new(), query),
        expected(&[("Table 1", "x:long\n1\n2"), ("Table 2", "y:long\n10\n20")])
    );
}

/// The statements a batch cannot hold, each refused at its first word.
#[test]
fn malformed_batches_are_refused_with_a_caret() {
    assert_eq!(
        error_on(&Catalog::new(), "print a = 1;\nlet x = 2;\nprint x"),
        tidy_error(
            "error: a 'let' statement after a tabular statement: Quarry reads a query's 'let' statements before its first tabular statement; move this one above it
              --> line 2, column 1
               |
             2 | let x = 2;
               | ^^^"
        )
    );
    assert_eq!(
        error_on(&Catalog::new(), "print a = 1\nprint b = 2"),
        tidy_error(
            "error: unexpected 'print': expected '|' or the end of the query
              --> line 2, column 1
               |
             2 | print b = 2
               | ^^^^^"
        )
    );
    assert_eq!(
        error_on(
            &Catalog::new(),
            "print a = 1;\nrestrict access to (T);\nprint b = 2"
        ),
        tidy_error(
            "error: a 'restrict' statement after a tabular statement: it restricts only the statements after it, so write it before the first
              --> line 2, column 1
               |
             2 | restrict access to (T);
               | ^^^^^^^^"
        )
    );
    // Only a statement's last operator may make several tables.
    assert_eq!(
        error_on(
            &Catalog::new(),
            "print a = 1 | fork (take 1) (take 1) | count;\nprint b = 2"
        ),
        tidy_error(
            "error: fork makes several results, so it must be the last operator of the query
              --> line 1, column 15
               |
             1 | print a = 1 | fork (take 1) (take 1) | count;
               |               ^^^^"
        )
    );
}

/// `quarry query` prints every table of a batch under its name.
#[test]
fn the_command_line_prints_a_batch() {
    use assert_cmd::prelude::*;
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("Storms.csv"),
        "State,Deaths\nFLORIDA,2\nTEXAS,0\nFLORIDA,0\n",
    )
    .expect("writes");
    let out = std::process::Command::cargo_bin("quarry")
        .expect("the binary")
        .arg("query")
        .arg("--data")
        .arg(dir.path())
        .args(["--now", "2024-01-01T00:00:00Z"])
        .arg("Storms | where Deaths > 0 | as Deadly;\nStorms | summarize n = count() by State")
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "# Deadly (result 1 of 2)
State    Deaths
-------  ------
FLORIDA  2
(1 rows)

# Table 2 (result 2 of 2)
State    n
-------  -
FLORIDA  2
TEXAS    1
(2 rows)
"
    );
}

/// restrict-statement.md, "Prevent user from querying other user data":
/// the user's part of the query reads the view, and only the view.
#[test]
fn restrict_to_a_view_of_one_user() {
    let model = r#"let RestrictedData = view () { Data | where UserID == "username@domain.com" };
restrict access to (RestrictedData);
"#;
    let c = catalog();
    assert_eq!(
        results_on(
            &c,
            &format!("{model}RestrictedData | summarize MonthlySalary=sum(Salary) by Year, Month")
        ),
        vec![(
            None,
            tidy(
                "Year:long | Month:long | MonthlySalary:long
                2024 | 1 | 150
                2024 | 2 | 120"
            )
        )]
    );
    assert_eq!(
        error_on(&c, &format!("{model}Data | count")),
        tidy_error(
            "error: 'restrict access to (RestrictedData)' hides 'Data' from the rest of the query: it may reference only the entities listed
              --> line 3, column 1
               |
             3 | Data | count
               | ^^^^"
        )
    );
}

/// restrict-statement.md's last examples: views defined before the
/// statement read tables it does not list; the query after it may not.
#[test]
fn restrict_to_views_over_tables() {
    let model = "let View1 = view () { Table1 | project Column1 };
let View2 = view () { Table2 | project Column1, Column2 };
restrict access to (View1, View2);
";
    let c = catalog();
    assert_eq!(
        results_on(&c, &format!("{model}View1 |  count")),
        vec![(None, "Count:long\n3".to_string())]
    );
    assert_eq!(
        error_on(&c, &format!("{model}Table1 |  count")),
        tidy_error(
            "error: 'restrict access to (View1, View2)' hides 'Table1' from the rest of the query: it may reference only the entities listed
              --> line 4, column 1
               |
             4 | Table1 |  count
               | ^^^^^^"
        )
    );
    // A view defined after the statement is part of the rest of the query.
    assert_eq!(
        error_on(
            &c,
            &format!("{model}let Mine = view () {{ Table2 }};\nunion View1, Mine")
        ),
        tidy_error(
            "error: 'restrict access to (View1, View2)' hides 'Table2' from the rest of the query: it may reference only the entities listed
              --> line 4, column 22
               |
             4 | let Mine = view () { Table2 };
               |                      ^^^^^^"
        )
    );
    // Scalar lets are no tables or views: they stay visible.
    assert_eq!(
        results_on(
            &c,
            "let n = 2;\nlet V = view () { Table1 };\nrestrict access to (V);\nV | take n | project Column1"
        ),
        vec![(
            None,
            tidy(
                r#"Column1:string
            "a"
            "b""#
            )
        )]
    );
}

/// restrict-statement.md, "Let statement" and "Patterns": a bare `*`
/// leaves the `let`s visible and no table; the page's `Test` view.
#[test]
fn restrict_to_let_patterns() {
    let c = catalog();
    assert_eq!(
        results_on(
            &c,
            "let Test = () { range x from 1 to 10 step 1 };\nrestrict access to (Test);\nTest | summarize sum(x)"
        ),
        vec![(None, "sum_x:long\n55".to_string())]
    );
    let lets =
        "let Test1 = () { print x=1 };\nlet Test2 = () { print y=1 };\nrestrict access to (*);\n";
    assert_eq!(
        results_on(&c, &format!("{lets}union Test1, Test2")),
        vec![(None, "x:long | y:long\n1 | null\nnull | 1".to_string())]
    );
    assert_eq!(
        error_on(&c, &format!("{lets}Table1")),
        tidy_error(
            "error: 'restrict access to (*)' hides 'Table1' from the rest of the query: it may reference only the entities listed
              --> line 4, column 1
               |
             4 | Table1
               | ^^^^^^"
        )
    );
    // `Test*` is a pattern of lets too.
    assert_eq!(
        error_on(
            &c,
            "let Test1 = () { print x=1 };\nlet Other = () { print y=1 };\nrestrict access to (Test*);\nOther"
        ),
        tidy_error(
            "error: 'restrict access to (Test*)' hides 'Other' from the rest of the query: it may reference only the entities listed
              --> line 4, column 1
               |
             4 | Other
               | ^^^^^"
        )
    );
}

/// restrict-statement.md, "Tables or functions": `database().Table1` is
/// the local `Table1`; `database().*` every local table and no `let`;
/// wildcards and `search` see only what is listed; another database is
/// refused.
#[test]
fn restrict_to_tables_of_the_database() {
    let c = catalog();
    assert_eq!(
        results_on(
            &c,
            "restrict access to (database().Table1);\nTable1 | count"
        ),
        vec![(None, "Count:long\n3".to_string())]
    );
    assert_eq!(
        results_on(
            &c,
            "restrict access to (database().Table1);\nunion withsource=T Table* | summarize count() by T"
        ),
        vec![(
            None,
            tidy(
                r#"T:string | count_:long
            "Table1" | 3"#
            )
        )]
    );
    let search = "search \"a\" or \"x\" | distinct $table";
    assert_eq!(
        results_on(&c, search),
        vec![(
            None,
            tidy(
                r#"$table:string
            "Table1"
            "Table2""#
            )
        )]
    );
    assert_eq!(
        results_on(
            &c,
            &format!("restrict access to (database().Table1);\n{search}")
        ),
        vec![(
            None,
            tidy(
                r#"$table:string
            "Table1""#
            )
        )]
    );
    assert_eq!(
        results_on(
            &c,
            "restrict access to (database().*);\nunion Table1, Table2 | count"
        ),
        vec![(None, "Count:long\n5".to_string())]
    );
    assert_eq!(
        error_on(
            &c,
            "let V = view () { Table1 };\nrestrict access to (database().*);\nV"
        ),
        tidy_error(
            "error: 'restrict access to (database().*)' hides 'V' from the rest of the query: it may reference only the entities listed
              --> line 3, column 1
               |
             3 | V
               | ^"
        )
    );
    assert_eq!(
        error_on(
            &c,
            "restrict access to (database().Table1, database('DB2').Table2);\nTable1 | count"
        ),
        tidy_error(
            "error: 'database('DB2')' in a restrict statement: Quarry has one local database, so it can allow only its own tables (database().Name, database().*, or Name)
              --> line 1, column 40
               |
             1 | restrict access to (database().Table1, database('DB2').Table2);
               |                                        ^^^^^^^^^^^^^^^"
        )
    );
    assert_eq!(
        error_on(
            &c,
            "restrict access to (Table1);\nrestrict access to (Table2);\nTable1"
        ),
        tidy_error(
            "error: a second 'restrict access to' statement: the query already has 'restrict access to (Table1)'; list every entity in one
              --> line 2, column 1
               |
             2 | restrict access to (Table2);
               | ^^^^^^^^"
        )
    );
    assert_eq!(
        check(
            "let V = view () { Table1 };\nrestrict access to (V, database().Table2);\nV | join Table2 on Column1",
            &[]
        ),
        Ok(())
    );
}

/// A pattern declared before `restrict` and not listed is hidden too.
#[test]
fn restrict_hides_undeclared_patterns() {
    let query = r#"declare pattern portal = (applicationId:string)[eventType:string] {
    ("a1").["Visits"] = { print v = 1 };
};
restrict access to (Other);
portal("a1").Visits"#;
    assert_eq!(
        error_on(&Catalog::new(), query),
        tidy_error(
            "error: 'restrict access to (Other)' hides 'portal' from the rest of the query: it may reference only the entities listed
              --> line 5, column 1
               |
             5 | portal(\"a1\").Visits
               | ^^^^^^"
        )
    );
    let allowed = query.replace("(Other)", "(portal)");
    assert_eq!(
        results_on(&Catalog::new(), &allowed),
        vec![(None, "v:long\n1".to_string())]
    );
}

/// The old argmin-aggfunction.md's examples on a local `Supplies` and
/// `PageViewLog`: the deprecated aggregates prefix every column they
/// name (`min_Price`, `min_Price_Supplier`), unless the query names them.
#[test]
fn deprecated_argmin_and_argmax() {
    let supplies = r#"let Supplies = datatable(Product:string, Supplier:string, Price:long, Stock:long) [
    "apple", "Acme", 5, 10,
    "apple", "Bolt", 3, 0,
    "pear", "Acme", 7, 4,
    "pear", "Cork", 9, 1,
];
"#;
    let c = Catalog::new();
    assert_eq!(
        results_on(
            &c,
            &format!("{supplies}Supplies | summarize argmin(Price, Supplier) by Product")
        ),
        vec![(
            None,
            tidy(
                r#"Product:string | min_Price:long | min_Price_Supplier:string
            "apple" | 3 | "Bolt"
            "pear" | 7 | "Acme""#
            )
        )]
    );
    assert_eq!(
        results_on(
            &c,
            &format!("{supplies}Supplies | summarize argmin(Price, *) by Product")
        ),
        vec![(
            None,
            tidy(
                r#"Product:string | min_Price:long | min_Price_Supplier:string | min_Price_Stock:long
            "apple" | 3 | "Bolt" | 0
            "pear" | 7 | "Acme" | 4"#
            )
        )]
    );
    assert_eq!(
        results_on(
            &c,
            &format!(
                "{supplies}Supplies | summarize argmax(Price, Supplier), Cheapest = argmin(Price, *)"
            )
        ),
        vec![(
            None,
            tidy(
                r#"max_Price:long | max_Price_Supplier:string | Cheapest:long | min_Price_Product:string | min_Price_Supplier:string | min_Price_Stock:long
            9 | "Cork" | 3 | "apple" | "Bolt" | 0"#
            )
        )]
    );
    let pages = r#"let PageViewLog = datatable(continent:string, City:string, country:string, latitude:real) [
    "Europe", "Oslo", "Norway", 59.91,
    "Europe", "Valletta", "Malta", 35.9,
    "Africa", "Cairo", "Egypt", 30.04,
    "Africa", "Cape Town", "South Africa", -33.92,
];
"#;
    assert_eq!(
        results_on(
            &c,
            &format!(
                "{pages}PageViewLog\n| summarize (latitude, City, country)=argmin(latitude, City, country)\n    by continent"
            )
        ),
        vec![(
            None,
            tidy(
                r#"continent:string | latitude:real | City:string | country:string
            "Europe" | 35.9 | "Valletta" | "Malta"
            "Africa" | -33.92 | "Cape Town" | "South Africa""#
            )
        )]
    );
    assert_eq!(
        check(
            &format!("{supplies}Supplies | summarize argmax(Price, *) by Product"),
            &[]
        ),
        Ok(())
    );
}

/// Stored functions are entities of the database too: a tabular one is
/// visible only when listed (`database().Name` or `Name`), a scalar one
/// is no table or view and stays visible.
#[test]
fn restrict_hides_unlisted_stored_functions() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    std::fs::write(
        dir.path().join("functions.kql"),
        ".create function FirstRow() { Table1 | take 1 }\n.create function Double(x:long) { x * 2 }\n",
    )
    .expect("writes");
    let options = RunOptions {
        functions: std::sync::Arc::new(quarry::kql::stored::load(&[dir.path().to_path_buf()])),
        ..RunOptions::default()
    };
    let c = catalog();
    let run_with = |query: &str| {
        run_results(&c, query, &options)
            .map(|r| r.into_iter().map(|t| render(&t.frame)).collect::<Vec<_>>())
    };
    assert_eq!(
        run_with(
            "restrict access to (database().FirstRow);\nFirstRow() | extend d = Double(Column2)"
        ),
        Ok(vec![tidy(
            r#"Column1:string | Column2:long | d:long
            "a" | 1 | 2"#
        )])
    );
    let query = "restrict access to (Table1);\nFirstRow()";
    assert_eq!(
        run_with(query).map_err(|e| e.render(query)),
        Err(tidy_error(
            "error: 'restrict access to (Table1)' hides 'FirstRow' from the rest of the query: it may reference only the entities listed
              --> line 2, column 1
               |
             2 | FirstRow()
               | ^^^^^^^^"
        ))
    );
}

/// The workbench's runner keeps the restriction as `run` does.
#[test]
fn the_workbench_runner_keeps_the_restriction() {
    let c = catalog();
    let query = "restrict access to (database().Table1);\nTable2 | take 1";
    let got = quarry::kql::run_rows(&c, query, &RunOptions::default(), None)
        .map(|_| ())
        .map_err(|e| e.render(query));
    assert_eq!(
        got,
        Err(tidy_error(
            "error: 'restrict access to (database().Table1)' hides 'Table2' from the rest of the query: it may reference only the entities listed
              --> line 2, column 1
               |
             2 | Table2 | take 1
               | ^^^^^^"
        ))
    );
}
