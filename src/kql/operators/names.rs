//! The column names Kusto gives expressions the query does not name, in
//! `project`, `extend`, `summarize ... by`, `distinct` and the aggregates'
//! default names (`max(x)` is `max_x`).
//!
//! The rules are Kusto.Language's (`Binder.GetExpressionResultName` and each
//! function's `ResultNameKind`), the language service that names Kusto's
//! columns for IntelliSense: a column keeps its name, `a.b["c"]` is `a_b_c`,
//! a conversion or rounding is named after its first argument
//! (`tostring(p)` is `p`, `bin(Timestamp, 1h)` is `Timestamp`), a few
//! functions add their own name (`strlen(s)` is `strlen_s`), and anything
//! else is unnamed (the caller numbers it `Column1`, `Column2`, ...).

use crate::kql::ast::{Expr, ExprKind, Literal};

/// How a function call's column is named (Kusto.Language's
/// `ResultNameKind`).
enum ResultName {
    /// Not inferred: `Column1`, ...
    None,
    /// The name of the first argument.
    FirstArgument,
    /// The name of the only argument; unnamed with more arguments.
    OnlyArgument,
    /// A prefix, `_`, and the name of the first argument.
    PrefixAndFirstArgument(&'static str),
    /// The prefix alone.
    PrefixOnly(&'static str),
}

/// The naming rule of function `name`.
fn result_name(name: &str) -> ResultName {
    use ResultName::*;
    match name {
        "abs"
        | "acos"
        | "asin"
        | "atan"
        | "atan2"
        | "bin"
        | "bin_at"
        | "bin_auto"
        | "binary_and"
        | "binary_not"
        | "binary_or"
        | "binary_shift_left"
        | "binary_shift_right"
        | "binary_xor"
        | "bitset_count_ones"
        | "ceiling"
        | "cos"
        | "erf"
        | "erfc"
        | "exp"
        | "exp10"
        | "exp2"
        | "floor"
        | "format_bytes"
        | "format_datetime"
        | "format_timespan"
        | "gamma"
        | "log"
        | "log10"
        | "log2"
        | "loggamma"
        | "parse_csv"
        | "parse_json"
        | "parse_xml"
        | "parsejson"
        | "pow"
        | "rand"
        | "round"
        | "series_fill_backward"
        | "series_fill_const"
        | "series_fill_forward"
        | "series_fill_linear"
        | "series_fir"
        | "series_iir"
        | "series_outliers"
        | "sin"
        | "split"
        | "sqrt"
        | "startofday"
        | "tan"
        | "tobool"
        | "toboolean"
        | "todatetime"
        | "todecimal"
        | "todouble"
        | "todynamic"
        | "toguid"
        | "tohex"
        | "toint"
        | "tolong"
        | "toobject"
        | "toreal"
        | "tostring"
        | "totime"
        | "totimespan" => FirstArgument,
        "make_datetime" | "make_timespan" => OnlyArgument,
        "dcount_hll" => PrefixAndFirstArgument("dcount_hll"),
        "strlen" => PrefixAndFirstArgument("strlen"),
        "string_size" => PrefixAndFirstArgument("string_size"),
        "gettype" => PrefixAndFirstArgument("type"),
        "repeat" => PrefixAndFirstArgument("repeat"),
        "treepath" => PrefixAndFirstArgument("tree"),
        "percentile_tdigest" | "percentiles_array_tdigest" | "percentile_array_tdigest" => {
            PrefixAndFirstArgument("percentile_tdigest")
        }
        "hll_merge" => PrefixOnly("hll_merged_result"),
        "merge_tdigest" | "tdigest_merge" => PrefixOnly("tdigests_merge_result"),
        _ => None,
    }
}

/// The column name Kusto gives an unnamed expression (a `by` key, an
/// aggregate's argument: `max(tostring(x))` is `max_x`): see the module's
/// rules; `None` when Kusto numbers it instead.
pub fn expr_name(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Name(n) => Some(n.clone()),
        ExprKind::NamedArg { name, .. } => Some(name.name.clone()),
        // `a.b` is `a_b`; with nothing to name its left side, `b`.
        ExprKind::Member { target, name } => Some(match expr_name(target) {
            Some(left) => format!("{left}_{}", name.name),
            None => name.name.clone(),
        }),
        ExprKind::Index { target, index } => {
            let key = match &index.kind {
                ExprKind::Literal(Literal::String(k)) => k.clone(),
                ExprKind::Literal(Literal::Long(i)) => i.to_string(),
                _ => return None,
            };
            Some(match expr_name(target) {
                Some(left) => format!("{left}_{key}"),
                None => key,
            })
        }
        ExprKind::Call { name, args } => match result_name(&name.name) {
            ResultName::None => None,
            ResultName::FirstArgument => expr_name(args.first()?),
            ResultName::OnlyArgument if args.len() == 1 => expr_name(&args[0]),
            ResultName::OnlyArgument => None,
            // With nothing to name the argument, the prefix and `_` alone
            // (`strlen("abc")` is `strlen_`), as Kusto.Language joins them.
            ResultName::PrefixAndFirstArgument(prefix) => Some(format!(
                "{prefix}_{}",
                args.first().and_then(expr_name).unwrap_or_default()
            )),
            ResultName::PrefixOnly(prefix) => Some(prefix.to_string()),
        },
        _ => None,
    }
}

/// Gives `name` a suffix (`1`, `2`, ...) until it is not in `taken`.
pub fn unique_name(name: &str, taken: &[String]) -> String {
    if !taken.iter().any(|t| t == name) {
        return name.to_string();
    }
    (1..)
        .map(|i| format!("{name}{i}"))
        .find(|n| !taken.iter().any(|t| t == n))
        .unwrap_or_else(|| name.to_string())
}
