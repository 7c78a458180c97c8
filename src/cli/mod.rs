//! The command line: `quarry [PATH...]` and its subcommands.

mod clock;
mod query;
mod sample;
mod tables;

pub use clock::Clock;

use clap::{Parser, Subcommand};

/// Quarry: hunt through exported Defender and Sentinel tables with KQL, offline.
#[derive(Debug, Parser)]
#[command(name = "quarry", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Files or folders of exported tables (default: the bundled sample data).
    /// `Name=path` names a table explicitly.
    paths: Vec<String>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// List the tables: row counts, time ranges, columns and types, and the
    /// files that failed to load.
    Tables(tables::Args),
    /// Run a KQL query and print or save its result.
    Query(query::Args),
    /// Generate realistic sample data with the planted hunting stories.
    Sample(sample::Args),
}

/// Runs the command line; returns the process exit status.
pub fn main() -> i32 {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Tables(args)) => tables::run(args),
        Some(Command::Query(args)) => query::run_cli(args),
        Some(Command::Sample(args)) => sample::run(args),
        None => tables::run(tables::Args { paths: cli.paths }),
    }
}

/// The bundled sample data: the crate's `sample-data/` folder, found
/// relative to the source tree the binary was built from, so it opens
/// wherever the binary is started.
pub fn sample_data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("sample-data")
}

/// The paths to load: those given, or the bundled sample data.
pub fn paths_or_sample(paths: Vec<String>) -> Vec<String> {
    if paths.is_empty() {
        vec![sample_data_dir().to_string_lossy().into_owned()]
    } else {
        paths
    }
}
