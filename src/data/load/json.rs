//! JSON in four shapes, told apart by content:
//!
//! - an array of objects (`[{..}, {..}]`), streamed element by element;
//! - one object per line (NDJSON/JSONL);
//! - Defender's streaming-API envelope, one record per line,
//!   `{"time":..,"category":"AdvancedHunting-DeviceProcessEvents","properties":{..}}`,
//!   where the table comes from `category` and the row from `properties`
//!   (one file may feed several tables);
//! - the same records batched as Event Hubs delivers them,
//!   `{"records":[{..}, {..}]}` per line.
//!
//! Line-based shapes are cut into chunks of whole lines that worker threads
//! parse and type in parallel.

use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use polars::prelude::*;
use serde::de::{DeserializeSeed, Error as _, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::csv::CHUNK;
use super::text_column::TextColumn;
use super::{
    ChunkNotUtf8, FileRead, LoadControl, NotUtf8, Progressing, RawTable, RecordChunks, Stop,
    TextCheck, TextMode, Utf8Check, count_newlines, fill, io_message, open, parse_text, pipeline,
};
use crate::data::catalog::LoadError;
use crate::data::normalize::{self, BadRows};
use crate::data::schema;
use crate::data::source::SourceFile;
use crate::data::warning::{BadCells, Place, merge_bad};

const ENVELOPE_PREFIX: &str = "AdvancedHunting-";

/// Rows per typed chunk of a JSON array.
const ARRAY_CHUNK_ROWS: usize = 1 << 15;

/// How the lines of a line-based file are laid out, from its first line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shape {
    Plain,
    Envelope,
    Records,
}

fn shape_of(map: &Map<String, Value>) -> Shape {
    if map.get("category").is_some_and(Value::is_string)
        && map.get("properties").is_some_and(Value::is_object)
    {
        Shape::Envelope
    } else if map.len() == 1 && map.get("records").is_some_and(Value::is_array) {
        Shape::Records
    } else {
        Shape::Plain
    }
}

/// `serde_json`'s message without its " at line L column C" (the line is
/// reported separately, and the column relative to the line).
fn json_message(e: &serde_json::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" at line ") {
        Some(i) => text[..i].to_string(),
        None => text,
    };
    if e.column() > 0 {
        format!("invalid JSON: {text} (column {})", e.column())
    } else {
        format!("invalid JSON: {text}")
    }
}

pub(super) fn read(
    file: &SourceFile,
    table: &str,
    report: &dyn Fn(usize, u64),
    control: &LoadControl,
    mode: TextMode,
) -> Result<FileRead, Stop> {
    let err = |line: Option<usize>, msg: String| LoadError::new(&file.path, line, msg);
    let counter = Arc::new(AtomicU64::new(0));
    let input = open(file, counter.clone(), mode).map_err(|e| err(None, e.to_string()))?;
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let (first, skipped_lines) =
        first_byte(&mut reader).map_err(|e| err(None, io_message(file, &e)))?;
    let progress = Progressing::new(report, counter);
    let start = skipped_lines + 1;
    match first {
        None => Err(err(None, "empty file: no JSON data".into()).into()),
        Some(b'[') => read_array(reader, start, file, table, progress, control, mode),
        Some(_) => read_lines(reader, start, file, table, progress, control, mode),
    }
}

/// Skips a byte-order mark and leading whitespace; returns the first byte
/// of data (not consumed) and the number of lines skipped.
fn first_byte(reader: &mut impl BufRead) -> std::io::Result<(Option<u8>, usize)> {
    let buf = reader.fill_buf()?;
    if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
        reader.consume(3);
    }
    let mut lines = 0;
    loop {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((None, lines));
        }
        match buf.iter().position(|b| !b.is_ascii_whitespace()) {
            Some(i) => {
                lines += buf[..i].iter().filter(|&&b| b == b'\n').count();
                // Keep the whitespace on the first data line so columns stay right.
                let line_start = buf[..i]
                    .iter()
                    .rposition(|&b| b == b'\n')
                    .map_or(0, |p| p + 1);
                let first = buf[i];
                reader.consume(line_start);
                return Ok((Some(first), lines));
            }
            None => {
                lines += buf.iter().filter(|&&b| b == b'\n').count();
                let n = buf.len();
                reader.consume(n);
            }
        }
    }
}

