//! Evaluating scalar expressions over a frame: literals, columns, operators,
//! string predicates, function calls and dynamic member access, with KQL's
//! types and null rules.

use polars::prelude::*;
use serde_json::Value as Json;

use super::ast::{
    BinaryOp, Expr, ExprKind, FunctionBody, ListOp, Literal, Span, StringOp, StringOpKind,
};
use super::error::{QueryError, did_you_mean};
use super::functions::dictionary::{PredicateKey, dictionary_of};
use super::functions::{self, Call, terms::Matcher};
use super::run::{Binding, Runner};
use super::value::{Scalar, Val, parse_json_bytes};
use crate::data::time::{
    DATETIME_TEXT_LEN, NANOS_PER_TICK, datetime_text, format_datetime, parse_datetime,
};
use crate::data::types::KqlType;

impl Runner<'_> {
    /// Evaluates `e` over the rows of `frame`.
    pub fn eval(&self, e: &Expr, frame: &DataFrame) -> Result<Val, QueryError> {
        let rows = frame.height();
        match &e.kind {
            ExprKind::Literal(l) => literal(l, e.span).map(Val::Scalar),
            ExprKind::Name(n) => self.name(n, frame, e.span),
            ExprKind::Star => Err(QueryError::syntax("'*' is not allowed here", e.span)),
            ExprKind::Negate(inner) => negate(self.eval(inner, frame)?, e.span),
            ExprKind::Binary { op, left, right } => {
                let l = self.eval(left, frame)?;
                let r = self.eval(right, frame)?;
                binary(*op, l, r, rows, e.span)
            }
            ExprKind::StringOp { op, left, right } if matches!(left.kind, ExprKind::Star) => {
                self.any_column(*op, right, frame)
            }
            ExprKind::StringOp { op, left, right } => {
                let l = self.eval(left, frame)?;
                let r = self.eval(right, frame)?;
                string_op(*op, &l, &r, rows, right.span)
            }
            ExprKind::List { op, left, items } => self.list_op(*op, left, items, frame),
            ExprKind::Between {
                negated,
                value,
                low,
                high,
            } => {
                let v = self.eval(value, frame)?;
                let lo = self.eval(low, frame)?;
                let mut hi = self.eval(high, frame)?;
                // `t between (datetime(...) .. 3d)`: a timespan upper bound
                // is an offset from the lower one.
                if lo.kind() == KqlType::Datetime && hi.kind() == KqlType::Timespan {
                    hi = binary(BinaryOp::Add, lo.clone(), hi, rows, high.span)?;
                }
                let ge = binary(BinaryOp::GtEq, v.clone(), lo, rows, e.span)?;
                let le = binary(BinaryOp::LtEq, v, hi, rows, e.span)?;
                let both = binary(BinaryOp::And, ge, le, rows, e.span)?;
                if *negated { not(both, rows) } else { Ok(both) }
            }
            ExprKind::Call { name, args } => self.call(&name.name, args, frame, e.span, name.span),
            ExprKind::Member { target, name } => {
                let t = self.eval(target, frame)?;
                member(&t, &Json::String(name.name.clone()), rows)
            }
            ExprKind::Index { target, index } => {
                let t = self.eval(target, frame)?;
                let i = self.eval_scalar(index, frame)?;
                let key = match i {
                    Scalar::String(s) => Json::String(s),
                    Scalar::Int(v) => Json::from(v),
                    Scalar::Long(v) => Json::from(v),
                    other => {
                        return Err(QueryError::type_error(
                            format!(
                                "an index must be a string or a number, not {}",
                                other.kind()
                            ),
                            index.span,
                        ));
                    }
                };
                member(&t, &key, rows)
            }
            ExprKind::SearchTerm { column, text } => self.search_term(
                column.as_ref().map(|c| c.name.as_str()),
                text,
                false,
                frame,
                e.span,
            ),
            ExprKind::Tabular(_) => Err(QueryError::type_error(
                "a table is not a value; use toscalar() or 'in (...)'",
                e.span,
            )),
            ExprKind::Tuple(_) => Err(QueryError::type_error(
                "a list is only allowed after 'in'",
                e.span,
            )),
            ExprKind::NamedArg { value, .. } => self.eval(value, frame),
        }
    }

    fn name(&self, n: &str, frame: &DataFrame, span: Span) -> Result<Val, QueryError> {
        if let Ok(c) = frame.column(n) {
            return Ok(Val::Column(c.as_materialized_series().clone()));
        }
        match self.scope.get(n) {
            Some(Binding::Scalar(s)) => return Ok(Val::Scalar(s.clone())),
            Some(Binding::Table(_)) => {
                return Err(QueryError::type_error(
                    format!("'{n}' is a table, not a value"),
                    span,
                ));
            }
            // A scalar function of no parameters is called by its name
            // alone (named-expressions.md: `let x = () {rand(1000)}; print x`).
            Some(Binding::Function(f, _))
                if f.params.is_empty() && matches!(f.body, FunctionBody::Scalar(_)) =>
            {
                if let Some(v) = self.call_scalar_function(n, &[], frame, span)? {
                    return Ok(v);
                }
            }
            Some(Binding::Function(..)) => {
                return Err(QueryError::type_error(
                    format!("'{n}' is a function; call it as {n}()"),
                    span,
                ));
            }
            None => {}
        }
        let names: Vec<&str> = frame
            .get_column_names()
            .into_iter()
            .map(|s| s.as_str())
            .collect();
        let hint = did_you_mean(n, names.iter().copied().chain(self.scope.names()));
        Err(QueryError::unknown(
            format!("unknown column '{n}'{hint}"),
            span,
        ))
    }

    /// `search` terms: `"x"` is `* has "x"`, `Col:"x"` is `Col has "x"`;
    /// `x*`, `*x`, `*x*` and `a*b` switch to hasprefix, hassuffix, contains
    /// and a regex.
    pub fn search_term(
        &self,
        column: Option<&str>,
        text: &str,
        case_sensitive: bool,
        frame: &DataFrame,
        span: Span,
    ) -> Result<Val, QueryError> {
        let matcher =
            search_matcher(text, case_sensitive).map_err(|m| QueryError::runtime(m, Some(span)))?;
        let rows = frame.height();
        let columns: Vec<&Column> = match column {
            Some(c) => vec![frame.column(c).map_err(|_| {
                let names: Vec<&str> = frame
                    .get_column_names()
                    .into_iter()
                    .map(|s| s.as_str())
                    .collect();
                QueryError::unknown(
                    format!("unknown column '{c}'{}", did_you_mean(c, names)),
                    span,
                )
            })?],
            None => frame.columns().iter().collect(),
        };
        Ok(Val::Column(
            matches_in_any(&matcher, &columns, rows).into_series(),
        ))
    }

    /// `where * has "x"` (what `search "x"` means): the predicate holds in
    /// some column; `* !has "x"` holds when it holds in none.
    fn any_column(&self, op: StringOp, right: &Expr, frame: &DataFrame) -> Result<Val, QueryError> {
        let needle = self.eval_scalar(right, frame)?;
        let matcher = Matcher::new(op.kind, &needle.to_text(), op.case_sensitive)
            .map_err(|m| QueryError::runtime(m, Some(right.span)))?;
        let rows = frame.height();
        let columns: Vec<&Column> = frame.columns().iter().collect();
        let v = Val::Column(matches_in_any(&matcher, &columns, rows).into_series());
        if op.negated { not(v, rows) } else { Ok(v) }
    }

    fn list_op(
        &self,
        op: ListOp,
        left: &Expr,
        items: &[Expr],
        frame: &DataFrame,
    ) -> Result<Val, QueryError> {
        let rows = frame.height();
        let l = self.eval(left, frame)?;
        // The right side: constants, dynamic arrays (flattened), or a
        // tabular subquery's first column.
        let mut values: Vec<Scalar> = Vec::new();
        for item in items {
            if let ExprKind::Tabular(p) = &item.kind {
                let t = self.pipeline(p, None)?;
                if let Some(c) = t.columns().first() {
                    let s = c.as_materialized_series();
                    values.extend((0..s.len()).map(|i| Scalar::from_series(s, i)));
                }
                continue;
            }
            if let ExprKind::Name(n) = &item.kind
                && frame.column(n).is_err()
                && let Some(Binding::Table(t)) = self.scope.get(n)
            {
                if let Some(c) = t.columns().first() {
                    let s = c.as_materialized_series();
                    values.extend((0..s.len()).map(|i| Scalar::from_series(s, i)));
                }
                continue;
            }
            match self.eval(item, frame)? {
                Val::Scalar(Scalar::Dynamic(Json::Array(a))) => {
                    values.extend(a.iter().map(json_scalar));
                }
                Val::Scalar(s) => values.push(s),
                Val::Column(c) => {
                    return Err(QueryError::type_error(
                        format!(
                            "the list after '{}' must be constant, but '{}' varies by row",
                            list_op_name(op),
                            c.name()
                        ),
                        item.span,
                    ));
                }
            }
        }
        let result = match op {
            ListOp::In | ListOp::NotIn | ListOp::InCi | ListOp::NotInCi => {
                let ci = matches!(op, ListOp::InCi | ListOp::NotInCi);
                in_list(&l, &values, ci, rows)
            }
            ListOp::HasAny | ListOp::HasAll => {
                let matchers: Vec<Matcher> = values
                    .iter()
                    .map(|v| Matcher::new(StringOpKind::Has, &v.to_text(), false))
                    .collect::<Result<_, _>>()
                    .map_err(|m| QueryError::runtime(m, Some(left.span)))?;
                let mut buf = String::new();
                let all = op == ListOp::HasAll;
                let holds = |s: &str, buf: &mut String| {
                    if all {
                        matchers.iter().all(|m| m.matches(s, buf))
                    } else {
                        matchers.iter().any(|m| m.matches(s, buf))
                    }
                };
                if let Val::Column(c) = &l
                    && let Some(d) = dictionary_of(c)
                {
                    let key = PredicateKey::new(
                        if all { "has_all" } else { "has_any" },
                        matchers.iter().map(|m| m.key().as_str().to_string()),
                    );
                    let out = d.map_bool(c.name().clone(), Some(key), |s| {
                        holds(s, &mut String::new())
                    });
                    return Ok(bool_val(out));
                }
                let out: BooleanChunked = l
                    .to_text(rows)
                    .iter()
                    .map(|v| Some(holds(v.unwrap_or(""), &mut buf)))
                    .collect();
                Val::Column(out.into_series())
            }
        };
        match op {
            ListOp::NotIn | ListOp::NotInCi => not(result, rows),
            _ => Ok(result),
        }
    }

    fn call(
        &self,
        name: &str,
        args: &[Expr],
        frame: &DataFrame,
        span: Span,
        name_span: Span,
    ) -> Result<Val, QueryError> {
        let rows = frame.height();
        match name {
            // `column_names_of(T)`: the names of a tabular expression's
            // columns, as a dynamic array.
            "column_names_of" => {
                let t = match args {
                    [arg] => match (self.tabular_expr(arg)?, &arg.kind) {
                        (None, ExprKind::Name(n)) if self.scope.get(n).is_none() => {
                            return Err(self.unknown_table(n, arg.span));
                        }
                        (t, _) => t,
                    },
                    _ => None,
                };
                let Some(t) = t else {
                    return Err(QueryError::type_error(
                        "column_names_of() needs one tabular argument: a table, a let-bound tabular expression or a call of a tabular function",
                        span,
                    ));
                };
                let names = t
                    .get_column_names()
                    .iter()
                    .map(|n| Json::String(n.to_string()))
                    .collect();
                return Ok(Val::Scalar(Scalar::Dynamic(Json::Array(names))));
            }
            "toscalar" => {
                let arg = args.first().ok_or_else(|| {
                    QueryError::type_error("toscalar() needs a tabular argument", span)
                })?;
                let t = match &arg.kind {
                    ExprKind::Tabular(p) => self.pipeline(p, None)?,
                    _ => match self.tabular_pipeline_of(arg)? {
                        Some(t) => t,
                        None => return self.eval(arg, frame),
                    },
                };
                let value = match t.columns().first() {
                    Some(c) if t.height() > 0 => Scalar::from_series(c.as_materialized_series(), 0),
                    Some(c) => Scalar::Null(KqlType::of(c.dtype()).unwrap_or(KqlType::Dynamic)),
                    None => Scalar::Null(KqlType::Dynamic),
                };
                return Ok(Val::Scalar(value));
            }
            // `pack_all([ignore_null_empty])`: every column of the row, by
            // name, in a bag.
            "pack_all" => {
                let skip_empty = match args.first() {
                    Some(a) => match self.eval_scalar(a, frame)? {
                        Scalar::Bool(b) => b,
                        other => {
                            return Err(QueryError::type_error(
                                format!("pack_all() takes a bool, not {}", other.kind()),
                                a.span,
                            ));
                        }
                    },
                    None => false,
                };
                let columns: Vec<&Series> = frame
                    .columns()
                    .iter()
                    .map(|c| c.as_materialized_series())
                    .collect();
                let bags: BinaryChunked = (0..rows)
                    .map(|i| {
                        let mut bag = serde_json::Map::new();
                        for c in &columns {
                            let v = Scalar::from_series(c, i);
                            let empty =
                                v.is_null() || matches!(&v, Scalar::String(t) if t.is_empty());
                            if !(skip_empty && empty) {
                                bag.insert(c.name().to_string(), v.to_json());
                            }
                        }
                        Some(Json::Object(bag).to_string().into_bytes())
                    })
                    .collect();
                return Ok(Val::Column(bags.into_series()));
            }
            // `columnifexists`: the documented, deprecated older name.
            "column_ifexists" | "columnifexists" => {
                let col = match args
                    .first()
                    .map(|a| self.eval_scalar(a, frame))
                    .transpose()?
                {
                    Some(Scalar::String(s)) => s,
                    _ => {
                        return Err(QueryError::type_error(
                            format!("{name}() needs a column name string"),
                            span,
                        ));
                    }
                };
                if let Ok(c) = frame.column(&col) {
                    return Ok(Val::Column(c.as_materialized_series().clone()));
                }
                return match args.get(1) {
                    Some(d) => self.eval(d, frame),
                    None => Err(QueryError::type_error(
                        format!("{name}() needs a default value"),
                        span,
                    )),
                };
            }
            // `typeof(T)`: the type's name, the form functions taking a
            // type argument (`extract(..., typeof(int))`) read.
            "typeof" => {
                let ty = match args {
                    [a] => match &a.kind {
                        ExprKind::Name(n) => KqlType::parse(n).map(|_| n.clone()),
                        ExprKind::Literal(Literal::String(t)) => {
                            KqlType::parse(t).map(|_| t.clone())
                        }
                        _ => None,
                    },
                    _ => None,
                };
                return match ty {
                    Some(t) => Ok(Val::Scalar(Scalar::String(t))),
                    None => Err(QueryError::type_error(
                        "typeof() takes one type name, such as typeof(long)",
                        span,
                    )),
                };
            }
            "geo_info_from_ip_address" => {
                if args.len() != 1 {
                    return Err(QueryError::type_error(
                        format!(
                            "geo_info_from_ip_address() takes 1 argument(s), {} given",
                            args.len()
                        ),
                        span,
                    ));
                }
                let Some(table) = self.catalog.get(functions::geo::GEOIP_TABLE) else {
                    return Err(QueryError::runtime(functions::geo::NO_TABLE, Some(span)));
                };
                let ip = self.eval(&args[0], frame)?;
                let index = functions::geo::GeoIndex::build(&table.frame, span)?;
                return Ok(index.eval(&ip, rows));
            }
            "ingestion_time" => {
                if !args.is_empty() {
                    return Err(QueryError::type_error(
                        "ingestion_time() takes no arguments",
                        span,
                    ));
                }
                // Offline there is no ingestion time; the closest value
                // Kusto would show is the event's own time column.
                for col in ["TimeGenerated", "Timestamp"] {
                    if let Ok(c) = frame.column(col)
                        && KqlType::of(c.dtype()) == Some(KqlType::Datetime)
                    {
                        return Ok(Val::Column(c.as_materialized_series().clone()));
                    }
                }
                return Ok(Val::null(KqlType::Datetime));
            }
            _ => {}
        }
        if let Some(v) = self.call_scalar_function(name, args, frame, span)? {
            return Ok(v);
        }
        if functions::aggregates::lookup(name).is_some() && functions::lookup(name).is_none() {
            return Err(QueryError::type_error(
                format!("{name}() is an aggregation function: use it in summarize"),
                name_span,
            ));
        }
        let Some(f) = functions::lookup(name) else {
            let mut names = functions::all_names();
            names.extend(self.scope.names());
            return Err(QueryError::unknown(
                format!("unknown function '{name}'{}", did_you_mean(name, names)),
                name_span,
            ));
        };
        if args.len() < f.min_args || args.len() > f.max_args {
            let expected = if f.min_args == f.max_args {
                format!("{}", f.min_args)
            } else if f.max_args == usize::MAX {
                format!("at least {}", f.min_args)
            } else {
                format!("{} to {}", f.min_args, f.max_args)
            };
            return Err(QueryError::type_error(
                format!(
                    "{}() takes {expected} argument(s), {} given",
                    f.name,
                    args.len()
                ),
                span,
            ));
        }
        let mut vals = Vec::with_capacity(args.len());
        let (mut spans, mut columns) = (Vec::new(), Vec::new());
        for a in args {
            // `f(*)`: every column (estimate_data_size(*)).
            let named: Vec<(Val, Option<String>)> = match &a.kind {
                ExprKind::Star => frame
                    .columns()
                    .iter()
                    .map(|c| {
                        let v = Val::Column(c.as_materialized_series().clone());
                        (v, Some(c.name().to_string()))
                    })
                    .collect(),
                ExprKind::Name(n) => vec![(self.eval(a, frame)?, Some(n.clone()))],
                _ => vec![(self.eval(a, frame)?, None)],
            };
            for (v, column) in named {
                // Functions read text row by row: encoded columns as plain text.
                vals.push(v.decoded());
                spans.push(a.span);
                columns.push(column);
            }
        }
        let call = Call {
            name: f.name,
            args: vals,
            spans,
            columns,
            span,
            rows,
            now: self.now(),
            cancel: self.cancel(),
        };
        (f.eval)(&call)
    }

    /// A call argument that names a table (`toscalar(T)`).
    fn tabular_pipeline_of(&self, e: &Expr) -> Result<Option<DataFrame>, QueryError> {
        if let ExprKind::Name(n) = &e.kind
            && let Some(Binding::Table(t)) = self.scope.get(n)
        {
            return Ok(Some((**t).clone()));
        }
        Ok(None)
    }
}

