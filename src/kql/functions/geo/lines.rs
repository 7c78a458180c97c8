//! Functions of lines (LineString, MultiLineString), edges as great-circle
//! arcs on Kusto's 6,371,010 m sphere: centroid, densify, simplify,
//! distance and closest point to a point, the point at a fraction of the
//! length and the fraction of a point, and crossings of two lines.
//!
//! Densify and simplify are shared with the polygon functions
//! ([`densify_path`], [`simplify_path`]).

use s2::edge_crossings::{Crossing, crossing_sign, get_intersection};
use s2::edgeutil::{distance_from_segment, interpolate};
use s2::point::Point;
use serde_json::{Value as Json, json};

use super::shapes::{
    LngLat, closest_on_edge, edge_centroid, lines, lines_json, lng_lat_of, point, point_geojson,
    position_json,
};
use super::sphere::EARTH_RADIUS_M;
use super::{dynamic, lng_lat};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_bool, as_real};
use crate::kql::value::{Scalar, Val};

/// Densify's most vertices in one shape, as Kusto limits it.
const MAX_VERTICES: usize = 10_485_760;

/// The tolerance argument at `i`: `default` when absent, `None` when null
/// or outside `range` (in meters).
pub(super) fn tolerance(
    args: &[Scalar],
    i: usize,
    default: f64,
    range: std::ops::RangeInclusive<f64>,
) -> Option<f64> {
    let t = match args.get(i) {
        None => default,
        Some(s) => as_real(s)?,
    };
    range.contains(&t).then_some(t)
}

/// The real result, or a real null.
fn real(v: Option<f64>) -> Scalar {
    v.map_or(Scalar::Null(KqlType::Real), Scalar::Real)
}

/// The vertices of `path` with points added on every edge whose geodesic
/// strays more than `tolerance` meters from the straight (planar,
/// longitude-latitude) edge GeoJSON means: the edge is halved at its
/// planar midpoint until each part is close enough (so the documented
/// 1° edge at latitude 10° becomes four). `closed` adds the edge from the
/// last vertex back to the first (and leaves the first out at the end).
/// `None` past Kusto's vertex limit.
pub(super) fn densify_path(path: &[LngLat], tolerance: f64, closed: bool) -> Option<Vec<LngLat>> {
    let mut out = Vec::with_capacity(path.len());
    let edges = if closed { path.len() } else { path.len() - 1 };
    out.extend(path.first().copied());
    for i in 0..edges {
        let (a, b) = (path[i], path[(i + 1) % path.len()]);
        densify_edge(a, b, tolerance / EARTH_RADIUS_M, 0, &mut out)?;
        if i + 1 < path.len() {
            out.push(b);
        }
        if out.len() > MAX_VERTICES {
            return None;
        }
    }
    Some(out)
}

/// Pushes the points strictly between `a` and `b`.
fn densify_edge(
    a: LngLat,
    b: LngLat,
    radians: f64,
    depth: u32,
    out: &mut Vec<LngLat>,
) -> Option<()> {
    // The shorter way round: an edge over the antimeridian.
    let mut b_lng = b.0;
    if b_lng - a.0 > 180.0 {
        b_lng -= 360.0;
    } else if a.0 - b_lng > 180.0 {
        b_lng += 360.0;
    }
    let mut mid = ((a.0 + b_lng) / 2.0, (a.1 + b.1) / 2.0);
    if mid.0 > 180.0 {
        mid.0 -= 360.0;
    } else if mid.0 < -180.0 {
        mid.0 += 360.0;
    }
    let stray = distance_from_segment(&point(mid), &point(a), &point(b)).rad();
    if stray <= radians {
        return Some(());
    }
    if depth > 40 || out.len() > MAX_VERTICES {
        return None;
    }
    densify_edge(a, mid, radians, depth + 1, out)?;
    out.push(mid);
    densify_edge(mid, b, radians, depth + 1, out)
}

