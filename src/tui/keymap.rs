//! The one table from keys to [`Action`]s.
//!
//! The defaults live in [`DEFAULT_KEYS`] and [`CONTEXT_KEYS`]. A user's
//! `keymap.toml` (in the platform config directory, see
//! [`Keymap::default_path`]) is merged over them. The help screen
//! ([`Keymap::bindings`], [`Keymap::help_lines`]) and the hints bar
//! ([`Keymap::hints`]) read the merged table, so they always show the keys
//! that actually work.
//!
//! # `keymap.toml`
//!
//! ```toml
//! # Top level: replaces the action's keys in every view where it applies.
//! frequency = "F"
//! move_down = ["j", "down", "ctrl+n"]
//! export = []                      # unbind
//!
//! # A section replaces the keys in that view only: home, table, rules, help.
//! [rules]
//! run_all_rules = ["r", "ctrl+r"]
//! ```
//!
//! Binding a key takes it away from whatever the defaults gave it to in the
//! same view; binding one key to two actions in the same view is an error.
//!
//! # Key syntax
//!
//! `[ctrl+][alt+][shift+]KEY`, where KEY is one character (`G`, `/`, `-`,
//! `+`) or a name: `enter`, `esc`, `tab`, `backtab`, `backspace`, `delete`,
//! `insert`, `home`, `end`, `pgup`, `pgdn`, `up`, `down`, `left`, `right`,
//! `space`, `f1`…`f24`. Names and modifiers are case-insensitive; single
//! characters are not (`g` and `G` differ). `shift+g` is the same as `G`, and
//! `shift+tab` the same as `backtab`. Shift with a symbol is refused: the
//! terminal sends the shifted symbol itself (`!`, not `shift+1`). With ctrl,
//! letters are case-blind (`ctrl+D` is `ctrl+d`), as they are on the wire.

use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyEventKind, KeyModifiers};
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::action::{Action, Context, HelpGroup};
use crate::text::line_col;

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

/// Default keys, bound in every context where the action applies
/// ([`Action::contexts`]). The first key of each is the one the hints bar
/// shows.
pub const DEFAULT_KEYS: &[(Action, &[&str])] = &[
    (Action::MoveUp, &["k", "up"]),
    (Action::MoveDown, &["j", "down"]),
    (Action::MoveLeft, &["h", "left"]),
    (Action::MoveRight, &["l", "right"]),
    (Action::NextColumn, &["tab", "w"]),
    (Action::PrevColumn, &["shift+tab", "b"]),
    (Action::PageUp, &["pgup"]),
    (Action::PageDown, &["pgdn"]),
    (Action::HalfPageUp, &["ctrl+u"]),
    (Action::HalfPageDown, &["ctrl+d"]),
    (Action::FirstRow, &["g", "home"]),
    (Action::LastRow, &["G", "end"]),
    (Action::Search, &["/"]),
    (Action::EditPipeline, &[":"]),
    (Action::FilterKeep, &["f"]),
    (Action::FilterExclude, &["x"]),
    (Action::Frequency, &["F"]),
    (Action::Sort, &["s"]),
    (Action::DrillIn, &["enter"]),
    (Action::Back, &["q", "esc"]),
    (Action::ExpandPipeline, &["v"]),
    (Action::Timeline, &["t"]),
    (Action::MarkColumn, &["m"]),
    (Action::HideColumn, &["-"]),
    (Action::ToggleSelect, &["space"]),
    (Action::SelectAll, &["a"]),
    (Action::ClearSelection, &["u"]),
    (Action::Export, &["e"]),
    (Action::CopyPipeline, &["y"]),
    (Action::CopyCell, &["Y"]),
    (Action::ToggleChart, &["c"]),
    (Action::ExportChart, &["E"]),
    (Action::PullTable, &["P"]),
    (Action::OpenRules, &["R"]),
    (Action::RunRule, &["enter"]),
    (Action::RunAllRules, &["A"]),
    (Action::GroupByTactic, &["T"]),
    (Action::PivotConnections, &["1"]),
    (Action::PivotProcessEvents, &["2"]),
    (Action::PivotDeviceActivity, &["3"]),
    (Action::PivotUrl, &["4"]),
    (Action::PivotAccount, &["5"]),
    (Action::ToggleDetail, &["p"]),
    (Action::ShowHelp, &["?"]),
    (Action::Cancel, &["ctrl+c"]),
    (Action::Quit, &["Q", "ctrl+q"]),
];

/// Per-context defaults that replace [`DEFAULT_KEYS`] for one action in one
/// context, like a section in `keymap.toml`.
pub const CONTEXT_KEYS: &[(Context, Action, &[&str])] =
    &[(Context::Rules, Action::RunAllRules, &["r", "A"])];