fn list_op_name(op: ListOp) -> &'static str {
    match op {
        ListOp::In => "in",
        ListOp::NotIn => "!in",
        ListOp::InCi => "in~",
        ListOp::NotInCi => "!in~",
        ListOp::HasAny => "has_any",
        ListOp::HasAll => "has_all",
    }
}

/// A search term's matches in one column; `None` when the column's values
/// cannot match (a word searched in a column of numbers). Numbers, dates and
/// dynamic values are searched as their text, without formatting every
/// value where the answer is known from the number itself.
fn search_column(matcher: &Matcher, s: &Series) -> Option<BooleanChunked> {
    let digits = |c: char| c.is_ascii_digit() || c == '-';
    match s.dtype() {
        DataType::String | DataType::Categorical(_, _) => return matcher.apply_any(s),
        DataType::Int32 | DataType::Int64 => {
            if !matcher.possible_in_shape(NUMBER_SHAPE) {
                return None;
            }
            if let Some(n) = matcher.single_number() {
                // A number's text is one term, perhaps after a minus sign.
                let v = s.cast(&DataType::Int64).ok()?;
                let v = v.i64().ok()?;
                let hit = &v.equal(n) | &v.equal(-n);
                return hit.any().then_some(hit);
            }
        }
        DataType::Boolean if !matcher.possible_in(|c| "truefalsTRUEFALS".contains(c)) => {
            return None;
        }
        DataType::Float64 if !matcher.possible_in(|c| digits(c) || ".eE+NaInfity".contains(c)) => {
            return None;
        }
        DataType::Datetime(_, _) => {
            if !matcher.possible_in_shape(DATETIME_SHAPE) {
                return None;
            }
            if let (Some(n), Some(len)) = (matcher.single_number(), matcher.needle_len()) {
                return datetime_has_number(s, n, len);
            }
            // Each value's text written into one buffer, none allocated.
            let mut buf = [0u8; DATETIME_TEXT_LEN];
            let mut scratch = String::new();
            let hits: BooleanChunked = s
                .datetime()
                .ok()?
                .physical()
                .iter()
                .map(|v| {
                    v.map(|ns| match datetime_text(ns, &mut buf) {
                        Some(text) => matcher.matches(text, &mut scratch),
                        None => matcher.matches(&format_datetime(ns), &mut scratch),
                    })
                })
                .collect();
            return Some(hits.with_name(s.name().clone()));
        }
        DataType::Duration(_) if !matcher.possible_in(|c| digits(c) || ":.".contains(c)) => {
            return None;
        }
        _ => {}
    }
    Some(matcher.apply(s))
}

