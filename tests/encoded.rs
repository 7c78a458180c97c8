//! Dictionary-encoded text columns (see `data::encode`) answer every query
//! exactly as plain text does: each query below runs on the sample data as
//! loaded (repetitive text encoded) and on a copy with every column plain,
//! and the two results must be identical, row for row.

use crate::common;

use std::sync::OnceLock;

use polars::prelude::*;
use quarry::data::catalog::{Catalog, Table};
use quarry::data::encode::decode;
use quarry::data::load::load_paths;
use quarry::data::sample::END;
use quarry::kql::{RunOptions, run};

fn encoded() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/sample-data");
        let c = load_paths(&[dir.to_string()]);
        assert!(c.errors.is_empty(), "{:?}", c.errors);
        c
    })
}

fn plain() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| {
        let mut plain = Catalog::new();
        for t in encoded().tables() {
            let columns: Vec<Column> = t
                .frame
                .columns()
                .iter()
                .map(|c| match decode(c.as_materialized_series()) {
                    Some(text) => text.into_column(),
                    None => c.clone(),
                })
                .collect();
            plain.insert(Table {
                name: t.name.clone(),
                frame: DataFrame::new(t.frame.height(), columns).unwrap(),
                files: t.files.clone(),
                warnings: Vec::new(),
            });
        }
        plain
    })
}

fn options() -> RunOptions {
    RunOptions {
        now: END,
        plugins: quarry::hunt::plugins(),
        ..Default::default()
    }
}

fn same_answer(query: &str) {
    let a = run(encoded(), query, &options()).unwrap_or_else(|e| panic!("{query}: {e}"));
    let b = run(plain(), query, &options()).unwrap_or_else(|e| panic!("{query}: {e}"));
    let (a, b) = (common::render(&a), common::render(&b));
    assert!(a == b, "{query}\nencoded:\n{a}\nplain:\n{b}");
}

fn is_encoded(table: &str, column: &str) -> bool {
    let t = encoded().get(table).unwrap();
    matches!(
        t.frame.column(column).unwrap().dtype(),
        DataType::Categorical(_, _)
    )
}

#[test]
fn repetitive_text_is_encoded_and_unique_text_is_not() {
    assert!(is_encoded("DeviceNetworkEvents", "DeviceName"));
    assert!(is_encoded("DeviceNetworkEvents", "ActionType"));
    assert!(is_encoded("DeviceNetworkEvents", "RemoteIP"));
    assert!(is_encoded("DeviceProcessEvents", "DeviceName"));
    // One hash per profile: nothing repeats.
    assert!(!is_encoded("FileProfiles", "SHA1"));
    assert!(!plain().tables().any(|t| {
        t.frame
            .columns()
            .iter()
            .any(|c| matches!(c.dtype(), DataType::Categorical(_, _)))
    }));
}

#[test]
fn predicates() {
    for q in [
        r#"DeviceNetworkEvents | where RemoteIP has "192.168.0." | summarize count() by RemoteIP, RemotePort"#,
        r#"DeviceNetworkEvents | where ActionType == "ConnectionFailed" | count"#,
        r#"DeviceNetworkEvents | where ActionType =~ "connectionfailed" | count"#,
        r#"DeviceNetworkEvents | where ActionType != "ConnectionSuccess" | summarize count() by ActionType"#,
        r#"DeviceNetworkEvents | where ActionType !~ "CONNECTIONSUCCESS" | count"#,
        r#"DeviceNetworkEvents | where "ConnectionFailed" == ActionType | count"#,
        r#"DeviceNetworkEvents | where RemoteUrl contains "cloudfront" | project RemoteUrl | take 5"#,
        r#"DeviceNetworkEvents | where RemoteUrl !contains "o" | count"#,
        r#"DeviceNetworkEvents | where RemoteUrl startswith "www." | count"#,
        r#"DeviceNetworkEvents | where RemoteUrl endswith_cs ".com" | count"#,
        r#"DeviceNetworkEvents | where RemoteUrl matches regex @"d\d[a-z0-9]{12}\.cloudfront.net" | project Timestamp, DeviceName, RemoteUrl"#,
        r#"DeviceNetworkEvents | where ActionType in ("ConnectionFailed", "ListeningConnectionCreated") | count"#,
        r#"DeviceNetworkEvents | where ActionType in~ ("connectionfailed") | count"#,
        r#"DeviceNetworkEvents | where ActionType !in ("ConnectionSuccess") | count"#,
        r#"DeviceNetworkEvents | where InitiatingProcessCommandLine has_any ("powershell", "cmd") | count"#,
        r#"DeviceNetworkEvents | where InitiatingProcessCommandLine has_all ("chrome", "exe") | count"#,
        r#"DeviceNetworkEvents | where DeviceName == InitiatingProcessAccountDomain | count"#,
        r#"DeviceNetworkEvents | where isempty(RemoteUrl) | count"#,
        r#"DeviceNetworkEvents | where DeviceName in ((DeviceInfo | where OSPlatform has "Server" | project DeviceName)) | count"#,
        r#"search "4444" | summarize count() by $table"#,
        r#"search "192.168.0" | summarize Hits = count() by $table | sort by Hits desc"#,
        r#"search "192.168.0" | count"#,
        r#"search in (DeviceNetworkEvents) DeviceName:"ws" and "443" | count"#,
        r#"DeviceNetworkEvents | where * has "BrightlineAssist" | project DeviceName, InitiatingProcessFileName"#,
    ] {
        same_answer(q);
    }
}

