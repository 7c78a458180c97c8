//! `evaluate ipv4_lookup(...)` and `evaluate ipv6_lookup(...)`: a join of
//! the input's addresses with a table of networks (a GeoIP export, a list
//! of known-bad ranges, the company's subnets), the way hunters enrich
//! `RemoteIP` without a cluster.
//!
//! `T | evaluate ipv4_lookup(LookupTable, SourceKey, LookupKey
//! [, ExtraKey1, ...] [, return_unmatched])` (ipv6_lookup alike): a row of
//! `T` meets a row of `LookupTable` when the address (or network, in
//! IP-prefix notation) in `SourceKey` and the network in `LookupKey`
//! overlap, as `ipv4_is_match` compares them (under the shorter prefix),
//! and every extra key has equal values on both sides. A row meeting
//! several networks is repeated once per network, in the lookup table's
//! order; without `return_unmatched=true` rows meeting none are dropped,
//! with it they are kept with empty lookup columns.
//!
//! The output is the input's columns then the lookup table's (its extra
//! keys left out, as `lookup` does) for `ipv4_lookup`, and the lookup
//! table's then the input's for `ipv6_lookup`: that is the order
//! Microsoft's documented outputs print. A lookup column whose name is
//! already taken gets a suffix (`1`, `2`, ...), as `join` gives.
//!
//! `ipv6_lookup` reads IPv4 text as its IPv4-mapped IPv6 address, as the
//! `ipv6_*` functions do. Networks that do not parse match nothing.

use std::collections::BTreeMap;

use polars::prelude::*;

use super::lookup_pairs::Pairs;
use crate::kql::ast::{Expr, ExprKind, Span};
use crate::kql::error::QueryError;
use crate::kql::functions::ip::{parse_net4, parse_net6};
use crate::kql::run::Runner;
use crate::kql::value::{Scalar, Val};

/// Which plugin: the address family and its width in bits.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    V4,
    V6,
}

impl Family {
    fn name(self) -> &'static str {
        match self {
            Family::V4 => "ipv4_lookup",
            Family::V6 => "ipv6_lookup",
        }
    }

    fn bits(self) -> u32 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }

    /// An address or network as (address, prefix length).
    fn parse(self, text: &str) -> Option<(u128, u32)> {
        match self {
            Family::V4 => parse_net4(text).map(|n| (u128::from(n.addr), n.prefix)),
            Family::V6 => parse_net6(text),
        }
    }

    /// The mask of a `prefix`-bit network.
    fn mask(self, prefix: u32) -> u128 {
        let all = match self {
            Family::V4 => u128::from(u32::MAX),
            Family::V6 => u128::MAX,
        };
        if prefix == 0 {
            0
        } else {
            all & (all << (self.bits() - prefix.min(self.bits())))
        }
    }
}

/// The lookup table's networks by prefix length: per length, (network,
/// row) sorted, so the networks overlapping an address are a range.
struct Networks {
    family: Family,
    by_prefix: BTreeMap<u32, Vec<(u128, u32)>>,
}

impl Networks {
    fn build(family: Family, keys: &StringChunked) -> Networks {
        let mut by_prefix: BTreeMap<u32, Vec<(u128, u32)>> = BTreeMap::new();
        for (row, text) in keys.iter().enumerate() {
            if let Some((addr, prefix)) = text.and_then(|t| family.parse(t)) {
                by_prefix
                    .entry(prefix)
                    .or_default()
                    .push((addr & family.mask(prefix), row as u32));
            }
        }
        for list in by_prefix.values_mut() {
            list.sort_unstable();
        }
        Networks { family, by_prefix }
    }

    /// The rows whose network overlaps `(addr, prefix)`, in row order.
    fn matches(&self, addr: u128, prefix: u32, out: &mut Vec<u32>) {
        out.clear();
        for (&q, list) in &self.by_prefix {
            let mask = self.family.mask(prefix.min(q));
            let low = addr & mask;
            let high = low | (!mask & self.family.mask(self.family.bits()));
            let start = list.partition_point(|(net, _)| *net < low);
            out.extend(
                list[start..]
                    .iter()
                    .take_while(|(net, _)| *net <= high)
                    .map(|(_, row)| *row),
            );
        }
        out.sort_unstable();
    }
}

/// The plugin's arguments, resolved.
struct Args<'e> {
    table: DataFrame,
    source_key: &'e Expr,
    lookup_key: &'e Expr,
    extra: Vec<(String, Span)>,
    return_unmatched: bool,
}

