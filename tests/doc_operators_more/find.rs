//! `find`.

use polars::df;
use quarry::data::catalog::Table;
use serde_json::json;

use super::*;

// --- find ---------------------------------------------------------------------

/// find-operator.md's EventsTable1 and EventsTable2, loaded as tables.
fn events_catalog() -> Catalog {
    let session = "acbd207d-51aa-4df7-bfa7-be70eb68f04e";
    let one = df!(
        "Session_Id" => [session, session, "28b8e46e-3c31-43cf-83cb-48921c3986fc", "8f057b11-3281-45c3-a856-05ebb18a3c59"],
        "Level" => ["Information", "Error", "Error", "Information"],
        "EventText" => ["Some Text1", "Some Text2", "Some Text3", "Some Text4"],
        "Version" => ["v1.0.0", "v1.0.0", "v1.0.1", "v1.1.0"],
    )
    .expect("a frame");
    let two = df!(
        "Session_Id" => ["f7d5f95f-f580-4ea6-830b-5776c8d64fdd", session, session, "15eaeab5-8576-4b58-8fc6-478f75d8fee4"],
        "Level" => ["Information", "Information", "Error", "Error"],
        "EventText" => ["Some Other Text1", "Some Other Text2", "Some Other Text3", "Some Other Text4"],
        "EventName" => ["Event1", "Event2", "Event3", "Event4"],
    )
    .expect("a frame");
    let mut catalog = Catalog::new();
    for (name, frame) in [("EventsTable1", one), ("EventsTable2", two)] {
        catalog.insert(Table {
            name: name.into(),
            frame,
            files: Vec::new(),
            warnings: Vec::new(),
        });
    }
    catalog
}

/// A query's typed result over `catalog`.
#[track_caller]
fn table_in(catalog: &Catalog, query: &str) -> (Vec<String>, Vec<Vec<Scalar>>) {
    let f = quarry::kql::run(catalog, query, &RunOptions::default())
        .unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
    let names = f.get_column_names().iter().map(|n| n.to_string()).collect();
    let rows = (0..f.height())
        .map(|i| {
            f.columns()
                .iter()
                .map(|c| Scalar::from_series(c.as_materialized_series(), i))
                .collect()
        })
        .collect();
    (names, rows)
}

const SESSION: &str = "acbd207d-51aa-4df7-bfa7-be70eb68f04e";

fn bag(value: serde_json::Value) -> Scalar {
    Scalar::Dynamic(value)
}

/// find-operator.md, "Examples of find output results": a projection with
/// `pack_all()` (the other columns in `pack_`), a predicate over columns
/// only one table has, project-smart (the predicate's columns and the
/// common ones, the rest packed), and `project pack_all()`.
#[test]
fn find_output_examples() {
    let catalog = events_catalog();
    assert_eq!(
        table_in(
            &catalog,
            "find in (EventsTable1, EventsTable2) 
     where Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e' and Level == 'Error' 
     project EventText, Version, EventName, pack_all()"
        ),
        (
            names(&["source_", "EventText", "Version", "EventName", "pack_"]),
            vec![
                vec![
                    s("EventsTable1"),
                    s("Some Text2"),
                    s("v1.0.0"),
                    s(""),
                    bag(json!({"Session_Id": SESSION, "Level": "Error"}))
                ],
                vec![
                    s("EventsTable2"),
                    s("Some Other Text3"),
                    s(""),
                    s("Event3"),
                    bag(json!({"Session_Id": SESSION, "Level": "Error"}))
                ],
            ]
        )
    );
    assert_eq!(
        table_in(
            &catalog,
            "find Version == 'v1.0.0' or EventName == 'Event1' project Session_Id, EventText, Version, EventName"
        ),
        (
            names(&["source_", "Session_Id", "EventText", "Version", "EventName"]),
            vec![
                vec![
                    s("EventsTable1"),
                    s(SESSION),
                    s("Some Text1"),
                    s("v1.0.0"),
                    s("")
                ],
                vec![
                    s("EventsTable1"),
                    s(SESSION),
                    s("Some Text2"),
                    s("v1.0.0"),
                    s("")
                ],
                vec![
                    s("EventsTable2"),
                    s("f7d5f95f-f580-4ea6-830b-5776c8d64fdd"),
                    s("Some Other Text1"),
                    s(""),
                    s("Event1")
                ],
            ]
        )
    );
    let smart = |table: &str, level: &str, text: &str, rest: serde_json::Value| {
        vec![s(table), s(SESSION), s(level), s(text), bag(rest)]
    };
    assert_eq!(
        table_in(
            &catalog,
            "find Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e'"
        ),
        (
            names(&["source_", "Session_Id", "Level", "EventText", "pack_"]),
            vec![
                smart(
                    "EventsTable1",
                    "Information",
                    "Some Text1",
                    json!({"Version": "v1.0.0"})
                ),
                smart(
                    "EventsTable1",
                    "Error",
                    "Some Text2",
                    json!({"Version": "v1.0.0"})
                ),
                smart(
                    "EventsTable2",
                    "Information",
                    "Some Other Text2",
                    json!({"EventName": "Event2"})
                ),
                smart(
                    "EventsTable2",
                    "Error",
                    "Some Other Text3",
                    json!({"EventName": "Event3"})
                ),
            ]
        )
    );
    let (columns, rows) = table_in(
        &catalog,
        "find Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e' project pack_all()",
    );
    assert_eq!(columns, names(&["source_", "pack_"]));
    assert_eq!(
        rows[3],
        vec![
            s("EventsTable2"),
            bag(
                json!({"Session_Id": SESSION, "Level": "Error", "EventText": "Some Other Text3", "EventName": "Event3"})
            )
        ]
    );
    assert_eq!(rows.len(), 4);
}

