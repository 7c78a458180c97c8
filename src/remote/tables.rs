//! The tables a remote engine has, for the workbench's home:
//!
//! - Log Analytics: the workspace's metadata endpoint (`GET
//!   {workspace}/metadata`), whose `tables` give each table's name,
//!   description and columns;
//! - Data Explorer: `.show tables` on the management endpoint (name,
//!   folder, doc string);
//! - Defender advanced hunting: Microsoft Graph has no endpoint for it in
//!   v1.0, so the tables the advanced hunting schema documents
//!   ("Understand the advanced hunting schema", Microsoft Defender XDR
//!   documentation), with their descriptions.

use polars::prelude::DataFrame;
use serde_json::Value;

use super::oneapi::{get, get_str};
use super::{Api, Engine, RemoteError};

/// A table of a remote engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemoteTable {
    /// Its name, as queries name it.
    pub name: String,
    /// What it holds (the service's description), or "".
    pub description: String,
    /// Its columns and their type names as the service wrote them; empty
    /// when the service does not list them.
    pub columns: Vec<(String, String)>,
}

impl Engine {
    /// The tables queries can name here, sorted by name.
    pub fn tables(&self) -> Result<Vec<RemoteTable>, RemoteError> {
        let mut tables = match self.endpoint.api {
            Api::LogAnalytics => {
                let metadata = self.get_value(&self.endpoint.metadata_url())?;
                log_analytics_tables(&metadata).map_err(|message| RemoteError::BadAnswer {
                    service: self.endpoint.api.service(),
                    message,
                })?
            }
            Api::DataExplorer => {
                let shown = self.run(".show tables", None, &|_| {})?;
                data_explorer_tables(&shown.frame).map_err(|message| RemoteError::BadAnswer {
                    service: self.endpoint.api.service(),
                    message,
                })?
            }
            Api::Defender => defender_tables(),
        };
        tables.sort_by_key(|t| t.name.to_lowercase());
        tables.dedup_by(|a, b| a.name == b.name);
        Ok(tables)
    }
}

/// The tables of a Log Analytics metadata answer: `{"tables": [{"name",
/// "description", "columns": [{"name", "type"}]}], ...}`.
pub fn log_analytics_tables(metadata: &Value) -> Result<Vec<RemoteTable>, String> {
    let tables = metadata
        .as_object()
        .and_then(|o| get(o, "tables"))
        .and_then(Value::as_array)
        .ok_or("the metadata has no \"tables\" list")?;
    let mut out = Vec::with_capacity(tables.len());
    for (i, t) in tables.iter().enumerate() {
        let t = t
            .as_object()
            .ok_or_else(|| format!("table {} of the metadata is not a JSON object", i + 1))?;
        let name = get_str(t, "name")
            .ok_or_else(|| format!("table {} of the metadata has no \"name\"", i + 1))?;
        let columns = get(t, "columns")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|c| {
                let c = c.as_object()?;
                Some((
                    get_str(c, "name")?.to_string(),
                    get_str(c, "type").unwrap_or("").to_string(),
                ))
            })
            .collect();
        out.push(RemoteTable {
            name: name.to_string(),
            description: get_str(t, "description").unwrap_or("").trim().to_string(),
            columns,
        });
    }
    Ok(out)
}

/// The tables of `.show tables`: `TableName`, and `DocString` (else
/// `Folder`) as the description.
pub fn data_explorer_tables(shown: &DataFrame) -> Result<Vec<RemoteTable>, String> {
    let text = |name: &str| -> Option<Vec<String>> {
        let c = shown.column(name).ok()?.str().ok()?.clone();
        Some(
            (0..c.len())
                .map(|i| c.get(i).unwrap_or("").to_string())
                .collect(),
        )
    };
    let names = text("TableName").ok_or(".show tables gave no TableName column")?;
    let docs = text("DocString").unwrap_or_default();
    let folders = text("Folder").unwrap_or_default();
    Ok(names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            let doc = docs.get(i).map(|d| d.trim()).unwrap_or("");
            let folder = folders.get(i).map(|f| f.trim()).unwrap_or("");
            let description = match (doc, folder) {
                ("", "") => String::new(),
                ("", f) => format!("folder {f}"),
                (d, _) => d.to_string(),
            };
            RemoteTable {
                name,
                description,
                columns: Vec::new(),
            }
        })
        .collect())
}

