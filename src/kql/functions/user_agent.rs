//! `parse_user_agent(user_agent, look_for)`: the browser, operating system
//! and device a user-agent string names, as the bag Kusto returns
//! (parse-user-agent-function.md):
//!
//! ```text
//! {"Browser":         {"Family", "MajorVersion", "MinorVersion", "Patch"},
//!  "OperatingSystem": {"Family", "MajorVersion", "MinorVersion", "Patch", "PatchMinor"},
//!  "Device":          {"Family", "Brand", "Model"}}
//! ```
//!
//! Kusto matches against ua-parser's regexes.yaml (uap-core): thousands of
//! patterns, tried in order, the first match winning, with replacements
//! for the family and versions. No crate on crates.io bundles that data
//! (`ua-parser` and `uaparser` implement the matching but want the YAML
//! file at run time; `fast_uaparser` downloads it while building), so this
//! is a focused rule list of the same kind and the same names, written for
//! what hunters meet in sign-in and proxy logs:
//!
//! - browsers: Chrome, Chrome Mobile, Chrome Mobile iOS, Chrome Mobile
//!   WebView, Chromium, Edge, Edge Mobile, Firefox, Firefox Mobile, Firefox
//!   iOS, Safari, Mobile Safari, Mobile Safari UI/WKWebView, Opera, Opera
//!   Mini, Samsung Internet, Yandex Browser, Vivaldi, IE (MSIE and Trident),
//!   AdobeAIR, Nokia OSS Browser, Nokia Browser, a few others named by
//!   themselves (SeaMonkey, Konqueror, Lynx, ...), crawlers that name
//!   themselves (Googlebot, bingbot, ...), and tools: curl, Wget,
//!   WindowsPowerShell, Python Requests, Go-http-client, okhttp, axios,
//!   Apache-HttpClient, PostmanRuntime, Python-urllib, libwww-perl, PycURL;
//! - systems: Windows (XP to 10/11, which user agents both call NT 10.0;
//!   RT), Windows Phone, Mac OS X, iOS, Android, Chrome OS, Symbian OS,
//!   Ubuntu, Linux;
//! - devices: iPhone, iPad, iPod, Mac (brand Apple), Samsung phones by
//!   model number, Google Pixel, Nokia, other Android devices by the model
//!   in the agent (brand Generic_Android), crawlers (Spider).
//!
//! Anything else is family "Other" with empty versions, as uap-core says
//! of an agent it does not know.

use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use regex::{Regex, RegexSet};
use serde_json::{Map, Value as Json};

use super::convert::expect_string;
use super::{Call, ScalarFunction};
use crate::data::types::KqlType;
use crate::kql::error::QueryError;
use crate::kql::value::{Scalar, Val};

/// The user-agent functions, as `functions::lookup` finds them.
pub const FUNCTIONS: &[ScalarFunction] = &[ScalarFunction {
    name: "parse_user_agent",
    min_args: 2,
    max_args: 2,
    eval: parse_user_agent,
}];

/// One pattern and what it sets: field `i` is replacement `set[i]` when
/// given (`$1`.. name the pattern's groups), else the field's default.
struct Rule {
    pattern: &'static str,
    set: &'static [(usize, &'static str)],
}

