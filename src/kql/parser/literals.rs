//! Literals: numbers, strings (adjacent ones join), `true`/`false`,
//! timespans (`1h`, `time(1d)`), `datetime(...)`, `guid(...)`, typed
//! literals (`int(null)`, `real(-inf)`) and `dynamic(...)`, whose JSON-like
//! text KQL writes loosely (single quotes, bare keys, trailing commas).

use super::super::ast::*;
use super::super::error::QueryError;
use super::super::lexer::{TokenKind, parse_timespan_text};
use super::{PResult, Parser};
use crate::data::decimal::Decimal;

/// Type names that form literals: `int(5)`, `long(null)`, `real(1.5)`.
const TYPED_LITERALS: [&str; 8] = [
    "int", "long", "real", "double", "decimal", "bool", "boolean", "string",
];

impl Parser<'_> {
    /// Adjacent string literals are one string: `"a" "b"` is `"ab"`.
    pub(super) fn parse_string_literal(&mut self) -> (String, Span) {
        let mut text = String::new();
        let mut span = self.span();
        while let TokenKind::Str(part) = self.kind() {
            text.push_str(part);
            span = span.to(self.bump().span);
        }
        (text, span)
    }

    /// The word-led forms that are not names or calls: `true`, typed
    /// literals, `dynamic(...)` and unquoted search terms.
    #[inline(never)]
    pub(super) fn parse_word_literal(&mut self) -> PResult<Option<Expr>> {
        let span = self.span();
        let Some(word) = self.ident_at(0) else {
            return Ok(None);
        };
        let next_is_paren = matches!(self.kind_at(1), TokenKind::LParen);
        let boolean = match word {
            "true" | "True" | "TRUE" => Some(true),
            "false" | "False" | "FALSE" => Some(false),
            _ => None,
        };
        if let Some(b) = boolean {
            self.bump();
            return Ok(Some(Expr {
                kind: ExprKind::Literal(Literal::Bool(b)),
                span,
            }));
        }
        if word == "dynamic" && next_is_paren {
            return self.parse_dynamic_literal().map(Some);
        }
        if next_is_paren && TYPED_LITERALS.contains(&word) {
            return self.try_typed_literal();
        }
        if self.search_mode && self.glued(1) && matches!(self.kind_at(1), TokenKind::Star) {
            self.bump();
            return Ok(Some(self.finish_bare_term(span, None)));
        }
        Ok(None)
    }

    /// `int(5)`, `long(null)`, `real(-1.5)`, `bool(true)`, `string(null)`,
    /// `decimal(0.1)`; `None` (cursor unmoved) when the parentheses hold
    /// anything else.
    fn try_typed_literal(&mut self) -> PResult<Option<Expr>> {
        let Some(ty) = self.ident_at(0).map(str::to_string) else {
            return Ok(None);
        };
        let start = self.pos;
        let span = self.span();
        self.pos += 2;
        let negative = match self.kind() {
            TokenKind::Minus => {
                self.bump();
                true
            }
            TokenKind::Plus => {
                self.bump();
                false
            }
            _ => false,
        };
        let sign = if negative { -1.0 } else { 1.0 };
        let literal = match (self.kind().clone(), ty.as_str()) {
            (TokenKind::Ident(w), _) if w == "null" && !negative => Some(match ty.as_str() {
                "string" => Literal::String(String::new()),
                "double" => Literal::Null("real".into()),
                "boolean" => Literal::Null("bool".into()),
                _ => Literal::Null(ty.clone()),
            }),
            (TokenKind::Long(v), "int") => {
                let v = if negative { -v } else { v };
                Some(i32::try_from(v).map_or(Literal::Long(v), Literal::Int))
            }
            (TokenKind::Long(v), "long") => Some(Literal::Long(if negative { -v } else { v })),
            (TokenKind::Long(v), "real" | "double") => Some(Literal::Real(sign * v as f64)),
            (TokenKind::Real(v), "real" | "double") => Some(Literal::Real(sign * v)),
            // The digits as written: a real would have rounded them.
            (TokenKind::Long(_) | TokenKind::Real(_), "decimal") => {
                let number = self.span();
                let text = self.text(number);
                let Some(d) = Decimal::parse(text) else {
                    let hex = text.starts_with("0x") || text.starts_with("0X");
                    return Err(QueryError::syntax(
                        if hex {
                            "a decimal is written in decimal digits: decimal(16), not decimal(0x10)"
                        } else {
                            "a decimal holds at most 38 digits before the point"
                        },
                        number,
                    ));
                };
                Some(Literal::Decimal(if negative { -d } else { d }))
            }
            (TokenKind::Ident(w), "real" | "double") if w == "nan" => Some(Literal::Real(f64::NAN)),
            (TokenKind::Ident(w), "real" | "double") if w == "inf" => {
                Some(Literal::Real(sign * f64::INFINITY))
            }
            (TokenKind::Ident(w), "bool" | "boolean")
                if !negative && matches!(w.as_str(), "true" | "false") =>
            {
                Some(Literal::Bool(w == "true"))
            }
            (TokenKind::Str(s), "string") if !negative => Some(Literal::String(s)),
            _ => None,
        };
        if let Some(literal) = literal {
            self.bump();
            if self.at(&TokenKind::RParen) {
                let close = self.bump().span;
                return Ok(Some(Expr {
                    kind: ExprKind::Literal(literal),
                    span: span.to(close),
                }));
            }
        }
        self.pos = start;
        Ok(None)
    }

    /// `dynamic([...])`, `dynamic({...})`, `dynamic(null)`, `dynamic(5)`.
    fn parse_dynamic_literal(&mut self) -> PResult<Expr> {
        let start = self.bump().span;
        let open = self.bump().span;
        let value = if self.at(&TokenKind::RParen) {
            serde_json::Value::Null
        } else {
            self.parse_json_value()?
        };
        let close = self.expect_close(TokenKind::RParen, open)?;
        Ok(Expr {
            kind: ExprKind::Literal(Literal::Dynamic(value)),
            span: start.to(close),
        })
    }

    /// The JSON-ish text of a dynamic literal: KQL also allows single
    /// quotes, trailing commas, bare keys and typed scalars inside.
    fn parse_json_value(&mut self) -> PResult<serde_json::Value> {
        use serde_json::Value;
        self.enter()?;
        let tok = self.peek().clone();
        let value = match &tok.kind {
            TokenKind::LBracket => {
                let open = self.bump().span;
                Value::Array(self.finish_items(
                    open,
                    TokenKind::RBracket,
                    Self::parse_json_value,
                )?)
            }
            TokenKind::LBrace => {
                let open = self.bump().span;
                let mut map = serde_json::Map::new();
                while !self.at(&TokenKind::RBrace) {
                    let key = match self.kind().clone() {
                        TokenKind::Str(_) => self.parse_string_literal().0,
                        TokenKind::Ident(k) => {
                            self.bump();
                            k
                        }
                        _ => {
                            return Err(
                                self.expected_after("a property name in the dynamic object")
                            );
                        }
                    };
                    self.expect(TokenKind::Colon, "':' after the property name")?;
                    let value = self.parse_json_value()?;
                    map.insert(key, value);
                    if !self.eat(&TokenKind::Comma) {
                        break;
                    }
                }
                self.expect_close(TokenKind::RBrace, open)?;
                Value::Object(map)
            }
            TokenKind::Str(_) => Value::String(self.parse_string_literal().0),
            TokenKind::Ident(w) if w == "null" => {
                self.bump();
                Value::Null
            }
            TokenKind::Ident(w)
                if w == "dynamic" && matches!(self.kind_at(1), TokenKind::LParen) =>
            {
                match self.parse_dynamic_literal()?.kind {
                    ExprKind::Literal(Literal::Dynamic(v)) => v,
                    _ => Value::Null,
                }
            }
            _ => {
                // A scalar: a number, bool, timespan or datetime.
                let expr = self.parse_unary()?;
                match expr.kind {
                    ExprKind::Literal(lit) => literal_to_json(lit),
                    _ => {
                        return Err(QueryError::syntax(
                            "expected a constant inside dynamic(...)".to_string(),
                            expr.span,
                        ));
                    }
                }
            }
        };
        self.leave();
        Ok(value)
    }
}

