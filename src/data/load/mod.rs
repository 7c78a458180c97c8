//! Reading table sources into typed frames.
//!
//! Loading is in two steps, so that the workbench can show a multi-gigabyte
//! folder at once and fill it in the background:
//!
//! 1. [`discover`] turns paths into [`TableSource`]s and [`peek`] describes
//!    each cheaply (name, size, the columns a header or Parquet footer gives,
//!    the exact row count where the format records it) without reading data;
//! 2. [`load_table`] (one source, typically from a worker thread) or
//!    [`load_sources`] (all of them) read the data, reporting [`Progress`]
//!    after each chunk and stopping between chunks when cancelled.
//!
//! Text formats are read in chunks that worker threads parse and type as
//! they arrive, so the raw text of a file is never held whole; Parquet is
//! read a few row groups at a time. `normalize` gives every column its KQL
//! type, per chunk, and joins the chunks.
//!
//! Every failure is a [`LoadError`] naming the file (and the line, where one
//! is to blame); other files and tables still load. A file fails only when
//! it cannot be parsed at all: a value that cannot be read as its column's
//! type is null, and a [`LoadWarning`] of the table says where (see
//! `data::warning`); text that is not UTF-8 is read as Windows-1252 (see
//! `TextCheck`).
//!
//! [`normalize`]: super::normalize

mod csv;
mod json;
mod memory;
mod parquet;

pub use memory::OUT_OF_MEMORY;

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};

use polars::prelude::*;

use super::catalog::{Catalog, LoadError, Table};
use super::source::{Compression, Format, SourceFile, TableSource, discover};
use super::types::KqlType;
use super::warning::{BadCells, LoadWarning};
use super::{encode, normalize};

/// The message of the [`LoadError`] a cancelled load ends with.
pub const CANCELLED: &str = "loading cancelled";

/// How far loading a table has got, reported after each chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Progress {
    /// The table being loaded (the source's name; a streaming-API envelope
    /// file may turn out to hold several tables).
    pub table: String,
    /// Rows read so far in this table.
    pub rows: usize,
    /// Bytes of the (compressed) input read so far in this table.
    pub bytes: u64,
    /// Total bytes of this table's files on disk.
    pub total_bytes: u64,
}

/// Progress reporting and cancellation for a load.
///
/// The callback runs on the loading thread after each chunk (every few
/// megabytes); setting `cancel` stops the load before the next chunk. So
/// does the machine running short of memory (see `memory`).
pub struct LoadControl<'a> {
    pub progress: &'a (dyn Fn(&Progress) + Sync),
    pub cancel: &'a AtomicBool,
    /// Bytes per chunk of text input; `None` for the default (8 MiB). Tests
    /// set it small to put chunk boundaries in awkward places.
    pub chunk_bytes: Option<usize>,
    /// Memory a load leaves free, in bytes: it stops with an error rather
    /// than take it. `None` for the default, a twentieth of the machine's
    /// memory and at least 512 MiB.
    pub keep_free: Option<u64>,
}

/// Chunks (or bytes of earlier files) a load reads before it looks at the
/// memory left: small loads never stop for want of memory, however little
/// the machine has free.
const MEMORY_CHECK_AFTER_CHUNKS: usize = 4;
const MEMORY_CHECK_AFTER_BYTES: u64 = 64 << 20;

impl<'a> LoadControl<'a> {
    /// A control with the default chunk size and memory reserve.
    pub fn new(progress: &'a (dyn Fn(&Progress) + Sync), cancel: &'a AtomicBool) -> Self {
        LoadControl {
            progress,
            cancel,
            chunk_bytes: None,
            keep_free: None,
        }
    }

    /// Whether the load has been asked to stop.
    pub fn cancelled(&self) -> bool {
        self.cancel.load(Ordering::Relaxed)
    }

    /// Why the load must stop before reading on (its error message:
    /// [`CANCELLED`], or one beginning with [`OUT_OF_MEMORY`]); `None` to go
    /// on. `big` says whether enough has been read for memory to matter.
    pub(crate) fn interrupted(&self, big: bool) -> Option<String> {
        if self.cancelled() {
            return Some(CANCELLED.to_string());
        }
        if big {
            return memory::shortage(self.keep_free);
        }
        None
    }
}

