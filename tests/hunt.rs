//! The hunt layer end to end: the CloudFront rule on the bundled sample
//! data, FileProfile enrichment, rule files and their errors.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use assert_cmd::Command;
use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::data::load::load_paths;
use quarry::data::sample::END;
use quarry::data::sample::planted::EXPECTED_HITS;
use quarry::data::types::KqlType;
use quarry::hunt::rules::{self, Rule};
use quarry::kql::value::Scalar;
use quarry::kql::{RunOptions, run};

fn sample() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");
        let c = load_paths(&[dir.to_string()]);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        c
    })
}

fn options() -> RunOptions {
    RunOptions {
        now: END,
        plugins: quarry::hunt::plugins(),
        ..Default::default()
    }
}

fn texts(frame: &DataFrame, column: &str) -> Vec<String> {
    let s = frame.column(column).unwrap().as_materialized_series();
    (0..s.len())
        .map(|i| Scalar::from_series(s, i).to_text().into_owned())
        .collect()
}

fn cloudfront() -> Rule {
    let (rules, errors) = rules::load_all(None);
    assert!(errors.is_empty());
    rules.into_iter().find(|r| r.id == "QRY-0001").unwrap()
}

/// The seed query's `project` list, in order.
const SEED_COLUMNS: &[&str] = &[
    "StartTime",
    "EndTime",
    "DeviceNamesSample",
    "Timestamp",
    "DeviceId",
    "DeviceName",
    "LocalIP",
    "ActionType",
    "RemoteIP",
    "RemotePort",
    "RemoteUrl",
    "Protocol",
    "InitiatingProcessAccountName",
    "InitiatingProcessAccountSid",
    "InitiatingProcessAccountUpn",
    "InitiatingProcessAccountObjectId",
    "InitiatingProcessSHA1",
    "InitiatingProcessSHA256",
    "InitiatingProcessMD5",
    "InitiatingProcessFileName",
    "InitiatingProcessFolderPath",
    "InitiatingProcessCommandLine",
    "InitiatingProcessCreationTime",
    "IsInitiatingProcessRemoteSession",
    "InitiatingProcessParentFileName",
    "InitiatingProcessVersionInfoCompanyName",
    "InitiatingProcessVersionInfoProductName",
    "InitiatingProcessVersionInfoOriginalFileName",
    "InitiatingProcessVersionInfoInternalFileName",
    "InitiatingProcessVersionInfoFileDescription",
    "InitiatingProcessVersionInfoProductVersion",
    "GlobalPrevalence",
    "GlobalFirstSeen",
    "GlobalLastSeen",
    "SignatureState",
    "ReportId",
];

#[test]
fn cloudfront_rule_finds_exactly_the_planted_hits() {
    let rule = cloudfront();
    let text = rule.bound_query(&BTreeMap::new()).unwrap();
    let hits = run(sample(), &text, &options()).unwrap();
    let names: Vec<String> = hits
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(names, SEED_COLUMNS);
    let mut got: Vec<(String, String, String, String)> = (0..hits.height())
        .map(|i| {
            (
                texts(&hits, "InitiatingProcessFileName")[i].clone(),
                texts(&hits, "InitiatingProcessSHA1")[i].clone(),
                texts(&hits, "DeviceName")[i].clone(),
                texts(&hits, "RemoteUrl")[i].clone(),
            )
        })
        .collect();
    got.sort();
    let mut want: Vec<(String, String, String, String)> = EXPECTED_HITS
        .iter()
        .map(|(f, h, d, u, _)| (f.to_string(), h.to_string(), d.to_string(), u.to_string()))
        .collect();
    want.sort();
    assert_eq!(got, want);
    // StartTime is each hit's first contact.
    let starts = hits
        .column("StartTime")
        .unwrap()
        .as_materialized_series()
        .clone();
    for i in 0..hits.height() {
        let file = &texts(&hits, "InitiatingProcessFileName")[i];
        let expected = EXPECTED_HITS.iter().find(|h| h.0 == file).unwrap().4;
        assert_eq!(
            Scalar::from_series(&starts, i),
            Scalar::Datetime(expected),
            "{file}"
        );
    }
}

