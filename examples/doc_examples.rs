//! Runs the self-contained examples of Microsoft's KQL reference in Quarry
//! and compares each result with the **Output** table printed under it.
//!
//! ```text
//! cargo run --example doc_examples -- DOCS_DIR [--list matched|failed|unlabelled] [--only FILE]
//! ```
//!
//! DOCS_DIR is a folder of the reference's markdown (for instance
//! `data-explorer/kusto/query` exported from MicrosoftDocs/dataexplorer-docs).
//!
//! An example is a ```kusto block whose last statement starts with `print`,
//! `datatable`, `range` or a name its own `let`s bind, followed (before any
//! other code block or heading) by a line `**Output**` or `Output` and a
//! markdown table (or, for a query that makes several, a label per table:
//! a tab heading `### [Name](#tab/...)`, whose name the result must carry,
//! or `**Output table N**`). Pages without that line are read too when the table
//! comes straight under the query: only blank lines, a chart's image and
//! one short result label (`**Results**`, `Produces this result:`) between
//! (`--list unlabelled` shows these pairs). Examples that turn out to read
//! the docs' cluster (Quarry reports an unknown table or a stored graph
//! model) are counted apart: they are not self-contained.
//!
//! Normalisation, applied to the documentation's cells, typed by the
//! column Quarry returns:
//! - cells are trimmed, markdown escapes (`\|`, `\_`, `\*`) and enclosing
//!   backticks removed, `<br>` kept as text; an empty cell is null or "";
//!   a URL printed as a markdown link (`[url](url)`, `<url>`) is its URL;
//! - column names must be the same, in the same order (case-insensitive);
//! - rows must match in order, unless the query has no `sort`/`order`/`top`,
//!   `serialize` or `row_number`, when any order is accepted (Kusto does
//!   not promise one);
//! - real: the same number within a relative 1e-9, or ours rounded to the
//!   decimals the documentation prints (docs often shorten 1/3 to 0.333);
//!   `NaN`, `Infinity`, `-Infinity` as written;
//! - long/int: the same integer (thousands separators allowed); bool: `true`/`false` in any case (or 1/0);
//! - datetime: the same instant, whatever the printed format; timespan: the
//!   same duration (`1.02:03:04.5`, `00:00:01`);
//! - dynamic: the same JSON value (numbers compared as reals above, also
//!   when the documentation quotes them, object keys in any order; `<br>`
//!   read as a line break); an array printed without JSON quotes
//!   (`[yes, no]`) is compared with quotes and spaces removed;
//! - string: the same text.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use polars::prelude::*;
use quarry::data::Catalog;
use quarry::data::time::{parse_datetime, parse_timespan};
use quarry::data::types::KqlType;
use quarry::kql::error::ErrorKind;
use quarry::kql::value::Scalar;
use quarry::kql::{RunOptions, run, run_results};
use serde_json::Value as Json;

/// One example: the query and the table (or tables) printed under it.
struct Example {
    file: String,
    line: usize,
    query: String,
    /// One table, or one per result of a query that makes several (a
    /// batch, `fork`), in order.
    tables: Vec<DocTable>,
    /// Whether an `**Output**` line announces the table; pages without
    /// one print the table straight under the query.
    labelled: bool,
}

