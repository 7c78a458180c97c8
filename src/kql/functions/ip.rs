//! IP address functions: `ipv4_is_private`, `ipv4_is_in_range`,
//! `ipv4_is_in_any_range`, `ipv4_is_match`, `ipv4_compare`, `parse_ipv4`,
//! `parse_ipv4_mask`, `parse_ipv6`, `format_ipv4`, `format_ipv4_mask`, `ipv6_is_match`,
//! `ipv6_compare`, and the text searches `has_ipv4`, `has_ipv4_prefix`,
//! `has_any_ipv4`, `has_any_ipv4_prefix`.
//!
//! Addresses may carry an IP-prefix (`192.168.1.1/24`). Two addresses are
//! compared under the shorter of their prefixes (and of an explicit prefix
//! argument), so `ipv4_is_match('192.168.1.1/24', '192.168.1.255')` holds.
//! Text that is not an address gives null, never an error: exports are full
//! of "-" and "" where an address would be.

use std::net::Ipv6Addr;

use polars::prelude::*;
use serde_json::Value as Json;

use super::convert::{as_long, column, expect, expect_integer, expect_string, json_of};
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The IP address functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "ipv4_is_private",
        min_args: 1,
        max_args: 1,
        eval: ipv4_is_private,
    },
    ScalarFunction {
        name: "ipv4_is_in_range",
        min_args: 2,
        max_args: 2,
        eval: ipv4_is_in_range,
    },
    ScalarFunction {
        name: "ipv4_is_in_any_range",
        min_args: 2,
        max_args: 64,
        eval: ipv4_is_in_any_range,
    },
    ScalarFunction {
        name: "ipv4_is_match",
        min_args: 2,
        max_args: 3,
        eval: ipv4_is_match,
    },
    ScalarFunction {
        name: "ipv4_compare",
        min_args: 2,
        max_args: 3,
        eval: ipv4_compare,
    },
    ScalarFunction {
        name: "parse_ipv6",
        min_args: 1,
        max_args: 1,
        eval: parse_ipv6,
    },
    ScalarFunction {
        name: "parse_ipv4",
        min_args: 1,
        max_args: 1,
        eval: parse_ipv4,
    },
    ScalarFunction {
        name: "parse_ipv4_mask",
        min_args: 2,
        max_args: 2,
        eval: parse_ipv4_mask,
    },
    ScalarFunction {
        name: "format_ipv4",
        min_args: 1,
        max_args: 2,
        eval: format_ipv4,
    },
    ScalarFunction {
        name: "format_ipv4_mask",
        min_args: 1,
        max_args: 2,
        eval: format_ipv4_mask,
    },
    ScalarFunction {
        name: "ipv6_is_match",
        min_args: 2,
        max_args: 3,
        eval: ipv6_is_match,
    },
    ScalarFunction {
        name: "has_ipv4",
        min_args: 2,
        max_args: 2,
        eval: has_ipv4,
    },
    ScalarFunction {
        name: "has_ipv4_prefix",
        min_args: 2,
        max_args: 2,
        eval: has_ipv4_prefix,
    },
    ScalarFunction {
        name: "has_any_ipv4",
        min_args: 2,
        max_args: 64,
        eval: has_any_ipv4,
    },
    ScalarFunction {
        name: "has_any_ipv4_prefix",
        min_args: 2,
        max_args: 64,
        eval: has_any_ipv4_prefix,
    },
    ScalarFunction {
        name: "ipv6_compare",
        min_args: 2,
        max_args: 3,
        eval: ipv6_compare,
    },
];

/// An IPv4 network: the address and its prefix length (32 when none).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Net4 {
    /// The address, most significant octet first.
    pub addr: u32,
    /// How many leading bits name the network (0 to 32).
    pub prefix: u32,
}

fn mask4(prefix: u32) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix.min(32))
    }
}

