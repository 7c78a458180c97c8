//! Overlays of shapes, edges as great-circle arcs: the intersection of two
//! polygons or of a line with a polygon, the union of arrays of polygons
//! or lines, and the simplified union of polygons.
//!
//! Polygons are overlaid in the gnomonic [`Plane`] with `geo`'s boolean
//! operations; vertices are then put back on the exact input vertices and
//! edge crossings ([`Snapper`]). A line is cut against a polygon in the
//! plane directly, in floating point (`geo`'s clipping, on its integer
//! grid, lost parts of a line running along a polygon's side). Results are written as Kusto (S2) writes
//! them: each ring starts at its vertex first in S2 cell order, shells
//! counterclockwise, holes clockwise; an empty result is an empty
//! GeometryCollection, results of several dimensions a GeometryCollection
//! of points, then lines, then polygons.
//!
//! Limits: shapes spread more than [`super::plane::MAX_ANGLE_DEG`] from
//! their common centre give null. Where two polygons only touch, the
//! touching vertices and the stretches of sides they share are found from
//! the vertices of either (boundaries that touch elsewhere cross, and then
//! the interiors overlap).

use std::collections::HashMap;

use geo::{BooleanOps, Coord, LineString, MultiPolygon, Polygon};
use s2::cellid::CellID;
use s2::edgeutil::distance_from_segment;
use s2::latlng::LatLng;
use s2::point::Point;
use serde_json::{Value as Json, json};

use super::dynamic;
use super::lines::{simplify_path, tolerance};
use super::plane::{Plane, Snapper, segment_distance, signed_area2};
use super::shapes::{
    LngLat, Rings, geojson, lines, lines_json, point, polygons, polygons_json, position_json,
};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::value::{Scalar, Val};

/// Every vertex of some polygons.
fn polygon_vertices(shapes: &[&[Rings]]) -> Vec<LngLat> {
    shapes
        .iter()
        .flat_map(|s| s.iter())
        .flat_map(|p| p.iter())
        .flat_map(|r| r.iter().copied())
        .collect()
}

/// The rings of some polygons, for a [`Snapper`].
fn ring_paths<'a>(shapes: &[&'a [Rings]]) -> Vec<(&'a [LngLat], bool)> {
    shapes
        .iter()
        .flat_map(|s| s.iter())
        .flat_map(|p| p.iter())
        .map(|r| (r.as_slice(), true))
        .collect()
}

/// Polygons as S2 holds them: shells counterclockwise, holes clockwise
/// (a ring turning the other way reversed, as S2Loop::Invert does), so
/// that their edges are numbered as S2 numbers them.
fn oriented(plane: &Plane, shape: &[Rings]) -> Vec<Rings> {
    shape
        .iter()
        .map(|rings| {
            rings
                .iter()
                .enumerate()
                .map(|(k, ring)| {
                    let coords: Vec<Coord> = ring.iter().map(|&v| plane.project(v)).collect();
                    let mut ring = ring.clone();
                    if (signed_area2(&coords) > 0.0) != (k == 0) {
                        ring.reverse();
                    }
                    ring
                })
                .collect()
        })
        .collect()
}

/// Oriented polygons (see [`oriented`]) in the plane.
fn plane_polygons(plane: &Plane, shape: &[Rings]) -> MultiPolygon {
    let ring = |r: &Vec<LngLat>| {
        let mut ring = LineString::new(r.iter().map(|&v| plane.project(v)).collect());
        ring.close();
        ring
    };
    MultiPolygon(
        shape
            .iter()
            .filter_map(|rings| {
                let (shell, holes) = rings.split_first()?;
                Some(Polygon::new(ring(shell), holes.iter().map(ring).collect()))
            })
            .collect(),
    )
}

/// The S2 cell id of a vertex: S2 numbers the vertices it builds in this
/// order.
fn cell_order(v: LngLat) -> u64 {
    CellID::from(LatLng::from_degrees(v.1, v.0)).0
}

