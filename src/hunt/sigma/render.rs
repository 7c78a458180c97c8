//! KQL text for Sigma tests: a boolean tree of tests, and each test written
//! the way an analyst would write it in Defender (`=~`, `in~`, `contains`,
//! `startswith`, `endswith`, `matches regex`), case-insensitive unless the
//! rule asks otherwise.

use super::modifiers::Piece;

/// A condition being built: `True` is what a dropped field leaves behind.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    True,
    False,
    Atom(String),
    /// `lhs =~ "value"` (`==` when cased), kept apart so several on one
    /// column can become one `in~`.
    Equal {
        lhs: String,
        value: String,
        cased: bool,
    },
    /// `lhs contains "value"` and its kin, kept apart so a long list on one
    /// column can become one regex (the engine, like any parser, limits
    /// how deeply `or`s nest).
    Find {
        lhs: String,
        how: Find,
        value: String,
        cased: bool,
    },
    And(Vec<Expr>),
    Or(Vec<Expr>),
    Not(Box<Expr>),
}

/// Where a [`Expr::Find`] looks for its text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Find {
    Contains,
    StartsWith,
    EndsWith,
}

impl Find {
    fn operator(self) -> &'static str {
        match self {
            Find::Contains => "contains",
            Find::StartsWith => "startswith",
            Find::EndsWith => "endswith",
        }
    }
}

/// Above this many alternatives on one column, `or`s become one regex.
const MAX_ALTERNATIVES: usize = 32;

/// `a and b and ...`, simplified.
pub fn and(parts: Vec<Expr>) -> Expr {
    let mut out = Vec::new();
    for p in parts {
        match p {
            Expr::True => {}
            Expr::False => return Expr::False,
            Expr::And(inner) => out.extend(inner),
            p => out.push(p),
        }
    }
    match out.len() {
        0 => Expr::True,
        1 => out.remove(0),
        _ => Expr::And(out),
    }
}

/// `a or b or ...`, simplified.
pub fn or(parts: Vec<Expr>) -> Expr {
    let mut out = Vec::new();
    for p in parts {
        match p {
            Expr::False => {}
            Expr::True => return Expr::True,
            Expr::Or(inner) => out.extend(inner),
            p => out.push(p),
        }
    }
    match out.len() {
        0 => Expr::False,
        1 => out.remove(0),
        _ => Expr::Or(out),
    }
}

/// `not(a)`, simplified.
pub fn not(e: Expr) -> Expr {
    match e {
        Expr::True => Expr::False,
        Expr::False => Expr::True,
        Expr::Not(inner) => *inner,
        e => Expr::Not(Box::new(e)),
    }
}

impl Expr {
    /// The KQL text; the top level's conjuncts go on lines of their own.
    pub fn to_kql(&self) -> String {
        match self {
            Expr::And(parts) => parts
                .iter()
                .map(|p| p.inner(true))
                .collect::<Vec<_>>()
                .join("\n    and "),
            e => e.inner(false),
        }
    }

    fn inner(&self, in_and: bool) -> String {
        match self {
            Expr::And(_) if !in_and => format!("({})", self.bare()),
            Expr::Or(_) if in_and => format!("({})", self.bare()),
            e => e.bare(),
        }
    }

    /// The text without parentheses around itself.
    fn bare(&self) -> String {
        match self {
            Expr::True => "true".into(),
            Expr::False => "false".into(),
            Expr::Atom(a) => a.clone(),
            Expr::Equal { lhs, value, cased } => {
                format!(
                    "{lhs} {} {}",
                    if *cased { "==" } else { "=~" },
                    quote(value)
                )
            }
            Expr::Find {
                lhs,
                how,
                value,
                cased,
            } => format!(
                "{lhs} {}{} {}",
                how.operator(),
                if *cased { "_cs" } else { "" },
                quote(value)
            ),
            Expr::Not(e) => format!("not({})", e.bare()),
            Expr::And(parts) => parts
                .iter()
                .map(|p| p.inner(true))
                .collect::<Vec<_>>()
                .join(" and "),
            Expr::Or(parts) => parts
                .iter()
                .map(|p| p.inner(false))
                .collect::<Vec<_>>()
                .join(" or "),
        }
    }
}

/// A KQL string literal for `s`: verbatim (`@"C:\Windows"`) when it holds
/// backslashes, so paths and regexes read as written.
pub fn quote(s: &str) -> String {
    crate::kql::quote::readable_literal(s)
}

