//! Sigma's condition language: search names combined with `and`, `or`,
//! `not`, parentheses, and `1 of x*` / `all of x*` / `1 of them` /
//! `all of them`.

/// A parsed condition, with search names resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cond {
    Search(String),
    And(Vec<Cond>),
    Or(Vec<Cond>),
    Not(Box<Cond>),
}

impl Cond {
    /// The search names used, each once, in order of first use.
    pub fn names<'a>(&'a self, out: &mut Vec<&'a str>) {
        match self {
            Cond::Search(n) => {
                if !out.contains(&n.as_str()) {
                    out.push(n);
                }
            }
            Cond::And(parts) | Cond::Or(parts) => parts.iter().for_each(|p| p.names(out)),
            Cond::Not(inner) => inner.names(out),
        }
    }
}

/// A condition that does not parse: the message and the character offset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CondError {
    pub message: String,
    pub offset: usize,
}

impl CondError {
    /// The condition, a caret under the offending character, the message.
    pub fn render(&self, condition: &str) -> String {
        let col = condition[..self.offset.min(condition.len())]
            .chars()
            .count();
        format!(
            "{}, at column {}:\n  {condition}\n  {}^",
            self.message,
            col + 1,
            " ".repeat(col)
        )
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Word(String),
    Open,
    Close,
    Pipe,
}

fn lex(text: &str) -> Result<Vec<(Tok, usize)>, CondError> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(i, c)) = chars.peek() {
        match c {
            c if c.is_whitespace() => {
                chars.next();
            }
            // What follows a `|` is a Sigma 1 aggregation, refused as a
            // whole by the parser, whatever its syntax.
            '|' => {
                out.push((Tok::Pipe, i));
                break;
            }
            '(' | ')' => {
                chars.next();
                out.push((if c == '(' { Tok::Open } else { Tok::Close }, i));
            }
            c if c.is_alphanumeric() || "_*-.?".contains(c) => {
                let mut word = String::new();
                while let Some(&(_, c)) = chars.peek() {
                    if c.is_alphanumeric() || "_*-.?".contains(c) {
                        word.push(c);
                        chars.next();
                    } else {
                        break;
                    }
                }
                out.push((Tok::Word(word), i));
            }
            other => {
                return Err(CondError {
                    message: format!("unexpected character '{other}'"),
                    offset: i,
                });
            }
        }
    }
    Ok(out)
}

/// Parses `text`, resolving names against `searches` (in rule order).
pub fn parse(text: &str, searches: &[&str]) -> Result<Cond, CondError> {
    let tokens = lex(text)?;
    let mut p = Parser {
        tokens,
        pos: 0,
        end: text.len(),
        searches,
    };
    let cond = p.or()?;
    match p.tokens.get(p.pos) {
        None => Ok(cond),
        Some((Tok::Pipe, at)) => Err(CondError {
            message: "aggregations after '|' (count, near, ...) are not supported; \
                      Sigma 2 expresses them as correlation rules"
                .into(),
            offset: *at,
        }),
        Some((t, at)) => Err(CondError {
            message: format!("expected 'and', 'or' or the end, found {}", describe(t)),
            offset: *at,
        }),
    }
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("'{w}'"),
        Tok::Open => "'('".into(),
        Tok::Close => "')'".into(),
        Tok::Pipe => "'|'".into(),
    }
}

struct Parser<'a> {
    tokens: Vec<(Tok, usize)>,
    pos: usize,
    end: usize,
    searches: &'a [&'a str],
}

