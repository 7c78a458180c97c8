//! Reading an answer's JSON as it arrives: the decoders are serde visitors
//! that put cells straight into column builders, so a 100 MB answer is
//! never held whole, neither as text nor as a tree of values.
//!
//! This module is the plumbing around them: an empty body, an HTML page, a
//! byte-order mark; what the answer's JSON errors mean (cut short, not
//! JSON, the connection lost); and the slot through which a visitor says
//! what it found wrong in words of the API, not of serde.

use std::cell::{Cell, RefCell};
use std::io::{self, BufRead, BufReader, Read};

use serde::de;
use serde_json::error::Category;

use super::Problem;

/// Where a visitor leaves the first thing it found wrong; serde carries
/// only a text, and the decoders need to tell a failed query from an
/// unreadable answer.
pub type Slot = RefCell<Option<Problem>>;

/// Keeps `problem` (unless an earlier one is kept) and gives the error to
/// return through serde.
pub fn fail<E: de::Error>(slot: &Slot, problem: Problem) -> E {
    let text = match &problem {
        Problem::Failed(m) | Problem::Bad(m) | Problem::Cut(m) => m.clone(),
    };
    let mut kept = slot.borrow_mut();
    if kept.is_none() {
        *kept = Some(problem);
    }
    E::custom(text)
}

/// Names a failure of a part of the answer (`row 3 is not a list of cells`)
/// when nothing deeper has said what it was; a JSON syntax error or the end
/// of the input keeps its own meaning (the slot is read only for errors of
/// the answer's shape).
pub fn within<E: de::Error>(slot: &Slot, e: E, problem: impl FnOnce() -> Problem) -> E {
    let mut kept = slot.borrow_mut();
    if kept.is_none() {
        *kept = Some(problem());
    }
    e
}

/// Counts the bytes read, for "cut short after N bytes".
pub struct Counting<'a> {
    inner: Box<dyn Read + 'a>,
    bytes: &'a Cell<u64>,
}

impl Read for Counting<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.bytes.set(self.bytes.get() + n as u64);
        Ok(n)
    }
}

/// The deserializer the decoders read an answer with.
pub type Json<'a> = serde_json::Deserializer<serde_json::de::IoRead<BufReader<Counting<'a>>>>;

/// Reads an answer's JSON from `body` with `read` (a visitor over the
/// deserializer), and makes every failure a [`Problem`]: an empty body, an
/// HTML page, JSON cut short, not JSON, a lost connection (said by
/// `lost`), or what the visitor left in the slot.
pub fn read_answer<'a, T>(
    body: impl Read + 'a,
    content_type: &str,
    lost: &dyn Fn(io::Error) -> String,
    read: impl FnOnce(&mut Json<'_>, &Slot) -> Result<T, serde_json::Error>,
) -> Result<T, Problem> {
    let bytes = Cell::new(0u64);
    let mut reader = BufReader::with_capacity(
        64 * 1024,
        Counting {
            inner: Box::new(body),
            bytes: &bytes,
        },
    );
    match start(&mut reader, content_type) {
        Ok(()) => {}
        Err(Start::Problem(p)) => return Err(p),
        Err(Start::Io(e)) => return Err(Problem::Cut(lost(e))),
    }
    let mut de = serde_json::Deserializer::from_reader(reader);
    let slot = Slot::new(None);
    let result = read(&mut de, &slot).and_then(|v| de.end().map(|()| v));
    drop(de);
    result.map_err(|e| match e.classify() {
        Category::Eof => Problem::Bad(format!(
            "the answer ends in the middle of its JSON (after {} bytes, line {}, column {}): it was cut short; run the query again",
            bytes.get(),
            e.line(),
            e.column()
        )),
        Category::Syntax => Problem::Bad(format!("the answer is not valid JSON: {e}")),
        Category::Io => Problem::Cut(lost(io::Error::from(e))),
        Category::Data => slot.take().unwrap_or_else(|| {
            Problem::Bad(format!("the answer is not the documented shape: {e}"))
        }),
    })
}

enum Start {
    Problem(Problem),
    Io(io::Error),
}

