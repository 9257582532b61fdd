//! Checks on the `tags` list: duplicates, variants Hugo merges, empty tags, likely typos of frequent tags.

use super::Diagnostic;
use crate::analysis::Analysis;
use crate::config::Config;
use crate::workspace::Workspace;

pub(super) fn check(
    analysis: &Analysis,
    path: &std::path::Path,
    config: &Config,
    workspace: &Workspace,
    out: &mut Vec<Diagnostic>,
) {
    let _ = (analysis, path, config, workspace, out);
}
