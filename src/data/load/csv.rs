//! CSV and TSV: streamed in chunks that end on record boundaries, each parsed
//! by Polars' multi-threaded reader as text columns (types come later, from
//! `normalize`), so memory stays bounded and progress can be reported.

use std::io::{Cursor, Read};
use std::sync::atomic::AtomicU64;
use std::sync::Arc;

use polars::prelude::*;

use super::{LoadControl, RawTables, io_message, open};
use crate::data::catalog::LoadError;
use crate::data::source::SourceFile;

/// Bytes per parsed chunk: large enough for Polars to parallelise, small
/// enough for frequent progress and prompt cancellation.
const CHUNK: usize = 16 << 20;

pub(super) fn read(
    file: &SourceFile,
    report: &dyn Fn(usize, u64),
    control: &LoadControl,
) -> Result<RawTables, LoadError> {
    let err = |line: Option<usize>, msg: String| LoadError::new(&file.path, line, msg);
    let counter = Arc::new(AtomicU64::new(0));
    let mut input = open(file, counter.clone()).map_err(|e| err(None, e.to_string()))?;
    let mut buf: Vec<u8> = Vec::with_capacity(CHUNK + (1 << 20));
    let mut eof = fill(&mut input, &mut buf, CHUNK).map_err(|e| err(None, io_message(file, &e)))?;

    if buf.starts_with(&[0xFF, 0xFE]) || buf.starts_with(&[0xFE, 0xFF]) {
        return Err(err(
            Some(1),
            "the file is UTF-16 text; save it as UTF-8 (Excel: CSV UTF-8)".into(),
        ));
    }
    let mut start = if buf.starts_with(&[0xEF, 0xBB, 0xBF]) { 3 } else { 0 };
    // Blank lines before the header are skipped, as Excel does.
    while start < buf.len() && (buf[start] == b'\n' || buf[start] == b'\r') {
        start += 1;
    }
    if buf[start..].iter().all(|b| b.is_ascii_whitespace()) {
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
        eof = fill(&mut input, &mut buf, CHUNK).map_err(|e| err(None, io_message(file, &e)))?;
    };
    let header_bytes = &buf[start..header_end];
    let lines_before_header = count_newlines(&buf[..start]);
    let separator = sniff_separator(header_bytes, file);
    let names = parse_header(header_bytes, separator)
        .map_err(|m| err(Some(lines_before_header + 1), m))?;
    let schema: SchemaRef = Arc::new(
        names
            .iter()
            .map(|n| Field::new(n.as_str().into(), DataType::String))
            .collect(),
    );

    let mut frames = Vec::new();
    let mut rows = 0usize;
    // 1-based line number of the first line of the pending chunk.
    let mut line = lines_before_header + count_newlines(&buf[start..header_end]) + 1;
    buf.drain(..header_end);
    loop {
        if control.cancelled() {
            return Err(err(None, "loading cancelled".into()));
        }
        let cut = if eof {
            buf.len()
        } else {
            match last_record_end(&buf) {
                Some(cut) => cut,
                None => {
                    // One record is longer than a chunk: read on.
                    eof = fill(&mut input, &mut buf, CHUNK)
                        .map_err(|e| err(Some(line), io_message(file, &e)))?;
                    continue;
                }
            }
        };
        let chunk = &buf[..cut];
        if !chunk.iter().all(|b| b.is_ascii_whitespace()) {
            let frame = parse_chunk(chunk, &schema, separator, names.len(), line)
                .map_err(|(l, m)| err(Some(l), m))?;
            rows += frame.height();
            frames.push(frame);
        }
        line += count_newlines(chunk);
        report(rows, counter.load(std::sync::atomic::Ordering::Relaxed));
        buf.drain(..cut);
        if eof && buf.is_empty() {
            break;
        }
        eof = fill(&mut input, &mut buf, CHUNK).map_err(|e| err(Some(line), io_message(file, &e)))?;
    }
    let frame = if frames.is_empty() {
        DataFrame::empty_with_schema(&schema)
    } else {
        super::concat_frames(frames).map_err(|e| err(None, e.to_string()))?
    };
    Ok(vec![(None, frame)])
}

/// Reads until `buf` holds at least `want` more bytes or the input ends;
/// returns whether it ended.
fn fill(input: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let target = buf.len() + want;
    let mut tmp = vec![0u8; 1 << 20];
    while buf.len() < target {
        let n = input.read(&mut tmp)?;
        if n == 0 {
            return Ok(true);
        }
        buf.extend_from_slice(&tmp[..n]);
    }
    Ok(false)
}

fn count_newlines(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| b == b'\n').count()
}