/// `datetime(2025, 6, 14)` (used by the documentation's startofweek and
/// endofweek examples) as `2025-06-14`; `None` for any other text.
fn year_month_day(text: &str) -> Option<String> {
    let parts: Vec<&str> = text.split(',').map(str::trim).collect();
    let [year, month, day] = parts[..] else {
        return None;
    };
    fn number(p: &str, digits: std::ops::RangeInclusive<usize>) -> Option<&str> {
        (digits.contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit())).then_some(p)
    }
    let (year, month, day) = (
        number(year, 4..=4)?,
        number(month, 1..=2)?,
        number(day, 1..=2)?,
    );
    // A date that does not exist keeps its text, so the error quotes it
    // as written.
    chrono::NaiveDate::from_ymd_opt(year.parse().ok()?, month.parse().ok()?, day.parse().ok()?)?;
    Some(format!("{year}-{month:0>2}-{day:0>2}"))
}

/// The literal a raw keyword token stands for.
pub(super) fn raw_literal(keyword: &str, text: &str) -> Result<Literal, String> {
    let unquoted = unquote(text);
    if text == "null" {
        let ty = if keyword == "time" {
            "timespan"
        } else {
            keyword
        };
        return Ok(Literal::Null(ty.to_string()));
    }
    match keyword {
        "datetime" => {
            if unquoted.trim().is_empty() {
                return Err("expected a date inside 'datetime()'".into());
            }
            Ok(Literal::Datetime(
                year_month_day(unquoted).unwrap_or_else(|| unquoted.trim().to_string()),
            ))
        }
        "guid" => Ok(Literal::String(unquoted.trim().to_string())),
        _ => parse_timespan_text(unquoted)
            .map(Literal::Timespan)
            .ok_or_else(|| format!("invalid timespan literal '{text}'")),
    }
}

