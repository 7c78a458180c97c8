//! `evaluate geo_polygon_lookup(...)` and `evaluate geo_line_lookup(...)`:
//! locations classified by the polygons (or roads, or any lines) of a
//! small lookup table, as Kusto's plugins do.
//!
//! `T | evaluate geo_polygon_lookup(LookupTable, LookupPolygonKey,
//! SourceLongitude, SourceLatitude [, radius] [, return_unmatched]
//! [, lookup_area_radius] [, return_lookup_key])`: a row of `T` meets a
//! lookup row when its location lies in the polygon (`geo_point_in_polygon`)
//! or, with a radius, within that many meters of it
//! (`geo_distance_point_to_polygon`). `geo_line_lookup` takes the same
//! arguments, its radius required: a location meets a line within the
//! radius (`geo_distance_point_to_line`).
//!
//! A row meeting several lookup rows is repeated once per row, in the
//! lookup table's order; `return_unmatched=true` keeps rows meeting none,
//! with empty lookup columns. The output is the input's columns, then the
//! lookup table's, its key column only with `return_lookup_key=true`;
//! a taken name gets a suffix as `join` gives. `lookup_area_radius` only
//! tunes Kusto's index and changes no result: it is read and checked.

use polars::prelude::*;

use super::lookup_pairs::Pairs;
use super::polars_error;
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::convert::as_real;
use crate::kql::functions::geo::lookup::LookupShape;
use crate::kql::run::Runner;
use crate::kql::value::Scalar;

/// Which plugin.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Shape {
    Polygon,
    Line,
}

impl Shape {
    fn plugin(self) -> &'static str {
        match self {
            Shape::Polygon => "geo_polygon_lookup",
            Shape::Line => "geo_line_lookup",
        }
    }
}

/// The optional parameters after the four required ones, in order.
const OPTIONAL: [&str; 4] = [
    "radius",
    "return_unmatched",
    "lookup_area_radius",
    "return_lookup_key",
];

impl Runner<'_> {
    /// Runs the plugin; also returns the input's columns, for `*` in an
    /// output schema.
    pub(super) fn geo_lookup(
        &self,
        shape: Shape,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let plugin = shape.plugin();
        let usage = || {
            QueryError::type_error(
                format!(
                    "{plugin}() needs the lookup table, its {} column, and the input's longitude and latitude{}",
                    if shape == Shape::Polygon {
                        "polygon"
                    } else {
                        "line"
                    },
                    if shape == Shape::Line {
                        ", then the radius in meters"
                    } else {
                        ""
                    }
                ),
                span,
            )
        };
        let mut positional: Vec<&Expr> = Vec::new();
        let mut named: [Option<&Expr>; 4] = [None; 4];
        for a in args {
            match &a.kind {
                ExprKind::NamedArg { name, value } => {
                    let Some(i) = OPTIONAL
                        .iter()
                        .position(|p| name.name.eq_ignore_ascii_case(p))
                    else {
                        return Err(QueryError::type_error(
                            format!(
                                "{plugin}() has no parameter '{}': after the four columns it takes {}",
                                name.name,
                                OPTIONAL.join(", ")
                            ),
                            name.span,
                        ));
                    };
                    named[i] = Some(value);
                }
                _ => positional.push(a),
            }
        }
        if positional.len() < 4 || positional.len() > 8 {
            return Err(usage());
        }
        for (i, a) in positional[4..].iter().enumerate() {
            if named[i].is_some() {
                return Err(QueryError::type_error(
                    format!("{plugin}(): {} is given twice", OPTIONAL[i]),
                    a.span,
                ));
            }
            named[i] = Some(a);
        }
        let Some(table) = self.tabular_expr(positional[0])? else {
            if let ExprKind::Name(n) = &positional[0].kind {
                return Err(self.unknown_table(n, positional[0].span));
            }
            return Err(QueryError::type_error(
                format!("the first argument of {plugin}() must be the lookup table"),
                positional[0].span,
            ));
        };
        let key_name = match &positional[1].kind {
            ExprKind::Name(n) if table.column(n).is_ok() => n.clone(),
            _ => {
                return Err(QueryError::type_error(
                    format!(
                        "the second argument of {plugin}() must be a column of the lookup table"
                    ),
                    positional[1].span,
                ));
            }
        };
        let empty = DataFrame::empty();
        let radius = match named[0] {
            None => None,
            Some(e) => match self.eval_scalar(e, &empty)? {
                Scalar::Null(_) => None,
                v => match as_real(&v) {
                    Some(r) if r >= 0.0 => Some(r),
                    _ => {
                        return Err(QueryError::type_error(
                            format!(
                                "{plugin}(): the radius must be a number of meters, not {}",
                                v.to_text()
                            ),
                            e.span,
                        ));
                    }
                },
            },
        };
        if shape == Shape::Line && radius.is_none() {
            return Err(usage());
        }
        let flag = |i: usize| -> Result<bool, QueryError> {
            match named[i] {
                None => Ok(false),
                Some(e) => match self.eval_scalar(e, &empty)? {
                    Scalar::Bool(b) => Ok(b),
                    Scalar::Null(_) => Ok(false),
                    v => Err(QueryError::type_error(
                        format!(
                            "{plugin}(): {} must be a bool, not {}",
                            OPTIONAL[i],
                            v.kind()
                        ),
                        e.span,
                    )),
                },
            }
        };
        let return_unmatched = flag(1)?;
        let return_lookup_key = flag(3)?;
        if let Some(e) = named[2] {
            let v = self.eval_scalar(e, &empty)?;
            if !matches!(v, Scalar::Null(_)) && as_real(&v).is_none_or(|r| r <= 0.0) {
                return Err(QueryError::type_error(
                    format!("{plugin}(): lookup_area_radius must be a positive number of meters"),
                    e.span,
                ));
            }
        }

        let rows = frame.height();
        let lng = self.eval(positional[2], &frame)?;
        let lat = self.eval(positional[3], &frame)?;
        let keys = table
            .column(&key_name)
            .map_err(|e| polars_error(e, positional[1].span))?
            .as_materialized_series()
            .clone();
        let shapes: Vec<Option<LookupShape>> = (0..keys.len())
            .map(|i| {
                let key = Scalar::from_series(&keys, i);
                match shape {
                    Shape::Polygon => LookupShape::polygon(&key),
                    Shape::Line => LookupShape::line(&key),
                }
            })
            .collect();
        let mut left: Vec<IdxSize> = Vec::with_capacity(rows);
        let mut right: Vec<Option<IdxSize>> = Vec::with_capacity(rows);
        for i in 0..rows {
            if i % 4096 == 0 {
                self.check_cancel()?;
            }
            let (x, y) = (lng.get(i), lat.get(i));
            let before = left.len();
            for (row, s) in shapes.iter().enumerate() {
                if s.as_ref().is_some_and(|s| s.matches(&x, &y, radius)) {
                    left.push(i as IdxSize);
                    right.push(Some(row as IdxSize));
                }
            }
            if left.len() == before && return_unmatched {
                left.push(i as IdxSize);
                right.push(None);
            }
        }
        let kept: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let lookup_columns: Vec<String> = table
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .filter(|n| return_lookup_key || *n != key_name)
            .collect();
        let out = self.lookup_rows(
            plugin,
            &frame,
            &table,
            Pairs {
                input: left,
                lookup: right,
                lookup_columns,
                lookup_first: false,
            },
            span,
        )?;
        Ok((out, kept))
    }
}
