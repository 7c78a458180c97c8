//! `evaluate ipv4_lookup` and `evaluate ipv6_lookup`: Microsoft's
//! documented examples with their exact output tables, then the cases the
//! documentation implies (masked sources, several matching networks, extra
//! keys, invalid text) and the errors.

use crate::common;
use common::render;

use quarry::data::catalog::Catalog;
use quarry::kql::RunOptions;

fn table(query: &str) -> String {
    match quarry::kql::run(&Catalog::new(), query, &RunOptions::default()) {
        Ok(frame) => render(&frame),
        Err(e) => format!("ERROR {}", e.message),
    }
}

#[track_caller]
fn check(query: &str, expected: &str) {
    common::assert_table(query, &table(query), expected);
}

#[track_caller]
fn error(query: &str) -> String {
    match quarry::kql::run(&Catalog::new(), query, &RunOptions::default()) {
        Ok(frame) => panic!("query should fail: {query}\n{}", render(&frame)),
        Err(e) => e.message,
    }
}

/// ipv4-lookup-plugin.md's lookup table and addresses.
const IPV4: &str = r#"
let IP_Data = datatable(network:string, continent_code:string ,continent_name:string, country_iso_code:string, country_name:string)
[
  "111.68.128.0/17","AS","Asia","JP","Japan",
  "5.8.0.0/19","EU","Europe","RU","Russia",
  "223.255.254.0/24","AS","Asia","SG","Singapore",
  "46.36.200.51/32","OC","Oceania","CK","Cook Islands",
  "2.20.183.0/24","EU","Europe","GB","United Kingdom",
];
let IPs = datatable(ip:string)
[
  '2.20.183.12',   // United Kingdom
  '5.8.1.2',       // Russia
  '192.165.12.17', // Unknown
];
"#;

#[test]
fn docs_ipv4_lookup_matching_rows_only() {
    check(
        &format!("{IPV4} IPs | evaluate ipv4_lookup(IP_Data, ip, network)"),
        r#"ip:string | network:string | continent_code:string | continent_name:string | country_iso_code:string | country_name:string
        "2.20.183.12" | "2.20.183.0/24" | "EU" | "Europe" | "GB" | "United Kingdom"
        "5.8.1.2" | "5.8.0.0/19" | "EU" | "Europe" | "RU" | "Russia""#,
    );
}