impl Net4 {
    /// The address with bits past the prefix cleared.
    pub fn network(self) -> u32 {
        self.addr & mask4(self.prefix)
    }
}

/// Parses `a.b.c.d` or `a.b.c.d/p`: four decimal octets, 0 to 32 for `p`.
pub fn parse_net4(text: &str) -> Option<Net4> {
    let t = text.trim();
    let (addr, prefix) = match t.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (t, None),
    };
    let mut value = 0u32;
    let mut parts = 0;
    for part in addr.split('.') {
        if part.is_empty() || part.len() > 3 || !part.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let octet: u32 = part.parse().ok()?;
        if octet > 255 {
            return None;
        }
        value = (value << 8) | octet;
        parts += 1;
    }
    if parts != 4 {
        return None;
    }
    let prefix = match prefix {
        None => 32,
        Some(p) if !p.is_empty() && p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()) => {
            let p: u32 = p.parse().ok()?;
            if p > 32 {
                return None;
            }
            p
        }
        Some(_) => return None,
    };
    Some(Net4 {
        addr: value,
        prefix,
    })
}

fn format4(addr: u32) -> String {
    let b = addr.to_be_bytes();
    format!("{}.{}.{}.{}", b[0], b[1], b[2], b[3])
}

/// Whether two networks match under the shorter prefix (and `extra`).
fn match4(a: Net4, b: Net4, extra: u32) -> bool {
    let m = mask4(a.prefix.min(b.prefix).min(extra));
    a.addr & m == b.addr & m
}

/// An optional prefix argument (0 to `max`); `None` in the outer option
/// means "invalid, the result is null".
fn prefix_arg(a: &[Scalar], i: usize, max: u32) -> Option<u32> {
    match a.get(i) {
        None => Some(max),
        Some(s) => as_long(s)
            .and_then(|p| u32::try_from(p).ok())
            .filter(|p| *p <= max),
    }
}

/// The private ranges of RFC 1918.
const PRIVATE: [Net4; 3] = [
    Net4 {
        addr: 0x0A00_0000,
        prefix: 8,
    },
    Net4 {
        addr: 0xAC10_0000,
        prefix: 12,
    },
    Net4 {
        addr: 0xC0A8_0000,
        prefix: 16,
    },
];

/// Applies `f` to the parsed address of each row of argument 0 (a column of
/// text read without per-row scalars), null where it is not an address.
fn per_address(call: &Call, f: impl Fn(Net4) -> Option<bool>) -> Result<Val, QueryError> {
    Ok(match &call.args[0] {
        Val::Scalar(s) => Val::Scalar(
            parse_net4(&s.to_text())
                .and_then(&f)
                .map_or(Scalar::Null(KqlType::Bool), Scalar::Bool),
        ),
        v => {
            let text = v.to_text(call.rows);
            let out: BooleanChunked = text
                .iter()
                .map(|t| parse_net4(t.unwrap_or("")).and_then(&f))
                .collect();
            column(out)
        }
    })
}

/// `ipv4_is_private(ip)`: inside 10/8, 172.16/12 or 192.168/16.
fn ipv4_is_private(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    per_address(call, |n| Some(PRIVATE.iter().any(|p| match4(n, *p, 32))))
}

/// `ipv4_is_in_range(ip, range)`.
fn ipv4_is_in_range(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    expect_string(call, 1)?;
    if let Val::Scalar(r) = &call.args[1] {
        let Some(range) = parse_net4(&r.to_text()) else {
            return Ok(null_bools(call));
        };
        return per_address(call, |n| Some(match4(n, range, 32)));
    }
    call.rowwise(KqlType::Bool, |a| {
        Ok(
            match (parse_net4(&a[0].to_text()), parse_net4(&a[1].to_text())) {
                (Some(n), Some(r)) => Scalar::Bool(match4(n, r, 32)),
                _ => Scalar::Null(KqlType::Bool),
            },
        )
    })
}