/// Skips a byte-order mark and leading blanks, and refuses an empty body
/// or an HTML page before any JSON is read.
fn start<R: BufRead>(reader: &mut R, content_type: &str) -> Result<(), Start> {
    let mut first = true;
    loop {
        let buf = reader.fill_buf().map_err(Start::Io)?;
        if buf.is_empty() {
            return Err(Start::Problem(Problem::Bad("the answer is empty".into())));
        }
        if first && buf.starts_with(b"\xEF\xBB\xBF") {
            reader.consume(3);
            first = false;
            continue;
        }
        first = false;
        let blanks = buf.iter().take_while(|b| b.is_ascii_whitespace()).count();
        if blanks == buf.len() {
            reader.consume(blanks);
            continue;
        }
        reader.consume(blanks);
        let buf = reader.fill_buf().map_err(Start::Io)?;
        if buf.starts_with(b"<") || content_type.to_ascii_lowercase().contains("text/html") {
            // The title is in the first few kilobytes; what is buffered is
            // enough (64 KB).
            let title = super::html_title(buf)
                .map(|t| format!(" (\"{t}\")"))
                .unwrap_or_default();
            return Err(Start::Problem(Problem::Bad(format!(
                "the answer is an HTML page{title}, not JSON: a proxy or a sign-in page answered instead of the service"
            ))));
        }
        return Ok(());
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn value(body: &[u8], content_type: &str) -> Result<Value, Problem> {
        read_answer(body, content_type, &|e| format!("lost: {e}"), |de, _| {
            serde::Deserialize::deserialize(de)
        })
    }

    /// Gives `first`, then fails as a dropped connection does.
    struct Dropped<'a>(&'a [u8]);

    impl Read for Dropped<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            if self.0.is_empty() {
                return Err(io::Error::new(io::ErrorKind::ConnectionReset, "reset"));
            }
            let n = buf.len().min(self.0.len());
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }

    #[test]
    fn a_mark_and_blanks_before_the_json() {
        assert_eq!(
            value(b"\xEF\xBB\xBF \n {\"a\": 1} \n", "application/json"),
            Ok(serde_json::json!({"a": 1}))
        );
    }

    #[test]
    fn what_is_not_an_answer() {
        assert_eq!(
            value(b"", "application/json"),
            Err(Problem::Bad("the answer is empty".into()))
        );
        assert_eq!(
            value(b" \n\t", "application/json"),
            Err(Problem::Bad("the answer is empty".into()))
        );
        assert_eq!(
            value(b"Gateway timeout", "text/html; charset=utf-8"),
            Err(Problem::Bad(
                "the answer is an HTML page, not JSON: a proxy or a sign-in page answered instead of the service"
                    .into()
            ))
        );
        assert_eq!(
            value(b"{\"a\": 1} x", "application/json"),
            Err(Problem::Bad(
                "the answer is not valid JSON: trailing characters at line 1 column 10".into()
            ))
        );
        assert_eq!(
            value(b"{\"a\": [1, 2", "application/json"),
            Err(Problem::Bad(
                "the answer ends in the middle of its JSON (after 11 bytes, line 1, column 11): it was cut short; run the query again".into()
            ))
        );
    }

    #[test]
    fn a_connection_lost_mid_answer_is_said_by_the_transport() {
        let got = read_answer(
            Dropped(b"{\"tables\": [1, 2"),
            "application/json",
            &|e| format!("lost: {e}"),
            |de, _| serde::Deserialize::deserialize(de).map(|_: Value| ()),
        );
        assert_eq!(got, Err(Problem::Cut("lost: reset".into())));
    }

    #[test]
    fn a_visitors_problem_is_kept_over_serdes_words() {
        let got: Result<(), Problem> = read_answer(
            &b"[1]"[..],
            "application/json",
            &|e| e.to_string(),
            |de, slot| {
                let v: Value = serde::Deserialize::deserialize(de)?;
                Err(fail(
                    slot,
                    Problem::Failed(format!("the service said no to {v}")),
                ))
            },
        );
        assert_eq!(
            got,
            Err(Problem::Failed("the service said no to [1]".into()))
        );
    }
}
