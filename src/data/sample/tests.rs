//! Checks the generator end to end: determinism, the documented planted
//! facts (re-deriving the two stories' query results from the CSV text), the
//! clock, the link between network and process events, and the text formats.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};
use std::rc::Rc;

use regex::Regex;

use super::planted::{self, EXPECTED_HITS, HQ_GROUPS};
use super::*;
use crate::data::time::parse_datetime;
use crate::data::types::KqlType;

#[derive(Clone, Default)]
struct Shared(Rc<RefCell<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.0.borrow_mut().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Wraps a sink and checks every row against the table's spec.
struct Checked {
    spec: TableSpec,
    inner: Box<dyn RowSink>,
}

impl RowSink for Checked {
    fn row(&mut self, cells: &[Cell<'_>]) -> io::Result<()> {
        assert_eq!(
            cells.len(),
            self.spec.columns.len(),
            "{} row width",
            self.spec.name
        );
        for (cell, (name, t)) in cells.iter().zip(&self.spec.columns) {
            assert!(
                cell.fits(*t),
                "{}.{name}: {cell:?} is not a {t}",
                self.spec.name
            );
            if let Cell::Datetime(ns) = cell {
                assert_eq!(ns % 100, 0, "{}.{name} is not whole ticks", self.spec.name);
            }
        }
        self.inner.row(cells)
    }
    fn finish(self: Box<Self>) -> io::Result<()> {
        self.inner.finish()
    }
}

/// Generates into memory: table name to file bytes.
fn run(rows: usize, seed: u64, format: TextFormat) -> BTreeMap<String, Vec<u8>> {
    let out: Rc<RefCell<BTreeMap<String, Shared>>> = Rc::default();
    let summary = generate(&SampleOptions { rows, seed }, &mut |spec| {
        let buf = Shared::default();
        out.borrow_mut().insert(spec.name.clone(), buf.clone());
        Ok(Box::new(Checked {
            spec: spec.clone(),
            inner: format.sink(buf, spec)?,
        }))
    })
    .unwrap();
    assert_eq!(summary.tables.len(), TABLES.len());
    let out = out.borrow();
    out.iter()
        .map(|(k, v)| (k.clone(), v.0.borrow().clone()))
        .collect()
}

/// A parsed CSV table with column lookup by name.
struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    fn parse(bytes: &[u8]) -> Table {
        let mut rd = csv::Reader::from_reader(bytes);
        let header = rd.headers().unwrap().iter().map(str::to_string).collect();
        let rows = rd
            .records()
            .map(|r| r.unwrap().iter().map(str::to_string).collect())
            .collect();
        Table { header, rows }
    }
    fn col(&self, name: &str) -> usize {
        self.header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name}"))
    }
}

fn tables(rows: usize, seed: u64) -> BTreeMap<String, Table> {
    run(rows, seed, TextFormat::Csv)
        .into_iter()
        .map(|(k, v)| (k, Table::parse(&v)))
        .collect()
}

/// KQL `has` for a needle made of several terms: the needle's terms must
/// appear as a contiguous run of the haystack's terms (case-insensitive).
fn has_terms(haystack: &str, needle: &str) -> bool {
    let terms = |s: &str| -> Vec<String> {
        s.split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|t| !t.is_empty())
            .map(str::to_ascii_lowercase)
            .collect()
    };
    let (h, n) = (terms(haystack), terms(needle));
    h.windows(n.len()).any(|w| w == n.as_slice())
}

#[test]
fn same_options_same_bytes_other_seed_other_traffic() {
    let a = run(4_000, 1, TextFormat::Csv);
    let b = run(4_000, 1, TextFormat::Csv);
    assert_eq!(a, b);
    let c = run(4_000, 2, TextFormat::Csv);
    assert_ne!(a["DeviceNetworkEvents"], c["DeviceNetworkEvents"]);
    assert_ne!(
        a["NetworkCommunicationEvents"],
        c["NetworkCommunicationEvents"]
    );
    assert_eq!(
        a["FileProfiles"], c["FileProfiles"],
        "the world does not depend on the seed"
    );
    let j1 = run(1_000, 3, TextFormat::Jsonl);
    let j2 = run(1_000, 3, TextFormat::Jsonl);
    assert_eq!(j1, j2);
}

