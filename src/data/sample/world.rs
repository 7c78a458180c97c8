//! The fixed sample world: Contoso's devices, users and binary images.
//!
//! The world never depends on the user's seed: device names, DeviceIds, IPs,
//! accounts and file hashes are the same in every generated data set, so the
//! planted facts in sample-data/README.md (which name devices and hashes) stay
//! true for any `--seed` and `--rows`. The seed only varies the traffic.

use super::catalog::{Acct, FILES, File, Net};
use super::clock::{DAY, HOUR, START, tick};
use super::rng::{Rand, label_hash};

/// The Active Directory domain's SID prefix; user SIDs append a RID.
pub const DOMAIN_SID: &str = "S-1-5-21-1004336348-1177238915-682003330";
/// The NetBIOS domain name, lowercase as Defender reports account domains.
pub const DOMAIN: &str = "contoso";

/// A device's operating system; the discriminant indexes OS file versions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Os {
    Win10 = 0,
    Win11 = 1,
    Win11H2 = 2,
    Server2022 = 3,
}

impl Os {
    pub fn platform(self) -> &'static str {
        match self {
            Os::Win10 => "Windows10",
            Os::Win11 | Os::Win11H2 => "Windows11",
            Os::Server2022 => "WindowsServer2022",
        }
    }
    pub fn build(self) -> i64 {
        match self {
            Os::Win10 => 19045,
            Os::Win11 => 22631,
            Os::Win11H2 => 26100,
            Os::Server2022 => 20348,
        }
    }
    pub fn release(self) -> &'static str {
        match self {
            Os::Win10 => "22H2",
            Os::Win11 => "23H2",
            Os::Win11H2 => "24H2",
            Os::Server2022 => "21H2",
        }
    }
}

/// A domain user.
pub struct User {
    /// sAMAccountName, lowercase (`mkowalski`).
    pub sam: String,
    pub upn: String,
    pub sid: String,
    pub object_id: String,
}

/// An onboarded device.
pub struct Device {
    /// FQDN, as `DeviceName` (`wks-fin-014.contoso.local`).
    pub name: String,
    pub id: String,
    pub aad_id: String,
    pub ip: String,
    pub dept: &'static str,
    pub os: Os,
    pub server: bool,
    /// The primary (interactive) user, for workstations.
    pub user: Option<usize>,
    /// Last boot, before the data window: services started then.
    pub boot: i64,
    pub vendor: &'static str,
    pub model: &'static str,
}

impl Device {
    /// The host part of the name, uppercase, as RDP reports client names.
    pub fn netbios(&self) -> String {
        self.name
            .split('.')
            .next()
            .unwrap_or("")
            .to_ascii_uppercase()
    }
}

/// The hashes and size of one version of one file.
pub struct Image {
    pub sha1: String,
    pub sha256: String,
    pub md5: String,
}

/// Who runs a process, as the `*Account*` columns show it.
#[derive(Clone, Copy)]
pub struct Account<'w> {
    pub domain: &'w str,
    pub name: &'w str,
    pub sid: &'w str,
    pub upn: &'w str,
    pub object_id: &'w str,
    pub logon_id: i64,
}

pub struct World {
    pub devices: Vec<Device>,
    pub users: Vec<User>,
    /// `images[file][version]`, parallel to `catalog::FILES`.
    images: Vec<Vec<Image>>,
    /// Devices with interactive users (workstations and the jump host).
    pub app_devices: Vec<usize>,
}

/// Department, device prefix, count, subnet (first three octets).
const FLEET: &[(&str, &str, usize, [u8; 3])] = &[
    ("fin", "wks-fin", 24, [192, 168, 0]),
    ("hr", "wks-hr", 10, [192, 168, 0]),
    ("sales", "lap-sales", 26, [192, 168, 0]),
    ("eng", "wks-eng", 40, [10, 20, 1]),
    ("mkt", "wks-mkt", 14, [10, 20, 2]),
    ("legal", "wks-legal", 6, [10, 20, 2]),
    ("it", "wks-it", 12, [10, 20, 3]),
];

