//! The geo_* functions of lines and polygons on the sphere against
//! Microsoft's documented examples: centroids, densify, simplify,
//! distances and closest points, points along a line, and crossings.
//! GeoJSON is compared as the doubles it denotes (see tests/geo_support);
//! where Quarry's double is not the documented one to the last bit, the
//! test says how near it is and why.

use crate::geo_support;
use geo_support::*;

const CENTRAL_PARK: &str = r#"dynamic({"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]})"#;

/// The North Las Vegas road of geo-distance-point-to-line-function.md.
const LAS_VEGAS_ROAD: &str = r#"dynamic({ "type":"LineString","coordinates":[[-115.115385,36.229195],[-115.136995,36.200366],[-115.140252,36.192470],[-115.143558,36.188523],[-115.144076,36.181954],[-115.154662,36.174483],[-115.166431,36.176388],[-115.183289,36.175007],[-115.192612,36.176736],[-115.202485,36.173439],[-115.225355,36.174365]]})"#;

// ---- Centroids ----

#[test]
fn docs_geo_line_centroid() {
    check_geojson(
        r#"let line = dynamic({"type":"LineString","coordinates":[[-73.95796, 40.80042], [-73.97317, 40.764486]]});
        print centroid = geo_line_centroid(line)"#,
        r#"{"type": "Point", "coordinates": [-73.965567057230942, 40.782453249627416]}"#,
    );
    check(
        r#"let line = dynamic({"type":"LineString","coordinates":[[-73.95807266235352,40.800426144169315],[-73.94966125488281,40.79691751000055],[-73.97317886352539,40.764486356930334],[-73.98210525512695,40.76786669510221],[-73.96004676818848,40.7980870753293]]});
        print centroid = geo_line_centroid(line)
        | project lng = todouble(centroid.coordinates[0])"#,
        "lng:real
        -73.96606756268372",
    );
    docs_real(-73.96606756268372, "-73.9660675626837");
    check(
        r#"print is_bad_line = isnull(geo_line_centroid(dynamic({"type":"LineString","coordinates":[[1, 1]]})))"#,
        "is_bad_line:bool
        true",
    );
}

#[test]
fn docs_geo_polygon_centroid() {
    // The latitude is one unit in the last place off S2's (1e-14 degrees,
    // a nanometer).
    check_geojson_near(
        &format!("print centroid = geo_polygon_centroid({CENTRAL_PARK})"),
        r#"{"type": "Point", "coordinates": [-73.965735689907618, 40.782550538057812]}"#,
        1e-13,
    );
    check(
        r#"print isnull(geo_polygon_centroid(dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,10],[0,0]]]})))"#,
        "print_0:bool
        true",
    );
    // A hole moves the centroid away from it (planar: (4 * 1 - 1.28 * 0.6)
    // / 2.72 = 1.188); a clockwise shell is the
    // same region as its counterclockwise twin.
    check(
        r#"print c = geo_polygon_centroid(dynamic({"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]],[[0.2,0.2],[0.2,1.8],[1,1.8],[1,0.2],[0.2,0.2]]]}))
        | project east = todouble(c.coordinates[0]) between (1.18 .. 1.19)"#,
        "east:bool
        true",
    );
    check(
        r#"print same = geo_polygon_centroid(dynamic({"type":"Polygon","coordinates":[[[0,0],[0,2],[2,2],[2,0],[0,0]]]}))
            == geo_polygon_centroid(dynamic({"type":"Polygon","coordinates":[[[0,0],[2,0],[2,2],[0,2],[0,0]]]}))"#,
        "same:bool
        true",
    );
}

// ---- Densify ----

