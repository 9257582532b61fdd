//! Protocol faults against the built server: malformed and mis-framed messages, huge messages, unknown methods, out-of-order lifecycle, unknown documents, wild edits, odd URIs, cancellation, bursts, and the exit paths; after each fault the server must still answer a hover and a completion correctly.
//!
//! `tests/common` speaks well-formed JSON-RPC only, so this file has its own small
//! client that can also write raw bytes. Every wait has a timeout; a server that
//! dies fails the test with its exit status and the tail of its log.

mod common;

use std::io::{BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use common::{digest, lsp_pos, Enc, Workspace};
use serde_json::{json, Value};

const TIMEOUT: Duration = Duration::from_secs(30);

// ---- a client that can also send garbage ----

struct Raw {
    child: Child,
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    rx: Receiver<Value>,
    seen: Vec<Value>,
    next_id: i64,
    log: PathBuf,
    _log_dir: tempfile::TempDir,
}

fn frame(body: &[u8]) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body);
    out
}

fn write_to(stdin: &Mutex<Option<ChildStdin>>, bytes: &[u8]) -> std::io::Result<()> {
    let mut guard = stdin.lock().unwrap_or_else(|e| e.into_inner());
    let Some(w) = guard.as_mut() else { return Err(std::io::Error::other("stdin closed")) };
    w.write_all(bytes)?;
    w.flush()
}

impl Raw {
    fn spawn(ws: &Workspace) -> Raw {
        let log_dir = tempfile::Builder::new().prefix("digest-ls-faults-log-").tempdir().expect("a log dir");
        let log = log_dir.path().join("server.log");
        let mut child = Command::new(env!("CARGO_BIN_EXE_digest-ls"))
            .arg("--stdio")
            .current_dir(ws.root())
            .env("DIGEST_LS_LOG", "info")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(std::fs::File::create(&log).expect("a log file")))
            .spawn()
            .expect("spawn digest-ls");
        let stdin = Arc::new(Mutex::new(child.stdin.take()));
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = mpsc::channel();
        let reply = stdin.clone();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = common::read_message(&mut reader) {
                if msg.get("id").is_some() && msg.get("method").is_some() {
                    // The server's own requests: answer like an editor with no settings.
                    let result = match msg["method"].as_str() {
                        Some("workspace/configuration") => json!([null]),
                        _ => Value::Null,
                    };
                    let answer = json!({ "jsonrpc": "2.0", "id": msg["id"], "result": result });
                    let _ = write_to(&reply, &frame(answer.to_string().as_bytes()));
                }
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Raw { child, stdin, rx, seen: Vec::new(), next_id: 1000, log, _log_dir: log_dir }
    }

    fn log(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(30).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    /// Why the server cannot be talked to, for failure messages.
    fn state(&mut self) -> String {
        match self.child.try_wait() {
            Ok(Some(status)) => format!("the server exited ({status})"),
            _ => "the server is running".to_string(),
        }
    }

    fn raw(&mut self, bytes: &[u8]) {
        if let Err(e) = write_to(&self.stdin, bytes) {
            std::thread::sleep(Duration::from_millis(200));
            panic!("cannot write to the server: {e}; {}\nlog:\n{}", self.state(), self.log());
        }
    }

    fn send(&mut self, msg: &Value) {
        self.raw(&frame(msg.to_string().as_bytes()));
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    fn request_async(&mut self, method: &str, params: Value) -> i64 {
        self.next_id += 1;
        let id = self.next_id;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    fn wait_for(&mut self, what: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&mut pred) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.rx.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(msg) => self.seen.push(msg),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out waiting for {what}; {}\nlog:\n{}", self.state(), self.log())
                }
                Err(RecvTimeoutError::Disconnected) => {
                    std::thread::sleep(Duration::from_millis(200));
                    panic!("the server closed its output waiting for {what}; {}\nlog:\n{}", self.state(), self.log())
                }
            }
        }
    }

    fn response(&mut self, id: i64) -> Value {
        self.wait_for(&format!("the response to request {id}"), |m| m["id"] == json!(id) && m.get("method").is_none())
    }

    /// The whole response (result or error).
    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.response(id)
    }

    fn result(&mut self, method: &str, params: Value) -> Value {
        let response = self.request(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}\nlog:\n{}", self.log());
        response["result"].clone()
    }

    fn initialize_with(&mut self, ws: &Workspace, process_id: Value) -> Value {
        let result = self.result(
            "initialize",
            json!({
                "processId": process_id,
                "rootUri": ws.root_uri(),
                "workspaceFolders": [{ "uri": ws.root_uri(), "name": "ws" }],
                "capabilities": common::caps(Some(&["utf-16"])),
            }),
        );
        self.notify("initialized", json!({}));
        self.wait_for("the end of indexing", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end");
        result
    }

    fn initialize(&mut self, ws: &Workspace) -> Value {
        self.initialize_with(ws, json!(std::process::id()))
    }

    fn open(&mut self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": version, "text": text } }),
        );
    }

    fn change(&mut self, uri: &str, version: i64, changes: Value) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": changes }),
        );
    }

    fn at(&mut self, method: &str, uri: &str, position: Value) -> Value {
        self.result(method, json!({ "textDocument": { "uri": uri }, "position": position }))
    }

    fn wait_exit(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return Some(status),
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                _ => return None,
            }
        }
    }

    fn close_stdin(&self) {
        self.stdin.lock().unwrap_or_else(|e| e.into_inner()).take();
    }
}

