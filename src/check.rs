//! `digest-ls check`: analyse every digest under some paths with the server's core and report like rustc.
//!
//! Each path belongs to a workspace root: the nearest ancestor folder holding
//! `digest-ls.toml`, a Hugo config (`hugo.toml`, `hugo.yaml`, `hugo.json`,
//! `config.toml`) or `.git`, else the path itself. Every digest of that root is
//! indexed first (so cross-file checks see the whole workspace, as in the server),
//! then the digests under the requested paths are checked and reported.
//!
//! Exit code precedence: 2 when a path is missing or a file cannot be read or is not
//! UTF-8 (the check is incomplete, so it must not pass), otherwise 1 when any
//! diagnostic is an error, otherwise 0. Warnings, infos and hints never fail a run.

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::io::{IsTerminal, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use codespan_reporting::diagnostic as cs;
use codespan_reporting::files::{Error as FilesError, Files};
use codespan_reporting::term::{self, termcolor};
use rayon::prelude::*;
use serde::Serialize;

use crate::analysis::Analysis;
use crate::config::{self, Config};
use crate::diagnostics::{self, Diagnostic, Severity};
use crate::discover;
use crate::text::{floor_char_boundary, Encoding, LineIndex, Span};
use crate::workspace::{DigestInfo, Workspace};

mod render;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Human,
    Json,
}

/// Files whose presence marks a workspace root.
const ROOT_MARKERS: &[&str] = &[config::FILE_NAME, "hugo.toml", "hugo.yaml", "hugo.json", "config.toml", ".git"];

/// Runs the check and returns the exit code: 0 without errors, 1 with errors, 2 for
/// usage or I/O problems (which take precedence: see the module doc).
pub fn run(paths: &[PathBuf], format: Format) -> i32 {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let report = check_paths(paths, &cwd);
    let mut stderr = std::io::stderr().lock();
    for p in &report.problems {
        // Output errors (a closed pipe) are not worth a panic; the exit code still tells.
        let _ = writeln!(stderr, "{}: error: {}", p.path.display(), p.message);
    }
    // One buffered writer: the human report of 10,000 digests is hundreds of megabytes,
    // and a line-buffered stdout would make a system call per line.
    let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
    // Output errors (a closed pipe) are not worth a panic; the exit code still tells.
    let _ = match format {
        Format::Human => write_human(&report, use_colour(std::io::stdout().is_terminal()), &mut stdout),
        Format::Json => stdout.write_all(render_json(&report).as_bytes()),
    };
    let _ = stdout.flush();
    let code = report.exit_code();
    // Freeing a report of 10,000 digests (texts, diagnostics, the index) is a serial
    // tenth of a second or more, and the process ends here anyway.
    std::mem::forget(report);
    code
}

/// Colour only on a terminal, and never when `NO_COLOR` is set (https://no-color.org)
/// or the terminal is dumb.
fn use_colour(is_terminal: bool) -> bool {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let dumb = std::env::var_os("TERM").is_some_and(|t| t == "dumb");
    is_terminal && !no_color && !dumb
}

/// The result of a check: every reported file with its diagnostics, and the
/// problems that kept files from being checked.
#[derive(Debug, Default)]
pub struct Report {
    /// Reported files (digests, and a broken `digest-ls.toml`), sorted by path.
    pub files: Vec<FileReport>,
    /// Files of the workspaces that were indexed but not reported, kept so that a
    /// related location in them can be shown.
    pub others: HashMap<PathBuf, String>,
    /// Paths that do not exist, files that cannot be read or are not UTF-8.
    pub problems: Vec<Problem>,
    /// How many digests were checked.
    pub checked: usize,
    /// `files` by path, built on the first lookup (related locations look texts up by path).
    by_path: std::cell::OnceCell<HashMap<PathBuf, usize>>,
    /// The index of each workspace checked, kept so that `run` need not free it.
    workspaces: Vec<Workspace>,
}

#[derive(Debug)]
pub struct FileReport {
    /// The path as shown: relative to the current folder when it is under it.
    pub path: PathBuf,
    pub text: String,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: PathBuf,
    pub message: String,
}

/// Counts of diagnostics by severity.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Summary {
    pub errors: usize,
    pub warnings: usize,
    pub infos: usize,
    pub hints: usize,
    /// Digests checked.
    pub files: usize,
    /// Files that could not be checked (missing, unreadable, not UTF-8).
    pub problems: usize,
}

impl Report {
    pub fn summary(&self) -> Summary {
        let mut s = Summary { files: self.checked, problems: self.problems.len(), ..Summary::default() };
        for d in self.files.iter().flat_map(|f| &f.diagnostics) {
            match d.severity {
                Severity::Error => s.errors += 1,
                Severity::Warning => s.warnings += 1,
                Severity::Information => s.infos += 1,
                Severity::Hint => s.hints += 1,
            }
        }
        s
    }

