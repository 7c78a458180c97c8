//! The KQL Mysteries story (shared/seeds/kql-mysteries-chapter-1.txt), its
//! queries pasted verbatim, on the bundled sample data through the binary.

use assert_cmd::Command;

fn quarry(args: &[&str]) -> std::process::Output {
    Command::cargo_bin("quarry")
        .unwrap()
        .args(args)
        .output()
        .unwrap()
}

/// `quarry query --data sample-data ARGS...`: the story's data, named
/// explicitly (`quarry query` never picks the sample data by itself).
fn query(args: &[&str]) -> std::process::Output {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");
    let mut all = vec!["query", "--data", data];
    all.extend_from_slice(args);
    quarry(&all)
}

#[test]
fn the_misspelt_table_gets_a_did_you_mean_with_a_caret() {
    // As printed in the story, typographic quotes and all.
    let out = query(&["search in (NetworkCommunciationEvents) “192.168.0”"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "error: unknown table 'NetworkCommunciationEvents' (did you mean 'NetworkCommunicationEvents'?)\n \
             --> line 1, column 12\n  |\n1 | search in (NetworkCommunciationEvents) “192.168.0”\n  |            ^^^^^^^^^^^^^^^^^^^^^^^^^^"
        ),
        "{stderr}"
    );
}

#[test]
fn the_broadcast_address_on_port_4444_stands_out() {
    let q = "NetworkCommunicationEvents\n| where RemoteIP has \"192.168.0.\"\n| summarize count() by RemoteIP, RemotePort";
    let out = query(&["--format", "csv", q]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut rows: Vec<(String, i64, i64)> = text
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (
                f[0].to_string(),
                f[1].parse().unwrap(),
                f[2].parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(text.lines().next(), Some("RemoteIP,RemotePort,count_"));
    rows.sort_by_key(|r| -r.2);
    assert_eq!(rows[0], ("192.168.0.255".to_string(), 4444, 600));
    // Look-alikes are not term matches of "192.168.0.".
    assert!(rows.iter().all(|r| r.0.starts_with("192.168.0.")));
    assert!(rows[1].2 < 600 / 2);
}

#[test]
fn the_beacons_are_encrypted_outbound_transfers_seconds_apart() {
    let q = "NetworkCommunicationEvents\n| where RemoteIP has \"192.168.0.255\" and RemotePort == 4444\n| project TimeGenerated, ComputerName, RemoteIP, RemotePort, Protocol, EventDescription";
    let out = query(&["--format", "ndjson", q]);
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 600);
    let keys: Vec<&String> = rows[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "TimeGenerated",
            "ComputerName",
            "RemoteIP",
            "RemotePort",
            "Protocol",
            "EventDescription"
        ]
    );
    assert!(rows.iter().all(
        |r| r["EventDescription"] == "Encrypted outbound data transfer" && r["Protocol"] == "TCP"
    ));
    assert!(rows[0]["TimeGenerated"].as_str().unwrap().ends_with('Z'));
    assert_eq!(rows[0]["RemotePort"], 4444);
    let computers: std::collections::HashSet<&str> = rows
        .iter()
        .map(|r| r["ComputerName"].as_str().unwrap())
        .collect();
    assert_eq!(computers.len(), 40);
}

#[test]
fn a_broad_search_hits_several_tables() {
    let out = query(&[
        "--format",
        "csv",
        "search \"192.168.0\" | summarize count() by $table | sort by $table asc",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let tables: Vec<&str> = text
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap())
        .collect();
    assert!(tables.contains(&"NetworkCommunicationEvents"), "{text}");
    assert!(tables.contains(&"DeviceNetworkEvents"), "{text}");
}

#[test]
fn ndjson_prints_nothing_for_zero_rows_and_syntax_errors_exit_2() {
    let out = query(&[
        "--format",
        "ndjson",
        "NetworkCommunicationEvents | where RemotePort == -1",
    ]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    let out = query(&["NetworkCommunicationEvents | where"]);
    assert_eq!(out.status.code(), Some(2));
    // Nothing loadable is an I/O error.
    let out = quarry(&["query", "--data", "/nonexistent/folder", "T"]);
    assert_eq!(out.status.code(), Some(1));
}
