//! Rule packs: folder trees of rule files in any of the three formats Quarry
//! reads (Sigma YAML, Sentinel/Defender hunting-query YAML, Quarry TOML),
//! each recognised by its content rather than its name.

use std::fmt;
use std::path::{Path, PathBuf};

use super::rules::{self, Rule};
use super::sigma::{self, Placeholders};

/// The format of a rule file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Format {
    Sigma,
    Hunting,
    Quarry,
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Format::Sigma => "Sigma rule",
            Format::Hunting => "hunting query",
            Format::Quarry => "Quarry rule",
        })
    }
}

/// A rule read from a file.
#[derive(Debug, Clone)]
pub struct Taken {
    pub format: Format,
    pub rule: Rule,
    /// What a Sigma conversion left out or changed.
    pub notes: Vec<String>,
}

/// A file that gave no rule: its format when recognised, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub format: Option<Format>,
    /// `line N: ...` when the line is known.
    pub reason: String,
}

/// What a rule file's text is, from its content.
pub fn recognise(text: &str) -> Option<Format> {
    if let Ok(doc) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text)
        && let Some(map) = doc.as_mapping()
    {
        if sigma::model::looks_like_sigma(&doc) {
            return Some(Format::Sigma);
        }
        if map.contains_key("query") && (map.contains_key("name") || map.contains_key("id")) {
            return Some(Format::Hunting);
        }
    }
    if let Ok(table) = toml::from_str::<toml::Table>(text)
        && table.get("query").is_some_and(|q| q.is_table())
    {
        return Some(Format::Quarry);
    }
    // Broken YAML that still reads as a Sigma rule gets Sigma's message.
    sigma::is_sigma(text).then_some(Format::Sigma)
}

/// Reads one rule file, whatever its format.
pub fn load_file(path: &Path, placeholders: &Placeholders) -> Result<Taken, Refusal> {
    let origin = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| Refusal {
        format: None,
        reason: e.to_string(),
    })?;
    load_text(&text, &origin, placeholders)
}

/// Reads one rule from its text; `origin` names it in messages.
pub fn load_text(text: &str, origin: &str, placeholders: &Placeholders) -> Result<Taken, Refusal> {
    let refused = |format, reason: String| Refusal {
        format: Some(format),
        reason,
    };
    match recognise(text) {
        Some(Format::Sigma) => sigma::convert(text, origin, placeholders)
            .map(|c| Taken {
                format: Format::Sigma,
                rule: c.rule,
                notes: c.notes,
            })
            .map_err(|e| refused(Format::Sigma, e.to_string())),
        Some(Format::Hunting) => rules::from_yaml(text, origin)
            .map(|rule| Taken {
                format: Format::Hunting,
                rule,
                notes: Vec::new(),
            })
            .map_err(|e| refused(Format::Hunting, e.message)),
        Some(Format::Quarry) => Rule::from_toml(text, origin)
            .map(|rule| Taken {
                format: Format::Quarry,
                rule,
                notes: Vec::new(),
            })
            .map_err(|e| refused(Format::Quarry, e.message)),
        None => Err(Refusal {
            format: None,
            reason: "not a rule: neither Sigma (detection, logsource), a hunting query \
                     (name, query) nor a Quarry rule ([query])"
                .into(),
        }),
    }
}

/// The files under `roots` that may hold rules (`.yml`, `.yaml`, `.toml`),
/// sorted, and how many other files were passed over. Hidden folders
/// (`.git`) are not entered; symbolic links to folders are not followed.
pub fn rule_files(roots: &[PathBuf]) -> Result<(Vec<PathBuf>, usize), String> {
    let mut files = Vec::new();
    let mut others = 0;
    for root in roots {
        let meta = std::fs::metadata(root).map_err(|e| format!("{}: {e}", root.display()))?;
        if meta.is_file() {
            files.push(root.clone());
            continue;
        }
        let mut stack = vec![root.clone()];
        while let Some(dir) = stack.pop() {
            let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
            for entry in entries.flatten() {
                let path = entry.path();
                let hidden = entry.file_name().to_string_lossy().starts_with('.');
                match entry.file_type() {
                    Ok(t) if t.is_dir() => {
                        if !hidden {
                            stack.push(path);
                        }
                    }
                    Ok(_) if is_rule_name(&path) => files.push(path),
                    _ => others += 1,
                }
            }
        }
    }
    files.sort();
    files.dedup();
    Ok((files, others))
}

fn is_rule_name(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| ["yml", "yaml", "toml"].contains(&e.to_ascii_lowercase().as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_told_apart_by_content() {
        let sigma = "title: t\nlogsource:\n  category: process_creation\ndetection:\n  s:\n    Image: x\n  condition: s\n";
        assert_eq!(recognise(sigma), Some(Format::Sigma));
        assert_eq!(
            recognise("id: 1\nname: n\nquery: T\n"),
            Some(Format::Hunting)
        );
        assert_eq!(
            recognise("id = \"X\"\ntitle = \"t\"\nseverity = \"low\"\n[query]\ntext = \"T\"\n"),
            Some(Format::Quarry)
        );
        assert_eq!(recognise("just: yaml\n"), None);
    }
}
