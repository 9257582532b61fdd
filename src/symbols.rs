//! Symbols, folding ranges and document links of a digest; workspace symbols (every digest's topics, matched fuzzily).
//!
//! Document symbols: the `##` headline, each topic (`**N. title**`) with its
//! references as children, and the quick points. Folding: the front matter, each
//! topic, each reference list, the quick points. Links: inline links, autolinks,
//! reference links and bare URLs that are absolute URLs.

use std::path::{Path, PathBuf};

use crate::analysis::Analysis;
use crate::body::BlockKind;
use crate::config::Config;
use crate::date::HugoDate;
use crate::text::{Source, Span};
use crate::workspace::Workspace;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// The `##` headline of the day.
    Headline,
    Topic,
    /// A labelled reference under a topic.
    Reference,
    /// The `## Quick points：` section.
    QuickPoints,
    QuickPoint,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Symbol {
    pub name: String,
    pub detail: Option<String>,
    pub kind: SymbolKind,
    /// The whole extent, trailing blank lines excluded.
    pub span: Span,
    /// What to select when jumping to it (inside `span`).
    pub selection: Span,
    pub children: Vec<Symbol>,
}

fn is_quick_points(text: &str) -> bool {
    let t = text.trim();
    let t = t.strip_suffix(':').or_else(|| t.strip_suffix('：')).unwrap_or(t);
    t.trim().eq_ignore_ascii_case("quick points")
}

/// `span` without leading and trailing white space (a body's first block holds the
/// blank lines after the front matter).
fn trim_end<S: Source + ?Sized>(text: &S, span: Span) -> Span {
    let s = text.slice(span.range());
    let start = span.start + (s.len() - s.trim_start().len());
    let end = span.start + s.trim_end().len();
    Span::new(start.min(end), end.max(span.start))
}

/// The first `##` heading that is not the quick points: the headline of the day.
pub fn headline(analysis: &Analysis) -> Option<(&str, Span, Span)> {
    analysis.body.blocks.iter().find_map(|b| match &b.kind {
        BlockKind::Heading { level: 2, text, text_span } if !is_quick_points(text) => {
            Some((text.as_str(), b.span, *text_span))
        }
        _ => None,
    })
}

/// The symbols of one digest, in source order.
pub fn document_symbols<S: Source + ?Sized>(text: &S, analysis: &Analysis) -> Vec<Symbol> {
    let body = &analysis.body;
    let mut out = Vec::new();
    if let Some((name, span, selection)) = headline(analysis) {
        out.push(Symbol {
            name: name.to_string(),
            detail: None,
            kind: SymbolKind::Headline,
            span: trim_end(text, span),
            selection,
            children: Vec::new(),
        });
    }
    for topic in body.topics() {
        let mut children = Vec::new();
        let last = body.blocks.iter().position(|b| b.span.end >= topic.span.end).unwrap_or(topic.block);
        for block in body.blocks.get(topic.block..=last).unwrap_or_default() {
            for r in &block.references {
                let link = r.link.and_then(|i| block.links.get(i));
                let detail = match link {
                    Some(l) if !l.text.is_empty() => l.text.clone(),
                    Some(l) => body.resolve(l).unwrap_or_default().to_string(),
                    None => r.text.clone(),
                };
                children.push(Symbol {
                    name: r.label.clone(),
                    detail: (!detail.is_empty()).then_some(detail),
                    kind: SymbolKind::Reference,
                    span: r.span,
                    selection: r.label_span,
                    children: Vec::new(),
                });
            }
        }
        let number = topic.start.number.map(|n| format!("{n}. ")).unwrap_or_default();
        out.push(Symbol {
            name: format!("{number}{}", topic.start.title),
            detail: (!topic.start.summary.is_empty()).then(|| topic.start.summary.clone()),
            kind: SymbolKind::Topic,
            span: trim_end(text, topic.span),
            selection: topic.start.title_span,
            children,
        });
    }
    if let Some((heading, span, selection)) = quick_points_section(analysis) {
        let children = body
            .quick_points()
            .into_iter()
            .map(|item| Symbol {
                name: item.label.clone().unwrap_or_else(|| item.text.clone()),
                detail: item.label.as_ref().map(|_| item.text.clone()).filter(|t| !t.is_empty()),
                kind: SymbolKind::QuickPoint,
                span: item.span,
                selection: item.label_span.unwrap_or(item.span),
                children: Vec::new(),
            })
            .collect();
        out.push(Symbol {
            name: heading,
            detail: None,
            kind: SymbolKind::QuickPoints,
            span: trim_end(text, span),
            selection,
            children,
        });
    }
    out
}

