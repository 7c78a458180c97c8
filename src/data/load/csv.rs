//! CSV and TSV.
//!
//! The file is read in chunks that end on record boundaries; worker threads
//! split the chunks (RFC 4180 quoting, LF or CRLF, blank lines skipped; see
//! [`Records`]) straight into typed columns: a documented column into its
//! documented type, any other column as text that `normalize` then types
//! for the chunk. So a chunk's text is never held as a frame, memory stays
//! near the size of the typed table (each distinct string is stored once
//! per chunk, see [`TextColumn`], and documented text goes from there
//! straight to codes into its column's dictionary, see `encode`), and
//! every record's field count is
//! checked: a ragged row is an error naming its line. A field that cannot
//! be read as its documented type is null, and listed with the line where
//! it starts; that costs nothing until a field fails.

use std::io::Read;
use std::sync::Arc;
use std::sync::atomic::AtomicU64;

use polars::prelude::*;

use super::text_column::{FieldError, TextColumn, utf8};
use super::{
    ChunkNotUtf8, FileRead, LoadControl, Progressing, RawTable, RecordChunks, Stop, TextCheck,
    TextMode, count_newlines, fill, io_message, open, parse_text, pipeline,
};
use crate::data::catalog::LoadError;
use crate::data::encode;
use crate::data::normalize::{
    self, BadRows, Documented, dynamic_value, parse_bool, parse_int, parse_long, parse_real,
};
use crate::data::source::SourceFile;
use crate::data::time::{parse_datetime_bytes, parse_timespan};
use crate::data::types::KqlType;
use crate::data::warning::{Place, merge_bad};

/// Bytes per parsed chunk: large enough to amortise the per-chunk work,
/// small enough for frequent progress and prompt cancellation.
pub(crate) const CHUNK: usize = 8 << 20;

/// The header of a file: column names, their documented types, separator.
pub(super) struct Header {
    names: Vec<String>,
    kinds: Vec<Option<KqlType>>,
    separator: u8,
}

/// The start of a file: its column names and separator, the line after
/// the header, what was read past it, and the input to read on.
struct Start {
    names: Vec<String>,
    separator: u8,
    /// 1-based line number of the first line after the header.
    next_line: usize,
    rest: Vec<u8>,
    eof: bool,
    input: Box<dyn Read + Send>,
}

/// Reads up to the end of the header record: skips a UTF-8 byte-order mark
/// and blank lines, sniffs the separator. (UTF-16 text arrives as UTF-8:
/// see `load::open`.) Text that is not UTF-8 in what is read here (the
/// first chunk) makes the whole file Windows-1252 at once (see
/// [`TextCheck::take_start`]).
fn start(
    file: &SourceFile,
    input: Box<dyn Read + Send>,
    chunk: usize,
    check: &mut TextCheck,
) -> Result<Start, LoadError> {
    let err = |line: Option<usize>, msg: String| LoadError::new(&file.path, line, msg);
    let mut buf: Vec<u8> = Vec::with_capacity(chunk + (1 << 16));
    // A read error names the line where the readable data stops.
    let read_err =
        |buf: &[u8], e: std::io::Error| err(Some(count_newlines(buf) + 1), io_message(file, &e));
    let mut input = input;
    let mut eof = match fill(&mut input, &mut buf, chunk) {
        Ok(eof) => eof,
        Err(e) => return Err(read_err(&buf, e)),
    };
    let mut input = check.take_start(&mut buf, 1, input);
    // Blank lines before the header are skipped, as Excel does (reading on
    // while that is all there is, however small the chunks).
    let mut start;
    loop {
        start = if buf.starts_with(&[0xEF, 0xBB, 0xBF]) {
            3
        } else {
            0
        };
        while start < buf.len() && buf[start].is_ascii_whitespace() {
            start += 1;
        }
        let maybe_bom = buf.len() < 3 && [0xEF, 0xBB, 0xBF].starts_with(&buf);
        if eof || (start < buf.len() && !maybe_bom) {
            break;
        }
        eof = match fill(&mut input, &mut buf, chunk) {
            Ok(eof) => eof,
            Err(e) => return Err(read_err(&buf, e)),
        };
    }
    if start == buf.len() {
        return Err(err(None, "empty file: no header line".into()));
    }
    // The header must be complete before it can be parsed.
    let header_end = loop {
        if let Some(end) = first_record_end(&buf[start..]) {
            break start + end;
        }
        if eof {
            break buf.len();
        }
        eof = match fill(&mut input, &mut buf, chunk) {
            Ok(eof) => eof,
            Err(e) => return Err(read_err(&buf, e)),
        };
    };
    let header_bytes = &buf[start..header_end];
    let header_line = count_newlines(&buf[..start]) + 1;
    let separator = sniff_separator(header_bytes, file);
    let names = parse_header(header_bytes, separator).map_err(|m| err(Some(header_line), m))?;
    let next_line = header_line + count_newlines(header_bytes);
    buf.drain(..header_end);
    Ok(Start {
        names,
        separator,
        next_line,
        rest: buf,
        eof,
        input,
    })
}

