//! Pivots from a rule's hit (issue 10): each reads the column the rule
//! declares for its entity, compares a hash with the column of its own
//! algorithm, and finds exactly the rows it should.

use std::path::Path;

use quarry::data::catalog::Catalog;
use quarry::hunt::pivot::{Pivot, pivot_query};
use quarry::hunt::rules::Entities;
use quarry::kql::value::Scalar;
use quarry::kql::{RunOptions, run};

const SHA1_A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const SHA1_B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const SHA256_A: &str = "1111111111111111111111111111111111111111111111111111111111111111";
const SHA256_B: &str = "2222222222222222222222222222222222222222222222222222222222222222";

/// Two processes (A and B, each with a SHA1 and a SHA256) on two devices,
/// by two accounts.
fn catalog(dir: &Path) -> Catalog {
    let net = format!(
        "Timestamp,DeviceName,InitiatingProcessSHA1,InitiatingProcessSHA256,InitiatingProcessAccountName,RemoteUrl,ReportId\n\
         2025-03-18T10:00:00Z,wks-1,{SHA1_A},{SHA256_A},alice,d1abcdefghijkl.cloudfront.net,1\n\
         2025-03-18T10:30:00Z,wks-1,{SHA1_B},{SHA256_B},bob,example.org,2\n\
         2025-03-18T11:30:00Z,wks-2,{SHA1_A},{SHA256_A},alice,D1ABCDEFGHIJKL.cloudfront.net,3\n\
         2025-03-18T13:00:00Z,wks-1,{SHA1_A},{SHA256_A},alice,example.org,4\n"
    );
    let procs = format!(
        "Timestamp,DeviceName,SHA1,SHA256,AccountName,InitiatingProcessAccountName,ReportId\n\
         2025-03-18T09:59:00Z,wks-1,{SHA1_A},{SHA256_A},alice,system,10\n\
         2025-03-18T10:29:00Z,wks-1,{SHA1_B},{SHA256_B},bob,alice,11\n\
         2025-03-18T12:00:00Z,wks-2,{SHA1_B},{SHA256_B},carol,carol,12\n"
    );
    std::fs::write(dir.join("DeviceNetworkEvents.csv"), net).unwrap();
    std::fs::write(dir.join("DeviceProcessEvents.csv"), procs).unwrap();
    let c = quarry::data::load::load_paths(&[dir.display().to_string()]);
    assert!(c.errors.is_empty(), "{:?}", c.errors);
    c
}

/// The hit: the first connection (process A on wks-1 at 10:00, alice).
fn hit(name: &str) -> Option<Scalar> {
    Some(match name {
        "Timestamp" => Scalar::Datetime(1_742_292_000_000_000_000),
        "DeviceName" | "Computer" => Scalar::String("wks-1".into()),
        "InitiatingProcessSHA1" => Scalar::String(SHA1_A.into()),
        "InitiatingProcessSHA256" | "FileHash" => Scalar::String(SHA256_A.into()),
        "InitiatingProcessAccountName" => Scalar::String("alice".into()),
        "RemoteUrl" => Scalar::String("d1abcdefghijkl.cloudfront.net".into()),
        "Empty" => Scalar::String(String::new()),
        _ => return None,
    })
}

/// The ReportIds a pivot finds, sorted.
fn report_ids(c: &Catalog, query: &str) -> Vec<i64> {
    let q = format!("{query} | project ReportId | sort by ReportId asc");
    let frame = run(c, &q, &RunOptions::default()).unwrap_or_else(|e| panic!("{q}: {e:?}"));
    let col = frame
        .column("ReportId")
        .unwrap()
        .as_materialized_series()
        .clone();
    (0..col.len())
        .map(|i| match Scalar::from_series(&col, i) {
            Scalar::Long(v) => v,
            Scalar::Int(v) => i64::from(v),
            other => panic!("{other:?}"),
        })
        .collect()
}

fn entities(hash: Option<&str>) -> Entities {
    Entities {
        file_hash: hash.map(str::to_string),
        ..Default::default()
    }
}

