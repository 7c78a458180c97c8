//! Static facts of the sample world: the processes Contoso's binaries run
//! as ([`ROLES`]) and where those connect ([`Dest`]). The binaries themselves
//! are in `files` and re-exported here.

pub use super::files::{FILES, File};

/// An IPv4 block addresses are drawn from: base and prefix length.
#[derive(Clone, Copy)]
pub struct Net(pub [u8; 4], pub u8);

/// A place a process connects to (or, for inbound roles, listens on).
pub struct Dest {
    /// `RemoteUrl`; empty for bare-IP connections.
    pub host: &'static str,
    pub net: Net,
    /// Remote port; 0 means a random ephemeral port (loopback chatter).
    pub port: i32,
    pub udp: bool,
    pub weight: u32,
}

const fn d(host: &'static str, net: Net, port: i32, weight: u32) -> Dest {
    Dest {
        host,
        net,
        port,
        udp: false,
        weight,
    }
}

const fn udp(host: &'static str, net: Net, port: i32, weight: u32) -> Dest {
    Dest {
        host,
        net,
        port,
        udp: true,
        weight,
    }
}

// Address blocks of the real operators of these hosts, so RemoteIP and
// RemoteUrl agree the way they do in real data. CloudFront's blocks
// (13.224/14, 18.64/14, 54.230/16, 99.84/16, 143.204/16) are kept for the
// planted story only.
const GOOGLE_NET: Net = Net([142, 250, 0, 0], 15);
const GOOGLEAPIS: Net = Net([172, 217, 0, 0], 16);
const MS_LOGIN: Net = Net([20, 190, 128, 0], 18);
const EXO: Net = Net([52, 96, 0, 0], 14);
const SPO: Net = Net([13, 107, 136, 0], 22);
const MS_EDGE_NET: Net = Net([13, 107, 246, 0], 24);
const MS_AFD: Net = Net([13, 107, 42, 0], 24);
const TEAMS: Net = Net([52, 112, 0, 0], 14);
const MS_EVENTS: Net = Net([20, 42, 64, 0], 18);
const MS_UPDATE: Net = Net([20, 12, 0, 0], 16);
const WDCP: Net = Net([20, 10, 0, 0], 16);
const OFFICE_APPS: Net = Net([52, 109, 0, 0], 16);
const AKAMAI: Net = Net([23, 32, 0, 0], 11);
const GITHUB: Net = Net([140, 82, 112, 0], 20);
const FASTLY: Net = Net([151, 101, 0, 0], 16);
const CLOUDFLARE: Net = Net([104, 16, 0, 0], 13);
const ZOOM_NET: Net = Net([170, 114, 0, 0], 16);
const SLACK_NET: Net = Net([44, 236, 0, 0], 14);
const SALESFORCE: Net = Net([136, 146, 0, 0], 15);
const MOZ: Net = Net([34, 107, 192, 0], 18);
const fn ip(a: u8, b: u8, c: u8, d: u8) -> Net {
    Net([a, b, c, d], 32)
}
pub const DC1: Net = ip(10, 10, 0, 10);
pub const DC2: Net = ip(10, 10, 0, 11);
pub const FS1: Net = ip(10, 10, 0, 20);
pub const SQL1: Net = ip(10, 10, 0, 30);
pub const WEB1: Net = ip(10, 10, 0, 40);
const LOOPBACK: Net = ip(127, 0, 0, 1);

