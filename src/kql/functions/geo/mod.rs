//! Kusto's geospatial functions (`geo_*`), by grid or geometry: S2 cells
//! ([`s2cell`]), H3 cells ([`h3cell`]), geohashes ([`geohash`]), distances
//! and circles on the sphere ([`sphere`]), point in polygon ([`polygon`]),
//! line lengths, polygon perimeters and areas ([`measure`]), centroids,
//! densify, simplify, distances, closest points and crossings of lines
//! ([`lines`]) and polygons ([`regions`]), intersections and unions of
//! shapes ([`overlay`]), buffers ([`buffer`]),
//! and the IP location lookup
//! ([`ip`], which the evaluator calls itself since it reads a table).
//!
//! As in Kusto, coordinates are (longitude, latitude) in degrees, points
//! and polygons are GeoJSON in dynamic values, and invalid input (a null,
//! a coordinate out of range, a malformed cell token, a level out of range)
//! gives an empty or null result, never an error.

pub mod buffer;
pub mod covering;
pub mod geohash;
pub mod h3cell;
pub mod ip;
pub mod lines;
pub mod lookup;
pub mod measure;
pub mod overlay;
mod plane;
pub mod polygon;
pub mod regions;
pub mod s2cell;
mod shapes;
pub mod sphere;
pub mod wkt;

pub use ip::{GEOIP_TABLE, GeoIndex, NO_TABLE};

use serde_json::{Value as Json, json};

use super::ScalarFunction;
use super::convert::{as_long, as_real};
use crate::data::types::KqlType;
use crate::kql::value::Scalar;

