//! Distinct counts that can be stored and merged: the aggregates `hll`,
//! `hll_if` and `hll_merge`, and the functions `hll_merge(h1, h2, ...)`
//! and `dcount_hll`.
//!
//! A sketch is dynamic, in the shape Kusto's documentation shows:
//! `[[limit, precision], [hashes...], [registers...]]`. While a set has at
//! most `limit` distinct values its sketch lists their `hash()` values
//! (as strings, as Kusto writes them), so a small count is exact and
//! matches Kusto's sparse sketches value for value; past the limit it holds
//! the 2^precision HyperLogLog registers (Quarry's own dense layout, which
//! Kusto does not document).

use std::collections::HashSet;

use polars::prelude::*;
use serde_json::{Value as Json, json};

use super::aggregates::{AggInput, AggOutput, AggregateFunction, Post, pred};
use super::group_udf::{json_column, per_group};
use super::hash::value_hash;
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, parse_json_bytes};

/// The aggregates of this family, as `aggregates::lookup` finds them.
pub const AGGREGATES: &[AggregateFunction] = &[
    AggregateFunction {
        name: "hll",
        min_args: 1,
        max_args: 2,
        plan: |a| build(a, false),
    },
    AggregateFunction {
        name: "hll_if",
        min_args: 2,
        max_args: 3,
        plan: |a| build(a, true),
    },
    AggregateFunction {
        name: "hll_merge",
        min_args: 1,
        max_args: 1,
        plan: merge_aggregate,
    },
];

/// The scalar functions of this family.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "dcount_hll",
        min_args: 1,
        max_args: 1,
        eval: dcount_hll,
    },
    ScalarFunction {
        name: "hll_merge",
        min_args: 2,
        max_args: 64,
        eval: merge_function,
    },
];

/// The precision (log2 of the register count) of each accuracy level
/// Kusto documents (0 to 4; 1 is the default).
const PRECISIONS: [u32; 5] = [12, 14, 16, 17, 18];

/// How many values a sketch of precision `p` lists exactly: 1024 at the
/// default precision, as Kusto's sketches show.
fn sparse_limit(p: u32) -> usize {
    1usize << (p.saturating_sub(4))
}

/// A HyperLogLog sketch.
#[derive(Debug, Clone, PartialEq)]
pub struct Sketch {
    precision: u32,
    /// The distinct hashes while few, in the order first seen (`None`
    /// once registers are used).
    hashes: Option<Vec<u64>>,
    /// The same hashes, to look them up.
    seen: HashSet<u64>,
    registers: Vec<u8>,
}

impl Sketch {
    fn new(precision: u32) -> Sketch {
        Sketch {
            precision,
            hashes: Some(Vec::new()),
            seen: HashSet::new(),
            registers: Vec::new(),
        }
    }

    fn insert(&mut self, h: u64) {
        match &mut self.hashes {
            Some(list) => {
                if self.seen.insert(h) {
                    list.push(h);
                }
                if list.len() > sparse_limit(self.precision) {
                    self.densify();
                }
            }
            None => self.set_register(h),
        }
    }

    fn set_register(&mut self, h: u64) {
        let p = self.precision;
        let index = (h >> (64 - p)) as usize;
        let rho = ((h << p).leading_zeros() + 1).min(64 - p + 1) as u8;
        if let Some(r) = self.registers.get_mut(index) {
            *r = (*r).max(rho);
        }
    }

    fn densify(&mut self) {
        if let Some(list) = self.hashes.take() {
            self.seen = HashSet::new();
            self.registers = vec![0; 1 << self.precision];
            for h in list {
                self.set_register(h);
            }
        }
    }

    /// This sketch at a lower precision: registers fold exactly (the
    /// index bits dropped become the leading bits of the rest).
    fn at_precision(mut self, p: u32) -> Sketch {
        if p >= self.precision {
            return self;
        }
        if self.hashes.is_some() {
            self.precision = p;
            if self
                .hashes
                .as_ref()
                .is_some_and(|l| l.len() > sparse_limit(p))
            {
                self.densify();
            }
            return self;
        }
        let drop = self.precision - p;
        let mut folded = vec![0u8; 1 << p];
        for (i, &v) in self.registers.iter().enumerate() {
            if v == 0 {
                continue;
            }
            let low = (i & ((1 << drop) - 1)) as u64;
            let rho = if low != 0 {
                (drop - (64 - low.leading_zeros())) as u8 + 1
            } else {
                drop as u8 + v
            };
            let j = i >> drop;
            folded[j] = folded[j].max(rho);
        }
        Sketch {
            precision: p,
            hashes: None,
            seen: HashSet::new(),
            registers: folded,
        }
    }

