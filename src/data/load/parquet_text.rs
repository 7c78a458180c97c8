//! Text columns of a Parquet file read from their dictionary pages.
//!
//! Writers store a repetitive text column, per row group, as a dictionary
//! page of its distinct values and, per row, the index of its value.
//! Reading such a column as text (what Polars' reader does) copies a 16-byte
//! view into every row, which the loader then hashes back into codes
//! (`encode`). Here the indexes are read as they are and mapped onto the
//! column's dictionary: the distinct values are typed and encoded once per
//! row group, and each row costs an array lookup.
//!
//! A column some of whose pages are not dictionary encoded (writers give
//! the dictionary up when a column's values hardly repeat) is left to the
//! usual reader, as is one whose documented type is not `string`.

use std::fs::File;
use std::path::Path;

use polars::io::parquet::read::_internal::to_deserializer;
use polars::polars_utils::mmap::MMapSemaphore;
use polars::prelude::*;
use polars_arrow::array::{Array, DictionaryArray, Utf8ViewArray};
use polars_arrow::datatypes::{
    ArrowDataType, DTYPE_CATEGORICAL_NEW, Field as ArrowField, IntegerType, Metadata,
};
use polars_buffer::Buffer;
use polars_parquet::read::RowGroupMetadata;

use crate::data::encode;
use crate::data::normalize;

/// A Parquet file's bytes, mapped once and shared by the workers reading
/// its row groups.
pub(super) struct FileBytes(Buffer<u8>);

impl FileBytes {
    pub(super) fn map(path: &Path) -> Result<FileBytes, String> {
        let file = File::open(path).map_err(|e| e.to_string())?;
        let mapped = MMapSemaphore::new_from_file(&file).map_err(|e| e.to_string())?;
        Ok(FileBytes(Buffer::from_owner(mapped)))
    }
}

/// Whether a column of the file's Arrow type `dtype` is text this module
/// may read.
pub(super) fn is_text(dtype: &ArrowDataType) -> bool {
    matches!(
        dtype,
        ArrowDataType::Utf8View | ArrowDataType::LargeUtf8 | ArrowDataType::Utf8
    )
}

/// The column `name` of the row groups `groups`, as each row group stored
/// it: its dictionary and every row's index into it. `None` when a row
/// group has no dictionary page for it, or a page of it is not dictionary
/// encoded (or cannot be decoded at all: the usual reader then says why).
pub(super) fn read_dictionary(
    bytes: &FileBytes,
    groups: &[RowGroupMetadata],
    name: &PlSmallStr,
) -> Option<Vec<DictionaryArray<u32>>> {
    // Polars' categorical decoder reads the indexes as they are; it is
    // chosen for fields marked as Polars categoricals.
    let mut metadata = Metadata::new();
    metadata.insert(DTYPE_CATEGORICAL_NEW.into(), PlSmallStr::EMPTY);
    let field = ArrowField::new(
        name.clone(),
        ArrowDataType::Dictionary(
            IntegerType::UInt32,
            Box::new(ArrowDataType::Utf8View),
            false,
        ),
        true,
    )
    .with_metadata(metadata);
    let mut parts = Vec::with_capacity(groups.len());
    for group in groups {
        if group.num_rows() == 0 {
            continue;
        }
        let chunks: Vec<_> = group.columns_under_root_iter(name)?.collect();
        // One leaf (text is never nested here), and a dictionary page: the
        // decoder assumes there is one.
        let [chunk] = chunks.as_slice() else {
            return None;
        };
        chunk.dictionary_page_offset()?;
        let range = chunk.byte_range();
        let (start, end) = (
            usize::try_from(range.start).ok()?,
            usize::try_from(range.end).ok()?,
        );
        if start > end || end > bytes.0.len() {
            return None;
        }
        let column = bytes.0.clone().sliced(start..end);
        let (arrays, _) = to_deserializer(vec![(*chunk, column)], field.clone(), None).ok()?;
        for array in arrays {
            let part = array.as_any().downcast_ref::<DictionaryArray<u32>>()?;
            parts.push(part.clone());
        }
    }
    Some(parts)
}

