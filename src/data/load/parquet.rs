//! Parquet: read with Polars, in row slices so that progress is reported and
//! cancellation is honoured on large files.

use std::fs::File;

use polars::prelude::*;

use super::{LoadControl, RawTables};
use crate::data::catalog::LoadError;
use crate::data::source::SourceFile;

/// Rows per slice: a few row groups of a typical export.
const SLICE_ROWS: usize = 1 << 20;

pub(super) fn read(
    file: &SourceFile,
    report: &dyn Fn(usize, u64),
    control: &LoadControl,
) -> Result<RawTables, LoadError> {
    let err = |msg: String| LoadError::new(&file.path, None, msg);
    if file.compression != crate::data::source::Compression::None {
        return Err(err(
            "compressed Parquet is not read: Parquet compresses its own pages; decompress the file first".into(),
        ));
    }
    let open = || File::open(&file.path).map_err(|e| err(e.to_string()));
    let size = std::fs::metadata(&file.path).map(|m| m.len()).unwrap_or(0);
    let total = ParquetReader::new(open()?)
        .num_rows()
        .map_err(|e| err(format!("not a readable Parquet file: {e}")))?;
    let mut frames = Vec::new();
    let mut offset = 0;
    loop {
        if control.cancelled() {
            return Err(err("loading cancelled".into()));
        }
        let len = SLICE_ROWS.min(total - offset);
        let slice = if total <= SLICE_ROWS {
            None
        } else {
            Some((offset, len))
        };
        let frame = ParquetReader::new(open()?)
            .with_slice(slice)
            .finish()
            .map_err(|e| err(format!("cannot read Parquet: {e}")))?;
        offset += len;
        frames.push(frame);
        report(offset, size * offset as u64 / total.max(1) as u64);
        if offset >= total {
            break;
        }
    }
    let frame = super::concat_frames(frames).map_err(|e| err(e.to_string()))?;
    Ok(vec![(None, frame)])
}