/// Null for every row (an argument that can never parse).
fn null_bools(call: &Call) -> Val {
    if call.all_scalar() {
        Val::Scalar(Scalar::Null(KqlType::Bool))
    } else {
        column(BooleanChunked::full_null("".into(), call.rows))
    }
}

/// The ranges of `ipv4_is_in_any_range`: the strings, or the elements of
/// dynamic arrays, after the address. `None` if one is not a range.
fn ranges(values: &[Scalar]) -> Option<Vec<Net4>> {
    let mut out = Vec::new();
    for v in values {
        match json_of(v) {
            Json::Array(items) => {
                for item in items {
                    out.push(parse_net4(item.as_str()?)?);
                }
            }
            Json::Null => return None,
            _ => out.push(parse_net4(&v.to_text())?),
        }
    }
    Some(out)
}

/// `ipv4_is_in_any_range(ip, range, ...)` or `(ip, dynamic([ranges]))`.
fn ipv4_is_in_any_range(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    for i in 1..call.args.len() {
        expect(
            call,
            i,
            |k| k == KqlType::String,
            "a string range or a dynamic array of ranges",
        )?;
    }
    if call.args[1..].iter().all(|a| matches!(a, Val::Scalar(_))) {
        let values: Vec<Scalar> = call.args[1..].iter().map(|a| a.get(0)).collect();
        let Some(list) = ranges(&values) else {
            return Ok(null_bools(call));
        };
        return per_address(call, |n| Some(list.iter().any(|r| match4(n, *r, 32))));
    }
    call.rowwise(KqlType::Bool, |a| {
        Ok(match (parse_net4(&a[0].to_text()), ranges(&a[1..])) {
            (Some(n), Some(list)) => Scalar::Bool(list.iter().any(|r| match4(n, *r, 32))),
            _ => Scalar::Null(KqlType::Bool),
        })
    })
}

fn check_pair(call: &Call) -> Result<(), QueryError> {
    expect_string(call, 0)?;
    expect_string(call, 1)?;
    if call.args.len() > 2 {
        expect_integer(call, 2)?;
    }
    Ok(())
}

/// `ipv4_is_match(ip1, ip2[, prefix])`.
fn ipv4_is_match(call: &Call) -> Result<Val, QueryError> {
    check_pair(call)?;
    call.rowwise(KqlType::Bool, |a| {
        Ok(
            match (
                parse_net4(&a[0].to_text()),
                parse_net4(&a[1].to_text()),
                prefix_arg(a, 2, 32),
            ) {
                (Some(x), Some(y), Some(p)) => Scalar::Bool(match4(x, y, p)),
                _ => Scalar::Null(KqlType::Bool),
            },
        )
    })
}

/// `ipv4_compare(ip1, ip2[, prefix])`: -1, 0 or 1.
fn ipv4_compare(call: &Call) -> Result<Val, QueryError> {
    check_pair(call)?;
    call.rowwise(KqlType::Long, |a| {
        Ok(
            match (
                parse_net4(&a[0].to_text()),
                parse_net4(&a[1].to_text()),
                prefix_arg(a, 2, 32),
            ) {
                (Some(x), Some(y), Some(p)) => {
                    let m = mask4(x.prefix.min(y.prefix).min(p));
                    Scalar::Long((x.addr & m).cmp(&(y.addr & m)) as i64)
                }
                _ => Scalar::Null(KqlType::Long),
            },
        )
    })
}

/// `parse_ipv4(ip)`: the (masked) address as a long.
fn parse_ipv4(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    call.rowwise(KqlType::Long, |a| {
        Ok(
            parse_net4(&a[0].to_text()).map_or(Scalar::Null(KqlType::Long), |n| {
                Scalar::Long(i64::from(n.network()))
            }),
        )
    })
}

