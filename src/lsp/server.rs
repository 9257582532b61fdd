//! The `LanguageServer` implementation: convert in, call the core through the state, convert out.
//!
//! Every notification handler mutates the state synchronously before its first
//! `.await` (tower-lsp-server polls up to four handlers at once; this keeps edits in
//! version order). Slow work (asking the client, indexing) runs in spawned tasks so
//! that no handler waits on the client.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use rayon::prelude::*;
use tokio::sync::mpsc::{UnboundedReceiver, UnboundedSender};
use tower_lsp_server::jsonrpc::Result;
use tower_lsp_server::ls_types::*;
use tower_lsp_server::{Client, LanguageServer};
use tracing::{error, info, warn};

use super::convert;
use super::features;
use super::guarded;
use super::state::{lock, ClientFlags, Publish, State};
use super::transport::Outbox;
use crate::config::{Config, Settings};
use crate::discover;

/// How long to wait for the client to answer one of our requests before going on without it.
const CLIENT_TIMEOUT: Duration = Duration::from_secs(10);
/// Paths the walk hands the parsers at a time: small, so that the parser threads share
/// the work evenly to the end.
const WALK_CHUNK: usize = 32;
/// Entries a parser thread gathers before handing them to the index: every hand-over
/// wakes the index task, and on two cores each wake-up takes a core from a parser.
const INDEX_BATCH: usize = 128;
/// The least time between two progress reports: each one is a write to the client, and
/// a wake-up of the client, while the parsers want both cores.
const PROGRESS_EVERY: Duration = Duration::from_millis(100);
type IndexBatch = Vec<(PathBuf, Option<crate::workspace::DigestInfo>)>;
/// The method of the notifications that the publisher sends through the outbox.
const PUBLISH_DIAGNOSTICS: &str = <notification::PublishDiagnostics as notification::Notification>::METHOD;
/// The section asked for with `workspace/configuration`.
const SECTION: &str = "digestLs";

#[derive(Clone)]
pub struct Backend {
    client: Client,
    state: Arc<Mutex<State>>,
}

impl Backend {
    /// Builds the backend and starts the task that publishes diagnostics in order.
    pub fn new(client: Client, outbox: Outbox) -> Backend {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        tokio::spawn(publisher(client.clone(), outbox, rx));
        Backend { client, state: Arc::new(Mutex::new(State::new(tx))) }
    }

    pub fn state(&self) -> Arc<Mutex<State>> {
        self.state.clone()
    }

    /// Asks the client for our settings section and applies them.
    async fn pull_configuration(&self) {
        let item = ConfigurationItem { scope_uri: None, section: Some(SECTION.to_string()) };
        let answer = tokio::time::timeout(CLIENT_TIMEOUT, self.client.configuration(vec![item])).await;
        let value = match answer {
            Ok(Ok(mut values)) if !values.is_empty() => values.swap_remove(0),
            Ok(Ok(_)) => return,
            Ok(Err(e)) => return warn!("workspace/configuration failed: {e}"),
            Err(_) => return warn!("workspace/configuration: no answer from the client"),
        };
        let settings = parse_settings(value, "workspace/configuration");
        let mut st = lock(&self.state);
        st.pulled_settings = settings;
        st.reconfigure();
    }

    async fn register_watchers(&self) {
        let watchers = ["**/*.md", "**/digest-ls.toml"]
            .into_iter()
            .map(|glob| FileSystemWatcher { glob_pattern: GlobPattern::String(glob.to_string()), kind: None })
            .collect();
        let options = DidChangeWatchedFilesRegistrationOptions { watchers };
        let registration = Registration {
            id: "digest-ls-watch".to_string(),
            method: "workspace/didChangeWatchedFiles".to_string(),
            register_options: serde_json::to_value(options).ok(),
        };
        match tokio::time::timeout(CLIENT_TIMEOUT, self.client.register_capability(vec![registration])).await {
            Ok(Ok(())) => {}
            Ok(Err(e)) => warn!("registering file watchers failed: {e}"),
            Err(_) => warn!("registering file watchers: no answer from the client"),
        }
    }

