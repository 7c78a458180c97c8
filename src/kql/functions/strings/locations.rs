//! Parsing where a resource lives: `parse_url` and `parse_path` give their
//! parts as a bag.

use serde_json::{Map, Value as Json};

use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::functions::Call;
use crate::kql::functions::convert::expect_string;
use crate::kql::value::{Scalar, Val};

/// `parse_url(url)`: the parts of an absolute URL as a bag; text that is
/// not one gives the bag with every part empty.
pub(super) fn parse_url(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(Scalar::Dynamic(url_parts(&a[0].to_text())))
    })
}

fn url_parts(text: &str) -> Json {
    let mut bag = Map::new();
    let parsed = url::Url::parse(text.trim())
        .ok()
        .filter(|u| u.has_host() || !u.cannot_be_a_base());
    let get = |f: &dyn Fn(&url::Url) -> String| parsed.as_ref().map(f).unwrap_or_default();
    bag.insert(
        "Scheme".into(),
        Json::String(get(&|u| u.scheme().to_string())),
    );
    bag.insert(
        "Host".into(),
        Json::String(get(&|u| u.host_str().unwrap_or("").to_string())),
    );
    bag.insert(
        "Port".into(),
        Json::String(get(&|u| {
            u.port().map(|p| p.to_string()).unwrap_or_default()
        })),
    );
    bag.insert("Path".into(), Json::String(get(&|u| u.path().to_string())));
    bag.insert(
        "Username".into(),
        Json::String(get(&|u| u.username().to_string())),
    );
    bag.insert(
        "Password".into(),
        Json::String(get(&|u| u.password().unwrap_or("").to_string())),
    );
    let mut query = Map::new();
    if let Some(u) = &parsed {
        for (k, v) in u.query_pairs() {
            query.insert(k.into_owned(), Json::String(v.into_owned()));
        }
    }
    bag.insert("Query Parameters".into(), Json::Object(query));
    bag.insert(
        "Fragment".into(),
        Json::String(get(&|u| u.fragment().unwrap_or("").to_string())),
    );
    Json::Object(bag)
}

/// `parse_path(path)`: Scheme, RootPath, DirectoryPath, DirectoryName,
/// Filename, Extension and AlternateDataStreamName of a Windows or Unix
/// path (UNC, `\\?\` long paths and `file://` URLs included).
pub(super) fn parse_path(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    call.rowwise(KqlType::Dynamic, |a| {
        Ok(Scalar::Dynamic(path_parts(&a[0].to_text())))
    })
}

fn path_parts(text: &str) -> Json {
    let mut rest = text;
    let mut scheme = "";
    if let Some(pos) = rest.find("://") {
        let s = &rest[..pos];
        if !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
        {
            scheme = s;
            rest = &rest[pos + 3..];
        }
    }
    // A long-path prefix belongs to no part.
    let unprefixed = rest.strip_prefix(r"\\?\").unwrap_or(rest);
    let is_sep = |c: char| c == '\\' || c == '/';
    let root = {
        let b = unprefixed.as_bytes();
        if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' {
            &unprefixed[..2]
        } else {
            ""
        }
    };
    let (dir, file) = match rest.rfind(is_sep) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        // `C:file.txt`: the drive is no part of the file name.
        None if !root.is_empty() && rest.starts_with(root) => ("", &rest[root.len()..]),
        None => ("", rest),
    };
    // `file.exe:stream`: a colon in the file name starts a data stream.
    let (file, stream) = match file.find(':') {
        Some(i) => (&file[..i], &file[i + 1..]),
        None => (file, ""),
    };
    let dir_name = dir.rfind(is_sep).map_or(dir, |i| &dir[i + 1..]);
    let dir_name = if dir_name == root { "" } else { dir_name };
    let extension = file.rfind('.').map_or("", |i| &file[i + 1..]);
    let mut bag = Map::new();
    for (k, v) in [
        ("Scheme", scheme),
        ("RootPath", root),
        ("DirectoryPath", dir),
        ("DirectoryName", dir_name),
        ("Filename", file),
        ("Extension", extension),
        ("AlternateDataStreamName", stream),
    ] {
        bag.insert(k.into(), Json::String(v.to_string()));
    }
    Json::Object(bag)
}
