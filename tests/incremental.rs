//! The incremental reparse contract: after every edit, the document's analysis equals a full parse of its text; so do the diagnostics and the index entry kept per block (`diagnostics::Cache`, `SummaryCache`).

use std::path::Path;

use digest_ls::analysis::Analysis;
use digest_ls::config::Config;
use digest_ls::diagnostics;
use digest_ls::document::{Change, Document, Reparse};
use digest_ls::text::{Encoding, LineIndex, Span};
use digest_ls::workspace::{DigestInfo, SummaryCache, Workspace};
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

/// More pieces for the checks kept per block: references whose target comes from a
/// definition, links that `cited-before`, `label-mismatch` and `bad-url` report, dates.
const CHECK_PIECES: &[&str] = &[
    "*  相关引用：\n    * **代码**: [paper][ref]\n",
    "    * **数据**: [Adam-Mini](https://arxiv.org/abs/2402.00658)\n",
    "    * **文章**: [x](https://github.com/a/b)\n",
    "    * **文章**: [bad](https://exa mple.com)\n",
    "    * **文章**: [rel](example.com/x)\n",
    "[ref]: https://huggingface.co/datasets/a/b\n",
    "[REF]: https://arxiv.org/abs/2402.00658\n",
    "## Adam; Emoji; Other\n",
    "**3. Other**: c\n",
    "date: 2023-01-01\n",
    "2025",
];

fn check_text() -> impl Strategy<Value = String> {
    let pieces: Vec<&'static str> = PIECES.iter().chain(CHECK_PIECES).copied().collect();
    prop_oneof![
        Just(SAMPLE.to_string()),
        prop::collection::vec(prop::sample::select(pieces), 0..40).prop_map(|v| v.concat()),
    ]
}

fn check_edit() -> impl Strategy<Value = EditOp> {
    let pieces: Vec<&'static str> = PIECES.iter().chain(CHECK_PIECES).copied().collect();
    (0.0..=1.0f64, 0usize..12, prop::collection::vec(prop::sample::select(pieces), 0..3))
        .prop_map(|(at, delete, ins)| EditOp { at, delete, insert: ins.concat() })
}

/// Other digests of the index, citing what the pieces cite, dated before and after the sample.
const OTHERS: &[(&str, &str)] = &[
    ("/ws/a.md", "---\ntitle: A\ndate: 2024-01-02\ntags: [\"DPO\"]\n---\n**1. Old**: x\n*  相关引用：\n    * **文章**: [a](https://arxiv.org/abs/2402.00658)\n"),
    ("/ws/b.md", "---\ntitle: B\ndate: 2023-06-01\ntags: [\"dpo\", \"优化\"]\n---\n**1. Code**: y\n*  相关引用：\n    * **代码**: [b](https://github.com/a/b)\n    * **数据**: [d](https://huggingface.co/datasets/a/b)\n"),
    ("/ws/c.md", "---\ntitle: C\ndate: 2026-01-01\n---\n[x]: https://github.com/a/b\n"),
];

/// What the index does between two keystrokes: another digest saved, deleted or added.
#[derive(Clone, Debug)]
enum IndexOp {
    None,
    Remove(usize),
    Add(usize),
}

fn index_op() -> impl Strategy<Value = IndexOp> {
    prop_oneof![
        4 => Just(IndexOp::None),
        1 => (0..OTHERS.len()).prop_map(IndexOp::Remove),
        1 => (0..OTHERS.len()).prop_map(IndexOp::Add),
    ]
}

