//! H3 cells: `geo_point_to_h3cell`, `geo_h3cell_to_central_point`,
//! `geo_h3cell_neighbors`, `geo_h3cell_rings`, `geo_h3cell_parent`,
//! `geo_h3cell_children`, `geo_h3cell_level`, `geo_h3cell_to_polygon` and
//! `geo_polygon_to_h3cells`,
//! with `h3o` (a Rust implementation of Uber's H3). Cells are named by their
//! 15-digit hex index, as Kusto prints them.

use std::str::FromStr;

use h3o::geom::{ContainmentMode, TilerBuilder};
use h3o::{CellIndex, LatLng, Resolution};
use serde_json::Value as Json;

use super::buffer::polygons_buffer;
use super::measure::ring_area;
use super::shapes::{Rings, point, polygons};
use super::sphere::EARTH_RADIUS_M;
use super::{dynamic, level_arg, lng_lat, point_json, polygon_json, strings, text, token};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_long, as_real};
use crate::kql::value::{Scalar, Val};

/// The resolution Kusto uses when none is given.
const DEFAULT_RESOLUTION: i64 = 6;

/// The farthest ring `geo_h3cell_rings` computes, as documented.
const MAX_RING: i64 = 142;

/// The most resolutions `geo_h3cell_children` descends at once (7^5 =
/// 16807 children), as documented.
const MAX_CHILD_DEPTH: u8 = 5;

/// The cell a token names, `None` when it is not a valid H3 cell.
fn cell_of(s: &Scalar) -> Option<CellIndex> {
    CellIndex::from_str(token(s)?).ok()
}

/// A resolution from 0 to 15.
fn resolution(level: i64) -> Option<Resolution> {
    Resolution::try_from(u8::try_from(level).ok()?).ok()
}

/// Cell tokens as a dynamic array.
fn tokens<I: IntoIterator<Item = CellIndex>>(cells: I) -> Json {
    strings(cells.into_iter().map(|c| c.to_string()))
}

/// `geo_point_to_h3cell(longitude, latitude[, resolution])`: the token of
/// the cell holding the point, empty for invalid input.
pub fn point_to_h3cell(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        Ok(text((|| {
            let (lng, lat) = lng_lat(&a[0], &a[1])?;
            let res = resolution(level_arg(a.get(2), DEFAULT_RESOLUTION, 0..=15)?)?;
            let point = LatLng::new(lat, lng).ok()?;
            Some(point.to_cell(res).to_string())
        })()))
    })
}

/// `geo_h3cell_to_central_point(cell)`: the cell's center as a GeoJSON
/// point.
pub fn h3cell_to_central_point(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(cell_of(&a[0]).map(|cell| {
            let center = LatLng::from(cell);
            point_json(center.lng(), center.lat())
        })))
    })
}

/// `geo_h3cell_neighbors(cell)`: the cells around it (five next to a
/// pentagon, six otherwise).
pub fn h3cell_neighbors(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(cell_of(&a[0]).map(|cell| {
            tokens(
                cell.grid_disk::<Vec<_>>(1)
                    .into_iter()
                    .filter(|&c| c != cell),
            )
        })))
    })
}

/// `geo_h3cell_rings(cell, distance)`: an array of rings, the cell alone
/// first, then the cells 1, 2 ... `distance` steps away.
pub fn h3cell_rings(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let cell = cell_of(&a[0])?;
            let distance = as_long(&a[1]).filter(|d| (0..=MAX_RING).contains(d))?;
            let distance = u32::try_from(distance).ok()?;
            let mut rings: Vec<Vec<CellIndex>> = vec![Vec::new(); distance as usize + 1];
            for (c, d) in cell.grid_disk_distances::<Vec<_>>(distance) {
                if let Some(ring) = rings.get_mut(d as usize) {
                    ring.push(c);
                }
            }
            Some(Json::Array(rings.into_iter().map(tokens).collect()))
        })()))
    })
}

/// `geo_h3cell_parent(cell[, resolution])`: the cell containing it at a
/// coarser resolution (one coarser by default); empty when invalid.
pub fn h3cell_parent(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        Ok(text((|| {
            let cell = cell_of(&a[0])?;
            let own = i64::from(u8::from(cell.resolution()));
            let res = resolution(level_arg(a.get(1), own - 1, 0..=14)?)?;
            Some(cell.parent(res)?.to_string())
        })()))
    })
}