    pub fn exit_code(&self) -> i32 {
        let s = self.summary();
        if s.problems > 0 {
            2
        } else if s.errors > 0 {
            1
        } else {
            0
        }
    }

    fn text_of(&self, path: &Path) -> Option<&str> {
        let by_path =
            self.by_path.get_or_init(|| self.files.iter().enumerate().map(|(i, f)| (f.path.clone(), i)).collect());
        by_path.get(path).map(|&i| self.files[i].text.as_str()).or_else(|| self.others.get(path).map(String::as_str))
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl std::fmt::Display for Summary {
    /// `2 errors, 1 warning in 11 files`, with infos, hints and unreadable files when there are any.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut parts = vec![plural(self.errors, "error", "errors"), plural(self.warnings, "warning", "warnings")];
        if self.infos > 0 {
            parts.push(plural(self.infos, "info", "infos"));
        }
        if self.hints > 0 {
            parts.push(plural(self.hints, "hint", "hints"));
        }
        write!(f, "{} in {}", parts.join(", "), plural(self.files, "file", "files"))?;
        if self.problems > 0 {
            write!(f, "; {} could not be checked", plural(self.problems, "path", "paths"))?;
        }
        Ok(())
    }
}

/// What to check under one workspace root.
#[derive(Default)]
struct RootJob {
    /// Folders whose digests are reported.
    dirs: Vec<PathBuf>,
    /// Files named on the command line: reported even if the rules would not pick them.
    files: BTreeSet<PathBuf>,
}

/// The nearest ancestor of `dir` (itself included) with a root marker, else `dir`.
pub fn find_root(dir: &Path) -> PathBuf {
    dir.ancestors().find(|d| ROOT_MARKERS.iter().any(|m| d.join(m).exists())).unwrap_or(dir).to_path_buf()
}

/// `path` relative to `cwd` when it is under it (`.` for `cwd` itself).
fn display_path(path: &Path, cwd: &Path) -> PathBuf {
    match path.strip_prefix(cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => path.to_path_buf(),
    }
}

/// Reads a file as UTF-8, with a message that says what went wrong.
fn read_text(path: &Path) -> Result<String, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    crate::text::utf8_string(bytes).map_err(|e| format!("not valid UTF-8 (byte {})", e.utf8_error().valid_up_to()))
}

/// Checks `paths` (files or folders; none means `cwd`), with paths shown relative to `cwd`.
pub fn check_paths(paths: &[PathBuf], cwd: &Path) -> Report {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() { &default[..] } else { paths };
    let mut report = Report::default();
    let mut jobs: BTreeMap<PathBuf, RootJob> = BTreeMap::new();
    for path in paths {
        let abs = normalise(&cwd.join(path));
        match std::fs::metadata(&abs) {
            Ok(meta) if meta.is_dir() => jobs.entry(find_root(&abs)).or_default().dirs.push(abs),
            Ok(_) => {
                let dir = abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf);
                let job = jobs.entry(find_root(&dir)).or_default();
                // A named `digest-ls.toml` is checked as the configuration of its root, not as a digest.
                if abs.file_name() != Some(std::ffi::OsStr::new(config::FILE_NAME)) {
                    job.files.insert(abs);
                }
            }
            Err(e) => report.problems.push(Problem { path: path.clone(), message: format!("cannot read: {e}") }),
        }
    }
    let mut reported = BTreeSet::new();
    // A nested root sorts after the root that holds it, so it is still queued when found.
    while let Some((root, job)) = jobs.pop_first() {
        for (nested, dirs) in check_root(&root, &job, cwd, &mut reported, &mut report) {
            jobs.entry(nested).or_default().dirs.extend(dirs);
        }
    }
    report.files.sort_by(|a, b| a.path.cmp(&b.path));
    report.problems.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.message.cmp(&b.message)));
    report.problems.dedup();
    report
}

