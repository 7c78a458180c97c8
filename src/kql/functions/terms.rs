//! Kusto's string predicates: `has` (term matching), `contains`,
//! `startswith`, `endswith`, `hasprefix`, `hassuffix`, `==`/`=~` and
//! `matches regex`, each case-sensitive or not.
//!
//! `has` is term matching, not substring matching: a term is a maximal run
//! of letters and digits, and a needle of several terms (`"192.168.0."`)
//! matches a contiguous run of terms. `"KustoExplorerQueryRun" has
//! "Explorer"` is false, while `contains` is true.

use memchr::memmem;
use polars::prelude::*;
use regex::Regex;

use super::dictionary::{PredicateKey, dictionary_of};
use crate::kql::ast::StringOpKind;
use crate::kql::value::series_to_text;

/// Whether a character is part of a term.
#[inline]
fn is_term_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// A compiled string predicate with a constant right-hand side, applied to
/// many haystacks.
pub struct Matcher {
    kind: StringOpKind,
    case_sensitive: bool,
    /// The needle, lower-cased when matching is case-insensitive.
    needle: String,
    finder: memmem::Finder<'static>,
    /// For `has`: whether the needle starts/ends inside a term, so the match
    /// must start/end on a term boundary.
    needs_left: bool,
    needs_right: bool,
    regex: Option<Regex>,
    ascii: bool,
}

impl Matcher {
    /// Compiles a matcher; `Err` carries the message for a bad regex.
    pub fn new(kind: StringOpKind, needle: &str, case_sensitive: bool) -> Result<Matcher, String> {
        // A needle no case mapping changes ("192.168.0.", "4444") is found
        // in a text exactly where it is found in the text lower-cased:
        // comparing as written spares lower-casing every value searched.
        let case_sensitive = case_sensitive
            || (kind != StringOpKind::MatchesRegex
                && needle.to_lowercase() == needle
                && needle.to_uppercase() == needle);
        let needle_cmp = if case_sensitive {
            needle.to_string()
        } else {
            needle.to_lowercase()
        };
        let regex = if kind == StringOpKind::MatchesRegex {
            Some(Regex::new(needle).map_err(|e| format!("invalid regular expression: {e}"))?)
        } else {
            None
        };
        let finder = memmem::Finder::new(needle_cmp.as_bytes()).into_owned();
        Ok(Matcher {
            kind,
            case_sensitive,
            needs_left: needle.chars().next().is_some_and(is_term_char),
            needs_right: needle.chars().last().is_some_and(is_term_char),
            ascii: needle.is_ascii(),
            needle: needle_cmp,
            finder,
            regex,
        })
    }

    /// What this matcher computes, with all it reads (see
    /// [`PredicateKey`]): the kind, the case, the needle as compared and
    /// the regex as compiled (two patterns may lower-case alike).
    pub fn key(&self) -> PredicateKey {
        PredicateKey::new(
            "matcher",
            [
                format!("{:?}", self.kind),
                self.case_sensitive.to_string(),
                self.needle.clone(),
                self.regex
                    .as_ref()
                    .map(|r| r.as_str().to_string())
                    .unwrap_or_default(),
            ],
        )
    }

    /// Whether `hay` satisfies the predicate. `buf` is scratch space reused
    /// across calls to hold the lower-cased haystack.
    pub fn matches(&self, hay: &str, buf: &mut String) -> bool {
        if let Some(re) = &self.regex {
            return re.is_match(hay);
        }
        let hay = if self.case_sensitive {
            hay
        } else if self.ascii && hay.is_ascii() {
            buf.clear();
            buf.push_str(hay);
            buf.make_ascii_lowercase();
            buf.as_str()
        } else {
            buf.clear();
            buf.push_str(&hay.to_lowercase());
            buf.as_str()
        };
        let needle = self.needle.as_str();
        match self.kind {
            StringOpKind::Contains => self.finder.find(hay.as_bytes()).is_some(),
            StringOpKind::StartsWith => hay.starts_with(needle),
            StringOpKind::EndsWith => hay.ends_with(needle),
            StringOpKind::Has => self.has(hay, true, true),
            StringOpKind::HasPrefix => self.has(hay, true, false),
            StringOpKind::HasSuffix => self.has(hay, false, true),
            StringOpKind::MatchesRegex => false,
        }
    }

