//! What a load got past and the analyst should know: cells that could not
//! be read as their column's type (loaded as null, as Kusto's ingestion
//! does), and text that was not UTF-8 (read as Windows-1252).
//!
//! Warnings travel with their [`Table`](super::Table), so `quarry tables`,
//! `quarry query` and the workbench show the same text: [`LoadWarning`]'s
//! `Display` is that text, and [`LoadWarning::line`] the same made safe for
//! a terminal.

use std::fmt;
use std::path::PathBuf;

use super::types::KqlType;

/// How many bad cells of one column of one file are kept to show.
pub const SHOWN_CELLS: usize = 3;

/// How many characters of a bad cell's text are kept to show.
const SHOWN_CHARS: usize = 40;

/// Something a load got past that the analyst should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoadWarning {
    /// Cells of one column of one file that could not be read as the
    /// column's type, and are null.
    BadCells(BadCells),
    /// A file whose text is not UTF-8, read as Windows-1252 throughout.
    Windows1252 {
        path: PathBuf,
        /// The first byte that is not UTF-8, and its 1-based line.
        line: usize,
        byte: u8,
    },
}

/// Cells of one column of one file that could not be read as `kind`: each
/// is null in the table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCells {
    pub path: PathBuf,
    pub column: String,
    pub kind: KqlType,
    /// How many cells, in all.
    pub count: usize,
    /// The first few ([`SHOWN_CELLS`]), in file order.
    pub first: Vec<BadCell>,
}

/// One cell that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCell {
    pub place: Place,
    /// The text as found, cut to a few dozen characters ("…" marks a cut).
    pub text: String,
}

/// Where a cell is in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Place {
    /// 1-based line of the text file (CSV, JSON lines): where the cell's
    /// text starts.
    Line(usize),
    /// 1-based row (Parquet).
    Row(usize),
    /// 1-based element of a JSON array.
    Element(usize),
}

impl BadCells {
    /// No bad cells yet, for `column` of `path`.
    pub fn new(path: PathBuf, column: String, kind: KqlType) -> BadCells {
        BadCells {
            path,
            column,
            kind,
            count: 0,
            first: Vec::new(),
        }
    }

    /// Counts one more bad cell, keeping it to show if it is among the
    /// first few.
    pub fn add(&mut self, place: Place, text: &str) {
        self.count += 1;
        if self.first.len() < SHOWN_CELLS {
            self.first.push(BadCell {
                place,
                text: shorten(text),
            });
        }
    }

    /// Adds the cells of a later part of the same column (in file order).
    pub fn absorb(&mut self, later: BadCells) {
        self.count += later.count;
        let room = SHOWN_CELLS.saturating_sub(self.first.len());
        self.first.extend(later.first.into_iter().take(room));
    }
}

/// Adds `more` to the cells of the same file and column in `list`, or to
/// the end of `list` for a column with none yet.
pub(crate) fn merge_bad(list: &mut Vec<BadCells>, more: BadCells) {
    match list
        .iter_mut()
        .find(|b| b.column == more.column && b.path == more.path)
    {
        Some(b) => b.absorb(more),
        None => list.push(more),
    }
}

/// The first [`SHOWN_CHARS`] characters of `text`, "…" marking a cut.
fn shorten(text: &str) -> String {
    match text.char_indices().nth(SHOWN_CHARS) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text.to_string(),
    }
}

/// A count as Quarry writes counts: `1,234`.
fn thousands(n: usize) -> String {
    crate::text::thousands(n as u64)
}

impl LoadWarning {
    /// The warning as one line of text, with control characters (from file
    /// names and cells) shown escaped: ready for a terminal.
    pub fn line(&self) -> String {
        crate::text::escape_for_terminal(&self.to_string()).into_owned()
    }
}

impl fmt::Display for LoadWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LoadWarning::BadCells(b) => b.fmt(f),
            LoadWarning::Windows1252 { path, line, byte } => write!(
                f,
                "text is not UTF-8 and was read as Windows-1252: byte 0x{byte:02X} at {}:{line}",
                path.display()
            ),
        }
    }
}

impl fmt::Display for BadCells {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (cells, verb) = if self.count == 1 {
            ("cell", "is")
        } else {
            ("cells", "are")
        };
        write!(
            f,
            "{} {cells} could not be read and {verb} null: {} ({}) at ",
            thousands(self.count),
            self.column,
            self.kind
        )?;
        let path = self.path.display();
        for (i, cell) in self.first.iter().enumerate() {
            match (i, cell.place) {
                (0, Place::Line(n)) => write!(f, "{path}:{n}")?,
                (0, Place::Row(n)) => write!(f, "{path} row {n}")?,
                (0, Place::Element(n)) => write!(f, "{path} element {n}")?,
                (_, Place::Line(n)) => write!(f, ", line {n}")?,
                (_, Place::Row(n)) => write!(f, ", row {n}")?,
                (_, Place::Element(n)) => write!(f, ", element {n}")?,
            }
            write!(f, " \"{}\"", cell.text)?;
        }
        if self.first.is_empty() {
            write!(f, "{path}")?;
        }
        let more = self.count.saturating_sub(self.first.len());
        if more > 0 {
            write!(f, " and {} more", thousands(more))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_cells_read_as_a_sentence() {
        let mut b = BadCells::new("D.csv".into(), "RemotePort".into(), KqlType::Int);
        b.add(Place::Line(9), "44x3");
        let w = LoadWarning::BadCells(b.clone());
        assert_eq!(
            w.to_string(),
            "1 cell could not be read and is null: RemotePort (int) at D.csv:9 \"44x3\""
        );
        for (line, text) in [(12, "https"), (15, "\u{1b}[31m"), (16, "x")] {
            b.add(Place::Line(line), text);
        }
        let mut later = BadCells::new("D.csv".into(), "RemotePort".into(), KqlType::Int);
        for i in 0..1_230 {
            later.add(Place::Line(100 + i), "y");
        }
        b.absorb(later);
        assert_eq!(
            LoadWarning::BadCells(b).line(),
            "1,234 cells could not be read and are null: RemotePort (int) at D.csv:9 \"44x3\", \
             line 12 \"https\", line 15 \"\\e[31m\" and 1,231 more"
        );
        let mut p = BadCells::new("x.parquet".into(), "T".into(), KqlType::Datetime);
        p.add(Place::Row(3), &"z".repeat(50));
        p.add(Place::Row(4), "");
        assert_eq!(
            p.to_string(),
            format!(
                "2 cells could not be read and are null: T (datetime) at x.parquet row 3 \"{}…\", row 4 \"\"",
                "z".repeat(40)
            )
        );
    }
}
