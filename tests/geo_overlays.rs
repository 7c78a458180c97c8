//! The geo overlays against Microsoft's documentation: intersections of
//! polygons and of lines with polygons, unions of polygon and line arrays,
//! the simplified union, buffers and H3 covers; then bad input giving
//! null, never a panic, and `quarry check` knowing every one.
//!
//! The documented GeoJSON is compared number by number within 1e-12
//! degrees: Kusto prints 17 digits of its S2 points' round trip
//! (`40.774578106920352` for the input's `40.774578106920345`).

use std::process::Command;

use assert_cmd::cargo::CommandCargoExt;

use crate::geo_support;
use geo_support::*;

const TOL: f64 = 1e-12;

// ---- geo_intersection_2polygons ----

#[test]
fn docs_intersection_2polygons_is_a_polygon() {
    check_geojson_near(
        r#"let polygon1 = dynamic({"type":"Polygon","coordinates":[[[-73.9630937576294,40.77498840732385],[-73.963565826416,40.774383111780914],[-73.96205306053162,40.773745311181585],[-73.96160781383514,40.7743912365898],[-73.9630937576294,40.77498840732385]]]});
        let polygon2 = dynamic({"type":"Polygon","coordinates":[[[-73.96213352680206,40.775045280447145],[-73.9631313085556,40.774578106920345],[-73.96207988262177,40.77416780398293],[-73.96213352680206,40.775045280447145]]]});
        print intersection = geo_intersection_2polygons(polygon1, polygon2)"#,
        r#"{"type": "Polygon",  "coordinates": [[[-73.962105776437156,40.774591360999679],[-73.962642403166868,40.774807020251778],[-73.9631313085556,40.774578106920352],[-73.962079882621765,40.774167803982927],[-73.962105776437156,40.774591360999679]]]}"#,
        TOL,
    );
}

#[test]
fn docs_intersection_2polygons_touching_at_a_vertex_is_a_point() {
    check_geojson(
        r#"let polygon1 = dynamic({"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]});
        let polygon2 = dynamic({"type":"Polygon","coordinates":[[[3,44],[2,45],[2,43],[3,44]]]});
        print intersection = geo_intersection_2polygons(polygon1, polygon2)"#,
        r#"{"type": "Point","coordinates": [2,45]}"#,
    );
}

#[test]
fn docs_intersection_2polygons_of_two_dimensions_is_a_collection() {
    // The polygon's first two vertices are crossings of the geodesic edge
    // [2,45]-[0,45] (which bulges north of latitude 45), not of a parallel.
    check_geojson_near(
        r#"let polygon1 = dynamic({"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]});
        let polygon2 = dynamic({"type":"MultiPolygon","coordinates":[[[[3,44],[2,45],[2,43],[3,44]]],[[[1.192,45.265],[1.005,44.943],[1.356,44.937],[1.192,45.265]]]]});
        print intersection = geo_intersection_2polygons(polygon1, polygon2)"#,
        r#"{"type": "GeometryCollection","geometries": [<br>{ "type": "Point", "coordinates": [2, 45]},<br>{ "type": "Polygon", "coordinates": [[[1.3227075526410679,45.003909145068739],[1.0404565374899824,45.004356403066552],[1.005,44.943],[1.356,44.937],[1.3227075526410679,45.003909145068739]]]}]}"#,
        TOL,
    );
}

#[test]
fn docs_intersection_2polygons_apart_is_an_empty_collection() {
    check_geojson(
        r#"let polygon1 = dynamic({"type":"Polygon","coordinates":[[[2,45],[0,45],[1,44],[2,45]]]});
        let polygon2 = dynamic({"type":"Polygon","coordinates":[[[3,44],[3,45],[2,43],[3,44]]]});
        print intersection = geo_intersection_2polygons(polygon1, polygon2)"#,
        r#"{"type": "GeometryCollection", "geometries": []}"#,
    );
}

#[test]
fn intersection_2polygons_sharing_an_edge_is_a_line() {
    check_geojson(
        r#"print i = geo_intersection_2polygons(
            dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]}),
            dynamic({"type":"Polygon","coordinates":[[[1,0],[2,0],[2,1],[1,1],[1,0]]]}))"#,
        r#"{"type":"LineString","coordinates":[[1,0],[1,1]]}"#,
    );
}

#[test]
fn intersection_2polygons_sharing_part_of_a_side_is_that_part() {
    // Along the equator (a great circle) the two sides overlap from 1° to
    // 2°: neither side's ends are the other's.
    check_geojson(
        r#"print i = geo_intersection_2polygons(
            dynamic({"type":"Polygon","coordinates":[[[0,0],[2,0],[2,-1],[0,-1],[0,0]]]}),
            dynamic({"type":"Polygon","coordinates":[[[1,0],[1,1],[3,1],[3,0],[1,0]]]}))"#,
        r#"{"type":"LineString","coordinates":[[2,0],[1,0]]}"#,
    );
}

