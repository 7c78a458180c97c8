//! The text of a file as the readers see it: decompressed, UTF-16 turned
//! into UTF-8, and Windows-1252 (Excel's "CSV" on Western Windows) read as
//! what it is, with the first byte that is not UTF-8 noted for a warning.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::NotUtf8;
use super::chunks::count_newlines;
use crate::data::source::{Compression, SourceFile};

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
}
