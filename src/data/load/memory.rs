//! Memory while loading: a load that would take the machine's last memory
//! stops first, with an error that says so, instead of the process being
//! killed by the operating system halfway through a multi-gigabyte folder.
//!
//! Between chunks the loader looks at the memory still available (the
//! container's limit, under one; else the machine's, counting the page
//! cache the kernel can drop). When less than a reserve is left (kept for
//! the queries the analyst will run on what did load), the file being read
//! fails with [`OUT_OF_MEMORY`]'s message; the tables loaded before it stay.

use sysinfo::{MemoryRefreshKind, System};

/// Tunes glibc's allocator for loading, once per process.
///
/// By default glibc maps every buffer of 32 MiB or more (the threshold
/// grows with use, up to 32 MiB) afresh from the kernel and hands memory
/// freed at the top of its heap straight back. A load decodes each slice
/// of columns into buffers of tens of megabytes and frees them once
/// encoded, so the kernel zeroed and faulted in the same memory page by
/// page, slice after slice: a quarter of a Parquet load's time (5M rows:
/// 1.47 s, against 1.08 s with this, peak memory unchanged at 835 MiB).
/// Here buffers under 64 MiB come from the heap, and up to 256 MiB free
/// at its top is kept for the next slice. Larger arrays (a sort's 800 MB
/// of pairs on 50M rows) are still mapped afresh, so they come zeroed by
/// the kernel as they are touched, not cleared up front where a cancel
/// cannot interrupt, and go back to the kernel when freed. Other
/// platforms keep their allocator's defaults.
pub fn keep_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        use std::sync::Once;
        static TUNED: Once = Once::new();
        TUNED.call_once(|| {
            // SAFETY: mallopt only sets the allocator's parameters; it is
            // called once, before the threads that load start.
            unsafe {
                libc::mallopt(libc::M_MMAP_THRESHOLD, 64 << 20);
                libc::mallopt(libc::M_TRIM_THRESHOLD, 256 << 20);
                libc::mallopt(libc::M_TOP_PAD, 64 << 20);
            }
        });
    }
}

/// How the message of a load stopped for want of memory begins.
pub const OUT_OF_MEMORY: &str = "not enough memory";

/// The least memory kept free by default.
const RESERVE_MIN: u64 = 512 << 20;
/// The share of the machine's memory kept free by default (1 / this).
const RESERVE_SHARE: u64 = 20;

/// The memory of the machine (or container) and what is available now,
/// in bytes; `None` where the system does not say.
///
/// Available memory counts the page cache the kernel can drop: reading a
/// large file fills the cache, and that must not look like running out.
/// Under a container's limit the cache is charged to the container, so
/// there what is available is the limit less the processes' own memory.
fn machine_memory() -> Option<(u64, u64)> {
    let mut sys = System::new();
    sys.refresh_memory_specifics(MemoryRefreshKind::nothing().with_ram());
    let machine = sys.available_memory();
    let (total, available) = match sys.cgroup_limits() {
        Some(limits) => {
            let own = limits.total_memory.saturating_sub(limits.rss);
            (
                limits.total_memory,
                limits.free_memory.max(own).min(machine),
            )
        }
        None => (sys.total_memory(), machine),
    };
    (total > 0).then_some((total, available))
}

/// The memory a load keeps free on a machine of `total` bytes.
pub(crate) fn default_reserve(total: u64) -> u64 {
    (total / RESERVE_SHARE).max(RESERVE_MIN)
}

/// Why loading must stop for want of memory, or `None` to go on.
/// `keep_free` overrides the reserve (see [`default_reserve`]).
pub(crate) fn shortage(keep_free: Option<u64>) -> Option<String> {
    let (total, available) = machine_memory()?;
    let reserve = keep_free.unwrap_or_else(|| default_reserve(total));
    (available < reserve).then(|| {
        format!(
            "{OUT_OF_MEMORY} to load the rest: {} of {} is free and Quarry keeps {} free \
             for queries; load fewer files, or close other programs",
            human(available),
            human(total),
            human(reserve)
        )
    })
}

/// Bytes as a short figure: `812 MiB`, `1.2 GiB`.
fn human(bytes: u64) -> String {
    const GIB: f64 = (1u64 << 30) as f64;
    if bytes >= 1 << 30 {
        if bytes == u64::MAX {
            return "all".into();
        }
        format!("{:.1} GiB", bytes as f64 / GIB)
    } else {
        format!("{} MiB", bytes >> 20)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::load::{LoadControl, load_table};
    use crate::data::source::discover;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn reserve_is_a_twentieth_of_the_machine_but_at_least_512_mib() {
        assert_eq!(default_reserve(24 << 30), (24u64 << 30) / 20);
        assert_eq!(default_reserve(4 << 30), 512 << 20);
        assert_eq!(human(812 << 20), "812 MiB");
        assert_eq!(human(3 << 29), "1.5 GiB");
    }

    #[test]
    fn a_load_short_of_memory_fails_with_a_message_and_keeps_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("Hosts.csv");
        let rows: String = (0..40).map(|i| format!("ws{i},{i}\n")).collect();
        std::fs::write(&path, format!("Host,n\n{rows}")).expect("write");
        let (sources, errors) = discover(&[path.to_string_lossy().into_owned()]);
        assert!(errors.is_empty());
        let cancel = AtomicBool::new(false);
        let mut control = LoadControl::new(&|_| {}, &cancel);
        // A chunk a line or so: the memory is looked at from the fifth.
        control.chunk_bytes = Some(8);
        // No machine has this much free.
        control.keep_free = Some(u64::MAX);
        let (tables, errors) = load_table(&sources[0], &control);
        assert!(tables.is_empty());
        assert_eq!(errors.len(), 1);
        let message = errors[0].to_string();
        let expected = format!("{}: {OUT_OF_MEMORY} to load the rest: ", path.display());
        assert!(message.starts_with(&expected), "{message}");
        assert!(
            message.ends_with(
                "free and Quarry keeps all free for queries; load fewer files, or close other programs"
            ),
            "{message}"
        );
        // Read whole, in one chunk, it loads: the memory is not looked at.
        control.chunk_bytes = None;
        let (tables, errors) = load_table(&sources[0], &control);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(tables[0].rows(), 40);
    }
}
