//! The two limits every long loop of a query honours: the memory budget
//! and the cancel flag.
//!
//! Operators that multiply rows (joins, lookups, `mv-expand`, `mv-apply`,
//! `make-series`, `range`) work out their output size before they build
//! it, and [`Budget::admit`] refuses a result the budget cannot hold, as
//! Kusto refuses a runaway query, but saying which operator, how much, and
//! what to do. A refused query allocates nothing and loses nothing else.
//!
//! [`Cancel`] is the flag Ctrl+C sets: loops over millions of rows check it
//! every few thousand rows, so control is back within a fraction of a
//! second wherever the query is.

use std::panic::Location;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use polars::prelude::*;

use super::ast::Span;
use super::error::{ErrorKind, QueryError};
use crate::text::thousands;

/// How much memory one query may use for the rows it builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    bytes: u64,
    /// Whether the size came from the machine (so the message says so) or
    /// was set by the analyst.
    from_machine: bool,
}

impl Default for Budget {
    /// [`Budget::from_machine`].
    fn default() -> Self {
        Budget::from_machine()
    }
}

impl Budget {
    /// A budget of `bytes`, as set with `--max-memory` or in config.toml.
    pub fn new(bytes: u64) -> Budget {
        Budget {
            bytes,
            from_machine: false,
        }
    }

    /// Half of this machine's memory (of the container's limit, under one),
    /// or what is free now if that is less: the loaded tables and the
    /// result on screen need the rest.
    pub fn from_machine() -> Budget {
        let mut sys = sysinfo::System::new();
        sys.refresh_memory_specifics(sysinfo::MemoryRefreshKind::nothing().with_ram());
        let (total, free) = match sys.cgroup_limits() {
            Some(limits) => (limits.total_memory, limits.free_memory),
            None => (sys.total_memory(), sys.available_memory()),
        };
        let bytes = (total / 2).min(free);
        Budget {
            // A machine that reports nothing still gets a working budget.
            bytes: if bytes == 0 { 4 << 30 } else { bytes },
            from_machine: true,
        }
    }

    /// The budget in bytes.
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// Refuses `growth` if its rows would not fit in the budget.
    pub fn admit(&self, growth: &Growth) -> Result<(), QueryError> {
        let item_bytes = growth.item_bytes.max(1);
        let need = growth.count.saturating_mul(item_bytes);
        if need <= self.bytes {
            return Ok(());
        }
        let limit = self.bytes / item_bytes;
        let source = if self.from_machine {
            "half of this machine's memory, or what is free if less; --max-memory sets it"
        } else {
            "set with --max-memory"
        };
        let (many, one) = growth.unit.names();
        Err(QueryError::new(
            ErrorKind::Limit,
            format!(
                "{op} would produce {count} {many} (about {need}), more than the limit of {limit} {many} \
                 ({budget} of memory at {item_bytes} bytes a {one}; {source}); {advice}",
                op = growth.operator,
                count = thousands(growth.count),
                need = human_bytes(need),
                limit = thousands(limit),
                budget = human_bytes(self.bytes),
                advice = growth.advice,
            ),
            Some(growth.span),
        ))
    }
}

/// What an operator's output is counted in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Rows,
    /// Elements of arrays (`make-series`).
    Values,
}

impl Unit {
    /// Plural and singular.
    fn names(self) -> (&'static str, &'static str) {
        match self {
            Unit::Rows => ("rows", "row"),
            Unit::Values => ("values", "value"),
        }
    }
}

/// What an operator is about to build, for [`Budget::admit`].
pub struct Growth<'a> {
    /// The operator, as the message names it: "join", "mv-expand".
    pub operator: &'a str,
    /// How many rows (or values) it would produce.
    pub count: u64,
    /// What `count` counts.
    pub unit: Unit,
    /// Bytes per row ([`row_bytes`]) or value.
    pub item_bytes: u64,
    /// What the analyst can do instead: "filter first or join on more keys".
    pub advice: &'a str,
    /// Where the operator is in the query.
    pub span: Span,
}

/// What one row of `frame` costs when its rows are gathered into a new
/// frame: text and dynamic values are views into shared buffers (16
/// bytes), encoded text a 32-bit code, numbers their width.
pub fn row_bytes(frame: &DataFrame) -> u64 {
    frame.columns().iter().map(|c| dtype_bytes(c.dtype())).sum()
}

fn dtype_bytes(dt: &DataType) -> u64 {
    match dt {
        DataType::Boolean | DataType::Int8 | DataType::UInt8 => 1,
        DataType::Int16 | DataType::UInt16 => 2,
        DataType::Int32 | DataType::UInt32 | DataType::Float32 | DataType::Date => 4,
        DataType::Categorical(..) | DataType::Enum(..) => 4,
        DataType::String | DataType::Binary => 16,
        DataType::List(inner) => 16 + dtype_bytes(inner),
        DataType::Struct(fields) => fields.iter().map(|f| dtype_bytes(f.dtype())).sum(),
        _ => 8,
    }
}

