//! The `session` layer: the investigation as a stack of pipeline steps,
//! the selection, and exports. No terminal code lives here.

pub mod cells;
pub mod export;