/// The first edge of a loop S2Builder builds (Graph::CanonicalizeLoopOrder):
/// the loop is turned so that the edges from the highest-numbered input
/// edge come last. `ids[i]` numbers edge i, from vertex i to i + 1.
fn canonical_start(ids: &[usize]) -> usize {
    let mut pos = 0;
    let mut saw_gap = false;
    for i in 1..ids.len() {
        if ids[i] < ids[pos] {
            saw_gap = true;
        } else if ids[i] > ids[pos] || !saw_gap {
            pos = i;
            saw_gap = false;
        }
    }
    (pos + 1) % ids.len().max(1)
}

/// A ring of an overlay on the sphere: vertices snapped, repeats dropped,
/// turning as asked, starting where S2 starts it, with the lowest number
/// of the input edges it runs along; `None` when fewer than three
/// vertices are left.
fn sphere_ring(
    snapper: &Snapper,
    ring: &LineString,
    counterclockwise: bool,
) -> Option<(Vec<LngLat>, usize)> {
    let mut coords: Vec<Coord> = ring.0.clone();
    if coords.len() > 1 && coords.first() == coords.last() {
        coords.pop();
    }
    if (signed_area2(&coords) > 0.0) != counterclockwise {
        coords.reverse();
    }
    let mut vertices: Vec<(Coord, LngLat)> = Vec::with_capacity(coords.len());
    for c in coords {
        let v = snapper.exact(c);
        if vertices.last().map(|l| l.1) != Some(v) {
            vertices.push((c, v));
        }
    }
    while vertices.len() > 1 && vertices.first().map(|f| f.1) == vertices.last().map(|l| l.1) {
        vertices.pop();
    }
    if vertices.len() < 3 {
        return None;
    }
    // S2Builder walks each loop from its vertex first in cell order.
    let first = (0..vertices.len()).min_by_key(|&i| cell_order(vertices[i].1))?;
    vertices.rotate_left(first);
    let n = vertices.len();
    let ids: Vec<usize> = (0..n)
        .map(|i| snapper.edge_id(vertices[i].0, vertices[(i + 1) % n].0))
        .collect();
    vertices.rotate_left(canonical_start(&ids));
    let lowest = ids.iter().copied().min().unwrap_or(usize::MAX);
    Some((vertices.into_iter().map(|v| v.1).collect(), lowest))
}

/// The polygons of an overlay on the sphere, in the order S2 builds them
/// (by the lowest number of the input edges their rings run along).
fn sphere_polygons(snapper: &Snapper, overlay: &MultiPolygon) -> Vec<Rings> {
    let mut out: Vec<(usize, Rings)> = overlay
        .iter()
        .filter_map(|p| {
            let mut holes: Vec<(Vec<LngLat>, usize)> = p
                .interiors()
                .iter()
                .filter_map(|h| sphere_ring(snapper, h, false))
                .collect();
            holes.sort_by_key(|h| h.1);
            let (shell, lowest) = sphere_ring(snapper, p.exterior(), true)?;
            let mut rings = vec![shell];
            rings.extend(holes.into_iter().map(|h| h.0));
            Some((lowest, rings))
        })
        .collect();
    out.sort_by_key(|p| p.0);
    out.into_iter().map(|p| p.1).collect()
}

/// One overlay of two oriented shapes in the plane, as S2 builds it: the
/// edges of `a` numbered before those of `b`.
fn overlay_pair(
    plane: &Plane,
    a: &[Rings],
    b: &[Rings],
    op: fn(&MultiPolygon, &MultiPolygon) -> MultiPolygon,
) -> (MultiPolygon, MultiPolygon, MultiPolygon, Vec<Rings>) {
    let snapper = Snapper::new(plane, &ring_paths(&[a, b]));
    let (ma, mb) = (plane_polygons(plane, a), plane_polygons(plane, b));
    let overlay = op(&ma, &mb);
    let shapes = sphere_polygons(&snapper, &overlay);
    (ma, mb, overlay, shapes)
}