#[test]
fn the_seed_query_pasted_verbatim_runs_too() {
    let seed = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/seeds/cloudfront-hunting-query.txt"
    ));
    let Ok(seed) = seed else {
        eprintln!("skipped: ../shared/seeds is not beside the checkout");
        return;
    };
    let start = seed.find("let query_frequency").unwrap();
    let end = seed.find("ReportId").unwrap() + "ReportId".len();
    let hits = run(sample(), &seed[start..end], &options()).unwrap();
    assert_eq!(hits.height(), EXPECTED_HITS.len());
}

#[test]
fn a_shorter_window_drops_the_hits_and_the_set_parameter_is_rebound() {
    let rule = cloudfront();
    let mut set = BTreeMap::new();
    set.insert("query_frequency".to_string(), "10m".to_string());
    let text = rule.bound_query(&set).unwrap();
    assert!(text.starts_with("let query_frequency = 10m;"));
    let hits = run(sample(), &text, &options()).unwrap();
    // Only BrightlineAssist's first contact (14 minutes before the end) is
    // not within the last 10 minutes either: nothing is left.
    assert_eq!(hits.height(), 0);
}

#[test]
fn rules_run_on_the_command_line() {
    let out = Command::cargo_bin("quarry")
        .unwrap()
        .args([
            "rules",
            "run",
            "QRY-0001",
            "--data",
            concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data"),
            "--now",
            "2025-03-18T12:00:00Z",
            "--format",
            "csv",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).unwrap();
    let mut lines = stdout.lines();
    assert_eq!(lines.next().unwrap(), SEED_COLUMNS.join(","));
    assert_eq!(lines.count(), EXPECTED_HITS.len());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("QRY-0001  Uncommon process connecting to a CloudFront domain: 3 hits"),
        "{stderr}"
    );
}

#[test]
fn rules_list_puts_the_id_first() {
    let out = Command::cargo_bin("quarry")
        .unwrap()
        .args(["rules", "list"])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout.lines().any(|l| l.starts_with("QRY-0001  medium")),
        "{stdout}"
    );
}

fn profiles_catalog() -> Catalog {
    let mut c = Catalog::new();
    let frame = run(
        &Catalog::new(),
        r#"datatable(SHA1:string, GlobalPrevalence:long, GlobalFirstSeen:datetime, SignatureState:string)
           ["AAA", 3, datetime(2025-03-18T11:40:00Z), "Unsigned",
            "bbb", 5000000, datetime(2019-01-01), "SignedValid"]"#,
        &RunOptions::default(),
    )
    .unwrap();
    c.insert(Table {
        name: "FileProfiles".into(),
        frame,
        files: vec![],
        warnings: Vec::new(),
    });
    c
}

#[test]
fn file_profile_adds_defenders_columns_with_availability() {
    let c = profiles_catalog();
    let q = r#"datatable(SHA1:string, n:long)["aaa", 1, "BBB", 2, "ccc", 3]
               | invoke FileProfile("SHA1", 2)"#;
    let out = run(&c, q, &options()).unwrap();
    let names: Vec<String> = out
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(
        names,
        vec![
            "SHA1",
            "n",
            "SHA256",
            "MD5",
            "FileSize",
            "GlobalPrevalence",
            "GlobalFirstSeen",
            "GlobalLastSeen",
            "Signer",
            "Issuer",
            "SignerHash",
            "IsCertificateValid",
            "IsRootSignerMicrosoft",
            "SignatureState",
            "IsExecutable",
            "ThreatName",
            "Publisher",
            "SoftwareName",
            "ProfileAvailability"
        ]
    );
    let kind = |n: &str| KqlType::of(out.column(n).unwrap().dtype()).unwrap();
    assert_eq!(kind("GlobalPrevalence"), KqlType::Long);
    assert_eq!(kind("GlobalFirstSeen"), KqlType::Datetime);
    assert_eq!(kind("IsCertificateValid"), KqlType::Bool);
    assert_eq!(kind("SignatureState"), KqlType::String);
    // Hashes match whatever their case; rows past n are not looked up.
    assert_eq!(
        texts(&out, "ProfileAvailability"),
        vec!["Available", "Available", ""]
    );
    assert_eq!(texts(&out, "GlobalPrevalence"), vec!["3", "5000000", ""]);
}