/// Bytes in the largest binary unit that keeps a number of at least 1:
/// `1.2 GiB`.
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 6] = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB"];
    let mut value = n as f64;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    if unit == 0 {
        format!("{n} bytes")
    } else {
        format!("{value:.1} {}", UNITS[unit])
    }
}

/// Reads a memory size as written on the command line or in config.toml:
/// `512MB`, `4GB`, `4GiB`, `1.5G`, `2000000000` (bytes). Decimal and binary
/// suffixes both mean binary units, as memory is counted.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("'{text}' is not a memory size (try 512MB or 4GB)"))?;
    let scale: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kb" | "kib" => 1 << 10,
        "m" | "mb" | "mib" => 1 << 20,
        "g" | "gb" | "gib" => 1 << 30,
        "t" | "tb" | "tib" => 1 << 40,
        other => {
            return Err(format!(
                "'{other}' is not a memory unit in '{text}' (use KB, MB, GB or TB)"
            ));
        }
    };
    let bytes = value * scale as f64;
    if !bytes.is_finite() || bytes < 1.0 {
        return Err(format!("'{text}' is not a usable memory size"));
    }
    Ok(bytes as u64)
}

/// The flag that cancels a running query, as loops below the operators see
/// it.
#[derive(Clone, Copy, Default)]
pub struct Cancel<'a>(Option<&'a AtomicBool>);

impl<'a> Cancel<'a> {
    /// A flag that may be set.
    pub fn new(flag: Option<&'a AtomicBool>) -> Cancel<'a> {
        Cancel(flag)
    }

    /// Whether the query has been cancelled.
    #[track_caller]
    pub fn is_set(&self) -> bool {
        let set = self.0.is_some_and(|f| f.load(Ordering::Relaxed));
        if set {
            note_site(Location::caller());
        } else if TRACING.load(Ordering::Relaxed) {
            note_check(Location::caller());
        }
        set
    }

    /// `Err(cancelled)` once the query has been cancelled.
    #[track_caller]
    pub fn check(&self) -> Result<(), QueryError> {
        if self.is_set() {
            Err(QueryError::cancelled())
        } else {
            Ok(())
        }
    }
}

impl Cancel<'_> {
    /// Runs `work` (one Polars call that cannot look at the flag: joining
    /// ten million values into one chunk takes 100 ms and more) on a
    /// thread of its own, and waits for it while looking at the flag. On a
    /// cancel it returns at once; the work runs to its end unwatched and
    /// its result is freed there.
    #[track_caller]
    pub fn wait_for<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, QueryError> {
        if self.0.is_none() {
            return Ok(work());
        }
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("quarry-wait".into())
            .spawn(move || {
                let out = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
                let _ = tx.send(out);
            });
        if spawned.is_err() {
            // No thread to be had: the work cannot be watched, only done.
            return Err(QueryError::runtime(
                "could not start a thread for the query".to_string(),
                None,
            ));
        }
        loop {
            self.check()?;
            match rx.recv_timeout(std::time::Duration::from_millis(5)) {
                Ok(Ok(out)) => return Ok(out),
                // A panic in the work is the query's, as if run here.
                Ok(Err(panic)) => std::panic::resume_unwind(panic),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => {
                    return Err(QueryError::runtime(
                        "the query's worker thread stopped without an answer".to_string(),
                        None,
                    ));
                }
            }
        }
    }
}

/// A value made of millions of small allocations (the elements of every
/// row `mv-expand` reads), freed on a thread of its own when it is
/// dropped: freeing them one by one takes hundreds of milliseconds, and a
/// cancelled query should not keep the analyst waiting for it.
pub struct Aside<T: Send + 'static>(Option<T>);

impl<T: Send + 'static> Aside<T> {
    pub fn new(value: T) -> Aside<T> {
        Aside(Some(value))
    }
}

impl<T: Send + 'static> std::ops::Deref for Aside<T> {
    type Target = T;

    fn deref(&self) -> &T {
        // Only `drop` takes the value out.
        self.0
            .as_ref()
            .expect("an Aside holds its value until dropped")
    }
}

impl<T: Send + 'static> std::ops::DerefMut for Aside<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0
            .as_mut()
            .expect("an Aside holds its value until dropped")
    }
}

impl<T: Send + 'static> Drop for Aside<T> {
    fn drop(&mut self) {
        if let Some(value) = self.0.take() {
            // Should no thread start, the value is freed here, as usual.
            let _ = std::thread::Builder::new()
                .name("quarry-free".into())
                .spawn(move || drop(value));
        }
    }
}

/// Where a cancel was last noticed: the end of the stretch of work that
/// delayed it. Only written on the cancelled path, so checks stay free.
static NOTICED_AT: Mutex<Option<(&'static Location<'static>, std::time::Instant)>> =
    Mutex::new(None);

fn note_site(site: &'static Location<'static>) {
    if let Ok(mut at) = NOTICED_AT.lock() {
        *at = Some((site, std::time::Instant::now()));
    }
}

