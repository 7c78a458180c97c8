//! Conformance cases for gaps the documentation-examples harness
//! (`examples/doc_examples.rs`) found: each runs the example of Microsoft's
//! KQL reference and compares the typed result with its printed table.

use polars::prelude::DataFrame;
use quarry::data::catalog::Catalog;
use quarry::kql::value::Scalar;
use quarry::kql::{QueryError, RunOptions, run};
use serde_json::{Value as Json, json};

use crate::common::typed_table as table;

fn try_run(query: &str) -> Result<DataFrame, QueryError> {
    run(&Catalog::new(), query, &RunOptions::default())
}

fn s(text: &str) -> Scalar {
    Scalar::String(text.to_string())
}

fn d(value: Json) -> Scalar {
    Scalar::Dynamic(value)
}

// --- percentiles: nearest rank -----------------------------------------------

/// invoke-operator.md: the 5th and 99th nearest-rank percentiles of 1..100
/// are 5 and 99, so the clipped average is over 6..98.
#[test]
fn clipped_average_uses_nearest_rank_percentiles() {
    let q = "let clipped_average = (T:(x: long), lowPercentile:double, upPercentile:double)
{
   let high = toscalar(T | summarize percentiles(x, upPercentile));
   let low = toscalar(T | summarize percentiles(x, lowPercentile));
   T 
   | where x > low and x < high
   | summarize avg(x) 
};
range x from 1 to 100 step 1
| invoke clipped_average(5, 99)";
    let (names, rows) = table(q);
    assert_eq!(names, vec!["avg_x"]);
    assert_eq!(rows, vec![vec![Scalar::Real(52.0)]]);
}

/// The nearest-rank definition (percentiles-aggregation-function.md): the
/// k-th of n sorted values, k = ceil(p n / 100); per group too.
#[test]
fn percentiles_are_nearest_rank() {
    let (names, rows) = table(
        "range x from 1 to 100 step 1 | summarize percentiles(x, 0, 5, 50, 99, 100), percentile(x, 7)",
    );
    assert_eq!(
        names,
        vec![
            "percentile_x_0",
            "percentile_x_5",
            "percentile_x_50",
            "percentile_x_99",
            "percentile_x_100",
            "percentile_x_7"
        ]
    );
    let longs = |v: &[i64]| v.iter().map(|&x| Scalar::Long(x)).collect::<Vec<_>>();
    assert_eq!(rows, vec![longs(&[1, 5, 50, 99, 100, 7])]);
    let (_, rows) = table(
        "range x from 1 to 10 step 1 | summarize p50 = percentile(x, 50), p75 = percentile(x, 75) by g = x % 3 | order by g asc",
    );
    assert_eq!(
        rows,
        vec![longs(&[0, 6, 9]), longs(&[1, 4, 7]), longs(&[2, 5, 8])]
    );
}

// --- IPv6 masks ----------------------------------------------------------------

/// parse-ipv6-mask-function.md: `::a.b.c.d` is read as the IPv4 address,
/// its prefix in IPv4 bits.
#[test]
fn parse_ipv6_mask_reads_ipv4_compatible_form_as_ipv4() {
    let q = "datatable(ip_string: string, netmask: long)
[
    '192.168.255.255', 120,
    '192.168.255.255/24', 124,
    '255.255.255.255', 128,
    'fe80::85d:e82c:9446:7994', 128,
    'fe80::85d:e82c:9446:7994/120', 124,
    '::192.168.255.255', 128,
    '::192.168.255.255/24', 128,
]
| extend ip6_canonical = parse_ipv6_mask(ip_string, netmask)";
    let (names, rows) = table(q);
    assert_eq!(names, vec!["ip_string", "netmask", "ip6_canonical"]);
    let expected = [
        (
            "192.168.255.255",
            120,
            "0000:0000:0000:0000:0000:ffff:c0a8:ff00",
        ),
        (
            "192.168.255.255/24",
            124,
            "0000:0000:0000:0000:0000:ffff:c0a8:ff00",
        ),
        (
            "255.255.255.255",
            128,
            "0000:0000:0000:0000:0000:ffff:ffff:ffff",
        ),
        (
            "fe80::85d:e82c:9446:7994",
            128,
            "fe80:0000:0000:0000:085d:e82c:9446:7994",
        ),
        (
            "fe80::85d:e82c:9446:7994/120",
            124,
            "fe80:0000:0000:0000:085d:e82c:9446:7900",
        ),
        (
            "::192.168.255.255",
            128,
            "0000:0000:0000:0000:0000:ffff:c0a8:ffff",
        ),
        (
            "::192.168.255.255/24",
            128,
            "0000:0000:0000:0000:0000:ffff:c0a8:ff00",
        ),
    ];
    let expected: Vec<Vec<Scalar>> = expected
        .iter()
        .map(|(ip, mask, canonical)| vec![s(ip), Scalar::Long(*mask), s(canonical)])
        .collect();
    assert_eq!(rows, expected);
}