/// `parse_ipv4_mask(ip, prefix)`.
fn parse_ipv4_mask(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    expect_integer(call, 1)?;
    call.rowwise(KqlType::Long, |a| {
        Ok(match (parse_net4(&a[0].to_text()), prefix_arg(a, 1, 32)) {
            (Some(n), Some(p)) => Scalar::Long(i64::from(n.addr & mask4(n.prefix.min(p)))),
            _ => Scalar::Null(KqlType::Long),
        })
    })
}

/// An address given as text or as its number (big-endian, as `parse_ipv4`
/// gives it).
fn address_arg(s: &Scalar) -> Option<Net4> {
    match s {
        Scalar::Int(_) | Scalar::Long(_) => {
            let v = as_long(s)?;
            u32::try_from(v).ok().map(|addr| Net4 { addr, prefix: 32 })
        }
        other => parse_net4(&other.to_text()),
    }
}

/// The masked network of `format_ipv4` and `format_ipv4_mask`.
fn formatted(a: &[Scalar]) -> Option<(u32, u32)> {
    let n = address_arg(&a[0])?;
    let p = n.prefix.min(prefix_arg(a, 1, 32)?);
    Some((n.addr & mask4(p), p))
}

fn check_format(call: &Call) -> Result<(), QueryError> {
    expect(
        call,
        0,
        |k| matches!(k, KqlType::String | KqlType::Int | KqlType::Long),
        "a string or a number",
    )?;
    if call.args.len() > 1 {
        expect_integer(call, 1)?;
    }
    Ok(())
}

/// `format_ipv4(ip[, prefix])`: "" when the input is not an address.
fn format_ipv4(call: &Call) -> Result<Val, QueryError> {
    check_format(call)?;
    call.rowwise(KqlType::String, |a| {
        Ok(Scalar::String(
            formatted(a).map(|(n, _)| format4(n)).unwrap_or_default(),
        ))
    })
}

/// `format_ipv4_mask(ip[, prefix])`: `a.b.c.d/p`.
fn format_ipv4_mask(call: &Call) -> Result<Val, QueryError> {
    check_format(call)?;
    call.rowwise(KqlType::String, |a| {
        Ok(Scalar::String(
            formatted(a)
                .map(|(n, p)| format!("{}/{p}", format4(n)))
                .unwrap_or_default(),
        ))
    })
}

/// Parses an IPv6 or IPv4 address with an optional prefix; IPv4 (also
/// written `::a.b.c.d`) becomes its IPv4-mapped IPv6 form
/// (`::ffff:a.b.c.d`, prefix + 96).
pub(crate) fn parse_net6(text: &str) -> Option<(u128, u32)> {
    let t = text.trim();
    // Kusto reads the IPv4-compatible form `::a.b.c.d[/p]` as the IPv4
    // address (its prefix counted in IPv4 bits), as parse_ipv6_mask's
    // documented output shows.
    let v4 = t
        .strip_prefix("::")
        .filter(|r| r.contains('.'))
        .unwrap_or(t);
    if let Some(n) = parse_net4(v4) {
        return Some(((0xffff_u128 << 32) | u128::from(n.addr), n.prefix + 96));
    }
    let (addr, prefix) = match t.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (t, None),
    };
    let addr: Ipv6Addr = addr
        .trim_start_matches('[')
        .trim_end_matches(']')
        .parse()
        .ok()?;
    let prefix = match prefix {
        None => 128,
        Some(p) if !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()) => {
            let p: u32 = p.parse().ok()?;
            if p > 128 {
                return None;
            }
            p
        }
        Some(_) => return None,
    };
    Some((u128::from(addr), prefix))
}

pub(super) fn mask6(prefix: u32) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix.min(128))
    }
}

/// Both IPv6 arguments masked under their shorter prefix and `prefix`.
fn masked6(a: &[Scalar]) -> Option<(u128, u128)> {
    let (x, px) = parse_net6(&a[0].to_text())?;
    let (y, py) = parse_net6(&a[1].to_text())?;
    let m = mask6(px.min(py).min(prefix_arg(a, 2, 128)?));
    Some((x & m, y & m))
}

