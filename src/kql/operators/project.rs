//! `project`, `project-away`, `project-keep`, `project-rename`,
//! `project-reorder`, `extend`.

use polars::prelude::*;

use super::multi_value::Rest;
use super::{expr_name, polars_error, unique_name, val_column, wildcard_match};
use crate::kql::ast::{Assignment, Expr, ExprKind, Ident, NameOrder};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};
use serde_json::Value as Json;

impl Runner<'_> {
    /// `project A, B = expr, ...`
    pub(super) fn op_project(
        &self,
        items: &[Assignment],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let rows = frame.height();
        let mut out: Vec<Column> = Vec::new();
        let mut names: Vec<String> = Vec::new();
        let mut unnamed = 0;
        for a in items {
            if let Some(cols) = self.multi_value_columns(a, &frame, Rest::Keep)? {
                for c in cols {
                    if names.iter().any(|n| n == c.name().as_str()) {
                        return Err(QueryError::type_error(
                            format!("column '{}' is projected twice", c.name()),
                            a.span,
                        ));
                    }
                    names.push(c.name().to_string());
                    out.push(c.into_column());
                }
                continue;
            }
            let v = self.eval_rows(&a.expr, &frame)?;
            // A name Kusto infers (`tostring(p)` is `p`) is made unique, as
            // Kusto.Language's projection does; a declared one must be.
            let name = match a.names.first() {
                Some(n) => n.name.clone(),
                None => match expr_name(&a.expr) {
                    Some(n) => unique_name(&n, &names),
                    None => {
                        unnamed += 1;
                        format!("Column{unnamed}")
                    }
                },
            };
            if names.contains(&name) {
                return Err(QueryError::type_error(
                    format!("column '{name}' is projected twice"),
                    a.span,
                ));
            }
            names.push(name.clone());
            out.push(val_column(v, &name, rows));
        }
        DataFrame::new(rows, out)
            .map_err(|e| polars_error(e, items.first().map_or_else(Default::default, |a| a.span)))
    }

    /// `extend A = expr, ...`: later items see earlier ones; an existing
    /// column of the same name moves to the end with its new value.
    pub(super) fn op_extend(
        &self,
        items: &[Assignment],
        mut frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let rows = frame.height();
        let mut unnamed = 0;
        // `pack_all()` packs the row extend was given, not the columns its
        // earlier items added (the documented `extend Packed=pack_all(),
        // PackedIgnoreNullEmpty=pack_all(true)` has no Packed in the second).
        let input = frame.clone();
        for a in items {
            if let Some(cols) = self.multi_value_columns(a, &frame, Rest::Drop)? {
                for c in cols {
                    let name = c.name().to_string();
                    if frame.column(&name).is_ok() {
                        frame = frame.drop(&name).map_err(|e| polars_error(e, a.span))?;
                    }
                    frame
                        .with_column(c.into_column())
                        .map_err(|e| polars_error(e, a.span))?;
                }
                continue;
            }
            let source = if packs_all(&a.expr) { &input } else { &frame };
            let v = self.eval_rows(&a.expr, source)?;
            let name = match a.names.first() {
                Some(n) => n.name.clone(),
                None => match expr_name(&a.expr) {
                    Some(n) => n,
                    None => {
                        unnamed += 1;
                        let taken: Vec<String> = frame
                            .get_column_names()
                            .iter()
                            .map(|s| s.to_string())
                            .collect();
                        unique_name(&format!("Column{unnamed}"), &taken)
                    }
                },
            };
            let col = val_column(v, &name, rows);
            // Documented: an existing column of that name is removed and the
            // new value appended.
            if frame.column(&name).is_ok() {
                frame = frame.drop(&name).map_err(|e| polars_error(e, a.span))?;
            }
            frame
                .with_column(col)
                .map_err(|e| polars_error(e, a.span))?;
        }
        Ok(frame)
    }

    pub(super) fn op_project_away(
        &self,
        patterns: &[Ident],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let names = column_names(&frame);
        let drop = select_columns(patterns, &names)?;
        let keep: Vec<String> = names.into_iter().filter(|n| !drop.contains(n)).collect();
        frame
            .select(keep)
            .map_err(|e| polars_error(e, span_of(patterns)))
    }

    pub(super) fn op_project_keep(
        &self,
        patterns: &[Ident],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let names = column_names(&frame);
        let keep = select_columns(patterns, &names)?;
        let keep: Vec<String> = names.into_iter().filter(|n| keep.contains(n)).collect();
        frame
            .select(keep)
            .map_err(|e| polars_error(e, span_of(patterns)))
    }

    /// `project-by-names "A", dynamic(["B"]), "C*"`: the columns named, in
    /// the order named (a pattern's in the table's order), each once; a
    /// name that matches no column is ignored, as documented.
    pub(super) fn op_project_by_names(
        &self,
        specifiers: &[Expr],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let names = column_names(&frame);
        let mut keep: Vec<String> = Vec::new();
        for spec in specifiers {
            let not_a_name = |what: String| {
                QueryError::type_error(
                    format!(
                        "project-by-names takes column names: strings, patterns such as \"C*\" \
                         or arrays of them, not {what}"
                    ),
                    spec.span,
                )
            };
            // A column's values are not names: `project-by-names Name`
            // means `"Name"` or nothing.
            let Val::Scalar(value) = self.eval_rows(spec, &frame)? else {
                return Err(not_a_name(
                    "a column's values (quote a column name: \"Name\")".into(),
                ));
            };
            let wanted: Vec<String> = match value {
                Scalar::String(s) => vec![s],
                Scalar::Dynamic(Json::String(s)) => vec![s],
                Scalar::Dynamic(Json::Array(items)) => items
                    .into_iter()
                    .map(|v| match v {
                        Json::String(s) => Ok(s),
                        other => Err(not_a_name(format!("the array element {other}"))),
                    })
                    .collect::<Result<_, _>>()?,
                other => return Err(not_a_name(other.kind().to_string())),
            };
            for want in wanted {
                for name in &names {
                    let hit = if want.contains('*') {
                        wildcard_match(&want, name)
                    } else {
                        *name == want
                    };
                    if hit && !keep.contains(name) {
                        keep.push(name.clone());
                    }
                }
            }
        }
        let span = specifiers.first().map_or_else(Default::default, |s| s.span);
        frame.select(keep).map_err(|e| polars_error(e, span))
    }

    /// `project-rename New = Old, ...`
    pub(super) fn op_project_rename(
        &self,
        pairs: &[(Ident, Ident)],
        mut frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        for (new, old) in pairs {
            let names = column_names(&frame);
            if !names.contains(&old.name) {
                return Err(unknown_column(&old.name, &names, old));
            }
            if new.name != old.name && names.contains(&new.name) {
                return Err(QueryError::type_error(
                    format!(
                        "cannot rename '{}' to '{}': a column of that name exists",
                        old.name, new.name
                    ),
                    new.span,
                ));
            }
            frame
                .rename(&old.name, new.name.as_str().into())
                .map_err(|e| polars_error(e, new.span))?;
        }
        Ok(frame)
    }

    /// `project-reorder A, B*`: the named columns first, in that order, the
    /// rest after them as they were.
    pub(super) fn op_project_reorder(
        &self,
        patterns: &[(Ident, Option<NameOrder>)],
        frame: DataFrame,
    ) -> Result<DataFrame, QueryError> {
        let names = column_names(&frame);
        let mut first: Vec<String> = Vec::new();
        for (p, order) in patterns {
            let mut matched: Vec<&String> = names
                .iter()
                .filter(|n| wildcard_match(&p.name, n))
                .collect();
            match order {
                None => {}
                Some(NameOrder::Asc) => matched.sort(),
                Some(NameOrder::Desc) => matched.sort_by(|a, b| b.cmp(a)),
                Some(NameOrder::GrannyAsc) => matched.sort_by(|a, b| granny_cmp(a, b)),
                Some(NameOrder::GrannyDesc) => matched.sort_by(|a, b| granny_cmp(b, a)),
            }
            if matched.is_empty() && !p.name.contains('*') {
                return Err(unknown_column(&p.name, &names, p));
            }
            for m in matched {
                if !first.contains(m) {
                    first.push(m.clone());
                }
            }
        }
        let rest = names.into_iter().filter(|n| !first.contains(n));
        let order: Vec<String> = first.iter().cloned().chain(rest).collect();
        frame.select(order).map_err(|e| {
            polars_error(
                e,
                patterns.first().map_or_else(Default::default, |p| p.0.span),
            )
        })
    }
}

