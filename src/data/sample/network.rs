//! DeviceNetworkEvents: ordinary traffic of Contoso's processes plus the
//! planted CloudFront story, in time order, streamed row by row.

use std::io;

use serde_json::json;

use super::SampleOptions;
use super::catalog::{self, Dest, Kind, On, ROLES, Role};
use super::clock::Activity;
use super::planted::{self, PlantedConnection};
use super::process::{AppMix, Instances, Proc};
use super::rng::Rand;
use super::sink::{Cell, RowSink};
use super::world::{World, address, dotted, host_address, ip_type, parse_ip};
use crate::data::schema;

pub const TABLE: &str = "DeviceNetworkEvents";

/// The columns, exactly as documented.
pub fn columns() -> &'static [(&'static str, crate::data::types::KqlType)] {
    schema::documented(TABLE).expect("documented table")
}

/// The connection-specific part of a row (the process supplies the rest).
pub struct Conn<'a> {
    pub time: i64,
    pub action: &'a str,
    pub remote_ip: &'a str,
    pub remote_port: Option<i32>,
    pub url: &'a str,
    pub local_ip: &'a str,
    pub local_port: Option<i32>,
    pub udp: bool,
    pub local_type: &'a str,
    pub remote_type: &'a str,
    pub report_id: i64,
    pub appguard: &'a str,
    pub extra: &'a str,
}

/// Writes one row in the documented column order.
pub fn write_row(sink: &mut dyn RowSink, p: &Proc<'_>, c: &Conn<'_>) -> io::Result<()> {
    let folder = p.path.to_lowercase();
    let (remote_dev, remote_ip) = match &p.remote {
        Some((name, ip)) => (name.as_str(), *ip),
        None => ("", ""),
    };
    let f = p.file;
    let system = f.path.is_empty();
    sink.row(&[
        Cell::Datetime(c.time),
        Cell::Str(&p.device.id),
        Cell::Str(&p.device.name),
        Cell::Str(c.action),
        Cell::Str(c.remote_ip),
        c.remote_port.map_or(Cell::Null, Cell::Int),
        Cell::Str(c.url),
        Cell::Str(c.local_ip),
        c.local_port.map_or(Cell::Null, Cell::Int),
        Cell::Str(if c.udp { "Udp" } else { "Tcp" }),
        Cell::Str(c.local_type),
        Cell::Str(c.remote_type),
        Cell::Str(&p.image.sha1),
        Cell::Str(&p.image.sha256),
        Cell::Str(&p.image.md5),
        Cell::Str(f.name),
        p.size.map_or(Cell::Null, Cell::Long),
        Cell::Str(f.company),
        Cell::Str(f.product),
        Cell::Str(p.version),
        Cell::Str(f.internal),
        Cell::Str(f.original),
        Cell::Str(f.description),
        Cell::Long(p.pid),
        Cell::Str(&p.cmd),
        Cell::Datetime(p.created),
        Cell::Str(&folder),
        Cell::Str(p.parent.name),
        if system {
            Cell::Null
        } else {
            Cell::Long(p.parent.pid)
        },
        if system {
            Cell::Null
        } else {
            Cell::Datetime(p.parent.created)
        },
        Cell::Str(p.account.domain),
        Cell::Str(p.account.name),
        Cell::Str(p.account.sid),
        Cell::Str(p.account.upn),
        Cell::Str(p.account.object_id),
        Cell::Str(p.role.integrity),
        Cell::Str(p.role.elevation),
        Cell::Long(c.report_id),
        Cell::Str(c.appguard),
        Cell::Str(c.extra),
        Cell::Long(p.session),
        Cell::Bool(p.remote.is_some()),
        Cell::Str(remote_dev),
        Cell::Str(remote_ip),
    ])
}

