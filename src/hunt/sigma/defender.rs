//! Where Sigma's generic Windows log sources and fields live in Defender's
//! advanced hunting tables. The tables follow pySigma-backend-kusto's
//! `microsoft_xdr` pipeline (its mapping tables are public facts, written
//! again here as data); the columns each table has are Quarry's documented
//! schemas, so a mapped field that Defender lacks is refused, not guessed.

use crate::data::schema;
use crate::data::types::KqlType;

use super::model::LogSource;

/// Log source category -> Defender table.
const CATEGORY_TABLES: &[(&str, &str)] = &[
    ("process_creation", "DeviceProcessEvents"),
    ("image_load", "DeviceImageLoadEvents"),
    ("file_access", "DeviceFileEvents"),
    ("file_change", "DeviceFileEvents"),
    ("file_delete", "DeviceFileEvents"),
    ("file_event", "DeviceFileEvents"),
    ("file_rename", "DeviceFileEvents"),
    ("registry_add", "DeviceRegistryEvents"),
    ("registry_delete", "DeviceRegistryEvents"),
    ("registry_event", "DeviceRegistryEvents"),
    ("registry_set", "DeviceRegistryEvents"),
    ("network_connection", "DeviceNetworkEvents"),
];

/// Categories narrower than their table: only these `ActionType`s are the
/// category's events (pySigma leaves them out; without them a
/// `file_delete` rule would also fire on the file's creation).
const CATEGORY_ACTIONS: &[(&str, &[&str])] = &[
    ("file_delete", &["FileDeleted"]),
    ("file_rename", &["FileRenamed"]),
    ("registry_add", &["RegistryKeyCreated"]),
    (
        "registry_delete",
        &["RegistryKeyDeleted", "RegistryValueDeleted"],
    ),
    ("registry_set", &["RegistryValueSet"]),
];

/// Sigma field -> Defender column, per table.
const TABLE_FIELDS: &[(&str, &[(&str, &str)])] = &[
    (
        "DeviceProcessEvents",
        &[
            ("ProcessId", "ProcessId"),
            ("Image", "FolderPath"),
            ("FileVersion", "ProcessVersionInfoProductVersion"),
            ("Description", "ProcessVersionInfoFileDescription"),
            ("Product", "ProcessVersionInfoProductName"),
            ("Company", "ProcessVersionInfoCompanyName"),
            ("OriginalFileName", "ProcessVersionInfoOriginalFileName"),
            ("CommandLine", "ProcessCommandLine"),
            ("User", "AccountName"),
            ("LogonId", "LogonId"),
            ("IntegrityLevel", "ProcessIntegrityLevel"),
            ("sha1", "SHA1"),
            ("sha256", "SHA256"),
            ("md5", "MD5"),
            ("ParentProcessId", "InitiatingProcessId"),
            ("ParentImage", "InitiatingProcessFolderPath"),
            ("ParentCommandLine", "InitiatingProcessCommandLine"),
            ("ParentUser", "InitiatingProcessAccountName"),
            ("GrandParentImage", "InitiatingProcessParentFileName"),
        ],
    ),
    (
        "DeviceImageLoadEvents",
        &[
            ("ProcessId", "InitiatingProcessId"),
            ("Image", "InitiatingProcessFolderPath"),
            ("ImageLoaded", "FolderPath"),
            ("FileVersion", "InitiatingProcessVersionInfoProductVersion"),
            ("Description", "InitiatingProcessVersionInfoFileDescription"),
            ("Product", "InitiatingProcessVersionInfoProductName"),
            ("Company", "InitiatingProcessVersionInfoCompanyName"),
            (
                "OriginalFileName",
                "InitiatingProcessVersionInfoOriginalFileName",
            ),
            ("sha1", "SHA1"),
            ("sha256", "SHA256"),
            ("md5", "MD5"),
            ("User", "InitiatingProcessAccountName"),
        ],
    ),
    (
        "DeviceFileEvents",
        &[
            ("ProcessId", "InitiatingProcessId"),
            ("Image", "InitiatingProcessFolderPath"),
            ("TargetFilename", "FolderPath"),
            ("User", "RequestAccountName"),
            ("sha1", "SHA1"),
            ("sha256", "SHA256"),
            ("md5", "MD5"),
            ("ObjectName", "FolderPath"),
            ("IntegrityLevel", "InitiatingProcessIntegrityLevel"),
        ],
    ),
    (
        "DeviceNetworkEvents",
        &[
            ("ProcessId", "InitiatingProcessId"),
            ("Image", "InitiatingProcessFolderPath"),
            ("User", "InitiatingProcessAccountName"),
            ("Protocol", "Protocol"),
            ("SourceIp", "LocalIP"),
            ("SourceHostname", "DeviceName"),
            ("SourcePort", "LocalPort"),
            ("DestinationIp", "RemoteIP"),
            ("DestinationHostname", "RemoteUrl"),
            ("DestinationPort", "RemotePort"),
        ],
    ),
    (
        "DeviceRegistryEvents",
        &[
            ("EventType", "ActionType"),
            ("ProcessId", "InitiatingProcessId"),
            ("Image", "InitiatingProcessFolderPath"),
            ("TargetObject", "RegistryKey"),
            ("Details", "RegistryValueData"),
            ("User", "InitiatingProcessAccountName"),
            ("ObjectName", "RegistryKey"),
        ],
    ),
];

