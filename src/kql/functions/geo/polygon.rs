//! `geo_point_in_polygon(longitude, latitude, polygon)`: whether a point
//! lies in a GeoJSON Polygon or MultiPolygon, with edges as great-circle
//! arcs, as Kusto (which uses S2) defines it.
//!
//! The `s2` crate has S2's exact predicates and edge crossers but no
//! S2Loop, so a ring's containment is assembled here the way S2Loop does
//! it: count the ring edges crossed on the way from S2's origin to the
//! point, starting from whether the origin itself is inside. As Kusto
//! documents, a ring bounds the smaller of the two regions it divides the
//! sphere into, whichever way it turns; a polygon's later rings are holes.

use s2::edge_crossings::{EdgeCrosser, robust_cross_prod};
use s2::latlng::LatLng;
use s2::point::{Point, ordered_ccw};
use s2::predicates::sign;
use serde_json::Value as Json;

use super::lng_lat;
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::value::{Scalar, Val};

/// One ring: its distinct vertices (the closing repeat dropped), and
/// whether S2's origin lies in the region it bounds.
pub(super) struct Ring {
    pub(super) vertices: Vec<Point>,
    origin_inside: bool,
}

impl Ring {
    /// A ring from GeoJSON positions: at least four, closed, at least
    /// three distinct vertices, every coordinate valid.
    fn parse(positions: &Json) -> Option<Ring> {
        let positions = positions.as_array()?;
        if positions.len() < 4 || positions.first() != positions.last() {
            return None;
        }
        let mut vertices = Vec::with_capacity(positions.len() - 1);
        for p in &positions[..positions.len() - 1] {
            let pair = p.as_array()?;
            let (lng, lat) = match pair.as_slice() {
                [lng, lat, ..] => (lng.as_f64()?, lat.as_f64()?),
                _ => return None,
            };
            lng_lat(&Scalar::Real(lng), &Scalar::Real(lat))?;
            let v = Point::from(LatLng::from_degrees(lat, lng));
            // Consecutive repeats add no edge.
            if vertices.last() != Some(&v) {
                vertices.push(v);
            }
        }
        if vertices.len() < 3 {
            return None;
        }
        let mut ring = Ring {
            vertices,
            origin_inside: false,
        };
        // S2Loop::InitOriginAndBound: whether vertex 1 is inside, judged
        // from the angle at it, tells whether the origin is.
        let (v0, v1, v2) = (ring.vertex(0), ring.vertex(1), ring.vertex(2));
        let v1_inside = ordered_ccw(&v1.ortho(), &v0, &v2, &v1);
        if v1_inside != ring.contains(&v1) {
            ring.origin_inside = true;
        }
        // The smaller region: a ring turning clockwise bounds more than a
        // hemisphere as given, so it is taken the other way round.
        if ring.turning_angle() < 0.0 {
            ring.origin_inside = !ring.origin_inside;
        }
        Some(ring)
    }

    fn vertex(&self, i: usize) -> Point {
        self.vertices[i % self.vertices.len()]
    }

    /// Whether the region holds `p`: the origin's answer flipped at each
    /// ring edge crossed on the way to `p`.
    pub(super) fn contains(&self, p: &Point) -> bool {
        let mut inside = self.origin_inside;
        let mut crosser = EdgeCrosser::new_with_c(&Point::origin(), p, &self.vertex(0));
        for i in 1..=self.vertices.len() {
            inside ^= crosser.chain_edge_or_vertex_crossing(&self.vertex(i));
        }
        inside
    }

    /// The sum of the turns at each vertex (S2Loop::GetTurningAngle, without
    /// its error compensation): 2π minus the area bounded on the left.
    fn turning_angle(&self) -> f64 {
        (0..self.vertices.len())
            .map(|i| {
                let (a, b, c) = (self.vertex(i), self.vertex(i + 1), self.vertex(i + 2));
                let angle = robust_cross_prod(&a, &b)
                    .0
                    .angle(&robust_cross_prod(&b, &c).0)
                    .rad();
                if sign(&a, &b, &c) { angle } else { -angle }
            })
            .sum()
    }
}

/// A polygon: its shell, then its holes.
pub(super) struct Polygon(pub(super) Vec<Ring>);

impl Polygon {
    fn parse(rings: &Json) -> Option<Polygon> {
        let rings: Option<Vec<Ring>> = rings.as_array()?.iter().map(Ring::parse).collect();
        let rings = rings?;
        (!rings.is_empty()).then_some(Polygon(rings))
    }

    pub(super) fn contains(&self, p: &Point) -> bool {
        self.0[0].contains(p) && !self.0[1..].iter().any(|hole| hole.contains(p))
    }
}

/// The polygons of a GeoJSON Polygon or MultiPolygon (a dynamic value or
/// its JSON text), `None` when it is neither or is malformed.
pub(super) fn parse_shape(s: &Scalar) -> Option<Vec<Polygon>> {
    let parsed;
    let json = match s {
        Scalar::Dynamic(j) => j,
        Scalar::String(t) => {
            parsed = serde_json::from_str::<Json>(t).ok()?;
            &parsed
        }
        _ => return None,
    };
    let coordinates = json.get("coordinates")?;
    match json.get("type")?.as_str()? {
        "Polygon" => Some(vec![Polygon::parse(coordinates)?]),
        "MultiPolygon" => coordinates.as_array()?.iter().map(Polygon::parse).collect(),
        _ => None,
    }
}

/// `geo_point_in_polygon(longitude, latitude, polygon)`: null for invalid
/// coordinates or an invalid polygon.
pub fn point_in_polygon(call: &Call) -> Result<Val, QueryError> {
    // The polygon is usually one constant: parse it once.
    let constant = match call.args.get(2) {
        Some(Val::Scalar(s)) => Some(parse_shape(s)),
        _ => None,
    };
    call.rowwise(KqlType::Bool, |a| {
        let answer = (|| {
            let (lng, lat) = lng_lat(&a[0], &a[1])?;
            let owned;
            let shape = match &constant {
                Some(shape) => shape.as_ref()?,
                None => {
                    owned = parse_shape(&a[2])?;
                    &owned
                }
            };
            let p = Point::from(LatLng::from_degrees(lat, lng));
            Some(shape.iter().any(|polygon| polygon.contains(&p)))
        })();
        Ok(answer.map_or(Scalar::Null(KqlType::Bool), Scalar::Bool))
    })
}
