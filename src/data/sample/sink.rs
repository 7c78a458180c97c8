//! Where generated rows go: the [`RowSink`] trait, its cell type, and the two
//! text sinks (CSV like Defender's portal export, and JSON Lines).
//!
//! The generator produces one row at a time and never holds a table, so a
//! sink must not either: both sinks here write each row straight through a
//! buffered writer.

use std::io::{self, Write};

use crate::data::time::{DATETIME_TEXT_LEN, datetime_text, format_datetime, format_timespan};
use crate::data::types::KqlType;

/// One table the generator is about to write: its name and typed columns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSpec {
    /// The table name, e.g. `DeviceNetworkEvents` (also the file stem).
    pub name: String,
    /// Column names and KQL types, in output order.
    pub columns: Vec<(String, KqlType)>,
}

impl TableSpec {
    /// Builds a spec from a static column list such as `schema::documented`.
    pub fn new(name: &str, columns: &[(&str, KqlType)]) -> TableSpec {
        TableSpec {
            name: name.to_string(),
            columns: columns.iter().map(|(n, t)| (n.to_string(), *t)).collect(),
        }
    }
}

/// One value of a generated row.
///
/// The variant always matches the column's [`KqlType`]; `Null` appears only in
/// non-string columns, because KQL strings have no null (an absent string is
/// `Str("")`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Cell<'a> {
    /// No value (empty CSV field, JSON `null`).
    Null,
    /// `bool`.
    Bool(bool),
    /// `int`.
    Int(i32),
    /// `long`.
    Long(i64),
    /// `real`.
    Real(f64),
    /// Nanoseconds since the Unix epoch, UTC; always a whole number of
    /// 100 ns ticks in generated data.
    Datetime(i64),
    /// Nanoseconds.
    Timespan(i64),
    /// `string`.
    Str(&'a str),
    /// JSON text.
    Dynamic(&'a str),
}

impl Cell<'_> {
    /// Whether this cell may stand in a column of type `t`.
    pub fn fits(&self, t: KqlType) -> bool {
        matches!(
            (self, t),
            (
                Cell::Null,
                KqlType::Bool | KqlType::Int | KqlType::Long | KqlType::Real
            ) | (
                Cell::Null,
                KqlType::Datetime | KqlType::Timespan | KqlType::Dynamic
            ) | (Cell::Bool(_), KqlType::Bool)
                | (Cell::Int(_), KqlType::Int)
                | (Cell::Long(_), KqlType::Long)
                | (Cell::Real(_), KqlType::Real)
                | (Cell::Datetime(_), KqlType::Datetime)
                | (Cell::Timespan(_), KqlType::Timespan)
                | (Cell::Str(_), KqlType::String)
                | (Cell::Dynamic(_), KqlType::Dynamic)
        )
    }
}

/// Receives the rows of one table, in order, then `finish`.
pub trait RowSink {
    /// Writes one row; `cells` has one entry per column of the table's spec.
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()>;
    /// Flushes and closes; errors that buffered writes deferred surface here.
    fn finish(self: Box<Self>) -> io::Result<()>;
}

/// The text formats this module writes itself (Parquet lives with the loaders).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextFormat {
    /// Comma-separated values with a header ([`CsvSink`]).
    Csv,
    /// JSON Lines ([`JsonlSink`]).
    Jsonl,
}

impl TextFormat {
    /// The file extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            TextFormat::Csv => "csv",
            TextFormat::Jsonl => "jsonl",
        }
    }

    /// A sink of this format writing `spec`'s table to `out` (buffer it).
    pub fn sink<W: Write + 'static>(
        self,
        out: W,
        spec: &TableSpec,
    ) -> io::Result<Box<dyn RowSink>> {
        Ok(match self {
            TextFormat::Csv => Box::new(CsvSink::new(out, spec)?),
            TextFormat::Jsonl => Box::new(JsonlSink::new(out, spec)),
        })
    }
}

/// Writes `ns` as Defender's portal does: `2025-03-18T11:42:07.1234567Z`.
///
/// Hand-rolled instead of chrono's formatter because it runs for every
/// datetime cell of millions of rows; it agrees with
/// `data::time::format_datetime` (tested).
pub fn push_datetime(out: &mut Vec<u8>, ns: i64) {
    let mut buf = [0u8; DATETIME_TEXT_LEN];
    match datetime_text(ns, &mut buf) {
        Some(text) => out.extend_from_slice(text.as_bytes()),
        None => out.extend_from_slice(format_datetime(ns).as_bytes()),
    }
}

