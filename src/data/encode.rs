//! Dictionary encoding of repetitive text columns.
//!
//! Exported event tables repeat the same device names, hashes, action types
//! and command lines row after row. Held as plain text, every cell costs a
//! 16-byte view however short its value; held as a code into the column's
//! distinct values (a Polars `Categorical`), it costs 1, 2 or 4 bytes and
//! the value is stored once.
//!
//! Encoded columns are still KQL `string` columns: the engine reads them
//! through [`decode`], or works on their [`codes`] directly (predicates once
//! per distinct value, grouping on the codes, sorting by each value's rank).
//!
//! Every column of the same name, in every chunk and every table, shares one
//! dictionary (see `DICTIONARIES`), so tables stack, union and join on
//! their encoded columns without re-encoding. A dictionary's codes are as
//! narrow as its values allow: 8 bits for up to 255 values (an action type,
//! a device name in a small estate), 16 bits for up to 65,535, else 32.
//! When a dictionary outgrows its width its values are copied, in order, to
//! a wider one, so every code keeps its meaning; columns made before then
//! are widened where they meet newer ones ([`widen_frame`], which the loader
//! and the catalog apply), so every chunk and table agree on the width.

use std::sync::{LazyLock, Mutex, MutexGuard, PoisonError};

use polars::prelude::*;
use rayon::prelude::*;

/// The Polars `Categories` namespace of Quarry's encoded columns.
const NAMESPACE: &str = "quarry";
/// A column is encoded when it has at most rows / this distinct values:
/// beyond that the values themselves dominate and codes save little.
const MAX_DISTINCT_RATIO: usize = 2;
/// Rows after which a column already too diverse is given up.
const EARLY_ROWS: usize = 1 << 16;
/// Slots of the per-column cache of recently seen views (a power of two).
const VIEW_CACHE: usize = 1 << 12;

/// Every dictionary, by the name of the columns it encodes: the Polars
/// type of those columns (its `Categories` give the width, its mapping the
/// values), each behind a lock of its own so that loaders encoding
/// different columns do not wait for each other.
///
/// The dictionaries are held for the life of the process, so a table loaded
/// again, or loaded later, finds the codes it had; their values are the
/// distinct values of every table loaded, each stored once. Only this
/// module adds values, under the dictionary's lock: that is what keeps
/// codes the same when a dictionary is copied to a wider one.
static DICTIONARIES: LazyLock<Mutex<PlHashMap<PlSmallStr, Arc<Mutex<DataType>>>>> =
    LazyLock::new(|| Mutex::new(PlHashMap::default()));

/// Takes a lock; the data behind every lock here is consistent after any
/// panic (values are replaced whole).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The dictionary of the columns named `name`, made at 8 bits if there is
/// none yet.
fn dictionary(name: &PlSmallStr) -> Arc<Mutex<DataType>> {
    lock(&DICTIONARIES)
        .entry(name.clone())
        .or_insert_with(|| Arc::new(Mutex::new(new_dictionary(name, CategoricalPhysical::U8))))
        .clone()
}

/// Adds `values` to the dictionary of the columns named `name`, widening
/// it when they do not fit. Returns the dictionary, as the type of an
/// encoded column, and the code of each value.
fn add_values(name: &PlSmallStr, values: &[&str]) -> PolarsResult<(DataType, Vec<u32>)> {
    let entry = dictionary(name);
    let mut dtype = lock(&entry);
    let mut codes = Vec::with_capacity(values.len());
    for value in values {
        let code = loop {
            match mapping_of(&dtype)?.insert_cat(value) {
                Ok(code) => break code,
                // Full at this width (the only way inserting fails).
                Err(_) => *dtype = wider(name, &dtype)?,
            }
        };
        codes.push(code);
    }
    Ok((dtype.clone(), codes))
}

/// The mapping (code <-> value) of an encoded type.
fn mapping_of(dtype: &DataType) -> PolarsResult<&Arc<CategoricalMapping>> {
    match dtype {
        DataType::Categorical(_, mapping) => Ok(mapping),
        other => polars_bail!(ComputeError: "not an encoded column: {other:?}"),
    }
}