/// The advanced hunting schema's tables, as Microsoft's documentation
/// lists them (tables in preview included).
pub const DEFENDER_TABLES: &[(&str, &str)] = &[
    (
        "AADSignInEventsBeta",
        "Microsoft Entra interactive and non-interactive sign-ins",
    ),
    (
        "AADSpnSignInEventsBeta",
        "Microsoft Entra service principal and managed identity sign-ins",
    ),
    (
        "AIAgentsInfo",
        "AI agents made with Microsoft Copilot Studio: configuration and owners (preview)",
    ),
    (
        "AlertEvidence",
        "Files, IP addresses, URLs, users or devices associated with alerts",
    ),
    (
        "AlertInfo",
        "Alerts from the Defender products, with severity and threat category",
    ),
    (
        "BehaviorEntities",
        "Entities involved in a behavior (Defender for Cloud Apps, UEBA) (preview)",
    ),
    (
        "BehaviorInfo",
        "Behaviors from Defender for Cloud Apps and UEBA (preview)",
    ),
    (
        "CampaignInfo",
        "Email campaigns identified by Defender for Office 365 (preview)",
    ),
    (
        "CloudAppEvents",
        "Events on accounts and objects in Office 365 and other cloud apps",
    ),
    (
        "CloudAuditEvents",
        "Cloud audit events of the platforms Defender for Cloud protects (preview)",
    ),
    (
        "CloudDnsEvents",
        "DNS activity in cloud infrastructure (preview)",
    ),
    (
        "CloudProcessEvents",
        "Process events of cloud workloads (Defender for Containers) (preview)",
    ),
    (
        "CloudStorageAggregatedEvents",
        "Cloud storage activity (preview)",
    ),
    (
        "DataSecurityBehaviors",
        "Suspicious user behaviors against Microsoft Purview policies (preview)",
    ),
    (
        "DataSecurityEvents",
        "User activities that violate Microsoft Purview policies (preview)",
    ),
    (
        "DeviceBaselineComplianceAssessment",
        "Baseline compliance of devices' security configuration (preview)",
    ),
    (
        "DeviceBaselineComplianceAssessmentKB",
        "Security configurations baseline compliance assesses (preview)",
    ),
    (
        "DeviceBaselineComplianceProfiles",
        "Baseline profiles monitoring device compliance (preview)",
    ),
    (
        "DeviceEvents",
        "Many event types, including those of security controls (Defender Antivirus, exploit protection)",
    ),
    (
        "DeviceFileCertificateInfo",
        "Certificates of signed files, from certificate verification on endpoints",
    ),
    (
        "DeviceFileEvents",
        "File creation, modification and other file system events",
    ),
    ("DeviceImageLoadEvents", "DLL loading events"),
    (
        "DeviceInfo",
        "Machine information, including the operating system",
    ),
    (
        "DeviceLogonEvents",
        "Sign-ins and other authentication events on devices",
    ),
    (
        "DeviceNetworkEvents",
        "Network connections and related events",
    ),
    (
        "DeviceNetworkInfo",
        "Network properties of devices: adapters, IP and MAC addresses, networks, domains",
    ),
    ("DeviceProcessEvents", "Process creation and related events"),
    (
        "DeviceRegistryEvents",
        "Creation and modification of registry entries",
    ),
    (
        "DeviceTvmBrowserExtensions",
        "Browser extensions installed on devices (preview)",
    ),
    (
        "DeviceTvmBrowserExtensionsKB",
        "Browser extension details and permissions (preview)",
    ),
    (
        "DeviceTvmCertificateInfo",
        "Certificates found on devices (preview)",
    ),
    (
        "DeviceTvmHardwareFirmware",
        "Hardware and firmware of devices, from vulnerability management",
    ),
    (
        "DeviceTvmInfoGathering",
        "Vulnerability management assessment events: configuration, attack surface",
    ),
    (
        "DeviceTvmInfoGatheringKB",
        "Metadata of the DeviceTvmInfoGathering assessments",
    ),
    (
        "DeviceTvmSecureConfigurationAssessment",
        "Status of security configurations on devices",
    ),
    (
        "DeviceTvmSecureConfigurationAssessmentKB",
        "Security configurations assessed, mapped to standards and benchmarks",
    ),
    (
        "DeviceTvmSoftwareEvidenceBeta",
        "Where on a device a piece of software was found",
    ),
    (
        "DeviceTvmSoftwareInventory",
        "Software installed on devices, with versions and end of support",
    ),
    (
        "DeviceTvmSoftwareVulnerabilities",
        "Software vulnerabilities on devices and the updates that fix them",
    ),
    (
        "DeviceTvmSoftwareVulnerabilitiesKB",
        "Publicly disclosed vulnerabilities, and whether exploits are public",
    ),
    (
        "DisruptionAndResponseEvents",
        "Automatic attack disruption events (preview)",
    ),
    ("EmailAttachmentInfo", "Files attached to emails"),
    (
        "EmailEvents",
        "Email events, including delivery and blocking",
    ),
    (
        "EmailPostDeliveryEvents",
        "Security events after an email was delivered",
    ),
    ("EmailUrlInfo", "URLs in emails"),
    (
        "EntraIdSignInEvents",
        "Microsoft Entra interactive and non-interactive sign-ins",
    ),
    (
        "EntraIdSpnSignInEvents",
        "Microsoft Entra service principal and managed identity sign-ins",
    ),
    (
        "ExposureGraphEdges",
        "Exposure graph: relationships between entities and assets",
    ),
    (
        "ExposureGraphNodes",
        "Exposure graph: organizational entities and their properties",
    ),
    (
        "FileMaliciousContentInfo",
        "Files Defender for Office 365 processed in SharePoint, OneDrive and Teams (preview)",
    ),
    (
        "GraphApiAuditEvents",
        "Microsoft Graph API requests for the tenant's resources",
    ),
    (
        "IdentityAccountInfo",
        "Accounts from various sources, linked to the identity owning them",
    ),
    (
        "IdentityDirectoryEvents",
        "Events on an on-premises Active Directory domain controller",
    ),
    (
        "IdentityEvents",
        "Identity events from other cloud identity providers (preview)",
    ),
    (
        "IdentityInfo",
        "Account information from various sources, including Microsoft Entra ID",
    ),
    (
        "IdentityLogonEvents",
        "Authentication events on Active Directory and Microsoft online services",
    ),
    (
        "IdentityQueryEvents",
        "Queries for Active Directory objects: users, groups, devices, domains",
    ),
    (
        "MessageEvents",
        "Teams messages sent and received, at delivery",
    ),
    (
        "MessagePostDeliveryEvents",
        "Security events after a Teams message was delivered",
    ),
    ("MessageUrlInfo", "URLs in Teams messages"),
    (
        "OAuthAppInfo",
        "OAuth applications registered with Microsoft Entra ID (preview)",
    ),
    (
        "UrlClickEvents",
        "Safe Links clicks from email, Teams and Office 365 apps",
    ),
];

