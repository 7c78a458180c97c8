//! KQL's `decimal`: a 128-bit decimal number of up to 38 significant
//! digits, and how a column of them is held in Polars.
//!
//! Kusto names the type `System.Data.SqlTypes.SqlDecimal` (38 digits), and
//! `parse_version("99999999.99999999.99999999.99999999")` needs 32 of them,
//! so .NET's 29-digit `decimal` would not do. A value is an `i128`
//! mantissa with a scale (digits after the point): exact for what it holds,
//! and arithmetic is exact until a result needs more than 38 digits, when
//! its fraction is rounded half away from zero (as `round()` rounds). A
//! quotient that does not end keeps at most 28 fractional digits, the most
//! .NET's own decimal keeps (`1/3` is `0.3333333333333333333333333333`).
//! A result whose integer part needs more than 38 digits has no value
//! (null), never a wrapped or real one.
//!
//! A column is Polars' `Decimal(38, s)`, every value at the same scale `s`.
//! No one scale holds every 38-digit value (`1.2.3.4` as a version is a
//! 25-digit integer; `1/3` wants 28 fractional digits), so the scale is the
//! column's: [`COLUMN_SCALE`] (18) unless its values carry more fractional
//! digits, and lowered as far as its largest integer part needs. Columns of
//! different scales that meet (chunks joined, `iff` branches) are brought
//! to one with [`harmonize`].

use std::cmp::Ordering;
use std::fmt;

use num_bigint::BigUint;
use polars::prelude::*;

/// Significant digits a decimal holds.
pub const MAX_DIGITS: u32 = 38;

/// The scale of a decimal column whose values leave room for it.
pub const COLUMN_SCALE: u32 = 18;

/// Fractional digits kept of a quotient that does not end.
pub const DIVISION_SCALE: u32 = 28;

const POW10: [u128; 39] = {
    let mut out = [0u128; 39];
    let mut i = 0;
    let mut v = 1u128;
    while i < 39 {
        out[i] = v;
        v = v.wrapping_mul(10);
        i += 1;
    }
    out
};

/// 10^38: a mantissa's magnitude stays below it.
const LIMIT: u128 = POW10[38];

/// A decimal value: `mantissa / 10^scale`, at most 38 digits, kept without
/// trailing fractional zeros (so `1.50` and `1.5` are one value, and print
/// as `1.5`, as Kusto prints them).
///
/// The mantissa is kept as two 64-bit halves: an `i128` field would align
/// the type (and so every `Scalar`) to 16 bytes and make it larger.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: [u64; 2],
    scale: u8,
}

impl Decimal {
    pub const ZERO: Decimal = Decimal {
        mantissa: [0, 0],
        scale: 0,
    };

    /// A value of this mantissa and scale, as they are.
    const fn of(mantissa: i128, scale: u8) -> Decimal {
        let bits = mantissa as u128;
        Decimal {
            mantissa: [bits as u64, (bits >> 64) as u64],
            scale,
        }
    }

    /// The mantissa: the value is `mantissa / 10^scale`.
    pub const fn mantissa(self) -> i128 {
        (((self.mantissa[1] as u128) << 64) | self.mantissa[0] as u128) as i128
    }

    /// `mantissa / 10^scale`, rounded to 38 digits if it has more; `None`
    /// when its integer part alone has more than 38 digits.
    pub fn from_parts(mantissa: i128, scale: u32) -> Option<Decimal> {
        let magnitude = mantissa.unsigned_abs();
        if magnitude < LIMIT && scale <= MAX_DIGITS {
            return Some(Decimal::normalized(mantissa < 0, magnitude, scale));
        }
        from_ratio(
            mantissa < 0,
            BigUint::from(magnitude),
            &pow10_big(scale),
            MAX_DIGITS,
        )
    }

    /// The value with trailing fractional zeros dropped; `magnitude` is
    /// below 10^38 and `scale` at most 38.
    fn normalized(negative: bool, mut magnitude: u128, mut scale: u32) -> Decimal {
        if magnitude == 0 {
            return Decimal::ZERO;
        }
        while scale > 0 && magnitude.is_multiple_of(10) {
            magnitude /= 10;
            scale -= 1;
        }
        let mantissa = magnitude as i128;
        Decimal::of(if negative { -mantissa } else { mantissa }, scale as u8)
    }