    /// Term matching: an occurrence of the needle that starts at a term start
    /// (when `left`) and ends at a term end (when `right`). An empty needle
    /// matches everything, as in Kusto.
    fn has(&self, hay: &str, left: bool, right: bool) -> bool {
        if self.needle.is_empty() {
            return true;
        }
        let bytes = hay.as_bytes();
        for start in self.finder.find_iter(bytes) {
            let end = start + self.needle.len();
            let left_ok = !(left && self.needs_left)
                || hay[..start]
                    .chars()
                    .next_back()
                    .is_none_or(|c| !is_term_char(c));
            let right_ok = !(right && self.needs_right)
                || hay[end..].chars().next().is_none_or(|c| !is_term_char(c));
            if left_ok && right_ok {
                return true;
            }
        }
        false
    }

    /// Applies the predicate to every value of a column, as text. Columns
    /// with few distinct values (device names, action types; encoded or
    /// not) are matched once per distinct value.
    pub fn apply(&self, s: &Series) -> BooleanChunked {
        if let Some(d) = dictionary_of(s) {
            // Once per distinct value; the scratch buffer is per value too.
            return d.map_bool(s.name().clone(), Some(self.key()), |v| {
                self.matches(v, &mut String::new())
            });
        }
        let mut buf = String::new();
        let mut out: BooleanChunked = series_to_text(s)
            .iter()
            .map(|v| v.map(|v| self.matches(v, &mut buf)))
            .collect();
        out.rename(s.name().clone());
        out
    }
}

impl Matcher {
    /// Like [`Matcher::apply`], but `None` when it is known that no row
    /// matches (every distinct value of the column was tried).
    pub fn apply_any(&self, s: &Series) -> Option<BooleanChunked> {
        match dictionary_of(s) {
            Some(d) => d.map_bool_any(s.name().clone(), Some(self.key()), |v| {
                self.matches(v, &mut String::new())
            }),
            None => Some(self.apply(s)),
        }
    }

    /// Whether the predicate could hold for some text made only of
    /// characters accepted by `alphabet` (the text forms of numbers and
    /// datetimes): if not, such a column need not be turned into text.
    pub fn possible_in(&self, alphabet: impl Fn(char) -> bool) -> bool {
        if self.regex.is_some() {
            return true;
        }
        self.needle
            .chars()
            .all(|c| alphabet(c) || (!self.case_sensitive && alphabet(c.to_ascii_uppercase())))
    }

    /// Whether the predicate could hold for some text of the fixed shape
    /// `shape`, where `#` stands for any digit (a datetime's text is
    /// `####-##-##T##:##:##.#######Z`): `has "192.168.0"` cannot, so such a
    /// column need not be turned into text.
    pub fn possible_in_shape(&self, shape: &str) -> bool {
        if self.regex.is_some() {
            return true;
        }
        let needle: Vec<char> = self.needle.chars().collect();
        let shape: Vec<char> = shape.chars().collect();
        if needle.len() > shape.len() {
            return false;
        }
        let fits = |c: char, p: char| match p {
            '#' => c.is_ascii_digit(),
            _ if self.case_sensitive => c == p,
            _ => c.eq_ignore_ascii_case(&p),
        };
        (0..=shape.len() - needle.len())
            .any(|at| needle.iter().zip(&shape[at..]).all(|(&c, &p)| fits(c, p)))
    }

    /// The needle's length in bytes (digits, for [`Matcher::single_number`]).
    pub fn needle_len(&self) -> Option<usize> {
        Some(self.needle.len())
    }

