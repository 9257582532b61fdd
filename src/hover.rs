//! Hovers: what a reference link points to and where else it is cited; how a tag is used across the workspace.

use std::path::Path;

use crate::analysis::Analysis;
use crate::config::Config;
use crate::text::Span;
use crate::workspace::Workspace;

/// A hover: Markdown text and the span it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// The hover at byte `offset` of the digest at `path`, if there is something to say.
pub fn hover(analysis: &Analysis, path: &Path, offset: usize, config: &Config, workspace: &Workspace) -> Option<Hover> {
    let _ = (analysis, path, offset, config, workspace);
    None
}
