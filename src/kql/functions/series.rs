//! Series functions over dynamic arrays of numbers, as `make-series`
//! produces them: element-wise arithmetic, comparisons and math
//! (`series_add`, `series_greater`, `series_abs`, ...), filling gaps
//! (`series_fill_*`), whole-series figures (`series_sum`,
//! `series_stats_dynamic`, `series_pearson_correlation`, ...) and filters
//! (`series_iir`, `series_fir`). The signal-analysis ones (periods,
//! seasonality, decomposition, fitting) are in `series_analysis`.
//!
//! An element that is not a number (or missing, when two arrays differ in
//! length) gives null in the result, as Kusto documents; an argument that
//! is not an array gives null.

use serde_json::{Map, Value as Json};

use super::convert::{as_bool, as_real, json_of};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

macro_rules! f {
    ($name:literal, $min:literal, $max:literal, $eval:expr) => {
        ScalarFunction {
            name: $name,
            min_args: $min,
            max_args: $max,
            eval: $eval,
        }
    };
}

/// The series functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    f!("series_add", 2, 2, |c| arith(c, Arith::Add)),
    f!("series_subtract", 2, 2, |c| arith(c, Arith::Subtract)),
    f!("series_multiply", 2, 2, |c| arith(c, Arith::Multiply)),
    f!("series_divide", 2, 2, |c| arith(c, Arith::Divide)),
    f!("series_pow", 2, 2, |c| arith(c, Arith::Pow)),
    f!("series_greater", 2, 2, |c| compare(c, |a, b| a > b)),
    f!("series_greater_equals", 2, 2, |c| compare(c, |a, b| a >= b)),
    f!("series_less", 2, 2, |c| compare(c, |a, b| a < b)),
    f!("series_less_equals", 2, 2, |c| compare(c, |a, b| a <= b)),
    f!("series_equals", 2, 2, |c| compare(c, |a, b| a == b)),
    f!("series_not_equals", 2, 2, |c| compare(c, |a, b| a != b)),
    f!("series_abs", 1, 1, |c| unary(c, true, f64::abs)),
    f!("series_sign", 1, 1, |c| unary(c, true, sign)),
    f!("series_ceiling", 1, 1, |c| unary(c, false, f64::ceil)),
    f!("series_floor", 1, 1, |c| unary(c, false, f64::floor)),
    f!("series_acos", 1, 1, |c| unary(c, false, f64::acos)),
    f!("series_asin", 1, 1, |c| unary(c, false, f64::asin)),
    f!("series_atan", 1, 1, |c| unary(c, false, f64::atan)),
    f!("series_cos", 1, 1, |c| unary(c, false, f64::cos)),
    f!("series_sin", 1, 1, |c| unary(c, false, f64::sin)),
    f!("series_tan", 1, 1, |c| unary(c, false, f64::tan)),
    f!("series_exp", 1, 1, |c| unary(c, false, f64::exp)),
    f!("series_log", 1, 1, |c| unary(c, false, f64::ln)),
    f!("series_fill_forward", 1, 2, |c| fill_direction(c, false)),
    f!("series_fill_backward", 1, 2, |c| fill_direction(c, true)),
    f!("series_fill_const", 2, 3, fill_const),
    f!("series_fill_linear", 1, 4, fill_linear),
    f!("series_sum", 1, 1, |c| reduce(c, |v| Some(v.iter().sum()))),
    f!("series_product", 1, 1, |c| reduce(c, |v| Some(
        v.iter().product()
    ))),
    f!("series_magnitude", 1, 1, |c| reduce(c, |v| Some(
        magnitude(v)
    ))),
    f!("series_dot_product", 2, 2, |c| pair(c, |a, b| Some(dot(
        a, b
    )))),
    f!("series_cosine_similarity", 2, 4, |c| pair(c, cosine)),
    f!("series_pearson_correlation", 2, 2, |c| pair(c, pearson)),
    f!("series_stats_dynamic", 1, 2, stats_dynamic),
    f!("series_iir", 3, 3, iir),
    f!("series_fir", 2, 4, fir),
];

