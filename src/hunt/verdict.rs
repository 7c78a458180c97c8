//! Why a rule's hit fired: the conditions of the rule's exclusion (its
//! `where not(a and b and c)` clause) that did not hold for the hit, in the
//! analyst's words ("unsigned", "global prevalence 3, under 1000", "first
//! seen 20 minutes ago").

use polars::prelude::*;

use crate::data::catalog::{Catalog, Table};
use crate::data::time::NANOS_PER_SEC;
use crate::kql::ast::{BinaryOp, Expr, ExprKind, OperatorKind, Query, Source};
use crate::kql::error::QueryError;
use crate::kql::parser::parse;
use crate::kql::value::Scalar;
use crate::kql::{RunOptions, run};

/// One condition of an exclusion, as written in the query.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    /// The KQL text of the condition (`GlobalPrevalence > 1000`).
    pub text: String,
    /// The column it tests, when it is a simple comparison.
    pub column: Option<String>,
    pub op: Option<BinaryOp>,
    /// The constant it compares with, as written.
    pub constant: Option<String>,
}

/// The conditions of every `where not(...)` clause of a query, in order.
pub fn exclusion_conditions(text: &str) -> Result<Vec<Condition>, QueryError> {
    let query: Query = parse(text)?;
    let mut out = Vec::new();
    let mut pipelines = vec![&query.body];
    while let Some(p) = pipelines.pop() {
        if let Source::Paren(inner) = &p.source {
            pipelines.push(inner);
        }
        for op in &p.ops {
            if let OperatorKind::Where(e) = &op.kind
                && let ExprKind::Call { name, args } = &e.kind
                && name.name == "not"
                && args.len() == 1
            {
                let mut parts = Vec::new();
                conjuncts(&args[0], &mut parts);
                out.extend(parts.into_iter().map(|c| condition(c, text)));
            }
        }
    }
    Ok(out)
}

fn conjuncts<'a>(e: &'a Expr, out: &mut Vec<&'a Expr>) {
    match &e.kind {
        ExprKind::Binary {
            op: BinaryOp::And,
            left,
            right,
        } => {
            conjuncts(left, out);
            conjuncts(right, out);
        }
        _ => out.push(e),
    }
}

fn condition(e: &Expr, text: &str) -> Condition {
    let source = text
        .get(e.span.start..e.span.end)
        .unwrap_or("")
        .trim()
        .to_string();
    let (column, op, constant) = match &e.kind {
        ExprKind::Binary { op, left, right } => match &left.kind {
            ExprKind::Name(n) => (
                Some(n.clone()),
                Some(*op),
                text.get(right.span.start..right.span.end)
                    .map(|s| s.trim().to_string()),
            ),
            _ => (None, Some(*op), None),
        },
        _ => (None, None, None),
    };
    Condition {
        text: source,
        column,
        op,
        constant,
    }
}

/// For each hit (row of `hits`), the conditions that did not hold, in words.
/// `lets` are the query's `let` statements (text), so conditions that use
/// them (`ago(query_frequency)`) evaluate as in the rule.
pub fn reasons(
    hits: &DataFrame,
    conditions: &[Condition],
    lets: &str,
    options: &RunOptions,
) -> Result<Vec<Vec<String>>, QueryError> {
    if conditions.is_empty() || hits.height() == 0 {
        return Ok(vec![Vec::new(); hits.height()]);
    }
    let mut catalog = Catalog::new();
    catalog.insert(Table {
        name: "__hits".into(),
        frame: hits.clone(),
        files: Vec::new(),
        warnings: Vec::new(),
    });
    let extend: Vec<String> = conditions
        .iter()
        .enumerate()
        .map(|(i, c)| format!("__held{i} = ({})", c.text))
        .collect();
    let query = format!("{lets}\n__hits | extend {}", extend.join(", "));
    let held = run(&catalog, &query, options)?;
    let mut out = Vec::with_capacity(hits.height());
    for row in 0..hits.height() {
        let mut why = Vec::new();
        for (i, c) in conditions.iter().enumerate() {
            let h = held
                .column(&format!("__held{i}"))
                .ok()
                .map(|s| Scalar::from_series(s.as_materialized_series(), row));
            if h == Some(Scalar::Bool(true)) {
                continue;
            }
            let value = c
                .column
                .as_ref()
                .and_then(|n| hits.column(n).ok())
                .map(|s| Scalar::from_series(s.as_materialized_series(), row));
            why.push(describe(c, value.as_ref(), options.now));
        }
        out.push(why);
    }
    Ok(out)
}

/// Why one hit fired, as far as Quarry can tell: the panel shows this and
/// never claims more.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Why {
    /// The conditions of the rule's exclusion that did not hold for the
    /// hit, in words (never empty).
    Failed(Vec<String>),
    /// Quarry cannot say, and this sentence says why.
    Unknown(String),
}

/// For each hit, why it fired: [`reasons`], with every way of not knowing
/// said plainly (a rule without a `where not(...)` exclusion, a reasons
/// query that failed, conditions that all hold on the hit's final columns).
pub fn explain(
    hits: &DataFrame,
    conditions: &[Condition],
    lets: &str,
    options: &RunOptions,
) -> Vec<Why> {
    let rows = hits.height();
    if conditions.is_empty() {
        let why = "this rule has no where not(...) exclusion to explain its hits".to_string();
        return vec![Why::Unknown(why); rows];
    }
    match reasons(hits, conditions, lets, options) {
        Ok(all) => all
            .into_iter()
            .map(|failed| {
                if failed.is_empty() {
                    Why::Unknown(
                        "every condition of the exclusion holds on this hit's columns: \
                         the rule changes them after its exclusion"
                            .into(),
                    )
                } else {
                    Why::Failed(failed)
                }
            })
            .collect(),
        Err(e) => {
            let why = format!("the reasons could not be computed: {}", e.message);
            vec![Why::Unknown(why); rows]
        }
    }
}

