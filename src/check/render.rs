//! The human report of `check`, rendered by hand: byte for byte what codespan-reporting prints for the diagnostics `check` emits.
//!
//! Why by hand: codespan-reporting builds a B-tree, owned strings and a `dyn` writer for
//! every diagnostic, and writes every character of the source line through `write!` and
//! a colour call; with 100,000 diagnostics in a 10,000-digest workspace that was nearly
//! half of `check`. Here a diagnostic is a few appends to one buffer.
//!
//! Only the shapes `check` emits are handled: every label on a single line, with
//! codespan's configuration in `check` (ASCII characters, tabs of 4, no context lines).
//! A label over several lines, or two labels with the same range on one line (whose
//! order codespan leaves to its binary search), makes `diagnostic` return `false`, and
//! the caller renders that diagnostic with codespan. The tests compare both renderers.

use std::ops::Range;

use unicode_width::UnicodeWidthChar;

use super::SourceFiles;
use crate::diagnostics::Severity;
use crate::text::{col_of_byte, Encoding};

/// Codespan's default tab width.
const TAB_WIDTH: usize = 4;

/// A label of a diagnostic: a byte range (clamped to the text and to char boundaries)
/// in file `file` of the `SourceFiles`.
pub(super) struct Label<'a> {
    pub file: usize,
    pub range: Range<usize>,
    pub primary: bool,
    pub message: &'a str,
}

/// The styles codespan's default `Styles` uses, by role.
#[derive(Clone, Copy)]
enum Style {
    Header(Severity),
    Message,
    /// Line numbers, borders and note bullets share one style.
    Border,
    Label {
        primary: bool,
    },
}

const RESET: &[u8] = b"\x1b[0m";

/// The escape sequence termcolor writes for a style: every `ColorSpec` resets first;
/// headers are bold and intense (256-colour codes), labels plain colours.
fn escape(style: Style, severity: Severity) -> &'static [u8] {
    match style {
        Style::Header(Severity::Error) => b"\x1b[0m\x1b[1m\x1b[38;5;9m",
        Style::Header(Severity::Warning) => b"\x1b[0m\x1b[1m\x1b[38;5;11m",
        Style::Header(Severity::Information) => b"\x1b[0m\x1b[1m\x1b[38;5;10m",
        Style::Header(Severity::Hint) => b"\x1b[0m\x1b[1m\x1b[38;5;14m",
        Style::Message => b"\x1b[0m\x1b[1m",
        Style::Border | Style::Label { primary: false } => b"\x1b[0m\x1b[36m",
        Style::Label { primary: true } => match severity {
            Severity::Error => b"\x1b[0m\x1b[31m",
            Severity::Warning => b"\x1b[0m\x1b[33m",
            Severity::Information => b"\x1b[0m\x1b[32m",
            Severity::Hint => b"\x1b[0m\x1b[36m",
        },
    }
}

/// Codespan's names: `Information` is a note and `Hint` a help.
fn severity_name(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Information => "note",
        Severity::Hint => "help",
    }
}

struct Out<'o> {
    buf: &'o mut Vec<u8>,
    colour: bool,
    severity: Severity,
}

impl Out<'_> {
    fn set(&mut self, style: Style) {
        if self.colour {
            self.buf.extend_from_slice(escape(style, self.severity));
        }
    }

    fn reset(&mut self) {
        if self.colour {
            self.buf.extend_from_slice(RESET);
        }
    }

    fn str(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    fn byte(&mut self, b: u8) {
        self.buf.push(b);
    }

    fn repeat(&mut self, b: u8, n: usize) {
        self.buf.resize(self.buf.len() + n, b);
    }

    fn styled(&mut self, style: Style, s: &str) {
        self.set(style);
        self.str(s);
        self.reset();
    }

    /// `n` in decimal, right-aligned in `width` columns.
    fn number(&mut self, n: usize, width: usize) {
        let mut buf = itoa::Buffer::new();
        let digits = buf.format(n);
        self.repeat(b' ', width.saturating_sub(digits.len()));
        self.buf.extend_from_slice(digits.as_bytes());
    }

    /// The gutter left of the border: as wide as the widest line number, and a space.
    fn gutter(&mut self, pad: usize) {
        self.repeat(b' ', pad + 1);
    }

    fn border(&mut self, pad: usize) {
        self.gutter(pad);
        self.styled(Style::Border, "|");
    }
}

