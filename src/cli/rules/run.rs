//! `quarry rules run`: rules by id or by file, or every rule with `--all`,
//! run in parallel over tables loaded once.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Write};
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use polars::prelude::DataFrame;

use super::super::clock::Clock;
use super::super::query::{OutputFormat, write_frame};
use crate::data::catalog::Catalog;
use crate::hunt::batch::Scanning;
use crate::hunt::pack;
use crate::hunt::rules::Rule;
use crate::kql::RunOptions;
use crate::kql::ast::Query;
use crate::kql::parser::parse;
use crate::kql::shared::{Answer, Scanned, Watch, run_many};
use crate::session::cells;
use crate::text::thousands;

#[derive(Debug, clap::Args)]
pub struct RunArgs {
    /// Rules to run: ids (`QRY-0001`) or rule files (Sigma, hunting YAML,
    /// Quarry TOML).
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    rules: Vec<String>,
    /// Run every rule (built-in and yours), in parallel.
    #[arg(long)]
    all: bool,
    /// A file or folder of tables (repeatable). Required, unless --sample.
    #[arg(long = "data", value_name = "PATH")]
    data: Vec<String>,
    /// Run the rules on the bundled sample data instead of your own.
    #[arg(long, conflicts_with = "data")]
    sample: bool,
    #[arg(long, default_value = "data")]
    now: Clock,
    /// Change a parameter: `--set query_period=7d` (repeatable).
    #[arg(long = "set", value_name = "NAME=VALUE")]
    set: Vec<String>,
    /// Values for a placeholder of Sigma's `expand` (repeatable), for rule
    /// files given here.
    #[arg(long = "placeholder", value_name = "NAME=VALUE,...")]
    placeholders: Vec<String>,
    /// With several rules, ndjson and json prefix each hit with RuleId,
    /// RuleTitle and Severity.
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// The memory a rule's query may use for the rows it builds (`8GB`);
    /// default: half of this machine's memory, or what is free if less.
    #[arg(long, value_name = "SIZE", value_parser = super::super::max_memory)]
    max_memory: Option<crate::kql::Budget>,
}

/// One rule's outcome.
struct Outcome {
    hits: Result<DataFrame, String>,
    seconds: f64,
    /// What the rule's query warned of.
    warnings: Vec<String>,
}