#[test]
fn docs_geo_line_densify() {
    check_geojson(
        r#"print densified_line = geo_line_densify(dynamic({"type":"LineString","coordinates":[[-73.949247, 40.796860],[-73.973017, 40.764323]]}))"#,
        r#"{"type":"LineString","coordinates":[[-73.949247, 40.796860], [-73.973017, 40.764323]]}"#,
    );
    // Printed as Kusto prints it: whole degrees without a fraction.
    check(
        r#"print densified_line = tostring(geo_line_densify(dynamic({"type":"LineString","coordinates":[[50, 50], [51, 51]]})))"#,
        r#"densified_line:string
        "{\"type\":\"LineString\",\"coordinates\":[[50,50],[50.125,50.125],[50.25,50.25],[50.375,50.375],[50.5,50.5],[50.625,50.625],[50.75,50.75],[50.875,50.875],[51,51]]}""#,
    );
    for query in [
        r#"print densified_line = geo_line_densify(dynamic({"type":"LineString","coordinates":[[300,1],[1,1]]}))"#,
        r#"print densified_line = geo_line_densify(dynamic({"type":"LineString","coordinates":[[1,1],[2,2]]}), 0)"#,
        r#"print densified_line = geo_line_densify(dynamic({"type":"LineString","coordinates":[[1,1],[2,2]]}), 10001)"#,
    ] {
        check(query, "densified_line:dynamic\nnull");
    }
}

#[test]
fn docs_geo_polygon_densify() {
    check_geojson(
        &format!("print densified_polygon = geo_polygon_densify({CENTRAL_PARK})"),
        r#"{"type":"Polygon","coordinates":[[[-73.9495,40.7969],[-73.95807266235352,40.80068603561921],[-73.98201942443848,40.76825672305777],[-73.97317886352539,40.76455136505513],[-73.9495,40.7969]]]}"#,
    );
    check(
        r#"print densified_polygon = tostring(geo_polygon_densify(dynamic({"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]})))"#,
        r#"densified_polygon:string
        "{\"type\":\"Polygon\",\"coordinates\":[[[10,10],[10.25,10],[10.5,10],[10.75,10],[11,10],[11,11],[10.75,11],[10.5,11],[10.25,11],[10,11],[10,10]]]}""#,
    );
    for query in [
        r#"print densified_polygon = geo_polygon_densify(dynamic({"type":"Polygon","coordinates":[[[10,900],[11,10],[11,11],[10,11],[10,10]]]}))"#,
        r#"print densified_polygon = geo_polygon_densify(dynamic({"type":"Polygon","coordinates":[[[10,10],[11,10],[11,11],[10,11],[10,10]]]}), 0)"#,
    ] {
        check(query, "densified_polygon:dynamic\nnull");
    }
}

// ---- Simplify ----

#[test]
fn docs_geo_line_simplify() {
    check_geojson(
        r#"let line = dynamic({"type":"LineString","coordinates":[[-73.97033169865608,40.789063020152824],[-73.97039607167244,40.78897975920816],[-73.9704617857933,40.78888837512432],[-73.97052884101868,40.7887949601531],[-73.9706052839756,40.788698498903564],[-73.97065222263336,40.78862640672032],[-73.97072866559029,40.78852791445617],[-73.97079303860664,40.788434498977836]]});
        print simplified = geo_line_simplify(line, 10)"#,
        r#"{"type": "LineString", "coordinates": [[-73.97033169865608, 40.789063020152824], [-73.97079303860664, 40.788434498977836]]}"#,
    );
    for query in [
        r#"print is_invalid_line = isnull(geo_line_simplify(dynamic({"type":"LineString","coordinates":[[1, 1]]})))"#,
        r#"print is_invalid_line = isnull(geo_line_simplify(dynamic({"type":"LineString","coordinates":[[1, 1],[2,2]]}), -1))"#,
        // A line shorter than the tolerance disappears.
        r#"print is_invalid_line = isnull(geo_line_simplify(dynamic({"type":"LineString","coordinates":[[1.1, 1.1],[1.2,1.2]]}), 100000))"#,
    ] {
        check(query, "is_invalid_line:bool\ntrue");
    }
}

