//! `project-by-names`: the documentation's examples (project-by-names-operator.md)
//! with their printed output, and the errors for specifiers that are not
//! names.

use crate::common;

use common::{assert_table, render};
use quarry::data::catalog::Catalog;
use quarry::kql::{RunOptions, check::check, run};

#[track_caller]
fn table(query: &str, expected: &str) {
    let got = run(&Catalog::new(), query, &RunOptions::default())
        .map(|f| render(&f))
        .unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    assert_table(query, &got, expected);
}

/// The error a query gives, rendered with its caret.
#[track_caller]
fn error(query: &str) -> String {
    match run(&Catalog::new(), query, &RunOptions::default()) {
        Ok(f) => panic!("{query} ran: {f:?}"),
        Err(e) => e.render(query),
    }
}

const PETER: &str = "datatable(Name:string, Age:int, City:string, Country:string) 
['Peter', 39, 'New York', 'USA']
";

#[test]
fn names_arrays_and_patterns() {
    table(
        &format!("{PETER}| project-by-names \"Name\", \"City\""),
        r#"Name:string | City:string
        "Peter" | "New York""#,
    );
    table(
        &format!("{PETER}| project-by-names dynamic([\"Name\", \"Country\"])"),
        r#"Name:string | Country:string
        "Peter" | "USA""#,
    );
    table(
        &format!("{PETER}| project-by-names \"C*\""),
        r#"City:string | Country:string
        "New York" | "USA""#,
    );
    // In the order named; a column named twice comes once, where first named.
    table(
        &format!("{PETER}| project-by-names \"Country\", \"*\""),
        r#"Country:string | Name:string | Age:int | City:string
        "USA" | "Peter" | 39 | "New York""#,
    );
}

/// The documentation's lookup examples: `column_names_of(Source)` and an
/// array parameter, with a name that matches nothing.
#[test]
fn lookup_columns_by_names() {
    let query = |columns: &str| {
        format!(
            "let LookupTable = 
    datatable(Name:string, Age:int, City:string, Country:string)
    ['Peter', 39, 'New York', 'USA']; 
let LookupColumns = (Source:(Name:string), lookup_columns: dynamic) {{ 
    Source 
    | lookup LookupTable on Name
    | project-by-names column_names_of(Source), lookup_columns
}};
datatable(Name:string, Data:string)
['Peter', 'Source-data']
| invoke LookupColumns(dynamic({columns}))"
        )
    };
    let expected = r#"Name:string | Data:string | Country:string
        "Peter" | "Source-data" | "USA""#;
    table(&query("['Country']"), expected);
    table(&query("['Country', 'NonExistent']"), expected);
}

#[test]
fn specifiers_that_are_not_names_are_refused_with_a_caret() {
    let e = error(&format!("{PETER}| project-by-names Name"));
    assert!(
        e.contains(
            "error: project-by-names takes column names: strings, patterns such as \"C*\" or arrays of them, not a column's values (quote a column name: \"Name\")"
        ),
        "{e}"
    );
    assert!(e.ends_with(&format!("\n  | {}^^^^", " ".repeat(19))), "{e}");
    let e = error(&format!("{PETER}| project-by-names dynamic([1])"));
    assert!(e.contains("not the array element 1"), "{e}");
    assert!(
        e.ends_with(&format!("\n  | {}{}", " ".repeat(19), "^".repeat(12))),
        "{e}"
    );
    let e = error(&format!("{PETER}| project-by-names"));
    assert!(
        e.contains(
            "error: expected a column name, a pattern or an array of names after 'project-by-names'"
        ),
        "{e}"
    );
    assert!(e.ends_with(&format!("\n  | {}^", " ".repeat(18))), "{e}");
}

#[test]
fn check_knows_project_by_names() {
    assert!(check("T | project-by-names \"A*\", column_names_of(T)", &[]).is_ok());
}
