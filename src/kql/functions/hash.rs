//! Hash functions: `hash` (xxHash64, as Kusto computes it), `hash_sha256`,
//! `hash_sha1`, `hash_md5`.
//!
//! The cryptographic hashes are of the value's text as UTF-8 and give lower
//! case hex, as Kusto's do, so a hash from Quarry matches the SHA256 column
//! of a Defender export. MD5 and SHA-1 are small enough to carry here rather
//! than as dependencies; they are used to name files, never for security.

use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::convert::{as_long, expect_integer};
use super::{Call, ScalarFunction};
use crate::data::time::NANOS_PER_TICK;
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The hash functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "hash",
        min_args: 1,
        max_args: 2,
        eval: hash,
    },
    ScalarFunction {
        name: "hash_xxhash64",
        min_args: 1,
        max_args: 2,
        eval: hash,
    },
    ScalarFunction {
        name: "hash_combine",
        min_args: 2,
        max_args: 64,
        eval: hash_combine,
    },
    ScalarFunction {
        name: "hash_many",
        min_args: 2,
        max_args: 64,
        eval: hash_many,
    },
    ScalarFunction {
        name: "hash_sha256",
        min_args: 1,
        max_args: 1,
        eval: hash_sha256,
    },
    ScalarFunction {
        name: "hash_sha1",
        min_args: 1,
        max_args: 1,
        eval: hash_sha1,
    },
    ScalarFunction {
        name: "hash_md5",
        min_args: 1,
        max_args: 1,
        eval: hash_md5,
    },
];

/// A digest of each value's text, as lower-case hex.
fn digest_text(call: &Call, f: fn(&[u8]) -> Vec<u8>) -> Result<Val, QueryError> {
    Ok(match &call.args[0] {
        Val::Scalar(s) => Val::Scalar(Scalar::String(hex(&f(s.to_text().as_bytes())))),
        v => {
            let text = v.to_text(call.rows);
            let out: StringChunked = text
                .iter()
                .map(|t| Some(hex(&f(t.unwrap_or("").as_bytes()))))
                .collect();
            Val::Column(out.into_series())
        }
    })
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn hash_sha256(call: &Call) -> Result<Val, QueryError> {
    digest_text(call, |b| Sha256::digest(b).to_vec())
}

fn hash_sha1(call: &Call) -> Result<Val, QueryError> {
    digest_text(call, |b| sha1(b).to_vec())
}

fn hash_md5(call: &Call) -> Result<Val, QueryError> {
    digest_text(call, |b| md5(b).to_vec())
}

/// `hash(x[, mod])`: xxHash64 (seed 0) of the value's bytes: UTF-8 for
/// text, little-endian for numbers, ticks for datetimes and timespans.
/// With `mod`, the unsigned hash modulo `mod`, so 0 to mod - 1.
fn hash(call: &Call) -> Result<Val, QueryError> {
    if call.args.len() > 1 {
        expect_integer(call, 1)?;
    }
    call.rowwise(KqlType::Long, |a| {
        let Some(h) = value_hash(&a[0]) else {
            return Ok(Scalar::Null(KqlType::Long));
        };
        Ok(match a.get(1) {
            None => Scalar::Long(h as i64),
            Some(m) => match as_long(m) {
                Some(m) if m > 0 => Scalar::Long((h % m as u64) as i64),
                _ => Scalar::Null(KqlType::Long),
            },
        })
    })
}

/// `hash()` of one value: xxHash64 (seed 0) of its bytes; `None` for null.
pub fn value_hash(s: &Scalar) -> Option<u64> {
    Some(match s {
        s if s.is_null() => return None,
        Scalar::Bool(b) => xxh64(&[u8::from(*b)], 0),
        Scalar::Int(v) => xxh64(&v.to_le_bytes(), 0),
        Scalar::Long(v) => xxh64(&v.to_le_bytes(), 0),
        Scalar::Real(v) => xxh64(&v.to_le_bytes(), 0),
        Scalar::Datetime(_) => {
            let ticks = as_long(s).unwrap_or_default();
            xxh64(&ticks.to_le_bytes(), 0)
        }
        Scalar::Timespan(ns) => xxh64(&(ns / NANOS_PER_TICK).to_le_bytes(), 0),
        other => xxh64(other.to_text().as_bytes(), 0),
    })
}

/// Several hashes as one: xxHash64 of their little-endian bytes in order.
/// Kusto does not document its combination (and warns that it may
/// change), so the values differ from Kusto's; within Quarry,
/// `hash_many(a, b)` is `hash_combine(hash(a), hash(b))`, as documented.
pub fn combine(hashes: &[u64]) -> u64 {
    let bytes: Vec<u8> = hashes.iter().flat_map(|h| h.to_le_bytes()).collect();
    xxh64(&bytes, 0)
}

/// `hash_combine(h1, h2, ...)`: null if any is null.
fn hash_combine(call: &Call) -> Result<Val, QueryError> {
    for i in 0..call.args.len() {
        expect_integer(call, i)?;
    }
    call.rowwise(KqlType::Long, |a| {
        let hashes: Option<Vec<u64>> = a.iter().map(|h| as_long(h).map(|h| h as u64)).collect();
        Ok(hashes.map_or(Scalar::Null(KqlType::Long), |h| {
            Scalar::Long(combine(&h) as i64)
        }))
    })
}

/// `hash_many(x1, x2, ...)`: the combination of each value's `hash()`; a
/// null value hashes as 0.
fn hash_many(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Long, |a| {
        let hashes: Vec<u64> = a.iter().map(|v| value_hash(v).unwrap_or(0)).collect();
        Ok(Scalar::Long(combine(&hashes) as i64))
    })
}