/// Hints bar contents per context, most important first (the bar is cut at
/// the terminal's width).
const HINTS: &[(Context, &[Action])] = &[
    (
        Context::Home,
        &[
            Action::ShowHelp,
            Action::DrillIn,
            Action::Search,
            Action::EditPipeline,
            Action::OpenRules,
            Action::RunAllRules,
            Action::Quit,
        ],
    ),
    (
        Context::Table,
        &[
            Action::ShowHelp,
            Action::Back,
            Action::DrillIn,
            Action::FilterKeep,
            Action::ToggleChart,
            Action::ExportChart,
            Action::FilterExclude,
            Action::Frequency,
            Action::Sort,
            Action::Timeline,
            Action::Search,
            Action::EditPipeline,
            Action::ToggleDetail,
            Action::Export,
            Action::PullTable,
            Action::Quit,
        ],
    ),
    (
        Context::Rules,
        &[
            Action::ShowHelp,
            Action::Back,
            Action::RunRule,
            Action::RunAllRules,
            Action::GroupByTactic,
            Action::ToggleDetail,
            Action::CopyPipeline,
            Action::Quit,
        ],
    ),
    (Context::Help, &[Action::Back, Action::Quit]),
];

/// Hints while a prompt is open: the line editor's keys, which are fixed.
const PROMPT_HINTS: &[(&str, &str)] = &[
    ("enter", "run"),
    ("esc", "cancel"),
    ("up/down", "history"),
    ("ctrl+w", "delete word"),
    ("ctrl+u", "clear"),
];

#[derive(Clone, Debug, PartialEq, Eq)]
struct Entry {
    context: Context,
    key: KeyChord,
    action: Action,
}

/// Keys to actions, per context. Build with [`Keymap::default`] or
/// [`Keymap::load`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    /// In binding order: an action's keys are listed in the order they were
    /// bound, so the first one is its primary key.
    entries: Vec<Entry>,
}

/// One action on the help screen, with every key bound to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpEntry {
    /// Section of the help screen.
    pub group: HelpGroup,
    /// The action.
    pub action: Action,
    /// Its keys, primary first; empty when the user unbound it.
    pub keys: Vec<HelpKey>,
}

/// A key on the help screen, and the views where it works if that is not
/// every view the action applies in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HelpKey {
    /// The key.
    pub key: KeyChord,
    /// Empty when the key works wherever the action does; otherwise the
    /// contexts where it does.
    pub only_in: Vec<Context>,
}

impl HelpEntry {
    /// The keys as one label: `j, down`, `A, r (rules)`, or `unbound`.
    pub fn keys_label(&self) -> String {
        if self.keys.is_empty() {
            return "unbound".into();
        }
        let parts: Vec<String> = self
            .keys
            .iter()
            .map(|k| {
                if k.only_in.is_empty() {
                    k.key.to_string()
                } else {
                    let views: Vec<&str> = k.only_in.iter().map(|c| c.name()).collect();
                    format!("{} ({})", k.key, views.join(", "))
                }
            })
            .collect();
        parts.join(", ")
    }
}

impl Default for Keymap {
    /// The built-in bindings.
    fn default() -> Keymap {
        let mut entries = Vec::new();
        for (action, keys) in DEFAULT_KEYS {
            for &context in action.contexts() {
                let keys = CONTEXT_KEYS
                    .iter()
                    .find(|(c, a, _)| *c == context && a == action)
                    .map_or(*keys, |(_, _, k)| *k);
                for key in keys {
                    let key = key.parse().expect("default keys are valid");
                    entries.push(Entry {
                        context,
                        key,
                        action: *action,
                    });
                }
            }
        }
        Keymap { entries }
    }
}

/// Where a user binding came from, for conflict messages.
struct UserMark {
    action: Action,
    line: usize,
}

impl Keymap {
    /// `keymap.toml` in the platform config directory
    /// (`~/.config/quarry/keymap.toml` on Linux), if a home directory is known.
    pub fn default_path() -> Option<PathBuf> {
        crate::places::config_file("keymap.toml")
    }

