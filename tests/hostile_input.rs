//! Hostile input through the analysis core: arbitrary text, alias bombs, deep nesting, huge digests, long lines, many tags and links, limits, random edit sequences and invalid UTF-8 on disk; each bounded in time and memory.
//!
//! Every piece of work runs on its own thread under [`bounded`]: a hang fails the test
//! after a generous limit instead of blocking CI, and a counting allocator measures
//! the peak memory that thread held, so a blow-up fails too. The limits are loose
//! (debug build, two cores shared with other tests): they catch hangs and quadratic or
//! exponential blow-ups, not slowness.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use digest_ls::analysis::Analysis;
use digest_ls::completion::{self, ItemKind};
use digest_ls::config::Config;
use digest_ls::diagnostics::{self, Diagnostic, Severity};
use digest_ls::document::{Change, Document};
use digest_ls::front_matter::{NodeKind, ProblemKind};
use digest_ls::hover;
use digest_ls::text::Encoding;
use digest_ls::workspace::{DigestInfo, Workspace};
use proptest::prelude::*;
use proptest::test_runner::{Config as ProptestConfig, TestRunner};

const SAMPLE: &str = include_str!("fixtures/seed-digest.md");
const MIB: usize = 1 << 20;

// ---- time and memory bounds ----

/// Counts the bytes each thread holds, so a test can bound what its work allocated.
struct Counting;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn account(delta: isize) {
    // `try_with`: the allocator also runs while a thread's locals are torn down.
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded to `System` unchanged; only counters are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        account(-(layout.size() as isize));
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            account(layout.size() as isize);
        }
        p
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            account(new_size as isize - layout.size() as isize);
        }
        p
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// What a bounded run measured.
struct Bounded<T> {
    value: T,
    /// The most bytes the work's thread held at once (its input included if it built it).
    peak: usize,
}

/// Runs `work` on its own thread; fails the test if it does not finish within `limit`
/// (a hang must fail, not block CI) or if it panics.
fn bounded<T: Send + 'static>(what: &str, limit: Duration, work: impl FnOnce() -> T + Send + 'static) -> Bounded<T> {
    let (tx, rx) = mpsc::channel();
    let started = Instant::now();
    let handle = std::thread::Builder::new()
        .name(what.to_string())
        .stack_size(8 * MIB)
        .spawn(move || {
            PEAK.with(|p| p.set(0));
            LIVE.with(|l| l.set(0));
            let value = work();
            let peak = PEAK.with(|p| p.get()).max(0) as usize;
            let _ = tx.send((value, peak));
        })
        .expect("spawn a worker thread");
    match rx.recv_timeout(limit) {
        Ok((value, peak)) => {
            let elapsed = started.elapsed();
            let _ = handle.join();
            eprintln!("{what}: {elapsed:?}, peak {:.1} MiB", peak as f64 / MIB as f64);
            Bounded { value, peak }
        }
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("{what}: did not finish within {limit:?} (a hang)"),
        Err(mpsc::RecvTimeoutError::Disconnected) => {
            let payload = handle.join().expect_err("the worker ended without an answer, so it panicked");
            std::panic::resume_unwind(payload)
        }
    }
}

/// Generous: a debug build on two busy cores.
const LIMIT: Duration = Duration::from_secs(30);

fn assert_memory(what: &str, peak: usize, input: usize) {
    assert_memory_factor(what, peak, input, 48);
}

/// Linear in the input with a large factor, plus a floor: a quadratic or exponential
/// blow-up is far above it.
fn assert_memory_factor(what: &str, peak: usize, input: usize, factor: usize) {
    let allowed = factor * input + 64 * MIB;
    assert!(peak <= allowed, "{what}: peak memory {peak} bytes for an input of {input} bytes (allowed {allowed})");
}

// ---- the whole feature path on one text ----

/// What running every feature over a text produced.
struct Run {
    analysis: Analysis,
    diagnostics: Vec<Diagnostic>,
}

const PATH: &str = "/ws/content/posts/hostile.md";

/// Analysis, diagnostics (with the digest itself in the workspace, as the server has
/// it), and completion and hover at `offsets`; checks that every span they return
/// lies in the text on char boundaries.
fn run_features(text: &str, config: &Config, offsets: &[usize]) -> Run {
    run_some_features(text, config, offsets, true)
}

fn run_some_features(text: &str, config: &Config, offsets: &[usize], complete: bool) -> Run {
    let path = Path::new(PATH);
    let analysis = Analysis::new(text, config);
    let mut workspace = Workspace::new();
    workspace.update(path, Some(DigestInfo::from_analysis(&analysis)));
    workspace.update(
        Path::new("/ws/content/posts/other.md"),
        Some(DigestInfo::from_analysis(&Analysis::new(SAMPLE, config))),
    );
    let diagnostics = diagnostics::check(&analysis, path, config, &workspace);
    for d in &diagnostics {
        assert_span(text, d.span.start, d.span.end, &format!("diagnostic {} {:?}", d.code, d.message));
    }
    for &offset in offsets {
        let offset = floor(text, offset);
        let items =
            if complete { completion::complete(text, &analysis, offset, config, &workspace) } else { Vec::new() };
        for item in items {
            let (span, _) = &item.edit;
            assert_span(text, span.start, span.end, &format!("completion {:?} at {offset}", item.label));
        }
        if let Some(h) = hover::hover(&analysis, path, offset, config, &workspace) {
            assert_span(text, h.span.start, h.span.end, &format!("hover at {offset}"));
        }
    }
    Run { analysis, diagnostics }
}

