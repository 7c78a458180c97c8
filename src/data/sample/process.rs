//! Process instances: one running process with its image, account, command
//! line, parent and times, derived on demand from a key.
//!
//! Network events and process-creation events must describe the same
//! processes, yet neither table may be held in memory. So an instance is a
//! pure function of its key: user-application instance `k` (numbered in
//! creation order across the 14 days), a service on a device (started at the
//! device's last boot), or a planted instance. DeviceProcessEvents walks `k`
//! in order; DeviceNetworkEvents picks recent `k`s and recomputes them.

use super::catalog::{self, Acct, FILES, File, Kind, ROLES, Role};
use super::clock::{Activity, MIN, SEC, SPAN, START, tick};
use super::rng::{Rand, label_hash};
use super::world::{Account, Device, Image, World, file_size};

/// The process that started an instance (the `InitiatingProcess*` columns of
/// DeviceProcessEvents, the `InitiatingProcessParent*` ones of network events).
pub struct Parent<'w> {
    pub name: &'static str,
    /// Known parents have an image and version info; bare names do not.
    pub file: Option<&'static File>,
    pub image: Option<&'w Image>,
    pub version: &'static str,
    pub size: Option<i64>,
    pub path: String,
    pub cmd: String,
    pub account: Account<'w>,
    pub integrity: &'static str,
    pub elevation: &'static str,
    pub pid: i64,
    pub created: i64,
    pub grand_name: &'static str,
    pub grand_pid: i64,
    pub grand_created: i64,
}

/// A running process.
pub struct Proc<'w> {
    pub device: &'w Device,
    pub role: &'static Role,
    pub file: &'static File,
    pub image: &'w Image,
    pub version: &'static str,
    /// `None` for the image-less "System" process.
    pub size: Option<i64>,
    pub account: Account<'w>,
    pub path: String,
    pub cmd: String,
    pub pid: i64,
    pub created: i64,
    pub session: i64,
    /// RDP client (NetBIOS name, IP) when run in a remote session.
    pub remote: Option<(String, &'w str)>,
    pub parent: Parent<'w>,
}

/// How user-application instances are spread over time: the instance count
/// and how many recent instances a network event may come from.
#[derive(Clone, Copy)]
pub struct Instances {
    /// Instances created inside the window (DeviceProcessEvents rows).
    pub count: u64,
    /// `max(count, 1)`, the divisor for creation positions.
    scale: f64,
    /// A network event's process is one of the `window` latest instances, so
    /// processes live a few hours whatever the data size.
    pub window: u64,
}

impl Instances {
    pub fn new(count: u64) -> Instances {
        let scale = count.max(1);
        Instances {
            count,
            scale: scale as f64,
            window: (scale * 3 / 336).max(4),
        }
    }

    /// The instance a network event at position `f` uses, given a draw `r`:
    /// one created strictly before the event (negative keys are instances
    /// started before the window, which have no creation row).
    pub fn pick(&self, f: f64, r: &mut Rand) -> i64 {
        let newest = (f * self.scale).floor() as i64 - 1;
        newest - r.below(self.window) as i64
    }
}

/// `{path}`, `{user}`, `{ver}`, `{n}`, `{m}`, `{repo}` in a template.
fn render(template: &str, path: &str, user: &str, version: &str, r: &mut Rand) -> String {
    let mut out = template
        .replace("{path}", path)
        .replace("{user}", user)
        .replace("{ver}", version);
    if out.contains("{n}") {
        out = out.replace("{n}", &r.range(1800, 9000).to_string());
    }
    if out.contains("{m}") {
        out = out.replace("{m}", &r.range(1700, 2400).to_string());
    }
    if out.contains("{repo}") {
        let repo: &&str = r.pick(catalog::REPOS);
        out = out.replace("{repo}", repo);
    }
    out
}

fn image_path(f: &File, user: &str, version: &str) -> String {
    f.path.replace("{user}", user).replace("{ver}", version)
}

