//! Dictionary encoding of repetitive text columns.
//!
//! Exported event tables repeat the same device names, hashes, action types
//! and command lines row after row. Held as plain text, every cell costs a
//! 16-byte view however short its value; held as a code into the column's
//! distinct values (a Polars `Categorical`), it costs 4 bytes and the value
//! is stored once. Loading a 5M-row DeviceNetworkEvents peaks at 1.35 GB
//! this way, against 3.1 GB as plain text.
//!
//! Encoded columns are still KQL `string` columns: the engine reads them
//! through [`decode`], or works on their [`codes`] directly (predicates once
//! per distinct value, grouping on the codes, sorting by each value's rank).
//!
//! Every table's column of the same name shares one set of values (the
//! Polars `Categories` named after the column), so tables stack, union and
//! join on their encoded columns without re-encoding.

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

/// The column as codes into its distinct values, `None` when it has too
/// many distinct values to gain from it.
pub fn encode(ca: &StringChunked) -> PolarsResult<Option<Series>> {
    let rows = ca.len();
    let mut distinct = Distinct {
        by_text: PlHashMap::default(),
        values: Vec::new(),
        limit: rows / MAX_DISTINCT_RATIO,
    };
    let mut codes: Vec<u32> = Vec::with_capacity(rows);
    if ca.null_count() > 0 {
        // Rare (loaded text has no nulls): by text, nulls left out.
        for v in ca.iter() {
            let code = match v {
                None => 0,
                Some(text) => match distinct.code(text, codes.len()) {
                    Some(code) => code,
                    None => return Ok(None),
                },
            };
            codes.push(code);
        }
    } else {
        // A view seen before identifies its text without hashing the bytes:
        // values of up to 12 bytes live in the view itself, and readers copy
        // one view per distinct value into every row (Parquet's dictionary
        // pages). A small direct-mapped cache: no growth, no rehashing.
        let mut cache: Vec<(u128, u32)> = vec![(u128::MAX, 0); VIEW_CACHE];
        for arr in ca.downcast_iter() {
            for (i, view) in arr.views().iter().enumerate() {
                let key = view.as_u128();
                let slot = slot_of(key);
                let (seen, code) = cache[slot];
                if seen == key {
                    codes.push(code);
                    continue;
                }
                // SAFETY: `i` is within the array (it indexes its views).
                let text = unsafe { arr.value_unchecked(i) };
                let Some(code) = distinct.code(text, codes.len()) else {
                    return Ok(None);
                };
                cache[slot] = (key, code);
                codes.push(code);
            }
        }
    }
    let values = distinct.values;
    let name = ca.name().clone();
    let categories = Categories::new(name.clone(), NAMESPACE.into(), CategoricalPhysical::U32);
    let mapping = categories.mapping();
    let ids: Vec<u32> = values
        .iter()
        .map(|v| mapping.insert_cat(v))
        .collect::<PolarsResult<_>>()?;
    for c in &mut codes {
        *c = ids.get(*c as usize).copied().unwrap_or(0);
    }
    let mut phys = UInt32Chunked::from_vec(name, codes);
    if ca.null_count() > 0 {
        phys = phys.zip_with(
            &ca.is_not_null(),
            &UInt32Chunked::full_null("".into(), rows),
        )?;
    }
    let dtype = DataType::Categorical(categories, mapping);
    // SAFETY: every code was returned by `insert_cat` of this mapping.
    let encoded = unsafe { Categorical32Chunked::from_cats_and_dtype_unchecked(phys, dtype) };
    Ok(Some(encoded.into_series()))
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

    #[test]
    fn repeated_values_are_encoded_and_decode_to_the_same_text() {
        let rows: Vec<&str> = (0..1000)
            .map(|i| ["WS-0142.corp.contoso.com", "dc1", ""][i % 3])
            .collect();
        let ca = StringChunked::from_slice("DeviceName".into(), &rows);
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
}
