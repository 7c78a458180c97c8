//! `invoke` and `parse`.

use polars::prelude::*;
use regex::Regex;

use super::polars_error;
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, Ident, ParsePart};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::functions::scalars_to_series;
use crate::kql::run::{Binding, Runner};
use crate::kql::value::Scalar;

impl Runner<'_> {
    /// `invoke f(args)`: a plugin (such as FileProfile) or a `let` function
    /// whose first parameter is a table.
    pub(super) fn op_invoke(
        &self,
        name: &Ident,
        args: &[Expr],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        if let Some(Binding::Function(..)) = self.scope.get(&name.name) {
            return self.call_tabular_function(&name.name, args, Some(frame), name.span);
        }
        let plugin = self
            .options
            .plugins
            .iter()
            .find(|p| p.name().eq_ignore_ascii_case(&name.name))
            .cloned();
        let Some(plugin) = plugin else {
            let names: Vec<&str> = self
                .options
                .plugins
                .iter()
                .map(|p| p.name())
                .chain(self.scope.names())
                .collect();
            return Err(QueryError::unknown(
                format!(
                    "unknown function '{}'{}",
                    name.name,
                    did_you_mean(&name.name, names)
                ),
                name.span,
            ));
        };
        let empty = DataFrame::empty();
        let values: Vec<Scalar> = args
            .iter()
            .map(|a| self.eval_scalar(a, &empty))
            .collect::<Result<_, _>>()?;
        plugin.invoke(frame, &values, self.catalog, name.span)
    }

    /// `parse [kind=simple|regex|relaxed] Expr with "lit" Col [:type] "lit" * ...`:
    /// new columns from the parts of a text. Rows that do not match get
    /// empty values (nulls for typed columns); with `relaxed`, a number
    /// column whose text is not a number is null and the rest still match.
    pub(super) fn op_parse(
        &self,
        source: &Expr,
        kind: Option<&str>,
        pattern: &[ParsePart],
        mut frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let rows = frame.height();
        let regex_mode = kind.is_some_and(|k| k.eq_ignore_ascii_case("regex"));
        // Documented: with `relaxed`, text that is not of a column's type
        // makes that column null and parsing goes on.
        let relaxed = kind.is_some_and(|k| k.eq_ignore_ascii_case("relaxed"));
        let mut re = String::from("(?s)");
        let mut columns: Vec<(String, KqlType)> = Vec::new();
        let n = pattern.len();
        for (i, part) in pattern.iter().enumerate() {
            let last = i + 1 == n;
            match part {
                ParsePart::Literal(l) => {
                    if regex_mode {
                        re.push_str(l);
                    } else {
                        re.push_str(&regex::escape(l));
                    }
                }
                ParsePart::Wildcard => re.push_str(if last { ".*" } else { ".*?" }),
                ParsePart::Column { name, kind } => {
                    let k = match kind {
                        Some(t) => KqlType::parse(t).ok_or_else(|| {
                            QueryError::syntax(format!("unknown type '{t}'"), name.span)
                        })?,
                        None => KqlType::String,
                    };
                    let group = match k {
                        KqlType::Long | KqlType::Int => r"-?\d+",
                        KqlType::Real => r"-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?",
                        _ if last => ".*",
                        _ => ".*?",
                    };
                    if relaxed && k.is_numeric() {
                        re.push_str(&format!("((?:{group})?)"));
                    } else {
                        re.push_str(&format!("({group})"));
                    }
                    columns.push((name.name.clone(), k));
                }
            }
        }
        let re = Regex::new(&re).map_err(|e| {
            QueryError::runtime(
                format!("the parse pattern is not a valid regular expression: {e}"),
                Some(source.span),
            )
        })?;
        let text = self.eval(source, &frame)?.to_text(rows);
        let mut values: Vec<Vec<Scalar>> = vec![Vec::with_capacity(rows); columns.len()];
        for v in text.iter() {
            let caps = re.captures(v.unwrap_or(""));
            for (ci, (_, k)) in columns.iter().enumerate() {
                let cell = caps
                    .as_ref()
                    .and_then(|c| c.get(ci + 1))
                    .map(|m| m.as_str());
                values[ci].push(match (cell, k) {
                    (None, KqlType::String) => Scalar::String(String::new()),
                    (None, k) => Scalar::Null(*k),
                    (Some(t), KqlType::String) => Scalar::String(t.to_string()),
                    (Some(t), KqlType::Long | KqlType::Int) => {
                        t.parse().map_or(Scalar::Null(KqlType::Long), Scalar::Long)
                    }
                    (Some(t), KqlType::Real) => {
                        t.parse().map_or(Scalar::Null(KqlType::Real), Scalar::Real)
                    }
                    (Some(t), KqlType::Datetime) => crate::data::time::parse_datetime(t)
                        .map_or(Scalar::Null(KqlType::Datetime), Scalar::Datetime),
                    (Some(t), KqlType::Timespan) => crate::data::time::parse_timespan(t)
                        .map_or(Scalar::Null(KqlType::Timespan), Scalar::Timespan),
                    (Some(t), KqlType::Bool) => match t.to_ascii_lowercase().as_str() {
                        "true" | "1" => Scalar::Bool(true),
                        "false" | "0" => Scalar::Bool(false),
                        _ => Scalar::Null(KqlType::Bool),
                    },
                    (Some(t), KqlType::Dynamic) => {
                        Scalar::Dynamic(crate::kql::value::parse_json_bytes(t.as_bytes()))
                    }
                });
            }
        }
        for ((name, k), vals) in columns.into_iter().zip(values) {
            let k = if k == KqlType::Int { KqlType::Long } else { k };
            let s = scalars_to_series(&name, k, vals);
            frame
                .with_column(s.into_column())
                .map_err(|e| polars_error(e, source.span))?;
        }
        Ok(frame)
    }
}