    pub fn from_i64(v: i64) -> Decimal {
        Decimal::normalized(v < 0, u128::from(v.unsigned_abs()), 0)
    }

    /// A real as a decimal: the shortest digits that read back as the same
    /// real (`0.1` is 0.1, not 0.1000000000000000055511151231257827),
    /// rounded to 38 digits. `None` for NaN, infinities and reals of more
    /// than 38 integer digits.
    pub fn from_f64(v: f64) -> Option<Decimal> {
        if !v.is_finite() {
            return None;
        }
        // `{:e}` writes the shortest round-trip digits.
        Decimal::parse(&format!("{v:e}"))
    }

    /// Decimal text: an optional sign, digits with an optional point, an
    /// optional exponent (`1.5`, `-.25`, `3.`, `1e5`, `12.5E-3`); spaces
    /// around it are ignored. More than 38 digits are rounded; `None` for
    /// anything else or an integer part of more than 38 digits.
    pub fn parse(text: &str) -> Option<Decimal> {
        let t = text.trim().as_bytes();
        let (negative, t) = match t.first() {
            Some(b'-') => (true, &t[1..]),
            Some(b'+') => (false, &t[1..]),
            _ => (false, t),
        };
        let mantissa_end = t
            .iter()
            .position(|&c| c == b'e' || c == b'E')
            .unwrap_or(t.len());
        let (body, exponent) = t.split_at(mantissa_end);
        let exponent: i64 = match exponent {
            [] => 0,
            [_, rest @ ..] => {
                let digits = rest.strip_prefix(b"+").unwrap_or(rest);
                let unsigned = digits.strip_prefix(b"-").unwrap_or(digits);
                if unsigned.is_empty()
                    || unsigned.len() > 6
                    || !unsigned.iter().all(u8::is_ascii_digit)
                {
                    return None;
                }
                std::str::from_utf8(digits).ok()?.parse().ok()?
            }
        };
        let point = body.iter().position(|&c| c == b'.');
        let (whole, fraction) = match point {
            Some(p) => (&body[..p], &body[p + 1..]),
            None => (body, &body[..0]),
        };
        if whole.is_empty() && fraction.is_empty()
            || !whole.iter().chain(fraction).all(u8::is_ascii_digit)
        {
            return None;
        }
        let digits: Vec<u8> = whole
            .iter()
            .chain(fraction)
            .copied()
            .skip_while(|&c| c == b'0')
            .collect();
        if digits.is_empty() {
            return Some(Decimal::ZERO);
        }
        // Value: digits * 10^(exponent - fraction length).
        let power = exponent - fraction.len() as i64;
        let int_digits = digits.len() as i64 + power;
        if int_digits > i64::from(MAX_DIGITS) {
            return None;
        }
        if int_digits < -i64::from(MAX_DIGITS) {
            // Rounds to zero at any scale a decimal has.
            return Some(Decimal::ZERO);
        }
        let number = BigUint::parse_bytes(&digits, 10)?;
        if power >= 0 {
            from_ratio(
                negative,
                number * pow10_big(power as u32),
                &BigUint::from(1u32),
                0,
            )
        } else {
            from_ratio(negative, number, &pow10_big((-power) as u32), MAX_DIGITS)
        }
    }

    /// The nearest real.
    pub fn to_f64(self) -> f64 {
        // Both operands exact in a real: one correctly rounded division.
        if self.mantissa().unsigned_abs() < 1 << 53 && self.scale <= 22 {
            return self.mantissa() as f64 / POW10[usize::from(self.scale)] as f64;
        }
        // Rust reads decimal text correctly rounded.
        self.to_string().parse().unwrap_or(f64::NAN)
    }

    /// The integer part (truncated toward zero), if it fits a long.
    pub fn trunc_i64(self) -> Option<i64> {
        let whole = self.mantissa() / POW10[usize::from(self.scale)] as i128;
        i64::try_from(whole).ok()
    }

    /// The digits after the point.
    pub fn scale(self) -> u32 {
        u32::from(self.scale)
    }

    /// The digits before the point (0 for a value below 1).
    pub fn int_digits(self) -> u32 {
        let whole = self.mantissa().unsigned_abs() / POW10[usize::from(self.scale)];
        digit_count(whole)
    }

