//! Posting a query to a remote engine (ureq over rustls) and reading its
//! answer: time limits, throttling (HTTP 429 and its `Retry-After`), and
//! the transport's failures in the analyst's words.

use std::io::{ErrorKind, Read};
use std::time::Duration;

use serde_json::Value;

use super::auth::Token;

/// How long and how often to try.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The longest a request may take, answer included.
    pub timeout: Duration,
    /// How many times a throttled request (HTTP 429) is tried again.
    pub retries: u32,
    /// The longest wait before one retry: a service asking for more is
    /// not waited for.
    pub max_wait: Duration,
    /// Wait when a 429 carries no usable `Retry-After`.
    pub default_wait: Duration,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            // Log Analytics allows 10 minutes with `Prefer: wait=600`;
            // Data Explorer's default server timeout is 4 minutes.
            timeout: Duration::from_secs(11 * 60),
            retries: 3,
            max_wait: Duration::from_secs(60),
            default_wait: Duration::from_secs(5),
        }
    }
}

/// The largest answer read: Log Analytics caps results at 64 MB, Defender at
/// 124 MB; Data Explorer's 500,000 rows of wide tables can be a few GB.
const MAX_ANSWER: u64 = 4 << 30;

/// The largest error answer read (its message is a few lines).
const MAX_ERROR_ANSWER: u64 = 16 << 20;

/// An HTTP answer that was not a throttle, its body not read yet.
pub struct Answer {
    pub status: u16,
    pub content_type: String,
    body: ureq::Body,
}

impl Answer {
    /// The body as it arrives (at most 4 GB), decompressed.
    pub fn into_reader(self) -> impl Read + 'static {
        self.body.into_with_config().limit(MAX_ANSWER).reader()
    }

    /// The whole body of an error answer (at most 16 MB).
    pub fn read_error_body(mut self) -> Result<Vec<u8>, ureq::Error> {
        self.body
            .with_config()
            .limit(MAX_ERROR_ANSWER)
            .read_to_vec()
    }
}

/// Why no answer came.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Throttled every time it was tried.
    Throttled(String),
    /// No connection, a timeout, a connection cut mid-answer.
    Transport(String),
}

/// A client for one engine.
pub struct Client {
    agent: ureq::Agent,
    settings: Settings,
}

impl Client {
    /// A client with these time limits, for `host`: a loopback host (a
    /// local test server) is reached directly, whatever proxy the
    /// environment names.
    pub fn new(settings: Settings, host: &str) -> Client {
        let mut config = ureq::Agent::config_builder();
        if is_loopback(host) {
            config = config.proxy(None);
        }
        let agent: ureq::Agent = config
            .timeout_global(Some(settings.timeout))
            // Error statuses carry the service's own message: read them.
            .http_status_as_error(false)
            .user_agent(concat!("quarry/", env!("CARGO_PKG_VERSION")))
            .build()
            .into();
        Client { agent, settings }
    }

    /// The time limits.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Posts `body` as JSON with the bearer token and `headers`, trying a
    /// throttled request again after the wait the service asks for.
    /// `note` hears about each wait (the analyst should know why nothing
    /// happens).
    pub fn post_json(
        &self,
        url: &str,
        token: &Token,
        body: &Value,
        headers: &[(&str, String)],
        note: &dyn Fn(&str),
    ) -> Result<Answer, Failure> {
        self.send(url, token, Some(&body.to_string()), headers, note)
    }

    /// Gets `url` with the bearer token, as [`Client::post_json`] posts.
    pub fn get_json(
        &self,
        url: &str,
        token: &Token,
        note: &dyn Fn(&str),
    ) -> Result<Answer, Failure> {
        self.send(url, token, None, &[], note)
    }

    /// What a failure to read an answer's body means, in the analyst's
    /// words (timed out, the connection closed).
    pub fn body_failure(&self, url: &str, e: std::io::Error) -> String {
        transport_message(url, &ureq::Error::from(e), &self.settings)
    }