#[test]
fn file_profile_without_a_profile_table_marks_every_row_missing() {
    let q = r#"datatable(InitiatingProcessSHA1:string)["aaa", "bbb"] | invoke FileProfile("InitiatingProcessSHA1")"#;
    let out = run(&Catalog::new(), q, &options()).unwrap();
    assert_eq!(
        texts(&out, "ProfileAvailability"),
        vec!["Missing", "Missing"]
    );
    assert_eq!(out.column("GlobalPrevalence").unwrap().null_count(), 2);
}

#[test]
fn file_profile_rejects_bad_arguments() {
    let q = r#"datatable(SHA1:string)["a"] | invoke FileProfile("MD5")"#;
    let e = run(&Catalog::new(), q, &options()).unwrap_err();
    assert_eq!(
        e.message,
        "FileProfile's idColumn must be one of SHA1, SHA256, InitiatingProcessSHA1, InitiatingProcessSHA256, not 'MD5'"
    );
    let q = r#"datatable(SHA1:string)["a"] | invoke FileProfile("SHA1", 1001)"#;
    let e = run(&Catalog::new(), q, &options()).unwrap_err();
    assert_eq!(
        e.message,
        "FileProfile's n must be from 1 to 1000, not 1001"
    );
}

#[test]
fn broken_rule_files_name_the_field_or_position() {
    let e = Rule::from_toml(
        "id = \"X\"\ntitle = \"t\"\nseverity = \"medium\"\n",
        "r.toml",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "r.toml: line 1, column 1: missing field `query`"
    );
    let e = Rule::from_toml(
        "id = \"X\"\ntitle = \"t\"\nseverity = \"urgent\"\n[query]\ntext = \"T\"\n",
        "r.toml",
    )
    .unwrap_err();
    assert_eq!(
        e.to_string(),
        "r.toml: field 'severity' is 'urgent'; expected one of informational, low, medium, high, critical"
    );
    let e = Rule::from_toml(
        "id = \"X\"\ntitle = \"t\"\nseverity = \"low\"\n[query]\ntext = \"T | where\"\n",
        "r.toml",
    )
    .unwrap_err();
    assert!(
        e.message.starts_with("field 'query.text': error: "),
        "{}",
        e.message
    );
    assert!(e.message.contains("line 1, column"), "{}", e.message);
}

#[test]
fn hunting_yaml_becomes_a_rule() {
    let yaml = r#"
id: 3a0f7c2e-1111-2222-3333-444455556666
name: Rare process beaconing
description: |
  Finds things.
requiredDataConnectors:
  - connectorId: MicrosoftThreatProtection
tactics:
  - CommandAndControl
relevantTechniques:
  - T1071
query: |
  DeviceNetworkEvents
  | where RemotePort == 4444
"#;
    let r = rules::from_yaml(yaml, "x.yaml").unwrap();
    assert_eq!(r.id, "3a0f7c2e-1111-2222-3333-444455556666");
    assert_eq!(r.title, "Rare process beaconing");
    assert_eq!(r.tactics, vec!["CommandAndControl"]);
    assert_eq!(r.techniques, vec!["T1071"]);
    assert_eq!(r.severity, "medium");
    let back = Rule::from_toml(&rules::to_toml(&r), "back.toml").unwrap();
    assert_eq!(back.query.text, r.query.text);
    let e = rules::from_yaml("name: x\nquery: T\n", "y.yaml").unwrap_err();
    assert_eq!(e.to_string(), "y.yaml: missing field 'id'");
}

