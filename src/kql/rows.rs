//! A query's rows, gathered only when something needs them whole.
//!
//! Filtering or sorting 50 million rows is quick; gathering every column of
//! the rows kept, in their new order, is what takes seconds (44 columns of
//! the network table take half a second each). The workbench shows a
//! screenful of them, so a step's result is held as the rows of a frame
//! it picked, and a view gathers the rows it draws. The next stage gathers
//! only the columns it reads ([`crate::kql::run_rows`]).

use polars::prelude::*;

use super::error::QueryError;
use super::limits::Cancel;
use super::operators::{gather, polars_error};
use super::value::Scalar;
use crate::data::types::KqlType;

/// The rows of a frame: all of them in order, or some of them picked
/// (filtered, ordered) but not gathered.
#[derive(Clone, Debug)]
pub struct Rows {
    frame: DataFrame,
    /// Which rows of `frame`, in order; `None`: all, as they are.
    picks: Option<IdxCa>,
}

impl Default for Rows {
    fn default() -> Self {
        Rows::whole(DataFrame::empty())
    }
}

impl From<DataFrame> for Rows {
    fn from(frame: DataFrame) -> Self {
        Rows::whole(frame)
    }
}

impl Rows {
    /// All the rows of `frame`, as they are.
    pub fn whole(frame: DataFrame) -> Rows {
        Rows { frame, picks: None }
    }

    /// The rows `picks` of `frame`, in that order. `picks` must be in
    /// range (they come from the operators that chose them).
    pub fn picked(frame: DataFrame, picks: IdxCa) -> Rows {
        Rows {
            frame,
            picks: Some(picks.rechunk().into_owned()),
        }
    }

    /// How many rows.
    pub fn height(&self) -> usize {
        match &self.picks {
            Some(p) => p.len(),
            None => self.frame.height(),
        }
    }

    /// How many columns.
    pub fn width(&self) -> usize {
        self.frame.width()
    }

    /// The column names, in order.
    pub fn names(&self) -> Vec<String> {
        self.frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect()
    }

    /// The frame the rows are picked from (every column, every row).
    pub fn source(&self) -> &DataFrame {
        &self.frame
    }

    /// The rows picked from [`Rows::source`], in order; `None` when the
    /// rows are the source's own.
    pub fn picks(&self) -> Option<&IdxCa> {
        self.picks.as_ref()
    }

    /// A frame with the same columns and no rows (for its schema).
    pub fn empty(&self) -> DataFrame {
        self.frame.clear()
    }

    /// The row of the source that row `row` is.
    fn source_row(&self, row: usize) -> Option<usize> {
        match &self.picks {
            // `get` panics past the end.
            Some(p) if row < p.len() => p.get(row).map(|r| r as usize),
            Some(_) => None,
            None => (row < self.frame.height()).then_some(row),
        }
    }

    /// The cell at `row`, `col`, null when out of range.
    pub fn cell(&self, row: usize, col: usize) -> Scalar {
        let Some(c) = self.frame.columns().get(col) else {
            return Scalar::Null(KqlType::String);
        };
        let kind = KqlType::of(c.dtype()).unwrap_or(KqlType::Dynamic);
        match self.source_row(row).map(|r| c.get(r)) {
            Some(Ok(v)) => Scalar::from_any(&v, kind),
            _ => Scalar::Null(kind),
        }
    }

    /// Rows `offset..offset + len` (fewer at the end), every column: what
    /// a view draws.
    pub fn window(&self, offset: usize, len: usize) -> DataFrame {
        match &self.picks {
            None => self.frame.slice(offset as i64, len),
            Some(p) => {
                let idx = p.slice(offset as i64, len);
                // In range by construction; an empty frame is the safe answer
                // if a column disagrees.
                self.frame.take(&idx).unwrap_or_else(|_| self.frame.clear())
            }
        }
    }

    /// The rows, only the columns `names` (in the source's order; names
    /// that are not columns are left out), gathered.
    pub fn select(&self, names: &[String], cancel: Cancel) -> Result<DataFrame, QueryError> {
        let columns: Vec<Column> = self
            .frame
            .columns()
            .iter()
            .filter(|c| names.iter().any(|n| n.as_str() == c.name().as_str()))
            .cloned()
            .collect();
        let narrow = DataFrame::new(self.frame.height(), columns)
            .map_err(|e| polars_error(e, Default::default()))?;
        match &self.picks {
            None => Ok(narrow),
            Some(p) => gather_all(&narrow, p, cancel),
        }
    }

    /// Every row, every column, gathered into one frame.
    pub fn gather(&self, cancel: Cancel) -> Result<DataFrame, QueryError> {
        match &self.picks {
            None => Ok(self.frame.clone()),
            Some(p) => gather_all(&self.frame, p, cancel),
        }
    }

    /// Every row gathered, or an empty frame of the same columns if the
    /// gathering fails (only a cancel can fail it, and none is given):
    /// for the tests and small results.
    pub fn into_frame(self) -> DataFrame {
        match self.gather(Cancel::default()) {
            Ok(f) => f,
            Err(_) => self.frame.clear(),
        }
    }