/// Columns of a file's table(s) and whether it is an envelope file, from
/// its first record, for `load::peek`.
pub(super) fn peek(file: &SourceFile) -> Result<(Option<String>, super::ColumnTypes), LoadError> {
    let input = open(file, Arc::new(AtomicU64::new(0)), TextMode::Detect)
        .map_err(|e| LoadError::new(&file.path, None, e.to_string()))?;
    let mut reader = BufReader::with_capacity(1 << 16, input);
    let Ok((Some(first), _)) = first_byte(&mut reader) else {
        return Ok((None, Vec::new()));
    };
    if first == b'[' {
        return Ok((None, Vec::new()));
    }
    let mut line = Vec::new();
    if (&mut reader)
        .take(1 << 20)
        .read_until(b'\n', &mut line)
        .is_err()
    {
        return Ok((None, Vec::new()));
    }
    // A line that is not UTF-8 is Windows-1252, as loading will read it.
    let line = match String::from_utf8(line) {
        Ok(text) => text,
        Err(e) => encoding_rs::WINDOWS_1252
            .decode_without_bom_handling(e.as_bytes())
            .0
            .into_owned(),
    };
    let Ok(Value::Object(mut map)) = serde_json::from_str::<Value>(&line) else {
        return Ok((None, Vec::new()));
    };
    if shape_of(&map) == Shape::Records {
        match map.remove("records") {
            Some(Value::Array(mut records)) if !records.is_empty() => {
                match records.swap_remove(0) {
                    Value::Object(m) => map = m,
                    _ => return Ok((None, Vec::new())),
                }
            }
            _ => return Ok((None, Vec::new())),
        }
    }
    let (name, row) = if shape_of(&map) == Shape::Envelope {
        let name = match map.get("category") {
            Some(Value::String(c)) => Some(table_name(c)),
            _ => None,
        };
        match map.remove("properties") {
            Some(Value::Object(p)) => (name, p),
            _ => (name, Map::new()),
        }
    } else {
        (None, map)
    };
    Ok((name, row.into_iter().map(|(k, _)| (k, None)).collect()))
}

fn table_name(category: &str) -> String {
    category
        .strip_prefix(ENVELOPE_PREFIX)
        .unwrap_or(category)
        .to_string()
}

/// A JSON array of objects, streamed: elements are typed in chunks of rows
/// as they are read, so the whole document is never held as JSON values.
/// The array is parsed as one stream, so text found not to be UTF-8 has it
/// read again from the start as Windows-1252 ([`Stop::Reread`]).
fn read_array(
    reader: impl Read,
    line: usize,
    file: &SourceFile,
    table: &str,
    mut progress: Progressing,
    control: &LoadControl,
    mode: TextMode,
) -> Result<FileRead, Stop> {
    let documented = schema::documented(table);
    let mut chunks = normalize::Coalescer::default();
    let mut columns = Columns::default();
    let mut bad: Vec<BadCells> = Vec::new();
    let mut rows = 0usize;
    let found = std::rc::Rc::new(std::cell::Cell::new(None::<NotUtf8>));
    let reader: Box<dyn Read> = match mode {
        TextMode::Detect => Box::new(BufReader::with_capacity(
            1 << 16,
            Utf8Check::new(reader, line, found.clone()),
        )),
        TextMode::Windows1252(_) => Box::new(reader),
    };
    // Errors found while visiting, with more detail than serde's.
    let mut failure: Option<LoadError> = None;
    let mut sink = |value: Value| -> Result<(), ()> {
        let Value::Object(map) = value else {
            failure = Some(LoadError::new(
                &file.path,
                None,
                format!("element {} of the array is not an object", rows + 1),
            ));
            return Err(());
        };
        columns.push(map, rows);
        rows += 1;
        if columns.rows >= ARRAY_CHUNK_ROWS {
            let done = std::mem::take(&mut columns);
            let pushed = done.finish(documented).and_then(|(frame, rows)| {
                for r in rows {
                    merge_bad(&mut bad, element_cells(r, &file.path));
                }
                chunks.push(frame)
            });
            if let Err(e) = pushed {
                failure = Some(LoadError::new(&file.path, None, e.to_string()));
                return Err(());
            }
            progress.report(rows);
            if let Some(why) = control.interrupted(rows >= ARRAY_CHUNK_ROWS * 4) {
                failure = Some(LoadError::new(&file.path, None, why));
                return Err(());
            }
        }
        Ok(())
    };
    let result = for_each_element(reader, &mut sink);
    if let Some(f) = failure {
        return Err(f.into());
    }
    if let Some(at) = found.get() {
        return Err(Stop::Reread(at));
    }
    if let Err(e) = result {
        let line = (e.line() > 0).then_some(e.line() + line - 1);
        let msg = match e.io_error_kind() {
            Some(kind) => io_message(file, &std::io::Error::from(kind)),
            None => json_message(&e),
        };
        return Err(LoadError::new(&file.path, line, msg).into());
    }
    // The rows after the last full chunk.
    if columns.rows > 0 {
        let (frame, rows) = columns
            .finish(documented)
            .map_err(|e| LoadError::new(&file.path, None, e.to_string()))?;
        for r in rows {
            merge_bad(&mut bad, element_cells(r, &file.path));
        }
        chunks
            .push(frame)
            .map_err(|e| LoadError::new(&file.path, None, e.to_string()))?;
    }
    progress.report(rows);
    let frame = chunks
        .finish()
        .and_then(normalize::assemble)
        .map_err(|e| LoadError::new(&file.path, None, e.to_string()))?;
    Ok(FileRead {
        tables: vec![RawTable {
            name: None,
            frame,
            bad,
        }],
        not_utf8: match mode {
            TextMode::Windows1252(at) => Some(at),
            TextMode::Detect => None,
        },
    })
}