/// Rows where the predicate holds in at least one of `columns` (searched in
/// parallel).
fn matches_in_any(matcher: &Matcher, columns: &[&Column], rows: usize) -> BooleanChunked {
    use rayon::prelude::*;
    let hits: Vec<Option<BooleanChunked>> = columns
        .par_iter()
        .map(|c| search_column(matcher, c.as_materialized_series()))
        .collect();
    let mut acc = BooleanChunked::full("".into(), false, rows);
    for hit in hits.into_iter().flatten() {
        acc = &acc | &hit.fill_null_with_values(false).unwrap_or(hit);
    }
    acc
}

/// The text of every long or int fits in this (`#` for a digit).
const NUMBER_SHAPE: &str = "-###################";

/// The text of every datetime (see `data::time::format_datetime`), `#`
/// for a digit.
const DATETIME_SHAPE: &str = "####-##-##T##:##:##.#######Z";

/// `has "2025"` on a datetime, without formatting it: in
/// `2025-03-18T11:42:07.1234567Z` the all-digit terms are the year (4
/// digits), the month, minute and second (2), and the ticks (7); the day and
/// hour share the term `18T11`.
fn datetime_has_number(s: &Series, n: i64, len: usize) -> Option<BooleanChunked> {
    use chrono::{Datelike, Timelike};
    let dt = s.datetime().ok()?;
    // Most searched numbers are no year, month, minute or second of the
    // column at all: decide that from its range without visiting rows.
    let year =
        |ns: i64| i64::from(chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(ns).year());
    let possible = match len {
        4 => match (dt.physical().min(), dt.physical().max()) {
            (Some(lo), Some(hi)) => (year(lo)..=year(hi)).contains(&n),
            _ => false,
        },
        2 => n <= 59,
        7 => true,
        _ => false,
    };
    if !possible {
        return None;
    }
    let hit: BooleanChunked = dt
        .physical()
        .iter()
        .map(|v| {
            v.map(|ns| {
                let t = chrono::DateTime::<chrono::Utc>::from_timestamp_nanos(ns);
                match len {
                    4 => i64::from(t.year()) == n,
                    2 => [t.month(), t.minute(), t.second()].contains(&(n as u32)),
                    7 => ns.rem_euclid(1_000_000_000) / 100 == n,
                    _ => false,
                }
            })
        })
        .collect();
    hit.any().then_some(hit)
}

