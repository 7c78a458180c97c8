//! Parquet: the footer alone gives the schema and row count (see `peek`);
//! the data is read a few whole row groups at a time, each slice typed as it
//! arrives, so progress is reported and cancellation honoured on large files.

use std::fs::File;

use polars::prelude::*;

use super::parquet_text;
use super::{FileRead, LoadControl, RawTable, Stop};
use crate::data::catalog::LoadError;
use crate::data::encode;
use crate::data::normalize::{self, BadRows};
use crate::data::source::{Compression, SourceFile};
use crate::data::types::KqlType;
use crate::data::warning::{Place, merge_bad};

/// Columns a worker reads (and types and encodes) at a time.
const COLUMNS_PER_READ: usize = 16;

/// Rows per slice, at least: whole row groups are added until it is
/// reached. Exports write row groups of about this size or more, so a
/// slice is usually one row group, which is also the fastest to read.
const SLICE_ROWS: usize = 1 << 17;

/// Whole row groups read together by one worker.
#[derive(Clone, Debug, Default)]
struct Slice {
    /// The first row's number in the file.
    offset: usize,
    rows: usize,
    /// The row groups' indexes.
    groups: std::ops::Range<usize>,
}

fn refuse_compressed(file: &SourceFile) -> Result<(), LoadError> {
    if file.compression == Compression::None {
        return Ok(());
    }
    Err(LoadError::new(
        &file.path,
        None,
        "compressed Parquet is not read: Parquet compresses its own pages; decompress the file first",
    ))
}

fn reader(file: &SourceFile) -> Result<ParquetReader<File>, LoadError> {
    let f = File::open(&file.path).map_err(|e| LoadError::new(&file.path, None, e.to_string()))?;
    Ok(ParquetReader::new(f))
}

fn not_parquet(file: &SourceFile, e: PolarsError) -> LoadError {
    LoadError::new(
        &file.path,
        None,
        format!(
            "not a readable Parquet file: {}",
            first_line(&e.to_string())
        ),
    )
}

/// Polars' messages can run to a paragraph of hints; the first line says it.
fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text).trim()
}

/// The row count and columns (with their KQL types) from the footer.
pub(super) fn peek(file: &SourceFile) -> Result<(u64, super::ColumnTypes), LoadError> {
    refuse_compressed(file)?;
    let mut reader = reader(file)?;
    let rows = reader.num_rows().map_err(|e| not_parquet(file, e))?;
    let schema = reader.schema().map_err(|e| not_parquet(file, e))?;
    let columns = schema
        .iter()
        .map(|(name, field)| {
            let dtype = DataType::from_arrow_field(field);
            (name.to_string(), Some(normalize::kql_type_of(&dtype)))
        })
        .collect();
    Ok((rows as u64, columns))
}

