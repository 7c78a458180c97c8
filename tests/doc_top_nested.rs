//! `top-nested`: the documentation's self-contained example, and the
//! documented semantics (several levels, no count, `with others`, named and
//! default columns, `asc`) on small tables whose results were worked out by
//! hand. Malformed clauses get a caret error; `quarry check` knows the
//! operator.

use crate::common;

use common::{error, table};
use quarry::kql::check::check;

/// top-nested-operator.md, "Latest records per identity with other column
/// data", as printed there.
const IDENTITIES: &str = r#"datatable(id: string, timestamp: datetime, otherInformation: string) // Create a source datatable.
[
    "Barak", datetime(2015-01-01), "1",
    "Barak", datetime(2016-01-01), "2",
    "Barak", datetime(2017-01-20), "3",
    "Donald", datetime(2017-01-20), "4",
    "Donald", datetime(2017-01-18), "5",
    "Donald", datetime(2017-01-19), "6"
]
| top-nested of id by Ignore0=max(1),                     // Partition the data by each unique value of id.
  top-nested 2 of timestamp by Ignore1=max(timestamp),    // Get the 2 most recent events for each state.
  top-nested of otherInformation by Ignore2=max(1)        // Append otherInformation for each event.
| project-away Ignore0, Ignore1, Ignore2                  // Remove the unnecessary aggregation columns.
"#;

#[test]
fn latest_records_per_identity() {
    // Kusto promises no row order; Quarry gives the hierarchy's order:
    // each id (in order of appearance, their aggregates tie), its two
    // latest timestamps newest first.
    table(
        IDENTITIES,
        r#"id:string | timestamp:datetime | otherInformation:string
        "Barak" | 2017-01-20T00:00:00.0000000Z | "3"
        "Barak" | 2016-01-01T00:00:00.0000000Z | "2"
        "Donald" | 2017-01-20T00:00:00.0000000Z | "4"
        "Donald" | 2017-01-19T00:00:00.0000000Z | "6""#,
    );
    // The documentation's printed order is by timestamp, then id.
    table(
        &format!("{IDENTITIES}| order by timestamp asc, id asc"),
        r#"id:string | timestamp:datetime | otherInformation:string
        "Barak" | 2016-01-01T00:00:00.0000000Z | "2"
        "Donald" | 2017-01-19T00:00:00.0000000Z | "6"
        "Barak" | 2017-01-20T00:00:00.0000000Z | "3"
        "Donald" | 2017-01-20T00:00:00.0000000Z | "4""#,
    );
}

/// A small storm table: State K sums 30, T 27, O1 2, O2 7.
const STORMS: &str = r#"let Storms = datatable(State: string, Source: string, EndLocation: string, BeginLat: real)
[
    "K", "LE", "A", 10,  "K", "LE", "B", 3,  "K", "P", "C", 8,  "K", "P", "D", 5,  "K", "TS", "E", 4,
    "T", "P", "F", 20,  "T", "LE", "G", 6,  "T", "X", "H", 1,
    "O1", "P", "I", 2,  "O2", "LE", "J", 7
];
"#;

#[test]
fn levels_give_two_columns_each_in_clause_order() {
    // K's sources LE and P tie at 13: the first seen ranks first.
    table(
        &format!(
            "{STORMS}Storms
            | top-nested 2 of State by sum(BeginLat),
              top-nested 2 of Source by sum(BeginLat),
              top-nested 1 of EndLocation by sum(BeginLat)"
        ),
        r#"State:string | aggregated_State:real | Source:string | aggregated_Source:real | EndLocation:string | aggregated_EndLocation:real
        "K" | 30 | "LE" | 13 | "A" | 10
        "K" | 30 | "P" | 13 | "C" | 8
        "T" | 27 | "P" | 20 | "F" | 20
        "T" | 27 | "LE" | 6 | "G" | 6"#,
    );
}

#[test]
fn with_others_adds_the_rest_of_each_level() {
    // As documented: the rest of the states gets "All Other States" and
    // its sum; a level without `with others` shows its rest empty, and the
    // deepest level's `with others` gives each rest its own row and total.
    table(
        &format!(
            r#"{STORMS}Storms
            | top-nested 2 of State with others = "All Other States" by sum(BeginLat),
              top-nested 2 of Source by sum(BeginLat),
              top-nested 1 of EndLocation with others = "All Other End Locations" by sum(BeginLat)"#
        ),
        r#"State:string | aggregated_State:real | Source:string | aggregated_Source:real | EndLocation:string | aggregated_EndLocation:real
        "K" | 30 | "LE" | 13 | "A" | 10
        "K" | 30 | "LE" | 13 | "All Other End Locations" | 3
        "K" | 30 | "P" | 13 | "C" | 8
        "K" | 30 | "P" | 13 | "All Other End Locations" | 5
        "K" | 30 | "" | null | "All Other End Locations" | 4
        "T" | 27 | "P" | 20 | "F" | 20
        "T" | 27 | "LE" | 6 | "G" | 6
        "T" | 27 | "" | null | "All Other End Locations" | 1
        "All Other States" | 9 | "" | null | "All Other End Locations" | 9"#,
    );
    // One level: the others row follows the top values.
    table(
        &format!(
            r#"{STORMS}Storms
            | top-nested 2 of State with others = "OtherStates" by sum(BeginLat)"#
        ),
        r#"State:string | aggregated_State:real
        "K" | 30
        "T" | 27
        "OtherStates" | 9"#,
    );
    // A rest carries on through the clauses below it, empty where they
    // have no `with others`.
    table(
        &format!(
            r#"{STORMS}Storms
            | top-nested 2 of State with others = "rest" by sum(BeginLat),
              top-nested 1 of Source by sum(BeginLat)"#
        ),
        r#"State:string | aggregated_State:real | Source:string | aggregated_Source:real
        "K" | 30 | "LE" | 13
        "T" | 27 | "P" | 20
        "rest" | 9 | "" | null"#,
    );
    // A numeric value's others value is a number of its type.
    table(
        "range x from 1 to 10 step 1
        | top-nested 2 of k = x % 3 with others = -1 by count()",
        r#"k:long | aggregated_k:long
        1 | 4
        2 | 3
        -1 | 3"#,
    );
}

