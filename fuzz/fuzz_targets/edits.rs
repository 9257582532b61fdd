//! Fuzz target: edit sequences through `Document::apply` (the `didChange` path) in the three position encodings; the text must equal a `String` model with the documented clamping, and the incremental analysis a full one, after every change.

#![no_main]

use arbitrary::Arbitrary;
use digest_ls::analysis::Analysis;
use digest_ls::config::Config;
use digest_ls::document::{Change, Document};
use digest_ls::text::Encoding;
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input {
    base: String,
    encoding: u8,
    changes: Vec<Op>,
}

#[derive(Arbitrary, Debug)]
struct Op {
    start: (u8, u8),
    end: (u8, u8),
    text: String,
    /// A whole-text replacement instead of a range.
    full: bool,
}

/// Lines as LSP counts them: breaks are `\n`, `\r\n` and `\r`; (start, end of content).
fn lines(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let (mut out, mut start, mut i) = (Vec::new(), 0, 0);
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push((start, i));
                i += 1;
                start = i;
            }
            b'\r' => {
                out.push((start, i));
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            }
            _ => i += 1,
        }
    }
    out.push((start, b.len()));
    out
}

/// Clamping: a line past the end is the end of the text, a column past the line's
/// end is the line's end, a column inside a character is that character's start.
fn offset(text: &str, line: u32, col: u32, enc: Encoding) -> usize {
    let Some(&(start, end)) = lines(text).get(line as usize) else { return text.len() };
    let mut at = 0u32;
    for (i, c) in text[start..end].char_indices() {
        let units = match enc {
            Encoding::Utf8 => c.len_utf8(),
            Encoding::Utf16 => c.len_utf16(),
            Encoding::Utf32 => 1,
        } as u32;
        if at + units > col {
            return start + i;
        }
        at += units;
    }
    end
}

fuzz_target!(|input: Input| {
    let enc = [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32][input.encoding as usize % 3];
    let config = Config::default();
    let mut doc = Document::new(&input.base, 0, &config);
    let mut model = input.base.clone();
    for (v, op) in input.changes.iter().take(32).enumerate() {
        let change = if op.full {
            model = op.text.clone();
            Change { range: None, text: op.text.clone() }
        } else {
            let start = (op.start.0 as u32, op.start.1 as u32);
            let end = (op.end.0 as u32, op.end.1 as u32);
            let a = offset(&model, start.0, start.1, enc);
            let b = offset(&model, end.0, end.1, enc);
            model.replace_range(a.min(b)..a.max(b), &op.text);
            Change { range: Some((start, end)), text: op.text.clone() }
        };
        doc.apply(std::slice::from_ref(&change), v as i32 + 1, enc, &config);
        assert_eq!(doc.text(), model, "after {change:?} in {enc:?}");
        assert_eq!(*doc.analysis(), Analysis::new(&model, &config), "incremental differs after {change:?}");
    }
});