// --- pack_all in extend ---------------------------------------------------------

/// pack-all-function.md: each pack_all() of one extend packs the input row,
/// not the columns the extend's earlier items added.
#[test]
fn pack_all_in_extend_packs_the_input_row() {
    let q = "datatable(Source:string,Target:string,CharsCount:long)
[
'555-1234','555-1212',46,
'555-1234','555-1213',50,
'555-1313','',42, 
'','555-3456',74 
]
| extend Packed=pack_all(), PackedIgnoreNullEmpty=pack_all(true)";
    let (names, rows) = table(q);
    assert_eq!(
        names,
        vec![
            "Source",
            "Target",
            "CharsCount",
            "Packed",
            "PackedIgnoreNullEmpty"
        ]
    );
    let row = |src: &str, tgt: &str, n: i64, ignoring: Json| {
        vec![
            s(src),
            s(tgt),
            Scalar::Long(n),
            d(json!({"Source": src, "Target": tgt, "CharsCount": n})),
            d(ignoring),
        ]
    };
    assert_eq!(
        rows,
        vec![
            row(
                "555-1234",
                "555-1212",
                46,
                json!({"Source":"555-1234","Target":"555-1212","CharsCount":46})
            ),
            row(
                "555-1234",
                "555-1213",
                50,
                json!({"Source":"555-1234","Target":"555-1213","CharsCount":50})
            ),
            row(
                "555-1313",
                "",
                42,
                json!({"Source":"555-1313","CharsCount":42})
            ),
            row(
                "",
                "555-3456",
                74,
                json!({"Target":"555-3456","CharsCount":74})
            ),
        ]
    );
}

// --- geo_polygon_lookup / geo_line_lookup -----------------------------------------

const NY_PARIS: &str = r#"let polygons = datatable(polygon_name:string, polygon:dynamic)
[
    "New York", dynamic({"type":"Polygon", "coordinates":[[[-73.97375470114766,40.74300078124614],[-73.98653921014294,40.75486501361894],[-73.99910622331991,40.74112695466084],[-73.97375470114766,40.74300078124614]]]}),
    "Paris", dynamic({"type":"Polygon","coordinates":[[[2.57564669886321,48.769567764921334],[2.420098611499384,49.05163394896812],[2.1016783119165723,48.80113794475062],[2.57564669886321,48.769567764921334]]]}),
];
let locations = datatable(location_name:string, longitude:real, latitude:real)
[
    "Empire State Building", -73.98567337898565, 40.74842629977377,
    "NY National Museum of Mathematics", -73.98778501496217, 40.743565232771545,
    "Eiffel Tower", 2.294489426068907, 48.858263476169185,
    "London", -0.13245599272019604, 51.49879464208368,
    "Statue of Liberty",  -74.04462223203123, 40.689195627512674,
];
locations
"#;

fn ny() -> Json {
    json!({"type":"Polygon", "coordinates":[[[-73.97375470114766,40.74300078124614],[-73.98653921014294,40.75486501361894],[-73.99910622331991,40.74112695466084],[-73.97375470114766,40.74300078124614]]]})
}

fn paris() -> Json {
    json!({"type":"Polygon","coordinates":[[[2.57564669886321,48.769567764921334],[2.420098611499384,49.05163394896812],[2.1016783119165723,48.80113794475062],[2.57564669886321,48.769567764921334]]]})
}

fn located(name: &str, lng: f64, lat: f64, polygon: Option<(&str, Json)>) -> Vec<Scalar> {
    let (pname, p) = match polygon {
        Some((n, p)) => (s(n), d(p)),
        None => (s(""), Scalar::Null(quarry::data::types::KqlType::Dynamic)),
    };
    vec![s(name), Scalar::Real(lng), Scalar::Real(lat), pname, p]
}