/// Runs the selected rules and writes their hits; exit status 2 when a rule
/// could not run.
pub fn run_cli(a: RunArgs) -> i32 {
    let selected = match select(&a) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let several = a.all || selected.len() > 1;
    if several && a.format == OutputFormat::Csv {
        eprintln!(
            "quarry: --format csv takes one rule (rules have different columns); \
             use --format ndjson or json, which prefix each hit with RuleId, RuleTitle, Severity"
        );
        return 2;
    }
    let mut overrides = BTreeMap::new();
    for s in &a.set {
        match s.split_once('=') {
            Some((k, v)) => {
                overrides.insert(k.trim().to_string(), v.trim().to_string());
            }
            None => {
                eprintln!("quarry: --set expects NAME=VALUE, not '{s}'");
                return 2;
            }
        }
    }
    let paths = match super::super::chosen_data(&a.data, a.sample, "run the rules on") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let started = Instant::now();
    let (catalog, load_s) = super::super::load_reporting(&paths);
    let (now, note) = a.now.resolve(&catalog);
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let options = RunOptions {
        now,
        plugins: crate::hunt::plugins(),
        externaldata_dirs: crate::data::source::externaldata_dirs(&paths),
        functions: super::super::functions::for_data(&paths),
        budget: a.max_memory.unwrap_or_default(),
        ..Default::default()
    };
    let run_started = Instant::now();
    let progress = Progress::new(selected.len());
    // Rules are independent: each runs on a thread of its own pool over the
    // shared, already loaded tables.
    let pool = match crate::hunt::batch::rule_pool() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("quarry: {e}");
            return 1;
        }
    };
    // Parameters that another rule lacks are not an error with --all.
    let texts: Vec<Result<String, String>> = selected
        .iter()
        .map(|rule| {
            let own: BTreeMap<String, String> = overrides
                .iter()
                .filter(|(k, _)| !a.all || rule.parameters.contains_key(*k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            rule.bound_query(&own).map_err(|e| e.message)
        })
        .collect();
    let outcomes: Vec<Outcome> = pool.install(|| run_rules(&catalog, &texts, &options, &progress));
    progress.finish();
    let run_s = run_started.elapsed().as_secs_f64();
    let mut status = 0;
    let (mut fired, mut failed, mut hits_total) = (0, 0, 0);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let mut json_rows: Vec<serde_json::Value> = Vec::new();
    for (rule, o) in selected.iter().zip(&outcomes) {
        match &o.hits {
            Ok(frame) => {
                if frame.height() > 0 {
                    fired += 1;
                    hits_total += frame.height();
                }
                // With --all, only the rules that fired are worth a line.
                if !a.all || frame.height() > 0 {
                    eprintln!(
                        "{}  {}: {} hits in {:.3} s",
                        rule.id,
                        rule.title,
                        frame.height(),
                        o.seconds
                    );
                }
                for warning in &o.warnings {
                    eprintln!("{}  warning: {warning}", rule.id);
                }
                let written = if several {
                    write_prefixed(&mut out, &mut json_rows, rule, frame, a.format)
                } else {
                    write_frame(&mut out, frame, a.format, false)
                };
                if let Err(e) = written {
                    eprintln!("quarry: {e}");
                    return 1;
                }
            }
            Err(e) => {
                failed += 1;
                // One line per failed rule when there are many (a pack run
                // over an export that lacks some tables); the whole error
                // with its caret for a rule run on its own.
                if several {
                    let first = e.lines().next().unwrap_or_default();
                    eprintln!(
                        "{}  {}: {}",
                        rule.id,
                        rule.title,
                        first.trim_start_matches("error: ")
                    );
                } else {
                    eprintln!("{}  {}:\n{e}", rule.id, rule.title);
                }
                status = 2;
            }
        }
    }
    if several && a.format == OutputFormat::Json {
        let written = serde_json::to_writer_pretty(&mut out, &json_rows)
            .map_err(std::io::Error::from)
            .and_then(|()| out.write_all(b"\n"));
        if let Err(e) = written {
            eprintln!("quarry: {e}");
            return 1;
        }
    }
    if let Err(e) = out.flush() {
        eprintln!("quarry: {e}");
        return 1;
    }
    if several {
        eprintln!(
            "rules={} fired={fired} failed={failed} hits={hits_total} rules_per_s={:.1}",
            selected.len(),
            selected.len() as f64 / run_s.max(1e-9)
        );
    }
    eprintln!(
        "load_s={load_s:.3} rules={} total_s={:.3}",
        selected.len(),
        started.elapsed().as_secs_f64()
    );
    status
}

/// Runs each rule's query; rules that scan the same table share the scan
/// ([`run_many`]). A query that does not parse is that rule's error.
fn run_rules(
    catalog: &Catalog,
    texts: &[Result<String, String>],
    options: &RunOptions,
    progress: &Progress,
) -> Vec<Outcome> {
    let parsed: Vec<Result<Query, String>> = texts
        .iter()
        .map(|t| {
            let text = t.as_ref().map_err(Clone::clone)?;
            parse(text).map_err(|e| e.render(text))
        })
        .collect();
    let queries: Vec<Query> = parsed
        .iter()
        .filter_map(|p| p.as_ref().ok().cloned())
        .collect();
    let mut answers = run_many(catalog, &queries, options, progress).into_iter();
    parsed
        .iter()
        .zip(texts)
        .map(|(p, text)| match (p, text) {
            (Ok(_), Ok(text)) => match answers.next() {
                Some(a) => Outcome {
                    hits: a.result.map_err(|e| e.render(text)),
                    seconds: a.seconds,
                    warnings: a.warnings,
                },
                None => Outcome {
                    hits: Err("the rule's answer was lost".into()),
                    seconds: 0.0,
                    warnings: Vec::new(),
                },
            },
            (Err(e), _) | (_, Err(e)) => {
                progress.done(false);
                Outcome {
                    hits: Err(e.clone()),
                    seconds: 0.0,
                    warnings: Vec::new(),
                }
            }
        })
        .collect()
}

/// The rules the arguments name: every rule, or each id or rule file.
fn select(a: &RunArgs) -> Result<Vec<Rule>, i32> {
    let rules = super::loaded();
    if a.all {
        return Ok(rules);
    }
    let placeholders = super::placeholders(&a.placeholders).map_err(|e| {
        eprintln!("quarry: {e}");
        2
    })?;
    let mut selected = Vec::new();
    for arg in &a.rules {
        let path = Path::new(arg);
        if path.is_file() {
            match pack::load_file(path, &placeholders) {
                Ok(t) => {
                    for note in &t.notes {
                        eprintln!("{arg}: note: {note}");
                    }
                    selected.push(t.rule);
                }
                Err(r) => {
                    eprintln!("{arg}: refused: {}", r.reason);
                    return Err(2);
                }
            }
        } else {
            match super::find(&rules, arg) {
                Some(r) => selected.push(r),
                None => {
                    if path.extension().is_some() && !path.exists() {
                        eprintln!("quarry: {arg}: no such rule file");
                        return Err(2);
                    }
                    return Err(super::unknown(&rules, arg));
                }
            }
        }
    }
    Ok(selected)
}

/// A rule's hits with RuleId, RuleTitle and Severity in front: ndjson
/// lines now, json rows gathered for one array, a titled table.
fn write_prefixed(
    out: &mut dyn Write,
    json_rows: &mut Vec<serde_json::Value>,
    rule: &Rule,
    frame: &DataFrame,
    format: OutputFormat,
) -> std::io::Result<()> {
    match format {
        OutputFormat::Ndjson | OutputFormat::Json => {
            for i in 0..frame.height() {
                let mut row = serde_json::Map::new();
                row.insert("RuleId".into(), rule.id.clone().into());
                row.insert("RuleTitle".into(), rule.title.clone().into());
                row.insert("Severity".into(), rule.severity.clone().into());
                for (k, v) in cells::row_json(frame, i) {
                    // A rule's own column of the same name keeps its value
                    // under a suffixed name rather than being lost.
                    let key = if row.contains_key(&k) {
                        format!("{k}_")
                    } else {
                        k
                    };
                    row.insert(key, v);
                }
                if format == OutputFormat::Ndjson {
                    serde_json::to_writer(&mut *out, &row)?;
                    out.write_all(b"\n")?;
                } else {
                    json_rows.push(serde_json::Value::Object(row));
                }
            }
            Ok(())
        }
        _ if frame.height() == 0 => Ok(()),
        _ => {
            writeln!(
                out,
                "== {}  {} ({}): {} hits",
                rule.id,
                rule.title,
                rule.severity,
                frame.height()
            )?;
            write_frame(out, frame, format, false)?;
            writeln!(out)
        }
    }
}

/// Progress on standard error: a line rewritten in place on a terminal
/// (the rows each shared scan has read, then the rules done), otherwise a
/// line as each shared scan begins and at each tenth of the rules.
struct Progress {
    total: usize,
    done: AtomicUsize,
    fired: AtomicUsize,
    terminal: bool,
}

impl Progress {
    fn new(total: usize) -> Progress {
        Progress {
            total,
            done: AtomicUsize::new(0),
            fired: AtomicUsize::new(0),
            terminal: std::io::stderr().is_terminal(),
        }
    }

    fn done(&self, fired: bool) {
        if self.total < 2 {
            return;
        }
        let fired =
            self.fired.fetch_add(usize::from(fired), Ordering::Relaxed) + usize::from(fired);
        let done = self.done.fetch_add(1, Ordering::Relaxed) + 1;
        if self.terminal {
            // Erased first: the scan's line before it may be longer.
            eprint!(
                "\r\x1b[Krunning rules: {done}/{} done, {fired} fired",
                self.total
            );
        } else if done * 10 / self.total != (done - 1) * 10 / self.total {
            eprintln!("running rules: {done}/{} done", self.total);
        }
    }

    fn finish(&self) {
        if self.terminal && self.total >= 2 {
            eprintln!();
        }
    }
}

impl Watch for Progress {
    fn scanned(&self, p: &Scanned) {
        if self.total < 2 {
            return;
        }
        let rules = if p.queries == 1 { "rule" } else { "rules" };
        if self.terminal {
            eprint!("\r\x1b[K{}", Scanning::from(p).words());
        } else if p.tested == 0 {
            eprintln!(
                "scanning {} ({} {rules}; table {} of {}): {} rows",
                p.table,
                thousands(p.queries as u64),
                p.scan + 1,
                p.scans,
                thousands(p.rows as u64)
            );
        }
    }

    fn answered(&self, _index: usize, answer: &Answer) {
        self.done(answer.result.as_ref().is_ok_and(|f| f.height() > 0));
    }
}
