//! Never answer from data the analyst did not choose: `quarry query`,
//! `quarry rules run` and `quarry tables` refuse to run without data (or an
//! explicit `--sample`), and the bundled sample data is written out of the binary
//! into the data directory, so an installed binary has it wherever it runs.

use std::path::Path;
use std::process::{Command, Output};

const NO_DATA_QUERY: &str = "quarry: no data to query: pass --data PATH (a file or folder of exported tables), \
                             or --sample to use the bundled sample data\n";
const NO_DATA_RULES: &str = "quarry: no data to run the rules on: pass --data PATH (a file or folder of \
                             exported tables), or --sample to use the bundled sample data\n";

/// The binary, run in `cwd` with its platform directories under `home`.
fn quarry(home: &Path, cwd: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_quarry"))
        .current_dir(cwd)
        .env("HOME", home)
        .env("XDG_DATA_HOME", home.join("data"))
        .env("XDG_CONFIG_HOME", home.join("config"))
        .args(args)
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn query_without_data_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let out = quarry(home.path(), home.path(), &["query", "DeviceInfo | count"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), NO_DATA_QUERY);
    assert!(out.stdout.is_empty());
    // Nothing was written anywhere.
    assert!(!home.path().join("data").exists());
}

#[test]
fn rules_run_without_data_is_refused() {
    let home = tempfile::tempdir().unwrap();
    let out = quarry(home.path(), home.path(), &["rules", "run", "QRY-0001"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), NO_DATA_RULES);
    let out = quarry(home.path(), home.path(), &["rules", "run", "--all"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(stderr(&out), NO_DATA_RULES);
}

#[test]
fn tables_without_a_path_is_refused_and_sample_lists_the_sample() {
    let home = tempfile::tempdir().unwrap();
    let out = quarry(home.path(), home.path(), &["tables"]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        stderr(&out),
        "quarry: no data to list: pass PATH (a file or folder of exported tables), \
         or --sample to use the bundled sample data\n"
    );
    assert!(out.stdout.is_empty());
    let out = quarry(home.path(), home.path(), &["tables", "--sample"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        stderr(&out).starts_with("quarry: using the bundled sample data ("),
        "{}",
        stderr(&out)
    );
    let listing = String::from_utf8_lossy(&out.stdout);
    assert!(
        listing.contains("DeviceNetworkEvents  50000 rows  2025-03-04T12:00:03.9129183Z"),
        "{listing}"
    );
}

#[test]
fn sample_says_so_and_answers_from_the_bundled_data() {
    let home = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let out = quarry(
        home.path(),
        elsewhere.path(),
        &["query", "--sample", "--format", "csv", "DeviceInfo | count"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Count\r\n1946\r\n");
    // Written out of the binary into the data directory, not read from the
    // source tree the binary was built in.
    let dir = home.path().join("data/quarry/sample-data");
    assert!(
        stderr(&out).starts_with(&format!(
            "quarry: using the bundled sample data ({})\n",
            dir.display()
        )),
        "{}",
        stderr(&out)
    );
    for table in [
        "DeviceInfo",
        "DeviceNetworkEvents",
        "DeviceProcessEvents",
        "FileProfiles",
        "NetworkCommunicationEvents",
    ] {
        let written = std::fs::read(dir.join(format!("{table}.csv.zst"))).unwrap();
        let source = std::fs::read(
            Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("sample-data/{table}.csv.zst")),
        )
        .unwrap();
        assert!(written == source, "{table} differs from sample-data/");
    }
    // A damaged copy is repaired on the next use.
    std::fs::write(dir.join("DeviceInfo.csv.zst"), "damaged").unwrap();
    let out = quarry(
        home.path(),
        elsewhere.path(),
        &["query", "--sample", "--format", "csv", "DeviceInfo | count"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Count\r\n1946\r\n");
}

#[test]
fn rules_run_on_the_sample_when_asked() {
    let home = tempfile::tempdir().unwrap();
    let out = quarry(
        home.path(),
        home.path(),
        &[
            "rules",
            "run",
            "QRY-0001",
            "--sample",
            "--now",
            "2025-03-18T12:00:00Z",
            "--format",
            "csv",
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out)
            .contains("QRY-0001  Uncommon process connecting to a CloudFront domain: 3 hits"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn sample_and_data_do_not_mix() {
    let home = tempfile::tempdir().unwrap();
    let out = quarry(
        home.path(),
        home.path(),
        &["query", "--sample", "--data", ".", "DeviceInfo | count"],
    );
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("the argument '--sample' cannot be used with '--data <PATH>'"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn a_copied_binary_still_has_its_sample_data() {
    // As `cargo install` leaves it: the binary alone, somewhere else.
    let home = tempfile::tempdir().unwrap();
    let bin = home.path().join("bin");
    std::fs::create_dir(&bin).unwrap();
    let copy = bin.join("quarry");
    std::fs::copy(env!("CARGO_BIN_EXE_quarry"), &copy).unwrap();
    let out = Command::new(&copy)
        .current_dir("/")
        .env("HOME", home.path())
        .env("XDG_DATA_HOME", home.path().join("data"))
        .env("XDG_CONFIG_HOME", home.path().join("config"))
        .args([
            "query",
            "--sample",
            "--format",
            "csv",
            "FileProfiles | count",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), "Count\r\n56\r\n");
}

/// One resolver for `externaldata` (issue 10): `quarry query` and
/// `quarry rules run` find a feed's local copy in the data folder, and in
/// the `externaldata` folder of Quarry's data directory.
#[test]
fn query_and_rules_run_find_externaldata_in_the_same_places() {
    let home = tempfile::tempdir().unwrap();
    let data = home.path().join("case");
    std::fs::create_dir_all(&data).unwrap();
    std::fs::write(
        data.join("Hosts.csv"),
        "DeviceName,IP\nwks-1,1.2.3.4\nwks-2,10.0.0.2\nwks-3,5.6.7.8\n",
    )
    .unwrap();
    std::fs::write(data.join("blocklist.txt"), "1.2.3.4\n").unwrap();
    let shared = home.path().join("data/quarry/externaldata");
    std::fs::create_dir_all(&shared).unwrap();
    std::fs::write(shared.join("watchlist.txt"), "5.6.7.8\n").unwrap();
    let query = r#"let bad = externaldata(IP: string)[@"https://example.org/feeds/blocklist.txt"] with (format="txt");
let watched = externaldata(IP: string)[@"https://example.org/watchlist.txt"] with (format="txt");
Hosts | where IP in (bad) or IP in (watched) | project DeviceName"#;
    let rule = home.path().join("feed-hit.toml");
    std::fs::write(
        &rule,
        format!(
            "id = \"TEST-0001\"\ntitle = \"Hosts on a feed\"\nseverity = \"high\"\n\n[query]\ntext = '''\n{query}\n'''\n"
        ),
    )
    .unwrap();
    let data_arg = data.display().to_string();
    let expected = "DeviceName\r\nwks-1\r\nwks-3\r\n";

    let out = quarry(
        home.path(),
        home.path(),
        &["query", "--data", &data_arg, "--format", "csv", query],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);

    let rule_arg = rule.display().to_string();
    let out = quarry(
        home.path(),
        home.path(),
        &[
            "rules", "run", &rule_arg, "--data", &data_arg, "--format", "csv",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(String::from_utf8_lossy(&out.stdout), expected);
}