/// The end (after the newline) of the first record. A newline ends a record
/// only outside quotes; with RFC 4180's doubled quotes, that is where the
/// count of quote characters so far is even.
fn first_record_end(bytes: &[u8]) -> Option<usize> {
    let mut quoted = false;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => return Some(i + 1),
            _ => {}
        }
    }
    None
}

/// The end (after the newline) of the last complete record in `bytes`, which
/// starts on a record boundary.
fn last_record_end(bytes: &[u8]) -> Option<usize> {
    let mut quoted = false;
    let mut last = None;
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'"' => quoted = !quoted,
            b'\n' if !quoted => last = Some(i + 1),
            _ => {}
        }
    }
    last
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
        } else if !quoted {
            if let Some(i) = candidates.iter().position(|&c| c == b) {
                counts[i] += 1;
            }
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
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .delimiter(separator)
        .from_reader(header);
    let mut record = ::csv::ByteRecord::new();
    match reader.read_byte_record(&mut record) {
        Ok(true) => {}
        Ok(false) => return Err("empty file: no header line".into()),
        Err(e) => return Err(format!("cannot read the header: {e}")),
    }
    let mut names: Vec<String> = Vec::new();
    for (i, field) in record.iter().enumerate() {
        let name = std::str::from_utf8(field)
            .map_err(|_| "the header is not valid UTF-8".to_string())?
            .trim()
            .trim_end_matches('\r')
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

/// Parses one chunk of whole records into text columns. A record with too
/// many or too few fields, or bytes that are not UTF-8, is an error that
/// names its line.
fn parse_chunk(
    chunk: &[u8],
    schema: &SchemaRef,
    separator: u8,
    width: usize,
    first_line: usize,
) -> Result<DataFrame, (usize, String)> {
    let parse_options = CsvParseOptions::default()
        .with_separator(separator)
        .with_quote_char(Some(b'"'))
        .with_missing_is_null(false)
        .with_truncate_ragged_lines(false);
    let result = CsvReadOptions::default()
        .with_has_header(false)
        .with_schema(Some(schema.clone()))
        .with_parse_options(parse_options)
        .with_rechunk(false)
        .into_reader_with_file_handle(Cursor::new(chunk))
        .finish();
    match result {
        Ok(frame) => {
            // Polars pads a short record with nulls, while an empty field
            // reads as "": a null in the last column marks a short record.
            let last = frame.columns().last();
            if last.is_some_and(|c| c.null_count() > 0) {
                return Err(locate_bad_record(chunk, separator, width, first_line)
                    .unwrap_or((first_line, "a record has too few fields".into())));
            }
            Ok(frame)
        }
        Err(e) => Err(locate_bad_record(chunk, separator, width, first_line)
            .unwrap_or((first_line, format!("cannot parse CSV: {e}")))),
    }
}

/// Finds the first record in a chunk that has the wrong number of fields or
/// is not UTF-8. Only runs when a chunk failed, so the common path pays nothing.
fn locate_bad_record(
    chunk: &[u8],
    separator: u8,
    width: usize,
    first_line: usize,
) -> Option<(usize, String)> {
    let mut reader = ::csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(separator)
        .from_reader(chunk);
    let mut record = ::csv::ByteRecord::new();
    loop {
        let line = first_line + reader.position().line() as usize - 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => return None,
            Ok(true) => {
                // A blank line is not a record.
                if record.len() == 1 && record[0].is_empty() {
                    continue;
                }
                if record.len() != width {
                    let line = first_line + record.position()?.line() as usize - 1;
                    return Some((
                        line,
                        format!(
                            "ragged row: {} fields where the header has {width}",
                            record.len()
                        ),
                    ));
                }
                for (i, field) in record.iter().enumerate() {
                    if let Err(e) = std::str::from_utf8(field) {
                        let line = first_line + record.position()?.line() as usize - 1;
                        return Some((
                            line,
                            format!(
                                "field {} is not valid UTF-8 (byte 0x{:02X} at offset {})",
                                i + 1,
                                field[e.valid_up_to()],
                                e.valid_up_to()
                            ),
                        ));
                    }
                }
            }
            Err(e) => return Some((line, format!("malformed CSV: {e}"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_ends_respect_quotes() {
        let s = b"a,\"x\ny\",b\nc,d,e\npartial";
        assert_eq!(first_record_end(s), Some(11));
        assert_eq!(last_record_end(s), Some(17));
        assert_eq!(last_record_end(b"\"open\nquote"), None);
    }

    #[test]
    fn header_names_are_made_unique() {
        assert_eq!(
            parse_header(b"A,,A,\"B,C\"\r\n", b',').unwrap(),
            vec!["A", "Column2", "A1", "B,C"]
        );
    }
}
