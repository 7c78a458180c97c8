//! Making attacker-controlled text safe and tidy to put on a terminal.
//!
//! Every cell Quarry shows comes from an exported log: command lines, URLs,
//! file names, registry values. Any of them may carry escape sequences that
//! would recolour, move the cursor, retitle the window or rewrite the
//! clipboard if written raw, or bidi overrides that make `evil.exe` read as
//! `exe.live`. [`escape_for_terminal`] turns all of those into visible text.
//!
//! # Escape scheme
//!
//! | character                                    | shown as      |
//! |----------------------------------------------|---------------|
//! | ESC (U+001B)                                 | `\e`          |
//! | CR, LF, TAB                                  | `\r` `\n` `\t` |
//! | any other C0 control (U+0000–U+001F), DEL (U+007F), C1 control (U+0080–U+009F) | `\u{XX}` (lowercase hex, at least two digits) |
//! | bidi controls U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069 | `\u{XXXX}` |
//! | line/paragraph separators U+2028, U+2029     | `\u{XXXX}`    |
//!
//! Backslashes in the data are *not* doubled: Windows paths are the most
//! common thing an analyst reads, and `C:\\Windows\\System32` is much
//! harder to read than `C:\Windows\System32`. So the escaped form is for display only and is not reversible
//! (a literal `\e` in the data looks like an escaped ESC). Copy and export use
//! the raw value, never this one.

use std::borrow::Cow;

use unicode_width::{UnicodeWidthChar, UnicodeWidthStr};

/// Returns `s` with every control character, DEL, C1 control, bidi control
/// and line/paragraph separator replaced by a visible escape (see the module
/// docs for the scheme).
///
/// Borrows `s` when nothing needs escaping, which is the common case: this
/// runs for every visible cell on every frame, so the scan is a byte loop that
/// only decodes a character at the three UTF-8 lead bytes that can start an
/// escapable non-ASCII character.
pub fn escape_for_terminal(s: &str) -> Cow<'_, str> {
    let Some(first) = first_escape(s) else {
        return Cow::Borrowed(s);
    };
    let mut out = String::with_capacity(s.len() + 8);
    out.push_str(&s[..first]);
    for c in s[first..].chars() {
        push_escaped(&mut out, c);
    }
    Cow::Owned(out)
}

/// True when `c` must not reach the terminal as itself.
pub fn needs_escape(c: char) -> bool {
    matches!(
        c,
        '\u{0}'..='\u{1f}'
            | '\u{7f}'..='\u{9f}'
            | '\u{61c}'
            | '\u{200e}'
            | '\u{200f}'
            | '\u{2028}'..='\u{202e}'
            | '\u{2066}'..='\u{2069}'
    )
}

/// Appends `c` to `out`, escaped if [`needs_escape`] says so.
pub fn push_escaped(out: &mut String, c: char) {
    use std::fmt::Write as _;
    match c {
        '\u{1b}' => out.push_str("\\e"),
        '\r' => out.push_str("\\r"),
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        c if needs_escape(c) => {
            // Two hex digits minimum keeps `\u{07}` from looking like a typo of `\u{7}`.
            let _ = write!(out, "\\u{{{:02x}}}", c as u32);
        }
        c => out.push(c),
    }
}

/// Byte offset of the first character that needs escaping.
fn first_escape(s: &str) -> Option<usize> {
    let bytes = s.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b < 0x20 || b == 0x7f {
                return Some(i);
            }
            i += 1;
        } else if matches!(b, 0xc2 | 0xd8 | 0xe2) {
            // 0xC2 starts U+0080–U+00BF (the C1 block), 0xD8 starts U+061C,
            // 0xE2 starts U+2000–U+2FFF (the other bidi controls). Any other
            // byte, lead or continuation, cannot begin an escapable char.
            let c = s[i..].chars().next().expect("i is on a char boundary");
            if needs_escape(c) {
                return Some(i);
            }
            i += c.len_utf8();
        } else {
            i += 1;
        }
    }
    None
}

/// Display width of `s` in terminal columns (East Asian wide characters count
/// two, combining marks zero).
pub fn display_width(s: &str) -> usize {
    s.width()
}

/// Shortens `s` to at most `width` terminal columns, ending with `…` when
/// anything was cut.
///
/// Widths are summed per character so that a cut never splits a wide
/// character: if a two-column character does not fit before the ellipsis the
/// result is one column narrower than `width`. Apply it to already escaped
/// text: raw control characters have no meaningful width.
pub fn truncate_to_width(s: &str, width: usize) -> String {
    if s.width() <= width {
        return s.to_string();
    }
    if width == 0 {
        return String::new();
    }
    let budget = width - 1; // one column for the ellipsis
    let mut used = 0;
    let mut end = 0;
    for (i, c) in s.char_indices() {
        let w = c.width().unwrap_or(0);
        if used + w > budget {
            break;
        }
        used += w;
        end = i + c.len_utf8();
    }
    let mut out = String::with_capacity(end + '…'.len_utf8());
    out.push_str(&s[..end]);
    out.push('…');
    out
}

