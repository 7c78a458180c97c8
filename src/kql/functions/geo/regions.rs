//! Functions of polygons (Polygon, MultiPolygon) on the sphere: centroid,
//! densify, simplify, distance and closest point to a point, and whether
//! a polygon meets another polygon or a line.
//!
//! As Kusto does, the centroid unites a MultiPolygon's polygons first.

use s2::edge_crossings::{Crossing, crossing_sign};
use s2::point::{Point, true_centroid};
use s2::r3::vector::Vector;

use super::lines::{densify_path, simplify_path, tolerance};
use super::overlay::united;
use super::polygon::{Polygon, parse_shape};
use super::shapes::{
    Rings, closest_on_edge, lines, lng_lat_of, point, point_geojson, polygons, polygons_json,
};
use super::sphere::EARTH_RADIUS_M;
use super::{dynamic, lng_lat};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::as_bool;
use crate::kql::value::{Scalar, Val};

/// The centroid of the region a ring bounds, not normalized (S2's loop
/// centroid: a fan of true triangle centroids), oriented to the smaller
/// region as Kusto reads rings.
fn ring_centroid(ring: &[Point]) -> Vector {
    let Some(first) = ring.first() else {
        return Vector::default();
    };
    let mut sum = Vector::default();
    let mut turn = 0.0;
    for w in ring[1..].windows(2) {
        sum = sum + true_centroid(first, &w[0], &w[1]).0;
        turn += first.0.dot(&w[0].0.cross(&w[1].0));
    }
    // A clockwise ring still bounds the smaller region.
    if turn < 0.0 { sum * -1.0 } else { sum }
}

/// `geo_polygon_centroid(polygon)`: a GeoJSON point.
pub fn polygon_centroid(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let shape = parse_shape(&united(&a[0]))?;
            let mut sum = Vector::default();
            for polygon in &shape {
                let (shell, holes) = polygon.0.split_first()?;
                sum = sum + ring_centroid(&shell.vertices);
                for hole in holes {
                    sum = sum - ring_centroid(&hole.vertices);
                }
            }
            if sum.norm2() == 0.0 {
                return None;
            }
            let (lng, lat) = lng_lat_of(&Point(sum));
            Some(point_geojson((lng, lat)))
        })()))
    })
}

/// `geo_polygon_densify(polygon[, tolerance[, preserve_crossing]])`:
/// tolerance in meters, 10 by default, null outside [0.1, 10000].
pub fn polygon_densify(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let t = tolerance(a, 1, 10.0, 0.1..=10_000.0)?;
            if let Some(s) = a.get(2) {
                as_bool(s)?;
            }
            let dense: Vec<Rings> = polygons(&a[0])?
                .iter()
                .map(|rings| rings.iter().map(|r| densify_path(r, t, true)).collect())
                .collect::<Option<_>>()?;
            Some(polygons_json(&dense))
        })()))
    })
}

/// `geo_polygon_simplify(polygon[, tolerance])`: tolerance in meters, 10
/// by default, null when negative; a hole that shrinks away is dropped,
/// a polygon whose shell does is dropped, and null when none is left.
pub fn polygon_simplify(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let t = tolerance(a, 1, 10.0, 0.0..=7_800_000.0)?;
            let simple: Vec<Rings> = polygons(&a[0])?
                .iter()
                .filter_map(|rings| {
                    let (shell, holes) = rings.split_first()?;
                    let mut out = vec![simplify_path(shell, t, true)?];
                    out.extend(holes.iter().filter_map(|h| simplify_path(h, t, true)));
                    Some(out)
                })
                .collect();
            (!simple.is_empty()).then(|| polygons_json(&simple))
        })()))
    })
}