#[test]
fn planted_rows_do_not_depend_on_rows_or_seed() {
    let planted_rows = |rows, seed| -> BTreeSet<Vec<String>> {
        let t = tables(rows, seed);
        let dne = &t["DeviceNetworkEvents"];
        let url = dne.col("RemoteUrl");
        let mut set: BTreeSet<Vec<String>> = dne
            .rows
            .iter()
            .filter(|r| r[url].to_ascii_lowercase().contains("cloudfront"))
            .cloned()
            .collect();
        let nce = &t["NetworkCommunicationEvents"];
        let port = nce.col("RemotePort");
        set.extend(nce.rows.iter().filter(|r| r[port] == "4444").cloned());
        set
    };
    let small = planted_rows(0, 1);
    assert!(small.len() > planted::BEACONS);
    assert_eq!(small, planted_rows(3_000, 9));
    assert_eq!(small, planted_rows(20_000, 1));
}

#[test]
fn row_counts_scale_as_documented() {
    let t = tables(10_000, 1);
    assert_eq!(t["DeviceNetworkEvents"].rows.len(), 10_000);
    assert_eq!(
        t["NetworkCommunicationEvents"].rows.len(),
        comms::ordinary_rows(10_000) + planted::BEACONS
    );
    assert_eq!(
        t["DeviceProcessEvents"].rows.len(),
        1_000 + planted::PROCS.len()
    );
    assert_eq!(t["DeviceInfo"].rows.len(), 139 * 14);
    let fp = &t["FileProfiles"];
    assert!((30..300).contains(&fp.rows.len()), "{}", fp.rows.len());
    let sha1 = fp.col("SHA1");
    let distinct: BTreeSet<&str> = fp.rows.iter().map(|r| r[sha1].as_str()).collect();
    assert_eq!(distinct.len(), fp.rows.len(), "one row per hash");
    let t = tables(0, 1);
    assert_eq!(
        t["NetworkCommunicationEvents"].rows.len(),
        planted::hq_rows() + planted::BEACONS
    );
    assert_eq!(t["DeviceProcessEvents"].rows.len(), planted::PROCS.len());
}

#[test]
fn newest_datetime_of_every_table_is_end() {
    let t = tables(6_000, 5);
    for spec in table_specs() {
        let table = &t[&spec.name];
        let mut newest = i64::MIN;
        for (i, (name, kind)) in spec.columns.iter().enumerate() {
            assert_eq!(&table.header[i], name);
            if *kind != KqlType::Datetime {
                continue;
            }
            for row in &table.rows {
                if !row[i].is_empty() {
                    let ns = parse_datetime(&row[i]).unwrap();
                    assert!(ns <= END, "{}.{name} = {} is after END", spec.name, row[i]);
                    newest = newest.max(ns);
                }
            }
        }
        assert_eq!(newest, END, "{}", spec.name);
        if spec.name != "FileProfiles" {
            // Rows are in time order.
            let ts = &table
                .rows
                .iter()
                .map(|r| parse_datetime(&r[0]).unwrap())
                .collect::<Vec<_>>();
            assert!(
                ts.windows(2).all(|w| w[0] <= w[1]),
                "{} is not in time order",
                spec.name
            );
            assert!(ts[0] >= START, "{}", spec.name);
        }
    }
}

