//! From the paths on the command line to table sources.
//!
//! A path is a file or a folder. Each file becomes a table named after its
//! stem (`DeviceNetworkEvents.csv.gz` -> `DeviceNetworkEvents`); `Name=path`
//! names one explicitly; the parts of a folder such as
//! `DeviceNetworkEvents/part-0.parquet` form one table named after the folder;
//! files of the same name in several folders (one export a day) are one table.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};

use super::catalog::LoadError;

/// The file formats Quarry reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Comma- or tab-separated text; the delimiter is sniffed.
    Csv,
    /// Apache Parquet, typed by its own schema.
    Parquet,
    /// A JSON array of objects, NDJSON, or the Defender streaming-API envelope
    /// (told apart by content).
    Json,
}

/// How a file is compressed, from its last extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain.
    None,
    /// `.gz`.
    Gzip,
    /// `.zst` or `.zstd`.
    Zstd,
}

/// One file to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SourceFile {
    pub path: PathBuf,
    pub format: Format,
    pub compression: Compression,
}

impl SourceFile {
    /// The file at `path`, its format and compression told by its name.
    pub fn new(path: impl Into<PathBuf>) -> Option<SourceFile> {
        let path = path.into();
        let (_, format, compression) = classify(&path)?;
        Some(SourceFile {
            path,
            format,
            compression,
        })
    }
}

/// The files that make one table. For JSON files that turn out to be
/// streaming-API envelopes, the table names come from their content, and
/// `name` is only the fallback.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableSource {
    /// The table's name: the file's stem, the parts' folder, or `Name=`.
    pub name: String,
    /// The files, in path order.
    pub files: Vec<SourceFile>,
    /// Set by `Name=path`: the name wins over any envelope category.
    pub explicit_name: bool,
}

/// Recognises a data file by its extensions: `x.csv`, `x.tsv.gz`, `x.json.zst`.
/// Returns the stem without the extensions.
pub fn classify(path: &Path) -> Option<(String, Format, Compression)> {
    let file_name = path.file_name()?.to_string_lossy();
    let file_name = file_name.as_ref();
    let lower = file_name.to_ascii_lowercase();
    let (rest, compression) = if let Some(r) = lower.strip_suffix(".gz") {
        (r, Compression::Gzip)
    } else if let Some(r) = lower.strip_suffix(".zst") {
        (r, Compression::Zstd)
    } else if let Some(r) = lower.strip_suffix(".zstd") {
        (r, Compression::Zstd)
    } else {
        (lower.as_str(), Compression::None)
    };
    let (stem_len, format) = [
        (".csv", Format::Csv),
        (".tsv", Format::Csv),
        (".txt", Format::Csv),
        (".parquet", Format::Parquet),
        (".pq", Format::Parquet),
        (".json", Format::Json),
        (".ndjson", Format::Json),
        (".jsonl", Format::Json),
    ]
    .iter()
    .find_map(|(ext, f)| rest.strip_suffix(ext).map(|s| (s.len(), *f)))?;
    if stem_len == 0 {
        return None;
    }
    Some((file_name[..stem_len].to_string(), format, compression))
}

/// Parts of a partitioned table are named like `part-0`, `part_00001`,
/// `00000`, or a hex/uuid chunk id; their table is named after the folder.
fn is_part_name(stem: &str) -> bool {
    let s = stem.to_ascii_lowercase();
    s.starts_with("part-")
        || s.starts_with("part_")
        || s.chars().all(|c| c.is_ascii_digit())
        || (s.len() >= 8 && s.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
}

/// Files in a folder that are documentation or KQL (stored functions in
/// `functions/*.kql`, saved queries), not data, and so not an error.
fn is_ignorable(path: &Path) -> bool {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || lower.ends_with(".md")
        || lower.starts_with("readme")
        || lower.starts_with("license")
        || lower.ends_with(".crc")
        || lower.ends_with(".kql")
        || lower == "_success"
}

/// Resolves the command-line paths into table sources, in name order, and the
/// paths that cannot be read as tables. A file named twice (on its own and
/// inside a folder given too, say) is read once.
pub fn discover(args: &[String]) -> (Vec<TableSource>, Vec<LoadError>) {
    let mut tables: BTreeMap<String, TableSource> = BTreeMap::new();
    let mut errors = Vec::new();
    let mut seen: HashSet<PathBuf> = HashSet::new();
    let mut first_time =
        |path: &Path| seen.insert(path.canonicalize().unwrap_or_else(|_| path.to_path_buf()));
    for arg in args {
        let (explicit, path) = split_name(arg);
        let path = PathBuf::from(path);
        if !path.exists() {
            errors.push(LoadError::new(&path, None, "no such file or folder"));
            continue;
        }
        if path.is_dir() {
            let mut files = Vec::new();
            let before = errors.len();
            walk(&path, &mut files, &mut errors);
            if files.is_empty() && errors.len() == before {
                errors.push(LoadError::new(&path, None, NO_DATA_FILES));
            }
            for (file, stem, format, compression) in files {
                if !first_time(&file) {
                    continue;
                }
                let name = match &explicit {
                    Some(n) => n.clone(),
                    // A part is named after its folder, even the folder given.
                    None if is_part_name(&stem) => folder_name(&file).unwrap_or(stem),
                    None => stem,
                };
                add(
                    &mut tables,
                    name,
                    explicit.is_some(),
                    file,
                    format,
                    compression,
                );
            }
        } else {
            match classify(&path) {
                Some((stem, format, compression)) => {
                    if !first_time(&path) {
                        continue;
                    }
                    let name = explicit.clone().unwrap_or(stem);
                    add(
                        &mut tables,
                        name,
                        explicit.is_some(),
                        path,
                        format,
                        compression,
                    );
                }
                None => errors.push(LoadError::new(&path, None, UNSUPPORTED_TYPE)),
            }
        }
    }
    (tables.into_values().collect(), errors)
}

/// The error for a folder with nothing to load.
pub const NO_DATA_FILES: &str = "no data files in this folder (expected .csv, .tsv, .parquet, .json, .ndjson or .jsonl, optionally .gz or .zst)";

/// The error for a file of a type Quarry does not read.
pub const UNSUPPORTED_TYPE: &str = "unsupported file type (expected .csv, .tsv, .parquet, .json, .ndjson or .jsonl, optionally .gz or .zst)";

/// Where `externaldata` looks for local copies of its files: the folder
/// of every path the tables came from (a folder itself, or a file's
/// folder), then the `externaldata` folder of Quarry's data directory.
/// The one resolver for the command line, `rules run` and the workbench.
pub fn externaldata_dirs(args: &[String]) -> Vec<PathBuf> {
    let mut dirs = data_folders(args);
    dirs.extend(crate::places::data_file("externaldata"));
    dirs
}

/// The folders the tables came from, once each, in order: a folder given,
/// or a file's folder (`externaldata` files and stored functions sit there).
pub fn data_folders(args: &[String]) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = Vec::new();
    for arg in args {
        let path = Path::new(split_name(arg).1);
        let dir = if path.is_dir() {
            path.to_path_buf()
        } else {
            match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            }
        };
        if !dirs.contains(&dir) {
            dirs.push(dir);
        }
    }
    dirs
}