#[test]
fn docs_geo_polygon_simplify() {
    check_geojson(
        r#"let polygon = dynamic({"type":"Polygon","coordinates":[[[-73.94885122776031,40.79673476355657],[-73.94885927438736,40.79692258628347],[-73.94887939095497,40.79692055577034],[-73.9488673210144,40.79693476936093],[-73.94888743758202,40.79693476936093],[-73.9488834142685,40.796959135509105],[-73.94890084862709,40.79695304397289],[-73.94906312227248,40.79710736271788],[-73.94923612475395,40.7968708081794],[-73.94885122776031,40.79673476355657]]]});
        print simplified = geo_polygon_simplify(polygon)"#,
        r#"{"type": "Polygon", "coordinates": [[[-73.948851227760315, 40.796734763556572],[-73.949063122272477, 40.797107362717881],[-73.949236124753952, 40.7968708081794],[-73.948851227760315, 40.796734763556572]]]}"#,
    );
    for query in [
        r#"print is_invalid_polygon = isnull(geo_polygon_simplify(dynamic({"type":"Polygon","coordinates":[[[5,48],[5,48]]]})))"#,
        r#"print is_invalid_polygon = isnull(geo_polygon_simplify(dynamic({"type":"Polygon","coordinates":[[[5,48],[0,50],[0,47],[4,47],[5,48]]]}), -0.1))"#,
        r#"print is_invalid_polygon = isnull(geo_polygon_simplify(dynamic({"type":"Polygon","coordinates":[[[5,48],[0,50],[0,47],[4,47],[5,48]]]}), 1000000))"#,
    ] {
        check(query, "is_invalid_polygon:bool\ntrue");
    }
}

// ---- Distances and closest points ----

#[test]
fn docs_geo_distance_point_to_line() {
    let frame = run(&format!(
        "print distance_in_meters = geo_distance_point_to_line(-115.199625, 36.210419, {LAS_VEGAS_ROAD})"
    ));
    let got = frame.columns()[0]
        .f64()
        .expect("real")
        .get(0)
        .expect("a distance");
    // 3797.88887253321: 1.3e-10 m (3.5e-14 relative) short of Kusto's,
    // which measures through S2's chord angles.
    assert!((got - 3797.88887253334).abs() < 1e-9, "{got}");
    for query in [
        r#"print distance_in_meters = geo_distance_point_to_line(1,1, dynamic({ "type":"LineString"}))"#,
        r#"print distance_in_meters = geo_distance_point_to_line(300, 3, dynamic({ "type":"LineString","coordinates":[[1,1],[2,2]]}))"#,
    ] {
        check(query, "distance_in_meters:real\nnull");
    }
}

#[test]
fn docs_geo_closest_point_on_line() {
    check_geojson(
        &format!(
            "print point_on_line = geo_closest_point_on_line(-115.199625, 36.210419, {LAS_VEGAS_ROAD})"
        ),
        r#"{ "type": "Point", "coordinates": [ -115.192612, 36.176736]}"#,
    );
    check(
        r#"print result = isnull(geo_closest_point_on_line(300, 3, dynamic({ "type":"LineString","coordinates":[[1,1],[2,2]]})))"#,
        "result:bool\ntrue",
    );
}

#[test]
fn docs_geo_distance_point_to_polygon() {
    let frame = run(&format!(
        "print geo_distance_point_to_polygon(-73.9839, 40.7705, {CENTRAL_PARK})"
    ));
    let got = frame.columns()[0]
        .f64()
        .expect("real")
        .get(0)
        .expect("a distance");
    docs_real(got, "259.940756070596");
    check(
        &format!("print inside = geo_distance_point_to_polygon(-73.9650, 40.7820, {CENTRAL_PARK})"),
        "inside:real\n0",
    );
    for query in [
        r#"print distance = geo_distance_point_to_polygon(500,1,dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,1],[0,0]]]}))"#,
        r#"print distance = geo_distance_point_to_polygon(1,1,dynamic({"type": "Polygon","coordinates": [[[0,0],[10,10],[10,10],[0,0]]]}))"#,
    ] {
        check(query, "distance:real\nnull");
    }
}

#[test]
fn docs_geo_closest_point_on_polygon() {
    // Two units in the last place of the longitude off S2's.
    check_geojson_near(
        &format!("print geo_closest_point_on_polygon(-73.9839, 40.7705, {CENTRAL_PARK})"),
        r#"{"type": "Point","coordinates": [-73.981205580153926, 40.769359452843211] }"#,
        1e-13,
    );
    // Inside, the point itself.
    check_geojson(
        &format!("print geo_closest_point_on_polygon(-73.965, 40.782, {CENTRAL_PARK})"),
        r#"{"type": "Point","coordinates": [-73.965, 40.782]}"#,
    );
}

// ---- Along a line ----