/// `ipv6_is_match(ip1, ip2[, prefix])`: IPv4 addresses are compared as
/// their IPv6 forms.
fn ipv6_is_match(call: &Call) -> Result<Val, QueryError> {
    check_pair(call)?;
    call.rowwise(KqlType::Bool, |a| {
        Ok(masked6(a).map_or(Scalar::Null(KqlType::Bool), |(x, y)| Scalar::Bool(x == y)))
    })
}

/// `ipv6_compare(ip1, ip2[, prefix])`: -1, 0 or 1.
fn ipv6_compare(call: &Call) -> Result<Val, QueryError> {
    check_pair(call)?;
    call.rowwise(KqlType::Long, |a| {
        Ok(masked6(a).map_or(Scalar::Null(KqlType::Long), |(x, y)| {
            Scalar::Long(x.cmp(&y) as i64)
        }))
    })
}

/// The IPv4 addresses written in a text: dotted quads delimited by
/// characters that are neither letters nor digits (a sentence's final dot
/// is allowed), so `05:04:54127.0.0.1` holds none.
fn addresses_in(text: &str) -> Vec<u32> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() {
            i += 1;
            continue;
        }
        let start = i;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'.') {
            i += 1;
        }
        let before_ok = start == 0 || !is_alnum_at(text, start, true);
        let after_ok = i == b.len() || !is_alnum_at(text, i, false);
        if before_ok && after_ok {
            let run = &text[start..i];
            let run = run.strip_suffix('.').unwrap_or(run);
            if let Some(n) = parse_net4(run).filter(|_| !run.contains('/')) {
                out.push(n.addr);
            }
        }
    }
    out
}

/// Whether the character just before (`before`) or at byte `at` is a
/// letter or digit (`at` is always on a character boundary here: it is
/// next to an ASCII digit or dot).
fn is_alnum_at(text: &str, at: usize, before: bool) -> bool {
    let c = if before {
        text[..at].chars().next_back()
    } else {
        text[at..].chars().next()
    };
    c.is_some_and(char::is_alphanumeric)
}

/// An IPv4 prefix as `has_ipv4_prefix` takes it: a whole address, or one to
/// three octets each followed by a dot (`192.`, `192.168.`). Returns the
/// octets.
fn parse_ipv4_prefix(text: &str) -> Option<Vec<u8>> {
    let t = text.trim();
    if let Some(n) = parse_net4(t).filter(|_| !t.contains('/')) {
        return Some(n.addr.to_be_bytes().to_vec());
    }
    let body = t.strip_suffix('.')?;
    let octets: Option<Vec<u8>> = body
        .split('.')
        .map(|p| {
            (!p.is_empty() && p.len() <= 3 && p.bytes().all(|c| c.is_ascii_digit()))
                .then(|| p.parse::<u8>().ok())
                .flatten()
        })
        .collect();
    octets.filter(|o| (1..=3).contains(&o.len()))
}

/// The strings (or array elements) after the text argument.
fn needles(values: &[Scalar]) -> Vec<String> {
    let mut out = Vec::new();
    for v in values {
        match json_of(v) {
            Json::Array(items) => out.extend(items.iter().map(crate::kql::value::json_to_text)),
            _ => out.push(v.to_text().into_owned()),
        }
    }
    out
}

