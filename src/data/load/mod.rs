//! Reading table sources into typed frames.
//!
//! Each format reader produces a frame of raw columns; [`normalize`] then
//! gives every column its KQL type. Readers stream their input in chunks,
//! report progress after each, and stop when cancelled, so the workbench can
//! show a multi-gigabyte folder at once and fill it in the background.
//!
//! [`normalize`]: super::normalize

mod csv;
mod json;
mod parquet;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};

use polars::prelude::*;

use super::catalog::{Catalog, LoadError, Table};
use super::normalize::normalize;
use super::source::{Compression, Format, SourceFile, TableSource, discover};

/// How far loading has got, reported after each chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The table being loaded.
    pub table: String,
    /// Rows read so far in this table.
    pub rows: usize,
    /// Bytes of the (compressed) input read so far in this table.
    pub bytes: u64,
    /// Total bytes of this table's files on disk.
    pub total_bytes: u64,
}

/// Progress reporting and cancellation for a load.
pub struct LoadControl<'a> {
    pub progress: &'a (dyn Fn(&Progress) + Sync),
    pub cancel: &'a AtomicBool,
}

impl LoadControl<'_> {
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }
}

/// What a reader gives back: a raw frame per table (an envelope file may
/// hold several tables), before normalisation.
pub(crate) type RawTables = Vec<(Option<String>, DataFrame)>;

/// Counts bytes as they are read from the file on disk, before
/// decompression, so progress is against the file size.
struct Counting<R> {
    inner: R,
    count: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a file for streaming reads, decompressing by its extension.
pub(crate) fn open(
    file: &SourceFile,
    counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
) -> std::io::Result<Box<dyn Read + Send>> {
    let raw = Counting {
        inner: File::open(&file.path)?,
        count: counter,
    };
    Ok(match file.compression {
        Compression::None => Box::new(BufReader::with_capacity(1 << 20, raw)),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::new(raw))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
    })
}

/// Describes an I/O error from a decompressing reader in the user's terms.
pub(crate) fn io_message(file: &SourceFile, e: &std::io::Error) -> String {
    match (file.compression, e.kind()) {
        (Compression::Gzip, std::io::ErrorKind::UnexpectedEof) => {
            "truncated gzip stream (the file ends before the compressed data does)".into()
        }
        (Compression::Gzip, _) => format!("corrupt gzip data: {e}"),
        (Compression::Zstd, _) => format!("corrupt or truncated zstd data: {e}"),
        _ => e.to_string(),
    }
}

/// Loads every source into a catalog. Files that fail are listed in
/// `catalog.errors`; the other tables still load.
pub fn load_sources(sources: &[TableSource], control: &LoadControl) -> Catalog {
    let mut catalog = Catalog::new();
    for source in sources {
        if control.cancelled() {
            break;
        }
        let (tables, errors) = load_table(source, control);
        catalog.errors.extend(errors);
        for table in tables {
            match catalog.get(&table.name) {
                // Several sources may feed one table (envelopes of several files).
                Some(existing) => {
                    let mut merged = existing.clone();
                    match concat_frames(vec![merged.frame.clone(), table.frame]) {
                        Ok(frame) => {
                            merged.frame = frame;
                            merged.files.extend(table.files);
                            catalog.insert(merged);
                        }
                        Err(e) => catalog.errors.push(LoadError::new(
                            table.files.first().map_or(Path::new(""), |p| p.as_path()),
                            None,
                            format!("cannot append to table {}: {e}", table.name),
                        )),
                    }
                }
                None => catalog.insert(table),
            }
        }
    }
    catalog
}

/// Discovers and loads the paths, with no progress reporting.
pub fn load_paths(paths: &[String]) -> Catalog {
    let (sources, errors) = discover(paths);
    let cancel = AtomicBool::new(false);
    let control = LoadControl {
        progress: &|_| {},
        cancel: &cancel,
    };
    let mut catalog = load_sources(&sources, &control);
    catalog.errors.splice(0..0, errors);
    catalog
}

/// Loads one table source: each of its files, normalised and concatenated.
pub fn load_table(source: &TableSource, control: &LoadControl) -> (Vec<Table>, Vec<LoadError>) {
    let total_bytes: u64 = source
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    let mut errors = Vec::new();
    // Per table name: frames and the files they came from, in order.
    let mut parts: Vec<(String, Vec<DataFrame>, Vec<std::path::PathBuf>)> = Vec::new();
    let mut done_bytes = 0u64;
    let mut done_rows = 0usize;
    for file in &source.files {
        if control.cancelled() {
            break;
        }
        let report = |rows: usize, bytes: u64| {
            (control.progress)(&Progress {
                table: source.name.clone(),
                rows: done_rows + rows,
                bytes: done_bytes + bytes,
                total_bytes,
            })
        };
        let result = match file.format {
            Format::Csv => csv::read(file, &report, control),
            Format::Json => json::read(file, &report, control),
            Format::Parquet => parquet::read(file, &report, control),
        };
        done_bytes += std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0);
        match result {
            Ok(raw) => {
                for (name, frame) in raw {
                    let name = match name {
                        Some(n) if !source.explicit_name => n,
                        _ => source.name.clone(),
                    };
                    let frame = match normalize(&name, frame) {
                        Ok(f) => f,
                        Err(e) => {
                            errors.push(LoadError::new(&file.path, None, e.to_string()));
                            continue;
                        }
                    };
                    done_rows += frame.height();
                    match parts.iter_mut().find(|(n, _, _)| *n == name) {
                        Some((_, frames, files)) => {
                            frames.push(frame);
                            files.push(file.path.clone());
                        }
                        None => parts.push((name, vec![frame], vec![file.path.clone()])),
                    }
                }
            }
            Err(e) => errors.push(e),
        }
    }
    let mut tables = Vec::new();
    for (name, frames, files) in parts {
        match concat_frames(frames) {
            Ok(frame) => tables.push(Table { name, frame, files }),
            Err(e) => errors.push(LoadError::new(
                files.first().map_or(Path::new(""), |p| p.as_path()),
                None,
                format!("the files of table {name} do not fit together: {e}"),
            )),
        }
    }
    (tables, errors)
}

/// Concatenates frames by column name; a column missing from some frames is
/// filled with nulls (empty strings for string columns).
pub(crate) fn concat_frames(frames: Vec<DataFrame>) -> PolarsResult<DataFrame> {
    let mut frames = frames.into_iter();
    let Some(first) = frames.next() else {
        return Ok(DataFrame::empty());
    };
    let rest: Vec<DataFrame> = frames.collect();
    if rest.is_empty() {
        return Ok(first);
    }
    let same = rest.iter().all(|f| f.schema() == first.schema());
    let mut out = if same {
        let mut out = first;
        for f in rest {
            out.vstack_mut_owned(f)?;
        }
        out
    } else {
        let all: Vec<DataFrame> = std::iter::once(first).chain(rest).collect();
        let lazies: Vec<LazyFrame> = all.into_iter().map(|f| f.lazy()).collect();
        let out = concat_lf_diagonal(lazies, UnionArgs::default())?.collect()?;
        super::normalize::fill_string_nulls(out)?
    };
    out.rechunk_mut_par();
    Ok(out)
}
