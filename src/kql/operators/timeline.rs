//! The timeline of the session and funnel plugins: a column of datetimes,
//! timespans or plain numbers (`session_count`'s own example counts time
//! in `long` slots), with the Start, End and window arguments that go with
//! it, all read as 64-bit positions on one axis.

use polars::prelude::*;

use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind};
use crate::kql::error::QueryError;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// What a timeline's positions are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Axis {
    /// Nanoseconds since the epoch; lengths are timespans.
    Datetime,
    /// Nanoseconds; lengths are timespans.
    Timespan,
    /// Plain numbers (`long` or `int`); lengths are numbers.
    Number,
}

/// A timeline column read as positions.
pub(super) struct Timeline {
    pub axis: Axis,
    /// The column's name (the output's first column), else `Timestamp`.
    pub name: String,
    /// Each row's position; `None` for a null.
    pub at: Vec<Option<i64>>,
}

impl Axis {
    /// The axis of a value, if it is one.
    fn of(kind: KqlType) -> Option<Axis> {
        match kind {
            KqlType::Datetime => Some(Axis::Datetime),
            KqlType::Timespan => Some(Axis::Timespan),
            KqlType::Long | KqlType::Int => Some(Axis::Number),
            _ => None,
        }
    }

    /// A position on this axis as a value.
    pub fn scalar(self, at: i64) -> Scalar {
        match self {
            Axis::Datetime => Scalar::Datetime(at),
            Axis::Timespan => Scalar::Timespan(at),
            Axis::Number => Scalar::Long(at),
        }
    }

    /// A column of positions named `name`.
    pub fn column(self, name: &str, at: impl IntoIterator<Item = i64>) -> Column {
        let kind = match self {
            Axis::Datetime => KqlType::Datetime,
            Axis::Timespan => KqlType::Timespan,
            Axis::Number => KqlType::Long,
        };
        let values = at.into_iter().map(|t| self.scalar(t)).collect();
        scalars_to_series(name, kind, values).into_column()
    }

    /// What a position on this axis is called in messages.
    fn noun(self) -> &'static str {
        match self {
            Axis::Datetime => "a datetime",
            Axis::Timespan => "a timespan",
            Axis::Number => "a number",
        }
    }

    /// What a length on this axis is called in messages.
    fn length_noun(self) -> &'static str {
        match self {
            Axis::Number => "a number",
            _ => "a timespan",
        }
    }
}

impl Runner<'_> {
    /// Reads the timeline column of `plugin`.
    pub(super) fn read_timeline(
        &self,
        plugin: &str,
        e: &Expr,
        frame: &DataFrame,
    ) -> Result<Timeline, QueryError> {
        let v = self.eval(e, frame)?;
        let Some(axis) = Axis::of(v.kind()) else {
            return Err(QueryError::type_error(
                format!(
                    "{plugin}(): the timeline must be a datetime, timespan or number column, not {}",
                    v.kind().name()
                ),
                e.span,
            ));
        };
        let at = (0..frame.height())
            .map(|i| match v.get(i) {
                Scalar::Datetime(t) | Scalar::Timespan(t) | Scalar::Long(t) => Some(t),
                Scalar::Int(n) => Some(i64::from(n)),
                _ => None,
            })
            .collect();
        let name = match &e.kind {
            ExprKind::Name(n) => n.clone(),
            _ => "Timestamp".to_string(),
        };
        Ok(Timeline { axis, name, at })
    }

    /// A position argument (`Start`, `End`) on `axis`.
    pub(super) fn timeline_point(
        &self,
        plugin: &str,
        what: &str,
        e: &Expr,
        axis: Axis,
    ) -> Result<i64, QueryError> {
        let v = self.eval_scalar(e, &DataFrame::empty())?;
        match (axis, &v) {
            (Axis::Datetime, Scalar::Datetime(t))
            | (Axis::Timespan, Scalar::Timespan(t))
            | (Axis::Number, Scalar::Long(t)) => Ok(*t),
            (Axis::Number, Scalar::Int(n)) => Ok(i64::from(*n)),
            _ => Err(QueryError::type_error(
                format!(
                    "{plugin}(): {what} must be {} like the timeline, not {}",
                    axis.noun(),
                    v.to_text()
                ),
                e.span,
            )),
        }
    }

    /// A positive length argument (a bin, a window) on `axis`.
    pub(super) fn timeline_length(
        &self,
        plugin: &str,
        what: &str,
        e: &Expr,
        axis: Axis,
    ) -> Result<i64, QueryError> {
        let v = self.eval_scalar(e, &DataFrame::empty())?;
        let length = match (axis, &v) {
            (Axis::Number, Scalar::Long(n)) => Some(*n),
            (Axis::Number, Scalar::Int(n)) => Some(i64::from(*n)),
            (Axis::Datetime | Axis::Timespan, Scalar::Timespan(t)) => Some(*t),
            _ => None,
        };
        match length {
            Some(n) if n > 0 => Ok(n),
            _ => Err(QueryError::type_error(
                format!(
                    "{plugin}(): {what} must be a positive {}, not {}",
                    axis.length_noun().trim_start_matches("a "),
                    v.to_text()
                ),
                e.span,
            )),
        }
    }
}
