//! (functions of this family are being written)

use super::ScalarFunction;

pub const FUNCTIONS: &[ScalarFunction] = &[];
