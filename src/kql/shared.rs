//! Many queries at once over the same tables (`quarry rules run --all`):
//! the queries that begin `Table | where P` share one pass over `Table`.
//!
//! The table is read a slice at a time. For each slice every query's
//! predicate is evaluated while the slice's columns are in cache, and a
//! condition that several queries test (Sigma rules test
//! `FolderPath endswith "\\cmd.exe"` hundreds of times) is evaluated once
//! per slice. Each query's matching rows are then gathered and the rest of
//! its pipeline runs as usual. The answers are exactly those of running
//! each query on its own ([`run_query`]), which the other queries take.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;
use std::time::Instant;

use polars::prelude::*;
use rayon::prelude::*;

use super::ast::{BinaryOp, Expr, ExprKind, OperatorKind, Query, Source};
use super::error::QueryError;
use super::expr::{binary, not};
use super::operators::{Kept, gather, kept};
use super::run::{RunOptions, Runner, run_query};
use super::value::Val;
use crate::data::catalog::Catalog;
use crate::data::types::KqlType;

/// Rows of a table read between two looks at the cancel flag. Large: a
/// condition on encoded text is answered on the column's dictionary (which
/// every table shares) once per slice, so many small slices repeat that
/// work.
const SLICE: usize = 1 << 21;

/// One query's answer, and the time spent on it alone (its share of a
/// shared scan counts only the conditions it was first to test).
pub struct Answer {
    pub result: Result<DataFrame, QueryError>,
    pub seconds: f64,
    /// What the query warned of (see [`super::Warnings`]).
    pub warnings: Vec<String>,
}

/// How far a shared scan has read its table.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scanned<'a> {
    /// The table read.
    pub table: &'a str,
    /// How many queries share this scan.
    pub queries: usize,
    /// Its place among the shared scans, 0-based (they run one table
    /// after another).
    pub scan: usize,
    /// How many shared scans the run has.
    pub scans: usize,
    /// Rows of the table read so far: slices every query has tested.
    pub read: usize,
    /// The table's rows.
    pub rows: usize,
    /// The work done, counted in rows times queries (each query's
    /// condition tested on a row). It grows within a slice, so progress
    /// shows while a large slice is read.
    pub tested: u64,
    /// The scan's work: the table's rows times its queries.
    pub tests: u64,
}

impl Scanned<'_> {
    /// The share of the scan's work done, in whole percent.
    pub fn percent(&self) -> u64 {
        (self.tested * 100).checked_div(self.tests).unwrap_or(100)
    }
}

/// What a run of many queries reports while it goes, so that a caller can
/// show progress (the command line prints it, the workbench shows it). The
/// calls come from the threads doing the work; neither method may block
/// for long.
pub trait Watch: Sync {
    /// A shared scan has done more of its work: called once as it begins
    /// (`read` 0), once per slice in table order (`read` growing to
    /// `rows` unless the run is cancelled), and in between as the share
    /// of the work done passes each whole percent. One call at a time.
    fn scanned(&self, _progress: &Scanned) {}

    /// Query `index` (its place in the queries given) has its answer.
    /// Called once per query, from several threads at once, in the order
    /// the answers come.
    fn answered(&self, _index: usize, _answer: &Answer) {}
}

/// Runs every query of `queries`, sharing the scans of those that begin
/// `Table | where P`, and tells `watch` how far it is. Answers are in the
/// order of `queries`.
pub fn run_many(
    catalog: &Catalog,
    queries: &[Query],
    options: &RunOptions,
    watch: &dyn Watch,
) -> Vec<Answer> {
    run_sliced(catalog, queries, options, watch, SLICE)
}