/// A failed condition in words, with phrasing for the FileProfile columns.
pub fn describe(c: &Condition, value: Option<&Scalar>, now: i64) -> String {
    let column = c.column.as_deref().unwrap_or("");
    let constant = c.constant.as_deref().unwrap_or("").trim_matches('"');
    match (column, value) {
        ("SignatureState", Some(Scalar::String(s))) => match s.as_str() {
            "Unsigned" => "unsigned".into(),
            "SignedInvalid" => "signature invalid".into(),
            "" => "signature state unknown (no file profile)".into(),
            other => format!("signature state {other}"),
        },
        ("GlobalPrevalence", Some(Scalar::Long(v))) => match c.op {
            Some(BinaryOp::Gt | BinaryOp::GtEq) => {
                format!("global prevalence {v}, under {constant}")
            }
            _ => format!("global prevalence {v}"),
        },
        ("GlobalPrevalence", _) => "global prevalence unknown (no file profile)".into(),
        ("GlobalFirstSeen" | "GlobalLastSeen", Some(Scalar::Datetime(t))) => {
            let what = if column == "GlobalFirstSeen" {
                "first seen"
            } else {
                "last seen"
            };
            format!("{what} {}", ago_words(now - t))
        }
        ("GlobalFirstSeen" | "GlobalLastSeen", _) => "first seen: unknown (no file profile)".into(),
        (_, Some(v)) if !column.is_empty() => {
            format!("{} did not hold ({column} is {})", c.text, v.to_text())
        }
        _ => format!("{} did not hold", c.text),
    }
}

/// "20 minutes ago", "3 days ago", "in 5 minutes".
pub fn ago_words(ns: i64) -> String {
    let (future, ns) = if ns < 0 { (true, -ns) } else { (false, ns) };
    let secs = ns / NANOS_PER_SEC;
    let (n, unit) = if secs < 90 {
        (secs, "second")
    } else if secs < 90 * 60 {
        (secs / 60, "minute")
    } else if secs < 36 * 3600 {
        (secs / 3600, "hour")
    } else if secs < 60 * 86_400 {
        (secs / 86_400, "day")
    } else if secs < 730 * 86_400 {
        (secs / (30 * 86_400), "month")
    } else {
        (secs / (365 * 86_400), "year")
    };
    let plural = if n == 1 { "" } else { "s" };
    if future {
        format!("in {n} {unit}{plural}")
    } else {
        format!("{n} {unit}{plural} ago")
    }
}

/// The `let` statements at the top of a query (everything before its
/// first tabular statement), for [`reasons`]; empty when the query does not
/// parse.
pub fn lets_text(query: &str) -> String {
    parse(query)
        .map(|q| q.let_prefix(query).to_string())
        .unwrap_or_default()
}

/// `ns` (a time minus a reference) against the reference, in words:
/// "20 minutes before", "3 days after".
pub fn relative_words(ns: i64) -> String {
    let words = ago_words(ns);
    match words.strip_prefix("in ") {
        Some(rest) => format!("{rest} after"),
        None => format!("{} before", words.trim_end_matches(" ago")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seed_exclusion_has_three_conditions() {
        let (rules, _) = crate::hunt::rules::load_all(None);
        let c = exclusion_conditions(&rules[0].query.text).unwrap();
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "GlobalPrevalence > 1000",
                "GlobalFirstSeen < ago(query_frequency)",
                "SignatureState == \"SignedValid\""
            ]
        );
        assert_eq!(c[0].column.as_deref(), Some("GlobalPrevalence"));
        assert_eq!(c[0].constant.as_deref(), Some("1000"));
    }

    #[test]
    fn lets_and_relative_words() {
        let q = "let a = 1h;\nlet b = 2;\nT\n| where x > a";
        assert_eq!(lets_text(q), "let a = 1h;\nlet b = 2;\n");
        assert_eq!(lets_text("T | take 1"), "");
        // Statements end at their `;` token, not at a line's end.
        let q = "let a = \"x;\";  let f = (n:long)\n{ n + 1 };\n// then\nT | take 1";
        assert_eq!(
            lets_text(q),
            "let a = \"x;\";  let f = (n:long)\n{ n + 1 };\n// then\n"
        );
        assert_eq!(relative_words(20 * 60 * NANOS_PER_SEC), "20 minutes before");
        assert_eq!(relative_words(-3 * 86_400 * NANOS_PER_SEC), "3 days after");
    }

    #[test]
    fn words() {
        assert_eq!(ago_words(20 * 60 * NANOS_PER_SEC), "20 minutes ago");
        assert_eq!(ago_words(3 * 86_400 * NANOS_PER_SEC), "3 days ago");
        assert_eq!(ago_words(NANOS_PER_SEC), "1 second ago");
        let c = Condition {
            text: "GlobalPrevalence > 1000".into(),
            column: Some("GlobalPrevalence".into()),
            op: Some(BinaryOp::Gt),
            constant: Some("1000".into()),
        };
        assert_eq!(
            describe(&c, Some(&Scalar::Long(3)), 0),
            "global prevalence 3, under 1000"
        );
    }
}