    /// Indexes every digest under the workspace folders, in the background, then
    /// republishes the open documents' diagnostics (cross-file checks need the index).
    async fn index(&self) {
        let (generation, roots, progress) = {
            let mut st = lock(&self.state);
            let (generation, roots) = st.begin_index();
            (generation, roots, st.flags.work_done_progress)
        };
        let roots = Arc::new(roots);
        // A re-run prunes what it no longer finds; the first run has nothing to prune (and
        // no set of 10,000 paths to build).
        let keep_found = !lock(&self.state).workspace.is_empty();
        info!("indexing the digests of {} folder(s)", roots.len());

        // The walk hands paths to the parsers as it finds them, and the parsers hand
        // their results to the index in small batches: no chunk waits for its slowest
        // file, and the index fills while the walk and the parsers run (and while the
        // client answers the progress request).
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let (paths_tx, paths_rx) = std::sync::mpsc::channel();
        let total = Arc::new(OnceLock::new());
        let walker = {
            let (roots, total, stop) = (roots.clone(), total.clone(), tx.clone());
            tokio::task::spawn_blocking(move || {
                let walked = walk_roots(&roots, keep_found, &paths_tx, || stop.is_closed());
                let _ = total.set(walked.total);
                walked
            })
        };
        let parse_roots = roots.clone();
        tokio::task::spawn_blocking(move || analyse_files(paths_rx, &parse_roots, tx));
        let reporter = if progress { self.begin_progress(generation).await } else { None };
        let (mut done, mut reported, mut reserved) = (0, 0, false);
        let mut last_report = std::time::Instant::now();
        while let Some(mut batch) = rx.recv().await {
            while let Ok(more) = rx.try_recv() {
                batch.extend(more);
            }
            done += batch.len();
            // The count is known once the walk is over, which is early in a run.
            let total = total.get().copied();
            {
                let mut st = lock(&self.state);
                if let Some(total) = total.filter(|_| !reserved) {
                    // Room for the rest at once: the maps do not grow, rehashing every path.
                    st.workspace.reserve(total);
                    reserved = true;
                }
                if !st.apply_index_chunk(generation, batch) {
                    // Dropping the receiver stops the parsers, and the walk.
                    info!("indexing run {generation} superseded");
                    break;
                }
            }
            let Some(total) = total else { continue };
            let pct = ((done * 100).checked_div(total).unwrap_or(100) as u32).min(100);
            if let Some(p) = reporter.as_ref().filter(|_| progress_due(pct, reported, last_report.elapsed())) {
                (reported, last_report) = (pct, std::time::Instant::now());
                p.report_with_message(format!("{done}/{total} digests"), pct).await;
            }
        }
        drop(rx);
        // A failed walk proves nothing about which files are gone: keep what is indexed.
        if let Ok(Walked { found: Some(found), complete: true, .. }) = walker.await {
            lock(&self.state).prune_index(generation, &found);
        }
        if let Some(p) = reporter {
            p.finish_with_message(format!("{done} digests indexed")).await;
        }
        let st = lock(&self.state);
        if st.index_is_current(generation) {
            info!("indexed {} digests", st.workspace.len());
            st.republish_all();
        }
    }

    async fn begin_progress(
        &self,
        generation: u64,
    ) -> Option<tower_lsp_server::OngoingProgress<tower_lsp_server::Bounded, tower_lsp_server::NotCancellable>> {
        let token = NumberOrString::String(format!("digest-ls/index/{generation}"));
        match tokio::time::timeout(CLIENT_TIMEOUT, self.client.create_work_done_progress(token.clone())).await {
            Ok(Ok(())) => {}
            // Per the spec, no progress may be sent to a token the client refused.
            _ => return None,
        }
        Some(
            self.client
                .progress(token, "Indexing digests")
                .with_percentage(0)
                .with_message("finding digests")
                .begin()
                .await,
        )
    }

    fn spawn_index(&self) {
        let this = self.clone();
        tokio::spawn(async move { this.index().await });
    }
}