/// A table printed under a query.
struct DocTable {
    /// The name of its tab (`### [Count of events in Guam](#tab/guam)`),
    /// which the result must carry; `None` for an unnamed or numbered
    /// table (`**Output table 2**`).
    name: Option<String>,
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

/// How one example fared.
enum Outcome {
    Matched,
    NeedsTable,
    Failed { reason: String, detail: String },
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(dir) = args.first() else {
        eprintln!(
            "usage: doc_examples DOCS_DIR [--list matched|failed|unlabelled] [--only FILE] [--reason TEXT]"
        );
        std::process::exit(2);
    };
    let flag = |name: &str| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .cloned()
    };
    let list = flag("--list");
    let only = flag("--only");
    let reason_filter = flag("--reason");
    let mut files = Vec::new();
    collect_markdown(Path::new(dir), &mut files);
    files.sort();
    let mut examples = Vec::new();
    for f in &files {
        let name = f.strip_prefix(dir).unwrap_or(f).display().to_string();
        if only.as_ref().is_some_and(|o| !name.contains(o.as_str())) {
            continue;
        }
        match std::fs::read_to_string(f) {
            Ok(text) => examples.extend(extract(&name, &text)),
            Err(e) => eprintln!("{}: {e}", f.display()),
        }
    }
    let catalog = Catalog::new();
    let options = RunOptions {
        now: 1_700_000_000_000_000_000,
        ..RunOptions::default()
    };
    let (mut matched, mut needs_table) = (0, 0);
    // Examples found, run and matched whose table has no Output line.
    let (mut unlabelled, mut unlabelled_run, mut unlabelled_matched) = (0, 0, 0);
    let mut failures: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for ex in &examples {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            judge(ex, &catalog, &options)
        }))
        .unwrap_or(Outcome::Failed {
            reason: "panic".into(),
            detail: String::new(),
        });
        let place = format!("{}:{}", ex.file, ex.line);
        if !ex.labelled {
            unlabelled += 1;
            unlabelled_run += usize::from(!matches!(outcome, Outcome::NeedsTable));
            unlabelled_matched += usize::from(matches!(outcome, Outcome::Matched));
            if list.as_deref() == Some("unlabelled") {
                let table = &ex.tables[0];
                let first = table
                    .rows
                    .first()
                    .map(|r| r.join(" | "))
                    .unwrap_or_default();
                println!(
                    "--- {place}\n{}\n=> {}\n   {first}",
                    ex.query.trim_end(),
                    table.header.join(" | ")
                );
            }
        }
        match outcome {
            Outcome::Matched => {
                matched += 1;
                if list.as_deref() == Some("matched") {
                    println!("matched {place}");
                }
            }
            Outcome::NeedsTable => needs_table += 1,
            Outcome::Failed { reason, detail } => {
                if list.as_deref() == Some("failed")
                    && reason_filter
                        .as_ref()
                        .is_none_or(|r| reason.contains(r.as_str()))
                {
                    let note = if ex.labelled { "" } else { " (no Output line)" };
                    println!(
                        "--- {place}: {reason}{note}\n{}\n{detail}",
                        ex.query.trim_end()
                    );
                }
                failures.entry(reason).or_default().push(place);
            }
        }
    }
    let run_count = examples.len() - needs_table;
    println!("examples found:   {}", examples.len());
    println!("read a cluster table (not self-contained): {needs_table}");
    println!("examples run:     {run_count}");
    println!(
        "matched:          {matched} ({:.1}%)",
        100.0 * matched as f64 / run_count.max(1) as f64
    );
    println!(
        "without an Output line: {unlabelled} found, {unlabelled_run} run, {unlabelled_matched} matched"
    );
    let mut groups: BTreeMap<&str, Vec<(&String, &Vec<String>)>> = BTreeMap::new();
    for (reason, places) in &failures {
        groups
            .entry(group_of(reason))
            .or_default()
            .push((reason, places));
    }
    for (group, mut reasons) in groups {
        let total: usize = reasons.iter().map(|(_, p)| p.len()).sum();
        println!("\n{group}: {total}");
        reasons.sort_by_key(|(r, p)| (std::cmp::Reverse(p.len()), (*r).clone()));
        for (reason, places) in reasons {
            println!("  {:4}  {reason}   [{}]", places.len(), places[0]);
        }
    }
}

/// The heading a failure reason is listed under.
fn group_of(reason: &str) -> &'static str {
    if reason.starts_with("unknown function") {
        "unknown function"
    } else if reason.starts_with("unsupported") || reason.starts_with("unknown operator") {
        "unsupported operator or plugin"
    } else if reason.starts_with("syntax") {
        "syntax Quarry does not parse"
    } else if reason.starts_with("wrong") {
        "wrong result"
    } else {
        "error while running"
    }
}

fn collect_markdown(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect_markdown(&p, out);
        } else if p.extension().is_some_and(|x| x == "md") {
            out.push(p);
        }
    }
}

