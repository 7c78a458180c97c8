//! Work over millions of rows done a slice at a time, so that Ctrl+C is
//! seen between slices: a function evaluated over 5M rows (`pack_array`,
//! `parse_json`, a regex) can take seconds, and the cancel flag is only
//! read between steps.

use polars::prelude::*;

use super::polars_error;
use crate::kql::ast::{Expr, ExprKind};
use crate::kql::error::QueryError;
use crate::kql::run::{Binding, Runner};
use crate::kql::value::Val;

/// Below this many rows, work is done in one go.
pub(super) const SLICE: usize = 1 << 18;

/// How long one slice should take: the cancel flag is read between
/// slices, and Ctrl+C should be seen within a fifth of a second.
const SLICE_TIME: std::time::Duration = std::time::Duration::from_millis(40);

/// The slices of `rows` rows, sized as the work goes: the first is small,
/// and each next one is as many rows as the last ran in [`SLICE_TIME`]
/// (`parse_url` runs at about 5 µs a row, a comparison at 5 ns), so every
/// slice is short whatever the function costs.
pub(super) struct Slices {
    rows: usize,
    next: usize,
    len: usize,
    started: Option<std::time::Instant>,
}

impl Slices {
    const FIRST: usize = 1 << 14;
    const MAX: usize = 1 << 22;

    pub(super) fn new(rows: usize) -> Slices {
        Slices {
            rows,
            next: 0,
            len: Slices::FIRST,
            started: None,
        }
    }
}

impl Iterator for Slices {
    type Item = (usize, usize);

    /// The next (offset, length), timed from the previous call.
    fn next(&mut self) -> Option<(usize, usize)> {
        if let Some(t) = self.started {
            let took = t.elapsed().as_secs_f64().max(1e-6);
            let fit = (self.len as f64 * SLICE_TIME.as_secs_f64() / took) as usize;
            self.len = fit.clamp(Slices::FIRST, Slices::MAX);
        }
        if self.next >= self.rows {
            return None;
        }
        let at = self.next;
        let len = self.len.min(self.rows - at);
        self.next += len;
        self.started = Some(std::time::Instant::now());
        Some((at, len))
    }
}

/// Functions whose value for a row depends on other rows, or which run a
/// query of their own: slicing would change their answer (or run the
/// subquery once per slice).
const WINDOWED: &[&str] = &[
    "prev",
    "next",
    "row_number",
    "row_cumsum",
    "row_rank_dense",
    "row_rank_min",
    "row_window_session",
    "toscalar",
    "materialize",
    "table",
];