/// Whether to report `pct` after `reported`, `since` the last report: the first report
/// (it gives the count) at once, later ones [`PROGRESS_EVERY`] apart.
fn progress_due(pct: u32, reported: u32, since: Duration) -> bool {
    pct > reported && (reported == 0 || since >= PROGRESS_EVERY)
}

/// What the walk of the workspace folders found.
struct Walked {
    /// Every digest found, when asked for (to prune the index of the rest).
    found: Option<HashSet<PathBuf>>,
    /// False when a folder's walk failed: the paths found then prove nothing about
    /// which files are gone.
    complete: bool,
    total: usize,
}

/// Walks the workspace folders and sends the digests found to the parsers, in chunks
/// of [`WALK_CHUNK`] in walk order; stops early when `stop` says so (a newer run).
fn walk_roots(
    roots: &[(PathBuf, Config)],
    keep_found: bool,
    to_parsers: &std::sync::mpsc::Sender<Vec<(usize, PathBuf)>>,
    stop: impl Fn() -> bool,
) -> Walked {
    let mut walked = Walked { found: keep_found.then(HashSet::new), complete: true, total: 0 };
    // With nested folders, a file belongs to the deepest one (and is read once).
    let deepest = |p: &PathBuf| {
        roots
            .iter()
            .enumerate()
            .filter(|(_, (r, _))| p.starts_with(r))
            .max_by_key(|(_, (r, _))| r.components().count())
            .map(|(j, _)| j)
    };
    let nested = roots.len() > 1;
    for (i, (root, config)) in roots.iter().enumerate() {
        let mut chunk = Vec::with_capacity(WALK_CHUNK);
        let mut stopped = false;
        let walk = || {
            discover::walk_each(root, config, |path| {
                if nested && deepest(&path) != Some(i) {
                    return true;
                }
                if let Some(found) = walked.found.as_mut() {
                    found.insert(path.clone());
                }
                walked.total += 1;
                chunk.push((i, path));
                if chunk.len() == WALK_CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(WALK_CHUNK));
                    stopped = to_parsers.send(full).is_err() || stop();
                }
                !stopped
            })
        };
        match guarded("walking a workspace folder", walk) {
            Some(errors) => discover::log_errors(root, errors),
            None => walked.complete = false,
        }
        if stopped || (!chunk.is_empty() && to_parsers.send(chunk).is_err()) {
            walked.complete = false;
            break;
        }
    }
    walked
}

/// Reads and summarises the chunks of files the walk sends, on all cores, and sends
/// the index entries on in batches of about [`INDEX_BATCH`]; non-UTF-8 and unreadable
/// files contribute nothing. Stops when `tx` is closed.
fn analyse_files(
    chunks: std::sync::mpsc::Receiver<Vec<(usize, PathBuf)>>,
    roots: &[(PathBuf, Config)],
    tx: UnboundedSender<IndexBatch>,
) {
    // Chunks are taken in walk order (date order for the usual file names), so the
    // index mostly appends citations; `par_chunks` gave each thread a half of the files,
    // and every citation of the first half was inserted in the middle of its list.
    // A closed channel means a newer run: the batch is not needed.
    let send = |batch: IndexBatch| {
        if !batch.is_empty() {
            let _ = tx.send(batch);
        }
    };
    chunks
        .into_iter()
        .par_bridge()
        .fold(
            || Vec::with_capacity(INDEX_BATCH + WALK_CHUNK),
            |mut batch: IndexBatch, chunk| {
                if tx.is_closed() {
                    return batch;
                }
                batch.extend(chunk.into_iter().map(|(root, path)| {
                    let info = roots.get(root).and_then(|(_, config)| {
                        let text = super::state::read_text(&path)?;
                        super::state::disk_info(&text, config)
                    });
                    (path, info)
                }));
                if batch.len() >= INDEX_BATCH {
                    send(std::mem::replace(&mut batch, Vec::with_capacity(INDEX_BATCH + WALK_CHUNK)));
                }
                batch
            },
        )
        .for_each(send);
}