/// The test that `lhs` (a column, `tostring(Column)`, or `*` for any
/// column) matches a Sigma string.
pub fn text_test(lhs: &str, pieces: &[Piece], cased: bool) -> Result<Expr, String> {
    let cs = if cased { "_cs" } else { "" };
    let star = lhs == "*";
    Ok(Expr::Atom(match pieces {
        [] if star => return Err("an empty keyword matches nothing".into()),
        [] => format!("isempty({lhs})"),
        [Piece::AnyRun] if star => return Err("a keyword '*' matches everything".into()),
        [Piece::AnyRun] => format!("isnotempty({lhs})"),
        [Piece::Text(t)] if star => format!("* contains{cs} {}", quote(t)),
        [Piece::Text(t)] => {
            return Ok(Expr::Equal {
                lhs: lhs.to_string(),
                value: t.clone(),
                cased,
            });
        }
        [Piece::AnyRun, Piece::Text(t), Piece::AnyRun] => {
            return Ok(find(lhs, Find::Contains, t, cased));
        }
        [Piece::Text(t), Piece::AnyRun] => return Ok(find(lhs, Find::StartsWith, t, cased)),
        [Piece::AnyRun, Piece::Text(t)] => return Ok(find(lhs, Find::EndsWith, t, cased)),
        _ => regex_test(lhs, &wildcard_regex(pieces, cased))?,
    }))
}

fn find(lhs: &str, how: Find, value: &str, cased: bool) -> Expr {
    Expr::Find {
        lhs: lhs.to_string(),
        how,
        value: value.to_string(),
        cased,
    }
}

/// `C =~ "a" or C =~ "b" or ...` -> `C in~ ("a", "b")`, in the place of the
/// first; more than [`MAX_ALTERNATIVES`] `contains` (or `startswith`, or
/// `endswith`) on one column -> one `matches regex "(?i)(a|b|...)"`. Other
/// alternatives keep their order.
pub fn merge_equalities(e: Expr) -> Expr {
    let e = merge_finds(e);
    let Expr::Or(parts) = e else { return e };
    let mut out: Vec<Expr> = Vec::new();
    // (lhs, cased, values, index in out)
    let mut groups: Vec<(String, bool, Vec<String>, usize)> = Vec::new();
    for p in parts {
        if let Expr::Equal { lhs, value, cased } = &p {
            if let Some(g) = groups.iter_mut().find(|g| g.0 == *lhs && g.1 == *cased) {
                g.2.push(value.clone());
                continue;
            }
            groups.push((lhs.clone(), *cased, vec![value.clone()], out.len()));
        }
        out.push(p);
    }
    for (lhs, cased, values, at) in groups {
        if values.len() > 1 {
            out[at] = Expr::Atom(in_list(&lhs, &values, cased));
        }
    }
    or(out)
}

/// The column, test and casing [`Expr::Find`]s are grouped by.
type FindKey = (String, Find, bool);

fn merge_finds(e: Expr) -> Expr {
    let Expr::Or(parts) = e else { return e };
    let key = |p: &Expr| match p {
        Expr::Find {
            lhs, how, cased, ..
        } => Some((lhs.clone(), *how, *cased)),
        _ => None,
    };
    let mut counts: Vec<(FindKey, usize)> = Vec::new();
    for k in parts.iter().filter_map(key) {
        match counts.iter_mut().find(|(c, _)| *c == k) {
            Some((_, n)) => *n += 1,
            None => counts.push((k, 1)),
        }
    }
    let big: Vec<FindKey> = counts
        .into_iter()
        .filter(|(_, n)| *n > MAX_ALTERNATIVES)
        .map(|(k, _)| k)
        .collect();
    if big.is_empty() {
        return Expr::Or(parts);
    }
    let mut out: Vec<Expr> = Vec::new();
    // (column and test, values, where the regex goes)
    let mut pending: Vec<(FindKey, Vec<String>, usize)> = Vec::new();
    for p in parts {
        if let (Some(k), Expr::Find { value, .. }) = (key(&p), &p)
            && big.contains(&k)
        {
            match pending.iter_mut().find(|(c, _, _)| *c == k) {
                Some((_, values, _)) => values.push(value.clone()),
                None => {
                    pending.push((k, vec![value.clone()], out.len()));
                    out.push(Expr::False);
                }
            }
            continue;
        }
        out.push(p);
    }
    for ((lhs, how, cased), values, at) in pending {
        let alternation: Vec<String> = values.iter().map(|v| regex::escape(v)).collect();
        let pattern = format!(
            "{}{}({}){}",
            if cased { "" } else { "(?i)" },
            if how == Find::StartsWith { "^" } else { "" },
            alternation.join("|"),
            if how == Find::EndsWith { "$" } else { "" }
        );
        out[at] = Expr::Atom(format!("{lhs} matches regex {}", quote(&pattern)));
    }
    or(out)
}

/// `lhs in~ (...)` for several exact values.
pub fn in_list(lhs: &str, values: &[String], cased: bool) -> String {
    let list: Vec<String> = values.iter().map(|v| quote(v)).collect();
    format!(
        "{lhs} {} ({})",
        if cased { "in" } else { "in~" },
        list.join(", ")
    )
}

