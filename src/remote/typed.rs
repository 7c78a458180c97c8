//! A remote answer's columns and JSON cells as a typed frame, held exactly
//! as a local result is (see `data::types`): the printers, exports and
//! views cannot tell a remote result from a local one.
//!
//! Each API names its column types its own way: Log Analytics and Data
//! Explorer with KQL names (`datetime`, `long`, `guid`), Defender's hunting
//! API with .NET names (`DateTime`, `Int64`, `Object`). All of them arrive
//! here as a name for [`column_type`].

use std::collections::HashSet;

use polars::prelude::*;
use serde_json::Value;

use crate::data::time::{parse_datetime, parse_timespan};
use crate::data::types::KqlType;

/// The KQL type of a column type name as a service writes it: a KQL name
/// or alias (`long`, `guid`, `decimal`) or a .NET name (`Int64`,
/// `System.DateTime`, `Object`), any case. `None` for a name Quarry does
/// not know.
pub fn column_type(name: &str) -> Option<KqlType> {
    let bare = name.trim();
    let bare = bare.strip_prefix("System.").unwrap_or(bare);
    Some(match bare.to_ascii_lowercase().as_str() {
        // Kusto's .NET mapping of bool is SByte; Defender writes Boolean.
        "sbyte" => KqlType::Bool,
        "int16" | "byte" | "uint16" => KqlType::Int,
        "uint32" | "uint64" => KqlType::Long,
        "single" => KqlType::Real,
        // Quarry holds guids as their text, as it does for local tables.
        "uuid" | "uniqueid" => KqlType::String,
        "object" | "jobject" | "jarray" => KqlType::Dynamic,
        _ => return KqlType::parse(bare),
    })
}

/// The type names [`column_type`] reads, for error messages.
pub const KNOWN_TYPES: &str = "bool, datetime, dynamic, guid, int, long, real, decimal, string, timespan (or their .NET names)";

/// A column of an answer: its name and the type the service declared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    pub name: String,
    pub kind: KqlType,
}

/// Reads a declared column, or says which type name is unknown.
pub fn column(name: &str, type_name: &str) -> Result<Declared, String> {
    match column_type(type_name) {
        Some(kind) => Ok(Declared {
            name: name.to_string(),
            kind,
        }),
        None => Err(format!(
            "column {name} has type '{type_name}', which Quarry does not know (it knows {KNOWN_TYPES})"
        )),
    }
}

enum Cells {
    Bool(Vec<Option<bool>>),
    Int(Vec<Option<i32>>),
    Long(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    Datetime(Vec<Option<i64>>),
    Timespan(Vec<Option<i64>>),
    Text(Vec<String>),
    Dynamic(Vec<Option<Vec<u8>>>),
}

/// Builds a typed frame from rows of JSON cells, checking each cell against
/// its column's declared type.
pub struct FrameBuilder {
    columns: Vec<Declared>,
    cells: Vec<Cells>,
    rows: usize,
}

impl FrameBuilder {
    /// A builder for these columns; two columns of one name are refused,
    /// as no KQL result has them.
    pub fn new(columns: Vec<Declared>) -> Result<FrameBuilder, String> {
        let mut seen = HashSet::new();
        for c in &columns {
            if !seen.insert(c.name.as_str()) {
                return Err(format!("column {} appears twice", c.name));
            }
        }
        let cells = columns
            .iter()
            .map(|c| match c.kind {
                KqlType::Bool => Cells::Bool(Vec::new()),
                KqlType::Int => Cells::Int(Vec::new()),
                KqlType::Long => Cells::Long(Vec::new()),
                KqlType::Real => Cells::Real(Vec::new()),
                KqlType::Datetime => Cells::Datetime(Vec::new()),
                KqlType::Timespan => Cells::Timespan(Vec::new()),
                KqlType::String => Cells::Text(Vec::new()),
                KqlType::Dynamic => Cells::Dynamic(Vec::new()),
            })
            .collect();
        Ok(FrameBuilder {
            columns,
            cells,
            rows: 0,
        })
    }

    /// The declared columns.
    pub fn columns(&self) -> &[Declared] {
        &self.columns
    }

    /// Rows added so far.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// Adds one row given as an array of cells in column order.
    pub fn push_array(&mut self, row: &[Value]) -> Result<(), String> {
        if row.len() != self.columns.len() {
            return Err(format!(
                "row {} has {} cells for {} columns",
                self.rows + 1,
                row.len(),
                self.columns.len()
            ));
        }
        for (i, v) in row.iter().enumerate() {
            self.push_cell(i, v)?;
        }
        self.rows += 1;
        Ok(())
    }

    /// Adds one row whose cells are found by column position (`None`: the
    /// row has no such cell, which reads as null).
    pub fn push_cells<'v>(
        &mut self,
        cells: impl Iterator<Item = Option<&'v Value>>,
    ) -> Result<(), String> {
        for (i, v) in cells.enumerate().take(self.columns.len()) {
            self.push_cell(i, v.unwrap_or(&Value::Null))?;
        }
        self.rows += 1;
        Ok(())
    }

