//! The `kql` layer: lexer -> parser (syntax tree with spans) -> evaluator
//! over Polars frames. `run` is the one entry point everything shares.

pub mod ast;
pub mod check;
pub mod error;
pub mod expr;
pub mod functions;
pub mod graph;
pub mod lexer;
pub mod limits;
pub mod operators;
pub mod parser;
pub mod quote;
pub mod render;
pub mod result_pipelines;
pub mod rows;
pub mod run;
pub mod run_rows;
pub mod shared;
pub mod stored;
pub mod value;
pub mod warnings;

pub use error::QueryError;
pub use limits::{Budget, Cancel};
pub use result_pipelines::result_pipelines;
pub use rows::Rows;
pub use run::{NamedResult, Plugin, RunOptions, run, run_query, run_results, several_results};
pub use run_rows::{run_rows, run_rows_results};
pub use warnings::Warnings;
