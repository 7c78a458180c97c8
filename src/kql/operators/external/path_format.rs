//! `pathformat`: how a file's path under a storage root names the values
//! of its partitions (`'day=' datetime_pattern('yyyy/MM/dd', Day)
//! '/region=' Region` reads `day=2026/01/02/region=East/part-0.parquet`).
//!
//! The format is matched against the start of the file's path relative to
//! the root, and must end where a folder name ends. A partition column
//! written alone takes the text up to what follows it (never a `/`);
//! `datetime_pattern` reads `yyyy`, `MM`, `dd`, `HH`, `mm`, `ss`, other
//! characters and `'quoted text'` as they are. Without a `pathformat`,
//! each partition is one folder level, in the order declared.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use regex::Regex;

use crate::data::normalize::parse_long;
use crate::data::time::parse_datetime;
use crate::data::types::KqlType;
use crate::kql::ast::{PathFormatPart, Span};
use crate::kql::error::QueryError;
use crate::kql::value::Scalar;

/// A partition column as the path format reads it.
pub(super) struct Partition<'a> {
    pub name: &'a str,
    pub kind: KqlType,
}

/// What a capture group holds.
enum Piece {
    /// The partition's whole value, as text.
    Whole,
    /// One field of a datetime pattern: `y`, `M`, `d`, `H`, `m` or `s`.
    Field(char),
}

/// A compiled path format.
pub(super) struct PathFormat {
    regex: Regex,
    /// Per capture group (in order, from group 1): the partition and piece.
    groups: Vec<(usize, Piece)>,
    kinds: Vec<KqlType>,
    /// The format as written, for errors.
    pub text: String,
}

impl PathFormat {
    /// Compiles `parts` (or the one-level-per-partition default when empty)
    /// for `partitions`; `span` places errors.
    pub(super) fn new(
        parts: &[PathFormatPart],
        partitions: &[Partition],
        span: Span,
    ) -> Result<PathFormat, QueryError> {
        let default: Vec<PathFormatPart>;
        let parts = if parts.is_empty() {
            default = default_parts(partitions);
            &default
        } else {
            parts
        };
        let index = |name: &str, at: Span| {
            partitions
                .iter()
                .position(|p| p.name == name)
                .ok_or_else(|| {
                    QueryError::syntax(
                        format!("pathformat names '{name}', which is not a partition column"),
                        at,
                    )
                })
        };
        let mut pattern = String::from("^");
        let mut groups = Vec::new();
        let mut text = Vec::new();
        for part in parts {
            match part {
                PathFormatPart::Text(t) => {
                    pattern += &regex::escape(t);
                    text.push(format!("'{t}'"));
                }
                PathFormatPart::Column(c) => {
                    groups.push((index(&c.name, c.span)?, Piece::Whole));
                    pattern += "([^/]+?)";
                    text.push(c.name.clone());
                }
                PathFormatPart::DatetimePattern { pattern: p, column } => {
                    let i = index(&column.name, column.span)?;
                    if partitions[i].kind != KqlType::Datetime {
                        return Err(QueryError::syntax(
                            format!(
                                "datetime_pattern needs a datetime partition, and '{}' is {}",
                                column.name,
                                partitions[i].kind.name()
                            ),
                            column.span,
                        ));
                    }
                    pattern += &datetime_regex(p, i, &mut groups).map_err(|m| {
                        QueryError::syntax(format!("datetime_pattern('{p}'): {m}"), column.span)
                    })?;
                    text.push(format!("datetime_pattern('{p}', {})", column.name));
                }
            }
        }
        pattern += "(?:/|$)";
        let regex = Regex::new(&pattern)
            .map_err(|e| QueryError::syntax(format!("pathformat cannot be read: {e}"), span))?;
        Ok(PathFormat {
            regex,
            groups,
            kinds: partitions.iter().map(|p| p.kind).collect(),
            text: text.join(" "),
        })
    }

    /// The partition values a relative path (with `/` separators) names,
    /// one per partition (null where the format does not name one); an
    /// error message when the path does not fit the format.
    pub(super) fn values(&self, path: &str) -> Result<Vec<Scalar>, String> {
        let misfit = || format!("does not match the pathformat ({})", self.text);
        let caps = self.regex.captures(path).ok_or_else(misfit)?;
        let mut texts: Vec<Option<String>> = vec![None; self.kinds.len()];
        let mut fields: Vec<[Option<u32>; 6]> = vec![[None; 6]; self.kinds.len()];
        for (g, (partition, piece)) in self.groups.iter().enumerate() {
            let Some(m) = caps.get(g + 1) else { continue };
            match piece {
                Piece::Whole => texts[*partition] = Some(m.as_str().to_string()),
                Piece::Field(f) => {
                    let slot = "yMdHms".find(*f).unwrap_or(0);
                    fields[*partition][slot] = m.as_str().parse().ok();
                }
            }
        }
        let mut out = Vec::with_capacity(self.kinds.len());
        for (i, kind) in self.kinds.iter().enumerate() {
            let value =
                if let Some(t) = &texts[i] {
                    let parsed = match kind {
                        KqlType::Long => parse_long(t).map(Scalar::Long),
                        KqlType::Datetime => parse_datetime(t).map(Scalar::Datetime),
                        _ => Some(Scalar::String(t.clone())),
                    };
                    parsed.ok_or_else(|| format!("names '{t}', which is not a {}", kind.name()))?
                } else if fields[i].iter().any(Option::is_some) {
                    Scalar::Datetime(datetime_of(&fields[i]).ok_or_else(|| {
                        format!("names a date that does not exist ({})", self.text)
                    })?)
                } else {
                    Scalar::Null(*kind)
                };
            out.push(value);
        }
        Ok(out)
    }
}

