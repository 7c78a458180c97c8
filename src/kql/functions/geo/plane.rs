//! The gnomonic plane the polygon overlays are computed in.
//!
//! Kusto's overlays (intersections, unions, buffers) take edges as
//! great-circle arcs. The gnomonic projection maps every great circle of
//! the hemisphere around its centre to a straight line, so a planar
//! overlay of the projected shapes (`geo`'s boolean operations) is the
//! overlay on the sphere, exactly. Shapes must lie within
//! [`MAX_ANGLE_DEG`] of their common centre.
//!
//! `geo` computes on an integer grid (about 2^29 steps across the shapes),
//! so its vertices are a little off: [`Snapper`] puts each back on the
//! input vertex it stands for, or on the crossing of the two input edges
//! it lies on, computed in floating point as Kusto does.

use geo::Coord;
use s2::point::Point;
use s2::r3::vector::Vector;

use super::shapes::{LngLat, lng_lat_of, point};

/// The farthest a vertex may lie from the shapes' centre, in degrees:
/// the projection stretches without bound towards 90°.
pub(super) const MAX_ANGLE_DEG: f64 = 80.0;

/// A gnomonic projection: the tangent plane at `center`, with `east` and
/// `north` as its axes (so a counterclockwise ring stays counterclockwise).
pub(super) struct Plane {
    center: Vector,
    east: Vector,
    north: Vector,
}

impl Plane {
    /// The plane around the centre of `vertices`; `None` when they are
    /// spread too far for one projection (or there are none).
    pub(super) fn around(vertices: &[LngLat]) -> Option<Plane> {
        let points: Vec<Vector> = vertices.iter().map(|&v| point(v).0).collect();
        let sum = points.iter().fold(Vector::default(), |acc, &p| acc + p);
        if sum.norm2() < 1e-24 {
            return None;
        }
        let center = sum.normalize();
        let min_cos = MAX_ANGLE_DEG.to_radians().cos();
        if points.iter().any(|p| p.dot(&center) < min_cos) {
            return None;
        }
        let pole = Vector {
            x: 0.0,
            y: 0.0,
            z: 1.0,
        };
        let mut east = pole.cross(&center);
        if east.norm2() < 1e-20 {
            // At a pole any direction will do.
            east = Vector {
                x: 1.0,
                y: 0.0,
                z: 0.0,
            }
            .cross(&center);
        }
        let east = east.normalize();
        let north = center.cross(&east);
        Some(Plane {
            center,
            east,
            north,
        })
    }

    /// A vertex in the plane.
    pub(super) fn project(&self, v: LngLat) -> Coord {
        let p = point(v).0;
        let d = p.dot(&self.center);
        Coord {
            x: p.dot(&self.east) / d,
            y: p.dot(&self.north) / d,
        }
    }

    /// The vertex a point of the plane stands for.
    pub(super) fn unproject(&self, c: Coord) -> LngLat {
        let p = self.center + self.east * c.x + self.north * c.y;
        lng_lat_of(&Point(p.normalize()))
    }
}

/// Puts the vertices of an overlay back on the exact points they stand
/// for: an input vertex, or the crossing of two input edges.
pub(super) struct Snapper<'a> {
    plane: &'a Plane,
    /// Input vertices in the plane, with the vertex as written, by x.
    vertices: Vec<(Coord, LngLat)>,
    edges: Vec<(Coord, Coord)>,
    grid: EdgeGrid,
    tolerance: f64,
}

/// The input edges by the squares of a grid they pass near, so that the
/// edges near a point are found without looking at every edge (a buffer
/// of a 2,000-vertex line has tens of thousands).
struct EdgeGrid {
    min: Coord,
    side: f64,
    n: usize,
    /// Edge numbers per square, ascending.
    squares: Vec<Vec<u32>>,
    /// Edges spanning too many squares, looked at always, ascending.
    long: Vec<u32>,
}

impl EdgeGrid {
    fn new(edges: &[(Coord, Coord)], tolerance: f64) -> EdgeGrid {
        let (mut min, mut max) = (
            Coord {
                x: f64::INFINITY,
                y: f64::INFINITY,
            },
            Coord {
                x: f64::NEG_INFINITY,
                y: f64::NEG_INFINITY,
            },
        );
        for (a, b) in edges {
            for c in [a, b] {
                min = Coord {
                    x: min.x.min(c.x),
                    y: min.y.min(c.y),
                };
                max = Coord {
                    x: max.x.max(c.x),
                    y: max.y.max(c.y),
                };
            }
        }
        let n = ((edges.len() as f64).sqrt().ceil() as usize).clamp(1, 1024);
        let side = ((max.x - min.x).max(max.y - min.y) / n as f64).max(1e-300);
        let mut grid = EdgeGrid {
            min,
            side,
            n,
            squares: vec![Vec::new(); if edges.is_empty() { 0 } else { n * n }],
            long: Vec::new(),
        };
        for (k, (a, b)) in edges.iter().enumerate() {
            let (x0, y0) = grid.square(Coord {
                x: a.x.min(b.x) - tolerance,
                y: a.y.min(b.y) - tolerance,
            });
            let (x1, y1) = grid.square(Coord {
                x: a.x.max(b.x) + tolerance,
                y: a.y.max(b.y) + tolerance,
            });
            if (x1 - x0 + 1) * (y1 - y0 + 1) > 64 {
                grid.long.push(k as u32);
                continue;
            }
            for y in y0..=y1 {
                for x in x0..=x1 {
                    grid.squares[y * n + x].push(k as u32);
                }
            }
        }
        grid
    }

