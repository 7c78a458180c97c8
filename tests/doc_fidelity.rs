//! Conformance cases for the documentation examples the harness
//! (`examples/doc_examples.rs`) found Quarry answering differently from
//! Microsoft's KQL reference: each runs the page's example and compares the
//! typed result with its printed **Output** table.

use polars::prelude::DataFrame;
use quarry::data::catalog::Catalog;
use quarry::kql::value::Scalar;
use quarry::kql::{QueryError, RunOptions, run};
use serde_json::{Value as Json, json};

use crate::common::typed_table as table;

fn try_run(query: &str) -> Result<DataFrame, QueryError> {
    run(&Catalog::new(), query, &RunOptions::default())
}

fn d(value: Json) -> Scalar {
    Scalar::Dynamic(value)
}

// --- make_list of arrays -------------------------------------------------------

/// geo-h3cell-rings-function.md: `make_list` of the rings (each an array
/// of cells) is one flat array of the cells, ring by ring.
#[test]
fn make_list_of_arrays_concatenates_their_elements() {
    let q = "print rings = geo_h3cell_rings('861f8894fffffff', 1)
| mv-apply rings on 
(
  summarize cells = make_list(rings)
)";
    let (names, rows) = table(q);
    assert_eq!(names, vec!["cells"]);
    assert_eq!(
        rows,
        vec![vec![d(json!([
            "861f8894fffffff",
            "861f88947ffffff",
            "861f8895fffffff",
            "861f88867ffffff",
            "861f8d497ffffff",
            "861f8d4b7ffffff",
            "861f8896fffffff"
        ]))]]
    );
}