/// The text without one pair of surrounding quotes.
fn unquote(text: &str) -> &str {
    for q in ['"', '\''] {
        if let Some(inner) = text.strip_prefix(q).and_then(|t| t.strip_suffix(q)) {
            return inner;
        }
    }
    text
}

fn literal_to_json(lit: Literal) -> serde_json::Value {
    use serde_json::Value;
    match lit {
        Literal::String(s) => Value::String(s),
        // Kusto keeps a datetime inside a dynamic as its ISO text:
        // `dynamic([datetime("01-01-2022")])` holds "2022-01-01T00:00:00.0000000Z".
        Literal::Datetime(s) => {
            let text = s.trim().trim_matches(|c| c == '"' || c == '\'');
            match crate::data::time::parse_datetime(text) {
                Some(t) => Value::String(
                    crate::kql::value::Scalar::Datetime(t)
                        .to_text()
                        .into_owned(),
                ),
                None => Value::String(s),
            }
        }
        Literal::Long(v) => Value::from(v),
        // Kusto's dynamic holds no decimal: inside one it is a real.
        Literal::Decimal(d) => {
            serde_json::Number::from_f64(d.to_f64()).map_or(Value::Null, Value::Number)
        }
        Literal::Int(v) => Value::from(v),
        Literal::Real(v) => serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number),
        Literal::Bool(b) => Value::Bool(b),
        Literal::Timespan(t) => Value::String(format_timespan(t)),
        Literal::Dynamic(v) => v,
        Literal::Null(_) => Value::Null,
    }
}

/// Kusto's text form of a timespan, `[-][d.]hh:mm:ss[.fffffff]`, which is
/// how a timespan reads inside a dynamic value.
fn format_timespan(ticks: i64) -> String {
    let sign = if ticks < 0 { "-" } else { "" };
    let t = ticks.unsigned_abs();
    let (days, rem) = (t / 864_000_000_000, t % 864_000_000_000);
    let (h, rem) = (rem / 36_000_000_000, rem % 36_000_000_000);
    let (m, rem) = (rem / 600_000_000, rem % 600_000_000);
    let (s, frac) = (rem / 10_000_000, rem % 10_000_000);
    let day = if days > 0 {
        format!("{days}.")
    } else {
        String::new()
    };
    let frac = if frac > 0 {
        format!(".{frac:07}")
    } else {
        String::new()
    };
    format!("{sign}{day}{h:02}:{m:02}:{s:02}{frac}")
}

#[cfg(test)]
mod tests {
    use super::super::printed::e;

    #[test]
    fn scalar_literals() {
        assert_eq!(e("1"), "1");
        assert_eq!(e("1.5"), "real(1.5)");
        assert_eq!(e("1e3"), "real(1000)");
        assert_eq!(e("0x10"), "16");
        assert_eq!(e("-3"), "-3");
        assert_eq!(e("true"), "true");
        assert_eq!(e("False"), "false");
        assert_eq!(e("\"a\" \"b\"\n'c'"), "\"abc\"");
        assert_eq!(e("h\"secret\""), "\"secret\"");
        assert_eq!(e("@'C:\\x'"), "\"C:\\\\x\"");
    }

