//! The `tui` layer: a thin skin over `session`. Keys become actions,
//! actions change state, state is drawn.

pub mod action;
pub mod keymap;
pub mod line_editor;
pub mod terminal;
pub mod theme;
