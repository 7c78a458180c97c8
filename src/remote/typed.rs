//! A remote answer's columns and JSON cells as a typed frame, held exactly
//! as a local result is (see `data::types`): the printers, exports and
//! views cannot tell a remote result from a local one.
//!
//! Each API names its column types its own way: Log Analytics and Data
//! Explorer with KQL names (`datetime`, `long`, `guid`), Defender's hunting
//! API with .NET names (`DateTime`, `Int64`, `Object`). All of them arrive
//! here as a name for [`column_type`].
//!
//! Cells go straight into Polars' column builders, one cell at a time,
//! whether they come from a parsed `Value` (small answers) or from the
//! answer's JSON as it streams in ([`CellSeed`]): a large answer is never
//! held as a tree of JSON values.

use std::collections::HashSet;
use std::fmt;

use polars::prelude::*;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::Problem;
use super::stream::{Slot, fail};
use crate::data::decimal::{self, Decimal};
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
        // Kusto's .NET name of decimal.
        "data.sqltypes.sqldecimal" | "sqldecimal" => KqlType::Decimal,
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

/// One JSON cell, however it was read.
#[derive(Debug, Clone, Copy)]
pub enum Cell<'a> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(&'a str),
    /// An object or a list.
    Nested(&'a Value),
}

impl<'a> Cell<'a> {
    /// The cell of a parsed value.
    pub fn of(v: &'a Value) -> Cell<'a> {
        match v {
            Value::Null => Cell::Null,
            Value::Bool(b) => Cell::Bool(*b),
            Value::Number(n) => match (n.as_i64(), n.as_u64()) {
                (Some(i), _) => Cell::I64(i),
                (None, Some(u)) => Cell::U64(u),
                _ => Cell::F64(n.as_f64().unwrap_or(f64::NAN)),
            },
            Value::String(s) => Cell::Str(s),
            Value::Array(_) | Value::Object(_) => Cell::Nested(v),
        }
    }

    /// The cell's JSON text, as the service wrote it.
    fn json(&self) -> String {
        match self {
            Cell::Null => "null".into(),
            Cell::Bool(b) => b.to_string(),
            Cell::I64(i) => i.to_string(),
            Cell::U64(u) => u.to_string(),
            Cell::F64(f) => serde_json::Number::from_f64(*f)
                .map_or_else(|| "null".to_string(), |n| n.to_string()),
            Cell::Str(s) => Value::from(*s).to_string(),
            Cell::Nested(v) => v.to_string(),
        }
    }

    fn is_null(&self) -> bool {
        matches!(self, Cell::Null)
    }
}

/// A column being built, in the type local tables hold it.
enum Builder {
    Bool(BooleanChunkedBuilder),
    Int(PrimitiveChunkedBuilder<Int32Type>),
    Long(PrimitiveChunkedBuilder<Int64Type>),
    Real(PrimitiveChunkedBuilder<Float64Type>),
    /// Kusto's v2 answers write decimals as strings, which keep every
    /// digit; the column takes its scale from them when done.
    Decimal(PlSmallStr, Vec<Option<Decimal>>),
    Datetime(PrimitiveChunkedBuilder<Int64Type>),
    Timespan(PrimitiveChunkedBuilder<Int64Type>),
    /// Strings have no null in KQL: a null reads as "".
    Text(StringChunkedBuilder),
    /// Dynamic values as their JSON text.
    Dynamic(BinaryChunkedBuilder),
}

impl Builder {
    fn new(column: &Declared) -> Builder {
        let name: PlSmallStr = column.name.as_str().into();
        match column.kind {
            KqlType::Bool => Builder::Bool(BooleanChunkedBuilder::new(name, 0)),
            KqlType::Int => Builder::Int(PrimitiveChunkedBuilder::new(name, 0)),
            KqlType::Long => Builder::Long(PrimitiveChunkedBuilder::new(name, 0)),
            KqlType::Real => Builder::Real(PrimitiveChunkedBuilder::new(name, 0)),
            KqlType::Decimal => Builder::Decimal(name, Vec::new()),
            KqlType::Datetime => Builder::Datetime(PrimitiveChunkedBuilder::new(name, 0)),
            KqlType::Timespan => Builder::Timespan(PrimitiveChunkedBuilder::new(name, 0)),
            KqlType::String => Builder::Text(StringChunkedBuilder::new(name, 0)),
            KqlType::Dynamic => Builder::Dynamic(BinaryChunkedBuilder::new(name, 0)),
        }
    }