    pub fn is_zero(self) -> bool {
        self.mantissa() == 0
    }

    pub fn is_negative(self) -> bool {
        self.mantissa() < 0
    }

    pub fn abs(self) -> Decimal {
        Decimal::of(self.mantissa().abs(), self.scale)
    }

    /// The mantissa at `scale` (at least the value's own), `None` when it
    /// would not stay below 10^38.
    pub fn mantissa_at(self, scale: u32) -> Option<i128> {
        let up = scale.checked_sub(self.scale())?;
        let m = self
            .mantissa()
            .checked_mul(*POW10.get(up as usize)? as i128)?;
        (m.unsigned_abs() < LIMIT).then_some(m)
    }

    /// The mantissa at `scale`, rounded half away from zero when the value
    /// has more fractional digits; `None` past 38 digits.
    pub fn rounded_mantissa(self, scale: u32) -> Option<i128> {
        if scale >= self.scale() {
            return self.mantissa_at(scale);
        }
        let div = POW10[(self.scale() - scale) as usize];
        let magnitude = self.mantissa().unsigned_abs();
        let mut q = magnitude / div;
        if (magnitude % div) * 2 >= div {
            q += 1;
        }
        let q = q as i128;
        Some(if self.mantissa() < 0 { -q } else { q })
    }

    /// The value and `other` at one scale, if both fit it.
    fn aligned(self, other: Decimal) -> Option<(i128, i128, u32)> {
        let scale = self.scale().max(other.scale());
        Some((
            self.mantissa()
                .checked_mul(POW10[(scale - self.scale()) as usize] as i128)?,
            other
                .mantissa()
                .checked_mul(POW10[(scale - other.scale()) as usize] as i128)?,
            scale,
        ))
    }

    pub fn checked_add(self, other: Decimal) -> Option<Decimal> {
        if let Some((a, b, scale)) = self.aligned(other)
            && let Some(sum) = a.checked_add(b)
        {
            return Decimal::from_parts(sum, scale);
        }
        let (a, b, scale) = self.big_aligned(other);
        let (negative, magnitude) = signed_add(a, b);
        from_ratio(negative, magnitude, &pow10_big(scale), MAX_DIGITS)
    }

    pub fn checked_sub(self, other: Decimal) -> Option<Decimal> {
        self.checked_add(-other)
    }

    pub fn checked_mul(self, other: Decimal) -> Option<Decimal> {
        let scale = self.scale() + other.scale();
        if let Some(product) = self.mantissa().checked_mul(other.mantissa()) {
            return Decimal::from_parts(product, scale);
        }
        let magnitude =
            BigUint::from(self.mantissa().unsigned_abs()) * other.mantissa().unsigned_abs();
        from_ratio(
            self.is_negative() != other.is_negative(),
            magnitude,
            &pow10_big(scale),
            MAX_DIGITS,
        )
    }

    /// `None` when dividing by zero, as Kusto's integer division by zero
    /// gives null.
    pub fn checked_div(self, other: Decimal) -> Option<Decimal> {
        if other.is_zero() {
            return None;
        }
        // (a / 10^sa) / (b / 10^sb) = (a * 10^sb) / (b * 10^sa)
        let num = BigUint::from(self.mantissa().unsigned_abs()) * pow10_big(other.scale());
        let den = BigUint::from(other.mantissa().unsigned_abs()) * pow10_big(self.scale());
        from_ratio(
            self.is_negative() != other.is_negative(),
            num,
            &den,
            DIVISION_SCALE,
        )
    }

    /// Kusto's modulo, never negative: `0 <= a % b < abs(b)`.
    pub fn checked_rem(self, other: Decimal) -> Option<Decimal> {
        if other.is_zero() {
            return None;
        }
        let ((a_neg, a), (_, b), scale) = self.big_aligned(other);
        let mut r = &a % &b;
        if a_neg && r != BigUint::ZERO {
            r = &b - r;
        }
        from_ratio(false, r, &pow10_big(scale), MAX_DIGITS)
    }

    /// Both values at one scale, as signed magnitudes.
    fn big_aligned(self, other: Decimal) -> ((bool, BigUint), (bool, BigUint), u32) {
        let scale = self.scale().max(other.scale());
        let up = |d: Decimal| {
            (
                d.is_negative(),
                BigUint::from(d.mantissa().unsigned_abs()) * pow10_big(scale - d.scale()),
            )
        };
        (up(self), up(other), scale)
    }

