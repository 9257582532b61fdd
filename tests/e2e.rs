//! End-to-end tests: the built `digest-ls` binary over stdio, as editors drive it (initialize, open, edit, complete, hover, watch files, exit).

mod common;

use common::{
    apply_completion, caps, completion_items, digest, edit, labels, lsp_pos, negotiated, pos, Enc, Server, Workspace,
};
use serde_json::{json, Value};

const SAMPLE: &str = include_str!("fixtures/seed-digest.md");
const SAMPLE_TAGS: &str = "tags: [\"优化\", \"角色扮演\", \"DPO\"]";
const DUP_TAGS: &str = "tags: [\"优化😀\", \"角色扮演\", \"DPO\", \"DPO\"]";
const SAMPLE_PATH: &str = "content/posts/2024-07-05.md";

/// A workspace with three other digests: 强化学习 in 3, 多模态 in 2, 推理 and RLHF in 1;
/// the second one cites the sample's Adam-Mini paper (in its pdf form).
fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.write(
        "content/posts/2024-06-01.md",
        &digest(
            "RLHF 综述",
            "2024-06-01T20:00:00+08:00",
            &["强化学习", "多模态"],
            "**1. RLHF 综述**:  从 InstructGPT 说起\n*  相关引用：\n    * **文章**: [InstructGPT](https://arxiv.org/abs/2203.02155)",
        ),
    );
    ws.write(
        "content/posts/2024-06-08.md",
        &digest(
            "优化器显存",
            "2024-06-08T20:00:00+08:00",
            &["强化学习", "推理"],
            "**1. 优化器显存**:  Adam-Mini 再读\n*  相关引用：\n    * **文章**: [Adam-Mini](https://arxiv.org/pdf/2402.00658v2)",
        ),
    );
    ws.write(
        "content/posts/2024-06-15.md",
        &digest(
            "多模态 RLHF",
            "2024-06-15T20:00:00+08:00",
            &["强化学习", "多模态", "RLHF"],
            "**1. 多模态 RLHF**:  概览",
        ),
    );
    ws
}

fn start(ws: &Workspace, encodings: &[&str]) -> (Server, Enc) {
    let mut server = Server::spawn(ws.root());
    let result = server.initialize(Some(ws), caps(Some(encodings)), Value::Null);
    let enc = negotiated(&result);
    server.wait_indexed();
    (server, enc)
}

fn codes(diags: &Value) -> Vec<String> {
    diags["diagnostics"].as_array().expect("a diagnostics list").iter().map(|d| d["code"].to_string()).collect()
}

fn with_code<'a>(diags: &'a Value, code: &str) -> Vec<&'a Value> {
    diags["diagnostics"].as_array().expect("a diagnostics list").iter().filter(|d| d["code"] == code).collect()
}

/// Errors and warnings (severity 1 and 2).
fn serious(diags: &Value) -> Vec<&Value> {
    diags["diagnostics"]
        .as_array()
        .expect("a diagnostics list")
        .iter()
        .filter(|d| d["severity"] == 1 || d["severity"] == 2)
        .collect()
}

fn range_cols(d: &Value) -> (u64, u64, u64, u64) {
    let r = &d["range"];
    let n = |v: &Value| v.as_u64().expect("a number");
    (n(&r["start"]["line"]), n(&r["start"]["character"]), n(&r["end"]["line"]), n(&r["end"]["character"]))
}

/// Asserts exactly one `duplicate-tag` diagnostic, on the second `"DPO"` of the tags
/// line of `text`, at columns counted here in `enc` (with or without the quotes).
fn assert_duplicate_tag_at(diags: &Value, text: &str, enc: Enc) {
    let dups = with_code(diags, "duplicate-tag");
    assert_eq!(dups.len(), 1, "exactly one duplicate-tag in {diags:#}");
    let line_start = text.find("tags: [").expect("a tags line");
    let line_end = line_start + text[line_start..].find('\n').expect("the end of the tags line");
    let second = line_start + text[line_start..line_end].rfind("\"DPO\"").expect("a second DPO");
    let (line, quoted_start) = pos(text, second, enc);
    let (_, quoted_end) = pos(text, second + 5, enc);
    let got = range_cols(dups[0]);
    let with_quotes = (line as u64, quoted_start as u64, line as u64, quoted_end as u64);
    let without = (line as u64, quoted_start as u64 + 1, line as u64, quoted_end as u64 - 1);
    assert!(
        got == with_quotes || got == without,
        "duplicate-tag at {got:?}, expected {with_quotes:?} or {without:?} ({})",
        enc.name()
    );
    assert_eq!(dups[0]["source"], "digest-ls");
    assert_eq!(dups[0]["severity"], 2, "a warning");
    let serious = serious(diags);
    assert_eq!(serious.len(), 1, "no other error or warning: {serious:#?}");
}

// ---- 1. initialize and position encodings ----