/// find-operator.md's other forms: a term over every table, a `view` in
/// the scope (named after its `let`), a wildcard with `withsource`.
#[test]
fn find_terms_views_and_wildcards() {
    let catalog = events_catalog();
    assert_eq!(
        table_in(&catalog, "find \"Text3\"").1,
        vec![
            vec![
                s("EventsTable1"),
                s("28b8e46e-3c31-43cf-83cb-48921c3986fc"),
                s("Error"),
                s("Some Text3"),
                bag(json!({"Version": "v1.0.1"}))
            ],
            vec![
                s("EventsTable2"),
                s(SESSION),
                s("Error"),
                s("Some Other Text3"),
                bag(json!({"EventName": "Event3"}))
            ],
        ]
    );
    let viewed = table_in(
        &catalog,
        "let PartialEventsTable1 = view() { EventsTable1 | where Level == 'Error' };
find in (PartialEventsTable1, EventsTable2) 
     where Session_Id == 'acbd207d-51aa-4df7-bfa7-be70eb68f04e'",
    );
    let sources: Vec<&Scalar> = viewed.1.iter().map(|r| &r[0]).collect();
    assert_eq!(
        sources,
        vec![
            &s("PartialEventsTable1"),
            &s("EventsTable2"),
            &s("EventsTable2")
        ]
    );
    assert_eq!(
        table_in(
            &catalog,
            "find withsource=Table in (Events*) where Level == 'Error' and EventText has 'Other' project EventText"
        ),
        (
            names(&["Table", "EventText"]),
            vec![
                vec![s("EventsTable2"), s("Some Other Text3")],
                vec![s("EventsTable2"), s("Some Other Text4")],
            ]
        )
    );
}

/// find-operator.md, "find acts as union": a column of two types is split
/// per type; the table where the predicate does not type-check has no
/// hits; `project ProcessId:string` converts.
#[test]
fn find_splits_a_column_of_two_types() {
    let mut catalog = Catalog::new();
    let one = df!("Level" => ["info", "warn"], "ProcessId" => ["1001", "abc"]).expect("a frame");
    let two = df!("Level" => ["error"], "ProcessId" => [1001i64]).expect("a frame");
    for (name, frame) in [("Table1", one), ("Table2", two)] {
        catalog.insert(Table {
            name: name.into(),
            frame,
            files: Vec::new(),
            warnings: Vec::new(),
        });
    }
    assert_eq!(
        table_in(
            &catalog,
            "find in (Table1, Table2) where ProcessId has '1001'"
        ),
        (
            names(&[
                "source_",
                "ProcessId_string",
                "ProcessId_long",
                "Level",
                "pack_"
            ]),
            vec![
                vec![
                    s("Table1"),
                    s("1001"),
                    Scalar::Null(quarry::data::types::KqlType::Long),
                    s("info"),
                    bag(json!({}))
                ],
                vec![s("Table2"), s(""), l(1001), s("error"), bag(json!({}))],
            ]
        )
    );
    assert_eq!(
        table_in(
            &catalog,
            "find in (Table1, Table2) where ProcessId == 1001 project Level, ProcessId:string"
        ),
        (
            names(&["source_", "Level", "ProcessId"]),
            vec![vec![s("Table2"), s("error"), s("1001")]]
        )
    );
}

#[test]
fn find_errors() {
    let catalog = events_catalog();
    let err = |q: &str| match quarry::kql::run(&catalog, q, &RunOptions::default()) {
        Ok(_) => panic!("{q} ran"),
        Err(e) => e.render(q),
    };
    assert_eq!(
        err("find in (EventsTabel1) where Level == 'Error'"),
        "error: unknown table 'EventsTabel1' (did you mean 'EventsTable1'?)
 --> line 1, column 10
  |
1 | find in (EventsTabel1) where Level == 'Error'
  |          ^^^^^^^^^^^^"
    );
    assert_eq!(
        err("EventsTable1 | find 'x'"),
        "error: 'find' starts a query; it cannot follow '|'
 --> line 1, column 16
  |
1 | EventsTable1 | find 'x'
  |                ^^^^"
    );
    assert_eq!(
        err("find in (database('x').T) where a"),
        "error: find in other databases or clusters is not supported yet
 --> line 1, column 10
  |
1 | find in (database('x').T) where a
  |          ^^^^^^^^"
    );
    assert_eq!(
        err("find in (EventsTable1) Level == 'Error'"),
        "error: expected 'where' and the predicate after ')'
 --> line 1, column 24
  |
1 | find in (EventsTable1) Level == 'Error'
  |                        ^^^^^"
    );
}