    /// The defaults with the user's `keymap.toml` at `path` merged over them.
    ///
    /// A missing file is not an error (most users never write one). Every
    /// other problem is, with a message of the form
    /// `PATH:LINE:COLUMN: what is wrong`, so the workbench can refuse to
    /// start with keys the user did not intend.
    pub fn load(path: &Path) -> Result<Keymap, String> {
        match fs::read_to_string(path) {
            Ok(text) => Keymap::from_toml(&text, path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(Keymap::default()),
            Err(e) => Err(format!("cannot read {}: {e}", path.display())),
        }
    }

    /// Like [`Keymap::load`], from text already read; `origin` names the
    /// file in error messages.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Keymap, String> {
        let at = |offset: usize, msg: String| {
            let (line, col) = line_col(text, offset);
            format!("{}:{line}:{col}: {msg}", origin.display())
        };
        let doc = DeTable::parse(text).map_err(|e| {
            let msg = e.message().replace('\n', "; ");
            match e.span() {
                Some(span) => at(span.start, msg),
                None => format!("{}: {msg}", origin.display()),
            }
        })?;

        let mut top: Vec<(&Spanned<std::borrow::Cow<'_, str>>, &Spanned<DeValue<'_>>)> = Vec::new();
        let mut sections = Vec::new();
        for (key, value) in doc.get_ref().iter() {
            match value.get_ref() {
                DeValue::Table(table) => sections.push((key, table)),
                _ => top.push((key, value)),
            }
        }
        // The parsed table is sorted by name; report problems in file order.
        top.sort_by_key(|(k, _)| k.span().start);
        sections.sort_by_key(|(k, _)| k.span().start);

        let mut keymap = Keymap::default();
        let mut marks: HashMap<(Context, KeyChord), UserMark> = HashMap::new();
        let line_of = |offset: usize| line_col(text, offset).0;

        // Top level first, so a section overrides it wherever they appear.
        for (name, value) in top {
            let action = parse_action(name).map_err(|m| at(name.span().start, m))?;
            let keys = parse_keys(action, value).map_err(|(o, m)| at(o, m))?;
            for &context in action.contexts() {
                keymap
                    .assign(context, action, &keys, &mut marks, &line_of)
                    .map_err(|(o, m)| at(o, m))?;
            }
        }
        for (section, table) in sections {
            let context = Context::from_name(section.get_ref()).ok_or_else(|| {
                at(
                    section.span().start,
                    format!(
                        "unknown section [{}] (sections are home, table, rules, help)",
                        section.get_ref()
                    ),
                )
            })?;
            let mut entries: Vec<_> = table.iter().collect();
            entries.sort_by_key(|(k, _)| k.span().start);
            for (name, value) in entries {
                let action = parse_action(name).map_err(|m| at(name.span().start, m))?;
                if !action.available_in(context) {
                    let views: Vec<String> =
                        action.contexts().iter().map(|c| format!("[{c}]")).collect();
                    return Err(at(
                        name.span().start,
                        format!(
                            "`{action}` cannot be bound in [{context}]: it applies in {}",
                            views.join(", ")
                        ),
                    ));
                }
                let keys = parse_keys(action, value).map_err(|(o, m)| at(o, m))?;
                keymap
                    .assign(context, action, &keys, &mut marks, &line_of)
                    .map_err(|(o, m)| at(o, m))?;
            }
        }

        // Without a quit key the only way out would be killing the terminal.
        for &context in Action::Quit.contexts() {
            if keymap.keys(Action::Quit, context).is_empty() {
                return Err(format!(
                    "{}: `quit` has no key left in [{context}]; keep at least one so Quarry can be closed",
                    origin.display()
                ));
            }
        }
        Ok(keymap)
    }

    /// Replaces `action`'s keys in `context` with `keys`, taking each key
    /// away from any default binding. Errors carry a byte offset.
    fn assign(
        &mut self,
        context: Context,
        action: Action,
        keys: &[(KeyChord, usize)],
        marks: &mut HashMap<(Context, KeyChord), UserMark>,
        line_of: &dyn Fn(usize) -> usize,
    ) -> Result<(), (usize, String)> {
        marks.retain(|(c, _), m| !(*c == context && m.action == action));
        self.entries
            .retain(|e| !(e.context == context && e.action == action));
        for &(key, offset) in keys {
            if let Some(other) = marks.get(&(context, key))
                && other.action != action
            {
                return Err((
                    offset,
                    format!(
                        "\"{key}\" is bound to both `{}` (line {}) and `{action}` in [{context}]",
                        other.action, other.line
                    ),
                ));
            }
            self.entries
                .retain(|e| !(e.context == context && e.key == key));
            self.entries.push(Entry {
                context,
                key,
                action,
            });
            marks.insert(
                (context, key),
                UserMark {
                    action,
                    line: line_of(offset),
                },
            );
        }
        Ok(())
    }

    /// The action for a key event in `context`, if any.
    ///
    /// Always `None` in [`Context::Prompt`] (the key belongs to the line
    /// editor) and for key releases.
    pub fn action_for(&self, event: &KeyEvent, context: Context) -> Option<Action> {
        let chord = KeyChord::from_event(event)?;
        self.action_for_chord(chord, context)
    }