/// Douglas-Peucker on the sphere: marks in `keep` the vertices of
/// `points[first..=last]` that stray more than `radians` from the chord
/// (great-circle edge) of the vertices kept around them.
fn douglas_peucker(points: &[Point], first: usize, last: usize, radians: f64, keep: &mut [bool]) {
    let mut stack = vec![(first, last)];
    while let Some((a, b)) = stack.pop() {
        if b <= a + 1 {
            continue;
        }
        let (far, distance) = (a + 1..b)
            .map(|i| {
                (
                    i,
                    distance_from_segment(&points[i], &points[a], &points[b]).rad(),
                )
            })
            .fold((a, -1.0), |best, c| if c.1 > best.1 { c } else { best });
        if distance > radians {
            keep[far] = true;
            stack.push((a, far));
            stack.push((far, b));
        }
    }
}

/// A simplified path: Douglas-Peucker within `tolerance` meters, then no
/// two consecutive vertices closer than `tolerance`. `None` when the path
/// shrinks away (fewer than 2 vertices for a line, 3 for a ring).
pub(super) fn simplify_path(path: &[LngLat], tolerance: f64, closed: bool) -> Option<Vec<LngLat>> {
    let radians = tolerance / EARTH_RADIUS_M;
    let points: Vec<Point> = path.iter().copied().map(point).collect();
    let mut keep = vec![false; path.len()];
    keep[0] = true;
    if closed {
        // A ring splits at its first vertex and the vertex farthest from it.
        let far = (1..points.len())
            .max_by(|&i, &j| {
                let di = points[0].distance(&points[i]).rad();
                let dj = points[0].distance(&points[j]).rad();
                di.total_cmp(&dj)
            })
            .unwrap_or(0);
        keep[far] = true;
        douglas_peucker(&points, 0, far, radians, &mut keep);
        let mut wrapped = points[far..].to_vec();
        wrapped.push(points[0]);
        let mut wrapped_keep = vec![false; wrapped.len()];
        douglas_peucker(&wrapped, 0, wrapped.len() - 1, radians, &mut wrapped_keep);
        for (i, k) in wrapped_keep.iter().enumerate().skip(1) {
            if *k && far + i < keep.len() {
                keep[far + i] = true;
            }
        }
    } else {
        let last = path.len() - 1;
        keep[last] = true;
        douglas_peucker(&points, 0, last, radians, &mut keep);
    }
    let mut kept: Vec<usize> = Vec::new();
    for (i, _) in keep.iter().enumerate().filter(|(_, k)| **k) {
        match kept.last() {
            Some(&prev) if points[prev].distance(&points[i]).rad() < radians => {
                // The line's last vertex stays; the one before it goes.
                if !closed && i == path.len() - 1 && kept.len() > 1 {
                    kept.pop();
                    kept.push(i);
                }
            }
            _ => kept.push(i),
        }
    }
    if closed {
        while kept.len() > 1 && points[kept[kept.len() - 1]].distance(&points[0]).rad() < radians {
            kept.pop();
        }
    }
    let least = if closed { 3 } else { 2 };
    (kept.len() >= least).then(|| kept.iter().map(|&i| path[i]).collect())
}

/// The closest point of `lines` to `x`, with its line, the edge it is on
/// and its distance in radians.
pub(super) fn closest(lines: &[Vec<Point>], x: &Point) -> Option<(usize, usize, Point, f64)> {
    let mut best: Option<(usize, usize, Point, f64)> = None;
    for (l, line) in lines.iter().enumerate() {
        for (e, w) in line.windows(2).enumerate() {
            let p = closest_on_edge(x, &w[0], &w[1]);
            let d = x.distance(&p).rad();
            if best.as_ref().is_none_or(|b| d < b.3) {
                best = Some((l, e, p, d));
            }
        }
    }
    best
}

pub(super) fn as_points(lines: &[Vec<LngLat>]) -> Vec<Vec<Point>> {
    lines
        .iter()
        .map(|l| l.iter().copied().map(point).collect())
        .collect()
}

/// `geo_line_centroid(line)`: S2's centroid of a polyline (edge midpoints
/// weighed by length), over every line of a MultiLineString.
pub fn line_centroid(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let lines = as_points(&lines(&a[0])?);
            let mut sum = s2::r3::vector::Vector::default();
            for line in &lines {
                for w in line.windows(2) {
                    sum = sum + edge_centroid(&w[0], &w[1]);
                }
            }
            if sum.norm2() == 0.0 {
                // Every edge is a point: the first vertex.
                let first = lines.first()?.first()?;
                let (lng, lat) = lng_lat_of(first);
                return Some(point_geojson((lng, lat)));
            }
            let (lng, lat) = lng_lat_of(&Point(sum));
            Some(point_geojson((lng, lat)))
        })()))
    })
}

