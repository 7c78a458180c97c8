//! Static facts of the sample world: the processes Contoso's binaries run
//! as ([`ROLES`]) and where those connect ([`Dest`]). The binaries themselves
//! are in `files` and re-exported here.
//!
//! The parts: `dests` (address blocks and destination lists), `roles`
//! (the process roles); this file holds the lookups by key and the short
//! lists command lines draw from.

pub use super::files::{FILES, File};

mod dests;
mod roles;

pub use dests::{Dest, Net};
pub use roles::{Acct, Kind, On, ROLES, Role};

/// The file with this key (keys are internal constants: a miss is a bug).
pub fn file(key: &str) -> &'static File {
    FILES
        .iter()
        .find(|f| f.key == key)
        .unwrap_or_else(|| panic!("no file {key}"))
}

/// The role with this key, if it is modelled.
pub fn role(key: &str) -> Option<&'static Role> {
    ROLES.iter().find(|r| r.key == key)
}

/// Index of a file in [`FILES`].
pub fn file_index(key: &str) -> usize {
    FILES
        .iter()
        .position(|f| f.key == key)
        .unwrap_or_else(|| panic!("no file {key}"))
}

/// Repository names for git command lines.
pub const REPOS: &[&str] = &[
    "billing-api",
    "web-portal",
    "data-pipeline",
    "infra",
    "mobile-app",
    "auth-service",
];

/// DNS names Dnscache resolves (for `DnsConnectionInspected` events).
pub const DNS_QUERIES: &[&str] = &[
    "outlook.office365.com",
    "login.microsoftonline.com",
    "www.google.com",
    "teams.microsoft.com",
    "contoso.sharepoint.com",
    "srv-fs-01.contoso.local",
    "srv-dc-01.contoso.local",
    "_ldap._tcp.dc._msdcs.contoso.local",
    "wpad.contoso.local",
    "settings-win.data.microsoft.com",
    "winatp-gw-eus.microsoft.com",
    "github.com",
    "intranet.contoso.com",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_unique_and_references_resolve() {
        for (i, f) in FILES.iter().enumerate() {
            assert!(FILES[..i].iter().all(|g| g.key != f.key), "file {}", f.key);
            assert!(!f.versions.is_empty());
        }
        for (i, r) in ROLES.iter().enumerate() {
            assert!(ROLES[..i].iter().all(|g| g.key != r.key), "role {}", r.key);
            file(r.file);
            assert!(
                r.parent.is_empty() || role(r.parent).is_some() || r.parent.ends_with(".exe"),
                "{}",
                r.parent
            );
        }
    }
}