#[test]
fn summaries_and_ordering() {
    for q in [
        "DeviceNetworkEvents | summarize count() by ActionType | sort by ActionType asc",
        "DeviceNetworkEvents | summarize n = dcount(DeviceName), s = make_set(ActionType) by InitiatingProcessFileName | sort by InitiatingProcessFileName asc",
        "DeviceNetworkEvents | summarize arg_min(Timestamp, *) by DeviceName | sort by DeviceName desc | take 5",
        "DeviceNetworkEvents | summarize arg_max(Timestamp, RemoteUrl, ActionType) by DeviceName | top 5 by DeviceName",
        "DeviceNetworkEvents | summarize min(DeviceName), max(RemoteUrl), take_any(Protocol)",
        "DeviceNetworkEvents | summarize make_list(ActionType, 3) by Protocol | sort by Protocol",
        "DeviceNetworkEvents | summarize countif(ActionType == 'ConnectionFailed') by bin(Timestamp, 1d), Protocol | sort by Timestamp asc, Protocol asc",
        "DeviceNetworkEvents | distinct ActionType, Protocol | sort by ActionType, Protocol",
        "DeviceNetworkEvents | sort by RemoteUrl asc, Timestamp asc | project RemoteUrl, Timestamp | take 20",
        "DeviceNetworkEvents | top 10 by DeviceName asc nulls first | project DeviceName, Timestamp",
        "DeviceNetworkEvents | count",
        "DeviceNetworkEvents | summarize count() by DeviceName | summarize max(count_)",
    ] {
        same_answer(q);
    }
}

#[test]
fn functions_joins_and_unions() {
    for q in [
        "DeviceNetworkEvents | take 50 | extend d = tolower(DeviceName), l = strlen(RemoteUrl), p = split(DeviceName, '.')[0] | project d, l, p",
        "DeviceNetworkEvents | take 50 | extend u = strcat(DeviceName, ':', RemoteIP), x = iff(ActionType == 'ConnectionSuccess', 'ok', ActionType) | project u, x",
        "DeviceNetworkEvents | where isnotempty(AdditionalFields) | take 50 | project d = AdditionalFields.direction, q = parse_json(AdditionalFields)['query']",
        "DeviceNetworkEvents | take 50 | extend k = case(Protocol == 'Tcp', 1, 2), e = extract(@'(\\d+)$', 1, RemoteIP) | project k, e",
        "DeviceNetworkEvents | take 200 | join kind=inner (DeviceInfo | project DeviceName, OSPlatform) on DeviceName | project DeviceName, OSPlatform, Timestamp",
        "DeviceNetworkEvents | take 200 | join kind=leftouter (DeviceProcessEvents | summarize p = count() by DeviceName, FileName) on $left.DeviceName == $right.DeviceName | summarize sum(p) by DeviceName | sort by DeviceName",
        "DeviceNetworkEvents | take 100 | lookup (DeviceInfo | project DeviceName, OSPlatform) on DeviceName | project DeviceName, OSPlatform",
        "union DeviceNetworkEvents, DeviceProcessEvents | summarize count() by DeviceName | sort by DeviceName asc | take 10",
        "union (DeviceNetworkEvents | take 3 | project DeviceName), (datatable(DeviceName: string) ['elsewhere']) | sort by DeviceName",
        "DeviceNetworkEvents | take 20 | join kind=fullouter (datatable(DeviceName: string, v: long) ['nowhere', 1]) on DeviceName | project DeviceName, DeviceName1, v",
        "DeviceNetworkEvents | take 5 | project-rename Host = DeviceName | project Host, RemoteIP",
        "DeviceNetworkEvents | take 5 | summarize s = make_set(DeviceName) | mv-expand s to typeof(string) | sort by s",
        "DeviceNetworkEvents | where RemoteUrl matches regex @'d\\d[a-z0-9]{12}\\.cloudfront.net' | summarize arg_min(Timestamp, *) by InitiatingProcessSHA1 | invoke FileProfile('InitiatingProcessSHA1') | project InitiatingProcessSHA1, GlobalPrevalence, SignatureState | sort by InitiatingProcessSHA1",
    ] {
        same_answer(q);
    }
}
