//! The planted stories: exact rows that are the same for every `--rows` and
//! `--seed`, merged into the ordinary traffic at their instants.
//!
//! sample-data/README.md lists these facts; the tests in `sample::tests`
//! check the generated data against them. Change both together.
//!
//! 1. KQL Mysteries, chapter 1: [`BEACONS`] outbound `TCP` events to
//!    `192.168.0.255:4444` in NetworkCommunicationEvents from
//!    [`BEACON_COMPUTERS`] machines, seconds apart, ending at `END`, hidden
//!    among ordinary 192.168.0.x traffic whose per-group counts are fixed
//!    ([`HQ_GROUPS`]).
//! 2. The CloudFront hunting query: processes contacting hosts that match
//!    `d\d[a-z0-9]{12}\.cloudfront.net` in DeviceNetworkEvents, cases a–f.

use super::clock::{END, HOUR, MIN, SEC, utc};
use super::rng::Rand;

/// Planted SHA1, SHA256, MD5 of the story binaries, by file key. Written out
/// (not derived) so the README can quote them and nothing can shift them.
pub fn fixed_hashes(key: &str) -> Option<[&'static str; 3]> {
    Some(match key {
        "fastpdf" => [
            "007d849adef4b554fddfdf8fbff39ff87ebd303d",
            "a72892b89548613d9147ab10da920c8986c2f0c0998bdcaa41b20b8eb6b19a3f",
            "cd7b2653c10932f6cee06bac4588f930",
        ],
        "brightline" => [
            "134aaf9c9bbdf0fa225da0b80dc67c39cbc5d1b4",
            "7aa9b5f8d9d0e877e1c74c10f797dd1625f599030529885e37b0aa9ee7b47dc7",
            "c101708e633848fef5b8200da3e729c2",
        ],
        "netsvc" => [
            "b63459c111ac59821c1071355554070af322afad",
            "10763ea0509d7a7986a0613435c73f79115cfb72ccd4f7edfd7165902b470519",
            "5da4a06447057249d1f0e77b389abc00",
        ],
        "winupd64" => [
            "80c7eaf428a4717eaa27025a0f8e5d6de39e4cb3",
            "98ec1ffe8898c9c6ebf9115934acdefb87cbc23417c3fb883ce84f9459cefa9e",
            "b4013a311f2098ffa84544ab04e85ee8",
        ],
        "cloudsync" => [
            "37adfddc90135efcca55d5fb5b0492dd71f6342d",
            "b65f1b305536d49278a4f11ec9f3494613ca1c3d4e77c62d53e3560b45b9996c",
            "b691d55c8df487b8619b0df815d04c76",
        ],
        _ => return None,
    })
}

// ---------------------------------------------------------------- story 1

/// How many beacons to 192.168.0.255:4444 (independent of `--rows`).
pub const BEACONS: usize = 600;
/// How many distinct ComputerNames send them.
pub const BEACON_COMPUTERS: usize = 40;
pub const BEACON_IP: &str = "192.168.0.255";
pub const BEACON_PORT: i64 = 4444;
pub const BEACON_DESCRIPTION: &str = "Encrypted outbound data transfer";

/// Ordinary HQ-subnet traffic in NetworkCommunicationEvents: RemoteIP,
/// RemotePort, Protocol, EventDescription, exact row count. With the beacons
/// these are all the rows where `RemoteIP has "192.168.0."`.
pub const HQ_GROUPS: &[(&str, i64, &str, &str, usize)] = &[
    ("192.168.0.10", 445, "TCP", "SMB file share access", 150),
    ("192.168.0.1", 53, "UDP", "DNS query", 140),
    (
        "192.168.0.255",
        137,
        "UDP",
        "NetBIOS name query broadcast",
        120,
    ),
    ("192.168.0.30", 443, "TCP", "HTTPS session", 90),
    (
        "192.168.0.255",
        138,
        "UDP",
        "NetBIOS datagram broadcast",
        70,
    ),
    ("192.168.0.25", 9100, "TCP", "Print job submitted", 60),
    ("192.168.0.12", 3389, "TCP", "RDP session", 45),
    ("192.168.0.1", 67, "UDP", "DHCP request", 35),
    ("192.168.0.25", 631, "TCP", "Printer status query", 25),
];

/// Total of [`HQ_GROUPS`].
pub fn hq_rows() -> usize {
    HQ_GROUPS.iter().map(|g| g.4).sum()
}

/// One planted NetworkCommunicationEvents row.
pub struct Beacon {
    pub time: i64,
    /// Index into the world's devices.
    pub dev: usize,
    pub bytes: i64,
}

