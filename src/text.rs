//! Byte offsets, spans, line breaks and columns in UTF-8, UTF-16 or UTF-32: the one place that counts them.
//!
//! Line breaks are `\n`, `\r\n` and a lone `\r`, as LSP defines them (and as ropey's
//! `cr_lines` feature does). Every conversion clamps: a column past the end of a
//! line lands at the end of that line, a line past the end lands at the end of the
//! text, a column inside a multi-byte character or a surrogate pair lands at the
//! character's start. Nothing here panics on any input.

use std::borrow::Cow;
use std::ops::Range;

/// A half-open byte range `[start, end)` in a document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub const fn new(start: usize, end: usize) -> Span {
        Span { start, end }
    }
    pub const fn empty(at: usize) -> Span {
        Span { start: at, end: at }
    }
    pub fn len(self) -> usize {
        self.end.saturating_sub(self.start)
    }
    pub fn is_empty(self) -> bool {
        self.end <= self.start
    }
    /// Inclusive at both ends, so a cursor just after a word still touches it.
    pub fn touches(self, offset: usize) -> bool {
        self.start <= offset && offset <= self.end
    }
    pub fn contains(self, offset: usize) -> bool {
        self.start <= offset && offset < self.end
    }
    pub fn shift(self, delta: isize) -> Span {
        Span::new(shift(self.start, delta), shift(self.end, delta))
    }
    pub fn range(self) -> Range<usize> {
        self.start..self.end
    }
}

impl From<Range<usize>> for Span {
    fn from(r: Range<usize>) -> Span {
        Span::new(r.start, r.end)
    }
}

pub(crate) fn shift(offset: usize, delta: isize) -> usize {
    offset.checked_add_signed(delta).unwrap_or(0)
}

/// How LSP columns are counted; negotiated with the client.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Encoding {
    Utf8,
    #[default]
    Utf16,
    Utf32,
}

impl Encoding {
    fn units(self, c: char) -> usize {
        match self {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        }
    }
}

/// Column of byte offset `byte` within `line` (a line's text without its break).
/// A byte inside a character counts as that character's start.
pub fn col_of_byte(line: &str, byte: usize, enc: Encoding) -> u32 {
    let byte = floor_char_boundary(line, byte);
    let col = match enc {
        Encoding::Utf8 => byte,
        Encoding::Utf16 => line[..byte].chars().map(char::len_utf16).sum(),
        Encoding::Utf32 => line[..byte].chars().count(),
    };
    col.min(u32::MAX as usize) as u32
}

/// Byte offset within `line` of column `col`; clamps to the line's end, and a column
/// inside a character (e.g. between the halves of a surrogate pair) lands at its start.
pub fn byte_of_col(line: &str, col: u32, enc: Encoding) -> usize {
    let col = col as usize;
    if enc == Encoding::Utf8 {
        return floor_char_boundary(line, col);
    }
    let mut units = 0;
    for (i, c) in line.char_indices() {
        let next = units + enc.units(c);
        if next > col {
            return i;
        }
        units = next;
    }
    line.len()
}

/// The largest char boundary `<= i`, clamped to the text.
pub fn floor_char_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    let mut i = i;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// `std::str::from_utf8` with a SIMD check first (the `simdutf8` crate): std's check
/// was two thirds of reading a digest from disk, whose text is mostly CJK (41 of 58 ms
/// for 10,000 digests; simdutf8 takes 3 ms). The error, when there is one, is std's.
pub fn utf8_str(bytes: &[u8]) -> Result<&str, std::str::Utf8Error> {
    if simdutf8::basic::from_utf8(bytes).is_ok() {
        // SAFETY: simdutf8 has just validated these bytes as UTF-8.
        return Ok(unsafe { std::str::from_utf8_unchecked(bytes) });
    }
    std::str::from_utf8(bytes)
}