/// Which roles can run where, resolved once.
struct Mix<'w> {
    apps: AppMix,
    /// Per device: outbound service roles and weights.
    services: Vec<(Vec<&'static Role>, Vec<u32>)>,
    /// Inbound roles, their weights and the devices they run on.
    inbound: Vec<(&'static Role, Vec<usize>)>,
    inbound_weights: Vec<u32>,
    listen: Vec<&'static Role>,
    workstations: Vec<usize>,
    it: Vec<usize>,
    app_servers: Vec<usize>,
    world: &'w World,
}

impl<'w> Mix<'w> {
    fn new(world: &'w World) -> Mix<'w> {
        let services = world
            .devices
            .iter()
            .map(|d| {
                let roles: Vec<&'static Role> = ROLES
                    .iter()
                    .filter(|r| match r.kind {
                        Kind::Service { on, .. } => match on {
                            On::All => true,
                            On::Workstations => !d.server,
                            On::Device(name) => d.name == name,
                        },
                        _ => false,
                    })
                    .collect();
                let weights = roles
                    .iter()
                    .map(|r| match r.kind {
                        Kind::Service { weight, .. } => weight,
                        _ => 0,
                    })
                    .collect();
                (roles, weights)
            })
            .collect();
        let mut inbound = Vec::new();
        let mut inbound_weights = Vec::new();
        for r in ROLES {
            if let Kind::Inbound { weight, on } = r.kind {
                inbound.push((r, on.iter().map(|n| world.device(n)).collect()));
                inbound_weights.push(weight);
            }
        }
        Mix {
            apps: AppMix::new(),
            services,
            inbound,
            inbound_weights,
            listen: ROLES
                .iter()
                .filter(|r| matches!(r.kind, Kind::Listen))
                .collect(),
            workstations: (0..world.devices.len())
                .filter(|&i| !world.devices[i].server)
                .collect(),
            it: world.it_devices(),
            app_servers: vec![
                world.device("srv-web-01.contoso.local"),
                world.device("srv-app-01.contoso.local"),
            ],
            world,
        }
    }
}

/// Picks a destination of a role by weight.
fn pick_dest(role: &Role, r: &mut Rand) -> &'static Dest {
    let all: Vec<&'static Dest> = role.dests.iter().flat_map(|l| l.iter()).collect();
    let weights: Vec<u32> = all.iter().map(|d| d.weight).collect();
    all[r.weighted(&weights)]
}

fn ephemeral(r: &mut Rand) -> i32 {
    r.range(49_152, 65_536) as i32
}

const BROWSER_UA: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/134.0.0.0 Safari/537.36";

/// Generates ordinary rows and merges the planted ones in time order.
/// Returns the number of rows written.
pub fn write(world: &World, opts: &SampleOptions, sink: &mut dyn RowSink) -> io::Result<u64> {
    let planted = planted::connections();
    let n = opts.rows.saturating_sub(planted.len()) as u64;
    let activity = Activity::new();
    let inst = Instances::new(opts.rows as u64 / 10);
    let mix = Mix::new(world);
    let mut r = Rand::keyed("DeviceNetworkEvents", &[opts.seed]);
    let mut next = 0;
    let mut written = 0u64;
    for i in 0..n {
        let f = (i as f64 + r.unit()) / n as f64;
        let t = activity.at(f);
        while next < planted.len() && planted[next].time <= t {
            write_planted(world, &planted[next], sink)?;
            next += 1;
            written += 1;
        }
        let roll = r.below(100);
        if roll < 64 {
            let k = inst.pick(f, &mut r);
            let p = Proc::user_app(world, opts.seed, k, &inst, &activity, &mix.apps);
            outbound(&p, t, &mut r, sink)?;
        } else if roll < 93 {
            let dev = r.below(world.devices.len() as u64) as usize;
            let (roles, weights) = &mix.services[dev];
            let role = roles[r.weighted(weights)];
            outbound(&Proc::service(world, dev, role), t, &mut r, sink)?;
        } else if roll < 98 {
            inbound(&mix, t, &mut r, sink)?;
        } else {
            let dev = mix.workstations[r.below(mix.workstations.len() as u64) as usize];
            let role = mix.listen[r.below(mix.listen.len() as u64) as usize];
            let p = Proc::service(world, dev, role);
            write_row(
                sink,
                &p,
                &Conn {
                    time: t,
                    action: "ListeningConnectionCreated",
                    remote_ip: "",
                    remote_port: None,
                    url: "",
                    local_ip: "0.0.0.0",
                    local_port: Some(pick_dest(role, &mut r).port),
                    udp: false,
                    local_type: "Reserved",
                    remote_type: "",
                    report_id: r.range(1, 5_000_000),
                    appguard: "",
                    extra: "",
                },
            )?;
        }
        written += 1;
    }
    for c in &planted[next..] {
        write_planted(world, c, sink)?;
        written += 1;
    }
    Ok(written)
}

/// An outbound connection of `p` at `t` to one of its role's destinations.
fn outbound(p: &Proc<'_>, t: i64, r: &mut Rand, sink: &mut dyn RowSink) -> io::Result<()> {
    let dest = pick_dest(p.role, r);
    let ip = if dest.host.is_empty() {
        address(dest.net, r.u64())
    } else {
        host_address(dest.host, dest.net, r.below(3))
    };
    let loopback = ip[0] == 127;
    let remote_ip = dotted(ip);
    let remote_port = if dest.port == 0 {
        ephemeral(r)
    } else {
        dest.port
    };
    let x = r.below(100);
    let direction = || {
        if x.is_multiple_of(2) {
            String::new()
        } else {
            r#"{"direction":"Out"}"#.to_string()
        }
    };
    let (action, extra) = if p.role.key == "dnscache" && x < 50 {
        let query = *r.pick(catalog::DNS_QUERIES);
        let extra = json!({"direction": "Out", "query": query, "qtype_name": "A", "rcode_name": "NOERROR", "rejected": false});
        ("DnsConnectionInspected", extra.to_string())
    } else if remote_port == 443 && !dest.udp && !dest.host.is_empty() && x >= 88 {
        let extra = json!({"version": "TLSv13", "cipher": "TLS_AES_256_GCM_SHA384", "server_name": dest.host, "established": true, "direction": "Out"});
        ("SslConnectionInspected", extra.to_string())
    } else if remote_port == 80 && (80..95).contains(&x) {
        let browser = matches!(p.role.key, "chrome" | "msedge" | "firefox");
        let ua = if browser {
            BROWSER_UA
        } else {
            "Microsoft-CryptoAPI/10.0"
        };
        let uri = *r.pick(&[
            "/",
            "/msdownload/update/v3/static/trustedr/en/authrootstl.cab",
            "/MFEwTzBNMEswSTAJBgUrDgMCGgUABBQ",
        ]);
        let extra = json!({"direction": "Out", "host": dest.host, "method": "GET", "uri": uri, "user_agent": ua, "status_code": 200, "request_body_len": 0, "response_body_len": r.range(300, 90_000)});
        ("HttpConnectionInspected", extra.to_string())
    } else if x >= 97 {
        ("ConnectionFailed", direction())
    } else {
        ("ConnectionSuccess", direction())
    };
    let appguard = if p.role.key == "msedge" && r.chance(0.005) {
        r.guid()
    } else {
        String::new()
    };
    let local_ip = if loopback {
        "127.0.0.1"
    } else {
        p.device.ip.as_str()
    };
    write_row(
        sink,
        p,
        &Conn {
            time: t,
            action,
            remote_ip: &remote_ip,
            remote_port: Some(remote_port),
            url: dest.host,
            local_ip,
            local_port: Some(ephemeral(r)),
            udp: dest.udp,
            local_type: ip_type(parse_ip(local_ip)),
            remote_type: ip_type(ip),
            report_id: r.range(1, 5_000_000),
            appguard: &appguard,
            extra: &extra,
        },
    )
}

/// A connection accepted by a server role.
fn inbound(mix: &Mix<'_>, t: i64, r: &mut Rand, sink: &mut dyn RowSink) -> io::Result<()> {
    let world = mix.world;
    let (role, devices) = &mix.inbound[r.weighted(&mix.inbound_weights)];
    let dev = devices[r.below(devices.len() as u64) as usize];
    let p = Proc::service(world, dev, role);
    let port = pick_dest(role, r).port;
    let clients = match port {
        3389 => &mix.it,
        1433 => &mix.app_servers,
        _ => &mix.workstations,
    };
    let client = &world.devices[clients[r.below(clients.len() as u64) as usize]];
    let extra = if r.chance(0.5) {
        r#"{"direction":"In"}"#
    } else {
        ""
    };
    write_row(
        sink,
        &p,
        &Conn {
            time: t,
            action: "InboundConnectionAccepted",
            remote_ip: &client.ip,
            remote_port: Some(ephemeral(r)),
            url: "",
            local_ip: &p.device.ip,
            local_port: Some(port),
            udp: false,
            local_type: "Private",
            remote_type: "Private",
            report_id: r.range(1, 5_000_000),
            appguard: "",
            extra,
        },
    )
}

/// The process instance behind planted row `c`.
pub fn planted_proc<'w>(world: &'w World, index: Option<usize>, device: &str) -> Proc<'w> {
    let dev = world.device(device);
    match index {
        Some(i) => {
            let spec = &planted::PROCS[i];
            let role = catalog::role(spec.role).expect("planted role");
            let mut r = Rand::keyed("planted-proc", &[i as u64]);
            Proc::build(
                world,
                dev,
                role,
                spec.pid,
                spec.created,
                spec.parent_pid,
                spec.parent_created,
                None,
                &mut r,
            )
        }
        None => Proc::service(world, dev, catalog::role("mssense").expect("role")),
    }
}

fn write_planted(world: &World, c: &PlantedConnection, sink: &mut dyn RowSink) -> io::Result<()> {
    let p = planted_proc(world, c.proc, c.device);
    write_row(
        sink,
        &p,
        &Conn {
            time: c.time,
            action: "ConnectionSuccess",
            remote_ip: c.ip,
            remote_port: Some(c.port),
            url: c.host,
            local_ip: &p.device.ip,
            local_port: Some(c.local_port),
            udp: false,
            local_type: "Private",
            remote_type: ip_type(parse_ip(c.ip)),
            report_id: c.report_id,
            appguard: "",
            extra: "",
        },
    )
}