    #[test]
    fn timespan_literals() {
        assert_eq!(e("1h"), "ts(36000000000)");
        assert_eq!(e("1.5h"), "ts(54000000000)");
        assert_eq!(e("-1d"), "ts(-864000000000)");
        assert_eq!(e("time(1d)"), "ts(864000000000)");
        assert_eq!(e("timespan(1.5h)"), "ts(54000000000)");
        assert_eq!(e("timespan(00:30:00)"), "ts(18000000000)");
        assert_eq!(e("time(2)"), "ts(1728000000000)");
        assert_eq!(e("timespan(null)"), "null(timespan)");
        assert_eq!(e("time(null)"), "null(timespan)");
        assert_eq!(e("timespan(1q)"), "error: invalid timespan literal '1q'");
    }

    #[test]
    fn datetime_literals() {
        assert_eq!(
            e("datetime(2025-03-18T11:42:07.1234567Z)"),
            "datetime(2025-03-18T11:42:07.1234567Z)"
        );
        assert_eq!(
            e("datetime(\"2025-03-18 11:42\")"),
            "datetime(2025-03-18 11:42)"
        );
        assert_eq!(e("datetime(2025-03-18)"), "datetime(2025-03-18)");
        // The documentation's startofweek/endofweek examples write dates
        // as year, month, day.
        assert_eq!(e("datetime(2025, 6, 14)"), "datetime(2025-06-14)");
        assert_eq!(e("datetime(2025,12,1)"), "datetime(2025-12-01)");
        assert_eq!(e("datetime(2025, 6)"), "datetime(2025, 6)");
        assert_eq!(e("datetime(2025, 6, 31)"), "datetime(2025, 6, 31)");
        assert_eq!(e("datetime(null)"), "null(datetime)");
        assert_eq!(
            e("datetime()"),
            "error: expected a date inside 'datetime()'"
        );
        assert_eq!(
            e("todatetime(\"2025-01-01\")"),
            "todatetime(\"2025-01-01\")"
        );
        assert_eq!(
            e("guid(74be27de-1e4e-49d9-b579-fe0b331d3642)"),
            "\"74be27de-1e4e-49d9-b579-fe0b331d3642\""
        );
    }

    #[test]
    fn typed_literals() {
        assert_eq!(e("int(null)"), "null(int)");
        assert_eq!(e("long(null)"), "null(long)");
        assert_eq!(e("real(null)"), "null(real)");
        assert_eq!(e("double(null)"), "null(real)");
        assert_eq!(e("bool(null)"), "null(bool)");
        assert_eq!(e("string(null)"), "\"\"");
        assert_eq!(e("long(5)"), "5");
        assert_eq!(e("int(-5)"), "int(-5)");
        assert_eq!(e("real(1.5)"), "real(1.5)");
        assert_eq!(e("real(2)"), "real(2)");
        assert_eq!(e("real(-inf)"), "real(-inf)");
        assert_eq!(e("bool(true)"), "true");
        // Not a literal inside: an ordinary call, for the planner to judge.
        assert_eq!(e("long(x)"), "long(x)");
    }

    #[test]
    fn dynamic_literals() {
        assert_eq!(e("dynamic(null)"), "dyn(null)");
        assert_eq!(e("dynamic()"), "dyn(null)");
        assert_eq!(
            e("dynamic([1, 'a', \"b\", true, null, -2.5,])"),
            "dyn([1,\"a\",\"b\",true,null,-2.5])"
        );
        assert_eq!(
            e("dynamic({'a': [1, {\"b\": 2}], c: 'x', \"t\": 1h, \"d\": datetime(2020-01-01)})"),
            // Bags keep their keys in the order written, as Kusto's do.
            "dyn({\"a\":[1,{\"b\":2}],\"c\":\"x\",\"t\":\"01:00:00\",\"d\":\"2020-01-01T00:00:00.0000000Z\"})"
        );
        assert_eq!(e("dynamic(5)"), "dyn(5)");
        assert_eq!(e("dynamic(\"x\")"), "dyn(\"x\")");
        assert_eq!(
            e("dynamic([1, x])"),
            "error: expected a constant inside dynamic(...)"
        );
        assert_eq!(
            e("dynamic([1, 2)"),
            "error: expected ']' to close '[' opened at line 1, column 9"
        );
    }
}