    /// Adds a cell; `None` when it is not of the column's type.
    fn push(&mut self, v: Cell<'_>) -> Option<()> {
        match self {
            Builder::Bool(b) => b.append_option(if v.is_null() { None } else { Some(as_bool(v)?) }),
            Builder::Int(b) => b.append_option(if v.is_null() {
                None
            } else {
                Some(i32::try_from(as_long(v)?).ok()?)
            }),
            Builder::Long(b) => b.append_option(if v.is_null() { None } else { Some(as_long(v)?) }),
            Builder::Real(b) => b.append_option(if v.is_null() { None } else { Some(as_real(v)?) }),
            Builder::Decimal(_, values) => values.push(match v {
                Cell::Null | Cell::Str("") => None,
                Cell::Str(s) => Some(Decimal::parse(s)?),
                Cell::I64(i) => Some(Decimal::from_i64(i)),
                Cell::U64(u) => Some(Decimal::parse(&u.to_string())?),
                Cell::F64(f) => Some(Decimal::from_f64(f)?),
                _ => return None,
            }),
            Builder::Datetime(b) => b.append_option(match v {
                Cell::Null | Cell::Str("") => None,
                Cell::Str(s) => Some(parse_datetime(s)?),
                _ => return None,
            }),
            Builder::Timespan(b) => b.append_option(match v {
                Cell::Null | Cell::Str("") => None,
                Cell::Str(s) => Some(parse_timespan(s)?),
                // A number in a timespan column counts ticks, as Kusto's
                // own serialisers write it.
                Cell::I64(t) => Some(t.checked_mul(crate::data::time::NANOS_PER_TICK)?),
                Cell::U64(t) => Some(
                    i64::try_from(t)
                        .ok()?
                        .checked_mul(crate::data::time::NANOS_PER_TICK)?,
                ),
                _ => return None,
            }),
            Builder::Text(b) => match v {
                Cell::Null => b.append_value(""),
                Cell::Str(s) => b.append_value(s),
                other => b.append_value(other.json()),
            },
            Builder::Dynamic(b) => match dynamic(v) {
                None => b.append_null(),
                Some(text) => b.append_value(text.as_bytes()),
            },
        }
        Some(())
    }

    fn finish(self) -> Column {
        match self {
            Builder::Bool(b) => b.finish().into_column(),
            Builder::Int(b) => b.finish().into_column(),
            Builder::Long(b) => b.finish().into_column(),
            Builder::Real(b) => b.finish().into_column(),
            Builder::Decimal(name, values) => decimal::column(name, &values).into_column(),
            Builder::Datetime(b) => b
                .finish()
                .into_datetime(TimeUnit::Nanoseconds, None)
                .into_column(),
            Builder::Timespan(b) => b
                .finish()
                .into_duration(TimeUnit::Nanoseconds)
                .into_column(),
            Builder::Text(b) => b.finish().into_column(),
            Builder::Dynamic(b) => b.finish().into_column(),
        }
    }
}

/// Builds a typed frame from rows of JSON cells, checking each cell against
/// its column's declared type.
pub struct FrameBuilder {
    columns: Vec<Declared>,
    builders: Vec<Builder>,
    rows: usize,
    /// The columns given a cell in the row being read by name.
    filled: Vec<bool>,
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
        let builders = columns.iter().map(Builder::new).collect();
        let filled = vec![false; columns.len()];
        Ok(FrameBuilder {
            columns,
            builders,
            rows: 0,
            filled,
        })
    }