/// Column names with the KQL type they will load as, where known (see
/// [`Preview::columns`]).
pub type ColumnTypes = Vec<(String, Option<KqlType>)>;

/// One table read from a file: named by the file's content where it says
/// (a streaming-API envelope's category), typed, with the cells that could
/// not be read.
pub(crate) struct RawTable {
    pub(crate) name: Option<String>,
    pub(crate) frame: DataFrame,
    pub(crate) bad: Vec<BadCells>,
}

/// What a reader gives back: a table per name (a streaming-API envelope
/// file may hold several), and where the file turned out not to be UTF-8.
pub(crate) struct FileRead {
    pub(crate) tables: Vec<RawTable>,
    pub(crate) not_utf8: Option<NotUtf8>,
}

/// The first byte of a file that is not UTF-8, and its 1-based line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct NotUtf8 {
    pub(crate) line: usize,
    pub(crate) byte: u8,
}

/// Why a reader stopped: the file cannot be loaded, or it has to be read
/// again from the start as Windows-1252 (see [`TextCheck`]).
pub(crate) enum Stop {
    Failed(LoadError),
    Reread(NotUtf8),
}

impl From<LoadError> for Stop {
    fn from(e: LoadError) -> Self {
        Stop::Failed(e)
    }
}

/// How a reader reads the text of its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextMode {
    /// UTF-8, unless some byte is not: see [`TextCheck`].
    Detect,
    /// Windows-1252 throughout: the file was found not to be UTF-8 here.
    Windows1252(NotUtf8),
}

/// A cell or line could not be read because the bytes are not UTF-8:
/// the 0-based line in the chunk, and the byte.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct ChunkNotUtf8 {
    pub(crate) line: usize,
    pub(crate) byte: u8,
}

/// What the text of a parsed chunk was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkText {
    Ascii,
    /// UTF-8 with characters beyond ASCII.
    Utf8,
    /// Not UTF-8 (first bad byte here): parsed as Windows-1252.
    Windows1252(ChunkNotUtf8),
}

impl ChunkText {
    /// The text of a chunk that parsed as UTF-8.
    pub(crate) fn of_utf8(bytes: &[u8]) -> ChunkText {
        // Stops at the first byte beyond ASCII: a full pass only over
        // ASCII, at memory speed, next to the parse itself.
        if bytes.is_ascii() {
            ChunkText::Ascii
        } else {
            ChunkText::Utf8
        }
    }
}

/// Parses a chunk of text as UTF-8 and, if it is not, as Windows-1252.
/// `parse` says `Err(Ok(..))` where the bytes are not UTF-8, `Err(Err(..))`
/// for any other failure. (In [`TextMode::Windows1252`] the chunk is
/// already UTF-8: see [`open`].)
pub(crate) fn parse_text<T, E>(
    bytes: &[u8],
    parse: impl Fn(&[u8]) -> Result<T, Result<ChunkNotUtf8, E>>,
    not_utf8: impl Fn(ChunkNotUtf8) -> E,
) -> Result<(T, ChunkText), E> {
    match parse(bytes) {
        Ok(parsed) => Ok((parsed, ChunkText::of_utf8(bytes))),
        Err(Err(e)) => Err(e),
        Err(Ok(at)) => {
            // Every byte is a character in Windows-1252, so the decoded
            // text parses (or fails for a reason of its own).
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            match parse(text.as_bytes()) {
                Ok(parsed) => Ok((parsed, ChunkText::Windows1252(at))),
                Err(Err(e)) => Err(e),
                Err(Ok(again)) => Err(not_utf8(again)),
            }
        }
    }
}

