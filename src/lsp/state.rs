//! The one owner of the server's state: open documents, the workspace index, configuration, roots and the negotiated encoding.
//!
//! Architecture invariant: the state sits behind one `std::sync::Mutex` that is never
//! held across an `.await`. Every mutation happens in a method here, called from a
//! handler before its first `.await`, and the diagnostics it causes are queued to the
//! publisher *under the lock*, so they leave in the order the edits were applied.

use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

use tokio::sync::mpsc::UnboundedSender;
use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::Uri;
use tracing::{debug, info, warn};

use super::convert::{self, IndexedText};
use super::guarded;
use crate::config::{self, Config, Settings};
use crate::document::Document;
use crate::text::{Encoding, LineIndex, Source};
use crate::workspace::{DigestInfo, SummaryCache, Workspace};
use crate::{completion, diagnostics, discover, hover};

/// Diagnostics to send for one URI.
#[derive(Debug)]
pub struct Publish {
    pub uri: Uri,
    pub diagnostics: Vec<lsp::Diagnostic>,
    pub version: Option<i32>,
}

/// An open document and what we know about it.
pub struct OpenDoc {
    pub doc: Document,
    /// The file path (or, for a non-file URI, a pseudo path made of the URI).
    pub path: PathBuf,
    pub markdown: bool,
    pub digest: bool,
    /// Per-block diagnostics and summary of `doc`, reused across keystrokes; behind a
    /// `RefCell` because diagnostics are published from `&State` (only touched under the lock).
    pub caches: RefCell<DocCaches>,
}

/// What an open document keeps between keystrokes (see `diagnostics::Cache`).
#[derive(Default)]
pub struct DocCaches {
    pub diagnostics: diagnostics::Cache,
    pub summary: SummaryCache,
}

/// A workspace folder with its configuration.
pub struct Root {
    pub path: PathBuf,
    /// `digest-ls.toml` of this root over the defaults.
    pub file_config: Config,
    /// `file_config` with the client's settings applied: what the checks use.
    pub config: Config,
    /// Whether the last load of `digest-ls.toml` published errors (to clear them later).
    pub config_errors: bool,
}

/// What the client said it can do, from `initialize`.
#[derive(Clone, Copy, Debug, Default)]
pub struct ClientFlags {
    pub configuration: bool,
    pub watch_dynamic: bool,
    pub work_done_progress: bool,
    /// `workspace.workspaceEdit.documentChanges`: versioned edits in a `WorkspaceEdit`.
    pub document_changes: bool,
}

/// Bookkeeping of the background indexing.
#[derive(Debug, Default)]
pub struct IndexRun {
    /// Increases with every run; a run whose generation is stale stops.
    pub generation: u64,
    /// Paths updated from events since the current run started: the run's older
    /// reads of them must not overwrite the newer content.
    pub dirty: HashSet<PathBuf>,
}

/// A file read from disk and its line index.
pub struct DiskText {
    text: String,
    index: LineIndex,
    /// The file's URI, made once: building and validating one per related location was
    /// a good part of a keystroke in a digest with thousands of them.
    uri: Option<Uri>,
}

impl convert::Positions for DiskText {
    fn position_of(&self, offset: usize, enc: Encoding) -> (u32, u32) {
        self.index.position(&self.text, offset, enc)
    }
}

/// Bytes of text kept in `State::disk_cache` at most. A count of files was the bound
/// before, and a big digest that re-cites thousands of others (each keystroke places
/// 17,000 related locations) emptied and re-read it on every keystroke; a budget in bytes
/// keeps a whole workspace of ordinary digests (10,000 are 40 MB) and still bounds memory.
const DISK_CACHE_BYTES: usize = 64 << 20;

pub struct State {
    pub docs: HashMap<Uri, OpenDoc>,
    pub workspace: Workspace,
    pub roots: Vec<Root>,
    /// For files outside every root: the defaults with the client's settings applied.
    pub default_config: Config,
    /// Settings from `initializationOptions` and from `workspace/configuration`, applied in this order.
    pub init_settings: Option<Settings>,
    pub pulled_settings: Option<Settings>,
    pub encoding: Encoding,
    pub flags: ClientFlags,
    pub shutdown: bool,
    pub index: IndexRun,
    outbox: UnboundedSender<Publish>,
    /// Texts of files that related locations point into; only touched under the lock.
    disk_cache: RefCell<HashMap<PathBuf, Option<Arc<DiskText>>>>,
    /// Bytes of text in `disk_cache`.
    disk_cache_bytes: std::cell::Cell<usize>,
}

