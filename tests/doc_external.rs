//! External storage, offline: `externaldata` (with `ingestionMapping`, and
//! as the right side of `in`), `inline_external_table` in storage mode
//! (files, folders, partitions from paths) and in Delta mode (a Delta log
//! replayed). The examples of externaldata-operator.md and
//! inline-external-table-operator.md run on local copies of their URIs,
//! made from tests/fixtures/external (text written for these tests) plus
//! Parquet files written here with Polars; results and errors are compared
//! exactly.

use std::path::Path;

use polars::prelude::*;
use quarry::data::catalog::Catalog;
use quarry::kql::{QueryError, RunOptions};

use crate::common::{assert_table, render};

/// A folder of local copies: the text fixtures, the CSV files gzipped as
/// the documentation's URIs name them, and the Parquet files.
fn storage() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/external");
    copy_tree(&fixtures, dir.path());
    for day in ["01", "02"] {
        let folder = dir.path().join(format!("archivedproducts/2026/06/{day}"));
        let plain = folder.join("part-00000.csv");
        let text = std::fs::read(&plain).expect("csv fixture");
        let gz = std::fs::File::create(folder.join("part-00000.csv.gz")).expect("create");
        let mut encoder = flate2::write::GzEncoder::new(gz, flate2::Compression::default());
        std::io::Write::write_all(&mut encoder, &text).expect("gzip");
        encoder.finish().expect("gzip");
        std::fs::remove_file(plain).expect("remove");
    }
    dir
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("fixtures") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// `2026-06-01T10:23:45Z` as microseconds, as Spark writes timestamps.
fn micros(text: &str) -> i64 {
    quarry::data::time::parse_datetime(text).expect("datetime") / 1_000
}

/// Writes a Parquet file of timestamps, strings and reals.
fn parquet(path: &Path, times: &[&str], text: &[(&str, Vec<&str>)], reals: &[(&str, Vec<f64>)]) {
    std::fs::create_dir_all(path.parent().expect("folder")).expect("mkdir");
    let stamps: Vec<i64> = times.iter().map(|t| micros(t)).collect();
    let mut columns = vec![
        Series::new("Timestamp".into(), stamps)
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))
            .expect("cast")
            .into_column(),
    ];
    for (name, values) in text {
        columns.push(Column::new((*name).into(), values.clone()));
    }
    for (name, values) in reals {
        columns.push(Column::new((*name).into(), values.clone()));
    }
    let mut frame = DataFrame::new(times.len(), columns).expect("frame");
    let file = std::fs::File::create(path).expect("create");
    ParquetWriter::new(file)
        .finish(&mut frame)
        .expect("parquet");
}

fn run_in(dir: &Path, query: &str) -> Result<DataFrame, QueryError> {
    let options = RunOptions {
        externaldata_dirs: vec![dir.to_path_buf()],
        ..Default::default()
    };
    quarry::kql::run(&Catalog::new(), query, &options)
}

#[track_caller]
fn table_in(dir: &Path, query: &str, expected: &str) {
    let got = match run_in(dir, query) {
        Ok(f) => render(&f),
        Err(e) => panic!("{}", e.render(query)),
    };
    assert_table(query, &got, expected);
}

/// The message of a query that must fail.
#[track_caller]
fn error_in(dir: &Path, query: &str) -> String {
    match run_in(dir, query) {
        Ok(f) => panic!("query should fail: {query}\n{}", render(&f)),
        Err(e) => e.message,
    }
}

// ------------------------------------------------------------ externaldata