#[test]
fn docs_intersection_2polygons_of_an_invalid_polygon_is_null() {
    check(
        r#"let central_park_polygon = dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]});
        let invalid_polygon = dynamic({"type":"Polygon"});
        print isnull(geo_intersection_2polygons(invalid_polygon, central_park_polygon))"#,
        "print_0:bool
        true",
    );
}

// ---- geo_intersection_line_with_polygon ----

#[test]
fn docs_intersection_line_with_polygon_is_a_line() {
    check_geojson_near(
        r#"let lineString = dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275],[-73.974552,40.779761]]});
        let polygon = dynamic({"type":"Polygon","coordinates":[[[-73.9712905883789,40.78580561168767],[-73.98004531860352,40.775276834803655],[-73.97000312805176,40.77852663535664],[-73.9712905883789,40.78580561168767]]]});
        print intersection = geo_intersection_line_with_polygon(lineString, polygon)"#,
        r#"{"type": "LineString","coordinates": [[-73.975611956578192,40.78060906714618],[-73.974552,40.779761]]}"#,
        TOL,
    );
}

#[test]
fn docs_intersection_line_with_polygon_with_a_hole_is_a_multiline() {
    check_geojson_near(
        r#"let lineString = dynamic({"type":"LineString","coordinates":[[-110.522, 39.198],[-91.428, 40.880]]});
        let polygon = dynamic({"type":"Polygon","coordinates":[[[-90.263,36.738],[-102.041,45.274],[-109.335,36.527],[-90.263,36.738]],[[-100.393,41.705],[-103.139,38.925],[-97.558,39.113],[-100.393,41.705]]]});
        print intersection = geo_intersection_line_with_polygon(lineString, polygon)"#,
        r#"{"type": "MultiLineString","coordinates": [[[  -106.89353655881905,  39.769226209776306],[  -101.74448553679453,  40.373506008712525]],[[-99.136499431328858,  40.589336512699994],[-95.284527737311791,  40.799060242246348]]]}"#,
        TOL,
    );
}

#[test]
fn docs_intersection_line_with_polygon_apart_is_an_empty_collection() {
    check_geojson(
        r#"let lineString = dynamic({"type":"LineString","coordinates":[[1, 1],[2, 2]]});
        let polygon = dynamic({"type":"Polygon","coordinates":[[[-73.9712905883789,40.78580561168767],[-73.98004531860352,40.775276834803655],[-73.97000312805176,40.77852663535664],[-73.9712905883789,40.78580561168767]]]});
        print intersection = geo_intersection_line_with_polygon(lineString, polygon)"#,
        r#"{"type": "GeometryCollection","geometries": []}"#,
    );
}

#[test]
fn intersection_line_with_polygon_along_the_boundary_and_touching() {
    // The meridian runs along the square's west side (kept: the boundary
    // belongs to the polygon); the diagonal great circle through (-1,1)
    // and (1,-1) passes (0,0), a corner, only; a line ending on the east
    // side touches it there.
    check(
        r#"let sq = dynamic({"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]});
        print along = tostring(geo_intersection_line_with_polygon(dynamic({"type":"LineString","coordinates":[[0,-1],[0,2]]}), sq)),
              corner = tostring(geo_intersection_line_with_polygon(dynamic({"type":"LineString","coordinates":[[-1,1],[1,-1]]}), sq)),
              both = tostring(geo_intersection_line_with_polygon(dynamic({"type":"MultiLineString","coordinates":[[[0.2,0.2],[0.8,0.8]],[[5,5],[6,6]],[[1,0.5],[2,0.5]]]}), sq))"#,
        r#"along:string | corner:string | both:string
        "{\"type\":\"LineString\",\"coordinates\":[[0,0],[0,1]]}" | "{\"type\":\"Point\",\"coordinates\":[0,0]}" | "{\"type\":\"GeometryCollection\",\"geometries\":[{\"type\":\"Point\",\"coordinates\":[1,0.5]},{\"type\":\"LineString\",\"coordinates\":[[0.2,0.2],[0.8,0.8]]}]}""#,
    );
}

