//! What the benchmarks share: the generated sample data they run on.
//!
//! The data is what `quarry sample` writes (5,000,000 network events by
//! default; `QUARRY_BENCH_ROWS` changes it), generated once into
//! `bench-data/<rows>/{csv,parquet}/` (git-ignored) by the release binary.

use std::path::{Path, PathBuf};
use std::process::Command;

use quarry::data::source::{TableSource, discover};

/// Rows of the generated DeviceNetworkEvents table.
pub fn rows() -> usize {
    std::env::var("QUARRY_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000)
}

/// The DeviceNetworkEvents file of the sample data in `format` (`csv` or
/// `parquet`), generated on first use.
pub fn data(format: &str) -> PathBuf {
    let rows = rows();
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench-data")
        .join(rows.to_string())
        .join(format);
    let file = dir.join(format!("DeviceNetworkEvents.{format}"));
    if !file.exists() {
        eprintln!("generating {rows} rows of {format} into {}", dir.display());
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_quarry"));
        cmd.args(["sample", "--out"])
            .arg(&dir)
            .args(["--rows", &rows.to_string(), "--force"]);
        match format {
            "csv" => cmd.args(["--compress", "none"]),
            _ => cmd.args(["--format", "parquet"]),
        };
        let status = cmd.status().expect("run quarry sample");
        assert!(status.success(), "quarry sample failed");
    }
    file
}

/// The table source of `file`.
#[allow(dead_code)] // the workbench bench loads a folder, not one source
pub fn source(file: &Path) -> TableSource {
    let (mut sources, errors) = discover(&[file.to_string_lossy().into_owned()]);
    assert!(errors.is_empty(), "{errors:?}");
    sources.remove(0)
}
