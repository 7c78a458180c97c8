//! The Fourier transform of a series: `series_fft` (time to frequency) and
//! `series_ifft` (back), each giving two columns, the real and the
//! imaginary parts (`extend (re, im) = series_fft(y)`; unnamed, they are
//! `series_fft_y_real` and `series_fft_y_imag`, as Kusto.Language names
//! them). Any length is transformed (rustfft plans mixed radices and
//! Bluestein's algorithm), not only powers of two.
//!
//! The inverse is scaled by 1/n, so `series_ifft(series_fft(y))` is `y`
//! again, as the documentation's second example shows. An element that
//! is not a number, or an imaginary part of another length, makes both
//! results null; an absent (or null) imaginary part is zeros.

use std::cell::RefCell;

use rustfft::FftPlanner;
use rustfft::num_complex::Complex;
use serde_json::{Map, Value as Json};

use super::convert::expect;
use super::series::{numbers, real_json};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "series_fft",
        min_args: 1,
        max_args: 2,
        eval: |c| transform(c, Direction::Forward),
    },
    ScalarFunction {
        name: "series_ifft",
        min_args: 1,
        max_args: 2,
        eval: |c| transform(c, Direction::Inverse),
    },
];

#[derive(Clone, Copy)]
enum Direction {
    Forward,
    Inverse,
}

thread_local! {
    /// One planner per worker thread: a planner keeps the plans (twiddle
    /// factors) it made, and rows of one column mostly share a length.
    static PLANNER: RefCell<FftPlanner<f64>> = RefCell::new(FftPlanner::new());
}

/// The complex series of a row: the real parts, and the imaginary parts
/// (zeros when absent or null); `None` when either is not an array of
/// numbers or their lengths differ.
fn complex_series(real: &Scalar, imaginary: Option<&Scalar>) -> Option<Vec<Complex<f64>>> {
    let re: Vec<f64> = numbers(real)?.into_iter().collect::<Option<_>>()?;
    let im: Vec<f64> = match imaginary {
        Some(s) if !s.is_null() => numbers(s)?.into_iter().collect::<Option<_>>()?,
        _ => vec![0.0; re.len()],
    };
    (im.len() == re.len()).then(|| {
        re.into_iter()
            .zip(im)
            .map(|(r, i)| Complex::new(r, i))
            .collect()
    })
}

/// The transform of `buffer`, in place.
fn run(buffer: &mut [Complex<f64>], direction: Direction) {
    if buffer.is_empty() {
        return;
    }
    let n = buffer.len();
    let plan = PLANNER.with(|p| {
        let mut planner = p.borrow_mut();
        match direction {
            Direction::Forward => planner.plan_fft_forward(n),
            Direction::Inverse => planner.plan_fft_inverse(n),
        }
    });
    plan.process(buffer);
    if let Direction::Inverse = direction {
        let scale = 1.0 / n as f64;
        buffer.iter_mut().for_each(|c| *c *= scale);
    }
}

/// `series_fft(x_real[, x_imaginary])` and `series_ifft(...)`: a bag of
/// the `real` and `imag` arrays, which [`super::multi_valued`] spreads
/// over two columns.
fn transform(call: &Call, direction: Direction) -> Result<Val, QueryError> {
    for i in 0..call.args.len() {
        expect(call, i, |k| k == KqlType::String, "a dynamic array")?;
    }
    call.rowwise(KqlType::Dynamic, |a| {
        let Some(mut buffer) = complex_series(&a[0], a.get(1)) else {
            return Ok(Scalar::Null(KqlType::Dynamic));
        };
        run(&mut buffer, direction);
        let mut bag = Map::new();
        bag.insert(
            "real".into(),
            Json::Array(buffer.iter().map(|c| real_json(c.re)).collect()),
        );
        bag.insert(
            "imag".into(),
            Json::Array(buffer.iter().map(|c| real_json(c.im)).collect()),
        );
        Ok(Scalar::Dynamic(Json::Object(bag)))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn near(got: &[Complex<f64>], want: &[(f64, f64)]) {
        assert_eq!(got.len(), want.len());
        for (g, w) in got.iter().zip(want) {
            assert!(
                (g.re - w.0).abs() < 1e-12 && (g.im - w.1).abs() < 1e-12,
                "{g} vs {w:?}"
            );
        }
    }

    #[test]
    fn a_small_transform_and_back() {
        // The DFT of [1, 2, 3, 4]: [10, -2+2i, -2, -2-2i].
        let mut b: Vec<Complex<f64>> = [1.0, 2.0, 3.0, 4.0]
            .iter()
            .map(|&r| Complex::new(r, 0.0))
            .collect();
        run(&mut b, Direction::Forward);
        near(&b, &[(10.0, 0.0), (-2.0, 2.0), (-2.0, 0.0), (-2.0, -2.0)]);
        run(&mut b, Direction::Inverse);
        near(&b, &[(1.0, 0.0), (2.0, 0.0), (3.0, 0.0), (4.0, 0.0)]);
    }

    #[test]
    fn any_length_is_transformed() {
        // A prime length (Bluestein's algorithm): a constant's transform
        // is n at frequency 0 and nothing elsewhere.
        let mut b = vec![Complex::new(1.0, 0.0); 7];
        run(&mut b, Direction::Forward);
        let mut want = vec![(0.0, 0.0); 7];
        want[0] = (7.0, 0.0);
        near(&b, &want);
    }
}