/// A fresh dictionary of `width` for the columns named `name`.
fn new_dictionary(name: &PlSmallStr, width: CategoricalPhysical) -> DataType {
    let categories = Categories::new(name.clone(), NAMESPACE.into(), width);
    let mapping = categories.mapping();
    DataType::Categorical(categories, mapping)
}

/// The dictionary `dtype` copied to the next wider code width: the same
/// values in the same order, so every code keeps its meaning.
fn wider(name: &PlSmallStr, dtype: &DataType) -> PolarsResult<DataType> {
    let width = match dtype.cat_physical()? {
        CategoricalPhysical::U8 => CategoricalPhysical::U16,
        CategoricalPhysical::U16 => CategoricalPhysical::U32,
        CategoricalPhysical::U32 => {
            polars_bail!(ComputeError: "column {name} has more than 4 billion distinct values")
        }
    };
    let old = mapping_of(dtype)?;
    let wide = new_dictionary(name, width);
    let mapping = mapping_of(&wide)?;
    for code in 0..old.num_cats_upper_bound() as CatSize {
        // Only this module adds values, under the lock: no gaps.
        let value = old.cat_to_str(code).ok_or_else(
            || polars_err!(ComputeError: "the dictionary of column {name} has a gap at {code}"),
        )?;
        if mapping.insert_cat(value)? != code {
            polars_bail!(ComputeError: "the dictionary of column {name} is out of step at {code}");
        }
    }
    Ok(wide)
}

/// The name of the dictionary an encoded column's codes point into, `None`
/// for any other column (an unencoded one, or a categorical column that
/// did not come from this module).
pub fn dictionary_name(dtype: &DataType) -> Option<&PlSmallStr> {
    match dtype {
        DataType::Categorical(categories, _) if categories.namespace() == NAMESPACE => {
            Some(categories.name())
        }
        _ => None,
    }
}

/// The type encoded columns of the dictionary `name` have now (the width
/// only grows), `None` if there is no such dictionary.
pub fn current_type(name: &str) -> Option<DataType> {
    let entry = lock(&DICTIONARIES).get(name).cloned()?;
    let dtype = lock(&entry).clone();
    Some(dtype)
}

/// An encoded column with its codes put in `dtype`: the type its dictionary
/// has now ([`current_type`]), which is never narrower than the column's.
pub fn recode(s: &Series, dtype: &DataType) -> PolarsResult<Series> {
    if s.dtype() == dtype {
        return Ok(s.clone());
    }
    let width = dtype.cat_physical()?;
    // Strict: a code that did not fit would be an error, never a null.
    let phys = s.to_physical_repr().strict_cast(&width.dtype())?;
    // SAFETY: the codes are codes of the same dictionary, copied in order
    // to each wider width (see `wider`), and the cast checked they fit.
    Ok(unsafe {
        match width {
            CategoricalPhysical::U8 => Categorical8Chunked::from_cats_and_dtype_unchecked(
                phys.u8()?.clone(),
                dtype.clone(),
            )
            .into_series(),
            CategoricalPhysical::U16 => Categorical16Chunked::from_cats_and_dtype_unchecked(
                phys.u16()?.clone(),
                dtype.clone(),
            )
            .into_series(),
            CategoricalPhysical::U32 => Categorical32Chunked::from_cats_and_dtype_unchecked(
                phys.u32()?.clone(),
                dtype.clone(),
            )
            .into_series(),
        }
    })
}