impl Runner<'_> {
    /// Whether `e` reads each row of `frame` on its own: no row window
    /// function, no subquery, no user function, and no name but the
    /// frame's columns and scalar `let`s.
    pub(crate) fn row_local(&self, e: &Expr, frame: &DataFrame) -> bool {
        !e.any(&|x| match &x.kind {
            ExprKind::Tabular(_) => true,
            ExprKind::Call { name, .. } => {
                WINDOWED.contains(&name.name.to_ascii_lowercase().as_str())
                    || self.scope.get(&name.name).is_some()
            }
            ExprKind::Name(n) => {
                frame.column(n).is_err() && !matches!(self.scope.get(n), Some(Binding::Scalar(_)))
            }
            _ => false,
        })
    }

    /// Filters (or otherwise shrinks) millions of rows a slice at a time,
    /// checking the cancel flag between slices, when `predicate` is row
    /// local; otherwise in one go.
    pub(super) fn in_slices(
        &self,
        predicate: &Expr,
        frame: DataFrame,
        filter: impl Fn(DataFrame) -> Result<DataFrame, QueryError>,
    ) -> Result<DataFrame, QueryError> {
        let rows = frame.height();
        if rows <= 2 * SLICE || !self.row_local(predicate, &frame) {
            return filter(frame);
        }
        let mut out: Option<DataFrame> = None;
        for (start, len) in Slices::new(rows) {
            self.check_cancel()?;
            let part = filter(frame.slice(start as i64, len))?;
            match &mut out {
                None => out = Some(part),
                Some(o) => {
                    o.vstack_mut_owned(part)
                        .map_err(|e| polars_error(e, predicate.span))?;
                }
            }
        }
        Ok(out.unwrap_or(frame))
    }

    /// Which rows of `frame` `predicate` keeps (one bool per row, null as
    /// false), `value` evaluating it over a frame: a slice at a time, as
    /// [`Runner::in_slices`] filters, but nothing is gathered.
    pub(crate) fn mask_in_slices(
        &self,
        predicate: &Expr,
        frame: &DataFrame,
        value: impl Fn(&DataFrame) -> Result<Val, QueryError>,
    ) -> Result<BooleanChunked, QueryError> {
        use super::filter::{Kept, kept};
        let mask_of = |slice: &DataFrame| -> Result<BooleanChunked, QueryError> {
            let rows = slice.height();
            Ok(match kept(value(slice)?, rows, predicate.span)? {
                Kept::All => BooleanChunked::full("".into(), true, rows),
                Kept::None => BooleanChunked::full("".into(), false, rows),
                Kept::Rows(mask) => mask,
            })
        };
        let rows = frame.height();
        if rows <= 2 * SLICE || !self.row_local(predicate, frame) {
            return mask_of(frame);
        }
        let mut out = BooleanChunked::full("".into(), false, 0);
        for (start, len) in Slices::new(rows) {
            self.check_cancel()?;
            let part = mask_of(&frame.slice(start as i64, len))?;
            out.append(&part)
                .map_err(|e| polars_error(e, predicate.span))?;
        }
        Ok(out)
    }

    /// Evaluates `e` over every row of `frame` like [`Runner::eval`], a
    /// slice at a time when there are millions of rows and `e` is row
    /// local, so that cancelling is seen within one slice's work.
    pub(crate) fn eval_rows(&self, e: &Expr, frame: &DataFrame) -> Result<Val, QueryError> {
        let rows = frame.height();
        // Columns, literals and arithmetic are vectorised and take
        // milliseconds; slicing them would only copy.
        let slow = e.any(&|x| {
            matches!(
                x.kind,
                ExprKind::Call { .. }
                    | ExprKind::StringOp { .. }
                    | ExprKind::Member { .. }
                    | ExprKind::Index { .. }
            )
        });
        if rows <= 2 * SLICE || !slow || !self.row_local(e, frame) {
            return self.eval(e, frame);
        }
        let mut parts: Vec<Series> = Vec::new();
        for (start, len) in Slices::new(rows) {
            self.check_cancel()?;
            let slice = frame.slice(start as i64, len);
            match self.eval(e, &slice)? {
                Val::Column(c) => parts.push(c),
                // A constant: the same for every row, so done.
                Val::Scalar(s) if parts.is_empty() => return Ok(Val::Scalar(s)),
                Val::Scalar(s) => parts.push(s.to_series("", slice.height())),
            }
        }
        let mut parts = parts.into_iter();
        let Some(mut out) = parts.next() else {
            return self.eval(e, frame);
        };
        for part in parts {
            // Slices that disagree on a type (a function that infers its
            // result from the values it saw) are evaluated in one go.
            if out.dtype() != part.dtype() || out.append(&part).is_err() {
                return self.eval(e, frame);
            }
        }
        Ok(Val::Column(out))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::data::catalog::Catalog;
    use crate::kql::RunOptions;
    use crate::kql::error::ErrorKind;
    use crate::kql::parser::parse_expr;

    /// Three slices and a bit: `x` from 0, and `t` as text.
    fn frame() -> DataFrame {
        let rows = 3 * SLICE + 7;
        let x: Vec<i64> = (0..rows as i64).collect();
        let t: Vec<String> = x.iter().map(|v| format!("v{v}")).collect();
        DataFrame::new(
            rows,
            vec![Column::new("x".into(), x), Column::new("t".into(), t)],
        )
        .expect("frame")
    }

    fn eval_both(text: &str) -> (Val, Val) {
        let catalog = Catalog::new();
        let options = RunOptions::default();
        let runner = Runner::new(&catalog, &options);
        let e = parse_expr(text).expect("parses");
        let f = frame();
        (
            runner.eval_rows(&e, &f).expect("sliced"),
            runner.eval(&e, &f).expect("whole"),
        )
    }

    #[test]
    fn slices_give_the_answer_of_one_go() {
        for text in [
            "strcat(t, \"-\", tostring(x % 7))",
            "strlen(t) + x",
            "t has \"v12\"",
            "pack_array(x, t)",
            "strcat(\"a\", \"b\")",
        ] {
            let (sliced, whole) = eval_both(text);
            match (sliced, whole) {
                (Val::Column(a), Val::Column(b)) => {
                    assert_eq!(a.len(), b.len(), "{text}");
                    assert!(a.equals_missing(&b), "{text}");
                }
                (Val::Scalar(a), Val::Scalar(b)) => assert_eq!(a, b, "{text}"),
                (a, b) => panic!("{text}: {a:?} against {b:?}"),
            }
        }
    }

    #[test]
    fn slices_cover_every_row_once() {
        for rows in [1, Slices::FIRST, Slices::FIRST + 1, 3 * SLICE + 7] {
            let mut next = 0;
            for (at, len) in Slices::new(rows) {
                assert_eq!(at, next);
                assert!(len > 0);
                next += len;
            }
            assert_eq!(next, rows);
        }
    }

    #[test]
    fn a_cancelled_evaluation_stops_between_slices() {
        let catalog = Catalog::new();
        let options = RunOptions {
            cancel: Some(Arc::new(AtomicBool::new(true))),
            ..Default::default()
        };
        let runner = Runner::new(&catalog, &options);
        let e = parse_expr("strcat(t, \"!\")").expect("parses");
        let err = runner.eval_rows(&e, &frame()).expect_err("cancelled");
        assert_eq!(err.kind, ErrorKind::Cancelled);
        // Cheap vectorised work is not sliced, so not interrupted.
        let e = parse_expr("x + 1").expect("parses");
        assert!(runner.eval_rows(&e, &frame()).is_ok());
    }
}