/// Servers: name, address.
const SERVERS: &[(&str, [u8; 4])] = &[
    ("srv-dc-01", [10, 10, 0, 10]),
    ("srv-dc-02", [10, 10, 0, 11]),
    ("srv-fs-01", [10, 10, 0, 20]),
    ("srv-sql-01", [10, 10, 0, 30]),
    ("srv-web-01", [10, 10, 0, 40]),
    ("srv-app-01", [10, 10, 0, 50]),
    // The RDP jump host sits on the HQ user subnet.
    ("srv-jump-01", [192, 168, 0, 12]),
];

/// Chrome 109 is pinned on these two machines (planted story c).
pub const LEGACY_CHROME: &[&str] = &["wks-hr-004.contoso.local", "lap-sales-017.contoso.local"];

const FIRST: &[&str] = &[
    "James",
    "Mary",
    "Robert",
    "Patricia",
    "John",
    "Jennifer",
    "Michael",
    "Linda",
    "David",
    "Elizabeth",
    "William",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Daniel",
    "Lisa",
    "Matthew",
    "Nancy",
    "Anthony",
    "Sandra",
    "Mark",
    "Betty",
    "Priya",
    "Wei",
    "Aisha",
    "Carlos",
    "Mateo",
    "Yuki",
    "Omar",
    "Fatima",
    "Lukas",
    "Elena",
    "Ravi",
    "Anna",
    "Marek",
    "Chloe",
    "Diego",
    "Hannah",
    "Kwame",
    "Mei",
    "Ivan",
    "Noah",
    "Olivia",
    "Grace",
    "Tomasz",
    "Leila",
    "Arjun",
    "Ingrid",
    "Samuel",
    "Nadia",
    "Victor",
    "Zoe",
];
const LAST: &[&str] = &[
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Kowalski",
    "Patel",
    "Chen",
    "Okafor",
    "Schmidt",
    "Novak",
    "Tanaka",
    "Haddad",
    "Ivanova",
    "Larsen",
    "Moreau",
];

impl World {
    /// Builds the world. Cheap (a few hundred entities); call once per run.
    pub fn new() -> World {
        let mut r = Rand::keyed("world", &[]);
        let mut devices = Vec::new();
        let mut users: Vec<User> = Vec::new();
        let mut taken_hosts: Vec<[u8; 3]> = Vec::new();
        let mut used_ips: Vec<[u8; 4]> = SERVERS.iter().map(|s| s.1).collect();
        // Reserved on the HQ subnet: gateway, NAS, printer, intranet mirror, broadcast.
        for host in [1, 10, 25, 30, 255] {
            used_ips.push([192, 168, 0, host]);
        }
        let mut rid = 1104u64;
        for &(dept, prefix, count, net) in FLEET {
            if !taken_hosts.contains(&net) {
                taken_hosts.push(net);
            }
            for n in 1..=count {
                let name = format!("{prefix}-{n:03}.contoso.local");
                let ip = loop {
                    let host = r.range(20, 240) as u8;
                    let ip = [net[0], net[1], net[2], host];
                    if !used_ips.contains(&ip) {
                        used_ips.push(ip);
                        break ip;
                    }
                };
                rid += r.range(1, 40) as u64;
                let user = make_user(&mut r, &users, rid, dept == "it" && n == 1);
                users.push(user);
                let os = match dept {
                    "eng" => [Os::Win11H2, Os::Win11H2, Os::Win11][r.below(3) as usize],
                    "fin" | "hr" => [Os::Win10, Os::Win10, Os::Win11][r.below(3) as usize],
                    _ => [Os::Win10, Os::Win11, Os::Win11][r.below(3) as usize],
                };
                let (vendor, model) = if prefix.starts_with("lap") {
                    (
                        "Lenovo",
                        *r.pick(&["ThinkPad T14 Gen 4", "ThinkPad X1 Carbon Gen 11"]),
                    )
                } else {
                    (
                        "Dell Inc.",
                        *r.pick(&["OptiPlex 7010", "Latitude 5440", "Precision 3660"]),
                    )
                };
                devices.push(Device {
                    id: r.hex(40),
                    aad_id: r.guid(),
                    name,
                    ip: dotted(ip),
                    dept,
                    os,
                    server: false,
                    user: Some(users.len() - 1),
                    boot: tick(START - r.range(6 * HOUR, 9 * DAY)),
                    vendor,
                    model,
                });
            }
        }
        for &(name, ip) in SERVERS {
            devices.push(Device {
                id: r.hex(40),
                aad_id: r.guid(),
                name: format!("{name}.contoso.local"),
                ip: dotted(ip),
                dept: "servers",
                os: Os::Server2022,
                server: true,
                user: None,
                boot: tick(START - r.range(2 * DAY, 20 * DAY)),
                vendor: "VMware, Inc.",
                model: "VMware7,1",
            });
        }
        let images = FILES
            .iter()
            .map(|f| (0..f.versions.len()).map(|v| make_image(f, v)).collect())
            .collect();
        let app_devices = (0..devices.len())
            .filter(|&i| !devices[i].server || devices[i].name.starts_with("srv-jump"))
            .collect();
        World {
            devices,
            users,
            images,
            app_devices,
        }
    }