/// The beacons, oldest first; the last is exactly at `END`. `hq_devices` are
/// the devices on 192.168.0.0/24 in world order.
pub fn beacons(hq_devices: &[usize]) -> Vec<Beacon> {
    let mut r = Rand::keyed("planted-beacons", &[]);
    let mut senders = hq_devices.to_vec();
    // A fixed draw of 40 senders (Fisher–Yates prefix).
    for i in 0..BEACON_COMPUTERS {
        let j = i + r.below((senders.len() - i) as u64) as usize;
        senders.swap(i, j);
    }
    senders.truncate(BEACON_COMPUTERS);
    let gaps: Vec<i64> = (0..BEACONS)
        .map(|_| r.range(SEC, 8 * SEC) / 100 * 100)
        .collect();
    let mut time = END;
    let mut out: Vec<Beacon> = (0..BEACONS)
        .map(|i| {
            let b = Beacon {
                time,
                // Every sender appears at least once; the rest is random.
                dev: senders[if i < BEACON_COMPUTERS {
                    i
                } else {
                    r.below(BEACON_COMPUTERS as u64) as usize
                }],
                bytes: r.range(8 * 1024, 256 * 1024),
            };
            time -= gaps[i];
            b
        })
        .collect();
    out.reverse();
    out
}

// ---------------------------------------------------------------- story 2

/// The CloudFront pattern of the hunting query (Rust `regex` syntax).
pub const CLOUDFRONT_PATTERN: &str = r"d\d[a-z0-9]{12}\.cloudfront.net";

/// Case a: unsigned, prevalence 3, first contact in the last hour: found.
pub const HOST_A: &str = "d3k9x2m4p8q1rz.cloudfront.net";
/// Case b: signed, prevalence 1500, first seen 20 min before END: found.
pub const HOST_B: &str = "d1f8m3q7x2k9v4.cloudfront.net";
/// Case c: prevalent signed browser, first contact in the last hour: dropped
/// by the FileProfile clause.
pub const HOST_C: &str = "d2p7k4x9m1q8v3.cloudfront.net";
/// Case d: first contact three days before END: dropped by the time window.
pub const HOST_D: &str = "d8v2n6k1x9m3q7.cloudfront.net";
/// Case e: no FileProfile row: found, ProfileAvailability "Missing".
pub const HOST_E: &str = "d6q3x8m1k5n9p2.cloudfront.net";
/// Case f: look-alikes that do not match the pattern.
pub const LOOKALIKES: &[&str] = &[
    "d7h2k9m4x8q1p.cloudfront.net", // 13 characters before the dot, not 14
    "dq8m3k7x2v9n4z.cloudfront.net", // a letter where the digit must be
    "d5m8q2x7k4n9v3.cloudfront.com", // .com, not .net
    "D3K9X2M4P8Q1RZ.cloudfront.net", // uppercase: the regex is case-sensitive
];

/// A planted process instance.
pub struct PlantedProc {
    pub role: &'static str,
    pub device: &'static str,
    pub pid: i64,
    pub created: i64,
    pub parent_pid: i64,
    pub parent_created: i64,
}

const fn ago(h: i64, m: i64, s: i64, ms: i64) -> i64 {
    END - h * HOUR - m * MIN - s * SEC - ms * 1_000_000
}