#[test]
fn initialize_negotiates_an_offered_position_encoding() {
    let ws = Workspace::new();
    let cases: [(Option<&[&str]>, &str); 5] = [
        (Some(&["utf-16"]), "utf-16"),
        (None, "utf-16"),
        (Some(&[]), "utf-16"),
        (Some(&["utf-8", "utf-16", "utf-32"]), "utf-8"),
        (Some(&["utf-32"]), "utf-32"),
    ];
    for (offered, expected) in cases {
        let mut server = Server::spawn(ws.root());
        let result = server.initialize(Some(&ws), caps(offered), Value::Null);
        let got = result["capabilities"]["positionEncoding"].as_str().unwrap_or("<none>").to_string();
        if let Some(list) = offered.filter(|l| !l.is_empty()) {
            assert!(list.contains(&got.as_str()), "{got} was not offered in {list:?}");
        }
        assert_eq!(got, expected, "offered {offered:?}");
        let caps = &result["capabilities"];
        assert_eq!(caps["textDocumentSync"]["change"], 2, "incremental sync");
        assert_eq!(caps["textDocumentSync"]["openClose"], true);
        assert_eq!(caps["hoverProvider"], true);
        let triggers = caps["completionProvider"]["triggerCharacters"].as_array().expect("trigger characters");
        for t in ["[", ",", "\"", "'", "-", " ", ":"] {
            assert!(triggers.contains(&json!(t)), "trigger {t:?} in {triggers:?}");
        }
        assert_eq!(result["serverInfo"]["name"], "digest-ls");
        assert_eq!(server.shutdown_and_exit().code(), Some(0));
    }
}

#[test]
fn requests_before_initialize_and_unknown_methods_get_errors() {
    let ws = Workspace::new();
    let mut server = Server::spawn(ws.root());
    let early = server.request_raw(
        "textDocument/hover",
        json!({ "textDocument": { "uri": ws.uri("a.md") }, "position": { "line": 0, "character": 0 } }),
    );
    assert_eq!(early["error"]["code"], -32002, "server not initialized: {early}");
    server.initialize(Some(&ws), caps(None), Value::Null);
    let unknown = server.request_raw("digest/noSuchMethod", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "method not found: {unknown}");
    // Malformed parameters of a notification are dropped; the server keeps serving.
    server.notify("textDocument/didOpen", json!({ "textDocument": 42 }));
    let uri = ws.uri("content/posts/x.md");
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [{ "text": "x" }] }),
    );
    let hover = server.hover(&uri, json!({ "line": 99, "character": 99 }));
    assert_eq!(hover, Value::Null, "nothing to say about a document that is not open");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

// ---- 2. and 3. the sample ----

