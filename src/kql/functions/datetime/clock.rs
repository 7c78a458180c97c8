//! The query's clock: `now` and `ago`, both from the one instant a query
//! runs at.

use polars::prelude::*;

use super::{typed, typed_column};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::{as_timespan, expect_timespan, i64_column};
use crate::kql::value::{Scalar, Val};

/// `now([offset])`: the query's one instant.
pub(super) fn now(call: &Call) -> Result<Val, QueryError> {
    if call.args.is_empty() {
        return Ok(Val::Scalar(Scalar::Datetime(call.now)));
    }
    expect_timespan(call, 0)?;
    let now = call.now;
    call.rowwise(KqlType::Datetime, |a| {
        Ok(typed(
            KqlType::Datetime,
            as_timespan(&a[0]).and_then(|t| now.checked_add(t)),
        ))
    })
}

/// `ago(timespan)`: `now() - timespan`.
pub(super) fn ago(call: &Call) -> Result<Val, QueryError> {
    expect_timespan(call, 0)?;
    let now = call.now;
    if let Val::Column(c) = &call.args[0]
        && c.dtype() == &DataType::Duration(TimeUnit::Nanoseconds)
    {
        let ts = i64_column(&call.args[0], call.rows);
        let out: Int64Chunked = ts
            .iter()
            .map(|v| v.and_then(|v| now.checked_sub(v)))
            .collect();
        return Ok(typed_column(KqlType::Datetime, out));
    }
    call.rowwise(KqlType::Datetime, |a| {
        Ok(typed(
            KqlType::Datetime,
            as_timespan(&a[0]).and_then(|t| now.checked_sub(t)),
        ))
    })
}