/// Issue 10: one value that does not convert in a FileProfiles column
/// (`N/A` in GlobalPrevalence) is one null cell with a warning, as in any
/// load; the other profiles keep their prevalence.
#[test]
fn a_bad_file_profile_cell_is_one_null_not_a_column_of_unknowns() {
    let dir = tempfile::tempdir().unwrap();
    let a = "a".repeat(40);
    let b = "b".repeat(40);
    std::fs::write(
        dir.path().join("DeviceNetworkEvents.csv"),
        format!(
            "Timestamp,DeviceName,InitiatingProcessSHA1,ReportId\n\
             2025-03-18T10:00:00Z,wks-1,{a},1\n2025-03-18T10:01:00Z,wks-1,{b},2\n"
        ),
    )
    .unwrap();
    let profiles = dir.path().join("FileProfiles.csv");
    std::fs::write(
        &profiles,
        format!("SHA1,GlobalPrevalence,SignatureState\n{a},N/A,Unsigned\n{b},1234,SignedValid\n"),
    )
    .unwrap();
    let catalog = load_paths(&[dir.path().display().to_string()]);
    assert!(catalog.errors.is_empty(), "{:?}", catalog.errors);
    assert_eq!(
        catalog.warning_lines(),
        [format!(
            "FileProfiles: 1 cell could not be read and is null: GlobalPrevalence (long) at {}:2 \"N/A\"",
            profiles.display()
        )]
    );
    let frame = run(
        &catalog,
        "DeviceNetworkEvents | invoke FileProfile(\"InitiatingProcessSHA1\") \
         | project ReportId, GlobalPrevalence, SignatureState, ProfileAvailability \
         | sort by ReportId asc",
        &options(),
    )
    .unwrap();
    assert_eq!(texts(&frame, "GlobalPrevalence"), ["", "1234"]);
    assert_eq!(texts(&frame, "SignatureState"), ["Unsigned", "SignedValid"]);
    assert_eq!(
        texts(&frame, "ProfileAvailability"),
        ["Available", "Available"]
    );
}

/// What a run of rules together told its watch.
#[derive(Default)]
struct Heard {
    outcomes: std::sync::Mutex<Vec<(usize, quarry::hunt::batch::Outcome)>>,
    scans: std::sync::Mutex<Vec<quarry::hunt::batch::Scanning>>,
}

impl quarry::hunt::batch::RulesWatch for Heard {
    fn scanning(&self, progress: &quarry::hunt::batch::Scanning) {
        self.scans.lock().unwrap().push(progress.clone());
    }

    fn finished(
        &self,
        index: usize,
        outcome: quarry::hunt::batch::Outcome,
        _elapsed: std::time::Duration,
    ) {
        self.outcomes.lock().unwrap().push((index, outcome));
    }
}