/// The column names of a file, from its header alone (types unknown).
pub(super) fn peek(file: &SourceFile) -> Result<super::ColumnTypes, LoadError> {
    let input = open(file, Arc::new(AtomicU64::new(0)), TextMode::Detect)
        .map_err(|e| LoadError::new(&file.path, None, e.to_string()))?;
    let start = start(file, input, 64 << 10, &mut TextCheck::default())?;
    Ok(start.names.into_iter().map(|n| (n, None)).collect())
}

pub(super) fn read(
    file: &SourceFile,
    table: &str,
    report: &dyn Fn(usize, u64),
    control: &LoadControl,
    mode: TextMode,
) -> Result<FileRead, Stop> {
    let err = |line: Option<usize>, msg: String| LoadError::new(&file.path, line, msg);
    let documented: Documented = crate::data::schema::documented(table);
    let counter = Arc::new(AtomicU64::new(0));
    let input = open(file, counter.clone(), mode).map_err(|e| err(None, e.to_string()))?;
    let chunk = control.chunk_bytes.unwrap_or(CHUNK).max(1);
    let mut check = TextCheck::new(mode);
    let Start {
        names,
        separator,
        next_line,
        rest,
        eof,
        input,
    } = start(file, input, chunk, &mut check)?;
    let kinds = names
        .iter()
        .map(|n| normalize::lookup(documented, n))
        .collect();
    let header = Header {
        names,
        kinds,
        separator,
    };
    // 1-based line number of the first line of the next chunk.
    let mut line = next_line;
    let mut records = RecordChunks::new(input, file, chunk, rest, eof, last_record_end);

    let mut next = |spare: Option<Vec<u8>>| records.next(spare).map_err(Stop::Failed);

    let mut chunks = normalize::Coalescer::default();
    let mut bad = Vec::new();
    let mut progress = Progressing::new(report, counter.clone());
    pipeline(
        &mut next,
        |bytes: &Vec<u8>| {
            parse_text(
                bytes,
                |b| parse_chunk(b, &header, documented),
                |at| (at.line, "not valid UTF-8".to_string()),
            )
        },
        |result| {
            let (parsed, text) = result.map_err(|(rel, msg)| err(Some(line + rel), msg))?;
            check.take(text, line).map_err(Stop::Reread)?;
            for rows in parsed.bad {
                merge_bad(
                    &mut bad,
                    rows.into_cells(&file.path, |rel| Place::Line(line + rel)),
                );
            }
            line += parsed.lines;
            chunks
                .push(parsed.frame)
                .map_err(|e| err(None, e.to_string()))?;
            progress.report(chunks.rows());
            Ok(())
        },
        control,
        |why| Stop::Failed(LoadError::new(&file.path, None, why)),
    )
    .map_err(|e| match e {
        // A read error comes after every chunk before it was parsed: it
        // names the line where the readable data stops.
        Stop::Failed(mut e) => {
            if let Some(partial) = records.partial_lines
                && e.line.is_none()
            {
                e.line = Some(line + partial);
            }
            Stop::Failed(e)
        }
        reread => reread,
    })?;
    let chunks = chunks.finish().map_err(|e| err(None, e.to_string()))?;
    let frame = if chunks.is_empty() {
        let columns = header
            .names
            .iter()
            .zip(&header.kinds)
            .map(|(n, k)| {
                Column::full_null(n.as_str().into(), 0, &k.unwrap_or(KqlType::String).polars())
            })
            .collect();
        DataFrame::new(0, columns).map_err(|e| err(None, e.to_string()))?
    } else {
        normalize::assemble(chunks).map_err(|e| err(None, e.to_string()))?
    };
    Ok(FileRead {
        tables: vec![RawTable {
            name: None,
            frame,
            bad,
        }],
        not_utf8: check.not_utf8,
    })
}