/// Writes the text of a non-string, non-null cell (shared by both sinks).
fn push_scalar(out: &mut Vec<u8>, cell: &Cell<'_>) {
    match *cell {
        Cell::Null => {}
        Cell::Bool(b) => out.extend_from_slice(if b { b"True" } else { b"False" }),
        Cell::Int(v) => {
            let _ = write!(out, "{v}");
        }
        Cell::Long(v) => {
            let _ = write!(out, "{v}");
        }
        Cell::Real(v) => {
            let _ = write!(out, "{v}");
        }
        Cell::Datetime(ns) => push_datetime(out, ns),
        Cell::Timespan(ns) => out.extend_from_slice(format_timespan(ns).as_bytes()),
        Cell::Str(s) | Cell::Dynamic(s) => out.extend_from_slice(s.as_bytes()),
    }
}

/// CSV with a header row, RFC 4180 quoting, datetimes with seven fractional
/// digits, `True`/`False`, dynamic values as their JSON text, null as an
/// empty field: the shape of a Defender portal export.
pub struct CsvSink<W: Write> {
    out: csv::Writer<W>,
    scratch: Vec<u8>,
    width: usize,
}

impl<W: Write> CsvSink<W> {
    /// Writes the header at once so an empty table still names its columns.
    pub fn new(out: W, spec: &TableSpec) -> io::Result<CsvSink<W>> {
        let mut out = csv::WriterBuilder::new()
            .has_headers(false)
            .from_writer(out);
        out.write_record(spec.columns.iter().map(|(n, _)| n.as_str()))
            .map_err(io::Error::from)?;
        Ok(CsvSink {
            out,
            scratch: Vec::with_capacity(64),
            width: spec.columns.len(),
        })
    }
}

impl<W: Write> RowSink for CsvSink<W> {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        debug_assert_eq!(cells.len(), self.width, "row width");
        for cell in cells {
            match cell {
                Cell::Str(s) | Cell::Dynamic(s) => self.out.write_field(s),
                other => {
                    self.scratch.clear();
                    push_scalar(&mut self.scratch, other);
                    self.out.write_field(&self.scratch)
                }
            }
            .map_err(io::Error::from)?;
        }
        self.out
            .write_record(None::<&[u8]>)
            .map_err(io::Error::from)
    }

    fn finish(self: Box<Self>) -> io::Result<()> {
        let mut inner = self.out.into_inner().map_err(|e| e.into_error())?;
        inner.flush()
    }
}

/// JSON Lines: one object per row, keys in column order, typed values
/// (numbers, `true`/`false`, `null`), datetimes and timespans as the same
/// strings the CSV sink writes, dynamic values embedded as JSON.
pub struct JsonlSink<W: Write> {
    out: W,
    /// `"Name":` for each column, escaped once.
    keys: Vec<Vec<u8>>,
    line: Vec<u8>,
}

impl<W: Write> JsonlSink<W> {
    /// A sink writing `spec`'s rows to `out` (buffer it).
    pub fn new(out: W, spec: &TableSpec) -> JsonlSink<W> {
        let keys = spec
            .columns
            .iter()
            .map(|(name, _)| {
                let mut k = serde_json::to_vec(name).expect("a string serializes");
                k.push(b':');
                k
            })
            .collect();
        JsonlSink {
            out,
            keys,
            line: Vec::with_capacity(1024),
        }
    }
}

impl<W: Write> RowSink for JsonlSink<W> {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        debug_assert_eq!(cells.len(), self.keys.len(), "row width");
        let line = &mut self.line;
        line.clear();
        line.push(b'{');
        for (i, (key, cell)) in self.keys.iter().zip(cells).enumerate() {
            if i > 0 {
                line.push(b',');
            }
            line.extend_from_slice(key);
            match cell {
                Cell::Null => line.extend_from_slice(b"null"),
                Cell::Bool(b) => line.extend_from_slice(if *b { b"true" } else { b"false" }),
                Cell::Real(v) if !v.is_finite() => line.extend_from_slice(b"null"),
                Cell::Int(_) | Cell::Long(_) | Cell::Real(_) => push_scalar(line, cell),
                Cell::Datetime(_) | Cell::Timespan(_) => {
                    line.push(b'"');
                    push_scalar(line, cell);
                    line.push(b'"');
                }
                Cell::Str(s) => serde_json::to_writer(&mut *line, s).map_err(io::Error::from)?,
                // Re-serialised compactly so a pretty-printed value cannot break
                // the one-object-per-line rule (object keys come out sorted).
                Cell::Dynamic(text) => match serde_json::from_str::<serde_json::Value>(text) {
                    Ok(v) => serde_json::to_writer(&mut *line, &v).map_err(io::Error::from)?,
                    // Not JSON after all: keep the text rather than lose it.
                    Err(_) => serde_json::to_writer(&mut *line, text).map_err(io::Error::from)?,
                },
            }
        }
        line.extend_from_slice(b"}\n");
        self.out.write_all(line)
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.out.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::time::format_datetime;
    use std::cell::RefCell;
    use std::rc::Rc;

