//! JSON in three shapes, told apart by content: an array of objects, one
//! object per line (NDJSON/JSONL), and Defender's streaming-API envelope,
//! `{"time":..,"category":"AdvancedHunting-DeviceProcessEvents","properties":{..}}`
//! per line, where the table comes from `category` and the row from
//! `properties` (one file may feed several tables).

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;
use serde_json::{Map, Value};

use super::{LoadControl, RawTables, io_message, open};
use crate::data::catalog::LoadError;
use crate::data::source::SourceFile;

const ENVELOPE_PREFIX: &str = "AdvancedHunting-";

pub(super) fn read(
    file: &SourceFile,
    report: &dyn Fn(usize, u64),
    control: &LoadControl,
) -> Result<RawTables, LoadError> {
    let err = |line: Option<usize>, msg: String| LoadError::new(&file.path, line, msg);
    let counter = Arc::new(AtomicU64::new(0));
    let input = open(file, counter.clone()).map_err(|e| err(None, e.to_string()))?;
    let mut reader = BufReader::with_capacity(1 << 20, input);
    let first = {
        let buf = reader
            .fill_buf()
            .map_err(|e| err(None, io_message(file, &e)))?;
        let skip = if buf.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
        reader.consume(skip);
        let buf = reader
            .fill_buf()
            .map_err(|e| err(None, io_message(file, &e)))?;
        buf.iter().copied().find(|b| !b.is_ascii_whitespace())
    };
    match first {
        None => Err(err(None, "empty file: no JSON data".into())),
        Some(b'[') => read_array(reader, file),
        Some(_) => read_lines(reader, file, report, &counter, control),
    }
}

/// A JSON array of objects, parsed whole (such files come from small exports).
fn read_array(reader: impl Read, file: &SourceFile) -> Result<RawTables, LoadError> {
    let values: Vec<Value> = serde_json::from_reader(reader).map_err(|e| {
        let line = (e.line() > 0).then_some(e.line());
        let msg = if e.is_io() {
            io_message(file, &std::io::Error::other(e.to_string()))
        } else {
            format!("invalid JSON: {e}")
        };
        LoadError::new(&file.path, line, msg)
    })?;
    let mut table = Columns::default();
    for (i, value) in values.into_iter().enumerate() {
        match value {
            Value::Object(map) => table.push(map),
            _ => {
                return Err(LoadError::new(
                    &file.path,
                    None,
                    format!("element {} of the array is not an object", i + 1),
                ));
            }
        }
    }
    let frame = table.finish().map_err(|e| LoadError::new(&file.path, None, e))?;
    Ok(vec![(None, frame)])
}