fn assert_span(text: &str, start: usize, end: usize, what: &str) {
    assert!(start <= end && end <= text.len(), "{what}: span {start}..{end} outside a text of {} bytes", text.len());
    assert!(
        text.is_char_boundary(start) && text.is_char_boundary(end),
        "{what}: span {start}..{end} is not on char boundaries"
    );
}

fn floor(s: &str, i: usize) -> usize {
    let mut i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn with_code<'a>(run: &'a Run, code: &str) -> Vec<&'a Diagnostic> {
    run.diagnostics.iter().filter(|d| d.code == code).collect()
}

fn limit_problems(analysis: &Analysis) -> Vec<String> {
    analysis.front_matter.problems.iter().filter(|p| p.kind == ProblemKind::Limit).map(|p| p.message.clone()).collect()
}

/// The `limit` diagnostic: an information that names what was cut.
fn assert_limit_diagnostic(run: &Run, mentions: &str) {
    let limits = with_code(run, "limit");
    assert!(!limits.is_empty(), "expected a `limit` diagnostic, got {:?}", codes(run));
    assert!(limits.iter().all(|d| d.severity == Severity::Information), "{limits:?}");
    assert!(
        limits.iter().any(|d| d.message.contains(mentions)),
        "a `limit` diagnostic should mention {mentions:?}: {limits:?}"
    );
}

fn codes(run: &Run) -> Vec<&'static str> {
    run.diagnostics.iter().map(|d| d.code).collect()
}

// ---- arbitrary text (proptest) ----

/// Pieces that reach deep into the parsers: fences, YAML structure, topics, links.
const PIECES: &[&str] = &[
    "---\n",
    "---\r\n",
    "+++\n",
    "{",
    "}",
    "...\n",
    "\n",
    "\r\n",
    "\r",
    "\u{2028}",
    "\u{85}",
    "\u{feff}",
    "\t",
    " ",
    "title: ",
    "date: ",
    "tags: ",
    "tags:\n",
    "  - ",
    "- ",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "&a ",
    "*a",
    "!!str ",
    "? ",
    ": ",
    "{a: ",
    "|\n",
    ">\n",
    "# c",
    "2024-07-05T19:31:56+08:00",
    "优化",
    "😀",
    "DPO",
    "**1. 标题**:  ",
    "**2. x**：",
    "*  相关引用：\n",
    "    * **文章**: ",
    "[t](https://arxiv.org/abs/2402.00658)",
    "http://203.0.113.7:7870/",
    "<https://github.com/a/b>",
    "[r]: https://huggingface.co/datasets/a/b\n",
    "[x][r]",
    "```\n",
    "    ",
    "> ",
    "1. ",
    "## Quick points：\n",
    "](",
    "\\",
    "<",
    "http://[::1",
    "%",
];

fn structured_text() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(PIECES), 0..60).prop_map(|v| v.concat())
}

fn lossy_bytes() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<u8>(), 0..600).prop_map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn any_text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        lossy_bytes(),
        structured_text(),
        // A valid front matter followed by noise.
        (structured_text(), any::<String>()).prop_map(|(a, b)| format!("---\ntitle: x\ntags: [{a}]\n---\n{b}")),
    ]
}

