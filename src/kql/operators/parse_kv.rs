//! `parse-kv`: typed columns from the `key=value` pairs of a text, found by
//! delimiters, by words, or by a regex.

use std::collections::HashMap;

use polars::prelude::*;
use regex::Regex;

use super::parse::typed;
use super::polars_error;
use crate::data::types::KqlType;
use crate::kql::ast::{KvMode, ParseKv};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

impl Runner<'_> {
    /// `parse-kv Expr as (Key:type, ...) with (...)`: one column per listed
    /// key, in the list's order. The first appearance of a key wins; keys
    /// and values are trimmed; a key that is missing, or whose value is not
    /// of its type, is null ("" for strings).
    pub(super) fn op_parse_kv(
        &self,
        kv: &ParseKv,
        mut frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let rows = frame.height();
        let text = self.eval(&kv.source, &frame)?.to_text(rows);
        let reader = Reader::new(kv).map_err(|e| {
            QueryError::runtime(format!("invalid parse-kv regex: {e}"), Some(kv.source.span))
        })?;
        let kinds: Vec<KqlType> = kv
            .keys
            .iter()
            .map(|(_, t)| match KqlType::parse(t) {
                Some(KqlType::Int) => KqlType::Long,
                Some(k) => k,
                None => KqlType::String,
            })
            .collect();
        let mut values: Vec<Vec<Scalar>> = vec![Vec::with_capacity(rows); kv.keys.len()];
        for (i, t) in text.iter().enumerate() {
            if i % 4096 == 0 {
                self.check_cancel()?;
            }
            let found = reader.pairs(t.unwrap_or(""));
            for (ki, ((key, _), k)) in kv.keys.iter().zip(&kinds).enumerate() {
                let v = found
                    .get(key.name.as_str())
                    .and_then(|v| typed(v, *k))
                    .unwrap_or_else(|| match k {
                        KqlType::String => Scalar::String(String::new()),
                        k => Scalar::Null(*k),
                    });
                values[ki].push(v);
            }
        }
        for (((key, _), k), vals) in kv.keys.iter().zip(kinds).zip(values) {
            let s = scalars_to_series(&key.name, k, vals);
            frame
                .with_column(s.into_column())
                .map_err(|e| polars_error(e, key.span))?;
        }
        Ok(frame)
    }
}

/// The pair-finding rules of one `parse-kv`.
struct Reader<'a> {
    kv: &'a ParseKv,
    regex: Option<Regex>,
}

impl<'a> Reader<'a> {
    fn new(kv: &'a ParseKv) -> Result<Reader<'a>, regex::Error> {
        let regex = match &kv.mode {
            KvMode::Regex(re) => Some(Regex::new(re)?),
            _ => None,
        };
        Ok(Reader { kv, regex })
    }

    /// The pairs of one text, the first value of each key.
    fn pairs(&self, text: &str) -> HashMap<String, String> {
        let mut found = HashMap::new();
        let mut add = |k: String, v: String| {
            found.entry(k).or_insert(v);
        };
        match (&self.kv.mode, &self.regex) {
            (KvMode::Regex(_), Some(re)) => {
                for caps in re.captures_iter(text) {
                    if let (Some(k), Some(v)) = (caps.get(1), caps.get(2)) {
                        add(k.as_str().trim().to_string(), v.as_str().trim().to_string());
                    }
                }
            }
            (KvMode::Delimited { pair, kv, greedy }, _) => {
                let mut pos = 0;
                while pos <= text.len() {
                    let (p, next) = self.delimited_pair(text, pos, pair, kv, *greedy);
                    if let Some((k, v)) = p {
                        add(k, v);
                    }
                    match next {
                        Some(n) if n > pos => pos = n,
                        _ => break,
                    }
                }
            }
            _ => {
                let words = self.words(text);
                let mut i = 0;
                while i < words.len() {
                    if i + 1 < words.len() && self.kv.keys.iter().any(|(k, _)| k.name == words[i]) {
                        add(words[i].clone(), words[i + 1].clone());
                        i += 2;
                    } else {
                        i += 1;
                    }
                }
            }
        }
        found
    }

    /// The closing quote and the escapes, if `c` opens a quote.
    fn closing(&self, c: char) -> Option<char> {
        self.kv
            .quotes
            .iter()
            .find(|(open, _)| *open == c)
            .map(|(_, close)| *close)
    }

    /// The quoted text starting at `pos` (on the opening quote), escapes
    /// resolved, and the position after the closing quote (the end of the
    /// text when it is never closed).
    fn quoted(&self, text: &str, pos: usize, close: char) -> (String, usize) {
        let mut out = String::new();
        let mut chars = text[pos..].char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            if self.kv.escapes.contains(&c) {
                if let Some((_, next)) = chars.next() {
                    out.push(next);
                }
                continue;
            }
            if c == close {
                return (out, pos + i + c.len_utf8());
            }
            out.push(c);
        }
        (out, text.len())
    }

