//! What the keymap tells the analyst: the help screen (every action with
//! its keys, by group) and the hints bar of each view.

use super::{KeyChord, Keymap};
use crate::tui::action::{Action, Context, HelpGroup};

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
            Action::NextResult,
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

impl Keymap {
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tui::keymap::testing::parse;

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
}