/// The examples of one page.
fn extract(file: &str, text: &str) -> Vec<Example> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let fence = lines[i].trim_start();
        if !(fence.starts_with("```kusto") || fence.starts_with("```kql")) {
            i += 1;
            continue;
        }
        let start = i + 1;
        let mut end = start;
        while end < lines.len() && !lines[end].trim_start().starts_with("```") {
            end += 1;
        }
        let query = lines[start..end.min(lines.len())].join("\n");
        i = end + 1;
        if let Some(starts) = several_tables(&lines, i) {
            let tables: Vec<DocTable> = starts
                .into_iter()
                .filter_map(|(name, at)| {
                    let (header, rows) = read_table(&lines, at)?;
                    Some(DocTable { name, header, rows })
                })
                .collect();
            if tables.len() > 1 && self_contained(&query) {
                out.push(Example {
                    file: file.to_string(),
                    line: start,
                    query,
                    tables,
                    labelled: true,
                });
            }
            continue;
        }
        let (j, labelled) = match output_table(&lines, i) {
            Some(at) => (at, true),
            None => match unlabelled_table(&lines, i) {
                Some(at) => (at, false),
                None => continue,
            },
        };
        let Some((header, rows)) = read_table(&lines, j) else {
            continue;
        };
        if !self_contained(&query) {
            continue;
        }
        out.push(Example {
            file: file.to_string(),
            line: start,
            query,
            tables: vec![DocTable {
                name: None,
                header,
                rows,
            }],
            labelled,
        });
    }
    out
}

/// The header and rows of the markdown table starting at `at`.
fn read_table(lines: &[&str], mut at: usize) -> Option<(Vec<String>, Vec<Vec<String>>)> {
    let mut table = Vec::new();
    while at < lines.len() && lines[at].trim().starts_with('|') {
        table.push(lines[at].trim());
        at += 1;
    }
    if table.len() < 2 {
        return None;
    }
    let rows = table[2..].iter().map(|l| cells(l)).collect();
    Some((cells(table[0]), rows))
}

/// The tables of a query that makes several, each under its own label
/// after an `Output` line (or with `Output` in each label): a tab heading
/// (`### [Table 1](#tab/table-1)`, whose name the result must carry) or a
/// numbered label (`**Output table 2**`). Each label's name (for tabs)
/// and the first line of its table; `None` unless there are two or more.
fn several_tables(lines: &[&str], from: usize) -> Option<Vec<(Option<String>, usize)>> {
    let mut found = Vec::new();
    // The label read, waiting for its table: a tab's name, or `None`.
    let mut label: Option<Option<String>> = None;
    let mut j = from;
    while j < lines.len() {
        let l = lines[j].trim();
        if l.is_empty() {
            j += 1;
            continue;
        }
        if l.starts_with('|') {
            // A table without a label of its own ends the run.
            let Some(name) = label.take() else { break };
            found.push((name, j));
            while j < lines.len() && lines[j].trim().starts_with('|') {
                j += 1;
            }
            continue;
        }
        let bare = l
            .trim_matches(|c| c == '*' || c == ':' || c == ' ')
            .to_lowercase();
        let numbered = bare
            .strip_prefix("output table")
            .is_some_and(|n| n.trim().parse::<u32>().is_ok());
        // The `Output` line before the first label.
        let output_line = bare == "output" && found.is_empty() && label.is_none();
        if let Some(tab) = l.strip_prefix("### [") {
            label = Some(tab.split("](#tab/").next().map(str::to_string));
        } else if numbered {
            label = Some(None);
        } else if !output_line {
            break;
        }
        j += 1;
    }
    (found.len() > 1).then_some(found)
}

/// The first line of the table an `Output` label announces, searching
/// from `from` (just past a query's closing fence) up to the next code
/// block or heading.
fn output_table(lines: &[&str], from: usize) -> Option<usize> {
    let mut saw_output = false;
    for (j, line) in lines.iter().enumerate().skip(from) {
        let l = line.trim();
        if l.starts_with("```") || l.starts_with('#') {
            return None;
        }
        let bare = l
            .trim_matches(|c| c == '*' || c == ':' || c == ' ')
            .to_lowercase();
        if bare == "output" || bare.starts_with("output") && bare.len() < 12 {
            saw_output = true;
        }
        if l.starts_with('|') && saw_output {
            return Some(j);
        }
    }
    None
}

/// The first line of a table printed straight under a query, for pages
/// without an `Output` label: only blank lines, a chart's image and one
/// short result label (`**Results**`, `Produces this result:`) may come
/// between. A table after prose is not taken: such prose introduces
/// input data or a truncated result as often as the query's output.
fn unlabelled_table(lines: &[&str], from: usize) -> Option<usize> {
    let mut labels = 0;
    for (j, line) in lines.iter().enumerate().skip(from) {
        let l = line.trim();
        if l.starts_with('|') {
            return Some(j);
        }
        if l.is_empty() || l.starts_with(":::image") {
            continue;
        }
        labels += 1;
        if labels > 1 || !result_label(l) {
            return None;
        }
    }
    None
}

