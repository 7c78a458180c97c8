//! The built-in bindings: the keys of every action, the few that differ
//! in one view, and the commented `keymap.toml` that spells them out.

use super::{Entry, Keymap};
use crate::tui::action::{Action, Context};

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
    (Action::NextResult, &["]"]),
    (Action::PrevResult, &["["]),
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

impl Keymap {
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

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

    use super::*;
    use crate::tui::keymap::testing::{ch, key, parse};

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
