//! NetworkCommunicationEvents: the custom table of the KQL Mysteries story
//! (not a Defender table), with the planted beacons to 192.168.0.255:4444.
//!
//! The HQ-subnet traffic (`RemoteIP has "192.168.0."`) has fixed per-group
//! counts whatever `--rows` is, so `summarize count() by RemoteIP,
//! RemotePort` over it gives the same table on every data set and the
//! beacons are always by far the largest group; the rest of the table
//! scales with `--rows`.

use std::io;

use super::SampleOptions;
use super::catalog::Net;
use super::clock::Activity;
use super::planted::{self, BEACON_DESCRIPTION, BEACON_IP, BEACON_PORT, Beacon, HQ_GROUPS};
use super::rng::Rand;
use super::sink::{Cell, RowSink};
use super::world::{World, dotted, host_address};
use crate::data::types::KqlType;

pub const TABLE: &str = "NetworkCommunicationEvents";

pub const COLUMNS: &[(&str, KqlType)] = &[
    ("TimeGenerated", KqlType::Datetime),
    ("ComputerName", KqlType::String),
    ("LocalIP", KqlType::String),
    ("RemoteIP", KqlType::String),
    ("RemotePort", KqlType::Long),
    ("Protocol", KqlType::String),
    ("BytesSent", KqlType::Long),
    ("EventDescription", KqlType::String),
];