/// The workbench's "run all" runs rules together, sharing scans: each
/// rule gets exactly what it gets alone (the same hits, the same reasons
/// for each hit, the same error), and the scans' progress is heard table
/// by table.
#[test]
fn rules_run_together_give_each_rule_what_it_gives_alone() {
    use quarry::hunt::batch::{Prepared, Scanning, run_all, run_one};
    use quarry::hunt::verdict::{Why, exclusion_conditions, lets_text};
    let prepared = |text: &str| Prepared {
        text: text.to_string(),
        lets: lets_text(text),
        conditions: exclusion_conditions(text).unwrap_or_default(),
    };
    let rules = [
        Prepared::of(&cloudfront()).unwrap(),
        prepared(
            r#"DeviceNetworkEvents | where RemotePort == 1433 and not(InitiatingProcessFileName =~ "sqlservr.exe" and RemoteIPType == "Public")"#,
        ),
        prepared(r#"DeviceProcessEvents | where FileName =~ "POWERSHELL.EXE""#),
        prepared(
            r#"DeviceProcessEvents | where FileName == "python.exe" and not(DeviceName startswith "srv") | project Timestamp, DeviceName"#,
        ),
        prepared("DeviceProcessEvents | where NoSuchColumn == 1"),
        prepared("DeviceProcessEvents | where"),
        prepared("NoSuchTable | where x == 1"),
        prepared(
            "DeviceNetworkEvents | where RemotePort == 1433 | summarize count() by DeviceName",
        ),
    ];
    let heard = Heard::default();
    run_all(sample(), &rules, &options(), &heard);
    let mut outcomes = heard.outcomes.into_inner().unwrap();
    outcomes.sort_by_key(|(i, _)| *i);
    let order: Vec<usize> = outcomes.iter().map(|(i, _)| *i).collect();
    assert_eq!(order, (0..rules.len()).collect::<Vec<_>>());
    let mut heights = Vec::new();
    let mut explained = 0;
    for ((_, together), rule) in outcomes.iter().zip(&rules) {
        match (together, run_one(sample(), rule, &options())) {
            (Ok((hits, why)), Ok((alone, why_alone))) => {
                assert!(
                    hits.equals_missing(&alone),
                    "{}\n{hits}\n{alone}",
                    rule.text
                );
                assert_eq!(why, &why_alone, "{}", rule.text);
                explained += why.iter().filter(|w| matches!(w, Why::Failed(_))).count();
                heights.push(Some(hits.height()));
            }
            (Err(e), Err(alone)) => {
                assert_eq!(e.message, alone.message, "{}", rule.text);
                assert_eq!(e.kind, alone.kind, "{}", rule.text);
                heights.push(None);
            }
            (together, alone) => panic!(
                "{}: together ok {}, alone ok {}",
                rule.text,
                together.is_ok(),
                alone.is_ok()
            ),
        }
    }
    assert_eq!(
        heights,
        [
            Some(EXPECTED_HITS.len()),
            Some(7),
            Some(30),
            Some(45),
            None,
            None,
            None,
            Some(1)
        ]
    );
    // Hits explained by the conditions of their exclusion that failed.
    assert!(explained > 0);
    let scans = heard.scans.into_inner().unwrap();
    let begun: Vec<(String, usize, usize, usize, usize)> = scans
        .iter()
        .filter(|s| s.read == 0 && s.percent == 0)
        .map(|s| (s.table.clone(), s.rules, s.scan, s.scans, s.rows))
        .collect();
    assert_eq!(
        begun,
        [
            ("DeviceNetworkEvents".to_string(), 2, 0, 2, 50_000),
            // Not the unknown column's rule: it runs alone, failing as alone.
            ("DeviceProcessEvents".to_string(), 2, 1, 2, 5_010),
        ]
    );
    assert_eq!(
        scans.last().map(Scanning::words).as_deref(),
        Some("scanning DeviceProcessEvents (2 rules; table 2 of 2): 100% (rows 5,010/5,010 done)")
    );
}

/// A run of rules together stops when its cancel flag is set: the rules
/// that share a scan and the rule run alone all answer "cancelled".
#[test]
fn rules_run_together_stop_when_cancelled() {
    use quarry::hunt::batch::{Prepared, run_all};
    use quarry::kql::error::ErrorKind;
    let text = |t: &str| Prepared {
        text: t.to_string(),
        lets: String::new(),
        conditions: Vec::new(),
    };
    let rules = [
        Prepared::of(&cloudfront()).unwrap(),
        text(r#"DeviceProcessEvents | where FileName =~ "powershell.exe""#),
        text("DeviceNetworkEvents | where RemotePort == 1433"),
    ];
    let options = RunOptions {
        cancel: Some(std::sync::Arc::new(std::sync::atomic::AtomicBool::new(
            true,
        ))),
        ..options()
    };
    let heard = Heard::default();
    run_all(sample(), &rules, &options, &heard);
    let mut kinds: Vec<(usize, Option<ErrorKind>)> = heard
        .outcomes
        .into_inner()
        .unwrap()
        .into_iter()
        .map(|(i, o)| (i, o.err().map(|e| e.kind)))
        .collect();
    kinds.sort_by_key(|(i, _)| *i);
    assert_eq!(
        kinds,
        [
            (0, Some(ErrorKind::Cancelled)),
            (1, Some(ErrorKind::Cancelled)),
            (2, Some(ErrorKind::Cancelled)),
        ]
    );
}