/// A text column given as dictionaries and indexes (see
/// [`read_dictionary`]), typed as the loader types text: `string` when
/// documented so, else the type its values infer (see `normalize`), and
/// encoded when its values repeat enough (see `encode`). Nulls are "", as
/// in every text column.
pub(super) fn typed(
    name: PlSmallStr,
    parts: &[DictionaryArray<u32>],
    documented_string: bool,
) -> PolarsResult<Series> {
    let rows: usize = parts.iter().map(Array::len).sum();
    let Distinct { values, ids, first } = match parts {
        [part] => Distinct::of_one(part)?,
        _ => Distinct::merged(parts, rows)?,
    };
    if values.is_empty() {
        // No rows: as the usual reader types an empty column.
        return Ok(if documented_string {
            StringChunked::full(name, "", 0).into_series()
        } else {
            Series::full_null(name, 0, &DataType::Null)
        });
    }
    if !documented_string {
        // Inferred from the distinct values, the row order's first value
        // first: inference starts from the first value it meets.
        let order: Vec<IdxSize> = std::iter::once(first)
            .chain((0..values.len() as IdxSize).filter(|&i| i != first))
            .collect();
        let distinct = StringChunked::from_iter_values(
            name.clone(),
            order.iter().map(|&i| values[i as usize]),
        );
        let inferred = normalize::infer(&distinct.into_series())?;
        match inferred.dtype() {
            DataType::String => {}
            // No value at all: this chunk does not decide the type.
            DataType::Null => return Ok(Series::full_null(name, rows, &DataType::Null)),
            // Typed once per distinct value, then spread over the rows.
            _ => {
                let mut place = vec![0 as IdxSize; order.len()];
                for (at, &i) in order.iter().enumerate() {
                    place[i as usize] = at as IdxSize;
                }
                let ids = IdxCa::from_vec(
                    PlSmallStr::EMPTY,
                    ids.iter().map(|&i| place[i as usize]).collect(),
                );
                return Ok(inferred.take(&ids)?.with_name(name));
            }
        }
    }
    if encode::worth_encoding(values.len(), rows) {
        encode::encode_values(name, &values, &ids)
    } else {
        let distinct = StringChunked::from_iter_values(name.clone(), values.iter().copied());
        let ids = IdxCa::from_vec(PlSmallStr::EMPTY, ids);
        Ok(distinct.take(&ids)?.into_series())
    }
}

/// The distinct values a text column's rows use, and each row's index
/// among them.
struct Distinct<'a> {
    values: Vec<&'a str>,
    ids: Vec<IdxSize>,
    /// The index of the first row's value that is not blank (0 if none).
    first: IdxSize,
}