/// Locks the state; a poisoned lock (a panic elsewhere while holding it) is recovered
/// rather than taking the server down.
pub fn lock(state: &Mutex<State>) -> MutexGuard<'_, State> {
    state.lock().unwrap_or_else(|e| e.into_inner())
}

/// The start of a text, as much as `discover` needs to judge it.
fn head_of(text: &str) -> &str {
    &text[..crate::text::floor_char_boundary(text, discover::HEAD_BYTES)]
}

fn is_markdown_path(path: &Path) -> bool {
    path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
        e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown") || e.eq_ignore_ascii_case("mdx")
    })
}

fn is_config_path(path: &Path) -> bool {
    path.file_name().and_then(|n| n.to_str()) == Some(config::FILE_NAME)
}

/// Files larger than this are not read: a digest bigger than the largest message a
/// client may send us (an open document) is not one to index.
pub const MAX_FILE_BYTES: u64 = super::transport::MAX_MESSAGE_BYTES as u64;

/// Reads a regular file as UTF-8; `None` (with a log line) when it is missing, not a
/// regular file, over [`MAX_FILE_BYTES`] or not UTF-8.
///
/// Callers hold the state lock, so this must never block on anything but the disk: a
/// FIFO (or a device) named like a digest would block `open` or `read` until another
/// process writes to it. The file is opened non-blocking and judged by the metadata of
/// the opened handle, so a file swapped for a FIFO after a check cannot slip through.
pub fn read_text(path: &Path) -> Option<String> {
    match read_regular(path) {
        Ok(Some(bytes)) => match crate::text::utf8_string(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                info!("skipping {}: not UTF-8", path.display());
                None
            }
        },
        Ok(None) => None,
        Err(e) => {
            debug!("cannot read {}: {e}", path.display());
            None
        }
    }
}

/// The bytes of `path` if it is a regular file of at most [`MAX_FILE_BYTES`].
fn read_regular(path: &Path) -> std::io::Result<Option<Vec<u8>>> {
    use std::io::Read;
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        // Opening a FIFO for reading waits for a writer unless O_NONBLOCK is set; the
        // flag changes nothing for a regular file.
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        info!("skipping {}: not a regular file", path.display());
        return Ok(None);
    }
    if meta.len() > MAX_FILE_BYTES {
        info!("skipping {}: {} bytes, over the limit of {MAX_FILE_BYTES}", path.display(), meta.len());
        return Ok(None);
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    // The file may grow while it is read: never read past the limit.
    file.take(MAX_FILE_BYTES + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        info!("skipping {}: grew over the limit of {MAX_FILE_BYTES} bytes", path.display());
        return Ok(None);
    }
    Ok(Some(bytes))
}

/// What a digest on disk contributes to the workspace.
pub fn disk_info(text: &str, config: &Config) -> Option<DigestInfo> {
    guarded("indexing a file", || DigestInfo::read(text, config))
}

fn root_in<'a>(roots: &'a [Root], path: &Path) -> Option<&'a Root> {
    roots.iter().filter(|r| path.starts_with(&r.path)).max_by_key(|r| r.path.components().count())
}

/// The configuration for `path`, borrowing only the fields it needs (so that a
/// document can be borrowed mutably beside it).
fn config_in<'a>(roots: &'a [Root], default: &'a Config, path: &Path) -> &'a Config {
    root_in(roots, path).map_or(default, |r| &r.config)
}

impl State {
    pub fn new(outbox: UnboundedSender<Publish>) -> State {
        State {
            docs: HashMap::new(),
            workspace: Workspace::new(),
            roots: Vec::new(),
            default_config: Config::default(),
            init_settings: None,
            pulled_settings: None,
            encoding: Encoding::Utf16,
            flags: ClientFlags::default(),
            shutdown: false,
            index: IndexRun::default(),
            outbox,
            disk_cache: RefCell::new(HashMap::new()),
            disk_cache_bytes: std::cell::Cell::new(0),
        }
    }

    fn send(&self, publish: Publish) {
        // The receiver only goes away when the server is stopping.
        let _ = self.outbox.send(publish);
    }

    // ---- roots and configuration ----

    pub fn set_roots(&mut self, paths: Vec<PathBuf>) {
        let mut roots: Vec<Root> = Vec::new();
        for path in paths {
            if roots.iter().any(|r| r.path == path) {
                continue;
            }
            // Keep what was loaded for a root that stays.
            let (file_config, config_errors) = match self.roots.iter().position(|r| r.path == path) {
                Some(i) => (self.roots[i].file_config.clone(), self.roots[i].config_errors),
                None => (Config::default(), false),
            };
            roots.push(Root { path, file_config: file_config.clone(), config: file_config, config_errors });
        }
        self.roots = roots;
        self.recompute_configs();
    }