    /// The index of the device with this FQDN (internal names: a miss is a bug).
    pub fn device(&self, name: &str) -> usize {
        self.devices
            .iter()
            .position(|d| d.name == name)
            .unwrap_or_else(|| panic!("no device {name}"))
    }

    pub fn image(&self, file: usize, version: usize) -> &Image {
        &self.images[file][version]
    }

    /// Which version of `file` device `dev` runs.
    pub fn version(&self, file: usize, dev: usize) -> usize {
        let f = &FILES[file];
        let d = &self.devices[dev];
        if f.by_os {
            return (d.os as usize).min(f.versions.len() - 1);
        }
        if f.key == "chrome" {
            if LEGACY_CHROME.contains(&d.name.as_str()) {
                return 3;
            }
            // Version 109 is only on the legacy machines.
            return Rand::keyed("version", &[file as u64, dev as u64]).weighted(&[6, 3, 1]);
        }
        let weights = &[6, 3, 1][..f.versions.len().min(3)];
        Rand::keyed("version", &[file as u64, dev as u64]).weighted(weights)
    }

    /// The account `acct` on device `dev` (the device's user for `Acct::User`).
    pub fn account(&self, acct: Acct, dev: usize) -> Account<'_> {
        let builtin = |domain, name, sid, logon_id| Account {
            domain,
            name,
            sid,
            upn: "",
            object_id: "",
            logon_id,
        };
        match acct {
            Acct::User => match self.devices[dev].user {
                Some(u) => self.user_account(u, dev),
                None => builtin("nt authority", "system", "S-1-5-18", 999),
            },
            Acct::System => builtin("nt authority", "system", "S-1-5-18", 999),
            Acct::NetworkService => builtin("nt authority", "network service", "S-1-5-20", 996),
            Acct::SqlService => builtin(
                "nt service",
                "mssqlserver",
                "S-1-5-80-3880718306-3832830129-1677859214-2598158968-1052248003",
                999,
            ),
            Acct::AppPool => builtin(
                "iis apppool",
                "intranet",
                "S-1-5-82-3006700770-424185619-1745488364-794895919-4004696415",
                999,
            ),
        }
    }

    /// User `u` logged on to device `dev` (a logon id stable per pair).
    pub fn user_account(&self, u: usize, dev: usize) -> Account<'_> {
        let user = &self.users[u];
        Account {
            domain: DOMAIN,
            name: &user.sam,
            sid: &user.sid,
            upn: &user.upn,
            object_id: &user.object_id,
            logon_id: Rand::keyed("logon", &[u as u64, dev as u64]).range(200_000, 90_000_000),
        }
    }

    /// The IT department's users (they administer servers over RDP).
    pub fn it_devices(&self) -> Vec<usize> {
        (0..self.devices.len())
            .filter(|&i| self.devices[i].dept == "it")
            .collect()
    }
}

fn make_user(r: &mut Rand, existing: &[User], rid: u64, sofia: bool) -> User {
    // The network architect of the KQL Mysteries story works in IT.
    let (first, last) = if sofia {
        ("Sofia", "Vega")
    } else {
        (*r.pick(FIRST), *r.pick(LAST))
    };
    let base = format!("{}{}", &first[..1], last).to_ascii_lowercase();
    let mut sam = base.clone();
    let mut n = 2;
    while existing.iter().any(|u| u.sam == sam) {
        sam = format!("{base}{n}");
        n += 1;
    }
    User {
        upn: format!("{sam}@contoso.com"),
        sid: format!("{DOMAIN_SID}-{rid}"),
        object_id: r.guid(),
        sam,
    }
}

