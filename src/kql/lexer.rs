//! KQL tokens with byte spans.
//!
//! The lexer never fails: a malformed piece of text becomes an
//! [`TokenKind::Error`] token and lexing stops there, so the parser reports
//! whichever mistake comes first in the text, its own or the lexer's.

use super::ast::Span;

/// One token and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// What the token is.
    pub kind: TokenKind,
    /// The bytes it covers, quotes and brackets included.
    pub span: Span,
    /// Whitespace or a comment comes right before it. Several KQL forms
    /// are written without spaces (`project-away`, `!has`, `in~`, `Device*`)
    /// and are told apart from arithmetic by this.
    pub spaced: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum TokenKind {
    /// A name or a keyword: keywords are contextual in KQL (a column may be
    /// called `type` or `count`), so the parser decides which it is.
    Ident(String),
    /// A string literal's value, escapes resolved.
    Str(String),
    Long(i64),
    Real(f64),
    /// `1h`, `1.5d`, `10ms`: in 100-nanosecond ticks.
    Timespan(i64),
    /// `datetime(...)`, `time(...)`, `timespan(...)`, `guid(...)`: the
    /// keyword and the raw text between the parentheses, because their
    /// contents (`2025-03-18T11:42:07Z`, `74be27de-1e4e-...`) are not tokens.
    Raw {
        keyword: String,
        text: String,
    },
    Pipe,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Comma,
    Semi,
    Colon,
    Dot,
    DotDot,
    /// `=`
    Assign,
    /// `==`
    EqEq,
    /// `!=` or `<>`
    NotEq,
    Lt,
    LtEq,
    Gt,
    GtEq,
    /// `=~`
    EqTilde,
    /// `!~`
    BangTilde,
    /// `=>`
    Arrow,
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
    Bang,
    Tilde,
    /// Text that is not KQL; the message says why.
    Error(String),
    Eof,
}

/// 100-nanosecond ticks per unit, for timespan literals.
const TICKS_PER_DAY: i64 = 864_000_000_000;
const TICKS_PER_HOUR: i64 = 36_000_000_000;
const TICKS_PER_MINUTE: i64 = 600_000_000;
const TICKS_PER_SECOND: i64 = 10_000_000;
const TICKS_PER_MILLI: i64 = 10_000;
const TICKS_PER_MICRO: i64 = 10;

/// Ticks in one `unit` of a timespan literal (`1d`, `2hrs`, `5ms`).
pub fn timespan_unit(unit: &str) -> Option<i64> {
    Some(match unit {
        "d" | "day" | "days" => TICKS_PER_DAY,
        "h" | "hr" | "hrs" | "hour" | "hours" => TICKS_PER_HOUR,
        "m" | "min" | "minute" | "minutes" => TICKS_PER_MINUTE,
        "s" | "sec" | "second" | "seconds" => TICKS_PER_SECOND,
        "ms" | "milli" | "millis" | "millisecond" | "milliseconds" => TICKS_PER_MILLI,
        "microsecond" | "microseconds" => TICKS_PER_MICRO,
        "tick" | "ticks" => 1,
        _ => return None,
    })
}

/// The ticks of `number` units, or `None` when it does not fit in an i64.
fn scale_ticks(int_text: &str, real: Option<f64>, unit: i64) -> Option<i64> {
    match real {
        None => int_text.parse::<i64>().ok()?.checked_mul(unit),
        Some(v) => {
            let ticks = (v * unit as f64).round();
            (ticks.is_finite() && ticks.abs() < 9.2e18).then_some(ticks as i64)
        }
    }
}