fn proptest_cases(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

/// Runs the features over arbitrary text at random offsets; completion separately, so
/// that a fault in one does not hide faults in the others.
fn arbitrary_text(what: &str, cases: u32, complete: bool) {
    bounded(what, Duration::from_secs(120), move || {
        let mut runner = TestRunner::new(proptest_cases(cases));
        let strategy = (any_text(), prop::collection::vec(any::<usize>(), 1..6));
        runner
            .run(&strategy, |(text, offsets)| {
                let offsets: Vec<usize> = offsets.iter().map(|o| o % (text.len() + 1)).collect();
                let run = run_some_features(&text, &Config::default(), &offsets, complete);
                // Parsing is deterministic: a second parse gives the same analysis.
                prop_assert_eq!(&run.analysis, &Analysis::new(&text, &Config::default()));
                Ok(())
            })
            .unwrap();
    });
}

#[test]
fn arbitrary_text_through_analysis_diagnostics_and_hover() {
    arbitrary_text("arbitrary text", 400, false);
}

#[test]
fn arbitrary_text_through_completion() {
    arbitrary_text("arbitrary text, completion", 400, true);
}

// ---- YAML: aliases and nesting ----

fn front_matter(yaml: &str) -> String {
    format!("---\n{yaml}\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\n---\n\n**1. x**:  y\n")
}

#[test]
fn billion_laughs_alias_bomb_is_not_expanded() {
    // Nine levels of nine aliases each: 9^9 (387 million) strings if expanded.
    let mut yaml =
        String::from("a0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
    for i in 1..=9 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        yaml.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    yaml.push_str("tags: *a9\nsummary: *a9");
    let text = front_matter(&yaml);
    let len = text.len();
    let b = bounded("alias bomb", LIMIT, move || run_features(&text, &Config::default(), &[0, len / 2, len]));
    assert_memory("alias bomb", b.peak, len);
    let yaml = b.value.analysis.front_matter.yaml.as_ref().expect("the YAML was parsed");
    // Ten sequences of nine items, the keys and values around them: nothing expanded.
    assert!(yaml.nodes.len() < 200, "{} nodes: the aliases were expanded", yaml.nodes.len());
    let aliases = yaml.nodes.iter().filter(|n| matches!(n.kind, NodeKind::Alias { .. })).count();
    assert_eq!(aliases, 9 * 9 + 2, "each alias stays one node");
    assert!(!with_code(&b.value, "yaml-alias").is_empty(), "aliases are reported: {:?}", codes(&b.value));
}

#[test]
fn recursive_aliases_and_merge_keys_terminate() {
    for yaml in [
        "a: &a [*a, *a]\ntags: *a",
        "a: &a {b: *a, c: [*a]}\ntags: *a",
        "a: &a\n  <<: *a\n  b: *a\ntags: [*a]",
        "tags: &t [*t]\ntitle: *t",
        "tags: *undefined",
    ] {
        let text = front_matter(yaml);
        let len = text.len();
        let b = bounded("recursive alias", LIMIT, move || run_features(&text, &Config::default(), &[0, len / 2]));
        assert!(b.value.analysis.front_matter.yaml.is_some() || !b.value.analysis.front_matter.problems.is_empty());
    }
}

/// 10,000 levels of nesting, flow and block: the depth limit stops the tree, an
/// information diagnostic says so, and nothing recurses 10,000 frames deep.
#[test]
fn ten_thousand_levels_of_nesting() {
    const DEPTH: usize = 10_000;
    let cases = [
        ("flow sequences", format!("tags: {}x{}", "[".repeat(DEPTH), "]".repeat(DEPTH))),
        ("flow mappings", format!("tags: {}x{}", "{a: ".repeat(DEPTH), "}".repeat(DEPTH))),
        ("mixed flow", format!("tags: {}1{}", "[{a: ".repeat(DEPTH / 2), "}]".repeat(DEPTH / 2))),
        ("block sequences", format!("tags:\n  {}x", "- ".repeat(DEPTH))),
        ("unclosed flow", format!("tags: {}", "[".repeat(DEPTH))),
    ];
    for (what, yaml) in cases {
        let text = front_matter(&yaml);
        let len = text.len();
        let b = bounded(what, LIMIT, move || run_features(&text, &Config::default(), &[len / 3]));
        assert_memory(what, b.peak, len);
        let problems = &b.value.analysis.front_matter.problems;
        assert!(!problems.is_empty(), "{what}: 10,000 levels should hit the depth limit or be a syntax error");
        if what != "unclosed flow" {
            assert!(
                !limit_problems(&b.value.analysis).is_empty(),
                "{what}: the depth limit (64) should cut the tree: {problems:?}"
            );
            // Our `yaml-depth` limit, or saphyr's own recursion limit when its
            // scanner gives up first: either way an information says so.
            assert_limit_diagnostic(&b.value, "nests deeper");
        }
    }
    // Block mappings need indentation: 1,500 levels (1.1 MB of spaces would pass the
    // size limit, so one space per level keeps it under).
    let mut yaml = String::new();
    for level in 0..1_400 {
        yaml.push_str(&" ".repeat(level));
        yaml.push_str("a:\n");
    }
    yaml.push_str(&" ".repeat(1_400));
    yaml.push('x');
    let text = front_matter(&yaml);
    let len = text.len();
    let b = bounded("block mappings", LIMIT, move || run_features(&text, &Config::default(), &[len / 2]));
    assert!(!limit_problems(&b.value.analysis).is_empty(), "1,400 block levels should hit the depth limit");
    assert_limit_diagnostic(&b.value, "nests deeper");
}

// ---- size ----

/// A digest of `topics` topics numbered 1.., each with one arXiv reference and one
/// GitHub reference, about `bytes_per_topic` bytes each.
fn big_digest(topics: usize, filler: &str) -> String {
    let mut s =
        String::from("---\ntitle: \"大 digest\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [\"优化\", \"DPO\"]\n---\n\n");
    s.push_str("## 很多话题\n\n");
    for i in 1..=topics {
        s.push_str(&format!(
            "**{i}. 话题 {i} 😀**:  {filler}\n*  要点 {i}\n*  相关引用：\n    * **文章**: [论文 {i}](https://arxiv.org/abs/2402.{:05})\n    * **代码**: [repo](https://github.com/owner/repo{i})\n\n",
            i % 100_000
        ));
    }
    s
}

#[test]
fn ten_megabyte_digest() {
    let filler = "当GPU卡数足够多时，Adam 优化器的 state 不会成为通信和显存的瓶颈 ".repeat(3);
    let per = big_digest(2, &filler).len() - big_digest(1, &filler).len();
    let topics = 10 * 1_000_000 / per;
    let text = big_digest(topics, &filler);
    assert!(text.len() >= 9_500_000, "{} bytes", text.len());
    let len = text.len();
    let b = bounded("10 MB digest", Duration::from_secs(90), move || {
        let run = run_features(&text, &Config::default(), &[len / 2, len]);
        let info = DigestInfo::from_analysis(&run.analysis);
        (run, info)
    });
    assert_memory("10 MB digest", b.peak, len);
    let (run, info) = b.value;
    assert_eq!(run.analysis.body.topics().len(), topics);
    assert_eq!(info.citations.len(), 2 * topics, "every arXiv and GitHub reference is a citation");
    assert!(with_code(&run, "topic-number").is_empty(), "topics are numbered in order: {:?}", codes(&run));
    assert_eq!(run.analysis.tags().len(), 2);
}

#[test]
fn one_megabyte_line_in_the_front_matter() {
    for (what, unit) in [("ASCII", "abcdefghij"), ("CJK", "优化器显存占用😀"), ("spaces", "a         ")] {
        let value = unit.repeat(1_000_000 / unit.len());
        let text = format!("---\ntitle: \"{value}\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [\"优化\"]\n---\n\n正文\n");
        let len = text.len();
        let b = bounded(what, LIMIT, move || run_features(&text, &Config::default(), &[len / 2, len - 3]));
        assert_memory(what, b.peak, len);
        assert_eq!(
            b.value.analysis.scalar("title").map(str::len),
            Some(value.len()),
            "{what}: the title is read whole"
        );
        assert!(limit_problems(&b.value.analysis).is_empty(), "{what}: 1 MB is under the default limit");
    }
}

#[test]
fn one_megabyte_line_in_the_body() {
    let cases: Vec<(&str, String, Option<usize>)> = vec![
        ("prose", "中文 and English 😀 ".repeat(1_000_000 / 24), Some(0)),
        ("bare urls", "https://arxiv.org/abs/2402.00658 ".repeat(30_000), Some(30_000)),
        ("inline links", "[p](https://github.com/a/b) ".repeat(36_000), Some(36_000)),
        ("brackets", "[".repeat(1_000_000), None),
        ("emphasis", "*a**a".repeat(200_000), None),
        ("backticks", "`a``".repeat(250_000), None),
        ("angle", "<a".repeat(500_000), None),
        ("bold topics", "**1. x**: ".repeat(100_000), None),
    ];
    for (what, line, links) in cases {
        let text = format!("---\ntitle: t\ndate: 2024-07-05\ntags: [a]\n---\n\n{line}\n");
        let len = text.len();
        let b = bounded(what, Duration::from_secs(60), move || run_features(&text, &Config::default(), &[len / 2]));
        // Markdown inlines cost pulldown-cmark a tree node per delimiter: about 130
        // bytes per input byte on `*a**a`, linear (half the line, half the memory).
        assert_memory_factor(what, b.peak, len, 256);
        if let Some(n) = links {
            let found: usize = b.value.analysis.body.blocks.iter().map(|b| b.links.len()).sum();
            assert_eq!(found, n, "{what}: every link on the line is found");
        }
    }
}

#[test]
fn hundred_thousand_tags() {
    const N: usize = 100_000;
    // Flow style: one duplicate, at the end.
    let mut tags: Vec<String> = (0..N).map(|i| format!("\"t{i}\"")).collect();
    tags.push("\"t5\"".to_string());
    let flow = format!("---\ntitle: t\ndate: 2024-07-05\ntags: [{}]\n---\n", tags.join(", "));
    // Block style: one duplicate too.
    let mut block = String::from("---\ntitle: t\ndate: 2024-07-05\ntags:\n");
    for i in 0..N {
        block.push_str(&format!("  - b{i}\n"));
    }
    block.push_str("  - b7\n---\n");
    // And one 1 MB line of 90,000 tags without spaces.
    let line: Vec<String> = (0..90_000).map(|i| format!("\"{i}\"")).collect();
    let one_line = format!("---\ntitle: t\ntags: [{}, \"89999\"]\n---\n", line.join(","));
    for (what, text, n) in [("flow", flow, N + 1), ("block", block, N + 1), ("1 MB line", one_line, 90_001)] {
        let len = text.len();
        // The block list is over the default 1 MiB front-matter limit: raise it, this
        // test is about the tags (the limit has its own test).
        let mut config = Config::default();
        config.limits.max_bytes = 4 << 20;
        let b = bounded(what, Duration::from_secs(60), move || run_features(&text, &config, &[len / 2]));
        assert_memory(what, b.peak, len);
        assert_eq!(b.value.analysis.tags().len(), n, "{what}");
        let dups = with_code(&b.value, "duplicate-tag");
        assert_eq!(dups.len(), 1, "{what}: exactly the one duplicate: {dups:?}");
    }
}

#[test]
fn completion_with_a_hundred_thousand_tags_in_the_workspace() {
    const N: usize = 100_000;
    let b = bounded("completion over 100,000 tags", Duration::from_secs(60), || {
        let config = Config::default();
        let mut workspace = Workspace::new();
        for chunk in 0..10 {
            let tags: Vec<String> = (0..N / 10).map(|i| format!("\"t{}\"", chunk * (N / 10) + i)).collect();
            let text = format!("---\ntitle: t\ndate: 2024-07-05\ntags: [{}]\n---\n", tags.join(", "));
            let path = format!("/ws/content/{chunk}.md");
            workspace.update(Path::new(&path), Some(DigestInfo::from_analysis(&Analysis::new(&text, &config))));
        }
        let text = "---\ntitle: t\ndate: 2024-07-05\ntags: [\"t1\", ]\n---\n";
        let offset = text.find(", ]").unwrap() + 2;
        let analysis = Analysis::new(text, &config);
        let items = completion::complete(text, &analysis, offset, &config, &workspace);
        let diagnostics = diagnostics::check(&analysis, Path::new(PATH), &config, &workspace);
        (items, diagnostics)
    });
    let (items, _) = b.value;
    assert!(items.iter().all(|i| i.kind == ItemKind::Tag));
    assert!(!items.is_empty() && items.len() < N, "{} items", items.len());
    assert!(items.iter().all(|i| i.label != "t1"), "a tag already in the list is not offered");
}

#[test]
fn hundred_thousand_links() {
    const N: usize = 100_000;
    let mut text = String::from(
        "---\ntitle: t\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n\n**1. 链接**:  很多\n*  相关引用：\n",
    );
    for i in 0..N {
        text.push_str(&format!("    * **文章**: [p{i}](https://arxiv.org/abs/2402.{i:05})\n"));
    }
    let last = text.rfind("[p").unwrap() + 2;
    let len = text.len();
    let b = bounded("100,000 links", Duration::from_secs(90), move || {
        let run = run_features(&text, &Config::default(), &[last]);
        let info = DigestInfo::from_analysis(&run.analysis);
        (run, info)
    });
    assert_memory("100,000 links", b.peak, len);
    let (run, info) = b.value;
    let links: usize = run.analysis.body.blocks.iter().map(|b| b.links.len()).sum();
    assert_eq!(links, N);
    let references: usize = run.analysis.body.blocks.iter().map(|b| b.references.len()).sum();
    assert_eq!(references, N);
    assert_eq!(info.citations.len(), N);
}

/// Reference-style links resolve against definitions anywhere in the body.
#[test]
fn twenty_thousand_reference_links_and_definitions() {
    const N: usize = 20_000;
    let mut text =
        String::from("---\ntitle: t\ndate: 2024-07-05\ntags: [a]\n---\n\n**1. 链接**:  很多\n*  相关引用：\n");
    for i in 0..N {
        text.push_str(&format!("    * **文章**: [论文 {i}][r{i}]\n"));
    }
    text.push('\n');
    for i in 0..N {
        text.push_str(&format!("[r{i}]: https://github.com/owner/repo{i}\n"));
    }
    let len = text.len();
    let b = bounded("20,000 reference links", Duration::from_secs(60), move || {
        let run = run_features(&text, &Config::default(), &[len / 4]);
        let info = DigestInfo::from_analysis(&run.analysis);
        (run, info)
    });
    assert_memory("20,000 reference links", b.peak, len);
    let (run, info) = b.value;
    let definitions: usize = run.analysis.body.blocks.iter().map(|b| b.definitions.len()).sum();
    assert_eq!(definitions, N);
    assert_eq!(info.citations.len(), N, "every reference link resolves to its definition");
}

#[test]
fn hover_on_a_link_cited_by_many_digests_is_capped() {
    let b = bounded("hover with 20,000 citing digests", Duration::from_secs(60), || {
        let config = Config::default();
        let mut workspace = Workspace::new();
        let other = "---\ntitle: t\ndate: 2024-07-05\ntags: [a]\n---\n\n**1. x**:  y\n*  相关引用：\n    * **文章**: [Adam-Mini](https://arxiv.org/pdf/2402.00658v2)\n";
        let info = DigestInfo::from_analysis(&Analysis::new(other, &config));
        for i in 0..20_000 {
            workspace.update(Path::new(&format!("/ws/content/{i}.md")), Some(info.clone()));
        }
        let analysis = Analysis::new(SAMPLE, &config);
        let at = SAMPLE.find("[Adam-Mini]").unwrap() + 2;
        hover::hover(&analysis, Path::new(PATH), at, &config, &workspace)
    });
    let hover = b.value.expect("a hover on the sample's Adam-Mini link");
    assert!(hover.markdown.contains("2402.00658"), "{}", hover.markdown);
    assert!(hover.markdown.len() < 20_000, "the list of other citations is capped: {} bytes", hover.markdown.len());
}

// ---- limits and their configuration keys ----

#[test]
fn front_matter_over_the_size_limit_gets_an_information_diagnostic() {
    let (config, errors) = Config::from_toml("[limits]\nfront-matter-bytes = 1000\n");
    assert!(errors.is_empty(), "{errors:?}");
    let yaml = format!("summary: \"{}\"", "x".repeat(2_000));
    let text = front_matter(&yaml);
    let b = bounded("over the size limit", LIMIT, move || run_features(&text, &config, &[10]));
    assert!(b.value.analysis.front_matter.yaml.is_none(), "a block over the limit is not parsed");
    assert_limit_diagnostic(&b.value, "front-matter-bytes");
    // Not parsed means not judged: no claim that the required keys are missing.
    assert!(with_code(&b.value, "missing-key").is_empty(), "{:?}", codes(&b.value));
    // Under the default limit the same text is checked.
    let text = front_matter(&format!("summary: \"{}\"", "x".repeat(2_000)));
    let run = run_features(&text, &Config::default(), &[]);
    assert!(with_code(&run, "limit").is_empty(), "{:?}", codes(&run));
}

#[test]
fn yaml_depth_and_node_limits_are_configurable() {
    let (config, errors) = Config::from_toml("[limits]\nyaml-depth = 4\nyaml-nodes = 50\n");
    assert!(errors.is_empty(), "{errors:?}");
    let deep = front_matter("tags: [[[[[[x]]]]]]");
    let run = run_features(&deep, &config, &[]);
    assert_limit_diagnostic(&run, "yaml-depth");
    assert!(with_code(&run_features(&deep, &Config::default(), &[]), "limit").is_empty());

    let tags: Vec<String> = (0..100).map(|i| format!("t{i}")).collect();
    let many = front_matter(&format!("tags: [{}]", tags.join(", ")));
    let run = run_features(&many, &config, &[]);
    assert_limit_diagnostic(&run, "yaml-nodes");
    let yaml = run.analysis.front_matter.yaml.as_ref().expect("a tree up to the limit");
    assert!(yaml.nodes.len() <= 50 + 1, "the tree stops at the node limit: {} nodes", yaml.nodes.len());
    assert!(with_code(&run_features(&many, &Config::default(), &[]), "limit").is_empty());
}

// ---- edit sequences through `Document::apply` (the `didChange` path) ----

/// Line breaks as LSP counts them: `\n`, `\r\n`, `\r` (not U+2028 or U+0085).
fn model_lines(text: &str) -> Vec<(usize, usize)> {
    // (start, end of content) of every line.
    let b = text.as_bytes();
    let mut lines = Vec::new();
    let (mut start, mut i) = (0, 0);
    while i < b.len() {
        match b[i] {
            b'\n' => {
                lines.push((start, i));
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push((start, i));
                i += if b.get(i + 1) == Some(&b'\n') { 2 } else { 1 };
                start = i;
            }
            _ => i += 1,
        }
    }
    lines.push((start, b.len()));
    lines
}

fn units(c: char, enc: Encoding) -> u32 {
    (match enc {
        Encoding::Utf8 => c.len_utf8(),
        Encoding::Utf16 => c.len_utf16(),
        Encoding::Utf32 => 1,
    }) as u32
}

/// The byte offset a position means, clamped the documented way: a line past the
/// end is the end of the text, a column past the line's end is the line's end
/// (before its break), a column inside a character is that character's start.
fn model_offset(text: &str, line: u32, col: u32, enc: Encoding) -> usize {
    let lines = model_lines(text);
    let Some(&(start, end)) = lines.get(line as usize) else { return text.len() };
    let mut at = 0;
    for (i, c) in text[start..end].char_indices() {
        let next = at + units(c, enc);
        if next > col {
            return start + i;
        }
        at = next;
    }
    end
}

/// The position of a byte offset (on a char boundary, not inside a `\r\n`).
fn model_position(text: &str, offset: usize, enc: Encoding) -> (u32, u32) {
    let lines = model_lines(text);
    let line = lines.iter().rposition(|&(s, _)| s <= offset).unwrap_or(0);
    let (start, end) = lines[line];
    let col = text[start..offset.min(end)].chars().map(|c| units(c, enc)).sum();
    (line as u32, col)
}

const EDIT_PIECES: &[&str] = &[
    "\n",
    "\r\n",
    "\r",
    "\u{2028}",
    "\u{85}",
    "优化",
    "角色扮演",
    "😀",
    "👩‍👩‍👧",
    "𝔘",
    "a",
    " ",
    "---\n",
    "tags: [\"DPO\", ",
    "\"",
    "]",
    "**1. 话题**:  ",
    "*  相关引用：\n    * **文章**: [x](https://arxiv.org/abs/2402.00658)\n",
    "```\n",
    "- ",
    "title: 😀\r\n",
    "",
];

/// One change: a position given by line and (possibly wild) column, a length in
/// chars or a second wild position, and the inserted text.
#[derive(Clone, Debug)]
enum Op {
    /// A range from two positions; columns may land inside a character or past the
    /// line's end, lines past the end of the document.
    Range { l1: u32, c1: u32, l2: u32, c2: u32, text: String },
    /// A range that is valid by construction: from a char offset, `len` chars on.
    Exact { at: f64, len: usize, text: String },
    /// The whole text replaced.
    Full(String),
}

fn op() -> impl Strategy<Value = Op> {
    let text = prop::collection::vec(prop::sample::select(EDIT_PIECES), 0..4).prop_map(|v| v.concat());
    prop_oneof![
        3 => (0u32..12, 0u32..40, 0u32..3, 0u32..40, text.clone())
            .prop_map(|(l1, c1, dl, c2, text)| Op::Range { l1, c1, l2: l1 + dl, c2, text }),
        6 => (0.0..=1.0f64, 0usize..6, text.clone()).prop_map(|(at, len, text)| Op::Exact { at, len, text }),
        1 => prop::collection::vec(prop::sample::select(EDIT_PIECES), 0..12).prop_map(|v| Op::Full(v.concat())),
    ]
}

/// Turns an op into a `Change` for `enc` and applies it to the model.
fn to_change(model: &mut String, op: &Op, enc: Encoding) -> Change {
    match op {
        Op::Full(text) => {
            *model = text.clone();
            Change { range: None, text: text.clone() }
        }
        Op::Range { l1, c1, l2, c2, text } => {
            let a = model_offset(model, *l1, *c1, enc);
            let b = model_offset(model, *l2, *c2, enc);
            let (start, end) = (a.min(b), a.max(b));
            model.replace_range(start..end, text);
            Change { range: Some(((*l1, *c1), (*l2, *c2))), text: text.clone() }
        }
        Op::Exact { at, len, text } => {
            let chars: Vec<usize> = model.char_indices().map(|(i, _)| i).chain([model.len()]).collect();
            let mut si = ((chars.len() - 1) as f64 * at) as usize;
            // A position between "\r" and "\n" cannot be named: move before the "\r".
            if si > 0 && model[..chars[si]].ends_with('\r') && model[chars[si]..].starts_with('\n') {
                si -= 1;
            }
            let mut ei = (si + len).min(chars.len() - 1);
            if ei > 0 && model[..chars[ei]].ends_with('\r') && model[chars[ei]..].starts_with('\n') {
                ei += 1;
            }
            let (start, end) = (chars[si], chars[ei]);
            let range = (model_position(model, start, enc), model_position(model, end, enc));
            model.replace_range(start..end, text);
            Change { range: Some(range), text: text.clone() }
        }
    }
}

fn base() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(SAMPLE.to_string()),
        Just(SAMPLE.replace('\n', "\r\n")),
        Just(SAMPLE.replace('\n', "\r")),
        Just(String::new()),
        prop::collection::vec(prop::sample::select(EDIT_PIECES), 0..30).prop_map(|v| v.concat()),
    ]
}