/// Every planted process instance; DeviceProcessEvents gets a
/// `ProcessCreated` row for each (the last is the `END` anchor).
pub const PROCS: &[PlantedProc] = &[
    // a: fastpdf_update.exe, started from Outlook (a mail attachment).
    PlantedProc {
        role: "fastpdf",
        device: "wks-eng-023.contoso.local",
        pid: 9212,
        created: ago(0, 43, 2, 417),
        parent_pid: 6744,
        parent_created: ago(3, 12, 40, 0),
    },
    PlantedProc {
        role: "fastpdf",
        device: "wks-mkt-011.contoso.local",
        pid: 11876,
        created: ago(0, 18, 40, 93),
        parent_pid: 5120,
        parent_created: ago(5, 2, 11, 0),
    },
    // b: BrightlineAssist.exe, a brand-new signed release.
    PlantedProc {
        role: "brightline",
        device: "wks-fin-007.contoso.local",
        pid: 14320,
        created: ago(0, 15, 1, 256),
        parent_pid: 5532,
        parent_created: ago(3, 40, 7, 0),
    },
    PlantedProc {
        role: "brightline",
        device: "wks-fin-019.contoso.local",
        pid: 8840,
        created: ago(0, 9, 30, 718),
        parent_pid: 4316,
        parent_created: ago(2, 55, 12, 0),
    },
    // c: Chrome 109's network service on the two legacy machines.
    PlantedProc {
        role: "chrome",
        device: "wks-hr-004.contoso.local",
        pid: 10452,
        created: ago(0, 55, 0, 330),
        parent_pid: 7788,
        parent_created: ago(2, 10, 4, 0),
    },
    PlantedProc {
        role: "chrome",
        device: "lap-sales-017.contoso.local",
        pid: 12204,
        created: ago(0, 31, 0, 808),
        parent_pid: 6120,
        parent_created: ago(4, 0, 31, 0),
    },
    // d: netsvc_agent.exe, a service installed three days ago.
    PlantedProc {
        role: "netsvc",
        device: "wks-it-006.contoso.local",
        pid: 3368,
        created: utc(2025, 3, 15, 11, 48, 0),
        parent_pid: 812,
        parent_created: utc(2025, 3, 10, 7, 1, 12),
    },
    // e: winupd64.exe, unknown to FileProfile.
    PlantedProc {
        role: "winupd64",
        device: "wks-legal-003.contoso.local",
        pid: 7404,
        created: ago(0, 31, 40, 12),
        parent_pid: 4412,
        parent_created: ago(6, 0, 3, 0),
    },
    // f: CloudSyncSvc.exe, which only reaches look-alike hosts.
    PlantedProc {
        role: "cloudsync",
        device: "wks-eng-031.contoso.local",
        pid: 6012,
        created: ago(0, 40, 0, 501),
        parent_pid: 3904,
        parent_created: ago(7, 0, 44, 0),
    },
    // The anchor: a scheduled signature update starting exactly at END.
    PlantedProc {
        role: "mpcmdrun",
        device: "srv-dc-01.contoso.local",
        pid: 5896,
        created: END,
        parent_pid: 1388,
        parent_created: utc(2025, 3, 1, 3, 12, 9),
    },
];

/// A planted DeviceNetworkEvents row: `proc` indexes [`PROCS`]; `None` means
/// the MsSense service of the device (the `END` anchor row).
#[derive(Clone, Copy)]
pub struct PlantedConnection {
    pub time: i64,
    pub proc: Option<usize>,
    pub device: &'static str,
    pub host: &'static str,
    pub ip: &'static str,
    pub port: i32,
    pub local_port: i32,
    pub report_id: i64,
}

const fn conn(
    time: i64,
    proc: usize,
    host: &'static str,
    ip: &'static str,
    local_port: i32,
    report_id: i64,
) -> PlantedConnection {
    PlantedConnection {
        time,
        proc: Some(proc),
        device: PROCS[proc].device,
        host,
        ip,
        port: 443,
        local_port,
        report_id,
    }
}

