//! Reading table sources into typed frames.
//!
//! Loading is in two steps, so that the workbench can show a multi-gigabyte
//! folder at once and fill it in the background:
//!
//! 1. [`discover`] turns paths into [`TableSource`]s and [`peek`] describes
//!    each cheaply (name, size, the columns a header or Parquet footer gives,
//!    the exact row count where the format records it) without reading data;
//! 2. [`load_table`] (one source, typically from a worker thread) or
//!    [`load_sources`] (all of them) read the data, reporting [`Progress`]
//!    after each chunk and stopping between chunks when cancelled.
//!
//! Text formats are read in chunks that worker threads parse and type as
//! they arrive, so the raw text of a file is never held whole; Parquet is
//! read a few row groups at a time. `normalize` gives every column its KQL
//! type, per chunk, and joins the chunks.
//!
//! Every failure is a [`LoadError`] naming the file (and the line, where one
//! is to blame); other files and tables still load. A file fails only when
//! it cannot be parsed at all: a value that cannot be read as its column's
//! type is null, and a [`LoadWarning`] of the table says where (see
//! `data::warning`); text that is not UTF-8 is read as Windows-1252 (see
//! `TextCheck`).
//!
//! [`normalize`]: super::normalize

mod chunks;
mod csv;
mod json;
mod memory;
pub use memory::keep_freed_memory;
mod parquet;
mod parquet_text;
mod text;
mod text_column;

pub use memory::OUT_OF_MEMORY;

pub(crate) use chunks::{Progressing, RecordChunks, count_newlines, fill, io_message, pipeline};
pub(crate) use text::{ChunkNotUtf8, TextCheck, TextMode, Utf8Check, open, parse_text};

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use polars::prelude::*;

use super::catalog::{Catalog, LoadError, Table};
use super::source::{Format, TableSource, discover};
use super::types::KqlType;
use super::warning::{BadCells, LoadWarning};
use super::{encode, normalize};

/// The message of the [`LoadError`] a cancelled load ends with.
pub const CANCELLED: &str = "loading cancelled";

/// How far loading a table has got, reported after each chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The table being loaded (the source's name; a streaming-API envelope
    /// file may turn out to hold several tables).
    pub table: String,
    /// Rows read so far in this table.
    pub rows: usize,
    /// Bytes of the (compressed) input read so far in this table.
    pub bytes: u64,
    /// Total bytes of this table's files on disk.
    pub total_bytes: u64,
}

/// Progress reporting and cancellation for a load.
///
/// The callback runs on the loading thread after each chunk (every few
/// megabytes); setting `cancel` stops the load before the next chunk. So
/// does the machine running short of memory (see `memory`).
pub struct LoadControl<'a> {
    pub progress: &'a (dyn Fn(&Progress) + Sync),
    pub cancel: &'a AtomicBool,
    /// Bytes per chunk of text input; `None` for the default (8 MiB). Tests
    /// set it small to put chunk boundaries in awkward places.
    pub chunk_bytes: Option<usize>,
    /// Memory a load leaves free, in bytes: it stops with an error rather
    /// than take it. `None` for the default, a twentieth of the machine's
    /// memory and at least 512 MiB.
    pub keep_free: Option<u64>,
}

/// Chunks (or bytes of earlier files) a load reads before it looks at the
/// memory left: small loads never stop for want of memory, however little
/// the machine has free.
const MEMORY_CHECK_AFTER_CHUNKS: usize = 4;
const MEMORY_CHECK_AFTER_BYTES: u64 = 64 << 20;

impl<'a> LoadControl<'a> {
    /// A control with the default chunk size and memory reserve.
    pub fn new(progress: &'a (dyn Fn(&Progress) + Sync), cancel: &'a AtomicBool) -> Self {
        LoadControl {
            progress,
            cancel,
            chunk_bytes: None,
            keep_free: None,
        }
    }

    /// Whether the load has been asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Why the load must stop before reading on (its error message:
    /// [`CANCELLED`], or one beginning with [`OUT_OF_MEMORY`]); `None` to go
    /// on. `big` says whether enough has been read for memory to matter.
    pub(crate) fn interrupted(&self, big: bool) -> Option<String> {
        if self.cancelled() {
            return Some(CANCELLED.to_string());
        }
        if big {
            return memory::shortage(self.keep_free);
        }
        None
    }
}

