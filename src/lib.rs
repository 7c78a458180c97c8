//! Quarry: a terminal workbench for threat hunters. It loads exported
//! Defender and Sentinel tables and runs the KQL analysts already write on
//! them, offline.
//!
//! Layers, top to bottom (each uses only those below it): `cli`, `tui`,
//! `session`, `hunt`, `kql`, `data`. See `DESIGN.md` in the shared folder.

pub mod cli;
pub mod data;
pub mod hunt;
pub mod kql;
pub mod places;
pub mod remote;
pub mod session;
pub mod text;
pub mod tui;
