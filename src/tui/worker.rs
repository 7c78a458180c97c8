//! The background thread that does the slow work: loading tables, running
//! queries, writing exports. The UI thread never waits for it; it keeps
//! drawing and reads [`Reply`]s as they come.
//!
//! Jobs run one at a time, in order, except that a new query replaces a
//! query still waiting in the queue (its result would be thrown away) and
//! cancels the one running. Every job has its own cancel flag: the engine
//! checks it between operators, the loader between chunks.

use std::collections::VecDeque;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Receiver, Sender};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

use polars::prelude::*;

use crate::data::catalog::{Catalog, LoadError, Table};
use crate::data::load::{LoadControl, Progress, load_table};
use crate::data::source::discover;
use crate::kql::stored::StoredFunctions;
use crate::kql::{QueryError, Rows, RunOptions};
use crate::session::cells;
use crate::session::chart::StepChart;
use crate::session::export::{ExportError, ExportOptions, export_csv_file_until};
use crate::session::timeline::Timeline;

mod remote;
mod rules;

/// Work for the worker.
pub enum Job {
    /// Discover and load these paths into a catalog.
    Load {
        /// Files and folders, as given on the command line.
        paths: Vec<String>,
    },
    /// Run a query.
    Query {
        /// The text to run.
        text: String,
        /// The tables.
        catalog: Arc<Catalog>,
        /// The previous step's rows, standing for the table of that name.
        register: Option<(String, Rows)>,
        /// The query clock.
        now: i64,
        /// Where `externaldata` finds local copies of its files.
        data_dirs: Vec<PathBuf>,
        /// The stored functions the query may call.
        functions: Arc<StoredFunctions>,
        /// The pipeline whose `render` the result is drawn for (a table
        /// view's); the chart is built here, off the UI thread.
        chart_of: Option<String>,
    },
    /// Run detection rules together (sharing scans of a table) and
    /// explain each hit; a [`Reply::RuleDone`] per rule as it finishes,
    /// then [`Reply::RulesDone`].
    RunRules {
        /// Each rule's place in the App's list, and the rule.
        rules: Vec<(usize, crate::hunt::batch::Prepared)>,
        /// The tables.
        catalog: Arc<Catalog>,
        /// The query clock.
        now: i64,
        /// Where `externaldata` finds local copies of its files.
        data_dirs: Vec<PathBuf>,
        /// The stored functions the rules may call.
        functions: Arc<StoredFunctions>,
    },
    /// Run a pipeline on a remote engine, on a thread of its own: the
    /// service may take minutes, and local work goes on meanwhile.
    Remote {
        /// The engine.
        engine: Arc<crate::remote::Engine>,
        /// The pipeline, sent unchanged (but for the cap).
        text: String,
        /// At most this many rows (a view, which a newer query replaces);
        /// `None`: all the service gives (a pull).
        cap: Option<usize>,
    },
    /// List a remote engine's tables.
    RemoteTables {
        /// The engine.
        engine: Arc<crate::remote::Engine>,
    },
    /// Bin a view's rows over time for its timeline: at 50 million rows
    /// gathering the time column takes most of a second.
    Timeline {
        /// The view's rows.
        rows: Rows,
        /// The column to bin (the cursor's), if it holds times.
        column: Option<String>,
        /// At most this many bins.
        bins: usize,
    },
    /// Write rows of a frame to a CSV file.
    Export {
        /// The target file.
        path: PathBuf,
        /// The view's rows.
        frame: Rows,
        /// The rows to write, in view order; `None` for all.
        rows: Option<Vec<usize>>,
        /// Raw cells, overwrite.
        options: ExportOptions,
    },
}

