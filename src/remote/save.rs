//! A remote result brought home: written as `DIR/Name.parquet`, typed by
//! its own schema, so that `quarry DIR` (or `--data DIR`) opens it as the
//! table `Name`, like any export.
//!
//! Written atomically, as exports are: a hidden temporary file beside the
//! target (loaders skip dot files), renamed into place when complete; an
//! existing table is not replaced unless asked.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use polars::prelude::*;

/// Checks that `name` can be a table's name: a KQL identifier (letters,
/// digits, `_`, not starting with a digit), so queries can name it bare.
pub fn check_table_name(name: &str) -> Result<(), String> {
    let ok = !name.is_empty()
        && !name.starts_with(|c: char| c.is_ascii_digit())
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if ok {
        Ok(())
    } else {
        Err(format!(
            "--as {name:?}: a table name is letters, digits and _, not starting with a digit"
        ))
    }
}

/// Writes `frame` as the table `name` in `dir` (created if missing) and
/// returns the file written.
pub fn save_table(
    dir: &Path,
    name: &str,
    frame: &mut DataFrame,
    overwrite: bool,
) -> Result<PathBuf, String> {
    check_table_name(name)?;
    let target = dir.join(format!("{name}.parquet"));
    let shown = target.display().to_string();
    if !overwrite && fs::symlink_metadata(&target).is_ok() {
        return Err(format!("{shown} exists (use --force to replace it)"));
    }
    fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let (file, temp) = create_temp(dir, name).map_err(|e| format!("cannot write {shown}: {e}"))?;
    ParquetWriter::new(&file)
        .finish(frame)
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    file.sync_all()
        .map_err(|e| format!("cannot write {shown}: {e}"))?;
    drop(file);
    if overwrite {
        fs::rename(&temp.0, &target).map_err(|e| format!("cannot write {shown}: {e}"))?;
    } else {
        // Linked, not renamed, so a table written meanwhile is not replaced.
        match fs::hard_link(&temp.0, &target) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(format!("{shown} exists (use --force to replace it)"));
            }
            Err(_) => {
                fs::rename(&temp.0, &target).map_err(|e| format!("cannot write {shown}: {e}"))?
            }
        }
    }
    Ok(target)
}

/// Removes the temporary file whatever happens.
struct Temp(PathBuf);

impl Drop for Temp {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.0);
    }
}

fn create_temp(dir: &Path, name: &str) -> io::Result<(File, Temp)> {
    let pid = std::process::id();
    for n in 0u32.. {
        let path = dir.join(format!(".{name}.parquet.{pid}.{n}.tmp"));
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(f) => return Ok((f, Temp(path))),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(io::Error::other("no free temporary name"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kql_identifiers() {
        assert!(check_table_name("SigninLogs_7d").is_ok());
        assert_eq!(
            check_table_name("../x").unwrap_err(),
            "--as \"../x\": a table name is letters, digits and _, not starting with a digit"
        );
        assert!(check_table_name("7days").is_err());
        assert!(check_table_name("").is_err());
    }
}