/// The matcher for one `search` term with its wildcards.
fn search_matcher(text: &str, case_sensitive: bool) -> Result<Matcher, String> {
    let starts = text.starts_with('*');
    let ends = text.ends_with('*') && text.len() > 1;
    let inner = text.trim_matches('*');
    if inner.contains('*') {
        // Documented: `search "Lab*PC"` is `matches regex @"\bLab.*PC\b"`.
        let pattern: Vec<String> = inner.split('*').map(regex::escape).collect();
        let mut re = format!(r"\b{}\b", pattern.join(".*"));
        if !case_sensitive {
            re = format!("(?i){re}");
        }
        return Matcher::new(StringOpKind::MatchesRegex, &re, true);
    }
    let kind = match (starts, ends) {
        (true, true) => StringOpKind::Contains,
        (false, true) => StringOpKind::HasPrefix,
        (true, false) => StringOpKind::HasSuffix,
        (false, false) => StringOpKind::Has,
    };
    Matcher::new(kind, inner, case_sensitive)
}

/// A literal's value. Datetimes are parsed here so a bad one points at itself.
pub fn literal(l: &Literal, span: Span) -> Result<Scalar, QueryError> {
    Ok(match l {
        Literal::String(s) => Scalar::String(s.clone()),
        Literal::Long(v) => Scalar::Long(*v),
        Literal::Int(v) => Scalar::Int(*v),
        Literal::Real(v) => Scalar::Real(*v),
        Literal::Bool(b) => Scalar::Bool(*b),
        Literal::Timespan(ticks) => Scalar::Timespan(ticks.saturating_mul(NANOS_PER_TICK)),
        Literal::Datetime(text) => match text.trim() {
            "" | "null" => Scalar::Null(KqlType::Datetime),
            t => {
                let t = t.trim_matches(|c| c == '"' || c == '\'');
                // The documentation writes dates spaced out as
                // `datetime(2017 - 08 - 01)` (sliding-window-counts-plugin.md).
                let spaced =
                    || parse_datetime(&t.split('-').map(str::trim).collect::<Vec<_>>().join("-"));
                Scalar::Datetime(
                    parse_datetime(t).or_else(spaced).ok_or_else(|| {
                        QueryError::syntax(format!("invalid datetime '{t}'"), span)
                    })?,
                )
            }
        },
        Literal::Dynamic(j) => Scalar::Dynamic(j.clone()),
        Literal::Null(kind) => match KqlType::parse(kind) {
            Some(KqlType::String) => Scalar::String(String::new()),
            Some(k) => Scalar::Null(k),
            None => return Err(QueryError::syntax(format!("unknown type '{kind}'"), span)),
        },
    })
}

/// A JSON value inside a dynamic as a scalar (for `in` lists and comparisons).
pub fn json_scalar(j: &Json) -> Scalar {
    match j {
        Json::Null => Scalar::Null(KqlType::Dynamic),
        Json::Bool(b) => Scalar::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Scalar::Long(i),
            None => Scalar::Real(n.as_f64().unwrap_or(f64::NAN)),
        },
        Json::String(s) => Scalar::String(s.clone()),
        other => Scalar::Dynamic(other.clone()),
    }
}

fn runtime(e: PolarsError, span: Span) -> QueryError {
    QueryError::runtime(e.to_string(), Some(span))
}

/// `-x`
fn negate(v: Val, span: Span) -> Result<Val, QueryError> {
    Ok(match v {
        Val::Scalar(s) => Val::Scalar(match s {
            Scalar::Int(x) => Scalar::Int(x.wrapping_neg()),
            Scalar::Long(x) => Scalar::Long(x.wrapping_neg()),
            Scalar::Real(x) => Scalar::Real(-x),
            Scalar::Timespan(x) => Scalar::Timespan(-x),
            Scalar::Null(k) => Scalar::Null(k),
            other => {
                return Err(QueryError::type_error(
                    format!("cannot negate a {}", other.kind()),
                    span,
                ));
            }
        }),
        Val::Column(c) => {
            let kind = KqlType::of(c.dtype());
            match kind {
                Some(KqlType::Int | KqlType::Long | KqlType::Real | KqlType::Timespan) => {
                    let neg = &c * -1;
                    Val::Column(neg)
                }
                _ => {
                    return Err(QueryError::type_error(
                        format!("cannot negate a {}", kind.map_or("value", |k| k.name())),
                        span,
                    ));
                }
            }
        }
    })
}