/// A geometry of several parts, as Kusto writes one: the single kind
/// present, an empty GeometryCollection when none, else a collection of
/// points, lines, polygons.
fn geometry(points: &[LngLat], lines: &[Vec<LngLat>], shapes: &[Rings]) -> Json {
    let mut parts = Vec::new();
    match points {
        [] => {}
        [one] => parts.push(json!({"type": "Point", "coordinates": position_json(*one)})),
        many => parts.push(json!({
            "type": "MultiPoint",
            "coordinates": many.iter().map(|&p| position_json(p)).collect::<Vec<_>>(),
        })),
    }
    if !lines.is_empty() {
        parts.push(lines_json(lines));
    }
    if !shapes.is_empty() {
        parts.push(polygons_json(shapes));
    }
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        json!({"type": "GeometryCollection", "geometries": parts})
    }
}

/// The edges of some polygons in the plane.
fn plane_edges(shape: &MultiPolygon) -> Vec<(Coord, Coord)> {
    shape
        .iter()
        .flat_map(|p| std::iter::once(p.exterior()).chain(p.interiors()))
        .flat_map(|r| r.lines().map(|l| (l.start, l.end)))
        .collect()
}

fn near_edges(q: Coord, edges: &[(Coord, Coord)], tolerance: f64) -> bool {
    edges
        .iter()
        .any(|(a, b)| segment_distance(q, *a, *b) <= tolerance)
}

/// Where the boundaries of `a` and `b` touch without the intersection's
/// boundary passing: vertices of one on the other's boundary (points),
/// and stretches of a side along the other's boundary (lines, joined).
fn touches(
    plane: &Plane,
    sides: [(&[Rings], &MultiPolygon); 2],
    result: &MultiPolygon,
    tolerance: f64,
) -> (Vec<LngLat>, Vec<Vec<LngLat>>) {
    let result_edges = plane_edges(result);
    let (mut points, mut segments): (Vec<LngLat>, Vec<(LngLat, LngLat)>) = (Vec::new(), Vec::new());
    for i in 0..2 {
        let (shape, _) = sides[i];
        let (other, other_shape) = sides[1 - i];
        let other_edges = plane_edges(other_shape);
        let touching = |q: Coord| {
            near_edges(q, &other_edges, tolerance) && !near_edges(q, &result_edges, tolerance)
        };
        let other_vertices: Vec<(Coord, LngLat)> = other
            .iter()
            .flatten()
            .flatten()
            .map(|&v| (plane.project(v), v))
            .collect();
        for ring in shape.iter().flatten() {
            for (j, &v) in ring.iter().enumerate() {
                let w = ring[(j + 1) % ring.len()];
                let (p, q) = (plane.project(v), plane.project(w));
                let r = q - p;
                let length2 = r.x * r.x + r.y * r.y;
                // The side cut at the other's vertices lying on it.
                let mut cuts: Vec<(f64, LngLat)> = vec![(0.0, v), (1.0, w)];
                for &(c, u) in &other_vertices {
                    if length2 > 0.0 && segment_distance(c, p, q) <= tolerance {
                        let t = ((c.x - p.x) * r.x + (c.y - p.y) * r.y) / length2;
                        if t > 0.0 && t < 1.0 {
                            cuts.push((t, u));
                        }
                    }
                }
                cuts.sort_by(|x, y| x.0.total_cmp(&y.0));
                for c in cuts.windows(2) {
                    if c[0].1 != c[1].1 && touching(p + r * ((c[0].0 + c[1].0) / 2.0)) {
                        segments.push((c[0].1, c[1].1));
                    }
                }
            }
            for &v in ring {
                if touching(plane.project(v)) && !points.contains(&v) {
                    points.push(v);
                }
            }
        }
    }
    // A shared stretch is found from both sides: keep it once.
    let mut seen = HashMap::new();
    segments.retain(|&(a, b)| seen.insert(edge_key(a, b), ()).is_none());
    points.retain(|p| !segments.iter().any(|&(a, b)| a == *p || b == *p));
    points.sort_by_key(|&p| cell_order(p));
    (points, join_edges(&segments))
}

