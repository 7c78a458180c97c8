//! Sigma's value modifiers: what a `Field|modifier` test means, turned into
//! the patterns a field must match ([`Pattern`]).

use std::collections::BTreeMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::model::{Item, Scalar};

/// A value modifier, in the order the rule lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    Contains,
    StartsWith,
    EndsWith,
    All,
    Base64,
    Base64Offset,
    Utf16Le,
    Utf16Be,
    /// UTF-16 little endian with a byte order mark.
    Utf16,
    Windash,
    Re,
    /// `re` flags: case-insensitive, multi-line, dot matches newline.
    ReI,
    ReM,
    ReS,
    Cidr,
    Exists,
    Gt,
    Gte,
    Lt,
    Lte,
    FieldRef,
    Expand,
    Cased,
}

impl Modifier {
    /// The modifier a name stands for (`wide` is `utf16le`).
    pub fn parse(name: &str) -> Option<Modifier> {
        use Modifier::*;
        Some(match name {
            "contains" => Contains,
            "startswith" => StartsWith,
            "endswith" => EndsWith,
            "all" => All,
            "base64" => Base64,
            "base64offset" => Base64Offset,
            "utf16le" | "wide" => Utf16Le,
            "utf16be" => Utf16Be,
            "utf16" => Utf16,
            "windash" => Windash,
            "re" => Re,
            "i" => ReI,
            "m" => ReM,
            "s" => ReS,
            "cidr" => Cidr,
            "exists" => Exists,
            "gt" => Gt,
            "gte" => Gte,
            "lt" => Lt,
            "lte" => Lte,
            "fieldref" => FieldRef,
            "expand" => Expand,
            "cased" => Cased,
            _ => return None,
        })
    }
}

/// One piece of a Sigma string: text, `*` or `?`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Piece {
    Text(String),
    AnyRun,
    AnyOne,
}

/// Numeric comparisons (`gt`, `gte`, `lt`, `lte`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compare {
    Gt,
    Gte,
    Lt,
    Lte,
}

impl Compare {
    /// The KQL comparison operator.
    pub fn symbol(self) -> &'static str {
        match self {
            Compare::Gt => ">",
            Compare::Gte => ">=",
            Compare::Lt => "<",
            Compare::Lte => "<=",
        }
    }
}

/// What one value of a test requires of its field.
#[derive(Debug, Clone, PartialEq)]
pub enum Pattern {
    /// A Sigma string with wildcards; `cased` when matched case-sensitively.
    Text {
        pieces: Vec<Piece>,
        cased: bool,
    },
    /// A number as written (`EventID: 4688`).
    Number(f64, String),
    Bool(bool),
    /// `Field: null`: the field is empty.
    Null,
    Regex {
        pattern: String,
        insensitive: bool,
        multiline: bool,
        dotall: bool,
    },
    Cidr(String),
    Exists(bool),
    Compare(Compare, f64, String),
    /// `fieldref`: the field equals (or contains, starts or ends with) another.
    FieldRef {
        field: String,
        pieces: Vec<Piece>,
        cased: bool,
    },
}

/// A test's patterns and how they combine.
#[derive(Debug, Clone, PartialEq)]
pub struct Patterns {
    /// Every value must match (`all`), rather than any.
    pub all: bool,
    /// One entry per value; a value that expands (base64offset, windash,
    /// a placeholder with several values) gives several alternatives.
    pub values: Vec<Vec<Pattern>>,
}

/// Values for `%placeholder%` names, for `expand`.
pub type Placeholders = BTreeMap<String, Vec<String>>;

/// Applies an item's modifiers to its values.
pub fn patterns(item: &Item, placeholders: &Placeholders) -> Result<Patterns, String> {
    use Modifier::*;
    let has = |m: Modifier| item.modifiers.contains(&m);
    if has(All) && item.values.len() < 2 {
        return Err("'all' needs a list of at least two values".into());
    }
    for m in [ReI, ReM, ReS] {
        if has(m) && !has(Re) {
            return Err(format!("'{}' is a flag of 're' and needs it", flag_name(m)));
        }
    }
    let encodes = has(Utf16Le) || has(Utf16Be) || has(Utf16);
    if encodes && !(has(Base64) || has(Base64Offset)) {
        return Err("a utf16 modifier only makes sense followed by base64 or base64offset".into());
    }
    let mut values = Vec::new();
    for value in &item.values {
        values.push(value_patterns(item, value, placeholders)?);
    }
    Ok(Patterns {
        all: has(All),
        values,
    })
}