/// Whether checks that find no cancel note where they are (for the cancel
/// benchmark only: a lock per check).
static TRACING: AtomicBool = AtomicBool::new(false);
/// The last check that found no cancel, while tracing.
static LAST_CHECK: Mutex<Option<&'static Location<'static>>> = Mutex::new(None);

fn note_check(site: &'static Location<'static>) {
    if let Ok(mut at) = LAST_CHECK.lock() {
        *at = Some(site);
    }
}

/// Makes every check note its place, so [`last_check_at`] can say where
/// the work that delays a cancel began. Costs a lock per check: for the
/// cancel benchmark, never for a real query.
pub fn trace_checks(on: bool) {
    TRACING.store(on, Ordering::Relaxed);
}

/// The file:line of the last check that found no cancel (while
/// [`trace_checks`] is on): read when the flag is set, it is the start of
/// the stretch of work whose end [`cancel_noticed_at`] gives.
pub fn last_check_at() -> Option<String> {
    let at = LAST_CHECK.lock().ok()?;
    at.map(|l| format!("{}:{}", l.file(), l.line()))
}

/// The file:line of the check that last noticed a cancel, so the cancel
/// benchmark can say which loop held a slow cancel up.
pub fn cancel_noticed_at() -> Option<String> {
    let at = NOTICED_AT.lock().ok()?;
    at.map(|(l, _)| format!("{}:{}", l.file(), l.line()))
}

/// When a cancel was last noticed: with the time the query returned, how
/// long unwinding (freeing what the query held) took.
pub fn cancel_noticed_when() -> Option<std::time::Instant> {
    let at = NOTICED_AT.lock().ok()?;
    at.map(|(_, when)| when)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Says, when dropped, the name of the thread that dropped it.
    struct Tells(std::sync::mpsc::Sender<Option<String>>);

    impl Drop for Tells {
        fn drop(&mut self) {
            let _ = self.0.send(std::thread::current().name().map(String::from));
        }
    }

    #[test]
    fn an_aside_value_is_freed_on_a_thread_of_its_own() {
        let (tx, rx) = std::sync::mpsc::channel();
        let aside = Aside::new(vec![Tells(tx)]);
        assert_eq!(aside.len(), 1);
        drop(aside);
        // A deadline for a thread to start, not a measure of speed.
        let freed_by = rx.recv_timeout(std::time::Duration::from_secs(30));
        assert_eq!(freed_by, Ok(Some("quarry-free".to_string())));
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(parse_size("512MB"), Ok(512 << 20));
        assert_eq!(parse_size("4GB"), Ok(4 << 30));
        assert_eq!(parse_size("4 GiB"), Ok(4 << 30));
        assert_eq!(parse_size("1.5g"), Ok(3 << 29));
        assert_eq!(parse_size("2000"), Ok(2000));
        assert_eq!(
            parse_size("4XB"),
            Err("'xb' is not a memory unit in '4XB' (use KB, MB, GB or TB)".to_string())
        );
        assert_eq!(
            parse_size("lots"),
            Err("'lots' is not a memory size (try 512MB or 4GB)".to_string())
        );
        assert!(parse_size("0").is_err());
    }

    #[test]
    fn numbers_read_easily() {
        assert_eq!(thousands(2_500_000_000), "2,500,000,000");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(human_bytes(500), "500 bytes");
        assert_eq!(human_bytes(3 << 29), "1.5 GiB");
    }

    #[test]
    fn the_budget_refuses_what_it_cannot_hold() {
        let budget = Budget::new(1 << 30);
        let growth = |count| Growth {
            operator: "join",
            count,
            unit: Unit::Rows,
            item_bytes: 256,
            advice: "filter first or join on more keys",
            span: Span { start: 3, end: 7 },
        };
        assert!(budget.admit(&growth(4_194_304)).is_ok());
        let e = budget.admit(&growth(2_500_000_000)).unwrap_err();
        assert_eq!(e.kind, ErrorKind::Limit);
        assert_eq!(
            e.message,
            "join would produce 2,500,000,000 rows (about 596.0 GiB), more than the limit of \
             4,194,304 rows (1.0 GiB of memory at 256 bytes a row; set with --max-memory); \
             filter first or join on more keys"
        );
        assert_eq!(e.span, Some(Span { start: 3, end: 7 }));
    }

    #[test]
    fn waited_work_gives_its_answer_and_a_cancel_does_not_wait_for_it() {
        let flag = AtomicBool::new(false);
        let cancel = Cancel::new(Some(&flag));
        assert_eq!(cancel.wait_for(|| 6 * 7), Ok(42));
        // Work that would take a minute: the cancel returns at once.
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        flag.store(true, Ordering::Relaxed);
        let out = cancel.wait_for(move || rx.recv_timeout(std::time::Duration::from_secs(60)));
        assert_eq!(out.err(), Some(QueryError::cancelled()));
        drop(tx);
    }

    #[test]
    #[should_panic(expected = "inside the waited work")]
    fn a_panic_in_waited_work_is_the_callers() {
        let flag = AtomicBool::new(false);
        let _ = Cancel::new(Some(&flag)).wait_for(|| panic!("inside the waited work"));
    }
}
