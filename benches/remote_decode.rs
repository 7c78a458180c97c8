//! Reading a large remote answer: a Log Analytics answer of 500,000 rows and
//! 9 columns (one of every type; about 91 MB of JSON), served from a file by
//! a local HTTP server on 127.0.0.1, run through `remote::Engine::run` as
//! `quarry query --remote` does. Prints the time the query took, the rows,
//! and the process's peak resident memory (VmHWM) after it.
//!
//!     cargo bench --bench remote_decode
//!     cargo test --bench remote_decode          # the same, in a debug build
//!     QUARRY_BENCH_ROWS=100000 cargo bench --bench remote_decode
//!
//! The answer is generated once into `bench-data/remote/` (git-ignored) and
//! streamed from disk by the server, so the server holds no copy of it and
//! the peak memory is the decoder's.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use quarry::remote::{Endpoint, Engine, Settings, Token};

fn rows() -> usize {
    std::env::var("QUARRY_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500_000)
}

/// The answer file, written on first use.
fn answer(rows: usize) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("bench-data")
        .join("remote");
    let file = dir.join(format!("log-analytics-{rows}.json"));
    if file.exists() {
        return file;
    }
    std::fs::create_dir_all(&dir).expect("bench-data/remote");
    let part = dir.join(format!(".log-analytics-{rows}.json.part"));
    let mut w = BufWriter::new(File::create(&part).expect("the answer file"));
    write!(
        w,
        r#"{{"tables":[{{"name":"PrimaryResult","columns":[{{"name":"TimeGenerated","type":"datetime"}},{{"name":"Account","type":"string"}},{{"name":"Attempts","type":"long"}},{{"name":"Port","type":"int"}},{{"name":"Score","type":"real"}},{{"name":"Risky","type":"bool"}},{{"name":"Details","type":"dynamic"}},{{"name":"Took","type":"timespan"}},{{"name":"CorrelationId","type":"guid"}}],"rows":["#
    )
    .expect("write");
    for i in 0..rows {
        if i > 0 {
            w.write_all(b",").expect("write");
        }
        let (h, m, s) = (i / 3600 % 24, i / 60 % 60, i % 60);
        write!(
            w,
            r#"["2024-03-18T{h:02}:{m:02}:{s:02}.{frac:07}Z","user{u}@contoso.com",{attempts},{port},{score},{risky},"{{\"ip\":\"10.0.{a}.{b}\",\"tags\":[\"t{t}\"]}}","00:{m:02}:{s:02}","{i:08x}-d9cb-469f-a165-{i:012x}"]"#,
            frac = i % 10_000_000,
            u = i % 5000,
            attempts = i % 17,
            port = 1024 + i % 60000,
            score = (i % 1000) as f64 / 7.0,
            risky = i % 3 == 0,
            a = i / 256 % 256,
            b = i % 256,
            t = i % 9,
        )
        .expect("write");
    }
    w.write_all(b"]}]}").expect("write");
    w.flush().expect("write");
    drop(w);
    std::fs::rename(&part, &file).expect("rename");
    file
}

/// Serves `file` to every request, streamed from disk.
fn serve(file: PathBuf) -> String {
    let server = tiny_http::Server::http("127.0.0.1:0").expect("a local port");
    let port = server.server_addr().to_ip().expect("an address").port();
    std::thread::spawn(move || {
        for mut request in server.incoming_requests() {
            let mut body = String::new();
            let _ = request.as_reader().read_to_string(&mut body);
            let f = File::open(&file).expect("the answer file");
            let response = tiny_http::Response::from_file(f).with_header(
                tiny_http::Header::from_bytes("Content-Type", "application/json; charset=utf-8")
                    .expect("a header"),
            );
            let _ = request.respond(response);
        }
    });
    format!("http://127.0.0.1:{port}/v1/workspaces/bench")
}

/// The process's peak resident memory, from /proc (Linux).
fn peak_rss_mb() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024.0)
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else is read.
    let rows = rows();
    let file = answer(rows);
    let size = std::fs::metadata(&file).map(|m| m.len()).unwrap_or(0);
    let url = serve(file);
    let engine = Engine::new(
        Endpoint::parse(&url).expect("the URL"),
        Token::new("bench"),
        Settings::default(),
    );
    let before = peak_rss_mb().unwrap_or(0.0);
    let started = Instant::now();
    let result = engine.run("T", None, &|_| {}).expect("the query");
    let took = started.elapsed();
    println!(
        "remote_decode: {} rows x {} columns from {:.1} MB of JSON in {:.2} s; peak RSS {:.0} MB (before the query {:.0} MB)",
        result.frame.height(),
        result.frame.width(),
        size as f64 / 1e6,
        took.as_secs_f64(),
        peak_rss_mb().unwrap_or(0.0),
        before,
    );
}
