//! The shapes `evaluate geo_polygon_lookup` and `evaluate geo_line_lookup`
//! match locations against: one lookup row's polygon or line, parsed once
//! and tested against every location, the way `geo_point_in_polygon`,
//! `geo_distance_point_to_polygon` and `geo_distance_point_to_line` test
//! one pair.

use s2::point::Point;

use super::lines::{as_points, closest};
use super::lng_lat;
use super::polygon::{Polygon, parse_shape};
use super::regions::closest_on_boundary;
use super::shapes::{lines, point};
use super::sphere::EARTH_RADIUS_M;
use crate::kql::value::Scalar;

/// A lookup table's key, parsed.
pub struct LookupShape(Kind);

enum Kind {
    /// A GeoJSON Polygon or MultiPolygon.
    Polygons(Vec<Polygon>),
    /// A GeoJSON LineString or MultiLineString, as points on the sphere.
    Lines(Vec<Vec<Point>>),
}

impl LookupShape {
    /// A Polygon or MultiPolygon; `None` when the value is neither or is
    /// malformed (such a row matches nothing).
    pub fn polygon(key: &Scalar) -> Option<LookupShape> {
        parse_shape(key).map(|p| LookupShape(Kind::Polygons(p)))
    }

    /// A LineString or MultiLineString; `None` otherwise.
    pub fn line(key: &Scalar) -> Option<LookupShape> {
        lines(key).map(|l| LookupShape(Kind::Lines(as_points(&l))))
    }

    /// Whether the location lies in the polygon (without a radius), or
    /// within `radius` meters of the polygon or line. An invalid location
    /// matches nothing.
    pub fn matches(&self, lng: &Scalar, lat: &Scalar, radius: Option<f64>) -> bool {
        let Some(at) = lng_lat(lng, lat) else {
            return false;
        };
        let x = point(at);
        match &self.0 {
            Kind::Polygons(shape) => {
                if shape.iter().any(|p| p.contains(&x)) {
                    return true;
                }
                radius.is_some_and(|r| {
                    closest_on_boundary(shape, &x).is_some_and(|(_, d)| d * EARTH_RADIUS_M <= r)
                })
            }
            Kind::Lines(l) => {
                closest(l, &x).is_some_and(|c| c.3 * EARTH_RADIUS_M <= radius.unwrap_or(0.0))
            }
        }
    }
}