#[test]
fn sample_digest_has_no_error_or_warning() {
    let ws = workspace();
    ws.write(SAMPLE_PATH, SAMPLE);
    let (mut server, _) = start(&ws, &["utf-16"]);
    let uri = ws.uri(SAMPLE_PATH);
    server.open(&uri, 7, SAMPLE);
    let diags = server.diagnostics_at(&uri, 7);
    assert_eq!(diags["version"], 7);
    assert!(serious(&diags).is_empty(), "no error or warning on the sample: {diags:#}");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

fn duplicate_tag_after_emoji(encodings: &[&str], expected: Enc) {
    let ws = workspace();
    let text = SAMPLE.replace(SAMPLE_TAGS, DUP_TAGS);
    assert_ne!(text, SAMPLE, "the fixture has the expected tags line");
    ws.write(SAMPLE_PATH, &text);
    let (mut server, enc) = start(&ws, encodings);
    assert_eq!(enc, expected);
    let uri = ws.uri(SAMPLE_PATH);
    server.open(&uri, 1, &text);
    let diags = server.diagnostics_at(&uri, 1);
    assert_duplicate_tag_at(&diags, &text, enc);
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn duplicate_tag_after_emoji_utf16_client() {
    duplicate_tag_after_emoji(&["utf-16"], Enc::Utf16);
}

#[test]
fn duplicate_tag_after_emoji_utf8_client() {
    duplicate_tag_after_emoji(&["utf-8", "utf-16"], Enc::Utf8);
}

#[test]
fn duplicate_tag_after_emoji_utf32_client() {
    duplicate_tag_after_emoji(&["utf-32"], Enc::Utf32);
}

// ---- 4. completion and hover ----

const NEW_PATH: &str = "content/posts/2024-07-12.md";

fn new_digest(tags: &str) -> String {
    format!("---\ntitle: \"新的一期\"\ndate: 2024-07-12T19:00:00+08:00\ntags: [{tags}]\n---\n\n**1. 新话题**:  摘要\n")
}

/// Completion right after `tags: [` of the new digest.
fn complete_in_empty_tags(server: &mut Server, ws: &Workspace, enc: Enc, version: i64) -> (String, Vec<Value>) {
    let text = new_digest("");
    let uri = ws.uri(NEW_PATH);
    if version == 1 {
        server.open(&uri, 1, &text);
    }
    let cursor = text.find("tags: [").expect("tags") + "tags: [".len();
    let result = server.completion(&uri, lsp_pos(&text, cursor, enc));
    if let Value::Object(list) = &result {
        assert_eq!(list.get("isIncomplete"), Some(&json!(false)), "a complete list");
    }
    (text, completion_items(&result))
}

#[test]
fn completion_offers_workspace_tags_most_used_first() {
    let ws = workspace();
    let (mut server, enc) = start(&ws, &["utf-16"]);
    let (text, items) = complete_in_empty_tags(&mut server, &ws, enc, 1);
    let names = labels(&items);
    assert!(names.len() >= 4, "workspace tags offered: {names:?}");
    assert_eq!(&names[..2], &["强化学习", "多模态"], "most used first: {names:?}");
    for tag in ["推理", "RLHF"] {
        assert!(names.iter().any(|n| n == tag), "{tag} offered: {names:?}");
    }
    let top = &items[0];
    assert!(top["detail"].as_str().unwrap_or("").contains('3'), "detail counts 3 digests: {top}");
    assert!(top["textEdit"].is_object(), "an item carries a text edit: {top}");
    let applied = apply_completion(&text, top, enc);
    let line = applied.lines().find(|l| l.starts_with("tags:")).expect("tags line");
    assert!(line == "tags: [\"强化学习\"]" || line == "tags: [强化学习]", "after accepting: {line}");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn completion_leaves_out_tags_already_in_the_list() {
    let ws = workspace();
    let (mut server, enc) = start(&ws, &["utf-8", "utf-16"]);
    let text = new_digest("\"强化学习\", ");
    let uri = ws.uri(NEW_PATH);
    server.open(&uri, 1, &text);
    let cursor = text.find("\"强化学习\", ").expect("tags") + "\"强化学习\", ".len();
    let names = labels(&completion_items(&server.completion(&uri, lsp_pos(&text, cursor, enc))));
    assert_eq!(names.first().map(String::as_str), Some("多模态"), "{names:?}");
    assert!(!names.iter().any(|n| n == "强化学习"), "a tag already in the list is not offered: {names:?}");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn hover_on_arxiv_link_names_the_paper_and_other_citations() {
    let ws = workspace();
    ws.write(SAMPLE_PATH, SAMPLE);
    let (mut server, enc) = start(&ws, &["utf-16"]);
    let uri = ws.uri(SAMPLE_PATH);
    server.open(&uri, 1, SAMPLE);
    let at = SAMPLE.find("arxiv.org/abs/2402.00658").expect("the Adam-Mini link");
    let hover = server.hover(&uri, lsp_pos(SAMPLE, at, enc));
    let markdown = hover["contents"]["value"].as_str().unwrap_or_else(|| panic!("a markdown hover: {hover}"));
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(markdown.contains("2402.00658"), "the arXiv id: {markdown}");
    assert!(markdown.contains("2024-06-08"), "also cited in the 2024-06-08 digest: {markdown}");
    let link_start = SAMPLE.find("[Adam-Mini]").expect("the link text");
    let (line, col) = pos(SAMPLE, link_start, enc);
    assert_eq!(hover["range"]["start"], json!({ "line": line, "character": col }), "the range is the link's span");
    // Nothing to say on plain text.
    let plain = SAMPLE.find("卡越多").expect("a plain point");
    assert_eq!(server.hover(&uri, lsp_pos(SAMPLE, plain, enc)), Value::Null);
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn indexing_reports_progress_and_sees_every_digest() {
    let ws = Workspace::new();
    // More than one indexing step's worth of files, in nested folders, plus files that are not digests.
    for i in 0..300 {
        let tags: &[&str] = if i % 3 == 0 { &["批量", "三分之一"] } else { &["批量"] };
        ws.write(
            &format!("content/posts/{}/{i:03}.md", 2000 + i / 100),
            &digest(&format!("第 {i} 期"), "2024-01-01T20:00:00+08:00", tags, "**1. 话题**:  摘要"),
        );
    }
    ws.write("README.md", "# 不是摘要\n\ntags: [\"README\"]\n");
    ws.write("node_modules/pkg/content/x.md", &digest("x", "2024-01-01", &["不该出现"], ""));
    std::fs::write(ws.path("content/posts/latin1.md"), b"---\ntitle: \xe9t\xe9\n---\n").expect("write");
    let mut server = Server::spawn(ws.root());
    server.initialize(Some(&ws), caps(Some(&["utf-16"])), Value::Null);
    let create = server.wait_for("window/workDoneProgress/create", |m| m["method"] == "window/workDoneProgress/create");
    let token = create["params"]["token"].clone();
    let begin =
        server.wait_for("progress begin", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin");
    assert_eq!(begin["params"]["token"], token);
    assert!(begin["params"]["value"]["title"].is_string());
    let report =
        server.wait_for("progress report", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "report");
    assert_eq!(report["params"]["token"], token);
    server.wait_indexed();

    let (_, items) = complete_in_empty_tags(&mut server, &ws, Enc::Utf16, 1);
    let names = labels(&items);
    assert_eq!(&names[..2], &["批量", "三分之一"], "{names:?}");
    assert!(items[0]["detail"].as_str().unwrap_or("").contains("300"), "{}", items[0]);
    assert!(items[1]["detail"].as_str().unwrap_or("").contains("100"), "{}", items[1]);
    assert!(!names.iter().any(|n| n == "不该出现" || n == "README"), "{names:?}");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn a_reindex_forgets_the_files_that_are_no_longer_digests() {
    let ws = Workspace::new();
    ws.write("digest-ls.toml", "");
    ws.write("content/posts/a.md", &digest("甲", "2024-01-01", &["留下 😀"], "**1. 话题**:  摘要"));
    ws.write("content/posts/b.md", &digest("乙", "2024-01-02", &["排除"], "**1. 话题**:  摘要"));
    let mut server = Server::spawn(ws.root());
    server.initialize(Some(&ws), caps(Some(&["utf-16"])), Value::Null);
    server.wait_indexed();
    let (_, items) = complete_in_empty_tags(&mut server, &ws, Enc::Utf16, 1);
    assert_eq!(labels(&items), ["排除", "留下 😀"].map(String::from), "both indexed first");

    // The configuration now excludes b.md: saving it re-indexes the workspace.
    let toml_uri = ws.uri("digest-ls.toml");
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": toml_uri, "languageId": "toml", "version": 1, "text": "" } }),
    );
    let excluding = "exclude = [\"b.md\"]\n";
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": toml_uri, "version": 2 }, "contentChanges": [{ "text": excluding }] }),
    );
    ws.write("digest-ls.toml", excluding);
    server.notify("textDocument/didSave", json!({ "textDocument": { "uri": toml_uri } }));
    server.wait_indexed();
    let (_, items) = complete_in_empty_tags(&mut server, &ws, Enc::Utf16, 2);
    assert_eq!(labels(&items), ["留下 😀"], "b.md is no longer a digest");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn nested_workspace_folders_index_a_file_once_under_the_deepest() {
    let ws = Workspace::new();
    ws.write("content/posts/top.md", &digest("顶", "2024-01-01", &["共同"], "**1. 话题**:  摘要"));
    ws.write("sub/content/posts/kept.md", &digest("留", "2024-01-02", &["共同"], "**1. 话题**:  摘要"));
    ws.write("sub/content/posts/skip.md", &digest("跳", "2024-01-03", &["子目录排除"], "**1. 话题**:  摘要"));
    // Only the inner folder's configuration excludes skip.md.
    ws.write("sub/digest-ls.toml", "exclude = [\"skip.md\"]\n");
    let mut server = Server::spawn(ws.root());
    let sub_uri = common::file_uri(&ws.path("sub"));
    server.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": ws.root_uri(),
            "workspaceFolders": [{ "uri": ws.root_uri(), "name": "ws" }, { "uri": sub_uri, "name": "sub" }],
            "capabilities": caps(Some(&["utf-16"])),
        }),
    );
    server.notify("initialized", json!({}));
    server.wait_indexed();
    let (_, items) = complete_in_empty_tags(&mut server, &ws, Enc::Utf16, 1);
    assert_eq!(labels(&items), ["共同"], "skip.md is judged by the inner folder's rules: {items:?}");
    assert!(items[0]["detail"].as_str().unwrap_or("").contains('2'), "kept.md counted once: {}", items[0]);
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

// ---- 5. a burst of incremental changes ----

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
    /// A char boundary of `text` within `start..=end`.
    fn boundary(&mut self, text: &str, start: usize, end: usize) -> usize {
        let bounds: Vec<usize> = (start..=end).filter(|&i| text.is_char_boundary(i)).collect();
        bounds[self.below(bounds.len())]
    }
}

/// The end of the char starting at `i`.
fn char_end(text: &str, i: usize) -> usize {
    i + text[i..].chars().next().map_or(0, char::len_utf8)
}

#[test]
fn burst_of_incremental_changes_keeps_the_server_in_sync() {
    let ws = workspace();
    let mut text = SAMPLE.replace(SAMPLE_TAGS, DUP_TAGS);
    ws.write(SAMPLE_PATH, &text);
    let (mut server, enc) = start(&ws, &["utf-16"]);
    assert_eq!(enc, Enc::Utf16);
    let uri = ws.uri(SAMPLE_PATH);
    server.open(&uri, 1, &text);

    let target = "\n\n参见 [新论文😀](https://arxiv.org/abs/2501.01234) 。\n";
    let mut typed = 0; // bytes of `target` typed at the end so far
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut version = 1;
    let pool = ["😀", "优", "化", "🚀", "a", "中文", " ", "\n", "**"];
    let tag_pool = ["😀", "优", "化", "🚀", "a"];

    let send = |server: &Server, changes: Vec<Value>, version: &mut i64| {
        *version += 1;
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": *version }, "contentChanges": changes }),
        );
    };

    while version < 240 || typed < target.len() {
        let mut changes = Vec::new();
        // Every seventh notification carries two changes, applied in order.
        let count = if version % 7 == 0 { 2 } else { 1 };
        for _ in 0..count {
            let choice = if typed < target.len() { rng.below(10) } else { rng.below(6) };
            if choice < 3 {
                // Inside the first tag, before the emoji-shifted duplicate.
                let start = text.find("tags: [\"").expect("tags") + "tags: [\"".len();
                let end = start + text[start..].find('"').expect("end of the first tag");
                if rng.below(2) == 0 || text[start..end].chars().count() < 2 {
                    let at = rng.boundary(&text, start, end);
                    changes.push(edit(&mut text, at, at, tag_pool[rng.below(tag_pool.len())], enc));
                } else {
                    let at = rng.boundary(&text, start, end - 1);
                    let to = char_end(&text, at);
                    changes.push(edit(&mut text, at, to, "", enc));
                }
            } else if choice < 6 {
                // Noise in the body, before what is being typed at the end.
                let body_start = text.find("\n---\n").expect("closing fence") + 5;
                let end = text.len() - typed;
                let at = rng.boundary(&text, body_start, end.saturating_sub(1).max(body_start));
                if rng.below(3) == 0 && at < end {
                    let mut to = char_end(&text, at);
                    if rng.below(2) == 0 && to < end {
                        to = char_end(&text, to);
                    }
                    changes.push(edit(&mut text, at, to, "", enc));
                } else {
                    changes.push(edit(&mut text, at, at, pool[rng.below(pool.len())], enc));
                }
            } else {
                // Type the next character of the target at the end.
                let c = target[typed..].chars().next().expect("a char left");
                let end = text.len();
                changes.push(edit(&mut text, end, end, &c.to_string(), enc));
                typed += c.len_utf8();
            }
        }
        send(&server, changes, &mut version);
    }
    // Type `, ""` before `]` of the tags, then `强` between the quotes.
    let close = text.find("\"DPO\"]").expect("end of the tags") + "\"DPO\"".len();
    let change = edit(&mut text, close, close, ", ", enc);
    send(&server, vec![change], &mut version);
    let change = edit(&mut text, close + 2, close + 2, "\"\"", enc);
    send(&server, vec![change], &mut version);
    let change = edit(&mut text, close + 3, close + 3, "强", enc);
    send(&server, vec![change], &mut version);
    let last = version;
    let sent = last - 1;
    assert!(sent >= 200, "at least 200 changes sent, got {sent}");
    // A stale version must be ignored: applied, it would delete the tags line.
    let tags_line = text.find("tags: [").expect("tags");
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": last - 5 },
            "contentChanges": [{ "range": { "start": lsp_pos(&text, tags_line, enc), "end": { "line": 4, "character": 0 } }, "text": "" }],
        }),
    );

    let diags = server.diagnostics_at(&uri, last);
    assert_eq!(diags["version"], last);
    assert_duplicate_tag_at_loose(&diags, &text, enc);

    // Positions that only exist in the final text.
    let cursor = close + 3 + "强".len();
    let items = completion_items(&server.completion(&uri, lsp_pos(&text, cursor, enc)));
    let item = items
        .iter()
        .find(|i| i["label"] == "强化学习")
        .unwrap_or_else(|| panic!("强化学习 offered for 强: {:?}", labels(&items)));
    let accepted = apply_completion(&text, item, enc);
    let line = accepted.lines().find(|l| l.starts_with("tags:")).expect("tags line");
    assert!(line.ends_with("\"DPO\", \"DPO\", \"强化学习\"]"), "after accepting: {line}");
    let link = text.find("arxiv.org/abs/2501.01234").expect("the typed link");
    let hover = server.hover(&uri, lsp_pos(&text, link, enc));
    let markdown = hover["contents"]["value"].as_str().unwrap_or_else(|| panic!("a hover on the typed link: {hover}"));
    assert!(markdown.contains("2501.01234"), "{markdown}");
    let (line, _) = pos(&text, link, enc);
    assert_eq!(hover["range"]["start"]["line"], line);

    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