/// `String::from_utf8` checked as [`utf8_str`] does.
pub fn utf8_string(bytes: Vec<u8>) -> Result<String, std::string::FromUtf8Error> {
    if simdutf8::basic::from_utf8(&bytes).is_ok() {
        // SAFETY: simdutf8 has just validated these bytes as UTF-8.
        return Ok(unsafe { String::from_utf8_unchecked(bytes) });
    }
    String::from_utf8(bytes)
}

/// Length of the line break starting at `bytes[i]`, if one does.
fn break_len(bytes: &[u8], i: usize) -> usize {
    match bytes.get(i) {
        Some(b'\n') => 1,
        Some(b'\r') if bytes.get(i + 1) == Some(&b'\n') => 2,
        Some(b'\r') => 1,
        _ => 0,
    }
}

/// Start offsets of every line of a string, for position conversions on text that is
/// not held in a rope (files on disk, the `check` command, tests).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineIndex {
    starts: Vec<usize>,
    len: usize,
}

impl LineIndex {
    pub fn new(text: &str) -> LineIndex {
        let bytes = text.as_bytes();
        // Sized for the `\n`s (lone `\r`s are rare), so the vector is not regrown as it fills.
        let mut starts = Vec::with_capacity(memchr::memchr_iter(b'\n', bytes).count() + 1);
        starts.push(0);
        // memchr from break to break: `check` indexes the lines of every digest, and a
        // byte at a time was a twentieth of its time.
        let mut i = 0;
        while let Some(found) = memchr::memchr2(b'\n', b'\r', &bytes[i..]) {
            i += found + break_len(bytes, i + found);
            starts.push(i);
        }
        LineIndex { starts, len: text.len() }
    }

    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// 0-based line containing `offset` (clamped to the text).
    pub fn line_of(&self, offset: usize) -> usize {
        let offset = offset.min(self.len);
        self.starts.partition_point(|&s| s <= offset) - 1
    }

    /// Byte range of line `line` without its break; `None` past the last line.
    pub fn line_span(&self, text: &str, line: usize) -> Option<Span> {
        let start = *self.starts.get(line)?;
        let mut end = self.starts.get(line + 1).copied().unwrap_or(self.len);
        let bytes = text.as_bytes();
        if end > start && bytes.get(end - 1) == Some(&b'\n') {
            end -= 1;
        }
        if end > start && bytes.get(end - 1) == Some(&b'\r') {
            end -= 1;
        }
        Some(Span::new(start, end))
    }

    /// (line, column) of a byte offset; offsets inside a line break count as its end.
    pub fn position(&self, text: &str, offset: usize, enc: Encoding) -> (u32, u32) {
        let line = self.line_of(offset);
        let span = self.line_span(text, line).unwrap_or_default();
        let within = offset.min(span.end).saturating_sub(span.start);
        let col = col_of_byte(&text[span.range()], within, enc);
        (line as u32, col)
    }

    /// Byte offset of (line, column), clamped as the module doc says.
    pub fn offset(&self, text: &str, line: u32, col: u32, enc: Encoding) -> usize {
        match self.line_span(text, line as usize) {
            Some(span) => span.start + byte_of_col(&text[span.range()], col, enc),
            None => self.len,
        }
    }
}

/// Text a parser can read piecewise: a `String` in tests and for files on disk, a
/// rope for open documents, so that an incremental reparse copies only the window it
/// reads.
pub trait Source {
    fn len(&self) -> usize;
    /// The text of `range` (clamped to the text and to char boundaries).
    fn slice(&self, range: Range<usize>) -> Cow<'_, str>;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Source for str {
    fn len(&self) -> usize {
        str::len(self)
    }
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        let end = floor_char_boundary(self, range.end);
        let start = floor_char_boundary(self, range.start.min(end));
        Cow::Borrowed(&self[start..end])
    }
}

impl Source for String {
    fn len(&self) -> usize {
        self.as_str().len()
    }
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        Source::slice(self.as_str(), range)
    }
}

