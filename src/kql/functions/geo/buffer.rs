//! Buffers: the region within a distance of a point, a line or a polygon,
//! on Kusto's sphere, as a polygon whose edges stray at most a tolerance
//! from the true curved outline.
//!
//! A point's buffer is a circle of vertices on the true circle; a line's is
//! the union of the circles around its vertices and of the bands along its
//! edges (bounded by the curves at the distance from each edge's great
//! circle); a polygon's is the union of the polygon and its rings'
//! buffers. The union is computed as the overlays are ([`super::overlay`]).

use s2::point::Point;
use s2::r3::vector::Vector;

use super::dynamic;
use super::lng_lat;
use super::overlay::{plane_union_all, shapes_json};
use super::shapes::{LngLat, Rings, lines, lng_lat_of, point, polygons};
use super::sphere::EARTH_RADIUS_M;
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::as_real;
use crate::kql::value::{Scalar, Val};

/// The most vertices one circle or band side gets.
const MAX_STEPS: usize = 1 << 16;

/// The radius and tolerance arguments at `i` and `i + 1`, in radians: the
/// radius positive and at most a quarter of the globe, the tolerance 10 m
/// by default, at least a millionth of the radius, and lowered below the
/// radius when larger.
fn radius_tolerance(args: &[Scalar], i: usize) -> Option<(f64, f64)> {
    let radius = as_real(args.get(i)?)?;
    let tolerance = match args.get(i + 1) {
        None => 10.0,
        Some(s) => as_real(s)?,
    };
    let quarter = std::f64::consts::FRAC_PI_2 * EARTH_RADIUS_M;
    if !(radius > 0.0 && radius < quarter && tolerance >= radius * 1e-6) {
        return None;
    }
    let tolerance = tolerance.min(radius * (1.0 - 1e-9));
    Some((radius / EARTH_RADIUS_M, tolerance / EARTH_RADIUS_M))
}

/// The turn between vertices of a circle of angular radius `rho` whose
/// chords (great-circle arcs) come within `tolerance` of it.
fn step_angle(rho: f64, tolerance: f64) -> f64 {
    // A chord's middle lies atan(tan(rho) * cos(step / 2)) from the centre.
    let ratio = ((rho - tolerance).max(0.0).tan() / rho.tan()).clamp(-1.0, 1.0);
    let step = 2.0 * ratio.acos();
    step.max(std::f64::consts::TAU / MAX_STEPS as f64)
}

/// Unit vectors east and north of `c`.
fn frame(c: &Vector) -> (Vector, Vector) {
    let pole = Vector {
        x: 0.0,
        y: 0.0,
        z: 1.0,
    };
    let mut east = pole.cross(c);
    if east.norm2() < 1e-20 {
        east = Vector {
            x: 0.0,
            y: 1.0,
            z: 0.0,
        };
    }
    let east = east.normalize();
    let north = c.cross(&east);
    (east, north)
}

/// A circle of angular radius `rho` around `center`, counterclockwise,
/// starting due east.
pub(super) fn circle(center: LngLat, rho: f64, tolerance: f64) -> Vec<LngLat> {
    let c = point(center).0;
    let (east, north) = frame(&c);
    let n = ((std::f64::consts::TAU / step_angle(rho, tolerance)).ceil() as usize).max(4);
    (0..n)
        .map(|k| {
            let theta = std::f64::consts::TAU * k as f64 / n as f64;
            let dir = east * theta.cos() + north * theta.sin();
            lng_lat_of(&Point(c * rho.cos() + dir * rho.sin()))
        })
        .collect()
}

/// The band within `rho` of the great-circle edge `ab` (its ends not
/// rounded); `None` for an edge of no length.
fn band(a: LngLat, b: LngLat, rho: f64, tolerance: f64) -> Option<Vec<LngLat>> {
    let (pa, pb) = (point(a), point(b));
    let normal = pa.0.cross(&pb.0);
    if normal.norm2() < 1e-30 {
        return None;
    }
    let m = normal.normalize();
    let length = pa.distance(&pb).rad();
    // The sides are circles of angular radius pi/2 - rho about m.
    let beta = std::f64::consts::FRAC_PI_2 - rho;
    let steps = ((length / step_angle(beta, tolerance)).ceil() as usize).clamp(1, MAX_STEPS);
    let along = |f: f64| -> Vector {
        // Slerp from a towards b.
        let t = length * f;
        let dir = m.cross(&pa.0);
        pa.0 * t.cos() + dir * t.sin()
    };
    let side =
        |f: f64, sign: f64| lng_lat_of(&Point(along(f) * rho.cos() + m * (sign * rho.sin())));
    let mut ring: Vec<LngLat> = (0..=steps)
        .map(|k| side(k as f64 / steps as f64, -1.0))
        .collect();
    ring.extend(
        (0..=steps)
            .rev()
            .map(|k| side(k as f64 / steps as f64, 1.0)),
    );
    Some(ring)
}

/// The pieces whose union is the buffer of a path.
fn path_pieces(path: &[LngLat], closed: bool, rho: f64, tolerance: f64) -> Vec<Rings> {
    let mut pieces: Vec<Rings> = path
        .iter()
        .map(|&v| vec![circle(v, rho, tolerance)])
        .collect();
    let edges = if closed { path.len() } else { path.len() - 1 };
    for i in 0..edges {
        let (a, b) = (path[i], path[(i + 1) % path.len()]);
        pieces.extend(band(a, b, rho, tolerance).map(|r| vec![r]));
    }
    pieces
}

/// The union of buffer pieces as GeoJSON; `None` when too spread out.
fn union_json(pieces: Vec<Vec<Rings>>) -> Option<serde_json::Value> {
    Some(shapes_json(&plane_union_all(&pieces)?))
}

/// `geo_point_buffer(lng, lat, radius[, tolerance])`: a Polygon.
pub fn point_buffer(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let center = lng_lat(&a[0], &a[1])?;
            let (rho, tolerance) = radius_tolerance(a, 2)?;
            Some(shapes_json(&[vec![circle(center, rho, tolerance)]]))
        })()))
    })
}

/// `geo_line_buffer(line, radius[, tolerance])`: a Polygon or
/// MultiPolygon, the ends rounded.
pub fn line_buffer(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let paths = lines(&a[0])?;
            let (rho, tolerance) = radius_tolerance(a, 1)?;
            let pieces = paths
                .iter()
                .flat_map(|p| path_pieces(p, false, rho, tolerance))
                .map(|r| vec![r])
                .collect();
            union_json(pieces)
        })()))
    })
}

/// The buffer of polygons, `radius` and `tolerance` in radians.
pub(super) fn polygons_buffer(shape: &[Rings], rho: f64, tolerance: f64) -> Option<Vec<Rings>> {
    let mut pieces: Vec<Vec<Rings>> = vec![shape.to_vec()];
    for ring in shape.iter().flatten() {
        pieces.extend(
            path_pieces(ring, true, rho, tolerance)
                .into_iter()
                .map(|r| vec![r]),
        );
    }
    plane_union_all(&pieces)
}

/// `geo_polygon_buffer(polygon, radius[, tolerance])`: a Polygon or
/// MultiPolygon.
pub fn polygon_buffer(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let shape = polygons(&a[0])?;
            let (rho, tolerance) = radius_tolerance(a, 1)?;
            Some(shapes_json(&polygons_buffer(&shape, rho, tolerance)?))
        })()))
    })
}