/// `a/./b/../c` as `a/c`, without touching the file system (symbolic links are
/// left as they are, so a path reads as the user wrote it).
fn normalise(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push(c);
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// The nearest folder between `path`'s folder and `root` (exclusive) with a root
/// marker, if any: a site nested in the workspace, with its own configuration.
fn nested_root(path: &Path, root: &Path, cache: &mut HashMap<PathBuf, Option<PathBuf>>) -> Option<PathBuf> {
    let dir = path.parent()?;
    if dir == root || !dir.starts_with(root) {
        return None;
    }
    if let Some(found) = cache.get(dir) {
        return found.clone();
    }
    let found = if ROOT_MARKERS.iter().any(|m| dir.join(m).exists()) {
        Some(dir.to_path_buf())
    } else {
        nested_root(dir, root, cache)
    };
    cache.insert(dir.to_path_buf(), found.clone());
    found
}

/// Files read and analysed per message to the thread that fills the index.
const INDEX_BATCH: usize = 32;

/// Checks the digests of one root; returns the nested roots found under the requested
/// folders, with the folders to report there.
fn check_root(
    root: &Path,
    job: &RootJob,
    cwd: &Path,
    reported: &mut BTreeSet<PathBuf>,
    report: &mut Report,
) -> BTreeMap<PathBuf, Vec<PathBuf>> {
    let shown = |p: &Path| display_path(p, cwd);
    // The configuration: a broken file is reported in itself and the defaults apply.
    let mut config = Config::default();
    let config_path = root.join(config::FILE_NAME);
    if config_path.is_file() {
        match read_text(&config_path) {
            Ok(text) => {
                let (parsed, errors) = Config::from_toml(&text);
                config = parsed;
                if !errors.is_empty() && reported.insert(config_path.clone()) {
                    let diagnostics = errors
                        .into_iter()
                        .map(|e| Diagnostic::new("config", e.span, format!("{}; the defaults apply", e.message)))
                        .collect();
                    report.files.push(FileReport { path: shown(&config_path), text, diagnostics });
                }
            }
            Err(message) => report.problems.push(Problem { path: shown(&config_path), message }),
        }
    }

    let (digests, walk_errors) = discover::walk_with_errors(root, &config);
    let wanted = |p: &Path| job.files.contains(p) || job.dirs.iter().any(|d| p.starts_with(d));
    for e in walk_errors {
        match &e.path {
            Some(p) if wanted(p) && !e.is_loop => report.problems.push(Problem { path: shown(p), message: e.message }),
            _ => tracing::warn!("{}", e.message),
        }
    }
    // Digests of a nested site belong to that site's workspace and configuration.
    let mut nested: BTreeMap<PathBuf, Vec<PathBuf>> = BTreeMap::new();
    let mut cache = HashMap::new();
    let mut all: Vec<PathBuf> = Vec::with_capacity(digests.len() + job.files.len());
    for digest in digests {
        match nested_root(&digest, root, &mut cache) {
            Some(site) => {
                let dirs = nested.entry(site.clone()).or_default();
                for d in job.dirs.iter().filter(|d| digest.starts_with(d)) {
                    // A requested folder above the site asks for all of it.
                    let d = if site.starts_with(d) { site.clone() } else { d.clone() };
                    if !dirs.contains(&d) {
                        dirs.push(d);
                    }
                }
            }
            None => all.push(digest),
        }
    }
    // The walk gives path order: with the files asked for by name appended, the sort
    // merges two runs (a BTreeSet compared paths component by component, 13 times a
    // file: 3 % of a check of 10,000 digests).
    all.extend(job.files.iter().cloned());
    all.sort();
    all.dedup();

    // Read and analyse in parallel, and index everything before any check, so that
    // cross-file checks see the whole workspace.
    // The index entry is built here too: the loop below that fills the index runs on one thread.
    // So is the path as shown (stripping a prefix walks the components).
    // What a parser thread sends to the index: the path as shown and the file's entry,
    // or why it could not be read; the text of a file that is only indexed comes along
    // (it is kept for related notes). A checked file stays with its parser (below).
    type Loaded = (PathBuf, PathBuf, bool, Result<(Option<String>, DigestInfo), String>);
    let mut workspace = Workspace::new();
    let mut unread_others = Vec::new();
    // Files are indexed as the parser threads deliver them, so that filling the index
    // (one thread) overlaps the parsing instead of following it. Nothing depends on
    // the order they arrive in: the index does not, and the reports and problems are
    // sorted by path at the end.
    // They come in batches: a message per file woke the indexing thread 10,000 times.
    let (sender, delivered) = std::sync::mpsc::channel::<Vec<Loaded>>();
    // The analyses of the files to check stay on the thread that parsed them, which
    // checks them: freeing them on another thread contended for glibc's per-thread
    // arenas, and the checks took twice as long (0.43 s -> 0.2 s for 10k digests).
    let parsed = Parsed::new(rayon::current_num_threads());
    let mut newly_checked = Vec::new();
    std::thread::scope(|scope| {
        let (config, wanted, shown, parsed, reported) = (&config, &wanted, &shown, &parsed, &*reported);
        scope.spawn(move || {
            // Batches are handed out in path order (date order for the usual names), so the
            // index mostly appends citations instead of inserting them mid-list.
            all.chunks(INDEX_BATCH).par_bridge().for_each_with(sender, |sender, batch| {
                let mut mine = Vec::new();
                let batch = batch.iter().map(|abs| {
                    let is_wanted = wanted(abs);
                    let checked = is_wanted && !reported.contains(abs);
                    let path = shown(abs);
                    let result = read_text(abs).map(|text| {
                        // A file that is only indexed needs only the index's share of a parse.
                        if checked {
                            let analysis = Analysis::new(&text, config);
                            let info = DigestInfo::from_analysis(&analysis);
                            mine.push((path.clone(), text, analysis));
                            (None, info)
                        } else {
                            let info = DigestInfo::read(&text, config);
                            (Some(text), info)
                        }
                    });
                    (path, abs.clone(), is_wanted, result)
                });
                let batch = batch.collect();
                parsed.keep(mine);
                // The receiver lives until every sender is gone.
                let _ = sender.send(batch);
            });
        });
        for (path, abs, is_wanted, result) in delivered.into_iter().flatten() {
            match result {
                Ok((text, info)) => {
                    workspace.update(&path, Some(info));
                    match text {
                        Some(text) => drop(report.others.insert(path, text)),
                        None => newly_checked.push(abs),
                    }
                }
                Err(message) if is_wanted => report.problems.push(Problem { path, message }),
                Err(message) => unread_others.push((path, message)),
            }
        }
    });
    reported.extend(newly_checked);
    // Logged in path order, as when files were indexed in order.
    unread_others.sort();
    for (path, message) in unread_others {
        tracing::warn!("{}: {message}", path.display());
    }
    let checked = parsed.check_each(|(path, text, analysis)| {
        let mut diagnostics = diagnostics::check(&analysis, &path, &config, &workspace);
        diagnostics.sort_by(|a, b| {
            (a.span.start, a.span.end, a.code, &a.message).cmp(&(b.span.start, b.span.end, b.code, &b.message))
        });
        FileReport { path, text, diagnostics }
    });
    report.checked += checked.len();
    report.files.extend(checked);
    report.workspaces.push(workspace);
    nested.retain(|_, dirs| !dirs.is_empty());
    nested
}

/// The files to check, parsed, in one queue per thread of rayon's pool: each thread
/// checks what it parsed, then helps the others from the back of their queues.
struct Parsed {
    queues: Vec<Mutex<VecDeque<(PathBuf, String, Analysis)>>>,
}

impl Parsed {
    fn new(threads: usize) -> Parsed {
        Parsed { queues: (0..threads.max(1)).map(|_| Mutex::default()).collect() }
    }

    /// Queues files parsed on the current thread.
    fn keep(&self, files: Vec<(PathBuf, String, Analysis)>) {
        if !files.is_empty() {
            let i = rayon::current_thread_index().unwrap_or(0) % self.queues.len();
            lock(&self.queues[i]).extend(files);
        }
    }

    /// `check` of every queued file, on rayon's threads, in no particular order.
    fn check_each(self, check: impl Fn((PathBuf, String, Analysis)) -> FileReport + Sync) -> Vec<FileReport> {
        let n = self.queues.len();
        let done = rayon::broadcast(|ctx| {
            let mut out = Vec::new();
            let me = ctx.index() % n;
            loop {
                let own = lock(&self.queues[me]).pop_front();
                let next = own.or_else(|| (1..n).find_map(|k| lock(&self.queues[(me + k) % n]).pop_back()));
                match next {
                    Some(file) => out.push(check(file)),
                    None => return out,
                }
            }
        });
        done.into_iter().flatten().collect()
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // A panic while a queue was held leaves it usable: each item is whole.
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// A span clamped to the text and to character boundaries, so that no renderer slices
/// inside a character.
fn clamp(text: &str, span: Span) -> Range<usize> {
    let start = floor_char_boundary(text, span.start);
    let end = floor_char_boundary(text, span.end).max(start);
    start..end
}

/// The files of a report for codespan-reporting, with lines and columns from
/// `LineIndex` (so lines break where LSP breaks them: `\n`, `\r\n`, lone `\r`).
/// Built once for the whole report and shared by the threads that render, so no
/// text is copied and no line index is built twice.
struct SourceFiles<'r> {
    files: Vec<(String, &'r str, LineIndex)>,
    ids: PathMap<'r>,
    /// `ids` by the paths' bytes: hashing a `Path` walks its components, and every
    /// related location is looked up. A path whose bytes differ but that equals one of
    /// `ids` as a `Path` (`a//b`, `a/b/`) is still found there.
    by_bytes: HashMap<&'r [u8], usize, foldhash::fast::RandomState>,
    /// `ids` by where the index keeps each digest's path (an `Arc<Path>`, see
    /// `address`): related locations hold clones of those, so most of them are found
    /// without hashing and comparing the path's bytes (cold memory, 450,000 times).
    by_address: HashMap<(usize, usize), usize, foldhash::fast::RandomState>,
}

/// Where a path's bytes are, and how many: two paths alive at once with the same
/// address and length are the same path.
fn address(path: &Path) -> (usize, usize) {
    let bytes = path.as_os_str().as_encoded_bytes();
    (bytes.as_ptr() as usize, bytes.len())
}

/// foldhash rather than SipHash: every related location of every diagnostic is looked up.
type PathMap<'r> = HashMap<&'r Path, usize, foldhash::fast::RandomState>;

impl<'r> SourceFiles<'r> {
    /// Every reported file, then every other indexed file (a reported file wins, as in
    /// `Report::text_of`).
    fn new(report: &'r Report) -> SourceFiles<'r> {
        let reported = report.files.iter().map(|f| (f.path.as_path(), f.text.as_str()));
        let all: Vec<(&'r Path, &'r str)> =
            reported.chain(report.others.iter().map(|(p, t)| (p.as_path(), t.as_str()))).collect();
        let names: Vec<String> = all.par_iter().map(|(path, _)| path.display().to_string()).collect();
        let mut ids = PathMap::with_capacity_and_hasher(all.len(), Default::default());
        let mut by_name: HashMap<&str, usize, foldhash::fast::RandomState> = HashMap::default();
        let mut first = Vec::new();
        for (i, &(path, _)) in all.iter().enumerate() {
            if ids.contains_key(path) {
                continue;
            }
            // Two paths that display alike share one entry, as one name must mean one source.
            let id = *by_name.entry(names[i].as_str()).or_insert_with(|| {
                first.push(i);
                first.len() - 1
            });
            ids.insert(path, id);
        }
        let files = first.into_par_iter().map(|i| (names[i].clone(), all[i].1, LineIndex::new(all[i].1))).collect();
        let by_bytes = ids.iter().map(|(p, &id)| (p.as_os_str().as_encoded_bytes(), id)).collect();
        let mut files = SourceFiles { files, ids, by_bytes, by_address: HashMap::default() };
        // The report keeps the indexes, so these paths stay where they are while it is rendered.
        let shared = report.workspaces.iter().flat_map(Workspace::digests).map(|(path, _)| path);
        files.by_address = shared.filter_map(|path| Some((address(path), files.id(path)?))).collect();
        files
    }

    fn id(&self, path: &Path) -> Option<usize> {
        self.by_bytes.get(path.as_os_str().as_encoded_bytes()).or_else(|| self.ids.get(path)).copied()
    }

    /// `id` of a related location's path: found by its address when it is the index's.
    fn related_id(&self, path: &Path) -> Option<usize> {
        self.by_address.get(&address(path)).copied().or_else(|| self.id(path))
    }

    fn get(&self, id: usize) -> Result<&(String, &'r str, LineIndex), FilesError> {
        self.files.get(id).ok_or(FilesError::FileMissing)
    }
}

impl<'a, 'r: 'a> Files<'a> for SourceFiles<'r> {
    type FileId = usize;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(self.get(id)?.0.as_str())
    }

    fn source(&'a self, id: usize) -> Result<&'a str, FilesError> {
        Ok(self.get(id)?.1)
    }

    fn line_index(&'a self, id: usize, byte_index: usize) -> Result<usize, FilesError> {
        Ok(self.get(id)?.2.line_of(byte_index))
    }

    /// Columns as rustc counts them: characters (Unicode scalar values), 1-based.
    fn column_number(&'a self, id: usize, _line: usize, byte_index: usize) -> Result<usize, FilesError> {
        let (_, text, index) = self.get(id)?;
        Ok(index.position(text, byte_index, Encoding::Utf32).1 as usize + 1)
    }

    fn line_range(&'a self, id: usize, line_index: usize) -> Result<Range<usize>, FilesError> {
        let (_, text, index) = self.get(id)?;
        index
            .line_span(text, line_index)
            .map(Span::range)
            .ok_or(FilesError::LineTooLarge { given: line_index, max: index.line_count().saturating_sub(1) })
    }
}

fn codespan_severity(s: Severity) -> cs::Severity {
    match s {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Information => cs::Severity::Note,
        Severity::Hint => cs::Severity::Help,
    }
}

/// The rustc-style report: each diagnostic with its source line underlined, then
/// the summary line. ANSI colours when `colour` is set.
pub fn render_human(report: &Report, colour: bool) -> Vec<u8> {
    let mut out = Vec::new();
    let _ = write_human(report, colour, &mut out);
    out
}

/// Files rendered in parallel between two writes: enough to keep every thread busy,
/// few enough that the rendered bytes waiting for their turn stay small.
const RENDER_BATCH: usize = 256;

/// `render_human` into `out`. Files are rendered in parallel, each into its own
/// buffer, and written in report order, so the bytes are the same as one sequential
/// rendering.
fn write_human(report: &Report, colour: bool, out: &mut impl Write) -> std::io::Result<()> {
    let files = SourceFiles::new(report);
    // Reused from batch to batch: fresh buffers of hundreds of kilobytes each cost page faults.
    let mut rendered: Vec<Vec<u8>> = vec![Vec::new(); RENDER_BATCH.min(report.files.len())];
    for batch in report.files.chunks(RENDER_BATCH) {
        batch.par_iter().zip(&mut rendered).for_each(|(f, buf)| {
            buf.clear();
            render_file(f, &files, colour, buf);
        });
        for bytes in &rendered[..batch.len()] {
            out.write_all(bytes)?;
        }
    }
    writeln!(out, "{}", report.summary())
}

/// The diagnostics of one file appended to `out`, rendered by `render` (codespan for
/// the shapes it leaves).
fn render_file(f: &FileReport, files: &SourceFiles, colour: bool, out: &mut Vec<u8>) {
    // About what a diagnostic with one related location takes, so the buffer seldom grows.
    out.reserve(f.diagnostics.len() * 2048);
    let Some(id) = files.id(&f.path) else { return };
    let mut labels = Vec::new();
    let mut notes = Vec::new();
    let mut scratch = render::Scratch::default();
    for d in &f.diagnostics {
        labels.clear();
        notes.clear();
        diagnostic_parts(d, id, &f.text, files, &mut labels, &mut notes);
        let (sev, code, message) = (d.severity, d.code, &d.message);
        if !render::diagnostic(out, colour, files, sev, code, message, &labels, &notes, &mut scratch) {
            render_codespan(out, colour, files, d, &labels, &notes);
        }
    }
}

/// The labels of a diagnostic (its own span, then each related location in a known
/// file) and its notes (related locations in files that are not known).
fn diagnostic_parts<'d>(
    d: &'d Diagnostic,
    id: usize,
    text: &str,
    files: &SourceFiles,
    labels: &mut Vec<render::Label<'d>>,
    notes: &mut Vec<String>,
) {
    labels.push(render::Label { file: id, range: clamp(text, d.span), primary: true, message: "" });
    for r in &d.related {
        match files.related_id(&r.path) {
            Some(rid) => {
                let range = clamp(files.files[rid].1, r.span);
                labels.push(render::Label { file: rid, range, primary: false, message: &r.message });
            }
            None => notes.push(format!("{}: {}", r.path.display(), r.message)),
        }
    }
}

/// One diagnostic rendered by codespan-reporting, appended to `out`.
fn render_codespan(
    out: &mut Vec<u8>,
    colour: bool,
    files: &SourceFiles,
    d: &Diagnostic,
    labels: &[render::Label],
    notes: &[String],
) {
    let config = term::Config { chars: term::Chars::ascii(), ..term::Config::default() };
    let styles = term::Styles::default();
    let mut buffer = if colour { termcolor::Buffer::ansi() } else { termcolor::Buffer::no_color() };
    let labels = labels.iter().map(|l| {
        let label = if l.primary {
            cs::Label::primary(l.file, l.range.clone())
        } else {
            cs::Label::secondary(l.file, l.range.clone())
        };
        label.with_message(l.message)
    });
    let diagnostic = cs::Diagnostic::new(codespan_severity(d.severity))
        .with_code(d.code)
        .with_message(&d.message)
        .with_labels(labels.collect())
        .with_notes(notes.to_vec());
    let mut writer = term::StylesWriter::new(&mut buffer, &styles);
    if let Err(e) = term::emit_to_write_style(&mut writer, &config, files, &diagnostic) {
        tracing::warn!("cannot render a diagnostic: {e}");
    }
    out.extend_from_slice(buffer.as_slice());
}

#[derive(Serialize)]
struct JsonReport<'a> {
    diagnostics: Vec<JsonDiagnostic<'a>>,
    problems: Vec<JsonProblem>,
    summary: Summary,
}

/// Lines and columns are 1-based; columns are given in UTF-8 bytes and in UTF-16 units.
#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    path: String,
    line: u32,
    column_utf8: u32,
    column_utf16: u32,
    end_line: u32,
    end_column_utf8: u32,
    end_column_utf16: u32,
    severity: &'static str,
    code: &'static str,
    message: &'a str,
    related: Vec<JsonRelated<'a>>,
}