/// Settings sent by the client (the keys of `digest-ls.toml`); `None` when absent or invalid.
fn parse_settings(value: serde_json::Value, from: &str) -> Option<Settings> {
    // Some clients send every section, or wrap ours in its name.
    let value = match value {
        serde_json::Value::Object(mut map) if map.contains_key(SECTION) => map.remove(SECTION).unwrap_or_default(),
        v => v,
    };
    if value.is_null() {
        return None;
    }
    match serde_json::from_value::<Settings>(value) {
        Ok(s) => Some(s),
        Err(e) => {
            warn!("{from}: ignoring invalid settings: {e}");
            None
        }
    }
}

/// Sends queued diagnostics in order; when several are queued for one URI, only the
/// newest is sent (it supersedes the others). They go out through `outbox` (see there
/// why), or tower-lsp-server's client when it is not wired.
async fn publisher(client: Client, outbox: Outbox, mut rx: UnboundedReceiver<Publish>) {
    while let Some(first) = rx.recv().await {
        let mut batch = vec![first];
        while let Ok(next) = rx.try_recv() {
            batch.push(next);
        }
        let mut kept: Vec<Publish> = Vec::with_capacity(batch.len());
        for p in batch.into_iter().rev() {
            if !kept.iter().any(|k| k.uri == p.uri) {
                kept.push(p);
            }
        }
        let mut many = 0;
        for p in kept.into_iter().rev() {
            many += p.diagnostics.len();
            let params = PublishDiagnosticsParams::new(p.uri, p.diagnostics, p.version);
            if !outbox.notify(PUBLISH_DIAGNOSTICS, &params).await {
                client.publish_diagnostics(params.uri, params.diagnostics, params.version).await;
            }
        }
        if many >= TRIM_AFTER_DIAGNOSTICS {
            tokio::task::spawn_blocking(trim_heap);
        }
    }
}

/// Diagnostics sent at once, and the size of a document closed, after which freed
/// memory is handed back to the system.
const TRIM_AFTER_DIAGNOSTICS: usize = 10_000;
const TRIM_AFTER_CLOSING_BYTES: usize = 1 << 20;

/// Hands freed heap memory back to the system. An allocator keeps what a burst of small
/// allocations freed (the 36,000 diagnostics of a 10 MB digest and their related
/// locations, converted for the protocol and dropped once sent; the analysis of a big
/// document closed); the server's size would stay at its peak. The binary allocates
/// through jemalloc on Linux and macOS (`main.rs`); tests and benches that link the
/// library use the system allocator, so both are asked.
fn trim_heap() {
    #[cfg(any(target_os = "linux", target_os = "macos"))]
    purge_jemalloc();
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free memory; it takes the allocator's locks.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// jemalloc's unused dirty pages of every arena (4096 is `MALLCTL_ARENAS_ALL`) handed back
/// to the system; 0 when jemalloc took the command.
#[cfg(any(target_os = "linux", target_os = "macos"))]
fn purge_jemalloc() -> std::os::raw::c_int {
    // SAFETY: the command takes no value and returns none.
    unsafe {
        tikv_jemalloc_sys::mallctl(
            c"arena.4096.purge".as_ptr(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            std::ptr::null_mut(),
            0,
        )
    }
}

/// Exits the process when the client that started us is gone.
fn watch_process(pid: u32) {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else { return };
        // 0 and negative ids address process groups, not a client.
        if pid <= 0 {
            return;
        }
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(2)).await;
                // SAFETY: signal 0 only checks that the process exists; nothing is sent.
                let alive = unsafe { libc::kill(pid, 0) } == 0
                    || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH);
                if !alive {
                    error!("the client (process {pid}) is gone; exiting");
                    std::process::exit(1);
                }
            }
        });
    }
    // Elsewhere there is no cheap liveness check; the end of stdin stops us instead.
    #[cfg(not(unix))]
    let _ = pid;
}

