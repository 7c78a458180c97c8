//! Loading's fast paths give exactly the table the plain path gives.
//!
//! The plain path reads a file with Polars' own reader (CSV as text
//! throughout) and types it with `normalize::normalize`: no chunks, no
//! parallel workers, no encoding. The loader parses chunks on worker
//! threads, encodes text as it parses (CSV) or per row group (Parquet),
//! with 8-, 16- or 32-bit codes that chunks and tables widen to agree on.
//! Decoded, its tables must equal the plain ones cell for cell, whatever
//! the chunk size; and encoded columns must join, stack and fill as text
//! does.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::AtomicBool;

use assert_cmd::prelude::*;
use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::data::encode::{decode, dictionary_name};
use quarry::data::load::{LoadControl, load_paths, load_table};
use quarry::data::normalize::normalize;
use quarry::data::source::discover;
use quarry::kql::{RunOptions, run};
use tempfile::TempDir;

/// `quarry sample` output of `rows` network events in `format`, written
/// once per test into a temporary folder.
fn sample(dir: &Path, rows: usize, format: &str) -> PathBuf {
    let mut cmd = Command::cargo_bin("quarry").expect("binary");
    cmd.args(["sample", "--out"])
        .arg(dir)
        .args(["--rows", &rows.to_string(), "--format", format]);
    if format == "csv" {
        cmd.args(["--compress", "none"]);
    }
    cmd.assert().success();
    dir.join(format!("DeviceNetworkEvents.{format}"))
}

/// The table as the loader makes it, chunks of `chunk` bytes for text.
fn loaded(path: &Path, chunk: Option<usize>) -> Table {
    let (mut sources, errors) = discover(&[path.to_string_lossy().into_owned()]);
    assert!(errors.is_empty(), "{errors:?}");
    let cancel = AtomicBool::new(false);
    let mut control = LoadControl::new(&|_| {}, &cancel);
    control.chunk_bytes = chunk;
    let (mut tables, errors) = load_table(&sources.remove(0), &control);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(tables.len(), 1);
    tables.remove(0)
}

/// Every encoded column as plain text.
fn decoded(frame: &DataFrame) -> DataFrame {
    let columns = frame
        .columns()
        .iter()
        .map(|c| match decode(c.as_materialized_series()) {
            Some(text) => text.into_column(),
            None => c.clone(),
        })
        .collect();
    DataFrame::new(frame.height(), columns).expect("frame")
}

/// The plain path: Polars reads the whole file (CSV as text), then
/// `normalize` types it for `table`.
fn plain(path: &Path, table: &str) -> DataFrame {
    let raw = if path.extension().is_some_and(|e| e == "parquet") {
        let file = std::fs::File::open(path).expect("open");
        ParquetReader::new(file).finish().expect("parquet")
    } else {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .expect("csv reader")
            .finish()
            .expect("csv")
    };
    normalize(table, raw).expect("normalize")
}

#[track_caller]
fn assert_same(got: &DataFrame, want: &DataFrame, what: &str) {
    assert_eq!(got.shape(), want.shape(), "{what}: shape");
    for (g, w) in got.columns().iter().zip(want.columns()) {
        assert_eq!(g.name(), w.name(), "{what}: column order");
        assert_eq!(g.dtype(), w.dtype(), "{what}: type of {}", g.name());
        let (g, w) = (g.as_materialized_series(), w.as_materialized_series());
        assert!(g.equals_missing(w), "{what}: column {} differs", g.name());
    }
}

fn encoded_columns(frame: &DataFrame) -> Vec<String> {
    frame
        .columns()
        .iter()
        .filter(|c| dictionary_name(c.dtype()).is_some())
        .map(|c| c.name().to_string())
        .collect()
}

#[test]
fn csv_chunks_encoded_as_parsed_equal_the_plain_reading() {
    let dir = TempDir::new().expect("temp dir");
    let csv = sample(dir.path(), 20_000, "csv");
    let want = plain(&csv, "DeviceNetworkEvents");
    // One chunk; about seventy (their codes widening as RemoteIP's
    // dictionary grows); thousands of a few records each.
    for chunk in [None, Some(256 << 10), Some(4 << 10)] {
        let table = loaded(&csv, chunk);
        let encoded = encoded_columns(&table.frame);
        for column in [
            "DeviceName",
            "ActionType",
            "RemoteIP",
            "InitiatingProcessCommandLine",
        ] {
            assert!(encoded.contains(&column.to_string()), "{chunk:?}: {column}");
        }
        assert_same(
            &decoded(&table.frame),
            &want,
            &format!("chunks of {chunk:?}"),
        );
    }
}