    /// Rounded half away from zero to `digits` fractional digits (negative
    /// digits round to tens, hundreds, ...), as `round()` rounds.
    pub fn round(self, digits: i64) -> Option<Decimal> {
        if digits >= i64::from(self.scale()) {
            return Some(self);
        }
        let magnitude = BigUint::from(self.mantissa().unsigned_abs());
        let drop = i64::from(self.scale()) - digits;
        if drop > i64::from(2 * MAX_DIGITS) {
            return Some(Decimal::ZERO);
        }
        let div = pow10_big(drop as u32);
        let mut q = &magnitude / &div;
        if (magnitude % &div) * 2u32 >= div {
            q += 1u32;
        }
        // q * 10^-digits
        if digits >= 0 {
            from_ratio(self.is_negative(), q, &pow10_big(digits as u32), MAX_DIGITS)
        } else {
            from_ratio(
                self.is_negative(),
                q * pow10_big((-digits) as u32),
                &BigUint::from(1u32),
                0,
            )
        }
    }

    /// The largest multiple of `step` not above the value (`bin`, `floor`).
    /// `None` for a step that is not positive.
    pub fn floor_to(self, step: Decimal) -> Option<Decimal> {
        if step.is_zero() || step.is_negative() {
            return None;
        }
        let within = self.checked_rem(step)?;
        self.checked_sub(within)
    }

    /// The smallest whole number not below the value.
    pub fn ceiling(self) -> Option<Decimal> {
        let floor = self.floor_to(Decimal::from_i64(1))?;
        if floor == self {
            Some(self)
        } else {
            floor.checked_add(Decimal::from_i64(1))
        }
    }
}

impl Ord for Decimal {
    fn cmp(&self, other: &Decimal) -> Ordering {
        if let Some((a, b, _)) = self.aligned(*other) {
            return a.cmp(&b);
        }
        match (self.is_negative(), other.is_negative()) {
            (true, false) => Ordering::Less,
            (false, true) => Ordering::Greater,
            (negative, _) => {
                let ((_, a), (_, b), _) = self.big_aligned(*other);
                if negative { b.cmp(&a) } else { a.cmp(&b) }
            }
        }
    }
}

impl std::ops::Neg for Decimal {
    type Output = Decimal;

    fn neg(self) -> Decimal {
        Decimal::of(-self.mantissa(), self.scale)
    }
}

impl PartialOrd for Decimal {
    fn partial_cmp(&self, other: &Decimal) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = self.mantissa().unsigned_abs().to_string();
        let sign = if self.mantissa() < 0 { "-" } else { "" };
        let scale = usize::from(self.scale);
        if scale == 0 {
            return write!(f, "{sign}{digits}");
        }
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

fn digit_count(v: u128) -> u32 {
    if v == 0 { 0 } else { v.ilog10() + 1 }
}

fn pow10_big(n: u32) -> BigUint {
    BigUint::from(10u32).pow(n)
}

/// `a + b` of signed magnitudes.
fn signed_add(a: (bool, BigUint), b: (bool, BigUint)) -> (bool, BigUint) {
    match (a, b) {
        ((an, a), (bn, b)) if an == bn => (an, a + b),
        ((an, a), (_, b)) => {
            if a >= b {
                (an, a - b)
            } else {
                (!an, b - a)
            }
        }
    }
}

/// `num / den` (den > 0), signed, rounded half away from zero to at most
/// `max_scale` fractional digits and 38 significant digits: the one
/// rounding every result goes through. `None` when the integer part has
/// more than 38 digits.
fn from_ratio(negative: bool, num: BigUint, den: &BigUint, max_scale: u32) -> Option<Decimal> {
    let whole = &num / den;
    let int_digits = if whole == BigUint::ZERO {
        0
    } else {
        whole.to_string().len() as u32
    };
    if int_digits > MAX_DIGITS {
        return None;
    }
    let mut scale = max_scale.min(MAX_DIGITS - int_digits);
    let scaled = num * pow10_big(scale);
    let mut q = &scaled / den;
    if (scaled % den) * 2u32 >= *den {
        q += 1u32;
    }
    let mut q = u128::try_from(&q).ok()?;
    if q >= LIMIT {
        // Rounding carried into a 39th digit (99.95 -> 100.0): the last
        // digit is a zero, dropped exactly.
        if scale == 0 {
            return None;
        }
        q /= 10;
        scale -= 1;
    }
    Some(Decimal::normalized(negative, q, scale))
}

// ---------------------------------------------------------------------------
// Columns.

/// Whether a Polars type holds decimals.
pub fn is_decimal(dtype: &DataType) -> bool {
    matches!(dtype, DataType::Decimal(_, _))
}

/// The Polars type of a decimal column of `scale`.
pub fn dtype(scale: u32) -> DataType {
    DataType::Decimal(MAX_DIGITS as usize, scale as usize)
}

/// The scale a column holding `values` takes (see the module's note).
pub fn column_scale<'a>(values: impl IntoIterator<Item = &'a Decimal>) -> u32 {
    let (mut fraction, mut whole) = (0, 0);
    for v in values {
        fraction = fraction.max(v.scale());
        whole = whole.max(v.int_digits());
    }
    fraction.max(COLUMN_SCALE).min(MAX_DIGITS - whole)
}