/// `geo_line_densify(line[, tolerance[, preserve_crossing]])`: tolerance
/// in meters, 10 by default, null outside [0.1, 10000].
pub fn line_densify(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let t = tolerance(a, 1, 10.0, 0.1..=10_000.0)?;
            if let Some(s) = a.get(2) {
                as_bool(s)?;
            }
            let dense: Vec<Vec<LngLat>> = lines(&a[0])?
                .iter()
                .map(|l| densify_path(l, t, false))
                .collect::<Option<_>>()?;
            Some(lines_json(&dense))
        })()))
    })
}

/// `geo_line_simplify(line[, tolerance])`: tolerance in meters, 10 by
/// default, null when negative; null when every line shrinks away.
pub fn line_simplify(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let t = tolerance(a, 1, 10.0, 0.0..=7_800_000.0)?;
            let simple: Vec<Vec<LngLat>> = lines(&a[0])?
                .iter()
                .filter_map(|l| simplify_path(l, t, false))
                .collect();
            (!simple.is_empty()).then(|| lines_json(&simple))
        })()))
    })
}

/// `geo_distance_point_to_line(lng, lat, line)`: meters.
pub fn distance_point_to_line(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        Ok(real((|| {
            let x = point(lng_lat(&a[0], &a[1])?);
            let lines = as_points(&lines(&a[2])?);
            Some(closest(&lines, &x)?.3 * EARTH_RADIUS_M)
        })()))
    })
}

/// `geo_closest_point_on_line(lng, lat, line)`: a GeoJSON point; a vertex
/// of the line is given as written.
pub fn closest_point_on_line(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let x = point(lng_lat(&a[0], &a[1])?);
            let written = lines(&a[2])?;
            let (l, e, p, _) = closest(&as_points(&written), &x)?;
            let vertex = [written[l][e], written[l][e + 1]]
                .into_iter()
                .find(|v| point(*v) == p);
            let (lng, lat) = vertex.unwrap_or_else(|| lng_lat_of(&p));
            Some(point_geojson((lng, lat)))
        })()))
    })
}

/// The one line of a LineString (or a MultiLineString of one line).
fn single_line(s: &Scalar) -> Option<Vec<LngLat>> {
    let mut lines = lines(s)?;
    (lines.len() == 1).then(|| lines.remove(0))
}

/// `geo_line_interpolate_point(line, fraction)`: the point at `fraction`
/// (0 to 1) of the line's length from its start, on the sphere (Kusto's
/// optional `use_spheroid` is not taken).
pub fn line_interpolate_point(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let line = single_line(&a[0])?;
            let fraction = as_real(&a[1]).filter(|f| (0.0..=1.0).contains(f))?;
            let points: Vec<Point> = line.iter().copied().map(point).collect();
            let lengths: Vec<f64> = points
                .windows(2)
                .map(|w| w[0].distance(&w[1]).rad())
                .collect();
            let mut remaining = fraction * lengths.iter().sum::<f64>();
            for (i, length) in lengths.iter().enumerate() {
                if remaining <= *length {
                    if remaining == 0.0 {
                        return Some(point_geojson((line[i].0, line[i].1)));
                    }
                    if remaining == *length {
                        return Some(point_geojson((line[i + 1].0, line[i + 1].1)));
                    }
                    let p = interpolate(remaining / length, &points[i], &points[i + 1]);
                    let (lng, lat) = lng_lat_of(&p);
                    return Some(point_geojson((lng, lat)));
                }
                remaining -= length;
            }
            let last = line.last()?;
            Some(point_geojson((last.0, last.1)))
        })()))
    })
}

/// `geo_line_locate_point(line, lng, lat)`: the fraction of the line's
/// length from its start to its point closest to (lng, lat). Kusto's
/// optional `use_spheroid` is not taken (too many arguments): Quarry
/// measures on the sphere only.
pub fn line_locate_point(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        Ok(real((|| {
            let line = single_line(&a[0])?;
            let x = point(lng_lat(&a[1], &a[2])?);
            let points = as_points(&[line]);
            let (_, e, p, _) = closest(&points, &x)?;
            let line = &points[0];
            let total: f64 = line.windows(2).map(|w| w[0].distance(&w[1]).rad()).sum();
            if total == 0.0 {
                return Some(0.0);
            }
            let before: f64 = line[..=e]
                .windows(2)
                .map(|w| w[0].distance(&w[1]).rad())
                .sum();
            Some((before + line[e].distance(&p).rad()) / total)
        })()))
    })
}

