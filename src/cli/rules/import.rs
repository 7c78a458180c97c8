//! `quarry rules import PATH...`: takes a folder tree of rule files into the
//! user's rules, and says what was taken, converted and refused, and why.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::hunt::pack::{self, Format};
use crate::hunt::rules;

#[derive(Debug, clap::Args)]
pub struct ImportArgs {
    /// Rule files, or folders walked for `.yml`, `.yaml` and `.toml` files.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Replace rules that already exist.
    #[arg(long)]
    force: bool,
    /// Values for a placeholder of Sigma's `expand` (repeatable).
    #[arg(long = "placeholder", value_name = "NAME=VALUE,...")]
    placeholders: Vec<String>,
    /// How many of the most common refusal reasons to list.
    #[arg(long, default_value_t = 10)]
    top: usize,
}

/// Imports the rule files under the paths; prints what was taken and what
/// was refused. Exit status 2 when nothing could be taken.
pub fn run_cli(a: ImportArgs) -> i32 {
    let placeholders = match super::placeholders(&a.placeholders) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("quarry: {e}");
            return 2;
        }
    };
    let Some(dir) = rules::user_dir() else {
        eprintln!("quarry: no config directory on this platform");
        return 1;
    };
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("quarry: {}: {e}", dir.display());
        return 1;
    }
    let (files, others) = match pack::rule_files(&a.paths) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("quarry: {e}");
            return 1;
        }
    };
    let plugins: Vec<String> = crate::hunt::plugins()
        .iter()
        .map(|p| p.name().to_string())
        .collect();
    let plugin_refs: Vec<&str> = plugins.iter().map(String::as_str).collect();
    // Rules may call the analyst's stored functions (the config folder's).
    let stored = super::super::functions::load_reporting(
        &crate::kql::stored::config_folder()
            .into_iter()
            .collect::<Vec<_>>(),
    );
    let mut taken: BTreeMap<Format, usize> = BTreeMap::new();
    let mut refused: BTreeMap<String, usize> = BTreeMap::new();
    let mut refused_total = 0;
    let mut kept = 0;
    let mut cannot_run = 0;
    let mut status = 0;
    for path in &files {
        let origin = path.display().to_string();
        let t = match pack::load_file(path, &placeholders) {
            Ok(t) => t,
            Err(r) => {
                eprintln!("{origin}: refused: {}", r.reason);
                *refused.entry(reason_key(&r)).or_default() += 1;
                refused_total += 1;
                continue;
            }
        };
        let target = dir.join(format!("{}.toml", super::sanitize(&t.rule.id)));
        if target.exists() && !a.force {
            eprintln!(
                "{origin}: {} exists (use --force to replace it)",
                target.display()
            );
            kept += 1;
            continue;
        }
        if let Err(e) = std::fs::write(&target, rules::to_toml(&t.rule)) {
            eprintln!("{}: {e}", target.display());
            status = 1;
            continue;
        }
        *taken.entry(t.format).or_default() += 1;
        // Say now whether it can run here, rather than at the first hunt
        // (a Sigma conversion was checked already).
        if t.format != Format::Sigma
            && let Err(e) = crate::kql::check::check_with(&t.rule.query.text, &plugin_refs, &stored)
        {
            cannot_run += 1;
            eprintln!("{origin}: taken, but it cannot run yet: {}", e.message);
        }
    }
    let total_taken: usize = taken.values().sum();
    println!(
        "read {} rule file{}{}",
        files.len(),
        plural(files.len()),
        if others > 0 {
            format!(" ({others} other file{} ignored)", plural(others))
        } else {
            String::new()
        }
    );
    let kinds: Vec<String> = taken
        .iter()
        .map(|(f, n)| match f {
            Format::Sigma => format!("{n} Sigma rule{} converted to KQL", plural(*n)),
            Format::Hunting => format!("{n} hunting quer{}", if *n == 1 { "y" } else { "ies" }),
            Format::Quarry => format!("{n} Quarry rule{}", plural(*n)),
        })
        .collect();
    println!(
        "taken {total_taken}{} -> {}",
        if kinds.is_empty() {
            String::new()
        } else {
            format!(": {}", kinds.join(", "))
        },
        dir.display()
    );
    if cannot_run > 0 {
        println!("  {cannot_run} of them cannot run in Quarry yet");
    }
    if kept > 0 {
        println!("not replaced {kept} (already imported; --force replaces them)");
    }
    println!("refused {refused_total}");
    let mut reasons: Vec<(String, usize)> = refused.into_iter().collect();
    reasons.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    for (reason, n) in reasons.iter().take(a.top) {
        println!("  {n:>5}  {reason}");
    }
    if reasons.len() > a.top {
        let rest: usize = reasons[a.top..].iter().map(|(_, n)| n).sum();
        println!(
            "  {rest:>5}  ({} other reasons; each refused file is listed above on standard error)",
            reasons.len() - a.top
        );
    }
    // A pack with some refusals is still imported; only a run that took
    // nothing at all is a failure.
    if status == 0 && refused_total > 0 && total_taken == 0 && kept == 0 {
        status = 2;
    }
    status
}

/// A refusal's reason without its line number or the details under it,
/// so equal reasons group together.
fn reason_key(r: &pack::Refusal) -> String {
    let first = r.reason.lines().next().unwrap_or_default();
    let rest = match first.strip_prefix("line ") {
        Some(after) => after.split_once(": ").map_or(first, |(_, r)| r),
        None => first,
    };
    match r.format {
        Some(f) if f != Format::Sigma => format!("{f}: {rest}"),
        _ => rest.to_string(),
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}