/// A JSON number as a real, `None` for anything else.
pub fn number(j: &Json) -> Option<f64> {
    j.as_f64()
}

/// A real as a JSON number; NaN and infinities (which JSON cannot hold)
/// become null.
pub fn real_json(v: f64) -> Json {
    serde_json::Number::from_f64(v).map_or(Json::Null, Json::Number)
}

/// The array in a value, if it holds one.
pub fn array(s: &Scalar) -> Option<Vec<Json>> {
    match json_of(s) {
        Json::Array(a) => Some(a),
        _ => None,
    }
}

/// The numbers of an array, `None` per element that is not one.
pub fn numbers(s: &Scalar) -> Option<Vec<Option<f64>>> {
    array(s).map(|a| a.iter().map(number).collect())
}

fn dynamic(j: Option<Json>) -> Scalar {
    match j {
        Some(j) if !j.is_null() => Scalar::Dynamic(j),
        _ => Scalar::Null(KqlType::Dynamic),
    }
}

/// An operand of an element-wise operation: an array, or one number
/// applied to every element.
enum Operand {
    Array(Vec<Json>),
    Number(Json),
}

impl Operand {
    fn of(s: &Scalar) -> Option<Operand> {
        match json_of(s) {
            Json::Array(a) => Some(Operand::Array(a)),
            n @ Json::Number(_) => Some(Operand::Number(n)),
            _ => None,
        }
    }
    fn len(&self) -> Option<usize> {
        match self {
            Operand::Array(a) => Some(a.len()),
            Operand::Number(_) => None,
        }
    }
    fn get(&self, i: usize) -> Option<&Json> {
        match self {
            Operand::Array(a) => a.get(i),
            Operand::Number(n) => Some(n),
        }
    }
}

/// Applies `f` element by element to two operands (at least one array);
/// the result is as long as the longer array.
fn elementwise(a: &[Scalar], f: impl Fn(&Json, &Json) -> Json) -> Scalar {
    let (Some(x), Some(y)) = (Operand::of(&a[0]), Operand::of(&a[1])) else {
        return dynamic(None);
    };
    let Some(n) = x.len().max(y.len()) else {
        return dynamic(None);
    };
    let out = (0..n)
        .map(|i| match (x.get(i), y.get(i)) {
            (Some(p), Some(q)) if p.is_number() && q.is_number() => f(p, q),
            _ => Json::Null,
        })
        .collect();
    Scalar::Dynamic(Json::Array(out))
}

#[derive(Clone, Copy)]
enum Arith {
    Add,
    Subtract,
    Multiply,
    Divide,
    Pow,
}

/// `series_add` and friends: integers stay integers for `+ - *` (as the
/// documentation prints them), division and powers give reals.
fn arith(call: &Call, op: Arith) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(elementwise(a, |p, q| {
            if let (Some(x), Some(y)) = (p.as_i64(), q.as_i64()) {
                let exact = match op {
                    Arith::Add => x.checked_add(y),
                    Arith::Subtract => x.checked_sub(y),
                    Arith::Multiply => x.checked_mul(y),
                    _ => None,
                };
                if let Some(v) = exact {
                    return Json::from(v);
                }
            }
            let (x, y) = (number(p).unwrap_or(f64::NAN), number(q).unwrap_or(f64::NAN));
            real_json(match op {
                Arith::Add => x + y,
                Arith::Subtract => x - y,
                Arith::Multiply => x * y,
                Arith::Divide => x / y,
                Arith::Pow => x.powf(y),
            })
        }))
    })
}

fn compare(call: &Call, op: fn(f64, f64) -> bool) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(elementwise(a, |p, q| match (number(p), number(q)) {
            (Some(x), Some(y)) => Json::Bool(op(x, y)),
            _ => Json::Null,
        }))
    })
}

fn sign(v: f64) -> f64 {
    if v == 0.0 { 0.0 } else { v.signum() }
}