#[test]
fn parquet_row_groups_read_in_parallel_equal_the_plain_reading() {
    let dir = TempDir::new().expect("temp dir");
    // More rows than one slice of row groups (2^17), so two workers read.
    let parquet = sample(dir.path(), 150_000, "parquet");
    let table = loaded(&parquet, None);
    assert!(!encoded_columns(&table.frame).is_empty());
    assert_same(
        &decoded(&table.frame),
        &plain(&parquet, "DeviceNetworkEvents"),
        "parquet",
    );
}

/// Text columns of an undocumented Parquet table, read from their
/// dictionary pages: types are inferred from the distinct values exactly
/// as from the rows (numbers, dates, flags, JSON), nulls are "", a row
/// group with no value leaves the type to the others, and a column of
/// unique values (which the writer stores plainly) is read as text.
#[test]
fn parquet_text_read_from_dictionaries_equals_the_plain_reading() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("Inventory.parquet");
    let rows = 40_000;
    let host: Vec<Option<String>> = (0..rows)
        .map(|i| (i % 97 != 5).then(|| format!("host-{}", i % 300)))
        .collect();
    let port: Vec<String> = (0..rows)
        .map(|i| ["443", "80", "8080"][i % 3].into())
        .collect();
    let seen: Vec<String> = (0..rows)
        .map(|i| format!("2026-03-0{}T10:00:00Z", 1 + i % 5))
        .collect();
    let flag: Vec<String> = (0..rows).map(|i| ["True", "False"][i % 2].into()).collect();
    let tags: Vec<String> = (0..rows).map(|i| format!("{{\"k\":{}}}", i % 4)).collect();
    // Empty in the first row groups, then words: inferred per row group.
    let later: Vec<String> = (0..rows)
        .map(|i| {
            if i < 25_000 {
                String::new()
            } else {
                ["a", "b"][i % 2].into()
            }
        })
        .collect();
    let unique: Vec<String> = (0..rows)
        .map(|i| format!("id-{i:08}-{}", i * 7919))
        .collect();
    let mut frame = df!(
        "Host" => host,
        "Port" => port,
        "Seen" => seen,
        "Flag" => flag,
        "Tags" => tags,
        "Later" => later,
        "Unique" => unique,
    )
    .expect("frame");
    // Row groups of a quarter (a slice of four dictionaries, merged) and
    // of the whole table (one dictionary, its indexes taken as they are).
    for group_rows in [10_000, rows] {
        let mut file = std::fs::File::create(&path).expect("create");
        ParquetWriter::new(&mut file)
            .with_row_group_size(Some(group_rows))
            .finish(&mut frame)
            .expect("write");
        let table = loaded(&path, None);
        assert_table(&table, &path, group_rows);
    }
}

fn assert_table(table: &Table, path: &Path, group_rows: usize) {
    let what = format!("row groups of {group_rows}");
    assert_eq!(encoded_columns(&table.frame), ["Host", "Later"], "{what}");
    let types: Vec<String> = table
        .frame
        .columns()
        .iter()
        .map(|c| format!("{}:{}", c.name(), c.dtype()))
        .collect();
    assert_eq!(
        types[1..],
        [
            "Port:i64",
            "Seen:datetime[ns]",
            "Flag:bool",
            "Tags:binary",
            "Later:cat",
            "Unique:str"
        ],
        "{what}"
    );
    assert_same(&decoded(&table.frame), &plain(path, "Inventory"), &what);
}

/// Text columns of an undocumented table, typed by inference: a column
/// repetitive early and unique later is encoded in some chunks, plain in
/// others, and joined as text; numbers stay numbers.
#[test]
fn inferred_text_mixed_across_chunks_equals_the_plain_reading() {
    let dir = TempDir::new().expect("temp dir");
    let path = dir.path().join("Inventory.csv");
    let mut text = String::from("Host,Note,Size\n");
    for i in 0..6000 {
        let note = if i < 3000 {
            ["alpha", "beta", "gamma"][i % 3].to_string()
        } else {
            format!("unique note {i}")
        };
        text.push_str(&format!("host-{},\"{note}\",{}\n", i % 40, i * 7));
    }
    std::fs::write(&path, text).expect("write");
    let want = plain(&path, "Inventory");
    for chunk in [None, Some(4 << 10)] {
        let table = loaded(&path, chunk);
        assert_eq!(encoded_columns(&table.frame), ["Host"], "{chunk:?}");
        assert_eq!(
            table.frame.column("Size").expect("Size").dtype(),
            &DataType::Int64
        );
        assert_same(
            &decoded(&table.frame),
            &want,
            &format!("chunks of {chunk:?}"),
        );
    }
}

