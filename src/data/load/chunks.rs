//! Reading a file in chunks that worker threads parse while the next is
//! read: [`RecordChunks`] cuts a text stream on record boundaries, and
//! [`pipeline`] runs the work and hands the results back in order.

use std::collections::BTreeMap;
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use super::{LoadControl, MEMORY_CHECK_AFTER_CHUNKS};
use crate::data::catalog::LoadError;
use crate::data::source::{Compression, SourceFile};

/// Reads until `buf` holds at least `want` more bytes or the input ends;
/// returns whether it ended.
pub(crate) fn fill(input: &mut dyn Read, buf: &mut Vec<u8>, want: usize) -> std::io::Result<bool> {
    let target = buf.len() + want;
    while buf.len() < target {
        let missing = (target - buf.len()) as u64;
        let n = input.take(missing).read_to_end(buf)?;
        if n == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

pub(crate) fn count_newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

/// Cuts a text stream into chunks of whole records of about `chunk` bytes,
/// which the loaders' workers then parse each on its own (CSV records, JSON
/// lines).
pub(crate) struct RecordChunks<'a, R> {
    input: R,
    file: &'a SourceFile,
    chunk: usize,
    pending: Option<Vec<u8>>,
    eof: bool,
    /// Where the last whole record in a buffer ends (after its newline).
    cut: fn(&[u8]) -> Option<usize>,
    /// After a read error: the lines read since the last whole chunk, so the
    /// error can name the line where the readable data stops.
    pub(crate) partial_lines: Option<usize>,
}

impl<'a, R: Read> RecordChunks<'a, R> {
    /// `buf` holds what was read so far (`eof` if that is all).
    pub(crate) fn new(
        input: R,
        file: &'a SourceFile,
        chunk: usize,
        buf: Vec<u8>,
        eof: bool,
        cut: fn(&[u8]) -> Option<usize>,
    ) -> Self {
        RecordChunks {
            input,
            file,
            chunk,
            pending: Some(buf),
            eof,
            cut,
            partial_lines: None,
        }
    }

    /// The next chunk; `spare` (a chunk already parsed) is reused for the
    /// bytes after the cut.
    pub(crate) fn next(&mut self, spare: Option<Vec<u8>>) -> Result<Option<Vec<u8>>, LoadError> {
        let Some(mut buf) = self.pending.take() else {
            return Ok(None);
        };
        loop {
            if self.eof {
                return Ok((!buf.is_empty()).then_some(buf));
            }
            if buf.len() >= self.chunk
                && let Some(cut) = (self.cut)(&buf)
            {
                let mut rest = spare.unwrap_or_default();
                rest.clear();
                rest.reserve(self.chunk + (1 << 16));
                rest.extend_from_slice(&buf[cut..]);
                buf.truncate(cut);
                self.pending = Some(rest);
                return Ok(Some(buf));
            }
            // Too little, or one record longer than a chunk: read on.
            self.eof = fill(&mut self.input, &mut buf, self.chunk).map_err(|e| {
                self.partial_lines = Some(count_newlines(&buf));
                LoadError::new(&self.file.path, None, io_message(self.file, &e))
            })?;
        }
    }
}

/// Describes an I/O error from a decompressing reader in the user's terms.
pub(crate) fn io_message(file: &SourceFile, e: &std::io::Error) -> String {
    match (file.compression, e.kind()) {
        (Compression::Gzip, std::io::ErrorKind::UnexpectedEof) => {
            "truncated gzip stream (the file ends before the compressed data does)".into()
        }
        (Compression::Gzip, _) => format!("corrupt gzip data: {e}"),
        (Compression::Zstd, std::io::ErrorKind::UnexpectedEof) => {
            "truncated zstd stream (the file ends before the compressed data does)".into()
        }
        (Compression::Zstd, _) => format!("corrupt zstd data: {e}"),
        _ => e.to_string(),
    }
}

/// Reports rows so far with the bytes read so far from the file.
pub(crate) struct Progressing<'a> {
    report: &'a dyn Fn(usize, u64),
    counter: Arc<AtomicU64>,
}

impl<'a> Progressing<'a> {
    pub(crate) fn new(report: &'a dyn Fn(usize, u64), counter: Arc<AtomicU64>) -> Self {
        Progressing { report, counter }
    }

    pub(crate) fn report(&mut self, rows: usize) {
        (self.report)(rows, self.counter.load(Ordering::Relaxed));
    }
}

