//! Workspace faults against the built server: symbolic-link loops, unreadable, non-UTF-8 and special files, files deleted or rewritten while indexing runs, 100,000 files, missing folders; deleted and renamed digests in the index.
//!
//! The index is observed the way an editor sees it: tag completion (each item's
//! detail says how many digests use the tag) and link hovers (which list the other
//! digests citing the same paper).

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::{Duration, Instant};

use common::{caps, completion_items, digest, lsp_pos, Enc, Server, Workspace};
use serde_json::{json, Value};

const PROBE: &str = "content/probe.md";
/// An open digest with an empty tag list and a link to the paper others cite.
const PROBE_TEXT: &str = "---\ntitle: \"probe\"\ndate: 2024-07-05T19:31:56+08:00\ntags: []\n---\n\n**1. 探针**:  看看\n*  相关引用：\n    * **文章**: [Adam-Mini](https://arxiv.org/abs/2402.00658)\n";

fn citing(title: &str, date: &str, tags: &[&str]) -> String {
    digest(
        title,
        date,
        tags,
        &format!(
            "**1. {title}**:  引用\n*  相关引用：\n    * **文章**: [Adam-Mini](https://arxiv.org/pdf/2402.00658v2)"
        ),
    )
}

fn start(ws: &Workspace) -> Server {
    let mut server = Server::spawn(ws.root());
    server.initialize(Some(ws), caps(Some(&["utf-16"])), Value::Null);
    server
}

fn open_probe(server: &mut Server, ws: &Workspace) {
    server.open(&ws.uri(PROBE), 1, PROBE_TEXT);
}

/// Every tag the workspace offers in the probe, with its digest count (from the
/// item's detail, `12 digests, last 2024-07-05`).
fn tag_counts(server: &mut Server, ws: &Workspace) -> BTreeMap<String, usize> {
    let at = PROBE_TEXT.find("tags: [").unwrap() + 7;
    let result = server.completion(&ws.uri(PROBE), lsp_pos(PROBE_TEXT, at, Enc::Utf16));
    completion_items(&result)
        .iter()
        .map(|item| {
            let label = item["label"].as_str().expect("a label").to_string();
            let detail = item["detail"].as_str().unwrap_or("");
            let count = detail.split_whitespace().next().and_then(|n| n.parse().ok()).unwrap_or_else(|| {
                panic!("the detail of {label} starts with a count: {detail:?}");
            });
            (label, count)
        })
        .collect()
}

/// The hover on the probe's arXiv link (which lists the other digests citing it).
fn link_hover(server: &mut Server, ws: &Workspace) -> String {
    let at = PROBE_TEXT.find("[Adam-Mini]").unwrap() + 3;
    let hover = server.hover(&ws.uri(PROBE), lsp_pos(PROBE_TEXT, at, Enc::Utf16));
    let text = hover["contents"]["value"].as_str().map(String::from).unwrap_or_else(|| hover["contents"].to_string());
    assert!(text.contains("2402.00658"), "the hover names the paper: {text}");
    text
}

fn watched(server: &Server, events: &[(String, u32)]) {
    let changes: Vec<Value> = events.iter().map(|(uri, typ)| json!({ "uri": uri, "type": typ })).collect();
    server.notify("workspace/didChangeWatchedFiles", json!({ "changes": changes }));
}

const CREATED: u32 = 1;
const CHANGED: u32 = 2;
const DELETED: u32 = 3;

fn is_root() -> bool {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() == 0 }
}

fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().expect("a UTF-8 path")).expect("no NUL");
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    let rc = unsafe { libc::mkfifo(c.as_ptr(), 0o644) };
    assert_eq!(rc, 0, "mkfifo {}: {}", path.display(), std::io::Error::last_os_error());
}

