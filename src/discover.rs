//! Which files are digests: walking workspace folders (respecting .gitignore) and the include/exclude rules.
//!
//! The rule: `exclude` globs always win; when `include` globs are set they alone
//! decide; otherwise a digest is a Markdown file (`.md`, `.markdown`) under a Hugo
//! `content/` folder, or any Markdown file whose text opens with a front matter
//! fence, but never a README, CHANGELOG or LICENSE. Globs are relative to the
//! workspace root, `*` does not cross `/`, and a glob without `/` matches the file
//! name at any depth (as in `.gitignore`).

use std::io::Read;
use std::path::{Path, PathBuf};

use globset::{GlobBuilder, GlobSet, GlobSetBuilder};
use ignore::{DirEntry, WalkBuilder};

use crate::config::Config;

/// Folders never walked into, whatever the ignore files say.
const SKIPPED_DIRS: &[&str] = &[".git", "node_modules", "target"];

/// How many bytes of a file `is_digest` needs at most to see a front-matter fence.
pub const HEAD_BYTES: usize = 1024;

/// A file or folder the walk could not read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalkError {
    /// The entry, when the error names one.
    pub path: Option<PathBuf>,
    pub message: String,
    /// A symbolic link back to one of its own ancestors: skipped, not an I/O failure.
    pub is_loop: bool,
}

/// Every digest under `root`, in `Path` order. Unreadable entries are logged and
/// skipped.
pub fn walk(root: &Path, config: &Config) -> Vec<PathBuf> {
    let (paths, errors) = walk_with_errors(root, config);
    log_errors(root, errors);
    paths
}

/// Logs the entries under `root` that a walk could not read.
pub fn log_errors(root: &Path, errors: Vec<WalkError>) {
    for e in errors {
        match e.path {
            Some(p) => tracing::warn!("skipping {}: {}", p.display(), e.message),
            None => tracing::warn!("skipping an entry under {}: {}", root.display(), e.message),
        }
    }
}

/// Like [`walk`], but returns the entries that could not be read instead of logging
/// them (the `check` command reports them).
pub fn walk_with_errors(root: &Path, config: &Config) -> (Vec<PathBuf>, Vec<WalkError>) {
    let mut found = Vec::new();
    let errors = walk_each(root, config, |path| {
        found.push(path);
        true
    });
    (found, errors)
}

/// Does the walk's one-time set-up ahead of the first walk: `ignore` reads git's global
/// excludes setting with a regex that it compiles once per process (about 1.3 M
/// instructions, before the first path of the first walk). The server runs this while
/// the client reads its answer to `initialize`.
pub fn prepare() {
    let _ = ignore::gitignore::gitconfig_excludes_path();
}

/// Hands each digest under `root` to `visit` as the walk finds it, so that the
/// server's parsers start on the first files while the walk goes on. The order is
/// `Path` order, the order a sort of the whole list would give: each folder's
/// entries sorted by name, a subfolder walked where its name falls. `visit` returns
/// false to stop the walk. Returns the entries that could not be read, sorted.
pub fn walk_each(root: &Path, config: &Config, mut visit: impl FnMut(PathBuf) -> bool) -> Vec<WalkError> {
    let rules = Rules::new(config);
    let mut errors = Vec::new();
    let mut builder = WalkBuilder::new(root);
    builder
        // Hidden folders (`.git`, `.cache`, ...) hold no digests; `.gitignore` applies
        // even outside a git checkout, since a copied site keeps its ignore file.
        .hidden(true)
        .require_git(false)
        .follow_links(true)
        .filter_entry(|e| !is_skipped_dir(e))
        // Siblings share their folder's path, so comparing whole paths byte by byte
        // orders them by name, as `Path` orders components. (`sort_by_file_name` split
        // each path again on every comparison: 14 ms for a folder of 10,000 digests.)
        .sort_by_file_path(|a, b| a.as_os_str().cmp(b.as_os_str()));
    // One thread: the parallel walker queues every entry for its threads, and on a
    // folder of 10,000 digests took as long on both cores (14-18 ms) as this on one.
    for entry in builder.build() {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => {
                errors.push(walk_error(&e));
                continue;
            }
        };
        if !entry.file_type().is_some_and(|t| t.is_file()) || !is_markdown(entry.path()) {
            continue;
        }
        let path = entry.into_path();
        let digest = match rules.decide_by_path(root, &path) {
            Some(decided) => decided,
            None => match read_head(&path) {
                Ok(head) => opens_with_front_matter(&head),
                Err(e) => {
                    errors.push(WalkError { path: Some(path), message: e.to_string(), is_loop: false });
                    continue;
                }
            },
        };
        if digest && !visit(path) {
            break;
        }
    }
    errors.sort_by(|a, b| a.path.cmp(&b.path).then_with(|| a.message.cmp(&b.message)));
    errors
}

