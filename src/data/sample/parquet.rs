//! A Parquet sink for the generator: rows are gathered into typed columns a
//! batch at a time and written as row groups, so memory stays bounded.

use std::fs::File;
use std::io;

use polars::prelude::*;

use super::sink::{Cell, RowSink, TableSpec};
use crate::data::types::KqlType;

/// Rows per row group.
const BATCH: usize = 131_072;

enum Builder {
    Bool(Vec<Option<bool>>),
    Int(Vec<Option<i32>>),
    Long(Vec<Option<i64>>),
    Real(Vec<Option<f64>>),
    Datetime(Vec<Option<i64>>),
    Timespan(Vec<Option<i64>>),
    Text(Vec<String>),
    Dynamic(Vec<Option<Vec<u8>>>),
}

impl Builder {
    fn new(kind: KqlType) -> Builder {
        match kind {
            KqlType::Bool => Builder::Bool(Vec::new()),
            KqlType::Int => Builder::Int(Vec::new()),
            KqlType::Long => Builder::Long(Vec::new()),
            KqlType::Real => Builder::Real(Vec::new()),
            KqlType::Datetime => Builder::Datetime(Vec::new()),
            KqlType::Timespan => Builder::Timespan(Vec::new()),
            KqlType::String => Builder::Text(Vec::new()),
            KqlType::Dynamic => Builder::Dynamic(Vec::new()),
            // The generated tables have no decimal column; one would be
            // written as its text, which loads back as the same digits.
            KqlType::Decimal => Builder::Text(Vec::new()),
        }
    }

    fn push(&mut self, cell: &Cell) {
        match (self, cell) {
            (Builder::Bool(v), Cell::Bool(b)) => v.push(Some(*b)),
            (Builder::Bool(v), _) => v.push(None),
            (Builder::Int(v), Cell::Int(x)) => v.push(Some(*x)),
            (Builder::Int(v), _) => v.push(None),
            (Builder::Long(v), Cell::Long(x)) => v.push(Some(*x)),
            (Builder::Long(v), Cell::Int(x)) => v.push(Some(i64::from(*x))),
            (Builder::Long(v), _) => v.push(None),
            (Builder::Real(v), Cell::Real(x)) => v.push(Some(*x)),
            (Builder::Real(v), _) => v.push(None),
            (Builder::Datetime(v), Cell::Datetime(x)) => v.push(Some(*x)),
            (Builder::Datetime(v), _) => v.push(None),
            (Builder::Timespan(v), Cell::Timespan(x)) => v.push(Some(*x)),
            (Builder::Timespan(v), _) => v.push(None),
            (Builder::Text(v), Cell::Str(s)) => v.push((*s).to_string()),
            (Builder::Text(v), Cell::Dynamic(s)) => v.push((*s).to_string()),
            (Builder::Text(v), _) => v.push(String::new()),
            (Builder::Dynamic(v), Cell::Dynamic(s)) => v.push(Some(s.as_bytes().to_vec())),
            (Builder::Dynamic(v), _) => v.push(None),
        }
    }

    fn take(&mut self, name: &str) -> Column {
        let name: PlSmallStr = name.into();
        match self {
            Builder::Bool(v) => Column::new(name, std::mem::take(v)),
            Builder::Int(v) => Column::new(name, std::mem::take(v)),
            Builder::Long(v) => Column::new(name, std::mem::take(v)),
            Builder::Real(v) => Column::new(name, std::mem::take(v)),
            Builder::Datetime(v) => {
                Int64Chunked::from_iter_options(name, std::mem::take(v).into_iter())
                    .into_datetime(TimeUnit::Nanoseconds, None)
                    .into_column()
            }
            Builder::Timespan(v) => {
                Int64Chunked::from_iter_options(name, std::mem::take(v).into_iter())
                    .into_duration(TimeUnit::Nanoseconds)
                    .into_column()
            }
            Builder::Text(v) => Column::new(name, std::mem::take(v)),
            Builder::Dynamic(v) => {
                let ca: BinaryChunked = std::mem::take(v).into_iter().collect();
                ca.with_name(name).into_column()
            }
        }
    }
}

/// Writes one table to a Parquet file.
pub struct ParquetSink {
    names: Vec<String>,
    builders: Vec<Builder>,
    rows: usize,
    writer: Option<polars::io::parquet::write::BatchedWriter<File>>,
    file: Option<File>,
}

impl ParquetSink {
    pub fn new(file: File, spec: &TableSpec) -> ParquetSink {
        ParquetSink {
            names: spec.columns.iter().map(|(n, _)| n.clone()).collect(),
            builders: spec.columns.iter().map(|(_, k)| Builder::new(*k)).collect(),
            rows: 0,
            writer: None,
            file: Some(file),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.rows == 0 && self.writer.is_some() {
            return Ok(());
        }
        let columns: Vec<Column> = self
            .builders
            .iter_mut()
            .zip(&self.names)
            .map(|(b, n)| b.take(n))
            .collect();
        let frame = DataFrame::new(self.rows, columns).map_err(io::Error::other)?;
        self.rows = 0;
        if self.writer.is_none() {
            let file = self
                .file
                .take()
                .ok_or_else(|| io::Error::other("parquet sink already finished"))?;
            let w = ParquetWriter::new(file)
                .with_compression(ParquetCompression::Zstd(None))
                .batched(frame.schema())
                .map_err(io::Error::other)?;
            self.writer = Some(w);
        }
        if let Some(w) = self.writer.as_mut() {
            w.write_batch(&frame).map_err(io::Error::other)?;
        }
        Ok(())
    }
}

impl RowSink for ParquetSink {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        for (b, c) in self.builders.iter_mut().zip(cells) {
            b.push(c);
        }
        self.rows += 1;
        if self.rows >= BATCH {
            self.flush()?;
        }
        Ok(())
    }

    fn finish(mut self: Box<Self>) -> io::Result<()> {
        self.flush()?;
        if let Some(w) = self.writer.take() {
            w.finish().map_err(io::Error::other)?;
        }
        Ok(())
    }
}