/// A decimal column of `values` (null where `None`).
pub fn column(name: PlSmallStr, values: &[Option<Decimal>]) -> Series {
    let scale = column_scale(values.iter().flatten());
    let mantissas: Int128Chunked = values
        .iter()
        .map(|v| v.and_then(|d| d.rounded_mantissa(scale)))
        .collect();
    mantissas
        .with_name(name)
        .into_decimal_unchecked(MAX_DIGITS as usize, scale as usize)
        .into_series()
}

/// The values of a decimal column, `None` if it is not one.
pub fn values(series: &Series) -> Option<Vec<Option<Decimal>>> {
    let ca = series.decimal().ok()?;
    let scale = ca.scale() as u32;
    Some(
        ca.physical()
            .iter()
            .map(|m| m.and_then(|m| Decimal::from_parts(m, scale)))
            .collect(),
    )
}

/// Row `i` of a decimal column, as Polars hands it out.
pub fn from_any(mantissa: i128, scale: usize) -> Option<Decimal> {
    Decimal::from_parts(mantissa, scale as u32)
}

/// The column's values at `scale`, rounded half away from zero when the
/// scale is lower; a value that would pass 38 digits becomes null (callers
/// choose a scale that holds every value, see [`harmonize`]).
pub fn rescale(series: &Series, scale: u32) -> Series {
    match series.dtype() {
        DataType::Decimal(_, s) if *s as u32 == scale => series.clone(),
        _ => {
            let values = values(series).unwrap_or_default();
            let mantissas: Int128Chunked = values
                .iter()
                .map(|v| v.and_then(|d| d.rounded_mantissa(scale)))
                .collect();
            mantissas
                .with_name(series.name().clone())
                .into_decimal_unchecked(MAX_DIGITS as usize, scale as usize)
                .into_series()
        }
    }
}

/// The scale that holds the values of every decimal column of `columns`:
/// the most fractional digits any has, lowered as far as the largest
/// integer part needs. `None` when none is a decimal column.
pub fn common_scale<'a>(columns: impl IntoIterator<Item = &'a Series>) -> Option<u32> {
    let (mut fraction, mut whole, mut any) = (0u32, 0u32, false);
    for c in columns {
        let Ok(ca) = c.decimal() else { continue };
        any = true;
        let scale = ca.scale() as u32;
        fraction = fraction.max(scale);
        let (lo, hi) = ca.physical().min_max().unwrap_or((0, 0));
        let largest = lo.unsigned_abs().max(hi.unsigned_abs());
        whole = whole.max(digit_count(largest / POW10[scale as usize]));
    }
    any.then(|| fraction.min(MAX_DIGITS - whole))
}

/// Brings the decimal columns among `columns` to one scale (so they can be
/// appended or zipped); other columns are left as they are.
pub fn harmonize(columns: &mut [Series]) {
    let Some(scale) = common_scale(columns.iter()) else {
        return;
    };
    for c in columns.iter_mut() {
        if is_decimal(c.dtype()) {
            *c = rescale(c, scale);
        }
    }
}

