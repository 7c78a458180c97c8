//! `scan`: matches sequences of rows against steps whose conditions can
//! read the values earlier steps matched (`s1.Ts`), Kusto's state machine
//! as its documentation's "scan logic" describes it.
//!
//! Conditions and assignments that read no state are evaluated once over
//! the whole input; only those that read `step.Column` or a declared
//! column run row by row, on one-row frames.

use std::collections::HashSet;

use polars::prelude::*;

use super::{gather, polars_error};
use crate::data::types::KqlType;
use crate::kql::ast::{Expr, ExprKind, Scan, Span, StepOutput};
use crate::kql::error::{QueryError, did_you_mean};
use crate::kql::functions::scalars_to_series;
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

/// One matched record: the input row and its declared columns' values.
#[derive(Clone)]
struct Record {
    row: usize,
    declared: Vec<Scalar>,
}

/// A sequence in progress: its match id and the record each step up to
/// the one holding it matched.
#[derive(Clone)]
struct Sequence {
    id: i64,
    records: Vec<Option<Record>>,
}

/// A record on its way to the output, in input order (then the order the
/// steps were evaluated in).
struct Emitted {
    order: (usize, usize),
    record: Record,
    id: i64,
}

/// A condition or assignment, ready to evaluate.
struct Prepared {
    expr: Expr,
    /// The `step.Column` values it reads: (step, column).
    reads: Vec<(usize, String)>,
    /// Its value over the whole input, when it reads no state.
    whole: Option<Val>,
}

/// A column the steps assign: one of `declare (...)`, or an input column
/// a step overwrites (`=> Count = s1.Count + Count`), whose value then
/// starts as the row's own.
struct Declared {
    name: String,
    kind: KqlType,
    default: Scalar,
    input: bool,
}

