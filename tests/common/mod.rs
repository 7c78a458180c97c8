//! Helpers shared by the KQL test suites: results rendered as compact text
//! tables, so expected results read like the tables they describe.

use polars::prelude::*;
use quarry::data::types::KqlType;
use quarry::kql::value::Scalar;

/// One cell as text: strings quoted, nulls `null`, dynamic as JSON.
pub fn cell(s: &Series, i: usize) -> String {
    match Scalar::from_series(s, i) {
        Scalar::Null(_) => "null".into(),
        Scalar::String(t) => format!("{t:?}"),
        Scalar::Dynamic(j) => j.to_string(),
        other => other.to_text().into_owned(),
    }
}

/// A frame as a compact text table: `name:type | ...`, then the rows.
pub fn render(frame: &DataFrame) -> String {
    let cols = frame.columns();
    let header: Vec<String> = cols
        .iter()
        .map(|c| {
            format!(
                "{}:{}",
                c.name(),
                KqlType::of(c.dtype()).map_or("?", |k| k.name())
            )
        })
        .collect();
    let mut out = header.join(" | ");
    for i in 0..frame.height() {
        let row: Vec<String> = cols
            .iter()
            .map(|c| cell(c.as_materialized_series(), i))
            .collect();
        out.push('\n');
        out.push_str(&row.join(" | "));
    }
    out
}

/// The expected table as written in a test: lines trimmed, blank lines gone.
#[allow(dead_code)] // not every suite writes expected tables
pub fn tidy(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that a query's rendered result is the expected table (written
/// as in a test: see [`tidy`]).
#[allow(dead_code)] // not every suite checks rendered tables
#[track_caller]
pub fn assert_table(query: &str, got: &str, expected: &str) {
    assert_eq!(
        got,
        tidy(expected),
        "\nquery: {query}\n--- got ---\n{got}\n"
    );
}

/// A query's result on an empty catalog, as a text table.
#[allow(dead_code)] // not every suite runs queries without tables
pub fn try_run(query: &str) -> Result<String, quarry::kql::QueryError> {
    quarry::kql::run(
        &quarry::data::catalog::Catalog::new(),
        query,
        &quarry::kql::RunOptions::default(),
    )
    .map(|f| render(&f))
}

/// Asserts a query's result on an empty catalog.
#[allow(dead_code)]
#[track_caller]
pub fn table(query: &str, expected: &str) {
    let got = try_run(query).unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    assert_table(query, &got, expected);
}

/// The error a query gives on an empty catalog, rendered with its caret.
#[allow(dead_code)]
#[track_caller]
pub fn error(query: &str) -> String {
    match try_run(query) {
        Ok(t) => panic!("{query} ran:\n{t}"),
        Err(e) => e.render(query),
    }
}

/// The column names and every row (typed) of a query's result on an empty
/// catalog, for comparing with a documentation page's printed table.
#[allow(dead_code)]
#[track_caller]
pub fn typed_table(query: &str) -> (Vec<String>, Vec<Vec<quarry::kql::value::Scalar>>) {
    let f = quarry::kql::run(
        &quarry::data::catalog::Catalog::new(),
        query,
        &quarry::kql::RunOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    let names = f.get_column_names().iter().map(|n| n.to_string()).collect();
    let rows = (0..f.height())
        .map(|i| {
            f.columns()
                .iter()
                .map(|c| quarry::kql::value::Scalar::from_series(c.as_materialized_series(), i))
                .collect()
        })
        .collect();
    (names, rows)
}

/// A catalog of tables, each named and made by a query on no tables (a
/// `datatable`, a `range`).
#[track_caller]
pub fn catalog_of(tables: &[(&str, &str)]) -> quarry::data::catalog::Catalog {
    use quarry::data::catalog::{Catalog, Table};
    let mut c = Catalog::new();
    for (name, query) in tables {
        let frame = quarry::kql::run(&Catalog::new(), query, &quarry::kql::RunOptions::default())
            .unwrap_or_else(|e| panic!("{name}: {}", e.render(query)));
        c.insert(Table {
            name: name.to_string(),
            frame,
            files: vec![],
            warnings: Vec::new(),
        });
    }
    c
}