/// [`run_many`], reading tables `slice` rows at a time.
fn run_sliced(
    catalog: &Catalog,
    queries: &[Query],
    options: &RunOptions,
    watch: &dyn Watch,
    slice: usize,
) -> Vec<Answer> {
    let runner = Runner::new(catalog, options);
    let mut by_table: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, q) in queries.iter().enumerate() {
        if let Some(table) = scan_of(&runner, catalog, q) {
            by_table.entry(table).or_default().push(i);
        }
    }
    // The shared scans first: each spreads over every core on its own.
    let mut scanned: HashMap<usize, (Result<IdxCa, QueryError>, f64)> = HashMap::new();
    let scans = by_table.len();
    for (n, (table, members)) in by_table.iter().enumerate() {
        let predicates: Vec<&Expr> = members
            .iter()
            .filter_map(|&i| first_where(&queries[i]))
            .collect();
        let progress = Scanned {
            table,
            queries: members.len(),
            scan: n,
            scans,
            read: 0,
            rows: 0,
            tested: 0,
            tests: 0,
        };
        let kept = scan(&runner, catalog, &predicates, slice, progress, watch);
        for (&i, rows) in members.iter().zip(kept) {
            scanned.insert(i, rows);
        }
    }
    // Then every query's own work, in parallel.
    let answers: Vec<Answer> = (0..queries.len())
        .into_par_iter()
        .map(|i| {
            let started = Instant::now();
            // Each query's warnings are its own.
            let own = RunOptions {
                warnings: Default::default(),
                ..options.clone()
            };
            let (result, scan_seconds) = match scanned.get(&i) {
                Some((rows, seconds)) => (
                    rest_of(
                        &Runner::new(catalog, &own),
                        catalog,
                        &queries[i],
                        rows.clone(),
                    ),
                    *seconds,
                ),
                None => (run_query(catalog, &queries[i], &own), 0.0),
            };
            let answer = Answer {
                result,
                seconds: scan_seconds + started.elapsed().as_secs_f64(),
                warnings: own.warnings.take(),
            };
            watch.answered(i, &answer);
            answer
        })
        .collect();
    answers
}

/// The table a query scans first with a `where`, when its scan can be
/// shared: no `let`s, a catalog table as its source, and a first `where`
/// whose predicate reads each row on its own.
fn scan_of<'q>(runner: &Runner, catalog: &Catalog, q: &'q Query) -> Option<&'q str> {
    if !q.lets.is_empty() || q.restrict.is_some() {
        return None;
    }
    let Source::Table(id) = &q.body.source else {
        return None;
    };
    let table = catalog.get(&id.name)?;
    let predicate = first_where(q)?;
    runner
        .row_local(predicate, &table.frame)
        .then_some(id.name.as_str())
}

/// The predicate of a query's first operator, when it is a `where`.
fn first_where(q: &Query) -> Option<&Expr> {
    match &q.body.ops.first()?.kind {
        OperatorKind::Where(p) => Some(p),
        _ => None,
    }
}