/// geo-point-in-polygon-function.md builds a MultiPolygon's coordinates as
/// `make_list(pack_array(polygon.coordinates))`: one level of arrays is
/// taken apart, so each polygon is its rings, and the points inside any of
/// the polygons are found.
#[test]
fn make_list_of_packed_coordinates_builds_a_multipolygon() {
    let q = "let Polygons = datatable(polygon:dynamic)
[
    dynamic({\"type\":\"Polygon\",\"coordinates\":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}),
    dynamic({\"type\":\"Polygon\",\"coordinates\":[[[10,10],[12,10],[12,12],[10,12],[10,10]]]}),
];
let multipolygon = toscalar(
    Polygons
    | project individual_polygon = pack_array(polygon.coordinates)
    | summarize multipolygon_coordinates = make_list(individual_polygon)
    | project multipolygon = bag_pack(\"type\",\"MultiPolygon\", \"coordinates\", multipolygon_coordinates));
datatable(longitude:real, latitude:real, description:string)
[
    1.0, 1.0, 'in the first',
    11.0, 11.0, 'in the second',
    5.0, 5.0, 'in neither',
]
| where geo_point_in_polygon(longitude, latitude, multipolygon)
| extend coordinates = multipolygon.coordinates";
    let (names, rows) = table(q);
    assert_eq!(
        names,
        vec!["longitude", "latitude", "description", "coordinates"]
    );
    let coordinates = json!([
        [[[0, 0], [2, 0], [2, 2], [0, 2], [0, 0]]],
        [[[10, 10], [12, 10], [12, 12], [10, 12], [10, 10]]]
    ]);
    assert_eq!(
        rows,
        vec![
            vec![
                Scalar::Real(1.0),
                Scalar::Real(1.0),
                Scalar::String("in the first".into()),
                d(coordinates.clone())
            ],
            vec![
                Scalar::Real(11.0),
                Scalar::Real(11.0),
                Scalar::String("in the second".into()),
                d(coordinates)
            ],
        ]
    );
}

/// Values that are not arrays stay elements; `make_list_with_nulls` keeps
/// a null row as null; the size limit counts elements; `make_list_if`
/// takes the arrays of the rows its predicate holds for.
#[test]
fn make_list_of_dynamic_values_per_group() {
    let q = "datatable(a:dynamic, g:long)
[
    dynamic([1,2]), 1,
    dynamic(null), 1,
    dynamic(3), 1,
    dynamic([[4]]), 1,
    dynamic([5,6]), 2,
]
| summarize l = make_list(a), w = make_list_with_nulls(a), i = make_list_if(a, g == 1), n = make_list(a, 2) by g
| order by g asc";
    let (names, rows) = table(q);
    assert_eq!(names, vec!["g", "l", "w", "i", "n"]);
    assert_eq!(
        rows,
        vec![
            vec![
                Scalar::Long(1),
                d(json!([1, 2, 3, [4]])),
                d(json!([1, 2, null, 3, [4]])),
                d(json!([1, 2, 3, [4]])),
                d(json!([1, 2])),
            ],
            vec![
                Scalar::Long(2),
                d(json!([5, 6])),
                d(json!([5, 6])),
                d(json!([])),
                d(json!([5, 6])),
            ],
        ]
    );
}

// --- datetime text with a zone, a weekday or RFC forms ---------------------------

/// scalar-data-types/datetime.md lists the formats `todatetime()` reads;
/// each example of its table (ISO 8601, RFC 822, RFC 850, sortable) is the
/// documented instant, and an offset (as web servers log it) is taken off.
#[test]
fn todatetime_reads_every_documented_format() {
    let cases = [
        (
            "2014-05-25T08:20:03.123456Z",
            "2014-05-25T08:20:03.1234560Z",
        ),
        ("2014-05-25T08:20:03.123456", "2014-05-25T08:20:03.1234560Z"),
        ("2014-05-25T08:20", "2014-05-25T08:20:00.0000000Z"),
        (
            "2014-11-08 15:55:55.123456Z",
            "2014-11-08T15:55:55.1234560Z",
        ),
        ("2014-11-08 15:55:55", "2014-11-08T15:55:55.0000000Z"),
        ("2014-11-08 15:55", "2014-11-08T15:55:00.0000000Z"),
        ("2014-11-08", "2014-11-08T00:00:00.0000000Z"),
        ("Sat, 8 Nov 14 15:05:02 GMT", "2014-11-08T15:05:02.0000000Z"),
        ("Sat, 8 Nov 14 15:05:02", "2014-11-08T15:05:02.0000000Z"),
        ("Sat, 8 Nov 14 15:05", "2014-11-08T15:05:00.0000000Z"),
        ("Sat, 8 Nov 14 15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
        ("8 Nov 14 15:05:02 GMT", "2014-11-08T15:05:02.0000000Z"),
        ("8 Nov 14 15:05:02", "2014-11-08T15:05:02.0000000Z"),
        ("8 Nov 14 15:05", "2014-11-08T15:05:00.0000000Z"),
        ("8 Nov 14 15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
        (
            "Saturday, 08-Nov-14 15:05:02 GMT",
            "2014-11-08T15:05:02.0000000Z",
        ),
        (
            "Saturday, 08-Nov-14 15:05:02",
            "2014-11-08T15:05:02.0000000Z",
        ),
        (
            "Saturday, 08-Nov-14 15:05 GMT",
            "2014-11-08T15:05:00.0000000Z",
        ),
        ("Saturday, 08-Nov-14 15:05", "2014-11-08T15:05:00.0000000Z"),
        ("08-Nov-14 15:05:02 GMT", "2014-11-08T15:05:02.0000000Z"),
        ("08-Nov-14 15:05:02", "2014-11-08T15:05:02.0000000Z"),
        ("08-Nov-14 15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
        ("08-Nov-14 15:05", "2014-11-08T15:05:00.0000000Z"),
        ("2014-11-08 15:05:25", "2014-11-08T15:05:25.0000000Z"),
        ("2014-11-08 15:05:25 GMT", "2014-11-08T15:05:25.0000000Z"),
        ("2014-11-08 15:05", "2014-11-08T15:05:00.0000000Z"),
        ("2014-11-08 15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
        ("2014-11-08T15:05:25", "2014-11-08T15:05:25.0000000Z"),
        ("2014-11-08T15:05:25 GMT", "2014-11-08T15:05:25.0000000Z"),
        ("2014-11-08T15:05", "2014-11-08T15:05:00.0000000Z"),
        ("2014-11-08T15:05 GMT", "2014-11-08T15:05:00.0000000Z"),
        // Offsets: east of UTC is earlier in UTC.
        ("2019-01-22 03:54:16 +0330", "2019-01-22T00:24:16.0000000Z"),
        ("2019-01-22T03:54:16+0330", "2019-01-22T00:24:16.0000000Z"),
        ("2019-01-22T03:54:16 +03:30", "2019-01-22T00:24:16.0000000Z"),
        ("2019-01-22T03:54:16-05", "2019-01-22T08:54:16.0000000Z"),
    ];
    for (text, utc) in cases {
        let (_, rows) = table(&format!(
            "print t = todatetime('{text}'), u = datetime({utc})"
        ));
        assert_eq!(rows[0][0], rows[0][1], "todatetime('{text}')");
        assert!(!rows[0][0].is_null(), "todatetime('{text}') is null");
    }
    // Not datetimes: an offset out of range, text around a time.
    for text in [
        "2019-01-22 03:54:16 +9930",
        "garbage 12:00 +0330",
        "Sat, 8 Nov",
    ] {
        let (_, rows) = table(&format!("print t = todatetime('{text}')"));
        assert!(rows[0][0].is_null(), "todatetime('{text}') should be null");
    }
}

/// graph-scenarios.md, "Log data insights": `parse` reads the logs'
/// `[2019-01-22 03:54:16 +0330]` as a datetime, so the requests are five
/// minutes apart or less and the recommendation is the documented one.
#[test]
fn web_log_recommendation_parses_timestamps_with_an_offset() {
    let q = r#"let rawLogs = datatable (rawLog: string) [
    "31.56.96.51 - - [2019-01-22 03:54:16 +0330] \"GET /product/27 HTTP/1.1\" 200 5379 \"https://www.contoso.com/m/filter/b113\" \"some client\" \"-\"",
    "31.56.96.51 - - [2019-01-22 03:55:17 +0330] \"GET /product/42 HTTP/1.1\" 200 5667 \"https://www.contoso.com/m/filter/b113\" \"some client\" \"-\"",
    "54.36.149.41 - - [2019-01-22 03:56:14 +0330] \"GET /product/27 HTTP/1.1\" 200 30577 \"-\" \"some client\" \"-\""
];
let parsedLogs = rawLogs
    | parse rawLog with ipAddress: string " - - [" timestamp: datetime "] \"" httpVerb: string " " resource: string " " *
    | project-away rawLog;
let edges = parsedLogs;
let nodes =
    union
        (parsedLogs
        | distinct ipAddress
        | project nodeId = ipAddress, label = "IP address"),
        (parsedLogs | distinct resource | project nodeId = resource, label = "resource");
let graph = edges
    | make-graph ipAddress --> resource with nodes on nodeId;
graph
| graph-match (startIp)-[request]->(resource)<--(otherIP)-[otherRequest]->(otherResource)
    where startIp.label == "IP address" and //start with an IP address
    resource.nodeId != otherResource.nodeId and //recommending a different resource
    startIp.nodeId != otherIP.nodeId and //only other IP addresses are interesting
    (request.timestamp - otherRequest.timestamp < 5m) //filter on recommendations based on the last 5 minutes
    project Recommendation=otherResource.nodeId"#;
    let (names, rows) = table(q);
    assert_eq!(names, vec!["Recommendation"]);
    assert_eq!(rows, vec![vec![Scalar::String("/product/42".into())]]);
    let (_, rows) = table(
        r#"print rawLog = "31.56.96.51 - - [2019-01-22 03:54:16 +0330] \"GET /product/27 HTTP/1.1\""
| parse rawLog with ipAddress: string " - - [" timestamp: datetime "]" *
| project timestamp = tostring(timestamp)"#,
    );
    assert_eq!(
        rows,
        vec![vec![Scalar::String("2019-01-22T00:24:16.0000000Z".into())]]
    );
}

// --- names Kusto infers ------------------------------------------------------------

/// extent-tags-function.md groups `by tostring(tags)` into a column `tags`;
/// bin-function.md's `by bin(StartTime, 1d)` is `StartTime`: a conversion or
/// rounding is named after its first argument (Kusto.Language's
/// `ResultNameKind.FirstArgument`), a member of a dynamic value after its
/// path.
#[test]
fn by_keys_over_one_column_are_named_after_it() {
    let q = r#"print p = dynamic({"a":1}), t = datetime(2020-01-01 10:30), x = 5, s = "{\"b\":2}"
| summarize count() by tostring(p), bin(t, 1h), tolong(x), parse_json(s).b"#;
    let (names, rows) = table(q);
    assert_eq!(names, vec!["p", "t", "x", "s_b", "count_"]);
    assert_eq!(
        rows,
        vec![vec![
            Scalar::String(r#"{"a":1}"#.into()),
            table("print datetime(2020-01-01 10:00)").1[0][0].clone(),
            Scalar::Long(5),
            d(json!(2)),
            Scalar::Long(1),
        ]]
    );
}

/// In `project`: conversions and roundings take their argument's name,
/// `strlen` adds its own (`strlen_p`), functions of several columns are
/// numbered (pack-array-function.md's `project pack_array(x, y, z)` is
/// `Column1`), and an inferred name already taken gets a number, as
/// Kusto.Language's projection makes it unique.
#[test]
fn project_names_unnamed_expressions_as_kusto_does() {
    let q = r#"print p = dynamic({"a":1}), x = 5, s = "{\"b\":2}"
| project tostring(p), max_of(x, 1), strlen(tostring(p)), round(x, 1), parse_json(s).b, p.a, tostring(p), pack_array(x, x)"#;
    let (names, rows) = table(q);
    assert_eq!(
        names,
        vec![
            "p", "Column1", "strlen_p", "x", "s_b", "p_a", "p1", "Column2"
        ]
    );
    assert_eq!(
        rows,
        vec![vec![
            Scalar::String(r#"{"a":1}"#.into()),
            Scalar::Long(5),
            Scalar::Long(7),
            Scalar::Long(5),
            d(json!(2)),
            d(json!(1)),
            Scalar::String(r#"{"a":1}"#.into()),
            d(json!([5, 5])),
        ]]
    );
    // The prefix stays when the argument has no name.
    let (names, _) = table(r#"print x = "ab" | project strlen("abc"), strlen(x), string_size(x)"#);
    assert_eq!(names, vec!["strlen_", "strlen_x", "string_size_x"]);
    // A declared name is not renamed: twice is an error.
    let err = try_run("print x = 1 | project y = 2, y = 3").expect_err("y twice");
    assert_eq!(err.message, "column 'y' is projected twice");
}

/// An aggregate's default name sees through its argument's conversion
/// (`max(tostring(x))` is `max_x`, `sum(abs(x))` is `sum_x`).
#[test]
fn aggregate_names_see_through_conversions() {
    let (names, rows) = table(
        "range x from -2 to 3 step 1 | summarize max(tostring(x)), sum(abs(x)), dcount(todouble(x))",
    );
    assert_eq!(names, vec!["max_x", "sum_x", "dcount_x"]);
    assert_eq!(
        rows,
        vec![vec![
            Scalar::String("3".into()),
            Scalar::Long(9),
            Scalar::Long(6)
        ]]
    );
}

// --- default values of aggregations ---------------------------------------------

/// summarize-operator.md, "Default values of aggregations": of an empty
/// input, `avg` is NaN ("dividing by 0"), `stdev`, `variance`, `sum` and
/// `sumif` are 0, `hll` and `tdigest` (like every other) are null.
#[test]
fn summarize_of_an_empty_input_gives_the_documented_defaults() {
    let q = "datatable(x:long)[]
| summarize any_x=take_any(x), arg_max_x=arg_max(x, *), arg_min_x=arg_min(x, *), avg(x), buildschema(todynamic(tostring(x))), max(x), min(x), percentile(x, 55), hll(x) ,stdev(x), sum(x), sumif(x, x > 0), tdigest(x), variance(x)";
    let (names, rows) = table(q);
    assert_eq!(
        names,
        vec![
            "any_x",
            "arg_max_x",
            "arg_min_x",
            "avg_x",
            "schema_x",
            "max_x",
            "min_x",
            "percentile_x_55",
            "hll_x",
            "stdev_x",
            "sum_x",
            "sumif_x",
            "tdigest_x",
            "variance_x"
        ]
    );
    assert_eq!(rows.len(), 1);
    let row = &rows[0];
    assert!(
        matches!(row[3], Scalar::Real(v) if v.is_nan()),
        "{:?}",
        row[3]
    );
    for i in [0, 1, 2, 4, 5, 6, 7, 8, 12] {
        assert!(row[i].is_null(), "{} is {:?}", names[i], row[i]);
    }
    assert_eq!(row[9], Scalar::Real(0.0));
    assert_eq!(row[10], Scalar::Long(0));
    assert_eq!(row[11], Scalar::Long(0));
    assert_eq!(row[13], Scalar::Real(0.0));
}

/// The same defaults per group: a group without a value has `stdev`,
/// `variance`, `stdevif` and `varianceif` 0 and `hll`/`tdigest` null, and
/// `avg` of its nulls stays null (only no rows at all divide by 0).
#[test]
fn groups_without_values_get_the_documented_defaults() {
    let q = "datatable(x:long, g:long)[long(null), 1, 2, 2, 4, 2]
| summarize stdev(x), variance(x), avg(x), stdevif(x, x > 5), varianceif(x, x > 5), hll(x), tdigest(x) by g
| project g, stdev_x, variance_x, avg_x, stdevif_x, varianceif_x, no_hll = isnull(hll_x), no_tdigest = isnull(tdigest_x)
| order by g asc";
    let (names, rows) = table(q);
    assert_eq!(
        names,
        vec![
            "g",
            "stdev_x",
            "variance_x",
            "avg_x",
            "stdevif_x",
            "varianceif_x",
            "no_hll",
            "no_tdigest"
        ]
    );
    assert_eq!(
        rows,
        vec![
            vec![
                Scalar::Long(1),
                Scalar::Real(0.0),
                Scalar::Real(0.0),
                Scalar::Null(quarry::data::types::KqlType::Real),
                Scalar::Real(0.0),
                Scalar::Real(0.0),
                Scalar::Bool(true),
                Scalar::Bool(true),
            ],
            vec![
                Scalar::Long(2),
                Scalar::Real(2f64.sqrt()),
                Scalar::Real(2.0),
                Scalar::Real(3.0),
                Scalar::Real(0.0),
                Scalar::Real(0.0),
                Scalar::Bool(false),
                Scalar::Bool(false),
            ],
        ]
    );
}

// --- union of tables whose column types differ -----------------------------------

/// union-operator.md, "Source columns types mismatch": `x` of two types is
/// `x_long` and `x_int`, and beside a table's own `x_long` the renamed one is
/// `x_long1`.
#[test]
fn union_numbers_a_type_suffixed_name_a_table_already_has() {
    let null_long = Scalar::Null(quarry::data::types::KqlType::Long);
    let null_int = Scalar::Null(quarry::data::types::KqlType::Int);
    let s = |t: &str| Scalar::String(t.into());
    let (names, rows) = table(
        "let View_1 = view () { print x=1 };
let View_2 = view () { print x=toint(2) };
union withsource=TableName View_1, View_2",
    );
    assert_eq!(names, vec!["TableName", "x_long", "x_int"]);
    assert_eq!(
        rows,
        vec![
            vec![s("View_1"), Scalar::Long(1), null_int.clone()],
            vec![s("View_2"), null_long.clone(), Scalar::Int(2)],
        ]
    );
    let (names, rows) = table(
        "let View_1 = view () { print x=1 };
let View_2 = view () { print x=toint(2) };
let View_3 = view () { print x_long=3 };
union withsource=TableName View_1, View_2, View_3",
    );
    assert_eq!(names, vec!["TableName", "x_long1", "x_int", "x_long"]);
    assert_eq!(
        rows,
        vec![
            vec![
                s("View_1"),
                Scalar::Long(1),
                null_int.clone(),
                null_long.clone()
            ],
            vec![
                s("View_2"),
                null_long.clone(),
                Scalar::Int(2),
                null_long.clone()
            ],
            vec![s("View_3"), null_long.clone(), null_int, Scalar::Long(3)],
        ]
    );
}
