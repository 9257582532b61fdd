//! End-to-end benchmark: the real `digest-ls` binary over stdio, driven as an editor drives it, on a generated corpus; prints medians and p99.
//!
//! `cargo run --release --example lsp-bench` (add `-- --quick` for a short run).
//! It builds `target/release/digest-ls` first when run through cargo, generates the
//! corpus (`benches/corpus.rs`, seed 1) into a temporary folder, and measures:
//! keystroke -> `publishDiagnostics`; cold start (`initialize`, then `initialized`
//! until the end of the `$/progress` indexing) on 1,000 and 10,000 digests against
//! the floor (read + one pulldown-cmark pass on all cores, same files, same run);
//! completion and hover with 10,000 digests indexed; resident memory; `digest-ls
//! check`; a file opened while indexing runs; a file changed on disk.

#[path = "../benches/corpus.rs"]
mod corpus;

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rayon::prelude::*;
use serde_json::{json, Value};

const SAMPLE: &str = include_str!("../tests/fixtures/seed-digest.md");
/// Long enough for a cold start of 10,000 digests on a loaded machine; a hang is a failure, not a figure.
const WAIT: Duration = Duration::from_secs(120);
/// How long to wait for the first diagnostics of the 10 MB digest with 10,000 digests indexed.
const BIG_LIMIT: Duration = Duration::from_secs(20);

// ---------------------------------------------------------------- JSON-RPC client

/// The server process and our end of its stdio. A reader thread timestamps every
/// message on arrival and answers the server's requests at once (progress tokens,
/// registrations, configuration), as an editor does.
struct Server {
    child: Child,
    stdin: Arc<Mutex<ChildStdin>>,
    rx: Receiver<(Instant, Value)>,
    /// Messages received while waiting for something else.
    pending: VecDeque<(Instant, Value)>,
    next_id: i64,
}

fn frame(value: &Value) -> Vec<u8> {
    let body = serde_json::to_vec(value).expect("JSON");
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(&body);
    out
}

fn write_message(stdin: &Mutex<ChildStdin>, value: &Value) {
    let mut w = stdin.lock().unwrap_or_else(|e| e.into_inner());
    // A write error means the server is gone: the next wait reports it.
    let _ = w.write_all(&frame(value)).and_then(|()| w.flush());
}

