//! The one table from keys to [`Action`]s.
//!
//! The defaults live in [`DEFAULT_KEYS`] and [`CONTEXT_KEYS`]. A user's
//! `keymap.toml` (in the platform config directory, see
//! [`Keymap::default_path`]) is merged over them. The help screen
//! ([`Keymap::bindings`], [`Keymap::help_lines`]) and the hints bar
//! ([`Keymap::hints`]) read the merged table, so they always show the keys
//! that actually work.
//!
//! The parts: `chord` (one key and its syntax), `defaults` (the built-in
//! table), `config` (reading `keymap.toml`), `help` (the help screen and
//! the hints bar); this file holds the table and the lookup.
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

use ratatui::crossterm::event::KeyEvent;

use super::action::{Action, Context};

mod chord;
mod config;
mod defaults;
mod help;

pub use chord::KeyChord;
pub use defaults::{CONTEXT_KEYS, DEFAULT_KEYS};
pub use help::{HelpEntry, HelpKey};

/// One binding: in `context`, `key` does `action`.
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

impl Keymap {
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
}

/// Helpers the tests of every part of the keymap share.
#[cfg(test)]
mod testing {
    use std::path::Path;

    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::Keymap;

    pub(super) fn key(code: KeyCode, modifiers: KeyModifiers) -> KeyEvent {
        KeyEvent::new(code, modifiers)
    }

    pub(super) fn ch(c: char) -> KeyEvent {
        key(KeyCode::Char(c), KeyModifiers::NONE)
    }

    pub(super) fn parse(text: &str) -> Result<Keymap, String> {
        Keymap::from_toml(text, Path::new("/cfg/keymap.toml"))
    }
}

#[cfg(test)]
mod tests {
    use ratatui::crossterm::event::{KeyCode, KeyEventKind, KeyEventState, KeyModifiers};

    use super::testing::{ch, key};
    use super::*;

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
}