    /// A writer the test can read back after the sink is finished.
    #[derive(Clone, Default)]
    pub(crate) struct Shared(pub Rc<RefCell<Vec<u8>>>);
    impl Write for Shared {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.borrow_mut().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn spec() -> TableSpec {
        TableSpec::new(
            "T",
            &[
                ("When", KqlType::Datetime),
                ("Ok", KqlType::Bool),
                ("N", KqlType::Long),
                ("S", KqlType::String),
                ("D", KqlType::Dynamic),
                ("R", KqlType::Real),
                ("Span", KqlType::Timespan),
                ("I", KqlType::Int),
            ],
        )
    }

    fn render(format: TextFormat, rows: &[Vec<Cell<'_>>]) -> String {
        let buf = Shared::default();
        let mut sink = format.sink(buf.clone(), &spec()).unwrap();
        for r in rows {
            sink.row(r).unwrap();
        }
        sink.finish().unwrap();
        String::from_utf8(buf.0.borrow().clone()).unwrap()
    }

    const T: i64 = 1_742_298_127_123_456_700; // 2025-03-18T11:42:07.1234567Z

    #[test]
    fn datetime_text_matches_the_portal_and_the_time_module() {
        let mut out = Vec::new();
        push_datetime(&mut out, T);
        assert_eq!(out, b"2025-03-18T11:42:07.1234567Z");
        for ns in [
            0,
            T,
            1_742_299_200_000_000_000,
            -1,
            -86_400_000_000_000 * 400,
            951_782_400_000_000_000, // 2000-02-29
            4_102_444_799_999_999_900,
        ] {
            let mut out = Vec::new();
            push_datetime(&mut out, ns);
            assert_eq!(String::from_utf8(out).unwrap(), format_datetime(ns), "{ns}");
        }
    }

    #[test]
    fn csv_quotes_formats_and_leaves_nulls_empty() {
        let text = render(
            TextFormat::Csv,
            &[
                vec![
                    Cell::Datetime(T),
                    Cell::Bool(true),
                    Cell::Long(-5),
                    Cell::Str("a,\"b\"\nc"),
                    Cell::Dynamic(r#"{"direction":"Out"}"#),
                    Cell::Real(1.5),
                    Cell::Timespan(90 * 1_000_000_000),
                    Cell::Int(443),
                ],
                vec![
                    Cell::Null,
                    Cell::Bool(false),
                    Cell::Null,
                    Cell::Str(""),
                    Cell::Null,
                    Cell::Null,
                    Cell::Null,
                    Cell::Null,
                ],
            ],
        );
        assert_eq!(
            text,
            "When,Ok,N,S,D,R,Span,I\n\
             2025-03-18T11:42:07.1234567Z,True,-5,\"a,\"\"b\"\"\nc\",\"{\"\"direction\"\":\"\"Out\"\"}\",1.5,00:01:30,443\n\
             ,False,,,,,,\n"
        );
    }

    #[test]
    fn jsonl_is_typed_and_ordered() {
        let text = render(
            TextFormat::Jsonl,
            &[vec![
                Cell::Datetime(T),
                Cell::Bool(false),
                Cell::Long(7),
                Cell::Str("q\"x"),
                Cell::Dynamic(r#"{"a": [1, 2]}"#),
                Cell::Real(f64::NAN),
                Cell::Null,
                Cell::Int(-1),
            ]],
        );
        assert_eq!(
            text,
            "{\"When\":\"2025-03-18T11:42:07.1234567Z\",\"Ok\":false,\"N\":7,\"S\":\"q\\\"x\",\
             \"D\":{\"a\":[1,2]},\"R\":null,\"Span\":null,\"I\":-1}\n"
        );
        let v: serde_json::Value = serde_json::from_str(text.trim_end()).unwrap();
        assert_eq!(v["N"], 7);
    }

    #[test]
    fn empty_table_still_has_a_header() {
        assert_eq!(render(TextFormat::Csv, &[]), "When,Ok,N,S,D,R,Span,I\n");
        assert_eq!(render(TextFormat::Jsonl, &[]), "");
    }

    #[test]
    fn cells_fit_their_types() {
        assert!(Cell::Null.fits(KqlType::Long));
        assert!(!Cell::Null.fits(KqlType::String));
        assert!(Cell::Str("").fits(KqlType::String));
        assert!(!Cell::Long(1).fits(KqlType::Int));
    }
}