/// `geo_h3cell_children(cell[, resolution])`: the cells it holds at a finer
/// resolution (one finer by default), at most five resolutions down; null
/// when invalid.
pub fn h3cell_children(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let cell = cell_of(&a[0])?;
            let own = u8::from(cell.resolution());
            let res = resolution(level_arg(a.get(1), i64::from(own) + 1, 1..=15)?)?;
            let depth = u8::from(res).checked_sub(own)?;
            (depth <= MAX_CHILD_DEPTH).then(|| tokens(cell.children(res)))
        })()))
    })
}

/// `geo_h3cell_level(cell)`: the cell's resolution, 0 to 15.
pub fn h3cell_level(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Int, |a| {
        Ok(cell_of(&a[0]).map_or(Scalar::Null(KqlType::Int), |cell| {
            Scalar::Int(i32::from(u8::from(cell.resolution())))
        }))
    })
}

/// `geo_h3cell_to_polygon(cell)`: the cell's outline as a GeoJSON polygon.
pub fn h3cell_to_polygon(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(cell_of(&a[0]).map(|cell| {
            let corners: Vec<(f64, f64)> =
                cell.boundary().iter().map(|p| (p.lng(), p.lat())).collect();
            polygon_json(&corners)
        })))
    })
}

/// The most cells `geo_polygon_to_h3cells` returns, as documented.
const MAX_COVER_CELLS: usize = 61_680;

/// `geo_polygon_to_h3cells(polygon[, resolution[, radius]])`: the cells
/// whose centres lie in the polygon, edges taken as straight lines in
/// longitude and latitude (as documented), after buffering it by `radius`
/// meters; null when invalid or over the documented cell limit.
pub fn polygon_to_h3cells(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let mut shape = polygons(&a[0])?;
            let res = resolution(level_arg(a.get(1), DEFAULT_RESOLUTION, 0..=15)?)?;
            let radius = match a.get(2) {
                None => 0.0,
                Some(s) => as_real(s)?,
            };
            if radius.is_nan() || radius < 0.0 {
                return None;
            }
            if radius > 0.0 {
                let rho = radius / EARTH_RADIUS_M;
                let tolerance = (10.0_f64).min(radius / 2.0) / EARTH_RADIUS_M;
                shape = polygons_buffer(&shape, rho, tolerance)?;
            }
            if too_many_cells(&shape, res) {
                return None;
            }
            let mut tiler = TilerBuilder::new(res)
                .containment_mode(ContainmentMode::ContainsCentroid)
                .build();
            for rings in &shape {
                let ring = |r: &Vec<(f64, f64)>| {
                    let mut coords: Vec<geo::Coord> =
                        r.iter().map(|&(x, y)| geo::Coord { x, y }).collect();
                    coords.extend(coords.first().copied());
                    geo::LineString::new(coords)
                };
                let (shell, holes) = rings.split_first()?;
                tiler
                    .add(geo::Polygon::new(
                        ring(shell),
                        holes.iter().map(ring).collect(),
                    ))
                    .ok()?;
            }
            let mut cells: Vec<CellIndex> = Vec::new();
            for cell in tiler.into_coverage() {
                if cells.len() >= MAX_COVER_CELLS {
                    return None;
                }
                cells.push(cell);
            }
            // Sorted: Kusto's own order (the documentation's) follows no
            // rule it states.
            cells.sort_unstable();
            cells.dedup();
            Some(tokens(cells))
        })()))
    })
}

/// Whether a cover would surely pass the limit, or take too long to find:
/// the shells' area holds over two and a half times the limit in average
/// cells (cells of one resolution differ in area by about two), or their
/// outline runs along over fifty times the limit in cell edges (h3o traces
/// the outline's cells before it finds the inside ones; a 10° square at
/// resolution 15 took a minute).
fn too_many_cells(shape: &[Rings], res: Resolution) -> bool {
    let (mut area, mut outline) = (0.0, 0.0);
    for ring in shape.iter().filter_map(|rings| rings.first()) {
        let points: Vec<s2::point::Point> = ring.iter().map(|&v| point(v)).collect();
        area += ring_area(&points, false) * EARTH_RADIUS_M * EARTH_RADIUS_M;
        outline += (0..points.len())
            .map(|i| points[i].distance(&points[(i + 1) % points.len()]).rad())
            .sum::<f64>()
            * EARTH_RADIUS_M;
    }
    let limit = MAX_COVER_CELLS as f64;
    area / res.area_m2() > 2.5 * limit || outline / res.edge_length_m() > 50.0 * limit
}