    /// The root that holds `path` (the deepest one when folders nest).
    pub fn root_of(&self, path: &Path) -> Option<&Root> {
        root_in(&self.roots, path)
    }

    pub fn config_for(&self, path: &Path) -> &Config {
        config_in(&self.roots, &self.default_config, path)
    }

    /// Applies the client's settings over every root's file configuration.
    pub fn recompute_configs(&mut self) {
        let settings: Vec<Settings> = self.init_settings.iter().chain(self.pulled_settings.iter()).cloned().collect();
        let apply = |mut config: Config| {
            for s in &settings {
                for e in config.apply(s) {
                    warn!("client settings: {e}");
                }
            }
            config
        };
        for root in &mut self.roots {
            root.config = apply(root.file_config.clone());
        }
        self.default_config = apply(Config::default());
    }

    /// Reads `digest-ls.toml` of root `i` (from the open document when it is open) and
    /// publishes its errors, or clears them.
    pub fn load_root_config(&mut self, i: usize) {
        let Some(root) = self.roots.get(i) else { return };
        let path = root.path.join(config::FILE_NAME);
        let open_text = self.docs.values().find(|d| d.path == path).map(|d| d.doc.text());
        let text = open_text.or_else(|| if path.is_file() { read_text(&path) } else { None });
        let had_errors = root.config_errors;
        let (file_config, published) = match &text {
            None => (Config::default(), Vec::new()),
            Some(text) => {
                let (config, errors) = guarded("reading digest-ls.toml", || Config::from_toml(text))
                    .unwrap_or_else(|| (Config::default(), Vec::new()));
                let indexed = IndexedText::new(text);
                let diags: Vec<lsp::Diagnostic> = errors
                    .iter()
                    .map(|e| convert::config_diagnostic(&indexed, e.span, &e.message, self.encoding))
                    .collect();
                if !errors.is_empty() {
                    warn!("{}: {} error(s); the defaults apply", path.display(), errors.len());
                }
                (config, diags)
            }
        };
        let has_errors = !published.is_empty();
        if has_errors || had_errors || text.is_some() {
            if let Some(uri) = convert::path_to_uri(&path) {
                let version = self.docs.get(&uri).map(|d| d.doc.version());
                self.send(Publish { uri, diagnostics: published, version });
            }
        }
        let root = &mut self.roots[i];
        root.file_config = file_config;
        root.config_errors = has_errors;
    }

    pub fn load_all_root_configs(&mut self) {
        for i in 0..self.roots.len() {
            self.load_root_config(i);
        }
        self.recompute_configs();
    }

    /// After a configuration change: reanalyse the open documents with their new
    /// configuration, update the index from them and republish.
    pub fn reconfigure(&mut self) {
        self.recompute_configs();
        let uris: Vec<Uri> = self.docs.keys().cloned().collect();
        for uri in uris {
            let Some(od) = self.docs.get(&uri) else { continue };
            let config = self.config_for(&od.path).clone();
            let (text, version) = (od.doc.text(), od.doc.version());
            if let Some(doc) = guarded("reanalysing a document", || Document::new(&text, version, &config)) {
                if let Some(od) = self.docs.get_mut(&uri) {
                    od.doc = doc;
                }
            }
            self.refresh_index_entry(&uri, true);
        }
        self.republish_all();
    }

    // ---- documents ----

    /// Whether a file is a digest, from its path and the start of its text.
    fn judge_digest(&self, path: &Path, head: &str, markdown: bool) -> bool {
        match self.root_of(path) {
            Some(root) => guarded("deciding whether a file is a digest", || {
                discover::is_digest(&root.path, path, Some(head), &root.config)
            })
            .unwrap_or(false),
            // Untitled buffers and files outside the workspace folders.
            None => markdown && discover::opens_with_front_matter(head),
        }
    }

    /// Re-decides whether an open document is a digest and makes the index follow it
    /// (open documents override the disk).
    fn refresh_index_entry(&mut self, uri: &Uri, rejudge: bool) {
        let Some(od) = self.docs.get(uri) else { return };
        if is_config_path(&od.path) {
            return;
        }
        let digest = if rejudge {
            let head = Source::slice(od.doc.rope(), 0..discover::HEAD_BYTES);
            self.judge_digest(&od.path, &head, od.markdown)
        } else {
            od.digest
        };
        let path = od.path.clone();
        if digest {
            let analysis = od.doc.analysis();
            let ids = od.doc.block_ids();
            let mut caches = od.caches.borrow_mut();
            let workspace = &mut self.workspace;
            let updated =
                guarded("summarising a digest", || caches.summary.update_index(&analysis, ids, &path, workspace));
            if updated.is_none() {
                // A panic may have left the cache half updated; the digest leaves the index.
                caches.summary = SummaryCache::new();
                drop(caches);
                self.workspace.update(&path, None);
            }
        } else {
            self.workspace.update(&path, None);
        }
        if let Some(od) = self.docs.get_mut(uri) {
            od.digest = digest;
        }
        self.index.dirty.insert(path);
    }