impl Source for ropey::Rope {
    fn len(&self) -> usize {
        self.len_bytes()
    }
    fn slice(&self, range: Range<usize>) -> Cow<'_, str> {
        let len = self.len_bytes();
        let end = self.char_to_byte(self.byte_to_char(range.end.min(len)));
        let start = self.char_to_byte(self.byte_to_char(range.start.min(end)));
        self.byte_slice(start..end).into()
    }
}

/// Byte offset -> (line, column) on a rope.
pub fn rope_position(rope: &ropey::Rope, offset: usize, enc: Encoding) -> (u32, u32) {
    let offset = offset.min(rope.len_bytes());
    let line = rope.byte_to_line(offset);
    let start = rope.line_to_byte(line);
    let text: Cow<str> = rope.byte_slice(start..offset_char_floor(rope, offset)).into();
    (line as u32, col_of_byte(&text, text.len(), enc))
}

/// (line, column) -> byte offset on a rope, clamped as the module doc says.
pub fn rope_offset(rope: &ropey::Rope, line: u32, col: u32, enc: Encoding) -> usize {
    let line = line as usize;
    if line >= rope.len_lines() {
        return rope.len_bytes();
    }
    let start = rope.line_to_byte(line);
    let end = if line + 1 < rope.len_lines() { rope.line_to_byte(line + 1) } else { rope.len_bytes() };
    let text: Cow<str> = rope.byte_slice(start..end).into();
    let body = text.trim_end_matches(['\n', '\r']);
    start + byte_of_col(body, col, enc)
}

fn offset_char_floor(rope: &ropey::Rope, offset: usize) -> usize {
    rope.char_to_byte(rope.byte_to_char(offset))
}