/// Decides, chunk by chunk in file order, how a file's text is read.
///
/// A file is one encoding: UTF-8, or else Windows-1252 throughout (Excel's
/// "CSV" on Western Windows). Each chunk is parsed as UTF-8 and, if it is
/// not, as Windows-1252 (see [`parse_text`]): no chunk waits for another.
/// The chunks agree when either no chunk has a byte that is not UTF-8, or
/// every chunk before the first such is plain ASCII (which reads the same
/// in both) and none after it has UTF-8 beyond ASCII. That is every real
/// file of one encoding whose first non-ASCII text is not valid UTF-8 by
/// chance, so a Windows-1252 export is read once, however late its first
/// accent. Otherwise (a file mixing the two, or Windows-1252 text whose
/// first accents happen to form UTF-8) the file is read again from the
/// start as Windows-1252 ([`Stop::Reread`]), rather than holding the chunks
/// parsed so far: rare, and at worst one more read of the file.
#[derive(Debug, Default)]
pub(crate) struct TextCheck {
    /// UTF-8 beyond ASCII has been seen.
    utf8: bool,
    /// The first byte that is not UTF-8.
    pub(crate) not_utf8: Option<NotUtf8>,
    /// The mode the file is read in: nothing to decide when it is read as
    /// Windows-1252 from the start.
    decided: bool,
}

impl TextCheck {
    /// A check for a file read in `mode`.
    pub(crate) fn new(mode: TextMode) -> TextCheck {
        match mode {
            TextMode::Detect => TextCheck::default(),
            TextMode::Windows1252(at) => TextCheck {
                utf8: false,
                not_utf8: Some(at),
                decided: true,
            },
        }
    }

    /// Takes the next chunk's text; `line` is the 1-based line where the
    /// chunk starts. `Err` when the file must be read again.
    pub(crate) fn take(&mut self, text: ChunkText, line: usize) -> Result<(), NotUtf8> {
        if self.decided {
            return Ok(());
        }
        match text {
            ChunkText::Ascii => Ok(()),
            ChunkText::Utf8 => match self.not_utf8 {
                Some(at) => Err(at),
                None => {
                    self.utf8 = true;
                    Ok(())
                }
            },
            ChunkText::Windows1252(at) => {
                let at = NotUtf8 {
                    line: line + at.line,
                    byte: at.byte,
                };
                if self.utf8 {
                    return Err(self.not_utf8.unwrap_or(at));
                }
                self.not_utf8.get_or_insert(at);
                Ok(())
            }
        }
    }

    /// Takes the start of a file, read before any chunk (a header, or the
    /// line that tells the shape of JSON lines), `line` being its first
    /// line. When it is not UTF-8, the rest of the file is read as
    /// Windows-1252: returns the input to read on, and the start decoded.
    pub(crate) fn take_start(
        &mut self,
        start: &mut Vec<u8>,
        line: usize,
        input: Box<dyn Read + Send>,
    ) -> Box<dyn Read + Send> {
        if self.decided {
            return input;
        }
        // The start may end inside a character: only a bad byte before
        // that counts.
        let valid = match std::str::from_utf8(start) {
            Ok(_) => start.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(e) => {
                let at = e.valid_up_to();
                self.not_utf8 = Some(NotUtf8 {
                    line: line + count_newlines(&start[..at]),
                    byte: start[at],
                });
                self.decided = true;
                let bom = if start.starts_with(UTF8_BOM) { 3 } else { 0 };
                let (text, _) =
                    encoding_rs::WINDOWS_1252.decode_without_bom_handling(&start[bom..]);
                *start = text.into_owned().into_bytes();
                return Box::new(Windows1252Reader::new(input, false));
            }
        };
        // A UTF-8 byte-order mark is dropped either way: it is no sign.
        let bom = if start.starts_with(UTF8_BOM) { 3 } else { 0 };
        if !start[bom.min(valid)..valid].is_ascii() {
            self.utf8 = true;
        }
        input
    }
}

const UTF8_BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// Counts bytes as they are read from the file on disk, before
/// decompression, so progress is against the file size.
struct Counting<R> {
    inner: R,
    count: Arc<AtomicU64>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.count.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
}