fn walk_error(e: &ignore::Error) -> WalkError {
    fn path_of(e: &ignore::Error) -> Option<PathBuf> {
        match e {
            ignore::Error::WithPath { path, .. } => Some(path.clone()),
            ignore::Error::WithDepth { err, .. } | ignore::Error::WithLineNumber { err, .. } => path_of(err),
            ignore::Error::Loop { child, .. } => Some(child.clone()),
            _ => None,
        }
    }
    fn is_loop(e: &ignore::Error) -> bool {
        match e {
            ignore::Error::Loop { .. } => true,
            ignore::Error::WithPath { err, .. }
            | ignore::Error::WithDepth { err, .. }
            | ignore::Error::WithLineNumber { err, .. } => is_loop(err),
            _ => false,
        }
    }
    WalkError { path: path_of(e), message: e.to_string(), is_loop: is_loop(e) }
}

fn is_skipped_dir(entry: &DirEntry) -> bool {
    // The root itself is never skipped: the user asked for it.
    entry.depth() > 0
        && entry.file_type().is_some_and(|t| t.is_dir())
        && entry.file_name().to_str().is_some_and(|n| SKIPPED_DIRS.contains(&n))
}

/// Whether `path` (under `root`) is a digest, judged by its path and, when the rules
/// need it, by the start of its text (`head`, e.g. from [`read_head`]; `None` when
/// unknown, which counts as no front matter).
pub fn is_digest(root: &Path, path: &Path, head: Option<&str>, config: &Config) -> bool {
    let rules = Rules::new(config);
    match rules.decide_by_path(root, path) {
        Some(decided) => decided,
        None => head.is_some_and(opens_with_front_matter),
    }
}

/// Reads at most [`HEAD_BYTES`] from the start of a file, as text (invalid UTF-8,
/// such as a character cut at the end, is replaced).
pub fn read_head(path: &Path) -> std::io::Result<String> {
    let mut buf = Vec::with_capacity(HEAD_BYTES);
    std::fs::File::open(path)?.take(HEAD_BYTES as u64).read_to_end(&mut buf)?;
    Ok(String::from_utf8_lossy(&buf).into_owned())
}

/// Whether the text opens with a `---` or `+++` fence line (after an optional BOM and
/// blank lines; trailing spaces and CRLF allowed).
pub fn opens_with_front_matter(head: &str) -> bool {
    let text = head.strip_prefix('\u{feff}').unwrap_or(head);
    let first = text.split(['\n', '\r']).find(|line| !line.trim().is_empty());
    first.is_some_and(|line| matches!(line.trim_end(), "---" | "+++"))
}

fn is_markdown(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("md") || e.eq_ignore_ascii_case("markdown"))
}

fn is_project_file(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_ascii_uppercase();
    ["README", "CHANGELOG", "LICENSE"].iter().any(|p| name.starts_with(p))
}

/// The compiled include/exclude globs of a configuration.
struct Rules {
    include: Option<Globs>,
    exclude: Option<Globs>,
}