    /// The action for an already normalised chord in `context`.
    pub fn action_for_chord(&self, chord: KeyChord, context: Context) -> Option<Action> {
        if context == Context::Prompt {
            return None;
        }
        self.entries
            .iter()
            .find(|e| e.context == context && e.key == chord)
            .map(|e| e.action)
    }

    /// The keys bound to `action` in `context`, primary first.
    pub fn keys(&self, action: Action, context: Context) -> Vec<KeyChord> {
        self.entries
            .iter()
            .filter(|e| e.context == context && e.action == action)
            .map(|e| e.key)
            .collect()
    }

    /// Every action with its keys across all views, in help-screen order
    /// (grouped by [`HelpGroup`], as [`Action::ALL`] is).
    pub fn bindings(&self) -> Vec<HelpEntry> {
        Action::ALL
            .into_iter()
            .map(|action| {
                let contexts = action.contexts();
                let mut keys: Vec<HelpKey> = Vec::new();
                let mut seen: Vec<(KeyChord, Vec<Context>)> = Vec::new();
                for &context in contexts {
                    for key in self.keys(action, context) {
                        match seen.iter_mut().find(|(k, _)| *k == key) {
                            Some((_, cs)) => cs.push(context),
                            None => seen.push((key, vec![context])),
                        }
                    }
                }
                for (key, cs) in seen {
                    let only_in = if cs.len() == contexts.len() {
                        Vec::new()
                    } else {
                        cs
                    };
                    keys.push(HelpKey { key, only_in });
                }
                HelpEntry {
                    group: action.group(),
                    action,
                    keys,
                }
            })
            .collect()
    }

    /// The actions available in `context` with their keys there, in
    /// help-screen order; for a help screen limited to the current view.
    pub fn bindings_for(&self, context: Context) -> Vec<HelpEntry> {
        Action::ALL
            .into_iter()
            .filter(|a| a.available_in(context))
            .map(|action| HelpEntry {
                group: action.group(),
                action,
                keys: self
                    .keys(action, context)
                    .into_iter()
                    .map(|key| HelpKey {
                        key,
                        only_in: Vec::new(),
                    })
                    .collect(),
            })
            .collect()
    }

    /// The help screen as plain lines: a heading per group, then one
    /// `  keys   description` line per action, keys padded to one column, a
    /// blank line between groups.
    pub fn help_lines(&self) -> Vec<String> {
        let entries = self.bindings();
        let labels: Vec<String> = entries.iter().map(HelpEntry::keys_label).collect();
        let width = labels
            .iter()
            .map(|l| crate::text::display_width(l))
            .max()
            .unwrap_or(0);
        let mut lines = Vec::new();
        for group in HelpGroup::ALL {
            if !lines.is_empty() {
                lines.push(String::new());
            }
            lines.push(group.title().to_string());
            for (entry, label) in entries.iter().zip(&labels) {
                if entry.group == group {
                    let pad = width - crate::text::display_width(label);
                    lines.push(format!(
                        "  {label}{}  {}",
                        " ".repeat(pad),
                        entry.action.description()
                    ));
                }
            }
        }
        lines
    }

    /// The hints bar for `context`: (primary key, short label) pairs, most
    /// important first. Unbound actions are left out. In
    /// [`Context::Prompt`] these are the line editor's keys.
    pub fn hints(&self, context: Context) -> Vec<(String, &'static str)> {
        if context == Context::Prompt {
            return PROMPT_HINTS
                .iter()
                .map(|(k, h)| (k.to_string(), *h))
                .collect();
        }
        let actions = HINTS
            .iter()
            .find(|(c, _)| *c == context)
            .map_or(&[][..], |(_, a)| *a);
        actions
            .iter()
            .filter_map(|&a| {
                let key = self.keys(a, context).into_iter().next()?;
                Some((key.to_string(), a.hint()))
            })
            .collect()
    }

    /// A `keymap.toml` that spells out the defaults, commented out, for
    /// users to copy and edit.
    pub fn default_toml() -> String {
        let mut out = String::from(
            "# Quarry key bindings. Uncomment and change what you want.\n\
             # Top-level lines replace an action's keys everywhere it applies;\n\
             # [home], [table], [rules] and [help] sections replace them in one view.\n\
             # An empty list unbinds an action.\n",
        );
        let mut group = None;
        for (action, keys) in DEFAULT_KEYS {
            if group != Some(action.group()) {
                group = Some(action.group());
                out.push_str(&format!("\n# {}\n", action.group().title()));
            }
            let quoted: Vec<String> = keys.iter().map(|k| format!("{k:?}")).collect();
            out.push_str(&format!(
                "# {} = [{}]  # {}\n",
                action.name(),
                quoted.join(", "),
                action.description()
            ));
        }
        for (context, action, keys) in CONTEXT_KEYS {
            let quoted: Vec<String> = keys.iter().map(|k| format!("{k:?}")).collect();
            out.push_str(&format!(
                "\n# [{context}]\n# {} = [{}]\n",
                action.name(),
                quoted.join(", ")
            ));
        }
        out
    }
}

