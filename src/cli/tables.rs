//! `quarry tables [PATH...]`: what loaded and what did not.

use std::fmt::Write;

use crate::data::catalog::Catalog;
use crate::data::load::load_paths;
use crate::data::time::format_datetime;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Files or folders of exported tables (default: the bundled sample data).
    pub paths: Vec<String>,
}

pub fn run(args: Args) -> i32 {
    let catalog = load_paths(&super::paths_or_sample(args.paths));
    print!("{}", describe(&catalog));
    if catalog.is_empty() { 1 } else { 0 }
}

/// The catalog as text: one block per table, then the failures.
pub fn describe(catalog: &Catalog) -> String {
    let mut out = String::new();
    for table in catalog.tables() {
        let _ = write!(out, "{}  {} rows", table.name, table.rows());
        if let Some(range) = table.time_range() {
            let _ = write!(
                out,
                "  {} .. {}",
                format_datetime(range.first),
                format_datetime(range.last)
            );
        }
        out.push('\n');
        for (name, kind) in table.columns() {
            let _ = writeln!(out, "    {name}: {kind}");
        }
    }
    if !catalog.errors.is_empty() {
        let _ = writeln!(out, "failed to load:");
        for e in &catalog.errors {
            let _ = writeln!(out, "    {e}");
        }
    }
    out
}
