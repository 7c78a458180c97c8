//! `quarry query`: run one KQL query over the loaded tables.

use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Instant;

use polars::prelude::*;

use super::clock::Clock;
use crate::data::catalog::Catalog;
use crate::kql::{RunOptions, run_results};
use crate::session::cells;
use crate::session::export::{ExportError, ExportOptions, export_csv_file, write_csv};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OutputFormat {
    Table,
    Csv,
    Json,
    Ndjson,
    /// The chart the query's `render` asks for (`--output chart.svg`).
    Svg,
}

#[derive(Debug, clap::Args)]
pub struct Args {
    /// A file or folder of tables (repeatable). Required, unless --sample.
    #[arg(long = "data", value_name = "PATH")]
    pub data: Vec<String>,
    /// Query the bundled sample data instead of your own.
    #[arg(long, conflicts_with = "data")]
    pub sample: bool,
    /// The query clock: an RFC 3339 instant, `wall`, or `data` (the newest
    /// datetime in the loaded tables).
    #[arg(long, default_value = "data")]
    pub now: Clock,
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    pub format: OutputFormat,
    /// Write the result to a file instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Replace --output if it exists.
    #[arg(long)]
    pub force: bool,
    /// CSV cells as they are, without neutralising spreadsheet formulas.
    #[arg(long)]
    pub raw: bool,
    /// Read the query from a file.
    #[arg(short = 'f', long = "file", conflicts_with = "query")]
    pub file: Option<PathBuf>,
    /// Run the query N times (tables are loaded once).
    #[arg(long, default_value_t = 1)]
    pub repeat: usize,
    /// Print load and query times to standard error.
    #[arg(long)]
    pub timing: bool,
    /// The memory a query may use for the rows it builds (`8GB`, `512MB`);
    /// a query that would need more is refused before it allocates.
    /// Default: half of this machine's memory, or what is free if less.
    #[arg(long, value_name = "SIZE", value_parser = super::max_memory)]
    pub max_memory: Option<crate::kql::Budget>,
    /// Run the query on a remote engine instead, unchanged: a Log Analytics
    /// workspace (https://api.loganalytics.io/v1/workspaces/ID), Defender
    /// advanced hunting (https://graph.microsoft.com/v1.0/security) or a
    /// Data Explorer database (https://CLUSTER/DATABASE).
    #[arg(long, value_name = "URL", conflicts_with_all = ["data", "sample"])]
    pub remote: Option<String>,
    /// With --remote: the time range for Log Analytics and Defender, ISO
    /// 8601 (`P7D`, `START/END`) or a KQL timespan (`7d`).
    #[arg(long, requires = "remote")]
    pub timespan: Option<String>,
    /// With --remote: seconds to wait for the answer (default 660).
    #[arg(long, value_name = "SECS", requires = "remote")]
    pub timeout: Option<u64>,
    /// The KQL query.
    #[arg(required_unless_present = "file")]
    pub query: Option<String>,
}

pub fn run_cli(args: Args) -> i32 {
    let text = match super::query_text(&args.query, &args.file) {
        Ok(t) => t,
        Err(code) => return code,
    };
    if args.format == OutputFormat::Svg
        && let Err(code) = super::chart::check(&text)
    {
        return code;
    }
    // The remote engine parses the query itself: it may know more KQL.
    if args.remote.is_some() || args.timespan.is_some() || args.timeout.is_some() {
        return super::remote::query(&args, &text);
    }
    // Syntax errors are reported before any table is loaded.
    if let Err(e) = crate::kql::parser::parse(&text) {
        eprintln!("{}", e.render(&text));
        return 2;
    }
    if let Err(code) = super::results::refuse_several(&text, args.format) {
        return code;
    }
    let paths = match super::chosen_data(&args.data, args.sample, "query") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let (catalog, load_s) = super::load_reporting(&paths);
    if catalog.is_empty() && !catalog.errors.is_empty() {
        eprintln!("quarry: no table could be loaded");
        return 1;
    }
    let (now, note) = args.now.resolve(&catalog);
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let options = RunOptions {
        now,
        plugins: crate::hunt::plugins(),
        externaldata_dirs: crate::data::source::externaldata_dirs(&paths),
        functions: super::functions::for_data(&paths),
        budget: args.max_memory.unwrap_or_default(),
        ..Default::default()
    };
    let mut times = Vec::new();
    let mut result = None;
    for _ in 0..args.repeat.max(1) {
        let t = Instant::now();
        match run_results(&catalog, &text, &options) {
            Ok(tables) => result = Some(tables),
            Err(e) => {
                eprintln!("{}", e.render(&text));
                return 2;
            }
        }
        times.push(t.elapsed().as_secs_f64());
    }
    if args.timing {
        let mut sorted = times.clone();
        sorted.sort_by(f64::total_cmp);
        eprintln!(
            "load_s={load_s:.3} query_median_s={:.3} query_min_s={:.3} runs={}",
            sorted[sorted.len() / 2],
            sorted[0],
            sorted.len()
        );
    }
    let Some(mut tables) = result else { return 2 };
    // Said before the rows, so a reader of the terminal sees it first.
    for warning in options.warnings.take() {
        eprintln!("warning: {warning}");
    }
    // `fork`, `facet` and a few plugins make several tables.
    let written = match tables.len() {
        1 => write_result(&tables.remove(0).frame, &args, &catalog),
        _ => super::results::write_results(&tables, &args),
    };
    match written {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("quarry: {e}");
            1
        }
    }
}