const WEB: &[Dest] = &[
    d("www.google.com", GOOGLE_NET, 443, 30),
    d("www.youtube.com", GOOGLE_NET, 443, 6),
    d("fonts.gstatic.com", GOOGLE_NET, 443, 8),
    d("accounts.google.com", GOOGLE_NET, 443, 3),
    d("www.bing.com", ip(204, 79, 197, 200), 443, 5),
    d("login.microsoftonline.com", MS_LOGIN, 443, 10),
    d("outlook.office365.com", EXO, 443, 8),
    d("contoso.sharepoint.com", SPO, 443, 8),
    d("contoso-my.sharepoint.com", SPO, 443, 4),
    d("www.office.com", MS_AFD, 443, 4),
    d("learn.microsoft.com", MS_AFD, 443, 3),
    d("www.linkedin.com", ip(13, 107, 42, 14), 443, 4),
    d("github.com", GITHUB, 443, 3),
    d("contoso.my.salesforce.com", SALESFORCE, 443, 5),
    d("www.wikipedia.org", ip(208, 80, 154, 224), 443, 2),
    d("en.wikipedia.org", ip(208, 80, 154, 224), 443, 2),
    d("www.nytimes.com", FASTLY, 443, 2),
    d("www.reddit.com", FASTLY, 443, 2),
    d("stackoverflow.com", CLOUDFLARE, 443, 2),
    d("www.dropbox.com", Net([162, 125, 0, 0], 16), 443, 1),
    d("zoom.us", ZOOM_NET, 443, 1),
    d("intranet.contoso.com", WEB1, 443, 6),
    d("ocsp.digicert.com", ip(192, 229, 211, 108), 80, 3),
];

