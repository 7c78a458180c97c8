//! Stored functions, as Azure Data Explorer keeps them (`.create function`)
//! and Sentinel saves them ("Save as function"): hunters' queries call them
//! by name (`AWSIdentityRole()`, `T | invoke UnifySignInLogs()`,
//! `print IsWorkingTime(now())`).
//!
//! They are read from `.kql` files of management commands in each data
//! folder's `functions/` and the config directory's `functions/`
//! ([`load`]), and reach the runner through
//! [`RunOptions::functions`](super::RunOptions): every path that runs a
//! query (the workbench, `quarry query`, rule runs, `quarry check`) reads
//! them from there. A name resolves to the query's own `let` first, so a
//! `let` shadows a stored function, as in Kusto; a stored function's body
//! sees the tables and the other stored functions, never the caller's
//! `let`s.

mod definition;
mod load;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Arc;

use super::ast::{Function, Span};
use super::error::{ErrorKind, QueryError, line_col};
use super::run::{Binding, Runner};

pub use definition::Verb;
pub use load::{config_folder, folders, load};

/// One stored function and where it was defined.
pub struct StoredFunction {
    /// The name queries call it by.
    pub name: String,
    /// The parameters as written (`T:(*), since:timespan = 1d`).
    pub params: String,
    /// The `docstring` property.
    pub docstring: Option<String>,
    /// The `folder` property (Kusto's category, not a file folder).
    pub folder: Option<String>,
    /// The file that defines it.
    pub path: PathBuf,
    /// The line of its command in that file.
    pub line: usize,
    /// The parameters and body; spans are offsets in `text`.
    pub function: Arc<Function>,
    /// What the runner binds the name to: the function, closed over
    /// nothing (its body sees tables and stored functions only).
    binding: Binding,
    /// The defining file's text, to place errors of the body in it.
    text: Arc<str>,
}

impl StoredFunction {
    /// `Name(params)`, as the function list shows it.
    pub fn signature(&self) -> String {
        format!("{}({})", self.name, self.params)
    }

    /// `path:line:column` of a byte offset of the defining file.
    fn place(&self, offset: usize) -> String {
        let (line, col) = line_col(&self.text, offset);
        format!("{}:{line}:{col}", self.path.display())
    }

    /// An error raised inside the body, told at the call: its message says
    /// where in the definition it arose, and its span is the call's (the
    /// body's spans are positions in the definition file, not the query).
    pub fn error_at_call(&self, e: QueryError, call: Span) -> QueryError {
        if e.kind == ErrorKind::Cancelled {
            return e;
        }
        let place = match e.span {
            Some(s) => self.place(s.start),
            None => format!("{}:{}", self.path.display(), self.line),
        };
        QueryError::new(
            e.kind,
            format!(
                "{} (in stored function '{}' at {place})",
                e.message, self.name
            ),
            Some(call),
        )
    }
}

/// The stored functions a query may call, and what went wrong reading
/// their files.
#[derive(Default)]
pub struct StoredFunctions {
    functions: BTreeMap<String, StoredFunction>,
    /// Definitions that could not be read, and definitions not used
    /// because another folder's of the same name comes first.
    pub warnings: Vec<DefinitionError>,
    /// Functions whose definition could not be read: the index of the
    /// first such warning.
    broken: BTreeMap<String, usize>,
}

impl StoredFunctions {
    /// The function of that name (names are case-sensitive, as in Kusto).
    pub fn get(&self, name: &str) -> Option<&StoredFunction> {
        self.functions.get(name)
    }

    /// What the runner binds `name` to.
    pub fn binding(&self, name: &str) -> Option<&Binding> {
        self.functions.get(name).map(|f| &f.binding)
    }

    /// Why `name`, which no file defines, is missing: its definition
    /// could not be read.
    pub fn unreadable(&self, name: &str) -> Option<&DefinitionError> {
        if self.functions.contains_key(name) {
            return None;
        }
        self.broken.get(name).and_then(|&i| self.warnings.get(i))
    }

    /// The error for a call of `name` when no file defines it but one
    /// tried: "stored function 'X' could not be read: file:line: why".
    pub fn unreadable_error(&self, name: &str, call: Span) -> Option<QueryError> {
        self.unreadable(name).map(|w| {
            QueryError::unknown(
                format!("stored function '{name}' could not be read: {w}"),
                call,
            )
        })
    }

    /// The names, in order.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str)
    }

    /// The functions, in name order.
    pub fn iter(&self) -> impl Iterator<Item = &StoredFunction> {
        self.functions.values()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.functions.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.functions.is_empty()
    }

    /// Adds a function (the loader decides which of several wins).
    fn insert(&mut self, f: StoredFunction) {
        self.functions.insert(f.name.clone(), f);
    }
}

/// A definition that could not be read, or was not used: the file and
/// line, and with [`render`](DefinitionError::render) the line itself with
/// a caret under the place.
#[derive(Debug, Clone, PartialEq)]
pub struct DefinitionError {
    /// The definition file.
    pub path: PathBuf,
    /// 1-based line, when one is to blame.
    pub line: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// The line and caret under it, as query errors show them.
    caret: Option<String>,
}

impl DefinitionError {
    /// An error about the whole file (it cannot be read).
    fn file(path: PathBuf, message: impl Into<String>) -> DefinitionError {
        DefinitionError {
            path,
            line: None,
            message: message.into(),
            caret: None,
        }
    }

    /// An error at a place of the file's `text`.
    fn at(path: PathBuf, text: &str, e: &QueryError) -> DefinitionError {
        let Some(span) = e.span else {
            return DefinitionError::file(path, e.message.clone());
        };
        let (line, col) = line_col(text, span.start);
        // The caret lines of a query error, placed in the file.
        let rendered = e.render(text);
        let caret = rendered
            .lines()
            .skip(1)
            .map(|l| match l.split_once("--> ") {
                Some((pad, _)) => format!("{pad}--> {}:{line}:{col}", path.display()),
                None => l.to_string(),
            })
            .collect::<Vec<_>>()
            .join("\n");
        DefinitionError {
            path,
            line: Some(line),
            message: e.message.clone(),
            caret: Some(caret),
        }
    }

    /// The error with the offending line and a caret under the place:
    ///
    /// ```text
    /// functions/aws.kql:3: expected ':' and a type after the parameter 'x' ...
    ///  --> functions/aws.kql:3:21
    ///   |
    /// 3 | .create function B(x) { print x }
    ///   |                     ^
    /// ```
    pub fn render(&self) -> String {
        match &self.caret {
            Some(c) => format!("{self}\n{c}"),
            None => self.to_string(),
        }
    }
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

impl Runner<'_> {
    /// `result` of running the body of the function `name` called at
    /// `call`: when `name` is a stored function (no `let` shadows it), its
    /// error is told at the call, naming the place in the definition.
    pub(crate) fn in_stored_body<T>(
        &self,
        name: &str,
        call: Span,
        result: Result<T, QueryError>,
    ) -> Result<T, QueryError> {
        match (result, self.scope.stored(name)) {
            (Err(e), Some(f)) => Err(f.error_at_call(e, call)),
            (result, _) => result,
        }
    }
}