/// `geo_intersection_2polygons(polygon1, polygon2)`.
pub fn intersection_2polygons(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let (pa, pb) = (polygons(&a[0])?, polygons(&a[1])?);
            let plane = Plane::around(&polygon_vertices(&[&pa, &pb]))?;
            let (pa, pb) = (oriented(&plane, &pa), oriented(&plane, &pb));
            let (ma, mb, overlay, shapes) =
                overlay_pair(&plane, &pa, &pb, |x, y| x.intersection(y));
            let tolerance = Snapper::new(&plane, &ring_paths(&[&pa, &pb])).tolerance();
            let (points, segments) = touches(&plane, [(&pa, &ma), (&pb, &mb)], &overlay, tolerance);
            Some(geometry(&points, &segments, &shapes))
        })()))
    })
}

/// Whether a point of the plane lies in polygons (even-odd over every
/// ring) or on their boundary.
fn inside_or_on(q: Coord, edges: &[(Coord, Coord)], tolerance: f64) -> bool {
    if near_edges(q, edges, tolerance) {
        return true;
    }
    let mut inside = false;
    for (a, b) in edges {
        if (a.y > q.y) != (b.y > q.y) {
            let x = a.x + (q.y - a.y) / (b.y - a.y) * (b.x - a.x);
            if x > q.x {
                inside = !inside;
            }
        }
    }
    inside
}

fn cross(a: Coord, b: Coord) -> f64 {
    a.x * b.y - a.y * b.x
}

/// The parts of one line inside polygons (their boundary included), in
/// the line's direction, and the points where it only touches them. Each
/// edge is cut where it crosses a polygon edge or passes a polygon vertex;
/// a piece is kept when its middle is inside or on the boundary. Cut
/// points are exact input vertices where they are one, else the crossing
/// computed in the plane.
fn clip_line(
    plane: &Plane,
    line: &[LngLat],
    rings: &[(&[LngLat], Vec<Coord>)],
    tolerance: f64,
) -> (Vec<Vec<LngLat>>, Vec<LngLat>) {
    let edges: Vec<(Coord, Coord)> = rings
        .iter()
        .flat_map(|(_, c)| (0..c.len()).map(move |i| (c[i], c[(i + 1) % c.len()])))
        .collect();
    let projected: Vec<Coord> = line.iter().map(|&v| plane.project(v)).collect();
    let (mut parts, mut points): (Vec<Vec<LngLat>>, Vec<LngLat>) = (Vec::new(), Vec::new());
    let mut current: Vec<LngLat> = Vec::new();
    let mut previous_kept = false;
    for k in 0..line.len() - 1 {
        let (p, q) = (projected[k], projected[k + 1]);
        let r = q - p;
        let length2 = r.x * r.x + r.y * r.y;
        // Cuts: (t along the edge, the vertex there).
        let mut cuts: Vec<(f64, LngLat)> = vec![(0.0, line[k]), (1.0, line[k + 1])];
        for (ring, coords) in rings {
            for (i, &v) in coords.iter().enumerate() {
                if length2 > 0.0 && segment_distance(v, p, q) <= tolerance {
                    let t = ((v.x - p.x) * r.x + (v.y - p.y) * r.y) / length2;
                    cuts.push((t.clamp(0.0, 1.0), ring[i]));
                }
            }
        }
        for (a, b) in &edges {
            let s = *b - *a;
            let denom = cross(r, s);
            if denom.abs() <= 1e-12 * (length2 * (s.x * s.x + s.y * s.y)).sqrt() {
                continue;
            }
            let t = cross(*a - p, s) / denom;
            let u = cross(*a - p, r) / denom;
            if (0.0..=1.0).contains(&t) && (0.0..=1.0).contains(&u) {
                cuts.push((t, plane.unproject(p + r * t)));
            }
        }
        cuts.sort_by(|x, y| x.0.total_cmp(&y.0));
        // Cuts at the same place: an input vertex wins over a crossing.
        let mut merged: Vec<(f64, LngLat)> = Vec::with_capacity(cuts.len());
        for cut in cuts {
            match merged.last_mut() {
                Some(last) if (cut.0 - last.0) * length2.sqrt() <= tolerance => {
                    if cut.0 == 0.0 || cut.0 == 1.0 || line.contains(&cut.1) {
                        *last = (last.0, cut.1);
                    }
                }
                _ => merged.push(cut),
            }
        }
        for w in merged.windows(2) {
            let mid = p + r * ((w[0].0 + w[1].0) / 2.0);
            let kept = inside_or_on(mid, &edges, tolerance);
            if kept {
                if current.is_empty() {
                    current.push(w[0].1);
                }
                if current.last() != Some(&w[1].1) {
                    current.push(w[1].1);
                }
            } else {
                if current.len() >= 2 {
                    parts.push(std::mem::take(&mut current));
                } else if !previous_kept && inside_or_on(p + r * w[0].0, &edges, tolerance) {
                    // Touched at the cut before this piece only.
                    points.push(w[0].1);
                }
                current.clear();
            }
            previous_kept = kept;
        }
    }
    if current.len() >= 2 {
        parts.push(current);
    } else if !previous_kept
        && let Some(&end) = projected.last()
        && inside_or_on(end, &edges, tolerance)
        && let Some(&last) = line.last()
    {
        points.push(last);
    }
    (parts, points)
}

