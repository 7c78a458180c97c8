//! `rand()` and `new_guid()`: a fresh value per row, different on every
//! run, as in Kusto. The generator is ChaCha8, seeded from the process's
//! random hasher keys and a counter, so no two calls share a stream.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};

use polars::prelude::*;
use rand_chacha::ChaCha8Rng;
use rand_core::{Rng, SeedableRng};

use super::convert::expect_integer;
use super::{Call, ScalarFunction};
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "rand",
        min_args: 0,
        max_args: 1,
        eval: rand,
    },
    ScalarFunction {
        name: "new_guid",
        min_args: 0,
        max_args: 0,
        eval: new_guid,
    },
];

/// A generator no other call shares.
fn generator() -> ChaCha8Rng {
    static CALLS: AtomicU64 = AtomicU64::new(0);
    let mut h = RandomState::new().build_hasher();
    h.write_u64(CALLS.fetch_add(1, Ordering::Relaxed));
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    h.write_u64(nanos);
    ChaCha8Rng::seed_from_u64(h.finish())
}

/// Uniform in `[0, 1)`, 53 bits.
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 / (1u64 << 53) as f64
}

/// `rand()`: a real in [0, 1); `rand(n)`: a long in [0, n - 1].
fn rand(call: &Call) -> Result<Val, QueryError> {
    let mut rng = generator();
    let rows = call.rows.max(1);
    if call.args.is_empty() {
        let v: Vec<f64> = (0..rows).map(|_| unit(&mut rng)).collect();
        return Ok(column_or_scalar(
            Float64Chunked::from_vec("".into(), v).into_series(),
            call.rows,
        ));
    }
    expect_integer(call, 0)?;
    let n = call.constant_long(0)?;
    if n <= 0 {
        return Err(QueryError::type_error(
            format!("rand(n) needs a positive n, not {n}"),
            call.arg_span(0),
        ));
    }
    let v: Vec<i64> = (0..rows)
        .map(|_| ((unit(&mut rng) * n as f64) as i64).min(n - 1))
        .collect();
    Ok(column_or_scalar(
        Int64Chunked::from_vec("".into(), v).into_series(),
        call.rows,
    ))
}

/// A column of one value per row; over no rows (`print`'s frame is one
/// row), the one value.
fn column_or_scalar(s: Series, rows: usize) -> Val {
    if rows == 0 {
        Val::Scalar(Scalar::from_series(&s, 0))
    } else {
        Val::Column(s)
    }
}

/// `new_guid()`: a random (version 4) GUID per row, as text.
fn new_guid(call: &Call) -> Result<Val, QueryError> {
    let mut rng = generator();
    let guids: Vec<String> = (0..call.rows.max(1))
        .map(|_| {
            let mut b = [0u8; 16];
            rng.fill_bytes(&mut b);
            b[6] = (b[6] & 0x0f) | 0x40;
            b[8] = (b[8] & 0x3f) | 0x80;
            let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
            format!(
                "{}-{}-{}-{}-{}",
                &hex[0..8],
                &hex[8..12],
                &hex[12..16],
                &hex[16..20],
                &hex[20..32]
            )
        })
        .collect();
    Ok(column_or_scalar(
        StringChunked::from_iter_values("".into(), guids.into_iter()).into_series(),
        call.rows,
    ))
}