/// Column names with the KQL type they will load as, where known (see
/// [`Preview::columns`]).
pub type ColumnTypes = Vec<(String, Option<KqlType>)>;

/// One table read from a file: named by the file's content where it says
/// (a streaming-API envelope's category), typed, with the cells that could
/// not be read.
pub(crate) struct RawTable {
    pub(crate) name: Option<String>,
    pub(crate) frame: DataFrame,
    pub(crate) bad: Vec<BadCells>,
}

/// What a reader gives back: a table per name (a streaming-API envelope
/// file may hold several), and where the file turned out not to be UTF-8.
pub(crate) struct FileRead {
    pub(crate) tables: Vec<RawTable>,
    pub(crate) not_utf8: Option<NotUtf8>,
}

/// The first byte of a file that is not UTF-8, and its 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotUtf8 {
    pub(crate) line: usize,
    pub(crate) byte: u8,
}

/// Why a reader stopped: the file cannot be loaded, or it has to be read
/// again from the start as Windows-1252 (see [`TextCheck`]).
pub(crate) enum Stop {
    Failed(LoadError),
    Reread(NotUtf8),
}

impl From<LoadError> for Stop {
    fn from(e: LoadError) -> Self {
        Stop::Failed(e)
    }
}

/// What is known of a table before it is loaded, found cheaply (a header
/// line, a Parquet footer): enough to list it at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The table's name. For a streaming-API envelope file it comes from the
    /// first record's category (the file may hold more tables).
    pub name: String,
    pub files: Vec<PathBuf>,
    /// Bytes of the files on disk.
    pub bytes: u64,
    /// The exact row count where the format records it (Parquet).
    pub rows: Option<u64>,
    /// The columns of the first file, with the KQL type they will load as
    /// where that is known now (documented tables, Parquet); other types are
    /// inferred from the values when loading.
    pub columns: ColumnTypes,
}

/// Describes a table source without reading its data: see [`Preview`].
pub fn peek(source: &TableSource) -> Result<Preview, LoadError> {
    let bytes = source
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    let mut preview = Preview {
        name: source.name.clone(),
        files: source.files.iter().map(|f| f.path.clone()).collect(),
        bytes,
        rows: None,
        columns: Vec::new(),
    };
    let Some(first) = source.files.first() else {
        return Ok(preview);
    };
    match first.format {
        Format::Csv => preview.columns = csv::peek(first)?,
        Format::Json => {
            let (category, columns) = json::peek(first)?;
            if let Some(category) = category.filter(|_| !source.explicit_name) {
                preview.name = category;
            }
            preview.columns = columns;
        }
        Format::Parquet => {
            let mut rows = 0u64;
            for (i, file) in source.files.iter().enumerate() {
                let (n, columns) = parquet::peek(file)?;
                rows += n;
                if i == 0 {
                    preview.columns = columns;
                }
            }
            preview.rows = Some(rows);
        }
    }
    let documented = super::schema::documented(&preview.name);
    for (name, kind) in &mut preview.columns {
        if let Some(t) = normalize::lookup(documented, name) {
            *kind = Some(t);
        }
    }
    Ok(preview)
}

/// Loads every source into a catalog. Files that fail are listed in
/// `catalog.errors`; the other tables still load. Stops between files (and
/// between chunks) when cancelled.
pub fn load_sources(sources: &[TableSource], control: &LoadControl) -> Catalog {
    let mut catalog = Catalog::new();
    for source in sources {
        if control.cancelled() {
            break;
        }
        let (tables, errors) = load_table(source, control);
        catalog.errors.extend(errors);
        for table in tables {
            if let Err(e) = catalog.merge(table) {
                catalog.errors.push(e);
            }
        }
    }
    catalog
}

/// Discovers and loads the paths, with no progress reporting.
pub fn load_paths(paths: &[String]) -> Catalog {
    let (sources, errors) = discover(paths);
    let cancel = AtomicBool::new(false);
    let control = LoadControl::new(&|_| {}, &cancel);
    let mut catalog = load_sources(&sources, &control);
    catalog.errors.splice(0..0, errors);
    catalog
}