pub(super) fn read(
    file: &SourceFile,
    table: &str,
    report: &dyn Fn(usize, u64),
    control: &LoadControl,
) -> Result<FileRead, Stop> {
    let err = |msg: String| LoadError::new(&file.path, None, msg);
    refuse_compressed(file)?;
    let documented = crate::data::schema::documented(table);
    let size = std::fs::metadata(&file.path).map_or(0, |m| m.len());
    let mut first = reader(file)?;
    let metadata = first
        .get_metadata()
        .map_err(|e| not_parquet(file, e))?
        .clone();
    let total = metadata.num_rows;
    let width = first.schema().map_err(|e| not_parquet(file, e))?.len();
    // Columns read together: a worker holds one group's text as Polars
    // decodes it (16 bytes a cell) only until it is encoded, so the memory
    // a load passes through, and the allocator keeps, is a few columns'
    // worth, not a whole row group's.
    let column_groups: Vec<Vec<usize>> = (0..width)
        .collect::<Vec<_>>()
        .chunks(COLUMNS_PER_READ)
        .map(<[usize]>::to_vec)
        .collect();
    // Slices of whole row groups, so that no group is decoded twice.
    let mut slices: Vec<Slice> = Vec::new();
    let mut next_slice = Slice::default();
    for (i, group) in metadata.row_groups.iter().enumerate() {
        next_slice.rows += group.num_rows();
        next_slice.groups.end = i + 1;
        if next_slice.rows >= SLICE_ROWS {
            let after = Slice {
                offset: next_slice.offset + next_slice.rows,
                rows: 0,
                groups: i + 1..i + 1,
            };
            slices.push(std::mem::replace(&mut next_slice, after));
        }
    }
    if next_slice.rows > 0 || slices.is_empty() {
        slices.push(next_slice);
    }
    // Text columns that may be read from their dictionary pages: those
    // documented as text, or not documented at all.
    let schema = first.schema().map_err(|e| not_parquet(file, e))?;
    let text: Vec<bool> = schema
        .iter()
        .map(|(name, field)| {
            parquet_text::is_text(field.dtype())
                && matches!(
                    normalize::lookup(documented, name),
                    None | Some(KqlType::String)
                )
        })
        .collect();
    let any_text = text.iter().any(|&t| t);
    // Slices are read and typed by worker threads (Polars decodes a single
    // row group on one thread), and taken in order.
    let mut jobs = slices.into_iter();
    let mut next = |_: Option<Slice>| Ok::<_, LoadError>(jobs.next());
    type SliceRead = (DataFrame, Vec<BadRows>, usize);
    let read_slice = |slice: &Slice| -> Result<SliceRead, LoadError> {
        let range = (total > SLICE_ROWS).then_some((slice.offset, slice.rows));
        let groups = &metadata.row_groups[slice.groups.clone()];
        // Mapped per slice, so that the file's pages are let go as the
        // load goes, not held until its end.
        let bytes = if any_text {
            Some(parquet_text::FileBytes::map(&file.path).map_err(err)?)
        } else {
            None
        };
        let mut columns: Vec<Option<Column>> = vec![None; width];
        let mut bad = Vec::new();
        for group in &column_groups {
            let mut rest = Vec::with_capacity(group.len());
            for &i in group {
                let from_dictionary = match (&bytes, schema.get_at_index(i)) {
                    (Some(bytes), Some((name, _))) if text[i] => {
                        parquet_text::read_dictionary(bytes, groups, name)
                            .map(|parts| {
                                let documented_string =
                                    normalize::lookup(documented, name) == Some(KqlType::String);
                                parquet_text::typed(name.clone(), &parts, documented_string)
                            })
                            .transpose()
                            .map_err(|e| err(e.to_string()))?
                    }
                    _ => None,
                };
                match from_dictionary {
                    Some(typed) => columns[i] = Some(typed.into_column()),
                    None => rest.push(i),
                }
            }
            if rest.is_empty() {
                continue;
            }
            let mut reader = reader(file)?;
            reader.set_metadata(metadata.clone());
            let frame = reader
                .with_projection(Some(rest.clone()))
                .with_slice(range)
                .finish()
                .map_err(|e| {
                    err(format!(
                        "cannot read Parquet: {}",
                        first_line(&e.to_string())
                    ))
                })?;
            let (typed, rows) =
                normalize::type_chunk(documented, frame).map_err(|e| err(e.to_string()))?;
            // Encoded by the worker, so the text of the whole table is
            // never held at once.
            let typed = encode::encode_frame(typed).map_err(|e| err(e.to_string()))?;
            for (i, column) in rest.into_iter().zip(typed.into_columns()) {
                columns[i] = Some(column);
            }
            bad.extend(rows);
        }
        let columns: Vec<Column> = columns.into_iter().flatten().collect();
        let typed = DataFrame::new(slice.rows, columns).map_err(|e| err(e.to_string()))?;
        Ok((typed, bad, slice.offset))
    };
    let mut chunks = Vec::new();
    let mut bad = Vec::new();
    let mut done = 0usize;
    super::pipeline(
        &mut next,
        read_slice,
        |slice| {
            let (typed, rows, offset) = slice?;
            for rows in rows {
                merge_bad(
                    &mut bad,
                    rows.into_cells(&file.path, |row| Place::Row(offset + row + 1)),
                );
            }
            done += typed.height();
            chunks.push(typed);
            report(done, size * done as u64 / total.max(1) as u64);
            Ok(())
        },
        control,
        err,
    )?;
    let frame = normalize::assemble(chunks).map_err(|e| err(e.to_string()))?;
    Ok(FileRead {
        tables: vec![RawTable {
            name: None,
            frame,
            bad,
        }],
        not_utf8: None,
    })
}