fn parse_action(name: &Spanned<std::borrow::Cow<'_, str>>) -> Result<Action, String> {
    name.get_ref().parse::<Action>()
}

/// The keys of one `action = ...` line, each with its byte offset.
fn parse_keys(
    action: Action,
    value: &Spanned<DeValue<'_>>,
) -> Result<Vec<(KeyChord, usize)>, (usize, String)> {
    let expected = |found: &str| {
        format!(
            "`{action}` must be a key or a list of keys, like \"s\" or [\"s\", \"ctrl+s\"], not {}",
            article(found)
        )
    };
    let one = |v: &Spanned<DeValue<'_>>| -> Result<(KeyChord, usize), (usize, String)> {
        let offset = v.span().start;
        match v.get_ref() {
            DeValue::String(s) => s
                .parse::<KeyChord>()
                .map(|k| (k, offset))
                .map_err(|why| (offset, format!("bad key \"{s}\" for `{action}`: {why}"))),
            other => Err((offset, expected(other.type_str()))),
        }
    };
    let mut keys: Vec<(KeyChord, usize)> = Vec::new();
    match value.get_ref() {
        DeValue::String(_) => keys.push(one(value)?),
        DeValue::Array(items) => {
            for item in items.iter() {
                let (key, offset) = one(item)?;
                if !keys.iter().any(|(k, _)| *k == key) {
                    keys.push((key, offset));
                }
            }
        }
        other => return Err((value.span().start, expected(other.type_str()))),
    }
    Ok(keys)
}

