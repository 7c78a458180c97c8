//! Colours and text attributes for every part of the workbench.
//!
//! Three themes are built into the binary (`dark`, `light`,
//! `high-contrast`, from `themes/*.toml`). A user theme is a TOML file in the
//! config directory's `themes/` folder ([`Theme::user_dir`]); a user file
//! with a built-in name replaces that theme.
//!
//! # Theme files
//!
//! ```toml
//! inherits = "dark"        # optional; styles not written here come from it
//!
//! header = { fg = "black", bg = "cyan", bold = true }
//! error = "light_red"      # a bare colour is the foreground
//!
//! [severity.high]
//! fg = "#ff5555"
//! bold = true
//! ```
//!
//! A style has `fg`, `bg` (a colour name like `red` or `dark_gray`, an
//! index `0`–`255`, or `#rrggbb`) and the flags `bold`, `dim`, `italic`,
//! `underlined`, `reversed` (`false` removes the attribute from what the
//! style is drawn over). Each style written replaces the inherited one
//! whole. Without `inherits`, a user theme inherits the built-in theme of the
//! same name, or `dark`.

use std::collections::HashSet;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::style::{Color, Modifier, Style};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::text::line_col;

/// Styles for rule severities.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SeverityStyles {
    /// Informational.
    pub informational: Style,
    /// Low.
    pub low: Style,
    /// Medium.
    pub medium: Style,
    /// High.
    pub high: Style,
}

/// Styles for how trustworthy a file's signature looks.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SignatureStyles {
    /// Valid and expected.
    pub calm: Style,
    /// Unsigned, unknown or rare.
    pub warn: Style,
    /// Invalid, revoked, or known bad.
    pub alarm: Style,
}

/// Every style the views draw with. Views patch them over each other in
/// this order: `normal`, then row styles (`selection`, `cursor_row`), then
/// `cursor_cell`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Theme {
    /// The theme's name, as given to [`Theme::load`].
    pub name: String,
    /// Ordinary text and background.
    pub normal: Style,
    /// Column headers.
    pub header: Style,
    /// The row under the cursor.
    pub cursor_row: Style,
    /// The cell under the cursor.
    pub cursor_cell: Style,
    /// Selected rows.
    pub selection: Style,
    /// Columns marked as keys (`m`).
    pub marked_column: Style,
    /// The status bar.
    pub status_bar: Style,
    /// Keys in the hints bar.
    pub hint_key: Style,
    /// Labels in the hints bar.
    pub hint_text: Style,
    /// Empty cells, escapes, secondary text.
    pub dim: Style,
    /// Error messages.
    pub error: Style,
    /// The pipeline breadcrumb.
    pub breadcrumb: Style,
    /// Borders and separators.
    pub border: Style,
    /// Prompt text (`/`, `:`) and its input line.
    pub prompt: Style,
    /// Search hits inside cells.
    pub search_match: Style,
    /// Rule severities.
    pub severity: SeverityStyles,
    /// File signature states.
    pub signature: SignatureStyles,
    /// Chart series, in order (`[chart] series1` ...).
    pub chart: [Style; 8],
    /// NO_COLOR is set: the terminal shows no colour, so charts tell
    /// series apart by their marks alone.
    pub monochrome: bool,
}

/// The built-in themes: (name, file text).
const BUNDLED: &[(&str, &str)] = &[
    ("dark", include_str!("../../themes/dark.toml")),
    ("light", include_str!("../../themes/light.toml")),
    (
        "high-contrast",
        include_str!("../../themes/high-contrast.toml"),
    ),
];

type Field = fn(&mut Theme) -> &mut Style;