    fn merge(self, other: Sketch) -> Sketch {
        let p = self.precision.min(other.precision);
        let (mut a, b) = (self.at_precision(p), other.at_precision(p));
        match b.hashes {
            Some(list) => {
                for h in list {
                    a.insert(h);
                }
            }
            None => {
                a.densify();
                for (r, v) in a.registers.iter_mut().zip(&b.registers) {
                    *r = (*r).max(*v);
                }
            }
        }
        a
    }

    /// The distinct count: exact while the hashes are listed, else the
    /// HyperLogLog estimate (with linear counting for small sets).
    fn count(&self) -> i64 {
        if let Some(list) = &self.hashes {
            return list.len() as i64;
        }
        let m = self.registers.len() as f64;
        let alpha = 0.7213 / (1.0 + 1.079 / m);
        let sum: f64 = self.registers.iter().map(|&r| (-f64::from(r)).exp2()).sum();
        let estimate = alpha * m * m / sum;
        let zeros = self.registers.iter().filter(|&&r| r == 0).count();
        let e = if estimate <= 2.5 * m && zeros > 0 {
            m * (m / zeros as f64).ln()
        } else {
            estimate
        };
        e.round() as i64
    }

    fn to_json(&self) -> Json {
        let hashes: Vec<Json> = self
            .hashes
            .iter()
            .flatten()
            .map(|h| Json::String((*h as i64).to_string()))
            .collect();
        json!([
            [sparse_limit(self.precision), self.precision],
            hashes,
            self.registers
        ])
    }

    /// A sketch written by `to_json` (or Kusto's sparse form); `None` for
    /// anything else.
    pub fn from_json(j: &Json) -> Option<Sketch> {
        let parts = j.as_array()?;
        let head = parts.first()?.as_array()?;
        let precision = u32::try_from(head.get(1)?.as_u64()?).ok()?;
        if !(4..=18).contains(&precision) {
            return None;
        }
        let listed = parts.get(1)?.as_array()?;
        let registers: Vec<u8> = parts
            .get(2)?
            .as_array()?
            .iter()
            .map(|v| v.as_u64().and_then(|v| u8::try_from(v).ok()))
            .collect::<Option<_>>()?;
        if !registers.is_empty() {
            if registers.len() != 1 << precision {
                return None;
            }
            return Some(Sketch {
                precision,
                hashes: None,
                seen: HashSet::new(),
                registers,
            });
        }
        let hashes: Vec<u64> = listed
            .iter()
            .map(|h| match h {
                Json::String(s) => s.parse::<i64>().ok().map(|v| v as u64),
                Json::Number(n) => n.as_i64().map(|v| v as u64),
                _ => None,
            })
            .collect::<Option<_>>()?;
        let mut s = Sketch::new(precision);
        for h in hashes {
            s.insert(h);
        }
        Some(s)
    }
}

impl Sketch {
    /// The distinct hashes while the sketch lists them (`None` once it
    /// holds registers).
    pub fn listed(&self) -> Option<&[u64]> {
        self.hashes.as_deref()
    }
}

/// The distinct count of the union of sketches (`dcount_intersect`'s
/// inclusion-exclusion); 0 for none.
pub fn union_count(sketches: &[Sketch]) -> i64 {
    let mut all = sketches.iter().cloned();
    match all.next() {
        Some(first) => all.fold(first, Sketch::merge).count(),
        None => 0,
    }
}

/// The precision for the accuracy argument at `i` (default 1).
fn precision(a: &AggInput, i: usize) -> Result<u32, QueryError> {
    match a.constants.get(i) {
        None => Ok(PRECISIONS[1]),
        Some(Some(Scalar::Long(v))) if (0..=4).contains(v) => Ok(PRECISIONS[*v as usize]),
        Some(Some(Scalar::Int(v))) if (0..=4).contains(v) => Ok(PRECISIONS[*v as usize]),
        _ => Err(QueryError::type_error(
            format!("the accuracy of {}() is a constant from 0 to 4", a.name),
            a.span,
        )),
    }
}

