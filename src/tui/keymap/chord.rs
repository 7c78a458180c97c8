//! One key with its modifiers ([`KeyChord`]): normalised so that what the
//! terminal sends and what the analyst writes in `keymap.toml` compare
//! equal, parsed from and printed in `keymap.toml`'s key syntax (see
//! [`crate::tui::keymap`]).

use std::fmt;
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};

/// A key with its modifiers, normalised so that what the terminal sends and
/// what the user writes in `keymap.toml` compare equal.
///
/// Shift is folded into characters (`G`, never `shift+g`) and into
/// [`KeyCode::BackTab`], because terminals disagree on whether they report
/// the modifier as well as the shifted character.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct KeyChord {
    /// The key.
    pub code: KeyCode,
    /// Only `CONTROL`, `ALT` and `SHIFT` are kept.
    pub modifiers: KeyModifiers,
}

/// Named keys accepted in `keymap.toml`: (name, aliases, code). The first
/// name is the one shown.
const NAMED_KEYS: &[(&str, &[&str], KeyCode)] = &[
    ("enter", &["return"], KeyCode::Enter),
    ("esc", &["escape"], KeyCode::Esc),
    ("tab", &[], KeyCode::Tab),
    ("backtab", &[], KeyCode::BackTab),
    ("backspace", &["bs"], KeyCode::Backspace),
    ("delete", &["del"], KeyCode::Delete),
    ("insert", &["ins"], KeyCode::Insert),
    ("home", &[], KeyCode::Home),
    ("end", &[], KeyCode::End),
    ("pgup", &["pageup"], KeyCode::PageUp),
    ("pgdn", &["pagedown"], KeyCode::PageDown),
    ("up", &[], KeyCode::Up),
    ("down", &[], KeyCode::Down),
    ("left", &[], KeyCode::Left),
    ("right", &[], KeyCode::Right),
    ("space", &[], KeyCode::Char(' ')),
];

impl KeyChord {
    /// A chord from parts, normalised (see the type docs).
    pub fn new(code: KeyCode, modifiers: KeyModifiers) -> KeyChord {
        let mut modifiers =
            modifiers & (KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SHIFT);
        let code = match code {
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                let mut upper = c.to_uppercase();
                match (upper.next(), upper.next()) {
                    _ if modifiers.contains(KeyModifiers::CONTROL) => {
                        KeyCode::Char(c.to_ascii_lowercase())
                    }
                    (Some(u), None) => KeyCode::Char(u),
                    _ => KeyCode::Char(c),
                }
            }
            // Legacy terminals cannot tell ctrl+D from ctrl+d (both are 0x04),
            // so they are one chord; `ctrl+D` in a config then still works.
            KeyCode::Char(c) if modifiers.contains(KeyModifiers::CONTROL) => {
                KeyCode::Char(c.to_ascii_lowercase())
            }
            KeyCode::Tab if modifiers.contains(KeyModifiers::SHIFT) => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            KeyCode::BackTab => {
                modifiers.remove(KeyModifiers::SHIFT);
                KeyCode::BackTab
            }
            other => other,
        };
        KeyChord { code, modifiers }
    }

    /// A plain key without modifiers.
    pub fn plain(code: KeyCode) -> KeyChord {
        KeyChord::new(code, KeyModifiers::NONE)
    }

    /// The chord of a key press or repeat; `None` for a key release, which
    /// must not trigger anything twice.
    pub fn from_event(event: &KeyEvent) -> Option<KeyChord> {
        if event.kind == KeyEventKind::Release {
            return None;
        }
        Some(KeyChord::new(event.code, event.modifiers))
    }

    /// The key part of the display form, without modifiers.
    fn key_name(&self) -> String {
        match self.code {
            KeyCode::Char(' ') => "space".into(),
            KeyCode::Char(c) => c.to_string(),
            KeyCode::BackTab => "shift+tab".into(),
            KeyCode::F(n) => format!("f{n}"),
            code => NAMED_KEYS.iter().find(|(_, _, k)| *k == code).map_or_else(
                || format!("{code:?}").to_lowercase(),
                |(n, _, _)| n.to_string(),
            ),
        }
    }
}

impl fmt::Display for KeyChord {
    /// The canonical form, which parses back to the same chord:
    /// `ctrl+d`, `shift+tab`, `G`, `pgdn`, `enter`, `esc`, `space`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.modifiers.contains(KeyModifiers::CONTROL) {
            f.write_str("ctrl+")?;
        }
        if self.modifiers.contains(KeyModifiers::ALT) {
            f.write_str("alt+")?;
        }
        if self.modifiers.contains(KeyModifiers::SHIFT) {
            f.write_str("shift+")?;
        }
        f.write_str(&self.key_name())
    }
}

impl FromStr for KeyChord {
    type Err = String;