/// Natural ("granny") order: runs of digits compare as numbers, so `a2`
/// sorts before `a10`.
fn granny_cmp(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let (mut x, mut y) = (a.chars().peekable(), b.chars().peekable());
    loop {
        match (x.peek().copied(), y.peek().copied()) {
            (None, None) => return Ordering::Equal,
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(c), Some(d)) if c.is_ascii_digit() && d.is_ascii_digit() => {
                let run = |it: &mut std::iter::Peekable<std::str::Chars>| {
                    let mut s = String::new();
                    while let Some(c) = it.peek().copied().filter(char::is_ascii_digit) {
                        s.push(c);
                        it.next();
                    }
                    s
                };
                let (m, n) = (run(&mut x), run(&mut y));
                let (m, n) = (m.trim_start_matches('0'), n.trim_start_matches('0'));
                let o = m.len().cmp(&n.len()).then_with(|| m.cmp(n));
                if o != Ordering::Equal {
                    return o;
                }
            }
            (Some(c), Some(d)) => {
                if c != d {
                    return c.cmp(&d);
                }
                x.next();
                y.next();
            }
        }
    }
}

pub(super) fn column_names(frame: &DataFrame) -> Vec<String> {
    frame
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect()
}

fn unknown_column(name: &str, names: &[String], at: &Ident) -> QueryError {
    QueryError::unknown(
        format!(
            "unknown column '{name}'{}",
            did_you_mean(name, names.iter().map(String::as_str))
        ),
        at.span,
    )
}

/// The columns named by patterns (with `*` wildcards); a plain name that
/// does not exist is an error.
fn select_columns(patterns: &[Ident], names: &[String]) -> Result<Vec<String>, QueryError> {
    let mut out = Vec::new();
    for p in patterns {
        let matched: Vec<&String> = names
            .iter()
            .filter(|n| wildcard_match(&p.name, n))
            .collect();
        if matched.is_empty() && !p.name.contains('*') {
            return Err(unknown_column(&p.name, names, p));
        }
        out.extend(matched.into_iter().cloned());
    }
    Ok(out)
}

/// The span of a column list, for errors (the first name's).
fn span_of(patterns: &[Ident]) -> crate::kql::ast::Span {
    patterns.first().map_or_else(Default::default, |p| p.span)
}

/// Whether `e` is a call of `pack_all()`, directly or as an argument of
/// other calls (`tostring(pack_all())`).
fn packs_all(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Call { name, args } => {
            name.name.eq_ignore_ascii_case("pack_all") || args.iter().any(packs_all)
        }
        _ => false,
    }
}