impl Parser<'_> {
    fn peek_word(&self, word: &str) -> bool {
        matches!(self.tokens.get(self.pos), Some((Tok::Word(w), _)) if w.eq_ignore_ascii_case(word))
    }

    fn offset(&self) -> usize {
        self.tokens.get(self.pos).map_or(self.end, |t| t.1)
    }

    fn or(&mut self) -> Result<Cond, CondError> {
        let mut parts = vec![self.and()?];
        while self.peek_word("or") {
            self.pos += 1;
            parts.push(self.and()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::Or(parts)
        })
    }

    fn and(&mut self) -> Result<Cond, CondError> {
        let mut parts = vec![self.not()?];
        while self.peek_word("and") {
            self.pos += 1;
            parts.push(self.not()?);
        }
        Ok(if parts.len() == 1 {
            parts.remove(0)
        } else {
            Cond::And(parts)
        })
    }

    fn not(&mut self) -> Result<Cond, CondError> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Cond::Not(Box::new(self.not()?)));
        }
        self.primary()
    }

    fn primary(&mut self) -> Result<Cond, CondError> {
        let at = self.offset();
        match self.tokens.get(self.pos).cloned() {
            Some((Tok::Open, _)) => {
                self.pos += 1;
                let inner = self.or()?;
                match self.tokens.get(self.pos) {
                    Some((Tok::Close, _)) => {
                        self.pos += 1;
                        Ok(inner)
                    }
                    _ => Err(CondError {
                        message: "expected ')'".into(),
                        offset: self.offset(),
                    }),
                }
            }
            Some((Tok::Word(w), _))
                if w == "1" || w.eq_ignore_ascii_case("all") || w.eq_ignore_ascii_case("any") =>
            {
                self.pos += 1;
                if !self.peek_word("of") {
                    return Err(CondError {
                        message: format!("expected 'of' after '{w}'"),
                        offset: self.offset(),
                    });
                }
                self.pos += 1;
                let target_at = self.offset();
                let Some((Tok::Word(target), _)) = self.tokens.get(self.pos).cloned() else {
                    return Err(CondError {
                        message: "expected a search name, a pattern like selection_*, or 'them'"
                            .into(),
                        offset: target_at,
                    });
                };
                self.pos += 1;
                let names = self.matching(&target, target_at)?;
                let parts: Vec<Cond> = names.into_iter().map(Cond::Search).collect();
                Ok(if w == "1" || w.eq_ignore_ascii_case("any") {
                    Cond::Or(parts)
                } else {
                    Cond::And(parts)
                })
            }
            Some((Tok::Word(w), _))
                if ["and", "or", "of", "them"]
                    .iter()
                    .any(|k| w.eq_ignore_ascii_case(k)) =>
            {
                Err(CondError {
                    message: format!("expected a search name, found '{w}'"),
                    offset: at,
                })
            }
            Some((Tok::Word(w), _)) => {
                self.pos += 1;
                if self.searches.contains(&w.as_str()) {
                    Ok(Cond::Search(w))
                } else if w.chars().all(|c| c.is_ascii_digit()) {
                    Err(CondError {
                        message: format!(
                            "'{w} of' is not supported: Sigma has '1 of' and 'all of'"
                        ),
                        offset: at,
                    })
                } else {
                    Err(CondError {
                        message: format!(
                            "no search named '{w}'{}",
                            crate::kql::error::did_you_mean(&w, self.searches.iter().copied())
                        ),
                        offset: at,
                    })
                }
            }
            Some((t, _)) => Err(CondError {
                message: format!("expected a search name, found {}", describe(&t)),
                offset: at,
            }),
            None => Err(CondError {
                message: "the condition ends too early".into(),
                offset: at,
            }),
        }
    }

    /// The searches a pattern names: `them` is every search whose name
    /// does not start with `_`; `x*` is a wildcard over the names.
    fn matching(&self, target: &str, at: usize) -> Result<Vec<String>, CondError> {
        let names: Vec<String> = if target.eq_ignore_ascii_case("them") {
            self.searches
                .iter()
                .filter(|s| !s.starts_with('_'))
                .map(|s| s.to_string())
                .collect()
        } else {
            self.searches
                .iter()
                .filter(|s| glob(target, s))
                .map(|s| s.to_string())
                .collect()
        };
        if names.is_empty() {
            return Err(CondError {
                message: format!("no search matches '{target}'"),
                offset: at,
            });
        }
        Ok(names)
    }
}

/// `*` matches any run of characters, `?` one character.
fn glob(pattern: &str, name: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let n: Vec<char> = name.chars().collect();
    let (mut pi, mut ni) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ni < n.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ni;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ni = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: &[&str] = &["selection_img", "selection_cli", "filter_main", "_helper"];

    fn s(n: &str) -> Cond {
        Cond::Search(n.into())
    }

    #[test]
    fn precedence_is_not_then_and_then_or() {
        let c = parse("selection_img or selection_cli and not filter_main", NAMES).unwrap();
        assert_eq!(
            c,
            Cond::Or(vec![
                s("selection_img"),
                Cond::And(vec![
                    s("selection_cli"),
                    Cond::Not(Box::new(s("filter_main")))
                ])
            ])
        );
    }

    #[test]
    fn quantifiers_expand_over_matching_names() {
        let c = parse("all of selection_* and not 1 of them", NAMES).unwrap();
        assert_eq!(
            c,
            Cond::And(vec![
                Cond::And(vec![s("selection_img"), s("selection_cli")]),
                Cond::Not(Box::new(Cond::Or(vec![
                    s("selection_img"),
                    s("selection_cli"),
                    s("filter_main")
                ])))
            ])
        );
    }

    #[test]
    fn errors_point_at_the_problem() {
        let e = parse("selection_img and (filter_main", NAMES).unwrap_err();
        assert_eq!(
            e.render("selection_img and (filter_main"),
            "expected ')', at column 31:\n  selection_img and (filter_main\n                                ^"
        );
        let e = parse("selection_im", NAMES).unwrap_err();
        assert_eq!(
            e.message,
            "no search named 'selection_im' (did you mean 'selection_img'?)"
        );
        let e = parse("selection_img | count() > 5", NAMES).unwrap_err();
        assert_eq!(e.offset, 14);
        let e = parse("1 of nothing_*", NAMES).unwrap_err();
        assert_eq!(e.message, "no search matches 'nothing_*'");
    }
}