#[test]
fn intersection_line_with_polygon_of_invalid_input_is_null() {
    check(
        r#"let polygon = dynamic({"type":"Polygon","coordinates":[[[-73.95768642425537,40.80065354924362],[-73.9582872390747,40.80089719667298],[-73.95869493484497,40.80050736035672],[-73.9580512046814,40.80019873831593],[-73.95768642425537,40.80065354924362]]]});
        let line = dynamic({"type":"LineString","coordinates":[[-73.97159099578857,40.794513338780895],[-73.96738529205322,40.792758888618756]]});
        print a = isnull(geo_intersection_line_with_polygon(dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275]]}), polygon)),
              b = isnull(geo_intersection_line_with_polygon(line, dynamic({"type":"Polygon","coordinates":[]}))),
              c = isnull(geo_intersection_line_with_polygon(polygon, line)),
              d = isnull(geo_intersection_line_with_polygon('text', 42))"#,
        "a:bool | b:bool | c:bool | d:bool
        true | true | true | true",
    );
}

// ---- geo_union_polygons_array ----

#[test]
fn docs_union_polygons_array_of_rows() {
    check_geojson_near(
        r#"datatable(polygons:dynamic)
        [
            dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}),
            dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249],[-73.96888,40.79282],[-73.9577,40.7789],[-73.94622,40.79249]]]}),
            dynamic({"type":"Polygon","coordinates":[[[-73.97335,40.77274],[-73.9936,40.76630],[-73.97171,40.75655],[-73.97335,40.77274]]]})
        ]
        | summarize polygons_arr = make_list(polygons)
        | project polygons_union = geo_union_polygons_array(polygons_arr)"#,
        r#"{"type":"Polygon","coordinates":[[[-73.972599326729608,40.765330371902991],[-73.960302383706178,40.782140794645024],[-73.9577,40.7789],[-73.94622,40.79249],[-73.9526593223173,40.792584227716468],[-73.9495,40.7969],[-73.95807,40.80068],[-73.9639277517478,40.792748258673875],[-73.96888,40.792819999999992],[-73.9662719791645,40.7895734224338],[-73.9803360309571,40.770518810606404],[-73.9936,40.7663],[-73.97171,40.756550000000004],[-73.972599326729608,40.765330371902991]]]}"#,
        TOL,
    );
}

#[test]
fn docs_union_polygons_array_of_columns() {
    check_geojson_near(
        r#"datatable(polygon1:dynamic, polygon2:dynamic)
        [
            dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}), dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249],[-73.96888,40.79282],[-73.9577,40.7789],[-73.94622,40.79249]]]})
        ]
        | project polygons_arr = pack_array(polygon1, polygon2)
        | project polygons_union = geo_union_polygons_array(polygons_arr)"#,
        r#"{"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.9639277517478,40.792748258673875],[-73.96888,40.792819999999992],[-73.9662719791645,40.7895734224338],[-73.98201,40.76825],[-73.97317,40.76455],[-73.960302383706178,40.782140794645024],[-73.9577,40.7789],[-73.94622,40.79249],[-73.9526593223173,40.792584227716468],[-73.9495,40.7969]]]}"#,
        TOL,
    );
}

#[test]
fn docs_union_of_a_geohash_and_its_neighbors() {
    check_geojson_near(
        r#"let h3cell = 'sunny';
        print cells = array_concat(pack_array(h3cell), geo_geohash_neighbors(h3cell))
        | mv-expand cells to typeof(string)
        | project polygons = geo_geohash_to_polygon(cells)
        | summarize arr = make_list(polygons)
        | project polygon = geo_union_polygons_array(arr)"#,
        r#"{"type":"Polygon","coordinates":[[[42.4072265625,23.642578125],[42.451171875,23.642578125],[42.4951171875,23.642578125],[42.5390625,23.642578125],[42.5390625,23.686523437500004],[42.5390625,23.730468750000004],[42.5390625,23.7744140625],[42.4951171875,23.7744140625],[42.451171875,23.7744140625],[42.407226562499993,23.7744140625],[42.4072265625,23.73046875],[42.4072265625,23.6865234375],[42.4072265625,23.642578125]]]}"#,
        TOL,
    );
}

#[test]
fn docs_union_of_an_s2_cell_and_its_neighbors() {
    check_geojson_near(
        r#"let s2cell = '89c259';
        print cells = array_concat(pack_array(s2cell), geo_s2cell_neighbors(s2cell))
        | mv-expand cells to typeof(string)
        | project polygons = geo_s2cell_to_polygon(cells)
        | summarize arr = make_list(polygons)
        | project polygon = geo_union_polygons_array(arr)"#,
        r#"{"type": "Polygon","coordinates": [[[-73.841906340776248,40.695446474556284],[-73.841906340776248,40.774477568182071],[-73.841906340776248,40.853401155678846],[-73.935982114337421,40.866846163445771],[-74.030012249838478,40.880202851376716],[-74.1239959854733,40.893471289549758],[-74.1239959854733,40.814531536204242],[-74.1239959854733,40.735483949993387],[-74.1239959854733,40.656328734184143],[-74.030012249838478,40.643076628676461],[-73.935982114337421,40.629736433321796],[-73.841906340776248,40.616308079144915],[-73.841906340776248,40.695446474556284]]]}"#,
        TOL,
    );
}