/// Appends `part` to `out`, first bringing decimal columns of different
/// scales to one.
pub fn append(out: &mut Series, part: &Series) -> PolarsResult<()> {
    if out.dtype() != part.dtype() && is_decimal(out.dtype()) && is_decimal(part.dtype()) {
        let mut both = [out.clone(), part.clone()];
        harmonize(&mut both);
        let [first, second] = both;
        *out = first;
        out.append(&second)?;
        return Ok(());
    }
    out.append(part).map(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(text: &str) -> Decimal {
        Decimal::parse(text).unwrap_or_else(|| panic!("{text} parses"))
    }

    #[test]
    fn parses_and_prints_without_trailing_zeros() {
        for (text, printed) in [
            ("1.50", "1.5"),
            ("-0.10", "-0.1"),
            ("000123.45600", "123.456"),
            ("1e5", "100000"),
            ("12.5E-3", "0.0125"),
            (".25", "0.25"),
            ("3.", "3"),
            ("+7", "7"),
            ("-0", "0"),
            (" 42 ", "42"),
            (
                "99999999999999999999999999999999999999",
                "99999999999999999999999999999999999999",
            ),
            ("1000000020000000300000004", "1000000020000000300000004"),
        ] {
            assert_eq!(d(text).to_string(), printed, "{text}");
        }
    }

    #[test]
    fn text_that_is_no_decimal() {
        for text in [
            "", "-", ".", "1.2.3", "abc", "1e", "e5", "NaN", "Infinity", "0x10", "1,5", "--1",
        ] {
            assert_eq!(Decimal::parse(text), None, "{text:?}");
        }
        // 39 integer digits do not fit.
        assert_eq!(Decimal::parse(&"9".repeat(39)), None);
        assert_eq!(Decimal::parse("1e38"), None);
    }

    #[test]
    fn more_than_38_digits_round_half_away_from_zero() {
        // 38 fractional digits of a value below 1 are 38 significant ones.
        let kept = format!("0.{}5", "1".repeat(37));
        assert_eq!(d(&kept).to_string(), kept);
        let long = format!("0.{}5", "1".repeat(38));
        assert_eq!(d(&long).to_string(), format!("0.{}2", "1".repeat(37)));
        assert_eq!(
            d(&format!("-{long}")).to_string(),
            format!("-0.{}2", "1".repeat(37))
        );
        // Rounding up carries into the integer part.
        assert_eq!(d(&format!("9.{}", "9".repeat(40))).to_string(), "10");
    }

    #[test]
    fn reals_convert_by_their_shortest_digits() {
        let from = |v: f64| Decimal::from_f64(v).map(|d| d.to_string());
        assert_eq!(from(0.1).as_deref(), Some("0.1"));
        assert_eq!(from(-2.5e-7).as_deref(), Some("-0.00000025"));
        assert_eq!(from(1e20).as_deref(), Some("100000000000000000000"));
        assert_eq!(from(f64::NAN), None);
        assert_eq!(from(f64::INFINITY), None);
        assert_eq!(from(1e300), None);
        assert_eq!(d("0.1").to_f64(), 0.1);
    }

    #[test]
    fn arithmetic_is_exact() {
        let three = Decimal::from_i64(3);
        assert_eq!(d("0.1").checked_mul(three), Some(d("0.3")));
        assert_eq!(d("0.1").checked_add(d("0.2")), Some(d("0.3")));
        assert_eq!(d("1.5").checked_sub(d("2.25")), Some(d("-0.75")));
        assert_eq!(d("7.5").checked_div(d("2.5")), Some(three));
        assert_eq!(
            Decimal::from_i64(1)
                .checked_div(three)
                .map(|v| v.to_string()),
            Some(format!("0.{}", "3".repeat(28)))
        );
        assert_eq!(
            Decimal::from_i64(2)
                .checked_div(three)
                .map(|v| v.to_string()),
            Some(format!("0.{}7", "6".repeat(27)))
        );
        assert_eq!(Decimal::from_i64(1).checked_div(Decimal::ZERO), None);
    }

    #[test]
    fn results_past_38_digits() {
        let big = d(&"9".repeat(38));
        assert_eq!(big.checked_add(Decimal::from_i64(1)), None);
        assert_eq!(big.checked_mul(d("10")), None);
        // A product of many digits keeps 38 of them (exact product:
        // 1524157875323883675.04953515625361987875019051998750190521).
        let x = d("1234567890.1234567890123456789");
        let p = x.checked_mul(x).map(|v| v.to_string());
        assert_eq!(
            p.as_deref(),
            Some("1524157875323883675.0495351562536198788")
        );
        // Sums of values far apart in scale.
        let tiny = d(&format!("0.{}1", "0".repeat(36)));
        let sum = d("10").checked_add(tiny).map(|v| v.to_string());
        assert_eq!(sum.as_deref(), Some("10"));
    }

    #[test]
    fn modulo_is_never_negative() {
        let m = |a: &str, b: &str| d(a).checked_rem(d(b)).map(|v| v.to_string());
        assert_eq!(m("7.5", "2").as_deref(), Some("1.5"));
        assert_eq!(m("-7.5", "2").as_deref(), Some("0.5"));
        assert_eq!(m("-14", "-12").as_deref(), Some("10"));
        assert_eq!(m("1", "0"), None);
    }

    #[test]
    fn ordering_across_scales_and_magnitudes() {
        let mut v = [
            d("1.5"),
            d("-2"),
            d("1000000020000000300000004"),
            d("0.0000000000000000000000000001"),
            d("1.50"),
            d(&format!("-{}", "9".repeat(38))),
        ];
        v.sort();
        let printed: Vec<String> = v.iter().map(ToString::to_string).collect();
        assert_eq!(
            printed,
            [
                format!("-{}", "9".repeat(38)),
                "-2".into(),
                "0.0000000000000000000000000001".into(),
                "1.5".into(),
                "1.5".into(),
                "1000000020000000300000004".into(),
            ]
        );
        assert_eq!(d("1.50"), d("1.5"));
    }

    #[test]
    fn rounding_and_binning() {
        let r = |a: &str, n: i64| d(a).round(n).map(|v| v.to_string());
        assert_eq!(r("2.45", 1).as_deref(), Some("2.5"));
        assert_eq!(r("-2.45", 1).as_deref(), Some("-2.5"));
        assert_eq!(r("1234.5", -2).as_deref(), Some("1200"));
        assert_eq!(r("0.5", 0).as_deref(), Some("1"));
        assert_eq!(r("1.25", 5).as_deref(), Some("1.25"));
        let b = |a: &str, s: &str| d(a).floor_to(d(s)).map(|v| v.to_string());
        assert_eq!(b("4.7", "0.5").as_deref(), Some("4.5"));
        assert_eq!(b("-4.7", "1").as_deref(), Some("-5"));
        assert_eq!(b("4.7", "0"), None);
        assert_eq!(d("-4.2").ceiling(), Some(d("-4")));
        assert_eq!(d("4.2").ceiling(), Some(d("5")));
    }

    #[test]
    fn columns_take_a_scale_that_holds_every_value() {
        let values = [Some(d("1.5")), None, Some(d("-0.25"))];
        let c = column("x".into(), &values);
        assert_eq!(c.dtype(), &DataType::Decimal(38, 18));
        assert_eq!(self::values(&c), Some(values.to_vec()));
        // A 25-digit version number leaves 13 fractional digits.
        let version = d("1000000020000000300000004");
        let c = column("v".into(), &[Some(version), Some(d("0.5"))]);
        assert_eq!(c.dtype(), &DataType::Decimal(38, 13));
        assert_eq!(self::values(&c), Some(vec![Some(version), Some(d("0.5"))]));
        // Many fractional digits raise the scale.
        let third = Decimal::from_i64(1).checked_div(Decimal::from_i64(3));
        let c = column("t".into(), &[third]);
        assert_eq!(c.dtype(), &DataType::Decimal(38, 28));
    }

    #[test]
    fn columns_of_different_scales_join() {
        let mut a = column("x".into(), &[Some(d("0.5"))]);
        let b = column("x".into(), &[Some(d("1000000020000000300000004"))]);
        append(&mut a, &b).expect("appends");
        assert_eq!(a.dtype(), &DataType::Decimal(38, 13));
        assert_eq!(
            values(&a),
            Some(vec![Some(d("0.5")), Some(d("1000000020000000300000004"))])
        );
    }
}