/// `Name=path` names a table explicitly; a path that merely contains `=`
/// but exists as written is taken as a path.
fn split_name(arg: &str) -> (Option<String>, &str) {
    if Path::new(arg).exists() {
        return (None, arg);
    }
    match arg.split_once('=') {
        Some((name, path))
            if !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-') =>
        {
            (Some(name.to_string()), path)
        }
        _ => (None, arg),
    }
}

fn folder_name(file: &Path) -> Option<String> {
    let parent = file.parent()?;
    // `quarry .` gives parts like `./part-0.parquet`: name them after the real folder.
    let parent = match parent.file_name() {
        Some(_) => parent.to_path_buf(),
        None => parent.canonicalize().ok()?,
    };
    let folder = parent.file_name()?.to_string_lossy().into_owned();
    let folder = folder.as_str();
    // A folder named like `DeviceNetworkEvents.parquet` (Spark's habit) is still the table name.
    Some(
        classify(Path::new(folder))
            .map(|(stem, _, _)| stem)
            .unwrap_or_else(|| folder.to_string()),
    )
}

type Found = (PathBuf, String, Format, Compression);

fn walk(dir: &Path, out: &mut Vec<Found>, errors: &mut Vec<LoadError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => {
            errors.push(LoadError::new(dir, None, e.to_string()));
            return;
        }
    };
    let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    // Sorted so that parts concatenate in order and results are reproducible.
    paths.sort();
    for path in paths {
        if is_ignorable(&path) {
            continue;
        }
        if path.is_dir() {
            walk(&path, out, errors);
        } else if let Some((stem, format, compression)) = classify(&path) {
            out.push((path, stem, format, compression));
        } else {
            errors.push(LoadError::new(&path, None, UNSUPPORTED_TYPE));
        }
    }
}

fn add(
    tables: &mut BTreeMap<String, TableSource>,
    name: String,
    explicit: bool,
    path: PathBuf,
    format: Format,
    compression: Compression,
) {
    let entry = tables.entry(name.clone()).or_insert_with(|| TableSource {
        name,
        files: Vec::new(),
        explicit_name: explicit,
    });
    entry.explicit_name |= explicit;
    entry.files.push(SourceFile {
        path,
        format,
        compression,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_extensions() {
        let c = |p: &str| classify(Path::new(p));
        assert_eq!(
            c("DeviceNetworkEvents.csv"),
            Some(("DeviceNetworkEvents".into(), Format::Csv, Compression::None))
        );
        assert_eq!(
            c("/x/DeviceProcessEvents.CSV.GZ"),
            Some(("DeviceProcessEvents".into(), Format::Csv, Compression::Gzip))
        );
        assert_eq!(
            c("a.json.zst"),
            Some(("a".into(), Format::Json, Compression::Zstd))
        );
        assert_eq!(
            c("part-0.parquet"),
            Some(("part-0".into(), Format::Parquet, Compression::None))
        );
        assert_eq!(c("notes.docx"), None);
        assert_eq!(c(".csv"), None);
    }

    #[test]
    fn part_names() {
        assert!(is_part_name("part-00000"));
        assert!(is_part_name("0001"));
        assert!(is_part_name("3f2a9c1e-77aa-4b1e"));
        assert!(!is_part_name("DeviceNetworkEvents"));
        assert!(!is_part_name("Feed"));
    }

    #[test]
    fn parts_of_the_folder_given_are_named_after_it() {
        let dir = std::env::temp_dir().join(format!("quarry-src-{}", std::process::id()));
        let parts = dir.join("DeviceNetworkEvents");
        std::fs::create_dir_all(&parts).unwrap();
        std::fs::write(parts.join("part-0.csv"), "a\n1\n").unwrap();
        std::fs::write(parts.join("part-1.csv"), "a\n2\n").unwrap();
        let (sources, errors) = discover(&[parts.to_string_lossy().into_owned()]);
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(sources.len(), 1);
        assert_eq!(sources[0].name, "DeviceNetworkEvents");
        assert_eq!(sources[0].files.len(), 2);
    }
}
