//! Which remote engine a URL names, where its queries go, and the resource
//! its access tokens are for.
//!
//! The URL the analyst gives is the one they see in the Azure portal or
//! their scripts:
//!
//! - `https://api.loganalytics.io/v1/workspaces/{id}` (or
//!   `api.loganalytics.azure.com`): a Log Analytics workspace (Sentinel).
//! - `https://graph.microsoft.com/v1.0/security` (or `/beta/security`):
//!   Defender XDR advanced hunting through Microsoft Graph.
//! - anything else, `https://{cluster}/{database}`: Azure Data Explorer.
//!
//! `http://` is accepted too, for local test servers: the path alone then
//! decides, the same way.

use url::Url;

/// The remote APIs Quarry speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Api {
    LogAnalytics,
    Defender,
    DataExplorer,
}

impl Api {
    /// The service's name, as the analyst knows it.
    pub fn service(self) -> &'static str {
        match self {
            Api::LogAnalytics => "Log Analytics",
            Api::Defender => "Defender advanced hunting",
            Api::DataExplorer => "Data Explorer",
        }
    }
}

/// A remote engine, parsed from the URL the analyst gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub api: Api,
    /// The URL as given, without a trailing slash.
    pub url: Url,
    /// Data Explorer's database (the URL's path); empty for the others.
    pub database: String,
}

impl Endpoint {
    /// Reads a remote engine's URL, or says what is wrong with it.
    pub fn parse(text: &str) -> Result<Endpoint, String> {
        let trimmed = text.trim().trim_end_matches('/');
        let url = Url::parse(trimmed).map_err(|e| format!("{trimmed}: not a URL ({e})"))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(format!(
                "{trimmed}: a remote engine's URL starts with https:// (http:// only for a local test server)"
            ));
        }
        if url.host_str().is_none_or(str::is_empty) {
            return Err(format!("{trimmed}: the URL has no host"));
        }
        if url.query().is_some() || url.fragment().is_some() {
            return Err(format!(
                "{trimmed}: the URL must not carry a ?query or #fragment"
            ));
        }
        let segments: Vec<&str> = url
            .path_segments()
            .map(|s| s.filter(|p| !p.is_empty()).collect())
            .unwrap_or_default();
        let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
        let log_analytics_host =
            host == "api.loganalytics.io" || host == "api.loganalytics.azure.com";
        let api = match segments.as_slice() {
            ["v1", "workspaces", id] if !id.is_empty() => Api::LogAnalytics,
            [version, "security"] if matches!(*version, "v1.0" | "beta") => Api::Defender,
            _ if log_analytics_host => {
                return Err(format!(
                    "{trimmed}: a Log Analytics URL names a workspace: https://{host}/v1/workspaces/WORKSPACE-ID"
                ));
            }
            _ if host == "graph.microsoft.com" => {
                return Err(format!(
                    "{trimmed}: a Defender advanced hunting URL is https://graph.microsoft.com/v1.0/security (or /beta/security)"
                ));
            }
            [database] => {
                return Ok(Endpoint {
                    api: Api::DataExplorer,
                    database: percent_decode(database),
                    url,
                });
            }
            _ => {
                return Err(format!(
                    "{trimmed}: a Data Explorer URL is https://CLUSTER/DATABASE (one database name after the host)"
                ));
            }
        };
        Ok(Endpoint {
            api,
            url,
            database: String::new(),
        })
    }

    /// Where a query is posted.
    pub fn query_url(&self) -> String {
        match self.api {
            Api::LogAnalytics => format!("{}/query", self.base()),
            Api::Defender => format!("{}/runHuntingQuery", self.base()),
            Api::DataExplorer => format!("{}/v2/rest/query", self.origin()),
        }
    }

    /// Where a management command (`.show tables`) is posted: Data
    /// Explorer's v1 endpoint.
    pub fn management_url(&self) -> String {
        format!("{}/v1/rest/mgmt", self.origin())
    }

    /// Log Analytics' metadata endpoint (the workspace's tables).
    pub fn metadata_url(&self) -> String {
        format!("{}/metadata", self.base())
    }

    /// The resource an access token must be issued for (what
    /// `az account get-access-token --resource` is given).
    pub fn resource(&self) -> String {
        match self.api {
            Api::LogAnalytics => "https://api.loganalytics.io".into(),
            Api::Defender => "https://graph.microsoft.com".into(),
            // A cluster's tokens are for the cluster itself.
            Api::DataExplorer => self.origin(),
        }
    }

    /// The host, for messages.
    pub fn host(&self) -> &str {
        self.url.host_str().unwrap_or_default()
    }

    fn base(&self) -> String {
        self.url.as_str().trim_end_matches('/').to_string()
    }

    fn origin(&self) -> String {
        self.url.origin().ascii_serialization()
    }
}

