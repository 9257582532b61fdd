//! Checks that need the workspace or the whole digest: a reference cited in an earlier digest, a label that does not fit its URL, a title or headline that misses the topics.
//!
//! - `cited-before` (information): the resource of a reference (by `resource::key`)
//!   is cited in a digest with an earlier date; names the latest such digest, its date
//!   and topic, with related locations for up to five of them. References with a
//!   label in `cited-before-ignore` (default `网站`) are not reported.
//! - `label-mismatch` (hint): `代码` not on a code host, `数据` not a dataset page,
//!   `模型` not a model page, `文章` on a code or dataset page (`[references.label-hosts]`).
//! - `title-topics` (hint): the title names none of the body's topics.
//! - `headline-topics` (hint): topics that the `##` headline leaves out.

use std::path::Path;

use super::{Diagnostic, Related};
use crate::analysis::Analysis;
use crate::body::BlockKind;
use crate::config::Config;
use crate::text::Span;
use crate::workspace::Workspace;

/// How many earlier citations get a related location.
const RELATED_CAP: usize = 5;

pub(super) fn check(
    analysis: &Analysis,
    path: &Path,
    config: &Config,
    workspace: &Workspace,
    out: &mut Vec<Diagnostic>,
) {
    references(analysis, path, config, workspace, out);
    title_topics(analysis, out);
    headline_topics(analysis, out);
}

fn references(analysis: &Analysis, path: &Path, config: &Config, workspace: &Workspace, out: &mut Vec<Diagnostic>) {
    let body = &analysis.body;
    let own_date = analysis.scalar("date").and_then(|d| crate::date::parse(d).ok());
    let resolver = body.resolver();
    for block in &body.blocks {
        for r in &block.references {
            let Some(link) = r.link.and_then(|i| block.links.get(i)) else { continue };
            let Some(url) = resolver.resolve(link) else { continue };
            if let Some(hosts) = config.label_hosts.get(&r.label) {
                if let Some(message) = label_mismatch(&r.label, url, hosts, config) {
                    out.push(Diagnostic::new("label-mismatch", r.label_span, message));
                }
            }
            let Some(date) = own_date else { continue };
            if config.cited_before_ignore.contains(&r.label) {
                continue;
            }
            let Some(key) = crate::resource::key(url) else { continue };
            // Newest first: the first earlier one is the latest before this digest.
            let (earlier, total) = workspace.earlier_citations(&key, date.unix, path, RELATED_CAP);
            let Some((_, info, first)) = earlier.first() else { continue };
            let day = info.date.map(|d| d.day_string()).unwrap_or_default();
            let topic = |info: &crate::workspace::DigestInfo, c: &crate::workspace::Citation| {
                c.topic.and_then(|t| info.topics.get(t)).map(|t| format!("topic `{t}`")).unwrap_or_else(|| {
                    info.title.as_deref().map_or("the digest".to_string(), |t| format!("the digest `{t}`"))
                })
            };
            let more = total - 1;
            let mut message = format!("Already cited in the digest of {day}, in {}", topic(info, first));
            if more > 0 {
                message.push_str(&format!(" (and in {more} earlier digest{})", if more == 1 { "" } else { "s" }));
            }
            message.push_str(": say what is new since then, or link to that digest.");
            let mut d = Diagnostic::new("cited-before", link.span, message);
            for (p, info, c) in earlier.iter().take(RELATED_CAP) {
                let day = info.date.map(|d| d.day_string()).unwrap_or_default();
                d.related.push(Related {
                    path: p.to_path_buf(),
                    span: c.span,
                    message: format!("cited on {day} in {}", topic(info, c)),
                });
            }
            out.push(d);
        }
    }
}

/// A host pattern: `host` or `host/path-prefix`, `!` in front to exclude.
fn matches(pattern: &str, host: &str, path: &str) -> bool {
    let (p_host, p_path) = match pattern.split_once('/') {
        Some((h, p)) => (h, Some(p.trim_end_matches('/'))),
        None => (pattern, None),
    };
    let p_host = p_host.to_lowercase();
    let p_host = p_host.strip_prefix("www.").unwrap_or(&p_host);
    let host_ok = host == p_host || host.ends_with(&format!(".{p_host}"));
    let path = path.trim_start_matches('/');
    host_ok && p_path.is_none_or(|p| path == p || path.starts_with(&format!("{p}/")))
}

