//! Every integration suite in one test binary.
//!
//! Each suite was its own binary once; each linked Polars, and 36 of them
//! filled the CI machine's disk (850 MB apiece) and spent most of a run
//! linking. Suites are modules here; `cargo test <suite>::` runs one.

mod common;
mod geo_support;
mod remote_server;

mod activity_metrics;
mod catalog;
mod charts;
mod cli_check;
mod cli_data;
mod conformance;
mod corpus_syntax;
mod coverage;
mod doc_breadth;
mod doc_conversions;
mod doc_decimal;
mod doc_external;
mod doc_fidelity;
mod doc_functions_more;
mod doc_gaps;
mod doc_macro_expand;
mod doc_operators;
mod doc_operators_more;
mod doc_patterns;
mod doc_project_by_names;
mod doc_remaining;
mod doc_series_analysis;
mod doc_statements;
mod doc_top_nested;
mod doc_window_sketches;
mod doc_year_month_day;
mod encoded;
mod functions;
mod geo;
mod geo_overlays;
mod geo_paths;
mod geo_shapes;
mod graph;
mod graph_functions;
mod graph_semantics;
mod hunt;
mod ip_lookup;
mod limits;
mod load_equivalence;
mod mysteries;
mod pivots;
mod remote;
mod remote_workbench;
mod sigma;
mod step_rows;
mod stored_functions;
mod tui;
mod user_agent;
mod warnings;
mod workbench_results;
