//! Rules run together, as the workbench's "run all" does: every rule's
//! query goes through [`run_many`] (the path `quarry rules run --all`
//! takes), so rules that read the same table share its scan, and each
//! rule's hits are explained ([`verdict::explain`]) as soon as they come.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use polars::prelude::DataFrame;

use super::rules::Rule;
use super::verdict::{self, Condition, Why};
use crate::data::catalog::Catalog;
use crate::kql::ast::Query;
use crate::kql::error::QueryError;
use crate::kql::parser::parse;
use crate::kql::shared::{Answer, Scanned, Watch, run_many};
use crate::kql::{RunOptions, run};
use crate::text::thousands;

/// The stack of each thread that runs rules (the main thread's size on
/// Linux): a rule whose `where` is a long chain of `or`s (a converted
/// Sigma rule) is planned recursively, deeper than rayon's default 2 MiB
/// allows.
const RULE_STACK: usize = 8 << 20;

/// A pool of threads with [`RULE_STACK`]-sized stacks for running rules.
pub fn rule_pool() -> Result<rayon::ThreadPool, String> {
    rayon::ThreadPoolBuilder::new()
        .stack_size(RULE_STACK)
        .thread_name(|i| format!("rule-{i}"))
        .build()
        .map_err(|e| format!("cannot start the rule threads: {e}"))
}

/// A rule ready to run: its query with parameters bound, and what is
/// needed to explain its hits.
#[derive(Debug, Clone, PartialEq)]
pub struct Prepared {
    /// The bound query.
    pub text: String,
    /// The `let` statements of the bound query.
    pub lets: String,
    /// The conditions of the rule's `where not(...)` exclusions.
    pub conditions: Vec<Condition>,
}

impl Prepared {
    /// Rule `rule` with its own parameter values.
    pub fn of(rule: &Rule) -> Result<Prepared, QueryError> {
        let text = rule.bound_query(&BTreeMap::new())?;
        Ok(Prepared {
            conditions: verdict::exclusion_conditions(&rule.query.text).unwrap_or_default(),
            lets: verdict::lets_text(&text),
            text,
        })
    }
}

/// A rule's hits and, for each, why it fired; or why it could not run.
pub type Outcome = Result<(DataFrame, Vec<Why>), QueryError>;

/// Runs one rule on its own.
pub fn run_one(catalog: &Catalog, rule: &Prepared, options: &RunOptions) -> Outcome {
    let hits = run(catalog, &rule.text, options)?;
    let why = verdict::explain(&hits, &rule.conditions, &rule.lets, options);
    Ok((hits, why))
}

/// How far a run of rules has read a table they share, in words for a
/// progress line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scanning {
    /// The table.
    pub table: String,
    /// How many rules read it together.
    pub rules: usize,
    /// Its place among the shared tables, 0-based, and their number.
    pub scan: usize,
    /// How many tables are scanned.
    pub scans: usize,
    /// Rows every rule has tested, of `rows`.
    pub read: usize,
    /// The table's rows.
    pub rows: usize,
    /// The share of the scan's work done, in whole percent.
    pub percent: u64,
}

impl From<&Scanned<'_>> for Scanning {
    fn from(p: &Scanned) -> Scanning {
        Scanning {
            table: p.table.to_string(),
            rules: p.queries,
            scan: p.scan,
            scans: p.scans,
            read: p.read,
            rows: p.rows,
            percent: p.percent(),
        }
    }
}

impl Scanning {
    /// "scanning DeviceProcessEvents (812 rules; table 4 of 5): 45% (rows
    /// 2,097,152/5,000,000 done)".
    pub fn words(&self) -> String {
        format!(
            "scanning {} ({} {}; table {} of {}): {}% (rows {}/{} done)",
            self.table,
            thousands(self.rules as u64),
            if self.rules == 1 { "rule" } else { "rules" },
            self.scan + 1,
            self.scans,
            self.percent,
            thousands(self.read as u64),
            thousands(self.rows as u64)
        )
    }
}

/// What a run of rules tells its caller as it goes. Calls come from the
/// threads doing the work.
pub trait RulesWatch: Sync {
    /// A shared scan has read more of its table (see [`Watch::scanned`]).
    fn scanning(&self, _progress: &Scanning) {}

    /// Rule `index` (its place in the rules given) is done, in `elapsed`
    /// (its share of the work: its query, then explaining its hits).
    /// Called exactly once per rule, as each finishes.
    fn finished(&self, index: usize, outcome: Outcome, elapsed: Duration);

    /// Rule `index`'s query warned of something (a fuzzy `union` left a
    /// table out); said before its [`RulesWatch::finished`].
    fn warned(&self, _index: usize, _warnings: Vec<String>) {}
}

/// Runs every rule of `rules` together, sharing the scans of rules that
/// read the same table; `watch` hears of each scan's progress and each
/// rule's outcome as it comes. A rule's outcome is what [`run_one`] gives
/// it. Nothing is returned: everything goes to `watch`.
pub fn run_all(
    catalog: &Catalog,
    rules: &[Prepared],
    options: &RunOptions,
    watch: &dyn RulesWatch,
) {
    let mut queries: Vec<Query> = Vec::new();
    // For each query, the rule it is.
    let mut rule_of: Vec<usize> = Vec::new();
    for (i, rule) in rules.iter().enumerate() {
        match parse(&rule.text) {
            Ok(q) => {
                queries.push(q);
                rule_of.push(i);
            }
            Err(e) => watch.finished(i, Err(e), Duration::ZERO),
        }
    }
    let told = Told {
        rules,
        rule_of: &rule_of,
        options,
        watch,
        answered: rule_of.iter().map(|_| AtomicBool::new(false)).collect(),
    };
    run_many(catalog, &queries, options, &told);
    // Each query is answered once; should one not be (it cannot, short of
    // a bug), its rule still hears of it rather than waiting for ever.
    for (q, answered) in told.answered.iter().enumerate() {
        if !answered.load(Ordering::Relaxed) {
            let lost = QueryError::runtime("the rule's answer was lost", None);
            watch.finished(rule_of[q], Err(lost), Duration::ZERO);
        }
    }
}

/// Passes [`run_many`]'s reports on as rules' outcomes, explaining hits on
/// the thread that found them.
struct Told<'a> {
    rules: &'a [Prepared],
    rule_of: &'a [usize],
    options: &'a RunOptions,
    watch: &'a dyn RulesWatch,
    answered: Vec<AtomicBool>,
}

impl Watch for Told<'_> {
    fn scanned(&self, progress: &Scanned) {
        self.watch.scanning(&Scanning::from(progress));
    }

    fn answered(&self, q: usize, answer: &Answer) {
        let (Some(&i), Some(flag)) = (self.rule_of.get(q), self.answered.get(q)) else {
            return;
        };
        flag.store(true, Ordering::Relaxed);
        if !answer.warnings.is_empty() {
            self.watch.warned(i, answer.warnings.clone());
        }
        let started = Instant::now();
        // Frames are shared columns: the clone copies no rows.
        let outcome = answer.result.clone().map(|hits| {
            let rule = &self.rules[i];
            let why = verdict::explain(&hits, &rule.conditions, &rule.lets, self.options);
            (hits, why)
        });
        let elapsed =
            Duration::try_from_secs_f64(answer.seconds).unwrap_or_default() + started.elapsed();
        self.watch.finished(i, outcome, elapsed);
    }
}