const fn rule(pattern: &'static str, set: &'static [(usize, &'static str)]) -> Rule {
    Rule { pattern, set }
}

/// Browsers: Family, MajorVersion, MinorVersion, Patch; by default
/// groups 1 to 4. More specific agents come first: Edge and Opera carry
/// `Chrome/` too, and Chrome carries `Safari/`.
const BROWSERS: &[Rule] = &[
    rule(
        r"(Googlebot|bingbot|YandexBot|Baiduspider|DuckDuckBot|Applebot)/(\d+)\.(\d+)",
        &[],
    ),
    rule(r"(FxiOS)/(\d+)\.(\d+)(?:\.(\d+))?", &[(0, "Firefox iOS")]),
    rule(r"(OPR)/(\d+)\.(\d+)(?:\.(\d+))?", &[(0, "Opera")]),
    rule(
        r"Windows Phone .{0,200}(Edge)/(\d+)\.(\d+)",
        &[(0, "Edge Mobile")],
    ),
    rule(
        r"(EdgiOS|EdgA)/(\d+)(?:\.(\d+))?(?:\.(\d+))?",
        &[(0, "Edge Mobile")],
    ),
    rule(r"(SamsungBrowser)/(\d+)\.(\d+)", &[(0, "Samsung Internet")]),
    rule(
        r"(YaBrowser)/(\d+)\.(\d+)(?:\.(\d+))?",
        &[(0, "Yandex Browser")],
    ),
    rule(
        r"Version/.{1,300}(Chrome)/(\d+)\.(\d+)\.(\d+)\.\d+",
        &[(0, "Chrome Mobile WebView")],
    ),
    rule(
        r"; wv\).{1,300}(Chrome)/(\d+)\.(\d+)\.(\d+)\.\d+",
        &[(0, "Chrome Mobile WebView")],
    ),
    rule(
        r"(CriOS)/(\d+)(?:\.(\d+))?(?:\.(\d+))?",
        &[(0, "Chrome Mobile iOS")],
    ),
    rule(
        r"(Chrome)/(\d+)\.(\d+)\.(\d+)\.\d+ Mobile(?:[ /]|$)",
        &[(0, "Chrome Mobile")],
    ),
    rule(
        r" Mobile .{1,300}(Chrome)/(\d+)\.(\d+)\.(\d+)\.\d+",
        &[(0, "Chrome Mobile")],
    ),
    rule(r"(Edge?)/(\d+)(?:\.(\d+))?(?:\.(\d+))?", &[(0, "Edge")]),
    rule(r"(Vivaldi)/(\d+)\.(\d+)(?:\.(\d+))?", &[]),
    rule(
        r"(AdobeAIR|Opera Mini|Opera|SeaMonkey|Iceweasel|Konqueror|Lynx|Maxthon|Midori|Epiphany|qutebrowser)/(\d+)\.(\d+)(?:\.(\d+))?",
        &[],
    ),
    rule(r"(Chromium|Chrome)/(\d+)\.(\d+)(?:\.(\d+))?", &[]),
    rule(
        r"(?:Mobile|Tablet);.{0,200}(Firefox)/(\d+)\.(\d+)",
        &[(0, "Firefox Mobile")],
    ),
    rule(r"(Firefox)/(\d+)\.(\d+)(?:\.(\d+))?", &[]),
    rule(
        r"(iPod|iPhone|iPad).{1,200}Version/(\d+)\.(\d+)(?:\.(\d+))?.{1,200}[ +]Safari",
        &[(0, "Mobile Safari")],
    ),
    rule(
        r"(iPod|iPhone|iPad).{1,200}Version/(\d+)\.(\d+)(?:\.(\d+))?",
        &[(0, "Mobile Safari UI/WKWebView")],
    ),
    rule(
        r"(iPod|iPhone|iPad).{0,200} Safari",
        &[(0, "Mobile Safari")],
    ),
    rule(r"(iPod|iPhone|iPad)", &[(0, "Mobile Safari UI/WKWebView")]),
    rule(
        r"(Series60)/5\.0",
        &[(0, "Nokia Browser"), (1, "7"), (2, "0")],
    ),
    rule(r"(Series60)/(\d+)\.(\d+)", &[(0, "Nokia OSS Browser")]),
    rule(
        r"(Version)/(\d+)\.(\d+)(?:\.(\d+))?.{0,100}Safari/",
        &[(0, "Safari")],
    ),
    rule(r"(Trident)/(7|8)\.(0)", &[(0, "IE"), (1, "11")]),
    rule(r"(Trident)/(6)\.(0)", &[(0, "IE"), (1, "10")]),
    rule(r"(Trident)/(5)\.(0)", &[(0, "IE"), (1, "9")]),
    rule(r"(Trident)/(4)\.(0)", &[(0, "IE"), (1, "8")]),
    rule(r"([MS]?IE) (\d+)\.(\d+)", &[(0, "IE")]),
    rule(r"(python-requests)/(\d+)\.(\d+)", &[(0, "Python Requests")]),
    rule(
        r"\b(WindowsPowerShell|curl|Wget|libwww-perl|PycURL|axios)(?:[ /](\d+)(?:\.(\d+))?(?:\.(\d+))?)?",
        &[],
    ),
    rule(
        r"(Go-http-client|okhttp|Apache-HttpClient|PostmanRuntime|Python-urllib)(?:[ /](\d+)(?:\.(\d+))?(?:\.(\d+))?)?",
        &[],
    ),
];

/// Operating systems: Family, MajorVersion, MinorVersion, Patch,
/// PatchMinor; by default groups 1 to 5.
const SYSTEMS: &[Rule] = &[
    rule(r"(Windows Phone) (\d+)\.(\d+)", &[]),
    rule(r"(Windows NT 6\.2; ARM;)", &[(0, "Windows"), (1, "RT")]),
    rule(
        r"(Windows NT 6\.3; ARM;)",
        &[(0, "Windows"), (1, "RT 8"), (2, "1")],
    ),
    rule(
        r"(Windows NT 10\.0|Windows 10)",
        &[(0, "Windows"), (1, "10")],
    ),
    rule(r"(Windows NT 6\.3)", &[(0, "Windows"), (1, "8"), (2, "1")]),
    rule(r"(Windows NT 6\.2)", &[(0, "Windows"), (1, "8")]),
    rule(r"(Windows NT 6\.1)", &[(0, "Windows"), (1, "7")]),
    rule(r"(Windows NT 6\.0)", &[(0, "Windows"), (1, "Vista")]),
    rule(
        r"(Windows NT 5\.[12]|Windows XP)",
        &[(0, "Windows"), (1, "XP")],
    ),
    rule(r"(Windows NT 5\.0)", &[(0, "Windows"), (1, "2000")]),
    rule(
        r"(CrOS) [a-z0-9_]+ (\d+)\.(\d+)(?:\.(\d+))?",
        &[(0, "Chrome OS")],
    ),
    rule(
        r"(CPU[ +]OS|iPhone[ +]OS|CPU[ +]iPhone(?:[ +]OS)?|CPU iPad OS)[ +]+(\d+)[_.](\d+)(?:[_.](\d+))?",
        &[(0, "iOS")],
    ),
    rule(
        r"(iPhone|iPad|iPod).{0,100}Mac OS X.{0,100}Version/(\d+)\.(\d+)",
        &[(0, "iOS")],
    ),
    rule(
        r"(Mac OS X)[ /](\d+)[_.](\d+)(?:[_.](\d+))?",
        &[(0, "Mac OS X")],
    ),
    rule(r"(Mac OS X|Macintosh)", &[(0, "Mac OS X")]),
    rule(r"(Android)[ \-/](\d+)(?:\.(\d+))?(?:\.(\d+))?", &[]),
    rule(r"(Android)", &[]),
    rule(r"(SymbianOS)/(\d+)\.(\d+)", &[(0, "Symbian OS")]),
    rule(r"(Ubuntu)(?:[ /](\d+)\.(\d+))?", &[]),
    rule(r"(Linux)(?:[ /](\d+)\.(\d+)(?:\.(\d+))?)?", &[]),
];

/// Devices: Family, Brand, Model; by default group 1, "" and group 1.
const DEVICES: &[Rule] = &[
    rule(
        r"(?i)(?:bot|crawler|spider|slurp)(?:[/ ;)]|$)",
        &[(0, "Spider"), (1, "Spider"), (2, "Desktop")],
    ),
    rule(
        r"Nokia(N[0-9]+)([A-Za-z_\-][A-Za-z0-9_\-]*)",
        &[(0, "Nokia $1"), (1, "Nokia"), (2, "$1$2")],
    ),
    rule(
        r"Nokia ?([A-Za-z0-9]+)",
        &[(0, "Nokia $1"), (1, "Nokia"), (2, "$1")],
    ),
    rule(r"\b(iPad)\b", &[(1, "Apple")]),
    rule(r"\b(iPod)\b", &[(1, "Apple")]),
    rule(r"\b(iPhone)\b", &[(1, "Apple")]),
    rule(r"(Macintosh)", &[(0, "Mac"), (1, "Apple"), (2, "Mac")]),
    rule(
        r"; *((?:SM|GT)-[A-Za-z0-9]+)",
        &[(0, "Samsung $1"), (1, "Samsung")],
    ),
    rule(
        r"; *(Pixel(?: [A-Za-z0-9]+)*)(?: Build|\))",
        &[(1, "Google")],
    ),
    rule(
        r"Android \d+(?:\.\d+)*; *([^;)]{1,100}?)(?: Build[/ ][^;)]*)?\)",
        &[(1, "Generic_Android")],
    ),
];

/// A rule list compiled: one set to find the first matching rule, and
/// each rule's own regex for its groups.
struct Matcher {
    rules: &'static [Rule],
    set: RegexSet,
    regexes: Vec<Regex>,
    fields: &'static [&'static str],
    /// The group a field takes when its rule sets nothing (0: none).
    defaults: &'static [usize],
}

impl Matcher {
    fn new(
        rules: &'static [Rule],
        fields: &'static [&'static str],
        defaults: &'static [usize],
    ) -> Matcher {
        let patterns: Vec<&str> = rules.iter().map(|r| r.pattern).collect();
        // The patterns are this file's own; a test compiles every one.
        let set = RegexSet::new(&patterns).expect("user-agent patterns compile");
        let regexes = patterns
            .iter()
            .map(|p| Regex::new(p).expect("user-agent pattern compiles"))
            .collect();
        Matcher {
            rules,
            set,
            regexes,
            fields,
            defaults,
        }
    }

    /// The fields of the first rule that matches `agent`, or "Other".
    fn parse(&self, agent: &str) -> Json {
        let mut bag = Map::new();
        let first = self.set.matches(agent).iter().next();
        let caps = first.and_then(|i| self.regexes[i].captures(agent).map(|c| (i, c)));
        for (f, field) in self.fields.iter().enumerate() {
            let value = match &caps {
                None if f == 0 => "Other".to_string(),
                None => String::new(),
                Some((i, caps)) => {
                    let group = |n: usize| caps.get(n).map_or("", |m| m.as_str());
                    match self.rules[*i].set.iter().find(|(k, _)| *k == f) {
                        Some((_, text)) => substitute(text, &group),
                        None if self.defaults[f] == 0 => String::new(),
                        None => group(self.defaults[f]).to_string(),
                    }
                }
            };
            bag.insert((*field).to_string(), Json::String(value.trim().to_string()));
        }
        Json::Object(bag)
    }
}