/// Random edit sequences, several changes per `didChange`, positions from an
/// independent model of the three encodings: the text equals the model, the
/// incremental analysis equals a full one, and the diagnostics agree, after every
/// `didChange`.
#[test]
fn edit_sequences_match_a_string_model_in_every_encoding() {
    bounded("edit sequences", Duration::from_secs(180), || {
        let mut runner = TestRunner::new(proptest_cases(150));
        let encodings = vec![Encoding::Utf8, Encoding::Utf16, Encoding::Utf32];
        let strategy =
            (base(), prop::collection::vec(prop::collection::vec(op(), 1..4), 1..10), prop::sample::select(encodings));
        runner
            .run(&strategy, |(base, batches, enc)| {
                let config = Config::default();
                let mut doc = Document::new(&base, 0, &config);
                let mut model = base.clone();
                for (v, batch) in batches.iter().enumerate() {
                    let changes: Vec<Change> = batch.iter().map(|op| to_change(&mut model, op, enc)).collect();
                    doc.apply(&changes, v as i32 + 1, enc, &config);
                    prop_assert_eq!(doc.version(), v as i32 + 1);
                    prop_assert_eq!(doc.text(), model.clone(), "after {:?} in {:?}", changes, enc);
                    let full = Analysis::new(&model, &config);
                    prop_assert_eq!(&*doc.analysis(), &full, "incremental differs from full after {:?}", changes);
                    // Positions round-trip through the document the way the model counts them.
                    for offset in [0, model.len() / 3, model.len() / 2, model.len()] {
                        let offset = floor(&model, offset);
                        let lines = model_lines(&model);
                        if lines.iter().any(|&(_, e)| e < offset && offset < e + 2 && model[e..].starts_with("\r\n")) {
                            continue;
                        }
                        let pos = model_position(&model, offset, enc);
                        prop_assert_eq!(doc.position(offset, enc), pos, "position of {} in {:?}", offset, model);
                        prop_assert_eq!(doc.offset(pos.0, pos.1, enc), offset);
                    }
                }
                Ok(())
            })
            .unwrap();
    });
}