/// The geo functions `lookup` and `quarry check` know.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "geo_point_to_s2cell",
        min_args: 2,
        max_args: 3,
        eval: s2cell::point_to_s2cell,
    },
    ScalarFunction {
        name: "geo_s2cell_to_central_point",
        min_args: 1,
        max_args: 1,
        eval: s2cell::s2cell_to_central_point,
    },
    ScalarFunction {
        name: "geo_s2cell_neighbors",
        min_args: 1,
        max_args: 1,
        eval: s2cell::s2cell_neighbors,
    },
    ScalarFunction {
        name: "geo_s2cell_to_polygon",
        min_args: 1,
        max_args: 1,
        eval: s2cell::s2cell_to_polygon,
    },
    ScalarFunction {
        name: "geo_point_to_h3cell",
        min_args: 2,
        max_args: 3,
        eval: h3cell::point_to_h3cell,
    },
    ScalarFunction {
        name: "geo_h3cell_to_central_point",
        min_args: 1,
        max_args: 1,
        eval: h3cell::h3cell_to_central_point,
    },
    ScalarFunction {
        name: "geo_h3cell_neighbors",
        min_args: 1,
        max_args: 1,
        eval: h3cell::h3cell_neighbors,
    },
    ScalarFunction {
        name: "geo_h3cell_rings",
        min_args: 2,
        max_args: 2,
        eval: h3cell::h3cell_rings,
    },
    ScalarFunction {
        name: "geo_h3cell_parent",
        min_args: 1,
        max_args: 2,
        eval: h3cell::h3cell_parent,
    },
    ScalarFunction {
        name: "geo_h3cell_children",
        min_args: 1,
        max_args: 2,
        eval: h3cell::h3cell_children,
    },
    ScalarFunction {
        name: "geo_h3cell_level",
        min_args: 1,
        max_args: 1,
        eval: h3cell::h3cell_level,
    },
    ScalarFunction {
        name: "geo_h3cell_to_polygon",
        min_args: 1,
        max_args: 1,
        eval: h3cell::h3cell_to_polygon,
    },
    ScalarFunction {
        name: "geo_point_to_geohash",
        min_args: 2,
        max_args: 3,
        eval: geohash::point_to_geohash,
    },
    ScalarFunction {
        name: "geo_geohash_to_central_point",
        min_args: 1,
        max_args: 1,
        eval: geohash::geohash_to_central_point,
    },
    ScalarFunction {
        name: "geo_geohash_neighbors",
        min_args: 1,
        max_args: 1,
        eval: geohash::geohash_neighbors,
    },
    ScalarFunction {
        name: "geo_geohash_to_polygon",
        min_args: 1,
        max_args: 1,
        eval: geohash::geohash_to_polygon,
    },
    ScalarFunction {
        name: "geo_distance_2points",
        min_args: 4,
        max_args: 5,
        eval: sphere::distance_2points,
    },
    ScalarFunction {
        name: "geo_point_in_circle",
        min_args: 5,
        max_args: 5,
        eval: sphere::point_in_circle,
    },
    ScalarFunction {
        name: "geo_azimuth",
        min_args: 4,
        max_args: 4,
        eval: sphere::azimuth,
    },
    ScalarFunction {
        name: "geo_angle",
        min_args: 6,
        max_args: 6,
        eval: sphere::angle,
    },
    ScalarFunction {
        name: "geo_point_in_polygon",
        min_args: 3,
        max_args: 3,
        eval: polygon::point_in_polygon,
    },
    ScalarFunction {
        name: "geo_line_length",
        min_args: 1,
        max_args: 1,
        eval: measure::line_length,
    },
    ScalarFunction {
        name: "geo_polygon_perimeter",
        min_args: 1,
        max_args: 1,
        eval: measure::polygon_perimeter,
    },
    ScalarFunction {
        name: "geo_polygon_area",
        min_args: 1,
        max_args: 1,
        eval: measure::polygon_area,
    },
    ScalarFunction {
        name: "geo_polygon_to_s2cells",
        min_args: 1,
        max_args: 3,
        eval: covering::polygon_to_s2cells,
    },
    ScalarFunction {
        name: "geo_line_to_s2cells",
        min_args: 1,
        max_args: 3,
        eval: covering::line_to_s2cells,
    },
    ScalarFunction {
        name: "geo_from_wkt",
        min_args: 1,
        max_args: 1,
        eval: wkt::from_wkt,
    },
    ScalarFunction {
        name: "geo_line_centroid",
        min_args: 1,
        max_args: 1,
        eval: lines::line_centroid,
    },
    ScalarFunction {
        name: "geo_line_densify",
        min_args: 1,
        max_args: 3,
        eval: lines::line_densify,
    },
    ScalarFunction {
        name: "geo_line_simplify",
        min_args: 1,
        max_args: 2,
        eval: lines::line_simplify,
    },
    ScalarFunction {
        name: "geo_distance_point_to_line",
        min_args: 3,
        max_args: 3,
        eval: lines::distance_point_to_line,
    },
    ScalarFunction {
        name: "geo_closest_point_on_line",
        min_args: 3,
        max_args: 3,
        eval: lines::closest_point_on_line,
    },
    ScalarFunction {
        name: "geo_line_interpolate_point",
        min_args: 2,
        max_args: 2,
        eval: lines::line_interpolate_point,
    },
    ScalarFunction {
        name: "geo_line_locate_point",
        min_args: 3,
        max_args: 3,
        eval: lines::line_locate_point,
    },
    ScalarFunction {
        name: "geo_intersects_2lines",
        min_args: 2,
        max_args: 2,
        eval: lines::intersects_2lines,
    },
    ScalarFunction {
        name: "geo_intersection_2lines",
        min_args: 2,
        max_args: 2,
        eval: lines::intersection_2lines,
    },
    ScalarFunction {
        name: "geo_polygon_centroid",
        min_args: 1,
        max_args: 1,
        eval: regions::polygon_centroid,
    },
    ScalarFunction {
        name: "geo_polygon_densify",
        min_args: 1,
        max_args: 3,
        eval: regions::polygon_densify,
    },
    ScalarFunction {
        name: "geo_polygon_simplify",
        min_args: 1,
        max_args: 2,
        eval: regions::polygon_simplify,
    },
    ScalarFunction {
        name: "geo_distance_point_to_polygon",
        min_args: 3,
        max_args: 3,
        eval: regions::distance_point_to_polygon,
    },
    ScalarFunction {
        name: "geo_closest_point_on_polygon",
        min_args: 3,
        max_args: 3,
        eval: regions::closest_point_on_polygon,
    },
    ScalarFunction {
        name: "geo_intersects_2polygons",
        min_args: 2,
        max_args: 2,
        eval: regions::intersects_2polygons,
    },
    ScalarFunction {
        name: "geo_intersects_line_with_polygon",
        min_args: 2,
        max_args: 2,
        eval: regions::intersects_line_with_polygon,
    },
    ScalarFunction {
        name: "geo_intersection_2polygons",
        min_args: 2,
        max_args: 2,
        eval: overlay::intersection_2polygons,
    },
    ScalarFunction {
        name: "geo_intersection_line_with_polygon",
        min_args: 2,
        max_args: 2,
        eval: overlay::intersection_line_with_polygon,
    },
    ScalarFunction {
        name: "geo_union_polygons_array",
        min_args: 1,
        max_args: 1,
        eval: overlay::union_polygons_array,
    },
    ScalarFunction {
        name: "geo_union_lines_array",
        min_args: 1,
        max_args: 1,
        eval: overlay::union_lines_array,
    },
    ScalarFunction {
        name: "geo_simplify_polygons_array",
        min_args: 1,
        max_args: 2,
        eval: overlay::simplify_polygons_array,
    },
    ScalarFunction {
        name: "geo_point_buffer",
        min_args: 3,
        max_args: 4,
        eval: buffer::point_buffer,
    },
    ScalarFunction {
        name: "geo_line_buffer",
        min_args: 2,
        max_args: 3,
        eval: buffer::line_buffer,
    },
    ScalarFunction {
        name: "geo_polygon_buffer",
        min_args: 2,
        max_args: 3,
        eval: buffer::polygon_buffer,
    },
    ScalarFunction {
        name: "geo_polygon_to_h3cells",
        min_args: 1,
        max_args: 3,
        eval: h3cell::polygon_to_h3cells,
    },
];

