//! Each row's grouping key as one 64-bit number.
//!
//! Key values are packed side by side when they fit (small integers,
//! encoded text's codes, timestamps within a range), read straight from the
//! columns' buffers a block of rows at a time; otherwise the number is a
//! hash of the values, and rows with equal numbers are compared value by
//! value ([`Keys::same`]) so a collision never merges two keys.

use std::hash::BuildHasher;

use polars::prelude::*;

/// An integer column (or the codes of an encoded one), in its chunks:
/// loaded tables come in tens of them, which are read in place rather than
/// copied into one.
enum Ints {
    I8(Int8Chunked),
    I16(Int16Chunked),
    I32(Int32Chunked),
    I64(Int64Chunked),
    U8(UInt8Chunked),
    U16(UInt16Chunked),
    U32(UInt32Chunked),
}

/// An integer of any width as a long.
trait Long: Copy {
    fn long(self) -> i64;
}

macro_rules! long_from {
    ($($t:ty),*) => {
        $(impl Long for $t {
            #[inline]
            fn long(self) -> i64 {
                i64::from(self)
            }
        })*
    };
}
long_from!(i8, i16, i32, u8, u16, u32);

impl Long for i64 {
    #[inline]
    fn long(self) -> i64 {
        self
    }
}

/// Runs `$body` with `$ca` bound to the typed column, whatever its integer
/// type (values read with [`Long::long`]).
macro_rules! with_column {
    ($ints:expr, $ca:ident => $body:expr) => {
        match $ints {
            Ints::I8($ca) => $body,
            Ints::I16($ca) => $body,
            Ints::I32($ca) => $body,
            Ints::I64($ca) => $body,
            Ints::U8($ca) => $body,
            Ints::U16($ca) => $body,
            Ints::U32($ca) => $body,
        }
    };
}

impl Ints {
    /// The column's physical integers, `None` for other types.
    fn read(physical: &Series) -> Option<Ints> {
        Some(match physical.dtype() {
            DataType::Int8 => Ints::I8(physical.i8().ok()?.clone()),
            DataType::Int16 => Ints::I16(physical.i16().ok()?.clone()),
            DataType::Int32 => Ints::I32(physical.i32().ok()?.clone()),
            DataType::Int64 => Ints::I64(physical.i64().ok()?.clone()),
            DataType::UInt8 => Ints::U8(physical.u8().ok()?.clone()),
            DataType::UInt16 => Ints::U16(physical.u16().ok()?.clone()),
            DataType::UInt32 => Ints::U32(physical.u32().ok()?.clone()),
            _ => return None,
        })
    }

    /// The smallest and largest value, `None` when every value is null.
    fn range(&self) -> Option<(i64, i64)> {
        let mut lo = i64::MAX;
        let mut hi = i64::MIN;
        with_column!(self, ca => {
            for arr in ca.downcast_iter() {
                let values = arr.values().as_slice();
                match arr.validity() {
                    // A plain fold, which the compiler vectorises.
                    None => {
                        for &v in values {
                            lo = lo.min(v.long());
                            hi = hi.max(v.long());
                        }
                    }
                    Some(valid) => {
                        for (&v, ok) in values.iter().zip(valid.iter()) {
                            if ok {
                                lo = lo.min(v.long());
                                hi = hi.max(v.long());
                            }
                        }
                    }
                }
            }
        });
        (lo <= hi).then_some((lo, hi))
    }

    /// Row `row`'s value, `None` when null.
    fn get(&self, row: usize) -> Option<i64> {
        with_column!(self, ca => ca.get(row).map(Long::long))
    }

    /// Calls `each(values, validity offset and bitmap, out)` for the parts of
    /// the chunks that hold rows `start..start + out.len()`, with the
    /// matching part of `out`.
    fn for_rows(
        &self,
        start: usize,
        out: &mut [u64],
        code: impl Fn(i64) -> u64 + Copy,
        combine: impl Fn(u64, u64) -> u64 + Copy,
    ) {
        let end = start + out.len();
        with_column!(self, ca => {
            let mut offset = 0;
            for arr in ca.downcast_iter() {
                let len = arr.len();
                let (lo, hi) = (start.max(offset), end.min(offset + len));
                if lo < hi {
                    let values = &arr.values()[lo - offset..hi - offset];
                    let out = &mut out[lo - start..hi - start];
                    match arr.validity() {
                        None => {
                            for (k, &v) in out.iter_mut().zip(values) {
                                *k = combine(*k, code(v.long()));
                            }
                        }
                        Some(valid) => {
                            let valid = valid.clone().sliced(lo - offset, hi - lo);
                            for ((k, &v), ok) in out.iter_mut().zip(values).zip(valid.iter()) {
                                *k = combine(*k, if ok { code(v.long()) } else { 0 });
                            }
                        }
                    }
                }
                offset += len;
                if offset >= end {
                    break;
                }
            }
        })
    }
}