/// A label placed on its line: the range relative to the line's start, at least one
/// byte wide (codespan draws one caret for an empty range).
struct Placed<'a> {
    /// Index into `Scratch::groups`.
    group: usize,
    line: usize,
    range: Range<usize>,
    primary: bool,
    message: &'a str,
}

/// The labels of one file, in the order files first appear among the labels.
struct Group {
    file: usize,
    /// Where the locus points: the first primary label, else the first label
    /// (primary?, byte offset, line).
    locus: (bool, usize, usize),
}

/// Buffers reused from one diagnostic to the next, so that a diagnostic allocates nothing.
#[derive(Default)]
pub(super) struct Scratch<'a> {
    groups: Vec<Group>,
    placed: Vec<Placed<'a>>,
}

fn digits(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// Fills `scratch` with the labels by file, line and range, and returns the width of
/// the line numbers; `None` for a shape this renderer leaves to codespan.
fn plan<'a>(files: &SourceFiles, labels: &[Label<'a>], scratch: &mut Scratch<'a>) -> Option<usize> {
    scratch.groups.clear();
    scratch.placed.clear();
    let mut pad = 0;
    for label in labels {
        let (_, text, index) = files.files.get(label.file)?;
        let line = index.line_of(label.range.start);
        let span = index.line_span(text, line)?;
        // Up to the end of the line's text the end is on the same line; past it (in the
        // line break, or beyond) only a second lookup tells.
        if label.range.end > span.end && index.line_of(label.range.end) != line {
            return None;
        }
        pad = pad.max(digits(line + 1));
        let start = label.range.start.checked_sub(span.start)?;
        let end = label.range.end.checked_sub(span.start)?.max(start + 1);
        let group = match scratch.groups.iter().position(|g| g.file == label.file) {
            Some(g) => g,
            None => {
                scratch.groups.push(Group { file: label.file, locus: (label.primary, label.range.start, line) });
                scratch.groups.len() - 1
            }
        };
        let g = &mut scratch.groups[group];
        let (primary, at, _) = g.locus;
        if (label.primary && !primary) || (label.primary == primary && label.range.start < at) {
            g.locus = (label.primary, label.range.start, line);
        }
        scratch.placed.push(Placed { group, line, range: start..end, primary: label.primary, message: label.message });
    }
    scratch.placed.sort_unstable_by_key(|p| (p.group, p.line, p.range.start, p.range.end));
    let same = |a: &Placed, b: &Placed| (a.group, a.line, &a.range) == (b.group, b.line, &b.range);
    if scratch.placed.windows(2).any(|w| same(&w[0], &w[1])) {
        return None;
    }
    Some(pad)
}