/// `hll(x[, accuracy])` and `hll_if(x, predicate[, accuracy])`.
fn build(a: &AggInput, conditional: bool) -> Result<Vec<AggOutput>, QueryError> {
    let p = precision(a, if conditional { 2 } else { 1 })?;
    let mut x = a.col(0)?;
    if conditional {
        x = x.filter(pred(a, 1)?);
    }
    let expr = per_group(vec![x], move |cols: &mut [Column]| {
        let values = cols[0].as_materialized_series();
        let mut sketch = Sketch::new(p);
        let mut any = false;
        for i in 0..values.len() {
            if let Some(h) = value_hash(&Scalar::from_series(values, i)) {
                sketch.insert(h);
                any = true;
            }
        }
        // Documented (summarize-operator.md, default values): hll of no
        // values is null.
        Ok(json_column(any.then(|| sketch.to_json())))
    });
    Ok(vec![AggOutput {
        name: a.default_name(if conditional { "hll_if" } else { "hll" }),
        expr,
        is_list: false,
        post: Post::None,
    }])
}

/// The sketches in a column of dynamic values (others are skipped).
fn sketches(values: &Series) -> Vec<Sketch> {
    (0..values.len())
        .filter_map(|i| match Scalar::from_series(values, i) {
            Scalar::Dynamic(j) => Sketch::from_json(&j),
            _ => None,
        })
        .collect()
}

/// `hll_merge(h)` over a group.
fn merge_aggregate(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let expr = per_group(vec![a.col(0)?], |cols: &mut [Column]| {
        let merged = sketches(cols[0].as_materialized_series())
            .into_iter()
            .reduce(Sketch::merge)
            .unwrap_or_else(|| Sketch::new(PRECISIONS[1]));
        Ok(json_column(Some(merged.to_json())))
    });
    Ok(vec![AggOutput {
        name: a.default_name("hll_merge"),
        expr,
        is_list: false,
        post: Post::None,
    }])
}

/// A sketch argument, `None` when it is not one.
fn sketch_of(s: &Scalar) -> Option<Sketch> {
    match s {
        Scalar::Dynamic(j) => Sketch::from_json(j),
        Scalar::String(t) => Sketch::from_json(&parse_json_bytes(t.as_bytes())),
        _ => None,
    }
}

/// `dcount_hll(h)`: null when `h` is not a sketch.
fn dcount_hll(call: &Call) -> Result<crate::kql::value::Val, QueryError> {
    call.rowwise(KqlType::Long, |a| {
        Ok(sketch_of(&a[0]).map_or(Scalar::Null(KqlType::Long), |s| Scalar::Long(s.count())))
    })
}

/// `hll_merge(h1, h2, ...)`: null when any is not a sketch.
fn merge_function(call: &Call) -> Result<crate::kql::value::Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let all: Option<Vec<Sketch>> = a.iter().map(sketch_of).collect();
        Ok(
            match all.and_then(|v| v.into_iter().reduce(Sketch::merge)) {
                Some(s) => Scalar::Dynamic(s.to_json()),
                None => Scalar::Null(KqlType::Dynamic),
            },
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spread(n: u64) -> impl Iterator<Item = u64> {
        (0..n).map(|i| super::super::hash::xxh64(&i.to_le_bytes(), 0))
    }

    #[test]
    fn small_sets_are_exact_and_round_trip() {
        let mut s = Sketch::new(14);
        for h in spread(1000).chain(spread(10)) {
            s.insert(h);
        }
        assert_eq!(s.count(), 1000);
        assert_eq!(Sketch::from_json(&s.to_json()), Some(s));
    }

    #[test]
    fn large_sets_are_estimated_within_the_error() {
        let mut s = Sketch::new(14);
        for h in spread(100_000) {
            s.insert(h);
        }
        assert!(s.hashes.is_none());
        // 0.8% is one sigma at this precision; allow four.
        let err = (s.count() as f64 - 100_000.0).abs() / 100_000.0;
        assert!(err < 0.032, "{}", s.count());
        let back = Sketch::from_json(&s.to_json()).map(|b| b.count());
        assert_eq!(back, Some(s.count()));
        // Folding to a lower precision keeps the estimate close.
        let low = s.clone().at_precision(12).count() as f64;
        assert!((low - 100_000.0).abs() / 100_000.0 < 0.064, "{low}");
    }

    #[test]
    fn merging_unions_the_sets() {
        let (mut a, mut b) = (Sketch::new(14), Sketch::new(12));
        for h in spread(600) {
            a.insert(h);
        }
        for h in spread(900).skip(300) {
            b.insert(h);
        }
        let m = a.merge(b);
        assert_eq!(m.precision, 12);
        // 900 distinct values: over the 256 a precision-12 sketch lists.
        assert!(m.hashes.is_none());
        assert!((m.count() - 900).abs() < 60, "{}", m.count());
    }
}
