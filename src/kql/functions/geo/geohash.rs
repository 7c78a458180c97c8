//! Geohashes: `geo_point_to_geohash`, `geo_geohash_to_central_point`,
//! `geo_geohash_neighbors` and `geo_geohash_to_polygon`, with the `geohash`
//! crate.
//!
//! Kusto accepts accuracies up to 18 characters; the crate encodes and
//! decodes at most 12 (60 bits), so longer geohashes give an empty or null
//! result here.

use geohash::{Coord, Direction};

use super::{dynamic, level_arg, lng_lat, point_json, polygon_json, strings, text, token};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::value::Val;

/// The accuracy (length) Kusto uses when none is given.
const DEFAULT_ACCURACY: i64 = 5;

/// The longest geohash the crate handles.
const MAX_ACCURACY: i64 = 12;

/// The order Kusto lists neighbors in (the documentation's one example:
/// south-west, north-west, south-east, north, west, north-east, east,
/// south).
const NEIGHBOR_ORDER: [Direction; 8] = [
    Direction::SW,
    Direction::NW,
    Direction::SE,
    Direction::N,
    Direction::W,
    Direction::NE,
    Direction::E,
    Direction::S,
];

/// A geohash argument, `None` unless it is 1 to 12 characters of the
/// geohash alphabet.
fn geohash_of(s: &crate::kql::value::Scalar) -> Option<&str> {
    let t = token(s)?;
    let len = t.len() as i64;
    ((1..=MAX_ACCURACY).contains(&len) && geohash::decode_bbox(t).is_ok()).then_some(t)
}

/// `geo_point_to_geohash(longitude, latitude[, accuracy])`: the geohash of
/// the point, empty for invalid input.
pub fn point_to_geohash(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        Ok(text((|| {
            let (lng, lat) = lng_lat(&a[0], &a[1])?;
            let len = level_arg(a.get(2), DEFAULT_ACCURACY, 1..=MAX_ACCURACY)?;
            geohash::encode(Coord { x: lng, y: lat }, len as usize).ok()
        })()))
    })
}

/// `geo_geohash_to_central_point(geohash)`: the center of its rectangle as
/// a GeoJSON point.
pub fn geohash_to_central_point(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(geohash_of(&a[0]).and_then(|t| {
            let (c, _, _) = geohash::decode(t).ok()?;
            Some(point_json(c.x, c.y))
        })))
    })
}

/// `geo_geohash_neighbors(geohash)`: the eight geohashes around it.
pub fn geohash_neighbors(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(geohash_of(&a[0]).and_then(|t| {
            let found: Option<Vec<String>> = NEIGHBOR_ORDER
                .iter()
                .map(|&d| geohash::neighbor(t, d).ok())
                .collect();
            found.map(strings)
        })))
    })
}

/// `geo_geohash_to_polygon(geohash)`: its rectangle as a GeoJSON polygon,
/// from the south-west corner counterclockwise.
pub fn geohash_to_polygon(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(geohash_of(&a[0]).and_then(|t| {
            let r = geohash::decode_bbox(t).ok()?;
            let (lo, hi) = (r.min(), r.max());
            Some(polygon_json(&[
                (lo.x, lo.y),
                (hi.x, lo.y),
                (hi.x, hi.y),
                (lo.x, hi.y),
            ]))
        })))
    })
}