fn article(type_name: &str) -> String {
    match type_name {
        "integer" | "array" => format!("an {type_name}"),
        other => format!("a {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;
    use std::collections::HashSet;

    fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    fn ch(c: char) -> KeyEvent {
        key(KeyCode::Char(c), KeyModifiers::NONE)
    }

    fn parse(text: &str) -> Result<Keymap, String> {
        Keymap::from_toml(text, Path::new("/cfg/keymap.toml"))
    }

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

    #[test]
    fn events_normalise_like_the_config() {
        let km = Keymap::default();
        // Terminals differ on reporting SHIFT with an uppercase letter.
        assert_eq!(
            km.action_for(
                &key(KeyCode::Char('G'), KeyModifiers::SHIFT),
                Context::Table
            ),
            Some(Action::LastRow)
        );
        assert_eq!(
            km.action_for(&ch('G'), Context::Table),
            Some(Action::LastRow)
        );
        assert_eq!(
            km.action_for(&key(KeyCode::BackTab, KeyModifiers::SHIFT), Context::Table),
            Some(Action::PrevColumn)
        );
        assert_eq!(
            km.action_for(&key(KeyCode::Tab, KeyModifiers::SHIFT), Context::Table),
            Some(Action::PrevColumn)
        );
        assert_eq!(
            km.action_for(
                &key(KeyCode::Char('d'), KeyModifiers::CONTROL),
                Context::Table
            ),
            Some(Action::HalfPageDown)
        );
        assert_eq!(
            km.action_for(
                &key(KeyCode::Char('?'), KeyModifiers::SHIFT),
                Context::Table
            ),
            Some(Action::ShowHelp)
        );
        assert_eq!(
            km.action_for(&ch(' '), Context::Table),
            Some(Action::ToggleSelect)
        );
    }

    #[test]
    fn releases_and_prompts_map_to_nothing() {
        let km = Keymap::default();
        let mut release = ch('j');
        release.kind = KeyEventKind::Release;
        assert_eq!(km.action_for(&release, Context::Table), None);
        let mut repeat = ch('j');
        repeat.kind = KeyEventKind::Repeat;
        repeat.state = KeyEventState::NONE;
        assert_eq!(
            km.action_for(&repeat, Context::Table),
            Some(Action::MoveDown)
        );
        assert_eq!(km.action_for(&ch('j'), Context::Prompt), None);
        assert_eq!(
            km.action_for(
                &key(KeyCode::Char('q'), KeyModifiers::CONTROL),
                Context::Prompt
            ),
            None
        );
    }

    #[test]
    fn defaults_follow_the_spec() {
        let km = Keymap::default();
        let t = Context::Table;
        let cases: &[(KeyEvent, Action)] = &[
            (ch('j'), Action::MoveDown),
            (key(KeyCode::Down, KeyModifiers::NONE), Action::MoveDown),
            (ch('k'), Action::MoveUp),
            (ch('h'), Action::MoveLeft),
            (ch('l'), Action::MoveRight),
            (key(KeyCode::PageDown, KeyModifiers::NONE), Action::PageDown),
            (key(KeyCode::PageUp, KeyModifiers::NONE), Action::PageUp),
            (
                key(KeyCode::Char('u'), KeyModifiers::CONTROL),
                Action::HalfPageUp,
            ),
            (ch('g'), Action::FirstRow),
            (key(KeyCode::Tab, KeyModifiers::NONE), Action::NextColumn),
            (ch('w'), Action::NextColumn),
            (ch('b'), Action::PrevColumn),
            (ch('/'), Action::Search),
            (ch(':'), Action::EditPipeline),
            (ch('f'), Action::FilterKeep),
            (ch('x'), Action::FilterExclude),
            (ch('F'), Action::Frequency),
            (ch('m'), Action::MarkColumn),
            (ch('s'), Action::Sort),
            (ch('-'), Action::HideColumn),
            (key(KeyCode::Enter, KeyModifiers::NONE), Action::DrillIn),
            (ch('q'), Action::Back),
            (key(KeyCode::Esc, KeyModifiers::NONE), Action::Back),
            (ch('Q'), Action::Quit),
            (key(KeyCode::Char('q'), KeyModifiers::CONTROL), Action::Quit),
            (
                key(KeyCode::Char('c'), KeyModifiers::CONTROL),
                Action::Cancel,
            ),
            (ch('a'), Action::SelectAll),
            (ch('u'), Action::ClearSelection),
            (ch('e'), Action::Export),
            (ch('y'), Action::CopyPipeline),
            (ch('Y'), Action::CopyCell),
            (ch('?'), Action::ShowHelp),
            (ch('R'), Action::OpenRules),
            (ch('p'), Action::ToggleDetail),
            (ch('A'), Action::RunAllRules),
            (ch('1'), Action::PivotConnections),
            (ch('2'), Action::PivotProcessEvents),
            (ch('3'), Action::PivotDeviceActivity),
            (ch('4'), Action::PivotUrl),
            (ch('5'), Action::PivotAccount),
        ];
        for (event, action) in cases {
            assert_eq!(km.action_for(event, t), Some(*action), "{event:?}");
        }
        let r = Context::Rules;
        assert_eq!(km.action_for(&ch('r'), r), Some(Action::RunAllRules));
        assert_eq!(km.action_for(&ch('A'), r), Some(Action::RunAllRules));
        assert_eq!(
            km.action_for(&key(KeyCode::Enter, KeyModifiers::NONE), r),
            Some(Action::RunRule)
        );
        assert_eq!(km.action_for(&ch('r'), t), None);
        assert_eq!(km.action_for(&ch('f'), Context::Home), None);
    }

    #[test]
    fn defaults_cover_every_action_in_every_context_without_clashes() {
        let km = Keymap::default();
        for action in Action::ALL {
            for &context in action.contexts() {
                assert!(
                    !km.keys(action, context).is_empty(),
                    "{action} has no default key in {context}"
                );
            }
        }
        let mut seen = HashSet::new();
        for e in &km.entries {
            assert!(
                seen.insert((e.context, e.key)),
                "{} bound twice in {}",
                e.key,
                e.context
            );
            assert!(e.action.available_in(e.context));
        }
        let listed: HashSet<Action> = DEFAULT_KEYS.iter().map(|(a, _)| *a).collect();
        assert_eq!(listed.len(), Action::ALL.len());
        assert_eq!(DEFAULT_KEYS.len(), Action::ALL.len());
    }

    #[test]
    fn user_bindings_replace_and_steal() {
        let km = parse("frequency = \"ctrl+f\"\nsort = [\"f\", \"S\"]\n").unwrap();
        let t = Context::Table;
        assert_eq!(
            km.keys(Action::Frequency, t),
            vec!["ctrl+f".parse::<KeyChord>().unwrap()]
        );
        assert_eq!(km.action_for(&ch('F'), t), None);
        assert_eq!(km.action_for(&ch('f'), t), Some(Action::Sort));
        assert_eq!(km.action_for(&ch('S'), t), Some(Action::Sort));
        assert_eq!(km.action_for(&ch('s'), t), None);
        // `f` was taken from filter_keep, which is now unbound.
        assert!(km.keys(Action::FilterKeep, t).is_empty());
        // Everything else is untouched.
        assert_eq!(km.action_for(&ch('x'), t), Some(Action::FilterExclude));
    }

    #[test]
    fn sections_override_one_context() {
        let km = parse("run_all_rules = \"ctrl+r\"\n\n[rules]\nrun_all_rules = [\"r\"]\n").unwrap();
        assert_eq!(
            km.action_for(&ch('r'), Context::Rules),
            Some(Action::RunAllRules)
        );
        assert_eq!(km.action_for(&ch('A'), Context::Rules), None);
        let ctrl_r = key(KeyCode::Char('r'), KeyModifiers::CONTROL);
        assert_eq!(km.action_for(&ctrl_r, Context::Rules), None);
        assert_eq!(
            km.action_for(&ctrl_r, Context::Table),
            Some(Action::RunAllRules)
        );
        assert_eq!(km.action_for(&ch('A'), Context::Table), None);
    }

    #[test]
    fn empty_list_unbinds() {
        let km = parse("export = []\n").unwrap();
        assert_eq!(km.action_for(&ch('e'), Context::Table), None);
        let export = km
            .bindings()
            .into_iter()
            .find(|e| e.action == Action::Export)
            .unwrap();
        assert_eq!(export.keys_label(), "unbound");
    }

    #[test]
    fn empty_file_is_the_defaults() {
        assert_eq!(parse("").unwrap(), Keymap::default());
        assert_eq!(parse("# nothing\n\n").unwrap(), Keymap::default());
    }

    #[test]
    fn missing_file_is_the_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let km = Keymap::load(&dir.path().join("keymap.toml")).unwrap();
        assert_eq!(km, Keymap::default());
    }

    #[test]
    fn load_reads_the_file_and_names_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("keymap.toml");
        fs::write(&path, "sort = \"o\"\nfrobnicate = \"z\"\n").unwrap();
        assert_eq!(
            Keymap::load(&path),
            Err(format!(
                "{}:2:1: unknown action `frobnicate`",
                path.display()
            ))
        );
        fs::write(&path, "sort = \"o\"\n").unwrap();
        let km = Keymap::load(&path).unwrap();
        assert_eq!(km.action_for(&ch('o'), Context::Table), Some(Action::Sort));
    }

    #[test]
    fn unreadable_file_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let err = Keymap::load(dir.path()).unwrap_err();
        assert!(
            err.starts_with(&format!("cannot read {}: ", dir.path().display())),
            "{err}"
        );
    }

    #[test]
    fn error_messages() {
        let cases: &[(&str, &str)] = &[
            (
                "sort = \"s\"\nfrequncy = \"F\"\n",
                "/cfg/keymap.toml:2:1: unknown action `frequncy` (did you mean `frequency`?)",
            ),
            (
                "sort = \"ctrl+\"\n",
                "/cfg/keymap.toml:1:8: bad key \"ctrl+\" for `sort`: missing key after \"ctrl+\"",
            ),
            (
                "sort = [\"s\", \"pgdwn\"]\n",
                "/cfg/keymap.toml:1:14: bad key \"pgdwn\" for `sort`: unknown key \"pgdwn\" (did you mean \"pgdn\"?)",
            ),
            (
                "sort = 5\n",
                "/cfg/keymap.toml:1:8: `sort` must be a key or a list of keys, like \"s\" or [\"s\", \"ctrl+s\"], not an integer",
            ),
            (
                "sort = [\"s\", true]\n",
                "/cfg/keymap.toml:1:14: `sort` must be a key or a list of keys, like \"s\" or [\"s\", \"ctrl+s\"], not a boolean",
            ),
            (
                "\n[tabel]\nsort = \"s\"\n",
                "/cfg/keymap.toml:2:2: unknown section [tabel] (sections are home, table, rules, help)",
            ),
            (
                "[home]\nsort = \"s\"\n",
                "/cfg/keymap.toml:2:1: `sort` cannot be bound in [home]: it applies in [table]",
            ),
            (
                "[prompt]\nback = \"esc\"\n",
                "/cfg/keymap.toml:1:2: unknown section [prompt] (sections are home, table, rules, help)",
            ),
            (
                "filter_keep = \"z\"\nfrequency = [\"F\", \"z\"]\n",
                "/cfg/keymap.toml:2:19: \"z\" is bound to both `filter_keep` (line 1) and `frequency` in [table]",
            ),
            (
                "[table]\nsort = \"z\"\n[rules]\nback = \"z\"\n[table]\n",
                "/cfg/keymap.toml:5:2: duplicate key",
            ),
            (
                "quit = []\n",
                "/cfg/keymap.toml: `quit` has no key left in [home]; keep at least one so Quarry can be closed",
            ),
            (
                "back = [\"Q\", \"ctrl+q\"]\n",
                "/cfg/keymap.toml: `quit` has no key left in [home]; keep at least one so Quarry can be closed",
            ),
            (
                "sort = \"s\n",
                "/cfg/keymap.toml:1:10: invalid basic string, expected `\"`",
            ),
        ];
        for (text, msg) in cases {
            assert_eq!(parse(text), Err(msg.to_string()), "{text}");
        }
    }

    #[test]
    fn same_key_in_different_views_is_fine() {
        let km = parse("[table]\nsort = \"z\"\n[rules]\nback = \"z\"\n").unwrap();
        assert_eq!(km.action_for(&ch('z'), Context::Table), Some(Action::Sort));
        assert_eq!(km.action_for(&ch('z'), Context::Rules), Some(Action::Back));
    }

    #[test]
    fn section_overrides_top_level_for_the_same_action() {
        // Top level binds `z` in every view; the [table] section then moves
        // sort to `o` there, which frees `z` in table for another action.
        let km = parse("sort = \"z\"\n[table]\nsort = \"o\"\nfilter_keep = \"z\"\n").unwrap();
        assert_eq!(km.action_for(&ch('o'), Context::Table), Some(Action::Sort));
        assert_eq!(
            km.action_for(&ch('z'), Context::Table),
            Some(Action::FilterKeep)
        );
    }

    #[test]
    fn help_is_generated_from_the_keymap() {
        let km = Keymap::default();
        let entries = km.bindings();
        assert_eq!(entries.len(), Action::ALL.len());
        let label = |a: Action| entries.iter().find(|e| e.action == a).unwrap().keys_label();
        assert_eq!(label(Action::MoveDown), "j, down");
        assert_eq!(label(Action::PrevColumn), "shift+tab, b");
        assert_eq!(label(Action::RunAllRules), "A, r (rules)");
        assert_eq!(label(Action::Quit), "Q, ctrl+q");
        assert_eq!(label(Action::HalfPageDown), "ctrl+d");

        let lines = km.help_lines();
        assert_eq!(lines[0], "Move");
        assert_eq!(lines[1], "  k, up         move up one row");
        assert!(lines.contains(&"  A, r (rules)  run every rule".to_string()));
        assert!(
            lines.contains(
                &"  F             frequency of the current (or marked) columns".to_string()
            )
        );
        for group in HelpGroup::ALL {
            assert!(lines.contains(&group.title().to_string()));
        }
        // One line per action, one heading per group, blank lines between groups.
        assert_eq!(
            lines.len(),
            Action::ALL.len() + 2 * HelpGroup::ALL.len() - 1
        );

        // Rebinding shows up in the help.
        let km = parse("move_down = [\"n\"]\n").unwrap();
        assert!(
            km.help_lines()
                .contains(&"  n             move down one row".to_string())
        );
    }

    #[test]
    fn help_for_one_view() {
        let km = Keymap::default();
        let rules = km.bindings_for(Context::Rules);
        assert!(rules.iter().all(|e| e.action.available_in(Context::Rules)));
        let run_all = rules
            .iter()
            .find(|e| e.action == Action::RunAllRules)
            .unwrap();
        assert_eq!(run_all.keys_label(), "r, A");
        assert!(!rules.iter().any(|e| e.action == Action::FilterKeep));
    }

    #[test]
    fn hints_follow_bindings() {
        let km = Keymap::default();
        let hints = km.hints(Context::Table);
        assert_eq!(
            hints[..4],
            [
                ("?".to_string(), "help"),
                ("q".to_string(), "back"),
                ("enter".to_string(), "open"),
                ("f".to_string(), "keep"),
            ]
        );
        assert_eq!(
            km.hints(Context::Rules)[..4],
            [
                ("?".to_string(), "help"),
                ("q".to_string(), "back"),
                ("enter".to_string(), "run"),
                ("r".to_string(), "run all"),
            ]
        );
        assert_eq!(km.hints(Context::Prompt)[0], ("enter".to_string(), "run"));

        let km = parse("show_help = \"f1\"\nfilter_keep = []\n").unwrap();
        let hints = km.hints(Context::Table);
        assert_eq!(hints[0], ("f1".to_string(), "help"));
        assert!(!hints.iter().any(|(_, h)| *h == "keep"));
    }

    #[test]
    fn default_toml_is_valid_and_complete() {
        let text = Keymap::default_toml();
        // All commented out, so it parses to the defaults...
        assert_eq!(parse(&text).unwrap(), Keymap::default());
        // ...and uncommenting the bindings reproduces them.
        let uncommented: String = text
            .lines()
            .filter_map(|l| l.strip_prefix("# "))
            .filter(|l| l.contains(" = [") || (l.starts_with('[') && l.ends_with(']')))
            .map(|l| format!("{l}\n"))
            .collect();
        assert_eq!(
            parse(&uncommented).unwrap().bindings(),
            Keymap::default().bindings()
        );
        for action in Action::ALL {
            assert!(
                text.contains(&format!("# {} = [", action.name())),
                "{action}"
            );
        }
    }
}
