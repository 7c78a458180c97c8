//! What home lists of each table the investigation can name: its rows,
//! time range and columns, for local tables and a remote engine's alike.

use crate::data::catalog::{Table, TimeRange};
use crate::data::types::KqlType;
use crate::remote::tables::RemoteTable;

/// A line of the home view: one table.
#[derive(Clone, Debug, PartialEq)]
pub struct TableSummary {
    /// Table name.
    pub name: String,
    /// Row count (0 for a remote table: the engine does not say).
    pub rows: usize,
    /// First and last time.
    pub range: Option<TimeRange>,
    /// Columns and types.
    pub columns: Vec<(String, KqlType)>,
}

impl TableSummary {
    /// The summary of a loaded table.
    pub fn of(table: &Table) -> TableSummary {
        TableSummary {
            name: table.name.clone(),
            rows: table.rows(),
            range: table.time_range(),
            columns: table.columns(),
        }
    }

    /// The summary of a remote engine's table: its columns typed as the
    /// service names them (`dynamic` for a type Quarry does not know),
    /// with no row count or time range.
    pub fn of_remote(table: &RemoteTable) -> TableSummary {
        TableSummary {
            name: table.name.clone(),
            rows: 0,
            range: None,
            columns: table
                .columns
                .iter()
                .map(|(n, ty)| {
                    let kind = crate::remote::typed::column_type(ty).unwrap_or(KqlType::Dynamic);
                    (n.clone(), kind)
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::*;

    #[test]
    fn local_and_remote_tables_are_summarised() {
        let frame = df!(
            "DeviceName" => ["wks-1", "wks-2"],
            "Timestamp" => [30i64, 10],
        )
        .unwrap()
        .lazy()
        .with_column(col("Timestamp").cast(DataType::Datetime(TimeUnit::Nanoseconds, None)))
        .collect()
        .unwrap();
        let table = Table {
            name: "DeviceEvents".into(),
            frame,
            files: Vec::new(),
            warnings: Vec::new(),
        };
        assert_eq!(
            TableSummary::of(&table),
            TableSummary {
                name: "DeviceEvents".into(),
                rows: 2,
                range: Some(TimeRange {
                    first: 10,
                    last: 30
                }),
                columns: vec![
                    ("DeviceName".into(), KqlType::String),
                    ("Timestamp".into(), KqlType::Datetime),
                ],
            }
        );
        let remote = RemoteTable {
            name: "SigninLogs".into(),
            description: String::new(),
            columns: vec![
                ("TimeGenerated".into(), "datetime".into()),
                ("Odd".into(), "no such type".into()),
            ],
        };
        assert_eq!(
            TableSummary::of_remote(&remote),
            TableSummary {
                name: "SigninLogs".into(),
                rows: 0,
                range: None,
                columns: vec![
                    ("TimeGenerated".into(), KqlType::Datetime),
                    ("Odd".into(), KqlType::Dynamic),
                ],
            }
        );
    }
}