#[test]
fn docs_union_of_an_h3_cell_and_its_neighbors() {
    check_geojson_near(
        r#"let h3cell = '862a1072fffffff';
        print cells = array_concat(pack_array(h3cell), geo_h3cell_neighbors(h3cell))
        | mv-expand cells to typeof(string)
        | project polygons = geo_h3cell_to_polygon(cells)
        | summarize arr = make_list(polygons)
        | project polygon = geo_union_polygons_array(arr)"#,
        r#"{<br>  "type": "Polygon",<br>  "coordinates": [[[  -73.926766604813565,  40.718903205013063],[  -73.912969923470314,  40.750105305345329],[  -73.943844904976629,  40.773964402038523],[  -73.988522328408948,  40.766594382212254],[  -74.019448383546617,  40.79043914023697],[  -74.064132193843633,  40.783038509825005],[  -74.077839665342211,  40.751803958414136],[  -74.1224794808745,  40.744383587828388],[  -74.1361375042681,  40.713156370029125],[  -74.1052004095288,  40.689365648097251],[  -74.118853750491638,  40.658161927046628],[  -74.0879619670209,  40.6343838242296],[  -74.043422283844933,  40.641782462872115],[  -74.012581189358343,  40.617990065981623],[  -73.968047801220749,  40.625358290164755],[  -73.954305509472675,  40.656529678451555],[  -73.909728515658443,  40.663878222244442],[  -73.895936872069854,  40.695056852396377],[  -73.926766604813565,  40.718903205013063]]]}"#,
        TOL,
    );
}

#[test]
fn union_polygons_array_of_apart_polygons_is_a_multipolygon() {
    let got = single_json(
        r#"print u = geo_union_polygons_array(dynamic([
            {"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]},
            {"type":"Polygon","coordinates":[[[5,5],[6,5],[6,6],[5,6],[5,5]]]}]))"#,
    );
    assert_eq!(got["type"], "MultiPolygon", "{got}");
    assert_eq!(
        got["coordinates"].as_array().map(Vec::len),
        Some(2),
        "{got}"
    );
}

#[test]
fn docs_union_polygons_array_with_an_invalid_polygon_is_null() {
    check(
        r#"datatable(polygons:dynamic)
        [
            dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}),
            dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249]]]})
        ]
        | summarize polygons_arr = make_list(polygons)
        | project invalid_union = isnull(geo_union_polygons_array(polygons_arr))"#,
        "invalid_union:bool
        true",
    );
}

// ---- geo_union_lines_array ----

const THREE_LINES: &str = r#"datatable(lines:dynamic)
    [
        dynamic({"type":"LineString","coordinates":[[-73.95683884620665,40.80502891480884],[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311]]}),
        dynamic({"type":"LineString","coordinates":[[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311],[-73.95537436008453,40.804413741624515]]}),
        dynamic({"type":"LineString","coordinates":[[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311]]})
    ]"#;

const LINES_UNION: &str = r#"{"type": "LineString", "coordinates": [[-73.956838846206651, 40.805028914808844], [-73.95633727312088, 40.8057171711177], [ -73.954891562461853, 40.80510200431312], [-73.955374360084534, 40.804413741624522]]}"#;

#[test]
fn docs_union_lines_array_of_rows() {
    check_geojson_near(
        &format!(
            "{THREE_LINES}
            | summarize lines_arr = make_list(lines)
            | project lines_union = geo_union_lines_array(lines_arr)"
        ),
        LINES_UNION,
        TOL,
    );
}

#[test]
fn docs_union_lines_array_of_columns() {
    check_geojson_near(
        r#"datatable(line1:dynamic, line2:dynamic)
        [
            dynamic({"type":"LineString","coordinates":[[-73.95683884620665,40.80502891480884],[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311]]}), dynamic({"type":"LineString","coordinates":[[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311],[-73.95537436008453,40.804413741624515]]})
        ]
        | project lines_arr = pack_array(line1, line2)
        | project lines_union = geo_union_lines_array(lines_arr)"#,
        LINES_UNION,
        TOL,
    );
}