/// The numeric rank for promotion: int < long < real.
fn numeric_rank(k: KqlType) -> u8 {
    match k {
        KqlType::Int => 1,
        KqlType::Long => 2,
        KqlType::Real => 3,
        _ => 0,
    }
}

/// A dynamic value compared or combined with a typed one is read as that
/// type, as Kusto does for `AdditionalFields.x == "y"`.
fn undynamic(v: Val, want: KqlType, rows: usize) -> Val {
    if v.kind() != KqlType::Dynamic || want == KqlType::Dynamic {
        return v;
    }
    let convert = |j: Json| -> Scalar {
        let s = json_scalar(&j);
        match (want, s) {
            (KqlType::String, s) => Scalar::String(s.to_text().into_owned()),
            (KqlType::Datetime, Scalar::String(t)) => {
                parse_datetime(&t).map_or(Scalar::Null(KqlType::Datetime), Scalar::Datetime)
            }
            (KqlType::Real, Scalar::Long(x)) => Scalar::Real(x as f64),
            (KqlType::Long | KqlType::Int, Scalar::Real(x)) if x.fract() == 0.0 => {
                Scalar::Long(x as i64)
            }
            (_, s) if s.kind() == want || (want.is_numeric() && s.kind().is_numeric()) => s,
            (_, _) => Scalar::Null(want),
        }
    };
    let target = if want.is_numeric() {
        KqlType::Real.max(want)
    } else {
        want
    };
    let target = if want.is_numeric() {
        if want == KqlType::Real {
            KqlType::Real
        } else {
            KqlType::Long
        }
    } else {
        target
    };
    match v {
        Val::Scalar(Scalar::Dynamic(j)) => Val::Scalar(convert(j)),
        Val::Scalar(s) => Val::Scalar(s),
        Val::Column(c) => {
            let values: Vec<Scalar> = match c.binary() {
                Ok(b) => b
                    .iter()
                    .map(|x| x.map_or(Scalar::Null(target), |x| convert(parse_json_bytes(x))))
                    .collect(),
                Err(_) => vec![Scalar::Null(target); rows],
            };
            // Numbers in a dynamic may mix longs and reals.
            let kind = if target.is_numeric() && values.iter().any(|v| matches!(v, Scalar::Real(_)))
            {
                KqlType::Real
            } else {
                target
            };
            Val::Column(functions::scalars_to_series(c.name(), kind, values))
        }
    }
}

/// Brings two operands to comparable types: numbers promoted, dynamic read
/// as the other side's type, a datetime string literal parsed.
fn align(l: Val, r: Val, rows: usize, span: Span) -> Result<(Val, Val), QueryError> {
    let (lk, rk) = (l.kind(), r.kind());
    let (l, r) = match (lk, rk) {
        (KqlType::Dynamic, KqlType::Dynamic) => (
            undynamic(l, KqlType::String, rows),
            undynamic(r, KqlType::String, rows),
        ),
        (KqlType::Dynamic, k) => (undynamic(l, k, rows), r),
        (k, KqlType::Dynamic) => (l, undynamic(r, k, rows)),
        _ => (l, r),
    };
    let (lk, rk) = (l.kind(), r.kind());
    if lk == rk {
        return Ok((l, r));
    }
    if lk.is_numeric() && rk.is_numeric() {
        let target = if numeric_rank(lk) > numeric_rank(rk) {
            lk
        } else {
            rk
        };
        return Ok((cast(l, target, span)?, cast(r, target, span)?));
    }
    match (lk, rk, &l, &r) {
        (KqlType::Datetime, KqlType::String, _, Val::Scalar(Scalar::String(s))) => {
            if let Some(ns) = parse_datetime(s) {
                return Ok((l, Val::Scalar(Scalar::Datetime(ns))));
            }
        }
        (KqlType::String, KqlType::Datetime, Val::Scalar(Scalar::String(s)), _) => {
            if let Some(ns) = parse_datetime(s) {
                return Ok((Val::Scalar(Scalar::Datetime(ns)), r));
            }
        }
        _ => {}
    }
    // A typed null adopts the other side's type.
    if matches!(l, Val::Scalar(Scalar::Null(_))) {
        return Ok((Val::null(rk), r));
    }
    if matches!(r, Val::Scalar(Scalar::Null(_))) {
        return Ok((l, Val::null(lk)));
    }
    Err(QueryError::type_error(
        format!("cannot compare {lk} with {rk}"),
        span,
    ))
}

/// Casts a numeric value to another numeric type.
pub fn cast(v: Val, to: KqlType, span: Span) -> Result<Val, QueryError> {
    if v.kind() == to {
        return Ok(v);
    }
    Ok(match v {
        Val::Scalar(s) => Val::Scalar(match (s, to) {
            (Scalar::Int(x), KqlType::Long) => Scalar::Long(i64::from(x)),
            (Scalar::Int(x), KqlType::Real) => Scalar::Real(f64::from(x)),
            (Scalar::Long(x), KqlType::Real) => Scalar::Real(x as f64),
            (Scalar::Long(x), KqlType::Int) => Scalar::Int(x as i32),
            (Scalar::Real(x), KqlType::Long) => Scalar::Long(x as i64),
            (Scalar::Null(_), k) => Scalar::Null(k),
            (s, k) => {
                return Err(QueryError::type_error(
                    format!("cannot convert {} to {k}", s.kind()),
                    span,
                ));
            }
        }),
        Val::Column(c) => Val::Column(c.cast(&to.polars()).map_err(|e| runtime(e, span))?),
    })
}

fn bool_val(ca: BooleanChunked) -> Val {
    Val::Column(ca.into_series())
}

/// `not(x)`: null stays null.
pub fn not(v: Val, rows: usize) -> Result<Val, QueryError> {
    Ok(match v {
        Val::Scalar(Scalar::Bool(b)) => Val::Scalar(Scalar::Bool(!b)),
        Val::Scalar(_) => Val::null(KqlType::Bool),
        Val::Column(_) => bool_val(!&v.to_bools(rows)),
    })
}

