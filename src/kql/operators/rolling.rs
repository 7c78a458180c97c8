//! `evaluate rolling_percentile(ValueColumn, Percentile, IndexColumn,
//! BinSize, BinsPerWindow [, dim1, ...])`: per bin of the index (and per
//! combination of the dimensions), the nearest-rank percentile of the
//! values in the window of `BinsPerWindow` bins ending at that bin.
//!
//! Output: the index column (the bin's start), the dimensions, and
//! `rolling_{BinsPerWindow}_percentile_{ValueColumn}_{Percentile}`; one row
//! per bin that has values, dimensions in order of first appearance and
//! bins ascending within them. Rows with a null index or value are left
//! out. The index may be a number, a datetime or a timespan, the bin size
//! of the matching kind.

use std::collections::{BTreeMap, HashMap};

use polars::prelude::*;

use super::polars_error;
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::convert::as_real;
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// An index value's bin: its number, `floor(index / size)`.
fn bin_number(index: &Scalar, size: &Scalar) -> Option<i64> {
    match (index, size) {
        (Scalar::Datetime(v) | Scalar::Timespan(v), Scalar::Timespan(s)) if *s > 0 => {
            Some(v.div_euclid(*s))
        }
        (Scalar::Datetime(_) | Scalar::Timespan(_), _) => None,
        (v, s) => {
            let (v, s) = (as_real(v)?, as_real(s)?);
            (s > 0.0 && v.is_finite()).then(|| (v / s).floor() as i64)
        }
    }
}

/// A bin's start, of the index's kind.
fn bin_start(number: i64, kind: KqlType, size: &Scalar) -> Scalar {
    match (kind, size) {
        (KqlType::Datetime, Scalar::Timespan(s)) => Scalar::Datetime(number.saturating_mul(*s)),
        (KqlType::Timespan, Scalar::Timespan(s)) => Scalar::Timespan(number.saturating_mul(*s)),
        (KqlType::Int | KqlType::Long, Scalar::Int(_) | Scalar::Long(_)) => {
            Scalar::Long(number.saturating_mul(as_real(size).unwrap_or(1.0) as i64))
        }
        _ => Scalar::Real(number as f64 * as_real(size).unwrap_or(1.0)),
    }
}

