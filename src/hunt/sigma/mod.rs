//! Sigma rules (specification 2.0) as Quarry rules: the detection becomes
//! KQL over Defender's advanced hunting tables, pasteable into Defender.
//! A rule that cannot be converted faithfully is refused with its reason.
//!
//! - [`model`] reads the YAML; [`modifiers`] gives each value's meaning;
//!   [`condition`] parses the condition; [`defender`] maps log sources and
//!   fields to tables and columns; [`convert`] and [`render`] write the KQL.

pub mod condition;
pub mod convert;
pub mod defender;
pub mod model;
pub mod modifiers;
pub mod render;

use std::fmt;

pub use modifiers::Placeholders;

use super::rules::{Entities, Rule, RuleQuery};

/// Why a Sigma rule was not converted, and where in the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refused {
    /// 1-based line in the rule file, when known.
    pub line: Option<usize>,
    pub reason: String,
}

impl Refused {
    /// A refusal with no line yet.
    pub fn new(reason: impl Into<String>) -> Refused {
        Refused {
            line: None,
            reason: reason.into(),
        }
    }

    /// The same refusal at a line (0: unknown, nothing changes).
    pub fn at(mut self, line: usize) -> Refused {
        if line > 0 && self.line.is_none() {
            self.line = Some(line);
        }
        self
    }

    /// The same refusal at the line where `key` starts in `text`.
    pub fn at_key(self, text: &str, key: &str) -> Refused {
        let line = model::find_line(text, key).unwrap_or(0);
        self.at(line)
    }
}

impl fmt::Display for Refused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(l) => write!(f, "line {l}: {}", self.reason),
            None => write!(f, "{}", self.reason),
        }
    }
}

/// A converted Sigma rule.
#[derive(Debug, Clone)]
pub struct Converted {
    pub rule: Rule,
    /// The Defender table the query reads.
    pub table: &'static str,
    /// What the conversion left out or changed, for the analyst to know
    /// (`EventID left out: ...`).
    pub notes: Vec<String>,
}

/// Whether a YAML text is a Sigma rule (it has `detection` and
/// `logsource`), without converting it.
pub fn is_sigma(text: &str) -> bool {
    serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text).is_ok_and(|d| model::looks_like_sigma(&d))
        || (text.contains("\ndetection:") && text.contains("\nlogsource:"))
}

/// Converts a Sigma rule's text. `origin` names the file; its stem is the
/// rule's id when the rule has none.
pub fn convert(
    text: &str,
    origin: &str,
    placeholders: &Placeholders,
) -> Result<Converted, Refused> {
    let sigma = model::parse_rule(text)?;
    let target = defender::target(&sigma.logsource).map_err(|e| {
        let key = if sigma.logsource.category.is_some() {
            "category:"
        } else {
            "logsource:"
        };
        Refused::new(e).at_key(text, key)
    })?;
    let body = convert::detection(&sigma.detection, &target, placeholders)?;
    let stem = std::path::Path::new(origin)
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| origin.to_string());
    let (tactics, techniques) = attack_tags(&sigma.tags);
    let rule = Rule {
        id: sigma.id.clone().unwrap_or(stem),
        title: sigma.title.trim().to_string(),
        description: sigma.description.trim().to_string(),
        severity: severity(sigma.level.as_deref()),
        tactics,
        techniques,
        author: sigma.author.trim().to_string(),
        references: sigma.references.clone(),
        parameters: Default::default(),
        entities: entities(&target),
        query: RuleQuery { text: body.kql },
        origin: origin.to_string(),
    };
    // The engine must understand every operator and function used: a
    // conversion Quarry cannot run is a refusal, not a surprise later.
    let plugins: Vec<String> = crate::hunt::plugins()
        .iter()
        .map(|p| p.name().to_string())
        .collect();
    let names: Vec<&str> = plugins.iter().map(String::as_str).collect();
    if let Err(e) = crate::kql::check::check(&rule.query.text, &names) {
        return Err(Refused::new(format!(
            "the KQL written for it does not run in Quarry: {}",
            e.message
        )));
    }
    Ok(Converted {
        rule,
        table: target.table,
        notes: body.notes,
    })
}

/// Sigma levels as Quarry severities (`critical` stays critical).
fn severity(level: Option<&str>) -> String {
    match level {
        Some(l @ ("informational" | "low" | "medium" | "high" | "critical")) => l.to_string(),
        _ => "medium".to_string(),
    }
}

/// `attack.t1059.001` -> technique T1059.001; `attack.defense-evasion` ->
/// tactic DefenseEvasion (Sentinel's spelling). Group and software tags
/// (`attack.g0007`, `attack.s0002`) are neither.
fn attack_tags(tags: &[String]) -> (Vec<String>, Vec<String>) {
    let mut tactics = Vec::new();
    let mut techniques = Vec::new();
    for tag in tags {
        let Some(rest) = tag
            .to_lowercase()
            .strip_prefix("attack.")
            .map(str::to_string)
        else {
            continue;
        };
        let first = rest.chars().next().unwrap_or(' ');
        let digits = rest.len() > 1 && rest[1..].starts_with(|c: char| c.is_ascii_digit());
        if first == 't' && digits {
            techniques.push(rest.to_uppercase());
        } else if (first == 'g' || first == 's') && digits {
            continue;
        } else {
            let name: String = rest
                .split(['-', '_'])
                .map(|w| {
                    let mut c = w.chars();
                    c.next()
                        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
                        .unwrap_or_default()
                })
                .collect();
            tactics.push(name);
        }
    }
    (tactics, techniques)
}

/// The columns to pivot on in the table's rows. SHA1 rather than SHA256:
/// Defender documents SHA256 as often unpopulated in these tables.
fn entities(target: &defender::Target) -> Entities {
    let has = |c: &str| target.column(c).map(|_| c.to_string());
    let process = target.table == "DeviceProcessEvents";
    Entities {
        file_hash: if process {
            has("SHA1")
        } else {
            has("InitiatingProcessSHA1")
        },
        device: has("DeviceName"),
        url: has("RemoteUrl"),
        account: if process {
            has("AccountName")
        } else {
            has("InitiatingProcessAccountName")
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attack_tags_become_tactics_and_techniques() {
        let tags: Vec<String> = [
            "attack.defense-evasion",
            "attack.t1059.001",
            "attack.g0007",
            "cve.2021-1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            attack_tags(&tags),
            (
                vec!["DefenseEvasion".to_string()],
                vec!["T1059.001".to_string()]
            )
        );
    }
}