/// Every encoded column of `frame` with the codes as wide as its
/// dictionary's are now, so it stacks and joins with columns encoded later.
/// Other columns, and columns already current, are kept as they are.
pub fn widen_frame(frame: DataFrame) -> PolarsResult<DataFrame> {
    let stale = |c: &Column| {
        dictionary_name(c.dtype())
            .and_then(|name| current_type(name))
            .filter(|now| now != c.dtype())
    };
    if !frame.columns().iter().any(|c| stale(c).is_some()) {
        return Ok(frame);
    }
    let height = frame.height();
    let columns = frame
        .into_columns()
        .into_iter()
        .map(|c| match stale(&c) {
            Some(now) => recode(c.as_materialized_series(), &now).map(IntoColumn::into_column),
            None => Ok(c),
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(height, columns)
}

/// Global codes (one per row, each below the width's limit) as an encoded
/// column of `dtype`; `valid` marks the rows that are not null.
fn build(
    name: PlSmallStr,
    codes: impl Iterator<Item = u32>,
    valid: Option<&BooleanChunked>,
    dtype: &DataType,
) -> PolarsResult<Series> {
    macro_rules! encoded {
        ($native:ty, $phys:ty, $cat:ty) => {{
            // Codes fit: the dictionary of this width holds fewer values
            // than its largest code.
            let values: Vec<$native> = codes.map(|c| c as $native).collect();
            let mut phys = <$phys>::from_vec(name, values);
            if let Some(valid) = valid {
                phys = phys.zip_with(valid, &<$phys>::full_null(PlSmallStr::EMPTY, phys.len()))?;
            }
            // SAFETY: every code was given by this dictionary's mapping.
            unsafe { <$cat>::from_cats_and_dtype_unchecked(phys, dtype.clone()) }.into_series()
        }};
    }
    Ok(match dtype.cat_physical()? {
        CategoricalPhysical::U8 => encoded!(u8, UInt8Chunked, Categorical8Chunked),
        CategoricalPhysical::U16 => encoded!(u16, UInt16Chunked, Categorical16Chunked),
        CategoricalPhysical::U32 => encoded!(u32, UInt32Chunked, Categorical32Chunked),
    })
}

/// The cache slot of a view: the high bits of a multiplicative hash.
fn slot_of(view: u128) -> usize {
    let folded = (view as u64) ^ ((view >> 64) as u64).rotate_left(29);
    (folded.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - VIEW_CACHE.trailing_zeros())) as usize
}

/// Encodes every text column of `frame` worth encoding (see the module
/// documentation); other columns are returned as they are.
pub fn encode_frame(frame: DataFrame) -> PolarsResult<DataFrame> {
    let height = frame.height();
    let columns: Vec<Column> = frame.into_columns();
    let encoded = columns
        .into_par_iter()
        .map(|c| {
            if c.dtype() != &DataType::String {
                return Ok(c);
            }
            let s = c.as_materialized_series();
            match encode(s.str()?)? {
                Some(e) => Ok(e.into_column()),
                None => Ok(c),
            }
        })
        .collect::<PolarsResult<Vec<_>>>()?;
    DataFrame::new(height, encoded)
}

/// Whether a column of `rows` rows with `distinct` values gains from being
/// encoded.
pub fn worth_encoding(distinct: usize, rows: usize) -> bool {
    distinct <= rows / MAX_DISTINCT_RATIO
}

/// The column as codes into its distinct values, `None` when it has too
/// many distinct values to gain from it.
pub fn encode(ca: &StringChunked) -> PolarsResult<Option<Series>> {
    let rows = ca.len();
    let mut distinct = Distinct {
        by_text: PlHashMap::default(),
        values: Vec::new(),
        limit: rows / MAX_DISTINCT_RATIO,
    };
    // Per row, the index of its value among the distinct values.
    let mut local: Vec<u32> = Vec::with_capacity(rows);
    if ca.null_count() > 0 {
        // Rare (loaded text has no nulls): by text, nulls left out.
        for v in ca.iter() {
            let code = match v {
                None => 0,
                Some(text) => match distinct.code(text, local.len()) {
                    Some(code) => code,
                    None => return Ok(None),
                },
            };
            local.push(code);
        }
    } else {
        // A view seen before identifies its text without hashing the bytes:
        // values of up to 12 bytes live in the view itself, and readers copy
        // one view per distinct value into every row (Parquet's dictionary
        // pages). First a small direct-mapped cache (no growth, no
        // rehashing), then a map of every view seen, then the text. A view
        // points into its own array's buffers, so the same bits in another
        // array may be other text: both are kept per array.
        let mut cache: Vec<(u128, u32)> = vec![(u128::MAX, 0); VIEW_CACHE];
        let mut by_view: PlHashMap<u128, u32> = PlHashMap::default();
        for (n, arr) in ca.downcast_iter().enumerate() {
            if n > 0 {
                cache.fill((u128::MAX, 0));
                by_view.clear();
            }
            for (i, view) in arr.views().iter().enumerate() {
                let key = view.as_u128();
                let slot = slot_of(key);
                let (seen, code) = cache[slot];
                if seen == key {
                    local.push(code);
                    continue;
                }
                let code = match by_view.get(&key) {
                    Some(&code) => code,
                    None => {
                        // SAFETY: `i` is within the array (it indexes its views).
                        let text = unsafe { arr.value_unchecked(i) };
                        let Some(code) = distinct.code(text, local.len()) else {
                            return Ok(None);
                        };
                        // Views that do not repeat (text stored once per
                        // row) would only fill the map.
                        if by_view.len() < 2 * distinct.values.len() + VIEW_CACHE {
                            by_view.insert(key, code);
                        }
                        code
                    }
                };
                cache[slot] = (key, code);
                local.push(code);
            }
        }
    }
    let name = ca.name().clone();
    let (dtype, ids) = add_values(&name, &distinct.values)?;
    let codes = local
        .iter()
        .map(|&c| ids.get(c as usize).copied().unwrap_or(0));
    let valid = (ca.null_count() > 0).then(|| ca.is_not_null());
    build(name, codes, valid.as_ref(), &dtype).map(Some)
}

/// A column given as its distinct values and, per row, the index of its
/// value among them, encoded (the text readers find the distinct values
/// as they parse, so the column is never held as text).
pub fn encode_values(name: PlSmallStr, values: &[&str], rows: &[IdxSize]) -> PolarsResult<Series> {
    let (dtype, ids) = add_values(&name, values)?;
    let codes = rows
        .iter()
        .map(|&i| ids.get(i as usize).copied().unwrap_or(0));
    build(name, codes, None, &dtype)
}

/// A column holding `value` in each of its `rows` rows, encoded: the
/// `$table` of a search's hits, millions of rows of one table name, in a
/// byte or two a row instead of the name's text.
pub fn encode_constant(name: PlSmallStr, value: &str, rows: usize) -> PolarsResult<Series> {
    let (dtype, ids) = add_values(&name, &[value])?;
    let code = ids.first().copied().unwrap_or(0);
    build(name, std::iter::repeat_n(code, rows), None, &dtype)
}

/// An encoded column with its nulls (the unmatched side of an outer join)
/// made "", still encoded; `None` for any other column, or one without
/// nulls.
pub fn fill_nulls(s: &Series) -> Option<PolarsResult<Series>> {
    let name = dictionary_name(s.dtype())?.clone();
    if s.null_count() == 0 {
        return None;
    }
    let filled = || -> PolarsResult<Series> {
        let (dtype, ids) = add_values(&name, &[""])?;
        let empty = ids.first().copied().unwrap_or(0);
        let codes = s.to_physical_repr().cast(&DataType::UInt32)?;
        let codes = codes.u32()?;
        let rows = codes.iter().map(|c| c.unwrap_or(empty));
        build(s.name().clone(), rows, None, &dtype)
    };
    Some(filled())
}

/// The distinct values of a column being encoded, in order of appearance.
struct Distinct<'a> {
    by_text: PlHashMap<&'a str, u32>,
    values: Vec<&'a str>,
    limit: usize,
}

