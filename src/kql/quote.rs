//! Writing KQL names and string literals so that any column name and any
//! text, however hostile, reads back as exactly itself: one place for
//! every writer of KQL (the workbench's stages, pivots, converted rules).

/// Words the parser treats as keywords in some position; a column with one
/// of these names is written `['name']` so it can never be misread.
const KEYWORDS: &[&str] = &[
    "and",
    "or",
    "not",
    "by",
    "on",
    "with",
    "in",
    "has",
    "contains",
    "between",
    "asc",
    "desc",
    "true",
    "false",
    "null",
    "let",
    "where",
    "project",
    "extend",
    "summarize",
    "sort",
    "order",
    "take",
    "limit",
    "top",
    "join",
    "union",
    "search",
    "kind",
    "nulls",
    "first",
    "last",
    "startswith",
    "endswith",
    "matches",
    "like",
    "to",
    "of",
    "typeof",
    "datetime",
    "timespan",
    "time",
    "dynamic",
    "guid",
    "bool",
    "int",
    "long",
    "real",
    "string",
    "decimal",
    "double",
];

/// A column or table name as KQL: bare when it is a plain identifier,
/// otherwise `['name']` (with `'` and `\` escaped).
pub fn quote_ident(name: &str) -> String {
    let mut chars = name.chars();
    let plain = match chars.next() {
        Some(c) if c.is_ascii_alphabetic() || c == '_' || c == '$' => {
            chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        }
        _ => false,
    };
    if plain && !KEYWORDS.contains(&name.to_ascii_lowercase().as_str()) {
        name.to_string()
    } else {
        format!("[{}]", quote_with(name, '\''))
    }
}

/// A KQL string literal `"..."` holding exactly `s`.
///
/// Quotes and backslashes are escaped, and so is every character that must
/// not reach a terminal (controls, bidi overrides): the pipeline text is
/// shown, copied and pasted, so it stays printable and one line.
pub fn string_literal(s: &str) -> String {
    quote_with(s, '"')
}

pub(crate) fn quote_with(s: &str, quote: char) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if crate::text::needs_escape(c) => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

/// A string literal that reads as written: verbatim (`@"C:\Windows"`)
/// when `s` holds backslashes and nothing that needs escaping, so paths and
/// regexes are not doubled up; otherwise [`string_literal`].
pub fn readable_literal(s: &str) -> String {
    if s.contains('\\')
        && !s
            .chars()
            .any(|c| c == '\n' || c == '\r' || crate::text::needs_escape(c))
    {
        return format!("@\"{}\"", s.replace('"', "\"\""));
    }
    string_literal(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn literals_read_back_as_written() {
        assert_eq!(string_literal("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            readable_literal(r"C:\Windows\cmd.exe"),
            r#"@"C:\Windows\cmd.exe""#
        );
        assert_eq!(readable_literal(r#"say "hi"\"#), r#"@"say ""hi""\""#);
        assert_eq!(readable_literal("plain"), r#""plain""#);
        assert_eq!(readable_literal("a\\\nb"), r#""a\\\nb""#);
        assert_eq!(quote_ident("where"), "['where']");
        assert_eq!(quote_ident("Remote IP"), "['Remote IP']");
        assert_eq!(quote_ident("RemoteIP"), "RemoteIP");
    }
}