/// The rows of `progress.table` each predicate keeps, and the seconds
/// spent on each; the table is read once, a slice at a time, and `watch`
/// hears of each slice read.
fn scan(
    runner: &Runner,
    catalog: &Catalog,
    predicates: &[&Expr],
    slice_rows: usize,
    progress: Scanned,
    watch: &dyn Watch,
) -> Vec<(Result<IdxCa, QueryError>, f64)> {
    let cancelled = || {
        predicates
            .iter()
            .map(|_| (Err(QueryError::cancelled()), 0.0))
            .collect()
    };
    let Some(frame) = catalog.get(progress.table).map(|t| &t.frame) else {
        return cancelled();
    };
    let rows = frame.height();
    let starts: Vec<usize> = (0..rows).step_by(slice_rows.max(1)).collect();
    let cancel = runner.cancel();
    let read = Mutex::new(Reading {
        progress: Scanned {
            rows,
            tests: rows as u64 * predicates.len() as u64,
            ..progress
        },
        done: vec![false; starts.len()],
        next: 0,
        percent: 0,
    });
    if let Ok(read) = read.lock() {
        watch.scanned(&read.progress);
    }
    // Per slice, per predicate: the rows kept (offsets into the table) or
    // the error, and the seconds it took.
    let per_slice: Result<Vec<Vec<Tested>>, QueryError> = starts
        .par_iter()
        .map(|&at| {
            cancel.check()?;
            let slice = frame.slice(at as i64, slice_rows.min(rows - at));
            let tested = Mutex::new(HashMap::new());
            // The queries' conditions on a slice are tested on every core
            // (a table of one slice, read by a thousand rules, would
            // otherwise keep one core busy). The flag is looked at before
            // each condition: a slice of 2M rows tested by hundreds of
            // rules takes minutes.
            let kept_rows: Vec<Tested> = predicates
                .par_iter()
                .map(|p| {
                    cancel.check()?;
                    let t = Instant::now();
                    let kept_rows = shared_eval(runner, p, &slice, &tested)
                        .and_then(|v| kept(v, slice.height(), p.span))
                        .map(|k| offsets(k, at, slice.height()));
                    let seconds = t.elapsed().as_secs_f64();
                    if let Ok(mut read) = read.lock() {
                        read.tested(slice.height(), watch);
                    }
                    Ok((kept_rows, seconds))
                })
                .collect::<Result<_, QueryError>>()?;
            // Conditions tested side by side may all have begun before a
            // cancel: a cancelled slice is never reported as read.
            cancel.check()?;
            if let Ok(mut read) = read.lock() {
                read.slice_done(at / slice_rows.max(1), slice_rows, watch);
            }
            Ok(kept_rows)
        })
        .collect();
    let per_slice = match per_slice {
        Ok(p) => p,
        Err(_) => return cancelled(),
    };
    (0..predicates.len())
        .map(|q| {
            let mut rows: Vec<IdxSize> = Vec::new();
            let mut seconds = 0.0;
            let mut failed = None;
            for slice in &per_slice {
                let (kept_rows, s) = &slice[q];
                seconds += s;
                match kept_rows {
                    Ok(r) => rows.extend_from_slice(r),
                    Err(e) => {
                        failed = Some(e.clone());
                        break;
                    }
                }
            }
            match failed {
                Some(e) => (Err(e), seconds),
                None => (Ok(IdxCa::from_vec("".into(), rows)), seconds),
            }
        })
        .collect()
}

/// A scan's progress as its slices end. Slices end in any order on the
/// pool's threads; the watch hears of them in table order (a slice that
/// ends early waits for those before it), so what it is told was read is
/// always the table's first rows.
struct Reading<'a> {
    progress: Scanned<'a>,
    /// Which slices have ended.
    done: Vec<bool>,
    /// The first slice not yet reported.
    next: usize,
    /// The share of the work last reported, in whole percent.
    percent: u64,
}

impl Reading<'_> {
    /// Slice `n` (of `slice_rows` rows, the last maybe fewer) has ended:
    /// reports it and the ended slices after it, in order.
    fn slice_done(&mut self, n: usize, slice_rows: usize, watch: &dyn Watch) {
        if let Some(d) = self.done.get_mut(n) {
            *d = true;
        }
        while self.done.get(self.next).copied().unwrap_or(false) {
            self.next += 1;
            let p = &mut self.progress;
            p.read = (p.read + slice_rows).min(p.rows);
            self.percent = p.percent();
            watch.scanned(p);
        }
    }

    /// A query's condition was tested on `rows` rows: reported when the
    /// share of the work done reaches another whole percent.
    fn tested(&mut self, rows: usize, watch: &dyn Watch) {
        self.progress.tested += rows as u64;
        let percent = self.progress.percent();
        if percent != self.percent {
            self.percent = percent;
            watch.scanned(&self.progress);
        }
    }
}

/// One predicate on one slice: the table offsets of the rows it keeps (or
/// its error), and the seconds it took.
type Tested = (Result<Vec<IdxSize>, QueryError>, f64);