#[test]
fn union_lines_array_of_apart_lines_is_a_multiline() {
    check_geojson(
        r#"print u = geo_union_lines_array(dynamic([
            {"type":"LineString","coordinates":[[0,0],[1,1]]},
            {"type":"MultiLineString","coordinates":[[[5,5],[6,6]],[[1,1],[2,1]]]}]))"#,
        r#"{"type":"MultiLineString","coordinates":[[[0,0],[1,1],[2,1]],[[5,5],[6,6]]]}"#,
    );
}

#[test]
fn union_lines_array_merges_overlapping_stretches() {
    // Along the equator, 0°-2° and 1°-3° overlap from 1° to 2°.
    check_geojson(
        r#"print u = geo_union_lines_array(dynamic([
            {"type":"LineString","coordinates":[[0,0],[2,0]]},
            {"type":"LineString","coordinates":[[1,0],[3,0]]}]))"#,
        r#"{"type":"LineString","coordinates":[[0,0],[1,0],[2,0],[3,0]]}"#,
    );
}

#[test]
fn docs_union_lines_array_with_an_invalid_line_is_null() {
    check(
        r#"datatable(lines:dynamic)
        [
            dynamic({"type":"LineString","coordinates":[[-73.95683884620665,40.80502891480884],[-73.95633727312088,40.8057171711177],[-73.95489156246185,40.80510200431311]]}),
            dynamic({"type":"LineString","coordinates":[[1, 1]]})
        ]
        | summarize lines_arr = make_list(lines)
        | project invalid_union = isnull(geo_union_lines_array(lines_arr))"#,
        "invalid_union:bool
        true",
    );
}

// ---- geo_simplify_polygons_array ----

const THREE_POLYGONS: &str = r#"datatable(polygons:dynamic)
    [
        dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}),
        dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249],[-73.96888,40.79282],[-73.9577,40.7789],[-73.94622,40.79249]]]}),
        dynamic({"type":"Polygon","coordinates":[[[-73.97335,40.77274],[-73.9936,40.76630],[-73.97171,40.75655],[-73.97335,40.77274]]]})
    ]
    | summarize arr = make_list(polygons)"#;

#[test]
fn docs_simplify_polygons_array_null_cases() {
    check(
        r#"datatable(polygons:dynamic)
        [
            dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807,40.80068],[-73.98201,40.76825],[-73.97317,40.76455],[-73.9495,40.7969]]]}),
            dynamic({"type":"Polygon","coordinates":[[[-73.94622,40.79249]]]})
        ]
        | summarize arr = make_list(polygons)
        | project is_invalid_polygon = isnull(geo_simplify_polygons_array(arr))"#,
        "is_invalid_polygon:bool
        true",
    );
    check(
        &format!(
            "{THREE_POLYGONS} | project is_null = isnull(geo_simplify_polygons_array(arr, -1))"
        ),
        "is_null:bool
        true",
    );
    check(
        &format!(
            "{THREE_POLYGONS} | project is_null = isnull(geo_simplify_polygons_array(arr, 10000))"
        ),
        "is_null:bool
        true",
    );
}

#[test]
fn simplify_polygons_array_keeps_the_union_at_a_small_tolerance() {
    // No vertex of the union lies within 10 m of the chord around it.
    let simplified = single_json(&format!(
        "{THREE_POLYGONS} | project s = geo_simplify_polygons_array(arr)"
    ));
    let union = single_json(&format!(
        "{THREE_POLYGONS} | project u = geo_union_polygons_array(arr)"
    ));
    assert_eq!(simplified, union);
    // At 1 km the crossing vertices close to others go.
    let coarse = single_json(&format!(
        "{THREE_POLYGONS} | project s = geo_simplify_polygons_array(arr, 1000)"
    ));
    let ring = |j: &serde_json::Value| j["coordinates"][0].as_array().map(Vec::len);
    assert!(ring(&coarse) < ring(&union), "{coarse}");
}

// ---- Buffers ----

#[test]
fn point_buffer_is_a_circle_of_the_radius() {
    // The area of a 20 km circle, within the 10 m default tolerance's
    // shortfall (a ring of 10 m along the circumference at most).
    let frame = run(
        "print b = geo_point_buffer(-115.1745008278, 36.1497251277, 20000)
        | project t = tostring(b.type), a = geo_polygon_area(b),
                  d = geo_distance_2points(-115.1745008278, 36.1497251277,
                        toreal(b.coordinates[0][3][0]), toreal(b.coordinates[0][3][1]))",
    );
    let rendered = crate::common::render(&frame);
    assert!(rendered.contains("Polygon"), "{rendered}");
    let area = frame.column("a").unwrap().f64().unwrap().get(0).unwrap();
    let circle = std::f64::consts::PI * 20000.0 * 20000.0;
    assert!(area < circle && area > circle - 2.0 * std::f64::consts::PI * 20000.0 * 10.0);
    let d = frame.column("d").unwrap().f64().unwrap().get(0).unwrap();
    assert!((d - 20000.0).abs() < 1e-6, "a vertex at {d} m");
}