/// The end (after the newline) of the first record. A newline ends a record
/// only outside quotes; with RFC 4180's doubled quotes, that is where the
/// count of quote characters so far is even.
fn first_record_end(bytes: &[u8]) -> Option<usize> {
    let mut quotes = 0usize;
    let mut from = 0;
    while let Some(nl) = memchr::memchr(b'\n', &bytes[from..]) {
        let nl = from + nl;
        quotes += memchr::memchr_iter(b'"', &bytes[from..nl]).count();
        if quotes.is_multiple_of(2) {
            return Some(nl + 1);
        }
        from = nl + 1;
    }
    None
}

/// The end (after the newline) of the last complete record in `bytes`, which
/// starts on a record boundary: the last newline with an even number of
/// quotes before it.
fn last_record_end(bytes: &[u8]) -> Option<usize> {
    let total = memchr::memchr_iter(b'"', bytes).count();
    let mut after = 0usize;
    let mut end = bytes.len();
    while let Some(nl) = memchr::memrchr(b'\n', &bytes[..end]) {
        after += memchr::memchr_iter(b'"', &bytes[nl..end]).count();
        if (total - after).is_multiple_of(2) {
            return Some(nl + 1);
        }
        end = nl;
    }
    None
}

/// The delimiter is whichever of tab, comma, semicolon or pipe occurs most
/// outside quotes in the header; a `.tsv` file prefers tab on a tie.
fn sniff_separator(header: &[u8], file: &SourceFile) -> u8 {
    let tsv = file
        .path
        .to_string_lossy()
        .to_ascii_lowercase()
        .contains(".tsv");
    let mut counts = [0usize; 4];
    let candidates = [b'\t', b',', b';', b'|'];
    let mut quoted = false;
    for &b in header {
        if b == b'"' {
            quoted = !quoted;
        } else if !quoted && let Some(i) = candidates.iter().position(|&c| c == b) {
            counts[i] += 1;
        }
    }
    let best = (0..4).max_by_key(|&i| (counts[i], usize::from(i == 0 && tsv), 3 - i));
    match best {
        Some(i) if counts[i] > 0 => candidates[i],
        _ if tsv => b'\t',
        _ => b',',
    }
}

/// Column names from the header record; empty names become `ColumnN` and
/// repeated names get a numeric suffix, as Kusto does on ingestion.
fn parse_header(header: &[u8], separator: u8) -> Result<Vec<String>, String> {
    let mut records = Records::new(header, separator);
    if records.next_record().is_none() {
        return Err("empty file: no header line".into());
    }
    let fields: Vec<&[u8]> = records.fields().iter().map(|&f| records.field(f)).collect();
    let mut names: Vec<String> = Vec::new();
    for (i, field) in fields.into_iter().enumerate() {
        let name = std::str::from_utf8(field)
            .map_err(|_| "the header is not valid UTF-8".to_string())?
            .trim()
            .to_string();
        let mut name = if name.is_empty() {
            format!("Column{}", i + 1)
        } else {
            name
        };
        if names.contains(&name) {
            let base = name.clone();
            let mut k = 1;
            while names.contains(&name) {
                name = format!("{base}{k}");
                k += 1;
            }
        }
        names.push(name);
    }
    Ok(names)
}

/// A column being filled from text fields.
enum Builder {
    /// Text, encoded when done if it is documented text (other text may be
    /// numbers yet: `normalize` infers its type first).
    Text(TextColumn, bool),
    Bool(BooleanChunkedBuilder),
    Int(PrimitiveChunkedBuilder<Int32Type>),
    Long(PrimitiveChunkedBuilder<Int64Type>),
    Real(PrimitiveChunkedBuilder<Float64Type>),
    Datetime(PrimitiveChunkedBuilder<Int64Type>),
    Timespan(PrimitiveChunkedBuilder<Int64Type>),
    Dynamic(BinaryChunkedBuilder),
}

