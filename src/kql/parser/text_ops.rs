//! Operators that read structure out of text: `parse` (and the pattern it
//! shares with `parse-where`), `parse-kv`, `parse-where` and `reduce`.

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::TokenKind;
use super::names::take_option;
use super::{PResult, Parser};

/// The options `parse-kv ... with (...)` takes.
const KV_OPTIONS: &[&str] = &[
    "pair_delimiter",
    "kv_delimiter",
    "quote",
    "escape",
    "greedy",
    "regex",
];

impl Parser<'_> {
    /// `parse-kv Expr as (Key:type, ...) [with (name=value, ...)]`, after
    /// `parse-kv`.
    pub(super) fn parse_parse_kv(&mut self) -> PResult<OperatorKind> {
        let source = self.parse_expr()?;
        if !self.eat_ident("as") {
            return Err(self.expected_after("'as' and the keys to extract in parentheses"));
        }
        let open = self.expect(TokenKind::LParen, "'(' and the keys to extract")?;
        let mut keys = Vec::new();
        loop {
            let name = self.parse_name("a key name")?;
            self.expect(TokenKind::Colon, "':' and the key's type")?;
            let kind = self.parse_known_type_name()?;
            keys.push((name, kind));
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        self.expect_close(TokenKind::RParen, open)?;
        let mut kv = ParseKv {
            source,
            keys,
            mode: KvMode::Words,
            quotes: Vec::new(),
            escapes: Vec::new(),
        };
        if self.eat_ident("with") {
            self.parse_kv_options(&mut kv)?;
        }
        Ok(OperatorKind::ParseKv(Box::new(kv)))
    }

    /// The `with (...)` of `parse-kv`: delimiters, quotes, escapes,
    /// `greedy` or a `regex`, checked for the combinations Kusto accepts.
    fn parse_kv_options(&mut self, kv: &mut ParseKv) -> PResult<()> {
        let open = self.expect(TokenKind::LParen, "'(' and the parse-kv options")?;
        let (mut pair, mut kv_delim, mut greedy, mut regex) = (None, None, None, None);
        let start = self.span();
        loop {
            let name = self.parse_name("an option name")?;
            self.expect(TokenKind::Assign, "'=' after the option name")?;
            match name.name.as_str() {
                "greedy" => {
                    greedy = Some(match self.kind() {
                        TokenKind::Ident(w) if w == "true" || w == "false" => {
                            let v = w == "true";
                            self.bump();
                            v
                        }
                        _ => return Err(self.expected_after("true or false")),
                    });
                }
                other if KV_OPTIONS.contains(&other) => {
                    if !matches!(self.kind(), TokenKind::Str(_)) {
                        return Err(self.expected_after("a string"));
                    }
                    let (text, span) = self.parse_string_literal();
                    match other {
                        "pair_delimiter" => pair = Some((text, span)),
                        "kv_delimiter" => kv_delim = Some((text, span)),
                        "regex" => regex = Some((text, span)),
                        "quote" => kv.quotes.push(quote_pair(&text, span)?),
                        _ => kv.escapes.push(one_char(&text, span, "an escape")?),
                    }
                }
                other => {
                    return Err(QueryError::syntax(
                        format!(
                            "unknown parse-kv option '{other}': expected one of {}",
                            KV_OPTIONS.join(", ")
                        ),
                        name.span,
                    ));
                }
            }
            if !self.eat(&TokenKind::Comma) {
                break;
            }
        }
        let options_span = start.to(self.prev_span());
        self.expect_close(TokenKind::RParen, open)?;
        kv.mode = match (pair, kv_delim, regex) {
            (None, None, None) => KvMode::Words,
            (Some((pair, ps)), Some((kv_d, ks)), None) => {
                for (d, s) in [(&pair, ps), (&kv_d, ks)] {
                    if d.is_empty() {
                        return Err(QueryError::syntax("a delimiter cannot be empty", s));
                    }
                }
                KvMode::Delimited {
                    pair,
                    kv: kv_d,
                    greedy: greedy.unwrap_or(false),
                }
            }
            (None, None, Some((re, span))) => {
                let compiled = regex::Regex::new(&re).map_err(|e| {
                    QueryError::syntax(format!("invalid regular expression: {e}"), span)
                })?;
                if compiled.captures_len() != 3 {
                    return Err(QueryError::syntax(
                        "the parse-kv regex needs exactly two capturing groups: the key and the value",
                        span,
                    ));
                }
                KvMode::Regex(re)
            }
            (Some(_), Some(_), Some((_, span))) | (None, Some(_), Some((_, span))) => {
                return Err(QueryError::syntax(
                    "parse-kv takes either delimiters or a regex, not both",
                    span,
                ));
            }
            (Some((_, span)), _, _) | (_, Some((_, span)), _) => {
                return Err(QueryError::syntax(
                    "parse-kv needs both pair_delimiter and kv_delimiter",
                    span,
                ));
            }
        };
        if greedy == Some(true) && !matches!(kv.mode, KvMode::Delimited { .. }) {
            return Err(QueryError::syntax(
                "greedy=true needs pair_delimiter and kv_delimiter",
                options_span,
            ));
        }
        if matches!(kv.mode, KvMode::Regex(_)) && !(kv.quotes.is_empty() && kv.escapes.is_empty()) {
            return Err(QueryError::syntax(
                "quote and escape do not apply to a parse-kv regex",
                options_span,
            ));
        }
        Ok(())
    }

    /// `parse-where [kind=simple|regex [flags=f]] Expr with pattern`, after
    /// `parse-where`.
    pub(super) fn parse_parse_where(&mut self) -> PResult<OperatorKind> {
        let options = self.parse_options(&["kind", "flags"])?;
        let mut kind = None;
        let mut flags = None;
        for o in options {
            match o.name.name.as_str() {
                "kind" => {
                    let k = o.value.name.to_ascii_lowercase();
                    if k != "simple" && k != "regex" {
                        return Err(QueryError::syntax(
                            format!("parse-where kind must be simple or regex, not '{k}'"),
                            o.value.span,
                        ));
                    }
                    kind = Some(k);
                }
                "flags" => flags = Some(o.value),
                _ => {}
            }
        }
        let (source, pattern) = self.parse_text_and_pattern(kind.as_deref(), flags.as_ref())?;
        Ok(OperatorKind::ParseWhere {
            source,
            kind,
            flags: flags.map(|f| f.name),
            pattern,
        })
    }

    /// `reduce [kind=source] by Expr [with threshold=t, characters=c]`,
    /// after `reduce`.
    pub(super) fn parse_reduce(&mut self) -> PResult<OperatorKind> {
        let options = self.parse_options(&["kind"])?;
        let mut source_kind = false;
        for o in &options {
            if o.name.name == "kind" {
                if !o.value.name.eq_ignore_ascii_case("source") {
                    return Err(QueryError::syntax(
                        format!("reduce kind must be source, not '{}'", o.value.name),
                        o.value.span,
                    ));
                }
                source_kind = true;
            }
        }
        if !self.eat_ident("by") {
            return Err(self.expected_after("'by' and the text to reduce"));
        }
        let by = self.parse_expr()?;
        let (mut threshold, mut characters) = (None, None);
        if self.eat_ident("with") {
            loop {
                let name = self.parse_name("threshold or characters")?;
                self.expect(TokenKind::Assign, "'=' after the option name")?;
                let value = self.parse_expr()?;
                match name.name.as_str() {
                    "threshold" => threshold = Some(value),
                    "characters" => characters = Some(value),
                    other => {
                        return Err(QueryError::syntax(
                            format!(
                                "unknown reduce option '{other}': expected threshold or characters"
                            ),
                            name.span,
                        ));
                    }
                }
                if !self.eat(&TokenKind::Comma) {
                    break;
                }
            }
        }
        Ok(OperatorKind::Reduce {
            source_kind,
            by,
            threshold,
            characters,
        })
    }

    pub(super) fn parse_parse(&mut self) -> PResult<OperatorKind> {
        let mut options = self.parse_options(&["kind", "flags"])?;
        let kind = take_option(&mut options, "kind").map(|k| k.name);
        let flags = take_option(&mut options, "flags");
        let (source, pattern) = self.parse_text_and_pattern(kind.as_deref(), flags.as_ref())?;
        let flags = flags.map(|f| f.name);
        Ok(OperatorKind::Parse {
            source,
            kind,
            flags,
            pattern,
        })
    }

    /// `Expr with pattern`, the rest of `parse` and `parse-where` after
    /// their options, whose regex `flags` are checked against the `kind`
    /// first.
    fn parse_text_and_pattern(
        &mut self,
        kind: Option<&str>,
        flags: Option<&Ident>,
    ) -> PResult<(Expr, Vec<ParsePart>)> {
        if let Some(f) = flags {
            check_regex_flags(f, kind)?;
        }
        let source = self.parse_expr()?;
        if !self.eat_ident("with") {
            return Err(self.expected_after("'with' and a pattern"));
        }
        let pattern = self.parse_parse_pattern()?;
        Ok((source, pattern))
    }

    /// The pattern of `parse` and `parse-where` after `with`: strings,
    /// `*` and `Column[:type]`, up to the end of the operator.
    pub(super) fn parse_parse_pattern(&mut self) -> PResult<Vec<ParsePart>> {
        let mut pattern = Vec::new();
        while !self.at_operator_end() {
            match self.kind() {
                TokenKind::Str(_) => {
                    pattern.push(ParsePart::Literal(self.parse_string_literal().0))
                }
                TokenKind::Star => {
                    self.bump();
                    pattern.push(ParsePart::Wildcard);
                }
                _ if self.at_name() => {
                    let name = self.parse_name("a column name")?;
                    let kind = if self.eat(&TokenKind::Colon) {
                        Some(self.parse_type_name()?)
                    } else {
                        None
                    };
                    pattern.push(ParsePart::Column { name, kind });
                }
                _ => {
                    return Err(self.error_here(format!(
                        "expected a string, '*' or a column name in the parse pattern, found {}",
                        self.describe_current()
                    )));
                }
            }
        }
        if pattern.is_empty() {
            return Err(self.expected_after("a pattern"));
        }
        Ok(pattern)
    }
}