/// The text inside `time(...)`/`timespan(...)`, in ticks: `1.5h`, `2` (days),
/// `[-][d.]hh:mm[:ss[.fffffff]]`. `None` when it is none of these.
pub fn parse_timespan_text(text: &str) -> Option<i64> {
    let text = text.trim();
    let (negative, body) = match text.strip_prefix('-') {
        Some(rest) => (true, rest.trim_start()),
        None => (false, text),
    };
    let ticks = if body.contains(':') {
        parse_clock(body)?
    } else {
        let split = body
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(body.len());
        let (num, unit) = body.split_at(split);
        if num.is_empty() || num.ends_with('.') || num.matches('.').count() > 1 {
            return None;
        }
        let unit = if unit.is_empty() {
            TICKS_PER_DAY
        } else {
            timespan_unit(unit)?
        };
        let real = if num.contains('.') {
            Some(num.parse::<f64>().ok()?)
        } else {
            None
        };
        scale_ticks(num, real, unit)?
    };
    Some(if negative { -ticks } else { ticks })
}

/// `[d.]hh:mm[:ss[.fffffff]]`
fn parse_clock(text: &str) -> Option<i64> {
    let parts: Vec<&str> = text.split(':').collect();
    if parts.len() < 2 || parts.len() > 3 {
        return None;
    }
    let digits = |s: &str| -> Option<i64> {
        if s.is_empty() || s.len() > 9 || !s.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        s.parse().ok()
    };
    let (days, hours) = match parts[0].split_once('.') {
        Some((d, h)) => (digits(d)?, digits(h)?),
        None => (0, digits(parts[0])?),
    };
    let minutes = digits(parts[1])?;
    let (seconds, fraction) = match parts.get(2) {
        None => (0, 0),
        Some(s) => match s.split_once('.') {
            None => (digits(s)?, 0),
            Some((whole, frac)) => {
                if frac.is_empty() || frac.len() > 7 || !frac.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let padded = format!("{frac:0<7}");
                (digits(whole)?, padded.parse::<i64>().ok()?)
            }
        },
    };
    days.checked_mul(TICKS_PER_DAY)?
        .checked_add(hours.checked_mul(TICKS_PER_HOUR)?)?
        .checked_add(minutes.checked_mul(TICKS_PER_MINUTE)?)?
        .checked_add(seconds.checked_mul(TICKS_PER_SECOND)?)?
        .checked_add(fraction)
}

/// Keywords whose parenthesised contents are kept as raw text.
const RAW_KEYWORDS: [&str; 4] = ["datetime", "time", "timespan", "guid"];

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || c == '$'
}

fn is_ident_continue(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '$'
}

/// Split `source` into tokens. The result always ends with
/// [`TokenKind::Eof`]; after an [`TokenKind::Error`] nothing else is lexed.
pub fn tokenize(source: &str) -> Vec<Token> {
    let mut lexer = Lexer {
        src: source,
        pos: 0,
        tokens: Vec::new(),
    };
    lexer.run();
    lexer.tokens
}

struct Lexer<'a> {
    src: &'a str,
    pos: usize,
    tokens: Vec<Token>,
}