#[test]
fn docs_geo_line_interpolate_point() {
    check_geojson(
        r#"let line = dynamic({"type":"LineString","coordinates":[[-73.95796, 40.80042], [-73.97317, 40.764486]]});
        print point = geo_line_interpolate_point(line, 0.25)"#,
        r#"{"type": "Point", "coordinates": [-73.961764043218281, 40.791436687257232]}"#,
    );
    check(
        r#"let line = dynamic({"type":"LineString","coordinates":[[-73.95807266235352,40.800426144169315],[-73.94966125488281,40.79691751000055],[-73.97317886352539,40.764486356930334],[-73.98210525512695,40.76786669510221],[-73.96004676818848,40.7980870753293]]});
        print point = geo_line_interpolate_point(line, 0.9)
        | project lng = todouble(point.coordinates[0])"#,
        "lng:real\n-73.96556545832799",
    );
    for query in [
        r#"print is_bad = isnull(geo_line_interpolate_point(dynamic({"type":"LineString","coordinates":[[1, 1]]}), 0.5))"#,
        r#"print is_bad = isnull(geo_line_interpolate_point(dynamic({"type":"LineString","coordinates":[[1, 1],[2,2]]}), 1.5))"#,
        r#"print is_bad = isnull(geo_line_interpolate_point(dynamic({"type":"MultiLineString","coordinates":[[[1, 1],[2,2]],[[3,3],[4,4]]]}), 0.5))"#,
    ] {
        check(query, "is_bad:bool\ntrue");
    }
}

#[test]
fn docs_geo_line_locate_point() {
    let frame = run(
        r#"let line = dynamic({"type":"LineString","coordinates":[[-73.95796, 40.80042], [-73.97317, 40.764486]]});
        print fraction = geo_line_locate_point(line, -73.965, 40.792)"#,
    );
    let got = frame.columns()[0]
        .f64()
        .expect("real")
        .get(0)
        .expect("a fraction");
    // Documented: 0.25560135100307552.
    assert!((got - 0.255_601_351_003_075_5).abs() < 1e-12, "{got}");
    check(
        r#"print is_bad_line = isnull(geo_line_locate_point(dynamic({"type":"LineString","coordinates":[[1, 1]]}), 1, 1))"#,
        "is_bad_line:bool\ntrue",
    );
}

// ---- Crossings ----

const LINE1: &str = r#"dynamic({"type":"LineString","coordinates":[[-73.978929,40.785155],[-73.980903,40.782621]]})"#;
const LINE2: &str = r#"dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275],[-73.974552,40.779761]]})"#;

#[test]
fn docs_geo_intersects_2lines() {
    check(
        &format!("print intersects = geo_intersects_2lines({LINE1}, {LINE2})"),
        "intersects:bool\ntrue",
    );
    check(
        &format!(
            r#"print isnull(geo_intersects_2lines({LINE1}, dynamic({{"type":"LineString","coordinates":[[-73.985195,40.788275]]}})))"#
        ),
        "print_0:bool\ntrue",
    );
    check(
        r#"print intersects = geo_intersects_2lines(dynamic({"type":"LineString","coordinates":[[1, 1],[2, 2]]}), dynamic({"type":"LineString","coordinates":[[3, 3],[4, 4]]}))"#,
        "intersects:bool\nfalse",
    );
}

#[test]
fn docs_geo_intersection_2lines() {
    // Two units in the last place of the longitude off S2's.
    check_geojson_near(
        &format!("print intersection = geo_intersection_2lines({LINE1}, {LINE2})"),
        r#"{"type": "Point","coordinates": [-73.979837116670978,40.783989289772165]}"#,
        1e-13,
    );
    check_geojson(
        &format!("print intersection = geo_intersection_2lines({LINE1}, {LINE1})"),
        r#"{"type": "LineString","coordinates": [[ -73.978929, 40.785155],[ -73.980903, 40.782621]]}"#,
    );
    check_geojson(
        r#"print intersection = geo_intersection_2lines(dynamic({"type":"LineString","coordinates":[[1, 1],[2, 2]]}), dynamic({"type":"LineString","coordinates":[[3, 3],[4, 4]]}))"#,
        r#"{"type": "GeometryCollection", "geometries": []}"#,
    );
    check(
        r#"print invalid = isnull(geo_intersection_2lines(dynamic({"type":"LineString","coordinates":[[1, 1],[2, 2]]}), dynamic({"type":"LineString","coordinates":[[3, 3]]})))"#,
        "invalid:bool\ntrue",
    );
    // Two crossings are a MultiPoint; a shared vertex is a point.
    check(
        r#"print i = tostring(geo_intersection_2lines(
            dynamic({"type":"LineString","coordinates":[[0,0],[2,0]]}),
            dynamic({"type":"LineString","coordinates":[[2,0],[3,1]]})))"#,
        r#"i:string
        "{\"type\":\"Point\",\"coordinates\":[2,0]}""#,
    );
    check(
        r#"print i = geo_intersection_2lines(
            dynamic({"type":"LineString","coordinates":[[0,-1],[0,1],[1,1],[1,-1]]}),
            dynamic({"type":"LineString","coordinates":[[-1,0],[2,0]]})).type"#,
        "i:dynamic\n\"MultiPoint\"",
    );
}

