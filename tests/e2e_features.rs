//! End-to-end tests of rename and a quick fix over JSON-RPC: the built server returns a `WorkspaceEdit`, the test applies it like a client and checks the resulting texts.
//!
//! The client offers `workspaceEdit.documentChanges`, so open documents come back
//! versioned and files on disk unversioned.

mod common;

use common::{caps, Server, Workspace};
use serde_json::{json, Value};

/// Byte offset of an LSP position (UTF-16 columns; lines end at `\n`, `\r\n`).
fn offset(text: &str, pos: &Value) -> usize {
    let line = pos["line"].as_u64().unwrap() as usize;
    let col = pos["character"].as_u64().unwrap() as usize;
    let mut start = 0;
    for _ in 0..line {
        start += text[start..].find('\n').map_or(text.len() - start, |i| i + 1);
    }
    let line_text = &text[start..];
    let line_text = &line_text[..line_text.find(['\r', '\n']).unwrap_or(line_text.len())];
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units >= col {
            return start + i;
        }
        units += c.len_utf16();
    }
    start + line_text.len()
}

/// Applies LSP text edits (all relative to the original text) to `text`.
fn apply(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            let (a, b) = (offset(text, &e["range"]["start"]), offset(text, &e["range"]["end"]));
            (a, b, e["newText"].as_str().unwrap().to_string())
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (a, b, t) in spans {
        out.replace_range(a..b, &t);
    }
    out
}

/// The edits of `uri` in a `WorkspaceEdit` with `documentChanges`, and the version given.
fn file_edits<'a>(edit: &'a Value, uri: &str) -> (Value, Vec<Value>) {
    let changes = edit["documentChanges"].as_array().expect("documentChanges");
    let file: &'a Value = changes.iter().find(|c| c["textDocument"]["uri"] == uri).expect("an edit of the file");
    (file["textDocument"]["version"].clone(), file["edits"].as_array().unwrap().clone())
}

fn client_caps() -> Value {
    let mut c = caps(Some(&["utf-16"]));
    c["workspace"]["workspaceEdit"] = json!({ "documentChanges": true });
    c
}

#[test]
fn rename_a_tag_across_open_and_closed_digests() {
    let ws = Workspace::new();
    let a = "---\r\ntitle: \"优化 😀\"\r\ndate: 2024-07-05T19:31:56+08:00\r\ntags: [\"优化😀\", \"DPO\"]\r\n---\r\n\r\n**1. DPO**: x\r\n";
    let b = "---\ntitle: b\ndate: 2024-06-01T19:31:56+08:00\ntags:\n  - DPO\n  - 偏好优化\n---\n";
    let c = "---\ntitle: c\ndate: 2024-05-01T19:31:56+08:00\ntags: [DPO, MoE]\n---\n";
    ws.write("content/posts/a.md", a);
    ws.write("content/posts/b.md", b);
    ws.write("content/posts/c.md", c);
    let mut server = Server::spawn(ws.root());
    server.initialize(Some(&ws), client_caps(), Value::Null);
    server.wait_indexed();
    let uri = ws.uri("content/posts/a.md");
    server.open(&uri, 5, a);
    let at = json!({ "line": 3, "character": 18 });
    let prepared =
        server.request("textDocument/prepareRename", json!({ "textDocument": { "uri": uri }, "position": at }));
    assert_eq!(prepared["placeholder"], "DPO", "{prepared:#}");
    let edit = server.request(
        "textDocument/rename",
        json!({ "textDocument": { "uri": uri }, "position": at, "newName": "偏好优化" }),
    );
    let (version, edits) = file_edits(&edit, &uri);
    assert_eq!(version, 5, "the open document's version");
    assert_eq!(
        apply(a, &edits),
        "---\r\ntitle: \"优化 😀\"\r\ndate: 2024-07-05T19:31:56+08:00\r\ntags: [\"优化😀\", \"偏好优化\"]\r\n---\r\n\r\n**1. DPO**: x\r\n"
    );
    let (version, edits) = file_edits(&edit, &ws.uri("content/posts/b.md"));
    assert_eq!(version, Value::Null, "a closed file has no version");
    assert_eq!(apply(b, &edits), "---\ntitle: b\ndate: 2024-06-01T19:31:56+08:00\ntags:\n  - 偏好优化\n---\n");
    let (_, edits) = file_edits(&edit, &ws.uri("content/posts/c.md"));
    assert_eq!(apply(c, &edits), "---\ntitle: c\ndate: 2024-05-01T19:31:56+08:00\ntags: [偏好优化, MoE]\n---\n");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

#[test]
fn quick_fix_for_a_date_hugo_cannot_read() {
    let ws = Workspace::new();
    let text = "---\ntitle: \"优化 😀\"\ndate: 2024-07-05T19:31+08:00\ntags: [\"优化\"]\n---\n\n**1. 优化器**: x\n";
    ws.write("content/posts/a.md", text);
    let mut server = Server::spawn(ws.root());
    server.initialize(Some(&ws), client_caps(), Value::Null);
    server.wait_indexed();
    let uri = ws.uri("content/posts/a.md");
    server.open(&uri, 2, text);
    let published = server.diagnostics_at(&uri, 2);
    let diagnostic = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "invalid-date")
        .cloned()
        .expect("an invalid-date diagnostic");
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": diagnostic["range"],
            "context": { "diagnostics": [diagnostic] },
        }),
    );
    let action = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "quickfix")
        .cloned()
        .unwrap_or_else(|| panic!("a quick fix in {actions:#}"));
    assert_eq!(action["title"], "Write the date as `2024-07-05T19:31:00+08:00`");
    assert_eq!(action["diagnostics"][0]["code"], "invalid-date");
    let (version, edits) = file_edits(&action["edit"], &uri);
    assert_eq!(version, 2);
    let fixed = apply(text, &edits);
    assert_eq!(fixed, text.replace("2024-07-05T19:31+08:00", "2024-07-05T19:31:00+08:00"));
    // The fixed text has no error left.
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri, "version": 3 }, "contentChanges": [{ "text": fixed }] }),
    );
    let after = server.diagnostics_at(&uri, 3);
    assert!(
        !after["diagnostics"].as_array().unwrap().iter().any(|d| d["severity"] == 1),
        "no error after the fix: {after:#}"
    );
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}