/// Like `assert_duplicate_tag_at`, without requiring the rest of the (noisy) body to
/// be free of warnings.
fn assert_duplicate_tag_at_loose(diags: &Value, text: &str, enc: Enc) {
    let dups = with_code(diags, "duplicate-tag");
    assert_eq!(dups.len(), 1, "exactly one duplicate-tag in {diags:#}");
    let line_start = text.find("tags: [").expect("a tags line");
    let line_end = line_start + text[line_start..].find('\n').expect("the end of the tags line");
    let second = line_start + text[line_start..line_end].rfind("\"DPO\"").expect("a second DPO");
    let (line, s) = pos(text, second, enc);
    let (_, e) = pos(text, second + 5, enc);
    let got = range_cols(dups[0]);
    let (line, s, e) = (line as u64, s as u64, e as u64);
    assert!(
        got == (line, s, line, e) || got == (line, s + 1, line, e - 1),
        "duplicate-tag at {got:?}, expected {s}..{e} on line {line}"
    );
}

// ---- 6. watched files ----

#[test]
fn watched_file_events_update_the_index() {
    let ws = workspace();
    let (mut server, enc) = start(&ws, &["utf-16"]);
    let registration = server.wait_for("registration of file watchers", |m| m["method"] == "client/registerCapability");
    let reg = &registration["params"]["registrations"][0];
    assert_eq!(reg["method"], "workspace/didChangeWatchedFiles");
    let globs: Vec<&str> = reg["registerOptions"]["watchers"]
        .as_array()
        .expect("watchers")
        .iter()
        .filter_map(|w| w["globPattern"].as_str())
        .collect();
    assert!(globs.contains(&"**/*.md") && globs.contains(&"**/digest-ls.toml"), "{globs:?}");

    let (_, items) = complete_in_empty_tags(&mut server, &ws, enc, 1);
    assert!(!labels(&items).iter().any(|l| l == "知识蒸馏"));

    let kd = "content/posts/2024-07-19.md";
    ws.write(kd, &digest("蒸馏", "2024-07-19T20:00:00+08:00", &["知识蒸馏"], "**1. 蒸馏**:  小模型"));
    server.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": ws.uri(kd), "type": 1 }] }));
    let (_, items) = complete_in_empty_tags(&mut server, &ws, enc, 2);
    assert!(labels(&items).iter().any(|l| l == "知识蒸馏"), "a created digest's tag: {:?}", labels(&items));

    // A change on disk replaces what the file contributes.
    let first = "content/posts/2024-06-01.md";
    ws.write(first, &digest("RLHF 综述", "2024-06-01T20:00:00+08:00", &["知识图谱"], "**1. RLHF 综述**:  改"));
    server.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": ws.uri(first), "type": 2 }] }));
    let (_, items) = complete_in_empty_tags(&mut server, &ws, enc, 2);
    let names = labels(&items);
    assert!(names.iter().any(|l| l == "知识图谱"), "{names:?}");
    // 强化学习 is now in 2 digests; of the tags in one, 知识蒸馏's digest is the newest.
    assert_eq!(&names[..2], &["强化学习", "知识蒸馏"], "{names:?}");

    ws.remove(kd);
    server.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": ws.uri(kd), "type": 3 }] }));
    let (_, items) = complete_in_empty_tags(&mut server, &ws, enc, 2);
    assert!(!labels(&items).iter().any(|l| l == "知识蒸馏"), "a deleted digest's tag is gone: {:?}", labels(&items));
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn open_documents_override_the_disk_until_closed() {
    let ws = workspace();
    let (mut server, enc) = start(&ws, &["utf-16"]);
    // Open an existing digest with an unsaved new tag.
    let path = "content/posts/2024-06-15.md";
    let uri = ws.uri(path);
    let unsaved = digest("多模态 RLHF", "2024-06-15T20:00:00+08:00", &["未保存标签"], "**1. 多模态 RLHF**:  概览");
    server.open(&uri, 1, &unsaved);
    let (_, items) = complete_in_empty_tags(&mut server, &ws, enc, 1);
    let names = labels(&items);
    assert!(names.iter().any(|l| l == "未保存标签"), "{names:?}");
    assert!(!names.iter().any(|l| l == "RLHF"), "the disk version is overridden: {names:?}");
    // Disk events for an open file are ignored.
    server.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri, "type": 2 }] }));
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    let cleared =
        server.diagnostics(&uri, "cleared on close", |p| p["diagnostics"] == json!([]) && p["version"].is_null());
    assert_eq!(cleared["diagnostics"], json!([]));
    let (_, items) = complete_in_empty_tags(&mut server, &ws, enc, 2);
    let names = labels(&items);
    assert!(names.iter().any(|l| l == "RLHF") && !names.iter().any(|l| l == "未保存标签"), "disk again: {names:?}");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

