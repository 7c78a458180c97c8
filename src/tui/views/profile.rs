//! The file-profile panel beside a rule's hits: what the file is, how
//! trustworthy it looks, how common it is worldwide, and why the rule
//! fired for this hit.

use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Style;

use super::common::{fill, put, wrap};
use crate::hunt::verdict::Why;
use crate::hunt::verdict::relative_words;
use crate::kql::value::Scalar;
use crate::session::hits::Hits;
use crate::session::investigation::Step;
use crate::text::thousands;
use crate::tui::theme::Theme;

/// Columns the label takes.
const LABEL_W: usize = 12;
/// Most lines one value takes.
const MAX_VALUE_LINES: usize = 2;
/// The prevalence bar's full width stands for this many devices (10^7).
const PREVALENCE_DECADES: f64 = 7.0;

/// The style of a `SignatureState` value.
pub fn signature_style(theme: &Theme, state: &str) -> Style {
    match state {
        "SignedValid" => theme.signature.calm,
        "Unsigned" | "SignedInvalid" => theme.signature.alarm,
        _ => theme.signature.warn,
    }
}

/// A logarithmic bar for a prevalence: 1 device is a sliver, 10 million fills it.
pub fn prevalence_bar(prevalence: i64, width: usize) -> String {
    let v = (prevalence.max(0) as f64 + 1.0).log10();
    super::table::bar(v, PREVALENCE_DECADES, width)
}

/// The age of a global first/last seen time against the hit, in words.
pub fn seen_words(what: &str, seen: i64, hit: i64) -> String {
    format!(
        "{what} worldwide {} this connection",
        relative_words(hit - seen)
    )
}

/// Sentences cut at spaces into lines of at most `width` columns (a word
/// longer than a line is cut), at most `max_lines`.
pub fn word_wrap(text: &str, width: usize, max_lines: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let used = crate::text::display_width(&line);
        let need = crate::text::display_width(word) + usize::from(!line.is_empty());
        if used + need > width && !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    let mut out = Vec::new();
    for l in lines {
        out.extend(wrap(&l, width, max_lines));
    }
    if out.len() > max_lines {
        out.truncate(max_lines);
        if let Some(last) = out.last_mut() {
            *last = wrap(&format!("{last} …"), width, 1).remove(0);
        }
    }
    out
}

struct Panel<'a> {
    buf: &'a mut Buffer,
    x: u16,
    y: u16,
    bottom: u16,
    w: usize,
    theme: &'a Theme,
}

impl Panel<'_> {
    fn full(&self) -> bool {
        self.y >= self.bottom
    }

    fn line(&mut self, text: &str, style: Style) {
        if self.full() {
            return;
        }
        put(self.buf, self.x, self.y, text, self.w, style);
        self.y += 1;
    }

    fn field(&mut self, label: &str, value: &str, style: Style) {
        if self.full() {
            return;
        }
        let label_style = self.theme.normal.patch(self.theme.marked_column);
        put(self.buf, self.x, self.y, label, LABEL_W, label_style);
        let vw = self.w.saturating_sub(LABEL_W).max(1);
        let vx = self.x + LABEL_W as u16;
        if value.is_empty() {
            put(self.buf, vx, self.y, "·", vw, self.theme.dim);
            self.y += 1;
            return;
        }
        for line in wrap(value, vw, MAX_VALUE_LINES) {
            if self.full() {
                break;
            }
            put(self.buf, vx, self.y, &line, vw, style);
            self.y += 1;
        }
    }
}