impl Builder {
    fn new(name: &str, kind: Option<KqlType>, capacity: usize) -> Builder {
        let name: PlSmallStr = name.into();
        match kind {
            None => Builder::Text(TextColumn::new(name, capacity), false),
            Some(KqlType::String) => Builder::Text(TextColumn::new(name, capacity), true),
            Some(KqlType::Bool) => Builder::Bool(BooleanChunkedBuilder::new(name, capacity)),
            Some(KqlType::Int) => Builder::Int(PrimitiveChunkedBuilder::new(name, capacity)),
            Some(KqlType::Long) => Builder::Long(PrimitiveChunkedBuilder::new(name, capacity)),
            Some(KqlType::Real) => Builder::Real(PrimitiveChunkedBuilder::new(name, capacity)),
            Some(KqlType::Datetime) => {
                Builder::Datetime(PrimitiveChunkedBuilder::new(name, capacity))
            }
            Some(KqlType::Timespan) => {
                Builder::Timespan(PrimitiveChunkedBuilder::new(name, capacity))
            }
            Some(KqlType::Dynamic) => Builder::Dynamic(BinaryChunkedBuilder::new(name, capacity)),
            // Read as text; typing the chunk makes it decimal, digit for digit.
            Some(KqlType::Decimal) => Builder::Text(TextColumn::new(name, capacity), false),
        }
    }

    /// Adds one field. Empty (or blank) text is "" for strings and null for
    /// every other type. On failure nothing is added.
    fn push(&mut self, field: &[u8]) -> Result<(), FieldError> {
        fn parsed<T>(field: &[u8], f: impl Fn(&str) -> Option<T>) -> Result<Option<T>, FieldError> {
            let t = utf8(field)?.trim();
            if t.is_empty() {
                return Ok(None);
            }
            f(t).map(Some).ok_or(FieldError::Type)
        }
        match self {
            Builder::Text(b, _) => b.push(field)?,
            Builder::Bool(b) => b.append_option(parsed(field, parse_bool)?),
            Builder::Int(b) => b.append_option(match fast_int(field) {
                Some(v) => Some(i32::try_from(v).map_err(|_| FieldError::Type)?),
                None => parsed(field, parse_int)?,
            }),
            Builder::Long(b) => b.append_option(match fast_int(field) {
                Some(v) => Some(v),
                None => parsed(field, parse_long)?,
            }),
            Builder::Real(b) => b.append_option(parsed(field, parse_real)?),
            Builder::Datetime(b) => {
                if field.trim_ascii().is_empty() {
                    b.append_null();
                } else {
                    match parse_datetime_bytes(field) {
                        Some(v) => b.append_value(v),
                        None => {
                            utf8(field)?;
                            return Err(FieldError::Type);
                        }
                    }
                }
            }
            Builder::Timespan(b) => b.append_option(parsed(field, parse_timespan)?),
            Builder::Dynamic(b) => {
                let t = utf8(field)?.trim();
                if t.is_empty() {
                    b.append_null();
                } else {
                    b.append_value(dynamic_value(t).ok_or(FieldError::Type)?);
                }
            }
        }
        Ok(())
    }

    /// Adds a null, for a field that could not be read (`push` adds
    /// nothing when it fails).
    fn push_null(&mut self) {
        match self {
            // Text is never unreadable, and never null.
            Builder::Text(b, _) => {
                let _ = b.push(b"");
            }
            Builder::Bool(b) => b.append_null(),
            Builder::Int(b) => b.append_null(),
            Builder::Long(b) => b.append_null(),
            Builder::Real(b) => b.append_null(),
            Builder::Datetime(b) => b.append_null(),
            Builder::Timespan(b) => b.append_null(),
            Builder::Dynamic(b) => b.append_null(),
        }
    }

    fn finish(self) -> PolarsResult<Series> {
        Ok(match self {
            Builder::Text(b, true) => b.finish_encoded()?,
            Builder::Text(b, false) => b.finish()?,
            Builder::Bool(b) => b.finish().into_series(),
            Builder::Int(b) => b.finish().into_series(),
            Builder::Long(b) => b.finish().into_series(),
            Builder::Real(b) => b.finish().into_series(),
            Builder::Datetime(b) => b
                .finish()
                .into_datetime(TimeUnit::Nanoseconds, None)
                .into_series(),
            Builder::Timespan(b) => b
                .finish()
                .into_duration(TimeUnit::Nanoseconds)
                .into_series(),
            Builder::Dynamic(b) => b.finish().into_series(),
        })
    }
}