/// Globs with a `/` match the path relative to the root; others match the file name.
struct Globs {
    by_path: GlobSet,
    by_name: GlobSet,
}

impl Globs {
    fn new(patterns: &[String]) -> Option<Globs> {
        if patterns.is_empty() {
            return None;
        }
        let mut by_path = GlobSetBuilder::new();
        let mut by_name = GlobSetBuilder::new();
        for p in patterns {
            let pattern = p.strip_prefix("./").unwrap_or(p).trim_start_matches('/');
            match GlobBuilder::new(pattern).literal_separator(true).build() {
                Ok(glob) if pattern.contains('/') => {
                    by_path.add(glob);
                }
                Ok(glob) => {
                    by_name.add(glob);
                }
                Err(e) => tracing::warn!("ignoring glob `{p}`: {e}"),
            }
        }
        let empty = GlobSet::empty;
        Some(Globs {
            by_path: by_path.build().unwrap_or_else(|_| empty()),
            by_name: by_name.build().unwrap_or_else(|_| empty()),
        })
    }

    fn is_match(&self, relative: &Path) -> bool {
        self.by_path.is_match(relative) || relative.file_name().is_some_and(|n| self.by_name.is_match(n))
    }
}

impl Rules {
    fn new(config: &Config) -> Rules {
        Rules { include: Globs::new(&config.include), exclude: Globs::new(&config.exclude) }
    }

    /// `Some(answer)` when the path decides, `None` when the file's head must tell.
    fn decide_by_path(&self, root: &Path, path: &Path) -> Option<bool> {
        let relative = path.strip_prefix(root).unwrap_or(path);
        let relative = relative.strip_prefix(".").unwrap_or(relative);
        if self.exclude.as_ref().is_some_and(|g| g.is_match(relative)) {
            return Some(false);
        }
        if let Some(include) = &self.include {
            return Some(include.is_match(relative));
        }
        if !is_markdown(path) || is_project_file(path) {
            return Some(false);
        }
        let under_content = relative.parent().is_some_and(|dir| dir.components().any(|c| c.as_os_str() == "content"));
        if under_content {
            Some(true)
        } else {
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, rel: &str, text: &str) {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }

    fn relative(root: &Path, paths: Vec<PathBuf>) -> Vec<String> {
        paths.iter().map(|p| p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/")).collect()
    }

    #[test]
    fn default_rule_content_folder_and_front_matter() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "content/posts/a.md", "no front matter, but under content/");
        write(root, "content/posts/b.markdown", "---\ntitle: b\n---\n");
        write(root, "content/README.md", "---\n---\n");
        write(root, "notes/c.md", "\u{feff}---\r\ntitle: c\r\n---\r\n");
        write(root, "notes/d.md", "# plain Markdown\n");
        write(root, "notes/e.md", "\n+++\ntitle = 'e'\n+++\n");
        write(root, "notes/f.txt", "---\n---\n");
        write(root, "CHANGELOG.md", "---\n---\n");
        write(root, "LICENSE.md", "---\n---\n");
        write(root, "node_modules/pkg/g.md", "---\n---\n");
        write(root, "target/h.md", "---\n---\n");
        write(root, ".git/i.md", "---\n---\n");
        write(root, "content/drafts/j.md", "---\n---\n");
        write(root, ".gitignore", "content/drafts/\n");
        let found = relative(root, walk(root, &Config::default()));
        assert_eq!(found, ["content/posts/a.md", "content/posts/b.markdown", "notes/c.md", "notes/e.md"]);
    }