/// Top-level style names and where they go.
const STYLES: &[(&str, Field)] = &[
    ("normal", |t| &mut t.normal),
    ("header", |t| &mut t.header),
    ("cursor_row", |t| &mut t.cursor_row),
    ("cursor_cell", |t| &mut t.cursor_cell),
    ("selection", |t| &mut t.selection),
    ("marked_column", |t| &mut t.marked_column),
    ("status_bar", |t| &mut t.status_bar),
    ("hint_key", |t| &mut t.hint_key),
    ("hint_text", |t| &mut t.hint_text),
    ("dim", |t| &mut t.dim),
    ("error", |t| &mut t.error),
    ("breadcrumb", |t| &mut t.breadcrumb),
    ("border", |t| &mut t.border),
    ("prompt", |t| &mut t.prompt),
    ("search_match", |t| &mut t.search_match),
];

const SEVERITY: &[(&str, Field)] = &[
    ("informational", |t| &mut t.severity.informational),
    ("low", |t| &mut t.severity.low),
    ("medium", |t| &mut t.severity.medium),
    ("high", |t| &mut t.severity.high),
];

const SIGNATURE: &[(&str, Field)] = &[
    ("calm", |t| &mut t.signature.calm),
    ("warn", |t| &mut t.signature.warn),
    ("alarm", |t| &mut t.signature.alarm),
];

const CHART: &[(&str, Field)] = &[
    ("series1", |t| &mut t.chart[0]),
    ("series2", |t| &mut t.chart[1]),
    ("series3", |t| &mut t.chart[2]),
    ("series4", |t| &mut t.chart[3]),
    ("series5", |t| &mut t.chart[4]),
    ("series6", |t| &mut t.chart[5]),
    ("series7", |t| &mut t.chart[6]),
    ("series8", |t| &mut t.chart[7]),
];

const ATTRIBUTES: &str = "fg, bg, bold, dim, italic, underlined, reversed";

impl Default for Theme {
    /// The built-in `dark` theme.
    fn default() -> Theme {
        Theme::bundled("dark").expect("built-in dark theme is valid")
    }
}

impl Theme {
    /// Names of the built-in themes.
    pub fn bundled_names() -> Vec<&'static str> {
        BUNDLED.iter().map(|(n, _)| *n).collect()
    }

    /// `themes/` in the platform config directory
    /// (`~/.config/quarry/themes` on Linux), if a home directory is known.
    pub fn user_dir() -> Option<PathBuf> {
        crate::places::config_file("themes")
    }

    /// Loads theme `name`: `user_dir/NAME.toml` if it exists, else the
    /// built-in theme of that name.
    ///
    /// Errors name the file, line and column (`PATH:LINE:COL: message`);
    /// built-in files are named `themes/NAME.toml (built in)`.
    pub fn load(name: &str, user_dir: Option<&Path>) -> Result<Theme, String> {
        load_inner(name, user_dir, &mut Vec::new())
    }

    /// A built-in theme by name.
    pub fn bundled(name: &str) -> Result<Theme, String> {
        let (_, text) = BUNDLED
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| format!("no built-in theme \"{name}\""))?;
        let origin = format!("themes/{name}.toml (built in)");
        let doc = parse_doc(text, &origin)?;
        apply(&doc, text, &origin, Theme::blank(name)).map(|(t, _)| t)
    }

    /// A theme where every style is the terminal's default.
    fn blank(name: &str) -> Theme {
        Theme {
            name: name.to_string(),
            normal: Style::default(),
            header: Style::default(),
            cursor_row: Style::default(),
            cursor_cell: Style::default(),
            selection: Style::default(),
            marked_column: Style::default(),
            status_bar: Style::default(),
            hint_key: Style::default(),
            hint_text: Style::default(),
            dim: Style::default(),
            error: Style::default(),
            breadcrumb: Style::default(),
            border: Style::default(),
            prompt: Style::default(),
            search_match: Style::default(),
            severity: SeverityStyles::default(),
            signature: SignatureStyles::default(),
            chart: [Style::default(); 8],
            // https://no-color.org: present and not empty.
            monochrome: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
        }
    }

    /// The style for a rule severity as rules write it (`informational` or
    /// `info`, `low`, `medium`, `high`; any case). Unknown levels get `normal`.
    pub fn severity_style(&self, level: &str) -> Style {
        match level.to_ascii_lowercase().as_str() {
            "informational" | "info" => self.severity.informational,
            "low" => self.severity.low,
            "medium" => self.severity.medium,
            "high" => self.severity.high,
            _ => self.normal,
        }
    }
}