/// A line that only announces a single result table: `**Results**`,
/// `The result:`, `Produces this result:`, the docs' `**Ouput**`. A
/// numbered one (`Result set 1:`, `**Output table 1**`) announces one
/// of several tables and is not taken.
fn result_label(line: &str) -> bool {
    let bare = line
        .trim_matches(|c| c == '*' || c == ':' || c == ' ')
        .to_lowercase();
    let words = bare.split_whitespace().count();
    let announces = line.trim_end().ends_with(':') || line.starts_with("**") || words == 1;
    announces
        && words <= 4
        && !bare.contains(|c: char| c.is_ascii_digit())
        && ["output", "ouput", "result"]
            .iter()
            .any(|w| bare.contains(w))
}

/// The cells of a markdown table row, `\|` kept inside a cell.
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim();
    let inner = inner.strip_prefix('|').unwrap_or(inner);
    let inner = inner.strip_suffix('|').unwrap_or(inner);
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = inner.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|n| "|_*[]<>`\\".contains(*n)) => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '|' => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out.into_iter().map(|c| clean_cell(&c)).collect()
}

/// An integer as the documentation prints it, perhaps with thousands
/// separators (`1,048,576`, a page's formatting, not Kusto's output).
fn integer(doc: &str) -> Option<i64> {
    doc.parse::<i64>().ok().or_else(|| {
        let grouped = doc
            .trim_start_matches('-')
            .split(',')
            .enumerate()
            .all(|(i, g)| (1..=3).contains(&g.len()) && (i == 0 || g.len() == 3));
        (grouped && doc.contains(',')).then(|| doc.replace(',', "").parse().ok())?
    })
}

fn clean_cell(c: &str) -> String {
    let c = c.trim();
    let c = c
        .strip_prefix('`')
        .and_then(|s| s.strip_suffix('`'))
        .unwrap_or(c);
    let c = c
        .strip_prefix("**")
        .and_then(|s| s.strip_suffix("**"))
        .unwrap_or(c);
    // Markdown's own links, which the page renders as the bare text: a
    // URL cell printed as `[url](url)` or `<url>`.
    let c = match c.strip_prefix('[').and_then(|r| r.split_once("](")) {
        Some((text, rest)) if rest.strip_suffix(')') == Some(text) => text,
        _ => c,
    };
    let c = match c.strip_prefix('<').and_then(|r| r.strip_suffix('>')) {
        Some(url) if url.starts_with("http://") || url.starts_with("https://") => url,
        _ => c,
    };
    c.replace("<br>", "\n")
        .replace("&nbsp;", " ")
        .replace("&#124;", "|")
        .trim()
        .to_string()
}

/// Whether the last statement starts from print, datatable, range or a
/// name bound by the example's own lets.
fn self_contained(query: &str) -> bool {
    let code: String = query
        .lines()
        .map(|l| match l.find("//") {
            Some(p) if !l[..p].contains('"') && !l[..p].contains('\'') => &l[..p],
            _ => l,
        })
        .collect::<Vec<_>>()
        .join("\n");
    let statements = split_statements(&code);
    let mut bound: Vec<String> = Vec::new();
    let mut last = None;
    for s in &statements {
        let s = s.trim();
        if s.is_empty() {
            continue;
        }
        if let Some(rest) = s.strip_prefix("let ") {
            let name: String = rest
                .trim_start()
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            bound.push(name);
        } else if !s.starts_with("set ") && !s.starts_with("declare ") {
            last = Some(s.to_string());
        }
    }
    let Some(last) = last else { return false };
    let first: String = last
        .trim_start_matches(['(', ' ', '\n'])
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    matches!(first.as_str(), "print" | "datatable" | "range" | "union")
        && !last.starts_with("union")
        || bound.contains(&first)
        || last.starts_with("union")
            && !bound.is_empty()
            && last.split(['|']).next().is_some_and(|u| {
                u.trim_start_matches("union")
                    .split([',', '(', ')', ' ', '\n'])
                    .filter(|w| !w.is_empty() && !w.contains('='))
                    .all(|w| bound.iter().any(|b| b == w) || w.starts_with("with"))
            })
}

