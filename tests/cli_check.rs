//! `quarry check`, driven end to end: one query, a corpus report, and a
//! reader that stops early (`quarry check --corpus ... | head`).

use std::io::Write;
use std::process::{Command, Stdio};

use assert_cmd::cargo::CommandCargoExt;

/// A corpus file of `n` copies of three queries: two Quarry understands,
/// one with a made-up function.
fn corpus(n: usize) -> tempfile::NamedTempFile {
    let mut f = tempfile::NamedTempFile::new().expect("a temporary file");
    for _ in 0..n {
        for q in [
            "DeviceProcessEvents | parse-kv ProcessCommandLine as (user:string) with (pair_delimiter=' ', kv_delimiter='=')",
            "DeviceLogonEvents | partition hint.strategy=native by DeviceName (top 1 by Timestamp)",
            "DeviceEvents | extend x = no_such_function(1)",
        ] {
            let line = serde_json::json!({ "query": q }).to_string();
            writeln!(f, "{line}").expect("writes");
        }
    }
    f
}

#[test]
fn corpus_report() {
    let f = corpus(2);
    let out = Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["check", "--corpus"])
        .arg(f.path())
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "accepted 4 of 6 queries (66.7%)\n     2  unknown function 'no_such_function' \
         (not a KQL function: its authors' own, not saved here)\n"
    );
}

#[test]
fn a_reader_that_stops_early_ends_the_report_quietly() {
    let f = corpus(50);
    let mut child = Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["check", "--corpus"])
        .arg(f.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("starts");
    // Close the reading end before the report is written, as `head` does
    // once it has its lines.
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("ends");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{out:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert_eq!(stderr, "");
}

#[test]
fn one_query() {
    let out = Command::cargo_bin("quarry")
        .expect("the binary")
        .args([
            "check",
            "T | scan with (step s1: x > 1; step s2: x > s1.x;)",
        ])
        .output()
        .expect("runs");
    assert!(out.status.success(), "{out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout), "ok\n");
    let out = Command::cargo_bin("quarry")
        .expect("the binary")
        .args(["check", "T | reduce by x with treshold=0.5"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("unknown reduce option 'treshold': expected threshold or characters"),
        "{stderr}"
    );
    assert!(stderr.contains("^^^^^^^^"), "{stderr}");
}
