//! A compact printed form of the syntax tree (no spans), so the parser's
//! tests state the exact expected tree in one line; spans are tested on
//! their own.

use super::super::ast::*;
use super::{parse, parse_expr};

fn list<T>(items: &[T], f: impl Fn(&T) -> String) -> String {
    items.iter().map(f).collect::<Vec<_>>().join(", ")
}

pub(super) fn lit(l: &Literal) -> String {
    match l {
        Literal::String(s) => format!("{s:?}"),
        Literal::Long(v) => v.to_string(),
        Literal::Int(v) => format!("int({v})"),
        Literal::Real(v) => format!("real({v})"),
        Literal::Decimal(v) => format!("decimal({v})"),
        Literal::Bool(b) => b.to_string(),
        Literal::Timespan(t) => format!("ts({t})"),
        Literal::Datetime(d) => format!("datetime({d})"),
        Literal::Dynamic(v) => format!("dyn({v})"),
        Literal::Null(t) => format!("null({t})"),
    }
}

pub(super) fn ex(e: &Expr) -> String {
    match &e.kind {
        ExprKind::Literal(l) => lit(l),
        ExprKind::Name(n) => n.clone(),
        ExprKind::Star => "*".into(),
        ExprKind::Negate(x) => format!("(neg {})", ex(x)),
        ExprKind::Binary { op, left, right } => {
            let op = match op {
                BinaryOp::Add => "+",
                BinaryOp::Sub => "-",
                BinaryOp::Mul => "*",
                BinaryOp::Div => "/",
                BinaryOp::Mod => "%",
                BinaryOp::Eq => "==",
                BinaryOp::NotEq => "!=",
                BinaryOp::Lt => "<",
                BinaryOp::LtEq => "<=",
                BinaryOp::Gt => ">",
                BinaryOp::GtEq => ">=",
                BinaryOp::And => "and",
                BinaryOp::Or => "or",
                BinaryOp::EqTilde => "=~",
                BinaryOp::NotEqTilde => "!~",
            };
            format!("({op} {} {})", ex(left), ex(right))
        }
        ExprKind::StringOp { op, left, right } => {
            let name = match op.kind {
                StringOpKind::Has => "has",
                StringOpKind::HasPrefix => "hasprefix",
                StringOpKind::HasSuffix => "hassuffix",
                StringOpKind::Contains => "contains",
                StringOpKind::StartsWith => "startswith",
                StringOpKind::EndsWith => "endswith",
                StringOpKind::MatchesRegex => "matches_regex",
            };
            let bang = if op.negated { "!" } else { "" };
            let cs = if op.case_sensitive && op.kind != StringOpKind::MatchesRegex {
                "_cs"
            } else {
                ""
            };
            format!("({bang}{name}{cs} {} {})", ex(left), ex(right))
        }
        ExprKind::List { op, left, items } => {
            let op = match op {
                ListOp::In => "in",
                ListOp::NotIn => "!in",
                ListOp::InCi => "in~",
                ListOp::NotInCi => "!in~",
                ListOp::HasAny => "has_any",
                ListOp::HasAll => "has_all",
            };
            format!("({op} {} [{}])", ex(left), list(items, ex))
        }
        ExprKind::Between {
            negated,
            value,
            low,
            high,
        } => {
            let bang = if *negated { "!" } else { "" };
            format!("({bang}between {} {} {})", ex(value), ex(low), ex(high))
        }
        ExprKind::Call { name, args } => format!("{}({})", name.name, list(args, ex)),
        ExprKind::Member { target, name } => format!("{}.{}", ex(target), name.name),
        ExprKind::Index { target, index } => format!("{}[{}]", ex(target), ex(index)),
        ExprKind::SearchTerm { column: None, text } => format!("term({text})"),
        ExprKind::SearchTerm {
            column: Some(c),
            text,
        } => format!("term({}:{text})", c.name),
        ExprKind::Tabular(p) => format!("{{{}}}", pipe(p)),
        ExprKind::Tuple(items) => format!("(tuple {})", list(items, ex)),
        ExprKind::NamedArg { name, value } => format!("{}={}", name.name, ex(value)),
    }
}

fn assign(a: &Assignment) -> String {
    match a.names.len() {
        0 => ex(&a.expr),
        1 => format!("{}={}", a.names[0].name, ex(&a.expr)),
        _ => format!("({})={}", list(&a.names, |n| n.name.clone()), ex(&a.expr)),
    }
}

fn opts(options: &[OpOption]) -> String {
    options
        .iter()
        .map(|o| format!("{}={} ", o.name.name, o.value.name))
        .collect()
}