#[test]
fn without_a_count_every_value_is_kept() {
    // The documentation's "include data from other columns" recipe.
    table(
        &format!(
            "{STORMS}Storms
            | top-nested 1 of State by sum(BeginLat),
              top-nested of EndLocation by Ignore = max(1)
            | project-away Ignore"
        ),
        r#"State:string | aggregated_State:real | EndLocation:string
        "K" | 30 | "A"
        "K" | 30 | "B"
        "K" | 30 | "C"
        "K" | 30 | "D"
        "K" | 30 | "E""#,
    );
}

#[test]
fn names_direction_and_arithmetic_of_aggregates() {
    // k=0 holds 3, 6, 9 (mean 6); k=1 holds 1, 4, 7, 10 (5.5); k=2 holds
    // 2, 5, 8 (5). `asc` keeps the smallest means.
    table(
        "range x from 1 to 10 step 1
        | top-nested 2 of k = x % 3 by m = sum(x) * 1.0 / count() asc,
          top-nested of odd = x % 2 == 1 by count()",
        r#"k:long | m:real | odd:bool | aggregated_odd:long
        2 | 5 | false | 2
        2 | 5 | true | 1
        1 | 5.5 | true | 2
        1 | 5.5 | false | 2"#,
    );
    // `bin(x, 2)` is named after x, as in summarize; an unnamed expression
    // is Column1, and a name taken twice gets a suffix.
    table(
        "range x from 1 to 4 step 1
        | top-nested 1 of x % 2 by sum(x), top-nested 1 of bin(x, 2) by sum(x), top-nested 1 of x by sum(x)",
        r#"Column1:long | aggregated_Column1:long | x:long | aggregated_x:long | x1:long | aggregated_x1:long
        0 | 6 | 4 | 4 | 4 | 4"#,
    );
}

#[test]
fn no_rows_give_no_rows() {
    table(
        "range x from 1 to 3 step 1 | where x > 5 | top-nested 2 of x with others = 0 by count()",
        "x:long | aggregated_x:long",
    );
    table(
        "range x from 1 to 3 step 1 | top-nested 0 of x by count()",
        "x:long | aggregated_x:long",
    );
}

#[test]
fn malformed_clauses_get_a_caret() {
    // (query, message, the last occurrence of the text the caret is under,
    // "" for the end of the query, and the caret's width)
    for (query, message, at, width) in [
        (
            "print a=1 | top-nested",
            "expected a count or 'of' after 'top-nested'",
            "",
            1,
        ),
        (
            "print a=1 | top-nested 3 a by count()",
            "expected 'of' after '3'",
            "a by",
            1,
        ),
        (
            "print a=1 | top-nested 3 of a",
            "expected 'by' after 'a'",
            "",
            1,
        ),
        (
            "print a=1 | top-nested 3 of a with by count()",
            "expected 'others' after 'with'",
            "by",
            2,
        ),
        (
            "print a=1 | top-nested 3 of a with others \"x\" by count()",
            "expected '=' and the value of the others row after 'others'",
            "\"x\"",
            3,
        ),
        (
            "print a=1 | top-nested 3 of a by count(), top 2 of a by count()",
            "expected 'top-nested' after ','",
            "top 2",
            3,
        ),
        (
            "print a=1 | top-nested 3 of a by a",
            "top-nested ranks by an aggregation such as count(), sum(x), max(x) or an arithmetic of them",
            "a",
            1,
        ),
        (
            "print a=1 | top-nested 3 of a with others=\"x\" by count()",
            "the 'with others' value must be of the type of the clause's values (long)",
            "\"x\"",
            3,
        ),
        (
            "print a=1 | top-nested \"x\" of a by count()",
            "top-nested's count must be a number, not string",
            "\"x\"",
            3,
        ),
    ] {
        let column = if at.is_empty() {
            query.len()
        } else {
            query.rfind(at).expect("the caret's text is in the query")
        };
        let caret = format!("  | {}{}", " ".repeat(column), "^".repeat(width));
        let e = error(query);
        assert!(e.contains(&format!("error: {message}\n")), "{e}");
        assert!(e.lines().any(|l| l == caret), "{e}\nwanted:\n{caret}");
    }
}

#[test]
fn check_knows_top_nested() {
    assert!(
        check(
            "DeviceProcessEvents | top-nested 3 of DeviceName by count(), top-nested 2 of FileName with others = \"rest\" by dcount(SHA1) asc",
            &[],
        )
        .is_ok()
    );
    let q = "T | top-nested 3 of DeviceName by no_such_aggregate(x)";
    let e = check(q, &[]).expect_err("an unknown aggregate");
    assert!(
        e.render(q).contains("unknown function 'no_such_aggregate'"),
        "{}",
        e.render(q)
    );
}
