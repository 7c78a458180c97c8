//! `quarry sample --out DIR`: realistic data with the planted stories.

use std::fs::OpenOptions;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::data::sample::parquet::ParquetSink;
use crate::data::sample::{RowSink, SampleOptions, TableSpec, TextFormat, generate};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Parquet,
    Jsonl,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Compress {
    None,
    Gzip,
    Zstd,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Folder to write the tables into (created if missing).
    #[arg(long)]
    pub out: PathBuf,
    /// Rows of DeviceNetworkEvents; the other tables scale from it.
    #[arg(long, default_value_t = 50_000)]
    pub rows: usize,
    /// Varies the ordinary traffic; the planted stories never change.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    pub format: Format,
    /// Compression of CSV and JSONL files (Parquet compresses itself).
    /// The bundled sample-data/ is the default: zstd-compressed CSV.
    #[arg(long, value_enum, default_value_t = Compress::Zstd)]
    pub compress: Compress,
    /// The zstd level (1-22): the default keeps the bundled data small; use
    /// a low level or `--compress none` for millions of rows.
    #[arg(long, default_value_t = 19)]
    pub level: i32,
    /// Replace files that already exist.
    #[arg(long)]
    pub force: bool,
}

pub fn run(args: Args) -> i32 {
    match write(&args) {
        Ok(summary) => {
            for (table, rows) in summary {
                eprintln!("{table}: {rows} rows");
            }
            0
        }
        Err(e) => {
            eprintln!("quarry sample: {e}");
            1
        }
    }
}

fn write(args: &Args) -> io::Result<Vec<(String, u64)>> {
    std::fs::create_dir_all(&args.out)?;
    let opts = SampleOptions {
        rows: args.rows,
        seed: args.seed,
    };
    let summary = generate(&opts, &mut |spec| open_sink(args, spec))?;
    Ok(summary.tables)
}

fn create(path: &Path, force: bool) -> io::Result<std::fs::File> {
    let mut o = OpenOptions::new();
    o.write(true);
    if force {
        o.create(true).truncate(true);
    } else {
        o.create_new(true);
    }
    o.open(path).map_err(|e| {
        let hint = if e.kind() == io::ErrorKind::AlreadyExists {
            " (use --force to replace it)"
        } else {
            ""
        };
        io::Error::new(e.kind(), format!("{}: {e}{hint}", path.display()))
    })
}

fn open_sink(args: &Args, spec: &TableSpec) -> io::Result<Box<dyn RowSink>> {
    let (text, ext) = match args.format {
        Format::Parquet => {
            let path = args.out.join(format!("{}.parquet", spec.name));
            return Ok(Box::new(ParquetSink::new(create(&path, args.force)?, spec)));
        }
        Format::Csv => (TextFormat::Csv, "csv"),
        Format::Jsonl => (TextFormat::Jsonl, "jsonl"),
    };
    let suffix = match args.compress {
        Compress::None => "",
        Compress::Gzip => ".gz",
        Compress::Zstd => ".zst",
    };
    let path = args.out.join(format!("{}.{ext}{suffix}", spec.name));
    let file = BufWriter::with_capacity(1 << 20, create(&path, args.force)?);
    let out: Box<dyn Write> = match args.compress {
        Compress::None => Box::new(file),
        // Fixed settings and no timestamps in the header: same options, same bytes.
        // flate2 writes the gzip trailer when the encoder is dropped.
        Compress::Gzip => Box::new(flate2::write::GzEncoder::new(
            file,
            flate2::Compression::new(6),
        )),
        Compress::Zstd => {
            Box::new(zstd::stream::write::Encoder::new(file, args.level)?.auto_finish())
        }
    };
    text.sink(out, spec)
}