/// One key column, read for grouping.
enum Part {
    /// Integers as offsets from the smallest (`min`), plus one, so that
    /// they fit in `bits`; 0 is null.
    Packed { ints: Ints, min: i64, bits: u32 },
    /// Every value null.
    Null,
    /// Integers whose range leaves no room for null.
    Wide { values: Vec<u64>, nulls: Vec<bool> },
    /// Text, compared by value (one chunk, no nulls: KQL text has none).
    Text(StringChunked),
    /// Dynamic values, compared as their JSON bytes (one chunk), and
    /// whether each is null.
    Bytes(BinaryChunked, Vec<bool>),
}

impl Part {
    fn read(s: &Series) -> Option<Part> {
        let ints = match s.dtype() {
            DataType::String => {
                let ca = s.str().ok()?;
                let ca = if ca.null_count() > 0 {
                    ca.iter().map(|v| Some(v.unwrap_or(""))).collect()
                } else {
                    ca.clone()
                };
                return Some(Part::Text(ca.rechunk().into_owned()));
            }
            DataType::Binary => {
                let ca = s.binary().ok()?;
                let nulls = ca.iter().map(|v| v.is_none()).collect();
                return Some(Part::Bytes(ca.rechunk().into_owned(), nulls));
            }
            // Decimals by their mantissas' bytes: one scale a column, so
            // equal bytes are equal values. (Polars cannot group 128-bit
            // numbers without a feature Quarry leaves off: it panics.)
            DataType::Decimal(_, _) => {
                let mantissas = s.decimal().ok()?.physical().clone();
                let nulls = mantissas.iter().map(|v| v.is_none()).collect();
                let bytes: BinaryChunked = mantissas
                    .iter()
                    .map(|v| Some(v.unwrap_or(0).to_le_bytes()))
                    .collect();
                return Some(Part::Bytes(bytes, nulls));
            }
            DataType::Float64 => {
                // -0.0 groups with 0.0, and every NaN with every other.
                let bits: Int64Chunked = s
                    .f64()
                    .ok()?
                    .iter()
                    .map(|v| {
                        v.map(|x| match x {
                            x if x.is_nan() => f64::NAN.to_bits() as i64,
                            0.0 => 0,
                            x => x.to_bits() as i64,
                        })
                    })
                    .collect();
                Ints::I64(bits)
            }
            DataType::Boolean => Ints::read(&s.cast(&DataType::UInt8).ok()?)?,
            DataType::Categorical(_, _)
            | DataType::Enum(_, _)
            | DataType::Int8
            | DataType::Int16
            | DataType::Int32
            | DataType::Int64
            | DataType::UInt8
            | DataType::UInt16
            | DataType::UInt32
            | DataType::Datetime(_, _)
            | DataType::Duration(_) => Ints::read(&s.to_physical_repr())?,
            _ => return None,
        };
        let Some((min, max)) = ints.range() else {
            return Some(Part::Null);
        };
        let span = (max as i128 - min as i128) as u128 + 2;
        if span <= u64::MAX as u128 {
            let bits = 128 - (span - 1).leading_zeros();
            Some(Part::Packed { ints, min, bits })
        } else {
            let rows = s.len();
            let values = (0..rows).map(|r| ints.get(r).unwrap_or(0) as u64).collect();
            let nulls = (0..rows).map(|r| ints.get(r).is_none()).collect();
            Some(Part::Wide { values, nulls })
        }
    }

    /// Bits this part takes in a packed key, `None` if it cannot be packed.
    fn bits(&self) -> Option<u32> {
        match self {
            Part::Packed { bits, .. } => Some(*bits),
            Part::Null => Some(1),
            _ => None,
        }
    }

    /// Puts this part's code for each of rows `start..` in `out`: in
    /// place when `first`, else shifting the codes already there left by
    /// this part's bits.
    fn pack(&self, start: usize, out: &mut [u64], first: bool) {
        let Part::Packed { ints, min, bits } = self else {
            // Null throughout: code 0 in one bit.
            for k in out.iter_mut() {
                *k = if first {
                    0
                } else {
                    k.checked_shl(1).unwrap_or(0)
                };
            }
            return;
        };
        let (min, bits) = (*min, *bits);
        let code = move |v: i64| (v.wrapping_sub(min) as u64).wrapping_add(1);
        if first || bits >= 64 {
            ints.for_rows(start, out, code, |_, c| c);
        } else {
            ints.for_rows(start, out, code, move |k, c| (k << bits) | c);
        }
    }