    /// One pair at `pos` of a delimited text, and where the next starts
    /// (`None` at the end). A piece without a key/value delimiter is no
    /// pair.
    fn delimited_pair(
        &self,
        text: &str,
        pos: usize,
        pair: &str,
        kv: &str,
        greedy: bool,
    ) -> (Option<(String, String)>, Option<usize>) {
        let mut at = skip_space(text, pos, pair, kv);
        // The key: quoted, or up to the key/value or the pair delimiter.
        let key = match text[at..].chars().next().and_then(|c| self.closing(c)) {
            Some(close) => {
                let (k, end) = self.quoted(text, at, close);
                at = skip_space(text, end, pair, kv);
                k
            }
            None => {
                let end = find_either(text, at, kv, pair);
                let k = text[at..end].trim().to_string();
                at = end;
                k
            }
        };
        if !text[at..].starts_with(kv) {
            // No value: go on after the next pair delimiter.
            return match text[at..].find(pair) {
                Some(i) => (None, Some(at + i + pair.len())),
                None => (None, None),
            };
        }
        at = skip_space(text, at + kv.len(), pair, kv);
        let value;
        match text[at..].chars().next().and_then(|c| self.closing(c)) {
            Some(close) => {
                let (v, end) = self.quoted(text, at, close);
                value = v;
                at = end;
            }
            None => {
                let mut end = text[at..].find(pair).map_or(text.len(), |i| at + i);
                while greedy
                    && end < text.len()
                    && !self.key_follows(text, end + pair.len(), pair, kv)
                {
                    end = text[end + pair.len()..]
                        .find(pair)
                        .map_or(text.len(), |i| end + pair.len() + i);
                }
                value = text[at..end].trim().to_string();
                at = end;
            }
        }
        let next = text[at..].find(pair).map(|i| at + i + pair.len());
        (Some((key, value)), next)
    }

    /// Whether a key and its key/value delimiter start at `pos`: in greedy
    /// mode a value runs on until one does.
    fn key_follows(&self, text: &str, pos: usize, pair: &str, kv: &str) -> bool {
        let at = skip_space(text, pos, pair, kv);
        match text[at..].chars().next() {
            None => false,
            Some(c) => match self.closing(c) {
                Some(close) => {
                    let (_, end) = self.quoted(text, at, close);
                    text[skip_space(text, end, pair, kv)..].starts_with(kv)
                }
                None => {
                    let end = find_either(text, at, kv, pair);
                    end > at && text[end..].starts_with(kv) && !text[at..end].trim().is_empty()
                }
            },
        }
    }