impl Runner<'_> {
    /// Runs the plugin; keeps no input column but the index and dimensions.
    pub(super) fn rolling_percentile(
        &self,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let usage = || {
            QueryError::type_error(
                "rolling_percentile() needs ValueColumn, Percentile, IndexColumn, BinSize and BinsPerWindow, then any dimension columns",
                span,
            )
        };
        if args.len() < 5 {
            return Err(usage());
        }
        let name_of = |e: &Expr, what: &str| match &e.kind {
            ExprKind::Name(n) if frame.column(n).is_ok() => Ok(n.clone()),
            _ => Err(QueryError::type_error(
                format!("rolling_percentile(): {what} must be a column of the input"),
                e.span,
            )),
        };
        let value_name = name_of(&args[0], "ValueColumn")?;
        let index_name = name_of(&args[2], "IndexColumn")?;
        let dims: Vec<String> = args[5..]
            .iter()
            .map(|d| name_of(d, "a dimension"))
            .collect::<Result<_, _>>()?;
        let empty = DataFrame::empty();
        let percent = self.eval_scalar(&args[1], &empty)?;
        let p = match as_real(&percent) {
            Some(p) if (0.0..=100.0).contains(&p) => p,
            _ => {
                return Err(QueryError::type_error(
                    format!(
                        "rolling_percentile(): Percentile must be a number from 0 to 100, not {}",
                        percent.to_text()
                    ),
                    args[1].span,
                ));
            }
        };
        let size = self.eval_scalar(&args[3], &empty)?;
        let window = match self.eval_scalar(&args[4], &empty)? {
            Scalar::Int(n) if n > 0 => i64::from(n),
            Scalar::Long(n) if n > 0 => n,
            other => {
                return Err(QueryError::type_error(
                    format!(
                        "rolling_percentile(): BinsPerWindow must be a positive whole number, not {}",
                        other.to_text()
                    ),
                    args[4].span,
                ));
            }
        };
        let series = |name: &str| -> Result<Series, QueryError> {
            frame
                .column(name)
                .map(|c| c.as_materialized_series().clone())
                .map_err(|e| polars_error(e, span))
        };
        let values = series(&value_name)?;
        let index = series(&index_name)?;
        let index_kind = KqlType::of(index.dtype()).unwrap_or(KqlType::Real);
        let value_kind = KqlType::of(values.dtype()).unwrap_or(KqlType::Real);
        let dim_series: Vec<Series> = dims.iter().map(|d| series(d)).collect::<Result<_, _>>()?;
        if (0..index.len())
            .map(|i| Scalar::from_series(&index, i))
            .find(|v| !v.is_null())
            .is_some_and(|v| bin_number(&v, &size).is_none())
        {
            return Err(QueryError::type_error(
                format!(
                    "rolling_percentile(): BinSize {} does not fit the {} index column {index_name}",
                    size.to_text(),
                    index_kind.name()
                ),
                args[3].span,
            ));
        }

        // Per combination of dimensions (first appearance): values by bin.
        type Bins = BTreeMap<i64, Vec<Scalar>>;
        let mut groups: Vec<(Vec<Scalar>, Bins)> = Vec::new();
        let mut group_of: HashMap<Vec<String>, usize> = HashMap::new();
        for i in 0..frame.height() {
            if i % 65_536 == 0 {
                self.check_cancel()?;
            }
            let v = Scalar::from_series(&values, i);
            if v.is_null()
                || as_real(&v).is_none() && !matches!(v, Scalar::Datetime(_) | Scalar::Timespan(_))
            {
                continue;
            }
            let Some(bin) = bin_number(&Scalar::from_series(&index, i), &size) else {
                continue;
            };
            let key: Vec<Scalar> = dim_series
                .iter()
                .map(|d| Scalar::from_series(d, i))
                .collect();
            let text: Vec<String> = key.iter().map(|k| k.to_text().into_owned()).collect();
            let g = *group_of.entry(text).or_insert_with(|| {
                groups.push((key, Bins::new()));
                groups.len() - 1
            });
            groups[g].1.entry(bin).or_default().push(v);
        }

        let order_key = |v: &Scalar| match v {
            Scalar::Datetime(n) | Scalar::Timespan(n) => *n as f64,
            other => as_real(other).unwrap_or(f64::NAN),
        };
        let mut out_index: Vec<Scalar> = Vec::new();
        let mut out_dims: Vec<Vec<Scalar>> = vec![Vec::new(); dims.len()];
        let mut out_values: Vec<Scalar> = Vec::new();
        for (key, bins) in &groups {
            self.check_cancel()?;
            for &bin in bins.keys() {
                let mut in_window: Vec<&Scalar> = bins
                    .range(bin.saturating_sub(window - 1)..=bin)
                    .flat_map(|(_, v)| v.iter())
                    .collect();
                in_window.sort_by(|a, b| order_key(a).total_cmp(&order_key(b)));
                let n = in_window.len() as f64;
                let rank = (n * p / 100.0).ceil().max(1.0) as usize;
                let value = in_window
                    .get(rank - 1)
                    .map_or(Scalar::Null(value_kind), |v| (*v).clone());
                out_index.push(bin_start(bin, index_kind, &size));
                for (d, k) in out_dims.iter_mut().zip(key) {
                    d.push(k.clone());
                }
                out_values.push(value);
            }
        }

        let result_name = format!(
            "rolling_{window}_percentile_{value_name}_{}",
            percent.to_text().replace('.', "_")
        );
        let out_index_kind = out_index.first().map_or(index_kind, Scalar::kind);
        let rows = out_index.len();
        let mut columns =
            vec![scalars_to_series(&index_name, out_index_kind, out_index).into_column()];
        for ((name, values), s) in dims.iter().zip(out_dims).zip(&dim_series) {
            let kind = KqlType::of(s.dtype()).unwrap_or(KqlType::Dynamic);
            columns.push(scalars_to_series(name, kind, values).into_column());
        }
        columns.push(scalars_to_series(&result_name, value_kind, out_values).into_column());
        let out = DataFrame::new(rows, columns).map_err(|e| polars_error(e, span))?;
        let mut kept = vec![index_name];
        kept.extend(dims);
        Ok((out, kept))
    }
}