fn load_inner(
    name: &str,
    user_dir: Option<&Path>,
    chain: &mut Vec<String>,
) -> Result<Theme, String> {
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(format!(
            "invalid theme name \"{name}\": use letters, digits, '-' and '_'"
        ));
    }
    if chain.iter().any(|n| n == name) {
        chain.push(name.to_string());
        return Err(format!("themes inherit in a loop: {}", chain.join(" -> ")));
    }
    chain.push(name.to_string());

    if let Some(dir) = user_dir {
        let path = dir.join(format!("{name}.toml"));
        match fs::read_to_string(&path) {
            Ok(text) => {
                let origin = path.display().to_string();
                let doc = parse_doc(&text, &origin)?;
                let base = match doc.get_ref().get("inherits") {
                    Some(value) => {
                        let parent = match value.get_ref() {
                            DeValue::String(s) => s.to_string(),
                            other => {
                                return Err(at(
                                    &text,
                                    &origin,
                                    value.span().start,
                                    format!(
                                        "`inherits` must be a theme name, not {}",
                                        article(other.type_str())
                                    ),
                                ));
                            }
                        };
                        if parent == name {
                            // `inherits = "dark"` in dark.toml means the built-in dark.
                            Theme::bundled(name)
                                .map_err(|e| at(&text, &origin, value.span().start, e))?
                        } else {
                            load_inner(&parent, user_dir, chain).map_err(|e| {
                                if e.starts_with("themes inherit in a loop") {
                                    e
                                } else {
                                    at(&text, &origin, value.span().start, e)
                                }
                            })?
                        }
                    }
                    None => Theme::bundled(name).or_else(|_| Theme::bundled("dark"))?,
                };
                let (mut theme, _) = apply(&doc, &text, &origin, base)?;
                theme.name = name.to_string();
                return Ok(theme);
            }
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        }
    }
    if BUNDLED.iter().any(|(n, _)| *n == name) {
        return Theme::bundled(name);
    }
    let builtin = Theme::bundled_names().join(", ");
    Err(match user_dir {
        Some(dir) => format!(
            "unknown theme \"{name}\" (built in: {builtin}; or create {})",
            dir.join(format!("{name}.toml")).display()
        ),
        None => format!("unknown theme \"{name}\" (built in: {builtin})"),
    })
}

fn at(text: &str, origin: &str, offset: usize, msg: String) -> String {
    let (line, col) = line_col(text, offset);
    format!("{origin}:{line}:{col}: {msg}")
}

fn parse_doc<'a>(text: &'a str, origin: &str) -> Result<Spanned<DeTable<'a>>, String> {
    DeTable::parse(text).map_err(|e| {
        let msg = e.message().replace('\n', "; ");
        match e.span() {
            Some(span) => at(text, origin, span.start, msg),
            None => format!("{origin}: {msg}"),
        }
    })
}