/// Plain decimal digits with an optional minus, the common case, without
/// the UTF-8 check and trimming of the general path.
fn fast_int(b: &[u8]) -> Option<i64> {
    let (neg, digits) = match b.first() {
        Some(b'-') => (true, &b[1..]),
        _ => (false, b),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v = 0i64;
    for &c in digits {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + i64::from(c - b'0');
    }
    Some(if neg { -v } else { v })
}

/// The 1-based line, within `chunk`, of the byte at `byte`.
fn line_at(chunk: &[u8], byte: u64) -> usize {
    let byte = usize::try_from(byte)
        .unwrap_or(chunk.len())
        .min(chunk.len());
    count_newlines(&chunk[..byte]) + 1
}

/// The 0-based lines of bytes of a chunk, asked in increasing order: each
/// newline is counted once, however many bytes are asked about.
struct Lines<'a> {
    chunk: &'a [u8],
    at: usize,
    line: usize,
}

impl<'a> Lines<'a> {
    fn new(chunk: &'a [u8]) -> Self {
        Lines {
            chunk,
            at: 0,
            line: 0,
        }
    }

    fn of(&mut self, byte: usize) -> usize {
        let byte = byte.min(self.chunk.len());
        if byte < self.at {
            return count_newlines(&self.chunk[..byte]);
        }
        self.line += count_newlines(&self.chunk[self.at..byte]);
        self.at = byte;
        self.line
    }
}

/// Where a field's bytes are: in the chunk, or (a quoted field with
/// doubled quotes, unescaped) in the splitter's scratch buffer, with where
/// the field starts in the chunk.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Span {
    Chunk(usize, usize),
    Scratch(usize, usize, usize),
}

impl Span {
    /// Where the field starts in the chunk.
    fn start(self) -> usize {
        match self {
            Span::Chunk(a, _) | Span::Scratch(_, _, a) => a,
        }
    }
}

/// Splits a chunk of whole records into fields, RFC 4180 style: a field
/// may be quoted, a quoted field may hold separators, newlines and doubled
/// quotes; records end with LF or CRLF. Unquoted fields are slices of the
/// chunk, found with `memchr` (the common case in exports, and several
/// times faster than a byte-at-a-time parser). Like Excel and the `csv`
/// crate it is lenient: text after a closing quote is kept, and a quote
/// inside an unquoted field is an ordinary character.
struct Records<'a> {
    data: &'a [u8],
    pos: usize,
    separator: u8,
    spans: Vec<Span>,
    scratch: Vec<u8>,
}

impl<'a> Records<'a> {
    fn new(data: &'a [u8], separator: u8) -> Self {
        Records {
            data,
            pos: 0,
            separator,
            spans: Vec::with_capacity(64),
            scratch: Vec::new(),
        }
    }

    /// Splits the next record; returns the byte offset where it starts.
    fn next_record(&mut self) -> Option<usize> {
        let data = self.data;
        if self.pos >= data.len() {
            return None;
        }
        let start = self.pos;
        self.spans.clear();
        self.scratch.clear();
        loop {
            // One field; true when it ended its record.
            let last = if data.get(self.pos) == Some(&b'"') {
                self.quoted_field()
            } else {
                let from = self.pos;
                match memchr::memchr2(self.separator, b'\n', &data[from..]) {
                    Some(i) if data[from + i] == self.separator => {
                        self.spans.push(Span::Chunk(from, from + i));
                        self.pos = from + i + 1;
                        false
                    }
                    found => {
                        let end = found.map_or(data.len(), |i| from + i);
                        let trimmed = if end > from && data[end - 1] == b'\r' {
                            end - 1
                        } else {
                            end
                        };
                        self.spans.push(Span::Chunk(from, trimmed));
                        self.pos = (end + 1).min(data.len().max(end));
                        true
                    }
                }
            };
            if last {
                return Some(start);
            }
        }
    }