/// Positions that cannot be honoured clamp; none panics.
#[test]
fn wild_positions_clamp() {
    let config = Config::default();
    let text = "ab😀c\r\n优化\rx\u{2028}y\n";
    // (start, end, encoding, inserted text, expected text)
    type Case = ((u32, u32), (u32, u32), Encoding, &'static str, &'static str);
    let cases: &[Case] = &[
        // Inside the surrogate pair of 😀 (UTF-16 columns 2..4): the start of the emoji.
        ((0, 3), (0, 3), Encoding::Utf16, "!", "ab!😀c\r\n优化\rx\u{2028}y\n"),
        ((0, 3), (0, 4), Encoding::Utf16, "", "abc\r\n优化\rx\u{2028}y\n"),
        ((0, 2), (0, 3), Encoding::Utf16, "", "ab😀c\r\n优化\rx\u{2028}y\n"),
        // Inside the UTF-8 bytes of 😀 (bytes 2..6) and of 优 (3 bytes).
        ((0, 4), (0, 5), Encoding::Utf8, "", "ab😀c\r\n优化\rx\u{2028}y\n"),
        ((1, 1), (1, 4), Encoding::Utf8, "", "ab😀c\r\n化\rx\u{2028}y\n"),
        // A column past the end of the line: before the break (the CRLF is kept).
        ((0, 99), (0, 200), Encoding::Utf16, "!", "ab😀c!\r\n优化\rx\u{2028}y\n"),
        // A lone CR ends line 1; U+2028 does not end line 2.
        ((1, 50), (2, 1), Encoding::Utf32, "", "ab😀c\r\n优化\u{2028}y\n"),
        ((2, 3), (2, 3), Encoding::Utf32, "!", "ab😀c\r\n优化\rx\u{2028}y!\n"),
        // Lines past the end: the end of the document.
        ((99, 0), (u32::MAX, u32::MAX), Encoding::Utf16, "!", "ab😀c\r\n优化\rx\u{2028}y\n!"),
        ((3, 0), (3, 7), Encoding::Utf8, "!", "ab😀c\r\n优化\rx\u{2028}y\n!"),
    ];
    for &(start, end, enc, insert, expected) in cases {
        let b = bounded("wild position", LIMIT, {
            let config = config.clone();
            move || {
                let mut doc = Document::new(text, 1, &config);
                doc.apply(&[Change { range: Some((start, end)), text: insert.to_string() }], 2, enc, &config);
                (doc.text(), *doc.analysis() == Analysis::new(&doc.text(), &config))
            }
        });
        assert_eq!(b.value.0, expected, "{start:?}..{end:?} in {enc:?}");
        assert!(b.value.1, "incremental equals full after {start:?}..{end:?}");
        let mut model = text.to_string();
        let a = model_offset(&model, start.0, start.1, enc);
        let z = model_offset(&model, end.0, end.1, enc);
        model.replace_range(a..z, insert);
        assert_eq!(model, expected, "the model agrees for {start:?}..{end:?} in {enc:?}");
    }
}