/// Opens a file for streaming reads, decompressing by its extension. Text
/// comes out as UTF-8: UTF-16 (with a byte-order mark) is converted, and so
/// is the whole file in [`TextMode::Windows1252`].
pub(crate) fn open(
    file: &SourceFile,
    counter: Arc<AtomicU64>,
    mode: TextMode,
) -> std::io::Result<Box<dyn Read + Send>> {
    let raw = Counting {
        inner: File::open(&file.path)?,
        count: counter,
    };
    let decoded: Box<dyn Read + Send> = match file.compression {
        Compression::None => Box::new(raw),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            1 << 20,
            raw,
        ))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(raw)?),
    };
    let mut text = BufReader::with_capacity(1 << 20, decoded);
    let start = text.fill_buf()?;
    Ok(match (Utf16::from_bom(start), mode) {
        (Some(order), _) => Box::new(BufReader::with_capacity(
            1 << 20,
            Utf16Reader::new(text, order),
        )),
        (None, TextMode::Windows1252(_)) => Box::new(Windows1252Reader::new(text, true)),
        (None, TextMode::Detect) => Box::new(text),
    })
}

/// Windows-1252 text read as UTF-8 (each byte is one character; the five
/// bytes Windows-1252 leaves undefined are the C1 controls of the same
/// number, as browsers read them).
pub(crate) struct Windows1252Reader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    /// A UTF-8 byte-order mark at the start is dropped, not decoded.
    at_start: bool,
    raw: Vec<u8>,
    /// UTF-8 not yet handed out.
    out: Vec<u8>,
    at: usize,
}

impl<R: Read> Windows1252Reader<R> {
    /// `from_start`: the reader starts at the start of the file, where a
    /// UTF-8 byte-order mark is dropped.
    pub(crate) fn new(inner: R, from_start: bool) -> Self {
        Windows1252Reader {
            inner,
            decoder: encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling(),
            at_start: from_start,
            raw: vec![0; 1 << 16],
            out: Vec::new(),
            at: 0,
        }
    }
}

impl<R: Read> Read for Windows1252Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.out.len() {
            let mut n = self.inner.read(&mut self.raw)?;
            if self.at_start {
                // The mark's three bytes could arrive in separate reads.
                while n < 3 && n > 0 && UTF8_BOM.starts_with(&self.raw[..n]) {
                    let more = self.inner.read(&mut self.raw[n..3])?;
                    if more == 0 {
                        break;
                    }
                    n += more;
                }
                self.at_start = false;
                if self.raw[..n].starts_with(UTF8_BOM) {
                    self.raw.copy_within(3..n, 0);
                    n -= 3;
                }
            }
            if n == 0 {
                return Ok(0);
            }
            self.out.clear();
            self.at = 0;
            let need = self
                .decoder
                .max_utf8_buffer_length_without_replacement(n)
                .unwrap_or(n * 3);
            self.out.resize(need, 0);
            let (_, _, written) = self.decoder.decode_to_utf8_without_replacement(
                &self.raw[..n],
                &mut self.out,
                false,
            );
            self.out.truncate(written);
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Passes bytes through while checking they are UTF-8, for readers that
/// parse a stream whole (a JSON array). At the first byte that is not, the
/// read fails, and [`Utf8Check::found`] says where.
pub(crate) struct Utf8Check<R> {
    inner: R,
    /// 1-based line of the next byte.
    line: usize,
    /// The start of a character that a read split.
    partial: Vec<u8>,
    found: std::rc::Rc<std::cell::Cell<Option<NotUtf8>>>,
}

impl<R: Read> Utf8Check<R> {
    /// `line`: the 1-based line the input starts on. `found` is where the
    /// first bad byte is noted.
    pub(crate) fn new(
        inner: R,
        line: usize,
        found: std::rc::Rc<std::cell::Cell<Option<NotUtf8>>>,
    ) -> Self {
        Utf8Check {
            inner,
            line,
            partial: Vec::new(),
            found,
        }
    }