/// externaldata-operator.md: users whose ID is in a file of IDs, one per
/// line (txt, detected from the extension), with `in ((externaldata ...))`;
/// the connection string's `;managed_identity=...` is not part of the name.
#[test]
fn in_externaldata_reads_a_list_of_ids() {
    let dir = storage();
    let users = r#"let Users = datatable(UserID:string, Name:string)
        ["alice", "Alice A", "bob", "Bob B", "carol", "Carol C"];
    "#;
    let list = r#"(externaldata (UserID:string) [
        @"https://storageaccount.blob.core.windows.net/storagecontainer/users.txt;managed_identity=..."
        ])"#;
    table_in(
        dir.path(),
        &format!("{users}Users | where UserID in ({list})"),
        r#"UserID:string | Name:string
           "alice" | "Alice A"
           "carol" | "Carol C""#,
    );
    table_in(
        dir.path(),
        &format!("{users}Users | where UserID !in ({list})"),
        r#"UserID:string | Name:string
           "bob" | "Bob B""#,
    );
    table_in(
        dir.path(),
        &format!("{users}Users | where Name has_any ({list}) | project UserID"),
        r#"UserID:string
           "alice"
           "carol""#,
    );
}

/// externaldata-operator.md: several gzipped CSV files; same-named files
/// are told apart by the folders of their URLs.
#[test]
fn externaldata_reads_several_files() {
    let dir = storage();
    table_in(
        dir.path(),
        r#"externaldata(Timestamp:datetime, ProductId:string, Quantity:long)
        [
          h@"https://mycompanystorage.blob.core.windows.net/archivedproducts/2026/06/01/part-00000.csv.gz?...SAS...",
          h@"https://mycompanystorage.blob.core.windows.net/archivedproducts/2026/06/02/part-00000.csv.gz?...SAS..."
        ]
        with(format="csv", ignoreFirstRecord=true)
        | summarize count() by ProductId"#,
        r#"ProductId:string | count_:long
           "PROD-123" | 2
           "PROD-456" | 1
           "PROD-789" | 2"#,
    );
}

/// externaldata-operator.md: multi-line JSON records mapped to columns by
/// JSON paths (the documented file and mapping).
#[test]
fn externaldata_with_a_json_mapping() {
    let dir = storage();
    table_in(
        dir.path(),
        r#"externaldata(Timestamp: datetime, TenantId: guid, MethodName: string)
        [
           h@'https://mycompanystorage.blob.core.windows.net/events/2020/09/01/events.json?...SAS...'
        ]
        with(format='multijson', ingestionMapping='[{"Column":"Timestamp","Properties":{"Path":"$.timestamp"}},{"Column":"TenantId","Properties":{"Path":"$.data.tenant"}},{"Column":"MethodName","Properties":{"Path":"$.data.method"}}]')"#,
        r#"Timestamp:datetime | TenantId:string | MethodName:string
           2019-01-01T10:00:00.2385210Z | "e1ef54a6-c6f2-4389-836e-d289b37bcfe0" | "RefreshTableMetadata"
           2019-01-01T10:00:01.8454230Z | "9b49d0d7-b3e6-4467-bb35-fa420a25d324" | "GetFileList""#,
    );
    // $['...'] steps, the whole record, a constant, the source and line.
    table_in(
        dir.path(),
        r#"externaldata(Method: string, Record: dynamic, Feed: string, Src: string, Line: long)
        [ h@'https://h/events.json' ]
        with(format='multijson', ingestionMapping='[{"column":"Method","Properties":{"Path":"$[\'data\'][\'method\']"}},{"Column":"Record","Properties":{"Path":"$"}},{"Column":"Feed","Properties":{"ConstValue":"audit"}},{"Column":"Src","Properties":{"Transform":"SourceLocation"}},{"Column":"Line","Properties":{"Transform":"SourceLineNumber"}}]')
        | extend Tenant = tostring(Record.data.tenant) | project-away Record"#,
        r#"Method:string | Feed:string | Src:string | Line:long | Tenant:string
           "RefreshTableMetadata" | "audit" | "https://h/events.json" | 1 | "e1ef54a6-c6f2-4389-836e-d289b37bcfe0"
           "GetFileList" | "audit" | "https://h/events.json" | 8 | "9b49d0d7-b3e6-4467-bb35-fa420a25d324""#,
    );
}