    /// This part's number for each of rows `start..`, for a hashed key.
    fn codes(&self, start: usize, out: &mut [u64], state: &PlRandomState) {
        match self {
            Part::Packed { ints, min, .. } => {
                let min = *min;
                let code = move |v: i64| (v.wrapping_sub(min) as u64).wrapping_add(1);
                ints.for_rows(start, out, code, |_, c| c);
            }
            _ => {
                for (i, k) in out.iter_mut().enumerate() {
                    *k = self.hash(start + i, state);
                }
            }
        }
    }

    /// This part's number for row `row` in a hashed key.
    fn hash(&self, row: usize, state: &PlRandomState) -> u64 {
        match self {
            Part::Packed { ints, min, .. } => ints
                .get(row)
                .map_or(0, |v| (v.wrapping_sub(*min) as u64).wrapping_add(1)),
            Part::Null => 0,
            Part::Wide { values, nulls } => values[row] ^ u64::from(nulls[row]).rotate_right(1),
            Part::Text(ca) => state.hash_one(text(ca, row)),
            Part::Bytes(ca, nulls) => state.hash_one((bytes(ca, row), nulls[row])),
        }
    }

    fn same(&self, a: usize, b: usize) -> bool {
        match self {
            Part::Packed { ints, .. } => ints.get(a) == ints.get(b),
            Part::Null => true,
            Part::Wide { values, nulls } => values[a] == values[b] && nulls[a] == nulls[b],
            Part::Text(ca) => text(ca, a) == text(ca, b),
            Part::Bytes(ca, nulls) => nulls[a] == nulls[b] && bytes(ca, a) == bytes(ca, b),
        }
    }
}

fn text(ca: &StringChunked, row: usize) -> &str {
    match ca.downcast_iter().next() {
        // SAFETY: `row` < the column's length, and the column is one chunk.
        Some(arr) => unsafe { arr.value_unchecked(row) },
        None => "",
    }
}

fn bytes(ca: &BinaryChunked, row: usize) -> &[u8] {
    match ca.downcast_iter().next() {
        // SAFETY: `row` < the column's length, and the column is one chunk.
        Some(arr) => unsafe { arr.value_unchecked(row) },
        None => &[],
    }
}

/// SplitMix64's finalizer: a bijection of 64-bit numbers that scatters
/// every input bit over the output, so equal numbers stay equal and the
/// high bits choose buckets and table slots evenly.
pub(super) fn scramble(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The key columns of a grouping, read.
pub(super) struct Keys {
    parts: Vec<Part>,
    /// Whether the key numbers are the packed values themselves: equal
    /// numbers then mean equal keys, with no comparison.
    exact: bool,
    /// The bits the packed values take, when they are packed.
    packed_bits: Option<u32>,
    state: PlRandomState,
    /// Hashed key numbers are cut down to these bits: tests use a tiny
    /// mask to make every hashed key collide with others.
    hash_bits: u64,
}

impl Keys {
    /// The key columns (equal lengths) read for grouping, `None` for a type
    /// that cannot be grouped here.
    pub(super) fn read(columns: &[Series], hash_bits: u64) -> Option<Keys> {
        use rayon::prelude::*;
        let parts = columns
            .par_iter()
            .map(Part::read)
            .collect::<Option<Vec<Part>>>()?;
        let packed_bits: Option<u32> = parts.iter().map(Part::bits).sum();
        Some(Keys {
            exact: packed_bits.is_some_and(|b| b <= 64),
            packed_bits: packed_bits.filter(|&b| b <= 64),
            parts,
            state: PlRandomState::default(),
            hash_bits,
        })
    }

    /// Whether equal key numbers always mean equal keys.
    pub(super) fn exact(&self) -> bool {
        self.exact
    }

    /// The bits the packed keys take, `None` when keys are hashed.
    pub(super) fn packed_bits(&self) -> Option<u32> {
        self.packed_bits
    }

    /// The packed keys of rows `start..start + out.len()` (0 when every
    /// part is null), when the keys are packed.
    pub(super) fn packed(&self, start: usize, out: &mut [u64]) {
        for (i, p) in self.parts.iter().enumerate() {
            p.pack(start, out, i == 0);
        }
    }

    /// The key numbers of rows `start..start + out.len()`, scrambled.
    pub(super) fn numbers(&self, start: usize, out: &mut [u64]) {
        if self.exact {
            self.packed(start, out);
            for k in out.iter_mut() {
                *k = scramble(*k);
            }
        } else {
            out.fill(0);
            let mut codes = vec![0u64; out.len()];
            for p in &self.parts {
                p.codes(start, &mut codes, &self.state);
                for (k, &c) in out.iter_mut().zip(&codes) {
                    *k = scramble(k.rotate_left(5) ^ c);
                }
            }
            for k in out.iter_mut() {
                *k &= self.hash_bits;
            }
        }
    }

    /// Whether rows `a` and `b` have the same key, value by value.
    pub(super) fn same(&self, a: usize, b: usize) -> bool {
        self.parts.iter().all(|p| p.same(a, b))
    }
}
