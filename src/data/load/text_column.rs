//! Text columns filled field by field as a reader parses, each distinct
//! value stored once per chunk (see [`TextColumn`]).

use std::hash::BuildHasher;

use polars::prelude::*;

use crate::data::encode;

/// A string column being filled from text fields, each distinct value
/// stored once per chunk.
///
/// Exports repeat long strings row after row (device ids, hashes, paths,
/// account SIDs): storing each once and pointing every row at it keeps a
/// loaded table a fraction of its text's size, and makes it faster to load
/// (a hash lookup is cheaper than copying the bytes into fresh memory).
/// The column is still an ordinary Polars string column: rows are views
/// into the shared bytes. A column whose values hardly repeat (command
/// lines) stops interning early in each chunk and is copied plainly.
pub(super) struct TextColumn {
    name: PlSmallStr,
    state: TextState,
    rows: usize,
}

enum TextState {
    Interning {
        /// A 64-bit hash of each distinct value -> where its bytes are and
        /// its index in `ends` (the place kept here, so that checking a
        /// match reads the table and the bytes, and nothing in between).
        index: PlHashMap<u64, Stored>,
        hasher: PlRandomState,
        /// The distinct values, back to back; `ends[i]` is where value `i` ends.
        bytes: Vec<u8>,
        ends: Vec<usize>,
        /// Per row, the index of its value.
        ids: Vec<IdxSize>,
    },
    Plain(StringChunkedBuilder),
}

/// A distinct value of a [`TextColumn`]: its bytes and its index.
#[derive(Clone, Copy)]
struct Stored {
    start: usize,
    end: usize,
    id: IdxSize,
}

/// Rows after which a chunk's column stops interning if most values were new.
const INTERN_PROBE_ROWS: usize = 2048;

impl TextColumn {
    pub(super) fn new(name: PlSmallStr, capacity: usize) -> TextColumn {
        TextColumn {
            name,
            state: TextState::Interning {
                index: PlHashMap::with_capacity(256),
                hasher: PlRandomState::default(),
                bytes: Vec::new(),
                ends: Vec::new(),
                ids: Vec::with_capacity(capacity),
            },
            rows: 0,
        }
    }

    pub(super) fn push(&mut self, field: &[u8]) -> Result<(), FieldError> {
        self.rows += 1;
        match &mut self.state {
            TextState::Plain(b) => {
                b.append_value(utf8(field)?);
                return Ok(());
            }
            TextState::Interning {
                index,
                hasher,
                bytes,
                ends,
                ids,
            } => {
                let hash = hasher.hash_one(field);
                let found = index
                    .get(&hash)
                    .filter(|s| bytes.get(s.start..s.end) == Some(field))
                    .map(|s| s.id);
                let id = match found {
                    Some(id) => id,
                    None => {
                        utf8(field)?;
                        let id = ends.len() as IdxSize;
                        let start = bytes.len();
                        bytes.extend_from_slice(field);
                        ends.push(bytes.len());
                        // On a (vanishingly rare) hash collision the value is
                        // stored again, unindexed: correct, just not shared.
                        index.entry(hash).or_insert(Stored {
                            start,
                            end: bytes.len(),
                            id,
                        });
                        id
                    }
                };
                ids.push(id);
                if self.rows == INTERN_PROBE_ROWS && ends.len() * 4 > self.rows * 3 {
                    self.stop_interning();
                }
            }
        }
        Ok(())
    }

    /// Switches to plain copying, keeping the rows so far.
    fn stop_interning(&mut self) {
        if let TextState::Interning {
            bytes, ends, ids, ..
        } = &self.state
        {
            let mut plain = StringChunkedBuilder::new(self.name.clone(), ids.capacity());
            for &id in ids {
                let i = id as usize;
                let start = if i == 0 { 0 } else { ends[i - 1] };
                // Every stored value was checked to be UTF-8 when stored.
                plain.append_value(std::str::from_utf8(&bytes[start..ends[i]]).unwrap_or_default());
            }
            self.state = TextState::Plain(plain);
        }
    }

    /// The column encoded (see `encode`) from the distinct values found
    /// while parsing, without making it text first; as text (see
    /// [`TextColumn::finish`]) when its values hardly repeat.
    pub(super) fn finish_encoded(self) -> PolarsResult<Series> {
        match &self.state {
            TextState::Interning {
                bytes, ends, ids, ..
            } if encode::worth_encoding(ends.len(), self.rows) => {
                let mut start = 0;
                let values: Vec<&str> = ends
                    .iter()
                    .map(|&end| {
                        // Every stored value was checked to be UTF-8.
                        let value = std::str::from_utf8(&bytes[start..end]).unwrap_or_default();
                        start = end;
                        value
                    })
                    .collect();
                encode::encode_values(self.name.clone(), &values, ids)
            }
            _ => self.finish(),
        }
    }

    pub(super) fn finish(self) -> PolarsResult<Series> {
        match self.state {
            TextState::Plain(b) => Ok(b.finish().into_series()),
            TextState::Interning {
                bytes, ends, ids, ..
            } => {
                let mut start = 0;
                let uniques: StringChunked = ends
                    .iter()
                    .map(|&end| {
                        let value = std::str::from_utf8(&bytes[start..end]).unwrap_or_default();
                        start = end;
                        Some(value)
                    })
                    .collect();
                let ids = IdxCa::from_vec(PlSmallStr::EMPTY, ids);
                // Gathering copies only the 16-byte views; the values' bytes
                // are shared by every row that holds them.
                Ok(uniques.take(&ids)?.with_name(self.name).into_series())
            }
        }
    }
}

pub(super) fn utf8(field: &[u8]) -> Result<&str, FieldError> {
    std::str::from_utf8(field).map_err(|e| FieldError::Utf8 {
        byte: field[e.valid_up_to()],
        offset: e.valid_up_to(),
    })
}

/// Why a field could not be added: not UTF-8, or not of the documented type.
pub(super) enum FieldError {
    Utf8 { byte: u8, offset: usize },
    Type,
}
