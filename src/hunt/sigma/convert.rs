//! A Sigma rule's detection as one KQL `where` over its Defender table.

use std::collections::BTreeMap;

use crate::data::types::KqlType;

use super::Refused;
use super::condition::{self, Cond};
use super::defender::{self, ACCOUNT_DOMAINS, Column, FieldUse, Target};
use super::model::{Detection, Item, Search};
use super::modifiers::{Pattern, Patterns, Piece, Placeholders, patterns};
use super::render::{
    self, Expr, and, in_list, merge_equalities, not, or, quote, regex_flags, regex_test, text_test,
};

/// The query body and what the reader should know about it.
pub struct Body {
    pub kql: String,
    pub notes: Vec<String>,
}

/// Converts a detection for `target`.
pub fn detection(
    det: &Detection,
    target: &Target,
    placeholders: &Placeholders,
) -> Result<Body, Refused> {
    let mut c = Converter {
        target,
        placeholders,
        notes: Vec::new(),
    };
    let names: Vec<&str> = det.searches.iter().map(|(n, _)| n.as_str()).collect();
    let mut conds = Vec::new();
    for text in &det.conditions {
        let cond = condition::parse(text, &names).map_err(|e| {
            Refused::new(format!("condition: {}", e.render(text)))
                .at(det.condition_line.unwrap_or(0))
        })?;
        conds.push(cond);
    }
    // Only the searches the condition uses: an unused one with an unmapped
    // field does not refuse the rule.
    let mut used = Vec::new();
    conds.iter().for_each(|c| c.names(&mut used));
    let mut searches: BTreeMap<&str, Expr> = BTreeMap::new();
    for (name, search) in &det.searches {
        if used.contains(&name.as_str()) {
            searches.insert(name, c.search(search)?);
        }
    }
    let alternatives: Vec<Expr> = conds.iter().map(|cond| resolve(cond, &searches)).collect();
    let expr = or(alternatives);
    let mut kql = target.table.to_string();
    if !target.actions.is_empty() {
        let values: Vec<String> = target.actions.iter().map(|a| a.to_string()).collect();
        let test = if values.len() == 1 {
            format!("ActionType == {}", quote(&values[0]))
        } else {
            in_list("ActionType", &values, true)
        };
        kql.push_str(&format!("\n| where {test}"));
    }
    match expr {
        Expr::True => c
            .notes
            .push("the detection matches every event of the table".into()),
        Expr::False => {
            return Err(Refused::new(
                "the detection can never match (every search is empty)",
            ));
        }
        e => kql.push_str(&format!("\n| where {}", e.to_kql())),
    }
    c.notes.dedup();
    Ok(Body {
        kql,
        notes: c.notes,
    })
}

fn resolve(cond: &Cond, searches: &BTreeMap<&str, Expr>) -> Expr {
    match cond {
        Cond::Search(name) => searches.get(name.as_str()).cloned().unwrap_or(Expr::False),
        Cond::And(parts) => and(parts.iter().map(|p| resolve(p, searches)).collect()),
        Cond::Or(parts) => or(parts.iter().map(|p| resolve(p, searches)).collect()),
        Cond::Not(inner) => not(resolve(inner, searches)),
    }
}

struct Converter<'a> {
    target: &'a Target,
    placeholders: &'a Placeholders,
    notes: Vec<String>,
}

