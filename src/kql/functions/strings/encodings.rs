//! URL and base64 coding: `url_encode`, `url_encode_component`,
//! `url_decode`, `base64_encode_tostring`, `base64_decode_tostring`.

use base64::Engine as _;

use super::map_string;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::expect_string;
use crate::kql::value::Val;

/// Percent-encodes like .NET's `HttpUtility.UrlEncode`: letters, digits
/// and `-_.!*()` stay, a space becomes `+` (or `%20` for a component),
/// everything else is `%xx` of its UTF-8 bytes, in lower-case hex.
fn percent_encode(s: &str, space_plus: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'a'..=b'z'
            | b'A'..=b'Z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'*'
            | b'('
            | b')' => out.push(b as char),
            b' ' if space_plus => out.push('+'),
            _ => out.push_str(&format!("%{b:02x}")),
        }
    }
    out
}

pub(super) fn url_encode(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| percent_encode(s, true)))
}

pub(super) fn url_encode_component(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| percent_encode(s, false)))
}

/// `url_decode(s)`: `%xx` and `+` decoded; bytes that are not UTF-8 are
/// replaced rather than failing the row.
pub(super) fn url_decode(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| {
        let plus = s.replace('+', " ");
        percent_encoding::percent_decode_str(&plus)
            .decode_utf8_lossy()
            .into_owned()
    }))
}

pub(super) fn base64_encode(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| {
        base64::engine::general_purpose::STANDARD.encode(s.as_bytes())
    }))
}

/// `base64_decode_tostring(s)`: "" when the text is not base64 or does not
/// decode to UTF-8 (Kusto's null; strings are never null).
pub(super) fn base64_decode(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| {
        base64::engine::general_purpose::STANDARD
            .decode(s.trim().as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    }))
}