/// 1-based line and column (counted in characters) of byte `offset` in
/// `text`, for error messages of the form `file:line:col: message`.
///
/// An offset past the end, or inside a character, is clamped to the nearest
/// preceding character boundary.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// A count with its thousands grouped: `2500000000` as `2,500,000,000`,
/// as every count Quarry shows is written.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn esc(s: &str) -> String {
        escape_for_terminal(s).into_owned()
    }

    #[test]
    fn plain_text_is_borrowed() {
        for s in [
            "",
            "powershell.exe -nop -w hidden",
            r"C:\Windows\System32\cmd.exe",
            "日本語のファイル.txt",
            "café naïve Ünïcödé",
            "emoji 🔥 and arrows →",
            "\u{a0}nbsp and \u{ad}soft hyphen", // U+00A0/U+00AD share lead byte 0xC2 with C1
            "Arabic \u{627}\u{644}\u{639}\u{631}\u{628}\u{64a}\u{629}", // 0xD8/0xD9 lead bytes
            "dash \u{2014} quote \u{201c}x\u{201d} bullet \u{2022}", // 0xE2 lead byte, not bidi
        ] {
            assert!(
                matches!(escape_for_terminal(s), Cow::Borrowed(_)),
                "should borrow {s:?}"
            );
            assert_eq!(esc(s), s);
        }
    }

    #[test]
    fn named_escapes() {
        assert_eq!(esc("a\rb\nc\td\u{1b}e"), r"a\rb\nc\td\ee");
    }

    #[test]
    fn ansi_and_osc_sequences_are_defused() {
        assert_eq!(esc("\u{1b}[31mred\u{1b}[0m"), r"\e[31mred\e[0m");
        assert_eq!(esc("\u{1b}]0;owned\u{7}"), r"\e]0;owned\u{07}");
        assert_eq!(
            esc("\u{1b}]52;c;ZWNobyBwd25lZA==\u{1b}\\"),
            r"\e]52;c;ZWNobyBwd25lZA==\e\"
        );
        assert_eq!(esc("\u{1b}[2J\u{1b}[H"), r"\e[2J\e[H");
    }

    #[test]
    fn other_c0_del_and_c1() {
        assert_eq!(esc("\0"), r"\u{00}");
        assert_eq!(esc("\u{8}\u{b}\u{c}\u{1f}"), r"\u{08}\u{0b}\u{0c}\u{1f}");
        assert_eq!(esc("x\u{7f}y"), r"x\u{7f}y");
        // C1: CSI (U+009B) is a one-character ESC [ on some terminals.
        assert_eq!(esc("\u{9b}31m"), r"\u{9b}31m");
        assert_eq!(esc("\u{80}\u{85}\u{9d}\u{9f}"), r"\u{80}\u{85}\u{9d}\u{9f}");
    }

    #[test]
    fn bidi_controls() {
        // The classic "RLO" file name trick: invoice\u202Efdp.exe reads as invoiceexe.pdf.
        assert_eq!(esc("invoice\u{202e}fdp.exe"), r"invoice\u{202e}fdp.exe");
        assert_eq!(
            esc("\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}"),
            r"\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}"
        );
        assert_eq!(
            esc("\u{2066}\u{2067}\u{2068}\u{2069}"),
            r"\u{2066}\u{2067}\u{2068}\u{2069}"
        );
        assert_eq!(esc("\u{200e}\u{200f}\u{61c}"), r"\u{200e}\u{200f}\u{61c}");
        assert_eq!(esc("a\u{2028}b\u{2029}c"), r"a\u{2028}b\u{2029}c");
    }

    #[test]
    fn escaping_keeps_surrounding_non_ascii() {
        assert_eq!(esc("日本\u{1b}語"), r"日本\e語");
        assert_eq!(esc("é\u{202e}ü\n"), r"é\u{202e}ü\n");
    }

    #[test]
    fn no_raw_control_survives() {
        let hostile: String = (0u32..0x3000)
            .filter_map(char::from_u32)
            .collect::<String>();
        let out = esc(&hostile);
        assert!(!out.chars().any(needs_escape));
    }

    #[test]
    fn truncation_fits_and_marks() {
        assert_eq!(truncate_to_width("hello", 5), "hello");
        assert_eq!(truncate_to_width("hello", 10), "hello");
        assert_eq!(truncate_to_width("hello world", 5), "hell…");
        assert_eq!(truncate_to_width("hello", 1), "…");
        assert_eq!(truncate_to_width("hello", 0), "");
        assert_eq!(truncate_to_width("", 0), "");
    }

    #[test]
    fn truncation_never_splits_wide_chars() {
        // Each of these is two columns wide.
        assert_eq!(truncate_to_width("日本語", 6), "日本語");
        assert_eq!(truncate_to_width("日本語", 5), "日本…");
        assert_eq!(truncate_to_width("日本語", 4), "日…"); // 2 + 1, one column short
        assert_eq!(display_width(&truncate_to_width("日本語", 4)), 3);
        assert_eq!(truncate_to_width("a日本", 4), "a日…");
        assert_eq!(truncate_to_width("日本語", 2), "…");
        assert_eq!(truncate_to_width("🔥🔥🔥", 3), "🔥…");
    }

    #[test]
    fn truncation_keeps_combining_marks() {
        // "e" + COMBINING ACUTE is one column.
        assert_eq!(
            truncate_to_width("e\u{301}e\u{301}e\u{301}", 2),
            "e\u{301}…"
        );
    }

    #[test]
    fn line_col_counts_chars() {
        let text = "a = 1\nbé = 2\n";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 4), (1, 5));
        assert_eq!(line_col(text, 6), (2, 1));
        assert_eq!(line_col(text, 9), (2, 3)); // after the two-byte é
        assert_eq!(line_col(text, 8), (2, 2)); // inside é: clamped back
        assert_eq!(line_col(text, 999), (3, 1));
    }

    #[test]
    fn digits_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1000), "1,000");
        assert_eq!(thousands(5_000_000), "5,000,000");
    }
}
