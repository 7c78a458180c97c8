//! The Sigma rule as written (specification 2.0): its metadata, log source
//! and detection, read from YAML without interpreting the values yet.

use serde_yaml_ng::{Mapping, Value};

use super::Refused;
use super::modifiers::Modifier;

/// A Sigma rule's parts that matter for conversion and for the rule list.
#[derive(Debug, Clone, PartialEq)]
pub struct SigmaRule {
    pub title: String,
    pub id: Option<String>,
    pub description: String,
    pub author: String,
    pub references: Vec<String>,
    pub tags: Vec<String>,
    /// informational, low, medium, high or critical; `None` when absent.
    pub level: Option<String>,
    pub logsource: LogSource,
    pub detection: Detection,
}

/// Where a rule's events come from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LogSource {
    pub category: Option<String>,
    pub product: Option<String>,
    pub service: Option<String>,
}

impl std::fmt::Display for LogSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = [
            ("category", &self.category),
            ("product", &self.product),
            ("service", &self.service),
        ]
        .iter()
        .filter_map(|(k, v)| v.as_ref().map(|v| format!("{k} {v}")))
        .collect();
        if parts.is_empty() {
            write!(f, "(none)")
        } else {
            write!(f, "{}", parts.join(", "))
        }
    }
}

/// The named searches and the condition that combines them.
#[derive(Debug, Clone, PartialEq)]
pub struct Detection {
    /// In the order the rule lists them (`1 of them` keeps that order).
    pub searches: Vec<(String, Search)>,
    /// Several conditions (a YAML list, Sigma 1) mean any of them.
    pub conditions: Vec<String>,
    /// The line of `condition:` in the file, for messages.
    pub condition_line: Option<usize>,
}

/// A search: maps of field tests (any map may match; within a map every
/// test must hold), or a list of keywords matched anywhere in the event.
#[derive(Debug, Clone, PartialEq)]
pub enum Search {
    Maps(Vec<Vec<Item>>),
    Keywords(Item),
}

/// One `Field|modifier|...: value(s)` test; `field` is `None` for keywords.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub field: Option<String>,
    pub modifiers: Vec<Modifier>,
    pub values: Vec<Scalar>,
    /// The key's line in the file, when it can be found.
    pub line: Option<usize>,
}

/// A value as YAML gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
}

impl Scalar {
    /// The value as Sigma reads it in a string context.
    pub fn text(&self) -> String {
        match self {
            Scalar::Text(s) => s.clone(),
            Scalar::Int(i) => i.to_string(),
            Scalar::Float(x) => x.to_string(),
            Scalar::Bool(b) => b.to_string(),
            Scalar::Null => String::new(),
        }
    }
}

/// Whether a parsed YAML document looks like a Sigma rule (as opposed to a
/// hunting query or something else); correlation rules count, to be refused
/// as such.
pub fn looks_like_sigma(doc: &Value) -> bool {
    doc.as_mapping().is_some_and(|m| {
        (m.contains_key("detection") && m.contains_key("logsource"))
            || (m.contains_key("correlation") && m.contains_key("title"))
    })
}

/// Reads a Sigma rule from its YAML text.
pub fn parse_rule(text: &str) -> Result<SigmaRule, Refused> {
    if text.lines().any(|l| l.trim_end() == "---")
        && serde_yaml_ng::from_str::<Value>(text).is_err()
    {
        return Err(Refused::new(
            "a multi-document Sigma file (rule collection) is not supported; \
             split it into one rule per file",
        ));
    }
    let doc: Value = serde_yaml_ng::from_str(text).map_err(|e| {
        let r = Refused::new(format!("not valid YAML: {e}"));
        match e.location() {
            Some(l) => r.at(l.line()),
            None => r,
        }
    })?;
    let Some(map) = doc.as_mapping() else {
        return Err(Refused::new("not a Sigma rule: the file is not a YAML map"));
    };
    if map.contains_key("correlation") {
        return Err(Refused::new("Sigma correlation rules are not supported"));
    }
    if map.contains_key("filter") && !map.contains_key("detection") {
        return Err(Refused::new("Sigma meta filters are not supported"));
    }
    let title = text_field(map, "title")
        .ok_or_else(|| Refused::new("missing field 'title'").at_key(text, "title:"))?;
    let logsource = match map.get("logsource") {
        Some(Value::Mapping(l)) => LogSource {
            category: text_field(l, "category"),
            product: text_field(l, "product"),
            service: text_field(l, "service"),
        },
        _ => {
            return Err(
                Refused::new("missing or malformed field 'logsource'").at_key(text, "logsource:")
            );
        }
    };
    let detection = match map.get("detection") {
        Some(Value::Mapping(d)) => parse_detection(d, text)?,
        _ => {
            return Err(
                Refused::new("missing or malformed field 'detection'").at_key(text, "detection:")
            );
        }
    };
    if map.contains_key("timeframe") || detection_has(map, "timeframe") {
        return Err(
            Refused::new("'timeframe' (an aggregation over time) is not supported")
                .at_key(text, "timeframe:"),
        );
    }
    Ok(SigmaRule {
        title,
        id: text_field(map, "id"),
        description: text_field(map, "description").unwrap_or_default(),
        author: text_field(map, "author").unwrap_or_default(),
        references: text_list(map, "references"),
        tags: text_list(map, "tags"),
        level: text_field(map, "level").map(|l| l.to_lowercase()),
        logsource,
        detection,
    })
}

fn detection_has(map: &Mapping, key: &str) -> bool {
    map.get("detection")
        .and_then(Value::as_mapping)
        .is_some_and(|d| d.contains_key(key))
}