#[test]
fn kql_mysteries_beacons_are_the_largest_hq_group() {
    for rows in [0, 50_000] {
        let t = tables(rows, 1);
        let nce = &t["NetworkCommunicationEvents"];
        let (ip, port, proto, comp, desc) = (
            nce.col("RemoteIP"),
            nce.col("RemotePort"),
            nce.col("Protocol"),
            nce.col("ComputerName"),
            nce.col("EventDescription"),
        );
        let mut groups: BTreeMap<(String, String), usize> = BTreeMap::new();
        let mut lookalikes = 0;
        for r in &nce.rows {
            if has_terms(&r[ip], "192.168.0.") {
                *groups.entry((r[ip].clone(), r[port].clone())).or_default() += 1;
            } else if r[ip] == "192.168.10.4" || r[ip] == "10.192.168.5" {
                lookalikes += 1;
            }
        }
        let beacons = &(planted::BEACON_IP.to_string(), "4444".to_string());
        assert_eq!(groups[beacons], planted::BEACONS);
        for (gip, gport, _, _, n) in HQ_GROUPS {
            assert_eq!(
                groups[&(gip.to_string(), gport.to_string())],
                *n,
                "{gip}:{gport}"
            );
        }
        assert_eq!(groups.len(), HQ_GROUPS.len() + 1, "{groups:?}");
        let second = HQ_GROUPS.iter().map(|g| g.4).max().unwrap();
        assert!(planted::BEACONS >= 4 * second);
        if rows > 0 {
            assert!(lookalikes > 100, "look-alikes present: {lookalikes}");
        }
        let beacon_rows: Vec<&Vec<String>> =
            nce.rows.iter().filter(|r| r[port] == "4444").collect();
        let senders: BTreeSet<&str> = beacon_rows.iter().map(|r| r[comp].as_str()).collect();
        assert_eq!(senders.len(), planted::BEACON_COMPUTERS);
        assert!(
            beacon_rows
                .iter()
                .all(|r| r[proto] == "TCP" && r[desc] == planted::BEACON_DESCRIPTION)
        );
        let times: Vec<i64> = beacon_rows
            .iter()
            .map(|r| parse_datetime(&r[0]).unwrap())
            .collect();
        assert_eq!(*times.last().unwrap(), END);
        assert!(
            times
                .windows(2)
                .all(|w| (1..=8).contains(&((w[1] - w[0]) / 1_000_000_000)))
        );
    }
    assert!(!has_terms("192.168.10.4", "192.168.0."));
    assert!(!has_terms("10.192.168.5", "192.168.0."));
    assert!(has_terms("192.168.0.255", "192.168.0."));
}

/// Runs the CloudFront hunting query's logic over the CSV text and returns
/// (found, groups dropped by the time window, groups dropped by FileProfile).
#[allow(clippy::type_complexity)]
fn cloudfront_query(
    t: &BTreeMap<String, Table>,
) -> (
    Vec<(String, String, String, String, i64, String)>,
    Vec<String>,
    Vec<String>,
) {
    let re = Regex::new(planted::CLOUDFRONT_PATTERN).unwrap();
    let dne = &t["DeviceNetworkEvents"];
    let url = dne.col("RemoteUrl");
    let keys: Vec<usize> = [
        "InitiatingProcessVersionInfoCompanyName",
        "InitiatingProcessVersionInfoProductName",
        "InitiatingProcessVersionInfoOriginalFileName",
        "InitiatingProcessVersionInfoInternalFileName",
        "InitiatingProcessVersionInfoFileDescription",
    ]
    .iter()
    .map(|c| dne.col(c))
    .collect();
    let mut first: BTreeMap<Vec<String>, (i64, &Vec<String>)> = BTreeMap::new();
    for r in &dne.rows {
        if !re.is_match(&r[url]) {
            continue;
        }
        let ts = parse_datetime(&r[0]).unwrap();
        let key: Vec<String> = keys.iter().map(|&k| r[k].clone()).collect();
        let e = first.entry(key).or_insert((ts, r));
        if ts < e.0 {
            *e = (ts, r);
        }
    }
    let fp = &t["FileProfiles"];
    let profiles: BTreeMap<&str, &Vec<String>> = fp
        .rows
        .iter()
        .map(|r| (r[fp.col("SHA1")].as_str(), r))
        .collect();
    let now = END;
    let (mut found, mut late, mut prevalent) = (Vec::new(), Vec::new(), Vec::new());
    let name = dne.col("InitiatingProcessFileName");
    let sha1 = dne.col("InitiatingProcessSHA1");
    let device = dne.col("DeviceName");
    for (start, row) in first.values() {
        if *start <= now - clock::HOUR {
            late.push(row[name].clone());
            continue;
        }
        let profile = profiles.get(row[sha1].as_str());
        let excluded = profile.is_some_and(|p| {
            let prevalence: i64 = p[fp.col("GlobalPrevalence")].parse().unwrap();
            let first_seen = parse_datetime(&p[fp.col("GlobalFirstSeen")]).unwrap();
            prevalence > 1000
                && first_seen < now - clock::HOUR
                && p[fp.col("SignatureState")] == "SignedValid"
        });
        if excluded {
            prevalent.push(row[name].clone());
        } else {
            let availability = if profile.is_some() {
                "Available"
            } else {
                "Missing"
            };
            found.push((
                row[name].clone(),
                row[sha1].clone(),
                row[device].clone(),
                row[url].clone(),
                *start,
                availability.to_string(),
            ));
        }
    }
    found.sort_by_key(|f| f.4);
    (found, late, prevalent)
}