    fn fail(&mut self, line: usize, byte: u8) -> std::io::Error {
        self.found.set(Some(NotUtf8 { line, byte }));
        std::io::Error::new(std::io::ErrorKind::InvalidData, "text is not UTF-8")
    }
}

impl<R: Read> Read for Utf8Check<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        if n == 0 {
            if let Some(&byte) = self.partial.first() {
                return Err(self.fail(self.line, byte));
            }
            return Ok(0);
        }
        let joined;
        let bytes: &[u8] = if self.partial.is_empty() {
            &buf[..n]
        } else {
            joined = [self.partial.as_slice(), &buf[..n]].concat();
            &joined
        };
        match std::str::from_utf8(bytes) {
            Ok(_) => self.partial.clear(),
            Err(e) if e.error_len().is_none() => {
                self.partial = bytes[e.valid_up_to()..].to_vec();
            }
            Err(e) => {
                let at = e.valid_up_to();
                let line = self.line + count_newlines(&bytes[..at]);
                let byte = bytes[at];
                return Err(self.fail(line, byte));
            }
        }
        self.line += count_newlines(&buf[..n]);
        Ok(n)
    }
}

/// The byte order of UTF-16 text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Utf16 {
    Little,
    Big,
}

impl Utf16 {
    /// The byte order a UTF-16 byte-order mark at the start announces.
    fn from_bom(start: &[u8]) -> Option<Utf16> {
        match start {
            [0xFF, 0xFE, ..] => Some(Utf16::Little),
            [0xFE, 0xFF, ..] => Some(Utf16::Big),
            _ => None,
        }
    }
}

/// UTF-16 text (Excel's "Unicode Text", Windows PowerShell's `Out-File`)
/// read as UTF-8, so every reader sees the one encoding it parses. The
/// byte-order mark becomes UTF-8's, which readers skip; a lone surrogate
/// becomes U+FFFD.
struct Utf16Reader<R> {
    inner: R,
    order: Utf16,
    /// A byte of a code unit split across reads.
    odd: Option<u8>,
    /// A high surrogate waiting for its pair.
    high: Option<u16>,
    /// UTF-8 not yet handed out.
    out: Vec<u8>,
    at: usize,
    raw: Vec<u8>,
}

impl<R: Read> Utf16Reader<R> {
    fn new(inner: R, order: Utf16) -> Self {
        Utf16Reader {
            inner,
            order,
            odd: None,
            high: None,
            out: Vec::new(),
            at: 0,
            raw: vec![0; 1 << 16],
        }
    }

    fn push(&mut self, c: char) {
        let mut b = [0u8; 4];
        self.out.extend_from_slice(c.encode_utf8(&mut b).as_bytes());
    }

    fn unit(&mut self, u: u16) {
        match (self.high.take(), u) {
            (Some(h), 0xDC00..=0xDFFF) => {
                let c = 0x10000 + ((u32::from(h) - 0xD800) << 10) + (u32::from(u) - 0xDC00);
                self.push(char::from_u32(c).unwrap_or('\u{FFFD}'));
            }
            (h, 0xD800..=0xDBFF) => {
                if h.is_some() {
                    self.push('\u{FFFD}');
                }
                self.high = Some(u);
            }
            (h, u) => {
                if h.is_some() {
                    self.push('\u{FFFD}');
                }
                self.push(char::from_u32(u32::from(u)).unwrap_or('\u{FFFD}'));
            }
        }
    }
}

