//! `invoke FileProfile(idColumn, n)`: Defender's file enrichment, answered
//! from a loaded table of file profiles (`FileProfiles` unless configured).

use polars::prelude::*;

use crate::data::catalog::Catalog;
use crate::data::schema::FILE_PROFILE_COLUMNS;
use crate::data::types::KqlType;
use crate::kql::Plugin;
use crate::kql::ast::Span;
use crate::kql::error::QueryError;
use crate::kql::operators::unique_name;
use crate::kql::value::Scalar;

/// The hash columns FileProfile can look up, and the profile column each matches.
const ID_COLUMNS: &[(&str, &str)] = &[
    ("SHA1", "SHA1"),
    ("SHA256", "SHA256"),
    ("InitiatingProcessSHA1", "SHA1"),
    ("InitiatingProcessSHA256", "SHA256"),
];

/// The FileProfile plugin.
pub struct FileProfile {
    /// The table profiles come from.
    pub table: String,
}

impl Default for FileProfile {
    fn default() -> FileProfile {
        FileProfile {
            table: "FileProfiles".into(),
        }
    }
}

fn runtime(e: PolarsError, span: Span) -> QueryError {
    QueryError::runtime(e.to_string(), Some(span))
}

impl Plugin for FileProfile {
    fn name(&self) -> &str {
        "FileProfile"
    }

    fn invoke(
        &self,
        input: DataFrame,
        args: &[Scalar],
        catalog: &Catalog,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        if args.len() > 2 {
            return Err(QueryError::type_error(
                "FileProfile() takes at most 2 arguments: idColumn, n",
                span,
            ));
        }
        let id = match args.first() {
            None => "SHA1".to_string(),
            Some(Scalar::String(s)) => s.clone(),
            Some(other) => {
                return Err(QueryError::type_error(
                    format!(
                        "FileProfile's idColumn must be a column name string, not {}",
                        other.kind()
                    ),
                    span,
                ));
            }
        };
        let Some((_, key)) = ID_COLUMNS.iter().find(|(c, _)| *c == id) else {
            return Err(QueryError::type_error(
                format!(
                    "FileProfile's idColumn must be one of SHA1, SHA256, InitiatingProcessSHA1, InitiatingProcessSHA256, not '{id}'"
                ),
                span,
            ));
        };
        let n = match args.get(1) {
            None => 100,
            Some(Scalar::Long(n)) if (1..=1000).contains(n) => *n as usize,
            Some(Scalar::Int(n)) if (1..=1000).contains(n) => *n as usize,
            Some(other) => {
                return Err(QueryError::type_error(
                    format!(
                        "FileProfile's n must be from 1 to 1000, not {}",
                        other.to_text()
                    ),
                    span,
                ));
            }
        };
        if input.column(&id).is_err() {
            return Err(QueryError::unknown(
                format!("FileProfile needs a column '{id}' in its input"),
                span,
            ));
        }
        let rows = input.height();
        let profiles = profile_table(catalog.get(&self.table).map(|t| &t.frame), key, span)?;
        // Only the first n rows are looked up, as in Defender.
        let looked_up: Vec<bool> = (0..rows).map(|i| i < n).collect();
        let mut keyed = input.clone();
        let hashes = input
            .column(&id)
            .map_err(|e| runtime(e, span))?
            .as_materialized_series()
            .cast(&DataType::String)
            .map_err(|e| runtime(e, span))?;
        let lowered: StringChunked = hashes
            .str()
            .map_err(|e| runtime(e, span))?
            .iter()
            .zip(&looked_up)
            .map(|(h, &on)| {
                if on {
                    h.map(str::to_ascii_lowercase)
                } else {
                    None
                }
            })
            .collect();
        keyed
            .with_column(lowered.with_name("__quarry_fp_key".into()).into_column())
            .map_err(|e| runtime(e, span))?;
        let joined = keyed
            .lazy()
            .join(
                profiles.lazy(),
                [col("__quarry_fp_key")],
                [col("__quarry_fp_key")],
                {
                    let mut args = JoinArgs::new(JoinType::Left);
                    args.maintain_order = MaintainOrderJoin::Left;
                    args
                },
            )
            .collect()
            .map_err(|e| runtime(e, span))?;
        let found = joined
            .column("__quarry_fp_found")
            .map_err(|e| runtime(e, span))?
            .as_materialized_series()
            .bool()
            .map_err(|e| runtime(e, span))?
            .clone();
        let availability: StringChunked = found
            .iter()
            .zip(&looked_up)
            .map(|(f, &on)| {
                Some(match (on, f) {
                    (false, _) => "",
                    (true, Some(true)) => "Available",
                    (true, _) => "Missing",
                })
            })
            .collect();
        // Output: the input's columns, then the profile's (a name the input
        // already has is suffixed, except the looked-up hash itself).
        let mut out: Vec<Column> = input.columns().to_vec();
        let mut taken: Vec<String> = input
            .get_column_names()
            .iter()
            .map(|s| s.to_string())
            .collect();
        for (name, kind) in FILE_PROFILE_COLUMNS {
            if *name == "ProfileAvailability" {
                let name = unique_name(name, &taken);
                out.push(
                    availability
                        .clone()
                        .with_name(name.as_str().into())
                        .into_column(),
                );
                continue;
            }
            if *name == id {
                continue;
            }
            let mut s = joined
                .column(&format!("__quarry_fp_{name}"))
                .map_err(|e| runtime(e, span))?
                .as_materialized_series()
                .clone();
            if *kind == KqlType::String {
                s = crate::data::normalize::kql_series(&s).map_err(|e| runtime(e, span))?;
            }
            let new = unique_name(name, &taken);
            taken.push(new.clone());
            out.push(s.with_name(new.as_str().into()).into_column());
        }
        DataFrame::new(rows, out).map_err(|e| runtime(e, span))
    }
}

