//! Fuzz target: arbitrary bytes (read as lossy UTF-8) through the analysis, the diagnostics, completion and hover; every span returned must lie in the text on char boundaries.

#![no_main]

use std::path::Path;

use digest_ls::analysis::Analysis;
use digest_ls::config::Config;
use digest_ls::workspace::{DigestInfo, Workspace};
use digest_ls::{completion, diagnostics, hover};
use libfuzzer_sys::fuzz_target;

fn assert_span(text: &str, start: usize, end: usize, what: &str) {
    assert!(start <= end && end <= text.len(), "{what}: span {start}..{end} outside {} bytes", text.len());
    assert!(text.is_char_boundary(start) && text.is_char_boundary(end), "{what}: {start}..{end} splits a char");
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let text: &str = &text;
    let config = Config::default();
    let path = Path::new("/ws/content/posts/fuzz.md");
    let analysis = Analysis::new(text, &config);
    let mut workspace = Workspace::new();
    workspace.update(path, Some(DigestInfo::from_analysis(&analysis)));
    for d in diagnostics::check(&analysis, path, &config, &workspace) {
        assert_span(text, d.span.start, d.span.end, d.code);
    }
    // Cursor positions taken from the input itself, so the fuzzer can steer them.
    let step = (text.len() / 7).max(1);
    let mut offset = data.first().map_or(0, |&b| b as usize) % (text.len() + 1);
    for _ in 0..8 {
        let mut at = offset.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        for item in completion::complete(text, &analysis, at, &config, &workspace) {
            assert_span(text, item.edit.0.start, item.edit.0.end, "completion");
        }
        if let Some(h) = hover::hover(&analysis, path, at, &config, &workspace) {
            assert_span(text, h.span.start, h.span.end, "hover");
        }
        offset += step;
        if offset > text.len() {
            break;
        }
    }
});
