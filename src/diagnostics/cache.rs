//! Diagnostics of an open document kept per body block, so that a keystroke rechecks only the blocks it reparsed; the result always equals `diagnostics::check`.
//!
//! A block's link and reference checks read the block itself and a small context made
//! explicit here: the path, the digest's date, the configuration, the index as seen
//! from other digests (`Workspace::others_generation`) and, for blocks with reference
//! links, the document's link definitions. Blocks are named by the ids of
//! `Document::block_ids`: an edit gives the blocks it reparsed new ids and only moves
//! the others, so a cached block's diagnostics are moved by its block's move. The
//! front matter, tags, topic numbers, title and headline are checked again every time
//! (they read the whole document, and are cheap next to thousands of references).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{body, front_matter, tags, workspace, Diagnostic};
use crate::analysis::Analysis;
use crate::body::{normalize_label, Block};
use crate::config::Config;
use crate::document::BlockMemo;
use crate::resource::UrlFacts;
use crate::workspace::Workspace;

/// What every cached block result depends on besides its block.
#[derive(Clone, Debug, PartialEq)]
struct Context {
    path: PathBuf,
    date: Option<i64>,
    others: u64,
    config: Config,
}

#[derive(Clone, Debug)]
struct Entry {
    /// Whether the block has a reference link, whose target comes from the definitions.
    uses_definitions: bool,
    /// Already filtered by the configured severities.
    diagnostics: Vec<Diagnostic>,
}

/// Per-block diagnostics of one document (see the module comment).
#[derive(Clone, Debug, Default)]
pub struct Cache {
    context: Option<Context>,
    /// The link definitions as they resolve: (normalised label, URL, facts) in order.
    definitions: Vec<(String, String, Arc<UrlFacts>)>,
    blocks: BlockMemo<Entry>,
    headline: workspace::HeadlineMemo,
    /// Blocks checked again by the last run (for tests and benchmarks).
    pub last_checked: usize,
}

/// The link definitions of a body as they resolve: (normalised label, URL, facts) in order.
pub(crate) fn definitions(analysis: &Analysis) -> Vec<(String, String, Arc<UrlFacts>)> {
    let defs = analysis.body.blocks.iter().flat_map(|b| b.definitions.iter());
    defs.map(|d| (normalize_label(&d.label), d.url.clone(), d.facts.clone())).collect()
}

impl Cache {
    pub fn new() -> Cache {
        Cache::default()
    }

    /// The diagnostics of `analysis`, equal to `diagnostics::check(analysis, path, config,
    /// workspace)`. `ids` are the document's block ids (`Document::block_ids`); when they
    /// do not match the blocks, nothing is reused.
    pub fn check(
        &mut self,
        analysis: &Analysis,
        ids: &[u64],
        path: &Path,
        config: &Config,
        workspace: &Workspace,
    ) -> Vec<Diagnostic> {
        let context = Context {
            path: path.to_path_buf(),
            date: workspace::own_date(analysis),
            others: workspace.others_generation(path),
            config: config.clone(),
        };
        if self.context.as_ref() != Some(&context) {
            self.blocks.clear();
            self.context = Some(context);
        }
        let date = self.context.as_ref().and_then(|c| c.date);
        let definitions = definitions(analysis);
        let same_definitions = definitions == self.definitions;
        self.definitions = definitions;

        let mut out = Vec::new();
        front_matter::check(analysis, config, &mut out);
        tags::check(analysis, path, config, workspace, &mut out);
        super::apply_severities(&mut out, config);

        let resolver = analysis.body.resolver();
        self.last_checked = self.blocks.update(
            &analysis.body.blocks,
            ids,
            |e| same_definitions || !e.uses_definitions,
            |block| check_block(block, &resolver, date, path, config, workspace),
            |_, moved, e| {
                out.extend(e.diagnostics.iter().map(|d| {
                    let mut d = d.clone();
                    d.span = d.span.shift(moved);
                    d
                }))
            },
        );

        let mut whole = Vec::new();
        body::check_whole(analysis, config, &mut whole);
        workspace::check_whole(analysis, Some(&mut self.headline), &mut whole);
        super::apply_severities(&mut whole, config);
        out.append(&mut whole);
        super::sort(&mut out);
        out
    }
}

fn check_block(
    block: &Block,
    resolver: &crate::body::Resolver<'_>,
    date: Option<i64>,
    path: &Path,
    config: &Config,
    ws: &Workspace,
) -> Entry {
    let mut diagnostics = Vec::new();
    body::check_block(block, resolver, config, &mut diagnostics);
    workspace::check_block(block, resolver, date, path, config, ws, &mut diagnostics);
    super::apply_severities(&mut diagnostics, config);
    let uses_definitions = block.links.iter().any(|l| l.label.is_some());
    Entry { uses_definitions, diagnostics }
}