    /// These rows, only those at `rows` (positions in this order), in
    /// that order.
    /// An error (a position out of range) is reported, never answered
    /// with no rows.
    pub fn take(&self, rows: &IdxCa) -> Result<Rows, QueryError> {
        let picks = match &self.picks {
            None => rows.clone(),
            Some(p) => p
                .take(rows)
                .map_err(|e| polars_error(e, Default::default()))?,
        };
        Ok(Rows::picked(self.frame.clone(), picks))
    }

    /// These rows, only those where `mask` (one bool per row, in this
    /// order) is true.
    /// A mask of another length is an error, never an answer of no rows.
    pub fn keep(&self, mask: &BooleanChunked) -> Result<Rows, QueryError> {
        let picks = match &self.picks {
            None if mask.len() == self.frame.height() => {
                IdxCa::from_vec("".into(), true_rows(mask))
            }
            None => {
                return Err(QueryError::runtime(
                    format!(
                        "internal error: a filter of {} rows over {} rows",
                        mask.len(),
                        self.frame.height()
                    ),
                    None,
                ));
            }
            Some(p) => p
                .filter(mask)
                .map_err(|e| polars_error(e, Default::default()))?,
        };
        Ok(Rows::picked(self.frame.clone(), picks))
    }

    /// The first `n` rows.
    pub fn head(&self, n: usize) -> Rows {
        match &self.picks {
            None if n >= self.frame.height() => self.clone(),
            None => Rows::whole(self.frame.head(Some(n))),
            Some(p) => Rows::picked(self.frame.clone(), p.slice(0, n)),
        }
    }

    /// The same rows from a source with `column` put first (`$table`,
    /// which a `search` adds); `column` has one value per source row.
    pub fn with_first_column(&self, column: Column) -> Result<Rows, QueryError> {
        let mut frame = self.frame.clone();
        frame
            .insert_column(0, column)
            .map_err(|e| polars_error(e, Default::default()))?;
        Ok(Rows {
            frame,
            picks: self.picks.clone(),
        })
    }
}

/// The positions where `mask` is true (null counts as false), read off
/// its bits a word at a time.
fn true_rows(mask: &BooleanChunked) -> Vec<IdxSize> {
    let mut out = Vec::new();
    let mut offset = 0;
    for array in mask.downcast_iter() {
        let set = match array.validity() {
            Some(valid) => array.values() & valid,
            None => array.values().clone(),
        };
        out.extend(set.true_idx_iter().map(|i| (offset + i) as IdxSize));
        offset += array.len();
    }
    out
}

/// Every column of `frame` at `picks`.
fn gather_all(frame: &DataFrame, picks: &IdxCa, cancel: Cancel) -> Result<DataFrame, QueryError> {
    gather(frame, picks, cancel, Default::default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame() -> DataFrame {
        df!(
            "A" => [1i64, 2, 3, 4, 5],
            "B" => ["a", "b", "c", "d", "e"],
        )
        .unwrap()
    }

    #[test]
    fn picked_rows_read_as_their_source_rows() {
        let rows = Rows::picked(frame(), IdxCa::from_vec("".into(), vec![4, 0, 2]));
        assert_eq!(rows.height(), 3);
        assert_eq!(rows.cell(0, 0), Scalar::Long(5));
        assert_eq!(rows.cell(1, 1), Scalar::String("a".into()));
        assert_eq!(rows.cell(3, 0), Scalar::Null(KqlType::Long));
        let window = rows.window(1, 5);
        assert_eq!(window.height(), 2);
        assert_eq!(
            window.column("A").unwrap().i64().unwrap().to_vec(),
            vec![Some(1), Some(3)]
        );
        let b = rows
            .select(&["B".into(), "Nope".into()], Cancel::default())
            .unwrap();
        assert_eq!(b.get_column_names(), vec!["B"]);
        assert_eq!(
            b.column("B")
                .unwrap()
                .str()
                .unwrap()
                .iter()
                .collect::<Vec<_>>(),
            vec![Some("e"), Some("a"), Some("c")]
        );
    }

    #[test]
    fn a_null_in_a_mask_drops_its_row() {
        let mut mask = BooleanChunked::from_slice_options(
            "".into(),
            &[Some(true), None, Some(false), Some(true)],
        );
        mask.append(&BooleanChunked::from_slice("".into(), &[true]))
            .unwrap();
        let rows = Rows::whole(frame()).keep(&mask).unwrap();
        assert_eq!(
            rows.picks().unwrap().to_vec(),
            vec![Some(0), Some(3), Some(4)]
        );
    }

    #[test]
    fn picks_compose() {
        let rows = Rows::whole(frame());
        let mask = BooleanChunked::from_slice("".into(), &[true, false, true, true, false]);
        let kept = rows.keep(&mask).unwrap();
        assert_eq!(
            kept.picks().unwrap().to_vec(),
            vec![Some(0), Some(2), Some(3)]
        );
        let reordered = kept.take(&IdxCa::from_vec("".into(), vec![2, 0])).unwrap();
        assert_eq!(reordered.picks().unwrap().to_vec(), vec![Some(3), Some(0)]);
        let again = reordered
            .keep(&BooleanChunked::from_slice("".into(), &[false, true]))
            .unwrap();
        assert_eq!(again.picks().unwrap().to_vec(), vec![Some(0)]);
        assert_eq!(again.into_frame(), frame().head(Some(1)));
        assert_eq!(kept.head(2).gather(Cancel::default()).unwrap().height(), 2);
        assert!(Rows::whole(frame()).head(2).picks().is_none());
    }
}