/// Renders one diagnostic into `buf` as codespan's rich format would, and returns
/// true; returns false without writing for a shape it leaves to codespan.
#[allow(clippy::too_many_arguments)]
pub(super) fn diagnostic<'a>(
    buf: &mut Vec<u8>,
    colour: bool,
    files: &SourceFiles,
    severity: Severity,
    code: &str,
    message: &str,
    labels: &[Label<'a>],
    notes: &[String],
    scratch: &mut Scratch<'a>,
) -> bool {
    let Some(pad) = plan(files, labels, scratch) else { return false };
    let mut out = Out { buf, colour, severity };

    out.set(Style::Header(severity));
    out.str(severity_name(severity));
    if !code.is_empty() {
        out.byte(b'[');
        out.str(code);
        out.byte(b']');
    }
    out.set(Style::Message);
    out.str(": ");
    out.str(message);
    out.reset();
    out.byte(b'\n');

    let placed = &scratch.placed[..];
    for (g, group) in scratch.groups.iter().enumerate() {
        let (name, text, index) = &files.files[group.file];
        let line_text = |i: usize| index.line_span(text, i).map_or("", |s| &text[s.range()]);
        let (_, at, line) = group.locus;
        let line_start = index.line_span(text, line).map_or(0, |s| s.start);
        out.gutter(pad);
        out.styled(Style::Border, "-->");
        out.byte(b' ');
        out.str(name);
        out.byte(b':');
        out.number(line + 1, 0);
        out.byte(b':');
        // As `LineIndex::position` counts: an offset in the line break is the line's end.
        out.number(col_of_byte(line_text(line), at - line_start, Encoding::Utf32) as usize + 1, 0);
        out.byte(b'\n');
        out.border(pad);
        out.byte(b'\n');

        let first = placed.partition_point(|p| p.group < g);
        let last = placed.partition_point(|p| p.group <= g);
        let mut rest = &placed[first..last];
        while let Some(head) = rest.first() {
            let on_line = rest.partition_point(|p| p.line == head.line);
            let (labels, tail) = rest.split_at(on_line);
            rest = tail;
            source_line(&mut out, pad, head.line + 1, line_text(head.line), labels);
            let Some(next) = rest.first() else { continue };
            match next.line - head.line {
                1 => {}
                // One line between two labelled lines is shown rather than elided.
                2 => source_line(&mut out, pad, head.line + 2, line_text(head.line + 1), &[]),
                _ => {
                    out.gutter(pad);
                    out.styled(Style::Border, ".");
                    out.byte(b'\n');
                }
            }
        }
        if g + 1 < scratch.groups.len() || !notes.is_empty() {
            out.border(pad);
            out.byte(b'\n');
        }
    }

    for note in notes {
        for (i, line) in note.lines().enumerate() {
            out.gutter(pad);
            if i == 0 {
                out.styled(Style::Border, "=");
            } else {
                out.byte(b' ');
            }
            out.byte(b' ');
            out.str(line);
            out.byte(b'\n');
        }
    }
    out.byte(b'\n');
    true
}

/// Columns taken by `ch` at column `col`: tabs reach the next tab stop.
fn width(ch: char, col: usize) -> usize {
    match ch {
        '\t' => TAB_WIDTH - col % TAB_WIDTH,
        _ => ch.width().unwrap_or(0),
    }
}

fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    a.start.max(b.start) < a.end.min(b.end)
}

/// The strongest style of the labels over bytes `at`: primary wins over secondary.
fn style_at<'l, 'a: 'l>(labels: impl Iterator<Item = &'l Placed<'a>>) -> Option<bool> {
    labels.map(|l| l.primary).max()
}