impl Converter<'_> {
    fn search(&mut self, search: &Search) -> Result<Expr, Refused> {
        match search {
            Search::Keywords(item) => self.item(item),
            Search::Maps(maps) => {
                let mut alternatives = Vec::new();
                for map in maps {
                    let tests = map
                        .iter()
                        .map(|i| self.item(i))
                        .collect::<Result<Vec<_>, _>>()?;
                    alternatives.push(and(tests));
                }
                Ok(or(alternatives))
            }
        }
    }

    fn item(&mut self, item: &Item) -> Result<Expr, Refused> {
        let at = |r: Refused| r.at(item.line.unwrap_or(0));
        let pats = patterns(item, self.placeholders)
            .map_err(|e| at(Refused::new(self.describe(item, &e))))?;
        let Some(field) = &item.field else {
            return self
                .combine(&pats, |_, p| keyword(p))
                .map_err(|e| at(Refused::new(e)));
        };
        let usage = self.target.field(field).map_err(|e| at(Refused::new(e)))?;
        let result = match usage {
            FieldUse::Dropped(why) => {
                self.notes.push(format!("{field} left out: {why}"));
                return Ok(Expr::True);
            }
            FieldUse::Hashes => self.hashes(&pats),
            FieldUse::ParentFileName(col) => {
                self.notes.push(format!(
                    "{field} matched on {} (Defender keeps only the file name there)",
                    col.name
                ));
                self.combine(&pats, |c, p| c.column_test(&col, &file_name(p), field))
            }
            FieldUse::Column(col) => self.combine(&pats, |c, p| c.column_test(&col, p, field)),
        };
        result.map_err(|e| at(Refused::new(e)))
    }

    fn describe(&self, item: &Item, e: &str) -> String {
        match &item.field {
            Some(f) => format!("field {f}: {e}"),
            None => format!("keywords: {e}"),
        }
    }

    /// Every value's alternatives, joined by `or` (or the values by `and`
    /// under `all`); exact values on one column become one `in~`.
    fn combine(
        &mut self,
        pats: &Patterns,
        mut test: impl FnMut(&mut Self, &Pattern) -> Result<Expr, String>,
    ) -> Result<Expr, String> {
        let mut per_value = Vec::new();
        for alternatives in &pats.values {
            let tests = alternatives
                .iter()
                .map(|p| test(self, p))
                .collect::<Result<Vec<_>, _>>()?;
            per_value.push(or(tests));
        }
        Ok(if pats.all {
            and(per_value)
        } else {
            merge_equalities(or(per_value))
        })
    }

    fn column_test(&mut self, col: &Column, p: &Pattern, field: &str) -> Result<Expr, String> {
        let name = col.name.as_str();
        let textual = col.kind == KqlType::String;
        let as_text = if textual {
            name.to_string()
        } else {
            format!("tostring({name})")
        };
        let atom = |s: String| Ok(Expr::Atom(s));
        match p {
            Pattern::Text { pieces, cased } => {
                if name == "RegistryKey" || name == "PreviousRegistryKey" {
                    return text_test(&as_text, &registry_pieces(pieces), *cased);
                }
                if name == "ActionType"
                    && field == "EventType"
                    && self.target.table == "DeviceRegistryEvents"
                    && let [Piece::Text(t)] = pieces.as_slice()
                {
                    let tests = defender::registry_actions(t)
                        .into_iter()
                        .map(|a| text_test(name, &[Piece::Text(a)], *cased))
                        .collect::<Result<Vec<_>, _>>()?;
                    return Ok(or(tests));
                }
                if let Some(domain) = ACCOUNT_DOMAINS
                    .iter()
                    .find(|(a, _)| *a == name)
                    .map(|(_, d)| *d)
                    && let Some((dom, user)) = split_account(pieces)
                    && let Some(dcol) = self.target.column(domain)
                {
                    return Ok(and(vec![
                        text_test(&dcol.name, &dom, *cased)?,
                        text_test(name, &user, *cased)?,
                    ]));
                }
                if let ([Piece::Text(t)], true) = (pieces.as_slice(), is_numeric(col.kind))
                    && let Ok(n) = t.trim().parse::<f64>()
                {
                    atom(format!("{name} == {}", render::number(n)))
                } else {
                    text_test(&as_text, pieces, *cased)
                }
            }
            Pattern::Number(n, written) => {
                if is_numeric(col.kind) {
                    atom(format!("{name} == {}", render::number(*n)))
                } else {
                    text_test(&as_text, &[Piece::Text(written.clone())], false)
                }
            }
            Pattern::Bool(b) if col.kind == KqlType::Bool => atom(format!("{name} == {b}")),
            Pattern::Bool(b) => text_test(&as_text, &[Piece::Text(b.to_string())], false),
            Pattern::Null | Pattern::Exists(false) => atom(format!("isempty({name})")),
            Pattern::Exists(true) => atom(format!("isnotempty({name})")),
            Pattern::Regex {
                pattern,
                insensitive,
                multiline,
                dotall,
            } => atom(regex_test(
                &as_text,
                &regex_flags(pattern, *insensitive, *multiline, *dotall),
            )?),
            Pattern::Cidr(range) => {
                if !textual {
                    return Err(format!(
                        "'cidr' needs a text column, and {name} is {}",
                        col.kind.name()
                    ));
                }
                if range.contains(':') {
                    atom(format!("ipv6_is_match({name}, {})", quote(range)))
                } else {
                    atom(format!("ipv4_is_in_range({name}, {})", quote(range)))
                }
            }
            Pattern::Compare(op, n, _) => {
                let lhs = if is_numeric(col.kind) {
                    name.to_string()
                } else {
                    format!("todouble({name})")
                };
                atom(format!("{lhs} {} {}", op.symbol(), render::number(*n)))
            }
            Pattern::FieldRef {
                field: other,
                pieces,
                cased,
            } => {
                let other_col = match self.target.field(other)? {
                    FieldUse::Column(c) => c,
                    _ => return Err(format!("'fieldref' to {other}, which has no plain column")),
                };
                atom(fieldref(name, &other_col.name, pieces, *cased))
            }
        }
    }

    /// `Hashes: SHA256=...` split onto the table's hash columns.
    fn hashes(&mut self, pats: &Patterns) -> Result<Expr, String> {
        let mut skipped = Vec::new();
        let target = self.target;
        let result = self.combine(pats, |_, p| {
            let Pattern::Text { pieces, .. } = p else {
                return Err("Hashes takes text values like SHA256=...".into());
            };
            let text: String = pieces
                .iter()
                .filter_map(|p| match p {
                    Piece::Text(t) => Some(t.as_str()),
                    _ => None,
                })
                .collect();
            let (algo, value) = match text.split_once(['=', '|']) {
                Some((a, v)) => (a.trim().to_uppercase(), v.trim().to_string()),
                None => {
                    let algo = match text.len() {
                        32 => "MD5",
                        40 => "SHA1",
                        64 => "SHA256",
                        _ => "",
                    };
                    (algo.to_string(), text.clone())
                }
            };
            match defender::hash_column(target, &algo) {
                Some(col) => Ok(Expr::Equal {
                    lhs: col.name,
                    value,
                    cased: false,
                }),
                None => {
                    skipped.push(if algo.is_empty() { value } else { algo });
                    Ok(Expr::False)
                }
            }
        })?;
        if result == Expr::False {
            return Err(format!(
                "Hashes has no MD5, SHA1 or SHA256 value that {} has a column for",
                target.table
            ));
        }
        if !skipped.is_empty() {
            skipped.sort();
            skipped.dedup();
            self.notes.push(format!(
                "Hashes values left out ({} has no column for them): {}",
                target.table,
                skipped.join(", ")
            ));
        }
        Ok(result)
    }
}