/// A valid (longitude, latitude) pair in degrees, or `None` for a null, a
/// non-number or a coordinate out of range.
fn lng_lat(lng: &Scalar, lat: &Scalar) -> Option<(f64, f64)> {
    let (lng, lat) = (as_real(lng)?, as_real(lat)?);
    ((-180.0..=180.0).contains(&lng) && (-90.0..=90.0).contains(&lat)).then_some((lng, lat))
}

/// An optional whole-number argument (a level, a resolution): the default
/// when it is absent, `None` when it is given but null or out of `range`.
fn level_arg(
    arg: Option<&Scalar>,
    default: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Option<i64> {
    let level = match arg {
        None => default,
        Some(s) => as_long(s)?,
    };
    range.contains(&level).then_some(level)
}

/// A cell token or geohash argument: its text, `None` when null or not a
/// string.
fn token(s: &Scalar) -> Option<&str> {
    match s {
        Scalar::String(t) => Some(t.as_str()),
        Scalar::Dynamic(Json::String(t)) => Some(t.as_str()),
        _ => None,
    }
}

/// A JSON number; `null` for NaN or infinity (which GeoJSON cannot hold).
fn number(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}

/// A GeoJSON point.
fn point_json(lng: f64, lat: f64) -> Json {
    json!({"type": "Point", "coordinates": [number(lng), number(lat)]})
}

/// A GeoJSON polygon of one ring given as (longitude, latitude) vertices;
/// the ring is closed by repeating the first vertex, as GeoJSON requires.
fn polygon_json(vertices: &[(f64, f64)]) -> Json {
    let mut ring: Vec<Json> = vertices
        .iter()
        .map(|&(lng, lat)| Json::Array(vec![number(lng), number(lat)]))
        .collect();
    if let Some(first) = ring.first().cloned() {
        ring.push(first);
    }
    json!({"type": "Polygon", "coordinates": [ring]})
}

/// A dynamic result: the value, or a dynamic null.
fn dynamic(value: Option<Json>) -> Scalar {
    value.map_or(Scalar::Null(KqlType::Dynamic), Scalar::Dynamic)
}

/// A string result: the text, or empty (Kusto's strings are never null).
fn text(value: Option<String>) -> Scalar {
    Scalar::String(value.unwrap_or_default())
}

/// A dynamic array of strings.
fn strings<I: IntoIterator<Item = String>>(items: I) -> Json {
    Json::Array(items.into_iter().map(Json::String).collect())
}
