//! IP ranges and masks beyond `ip`: `ipv6_is_in_range`,
//! `ipv6_is_in_any_range`, `parse_ipv6_mask` and `ipv4_netmask_suffix`.
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
