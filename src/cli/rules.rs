//! `quarry rules list|show|run|import`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Instant;

use super::clock::Clock;
use super::query::{OutputFormat, write_frame};
use crate::data::load::load_paths;
use crate::hunt::rules::{self, Rule};
use crate::kql::{RunOptions, run};

#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: RulesCommand,
}

#[derive(Debug, clap::Subcommand)]
enum RulesCommand {
    /// One rule per line: id, severity, title.
    List,
    /// A rule's metadata, parameters and query.
    Show { id: String },
    /// Run one rule, or every rule with --all.
    Run(RunArgs),
    /// Copy Sentinel/Defender hunting-query YAML files into your rules.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Replace rules that already exist.
        #[arg(long)]
        force: bool,
    },
}

#[derive(Debug, clap::Args)]
struct RunArgs {
    /// The rule to run.
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    id: Option<String>,
    /// Run every rule.
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
    #[arg(long, value_enum, default_value_t = OutputFormat::Table)]
    format: OutputFormat,
    /// The memory a rule's query may use for the rows it builds (`8GB`);
    /// default: half of this machine's memory, or what is free if less.
    #[arg(long, value_name = "SIZE", value_parser = super::max_memory)]
    max_memory: Option<crate::kql::Budget>,
}

fn loaded() -> Vec<Rule> {
    let dir = rules::user_dir();
    let (rules, errors) = rules::load_all(dir.as_deref());
    for e in errors {
        eprintln!("warning: {e}");
    }
    rules
}

fn find(rules: &[Rule], id: &str) -> Option<Rule> {
    rules
        .iter()
        .find(|r| r.id.eq_ignore_ascii_case(id))
        .cloned()
}

fn unknown(rules: &[Rule], id: &str) -> i32 {
    let hint = crate::kql::error::did_you_mean(id, rules.iter().map(|r| r.id.as_str()));
    eprintln!("quarry: no rule '{id}'{hint}; `quarry rules list` shows them");
    2
}

pub fn run_cli(args: Args) -> i32 {
    match args.command {
        RulesCommand::List => {
            for r in loaded() {
                println!("{}  {:<13}  {}", r.id, r.severity, r.title);
            }
            0
        }
        RulesCommand::Show { id } => {
            let rules = loaded();
            let Some(r) = find(&rules, &id) else {
                return unknown(&rules, &id);
            };
            println!("{}  {}", r.id, r.title);
            println!("severity:   {}", r.severity);
            if !r.tactics.is_empty() {
                println!("tactics:    {}", r.tactics.join(", "));
            }
            if !r.techniques.is_empty() {
                println!("techniques: {}", r.techniques.join(", "));
            }
            if !r.author.is_empty() {
                println!("author:     {}", r.author);
            }
            println!("origin:     {}", r.origin);
            for (k, v) in &r.parameters {
                println!("parameter:  {k} = {v}");
            }
            println!("\n{}\n", r.description.trim());
            println!("{}", r.query.text.trim_end());
            0
        }
        RulesCommand::Import { files, force } => import(&files, force),
        RulesCommand::Run(a) => run_rules(a),
    }
}

fn import(files: &[PathBuf], force: bool) -> i32 {
    let Some(dir) = rules::user_dir() else {
        eprintln!("quarry: no config directory on this platform");
        return 1;
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("quarry: {}: {e}", dir.display());
        return 1;
    }
    let plugins: Vec<String> = crate::hunt::plugins()
        .iter()
        .map(|p| p.name().to_string())
        .collect();
    let plugin_refs: Vec<&str> = plugins.iter().map(String::as_str).collect();
    let mut status = 0;
    for f in files {
        let origin = f.display().to_string();
        let text = match std::fs::read_to_string(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{origin}: {e}");
                status = 1;
                continue;
            }
        };
        let rule = match rules::from_yaml(&text, &origin) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                status = 2;
                continue;
            }
        };
        let target = dir.join(format!("{}.toml", sanitize(&rule.id)));
        if target.exists() && !force {
            eprintln!(
                "{origin}: {} exists (use --force to replace it)",
                target.display()
            );
            status = 1;
            continue;
        }
        if let Err(e) = std::fs::write(&target, rules::to_toml(&rule)) {
            eprintln!("{}: {e}", target.display());
            status = 1;
            continue;
        }
        // Say now whether it can run here, rather than at the first hunt.
        match crate::kql::check::check(&rule.query.text, &plugin_refs) {
            Ok(()) => println!(
                "imported {} ({}) -> {}",
                rule.id,
                rule.title,
                target.display()
            ),
            Err(e) => println!(
                "imported {} ({}) -> {}, but it cannot run yet: {}",
                rule.id,
                rule.title,
                target.display(),
                e.message
            ),
        }
    }
    status
}

fn sanitize(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

fn run_rules(a: RunArgs) -> i32 {
    let rules = loaded();
    let selected: Vec<Rule> = if a.all {
        rules.clone()
    } else {
        let id = a.id.clone().unwrap_or_default();
        match find(&rules, &id) {
            Some(r) => vec![r],
            None => return unknown(&rules, &id),
        }
    };
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
    let paths = match super::chosen_data(&a.data, a.sample, "run the rules on") {
        Ok(p) => p,
        Err(code) => return code,
    };
    let started = Instant::now();
    let catalog = load_paths(&paths);
    let load_s = started.elapsed().as_secs_f64();
    for e in &catalog.errors {
        eprintln!("warning: {e}");
    }
    // Cells loaded as null, text read as Windows-1252 (escaped already).
    for line in catalog.warning_lines() {
        eprintln!("warning: {line}");
    }
    let (now, note) = a.now.resolve(&catalog);
    if let Some(note) = note {
        eprintln!("{note}");
    }
    let options = RunOptions {
        now,
        plugins: crate::hunt::plugins(),
        budget: a.max_memory.unwrap_or_default(),
        ..Default::default()
    };
    let mut status = 0;
    let mut out = std::io::stdout().lock();
    for rule in &selected {
        // Parameters that another rule lacks are not an error with --all.
        let own: BTreeMap<String, String> = overrides
            .iter()
            .filter(|(k, _)| !a.all || rule.parameters.contains_key(*k))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        let text = match rule.bound_query(&own) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{}: {}", rule.id, e.message);
                status = 2;
                continue;
            }
        };
        let t = Instant::now();
        match run(&catalog, &text, &options) {
            Ok(frame) => {
                eprintln!(
                    "{}  {}: {} hits in {:.3} s",
                    rule.id,
                    rule.title,
                    frame.height(),
                    t.elapsed().as_secs_f64()
                );
                if let Err(e) = write_frame(&mut out, &frame, a.format, false) {
                    eprintln!("quarry: {e}");
                    return 1;
                }
            }
            Err(e) => {
                eprintln!("{}  {}:\n{}", rule.id, rule.title, e.render(&text));
                status = 2;
            }
        }
    }
    eprintln!(
        "load_s={load_s:.3} rules={} total_s={:.3}",
        selected.len(),
        started.elapsed().as_secs_f64()
    );
    status
}