impl<'a> Distinct<'a> {
    /// The code of `text` (`seen` rows in), `None` once there are too many
    /// distinct values: more than the limit, or, after the first
    /// [`EARLY_ROWS`], more than the share allowed of the rows seen, so a
    /// column of unique values (identifiers) is given up early.
    fn code(&mut self, text: &'a str, seen: usize) -> Option<u32> {
        if let Some(&code) = self.by_text.get(text) {
            return Some(code);
        }
        let n = self.values.len();
        if n >= self.limit || (seen >= EARLY_ROWS && n * MAX_DISTINCT_RATIO > seen) {
            return None;
        }
        let code = self.values.len() as u32;
        self.values.push(text);
        self.by_text.insert(text, code);
        Some(code)
    }
}

/// An encoded column as plain text, `None` for any other column. The text
/// shares the distinct values' memory: each row is a 16-byte view of them.
pub fn decode(s: &Series) -> Option<StringChunked> {
    let (DataType::Categorical(_, mapping) | DataType::Enum(_, mapping)) = s.dtype() else {
        return None;
    };
    let values = Series::try_from((s.name().clone(), mapping.to_arrow(true))).ok()?;
    let values = values.str().ok()?;
    let codes = s.to_physical_repr().cast(&IDX_DTYPE).ok()?;
    let codes = codes.idx().ok()?;
    values.take(codes).ok()
}