fn flag_name(m: Modifier) -> &'static str {
    match m {
        Modifier::ReI => "i",
        Modifier::ReM => "m",
        _ => "s",
    }
}

fn value_patterns(
    item: &Item,
    value: &Scalar,
    placeholders: &Placeholders,
) -> Result<Vec<Pattern>, String> {
    use Modifier::*;
    let has = |m: Modifier| item.modifiers.contains(&m);
    let cased = has(Cased);
    if has(Exists) {
        return match value {
            Scalar::Bool(b) => Ok(vec![Pattern::Exists(*b)]),
            Scalar::Text(t) if t == "true" || t == "false" => {
                Ok(vec![Pattern::Exists(t == "true")])
            }
            _ => Err("'exists' takes true or false".into()),
        };
    }
    for (m, c) in [
        (Gt, Compare::Gt),
        (Gte, Compare::Gte),
        (Lt, Compare::Lt),
        (Lte, Compare::Lte),
    ] {
        if has(m) {
            let n = number(value).ok_or_else(|| {
                format!("'{}' takes a number, not '{}'", c.symbol(), value.text())
            })?;
            return Ok(vec![Pattern::Compare(c, n, value.text())]);
        }
    }
    if has(Cidr) {
        let text = value.text();
        check_cidr(&text)?;
        return Ok(vec![Pattern::Cidr(text)]);
    }
    if has(Re) {
        let Scalar::Text(pattern) = value else {
            return Err("'re' takes a regular expression as text".into());
        };
        return Ok(vec![Pattern::Regex {
            pattern: pattern.clone(),
            insensitive: has(ReI),
            multiline: has(ReM),
            dotall: has(ReS),
        }]);
    }
    match value {
        Scalar::Null => return Ok(vec![Pattern::Null]),
        Scalar::Bool(b) if !has(Contains) && !has(StartsWith) && !has(EndsWith) => {
            return Ok(vec![Pattern::Bool(*b)]);
        }
        Scalar::Int(_) | Scalar::Float(_)
            if item.modifiers.iter().all(|m| matches!(m, All | Cased)) =>
        {
            return Ok(vec![Pattern::Number(
                number(value).unwrap_or(f64::NAN),
                value.text(),
            )]);
        }
        _ => {}
    }
    // Text: expand placeholders, then apply the transformations in the
    // order written; each may turn one value into several alternatives.
    let mut texts: Vec<Vec<Piece>> = vec![pieces(&value.text())];
    let mut encoded: Option<Vec<Vec<u8>>> = None;
    let mut is_encoded = false;
    for m in &item.modifiers {
        match m {
            Expand => texts = expand(&texts, placeholders)?,
            Windash => texts = texts.iter().flat_map(|t| windash(t)).collect::<Vec<_>>(),
            Utf16Le | Utf16Be | Utf16 => {
                let plain = plain_texts(&texts, "a utf16 modifier")?;
                encoded = Some(plain.iter().map(|t| utf16(t, *m)).collect());
            }
            Base64 | Base64Offset => {
                let bytes = match encoded.take() {
                    Some(b) => b,
                    None => plain_texts(&texts, "base64")?
                        .into_iter()
                        .map(String::into_bytes)
                        .collect(),
                };
                texts = bytes
                    .iter()
                    .flat_map(|b| {
                        if *m == Base64 {
                            vec![STANDARD.encode(b)]
                        } else {
                            base64_offsets(b)
                        }
                    })
                    .map(|s| vec![Piece::Text(s)])
                    .collect();
                is_encoded = true;
            }
            _ => {}
        }
    }
    let wrap = |mut t: Vec<Piece>| {
        if has(Contains) || has(EndsWith) {
            t.insert(0, Piece::AnyRun);
        }
        if has(Contains) || has(StartsWith) {
            t.push(Piece::AnyRun);
        }
        t
    };
    // Encoded text is case-sensitive whatever the rule says: base64 of
    // `IEX` is not base64 of `iex`.
    let cased = cased || is_encoded;
    if has(FieldRef) {
        let [Piece::Text(field)] = texts.as_slice().first().map(Vec::as_slice).unwrap_or(&[])
        else {
            return Err("'fieldref' takes a field name".into());
        };
        return Ok(vec![Pattern::FieldRef {
            field: field.clone(),
            pieces: wrap(Vec::new()),
            cased,
        }]);
    }
    Ok(texts
        .into_iter()
        .map(|t| Pattern::Text {
            pieces: wrap(t),
            cased,
        })
        .collect())
}