/// The shared body of the `has_*ipv4*` functions: `found(addresses, needles)`.
fn has_addresses(
    call: &Call,
    found: impl Fn(&[u32], &[String]) -> bool + Sync,
) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    for i in 1..call.args.len() {
        expect(
            call,
            i,
            |k| k == KqlType::String,
            "a string or a dynamic array of strings",
        )?;
    }
    if call.args[1..].iter().all(|a| matches!(a, Val::Scalar(_))) {
        let values: Vec<Scalar> = call.args[1..].iter().map(|a| a.get(0)).collect();
        let wanted = needles(&values);
        return Ok(match &call.args[0] {
            Val::Scalar(s) => {
                Val::Scalar(Scalar::Bool(found(&addresses_in(&s.to_text()), &wanted)))
            }
            v => {
                let text = v.to_text(call.rows);
                let out: BooleanChunked = text
                    .iter()
                    .map(|t| Some(found(&addresses_in(t.unwrap_or("")), &wanted)))
                    .collect();
                column(out)
            }
        });
    }
    call.rowwise(KqlType::Bool, |a| {
        Ok(Scalar::Bool(found(
            &addresses_in(&a[0].to_text()),
            &needles(&a[1..]),
        )))
    })
}

fn any_address(addresses: &[u32], wanted: &[String]) -> bool {
    wanted.iter().any(|w| {
        let w = w.trim();
        parse_net4(w)
            .filter(|_| !w.contains('/'))
            .is_some_and(|n| addresses.contains(&n.addr))
    })
}

fn any_prefix(addresses: &[u32], wanted: &[String]) -> bool {
    wanted
        .iter()
        .filter_map(|w| parse_ipv4_prefix(w))
        .any(|p| addresses.iter().any(|a| a.to_be_bytes().starts_with(&p)))
}

/// `has_ipv4(text, ip)`: false (not null) when `ip` is not an address.
fn has_ipv4(call: &Call) -> Result<Val, QueryError> {
    has_addresses(call, any_address)
}

/// `has_any_ipv4(text, ip, ...)` or `(text, dynamic([ips]))`.
fn has_any_ipv4(call: &Call) -> Result<Val, QueryError> {
    has_addresses(call, any_address)
}

/// `has_ipv4_prefix(text, prefix)`: `prefix` is a whole address or ends
/// with a dot after one to three octets.
fn has_ipv4_prefix(call: &Call) -> Result<Val, QueryError> {
    has_addresses(call, any_prefix)
}

/// `has_any_ipv4_prefix(text, prefix, ...)` or `(text, dynamic([prefixes]))`.
fn has_any_ipv4_prefix(call: &Call) -> Result<Val, QueryError> {
    has_addresses(call, any_prefix)
}

/// The canonical IPv6 text of an address: eight groups of four lowercase
/// hex digits.
pub(super) fn canonical6(addr: u128) -> String {
    (0..8)
        .map(|i| format!("{:04x}", (addr >> (112 - 16 * i)) & 0xffff))
        .collect::<Vec<_>>()
        .join(":")
}

/// `parse_ipv6(ip)`: an IPv6 or IPv4 address (IPv4 as `::ffff:a.b.c.d`),
/// with any IP-prefix applied, in canonical form; "" when it is not one.
fn parse_ipv6(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    call.rowwise(KqlType::String, |a| {
        Ok(Scalar::String(
            parse_net6(&a[0].to_text())
                .map(|(addr, prefix)| canonical6(addr & mask6(prefix)))
                .unwrap_or_default(),
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_and_prefixes() {
        assert_eq!(
            parse_net4("192.168.1.1"),
            Some(Net4 {
                addr: 3_232_235_777,
                prefix: 32
            })
        );
        assert_eq!(
            parse_net4(" 10.0.0.1/8 ").map(Net4::network),
            Some(0x0A00_0000)
        );
        for bad in [
            "",
            "1.2.3",
            "1.2.3.4.5",
            "256.1.1.1",
            "1.2.3.4/33",
            "1.2.3.4/",
            "a.b.c.d",
            "1..2.3",
            "1.2.3.4/-1",
        ] {
            assert_eq!(parse_net4(bad), None, "{bad}");
        }
        assert_eq!(
            parse_net6("::ffff:c0a8:0101"),
            parse_net6("192.168.1.1").map(|(a, _)| (a, 128))
        );
    }
}
