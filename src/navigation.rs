//! Navigation: find references on a tag or a reference link, and go to a tag's definition (its vocabulary entry, else its earliest use).
//!
//! Links are matched with the hover's normalisation (`resource::key`: arXiv abs/pdf and
//! versions, http/https, `www.`, trailing slashes). Tags match by exact spelling, the
//! way Hugo's terms differ (variants have their own diagnostic and quick fix).

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::analysis::Analysis;
use crate::config::Config;
use crate::rename::{tag_nodes, Texts};
use crate::text::Span;
use crate::workspace::Workspace;

/// A span in a file.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub path: PathBuf,
    pub span: Span,
}

/// What the cursor is on.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Target {
    /// A tag item of the front matter: its value and span (quotes included).
    Tag { name: String, span: Span },
    /// A link in the body with a resource key.
    Link { key: String, span: Span },
}

/// The tag item or the link at `offset`.
pub fn target_at(analysis: &Analysis, offset: usize) -> Option<Target> {
    if let Some(n) = tag_nodes(analysis).into_iter().find(|n| n.span.touches(offset)) {
        return Some(Target::Tag { name: n.value, span: n.span });
    }
    let body = &analysis.body;
    let i = body.block_at(offset)?;
    // A cursor right after a block's last link may sit in the next block's span.
    let blocks = body.blocks.get(i.saturating_sub(1)..=i)?;
    blocks.iter().flat_map(|b| b.links.iter()).filter(|l| l.span.touches(offset)).find_map(|l| {
        let key = body.resolve(l).and_then(crate::resource::key)?;
        Some(Target::Link { key, span: l.span })
    })
}

/// The spans of tag items spelt `name` in `text`.
fn tag_spans(text: &str, name: &str, config: &Config) -> Vec<Span> {
    let analysis = Analysis::new(text, config);
    tag_nodes(&analysis).into_iter().filter(|n| n.value == name).map(|n| n.span).collect()
}

/// Every place in the workspace that uses the tag or cites the resource at `offset`,
/// sorted by path and position. The digest at `path` is read from `analysis` (its
/// current text); other digests through `texts`.
pub fn references(
    analysis: &Analysis,
    path: &Path,
    offset: usize,
    config: &Config,
    workspace: &Workspace,
    texts: Texts<'_>,
) -> Vec<Location> {
    let mut out = Vec::new();
    match target_at(analysis, offset) {
        None => return out,
        Some(Target::Tag { name, .. }) => {
            for n in tag_nodes(analysis).into_iter().filter(|n| n.value == name) {
                out.push(Location { path: path.to_path_buf(), span: n.span });
            }
            for p in workspace.tagged(&name).filter(|&p| p != path) {
                let Some(text) = texts(p) else { continue };
                out.extend(
                    tag_spans(&text, &name, config).into_iter().map(|span| Location { path: p.to_path_buf(), span }),
                );
            }
        }
        Some(Target::Link { key, .. }) => {
            let resolver = analysis.body.resolver();
            for block in &analysis.body.blocks {
                for l in &block.links {
                    if resolver.resolve(l).and_then(crate::resource::key).as_deref() == Some(key.as_str()) {
                        out.push(Location { path: path.to_path_buf(), span: l.span });
                    }
                }
            }
            for (p, _, c) in workspace.citations(&key) {
                if p != path {
                    out.push(Location { path: p.to_path_buf(), span: c.span });
                }
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// Where a tag is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Definition {
    /// The entry of the closed vocabulary in `digest-ls.toml` (the string, quotes included).
    Vocabulary(Location),
    /// The tag item of the digest that used it first (by date, then path).
    EarliestUse(Location),
}

/// The definition of the tag at `offset`: its vocabulary entry when the workspace has
/// a closed vocabulary listing it (`config_file` is the workspace's `digest-ls.toml`),
/// else its earliest use in the workspace.
pub fn definition(
    analysis: &Analysis,
    path: &Path,
    offset: usize,
    config: &Config,
    config_file: Option<&Path>,
    workspace: &Workspace,
    texts: Texts<'_>,
) -> Option<Definition> {
    let Some(Target::Tag { name, span }) = target_at(analysis, offset) else { return None };
    if config.vocabulary.as_ref().is_some_and(|v| v.contains(&name)) {
        if let Some(file) = config_file {
            if let Some(entry) = texts(file).and_then(|t| vocabulary_entry(&t, &name)) {
                return Some(Definition::Vocabulary(Location { path: file.to_path_buf(), span: entry }));
            }
        }
    }
    // The earliest digest by date; undated ones come last.
    let mut users: Vec<(Option<crate::date::HugoDate>, &Path)> =
        workspace.tagged(&name).map(|p| (workspace.get(p).and_then(|d| d.date), p)).collect();
    users.sort_by(|a, b| match (a.0, b.0) {
        (Some(x), Some(y)) => x.unix.cmp(&y.unix).then(a.1.cmp(b.1)),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => a.1.cmp(b.1),
    });
    for (_, p) in users {
        if p == path {
            let first = tag_nodes(analysis).into_iter().find(|n| n.value == name).map_or(span, |n| n.span);
            return Some(Definition::EarliestUse(Location { path: p.to_path_buf(), span: first }));
        }
        if let Some(first) = texts(p).and_then(|t| tag_spans(&t, &name, config).into_iter().next()) {
            return Some(Definition::EarliestUse(Location { path: p.to_path_buf(), span: first }));
        }
    }
    Some(Definition::EarliestUse(Location { path: path.to_path_buf(), span }))
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct VocabularyFile {
    tags: Option<VocabularyTable>,
}

#[derive(Deserialize, Default)]
#[serde(default, rename_all = "kebab-case")]
struct VocabularyTable {
    vocabulary: Option<Vec<toml::Spanned<String>>>,
}

/// The span of `tag` in `[tags] vocabulary` of a `digest-ls.toml` text (quotes included).
pub fn vocabulary_entry(toml_text: &str, tag: &str) -> Option<Span> {
    let file: VocabularyFile = toml::from_str(toml_text).ok()?;
    let entry = file.tags?.vocabulary?.into_iter().find(|v| v.get_ref() == tag)?;
    Some(Span::from(entry.span()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_entries_have_their_spans() {
        let text = "include = []\n[tags]\nvocabulary = [\"优化\", 'DPO']\n";
        let span = vocabulary_entry(text, "DPO").unwrap();
        assert_eq!(&text[span.range()], "'DPO'");
        assert_eq!(vocabulary_entry(text, "MoE"), None);
        assert_eq!(vocabulary_entry("[tags", "DPO"), None);
    }
}
