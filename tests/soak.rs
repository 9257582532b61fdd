//! A soak test: 100,000 edits through the server with completions and hovers in between; the server's resident memory is reported at the start, the middle and the end, and its final view of the text must equal the client's.
//!
//! Ignored by default (minutes in a debug build). Run it with:
//!
//! ```sh
//! cargo test --release --test soak -- --ignored --nocapture
//! ```
//!
//! The final check compares the server's published diagnostics for the last version
//! with the diagnostics the library computes from the client's text, range by range,
//! and hovers a link appended at the very end: any divergence in the server's copy of
//! the text moves a range.

mod common;

use std::path::Path;

use common::{caps, lsp_pos, Enc, Server, Workspace};
use digest_ls::analysis::Analysis;
use digest_ls::config::Config;
use digest_ls::diagnostics;
use digest_ls::text::{Encoding, LineIndex};
use digest_ls::workspace::{DigestInfo, Workspace as Index};
use serde_json::{json, Value};

const SAMPLE: &str = include_str!("fixtures/seed-digest.md");
const PATH: &str = "content/posts/soak.md";
/// How many edits (`DIGEST_LS_SOAK_EDITS` overrides it for a quick run).
fn edits() -> usize {
    std::env::var("DIGEST_LS_SOAK_EDITS").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000)
}
/// The document hovers around this size: inserts and deletes balance out.
const TARGET_LEN: usize = 12_000;

/// A small deterministic generator (xorshift), so a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// The pid of our child process running `digest-ls` (from /proc: parent pid and name).
fn server_pid() -> u32 {
    let me = std::process::id();
    for entry in std::fs::read_dir("/proc").expect("/proc") {
        let Ok(entry) = entry else { continue };
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        // "pid (comm) state ppid ...": the name may hold spaces, so split after the ')'.
        let Some((head, rest)) = stat.rsplit_once(')') else { continue };
        let ppid = rest.split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(me) && head.ends_with("(digest-ls") {
            return pid;
        }
    }
    panic!("no digest-ls child process found");
}

/// Resident memory of a process, in KiB.
fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("the server's /proc status");
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .expect("VmRSS")
}

/// A char boundary near `i`, never between "\r" and "\n".
fn boundary(text: &str, i: usize) -> usize {
    let mut i = i.min(text.len());
    while !text.is_char_boundary(i) || (i > 0 && text[..i].ends_with('\r') && text[i..].starts_with('\n')) {
        i -= 1;
    }
    i
}

const PIECES: &[&str] =
    &["中", "文", "😀", "👩‍👩‍👧", "a", " ", "\n", "优化", "**", "[x](https://github.com/a/b)", "\r\n", "*  ", "\n\n"];

/// The server's diagnostics as comparable tuples.
fn server_diagnostics(params: &Value) -> Vec<(String, u64, u64, u64, u64)> {
    let mut out: Vec<_> = params["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .map(|d| {
            let r = &d["range"];
            let n = |v: &Value| v.as_u64().expect("a number");
            (
                d["code"].as_str().unwrap_or("").to_string(),
                n(&r["start"]["line"]),
                n(&r["start"]["character"]),
                n(&r["end"]["line"]),
                n(&r["end"]["character"]),
            )
        })
        .collect();
    out.sort();
    out
}

/// The diagnostics the library computes for `text`, in UTF-16 positions.
fn library_diagnostics(text: &str, path: &Path) -> Vec<(String, u64, u64, u64, u64)> {
    let config = Config::default();
    let analysis = Analysis::new(text, &config);
    let mut index = Index::new();
    index.update(path, Some(DigestInfo::from_analysis(&analysis)));
    let lines = LineIndex::new(text);
    let mut out: Vec<_> = diagnostics::check(&analysis, path, &config, &index)
        .iter()
        .map(|d| {
            let (l1, c1) = lines.position(text, d.span.start, Encoding::Utf16);
            let (l2, c2) = lines.position(text, d.span.end, Encoding::Utf16);
            (d.code.to_string(), l1 as u64, c1 as u64, l2 as u64, c2 as u64)
        })
        .collect();
    out.sort();
    out
}

#[test]
#[ignore = "soak: minutes long; run with `cargo test --release --test soak -- --ignored --nocapture`"]
fn hundred_thousand_edits_with_requests_in_between() {
    let ws = Workspace::new();
    ws.write(PATH, SAMPLE);
    let uri = ws.uri(PATH);
    let mut server = Server::spawn(ws.root());
    server.initialize(Some(&ws), caps(Some(&["utf-16"])), Value::Null);
    server.wait_indexed();
    let pid = server_pid();
    let mut text = SAMPLE.to_string();
    server.open(&uri, 1, &text);
    server.diagnostics_at(&uri, 1);
    let start_rss = rss_kib(pid);
    let mut mid_rss = 0;
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let started = std::time::Instant::now();
    let edits = edits();
    let mut version = 1;
    for i in 1..=edits {
        version += 1;
        // Never touch the front matter: the document stays a digest with tags.
        let fm_end = text.find("\n---\n").map_or(0, |e| e + 5);
        let grow = text.len() < TARGET_LEN || rng.below(2) == 0;
        let at = boundary(&text, fm_end + rng.below(text.len() - fm_end + 1));
        let change = if grow {
            let piece = PIECES[rng.below(PIECES.len())];
            common::edit(&mut text, at, at, piece, Enc::Utf16)
        } else {
            let end = boundary(&text, at + 1 + rng.below(12)).max(at);
            common::edit(&mut text, at, end, "", Enc::Utf16)
        };
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
        );
        if i % 100 == 0 {
            // A completion in the tags, and a hover on a link if one is left.
            let at = text.find("tags: [").expect("the tags line") + 7;
            let items = common::completion_items(&server.completion(&uri, lsp_pos(&text, at, Enc::Utf16)));
            assert!(items.iter().all(|i| i["label"].is_string()));
            if let Some(link) = text.find("[x](") {
                server.hover(&uri, lsp_pos(&text, link + 1, Enc::Utf16));
            }
            // Published diagnostics pile up in the client: forget all but the latest.
            server.seen.retain(|m| m["params"]["version"] == version);
        }
        if i == edits / 2 {
            mid_rss = rss_kib(pid);
        }
    }
    let elapsed = started.elapsed();
    // The last version's diagnostics equal the library's on the client's text.
    let published = server.diagnostics_at(&uri, version);
    let path = ws.path(PATH);
    assert_eq!(server_diagnostics(&published), library_diagnostics(&text, &path), "after {edits} edits");
    // A link appended at the end is hovered exactly where the client has it.
    version += 1;
    let end = text.len();
    let change = common::edit(&mut text, end, end, "\n\n[终点](https://arxiv.org/abs/2402.00658)\n", Enc::Utf16);
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [change] }),
    );
    let link = text.rfind("[终点]").unwrap();
    let hover = server.hover(&uri, lsp_pos(&text, link + "[终".len(), Enc::Utf16));
    assert_eq!(hover["range"]["start"], lsp_pos(&text, link, Enc::Utf16), "{hover}");
    let end_rss = rss_kib(pid);
    eprintln!(
        "soak: {edits} edits in {elapsed:?}; final text {} bytes; server VmRSS start {start_rss} KiB, middle {mid_rss} KiB, end {end_rss} KiB",
        text.len()
    );
    // A leak guard, not a measurement: flat means far below this.
    assert!(end_rss < start_rss * 3 + 200 * 1024, "resident memory grew from {start_rss} KiB to {end_rss} KiB");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}
