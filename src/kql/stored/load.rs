//! Finding and reading the functions files: the one loader every path
//! that runs queries uses.
//!
//! Each folder is a database script run in order: its `*.kql` files by
//! name, each file's commands top to bottom, with Kusto's rules
//! (`.create` of an existing function is an error unless `ifnotexists`,
//! `.alter` of a missing one is an error, `.create-or-alter` always
//! applies). Between folders the first wins: the data folders' before the
//! config directory's, with a warning naming both definitions.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::definition::{self, Verb};
use super::{DefinitionError, StoredFunction, StoredFunctions};
use crate::kql::error::{QueryError, line_col};
use crate::kql::run::{Binding, Scope};

/// The config directory's folder of functions files
/// (`~/.config/quarry/functions` on Linux).
pub fn config_folder() -> Option<PathBuf> {
    crate::places::config_file("functions")
}

/// The folders to read, first wins: `functions/` in each data folder (a
/// folder given, or the folder of a file given), then `config`.
pub fn folders(data_paths: &[String], config: Option<PathBuf>) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = crate::data::source::data_folders(data_paths)
        .into_iter()
        .map(|d| d.join("functions"))
        .collect();
    out.extend(config);
    out.dedup();
    out
}

/// Reads the functions files of `folders` (those that exist), first
/// folder first. Nothing here fails: a file or definition that cannot be
/// read is a warning, and the others still load.
pub fn load(folders: &[PathBuf]) -> StoredFunctions {
    let mut all = StoredFunctions::default();
    for folder in folders {
        let (defined, warnings, broken) = read_folder(folder);
        let before = all.warnings.len();
        all.warnings.extend(warnings);
        for (name, i) in broken {
            all.broken.entry(name).or_insert(before + i);
        }
        for f in defined.into_values() {
            match all.get(&f.name) {
                Some(first) => {
                    let message = format!(
                        "stored function '{}' is not used: {}:{} defines it too and comes first (data folders come before the config folder)",
                        f.name,
                        first.path.display(),
                        first.line
                    );
                    all.warnings.push(DefinitionError {
                        path: f.path.clone(),
                        line: Some(f.line),
                        message,
                        caret: None,
                    });
                }
                None => all.insert(f),
            }
        }
    }
    all
}

/// What one folder defines: its functions by name, its warnings, and the
/// functions whose definition failed, with their warning's index.
type Folder = (
    BTreeMap<String, StoredFunction>,
    Vec<DefinitionError>,
    Vec<(String, usize)>,
);

