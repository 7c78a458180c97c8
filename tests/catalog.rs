//! The catalog as a user meets it: every format and quirk of real exports,
//! every kind of bad input with its exact message, lazy listing, progress
//! and cancellation, and `quarry tables`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use assert_cmd::prelude::*;
use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::data::load::{self, CANCELLED, LoadControl, Progress, load_paths, load_table, peek};
use quarry::data::source::{TableSource, discover};
use quarry::data::time::parse_datetime;
use quarry::kql::{RunOptions, run};
use tempfile::TempDir;

// ---------------------------------------------------------------- helpers

fn dir() -> TempDir {
    tempfile::tempdir().expect("temp dir")
}

fn write(dir: &Path, name: &str, content: impl AsRef<[u8]>) -> PathBuf {
    let path = dir.join(name);
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::write(&path, content).expect("write");
    path
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(bytes).expect("gzip");
    e.finish().expect("gzip")
}

fn zstd(bytes: &[u8]) -> Vec<u8> {
    zstd::encode_all(bytes, 3).expect("zstd")
}

fn load(paths: &[&Path]) -> Catalog {
    let args: Vec<String> = paths
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    load_paths(&args)
}

fn load_args(args: &[String]) -> Catalog {
    load_paths(args)
}

fn table<'a>(catalog: &'a Catalog, name: &str) -> &'a Table {
    catalog.get(name).unwrap_or_else(|| {
        panic!(
            "no table {name}; tables {:?}, errors {:?}",
            catalog.names().collect::<Vec<_>>(),
            catalog.errors
        )
    })
}

fn types(t: &Table) -> Vec<(String, String)> {
    t.columns()
        .into_iter()
        .map(|(n, k)| (n, k.name().to_string()))
        .collect()
}

fn type_of(t: &Table, column: &str) -> String {
    types(t)
        .into_iter()
        .find(|(n, _)| n == column)
        .map(|(_, k)| k)
        .unwrap_or_else(|| panic!("no column {column} in {:?}", types(t)))
}

fn strings(t: &Table, column: &str) -> Vec<String> {
    let c = t.frame.column(column).expect("column");
    assert_eq!(c.null_count(), 0, "strings are never null");
    assert_eq!(type_of(t, column), "string");
    quarry::kql::value::series_to_text(c.as_materialized_series())
        .iter()
        .map(|v| v.unwrap_or("").to_string())
        .collect()
}

fn errors(catalog: &Catalog) -> Vec<String> {
    catalog.errors.iter().map(ToString::to_string).collect()
}

fn only_error(catalog: &Catalog) -> String {
    let e = errors(catalog);
    assert_eq!(e.len(), 1, "{e:?}");
    e[0].clone()
}

fn query(catalog: &Catalog, q: &str) -> DataFrame {
    run(catalog, q, &RunOptions::default()).unwrap_or_else(|e| panic!("{q}: {e:?}"))
}

fn count(catalog: &Catalog, q: &str) -> i64 {
    let f = query(catalog, &format!("{q} | count"));
    f.column("Count")
        .expect("Count")
        .i64()
        .expect("long")
        .get(0)
        .expect("a count")
}

fn source(path: &Path) -> TableSource {
    let (mut sources, errors) = discover(&[path.to_string_lossy().into_owned()]);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(sources.len(), 1);
    sources.remove(0)
}

/// A small custom table with a column of every inferable type.
const CUSTOM_CSV: &str = "\
TimeGenerated,ComputerName,BytesSent,Ratio,Blocked,Details,Note
2025-03-18T11:42:07.1234567Z,wks-001,125292,0.5,True,\"{\"\"direction\"\":\"\"Out\"\"}\",
2025-03-18T11:43:07.0000000Z,wks-002,114,1.25,False,\"[1,2]\",hello
";

// ---------------------------------------------------------------- formats

