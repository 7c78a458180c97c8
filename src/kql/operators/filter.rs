//! `where` and `search`.

use std::collections::HashSet;

use polars::prelude::*;

use super::{polars_error, wildcard_match};
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind, Ident, Span};
use crate::kql::error::QueryError;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

impl Runner<'_> {
    /// `where predicate`: keeps rows where it is true (null counts as false).
    pub(super) fn op_where(&self, e: &Expr, frame: DataFrame) -> Result<DataFrame, QueryError> {
        self.in_slices(e, frame, |slice| {
            let v = self.eval(e, &slice)?;
            filter_by(slice, v, e.span)
        })
    }

    /// `search` as the start of a query: every table in scope (all, or those
    /// named, with wildcards), filtered by the predicate, with `$table` first.
    /// With `only_table`, the hits keep only `$table`: what the rest of the
    /// pipeline needs when it just counts hits per table (`search "x" |
    /// summarize count() by $table`), without gathering every column of
    /// millions of hits.
    pub(crate) fn op_search(
        &self,
        case_sensitive: bool,
        tables: &[Ident],
        predicate: &Expr,
        span: Span,
        only_table: bool,
    ) -> Result<DataFrame, QueryError> {
        let mut names: Vec<String> = Vec::new();
        if tables.is_empty() {
            names.extend(self.table_names().into_iter().map(str::to_string));
        } else {
            for t in tables {
                if t.name.contains('*') {
                    names.extend(
                        self.table_names()
                            .into_iter()
                            .filter(|n| wildcard_match(&t.name, n))
                            .map(str::to_string),
                    );
                } else if self.catalog_table(&t.name).is_some() {
                    names.push(t.name.clone());
                } else {
                    return Err(self.unknown_table(&t.name, t.span));
                }
            }
        }
        // A column that only some of the tables have is no error: the
        // tables without it have no hits for that part of the predicate
        // (`search "Hughes" and DateKey > datetime(2009-01-01)`).
        let mut known: HashSet<String> = HashSet::new();
        let mut frames = Vec::with_capacity(names.len());
        for name in names {
            let frame = self.table(&name, span)?;
            known.extend(frame.get_column_names().iter().map(|c| c.to_string()));
            frames.push((name, frame));
        }
        let mut parts = Vec::new();
        for (name, frame) in frames {
            self.check_cancel()?;
            // Tables without hits still give their columns, so the output's
            // schema does not depend on which tables matched.
            parts.push(self.search_frame(
                case_sensitive,
                predicate,
                frame,
                Some(&name),
                Some(&known),
                only_table,
            )?);
        }
        if parts.is_empty() {
            return DataFrame::new(0, vec![Column::new("$table".into(), Vec::<&str>::new())])
                .map_err(|e| polars_error(e, span));
        }
        super::union::concat_outer(parts, span)
    }

    /// `T | search ...`: the same filter on the piped rows.
    pub(super) fn op_search_piped(
        &self,
        case_sensitive: bool,
        predicate: &Expr,
        frame: DataFrame,
        origin: Option<&str>,
    ) -> Result<DataFrame, QueryError> {
        self.search_frame(
            case_sensitive,
            predicate,
            frame,
            Some(origin.unwrap_or("")),
            None,
            false,
        )
    }

    pub(super) fn search_frame(
        &self,
        case_sensitive: bool,
        predicate: &Expr,
        frame: DataFrame,
        table: Option<&str>,
        known: Option<&HashSet<String>>,
        only_table: bool,
    ) -> Result<DataFrame, QueryError> {
        // A search predicate mixes terms with ordinary expressions; a column
        // named by a term that this table lacks makes the term false here.
        let mut hits = self.in_slices(predicate, frame, |slice| {
            let v = self.search_predicate(case_sensitive, predicate, &slice, known)?;
            let slice = if only_table {
                let col = Self::table_column(table.unwrap_or(""), slice.height(), predicate.span)?;
                DataFrame::new(slice.height(), vec![col])
                    .map_err(|e| polars_error(e, predicate.span))?
            } else {
                slice
            };
            filter_by(slice, v, predicate.span)
        })?;
        if let Some(name) = table
            && hits.column("$table").is_err()
        {
            let col = Self::table_column(name, hits.height(), predicate.span)?;
            hits = hits
                .insert_column(0, col)
                .map_err(|e| polars_error(e, predicate.span))?
                .clone();
        }
        Ok(hits)
    }

    /// The `$table` column of a table's hits, encoded (millions of hits
    /// would otherwise each hold the table's name as text).
    pub(crate) fn table_column(name: &str, rows: usize, span: Span) -> Result<Column, QueryError> {
        crate::data::encode::encode_constant("$table".into(), name, rows)
            .map(Column::from)
            .map_err(|e| polars_error(e, span))
    }

    pub(crate) fn search_predicate(
        &self,
        case_sensitive: bool,
        e: &Expr,
        frame: &DataFrame,
        known: Option<&HashSet<String>>,
    ) -> Result<Val, QueryError> {
        use crate::kql::ast::BinaryOp;
        match &e.kind {
            // `search *`: every row.
            ExprKind::Star => Ok(Val::Scalar(Scalar::Bool(true))),
            ExprKind::SearchTerm { column, text } => {
                if let Some(c) = column
                    && frame.column(&c.name).is_err()
                {
                    return Ok(Val::Scalar(Scalar::Bool(false)));
                }
                self.search_term(
                    column.as_ref().map(|c| c.name.as_str()),
                    text,
                    case_sensitive,
                    frame,
                    e.span,
                )
            }
            ExprKind::Binary {
                op: op @ (BinaryOp::And | BinaryOp::Or),
                left,
                right,
            } => {
                let l = self.search_predicate(case_sensitive, left, frame, known)?;
                let r = self.search_predicate(case_sensitive, right, frame, known)?;
                crate::kql::expr::binary(*op, l, r, frame.height(), e.span)
            }
            ExprKind::Call { name, args } if name.name == "not" && args.len() == 1 => {
                let v = self.search_predicate(case_sensitive, &args[0], frame, known)?;
                crate::kql::expr::not(v, frame.height())
            }
            _ => {
                if let Some(known) = known {
                    let mut names = Vec::new();
                    column_names_in(e, &mut names);
                    let absent_here = names.iter().any(|n| {
                        frame.column(n).is_err()
                            && self.scope.get(n).is_none()
                            && known.contains(*n)
                    });
                    if absent_here {
                        return Ok(Val::Scalar(Scalar::Null(KqlType::Bool)));
                    }
                }
                self.eval(e, frame)
            }
        }
    }
}

