//! The incremental reparse contract: after every edit, the document's analysis equals a full parse of its text.

use digest_ls::analysis::Analysis;
use digest_ls::config::Config;
use digest_ls::document::{Change, Document, Reparse};
use digest_ls::text::{Encoding, LineIndex, Span};
use proptest::prelude::*;

const SAMPLE: &str = include_str!("fixtures/seed-digest.md");

/// Pieces that stress the block structure: fences, topics, lists, references,
/// definitions, code, CJK, emoji and every kind of line break.
const PIECES: &[&str] = &[
    "---",
    "---\n",
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    "...\n",
    "title: \"优化 😀\"\n",
    "tags: [\"优化\", \"DPO\"]\n",
    "tags:\n  - 优化\n",
    "date: 2024-07-05T19:31:56+08:00\n",
    "**1. Adam 优化器**:  显存\n",
    "**2. 😀 Emoji topic**：说明\r\n",
    "*  相关引用：\n    * **文章**: [Adam-Mini](https://arxiv.org/abs/2402.00658)\n",
    "    * **Demo**:  http://203.0.113.7:7870/\n",
    "* point\n",
    "- item\n",
    "1. first\n",
    "## Quick points：\n",
    "# Title\n",
    "===\n",
    "```\n",
    "```rust\nfn main() {}\n```\n",
    "~~~\n",
    "    indented code\n",
    "> quote\n",
    "[ref]: https://github.com/a/b\n",
    "see [paper][ref] and [ref]\n",
    "<https://huggingface.co/datasets/a/b>\n",
    "| a | b |\n|---|---|\n",
    "<div>\n",
    "中文文本",
    "😀",
    "x",
    " ",
    "**",
    "[",
    "](",
    ")",
    "\u{2028}",
    "\u{feff}",
];

fn base_text() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(SAMPLE.to_string()),
        Just(SAMPLE.replace('\n', "\r\n")),
        prop::collection::vec(prop::sample::select(PIECES), 0..40).prop_map(|v| v.concat()),
    ]
}

#[derive(Clone, Debug)]
struct EditOp {
    /// Where, as a fraction of the text length.
    at: f64,
    /// How much to delete, in chars.
    delete: usize,
    insert: String,
}

fn edit_op() -> impl Strategy<Value = EditOp> {
    (0.0..=1.0f64, 0usize..12, prop::collection::vec(prop::sample::select(PIECES), 0..3))
        .prop_map(|(at, delete, ins)| EditOp { at, delete, insert: ins.concat() })
}

fn char_floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn apply_model(model: &mut String, op: &EditOp) -> Span {
    let start = char_floor(model, (model.len() as f64 * op.at) as usize);
    let end = model[start..].char_indices().nth(op.delete).map_or(model.len(), |(i, _)| start + i);
    model.replace_range(start..end, &op.insert);
    Span::new(start, end)
}

fn check_equal(doc: &Document, model: &str, config: &Config) -> Result<(), TestCaseError> {
    prop_assert_eq!(doc.text(), model);
    let full = Analysis::new(model, config);
    prop_assert_eq!(&*doc.analysis(), &full, "incremental analysis differs from a full parse of {:?}", model);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// Byte-range edits, the core path.
    #[test]
    fn incremental_equals_full(base in base_text(), ops in prop::collection::vec(edit_op(), 1..12)) {
        let config = Config::default();
        let mut doc = Document::new(&base, 0, &config);
        let mut model = base.clone();
        for op in &ops {
            let before = model.clone();
            let span = apply_model(&mut model, op);
            let _ = before;
            doc.replace(span, &op.insert, &config);
            check_equal(&doc, &model, &config)?;
        }
    }

    /// The same through `didChange`-style changes in each position encoding.
    #[test]
    fn changes_in_every_encoding(base in base_text(), ops in prop::collection::vec(edit_op(), 1..8), enc in prop::sample::select(vec![Encoding::Utf8, Encoding::Utf16, Encoding::Utf32])) {
        let config = Config::default();
        let mut doc = Document::new(&base, 0, &config);
        let mut model = base.clone();
        for (v, op) in ops.iter().enumerate() {
            let index = LineIndex::new(&model);
            let old = model.clone();
            let span = apply_model(&mut model, op);
            let start = index.position(&old, span.start, enc);
            let end = index.position(&old, span.end, enc);
            // A position inside "\r\n" is not representable: skip such edits.
            if index.offset(&old, start.0, start.1, enc) != span.start || index.offset(&old, end.0, end.1, enc) != span.end {
                model = old;
                continue;
            }
            doc.apply(&[Change { range: Some((start, end)), text: op.insert.clone() }], v as i32 + 1, enc, &config);
            check_equal(&doc, &model, &config)?;
        }
    }
}

#[test]
fn body_edit_in_sample_reparses_a_small_window() {
    let config = Config::default();
    let mut doc = Document::new(SAMPLE, 0, &config);
    let at = SAMPLE.find("卡越多").unwrap();
    let how = doc.replace(Span::empty(at), "😀", &config);
    match how {
        Reparse::Body { bytes } => assert!(bytes < SAMPLE.len() / 2, "window of {bytes} bytes"),
        other => panic!("expected a body reparse, got {other:?}"),
    }
    let mut model = SAMPLE.to_string();
    model.insert(at, '😀');
    assert_eq!(*doc.analysis(), Analysis::new(&model, &config));
}

#[test]
fn front_matter_edit_does_not_reparse_body() {
    let config = Config::default();
    let mut doc = Document::new(SAMPLE, 0, &config);
    let at = SAMPLE.find("角色扮演").unwrap();
    assert_eq!(doc.replace(Span::empty(at), "新", &config), Reparse::FrontMatter);
    let mut model = SAMPLE.to_string();
    model.insert(at, '新');
    assert_eq!(*doc.analysis(), Analysis::new(&model, &config));
}

#[test]
fn breaking_the_closing_fence_is_a_full_reparse() {
    let config = Config::default();
    let mut doc = Document::new(SAMPLE, 0, &config);
    let at = SAMPLE.find("\n---\n").unwrap() + 1;
    assert_eq!(doc.replace(Span::new(at, at + 1), "", &config), Reparse::Full);
}