#[test]
fn csv_columns_are_typed_by_inference() {
    let d = dir();
    let p = write(d.path(), "NetworkCommunicationEvents.csv", CUSTOM_CSV);
    let c = load(&[&p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "NetworkCommunicationEvents");
    assert_eq!(t.rows(), 2);
    assert_eq!(
        types(t),
        [
            ("TimeGenerated", "datetime"),
            ("ComputerName", "string"),
            ("BytesSent", "long"),
            ("Ratio", "real"),
            ("Blocked", "bool"),
            ("Details", "dynamic"),
            ("Note", "string"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    assert_eq!(strings(t, "Note"), ["", "hello"]);
    let range = t.time_range().expect("time range");
    assert_eq!(
        range.first,
        parse_datetime("2025-03-18T11:42:07.1234567Z").expect("dt")
    );
    assert_eq!(
        range.last,
        parse_datetime("2025-03-18T11:43:07Z").expect("dt")
    );
}

#[test]
fn tsv_and_other_delimiters_are_sniffed() {
    let d = dir();
    let tsv = CUSTOM_CSV.replace(',', "\t").replace("\t2]", ",2]");
    let a = write(d.path(), "A.tsv", &tsv);
    // A .csv that is really tab-separated, as some tools write it.
    let b = write(d.path(), "B.csv", &tsv);
    let semi = write(d.path(), "C.csv", "Name;Count\nx;1\ny;2\n");
    let c = load(&[&a, &b, &semi]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    for name in ["A", "B"] {
        let t = table(&c, name);
        assert_eq!(t.frame.width(), 7);
        assert_eq!(type_of(t, "BytesSent"), "long");
        assert_eq!(type_of(t, "Details"), "dynamic");
    }
    assert_eq!(type_of(table(&c, "C"), "Count"), "long");
}

#[test]
fn utf8_bom_is_tolerated() {
    let d = dir();
    let csv = write(d.path(), "Bom.csv", format!("\u{feff}{CUSTOM_CSV}"));
    let json = write(d.path(), "BomJson.json", "\u{feff}{\"a\":1}\n{\"a\":2}\n");
    let arr = write(d.path(), "BomArray.json", "\u{feff}[{\"a\":1}]");
    let c = load(&[&csv, &json, &arr]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(types(table(&c, "Bom"))[0].0, "TimeGenerated");
    assert_eq!(table(&c, "BomJson").rows(), 2);
    assert_eq!(table(&c, "BomArray").rows(), 1);
}

#[test]
fn crlf_line_endings_leave_no_carriage_returns() {
    let d = dir();
    let p = write(d.path(), "Crlf.csv", CUSTOM_CSV.replace('\n', "\r\n"));
    let c = load(&[&p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "Crlf");
    assert_eq!(t.rows(), 2);
    assert_eq!(strings(t, "Note"), ["", "hello"]);
    assert_eq!(types(t).last().expect("a column").0, "Note");
}

#[test]
fn final_line_without_newline_and_blank_lines() {
    let d = dir();
    let p = write(d.path(), "T.csv", "\n\nA,B\n1,x\n\n2,y\r\n\r\n3,z");
    let c = load(&[&p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "T");
    assert_eq!(t.rows(), 3);
    assert_eq!(strings(t, "B"), ["x", "y", "z"]);
}

/// Quoted fields holding newlines, commas and quotes, cut at every possible
/// chunk boundary: each chunk size gives the same table.
#[test]
fn quoted_newlines_across_chunk_boundaries() {
    let d = dir();
    let mut csv = String::from("Id,CommandLine,Tail\n");
    for i in 0..40 {
        csv.push_str(&format!(
            "{i},\"cmd.exe /c \"\"echo {i}\"\"\nline two, with comma\r\nline three\",t{i}\n"
        ));
    }
    let p = write(d.path(), "Quoted.csv", &csv);
    let expected: Vec<String> = (0..40)
        .map(|i| format!("cmd.exe /c \"echo {i}\"\nline two, with comma\r\nline three"))
        .collect();
    let src = source(&p);
    let cancel = AtomicBool::new(false);
    for chunk in [1, 2, 3, 7, 16, 33, 64, 100, 1000] {
        let mut control = LoadControl::new(&|_| {}, &cancel);
        control.chunk_bytes = Some(chunk);
        let (tables, errors) = load_table(&src, &control);
        assert!(errors.is_empty(), "chunk {chunk}: {errors:?}");
        let t = &tables[0];
        assert_eq!(t.rows(), 40, "chunk {chunk}");
        assert_eq!(strings(t, "CommandLine"), expected, "chunk {chunk}");
        assert_eq!(strings(t, "Tail")[39], "t39");
    }
}

#[test]
fn parquet_file_and_folder_of_parts() {
    let d = dir();
    let parts = d.path().join("DeviceNetworkEvents");
    std::fs::create_dir_all(&parts).expect("mkdir");
    for part in 0..3 {
        let mut f = df!(
            "Timestamp" => [format!("2025-03-18T11:42:0{part}.1234567Z")],
            "DeviceName" => [format!("wks-{part}")],
            "RemotePort" => [443i64 + part],
        )
        .expect("frame");
        let file =
            std::fs::File::create(parts.join(format!("part-{part}.parquet"))).expect("create");
        ParquetWriter::new(file).finish(&mut f).expect("parquet");
    }
    let c = load(&[&parts]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "DeviceNetworkEvents");
    assert_eq!(t.rows(), 3);
    assert_eq!(t.files.len(), 3);
    // Documented types win over the file's: string timestamps are datetimes,
    // a 64-bit port is an int.
    assert_eq!(type_of(t, "Timestamp"), "datetime");
    assert_eq!(type_of(t, "RemotePort"), "int");
    assert_eq!(strings(t, "DeviceName"), ["wks-0", "wks-1", "wks-2"]);

    // The parent folder gives the same table, and peek knows the row count
    // from the footers alone.
    let c = load(&[d.path()]);
    assert_eq!(table(&c, "DeviceNetworkEvents").rows(), 3);
    let preview = peek(&source(&parts)).expect("peek");
    assert_eq!(preview.name, "DeviceNetworkEvents");
    assert_eq!(preview.rows, Some(3));
    assert_eq!(
        preview.columns,
        vec![
            (
                "Timestamp".to_string(),
                Some(quarry::data::KqlType::Datetime)
            ),
            (
                "DeviceName".to_string(),
                Some(quarry::data::KqlType::String)
            ),
            ("RemotePort".to_string(), Some(quarry::data::KqlType::Int)),
        ]
    );
}

#[test]
fn json_array_and_ndjson() {
    let d = dir();
    let arr = write(
        d.path(),
        "Arr.json",
        r#"[
  {"Name": "a", "Count": 1, "Seen": "2025-03-18T11:42:07Z", "Tags": ["x"]},
  {"Name": "b", "Count": 2.5, "Extra": true}
]"#,
    );
    let nd = write(
        d.path(),
        "Lines.ndjson",
        "{\"Name\":\"a\",\"N\":1}\n\n{\"N\":2,\"Name\":\"b\"}\n{\"Name\":\"c\"}",
    );
    let jl = write(d.path(), "Lines2.jsonl", "{\"Ok\":true}\n");
    let c = load(&[&arr, &nd, &jl]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let a = table(&c, "Arr");
    assert_eq!(
        types(a),
        [
            ("Name", "string"),
            ("Count", "real"),
            ("Seen", "datetime"),
            ("Tags", "dynamic"),
            ("Extra", "bool"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    let l = table(&c, "Lines");
    assert_eq!(strings(l, "Name"), ["a", "b", "c"]);
    assert_eq!(type_of(l, "N"), "long");
    assert_eq!(l.frame.column("N").expect("N").null_count(), 1);
    assert_eq!(type_of(table(&c, "Lines2"), "Ok"), "bool");
}

const ENVELOPE: &str = concat!(
    r#"{"time":"2025-03-18T11:42:08.0000000Z","tenantId":"t","operationName":"Publish","category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2025-03-18T11:42:07.1234567Z","DeviceName":"wks-001","ProcessId":4242,"FileName":"powershell.exe","AdditionalFields":{"x":1}}}"#,
    "\n",
    r#"{"time":"2025-03-18T11:42:09.0000000Z","tenantId":"t","operationName":"Publish","category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2025-03-18T11:42:07.1234570Z","DeviceName":"wks-001","RemotePort":4444,"RemoteIP":"192.168.0.255","IsInitiatingProcessRemoteSession":false,"AdditionalFields":"{\"direction\":\"Out\"}"}}"#,
    "\n",
    r#"{"time":"2025-03-18T11:42:10.0000000Z","tenantId":"t","operationName":"Publish","category":"AdvancedHunting-DeviceProcessEvents","properties":{"Timestamp":"2025-03-18T11:43:00Z","DeviceName":"wks-002","ProcessId":7,"FileName":"cmd.exe"}}"#,
    "\n",
);

#[test]
fn streaming_api_envelope_feeds_several_tables() {
    let d = dir();
    let p = write(d.path(), "stream.json", ENVELOPE);
    let c = load(&[&p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(
        c.names().collect::<Vec<_>>(),
        ["DeviceNetworkEvents", "DeviceProcessEvents"]
    );
    let procs = table(&c, "DeviceProcessEvents");
    assert_eq!(procs.rows(), 2);
    // Columns come from `properties`, typed as documented; the envelope's
    // own fields are not columns.
    assert_eq!(type_of(procs, "Timestamp"), "datetime");
    assert_eq!(type_of(procs, "ProcessId"), "long");
    assert!(procs.frame.column("tenantId").is_err());
    // A documented string column holding a JSON object keeps its JSON text.
    assert_eq!(strings(procs, "AdditionalFields"), ["{\"x\":1}", ""]);
    let net = table(&c, "DeviceNetworkEvents");
    assert_eq!(type_of(net, "RemotePort"), "int");
    assert_eq!(type_of(net, "IsInitiatingProcessRemoteSession"), "bool");
    assert_eq!(
        count(
            &c,
            "DeviceNetworkEvents | where AdditionalFields.direction == \"Out\""
        ),
        1
    );

    // Event Hubs batches the same records as {"records":[...]} per line.
    let records: Vec<&str> = ENVELOPE.lines().collect();
    let batched = format!(
        "{{\"records\":[{}]}}\n{{\"records\":[{}]}}\n",
        records[..2].join(","),
        records[2]
    );
    let p = write(d.path(), "hub.json.gz", gzip(batched.as_bytes()));
    let c = load(&[&p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(table(&c, "DeviceProcessEvents").rows(), 2);
    assert_eq!(table(&c, "DeviceNetworkEvents").rows(), 1);

    // peek names the table after the first record's category.
    let preview = peek(&source(&p)).expect("peek");
    assert_eq!(preview.name, "DeviceProcessEvents");
    assert_eq!(
        preview.columns[0],
        (
            "Timestamp".to_string(),
            Some(quarry::data::KqlType::Datetime)
        )
    );
}

/// AdditionalFields arrives as an object in some records and as a string of
/// JSON in others: both stay usable.
#[test]
fn envelope_additional_fields_as_object_or_string() {
    let d = dir();
    let line = |fields: &str| {
        format!(
            r#"{{"time":"t","category":"AdvancedHunting-DeviceNetworkEvents","properties":{{"Timestamp":"2025-03-18T11:42:07Z","AdditionalFields":{fields}}}}}"#
        )
    };
    let text = [
        line(r#"{"direction":"Out"}"#),
        line(r#""{\"direction\":\"Out\"}""#),
        line(r#""plain words""#),
        line("null"),
    ]
    .join("\n");
    let p = write(d.path(), "stream.json", text);
    let c = load(&[&p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "DeviceNetworkEvents");
    assert_eq!(
        strings(t, "AdditionalFields"),
        [
            r#"{"direction":"Out"}"#,
            r#"{"direction":"Out"}"#,
            "plain words",
            ""
        ]
    );
    assert_eq!(
        count(
            &c,
            "DeviceNetworkEvents | where AdditionalFields.direction == \"Out\""
        ),
        2
    );
}

#[test]
fn envelopes_in_several_files_join_their_tables() {
    let d = dir();
    let lines: Vec<&str> = ENVELOPE.lines().collect();
    let a = write(d.path(), "day1/a.json", format!("{}\n", lines[0]));
    let b = write(
        d.path(),
        "day2/b.jsonl.zst",
        zstd(format!("{}\n{}\n", lines[1], lines[2]).as_bytes()),
    );
    let c = load(&[&a, &b]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let procs = table(&c, "DeviceProcessEvents");
    assert_eq!(procs.rows(), 2);
    assert_eq!(procs.files, [a, b]);
}

#[test]
fn every_format_compressed() {
    let d = dir();
    let nd = "{\"A\":1,\"B\":\"x\"}\n{\"A\":2,\"B\":\"y\"}\n";
    let arr = "[{\"A\":1,\"B\":\"x\"},{\"A\":2,\"B\":\"y\"}]";
    let csv = "A,B\n1,x\n2,y\n";
    let files = [
        write(d.path(), "C1.csv.gz", gzip(csv.as_bytes())),
        write(d.path(), "C2.csv.zst", zstd(csv.as_bytes())),
        write(
            d.path(),
            "C3.tsv.gz",
            gzip(csv.replace(',', "\t").as_bytes()),
        ),
        write(d.path(), "J1.json.gz", gzip(arr.as_bytes())),
        write(d.path(), "J2.json.zst", zstd(nd.as_bytes())),
        write(d.path(), "J3.ndjson.gz", gzip(nd.as_bytes())),
        write(d.path(), "J4.jsonl.zstd", zstd(nd.as_bytes())),
    ];
    // Concatenated gzip members (as `cat a.gz b.gz` makes) are one stream.
    let mut two = gzip(b"A,B\n1,x\n");
    two.extend(gzip(b"2,y\n"));
    let multi = write(d.path(), "C4.csv.gz", two);
    let refs: Vec<&Path> = files.iter().chain([&multi]).map(PathBuf::as_path).collect();
    let c = load(&refs);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.names().count(), 8);
    for t in c.tables() {
        assert_eq!(t.rows(), 2, "{}", t.name);
        assert_eq!(type_of(t, "A"), "long", "{}", t.name);
        assert_eq!(strings(t, "B"), ["x", "y"], "{}", t.name);
    }
}

// ---------------------------------------------------------------- naming

#[test]
fn name_equals_path_names_a_table() {
    let d = dir();
    let p = write(d.path(), "export-2025-03-18.csv", CUSTOM_CSV);
    let args = vec![format!("Comms={}", p.display())];
    let c = load_args(&args);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(c.names().collect::<Vec<_>>(), ["Comms"]);
    // An explicit name also wins over envelope categories.
    let e = write(d.path(), "stream.json", ENVELOPE);
    let c = load_args(&[format!("Everything={}", e.display())]);
    assert_eq!(c.names().collect::<Vec<_>>(), ["Everything"]);
    assert_eq!(table(&c, "Everything").rows(), 3);
}

#[test]
fn same_name_in_several_folders_is_one_table() {
    let d = dir();
    write(
        d.path(),
        "2025-03-17/DeviceInfo.csv",
        "Timestamp,DeviceName\n2025-03-17T00:00:00Z,a\n",
    );
    write(
        d.path(),
        "2025-03-18/DeviceInfo.csv.gz",
        gzip(b"Timestamp,DeviceName\n2025-03-18T00:00:00Z,b\n"),
    );
    write(d.path(), "2025-03-18/README.md", "notes");
    let c = load(&[d.path()]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "DeviceInfo");
    assert_eq!(t.rows(), 2);
    assert_eq!(t.files.len(), 2);
    assert_eq!(strings(t, "DeviceName"), ["a", "b"]);
}

#[test]
fn a_file_given_twice_loads_once() {
    let d = dir();
    let p = write(d.path(), "T.csv", "A\n1\n");
    let c = load(&[&p, d.path(), &p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(table(&c, "T").rows(), 1);
}

// ---------------------------------------------------------------- types

/// A DeviceNetworkEvents export as the portal writes it: seven fractional
/// digits, True/False, JSON in AdditionalFields, empty columns.
fn device_network_events() -> String {
    let mut csv = String::from(
        "Timestamp,DeviceName,ActionType,RemoteIP,RemotePort,InitiatingProcessFileSize,IsInitiatingProcessRemoteSession,AdditionalFields,AppGuardContainerId\n",
    );
    csv.push_str("2025-03-18T11:42:07.1234567Z,wks-001,ConnectionSuccess,192.168.0.255,,,True,\"{\"\"direction\"\":\"\"Out\"\"}\",\n");
    csv.push_str("2025-03-18T11:42:07.1234570Z,wks-001,ConnectionSuccess,192.168.0.255,,,False,\"{\"\"direction\"\":\"\"In\"\"}\",\n");
    csv.push_str("2025-03-18T11:42:08Z,wks-002,ConnectionFailed,10.0.0.1,,,,,\n");
    csv
}

#[test]
fn documented_types_even_for_empty_columns() {
    let d = dir();
    let p = write(d.path(), "DeviceNetworkEvents.csv", device_network_events());
    let c = load(&[&p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "DeviceNetworkEvents");
    assert_eq!(
        types(t),
        [
            ("Timestamp", "datetime"),
            ("DeviceName", "string"),
            ("ActionType", "string"),
            ("RemoteIP", "string"),
            ("RemotePort", "int"),
            ("InitiatingProcessFileSize", "long"),
            ("IsInitiatingProcessRemoteSession", "bool"),
            ("AdditionalFields", "string"),
            ("AppGuardContainerId", "string"),
        ]
        .map(|(a, b)| (a.to_string(), b.to_string()))
    );
    // The same columns of an undocumented table are inferred: empty is string.
    let p = write(d.path(), "MyNetworkEvents.csv", device_network_events());
    let c = load(&[&p]);
    assert_eq!(
        type_of(table(&c, "MyNetworkEvents"), "RemotePort"),
        "string"
    );
    assert_eq!(
        type_of(
            table(&c, "MyNetworkEvents"),
            "IsInitiatingProcessRemoteSession"
        ),
        "bool"
    );
}

#[test]
fn seven_digit_timestamps_keep_every_tick() {
    let d = dir();
    let p = write(d.path(), "DeviceNetworkEvents.csv", device_network_events());
    let c = load(&[&p]);
    let t = table(&c, "DeviceNetworkEvents");
    let ts = t.frame.column("Timestamp").expect("Timestamp");
    let ns: Vec<i64> = ts
        .datetime()
        .expect("datetime")
        .physical()
        .into_no_null_iter()
        .collect();
    assert_eq!(ns[1] - ns[0], 300, "two events 300 ns apart stay apart");
    assert_eq!(
        count(
            &c,
            "DeviceNetworkEvents | where Timestamp == datetime(2025-03-18T11:42:07.1234567Z)"
        ),
        1
    );
    assert_eq!(
        count(
            &c,
            "DeviceNetworkEvents | where Timestamp == datetime(2025-03-18T11:42:07.1234570Z)"
        ),
        1
    );
    assert_eq!(
        count(
            &c,
            "DeviceNetworkEvents | where Timestamp > datetime(2025-03-18T11:42:07.1234567Z)"
        ),
        2
    );
    // Booleans as the portal writes them.
    assert_eq!(
        count(
            &c,
            "DeviceNetworkEvents | where IsInitiatingProcessRemoteSession == true"
        ),
        1
    );
}

#[test]
fn json_in_a_string_column_is_usable_as_dynamic() {
    let d = dir();
    let p = write(d.path(), "DeviceNetworkEvents.csv", device_network_events());
    let c = load(&[&p]);
    assert_eq!(
        type_of(table(&c, "DeviceNetworkEvents"), "AdditionalFields"),
        "string"
    );
    assert_eq!(
        count(
            &c,
            "DeviceNetworkEvents | where AdditionalFields.direction == \"Out\""
        ),
        1
    );
    assert_eq!(
        count(
            &c,
            "DeviceNetworkEvents | where AdditionalFields.direction == \"In\""
        ),
        1
    );
    assert_eq!(
        count(
            &c,
            "DeviceNetworkEvents | where parse_json(AdditionalFields)[\"direction\"] == \"In\""
        ),
        1
    );
}

#[test]
fn strings_are_never_null() {
    let d = dir();
    let nd = write(
        d.path(),
        "Sparse.ndjson",
        "{\"A\":\"x\",\"B\":null}\n{\"C\":\"z\"}\n",
    );
    let c = load(&[&nd]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "Sparse");
    assert_eq!(strings(t, "A"), ["x", ""]);
    assert_eq!(strings(t, "B"), ["", ""]);
    assert_eq!(strings(t, "C"), ["", "z"]);
}

/// A column that looks numeric for a whole chunk and then is not: the
/// table is one type, widened to string, keeping the digits as written.
#[test]
fn inferred_types_are_widened_across_chunks() {
    let d = dir();
    let mut csv = String::from("Code,Value,Late\n");
    for i in 0..50 {
        csv.push_str(&format!("{i},{i},\n"));
    }
    csv.push_str("E42,0.5,7\n");
    let p = write(d.path(), "Mixed.csv", &csv);
    let cancel = AtomicBool::new(false);
    let mut control = LoadControl::new(&|_| {}, &cancel);
    control.chunk_bytes = Some(64);
    let (tables, errors) = load_table(&source(&p), &control);
    assert!(errors.is_empty(), "{errors:?}");
    let t = &tables[0];
    assert_eq!(type_of(t, "Code"), "string");
    assert_eq!(strings(t, "Code")[..3], ["0", "1", "2"]);
    assert_eq!(strings(t, "Code")[50], "E42");
    assert_eq!(type_of(t, "Value"), "real");
    assert_eq!(type_of(t, "Late"), "long");
    assert_eq!(t.frame.column("Late").expect("Late").null_count(), 50);
}

// ---------------------------------------------------------------- bad input

#[test]
fn ragged_rows_name_their_line() {
    let d = dir();
    let few = write(d.path(), "Few.csv", "A,B,C\n1,2,3\n4,5\n6,7,8\n");
    let many = write(d.path(), "Many.csv", "A,B,C\r\n1,2,3\r\n\r\n4,5,6,7\r\n");
    // A short row whose missing field would be the empty last column.
    let last = write(d.path(), "Last.csv", "A,B,C\n1,2,\n3,4\n");
    let good = write(d.path(), "Good.csv", "A\n1\n");
    let c = load(&[&few, &many, &last, &good]);
    assert_eq!(
        errors(&c),
        [
            format!(
                "{}:3: ragged row: 2 fields where the header has 3",
                few.display()
            ),
            format!(
                "{}:3: ragged row: 2 fields where the header has 3",
                last.display()
            ),
            format!(
                "{}:4: ragged row: 4 fields where the header has 3",
                many.display()
            ),
        ]
    );
    // The other tables still load, and a bad file adds nothing.
    assert_eq!(c.names().collect::<Vec<_>>(), ["Good"]);
}

#[test]
fn ragged_row_in_a_later_chunk_after_quoted_newlines() {
    let d = dir();
    let mut csv = String::from("A,B\n");
    for i in 0..30 {
        csv.push_str(&format!("{i},\"two\nlines\"\n"));
    }
    csv.push_str("oops\n");
    let p = write(d.path(), "Late.csv", &csv);
    let cancel = AtomicBool::new(false);
    for chunk in [None, Some(50)] {
        let mut control = LoadControl::new(&|_| {}, &cancel);
        control.chunk_bytes = chunk;
        let (tables, errors) = load_table(&source(&p), &control);
        assert!(tables.is_empty());
        let e: Vec<String> = errors.iter().map(ToString::to_string).collect();
        // The header, then 30 records of two lines each: the bad one is line 62.
        assert_eq!(
            e,
            [format!(
                "{}:62: ragged row: 1 field where the header has 2",
                p.display()
            )]
        );
    }
}

#[test]
fn invalid_json_line() {
    let d = dir();
    let p = write(
        d.path(),
        "Bad.jsonl",
        "{\"a\":1}\n{\"a\":2}\n{\"a\" 3}\n{\"a\":4}\n",
    );
    let c = load(&[&p]);
    assert_eq!(
        only_error(&c),
        format!("{}:3: invalid JSON: expected `:` (column 6)", p.display())
    );
    assert!(c.is_empty());

    let p = write(d.path(), "NotObject.ndjson", "{\"a\":1}\n[1,2]\n");
    let c = load(&[&p]);
    assert_eq!(
        only_error(&c),
        format!("{}:2: expected a JSON object, found an array", p.display())
    );

    let p = write(d.path(), "BadArray.json", "[\n{\"a\":1},\n{\"a\":2,}\n]");
    let c = load(&[&p]);
    assert_eq!(
        only_error(&c),
        format!("{}:3: invalid JSON: trailing comma (column 8)", p.display())
    );

    let lines: Vec<&str> = ENVELOPE.lines().collect();
    let p = write(
        d.path(),
        "Env.json",
        format!("{}\n{{\"time\":\"x\",\"properties\":{{}}}}\n", lines[0]),
    );
    let c = load(&[&p]);
    assert_eq!(
        only_error(&c),
        format!(
            "{}:2: streaming-API record without a \"category\"",
            p.display()
        )
    );
}

#[test]
fn truncated_compressed_streams() {
    let d = dir();
    let mut csv = String::from("A,B\n");
    for i in 0..20_000 {
        csv.push_str(&format!("{i},value number {i}\n"));
    }
    let whole = gzip(csv.as_bytes());
    let gz = write(d.path(), "Cut.csv.gz", &whole[..whole.len() / 2]);
    let whole = zstd(csv.as_bytes());
    let zst = write(d.path(), "Cut.csv.zst", &whole[..whole.len() / 2]);
    let nd: String = (0..20_000).map(|i| format!("{{\"A\":{i}}}\n")).collect();
    let whole = gzip(nd.as_bytes());
    let jgz = write(d.path(), "CutJson.json.gz", &whole[..whole.len() / 2]);
    let c = load(&[&gz, &zst, &jgz]);
    assert!(c.is_empty());
    assert_eq!(c.errors.len(), 3, "{:?}", c.errors);
    // The line is where the readable data stops: about half way.
    for e in &c.errors {
        let line = e.line.unwrap_or_else(|| panic!("no line: {e}"));
        assert!((5_000..=15_000).contains(&line), "{e}");
    }
    assert_eq!(c.errors[0].path, gz);
    assert_eq!(
        c.errors[0].message,
        "truncated gzip stream (the file ends before the compressed data does)"
    );
    assert_eq!(c.errors[1].path, zst);
    assert_eq!(
        c.errors[1].message,
        "truncated zstd stream (the file ends before the compressed data does)"
    );
    assert_eq!(c.errors[2].path, jgz);
    assert_eq!(
        c.errors[2].message,
        "truncated gzip stream (the file ends before the compressed data does)"
    );
}

/// Text that is not UTF-8 is Windows-1252 (Excel's "CSV" on Western
/// Windows): decoded, with a warning naming the first byte that is not.
#[test]
fn non_utf8_bytes() {
    let d = dir();
    let csv = write(d.path(), "Latin1.csv", b"Name,City\nx,M\xfcnchen\n");
    let json = write(
        d.path(),
        "Latin1.jsonl",
        b"{\"City\":\"Berlin\"}\n{\"City\":\"M\xfcnchen\"}\n",
    );
    let c = load(&[&csv, &json]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(
        strings(table(&c, "Latin1"), "City"),
        ["München", "Berlin", "München"]
    );
    assert_eq!(
        table(&c, "Latin1").warning_lines(),
        [
            format!(
                "text is not UTF-8 and was read as Windows-1252: byte 0xFC at {}:2",
                csv.display()
            ),
            format!(
                "text is not UTF-8 and was read as Windows-1252: byte 0xFC at {}:2",
                json.display()
            ),
        ]
    );
}

#[test]
fn empty_files_and_unknown_extensions() {
    let d = dir();
    let csv = write(d.path(), "Empty.csv", "");
    let blank = write(d.path(), "Blank.csv", "\r\n\n  \n");
    let json = write(d.path(), "Empty.json", "\n");
    let pq = write(d.path(), "Empty.parquet", "");
    let doc = write(d.path(), "notes.docx", "x");
    let c = load(&[&csv, &blank, &json, &pq, &doc]);
    let e = errors(&c);
    assert_eq!(
        e[0],
        format!(
            "{}: unsupported file type (expected .csv, .tsv, .parquet, .json, .ndjson or .jsonl, optionally .gz or .zst)",
            doc.display()
        )
    );
    assert_eq!(
        e[1],
        format!("{}: empty file: no header line", blank.display())
    );
    assert_eq!(
        e[2],
        format!("{}: empty file: no header line", csv.display())
    );
    assert_eq!(
        e[3],
        format!("{}: empty file: no JSON data", json.display())
    );
    assert!(
        e[4].starts_with(&format!("{}: not a readable Parquet file", pq.display())),
        "{}",
        e[4]
    );
    assert_eq!(e.len(), 5);

    // Inside a folder, an unknown file is reported too, and an empty folder
    // says so; the other files load.
    let sub = d.path().join("sub");
    write(&sub, "DeviceInfo.csv", "A\n1\n");
    let odd = write(&sub, "dump.bin", "x");
    let empty = d.path().join("nothing");
    std::fs::create_dir_all(&empty).expect("mkdir");
    let c = load(&[&sub, &empty]);
    assert_eq!(
        errors(&c),
        [
            format!(
                "{}: unsupported file type (expected .csv, .tsv, .parquet, .json, .ndjson or .jsonl, optionally .gz or .zst)",
                odd.display()
            ),
            format!(
                "{}: no data files in this folder (expected .csv, .tsv, .parquet, .json, .ndjson or .jsonl, optionally .gz or .zst)",
                empty.display()
            ),
        ]
    );
    assert_eq!(table(&c, "DeviceInfo").rows(), 1);
}

#[test]
fn header_only_file_is_an_empty_table() {
    let d = dir();
    let p = write(
        d.path(),
        "DeviceNetworkEvents.csv",
        "Timestamp,RemotePort,Custom\n",
    );
    let c = load(&[&p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "DeviceNetworkEvents");
    assert_eq!(t.rows(), 0);
    assert_eq!(type_of(t, "Timestamp"), "datetime");
    assert_eq!(type_of(t, "RemotePort"), "int");
    assert_eq!(type_of(t, "Custom"), "string");
}

/// Warning lines of the table `name`.
fn warnings(catalog: &Catalog, name: &str) -> Vec<String> {
    table(catalog, name).warning_lines()
}

fn nulls(t: &Table, column: &str) -> usize {
    t.frame.column(column).expect("column").null_count()
}

/// The DeviceNetworkEvents export of issue 9: 30 rows, one unreadable
/// RemotePort (`44x3`, line 9).
fn one_bad_port() -> String {
    let mut csv = String::from("Timestamp,DeviceName,RemoteIP,RemotePort\n");
    for i in 0..30 {
        let port = if i == 7 {
            "44x3".to_string()
        } else {
            format!("{}", 440 + i)
        };
        csv.push_str(&format!(
            "2025-03-18T11:42:{:02}.0000000Z,wks-{i:03},10.0.0.{i},{port}\n",
            i
        ));
    }
    csv
}

/// A value that cannot be read as its column's type is null, as in Kusto's
/// ingestion; the table loads, and says which cells and where.
#[test]
fn one_bad_cell_never_loses_a_table() {
    let d = dir();
    let p = write(d.path(), "DeviceNetworkEvents.csv", one_bad_port());
    let c = load(&[&p]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "DeviceNetworkEvents");
    assert_eq!(t.rows(), 30);
    assert_eq!(type_of(t, "RemotePort"), "int");
    assert_eq!(nulls(t, "RemotePort"), 1);
    assert_eq!(
        count(&c, "DeviceNetworkEvents | where isnull(RemotePort)"),
        1
    );
    assert_eq!(
        count(&c, "DeviceNetworkEvents | where RemotePort == 441"),
        1
    );
    assert_eq!(
        warnings(&c, "DeviceNetworkEvents"),
        [format!(
            "1 cell could not be read and is null: RemotePort (int) at {}:9 \"44x3\"",
            p.display()
        )]
    );
    assert_eq!(
        c.warning_lines(),
        [format!(
            "DeviceNetworkEvents: 1 cell could not be read and is null: RemotePort (int) at {}:9 \"44x3\"",
            p.display()
        )]
    );
}

/// Lines are the file's own: after the header, blank lines and quoted
/// fields running over several lines, in any chunk.
#[test]
fn bad_cells_name_their_physical_line_in_any_chunk() {
    let d = dir();
    let mut csv = String::from("\n\nTimestamp,AdditionalFields,RemotePort\r\n");
    let mut line = 4;
    let mut expected = Vec::new();
    for i in 0..40 {
        if i % 7 == 3 {
            // The bad field itself is on the second line of its record.
            csv.push_str(&format!(
                "2025-03-18T11:42:07Z,\"two\r\nlines\",\"{i}\u{1b}x\"\r\n"
            ));
            expected.push(line + 1);
            line += 2;
        } else {
            csv.push_str(&format!(
                "2025-03-18T11:42:07Z,\"a \"\"quoted\"\" one\",{i}\r\n"
            ));
            line += 1;
        }
    }
    let p = write(d.path(), "DeviceNetworkEvents.csv", &csv);
    let cancel = AtomicBool::new(false);
    for chunk in [None, Some(64), Some(1)] {
        let mut control = LoadControl::new(&|_| {}, &cancel);
        control.chunk_bytes = chunk;
        let (tables, errors) = load_table(&source(&p), &control);
        assert!(errors.is_empty(), "{errors:?}");
        let t = &tables[0];
        assert_eq!(t.rows(), 40);
        assert_eq!(nulls(t, "RemotePort"), 6);
        assert_eq!(
            t.warning_lines(),
            [format!(
                "6 cells could not be read and are null: RemotePort (int) at {}:{} \"3\\ex\", \
                 line {} \"10\\ex\", line {} \"17\\ex\" and 3 more",
                p.display(),
                expected[0],
                expected[1],
                expected[2]
            )],
            "chunk {chunk:?}"
        );
    }
}

/// Bad datetimes, bools, longs and ints, in every format that carries
/// text where a type is documented.
#[test]
fn bad_cells_in_every_type_and_format() {
    let d = dir();
    let csv = write(
        d.path(),
        "DeviceNetworkEvents.csv",
        "Timestamp,RemotePort,InitiatingProcessFileSize,IsInitiatingProcessRemoteSession\n\
         2025-03-18T11:42:07Z,443,100,True\n\
         yesterday,99999999999,12kB,maybe\n\
         2025-03-18T11:42:08Z,https,,False\n",
    );
    let c = load(&[&csv]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "DeviceNetworkEvents");
    assert_eq!(t.rows(), 3);
    for (column, n) in [
        ("Timestamp", 1),
        ("RemotePort", 2),
        ("InitiatingProcessFileSize", 2),
        ("IsInitiatingProcessRemoteSession", 1),
    ] {
        assert_eq!(nulls(t, column), n, "{column}");
    }
    let at = csv.display();
    assert_eq!(
        warnings(&c, "DeviceNetworkEvents"),
        [
            format!(
                "1 cell could not be read and is null: Timestamp (datetime) at {at}:3 \"yesterday\""
            ),
            format!(
                "2 cells could not be read and are null: RemotePort (int) at {at}:3 \"99999999999\", line 4 \"https\""
            ),
            format!(
                "1 cell could not be read and is null: InitiatingProcessFileSize (long) at {at}:3 \"12kB\""
            ),
            format!(
                "1 cell could not be read and is null: IsInitiatingProcessRemoteSession (bool) at {at}:3 \"maybe\""
            ),
        ]
    );

    // JSON lines: strings, or numbers out of an int's range.
    let nd = write(
        d.path(),
        "DeviceProcessEvents.jsonl",
        "{\"Timestamp\":\"yesterday\",\"ProcessId\":1}\n\n{\"Timestamp\":\"2025-03-18T11:42:07Z\",\"ProcessId\":\"pid 7\"}\n",
    );
    // The streaming-API envelope.
    let env = write(
        d.path(),
        "stream.json",
        concat!(
            r#"{"category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2025-03-18T11:42:07Z","RemotePort":443}}"#,
            "\n",
            r#"{"category":"AdvancedHunting-DeviceNetworkEvents","properties":{"Timestamp":"2025-03-18T11:42:07Z","RemotePort":4294967296}}"#,
            "\n",
        ),
    );
    // A JSON array: placed by element.
    let arr = write(
        d.path(),
        "DeviceLogonEvents.json",
        "[\n  {\"Timestamp\": \"2025-03-18T11:42:07Z\"},\n  {\"Timestamp\": true}\n]\n",
    );
    // Parquet: placed by row.
    let mut f = df!(
        "Timestamp" => ["2025-03-18T11:42:07Z", "2025-03-18T11:42:08Z", "soon"],
        "RemotePort" => ["443", "44x3", "80"],
    )
    .expect("frame");
    let pq = d.path().join("DeviceEvents.parquet");
    ParquetWriter::new(std::fs::File::create(&pq).expect("create"))
        .finish(&mut f)
        .expect("parquet");
    let c = load(&[&nd, &env, &arr, &pq]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(
        warnings(&c, "DeviceProcessEvents"),
        [
            format!(
                "1 cell could not be read and is null: Timestamp (datetime) at {}:1 \"yesterday\"",
                nd.display()
            ),
            format!(
                "1 cell could not be read and is null: ProcessId (long) at {}:3 \"pid 7\"",
                nd.display()
            ),
        ]
    );
    assert_eq!(table(&c, "DeviceProcessEvents").rows(), 2);
    assert_eq!(
        warnings(&c, "DeviceNetworkEvents"),
        [format!(
            "1 cell could not be read and is null: RemotePort (int) at {}:2 \"4294967296\"",
            env.display()
        )]
    );
    assert_eq!(nulls(table(&c, "DeviceNetworkEvents"), "RemotePort"), 1);
    assert_eq!(
        warnings(&c, "DeviceLogonEvents"),
        [format!(
            "1 cell could not be read and is null: Timestamp (datetime) at {} element 2 \"true\"",
            arr.display()
        )]
    );
    assert_eq!(
        warnings(&c, "DeviceEvents"),
        [
            format!(
                "1 cell could not be read and is null: Timestamp (datetime) at {} row 3 \"soon\"",
                pq.display()
            ),
            format!(
                "1 cell could not be read and is null: RemotePort (int) at {} row 2 \"44x3\"",
                pq.display()
            ),
        ]
    );
    assert_eq!(type_of(table(&c, "DeviceEvents"), "RemotePort"), "int");
}

/// Past the first few, bad cells are counted, across chunks and files.
#[test]
fn many_bad_cells_are_counted() {
    let d = dir();
    let mut csv = String::from("Timestamp,RemotePort\n");
    for i in 0..5_000 {
        let port = if i % 4 == 1 {
            format!("p{i}")
        } else {
            i.to_string()
        };
        csv.push_str(&format!("2025-03-18T11:42:07Z,{port}\n"));
    }
    let p = write(d.path(), "DeviceNetworkEvents.csv", &csv);
    let cancel = AtomicBool::new(false);
    for chunk in [None, Some(4096)] {
        let mut control = LoadControl::new(&|_| {}, &cancel);
        control.chunk_bytes = chunk;
        let (tables, errors) = load_table(&source(&p), &control);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(nulls(&tables[0], "RemotePort"), 1_250);
        assert_eq!(
            tables[0].warning_lines(),
            [format!(
                "1,250 cells could not be read and are null: RemotePort (int) at {}:3 \"p1\", \
                 line 7 \"p5\", line 11 \"p9\" and 1,247 more",
                p.display()
            )]
        );
    }
    // Two files of one table: a warning each.
    let again = write(d.path(), "day2/DeviceNetworkEvents.csv", one_bad_port());
    let c = load(&[&p, &again]);
    let w = warnings(&c, "DeviceNetworkEvents");
    assert_eq!(w.len(), 2);
    assert!(
        w[1].ends_with(&format!("{}:9 \"44x3\"", again.display())),
        "{w:?}"
    );
}

/// A file is refused only when it cannot be parsed at all; its exact error
/// stays.
#[test]
fn a_value_that_is_not_its_documented_type() {
    let d = dir();
    let p = write(
        d.path(),
        "DeviceNetworkEvents.csv",
        "Timestamp,RemotePort\n2025-03-18T11:42:07Z,443\n2025-03-18T11:42:08Z,https\n2025-03-18T11:42:09Z\n",
    );
    let c = load(&[&p]);
    assert_eq!(
        only_error(&c),
        format!(
            "{}:4: ragged row: 1 field where the header has 2",
            p.display()
        )
    );
    assert!(c.is_empty());
}

#[test]
fn missing_paths() {
    let c = load_args(&["/no/such/DeviceInfo.csv".to_string()]);
    assert_eq!(
        only_error(&c),
        "/no/such/DeviceInfo.csv: no such file or folder"
    );
}

// ---------------------------------------------------------------- lazy loading

#[test]
fn peek_lists_tables_without_loading_them() {
    let d = dir();
    let p = write(
        d.path(),
        "DeviceNetworkEvents.csv.gz",
        gzip(device_network_events().as_bytes()),
    );
    let preview = peek(&source(&p)).expect("peek");
    assert_eq!(preview.name, "DeviceNetworkEvents");
    assert_eq!(preview.files, std::slice::from_ref(&p));
    assert_eq!(preview.bytes, std::fs::metadata(&p).expect("meta").len());
    assert_eq!(preview.rows, None);
    assert_eq!(preview.columns.len(), 9);
    assert_eq!(
        preview.columns[4],
        ("RemotePort".to_string(), Some(quarry::data::KqlType::Int))
    );
    let custom = write(d.path(), "Custom.csv", CUSTOM_CSV);
    let preview = peek(&source(&custom)).expect("peek");
    assert_eq!(preview.columns[0], ("TimeGenerated".to_string(), None));
}

#[test]
fn progress_is_reported_and_cancel_stops_between_chunks() {
    let d = dir();
    let mut csv = String::from("A,B\n");
    for i in 0..5_000 {
        csv.push_str(&format!("{i},row {i}\n"));
    }
    let p = write(d.path(), "Big.csv", &csv);
    let src = source(&p);
    let size = std::fs::metadata(&p).expect("meta").len();

    let seen: Mutex<Vec<Progress>> = Mutex::new(Vec::new());
    let record = |p: &Progress| seen.lock().expect("lock").push(p.clone());
    let cancel = AtomicBool::new(false);
    let mut control = LoadControl::new(&record, &cancel);
    control.chunk_bytes = Some(4096);
    let (tables, errors) = load_table(&src, &control);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(tables[0].rows(), 5_000);
    let seen = seen.into_inner().expect("lock");
    assert!(seen.len() > 10, "{} reports", seen.len());
    assert!(
        seen.windows(2)
            .all(|w| w[0].rows <= w[1].rows && w[0].bytes <= w[1].bytes)
    );
    let last = seen.last().expect("a report");
    assert_eq!(
        (last.rows, last.bytes, last.total_bytes),
        (5_000, size, size)
    );
    assert_eq!(last.table, "Big");

    // Cancelled from the progress callback after the first chunk: stops.
    let cancel = AtomicBool::new(false);
    let reports = Mutex::new(0usize);
    let stop = |_: &Progress| {
        *reports.lock().expect("lock") += 1;
        cancel.store(true, Ordering::Relaxed);
    };
    let mut control = LoadControl::new(&stop, &cancel);
    control.chunk_bytes = Some(4096);
    let (tables, errors) = load_table(&src, &control);
    assert!(tables.is_empty());
    assert_eq!(errors.len(), 1);
    assert!(errors[0].is_cancelled());
    assert_eq!(
        errors[0].to_string(),
        format!("{}: {CANCELLED}", p.display())
    );
    // Chunks already in flight may finish, but reading stops.
    assert!(*reports.lock().expect("lock") < 10);

    // load_sources stops at once when cancelled before it starts.
    let cancel = AtomicBool::new(true);
    let control = LoadControl::new(&|_| {}, &cancel);
    let c = load::load_sources(&[src], &control);
    assert!(c.is_empty());
}

#[test]
fn catalog_merge_appends_same_name_tables() {
    let d = dir();
    let a = write(d.path(), "a/T.csv", "A,B\n1,x\n");
    let b = write(d.path(), "b/T.csv", "B,C\ny,2.5\n");
    let cancel = AtomicBool::new(false);
    let control = LoadControl::new(&|_| {}, &cancel);
    let mut catalog = Catalog::new();
    for p in [&a, &b] {
        let (tables, errors) = load_table(&source(p), &control);
        assert!(errors.is_empty());
        for t in tables {
            catalog.merge(t).expect("merge");
        }
    }
    let t = table(&catalog, "T");
    assert_eq!(t.rows(), 2);
    assert_eq!(
        types(t).iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["A", "B", "C"]
    );
    assert_eq!(strings(t, "B"), ["x", "y"]);
    assert_eq!(t.files, [a, b]);
}

// ---------------------------------------------------------------- quarry tables

#[test]
fn quarry_tables_lists_tables_and_failures() {
    let d = dir();
    write(d.path(), "DeviceNetworkEvents.csv", device_network_events());
    let bad = write(d.path(), "Broken.csv", "A,B\n1\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quarry"))
        .arg("tables")
        .arg(d.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).expect("utf-8");
    let expected = format!(
        "\
DeviceNetworkEvents  3 rows  2025-03-18T11:42:07.1234567Z .. 2025-03-18T11:42:08.0000000Z
    Timestamp: datetime
    DeviceName: string
    ActionType: string
    RemoteIP: string
    RemotePort: int
    InitiatingProcessFileSize: long
    IsInitiatingProcessRemoteSession: bool
    AdditionalFields: string
    AppGuardContainerId: string
failed to load:
    {}:2: ragged row: 1 field where the header has 2
",
        bad.display()
    );
    assert_eq!(out, expected);

    // Nothing loadable: exit status 1.
    std::process::Command::new(env!("CARGO_BIN_EXE_quarry"))
        .arg("tables")
        .arg(&bad)
        .assert()
        .code(1);
}

/// Rows seen by the progress callback while loading `path` in chunks of
/// `chunk` bytes, and the table.
fn load_watching(path: &Path, chunk: usize) -> (Table, Vec<usize>) {
    let seen = Mutex::new(Vec::new());
    let record = |p: &Progress| seen.lock().expect("lock").push(p.rows);
    let cancel = AtomicBool::new(false);
    let mut control = LoadControl::new(&record, &cancel);
    control.chunk_bytes = Some(chunk);
    let (mut tables, errors) = load_table(&source(path), &control);
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(tables.len(), 1);
    (tables.remove(0), seen.into_inner().expect("lock"))
}

/// Excel's "CSV (Comma delimited)" on Western Windows writes
/// Windows-1252: it loads, decoded, with a warning naming the first byte
/// that is not UTF-8. A file is one encoding, decided for the whole file.
#[test]
fn windows_1252_text_is_decoded_with_a_warning() {
    let d = dir();
    // In the header and the first rows: é, ö, ß, smart quotes, €, en dash,
    // and an apostrophe.
    let excel = write(
        d.path(),
        "Excel.csv",
        b"Account,Gr\xf6\xdfe,Note\r\nRen\xe9,1,\x93quoted\x94 \x80 5 \x96 it\x92s\r\nZo\xeb,2,\r\n",
    );
    let c = load(&[&excel]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    let t = table(&c, "Excel");
    assert_eq!(
        types(t).iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
        ["Account", "Größe", "Note"]
    );
    assert_eq!(strings(t, "Account"), ["René", "Zoë"]);
    assert_eq!(strings(t, "Note"), ["“quoted” € 5 – it’s", ""]);
    assert_eq!(
        t.warning_lines(),
        [format!(
            "text is not UTF-8 and was read as Windows-1252: byte 0xF6 at {}:1",
            excel.display()
        )]
    );
    assert_eq!(count(&c, "Excel | where Note has \"quoted\""), 1);

    // Plain ASCII for many chunks, then the first accent: read once, the
    // chunks before it being the same in either encoding.
    let mut late = String::from("Account,City\n");
    for i in 0..20 {
        late.push_str(&format!("user{i},Berlin\n"));
    }
    let mut bytes = late.into_bytes();
    bytes.extend_from_slice(b"user20,M\xfcnchen\nuser21,K\xf6ln\n");
    let p = write(d.path(), "Late.csv", &bytes);
    let (t, seen) = load_watching(&p, 64);
    assert_eq!(strings(&t, "City")[20..], ["München", "Köln"]);
    assert_eq!(
        t.warning_lines(),
        [format!(
            "text is not UTF-8 and was read as Windows-1252: byte 0xFC at {}:22",
            p.display()
        )]
    );
    assert!(
        seen.len() > 3 && seen.windows(2).all(|w| w[0] <= w[1]),
        "{seen:?}"
    );

    // UTF-8 beyond ASCII first (after a byte-order mark), then a byte that is
    // not: the file is not UTF-8, so it is read again, all as Windows-1252.
    let mut mixed = b"\xef\xbb\xbfAccount,City\nRen\xc3\xa9,Paris\n".to_vec();
    for i in 0..20 {
        mixed.extend_from_slice(format!("user{i},Berlin\n").as_bytes());
    }
    mixed.extend_from_slice(b"user20,M\xfcnchen\n");
    let p = write(d.path(), "Mixed.csv", &mixed);
    let (t, seen) = load_watching(&p, 64);
    assert_eq!(strings(&t, "Account")[0], "RenÃ©");
    assert_eq!(strings(&t, "City")[21], "München");
    assert_eq!(
        t.warning_lines(),
        [format!(
            "text is not UTF-8 and was read as Windows-1252: byte 0xFC at {}:23",
            p.display()
        )]
    );
    // The rows reported start again with the second read.
    assert!(seen.windows(2).any(|w| w[0] > w[1]), "{seen:?}");

    // Compressed, JSON lines (the envelope's shape still told from a first
    // line that is not UTF-8), and a JSON array.
    let gz = write(
        d.path(),
        "Gz.csv.gz",
        gzip(b"\xef\xbb\xbfAccount\nRen\xe9\n"),
    );
    let env = write(
        d.path(),
        "stream.json",
        b"{\"category\":\"AdvancedHunting-DeviceProcessEvents\",\"properties\":{\"FileName\":\"caf\xe9.exe\"}}\n",
    );
    let arr = write(
        d.path(),
        "Arr.json",
        b"[\n{\"City\":\"Berlin\"},\n{\"City\":\"Z\xfcrich\"}\n]",
    );
    let c = load(&[&gz, &env, &arr]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    assert_eq!(strings(table(&c, "Gz"), "Account"), ["René"]);
    assert_eq!(
        strings(table(&c, "DeviceProcessEvents"), "FileName"),
        ["café.exe"]
    );
    assert_eq!(strings(table(&c, "Arr"), "City"), ["Berlin", "Zürich"]);
    // peek, too, reads such a first line.
    let preview = peek(&source(&env)).expect("peek");
    assert_eq!(preview.name, "DeviceProcessEvents");
    assert_eq!(preview.columns[0].0, "FileName");
    assert_eq!(
        c.warning_lines(),
        [
            format!(
                "Arr: text is not UTF-8 and was read as Windows-1252: byte 0xFC at {}:3",
                arr.display()
            ),
            format!(
                "DeviceProcessEvents: text is not UTF-8 and was read as Windows-1252: byte 0xE9 at {}:1",
                env.display()
            ),
            format!(
                "Gz: text is not UTF-8 and was read as Windows-1252: byte 0xE9 at {}:2",
                gz.display()
            ),
        ]
    );
}

/// `quarry tables` shows each table's warnings under it.
#[test]
fn quarry_tables_shows_load_warnings() {
    let d = dir();
    let net = write(d.path(), "DeviceNetworkEvents.csv", one_bad_port());
    let excel = write(d.path(), "Excel.csv", b"Account,City\nRen\xe9,Z\xfcrich\n");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quarry"))
        .arg("tables")
        .arg(d.path())
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let out = String::from_utf8(out).expect("utf-8");
    let expected = format!(
        "\
DeviceNetworkEvents  30 rows  2025-03-18T11:42:00.0000000Z .. 2025-03-18T11:42:29.0000000Z
  warning: 1 cell could not be read and is null: RemotePort (int) at {}:9 \"44x3\"
    Timestamp: datetime
    DeviceName: string
    RemoteIP: string
    RemotePort: int
Excel  1 rows
  warning: text is not UTF-8 and was read as Windows-1252: byte 0xE9 at {}:2
    Account: string
    City: string
",
        net.display(),
        excel.display()
    );
    assert_eq!(out, expected);
}

/// `quarry query` says what its load got past on standard error, and
/// answers.
#[test]
fn quarry_query_warns_of_cells_loaded_as_null() {
    let d = dir();
    let net = write(d.path(), "DeviceNetworkEvents.csv", one_bad_port());
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quarry"))
        .args(["query", "--format", "csv", "--data"])
        .arg(d.path())
        .arg("DeviceNetworkEvents | where isnull(RemotePort) | project DeviceName")
        .assert()
        .success()
        .get_output()
        .clone();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "DeviceName\r\nwks-007\r\n"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    let line = format!(
        "warning: DeviceNetworkEvents: 1 cell could not be read and is null: RemotePort (int) at {}:9 \"44x3\"\n",
        net.display()
    );
    assert!(err.contains(&line), "{err}");
}

/// UTF-16 text with a byte-order mark (Excel's "Unicode Text", Windows
/// PowerShell's `Out-File`) loads like UTF-8, compressed or not, characters
/// beyond the basic plane included.
#[test]
fn utf16_text_loads_in_either_byte_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Account\tLogons\r\nZoë\t3\r\n𝔘ser🙂\t4\r\n";
    let mut le = vec![0xFF, 0xFE];
    le.extend(text.encode_utf16().flat_map(u16::to_le_bytes));
    let little = write(dir.path(), "Little.tsv", &le);
    let csv = text.replace('\t', ",");
    let mut be = vec![0xFE, 0xFF];
    be.extend(csv.encode_utf16().flat_map(u16::to_be_bytes));
    let big = write(dir.path(), "Big.csv.gz", gzip(&be));
    let catalog = load(&[&little, &big]);
    assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
    for name in ["Little", "Big"] {
        let t = table(&catalog, name);
        assert_eq!(type_of(t, "Logons"), "long");
        assert_eq!(strings(t, "Account"), ["Zoë", "𝔘ser🙂"]);
    }
}

/// No input, however bad, panics the loader: random text (separators,
/// quotes, line breaks, digits, bytes that are not UTF-8) as a documented
/// CSV and as JSON lines, in chunks of any size.
mod any_input {
    use super::*;
    use proptest::prelude::*;

    fn text() -> impl Strategy<Value = Vec<u8>> {
        let byte = prop::sample::select(vec![
            b',', b'"', b'\n', b'\r', b'{', b'}', b':', b'[', b'1', b'4', b'x', b' ', 0xE9, 0xC3,
            0xA9, 0x80, 0xEF, 0xBB, 0xBF,
        ]);
        prop::collection::vec(byte, 0..200)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]
        #[test]
        fn never_panics(
            body in text(),
            chunk in prop::sample::select(vec![1usize, 7, 16, 33, 64, 4096]),
        ) {
            let d = dir();
            let mut csv = b"Timestamp,RemotePort,IsInitiatingProcessRemoteSession\n".to_vec();
            csv.extend_from_slice(&body);
            let p = write(d.path(), "DeviceNetworkEvents.csv", &csv);
            let j = write(d.path(), "DeviceNetworkEvents.jsonl", &body);
            let cancel = AtomicBool::new(false);
            let mut control = LoadControl::new(&|_| {}, &cancel);
            control.chunk_bytes = Some(chunk);
            for path in [&p, &j] {
                let (tables, errors) = load_table(&source(path), &control);
                prop_assert!(tables.len() + errors.len() >= 1);
            }
        }
    }
}