    pub fn open(&mut self, uri: Uri, language_id: &str, version: i32, text: &str) {
        let path = convert::uri_to_path(&uri);
        let markdown = language_id.eq_ignore_ascii_case("markdown") || is_markdown_path(&path);
        let config = self.config_for(&path).clone();
        let Some(doc) = guarded("opening a document", || Document::new(text, version, &config)) else { return };
        let config_file = is_config_path(&path);
        self.docs.insert(uri.clone(), OpenDoc { doc, path, markdown, digest: false, caches: RefCell::default() });
        if config_file {
            self.config_document_changed(&uri, false);
            return;
        }
        self.refresh_index_entry(&uri, true);
        self.publish(&uri);
    }

    pub fn change(&mut self, uri: &Uri, version: i32, changes: Vec<lsp::TextDocumentContentChangeEvent>) {
        let enc = self.encoding;
        let Some(od) = self.docs.get(uri) else {
            warn!("didChange for {} which is not open; ignored", uri.as_str());
            return;
        };
        if version <= od.doc.version() {
            warn!("didChange for {} with version {version} after {}; ignored", uri.as_str(), od.doc.version());
            return;
        }
        let changes: Vec<_> = changes.into_iter().map(convert::change).collect();
        let Some(od) = self.docs.get_mut(uri) else { return };
        let config = config_in(&self.roots, &self.default_config, &od.path);
        // The last good text, kept without copying the document: ropes share their nodes,
        // so this clone is O(1), where a clone of the document would copy its analysis
        // on every keystroke.
        let before = od.doc.rope().clone();
        let before_version = od.doc.version();
        if guarded("applying an edit", || od.doc.apply(&changes, version, enc, config)).is_none() {
            // Back to the last good text rather than a half-applied one.
            if let Some(doc) =
                guarded("reopening a document", || Document::new(&before.to_string(), before_version, config))
            {
                od.doc = doc;
            }
            return;
        }
        // Whether a file is a digest depends on its path and its first bytes only.
        let head_changed =
            Source::slice(&before, 0..discover::HEAD_BYTES) != Source::slice(od.doc.rope(), 0..discover::HEAD_BYTES);
        if is_config_path(&od.path) {
            self.config_document_changed(uri, false);
            return;
        }
        self.refresh_index_entry(uri, head_changed);
        self.publish(uri);
    }

    /// The size in bytes of an open document.
    pub fn open_bytes(&self, uri: &Uri) -> Option<usize> {
        self.docs.get(uri).map(|od| od.doc.rope().len_bytes())
    }

    /// `didClose`; returns whether a root's configuration changed (the caller then reindexes).
    pub fn close(&mut self, uri: &Uri) -> bool {
        let Some(od) = self.docs.remove(uri) else { return false };
        self.send(Publish { uri: uri.clone(), diagnostics: Vec::new(), version: None });
        if self.docs.is_empty() {
            // Related locations are placed for open documents only.
            self.disk_cache.borrow_mut().clear();
            self.disk_cache_bytes.set(0);
        }
        if is_config_path(&od.path) {
            // The disk content of the configuration counts again.
            let Some(i) = self.roots.iter().position(|r| r.path.join(config::FILE_NAME) == od.path) else {
                return false;
            };
            let before = self.roots[i].file_config.clone();
            self.load_root_config(i);
            if self.roots[i].file_config == before {
                return false;
            }
            self.reconfigure();
            return true;
        }
        // After closing, the disk content counts again (or nothing, if it is gone).
        self.reread_from_disk(&od.path);
        self.republish_all();
        false
    }

    /// A `digest-ls.toml` open in the editor changed: show its errors live; apply it on save.
    pub fn config_document_changed(&mut self, uri: &Uri, apply: bool) {
        let Some(od) = self.docs.get(uri) else { return };
        let path = od.path.clone();
        match self.roots.iter().position(|r| r.path.join(config::FILE_NAME) == path) {
            Some(i) => {
                let before = self.roots[i].file_config.clone();
                self.load_root_config(i);
                if !apply {
                    // Errors are shown live; the new settings apply on save.
                    self.roots[i].file_config = before;
                }
            }
            None => {
                let text = od.doc.text();
                let (_, errors) = guarded("reading digest-ls.toml", || Config::from_toml(&text)).unwrap_or_default();
                let indexed = IndexedText::new(&text);
                let diagnostics = errors
                    .iter()
                    .map(|e| convert::config_diagnostic(&indexed, e.span, &e.message, self.encoding))
                    .collect();
                let version = Some(od.doc.version());
                self.send(Publish { uri: uri.clone(), diagnostics, version });
            }
        }
    }

