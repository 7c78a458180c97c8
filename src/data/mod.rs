//! The `data` layer: named tables loaded from exported files, typed the way
//! KQL types them. It knows nothing of KQL syntax or screens.
//!
//! - [`source`] turns the paths a user gives into table sources;
//! - [`load`] reads each format into a frame and reports progress;
//! - [`normalize`] gives every column its KQL type ([`decimal`] holds decimals);
//! - [`encode`] stores repetitive text columns once per distinct value;
//! - [`catalog`] holds the loaded tables and what failed to load;
//! - [`warning`] says what a load got past (unreadable cells, non-UTF-8 text);
//! - [`sample`] generates realistic data with the planted stories.

pub mod catalog;
pub mod decimal;
pub mod encode;
pub mod load;
pub mod normalize;
pub mod sample;
pub mod schema;
pub mod source;
pub mod time;
pub mod types;
pub mod warning;

pub use catalog::{Catalog, LoadError, Table};
pub use types::KqlType;
pub use warning::LoadWarning;