fn roots_of(params: &InitializeParams) -> Vec<PathBuf> {
    if let Some(folders) = &params.workspace_folders {
        return folders.iter().filter(|f| convert::is_file_uri(&f.uri)).map(|f| convert::uri_to_path(&f.uri)).collect();
    }
    #[allow(deprecated)]
    let root = params.root_uri.as_ref();
    root.filter(|u| convert::is_file_uri(u)).map(|u| vec![convert::uri_to_path(u)]).unwrap_or_default()
}

impl LanguageServer for Backend {
    async fn initialize(&self, params: InitializeParams) -> Result<InitializeResult> {
        let caps = &params.capabilities;
        let offered = caps.general.as_ref().and_then(|g| g.position_encodings.as_deref());
        let encoding = convert::negotiate_encoding(offered);
        let workspace = caps.workspace.as_ref();
        let flags = ClientFlags {
            configuration: workspace.and_then(|w| w.configuration).unwrap_or(false),
            watch_dynamic: workspace
                .and_then(|w| w.did_change_watched_files.as_ref())
                .and_then(|d| d.dynamic_registration)
                .unwrap_or(false),
            work_done_progress: caps.window.as_ref().and_then(|w| w.work_done_progress).unwrap_or(false),
            document_changes: workspace
                .and_then(|w| w.workspace_edit.as_ref())
                .and_then(|e| e.document_changes)
                .unwrap_or(false),
        };
        let settings = params.initialization_options.clone().and_then(|v| parse_settings(v, "initializationOptions"));
        let roots = roots_of(&params);
        info!("initialize: {} folder(s), {encoding:?} positions, {flags:?}", roots.len());
        {
            let mut st = lock(&self.state);
            st.encoding = encoding;
            st.flags = flags;
            st.init_settings = settings;
            st.set_roots(roots);
        }
        if let Some(pid) = params.process_id {
            watch_process(pid);
        }
        tokio::task::spawn_blocking(discover::prepare);
        let triggers = ["[", ",", "\"", "'", "-", " ", ":"].map(String::from).to_vec();
        Ok(InitializeResult {
            capabilities: ServerCapabilities {
                position_encoding: Some(convert::encoding_kind(encoding)),
                text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
                    open_close: Some(true),
                    change: Some(TextDocumentSyncKind::INCREMENTAL),
                    save: Some(TextDocumentSyncSaveOptions::Supported(true)),
                    ..Default::default()
                })),
                completion_provider: Some(CompletionOptions {
                    trigger_characters: Some(triggers),
                    ..Default::default()
                }),
                hover_provider: Some(HoverProviderCapability::Simple(true)),
                references_provider: Some(OneOf::Left(true)),
                definition_provider: Some(OneOf::Left(true)),
                document_symbol_provider: Some(OneOf::Left(true)),
                workspace_symbol_provider: Some(OneOf::Left(true)),
                folding_range_provider: Some(FoldingRangeProviderCapability::Simple(true)),
                document_link_provider: Some(DocumentLinkOptions {
                    resolve_provider: Some(false),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                rename_provider: Some(OneOf::Right(RenameOptions {
                    prepare_provider: Some(true),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                })),
                code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
                execute_command_provider: Some(ExecuteCommandOptions {
                    commands: features::COMMANDS.iter().map(|c| c.to_string()).collect(),
                    work_done_progress_options: WorkDoneProgressOptions::default(),
                }),
                workspace: Some(WorkspaceServerCapabilities {
                    workspace_folders: Some(WorkspaceFoldersServerCapabilities {
                        supported: Some(true),
                        change_notifications: Some(OneOf::Left(true)),
                    }),
                    file_operations: None,
                }),
                ..Default::default()
            },
            server_info: Some(ServerInfo {
                name: "digest-ls".to_string(),
                version: Some(env!("CARGO_PKG_VERSION").to_string()),
            }),
            offset_encoding: None,
        })
    }

    async fn initialized(&self, _: InitializedParams) {
        let flags = {
            let mut st = lock(&self.state);
            st.load_all_root_configs();
            st.reconfigure();
            st.flags
        };
        let this = self.clone();
        tokio::spawn(async move {
            // The settings decide which files are digests, so they come first; the
            // watchers are registered while indexing runs (the walk reads the disk as it
            // is then, and events before the registration would be missed either way).
            if flags.configuration {
                this.pull_configuration().await;
            }
            let register = async {
                if flags.watch_dynamic {
                    this.register_watchers().await;
                }
            };
            tokio::join!(register, this.index());
        });
    }

    async fn shutdown(&self) -> Result<()> {
        lock(&self.state).shutdown = true;
        Ok(())
    }

    async fn did_open(&self, params: DidOpenTextDocumentParams) {
        let doc = params.text_document;
        lock(&self.state).open(doc.uri, &doc.language_id, doc.version, &doc.text);
    }

    async fn did_change(&self, params: DidChangeTextDocumentParams) {
        let doc = params.text_document;
        lock(&self.state).change(&doc.uri, doc.version, params.content_changes);
    }

    async fn did_save(&self, params: DidSaveTextDocumentParams) {
        let reindex = lock(&self.state).saved(&params.text_document.uri);
        if reindex {
            self.spawn_index();
        }
    }

    async fn did_close(&self, params: DidCloseTextDocumentParams) {
        let uri = &params.text_document.uri;
        let (reindex, big) = {
            let mut st = lock(&self.state);
            let big = st.open_bytes(uri).is_some_and(|n| n >= TRIM_AFTER_CLOSING_BYTES);
            (st.close(uri), big)
        };
        if reindex {
            self.spawn_index();
        }
        if big {
            tokio::task::spawn_blocking(trim_heap);
        }
    }

    async fn did_change_watched_files(&self, params: DidChangeWatchedFilesParams) {
        let reindex = lock(&self.state).watched(params.changes);
        if reindex {
            self.spawn_index();
        }
    }

    async fn did_change_configuration(&self, params: DidChangeConfigurationParams) {
        let pull = {
            let mut st = lock(&self.state);
            if st.flags.configuration {
                true
            } else {
                st.pulled_settings = parse_settings(params.settings, "didChangeConfiguration");
                st.reconfigure();
                false
            }
        };
        let this = self.clone();
        tokio::spawn(async move {
            if pull {
                this.pull_configuration().await;
            }
            this.index().await;
        });
    }

    async fn did_change_workspace_folders(&self, params: DidChangeWorkspaceFoldersParams) {
        {
            let mut st = lock(&self.state);
            let removed: Vec<PathBuf> = params.event.removed.iter().map(|f| convert::uri_to_path(&f.uri)).collect();
            let mut roots: Vec<PathBuf> =
                st.roots.iter().map(|r| r.path.clone()).filter(|p| !removed.contains(p)).collect();
            roots.extend(
                params
                    .event
                    .added
                    .iter()
                    .filter(|f| convert::is_file_uri(&f.uri))
                    .map(|f| convert::uri_to_path(&f.uri)),
            );
            st.set_roots(roots);
            st.load_all_root_configs();
            st.reconfigure();
        }
        self.spawn_index();
    }

    async fn completion(&self, params: CompletionParams) -> Result<Option<CompletionResponse>> {
        let pos = params.text_document_position;
        Ok(lock(&self.state).completion(&pos.text_document.uri, pos.position))
    }

    async fn hover(&self, params: HoverParams) -> Result<Option<Hover>> {
        let pos = params.text_document_position_params;
        Ok(lock(&self.state).hover(&pos.text_document.uri, pos.position))
    }

    async fn references(&self, params: ReferenceParams) -> Result<Option<Vec<Location>>> {
        Ok(features::references(&lock(&self.state), &params))
    }

    async fn goto_definition(&self, params: GotoDefinitionParams) -> Result<Option<GotoDefinitionResponse>> {
        Ok(features::goto_definition(&lock(&self.state), &params))
    }

    async fn document_symbol(&self, params: DocumentSymbolParams) -> Result<Option<DocumentSymbolResponse>> {
        Ok(features::document_symbols(&lock(&self.state), &params))
    }

    async fn symbol(&self, params: WorkspaceSymbolParams) -> Result<Option<WorkspaceSymbolResponse>> {
        Ok(features::workspace_symbols(&lock(&self.state), &params))
    }

    async fn folding_range(&self, params: FoldingRangeParams) -> Result<Option<Vec<FoldingRange>>> {
        Ok(features::folding_ranges(&lock(&self.state), &params))
    }

    async fn document_link(&self, params: DocumentLinkParams) -> Result<Option<Vec<DocumentLink>>> {
        Ok(features::document_links(&lock(&self.state), &params))
    }

    async fn prepare_rename(&self, params: TextDocumentPositionParams) -> Result<Option<PrepareRenameResponse>> {
        Ok(features::prepare_rename(&lock(&self.state), &params))
    }

    async fn rename(&self, params: RenameParams) -> Result<Option<WorkspaceEdit>> {
        let st = lock(&self.state);
        let document_changes = st.flags.document_changes;
        features::rename(&st, &params, document_changes).map_err(tower_lsp_server::jsonrpc::Error::invalid_params)
    }

    async fn code_action(&self, params: CodeActionParams) -> Result<Option<CodeActionResponse>> {
        let st = lock(&self.state);
        let document_changes = st.flags.document_changes;
        Ok(features::code_actions(&st, &params, document_changes))
    }

    async fn execute_command(&self, params: ExecuteCommandParams) -> Result<Option<LSPAny>> {
        // Computed under the lock, sent to the client after releasing it.
        let result = {
            let st = lock(&self.state);
            let document_changes = st.flags.document_changes;
            features::execute_command(&st, &params, document_changes)
        };
        match result {
            features::CommandResult::ApplyEdit { label, edit } => {
                let sent = tokio::time::timeout(CLIENT_TIMEOUT, self.client.apply_edit(edit)).await;
                match sent {
                    Ok(Ok(r)) if r.applied => info!("{label}: applied"),
                    Ok(Ok(r)) => warn!("{label}: not applied: {}", r.failure_reason.unwrap_or_default()),
                    Ok(Err(e)) => warn!("{label}: workspace/applyEdit failed: {e}"),
                    Err(_) => warn!("{label}: no answer to workspace/applyEdit"),
                }
            }
            features::CommandResult::ShowDocument(show) => {
                if let Ok(Err(e)) = tokio::time::timeout(CLIENT_TIMEOUT, self.client.show_document(show)).await {
                    warn!("window/showDocument failed: {e}");
                }
            }
            features::CommandResult::Nothing => {}
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[cfg(any(target_os = "linux", target_os = "macos"))]
    #[test]
    fn jemalloc_takes_the_purge_command() {
        // jemalloc answers ENOENT for a name it does not know and EPERM for a value given.
        assert_eq!(purge_jemalloc(), 0);
    }

    #[test]
    fn progress_is_reported_at_once_then_at_most_every_100_ms() {
        let ms = Duration::from_millis;
        assert!(progress_due(12, 0, ms(0)), "the first report gives the count");
        assert!(!progress_due(20, 12, ms(99)));
        assert!(progress_due(20, 12, ms(100)));
        assert!(!progress_due(12, 12, ms(500)), "no report without progress");
        assert!(!progress_due(0, 0, ms(500)));
    }

    #[test]
    fn settings_from_the_client() {
        let plain = parse_settings(json!({ "required-keys": ["title"] }), "test").expect("settings");
        assert_eq!(plain.required_keys, Some(vec!["title".to_string()]));
        let wrapped =
            parse_settings(json!({ "digestLs": { "severity": { "future-date": "off" } }, "other": 1 }), "test");
        assert!(wrapped.expect("settings").severity.is_some_and(|s| s["future-date"] == "off"));
        assert_eq!(parse_settings(json!(null), "test"), None);
        assert_eq!(parse_settings(json!({ "digestLs": null }), "test"), None);
        // Unknown keys and wrong types are rejected as a whole (and logged), never a panic.
        assert_eq!(parse_settings(json!({ "requird-keys": [] }), "test"), None);
        assert_eq!(parse_settings(json!([1, 2]), "test"), None);
    }
}