impl Lexer<'_> {
    fn rest(&self) -> &str {
        &self.src[self.pos..]
    }

    fn peek_char(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn char_at(&self, offset: usize) -> Option<char> {
        self.src.get(offset..).and_then(|s| s.chars().next())
    }

    fn push(&mut self, kind: TokenKind, start: usize, spaced: bool) {
        self.tokens.push(Token {
            kind,
            span: Span::new(start, self.pos),
            spaced,
        });
    }

    /// Skip whitespace and `//` comments; true when anything was skipped.
    fn skip_trivia(&mut self) -> bool {
        let start = self.pos;
        loop {
            let rest = &self.src[self.pos..];
            let trimmed = rest.trim_start();
            let skip = rest.len() - trimmed.len();
            let comment = if trimmed.starts_with("//") {
                trimmed.find('\n').unwrap_or(trimmed.len())
            } else {
                0
            };
            self.pos += skip + comment;
            if comment == 0 {
                break;
            }
        }
        self.pos > start
    }

    fn run(&mut self) {
        loop {
            let spaced = self.skip_trivia() || self.pos == 0;
            let start = self.pos;
            let Some(c) = self.peek_char() else {
                self.push(TokenKind::Eof, start, spaced);
                return;
            };
            let kind = self.lex_one(c, start);
            let failed = matches!(kind, TokenKind::Error(_));
            self.push(kind, start, spaced);
            if failed {
                let end = self.src.len();
                self.tokens.push(Token {
                    kind: TokenKind::Eof,
                    span: Span::new(end, end),
                    spaced: true,
                });
                return;
            }
        }
    }

    fn lex_one(&mut self, c: char, start: usize) -> TokenKind {
        match c {
            '"' | '\'' => self.lex_string(c, c),
            // Typographic quotes come from text pasted out of blogs and
            // documents; the plain quote also closes them.
            '\u{201c}' => self.lex_string(c, '\u{201d}'),
            '\u{2018}' => self.lex_string(c, '\u{2019}'),
            '@' => match self.char_at(start + 1) {
                Some(q @ ('"' | '\'')) => {
                    self.pos += 1;
                    self.lex_verbatim(q)
                }
                _ => {
                    self.pos += 1;
                    TokenKind::Error("unexpected character '@'".into())
                }
            },
            '`' if self.rest().starts_with("```") => self.lex_backtick(),
            '0'..='9' => self.lex_number(start),
            c if is_ident_start(c) => self.lex_ident(start),
            _ => self.lex_punct(c),
        }
    }

    fn lex_punct(&mut self, c: char) -> TokenKind {
        let next = self.char_at(self.pos + c.len_utf8());
        let (kind, len) = match (c, next) {
            ('|', _) => (TokenKind::Pipe, 1),
            ('(', _) => (TokenKind::LParen, 1),
            (')', _) => (TokenKind::RParen, 1),
            ('[', _) => (TokenKind::LBracket, 1),
            (']', _) => (TokenKind::RBracket, 1),
            ('{', _) => (TokenKind::LBrace, 1),
            ('}', _) => (TokenKind::RBrace, 1),
            (',', _) => (TokenKind::Comma, 1),
            (';', _) => (TokenKind::Semi, 1),
            (':', _) => (TokenKind::Colon, 1),
            ('.', Some('.')) => (TokenKind::DotDot, 2),
            ('.', _) => (TokenKind::Dot, 1),
            ('=', Some('=')) => (TokenKind::EqEq, 2),
            ('=', Some('~')) => (TokenKind::EqTilde, 2),
            ('=', Some('>')) => (TokenKind::Arrow, 2),
            ('=', _) => (TokenKind::Assign, 1),
            ('!', Some('=')) => (TokenKind::NotEq, 2),
            ('!', Some('~')) => (TokenKind::BangTilde, 2),
            ('!', _) => (TokenKind::Bang, 1),
            ('<', Some('=')) => (TokenKind::LtEq, 2),
            ('<', Some('>')) => (TokenKind::NotEq, 2),
            ('<', _) => (TokenKind::Lt, 1),
            ('>', Some('=')) => (TokenKind::GtEq, 2),
            ('>', _) => (TokenKind::Gt, 1),
            ('+', _) => (TokenKind::Plus, 1),
            ('-', _) => (TokenKind::Minus, 1),
            ('*', _) => (TokenKind::Star, 1),
            ('/', _) => (TokenKind::Slash, 1),
            ('%', _) => (TokenKind::Percent, 1),
            ('~', _) => (TokenKind::Tilde, 1),
            _ => {
                self.pos += c.len_utf8();
                let shown: String = c.escape_debug().collect();
                return TokenKind::Error(format!("unexpected character '{shown}'"));
            }
        };
        self.pos += len;
        kind
    }

    /// `"..."` / `'...'` with backslash escapes; they end at the line's end.
    fn lex_string(&mut self, open: char, close: char) -> TokenKind {
        self.pos += open.len_utf8();
        let plain = if open == '\u{2018}' { '\'' } else { '"' };
        let mut value = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            if c == close || (open != close && c == plain) {
                self.pos += i + c.len_utf8();
                return TokenKind::Str(value);
            }
            match c {
                '\n' => break,
                '\\' => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, 't')) => value.push('\t'),
                    Some((_, 'r')) => value.push('\r'),
                    Some((_, '0')) => value.push('\0'),
                    Some((_, 'u')) => {
                        let hex: String = chars.clone().take(4).map(|(_, h)| h).collect();
                        match (hex.len() == 4)
                            .then(|| u32::from_str_radix(&hex, 16).ok())
                            .flatten()
                        {
                            Some(code) => {
                                value.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                                for _ in 0..4 {
                                    chars.next();
                                }
                            }
                            None => value.push_str("\\u"),
                        }
                    }
                    Some((_, e @ ('"' | '\'' | '\\'))) => value.push(e),
                    // Kusto rejects other escapes; keeping them as written
                    // does what an analyst writing "\d+" or "C:\Temp" meant.
                    Some((_, e)) if e != '\n' => {
                        value.push('\\');
                        value.push(e);
                    }
                    _ => break,
                },
                c => value.push(c),
            }
        }
        self.pos = self
            .rest()
            .find('\n')
            .map_or(self.src.len(), |i| self.pos + i);
        TokenKind::Error("unterminated string literal".into())
    }

    /// `@"..."` / `@'...'`: no escapes, a doubled quote stands for itself.
    fn lex_verbatim(&mut self, quote: char) -> TokenKind {
        self.pos += 1;
        let mut value = String::new();
        let mut chars = self.rest().char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c == quote {
                if chars.peek().is_some_and(|&(_, n)| n == quote) {
                    chars.next();
                    value.push(quote);
                    continue;
                }
                self.pos += i + 1;
                return TokenKind::Str(value);
            }
            if c == '\n' {
                break;
            }
            value.push(c);
        }
        self.pos = self
            .rest()
            .find('\n')
            .map_or(self.src.len(), |i| self.pos + i);
        TokenKind::Error("unterminated string literal".into())
    }

    /// ```` ```multi-line text``` ````
    fn lex_backtick(&mut self) -> TokenKind {
        self.pos += 3;
        match self.rest().find("```") {
            Some(end) => {
                let value = self.rest()[..end].to_string();
                self.pos += end + 3;
                TokenKind::Str(value)
            }
            None => {
                self.pos = self.src.len();
                TokenKind::Error("unterminated string literal".into())
            }
        }
    }

    fn lex_ident(&mut self, start: usize) -> TokenKind {
        let len = self
            .rest()
            .find(|c: char| !is_ident_continue(c))
            .unwrap_or(self.rest().len());
        self.pos += len;
        let name = &self.src[start..self.pos];
        // h"..." and h@"..." are obfuscated strings: the same value, hidden from logs.
        if name == "h" || name == "H" {
            match (self.peek_char(), self.char_at(self.pos + 1)) {
                (Some(q @ ('"' | '\'')), _) => return self.lex_string(q, q),
                (Some('@'), Some(q @ ('"' | '\''))) => {
                    self.pos += 1;
                    return self.lex_verbatim(q);
                }
                _ => {}
            }
        }
        if RAW_KEYWORDS.contains(&name) {
            let after = self.rest();
            let gap = after.len() - after.trim_start().len();
            if after[gap..].starts_with('(') {
                let keyword = name.to_string();
                self.pos += gap + 1;
                return self.lex_raw(keyword);
            }
        }
        TokenKind::Ident(name.to_string())
    }

    /// The text up to the `)` that closes a raw keyword's parenthesis.
    fn lex_raw(&mut self, keyword: String) -> TokenKind {
        let body_start = self.pos;
        let mut quote: Option<char> = None;
        for (i, c) in self.rest().char_indices() {
            match (quote, c) {
                (Some(q), c) if c == q => quote = None,
                (Some(_), _) => {}
                (None, '"' | '\'') => quote = Some(c),
                (None, ')') => {
                    let text = self.src[body_start..body_start + i].trim().to_string();
                    self.pos = body_start + i + 1;
                    return TokenKind::Raw { keyword, text };
                }
                (None, '(' | '|' | ';' | '\n') => break,
                _ => {}
            }
        }
        self.pos = body_start;
        let (line, col) = super::error::line_col(self.src, body_start - 1);
        TokenKind::Error(format!(
            "expected ')' to close '(' opened at line {line}, column {col}"
        ))
    }

    fn lex_number(&mut self, start: usize) -> TokenKind {
        let bytes = self.src.as_bytes();
        let digits_from = |mut i: usize| {
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            i
        };
        if self.rest().starts_with("0x") || self.rest().starts_with("0X") {
            let mut end = start + 2;
            while end < bytes.len() && bytes[end].is_ascii_hexdigit() {
                end += 1;
            }
            // `0x1Fg` is no hex number: like `2022Cves`, a name (below).
            let glued = self.src[end..]
                .chars()
                .next()
                .is_some_and(is_ident_continue);
            if end > start + 2 && !glued {
                self.pos = end;
                return match u64::from_str_radix(&self.src[start + 2..end], 16) {
                    // Kusto reads hex longs as two's complement.
                    Ok(v) => TokenKind::Long(v as i64),
                    Err(_) => TokenKind::Error("hexadecimal number too large".into()),
                };
            }
        }
        let mut end = digits_from(start);
        let int_end = end;
        let mut is_real = false;
        if bytes.get(end) == Some(&b'.') && bytes.get(end + 1).is_some_and(u8::is_ascii_digit) {
            end = digits_from(end + 1);
            is_real = true;
        }
        if matches!(bytes.get(end), Some(b'e' | b'E')) {
            let mut exp = end + 1;
            if matches!(bytes.get(exp), Some(b'+' | b'-')) {
                exp += 1;
            }
            if bytes.get(exp).is_some_and(u8::is_ascii_digit) {
                end = digits_from(exp);
                is_real = true;
            }
        }
        let text = &self.src[start..end];
        self.pos = end;
        // A unit glued to the number makes it a timespan: `1h`, `1.5d`.
        let suffix_len = self
            .rest()
            .find(|c: char| !is_ident_continue(c))
            .unwrap_or(self.rest().len());
        if let Some(unit) = timespan_unit(&self.rest()[..suffix_len]) {
            let real = if is_real {
                text.parse::<f64>().ok()
            } else {
                None
            };
            self.pos += suffix_len;
            return match scale_ticks(&self.src[start..int_end], real, unit) {
                Some(ticks) => TokenKind::Timespan(ticks),
                None => TokenKind::Error("timespan literal out of range".into()),
            };
        }
        if is_real {
            return TokenKind::Real(text.parse().unwrap_or(f64::NAN));
        }
        // Digits glued to letters that are no timespan unit make a name,
        // as Kusto's lexer reads them: `let 2022Cves = ...`.
        if suffix_len > 0 {
            self.pos = start;
            return self.lex_ident(start);
        }
        match text.parse::<i64>() {
            Ok(v) => TokenKind::Long(v),
            // Past the range of a long, Kusto reads a number as real.
            Err(_) => TokenKind::Real(text.parse().unwrap_or(f64::INFINITY)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokenKind> {
        tokenize(src).into_iter().map(|t| t.kind).collect()
    }

    fn ident(s: &str) -> TokenKind {
        TokenKind::Ident(s.into())
    }

    fn s(v: &str) -> TokenKind {
        TokenKind::Str(v.into())
    }

    #[test]
    fn punctuation_and_names() {
        use TokenKind::*;
        assert_eq!(
            kinds("T | where a!=b and c<>d or e=~f !~ g <= h >= i == j => .. ."),
            vec![
                ident("T"),
                Pipe,
                ident("where"),
                ident("a"),
                NotEq,
                ident("b"),
                ident("and"),
                ident("c"),
                NotEq,
                ident("d"),
                ident("or"),
                ident("e"),
                EqTilde,
                ident("f"),
                BangTilde,
                ident("g"),
                LtEq,
                ident("h"),
                GtEq,
                ident("i"),
                EqEq,
                ident("j"),
                Arrow,
                DotDot,
                Dot,
                Eof
            ]
        );
        assert_eq!(kinds("$left.a"), vec![ident("$left"), Dot, ident("a"), Eof]);
        assert_eq!(kinds("in~"), vec![ident("in"), Tilde, Eof]);
    }

    #[test]
    fn spans_and_spacing() {
        let toks = tokenize("project-away  x // c\n| y");
        let spans: Vec<(usize, usize, bool)> = toks
            .iter()
            .map(|t| (t.span.start, t.span.end, t.spaced))
            .collect();
        assert_eq!(
            spans,
            vec![
                (0, 7, true),
                (7, 8, false),
                (8, 12, false),
                (14, 15, true),
                (21, 22, true),
                (23, 24, true),
                (24, 24, false)
            ]
        );
    }

    #[test]
    fn strings_and_escapes() {
        assert_eq!(
            kinds(r#""a\"b\\c\n\t\r\u0041""#),
            vec![s("a\"b\\c\n\t\rA"), TokenKind::Eof]
        );
        assert_eq!(kinds(r#"'it\'s'"#), vec![s("it's"), TokenKind::Eof]);
        assert_eq!(
            kinds(r#"@"C:\Temp\""x""#),
            vec![s("C:\\Temp\\\"x"), TokenKind::Eof]
        );
        assert_eq!(kinds("@'a''b'"), vec![s("a'b"), TokenKind::Eof]);
        assert_eq!(
            kinds(r#"h"secret" H@'x'"#),
            vec![s("secret"), s("x"), TokenKind::Eof]
        );
        assert_eq!(kinds(r#""\d+""#), vec![s("\\d+"), TokenKind::Eof]);
        assert_eq!(kinds("```a\nb```"), vec![s("a\nb"), TokenKind::Eof]);
        assert_eq!(
            kinds("\u{201c}192.168.0\u{201d}"),
            vec![s("192.168.0"), TokenKind::Eof]
        );
        assert_eq!(kinds("h"), vec![ident("h"), TokenKind::Eof]);
    }

    #[test]
    fn comment_right_after_a_string() {
        assert_eq!(
            kinds("@\"d\\d\"// and not(x)\n| y"),
            vec![s("d\\d"), TokenKind::Pipe, ident("y"), TokenKind::Eof]
        );
    }

    #[test]
    fn unterminated_string() {
        let toks = tokenize("x == \"abc\n| y");
        assert_eq!(
            toks[2].kind,
            TokenKind::Error("unterminated string literal".into())
        );
        assert_eq!(toks[2].span, Span::new(5, 9));
        assert_eq!(toks[3].kind, TokenKind::Eof);
        assert_eq!(
            kinds("@'abc")[0],
            TokenKind::Error("unterminated string literal".into())
        );
    }

    #[test]
    fn numbers() {
        use TokenKind::*;
        assert_eq!(
            kinds("1 2.5 1e3 1.5e-3 0x1F 0xFFFFFFFFFFFFFFFF"),
            vec![
                Long(1),
                Real(2.5),
                Real(1000.0),
                Real(0.0015),
                Long(31),
                Long(-1),
                Eof
            ]
        );
        assert_eq!(kinds("1..5"), vec![Long(1), DotDot, Long(5), Eof]);
        assert_eq!(kinds("99999999999999999999"), vec![Real(1e20), Eof]);
    }

    #[test]
    fn names_may_start_with_digits() {
        use TokenKind::*;
        // Kusto's lexer: digits followed by a letter or '_' that make no
        // timespan are one name.
        assert_eq!(
            kinds("let 2022MostExploited = 1"),
            vec![
                ident("let"),
                ident("2022MostExploited"),
                Assign,
                Long(1),
                Eof
            ]
        );
        assert_eq!(kinds("5and"), vec![ident("5and"), Eof]);
        assert_eq!(kinds("1_x 0x1Fg"), vec![ident("1_x"), ident("0x1Fg"), Eof]);
        assert_eq!(
            kinds("10m 10min"),
            vec![Timespan(6_000_000_000), Timespan(6_000_000_000), Eof]
        );
    }

    #[test]
    fn timespans() {
        use TokenKind::Timespan;
        let cases = [
            ("1d", TICKS_PER_DAY),
            ("2days", 2 * TICKS_PER_DAY),
            ("1h", TICKS_PER_HOUR),
            ("1hr", TICKS_PER_HOUR),
            ("3hrs", 3 * TICKS_PER_HOUR),
            ("1hour", TICKS_PER_HOUR),
            ("2hours", 2 * TICKS_PER_HOUR),
            ("1.5h", 54_000_000_000),
            ("5m", 5 * TICKS_PER_MINUTE),
            ("5min", 5 * TICKS_PER_MINUTE),
            ("1minute", TICKS_PER_MINUTE),
            ("2minutes", 2 * TICKS_PER_MINUTE),
            ("30s", 30 * TICKS_PER_SECOND),
            ("1sec", TICKS_PER_SECOND),
            ("1second", TICKS_PER_SECOND),
            ("2seconds", 2 * TICKS_PER_SECOND),
            ("10ms", 100_000),
            ("1milli", 10_000),
            ("1millisecond", 10_000),
            ("2milliseconds", 20_000),
            ("1microsecond", 10),
            ("3microseconds", 30),
            ("1tick", 1),
            ("7ticks", 7),
        ];
        for (src, ticks) in cases {
            assert_eq!(kinds(src), vec![Timespan(ticks), TokenKind::Eof], "{src}");
        }
    }

    #[test]
    fn raw_literals() {
        assert_eq!(
            kinds("datetime(2025-03-18T11:42:07.1234567Z) + time (1d)"),
            vec![
                TokenKind::Raw {
                    keyword: "datetime".into(),
                    text: "2025-03-18T11:42:07.1234567Z".into()
                },
                TokenKind::Plus,
                TokenKind::Raw {
                    keyword: "time".into(),
                    text: "1d".into()
                },
                TokenKind::Eof
            ]
        );
        assert_eq!(
            kinds("datetime(\")\")"),
            vec![
                TokenKind::Raw {
                    keyword: "datetime".into(),
                    text: "\")\"".into()
                },
                TokenKind::Eof
            ]
        );
        assert_eq!(
            kinds("x:datetime"),
            vec![
                ident("x"),
                TokenKind::Colon,
                ident("datetime"),
                TokenKind::Eof
            ]
        );
        assert_eq!(
            kinds("datetime(2020"),
            vec![
                TokenKind::Error("expected ')' to close '(' opened at line 1, column 9".into()),
                TokenKind::Eof
            ]
        );
    }

    #[test]
    fn timespan_text() {
        assert_eq!(parse_timespan_text("1.5h"), Some(54_000_000_000));
        assert_eq!(parse_timespan_text("2"), Some(2 * TICKS_PER_DAY));
        assert_eq!(parse_timespan_text("00:30:00"), Some(30 * TICKS_PER_MINUTE));
        assert_eq!(
            parse_timespan_text("1.02:03:04.5"),
            Some(TICKS_PER_DAY + 2 * TICKS_PER_HOUR + 3 * TICKS_PER_MINUTE + 45_000_000)
        );
        assert_eq!(parse_timespan_text("-1h"), Some(-TICKS_PER_HOUR));
        assert_eq!(parse_timespan_text("1x"), None);
        assert_eq!(parse_timespan_text(""), None);
        assert_eq!(parse_timespan_text("1:2:3:4"), None);
    }

    #[test]
    fn bad_characters() {
        assert_eq!(
            kinds("a # b")[1],
            TokenKind::Error("unexpected character '#'".into())
        );
        assert_eq!(
            kinds("@x")[0],
            TokenKind::Error("unexpected character '@'".into())
        );
    }
}