// ---- 7. exit codes ----

#[test]
fn shutdown_then_exit_exits_with_0() {
    let ws = Workspace::new();
    let mut server = Server::spawn(ws.root());
    server.initialize(Some(&ws), caps(None), Value::Null);
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn exit_without_shutdown_exits_with_1() {
    let ws = Workspace::new();
    let mut server = Server::spawn(ws.root());
    server.initialize(Some(&ws), caps(None), Value::Null);
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit().code(), Some(1));
}

#[test]
fn closing_stdin_ends_the_server() {
    let ws = Workspace::new();
    let mut server = Server::spawn(ws.root());
    server.initialize(Some(&ws), caps(None), Value::Null);
    server.close_stdin();
    assert_eq!(server.wait_exit().code(), Some(1), "end of input without shutdown");

    let mut server = Server::spawn(ws.root());
    server.initialize(Some(&ws), caps(None), Value::Null);
    assert_eq!(server.request("shutdown", Value::Null), Value::Null);
    server.close_stdin();
    assert_eq!(server.wait_exit().code(), Some(0), "end of input after shutdown");
}

#[cfg(unix)]
#[test]
fn server_exits_when_the_client_process_is_gone() {
    // A process that has ended (and been reaped): its id no longer exists.
    let mut gone = std::process::Command::new("true").spawn().expect("spawn true");
    let pid = gone.id();
    gone.wait().expect("wait for true");
    let ws = Workspace::new();
    let mut server = Server::spawn(ws.root());
    server.initialize_as(pid, Some(&ws), caps(None), Value::Null);
    assert_eq!(server.wait_exit().code(), Some(1), "the server notices that its client is gone");
}