/// The quick points heading's text, the section's span and the heading text's span.
fn quick_points_section(analysis: &Analysis) -> Option<(String, Span, Span)> {
    let blocks = &analysis.body.blocks;
    let start =
        blocks.iter().position(|b| matches!(&b.kind, BlockKind::Heading { text, .. } if is_quick_points(text)))?;
    let BlockKind::Heading { text, text_span, .. } = &blocks[start].kind else { return None };
    let end = blocks[start + 1..]
        .iter()
        .take_while(|b| !matches!(b.kind, BlockKind::Heading { .. }))
        .last()
        .map_or(blocks[start].span.end, |b| b.span.end);
    Some((text.clone(), Span::new(blocks[start].span.start, end), *text_span))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FoldKind {
    FrontMatter,
    Topic,
    ReferenceList,
    QuickPoints,
}

/// A folding range: from the line of `span.start` to the line of `span.end`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fold {
    pub kind: FoldKind,
    pub span: Span,
}

/// Folding ranges, in source order; the caller drops those on one line.
pub fn folding_ranges<S: Source + ?Sized>(text: &S, analysis: &Analysis, config: &Config) -> Vec<Fold> {
    let mut out = Vec::new();
    let fm = &analysis.front_matter;
    if let (Some(_), Some(close)) = (fm.kind, fm.close) {
        out.push(Fold { kind: FoldKind::FrontMatter, span: Span::new(fm.open.start, close.end) });
    }
    for topic in analysis.body.topics() {
        let span = trim_end(text, topic.span);
        out.push(Fold { kind: FoldKind::Topic, span });
        let src = text.slice(span.range());
        out.extend(
            reference_lists(&src, span.start, config)
                .into_iter()
                .map(|span| Fold { kind: FoldKind::ReferenceList, span }),
        );
    }
    if let Some((_, span, _)) = quick_points_section(analysis) {
        out.push(Fold { kind: FoldKind::QuickPoints, span: trim_end(text, span) });
    }
    out.sort_by_key(|f| (f.span.start, std::cmp::Reverse(f.span.end)));
    out
}

/// Lines of `src` with their start offsets and text without the break.
fn lines(src: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start = 0;
    let bytes = src.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\n' || bytes[i] == b'\r' {
            out.push((start, &src[start..i]));
            if bytes[i] == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
                i += 1;
            }
            start = i + 1;
        }
        i += 1;
    }
    if start < src.len() {
        out.push((start, &src[start..]));
    }
    out
}

/// Reference lists in `src` (which starts at `base`): a bullet whose text is a list
/// name, up to the last line indented deeper than it.
fn reference_lists(src: &str, base: usize, config: &Config) -> Vec<Span> {
    let lines = lines(src);
    let indent = |l: &str| l.len() - l.trim_start_matches([' ', '\t']).len();
    let mut out = Vec::new();
    for (i, &(start, line)) in lines.iter().enumerate() {
        let t = line.trim_start();
        let Some(rest) = t.strip_prefix(['*', '-', '+']) else { continue };
        if !rest.starts_with([' ', '\t']) {
            continue;
        }
        let name = rest.trim();
        let name = name.strip_suffix(':').or_else(|| name.strip_suffix('：')).unwrap_or(name).trim();
        if !config.reference_lists.iter().any(|l| **l == *name) {
            continue;
        }
        let own = indent(line);
        let mut end = start + line.len();
        for &(s, l) in &lines[i + 1..] {
            if l.trim().is_empty() {
                continue;
            }
            if indent(l) <= own {
                break;
            }
            end = s + l.len();
        }
        if end > start + line.len() {
            out.push(Span::new(base + start, base + end));
        }
    }
    out
}

/// A clickable link: the span and the absolute URL it opens.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocLink {
    pub span: Span,
    pub target: String,
}