fn text_field(map: &Mapping, key: &str) -> Option<String> {
    match map.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn text_list(map: &Mapping, key: &str) -> Vec<String> {
    match map.get(key) {
        Some(Value::Sequence(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                Value::Number(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn parse_detection(d: &Mapping, text: &str) -> Result<Detection, Refused> {
    let mut searches = Vec::new();
    let mut conditions = Vec::new();
    for (k, v) in d {
        let Some(name) = k.as_str() else {
            return Err(Refused::new(format!(
                "a search name must be text, not {}",
                describe(k)
            )));
        };
        match name {
            "condition" => {
                conditions = match v {
                    Value::String(s) => vec![s.clone()],
                    Value::Sequence(items) => items
                        .iter()
                        .map(|i| {
                            i.as_str().map(str::to_string).ok_or_else(|| {
                                Refused::new("every condition must be text")
                                    .at_key(text, "condition:")
                            })
                        })
                        .collect::<Result<_, _>>()?,
                    _ => {
                        return Err(
                            Refused::new("'condition' must be text").at_key(text, "condition:")
                        );
                    }
                };
            }
            "timeframe" => {}
            _ => searches.push((name.to_string(), parse_search(name, v, text)?)),
        }
    }
    if conditions.is_empty() {
        return Err(Refused::new("the detection has no 'condition'").at_key(text, "detection:"));
    }
    Ok(Detection {
        searches,
        conditions,
        condition_line: find_line(text, "condition:"),
    })
}

fn parse_search(name: &str, v: &Value, text: &str) -> Result<Search, Refused> {
    let here = |r: Refused| r.at_key(text, &format!("{name}:"));
    // Keys are looked for below the search's own line: the same key may
    // appear in several searches.
    let from = find_line(text, &format!("{name}:")).unwrap_or(1);
    match v {
        Value::Mapping(m) => Ok(Search::Maps(vec![parse_map(m, text, from)?])),
        Value::Sequence(items) if items.iter().all(Value::is_mapping) && !items.is_empty() => {
            let maps = items
                .iter()
                .filter_map(Value::as_mapping)
                .map(|m| parse_map(m, text, from))
                .collect::<Result<_, _>>()?;
            Ok(Search::Maps(maps))
        }
        Value::Sequence(items) => {
            let values = items
                .iter()
                .map(scalar)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| here(Refused::new(format!("search '{name}': {e}"))))?;
            Ok(Search::Keywords(Item {
                field: None,
                modifiers: Vec::new(),
                values,
                line: find_line(text, &format!("{name}:")),
            }))
        }
        Value::String(_) | Value::Number(_) => Ok(Search::Keywords(Item {
            field: None,
            modifiers: Vec::new(),
            values: vec![scalar(v).map_err(Refused::new)?],
            line: find_line(text, &format!("{name}:")),
        })),
        _ => Err(here(Refused::new(format!(
            "search '{name}' must be a map, a list of maps or a list of keywords, not {}",
            describe(v)
        )))),
    }
}

fn parse_map(m: &Mapping, text: &str, from: usize) -> Result<Vec<Item>, Refused> {
    let mut items = Vec::new();
    for (k, v) in m {
        let key = match k {
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            other => {
                return Err(Refused::new(format!(
                    "a field name must be text, not {}",
                    describe(other)
                )));
            }
        };
        let line = [
            format!("{key}:"),
            format!("'{key}':"),
            format!("\"{key}\":"),
        ]
        .iter()
        .find_map(|k| find_line_from(text, from, k));
        let mut parts = key.split('|');
        let field = parts.next().unwrap_or_default().trim();
        let modifiers = parts
            .map(|p| {
                Modifier::parse(p).ok_or_else(|| {
                    Refused::new(format!("unknown value modifier '{p}' in '{key}'"))
                        .at(line.unwrap_or(0))
                })
            })
            .collect::<Result<Vec<_>, _>>()?;
        let values = match v {
            Value::Sequence(list) => list.iter().map(scalar).collect::<Result<Vec<_>, _>>(),
            other => scalar(other).map(|s| vec![s]),
        }
        .map_err(|e| Refused::new(format!("'{key}': {e}")).at(line.unwrap_or(0)))?;
        items.push(Item {
            field: (!field.is_empty()).then(|| field.to_string()),
            modifiers,
            values,
            line,
        });
    }
    Ok(items)
}

fn scalar(v: &Value) -> Result<Scalar, String> {
    Ok(match v {
        Value::String(s) => Scalar::Text(s.clone()),
        Value::Bool(b) => Scalar::Bool(*b),
        Value::Null => Scalar::Null,
        Value::Number(n) => match n.as_i64() {
            Some(i) => Scalar::Int(i),
            None => Scalar::Float(n.as_f64().unwrap_or(f64::NAN)),
        },
        other => {
            return Err(format!(
                "a value must be text, a number, a boolean or null, not {}",
                describe(other)
            ));
        }
    })
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Sequence(_) => "a list",
        Value::Mapping(_) => "a map",
        Value::Tagged(_) => "a tagged value",
    }
}

/// The 1-based line where `needle` first starts a line's content (after
/// indentation or a list dash): YAML values carry no positions once parsed,
/// and the first such line is the key's in every rule layout Sigma uses.
pub fn find_line(text: &str, needle: &str) -> Option<usize> {
    find_line_from(text, 1, needle)
}

/// [`find_line`] from line `from` on.
fn find_line_from(text: &str, from: usize, needle: &str) -> Option<usize> {
    text.lines()
        .skip(from.saturating_sub(1))
        .position(|l| {
            let t = l.trim_start().trim_start_matches("- ").trim_start();
            t.starts_with(needle)
        })
        .map(|i| i + from.max(1))
}