fn apply_index_op(ws: &mut Workspace, op: &IndexOp, config: &Config) {
    match *op {
        IndexOp::None => {}
        IndexOp::Remove(i) => ws.update(Path::new(OTHERS[i].0), None),
        IndexOp::Add(i) => {
            let (path, text) = OTHERS[i];
            ws.update(Path::new(path), Some(DigestInfo::from_analysis(&Analysis::new(text, config))));
        }
    }
}

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

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// The server's keystroke path: the index entry and the diagnostics kept per block
    /// equal those computed from scratch on the full text, after every edit and after
    /// every change of other digests in the index.
    #[test]
    fn cached_checks_equal_full(
        base in check_text(),
        steps in prop::collection::vec((check_edit(), index_op()), 1..12),
        config in prop::sample::select(vec![0usize, 1]),
    ) {
        let config = match config {
            0 => Config::default(),
            // Severities changed and a check turned off go through the cache too.
            _ => {
                let (c, errors) = Config::from_toml("[severity]\ncited-before = \"hint\"\nbad-url = \"off\"\n");
                prop_assert!(errors.is_empty(), "{:?}", errors);
                c
            }
        };
        let path = Path::new("/ws/open.md");
        let mut ws = Workspace::new();
        for i in 0..OTHERS.len() {
            apply_index_op(&mut ws, &IndexOp::Add(i), &config);
        }
        let mut doc = Document::new(&base, 0, &config);
        let mut model = base.clone();
        let mut cache = diagnostics::Cache::new();
        let mut summary = SummaryCache::new();
        summary.update_index(&doc.analysis(), doc.block_ids(), path, &mut ws);
        let _ = cache.check(&doc.analysis(), doc.block_ids(), path, &config, &ws);
        let mut present = [true; OTHERS.len()];
        for (op, index) in &steps {
            let span = apply_model(&mut model, op);
            doc.replace(span, &op.insert, &config);
            apply_index_op(&mut ws, index, &config);
            match *index {
                IndexOp::Remove(i) => present[i] = false,
                IndexOp::Add(i) => present[i] = true,
                IndexOp::None => {}
            }
            let analysis = doc.analysis();
            summary.update_index(&analysis, doc.block_ids(), path, &mut ws);
            let full = Analysis::new(&model, &config);
            prop_assert_eq!(ws.get(path), Some(&DigestInfo::from_analysis(&full)), "index entry of {:?}", model);
            prop_assert_eq!(summary.summarize(&analysis, doc.block_ids()), DigestInfo::from_analysis(&full));
            // The reverse maps too: the tags as a fresh index of the same digests has them.
            let mut fresh_ws = Workspace::new();
            for (i, _) in OTHERS.iter().enumerate().filter(|(i, _)| present[*i]) {
                apply_index_op(&mut fresh_ws, &IndexOp::Add(i), &config);
            }
            fresh_ws.update(path, Some(DigestInfo::from_analysis(&full)));
            prop_assert_eq!(ws.tags(), fresh_ws.tags());
            let cached = cache.check(&analysis, doc.block_ids(), path, &config, &ws);
            let fresh = diagnostics::check(&full, path, &config, &ws);
            prop_assert_eq!(cached, fresh, "diagnostics of {:?}", model);
        }
    }
}

/// A 40-topic digest citing `key` in every topic, and the offset of a point in the middle.
fn many_topics(date: &str) -> (String, usize) {
    let mut text = format!("---\ntitle: Many\ndate: {date}\ntags: [\"DPO\"]\n---\n## Topic1; Topic2\n\n");
    for n in 1..=40 {
        text.push_str(&format!(
            "**{n}. Topic{n}**: about it.\n*  point {n}\n*  相关引用：\n    * **文章**: [p{n}](https://arxiv.org/abs/2401.{n:05})\n    * **代码**: [c](https://github.com/o/r{n})\n\n"
        ));
    }
    let at = text.find("point 20").unwrap() + "point 20".len();
    (text, at)
}

