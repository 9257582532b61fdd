//! A JSON-RPC client for end-to-end tests: spawns the built `digest-ls` binary in a temporary workspace and speaks LSP over its stdio with `Content-Length` framing.
//!
//! A reader thread collects every message from the server and answers the server's
//! own requests (`workspace/configuration`, `client/registerCapability`,
//! `window/workDoneProgress/create`). Every wait has a timeout and fails with a
//! message that says what was awaited and shows the server's log.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// How long any single wait may take before the test fails.
pub const TIMEOUT: Duration = Duration::from_secs(30);

/// Column counting in the three LSP encodings, done independently of the server.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enc {
    Utf8,
    Utf16,
    Utf32,
}

impl Enc {
    pub fn name(self) -> &'static str {
        match self {
            Enc::Utf8 => "utf-8",
            Enc::Utf16 => "utf-16",
            Enc::Utf32 => "utf-32",
        }
    }

    /// Code units of `s` in this encoding.
    pub fn units(self, s: &str) -> u32 {
        (match self {
            Enc::Utf8 => s.len(),
            Enc::Utf16 => s.encode_utf16().count(),
            Enc::Utf32 => s.chars().count(),
        }) as u32
    }
}

/// (line, column) of byte offset `byte` in `text` (lines split at `\n` only: the test
/// texts have no other breaks).
pub fn pos(text: &str, byte: usize, enc: Enc) -> (u32, u32) {
    let before = &text[..byte];
    let line = before.matches('\n').count() as u32;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, enc.units(&text[line_start..byte]))
}

pub fn lsp_pos(text: &str, byte: usize, enc: Enc) -> Value {
    let (line, character) = pos(text, byte, enc);
    json!({ "line": line, "character": character })
}

/// A `file://` URI for an absolute path (percent-encoding what RFC 3986 requires).
pub fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_str().expect("test paths are UTF-8").bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A temporary workspace folder (not a hidden directory, so nothing skips it).
pub struct Workspace {
    pub dir: tempfile::TempDir,
}

impl Workspace {
    pub fn new() -> Workspace {
        let dir = tempfile::Builder::new().prefix("digest-ls-e2e-").tempdir().expect("create a temp dir");
        Workspace { dir }
    }

    pub fn root(&self) -> &Path {
        self.dir.path()
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn uri(&self, rel: &str) -> String {
        file_uri(&self.path(rel))
    }

    pub fn root_uri(&self) -> String {
        file_uri(self.root())
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create dirs");
        std::fs::write(&path, text).expect("write a workspace file");
    }

    pub fn remove(&self, rel: &str) {
        std::fs::remove_file(self.path(rel)).expect("remove a workspace file");
    }
}

/// A small digest for the workspace.
pub fn digest(title: &str, date: &str, tags: &[&str], body: &str) -> String {
    let tags: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
    format!("---\ntitle: \"{title}\"\ndate: {date}\ntags: [{}]\n---\n\n{body}\n", tags.join(", "))
}

/// The client's answer to `workspace/configuration`, shared with the reader thread.
type Settings = Arc<Mutex<Value>>;

pub struct Server {
    child: Child,
    stdin: Arc<Mutex<Option<ChildStdin>>>,
    rx: Receiver<Value>,
    /// Messages received and not yet consumed by a wait.
    pub seen: Vec<Value>,
    next_id: i64,
    log: PathBuf,
    _log_dir: tempfile::TempDir,
    pub settings: Settings,
}

fn write_message(stdin: &Mutex<Option<ChildStdin>>, msg: &Value) -> std::io::Result<()> {
    let body = serde_json::to_string(msg).expect("serialise a message");
    let mut guard = stdin.lock().unwrap_or_else(|e| e.into_inner());
    let Some(w) = guard.as_mut() else { return Err(std::io::Error::other("stdin closed")) };
    write!(w, "Content-Length: {}\r\n\r\n{}", body.len(), body)?;
    w.flush()
}

/// Reads one framed message; `None` at the end of the stream.
pub fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut len = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

impl Server {
    /// Spawns the server with the workspace as its working directory.
    pub fn spawn(cwd: &Path) -> Server {
        Server::spawn_leaving_unanswered(cwd, &[])
    }

