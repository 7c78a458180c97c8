//! What the line and polygon functions share: reading GeoJSON lines and
//! polygons as (longitude, latitude) vertices, writing them back, and the
//! few spherical constructions S2 has but the `s2` crate keeps private
//! (the closest point of an edge, edge and triangle centroids).

use s2::latlng::LatLng;
use s2::point::Point;
use s2::predicates::sign;
use serde_json::Value as Json;

use super::polygon::parse_shape;
use super::{lng_lat, number};
use crate::kql::value::Scalar;

/// A vertex as written: (longitude, latitude) in degrees.
pub(super) type LngLat = (f64, f64);

/// A GeoJSON value from a dynamic or its JSON text.
pub(super) fn geojson(s: &Scalar) -> Option<Json> {
    match s {
        Scalar::Dynamic(j) => Some(j.clone()),
        Scalar::String(t) => serde_json::from_str(t).ok(),
        _ => None,
    }
}

/// A GeoJSON position with valid coordinates.
fn position(p: &Json) -> Option<LngLat> {
    match p.as_array()?.as_slice() {
        [lng, lat, ..] => lng_lat(&Scalar::Real(lng.as_f64()?), &Scalar::Real(lat.as_f64()?)),
        _ => None,
    }
}

/// A line's vertices: at least two positions, every coordinate valid.
fn line(positions: &Json) -> Option<Vec<LngLat>> {
    let positions = positions.as_array()?;
    if positions.len() < 2 {
        return None;
    }
    positions.iter().map(position).collect()
}

/// The lines of a LineString or MultiLineString; `None` when it is
/// neither or is malformed.
pub(super) fn lines(s: &Scalar) -> Option<Vec<Vec<LngLat>>> {
    let json = geojson(s)?;
    let coordinates = json.get("coordinates")?;
    match json.get("type")?.as_str()? {
        "LineString" => Some(vec![line(coordinates)?]),
        "MultiLineString" => {
            let lines: Vec<Vec<LngLat>> = coordinates
                .as_array()?
                .iter()
                .map(line)
                .collect::<Option<_>>()?;
            (!lines.is_empty()).then_some(lines)
        }
        _ => None,
    }
}

/// A polygon as written: its rings (shell first), each without the
/// closing repeat of the first vertex.
pub(super) type Rings = Vec<Vec<LngLat>>;

/// The polygons of a valid Polygon or MultiPolygon (valid as
/// `geo_point_in_polygon` judges it), vertices as written.
pub(super) fn polygons(s: &Scalar) -> Option<Vec<Rings>> {
    parse_shape(s)?;
    let json = geojson(s)?;
    let coordinates = json.get("coordinates")?;
    let polygon = |rings: &Json| -> Option<Rings> {
        rings
            .as_array()?
            .iter()
            .map(|ring| {
                let mut vertices = line(ring)?;
                vertices.pop();
                Some(vertices)
            })
            .collect()
    };
    match json.get("type")?.as_str()? {
        "Polygon" => Some(vec![polygon(coordinates)?]),
        _ => coordinates.as_array()?.iter().map(polygon).collect(),
    }
}

/// The unit vector of a vertex.
pub(super) fn point(v: LngLat) -> Point {
    Point::from(LatLng::from_degrees(v.1, v.0))
}

/// The vertex of a point (any length but zero).
pub(super) fn lng_lat_of(p: &Point) -> LngLat {
    (p.longitude().deg(), p.latitude().deg())
}

/// A GeoJSON position. Whole degrees print as integers (`[51,51]`), as
/// Kusto writes them.
pub(super) fn position_json(v: LngLat) -> Json {
    let coordinate = |c: f64| {
        if c.fract() == 0.0 && c.abs() <= 360.0 {
            Json::from(c as i64)
        } else {
            number(c)
        }
    };
    Json::Array(vec![coordinate(v.0), coordinate(v.1)])
}

/// GeoJSON positions of a path.
pub(super) fn path_json(vertices: &[LngLat]) -> Json {
    Json::Array(vertices.iter().copied().map(position_json).collect())
}

/// A ring's GeoJSON positions, closed by repeating its first vertex.
pub(super) fn ring_json(vertices: &[LngLat]) -> Json {
    let mut closed = vertices.to_vec();
    closed.extend(vertices.first().copied());
    path_json(&closed)
}

/// A LineString, or a MultiLineString when there are several lines.
pub(super) fn lines_json(lines: &[Vec<LngLat>]) -> Json {
    match lines {
        [one] => serde_json::json!({"type": "LineString", "coordinates": path_json(one)}),
        _ => serde_json::json!({
            "type": "MultiLineString",
            "coordinates": lines.iter().map(|l| path_json(l)).collect::<Vec<_>>(),
        }),
    }
}

/// A Polygon, or a MultiPolygon when there are several polygons.
pub(super) fn polygons_json(polygons: &[Rings]) -> Json {
    let polygon = |rings: &Rings| Json::Array(rings.iter().map(|r| ring_json(r)).collect());
    match polygons {
        [one] => serde_json::json!({"type": "Polygon", "coordinates": polygon(one)}),
        _ => serde_json::json!({
            "type": "MultiPolygon",
            "coordinates": polygons.iter().map(polygon).collect::<Vec<_>>(),
        }),
    }
}

/// The point of edge `ab` closest to `x` (S2's Project): the foot of the
/// perpendicular from `x` to the great circle when it lies on the edge,
/// else the nearer end.
pub(super) fn closest_on_edge(x: &Point, a: &Point, b: &Point) -> Point {
    let n = a.cross(b);
    if n.0.norm2() > 0.0 {
        let foot = Point(x.0 - n.0 * (x.0.dot(&n.0) / n.0.norm2()));
        if foot.0.norm2() > 0.0 && sign(&n, a, &foot) && sign(&foot, b, &n) {
            return foot.normalize();
        }
    }
    if (x.0 - a.0).norm2() <= (x.0 - b.0).norm2() {
        *a
    } else {
        *b
    }
}

/// S2's TrueCentroid of an edge: its midpoint direction scaled by the
/// chord length, so summing over a path weighs each edge by its length.
pub(super) fn edge_centroid(a: &Point, b: &Point) -> s2::r3::vector::Vector {
    let (diff, sum) = (a.0 - b.0, a.0 + b.0);
    let cos2 = sum.norm2();
    if cos2 == 0.0 {
        return sum;
    }
    sum * (diff.norm2() / cos2).sqrt()
}

/// A GeoJSON point, written as [`position_json`] writes positions.
pub(super) fn point_geojson(v: LngLat) -> Json {
    serde_json::json!({"type": "Point", "coordinates": position_json(v)})
}