/// Whether a URL fits a label's patterns; `None` when it fits (or cannot be read).
fn label_mismatch(label: &str, url: &str, patterns: &[String], config: &Config) -> Option<String> {
    if patterns.is_empty() {
        return None;
    }
    let parsed = url::Url::parse(url.trim()).ok()?;
    let host = parsed.host_str()?.to_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    let path = parsed.path();
    let (deny, allow): (Vec<&String>, Vec<&String>) = patterns.iter().partition(|p| p.starts_with('!'));
    let denied = deny.iter().any(|p| matches(&p[1..], &host, path));
    let allowed = allow.is_empty() || allow.iter().any(|p| matches(p, &host, path));
    if allowed && !denied {
        return None;
    }
    let meaning = config.labels.get(label).map(|m| format!(" ({m})")).unwrap_or_default();
    let expected = if allow.is_empty() {
        format!("not {}", deny.iter().map(|p| format!("`{}`", &p[1..])).collect::<Vec<_>>().join(", "))
    } else {
        allow.iter().take(4).map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
            + &if allow.len() > 4 { format!(" or {} more", allow.len() - 4) } else { String::new() }
    };
    Some(format!(
        "`{label}`{meaning} points to `{host}{}`, which does not look like one: expected {expected}. \
         Check the label or the link (the hosts are set in `[references.label-hosts]`).",
        path.trim_end_matches('/')
    ))
}

/// Text compared without case, white space and punctuation.
fn norm(s: &str) -> String {
    s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect()
}

/// The parts of a title or headline: split at `;`, `；`, `、` and `,`, without `.etc`.
fn parts(s: &str) -> Vec<String> {
    s.split([';', '；', '、', '，'])
        .map(|p| {
            let p = p.trim();
            let p =
                p.strip_suffix(".etc").or_else(|| p.strip_suffix("etc.")).or_else(|| p.strip_suffix("等")).unwrap_or(p);
            norm(p)
        })
        .filter(|p| p.chars().count() >= 2)
        .collect()
}

/// Whether a title or headline part and a topic title name the same thing.
fn names(part: &str, topic: &str) -> bool {
    !topic.is_empty() && (topic.contains(part) || part.contains(topic))
}

fn title_topics(analysis: &Analysis, out: &mut Vec<Diagnostic>) {
    let topics: Vec<String> = analysis.body.topics().iter().map(|t| norm(&t.start.title)).collect();
    if topics.is_empty() {
        return;
    }
    let Some(yaml) = &analysis.front_matter.yaml else { return };
    let Some(node) = yaml.get("title") else { return };
    let Some((title, _)) = yaml.scalar(node) else { return };
    let title_parts = parts(title);
    if title_parts.is_empty() || title_parts.iter().any(|p| topics.iter().any(|t| names(p, t))) {
        return;
    }
    out.push(Diagnostic::new(
        "title-topics",
        yaml.node(node).span,
        "The title names none of the topics of the body: digests are titled with their main topics \
         joined with `; `.",
    ));
}

fn headline_topics(analysis: &Analysis, out: &mut Vec<Diagnostic>) {
    let body = &analysis.body;
    let topics = body.topics();
    let Some(first_topic) = topics.first() else { return };
    // The headline is a `##` heading before the first topic.
    let Some((text, span)) = body.blocks[..first_topic.block].iter().find_map(|b| match &b.kind {
        BlockKind::Heading { level: 2, text, text_span } => Some((text.as_str(), *text_span)),
        _ => None,
    }) else {
        return;
    };
    let whole = norm(text);
    let headline_parts = parts(text);
    let missing: Vec<String> = topics
        .iter()
        .filter(|t| {
            let title = norm(&t.start.title);
            !title.is_empty() && !whole.contains(&title) && !headline_parts.iter().any(|p| names(p, &title))
        })
        .map(|t| match t.start.number {
            Some(n) => format!("{n}. {}", t.start.title),
            None => t.start.title.clone(),
        })
        .collect();
    if missing.is_empty() {
        return;
    }
    let listed = missing.iter().map(|m| format!("`{m}`")).collect::<Vec<_>>().join(", ");
    let span = if span.is_empty() { Span::empty(span.start) } else { span };
    out.push(Diagnostic::new(
        "headline-topics",
        span,
        format!(
            "The `##` headline leaves out {} topic{}: {listed}. Add {} to the headline (joined with `; `).",
            missing.len(),
            if missing.len() == 1 { "" } else { "s" },
            if missing.len() == 1 { "it" } else { "them" }
        ),
    ));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_patterns() {
        assert!(matches("github.com", "github.com", "/a/b"));
        assert!(matches("huggingface.co/datasets", "huggingface.co", "/datasets/a/b"));
        assert!(!matches("huggingface.co/datasets", "huggingface.co", "/datasetsx/a"));
        assert!(!matches("huggingface.co/datasets", "huggingface.co", "/a/b"));
        assert!(matches("modelscope.cn", "www.modelscope.cn".strip_prefix("www.").unwrap(), "/m"));
        assert!(matches("google.com", "colab.google.com", "/"));
        assert!(!matches("github.com", "notgithub.com", "/"));
    }

    #[test]
    fn title_parts() {
        assert_eq!(
            parts("Adam 优化器; LLM 角色指令增强; Step-DPO .etc"),
            vec!["adam优化器", "llm角色指令增强", "stepdpo"]
        );
    }
}