impl<'w> Proc<'w> {
    /// Builds an instance of `role` on device `dev`, with the given pid,
    /// creation time and parent times; `r` draws command-line details.
    #[allow(clippy::too_many_arguments)]
    pub fn build(
        world: &'w World,
        dev: usize,
        role: &'static Role,
        pid: i64,
        created: i64,
        parent_pid: i64,
        parent_created: i64,
        remote: Option<(String, &'w str)>,
        r: &mut Rand,
    ) -> Proc<'w> {
        let device = &world.devices[dev];
        let file_idx = catalog::file_index(role.file);
        let file = &FILES[file_idx];
        let v = world.version(file_idx, dev);
        let version = file.versions[v].version;
        let account = match (&remote, role.account) {
            // On the jump host the user is whoever connected over RDP.
            (Some(_), Acct::User) => {
                let it = world.it_devices();
                let admin = world.devices[it[r.below(it.len() as u64) as usize]].user;
                world.user_account(admin.unwrap_or(0), dev)
            }
            _ => world.account(role.account, dev),
        };
        let path = image_path(file, account.name, version);
        let cmd = render(role.cmd, &path, account.name, version, r);
        let parent = Self::parent(world, dev, role, account, parent_pid, parent_created, r);
        Proc {
            device,
            role,
            file,
            image: world.image(file_idx, v),
            version,
            size: (!file.path.is_empty()).then(|| file_size(file, v)),
            account,
            path,
            cmd,
            pid,
            created,
            session: match (role.account, &remote) {
                (Acct::User, Some(_)) => 2,
                (Acct::User, None) => 1,
                _ => 0,
            },
            remote,
            parent,
        }
    }

    fn parent(
        world: &'w World,
        dev: usize,
        role: &'static Role,
        child: Account<'w>,
        pid: i64,
        created: i64,
        r: &mut Rand,
    ) -> Parent<'w> {
        let grand_created = tick(created - r.range(2 * SEC, 40 * MIN));
        let grand_pid = r.range(150, 2500) * 4;
        match catalog::role(role.parent) {
            Some(p) => {
                let fi = catalog::file_index(p.file);
                let file = &FILES[fi];
                let v = world.version(fi, dev);
                let version = file.versions[v].version;
                let account = if p.account == Acct::User {
                    child
                } else {
                    world.account(p.account, dev)
                };
                let path = image_path(file, account.name, version);
                let grand =
                    catalog::role(p.parent).map_or(p.parent, |g| catalog::file(g.file).name);
                Parent {
                    name: file.name,
                    file: Some(file),
                    image: Some(world.image(fi, v)),
                    version,
                    size: Some(file_size(file, v)),
                    cmd: render(p.cmd, &path, account.name, version, r),
                    path,
                    account,
                    integrity: p.integrity,
                    elevation: p.elevation,
                    pid,
                    created,
                    grand_name: grand,
                    grand_pid,
                    grand_created,
                }
            }
            None => Parent {
                name: role.parent,
                file: None,
                image: None,
                version: "",
                size: None,
                path: String::new(),
                cmd: String::new(),
                account: world.account(Acct::System, dev),
                integrity: "System",
                elevation: "TokenElevationTypeDefault",
                pid,
                created,
                grand_name: "",
                grand_pid,
                grand_created,
            },
        }
    }

    /// User-application instance `k` (see [`Instances`]).
    pub fn user_app(
        world: &'w World,
        seed: u64,
        k: i64,
        inst: &Instances,
        activity: &Activity,
        apps: &AppMix,
    ) -> Proc<'w> {
        let mut r = Rand::keyed("instance", &[seed, k as u64]);
        let dev = world.app_devices[r.below(world.app_devices.len() as u64) as usize];
        let device = &world.devices[dev];
        let role = apps.pick(device.dept, &mut r);
        let pos = (k as f64 + r.unit() * 0.999) / inst.scale;
        let created = if k >= 0 {
            activity.at(pos)
        } else {
            tick(START + (pos * SPAN as f64) as i64)
        };
        let remote = device.server.then(|| {
            let it = world.it_devices();
            let client = &world.devices[it[r.below(it.len() as u64) as usize]];
            (client.netbios(), client.ip.as_str())
        });
        let parent_created = tick(created - r.range(SEC, 180 * MIN));
        let parent_pid = r.range(400, 4000) * 4;
        let pid = r.range(400, 12_000) * 4;
        Proc::build(
            world,
            dev,
            role,
            pid,
            created,
            parent_pid,
            parent_created,
            remote,
            &mut r,
        )
    }

    /// `role` running as a service on device `dev` since its last boot.
    /// Fixed per (device, role): the same service keeps its pid.
    pub fn service(world: &'w World, dev: usize, role: &'static Role) -> Proc<'w> {
        let mut r = Rand::keyed("service", &[dev as u64, label_hash(role.key)]);
        let boot = world.devices[dev].boot;
        if role.file == "system" {
            return Proc::build(world, dev, role, 4, boot, 0, boot, None, &mut r);
        }
        let created = tick(boot + r.range(5 * SEC, 4 * MIN));
        let pid = r.range(150, 3000) * 4;
        let parent_pid = r.range(150, 250) * 4;
        Proc::build(
            world,
            dev,
            role,
            pid,
            created,
            parent_pid,
            tick(boot + 2 * SEC),
            None,
            &mut r,
        )
    }
}

