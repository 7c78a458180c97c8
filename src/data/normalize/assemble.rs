//! Joining the typed chunks of a table: each column widened to one type
//! across chunks, encoded columns kept encoded (their codes widened to
//! agree), small chunks coalesced as they arrive.

use polars::prelude::*;

use super::fit;
use crate::data::encode;
use crate::data::types::KqlType;

/// The type that holds values of both `a` and `b`.
fn join(a: KqlType, b: KqlType) -> KqlType {
    use KqlType::*;
    match (a, b) {
        _ if a == b => a,
        (Int, Long) | (Long, Int) => Long,
        (Int | Long, Real) | (Real, Int | Long) => Real,
        // Decimal is the widest number (Kusto.Language's order).
        (Int | Long | Real, Decimal) | (Decimal, Int | Long | Real) => Decimal,
        (Dynamic, _) | (_, Dynamic) => Dynamic,
        _ => String,
    }
}

/// Joins the typed chunks of one table into one frame: columns in order of
/// first appearance, a column missing from a chunk filled with nulls (""
/// for strings), each column widened to one type across chunks.
///
/// The chunks stay chunks of the joined columns (as Polars keeps a Parquet
/// file's row groups): copying them into one contiguous array would need
/// the table's memory twice over at the peak. Loaders coalesce small chunks
/// first (see [`Coalescer`]).
pub(crate) fn assemble(chunks: Vec<DataFrame>) -> PolarsResult<DataFrame> {
    join_chunks(chunks, false)
}

/// [`assemble`], then each column made contiguous, one column at a time.
fn assemble_contiguous(chunks: Vec<DataFrame>) -> PolarsResult<DataFrame> {
    join_chunks(chunks, true)
}

/// Rows per coalesced chunk: big enough that a table of millions of rows
/// has tens of chunks, not thousands; small enough that the copy made while
/// coalescing is a small fraction of the table.
const COALESCE_ROWS: usize = 1 << 18;

/// Gathers the small typed chunks a text reader makes (a few thousand rows
/// each) into contiguous chunks of about [`COALESCE_ROWS`] rows as they
/// arrive, so the table is not left in thousands of pieces and the pieces'
/// memory is freed (and reused) while loading goes on.
#[derive(Default)]
pub(crate) struct Coalescer {
    pending: Vec<DataFrame>,
    pending_rows: usize,
    done: Vec<DataFrame>,
}

