//! `quarry rules convert RULE.yml...`: the KQL of Sigma rules, ready to
//! paste into Defender advanced hunting.

use std::path::PathBuf;

use crate::hunt::pack;
use crate::hunt::sigma;

#[derive(Debug, clap::Args)]
pub struct ConvertArgs {
    /// Sigma rule files, or folders of them.
    #[arg(required = true)]
    paths: Vec<PathBuf>,
    /// Values for a placeholder of Sigma's `expand` (repeatable):
    /// `--placeholder Admins=administrator,root`.
    #[arg(long = "placeholder", value_name = "NAME=VALUE,...")]
    placeholders: Vec<String>,
}

/// Prints each converted rule's KQL under a `//` comment naming it; the
/// reasons for refused rules go to standard error. Exit status 2 when any
/// rule was refused.
pub fn run_cli(a: ConvertArgs) -> i32 {
    let placeholders = match super::placeholders(&a.placeholders) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("quarry: {e}");
            return 2;
        }
    };
    let files = match pack::rule_files(&a.paths) {
        Ok((files, _)) => files,
        Err(e) => {
            eprintln!("quarry: {e}");
            return 1;
        }
    };
    let mut status = 0;
    let mut first = true;
    for path in files {
        let origin = path.display().to_string();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{origin}: {e}");
                status = 1;
                continue;
            }
        };
        if pack::recognise(&text) != Some(pack::Format::Sigma) {
            eprintln!("{origin}: not a Sigma rule (no detection and logsource)");
            status = 2;
            continue;
        }
        match sigma::convert(&text, &origin, &placeholders) {
            Ok(c) => {
                if !first {
                    println!();
                }
                first = false;
                println!("// {} ({})", c.rule.title, c.rule.id);
                println!("{}", c.rule.query.text);
                for note in &c.notes {
                    eprintln!("{origin}: note: {note}");
                }
            }
            Err(e) => {
                eprintln!("{origin}: refused: {e}");
                status = 2;
            }
        }
    }
    status
}