/// `geo_intersection_line_with_polygon(line, polygon)`: the parts of the
/// line inside the polygon (its boundary included), in the line's
/// direction; where the line only touches the polygon, points.
pub fn intersection_line_with_polygon(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let (ls, pb) = (lines(&a[0])?, polygons(&a[1])?);
            let mut all = polygon_vertices(&[&pb]);
            all.extend(ls.iter().flatten().copied());
            let plane = Plane::around(&all)?;
            let tolerance = Snapper::new(&plane, &[(&all, false)]).tolerance();
            let rings: Vec<(&[LngLat], Vec<Coord>)> = pb
                .iter()
                .flatten()
                .map(|r| (r.as_slice(), r.iter().map(|&v| plane.project(v)).collect()))
                .collect();
            let (mut parts, mut points) = (Vec::new(), Vec::new());
            for line in &ls {
                let (p, t) = clip_line(&plane, line, &rings, tolerance);
                parts.extend(p);
                for v in t {
                    if !points.contains(&v) {
                        points.push(v);
                    }
                }
            }
            Some(geometry(&points, &parts, &[]))
        })()))
    })
}

/// The elements of a dynamic array argument.
fn elements(s: &Scalar) -> Option<Vec<Scalar>> {
    match geojson(s)? {
        Json::Array(items) => Some(items.into_iter().map(Scalar::Dynamic).collect()),
        _ => None,
    }
}

/// The union of some shapes (each its polygons), on the sphere, as S2's
/// DestructiveUnion builds it: the two shapes of fewest vertices united
/// first, the union queued with the sum of their counts; `None` when they
/// are too spread out for one plane.
pub(super) fn plane_union(shapes: &[Vec<Rings>]) -> Option<Vec<Rings>> {
    let refs: Vec<&[Rings]> = shapes.iter().map(|s| s.as_slice()).collect();
    let plane = Plane::around(&polygon_vertices(&refs))?;
    let count = |s: &[Rings]| s.iter().flatten().map(Vec::len).sum::<usize>();
    // A queue by vertex count; a shape goes after those of equal count.
    let mut queue: Vec<(usize, Vec<Rings>)> = Vec::with_capacity(shapes.len());
    let push = |queue: &mut Vec<(usize, Vec<Rings>)>, n: usize, s: Vec<Rings>| {
        let at = queue.partition_point(|(m, _)| *m <= n);
        queue.insert(at, (n, s));
    };
    for s in shapes {
        push(&mut queue, count(s), oriented(&plane, s));
    }
    while queue.len() > 1 {
        let (na, a) = queue.remove(0);
        let (nb, b) = queue.remove(0);
        let (_, _, _, union) = overlay_pair(&plane, &a, &b, |x, y| x.union(y));
        push(&mut queue, na + nb, union);
    }
    Some(queue.pop().map(|q| q.1).unwrap_or_default())
}