/// Splits on `;` outside strings and brackets.
fn split_statements(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    for c in code.chars() {
        match quote {
            Some(q) => {
                if c == q {
                    quote = None;
                }
            }
            None => match c {
                '"' | '\'' => quote = Some(c),
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ';' if depth == 0 => {
                    out.push(std::mem::take(&mut cur));
                    continue;
                }
                _ => {}
            },
        }
        cur.push(c);
    }
    out.push(cur);
    out
}

fn judge(ex: &Example, catalog: &Catalog, options: &RunOptions) -> Outcome {
    let results = if ex.tables.len() > 1 {
        run_results(catalog, &ex.query, options)
            .map(|r| r.into_iter().map(|t| (t.name, t.frame)).collect::<Vec<_>>())
    } else {
        run(catalog, &ex.query, options).map(|f| vec![(None, f)])
    };
    let results = match results {
        Ok(r) => r,
        Err(e) => {
            // A graph model stored on the cluster is the cluster's data too.
            if e.message.starts_with("unknown table")
                || e.message
                    .starts_with("graph() reads a graph model stored on a cluster")
            {
                return Outcome::NeedsTable;
            }
            let reason = match e.kind {
                ErrorKind::Unknown if e.message.starts_with("unknown function") => e
                    .message
                    .split(" (did you mean")
                    .next()
                    .unwrap_or(&e.message)
                    .to_string(),
                ErrorKind::Unsupported => format!("unsupported: {}", e.message),
                ErrorKind::Syntax => format!("syntax: {}", e.message),
                _ => format!("{:?}: {}", e.kind, e.message),
            };
            return Outcome::Failed {
                reason,
                detail: e.render(&ex.query),
            };
        }
    };
    if results.len() != ex.tables.len() {
        return Outcome::Failed {
            reason: "wrong number of results".into(),
            detail: format!("ours {}, docs {}", results.len(), ex.tables.len()),
        };
    }
    for ((name, frame), table) in results.iter().zip(&ex.tables) {
        if table.name.is_some() && *name != table.name {
            return Outcome::Failed {
                reason: "wrong result name".into(),
                detail: format!("ours {name:?}, docs {:?}", table.name),
            };
        }
        let outcome = compare(&ex.query, table, frame);
        if !matches!(outcome, Outcome::Matched) {
            return outcome;
        }
    }
    Outcome::Matched
}