#[test]
fn docs_geo_intersects_2polygons() {
    check(
        r#"let polygon1 = dynamic({"type":"Polygon","coordinates":[[[-73.9630937576294,40.77498840732385],[-73.963565826416,40.774383111780914],[-73.96205306053162,40.773745311181585],[-73.96160781383514,40.7743912365898],[-73.9630937576294,40.77498840732385]]]});
        let polygon2 = dynamic({"type":"Polygon","coordinates":[[[-73.96213352680206,40.775045280447145],[-73.9631313085556,40.774578106920345],[-73.96207988262177,40.77416780398293],[-73.96213352680206,40.775045280447145]]]});
        print geo_intersects_2polygons(polygon1, polygon2)"#,
        "print_0:bool\ntrue",
    );
    check(
        &format!(
            r#"print isnull(geo_intersects_2polygons(dynamic({{"type":"Polygon"}}), {CENTRAL_PARK}))"#
        ),
        "print_0:bool\ntrue",
    );
    // One inside the other, no boundary crossing; apart.
    check(
        r#"let outer = dynamic({"type":"Polygon","coordinates":[[[0,0],[4,0],[4,4],[0,4],[0,0]]]});
        print inner = geo_intersects_2polygons(outer, dynamic({"type":"Polygon","coordinates":[[[1,1],[2,1],[2,2],[1,2],[1,1]]]})),
              apart = geo_intersects_2polygons(outer, dynamic({"type":"Polygon","coordinates":[[[5,5],[6,5],[6,6],[5,6],[5,5]]]}))"#,
        "inner:bool | apart:bool\ntrue | false",
    );
}

#[test]
fn docs_geo_intersects_line_with_polygon() {
    check(
        r#"let lineString = dynamic({"type":"LineString","coordinates":[[-73.985195,40.788275],[-73.974552,40.779761]]});
        let polygon = dynamic({"type":"Polygon","coordinates":[[[-73.9712905883789,40.78580561168767],[-73.98004531860352,40.775276834803655],[-73.97000312805176,40.77852663535664],[-73.9712905883789,40.78580561168767]]]});
        print intersects = geo_intersects_line_with_polygon(lineString, polygon)"#,
        "intersects:bool\ntrue",
    );
    check(
        &format!(
            r#"print inside = geo_intersects_line_with_polygon(dynamic({{"type":"LineString","coordinates":[[-73.966,40.781],[-73.965,40.782]]}}), {CENTRAL_PARK}),
                  away = geo_intersects_line_with_polygon(dynamic({{"type":"LineString","coordinates":[[1,1],[2,2]]}}), {CENTRAL_PARK}),
                  bad = isnull(geo_intersects_line_with_polygon(dynamic({{"type":"LineString","coordinates":[[1,1],[2,2]]}}), dynamic({{"type":"Polygon","coordinates":[]}})))"#
        ),
        "inside:bool | away:bool | bad:bool\ntrue | false | true",
    );
}

// ---- Well-Known Text ----