/// Symbolic-link loops, a dangling link, a file nobody may read, a file that is not
/// UTF-8, a FIFO and a folder named like a Markdown file: indexing ends, the rest is
/// indexed, the bad entries are logged, and file events for them do not hang the server.
#[test]
fn loops_unreadable_non_utf8_and_special_files() {
    use std::os::unix::fs::{symlink, PermissionsExt};
    let ws = Workspace::new();
    ws.write("content/posts/good.md", &citing("好", "2024-06-01", &["好标签"]));
    ws.write("content/posts/dir.md/inner.md", &citing("里", "2024-06-02", &["里标签"]));
    symlink(ws.path("content"), ws.path("content/posts/loop")).expect("a link to an ancestor");
    symlink("self.md", ws.path("content/posts/self.md")).expect("a link to itself");
    symlink("nowhere.md", ws.path("content/posts/dangling.md")).expect("a dangling link");
    ws.write("content/posts/secret.md", &citing("秘密", "2024-06-03", &["秘密标签"]));
    std::fs::set_permissions(ws.path("content/posts/secret.md"), std::fs::Permissions::from_mode(0o000))
        .expect("chmod 000");
    std::fs::write(ws.path("content/posts/latin1.md"), b"---\ntitle: caf\xe9\ntags: [\"caf\xe9\"]\n---\n")
        .expect("write");
    mkfifo(&ws.path("content/posts/pipe.md"));

    let mut server = start(&ws);
    server.wait_indexed();
    open_probe(&mut server, &ws);
    let counts = tag_counts(&mut server, &ws);
    assert_eq!(counts.get("好标签"), Some(&1), "{counts:?}");
    assert_eq!(counts.get("里标签"), Some(&1), "a folder named `dir.md` is walked into: {counts:?}");
    // Tests usually run as root, for whom chmod 000 does not stop a read: then the
    // file is simply indexed. Otherwise it is skipped.
    let secret = counts.get("秘密标签").copied();
    if is_root() {
        assert_eq!(secret, Some(1), "root reads a chmod 000 file: {counts:?}");
    } else {
        assert_eq!(secret, None, "an unreadable file contributes nothing: {counts:?}");
    }
    assert!(!counts.keys().any(|k| k.starts_with("caf")), "a non-UTF-8 file contributes nothing: {counts:?}");
    let log = server.log();
    assert!(log.contains("latin1.md"), "a log line names the non-UTF-8 file:\n{log}");
    assert!(log.contains("loop"), "a log line names the link loop:\n{log}");

    // Events for each bad entry: none may hang the server (a FIFO blocks a read
    // forever) or break the index.
    let bad = ["self.md", "dangling.md", "secret.md", "latin1.md", "dir.md", "pipe.md"];
    let mut events = Vec::new();
    for f in bad {
        for typ in [CREATED, CHANGED] {
            events.push((ws.uri(&format!("content/posts/{f}")), typ));
        }
    }
    // The FIFO has a test of its own (below).
    events.retain(|(uri, _)| !uri.ends_with("pipe.md"));
    watched(&server, &events);
    let started = Instant::now();
    let counts = tag_counts(&mut server, &ws);
    assert!(started.elapsed() < Duration::from_secs(10), "the server stalled for {:?}", started.elapsed());
    assert_eq!(counts.get("好标签"), Some(&1), "{counts:?}");
    assert!(link_hover(&mut server, &ws).contains("good.md"));
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

/// Files deleted and rewritten while the first indexing runs: once it ends, the
/// index holds exactly what is on disk (events and the walk may come in any order).
#[test]
fn files_deleted_or_rewritten_while_indexing_runs() {
    const BULK: usize = 3_000;
    const VICTIMS: usize = 40;
    let ws = Workspace::new();
    for i in 0..BULK {
        ws.write(&format!("content/bulk/{i:05}.md"), &digest("批", "2024-06-01", &["批量"], "**1. 批**:  量"));
    }
    for i in 0..VICTIMS {
        ws.write(&format!("content/victims/d{i}.md"), &citing(&format!("删{i}"), "2024-06-02", &["将删除"]));
        ws.write(&format!("content/victims/r{i}.md"), &citing(&format!("改{i}"), "2024-06-03", &["旧标签"]));
    }
    let mut server = start(&ws);
    // Indexing has started: change the disk under it, and tell the server.
    let mut events = Vec::new();
    for i in 0..VICTIMS {
        ws.remove(&format!("content/victims/d{i}.md"));
        events.push((ws.uri(&format!("content/victims/d{i}.md")), DELETED));
        ws.write(&format!("content/victims/r{i}.md"), &digest("改", "2024-06-04", &["新标签"], "**1. 改**:  了"));
        events.push((ws.uri(&format!("content/victims/r{i}.md")), CHANGED));
    }
    watched(&server, &events);
    server.wait_indexed();
    open_probe(&mut server, &ws);
    let counts = tag_counts(&mut server, &ws);
    assert_eq!(counts.get("批量"), Some(&BULK), "{counts:?}");
    assert_eq!(counts.get("新标签"), Some(&VICTIMS), "{counts:?}");
    assert_eq!(counts.get("将删除"), None, "deleted digests are gone: {counts:?}");
    assert_eq!(counts.get("旧标签"), None, "rewritten digests lost their old tags: {counts:?}");
    let hover = link_hover(&mut server, &ws);
    assert!(
        !hover.contains("d0.md") && !hover.contains("r0.md"),
        "no citation of a deleted or rewritten digest: {hover}"
    );
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

/// 100,000 (empty) Markdown files and three digests: indexing ends, requests are
/// answered meanwhile, and the digests are all there.
#[test]
fn a_folder_with_a_hundred_thousand_files() {
    const N: usize = 100_000;
    let ws = Workspace::new();
    let bulk = ws.path("content/bulk");
    std::fs::create_dir_all(&bulk).expect("create the folder");
    for i in 0..N {
        std::fs::File::create(bulk.join(format!("{i:06}.md"))).expect("create an empty file");
    }
    for (i, tag) in ["甲", "乙", "丙"].iter().enumerate() {
        ws.write(&format!("content/posts/{i}.md"), &citing(tag, "2024-06-01", &[tag, "共同"]));
    }
    let started = Instant::now();
    let mut server = start(&ws);
    open_probe(&mut server, &ws);
    // Answered while the indexing runs (or after, if it was quick).
    let at = PROBE_TEXT.find("tags: [").unwrap() + 7;
    server.completion(&ws.uri(PROBE), lsp_pos(PROBE_TEXT, at, Enc::Utf16));
    server.wait_indexed();
    let elapsed = started.elapsed();
    eprintln!("indexed {N} files in {elapsed:?}");
    let counts = tag_counts(&mut server, &ws);
    assert_eq!(counts.get("共同"), Some(&3), "{counts:?}");
    for tag in ["甲", "乙", "丙"] {
        assert_eq!(counts.get(tag), Some(&1), "{counts:?}");
    }
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

/// Workspace folders that do not exist, or are a file: logged and skipped; the real
/// folder is indexed.
#[test]
fn a_workspace_folder_that_does_not_exist() {
    let ws = Workspace::new();
    ws.write("content/posts/real.md", &citing("真", "2024-06-01", &["真标签"]));
    ws.write("not-a-folder.md", "just a file\n");
    let missing = common::file_uri(&ws.path("no/such/folder"));
    let file = ws.uri("not-a-folder.md");
    let mut server = Server::spawn(ws.root());
    server.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": missing,
            "workspaceFolders": [
                { "uri": missing, "name": "missing" },
                { "uri": file, "name": "a file" },
                { "uri": ws.root_uri(), "name": "real" },
            ],
            "capabilities": caps(Some(&["utf-16"])),
        }),
    );
    server.notify("initialized", json!({}));
    server.wait_indexed();
    open_probe(&mut server, &ws);
    let counts = tag_counts(&mut server, &ws);
    assert_eq!(counts.get("真标签"), Some(&1), "the real folder is indexed: {counts:?}");
    let log = server.log();
    assert!(log.contains("no/such/folder"), "a log line names the missing folder:\n{log}");
    // Only a missing folder: nothing to index, but the server works.
    let mut server = Server::spawn(ws.root());
    server.request(
        "initialize",
        json!({
            "processId": std::process::id(),
            "rootUri": missing,
            "workspaceFolders": [{ "uri": missing, "name": "missing" }],
            "capabilities": caps(Some(&["utf-16"])),
        }),
    );
    server.notify("initialized", json!({}));
    server.wait_indexed();
    open_probe(&mut server, &ws);
    assert!(tag_counts(&mut server, &ws).is_empty());
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

/// A deleted digest's tags and citations leave the index; a renamed digest (delete
/// and create, in either order) keeps exactly one entry.
#[test]
fn deleted_and_renamed_digests() {
    let ws = Workspace::new();
    ws.write("content/posts/a.md", &citing("甲", "2024-06-01", &["独有甲", "共同"]));
    ws.write("content/posts/b.md", &citing("乙", "2024-06-02", &["独有乙", "共同"]));
    ws.write("content/posts/c.md", &citing("丙", "2024-06-03", &["独有丙", "共同"]));
    let mut server = start(&ws);
    server.wait_indexed();
    open_probe(&mut server, &ws);
    let counts = tag_counts(&mut server, &ws);
    assert_eq!(counts.get("共同"), Some(&3), "{counts:?}");
    let hover = link_hover(&mut server, &ws);
    assert!(hover.contains("a.md") && hover.contains("b.md") && hover.contains("c.md"), "{hover}");

    // Delete a.md.
    ws.remove("content/posts/a.md");
    watched(&server, &[(ws.uri("content/posts/a.md"), DELETED)]);
    let counts = tag_counts(&mut server, &ws);
    assert_eq!(counts.get("独有甲"), None, "{counts:?}");
    assert_eq!(counts.get("共同"), Some(&2), "{counts:?}");
    assert!(!link_hover(&mut server, &ws).contains("a.md"), "the deleted digest's citation is gone");

    // Rename b.md -> b2.md: delete then create.
    std::fs::rename(ws.path("content/posts/b.md"), ws.path("content/posts/b2.md")).expect("rename");
    watched(&server, &[(ws.uri("content/posts/b.md"), DELETED), (ws.uri("content/posts/b2.md"), CREATED)]);
    // Rename c.md -> c2.md: create then delete, in separate notifications.
    std::fs::rename(ws.path("content/posts/c.md"), ws.path("content/posts/c2.md")).expect("rename");
    watched(&server, &[(ws.uri("content/posts/c2.md"), CREATED)]);
    watched(&server, &[(ws.uri("content/posts/c.md"), DELETED)]);
    let counts = tag_counts(&mut server, &ws);
    assert_eq!(counts.get("独有乙"), Some(&1), "one entry after a rename: {counts:?}");
    assert_eq!(counts.get("独有丙"), Some(&1), "one entry after a rename: {counts:?}");
    assert_eq!(counts.get("共同"), Some(&2), "{counts:?}");
    let hover = link_hover(&mut server, &ws);
    assert_eq!(hover.matches("b2.md").count(), 1, "{hover}");
    assert_eq!(hover.matches("c2.md").count(), 1, "{hover}");
    assert!(!hover.contains("b.md") && !hover.contains("c.md"), "no entry for the old names: {hover}");

    // A created event for a file that is already gone, and a deleted event for one never indexed.
    watched(&server, &[(ws.uri("content/posts/ghost.md"), CREATED), (ws.uri("content/posts/never.md"), DELETED)]);
    assert_eq!(tag_counts(&mut server, &ws).get("共同"), Some(&2));
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}

/// A FIFO named like a digest: the walk skips it (not a regular file), but a file
/// event for it must not make the server read it, since that read blocks until some
/// other process writes to the FIFO.
#[test]
fn a_file_event_for_a_fifo_does_not_block_the_server() {
    let ws = Workspace::new();
    ws.write("content/posts/good.md", &citing("好", "2024-06-01", &["好标签"]));
    mkfifo(&ws.path("content/posts/pipe.md"));
    let mut server = start(&ws);
    server.wait_indexed();
    open_probe(&mut server, &ws);
    assert_eq!(tag_counts(&mut server, &ws).get("好标签"), Some(&1));
    watched(&server, &[(ws.uri("content/posts/pipe.md"), CREATED)]);
    let counts = tag_counts(&mut server, &ws);
    assert_eq!(counts.get("好标签"), Some(&1), "{counts:?}");
    assert_eq!(server.shutdown_and_exit().code(), Some(0));
}