    /// Parses the `keymap.toml` key syntax (see the module docs). The error
    /// says what is wrong without repeating the input.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.is_empty() {
            return Err("empty key".into());
        }
        let (mods_part, key_part) = if s.len() > 2 && s.ends_with("++") {
            (&s[..s.len() - 2], "+")
        } else if s == "+" {
            ("", "+")
        } else {
            match s.rfind('+') {
                Some(i) => (&s[..i], &s[i + 1..]),
                None => ("", s),
            }
        };
        let mut modifiers = KeyModifiers::NONE;
        if s.contains('+') && key_part != s {
            for m in mods_part.split('+') {
                modifiers |= match m.to_ascii_lowercase().as_str() {
                    "ctrl" | "control" => KeyModifiers::CONTROL,
                    "alt" | "meta" | "option" => KeyModifiers::ALT,
                    "shift" => KeyModifiers::SHIFT,
                    "" => return Err("empty modifier (write \"ctrl+d\", not \"ctrl++d\")".into()),
                    _ => return Err(format!("unknown modifier \"{m}\" (use ctrl, alt or shift)")),
                };
            }
        }
        if key_part.is_empty() {
            return Err(format!("missing key after \"{mods_part}+\""));
        }
        let mut chars = key_part.chars();
        let code = match (chars.next(), chars.next()) {
            (Some(c), None) => {
                if c.is_control() {
                    return Err("control characters cannot be keys".into());
                }
                if modifiers.contains(KeyModifiers::SHIFT) && !c.is_alphabetic() {
                    return Err(format!(
                        "shift+{c} is not what the terminal sends; write the shifted character itself"
                    ));
                }
                KeyCode::Char(c)
            }
            _ => parse_named(key_part)?,
        };
        Ok(KeyChord::new(code, modifiers))
    }
}

fn parse_named(name: &str) -> Result<KeyCode, String> {
    let lower = name.to_ascii_lowercase();
    for (canonical, aliases, code) in NAMED_KEYS {
        if *canonical == lower || aliases.contains(&lower.as_str()) {
            return Ok(*code);
        }
    }
    if let Some(n) = lower.strip_prefix('f').and_then(|d| d.parse::<u8>().ok())
        && (1..=24).contains(&n)
    {
        return Ok(KeyCode::F(n));
    }
    let best = NAMED_KEYS
        .iter()
        .flat_map(|(n, aliases, _)| std::iter::once(*n).chain(aliases.iter().copied()))
        .map(|n| (strsim::jaro_winkler(&lower, n), n))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    Err(match best {
        Some((score, n)) if score >= 0.8 => {
            format!("unknown key \"{name}\" (did you mean \"{n}\"?)")
        }
        _ => format!("unknown key \"{name}\""),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_syntax_round_trips() {
        for s in [
            "ctrl+d",
            "shift+tab",
            "G",
            "g",
            "pgdn",
            "pgup",
            "enter",
            "esc",
            "space",
            "/",
            ":",
            "-",
            "+",
            "ctrl++",
            "ctrl+-",
            "?",
            "f5",
            "alt+x",
            "ctrl+alt+delete",
            "shift+up",
            "home",
            "end",
            "backspace",
            "1",
            "é",
            "ctrl+shift+tab",
        ] {
            let chord: KeyChord = s.parse().unwrap_or_else(|e| panic!("{s}: {e}"));
            assert_eq!(chord.to_string(), s);
        }
    }

    #[test]
    fn key_aliases_normalise() {
        let same = [
            ("shift+g", "G"),
            ("SHIFT+G", "G"),
            ("Ctrl+D", "ctrl+d"),
            ("ctrl+shift+d", "ctrl+d"),
            ("control+d", "ctrl+d"),
            ("backtab", "shift+tab"),
            ("PageDown", "pgdn"),
            ("return", "enter"),
            ("Escape", "esc"),
            ("del", "delete"),
            (" ", "space"),
            ("meta+x", "alt+x"),
            ("alt+ctrl+x", "ctrl+alt+x"),
        ];
        for (input, canonical) in same {
            let chord: KeyChord = input.parse().unwrap();
            assert_eq!(chord.to_string(), canonical, "{input}");
        }
    }

    #[test]
    fn key_syntax_errors() {
        let cases = [
            ("", "empty key"),
            ("ctrl+", "missing key after \"ctrl+\""),
            ("cmd+d", "unknown modifier \"cmd\" (use ctrl, alt or shift)"),
            (
                "ctrl++d",
                "empty modifier (write \"ctrl+d\", not \"ctrl++d\")",
            ),
            ("pgdwn", "unknown key \"pgdwn\" (did you mean \"pgdn\"?)"),
            ("banana", "unknown key \"banana\""),
            (
                "shift+1",
                "shift+1 is not what the terminal sends; write the shifted character itself",
            ),
            ("f25", "unknown key \"f25\""),
            ("\u{1b}", "control characters cannot be keys"),
        ];
        for (input, msg) in cases {
            assert_eq!(input.parse::<KeyChord>(), Err(msg.to_string()), "{input:?}");
        }
    }
}