/// The next message's body, as bytes: it is timestamped on arrival, before it is parsed
/// (parsing a 300-item completion list into a `serde_json::Value` takes this client about
/// 2 ms, which is the client's cost, not the server's).
fn read_frame(r: &mut impl BufRead) -> Option<Vec<u8>> {
    let mut len = None;
    let mut line = String::new();
    loop {
        line.clear();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let l = line.trim_end();
        if l.is_empty() {
            break;
        }
        if let Some(v) = l.strip_prefix("Content-Length:") {
            len = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; len?];
    r.read_exact(&mut body).ok()?;
    Some(body)
}

impl Server {
    fn spawn(bin: &Path) -> Server {
        let mut child = Command::new(bin)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .env("DIGEST_LS_LOG", "warn")
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));
        let stdin = Arc::new(Mutex::new(child.stdin.take().expect("stdin")));
        let stdout = child.stdout.take().expect("stdout");
        let (tx, rx) = mpsc::channel();
        let answer = stdin.clone();
        std::thread::spawn(move || {
            let mut r = BufReader::with_capacity(1 << 16, stdout);
            while let Some(body) = read_frame(&mut r) {
                let at = Instant::now();
                let Ok(msg) = serde_json::from_slice::<Value>(&body) else { continue };
                if let (Some(id), Some(method)) = (msg.get("id"), msg.get("method").and_then(Value::as_str)) {
                    let result = match method {
                        "workspace/configuration" => {
                            let n = msg["params"]["items"].as_array().map_or(1, Vec::len);
                            Value::Array(vec![Value::Null; n])
                        }
                        _ => Value::Null,
                    };
                    write_message(&answer, &json!({"jsonrpc": "2.0", "id": id, "result": result}));
                }
                if tx.send((at, msg)).is_err() {
                    break;
                }
            }
        });
        Server { child, stdin, rx, pending: VecDeque::new(), next_id: 1 }
    }

    fn pid(&self) -> u32 {
        self.child.id()
    }

    fn notify(&self, method: &str, params: Value) -> Instant {
        let msg = json!({"jsonrpc": "2.0", "method": method, "params": params});
        let bytes = frame(&msg);
        let mut w = self.stdin.lock().unwrap_or_else(|e| e.into_inner());
        let at = Instant::now();
        let _ = w.write_all(&bytes).and_then(|()| w.flush());
        at
    }

    /// Waits for the first message (kept ones first) that `want` accepts.
    fn wait(&mut self, what: &str, want: impl FnMut(&Value) -> bool) -> (Instant, Value) {
        self.wait_within(WAIT, want).unwrap_or_else(|| panic!("timed out waiting for {what}"))
    }

    /// Like `wait`, but `None` after `limit`.
    fn wait_within(&mut self, limit: Duration, mut want: impl FnMut(&Value) -> bool) -> Option<(Instant, Value)> {
        if let Some(i) = self.pending.iter().position(|(_, m)| want(m)) {
            return self.pending.remove(i);
        }
        let deadline = Instant::now() + limit;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.rx.recv_timeout(left) {
                Ok((at, m)) if want(&m) => return Some((at, m)),
                Ok(other) => self.pending.push_back(other),
                Err(RecvTimeoutError::Timeout) => return None,
                Err(RecvTimeoutError::Disconnected) => panic!("the server exited while we waited"),
            }
        }
    }

    /// Forgets the messages kept so far (stale diagnostics, progress).
    fn drain(&mut self) {
        while let Ok(m) = self.rx.try_recv() {
            self.pending.push_back(m);
        }
        self.pending.clear();
    }

    /// Sends a request and waits for its response: (round trip, result).
    fn request(&mut self, method: &str, params: Value) -> (Duration, Value) {
        let id = self.next_id;
        self.next_id += 1;
        let sent = self.notify_with_id(id, method, params);
        let (at, msg) = self.wait(method, |m| m.get("id") == Some(&json!(id)) && m.get("method").is_none());
        if let Some(e) = msg.get("error") {
            panic!("{method} failed: {e}");
        }
        (at - sent, msg["result"].clone())
    }

    fn notify_with_id(&self, id: i64, method: &str, params: Value) -> Instant {
        let msg = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        let bytes = frame(&msg);
        let mut w = self.stdin.lock().unwrap_or_else(|e| e.into_inner());
        let at = Instant::now();
        let _ = w.write_all(&bytes).and_then(|()| w.flush());
        at
    }

    /// `initialize` as VS Code would (UTF-16, progress, watched files, configuration); returns its round trip.
    fn initialize(&mut self, root: &Path) -> Duration {
        let uri = file_uri(root);
        let params = json!({
            "processId": std::process::id(),
            "rootUri": uri,
            "workspaceFolders": [{"uri": uri, "name": "bench"}],
            "capabilities": {
                "general": {"positionEncodings": ["utf-16"]},
                "window": {"workDoneProgress": true},
                "workspace": {
                    "configuration": true,
                    "workspaceFolders": true,
                    "didChangeWatchedFiles": {"dynamicRegistration": true}
                },
                "textDocument": {
                    "publishDiagnostics": {"versionSupport": true},
                    "synchronization": {"dynamicRegistration": false, "didSave": true},
                    "completion": {"completionItem": {"snippetSupport": false}},
                    "hover": {"contentFormat": ["markdown", "plaintext"]}
                }
            }
        });
        self.request("initialize", params).0
    }

    /// Sends `initialized` and waits for the end of the indexing progress; returns that time.
    fn initialized_until_indexed(&mut self) -> Duration {
        let sent = self.notify("initialized", json!({}));
        let (at, _) = self.wait("the end of $/progress", is_progress_end);
        at - sent
    }

    fn open(&mut self, path: &Path, text: &str, version: i32) -> Instant {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {"uri": file_uri(path), "languageId": "markdown", "version": version, "text": text}}),
        )
    }

    /// Waits for the diagnostics of `uri` (at `version`, when given).
    fn diagnostics(&mut self, uri: &str, version: Option<i32>) -> (Instant, Value) {
        self.diagnostics_within(WAIT, uri, version).unwrap_or_else(|| panic!("timed out waiting for diagnostics"))
    }

    fn diagnostics_within(&mut self, limit: Duration, uri: &str, version: Option<i32>) -> Option<(Instant, Value)> {
        let uri = uri.to_string();
        self.wait_within(limit, move |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri.as_str()
                && version.is_none_or(|v| m["params"]["version"] == v)
        })
    }

    fn kill(mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    fn rss_kib(&self) -> Option<u64> {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    fn stop(mut self) {
        let id = self.next_id;
        self.next_id += 1;
        self.notify_with_id(id, "shutdown", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            match self.rx.recv_timeout(Duration::from_millis(100)) {
                Ok((_, m)) if m.get("id") == Some(&json!(id)) => break,
                Ok(_) | Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        self.notify("exit", Value::Null);
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn is_progress_end(m: &Value) -> bool {
    m["method"] == "$/progress" && m["params"]["value"]["kind"] == "end"
}

fn file_uri(path: &Path) -> String {
    let mut out = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------- statistics and the table

#[derive(Default)]
struct Table {
    rows: Vec<[String; 5]>,
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn fmt_ms(v: f64) -> String {
    if v < 10.0 {
        format!("{v:.2} ms")
    } else if v < 1000.0 {
        format!("{v:.1} ms")
    } else {
        format!("{:.2} s", v / 1e3)
    }
}

impl Table {
    fn timing(&mut self, what: &str, samples: &[Duration], target: &str) {
        let mut v: Vec<f64> = samples.iter().map(|d| ms(*d)).collect();
        v.sort_by(f64::total_cmp);
        let row = [
            what.to_string(),
            v.len().to_string(),
            fmt_ms(percentile(&v, 50.0)),
            fmt_ms(percentile(&v, 99.0)),
            target.to_string(),
        ];
        eprintln!("  {:<58} n={:<4} p50 {:>10}  p99 {:>10}", row[0], row[1], row[2], row[3]);
        self.rows.push(row);
    }

    fn value(&mut self, what: &str, n: usize, value: String, target: &str) {
        eprintln!("  {what:<58} {value}");
        self.rows.push([what.to_string(), n.to_string(), value, String::new(), target.to_string()]);
    }

    fn print(&self) {
        let head = ["measurement", "n", "median", "p99", "target"];
        let mut width = head.map(str::len);
        for r in &self.rows {
            for (w, c) in width.iter_mut().zip(r) {
                *w = (*w).max(c.chars().count());
            }
        }
        let line = |cells: [&str; 5]| {
            let mut s = String::from("|");
            for (i, c) in cells.iter().enumerate() {
                let pad = width[i] - c.chars().count();
                if i == 0 || i == 4 {
                    s.push_str(&format!(" {c}{} |", " ".repeat(pad)));
                } else {
                    s.push_str(&format!(" {}{c} |", " ".repeat(pad)));
                }
            }
            println!("{s}");
        };
        line(head);
        let rule: Vec<String> = width.iter().map(|w| "-".repeat(*w)).collect();
        line([&rule[0], &rule[1], &rule[2], &rule[3], &rule[4]]);
        for r in &self.rows {
            line([&r[0], &r[1], &r[2], &r[3], &r[4]]);
        }
    }
}

fn median(v: &[Duration]) -> Duration {
    let mut v = v.to_vec();
    v.sort();
    v[v.len() / 2]
}

// ---------------------------------------------------------------- text positions (UTF-16, as VS Code)

/// (line, UTF-16 column) of the end of the first line containing `needle`.
fn end_of_line_with(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in the text"));
    let line = text[..at].matches('\n').count() as u32;
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let end = text[at..].find('\n').map_or(text.len(), |i| at + i);
    let end = if text[..end].ends_with('\r') { end - 1 } else { end };
    (line, text[start..end].encode_utf16().count() as u32)
}

/// (line, UTF-16 column) just after the first `needle`.
fn after(text: &str, needle: &str) -> (u32, u32) {
    let at = text.find(needle).unwrap_or_else(|| panic!("`{needle}` not in the text")) + needle.len();
    let line = text[..at].matches('\n').count() as u32;
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    (line, text[start..at].encode_utf16().count() as u32)
}

fn change(uri: &str, version: i32, (line, col): (u32, u32), remove: u32, insert: &str) -> Value {
    json!({
        "textDocument": {"uri": uri, "version": version},
        "contentChanges": [{
            "range": {"start": {"line": line, "character": col}, "end": {"line": line, "character": col + remove}},
            "text": insert
        }]
    })
}

/// Types `count` keystrokes at `at` (ten letters, then ten backspaces, and again),
/// each one waiting for the diagnostics of its version.
/// The end of a bullet point in the middle of `text`.
fn middle_point(text: &str) -> (u32, u32) {
    let mid = (text.len() / 2..).find(|&i| text.is_char_boundary(i)).expect("a boundary");
    let line_in_middle = text[mid..].lines().find(|l| l.starts_with("*  ")).expect("a point");
    end_of_line_with(text, line_in_middle)
}

fn type_into(server: &mut Server, uri: &str, version: &mut i32, at: (u32, u32), count: usize) -> Vec<Duration> {
    let mut out = Vec::with_capacity(count);
    let mut typed = 0u32;
    for k in 0..count {
        *version += 1;
        let params = if (k / 10) % 2 == 0 {
            typed += 1;
            change(uri, *version, (at.0, at.1 + typed - 1), 0, &((b'a' + (k % 10) as u8) as char).to_string())
        } else {
            typed -= 1;
            change(uri, *version, (at.0, at.1 + typed), 1, "")
        };
        let sent = server.notify("textDocument/didChange", params);
        let (got, _) = server.diagnostics(uri, Some(*version));
        out.push(got - sent);
    }
    // Leave the text as it was.
    while typed > 0 {
        typed -= 1;
        *version += 1;
        server.notify("textDocument/didChange", change(uri, *version, (at.0, at.1 + typed), 1, ""));
        server.diagnostics(uri, Some(*version));
    }
    out
}

// ---------------------------------------------------------------- the floor

/// Reads every file and runs one pulldown-cmark pass over each, on all cores.
fn floor(files: &[PathBuf]) -> Duration {
    let started = Instant::now();
    let events: usize = files
        .par_iter()
        .map(|p| {
            let text = std::fs::read_to_string(p).expect("a corpus file");
            pulldown_cmark::Parser::new(&text).into_offset_iter().count()
        })
        .sum();
    std::hint::black_box(events);
    started.elapsed()
}

/// The floor plus what any reader of an index entry has to do besides one pass of
/// pulldown-cmark (with Hugo's options): the front matter (date, title, tags), bare URLs
/// in the text (linkify) and the resource key of every URL met (through the server's
/// per-thread cache). No blocks, topics or labels: a lower bound for indexing, next to
/// the floor, to show how much of the gap is the work itself.
fn index_needs(files: &[PathBuf]) -> Duration {
    use pulldown_cmark::{BrokenLink, CowStr, Event, Parser, Tag};
    fn accept<'a>(_: BrokenLink<'a>) -> Option<(CowStr<'a>, CowStr<'a>)> {
        Some((CowStr::Borrowed(""), CowStr::Borrowed("")))
    }
    let options = digest_ls::body::options();
    let limits = digest_ls::config::Config::default().limits;
    // Fresh threads and an empty shared level: the URL cache is per thread in front of
    // one shared by the threads, and a server starts with both empty.
    let pool = rayon::ThreadPoolBuilder::new().build().expect("a thread pool");
    digest_ls::resource::forget_shared_urls();
    let started = Instant::now();
    let keys: usize = pool.install(|| {
        files
            .par_iter()
            .map(|p| {
                let text = std::fs::read_to_string(p).expect("a corpus file");
                let front = digest_ls::front_matter::parse(&text, &limits);
                let body = &text[front.body_start.min(text.len())..];
                let mut finder = linkify::LinkFinder::new();
                finder.kinds(&[linkify::LinkKind::Url]).url_can_be_iri(false);
                let key = |url: &str| usize::from(digest_ls::resource::UrlFacts::shared(url).key.is_some());
                let mut keys = usize::from(front.yaml.is_some());
                for (event, _) in Parser::new_with_broken_link_callback(body, options, Some(accept)).into_offset_iter()
                {
                    match event {
                        Event::Text(t) => keys += finder.links(&t).map(|l| key(l.as_str())).sum::<usize>(),
                        Event::Start(Tag::Link { dest_url, .. }) => keys += key(&dest_url),
                        _ => {}
                    }
                }
                keys
            })
            .sum()
    });
    std::hint::black_box(keys);
    started.elapsed()
}

// ---------------------------------------------------------------- main

struct Args {
    quick: bool,
    seed: u64,
    server: Option<PathBuf>,
    /// Sections to run (`--only cold,open,indexed,big,check`); empty runs them all.
    only: Vec<String>,
}

impl Args {
    fn wants(&self, section: &str) -> bool {
        self.only.is_empty() || self.only.iter().any(|s| s == section)
    }
}

fn args() -> Args {
    let mut out = Args { quick: false, seed: 1, server: None, only: Vec::new() };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--quick" => out.quick = true,
            "--seed" => out.seed = it.next().and_then(|s| s.parse().ok()).expect("--seed N"),
            "--server" => out.server = it.next().map(PathBuf::from),
            "--only" => {
                let list = it.next().expect("--only cold,open,indexed,big,check");
                out.only = list.split(',').map(str::to_string).collect();
            }
            "-h" | "--help" => {
                println!("lsp-bench [--quick] [--seed N] [--server PATH] [--only cold,open,indexed,big,check]");
                std::process::exit(0);
            }
            other => panic!("unknown argument {other}; try --help"),
        }
    }
    out
}

/// The server binary: `--server`, else `target/release/digest-ls`, rebuilt first when run through cargo.
fn server_binary(given: Option<PathBuf>) -> PathBuf {
    if let Some(p) = given {
        return p;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    if let Ok(cargo) = std::env::var("CARGO") {
        eprintln!("building target/release/digest-ls ...");
        let ok = Command::new(cargo)
            .args(["build", "--release", "--quiet", "--bin", "digest-ls"])
            .current_dir(root)
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cargo build --release failed");
    }
    let bin = root.join("target/release/digest-ls");
    assert!(bin.is_file(), "{} is missing: run `cargo build --release`", bin.display());
    bin
}

struct Workspace {
    root: PathBuf,
    files: Vec<PathBuf>,
    bytes: u64,
}

fn generate(corpus: &corpus::Corpus, root: PathBuf, count: usize) -> Workspace {
    let written = corpus.write(&root, count).expect("the corpus is written");
    Workspace { root, files: written.files, bytes: written.bytes }
}

/// A server on `ws`, indexed, with the sample open and its first diagnostics in.
fn indexed_server(bin: &Path, ws: &Workspace) -> (Server, PathBuf, Duration, Duration) {
    let mut s = Server::spawn(bin);
    let init = s.initialize(&ws.root);
    let index = s.initialized_until_indexed();
    let sample = ws.root.join("content/posts/sample.md");
    s.open(&sample, SAMPLE, 1);
    s.diagnostics(&file_uri(&sample), Some(1));
    s.drain();
    (s, sample, init, index)
}

fn main() {
    let args = args();
    let bin = server_binary(args.server.clone());
    let (runs, keys_small, keys_big, queries) = if args.quick { (2, 60, 30, 100) } else { (5, 300, 100, 500) };
    let tmp = tempfile::tempdir().expect("a temporary folder");
    let corpus = corpus::Corpus::new(args.seed);

    eprintln!("generating the corpus under {} ...", tmp.path().display());
    let ws1k = generate(&corpus, tmp.path().join("ws1k"), 1000);
    let ws10k = generate(&corpus, tmp.path().join("ws10k"), 10_000);
    // The big digests live outside both workspaces: opened, never indexed.
    let big_dir = tmp.path().join("big");
    std::fs::create_dir_all(&big_dir).expect("a folder");
    let big1 = big_dir.join("digest-1mb.md");
    let big10 = big_dir.join("digest-10mb.md");
    let big1_text = corpus.big(1 << 20);
    let big10_text = corpus.big(10 << 20);
    std::fs::write(&big1, &big1_text).expect("written");
    std::fs::write(&big10, &big10_text).expect("written");
    std::fs::write(ws1k.root.join("content/posts/sample.md"), SAMPLE).expect("written");
    std::fs::write(ws10k.root.join("content/posts/sample.md"), SAMPLE).expect("written");
    eprintln!(
        "{} + {} digests ({:.1} MB + {:.1} MB), big digests of {:.1} MB and {:.1} MB",
        ws1k.files.len(),
        ws10k.files.len(),
        ws1k.bytes as f64 / 1e6,
        ws10k.bytes as f64 / 1e6,
        big1_text.len() as f64 / 1e6,
        big10_text.len() as f64 / 1e6
    );

    let mut table = Table::default();

    // (2) and (3): cold starts against the floor, interleaved so that both see the same machine.
    let cold: &[&Workspace] = if args.wants("cold") { &[&ws1k, &ws10k] } else { &[] };
    for ws in cold {
        let n = ws.files.len();
        let mut inits = Vec::new();
        let mut indexes = Vec::new();
        let mut floors = Vec::new();
        let mut needs = Vec::new();
        eprintln!("cold start on {n} digests, {runs} runs ...");
        for _ in 0..runs {
            floors.push(floor(&ws.files));
            needs.push(index_needs(&ws.files));
            let mut s = Server::spawn(&bin);
            inits.push(s.initialize(&ws.root));
            indexes.push(s.initialized_until_indexed());
            s.stop();
        }
        table.timing(&format!("initialize response, {n} digests"), &inits, "<= 20 ms");
        table.timing(&format!("initialized -> end of indexing, {n} digests"), &indexes, "<= 2x floor, < 0.5 s at 10k");
        table.timing(&format!("floor: read + pulldown-cmark, all cores, {n} digests"), &floors, "");
        table.timing(&format!("floor + what any index entry needs, {n} digests"), &needs, "");
        let (idx, fl) = (median(&indexes), median(&floors));
        let secs = idx.as_secs_f64();
        table.value(
            &format!("indexing throughput, {n} digests"),
            runs,
            format!("{:.0} files/s, {:.1} MB/s", n as f64 / secs, ws.bytes as f64 / 1e6 / secs),
            "",
        );
        table.value(
            &format!("indexing / floor, {n} digests"),
            runs,
            format!("{:.2}x", idx.as_secs_f64() / fl.as_secs_f64()),
            "<= 2x",
        );
        table.value(
            &format!("floor + needs / floor, {n} digests"),
            runs,
            format!("{:.2}x", median(&needs).as_secs_f64() / fl.as_secs_f64()),
            "",
        );
    }

    // (7) A file opened while the indexing of 10,000 digests runs.
    if args.wants("open") {
        let mut first = Vec::new();
        let target = &ws10k.files[ws10k.files.len() / 3];
        let text = std::fs::read_to_string(target).expect("a corpus file");
        for _ in 0..runs.min(3) {
            let mut s = Server::spawn(&bin);
            s.initialize(&ws10k.root);
            s.notify("initialized", json!({}));
            s.wait("the start of indexing", |m| m["method"] == "$/progress" && m["params"]["value"]["kind"] == "begin");
            let sent = s.open(target, &text, 1);
            let (got, _) = s.diagnostics(&file_uri(target), Some(1));
            let still_indexing = !s.pending.iter().any(|(_, m)| is_progress_end(m));
            first.push(got - sent);
            if !still_indexing {
                eprintln!("  (indexing had already finished when the diagnostics came)");
            }
            s.wait("the end of $/progress", is_progress_end);
            s.stop();
        }
        table.timing("open during indexing (10k) -> first diagnostics", &first, "<= 50 ms");
    }

    let (mut rss_indexed, mut rss_big_indexed, mut rss_big_closed, mut rss_empty, mut rss_big) =
        (None, None, None, None, None);
    // (1), (4), (5), (8) on one server with 10,000 digests indexed.
    if args.wants("indexed") {
        eprintln!("typing, queries and memory with 10,000 digests indexed ...");
        let (mut s, sample, _, _) = indexed_server(&bin, &ws10k);
        let uri = file_uri(&sample);
        let mut version = 1;
        rss_indexed = s.rss_kib();

        let body_at = end_of_line_with(SAMPLE, "卡越多，Adam state");
        let keys = type_into(&mut s, &uri, &mut version, body_at, keys_small);
        table.timing("keystroke -> diagnostics, sample, body (10k indexed)", &keys, "p50 <= 1 ms, p99 <= 5 ms");
        // A new tag item `, ""` once, then type inside its quotes.
        let tags_end = after(SAMPLE, "\"DPO\"");
        version += 1;
        s.notify("textDocument/didChange", change(&uri, version, tags_end, 0, ", \"\""));
        s.diagnostics(&uri, Some(version));
        let keys = type_into(&mut s, &uri, &mut version, (tags_end.0, tags_end.1 + 3), keys_small);
        table.timing("keystroke -> diagnostics, sample, tags list (10k indexed)", &keys, "p50 <= 1 ms, p99 <= 5 ms");
        version += 1;
        s.notify("textDocument/didChange", change(&uri, version, tags_end, 4, ""));
        s.diagnostics(&uri, Some(version));

        // (4) Completion inside `tags: [` and hover on a link.
        let in_tags = after(SAMPLE, "tags: [");
        let mut comp = Vec::new();
        let mut items = 0;
        for _ in 0..queries {
            let params = json!({"textDocument": {"uri": uri}, "position": {"line": in_tags.0, "character": in_tags.1}});
            let (d, result) = s.request("textDocument/completion", params);
            items = result.as_array().or_else(|| result["items"].as_array()).map_or(0, Vec::len);
            comp.push(d);
        }
        table.timing(&format!("completion in tags: [ (10k indexed, {items} items)"), &comp, "p99 <= 5 ms");
        let on_link = after(SAMPLE, "[Adam-M");
        let mut hov = Vec::new();
        let mut hovered = false;
        for _ in 0..queries {
            let params = json!({"textDocument": {"uri": uri}, "position": {"line": on_link.0, "character": on_link.1}});
            let (d, result) = s.request("textDocument/hover", params);
            hovered = !result.is_null();
            hov.push(d);
        }
        let what =
            if hovered { "hover on a link (10k indexed)" } else { "hover on a link (10k indexed; empty result)" };
        table.timing(what, &hov, "p99 <= 5 ms");

        // (8) One file changed on disk, on 10,000 digests (1,000 below).
        let watched = |s: &mut Server, ws: &Workspace, n: usize, uri: &str| {
            let target = &ws.files[ws.files.len() / 2];
            let original = std::fs::read_to_string(target).expect("a corpus file");
            let changed = original.replacen("tags: [", "tags: [\"Benchmark-Change\", ", 1);
            let mut out = Vec::new();
            for k in 0..n {
                std::fs::write(target, if k % 2 == 0 { &changed } else { &original }).expect("written");
                let params = json!({"changes": [{"uri": file_uri(target), "type": 2}]});
                let sent = s.notify("workspace/didChangeWatchedFiles", params);
                let (got, _) = s.diagnostics(uri, None);
                out.push(got - sent);
            }
            std::fs::write(target, &original).expect("written");
            out
        };
        let w10 = watched(&mut s, &ws10k, queries / 5, &uri);

        // The 1 MB digest with 10,000 digests indexed: it re-cites the corpus, so every
        // keystroke republishes 3,583 diagnostics with 16,974 related locations (5 MB).
        let big1_uri = file_uri(&big1);
        s.open(&big1, &big1_text, 1);
        s.diagnostics(&big1_uri, Some(1));
        let mut v1 = 1;
        let keys = type_into(&mut s, &big1_uri, &mut v1, middle_point(&big1_text), keys_big / 2);
        table.timing("keystroke -> diagnostics, 1 MB digest, body (10k indexed)", &keys, "");
        s.notify("textDocument/didClose", json!({"textDocument": {"uri": big1_uri}}));

        // (5) The 10 MB digest opened with 10,000 digests indexed: its cross-file checks
        // see the whole index. Last on this server: if it is slow, we stop waiting.
        let big10_uri = file_uri(&big10);
        let sent = s.open(&big10, &big10_text, 1);
        let first = s.diagnostics_within(BIG_LIMIT, &big10_uri, Some(1)).map(|(at, _)| at - sent);
        rss_big_indexed = s.rss_kib();
        match first {
            Some(d) => table.timing("open 10 MB digest (10k indexed) -> first diagnostics", &[d], ""),
            None => table.value(
                "open 10 MB digest (10k indexed) -> first diagnostics",
                1,
                format!("> {} s (gave up)", BIG_LIMIT.as_secs()),
                "",
            ),
        }
        if first.is_some() {
            // Memory once the editor has closed it (and the sample): what the server
            // keeps after a big file has come and gone.
            for u in [&big10_uri, &uri] {
                s.notify("textDocument/didClose", json!({"textDocument": {"uri": u}}));
            }
            let closed = big10_uri.clone();
            s.wait("the emptied diagnostics of the closed 10 MB digest", move |m| {
                m["method"] == "textDocument/publishDiagnostics"
                    && m["params"]["uri"] == closed.as_str()
                    && m["params"]["diagnostics"].as_array().is_some_and(Vec::is_empty)
            });
            // Freed memory goes back to the system on a background thread.
            std::thread::sleep(Duration::from_millis(500));
            rss_big_closed = s.rss_kib();
        }
        s.kill();

        let (mut s1, sample1, _, _) = indexed_server(&bin, &ws1k);
        let w1 = watched(&mut s1, &ws1k, queries / 5, &file_uri(&sample1));
        s1.stop();
        table.timing("file changed on disk -> republished diagnostics, 1k", &w1, "flat in workspace size");
        table.timing("file changed on disk -> republished diagnostics, 10k", &w10, "flat in workspace size");
    }

    // (1) The 1 MB digest, on a server with an empty workspace (the per-keystroke
    // pipeline alone), and the 10 MB digest's memory there.
    if args.wants("big") {
        let empty = tmp.path().join("empty");
        std::fs::create_dir_all(&empty).expect("a folder");
        let mut s = Server::spawn(&bin);
        s.initialize(&empty);
        s.initialized_until_indexed();
        rss_empty = s.rss_kib();
        let big1_uri = file_uri(&big1);
        s.open(&big1, &big1_text, 1);
        s.diagnostics(&big1_uri, Some(1));
        let mut v1 = 1;
        let keys = type_into(&mut s, &big1_uri, &mut v1, middle_point(&big1_text), keys_big);
        table.timing("keystroke -> diagnostics, 1 MB digest, body", &keys, "p50 <= 3 ms");
        let tags_at = after(&big1_text, "tags: [");
        v1 += 1;
        s.notify("textDocument/didChange", change(&big1_uri, v1, tags_at, 0, "\"\", "));
        s.diagnostics(&big1_uri, Some(v1));
        let keys = type_into(&mut s, &big1_uri, &mut v1, (tags_at.0, tags_at.1 + 1), keys_big);
        table.timing("keystroke -> diagnostics, 1 MB digest, tags list", &keys, "p50 <= 3 ms");
        s.notify("textDocument/didClose", json!({"textDocument": {"uri": big1_uri}}));
        let sent = s.open(&big10, &big10_text, 1);
        let (at, _) = s.diagnostics(&file_uri(&big10), Some(1));
        rss_big = s.rss_kib();
        table.timing("open 10 MB digest (no workspace) -> first diagnostics", &[at - sent], "");
        s.stop();
    }

    let mb = |kib: Option<u64>| kib.map_or("n/a".to_string(), |k| format!("{:.1} MB", k as f64 / 1024.0));
    if args.wants("indexed") {
        table.value("resident memory after indexing 10k digests (sample open)", 1, mb(rss_indexed), "<= 60 MB");
        table.value("resident memory, 10k indexed + 10 MB digest open", 1, mb(rss_big_indexed), "");
        table.value("resident memory, 10k indexed, 10 MB digest closed again", 1, mb(rss_big_closed), "");
    }
    if args.wants("big") {
        table.value("resident memory, empty workspace", 1, mb(rss_empty), "");
        table.value("resident memory, empty workspace + 10 MB digest open", 1, mb(rss_big), "");
    }

    // (6) `digest-ls check` over the 10,000 digests.
    if args.wants("check") {
        let mut checks = Vec::new();
        let mut status = None;
        for _ in 0..runs.min(3) {
            let started = Instant::now();
            let st = Command::new(&bin)
                .arg("check")
                .arg(&ws10k.root)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .expect("digest-ls check runs");
            checks.push(started.elapsed());
            status = st.code();
        }
        let code = status.map_or("signal".to_string(), |c| c.to_string());
        table.timing(&format!("digest-ls check, 10k digests (exit {code})"), &checks, "< 1 s");
    }

    println!();
    table.print();
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("\nload average at the end: {}", load.split_whitespace().take(3).collect::<Vec<_>>().join(" "));
}