#[derive(Serialize)]
struct JsonRelated<'a> {
    path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column_utf8: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    column_utf16: Option<u32>,
    message: &'a str,
}

#[derive(Serialize)]
struct JsonProblem {
    path: String,
    message: String,
}

/// (1-based line, 1-based UTF-8 column, 1-based UTF-16 column) of a byte offset.
fn json_position(text: &str, index: &LineIndex, offset: usize) -> (u32, u32, u32) {
    let (line, col8) = index.position(text, offset, Encoding::Utf8);
    let (_, col16) = index.position(text, offset, Encoding::Utf16);
    (line + 1, col8 + 1, col16 + 1)
}

/// One JSON document: `{"diagnostics": [...], "problems": [...], "summary": {...}}`.
pub fn render_json(report: &Report) -> String {
    let mut diagnostics = Vec::new();
    // Line indexes of the files related locations point into, built once each.
    let mut related_index: HashMap<&Path, LineIndex> = HashMap::new();
    for f in &report.files {
        let index = LineIndex::new(&f.text);
        for d in &f.diagnostics {
            let (line, column_utf8, column_utf16) = json_position(&f.text, &index, d.span.start);
            let (end_line, end_column_utf8, end_column_utf16) = json_position(&f.text, &index, d.span.end);
            let related = d
                .related
                .iter()
                .map(|r| {
                    let pos = report.text_of(&r.path).map(|t| {
                        let index = related_index.entry(&*r.path).or_insert_with(|| LineIndex::new(t));
                        json_position(t, index, r.span.start)
                    });
                    JsonRelated {
                        path: r.path.display().to_string(),
                        line: pos.map(|p| p.0),
                        column_utf8: pos.map(|p| p.1),
                        column_utf16: pos.map(|p| p.2),
                        message: &r.message,
                    }
                })
                .collect();
            diagnostics.push(JsonDiagnostic {
                path: f.path.display().to_string(),
                line,
                column_utf8,
                column_utf16,
                end_line,
                end_column_utf8,
                end_column_utf16,
                severity: d.severity.as_str(),
                code: d.code,
                message: &d.message,
                related,
            });
        }
    }
    let problems = report
        .problems
        .iter()
        .map(|p| JsonProblem { path: p.path.display().to_string(), message: p.message.clone() })
        .collect();
    let doc = JsonReport { diagnostics, problems, summary: report.summary() };
    let mut out = serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"));
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fake_report(text: &str, spans: &[(Span, &'static str, Severity)]) -> Report {
        let diagnostics = spans
            .iter()
            .map(|&(span, code, severity)| Diagnostic {
                severity,
                ..Diagnostic::new(code, span, format!("about {code}"))
            })
            .collect();
        Report {
            files: vec![FileReport { path: "content/posts/a.md".into(), text: text.into(), diagnostics }],
            checked: 1,
            ..Report::default()
        }
    }

    #[test]
    fn human_output_underlines_under_cjk_and_emoji() {
        let text = "---\ntags: [\"优化😀\", \"DPO\", \"DPO\"]\n---\n";
        let start = text.rfind("\"DPO\"").unwrap();
        let report = fake_report(text, &[(Span::new(start, start + 5), "duplicate-tag", Severity::Warning)]);
        let out = String::from_utf8(render_human(&report, false)).unwrap();
        // Column 22 in characters: `tags: ["优化😀", "DPO", ` is 21 characters.
        assert!(out.contains("--> content/posts/a.md:2:22"), "{out}");
        let lines: Vec<&str> = out.lines().collect();
        let source = lines.iter().position(|l| l.contains("tags: [")).unwrap();
        let carets = lines[source + 1];
        // 优, 化 and 😀 are two columns wide each: 21 characters take 24 columns.
        let prefix = lines[source].find("tags").unwrap();
        assert_eq!(carets.find('^').unwrap() - prefix, 24, "{out}");
        assert_eq!(carets.matches('^').count(), 5, "{out}");
        assert!(out.ends_with("0 errors, 1 warning in 1 file\n"), "{out}");
    }

    #[test]
    fn json_columns_in_utf8_and_utf16() {
        let text = "---\r\ntags: [\"😀\", \"x\"]\r\n---\r\n";
        let start = text.find("\"x\"").unwrap();
        let report = fake_report(text, &[(Span::new(start, start + 3), "duplicate-tag", Severity::Error)]);
        let json: serde_json::Value = serde_json::from_str(&render_json(&report)).unwrap();
        let d = &json["diagnostics"][0];
        assert_eq!(d["line"], 2);
        // `tags: ["😀", ` is 15 bytes with the 4-byte emoji, 13 UTF-16 units.
        assert_eq!(d["column_utf8"], 16);
        assert_eq!(d["column_utf16"], 14);
        assert_eq!(d["end_column_utf8"], 19);
        assert_eq!(d["end_column_utf16"], 17);
        assert_eq!(json["summary"]["errors"], 1);
        assert_eq!(report.exit_code(), 1);
    }

    #[test]
    fn bad_spans_and_lone_cr_do_not_panic() {
        let text = "a\r优\rb";
        let report = fake_report(
            text,
            &[(Span::new(3, 99), "bad-url", Severity::Error), (Span::new(99, 200), "bad-url", Severity::Hint)],
        );
        let out = String::from_utf8(render_human(&report, true)).unwrap();
        assert!(out.contains("1 error, 0 warnings, 1 hint in 1 file"), "{out}");
        assert!(out.contains("\u{1b}["), "colour codes when asked");
        let _ = render_json(&report);
    }

    #[test]
    fn every_parsed_file_is_checked_once_whichever_thread_queued_it() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(3).build().unwrap();
        let config = Config::default();
        let names: Vec<String> = (0..200).map(|i| format!("d{i:03}.md")).collect();
        let checked = pool.install(|| {
            let parsed = Parsed::new(rayon::current_num_threads());
            names.par_chunks(7).for_each(|chunk| {
                let files = chunk.iter().map(|n| (PathBuf::from(n), n.clone(), Analysis::new(n, &config))).collect();
                parsed.keep(files);
            });
            // Everything queued on one thread too: the others take from its back.
            parsed.keep(vec![(PathBuf::from("last.md"), String::new(), Analysis::new("", &config))]);
            parsed.check_each(|(path, text, _)| FileReport { path, text, diagnostics: Vec::new() })
        });
        let mut got: Vec<String> = checked.iter().map(|f| f.path.display().to_string()).collect();
        got.sort();
        let mut want = names.clone();
        want.push("last.md".into());
        want.sort();
        assert_eq!(got, want);
        assert!(checked.iter().all(|f| f.path.display().to_string() == f.text || f.path.ends_with("last.md")));
    }

    #[test]
    fn exit_code_precedence() {
        let mut report = fake_report("x", &[(Span::new(0, 1), "bad-url", Severity::Warning)]);
        assert_eq!(report.exit_code(), 0);
        report.files[0].diagnostics[0].severity = Severity::Error;
        assert_eq!(report.exit_code(), 1);
        report.problems.push(Problem { path: "b.md".into(), message: "not valid UTF-8 (byte 3)".into() });
        assert_eq!(report.exit_code(), 2);
        assert_eq!(report.summary().to_string(), "1 error, 0 warnings in 1 file; 1 path could not be checked");
    }

    #[test]
    fn roots_and_display_paths() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        std::fs::create_dir_all(site.join("content/posts")).unwrap();
        std::fs::write(site.join("hugo.toml"), "").unwrap();
        assert_eq!(find_root(&site.join("content/posts")), site);
        assert_eq!(display_path(&site.join("content/a.md"), &site), Path::new("content/a.md"));
        assert_eq!(display_path(&site, &site), Path::new("."));
        assert_eq!(normalise(Path::new("/a/./b/../c")), Path::new("/a/c"));
    }

    #[test]
    fn a_nested_site_uses_its_own_configuration() {
        let dir = tempfile::tempdir().unwrap();
        let top = dir.path();
        std::fs::create_dir(top.join(".git")).unwrap();
        let site = top.join("sites/blog");
        std::fs::create_dir_all(site.join("content")).unwrap();
        std::fs::write(site.join("hugo.toml"), "").unwrap();
        std::fs::write(site.join(config::FILE_NAME), "[severity]\nduplicate-tag = \"off\"\n").unwrap();
        std::fs::write(site.join("content/a.md"), "---\ntags: [\"x\", \"x\"]\n---\n").unwrap();
        std::fs::write(top.join("notes.md"), "---\ntags: [\"x\", \"x\"]\n---\n").unwrap();
        let report = check_paths(&[], top);
        assert_eq!(report.checked, 2);
        let paths: Vec<&Path> = report.files.iter().map(|f| f.path.as_path()).collect();
        assert_eq!(paths, [Path::new("notes.md"), Path::new("sites/blog/content/a.md")]);
        let codes = |i: usize| report.files[i].diagnostics.iter().map(|d| d.code).collect::<Vec<_>>();
        assert!(codes(0).contains(&"duplicate-tag"), "the top level keeps the defaults");
        assert!(!codes(1).contains(&"duplicate-tag"), "the site turns the check off");
    }

    #[test]
    fn checks_a_folder_and_reports_unreadable_files() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path();
        std::fs::write(site.join("hugo.toml"), "").unwrap();
        std::fs::write(site.join(config::FILE_NAME), "requird-keys = []\n").unwrap();
        std::fs::create_dir_all(site.join("content/posts")).unwrap();
        std::fs::write(site.join("content/posts/a.md"), "---\ntitle: a\n---\n").unwrap();
        std::fs::write(site.join("content/posts/b.md"), b"---\ntitle: \xff\n---\n").unwrap();
        let report = check_paths(&[PathBuf::from("content")], site);
        assert_eq!(report.checked, 1);
        assert_eq!(
            report.problems,
            [Problem { path: "content/posts/b.md".into(), message: "not valid UTF-8 (byte 11)".into() }]
        );
        let config_file = report.files.iter().find(|f| f.path == Path::new(config::FILE_NAME)).unwrap();
        assert_eq!(config_file.diagnostics[0].code, "config");
        assert_eq!(report.exit_code(), 2);
        let config_only = check_paths(&[PathBuf::from(config::FILE_NAME)], site);
        assert_eq!((config_only.checked, config_only.files.len()), (0, 1));
        let missing = check_paths(&[PathBuf::from("nope")], site);
        assert_eq!(missing.problems.len(), 1);
        assert_eq!(missing.exit_code(), 2);
    }
}
