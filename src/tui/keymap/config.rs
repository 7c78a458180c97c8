//! The analyst's `keymap.toml`, merged over the defaults: parsed with
//! the position of every key, so each error names the file, line and
//! column, and a key bound twice in one view names both lines.

use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::{Entry, KeyChord, Keymap};
use crate::text::line_col;
use crate::tui::action::{Action, Context};

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
    use ratatui::crossterm::event::{KeyCode, KeyModifiers};

    use super::*;
    use crate::tui::keymap::testing::{ch, key, parse};

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
}