#[test]
fn docs_geo_from_wkt() {
    for (wkt, documented) in [
        ("POINT (1 2)", r#"{"type": "Point","coordinates": [1,2]}"#),
        (
            "LINESTRING (1 2, 3 4)",
            r#"{"type": "LineString", "coordinates": [[1,2],[3,4]]}"#,
        ),
        (
            "POLYGON ((0 0, 2 0, 2 2, 0 0))",
            r#"{"type": "Polygon","coordinates": [[[0,0],[2,0],[2,2],[0,0]]]}"#,
        ),
        (
            "MULTIPOINT (1 1, 2 2, 3 3)",
            r#"{"type": "MultiPoint","coordinates": [[1,1],[2,2],[3,3]]}"#,
        ),
        (
            "MULTILINESTRING ((1 1, 2 2, 3 3), (4 4, 5 5))",
            r#"{"type":"MultiLineString","coordinates":[[[1,1],[2,2],[3,3]],[[4,4],[5,5]]]}"#,
        ),
        (
            "MULTIPOLYGON (((0 0, 2 0, 2 2, 0 0)),((10 10, 12 10, 12 12, 10 10)))",
            r#"{"type": "MultiPolygon","coordinates": [[[[0,0],[2,0],[2,2],[0,0]]],[[[10,10],[12,10],[12,12],[10,10]]]]}"#,
        ),
        (
            "GEOMETRYCOLLECTION (POINT (1 1),LINESTRING (2 2, 3 3, 4 4),POLYGON ((10 10, 12 10, 12 12, 10 10)))",
            r#"{"type":"GeometryCollection","geometries":[{"type":"Point","coordinates":[1,1]},{"type":"LineString","coordinates":[[2,2],[3,3],[4,4]]},{"type":"Polygon","coordinates":[[[10,10],[12,10],[12,12],[10,10]]]}]}"#,
        ),
        // Z values are dropped; fractions kept.
        (
            "POINT Z (1.5 -2.25 7)",
            r#"{"type": "Point","coordinates": [1.5,-2.25]}"#,
        ),
    ] {
        check_geojson(&format!("print shape = geo_from_wkt('{wkt}')"), documented);
    }
    for wkt in [
        "LINESTRING",
        "POINT EMPTY",
        "POINT (200 1)",
        "POLYGON ((0 0, 2 0",
        "not wkt",
    ] {
        check(
            &format!("print result = isnull(geo_from_wkt('{wkt}'))"),
            "result:bool\ntrue",
        );
    }
}

// ---- Coverings ----

/// Every point of a grid over Central Park that the polygon holds has its
/// level-16 cell in the covering, the covering is in cell-id order without
/// repeats, and a radius only adds cells.
#[test]
fn geo_polygon_to_s2cells_covers_the_polygon() {
    check(
        &format!(
            "let park = {CENTRAL_PARK};
            let cover = geo_polygon_to_s2cells(park, 16);
            range i from 0 to 39 step 1
            | extend lng = -73.983 + i * 0.0009
            | mv-expand j = range(0, 39, 1) to typeof(long)
            | extend lat = 40.764 + j * 0.0009
            | where geo_point_in_polygon(lng, lat, park)
            | summarize inside = count(), missed = countif(array_index_of(cover, geo_point_to_s2cell(lng, lat, 16)) == -1)
            | extend cells = array_length(cover), sorted = tostring(cover) == tostring(array_sort_asc(cover)),
                     wider = array_length(geo_polygon_to_s2cells(park, 16, 500)) > array_length(cover)"
        ),
        // 259 cells: the park's 3.4 km² over level-16 cells of about
        // 150 m x 150 m at this latitude is ~150 inside, plus the ~100
        // its 9.5 km boundary runs through.
        "inside:long | missed:long | cells:long | sorted:bool | wider:bool
        456 | 0 | 259 | true | true",
    );
    check(
        &format!("print cells = geo_polygon_to_s2cells({CENTRAL_PARK}, 0)"),
        r#"cells:dynamic
        ["9"]"#,
    );
    for query in [
        format!("print cells = geo_polygon_to_s2cells({CENTRAL_PARK}, 31)"),
        format!("print cells = geo_polygon_to_s2cells({CENTRAL_PARK}, 16, -1)"),
        // Past Kusto's 65,536 cells.
        format!("print cells = geo_polygon_to_s2cells({CENTRAL_PARK}, 22)"),
        r#"print cells = geo_polygon_to_s2cells(dynamic({"type":"Polygon","coordinates":[[[0,0],[1,1],[0,0]]]}))"#.to_string(),
    ] {
        check(&query, "cells:dynamic\nnull");
    }
}
