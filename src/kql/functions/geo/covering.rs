//! `geo_polygon_to_s2cells(polygon[, level[, radius]])` and
//! `geo_line_to_s2cells(line[, level[, radius]])`: the S2 cells of
//! one level that cover a polygon or a line (and, with a radius, every point within
//! that many meters of it), as tokens in cell-id order: the first step of
//! Kusto's documented "which polygon holds this point" join on
//! `geo_point_to_s2cell`.
//!
//! Cells are found from the six faces down: a cell is kept when it meets
//! the polygon (a polygon vertex in the cell, a cell corner in the polygon,
//! or crossing edges; S2 cell edges are great-circle arcs like the
//! polygon's) or lies within the radius of its boundary, and a cell wholly
//! inside the polygon brings all its descendants at once. Null for an
//! invalid polygon, a level outside [0, 30], a negative radius, or more
//! than Kusto's 65,536 cells.

use s2::cell::Cell;
use s2::cellid::CellID;
use s2::edge_crossings::{Crossing, crossing_sign};
use s2::edgeutil::distance_from_segment;
use s2::point::Point;

use super::polygon::{Polygon, parse_shape};
use super::shapes::{lines, point};
use super::sphere::EARTH_RADIUS_M;
use super::{dynamic, level_arg, strings};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::as_real;
use crate::kql::value::{Scalar, Val};

/// Kusto's most tokens for one polygon.
const MAX_CELLS: u64 = 65_536;

/// The level Kusto uses when none is given.
const DEFAULT_LEVEL: i64 = 11;

/// One polygon's boundary edges and vertices (or a line's), for the cell
/// tests.
struct Shape<'a> {
    /// The polygon; `None` for a line.
    polygon: Option<&'a Polygon>,
    edges: Vec<(Point, Point)>,
    vertices: Vec<Point>,
    /// The radius in radians.
    radius: f64,
}

impl Shape<'_> {
    fn cell_edges(cell: &Cell) -> [(Point, Point); 4] {
        let v: [Point; 4] = [
            cell.vertex(0),
            cell.vertex(1),
            cell.vertex(2),
            cell.vertex(3),
        ];
        [(v[0], v[1]), (v[1], v[2]), (v[2], v[3]), (v[3], v[0])]
    }

    fn crosses(&self, cell: &Cell) -> bool {
        Self::cell_edges(cell).iter().any(|(c0, c1)| {
            self.edges
                .iter()
                .any(|(a, b)| crossing_sign(c0, c1, a, b) != Crossing::DoNotCross)
        })
    }

    fn vertex_in(&self, cell: &Cell) -> bool {
        self.vertices.iter().any(|a| cell.contains_point(a))
    }

    /// Whether the boundaries come within the radius of each other.
    fn near(&self, cell: &Cell) -> bool {
        if self.radius <= 0.0 {
            return false;
        }
        Self::cell_edges(cell).iter().any(|(c0, c1)| {
            self.edges.iter().any(|(a, b)| {
                distance_from_segment(c0, a, b).rad() <= self.radius
                    || distance_from_segment(c1, a, b).rad() <= self.radius
                    || distance_from_segment(a, c0, c1).rad() <= self.radius
                    || distance_from_segment(b, c0, c1).rad() <= self.radius
            })
        })
    }

    fn corners_inside(&self, cell: &Cell) -> usize {
        let Some(polygon) = self.polygon else {
            return 0;
        };
        (0..4)
            .filter(|&k| polygon.contains(&cell.vertex(k)))
            .count()
    }

    /// (meets, wholly inside) for a cell.
    fn classify(&self, cell: &Cell) -> (bool, bool) {
        let crosses = self.crosses(cell);
        let vertex_in = self.vertex_in(cell);
        let corners = self.corners_inside(cell);
        let meets = crosses || vertex_in || corners > 0 || self.near(cell);
        (meets, corners == 4 && !crosses && !vertex_in)
    }
}

/// The covering's cell ids, or `None` past the limit.
fn cover(shape: &Shape, level: u64, out: &mut Vec<CellID>) -> Option<()> {
    let mut stack: Vec<CellID> = (0..6).map(CellID::from_face).collect();
    while let Some(id) = stack.pop() {
        let (meets, inside) = shape.classify(&Cell::from(id));
        if !meets {
            continue;
        }
        if id.level() == level {
            out.push(id);
        } else if inside {
            let count = 1u64 << (2 * (level - id.level()));
            if out.len() as u64 + count > MAX_CELLS {
                return None;
            }
            let (mut c, end) = (id.child_begin_at_level(level), id.child_end_at_level(level));
            while c != end {
                out.push(c);
                c = c.next();
            }
        } else {
            stack.extend(id.children());
        }
        if out.len() as u64 > MAX_CELLS {
            return None;
        }
    }
    Some(())
}

/// `geo_polygon_to_s2cells(polygon[, level[, radius]])`.
pub fn polygon_to_s2cells(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let polygons = parse_shape(&a[0])?;
            let (level, radius) = level_radius(a)?;
            let mut ids = Vec::new();
            for polygon in &polygons {
                let edges = polygon
                    .0
                    .iter()
                    .flat_map(|r| {
                        let v = &r.vertices;
                        (0..v.len()).map(move |i| (v[i], v[(i + 1) % v.len()]))
                    })
                    .collect();
                let shape = Shape {
                    polygon: Some(polygon),
                    edges,
                    vertices: polygon.0.iter().flat_map(|r| r.vertices.clone()).collect(),
                    radius: radius / EARTH_RADIUS_M,
                };
                cover(&shape, level, &mut ids)?;
            }
            tokens(ids)
        })()))
    })
}

/// The level and radius arguments at 1 and 2: `None` for a level outside
/// [0, 30] or a negative or infinite radius.
fn level_radius(a: &[Scalar]) -> Option<(u64, f64)> {
    let level = level_arg(a.get(1), DEFAULT_LEVEL, 0..=30)? as u64;
    let radius = match a.get(2) {
        None => 0.0,
        Some(s) => as_real(s).filter(|r| *r >= 0.0 && r.is_finite())?,
    };
    Some((level, radius))
}

/// Sorted, distinct tokens; `None` past the limit.
fn tokens(mut ids: Vec<CellID>) -> Option<serde_json::Value> {
    ids.sort_unstable();
    ids.dedup();
    if ids.len() as u64 > MAX_CELLS {
        return None;
    }
    Some(strings(ids.iter().map(CellID::to_token)))
}

/// `geo_line_to_s2cells(line[, level[, radius]])`: the cells of one level
/// that a LineString or MultiLineString passes through (or comes within
/// `radius` meters of), as tokens in cell-id order.
pub fn line_to_s2cells(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let paths = lines(&a[0])?;
            let (level, radius) = level_radius(a)?;
            let mut ids = Vec::new();
            for path in &paths {
                let vertices: Vec<Point> = path.iter().map(|&v| point(v)).collect();
                let shape = Shape {
                    polygon: None,
                    edges: vertices.windows(2).map(|w| (w[0], w[1])).collect(),
                    vertices,
                    radius: radius / EARTH_RADIUS_M,
                };
                cover(&shape, level, &mut ids)?;
            }
            tokens(ids)
        })()))
    })
}