/// The point of the polygons' boundaries closest to `x`, and its distance
/// in radians.
pub(super) fn closest_on_boundary(shape: &[Polygon], x: &Point) -> Option<(Point, f64)> {
    let mut best: Option<(Point, f64)> = None;
    for ring in shape.iter().flat_map(|p| p.0.iter()) {
        let v = &ring.vertices;
        for i in 0..v.len() {
            let p = closest_on_edge(x, &v[i], &v[(i + 1) % v.len()]);
            let d = x.distance(&p).rad();
            if best.as_ref().is_none_or(|b| d < b.1) {
                best = Some((p, d));
            }
        }
    }
    best
}

/// `geo_distance_point_to_polygon(lng, lat, polygon)`: meters, 0 inside.
pub fn distance_point_to_polygon(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        let d = (|| {
            let x = point(lng_lat(&a[0], &a[1])?);
            let shape = parse_shape(&a[2])?;
            if shape.iter().any(|p| p.contains(&x)) {
                return Some(0.0);
            }
            Some(closest_on_boundary(&shape, &x)?.1 * EARTH_RADIUS_M)
        })();
        Ok(d.map_or(Scalar::Null(KqlType::Real), Scalar::Real))
    })
}

/// `geo_closest_point_on_polygon(lng, lat, polygon)`: a GeoJSON point;
/// the point itself when the polygon holds it.
pub fn closest_point_on_polygon(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let (lng, lat) = lng_lat(&a[0], &a[1])?;
            let x = point((lng, lat));
            let shape = parse_shape(&a[2])?;
            if shape.iter().any(|p| p.contains(&x)) {
                return Some(point_geojson((lng, lat)));
            }
            let (p, _) = closest_on_boundary(&shape, &x)?;
            let (lng, lat) = lng_lat_of(&p);
            Some(point_geojson((lng, lat)))
        })()))
    })
}

/// Every edge of the polygons' rings.
fn ring_edges(shape: &[Polygon]) -> Vec<(Point, Point)> {
    shape
        .iter()
        .flat_map(|p| p.0.iter())
        .flat_map(|r| {
            let v = &r.vertices;
            (0..v.len()).map(move |i| (v[i], v[(i + 1) % v.len()]))
        })
        .collect()
}

fn any_crossing(a: &[(Point, Point)], b: &[(Point, Point)]) -> bool {
    a.iter().any(|(a0, a1)| {
        b.iter()
            .any(|(b0, b1)| crossing_sign(a0, a1, b0, b1) != Crossing::DoNotCross)
    })
}

/// `geo_intersects_2polygons(polygon1, polygon2)`: whether they share a
/// point: a boundary crossing, or one holding a vertex of the other.
pub fn intersects_2polygons(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Bool, |a| {
        Ok((|| {
            let (s1, s2) = (parse_shape(&a[0])?, parse_shape(&a[1])?);
            let holds = |outer: &[Polygon], inner: &[Polygon]| {
                inner
                    .iter()
                    .flat_map(|p| p.0.iter())
                    .flat_map(|r| r.vertices.iter())
                    .any(|v| outer.iter().any(|p| p.contains(v)))
            };
            let meet = any_crossing(&ring_edges(&s1), &ring_edges(&s2))
                || holds(&s1, &s2)
                || holds(&s2, &s1);
            Some(Scalar::Bool(meet))
        })()
        .unwrap_or(Scalar::Null(KqlType::Bool)))
    })
}

/// `geo_intersects_line_with_polygon(line, polygon)`.
pub fn intersects_line_with_polygon(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Bool, |a| {
        Ok((|| {
            let lines: Vec<Vec<Point>> = lines(&a[0])?
                .iter()
                .map(|l| l.iter().copied().map(point).collect::<Vec<Point>>())
                .collect();
            let shape = parse_shape(&a[1])?;
            let line_edges: Vec<(Point, Point)> = lines
                .iter()
                .flat_map(|l| l.windows(2).map(|w| (w[0], w[1])))
                .collect();
            let inside = lines
                .iter()
                .flatten()
                .any(|v| shape.iter().any(|p| p.contains(v)));
            Some(Scalar::Bool(
                inside || any_crossing(&line_edges, &ring_edges(&shape)),
            ))
        })()
        .unwrap_or(Scalar::Null(KqlType::Bool)))
    })
}