fn default_parts(partitions: &[Partition]) -> Vec<PathFormatPart> {
    let mut parts = Vec::new();
    for (i, p) in partitions.iter().enumerate() {
        if i > 0 {
            parts.push(PathFormatPart::Text("/".into()));
        }
        parts.push(PathFormatPart::Column(crate::kql::ast::Ident {
            name: p.name.to_string(),
            span: Span { start: 0, end: 0 },
        }));
    }
    parts
}

/// A `datetime_pattern` as a regex, its fields as capture groups.
fn datetime_regex(
    pattern: &str,
    partition: usize,
    groups: &mut Vec<(usize, Piece)>,
) -> Result<String, String> {
    let mut out = String::new();
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            let end = chars[i + 1..]
                .iter()
                .position(|&q| q == '\'')
                .ok_or("a quote is not closed")?;
            let literal: String = chars[i + 1..i + 1 + end].iter().collect();
            out += &regex::escape(&literal);
            i += end + 2;
            continue;
        }
        if !c.is_ascii_alphabetic() {
            out += &regex::escape(&c.to_string());
            i += 1;
            continue;
        }
        let run = chars[i..].iter().take_while(|&&x| x == c).count();
        let digits = match (c, run) {
            ('y', 4) => 4,
            ('M' | 'd' | 'H' | 'm' | 's', 2) => 2,
            _ => {
                let spec: String = std::iter::repeat_n(c, run).collect();
                return Err(format!(
                    "'{spec}' is not a specifier Quarry reads (yyyy, MM, dd, HH, mm, ss; quote literal text)"
                ));
            }
        };
        groups.push((partition, Piece::Field(c)));
        out += &format!("([0-9]{{{digits}}})");
        i += run;
    }
    Ok(out)
}

/// Year, month, day, hour, minute, second (missing ones at their start)
/// as nanoseconds since the epoch.
fn datetime_of(f: &[Option<u32>; 6]) -> Option<i64> {
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(f[0].unwrap_or(1970)).ok()?,
        f[1].unwrap_or(1),
        f[2].unwrap_or(1),
    )?;
    let time = NaiveTime::from_hms_opt(f[3].unwrap_or(0), f[4].unwrap_or(0), f[5].unwrap_or(0))?;
    NaiveDateTime::new(date, time)
        .and_utc()
        .timestamp_nanos_opt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kql::ast::Ident;

    fn id(n: &str) -> Ident {
        Ident {
            name: n.into(),
            span: Span { start: 0, end: 1 },
        }
    }

    #[test]
    fn hive_style_paths_with_a_date_pattern() {
        let partitions = [
            Partition {
                name: "Day",
                kind: KqlType::Datetime,
            },
            Partition {
                name: "Region",
                kind: KqlType::String,
            },
        ];
        let parts = [
            PathFormatPart::Text("day=".into()),
            PathFormatPart::DatetimePattern {
                pattern: "yyyy/MM/dd".into(),
                column: id("Day"),
            },
            PathFormatPart::Text("/region=".into()),
            PathFormatPart::Column(id("Region")),
        ];
        let f = PathFormat::new(&parts, &partitions, Span { start: 0, end: 1 }).unwrap();
        assert_eq!(
            f.values("day=2026/01/02/region=East/part-0.parquet")
                .unwrap(),
            vec![
                Scalar::Datetime(1_767_312_000_000_000_000),
                Scalar::String("East".into())
            ]
        );
        assert_eq!(
            f.values("day=2026/1/02/region=East/x").unwrap_err(),
            "does not match the pathformat ('day=' datetime_pattern('yyyy/MM/dd', Day) '/region=' Region)"
        );
        assert_eq!(
            f.values("day=2026/02/30/region=East/x").unwrap_err(),
            "names a date that does not exist ('day=' datetime_pattern('yyyy/MM/dd', Day) '/region=' Region)"
        );
    }

    #[test]
    fn default_format_and_quoted_pattern_text() {
        let partitions = [Partition {
            name: "N",
            kind: KqlType::Long,
        }];
        let f = PathFormat::new(&[], &partitions, Span { start: 0, end: 1 }).unwrap();
        assert_eq!(f.values("42/a.csv").unwrap(), vec![Scalar::Long(42)]);
        assert_eq!(
            f.values("x/a.csv").unwrap_err(),
            "names 'x', which is not a long"
        );
        let mut groups = Vec::new();
        assert_eq!(
            datetime_regex("'y='yyyy'/m='MM", 0, &mut groups).unwrap(),
            "y=([0-9]{4})/m=([0-9]{2})"
        );
        assert!(datetime_regex("yy", 0, &mut groups).is_err());
    }
}