/// `text` with `$1`..`$9` replaced by the groups.
fn substitute<'a>(text: &str, group: &dyn Fn(usize) -> &'a str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, chars.peek().and_then(|d| d.to_digit(10))) {
            ('$', Some(n)) => {
                chars.next();
                out.push_str(group(n as usize));
            }
            _ => out.push(c),
        }
    }
    out
}

static BROWSER: LazyLock<Matcher> = LazyLock::new(|| {
    Matcher::new(
        BROWSERS,
        &["Family", "MajorVersion", "MinorVersion", "Patch"],
        &[1, 2, 3, 4],
    )
});

static SYSTEM: LazyLock<Matcher> = LazyLock::new(|| {
    Matcher::new(
        SYSTEMS,
        &[
            "Family",
            "MajorVersion",
            "MinorVersion",
            "Patch",
            "PatchMinor",
        ],
        &[1, 2, 3, 4, 5],
    )
});

static DEVICE: LazyLock<Matcher> =
    LazyLock::new(|| Matcher::new(DEVICES, &["Family", "Brand", "Model"], &[1, 0, 1]));

/// What `look_for` asks for, in the order Kusto writes the bag.
#[derive(Default, Clone, Copy, PartialEq, Eq, Hash)]
struct Targets {
    browser: bool,
    os: bool,
    device: bool,
}