impl Runner<'_> {
    /// `scan [with_match_id=Id] [declare (...)] with (step ...; ...)`.
    pub(super) fn op_scan(
        &self,
        scan: &Scan,
        frame: DataFrame,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let empty = DataFrame::empty();
        let mut declared = Vec::new();
        for (name, kind, default) in &scan.declare {
            if frame.column(&name.name).is_ok() {
                return Err(QueryError::syntax(
                    format!("'{}' is already a column of the input", name.name),
                    name.span,
                ));
            }
            let kind = KqlType::parse(kind).unwrap_or(KqlType::Dynamic);
            let default = match default {
                Some(d) => coerce(self.eval_scalar(d, &empty)?, kind, &name.name, d.span)?,
                None if kind == KqlType::String => Scalar::String(String::new()),
                None => Scalar::Null(kind),
            };
            declared.push(Declared {
                name: name.name.clone(),
                kind,
                default,
                input: false,
            });
        }
        let known: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .chain(declared.iter().map(|d| d.name.clone()))
            .collect();
        for a in scan.steps.iter().flat_map(|s| &s.assignments) {
            let target = &a.names[0];
            if declared.iter().any(|d| d.name == target.name) {
                continue;
            }
            let Ok(column) = frame.column(&target.name) else {
                return Err(QueryError::unknown(
                    format!(
                        "'{}' is neither declared nor a column of the input{}",
                        target.name,
                        did_you_mean(&target.name, known.iter().map(String::as_str))
                    ),
                    target.span,
                ));
            };
            let kind = KqlType::of(column.dtype()).unwrap_or(KqlType::Dynamic);
            declared.push(Declared {
                name: target.name.clone(),
                kind,
                default: Scalar::Null(kind),
                input: true,
            });
        }
        let steps: Vec<&str> = scan.steps.iter().map(|s| s.name.name.as_str()).collect();
        let columns: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|c| c.to_string())
            .chain(declared.iter().filter(|d| !d.input).map(|d| d.name.clone()))
            .collect();
        let mut conditions = Vec::new();
        let mut assignments = Vec::new();
        for step in &scan.steps {
            conditions.push(self.prepare(&step.condition, &steps, &columns, &declared, &frame)?);
            let mut list = Vec::new();
            for a in &step.assignments {
                let target = &a.names[0].name;
                let di = declared
                    .iter()
                    .position(|d| &d.name == target)
                    .ok_or_else(|| {
                        QueryError::syntax(format!("'{target}' is not declared"), a.span)
                    })?;
                list.push((
                    di,
                    a.expr.span,
                    self.prepare(&a.expr, &steps, &columns, &declared, &frame)?,
                ));
            }
            assignments.push(list);
        }
        let machine = Machine {
            runner: self,
            frame: &frame,
            declared: &declared,
            steps: &steps,
        };
        let n = steps.len();
        let mut state: Vec<Option<Sequence>> = vec![None; n];
        let mut pending: Vec<Option<Emitted>> = (0..n).map(|_| None).collect();
        let mut out: Vec<Emitted> = Vec::new();
        let mut next_id = 0i64;
        for row in 0..frame.height() {
            if row % 1024 == 0 {
                self.check_cancel()?;
            }
            for k in (0..n).rev() {
                let order = (row, n - 1 - k);
                let step = &scan.steps[k];
                // Check 1: the previous step's sequence moves up to this one.
                let moves_up = match k.checked_sub(1).and_then(|p| state[p].as_ref()) {
                    Some(prev) => machine.holds(&conditions[k], row, prev)?,
                    None => false,
                };
                if moves_up && let Some(mut seq) = state[k - 1].take() {
                    flush(&mut pending[k - 1], &mut out);
                    flush(&mut pending[k], &mut out);
                    let record = machine.assign(&assignments[k], row, &seq)?;
                    seq.records[k] = Some(record.clone());
                    let emitted = Emitted {
                        order,
                        record,
                        id: seq.id,
                    };
                    match step.output {
                        StepOutput::All => out.push(emitted),
                        StepOutput::Last => pending[k] = Some(emitted),
                        StepOutput::None => {}
                    }
                    state[k] = Some(seq);
                    continue;
                }
                // Check 2: this step's own sequence (or a new one at the first step).
                let blank = Sequence {
                    id: next_id,
                    records: vec![None; n],
                };
                let current = match &state[k] {
                    Some(seq) => seq,
                    None if k == 0 => &blank,
                    None => continue,
                };
                if !machine.holds(&conditions[k], row, current)? {
                    continue;
                }
                let record = machine.assign(&assignments[k], row, current)?;
                let seq = match state[k].take() {
                    Some(seq) => seq,
                    None => {
                        next_id += 1;
                        blank
                    }
                };
                let mut seq = seq;
                seq.records[k] = Some(record.clone());
                let emitted = Emitted {
                    order,
                    record,
                    id: seq.id,
                };
                match step.output {
                    StepOutput::All => out.push(emitted),
                    StepOutput::Last => pending[k] = Some(emitted),
                    StepOutput::None => {}
                }
                state[k] = Some(seq);
            }
        }
        for p in &mut pending {
            flush(p, &mut out);
        }
        out.sort_by_key(|e| e.order);
        self.scan_output(scan, &frame, &declared, out, span)
    }

    /// Rewrites `step.Column` into a name the one-row frames carry, checks
    /// it names a column, and evaluates a state-free expression at once.
    fn prepare(
        &self,
        e: &Expr,
        steps: &[&str],
        columns: &[String],
        declared: &[Declared],
        frame: &DataFrame,
    ) -> Result<Prepared, QueryError> {
        let mut reads = Vec::new();
        let expr = rewrite(e, steps, columns, &mut reads)?;
        let reads_declared = expr.any(
            &|x| matches!(&x.kind, ExprKind::Name(n) if declared.iter().any(|d| &d.name == n)),
        );
        let whole = if reads.is_empty() && !reads_declared {
            Some(self.eval(&expr, frame)?)
        } else {
            None
        };
        Ok(Prepared { expr, reads, whole })
    }

    fn scan_output(
        &self,
        scan: &Scan,
        frame: &DataFrame,
        declared: &[Declared],
        out: Vec<Emitted>,
        span: Span,
    ) -> Result<DataFrame, QueryError> {
        let idx: Vec<IdxSize> = out.iter().map(|e| e.record.row as IdxSize).collect();
        let idx = IdxCa::from_vec("".into(), idx);
        let mut result = gather(frame, &idx, self.cancel(), span)?;
        for (di, d) in declared.iter().enumerate() {
            let values: Vec<Scalar> = out.iter().map(|e| e.record.declared[di].clone()).collect();
            let s = scalars_to_series(&d.name, d.kind, values);
            result
                .with_column(s.into_column())
                .map_err(|e| polars_error(e, span))?;
        }
        if let Some(id) = &scan.match_id {
            let ids: Vec<i64> = out.iter().map(|e| e.id).collect();
            result
                .with_column(Column::new(id.name.as_str().into(), ids))
                .map_err(|e| polars_error(e, id.span))?;
        }
        Ok(result)
    }
}

