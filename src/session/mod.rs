//! The `session` layer: the investigation as a stack of pipeline steps,
//! the selection, and exports. No terminal code lives here.

pub mod cells;
pub mod chart;
pub mod engine;
pub mod export;
pub mod hits;
pub mod investigation;
pub mod kql_text;
pub mod persist;
pub mod results;
pub mod selection;
pub mod tables;
pub mod timeline;

pub use investigation::{CountInfo, Investigation, Step, ViewKind, ViewState};
pub use selection::Selection;