fn key(k: &SortKey) -> String {
    let mut s = ex(&k.expr);
    match k.dir {
        Some(SortDir::Asc) => s.push_str(" asc"),
        Some(SortDir::Desc) => s.push_str(" desc"),
        None => {}
    }
    match k.nulls {
        Some(NullsPos::First) => s.push_str(" nulls-first"),
        Some(NullsPos::Last) => s.push_str(" nulls-last"),
        None => {}
    }
    s
}

fn join_key(k: &JoinKey) -> String {
    match k {
        JoinKey::Same(c) => c.name.clone(),
        JoinKey::Pair { left, right } => format!("$left.{}==$right.{}", left.name, right.name),
    }
}

fn names(ids: &[Ident]) -> String {
    list(ids, |i| i.name.clone())
}

/// The columns and limit of `mv-expand` and `mv-apply`.
fn expansions(
    columns: &[Assignment],
    to_types: &[Option<String>],
    limit: &Option<Expr>,
) -> (String, String) {
    let cols: Vec<String> = columns
        .iter()
        .zip(to_types)
        .map(|(c, t)| match t {
            Some(t) => format!("{} to {t}", assign(c)),
            None => assign(c),
        })
        .collect();
    let limit = limit
        .as_ref()
        .map(|l| format!(" limit {}", ex(l)))
        .unwrap_or_default();
    (cols.join(", "), limit)
}