fn number(v: &Scalar) -> Option<f64> {
    match v {
        Scalar::Int(i) => Some(*i as f64),
        Scalar::Float(x) => Some(*x),
        Scalar::Text(t) => t.trim().parse().ok(),
        _ => None,
    }
}

fn check_cidr(text: &str) -> Result<(), String> {
    let bad = || format!("'{text}' is not a CIDR range (like 10.0.0.0/8 or fe80::/10)");
    let (addr, bits) = text.split_once('/').ok_or_else(bad)?;
    let bits: u8 = bits.parse().map_err(|_| bad())?;
    match addr.parse::<std::net::IpAddr>().map_err(|_| bad())? {
        std::net::IpAddr::V4(_) if bits <= 32 => Ok(()),
        std::net::IpAddr::V6(_) if bits <= 128 => Ok(()),
        _ => Err(bad()),
    }
}

/// Splits a Sigma string into text and wildcards. `\*`, `\?` and `\\` are
/// the escapes; any other backslash is itself (`C:\Windows`).
pub fn pieces(s: &str) -> Vec<Piece> {
    let mut out = Vec::new();
    let mut text = String::new();
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek() {
                Some(&n @ ('*' | '?' | '\\')) => {
                    text.push(n);
                    chars.next();
                }
                _ => text.push('\\'),
            },
            '*' | '?' => {
                if !text.is_empty() {
                    out.push(Piece::Text(std::mem::take(&mut text)));
                }
                out.push(if c == '*' {
                    Piece::AnyRun
                } else {
                    Piece::AnyOne
                });
            }
            c => text.push(c),
        }
    }
    if !text.is_empty() {
        out.push(Piece::Text(text));
    }
    out
}

fn plain_texts(texts: &[Vec<Piece>], what: &str) -> Result<Vec<String>, String> {
    texts
        .iter()
        .map(|t| {
            t.iter()
                .map(|p| match p {
                    Piece::Text(s) => Ok(s.as_str()),
                    _ => Err(format!("{what} cannot encode a value with wildcards")),
                })
                .collect::<Result<String, String>>()
        })
        .collect()
}

/// Replaces each `%name%` with each of its given values (every combination).
fn expand(texts: &[Vec<Piece>], placeholders: &Placeholders) -> Result<Vec<Vec<Piece>>, String> {
    let mut out = Vec::new();
    for t in texts {
        let mut variants: Vec<Vec<Piece>> = vec![Vec::new()];
        for piece in t {
            let Piece::Text(s) = piece else {
                variants.iter_mut().for_each(|v| v.push(piece.clone()));
                continue;
            };
            let mut expanded: Vec<String> = vec![String::new()];
            for (i, part) in s.split('%').enumerate() {
                if i % 2 == 0 {
                    expanded.iter_mut().for_each(|e| e.push_str(part));
                    continue;
                }
                let values = placeholders.get(part).ok_or_else(|| {
                    format!("placeholder %{part}% has no values (give them with --placeholder {part}=VALUE,...)")
                })?;
                expanded = expanded
                    .iter()
                    .flat_map(|e| values.iter().map(move |v| format!("{e}{v}")))
                    .collect();
            }
            variants = variants
                .iter()
                .flat_map(|v| {
                    expanded.iter().map(move |e| {
                        let mut v = v.clone();
                        v.extend(pieces(e));
                        v
                    })
                })
                .collect();
        }
        out.extend(variants);
    }
    Ok(out)
}

/// The dashes Windows command lines accept for an option's `-` or `/`.
const DASHES: [char; 5] = ['-', '/', '\u{2013}', '\u{2014}', '\u{2015}'];

/// The most variants `windash` may make of one value.
const MAX_WINDASH: usize = 625;

