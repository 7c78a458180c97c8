//! DeviceInfo: one heartbeat report per device per day over the window (a
//! fixed ~2,000 rows), so queries can join device facts (OS, machine group,
//! logged-on user) to events.

use std::io;

use serde_json::json;

use super::SampleOptions;
use super::catalog;
use super::clock::{DAY, END, tick};
use super::rng::Rand;
use super::sink::{Cell, RowSink};
use super::world::{Os, World};
use crate::data::schema;

pub const TABLE: &str = "DeviceInfo";

pub fn columns() -> &'static [(&'static str, crate::data::types::KqlType)] {
    schema::documented(TABLE).expect("documented table")
}

fn machine_group(dept: &str, name: &str) -> &'static str {
    match dept {
        "fin" => "Finance Workstations",
        "hr" => "HR Workstations",
        "sales" => "Sales Laptops",
        "eng" => "Engineering Workstations",
        "mkt" => "Marketing Workstations",
        "legal" => "Legal Workstations",
        "it" => "IT Workstations",
        _ if name.starts_with("srv-dc") => "Tier 0 Servers",
        _ => "Servers",
    }
}

/// Writes 14 reports per device, oldest first; the first device (by world
/// order of the daily phase) reports exactly at `END`.
pub fn write(world: &World, opts: &SampleOptions, sink: &mut dyn RowSink) -> io::Result<u64> {
    let dc = world.device("srv-dc-01.contoso.local");
    // Each device reports at its own time of day; srv-dc-01 at END's.
    let phase: Vec<i64> = (0..world.devices.len())
        .map(|d| {
            if d == dc {
                0
            } else {
                tick(Rand::keyed("deviceinfo-phase", &[d as u64]).range(1, DAY))
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..world.devices.len()).collect();
    order.sort_by_key(|&d| (std::cmp::Reverse(phase[d]), d));
    let sense = catalog::file_index("mssense");
    let mut r = Rand::keyed(TABLE, &[opts.seed]);
    let mut written = 0;
    for day in (0..14).rev() {
        for &d in &order {
            let dev = &world.devices[d];
            let client = catalog::FILES[sense].versions[world.version(sense, d)].version;
            let users = match dev.user {
                Some(u) => {
                    let u = &world.users[u];
                    json!([{"UserName": u.sam, "DomainName": "CONTOSO", "Sid": u.sid}]).to_string()
                }
                None => "[]".to_string(),
            };
            let public_ip = if dev.server {
                "203.0.113.5"
            } else if dev.ip.starts_with("192.168.0.") {
                "203.0.113.17"
            } else {
                "203.0.113.84"
            };
            sink.row(&[
                Cell::Datetime(END - day * DAY - phase[d]),
                Cell::Str(&dev.id),
                Cell::Str(&dev.name),
                Cell::Str(client),
                Cell::Str(public_ip),
                Cell::Str("64-bit"),
                Cell::Str(dev.os.platform()),
                Cell::Long(dev.os.build()),
                Cell::Bool(!dev.server),
                Cell::Str(if dev.server {
                    "Domain Joined"
                } else {
                    "Hybrid Azure AD Join"
                }),
                Cell::Str(if dev.server { "" } else { &dev.aad_id }),
                Cell::Str(&users),
                Cell::Str(""),
                Cell::Str("10.0"),
                Cell::Str(machine_group(dev.dept, &dev.name)),
                Cell::Long(r.range(1, 5_000_000)),
                Cell::Str("Onboarded"),
                Cell::Str(""),
                Cell::Str("Endpoint"),
                Cell::Str(if dev.server { "Server" } else { "Workstation" }),
                Cell::Str(""),
                Cell::Str(dev.model),
                Cell::Str(dev.vendor),
                Cell::Str(""),
                Cell::Str(dev.os.release()),
                Cell::Str(""),
                Cell::Str(""),
                Cell::Bool(false),
                Cell::Str("Active"),
                Cell::Bool(false),
                Cell::Str(""),
                Cell::Str(if dev.os == Os::Win10 { "Medium" } else { "Low" }),
                Cell::Str(if dev.server { "High" } else { "Normal" }),
                Cell::Str(""),
                Cell::Str(""),
                Cell::Str("Streamlined"),
                Cell::Str(""),
                Cell::Str(""),
                Cell::Str(""),
                Cell::Str(""),
            ])?;
            written += 1;
        }
    }
    Ok(written)
}