#[cfg(test)]
mod tests {
    #[test]
    fn utf8_checks_agree_with_std() {
        let long = "数据 🦀 ascii ".repeat(100);
        let mut cases: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"plain".to_vec(),
            long.clone().into_bytes(),
            b"\xff".to_vec(),
            b"ok \xe6\x95".to_vec(),            // a CJK character cut short at the end
            b"\xed\xa0\x80 surrogate".to_vec(), // UTF-16 surrogates are not UTF-8
            b"\xc0\xaf overlong".to_vec(),
        ];
        // Bad bytes deep in a long text, where the SIMD path does the work.
        let mut bad = long.clone().into_bytes();
        bad[1001] = 0x80;
        cases.push(bad);
        for bytes in cases {
            let want = std::str::from_utf8(&bytes).map_err(|e| e.valid_up_to());
            assert_eq!(super::utf8_str(&bytes).map_err(|e| e.valid_up_to()), want, "{bytes:?}");
            let got = super::utf8_string(bytes.clone()).map_err(|e| e.utf8_error().valid_up_to());
            assert_eq!(got.as_deref().map_err(|e| *e), want, "{bytes:?}");
        }
    }

    use super::*;

    fn roundtrip_table(text: &str, cases: &[(usize, Encoding, (u32, u32))]) {
        let index = LineIndex::new(text);
        let rope = ropey::Rope::from_str(text);
        for &(offset, enc, pos) in cases {
            assert_eq!(index.position(text, offset, enc), pos, "position of {offset} in {enc:?}");
            assert_eq!(rope_position(&rope, offset, enc), pos, "rope position of {offset} in {enc:?}");
            assert_eq!(index.offset(text, pos.0, pos.1, enc), offset, "offset of {pos:?} in {enc:?}");
            assert_eq!(rope_offset(&rope, pos.0, pos.1, enc), offset, "rope offset of {pos:?} in {enc:?}");
        }
    }

    #[test]
    fn ascii_cjk_emoji() {
        use Encoding::*;
        // "ab优化😀c": a=0 b=1 优=2..5 化=5..8 😀=8..12 c=12
        let text = "ab优化😀c\nx";
        roundtrip_table(
            text,
            &[
                (0, Utf16, (0, 0)),
                (2, Utf16, (0, 2)),
                (5, Utf16, (0, 3)),
                (8, Utf16, (0, 4)),
                (12, Utf16, (0, 6)),
                (12, Utf8, (0, 12)),
                (12, Utf32, (0, 5)),
                (14, Utf16, (1, 0)),
                (15, Utf32, (1, 1)),
            ],
        );
    }

    #[test]
    fn crlf_and_lone_cr() {
        use Encoding::*;
        let text = "a\r\n优\rb\nc";
        let index = LineIndex::new(text);
        assert_eq!(index.line_count(), 4);
        roundtrip_table(text, &[(3, Utf16, (1, 0)), (6, Utf16, (1, 1)), (7, Utf8, (2, 0)), (9, Utf32, (3, 0))]);
        // Inside "\r\n" counts as the end of the line.
        assert_eq!(index.position(text, 2, Utf16), (0, 1));
        assert_eq!(index.line_span(text, 0), Some(Span::new(0, 1)));
    }

    #[test]
    fn clamps_instead_of_panicking() {
        use Encoding::*;
        let text = "a😀b\r\nxy";
        let index = LineIndex::new(text);
        let rope = ropey::Rope::from_str(text);
        // Past the end of a line: the line's end, before the break.
        assert_eq!(index.offset(text, 0, 99, Utf16), 6);
        assert_eq!(rope_offset(&rope, 0, 99, Utf16), 6);
        // Inside the surrogate pair: the emoji's start.
        assert_eq!(index.offset(text, 0, 2, Utf16), 1);
        assert_eq!(rope_offset(&rope, 0, 2, Utf16), 1);
        // Inside a UTF-8 sequence: the character's start.
        assert_eq!(index.offset(text, 0, 3, Utf8), 1);
        // Past the last line: the end of the text.
        assert_eq!(index.offset(text, 9, 0, Utf16), text.len());
        assert_eq!(rope_offset(&rope, 9, 0, Utf32), text.len());
        // Offsets past the end or inside a character.
        assert_eq!(index.position(text, 999, Utf16), (1, 2));
        assert_eq!(rope_position(&rope, 999, Utf16), (1, 2));
        assert_eq!(index.position(text, 3, Utf16), (0, 1));
        assert_eq!(rope_position(&rope, 3, Utf16), (0, 1));
    }

    #[test]
    fn unicode_line_separators_are_not_breaks() {
        let text = "a\u{2028}b\u{85}c";
        assert_eq!(LineIndex::new(text).line_count(), 1);
        assert_eq!(ropey::Rope::from_str(text).len_lines(), 1);
    }

    proptest::proptest! {
        /// Lines start where the rope's do (`\n`, `\r\n` and a lone `\r` end a line).
        #[test]
        fn line_starts_agree_with_the_rope(parts in proptest::collection::vec(
            proptest::sample::select(&["a", "优化", "😀", "\n", "\r", "\r\n", "\n\r", " ", "\u{2028}"][..]), 0..40)) {
            let text: String = parts.concat();
            let index = LineIndex::new(&text);
            let rope = ropey::Rope::from_str(&text);
            proptest::prop_assert_eq!(index.line_count(), rope.len_lines());
            for line in 0..rope.len_lines() {
                proptest::prop_assert_eq!(index.starts[line], rope.line_to_byte(line), "line {}", line);
            }
        }
    }

    #[test]
    fn empty_text() {
        let index = LineIndex::new("");
        assert_eq!(index.position("", 0, Encoding::Utf16), (0, 0));
        assert_eq!(index.offset("", 3, 3, Encoding::Utf16), 0);
        assert_eq!(Source::slice("", 2..5), "");
    }

    #[test]
    fn rope_source_slices_clamp_to_char_boundaries() {
        let rope = ropey::Rope::from_str("优化x");
        assert_eq!(Source::slice(&rope, 1..4), "优");
        assert_eq!(Source::slice(&rope, 0..100), "优化x");
    }
}
