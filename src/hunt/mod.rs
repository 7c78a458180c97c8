//! The `hunt` layer: detection rules and file-profile enrichment.

pub mod batch;
pub mod file_profile;
pub mod pack;
pub mod pivot;
pub mod rules;
pub mod sigma;
pub mod triage;
pub mod verdict;

use std::sync::Arc;

use crate::kql::Plugin;

/// The plugins this layer gives the KQL engine (`invoke FileProfile(...)`).
pub fn plugins() -> Vec<Arc<dyn Plugin>> {
    vec![Arc::new(file_profile::FileProfile::default())]
}
