//! Test fixtures: a string with `//- path` headers splitting it into files and a `$0` cursor, made into a workspace.
//!
//! Used by the tests of every feature so that they read like the feature: the digest,
//! the cursor, and the expected result beside it.

use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::config::Config;
use crate::diagnostics::Diagnostic;
use crate::text::{Encoding, LineIndex};
use crate::workspace::{DigestInfo, Workspace};

pub const CURSOR: &str = "$0";
const DEFAULT_PATH: &str = "content/posts/digest.md";

#[derive(Clone, Debug)]
pub struct FixtureFile {
    pub path: PathBuf,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Fixture {
    pub files: Vec<FixtureFile>,
    /// (file index, byte offset) of the `$0` marker, removed from the text.
    pub cursor: Option<(usize, usize)>,
    pub config: Config,
}

impl Fixture {
    /// Splits at lines `//- path`; text before the first header (or all of it, without
    /// headers) is `content/posts/digest.md`. A `digest-ls.toml` file sets the config.
    pub fn parse(fixture: &str) -> Fixture {
        let mut files: Vec<FixtureFile> = Vec::new();
        let mut current = FixtureFile { path: DEFAULT_PATH.into(), text: String::new() };
        let mut started = false;
        for line in fixture.split_inclusive('\n') {
            if let Some(path) = line.strip_prefix("//- ") {
                if started || !current.text.trim().is_empty() {
                    files.push(current);
                }
                current = FixtureFile { path: path.trim().into(), text: String::new() };
                started = true;
            } else {
                current.text.push_str(line);
            }
        }
        files.push(current);
        let config = files
            .iter()
            .find(|f| f.path == Path::new(crate::config::FILE_NAME))
            .map(|f| Config::from_toml(&f.text).0)
            .unwrap_or_default();
        // Drop the config file before numbering files, so the cursor's index is right.
        files.retain(|f| f.path != Path::new(crate::config::FILE_NAME));
        let mut cursor = None;
        for (i, f) in files.iter_mut().enumerate() {
            if let Some(at) = f.text.find(CURSOR) {
                f.text.replace_range(at..at + CURSOR.len(), "");
                cursor = Some((i, at));
            }
        }
        Fixture { files, cursor, config }
    }

    /// The file with the cursor, else the first one.
    pub fn main(&self) -> &FixtureFile {
        &self.files[self.cursor.map_or(0, |c| c.0)]
    }

    pub fn offset(&self) -> usize {
        self.cursor.expect("fixture has no $0 cursor").1
    }

    pub fn analysis(&self) -> Analysis {
        Analysis::new(&self.main().text, &self.config)
    }

    /// Every file of the fixture indexed.
    pub fn workspace(&self) -> Workspace {
        let mut ws = Workspace::new();
        for f in &self.files {
            let analysis = Analysis::new(&f.text, &self.config);
            ws.update(&f.path, Some(DigestInfo::from_analysis(&analysis)));
        }
        ws
    }
}

/// One line per diagnostic: `line:col..line:col severity[code] `spanned text`: message`,
/// lines and UTF-16 columns 1-based, so a snapshot shows exactly what is underlined.
pub fn render_diagnostics(text: &str, diagnostics: &[Diagnostic]) -> String {
    let index = LineIndex::new(text);
    let mut out = String::new();
    for d in diagnostics {
        let (l1, c1) = index.position(text, d.span.start, Encoding::Utf16);
        let (l2, c2) = index.position(text, d.span.end, Encoding::Utf16);
        let snippet = text.get(d.span.range()).unwrap_or("<bad span>");
        out.push_str(&format!(
            "{}:{}..{}:{} {}[{}] `{}`: {}\n",
            l1 + 1,
            c1 + 1,
            l2 + 1,
            c2 + 1,
            d.severity.as_str(),
            d.code,
            snippet.escape_debug(),
            d.message
        ));
        for r in &d.related {
            out.push_str(&format!("    related {}: {}\n", r.path.display(), r.message));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_file_before_the_cursor_file() {
        let f = Fixture::parse("//- digest-ls.toml\nrequired-keys = []\n//- content/a.md\nx\n//- content/b.md\ny$0\n");
        assert_eq!(f.files.len(), 2);
        assert_eq!(f.main().path, Path::new("content/b.md"));
        assert_eq!(f.offset(), 1);
        assert!(f.config.required_keys.is_empty());
    }
}
