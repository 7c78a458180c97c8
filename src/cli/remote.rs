//! `quarry query --remote URL` and `quarry pull`: the same KQL run on Log
//! Analytics, Data Explorer or Defender, printed like a local result or
//! brought home as a Parquet table.
//!
//! Exit status: 0 with a result, 2 when the service refused or failed the
//! query (its own message on standard error), or no token could be had,
//! 1 when the result could not be written.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use super::query;
use crate::remote::{Engine, RemoteResult, Settings, save};

/// The default `--timeout`: a little over Log Analytics' 10-minute maximum.
const DEFAULT_TIMEOUT: u64 = 660;

#[derive(Debug, clap::Args)]
pub struct PullArgs {
    /// The remote engine: a Log Analytics workspace
    /// (https://api.loganalytics.io/v1/workspaces/ID), Defender advanced
    /// hunting (https://graph.microsoft.com/v1.0/security) or a Data
    /// Explorer database (https://CLUSTER/DATABASE).
    #[arg(long, value_name = "URL")]
    pub remote: String,
    /// The name of the local table.
    #[arg(long = "as", value_name = "NAME")]
    pub name: String,
    /// The folder of tables to write it into (created if missing); open it
    /// with `quarry DIR`.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// The time range for Log Analytics and Defender: ISO 8601 (`P7D`,
    /// `START/END`) or a KQL timespan (`7d`).
    #[arg(long)]
    pub timespan: Option<String>,
    /// Seconds to wait for the answer.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_TIMEOUT)]
    pub timeout: u64,
    /// Replace the table if DIR already has it.
    #[arg(long)]
    pub force: bool,
    /// Read the query from a file.
    #[arg(short = 'f', long = "file", conflicts_with = "query")]
    pub file: Option<PathBuf>,
    /// The KQL query, run there unchanged.
    #[arg(required_unless_present = "file")]
    pub query: Option<String>,
}

fn settings(timeout: u64) -> Settings {
    Settings {
        timeout: Duration::from_secs(timeout.max(1)),
        ..Settings::default()
    }
}

/// Runs `text` on the engine at `url`; prints what it must on failure and
/// returns the exit status.
fn run_remote(
    url: &str,
    text: &str,
    timespan: Option<&str>,
    timeout: u64,
) -> Result<(RemoteResult, f64), i32> {
    let engine = Engine::connect(url, settings(timeout)).map_err(|e| {
        eprintln!("quarry: {e}");
        2
    })?;
    let started = Instant::now();
    let result = engine
        .run(text, timespan, &|note| eprintln!("quarry: {note}"))
        .map_err(|e| {
            eprintln!("quarry: {e}");
            2
        })?;
    // A partial or capped result is said, never silent.
    for note in &result.notes {
        eprintln!("note: {note}");
    }
    Ok((result, started.elapsed().as_secs_f64()))
}

/// `quarry query --remote URL` (and `--timespan` or `--timeout` without
/// it, which is refused: clap does not check `requires` against an
/// argument that conflicts with one given, such as `--sample`).
pub fn query(args: &query::Args, text: &str) -> i32 {
    let Some(url) = args.remote.as_deref() else {
        eprintln!("quarry: --timespan and --timeout are for a remote engine: add --remote URL");
        return 2;
    };
    let timeout = args.timeout.unwrap_or(DEFAULT_TIMEOUT);
    let (result, secs) = match run_remote(url, text, args.timespan.as_deref(), timeout) {
        Ok(r) => r,
        Err(code) => return code,
    };
    if args.timing {
        eprintln!("remote_query_s={secs:.3} rows={}", result.frame.height());
    }
    match query::write_result(&result.frame, args, &crate::data::catalog::Catalog::new()) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("quarry: {e}");
            1
        }
    }
}

/// `quarry pull --remote URL --as Name --out DIR 'KQL'`.
pub fn pull(args: PullArgs) -> i32 {
    let text = match super::query_text(&args.query, &args.file) {
        Ok(t) => t,
        Err(code) => return code,
    };
    // Refused before the query runs, so no quota is spent on a result
    // that cannot be kept.
    if let Err(e) = save::check_table_name(&args.name) {
        eprintln!("quarry: {e}");
        return 2;
    }
    let target = args.out.join(format!("{}.parquet", args.name));
    if !args.force && target.exists() {
        eprintln!(
            "quarry: {} exists (use --force to replace it)",
            target.display()
        );
        return 1;
    }
    let (mut result, _) =
        match run_remote(&args.remote, &text, args.timespan.as_deref(), args.timeout) {
            Ok(r) => r,
            Err(code) => return code,
        };
    let rows = result.frame.height();
    let columns = result.frame.width();
    match save::save_table(&args.out, &args.name, &mut result.frame, args.force) {
        Ok(path) => {
            eprintln!(
                "pulled {} rows, {columns} columns into {} (table {}: quarry {})",
                crate::text::thousands(rows as u64),
                path.display(),
                args.name,
                args.out.display()
            );
            0
        }
        Err(e) => {
            eprintln!("quarry: {e}");
            1
        }
    }
}