    /// Starts again with no rows (Data Explorer's `DataReplace`).
    pub fn clear(&mut self) {
        self.builders = self.columns.iter().map(Builder::new).collect();
        self.rows = 0;
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
            return Err(self.width_error(row.len()));
        }
        for (i, v) in row.iter().enumerate() {
            self.push_cell(i, Cell::of(v))?;
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
            self.push_cell(i, v.map_or(Cell::Null, Cell::of))?;
        }
        self.rows += 1;
        Ok(())
    }

    fn width_error(&self, cells: usize) -> String {
        format!(
            "row {} has {} cells for {} columns",
            self.rows + 1,
            cells,
            self.columns.len()
        )
    }

    /// Adds the cell of column `col` in the row being built.
    pub fn push_cell(&mut self, col: usize, v: Cell<'_>) -> Result<(), String> {
        if self.builders[col].push(v).is_some() {
            return Ok(());
        }
        let shown =
            crate::text::truncate_to_width(&crate::text::escape_for_terminal(&v.json()), 40);
        Err(format!(
            "row {}, column {}: {shown} is not of type {}",
            self.rows + 1,
            self.columns[col].name,
            self.columns[col].kind
        ))
    }

    /// The frame, typed as local results are.
    pub fn finish(self) -> PolarsResult<DataFrame> {
        let columns = self.builders.into_iter().map(Builder::finish).collect();
        DataFrame::new(self.rows, columns)
    }
}

