//! Percentiles that can be stored and merged: the aggregates `tdigest`
//! and `tdigest_merge` (alias `merge_tdigest`), and the functions
//! `merge_tdigest(t1, t2, ...)`, `percentile_tdigest`,
//! `percentiles_array_tdigest`, `rank_tdigest` and `percentrank_tdigest`.
//!
//! A digest is dynamic, in the shape Kusto's documentation shows:
//! `[[type], [values...], [weights...]]`, type 7 for longs as Kusto writes
//! it (the other type codes are Quarry's: 6 int, 8 real, 9 datetime in
//! ticks, 10 timespan in ticks). Up to 10,000 distinct values the digest is
//! exact (each value and how often it occurs), so percentiles and ranks
//! are exact too; beyond, neighbouring values merge into centroids (about
//! 2,000 for 100,000 values) no heavier than t-digest's `4 n q (1 - q) /
//! compression` bound, and a percentile is the nearest centroid.

use polars::prelude::*;
use serde_json::{Value as Json, json};

use super::aggregates::{AggInput, AggOutput, AggregateFunction, Post};
use super::convert::as_real;
use super::group_udf::{json_column, per_group};
use super::series::real_json;
use super::{Call, ScalarFunction, scalars_to_series};
use crate::data::time::NANOS_PER_TICK;
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val, parse_json_bytes};

/// The aggregates of this family, as `aggregates::lookup` finds them.
pub const AGGREGATES: &[AggregateFunction] = &[
    AggregateFunction {
        name: "tdigest",
        min_args: 1,
        max_args: 2,
        plan: build,
    },
    AggregateFunction {
        name: "tdigest_merge",
        min_args: 1,
        max_args: 1,
        plan: merge_aggregate,
    },
    AggregateFunction {
        name: "merge_tdigest",
        min_args: 1,
        max_args: 1,
        plan: merge_aggregate,
    },
];

/// The scalar functions of this family.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "merge_tdigest",
        min_args: 1,
        max_args: 64,
        eval: merge_function,
    },
    ScalarFunction {
        name: "percentile_tdigest",
        min_args: 2,
        max_args: 3,
        eval: percentile_tdigest,
    },
    ScalarFunction {
        name: "percentiles_array_tdigest",
        min_args: 2,
        max_args: 64,
        eval: percentiles_array_tdigest,
    },
    ScalarFunction {
        name: "percentile_array_tdigest",
        min_args: 2,
        max_args: 64,
        eval: percentiles_array_tdigest,
    },
    ScalarFunction {
        name: "rank_tdigest",
        min_args: 2,
        max_args: 2,
        eval: |c| rank(c, false),
    },
    ScalarFunction {
        name: "percentrank_tdigest",
        min_args: 2,
        max_args: 2,
        eval: |c| rank(c, true),
    },
];

/// Distinct values kept exactly.
const EXACT: usize = 10_000;
/// The compression once values merge.
const COMPRESSION: f64 = 500.0;

/// A digest: sorted centroids (value, weight) of values of one type.
#[derive(Debug, Clone, PartialEq)]
pub struct Digest {
    kind: KqlType,
    centroids: Vec<(f64, f64)>,
}

fn code(kind: KqlType) -> u64 {
    match kind {
        KqlType::Int => 6,
        KqlType::Long => 7,
        KqlType::Datetime => 9,
        KqlType::Timespan => 10,
        _ => 8,
    }
}

fn kind_of(code: u64) -> Option<KqlType> {
    Some(match code {
        6 => KqlType::Int,
        7 => KqlType::Long,
        8 => KqlType::Real,
        9 => KqlType::Datetime,
        10 => KqlType::Timespan,
        _ => return None,
    })
}

/// A value as the number a digest keeps (datetimes and timespans in ticks).
fn number(s: &Scalar) -> Option<f64> {
    match s {
        Scalar::Datetime(ns) | Scalar::Timespan(ns) => Some((ns / NANOS_PER_TICK) as f64),
        Scalar::Int(v) => Some(f64::from(*v)),
        Scalar::Long(v) => Some(*v as f64),
        Scalar::Real(v) if v.is_finite() => Some(*v),
        _ => None,
    }
}

/// A number a digest kept, back as a value of its type.
fn value(kind: KqlType, v: f64) -> Scalar {
    match kind {
        KqlType::Int => Scalar::Int(v.round() as i32),
        KqlType::Long => Scalar::Long(v.round() as i64),
        KqlType::Datetime => Scalar::Datetime(v.round() as i64 * NANOS_PER_TICK),
        KqlType::Timespan => Scalar::Timespan(v.round() as i64 * NANOS_PER_TICK),
        _ => Scalar::Real(v),
    }
}