/// What the worker sends back.
pub enum Reply {
    /// Loading progress, after each chunk.
    LoadProgress {
        /// Job id.
        id: u64,
        /// The table being loaded and how far it is.
        progress: Progress,
        /// Its position among the tables (0-based) and their number.
        index: usize,
        /// How many tables there are.
        count: usize,
    },
    /// The tables found, before any is loaded (names, in load order).
    LoadStarted {
        /// Job id.
        id: u64,
        /// Table names.
        tables: Vec<String>,
    },
    /// One source loaded: its tables (usable at once, while the others
    /// load) and the files of it that failed.
    TablesLoaded {
        /// Job id.
        id: u64,
        /// The tables.
        tables: Vec<Table>,
        /// Files that failed.
        errors: Vec<LoadError>,
    },
    /// Loading finished (or was cancelled: the tables sent so far are all).
    Loaded {
        /// Job id.
        id: u64,
        /// Paths that could not be read as sources at all.
        errors: Vec<LoadError>,
        /// Whether it stopped early.
        cancelled: bool,
        /// How long it took.
        elapsed: Duration,
    },
    /// A query finished.
    QueryDone {
        /// Job id.
        id: u64,
        /// The result (the first table of a query that makes several).
        result: Result<Rows, QueryError>,
        /// Every table of a query that makes several (`fork`, `facet`),
        /// with its name; empty for a query that makes one.
        several: Vec<(Option<String>, Rows)>,
        /// What the query warned of (the sources a fuzzy `union` left
        /// out).
        warnings: Vec<String>,
        /// The chart of the result, when the pipeline ends in `render`
        /// (boxed: a chart is large beside the other replies).
        chart: Option<Box<StepChart>>,
        /// How long it ran.
        elapsed: Duration,
    },
    /// A rule run finished: its hits and, per hit, why it fired.
    RuleDone {
        /// Job id.
        id: u64,
        /// The rule's place in the App's list.
        index: usize,
        /// The hits and the reasons.
        result: RuleOutcome,
        /// What its query warned of.
        warnings: Vec<String>,
        /// How long it ran.
        elapsed: Duration,
    },
    /// Rules running together have read more of a table they share.
    RulesScanning {
        /// Job id.
        id: u64,
        /// Which table, how far.
        progress: crate::hunt::batch::Scanning,
    },
    /// Every rule of a [`Job::RunRules`] has its [`Reply::RuleDone`].
    RulesDone {
        /// Job id.
        id: u64,
        /// How many rules ran.
        ran: usize,
        /// How many of them had hits.
        fired: usize,
        /// How many could not run (not counting cancelled ones).
        failed: usize,
        /// Whether the run was cancelled (the counts are then partial).
        cancelled: bool,
    },
    /// A remote query finished.
    RemoteDone {
        /// Job id.
        id: u64,
        /// The rows and what to know about them, or the service's error.
        result: Result<crate::session::engine::RemoteView, QueryError>,
        /// How long it ran.
        elapsed: Duration,
    },
    /// A remote engine's tables, or why they could not be listed.
    RemoteTables {
        /// Job id.
        id: u64,
        /// The tables.
        result: Result<Vec<crate::remote::tables::RemoteTable>, String>,
    },
    /// An export finished.
    ExportDone {
        /// Job id.
        id: u64,
        /// The file.
        path: PathBuf,
        /// Rows written.
        result: Result<u64, ExportError>,
    },
    /// A timeline was binned (or why it could not be).
    TimelineDone {
        /// Job id.
        id: u64,
        /// The timeline, or what to tell the analyst.
        result: Result<Timeline, String>,
    },
}

/// The hits of a rule and, for each, the exclusion conditions that did
/// not hold, in words.
pub type RuleOutcome = crate::hunt::batch::Outcome;

/// A job handed to the worker: its id and its cancel flag.
#[derive(Clone, Debug)]
pub struct Ticket {
    /// Identifies the job's replies.
    pub id: u64,
    /// Set it to stop the job.
    pub cancel: Arc<AtomicBool>,
}

impl Ticket {
    /// Asks the job to stop.
    pub fn cancel(&self) {
        self.cancel.store(true, Ordering::Relaxed);
    }
}

struct Queued {
    ticket: Ticket,
    job: Job,
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<Queued>,
    /// The query running now, to cancel when a newer one arrives.
    running_query: Option<Ticket>,
    shutdown: bool,
}

/// Handle to the worker thread. Dropping it stops the thread after the
/// job in hand (which is cancelled).
pub struct Worker {
    shared: Arc<(Mutex<Queue>, Condvar)>,
    replies: Receiver<Reply>,
    /// For loads, which run on their own thread so that the tables loaded
    /// so far can be queried while the others load.
    sender: Sender<Reply>,
    loads: Vec<Ticket>,
    /// The remote view query running, which a newer query cancels.
    remote_view: Option<Ticket>,
    next_id: u64,
}

impl Worker {
    /// Starts the thread; its queries run within `budget` (`None`: the
    /// machine's).
    pub fn spawn(budget: Option<crate::kql::Budget>) -> Worker {
        let shared = Arc::new((Mutex::new(Queue::default()), Condvar::new()));
        let (tx, rx) = mpsc::channel();
        let thread_shared = Arc::clone(&shared);
        let sender = tx.clone();
        let spawned = thread::Builder::new()
            .name("quarry-worker".into())
            .spawn(move || worker_loop(&thread_shared, &tx, budget));
        if let Err(e) = spawned {
            // Without a thread nothing can run; say so on every job instead
            // of failing to start.
            eprintln!("quarry: cannot start the worker thread: {e}");
        }
        Worker {
            shared,
            replies: rx,
            sender,
            loads: Vec::new(),
            remote_view: None,
            next_id: 1,
        }
    }