// ---- invalid UTF-8 on disk ----

#[test]
fn check_reports_a_file_that_is_not_utf8_and_checks_the_rest() {
    let ws = common::Workspace::new();
    ws.write("content/posts/good.md", SAMPLE);
    let bad = ws.path("content/posts/bad.md");
    let mut bytes = b"---\ntitle: \"caf".to_vec();
    bytes.extend_from_slice(&[0xE9, 0xFF, 0xFE, b'"', b'\n']);
    bytes.extend_from_slice(b"tags: [x]\n---\n");
    std::fs::write(&bad, &bytes).expect("write a non-UTF-8 file");
    let b = bounded("digest-ls check", LIMIT, {
        let root = ws.root().to_path_buf();
        move || {
            std::process::Command::new(env!("CARGO_BIN_EXE_digest-ls"))
                .args(["check", "--format", "json", "."])
                .current_dir(root)
                .output()
                .expect("run digest-ls check")
        }
    });
    let out = b.value;
    let stderr = String::from_utf8_lossy(&out.stderr);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(2), "an unreadable digest makes the check incomplete\n{stderr}\n{stdout}");
    assert!(stderr.contains("bad.md") && stderr.contains("UTF-8"), "a clear message names the file: {stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).expect("JSON output");
    assert_eq!(report["summary"]["files"], 1, "the other digest is still checked: {stdout}");
    assert_eq!(report["summary"]["problems"], 1, "{stdout}");
    let problem = &report["problems"][0];
    assert_eq!(problem["path"], "content/posts/bad.md", "{stdout}");
    assert!(problem["message"].as_str().is_some_and(|m| m.contains("UTF-8")), "{stdout}");
}

