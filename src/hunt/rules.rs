//! Detection rules: a KQL query with its metadata, parameters and entity
//! columns, stored as TOML. Built-in rules ship inside the binary; users add
//! theirs in the platform config directory (`rules/*.toml`); Sentinel and
//! Defender hunting-query YAML files can be imported.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::kql::ast::{LetValue, Span};
use crate::kql::error::QueryError;
use crate::kql::parser::parse;

/// The rules compiled into the binary: (file name, TOML text).
pub const BUILTIN: &[(&str, &str)] = &[(
    "cloudfront-uncommon-process.toml",
    include_str!("../../rules/cloudfront-uncommon-process.toml"),
)];

/// Columns of a rule's results that name things to pivot on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entities {
    pub file_hash: Option<String>,
    pub device: Option<String>,
    pub url: Option<String>,
    pub account: Option<String>,
}

/// The query of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleQuery {
    pub text: String,
}

/// A detection rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    pub id: String,
    pub title: String,
    #[serde(default)]
    pub description: String,
    /// informational, low, medium, high or critical.
    pub severity: String,
    #[serde(default)]
    pub tactics: Vec<String>,
    #[serde(default)]
    pub techniques: Vec<String>,
    #[serde(default)]
    pub author: String,
    #[serde(default)]
    pub references: Vec<String>,
    /// `let` values of the query the user may change, as KQL literals
    /// (`query_period = "14d"`).
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    #[serde(default)]
    pub entities: Entities,
    pub query: RuleQuery,
    /// Where the rule came from (`builtin:...` or a file path); not stored.
    #[serde(skip)]
    pub origin: String,
}

/// Severities, least first; `critical` comes from Sigma's levels.
pub const SEVERITIES: &[&str] = &["informational", "low", "medium", "high", "critical"];

/// Why a rule file could not be loaded.
#[derive(Debug, Clone, PartialEq)]
pub struct RuleError {
    pub origin: String,
    pub message: String,
}

impl fmt::Display for RuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.origin, self.message)
    }
}

impl Rule {
    /// Parses a rule from TOML; errors name the field, or the query position.
    pub fn from_toml(text: &str, origin: &str) -> Result<Rule, RuleError> {
        let err = |message: String| RuleError {
            origin: origin.to_string(),
            message,
        };
        let mut rule: Rule = toml::from_str(text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| crate::kql::error::line_col(text, s.start))
                .unwrap_or((0, 0));
            let msg = e.message().trim().to_string();
            if line > 0 {
                err(format!("line {line}, column {col}: {msg}"))
            } else {
                err(msg)
            }
        })?;
        rule.origin = origin.to_string();
        rule.validate().map_err(err)?;
        Ok(rule)
    }

    fn validate(&self) -> Result<(), String> {
        if self.id.trim().is_empty() {
            return Err("field 'id' is empty".into());
        }
        if self.title.trim().is_empty() {
            return Err("field 'title' is empty".into());
        }
        if !SEVERITIES.contains(&self.severity.as_str()) {
            return Err(format!(
                "field 'severity' is '{}'; expected one of {}",
                self.severity,
                SEVERITIES.join(", ")
            ));
        }
        if let Err(e) = parse(&self.query.text) {
            return Err(format!(
                "field 'query.text': {}",
                e.render(&self.query.text)
            ));
        }
        for (name, value) in &self.parameters {
            if let Err(e) = crate::kql::parser::parse_expr(value) {
                return Err(format!("parameter '{name}': {}", e.render(value)));
            }
        }
        Ok(())
    }

    /// The query with parameters bound: each parameter's `let` in the query
    /// gets the rule's value, or `overrides`' (`query_period=7d`); a
    /// parameter the query does not declare is declared first. The result
    /// is still a query the user can paste into Defender.
    pub fn bound_query(&self, overrides: &BTreeMap<String, String>) -> Result<String, QueryError> {
        for name in overrides.keys() {
            if !self.parameters.contains_key(name) {
                let known: Vec<&str> = self.parameters.keys().map(String::as_str).collect();
                return Err(QueryError::unknown(
                    format!(
                        "rule {} has no parameter '{name}'{}",
                        self.id,
                        crate::kql::error::did_you_mean(name, known)
                    ),
                    Span::default(),
                ));
            }
        }
        let mut values = self.parameters.clone();
        for (k, v) in overrides {
            crate::kql::parser::parse_expr(v).map_err(|e| {
                QueryError::syntax(format!("value of {k}: {}", e.message), Span::default())
            })?;
            values.insert(k.clone(), v.clone());
        }
        let text = &self.query.text;
        let query = parse(text)?;
        let mut edits: Vec<(Span, String)> = Vec::new();
        let mut missing = Vec::new();
        for (name, value) in &values {
            match query.lets.iter().find(|l| l.name.name == *name) {
                Some(l) => match &l.value {
                    LetValue::Expr(e) => edits.push((e.span, value.clone())),
                    _ => {
                        return Err(QueryError::type_error(
                            format!("parameter '{name}' is not a scalar let in the query"),
                            l.span,
                        ));
                    }
                },
                None => missing.push(format!("let {name} = {value};\n")),
            }
        }
        edits.sort_by_key(|(s, _)| std::cmp::Reverse(s.start));
        let mut out = text.clone();
        for (span, value) in edits {
            out.replace_range(span.start..span.end, &value);
        }
        Ok(missing.concat() + &out)
    }
}

