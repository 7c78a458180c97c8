//! `quarry tables [PATH...]`: what loaded and what did not.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::sync::Mutex;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use crate::data::catalog::Catalog;
use crate::data::load::{LoadControl, Progress, load_sources};
use crate::data::source::discover;
use crate::data::time::format_datetime;
use crate::text::escape_for_terminal as esc;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders of exported tables. `Name=path` names a table
    /// explicitly. Required, unless --sample.
    pub paths: Vec<String>,
    /// List the bundled sample data instead of your own.
    #[arg(long, conflicts_with = "paths")]
    pub sample: bool,
}

/// Loads the paths and prints every table (rows, time range, columns and
/// their KQL types) and every file that failed. Exits 1 when nothing loaded.
pub fn run(args: Args) -> i32 {
    let paths = match super::chosen_paths(&args.paths, args.sample, "list", "PATH") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let catalog = load(&paths);
    print!("{}", describe(&catalog));
    if catalog.is_empty() { 1 } else { 0 }
}

/// Loads the paths, showing progress on stderr when it is a terminal (a
/// multi-gigabyte folder takes a while).
fn load(paths: &[String]) -> Catalog {
    let (sources, errors) = discover(paths);
    let cancel = AtomicBool::new(false);
    let terminal = std::io::stderr().is_terminal();
    let last = Mutex::new(Instant::now());
    let show = |p: &Progress| {
        if !terminal {
            return;
        }
        let Ok(mut last) = last.lock() else { return };
        if last.elapsed() < Duration::from_millis(200) {
            return;
        }
        *last = Instant::now();
        let percent = (100 * p.bytes).checked_div(p.total_bytes).unwrap_or(0);
        let mut err = std::io::stderr();
        let _ = write!(
            err,
            "\r\x1b[Kloading {}: {} rows, {}%",
            esc(&p.table),
            p.rows,
            percent
        );
        let _ = err.flush();
    };
    let control = LoadControl::new(&show, &cancel);
    let mut catalog = load_sources(&sources, &control);
    if terminal {
        let _ = write!(std::io::stderr(), "\r\x1b[K");
    }
    catalog.errors.splice(0..0, errors);
    catalog
}

/// The catalog as text: one block per table (with its load warnings: cells
/// loaded as null, text read as Windows-1252), then the failures. Names and
/// messages come from the files, so control characters are shown escaped.
pub fn describe(catalog: &Catalog) -> String {
    let mut out = String::new();
    for table in catalog.tables() {
        let _ = write!(out, "{}  {} rows", esc(&table.name), table.rows());
        if let Some(range) = table.time_range() {
            let _ = write!(
                out,
                "  {} .. {}",
                format_datetime(range.first),
                format_datetime(range.last)
            );
        }
        if table.files.len() > 1 {
            let _ = write!(out, "  ({} files)", table.files.len());
        }
        out.push('\n');
        // Already escaped for the terminal.
        for line in table.warning_lines() {
            let _ = writeln!(out, "  warning: {line}");
        }
        for (name, kind) in table.columns() {
            let _ = writeln!(out, "    {}: {kind}", esc(&name));
        }
    }
    if !catalog.errors.is_empty() {
        let _ = writeln!(out, "failed to load:");
        for e in &catalog.errors {
            let _ = writeln!(out, "    {}", esc(&e.to_string()));
        }
    }
    out
}