    /// A field starting with a quote, at `self.pos`; true when it ended
    /// its record.
    fn quoted_field(&mut self) -> bool {
        let data = self.data;
        let open = self.pos + 1;
        let mut segment = open;
        let mut escaped = false;
        let scratch_start = self.scratch.len();
        let mut at = open;
        let close = loop {
            match memchr::memchr(b'"', &data[at..]) {
                // An unterminated quote runs to the end of the chunk.
                None => break data.len(),
                Some(i) => {
                    let q = at + i;
                    if data.get(q + 1) == Some(&b'"') {
                        // A doubled quote is one quote.
                        self.scratch.extend_from_slice(&data[segment..=q]);
                        escaped = true;
                        segment = q + 2;
                        at = q + 2;
                    } else {
                        break q;
                    }
                }
            }
        };
        // Text after the closing quote, up to the separator or end of line,
        // is kept as written.
        let rest_from = (close + 1).min(data.len());
        let rest_len = memchr::memchr2(self.separator, b'\n', &data[rest_from..])
            .unwrap_or(data.len() - rest_from);
        let mut rest_end = rest_from + rest_len;
        let ends_record = rest_end >= data.len() || data[rest_end] == b'\n';
        self.pos = (rest_end + 1).min(data.len().max(rest_end));
        if ends_record && rest_end > rest_from && data[rest_end - 1] == b'\r' {
            rest_end -= 1;
        }
        let tail = &data[rest_from..rest_end.max(rest_from)];
        if escaped || !tail.is_empty() {
            self.scratch
                .extend_from_slice(&data[segment..close.min(data.len())]);
            self.scratch.extend_from_slice(tail);
            self.spans
                .push(Span::Scratch(scratch_start, self.scratch.len(), open - 1));
        } else {
            self.spans.push(Span::Chunk(open, close.min(data.len())));
        }
        ends_record
    }

    /// The fields of the record just split.
    fn fields(&self) -> &[Span] {
        &self.spans
    }

    fn field(&self, span: Span) -> &[u8] {
        match span {
            Span::Chunk(a, b) => &self.data[a..b],
            Span::Scratch(a, b, _) => &self.scratch[a..b],
        }
    }
}

/// A chunk parsed: the typed frame, the number of lines the chunk spans,
/// and the cells that could not be read as their column's type (placed by
/// their 0-based line in the chunk).
pub(super) struct Parsed {
    frame: DataFrame,
    lines: usize,
    bad: Vec<BadRows>,
}

/// Parses one chunk of whole records into typed columns. A field that
/// cannot be read as its column's type is null, and listed. Fails with
/// `Ok` where a field is not UTF-8 (see `load::parse_text`), else with the
/// chunk-relative line (0-based) of the first bad record and what is wrong
/// with it.
pub(super) fn parse_chunk(
    chunk: &[u8],
    header: &Header,
    documented: Documented,
) -> Result<Parsed, Result<ChunkNotUtf8, (usize, String)>> {
    let width = header.names.len();
    // At most a record a line (a quoted field may span lines), and a record
    // has a byte per field at least: builders never grow, and hold little
    // more than they need.
    let lines_in_chunk = count_newlines(chunk);
    let capacity = (lines_in_chunk + 1).min(chunk.len() / width.max(1) + 1);
    let mut builders: Vec<Builder> = header
        .names
        .iter()
        .zip(&header.kinds)
        .map(|(n, k)| Builder::new(n, *k, capacity))
        .collect();
    // Per column, the fields that could not be read, made when one is met.
    let mut bad: Vec<Option<BadRows>> = Vec::new();
    let mut lines = Lines::new(chunk);
    let mut records = Records::new(chunk, header.separator);
    let mut rows = 0usize;
    while let Some(start) = records.next_record() {
        let fields = records.fields();
        if fields.len() != width {
            // A blank line is not a record.
            if fields.len() == 1 && records.field(fields[0]).trim_ascii().is_empty() {
                continue;
            }
            return Err(Err((
                line_at(chunk, start as u64) - 1,
                format!(
                    "ragged row: {} field{} where the header has {width}",
                    fields.len(),
                    if fields.len() == 1 { "" } else { "s" }
                ),
            )));
        }
        for (i, (builder, &span)) in builders.iter_mut().zip(fields.iter()).enumerate() {
            let field = records.field(span);
            match builder.push(field) {
                Ok(()) => {}
                Err(FieldError::Utf8 { byte, offset }) => {
                    let line = lines.of(span.start()) + count_newlines(&field[..offset]);
                    return Err(Ok(ChunkNotUtf8 { line, byte }));
                }
                Err(FieldError::Type) => {
                    builder.push_null();
                    if bad.len() <= i {
                        bad.resize(width, None);
                    }
                    let kind = header.kinds[i].unwrap_or(KqlType::String);
                    // Fields that fail were checked to be UTF-8 first.
                    let text = String::from_utf8_lossy(field);
                    bad[i]
                        .get_or_insert_with(|| BadRows::new(&header.names[i], kind))
                        .add(lines.of(span.start()), &text);
                }
            }
        }
        rows += 1;
    }
    let columns = builders
        .into_iter()
        .map(|b| b.finish().map(IntoColumn::into_column))
        .collect::<PolarsResult<Vec<_>>>()
        .map_err(|e| Err((0, e.to_string())))?;
    let frame = DataFrame::new(rows, columns).map_err(|e| Err((0, e.to_string())))?;
    // Documented columns are typed already, so typing finds no bad cell
    // of its own.
    let (frame, _) =
        normalize::type_chunk(documented, frame).map_err(|e| Err((0, e.to_string())))?;
    let frame = encode_inferred_text(frame, header).map_err(|e| Err((0, e.to_string())))?;
    Ok(Parsed {
        frame,
        lines: lines_in_chunk,
        bad: bad.into_iter().flatten().collect(),
    })
}