/// The codes of an encoded column (one per row, null for null) and its
/// distinct values, `None` for any other column.
pub fn codes(s: &Series) -> Option<(UInt32Chunked, Arc<CategoricalMapping>)> {
    let (DataType::Categorical(_, mapping) | DataType::Enum(_, mapping)) = s.dtype() else {
        return None;
    };
    let codes = s.to_physical_repr().cast(&DataType::UInt32).ok()?;
    Some((codes.u32().ok()?.clone(), mapping.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &Series) -> Vec<Option<String>> {
        s.iter()
            .map(|v| match v {
                AnyValue::Null => None,
                AnyValue::Categorical(c, m) => m.cat_to_str(c).map(str::to_string),
                other => Some(other.to_string()),
            })
            .collect()
    }

    fn plain(s: &Series) -> Vec<Option<String>> {
        decode(s)
            .unwrap()
            .iter()
            .map(|v| v.map(str::to_string))
            .collect()
    }

    #[test]
    fn repeated_values_are_encoded_and_decode_to_the_same_text() {
        let rows: Vec<&str> = (0..1000)
            .map(|i| ["WS-0142.corp.contoso.com", "dc1", ""][i % 3])
            .collect();
        let ca = StringChunked::from_slice("DeviceNameForTest".into(), &rows);
        let e = encode(&ca).unwrap().expect("repetitive");
        assert!(matches!(e.dtype(), DataType::Categorical(_, _)));
        let back = decode(&e).unwrap();
        let back: Vec<&str> = back.iter().map(|v| v.unwrap()).collect();
        assert_eq!(back, rows);
        assert_eq!(
            text(&e)[..3],
            [
                Some("WS-0142.corp.contoso.com".into()),
                Some("dc1".into()),
                Some("".into())
            ]
        );
    }

    #[test]
    fn mostly_unique_columns_stay_text() {
        let rows: Vec<String> = (0..1000).map(|i| format!("v{}", i % 600)).collect();
        let ca =
            StringChunked::from_iter_values("ReportId".into(), rows.iter().map(String::as_str));
        assert!(encode(&ca).unwrap().is_none());
    }

    #[test]
    fn nulls_stay_null_and_same_named_columns_share_values() {
        let a = StringChunked::new("Shared".into(), &[Some("x"), None, Some("x"), Some("y")]);
        let b = StringChunked::new(
            "Shared".into(),
            &[Some("y"), Some("y"), Some("z"), Some("y")],
        );
        let ea = encode(&a).unwrap().unwrap();
        let eb = encode(&b).unwrap().unwrap();
        assert_eq!(ea.null_count(), 1);
        assert_eq!(ea.dtype(), eb.dtype());
        let mut stacked = ea.clone();
        stacked.append(&eb).unwrap();
        let back = decode(&stacked).unwrap();
        let back: Vec<Option<&str>> = back.iter().collect();
        assert_eq!(
            back,
            [
                Some("x"),
                None,
                Some("x"),
                Some("y"),
                Some("y"),
                Some("y"),
                Some("z"),
                Some("y")
            ]
        );
    }

    #[test]
    fn few_values_take_one_byte_and_a_growing_dictionary_widens_in_step() {
        // Names of their own: the dictionaries are shared by the process.
        let name: PlSmallStr = "WidthTestColumn".into();
        let few: Vec<String> = (0..1000).map(|i| format!("host-{}", i % 200)).collect();
        let few = StringChunked::from_iter_values(name.clone(), few.iter().map(String::as_str));
        let narrow = encode(&few).unwrap().unwrap();
        assert_eq!(
            narrow.dtype().cat_physical().unwrap(),
            CategoricalPhysical::U8
        );
        assert_eq!(narrow.to_physical_repr().dtype(), &DataType::UInt8);

        // 200 more values no longer fit in a byte: 16-bit codes, the first
        // 200 values keeping their codes.
        let more: Vec<String> = (0..1000).map(|i| format!("host-{}", i % 400)).collect();
        let more = StringChunked::from_iter_values(name.clone(), more.iter().map(String::as_str));
        let wide = encode(&more).unwrap().unwrap();
        assert_eq!(
            wide.dtype().cat_physical().unwrap(),
            CategoricalPhysical::U16
        );
        assert_ne!(narrow.dtype(), wide.dtype());
        let now = current_type(&name).unwrap();
        assert_eq!(&now, wide.dtype());

        // The narrow column, widened, stacks with the wide one and reads
        // the same.
        let before = plain(&narrow);
        let frame = DataFrame::new(1000, vec![narrow.into_column()]).unwrap();
        let widened = widen_frame(frame).unwrap();
        let widened = widened
            .column(&name)
            .unwrap()
            .as_materialized_series()
            .clone();
        assert_eq!(widened.dtype(), wide.dtype());
        assert_eq!(plain(&widened), before);
        let mut stacked = widened.clone();
        stacked.append(&wide).unwrap();
        assert_eq!(plain(&stacked)[1000..], plain(&wide)[..]);
        assert_eq!(plain(&stacked)[..1000], before[..]);
    }

    #[test]
    fn equal_views_in_different_chunks_are_told_apart() {
        // Two chunks, each with its own buffer: the same length, the same
        // first four bytes and the same place in the buffer give the same
        // view bits, yet the text differs.
        let a = StringChunked::from_slice("ViewChunkTest".into(), &["C:/Windows/a.exe"; 4]);
        let b = StringChunked::from_slice("ViewChunkTest".into(), &["C:/Windows/b.exe"; 4]);
        let mut both = a.clone();
        both.append(&b).unwrap();
        assert_eq!(both.chunks().len(), 2);
        let e = encode(&both).unwrap().unwrap();
        let want: Vec<Option<String>> = both.iter().map(|v| v.map(str::to_string)).collect();
        assert_eq!(plain(&e), want);
    }

    #[test]
    fn values_given_by_a_reader_are_encoded_without_text() {
        let values = ["a", "bb", ""];
        let rows: Vec<IdxSize> = vec![0, 1, 1, 2, 0];
        let e = encode_values("ValuesTestColumn".into(), &values, &rows).unwrap();
        assert_eq!(
            plain(&e),
            ["a", "bb", "bb", "", "a"].map(|v| Some(v.to_string()))
        );
    }

    #[test]
    fn nulls_of_an_outer_join_become_empty_and_stay_encoded() {
        let ca = StringChunked::new("FillTestColumn".into(), &[Some("x"), Some("x"), None]);
        let e = encode(&ca).unwrap().unwrap();
        let filled = fill_nulls(&e).unwrap().unwrap();
        assert!(dictionary_name(filled.dtype()).is_some());
        assert_eq!(filled.null_count(), 0);
        assert_eq!(plain(&filled), ["x", "x", ""].map(|v| Some(v.to_string())));
        assert!(fill_nulls(&filled).is_none());
    }
}