#[test]
fn a_keystroke_rechecks_only_its_blocks_and_an_index_change_rechecks_the_rest() {
    let config = Config::default();
    let path = Path::new("/ws/open.md");
    let (text, at) = many_topics("2024-06-01");
    let mut ws = Workspace::new();
    let mut doc = Document::new(&text, 0, &config);
    let mut cache = diagnostics::Cache::new();
    let mut summary = SummaryCache::new();
    summary.update_index(&doc.analysis(), doc.block_ids(), path, &mut ws);
    let first = cache.check(&doc.analysis(), doc.block_ids(), path, &config, &ws);
    assert_eq!(cache.last_checked, doc.analysis().body.blocks.len());
    assert!(!first.iter().any(|d| d.code == "cited-before"));

    // A keystroke reparses a block or two, and neither the summary nor the checks of
    // the other blocks run again.
    doc.replace(Span::empty(at), "x", &config);
    summary.update_index(&doc.analysis(), doc.block_ids(), path, &mut ws);
    assert!(summary.last_computed <= 3, "{} blocks summarised", summary.last_computed);
    let typed = cache.check(&doc.analysis(), doc.block_ids(), path, &config, &ws);
    assert!(cache.last_checked <= 3, "{} blocks checked", cache.last_checked);
    let model = format!("{}x{}", &text[..at], &text[at..]);
    assert_eq!(typed, diagnostics::check(&Analysis::new(&model, &config), path, &config, &ws));

    // Another digest saved with an earlier date citing topic 30's paper: that block's
    // diagnostics change, so every cross-file result is recomputed.
    let other = Path::new("/ws/earlier.md");
    let earlier = "---\ntitle: E\ndate: 2024-01-01\n---\n**1. Old**: x\n*  相关引用：\n    * **文章**: [a](https://arxiv.org/abs/2401.00030)\n";
    ws.update(other, Some(DigestInfo::from_analysis(&Analysis::new(earlier, &config))));
    let after_save = cache.check(&doc.analysis(), doc.block_ids(), path, &config, &ws);
    assert_eq!(cache.last_checked, doc.analysis().body.blocks.len());
    let cited: Vec<_> = after_save.iter().filter(|d| d.code == "cited-before").collect();
    assert_eq!(cited.len(), 1, "{after_save:#?}");
    assert_eq!(&model[cited[0].span.start..cited[0].span.end], "[p30](https://arxiv.org/abs/2401.00030)");
    assert_eq!(&*cited[0].related[0].path, other);
    assert_eq!(after_save, diagnostics::check(&Analysis::new(&model, &config), path, &config, &ws));

    // Only the open digest's own index entry changing (typing) does not invalidate them.
    doc.replace(Span::new(at, at + 1), "", &config);
    summary.update_index(&doc.analysis(), doc.block_ids(), path, &mut ws);
    let _ = cache.check(&doc.analysis(), doc.block_ids(), path, &config, &ws);
    assert!(cache.last_checked <= 3, "{} blocks checked", cache.last_checked);

    // The other digest deleted: the cited-before goes away.
    ws.update(other, None);
    let after_delete = cache.check(&doc.analysis(), doc.block_ids(), path, &config, &ws);
    assert!(!after_delete.iter().any(|d| d.code == "cited-before"));
    assert_eq!(after_delete, diagnostics::check(&Analysis::new(&text, &config), path, &config, &ws));
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

/// Pieces where a parse that builds only the index's share could drift from the full
/// one: link texts that make a reference-list name or a topic's colon, failed inline
/// links, e-mail autolinks, bare URLs, definitions of reference links.
const INDEX_PIECES: &[&str] = &[
    "*  [相关引用](https://example.org/x)：\n    * **文章**: [t](https://arxiv.org/abs/2402.00658)\n",
    "**1. T**[: s](https://github.com/a/b)\n",
    "**2. U** [：s][ref]\n",
    "see [x](https://github.com/a b) and [y](<https://github.com/c/d>)\n",
    "    * **代码**: [z](https://github.com/e f)\n",
    "<someone@example.com> <https://huggingface.co/a/b>\n",
    "    * **Demo**: http://203.0.113.7:7870/ https://github.com/g/h\n",
    "## [Quick](https://example.org/q) points：\n",
    "    * **模型**: Qwen2-7B\n",
];

fn index_text() -> impl Strategy<Value = String> {
    let pieces: Vec<&'static str> = PIECES.iter().chain(CHECK_PIECES).chain(INDEX_PIECES).copied().collect();
    // Without definitions the body is read straight through (`DigestInfo::read`).
    let plain: Vec<&'static str> = pieces.iter().copied().filter(|p| !p.contains("]:") && !p.contains("[^")).collect();
    prop_oneof![
        1 => Just(SAMPLE.to_string()),
        5 => prop::collection::vec(prop::sample::select(pieces), 0..40).prop_map(|v| v.concat()),
        4 => prop::collection::vec(prop::sample::select(plain), 0..40).prop_map(|v| v.concat()),
    ]
}

/// A full analysis without what `Analysis::for_index` leaves out (`body::Keep::Summary`).
fn index_share(mut analysis: Analysis) -> Analysis {
    use digest_ls::body::{BlockKind, LinkKind};
    for block in &mut analysis.body.blocks {
        block.items.clear();
        match &mut block.kind {
            BlockKind::Heading { text, .. } => text.clear(),
            BlockKind::TopicStart(t) => {
                t.summary.clear();
                t.title_key.clear();
            }
            BlockKind::List | BlockKind::Other => {}
        }
        for link in &mut block.links {
            link.text.clear();
            link.url.clear();
            if link.kind == LinkKind::Inline {
                link.url_span = None;
            }
        }
        for r in &mut block.references {
            r.text.clear();
        }
    }
    analysis
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, ..ProptestConfig::default() })]

    /// Files that are not open are indexed from `Analysis::for_index`: everything it
    /// builds is as in a full parse, and the index entry is the same.
    #[test]
    fn index_reader_equals_full(text in index_text(), config in prop::sample::select(vec![0usize, 1])) {
        let config = match config {
            0 => Config::default(),
            _ => {
                let (c, errors) = Config::from_toml("reference-lists = [\"相关引用\", \"Links\"]\n");
                prop_assert!(errors.is_empty(), "{:?}", errors);
                c
            }
        };
        let lean = Analysis::for_index(&text, &config);
        let full = Analysis::new(&text, &config);
        let info = DigestInfo::from_analysis(&full);
        prop_assert_eq!(&DigestInfo::from_analysis(&lean), &info, "{:?}", text);
        prop_assert_eq!(&DigestInfo::read(&text, &config), &info, "{:?}", text);
        prop_assert_eq!(lean, index_share(full), "{:?}", text);
    }
}

/// The same on every digest of the bundled example workspace.
#[test]
fn index_reader_equals_full_on_the_example_workspace() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/workspace");
    let config = Config::default();
    let mut seen = 0;
    for path in digest_ls::discover::walk(&root, &config) {
        let text = std::fs::read_to_string(&path).expect("a readable digest");
        let full = Analysis::new(&text, &config);
        let info = DigestInfo::from_analysis(&full);
        assert_eq!(DigestInfo::from_analysis(&Analysis::for_index(&text, &config)), info, "{}", path.display());
        assert_eq!(DigestInfo::read(&text, &config), info, "{}", path.display());
        seen += usize::from(!info.citations.is_empty());
    }
    assert!(seen >= 3, "the example digests cite resources ({seen} do)");
}