fn percent_decode(text: &str) -> String {
    percent_encoding::percent_decode_str(text)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Endpoint {
        Endpoint::parse(text).unwrap()
    }

    #[test]
    fn the_url_says_which_api() {
        let la = parsed("https://api.loganalytics.io/v1/workspaces/0b5f-77/");
        assert_eq!(la.api, Api::LogAnalytics);
        assert_eq!(
            la.query_url(),
            "https://api.loganalytics.io/v1/workspaces/0b5f-77/query"
        );
        assert_eq!(la.resource(), "https://api.loganalytics.io");
        let la2 = parsed("https://api.loganalytics.azure.com/v1/workspaces/w");
        assert_eq!(la2.api, Api::LogAnalytics);

        let md = parsed("https://graph.microsoft.com/beta/security");
        assert_eq!(md.api, Api::Defender);
        assert_eq!(
            md.query_url(),
            "https://graph.microsoft.com/beta/security/runHuntingQuery"
        );
        assert_eq!(md.resource(), "https://graph.microsoft.com");

        let adx = parsed("https://help.kusto.windows.net/Samples");
        assert_eq!(adx.api, Api::DataExplorer);
        assert_eq!(adx.database, "Samples");
        assert_eq!(
            adx.query_url(),
            "https://help.kusto.windows.net/v2/rest/query"
        );
        assert_eq!(adx.resource(), "https://help.kusto.windows.net");
        assert_eq!(
            adx.management_url(),
            "https://help.kusto.windows.net/v1/rest/mgmt"
        );
    }

    #[test]
    fn a_local_server_is_read_by_its_path() {
        let la = parsed("http://127.0.0.1:8080/v1/workspaces/ws1");
        assert_eq!(la.api, Api::LogAnalytics);
        assert_eq!(
            la.query_url(),
            "http://127.0.0.1:8080/v1/workspaces/ws1/query"
        );
        let md = parsed("http://127.0.0.1:8080/v1.0/security");
        assert_eq!(md.api, Api::Defender);
        let adx = parsed("http://127.0.0.1:8080/My%20Db");
        assert_eq!(adx.api, Api::DataExplorer);
        assert_eq!(adx.database, "My Db");
        assert_eq!(adx.query_url(), "http://127.0.0.1:8080/v2/rest/query");
    }

    #[test]
    fn bad_urls_say_what_a_good_one_is() {
        let err = |t: &str| Endpoint::parse(t).unwrap_err();
        assert_eq!(
            err("ftp://x/y"),
            "ftp://x/y: a remote engine's URL starts with https:// (http:// only for a local test server)"
        );
        assert_eq!(
            err("https://api.loganalytics.io/v1/"),
            "https://api.loganalytics.io/v1: a Log Analytics URL names a workspace: https://api.loganalytics.io/v1/workspaces/WORKSPACE-ID"
        );
        assert_eq!(
            err("https://graph.microsoft.com/v1.0/users"),
            "https://graph.microsoft.com/v1.0/users: a Defender advanced hunting URL is https://graph.microsoft.com/v1.0/security (or /beta/security)"
        );
        assert_eq!(
            err("https://help.kusto.windows.net"),
            "https://help.kusto.windows.net: a Data Explorer URL is https://CLUSTER/DATABASE (one database name after the host)"
        );
        assert!(err("not a url").starts_with("not a url: not a URL ("));
        assert_eq!(
            err("https://c.kusto.windows.net/db?x=1"),
            "https://c.kusto.windows.net/db?x=1: the URL must not carry a ?query or #fragment"
        );
    }
}