/// Sigma field -> column for every table, where the table's own list has
/// no entry.
const GENERIC_FIELDS: &[(&str, &str)] = &[
    ("EventType", "ActionType"),
    ("User", "InitiatingProcessAccountName"),
    ("CommandLine", "InitiatingProcessCommandLine"),
    ("Image", "InitiatingProcessFolderPath"),
    ("ProcessName", "InitiatingProcessFolderPath"),
    ("SourceImage", "InitiatingProcessFolderPath"),
    ("ProcessId", "InitiatingProcessId"),
    ("md5", "InitiatingProcessMD5"),
    ("sha1", "InitiatingProcessSHA1"),
    ("sha256", "InitiatingProcessSHA256"),
    ("ParentProcessId", "InitiatingProcessParentId"),
    ("ParentCommandLine", "InitiatingProcessParentCommandLine"),
    ("Company", "InitiatingProcessVersionInfoCompanyName"),
    ("Description", "InitiatingProcessVersionInfoFileDescription"),
    (
        "OriginalFileName",
        "InitiatingProcessVersionInfoOriginalFileName",
    ),
    ("Product", "InitiatingProcessVersionInfoProductName"),
];

/// Sysmon/Windows fields with no Defender counterpart that pySigma drops
/// from a rule rather than refusing it; Quarry says so in the conversion's
/// notes.
const DROPPED: &[(&str, &str)] = &[
    ("EventID", "Defender tables have no Windows event ids"),
    ("EventCode", "Defender tables have no Windows event ids"),
    ("ObjectType", "Defender tables have no object types"),
];

/// Sysmon registry event types -> DeviceRegistryEvents action types.
const REGISTRY_ACTIONS: &[(&str, &[&str])] = &[
    ("CreateKey", &["RegistryKeyCreated"]),
    ("DeleteKey", &["RegistryKeyDeleted", "RegistryValueDeleted"]),
    ("SetValue", &["RegistryValueSet"]),
    ("RenameKey", &["RegistryValueSet", "RegistryKeyCreated"]),
];

/// Registry hive abbreviations -> the names Defender writes; the longer
/// prefix first. (pySigma writes `CurrentControlSet001`; Windows, and so
/// Defender, name the set `ControlSet001`.)
const HIVES: &[(&str, &str)] = &[
    (
        r"HKLM\SYSTEM\CurrentControlSet",
        r"HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001",
    ),
    ("HKLM", "HKEY_LOCAL_MACHINE"),
    ("HKU", "HKEY_USERS"),
    ("HKCR", r"HKEY_LOCAL_MACHINE\CLASSES"),
];

/// Account-name columns and the domain column beside each.
pub const ACCOUNT_DOMAINS: &[(&str, &str)] = &[
    ("AccountName", "AccountDomain"),
    ("RequestAccountName", "RequestAccountDomain"),
    (
        "InitiatingProcessAccountName",
        "InitiatingProcessAccountDomain",
    ),
];

/// The table a rule reads, and what its category narrows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub table: &'static str,
    pub category: String,
    /// `ActionType in (...)` every event of the category has.
    pub actions: &'static [&'static str],
}

/// A Defender column and its type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: String,
    pub kind: KqlType,
}

/// How a Sigma field is read in the rule's table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldUse {
    Column(Column),
    /// `ParentImage` outside process creation (and `GrandParentImage`):
    /// only a file name is recorded, so the value is cut to its last path
    /// element.
    ParentFileName(Column),
    /// Matches every event; the reason goes into the notes.
    Dropped(&'static str),
    /// `Hashes` (`SHA256=...,MD5=...`): split per algorithm.
    Hashes,
}

/// The Defender table for a log source.
pub fn target(logsource: &LogSource) -> Result<Target, String> {
    let Some(category) = &logsource.category else {
        return Err(format!(
            "no Defender table for log source {logsource} (only log source categories map to tables)"
        ));
    };
    let table = CATEGORY_TABLES
        .iter()
        .find(|(c, _)| c == category)
        .map(|(_, t)| *t)
        .ok_or_else(|| format!("no Defender table for log source category {category}"))?;
    let actions = CATEGORY_ACTIONS
        .iter()
        .find(|(c, _)| c == category)
        .map_or(&[][..], |(_, a)| *a);
    Ok(Target {
        table,
        category: category.clone(),
        actions,
    })
}

