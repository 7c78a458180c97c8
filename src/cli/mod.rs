//! The command line: `quarry [PATH...]` and its subcommands.

mod chart;
mod check;
mod clock;
mod functions;
mod query;
mod remote;
mod results;
mod rules;
mod sample;
mod tables;

pub use clock::Clock;

use clap::{Parser, Subcommand};

/// Quarry: hunt through exported Defender and Sentinel tables with KQL, offline.
#[derive(Debug, Parser)]
#[command(
    name = "quarry",
    version,
    about,
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Files or folders of exported tables (default: the bundled sample data).
    /// `Name=path` names a table explicitly.
    paths: Vec<String>,
    /// The query clock: an RFC 3339 instant, `wall`, or `data` (the newest
    /// datetime in the loaded tables).
    #[arg(long, default_value = "data", value_name = "RFC3339|wall|data")]
    now: Clock,
    /// The colour theme: dark, light, high-contrast, or a user theme
    /// (default: config.toml's, else dark).
    #[arg(long, value_name = "NAME")]
    theme: Option<String>,
    /// The memory a query may use for the rows it builds (`8GB`); a query
    /// that would need more is refused before it allocates (default:
    /// config.toml's `max_memory`, else half of this machine's memory, or
    /// what is free if less).
    #[arg(long, value_name = "SIZE", value_parser = max_memory)]
    max_memory: Option<crate::kql::Budget>,
    /// Open the workbench on a remote engine instead of local files: a Log
    /// Analytics workspace (https://api.loganalytics.io/v1/workspaces/ID),
    /// Defender advanced hunting (https://graph.microsoft.com/v1.0/security)
    /// or a Data Explorer database (https://CLUSTER/DATABASE). The token is
    /// QUARRY_TOKEN's, else the Azure CLI's.
    #[arg(long, value_name = "URL", conflicts_with = "paths")]
    remote: Option<String>,
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
    /// Check that Quarry supports every operator and function of a query
    /// (or of a corpus of queries), without loading data.
    Check(check::Args),
    /// Detection rules: list, show, run, import.
    Rules(rules::Args),
    /// Run a query on a remote engine (Log Analytics, Data Explorer,
    /// Defender) and write its result as a local Parquet table.
    Pull(remote::PullArgs),
}

/// Runs the command line; returns the process exit status.
pub fn main() -> i32 {
    crate::data::load::keep_freed_memory();
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Tables(args)) => tables::run(args),
        Some(Command::Query(args)) => query::run_cli(args),
        Some(Command::Sample(args)) => sample::run(args),
        Some(Command::Check(args)) => check::run(args),
        Some(Command::Rules(args)) => rules::run_cli(args),
        Some(Command::Pull(args)) => remote::pull(args),
        // Only the workbench owns the terminal, so only it is supervised.
        None => crate::tui::supervisor::run(|| {
            workbench(cli.paths, cli.now, cli.theme, cli.max_memory, cli.remote)
        }),
    }
}

/// `quarry [PATH...]`: the workbench.
fn workbench(
    paths: Vec<String>,
    now: Clock,
    theme: Option<String>,
    max_memory: Option<crate::kql::Budget>,
    remote: Option<String>,
) -> i32 {
    // The token is had (or refused) before the terminal is taken.
    let remote = match remote
        .map(|url| crate::remote::Engine::connect(&url, crate::remote::Settings::default()))
    {
        None => None,
        Some(Ok(engine)) => Some(engine),
        Some(Err(e)) => {
            eprintln!("quarry: {e}");
            return 2;
        }
    };
    let sample = paths.is_empty() && remote.is_none();
    let paths = if sample {
        match sample_data_dir() {
            Ok(dir) => vec![dir.to_string_lossy().into_owned()],
            Err(e) => {
                eprintln!("quarry: cannot write the bundled sample data: {e}");
                return 1;
            }
        }
    } else {
        paths
    };
    let options = crate::tui::Options {
        paths,
        sample,
        clock: Box::new(move |catalog| now.resolve(catalog)),
        theme,
        max_memory,
        remote,
    };
    match crate::tui::run(options) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("quarry: {e}");
            1
        }
    }
}

/// The query of `quarry query` and `quarry check`: the argument, or the
/// text of `-f FILE`. On failure, the message is printed and the exit code
/// returned (1 for an unreadable file, 2 for no query at all).
fn query_text(query: &Option<String>, file: &Option<std::path::PathBuf>) -> Result<String, i32> {
    match (query, file) {
        (Some(q), _) => Ok(q.clone()),
        (None, Some(f)) => std::fs::read_to_string(f).map_err(|e| {
            eprintln!("quarry: {}: {e}", f.display());
            1
        }),
        (None, None) => {
            eprintln!("quarry: give a query or -f FILE");
            Err(2)
        }
    }
}

/// The bundled sample data: compiled into the binary and written into the
/// platform data directory on first use (`~/.local/share/quarry/sample-data`
/// on Linux), so it opens wherever the binary is installed and started.
pub fn sample_data_dir() -> std::io::Result<std::path::PathBuf> {
    sample::bundled_dir()
}

/// The data `quarry query`, `quarry rules run` and `quarry tables` read:
/// the data paths given (`--data PATH`, or `PATH` for `tables`),
/// or the sample data when `--sample` asks for it, never the sample data by
/// default: an analyst who forgot `--data` must not get answers about fake
/// data. `Err` is the exit status, after the message: 2 (a usage error,
/// like a missing argument) when no data was given, 1 when the sample data
/// cannot be written.
fn chosen_data(data: &[String], sample: bool, doing: &str) -> Result<Vec<String>, i32> {
    chosen_paths(data, sample, doing, "--data PATH")
}

/// [`chosen_data`], where the paths are given as `how` says.
fn chosen_paths(data: &[String], sample: bool, doing: &str, how: &str) -> Result<Vec<String>, i32> {
    if !data.is_empty() {
        return Ok(data.to_vec());
    }
    if !sample {
        eprintln!(
            "quarry: no data to {doing}: pass {how} (a file or folder of exported tables), \
             or --sample to use the bundled sample data"
        );
        return Err(2);
    }
    match sample_data_dir() {
        Ok(dir) => {
            eprintln!("quarry: using the bundled sample data ({})", dir.display());
            Ok(vec![dir.to_string_lossy().into_owned()])
        }
        Err(e) => {
            eprintln!("quarry: cannot write the bundled sample data: {e}");
            Err(1)
        }
    }
}

/// Loads the tables at `paths` for a command, telling standard error about
/// every file that failed and every cell read as null; returns the catalog
/// and the seconds loading took.
fn load_reporting(paths: &[String]) -> (crate::data::catalog::Catalog, f64) {
    let started = std::time::Instant::now();
    let catalog = crate::data::load::load_paths(paths);
    let load_s = started.elapsed().as_secs_f64();
    for e in &catalog.errors {
        eprintln!("warning: {e}");
    }
    // Cells loaded as null, text read as Windows-1252 (escaped already).
    for line in catalog.warning_lines() {
        eprintln!("warning: {line}");
    }
    (catalog, load_s)
}

/// Reads `--max-memory SIZE` as a query's memory budget.
pub fn max_memory(text: &str) -> Result<crate::kql::Budget, String> {
    crate::kql::limits::parse_size(text).map(crate::kql::Budget::new)
}