    /// The square holding a point (clamped to the grid).
    fn square(&self, c: Coord) -> (usize, usize) {
        let at =
            |v: f64, lo: f64| (((v - lo) / self.side).floor().max(0.0) as usize).min(self.n - 1);
        (at(c.x, self.min.x), at(c.y, self.min.y))
    }

    /// The edges that may pass within tolerance of `q`, ascending.
    fn near(&self, q: Coord) -> Vec<u32> {
        if self.squares.is_empty() {
            return Vec::new();
        }
        let (x, y) = self.square(q);
        let mut out: Vec<u32> = self.squares[y * self.n + x].clone();
        out.extend(&self.long);
        out.sort_unstable();
        out
    }
}

impl<'a> Snapper<'a> {
    /// A snapper for the input `paths` (rings are closed with `closed`).
    pub(super) fn new(plane: &'a Plane, paths: &[(&[LngLat], bool)]) -> Snapper<'a> {
        let mut vertices = Vec::new();
        let mut edges = Vec::new();
        for &(path, closed) in paths {
            let projected: Vec<Coord> = path.iter().map(|&v| plane.project(v)).collect();
            vertices.extend(projected.iter().copied().zip(path.iter().copied()));
            edges.extend(projected.windows(2).map(|w| (w[0], w[1])));
            if closed && projected.len() > 2 {
                edges.push((projected[projected.len() - 1], projected[0]));
            }
        }
        vertices.sort_by(|a, b| a.0.x.total_cmp(&b.0.x));
        // A few steps of geo's grid, which spans about 2^29 steps.
        let extent = vertices
            .iter()
            .map(|(c, _)| c.x.abs().max(c.y.abs()))
            .fold(0.0, f64::max);
        let tolerance = (extent * 2e-8).max(1e-15);
        Snapper {
            plane,
            vertices,
            grid: EdgeGrid::new(&edges, tolerance),
            edges,
            tolerance,
        }
    }

    /// The input vertex within tolerance of `q`, the nearest one.
    fn vertex(&self, q: Coord) -> Option<LngLat> {
        let start = self
            .vertices
            .partition_point(|(c, _)| c.x < q.x - self.tolerance);
        self.vertices[start..]
            .iter()
            .take_while(|(c, _)| c.x <= q.x + self.tolerance)
            .map(|(c, v)| ((c.x - q.x).hypot(c.y - q.y), *v))
            .filter(|(d, _)| *d <= self.tolerance)
            .min_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, v)| v)
    }

    /// The exact vertex `q` of an overlay stands for.
    pub(super) fn exact(&self, q: Coord) -> LngLat {
        if let Some(v) = self.vertex(q) {
            return v;
        }
        let near: Vec<&(Coord, Coord)> = self
            .grid
            .near(q)
            .into_iter()
            .map(|k| &self.edges[k as usize])
            .filter(|(a, b)| segment_distance(q, *a, *b) <= self.tolerance)
            .collect();
        let mut best: Option<(f64, Coord)> = None;
        for (i, e) in near.iter().enumerate() {
            for f in &near[i + 1..] {
                if let Some(x) = line_crossing(**e, **f) {
                    let d = (x.x - q.x).hypot(x.y - q.y);
                    if d <= self.tolerance && best.is_none_or(|b| d < b.0) {
                        best = Some((d, x));
                    }
                }
            }
        }
        self.plane.unproject(best.map_or(q, |b| b.1))
    }

    /// The number of the first input edge (in the order the paths were
    /// given) the segment `pq` of an overlay runs along, as S2 numbers
    /// its input edges; `usize::MAX` when none.
    pub(super) fn edge_id(&self, p: Coord, q: Coord) -> usize {
        let mid = (p + q) / 2.0;
        self.grid
            .near(mid)
            .into_iter()
            .find(|&k| {
                let (a, b) = self.edges[k as usize];
                segment_distance(mid, a, b) <= self.tolerance
            })
            .map_or(usize::MAX, |k| k as usize)
    }

    /// The tolerance, in plane units.
    pub(super) fn tolerance(&self) -> f64 {
        self.tolerance
    }
}

/// The distance from `q` to the segment `ab`.
pub(super) fn segment_distance(q: Coord, a: Coord, b: Coord) -> f64 {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 == 0.0 {
        0.0
    } else {
        (((q.x - a.x) * dx + (q.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    };
    (a.x + t * dx - q.x).hypot(a.y + t * dy - q.y)
}

/// Where the lines through two segments cross; `None` when parallel.
fn line_crossing((a, b): (Coord, Coord), (c, d): (Coord, Coord)) -> Option<Coord> {
    let (r, s) = (b - a, d - c);
    let denom = r.x * s.y - r.y * s.x;
    let scale = (r.x.hypot(r.y) * s.x.hypot(s.y)).max(f64::MIN_POSITIVE);
    if denom.abs() <= 1e-12 * scale {
        return None;
    }
    let t = ((c.x - a.x) * s.y - (c.y - a.y) * s.x) / denom;
    Some(a + r * t)
}

/// Twice the signed area of a ring (positive when counterclockwise).
pub(super) fn signed_area2(ring: &[Coord]) -> f64 {
    (0..ring.len())
        .map(|i| {
            let (p, q) = (ring[i], ring[(i + 1) % ring.len()]);
            p.x * q.y - q.x * p.y
        })
        .sum()
}
