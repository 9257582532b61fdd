//! Diagnostics: the shared types, the catalogue of codes, and the run over one digest.
//!
//! Each check lives in the submodule for what it looks at; every diagnostic has a
//! stable code from `CODES`, and its severity can be changed or turned off per code
//! in the configuration.

mod body;
mod cache;
mod front_matter;
mod tags;
mod workspace;

pub(crate) use cache::definitions;
pub use cache::Cache;
pub use tags::variant_key;

use crate::analysis::Analysis;
use crate::config::Config;
use crate::text::Span;
use crate::workspace::Workspace;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
    Information,
    Hint,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Information => "info",
            Severity::Hint => "hint",
        }
    }
}

/// A place in another file that a diagnostic refers to (e.g. an earlier use).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Related {
    /// Shared with the workspace index: a digest cited 100,000 times is one allocation.
    pub path: std::sync::Arc<std::path::Path>,
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub span: Span,
    pub severity: Severity,
    /// A stable code from `CODES`.
    pub code: &'static str,
    pub message: String,
    pub related: Vec<Related>,
}

impl Diagnostic {
    pub fn new(code: &'static str, span: Span, message: impl Into<String>) -> Diagnostic {
        let severity = CODES.iter().find(|c| c.code == code).map_or(Severity::Warning, |c| c.severity);
        Diagnostic { span, severity, code, message: message.into(), related: Vec::new() }
    }
}

/// One entry of the diagnostic catalogue (also rendered into the README).
pub struct CodeInfo {
    pub code: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
}

macro_rules! catalogue {
    ($($code:literal $sev:ident $summary:literal;)*) => {
        /// Every diagnostic code with its default severity.
        pub const CODES: &[CodeInfo] = &[$(CodeInfo { code: $code, severity: Severity::$sev, summary: $summary }),*];
    };
}

catalogue! {
    "missing-front-matter" Error "The digest does not start with a `---` front matter block.";
    "unterminated-front-matter" Error "The front matter has no closing `---` line.";
    "dots-closing-fence" Error "The front matter is closed with `...`, which Hugo does not accept.";
    "yaml-syntax" Error "The front matter is not valid YAML.";
    "limit" Information "A limit (size, nesting, node count) stopped the analysis of part of the file.";
    "missing-key" Error "A required key (title, date, tags by default) is missing.";
    "empty-value" Error "A required key has an empty value.";
    "wrong-type" Error "A key's value has the wrong type (e.g. a title that is not a string).";
    "tags-not-list" Warning "`tags` is a scalar: Hugo reads it as one tag.";
    "invalid-date" Error "Hugo cannot parse the date and silently dates the page 0001-01-01.";
    "unix-date" Warning "A bare integer date is read by Hugo as Unix seconds.";
    "date-without-offset" Hint "A date without a UTC offset is read as UTC.";
    "future-date" Warning "The date is in the future: Hugo does not publish the page by default.";
    "duplicate-key" Warning "A key appears twice; Hugo silently keeps the last one.";
    "key-typo" Warning "A key is close to a known key and probably misspelt.";
    "yaml-alias" Information "An alias in the front matter is not expanded by digest-ls.";
    "duplicate-tag" Warning "The same tag appears twice in the list.";
    "tag-variant" Warning "Two tags differ only by case, width or surrounding spaces; Hugo merges them into one term.";
    "empty-tag" Warning "A tag is an empty string.";
    "tag-typo" Hint "A tag used nowhere else in the workspace is close to a frequent one.";
    "unknown-tag" Warning "A tag is not in the closed vocabulary of `digest-ls.toml`.";
    "bad-url" Error "A reference URL does not parse.";
    "empty-link" Error "A link has an empty target.";
    "non-http-link" Warning "A reference link uses a scheme other than http(s).";
    "topic-number" Warning "Topic numbers are out of order, repeated or skipped.";
    "cited-before" Information "A reference was already cited in an earlier digest (named, with its topic).";
    "label-mismatch" Hint "A reference label does not fit its URL (`代码` not on a code host, `数据` not a dataset page, ...).";
    "title-topics" Hint "The title names none of the topics of the body.";
    "headline-topics" Hint "The `##` headline leaves out some of the topics.";
    "config" Error "`digest-ls.toml` cannot be read; the defaults apply.";
}

/// All diagnostics for one digest, with the configured severities applied and the
/// checks turned off in the configuration removed. `path` identifies the digest in
/// the workspace (to tell its own tags from other digests').
pub fn check(analysis: &Analysis, path: &std::path::Path, config: &Config, workspace: &Workspace) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    front_matter::check(analysis, config, &mut out);
    tags::check(analysis, path, config, workspace, &mut out);
    body::check(analysis, config, &mut out);
    workspace::check(analysis, path, config, workspace, &mut out);
    apply_severities(&mut out, config);
    sort(&mut out);
    out
}

/// Applies the configured severities and drops the checks turned off.
fn apply_severities(out: &mut Vec<Diagnostic>, config: &Config) {
    out.retain_mut(|d| match config.severity_of(d.code) {
        Some(Some(s)) => {
            d.severity = s;
            true
        }
        Some(None) => false,
        None => true,
    });
}

/// The order of the output: by span, then code (stable, so pushes of one check keep their order).
fn sort(out: &mut [Diagnostic]) {
    out.sort_by_key(|d| (d.span.start, d.span.end, d.code));
}