fn make_image(f: &File, version: usize) -> Image {
    if f.path.is_empty() {
        return Image {
            sha1: String::new(),
            sha256: String::new(),
            md5: String::new(),
        };
    }
    if let Some(h) = super::planted::fixed_hashes(f.key) {
        return Image {
            sha1: h[0].to_string(),
            sha256: h[1].to_string(),
            md5: h[2].to_string(),
        };
    }
    let mut r = Rand::keyed("image", &[label_hash(f.key), version as u64]);
    Image {
        sha1: r.hex(40),
        sha256: r.hex(64),
        md5: r.hex(32),
    }
}

/// Size of one version of a file: versions differ slightly, as builds do.
pub fn file_size(f: &File, version: usize) -> i64 {
    if version == 0 || f.size == 0 {
        f.size
    } else {
        let mut r = Rand::keyed("size", &[label_hash(f.key), version as u64]);
        f.size + r.range(-f.size / 50, f.size / 50 + 1) / 8 * 8
    }
}

pub fn dotted(ip: [u8; 4]) -> String {
    format!("{}.{}.{}.{}", ip[0], ip[1], ip[2], ip[3])
}

/// An address in `net`: `pick` selects it, avoiding .0 and .255 hosts.
pub fn address(net: Net, pick: u64) -> [u8; 4] {
    let Net(base, prefix) = net;
    if prefix >= 32 {
        return base;
    }
    let size = 1u64 << (32 - prefix);
    let mut a = u32::from_be_bytes(base) + (pick % size) as u32;
    match a & 0xff {
        0 => a += 1,
        255 => a -= 1,
        _ => {}
    }
    a.to_be_bytes()
}

/// One of three stable addresses a host name resolves to.
pub fn host_address(host: &str, net: Net, which: u64) -> [u8; 4] {
    address(
        net,
        Rand::keyed("dns", &[label_hash(host), which % 3]).u64(),
    )
}

/// Defender's `*IPType` classification of an IPv4 address.
pub fn ip_type(ip: [u8; 4]) -> &'static str {
    match ip {
        [127, ..] => "Loopback",
        [0, ..] => "Reserved",
        [10, ..] | [192, 168, ..] => "Private",
        [172, b, ..] if (16..32).contains(&b) => "Private",
        [169, 254, ..] => "LinkLocal",
        [255, 255, 255, 255] => "Broadcast",
        _ => "Public",
    }
}

/// Parses a dotted quad produced by this module.
pub fn parse_ip(s: &str) -> [u8; 4] {
    let mut out = [0u8; 4];
    for (o, part) in out.iter_mut().zip(s.split('.')) {
        *o = part.parse().unwrap_or(0);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_world_is_fixed_and_well_formed() {
        let a = World::new();
        let b = World::new();
        assert_eq!(a.devices.len(), 139);
        for (x, y) in a.devices.iter().zip(&b.devices) {
            assert_eq!((&x.name, &x.id, &x.ip), (&y.name, &y.id, &y.ip));
        }
        let mut ids: Vec<&str> = a.devices.iter().map(|d| d.id.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), a.devices.len());
        let mut ips: Vec<&str> = a.devices.iter().map(|d| d.ip.as_str()).collect();
        ips.sort_unstable();
        ips.dedup();
        assert_eq!(ips.len(), a.devices.len());
        let hq = a
            .devices
            .iter()
            .filter(|d| d.ip.starts_with("192.168.0."))
            .count();
        assert_eq!(hq, 61);
        assert!(a.devices.iter().all(|d| d.id.len() == 40 && d.boot < START));
        assert!(a.users.iter().any(|u| u.sam == "svega"));
        a.device("wks-fin-014.contoso.local");
    }

    #[test]
    fn addresses_stay_in_their_block() {
        for pick in 0..1000 {
            let ip = address(Net([142, 250, 0, 0], 15), pick * 7919);
            assert!(ip[0] == 142 && (ip[1] == 250 || ip[1] == 251));
            assert!(ip[3] != 0 && ip[3] != 255);
        }
        assert_eq!(ip_type([192, 168, 0, 255]), "Private");
        assert_eq!(ip_type([8, 8, 8, 8]), "Public");
    }
}
