//! The processes Contoso's binaries run as ([`ROLES`]): as whom, started
//! by what, with which command line, how often, and where they connect.

use super::dests::*;

/// Who a process runs as.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Acct {
    /// The device's interactive user.
    User,
    System,
    NetworkService,
    /// NT SERVICE\MSSQLSERVER.
    SqlService,
    /// IIS APPPOOL\Intranet.
    AppPool,
}

/// Where and how often a role shows up in ordinary traffic.
#[derive(Clone, Copy)]
pub enum Kind {
    /// A user application on workstations, optionally only in some
    /// departments.
    App {
        weight: u32,
        depts: &'static [&'static str],
    },
    /// A service on every device (or only workstations, or one device).
    Service { weight: u32, on: On },
    /// Accepts inbound connections on the listed servers.
    Inbound {
        weight: u32,
        on: &'static [&'static str],
    },
    /// Creates listening sockets.
    Listen,
    /// Only ever a parent process (or a planted one): no ordinary traffic.
    Quiet,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum On {
    All,
    Workstations,
    Device(&'static str),
}

/// A process as it runs: which file, as whom, started by what, with which
/// command line, and where it connects.
pub struct Role {
    pub key: &'static str,
    pub file: &'static str,
    pub account: Acct,
    pub integrity: &'static str,
    pub elevation: &'static str,
    /// The parent role's key, or a bare file name for parents not modelled.
    pub parent: &'static str,
    /// `{path}` is the image path, `{user}` the account, `{n}`/`{m}` numbers.
    pub cmd: &'static str,
    pub kind: Kind,
    pub dests: &'static [&'static [Dest]],
}

const LIMITED: &str = "TokenElevationTypeLimited";
const DEFAULT: &str = "TokenElevationTypeDefault";
const FULL: &str = "TokenElevationTypeFull";

const fn app(
    key: &'static str,
    file: &'static str,
    parent: &'static str,
    cmd: &'static str,
    weight: u32,
    depts: &'static [&'static str],
    dests: &'static [&'static [Dest]],
) -> Role {
    Role {
        key,
        file,
        account: Acct::User,
        integrity: "Medium",
        elevation: LIMITED,
        parent,
        cmd,
        kind: Kind::App { weight, depts },
        dests,
    }
}

const fn svc(
    key: &'static str,
    file: &'static str,
    account: Acct,
    parent: &'static str,
    cmd: &'static str,
    kind: Kind,
    dests: &'static [&'static [Dest]],
) -> Role {
    Role {
        key,
        file,
        account,
        integrity: "System",
        elevation: DEFAULT,
        parent,
        cmd,
        kind,
        dests,
    }
}

const ENG: &[&str] = &["eng"];
const ALL: &[&str] = &[];

