//! `quarry check`: which queries Quarry understands, without data.

use std::collections::BTreeMap;
use std::io::{BufRead, Write};
use std::path::PathBuf;

use crate::kql::check::check_with;
use crate::kql::stored::StoredFunctions;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Read the query from a file.
    #[arg(short = 'f', long = "file", conflicts_with_all = ["query", "corpus"])]
    pub file: Option<PathBuf>,
    /// A JSON Lines file of queries (a `query` field per line): print the
    /// share accepted and the most frequent unsupported features.
    #[arg(long, conflicts_with = "query")]
    pub corpus: Option<PathBuf>,
    /// How many of the most frequent problems to list with --corpus.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// A folder of stored function definitions (`.create function` files)
    /// the queries may call, before the config directory's `functions/`;
    /// may be given more than once.
    #[arg(long = "functions", value_name = "DIR")]
    pub functions: Vec<PathBuf>,
    /// The KQL query.
    #[arg(required_unless_present_any = ["file", "corpus"])]
    pub query: Option<String>,
}

fn plugin_names() -> Vec<String> {
    crate::hunt::plugins()
        .iter()
        .map(|p| p.name().to_string())
        .collect()
}

pub fn run(args: Args) -> i32 {
    let names = plugin_names();
    let plugins: Vec<&str> = names.iter().map(String::as_str).collect();
    let mut folders = args.functions.clone();
    folders.extend(crate::kql::stored::config_folder());
    let stored = super::functions::load_reporting(&folders);
    if let Some(corpus) = &args.corpus {
        return run_corpus(corpus, &plugins, &stored, args.top);
    }
    let text = match super::query_text(&args.query, &args.file) {
        Ok(t) => t,
        Err(code) => return code,
    };
    match check_with(&text, &plugins, &stored) {
        Ok(()) => finish(writeln!(std::io::stdout(), "ok")),
        Err(e) => {
            eprintln!("{}", e.render(&text));
            2
        }
    }
}

/// The problem a failed check reports, grouped: "mv-apply is not supported
/// yet", "unknown function 'series_decompose'", or "syntax error".
fn problem(message: &str, kind: crate::kql::error::ErrorKind) -> String {
    use crate::kql::error::ErrorKind as K;
    match kind {
        K::Unsupported => message.to_string(),
        // A function no KQL has is its authors' own: said so in the
        // summary, since no engine accepts the query without it.
        K::Unknown if message.contains(": not a KQL function") => format!(
            "{} (not a KQL function: its authors' own, not saved here)",
            message.split(':').next().unwrap_or(message)
        ),
        K::Unknown => message
            .split(" (did you mean")
            .next()
            .and_then(|m| m.split(": it reads").next())
            .unwrap_or(message)
            .to_string(),
        K::Syntax => "syntax error".into(),
        _ => message.to_string(),
    }
}

fn run_corpus(path: &PathBuf, plugins: &[&str], stored: &StoredFunctions, top: usize) -> i32 {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("quarry: {}: {e}", path.display());
            return 1;
        }
    };
    let mut total = 0usize;
    let mut accepted = 0usize;
    let mut problems: BTreeMap<String, usize> = BTreeMap::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = match line {
            Ok(l) => l,
            Err(e) => {
                eprintln!("quarry: {}:{}: {e}", path.display(), i + 1);
                return 1;
            }
        };
        if line.trim().is_empty() {
            continue;
        }
        let query = match serde_json::from_str::<serde_json::Value>(&line) {
            Ok(v) => v.get("query").and_then(|q| q.as_str()).map(str::to_string),
            Err(e) => {
                eprintln!("quarry: {}:{}: invalid JSON: {e}", path.display(), i + 1);
                return 1;
            }
        };
        let Some(query) = query else {
            eprintln!("quarry: {}:{}: no \"query\" field", path.display(), i + 1);
            return 1;
        };
        total += 1;
        match check_with(&query, plugins, stored) {
            Ok(()) => accepted += 1,
            Err(e) => *problems.entry(problem(&e.message, e.kind)).or_default() += 1,
        }
    }
    let share = if total == 0 {
        0.0
    } else {
        100.0 * accepted as f64 / total as f64
    };
    let mut ranked: Vec<(String, usize)> = problems.into_iter().collect();
    ranked.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    let mut out = std::io::stdout().lock();
    let written =
        writeln!(out, "accepted {accepted} of {total} queries ({share:.1}%)").and_then(|()| {
            ranked
                .into_iter()
                .take(top)
                .try_for_each(|(p, n)| writeln!(out, "{n:6}  {p}"))
        });
    finish(written.and_then(|()| out.flush()))
}

/// The exit code after writing the report: a reader that stopped early
/// (`quarry check --corpus ... | head`) is no failure, and ends quietly.
fn finish(written: std::io::Result<()>) -> i32 {
    match written {
        Ok(()) => 0,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
        Err(e) => {
            eprintln!("quarry: cannot write the report: {e}");
            1
        }
    }
}