impl Target {
    /// How `field` is read here; `Err` says why it cannot be.
    pub fn field(&self, field: &str) -> Result<FieldUse, String> {
        if let Some((_, why)) = DROPPED.iter().find(|(f, _)| *f == field) {
            return Ok(FieldUse::Dropped(why));
        }
        if field == "Initiated" && self.category == "network_connection" {
            return Ok(FieldUse::Dropped(
                "DeviceNetworkEvents records no connection direction field",
            ));
        }
        if field == "Hashes" {
            return Ok(FieldUse::Hashes);
        }
        if field == "ParentImage" && self.category != "process_creation" {
            return self
                .column("InitiatingProcessParentFileName")
                .map(FieldUse::ParentFileName)
                .ok_or_else(|| self.unmapped(field));
        }
        let own = TABLE_FIELDS
            .iter()
            .find(|(t, _)| *t == self.table)
            .and_then(|(_, fields)| fields.iter().find(|(f, _)| *f == field));
        let name = match own.or_else(|| GENERIC_FIELDS.iter().find(|(f, _)| *f == field)) {
            Some((_, column)) => *column,
            // A rule may already use Defender's own column names.
            None => field,
        };
        let column = self.column(name).ok_or_else(|| self.unmapped(field))?;
        // A path compared with a file-name column (GrandParentImage) is cut
        // to its file name too.
        if name == "InitiatingProcessParentFileName" && field.ends_with("Image") {
            return Ok(FieldUse::ParentFileName(column));
        }
        Ok(FieldUse::Column(column))
    }

    /// A column of the table, by its exact name.
    pub fn column(&self, name: &str) -> Option<Column> {
        schema::documented(self.table)?
            .iter()
            .find(|(c, _)| *c == name)
            .map(|(c, k)| Column {
                name: c.to_string(),
                kind: *k,
            })
    }

    fn unmapped(&self, field: &str) -> String {
        format!("field {field} has no column in {}", self.table)
    }
}

/// Sysmon registry event types as Defender action types; other values as
/// they are.
pub fn registry_actions(value: &str) -> Vec<String> {
    REGISTRY_ACTIONS
        .iter()
        .find(|(k, _)| *k == value)
        .map_or_else(
            || vec![value.to_string()],
            |(_, v)| v.iter().map(|s| s.to_string()).collect(),
        )
}

/// A registry path with its hive spelled as Defender does.
pub fn registry_key(value: &str) -> String {
    for (short, long) in HIVES {
        let n = short.len();
        // Only a whole leading hive name: `HKLMx` is not HKLM.
        if value.len() >= n
            && value.is_char_boundary(n)
            && value[..n].eq_ignore_ascii_case(short)
            && value[n..].chars().next().is_none_or(|c| c == '\\')
        {
            return format!("{long}{}", &value[n..]);
        }
    }
    value.to_string()
}

/// The hash columns of the table, by algorithm (`MD5`, `SHA1`, `SHA256`).
pub fn hash_column(target: &Target, algorithm: &str) -> Option<Column> {
    match algorithm {
        "MD5" | "SHA1" | "SHA256" => target.column(algorithm),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hives_are_spelled_out_only_at_the_start() {
        assert_eq!(
            registry_key(r"HKLM\SYSTEM\CurrentControlSet\Services\x"),
            r"HKEY_LOCAL_MACHINE\SYSTEM\ControlSet001\Services\x"
        );
        assert_eq!(registry_key(r"hku\S-1-5"), r"HKEY_USERS\S-1-5");
        assert_eq!(registry_key(r"\Software\HKLM"), r"\Software\HKLM");
        assert_eq!(registry_key("HKLMX"), "HKLMX");
    }

    #[test]
    fn fields_map_per_table_then_generically() {
        let proc = target(&LogSource {
            category: Some("process_creation".into()),
            ..Default::default()
        })
        .unwrap();
        let col = |t: &Target, f: &str| match t.field(f) {
            Ok(FieldUse::Column(c)) => c.name,
            other => format!("{other:?}"),
        };
        assert_eq!(col(&proc, "CommandLine"), "ProcessCommandLine");
        assert_eq!(col(&proc, "ParentImage"), "InitiatingProcessFolderPath");
        assert_eq!(col(&proc, "DeviceName"), "DeviceName");
        assert_eq!(
            proc.field("CurrentDirectory").unwrap_err(),
            "field CurrentDirectory has no column in DeviceProcessEvents"
        );
        let file = target(&LogSource {
            category: Some("file_delete".into()),
            ..Default::default()
        })
        .unwrap();
        assert_eq!(file.actions, &["FileDeleted"]);
        assert_eq!(col(&file, "CommandLine"), "InitiatingProcessCommandLine");
        assert!(matches!(
            file.field("ParentImage"),
            Ok(FieldUse::ParentFileName(_))
        ));
        let e = target(&LogSource {
            category: Some("ps_script".into()),
            ..Default::default()
        })
        .unwrap_err();
        assert_eq!(e, "no Defender table for log source category ps_script");
    }
}