impl Coalescer {
    /// Adds the next chunk, in order.
    pub(crate) fn push(&mut self, chunk: DataFrame) -> PolarsResult<()> {
        self.pending_rows += chunk.height();
        self.pending.push(chunk);
        if self.pending_rows >= COALESCE_ROWS {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> PolarsResult<()> {
        let pending = std::mem::take(&mut self.pending);
        self.pending_rows = 0;
        match pending.len() {
            0 => {}
            1 => self.done.extend(pending),
            _ => self.done.push(assemble_contiguous(pending)?),
        }
        // Encoded as it arrives, so the text of the whole table is never
        // held at once.
        if let Some(last) = self.done.pop() {
            self.done.push(encode::encode_frame(last)?);
        }
        Ok(())
    }

    /// Rows so far.
    pub(crate) fn rows(&self) -> usize {
        self.pending_rows + self.done.iter().map(DataFrame::height).sum::<usize>()
    }

    /// The coalesced chunks, in order; see [`assemble`].
    pub(crate) fn finish(mut self) -> PolarsResult<Vec<DataFrame>> {
        // A small last chunk (a file's last few rows) joins the one before
        // it: alone, a column whose few values did not repeat there would
        // be text while encoded elsewhere, and a column encoded in some
        // chunks only is joined as text.
        if self.pending_rows > 0
            && self.pending_rows < COALESCE_ROWS / 4
            && let Some(last) = self.done.pop()
        {
            self.pending_rows += last.height();
            self.pending.insert(0, last);
        }
        self.flush()?;
        Ok(self.done)
    }
}

fn join_chunks(chunks: Vec<DataFrame>, contiguous: bool) -> PolarsResult<DataFrame> {
    let mut names: Vec<PlSmallStr> = Vec::new();
    let mut index: PlHashMap<PlSmallStr, usize> = PlHashMap::new();
    let mut kinds: Vec<Option<KqlType>> = Vec::new();
    for chunk in &chunks {
        for column in chunk.columns() {
            let i = *index.entry(column.name().clone()).or_insert_with(|| {
                names.push(column.name().clone());
                kinds.push(None);
                names.len() - 1
            });
            if let Some(kind) = KqlType::of(column.dtype()) {
                kinds[i] = Some(kinds[i].map_or(kind, |k| join(k, kind)));
            }
        }
    }
    // A column encoded with one dictionary in every chunk (see `encode`)
    // stays encoded, every chunk's codes as wide as the dictionary's are
    // now; one encoded in some chunks only is joined as plain text.
    let encoded: Vec<Option<DataType>> = names
        .iter()
        .map(|name| {
            let mut dictionaries = chunks.iter().map(|c| {
                c.column(name)
                    .ok()
                    .and_then(|c| encode::dictionary_name(c.dtype()))
            });
            let first = dictionaries.next().flatten()?;
            if dictionaries.all(|d| d == Some(first)) {
                encode::current_type(first)
            } else {
                None
            }
        })
        .collect();
    let height: usize = chunks.iter().map(DataFrame::height).sum();
    let mut out: Vec<Option<Series>> = vec![None; names.len()];
    for chunk in chunks {
        let h = chunk.height();
        let mut columns: Vec<Option<Column>> = chunk.into_columns().into_iter().map(Some).collect();
        for (i, name) in names.iter().enumerate() {
            let found = columns
                .iter_mut()
                .find(|c| c.as_ref().is_some_and(|c| c.name() == name))
                .and_then(Option::take);
            let series = match found {
                Some(c) => c.take_materialized_series(),
                None => Series::full_null(name.clone(), h, &DataType::Null),
            };
            let series = if let Some(dtype) = &encoded[i] {
                encode::recode(&series, dtype)?
            } else {
                let series = match encode::decode(&series) {
                    Some(text) => text.into_series(),
                    None => series,
                };
                fit(series, kinds[i].unwrap_or(KqlType::String))?
            };
            match &mut out[i] {
                Some(acc) => {
                    // Decimal chunks may differ in scale.
                    crate::data::decimal::append(acc, &series)?;
                }
                slot => *slot = Some(series),
            }
        }
    }
    let mut columns = Vec::with_capacity(out.len());
    for series in out.into_iter().flatten() {
        // One column at a time: the chunked copy is freed before the next
        // column is copied.
        let series = if contiguous && series.n_chunks() > 1 {
            series.rechunk()
        } else {
            series
        };
        columns.push(series.into_column());
    }
    DataFrame::new(height, columns)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::normalize::type_chunk;

    fn text(name: &str, values: &[&str]) -> Column {
        Column::new(name.into(), values)
    }

    #[test]
    fn chunks_that_disagree_are_widened() {
        let a = DataFrame::new(2, vec![text("n", &["1", "2"]), text("e", &["", ""])]).unwrap();
        let b = DataFrame::new(2, vec![text("n", &["1.5", ""]), text("e", &["7", ""])]).unwrap();
        let c = DataFrame::new(1, vec![text("n", &["x"])]).unwrap();
        let typed = |f| type_chunk(None, f).unwrap().0;
        let ab = assemble(vec![typed(a.clone()), typed(b.clone())]).unwrap();
        assert_eq!(ab.column("n").unwrap().dtype(), &DataType::Float64);
        assert_eq!(ab.column("e").unwrap().dtype(), &DataType::Int64);
        assert_eq!(ab.column("e").unwrap().null_count(), 3);
        let abc = assemble(vec![typed(a), typed(b), typed(c)]).unwrap();
        let n = abc.column("n").unwrap();
        assert_eq!(n.dtype(), &DataType::String);
        let values: Vec<&str> = n.str().unwrap().iter().map(|v| v.unwrap_or("")).collect();
        assert_eq!(values, ["1", "2", "1.5", "", "x"]);
        // "e" is missing from the last chunk: null there.
        assert_eq!(abc.column("e").unwrap().len(), 5);
    }

    #[test]
    fn a_small_last_chunk_joins_the_one_before_it() {
        let rows = COALESCE_ROWS;
        let repeated: Vec<&str> = (0..rows).map(|i| ["a", "b"][i % 2]).collect();
        let first = DataFrame::new(rows, vec![text("TailTestColumn", &repeated)]).unwrap();
        // Three distinct values in three rows: not worth encoding alone.
        let last = DataFrame::new(3, vec![text("TailTestColumn", &["x", "y", "z"])]).unwrap();
        let mut chunks = Coalescer::default();
        chunks.push(first).unwrap();
        chunks.push(last).unwrap();
        let chunks = chunks.finish().unwrap();
        assert_eq!(chunks.len(), 1);
        let column = chunks[0].column("TailTestColumn").unwrap();
        assert!(super::encode::dictionary_name(column.dtype()).is_some());
        let values = super::encode::decode(column.as_materialized_series()).unwrap();
        let tail: Vec<&str> = values.iter().skip(rows - 1).flatten().collect();
        assert_eq!(tail, ["b", "x", "y", "z"]);
    }
}