fn is_numeric(k: KqlType) -> bool {
    matches!(k, KqlType::Int | KqlType::Long | KqlType::Real)
}

/// A keyword: matched in any column.
fn keyword(p: &Pattern) -> Result<Expr, String> {
    match p {
        Pattern::Text { pieces, cased } => {
            // Keywords are found anywhere in an event: a plain one is
            // `contains`, not equality with a whole column.
            let trimmed: Vec<Piece> = pieces
                .iter()
                .skip_while(|p| **p == Piece::AnyRun)
                .cloned()
                .collect::<Vec<_>>();
            let mut inner = trimmed;
            while inner.last() == Some(&Piece::AnyRun) {
                inner.pop();
            }
            match inner.as_slice() {
                [Piece::Text(_)] => text_test("*", &inner, *cased),
                _ => Err("keywords with inner wildcards are not supported".into()),
            }
        }
        Pattern::Number(_, written) => text_test("*", &[Piece::Text(written.clone())], false),
        Pattern::Regex { .. } => Err("regular-expression keywords are not supported".into()),
        _ => Err("keywords must be text".into()),
    }
}

/// The pieces with a leading registry hive spelled as Defender does.
fn registry_pieces(pieces: &[Piece]) -> Vec<Piece> {
    let mut out = pieces.to_vec();
    if let Some(Piece::Text(t)) = out.first_mut() {
        *t = defender::registry_key(t);
    }
    out
}

/// `DOMAIN\user` split at its one backslash: (domain pieces, user pieces).
fn split_account(pieces: &[Piece]) -> Option<(Vec<Piece>, Vec<Piece>)> {
    let slashes: usize = pieces
        .iter()
        .map(|p| match p {
            Piece::Text(t) => t.matches('\\').count(),
            _ => 0,
        })
        .sum();
    if slashes != 1 {
        return None;
    }
    let i = pieces
        .iter()
        .position(|p| matches!(p, Piece::Text(t) if t.contains('\\')))?;
    let Piece::Text(t) = &pieces[i] else {
        return None;
    };
    let (d, u) = t.split_once('\\')?;
    let mut dom = pieces[..i].to_vec();
    if !d.is_empty() {
        dom.push(Piece::Text(d.into()));
    }
    let mut user = Vec::new();
    if !u.is_empty() {
        user.push(Piece::Text(u.into()));
    }
    user.extend(pieces[i + 1..].iter().cloned());
    if dom.is_empty() || user.is_empty() {
        return None;
    }
    Some((dom, user))
}

/// The parent's file name from a `ParentImage` value: the text after the
/// last `\` or `/` (an `endswith` on a path becomes an exact name).
fn file_name(p: &Pattern) -> Pattern {
    let Pattern::Text { pieces, cased } = p else {
        return p.clone();
    };
    let Some(i) = pieces
        .iter()
        .rposition(|p| matches!(p, Piece::Text(t) if t.contains(['\\', '/'])))
    else {
        return p.clone();
    };
    let Piece::Text(t) = &pieces[i] else {
        return p.clone();
    };
    let name = t.rsplit(['\\', '/']).next().unwrap_or_default();
    let mut out = Vec::new();
    if !name.is_empty() {
        out.push(Piece::Text(name.into()));
    }
    out.extend(pieces[i + 1..].iter().cloned());
    Pattern::Text {
        pieces: out,
        cased: *cased,
    }
}

fn fieldref(name: &str, other: &str, wrap: &[Piece], cased: bool) -> String {
    let cs = if cased { "_cs" } else { "" };
    match wrap {
        [Piece::AnyRun, Piece::AnyRun] => format!("{name} contains{cs} {other}"),
        [Piece::AnyRun] => format!("{name} endswith{cs} {other}"),
        _ if cased => format!("{name} == {other}"),
        _ => format!("{name} =~ {other}"),
    }
}