#[test]
fn line_and_polygon_buffers_cover_the_documented_areas() {
    // A 4 m buffer of an 851.7 m line: two sides and two half circles.
    let frame = run(
        r#"let line = dynamic({"type":"LineString","coordinates":[[-80.66634997047466,24.894526340592122],[-80.67373241820246,24.890808090321286]]});
        let polygon = dynamic({"type":"Polygon","coordinates":[[[139.813757,35.719666],[139.72558,35.71813],[139.727471,35.653231],[139.818721,35.657264],[139.813757,35.719666]]]});
        print l = geo_line_buffer(line, 4, 0.1), p = geo_polygon_buffer(polygon, 10000), len = geo_line_length(line),
              a0 = geo_polygon_area(polygon), p0 = geo_polygon_perimeter(polygon)
        | project lt = tostring(l.type), la = geo_polygon_area(l), len, pt = tostring(p.type), pa = geo_polygon_area(p), a0, p0"#,
    );
    let get = |c: &str| frame.column(c).unwrap().f64().unwrap().get(0).unwrap();
    let pi = std::f64::consts::PI;
    let line_area = 2.0 * 4.0 * get("len") + pi * 16.0;
    assert!(
        (get("la") - line_area).abs() < 0.01 * line_area,
        "{}",
        get("la")
    );
    let polygon_area = get("a0") + get("p0") * 10000.0 + pi * 1e8;
    assert!(
        (get("pa") - polygon_area).abs() < 0.002 * polygon_area,
        "{}",
        get("pa")
    );
    let rendered = crate::common::render(&frame);
    assert_eq!(rendered.matches("Polygon").count(), 2, "{rendered}");
}

#[test]
fn docs_buffers_of_buffers_unite() {
    let got = single_json(
        "datatable(longitude:real, latitude:real, radius:real)
        [
            real(-80.3212217992616), 25.268683367546604, 5000,
            real(-80.81717403605833), 24.82658441221962, 3000
        ]
        | project buffer = geo_point_buffer(longitude, latitude, radius)
        | summarize polygons = make_list(buffer)
        | project result = geo_union_polygons_array(polygons)",
    );
    assert_eq!(got["type"], "MultiPolygon", "{got}");
}

#[test]
fn docs_point_buffer_in_a_polygon_lookup() {
    check(
        r#"let locations1 = datatable(name: string, longitude: real, latitude: real)
        [
            "O2 Entrance", 0.0009625704125020596, 51.50385432770013,
            "O2 Entrance", 0.0058894545017163215, 51.50238626916584,
            "London Eye", -0.11965804425224386, 51.50330573767613,
        ];
        let locations2 = datatable(id: string, longitude: real, latitude: real)
        [
            "O2 Arena", 0.003159306017352037, 51.502929224128394
        ]
        | extend buffer = geo_point_buffer(0.003159306017352037, 51.502929224128394, 300, 0.1);
        locations1
        | evaluate geo_polygon_lookup(locations2, buffer, longitude, latitude)
        | project name, id"#,
        r#"name:string | id:string
        "O2 Entrance" | "O2 Arena"
        "O2 Entrance" | "O2 Arena""#,
    );
}

#[test]
fn docs_buffers_of_invalid_input_are_null() {
    check(
        r#"print a = isnull(geo_point_buffer(200, 1, 0.1)),
                 b = isnull(geo_point_buffer(10, 10, -1)),
                 c = isnull(geo_line_buffer(dynamic({"type":"LineString"}), 5)),
                 d = isnull(geo_line_buffer(dynamic({"type":"LineString","coordinates":[[0,0],[1,1]]}), 0)),
                 e = isnull(geo_polygon_buffer(dynamic({"type":"p"}), 1)),
                 f = isnull(geo_polygon_buffer(dynamic({"type":"Polygon","coordinates":[[[10,10],[0,10],[0,0],[10,10]]]}), 0)),
                 g = isnull(geo_point_buffer(10, 10, 1000, 0.0001)),
                 h = isnull(geo_point_buffer('x', 10, 1000))"#,
        "a:bool | b:bool | c:bool | d:bool | e:bool | f:bool | g:bool | h:bool
        true | true | true | true | true | true | true | true",
    );
}

// ---- geo_polygon_to_h3cells ----

const MADRID: &str = r#"let polygon = dynamic({"type":"Polygon","coordinates":[[[-3.659,40.553],[-3.913,40.409],[-3.729,40.273],[-3.524,40.440],[-3.659,40.553]]]});"#;

