//! S2 cells: `geo_point_to_s2cell`, `geo_s2cell_to_central_point`,
//! `geo_s2cell_neighbors` and `geo_s2cell_to_polygon`, with the `s2` crate
//! (a port of Google's S2 geometry library, which Kusto uses). Cells are
//! named by their tokens: the cell id in hex, trailing zeros dropped.

use s2::cell::Cell;
use s2::cellid::CellID;
use s2::latlng::LatLng;

use super::{dynamic, level_arg, lng_lat, point_json, polygon_json, strings, text, token};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::value::Val;

/// The level Kusto uses when none is given.
const DEFAULT_LEVEL: i64 = 11;

/// The cell of a token, `None` unless it is 1 to 16 hex digits naming a
/// valid cell.
fn cell_of(token: &str) -> Option<CellID> {
    if token.is_empty() || token.len() > 16 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let id = CellID::from_token(token);
    id.is_valid().then_some(id)
}

/// (longitude, latitude) in degrees of an S2 point.
fn degrees(ll: &LatLng) -> (f64, f64) {
    (ll.lng.deg(), ll.lat.deg())
}

/// `geo_point_to_s2cell(longitude, latitude[, level])`: the token of the
/// cell holding the point, empty for invalid input.
pub fn point_to_s2cell(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        Ok(text((|| {
            let (lng, lat) = lng_lat(&a[0], &a[1])?;
            let level = level_arg(a.get(2), DEFAULT_LEVEL, 0..=30)?;
            let leaf = CellID::from(LatLng::from_degrees(lat, lng));
            Some(leaf.parent(level as u64).to_token())
        })()))
    })
}

/// `geo_s2cell_to_central_point(token)`: the cell's center as a GeoJSON
/// point.
pub fn s2cell_to_central_point(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(token(&a[0]).and_then(cell_of).map(|id| {
            let (lng, lat) = degrees(&LatLng::from(id));
            point_json(lng, lat)
        })))
    })
}

/// `geo_s2cell_neighbors(token)`: the cells of the same level that touch
/// the cell at an edge or a corner.
///
/// The order is the documentation's: S2's AppendAllNeighbors order (by
/// offset in the face's i, j: (-1,-1) (1,-1) (0,-1) (0,1) (-1,0) (1,0)
/// (-1,1) (1,1)) with the last first and the middle pair swapped. Kusto
/// does not say why; it is the order a .NET HashSet enumerates when the
/// cell itself is added first and removed before the last neighbor
/// (which takes its slot). Seen for the one cell the documentation shows
/// (89c259, four examples); a cell at a cube corner (seven neighbors)
/// keeps S2's order.
pub fn s2cell_neighbors(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(token(&a[0]).and_then(cell_of).map(|id| {
            let mut seen: Vec<CellID> = Vec::with_capacity(8);
            // Near a cube corner a neighbor can come twice: Kusto lists it once.
            for n in id.all_neighbors(id.level()) {
                if !seen.contains(&n) {
                    seen.push(n);
                }
            }
            if seen.len() == 8 {
                seen = [7, 0, 1, 2, 3, 5, 4, 6].iter().map(|&k| seen[k]).collect();
            }
            strings(seen.iter().map(CellID::to_token))
        })))
    })
}

/// `geo_s2cell_to_polygon(token)`: the cell's four corners as a GeoJSON
/// polygon.
pub fn s2cell_to_polygon(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(token(&a[0]).and_then(cell_of).map(|id| {
            let cell = Cell::from(id);
            let corners: Vec<(f64, f64)> = cell
                .vertices()
                .iter()
                .map(|p| degrees(&LatLng::from(p)))
                .collect();
            polygon_json(&corners)
        })))
    })
}