// ---- 8. configuration ----

const FUTURE_PATH: &str = "content/posts/2099-01-01.md";

fn future_digest() -> String {
    digest("来自未来", "2099-01-01T10:00:00+08:00", &["强化学习"], "**1. 未来**:  还没发生")
}

/// Opens the future digest and returns its first diagnostics.
fn future_diagnostics(ws: &Workspace, options: Value, pulled: Value) -> Value {
    ws.write(FUTURE_PATH, &future_digest());
    let mut server = Server::spawn(ws.root());
    *server.settings.lock().unwrap() = pulled.clone();
    server.initialize(Some(ws), caps(Some(&["utf-16"])), options);
    server.wait_indexed();
    let uri = ws.uri(FUTURE_PATH);
    server.open(&uri, 1, &future_digest());
    let diags = if pulled.is_null() {
        server.diagnostics_at(&uri, 1)
    } else {
        // The pulled settings arrive after the first publish at worst: wait for them to apply.
        server.diagnostics(&uri, "after workspace/configuration", |p| {
            !p["diagnostics"].as_array().is_some_and(|a| a.iter().any(|d| d["code"] == "future-date"))
        })
    };
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
    diags
}

#[test]
fn config_file_severity_and_required_keys_are_honoured() {
    // Without configuration: a future date is a warning, and no author is required.
    let plain = future_diagnostics(&Workspace::new(), Value::Null, Value::Null);
    assert_eq!(with_code(&plain, "future-date").len(), 1, "{:?}", codes(&plain));
    assert!(with_code(&plain, "missing-key").is_empty(), "{:?}", codes(&plain));

    let ws = Workspace::new();
    ws.write(
        "digest-ls.toml",
        "required-keys = [\"title\", \"date\", \"tags\", \"author\"]\n\n[severity]\nfuture-date = \"off\"\n",
    );
    let configured = future_diagnostics(&ws, Value::Null, Value::Null);
    assert!(with_code(&configured, "future-date").is_empty(), "future-date is off: {:?}", codes(&configured));
    let missing = with_code(&configured, "missing-key");
    assert_eq!(missing.len(), 1, "author is required: {:?}", codes(&configured));
    assert!(missing[0]["message"].as_str().unwrap_or("").contains("author"), "{}", missing[0]);
}