/// A source line with its number, then its labels: a line of carets with the last
/// label's message after it when it overlaps no other label, then a line of pointers
/// and one line per other message, the rightmost first.
fn source_line(out: &mut Out, pad: usize, number: usize, source: &str, labels: &[Placed]) {
    let source = source.trim_end_matches(['\n', '\r', '\0']);
    out.set(Style::Border);
    out.number(number, pad);
    out.reset();
    out.byte(b' ');
    out.styled(Style::Border, "|");
    out.byte(b' ');
    let colours_source = out.colour && labels.iter().any(|l| l.primary);
    if !colours_source && !source.contains('\t') {
        out.str(source);
    } else {
        // The characters under a primary label are coloured; tabs become spaces. Text
        // is copied in runs between those points.
        let mut col = 0;
        let mut in_primary = false;
        let mut copied = 0;
        for (i, ch) in source.char_indices() {
            let w = width(ch, col);
            col += w;
            let here = i..i + ch.len_utf8();
            let primary = colours_source && labels.iter().any(|l| l.primary && overlaps(&l.range, &here));
            if primary != in_primary {
                out.str(&source[copied..i]);
                copied = i;
                if primary {
                    out.set(Style::Label { primary: true });
                } else {
                    out.reset();
                }
                in_primary = primary;
            }
            if ch == '\t' {
                out.str(&source[copied..i]);
                out.repeat(b' ', w);
                copied = here.end;
            }
        }
        out.str(&source[copied..]);
        if in_primary {
            out.reset();
        }
    }
    out.byte(b'\n');
    if labels.is_empty() {
        return;
    }

    let mut messages = 0;
    let mut max_start = 0;
    let mut max_end = 0;
    let mut trailing = None;
    for (i, l) in labels.iter().enumerate() {
        messages += usize::from(!l.message.is_empty());
        max_start = max_start.max(l.range.start);
        max_end = max_end.max(l.range.end);
        if l.range.end == max_end {
            trailing = (!l.message.is_empty()).then_some(i);
        }
    }
    if let Some(t) = trailing {
        if labels.iter().enumerate().any(|(i, l)| i != t && overlaps(&l.range, &labels[t].range)) {
            trailing = None;
        }
    }

    out.border(pad);
    out.byte(b' ');
    let mut previous: Option<bool> = None;
    let mut col = 0;
    // Carets (or spaces) of the current style not written yet.
    let mut run = 0;
    let caret = |style: Option<bool>| match style {
        Some(true) => b'^',
        Some(false) => b'-',
        None => b' ',
    };
    let mut draw = |out: &mut Out, current: Option<bool>, w: usize| {
        if current != previous {
            out.repeat(caret(previous), run);
            run = 0;
            match current {
                Some(primary) => out.set(Style::Label { primary }),
                None => out.reset(),
            }
            previous = current;
        }
        run += w;
    };
    // Characters starting before `max_end` are drawn. Label bounds cut the line into
    // stretches of one style (a bound inside a character only ever ends a label that
    // starts at that character), measured a stretch at a time.
    let end = max_end.min(source.len());
    let bytes = source.as_bytes();
    let mut i = 0;
    while i < end {
        let next = labels.iter().flat_map(|l| [l.range.start, l.range.end]).filter(|&b| b > i).fold(end, usize::min);
        let current = style_at(labels.iter().filter(|l| overlaps(&l.range, &(i..next))));
        // Printable ASCII is one column a byte.
        let ascii = bytes[i..next].iter().take_while(|b| (0x20..0x7f).contains(*b)).count();
        let mut w = ascii;
        col += ascii;
        i += ascii;
        for ch in source[i..].chars() {
            if i >= next {
                break;
            }
            let cw = width(ch, col);
            col += cw;
            w += cw;
            i += ch.len_utf8();
        }
        draw(out, current, w);
    }
    // One more column after the text, so that a label at the end of the line shows.
    if source.len() < max_end {
        let here = source.len()..source.len() + 1;
        draw(out, style_at(labels.iter().filter(|l| overlaps(&l.range, &here))), 1);
    }
    out.repeat(caret(previous), run);
    if previous.is_some() {
        out.reset();
    }
    if let Some(t) = trailing {
        out.byte(b' ');
        out.styled(Style::Label { primary: labels[t].primary }, labels[t].message);
    }
    out.byte(b'\n');

    if messages > usize::from(trailing.is_some()) {
        let hanging = || labels.iter().enumerate().filter(move |&(i, l)| !l.message.is_empty() && Some(i) != trailing);
        out.border(pad);
        out.byte(b' ');
        pointers(out, source, usize::MAX, max_start, hanging().map(|(_, l)| l));
        out.byte(b'\n');
        for (_, l) in hanging().rev() {
            out.border(pad);
            out.byte(b' ');
            pointers(out, source, l.range.start, max_start, hanging().map(|(_, l)| l));
            out.styled(Style::Label { primary: l.primary }, l.message);
            out.byte(b'\n');
        }
    }
}

/// A `|` under the start of every hanging label, for the characters before byte
/// `until`; spaces stop after the rightmost label start.
fn pointers<'l, 'a: 'l>(
    out: &mut Out,
    source: &str,
    until: usize,
    max_start: usize,
    hanging: impl Iterator<Item = &'l Placed<'a>> + Clone,
) {
    let mut col = 0;
    for (i, ch) in source.char_indices().take_while(|&(i, _)| i < until) {
        let w = width(ch, col);
        col += w;
        let here = i..i + ch.len_utf8();
        let style = style_at(hanging.clone().filter(|l| here.contains(&l.range.start)));
        let drawn = match style {
            Some(primary) => {
                out.styled(Style::Label { primary }, "|");
                1
            }
            None => 0,
        };
        if i <= max_start {
            out.repeat(b' ', w.saturating_sub(drawn));
        }
    }
}