/// The profiles keyed by lower-cased hash, one per hash, with every
/// FileProfile column in its documented type (null where the table lacks it).
fn profile_table(
    table: Option<&DataFrame>,
    key: &str,
    span: Span,
) -> Result<DataFrame, QueryError> {
    let empty;
    let table = match table {
        Some(t) => t,
        None => {
            empty = DataFrame::empty();
            &empty
        }
    };
    let rows = table.height();
    let mut cols: Vec<Column> = Vec::new();
    for (name, kind) in FILE_PROFILE_COLUMNS {
        if *name == "ProfileAvailability" {
            continue;
        }
        let s = match table.column(name) {
            Ok(c) => {
                let s = c.as_materialized_series();
                if KqlType::of(s.dtype()) == Some(*kind) {
                    s.clone()
                } else {
                    crate::data::normalize::convert(
                        &s.cast(&DataType::String).map_err(|e| runtime(e, span))?,
                        *kind,
                    )
                    .unwrap_or_else(|_| Series::full_null("".into(), rows, &kind.polars()))
                }
            }
            Err(_) => Series::full_null("".into(), rows, &kind.polars()),
        };
        cols.push(
            s.with_name(format!("__quarry_fp_{name}").as_str().into())
                .into_column(),
        );
    }
    let keys: StringChunked = match table.column(key) {
        Ok(c) => c
            .as_materialized_series()
            .cast(&DataType::String)
            .map_err(|e| runtime(e, span))?
            .str()
            .map_err(|e| runtime(e, span))?
            .iter()
            .map(|h| h.filter(|h| !h.is_empty()).map(str::to_ascii_lowercase))
            .collect(),
        Err(_) => StringChunked::full_null("".into(), rows),
    };
    cols.push(keys.with_name("__quarry_fp_key".into()).into_column());
    cols.push(Column::new("__quarry_fp_found".into(), vec![true; rows]));
    let frame = DataFrame::new(rows, cols).map_err(|e| runtime(e, span))?;
    let frame = frame
        .filter(
            &frame
                .column("__quarry_fp_key")
                .map_err(|e| runtime(e, span))?
                .as_materialized_series()
                .is_not_null(),
        )
        .map_err(|e| runtime(e, span))?;
    frame
        .unique_stable(
            Some(&["__quarry_fp_key".to_string()]),
            UniqueKeepStrategy::First,
            None,
        )
        .map_err(|e| runtime(e, span))
}
