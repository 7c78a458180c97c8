//! `quarry query` for a query that makes several tables (`fork`, `facet`,
//! `evaluate preview`, `evaluate funnel_sequence`): every table, one after
//! the other under a heading (`--format table`), or as one JSON array of
//! named tables (`--format json`). CSV, NDJSON and SVG hold one table, so
//! such a query is refused with them before any data is loaded.

use std::io::{self, Write};

use super::query::{Args, OutputFormat, write_frame};
use crate::kql::NamedResult;
use crate::session::cells;

/// Exit status 2, with a message, when `text` makes several tables and
/// `format` can hold one only.
pub(super) fn refuse_several(text: &str, format: OutputFormat) -> Result<(), i32> {
    if matches!(format, OutputFormat::Table | OutputFormat::Json) {
        return Ok(());
    }
    let Some((what, labels)) = crate::kql::several_results(text) else {
        return Ok(());
    };
    let format = match format {
        OutputFormat::Csv => "csv",
        OutputFormat::Ndjson => "ndjson",
        _ => "svg",
    };
    eprintln!(
        "quarry: {what} makes {} tables and --format {format} holds one: use --format table or json, or keep one of them",
        labels.len()
    );
    Err(2)
}

/// A table's heading: its name (if it has one) and its place.
fn heading(r: &NamedResult, i: usize, n: usize) -> String {
    match &r.name {
        Some(name) => format!(
            "# {} (result {} of {n})",
            crate::text::escape_for_terminal(name),
            i + 1
        ),
        None => format!("# result {} of {n}", i + 1),
    }
}

/// Writes several tables to `--output` or standard output.
pub(super) fn write_results(results: &[NamedResult], args: &Args) -> io::Result<()> {
    let mut out: Box<dyn Write> = match &args.output {
        Some(path) => {
            if path.exists() && !args.force {
                return Err(io::Error::new(
                    io::ErrorKind::AlreadyExists,
                    format!("{} exists (use --force to replace it)", path.display()),
                ));
            }
            Box::new(io::BufWriter::new(std::fs::File::create(path)?))
        }
        None => Box::new(io::BufWriter::new(io::stdout().lock())),
    };
    let n = results.len();
    match args.format {
        OutputFormat::Json => {
            let tables: Vec<serde_json::Value> = results
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    let rows: Vec<serde_json::Value> = (0..r.frame.height())
                        .map(|row| serde_json::Value::Object(cells::row_json(&r.frame, row)))
                        .collect();
                    serde_json::json!({ "result": i + 1, "name": r.name, "rows": rows })
                })
                .collect();
            serde_json::to_writer_pretty(&mut *out, &tables)?;
            out.write_all(b"\n")?;
        }
        _ => {
            for (i, r) in results.iter().enumerate() {
                if i > 0 {
                    writeln!(out)?;
                }
                writeln!(out, "{}", heading(r, i, n))?;
                write_frame(&mut *out, &r.frame, OutputFormat::Table, args.raw)?;
            }
        }
    }
    out.flush()
}
