//! Remote engines: the same KQL run on Log Analytics (Sentinel), Azure Data
//! Explorer or Defender XDR advanced hunting, and the result brought back as
//! the typed frame a local query gives (`data::types`), so that printers,
//! exports and views never know where it ran.
//!
//! One file per job: [`endpoint`] (which API a URL names), [`auth`] (the
//! bearer token), [`http`] (posting, time limits, throttling), one decoder
//! per API ([`log_analytics`], [`defender`], [`data_explorer`]), reading
//! their answers as they stream in ([`stream`]), [`oneapi`] (the services'
//! error messages), [`typed`] (JSON cells to typed columns), [`tables`]
//! (the tables an engine has) and [`save`] (a result written as a local
//! table).

pub mod auth;
pub mod data_explorer;
pub mod defender;
pub mod endpoint;
pub mod http;
pub mod log_analytics;
pub mod oneapi;
pub mod save;
pub mod stream;
pub mod tables;
pub mod typed;

use std::sync::atomic::{AtomicBool, Ordering};

use polars::prelude::DataFrame;
use serde_json::Value;

pub use auth::Token;
pub use endpoint::{Api, Endpoint};
pub use http::Settings;

/// A remote result: the typed frame and what the analyst must know about
/// it (a partial or capped result). Notes are never dropped: the command
/// line prints them, the workbench shows them.
#[derive(Debug)]
pub struct RemoteResult {
    pub frame: DataFrame,
    pub notes: Vec<String>,
}

/// Why a remote query gave no result. The message is the service's own
/// where it gave one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// The URL or an option cannot be used.
    #[error("{0}")]
    Usage(String),
    /// No access token.
    #[error("{0}")]
    Auth(String),
    /// The service answered with an error status.
    #[error("{service} refused the query (HTTP {status}): {message}")]
    Refused {
        service: &'static str,
        status: String,
        message: String,
    },
    /// The service accepted the query and then reported it failed.
    #[error("{service} failed the query: {message}")]
    Failed {
        service: &'static str,
        message: String,
    },
    /// Throttled, timed out, or cut off.
    #[error("{service}: {message}")]
    Transport {
        service: &'static str,
        message: String,
    },
    /// An answer that is not the API's documented shape.
    #[error("{service}'s answer cannot be read: {message}")]
    BadAnswer {
        service: &'static str,
        message: String,
    },
}

/// What a decoder found wrong with a (successful) answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The query failed (errors inside a 200).
    Failed(String),
    /// The answer is not the documented shape.
    Bad(String),
    /// The connection failed while the answer was read.
    Cut(String),
}

/// A remote engine, ready to run queries.
pub struct Engine {
    endpoint: Endpoint,
    token: Token,
    client: http::Client,
}

impl Engine {
    /// Reads the URL and gets a token for its API (`QUARRY_TOKEN`, else
    /// the Azure CLI).
    pub fn connect(url: &str, settings: Settings) -> Result<Engine, RemoteError> {
        let endpoint = Endpoint::parse(url).map_err(RemoteError::Usage)?;
        let token = auth::access_token(&endpoint.resource()).map_err(RemoteError::Auth)?;
        Ok(Engine::new(endpoint, token, settings))
    }

    /// An engine with a token already in hand.
    pub fn new(endpoint: Endpoint, token: Token, settings: Settings) -> Engine {
        let client = http::Client::new(settings, endpoint.host());
        Engine {
            endpoint,
            token,
            client,
        }
    }

    /// The engine's URL and API.
    pub fn endpoint(&self) -> &Endpoint {
        &self.endpoint
    }

    /// Runs `query` there, unchanged. `timespan` (ISO 8601, or a KQL
    /// timespan such as `7d`) limits the time range for Log Analytics and
    /// Defender; Data Explorer has none (filter in the query). `note` hears
    /// about waits (throttling) while the query runs.
    pub fn run(
        &self,
        query: &str,
        timespan: Option<&str>,
        note: &dyn Fn(&str),
    ) -> Result<RemoteResult, RemoteError> {
        self.run_until(query, timespan, note, &AtomicBool::new(false))
    }