impl Targets {
    /// Reads `"browser"`, `"os"`, `"device"` or an array of them.
    fn read(look_for: &Scalar) -> Result<Targets, String> {
        let mut t = Targets::default();
        let mut add = |name: &str| -> Result<(), String> {
            match name.to_ascii_lowercase().as_str() {
                "browser" => t.browser = true,
                "os" => t.os = true,
                "device" => t.device = true,
                _ => {
                    return Err(format!(
                        "parse_user_agent() looks for \"browser\", \"os\" or \"device\", not '{name}'"
                    ));
                }
            }
            Ok(())
        };
        match look_for {
            Scalar::String(s) => add(s)?,
            Scalar::Dynamic(Json::String(s)) => add(s)?,
            Scalar::Dynamic(Json::Array(items)) if !items.is_empty() => {
                for item in items {
                    match item {
                        Json::String(s) => add(s)?,
                        other => {
                            return Err(format!(
                                "parse_user_agent() looks for \"browser\", \"os\" or \"device\", not {other}"
                            ));
                        }
                    }
                }
            }
            other => {
                return Err(format!(
                    "parse_user_agent() looks for \"browser\", \"os\", \"device\" or an array of them, not {}",
                    other.to_text()
                ));
            }
        }
        Ok(t)
    }
}