/// Loads one table source: each of its files, typed and joined. Returns the
/// tables (one, or several for streaming-API envelope files) and the files
/// that failed. A file that fails adds nothing to its table.
pub fn load_table(source: &TableSource, control: &LoadControl) -> (Vec<Table>, Vec<LoadError>) {
    let sizes: Vec<u64> = source
        .files
        .iter()
        .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
        .collect();
    let total_bytes: u64 = sizes.iter().sum();
    let mut errors = Vec::new();
    // Per table name, in order: frames, the files they came from, warnings.
    let mut parts: Vec<Part> = Vec::new();
    let mut done_bytes = 0u64;
    let mut done_rows = 0usize;
    for (file, size) in source.files.iter().zip(&sizes) {
        if let Some(why) = control.interrupted(done_bytes >= MEMORY_CHECK_AFTER_BYTES) {
            errors.push(LoadError::new(&file.path, None, why));
            break;
        }
        let report = |rows: usize, bytes: u64| {
            (control.progress)(&Progress {
                table: source.name.clone(),
                rows: done_rows + rows,
                bytes: done_bytes + bytes.min(*size),
                total_bytes,
            })
        };
        let read = |mode: TextMode| match file.format {
            Format::Csv => csv::read(file, &source.name, &report, control, mode),
            Format::Json => json::read(file, &source.name, &report, control, mode),
            Format::Parquet => parquet::read(file, &source.name, &report, control),
        };
        // Text found not to be UTF-8 too late to switch as it reads is read
        // again, as Windows-1252 (see `TextCheck`).
        let result = match read(TextMode::Detect) {
            Err(Stop::Reread(at)) => read(TextMode::Windows1252(at)),
            result => result,
        };
        done_bytes += size;
        match result {
            Ok(FileRead { tables, not_utf8 }) => {
                for raw in tables {
                    let name = match raw.name {
                        Some(n) if !source.explicit_name => n,
                        _ => source.name.clone(),
                    };
                    done_rows += raw.frame.height();
                    let i = match parts.iter().position(|p| p.name == name) {
                        Some(i) => i,
                        None => {
                            parts.push(Part {
                                name,
                                frames: Vec::new(),
                                files: Vec::new(),
                                warnings: Vec::new(),
                            });
                            parts.len() - 1
                        }
                    };
                    let part = &mut parts[i];
                    part.frames.push(raw.frame);
                    part.files.push(file.path.clone());
                    if let Some(NotUtf8 { line, byte }) = not_utf8 {
                        part.warnings.push(LoadWarning::Windows1252 {
                            path: file.path.clone(),
                            line,
                            byte,
                        });
                    }
                    part.warnings
                        .extend(raw.bad.into_iter().map(LoadWarning::BadCells));
                }
            }
            Err(Stop::Failed(e)) => {
                let stop = e.is_cancelled() || e.message.starts_with(OUT_OF_MEMORY);
                errors.push(e);
                if stop {
                    break;
                }
            }
            // Read as Windows-1252, every byte is text: this cannot happen.
            Err(Stop::Reread(at)) => errors.push(LoadError::new(
                &file.path,
                Some(at.line),
                format!("not valid UTF-8 (byte 0x{:02X})", at.byte),
            )),
        }
    }
    let mut tables = Vec::new();
    for Part {
        name,
        frames,
        mut files,
        warnings,
    } in parts
    {
        files.dedup();
        match concat_frames(frames) {
            Ok(frame) => tables.push(Table {
                name,
                frame,
                files,
                warnings,
            }),
            Err(e) => errors.push(LoadError::new(
                files.first().map_or(Path::new(""), |p| p.as_path()),
                None,
                format!("the files of table {name} do not fit together: {e}"),
            )),
        }
    }
    (tables, errors)
}

/// The part of a table read so far.
struct Part {
    name: String,
    frames: Vec<DataFrame>,
    files: Vec<PathBuf>,
    warnings: Vec<LoadWarning>,
}

/// Concatenates typed frames by column name: a column missing from some
/// frames is filled with nulls ("" for strings), and a column typed
/// differently in two frames is widened (see `normalize::assemble`). The
/// table's repetitive text columns are then dictionary-encoded (see
/// `encode`): this is where every loaded table is finished.
pub(crate) fn concat_frames(mut frames: Vec<DataFrame>) -> PolarsResult<DataFrame> {
    let frame = if frames.len() == 1
        && let Some(frame) = frames.pop()
    {
        frame
    } else {
        normalize::assemble(frames)?
    };
    encode::encode_frame(frame)
}