    #[test]
    fn the_walk_gives_path_order() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let names = [
            "a/b/c.md",
            "a.md",
            "a-b.md",
            "a b.md",
            "ab.md",
            "A.md",
            "a/z.md",
            "a-b/x.md",
            "posts/2024-07-05.md",
            "posts/2024-07-05/index.md",
            "posts-old/x.md",
            "内容/😀.md",
            "内容/笔记.md",
            "内容.md",
            "~.md",
            "\u{7f}.md",
        ];
        for name in names {
            write(root, &format!("content/{name}"), "x");
        }
        let found = walk(root, &Config::default());
        let mut sorted = found.clone();
        sorted.sort();
        assert_eq!(found.len(), names.len());
        assert_eq!(relative(root, found), relative(root, sorted));
        // Stopping early gives the first ones.
        let mut first = Vec::new();
        walk_each(root, &Config::default(), |p| {
            first.push(p);
            first.len() < 3
        });
        let all = walk(root, &Config::default());
        assert_eq!(first, all[..3]);
    }

    #[test]
    fn include_and_exclude_globs() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "posts/2024/a.md", "no front matter");
        write(root, "posts/2024/b.md", "---\n---\n");
        write(root, "posts/top.md", "x");
        write(root, "content/c.md", "---\n---\n");
        write(root, "content/skip-me.md", "---\n---\n");
        let config = Config { include: vec!["posts/**/*.md".into()], ..Config::default() };
        let found = relative(root, walk(root, &config));
        assert_eq!(found, ["posts/2024/a.md", "posts/2024/b.md", "posts/top.md"]);
        // `*` does not cross `/`.
        let config = Config { include: vec!["posts/*.md".into()], ..Config::default() };
        assert_eq!(relative(root, walk(root, &config)), ["posts/top.md"]);
        // Exclude wins over the default rule and over include; a bare name matches at any depth.
        let config = Config { exclude: vec!["skip-*.md".into(), "posts/2024/a.md".into()], ..Config::default() };
        assert_eq!(relative(root, walk(root, &config)), ["content/c.md", "posts/2024/b.md"]);
        let config =
            Config { include: vec!["**/*.md".into()], exclude: vec!["content/**".into()], ..Config::default() };
        assert_eq!(relative(root, walk(root, &config)), ["posts/2024/a.md", "posts/2024/b.md", "posts/top.md"]);
    }

    #[test]
    fn is_digest_by_path_and_head() {
        let config = Config::default();
        let root = Path::new("/site");
        assert!(is_digest(root, Path::new("/site/content/posts/a.md"), None, &config));
        assert!(!is_digest(root, Path::new("/site/content/posts/a.txt"), Some("---\n"), &config));
        assert!(!is_digest(root, Path::new("/site/content/Readme.md"), None, &config));
        assert!(is_digest(root, Path::new("/site/notes/a.md"), Some("---  \r\ntitle: x\r\n"), &config));
        assert!(!is_digest(root, Path::new("/site/notes/a.md"), Some("--- x\n"), &config));
        assert!(!is_digest(root, Path::new("/site/notes/a.md"), None, &config));
        assert!(!is_digest(root, Path::new("/site/notes/a.md"), Some(""), &config));
        // A `content` file name is not a `content/` folder.
        assert!(!is_digest(root, Path::new("/site/content.md"), Some("# x"), &config));
        // Broken globs are ignored, not fatal.
        let config = Config { include: vec!["[".into(), "*.md".into()], ..Config::default() };
        assert!(is_digest(root, Path::new("/site/x/y.md"), None, &config));
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_unreadable_entries_are_not_fatal() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        write(root, "content/a.md", "x");
        std::os::unix::fs::symlink(root.join("content"), root.join("content/loop")).unwrap();
        let (found, errors) = walk_with_errors(root, &Config::default());
        assert_eq!(relative(root, found), ["content/a.md"]);
        assert!(errors.iter().any(|e| e.is_loop), "the loop is reported: {errors:?}");
    }

    #[test]
    fn head_reading_is_bounded_and_lossy() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.md");
        let mut text = String::from("---\n");
        text.push_str(&"优".repeat(2000));
        std::fs::write(&path, &text).unwrap();
        let head = read_head(&path).unwrap();
        assert!(head.len() <= HEAD_BYTES + 3);
        assert!(opens_with_front_matter(&head));
        assert!(read_head(&dir.path().join("missing.md")).is_err());
    }
}