#[test]
fn client_settings_are_honoured() {
    let plain = future_diagnostics(&Workspace::new(), Value::Null, Value::Null);
    assert_eq!(with_code(&plain, "future-date").len(), 1, "without settings: {:?}", codes(&plain));
    let off = json!({ "severity": { "future-date": "off" } });
    let from_options = future_diagnostics(&Workspace::new(), off.clone(), Value::Null);
    assert!(with_code(&from_options, "future-date").is_empty(), "initializationOptions: {:?}", codes(&from_options));
    let pulled = future_diagnostics(&Workspace::new(), Value::Null, off);
    assert!(with_code(&pulled, "future-date").is_empty(), "workspace/configuration: {:?}", codes(&pulled));
}

#[test]
fn pushed_settings_are_honoured_without_workspace_configuration() {
    let ws = Workspace::new();
    ws.write(FUTURE_PATH, &future_digest());
    let mut server = Server::spawn(ws.root());
    let mut client = caps(Some(&["utf-16"]));
    client["workspace"]["configuration"] = json!(false);
    server.initialize(Some(&ws), client, Value::Null);
    server.wait_indexed();
    let uri = ws.uri(FUTURE_PATH);
    server.open(&uri, 1, &future_digest());
    let before = server.diagnostics_at(&uri, 1);
    assert_eq!(with_code(&before, "future-date").len(), 1, "{:?}", codes(&before));
    server.notify(
        "workspace/didChangeConfiguration",
        json!({ "settings": { "digestLs": { "severity": { "future-date": "off" } } } }),
    );
    let after = server.diagnostics(&uri, "without future-date", |p| {
        p["diagnostics"].as_array().is_some_and(|a| !a.iter().any(|d| d["code"] == "future-date"))
    });
    assert_eq!(after["version"], 1);
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn broken_config_file_gets_a_config_diagnostic() {
    let ws = workspace();
    ws.write("digest-ls.toml", "required-keys = [\"title\"\n");
    let (mut server, _) = start(&ws, &["utf-16"]);
    let uri = ws.uri("digest-ls.toml");
    let diags =
        server.diagnostics(&uri, "a config error", |p| p["diagnostics"].as_array().is_some_and(|a| !a.is_empty()));
    let d = &diags["diagnostics"][0];
    assert_eq!(d["code"], "config");
    assert_eq!(d["source"], "digest-ls");
    assert_eq!(d["severity"], 1);
    assert!(d["range"]["start"]["line"].as_u64().is_some_and(|l| l <= 1), "{d}");
    // The defaults apply meanwhile: the new digest still gets completion.
    let (_, items) = complete_in_empty_tags(&mut server, &ws, Enc::Utf16, 1);
    assert_eq!(labels(&items).first().map(String::as_str), Some("强化学习"));
    // Fixing the file clears the diagnostic.
    ws.write("digest-ls.toml", "required-keys = [\"title\"]\n");
    server.notify("workspace/didChangeWatchedFiles", json!({ "changes": [{ "uri": uri, "type": 2 }] }));
    server.diagnostics(&uri, "cleared after the fix", |p| p["diagnostics"] == json!([]));
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn editing_the_config_file_shows_errors_live_and_applies_on_save() {
    let ws = workspace();
    ws.write("digest-ls.toml", "[severity]\nfuture-date = \"off\"\n");
    ws.write(FUTURE_PATH, &future_digest());
    let (mut server, _) = start(&ws, &["utf-16"]);
    let digest_uri = ws.uri(FUTURE_PATH);
    server.open(&digest_uri, 1, &future_digest());
    let first = server.diagnostics_at(&digest_uri, 1);
    assert!(with_code(&first, "future-date").is_empty(), "off in digest-ls.toml: {:?}", codes(&first));

    let toml_uri = ws.uri("digest-ls.toml");
    let full = |server: &Server, version: i64, text: &str| {
        server.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": toml_uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    };
    server.notify(
        "textDocument/didOpen",
        json!({ "textDocument": { "uri": toml_uri, "languageId": "toml", "version": 1, "text": "[severity]\nfuture-date = \"off\"\n" } }),
    );
    full(&server, 2, "[severity]\nfuture-date = \"loud\"\n");
    let broken = server.diagnostics_at(&toml_uri, 2);
    assert_eq!(with_code(&broken, "config").len(), 1, "{broken:#}");

    let fixed = "required-keys = [\"title\", \"date\", \"tags\", \"author\"]\n";
    full(&server, 3, fixed);
    let clean = server.diagnostics_at(&toml_uri, 3);
    assert_eq!(clean["diagnostics"], json!([]));
    // Saved: the new settings apply to the open digest (author required, future-date back on).
    ws.write("digest-ls.toml", fixed);
    server.notify("textDocument/didSave", json!({ "textDocument": { "uri": toml_uri } }));
    let after = server.diagnostics(&digest_uri, "the saved configuration applied", |p| {
        p["diagnostics"].as_array().is_some_and(|a| a.iter().any(|d| d["code"] == "missing-key"))
    });
    assert_eq!(with_code(&after, "future-date").len(), 1, "{:?}", codes(&after));
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn navigation_features_answer_on_the_sample() {
    let ws = workspace();
    ws.write(SAMPLE_PATH, SAMPLE);
    let (mut server, enc) = start(&ws, &["utf-16"]);
    let uri = ws.uri(SAMPLE_PATH);
    server.open(&uri, 1, SAMPLE);
    let doc = json!({ "textDocument": { "uri": uri } });
    let symbols = server.request("textDocument/documentSymbol", doc.clone());
    assert!(symbols.to_string().contains("Step-DPO"), "a topic among the symbols: {symbols}");
    let folds = server.request("textDocument/foldingRange", doc.clone());
    assert!(folds.as_array().is_some_and(|f| !f.is_empty()), "{folds}");
    let links = server.request("textDocument/documentLink", doc);
    assert!(links.to_string().contains("2402.00658"), "{links}");
    // The Adam-Mini paper is also cited in the 2024-06-08 digest.
    let at = SAMPLE.find("arxiv.org/abs/2402.00658").expect("the link");
    let refs = server.request(
        "textDocument/references",
        json!({ "textDocument": { "uri": uri }, "position": lsp_pos(SAMPLE, at, enc), "context": { "includeDeclaration": true } }),
    );
    assert!(refs.to_string().contains("2024-06-08.md"), "{refs}");
    let unknown = server.request("workspace/executeCommand", json!({ "command": "digest-ls.noSuchCommand" }));
    assert_eq!(unknown, Value::Null);
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn indexing_does_not_wait_for_the_watcher_registration() {
    let ws = workspace();
    let mut server = Server::spawn_leaving_unanswered(ws.root(), &["client/registerCapability"]);
    server.initialize(Some(&ws), caps(Some(&["utf-16"])), Value::Null);
    let registration = server.wait_for("registration of file watchers", |m| m["method"] == "client/registerCapability");
    server.wait_indexed();
    // Still unanswered when indexing ended: the server logs when it gives up waiting.
    assert!(!server.log().contains("registering file watchers"), "{}", server.log());
    server.send(&json!({"jsonrpc": "2.0", "id": registration["id"], "result": null}));
    let (_, items) = complete_in_empty_tags(&mut server, &ws, Enc::Utf16, 1);
    assert!(labels(&items).iter().any(|l| l == "多模态"), "the index is filled: {:?}", labels(&items));
}