/// The benchmark corpus, for the test that compares renderers on it.
#[cfg(test)]
#[path = "../../benches/corpus.rs"]
mod corpus;

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::path::{Path, PathBuf};

    use proptest::prelude::*;

    use super::super::{diagnostic_parts, render_codespan, render_human, FileReport, Report, SourceFiles};
    use super::corpus;
    use super::*;
    use crate::diagnostics::{Diagnostic, Related};
    use crate::text::{LineIndex, Span};

    /// Renders every diagnostic of `report` with both renderers and fails on the first
    /// difference; returns how many diagnostics the hand renderer took and how many
    /// there were. Also compares the whole report with an all-codespan rendering.
    fn compare(report: &Report, colour: bool) -> (usize, usize) {
        let files = SourceFiles::new(report);
        let (mut handled, mut total) = (0, 0);
        let mut whole = Vec::new();
        for f in &report.files {
            let id = files.id(&f.path).unwrap();
            // Shared by the diagnostics of a file, as in `render_file`.
            let mut scratch = Scratch::default();
            for d in &f.diagnostics {
                let (mut labels, mut notes) = (Vec::new(), Vec::new());
                diagnostic_parts(d, id, &f.text, &files, &mut labels, &mut notes);
                let mut expected = Vec::new();
                render_codespan(&mut expected, colour, &files, d, &labels, &notes);
                whole.extend_from_slice(&expected);
                let mut ours = Vec::new();
                total += 1;
                if diagnostic(&mut ours, colour, &files, d.severity, d.code, &d.message, &labels, &notes, &mut scratch)
                {
                    handled += 1;
                    assert_eq!(
                        String::from_utf8_lossy(&ours),
                        String::from_utf8_lossy(&expected),
                        "{d:?} in {:?} (colour: {colour})",
                        f.text
                    );
                } else {
                    assert!(ours.is_empty(), "nothing is written before falling back");
                }
            }
        }
        whole.extend_from_slice(format!("{}\n", report.summary()).as_bytes());
        assert!(render_human(report, colour) == whole, "the whole report differs (colour: {colour})");
        (handled, total)
    }

    fn compare_both(report: &Report) -> (usize, usize) {
        let plain = compare(report, false);
        assert_eq!(compare(report, true), plain);
        plain
    }

    fn related(path: &str, span: Span, message: &str) -> Related {
        Related { path: Path::new(path).into(), span, message: message.into() }
    }

    fn report(files: Vec<(&str, &str, Vec<Diagnostic>)>, others: &[(&str, &str)]) -> Report {
        Report {
            files: files
                .into_iter()
                .map(|(path, text, diagnostics)| FileReport { path: path.into(), text: text.into(), diagnostics })
                .collect(),
            others: others.iter().map(|&(p, t)| (PathBuf::from(p), t.to_string())).collect::<HashMap<_, _>>(),
            checked: 1,
            ..Report::default()
        }
    }

    const TEXTS: &[&str] = &[
        "---\ntags: [\"优化😀\", \"DPO\", \"DPO\"]\n---\n",
        "---\r\ntitle: x\r\ntags: [a, a]\r\n---\r\nbody\r\n",
        "a\r优\rb\r",
        "\tx\t优\ty\n\t\tz\n  \t\n",
        "ab\0\0\ncd\0",
        "",
        "\n",
        "e\u{301}\u{200b}ｗ\u{1b}[0m|x\u{7f}\n😀😀",
        "x\r\r\n\r\ny",
    ];

    /// Every span between a few offsets of the text: char boundaries, inside
    /// characters, line breaks, the end and past it.
    fn spans(text: &str) -> Vec<Span> {
        let mut offsets: Vec<usize> = (0..=text.len()).collect();
        offsets.extend([text.len() + 1, text.len() + 50]);
        let mut out = Vec::new();
        for &a in &offsets {
            for &b in &offsets {
                if b >= a && b - a <= 6 || b == text.len() + 50 || a > b && a - b == 1 {
                    out.push(Span::new(a, b));
                }
            }
        }
        out
    }

    #[test]
    fn every_span_of_the_fixtures_renders_as_codespan_does() {
        for text in TEXTS {
            let diagnostics = spans(text)
                .into_iter()
                .enumerate()
                .map(|(i, span)| Diagnostic {
                    severity: [Severity::Error, Severity::Warning, Severity::Information, Severity::Hint][i % 4],
                    ..Diagnostic::new("bad-url", span, format!("message {i}"))
                })
                .collect();
            let index = LineIndex::new(text);
            let one_line = spans(text)
                .into_iter()
                .filter(|&s| {
                    let r = super::super::clamp(text, s);
                    index.line_of(r.start) == index.line_of(r.end)
                })
                .count();
            let (handled, _) = compare_both(&report(vec![("content/a.md", text, diagnostics)], &[]));
            assert_eq!(handled, one_line, "only spans over a line break are left to codespan, in {text:?}");
        }
    }

    /// Lines far apart and close together, line numbers of one and two digits, labels in
    /// several files and on one line, messages of several lines, unknown files.
    #[test]
    fn related_locations_render_as_codespan_does() {
        let long: String = (1..=120).map(|i| format!("line {i}\twith 优 {i}\n")).collect();
        let at = |line: usize, col: usize, len: usize| {
            let start = long.match_indices('\n').nth(line.wrapping_sub(2)).map_or(0, |(i, _)| i + 1) + col;
            Span::new(start, start + len)
        };
        let cases: Vec<(Span, Vec<Related>)> = vec![
            (at(5, 0, 4), vec![related("content/a.md", at(6, 2, 3), "next line")]),
            (at(5, 0, 4), vec![related("content/a.md", at(7, 2, 3), "two lines down")]),
            (at(5, 0, 4), vec![related("content/a.md", at(8, 2, 3), "three lines down")]),
            (at(9, 0, 4), vec![related("content/a.md", at(10, 2, 3), "line 10")]),
            (
                at(99, 0, 4),
                vec![related("content/b.md", Span::new(0, 3), "b"), related("content/b.md", Span::new(2, 2), "")],
            ),
            (at(3, 5, 2), vec![related("content/a.md", at(3, 0, 3), "same line, before")]),
            (at(3, 0, 2), vec![related("content/a.md", at(3, 5, 3), "same line, after")]),
            (at(3, 0, 6), vec![related("content/a.md", at(3, 2, 3), "overlapping")]),
            (
                at(3, 0, 2),
                vec![
                    related("content/a.md", at(3, 4, 1), "first"),
                    related("content/a.md", at(3, 7, 2), "second"),
                    related("content/a.md", at(3, 10, 3), "third"),
                ],
            ),
            (
                at(3, 8, 2),
                vec![related("content/a.md", at(3, 1, 1), "first"), related("content/a.md", at(3, 3, 1), "")],
            ),
            (at(3, 8, 2), vec![related("content/a.md", at(3, 8, 2), "the same range")]),
            (at(4, 0, 0), vec![related("gone.md", Span::new(0, 1), "not known\r\nsecond line")]),
            (at(4, 0, 0), vec![related("gone.md", Span::new(0, 1), "")]),
            (at(4, 3, 2), vec![related("content/a.md", at(4, 0, 30), "over\nlines")]),
            (at(120, 0, 999), vec![related("content/c.md", Span::new(4, 6), "in a file not reported")]),
            (Span::new(long.len(), long.len()), vec![related("content/b.md", Span::new(9, 9), "at the end")]),
            (
                at(20, 0, 3),
                vec![
                    related("content/c.md", Span::new(0, 1), "c"),
                    related("content/a.md", at(110, 0, 1), "far"),
                    related("content/b.md", Span::new(1, 2), "b"),
                    related("content/c.md", Span::new(7, 8), "c again"),
                ],
            ),
        ];
        let diagnostics = cases
            .into_iter()
            .map(|(span, related)| Diagnostic {
                related,
                ..Diagnostic::new("cited-before", span, "Already cited\nsomewhere")
            })
            .collect();
        let report = report(
            vec![("content/a.md", &long, diagnostics), ("content/b.md", "b😀\tz", vec![])],
            &[("content/c.md", "c\r\nc\r\n优x\n")],
        );
        let (handled, total) = compare_both(&report);
        // Left to codespan: a label over two lines, a range given twice on one line, and
        // a span from the last line to the end of the text (past the last line break).
        assert_eq!((handled, total), (14, 17));
    }

    /// The generated benchmark corpus (cited-before with related locations in other
    /// digests, tag variants); the whole 10,000 with `DIGEST_LS_RENDER_CORPUS=DIR`.
    #[test]
    fn the_generated_corpus_renders_as_codespan_does() {
        let dir = tempfile::tempdir().unwrap();
        corpus::Corpus::new(1).write(dir.path(), 300).unwrap();
        let mut roots = vec![dir.path().to_path_buf()];
        roots.extend(std::env::var_os("DIGEST_LS_RENDER_CORPUS").map(PathBuf::from));
        for root in roots {
            let report = super::super::check_paths(&[], &root);
            let (handled, total) = compare_both(&report);
            assert_eq!(handled, total, "every diagnostic of the corpus is rendered by hand");
            assert!(total > 100, "{total} diagnostics");
            // Related paths found by the address of the index's copy are the files found by path.
            let files = SourceFiles::new(&report);
            let related: Vec<&Related> =
                report.files.iter().flat_map(|f| &f.diagnostics).flat_map(|d| &d.related).collect();
            let by_address = related.iter().filter(|r| files.by_address.contains_key(&super::super::address(&r.path)));
            assert!(by_address.count() * 10 > related.len() * 9, "most related paths are the index's");
            for r in related {
                assert_eq!(files.related_id(&r.path), files.id(&r.path), "{}", r.path.display());
            }
        }
    }

    /// Files are indexed in the order the parser threads deliver them, which changes
    /// from run to run; the report must not.
    #[test]
    fn the_report_does_not_depend_on_the_order_files_are_indexed_in() {
        let dir = tempfile::tempdir().unwrap();
        corpus::Corpus::new(2).write(dir.path(), 400).unwrap();
        let render = || {
            let report = super::super::check_paths(&[], dir.path());
            (render_human(&report, true), super::super::render_json(&report))
        };
        let first = render();
        assert!(first.0.len() > 100_000, "{} bytes", first.0.len());
        for _ in 0..3 {
            assert!(render() == first);
        }
    }

    fn arb_text() -> impl Strategy<Value = String> {
        let chars = prop::sample::select(vec!['a', 'b', ' ', '\t', '\n', '\r', '优', '😀', '\0', '\u{301}', '|']);
        prop::collection::vec(chars, 0..30).prop_map(|v| v.into_iter().collect())
    }

    fn arb_span() -> impl Strategy<Value = Span> {
        (0usize..40, 0usize..12).prop_map(|(a, n)| Span::new(a, a + n))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]
        #[test]
        fn random_texts_and_spans_render_as_codespan_does(
            a in arb_text(),
            b in arb_text(),
            diagnostics in prop::collection::vec(
                (arb_span(), 0usize..4, prop::collection::vec((0usize..3, arb_span(), 0usize..3), 0..4)),
                1..5,
            ),
        ) {
            let paths = ["content/a.md", "content/b.md", "elsewhere.md"];
            let messages = ["", "earlier", "two\nlines"];
            let severities = [Severity::Error, Severity::Warning, Severity::Information, Severity::Hint];
            let diagnostics = diagnostics
                .into_iter()
                .map(|(span, severity, related)| Diagnostic {
                    severity: severities[severity],
                    related: related
                        .into_iter()
                        .map(|(p, span, m)| super::tests::related(paths[p], span, messages[m]))
                        .collect(),
                    ..Diagnostic::new("duplicate-tag", span, "a message")
                })
                .collect();
            compare_both(&report(vec![("content/a.md", &a, diagnostics), ("content/b.md", &b, vec![])], &[]));
        }
    }
}