impl<'a> Distinct<'a> {
    /// One row group's column: its dictionary's entries are the values
    /// (writers store each once), its indexes the rows' ids, so nothing is
    /// hashed.
    fn of_one(part: &'a DictionaryArray<u32>) -> PolarsResult<Distinct<'a>> {
        let dictionary = text_of(part)?;
        let mut values: Vec<&str> = dictionary.values_iter().collect();
        let keys = part.keys();
        let mut ids: Vec<IdxSize> = keys.values().iter().map(|&k| k as IdxSize).collect();
        let mut used = vec![false; values.len()];
        for &id in &ids {
            let Some(slot) = used.get_mut(id as usize) else {
                polars_bail!(ComputeError: "a Parquet dictionary index is out of range");
            };
            *slot = true;
        }
        if let Some(valid) = keys.validity().filter(|v| v.unset_bits() > 0) {
            // A null row's index is whatever the decoder left there; its
            // text is "".
            let empty = match values.iter().position(|v| v.is_empty()) {
                Some(at) => at,
                None => {
                    values.push("");
                    used.push(false);
                    values.len() - 1
                }
            };
            used[empty] = true;
            for (id, valid) in ids.iter_mut().zip(valid.iter()) {
                if !valid {
                    *id = empty as IdxSize;
                }
            }
        }
        // Entries no row uses (rare) are left out, as reading the rows
        // would never meet them.
        if used.iter().any(|u| !u) {
            let mut renumber = vec![IdxSize::MAX; values.len()];
            let mut kept = Vec::with_capacity(values.len());
            for (i, value) in values.iter().enumerate() {
                if used[i] {
                    renumber[i] = kept.len() as IdxSize;
                    kept.push(*value);
                }
            }
            for id in &mut ids {
                *id = renumber[*id as usize];
            }
            values = kept;
        }
        let first = ids
            .iter()
            .copied()
            .find(|&i| !values[i as usize].trim().is_empty())
            .unwrap_or(0);
        Ok(Distinct { values, ids, first })
    }

    /// Several row groups' columns, each with a dictionary of its own: the
    /// values are merged by text, in order of first appearance.
    fn merged(parts: &'a [DictionaryArray<u32>], rows: usize) -> PolarsResult<Distinct<'a>> {
        let mut values: Vec<&str> = Vec::new();
        let mut by_text: PlHashMap<&str, IdxSize> = PlHashMap::default();
        let mut ids: Vec<IdxSize> = Vec::with_capacity(rows);
        let mut intern = |text| {
            *by_text.entry(text).or_insert_with(|| {
                values.push(text);
                (values.len() - 1) as IdxSize
            })
        };
        for part in parts {
            let dictionary = text_of(part)?;
            // Per dictionary entry, its index among the distinct values,
            // once a row has used it.
            let mut local: Vec<IdxSize> = vec![IdxSize::MAX; dictionary.len()];
            let keys = part.keys();
            let valid = keys.validity().filter(|v| v.unset_bits() > 0);
            for (row, &key) in keys.values().iter().enumerate() {
                if valid.is_some_and(|v| !v.get_bit(row)) {
                    ids.push(intern(""));
                    continue;
                }
                let Some(slot) = local.get_mut(key as usize) else {
                    polars_bail!(ComputeError: "a Parquet dictionary index is out of range");
                };
                if *slot == IdxSize::MAX {
                    // SAFETY: `key` indexes `local`, as long as the dictionary.
                    *slot = intern(unsafe { dictionary.value_unchecked(key as usize) });
                }
                ids.push(*slot);
            }
        }
        // In order of first appearance, the first value not blank is the
        // first such row's.
        let first = values
            .iter()
            .position(|v| !v.trim().is_empty())
            .unwrap_or(0) as IdxSize;
        Ok(Distinct { values, ids, first })
    }
}

/// The dictionary of a text column's row group.
fn text_of(part: &DictionaryArray<u32>) -> PolarsResult<&Utf8ViewArray> {
    match part.values().as_any().downcast_ref::<Utf8ViewArray>() {
        Some(dictionary) => Ok(dictionary),
        None => polars_bail!(ComputeError: "a Parquet dictionary of text holds no text"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file of `rows` rows in one row group: a repetitive column, one of
    /// unique values, and one with nulls.
    fn written(dir: &Path, rows: usize) -> (FileBytes, Vec<RowGroupMetadata>) {
        let path = dir.join("t.parquet");
        let host: Vec<String> = (0..rows).map(|i| format!("host-{}", i % 7)).collect();
        let unique: Vec<String> = (0..rows).map(|i| format!("id-{i:09}")).collect();
        let user: Vec<Option<&str>> = (0..rows)
            .map(|i| [Some("bob"), None, Some("eve")][i % 3])
            .collect();
        let mut frame = df!("Host" => host, "Unique" => unique, "User" => user).unwrap();
        let mut file = File::create(&path).unwrap();
        ParquetWriter::new(&mut file).finish(&mut frame).unwrap();
        let mut reader = ParquetReader::new(File::open(&path).unwrap());
        let groups = reader.get_metadata().unwrap().row_groups.clone();
        (FileBytes::map(&path).unwrap(), groups)
    }

    fn text(s: &Series) -> Vec<String> {
        let s = encode::decode(s).unwrap_or_else(|| s.str().unwrap().clone());
        s.iter()
            .map(|v| v.unwrap_or("<null>").to_string())
            .collect()
    }

    #[test]
    fn repetitive_text_is_read_from_the_dictionary_and_unique_text_is_not() {
        let dir = tempfile::TempDir::new().unwrap();
        let (bytes, groups) = written(dir.path(), 5000);
        let host = read_dictionary(&bytes, &groups, &"Host".into()).expect("dictionary");
        assert_eq!(host.len(), 1);
        assert_eq!(host[0].values().len(), 7);
        let typed = typed("Host".into(), &host, false).unwrap();
        assert!(encode::dictionary_name(typed.dtype()).is_some());
        assert_eq!(text(&typed)[..3], ["host-0", "host-1", "host-2"]);
        // The writer gave the dictionary up: left to the usual reader.
        assert!(read_dictionary(&bytes, &groups, &"Unique".into()).is_none());
        assert!(read_dictionary(&bytes, &groups, &"Absent".into()).is_none());
    }

    #[test]
    fn null_rows_are_empty_text() {
        let dir = tempfile::TempDir::new().unwrap();
        let (bytes, groups) = written(dir.path(), 6);
        let user = read_dictionary(&bytes, &groups, &"User".into()).expect("dictionary");
        let typed = typed("User".into(), &user, true).unwrap();
        assert_eq!(typed.null_count(), 0);
        assert_eq!(text(&typed), ["bob", "", "eve", "bob", "", "eve"]);
    }
}