#[test]
fn cloudfront_query_finds_exactly_the_planted_hits() {
    for (rows, seed) in [(0, 1), (30_000, 1), (12_000, 77)] {
        let t = tables(rows, seed);
        let (found, late, prevalent) = cloudfront_query(&t);
        let expected: Vec<(String, String, String, String, i64)> = EXPECTED_HITS
            .iter()
            .map(|(n, s, d, h, ts)| {
                (
                    n.to_string(),
                    s.to_string(),
                    d.to_string(),
                    h.to_string(),
                    *ts,
                )
            })
            .collect();
        let got: Vec<_> = found
            .iter()
            .map(|f| (f.0.clone(), f.1.clone(), f.2.clone(), f.3.clone(), f.4))
            .collect();
        assert_eq!(got, expected, "rows={rows} seed={seed}");
        let missing: Vec<&str> = found
            .iter()
            .filter(|f| f.5 == "Missing")
            .map(|f| f.0.as_str())
            .collect();
        assert_eq!(missing, ["winupd64.exe"]);
        assert_eq!(late, ["netsvc_agent.exe"]);
        assert_eq!(prevalent, ["chrome.exe"]);
    }
}

#[test]
fn lookalike_hosts_do_not_match_and_ordinary_traffic_avoids_cloudfront() {
    let re = Regex::new(planted::CLOUDFRONT_PATTERN).unwrap();
    for host in [
        planted::HOST_A,
        planted::HOST_B,
        planted::HOST_C,
        planted::HOST_D,
        planted::HOST_E,
    ] {
        assert!(re.is_match(host), "{host}");
    }
    for host in planted::LOOKALIKES {
        assert!(!re.is_match(host), "{host}");
    }
    let t = tables(20_000, 4);
    let dne = &t["DeviceNetworkEvents"];
    let (url, name) = (dne.col("RemoteUrl"), dne.col("InitiatingProcessFileName"));
    let lookalike_rows = dne
        .rows
        .iter()
        .filter(|r| planted::LOOKALIKES.contains(&r[url].as_str()));
    assert_eq!(lookalike_rows.clone().count(), 4);
    assert!(
        lookalike_rows
            .clone()
            .all(|r| r[name] == "CloudSyncSvc.exe")
    );
    let cloudfront_processes: BTreeSet<&str> = dne
        .rows
        .iter()
        .filter(|r| r[url].to_ascii_lowercase().contains("cloudfront"))
        .map(|r| r[name].as_str())
        .collect();
    let expected: BTreeSet<&str> = [
        "fastpdf_update.exe",
        "BrightlineAssist.exe",
        "chrome.exe",
        "netsvc_agent.exe",
        "winupd64.exe",
        "CloudSyncSvc.exe",
    ]
    .into();
    assert_eq!(cloudfront_processes, expected);
}

#[test]
fn network_events_come_from_logged_process_creations() {
    let t = tables(20_000, 3);
    let (dne, dpe) = (&t["DeviceNetworkEvents"], &t["DeviceProcessEvents"]);
    let created: BTreeSet<(&str, &str, &str, &str)> = dpe
        .rows
        .iter()
        .map(|r| {
            (
                r[dpe.col("DeviceId")].as_str(),
                r[dpe.col("ProcessId")].as_str(),
                r[dpe.col("ProcessCreationTime")].as_str(),
                r[dpe.col("SHA1")].as_str(),
            )
        })
        .collect();
    let (dev, pid, ct, sha1) = (
        dne.col("DeviceId"),
        dne.col("InitiatingProcessId"),
        dne.col("InitiatingProcessCreationTime"),
        dne.col("InitiatingProcessSHA1"),
    );
    let mut linked = 0;
    for r in &dne.rows {
        let c = parse_datetime(&r[ct]).unwrap();
        assert!(
            c <= parse_datetime(&r[0]).unwrap(),
            "process created after its connection"
        );
        if c >= START {
            assert!(
                created.contains(&(
                    r[dev].as_str(),
                    r[pid].as_str(),
                    r[ct].as_str(),
                    r[sha1].as_str()
                )),
                "{r:?}"
            );
            linked += 1;
        }
    }
    assert!(linked > 10_000, "{linked}");
    // Hashes are consistent per binary version.
    let mut by_sha1: BTreeMap<&str, (&str, &str, &str)> = BTreeMap::new();
    let (name, ver, sha256) = (
        dne.col("InitiatingProcessFileName"),
        dne.col("InitiatingProcessVersionInfoProductVersion"),
        dne.col("InitiatingProcessSHA256"),
    );
    for r in &dne.rows {
        let v = (r[name].as_str(), r[ver].as_str(), r[sha256].as_str());
        assert_eq!(*by_sha1.entry(r[sha1].as_str()).or_insert(v), v);
    }
    // The LocalIP side of the KQL Mysteries search: HQ devices are on 192.168.0.x.
    assert!(
        dne.rows
            .iter()
            .any(|r| r[dne.col("LocalIP")].starts_with("192.168.0."))
    );
}