/// geo-polygon-lookup-plugin.md: within 7 km of New York's triangle the
/// Statue of Liberty matches too; unmatched rows are kept.
#[test]
fn geo_polygon_lookup_with_radius_and_unmatched_rows() {
    let q = format!(
        "{NY_PARIS}| evaluate geo_polygon_lookup(polygons, polygon, longitude, latitude, radius = 7000, return_unmatched = true, return_lookup_key = true)"
    );
    let (names, mut rows) = table(&q);
    assert_eq!(
        names,
        vec![
            "location_name",
            "longitude",
            "latitude",
            "polygon_name",
            "polygon"
        ]
    );
    rows.sort_by_key(|r| r[0].to_text().into_owned());
    assert_eq!(
        rows,
        vec![
            located(
                "Eiffel Tower",
                2.294489426068907,
                48.858263476169185,
                Some(("Paris", paris()))
            ),
            located(
                "Empire State Building",
                -73.98567337898565,
                40.74842629977377,
                Some(("New York", ny()))
            ),
            located("London", -0.13245599272019604, 51.49879464208368, None),
            located(
                "NY National Museum of Mathematics",
                -73.98778501496217,
                40.743565232771545,
                Some(("New York", ny()))
            ),
            located(
                "Statue of Liberty",
                -74.04462223203123,
                40.689195627512674,
                Some(("New York", ny()))
            ),
        ]
    );
    // Without the radius the Statue of Liberty is outside; without
    // return_lookup_key the polygon column is left out.
    let q = format!(
        "{NY_PARIS}| evaluate geo_polygon_lookup(polygons, polygon, longitude, latitude) | summarize count() by polygon_name | order by polygon_name asc"
    );
    assert_eq!(
        table(&q),
        (
            vec!["polygon_name".to_string(), "count_".to_string()],
            vec![
                vec![s("New York"), Scalar::Long(2)],
                vec![s("Paris"), Scalar::Long(1)]
            ]
        )
    );
}

/// geo-line-lookup-plugin.md: locations within 350 m of a road.
#[test]
fn geo_line_lookup_within_a_radius() {
    let q = r#"let roads = datatable(road_name:string, road:dynamic)
[
    "5th Avenue NY", dynamic({"type":"LineString","coordinates":[[-73.97291864770574,40.76428551254824],[-73.99708638113894,40.73145135821781]]}),
    "Palace Ave", dynamic({"type":"LineString","coordinates":[[-0.18756982045002246,51.50245944666557],[-0.18908519740253382,51.50544952706903]]}),
];
let locations = datatable(location_name:string, longitude:real, latitude:real)
[
    "Empire State Building", -73.98567337898565, 40.74842629977377,
    "Grand Central Terminal", -73.97713140725149, 40.752730320824895,
    "Statue of Liberty",  -74.04462223203123, 40.689195627512674,
    "Kensington Palace", -0.1885272501232862,  51.504906159672316
];
locations
| evaluate geo_line_lookup(roads, road, longitude, latitude, 350)
| summarize count() by road_name 
| order by road_name asc"#;
    assert_eq!(
        table(q),
        (
            vec!["road_name".to_string(), "count_".to_string()],
            vec![
                vec![s("5th Avenue NY"), Scalar::Long(2)],
                vec![s("Palace Ave"), Scalar::Long(1)]
            ]
        )
    );
    let q = q.replace(", 350)", ")");
    let err = try_run(&q).expect_err("geo_line_lookup needs a radius");
    assert_eq!(
        err.message,
        "geo_line_lookup() needs the lookup table, its line column, and the input's longitude and latitude, then the radius in meters"
    );
}

// --- column_names_of ---------------------------------------------------------------

/// column-names-of-function.md: a let-bound table, a function, a function
/// with arguments.
#[test]
fn column_names_of_tables_and_functions() {
    let cols = || d(json!(["A", "B"]));
    for q in [
        "let T = datatable(A:string, B:int) [];\nprint Columns=column_names_of(T)",
        "let MyFunction1 = () { print A=\"\", B=1 };\nprint Columns=column_names_of(MyFunction1())",
        "let MyFunction1 = (param1:int) { print A=\"\", B=1 };\nprint Columns=column_names_of(MyFunction1(1))",
    ] {
        assert_eq!(
            table(q),
            (vec!["Columns".to_string()], vec![vec![cols()]]),
            "{q}"
        );
    }
    let err = try_run("print c = column_names_of(1)").expect_err("not a table");
    assert_eq!(
        err.message,
        "column_names_of() needs one tabular argument: a table, a let-bound tabular expression or a call of a tabular function"
    );
}