const FIXED_CONNECTIONS: &[PlantedConnection] = &[
    // a
    conn(
        ago(0, 42, 17, 300),
        0,
        HOST_A,
        "13.224.167.41",
        52114,
        18_204,
    ),
    conn(
        ago(0, 41, 55, 812),
        0,
        HOST_A,
        "13.224.167.41",
        52131,
        18_209,
    ),
    conn(
        ago(0, 33, 10, 104),
        0,
        HOST_A,
        "13.224.167.88",
        52406,
        18_377,
    ),
    conn(
        ago(0, 21, 40, 615),
        0,
        HOST_A,
        "13.224.167.41",
        52980,
        18_611,
    ),
    conn(
        ago(0, 9, 12, 907),
        0,
        HOST_A,
        "13.224.167.88",
        53512,
        18_893,
    ),
    conn(
        ago(0, 18, 5, 220),
        1,
        HOST_A,
        "13.224.167.41",
        61022,
        40_117,
    ),
    conn(
        ago(0, 6, 30, 441),
        1,
        HOST_A,
        "13.224.167.88",
        61488,
        40_342,
    ),
    // b
    conn(ago(0, 14, 22, 730), 2, HOST_B, "18.66.102.17", 50833, 7_710),
    conn(ago(0, 11, 3, 118), 2, HOST_B, "18.66.102.17", 50912, 7_754),
    conn(ago(0, 2, 48, 5), 2, HOST_B, "18.66.102.93", 51340, 7_902),
    conn(ago(0, 9, 2, 533), 3, HOST_B, "18.66.102.93", 57201, 22_480),
    conn(ago(0, 1, 15, 960), 3, HOST_B, "18.66.102.17", 57455, 22_611),
    // c
    conn(ago(0, 47, 3, 402), 4, HOST_C, "54.230.18.92", 49811, 31_005),
    conn(ago(0, 12, 0, 217), 4, HOST_C, "54.230.18.92", 50630, 31_640),
    conn(
        ago(0, 25, 40, 812),
        5,
        HOST_C,
        "54.230.18.140",
        58127,
        9_388,
    ),
    // e
    conn(
        ago(0, 31, 8, 644),
        7,
        HOST_E,
        "143.204.29.61",
        63001,
        12_733,
    ),
    conn(
        ago(0, 27, 44, 21),
        7,
        HOST_E,
        "143.204.29.61",
        63057,
        12_790,
    ),
    conn(
        ago(0, 16, 20, 338),
        7,
        HOST_E,
        "143.204.29.203",
        63318,
        12_981,
    ),
    conn(ago(0, 2, 5, 719), 7, HOST_E, "143.204.29.61", 63702, 13_240),
    // f
    conn(
        ago(0, 38, 12, 250),
        8,
        LOOKALIKES[0],
        "13.224.170.9",
        55102,
        27_301,
    ),
    conn(
        ago(0, 29, 47, 502),
        8,
        LOOKALIKES[1],
        "18.66.97.130",
        55377,
        27_458,
    ),
    conn(
        ago(0, 22, 31, 0),
        8,
        LOOKALIKES[2],
        "198.51.100.23",
        55560,
        27_590,
    ),
    conn(
        ago(0, 11, 9, 911),
        8,
        LOOKALIKES[3],
        "13.224.167.41",
        55913,
        27_806,
    ),
    // The anchor: the newest DeviceNetworkEvents row, exactly at END.
    PlantedConnection {
        time: END,
        proc: None,
        device: "srv-dc-01.contoso.local",
        host: "winatp-gw-eus.microsoft.com",
        ip: "20.42.73.25",
        port: 443,
        local_port: 60233,
        report_id: 90_412,
    },
];

/// Case d's beaconing: first 3 days before END, then about every 4 hours,
/// the last 4 minutes before END.
pub const D_FIRST: i64 = utc(2025, 3, 15, 11, 58, 41) + 517 * 1_000_000;
pub const D_LAST: i64 = ago(0, 4, 3, 200);

/// Every planted DeviceNetworkEvents row, oldest first.
pub fn connections() -> Vec<PlantedConnection> {
    let mut out: Vec<PlantedConnection> = Vec::new();
    let mut r = Rand::keyed("planted-netsvc", &[]);
    let mut t = D_FIRST;
    let mut report = 3_100;
    while t < D_LAST - 2 * HOUR {
        out.push(PlantedConnection {
            time: t,
            proc: Some(6),
            device: PROCS[6].device,
            host: HOST_D,
            ip: if report % 2 == 0 {
                "99.84.41.200"
            } else {
                "99.84.41.17"
            },
            port: 443,
            local_port: r.range(49_700, 65_000) as i32,
            report_id: report,
        });
        report += r.range(40, 400);
        t += 4 * HOUR + r.range(-25 * MIN, 25 * MIN) / 100 * 100;
    }
    out.push(PlantedConnection {
        time: D_LAST,
        proc: Some(6),
        device: PROCS[6].device,
        host: HOST_D,
        ip: "99.84.41.200",
        port: 443,
        local_port: 64_120,
        report_id: report,
    });
    out.extend_from_slice(FIXED_CONNECTIONS);
    out.sort_by_key(|c| c.time);
    out
}

/// What the CloudFront hunting query must return on any generated data set:
/// one row per found process (file name, SHA1, the group's first device,
/// the host of its first matching row, StartTime).
pub const EXPECTED_HITS: &[(&str, &str, &str, &str, i64)] = &[
    (
        "fastpdf_update.exe",
        "007d849adef4b554fddfdf8fbff39ff87ebd303d",
        "wks-eng-023.contoso.local",
        HOST_A,
        ago(0, 42, 17, 300),
    ),
    (
        "winupd64.exe",
        "80c7eaf428a4717eaa27025a0f8e5d6de39e4cb3",
        "wks-legal-003.contoso.local",
        HOST_E,
        ago(0, 31, 8, 644),
    ),
    (
        "BrightlineAssist.exe",
        "134aaf9c9bbdf0fa225da0b80dc67c39cbc5d1b4",
        "wks-fin-007.contoso.local",
        HOST_B,
        ago(0, 14, 22, 730),
    ),
];