fn flush(pending: &mut Option<Emitted>, out: &mut Vec<Emitted>) {
    if let Some(e) = pending.take() {
        out.push(e);
    }
}

/// The evaluation context of one `scan`.
struct Machine<'r, 'a> {
    runner: &'r Runner<'a>,
    frame: &'r DataFrame,
    declared: &'r [Declared],
    steps: &'r [&'r str],
}

impl Machine<'_, '_> {
    /// The assigned columns' values before a step assigns any: declared
    /// columns their default, input columns the row's own value.
    fn initial(&self, row: usize) -> Vec<Scalar> {
        self.declared
            .iter()
            .map(|d| match (d.input, self.frame.column(&d.name)) {
                (true, Ok(c)) => Scalar::from_series(c.as_materialized_series(), row),
                _ => d.default.clone(),
            })
            .collect()
    }

    /// Whether row `row` meets a condition with `seq` as the state.
    fn holds(&self, c: &Prepared, row: usize, seq: &Sequence) -> Result<bool, QueryError> {
        let v = match &c.whole {
            Some(v) => v.get(row),
            None => self.eval_row(c, row, &self.initial(row), seq)?,
        };
        Ok(matches!(v, Scalar::Bool(true)))
    }

    /// The record a step makes of row `row`: its assignments, in order,
    /// each seeing the ones before.
    fn assign(
        &self,
        list: &[(usize, Span, Prepared)],
        row: usize,
        seq: &Sequence,
    ) -> Result<Record, QueryError> {
        let mut values = self.initial(row);
        for (di, span, p) in list {
            let v = match &p.whole {
                Some(v) => v.get(row),
                None => self.eval_row(p, row, &values, seq)?,
            };
            let d = &self.declared[*di];
            values[*di] = coerce(v, d.kind, &d.name, *span)?;
        }
        Ok(Record {
            row,
            declared: values,
        })
    }

    /// Evaluates on a one-row frame: the row, its declared values, and
    /// the state values the expression reads.
    fn eval_row(
        &self,
        p: &Prepared,
        row: usize,
        declared: &[Scalar],
        seq: &Sequence,
    ) -> Result<Scalar, QueryError> {
        let mut columns: Vec<Column> = self.frame.slice(row as i64, 1).columns().to_vec();
        for (d, v) in self.declared.iter().zip(declared) {
            let value = v.to_series(&d.name, 1).into_column();
            match columns
                .iter_mut()
                .find(|c| d.input && c.name() == d.name.as_str())
            {
                Some(slot) => *slot = value,
                None => columns.push(value),
            }
        }
        let mut seen = HashSet::new();
        for (step, col) in &p.reads {
            let name = state_name(self.steps[*step], col);
            if !seen.insert(name.clone()) {
                continue;
            }
            let record = seq.records.get(*step).and_then(Option::as_ref);
            let value = self.state_value(record, col);
            let s = match &value {
                Scalar::Null(_) => match self.frame.column(col) {
                    Ok(c) => Series::full_null(name.as_str().into(), 1, c.dtype()),
                    Err(_) => value.to_series(&name, 1),
                },
                v => v.to_series(&name, 1),
            };
            columns.push(s.into_column());
        }
        let one = DataFrame::new(1, columns).map_err(|e| polars_error(e, p.expr.span))?;
        Ok(match self.runner.eval(&p.expr, &one)? {
            Val::Scalar(s) => s,
            Val::Column(c) => Scalar::from_series(&c, 0),
        })
    }

    /// `step.col` in a state: the matched record's value, or the default
    /// (null for input columns) when the step has matched nothing yet.
    fn state_value(&self, record: Option<&Record>, col: &str) -> Scalar {
        if let Some(di) = self.declared.iter().position(|d| d.name == col) {
            return match record {
                Some(r) => r.declared[di].clone(),
                None => self.declared[di].default.clone(),
            };
        }
        match (record, self.frame.column(col)) {
            (Some(r), Ok(c)) => Scalar::from_series(c.as_materialized_series(), r.row),
            (None, Ok(c)) => Scalar::Null(KqlType::of(c.dtype()).unwrap_or(KqlType::Dynamic)),
            _ => Scalar::Null(KqlType::Dynamic),
        }
    }
}