/// User-application roles and their weights, per department.
pub struct AppMix {
    roles: Vec<&'static Role>,
}

impl AppMix {
    pub fn new() -> AppMix {
        AppMix {
            roles: ROLES
                .iter()
                .filter(|r| matches!(r.kind, Kind::App { weight, .. } if weight > 0))
                .collect(),
        }
    }

    /// A role for a device of department `dept`, by weight; roles limited to
    /// other departments are excluded (the jump host runs IT's tools).
    pub fn pick(&self, dept: &str, r: &mut Rand) -> &'static Role {
        let dept = if dept == "servers" { "it" } else { dept };
        let weights: Vec<u32> = self
            .roles
            .iter()
            .map(|role| match role.kind {
                Kind::App { weight, depts } if depts.is_empty() || depts.contains(&dept) => weight,
                _ => 0,
            })
            .collect();
        self.roles[r.weighted(&weights)]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::sample::clock::END;

    #[test]
    fn instances_are_created_before_the_events_that_use_them() {
        let world = World::new();
        let activity = Activity::new();
        let apps = AppMix::new();
        let inst = Instances::new(500);
        let mut r = Rand::keyed("t", &[]);
        for i in 0..2000 {
            let f = (i as f64 + 0.5) / 2000.0;
            let t = activity.at(f);
            let k = inst.pick(f, &mut r);
            let p = Proc::user_app(&world, 1, k, &inst, &activity, &apps);
            assert!(
                p.created < t,
                "instance {k} at {} not before {t}",
                p.created
            );
            assert!(p.parent.created < p.created);
            assert!(!p.cmd.contains('{'), "{}", p.cmd);
        }
    }

    #[test]
    fn instances_are_pure_functions_of_their_key() {
        let world = World::new();
        let activity = Activity::new();
        let apps = AppMix::new();
        let inst = Instances::new(100);
        let a = Proc::user_app(&world, 7, 42, &inst, &activity, &apps);
        let b = Proc::user_app(&world, 7, 42, &inst, &activity, &apps);
        assert_eq!(
            (a.pid, a.created, &a.cmd, &a.device.name),
            (b.pid, b.created, &b.cmd, &b.device.name)
        );
        assert!(a.created < END);
    }

    #[test]
    fn services_start_after_boot() {
        let world = World::new();
        let role = catalog::role("dnscache").unwrap();
        let p = Proc::service(&world, 3, role);
        assert!(p.created > world.devices[3].boot && p.created < START);
        assert_eq!(p.account.sid, "S-1-5-20");
        let sys = Proc::service(&world, 3, catalog::role("system").unwrap());
        assert_eq!(sys.pid, 4);
        assert_eq!(sys.size, None);
    }
}