impl Digest {
    /// A digest of (value, weight) pairs, in any order.
    fn of(kind: KqlType, mut points: Vec<(f64, f64)>) -> Digest {
        points.retain(|p| p.1 > 0.0);
        points.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut centroids: Vec<(f64, f64)> = Vec::with_capacity(points.len());
        for (v, w) in points {
            match centroids.last_mut() {
                Some(last) if last.0 == v => last.1 += w,
                _ => centroids.push((v, w)),
            }
        }
        let mut d = Digest { kind, centroids };
        if d.centroids.len() > EXACT {
            d.compress();
        }
        d
    }

    /// Merges neighbours while each centroid stays within t-digest's k1
    /// bound, `total * 4 q (1 - q) / compression` at its quantile `q`.
    fn compress(&mut self) {
        let total: f64 = self.centroids.iter().map(|c| c.1).sum();
        let mut out: Vec<(f64, f64)> = Vec::new();
        let mut seen = 0.0;
        for &(v, w) in &self.centroids {
            if let Some(last) = out.last_mut() {
                // The quantile at the middle of the merged centroid.
                let q = (seen - last.1 + (last.1 + w) / 2.0) / total;
                let bound = total * 4.0 * q * (1.0 - q) / COMPRESSION;
                if last.1 + w <= bound.max(1.0) {
                    let merged = last.1 + w;
                    last.0 = (last.0 * last.1 + v * w) / merged;
                    last.1 = merged;
                    seen += w;
                    continue;
                }
            }
            out.push((v, w));
            seen += w;
        }
        self.centroids = out;
    }

    fn total(&self) -> f64 {
        self.centroids.iter().map(|c| c.1).sum()
    }

    /// The smallest value whose cumulative weight reaches `p` percent.
    fn percentile(&self, p: f64) -> Option<f64> {
        let target = self.total() * p / 100.0;
        let mut seen = 0.0;
        for &(v, w) in &self.centroids {
            seen += w;
            if seen >= target {
                return Some(v);
            }
        }
        self.centroids.last().map(|c| c.0)
    }

    /// The weight of the values at or below `v`.
    fn rank(&self, v: f64) -> f64 {
        self.centroids
            .iter()
            .take_while(|c| c.0 <= v)
            .map(|c| c.1)
            .sum()
    }

    fn merge(self, other: Digest) -> Option<Digest> {
        if self.kind != other.kind {
            return None;
        }
        let mut points = self.centroids;
        points.extend(other.centroids);
        Some(Digest::of(self.kind, points))
    }

    fn to_json(&self) -> Json {
        // Datetimes and timespans stay numbers (ticks) inside.
        let values: Vec<Json> = self
            .centroids
            .iter()
            .map(|c| match self.kind {
                KqlType::Real => real_json(c.0),
                _ => json!(c.0.round() as i64),
            })
            .collect();
        let weights: Vec<Json> = self
            .centroids
            .iter()
            .map(|c| {
                if c.1.fract() == 0.0 {
                    json!(c.1 as i64)
                } else {
                    real_json(c.1)
                }
            })
            .collect();
        json!([[code(self.kind)], values, weights])
    }

    /// A digest written by `to_json` (or Kusto); `None` for anything else.
    pub fn from_json(j: &Json) -> Option<Digest> {
        let parts = j.as_array()?;
        let kind = kind_of(parts.first()?.as_array()?.first()?.as_u64()?)?;
        let values = parts.get(1)?.as_array()?;
        let weights = parts.get(2)?.as_array()?;
        if values.len() != weights.len() {
            return None;
        }
        let points: Vec<(f64, f64)> = values
            .iter()
            .zip(weights)
            .map(|(v, w)| Some((v.as_f64()?, w.as_f64()?)))
            .collect::<Option<_>>()?;
        Some(Digest::of(kind, points))
    }
}

