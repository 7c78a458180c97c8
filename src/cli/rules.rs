//! `quarry rules list|show|run|import|convert`.

mod convert;
mod import;
mod run;

use crate::hunt::rules::{self, Rule};
use crate::hunt::sigma::Placeholders;

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
    /// Run rules (by id or rule file), or every rule with --all.
    Run(run::RunArgs),
    /// Take a folder tree of rules (Sigma, Sentinel/Defender hunting YAML,
    /// Quarry TOML) into your rules; Sigma rules are converted to KQL.
    Import(import::ImportArgs),
    /// Print the KQL of Sigma rules (files or folders), for Defender.
    Convert(convert::ConvertArgs),
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
        RulesCommand::Import(a) => import::run_cli(a),
        RulesCommand::Run(a) => run::run_cli(a),
        RulesCommand::Convert(a) => convert::run_cli(a),
    }
}

/// A rule id as a file name.
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

/// Reads `--placeholder NAME=V1,V2` arguments (for Sigma's `expand`).
fn placeholders(args: &[String]) -> Result<Placeholders, String> {
    let mut out = Placeholders::new();
    for a in args {
        let Some((name, values)) = a.split_once('=') else {
            return Err(format!(
                "--placeholder expects NAME=VALUE[,VALUE...], not '{a}'"
            ));
        };
        out.entry(name.trim().to_string())
            .or_default()
            .extend(values.split(',').map(|v| v.trim().to_string()));
    }
    Ok(out)
}