/// The `flags=` of `parse` and `parse-where`: regex flags, only with
/// `kind=regex`.
pub(super) fn check_regex_flags(flags: &Ident, kind: Option<&str>) -> PResult<()> {
    if let Some(bad) = flags.name.chars().find(|c| !"imsUx".contains(*c)) {
        return Err(QueryError::syntax(
            format!("unknown regex flag '{bad}': expected i, m, s, U or x"),
            flags.span,
        ));
    }
    if !kind.is_some_and(|k| k.eq_ignore_ascii_case("regex")) {
        return Err(QueryError::syntax("flags= needs kind=regex", flags.span));
    }
    Ok(())
}

/// A `quote=` value: one character quotes on both sides, two are the
/// opening and the closing quote.
fn quote_pair(text: &str, span: Span) -> PResult<(char, char)> {
    let chars: Vec<char> = text.chars().collect();
    match chars.as_slice() {
        [q] => Ok((*q, *q)),
        [open, close] => Ok((*open, *close)),
        _ => Err(QueryError::syntax(
            "a quote is one character, or two (the opening and the closing one)",
            span,
        )),
    }
}

fn one_char(text: &str, span: Span, what: &str) -> PResult<char> {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => Ok(c),
        _ => Err(QueryError::syntax(format!("{what} is one character"), span)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::super::printed::{only_op, piped};
    use super::*;

    fn err(src: &str) -> (String, Option<Span>) {
        let e = parse(src).expect_err("an error");
        (e.message, e.span)
    }

    #[test]
    fn parse_kv_modes() {
        let OperatorKind::ParseKv(kv) = only_op(
            "T | parse-kv s as (['a b']:long, c:string) with (pair_delimiter=';', kv_delimiter='=', quote='()', quote='\"', escape='\\\\', greedy=true)",
        ) else {
            panic!("not parse-kv")
        };
        let keys: Vec<(&str, &str)> = kv
            .keys
            .iter()
            .map(|(k, t)| (k.name.as_str(), t.as_str()))
            .collect();
        assert_eq!(keys, [("a b", "long"), ("c", "string")]);
        assert_eq!(
            kv.mode,
            KvMode::Delimited {
                pair: ";".into(),
                kv: "=".into(),
                greedy: true
            }
        );
        assert_eq!(kv.quotes, [('(', ')'), ('"', '"')]);
        assert_eq!(kv.escapes, ['\\']);
        let OperatorKind::ParseKv(kv) = only_op("T | parse-kv s as (a:long)") else {
            panic!("not parse-kv")
        };
        assert_eq!(kv.mode, KvMode::Words);
        let OperatorKind::ParseKv(kv) =
            only_op("T | parse-kv s as (a:long) with (regex=@'(\\w+)=(\\w+)')")
        else {
            panic!("not parse-kv")
        };
        assert_eq!(kv.mode, KvMode::Regex("(\\w+)=(\\w+)".into()));
    }

    #[test]
    fn parse_kv_mistakes_point_at_the_option() {
        let src = "T | parse-kv s as (a:long) with (pair_delimiter=',', regex='(a)(b)')";
        let (m, span) = err(src);
        assert_eq!(m, "parse-kv needs both pair_delimiter and kv_delimiter");
        assert_eq!(span.map(|s| &src[s.start..s.end]), Some("','"));
        let (m, _) = err("T | parse-kv s as (a:long) with (greedy=yes)");
        assert_eq!(m, "expected true or false after '='");
        let (m, _) = err("T | parse-kv s as (a:long) with (greedy=true)");
        assert_eq!(m, "greedy=true needs pair_delimiter and kv_delimiter");
        let (m, _) = err("T | parse-kv s as (a:long) with (escape='ab')");
        assert_eq!(m, "an escape is one character");
        let (m, _) = err("T | parse-kv s as (a:long) with (regex='(', quote='\"')");
        assert!(m.starts_with("invalid regular expression"), "{m}");
    }

    #[test]
    fn parse_where_and_reduce() {
        let OperatorKind::ParseWhere {
            kind,
            flags,
            pattern,
            ..
        } = only_op("T | parse-where kind=regex flags=Ui s with * \"a=\" x:long")
        else {
            panic!("not parse-where")
        };
        assert_eq!(kind.as_deref(), Some("regex"));
        assert_eq!(flags.as_deref(), Some("Ui"));
        assert_eq!(pattern.len(), 3);
        let (m, _) = err("T | parse-where kind=relaxed s with x");
        assert_eq!(m, "parse-where kind must be simple or regex, not 'relaxed'");
        let OperatorKind::Reduce {
            source_kind,
            threshold,
            characters,
            ..
        } = only_op("T | reduce kind=source by s with threshold=0.2, characters='-'")
        else {
            panic!("not reduce")
        };
        assert!(source_kind && threshold.is_some() && characters.is_some());
        let (m, _) = err("T | reduce s");
        assert_eq!(m, "expected 'by' and the text to reduce after 'reduce'");
    }

    #[test]
    fn parse_operator() {
        assert_eq!(
            piped("parse Msg with * \"user=\" User:string \" id=\" Id:long *"),
            "parse Msg with * \"user=\" User:string \" id=\" Id:long *"
        );
        assert_eq!(
            piped("parse kind=regex flags=i Msg with @\"(\\d+)\" N:long"),
            "parse kind=regex Msg with \"(\\\\d+)\" N:long"
        );
        assert_eq!(
            piped("parse kind=relaxed tostring(x) with a \",\" b"),
            "parse kind=relaxed tostring(x) with a \",\" b"
        );
        assert_eq!(
            piped("parse Msg \"x\""),
            "error: expected 'with' and a pattern after 'Msg'"
        );
        assert_eq!(
            piped("parse Msg with 5"),
            "error: expected a string, '*' or a column name in the parse pattern, found '5'"
        );
    }
}