pub(super) fn write_result(frame: &DataFrame, args: &Args, _catalog: &Catalog) -> io::Result<()> {
    if args.format == OutputFormat::Svg {
        return super::chart::write(frame, args);
    }
    if let (Some(path), OutputFormat::Csv) = (&args.output, args.format) {
        let columns = cells::text_columns(frame);
        let rows = cells::rows_text(&columns, 0..frame.height());
        let opts = ExportOptions {
            raw: args.raw,
            overwrite: args.force,
        };
        return match export_csv_file(path, &cells::header(frame), rows, &opts) {
            Ok(n) => {
                eprintln!("wrote {n} rows to {}", path.display());
                Ok(())
            }
            Err(ExportError::Exists(p)) => Err(io::Error::new(
                io::ErrorKind::AlreadyExists,
                format!("{} exists (use --force to replace it)", p.display()),
            )),
            Err(e) => Err(io::Error::other(e.to_string())),
        };
    }
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
    write_frame(&mut out, frame, args.format, args.raw)?;
    out.flush()
}

/// Writes a result in one of the output formats.
pub fn write_frame(
    out: &mut dyn Write,
    frame: &DataFrame,
    format: OutputFormat,
    raw: bool,
) -> io::Result<()> {
    match format {
        OutputFormat::Csv => {
            let columns = cells::text_columns(frame);
            write_csv(
                out,
                &cells::header(frame),
                cells::rows_text(&columns, 0..frame.height()),
                raw,
            )?;
        }
        OutputFormat::Ndjson => {
            for i in 0..frame.height() {
                serde_json::to_writer(&mut *out, &cells::row_json(frame, i))?;
                out.write_all(b"\n")?;
            }
        }
        OutputFormat::Json => {
            let rows: Vec<serde_json::Value> = (0..frame.height())
                .map(|i| serde_json::Value::Object(cells::row_json(frame, i)))
                .collect();
            serde_json::to_writer_pretty(&mut *out, &rows)?;
            out.write_all(b"\n")?;
        }
        OutputFormat::Table => write_table(out, frame)?,
        OutputFormat::Svg => {
            return Err(io::Error::other(
                "svg draws the chart of a query that ends in render: use quarry query --format svg",
            ));
        }
    }
    Ok(())
}

/// A plain aligned text table, control characters escaped.
fn write_table(out: &mut dyn Write, frame: &DataFrame) -> io::Result<()> {
    const MAX_CELL: usize = 60;
    let header = cells::header(frame);
    let columns = cells::text_columns(frame);
    let rows: Vec<Vec<String>> = cells::rows_text(&columns, 0..frame.height())
        .map(|r| {
            r.into_iter()
                .map(|c| {
                    crate::text::truncate_to_width(&crate::text::escape_for_terminal(&c), MAX_CELL)
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = header
        .iter()
        .enumerate()
        .map(|(i, h)| {
            rows.iter()
                .map(|r| crate::text::display_width(&r[i]))
                .chain(std::iter::once(crate::text::display_width(h)))
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cells: &[String]| -> String {
        cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| {
                format!(
                    "{c}{}",
                    " ".repeat(w.saturating_sub(crate::text::display_width(c)))
                )
            })
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    writeln!(out, "{}", line(&header))?;
    writeln!(
        out,
        "{}",
        widths
            .iter()
            .map(|w| "-".repeat(*w))
            .collect::<Vec<_>>()
            .join("  ")
    )?;
    for r in &rows {
        writeln!(out, "{}", line(r))?;
    }
    writeln!(out, "({} rows)", frame.height())?;
    Ok(())
}