impl<R: Read> Read for Utf16Reader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.out.len() {
            self.out.clear();
            self.at = 0;
            let n = self.inner.read(&mut self.raw)?;
            if n == 0 {
                if self.odd.take().is_some() || self.high.take().is_some() {
                    self.push('\u{FFFD}');
                    continue;
                }
                return Ok(0);
            }
            let mut bytes: Vec<u8> = Vec::with_capacity(n + 1);
            bytes.extend(self.odd.take());
            bytes.extend_from_slice(&self.raw[..n]);
            if bytes.len() % 2 == 1 {
                self.odd = bytes.pop();
            }
            for pair in bytes.chunks_exact(2) {
                let u = match self.order {
                    Utf16::Little => u16::from_le_bytes([pair[0], pair[1]]),
                    Utf16::Big => u16::from_be_bytes([pair[0], pair[1]]),
                };
                self.unit(u);
            }
        }
        let n = buf.len().min(self.out.len() - self.at);
        buf[..n].copy_from_slice(&self.out[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

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

/// What is known of a table before it is loaded, found cheaply (a header
/// line, a Parquet footer): enough to list it at once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    /// The table's name. For a streaming-API envelope file it comes from the
    /// first record's category (the file may hold more tables).
    pub name: String,
    pub files: Vec<PathBuf>,
    /// Bytes of the files on disk.
    pub bytes: u64,
    /// The exact row count where the format records it (Parquet).
    pub rows: Option<u64>,
    /// The columns of the first file, with the KQL type they will load as
    /// where that is known now (documented tables, Parquet); other types are
    /// inferred from the values when loading.
    pub columns: ColumnTypes,
}

/// Describes a table source without reading its data: see [`Preview`].
pub fn peek(source: &TableSource) -> Result<Preview, LoadError> {
    let bytes = source
        .files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    let mut preview = Preview {
        name: source.name.clone(),
        files: source.files.iter().map(|f| f.path.clone()).collect(),
        bytes,
        rows: None,
        columns: Vec::new(),
    };
    let Some(first) = source.files.first() else {
        return Ok(preview);
    };
    match first.format {
        Format::Csv => preview.columns = csv::peek(first)?,
        Format::Json => {
            let (category, columns) = json::peek(first)?;
            if let Some(category) = category.filter(|_| !source.explicit_name) {
                preview.name = category;
            }
            preview.columns = columns;
        }
        Format::Parquet => {
            let mut rows = 0u64;
            for (i, file) in source.files.iter().enumerate() {
                let (n, columns) = parquet::peek(file)?;
                rows += n;
                if i == 0 {
                    preview.columns = columns;
                }
            }
            preview.rows = Some(rows);
        }
    }
    let documented = super::schema::documented(&preview.name);
    for (name, kind) in &mut preview.columns {
        if let Some(t) = normalize::lookup(documented, name) {
            *kind = Some(t);
        }
    }
    Ok(preview)
}

/// Loads every source into a catalog. Files that fail are listed in
/// `catalog.errors`; the other tables still load. Stops between files (and
/// between chunks) when cancelled.
pub fn load_sources(sources: &[TableSource], control: &LoadControl) -> Catalog {
    let mut catalog = Catalog::new();
    for source in sources {
        if control.cancelled() {
            break;
        }
        let (tables, errors) = load_table(source, control);
        catalog.errors.extend(errors);
        for table in tables {
            if let Err(e) = catalog.merge(table) {
                catalog.errors.push(e);
            }
        }
    }
    catalog
}

/// Discovers and loads the paths, with no progress reporting.
pub fn load_paths(paths: &[String]) -> Catalog {
    let (sources, errors) = discover(paths);
    let cancel = AtomicBool::new(false);
    let control = LoadControl::new(&|_| {}, &cancel);
    let mut catalog = load_sources(&sources, &control);
    catalog.errors.splice(0..0, errors);
    catalog
}

/// Loads one table source: each of its files, typed and joined. Returns the
/// tables (one, or several for streaming-API envelope files) and the files
/// that failed. A file that fails adds nothing to its table.
pub fn load_table(source: &TableSource, control: &LoadControl) -> (Vec<Table>, Vec<LoadError>) {
    let sizes: Vec<u64> = source
        .files
        .iter()
        .map(|f| std::fs::metadata(&f.path).map_or(0, |m| m.len()))
        .collect();
    let total_bytes: u64 = sizes.iter().sum();
    let mut errors = Vec::new();
    // Per table name, in order: frames, the files they came from, warnings.
    let mut parts: Vec<Part> = Vec::new();
    let mut done_bytes = 0u64;
    let mut done_rows = 0usize;
    for (file, size) in source.files.iter().zip(&sizes) {
        if let Some(why) = control.interrupted(done_bytes >= MEMORY_CHECK_AFTER_BYTES) {
            errors.push(LoadError::new(&file.path, None, why));
            break;
        }
        let report = |rows: usize, bytes: u64| {
            (control.progress)(&Progress {
                table: source.name.clone(),
                rows: done_rows + rows,
                bytes: done_bytes + bytes.min(*size),
                total_bytes,
            })
        };
        let read = |mode: TextMode| match file.format {
            Format::Csv => csv::read(file, &source.name, &report, control, mode),
            Format::Json => json::read(file, &source.name, &report, control, mode),
            Format::Parquet => parquet::read(file, &source.name, &report, control),
        };
        // Text found not to be UTF-8 too late to switch as it reads is read
        // again, as Windows-1252 (see `TextCheck`).
        let result = match read(TextMode::Detect) {
            Err(Stop::Reread(at)) => read(TextMode::Windows1252(at)),
            result => result,
        };
        done_bytes += size;
        match result {
            Ok(FileRead { tables, not_utf8 }) => {
                for raw in tables {
                    let name = match raw.name {
                        Some(n) if !source.explicit_name => n,
                        _ => source.name.clone(),
                    };
                    done_rows += raw.frame.height();
                    let i = match parts.iter().position(|p| p.name == name) {
                        Some(i) => i,
                        None => {
                            parts.push(Part {
                                name,
                                frames: Vec::new(),
                                files: Vec::new(),
                                warnings: Vec::new(),
                            });
                            parts.len() - 1
                        }
                    };
                    let part = &mut parts[i];
                    part.frames.push(raw.frame);
                    part.files.push(file.path.clone());
                    if let Some(NotUtf8 { line, byte }) = not_utf8 {
                        part.warnings.push(LoadWarning::Windows1252 {
                            path: file.path.clone(),
                            line,
                            byte,
                        });
                    }
                    part.warnings
                        .extend(raw.bad.into_iter().map(LoadWarning::BadCells));
                }
            }
            Err(Stop::Failed(e)) => {
                let stop = e.is_cancelled() || e.message.starts_with(OUT_OF_MEMORY);
                errors.push(e);
                if stop {
                    break;
                }
            }
            // Read as Windows-1252, every byte is text: this cannot happen.
            Err(Stop::Reread(at)) => errors.push(LoadError::new(
                &file.path,
                Some(at.line),
                format!("not valid UTF-8 (byte 0x{:02X})", at.byte),
            )),
        }
    }
    let mut tables = Vec::new();
    for Part {
        name,
        frames,
        mut files,
        warnings,
    } in parts
    {
        files.dedup();
        match concat_frames(frames) {
            Ok(frame) => tables.push(Table {
                name,
                frame,
                files,
                warnings,
            }),
            Err(e) => errors.push(LoadError::new(
                files.first().map_or(Path::new(""), |p| p.as_path()),
                None,
                format!("the files of table {name} do not fit together: {e}"),
            )),
        }
    }
    (tables, errors)
}

/// The part of a table read so far.
struct Part {
    name: String,
    frames: Vec<DataFrame>,
    files: Vec<PathBuf>,
    warnings: Vec<LoadWarning>,
}

/// Concatenates typed frames by column name: a column missing from some
/// frames is filled with nulls ("" for strings), and a column typed
/// differently in two frames is widened (see `normalize::assemble`). The
/// table's repetitive text columns are then dictionary-encoded (see
/// `encode`): this is where every loaded table is finished.
pub(crate) fn concat_frames(mut frames: Vec<DataFrame>) -> PolarsResult<DataFrame> {
    let frame = if frames.len() == 1
        && let Some(frame) = frames.pop()
    {
        frame
    } else {
        normalize::assemble(frames)?
    };
    encode::encode_frame(frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf16_reader_reads_any_split_and_replaces_lone_surrogates() {
        let units: Vec<u16> = "aé😀".encode_utf16().chain([0xD800, 0x41]).collect();
        let bytes: Vec<u8> = units.iter().flat_map(|u| u.to_le_bytes()).collect();
        // One byte at a time: code units and surrogate pairs split by reads.
        struct Trickle(Vec<u8>, usize);
        impl Read for Trickle {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                if self.1 == self.0.len() || buf.is_empty() {
                    return Ok(0);
                }
                buf[0] = self.0[self.1];
                self.1 += 1;
                Ok(1)
            }
        }
        let mut out = String::new();
        Utf16Reader::new(Trickle(bytes, 0), Utf16::Little)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "aé😀\u{FFFD}A");
        // An odd last byte.
        let mut out = String::new();
        Utf16Reader::new(&[0x41, 0x00, 0x42][..], Utf16::Little)
            .read_to_string(&mut out)
            .unwrap();
        assert_eq!(out, "A\u{FFFD}");
    }

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
