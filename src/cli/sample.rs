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

/// The bundled sample data, compiled into the binary so that an installed
/// `quarry` (`cargo install --path .`, run from any folder) has it too: the
/// files of `sample-data/` as they are in the source tree.
const BUNDLED: &[(&str, &[u8])] = &[
    (
        "DeviceInfo.csv.zst",
        include_bytes!("../../sample-data/DeviceInfo.csv.zst"),
    ),
    (
        "DeviceNetworkEvents.csv.zst",
        include_bytes!("../../sample-data/DeviceNetworkEvents.csv.zst"),
    ),
    (
        "DeviceProcessEvents.csv.zst",
        include_bytes!("../../sample-data/DeviceProcessEvents.csv.zst"),
    ),
    (
        "FileProfiles.csv.zst",
        include_bytes!("../../sample-data/FileProfiles.csv.zst"),
    ),
    (
        "NetworkCommunicationEvents.csv.zst",
        include_bytes!("../../sample-data/NetworkCommunicationEvents.csv.zst"),
    ),
    ("README.md", include_bytes!("../../sample-data/README.md")),
];

/// The file in the installed folder that names the bundle it holds.
const STAMP: &str = ".quarry-sample-version";

/// Names the bundle: a digest of its file names and bytes, so a binary with
/// different sample data (newer or older) rewrites the folder.
fn bundle_stamp() -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (name, bytes) in BUNDLED {
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update((bytes.len() as u64).to_le_bytes());
        h.update(bytes);
    }
    let digest = h.finalize();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("{} {hex}\n", env!("CARGO_PKG_VERSION"))
}

/// The folder holding the bundled sample data, written on first use (and
/// again whenever this binary's bundle differs from the one there) into
/// the platform data directory (`~/.local/share/quarry/sample-data` on
/// Linux), else into the temporary directory.
pub fn bundled_dir() -> io::Result<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(dir) = crate::places::data_file("sample-data") {
        candidates.push(dir);
    }
    candidates.push(std::env::temp_dir().join("quarry-sample-data"));
    let stamp = bundle_stamp();
    let mut last = io::Error::other("no folder to write the sample data into");
    for dir in candidates {
        match install(&dir, &stamp) {
            Ok(()) => return Ok(dir),
            Err(e) => last = io::Error::new(e.kind(), format!("{}: {e}", dir.display())),
        }
    }
    Err(last)
}

/// Makes `dir` hold exactly the bundle stamped `stamp`. Each file is
/// written to a temporary name and renamed into place, the stamp last, so
/// a folder interrupted half-way is rewritten next time and a reader never
/// sees half a file.
fn install(dir: &Path, stamp: &str) -> io::Result<()> {
    let current = std::fs::read_to_string(dir.join(STAMP)).is_ok_and(|s| s == stamp)
        && BUNDLED.iter().all(|(name, bytes)| {
            std::fs::metadata(dir.join(name)).is_ok_and(|m| m.len() == bytes.len() as u64)
        });
    if current {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    // Files of another bundle (a table this one no longer has) would load
    // as tables: the folder is Quarry's own, so they go.
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if entry.file_type()?.is_file() && !BUNDLED.iter().any(|(n, _)| *n == name) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
    for (name, bytes) in BUNDLED {
        write_atomic(&dir.join(name), bytes)?;
    }
    write_atomic(&dir.join(STAMP), stamp.as_bytes())
}

fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    // A dot name: the loader skips it if a reader lists the folder meanwhile.
    let tmp = path.with_file_name(format!(".{name}.{}.tmp", std::process::id()));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundle_is_the_source_trees_sample_data() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data");
        let mut files: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        files.sort();
        let mut bundled: Vec<String> = BUNDLED.iter().map(|(n, _)| n.to_string()).collect();
        bundled.sort();
        assert_eq!(files, bundled, "sample-data/ and BUNDLED list differ");
    }

    #[test]
    fn install_writes_once_and_repairs() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sample-data");
        install(&dir, "v1\n").unwrap();
        let stale = dir.join("Old.csv");
        std::fs::write(&stale, "a\n1\n").unwrap();
        // Same stamp: nothing rewritten (the stray file stays).
        install(&dir, "v1\n").unwrap();
        assert!(stale.exists());
        // A damaged file or another bundle: rewritten, strays removed.
        std::fs::write(dir.join("DeviceInfo.csv.zst"), "x").unwrap();
        install(&dir, "v1\n").unwrap();
        assert!(!stale.exists());
        assert_eq!(
            std::fs::read(dir.join("DeviceInfo.csv.zst")).unwrap(),
            BUNDLED[0].1
        );
        install(&dir, "v2\n").unwrap();
        assert_eq!(std::fs::read_to_string(dir.join(STAMP)).unwrap(), "v2\n");
        let mut names: Vec<String> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names.len(), BUNDLED.len() + 1, "{names:?}");
    }
}