    fn push_cell(&mut self, col: usize, v: &Value) -> Result<(), String> {
        let bad = || {
            let shown = crate::text::truncate_to_width(
                &crate::text::escape_for_terminal(&v.to_string()),
                40,
            );
            format!(
                "row {}, column {}: {shown} is not of type {}",
                self.rows + 1,
                self.columns[col].name,
                self.columns[col].kind
            )
        };
        match &mut self.cells[col] {
            Cells::Bool(c) => c.push(if v.is_null() {
                None
            } else {
                Some(as_bool(v).ok_or_else(bad)?)
            }),
            Cells::Int(c) => c.push(if v.is_null() {
                None
            } else {
                Some(
                    as_long(v)
                        .and_then(|x| i32::try_from(x).ok())
                        .ok_or_else(bad)?,
                )
            }),
            Cells::Long(c) => c.push(if v.is_null() {
                None
            } else {
                Some(as_long(v).ok_or_else(bad)?)
            }),
            Cells::Real(c) => c.push(if v.is_null() {
                None
            } else {
                Some(as_real(v).ok_or_else(bad)?)
            }),
            Cells::Datetime(c) => c.push(match v {
                Value::Null => None,
                Value::String(s) if s.is_empty() => None,
                Value::String(s) => Some(parse_datetime(s).ok_or_else(bad)?),
                _ => return Err(bad()),
            }),
            Cells::Timespan(c) => c.push(match v {
                Value::Null => None,
                Value::String(s) if s.is_empty() => None,
                Value::String(s) => Some(parse_timespan(s).ok_or_else(bad)?),
                // A number in a timespan column counts ticks, as Kusto's
                // own serialisers write it.
                Value::Number(n) => Some(
                    n.as_i64()
                        .and_then(|t| t.checked_mul(crate::data::time::NANOS_PER_TICK))
                        .ok_or_else(bad)?,
                ),
                _ => return Err(bad()),
            }),
            Cells::Text(c) => c.push(match v {
                Value::Null => String::new(),
                Value::String(s) => s.clone(),
                other => other.to_string(),
            }),
            Cells::Dynamic(c) => c.push(dynamic(v)),
        }
        Ok(())
    }

    /// The frame, typed as local results are.
    pub fn finish(self) -> PolarsResult<DataFrame> {
        let height = self.rows;
        let columns = self
            .columns
            .into_iter()
            .zip(self.cells)
            .map(|(col, cells)| {
                let name: PlSmallStr = col.name.as_str().into();
                match cells {
                    Cells::Bool(v) => Column::new(name, v),
                    Cells::Int(v) => Column::new(name, v),
                    Cells::Long(v) => Column::new(name, v),
                    Cells::Real(v) => Column::new(name, v),
                    Cells::Datetime(v) => Int64Chunked::from_iter_options(name, v.into_iter())
                        .into_datetime(TimeUnit::Nanoseconds, None)
                        .into_column(),
                    Cells::Timespan(v) => Int64Chunked::from_iter_options(name, v.into_iter())
                        .into_duration(TimeUnit::Nanoseconds)
                        .into_column(),
                    Cells::Text(v) => Column::new(name, v),
                    Cells::Dynamic(v) => BinaryChunked::from_iter_options(name, v.into_iter())
                        .into_series()
                        .into_column(),
                }
            })
            .collect();
        DataFrame::new(height, columns)
    }
}