#[test]
fn the_server_logs_a_file_that_is_not_utf8_and_indexes_the_rest() {
    let ws = common::Workspace::new();
    ws.write("content/posts/good.md", &common::digest("好", "2024-07-05", &["独有标签"], "**1. x**:  y"));
    std::fs::write(ws.path("content/posts/bad.md"), b"---\ntitle: \xff\xfe\ntags: [\"\xe4\xbc\"]\n---\n")
        .expect("write");
    let mut server = common::Server::spawn(ws.root());
    server.initialize(Some(&ws), common::caps(Some(&["utf-16"])), serde_json::Value::Null);
    server.wait_indexed();
    let log = server.log();
    assert!(
        log.lines().any(|l| l.contains("bad.md") && l.contains("UTF-8")),
        "a log line names the file that is not UTF-8:\n{log}"
    );
    let uri = ws.uri("content/posts/new.md");
    let text = "---\ntitle: t\ndate: 2024-07-05\ntags: []\n---\n";
    server.open(&uri, 1, text);
    let at = text.find("[]").unwrap() + 1;
    let items = common::completion_items(&server.completion(&uri, common::lsp_pos(text, at, common::Enc::Utf16)));
    assert_eq!(common::labels(&items), vec!["独有标签"], "the good digest is indexed");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

/// The cursor in the blank before a flow item (`tags: [ | "优化"]`), where the item
/// starts after the cursor: completion must not slice backwards (found by the
/// arbitrary-text proptest).
#[test]
fn completion_in_the_blank_before_a_flow_tag() {
    let text = "---\ntitle: t\ndate: 2024-07-05\ntags: [   \"优化\", DPO]\n---\n";
    let open = text.find('[').unwrap();
    for at in open + 1..=open + 4 {
        let b = bounded("completion before a flow item", LIMIT, move || {
            let config = Config::default();
            let mut workspace = Workspace::new();
            workspace.update(Path::new("/ws/a.md"), Some(DigestInfo::from_analysis(&Analysis::new(SAMPLE, &config))));
            let analysis = Analysis::new(text, &config);
            completion::complete(text, &analysis, at, &config, &workspace)
        });
        let labels: Vec<&str> = b.value.iter().map(|i| i.label.as_str()).collect();
        assert!(labels.contains(&"角色扮演"), "offset {at}: {labels:?}");
        assert!(!labels.contains(&"DPO"), "offset {at}: a present tag is offered: {labels:?}");
        for item in &b.value {
            assert_span(text, item.edit.0.start, item.edit.0.end, "completion edit");
        }
    }
}