impl Drop for Raw {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

// ---- the workspace and the liveness check ----

const OPEN: &str = "content/posts/2024-07-05.md";
const OPEN_TEXT: &str = "---\ntitle: \"今天 😀\"\ndate: 2024-07-05T19:31:56+08:00\ntags: []\n---\n\n**1. Adam 优化器**:  显存\n*  相关引用：\n    * **文章**: [Adam-Mini](https://arxiv.org/abs/2402.00658)\n";

fn workspace() -> Workspace {
    let ws = Workspace::new();
    ws.write(
        "content/posts/2024-06-01.md",
        &digest("RLHF", "2024-06-01T20:00:00+08:00", &["强化学习", "多模态"], "**1. RLHF**:  综述"),
    );
    ws.write(
        "content/posts/2024-06-08.md",
        &digest(
            "显存",
            "2024-06-08T20:00:00+08:00",
            &["强化学习"],
            "**1. 显存**:  再读\n*  相关引用：\n    * **文章**: [Adam-Mini](https://arxiv.org/pdf/2402.00658v2)",
        ),
    );
    ws
}

/// A server in the workspace, initialized, with `OPEN` open.
fn start() -> (Workspace, Raw) {
    let ws = workspace();
    let mut server = Raw::spawn(&ws);
    server.initialize(&ws);
    server.open(&ws.uri(OPEN), 1, OPEN_TEXT);
    (ws, server)
}

/// The server answers a completion and a hover on `OPEN` (still at its first text)
/// correctly: the workspace tags, most used first; the arXiv paper and its other citation.
fn assert_alive(server: &mut Raw, ws: &Workspace, after: &str) {
    assert_alive_on(server, &ws.uri(OPEN), OPEN_TEXT, after);
}

fn assert_alive_on(server: &mut Raw, uri: &str, text: &str, after: &str) {
    let at = text.find("tags: [").expect("a tags list") + "tags: [".len();
    let result = server.at("textDocument/completion", uri, lsp_pos(text, at, Enc::Utf16));
    let items = common::completion_items(&result);
    assert_eq!(common::labels(&items), vec!["强化学习", "多模态"], "completion after {after}: {result}");
    let at = text.find("[Adam-Mini]").expect("a link") + 3;
    let hover = server.at("textDocument/hover", uri, lsp_pos(text, at, Enc::Utf16));
    let shown = hover["contents"].to_string();
    assert!(shown.contains("2402.00658"), "hover after {after} names the arXiv paper: {hover}");
}

fn hover_params(uri: &str) -> Value {
    json!({ "textDocument": { "uri": uri }, "position": { "line": 0, "character": 0 } })
}

// ---- malformed messages ----

#[test]
fn malformed_json_bodies() {
    let (ws, mut server) = start();
    let bodies: &[(&str, &[u8])] = &[
        ("a truncated object", br#"{"jsonrpc":"2.0","id":2,"method":"#),
        ("an array", b"[1,2,3]"),
        ("an empty object", b"{}"),
        ("null", b"null"),
        ("a string", br#""textDocument/hover""#),
        ("invalid UTF-8", b"\xff\xfe{\"jsonrpc\":\"2.0\"}"),
        ("trailing garbage", br#"{"jsonrpc":"2.0","method":"initialized","params":{}} trailing"#),
        ("a number id of the wrong type", br#"{"jsonrpc":"2.0","id":{"a":1},"method":"textDocument/hover"}"#),
    ];
    for (what, body) in bodies {
        server.raw(&frame(body));
        assert_alive(&mut server, &ws, what);
    }
    // Well-formed JSON-RPC with bad parameters: an error for that request, nothing else.
    let response = server.request("textDocument/hover", json!({ "nope": 1 }));
    assert_eq!(response["error"]["code"], -32602, "invalid params: {response}");
    let response = server.request("textDocument/completion", json!([1, 2]));
    assert!(response.get("error").is_some(), "{response}");
    server.notify("textDocument/didOpen", json!(7));
    server.notify("textDocument/didChange", json!({ "textDocument": { "uri": 3 } }));
    assert_alive(&mut server, &ws, "bad parameters");
}

#[test]
fn wrong_content_length_and_broken_headers() {
    let (ws, mut server) = start();
    let body =
        json!({ "jsonrpc": "2.0", "id": 1, "method": "textDocument/hover", "params": hover_params("file:///x.md") })
            .to_string()
            .into_bytes();
    let with_header = |header: &str| {
        let mut out = header.as_bytes().to_vec();
        out.extend_from_slice(&body);
        out
    };
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("a Content-Length too short", with_header(&format!("Content-Length: {}\r\n\r\n", body.len() - 7))),
        // Too long: the declared length swallows the start of the next message.
        ("a Content-Length too long", with_header(&format!("Content-Length: {}\r\n\r\n", body.len() + 30))),
        ("no header at all", [body.clone(), b"\r\n".to_vec()].concat()),
        ("a Content-Length that is not a number", with_header("Content-Length: lots\r\n\r\n")),
        ("a negative Content-Length", with_header("Content-Length: -5\r\n\r\n")),
        ("a header line without a colon", with_header("Content-Length 12\r\n\r\n")),
        ("a bare LF header", with_header(&format!("Content-Length: {}\n\n", body.len()))),
    ];
    for (what, bytes) in cases {
        server.raw(&bytes);
        // Something to resynchronise on, which a too-long frame may partly eat.
        server.notify("$/digest-ls/filler", json!({ "pad": "x".repeat(64) }));
        assert_alive(&mut server, &ws, what);
    }
    // A valid Content-Type header is accepted as is.
    let id = 77;
    let typed =
        json!({ "jsonrpc": "2.0", "id": id, "method": "textDocument/hover", "params": hover_params(&ws.uri(OPEN)) })
            .to_string();
    let header = "Content-Type: application/vscode-jsonrpc; charset=utf-8";
    let bytes = format!("Content-Length: {}\r\n{header}\r\n\r\n{typed}", typed.len()).into_bytes();
    server.raw(&bytes);
    let response = server.response(id);
    assert!(response.get("error").is_none(), "a Content-Type header is fine: {response}");
}

/// A Content-Length far beyond any real message must not make the server wait for
/// (and buffer) petabytes: it is refused and the stream resynchronised.
#[test]
fn absurd_content_length() {
    let (ws, mut server) = start();
    server.raw(b"Content-Length: 999999999999999\r\n\r\n{}");
    server.notify("$/digest-ls/filler", json!({}));
    assert_alive(&mut server, &ws, "a Content-Length of a petabyte");
}

/// A message cut off by the end of input: the server ends instead of hanging.
#[test]
fn truncated_message_then_end_of_input() {
    let (_ws, mut server) = start();
    let body =
        json!({ "jsonrpc": "2.0", "id": 5, "method": "textDocument/hover", "params": hover_params("file:///x.md") })
            .to_string();
    let framed = frame(body.as_bytes());
    server.raw(&framed[..framed.len() / 2]);
    server.close_stdin();
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.is_some(), "the server must end when its input ends mid-message\nlog:\n{}", server.log());
}

/// Messages of 50 MB: a notification nobody handles and a request with a huge
/// unknown field are read whole and the request is answered.
#[test]
fn fifty_megabyte_messages() {
    let (ws, mut server) = start();
    let pad = "优".repeat(50 * 1_000_000 / 3);
    server.notify("$/digest-ls/huge", json!({ "pad": pad }));
    let id = server.request_async(
        "textDocument/hover",
        json!({ "textDocument": { "uri": ws.uri(OPEN) }, "position": { "line": 0, "character": 0 }, "pad": pad }),
    );
    drop(pad);
    let response = server.response(id);
    assert!(response.get("error").is_none(), "the 50 MB hover is answered: {response}");
    assert_alive(&mut server, &ws, "50 MB messages");
}

// ---- methods and lifecycle order ----

#[test]
fn unknown_methods() {
    let (ws, mut server) = start();
    let response = server.request("digest/doesNotExist", json!({}));
    assert_eq!(response["error"]["code"], -32601, "MethodNotFound: {response}");
    let response =
        server.request("textDocument/semanticTokens/full", json!({ "textDocument": { "uri": ws.uri(OPEN) } }));
    assert_eq!(response["error"]["code"], -32601, "an LSP method we do not offer: {response}");
    server.notify("digest/unknownNotification", json!({ "a": 1 }));
    server.notify("$/setTrace", json!({ "value": "verbose" }));
    server.notify("$/digest-ls/unknown", json!([]));
    assert_alive(&mut server, &ws, "unknown methods");
}

/// The spec: a request starting with `$/` that the server does not know must be
/// answered with MethodNotFound (only such notifications may be ignored).
#[test]
fn unknown_dollar_requests_get_method_not_found() {
    let (ws, mut server) = start();
    let response = server.request("$/digest-ls/unknown", json!(null));
    assert_eq!(response["error"]["code"], -32601, "an unknown $/ request: {response}");
    assert_alive(&mut server, &ws, "an unknown $/ request");
}

#[test]
fn requests_before_initialize() {
    let ws = workspace();
    let mut server = Raw::spawn(&ws);
    let response = server.request("textDocument/hover", hover_params(&ws.uri(OPEN)));
    assert_eq!(response["error"]["code"], -32002, "ServerNotInitialized: {response}");
    let response = server.request("shutdown", Value::Null);
    assert!(response.get("error").is_some(), "shutdown before initialize is an error: {response}");
    // Notifications before initialize are dropped (the spec says so), not applied later.
    server.open(&ws.uri(OPEN), 1, OPEN_TEXT);
    server.initialize(&ws);
    let result = server.at("textDocument/completion", &ws.uri(OPEN), json!({ "line": 3, "character": 7 }));
    assert!(result.is_null(), "a didOpen before initialize is not applied: {result}");
    // A second initialize is an error and changes nothing.
    let response = server.request("initialize", json!({ "processId": null, "rootUri": null, "capabilities": {} }));
    assert!(response.get("error").is_some(), "a second initialize is an error: {response}");
    server.open(&ws.uri(OPEN), 1, OPEN_TEXT);
    assert_alive(&mut server, &ws, "requests before initialize");
}

#[test]
fn notifications_and_requests_for_documents_never_opened() {
    let (ws, mut server) = start();
    let never = ws.uri("content/posts/never-opened.md");
    server.change(&never, 2, json!([{ "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } }, "text": "x" }]));
    server.change(&never, 3, json!([{ "text": "whole" }]));
    server.notify("textDocument/didSave", json!({ "textDocument": { "uri": never } }));
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": never } }));
    assert!(server.at("textDocument/hover", &never, json!({ "line": 0, "character": 0 })).is_null());
    assert!(server.at("textDocument/completion", &never, json!({ "line": 3, "character": 7 })).is_null());
    // Closing twice, and changing after close.
    let other = ws.uri("content/posts/other.md");
    server.open(&other, 1, OPEN_TEXT);
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": other } }));
    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": other } }));
    server.change(&other, 2, json!([{ "text": "after close" }]));
    assert!(server.at("textDocument/completion", &other, json!({ "line": 3, "character": 7 })).is_null());
    assert_alive(&mut server, &ws, "notifications for unknown documents");
}

// ---- edits ----

/// The diagnostics of `uri` at `version`.
fn diagnostics_at(server: &mut Raw, uri: &str, version: i64) -> Value {
    server.wait_for(&format!("diagnostics of {uri} at version {version}"), |m| {
        m["method"] == "textDocument/publishDiagnostics"
            && m["params"]["uri"] == uri
            && m["params"]["version"] == version
    })["params"]
        .clone()
}

fn duplicate_ranges(diags: &Value) -> Vec<Value> {
    diags["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["code"] == "duplicate-tag")
        .map(|d| d["range"].clone())
        .collect()
}

#[test]
fn version_gaps_stale_versions_and_ranges_outside_the_document() {
    let (ws, mut server) = start();
    let uri = ws.uri(OPEN);
    let mut text = OPEN_TEXT.to_string();
    diagnostics_at(&mut server, &uri, 1);
    // A gap (1 -> 5) is applied: versions only need to increase.
    let at = text.find("tags: [").unwrap() + 7;
    let change = common::edit(&mut text, at, at, "\"DPO\", \"DPO\"", Enc::Utf16);
    server.change(&uri, 5, json!([change]));
    let diags = diagnostics_at(&mut server, &uri, 5);
    assert_eq!(duplicate_ranges(&diags).len(), 1, "{diags}");
    // A stale version (3 < 5) is ignored.
    server.change(&uri, 3, json!([{ "text": "stale" }]));
    // A range past the end of a line and past the end of the document: clamped.
    let line_of_tags = 3;
    server.change(
        &uri,
        6,
        json!([{ "range": { "start": { "line": line_of_tags, "character": 500 }, "end": { "line": line_of_tags, "character": 900 } }, "text": "" }]),
    );
    server.change(
        &uri,
        7,
        json!([{ "range": { "start": { "line": 400, "character": 3 }, "end": { "line": 9000, "character": 1 } }, "text": "\n尾巴 😀\n" }]),
    );
    text.push_str("\n尾巴 😀\n");
    // A position inside the surrogate pair of 😀
    // ("title: \"今天 😀\"": the emoji is at UTF-16 columns 11..13).
    server.change(
        &uri,
        8,
        json!([{ "range": { "start": { "line": 1, "character": 12 }, "end": { "line": 1, "character": 12 } }, "text": "" }]),
    );
    let diags = diagnostics_at(&mut server, &uri, 8);
    let dups = duplicate_ranges(&diags);
    let second = text.rfind("\"DPO\"").unwrap();
    assert_eq!(dups.len(), 1, "{diags}");
    let start = lsp_pos(&text, second, Enc::Utf16);
    assert!(
        dups[0]["start"] == start || dups[0]["start"]["character"] == start["character"].as_u64().unwrap() + 1,
        "the text is the client's after the stale version and the clamped edits: {dups:?} vs {start}"
    );
    let items = common::completion_items(&server.at("textDocument/completion", &uri, lsp_pos(&text, at, Enc::Utf16)));
    assert_eq!(common::labels(&items), vec!["强化学习", "多模态"]);
    assert!(!server.log().contains("panic"), "no panic on the way:\n{}", server.log());
}

#[test]
fn non_file_uris() {
    let (ws, mut server) = start();
    let uris = [
        "untitled:Untitled-1",
        "inmemory://model/1",
        "vscode-notebook-cell:/nb.ipynb#W0sZmlsZQ%3D%3D",
        "vscode-remote://ssh-remote%2Bhost/home/a/post.md",
        "file://server/share/post.md",
        "file:///tmp/%E4%BC%98%E5%8C%96%20dir/%F0%9F%98%80.md",
        "git:/a/b.md?%7B%22path%22%3A%22x%22%7D",
    ];
    for uri in uris {
        server.open(uri, 1, OPEN_TEXT);
        assert_alive_on(&mut server, uri, OPEN_TEXT, uri);
        server.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    }
    // A didChangeWatchedFiles event for a non-file URI is ignored.
    server.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": "untitled:Untitled-1", "type": 3 }, { "uri": "inmemory://x.md", "type": 1 }] }),
    );
    assert_alive(&mut server, &ws, "non-file URIs");
}

#[test]
fn cancel_request_in_flight() {
    let (ws, mut server) = start();
    let uri = ws.uri(OPEN);
    let mut ids = Vec::new();
    for _ in 0..20 {
        let id = server.request_async(
            "textDocument/completion",
            json!({ "textDocument": { "uri": uri }, "position": { "line": 3, "character": 7 } }),
        );
        server.notify("$/cancelRequest", json!({ "id": id }));
        ids.push(id);
    }
    // Every request gets exactly one answer: its result, or RequestCancelled.
    for id in ids {
        let response = server.response(id);
        if let Some(error) = response.get("error") {
            assert_eq!(error["code"], -32800, "a cancelled request answers RequestCancelled: {response}");
        }
    }
    server.notify("$/cancelRequest", json!({ "id": 123456 }));
    server.notify("$/cancelRequest", json!({ "id": "no-such-request" }));
    assert_alive(&mut server, &ws, "cancellations");
}

/// 1,000 changes without waiting (typing and deleting CJK and emoji in the body, then
/// the tags): the last diagnostics are for the last version and match the client's text.
#[test]
fn thousand_changes_in_a_burst() {
    let (ws, mut server) = start();
    let uri = ws.uri(OPEN);
    let mut text = OPEN_TEXT.to_string();
    let mut version = 1;
    let body_at = text.find("显存").unwrap();
    let pieces = ["中", "😀", "a", "文", "👩‍👩‍👧", " "];
    let mut inserted = Vec::new();
    for i in 0..980 {
        version += 1;
        let change = if i % 3 == 2 {
            // Delete the last piece typed.
            let piece: &str = inserted.pop().expect("something typed");
            let end = body_at + inserted.iter().map(|p: &&str| p.len()).sum::<usize>() + piece.len();
            common::edit(&mut text, end - piece.len(), end, "", Enc::Utf16)
        } else {
            let piece = pieces[i % pieces.len()];
            let at = body_at + inserted.iter().map(|p: &&str| p.len()).sum::<usize>();
            inserted.push(piece);
            common::edit(&mut text, at, at, piece, Enc::Utf16)
        };
        server.change(&uri, version, json!([change]));
    }
    // Type the tags one character at a time.
    let tags = "\"优化😀\", \"DPO\", \"DPO\"";
    let mut at = text.find("tags: [").unwrap() + 7;
    for c in tags.chars().take(1000 - 980) {
        version += 1;
        let mut buf = [0; 4];
        let change = common::edit(&mut text, at, at, c.encode_utf8(&mut buf), Enc::Utf16);
        at += c.len_utf8();
        server.change(&uri, version, json!([change]));
    }
    let rest: String = tags.chars().skip(1000 - 980).collect();
    version += 1;
    let change = common::edit(&mut text, at, at, &rest, Enc::Utf16);
    server.change(&uri, version, json!([change]));
    let diags = diagnostics_at(&mut server, &uri, version);
    let dups = duplicate_ranges(&diags);
    assert_eq!(dups.len(), 1, "one duplicate after {version} versions: {diags}");
    let second = text.rfind("\"DPO\"").unwrap();
    let start = lsp_pos(&text, second, Enc::Utf16);
    assert_eq!(dups[0]["start"]["line"], start["line"]);
    let col = dups[0]["start"]["character"].as_u64().unwrap();
    let expected = start["character"].as_u64().unwrap();
    assert!(col == expected || col == expected + 1, "the duplicate is where the client has it: {col} vs {expected}");
    let in_list = text.find("tags: [").unwrap() + 7;
    let items =
        common::completion_items(&server.at("textDocument/completion", &uri, lsp_pos(&text, in_list, Enc::Utf16)));
    let labels = common::labels(&items);
    assert!(labels.iter().any(|l| l == "强化学习"), "{labels:?}");
    assert!(!labels.iter().any(|l| l == "DPO"), "tags present are not offered: {labels:?}");
}

// ---- lifecycle ----

#[test]
fn shutdown_then_exit_gives_0_and_exit_alone_gives_1() {
    let (_ws, mut server) = start();
    assert!(server.result("shutdown", Value::Null).is_null());
    // Requests after shutdown are refused.
    let response = server.request("textDocument/hover", hover_params("file:///x.md"));
    assert!(response.get("error").is_some(), "a request after shutdown is an error: {response}");
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(TIMEOUT).and_then(|s| s.code()), Some(0));

    let (_ws, mut server) = start();
    server.notify("exit", Value::Null);
    assert_eq!(server.wait_exit(TIMEOUT).and_then(|s| s.code()), Some(1));
}

#[test]
fn end_of_input_ends_the_server() {
    let (_ws, mut server) = start();
    server.close_stdin();
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.is_some(), "stdin closed must end the process\nlog:\n{}", server.log());
    assert_ne!(status.and_then(|s| s.code()), Some(0), "the end of input without shutdown is not a clean exit");
}

/// The editor that started us disappears without closing our stdin: the server
/// notices its `processId` is gone and exits within 10 seconds.
#[test]
fn the_client_process_disappearing_ends_the_server() {
    let ws = workspace();
    let mut editor = Command::new("sleep").arg("300").spawn().expect("spawn a stand-in editor process");
    let mut server = Raw::spawn(&ws);
    server.initialize_with(&ws, json!(editor.id()));
    server.open(&ws.uri(OPEN), 1, OPEN_TEXT);
    assert_alive(&mut server, &ws, "initialize with a client process id");
    editor.kill().expect("kill the editor");
    // Reap it: a zombie still exists as far as kill(pid, 0) is concerned.
    editor.wait().expect("reap the editor");
    let status = server.wait_exit(Duration::from_secs(10));
    assert!(status.is_some(), "the server must exit within 10 s of its client\nlog:\n{}", server.log());
    assert!(server.log().contains("gone"), "a log line says why:\n{}", server.log());
}