/// One folder's functions, warnings, and failed definitions.
fn read_folder(folder: &Path) -> Folder {
    let mut defined: BTreeMap<String, StoredFunction> = BTreeMap::new();
    let mut warnings = Vec::new();
    let mut broken = Vec::new();
    let entries = match std::fs::read_dir(folder) {
        Ok(entries) => entries,
        // No such folder is the usual case: nothing to say.
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return (defined, warnings, broken),
        Err(e) => {
            warnings.push(DefinitionError::file(folder.to_path_buf(), e.to_string()));
            return (defined, warnings, broken);
        }
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x.eq_ignore_ascii_case("kql")))
        .collect();
    files.sort();
    for path in files {
        let text: Arc<str> = match std::fs::read(&path) {
            Ok(bytes) => match String::from_utf8(bytes) {
                Ok(t) => t.trim_start_matches('\u{feff}').into(),
                Err(e) => {
                    let at = e.utf8_error().valid_up_to();
                    let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
                    warnings.push(DefinitionError {
                        line: Some(line),
                        ..DefinitionError::file(
                            path,
                            "this line is not UTF-8 text: save the file as UTF-8",
                        )
                    });
                    continue;
                }
            },
            Err(e) => {
                warnings.push(DefinitionError::file(path, e.to_string()));
                continue;
            }
        };
        let (commands, errors, names) = definition::read(&text);
        for (e, name) in errors.iter().zip(names) {
            if let Some(name) = name {
                broken.push((name, warnings.len()));
            }
            warnings.push(DefinitionError::at(path.clone(), &text, e));
        }
        for c in commands {
            let line = line_col(&text, c.start).0;
            let exists = defined.get(&c.name);
            let refused = match (c.verb, exists) {
                (
                    Verb::Create {
                        if_not_exists: true,
                    },
                    Some(_),
                ) => continue,
                (Verb::Create { .. }, Some(first)) => Some(format!(
                    "function '{}' already exists ({}:{}): .create function does not replace one; use .create-or-alter function",
                    c.name,
                    first.path.display(),
                    first.line
                )),
                (Verb::Alter, None) => Some(format!(
                    "there is no function '{}' to alter in this folder: .alter function changes one created before it (files are read in name order); use .create-or-alter function",
                    c.name
                )),
                _ => None,
            };
            if let Some(message) = refused {
                if c.verb == Verb::Alter {
                    broken.push((c.name.clone(), warnings.len()));
                }
                let span = crate::kql::ast::Span::new(c.start, c.start + 1);
                let e = QueryError::syntax(message, span);
                warnings.push(DefinitionError::at(path.clone(), &text, &e));
                continue;
            }
            let function = Arc::new(c.function);
            defined.insert(
                c.name.clone(),
                StoredFunction {
                    name: c.name,
                    params: c.params,
                    docstring: c.docstring,
                    folder: c.folder,
                    path: path.clone(),
                    line,
                    binding: Binding::Function(Arc::clone(&function), Scope::default()),
                    function,
                    text: Arc::clone(&text),
                },
            );
        }
    }
    (defined, warnings, broken)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn a_folder_is_a_script_in_file_order() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("functions");
        write(&f, "a.kql", ".create function A() { print 1 }\n");
        write(
            &f,
            "b.kql",
            ".create function A() { print 2 }\n.create function ifnotexists A() { print 3 }\n.alter function Z() { print 4 }\n.create-or-alter function B() { print 5 }\n",
        );
        write(&f, "notes.txt", "not a definition");
        let all = load(std::slice::from_ref(&f));
        assert_eq!(all.names().collect::<Vec<_>>(), ["A", "B"]);
        assert_eq!(all.get("A").map(|a| a.path.ends_with("a.kql")), Some(true));
        let shown: Vec<String> = all.warnings.iter().map(|w| w.to_string()).collect();
        let b = f.join("b.kql");
        assert_eq!(
            shown,
            [
                format!(
                    "{}:1: function 'A' already exists ({}:1): .create function does not replace one; use .create-or-alter function",
                    b.display(),
                    f.join("a.kql").display()
                ),
                format!(
                    "{}:3: there is no function 'Z' to alter in this folder: .alter function changes one created before it (files are read in name order); use .create-or-alter function",
                    b.display()
                ),
            ]
        );
    }

    #[test]
    fn the_first_folder_wins_with_a_warning() {
        let data = tempfile::tempdir().unwrap();
        let config = tempfile::tempdir().unwrap();
        write(
            &data.path().join("functions"),
            "f.kql",
            ".create function F() { print from = 'data' }",
        );
        write(
            config.path(),
            "f.kql",
            "\n.create function F() { print from = 'config' }\n.create function G() { print 1 }",
        );
        let dirs = folders(
            &[data.path().to_string_lossy().into_owned()],
            Some(config.path().to_path_buf()),
        );
        assert_eq!(dirs[0], data.path().join("functions"));
        let all = load(&dirs);
        assert_eq!(all.names().collect::<Vec<_>>(), ["F", "G"]);
        assert!(all.get("F").unwrap().path.starts_with(data.path()));
        assert_eq!(all.warnings.len(), 1);
        assert_eq!(
            all.warnings[0].to_string(),
            format!(
                "{}:2: stored function 'F' is not used: {}:1 defines it too and comes first (data folders come before the config folder)",
                config.path().join("f.kql").display(),
                data.path().join("functions/f.kql").display()
            )
        );
    }

    #[test]
    fn unreadable_files_are_warnings() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("latin1.kql");
        std::fs::write(&path, b"// ok\n// caf\xe9\n").unwrap();
        let all = load(&[dir.path().to_path_buf()]);
        assert!(all.is_empty());
        assert_eq!(
            all.warnings[0].render(),
            format!(
                "{}:2: this line is not UTF-8 text: save the file as UTF-8",
                path.display()
            )
        );
    }
}