    /// For `has` with a needle that is one number (`4444`), that number.
    pub fn single_number(&self) -> Option<i64> {
        if self.kind != StringOpKind::Has
            || self.needle.is_empty()
            || !self.needle.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        if self.needle.len() > 1 && self.needle.starts_with('0') {
            return None;
        }
        self.needle.parse().ok()
    }
}

/// One-off evaluation of a predicate (both sides vary by row).
pub fn matches_once(
    kind: StringOpKind,
    hay: &str,
    needle: &str,
    case_sensitive: bool,
) -> Result<bool, String> {
    let m = Matcher::new(kind, needle, case_sensitive)?;
    let mut buf = String::new();
    Ok(m.matches(hay, &mut buf))
}

/// The terms of a string, lower-cased: maximal runs of letters and digits.
pub fn terms(s: &str) -> impl Iterator<Item = String> + '_ {
    s.split(|c: char| !is_term_char(c))
        .filter(|t| !t.is_empty())
        .map(str::to_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn has(h: &str, n: &str) -> bool {
        matches_once(StringOpKind::Has, h, n, false).unwrap()
    }

    #[test]
    fn needles_that_cannot_occur_in_a_datetime_are_known_without_formatting_one() {
        let shape = "####-##-##T##:##:##.#######Z";
        let fits = |kind, n: &str| {
            Matcher::new(kind, n, false)
                .unwrap()
                .possible_in_shape(shape)
        };
        assert!(!fits(StringOpKind::Has, "192.168.0"));
        assert!(!fits(StringOpKind::Contains, "cloudfront"));
        assert!(fits(StringOpKind::Has, "2025-03-18"));
        assert!(fits(StringOpKind::Has, "18t11"));
        assert!(fits(StringOpKind::Contains, "07.12"));
        assert!(!fits(StringOpKind::Contains, "07.12.3"));
        assert!(fits(StringOpKind::MatchesRegex, "a.*b"));
    }

    #[test]
    fn has_is_term_matching() {
        assert!(!has("KustoExplorerQueryRun", "Explorer"));
        assert!(
            matches_once(
                StringOpKind::Contains,
                "KustoExplorerQueryRun",
                "Explorer",
                false
            )
            .unwrap()
        );
        assert!(has("Kusto Explorer Query", "explorer"));
        assert!(has("192.168.0.255", "192.168.0."));
        assert!(has("192.168.0.255", "192.168.0"));
        assert!(!has("192.168.10.4", "192.168.0."));
        assert!(!has("10.192.168.5", "192.168.0."));
        assert!(has("10.192.168.0.5", "192.168.0"));
        assert!(!has("192.168.01.1", "192.168.0"));
        assert!(has("cmd.exe /c whoami", "whoami"));
        assert!(has("anything", ""));
        assert!(has("ÄBC def", "äbc"));
    }

    #[test]
    fn prefix_and_suffix_terms() {
        let hp = |h, n| matches_once(StringOpKind::HasPrefix, h, n, false).unwrap();
        let hs = |h, n| matches_once(StringOpKind::HasSuffix, h, n, false).unwrap();
        assert!(hp("North America", "amer"));
        assert!(!hp("North America", "merica"));
        assert!(hs("North America", "rica"));
        assert!(!hs("North America", "ameri"));
    }

    #[test]
    fn case_sensitivity() {
        assert!(!matches_once(StringOpKind::Has, "Hello World", "world", true).unwrap());
        assert!(matches_once(StringOpKind::Has, "Hello World", "World", true).unwrap());
        assert!(matches_once(StringOpKind::StartsWith, "Hello", "hE", false).unwrap());
        assert!(matches_once(StringOpKind::EndsWith, "Hello", "LLO", false).unwrap());
    }

    #[test]
    fn bad_regex_is_an_error() {
        assert_eq!(
            Matcher::new(StringOpKind::MatchesRegex, "(", true)
                .err()
                .map(|e| e.starts_with("invalid regular expression")),
            Some(true)
        );
    }
}