/// The column name `step.col` is read under in the one-row frames.
fn state_name(step: &str, col: &str) -> String {
    format!("{step}.{col}")
}

/// A value as the declared type of the column it is assigned to.
fn coerce(v: Scalar, kind: KqlType, name: &str, span: Span) -> Result<Scalar, QueryError> {
    if v.kind() == kind {
        return Ok(v);
    }
    Ok(match (v, kind) {
        (Scalar::Null(_), KqlType::String) => Scalar::String(String::new()),
        (Scalar::Null(_), k) => Scalar::Null(k),
        (Scalar::Dynamic(serde_json::Value::Null), k) => Scalar::Null(k),
        (Scalar::Int(x), KqlType::Long) => Scalar::Long(i64::from(x)),
        (Scalar::Int(x), KqlType::Real) => Scalar::Real(f64::from(x)),
        (Scalar::Long(x), KqlType::Real) => Scalar::Real(x as f64),
        (Scalar::Long(x), KqlType::Int) => i32::try_from(x).map_or(Scalar::Null(kind), Scalar::Int),
        (Scalar::Real(x), KqlType::Long) if x.is_finite() => Scalar::Long(x as i64),
        (Scalar::Real(x), KqlType::Int) if x.is_finite() => Scalar::Int(x as i32),
        (v, KqlType::Dynamic) => Scalar::Dynamic(v.to_json()),
        (v, k) => {
            return Err(QueryError::type_error(
                format!("'{name}' is declared {k}, but this gives {}", v.kind()),
                span,
            ));
        }
    })
}

/// A copy of `e` in which `step.Column` reads the state column; `reads`
/// collects them. A step name with a member that names no column is an
/// error pointing at it.
fn rewrite(
    e: &Expr,
    steps: &[&str],
    columns: &[String],
    reads: &mut Vec<(usize, String)>,
) -> Result<Expr, QueryError> {
    let mut go = |x: &Expr| rewrite(x, steps, columns, reads);
    let b = |x: Expr| Box::new(x);
    let kind = match &e.kind {
        ExprKind::Member { target, name } => {
            if let ExprKind::Name(step) = &target.kind
                && let Some(si) = steps.iter().position(|s| s == step)
            {
                if !columns.iter().any(|c| c == &name.name) {
                    return Err(QueryError::unknown(
                        format!(
                            "step '{step}' has no column '{}'{}",
                            name.name,
                            did_you_mean(&name.name, columns.iter().map(String::as_str))
                        ),
                        name.span,
                    ));
                }
                reads.push((si, name.name.clone()));
                ExprKind::Name(state_name(step, &name.name))
            } else {
                ExprKind::Member {
                    target: b(go(target)?),
                    name: name.clone(),
                }
            }
        }
        ExprKind::Negate(x) => ExprKind::Negate(b(go(x)?)),
        ExprKind::Binary { op, left, right } => ExprKind::Binary {
            op: *op,
            left: b(go(left)?),
            right: b(go(right)?),
        },
        ExprKind::StringOp { op, left, right } => ExprKind::StringOp {
            op: *op,
            left: b(go(left)?),
            right: b(go(right)?),
        },
        ExprKind::List { op, left, items } => ExprKind::List {
            op: *op,
            left: b(go(left)?),
            items: items.iter().map(&mut go).collect::<Result<_, _>>()?,
        },
        ExprKind::Between {
            negated,
            value,
            low,
            high,
        } => ExprKind::Between {
            negated: *negated,
            value: b(go(value)?),
            low: b(go(low)?),
            high: b(go(high)?),
        },
        ExprKind::Call { name, args } => ExprKind::Call {
            name: name.clone(),
            args: args.iter().map(&mut go).collect::<Result<_, _>>()?,
        },
        ExprKind::Index { target, index } => ExprKind::Index {
            target: b(go(target)?),
            index: b(go(index)?),
        },
        ExprKind::Tuple(items) => {
            ExprKind::Tuple(items.iter().map(&mut go).collect::<Result<_, _>>()?)
        }
        ExprKind::NamedArg { name, value } => ExprKind::NamedArg {
            name: name.clone(),
            value: b(go(value)?),
        },
        other => other.clone(),
    };
    Ok(Expr { kind, span: e.span })
}