// ---------------------------------------------------------------------------
// xxHash64 (https://github.com/Cyan4973/xxHash/blob/dev/doc/xxhash_spec.md).

const P1: u64 = 0x9E37_79B1_85EB_CA87;
const P2: u64 = 0xC2B2_AE3D_27D4_EB4F;
const P3: u64 = 0x1656_67B1_9E37_79F9;
const P4: u64 = 0x85EB_CA77_C2B2_AE63;
const P5: u64 = 0x27D4_EB2F_1656_67C5;

fn read_u64(b: &[u8]) -> u64 {
    let mut a = [0u8; 8];
    a.copy_from_slice(&b[..8]);
    u64::from_le_bytes(a)
}

fn read_u32(b: &[u8]) -> u32 {
    let mut a = [0u8; 4];
    a.copy_from_slice(&b[..4]);
    u32::from_le_bytes(a)
}

fn xxh_round(acc: u64, lane: u64) -> u64 {
    acc.wrapping_add(lane.wrapping_mul(P2))
        .rotate_left(31)
        .wrapping_mul(P1)
}

fn xxh_merge(acc: u64, v: u64) -> u64 {
    (acc ^ xxh_round(0, v)).wrapping_mul(P1).wrapping_add(P4)
}

/// xxHash64 of `data`.
pub fn xxh64(data: &[u8], seed: u64) -> u64 {
    let len = data.len() as u64;
    let mut rest = data;
    let mut h = if data.len() >= 32 {
        let mut v = [
            seed.wrapping_add(P1).wrapping_add(P2),
            seed.wrapping_add(P2),
            seed,
            seed.wrapping_sub(P1),
        ];
        while rest.len() >= 32 {
            for (k, acc) in v.iter_mut().enumerate() {
                *acc = xxh_round(*acc, read_u64(&rest[k * 8..]));
            }
            rest = &rest[32..];
        }
        let mut h = v[0]
            .rotate_left(1)
            .wrapping_add(v[1].rotate_left(7))
            .wrapping_add(v[2].rotate_left(12))
            .wrapping_add(v[3].rotate_left(18));
        for acc in v {
            h = xxh_merge(h, acc);
        }
        h
    } else {
        seed.wrapping_add(P5)
    };
    h = h.wrapping_add(len);
    while rest.len() >= 8 {
        h = (h ^ xxh_round(0, read_u64(rest)))
            .rotate_left(27)
            .wrapping_mul(P1)
            .wrapping_add(P4);
        rest = &rest[8..];
    }
    if rest.len() >= 4 {
        h = (h ^ u64::from(read_u32(rest)).wrapping_mul(P1))
            .rotate_left(23)
            .wrapping_mul(P2)
            .wrapping_add(P3);
        rest = &rest[4..];
    }
    for &b in rest {
        h = (h ^ u64::from(b).wrapping_mul(P5))
            .rotate_left(11)
            .wrapping_mul(P1);
    }
    h ^= h >> 33;
    h = h.wrapping_mul(P2);
    h ^= h >> 29;
    h = h.wrapping_mul(P3);
    h ^ (h >> 32)
}

// ---------------------------------------------------------------------------
// MD5 (RFC 1321) and SHA-1 (FIPS 180-4).

