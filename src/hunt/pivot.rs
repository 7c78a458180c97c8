//! Pivots: from one rule hit to the events around it, as a KQL query the
//! analyst can read, edit and paste into Defender. Every pivot reads the
//! value from the column the rule declares for that entity (its
//! `[entities]`), and a file hash is compared with the column of its own
//! algorithm, so a SHA256 rule pivots on SHA256.

use crate::data::time::format_datetime;
use crate::hunt::rules::Entities;
use crate::kql::quote::string_literal;
use crate::kql::value::Scalar;

/// Where a pivot goes from the hit under the cursor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pivot {
    /// The network connections of the hit's process (by file hash).
    Connections,
    /// The process events of the hit's file (by file hash).
    ProcessEvents,
    /// Everything on the hit's device within an hour of the hit.
    DeviceActivity,
    /// Every connection to the hit's URL.
    UrlActivity,
    /// The processes and connections of the hit's account.
    AccountActivity,
}

/// The algorithm of a file hash, which decides the column it is compared
/// with (Defender names them `SHA1`, `SHA256`, `MD5`, and
/// `InitiatingProcessSHA1`... for the process that acted).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HashKind {
    Sha1,
    Sha256,
    Md5,
}

impl HashKind {
    /// The kind named by a column (`InitiatingProcessSHA256`), else the
    /// kind a hexadecimal value's length says (40, 64 or 32 digits).
    pub fn of(column: &str, value: &str) -> Option<HashKind> {
        let upper = column.to_ascii_uppercase();
        if upper.ends_with("SHA256") {
            return Some(HashKind::Sha256);
        }
        if upper.ends_with("SHA1") {
            return Some(HashKind::Sha1);
        }
        if upper.ends_with("MD5") {
            return Some(HashKind::Md5);
        }
        if !value.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        match value.len() {
            40 => Some(HashKind::Sha1),
            64 => Some(HashKind::Sha256),
            32 => Some(HashKind::Md5),
            _ => None,
        }
    }

    /// The column suffix Defender uses for this algorithm.
    pub fn column(self) -> &'static str {
        match self {
            HashKind::Sha1 => "SHA1",
            HashKind::Sha256 => "SHA256",
            HashKind::Md5 => "MD5",
        }
    }
}

/// The entity columns a rule's hits are read with: the rule's own, and
/// Defender's usual names for what it leaves out.
fn column_for(pivot: Pivot, entities: &Entities) -> String {
    let declared = match pivot {
        Pivot::Connections | Pivot::ProcessEvents => &entities.file_hash,
        Pivot::DeviceActivity => &entities.device,
        Pivot::UrlActivity => &entities.url,
        Pivot::AccountActivity => &entities.account,
    };
    let usual = match pivot {
        Pivot::Connections | Pivot::ProcessEvents => "InitiatingProcessSHA1",
        Pivot::DeviceActivity => "DeviceName",
        Pivot::UrlActivity => "RemoteUrl",
        Pivot::AccountActivity => "InitiatingProcessAccountName",
    };
    declared.clone().unwrap_or_else(|| usual.to_string())
}

/// The pivot's query from a hit, whose cells are read by column name with
/// `cell`; or, when the hit lacks what the pivot needs, the sentence that
/// says so.
pub fn pivot_query(
    pivot: Pivot,
    entities: &Entities,
    cell: &dyn Fn(&str) -> Option<Scalar>,
) -> Result<String, String> {
    let column = column_for(pivot, entities);
    let text = |name: &str| -> Result<String, String> {
        match cell(name) {
            None => Err(format!("this hit has no column {name}")),
            Some(v) if v.is_null() || v.to_text().is_empty() => {
                Err(format!("this hit's {name} is empty"))
            }
            Some(v) => Ok(v.to_text().into_owned()),
        }
    };
    match pivot {
        Pivot::Connections | Pivot::ProcessEvents => {
            let hash = text(&column)?;
            let kind = HashKind::of(&column, &hash)
                .ok_or_else(|| format!("this hit's {column} is not a SHA1, SHA256 or MD5 hash"))?;
            let hash = string_literal(&hash);
            let alg = kind.column();
            Ok(if pivot == Pivot::Connections {
                format!("DeviceNetworkEvents | where InitiatingProcess{alg} == {hash}")
            } else {
                format!("DeviceProcessEvents | where {alg} == {hash}")
            })
        }
        Pivot::DeviceActivity => {
            let device = text(&column)?;
            let Some(Scalar::Datetime(t)) = cell("Timestamp") else {
                return Err("this hit has no Timestamp".into());
            };
            let t = format_datetime(t);
            Ok(format!(
                "union DeviceNetworkEvents, DeviceProcessEvents | where DeviceName == {} \
                 and Timestamp between (datetime({t}) - 1h .. datetime({t}) + 1h)",
                string_literal(&device)
            ))
        }
        Pivot::UrlActivity => {
            let url = text(&column)?;
            Ok(format!(
                "DeviceNetworkEvents | where RemoteUrl =~ {}",
                string_literal(&url)
            ))
        }
        Pivot::AccountActivity => {
            let account = string_literal(&text(&column)?);
            Ok(format!(
                "union DeviceProcessEvents, DeviceNetworkEvents \
                 | where InitiatingProcessAccountName =~ {account} or AccountName =~ {account}"
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hash_kind_comes_from_its_column_or_its_length() {
        assert_eq!(HashKind::of("SHA256", ""), Some(HashKind::Sha256));
        assert_eq!(
            HashKind::of("InitiatingProcessMD5", "x"),
            Some(HashKind::Md5)
        );
        assert_eq!(
            HashKind::of("FileHash", &"a".repeat(64)),
            Some(HashKind::Sha256)
        );
        assert_eq!(
            HashKind::of("FileHash", &"a".repeat(40)),
            Some(HashKind::Sha1)
        );
        assert_eq!(
            HashKind::of("FileHash", &"a".repeat(32)),
            Some(HashKind::Md5)
        );
        assert_eq!(HashKind::of("FileHash", "not-a-hash"), None);
        assert_eq!(HashKind::of("FileHash", &"g".repeat(40)), None);
    }
}