#[test]
fn docs_ipv4_lookup_return_unmatched() {
    let expected = r#"ip:string | network:string | continent_code:string | continent_name:string | country_iso_code:string | country_name:string
        "2.20.183.12" | "2.20.183.0/24" | "EU" | "Europe" | "GB" | "United Kingdom"
        "5.8.1.2" | "5.8.0.0/19" | "EU" | "Europe" | "RU" | "Russia"
        "192.165.12.17" | "" | "" | "" | "" | """#;
    check(
        &format!(
            "{IPV4} IPs | evaluate ipv4_lookup(IP_Data, ip, network, return_unmatched = true)"
        ),
        expected,
    );
    // Positional, and through a `let`.
    check(
        &format!("{IPV4} IPs | evaluate ipv4_lookup(IP_Data, ip, network, true)"),
        expected,
    );
    check(
        &format!("{IPV4} let keep = true; IPs | evaluate ipv4_lookup(IP_Data, ip, network, keep)"),
        expected,
    );
    check(
        &format!(
            "{IPV4} IPs | evaluate ipv4_lookup(IP_Data, ip, network, return_unmatched = false) | count"
        ),
        "Count:long
        2",
    );
}

/// The documentation's extra-keys example reads the GeoIP CSV with
/// `external_data`; the rows it matches are given here as a datatable
/// (the values of the documented output), and the output is the same:
/// the input's columns, then the lookup table's without the extra keys.
#[test]
fn docs_ipv4_lookup_extra_keys() {
    check(
        r#"let IP_Data = datatable(network:string,geoname_id:long,continent_code:string,continent_name:string ,country_iso_code:string,country_name:string,is_anonymous_proxy:bool,is_satellite_provider:bool)
        [
            "2.20.183.0/24", 2635167, "EU", "Europe", "GB", "United Kingdom", false, false,
            "5.8.0.0/19", 2017370, "EU", "Europe", "RU", "Russia", false, false,
            "192.165.8.0/21", 2661886, "EU", "Europe", "SE", "Sweden", false, false,
        ];
        let IPs = datatable(ip:string, continent_name:string, country_iso_code:string)
        [
            '2.20.183.12',   'Europe', 'GB', // United Kingdom
            '5.8.1.2',       'Europe', 'RU', // Russia
            '192.165.12.17', 'Europe', '',   // Sweden is 'SE' - so it won't be matched
        ];
        IPs
        | evaluate ipv4_lookup(IP_Data, ip, network, continent_name, country_iso_code)"#,
        r#"ip:string | continent_name:string | country_iso_code:string | network:string | geoname_id:long | continent_code:string | country_name:string | is_anonymous_proxy:bool | is_satellite_provider:bool
        "2.20.183.12" | "Europe" | "GB" | "2.20.183.0/24" | 2635167 | "EU" | "United Kingdom" | false | false
        "5.8.1.2" | "Europe" | "RU" | "5.8.0.0/19" | 2017370 | "EU" | "Russia" | false | false"#,
    );
}

/// An address in several networks meets each of them, in the lookup
/// table's order; a masked source meets the networks it overlaps (as
/// `ipv4_is_match`); text that is not an address meets nothing.
#[test]
fn ipv4_lookup_overlaps_and_invalid_text() {
    check(
        r#"let Nets = datatable(range:string, label:string)
        ["10.0.0.0/8", "corp", "10.1.2.0/24", "lab", "10.1.2.3", "printer", "bad/range", "never"];
        datatable(RemoteIP:string)
        ["10.1.2.3", "10.9.9.9", "10.1.0.0/16", "not an ip", "", "11.0.0.1"]
        | evaluate ipv4_lookup(Nets, RemoteIP, range, return_unmatched=true)"#,
        r#"RemoteIP:string | range:string | label:string
        "10.1.2.3" | "10.0.0.0/8" | "corp"
        "10.1.2.3" | "10.1.2.0/24" | "lab"
        "10.1.2.3" | "10.1.2.3" | "printer"
        "10.9.9.9" | "10.0.0.0/8" | "corp"
        "10.1.0.0/16" | "10.0.0.0/8" | "corp"
        "10.1.0.0/16" | "10.1.2.0/24" | "lab"
        "10.1.0.0/16" | "10.1.2.3" | "printer"
        "not an ip" | "" | ""
        "" | "" | ""
        "11.0.0.1" | "" | """#,
    );
}

/// A lookup column named like an input column gets a suffix, as in `join`;
/// the lookup table can be any tabular expression.
#[test]
fn ipv4_lookup_name_clash_and_tabular_argument() {
    check(
        r#"datatable(ip:string, label:string) ["192.168.1.7", "host"]
        | evaluate ipv4_lookup(datatable(ip:string, label:string) ["192.168.0.0/16", "lan"], ip, ip)"#,
        r#"ip:string | label:string | ip1:string | label1:string
        "192.168.1.7" | "host" | "192.168.0.0/16" | "lan""#,
    );
}

/// ipv6-lookup-plugin.md's lookup table and addresses.
const IPV6: &str = r#"
let IP_Data = datatable(network:string, continent_code:string ,continent_name:string, country_iso_code:string, country_name:string)
[
  "2001:0db8:85a3::/48","NA","North America","US","United States",
  "2404:6800:4001::/48","AS","Asia","JP","Japan",
  "2a00:1450:4001::/48","EU","Europe","DE","Germany",
  "2800:3f0:4001::/48","SA","South America","BR","Brazil",
  "2c0f:fb50:4001::/48","AF","Africa","ZA","South Africa",
  "2607:f8b0:4001::/48","NA","North America","CA","Canada",
  "2a02:26f0:4001::/48","EU","Europe","FR","France",
  "2400:cb00:4001::/48","AS","Asia","IN","India",
  "2801:0db8:85a3::/48","SA","South America","AR","Argentina",
  "2a03:2880:4001::/48","EU","Europe","GB","United Kingdom"
];
let IPs = datatable(ip:string)
[
  "2001:0db8:85a3:0000:0000:8a2e:0370:7334", // United States
  "2404:6800:4001:0001:0000:8a2e:0370:7334", // Japan
  "2a02:26f0:4001:0006:0000:8a2e:0370:7334", // France
  "a5e:f127:8a9d:146d:e102:b5d3:c755:abcd",  // N/A
  "a5e:f127:8a9d:146d:e102:b5d3:c755:abce"   // N/A
];
"#;