    /// Queues a job. A query replaces queries still waiting and cancels
    /// the one running.
    pub fn submit(&mut self, job: Job) -> Ticket {
        let ticket = Ticket {
            id: self.next_id,
            cancel: Arc::new(AtomicBool::new(false)),
        };
        self.next_id += 1;
        if let Job::Load { paths } = job {
            let tx = self.sender.clone();
            let load = ticket.clone();
            let spawned = thread::Builder::new()
                .name("quarry-loader".into())
                .spawn(move || {
                    // Each table is loaded under `run_catching`; this catches
                    // the rest (finding the files), so a bug there ends the
                    // load with an error instead of a spinner that never stops.
                    let reply = crate::tui::terminal::run_catching(|| run_load(&load, paths, &tx))
                        .unwrap_or_else(|msg| Reply::Loaded {
                            id: load.id,
                            errors: vec![LoadError::new(
                                std::path::Path::new(""),
                                None,
                                format!("internal error while loading: {msg}"),
                            )],
                            cancelled: false,
                            elapsed: Duration::ZERO,
                        });
                    let _ = tx.send(reply);
                });
            if let Err(e) = spawned {
                let _ = self.sender.send(Reply::Loaded {
                    id: ticket.id,
                    errors: vec![LoadError::new(
                        std::path::Path::new(""),
                        None,
                        format!("cannot start loading: {e}"),
                    )],
                    cancelled: false,
                    elapsed: Duration::ZERO,
                });
            }
            self.loads.retain(|t| !t.cancel.load(Ordering::Relaxed));
            self.loads.push(ticket.clone());
            return ticket;
        }
        let job = match remote::submit(self, job, &ticket) {
            Some(job) => job,
            None => return ticket,
        };
        let (lock, cvar) = &*self.shared;
        let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(job, Job::Query { .. }) {
            q.jobs.retain(|j| !matches!(j.job, Job::Query { .. }));
            if let Some(running) = q.running_query.take() {
                running.cancel();
            }
        }
        q.jobs.push_back(Queued {
            ticket: ticket.clone(),
            job,
        });
        cvar.notify_one();
        ticket
    }

    /// A reply, if one is waiting.
    pub fn try_recv(&self) -> Option<Reply> {
        self.replies.try_recv().ok()
    }

    /// Waits up to `timeout` for a reply.
    pub fn recv_timeout(&self, timeout: Duration) -> Option<Reply> {
        self.replies.recv_timeout(timeout).ok()
    }
}

impl Drop for Worker {
    fn drop(&mut self) {
        for load in &self.loads {
            load.cancel();
        }
        if let Some(r) = &self.remote_view {
            r.cancel();
        }
        let (lock, cvar) = &*self.shared;
        let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
        q.shutdown = true;
        for j in &q.jobs {
            j.ticket.cancel();
        }
        q.jobs.clear();
        if let Some(r) = &q.running_query {
            r.cancel();
        }
        cvar.notify_all();
    }
}

fn worker_loop(
    shared: &Arc<(Mutex<Queue>, Condvar)>,
    tx: &Sender<Reply>,
    budget: Option<crate::kql::Budget>,
) {
    let plugins = crate::hunt::plugins();
    loop {
        let next = {
            let (lock, cvar) = &**shared;
            let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
            loop {
                if q.shutdown {
                    return;
                }
                if let Some(job) = q.jobs.pop_front() {
                    if matches!(job.job, Job::Query { .. }) {
                        q.running_query = Some(job.ticket.clone());
                    }
                    break job;
                }
                q = cvar.wait(q).unwrap_or_else(|e| e.into_inner());
            }
        };
        let Queued { ticket, job } = next;
        let reply = match job {
            // Loads run on their own thread (see `Worker::submit`).
            Job::Load { paths } => run_load(&ticket, paths, tx),
            Job::Query {
                text,
                catalog,
                register,
                now,
                data_dirs,
                functions,
                chart_of,
            } => {
                let options = query_options(&ticket, now, data_dirs, functions, &plugins, budget);
                run_query(&ticket, &text, catalog, register, options, chart_of)
            }
            Job::RunRules {
                rules,
                catalog,
                now,
                data_dirs,
                functions,
            } => {
                let options = query_options(&ticket, now, data_dirs, functions, &plugins, budget);
                rules::run(&ticket, rules, &catalog, &options, tx)
            }
            Job::Export {
                path,
                frame,
                rows,
                options,
            } => run_export(&ticket, path, &frame, rows, options),
            Job::Timeline { rows, column, bins } => Reply::TimelineDone {
                id: ticket.id,
                result: match guarded(&ticket, || {
                    Ok(Timeline::build(&rows, column.as_deref(), bins))
                }) {
                    Ok(Ok(timeline)) => Ok(timeline),
                    Ok(Err(e)) => Err(e.to_string()),
                    Err(e) => Err(e.message),
                },
            },
            // Remote jobs run on threads of their own (see `Worker::submit`).
            job @ (Job::Remote { .. } | Job::RemoteTables { .. }) => remote::run(&ticket, job),
        };
        {
            let (lock, _) = &**shared;
            let mut q = lock.lock().unwrap_or_else(|e| e.into_inner());
            if q.running_query.as_ref().is_some_and(|r| r.id == ticket.id) {
                q.running_query = None;
            }
        }
        if tx.send(reply).is_err() {
            return;
        }
    }
}