/// Every link of the body whose target is an absolute URL (relative site links and
/// broken URLs are left out: there is nothing to open).
pub fn document_links(analysis: &Analysis) -> Vec<DocLink> {
    let body = &analysis.body;
    let mut out = Vec::new();
    let resolver = body.resolver();
    for block in &body.blocks {
        for l in &block.links {
            let Some(url) = resolver.resolve(l) else { continue };
            let url = url.trim();
            let Ok(parsed) = url::Url::parse(url) else { continue };
            if parsed.cannot_be_a_base() && parsed.scheme() != "mailto" {
                continue;
            }
            // The whole link is clickable: its text is what one reads.
            out.push(DocLink { span: l.span, target: parsed.to_string() });
        }
    }
    out
}

/// A topic of some digest matching a workspace-symbol query.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TopicMatch {
    pub path: PathBuf,
    /// Index into the digest's topics.
    pub topic: usize,
    pub title: String,
    pub date: Option<HugoDate>,
    /// Higher is better.
    pub score: i64,
}

/// How well `query` matches `text`: its characters in order, case-insensitively and
/// ignoring spaces in the query, with bonuses for a contiguous run and for a start at
/// the beginning of a word. `None` when they are not all there.
pub fn fuzzy_score(query: &str, text: &str) -> Option<i64> {
    let q: Vec<char> = query.chars().filter(|c| !c.is_whitespace()).flat_map(char::to_lowercase).collect();
    if q.is_empty() {
        return Some(0);
    }
    let t: Vec<char> = text.chars().flat_map(char::to_lowercase).collect();
    let joined: String = t.iter().collect();
    let qs: String = q.iter().collect();
    // A contiguous match is the best kind, earlier is better.
    if let Some(at) = joined.find(&qs) {
        let chars_before = joined[..at].chars().count() as i64;
        return Some(1000 - chars_before.min(500) + 10 * q.len() as i64);
    }
    let mut score = 0i64;
    let mut qi = 0;
    let mut prev: Option<usize> = None;
    for (ti, &c) in t.iter().enumerate() {
        if qi < q.len() && c == q[qi] {
            let boundary = ti == 0 || !t[ti - 1].is_alphanumeric() || !c.is_ascii();
            score += if prev == Some(ti.wrapping_sub(1)) { 8 } else { 1 } + if boundary { 4 } else { 0 };
            if let Some(p) = prev {
                score -= (ti - p - 1).min(10) as i64;
            }
            prev = Some(ti);
            qi += 1;
        }
    }
    (qi == q.len()).then_some(score)
}

/// Topics of every digest that match `query`, best first, then newest; at most `limit`.
pub fn workspace_symbols(workspace: &Workspace, query: &str, limit: usize) -> Vec<TopicMatch> {
    let mut out: Vec<TopicMatch> = Vec::new();
    for (path, info) in workspace.digests() {
        for (i, title) in info.topics.iter().enumerate() {
            if let Some(score) = fuzzy_score(query, title) {
                out.push(TopicMatch {
                    path: path.to_path_buf(),
                    topic: i,
                    title: title.clone(),
                    date: info.date,
                    score,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.date.map(|d| d.unix).cmp(&a.date.map(|d| d.unix)))
            .then_with(|| a.path.cmp(&b.path))
            .then(a.topic.cmp(&b.topic))
    });
    out.truncate(limit);
    out
}

/// The span of topic `index`'s title in a digest's text (to place a workspace symbol).
pub fn topic_title_span(text: &str, index: usize, config: &Config) -> Option<Span> {
    let analysis = Analysis::new(text, config);
    analysis.body.topics().get(index).map(|t| t.start.title_span)
}

/// `path` as shown in a symbol's container name.
pub fn container(path: &Path, date: Option<HugoDate>) -> String {
    let name = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
    match date {
        Some(d) => format!("{} · {name}", d.day_string()),
        None => name.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzzy_scores() {
        assert!(fuzzy_score("dpo", "Step-DPO 提升 LLM 数学推理能力").is_some());
        assert!(fuzzy_score("数学推理", "Step-DPO 提升 LLM 数学推理能力").is_some());
        assert!(fuzzy_score("数推", "Step-DPO 提升 LLM 数学推理能力").is_some());
        assert!(fuzzy_score("推数", "Step-DPO 提升 LLM 数学推理能力").is_none());
        let contiguous = fuzzy_score("moe", "Dense 模型与 MoE 模型").unwrap();
        let scattered = fuzzy_score("moe", "Mamba of Experts").unwrap();
        assert!(contiguous > scattered);
        assert_eq!(fuzzy_score("", "x"), Some(0));
    }
}
