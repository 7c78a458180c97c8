//! FileProfiles: what `invoke FileProfile()` knows, one row per binary hash
//! of the sample world (a few dozen rows; it does not scale with `--rows`).
//!
//! The planted story's file `winupd64.exe` is deliberately absent, so the
//! enrichment reports it as `ProfileAvailability == "Missing"`.

use std::io;

use super::catalog::FILES;
use super::clock::END;
use super::rng::{Rand, label_hash};
use super::sink::{Cell, RowSink};
use super::world::{World, file_size};
use crate::data::schema::FILE_PROFILE_COLUMNS;
use crate::data::types::KqlType;

pub const TABLE: &str = "FileProfiles";

/// `FileProfile()`'s columns without `ProfileAvailability`, which the
/// enrichment computes (Available or Missing) rather than stores.
pub fn columns() -> &'static [(&'static str, KqlType)] {
    &FILE_PROFILE_COLUMNS[..FILE_PROFILE_COLUMNS.len() - 1]
}

pub fn write(world: &World, sink: &mut dyn RowSink) -> io::Result<u64> {
    let mut written = 0;
    for (fi, f) in FILES.iter().enumerate() {
        if !f.profiled || f.path.is_empty() {
            continue;
        }
        let signer_hash = f
            .signer
            .map(|s| Rand::keyed("signer", &[label_hash(s.name)]).hex(40));
        for (vi, v) in f.versions.iter().enumerate() {
            let image = world.image(fi, vi);
            let (signer, issuer, root_ms, valid, state) = match f.signer {
                Some(s) => (s.name, s.issuer, s.root_ms, Cell::Bool(true), "SignedValid"),
                None => ("", "", false, Cell::Null, "Unsigned"),
            };
            sink.row(&[
                Cell::Str(&image.sha1),
                Cell::Str(&image.sha256),
                Cell::Str(&image.md5),
                Cell::Long(file_size(f, vi)),
                Cell::Long(v.prevalence),
                Cell::Datetime(v.first_seen),
                Cell::Datetime(f.last_seen.unwrap_or(END)),
                Cell::Str(signer),
                Cell::Str(issuer),
                Cell::Str(signer_hash.as_deref().unwrap_or("")),
                valid,
                Cell::Bool(root_ms),
                Cell::Str(state),
                Cell::Bool(true),
                Cell::Str(""),
                Cell::Str(f.company),
                Cell::Str(f.software),
            ])?;
            written += 1;
        }
    }
    Ok(written)
}