/// Every process role. Planted roles (kind `Quiet`, after the marker) never
/// appear in ordinary traffic.
pub const ROLES: &[Role] = &[
    // Parents.
    Role {
        key: "explorer",
        file: "explorer",
        account: Acct::User,
        integrity: "Medium",
        elevation: LIMITED,
        parent: "userinit.exe",
        cmd: r"C:\Windows\Explorer.EXE",
        kind: Kind::Quiet,
        dests: &[],
    },
    svc(
        "services",
        "services",
        Acct::System,
        "wininit.exe",
        r"C:\Windows\system32\services.exe",
        Kind::Quiet,
        &[],
    ),
    svc(
        "schedule",
        "svchost",
        Acct::System,
        "services",
        r"C:\Windows\system32\svchost.exe -k netsvcs -p -s Schedule",
        Kind::Quiet,
        &[],
    ),
    app(
        "chrome-main",
        "chrome",
        "explorer",
        r#""{path}" "#,
        0,
        ALL,
        &[],
    ),
    app(
        "msedge-main",
        "msedge",
        "explorer",
        r#""{path}" --profile-directory=Default"#,
        0,
        ALL,
        &[],
    ),
    app(
        "git",
        "git",
        "code",
        "git fetch --prune origin",
        0,
        ENG,
        &[],
    ),
    svc(
        "mpcmdrun",
        "mpcmdrun",
        Acct::System,
        "schedule",
        r#""{path}" -SignatureUpdate -MMPC"#,
        Kind::Quiet,
        &[],
    ),
    // User applications.
    app(
        "chrome",
        "chrome",
        "chrome-main",
        r#""{path}" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --mojo-platform-channel-handle={n} --field-trial-handle={m},i,8214506621094873425,17349911054623360862,262144 /prefetch:11"#,
        30,
        ALL,
        &[WEB, CHROME],
    ),
    app(
        "msedge",
        "msedge",
        "msedge-main",
        r#""{path}" --type=utility --utility-sub-type=network.mojom.NetworkService --lang=en-US --service-sandbox-type=none --field-trial-handle={m},i,3327711934120046213,9180245573012855377,262144 --variations-seed-version --mojo-platform-channel-handle={n} /prefetch:11"#,
        16,
        ALL,
        &[WEB, EDGE],
    ),
    app(
        "firefox",
        "firefox",
        "explorer",
        r#""{path}" "#,
        4,
        ALL,
        &[WEB, FIREFOX],
    ),
    app(
        "teams",
        "teams",
        "explorer",
        r#""{path}" msteams:system-initiated"#,
        14,
        ALL,
        &[TEAMS_DESTS],
    ),
    app(
        "outlook",
        "outlook",
        "explorer",
        r#""{path}" "#,
        14,
        ALL,
        &[OUTLOOK_DESTS],
    ),
    app(
        "onedrive",
        "onedrive",
        "explorer",
        r#""{path}" /background"#,
        8,
        ALL,
        &[ONEDRIVE_DESTS],
    ),
    app(
        "zoom",
        "zoom",
        "explorer",
        r#""{path}" --action=preload"#,
        4,
        &["sales", "mkt", "hr", "legal"],
        &[ZOOM_DESTS],
    ),
    app(
        "slack",
        "slack",
        "explorer",
        r#""{path}" --process-start-args --startup"#,
        6,
        &["eng", "mkt", "it"],
        &[SLACK_DESTS],
    ),
    app(
        "code",
        "code",
        "explorer",
        r#""{path}" "#,
        8,
        ENG,
        &[CODE_DESTS],
    ),
    app(
        "git-remote-https",
        "git-remote-https",
        "git",
        "git-remote-https origin https://github.com/contoso/{repo}.git",
        6,
        ENG,
        &[GIT_DESTS],
    ),
    app(
        "python",
        "python",
        "code",
        r"python.exe -m pip install --upgrade -r requirements.txt",
        3,
        ENG,
        &[PYTHON_DESTS],
    ),
    Role {
        key: "powershell",
        file: "powershell",
        account: Acct::User,
        integrity: "High",
        elevation: FULL,
        parent: "explorer",
        cmd: r#""{path}" -NoProfile -ExecutionPolicy Bypass -File \\srv-fs-01\it$\scripts\Get-LicenseReport.ps1"#,
        kind: Kind::App {
            weight: 6,
            depts: &["it"],
        },
        dests: &[POWERSHELL_DESTS],
    },
    // Services.
    svc(
        "dnscache",
        "svchost",
        Acct::NetworkService,
        "services",
        r"C:\Windows\system32\svchost.exe -k NetworkService -p -s Dnscache",
        Kind::Service {
            weight: 10,
            on: On::All,
        },
        &[DNS_DESTS],
    ),
    svc(
        "wuauserv",
        "svchost",
        Acct::System,
        "services",
        r"C:\Windows\system32\svchost.exe -k netsvcs -p -s wuauserv",
        Kind::Service {
            weight: 6,
            on: On::All,
        },
        &[WU_DESTS],
    ),
    svc(
        "dosvc",
        "svchost",
        Acct::NetworkService,
        "services",
        r"C:\Windows\System32\svchost.exe -k NetworkService -p -s DoSvc",
        Kind::Service {
            weight: 3,
            on: On::Workstations,
        },
        &[DO_DESTS],
    ),
    svc(
        "msmpeng",
        "msmpeng",
        Acct::System,
        "services",
        r#""{path}""#,
        Kind::Service {
            weight: 6,
            on: On::All,
        },
        &[DEFENDER_DESTS],
    ),
    svc(
        "mssense",
        "mssense",
        Acct::System,
        "services",
        r#""{path}""#,
        Kind::Service {
            weight: 8,
            on: On::All,
        },
        &[SENSE_DESTS],
    ),
    svc(
        "lsass",
        "lsass",
        Acct::System,
        "wininit.exe",
        r"C:\Windows\system32\lsass.exe",
        Kind::Service {
            weight: 7,
            on: On::All,
        },
        &[LSASS_DESTS],
    ),
    svc(
        "system",
        "system",
        Acct::System,
        "",
        "",
        Kind::Service {
            weight: 5,
            on: On::Workstations,
        },
        &[SMB_DESTS],
    ),
    svc(
        "clicktorun",
        "clicktorun",
        Acct::System,
        "services",
        r#""{path}" /service"#,
        Kind::Service {
            weight: 2,
            on: On::Workstations,
        },
        &[C2R_DESTS],
    ),
    Role {
        key: "w3wp",
        file: "w3wp",
        account: Acct::AppPool,
        integrity: "High",
        elevation: DEFAULT,
        parent: "svchost.exe",
        cmd: r#"c:\windows\system32\inetsrv\w3wp.exe -ap "Intranet" -v "v4.0" -l "webengine4.dll" -a \\.\pipe\iisipm5d1e2c8f -h "C:\inetpub\temp\apppools\Intranet\Intranet.config" -w "" -m 0"#,
        kind: Kind::Service {
            weight: 2,
            on: On::Device("srv-web-01.contoso.local"),
        },
        dests: &[W3WP_OUT],
    },
    svc(
        "dosvc-listen",
        "svchost",
        Acct::NetworkService,
        "services",
        r"C:\Windows\System32\svchost.exe -k NetworkService -p -s DoSvc",
        Kind::Listen,
        &[LISTEN_DO],
    ),
    svc(
        "system-in",
        "system",
        Acct::System,
        "",
        "",
        Kind::Inbound {
            weight: 6,
            on: &[
                "srv-fs-01.contoso.local",
                "srv-dc-01.contoso.local",
                "srv-dc-02.contoso.local",
            ],
        },
        &[IN_SMB],
    ),
    svc(
        "termservice",
        "svchost",
        Acct::NetworkService,
        "services",
        r"C:\Windows\System32\svchost.exe -k NetworkService -s TermService",
        Kind::Inbound {
            weight: 2,
            on: &["srv-jump-01.contoso.local"],
        },
        &[IN_RDP],
    ),
    Role {
        key: "sqlservr",
        file: "sqlservr",
        account: Acct::SqlService,
        integrity: "System",
        elevation: DEFAULT,
        parent: "services",
        cmd: r#""{path}" -sMSSQLSERVER"#,
        kind: Kind::Inbound {
            weight: 2,
            on: &["srv-sql-01.contoso.local"],
        },
        dests: &[IN_SQL],
    },
    Role {
        key: "w3wp-in",
        file: "w3wp",
        account: Acct::AppPool,
        integrity: "High",
        elevation: DEFAULT,
        parent: "svchost.exe",
        cmd: r#"c:\windows\system32\inetsrv\w3wp.exe -ap "Intranet" -v "v4.0" -l "webengine4.dll" -a \\.\pipe\iisipm5d1e2c8f -h "C:\inetpub\temp\apppools\Intranet\Intranet.config" -w "" -m 0"#,
        kind: Kind::Inbound {
            weight: 3,
            on: &["srv-web-01.contoso.local"],
        },
        dests: &[IN_HTTPS],
    },
    // ---- planted ----
    Role {
        key: "fastpdf",
        file: "fastpdf",
        account: Acct::User,
        integrity: "Medium",
        elevation: LIMITED,
        parent: "outlook",
        cmd: r#""{path}" /silent /check-update"#,
        kind: Kind::Quiet,
        dests: &[],
    },
    Role {
        key: "brightline",
        file: "brightline",
        account: Acct::User,
        integrity: "Medium",
        elevation: LIMITED,
        parent: "explorer",
        cmd: r#""{path}" --autostart"#,
        kind: Kind::Quiet,
        dests: &[],
    },
    svc(
        "netsvc",
        "netsvc",
        Acct::System,
        "services",
        r#""{path}" -service"#,
        Kind::Quiet,
        &[],
    ),
    Role {
        key: "winupd64",
        file: "winupd64",
        account: Acct::User,
        integrity: "Medium",
        elevation: LIMITED,
        parent: "explorer",
        cmd: r#""{path}" -k 7f3a"#,
        kind: Kind::Quiet,
        dests: &[],
    },
    Role {
        key: "cloudsync",
        file: "cloudsync",
        account: Acct::User,
        integrity: "Medium",
        elevation: LIMITED,
        parent: "explorer",
        cmd: r#""{path}" /sync"#,
        kind: Kind::Quiet,
        dests: &[],
    },
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_ordinary_host_is_cloudfront() {
        for r in ROLES {
            for list in r.dests {
                for dest in *list {
                    assert!(!dest.host.contains("cloudfront"), "{}", dest.host);
                }
            }
        }
    }
}