    /// The words of a text without delimiters: runs of letters, digits and
    /// `_`, or quoted texts; anything else separates them.
    fn words(&self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(c) = text[pos..].chars().next() {
            if let Some(close) = self.closing(c) {
                let (w, end) = self.quoted(text, pos, close);
                out.push(w.trim().to_string());
                pos = end;
            } else if is_word_char(c) {
                let end = text[pos..]
                    .char_indices()
                    .find(|(_, c)| !is_word_char(*c))
                    .map_or(text.len(), |(i, _)| pos + i);
                out.push(text[pos..end].to_string());
                pos = end;
            } else {
                pos += c.len_utf8();
            }
        }
        out
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Past white space at `pos`, stopping at a delimiter (which may itself be
/// a space).
fn skip_space(text: &str, mut pos: usize, pair: &str, kv: &str) -> usize {
    while let Some(c) = text[pos..].chars().next() {
        if !c.is_whitespace() || text[pos..].starts_with(pair) || text[pos..].starts_with(kv) {
            break;
        }
        pos += c.len_utf8();
    }
    pos
}

/// The first position from `pos` where `a` or `b` starts, or the end.
fn find_either(text: &str, pos: usize, a: &str, b: &str) -> usize {
    let rest = &text[pos..];
    let ia = rest.find(a).unwrap_or(rest.len());
    let ib = rest.find(b).unwrap_or(rest.len());
    pos + ia.min(ib)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kql::ast::{Expr, ExprKind, Ident, Span};

    fn kv(mode: KvMode, keys: &[&str], quotes: &[(char, char)], escapes: &[char]) -> ParseKv {
        ParseKv {
            source: Expr {
                kind: ExprKind::Name("s".into()),
                span: Span::default(),
            },
            keys: keys
                .iter()
                .map(|k| {
                    (
                        Ident {
                            name: k.to_string(),
                            span: Span::default(),
                        },
                        "string".to_string(),
                    )
                })
                .collect(),
            mode,
            quotes: quotes.to_vec(),
            escapes: escapes.to_vec(),
        }
    }

    fn pairs(spec: &ParseKv, text: &str) -> Vec<(String, String)> {
        let mut v: Vec<_> = Reader::new(spec)
            .map(|r| r.pairs(text))
            .unwrap_or_default()
            .into_iter()
            .collect();
        v.sort();
        v
    }

    fn p(k: &str, v: &str) -> (String, String) {
        (k.to_string(), v.to_string())
    }

    #[test]
    fn delimited_pairs_skip_pieces_without_a_value() {
        let spec = kv(
            KvMode::Delimited {
                pair: " ".into(),
                kv: "=".into(),
                greedy: false,
            },
            &[],
            &[],
            &[],
        );
        assert_eq!(
            pairs(&spec, "name=John Doe phone=555 5555"),
            vec![p("name", "John"), p("phone", "555")]
        );
        assert_eq!(pairs(&spec, "a=1 a=2"), vec![p("a", "1")]);
        assert_eq!(pairs(&spec, ""), vec![]);
        assert_eq!(pairs(&spec, "=x"), vec![p("", "x")]);
    }

    #[test]
    fn greedy_values_run_to_the_next_key() {
        let spec = kv(
            KvMode::Delimited {
                pair: " ".into(),
                kv: "=".into(),
                greedy: true,
            },
            &[],
            &[],
            &[],
        );
        assert_eq!(
            pairs(&spec, "name=John Doe phone=555 5555 city=New York"),
            vec![
                p("city", "New York"),
                p("name", "John Doe"),
                p("phone", "555 5555")
            ]
        );
    }

    #[test]
    fn quotes_and_escapes() {
        let spec = kv(
            KvMode::Delimited {
                pair: " ".into(),
                kv: "=".into(),
                greedy: false,
            },
            &[],
            &[('(', ')')],
            &['\\'],
        );
        assert_eq!(
            pairs(&spec, r"(a b)=(x \) y) c=1"),
            vec![p("a b", "x ) y"), p("c", "1")]
        );
        // An unclosed quote runs to the end.
        assert_eq!(pairs(&spec, "k=(open"), vec![p("k", "open")]);
    }

    #[test]
    fn words_pair_a_listed_key_with_the_next_word() {
        let spec = kv(KvMode::Words, &["Level", "Id"], &[('\'', '\'')], &[]);
        assert_eq!(
            pairs(&spec, "[x] Level: 'very high', Id=7 Level: low"),
            vec![p("Id", "7"), p("Level", "very high")]
        );
        // A key at the very end has no value.
        assert_eq!(pairs(&spec, "Id"), vec![]);
    }
}