/// Runs `work` on worker threads over the jobs (chunks of input) `next`
/// reads, and hands the results to `take` in input order. At most a few chunks are in flight,
/// so memory stays bounded however fast the input is read.
///
/// `next` is given back a job that has been worked on, when there is one:
/// reusing the few chunk buffers, rather than allocating megabytes per
/// chunk, spares the kernel from mapping fresh pages for every chunk of a
/// multi-gigabyte file.
///
/// The first error in input order wins: an error `take` returns for a chunk
/// comes before a read error `next` met after it. Cancellation (and, after
/// the first few chunks, the memory left) is checked before each chunk is
/// read, `stop` making the error from its message; chunks in flight are
/// finished, not taken.
pub(crate) fn pipeline<J: Send, T: Send, E>(
    next: &mut dyn FnMut(Option<J>) -> Result<Option<J>, E>,
    work: impl Fn(&J) -> T + Sync,
    mut take: impl FnMut(T) -> Result<(), E>,
    control: &LoadControl,
    stop: impl Fn(String) -> E,
) -> Result<(), E> {
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(8));
    let in_flight = workers * 2;
    let (job_tx, job_rx) = mpsc::sync_channel::<(usize, J)>(in_flight);
    let job_rx = Mutex::new(job_rx);
    let (done_tx, done_rx) = mpsc::channel::<(usize, T)>();
    let spares: Mutex<Vec<J>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let done_tx = done_tx.clone();
            let job_rx = &job_rx;
            let work = &work;
            let spares = &spares;
            scope.spawn(move || {
                loop {
                    // The lock is held only while waiting for the next job.
                    let job = match job_rx.lock() {
                        Ok(rx) => rx.recv(),
                        Err(_) => return,
                    };
                    let Ok((seq, job)) = job else { return };
                    let result = work(&job);
                    if let Ok(mut spares) = spares.lock() {
                        spares.push(job);
                    }
                    if done_tx.send((seq, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop(done_tx);
        let job_tx = job_tx;
        let mut sent = 0usize;
        let mut taken = 0usize;
        let mut reading = true;
        let mut read_error: Option<E> = None;
        let mut take_error: Option<E> = None;
        let mut waiting: BTreeMap<usize, T> = BTreeMap::new();
        loop {
            while reading && sent - taken < in_flight {
                if let Some(why) = control.interrupted(sent >= MEMORY_CHECK_AFTER_CHUNKS) {
                    read_error = Some(stop(why));
                    reading = false;
                    break;
                }
                let spare = spares.lock().ok().and_then(|mut s| s.pop());
                match next(spare) {
                    Ok(Some(job)) => {
                        if job_tx.send((sent, job)).is_err() {
                            reading = false;
                            break;
                        }
                        sent += 1;
                    }
                    Ok(None) => reading = false,
                    Err(e) => {
                        read_error = Some(e);
                        reading = false;
                    }
                }
            }
            if taken == sent {
                break;
            }
            let Ok((seq, result)) = done_rx.recv() else {
                break;
            };
            waiting.insert(seq, result);
            while let Some(result) = waiting.remove(&taken) {
                taken += 1;
                if take_error.is_none()
                    && let Err(e) = take(result)
                {
                    take_error = Some(e);
                    // Nothing after a bad chunk is needed.
                    reading = false;
                }
            }
        }
        drop(job_tx);
        match (take_error, read_error) {
            (Some(e), _) | (None, Some(e)) => Err(e),
            (None, None) => Ok(()),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicBool;

    #[test]
    fn pipeline_keeps_order_and_reports_the_first_error() {
        let cancel = AtomicBool::new(false);
        let control = LoadControl::new(&|_| {}, &cancel);
        let mut n = 0u8;
        let mut next = |_: Option<Vec<u8>>| -> Result<Option<Vec<u8>>, String> {
            n += 1;
            match n {
                1..=20 => Ok(Some(vec![n])),
                21 => Err("read failed".into()),
                _ => Ok(None),
            }
        };
        let mut seen = Vec::new();
        let r = pipeline(
            &mut next,
            |b: &Vec<u8>| b[0],
            |v| {
                seen.push(v);
                if v == 7 {
                    Err(format!("bad {v}"))
                } else {
                    Ok(())
                }
            },
            &control,
            |why| why,
        );
        assert_eq!(r, Err("bad 7".to_string()));
        assert_eq!(seen, (1..=7).collect::<Vec<u8>>());

        let mut n = 0u8;
        let mut next = |_: Option<Vec<u8>>| -> Result<Option<Vec<u8>>, String> {
            n += 1;
            if n <= 5 {
                Ok(Some(vec![n]))
            } else {
                Err("truncated".into())
            }
        };
        let mut seen = Vec::new();
        let r = pipeline(
            &mut next,
            |b: &Vec<u8>| b[0],
            |v| {
                seen.push(v);
                Ok(())
            },
            &control,
            |why| why,
        );
        assert_eq!(r, Err("truncated".to_string()));
        assert_eq!(seen, vec![1, 2, 3, 4, 5]);
    }
}
