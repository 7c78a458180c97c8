//! KQL's scalar types and how each is held in a Polars column.
//!
//! The mapping is one-to-one, so a frame's schema alone says the KQL type of
//! every column, through any Polars operation:
//!
//! | KQL      | Polars                          |
//! |----------|---------------------------------|
//! | bool     | Boolean                         |
//! | int      | Int32                           |
//! | long     | Int64                           |
//! | real     | Float64                         |
//! | decimal  | Decimal(38, s), s per column    |
//! | datetime | Datetime(ns), no zone, UTC      |
//! | timespan | Duration(ns)                    |
//! | string   | String (never null: "" instead) |
//! | dynamic  | Binary holding JSON text        |
//!
//! Kusto keeps datetimes in 100-nanosecond ticks; nanoseconds hold them exactly.
//! A decimal column's scale is its own (see `data::decimal`): any
//! `Decimal(_, _)` is a decimal.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum KqlType {
    Bool,
    Int,
    Long,
    Real,
    /// Declared after `Real`: in Kusto's type order decimal is the widest
    /// number (Kusto.Language's `ScalarTypes.Decimal` is wider than int,
    /// long and real), so `max` of two numeric kinds is their common type.
    Decimal,
    Datetime,
    Timespan,
    String,
    Dynamic,
}

impl KqlType {
    /// The KQL name, as `getschema` and `datatable` spell it.
    pub fn name(self) -> &'static str {
        match self {
            KqlType::Bool => "bool",
            KqlType::Int => "int",
            KqlType::Long => "long",
            KqlType::Real => "real",
            KqlType::Decimal => "decimal",
            KqlType::Datetime => "datetime",
            KqlType::Timespan => "timespan",
            KqlType::String => "string",
            KqlType::Dynamic => "dynamic",
        }
    }

    /// Parses a KQL type name, including the aliases Kusto accepts.
    pub fn parse(name: &str) -> Option<KqlType> {
        Some(match name.to_ascii_lowercase().as_str() {
            "bool" | "boolean" => KqlType::Bool,
            "int" | "int32" => KqlType::Int,
            "long" | "int64" => KqlType::Long,
            "real" | "double" | "float" => KqlType::Real,
            "decimal" => KqlType::Decimal,
            "datetime" | "date" => KqlType::Datetime,
            "timespan" | "time" => KqlType::Timespan,
            "string" | "guid" => KqlType::String,
            "dynamic" => KqlType::Dynamic,
            _ => return None,
        })
    }

    /// The Polars type that holds values of this KQL type.
    pub fn polars(self) -> polars::prelude::DataType {
        use polars::prelude::{DataType, TimeUnit};
        match self {
            KqlType::Bool => DataType::Boolean,
            KqlType::Int => DataType::Int32,
            KqlType::Long => DataType::Int64,
            KqlType::Real => DataType::Float64,
            // A column's own scale may differ (data::decimal::column).
            KqlType::Decimal => crate::data::decimal::dtype(crate::data::decimal::COLUMN_SCALE),
            KqlType::Datetime => DataType::Datetime(TimeUnit::Nanoseconds, None),
            KqlType::Timespan => DataType::Duration(TimeUnit::Nanoseconds),
            KqlType::String => DataType::String,
            KqlType::Dynamic => DataType::Binary,
        }
    }

    /// The KQL type of a Polars column, `None` for a type that loaders must
    /// normalise first (see `data::normalize`).
    pub fn of(dtype: &polars::prelude::DataType) -> Option<KqlType> {
        use polars::prelude::{DataType, TimeUnit};
        Some(match dtype {
            DataType::Boolean => KqlType::Bool,
            DataType::Int32 => KqlType::Int,
            DataType::Int64 => KqlType::Long,
            DataType::Float64 => KqlType::Real,
            DataType::Decimal(_, _) => KqlType::Decimal,
            DataType::Datetime(TimeUnit::Nanoseconds, None) => KqlType::Datetime,
            DataType::Duration(TimeUnit::Nanoseconds) => KqlType::Timespan,
            // Dictionary-encoded text (see `data::encode`).
            DataType::String | DataType::Categorical(_, _) => KqlType::String,
            DataType::Binary => KqlType::Dynamic,
            _ => return None,
        })
    }

    pub fn is_numeric(self) -> bool {
        matches!(
            self,
            KqlType::Int | KqlType::Long | KqlType::Real | KqlType::Decimal
        )
    }
}

impl fmt::Display for KqlType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