fn as_bool(v: Cell<'_>) -> Option<bool> {
    match v {
        Cell::Bool(b) => Some(b),
        Cell::I64(0) | Cell::U64(0) => Some(false),
        Cell::I64(1) | Cell::U64(1) => Some(true),
        Cell::Str(s) => match s.to_ascii_lowercase().as_str() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

fn as_long(v: Cell<'_>) -> Option<i64> {
    match v {
        Cell::I64(i) => Some(i),
        Cell::U64(u) => i64::try_from(u).ok(),
        // 3.0 is a whole number written the long way; 3.5 is not a long.
        Cell::F64(f) => (f.fract() == 0.0 && f.abs() < 9.2e18).then_some(f as i64),
        Cell::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn as_real(v: Cell<'_>) -> Option<f64> {
    match v {
        Cell::I64(i) => Some(i as f64),
        Cell::U64(u) => Some(u as f64),
        Cell::F64(f) => Some(f),
        // JSON has no NaN or infinities: Kusto writes them as strings.
        Cell::Str(s) => match s.trim() {
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
fn dynamic(v: Cell<'_>) -> Option<String> {
    match v {
        Cell::Null => None,
        Cell::Str(s) => {
            let t = s.trim_start();
            if (t.starts_with('{') || t.starts_with('['))
                && let Ok(inner) = serde_json::from_str::<Value>(s)
            {
                return Some(inner.to_string());
            }
            Some(v.json())
        }
        other => Some(other.json()),
    }
}

// ----- streaming -------------------------------------------------------------

/// Reads one cell of column `col` from the answer as it streams in, into
/// the builder. A cell of the wrong type is a [`Problem::Bad`] in `slot`.
pub struct CellSeed<'b> {
    pub builder: &'b mut FrameBuilder,
    pub col: usize,
    pub slot: &'b Slot,
}

impl CellSeed<'_> {
    fn put<E: de::Error>(self, v: Cell<'_>) -> Result<(), E> {
        self.builder
            .push_cell(self.col, v)
            .map_err(|m| fail(self.slot, Problem::Bad(m)))
    }
}

impl<'de> DeserializeSeed<'de> for CellSeed<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for CellSeed<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a cell")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        self.put(Cell::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<(), E> {
        self.put(Cell::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        self.put(Cell::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        self.put(Cell::I64(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        self.put(Cell::U64(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        self.put(Cell::F64(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        self.put(Cell::Str(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        // A nested value is small: read it whole, as its JSON text is kept.
        let v: Value = serde::Deserialize::deserialize(de::value::SeqAccessDeserializer::new(seq))?;
        self.put(Cell::Nested(&v))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        let v: Value = serde::Deserialize::deserialize(de::value::MapAccessDeserializer::new(map))?;
        self.put(Cell::Nested(&v))
    }
}

/// Reads one row written as a list of cells in column order.
pub struct ArrayRow<'b> {
    pub builder: &'b mut FrameBuilder,
    pub slot: &'b Slot,
}

impl<'de> DeserializeSeed<'de> for ArrayRow<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for ArrayRow<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of cells")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        read_cells(self.builder, self.slot, &mut seq)
    }
}

/// The cells of a row whose `[` has been read, up to its `]`.
pub fn read_cells<'de, A: SeqAccess<'de>>(
    builder: &mut FrameBuilder,
    slot: &Slot,
    seq: &mut A,
) -> Result<(), A::Error> {
    let width = builder.columns.len();
    let mut n = 0;
    while n < width {
        let seed = CellSeed {
            builder: &mut *builder,
            col: n,
            slot,
        };
        match seq.next_element_seed(seed)? {
            Some(()) => n += 1,
            None => return Err(fail(slot, Problem::Bad(builder.width_error(n)))),
        }
    }
    let mut extra = 0;
    while seq.next_element::<de::IgnoredAny>()?.is_some() {
        extra += 1;
    }
    if extra > 0 {
        return Err(fail(slot, Problem::Bad(builder.width_error(width + extra))));
    }
    builder.rows += 1;
    Ok(())
}

/// Which column a key names: exactly, else ignoring case.
pub struct ColumnIndex {
    exact: std::collections::HashMap<String, usize>,
    folded: std::collections::HashMap<String, usize>,
}

impl ColumnIndex {
    /// The index of `columns`.
    pub fn new(columns: &[Declared]) -> ColumnIndex {
        let mut folded = std::collections::HashMap::new();
        for (i, c) in columns.iter().enumerate() {
            folded.entry(c.name.to_ascii_lowercase()).or_insert(i);
        }
        ColumnIndex {
            exact: columns
                .iter()
                .enumerate()
                .map(|(i, c)| (c.name.clone(), i))
                .collect(),
            folded,
        }
    }

    /// The column `key` names, if any.
    pub fn find(&self, key: &str) -> Option<usize> {
        self.exact
            .get(key)
            .or_else(|| self.folded.get(&key.to_ascii_lowercase()))
            .copied()
    }
}

/// Reads one row written as an object of `column: cell` (Defender's
/// results): keys outside the schema (OData annotations) are skipped, a
/// column without a key is null, and a column given twice keeps its first.
pub struct ObjectRow<'b> {
    pub builder: &'b mut FrameBuilder,
    pub index: &'b ColumnIndex,
    pub slot: &'b Slot,
}

impl<'de> DeserializeSeed<'de> for ObjectRow<'_> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// A key, looked up in the columns without keeping its text.
struct KeySeed<'b>(&'b ColumnIndex);

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a column name")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Option<usize>, E> {
        Ok(self.0.find(v))
    }
}

impl<'de> Visitor<'de> for ObjectRow<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let builder = self.builder;
        builder.filled.iter_mut().for_each(|f| *f = false);
        while let Some(at) = map.next_key_seed(KeySeed(self.index))? {
            match at {
                Some(col) if !builder.filled[col] => {
                    builder.filled[col] = true;
                    map.next_value_seed(CellSeed {
                        builder: &mut *builder,
                        col,
                        slot: self.slot,
                    })?;
                }
                _ => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        for col in 0..builder.columns.len() {
            if !builder.filled[col] {
                builder
                    .push_cell(col, Cell::Null)
                    .map_err(|m| fail(self.slot, Problem::Bad(m)))?;
            }
        }
        builder.rows += 1;
        Ok(())
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
            ("decimal", KqlType::Decimal),
            ("System.Data.SqlTypes.SqlDecimal", KqlType::Decimal),
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

    /// Kusto's v2 answers write decimals as strings: every digit is kept,
    /// and a number (another service's JSON) is read too.
    #[test]
    fn decimal_cells_keep_their_digits() {
        let mut b = FrameBuilder::new(vec![col("M", "decimal"), col("V", "SqlDecimal")]).unwrap();
        for row in [
            [
                json!("12345678901234567890.123456789"),
                json!("1000000020000000300000004"),
            ],
            [json!("1.50"), json!(7)],
            [json!(null), json!(0.25)],
            [json!(""), json!("-0")],
        ] {
            b.push_array(&row).unwrap();
        }
        assert_eq!(
            b.push_array(&[json!("1.2.3"), json!(null)]).unwrap_err(),
            "row 5, column M: \"1.2.3\" is not of type decimal"
        );
        let f = b.finish().unwrap();
        let text = |c: &str| -> Vec<String> {
            crate::kql::value::series_to_text(f.column(c).unwrap().as_materialized_series())
                .iter()
                .map(|v| v.unwrap_or("").to_string())
                .collect()
        };
        assert_eq!(text("M"), ["12345678901234567890.123456789", "1.5", "", ""]);
        assert_eq!(text("V"), ["1000000020000000300000004", "7", "0.25", "0"]);
        assert_eq!(
            KqlType::of(f.column("V").unwrap().dtype()),
            Some(KqlType::Decimal)
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