    /// Whether a saved document is a root's configuration file (the caller then reindexes).
    pub fn saved(&mut self, uri: &Uri) -> bool {
        let Some(od) = self.docs.get(uri) else { return false };
        if !is_config_path(&od.path) {
            return false;
        }
        let is_root_config = self.roots.iter().any(|r| r.path.join(config::FILE_NAME) == od.path);
        self.config_document_changed(uri, true);
        if is_root_config {
            self.reconfigure();
        }
        is_root_config
    }

    /// Whether `path` lies in a folder the workspace walk skips (`discover::is_digest`
    /// judges paths without that rule, so events from there are filtered here).
    fn in_skipped_dir(&self, path: &Path) -> bool {
        let relative = self.root_of(path).and_then(|r| path.strip_prefix(&r.path).ok()).unwrap_or(path);
        relative.parent().is_some_and(|dir| {
            dir.components().any(|c| matches!(c.as_os_str().to_str(), Some(".git" | "node_modules" | "target")))
        })
    }

    fn is_open_path(&self, path: &Path) -> bool {
        self.docs.values().any(|d| d.path == path)
    }

    fn reread_from_disk(&mut self, path: &Path) {
        self.forget_disk_text(path);
        // Only the workspace folders are indexed from disk: a file from elsewhere counts
        // while it is open, not after it is closed.
        let in_workspace = root_in(&self.roots, path).is_some();
        let info = match read_text(path).filter(|_| in_workspace) {
            Some(text) if self.judge_digest(path, head_of(&text), is_markdown_path(path)) => {
                disk_info(&text, self.config_for(path))
            }
            _ => None,
        };
        self.workspace.update(path, info);
        self.index.dirty.insert(path.to_path_buf());
    }

    /// `workspace/didChangeWatchedFiles`; returns whether a configuration changed (the
    /// caller then reindexes).
    pub fn watched(&mut self, events: Vec<lsp::FileEvent>) -> bool {
        let mut config_changed = false;
        let mut touched = false;
        for event in events {
            let path = convert::uri_to_path(&event.uri);
            if is_config_path(&path) {
                if let Some(i) = self.roots.iter().position(|r| r.path.join(config::FILE_NAME) == path) {
                    // An open configuration file is the editor's; its disk events are not news.
                    if !self.is_open_path(&path) {
                        self.load_root_config(i);
                        config_changed = true;
                    }
                }
                continue;
            }
            if self.is_open_path(&path) || self.in_skipped_dir(&path) {
                continue;
            }
            touched = true;
            if event.typ == lsp::FileChangeType::DELETED {
                self.forget_disk_text(&path);
                // A deleted folder may come as one event: drop everything under it.
                let gone: Vec<PathBuf> = self
                    .workspace
                    .digests()
                    .map(|(p, _)| p.to_path_buf())
                    .filter(|p| p.starts_with(&path) && !self.is_open_path(p))
                    .collect();
                for p in gone {
                    self.workspace.update(&p, None);
                    self.index.dirty.insert(p);
                }
                self.index.dirty.insert(path);
            } else {
                self.reread_from_disk(&path);
            }
        }
        if config_changed {
            self.reconfigure();
        } else if touched {
            // Cross-file checks of open documents depend on the index.
            self.republish_all();
        }
        config_changed
    }

    // ---- diagnostics ----

    fn diagnostics_of(&self, od: &OpenDoc) -> Vec<lsp::Diagnostic> {
        if !od.digest {
            return Vec::new();
        }
        let config = self.config_for(&od.path);
        let analysis = od.doc.analysis();
        let ids = od.doc.block_ids();
        let mut caches = od.caches.borrow_mut();
        let found = guarded("computing diagnostics", || {
            caches.diagnostics.check(&analysis, ids, &od.path, config, &self.workspace)
        });
        if found.is_none() {
            // A panic may have left the cache half updated.
            caches.diagnostics = diagnostics::Cache::new();
        }
        drop(caches);
        let found = found.unwrap_or_default();
        let enc = self.encoding;
        found
            .iter()
            .map(|d| {
                convert::diagnostic(d, &od.doc, enc, |path, span| {
                    if let Some(other) = self.docs.values().find(|o| o.path.as_os_str() == path.as_os_str()) {
                        let uri = convert::path_to_uri(path)?;
                        return Some(lsp::Location { uri, range: convert::range(&other.doc, span, enc) });
                    }
                    let text = self.disk_text(path)?;
                    Some(lsp::Location { uri: text.uri.clone()?, range: convert::range(&*text, span, enc) })
                })
            })
            .collect()
    }