/// Every spelling of a value's option dashes: a `-` or `/` that starts a
/// word (after a non-word character or at the start) is any of [`DASHES`].
fn windash(t: &[Piece]) -> Vec<Vec<Piece>> {
    let mut variants: Vec<Vec<Piece>> = vec![Vec::new()];
    let mut prev_word: Option<bool> = None;
    for (i, piece) in t.iter().enumerate() {
        let Piece::Text(s) = piece else {
            variants.iter_mut().for_each(|v| v.push(piece.clone()));
            prev_word = None;
            continue;
        };
        let chars: Vec<char> = s.chars().collect();
        let mut texts: Vec<String> = vec![String::new()];
        for (j, &c) in chars.iter().enumerate() {
            let before_is_word = if j == 0 {
                prev_word.unwrap_or(false) && i > 0
            } else {
                is_word(chars[j - 1])
            };
            let next_is_word = chars.get(j + 1).is_some_and(|&n| is_word(n));
            if (c == '-' || c == '/')
                && !before_is_word
                && next_is_word
                && texts.len() * 5 <= MAX_WINDASH
            {
                texts = texts
                    .iter()
                    .flat_map(|t| DASHES.iter().map(move |d| format!("{t}{d}")))
                    .collect();
            } else {
                texts.iter_mut().for_each(|t| t.push(c));
            }
        }
        prev_word = chars.last().map(|&c| is_word(c));
        variants = variants
            .iter()
            .flat_map(|v| {
                texts.iter().map(move |t| {
                    let mut v = v.clone();
                    v.push(Piece::Text(t.clone()));
                    v
                })
            })
            .collect();
    }
    variants
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

fn utf16(text: &str, m: Modifier) -> Vec<u8> {
    let mut out = Vec::new();
    if m == Modifier::Utf16 {
        out.extend([0xFF, 0xFE]);
    }
    for unit in text.encode_utf16() {
        let bytes = if m == Modifier::Utf16Be {
            unit.to_be_bytes()
        } else {
            unit.to_le_bytes()
        };
        out.extend(bytes);
    }
    out
}

/// The three base64 forms of `bytes` wherever it sits in a longer encoded
/// text: encoded after 0, 1 and 2 bytes of padding, with the characters
/// that depend on the neighbouring bytes cut from each end.
fn base64_offsets(bytes: &[u8]) -> Vec<String> {
    const START: [usize; 3] = [0, 2, 3];
    const END: [usize; 3] = [0, 3, 2];
    (0..3)
        .map(|i| {
            let mut shifted = vec![b' '; i];
            shifted.extend_from_slice(bytes);
            let enc = STANDARD.encode(&shifted);
            let cut = END[(bytes.len() + i) % 3];
            let end = enc.len().saturating_sub(cut).max(START[i]);
            enc[START[i]..end].to_string()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64offset_gives_the_three_shifts_sigma_documents() {
        // The values pySigma and the Sigma docs give for "/bin/bash".
        assert_eq!(
            base64_offsets(b"/bin/bash"),
            vec!["L2Jpbi9iYXNo", "9iaW4vYmFza", "vYmluL2Jhc2"]
        );
    }

    #[test]
    fn escapes_keep_backslashes_except_before_wildcards() {
        assert_eq!(
            pieces(r"C:\Windows\\*.exe\*"),
            vec![
                Piece::Text(r"C:\Windows\".into()),
                Piece::AnyRun,
                Piece::Text(".exe*".into())
            ]
        );
        // `\*` is a literal star: SigmaHQ writes `\\*` for a backslash
        // before a wildcard.
        assert_eq!(
            pieces(r"C:\Windows\*"),
            vec![Piece::Text(r"C:\Windows*".into())]
        );
        assert_eq!(
            pieces(r"a\\*"),
            vec![Piece::Text(r"a\".into()), Piece::AnyRun]
        );
        assert_eq!(
            pieces("a?b"),
            vec![
                Piece::Text("a".into()),
                Piece::AnyOne,
                Piece::Text("b".into())
            ]
        );
    }

    #[test]
    fn windash_varies_only_option_dashes() {
        let v = windash(&[Piece::Text(" -enc x-y".into())]);
        let texts: Vec<String> = v
            .iter()
            .map(|p| match &p[0] {
                Piece::Text(s) => s.clone(),
                _ => String::new(),
            })
            .collect();
        assert_eq!(
            texts,
            vec![
                " -enc x-y",
                " /enc x-y",
                " \u{2013}enc x-y",
                " \u{2014}enc x-y",
                " \u{2015}enc x-y"
            ]
        );
    }
}
