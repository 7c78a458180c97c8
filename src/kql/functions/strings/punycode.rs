//! Punycode (RFC 3492): `punycode_from_string` and `punycode_to_string` on
//! one label, `punycode_domain_to_string` and `punycode_domain_from_string`
//! on a whole domain name. Text that cannot be coded gives "", as Kusto
//! documents.
//!
//! The domain forms code each label on its own and keep everything else
//! as written: the documentation's examples keep upper case
//! (`Riðill` is `xn--Riill-jta`) and spaces (`Lê Lợi` is
//! `xn--L Li-gpa4517b`), so this is not IDNA's UTS #46 mapping (which
//! folds case and refuses spaces), only its label separators.

use idna::punycode;

use super::map_string;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::expect_string;
use crate::kql::value::Val;

/// The prefix of a label in punycode (the ACE prefix).
const ACE: &str = "xn--";

/// What separates the labels of a domain name: the full stop and the
/// three dots IDNA reads as one (ideographic, fullwidth, halfwidth
/// ideographic), as the documentation's `Lê Lợi。Thuận Thiên。com` shows.
fn is_label_separator(c: char) -> bool {
    matches!(c, '.' | '\u{3002}' | '\u{FF0E}' | '\u{FF61}')
}

/// `punycode_from_string(s)`: the punycode of `s`, without `xn--`.
pub(super) fn punycode_from_string(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| {
        punycode::encode_str(s).unwrap_or_default()
    }))
}

/// `punycode_to_string(s)`: the text `s` codes; "" unless `s` is ASCII
/// punycode.
pub(super) fn punycode_to_string(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| decode_label(s).unwrap_or_default()))
}

fn decode_label(s: &str) -> Option<String> {
    if !s.is_ascii() {
        return None;
    }
    punycode::decode_to_string(s)
}

/// `punycode_domain_to_string(domain)`: each label holding a character
/// beyond ASCII becomes `xn--` and its punycode; labels are joined by `.`.
pub(super) fn punycode_domain_to_string(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| {
        encode_domain(s).unwrap_or_default()
    }))
}

fn encode_domain(domain: &str) -> Option<String> {
    let labels = domain
        .split(is_label_separator)
        .map(|label| {
            if label.is_ascii() {
                Some(label.to_string())
            } else {
                punycode::encode_str(label).map(|p| format!("{ACE}{p}"))
            }
        })
        .collect::<Option<Vec<String>>>()?;
    Some(labels.join("."))
}

/// `punycode_domain_from_string(domain)`: each `xn--` label decoded; ""
/// when one does not decode or the name is not ASCII.
pub(super) fn punycode_domain_from_string(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    Ok(map_string(call, 0, |s| {
        decode_domain(s).unwrap_or_default()
    }))
}

fn decode_domain(domain: &str) -> Option<String> {
    if !domain.is_ascii() {
        return None;
    }
    let labels = domain
        .split('.')
        .map(|label| match label.get(..ACE.len()) {
            Some(prefix) if prefix.eq_ignore_ascii_case(ACE) => decode_label(&label[ACE.len()..]),
            _ => Some(label.to_string()),
        })
        .collect::<Option<Vec<String>>>()?;
    Some(labels.join("."))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_round_trip() {
        let encoded = punycode::encode_str("académie-française");
        assert_eq!(encoded.as_deref(), Some("acadmie-franaise-npb1a"));
        assert_eq!(
            decode_label("acadmie-franaise-npb1a").as_deref(),
            Some("académie-française")
        );
        assert_eq!(decode_label("académie"), None);
    }

    #[test]
    fn domains_keep_case_and_spaces() {
        assert_eq!(
            encode_domain("Riðill\u{FF61}Skáldskaparmál\u{FF61}org").as_deref(),
            Some("xn--Riill-jta.xn--Skldskaparml-dbbj.org")
        );
        assert_eq!(
            decode_domain("xn--Ry-lja8c.xn--Jng-uta63a.xn--Bng-9ka.com").as_deref(),
            Some("Rúyì.Jīngū.Bàng.com")
        );
        assert_eq!(decode_domain("Gáe.com"), None);
    }
}