#[test]
fn docs_polygon_to_h3cells() {
    // The documented cells, in token order (Kusto's own order follows no
    // stated rule).
    check_geojson(
        &format!("{MADRID} print h3_cells = geo_polygon_to_h3cells(polygon)"),
        r#"["86390ca07ffffff","86390ca27ffffff","86390ca2fffffff","86390ca37ffffff","86390cb07ffffff","86390cb0fffffff","86390cb17ffffff","86390cb1fffffff","86390cb57ffffff","86390cb87ffffff","86390cb8fffffff","86390cba7ffffff","86390cbafffffff"]"#,
    );
}

#[test]
fn polygon_to_h3cells_resolution_and_radius() {
    // A resolution finer has about seven times the cells; a 5 km buffer
    // adds a ring of cells (a resolution-6 cell is about 3.7 km across)
    // and keeps every cell of the polygon itself.
    check(
        &format!(
            "{MADRID} print n6 = array_length(geo_polygon_to_h3cells(polygon)),
                n7 = array_length(geo_polygon_to_h3cells(polygon, 7)),
                buffered = array_length(geo_polygon_to_h3cells(polygon, 6, 5000)),
                within = array_length(set_difference(geo_polygon_to_h3cells(polygon), geo_polygon_to_h3cells(polygon, 6, 5000)))"
        ),
        "n6:long | n7:long | buffered:long | within:long
        13 | 93 | 27 | 0",
    );
}

#[test]
fn polygon_to_h3cells_over_the_limit_is_null() {
    // A 10° square: 5,842 cells at resolution 5, over 61,680 at 7 (null);
    // at 15 the estimate refuses it before any cell is traced.
    check(
        r#"let square = dynamic({"type":"Polygon","coordinates":[[[0,0],[10,0],[10,10],[0,10],[0,0]]]});
        print r5 = array_length(geo_polygon_to_h3cells(square, 5)),
              r7 = isnull(geo_polygon_to_h3cells(square, 7)),
              r15 = isnull(geo_polygon_to_h3cells(square, 15))"#,
        "r5:long | r7:bool | r15:bool
        5842 | true | true",
    );
}

#[test]
fn docs_polygon_to_h3cells_of_invalid_input_is_null() {
    check(
        &format!(
            r#"{MADRID} print a = isnull(geo_polygon_to_h3cells(dynamic({{"type":"Polygon","coordinates":[[[0,0],[1,1]]]}}))),
                b = isnull(geo_polygon_to_h3cells(polygon, 16)),
                c = isnull(geo_polygon_to_h3cells(polygon, 6, -1)),
                d = isnull(geo_polygon_to_h3cells(polygon, 15)),
                e = isnull(geo_polygon_to_h3cells('text'))"#
        ),
        "a:bool | b:bool | c:bool | d:bool | e:bool
        true | true | true | true | true",
    );
}

// ---- geo_line_to_s2cells ----

#[test]
fn docs_line_to_s2cells_finds_stations_near_streets() {
    check(
        r#"let radius = 500;
        let tube_stations = datatable(tube_station_name:string, lng:real, lat: real)
        [
            "St. James' Park",        -0.13451078568013486, 51.49919145858172,
             "London Bridge station", -0.08492752160134387, 51.504876316440914,
        ];
        let streets = datatable(street_name:string, line:dynamic)
        [
            "Buckingham Palace", dynamic({"type":"LineString","coordinates":[[-0.1399656708283601,51.50190802248855],[-0.14088438832752104,51.50012082761452]]}),
            "London Bridge",    dynamic({"type":"LineString","coordinates":[[-0.087152,51.509596],[-0.088340,51.506110]]}),
        ];
        let join_level = 14;
        let lines = materialize(streets | extend id = new_guid());
        let res =
            lines
            | project id, covering = geo_line_to_s2cells(line, join_level, radius)
            | mv-expand covering to typeof(string)
            | join kind=inner hint.strategy=broadcast
            (
                tube_stations
                | extend covering = geo_point_to_s2cell(lng, lat, join_level)
            ) on covering;
        res | lookup lines on id
        | where geo_distance_point_to_line(lng, lat, line) <= radius
        | summarize count = count() by name = street_name
        | order by name asc"#,
        r#"name:string | count:long
        "Buckingham Palace" | 1
        "London Bridge" | 1"#,
    );
}