pub(super) fn op(o: &Operator) -> String {
    match &o.kind {
        OperatorKind::Where(e) => format!("where {}", ex(e)),
        OperatorKind::Search {
            case_sensitive,
            tables,
            predicate,
        } => {
            let cs = if *case_sensitive { "cs " } else { "" };
            let t = if tables.is_empty() {
                String::new()
            } else {
                format!("in({}) ", names(tables))
            };
            format!("search {cs}{t}{}", ex(predicate))
        }
        OperatorKind::Project(a) => format!("project {}", list(a, assign)),
        OperatorKind::ProjectAway(n) => format!("project-away {}", names(n)),
        OperatorKind::ProjectKeep(n) => format!("project-keep {}", names(n)),
        OperatorKind::ProjectRename(p) => {
            format!(
                "project-rename {}",
                list(p, |(a, b)| format!("{}={}", a.name, b.name))
            )
        }
        OperatorKind::ProjectReorder(n) => format!(
            "project-reorder {}",
            list(n, |(i, o)| match o {
                Some(o) => format!("{} {o:?}", i.name),
                None => i.name.clone(),
            })
        ),
        OperatorKind::Extend(a) => format!("extend {}", list(a, assign)),
        OperatorKind::Summarize {
            options,
            aggregates,
            by,
        } => {
            format!(
                "summarize {}{} by {}",
                opts(options),
                list(aggregates, assign),
                list(by, assign)
            )
        }
        OperatorKind::Sort(keys) => format!("sort {}", list(keys, key)),
        OperatorKind::Top { count, keys } => {
            format!("top {} by {}", ex(count), list(keys, key))
        }
        OperatorKind::Take(e) => format!("take {}", ex(e)),
        OperatorKind::ProjectByNames(e) => format!("project-by-names {}", list(e, ex)),
        OperatorKind::TopNested(levels) => {
            let level = |l: &TopNestedLevel| {
                let count = l.count.as_ref().map(ex).unwrap_or_default();
                let others = l.others.as_ref().map(|o| format!(" others {}", ex(o)));
                format!(
                    "[{count} of {}{} by {} {:?}]",
                    assign(&l.of),
                    others.unwrap_or_default(),
                    assign(&l.by),
                    l.dir
                )
            };
            format!("top-nested {}", list(levels, level))
        }
        OperatorKind::Distinct(e) => format!("distinct {}", list(e, ex)),
        OperatorKind::Count => "count".into(),
        OperatorKind::Join {
            kind,
            options,
            right,
            on,
        } => {
            format!(
                "join {kind:?} {}({}) on {}",
                opts(options),
                pipe(right),
                list(on, join_key)
            )
        }
        OperatorKind::Lookup { kind, right, on } => {
            format!(
                "lookup {kind:?} ({}) on {}",
                pipe(right),
                list(on, join_key)
            )
        }
        OperatorKind::Union {
            options,
            with_source,
            tables,
        } => {
            let ws = with_source
                .as_ref()
                .map(|w| format!("withsource={} ", w.name))
                .unwrap_or_default();
            format!(
                "union {}{ws}{}",
                opts(options),
                list(tables, |p| format!("({})", pipe(p)))
            )
        }
        OperatorKind::MvExpand {
            columns,
            limit,
            options,
            to_types,
        } => {
            let (cols, limit) = expansions(columns, to_types, limit);
            format!("mv-expand {}{cols}{limit}", opts(options))
        }
        OperatorKind::Invoke { name, args } => {
            format!("invoke {}({})", name.name, list(args, ex))
        }
        OperatorKind::Datatable { columns, values } => format!(
            "datatable({})[{}]",
            list(columns, |(n, t)| format!("{}:{t}", n.name)),
            list(values, ex)
        ),
        OperatorKind::Print(a) => format!("print {}", list(a, assign)),
        OperatorKind::Range {
            name,
            from,
            to,
            step,
        } => {
            format!(
                "range {} from {} to {} step {}",
                name.name,
                ex(from),
                ex(to),
                ex(step)
            )
        }
        OperatorKind::As(n) => format!("as {}", n.name),
        OperatorKind::Serialize(a) => format!("serialize {}", list(a, assign)),
        OperatorKind::Render(r) => format!("render {}", r.visualization.name()),
        OperatorKind::GetSchema => "getschema".into(),
        OperatorKind::Parse {
            source,
            kind,
            pattern,
            ..
        } => {
            let parts: Vec<String> = pattern
                .iter()
                .map(|p| match p {
                    ParsePart::Literal(s) => format!("{s:?}"),
                    ParsePart::Column {
                        name,
                        kind: Some(k),
                    } => format!("{}:{k}", name.name),
                    ParsePart::Column { name, kind: None } => name.name.clone(),
                    ParsePart::Wildcard => "*".into(),
                })
                .collect();
            let kind = kind
                .as_ref()
                .map(|k| format!("kind={k} "))
                .unwrap_or_default();
            format!("parse {kind}{} with {}", ex(source), parts.join(" "))
        }
        OperatorKind::Sample(e) => format!("sample {}", ex(e)),
        // Their parsers' own tests read these trees directly.
        OperatorKind::ParseKv(_)
        | OperatorKind::ParseWhere { .. }
        | OperatorKind::Scan(_)
        | OperatorKind::Partition { .. }
        | OperatorKind::Reduce { .. }
        | OperatorKind::Graph(_)
        | OperatorKind::Fork(_)
        | OperatorKind::Facet { .. }
        | OperatorKind::SampleDistinct { .. }
        | OperatorKind::TopHitters { .. }
        | OperatorKind::Consume
        | OperatorKind::Find(_)
        | OperatorKind::MacroExpand(_) => format!("{:?}", o.kind),
        OperatorKind::MvApply {
            columns,
            to_types,
            item_index,
            limit,
            subquery,
        } => {
            let index = item_index
                .as_ref()
                .map(|i| format!("with_itemindex={} ", i.name))
                .unwrap_or_default();
            let (cols, limit) = expansions(columns, to_types, limit);
            let sub: Vec<String> = subquery.iter().map(op).collect();
            format!("mv-apply {index}{cols}{limit} on ({})", sub.join(" | "))
        }
        OperatorKind::Evaluate {
            plugin,
            args,
            schema,
        } => {
            let schema = schema
                .as_ref()
                .map(|s| {
                    let mut cols: Vec<String> = s
                        .columns
                        .iter()
                        .map(|(n, t)| format!("{}:{t}", n.name))
                        .collect();
                    if s.wildcard {
                        cols.insert(0, "*".into());
                    }
                    format!(" : ({})", cols.join(", "))
                })
                .unwrap_or_default();
            format!("evaluate {}({}){schema}", plugin.name, list(args, ex))
        }
        OperatorKind::ExternalData {
            columns,
            uris,
            properties,
        } => format!(
            "externaldata({})[{}] with ({})",
            list(columns, |(n, t)| format!("{}:{t}", n.name)),
            list(uris, ex),
            list(properties, |o| format!("{}={}", o.name.name, o.value.name))
        ),
        OperatorKind::InlineExternalTable(t) => {
            let columns = if t.columns.is_empty() {
                String::new()
            } else {
                format!(
                    "({})",
                    list(&t.columns, |(n, ty)| format!("{}:{ty}", n.name))
                )
            };
            let mut text = format!("inline_external_table{columns} kind={}", t.kind.name);
            if !t.partitions.is_empty() {
                let part = |p: &PartitionColumn| match &p.expr {
                    Some(e) => format!("{}:{} = {}", p.name.name, p.kind, ex(e)),
                    None => format!("{}:{}", p.name.name, p.kind),
                };
                text += &format!(" partition by ({})", list(&t.partitions, part));
            }
            if !t.path_format.is_empty() {
                let parts: Vec<String> = t
                    .path_format
                    .iter()
                    .map(|p| match p {
                        PathFormatPart::Text(s) => format!("{s:?}"),
                        PathFormatPart::Column(c) => c.name.clone(),
                        PathFormatPart::DatetimePattern { pattern, column } => {
                            format!("datetime_pattern({pattern:?}, {})", column.name)
                        }
                    })
                    .collect();
                text += &format!(" pathformat=({})", parts.join(" "));
            }
            if let Some(f) = &t.data_format {
                text += &format!(" dataformat={}", f.name);
            }
            text += &format!(" ({})", list(&t.uris, ex));
            if !t.properties.is_empty() {
                text += &format!(
                    " with ({})",
                    list(&t.properties, |o| format!(
                        "{}={}",
                        o.name.name, o.value.name
                    ))
                );
            }
            text
        }
        OperatorKind::MakeSeries {
            nonempty,
            aggregates,
            axis,
            from,
            to,
            step,
            range_syntax,
            by,
        } => {
            let aggs = list(aggregates, |a| match &a.default {
                Some(d) => format!("{} default={}", assign(&a.assignment), ex(d)),
                None => assign(&a.assignment),
            });
            let from = from
                .as_ref()
                .map(|f| format!(" from {}", ex(f)))
                .unwrap_or_default();
            let to = to
                .as_ref()
                .map(|t| format!(" to {}", ex(t)))
                .unwrap_or_default();
            let kind = if *nonempty { "kind=nonempty " } else { "" };
            let range = if *range_syntax { " range" } else { "" };
            format!(
                "make-series {kind}{aggs} on {}{from}{to} step {}{range} by {}",
                ex(axis),
                ex(step),
                list(by, assign)
            )
        }
    }
}