    /// [`Engine::run`], reading the answer only while `cancel` is unset: a
    /// cancelled query stops reading (and holding) a large answer.
    pub fn run_until(
        &self,
        query: &str,
        timespan: Option<&str>,
        note: &dyn Fn(&str),
        cancel: &AtomicBool,
    ) -> Result<RemoteResult, RemoteError> {
        let timespan = timespan.map(iso_timespan).transpose()?;
        let timeout = self.client.settings().timeout.as_secs();
        let (url, body, headers) = match self.endpoint.api {
            Api::LogAnalytics => (
                self.endpoint.query_url(),
                log_analytics::body(query, timespan.as_deref()),
                log_analytics::headers(timeout),
            ),
            Api::Defender => (
                self.endpoint.query_url(),
                defender::body(query, timespan.as_deref()),
                Vec::new(),
            ),
            Api::DataExplorer => {
                if timespan.is_some() {
                    return Err(RemoteError::Usage(
                        "--timespan is for Log Analytics and Defender; in Data Explorer, filter the time in the query (| where Timestamp > ago(7d))".into(),
                    ));
                }
                let url = if data_explorer::is_command(query) {
                    self.endpoint.management_url()
                } else {
                    self.endpoint.query_url()
                };
                (
                    url,
                    data_explorer::body(&self.endpoint.database, query, timeout),
                    vec![("x-ms-app", "quarry".to_string())],
                )
            }
        };
        let answer = self
            .client
            .post_json(&url, &self.token, &body, &headers, note)
            .map_err(|f| self.transport(f))?;
        match self.endpoint.api {
            Api::LogAnalytics => self.read(answer, &url, cancel, log_analytics::decode),
            Api::Defender => self.read(answer, &url, cancel, defender::decode),
            Api::DataExplorer if data_explorer::is_command(query) => {
                // A management command's answer is small: read whole.
                let value = self.read(answer, &url, cancel, |de, _| {
                    serde::Deserialize::deserialize(de)
                })?;
                data_explorer::decode_v1(&value).map_err(|p| self.problem(p))
            }
            Api::DataExplorer => self.read(answer, &url, cancel, data_explorer::decode),
        }
    }

    /// Gets `url` and reads its (small) JSON answer whole.
    pub(crate) fn get_value(&self, url: &str) -> Result<Value, RemoteError> {
        let answer = self
            .client
            .get_json(url, &self.token, &|_| {})
            .map_err(|f| self.transport(f))?;
        self.read(answer, url, &AtomicBool::new(false), |de, _| {
            serde::Deserialize::deserialize(de)
        })
    }

    fn transport(&self, f: http::Failure) -> RemoteError {
        RemoteError::Transport {
            service: self.endpoint.api.service(),
            message: match f {
                http::Failure::Throttled(m) | http::Failure::Transport(m) => m,
            },
        }
    }

    fn problem(&self, p: Problem) -> RemoteError {
        let service = self.endpoint.api.service();
        match p {
            Problem::Failed(message) => RemoteError::Failed { service, message },
            Problem::Bad(message) => RemoteError::BadAnswer { service, message },
            Problem::Cut(message) => RemoteError::Transport { service, message },
        }
    }