/// Every rule: the built-in ones, then the user's (a user rule with a
/// built-in's id replaces it). Files that fail are returned as errors; the
/// others still load.
pub fn load_all(user_dir: Option<&Path>) -> (Vec<Rule>, Vec<RuleError>) {
    let mut rules = Vec::new();
    let mut errors = Vec::new();
    for (name, text) in BUILTIN {
        match Rule::from_toml(text, &format!("builtin:{name}")) {
            Ok(r) => rules.push(r),
            Err(e) => errors.push(e),
        }
    }
    if let Some(dir) = user_dir {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(dir)
            .map(|d| d.filter_map(|e| e.ok().map(|e| e.path())).collect())
            .unwrap_or_default();
        paths.sort();
        for path in paths
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        {
            let origin = path.display().to_string();
            let loaded = std::fs::read_to_string(&path)
                .map_err(|e| RuleError {
                    origin: origin.clone(),
                    message: e.to_string(),
                })
                .and_then(|t| Rule::from_toml(&t, &origin));
            match loaded {
                Ok(r) => {
                    rules.retain(|old: &Rule| old.id != r.id);
                    rules.push(r);
                }
                Err(e) => errors.push(e),
            }
        }
    }
    (rules, errors)
}

/// The user's rules folder in the platform config directory.
pub fn user_dir() -> Option<PathBuf> {
    crate::places::config_file("rules")
}

/// A Sentinel or Defender hunting query in YAML.
#[derive(Debug, Deserialize)]
struct HuntingYaml {
    id: Option<serde_yaml_ng::Value>,
    name: Option<String>,
    description: Option<String>,
    query: Option<String>,
    #[serde(default)]
    tactics: Vec<String>,
    #[serde(default, rename = "relevantTechniques")]
    relevant_techniques: Vec<String>,
    severity: Option<String>,
    #[serde(default, rename = "queryFrequency")]
    query_frequency: Option<String>,
    #[serde(default, rename = "queryPeriod")]
    query_period: Option<String>,
}

/// Converts a hunting-query YAML file into a rule.
pub fn from_yaml(text: &str, origin: &str) -> Result<Rule, RuleError> {
    let err = |message: String| RuleError {
        origin: origin.to_string(),
        message,
    };
    let y: HuntingYaml = serde_yaml_ng::from_str(text).map_err(|e| match e.location() {
        Some(l) => err(format!("line {}, column {}: {e}", l.line(), l.column())),
        None => err(e.to_string()),
    })?;
    let id = match y.id {
        Some(serde_yaml_ng::Value::String(s)) => s,
        Some(serde_yaml_ng::Value::Number(n)) => n.to_string(),
        _ => return Err(err("missing field 'id'".into())),
    };
    let name = y.name.ok_or_else(|| err("missing field 'name'".into()))?;
    let query = y.query.ok_or_else(|| err("missing field 'query'".into()))?;
    let mut parameters = BTreeMap::new();
    // Sentinel's scheduling fields become parameters only where the query
    // declares them, so binding never changes a query that ignores them.
    for (k, v) in [
        ("query_frequency", y.query_frequency),
        ("query_period", y.query_period),
    ] {
        if let Some(v) = v
            && query.contains(k)
        {
            parameters.insert(k.to_string(), v.to_lowercase());
        }
    }
    let severity = y
        .severity
        .map(|s| s.to_lowercase())
        .filter(|s| SEVERITIES.contains(&s.as_str()))
        .unwrap_or_else(|| "medium".into());
    let rule = Rule {
        id,
        title: name,
        description: y.description.unwrap_or_default().trim().to_string(),
        severity,
        tactics: y.tactics,
        techniques: y.relevant_techniques,
        author: String::new(),
        references: Vec::new(),
        parameters,
        entities: Entities::default(),
        query: RuleQuery { text: query },
        origin: origin.to_string(),
    };
    rule.validate().map_err(err)?;
    Ok(rule)
}

/// The rule as TOML, for `quarry rules import`.
pub fn to_toml(rule: &Rule) -> String {
    toml::to_string_pretty(rule).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_rules_load() {
        let (rules, errors) = load_all(None);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rules[0].id, "QRY-0001");
        assert_eq!(
            rules[0].title,
            "Uncommon process connecting to a CloudFront domain"
        );
        assert_eq!(
            rules[0].entities.file_hash.as_deref(),
            Some("InitiatingProcessSHA1")
        );
    }

    #[test]
    fn parameters_rebind_the_lets() {
        let (rules, _) = load_all(None);
        let mut set = BTreeMap::new();
        set.insert("query_period".to_string(), "7d".to_string());
        let q = rules[0].bound_query(&set).unwrap();
        assert!(
            q.starts_with("let query_frequency = 1h;\nlet query_period = 7d;\n"),
            "{q}"
        );
        set.insert("query_perod".to_string(), "7d".to_string());
        let e = rules[0].bound_query(&set).unwrap_err();
        assert_eq!(
            e.message,
            "rule QRY-0001 has no parameter 'query_perod' (did you mean 'query_period'?)"
        );
    }
}