/// Arithmetic, comparison and logic.
pub fn binary(op: BinaryOp, l: Val, r: Val, rows: usize, span: Span) -> Result<Val, QueryError> {
    use BinaryOp::*;
    match op {
        And | Or => {
            // Kusto: a null operand counts as false (`bool(null) and true`
            // is false, `bool(null) or true` is true).
            if let (Val::Scalar(a), Val::Scalar(b)) = (&l, &r) {
                let a = matches!(a, Scalar::Bool(true));
                let b = matches!(b, Scalar::Bool(true));
                return Ok(Val::Scalar(Scalar::Bool(if op == And {
                    a && b
                } else {
                    a || b
                })));
            }
            for (v, _) in [(&l, 0), (&r, 1)] {
                let k = v.kind();
                if k != KqlType::Bool && k != KqlType::Dynamic {
                    return Err(QueryError::type_error(
                        format!(
                            "'{}' needs bool operands, not {k}",
                            if op == And { "and" } else { "or" }
                        ),
                        span,
                    ));
                }
            }
            let a = l
                .to_bools(rows)
                .fill_null_with_values(false)
                .map_err(|e| runtime(e, span))?;
            let b = r
                .to_bools(rows)
                .fill_null_with_values(false)
                .map_err(|e| runtime(e, span))?;
            Ok(bool_val(if op == And { &a & &b } else { &a | &b }))
        }
        EqTilde | NotEqTilde => {
            let sop = StringOp {
                kind: StringOpKind::StartsWith,
                negated: op == NotEqTilde,
                case_sensitive: false,
            };
            string_equals(&l, &r, rows, sop.negated, false)
        }
        Eq | NotEq | Lt | LtEq | Gt | GtEq => {
            let (l, r) = align(l, r, rows, span)?;
            if l.kind() == KqlType::String && matches!(op, Eq | NotEq) {
                return string_equals(&l, &r, rows, op == NotEq, true);
            }
            if let (Val::Scalar(a), Val::Scalar(b)) = (&l, &r) {
                return Ok(Val::Scalar(compare_scalars(op, a, b)));
            }
            let a = l.into_series("", rows);
            let b = r.into_series("", rows);
            let res = match op {
                Eq => a.equal_missing(&b),
                NotEq => a.not_equal_missing(&b),
                Lt => a.lt(&b),
                LtEq => a.lt_eq(&b),
                Gt => a.gt(&b),
                _ => a.gt_eq(&b),
            }
            .map_err(|e| runtime(e, span))?;
            if matches!(op, Eq | NotEq) {
                // Null vs null is null; null vs a value is false for ==, true for !=.
                let both_null = &a.is_null() & &b.is_null();
                if both_null.any() {
                    let masked: BooleanChunked = res
                        .iter()
                        .zip(both_null.iter())
                        .map(|(v, n)| if n == Some(true) { None } else { v })
                        .collect();
                    return Ok(bool_val(masked));
                }
            }
            Ok(bool_val(res))
        }
        Add | Sub | Mul | Div | Mod => arithmetic(op, l, r, rows, span),
    }
}

fn compare_scalars(op: BinaryOp, a: &Scalar, b: &Scalar) -> Scalar {
    use std::cmp::Ordering;
    if a.is_null() || b.is_null() {
        return match op {
            BinaryOp::Eq if a.is_null() != b.is_null() => Scalar::Bool(false),
            BinaryOp::NotEq if a.is_null() != b.is_null() => Scalar::Bool(true),
            _ => Scalar::Null(KqlType::Bool),
        };
    }
    let ord = match (a, b) {
        (Scalar::Bool(x), Scalar::Bool(y)) => x.partial_cmp(y),
        (Scalar::Int(x), Scalar::Int(y)) => x.partial_cmp(y),
        (Scalar::Long(x), Scalar::Long(y)) => x.partial_cmp(y),
        (Scalar::Real(x), Scalar::Real(y)) => x.partial_cmp(y),
        (Scalar::Datetime(x), Scalar::Datetime(y)) | (Scalar::Timespan(x), Scalar::Timespan(y)) => {
            x.partial_cmp(y)
        }
        (Scalar::String(x), Scalar::String(y)) => x.partial_cmp(y),
        _ => a.to_text().partial_cmp(&b.to_text()),
    };
    let Some(ord) = ord else {
        return Scalar::Null(KqlType::Bool);
    };
    Scalar::Bool(match op {
        BinaryOp::Eq => ord == Ordering::Equal,
        BinaryOp::NotEq => ord != Ordering::Equal,
        BinaryOp::Lt => ord == Ordering::Less,
        BinaryOp::LtEq => ord != Ordering::Greater,
        BinaryOp::Gt => ord == Ordering::Greater,
        _ => ord != Ordering::Less,
    })
}

/// `==`, `!=`, `=~`, `!~` on text.
fn string_equals(
    l: &Val,
    r: &Val,
    rows: usize,
    negated: bool,
    case_sensitive: bool,
) -> Result<Val, QueryError> {
    if let (Val::Scalar(a), Val::Scalar(b)) = (l, r) {
        let (a, b) = (a.to_text(), b.to_text());
        let eq = if case_sensitive {
            a == b
        } else {
            a.to_lowercase() == b.to_lowercase()
        };
        return Ok(Val::Scalar(Scalar::Bool(eq != negated)));
    }
    // An encoded column against a constant: once per distinct value.
    if let (Val::Column(c), Val::Scalar(s)) | (Val::Scalar(s), Val::Column(c)) = (l, r)
        && let Some(d) = dictionary_of(c)
    {
        let needle = s.to_text();
        let lower = needle.to_lowercase();
        let key = PredicateKey::new(
            "equals",
            [
                case_sensitive.to_string(),
                negated.to_string(),
                needle.to_string(),
            ],
        );
        let out = d.map_bool(c.name().clone(), Some(key), |v| {
            let eq = if case_sensitive {
                v == needle
            } else {
                v.to_lowercase() == lower
            };
            eq != negated
        });
        return Ok(bool_val(out));
    }
    let (col, other) = match (l, r) {
        (Val::Column(_), Val::Scalar(s)) => (l.to_text(rows), Some(s.to_text().into_owned())),
        (Val::Scalar(s), Val::Column(_)) => (r.to_text(rows), Some(s.to_text().into_owned())),
        _ => (l.to_text(rows), None),
    };
    let out: BooleanChunked = match other {
        Some(needle) if case_sensitive => {
            let eq = col.equal(needle.as_str());
            if negated { !&eq } else { eq }
        }
        Some(needle) => {
            let needle = needle.to_lowercase();
            col.iter()
                .map(|v| Some((v.unwrap_or("").to_lowercase() == needle) != negated))
                .collect()
        }
        None => {
            let rt = r.to_text(rows);
            col.iter()
                .zip(rt.iter())
                .map(|(a, b)| {
                    let (a, b) = (a.unwrap_or(""), b.unwrap_or(""));
                    let eq = if case_sensitive {
                        a == b
                    } else {
                        a.to_lowercase() == b.to_lowercase()
                    };
                    Some(eq != negated)
                })
                .collect()
        }
    };
    Ok(bool_val(out))
}