/// The edges of lines, as pairs of written vertices.
fn edges(lines: &[Vec<LngLat>]) -> Vec<(LngLat, LngLat)> {
    lines
        .iter()
        .flat_map(|l| l.windows(2).map(|w| (w[0], w[1])))
        .collect()
}

/// Whether two edges are the same edge, either way round.
fn same_edge(a: (LngLat, LngLat), b: (LngLat, LngLat)) -> bool {
    (point(a.0) == point(b.0) && point(a.1) == point(b.1))
        || (point(a.0) == point(b.1) && point(a.1) == point(b.0))
}

/// Where two edges meet at one point: their crossing, or a vertex they
/// share.
fn meeting_point(a: (LngLat, LngLat), b: (LngLat, LngLat)) -> Option<LngLat> {
    let (a0, a1, b0, b1) = (point(a.0), point(a.1), point(b.0), point(b.1));
    match crossing_sign(&a0, &a1, &b0, &b1) {
        Crossing::Cross => Some(lng_lat_of(&get_intersection(&a0, &a1, &b0, &b1))),
        Crossing::MaybeCross => [a.0, a.1]
            .into_iter()
            .find(|v| point(*v) == b0 || point(*v) == b1),
        Crossing::DoNotCross => None,
    }
}

/// `geo_intersects_2lines(line1, line2)`.
pub fn intersects_2lines(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Bool, |a| {
        Ok((|| {
            let (e1, e2) = (edges(&lines(&a[0])?), edges(&lines(&a[1])?));
            let meet = e1.iter().any(|x| {
                e2.iter()
                    .any(|y| same_edge(*x, *y) || meeting_point(*x, *y).is_some())
            });
            Some(Scalar::Bool(meet))
        })()
        .unwrap_or(Scalar::Null(KqlType::Bool)))
    })
}

/// `geo_intersection_2lines(line1, line2)`: the points where the lines
/// cross (a Point or MultiPoint), the edges they share (a LineString or
/// MultiLineString), both (a GeometryCollection), or an empty
/// GeometryCollection.
///
/// Shared stretches are found edge by edge: two lines that run along the
/// same great circle between different vertices meet, for Quarry, only
/// at the vertices.
pub fn intersection_2lines(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let (e1, e2) = (edges(&lines(&a[0])?), edges(&lines(&a[1])?));
            let mut shared: Vec<(LngLat, LngLat)> = Vec::new();
            let mut points: Vec<LngLat> = Vec::new();
            for x in &e1 {
                for y in &e2 {
                    if same_edge(*x, *y) {
                        shared.push(*x);
                    } else if let Some(p) = meeting_point(*x, *y)
                        && !points.iter().any(|q| point(*q) == point(p))
                    {
                        points.push(p);
                    }
                }
            }
            // Shared edges chain into lines; their vertices are not points.
            let mut chains: Vec<Vec<LngLat>> = Vec::new();
            for (s, t) in shared {
                match chains.last_mut() {
                    Some(c) if c.last().map(|v| point(*v)) == Some(point(s)) => c.push(t),
                    _ => chains.push(vec![s, t]),
                }
            }
            points.retain(|p| !chains.iter().flatten().any(|v| point(*v) == point(*p)));
            let point_geometry = match points.as_slice() {
                [] => None,
                [one] => Some(json!({"type": "Point", "coordinates": position_json(*one)})),
                many => Some(json!({
                    "type": "MultiPoint",
                    "coordinates": many.iter().copied().map(position_json).collect::<Vec<_>>(),
                })),
            };
            let line_geometry = (!chains.is_empty()).then(|| lines_json(&chains));
            Some(match (point_geometry, line_geometry) {
                (Some(p), None) => p,
                (None, Some(l)) => l,
                (p, l) => json!({
                    "type": "GeometryCollection",
                    "geometries": p.into_iter().chain(l).collect::<Vec<Json>>(),
                }),
            })
        })()))
    })
}