// --- schema_merge --------------------------------------------------------------------

fn schema_row(name: &str, ordinal: i32, data: &str, kind: &str) -> Vec<Scalar> {
    vec![s(name), Scalar::Int(ordinal), s(data), s(kind)]
}

/// schema-merge-plugin.md's three examples: a new column appended, a moved
/// column in error, and the same with PreserveOrder = false.
#[test]
fn schema_merge_from_the_docs() {
    let header = ["ColumnName", "ColumnOrdinal", "DataType", "ColumnType"];
    let appended = "let schema1 = datatable(Uri:string, HttpStatus:int)[] | getschema;
let schema2 = datatable(Uri:string, HttpStatus:int, Referrer:string)[] | getschema;
union schema1, schema2 | evaluate schema_merge()";
    assert_eq!(
        table(appended),
        (
            header.iter().map(|h| h.to_string()).collect(),
            vec![
                schema_row("Uri", 0, "System.String", "string"),
                schema_row("HttpStatus", 1, "System.Int32", "int"),
                schema_row("Referrer", 2, "System.String", "string"),
            ]
        )
    );
    let moved = "let schema1 = datatable(Uri:string, HttpStatus:int)[] | getschema;
let schema2 = datatable(Uri:string, Referrer:string, HttpStatus:int)[] | getschema;
union schema1, schema2 | evaluate schema_merge()";
    assert_eq!(
        table(moved).1,
        vec![
            schema_row("Uri", 0, "System.String", "string"),
            schema_row("Referrer", 1, "System.String", "string"),
            schema_row(
                "HttpStatus",
                -1,
                "ERROR(unknown CSL type:ERROR(columns are out of order))",
                "ERROR(columns are out of order)"
            ),
        ]
    );
    let unordered = moved.replace("schema_merge()", "schema_merge(PreserveOrder = false)");
    assert_eq!(
        table(&unordered).1,
        vec![
            schema_row("Uri", 0, "System.String", "string"),
            schema_row("Referrer", 1, "System.String", "string"),
            schema_row("HttpStatus", 2, "System.Int32", "int"),
        ]
    );
}

/// Numbers widen to the widest; other differing types are an error.
#[test]
fn schema_merge_reduces_types() {
    let q = "let schema1 = datatable(Id:int, Name:string)[] | getschema;
let schema2 = datatable(Id:long, Name:datetime)[] | getschema;
union schema1, schema2 | evaluate schema_merge()";
    assert_eq!(
        table(q).1,
        vec![
            schema_row("Id", 0, "System.Int64", "long"),
            schema_row(
                "Name",
                -1,
                "ERROR(unknown CSL type:ERROR(types string and datetime cannot be reduced to one))",
                "ERROR(types string and datetime cannot be reduced to one)"
            ),
        ]
    );
}

// --- rolling_percentile ----------------------------------------------------------------