fn source(s: &Source) -> String {
    match s {
        Source::Table(t) => t.name.clone(),
        Source::Call { name, args, .. } => format!("{}({})", name.name, list(args, ex)),
        Source::Operator(o) => op(o),
        Source::Paren(p) => format!("({})", pipe(p)),
    }
}

pub(super) fn pipe(p: &Pipeline) -> String {
    let mut s = source(&p.source);
    for o in &p.ops {
        s.push_str(" | ");
        s.push_str(&op(o));
    }
    s
}

fn let_(l: &Let) -> String {
    let value = match &l.value {
        LetValue::Expr(e) => ex(e),
        LetValue::Tabular(p) => format!("tabular {}", pipe(p)),
        LetValue::Function(f) => {
            let params = list(&f.params, |p| {
                let kind = match &p.kind {
                    ParamKind::Tabular => "(*)".to_string(),
                    ParamKind::Scalar(t) => t.clone(),
                };
                let default = p
                    .default
                    .as_ref()
                    .map(|d| format!("={}", ex(d)))
                    .unwrap_or_default();
                format!("{}:{kind}{default}", p.name.name)
            });
            let lets: String = f.lets.iter().map(|l| format!("{}; ", let_(l))).collect();
            let body = match &f.body {
                FunctionBody::Tabular(p) => format!("tabular {}", pipe(p)),
                FunctionBody::Scalar(e) => ex(e),
            };
            format!("fn({params}) {{ {lets}{body} }}")
        }
    };
    format!("let {} = {value}", l.name.name)
}

/// The printed form of a parsed query, or the error message.
pub(super) fn q(src: &str) -> String {
    match parse(src) {
        Ok(query) => {
            let lets: String = query
                .lets
                .iter()
                .map(|l| format!("{}; ", let_(l)))
                .collect();
            format!("{lets}{}", pipe(&query.body))
        }
        Err(e) => format!("error: {}", e.message),
    }
}

/// The printed form of the first operator after `T |`.
pub(super) fn piped(op_text: &str) -> String {
    let printed = q(&format!("T | {op_text}"));
    printed
        .strip_prefix("T | ")
        .map(str::to_string)
        .unwrap_or(printed)
}

/// The first operator of a query that must parse (the error, with its
/// caret, is the panic message).
pub(super) fn only_op(src: &str) -> OperatorKind {
    match parse(src) {
        Ok(q) => q
            .body
            .ops
            .into_iter()
            .next()
            .map(|o| o.kind)
            .expect("an operator"),
        Err(e) => panic!("{}", e.render(src)),
    }
}

/// The printed form of an expression.
pub(super) fn e(src: &str) -> String {
    match parse_expr(src) {
        Ok(expr) => ex(&expr),
        Err(err) => format!("error: {}", err.message),
    }
}

/// The error for `src`, rendered with its caret.
pub(super) fn rendered(src: &str) -> String {
    match parse(src) {
        Ok(_) => "parsed".into(),
        Err(err) => err.render(src),
    }
}