fn as_bool(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_i64()? {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        },
        Value::String(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn as_long(v: &Value) -> Option<i64> {
    match v {
        Value::Number(n) => n.as_i64().or_else(|| {
            // 3.0 is a whole number written the long way; 3.5 is not a long.
            let f = n.as_f64()?;
            (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_real(v: &Value) -> Option<f64> {
    match v {
        Value::Number(n) => n.as_f64(),
        // JSON has no NaN or infinities: Kusto writes them as strings.
        Value::String(s) => match s.trim() {
            "NaN" => Some(f64::NAN),
            "Infinity" | "+Infinity" => Some(f64::INFINITY),
            "-Infinity" => Some(f64::NEG_INFINITY),
            t => t.parse().ok(),
        },
        _ => None,
    }
}

/// A dynamic cell's JSON text. Log Analytics sends dynamic values as
/// strings holding JSON text, Data Explorer as JSON values: a string that
/// holds a JSON object or array is taken as that value, so both read alike.
fn dynamic(v: &Value) -> Option<Vec<u8>> {
    match v {
        Value::Null => None,
        Value::String(s) => {
            let t = s.trim_start();
            if (t.starts_with('{') || t.starts_with('['))
                && let Ok(inner) = serde_json::from_str::<Value>(s)
            {
                return Some(inner.to_string().into_bytes());
            }
            Some(v.to_string().into_bytes())
        }
        other => Some(other.to_string().into_bytes()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn col(name: &str, ty: &str) -> Declared {
        column(name, ty).unwrap()
    }

    #[test]
    fn type_names_of_every_api() {
        for (name, kind) in [
            ("datetime", KqlType::Datetime),
            ("DateTime", KqlType::Datetime),
            ("System.DateTime", KqlType::Datetime),
            ("Int64", KqlType::Long),
            ("long", KqlType::Long),
            ("Int32", KqlType::Int),
            ("int", KqlType::Int),
            ("Double", KqlType::Real),
            ("real", KqlType::Real),
            ("decimal", KqlType::Real),
            ("Boolean", KqlType::Bool),
            ("SByte", KqlType::Bool),
            ("bool", KqlType::Bool),
            ("String", KqlType::String),
            ("guid", KqlType::String),
            ("Guid", KqlType::String),
            ("Object", KqlType::Dynamic),
            ("dynamic", KqlType::Dynamic),
            ("timespan", KqlType::Timespan),
            ("TimeSpan", KqlType::Timespan),
        ] {
            assert_eq!(column_type(name), Some(kind), "{name}");
        }
        assert_eq!(column_type("Geometry"), None);
        assert_eq!(
            column("Shape", "Geometry").unwrap_err(),
            format!(
                "column Shape has type 'Geometry', which Quarry does not know (it knows {KNOWN_TYPES})"
            )
        );
    }

    #[test]
    fn cells_are_typed_as_local_results_are() {
        let mut b = FrameBuilder::new(vec![
            col("T", "datetime"),
            col("N", "long"),
            col("I", "int"),
            col("R", "real"),
            col("B", "bool"),
            col("S", "string"),
            col("D", "dynamic"),
            col("Span", "timespan"),
            col("G", "guid"),
        ])
        .unwrap();
        b.push_array(&[
            json!("2024-03-18T11:42:07.1234567Z"),
            json!(9007199254740993i64),
            json!(443),
            json!("NaN"),
            json!(true),
            json!("a\u{1b}b"),
            json!("{\"a\":[1,2]}"),
            json!("1.02:03:04.5000000"),
            json!("0f8fad5b-d9cb-469f-a165-70867728950e"),
        ])
        .unwrap();
        b.push_array(&[
            json!(null),
            json!(null),
            json!(null),
            json!(2.5),
            json!(null),
            json!(null),
            json!({"k": "v"}),
            json!(null),
            json!(null),
        ])
        .unwrap();
        let f = b.finish().unwrap();
        let types: Vec<KqlType> = f
            .columns()
            .iter()
            .map(|c| KqlType::of(c.dtype()).unwrap())
            .collect();
        use KqlType::*;
        assert_eq!(
            types,
            [
                Datetime, Long, Int, Real, Bool, String, Dynamic, Timespan, String
            ]
        );
        // NaN is kept (JSON output shows it as null, as for local results).
        let r = f.column("R").unwrap().f64().unwrap();
        assert!(r.get(0).is_some_and(f64::is_nan));
        let row = |i| crate::session::cells::row_json(&f, i);
        assert_eq!(
            serde_json::Value::Object(row(0)),
            json!({"T": "2024-03-18T11:42:07.1234567Z", "N": 9007199254740993i64, "I": 443,
                   "R": null, "B": true, "S": "a\u{1b}b", "D": {"a": [1, 2]},
                   "Span": "1.02:03:04.5000000", "G": "0f8fad5b-d9cb-469f-a165-70867728950e"})
        );
        assert_eq!(
            serde_json::Value::Object(row(1)),
            json!({"T": null, "N": null, "I": null, "R": 2.5, "B": null, "S": "",
                   "D": {"k": "v"}, "Span": null, "G": ""})
        );
    }

    #[test]
    fn a_cell_of_the_wrong_type_names_row_and_column() {
        let mut b = FrameBuilder::new(vec![col("T", "datetime"), col("P", "int")]).unwrap();
        b.push_array(&[json!("2024-01-01"), json!(1)]).unwrap();
        assert_eq!(
            b.push_array(&[json!("yesterday"), json!(1)]).unwrap_err(),
            "row 2, column T: \"yesterday\" is not of type datetime"
        );
        let mut b = FrameBuilder::new(vec![col("P", "int")]).unwrap();
        assert_eq!(
            b.push_array(&[json!(3_000_000_000i64)]).unwrap_err(),
            "row 1, column P: 3000000000 is not of type int"
        );
        assert_eq!(
            b.push_array(&[json!(1), json!(2)]).unwrap_err(),
            "row 1 has 2 cells for 1 columns"
        );
        assert_eq!(
            FrameBuilder::new(vec![col("A", "int"), col("A", "long")])
                .err()
                .unwrap(),
            "column A appears twice"
        );
    }
}