/// The union of many shapes in one pass (for buffers, whose pieces have no
/// order of Kusto's to follow); `None` when too spread out.
pub(super) fn plane_union_all(shapes: &[Vec<Rings>]) -> Option<Vec<Rings>> {
    let refs: Vec<&[Rings]> = shapes.iter().map(|s| s.as_slice()).collect();
    let plane = Plane::around(&polygon_vertices(&refs))?;
    let oriented: Vec<Vec<Rings>> = shapes.iter().map(|s| oriented(&plane, s)).collect();
    let refs: Vec<&[Rings]> = oriented.iter().map(|s| s.as_slice()).collect();
    let snapper = Snapper::new(&plane, &ring_paths(&refs));
    let projected: Vec<MultiPolygon> = oriented.iter().map(|s| plane_polygons(&plane, s)).collect();
    Some(sphere_polygons(&snapper, &geo::unary_union(&projected)))
}

/// Polygons as GeoJSON: a Polygon, a MultiPolygon, or an empty
/// GeometryCollection.
pub(super) fn shapes_json(shapes: &[Rings]) -> Json {
    geometry(&[], &[], shapes)
}

/// The union of an array of polygons; `None` when any is invalid, the
/// array is empty, or the shapes are too spread out.
fn union_of(array: &Scalar) -> Option<Vec<Rings>> {
    let shapes: Vec<Vec<Rings>> = elements(array)?
        .iter()
        .map(polygons)
        .collect::<Option<_>>()?;
    plane_union(&shapes)
}

/// `geo_union_polygons_array(polygons)`: a Polygon or MultiPolygon.
pub fn union_polygons_array(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(
            union_of(&a[0]).map(|shapes| geometry(&[], &[], &shapes)),
        ))
    })
}

/// `geo_simplify_polygons_array(polygons[, tolerance])`: the union,
/// simplified as `geo_polygon_simplify` does (tolerance in meters, 10 by
/// default); null when nothing is left.
pub fn simplify_polygons_array(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let t = tolerance(a, 1, 10.0, 0.0..=7_800_000.0)?;
            let simple: Vec<Rings> = union_of(&a[0])?
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

/// An edge's key: its two ends, in either direction.
fn edge_key(a: LngLat, b: LngLat) -> [(u64, u64); 2] {
    let key = |v: LngLat| (v.0.to_bits(), v.1.to_bits());
    let (ka, kb) = (key(a), key(b));
    if ka <= kb { [ka, kb] } else { [kb, ka] }
}

/// `geo_union_lines_array(lines)`: every edge of the lines once, joined
/// into the longest paths that branch nowhere, in the order the edges
/// first appear.
pub fn union_lines_array(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let all: Vec<Vec<LngLat>> = elements(&a[0])?
                .iter()
                .map(lines)
                .collect::<Option<Vec<_>>>()?
                .into_iter()
                .flatten()
                .collect();
            if all.is_empty() {
                return None;
            }
            let vertices: Vec<(Point, LngLat)> =
                all.iter().flatten().map(|&v| (point(v), v)).collect();
            let mut seen = HashMap::new();
            let mut edges: Vec<(LngLat, LngLat)> = Vec::new();
            for line in &all {
                for w in line.windows(2) {
                    for (a, b) in split_edge(w[0], w[1], &vertices) {
                        if a != b && seen.insert(edge_key(a, b), ()).is_none() {
                            edges.push((a, b));
                        }
                    }
                }
            }
            Some(lines_json(&join_edges(&edges)))
        })()))
    })
}