    /// Decodes a successful answer as it streams in, or says what the
    /// error status and its body say.
    fn read<T>(
        &self,
        answer: http::Answer,
        url: &str,
        cancel: &AtomicBool,
        decode: impl FnOnce(&mut stream::Json<'_>, &stream::Slot) -> Result<T, serde_json::Error>,
    ) -> Result<T, RemoteError> {
        if !(200..300).contains(&answer.status) {
            let status = answer.status;
            let content_type = answer.content_type.clone();
            let body = answer.read_error_body().map_err(|e| {
                self.transport(http::Failure::Transport(
                    self.client.body_failure(url, e.into_io()),
                ))
            })?;
            return Err(refused(status, &content_type, &body, &self.endpoint));
        }
        let content_type = answer.content_type.clone();
        let reader = Cancellable {
            inner: answer.into_reader(),
            cancel,
        };
        let lost = |e: std::io::Error| {
            if cancel.load(Ordering::Relaxed) {
                "cancelled".to_string()
            } else {
                self.client.body_failure(url, e)
            }
        };
        stream::read_answer(reader, &content_type, &lost, decode).map_err(|p| self.problem(p))
    }
}

/// A body that stops being read once its query is cancelled.
struct Cancellable<'c, R> {
    inner: R,
    cancel: &'c AtomicBool,
}

impl<R: std::io::Read> std::io::Read for Cancellable<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        // Not `Interrupted`: readers retry that kind, forever here.
        if self.cancel.load(Ordering::Relaxed) {
            return Err(std::io::Error::other("cancelled"));
        }
        self.inner.read(buf)
    }
}

/// The error an error status and its body say.
fn refused(status: u16, content_type: &str, body: &[u8], endpoint: &Endpoint) -> RemoteError {
    let service = endpoint.api.service();
    let parsed = read_json(body, content_type);
    let reason = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason())
        .map_or(status.to_string(), |r| format!("{status} {r}"));
    let mut message = match &parsed {
        Ok(v) => oneapi::body_error_lines(v)
            .map(|lines| lines.join("\n  "))
            .unwrap_or_else(|| excerpt(body)),
        Err(m) => format!("{m}; it begins: {}", excerpt(body)),
    };
    if status == 401 || status == 403 {
        message.push_str(&format!(
            "\n  (is the token for {} and still valid? {} may be stale; `az login` renews the Azure CLI's)",
            endpoint.resource(),
            auth::TOKEN_VAR
        ));
    }
    RemoteError::Refused {
        service,
        status: reason,
        message,
    }
}

/// Parses an answer's JSON, telling an HTML page, an empty body and an
/// answer cut short apart from other bad JSON.
pub fn read_json(body: &[u8], content_type: &str) -> Result<Value, String> {
    let text = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let trimmed = text.trim_ascii_start();
    if trimmed.is_empty() {
        return Err("the answer is empty".into());
    }
    if trimmed.starts_with(b"<") || content_type.to_ascii_lowercase().contains("text/html") {
        let title = html_title(trimmed)
            .map(|t| format!(" (\"{t}\")"))
            .unwrap_or_default();
        return Err(format!(
            "the answer is an HTML page{title}, not JSON: a proxy or a sign-in page answered instead of the service"
        ));
    }
    serde_json::from_slice(text).map_err(|e| {
        if e.classify() == serde_json::error::Category::Eof {
            format!(
                "the answer ends in the middle of its JSON (after {} bytes, line {}, column {}): it was cut short; run the query again",
                text.len(),
                e.line(),
                e.column()
            )
        } else {
            format!("the answer is not valid JSON: {e}")
        }
    })
}

pub(crate) fn html_title(html: &[u8]) -> Option<String> {
    let text = String::from_utf8_lossy(&html[..html.len().min(4096)]).into_owned();
    let lower = text.to_ascii_lowercase();
    let start = lower.find("<title>")? + "<title>".len();
    let end = start + lower[start..].find("</title>")?;
    let title = text.get(start..end)?.trim();
    Some(crate::text::truncate_to_width(
        &crate::text::escape_for_terminal(title),
        80,
    ))
}

/// The first bytes of a body that is not an error object, for a message.
fn excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(&body[..body.len().min(300)]).into_owned();
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.is_empty() {
        return "(no message)".into();
    }
    crate::text::truncate_to_width(&crate::text::escape_for_terminal(&one_line), 200)
}