#[test]
fn csv_text_looks_like_a_portal_export() {
    let bytes = run(3_000, 1, TextFormat::Csv);
    let datetime = Regex::new(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$").unwrap();
    for spec in table_specs() {
        let t = Table::parse(&bytes[&spec.name]);
        for (i, (name, kind)) in spec.columns.iter().enumerate() {
            for r in &t.rows {
                let v = &r[i];
                match kind {
                    KqlType::Datetime => {
                        assert!(v.is_empty() || datetime.is_match(v), "{name}: {v}")
                    }
                    KqlType::Bool => {
                        assert!(["True", "False", ""].contains(&v.as_str()), "{name}: {v}")
                    }
                    KqlType::Long | KqlType::Int => {
                        assert!(v.is_empty() || v.parse::<i64>().is_ok(), "{name}: {v}")
                    }
                    _ => {}
                }
            }
        }
    }
    let dne = std::str::from_utf8(&bytes["DeviceNetworkEvents"]).unwrap();
    assert!(
        dne.contains("\n2025-03-18T12:00:00.0000000Z,"),
        "the END anchor is formatted with 7 digits"
    );
    assert!(
        dne.contains("\"{\"\"direction\"\":\"\"Out\"\"}\""),
        "JSON text is CSV-quoted"
    );
}

#[test]
fn jsonl_lines_are_typed_objects_in_column_order() {
    let bytes = run(1_500, 1, TextFormat::Jsonl);
    for spec in table_specs() {
        let text = std::str::from_utf8(&bytes[&spec.name]).unwrap();
        let mut lines = 0;
        for line in text.lines() {
            let v: serde_json::Value = serde_json::from_str(line).unwrap();
            let obj = v.as_object().unwrap();
            assert_eq!(obj.len(), spec.columns.len());
            let mut at = 0;
            for (name, kind) in &spec.columns {
                let key = format!("\"{name}\":");
                at += line[at..]
                    .find(&key)
                    .unwrap_or_else(|| panic!("{name} out of order"));
                let value = &obj[name.as_str()];
                let ok = match kind {
                    KqlType::Long | KqlType::Int => value.is_i64() || value.is_null(),
                    KqlType::Bool => value.is_boolean() || value.is_null(),
                    KqlType::String | KqlType::Datetime => value.is_string() || value.is_null(),
                    _ => true,
                };
                assert!(ok, "{}.{name} = {value}", spec.name);
            }
            lines += 1;
        }
        assert!(lines > 0, "{}", spec.name);
    }
}

#[test]
fn readme_lists_the_planted_facts() {
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/sample-data/README.md"
    ))
    .unwrap();
    for (name, sha1, device, host, _) in EXPECTED_HITS {
        for fact in [name, sha1, device, host] {
            assert!(readme.contains(fact), "README lacks {fact}");
        }
    }
    for fact in
        planted::LOOKALIKES
            .iter()
            .chain(&[planted::HOST_C, planted::HOST_D, planted::BEACON_IP])
    {
        assert!(readme.contains(fact), "README lacks {fact}");
    }
    for f in ["fastpdf", "brightline", "netsvc", "winupd64", "cloudsync"] {
        for h in planted::fixed_hashes(f).unwrap() {
            assert!(readme.contains(h), "README lacks {f} hash {h}");
        }
    }
    // Chrome 109's SHA1 is derived; the README must quote the derived value.
    let world = world::World::new();
    let chrome = catalog::file_index("chrome");
    assert!(
        readme.contains(&world.image(chrome, 3).sha1),
        "README lacks Chrome 109's SHA1"
    );
    for (ip, port, _, desc, n) in HQ_GROUPS {
        assert!(
            readme.contains(&format!("| {ip} | {port} | {n} |")),
            "README lacks HQ group {ip}:{port} {desc}"
        );
    }
}
