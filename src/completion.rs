//! Completion: what is being typed at an offset (a tag, a key, a date) and the ranked candidates.

use crate::analysis::Analysis;
use crate::config::Config;
use crate::text::{Source, Span};
use crate::workspace::Workspace;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ItemKind {
    Tag,
    Key,
    Date,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    pub label: String,
    pub kind: ItemKind,
    pub detail: Option<String>,
    pub documentation: Option<String>,
    /// Replace `edit.0` with `edit.1`.
    pub edit: (Span, String),
    /// Sorts the items in rank order.
    pub sort_text: String,
    pub filter_text: Option<String>,
}

/// Completion items at byte `offset` of `text`.
pub fn complete<S: Source + ?Sized>(
    text: &S,
    analysis: &Analysis,
    offset: usize,
    config: &Config,
    workspace: &Workspace,
) -> Vec<CompletionItem> {
    let _ = (text, analysis, offset, config, workspace);
    Vec::new()
}