const HOURLY: &str = "let T = 
    range idx from 0 to 24 * 10 - 1 step 1
    | project Timestamp = datetime(2018-01-01) + 1h * idx, val=idx + 1
    | extend EvenOrOdd = iff(val % 2 == 0, \"Even\", \"Odd\");
T  
";

fn day(n: i64) -> Scalar {
    // 2018-01-01 is 17532 days after the epoch.
    Scalar::Datetime((17_532 + n) * 86_400 * 1_000_000_000)
}

/// rolling-percentile-plugin.md: the 3-day nearest-rank median per day,
/// then per day and parity.
#[test]
fn rolling_percentile_from_the_docs() {
    let (names, rows) = table(&format!(
        "{HOURLY}| evaluate rolling_percentile(val, 50, Timestamp, 1d, 3)"
    ));
    assert_eq!(names, vec!["Timestamp", "rolling_3_percentile_val_50"]);
    let medians = [12, 24, 36, 60, 84, 108, 132, 156, 180, 204];
    let expected: Vec<Vec<Scalar>> = medians
        .iter()
        .enumerate()
        .map(|(i, m)| vec![day(i as i64), Scalar::Long(*m)])
        .collect();
    assert_eq!(rows, expected);

    let (names, mut rows) = table(&format!(
        "{HOURLY}| evaluate rolling_percentile(val, 50, Timestamp, 1d, 3, EvenOrOdd)"
    ));
    assert_eq!(
        names,
        vec!["Timestamp", "EvenOrOdd", "rolling_3_percentile_val_50"]
    );
    rows.sort_by_key(|r| r[1].to_text().into_owned());
    let mut expected: Vec<Vec<Scalar>> = Vec::new();
    for (parity, shift) in [("Even", 0), ("Odd", 1)] {
        for (i, m) in medians.iter().enumerate() {
            expected.push(vec![day(i as i64), s(parity), Scalar::Long(m - shift)]);
        }
    }
    assert_eq!(rows, expected);
}

#[test]
fn rolling_percentile_checks_its_arguments() {
    let err = try_run(&format!(
        "{HOURLY}| evaluate rolling_percentile(val, 50, Timestamp, 1d)"
    ))
    .expect_err("too few arguments");
    assert_eq!(
        err.message,
        "rolling_percentile() needs ValueColumn, Percentile, IndexColumn, BinSize and BinsPerWindow, then any dimension columns"
    );
    let err = try_run(&format!(
        "{HOURLY}| evaluate rolling_percentile(val, 50, Timestamp, 10, 3)"
    ))
    .expect_err("a number bin for a datetime index");
    assert_eq!(
        err.message,
        "rolling_percentile(): BinSize 10 does not fit the datetime index column Timestamp"
    );
}

// --- indexof_regex, ipv4_range_to_cidr_list -------------------------------------------

/// indexof-regex-function.md: occurrences do not overlap; a negative start
/// is null.
#[test]
fn indexof_regex_from_the_docs() {
    let q = r#"print
    idx1 = indexof_regex("abcabc", @"a.c"),
    idx2 = indexof_regex("abcabcdefg", @"a.c", 0, 9, 2),
    idx3 = indexof_regex("abcabc", @"a.c", 1, -1, 2),
    idx4 = indexof_regex("ababaa", @"a.a", 0, -1, 2),
    idx5 = indexof_regex("abcabc", @"a|ab", -1)"#;
    let (names, rows) = table(q);
    assert_eq!(names, vec!["idx1", "idx2", "idx3", "idx4", "idx5"]);
    assert_eq!(
        rows,
        vec![vec![
            Scalar::Long(0),
            Scalar::Long(3),
            Scalar::Long(-1),
            Scalar::Long(-1),
            Scalar::Null(quarry::data::types::KqlType::Long)
        ]]
    );
    let err = try_run(r#"print indexof_regex("abc", @"(")"#).expect_err("bad regex");
    assert!(
        err.message
            .starts_with("invalid regular expression in indexof_regex(): "),
        "{}",
        err.message
    );
}

/// ipv4-range-to-cidr-list-function.md, and the edges of the range.
#[test]
fn ipv4_range_to_cidr_list_from_the_docs() {
    let q = r#"print start_IP="1.1.128.0", end_IP="1.1.140.255"
 | project ipv4_range_list = ipv4_range_to_cidr_list(start_IP, end_IP)"#;
    assert_eq!(
        table(q),
        (
            vec!["ipv4_range_list".to_string()],
            vec![vec![d(json!([
                "1.1.128.0/21",
                "1.1.136.0/22",
                "1.1.140.0/24"
            ]))]]
        )
    );
    let q = "print a = ipv4_range_to_cidr_list('0.0.0.0', '255.255.255.255'), \
             b = ipv4_range_to_cidr_list('10.0.0.1', '10.0.0.1'), \
             c = ipv4_range_to_cidr_list('10.0.0.5', '10.0.0.1'), \
             e = ipv4_range_to_cidr_list('10.0.0.255', '10.0.1.1')";
    let null = Scalar::Null(quarry::data::types::KqlType::Dynamic);
    assert_eq!(
        table(q).1,
        vec![vec![
            d(json!(["0.0.0.0/0"])),
            d(json!(["10.0.0.1/32"])),
            null,
            d(json!(["10.0.0.255/32", "10.0.1.0/31"]))
        ]]
    );
}