/// `tdigest(x[, weight])`: nulls (and rows without a weight) are left out.
fn build(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let kind = match a.kinds.first().copied().flatten() {
        Some(k @ (KqlType::Int | KqlType::Long | KqlType::Real)) => k,
        Some(k @ (KqlType::Datetime | KqlType::Timespan)) => k,
        Some(other) => {
            return Err(QueryError::type_error(
                format!("tdigest() takes numbers, datetimes or timespans, not {other}"),
                a.span,
            ));
        }
        None => KqlType::Real,
    };
    let weights: Vec<Expr> = match a.columns.get(1) {
        Some(_) => vec![a.col(1)?],
        None => Vec::new(),
    };
    let mut inputs = vec![a.col(0)?];
    inputs.extend(weights);
    let expr = per_group(inputs, move |cols: &mut [Column]| {
        let values = cols[0].as_materialized_series();
        let weights = cols.get(1).map(|c| c.as_materialized_series().clone());
        let points: Vec<(f64, f64)> = (0..values.len())
            .filter_map(|i| {
                let v = number(&Scalar::from_series(values, i))?;
                let w = match &weights {
                    Some(w) => as_real(&Scalar::from_series(w, i))?,
                    None => 1.0,
                };
                Some((v, w))
            })
            .collect();
        // Documented (summarize-operator.md, default values): tdigest of
        // no values is null.
        Ok(json_column(
            (!points.is_empty()).then(|| Digest::of(kind, points).to_json()),
        ))
    });
    Ok(vec![AggOutput {
        name: a.default_name("tdigest"),
        expr,
        is_list: false,
        post: Post::None,
    }])
}

fn digest_of(s: &Scalar) -> Option<Digest> {
    match s {
        Scalar::Dynamic(j) => Digest::from_json(j),
        Scalar::String(t) => Digest::from_json(&parse_json_bytes(t.as_bytes())),
        _ => None,
    }
}

/// `tdigest_merge(t)` over a group; digests of different types give null.
fn merge_aggregate(a: &AggInput) -> Result<Vec<AggOutput>, QueryError> {
    let expr = per_group(vec![a.col(0)?], |cols: &mut [Column]| {
        let values = cols[0].as_materialized_series();
        let mut merged: Option<Digest> = None;
        let mut clash = false;
        for i in 0..values.len() {
            if let Some(d) = digest_of(&Scalar::from_series(values, i)) {
                merged = match merged {
                    None => Some(d),
                    Some(m) => m.merge(d).or_else(|| {
                        clash = true;
                        None
                    }),
                };
            }
            if clash {
                break;
            }
        }
        Ok(json_column(merged.map(|d| d.to_json())))
    });
    Ok(vec![AggOutput {
        name: a.default_name("tdigest_merge"),
        expr,
        is_list: false,
        post: Post::None,
    }])
}

/// `merge_tdigest(t1, t2, ...)`: null when one is not a digest or the
/// types differ.
fn merge_function(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let all: Option<Vec<Digest>> = a.iter().map(digest_of).collect();
        let merged = all.and_then(|v| {
            let mut it = v.into_iter();
            let first = it.next()?;
            it.try_fold(first, Digest::merge)
        });
        Ok(merged.map_or(Scalar::Null(KqlType::Dynamic), |d| {
            Scalar::Dynamic(d.to_json())
        }))
    })
}

/// The `typeof(t)` argument at `i`, if given.
fn type_literal(call: &Call, i: usize) -> Result<Option<KqlType>, QueryError> {
    if call.args.len() <= i {
        return Ok(None);
    }
    let name = call.constant_text(i)?;
    KqlType::parse(&name)
        .map(Some)
        .ok_or_else(|| call.type_error(i, "a type such as typeof(long)"))
}