fn csv_with(dir: &Path, name: &str, column: &str, values: usize, rows: usize) -> PathBuf {
    let path = dir.join(format!("{name}.csv"));
    let mut text = format!("{column},n\n");
    for i in 0..rows {
        text.push_str(&format!("v{},{i}\n", i % values));
    }
    std::fs::write(&path, text).expect("write");
    path
}

fn physical(catalog: &Catalog, table: &str, column: &str) -> DataType {
    let t = catalog.get(table).expect("table");
    let c = t.frame.column(column).expect("column");
    c.as_materialized_series()
        .to_physical_repr()
        .dtype()
        .clone()
}

/// A table whose values outgrow a dictionary's 8-bit codes widens it; the
/// table loaded before it is widened too, so the two still join on codes
/// and give what plain text gives.
#[test]
fn tables_agree_on_the_width_of_their_codes() {
    let dir = TempDir::new().expect("temp dir");
    // A column name of this test's own: dictionaries are per process.
    let column = "WidthAgreementKey";
    let small = csv_with(dir.path(), "Small", column, 50, 1000);
    let large = csv_with(dir.path(), "Large", column, 600, 3000);
    let one = load_paths(&[small.to_string_lossy().into_owned()]);
    assert!(one.errors.is_empty(), "{:?}", one.errors);
    assert_eq!(physical(&one, "Small", column), DataType::UInt8);

    let mut both = one.clone();
    let two = load_paths(&[large.to_string_lossy().into_owned()]);
    for table in two.tables() {
        both.insert(table.clone());
    }
    assert_eq!(physical(&both, "Large", column), DataType::UInt16);
    assert_eq!(physical(&both, "Small", column), DataType::UInt16);
    let dtype = |t: &str| {
        both.get(t)
            .and_then(|t| t.frame.column(column).ok())
            .map(|c| c.dtype().clone())
    };
    assert_eq!(dtype("Small"), dtype("Large"));

    let mut text = Catalog::new();
    for t in both.tables() {
        text.insert(Table {
            frame: decoded(&t.frame),
            ..t.clone()
        });
    }
    for query in [
        format!(
            "Small | join kind=inner (Large) on {column} | summarize count(), sum(n1) by {column} | sort by {column} asc"
        ),
        format!(
            "union Small, Large | summarize count() by {column} | sort by {column} asc | take 60"
        ),
        format!("Large | join kind=leftanti (Small) on {column} | count"),
    ] {
        let options = RunOptions::default();
        let a = run(&both, &query, &options).expect("encoded");
        let b = run(&text, &query, &options).expect("text");
        assert_same(&decoded(&a), &b, &query);
    }
}

/// An outer join's unmatched rows read "" in the other side's text
/// columns, as plain text does, and the columns stay encoded.
#[test]
fn outer_joins_keep_text_encoded() {
    let dir = TempDir::new().expect("temp dir");
    let left = csv_with(dir.path(), "Left", "OuterJoinKey", 10, 100);
    let right = dir.path().join("Right.csv");
    let mut text = String::from("OuterJoinKey,Label\n");
    for i in 0..100 {
        text.push_str(&format!("v{},label-{}\n", i % 5, i % 4));
    }
    std::fs::write(&right, text).expect("write");
    let catalog = load_paths(&[
        left.to_string_lossy().into_owned(),
        right.to_string_lossy().into_owned(),
    ]);
    assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
    let query = "Left | join kind=leftouter (Right | distinct OuterJoinKey, Label) on OuterJoinKey \
                 | project OuterJoinKey, Label, n | sort by n asc, Label asc";
    let got = run(&catalog, query, &RunOptions::default()).expect("query");
    let label = got.column("Label").expect("Label");
    assert!(
        dictionary_name(label.dtype()).is_some(),
        "{:?}",
        label.dtype()
    );
    assert_eq!(label.null_count(), 0);
    let labels = decode(label.as_materialized_series()).expect("decoded");
    // Keys v5..v9 have no match: "" there, as in Kusto.
    let of = |n: i64| -> Vec<String> {
        let rows = got.column("n").expect("n").i64().expect("long").clone();
        rows.iter()
            .zip(labels.iter())
            .filter(|(r, _)| *r == Some(n))
            .map(|(_, l)| l.unwrap_or("null").to_string())
            .collect()
    };
    assert_eq!(of(7), [""]);
    assert_eq!(of(2), ["label-0", "label-1", "label-2", "label-3"]);
    let mut plain_catalog = Catalog::new();
    for t in catalog.tables() {
        plain_catalog.insert(Table {
            frame: decoded(&t.frame),
            ..t.clone()
        });
    }
    let want = run(&plain_catalog, query, &RunOptions::default()).expect("plain");
    assert_same(&decoded(&got), &want, query);
}