/// Applies the styles in `doc` over `base`; also returns which style names
/// were set (`severity.high` for nested ones), so tests can check that the
/// built-in themes are complete.
fn apply(
    doc: &Spanned<DeTable<'_>>,
    text: &str,
    origin: &str,
    mut theme: Theme,
) -> Result<(Theme, HashSet<String>), String> {
    let err = |offset: usize, msg: String| at(text, origin, offset, msg);
    let mut set = HashSet::new();
    let mut entries: Vec<_> = doc.get_ref().iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    for (key, value) in entries {
        let name: &str = key.get_ref();
        match name {
            "inherits" => {}
            "severity" | "signature" | "chart" => {
                let fields = match name {
                    "severity" => SEVERITY,
                    "signature" => SIGNATURE,
                    _ => CHART,
                };
                let DeValue::Table(table) = value.get_ref() else {
                    return Err(err(
                        value.span().start,
                        format!(
                            "`{name}` must be a table of styles, not {}",
                            article(value.get_ref().type_str())
                        ),
                    ));
                };
                let mut inner: Vec<_> = table.iter().collect();
                inner.sort_by_key(|(k, _)| k.span().start);
                for (k, v) in inner {
                    let sub: &str = k.get_ref();
                    let Some((_, field)) = fields.iter().find(|(n, _)| *n == sub) else {
                        let names: Vec<&str> = fields.iter().map(|(n, _)| *n).collect();
                        return Err(err(
                            k.span().start,
                            format!(
                                "unknown style `{name}.{sub}` (expected one of: {})",
                                names.join(", ")
                            ),
                        ));
                    };
                    let full = format!("{name}.{sub}");
                    *field(&mut theme) = parse_style(&full, v).map_err(|(o, m)| err(o, m))?;
                    set.insert(full);
                }
            }
            _ => {
                let Some((_, field)) = STYLES.iter().find(|(n, _)| *n == name) else {
                    return Err(err(key.span().start, unknown_style(name)));
                };
                *field(&mut theme) = parse_style(name, value).map_err(|(o, m)| err(o, m))?;
                set.insert(name.to_string());
            }
        }
    }
    Ok((theme, set))
}

fn unknown_style(name: &str) -> String {
    let candidates =
        STYLES
            .iter()
            .map(|(n, _)| *n)
            .chain(["severity", "signature", "chart", "inherits"]);
    let best = candidates
        .map(|n| (strsim::jaro_winkler(name, n), n))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, n)) if score >= 0.8 => {
            format!("unknown style `{name}` (did you mean `{n}`?)")
        }
        _ => format!("unknown style `{name}`"),
    }
}

fn article(type_name: &str) -> String {
    match type_name {
        "integer" | "array" => format!("an {type_name}"),
        other => format!("a {other}"),
    }
}

/// A style from `{ fg = ..., bold = true }` or a bare colour (the
/// foreground). Errors carry a byte offset.
fn parse_style(name: &str, value: &Spanned<DeValue<'_>>) -> Result<Style, (usize, String)> {
    match value.get_ref() {
        DeValue::String(s) => Ok(Style::new().fg(parse_color(name, "fg", s, value.span().start)?)),
        DeValue::Table(table) => {
            let mut style = Style::new();
            let mut entries: Vec<_> = table.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            for (k, v) in entries {
                let attr: &str = k.get_ref();
                let offset = v.span().start;
                match attr {
                    "fg" | "bg" => {
                        let DeValue::String(s) = v.get_ref() else {
                            return Err((
                                offset,
                                format!(
                                    "`{name}.{attr}` must be a colour string, not {}",
                                    article(v.get_ref().type_str())
                                ),
                            ));
                        };
                        let color = parse_color(name, attr, s, offset)?;
                        style = if attr == "fg" {
                            style.fg(color)
                        } else {
                            style.bg(color)
                        };
                    }
                    "bold" | "dim" | "italic" | "underlined" | "reversed" => {
                        let Some(on) = v.get_ref().as_bool() else {
                            return Err((
                                offset,
                                format!(
                                    "`{name}.{attr}` must be true or false, not {}",
                                    article(v.get_ref().type_str())
                                ),
                            ));
                        };
                        let modifier = match attr {
                            "bold" => Modifier::BOLD,
                            "dim" => Modifier::DIM,
                            "italic" => Modifier::ITALIC,
                            "underlined" => Modifier::UNDERLINED,
                            _ => Modifier::REVERSED,
                        };
                        style = if on {
                            style.add_modifier(modifier)
                        } else {
                            style.remove_modifier(modifier)
                        };
                    }
                    _ => {
                        return Err((
                            k.span().start,
                            format!(
                                "unknown attribute `{attr}` in `{name}` (expected {ATTRIBUTES})"
                            ),
                        ));
                    }
                }
            }
            Ok(style)
        }
        other => Err((
            value.span().start,
            format!(
                "`{name}` must be a style like {{ fg = \"black\", bg = \"cyan\" }} or a colour, not {}",
                article(other.type_str())
            ),
        )),
    }
}