#[test]
fn line_to_s2cells_covers_the_line_and_its_radius() {
    // A 400 m street crosses two level-14 cells (about 500 m across); a
    // 500 m radius brings in the cells around them; at level 22 (2.4 m
    // cells) the radius needs over 65,536 cells: null.
    check(
        r#"let street = dynamic({"type":"LineString","coordinates":[[-0.087152,51.509596],[-0.088340,51.506110]]});
        print cells = geo_line_to_s2cells(street, 14),
              around = array_length(geo_line_to_s2cells(street, 14, 500)),
              mine = set_difference(pack_array(geo_point_to_s2cell(-0.087152, 51.509596, 14), geo_point_to_s2cell(-0.088340, 51.506110, 14)), geo_line_to_s2cells(street, 14)),
              invalid = isnull(geo_line_to_s2cells(dynamic({"type":"LineString","coordinates":[[[0,0],[0,0]]]}))),
              bad_level = isnull(geo_line_to_s2cells(street, 31)),
              bad_radius = isnull(geo_line_to_s2cells(street, 14, -1)),
              too_many = isnull(geo_line_to_s2cells(street, 22, 500))"#,
        r#"cells:dynamic | around:long | mine:dynamic | invalid:bool | bad_level:bool | bad_radius:bool | too_many:bool
        ["48760351","48760357"] | 12 | [] | true | true | true | true"#,
    );
}

// ---- Bad input, spread shapes, and quarry check ----

#[test]
fn overlays_of_wrong_types_are_null() {
    check(
        r#"print a = isnull(geo_intersection_2polygons(1, 'x')),
                 b = isnull(geo_union_polygons_array('text')),
                 c = isnull(geo_union_polygons_array(dynamic([]))),
                 d = isnull(geo_union_lines_array(dynamic({"type":"LineString","coordinates":[[0,0],[1,1]]}))),
                 e = isnull(geo_union_lines_array(dynamic([1, 2]))),
                 f = isnull(geo_simplify_polygons_array(dynamic([]), 'x'))"#,
        "a:bool | b:bool | c:bool | d:bool | e:bool | f:bool
        true | true | true | true | true | true",
    );
}

#[test]
fn shapes_too_far_apart_for_one_plane_are_null() {
    check(
        r#"print u = isnull(geo_union_polygons_array(dynamic([
                {"type":"Polygon","coordinates":[[[0,0],[1,0],[1,1],[0,1],[0,0]]]},
                {"type":"Polygon","coordinates":[[[179,0],[180,0],[180,1],[179,1],[179,0]]]}])))"#,
        "u:bool
        true",
    );
}

#[test]
fn quarry_check_knows_the_overlays() {
    for function in [
        "geo_intersection_2polygons(p, p)",
        "geo_intersection_line_with_polygon(l, p)",
        "geo_union_polygons_array(a)",
        "geo_union_lines_array(a)",
        "geo_simplify_polygons_array(a, 10)",
        "geo_point_buffer(1, 2, 3, 0.1)",
        "geo_line_buffer(l, 3)",
        "geo_polygon_buffer(p, 3)",
        "geo_polygon_to_h3cells(p, 6, 100)",
        "geo_line_to_s2cells(l, 14, 500)",
    ] {
        let query = format!("print x = {function}");
        let out = Command::cargo_bin("quarry")
            .expect("the binary")
            .args(["check", &query])
            .output()
            .expect("runs");
        assert!(out.status.success(), "{query}: {out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    }
}

// ---- MultiPolygons measured as their union ----

const TWO_OVERLAPPING: &str = r#"let polygons = dynamic({"type":"MultiPolygon","coordinates":[[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]],[[[-73.94262313842773,40.775991804565585],[-73.98107528686523,40.791849155467695],[-73.99600982666016,40.77092185281977],[-73.96150588989258,40.75609977566361],[-73.94262313842773,40.775991804565585]]]]});"#;

#[test]
fn docs_multipolygon_area_perimeter_and_centroid_are_of_the_union() {
    let frame = run(&format!(
        "{TWO_OVERLAPPING} print area = geo_polygon_area(polygons),
            perimeter = geo_polygon_perimeter(polygons),
            centroid = geo_polygon_centroid(polygons)
        | extend lng = toreal(centroid.coordinates[0]), lat = toreal(centroid.coordinates[1])"
    ));
    let get = |c: &str| frame.column(c).unwrap().f64().unwrap().get(0).unwrap();
    // The documented figures, 15 digits as printed; the overlap counted
    // once (the polygons' own areas add up to 12,875,071.58).
    for (column, documented) in [
        ("area", 10889971.5343487),
        ("perimeter", 15943.5384578745),
        ("lng", -73.96856958782958),
        ("lat", 40.77631075255512),
    ] {
        let got = get(column);
        assert!(
            (got - documented).abs() <= 1e-12 * documented.abs(),
            "{column}: {got} documented {documented}"
        );
    }
}