/// One JSON object per line; envelopes are recognised by their first line.
fn read_lines(
    mut reader: impl BufRead,
    file: &SourceFile,
    report: &dyn Fn(usize, u64),
    counter: &AtomicU64,
    control: &LoadControl,
) -> Result<RawTables, LoadError> {
    let err = |line: usize, msg: String| LoadError::new(&file.path, Some(line), msg);
    // Tables in order of first appearance; `None` is the file's own table.
    let mut tables: Vec<(Option<String>, Columns)> = Vec::new();
    let mut envelope: Option<bool> = None;
    let mut raw = Vec::new();
    let mut line_no = 0usize;
    let mut rows = 0usize;
    loop {
        raw.clear();
        let n = reader
            .read_until(b'\n', &mut raw)
            .map_err(|e| err(line_no + 1, io_message(file, &e)))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let text = std::str::from_utf8(&raw).map_err(|e| {
            err(
                line_no,
                format!(
                    "not valid UTF-8 (byte 0x{:02X} at column {})",
                    raw[e.valid_up_to()],
                    e.valid_up_to() + 1
                ),
            )
        })?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(text)
            .map_err(|e| err(line_no, format!("invalid JSON: {e}")))?;
        let Value::Object(mut map) = value else {
            return Err(err(line_no, "expected a JSON object".into()));
        };
        let is_envelope = *envelope.get_or_insert_with(|| {
            map.get("category").is_some_and(Value::is_string)
                && map.get("properties").is_some_and(Value::is_object)
        });
        let (name, row) = if is_envelope {
            let category = match map.get("category") {
                Some(Value::String(c)) => c.clone(),
                _ => return Err(err(line_no, "envelope without a \"category\"".into())),
            };
            let Some(Value::Object(props)) = map.remove("properties") else {
                return Err(err(line_no, "envelope without \"properties\"".into()));
            };
            let name = category
                .strip_prefix(ENVELOPE_PREFIX)
                .unwrap_or(&category)
                .to_string();
            (Some(name), props)
        } else {
            (None, map)
        };
        match tables.iter_mut().find(|(n, _)| *n == name) {
            Some((_, t)) => t.push(row),
            None => {
                let mut t = Columns::default();
                t.push(row);
                tables.push((name, t));
            }
        }
        rows += 1;
        if rows % 65_536 == 0 {
            if control.cancelled() {
                return Err(LoadError::new(&file.path, None, "loading cancelled"));
            }
            report(rows, counter.load(Ordering::Relaxed));
        }
    }
    report(rows, counter.load(Ordering::Relaxed));
    if tables.is_empty() {
        return Err(LoadError::new(&file.path, None, "empty file: no JSON data"));
    }
    tables
        .into_iter()
        .map(|(name, t)| {
            t.finish()
                .map(|f| (name, f))
                .map_err(|e| LoadError::new(&file.path, None, e))
        })
        .collect()
}

/// Column-wise values of JSON objects, keys in order of first appearance.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    values: Vec<Vec<Value>>,
    rows: usize,
}

impl Columns {
    fn push(&mut self, row: Map<String, Value>) {
        for (key, value) in row {
            let i = match self.names.iter().position(|n| *n == key) {
                Some(i) => i,
                None => {
                    self.names.push(key);
                    self.values.push(vec![Value::Null; self.rows]);
                    self.names.len() - 1
                }
            };
            // A key repeated within one object: the last value wins.
            if self.values[i].len() > self.rows {
                self.values[i].pop();
            }
            self.values[i].push(value);
        }
        self.rows += 1;
        for col in &mut self.values {
            col.resize(self.rows, Value::Null);
        }
    }

    fn finish(self) -> Result<DataFrame, String> {
        let rows = self.rows;
        let columns = self
            .names
            .into_iter()
            .zip(self.values)
            .map(|(name, values)| json_column(&name, values))
            .collect();
        DataFrame::new(rows, columns).map_err(|e| e.to_string())
    }
}

/// The narrowest column that holds every value: bool, long, real, string,
/// or else dynamic (JSON text). Strings are typed further by `normalize`.
fn json_column(name: &str, values: Vec<Value>) -> Column {
    let non_null = || values.iter().filter(|v| !v.is_null());
    let name: PlSmallStr = name.into();
    if non_null().all(Value::is_boolean) && non_null().next().is_some() {
        let v: Vec<Option<bool>> = values.iter().map(Value::as_bool).collect();
        return Column::new(name, v);
    }
    if non_null().all(|v| v.is_i64()) && non_null().next().is_some() {
        let v: Vec<Option<i64>> = values.iter().map(Value::as_i64).collect();
        return Column::new(name, v);
    }
    if non_null().all(Value::is_number) && non_null().next().is_some() {
        let v: Vec<Option<f64>> = values.iter().map(Value::as_f64).collect();
        return Column::new(name, v);
    }
    if non_null().all(Value::is_string) {
        let v: Vec<&str> = values.iter().map(|v| v.as_str().unwrap_or("")).collect();
        return Column::new(name, v);
    }
    let v: Vec<Option<Vec<u8>>> = values
        .iter()
        .map(|v| (!v.is_null()).then(|| v.to_string().into_bytes()))
        .collect();
    Column::new(name, v)
}