fn run_load(ticket: &Ticket, paths: Vec<String>, tx: &Sender<Reply>) -> Reply {
    let started = Instant::now();
    let (sources, errors) = discover(&paths);
    let names: Vec<String> = sources.iter().map(|s| s.name.clone()).collect();
    let _ = tx.send(Reply::LoadStarted {
        id: ticket.id,
        tables: names.clone(),
    });
    let id = ticket.id;
    let progress_tx = Mutex::new(tx.clone());
    let progress = move |p: &Progress| {
        let index = names.iter().position(|n| n == &p.table).unwrap_or(0);
        if let Ok(tx) = progress_tx.lock() {
            let _ = tx.send(Reply::LoadProgress {
                id,
                progress: p.clone(),
                index,
                count: names.len(),
            });
        }
    };
    let control = LoadControl::new(&progress, &ticket.cancel);
    let mut errors = errors;
    for source in &sources {
        if control.cancelled() {
            break;
        }
        let result = crate::tui::terminal::run_catching(|| load_table(source, &control));
        let (tables, failed) = match result {
            Ok(loaded) => loaded,
            Err(msg) => {
                let path = source
                    .files
                    .first()
                    .map(|f| f.path.clone())
                    .unwrap_or_default();
                errors.push(LoadError::new(
                    &path,
                    None,
                    format!("internal error while loading: {msg}"),
                ));
                continue;
            }
        };
        let _ = tx.send(Reply::TablesLoaded {
            id: ticket.id,
            tables,
            errors: failed,
        });
    }
    Reply::Loaded {
        id: ticket.id,
        errors,
        cancelled: ticket.cancel.load(Ordering::Relaxed),
        elapsed: started.elapsed(),
    }
}

/// How a worker job runs its KQL: the query clock, the job's cancel flag,
/// the memory budget (the machine's, measured as the query starts, unless
/// one was set).
fn query_options(
    ticket: &Ticket,
    now: i64,
    data_dirs: Vec<PathBuf>,
    functions: Arc<StoredFunctions>,
    plugins: &[Arc<dyn crate::kql::Plugin>],
    budget: Option<crate::kql::Budget>,
) -> RunOptions {
    RunOptions {
        now,
        cancel: Some(Arc::clone(&ticket.cancel)),
        plugins: plugins.to_vec(),
        externaldata_dirs: data_dirs,
        functions,
        budget: budget.unwrap_or_default(),
        warnings: Default::default(),
    }
}

/// Runs a job's work so that a panic becomes an error the analyst sees,
/// and work cancelled after its last operator still reports cancelled:
/// the analyst asked for it to stop.
fn guarded<T>(
    ticket: &Ticket,
    work: impl FnOnce() -> Result<T, QueryError>,
) -> Result<T, QueryError> {
    let result = match crate::tui::terminal::run_catching(|| {
        #[cfg(debug_assertions)]
        debug_crash();
        work()
    }) {
        Ok(r) => r,
        Err(msg) => Err(QueryError::runtime(
            format!("internal error (please report it): {msg}"),
            None,
        )),
    };
    if ticket.cancel.load(Ordering::Relaxed) {
        Err(QueryError::cancelled())
    } else {
        result
    }
}

