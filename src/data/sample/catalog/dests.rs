//! Where the sample world's processes connect: address blocks of the real
//! operators of the hosts they reach (so `RemoteIP` and `RemoteUrl` agree),
//! the servers of Contoso's network, and the destination lists of each
//! kind of process.

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

pub(super) const fn d(host: &'static str, net: Net, port: i32, weight: u32) -> Dest {
    Dest {
        host,
        net,
        port,
        udp: false,
        weight,
    }
}

pub(super) const fn udp(host: &'static str, net: Net, port: i32, weight: u32) -> Dest {
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
pub(super) const GOOGLE_NET: Net = Net([142, 250, 0, 0], 15);
pub(super) const GOOGLEAPIS: Net = Net([172, 217, 0, 0], 16);
pub(super) const MS_LOGIN: Net = Net([20, 190, 128, 0], 18);
pub(super) const EXO: Net = Net([52, 96, 0, 0], 14);
pub(super) const SPO: Net = Net([13, 107, 136, 0], 22);
pub(super) const MS_EDGE_NET: Net = Net([13, 107, 246, 0], 24);
pub(super) const MS_AFD: Net = Net([13, 107, 42, 0], 24);
pub(super) const TEAMS: Net = Net([52, 112, 0, 0], 14);
pub(super) const MS_EVENTS: Net = Net([20, 42, 64, 0], 18);
pub(super) const MS_UPDATE: Net = Net([20, 12, 0, 0], 16);
pub(super) const WDCP: Net = Net([20, 10, 0, 0], 16);
pub(super) const OFFICE_APPS: Net = Net([52, 109, 0, 0], 16);
pub(super) const AKAMAI: Net = Net([23, 32, 0, 0], 11);
pub(super) const GITHUB: Net = Net([140, 82, 112, 0], 20);
pub(super) const FASTLY: Net = Net([151, 101, 0, 0], 16);
pub(super) const CLOUDFLARE: Net = Net([104, 16, 0, 0], 13);
pub(super) const ZOOM_NET: Net = Net([170, 114, 0, 0], 16);
pub(super) const SLACK_NET: Net = Net([44, 236, 0, 0], 14);
pub(super) const SALESFORCE: Net = Net([136, 146, 0, 0], 15);
pub(super) const MOZ: Net = Net([34, 107, 192, 0], 18);
pub(super) const fn ip(a: u8, b: u8, c: u8, d: u8) -> Net {
    Net([a, b, c, d], 32)
}
pub const DC1: Net = ip(10, 10, 0, 10);
pub const DC2: Net = ip(10, 10, 0, 11);
pub const FS1: Net = ip(10, 10, 0, 20);
pub const SQL1: Net = ip(10, 10, 0, 30);
pub const WEB1: Net = ip(10, 10, 0, 40);
pub(super) const LOOPBACK: Net = ip(127, 0, 0, 1);

pub(super) const WEB: &[Dest] = &[
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

pub(super) const CHROME: &[Dest] = &[
    d("clients2.google.com", GOOGLEAPIS, 443, 8),
    d("update.googleapis.com", GOOGLEAPIS, 443, 4),
    d("optimizationguide-pa.googleapis.com", GOOGLEAPIS, 443, 3),
];
pub(super) const EDGE: &[Dest] = &[
    d("edge.microsoft.com", MS_AFD, 443, 6),
    d("nav.smartscreen.microsoft.com", MS_EVENTS, 443, 5),
    d("config.edge.skype.com", MS_AFD, 443, 3),
    d("ntp.msn.com", ip(204, 79, 197, 203), 443, 4),
];
pub(super) const FIREFOX: &[Dest] = &[
    d("firefox.settings.services.mozilla.com", MOZ, 443, 5),
    d("push.services.mozilla.com", MOZ, 443, 4),
    d("detectportal.firefox.com", MOZ, 80, 3),
];
pub(super) const TEAMS_DESTS: &[Dest] = &[
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
pub(super) const OUTLOOK_DESTS: &[Dest] = &[
    d("outlook.office365.com", EXO, 443, 20),
    d("outlook.office.com", EXO, 443, 5),
    d("substrate.office.com", EXO, 443, 5),
    d("login.microsoftonline.com", MS_LOGIN, 443, 3),
    d("officeclient.microsoft.com", OFFICE_APPS, 443, 2),
    d("ecs.office.com", MS_AFD, 443, 2),
];
pub(super) const ONEDRIVE_DESTS: &[Dest] = &[
    d("contoso-my.sharepoint.com", SPO, 443, 10),
    d("g.live.com", MS_AFD, 443, 2),
    d("oneclient.sfx.ms", MS_EDGE_NET, 443, 2),
    d("login.microsoftonline.com", MS_LOGIN, 443, 3),
];
pub(super) const ZOOM_DESTS: &[Dest] = &[
    d("zoom.us", ZOOM_NET, 443, 5),
    d("us05web.zoom.us", ZOOM_NET, 443, 3),
    udp("", ZOOM_NET, 8801, 4),
];
pub(super) const SLACK_DESTS: &[Dest] = &[
    d("slack.com", SLACK_NET, 443, 4),
    d("edgeapi.slack.com", SLACK_NET, 443, 3),
    d("wss-primary.slack.com", SLACK_NET, 443, 4),
    d("files.slack.com", SLACK_NET, 443, 2),
];
pub(super) const CODE_DESTS: &[Dest] = &[
    d("update.code.visualstudio.com", MS_EDGE_NET, 443, 3),
    d("marketplace.visualstudio.com", MS_AFD, 443, 3),
    d("api.github.com", GITHUB, 443, 4),
    d("default.exp-tas.com", MS_AFD, 443, 2),
    d("", LOOPBACK, 0, 2),
];
pub(super) const GIT_DESTS: &[Dest] = &[
    d("github.com", GITHUB, 443, 10),
    d("dev.azure.com", MS_AFD, 443, 4),
];
pub(super) const PYTHON_DESTS: &[Dest] = &[
    d("pypi.org", FASTLY, 443, 5),
    d("files.pythonhosted.org", FASTLY, 443, 8),
    d("registry.npmjs.org", CLOUDFLARE, 443, 2),
];
pub(super) const POWERSHELL_DESTS: &[Dest] = &[
    d("graph.microsoft.com", MS_LOGIN, 443, 6),
    d("login.microsoftonline.com", MS_LOGIN, 443, 3),
    d("www.powershellgallery.com", MS_AFD, 443, 2),
    d("srv-dc-01.contoso.local", DC1, 5985, 4),
];
pub(super) const DNS_DESTS: &[Dest] = &[udp("", DC1, 53, 6), udp("", DC2, 53, 4)];
pub(super) const WU_DESTS: &[Dest] = &[
    d("fe3cr.delivery.mp.microsoft.com", MS_UPDATE, 443, 5),
    d("sls.update.microsoft.com", MS_UPDATE, 443, 3),
    d("slscr.update.microsoft.com", MS_UPDATE, 443, 2),
    d("ctldl.windowsupdate.com", AKAMAI, 80, 4),
    d("settings-win.data.microsoft.com", MS_EVENTS, 443, 4),
    d("v10.events.data.microsoft.com", MS_EVENTS, 443, 4),
    d("login.live.com", MS_LOGIN, 443, 1),
];
pub(super) const DO_DESTS: &[Dest] = &[
    d("7.tlu.dl.delivery.mp.microsoft.com", AKAMAI, 80, 6),
    d("kv601.prod.do.dsp.mp.microsoft.com", MS_UPDATE, 443, 3),
    d("geo.prod.do.dsp.mp.microsoft.com", MS_UPDATE, 443, 2),
];
pub(super) const DEFENDER_DESTS: &[Dest] = &[
    d("wdcp.microsoft.com", WDCP, 443, 6),
    d("unitedstates.cp.wd.microsoft.com", WDCP, 443, 3),
    d("definitionupdates.microsoft.com", MS_EDGE_NET, 443, 3),
    d("go.microsoft.com", AKAMAI, 443, 2),
];
pub(super) const SENSE_DESTS: &[Dest] = &[
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
pub(super) const LSASS_DESTS: &[Dest] = &[
    d("", DC1, 88, 5),
    d("", DC1, 389, 5),
    d("", DC2, 88, 3),
    d("", DC2, 389, 3),
];
pub(super) const SMB_DESTS: &[Dest] = &[d("", FS1, 445, 8), d("", DC1, 445, 3)];
pub(super) const C2R_DESTS: &[Dest] = &[
    d("officecdn.microsoft.com", AKAMAI, 80, 3),
    d("mrodevicemgr.officeapps.live.com", OFFICE_APPS, 443, 2),
    d("config.officeapps.live.com", OFFICE_APPS, 443, 2),
];
pub(super) const W3WP_OUT: &[Dest] = &[d("", SQL1, 1433, 1)];
pub(super) const LISTEN_DO: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 7680, 1)];
pub(super) const IN_SMB: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 445, 1)];
pub(super) const IN_RDP: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 3389, 1)];
pub(super) const IN_SQL: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 1433, 1)];
pub(super) const IN_HTTPS: &[Dest] = &[d("", Net([0, 0, 0, 0], 32), 443, 1)];