/// Splits a message into 64-byte blocks with MD-style padding (a 1 bit,
/// zeros, then the bit length, little- or big-endian).
fn padded(data: &[u8], big_endian: bool) -> Vec<u8> {
    let bits = (data.len() as u64).wrapping_mul(8);
    let mut m = data.to_vec();
    m.push(0x80);
    while m.len() % 64 != 56 {
        m.push(0);
    }
    m.extend_from_slice(&if big_endian {
        bits.to_be_bytes()
    } else {
        bits.to_le_bytes()
    });
    m
}

/// MD5 of `data`.
pub fn md5(data: &[u8]) -> [u8; 16] {
    const S: [u32; 64] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 5, 9, 14, 20, 5, 9, 14, 20, 5,
        9, 14, 20, 5, 9, 14, 20, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 6, 10,
        15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ];
    // K[i] = floor(abs(sin(i + 1)) * 2^32), computed once rather than listed.
    let k: Vec<u32> = (0..64)
        .map(|i| ((i as f64 + 1.0).sin().abs() * 4_294_967_296.0) as u32)
        .collect();
    let mut st: [u32; 4] = [0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476];
    for block in padded(data, false).chunks_exact(64) {
        let w: Vec<u32> = block.chunks_exact(4).map(read_u32).collect();
        let [mut a, mut b, mut c, mut d] = st;
        for i in 0..64 {
            let (f, g) = match i / 16 {
                0 => ((b & c) | (!b & d), i),
                1 => ((d & b) | (!d & c), (5 * i + 1) % 16),
                2 => (b ^ c ^ d, (3 * i + 5) % 16),
                _ => (c ^ (b | !d), (7 * i) % 16),
            };
            let t = d;
            d = c;
            c = b;
            b = b.wrapping_add(
                a.wrapping_add(f)
                    .wrapping_add(k[i])
                    .wrapping_add(w[g])
                    .rotate_left(S[i]),
            );
            a = t;
        }
        st = [
            st[0].wrapping_add(a),
            st[1].wrapping_add(b),
            st[2].wrapping_add(c),
            st[3].wrapping_add(d),
        ];
    }
    let mut out = [0u8; 16];
    for (i, v) in st.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_le_bytes());
    }
    out
}

/// SHA-1 of `data`.
pub fn sha1(data: &[u8]) -> [u8; 20] {
    let mut h: [u32; 5] = [
        0x6745_2301,
        0xEFCD_AB89,
        0x98BA_DCFE,
        0x1032_5476,
        0xC3D2_E1F0,
    ];
    for block in padded(data, true).chunks_exact(64) {
        let mut w = [0u32; 80];
        for (i, c) in block.chunks_exact(4).enumerate() {
            w[i] = u32::from_be_bytes([c[0], c[1], c[2], c[3]]);
        }
        for i in 16..80 {
            w[i] = (w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]).rotate_left(1);
        }
        let [mut a, mut b, mut c, mut d, mut e] = h;
        for (i, wi) in w.iter().enumerate() {
            let (f, k) = match i / 20 {
                0 => ((b & c) | (!b & d), 0x5A82_7999),
                1 => (b ^ c ^ d, 0x6ED9_EBA1),
                2 => ((b & c) | (b & d) | (c & d), 0x8F1B_BCDC),
                _ => (b ^ c ^ d, 0xCA62_C1D6),
            };
            let t = a
                .rotate_left(5)
                .wrapping_add(f)
                .wrapping_add(e)
                .wrapping_add(k)
                .wrapping_add(*wi);
            e = d;
            d = c;
            c = b.rotate_left(30);
            b = a;
            a = t;
        }
        for (x, y) in h.iter_mut().zip([a, b, c, d, e]) {
            *x = x.wrapping_add(y);
        }
    }
    let mut out = [0u8; 20];
    for (i, v) in h.iter().enumerate() {
        out[i * 4..i * 4 + 4].copy_from_slice(&v.to_be_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digests() {
        assert_eq!(hex(&md5(b"")), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(
            hex(&md5(b"The quick brown fox jumps over the lazy dog")),
            "9e107d9d372bb6826bd81d3542a419d6"
        );
        assert_eq!(
            hex(&sha1(b"abc")),
            "a9993e364706816aba3e25717850c26c9cd0d89d"
        );
        assert_eq!(hex(&sha1(b"")), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
        assert_eq!(xxh64(b"", 0), 0xEF46_DB37_51D8_E999);
    }
}