impl Runner<'_> {
    /// `evaluate ipv4_lookup(...)` or `evaluate ipv6_lookup(...)`; also
    /// returns the input's columns, for `*` in an output schema.
    pub(super) fn ip_lookup(
        &self,
        family: Family,
        args: &[Expr],
        frame: DataFrame,
        span: Span,
    ) -> Result<(DataFrame, Vec<String>), QueryError> {
        let plugin = family.name();
        let a = self.ip_lookup_args(plugin, args, &frame, span)?;
        let table = a.table;
        let rows = frame.height();
        let source = self.eval(a.source_key, &frame)?.to_text(rows);
        let keys = self.eval(a.lookup_key, &table)?.to_text(table.height());
        let networks = Networks::build(family, &keys);
        let mut extra: Vec<(Val, Val)> = Vec::with_capacity(a.extra.len());
        for (name, at) in &a.extra {
            let column = |f: &DataFrame, side: &str| {
                f.column(name)
                    .map(|c| Val::Column(c.as_materialized_series().clone()).decoded())
                    .map_err(|_| {
                        QueryError::unknown(
                            format!(
                                "{plugin}(): the extra key '{name}' must be a column of both tables; the {side} has none"
                            ),
                            *at,
                        )
                    })
            };
            extra.push((column(&frame, "input")?, column(&table, "lookup table")?));
        }
        let mut left: Vec<IdxSize> = Vec::with_capacity(rows);
        let mut right: Vec<Option<IdxSize>> = Vec::with_capacity(rows);
        let mut found = Vec::new();
        for (i, text) in source.iter().enumerate() {
            if i % (1 << 16) == 0 {
                self.check_cancel()?;
            }
            match text.and_then(|t| family.parse(t)) {
                Some((addr, prefix)) => networks.matches(addr, prefix, &mut found),
                None => found.clear(),
            }
            let before = left.len();
            for &row in &found {
                let same = extra.iter().all(|(l, r)| {
                    let (l, r) = (l.get(i), r.get(row as usize));
                    !matches!(l, Scalar::Null(_)) && l.to_text() == r.to_text()
                });
                if same {
                    left.push(i as IdxSize);
                    right.push(Some(row as IdxSize));
                }
            }
            if left.len() == before && a.return_unmatched {
                left.push(i as IdxSize);
                right.push(None);
            }
        }
        let kept: Vec<String> = frame
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .collect();
        let lookup_columns: Vec<String> = table
            .get_column_names()
            .iter()
            .map(|n| n.to_string())
            .filter(|n| !a.extra.iter().any(|(e, _)| e == n))
            .collect();
        // ipv6_lookup documents the lookup table's columns first.
        let out = self.lookup_rows(
            plugin,
            &frame,
            &table,
            Pairs {
                input: left,
                lookup: right,
                lookup_columns,
                lookup_first: matches!(family, Family::V6),
            },
            span,
        )?;
        Ok((out, kept))
    }

    /// Sorts the arguments out: three required, then extra keys (column
    /// names), then `return_unmatched` (a bool, positional or named).
    fn ip_lookup_args<'e>(
        &self,
        plugin: &str,
        args: &'e [Expr],
        frame: &DataFrame,
        span: Span,
    ) -> Result<Args<'e>, QueryError> {
        let empty = DataFrame::empty();
        let mut positional: Vec<&Expr> = Vec::new();
        let mut return_unmatched = None;
        for a in args {
            match &a.kind {
                ExprKind::NamedArg { name, value }
                    if name.name.eq_ignore_ascii_case("return_unmatched") =>
                {
                    return_unmatched = Some(self.flag(plugin, value, &empty)?);
                }
                ExprKind::NamedArg { name, .. } => {
                    return Err(QueryError::type_error(
                        format!(
                            "{plugin}() has no parameter '{}': it takes the lookup table, the source key, the lookup key, extra keys and return_unmatched",
                            name.name
                        ),
                        name.span,
                    ));
                }
                _ => positional.push(a),
            }
        }
        let usage = || {
            QueryError::type_error(
                format!(
                    "{plugin}() needs the lookup table, the input's address column and the lookup table's network column"
                ),
                span,
            )
        };
        if positional.len() < 3 {
            return Err(usage());
        }
        let Some(table) = self.tabular_expr(positional[0])? else {
            if let ExprKind::Name(n) = &positional[0].kind {
                return Err(self.unknown_table(n, positional[0].span));
            }
            return Err(QueryError::type_error(
                format!("the first argument of {plugin}() must be the lookup table"),
                positional[0].span,
            ));
        };
        let mut extra = Vec::new();
        for (i, a) in positional[3..].iter().enumerate() {
            match &a.kind {
                // A name is an extra key, unless it is the last argument and
                // a column of neither table (a `let` holding the flag).
                ExprKind::Name(n)
                    if i + 4 < positional.len()
                        || frame.column(n).is_ok()
                        || table.column(n).is_ok() =>
                {
                    extra.push((n.clone(), a.span))
                }
                _ if i + 4 == positional.len() && return_unmatched.is_none() => {
                    return_unmatched = Some(self.flag(plugin, a, &empty)?);
                }
                _ => {
                    return Err(QueryError::type_error(
                        format!(
                            "{plugin}(): an extra key must be a column name found in both tables"
                        ),
                        a.span,
                    ));
                }
            }
        }
        Ok(Args {
            table,
            source_key: positional[1],
            lookup_key: positional[2],
            extra,
            return_unmatched: return_unmatched.unwrap_or(false),
        })
    }

    /// `return_unmatched`: a constant bool.
    fn flag(&self, plugin: &str, e: &Expr, empty: &DataFrame) -> Result<bool, QueryError> {
        match self.eval_scalar(e, empty)? {
            Scalar::Bool(b) => Ok(b),
            other => Err(QueryError::type_error(
                format!(
                    "{plugin}(): return_unmatched must be true or false, not {}",
                    other.kind()
                ),
                e.span,
            )),
        }
    }
}