/// The names an expression refers to (columns or `let` names), outside of
/// nested tabular expressions.
pub(super) fn column_names_in<'e>(e: &'e Expr, out: &mut Vec<&'e str>) {
    match &e.kind {
        ExprKind::Name(n) => out.push(n),
        ExprKind::Negate(x) => column_names_in(x, out),
        ExprKind::Binary { left, right, .. } | ExprKind::StringOp { left, right, .. } => {
            column_names_in(left, out);
            column_names_in(right, out);
        }
        ExprKind::List { left, items, .. } => {
            column_names_in(left, out);
            items.iter().for_each(|i| column_names_in(i, out));
        }
        ExprKind::Between {
            value, low, high, ..
        } => {
            for x in [value, low, high] {
                column_names_in(x, out);
            }
        }
        ExprKind::Call { args, .. } | ExprKind::Tuple(args) => {
            args.iter().for_each(|a| column_names_in(a, out))
        }
        ExprKind::Member { target, .. } => column_names_in(target, out),
        ExprKind::Index { target, index } => {
            column_names_in(target, out);
            column_names_in(index, out);
        }
        ExprKind::NamedArg { value, .. } => column_names_in(value, out),
        ExprKind::SearchTerm {
            column: Some(c), ..
        } => out.push(&c.name),
        _ => {}
    }
}

/// Which rows a `where` keeps, from its predicate's value.
pub(crate) enum Kept {
    All,
    None,
    /// The rows whose value is true (null counts as false).
    Rows(BooleanChunked),
}

/// The rows a predicate's value `v` keeps: true keeps a row, false and
/// null drop it; anything but a bool is an error at `span`.
pub(crate) fn kept(v: Val, rows: usize, span: Span) -> Result<Kept, QueryError> {
    match v {
        Val::Scalar(Scalar::Bool(true)) => Ok(Kept::All),
        Val::Scalar(Scalar::Bool(false) | Scalar::Null(_)) => Ok(Kept::None),
        Val::Scalar(s) => Err(QueryError::type_error(
            format!("a filter must be a bool, not {}", s.kind()),
            span,
        )),
        Val::Column(c) => {
            let mask = match c.dtype() {
                DataType::Boolean => c.bool().map_err(|e| polars_error(e, span))?.clone(),
                DataType::Binary => Val::Column(c.clone()).to_bools(rows),
                other => {
                    return Err(QueryError::type_error(
                        format!(
                            "a filter must be a bool, not {}",
                            crate::data::types::KqlType::of(other)
                                .map_or("this type", |k| k.name())
                        ),
                        span,
                    ));
                }
            };
            let mask = mask
                .fill_null_with_values(false)
                .map_err(|e| polars_error(e, span))?;
            Ok(Kept::Rows(mask))
        }
    }
}

/// The rows of `frame` that `v` keeps.
pub(super) fn filter_by(frame: DataFrame, v: Val, span: Span) -> Result<DataFrame, QueryError> {
    match kept(v, frame.height(), span)? {
        Kept::All => Ok(frame),
        Kept::None => Ok(frame.head(Some(0))),
        Kept::Rows(mask) => frame.filter(&mask).map_err(|e| polars_error(e, span)),
    }
}
