//! `quarry query --format svg`: the chart a query's `render` asks for,
//! written as an SVG file.

use std::io::{self, Write};

use polars::prelude::DataFrame;

use super::query::Args;
use crate::kql::render::{RenderSpec, Visualization, render_of_text};
use crate::session::chart::{Chart, svg};

/// The `render` a query asked for SVG must end in; an error for the
/// analyst otherwise (exit code 2, before any table is loaded).
pub fn check(text: &str) -> Result<RenderSpec, i32> {
    // A syntax error (`render pie`) is reported as one, with its caret.
    let query = match crate::kql::parser::parse(text) {
        Ok(q) => q,
        Err(e) => {
            eprintln!("{}", e.render(text));
            return Err(2);
        }
    };
    match crate::kql::render::render_of(&query).cloned() {
        Some(spec) if spec.visualization != Visualization::Table => Ok(spec),
        Some(_) => {
            eprintln!("quarry: --format svg draws a chart, and 'render table' asks for none");
            Err(2)
        }
        None => {
            eprintln!(
                "quarry: --format svg needs a query that ends in render (for example: ... | render timechart)"
            );
            Err(2)
        }
    }
}

/// Writes the chart of `frame` to `--output` (or standard output): never
/// over an existing file without `--force`, and atomically.
pub fn write(frame: &DataFrame, args: &Args) -> io::Result<()> {
    let text = super::query_text(&args.query, &args.file)
        .map_err(|_| io::Error::other("the query could not be read again"))?;
    let spec = render_of_text(&text)
        .ok_or_else(|| io::Error::other("--format svg needs a query that ends in render"))?;
    let chart = Chart::build(frame, &spec).map_err(|e| io::Error::other(e.to_string()))?;
    for note in chart.notes() {
        eprintln!("note: {note}");
    }
    let doc = svg::write(&chart);
    match &args.output {
        Some(path) => {
            crate::session::export::write_file_atomic(path, doc.as_bytes(), args.force).map_err(
                |e| match e {
                    crate::session::export::ExportError::Exists(p) => io::Error::new(
                        io::ErrorKind::AlreadyExists,
                        format!("{} exists (use --force to replace it)", p.display()),
                    ),
                    e => io::Error::other(e.to_string()),
                },
            )?;
            eprintln!(
                "wrote {} chart ({} series) to {}",
                spec.visualization.name(),
                chart.series.len(),
                path.display()
            );
            Ok(())
        }
        None => {
            let mut out = io::stdout().lock();
            out.write_all(doc.as_bytes())?;
            out.flush()
        }
    }
}