    /// `spawn`, but the server's requests of the methods in `unanswered` get no answer
    /// (the test sees them and may answer with `send`).
    pub fn spawn_leaving_unanswered(cwd: &Path, unanswered: &'static [&'static str]) -> Server {
        let log_dir = tempfile::Builder::new().prefix("digest-ls-e2e-log-").tempdir().expect("a log dir");
        let log = log_dir.path().join("server.log");
        let log_file = std::fs::File::create(&log).expect("create the log file");
        let mut child = Command::new(env!("CARGO_BIN_EXE_digest-ls"))
            .arg("--stdio")
            .current_dir(cwd)
            .env("DIGEST_LS_LOG", "debug")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log_file))
            .spawn()
            .expect("spawn digest-ls");
        let stdin = Arc::new(Mutex::new(child.stdin.take()));
        let stdout = child.stdout.take().expect("piped stdout");
        let settings: Settings = Arc::new(Mutex::new(Value::Null));
        let (tx, rx) = mpsc::channel();
        let (reply_to, answers) = (stdin.clone(), settings.clone());
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(msg) = read_message(&mut reader) {
                let method = msg.get("method").and_then(Value::as_str);
                if let (Some(id), Some(method)) = (msg.get("id"), method.filter(|m| !unanswered.contains(m))) {
                    // A request from the server: answer it like an editor would.
                    let result = match method {
                        "workspace/configuration" => {
                            let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                            let value = answers.lock().unwrap_or_else(|e| e.into_inner()).clone();
                            Value::Array(vec![value; n])
                        }
                        _ => Value::Null,
                    };
                    let _ = write_message(&reply_to, &json!({ "jsonrpc": "2.0", "id": id, "result": result }));
                }
                if tx.send(msg).is_err() {
                    break;
                }
            }
        });
        Server { child, stdin, rx, seen: Vec::new(), next_id: 1, log, _log_dir: log_dir, settings }
    }

    /// The server's log so far (for failure messages).
    pub fn log(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let tail: Vec<&str> = text.lines().rev().take(40).collect();
        tail.into_iter().rev().collect::<Vec<_>>().join("\n")
    }

    pub fn send(&self, msg: &Value) {
        write_message(&self.stdin, msg).unwrap_or_else(|e| panic!("cannot write to the server: {e}\n{}", self.log()));
    }

    pub fn notify(&self, method: &str, params: Value) {
        self.send(&json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Sends a request and returns its id without waiting.
    pub fn request_async(&mut self, method: &str, params: Value) -> i64 {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        id
    }

    /// Sends a request and waits for the whole response (result or error).
    pub fn request_raw(&mut self, method: &str, params: Value) -> Value {
        let id = self.request_async(method, params);
        self.wait_for(&format!("the response to {method} (id {id})"), |m| {
            m.get("id") == Some(&json!(id)) && m.get("method").is_none()
        })
    }

    /// Sends a request and returns its result; an error response fails the test.
    pub fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.request_raw(method, params);
        if let Some(error) = response.get("error") {
            panic!("{method} failed: {error}\n{}", self.log());
        }
        response.get("result").cloned().unwrap_or(Value::Null)
    }

    /// Waits for (and consumes) the first message, received or still to come, that `pred` accepts.
    pub fn wait_for(&mut self, what: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        if let Some(i) = self.seen.iter().position(&mut pred) {
            return self.seen.remove(i);
        }
        let deadline = Instant::now() + TIMEOUT;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok(msg) if pred(&msg) => return msg,
                Ok(msg) => self.seen.push(msg),
                Err(RecvTimeoutError::Timeout) => {
                    panic!("timed out after {TIMEOUT:?} waiting for {what}\nserver log:\n{}", self.log())
                }
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("the server closed its output while waiting for {what}\nserver log:\n{}", self.log())
                }
            }
        }
    }

    /// Waits for diagnostics on `uri` that `pred` accepts (earlier ones are consumed).
    pub fn diagnostics(&mut self, uri: &str, what: &str, mut pred: impl FnMut(&Value) -> bool) -> Value {
        self.wait_for(&format!("diagnostics for {uri}: {what}"), |m| {
            m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri && pred(&m["params"])
        })["params"]
            .clone()
    }

    /// Waits for the diagnostics of `uri` at `version`.
    pub fn diagnostics_at(&mut self, uri: &str, version: i64) -> Value {
        self.diagnostics(uri, &format!("version {version}"), |p| p["version"] == version)
    }

    /// `initialize` with the given client capabilities and options, then `initialized`;
    /// returns the `InitializeResult`.
    pub fn initialize(&mut self, root: Option<&Workspace>, capabilities: Value, options: Value) -> Value {
        self.initialize_as(std::process::id(), root, capabilities, options)
    }

    /// `initialize` as a client with process id `pid`, then `initialized`.
    pub fn initialize_as(&mut self, pid: u32, root: Option<&Workspace>, capabilities: Value, options: Value) -> Value {
        let folders = root.map(|w| json!([{ "uri": w.root_uri(), "name": "ws" }])).unwrap_or(Value::Null);
        let root_uri = root.map(|w| json!(w.root_uri())).unwrap_or(Value::Null);
        let result = self.request(
            "initialize",
            json!({
                "processId": pid,
                "rootUri": root_uri,
                "workspaceFolders": folders,
                "capabilities": capabilities,
                "initializationOptions": options,
            }),
        );
        self.notify("initialized", json!({}));
        result
    }

    /// Waits for the end of a `$/progress` (the background indexing).
    pub fn wait_indexed(&mut self) {
        self.wait_for("the end of the indexing progress", |m| {
            m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
        });
    }

    pub fn open(&self, uri: &str, version: i64, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "markdown", "version": version, "text": text } }),
        );
    }

    pub fn completion(&mut self, uri: &str, position: Value) -> Value {
        self.request("textDocument/completion", json!({ "textDocument": { "uri": uri }, "position": position }))
    }

    pub fn hover(&mut self, uri: &str, position: Value) -> Value {
        self.request("textDocument/hover", json!({ "textDocument": { "uri": uri }, "position": position }))
    }

    /// Closes the server's stdin (the end of input).
    pub fn close_stdin(&self) {
        self.stdin.lock().unwrap_or_else(|e| e.into_inner()).take();
    }

    /// Waits for the process to end; fails the test if it does not within the timeout.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let deadline = Instant::now() + TIMEOUT;
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                Ok(None) => panic!("the server did not exit within {TIMEOUT:?}\nserver log:\n{}", self.log()),
                Err(e) => panic!("cannot wait for the server: {e}"),
            }
        }
    }

    /// `shutdown` then `exit`; returns the exit status.
    pub fn shutdown_and_exit(&mut self) -> ExitStatus {
        let result = self.request("shutdown", Value::Null);
        assert_eq!(result, Value::Null, "shutdown answers null");
        self.notify("exit", Value::Null);
        self.wait_exit()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // Never leave a server behind, whatever the test did.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Capabilities of a client like VS Code: UTF-16 only (or nothing said), work-done
/// progress, pull configuration, dynamic file watching.
pub fn caps(encodings: Option<&[&str]>) -> Value {
    let mut caps = json!({
        "window": { "workDoneProgress": true },
        "workspace": {
            "configuration": true,
            "didChangeWatchedFiles": { "dynamicRegistration": true },
            "workspaceFolders": true,
        },
        "textDocument": {
            "synchronization": { "dynamicRegistration": false, "didSave": true },
            "completion": { "completionItem": { "snippetSupport": false } },
            "hover": { "contentFormat": ["markdown", "plaintext"] },
        },
    });
    if let Some(list) = encodings {
        caps["general"] = json!({ "positionEncodings": list });
    }
    caps
}

/// The negotiated encoding from an `InitializeResult`.
pub fn negotiated(result: &Value) -> Enc {
    match result["capabilities"]["positionEncoding"].as_str() {
        Some("utf-8") => Enc::Utf8,
        Some("utf-32") => Enc::Utf32,
        Some("utf-16") | None => Enc::Utf16,
        Some(other) => panic!("unknown position encoding {other}"),
    }
}

/// A `TextDocumentContentChangeEvent` replacing bytes `start..end` of `text` with `new`,
/// in `enc` columns; also applies it to `text`.
pub fn edit(text: &mut String, start: usize, end: usize, new: &str, enc: Enc) -> Value {
    let change = json!({
        "range": { "start": lsp_pos(text, start, enc), "end": lsp_pos(text, end, enc) },
        "text": new,
    });
    text.replace_range(start..end, new);
    change
}

/// The items of a completion result (a list or an array), sorted as a client would
/// show them (by `sortText`, else by label).
pub fn completion_items(result: &Value) -> Vec<Value> {
    let mut items = match result {
        Value::Array(items) => items.clone(),
        Value::Object(_) => result["items"].as_array().cloned().unwrap_or_default(),
        _ => Vec::new(),
    };
    let key = |i: &Value| i["sortText"].as_str().or(i["label"].as_str()).unwrap_or("").to_string();
    items.sort_by_key(key);
    items
}

pub fn labels(items: &[Value]) -> Vec<String> {
    items.iter().filter_map(|i| i["label"].as_str().map(String::from)).collect()
}

/// Byte offset in `text` of an LSP position in `enc` (for applying a completion edit).
pub fn offset_of(text: &str, position: &Value, enc: Enc) -> usize {
    let line = position["line"].as_u64().expect("a line") as usize;
    let col = position["character"].as_u64().expect("a character") as u32;
    let start: usize = text.split('\n').take(line).map(|l| l.len() + 1).sum();
    let line_text = text[start..].split('\n').next().unwrap_or("");
    let mut units = 0;
    for (i, c) in line_text.char_indices() {
        if units >= col {
            return start + i;
        }
        let mut buf = [0; 4];
        units += enc.units(c.encode_utf8(&mut buf));
    }
    start + line_text.len()
}

/// Applies a completion item's `textEdit` to `text`.
pub fn apply_completion(text: &str, item: &Value, enc: Enc) -> String {
    let edit = &item["textEdit"];
    let range = if edit.get("range").is_some() { &edit["range"] } else { &edit["replace"] };
    let (start, end) = (offset_of(text, &range["start"], enc), offset_of(text, &range["end"], enc));
    let mut out = text.to_string();
    out.replace_range(start..end, edit["newText"].as_str().expect("newText"));
    out
}