#[test]
fn a_sha1_rule_pivots_on_sha1() {
    let d = tempfile::tempdir().unwrap();
    let c = catalog(d.path());
    let e = entities(Some("InitiatingProcessSHA1"));
    let q = pivot_query(Pivot::Connections, &e, &hit).unwrap();
    assert_eq!(
        q,
        format!("DeviceNetworkEvents | where InitiatingProcessSHA1 == \"{SHA1_A}\"")
    );
    assert_eq!(report_ids(&c, &q), [1, 3, 4]);
    let q = pivot_query(Pivot::ProcessEvents, &e, &hit).unwrap();
    assert_eq!(
        q,
        format!("DeviceProcessEvents | where SHA1 == \"{SHA1_A}\"")
    );
    assert_eq!(report_ids(&c, &q), [10]);
}

/// The bug of issue 10: a SHA256 rule compared its hash with SHA1 columns
/// and found nothing.
#[test]
fn a_sha256_rule_pivots_on_sha256() {
    let d = tempfile::tempdir().unwrap();
    let c = catalog(d.path());
    let e = entities(Some("InitiatingProcessSHA256"));
    let q = pivot_query(Pivot::Connections, &e, &hit).unwrap();
    assert_eq!(
        q,
        format!("DeviceNetworkEvents | where InitiatingProcessSHA256 == \"{SHA256_A}\"")
    );
    assert_eq!(report_ids(&c, &q), [1, 3, 4]);
    let q = pivot_query(Pivot::ProcessEvents, &e, &hit).unwrap();
    assert_eq!(
        q,
        format!("DeviceProcessEvents | where SHA256 == \"{SHA256_A}\"")
    );
    assert_eq!(report_ids(&c, &q), [10]);
    // A column whose name says nothing: the value's length does.
    let e = entities(Some("FileHash"));
    let q = pivot_query(Pivot::ProcessEvents, &e, &hit).unwrap();
    assert_eq!(report_ids(&c, &q), [10]);
}

#[test]
fn the_device_pivot_reads_the_declared_device_column() {
    let d = tempfile::tempdir().unwrap();
    let c = catalog(d.path());
    let e = Entities {
        device: Some("Computer".into()),
        ..Default::default()
    };
    let q = pivot_query(Pivot::DeviceActivity, &e, &hit).unwrap();
    assert_eq!(
        q,
        "union DeviceNetworkEvents, DeviceProcessEvents | where DeviceName == \"wks-1\" \
         and Timestamp between (datetime(2025-03-18T10:00:00.0000000Z) - 1h .. \
         datetime(2025-03-18T10:00:00.0000000Z) + 1h)"
    );
    // Within an hour on wks-1: connections 1 and 2, processes 10 and 11;
    // not wks-2's, not 13:00's.
    assert_eq!(report_ids(&c, &q), [1, 2, 10, 11]);
}

#[test]
fn the_url_pivot_finds_every_connection_to_the_url() {
    let d = tempfile::tempdir().unwrap();
    let c = catalog(d.path());
    let q = pivot_query(Pivot::UrlActivity, &Entities::default(), &hit).unwrap();
    assert_eq!(
        q,
        "DeviceNetworkEvents | where RemoteUrl =~ \"d1abcdefghijkl.cloudfront.net\""
    );
    // Host names are case-insensitive.
    assert_eq!(report_ids(&c, &q), [1, 3]);
}

#[test]
fn the_account_pivot_finds_its_processes_and_connections() {
    let d = tempfile::tempdir().unwrap();
    let c = catalog(d.path());
    let q = pivot_query(Pivot::AccountActivity, &Entities::default(), &hit).unwrap();
    assert_eq!(report_ids(&c, &q), [1, 3, 4, 10, 11]);
}

#[test]
fn a_hit_without_what_the_pivot_needs_says_so() {
    let e = entities(Some("NoSuchColumn"));
    assert_eq!(
        pivot_query(Pivot::Connections, &e, &hit),
        Err("this hit has no column NoSuchColumn".to_string())
    );
    let e = entities(Some("Empty"));
    assert_eq!(
        pivot_query(Pivot::Connections, &e, &hit),
        Err("this hit's Empty is empty".to_string())
    );
    let e = entities(Some("DeviceName"));
    assert_eq!(
        pivot_query(Pivot::Connections, &e, &hit),
        Err("this hit's DeviceName is not a SHA1, SHA256 or MD5 hash".to_string())
    );
}