/// The bag for one agent.
fn parse_agent(agent: &str, t: Targets) -> Json {
    let mut bag = Map::new();
    if t.browser {
        bag.insert("Browser".into(), BROWSER.parse(agent));
    }
    if t.os {
        bag.insert("OperatingSystem".into(), SYSTEM.parse(agent));
    }
    if t.device {
        bag.insert("Device".into(), DEVICE.parse(agent));
    }
    Json::Object(bag)
}

/// Distinct agents remembered per call: a log repeats a few hundred
/// agents over millions of rows, and each parse tries dozens of patterns.
const CACHE_LIMIT: usize = 1 << 16;

fn parse_user_agent(call: &Call) -> Result<Val, QueryError> {
    expect_string(call, 0)?;
    let span = call.arg_span(1);
    let cache: Mutex<HashMap<(String, Targets), Json>> = Mutex::new(HashMap::new());
    call.rowwise(KqlType::Dynamic, |a| {
        let targets =
            Targets::read(&a[1]).map_err(|message| QueryError::type_error(message, span))?;
        let agent = a[0].to_text();
        let key = (agent.into_owned(), targets);
        // A poisoned lock only means another block panicked; the map is
        // still whole, and the result is recomputed if missing.
        let known = cache
            .lock()
            .map(|c| c.get(&key).cloned())
            .unwrap_or_default();
        let bag = match known {
            Some(bag) => bag,
            None => {
                let bag = parse_agent(&key.0, targets);
                if let Ok(mut c) = cache.lock()
                    && c.len() < CACHE_LIMIT
                {
                    c.insert(key, bag.clone());
                }
                bag
            }
        };
        Ok(Scalar::Dynamic(bag))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Targets = Targets {
        browser: true,
        os: true,
        device: true,
    };

    /// Browser, OS and device as "Family Major.Minor.Patch" strings.
    fn summary(agent: &str) -> [String; 3] {
        let bag = parse_agent(agent, ALL);
        let part = |key: &str, fields: &[&str]| {
            let obj = &bag[key];
            let family = obj["Family"].as_str().unwrap_or("?").to_string();
            let rest: Vec<&str> = fields
                .iter()
                .map(|f| obj[*f].as_str().unwrap_or("?"))
                .collect();
            format!("{family} {}", rest.join("."))
        };
        [
            part("Browser", &["MajorVersion", "MinorVersion", "Patch"]),
            part(
                "OperatingSystem",
                &["MajorVersion", "MinorVersion", "Patch", "PatchMinor"],
            ),
            part("Device", &["Brand", "Model"]),
        ]
    }

    #[test]
    fn every_pattern_compiles() {
        for rules in [BROWSERS, SYSTEMS, DEVICES] {
            for r in rules {
                assert!(Regex::new(r.pattern).is_ok(), "{}", r.pattern);
            }
        }
        assert_eq!(BROWSER.regexes.len(), BROWSERS.len());
        assert_eq!(SYSTEM.regexes.len(), SYSTEMS.len());
        assert_eq!(DEVICE.regexes.len(), DEVICES.len());
    }

    #[test]
    fn common_agents() {
        let cases: &[(&str, [&str; 3])] = &[
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                ["Chrome 120.0.0", "Windows 10...", "Other ."],
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36 Edg/120.0.2210.91",
                ["Edge 120.0.2210", "Windows 10...", "Other ."],
            ),
            (
                "Mozilla/5.0 (Windows NT 6.1; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0",
                ["Firefox 121.0.", "Windows 7...", "Other ."],
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
                ["Safari 17.1.", "Mac OS X 10.15.7.", "Mac Apple.Mac"],
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1_2 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1.2 Mobile/15E148 Safari/604.1",
                ["Mobile Safari 17.1.2", "iOS 17.1.2.", "iPhone Apple.iPhone"],
            ),
            (
                "Mozilla/5.0 (iPad; CPU OS 16_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
                [
                    "Mobile Safari UI/WKWebView ..",
                    "iOS 16.6..",
                    "iPad Apple.iPad",
                ],
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/119.0.6045.169 Mobile/15E148 Safari/604.1",
                [
                    "Chrome Mobile iOS 119.0.6045",
                    "iOS 17.0..",
                    "iPhone Apple.iPhone",
                ],
            ),
            (
                "Mozilla/5.0 (Linux; Android 10; K) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
                [
                    "Chrome Mobile 120.0.0",
                    "Android 10...",
                    "K Generic_Android.K",
                ],
            ),
            (
                "Mozilla/5.0 (Linux; Android 13; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/23.0 Chrome/115.0.0.0 Mobile Safari/537.36",
                [
                    "Samsung Internet 23.0.",
                    "Android 13...",
                    "Samsung SM-S918B Samsung.SM-S918B",
                ],
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.6099.43 Mobile Safari/537.36 EdgA/120.0.2210.84",
                [
                    "Edge Mobile 120.0.2210",
                    "Android 14...",
                    "Pixel 8 Google.Pixel 8",
                ],
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/119.0.0.0 Safari/537.36 OPR/105.0.0.0",
                ["Opera 105.0.0", "Windows 10...", "Other ."],
            ),
            (
                "Mozilla/5.0 (Windows NT 10.0; WOW64; Trident/7.0; rv:11.0) like Gecko",
                ["IE 11.0.", "Windows 10...", "Other ."],
            ),
            (
                "Mozilla/4.0 (compatible; MSIE 8.0; Windows NT 5.1; Trident/4.0)",
                ["IE 8.0.", "Windows XP...", "Other ."],
            ),
            (
                "Mozilla/5.0 (X11; CrOS x86_64 14541.0.0) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
                ["Chrome 120.0.0", "Chrome OS 14541.0.0.", "Other ."],
            ),
            (
                "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0",
                ["Firefox 120.0.", "Ubuntu ...", "Other ."],
            ),
            (
                "Mozilla/5.0 (Android 14; Mobile; rv:121.0) Gecko/121.0 Firefox/121.0",
                ["Firefox Mobile 121.0.", "Android 14...", "Other ."],
            ),
            ("curl/7.68.0", ["curl 7.68.0", "Other ...", "Other ."]),
            (
                "python-requests/2.31.0",
                ["Python Requests 2.31.", "Other ...", "Other ."],
            ),
            (
                "Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.19041.3570",
                ["WindowsPowerShell 5.1.19041", "Windows 10...", "Other ."],
            ),
            (
                "Go-http-client/1.1",
                ["Go-http-client 1.1.", "Other ...", "Other ."],
            ),
            (
                "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
                ["Googlebot 2.1.", "Other ...", "Spider Spider.Desktop"],
            ),
            ("", ["Other ..", "Other ...", "Other ."]),
            (
                "Windows-AzureAD-Authentication-Provider/1.0",
                ["Other ..", "Other ...", "Other ."],
            ),
        ];
        for (agent, expected) in cases {
            assert_eq!(summary(agent), expected.map(String::from), "{agent}");
        }
    }

    #[test]
    fn look_for_is_checked() {
        let read = |s: Scalar| Targets::read(&s).map(|t| (t.browser, t.os, t.device));
        assert_eq!(read(Scalar::String("OS".into())), Ok((false, true, false)));
        assert_eq!(
            read(Scalar::Dynamic(serde_json::json!(["device", "browser"]))),
            Ok((true, false, true))
        );
        assert_eq!(
            read(Scalar::String("brwoser".into())),
            Err(
                "parse_user_agent() looks for \"browser\", \"os\" or \"device\", not 'brwoser'"
                    .into()
            )
        );
        assert_eq!(
            read(Scalar::Dynamic(serde_json::json!([]))),
            Err("parse_user_agent() looks for \"browser\", \"os\", \"device\" or an array of them, not []".into())
        );
    }
}