const IPV6_MATCHED: &str = r#"network:string | continent_code:string | continent_name:string | country_iso_code:string | country_name:string | ip:string
"2001:0db8:85a3::/48" | "NA" | "North America" | "US" | "United States" | "2001:0db8:85a3:0000:0000:8a2e:0370:7334"
"2404:6800:4001::/48" | "AS" | "Asia" | "JP" | "Japan" | "2404:6800:4001:0001:0000:8a2e:0370:7334"
"2a02:26f0:4001::/48" | "EU" | "Europe" | "FR" | "France" | "2a02:26f0:4001:0006:0000:8a2e:0370:7334""#;

#[test]
fn docs_ipv6_lookup_matching_rows_only() {
    check(
        &format!("{IPV6} IPs | evaluate ipv6_lookup(IP_Data, ip, network)"),
        IPV6_MATCHED,
    );
}

#[test]
fn docs_ipv6_lookup_return_unmatched() {
    check(
        &format!("{IPV6} IPs | evaluate ipv6_lookup(IP_Data, ip, network, true)"),
        &format!(
            r#"{IPV6_MATCHED}
            "" | "" | "" | "" | "" | "a5e:f127:8a9d:146d:e102:b5d3:c755:abcd"
            "" | "" | "" | "" | "" | "a5e:f127:8a9d:146d:e102:b5d3:c755:abce""#
        ),
    );
}

/// IPv4 text reads as its IPv4-mapped IPv6 address, on both sides.
#[test]
fn ipv6_lookup_reads_ipv4_as_mapped() {
    check(
        r#"datatable(ip:string) ["::ffff:10.1.2.3", "10.200.0.1", "fe80::1"]
        | evaluate ipv6_lookup(datatable(net:string, site:string)
            ["10.1.0.0/16", "hq", "::ffff:10.200.0.0/112", "dc", "fe80::/10", "link-local"], ip, net)"#,
        r#"net:string | site:string | ip:string
        "10.1.0.0/16" | "hq" | "::ffff:10.1.2.3"
        "::ffff:10.200.0.0/112" | "dc" | "10.200.0.1"
        "fe80::/10" | "link-local" | "fe80::1""#,
    );
}

#[test]
fn ip_lookup_errors() {
    assert_eq!(
        error(&format!("{IPV4} IPs | evaluate ipv4_lookup(IP_Data, ip)")),
        "ipv4_lookup() needs the lookup table, the input's address column and the lookup table's network column"
    );
    assert_eq!(
        error(&format!(
            "{IPV4} IPs | evaluate ipv4_lookup(IP_Data, ip, network, country_name)"
        )),
        "ipv4_lookup(): the extra key 'country_name' must be a column of both tables; the input has none"
    );
    assert_eq!(
        error(&format!(
            "{IPV4} IPs | evaluate ipv4_lookup(IP_Data, ip, network, 'yes')"
        )),
        "ipv4_lookup(): return_unmatched must be true or false, not string"
    );
    assert_eq!(
        error(&format!("{IPV4} IPs | evaluate ipv4_lookup(IP_Data, ip, network, unmatched=true)")),
        "ipv6_lookup() has no parameter 'unmatched': it takes the lookup table, the source key, the lookup key, extra keys and return_unmatched"
            .replace("ipv6", "ipv4")
    );
    assert!(
        error(&format!(
            "{IPV4} IPs | evaluate ipv4_lookup(IP_Dat, ip, network)"
        ))
        .starts_with("unknown table 'IP_Dat'"),
    );
    assert_eq!(
        error(&format!(
            "{IPV4} IPs | evaluate ipv4_lookup(1, ip, network)"
        )),
        "the first argument of ipv4_lookup() must be the lookup table"
    );
    assert!(
        error(&format!(
            "{IPV4} IPs | evaluate ipv4_lookup(IP_Data, ip, netwrk)"
        ))
        .starts_with("unknown column 'netwrk'"),
    );
    assert_eq!(
        quarry::kql::check::check(
            "T | evaluate ipv4_lookup(Nets, RemoteIP, range, return_unmatched=true)",
            &[]
        )
        .map_err(|e| e.message),
        Ok(())
    );
}
