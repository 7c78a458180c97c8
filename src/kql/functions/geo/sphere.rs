//! Points on the Earth: `geo_distance_2points`, `geo_point_in_circle`,
//! `geo_azimuth` and `geo_angle`.
//!
//! Kusto measures on a sphere of radius 6,371,010 m (S2's Earth radius:
//! its documented Seattle-Los Angeles distance, 1546754.35197381 m, is the
//! great-circle angle times exactly that), or on the WGS-84 spheroid when
//! `geo_distance_2points` is asked to (`geographiclib-rs`).

use std::f64::consts::TAU;

use geographiclib_rs::{Geodesic, InverseGeodesic};
use s2::latlng::LatLng;
use s2::point::Point;

use super::lng_lat;
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_bool, as_real};
use crate::kql::value::{Scalar, Val};

/// The Earth's radius in meters as S2 (and Kusto) take it.
pub const EARTH_RADIUS_M: f64 = 6_371_010.0;

/// Great-circle distance in meters between two (longitude, latitude) points:
/// S2's angle between unit vectors (atan2 of cross and dot), which gives
/// the documented lengths to the last printed digit where the haversine
/// drifts in the 13th.
pub fn sphere_distance(a: (f64, f64), b: (f64, f64)) -> f64 {
    let a = Point::from(LatLng::from_degrees(a.1, a.0));
    let b = Point::from(LatLng::from_degrees(b.1, b.0));
    a.distance(&b).rad() * EARTH_RADIUS_M
}

/// The initial bearing from `a` to `b` along the great circle, in radians
/// clockwise from true north in [0, 2π); `None` when the points coincide.
fn bearing(a: (f64, f64), b: (f64, f64)) -> Option<f64> {
    if a == b {
        return None;
    }
    let (lng1, lat1) = (a.0.to_radians(), a.1.to_radians());
    let (lng2, lat2) = (b.0.to_radians(), b.1.to_radians());
    let dlng = lng2 - lng1;
    let y = dlng.sin() * lat2.cos();
    let x = lat1.cos() * lat2.sin() - lat1.sin() * lat2.cos() * dlng.cos();
    Some(y.atan2(x).rem_euclid(TAU))
}

/// The real result, or a real null.
fn real(v: Option<f64>) -> Scalar {
    v.map_or(Scalar::Null(KqlType::Real), Scalar::Real)
}

/// `geo_distance_2points(lng1, lat1, lng2, lat2[, use_spheroid])`: the
/// shortest distance in meters, on the sphere unless `use_spheroid` is true.
pub fn distance_2points(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        Ok(real((|| {
            let p1 = lng_lat(&a[0], &a[1])?;
            let p2 = lng_lat(&a[2], &a[3])?;
            let spheroid = match a.get(4) {
                None => false,
                Some(s) => as_bool(s)?,
            };
            Some(if spheroid {
                let meters: f64 = Geodesic::wgs84().inverse(p1.1, p1.0, p2.1, p2.0);
                meters
            } else {
                sphere_distance(p1, p2)
            })
        })()))
    })
}

/// `geo_point_in_circle(lng, lat, center_lng, center_lat, radius)`: whether
/// the point is within `radius` meters of the center; null for invalid
/// coordinates or a radius that is not positive.
pub fn point_in_circle(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Bool, |a| {
        Ok((|| {
            let p = lng_lat(&a[0], &a[1])?;
            let center = lng_lat(&a[2], &a[3])?;
            let radius = as_real(&a[4]).filter(|r| *r > 0.0)?;
            Some(Scalar::Bool(sphere_distance(p, center) <= radius))
        })()
        .unwrap_or(Scalar::Null(KqlType::Bool)))
    })
}

/// `geo_azimuth(lng1, lat1, lng2, lat2)`: the direction from the first
/// point to the second, in radians clockwise from true north; null when
/// the points are the same.
pub fn azimuth(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        Ok(real((|| {
            let p1 = lng_lat(&a[0], &a[1])?;
            let p2 = lng_lat(&a[2], &a[3])?;
            bearing(p1, p2)
        })()))
    })
}

/// `geo_angle(lng1, lat1, lng2, lat2, lng3, lat3)`: the angle at the second
/// point from the line to the first to the line to the third, in radians
/// clockwise in [0, 2π); null when two consecutive points are the same.
pub fn angle(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        Ok(real((|| {
            let p1 = lng_lat(&a[0], &a[1])?;
            let p2 = lng_lat(&a[2], &a[3])?;
            let p3 = lng_lat(&a[4], &a[5])?;
            let back = bearing(p2, p1)?;
            let on = bearing(p2, p3)?;
            Some((on - back).rem_euclid(TAU))
        })()))
    })
}
