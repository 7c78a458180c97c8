//! Conformance cases for the documentation examples the harness
//! (`examples/doc_examples.rs`) found Quarry answering differently from
//! Microsoft's KQL reference: each runs the page's example and compares the
//! typed result with its printed **Output** table.

use polars::prelude::DataFrame;
use quarry::data::catalog::Catalog;
use quarry::kql::value::Scalar;
use quarry::kql::{QueryError, RunOptions, run};
use serde_json::{Value as Json, json};

fn try_run(query: &str) -> Result<DataFrame, QueryError> {
    run(&Catalog::new(), query, &RunOptions::default())
}

/// The column names and every row of a query's result.
fn table(query: &str) -> (Vec<String>, Vec<Vec<Scalar>>) {
    let f = try_run(query).unwrap_or_else(|e| panic!("{query}\n{}", e.render(query)));
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