    fn send(
        &self,
        url: &str,
        token: &Token,
        body: Option<&str>,
        headers: &[(&str, String)],
        note: &dyn Fn(&str),
    ) -> Result<Answer, Failure> {
        let mut waited = Duration::ZERO;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let sent = match body {
                Some(text) => {
                    let request = self
                        .agent
                        .post(url)
                        .header("Content-Type", "application/json; charset=utf-8");
                    with_headers(request, token, headers).send(text)
                }
                None => with_headers(self.agent.get(url), token, headers).call(),
            };
            let response =
                sent.map_err(|e| Failure::Transport(transport_message(url, &e, &self.settings)))?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            let content_type = header("content-type").unwrap_or_default();
            let retry_after = header("retry-after");
            let answer = Answer {
                status,
                content_type,
                body: response.into_body(),
            };
            if status != 429 {
                return Ok(answer);
            }
            let body = answer
                .read_error_body()
                .map_err(|e| Failure::Transport(transport_message(url, &e, &self.settings)))?;
            let said = throttle_message(&body);
            let wait = retry_after
                .as_deref()
                .and_then(retry_after_wait)
                .unwrap_or(self.settings.default_wait);
            if attempt > self.settings.retries {
                return Err(Failure::Throttled(format!(
                    "the service is throttling requests (HTTP 429) and still was after {attempt} tries \
                     ({} s waited); try again later{said}",
                    waited.as_secs()
                )));
            }
            if wait > self.settings.max_wait {
                return Err(Failure::Throttled(format!(
                    "the service is throttling requests (HTTP 429) and asks to wait {} s before \
                     trying again; try again later{said}",
                    wait.as_secs()
                )));
            }
            note(&format!(
                "throttled (HTTP 429): trying again in {} s (retry {attempt} of {})",
                wait.as_secs(),
                self.settings.retries
            ));
            std::thread::sleep(wait);
            waited += wait;
        }
    }
}

fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// The bearer token, JSON accepted, and the API's own headers.
fn with_headers<B>(
    request: ureq::RequestBuilder<B>,
    token: &Token,
    headers: &[(&str, String)],
) -> ureq::RequestBuilder<B> {
    let mut request = request
        .header("Authorization", token.header())
        .header("Accept", "application/json");
    for (name, value) in headers {
        request = request.header(*name, value.as_str());
    }
    request
}

/// `Retry-After`: seconds, or an HTTP date.
fn retry_after_wait(value: &str) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = chrono::DateTime::parse_from_rfc2822(v).ok()?;
    let secs = (at.timestamp() - chrono::Utc::now().timestamp()).max(0);
    Some(Duration::from_secs(secs as u64))
}

/// What a 429's body says (which quota was hit), as `: message`.
fn throttle_message(body: &[u8]) -> String {
    serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| super::oneapi::body_error_lines(&v))
        .map(|lines| format!(": {}", lines.join("; ")))
        .unwrap_or_default()
}

fn transport_message(url: &str, e: &ureq::Error, settings: &Settings) -> String {
    let host = url::Url::parse(url)
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
        .unwrap_or_else(|| url.to_string());
    match e {
        ureq::Error::Timeout(_) => format!(
            "no complete answer from {host} within {} s (timed out); give a long query more time with --timeout",
            settings.timeout.as_secs()
        ),
        ureq::Error::HostNotFound => format!("cannot find the host {host} (DNS)"),
        ureq::Error::ConnectionFailed => format!("cannot connect to {host}"),
        ureq::Error::BodyExceedsLimit(n) => format!(
            "the answer from {host} is larger than {} MB; narrow the query",
            n >> 20
        ),
        ureq::Error::Io(io) => match io.kind() {
            ErrorKind::ConnectionRefused => format!("cannot connect to {host}: connection refused"),
            ErrorKind::UnexpectedEof
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted => {
                format!(
                    "the connection to {host} closed before the answer was complete ({io}); run the query again"
                )
            }
            ErrorKind::TimedOut | ErrorKind::WouldBlock => format!(
                "no complete answer from {host} within {} s (timed out); give a long query more time with --timeout",
                settings.timeout.as_secs()
            ),
            _ => format!("{host}: {io}"),
        },
        other => format!("{host}: {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_hosts_are_reached_directly() {
        assert!(is_loopback("127.0.0.1"));
        assert!(is_loopback("127.8.0.1"));
        assert!(is_loopback("[::1]"));
        assert!(is_loopback("LOCALHOST"));
        assert!(!is_loopback("api.loganalytics.io"));
        assert!(!is_loopback("10.0.0.1"));
    }

    #[test]
    fn retry_after_in_seconds_or_as_a_date() {
        assert_eq!(retry_after_wait("7"), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after_wait("Wed, 21 Oct 2015 07:28:00 GMT"),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after_wait("soon"), None);
    }

    #[test]
    fn a_throttle_says_which_quota() {
        let body = br#"{"error":{"code":"TooManyRequests","message":"Rate limit is exceeded. Try again in 12 seconds."}}"#;
        assert_eq!(
            throttle_message(body),
            ": Rate limit is exceeded. Try again in 12 seconds."
        );
        assert_eq!(throttle_message(b"<html>"), "");
    }
}