/// A `--timespan` as ISO 8601: given so already (`P7D`, `PT12H`, or an
/// interval `start/end`), or as a KQL timespan (`7d`, `12h`, `1.02:00:00`).
pub fn iso_timespan(text: &str) -> Result<String, RemoteError> {
    let t = text.trim();
    if t.starts_with('P') || t.contains('/') {
        return Ok(t.to_string());
    }
    let ns = crate::data::time::parse_timespan(t)
        .filter(|ns| *ns > 0)
        .ok_or_else(|| {
            RemoteError::Usage(format!(
                "--timespan {t}: expected a positive KQL timespan (7d, 12h, 30m) or ISO 8601 (P7D, PT12H, or START/END)"
            ))
        })?;
    let secs = ns / crate::data::time::NANOS_PER_SEC;
    let frac = ns % crate::data::time::NANOS_PER_SEC;
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (h, m, s) = (rest / 3600, rest % 3600 / 60, rest % 60);
    let mut out = String::from("P");
    if days > 0 {
        out.push_str(&format!("{days}D"));
    }
    if h + m + s > 0 || frac > 0 {
        out.push('T');
        if h > 0 {
            out.push_str(&format!("{h}H"));
        }
        if m > 0 {
            out.push_str(&format!("{m}M"));
        }
        if frac > 0 {
            let f = format!("{:09}", frac);
            out.push_str(&format!("{s}.{}S", f.trim_end_matches('0')));
        } else if s > 0 {
            out.push_str(&format!("{s}S"));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timespans_become_iso_8601() {
        let iso = |t: &str| iso_timespan(t).unwrap();
        assert_eq!(iso("7d"), "P7D");
        assert_eq!(iso("12h"), "PT12H");
        assert_eq!(iso("90m"), "PT1H30M");
        assert_eq!(iso("1.02:03:04.5"), "P1DT2H3M4.5S");
        assert_eq!(iso("PT5M"), "PT5M");
        assert_eq!(
            iso("2024-01-01T00:00:00Z/2024-01-02T00:00:00Z"),
            "2024-01-01T00:00:00Z/2024-01-02T00:00:00Z"
        );
        assert_eq!(
            iso_timespan("soon").unwrap_err().to_string(),
            "--timespan soon: expected a positive KQL timespan (7d, 12h, 30m) or ISO 8601 (P7D, PT12H, or START/END)"
        );
    }

    /// Gives four bytes, then cancels its query.
    struct CancelsAfterFour<'a>(&'a [u8], &'a AtomicBool);

    impl std::io::Read for CancelsAfterFour<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = buf.len().min(self.0.len()).min(4);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            self.1.store(true, Ordering::Relaxed);
            Ok(n)
        }
    }

    #[test]
    fn a_cancelled_answer_stops_being_read() {
        let cancel = AtomicBool::new(false);
        let body = Cancellable {
            inner: CancelsAfterFour(b"{\"tables\": [1, 2, 3]}", &cancel),
            cancel: &cancel,
        };
        let got = stream::read_answer(body, "application/json", &|e| e.to_string(), |de, _| {
            serde::Deserialize::deserialize(de).map(|_: Value| ())
        });
        assert_eq!(got, Err(Problem::Cut("cancelled".into())));
    }

    #[test]
    fn answers_that_are_not_json() {
        assert_eq!(
            read_json(
                b"<!DOCTYPE html><html><head><title>Sign in to your account</title>",
                "text/html"
            )
            .unwrap_err(),
            "the answer is an HTML page (\"Sign in to your account\"), not JSON: a proxy or a sign-in page answered instead of the service"
        );
        assert_eq!(read_json(b"  ", "").unwrap_err(), "the answer is empty");
        assert_eq!(
            read_json(br#"{"tables": [{"name": "Prim"#, "application/json").unwrap_err(),
            "the answer ends in the middle of its JSON (after 26 bytes, line 1, column 26): it was cut short; run the query again"
        );
        assert!(
            read_json(b"{tables}", "application/json")
                .unwrap_err()
                .starts_with("the answer is not valid JSON: key must be a string")
        );
    }
}