/// Bad cells of a JSON array, whose rows are placed by their 0-based
/// element (see [`Columns::push`]).
fn element_cells(rows: BadRows, path: &std::path::Path) -> BadCells {
    rows.into_cells(path, |element| Place::Element(element + 1))
}

/// Calls `sink` on each element of a top-level JSON array as it is parsed.
/// `sink` stops the parse by returning `Err`.
fn for_each_element(
    reader: impl Read,
    sink: &mut dyn FnMut(Value) -> Result<(), ()>,
) -> Result<(), serde_json::Error> {
    struct Elements<'s>(&'s mut dyn FnMut(Value) -> Result<(), ()>);
    impl<'de> Visitor<'de> for Elements<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("an array of objects")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
            while let Some(v) = seq.next_element::<Value>()? {
                (self.0)(v).map_err(|()| A::Error::custom("stopped"))?;
            }
            Ok(())
        }
    }
    impl<'de> DeserializeSeed<'de> for Elements<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
            d.deserialize_seq(self)
        }
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    Elements(sink).deserialize(&mut de)?;
    de.end()
}

/// One object per line, in any of the line-based shapes.
fn read_lines(
    reader: impl BufRead + Send + 'static,
    start: usize,
    file: &SourceFile,
    table: &str,
    mut progress: Progressing,
    control: &LoadControl,
    mode: TextMode,
) -> Result<FileRead, Stop> {
    let err = |line: Option<usize>, msg: String| LoadError::new(&file.path, line, msg);
    let chunk = control.chunk_bytes.unwrap_or(CHUNK).max(1);
    let mut buf = Vec::with_capacity(chunk + (1 << 16));
    let mut reader: Box<dyn Read + Send> = Box::new(reader);
    // A read error names the line where the readable data stops.
    let eof = match fill(&mut reader, &mut buf, chunk) {
        Ok(eof) => eof,
        Err(e) => {
            return Err(err(Some(start + count_newlines(&buf)), io_message(file, &e)).into());
        }
    };
    // Text that is not UTF-8 in the first chunk makes the file Windows-1252
    // before its shape is told.
    let mut check = TextCheck::new(mode);
    let reader = check.take_start(&mut buf, start, reader);
    // The shape is decided by the first line.
    let first_line_end = memchr::memchr(b'\n', &buf).unwrap_or(buf.len());
    let shape = match serde_json::from_slice::<Value>(&buf[..first_line_end]) {
        Ok(Value::Object(map)) => shape_of(&map),
        // The worker reports the error with its line.
        _ => Shape::Plain,
    };
    // Envelope records are typed by their category's documented schema;
    // plain lines by the table's (possibly explicit) name.
    let mut line = start;
    let last_line_end = |b: &[u8]| memchr::memrchr(b'\n', b).map(|nl| nl + 1);
    let mut records = RecordChunks::new(reader, file, chunk, buf, eof, last_line_end);
    let mut next = |spare: Option<Vec<u8>>| records.next(spare).map_err(Stop::Failed);
    // Per table, in order of first appearance: its typed chunks and the
    // cells that could not be read.
    let mut tables: Vec<(Option<String>, normalize::Coalescer, Vec<BadCells>)> = Vec::new();
    let mut rows = 0usize;
    let result = pipeline(
        &mut next,
        |bytes: &Vec<u8>| {
            parse_text(
                bytes,
                |b| parse_lines(b, shape, table),
                |at| (at.line, "not valid UTF-8".to_string()),
            )
        },
        |result| {
            let ((parts, lines), text) = result.map_err(|(rel, msg)| err(Some(line + rel), msg))?;
            check.take(text, line).map_err(Stop::Reread)?;
            for (name, frame, bad) in parts {
                rows += frame.height();
                let i = match tables.iter().position(|(n, _, _)| *n == name) {
                    Some(i) => i,
                    None => {
                        tables.push((name, normalize::Coalescer::default(), Vec::new()));
                        tables.len() - 1
                    }
                };
                let (_, chunks, cells) = &mut tables[i];
                for b in bad {
                    merge_bad(
                        cells,
                        b.into_cells(&file.path, |rel| Place::Line(line + rel)),
                    );
                }
                chunks.push(frame).map_err(|e| err(None, e.to_string()))?;
            }
            line += lines;
            progress.report(rows);
            Ok(())
        },
        control,
        |why| Stop::Failed(LoadError::new(&file.path, None, why)),
    );
    match result {
        Err(Stop::Failed(mut e)) => {
            if let Some(partial) = records.partial_lines
                && e.line.is_none()
            {
                // A read error, after the lines already parsed.
                e.line = Some(line + partial);
            }
            return Err(Stop::Failed(e));
        }
        Err(reread) => return Err(reread),
        Ok(()) => {}
    }
    if tables.is_empty() {
        return Err(err(None, "empty file: no JSON data".into()).into());
    }
    let tables = tables
        .into_iter()
        .map(|(name, frames, bad)| {
            frames
                .finish()
                .and_then(normalize::assemble)
                .map(|frame| RawTable { name, frame, bad })
                .map_err(|e| err(None, e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(FileRead {
        tables,
        not_utf8: check.not_utf8,
    })
}

/// A chunk of JSON lines parsed: per table, its typed frame and the cells
/// that could not be read (placed by their 0-based line in the chunk); and
/// the number of lines in the chunk.
type ParsedLines = (Vec<(Option<String>, DataFrame, Vec<BadRows>)>, usize);

/// Parses a chunk of whole lines into typed frames, one per table (see
/// [`ParsedLines`]). Fails with `Ok` where a line is not UTF-8 (see
/// `load::parse_text`), else with the chunk-relative line (0-based) of the
/// first bad one and what is wrong with it.
fn parse_lines(
    chunk: &[u8],
    shape: Shape,
    table: &str,
) -> Result<ParsedLines, Result<ChunkNotUtf8, (usize, String)>> {
    let mut tables: Vec<(Option<String>, Columns)> = Vec::new();
    let mut add = |name: Option<String>, row: Map<String, Value>, line: usize| match tables
        .iter_mut()
        .find(|(n, _)| *n == name)
    {
        Some((_, t)) => t.push(row, line),
        None => {
            let mut t = Columns::default();
            t.push(row, line);
            tables.push((name, t));
        }
    };
    let mut lines = 0usize;
    for (i, raw) in chunk.split(|&b| b == b'\n').enumerate() {
        if i > 0 {
            lines += 1;
        }
        let text = std::str::from_utf8(raw).map_err(|e| {
            Ok(ChunkNotUtf8 {
                line: i,
                byte: raw[e.valid_up_to()],
            })
        })?;
        let text = text.trim();
        if text.is_empty() {
            continue;
        }
        let value: Value = serde_json::from_str(text).map_err(|e| Err((i, json_message(&e))))?;
        let Value::Object(mut map) = value else {
            return Err(Err((
                i,
                format!("expected a JSON object, found {}", kind_of(&value)),
            )));
        };
        match shape {
            Shape::Plain => add(None, map, i),
            Shape::Envelope => {
                let (name, row) = envelope(map).map_err(|m| Err((i, m)))?;
                add(Some(name), row, i);
            }
            Shape::Records => {
                let Some(Value::Array(records)) = map.remove("records") else {
                    return Err(Err((
                        i,
                        "expected {\"records\": [...]} like the first line".into(),
                    )));
                };
                for record in records {
                    let Value::Object(record) = record else {
                        return Err(Err((i, "a record in \"records\" is not an object".into())));
                    };
                    let (name, row) = envelope(record).map_err(|m| Err((i, m)))?;
                    add(Some(name), row, i);
                }
            }
        }
    }
    let mut out = Vec::with_capacity(tables.len());
    for (name, columns) in tables {
        let documented = schema::documented(name.as_deref().unwrap_or(table));
        let (frame, bad) = columns
            .finish(documented)
            .map_err(|e| Err((0, e.to_string())))?;
        out.push((name, frame, bad));
    }
    Ok((out, lines))
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// The table and row of one streaming-API record.
fn envelope(mut map: Map<String, Value>) -> Result<(String, Map<String, Value>), String> {
    let category = match map.get("category") {
        Some(Value::String(c)) => table_name(c),
        _ => return Err("streaming-API record without a \"category\"".into()),
    };
    match map.remove("properties") {
        Some(Value::Object(props)) => Ok((category, props)),
        _ => Err("streaming-API record without \"properties\"".into()),
    }
}

/// Column-wise values of JSON objects, keys in order of first appearance.
#[derive(Default)]
struct Columns {
    names: Vec<String>,
    index: PlHashMap<String, usize>,
    values: Vec<Vec<Value>>,
    rows: usize,
    /// The line of each row, to place a bad value: chunk-relative and
    /// 0-based for JSON lines, the 0-based element for a JSON array.
    lines: Vec<usize>,
}

impl Columns {
    fn push(&mut self, row: Map<String, Value>, line: usize) {
        for (position, (key, value)) in row.into_iter().enumerate() {
            // Rows usually list the keys in one order: try that first.
            let i = if self.names.get(position) == Some(&key) {
                position
            } else {
                match self.index.get(&key) {
                    Some(&i) => i,
                    None => {
                        self.index.insert(key.clone(), self.names.len());
                        self.names.push(key);
                        self.values.push(vec![Value::Null; self.rows]);
                        self.names.len() - 1
                    }
                }
            };
            let column = &mut self.values[i];
            // A key repeated within one object: the last value wins.
            if column.len() > self.rows {
                column.pop();
            }
            column.push(value);
        }
        self.rows += 1;
        self.lines.push(line);
        for column in &mut self.values {
            if column.len() < self.rows {
                column.push(Value::Null);
            }
        }
    }

    /// The typed frame, and the values that could not be read as their
    /// column's documented type (null in the frame), placed by the line
    /// each row was pushed with.
    fn finish(self, documented: normalize::Documented) -> PolarsResult<(DataFrame, Vec<BadRows>)> {
        let rows = self.rows;
        let lines = self.lines;
        let columns = self
            .names
            .into_iter()
            .zip(self.values)
            .map(|(name, values)| json_column(&name, values))
            .collect();
        let frame = DataFrame::new(rows, columns)?;
        let (frame, mut bad) = normalize::type_chunk(documented, frame)?;
        for b in &mut bad {
            for (row, _) in &mut b.first {
                *row = lines.get(*row).copied().unwrap_or(0);
            }
        }
        Ok((frame, bad))
    }
}

/// The narrowest column that holds every value: bool, long, real, string,
/// or else dynamic (JSON text). Strings are typed further by `normalize`.
fn json_column(name: &str, values: Vec<Value>) -> Column {
    let non_null = || values.iter().filter(|v| !v.is_null());
    let name: PlSmallStr = name.into();
    let any = non_null().next().is_some();
    if any && non_null().all(Value::is_boolean) {
        let v: BooleanChunked = values.iter().map(Value::as_bool).collect();
        return v.with_name(name).into_column();
    }
    if any && non_null().all(Value::is_i64) {
        let v: Int64Chunked = values.iter().map(Value::as_i64).collect();
        return v.with_name(name).into_column();
    }
    if any && non_null().all(Value::is_number) {
        let v: Float64Chunked = values.iter().map(Value::as_f64).collect();
        return v.with_name(name).into_column();
    }
    if non_null().all(Value::is_string) {
        // Each distinct string stored once, as for CSV.
        let mut column = TextColumn::new(name.clone(), values.len());
        for v in &values {
            // JSON strings are UTF-8 already: this cannot fail.
            let _ = column.push(v.as_str().unwrap_or("").as_bytes());
        }
        if let Ok(column) = column.finish() {
            return column.into_column();
        }
        let v: StringChunked = values
            .iter()
            .map(|v| Some(v.as_str().unwrap_or("")))
            .collect();
        return v.with_name(name).into_column();
    }
    let v: BinaryChunked = values
        .iter()
        .map(|v| (!v.is_null()).then(|| v.to_string().into_bytes()))
        .collect();
    v.with_name(name).into_column()
}