fn compare(query: &str, ex: &DocTable, frame: &DataFrame) -> Outcome {
    let ours: Vec<String> = frame
        .get_column_names()
        .iter()
        .map(|n| n.to_string())
        .collect();
    let fail = |reason: &str, detail: String| Outcome::Failed {
        reason: reason.to_string(),
        detail,
    };
    let same_names = ours.len() == ex.header.len()
        && ours
            .iter()
            .zip(&ex.header)
            .all(|(a, b)| a.eq_ignore_ascii_case(b));
    if !same_names {
        return fail(
            "wrong columns",
            format!("ours: {ours:?}\ndocs: {:?}", ex.header),
        );
    }
    let kinds: Vec<KqlType> = frame
        .columns()
        .iter()
        .map(|c| KqlType::of(c.dtype()).unwrap_or(KqlType::Dynamic))
        .collect();
    let our_rows: Vec<Vec<Scalar>> = (0..frame.height())
        .map(|i| {
            frame
                .columns()
                .iter()
                .map(|c| Scalar::from_series(c.as_materialized_series(), i))
                .collect()
        })
        .collect();
    let show = || {
        our_rows
            .iter()
            .take(12)
            .map(|r| {
                r.iter()
                    .map(|s| s.to_text().into_owned())
                    .collect::<Vec<_>>()
                    .join(" | ")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    if our_rows.len() != ex.rows.len() {
        return fail(
            "wrong row count",
            format!(
                "ours {} rows, docs {}\n{}",
                our_rows.len(),
                ex.rows.len(),
                show()
            ),
        );
    }
    let row_eq = |ours: &[Scalar], docs: &[String]| {
        ours.len() == docs.len()
            && ours
                .iter()
                .zip(docs)
                .zip(&kinds)
                .all(|((o, d), k)| cell_matches(o, d, *k))
    };
    let in_order = our_rows.iter().zip(&ex.rows).all(|(o, d)| row_eq(o, d));
    if in_order {
        return Outcome::Matched;
    }
    let lower = query.to_lowercase();
    let ordered = [
        "sort ",
        "order ",
        "top ",
        "serialize",
        "row_number",
        "scan ",
    ]
    .iter()
    .any(|w| lower.contains(w));
    if !ordered {
        let mut used = vec![false; our_rows.len()];
        let all = ex.rows.iter().all(|d| {
            let hit = our_rows
                .iter()
                .enumerate()
                .find(|(i, o)| !used[*i] && row_eq(o, d));
            hit.map(|(i, _)| used[i] = true).is_some()
        });
        if all {
            return Outcome::Matched;
        }
    }
    let docs = ex
        .rows
        .iter()
        .take(12)
        .map(|r| r.join(" | "))
        .collect::<Vec<_>>()
        .join("\n");
    fail("wrong value", format!("ours:\n{}\ndocs:\n{docs}", show()))
}

fn cell_matches(ours: &Scalar, doc: &str, kind: KqlType) -> bool {
    let doc = doc.trim();
    if ours.is_null() || matches!(ours, Scalar::String(s) if s.is_empty()) {
        return doc.is_empty() || doc.eq_ignore_ascii_case("null");
    }
    match ours {
        Scalar::Bool(b) => {
            doc.eq_ignore_ascii_case(if *b { "true" } else { "false" })
                || doc == if *b { "1" } else { "0" }
        }
        Scalar::Int(v) => integer(doc) == Some(i64::from(*v)),
        Scalar::Long(v) => integer(doc) == Some(*v),
        Scalar::Real(v) => real_matches(*v, doc),
        // Exactly, digit for digit; the docs group thousands with commas
        // (parse-version-function.md: 1,000,000,020,000,000,300,000,004).
        Scalar::Decimal(v) => {
            quarry::data::decimal::Decimal::parse(&doc.replace(',', "")) == Some(*v)
        }
        Scalar::Datetime(v) => parse_datetime(doc) == Some(*v),
        Scalar::Timespan(v) => parse_timespan(doc) == Some(*v),
        Scalar::String(s) => s == doc || s.trim() == doc,
        Scalar::Dynamic(j) => match serde_json::from_str::<Json>(doc) {
            Ok(d) => json_matches(j, &d),
            // Arrays printed without JSON quotes ([yes, no]).
            Err(_) => match j {
                Json::String(s) => s == doc,
                other => {
                    let bare = |t: &str| t.replace(['"', ' ', '\n'], "");
                    let text = other.to_string();
                    text == doc || bare(&text) == bare(doc)
                }
            },
        },
        Scalar::Null(_) => kind == KqlType::String && doc.is_empty(),
    }
}

fn real_matches(v: f64, doc: &str) -> bool {
    match doc {
        "NaN" => return v.is_nan(),
        "Infinity" | "∞" => return v == f64::INFINITY,
        "-Infinity" | "-∞" => return v == f64::NEG_INFINITY,
        _ => {}
    }
    let Ok(d) = doc.parse::<f64>() else {
        return false;
    };
    if (v - d).abs() <= 1e-9 * d.abs().max(1.0) {
        return true;
    }
    // Docs shorten: compare ours rounded to the decimals printed.
    let mantissa = doc.split(['e', 'E']).next().unwrap_or(doc);
    match mantissa.split_once('.') {
        Some((_, frac)) if !doc.contains(['e', 'E']) && !frac.is_empty() => {
            let scale = 10f64.powi(frac.len() as i32);
            ((v * scale).round() - (d * scale).round()).abs() < 0.5
        }
        _ => false,
    }
}

fn json_matches(ours: &Json, doc: &Json) -> bool {
    match (ours, doc) {
        (Json::Number(a), Json::Number(b)) => match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => x == y || real_matches(x, &b.to_string()),
            _ => a == b,
        },
        (Json::Array(a), Json::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| json_matches(x, y))
        }
        (Json::Object(a), Json::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, x)| b.get(k).is_some_and(|y| json_matches(x, y)))
        }
        // Numbers the documentation prints as JSON strings ("1.57").
        (Json::Number(a), Json::String(b)) => a
            .as_f64()
            .is_some_and(|x| b.parse::<f64>().is_ok() && real_matches(x, b)),
        (Json::String(a), Json::String(b)) => {
            a == b || parse_datetime(a).is_some() && parse_datetime(a) == parse_datetime(b)
        }
        (a, b) => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::extract;

    /// The (line, header, labelled) of each example a page yields.
    fn pairs(page: &str) -> Vec<(usize, Vec<String>, bool)> {
        extract("page.md", page)
            .into_iter()
            .map(|mut e| (e.line, e.tables.remove(0).header, e.labelled))
            .collect()
    }

    fn header(names: &[&str]) -> Vec<String> {
        names.iter().map(|n| n.to_string()).collect()
    }

    #[test]
    fn a_table_under_an_output_line_is_paired_as_before() {
        let page = "```kusto\nprint a=1\n```\n\n|x|\n|--|\n|9|\n\n**Output**\n\n|a|\n|--|\n|1|\n";
        assert_eq!(pairs(page), vec![(1, header(&["a"]), true)]);
    }

    #[test]
    fn a_table_straight_under_the_query_is_its_output() {
        let page = "```kusto\nrange x from 1 to 2 step 1\n```\n\n|x|\n|--|\n|1|\n|2|\n";
        assert_eq!(pairs(page), vec![(1, header(&["x"]), false)]);
    }

    #[test]
    fn a_short_result_label_or_a_chart_may_come_between() {
        for between in [
            "Produces this result:",
            "**Results**",
            "**Ouput**",
            ":::image type=\"content\" source=\"a.png\":::",
        ] {
            let page = format!("```kusto\nprint a=1\n```\n\n{between}\n\n|a|\n|--|\n|1|\n");
            assert_eq!(pairs(&page), vec![(1, header(&["a"]), false)], "{between}");
        }
    }

    #[test]
    fn a_table_after_prose_a_heading_or_a_numbered_label_is_not_taken() {
        for between in [
            "The following table only shows the first 10 results.",
            "## Returns",
            "Result set 1:",
            "**Output table 1**",
            "**Results**\n\nThe following table shows part of it.",
        ] {
            let page = format!("```kusto\nprint a=1\n```\n\n{between}\n\n|a|\n|--|\n|1|\n");
            assert_eq!(pairs(&page), vec![], "{between}");
        }
    }

    /// The tables of each example, as (tab name, header).
    fn several(page: &str) -> Vec<Vec<(Option<String>, Vec<String>)>> {
        extract("page.md", page)
            .into_iter()
            .map(|e| e.tables.into_iter().map(|t| (t.name, t.header)).collect())
            .collect()
    }

    #[test]
    fn tabs_after_an_output_line_are_the_tables_of_a_batch() {
        let page = "```kusto\nprint a=1;\nprint b=2\n```\n\n**Output**\n\n### [Table 1](#tab/table-1)\n\n|a|\n|--|\n|1|\n\n### [Table 2](#tab/table-2)\n\n|b|\n|--|\n|2|\n\n---\n\n|c|\n|--|\n|3|\n";
        assert_eq!(
            several(page),
            vec![vec![
                (Some("Table 1".to_string()), header(&["a"])),
                (Some("Table 2".to_string()), header(&["b"])),
            ]]
        );
    }

    #[test]
    fn numbered_output_tables_are_the_tables_of_one_query() {
        let page = "```kusto\nprint a=1;\nprint b=2\n```\n\n**Output table 1**\n\n|a|\n|--|\n|1|\n\n**Output table 2**\n\n|b|\n|--|\n|2|\n\n## Related content\n";
        assert_eq!(
            several(page),
            vec![vec![(None, header(&["a"])), (None, header(&["b"]))]]
        );
        // One numbered table alone is not taken, as before.
        let one = "```kusto\nprint a=1\n```\n\n**Output table 1**\n\n|a|\n|--|\n|1|\n";
        assert_eq!(several(one), Vec::<Vec<_>>::new());
    }

    #[test]
    fn a_table_is_never_paired_with_the_query_after_it() {
        let page = "|p|\n|--|\n|0|\n\n```kusto\nprint a=1\n```\nSome prose.\n\n|a|\n|--|\n|1|\n";
        assert_eq!(pairs(page), vec![]);
    }
}
