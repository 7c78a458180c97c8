//! DeviceProcessEvents: a `ProcessCreated` row for every process instance
//! created inside the window, i.e. the processes behind the network events
//! (same devices, hashes, command lines, pids), plus the planted ones.

use std::io;

use super::SampleOptions;
use super::clock::Activity;
use super::network::planted_proc;
use super::planted;
use super::process::{AppMix, Instances, Proc};
use super::rng::Rand;
use super::sink::{Cell, RowSink};
use super::world::World;
use crate::data::schema;

pub const TABLE: &str = "DeviceProcessEvents";

pub fn columns() -> &'static [(&'static str, crate::data::types::KqlType)] {
    schema::documented(TABLE).expect("documented table")
}

/// Writes the creation row of `p` in the documented column order.
pub fn write_row(sink: &mut dyn RowSink, p: &Proc<'_>, report_id: i64) -> io::Result<()> {
    let f = p.file;
    let q = &p.parent;
    let (remote_dev, remote_ip) = match &p.remote {
        Some((name, ip)) => (name.as_str(), *ip),
        None => ("", ""),
    };
    let parent_folder = q.path.to_lowercase();
    let empty = "";
    let (pf_company, pf_product, pf_internal, pf_original, pf_description) = match q.file {
        Some(pf) => (
            pf.company,
            pf.product,
            pf.internal,
            pf.original,
            pf.description,
        ),
        None => (empty, empty, empty, empty, empty),
    };
    let (p_sha1, p_sha256, p_md5) = match q.image {
        Some(i) => (i.sha1.as_str(), i.sha256.as_str(), i.md5.as_str()),
        None => (empty, empty, empty),
    };
    let signer = q.file.and_then(|pf| pf.signer);
    let remote = p.remote.is_some();
    sink.row(&[
        Cell::Datetime(p.created),
        Cell::Str(&p.device.id),
        Cell::Str(&p.device.name),
        Cell::Str("ProcessCreated"),
        Cell::Str(f.name),
        Cell::Str(&p.path),
        Cell::Str(&p.image.sha1),
        Cell::Str(&p.image.sha256),
        Cell::Str(&p.image.md5),
        p.size.map_or(Cell::Null, Cell::Long),
        Cell::Str(f.company),
        Cell::Str(f.product),
        Cell::Str(p.version),
        Cell::Str(f.internal),
        Cell::Str(f.original),
        Cell::Str(f.description),
        Cell::Long(p.pid),
        Cell::Str(&p.cmd),
        Cell::Str(p.role.integrity),
        Cell::Str(p.role.elevation),
        Cell::Datetime(p.created),
        Cell::Str(p.account.domain),
        Cell::Str(p.account.name),
        Cell::Str(p.account.sid),
        Cell::Str(p.account.upn),
        Cell::Str(p.account.object_id),
        Cell::Long(p.account.logon_id),
        Cell::Str(q.account.domain),
        Cell::Str(q.account.name),
        Cell::Str(q.account.sid),
        Cell::Str(q.account.upn),
        Cell::Str(q.account.object_id),
        Cell::Long(q.account.logon_id),
        Cell::Str(q.integrity),
        Cell::Str(q.elevation),
        Cell::Str(p_sha1),
        Cell::Str(p_sha256),
        Cell::Str(p_md5),
        Cell::Str(q.name),
        q.size.map_or(Cell::Null, Cell::Long),
        Cell::Str(pf_company),
        Cell::Str(pf_product),
        Cell::Str(q.version),
        Cell::Str(pf_internal),
        Cell::Str(pf_original),
        Cell::Str(pf_description),
        Cell::Long(q.pid),
        Cell::Str(&q.cmd),
        Cell::Datetime(q.created),
        Cell::Str(&parent_folder),
        Cell::Long(q.grand_pid),
        Cell::Str(q.grand_name),
        Cell::Datetime(q.grand_created),
        Cell::Str(signer.map_or("", |s| s.kind)),
        Cell::Str(match (q.file, signer) {
            (None, _) => "",
            (Some(_), Some(_)) => "Valid",
            (Some(_), None) => "Unsigned",
        }),
        Cell::Long(report_id),
        Cell::Str(""),
        Cell::Str(""),
        Cell::Long(p.session),
        Cell::Bool(remote),
        Cell::Str(remote_dev),
        Cell::Str(remote_ip),
        Cell::Long(p.session),
        Cell::Bool(remote),
        Cell::Str(remote_dev),
        Cell::Str(remote_ip),
    ])
}

/// Writes every instance created in the window, oldest first.
pub fn write(world: &World, opts: &SampleOptions, sink: &mut dyn RowSink) -> io::Result<u64> {
    let activity = Activity::new();
    let apps = AppMix::new();
    let inst = Instances::new(opts.rows as u64 / 10);
    let mut planted: Vec<usize> = (0..planted::PROCS.len()).collect();
    planted.sort_by_key(|&i| planted::PROCS[i].created);
    let mut next = 0;
    let mut r = Rand::keyed("DeviceProcessEvents", &[opts.seed]);
    let mut written = 0u64;
    let emit_planted = |i: usize, sink: &mut dyn RowSink| {
        let spec = &planted::PROCS[i];
        let p = planted_proc(world, Some(i), spec.device);
        write_row(sink, &p, 1_000 + i as i64 * 37)
    };
    for k in 0..inst.count {
        let p = Proc::user_app(world, opts.seed, k as i64, &inst, &activity, &apps);
        while next < planted.len() && planted::PROCS[planted[next]].created <= p.created {
            emit_planted(planted[next], sink)?;
            next += 1;
            written += 1;
        }
        write_row(sink, &p, r.range(1, 5_000_000))?;
        written += 1;
    }
    for &i in &planted[next..] {
        emit_planted(i, sink)?;
        written += 1;
    }
    Ok(written)
}