fn defender_tables() -> Vec<RemoteTable> {
    DEFENDER_TABLES
        .iter()
        .map(|(name, description)| RemoteTable {
            name: name.to_string(),
            description: description.to_string(),
            columns: Vec::new(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn log_analytics_metadata_as_documented() {
        let metadata = json!({"tables": [
            {"id": "SigninLogs", "name": "SigninLogs", "description": "Azure AD sign-ins",
             "timespanColumn": "TimeGenerated",
             "columns": [{"name": "TimeGenerated", "type": "datetime"}, {"name": "UserPrincipalName", "type": "string", "isPreferredFacet": true}],
             "related": {"categories": ["security"]}},
            {"id": "custom_CL", "name": "custom_CL", "columns": []}],
            "functions": [], "workspaces": []});
        let tables = log_analytics_tables(&metadata).unwrap();
        assert_eq!(
            tables,
            [
                RemoteTable {
                    name: "SigninLogs".into(),
                    description: "Azure AD sign-ins".into(),
                    columns: vec![
                        ("TimeGenerated".into(), "datetime".into()),
                        ("UserPrincipalName".into(), "string".into())
                    ],
                },
                RemoteTable {
                    name: "custom_CL".into(),
                    description: String::new(),
                    columns: Vec::new(),
                }
            ]
        );
        assert_eq!(
            log_analytics_tables(&json!({"functions": []})).unwrap_err(),
            "the metadata has no \"tables\" list"
        );
        assert_eq!(
            log_analytics_tables(&json!({"tables": [{"id": "x"}]})).unwrap_err(),
            "table 1 of the metadata has no \"name\""
        );
    }

    #[test]
    fn defender_tables_are_the_documented_ones() {
        let tables = defender_tables();
        assert_eq!(tables.len(), DEFENDER_TABLES.len());
        for name in [
            "DeviceProcessEvents",
            "AlertEvidence",
            "IdentityLogonEvents",
            "EmailEvents",
        ] {
            assert!(tables.iter().any(|t| t.name == name), "{name}");
        }
        let mut names: Vec<&str> = DEFENDER_TABLES.iter().map(|(n, _)| *n).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), DEFENDER_TABLES.len());
    }
}