/// An edge cut at every vertex of the lines lying on it (within 1e-12
/// radians, some micrometres), so that overlapping stretches of two lines
/// become the same edges.
fn split_edge(a: LngLat, b: LngLat, vertices: &[(Point, LngLat)]) -> Vec<(LngLat, LngLat)> {
    let (pa, pb) = (point(a), point(b));
    let normal = pa.0.cross(&pb.0);
    let normal = if normal.norm2() > 0.0 {
        normal.normalize()
    } else {
        normal
    };
    let mut cuts: Vec<(f64, LngLat)> = vertices
        .iter()
        // Off the edge's great circle is off the edge: a dot product
        // spares most of the distance computations.
        .filter(|(p, _)| p.0.dot(&normal).abs() <= 2e-12)
        .filter(|(p, v)| *v != a && *v != b && distance_from_segment(p, &pa, &pb).rad() <= 1e-12)
        .map(|(p, v)| (pa.distance(p).rad(), *v))
        .collect();
    cuts.sort_by(|x, y| x.0.total_cmp(&y.0));
    cuts.dedup_by(|x, y| x.1 == y.1);
    let mut path = vec![a];
    path.extend(cuts.into_iter().map(|c| c.1));
    path.push(b);
    path.windows(2).map(|w| (w[0], w[1])).collect()
}

/// Joins edges into paths through every vertex met by exactly two edges.
fn join_edges(edges: &[(LngLat, LngLat)]) -> Vec<Vec<LngLat>> {
    let key = |v: LngLat| (v.0.to_bits(), v.1.to_bits());
    let mut at: HashMap<(u64, u64), Vec<usize>> = HashMap::new();
    for (i, (a, b)) in edges.iter().enumerate() {
        at.entry(key(*a)).or_default().push(i);
        at.entry(key(*b)).or_default().push(i);
    }
    let mut used = vec![false; edges.len()];
    // The other edge through a vertex of degree two.
    let through = |v: LngLat, from: usize, used: &[bool]| -> Option<usize> {
        match at.get(&key(v))?.as_slice() {
            [x, y] => {
                let next = if *x == from { *y } else { *x };
                (!used[next]).then_some(next)
            }
            _ => None,
        }
    };
    let mut paths = Vec::new();
    for start in 0..edges.len() {
        if used[start] {
            continue;
        }
        used[start] = true;
        let (a, b) = edges[start];
        let mut path = std::collections::VecDeque::from([a, b]);
        let (mut edge, mut end) = (start, b);
        while let Some(next) = through(end, edge, &used) {
            used[next] = true;
            let (p, q) = edges[next];
            end = if p == end { q } else { p };
            edge = next;
            path.push_back(end);
        }
        let (mut edge, mut end) = (start, a);
        while let Some(next) = through(end, edge, &used) {
            used[next] = true;
            let (p, q) = edges[next];
            end = if p == end { q } else { p };
            edge = next;
            path.push_front(end);
        }
        paths.push(path.into_iter().collect());
    }
    paths
}

/// A MultiPolygon's polygons united, as Kusto unites them before it
/// measures (area, perimeter, centroid); any other value, or polygons too
/// spread out for one plane, as given.
pub(super) fn united(s: &Scalar) -> std::borrow::Cow<'_, Scalar> {
    let is_multi =
        geojson(s).is_some_and(|j| j.get("type").and_then(Json::as_str) == Some("MultiPolygon"));
    if is_multi
        && let Some(shape) = polygons(s).filter(|p| p.len() > 1)
        && let Some(union) = plane_union(&shape.into_iter().map(|p| vec![p]).collect::<Vec<_>>())
    {
        return std::borrow::Cow::Owned(Scalar::Dynamic(shapes_json(&union)));
    }
    std::borrow::Cow::Borrowed(s)
}
