//! A local HTTP server for the remote-engine tests: it answers the next
//! requests with canned replies, in order, and records each request it
//! receives (method, path, headers, body) for the test to check.

use std::sync::{Arc, Mutex};

use serde_json::Value;

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Seen {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Seen {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).expect("the request body is JSON")
    }
}

/// One answer: status, headers, body.
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

pub fn json_reply(status: u16, body: &Value) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", "application/json; charset=utf-8".into())],
        body: body.to_string().into_bytes(),
    }
}

pub fn raw_reply(status: u16, content_type: &str, body: &str) -> Reply {
    Reply {
        status,
        headers: vec![("Content-Type", content_type.into())],
        body: body.as_bytes().to_vec(),
    }
}

/// Never answers: the request is held until the test process ends.
pub const SILENT: u16 = 0;

pub struct Server {
    pub base: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Server {
    /// Answers the next requests with `replies`, in order.
    pub fn start(replies: Vec<Reply>) -> Server {
        let server = tiny_http::Server::http("127.0.0.1:0").expect("a local port");
        let port = server.server_addr().to_ip().expect("an IP address").port();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let record = Arc::clone(&seen);
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for reply in replies {
                let Ok(mut request) = server.recv() else {
                    return;
                };
                let mut body = String::new();
                let _ = request.as_reader().read_to_string(&mut body);
                record.lock().unwrap().push(Seen {
                    method: request.method().to_string(),
                    path: request.url().to_string(),
                    headers: request
                        .headers()
                        .iter()
                        .map(|h| (h.field.to_string(), h.value.to_string()))
                        .collect(),
                    body,
                });
                if reply.status == SILENT {
                    held.push(request);
                    continue;
                }
                let mut response =
                    tiny_http::Response::from_data(reply.body).with_status_code(reply.status);
                for (name, value) in reply.headers {
                    response.add_header(
                        tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap(),
                    );
                }
                let _ = request.respond(response);
            }
            // Held requests stay unanswered until the process ends.
            std::thread::park();
            drop(held);
        });
        Server {
            base: format!("http://127.0.0.1:{port}"),
            seen,
        }
    }

    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}
