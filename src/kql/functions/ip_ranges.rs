//! IP ranges and masks beyond `ip`: `ipv6_is_in_range`,
//! `ipv6_is_in_any_range`, `parse_ipv6_mask`, `ipv4_netmask_suffix` and
//! `ipv4_range_to_cidr_list`.
//! IPv4 addresses are read as their IPv4-mapped IPv6 forms, as Kusto
//! does; text that is not an address gives null.

use super::convert::as_long;
use super::ip::{canonical6, mask6, parse_net4, parse_net6};
use super::series::array;
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val, json_to_text};

/// The functions of this family, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[
    ScalarFunction {
        name: "ipv6_is_in_range",
        min_args: 2,
        max_args: 2,
        eval: ipv6_is_in_range,
    },
    ScalarFunction {
        name: "ipv6_is_in_any_range",
        min_args: 2,
        max_args: 64,
        eval: ipv6_is_in_any_range,
    },
    ScalarFunction {
        name: "parse_ipv6_mask",
        min_args: 2,
        max_args: 2,
        eval: parse_ipv6_mask,
    },
    ScalarFunction {
        name: "ipv4_netmask_suffix",
        min_args: 1,
        max_args: 1,
        eval: ipv4_netmask_suffix,
    },
    ScalarFunction {
        name: "ipv4_range_to_cidr_list",
        min_args: 2,
        max_args: 2,
        eval: ipv4_range_to_cidr_list,
    },
];

/// Whether `address` lies in `range` (an address with an optional
/// prefix); `None` when either is not an address.
fn in_range(address: &str, range: &str) -> Option<bool> {
    let (a, pa) = parse_net6(address)?;
    let (r, pr) = parse_net6(range)?;
    let m = mask6(pa.min(pr));
    Some(a & m == r & m)
}

fn ipv6_is_in_range(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Bool, |a| {
        Ok(in_range(&a[0].to_text(), &a[1].to_text())
            .map_or(Scalar::Null(KqlType::Bool), Scalar::Bool))
    })
}

/// `ipv6_is_in_any_range(ip, ranges...)`: ranges as arguments or as one
/// array; null when the address is not one.
fn ipv6_is_in_any_range(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Bool, |a| {
        let address = a[0].to_text();
        if parse_net6(&address).is_none() {
            return Ok(Scalar::Null(KqlType::Bool));
        }
        let mut ranges = Vec::new();
        for r in &a[1..] {
            match array(r) {
                Some(items) => ranges.extend(items.iter().map(json_to_text)),
                None => ranges.push(r.to_text().into_owned()),
            }
        }
        let hit = ranges
            .iter()
            .any(|r| in_range(&address, r).unwrap_or(false));
        Ok(Scalar::Bool(hit))
    })
}

/// `parse_ipv6_mask(ip, prefix)`: the canonical IPv6 text of the address
/// under the shorter of its own prefix and `prefix` (0 to 128).
fn parse_ipv6_mask(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::String, |a| {
        let masked = parse_net6(&a[0].to_text()).and_then(|(addr, own)| {
            let p = as_long(&a[1]).filter(|p| (0..=128).contains(p))? as u32;
            Some(canonical6(addr & mask6(own.min(p))))
        });
        Ok(Scalar::String(masked.unwrap_or_default()))
    })
}

/// `ipv4_netmask_suffix(ip)`: the prefix length of an IPv4 address (32
/// when none is written).
fn ipv4_netmask_suffix(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Int, |a| {
        Ok(parse_net4(&a[0].to_text())
            .map_or(Scalar::Null(KqlType::Int), |n| Scalar::Int(n.prefix as i32)))
    })
}

/// The fewest CIDR blocks covering `start..=end` exactly, in order: each
/// the largest block aligned at the current address that ends in range.
fn cidr_blocks(start: u32, end: u32) -> Vec<String> {
    let (mut at, end) = (u64::from(start), u64::from(end));
    let mut out = Vec::new();
    while at <= end {
        let mut bits = if at == 0 {
            32
        } else {
            at.trailing_zeros().min(32)
        };
        while at + (1u64 << bits) - 1 > end {
            bits -= 1;
        }
        let b = (at as u32).to_be_bytes();
        out.push(format!("{}.{}.{}.{}/{}", b[0], b[1], b[2], b[3], 32 - bits));
        at += 1u64 << bits;
    }
    out
}

/// `ipv4_range_to_cidr_list(start, end)`: the CIDR blocks of the range as
/// a dynamic array of strings; null when either end is not an IPv4
/// address or the range runs backwards.
fn ipv4_range_to_cidr_list(call: &Call) -> Result<Val, QueryError> {
    call.rowwise(KqlType::Dynamic, |a| {
        let blocks = (|| {
            let (s, e) = (parse_net4(&a[0].to_text())?, parse_net4(&a[1].to_text())?);
            (s.prefix == 32 && e.prefix == 32 && s.addr <= e.addr)
                .then(|| cidr_blocks(s.addr, e.addr))
        })();
        Ok(blocks.map_or(Scalar::Null(KqlType::Dynamic), |b| {
            Scalar::Dynamic(serde_json::Value::Array(
                b.into_iter().map(serde_json::Value::String).collect(),
            ))
        }))
    })
}
