//! What the screen says besides the rows: which prompt is open, the
//! status bar's message, and an error with the caret under the part of the
//! query it points at.

use std::path::PathBuf;

use crate::kql::QueryError;

/// Which prompt is open.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PromptKind {
    /// `/`: search.
    Search,
    /// `:`: the whole pipeline.
    Pipeline,
    /// `e`: the export file name.
    ExportName,
    /// The export file exists: replace it?
    ConfirmOverwrite(PathBuf),
    /// `P`: the name of the local table a remote view becomes.
    PullName,
}

impl PromptKind {
    /// The text before the input.
    pub fn label(&self) -> String {
        match self {
            PromptKind::Search => "/ ".into(),
            PromptKind::Pipeline => ": ".into(),
            PromptKind::ExportName => "export to: ".into(),
            PromptKind::ConfirmOverwrite(p) => {
                format!("{} exists. Replace it? (y/n) ", p.display())
            }
            PromptKind::PullName => "pull as local table: ".into(),
        }
    }
}

/// A message in the status bar.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Message {
    /// Something done.
    Info(String),
    /// Something that did not work.
    Warning(String),
}

/// An error shown above the view, with the query it points into.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorView {
    /// What went wrong.
    pub message: String,
    /// The query text, when the error points into one.
    pub source: Option<String>,
    /// The character columns (0-based, end exclusive) the caret marks.
    pub caret: Option<(usize, usize)>,
}

impl ErrorView {
    /// A query error against the text it concerns.
    pub fn query(err: &QueryError, source: &str) -> ErrorView {
        let caret = err.span.map(|s| {
            let clamp = |o: usize| {
                let mut o = o.min(source.len());
                while !source.is_char_boundary(o) {
                    o -= 1;
                }
                o
            };
            let (start, end) = (clamp(s.start), clamp(s.end.max(s.start)));
            let a = source[..start].chars().count();
            let b = source[..end].chars().count();
            (a, b.max(a + 1))
        });
        ErrorView {
            message: err.message.clone(),
            source: caret.is_some().then(|| source.to_string()),
            caret,
        }
    }

    /// A plain message.
    pub fn plain(message: impl Into<String>) -> ErrorView {
        ErrorView {
            message: message.into(),
            source: None,
            caret: None,
        }
    }

    /// Lines it takes on screen, `width` columns wide.
    pub fn height(&self, width: u16) -> u16 {
        let width = usize::from(width.saturating_sub(2));
        crate::tui::views::error::lines(self, width).len() as u16
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_carets_count_characters() {
        let src = "T | where é == 1 | nope";
        let at = src.find("nope").unwrap();
        let e = QueryError::syntax("bad", crate::kql::ast::Span::new(at, at + 4));
        let v = ErrorView::query(&e, src);
        assert_eq!(v.caret, Some((19, 23)));
        assert_eq!(v.height(80), 3);
    }
}