/// Test hooks for crashes, compiled into debug builds only (`cargo build`,
/// `cargo test`), never into a release binary, so they cannot ship to
/// analysts as a way to crash Quarry. The end-to-end tests set them on the
/// binary to prove that a panic inside a query leaves the workbench running
/// and an abort is cleaned up by the supervisor:
///
/// - `QUARRY_DEBUG_PANIC=1`: the next query or rule run panics on a rayon
///   pool thread, as a bug inside a Polars operator would;
/// - `QUARRY_DEBUG_ABORT=1`: the next one fails as an allocation of
///   13,107,200,000 bytes would (the message, then an abort).
///
/// "Next" is counted per process: only the first job after start crashes,
/// so the test can then show that the following query runs.
#[cfg(debug_assertions)]
fn debug_crash() {
    static DONE: AtomicBool = AtomicBool::new(false);
    let set = |name: &str| std::env::var_os(name).is_some_and(|v| v == "1");
    if set("QUARRY_DEBUG_ABORT") {
        // What the allocator does when memory runs out: the message on
        // standard error, then abort.
        let layout = std::alloc::Layout::from_size_align(13_107_200_000, 8);
        match layout {
            Ok(l) => std::alloc::handle_alloc_error(l),
            Err(_) => std::process::abort(),
        }
    }
    if set("QUARRY_DEBUG_PANIC") && !DONE.swap(true, Ordering::SeqCst) {
        // Called from outside the pool, rayon runs both halves on its own
        // threads and resumes the panic here, as it does inside Polars.
        rayon::join(
            || panic!("QUARRY_DEBUG_PANIC: a panic inside the query"),
            || (),
        );
    }
}

fn run_query(
    ticket: &Ticket,
    text: &str,
    catalog: Arc<Catalog>,
    register: Option<(String, Rows)>,
    options: RunOptions,
    chart_of: Option<String>,
) -> Reply {
    let started = Instant::now();
    let input = register.as_ref().map(|(name, rows)| (name.as_str(), rows));
    let result = guarded(ticket, || {
        if crate::kql::several_results(text).is_some() {
            crate::kql::run_rows_results(&catalog, text, &options, input)
        } else {
            crate::kql::run_rows(&catalog, text, &options, input).map(|rows| vec![(None, rows)])
        }
    });
    let elapsed = started.elapsed();
    let (result, several) = match result {
        Ok(tables) if tables.len() > 1 => (Ok(tables[0].1.clone()), tables),
        Ok(mut tables) => match tables.pop() {
            Some((_, rows)) => (Ok(rows), Vec::new()),
            None => (Ok(Rows::default()), Vec::new()),
        },
        Err(e) => (Err(e), Vec::new()),
    };
    // Reading millions of rows into a chart takes a while too: here, not
    // on the UI thread when the result arrives.
    let (result, chart) = match (result, chart_of) {
        (Ok(frame), Some(pipeline)) => {
            match guarded(ticket, || {
                Ok(StepChart::for_result(&pipeline, &frame).map(Box::new))
            }) {
                Ok(chart) => (Ok(frame), chart),
                // Cancelled (or a bug) while drawing: reported as the query.
                Err(e) => (Err(e), None),
            }
        }
        (result, _) => (result, None),
    };
    Reply::QueryDone {
        id: ticket.id,
        result,
        several,
        warnings: options.warnings.take(),
        chart,
        elapsed,
    }
}

fn run_export(
    ticket: &Ticket,
    path: PathBuf,
    frame: &Rows,
    rows: Option<Vec<usize>>,
    options: ExportOptions,
) -> Reply {
    let result = crate::tui::terminal::run_catching(|| {
        // Gather the chosen rows only, so text is made only for them.
        let chosen = match rows {
            Some(rows) => {
                let idx: Vec<IdxSize> = rows.iter().map(|&r| r as IdxSize).collect();
                frame.take(&IdxCa::from_vec("idx".into(), idx))
            }
            None => Ok(frame.clone()),
        };
        let chosen = chosen
            .and_then(|c| c.gather(crate::kql::Cancel::new(Some(&ticket.cancel))))
            .map_err(|e| match e.kind {
                crate::kql::error::ErrorKind::Cancelled => ExportError::Cancelled,
                _ => ExportError::Io {
                    path: path.clone(),
                    source: std::io::Error::other(e.message),
                },
            })?;
        let columns = cells::text_columns(&chosen);
        let text_rows = cells::rows_text(&columns, 0..chosen.height());
        export_csv_file_until(
            &path,
            &cells::header(&chosen),
            text_rows,
            &options,
            &ticket.cancel,
        )
    });
    let result = match result {
        Ok(r) => r,
        Err(msg) => Err(ExportError::Io {
            path: path.clone(),
            source: std::io::Error::other(format!("internal error: {msg}")),
        }),
    };
    Reply::ExportDone {
        id: ticket.id,
        path,
        result,
    }
}