/// `has`, `contains`, `startswith`, `matches regex`, ... and their negations.
pub fn string_op(
    op: StringOp,
    l: &Val,
    r: &Val,
    rows: usize,
    rspan: Span,
) -> Result<Val, QueryError> {
    let result = match r {
        Val::Scalar(needle) => {
            let m = Matcher::new(op.kind, &needle.to_text(), op.case_sensitive)
                .map_err(|msg| QueryError::runtime(msg, Some(rspan)))?;
            match l {
                Val::Scalar(h) => {
                    let mut buf = String::new();
                    Val::Scalar(Scalar::Bool(m.matches(&h.to_text(), &mut buf)))
                }
                Val::Column(c) => bool_val(m.apply(c)),
            }
        }
        Val::Column(_) => {
            let hay = l.to_text(rows);
            let needles = r.to_text(rows);
            let mut out = Vec::with_capacity(rows);
            for (h, n) in hay.iter().zip(needles.iter()) {
                let ok = functions::terms::matches_once(
                    op.kind,
                    h.unwrap_or(""),
                    n.unwrap_or(""),
                    op.case_sensitive,
                )
                .map_err(|msg| QueryError::runtime(msg, Some(rspan)))?;
                out.push(Some(ok));
            }
            bool_val(out.into_iter().collect())
        }
    };
    if op.negated {
        not(result, rows)
    } else {
        Ok(result)
    }
}

/// `x in (...)`: case-sensitive for strings unless `in~`.
fn in_list(l: &Val, values: &[Scalar], case_insensitive: bool, rows: usize) -> Val {
    let kind = l.kind();
    if kind == KqlType::String || kind == KqlType::Dynamic || case_insensitive {
        let set: std::collections::HashSet<String> = values
            .iter()
            .map(|v| {
                let t = v.to_text().into_owned();
                if case_insensitive {
                    t.to_lowercase()
                } else {
                    t
                }
            })
            .collect();
        if let Val::Scalar(s) = l {
            let t = s.to_text();
            let t = if case_insensitive {
                t.to_lowercase()
            } else {
                t.into_owned()
            };
            return Val::Scalar(Scalar::Bool(set.contains(&t)));
        }
        let found = |v: &str| {
            if case_insensitive {
                set.contains(&v.to_lowercase())
            } else {
                set.contains(v)
            }
        };
        if let Val::Column(c) = l
            && let Some(d) = dictionary_of(c)
        {
            let mut members: Vec<&str> = set.iter().map(String::as_str).collect();
            members.sort_unstable();
            let key = PredicateKey::new(if case_insensitive { "in~" } else { "in" }, members);
            return bool_val(d.map_bool(c.name().clone(), Some(key), found));
        }
        let text = l.to_text(rows);
        let out: BooleanChunked = text
            .iter()
            .map(|v| {
                let v = v.unwrap_or("");
                Some(if case_insensitive {
                    set.contains(&v.to_lowercase())
                } else {
                    set.contains(v)
                })
            })
            .collect();
        return bool_val(out);
    }
    // Numbers, datetimes, bools: compare as scalars.
    let matches =
        |s: &Scalar| -> Option<bool> {
            if s.is_null() {
                return Some(false);
            }
            Some(values.iter().any(|v| {
                compare_scalars(BinaryOp::Eq, &promote(s), &promote(v)) == Scalar::Bool(true)
            }))
        };
    match l {
        Val::Scalar(s) => Val::Scalar(Scalar::Bool(matches(s).unwrap_or(false))),
        Val::Column(c) => {
            let out: BooleanChunked = (0..rows)
                .map(|i| matches(&Scalar::from_series(c, i)))
                .collect();
            bool_val(out)
        }
    }
}

/// Numbers compare as reals so `5 in (5.0)` holds.
fn promote(s: &Scalar) -> Scalar {
    match s {
        Scalar::Int(x) => Scalar::Real(f64::from(*x)),
        Scalar::Long(x) => Scalar::Real(*x as f64),
        other => other.clone(),
    }
}

/// `+ - * / %` over numbers, datetimes and timespans.
fn arithmetic(op: BinaryOp, l: Val, r: Val, rows: usize, span: Span) -> Result<Val, QueryError> {
    use KqlType as K;
    let (l, r) = match (l.kind(), r.kind()) {
        (K::Dynamic, K::Dynamic) => (undynamic(l, K::Real, rows), undynamic(r, K::Real, rows)),
        (K::Dynamic, k) => (undynamic(l, k, rows), r),
        (k, K::Dynamic) => (l, undynamic(r, k, rows)),
        _ => (l, r),
    };
    let (lk, rk) = (l.kind(), r.kind());
    let sym = match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        _ => "%",
    };
    let mismatch =
        || QueryError::type_error(format!("cannot apply '{sym}' to {lk} and {rk}"), span);
    // Datetime and timespan arithmetic works on the nanosecond counts.
    let result_kind = match (lk, rk, op) {
        (K::Datetime, K::Datetime, BinaryOp::Sub) => K::Timespan,
        (K::Datetime, K::Timespan, BinaryOp::Add | BinaryOp::Sub) => K::Datetime,
        (K::Timespan, K::Datetime, BinaryOp::Add) => K::Datetime,
        (K::Timespan, K::Timespan, BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mod) => K::Timespan,
        (K::Timespan, K::Timespan, BinaryOp::Div) => K::Real,
        (K::Timespan, k, BinaryOp::Mul | BinaryOp::Div) if k.is_numeric() => K::Timespan,
        (k, K::Timespan, BinaryOp::Mul) if k.is_numeric() => K::Timespan,
        (a, b, _) if a.is_numeric() && b.is_numeric() => {
            if numeric_rank(a) >= numeric_rank(b) {
                a
            } else {
                b
            }
        }
        (K::String, K::String, _) => {
            return Err(QueryError::type_error(
                format!("cannot apply '{sym}' to strings (use strcat() to join text)"),
                span,
            ));
        }
        _ => return Err(mismatch()),
    };
    let temporal = |k: K| matches!(k, K::Datetime | K::Timespan);
    let to_physical = |v: Val, k: K| -> Result<Val, QueryError> {
        Ok(match v {
            Val::Scalar(Scalar::Datetime(x) | Scalar::Timespan(x)) => Val::Scalar(Scalar::Long(x)),
            Val::Scalar(Scalar::Null(t)) if temporal(t) => Val::null(K::Long),
            Val::Column(c) if temporal(k) => Val::Column(c.to_physical_repr().into_owned()),
            other => other,
        })
    };
    let mut l = to_physical(l, lk)?;
    let mut r = to_physical(r, rk)?;
    // Timespan divided by timespan is a real ratio; scaling a timespan by a
    // real keeps nanoseconds integral.
    let numeric_kind = match result_kind {
        K::Datetime | K::Timespan => {
            if lk == K::Real || rk == K::Real {
                K::Real
            } else {
                K::Long
            }
        }
        K::Real if temporal(lk) => K::Real,
        k => k,
    };
    l = cast(l, numeric_kind, span)?;
    r = cast(r, numeric_kind, span)?;
    let out = match (&l, &r) {
        (Val::Scalar(a), Val::Scalar(b)) => Val::Scalar(scalar_arith(op, a, b)),
        _ => {
            let a = l.into_series("", rows);
            let b = r.into_series("", rows);
            let s = match op {
                BinaryOp::Add => &a + &b,
                BinaryOp::Sub => &a - &b,
                BinaryOp::Mul => &a * &b,
                BinaryOp::Div if numeric_kind == K::Real => &a / &b,
                _ => div_rem(op, &a, &b),
            }
            .map_err(|e| runtime(e, span))?;
            Val::Column(s)
        }
    };
    match out {
        Val::Scalar(s) => Ok(Val::Scalar(match (s, result_kind) {
            (Scalar::Long(x), K::Datetime) => Scalar::Datetime(x),
            (Scalar::Long(x), K::Timespan) => Scalar::Timespan(x),
            (Scalar::Real(x), K::Datetime) => Scalar::Datetime(x as i64),
            (Scalar::Real(x), K::Timespan) => Scalar::Timespan(x as i64),
            (Scalar::Null(_), k) => Scalar::Null(k),
            (s, _) => s,
        })),
        Val::Column(c) => finish_arith(c, result_kind, numeric_kind, span),
    }
}