/// An element-wise function of one series; `keeps_integers` when an
/// integer in gives an integer out (`abs`, `sign`).
fn unary(call: &Call, keeps_integers: bool, f: fn(f64) -> f64) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(dynamic(array(&a[0]).map(|v| {
            Json::Array(
                v.iter()
                    .map(|e| match number(e) {
                        Some(x) if keeps_integers && e.is_i64() => Json::from(f(x) as i64),
                        Some(x) => real_json(f(x)),
                        None => Json::Null,
                    })
                    .collect(),
            )
        })))
    })
}

/// Whether an element is missing: null, or equal to the placeholder.
fn missing(e: &Json, placeholder: &Scalar) -> bool {
    match as_real(placeholder) {
        Some(p) if !placeholder.is_null() => number(e) == Some(p),
        _ => e.is_null(),
    }
}

fn placeholder(a: &[Scalar], i: usize) -> Scalar {
    a.get(i).cloned().unwrap_or(Scalar::Null(KqlType::Real))
}

/// `series_fill_forward(x[, missing])`, or backward: a missing element
/// takes the nearest valid one before it (after it); those at the edge
/// with none stay as they are.
fn fill_direction(call: &Call, backward: bool) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let hole = placeholder(a, 1);
        Ok(dynamic(array(&a[0]).map(|mut v| {
            let mut last: Option<Json> = None;
            let mut fill = |e: &mut Json| {
                if missing(e, &hole) {
                    if let Some(l) = &last {
                        *e = l.clone();
                    }
                } else {
                    last = Some(e.clone());
                }
            };
            if backward {
                v.iter_mut().rev().for_each(&mut fill);
            } else {
                v.iter_mut().for_each(&mut fill);
            }
            Json::Array(v)
        })))
    })
}

/// `series_fill_const(x, constant[, missing])`.
fn fill_const(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let hole = placeholder(a, 2);
        let with = a[1].to_json();
        Ok(dynamic(array(&a[0]).map(|v| {
            Json::Array(
                v.into_iter()
                    .map(|e| if missing(&e, &hole) { with.clone() } else { e })
                    .collect(),
            )
        })))
    })
}

/// `series_fill_linear(x[, missing[, fill_edges[, constant]]])`: gaps
/// between valid elements are interpolated on a line; the edges take the
/// nearest valid value when `fill_edges` (the default); an array with no
/// valid element is all `constant` (0.0 by default). An array of integers
/// gets integers (the interpolated value truncated), as in Kusto.
fn fill_linear(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let hole = placeholder(a, 1);
        let edges = a.get(2).and_then(as_bool).unwrap_or(true);
        let constant = a.get(3).and_then(as_real).unwrap_or(0.0);
        Ok(dynamic(array(&a[0]).map(|v| {
            let valid: Vec<(usize, f64)> = v
                .iter()
                .enumerate()
                .filter(|(_, e)| !missing(e, &hole))
                .filter_map(|(i, e)| number(e).map(|x| (i, x)))
                .collect();
            if valid.is_empty() {
                return Json::Array(vec![real_json(constant); v.len()]);
            }
            let integers = v.iter().all(|e| missing(e, &hole) || e.is_i64());
            let put = |x: f64| {
                if integers {
                    Json::from(x.trunc() as i64)
                } else {
                    real_json(x)
                }
            };
            let mut out = v.clone();
            for w in valid.windows(2) {
                let ((i0, y0), (i1, y1)) = (w[0], w[1]);
                for (k, slot) in out.iter_mut().enumerate().take(i1).skip(i0 + 1) {
                    let t = (k - i0) as f64 / (i1 - i0) as f64;
                    *slot = put(y0 + (y1 - y0) * t);
                }
            }
            if edges {
                let (first, last) = (valid[0], valid[valid.len() - 1]);
                for slot in out.iter_mut().take(first.0) {
                    *slot = v[first.0].clone();
                }
                for slot in out.iter_mut().skip(last.0 + 1) {
                    *slot = v[last.0].clone();
                }
            }
            Json::Array(out)
        })))
    })
}