/// A percentage argument.
fn percentage(call: &Call, s: &Scalar, i: usize) -> Result<f64, QueryError> {
    match as_real(s) {
        Some(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(call.type_error(i, "a percentage from 0 to 100")),
    }
}

/// A value as `kind` (numbers convert; anything else is null).
fn as_kind(s: Scalar, kind: KqlType) -> Scalar {
    super::convert::coerce(&s, kind)
}

/// `percentile_tdigest(t, p[, typeof(T)])`: of the digests' type when
/// they share one (or of `T`), else dynamic.
fn percentile_tdigest(call: &Call) -> Result<Val, QueryError> {
    let forced = type_literal(call, 2)?;
    let rows = call.rows.max(1);
    let mut values = Vec::with_capacity(rows);
    for i in 0..rows {
        let d = digest_of(&call.args[0].get(i));
        let p = percentage(call, &call.args[1].get(i), 1)?;
        values.push(d.and_then(|d| d.percentile(p).map(|v| value(d.kind, v))));
    }
    let kinds: Vec<KqlType> = values.iter().flatten().map(Scalar::kind).collect();
    let kind = match forced {
        Some(k) => k,
        None if kinds.windows(2).all(|w| w[0] == w[1]) => {
            kinds.first().copied().unwrap_or(KqlType::Real)
        }
        None => KqlType::Dynamic,
    };
    let out: Vec<Scalar> = values
        .into_iter()
        .map(|v| match (v, kind) {
            (None, k) => Scalar::Null(k),
            (Some(v), KqlType::Dynamic) => Scalar::Dynamic(Json::Array(vec![v.to_json()])),
            (Some(v), k) => as_kind(v, k),
        })
        .collect();
    Ok(finish(out, kind, call))
}

/// One result per row, or the one result when every argument is constant.
fn finish(values: Vec<Scalar>, kind: KqlType, call: &Call) -> Val {
    if call.all_scalar() {
        return Val::Scalar(values.into_iter().next().unwrap_or(Scalar::Null(kind)));
    }
    Val::Column(scalars_to_series("", kind, values))
}

/// `percentiles_array_tdigest(t, p1, p2, ...)` or `(t, dynamic([...])
/// [, typeof(T)])`: a dynamic array.
fn percentiles_array_tdigest(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let (ps, forced): (Vec<f64>, Option<KqlType>) = match a.get(1) {
            Some(Scalar::Dynamic(Json::Array(items))) => {
                let ps = items
                    .iter()
                    .map(|j| percentage(call, &Scalar::Real(j.as_f64().unwrap_or(-1.0)), 1))
                    .collect::<Result<_, _>>()?;
                let forced = match a.get(2) {
                    Some(t) => Some(
                        KqlType::parse(&t.to_text())
                            .ok_or_else(|| call.type_error(2, "a type such as typeof(long)"))?,
                    ),
                    None => None,
                };
                (ps, forced)
            }
            _ => (
                a[1..]
                    .iter()
                    .enumerate()
                    .map(|(i, p)| percentage(call, p, i + 1))
                    .collect::<Result<_, _>>()?,
                None,
            ),
        };
        let Some(d) = digest_of(&a[0]) else {
            return Ok(Scalar::Null(KqlType::Dynamic));
        };
        let items: Vec<Json> = ps
            .iter()
            .map(|p| {
                let v = d.percentile(*p).map(|v| value(d.kind, v));
                match (v, forced) {
                    (Some(v), Some(k)) => as_kind(v, k).to_json(),
                    (Some(v), None) => v.to_json(),
                    (None, _) => Json::Null,
                }
            })
            .collect();
        Ok(Scalar::Dynamic(Json::Array(items)))
    })
}

/// `rank_tdigest(t, v)`: how many values are at or below `v`;
/// `percentrank_tdigest(t, v)`: that as a percentage of all.
fn rank(call: &Call, percent: bool) -> Result<Val, QueryError> {
    let kind = if percent {
        KqlType::Real
    } else {
        KqlType::Long
    };
    call.rowwise(kind, |a| {
        let (Some(d), Some(v)) = (digest_of(&a[0]), number(&a[1])) else {
            return Ok(Scalar::Null(kind));
        };
        let r = d.rank(v);
        Ok(if percent {
            let total = d.total();
            if total > 0.0 {
                Scalar::Real(r * 100.0 / total)
            } else {
                Scalar::Null(kind)
            }
        } else {
            Scalar::Long(r.round() as i64)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_digests_rank_and_round_trip() {
        let d = Digest::of(KqlType::Long, (1..=1000).map(|v| (v as f64, 1.0)).collect());
        assert_eq!(d.rank(685.0), 685.0);
        assert_eq!(d.percentile(50.0), Some(500.0));
        assert_eq!(d.percentile(100.0), Some(1000.0));
        assert_eq!(d.percentile(0.0), Some(1.0));
        assert_eq!(Digest::from_json(&d.to_json()), Some(d));
    }

    #[test]
    fn large_digests_compress_and_stay_close() {
        let d = Digest::of(
            KqlType::Real,
            (0..100_000).map(|v| (v as f64, 1.0)).collect(),
        );
        assert!(d.centroids.len() < 2_500, "{}", d.centroids.len());
        assert_eq!(d.total(), 100_000.0);
        let p99 = d.percentile(99.0).unwrap_or(0.0);
        assert!((p99 - 99_000.0).abs() < 300.0, "{p99}");
        let median = d.percentile(50.0).unwrap_or(0.0);
        assert!((median - 50_000.0).abs() < 300.0, "{median}");
    }

    #[test]
    fn digests_of_different_types_do_not_merge() {
        let a = Digest::of(KqlType::Long, vec![(1.0, 1.0)]);
        let b = Digest::of(KqlType::Real, vec![(1.0, 1.0)]);
        assert_eq!(a.merge(b), None);
    }
}
