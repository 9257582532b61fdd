//! Hovers: what a reference link points to and where else it is cited; how a tag is used across the workspace.
//!
//! Everything comes from the text and the workspace index: nothing is fetched.

use std::path::Path;

use crate::analysis::Analysis;
use crate::body::{Link, LinkKind, Reference};
use crate::config::Config;
use crate::resource::{self, Resource};
use crate::text::Span;
use crate::workspace::{DigestInfo, Workspace};

/// A hover: Markdown text and the span it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hover {
    pub span: Span,
    pub markdown: String,
}

/// How many other citations or tagged digests a hover lists before "and N more".
const LIST_CAP: usize = 5;

/// The hover at byte `offset` of the digest at `path`, if there is something to say.
pub fn hover(analysis: &Analysis, path: &Path, offset: usize, config: &Config, workspace: &Workspace) -> Option<Hover> {
    if let Some(tag) = analysis.tags().into_iter().find(|t| t.span.touches(offset)) {
        return Some(Hover { span: tag.span, markdown: tag_markdown(&tag.value, path, workspace) });
    }
    let body = &analysis.body;
    let i = body.block_at(offset)?;
    let block = &body.blocks[i];
    // A cursor right after a link still hovers it, unless the next link starts there.
    let link_index = block
        .links
        .iter()
        .position(|l| l.span.contains(offset))
        .or_else(|| block.links.iter().position(|l| l.span.touches(offset)))?;
    let link = &block.links[link_index];
    let reference = block.references.iter().find(|r| r.link == Some(link_index));
    let url = body.resolve(link);
    let mut md = String::new();
    link_head(&mut md, link, reference, url, config);
    if let Some(url) = url.filter(|u| !u.trim().is_empty()) {
        md.push_str(&format!("\n\n{}", describe(url)));
        if let Some(key) = resource::key(url) {
            also_cited(&mut md, &key, path, link.span, workspace);
        }
    }
    Some(Hover { span: link.span, markdown: md })
}

/// The reference label and its meaning, the kind of link, its text and URL.
fn link_head(md: &mut String, link: &Link, reference: Option<&Reference>, url: Option<&str>, config: &Config) {
    if let Some(r) = reference {
        match config.labels.get(&r.label) {
            Some(meaning) => md.push_str(&format!("**{}** ({}) in {}\n\n", r.label, meaning, r.list)),
            None => md.push_str(&format!("**{}** in {}\n\n", r.label, r.list)),
        }
    }
    let kind = match link.kind {
        LinkKind::Inline => "Link",
        LinkKind::Autolink => "Autolink",
        LinkKind::Reference => "Reference link",
        LinkKind::Bare => "Bare URL (Hugo's linkify makes it a link)",
    };
    md.push_str(kind);
    if !link.text.is_empty() {
        md.push_str(&format!(": {}", link.text));
    }
    if let Some(label) = &link.label {
        md.push_str(&format!("\n\nLabel: `[{label}]`"));
    }
    match url {
        Some(u) if !u.trim().is_empty() => md.push_str(&format!("\n\nURL: <{}>", u.trim())),
        Some(_) => md.push_str("\n\nThe link has no URL."),
        None => md
            .push_str(&format!("\n\nNo definition `[{}]: <url>` in this digest.", link.label.as_deref().unwrap_or(""))),
    }
}

/// What a URL points to, read from the URL alone.
fn describe(url: &str) -> String {
    match resource::classify(url) {
        Some(Resource::Arxiv { id, version }) => {
            let v = version.as_deref().unwrap_or("");
            let version = match &version {
                Some(v) => format!(", version {v}"),
                None => ", latest version".to_string(),
            };
            format!(
                "arXiv paper `{id}`{version}: [abs](https://arxiv.org/abs/{id}{v}) · [pdf](https://arxiv.org/pdf/{id}{v})"
            )
        }
        Some(Resource::GitHub { owner, repo, path }) => match path {
            Some(p) => format!("GitHub repository `{owner}/{repo}`, path `{p}`"),
            None => format!("GitHub repository `{owner}/{repo}`"),
        },
        Some(Resource::HuggingFaceDataset { id }) => format!("Hugging Face dataset `{id}`"),
        Some(Resource::HuggingFaceModel { id }) => format!("Hugging Face model `{id}`"),
        Some(Resource::HuggingFaceSpace { id }) => format!("Hugging Face Space `{id}`"),
        Some(Resource::ShortLink { host }) => {
            format!("Short link on `{host}`: the target is known only by following it")
        }
        Some(Resource::IpDemo { host }) => format!("Demo on a bare IP address `{host}`"),
        Some(Resource::Other { host }) => format!("Website `{host}`"),
        None => "Not an http(s) URL".to_string(),
    }
}

/// "Also cited in": other citations of `key` in the workspace, newest first, without
/// the link being hovered.
fn also_cited(md: &mut String, key: &str, path: &Path, span: Span, workspace: &Workspace) {
    let others: Vec<_> =
        workspace.citations(key).into_iter().filter(|(p, _, c)| !(*p == path && c.span == span)).collect();
    if others.is_empty() {
        return;
    }
    md.push_str("\n\nAlso cited in:");
    for (p, info, c) in others.iter().take(LIST_CAP) {
        md.push_str(&format!("\n- {} · {}", day(info), file_name(p, path)));
        if let Some(title) = c.topic.and_then(|t| info.topics.get(t)) {
            md.push_str(&format!(" · {title}"));
        }
    }
    if others.len() > LIST_CAP {
        md.push_str(&format!("\n- and {} more", others.len() - LIST_CAP));
    }
}

fn day(info: &DigestInfo) -> String {
    info.date.map_or_else(|| "undated".to_string(), |d| d.day_string())
}

/// A digest's file name (the one being hovered is "this digest").
fn file_name(p: &Path, current: &Path) -> String {
    if p == current {
        return "this digest".to_string();
    }
    p.file_name().map_or_else(|| p.display().to_string(), |n| n.to_string_lossy().into_owned())
}

/// How many digests use a tag, and the latest few.
fn tag_markdown(name: &str, path: &Path, workspace: &Workspace) -> String {
    let mut md = format!("Tag `{name}`");
    let Some(stat) = workspace.tag(name) else {
        md.push_str("\n\nNo indexed digest uses it yet.");
        return md;
    };
    let digests = if stat.count == 1 { "1 digest" } else { &format!("{} digests", stat.count) };
    md.push_str(&format!("\n\nUsed in {digests}"));
    if let Some(last) = stat.last {
        md.push_str(&format!(", last on {}", last.day_string()));
    }
    md.push('.');
    let mut tagged: Vec<(&Path, &DigestInfo)> =
        workspace.tagged(name).filter_map(|p| Some((p, workspace.get(p)?))).collect();
    tagged.sort_by(|a, b| b.1.date.cmp(&a.1.date).then(a.0.cmp(b.0)));
    if tagged.is_empty() {
        return md;
    }
    md.push_str("\n\nLatest:");
    for (p, info) in tagged.iter().take(LIST_CAP) {
        md.push_str(&format!("\n- {} · {}", day(info), file_name(p, path)));
        if let Some(title) = &info.title {
            md.push_str(&format!(" · {title}"));
        }
    }
    if tagged.len() > LIST_CAP {
        md.push_str(&format!("\n- and {} more", tagged.len() - LIST_CAP));
    }
    md
}