/// The numbers of a series, skipping what is not one.
fn valid(s: &Scalar) -> Option<Vec<f64>> {
    numbers(s).map(|v| v.into_iter().flatten().collect())
}

/// A real from the numbers of one series; integral results of integer
/// series stay integers (`series_sum([1,2,3,4])` is 10).
fn reduce(call: &Call, f: fn(&[f64]) -> Option<f64>) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        Ok(valid(&a[0])
            .and_then(|v| f(&v))
            .map_or(Scalar::Null(KqlType::Real), Scalar::Real))
    })
}

fn magnitude(v: &[f64]) -> f64 {
    v.iter().map(|x| x * x).sum::<f64>().sqrt()
}

fn dot(a: &[Option<f64>], b: &[Option<f64>]) -> f64 {
    a.iter()
        .zip(b)
        .filter_map(|(x, y)| Some((*x)? * (*y)?))
        .sum()
}

/// A figure of two series (missing elements are `None`).
type PairFigure = fn(&[Option<f64>], &[Option<f64>]) -> Option<f64>;

/// A figure of two series; a number for the second is repeated to the
/// first's length.
fn pair(call: &Call, f: PairFigure) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Real, |a| {
        let Some(x) = numbers(&a[0]) else {
            return Ok(Scalar::Null(KqlType::Real));
        };
        let y = match numbers(&a[1]) {
            Some(y) => y,
            None => match as_real(&a[1]) {
                Some(n) if !a[1].is_null() => vec![Some(n); x.len()],
                _ => return Ok(Scalar::Null(KqlType::Real)),
            },
        };
        Ok(f(&x, &y).map_or(Scalar::Null(KqlType::Real), Scalar::Real))
    })
}

fn cosine(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let norm = |v: &[Option<f64>]| magnitude(&v.iter().flatten().copied().collect::<Vec<_>>());
    let d = norm(a) * norm(b);
    (d != 0.0).then(|| dot(a, b) / d)
}

fn pearson(a: &[Option<f64>], b: &[Option<f64>]) -> Option<f64> {
    let pairs: Vec<(f64, f64)> = a
        .iter()
        .zip(b)
        .filter_map(|(x, y)| Some(((*x)?, (*y)?)))
        .collect();
    let n = pairs.len() as f64;
    if pairs.is_empty() {
        return None;
    }
    let (mx, my) = (
        pairs.iter().map(|p| p.0).sum::<f64>() / n,
        pairs.iter().map(|p| p.1).sum::<f64>() / n,
    );
    let cov: f64 = pairs.iter().map(|(x, y)| (x - mx) * (y - my)).sum();
    let vx: f64 = pairs.iter().map(|(x, _)| (x - mx).powi(2)).sum();
    let vy: f64 = pairs.iter().map(|(_, y)| (y - my).powi(2)).sum();
    let d = (vx * vy).sqrt();
    (d != 0.0).then(|| cov / d)
}

