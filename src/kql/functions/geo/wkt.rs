//! `geo_from_wkt(wkt)`: a shape in Well-Known Text (as exported from SQL
//! Server, PostGIS or a GIS) as GeoJSON, parsed by the `wkt` crate. Points,
//! lines, polygons, their multi forms and geometry collections convert;
//! text that does not parse, an empty shape, or a coordinate out of
//! range gives null. Z and M values are dropped (GeoJSON in Kusto is
//! two-dimensional).

use serde_json::{Value as Json, json};
use wkt::Wkt;
use wkt::types::{Coord, LineString, Polygon};

use super::dynamic;
use super::lng_lat;
use super::shapes::position_json;
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::value::{Scalar, Val};

fn position(c: &Coord<f64>) -> Option<Json> {
    let v = lng_lat(&Scalar::Real(c.x), &Scalar::Real(c.y))?;
    Some(position_json(v))
}

fn path(line: &LineString<f64>) -> Option<Json> {
    let coords = line.coords();
    if coords.is_empty() {
        return None;
    }
    coords
        .iter()
        .map(position)
        .collect::<Option<Vec<_>>>()
        .map(Json::Array)
}

fn rings(polygon: &Polygon<f64>) -> Option<Json> {
    let rings = polygon.rings();
    if rings.is_empty() {
        return None;
    }
    rings
        .iter()
        .map(path)
        .collect::<Option<Vec<_>>>()
        .map(Json::Array)
}

/// The GeoJSON of a parsed shape; `None` for an empty one or a bad
/// coordinate.
fn geojson(shape: &Wkt<f64>) -> Option<Json> {
    Some(match shape {
        Wkt::Point(p) => json!({"type": "Point", "coordinates": position(p.coord()?)?}),
        Wkt::LineString(l) => json!({"type": "LineString", "coordinates": path(l)?}),
        Wkt::Polygon(p) => json!({"type": "Polygon", "coordinates": rings(p)?}),
        Wkt::MultiPoint(m) => {
            let points: Vec<Json> = m
                .points()
                .iter()
                .map(|p| position(p.coord()?))
                .collect::<Option<_>>()?;
            json!({"type": "MultiPoint", "coordinates": non_empty(points)?})
        }
        Wkt::MultiLineString(m) => {
            let lines: Vec<Json> = m.line_strings().iter().map(path).collect::<Option<_>>()?;
            json!({"type": "MultiLineString", "coordinates": non_empty(lines)?})
        }
        Wkt::MultiPolygon(m) => {
            let polygons: Vec<Json> = m.polygons().iter().map(rings).collect::<Option<_>>()?;
            json!({"type": "MultiPolygon", "coordinates": non_empty(polygons)?})
        }
        Wkt::GeometryCollection(c) => {
            let shapes: Vec<Json> = c.geometries().iter().map(geojson).collect::<Option<_>>()?;
            json!({"type": "GeometryCollection", "geometries": non_empty(shapes)?})
        }
    })
}

fn non_empty(items: Vec<Json>) -> Option<Vec<Json>> {
    (!items.is_empty()).then_some(items)
}

/// `geo_from_wkt(wkt)`.
pub fn from_wkt(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic((|| {
            let text = match &a[0] {
                Scalar::String(t) => t.as_str(),
                _ => return None,
            };
            let shape: Wkt<f64> = text.trim().parse().ok()?;
            geojson(&shape)
        })()))
    })
}