fn parse_color(name: &str, attr: &str, s: &str, offset: usize) -> Result<Color, (usize, String)> {
    Color::from_str(s).map_err(|_| {
        (
            offset,
            format!(
                "unknown colour \"{s}\" for `{name}.{attr}` (use a name like \"red\" or \"dark_gray\", an index 0-255, or \"#rrggbb\")"
            ),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_style_names() -> HashSet<String> {
        STYLES
            .iter()
            .map(|(n, _)| n.to_string())
            .chain(SEVERITY.iter().map(|(n, _)| format!("severity.{n}")))
            .chain(SIGNATURE.iter().map(|(n, _)| format!("signature.{n}")))
            .chain(CHART.iter().map(|(n, _)| format!("chart.{n}")))
            .collect()
    }

    #[test]
    fn bundled_themes_parse_and_are_complete() {
        for (name, text) in BUNDLED {
            let origin = format!("themes/{name}.toml (built in)");
            let doc = parse_doc(text, &origin).unwrap();
            assert!(
                doc.get_ref().get("inherits").is_none(),
                "{name} must stand alone"
            );
            let (theme, set) = apply(&doc, text, &origin, Theme::blank(name)).unwrap();
            assert_eq!(set, all_style_names(), "{name} must set every style");
            assert_eq!(theme.name, *name);
            // The cursor must be visible against ordinary rows.
            assert_ne!(theme.cursor_row, theme.normal, "{name}");
            assert_ne!(theme.cursor_cell, theme.cursor_row, "{name}");
            assert_ne!(theme.selection, theme.normal, "{name}");
        }
        assert_eq!(Theme::bundled_names(), ["dark", "light", "high-contrast"]);
        assert_eq!(Theme::default().name, "dark");
    }

    #[test]
    fn load_bundled_without_user_dir() {
        let t = Theme::load("light", None).unwrap();
        assert_eq!(t, Theme::bundled("light").unwrap());
        assert_eq!(
            Theme::load("solarized", None),
            Err("unknown theme \"solarized\" (built in: dark, light, high-contrast)".into())
        );
        assert_eq!(
            Theme::load("../etc/passwd", None),
            Err("invalid theme name \"../etc/passwd\": use letters, digits, '-' and '_'".into())
        );
    }

    #[test]
    fn user_theme_overrides_bundled_and_inherits_the_rest() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("dark.toml"),
            "header = { fg = \"#102030\", bg = \"17\", bold = true, italic = false }\nerror = \"light_red\"\n\n[severity.high]\nfg = \"magenta\"\nreversed = true\n",
        )
        .unwrap();
        let t = Theme::load("dark", Some(dir.path())).unwrap();
        let builtin = Theme::bundled("dark").unwrap();
        assert_eq!(
            t.header,
            Style::new()
                .fg(Color::Rgb(0x10, 0x20, 0x30))
                .bg(Color::Indexed(17))
                .add_modifier(Modifier::BOLD)
                .remove_modifier(Modifier::ITALIC)
        );
        assert_eq!(t.error, Style::new().fg(Color::LightRed));
        assert_eq!(
            t.severity.high,
            Style::new()
                .fg(Color::Magenta)
                .add_modifier(Modifier::REVERSED)
        );
        assert_eq!(t.severity.low, builtin.severity.low);
        assert_eq!(t.cursor_row, builtin.cursor_row);
        // Other built-ins are untouched.
        assert_eq!(
            Theme::load("light", Some(dir.path())).unwrap(),
            Theme::bundled("light").unwrap()
        );
    }

    #[test]
    fn user_theme_with_new_name_and_inherits() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(
            dir.path().join("mine.toml"),
            "inherits = \"light\"\ndim = \"gray\"\n",
        )
        .unwrap();
        fs::write(
            dir.path().join("mine2.toml"),
            "inherits = \"mine\"\nborder = \"red\"\n",
        )
        .unwrap();
        fs::write(dir.path().join("plain.toml"), "border = \"red\"\n").unwrap();
        let light = Theme::bundled("light").unwrap();
        let dark = Theme::bundled("dark").unwrap();
        let mine = Theme::load("mine", Some(dir.path())).unwrap();
        assert_eq!(mine.name, "mine");
        assert_eq!(mine.dim, Style::new().fg(Color::Gray));
        assert_eq!(mine.header, light.header);
        let mine2 = Theme::load("mine2", Some(dir.path())).unwrap();
        assert_eq!(mine2.dim, Style::new().fg(Color::Gray));
        assert_eq!(mine2.border, Style::new().fg(Color::Red));
        assert_eq!(mine2.header, light.header);
        // No `inherits` and no built-in of that name: dark.
        let plain = Theme::load("plain", Some(dir.path())).unwrap();
        assert_eq!(plain.header, dark.header);
    }

    #[test]
    fn inheritance_loops_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join("a.toml"), "inherits = \"b\"\n").unwrap();
        fs::write(dir.path().join("b.toml"), "inherits = \"a\"\n").unwrap();
        assert_eq!(
            Theme::load("a", Some(dir.path())),
            Err("themes inherit in a loop: a -> b -> a".into())
        );
    }

    #[test]
    fn unknown_theme_with_user_dir_says_where_to_put_it() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(
            Theme::load("nord", Some(dir.path())),
            Err(format!(
                "unknown theme \"nord\" (built in: dark, light, high-contrast; or create {})",
                dir.path().join("nord.toml").display()
            ))
        );
    }

    #[test]
    fn error_messages_name_file_line_and_column() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bad.toml");
        let p = path.display().to_string();
        let cases: &[(&str, String)] = &[
            (
                "header = \"black\"\nhedaer = \"red\"\n",
                format!("{p}:2:1: unknown style `hedaer` (did you mean `header`?)"),
            ),
            (
                "header = { fg = \"purpel\" }\n",
                format!(
                    "{p}:1:17: unknown colour \"purpel\" for `header.fg` (use a name like \"red\" or \"dark_gray\", an index 0-255, or \"#rrggbb\")"
                ),
            ),
            (
                "header = { blod = true }\n",
                format!(
                    "{p}:1:12: unknown attribute `blod` in `header` (expected fg, bg, bold, dim, italic, underlined, reversed)"
                ),
            ),
            (
                "header = { bold = \"yes\" }\n",
                format!("{p}:1:19: `header.bold` must be true or false, not a string"),
            ),
            (
                "header = 3\n",
                format!(
                    "{p}:1:10: `header` must be a style like {{ fg = \"black\", bg = \"cyan\" }} or a colour, not an integer"
                ),
            ),
            (
                "[severity.critical]\nfg = \"red\"\n",
                format!(
                    "{p}:1:11: unknown style `severity.critical` (expected one of: informational, low, medium, high)"
                ),
            ),
            (
                "severity = \"red\"\n",
                format!("{p}:1:12: `severity` must be a table of styles, not a string"),
            ),
            (
                "inherits = 1\n",
                format!("{p}:1:12: `inherits` must be a theme name, not an integer"),
            ),
            (
                "inherits = \"nope\"\n",
                format!(
                    "{p}:1:12: unknown theme \"nope\" (built in: dark, light, high-contrast; or create {})",
                    dir.path().join("nope.toml").display()
                ),
            ),
            (
                "header = {\n",
                format!("{p}:1:11: unclosed inline table, expected `}}`"),
            ),
        ];
        for (text, msg) in cases {
            fs::write(&path, text).unwrap();
            assert_eq!(
                Theme::load("bad", Some(dir.path())),
                Err(msg.clone()),
                "{text}"
            );
        }
    }

    #[test]
    fn severity_lookup() {
        let t = Theme::default();
        assert_eq!(t.severity_style("High"), t.severity.high);
        assert_eq!(t.severity_style("info"), t.severity.informational);
        assert_eq!(t.severity_style("Informational"), t.severity.informational);
        assert_eq!(t.severity_style("critical"), t.normal);
    }
}