/// Where scaling traffic goes: a fixed IP, or a public host's block.
enum Remote {
    Ip(&'static str),
    Host(&'static str, Net),
}

/// One kind of scaling traffic.
struct Bulk {
    remote: Remote,
    port: i64,
    protocol: &'static str,
    description: &'static str,
    bytes: (i64, i64),
    weight: u32,
}

const fn bulk(
    remote: Remote,
    port: i64,
    protocol: &'static str,
    description: &'static str,
    bytes: (i64, i64),
    weight: u32,
) -> Bulk {
    Bulk {
        remote,
        port,
        protocol,
        description,
        bytes,
        weight,
    }
}

/// The traffic that scales with `--rows`, including the look-alikes
/// 192.168.10.4 and 10.192.168.5, which `has "192.168.0."` must not match.
const BULK: &[Bulk] = &[
    bulk(
        Remote::Ip("10.10.0.10"),
        53,
        "UDP",
        "DNS query",
        (60, 130),
        14,
    ),
    bulk(
        Remote::Ip("10.10.0.11"),
        53,
        "UDP",
        "DNS query",
        (60, 130),
        8,
    ),
    bulk(
        Remote::Ip("10.10.0.10"),
        88,
        "TCP",
        "Kerberos ticket request",
        (1_200, 2_400),
        8,
    ),
    bulk(
        Remote::Ip("10.10.0.10"),
        389,
        "TCP",
        "LDAP query",
        (300, 4_000),
        6,
    ),
    bulk(
        Remote::Ip("10.10.0.11"),
        389,
        "TCP",
        "LDAP query",
        (300, 4_000),
        3,
    ),
    bulk(
        Remote::Ip("10.10.0.20"),
        445,
        "TCP",
        "SMB file share access",
        (2_000, 2_000_000),
        10,
    ),
    bulk(
        Remote::Ip("10.10.0.30"),
        1433,
        "TCP",
        "SQL connection",
        (500, 50_000),
        2,
    ),
    bulk(
        Remote::Ip("10.10.0.40"),
        443,
        "TCP",
        "HTTPS session",
        (700, 200_000),
        5,
    ),
    bulk(
        Remote::Ip("10.10.0.10"),
        123,
        "UDP",
        "NTP time sync",
        (48, 49),
        3,
    ),
    bulk(
        Remote::Host("outlook.office365.com", Net([52, 96, 0, 0], 14)),
        443,
        "TCP",
        "HTTPS session",
        (700, 400_000),
        9,
    ),
    bulk(
        Remote::Host("teams.microsoft.com", Net([52, 112, 0, 0], 14)),
        443,
        "TCP",
        "HTTPS session",
        (700, 400_000),
        7,
    ),
    bulk(
        Remote::Host("www.google.com", Net([142, 250, 0, 0], 15)),
        443,
        "TCP",
        "HTTPS session",
        (700, 120_000),
        8,
    ),
    bulk(
        Remote::Host("contoso.sharepoint.com", Net([13, 107, 136, 0], 22)),
        443,
        "TCP",
        "HTTPS session",
        (700, 4_000_000),
        6,
    ),
    bulk(
        Remote::Host("ctldl.windowsupdate.com", Net([23, 32, 0, 0], 11)),
        80,
        "TCP",
        "HTTP request",
        (300, 3_000),
        4,
    ),
    bulk(
        Remote::Ip("192.168.10.4"),
        445,
        "TCP",
        "Branch NAS sync",
        (10_000, 5_000_000),
        3,
    ),
    bulk(
        Remote::Ip("192.168.10.4"),
        5000,
        "TCP",
        "Branch NAS management",
        (400, 9_000),
        1,
    ),
    bulk(
        Remote::Ip("10.192.168.5"),
        514,
        "UDP",
        "Syslog forward",
        (200, 900),
        3,
    ),
    bulk(
        Remote::Ip("10.192.168.5"),
        161,
        "UDP",
        "SNMP poll response",
        (100, 400),
        1,
    ),
];

/// Byte ranges of the HQ groups, parallel to `HQ_GROUPS`.
const HQ_BYTES: &[(i64, i64)] = &[
    (2_000, 2_000_000),
    (60, 130),
    (50, 51),
    (700, 300_000),
    (201, 243),
    (40_000, 4_000_000),
    (4_000, 300_000),
    (300, 350),
    (300, 900),
];

/// The traffic part of a row.
struct Flow<'a> {
    remote: &'a str,
    port: i64,
    protocol: &'a str,
    bytes: i64,
    description: &'a str,
}

fn row(
    sink: &mut dyn RowSink,
    time: i64,
    world: &World,
    dev: usize,
    f: &Flow<'_>,
) -> io::Result<()> {
    let d = &world.devices[dev];
    sink.row(&[
        Cell::Datetime(time),
        Cell::Str(&d.name),
        Cell::Str(&d.ip),
        Cell::Str(f.remote),
        Cell::Long(f.port),
        Cell::Str(f.protocol),
        Cell::Long(f.bytes),
        Cell::Str(f.description),
    ])
}

fn beacon(sink: &mut dyn RowSink, world: &World, b: &Beacon) -> io::Result<()> {
    let flow = Flow {
        remote: BEACON_IP,
        port: BEACON_PORT,
        protocol: "TCP",
        bytes: b.bytes,
        description: BEACON_DESCRIPTION,
    };
    row(sink, b.time, world, b.dev, &flow)
}

/// Devices on 192.168.0.0/24 that are workstations (the beacon senders and
/// the HQ traffic sources).
pub fn hq_devices(world: &World) -> Vec<usize> {
    (0..world.devices.len())
        .filter(|&i| world.devices[i].ip.starts_with("192.168.0.") && !world.devices[i].server)
        .collect()
}

/// Ordinary rows (scaling + HQ groups) for `rows`, before the beacons.
pub fn ordinary_rows(rows: usize) -> usize {
    (rows / 5)
        .saturating_sub(planted::BEACONS)
        .max(planted::hq_rows())
}

pub fn write(world: &World, opts: &SampleOptions, sink: &mut dyn RowSink) -> io::Result<u64> {
    let hq = hq_devices(world);
    let beacons = planted::beacons(&hq);
    let n = ordinary_rows(opts.rows);
    let activity = Activity::new();
    let mut r = Rand::keyed(TABLE, &[opts.seed]);
    let mut hq_left: Vec<u32> = HQ_GROUPS.iter().map(|g| g.4 as u32).collect();
    let mut hq_total: usize = planted::hq_rows();
    let bulk_weights: Vec<u32> = BULK.iter().map(|b| b.weight).collect();
    let mut next = 0;
    let mut written = 0u64;
    for i in 0..n {
        let t = activity.at((i as f64 + r.unit()) / n as f64);
        while next < beacons.len() && beacons[next].time <= t {
            beacon(sink, world, &beacons[next])?;
            next += 1;
            written += 1;
        }
        // Selection sampling: exactly `hq_rows()` of the `n` positions are
        // HQ traffic, spread uniformly over the window.
        if (r.below((n - i) as u64) as usize) < hq_total {
            let g = r.weighted(&hq_left);
            hq_left[g] -= 1;
            hq_total -= 1;
            let (remote, port, protocol, description, _) = HQ_GROUPS[g];
            let dev = hq[r.below(hq.len() as u64) as usize];
            let (lo, hi) = HQ_BYTES[g];
            let bytes = r.range(lo, hi);
            let flow = Flow {
                remote,
                port,
                protocol,
                bytes,
                description,
            };
            row(sink, t, world, dev, &flow)?;
        } else {
            let b = &BULK[r.weighted(&bulk_weights)];
            let ip = match b.remote {
                Remote::Ip(ip) => ip.to_string(),
                Remote::Host(host, net) => dotted(host_address(host, net, r.below(3))),
            };
            let dev = r.below(world.devices.len() as u64) as usize;
            let flow = Flow {
                remote: &ip,
                port: b.port,
                protocol: b.protocol,
                bytes: r.range(b.bytes.0, b.bytes.1),
                description: b.description,
            };
            row(sink, t, world, dev, &flow)?;
        }
        written += 1;
    }
    for b in &beacons[next..] {
        beacon(sink, world, b)?;
        written += 1;
    }
    Ok(written)
}