/// csv-mapping.md: fields by `Ordinal`, a `ConstValue`, and a Unix time
/// made a datetime by `DateTimeFromUnixSeconds`.
#[test]
fn externaldata_with_a_csv_mapping() {
    let dir = storage();
    table_in(
        dir.path(),
        r#"externaldata(Computer: string, EventID: int, TimeGenerated: datetime, Source: string)
        [ @"https://feeds.example.org/exports/logons.csv" ]
        with(format='csv', ingestionMapping='[{"Column":"Computer","Properties":{"Ordinal":"2"}},{"Column":"EventID","Properties":{"Ordinal":1}},{"Column":"TimeGenerated","Properties":{"Ordinal":"0","Transform":"DateTimeFromUnixSeconds"}},{"Column":"Source","Properties":{"ConstValue":"Security"}}]')"#,
        r#"Computer:string | EventID:int | TimeGenerated:datetime | Source:string
           "WKS-01" | 4624 | 2023-11-14T22:13:20.0000000Z | "Security"
           "WKS-02" | 4625 | 2023-11-14T22:14:20.0000000Z | "Security""#,
    );
}

#[test]
fn ingestion_mappings_that_cannot_be_read() {
    let dir = storage();
    let q = |with: &str| {
        format!(r#"externaldata(a: string, b: long)[@"https://h/logons.csv"] with({with})"#)
    };
    assert_eq!(
        error_in(
            dir.path(),
            &q(r#"format='csv', ingestionMapping='[{"Column":"a","Properties":{"Path":"$.a"}}]'"#)
        ),
        "ingestionMapping: a Path is a JSON mapping's, and format 'csv' needs a CSV mapping (Ordinal)"
    );
    // Without `format`, the file's extension decides, and the error says so.
    assert_eq!(
        error_in(
            dir.path(),
            &q(r#"ingestionMapping='[{"Column":"a","Properties":{"Path":"$.a"}}]'"#)
        ),
        format!(
            "ingestionMapping: a Path is a JSON mapping's, and format 'csv' needs a CSV mapping (Ordinal) ({} is read as csv)",
            dir.path().join("logons.csv").display()
        )
    );
    assert_eq!(
        error_in(
            dir.path(),
            &q(r#"ingestionMapping='[{"Column":"c","Properties":{"Ordinal":"0"}}]'"#)
        ),
        "ingestionMapping: element 1 maps column 'c', which is not declared (the columns: a, b)"
    );
    assert_eq!(
        error_in(
            dir.path(),
            &q(
                r#"ingestionMapping='[{"Column":"a","Properties":{"Ordinal":"0","Transform":"GetPathElement(2)"}}]'"#
            )
        ),
        "ingestionMapping: element 1 (column 'a'): transform 'GetPathElement(2)' is not one Quarry applies \
         (DateTimeFromUnixSeconds, DateTimeFromUnixMilliseconds, DateTimeFromUnixMicroseconds, \
         DateTimeFromUnixNanoseconds, PropertyBagArrayToDictionary, SourceLocation, SourceLineNumber)"
    );
    let query = q("format='csv', ingestionMappingReference='LogonMapping'");
    let err = run_in(dir.path(), &query).expect_err("refused");
    assert_eq!(
        err.render(&query),
        r#"error: ingestionMappingReference names an ingestion mapping stored on a cluster ('LogonMapping'), and Quarry has no cluster: write the mapping itself, ingestionMapping='[{"Column":...,"Properties":{...}}]'
 --> line 1, column 78
  |
1 | externaldata(a: string, b: long)[@"https://h/logons.csv"] with(format='csv', ingestionMappingReference='LogonMapping')
  |                                                                              ^^^^^^^^^^^^^^^^^^^^^^^^^"#
    );
}

// ------------------------------------------------------ kind=storage

/// inline-external-table-operator.md: one Parquet file.
#[test]
fn inline_parquet_file() {
    let dir = storage();
    parquet(
        &dir.path().join("iot/2026/06/01/data.parquet"),
        &[
            "2026-06-01T00:00:00Z",
            "2026-06-01T00:05:00Z",
            "2026-06-01T00:00:00Z",
            "2026-06-01T00:00:00Z",
        ],
        &[(
            "DeviceId",
            vec!["Device-001", "Device-002", "Device-001", "Device-003"],
        )],
        &[("Value", vec![23.45, 18.92, 23.45, 31.67])],
    );
    table_in(
        dir.path(),
        r#"inline_external_table(Timestamp:datetime, DeviceId:string, Value:real)
            kind=storage
            dataformat=parquet
            (h@"https://mycompanystorage.blob.core.windows.net/iot/2026/06/01/data.parquet?...SAS...")
        | summarize AvgValue = avg(Value) by DeviceId"#,
        r#"DeviceId:string | AvgValue:real
           "Device-001" | 23.45
           "Device-002" | 18.92
           "Device-003" | 31.67"#,
    );
}

/// `externaldata` reads Parquet too, by column name or through a JSON
/// mapping's paths (a row is a bag of its columns).
#[test]
fn externaldata_parquet_by_name_and_by_mapping() {
    let dir = storage();
    parquet(
        &dir.path().join("devices.parquet"),
        &["2026-06-01T00:00:00Z", "2026-06-01T00:05:00Z"],
        &[("DeviceId", vec!["Device-001", "Device-002"])],
        &[("Value", vec![23.45, 18.92])],
    );
    table_in(
        dir.path(),
        r#"externaldata(DeviceId:string, Value:long, Missing:string)[@"https://h/c/devices.parquet"]"#,
        r#"DeviceId:string | Value:long | Missing:string
           "Device-001" | 23 | ""
           "Device-002" | 18 | """#,
    );
    table_in(
        dir.path(),
        r#"externaldata(Id:string, At:datetime)[@"https://h/c/devices.parquet"]
           with (format='parquet', ingestionMapping='[{"Column":"Id","Properties":{"Path":"$.DeviceId"}},{"Column":"At","Properties":{"Path":"$.Timestamp"}}]')"#,
        r#"Id:string | At:datetime
           "Device-001" | 2026-06-01T00:00:00.0000000Z
           "Device-002" | 2026-06-01T00:05:00.0000000Z"#,
    );
}

/// inline-external-table-operator.md: gzipped CSV files with headers.
#[test]
fn inline_csv_files_with_headers() {
    let dir = storage();
    table_in(
        dir.path(),
        r#"inline_external_table(Timestamp:datetime, ProductId:string, Quantity:long)
            kind=storage
            dataformat=csv
            (
                h@"https://mycompanystorage.blob.core.windows.net/archivedproducts/2026/06/01/part-00000.csv.gz?...SAS...",
                h@"https://mycompanystorage.blob.core.windows.net/archivedproducts/2026/06/02/part-00000.csv.gz?...SAS..."
            )
            with(includeHeaders='All')
        | summarize TotalQuantity = sum(Quantity) by ProductId"#,
        r#"ProductId:string | TotalQuantity:long
           "PROD-123" | 1500
           "PROD-456" | 2300
           "PROD-789" | 870"#,
    );
    // A folder: every file under it, in path order; FirstFile skips the
    // first file's header only, so the second's is read as a row (its
    // Quantity is not a long: null).
    table_in(
        dir.path(),
        r#"inline_external_table(Timestamp:datetime, ProductId:string, Quantity:long)
            kind=storage dataformat=csv
            (h@"https://mycompanystorage.blob.core.windows.net/archivedproducts/;managed_identity=...")
            with(includeHeaders='FirstFile', fileExtension='.gz', namePrefix='part-')
        | project ProductId, Quantity"#,
        r#"ProductId:string | Quantity:long
           "PROD-123" | 1000
           "PROD-456" | 2300
           "PROD-789" | 800
           "ProductId" | null
           "PROD-123" | 500
           "PROD-789" | 70"#,
    );
}

/// Writes the partitioned IoT folder of the documentation's example: one
/// region a day, plus a day outside the week the query asks for.
fn iot_partitioned(root: &Path) {
    let days = [
        ("01", "East", 27.8),
        ("02", "West", 22.1),
        ("03", "North", 19.5),
        ("04", "South", 31.2),
        ("05", "East", 27.8),
        ("09", "East", 100.0),
    ];
    for (day, region, value) in days {
        let month = if day == "09" { "02" } else { "01" };
        let path = root.join(format!(
            "iotpartitioned/day=2026/{month}/{day}/region={region}/part-0.parquet"
        ));
        let at = format!("2026-{month}-{day}T06:30:00Z");
        parquet(
            &path,
            &[&at, &at],
            &[
                ("DeviceId", vec!["d1", "d2"]),
                ("Region", vec![region, region]),
            ],
            &[("Value", vec![value, value])],
        );
    }
    std::fs::write(root.join("iotpartitioned/_SUCCESS"), "").expect("marker");
}

/// inline-external-table-operator.md: partitions named by the path, one
/// read by a datetime pattern and one derived from a column.
#[test]
fn inline_partitioned_parquet() {
    let dir = storage();
    iot_partitioned(dir.path());
    let table = r#"inline_external_table(Timestamp:datetime, DeviceId:string, Region:string, Value:real)
            kind=storage
            partition by(
                Day:datetime = startofday(Timestamp),
                RegionPartition:string = Region
            )
            pathformat=('day=' datetime_pattern('yyyy/MM/dd', Day) '/region=' RegionPartition)
            dataformat=parquet
            (h@"https://mycompanystorage.blob.core.windows.net/iotpartitioned;managed_identity=...")"#;
    table_in(
        dir.path(),
        &format!(
            "{table}
        | where Day between (datetime(2026-01-01) .. datetime(2026-01-07))
        | summarize AvgValue = avg(Value) by Region"
        ),
        r#"Region:string | AvgValue:real
           "East" | 27.8
           "West" | 22.1
           "North" | 19.5
           "South" | 31.2"#,
    );
    table_in(
        dir.path(),
        &format!("{table} | where DeviceId == 'd1' | take 2"),
        r#"Timestamp:datetime | DeviceId:string | Region:string | Value:real | Day:datetime | RegionPartition:string
           2026-01-01T06:30:00.0000000Z | "d1" | "East" | 27.8 | 2026-01-01T00:00:00.0000000Z | "East"
           2026-01-02T06:30:00.0000000Z | "d1" | "West" | 22.1 | 2026-01-02T00:00:00.0000000Z | "West""#,
    );
    // Plain partitions take the path's values; Parquet has no header row.
    table_in(
        dir.path(),
        r#"inline_external_table(Value:real)
            kind=storage partition by (Day:datetime, Region:string)
            pathformat=('day=' datetime_pattern('yyyy/MM/dd', Day) '/region=' Region)
            dataformat=parquet (@"https://acct.blob.core.windows.net/iotpartitioned")
            with (includeHeaders='All')
        | summarize n = count() by Day, Region | where Day > datetime(2026-01-04)"#,
        r#"Day:datetime | Region:string | n:long
           2026-01-05T00:00:00.0000000Z | "East" | 2
           2026-02-09T00:00:00.0000000Z | "East" | 2"#,
    );
}

/// A query parameter may hold the connection string
/// (query-parameters-statement.md, as the operator's page advises).
#[test]
fn inline_connection_string_from_a_query_parameter() {
    let dir = storage();
    table_in(
        dir.path(),
        r#"declare query_parameters(URI:string = "https://acct.blob.core.windows.net/c/users.txt;managed_identity=x");
        inline_external_table(x:string) kind=storage dataformat=txt (URI)"#,
        r#"x:string
           "alice"
           "carol""#,
    );
}

/// externaldata-operator.md: `externaldata(x:string)[URI]` with the URI a
/// query parameter; one without a default has no value offline.
#[test]
fn externaldata_connection_string_from_a_query_parameter() {
    let dir = storage();
    table_in(
        dir.path(),
        r#"declare query_parameters(URI:string = h"https://acct.blob.core.windows.net/c/users.txt?sig=s");
        externaldata(x:string)[URI]"#,
        r#"x:string
           "alice"
           "carol""#,
    );
    assert_eq!(
        error_in(
            dir.path(),
            "declare query_parameters(URI:string);\nexternaldata(x:string)[URI]"
        ),
        "query parameter 'URI' has no default value, and offline there is no request to give it one: \
         declare one (URI:string = ...) or use let"
    );
}

#[test]
fn inline_storage_errors() {
    let dir = storage();
    iot_partitioned(dir.path());
    std::fs::create_dir_all(dir.path().join("iotpartitioned/stray")).expect("mkdir");
    std::fs::write(dir.path().join("iotpartitioned/stray/x.parquet"), "").expect("write");
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table(Value:real) kind=storage partition by (Day:datetime)
               pathformat=('day=' datetime_pattern('yyyy/MM/dd', Day)) dataformat=parquet
               (@"https://acct.blob.core.windows.net/iotpartitioned")"#
        ),
        format!(
            "inline_external_table cannot read {}: its path stray/x.parquet does not match the pathformat \
             ('day=' datetime_pattern('yyyy/MM/dd', Day))",
            dir.path().join("iotpartitioned/stray/x.parquet").display()
        )
    );
    std::fs::write(dir.path().join("bad.json"), "{\"a\":1}\n{\"a\":\n").expect("write");
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table(a:long) kind=storage dataformat=json (@"https://h/c/bad.json")"#
        ),
        format!(
            "inline_external_table cannot read {}: invalid JSON: EOF while parsing a value at line 3 column 0",
            dir.path().join("bad.json").display()
        )
    );
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table(a:long) kind=storage dataformat=csv (@"https://h/c/missing/")"#
        ),
        format!(
            "inline_external_table needs a local copy of https://h/c/missing/: Quarry does not download \
             (it works offline); save it as {}",
            dir.path().join("missing").display()
        )
    );
    let query = r#"inline_external_table(a:long) kind=storage (@"https://h/c/x.csv")"#;
    assert_eq!(
        run_in(dir.path(), query).expect_err("fails").render(query),
        "error: inline_external_table kind=storage needs dataformat=... (csv, tsv, txt, json, parquet, ...)
 --> line 1, column 36
  |
1 | inline_external_table(a:long) kind=storage (@\"https://h/c/x.csv\")
  |                                    ^^^^^^^"
    );
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table(a:long) kind=storage partition by (P:real) dataformat=csv (@"https://h/c/")"#
        ),
        "partition 'P' is real: a partition is string, datetime or long"
    );
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table(a:long) kind=storage dataformat=csv (@"https://h/c/users.txt") with (compressed=true)"#
        ),
        "inline_external_table property 'compressed' is not one of includeHeaders, encoding, namePrefix, fileExtension"
    );
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table(a:long) kind=blob dataformat=csv (@"https://h/c/users.txt")"#
        ),
        "inline_external_table kind 'blob' is not one of storage, delta"
    );
}

// -------------------------------------------------------- kind=delta

/// Writes the Parquet files the customer-events log names: `amounts` per
/// file, in the log's order (the removed file's rows must never show).
fn customer_events(root: &Path, files: [&[(&str, &str, f64)]; 4]) {
    let names = [
        "EventType=Purchase/part-00000-old.snappy.parquet",
        "EventType=Purchase/part-00000.snappy.parquet",
        "EventType=Purchase/part-00001.snappy.parquet",
        "EventType=Refund/part-00000.snappy.parquet",
    ];
    for (name, rows) in names.iter().zip(files) {
        let times: Vec<&str> = rows.iter().map(|r| r.0).collect();
        parquet(
            &root.join("customer-events").join(name),
            &times,
            &[("CustomerId", rows.iter().map(|r| r.1).collect())],
            &[("Amount", rows.iter().map(|r| r.2).collect())],
        );
    }
}

/// inline-external-table-operator.md: a Delta table's schema from its log,
/// the partition column from `partitionValues`, a removed file left out.
#[test]
fn delta_schema_from_the_log() {
    let dir = storage();
    customer_events(
        dir.path(),
        [
            &[("2026-06-01T09:00:00Z", "CUST-009", 999.0)],
            &[
                ("2026-06-01T10:23:45Z", "CUST-001", 150.0),
                ("2026-06-01T11:15:30Z", "CUST-002", 75.5),
                ("2026-06-01T12:45:00Z", "CUST-003", 200.0),
            ],
            &[
                ("2026-06-01T13:20:15Z", "CUST-001", 50.25),
                ("2026-06-01T14:30:00Z", "CUST-004", 125.75),
            ],
            &[("2026-06-01T15:00:00Z", "CUST-002", -75.5)],
        ],
    );
    table_in(
        dir.path(),
        r#"inline_external_table
            kind=delta
            (h@"abfss://filesystem@storageaccount.dfs.core.windows.net/delta/customer-events;sharedkey=...")
        | where Amount > 0
        | take 10"#,
        r#"Timestamp:datetime | CustomerId:string | Amount:real | EventType:string
           2026-06-01T10:23:45.0000000Z | "CUST-001" | 150 | "Purchase"
           2026-06-01T11:15:30.0000000Z | "CUST-002" | 75.5 | "Purchase"
           2026-06-01T12:45:00.0000000Z | "CUST-003" | 200 | "Purchase"
           2026-06-01T13:20:15.0000000Z | "CUST-001" | 50.25 | "Purchase"
           2026-06-01T14:30:00.0000000Z | "CUST-004" | 125.75 | "Purchase""#,
    );
    table_in(
        dir.path(),
        r#"inline_external_table kind=delta (@"abfss://fs@acct.dfs.core.windows.net/delta/customer-events")
        | summarize count() by EventType"#,
        r#"EventType:string | count_:long
           "Purchase" | 5
           "Refund" | 1"#,
    );
}

/// inline-external-table-operator.md: a Delta table read with the columns
/// the query declares.
#[test]
fn delta_with_declared_columns() {
    let dir = storage();
    customer_events(
        dir.path(),
        [
            &[("2026-06-01T09:00:00Z", "CUST-009", 999.0)],
            &[
                ("2026-06-01T10:00:00Z", "CUST-001", 1000.0),
                ("2026-06-01T10:05:00Z", "CUST-002", 890.5),
                ("2026-06-01T10:10:00Z", "CUST-003", 2100.0),
            ],
            &[
                ("2026-06-02T10:00:00Z", "CUST-001", 250.75),
                ("2026-06-02T11:00:00Z", "CUST-004", 675.25),
            ],
            &[],
        ],
    );
    table_in(
        dir.path(),
        r#"inline_external_table(Timestamp:datetime, CustomerId:string, Amount:real)
            kind=delta
            (h@"abfss://filesystem@storageaccount.dfs.core.windows.net/delta/customer-events;sharedkey=...")
        | summarize TotalAmount = sum(Amount) by CustomerId"#,
        r#"CustomerId:string | TotalAmount:real
           "CUST-001" | 1250.75
           "CUST-002" | 890.5
           "CUST-003" | 2100
           "CUST-004" | 675.25"#,
    );
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table(CustomerId:string, Total:real) kind=delta (@"https://h/customer-events")"#
        ),
        "column 'Total' is not in the Delta table's schema (its columns: Timestamp, CustomerId, Amount, EventType)"
    );
}

#[test]
fn delta_errors() {
    let dir = storage();
    let log = |name: &str| dir.path().join(name).join("_delta_log");
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table kind=delta (@"https://h/checkpointed")"#
        ),
        format!(
            "inline_external_table: the Delta log in {} has only checkpoint files, no JSON commits to replay; \
             Quarry replays a Delta log from its JSON commits and does not read checkpoint Parquet files \
             (00000000000000000010.checkpoint.parquet)",
            log("checkpointed").display()
        )
    );
    std::fs::write(
        log("checkpointed").join("00000000000000000011.json"),
        "{\"add\":{\"path\":\"x.parquet\",\"partitionValues\":{}}}\n",
    )
    .expect("write");
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table kind=delta (@"https://h/checkpointed")"#
        ),
        format!(
            "inline_external_table: the Delta log in {} starts at version 11 (the commits before it were cleaned up); \
             Quarry replays a Delta log from its JSON commits and does not read checkpoint Parquet files \
             (00000000000000000010.checkpoint.parquet)",
            log("checkpointed").display()
        )
    );
    std::fs::write(
        log("customer-events").join("00000000000000000002.json"),
        "{\"add\":{\"path\":\"y.parquet\",\"partitionValues\":{}}}\n{\"remove\":\n",
    )
    .expect("write");
    let message = error_in(
        dir.path(),
        r#"inline_external_table kind=delta (@"https://h/customer-events")"#,
    );
    assert_eq!(
        message,
        format!(
            "inline_external_table: {}:2: not a Delta log action (EOF while parsing a value at line 1 column 10)",
            log("customer-events")
                .join("00000000000000000002.json")
                .display()
        )
    );
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table kind=delta (@"https://h/users.txt")"#
        ),
        format!(
            "inline_external_table needs a local copy of https://h/users.txt: Quarry does not download \
             (it works offline); save it as the folder {}",
            dir.path().join("users.txt").display()
        )
    );
    std::fs::create_dir_all(dir.path().join("plain")).expect("mkdir");
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table kind=delta (@"https://h/plain")"#
        ),
        format!(
            "inline_external_table: {} is not a Delta table: it has no _delta_log folder",
            dir.path().join("plain").display()
        )
    );
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table kind=delta dataformat=parquet (@"https://h/plain")"#
        ),
        "inline_external_table kind=delta takes no dataformat: the Delta log says it"
    );
    assert_eq!(
        error_in(
            dir.path(),
            r#"inline_external_table kind=delta (@"https://h/a", @"https://h/b")"#
        ),
        "inline_external_table kind=delta reads exactly one Delta table root"
    );
}

/// `quarry check` knows the operator and checks its clauses.
#[test]
fn check_knows_inline_external_table() {
    let checked = |q: &str| match quarry::kql::check::check(q, &[]) {
        Ok(()) => "ok".to_string(),
        Err(e) => e.message,
    };
    assert_eq!(
        checked(
            r#"inline_external_table(T:datetime, R:string) kind=storage partition by (D:datetime = startofday(T))
               pathformat=(datetime_pattern('yyyy/MM/dd', D)) dataformat=parquet (h@"https://a/c") | count"#
        ),
        "ok"
    );
    assert_eq!(
        checked(
            r#"inline_external_table kind=delta (h@"abfss://f@a.dfs.core.windows.net/t") | take 1"#
        ),
        "ok"
    );
    assert_eq!(
        checked(
            r#"inline_external_table(a:string) kind=storage dataformat=avro (h@"https://a/c")"#
        ),
        "inline_external_table dataformat 'avro' is not supported yet"
    );
    assert_eq!(
        checked(
            r#"inline_external_table(a:string) kind=storage partition by (D:datetime) pathformat=(datetime_pattern('yy', D)) dataformat=csv (h@"https://a/c")"#
        ),
        "datetime_pattern('yy'): 'yy' is not a specifier Quarry reads (yyyy, MM, dd, HH, mm, ss; quote literal text)"
    );
    assert_eq!(
        checked(
            r#"externaldata(a:string)["https://a/x.csv"] with (ingestionMapping='[{"Column":"b","Properties":{"Ordinal":"0"}}]')"#
        ),
        "ingestionMapping: element 1 maps column 'b', which is not declared (the columns: a)"
    );
}