/// Draws the panel for the hit under the cursor.
pub fn draw(buf: &mut Buffer, area: Rect, step: &Step, hits: &Hits, theme: &Theme) {
    fill(buf, area, theme.normal);
    if area.width < 8 || area.height == 0 {
        return;
    }
    for y in area.top()..area.bottom() {
        put(buf, area.x, y, "│", 1, theme.border);
    }
    let rows = step.rows.height();
    let mut p = Panel {
        x: area.x + 2,
        y: area.y,
        bottom: area.bottom(),
        w: usize::from(area.width - 2),
        buf,
        theme,
    };
    if rows == 0 {
        p.line("no hits", theme.header);
        return;
    }
    let row = step.current_row();
    p.line(
        &format!(
            "hit {} of {}",
            thousands(row as u64 + 1),
            thousands(rows as u64)
        ),
        theme.header,
    );
    let get = |name: &str| -> Option<Scalar> {
        step.columns
            .iter()
            .position(|c| c.name == name)
            .map(|c| step.cell(row, c))
    };
    let text = |name: &str| get(name).map(|v| v.to_text().into_owned());
    let normal = theme.normal;
    for (label, column) in [
        ("File", "InitiatingProcessFileName"),
        ("Folder", "InitiatingProcessFolderPath"),
        ("Command", "InitiatingProcessCommandLine"),
    ] {
        if let Some(v) = text(column) {
            p.field(label, &v, normal);
        }
    }
    for (label, column) in [
        ("SHA1", "InitiatingProcessSHA1"),
        ("SHA256", "InitiatingProcessSHA256"),
        ("MD5", "InitiatingProcessMD5"),
    ] {
        if let Some(v) = text(column).or_else(|| text(label)) {
            p.field(label, &v, normal);
        }
    }
    for (label, column) in [("Signer", "Signer"), ("Issuer", "Issuer")] {
        if let Some(v) = text(column).filter(|v| !v.is_empty()) {
            p.field(label, &v, normal);
        }
    }
    let state = text("SignatureState").unwrap_or_default();
    let shown = if state.is_empty() { "unknown" } else { &state };
    p.field("Signature", shown, signature_style(theme, &state));
    match get("GlobalPrevalence") {
        Some(Scalar::Long(n)) => {
            let label = thousands(n.max(0) as u64);
            let bar_w = p.w.saturating_sub(LABEL_W + label.len() + 1);
            p.field(
                "Prevalence",
                &format!("{label} {}", prevalence_bar(n, bar_w)),
                normal,
            );
        }
        Some(Scalar::Int(n)) => p.field("Prevalence", &n.to_string(), normal),
        _ => p.field("Prevalence", "unknown", theme.signature.warn),
    }
    let hit_time = match get("Timestamp") {
        Some(Scalar::Datetime(t)) => Some(t),
        _ => None,
    };
    for (label, column, what) in [
        ("First seen", "GlobalFirstSeen", "first seen"),
        ("Last seen", "GlobalLastSeen", "last seen"),
    ] {
        match get(column) {
            Some(Scalar::Datetime(t)) => {
                p.field(label, &Scalar::Datetime(t).to_text(), normal);
                if let Some(hit) = hit_time {
                    let words = seen_words(what, t, hit);
                    let vw = p.w.saturating_sub(2);
                    for line in word_wrap(&words, vw, MAX_VALUE_LINES) {
                        let (x, y) = (p.x + 2, p.y);
                        if p.full() {
                            break;
                        }
                        put(p.buf, x, y, &line, vw, theme.dim);
                        p.y += 1;
                    }
                }
            }
            Some(_) => p.field(label, "unknown", theme.signature.warn),
            None => {}
        }
    }
    if let Some(v) = text("DeviceNamesSample") {
        p.field("Devices", &v, normal);
    }
    if let Some(v) = text("ThreatName").filter(|v| !v.is_empty()) {
        p.field("Threat", &v, theme.signature.alarm);
    }
    p.line("why it fired", theme.header);
    let vw = p.w.saturating_sub(2);
    match hits.why_at(step, row) {
        Some(Why::Failed(reasons)) => {
            for reason in reasons {
                for (i, line) in word_wrap(reason, vw, MAX_VALUE_LINES).iter().enumerate() {
                    let lead = if i == 0 { "• " } else { "  " };
                    p.line(&format!("{lead}{line}"), normal);
                }
            }
        }
        Some(Why::Unknown(why)) => {
            for line in word_wrap(&format!("unknown: {why}"), vw, MAX_VALUE_LINES) {
                p.line(&format!("  {line}"), theme.dim);
            }
        }
        None => p.line("  unknown: this view is not the rule's hits", theme.dim),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prevalence_bars_are_logarithmic() {
        assert_eq!(prevalence_bar(0, 7), "");
        assert_eq!(prevalence_bar(9, 7), "█");
        assert_eq!(prevalence_bar(9_999_999, 7), "███████");
    }

    #[test]
    fn sentences_wrap_at_spaces() {
        assert_eq!(word_wrap("ab cd ef", 5, 3), vec!["ab cd", "ef"]);
        assert_eq!(word_wrap("abcdefgh", 4, 3), vec!["abcd", "efgh"]);
        assert_eq!(word_wrap("", 4, 3), vec![""]);
    }

    #[test]
    fn ages_against_the_hit() {
        let min = 60 * 1_000_000_000;
        assert_eq!(
            seen_words("first seen", 0, 20 * min),
            "first seen worldwide 20 minutes before this connection"
        );
    }
}