    /// The text of a file on disk with its line index, for placing related locations.
    /// Cached across keystrokes (the same few files are named again and again), and
    /// forgotten when the file changes (`forget_disk_text`).
    fn disk_text(&self, path: &Path) -> Option<Arc<DiskText>> {
        let mut cache = self.disk_cache.borrow_mut();
        if let Some(hit) = cache.get(path) {
            return hit.clone();
        }
        let loaded = read_text(path)
            .map(|text| Arc::new(DiskText { index: LineIndex::new(&text), text, uri: convert::path_to_uri(path) }));
        let size = loaded.as_ref().map_or(0, |d| d.text.len());
        if self.disk_cache_bytes.get() + size > DISK_CACHE_BYTES {
            cache.clear();
            self.disk_cache_bytes.set(0);
        }
        // A file bigger than the whole budget is read each time, not kept.
        if size <= DISK_CACHE_BYTES {
            self.disk_cache_bytes.set(self.disk_cache_bytes.get() + size);
            cache.insert(path.to_path_buf(), loaded.clone());
        }
        loaded
    }

    fn forget_disk_text(&self, path: &Path) {
        let mut freed = 0;
        self.disk_cache.borrow_mut().retain(|p, d| {
            let keep = !p.starts_with(path);
            if !keep {
                freed += d.as_ref().map_or(0, |d| d.text.len());
            }
            keep
        });
        self.disk_cache_bytes.set(self.disk_cache_bytes.get().saturating_sub(freed));
    }

    /// Queues the diagnostics of one open document.
    pub fn publish(&self, uri: &Uri) {
        let Some(od) = self.docs.get(uri) else { return };
        if is_config_path(&od.path) {
            return;
        }
        let diagnostics = self.diagnostics_of(od);
        self.send(Publish { uri: uri.clone(), diagnostics, version: Some(od.doc.version()) });
    }

    pub fn republish_all(&self) {
        let mut uris: Vec<&Uri> = self.docs.keys().collect();
        uris.sort();
        for uri in uris {
            self.publish(uri);
        }
    }

    // ---- indexing ----

    /// Starts an indexing run: returns its generation and each root with its configuration.
    pub fn begin_index(&mut self) -> (u64, Vec<(PathBuf, Config)>) {
        self.index.generation += 1;
        self.index.dirty.clear();
        (self.index.generation, self.roots.iter().map(|r| (r.path.clone(), r.config.clone())).collect())
    }

    pub fn index_is_current(&self, generation: u64) -> bool {
        self.index.generation == generation
    }

    /// Drops from the index the files that are no longer digests (a run after a
    /// configuration change), except open documents.
    pub fn prune_index(&mut self, generation: u64, found: &HashSet<PathBuf>) {
        if !self.index_is_current(generation) {
            return;
        }
        let open: HashSet<PathBuf> = self.docs.values().map(|d| d.path.clone()).collect();
        let stale: Vec<PathBuf> = self
            .workspace
            .digests()
            .map(|(p, _)| p.to_path_buf())
            .filter(|p| !found.contains(p) && !open.contains(p) && !self.index.dirty.contains(p))
            .collect();
        for p in stale {
            self.workspace.update(&p, None);
        }
    }

    /// Stores what a chunk of files read from disk contributes; open documents and
    /// files changed since the run started keep their newer content.
    pub fn apply_index_chunk(&mut self, generation: u64, results: Vec<(PathBuf, Option<DigestInfo>)>) -> bool {
        if !self.index_is_current(generation) {
            return false;
        }
        let open: HashSet<PathBuf> = self.docs.values().map(|d| d.path.clone()).collect();
        for (path, info) in results {
            if open.contains(&path) || self.index.dirty.contains(&path) {
                continue;
            }
            self.forget_disk_text(&path);
            self.workspace.update(&path, info);
        }
        true
    }

    // ---- requests ----

    fn digest_doc(&self, uri: &Uri) -> Option<&OpenDoc> {
        self.docs.get(uri).filter(|od| od.digest)
    }

    pub fn completion(&self, uri: &Uri, pos: lsp::Position) -> Option<lsp::CompletionResponse> {
        let od = self.digest_doc(uri)?;
        let enc = self.encoding;
        let offset = convert::offset(&od.doc, pos, enc);
        let config = self.config_for(&od.path);
        let analysis = od.doc.analysis();
        let items =
            guarded("completion", || completion::complete(od.doc.rope(), &analysis, offset, config, &self.workspace))?;
        Some(convert::completion_response(items, &od.doc, enc))
    }