/// The figures `series_stats_dynamic` gives (the sample variance, n - 1).
pub fn stats(values: &[Option<f64>], ignore_nonfinite: bool) -> Map<String, Json> {
    let kept: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|x| (i, x)))
        .filter(|(_, x)| !ignore_nonfinite || x.is_finite())
        .collect();
    let mut m = Map::new();
    let n = kept.len();
    let min = kept
        .iter()
        .copied()
        .fold(None, |acc: Option<(usize, f64)>, c| match acc {
            Some(a) if a.1 <= c.1 => Some(a),
            _ => Some(c),
        });
    let max = kept
        .iter()
        .copied()
        .fold(None, |acc: Option<(usize, f64)>, c| match acc {
            Some(a) if a.1 >= c.1 => Some(a),
            _ => Some(c),
        });
    let sum: f64 = kept.iter().map(|p| p.1).sum();
    let avg = sum / n as f64;
    let variance = if n > 1 {
        kept.iter().map(|p| (p.1 - avg).powi(2)).sum::<f64>() / (n - 1) as f64
    } else {
        0.0
    };
    let opt_real = |v: Option<f64>| v.map_or(Json::Null, real_json);
    m.insert("min".into(), opt_real(min.map(|p| p.1)));
    m.insert(
        "min_idx".into(),
        min.map_or(Json::Null, |p| Json::from(p.0)),
    );
    m.insert("max".into(), opt_real(max.map(|p| p.1)));
    m.insert(
        "max_idx".into(),
        max.map_or(Json::Null, |p| Json::from(p.0)),
    );
    m.insert("avg".into(), opt_real((n > 0).then_some(avg)));
    m.insert("stdev".into(), opt_real((n > 0).then(|| variance.sqrt())));
    m.insert("variance".into(), opt_real((n > 0).then_some(variance)));
    m.insert("sum".into(), real_json(sum));
    m.insert("len".into(), Json::from(n));
    m
}

/// `series_stats_dynamic(x[, ignore_nonfinite])`: a bag of min, min_idx,
/// max, max_idx, avg, stdev, variance, sum and len.
fn stats_dynamic(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let ignore = a.get(1).and_then(as_bool).unwrap_or(false);
        Ok(dynamic(
            numbers(&a[0]).map(|v| Json::Object(stats(&v, ignore))),
        ))
    })
}

/// The filter's coefficients, null when any is not a number.
fn coefficients(s: &Scalar) -> Option<Vec<f64>> {
    numbers(s)?.into_iter().collect()
}

/// `series_iir(x, numerators, denominators)`: the infinite impulse
/// response filter a0*y[n] = sum b[i]*x[n-i] - sum a[j]*y[n-j] (j >= 1);
/// a missing element counts as 0.
fn iir(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let (Some(x), Some(b), Some(d)) =
            (numbers(&a[0]), coefficients(&a[1]), coefficients(&a[2]))
        else {
            return Ok(dynamic(None));
        };
        let a0 = d.first().copied().unwrap_or(1.0);
        if a0 == 0.0 || b.is_empty() {
            return Ok(dynamic(None));
        }
        let mut y: Vec<f64> = Vec::with_capacity(x.len());
        for n in 0..x.len() {
            let mut acc = 0.0;
            for (i, bi) in b.iter().enumerate() {
                if i <= n {
                    acc += bi * x[n - i].unwrap_or(0.0);
                }
            }
            for (j, aj) in d.iter().enumerate().skip(1) {
                if j <= n {
                    acc -= aj * y[n - j];
                }
            }
            y.push(acc / a0);
        }
        Ok(dynamic(Some(Json::Array(
            y.into_iter().map(real_json).collect(),
        ))))
    })
}

/// `series_fir(x, filter[, normalize[, center]])`: the finite impulse
/// response y[n] = sum f[i]*x[n-i], divided by the sum of the filter when
/// `normalize` (the default, unless the sum is 0); `center` shifts the
/// window so it is centred on n. Elements outside the series count as 0.
fn fir(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let (Some(x), Some(f)) = (numbers(&a[0]), coefficients(&a[1])) else {
            return Ok(dynamic(None));
        };
        let normalize = a.get(2).and_then(as_bool).unwrap_or(true);
        let center = a.get(3).and_then(as_bool).unwrap_or(false);
        let total: f64 = f.iter().sum();
        let scale = if normalize && total != 0.0 {
            total
        } else {
            1.0
        };
        let shift = if center { (f.len() / 2) as i64 } else { 0 };
        let n = x.len() as i64;
        let y = (0..n).map(|k| {
            let mut acc = 0.0;
            for (i, fi) in f.iter().enumerate() {
                let at = k + shift - i as i64;
                if (0..n).contains(&at) {
                    acc += fi * x[at as usize].unwrap_or(0.0);
                }
            }
            real_json(acc / scale)
        });
        Ok(dynamic(Some(Json::Array(y.collect()))))
    })
}