/// The table offsets of the rows a slice starting at `at` keeps.
fn offsets(k: Kept, at: usize, len: usize) -> Vec<IdxSize> {
    let base = at as IdxSize;
    match k {
        Kept::All => (base..base + len as IdxSize).collect(),
        Kept::None => Vec::new(),
        Kept::Rows(mask) => mask
            .iter()
            .enumerate()
            .filter(|(_, keep)| *keep == Some(true))
            .map(|(i, _)| base + i as IdxSize)
            .collect(),
    }
}

/// Evaluates a predicate like [`Runner::eval`], taking the value of each
/// condition on a column another predicate already tested in this slice
/// from `tested`. Two threads that meet the same new condition at once may
/// both evaluate it; the answers are the same.
fn shared_eval(
    runner: &Runner,
    e: &Expr,
    slice: &DataFrame,
    tested: &Mutex<HashMap<String, Val>>,
) -> Result<Val, QueryError> {
    let rows = slice.height();
    match &e.kind {
        ExprKind::Binary {
            op: op @ (BinaryOp::And | BinaryOp::Or),
            left,
            right,
        } => {
            let l = shared_eval(runner, left, slice, tested)?;
            let r = shared_eval(runner, right, slice, tested)?;
            binary(*op, l, r, rows, e.span)
        }
        ExprKind::Call { name, args } if name.name == "not" && args.len() == 1 => {
            let v = shared_eval(runner, &args[0], slice, tested)?;
            if v.kind() == KqlType::Bool {
                not(v, rows)
            } else {
                // The function's own error for a value that is not a bool.
                runner.eval(e, slice)
            }
        }
        _ => match condition_key(e) {
            Some(key) => {
                let known = tested.lock().ok().and_then(|t| t.get(&key).cloned());
                if let Some(v) = known {
                    return Ok(v);
                }
                let v = runner.eval(e, slice)?;
                if let Ok(mut t) = tested.lock() {
                    t.insert(key, v.clone());
                }
                Ok(v)
            }
            None => runner.eval(e, slice),
        },
    }
}

/// A condition's identity across queries (ignoring where it was written):
/// a comparison, string operator or list test of a column against
/// literals. Other expressions are not shared.
fn condition_key(e: &Expr) -> Option<String> {
    fn operand(e: &Expr) -> Option<String> {
        match &e.kind {
            ExprKind::Name(n) => Some(format!("[{n}]")),
            ExprKind::Literal(l) => Some(format!("{l:?}")),
            _ => None,
        }
    }
    match &e.kind {
        ExprKind::StringOp { op, left, right } => {
            Some(format!("{op:?}({},{})", operand(left)?, operand(right)?))
        }
        ExprKind::Binary { op, left, right } => {
            Some(format!("{op:?}({},{})", operand(left)?, operand(right)?))
        }
        ExprKind::List { op, left, items } => {
            let items: Option<Vec<String>> = items.iter().map(operand).collect();
            Some(format!("{op:?}({},[{}])", operand(left)?, items?.join(",")))
        }
        _ => None,
    }
}

