//! `geo_info_from_ip_address(ip)`. Kusto answers from MaxMind's GeoLite2
//! data; Quarry works offline, so the locations come from a table the user
//! loads, named `GeoIP`, with the columns `network` (a CIDR such as
//! `1.2.3.0/24`, IPv4 or IPv6; a bare address is a /32 or /128), `country`,
//! `state`, `city`, `latitude` and `longitude`. The most specific network
//! holding an address wins.
//!
//! The result is a dynamic bag `{"country", "state", "city", "latitude",
//! "longitude"}` as Kusto's; `{}` for an address the table does not cover
//! (private addresses included), null for text that is not an address.

use std::collections::BTreeMap;
use std::net::Ipv6Addr;

use polars::prelude::*;
use serde_json::{Map, Value as Json};

use crate::data::types::KqlType;
use crate::kql::ast::Span;
use crate::kql::error::QueryError;
use crate::kql::functions::convert::as_real;
use crate::kql::functions::ip::parse_net4;
use crate::kql::value::{Scalar, Val};

/// The table `geo_info_from_ip_address` reads.
pub const GEOIP_TABLE: &str = "GeoIP";

/// The error when no `GeoIP` table is loaded.
pub const NO_TABLE: &str = "geo_info_from_ip_address needs a loaded GeoIP table (network, country, state, city, latitude, longitude): Quarry works offline";

/// The `GeoIP` networks, by prefix length: per length, (network, row)
/// sorted by network, searched with a binary search.
pub struct GeoIndex {
    v4: BTreeMap<u32, Vec<(u32, usize)>>,
    v6: BTreeMap<u32, Vec<(u128, usize)>>,
    /// Each row's location bag.
    bags: Vec<Json>,
}

fn mask4(prefix: u32) -> u32 {
    if prefix == 0 {
        0
    } else {
        u32::MAX << (32 - prefix.min(32))
    }
}

fn mask6(prefix: u32) -> u128 {
    if prefix == 0 {
        0
    } else {
        u128::MAX << (128 - prefix.min(128))
    }
}

/// An IPv6 address or network (`addr[/prefix]`).
fn parse6(text: &str) -> Option<(u128, u32)> {
    let (addr, prefix) = match text.trim().split_once('/') {
        Some((a, p)) => (a, p.trim().parse::<u32>().ok().filter(|p| *p <= 128)?),
        None => (text.trim(), 128),
    };
    let addr: Ipv6Addr = addr.trim_matches(|c| c == '[' || c == ']').parse().ok()?;
    Some((u128::from(addr), prefix))
}

impl GeoIndex {
    /// Indexes a `GeoIP` frame; rows whose network does not parse are
    /// skipped.
    pub fn build(frame: &DataFrame, span: Span) -> Result<GeoIndex, QueryError> {
        let network = frame.column("network").map_err(|_| {
            QueryError::runtime(
                format!("the {GEOIP_TABLE} table has no 'network' column: {NO_TABLE}"),
                Some(span),
            )
        })?;
        let network = network.as_materialized_series();
        let cell = |name: &str, i: usize| -> Scalar {
            frame
                .column(name)
                .map(|c| Scalar::from_series(c.as_materialized_series(), i))
                .unwrap_or(Scalar::Null(KqlType::String))
        };
        let mut index = GeoIndex {
            v4: BTreeMap::new(),
            v6: BTreeMap::new(),
            bags: Vec::with_capacity(frame.height()),
        };
        for i in 0..frame.height() {
            let text = Scalar::from_series(network, i).to_text().into_owned();
            if let Some(n) = parse_net4(&text) {
                index
                    .v4
                    .entry(n.prefix)
                    .or_default()
                    .push((n.addr & mask4(n.prefix), i));
            } else if let Some((addr, prefix)) = parse6(&text) {
                index
                    .v6
                    .entry(prefix)
                    .or_default()
                    .push((addr & mask6(prefix), i));
            }
            let mut bag = Map::new();
            for key in ["country", "state", "city"] {
                bag.insert(
                    key.to_string(),
                    Json::String(cell(key, i).to_text().into_owned()),
                );
            }
            for key in ["latitude", "longitude"] {
                let v = as_real(&cell(key, i))
                    .and_then(serde_json::Number::from_f64)
                    .map_or(Json::Null, Json::Number);
                bag.insert(key.to_string(), v);
            }
            index.bags.push(Json::Object(bag));
        }
        for list in index.v4.values_mut() {
            list.sort_unstable();
        }
        for list in index.v6.values_mut() {
            list.sort_unstable();
        }
        Ok(index)
    }

    /// The location of an address: null when it is not one, `{}` when no
    /// network holds it.
    pub fn lookup(&self, text: &str) -> Json {
        let t = text.trim();
        let found = if let Some(n) = parse_net4(t).filter(|n| !t.contains('/') || n.prefix == 32) {
            self.v4.iter().rev().find_map(|(&prefix, list)| {
                let key = n.addr & mask4(prefix);
                list.binary_search_by(|(net, _)| net.cmp(&key))
                    .ok()
                    .map(|at| list[at].1)
            })
        } else if let Some((addr, 128)) = parse6(t) {
            // IPv4-mapped IPv6 addresses are looked up as IPv4 too.
            let mapped = (addr >> 32 == 0xffff).then_some((addr & 0xffff_ffff) as u32);
            self.v6
                .iter()
                .rev()
                .find_map(|(&prefix, list)| {
                    let key = addr & mask6(prefix);
                    list.binary_search_by(|(net, _)| net.cmp(&key))
                        .ok()
                        .map(|at| list[at].1)
                })
                .or_else(|| {
                    let a = mapped?;
                    self.v4.iter().rev().find_map(|(&prefix, list)| {
                        let key = a & mask4(prefix);
                        list.binary_search_by(|(net, _)| net.cmp(&key))
                            .ok()
                            .map(|at| list[at].1)
                    })
                })
        } else {
            return Json::Null;
        };
        found
            .and_then(|i| self.bags.get(i).cloned())
            .unwrap_or_else(|| Json::Object(Map::new()))
    }

    /// Looks up every value of `ip`.
    pub fn eval(&self, ip: &Val, rows: usize) -> Val {
        let to_scalar = |j: Json| {
            if j.is_null() {
                Scalar::Null(KqlType::Dynamic)
            } else {
                Scalar::Dynamic(j)
            }
        };
        match ip {
            Val::Scalar(s) => Val::Scalar(to_scalar(self.lookup(&s.to_text()))),
            v => {
                let text = v.to_text(rows);
                let out: BinaryChunked = text
                    .iter()
                    .map(|t| {
                        let j = self.lookup(t.unwrap_or(""));
                        (!j.is_null()).then(|| j.to_string().into_bytes())
                    })
                    .collect();
                Val::Column(out.into_series())
            }
        }
    }
}