/// A Sigma wildcard string as a regex (`*` any run, `?` one character);
/// leading and trailing `*` drop the anchors instead.
fn wildcard_regex(pieces: &[Piece], cased: bool) -> String {
    let mut body = String::new();
    let mut inner = pieces;
    let anchored_start = !matches!(inner.first(), Some(Piece::AnyRun));
    let anchored_end = !matches!(inner.last(), Some(Piece::AnyRun));
    if !anchored_start {
        inner = &inner[1..];
    }
    if !anchored_end && !inner.is_empty() {
        inner = &inner[..inner.len() - 1];
    }
    for p in inner {
        match p {
            Piece::Text(t) => body.push_str(&regex::escape(t)),
            Piece::AnyRun => body.push_str(".*"),
            Piece::AnyOne => body.push('.'),
        }
    }
    format!(
        "{}{}{body}{}",
        if cased { "(?s)" } else { "(?is)" },
        if anchored_start { "^" } else { "" },
        if anchored_end { "$" } else { "" }
    )
}

/// `lhs matches regex @"..."`, refused when the engine (Rust's `regex`,
/// like Defender's RE2) cannot compile the pattern.
pub fn regex_test(lhs: &str, pattern: &str) -> Result<String, String> {
    if let Err(e) = regex::RegexBuilder::new(pattern).build() {
        let why = e.to_string();
        let why = why
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .trim_start_matches("error: ");
        return Err(format!(
            "regex {} is not supported (RE2 syntax, as in Defender): {why}",
            quote(pattern)
        ));
    }
    Ok(format!("{lhs} matches regex {}", quote(pattern)))
}

/// The inline flags of a Sigma `re` test.
pub fn regex_flags(pattern: &str, insensitive: bool, multiline: bool, dotall: bool) -> String {
    let flags: String = [(insensitive, 'i'), (multiline, 'm'), (dotall, 's')]
        .iter()
        .filter(|(on, _)| *on)
        .map(|(_, f)| *f)
        .collect();
    if flags.is_empty() {
        pattern.to_string()
    } else {
        format!("(?{flags}){pattern}")
    }
}

/// A number as KQL writes it: integers without a fraction.
pub fn number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 9.0e15 {
        format!("{}", n as i64)
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hunt::sigma::modifiers::pieces;

    #[test]
    fn tests_read_as_an_analyst_writes_them() {
        let t = |s: &str, cased| text_test("C", &pieces(s), cased).unwrap().to_kql();
        assert_eq!(t("a", false), r#"C =~ "a""#);
        assert_eq!(t("a", true), r#"C == "a""#);
        assert_eq!(t("*a*", false), r#"C contains "a""#);
        assert_eq!(t(r"*\a.exe", false), r#"C endswith @"\a.exe""#);
        assert_eq!(t("a*", true), r#"C startswith_cs "a""#);
        assert_eq!(t("a*b", false), r#"C matches regex "(?is)^a.*b$""#);
        assert_eq!(t("*a?b*", true), r#"C matches regex "(?s)a.b""#);
        assert_eq!(t("", false), "isempty(C)");
        assert_eq!(quote("say \"hi\""), r#""say \"hi\"""#);
        assert_eq!(quote(r#"C:\a "b""#), r#"@"C:\a ""b""""#);
    }

    #[test]
    fn trees_parenthesise_only_where_needed() {
        let a = |s: &str| Expr::Atom(s.into());
        let e = and(vec![
            or(vec![a("x"), a("y")]),
            not(and(vec![a("z"), a("w")])),
        ]);
        assert_eq!(e.to_kql(), "(x or y)\n    and not(z and w)");
        assert_eq!(
            or(vec![a("x"), and(vec![a("y"), Expr::True])]).to_kql(),
            "x or y"
        );
        let eq = |v: &str| Expr::Equal {
            lhs: "C".into(),
            value: v.into(),
            cased: false,
        };
        let merged = merge_equalities(or(vec![eq("a"), a("x"), eq("b")]));
        assert_eq!(merged.to_kql(), r#"C in~ ("a", "b") or x"#);
        // A long list of contains on one column is one regex.
        let many: Vec<Expr> = (0..40)
            .map(|i| text_test("C", &pieces(&format!("*a.{i}*")), false).unwrap())
            .chain([a("x")])
            .collect();
        let merged = merge_equalities(or(many)).to_kql();
        assert!(
            merged.starts_with(r#"C matches regex @"(?i)(a\.0|a\.1|"#),
            "{merged}"
        );
        assert!(merged.ends_with(r#"|a\.39)" or x"#), "{merged}");
    }
}