/// A scanned query's answer: its kept rows gathered, then the operators
/// after its first `where`.
fn rest_of(
    runner: &Runner,
    catalog: &Catalog,
    q: &Query,
    rows: Result<IdxCa, QueryError>,
) -> Result<DataFrame, QueryError> {
    let rows = rows?;
    let Source::Table(id) = &q.body.source else {
        return Err(QueryError::runtime("a shared scan lost its table", None));
    };
    let table = catalog
        .get(&id.name)
        .ok_or_else(|| runner.unknown_table(&id.name, id.span))?;
    let frame = gather(&table.frame, &rows, runner.cancel(), id.span)?;
    runner.operators(&q.body.ops[1..], frame, Some(id.name.as_str()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::catalog::Table;
    use crate::data::encode::encode_frame;
    use crate::kql::parser::parse;
    use crate::kql::run;

    /// Slices small enough that the test table spans four.
    const TEST_SLICE: usize = 1 << 17;

    /// Process events over more rows than a slice, the paths
    /// dictionary-encoded as the catalog stores them.
    fn catalog() -> Catalog {
        let rows = 3 * TEST_SLICE + 1234;
        let paths = [
            r"C:\Windows\System32\cmd.exe",
            r"C:\Tools\psexec.exe",
            r"C:\Windows\notepad.exe",
        ];
        let path: Vec<&str> = (0..rows).map(|i| paths[(i * 7) % 3]).collect();
        let line: Vec<String> = (0..rows)
            .map(|i| format!("run -n {} /c whoami", i % 1000))
            .collect();
        let port: Vec<Option<i64>> = (0..rows)
            .map(|i| (i % 9 != 0).then_some((i % 500) as i64))
            .collect();
        let frame = DataFrame::new(
            rows,
            vec![
                Column::new("FolderPath".into(), path),
                Column::new("ProcessCommandLine".into(), line),
                Column::new("RemotePort".into(), port),
            ],
        )
        .expect("frame");
        let mut catalog = Catalog::new();
        catalog.insert(Table {
            name: "DeviceProcessEvents".into(),
            frame: encode_frame(frame).expect("encoded"),
            files: Vec::new(),
            warnings: Vec::new(),
        });
        catalog
    }

    /// One report of a scan: table, queries, scan, scans, read, rows.
    type Seen = (String, usize, usize, usize, usize, usize);

    /// One report of a scan's work: table, tested, tests.
    type Work = (String, u64, u64);

    /// What a run told its watch.
    #[derive(Default)]
    struct Recorded {
        scans: std::sync::Mutex<Vec<Seen>>,
        work: std::sync::Mutex<Vec<Work>>,
        answered: std::sync::Mutex<Vec<usize>>,
    }

    impl Watch for Recorded {
        fn scanned(&self, p: &Scanned) {
            let seen = (p.table.into(), p.queries, p.scan, p.scans, p.read, p.rows);
            self.scans.lock().expect("scans").push(seen);
            let work = (p.table.into(), p.tested, p.tests);
            self.work.lock().expect("work").push(work);
        }

        fn answered(&self, index: usize, _answer: &Answer) {
            self.answered.lock().expect("answers").push(index);
        }
    }

    #[test]
    fn the_watch_sees_every_slice_of_every_shared_table_in_order() {
        let mut catalog = catalog();
        let network = DataFrame::new(
            5,
            vec![Column::new(
                "RemotePort".into(),
                [443i64, 80, 4444, 443, 22],
            )],
        )
        .expect("frame");
        catalog.insert(Table {
            name: "DeviceNetworkEvents".into(),
            frame: network,
            files: Vec::new(),
            warnings: Vec::new(),
        });
        let texts = [
            "DeviceProcessEvents | where RemotePort == 7 | count",
            "DeviceNetworkEvents | where RemotePort == 443",
            "DeviceProcessEvents | take 1",
            r#"DeviceProcessEvents | where FolderPath endswith "\\cmd.exe""#,
        ];
        let queries: Vec<Query> = texts.iter().map(|t| parse(t).expect("parses")).collect();
        let watch = Recorded::default();
        let answers = run_sliced(
            &catalog,
            &queries,
            &RunOptions::default(),
            &watch,
            TEST_SLICE,
        );
        assert_eq!(answers.len(), 4);
        let rows = 3 * TEST_SLICE + 1234;
        let process = |read| ("DeviceProcessEvents".to_string(), 2, 1, 2, read, rows);
        // Reports of work within a slice repeat the rows read so far.
        let mut scans = watch.scans.into_inner().expect("scans");
        let reports = scans.len();
        scans.dedup();
        // Tables in name order; each begins at 0 and ends at its height.
        assert_eq!(
            scans,
            [
                ("DeviceNetworkEvents".to_string(), 1, 0, 2, 0, 5),
                ("DeviceNetworkEvents".to_string(), 1, 0, 2, 5, 5),
                process(0),
                process(TEST_SLICE),
                process(2 * TEST_SLICE),
                process(3 * TEST_SLICE),
                process(rows),
            ]
        );
        let mut answered = watch.answered.into_inner().expect("answers");
        answered.sort_unstable();
        assert_eq!(answered, [0, 1, 2, 3]);
        // The work grows to rows times queries, reported as it passes
        // whole percents: the first condition tested on the first slice is
        // heard before that slice's end.
        let work = watch.work.into_inner().expect("work");
        assert!(reports > scans.len(), "{work:?}");
        let process: Vec<(u64, u64)> = work
            .iter()
            .filter(|(t, _, _)| t == "DeviceProcessEvents")
            .map(|(_, tested, tests)| (*tested, *tests))
            .collect();
        assert!(process.windows(2).all(|w| w[0].0 <= w[1].0), "{process:?}");
        assert_eq!(process.first(), Some(&(0, 2 * rows as u64)));
        assert_eq!(process.last(), Some(&(2 * rows as u64, 2 * rows as u64)));
        assert_eq!(work.last().map(|w| w.1 * 100 / w.2), Some(100));
    }

    /// Cancels the run at the first report of work within a slice.
    struct CancelWhenTested(std::sync::Arc<std::sync::atomic::AtomicBool>, Recorded);

    impl Watch for CancelWhenTested {
        fn scanned(&self, p: &Scanned) {
            if p.tested > 0 {
                self.0.store(true, std::sync::atomic::Ordering::Relaxed);
            }
            self.1.scanned(p);
        }
    }

    #[test]
    fn a_scan_cancelled_within_a_slice_stops_before_the_next_condition() {
        let catalog = catalog();
        let queries = [
            parse("DeviceProcessEvents | where RemotePort == 7").expect("parses"),
            parse("DeviceProcessEvents | where RemotePort == 8").expect("parses"),
        ];
        let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let options = RunOptions {
            cancel: Some(flag.clone()),
            ..Default::default()
        };
        let watch = CancelWhenTested(flag, Recorded::default());
        let answers = run_sliced(&catalog, &queries, &options, &watch, TEST_SLICE);
        for a in &answers {
            let err = a.result.as_ref().expect_err("cancelled");
            assert_eq!(err.kind, crate::kql::error::ErrorKind::Cancelled);
        }
        // The first slice never ended: its second condition was not tested.
        let scans = watch.1.scans.into_inner().expect("scans");
        assert!(scans.iter().all(|s| s.4 == 0), "{scans:?}");
    }

    #[test]
    fn a_cancelled_scan_answers_cancelled() {
        let catalog = catalog();
        let queries = [parse("DeviceProcessEvents | where RemotePort == 7").expect("parses")];
        let options = RunOptions {
            cancel: Some(std::sync::Arc::new(std::sync::atomic::AtomicBool::new(
                true,
            ))),
            ..Default::default()
        };
        let watch = Recorded::default();
        let answers = run_sliced(&catalog, &queries, &options, &watch, TEST_SLICE);
        let err = answers[0].result.as_ref().expect_err("cancelled");
        assert_eq!(err.kind, crate::kql::error::ErrorKind::Cancelled);
        // The scan began and read nothing.
        let scans = watch.scans.into_inner().expect("scans");
        assert_eq!(scans.len(), 1);
        assert_eq!(scans[0].4, 0);
        assert_eq!(watch.answered.into_inner().expect("answers"), [0]);
    }

    #[test]
    fn shared_scans_answer_as_each_query_alone() {
        let catalog = catalog();
        let texts = [
            r#"DeviceProcessEvents | where FolderPath endswith "\\cmd.exe" and ProcessCommandLine contains "-n 12""#,
            r#"DeviceProcessEvents | where FolderPath endswith "\\cmd.exe" or RemotePort == 7"#,
            r#"DeviceProcessEvents | where not(FolderPath endswith "\\cmd.exe") and RemotePort in (1, 2, 3) | summarize count() by FolderPath | sort by FolderPath asc"#,
            r#"DeviceProcessEvents | where RemotePort > 495 | where ProcessCommandLine has "whoami" | count"#,
            // Null ports: neither kept by the comparison nor by its negation.
            r#"DeviceProcessEvents | where not(RemotePort >= 0) | count"#,
            // A type error, in both ways of running.
            r#"DeviceProcessEvents | where RemotePort"#,
            r#"DeviceProcessEvents | where not(RemotePort)"#,
            // Not shared: a let, a subquery, a table that is not there.
            r#"let p = 4; DeviceProcessEvents | where RemotePort == p | count"#,
            r#"DeviceProcessEvents | where RemotePort == toscalar(DeviceProcessEvents | summarize max(RemotePort)) | count"#,
            r#"NoSuchTable | where x == 1"#,
            r#"DeviceProcessEvents | take 3"#,
        ];
        let queries: Vec<Query> = texts.iter().map(|t| parse(t).expect("parses")).collect();
        let options = RunOptions::default();
        let watch = Recorded::default();
        let answers = run_sliced(&catalog, &queries, &options, &watch, TEST_SLICE);
        let mut answered = watch.answered.into_inner().expect("answers");
        answered.sort_unstable();
        assert_eq!(answered, (0..texts.len()).collect::<Vec<_>>());
        assert_eq!(answers.len(), texts.len());
        // The shared ones found rows in every slice (so a row lost or
        // misplaced between slices would show).
        let heights: Vec<usize> = answers[..2]
            .iter()
            .map(|a| a.result.as_ref().map_or(0, |f| f.height()))
            .collect();
        assert_eq!(heights, [1_449, 132_010]);
        for (text, answer) in texts.iter().zip(answers) {
            let alone = run(&catalog, text, &options);
            match (&answer.result, &alone) {
                (Ok(shared), Ok(alone)) => {
                    assert!(shared.equals_missing(alone), "{text}\n{shared}\n{alone}")
                }
                (Err(shared), Err(alone)) => assert_eq!(shared.message, alone.message, "{text}"),
                _ => panic!(
                    "{text}: {:?} alone, {:?} shared",
                    alone.is_ok(),
                    answer.result.is_ok()
                ),
            }
        }
    }

    #[test]
    fn only_a_first_where_on_a_table_is_shared() {
        let catalog = catalog();
        let options = RunOptions::default();
        let runner = Runner::new(&catalog, &options);
        let table =
            |t: &str| scan_of(&runner, &catalog, &parse(t).expect("parses")).map(str::to_string);
        assert_eq!(
            table("DeviceProcessEvents | where RemotePort == 1"),
            Some("DeviceProcessEvents".into())
        );
        assert_eq!(
            table("let p = 1; DeviceProcessEvents | where RemotePort == p"),
            None
        );
        assert_eq!(
            table("DeviceProcessEvents | take 1 | where RemotePort == 1"),
            None
        );
        assert_eq!(
            table("DeviceProcessEvents | where RemotePort == prev(RemotePort)"),
            None
        );
        assert_eq!(table("Nope | where RemotePort == 1"), None);
    }

    #[test]
    fn a_condition_is_known_by_what_it_tests_not_where_it_was_written() {
        let key = |t: &str| match &parse(t).expect("parses").body.ops[0].kind {
            OperatorKind::Where(p) => condition_key(p),
            _ => None,
        };
        assert_eq!(
            key(r#"T | where A endswith "x""#),
            key(r#"T |   where   A endswith "x""#)
        );
        assert_ne!(
            key(r#"T | where A endswith "x""#),
            key(r#"T | where A endswith_cs "x""#)
        );
        assert_ne!(
            key(r#"T | where A endswith "x""#),
            key(r#"T | where B endswith "x""#)
        );
        assert_eq!(
            key(r#"T | where A in ("a", "b")"#),
            Some(r#"In([A],[String("a"),String("b")])"#.into())
        );
        assert_eq!(key(r#"T | where tolower(A) == "x""#), None);
    }
}