    pub fn hover(&self, uri: &Uri, pos: lsp::Position) -> Option<lsp::Hover> {
        let od = self.digest_doc(uri)?;
        let enc = self.encoding;
        let offset = convert::offset(&od.doc, pos, enc);
        let config = self.config_for(&od.path);
        let analysis = od.doc.analysis();
        let found = guarded("hover", || hover::hover(&analysis, &od.path, offset, config, &self.workspace))??;
        Some(convert::hover(&found, &od.doc, enc))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn state() -> (State, tokio::sync::mpsc::UnboundedReceiver<Publish>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (State::new(tx), rx)
    }

    fn edit(l1: u32, c1: u32, l2: u32, c2: u32, text: &str) -> lsp::TextDocumentContentChangeEvent {
        lsp::TextDocumentContentChangeEvent {
            range: Some(lsp::Range::new(lsp::Position::new(l1, c1), lsp::Position::new(l2, c2))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn untitled_markdown_is_a_digest_when_it_opens_with_a_front_matter() {
        let (mut st, _rx) = state();
        let a = Uri::from_str("untitled:a").unwrap();
        let b = Uri::from_str("untitled:b").unwrap();
        let c = Uri::from_str("untitled:c").unwrap();
        st.open(a.clone(), "markdown", 1, "\u{feff}\n---\ntitle: x\n---\n");
        st.open(b.clone(), "markdown", 1, "# README\n---\n");
        st.open(c.clone(), "plaintext", 1, "---\ntitle: x\n---\n");
        assert!(st.docs[&a].digest);
        assert!(!st.docs[&b].digest);
        assert!(!st.docs[&c].digest);
        assert_eq!(st.workspace.len(), 1);
    }

    #[test]
    fn the_disk_cache_counts_its_bytes_and_keeps_texts_until_forgotten() {
        let (st, _rx) = state();
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = (dir.path().join("a.md"), dir.path().join("sub/b.md"));
        std::fs::create_dir_all(dir.path().join("sub")).unwrap();
        std::fs::write(&a, "优化 one\r\n").unwrap();
        std::fs::write(&b, "two 😀\n").unwrap();
        let first = st.disk_text(&a).unwrap();
        assert!(Arc::ptr_eq(&first, &st.disk_text(&a).unwrap()), "read once, then from the cache");
        assert_eq!(first.uri, convert::path_to_uri(&a));
        st.disk_text(&b).unwrap();
        assert_eq!(st.disk_cache_bytes.get(), "优化 one\r\n".len() + "two 😀\n".len());
        assert!(st.disk_text(&dir.path().join("missing.md")).is_none());
        st.forget_disk_text(&dir.path().join("sub"));
        assert_eq!(st.disk_cache_bytes.get(), "优化 one\r\n".len());
        std::fs::write(&b, "changed\n").unwrap();
        assert_eq!(st.disk_text(&b).unwrap().text, "changed\n", "a forgotten file is read again");
    }

    #[test]
    fn the_disk_cache_is_emptied_when_the_last_document_closes() {
        let (mut st, _rx) = state();
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other.md");
        std::fs::write(&other, "优化 😀\r\n").unwrap();
        let (a, b) = (Uri::from_str("untitled:a").unwrap(), Uri::from_str("untitled:b").unwrap());
        st.open(a.clone(), "markdown", 1, "---\ntitle: x\n---\n");
        st.open(b.clone(), "markdown", 1, "---\ntitle: y\n---\n");
        assert_eq!(st.open_bytes(&a), Some("---\ntitle: x\n---\n".len()));
        st.disk_text(&other).unwrap();
        st.close(&a);
        assert_eq!(st.disk_cache_bytes.get(), "优化 😀\r\n".len(), "kept while a document is open");
        st.close(&b);
        assert_eq!(st.disk_cache_bytes.get(), 0);
        assert!(st.disk_cache.borrow().is_empty());
        assert_eq!(st.open_bytes(&b), None);
    }

    #[test]
    fn a_file_from_outside_the_workspace_leaves_the_index_when_closed() {
        let (mut st, _rx) = state();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().join("ws");
        std::fs::create_dir_all(root.join("content")).unwrap();
        st.set_roots(vec![root.clone()]);
        let digest = "---\ntitle: x\ndate: 2024-06-01\n---\n* **文章**: [a](https://arxiv.org/abs/2402.00658)\n";
        let inside = root.join("content/a.md");
        let outside = dir.path().join("elsewhere.md");
        std::fs::write(&inside, digest).unwrap();
        std::fs::write(&outside, digest).unwrap();
        for path in [&inside, &outside] {
            let uri = convert::path_to_uri(path).unwrap();
            st.open(uri.clone(), "markdown", 1, digest);
            assert!(st.workspace.get(path).is_some(), "{} counts while open", path.display());
            st.close(&uri);
        }
        assert!(st.workspace.get(&inside).is_some(), "the workspace file is indexed from disk again");
        assert!(st.workspace.get(&outside).is_none(), "the outside file is forgotten");
    }

    #[test]
    fn edits_apply_in_order_and_stale_versions_are_ignored() {
        let (mut st, mut rx) = state();
        let uri = Uri::from_str("untitled:Untitled-1").unwrap();
        st.open(uri.clone(), "markdown", 1, "---\ntags: [\"优化😀\"]\n---\n");
        // After the emoji (2 UTF-16 units) and the closing quote.
        st.change(&uri, 2, vec![edit(1, 13, 1, 13, ", \"DPO\"")]);
        st.change(&uri, 2, vec![edit(0, 0, 0, 0, "stale")]);
        st.change(&uri, 3, vec![edit(1, 8, 1, 10, "")]);
        let od = &st.docs[&uri];
        assert_eq!(od.doc.text(), "---\ntags: [\"😀\", \"DPO\"]\n---\n");
        assert_eq!(od.doc.version(), 3);
        assert!(od.digest, "an untitled Markdown buffer with a front matter is a digest");
        let mut versions = Vec::new();
        while let Ok(p) = rx.try_recv() {
            versions.push(p.version);
        }
        assert_eq!(versions, vec![Some(1), Some(2), Some(3)]);
    }

    #[test]
    fn watched_events_follow_the_disk_and_skip_ignored_folders() {
        let (mut st, _rx) = state();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().to_path_buf();
        st.set_roots(vec![root.clone()]);
        let write = |rel: &str, text: &str| {
            let path = root.join(rel);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
            path
        };
        let event =
            |path: &Path, typ: lsp::FileChangeType| lsp::FileEvent { uri: convert::path_to_uri(path).unwrap(), typ };
        let digest = "---\ntitle: x\ntags: [\"a\"]\n---\n";
        let kept = write("content/posts/a.md", digest);
        let skipped = write("node_modules/pkg/content/b.md", digest);
        let readme = write("content/README.md", digest);
        st.watched(vec![
            event(&kept, lsp::FileChangeType::CREATED),
            event(&skipped, lsp::FileChangeType::CREATED),
            event(&readme, lsp::FileChangeType::CREATED),
        ]);
        let paths: Vec<&Path> = st.workspace.digests().map(|(p, _)| p).collect();
        assert_eq!(paths, vec![kept.as_path()]);
        // A deleted folder takes its digests with it.
        std::fs::remove_dir_all(root.join("content/posts")).unwrap();
        st.watched(vec![event(&root.join("content/posts"), lsp::FileChangeType::DELETED)]);
        assert!(st.workspace.is_empty());
    }

    #[cfg(unix)]
    #[test]
    fn read_text_reads_only_regular_files() {
        use std::os::unix::ffi::OsStrExt;
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let c_path = std::ffi::CString::new(fifo.as_os_str().as_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo has no other preconditions.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o644) }, 0);
        // Opened without O_NONBLOCK, this would wait for a writer forever.
        assert_eq!(read_text(&fifo), None);
        assert_eq!(read_text(dir.path()), None);
        assert_eq!(read_text(&dir.path().join("missing.md")), None);
        let file = dir.path().join("a.md");
        std::fs::write(&file, "---\ntitle: 优化\n---\n").unwrap();
        assert_eq!(read_text(&file).as_deref(), Some("---\ntitle: 优化\n---\n"));
        std::fs::write(&file, b"\xff\xfe").unwrap();
        assert_eq!(read_text(&file), None);
    }

    #[test]
    fn unknown_uris_and_wild_positions_do_not_panic() {
        let (mut st, _rx) = state();
        let uri = Uri::from_str("file:///nowhere/x.md").unwrap();
        st.change(&uri, 5, vec![edit(0, 0, 0, 0, "x")]);
        st.close(&uri);
        assert!(st.completion(&uri, lsp::Position::new(9, 9)).is_none());
        st.open(uri.clone(), "markdown", 1, "---\n---\n");
        st.change(&uri, 2, vec![edit(99, 99, 3, 1000, "z"), edit(0, 4000, 0, 1, "")]);
        assert!(st.hover(&uri, lsp::Position::new(u32::MAX, u32::MAX)).is_none());
    }
}