/// Encodes the text columns of a typed chunk that were not documented as
/// text (documented text is encoded as it is parsed): typing has now found
/// they hold text, not numbers or times.
fn encode_inferred_text(frame: DataFrame, header: &Header) -> PolarsResult<DataFrame> {
    let height = frame.height();
    let columns = frame
        .into_columns()
        .into_iter()
        .zip(&header.kinds)
        .map(|(column, kind)| {
            if kind.is_none()
                && column.dtype() == &DataType::String
                && let Some(encoded) = encode::encode(column.as_materialized_series().str()?)?
            {
                return Ok(encoded.into_column());
            }
            Ok(column)
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(height, columns)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ends_respect_quotes() {
        let s = b"a,\"x\ny\",b\nc,d,e\npartial";
        assert_eq!(first_record_end(s), Some(10));
        assert_eq!(last_record_end(s), Some(16));
        assert_eq!(last_record_end(b"\"open\nquote"), None);
        assert_eq!(last_record_end(b"a\n\"open\nquote"), Some(2));
    }

    #[test]
    fn header_names_are_made_unique() {
        assert_eq!(
            parse_header(b"A,,A,\"B,C\"\r\n", b',').unwrap(),
            vec!["A", "Column2", "A1", "B,C"]
        );
    }

    fn split(data: &[u8]) -> Vec<Vec<String>> {
        let mut r = Records::new(data, b',');
        let mut out = Vec::new();
        while r.next_record().is_some() {
            out.push(
                r.fields()
                    .iter()
                    .map(|&f| String::from_utf8_lossy(r.field(f)).into_owned())
                    .collect(),
            );
        }
        out
    }

    #[test]
    fn records_split_like_rfc_4180() {
        assert_eq!(split(b"a,b\r\nc,\n"), [vec!["a", "b"], vec!["c", ""]]);
        assert_eq!(
            split(b"\"x,\"\"y\"\"\",\"multi\r\nline\"\r\nlast,\"\"\n"),
            [vec!["x,\"y\"", "multi\r\nline"], vec!["last", ""]]
        );
        assert_eq!(
            split(b"\"q\"tail,a\"b\nend"),
            [vec!["qtail", "a\"b"], vec!["end"]]
        );
        assert_eq!(split(b"\n\r\nx"), [vec![""], vec![""], vec!["x"]]);
        assert_eq!(split(b"\"open,ended\n"), [vec!["open,ended\n"]]);
        assert_eq!(split(b",,"), [vec!["", "", ""]]);
    }

    #[test]
    fn fast_ints() {
        assert_eq!(fast_int(b"-42"), Some(-42));
        assert_eq!(fast_int(b"4 2"), None);
        assert_eq!(fast_int(b""), None);
        assert_eq!(fast_int(b"-"), None);
    }
}
