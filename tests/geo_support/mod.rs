//! Helpers for the geo suites (tests/geo.rs, tests/geo_shapes.rs): run a
//! query, compare a table, and compare GeoJSON with the documentation's.
//!
//! Two notes on reading the documentation's tables:
//! - GeoJSON in the docs prints doubles with 17 significant digits
//!   (`-74.030012249838478`) where Quarry prints the shortest text that
//!   reads back as the same double (`-74.03001224983848`).
//!   [`check_geojson`] therefore compares the documented JSON and Quarry's
//!   as the doubles they denote, digit strings normalized on both sides.
//! - Real columns print with 15 significant digits in the docs
//!   (`1546754.35197381`); the tables hold Quarry's exact double, and
//!   [`docs_real`] checks that it rounds to the documented digits.

// Each suite uses some of these helpers.
#![allow(dead_code)]

use crate::common;
use common::render;
use polars::prelude::*;
use quarry::data::catalog::Catalog;
use quarry::kql::RunOptions;
use serde_json::Value as Json;

/// The result of a query on no tables; a query error fails the test with
/// the rendered error.
pub fn run(query: &str) -> DataFrame {
    match quarry::kql::run(&Catalog::new(), query, &RunOptions::default()) {
        Ok(frame) => frame,
        Err(e) => panic!("{}", e.render(query)),
    }
}

#[track_caller]
pub fn check(query: &str, expected: &str) {
    common::assert_table(query, &render(&run(query)), expected);
}

/// JSON text with every number outside a string rewritten as the shortest
/// text of the double it denotes, so equal doubles compare equal.
pub fn normalize_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut in_string = false;
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            if c == '\\' {
                out.extend(chars.next());
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if c == '-' || c.is_ascii_digit() {
            let mut number = String::from(c);
            while let Some(&d) = chars.peek() {
                if d.is_ascii_digit() || matches!(d, '.' | 'e' | 'E' | '+' | '-') {
                    number.push(d);
                    chars.next();
                } else {
                    break;
                }
            }
            let v: f64 = number.parse().expect("a JSON number");
            out.push_str(&v.to_string());
        } else {
            out.push(c);
        }
    }
    out
}

/// JSON as the documentation prints it (`<br>` for line breaks), parsed
/// with its numbers normalized.
pub fn doc_json(text: &str) -> Json {
    let text = text.replace("<br>", "\n");
    serde_json::from_str(&normalize_numbers(&text)).expect("documented JSON parses")
}

/// Asserts that the query's single dynamic value is the documented JSON
/// (`null` for a null result).
#[track_caller]
pub fn check_geojson(query: &str, documented: &str) {
    let frame = run(query);
    assert_eq!((frame.height(), frame.width()), (1, 1), "{query}");
    let column = frame.columns()[0].as_materialized_series();
    assert_eq!(
        column.dtype(),
        &DataType::Binary,
        "a dynamic column: {query}"
    );
    let got = common::cell(column, 0);
    let got_json = doc_json(&got);
    assert_eq!(
        got_json,
        doc_json(documented),
        "\nquery: {query}\ngot: {got}"
    );
}

/// Whether two JSON values have the same shape and numbers within `tol`.
pub fn near(a: &Json, b: &Json, tol: f64) -> bool {
    match (a, b) {
        (Json::Number(x), Json::Number(y)) => match (x.as_f64(), y.as_f64()) {
            (Some(x), Some(y)) => (x - y).abs() <= tol,
            _ => false,
        },
        (Json::Array(x), Json::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| near(x, y, tol))
        }
        (Json::Object(x), Json::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| near(v, w, tol)))
        }
        _ => a == b,
    }
}

/// The query's single dynamic value, parsed with its numbers normalized.
pub fn single_json(query: &str) -> Json {
    let frame = run(query);
    assert_eq!((frame.height(), frame.width()), (1, 1), "{query}");
    doc_json(&common::cell(
        frame.columns()[0].as_materialized_series(),
        0,
    ))
}

/// Like [`check_geojson`], with every coordinate within `tol` degrees of
/// the documented one: H3 outlines from `h3o` and from the H3 C library
/// Kusto uses can differ in the last bit of a double.
#[track_caller]
pub fn check_geojson_near(query: &str, documented: &str, tol: f64) {
    let got = single_json(query);
    assert!(
        near(&got, &doc_json(documented), tol),
        "\nquery: {query}\ngot: {got}"
    );
}

/// Asserts that two GeoJSON Features hold the same geometries in any
/// order (coordinates within `tol` degrees), for examples whose order of
/// geometries comes from a neighbor order Quarry does not reproduce.
#[track_caller]
pub fn same_geometries(got: &Json, documented: &Json, tol: f64) {
    let list = |f: &Json| {
        f["geometry"]["geometries"]
            .as_array()
            .expect("a geometry collection")
            .clone()
    };
    let (got, documented) = (list(got), list(documented));
    assert_eq!(got.len(), documented.len());
    for g in &got {
        assert!(
            documented.iter().any(|d| near(g, d, tol)),
            "not documented: {g}"
        );
    }
}

/// Asserts that `exact` rounds to the documented 15 significant digits.
#[track_caller]
pub fn docs_real(exact: f64, documented: &str) {
    let rounded: f64 = format!("{exact:.14e}").parse().expect("a number");
    let doc: f64 = documented.parse().expect("a number");
    assert_eq!(rounded, doc, "{exact} shown as {documented}");
}