const CHROME: &[Dest] = &[
    d("clients2.google.com", GOOGLEAPIS, 443, 8),
    d("update.googleapis.com", GOOGLEAPIS, 443, 4),
    d("optimizationguide-pa.googleapis.com", GOOGLEAPIS, 443, 3),
];
const EDGE: &[Dest] = &[
    d("edge.microsoft.com", MS_AFD, 443, 6),
    d("nav.smartscreen.microsoft.com", MS_EVENTS, 443, 5),
    d("config.edge.skype.com", MS_AFD, 443, 3),
    d("ntp.msn.com", ip(204, 79, 197, 203), 443, 4),
];
const FIREFOX: &[Dest] = &[
    d("firefox.settings.services.mozilla.com", MOZ, 443, 5),
    d("push.services.mozilla.com", MOZ, 443, 4),
    d("detectportal.firefox.com", MOZ, 80, 3),
];
const TEAMS_DESTS: &[Dest] = &[
    d("teams.microsoft.com", TEAMS, 443, 10),
    d("presence.teams.microsoft.com", TEAMS, 443, 4),
    d(
        "pub-ent-use-16-t.trouter.teams.microsoft.com",
        TEAMS,
        443,
        5,
    ),
    d("statics.teams.cdn.office.net", MS_EDGE_NET, 443, 3),
    d("teams.events.data.microsoft.com", MS_EVENTS, 443, 3),
    d("login.microsoftonline.com", MS_LOGIN, 443, 2),
    udp("", TEAMS, 3478, 3),
];
const OUTLOOK_DESTS: &[Dest] = &[
    d("outlook.office365.com", EXO, 443, 20),
    d("outlook.office.com", EXO, 443, 5),
    d("substrate.office.com", EXO, 443, 5),
    d("login.microsoftonline.com", MS_LOGIN, 443, 3),
    d("officeclient.microsoft.com", OFFICE_APPS, 443, 2),
    d("ecs.office.com", MS_AFD, 443, 2),
];
const ONEDRIVE_DESTS: &[Dest] = &[
    d("contoso-my.sharepoint.com", SPO, 443, 10),
    d("g.live.com", MS_AFD, 443, 2),
    d("oneclient.sfx.ms", MS_EDGE_NET, 443, 2),
    d("login.microsoftonline.com", MS_LOGIN, 443, 3),
];
const ZOOM_DESTS: &[Dest] = &[
    d("zoom.us", ZOOM_NET, 443, 5),
    d("us05web.zoom.us", ZOOM_NET, 443, 3),
    udp("", ZOOM_NET, 8801, 4),
];
const SLACK_DESTS: &[Dest] = &[
    d("slack.com", SLACK_NET, 443, 4),
    d("edgeapi.slack.com", SLACK_NET, 443, 3),
    d("wss-primary.slack.com", SLACK_NET, 443, 4),
    d("files.slack.com", SLACK_NET, 443, 2),
];
const CODE_DESTS: &[Dest] = &[
    d("update.code.visualstudio.com", MS_EDGE_NET, 443, 3),
    d("marketplace.visualstudio.com", MS_AFD, 443, 3),
    d("api.github.com", GITHUB, 443, 4),
    d("default.exp-tas.com", MS_AFD, 443, 2),
    d("", LOOPBACK, 0, 2),
];
const GIT_DESTS: &[Dest] = &[
    d("github.com", GITHUB, 443, 10),
    d("dev.azure.com", MS_AFD, 443, 4),
];
const PYTHON_DESTS: &[Dest] = &[
    d("pypi.org", FASTLY, 443, 5),
    d("files.pythonhosted.org", FASTLY, 443, 8),
    d("registry.npmjs.org", CLOUDFLARE, 443, 2),
];
const POWERSHELL_DESTS: &[Dest] = &[
    d("graph.microsoft.com", MS_LOGIN, 443, 6),
    d("login.microsoftonline.com", MS_LOGIN, 443, 3),
    d("www.powershellgallery.com", MS_AFD, 443, 2),
    d("srv-dc-01.contoso.local", DC1, 5985, 4),
];
const DNS_DESTS: &[Dest] = &[udp("", DC1, 53, 6), udp("", DC2, 53, 4)];
const WU_DESTS: &[Dest] = &[
    d("fe3cr.delivery.mp.microsoft.com", MS_UPDATE, 443, 5),
    d("sls.update.microsoft.com", MS_UPDATE, 443, 3),
    d("slscr.update.microsoft.com", MS_UPDATE, 443, 2),
    d("ctldl.windowsupdate.com", AKAMAI, 80, 4),
    d("settings-win.data.microsoft.com", MS_EVENTS, 443, 4),
    d("v10.events.data.microsoft.com", MS_EVENTS, 443, 4),
    d("login.live.com", MS_LOGIN, 443, 1),
];
const DO_DESTS: &[Dest] = &[
    d("7.tlu.dl.delivery.mp.microsoft.com", AKAMAI, 80, 6),
    d("kv601.prod.do.dsp.mp.microsoft.com", MS_UPDATE, 443, 3),
    d("geo.prod.do.dsp.mp.microsoft.com", MS_UPDATE, 443, 2),
];
const DEFENDER_DESTS: &[Dest] = &[
    d("wdcp.microsoft.com", WDCP, 443, 6),
    d("unitedstates.cp.wd.microsoft.com", WDCP, 443, 3),
    d("definitionupdates.microsoft.com", MS_EDGE_NET, 443, 3),
    d("go.microsoft.com", AKAMAI, 443, 2),
];
const SENSE_DESTS: &[Dest] = &[
    d("winatp-gw-eus.microsoft.com", MS_EVENTS, 443, 8),
    d("us-v20.events.data.microsoft.com", MS_EVENTS, 443, 6),
    d(
        "winatp-gw-cus.microsoft.com",
        Net([20, 40, 0, 0], 16),
        443,
        3,
    ),
    d(
        "automatedirstrprdeus.blob.core.windows.net",
        Net([20, 150, 0, 0], 16),
        443,
        1,
    ),
];
const LSASS_DESTS: &[Dest] = &[
    d("", DC1, 88, 5),
    d("", DC1, 389, 5),
    d("", DC2, 88, 3),
    d("", DC2, 389, 3),
];
const SMB_DESTS: &[Dest] = &[d("", FS1, 445, 8), d("", DC1, 445, 3)];
const C2R_DESTS: &[Dest] = &[
    d("officecdn.microsoft.com", AKAMAI, 80, 3),
    d("mrodevicemgr.officeapps.live.com", OFFICE_APPS, 443, 2),
    d("config.officeapps.live.com", OFFICE_APPS, 443, 2),
];
const W3WP_OUT: &[Dest] = &[d("", SQL1, 1433, 1)];
const LISTEN_DO: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 7680, 1)];
const IN_SMB: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 445, 1)];
const IN_RDP: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 3389, 1)];
const IN_SQL: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 1433, 1)];
const IN_HTTPS: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 443, 1)];

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