/// Column `/` (integers) and `%`, as Kusto (C#) computes them: truncated
/// toward zero, so `-7 / 2` is -3 and `-7 % 2` is -1 (Polars floors).
/// Integer division or remainder by zero is null, not a crash.
fn div_rem(op: BinaryOp, a: &Series, b: &Series) -> PolarsResult<Series> {
    let dtype = a.dtype().clone();
    if dtype == DataType::Float64 {
        let (x, y) = (a.f64()?, b.f64()?);
        let out: Float64Chunked = x
            .iter()
            .zip(y.iter())
            .map(|(x, y)| {
                let (x, y) = (x?, y?);
                // Kusto's modulo is never negative: 0 <= n % d < abs(d).
                Some(if op == BinaryOp::Div {
                    x / y
                } else {
                    x.rem_euclid(y)
                })
            })
            .collect();
        return Ok(out.into_series());
    }
    let (x, y) = (a.cast(&DataType::Int64)?, b.cast(&DataType::Int64)?);
    let out: Int64Chunked = x
        .i64()?
        .iter()
        .zip(y.i64()?.iter())
        .map(|(x, y)| {
            let (x, y) = (x?, y?);
            if op == BinaryOp::Div {
                x.checked_div(y)
            } else {
                x.checked_rem_euclid(y)
            }
        })
        .collect();
    out.into_series().cast(&dtype)
}

fn finish_arith(
    c: Series,
    result_kind: KqlType,
    numeric_kind: KqlType,
    span: Span,
) -> Result<Val, QueryError> {
    let c = if matches!(result_kind, KqlType::Datetime | KqlType::Timespan) {
        let c = if numeric_kind == KqlType::Real {
            c.cast(&DataType::Int64).map_err(|e| runtime(e, span))?
        } else {
            c
        };
        c.cast(&result_kind.polars())
            .map_err(|e| runtime(e, span))?
    } else if KqlType::of(c.dtype()) != Some(result_kind) {
        c.cast(&result_kind.polars())
            .map_err(|e| runtime(e, span))?
    } else {
        c
    };
    Ok(Val::Column(c))
}

fn scalar_arith(op: BinaryOp, a: &Scalar, b: &Scalar) -> Scalar {
    match (a, b) {
        (Scalar::Long(x), Scalar::Long(y)) => match op {
            BinaryOp::Add => Scalar::Long(x.wrapping_add(*y)),
            BinaryOp::Sub => Scalar::Long(x.wrapping_sub(*y)),
            BinaryOp::Mul => Scalar::Long(x.wrapping_mul(*y)),
            BinaryOp::Div => x
                .checked_div(*y)
                .map_or(Scalar::Null(KqlType::Long), Scalar::Long),
            _ => x
                .checked_rem_euclid(*y)
                .map_or(Scalar::Null(KqlType::Long), Scalar::Long),
        },
        (Scalar::Int(x), Scalar::Int(y)) => match op {
            BinaryOp::Add => Scalar::Int(x.wrapping_add(*y)),
            BinaryOp::Sub => Scalar::Int(x.wrapping_sub(*y)),
            BinaryOp::Mul => Scalar::Int(x.wrapping_mul(*y)),
            BinaryOp::Div => x
                .checked_div(*y)
                .map_or(Scalar::Null(KqlType::Int), Scalar::Int),
            _ => x
                .checked_rem_euclid(*y)
                .map_or(Scalar::Null(KqlType::Int), Scalar::Int),
        },
        (Scalar::Real(x), Scalar::Real(y)) => Scalar::Real(match op {
            BinaryOp::Add => x + y,
            BinaryOp::Sub => x - y,
            BinaryOp::Mul => x * y,
            BinaryOp::Div => x / y,
            _ => x.rem_euclid(*y),
        }),
        (a, _) => Scalar::Null(a.kind()),
    }
}

/// `x.prop`, `x["prop"]`, `x[0]` on dynamic values (negative indexes count
/// from the end). Anything missing is null.
pub fn member(target: &Val, key: &Json, rows: usize) -> Result<Val, QueryError> {
    if let Val::Column(c) = target
        && let Some(text) = crate::data::encode::decode(c)
    {
        return member(&Val::Column(text.into_series()), key, rows);
    }
    fn pick(j: &Json, key: &Json) -> Json {
        match (j, key) {
            (Json::Object(m), Json::String(k)) => m.get(k).cloned().unwrap_or(Json::Null),
            (Json::Array(a), Json::Number(n)) => {
                let i = n.as_i64().unwrap_or(0);
                let i = if i < 0 { a.len() as i64 + i } else { i };
                usize::try_from(i)
                    .ok()
                    .and_then(|i| a.get(i))
                    .cloned()
                    .unwrap_or(Json::Null)
            }
            // A string holding JSON (Defender's AdditionalFields) is looked into.
            (Json::String(s), _) if s.starts_with('{') || s.starts_with('[') => {
                serde_json::from_str::<Json>(s)
                    .map(|j| pick(&j, key))
                    .unwrap_or(Json::Null)
            }
            _ => Json::Null,
        }
    }
    match target {
        Val::Scalar(s) => {
            let j = match s {
                Scalar::Dynamic(j) => j.clone(),
                Scalar::String(t) => Json::String(t.clone()),
                _ => Json::Null,
            };
            Ok(Val::Scalar(Scalar::Dynamic(pick(&j, key))))
        }
        Val::Column(c) => {
            let out: BinaryChunked = match c.dtype() {
                DataType::Binary => c
                    .binary()
                    .map_err(|e| QueryError::runtime(e.to_string(), None))?
                    .iter()
                    .map(|v| {
                        let j = pick(&parse_json_bytes(v?), key);
                        (!j.is_null()).then(|| j.to_string().into_bytes())
                    })
                    .collect(),
                DataType::String => c
                    .str()
                    .map_err(|e| QueryError::runtime(e.to_string(), None))?
                    .iter()
                    .map(|v| {
                        let j = pick(&Json::String(v?.to_string()), key);
                        (!j.is_null()).then(|| j.to_string().into_bytes())
                    })
                    .collect(),
                _ => BinaryChunked::full_null("".into(), rows),
            };
            Ok(Val::Column(out.into_series()))
        }
    }
}
