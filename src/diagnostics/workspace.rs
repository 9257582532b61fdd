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
use std::sync::Arc;

use super::{Diagnostic, Related};
use crate::analysis::Analysis;
use crate::body::{fold_title, Block, BlockKind, Resolver, TopicStart};
use crate::config::Config;
use crate::resource::{UrlFacts, UrlSyntax};
use crate::text::Span;
use crate::workspace::{Citation, DigestInfo, Workspace};

/// How many earlier citations get a related location.
const RELATED_CAP: usize = 5;
/// How many left-out topics a `headline-topics` message names.
const LISTED_CAP: usize = 12;

pub(super) fn check(
    analysis: &Analysis,
    path: &Path,
    config: &Config,
    workspace: &Workspace,
    out: &mut Vec<Diagnostic>,
) {
    let resolver = analysis.body.resolver();
    let own_date = own_date(analysis);
    for block in &analysis.body.blocks {
        check_block(block, &resolver, own_date, path, config, workspace, out);
    }
    check_whole(analysis, None, out);
}

/// The digest's own date (Unix seconds), which `cited-before` compares with.
pub(super) fn own_date(analysis: &Analysis) -> Option<i64> {
    analysis.scalar("date").and_then(|d| crate::date::parse(d).ok()).map(|d| d.unix)
}

/// The checks of one block's references: they read the block, the definitions
/// (`resolver`), the digest's date and path, and the index for other digests only.
pub(super) fn check_block(
    block: &Block,
    resolver: &Resolver<'_>,
    own_date: Option<i64>,
    path: &Path,
    config: &Config,
    workspace: &Workspace,
    out: &mut Vec<Diagnostic>,
) {
    for r in &block.references {
        let Some(link) = r.link.and_then(|i| block.links.get(i)) else { continue };
        let Some((_, facts)) = resolver.target(link) else { continue };
        if let Some(hosts) = config.label_hosts.get(&r.label) {
            if let Some(message) = label_mismatch(&r.label, facts, hosts, config) {
                out.push(Diagnostic::new("label-mismatch", r.label_span, message));
            }
        }
        let Some(date) = own_date else { continue };
        if config.cited_before_ignore.contains(&r.label) {
            continue;
        }
        let Some(key) = &facts.key else { continue };
        // Newest first: the first earlier one is the latest before this digest.
        let (earlier, total) = workspace.earlier_citations(key, date, path, RELATED_CAP);
        let Some((_, info, first)) = earlier.first() else { continue };
        // Each message is written into one buffer: with 100,000 notes in a big workspace,
        // formatting pieces into their own strings was a fifth of `check`.
        let more = total - 1;
        let (what, name) = topic_of(info, first);
        // Sized to the message, so that it is never regrown (a regrowth per note was a
        // copy and a second allocation, 500,000 times in a big workspace).
        let mut len = INTRO.len() + DAY_LEN + IN.len() + topic_len(what, name) + ASK.len();
        if more > 0 {
            len += AND_IN.len() + decimal_len(more) + EARLIER_MANY.len();
        }
        let mut message = String::with_capacity(len);
        message.push_str(INTRO);
        push_day(&mut message, info);
        message.push_str(IN);
        push_topic(&mut message, what, name);
        if more > 0 {
            message.push_str(AND_IN);
            push_number(&mut message, more);
            message.push_str(if more == 1 { EARLIER_ONE } else { EARLIER_MANY });
        }
        message.push_str(ASK);
        let mut d = Diagnostic::new("cited-before", link.span, message);
        d.related.reserve_exact(earlier.len());
        for (p, info, c) in &earlier {
            let (what, name) = topic_of(info, c);
            let mut message = String::with_capacity(CITED_ON.len() + DAY_LEN + ON_IN.len() + topic_len(what, name));
            message.push_str(CITED_ON);
            push_day(&mut message, info);
            message.push_str(ON_IN);
            push_topic(&mut message, what, name);
            d.related.push(Related { path: Arc::clone(p), span: c.span, message });
        }
        out.push(d);
    }
}

// The pieces of the `cited-before` messages, named so that their lengths are counted once.
const INTRO: &str = "Already cited in the digest of ";
const IN: &str = ", in ";
const AND_IN: &str = " (and in ";
const EARLIER_ONE: &str = " earlier digest)";
const EARLIER_MANY: &str = " earlier digests)";
const ASK: &str = ": say what is new since then, or link to that digest.";
const CITED_ON: &str = "cited on ";
const ON_IN: &str = " in ";
/// What `push_day` writes for a year of four digits; other years only make a message grow once.
const DAY_LEN: usize = "2024-07-05".len();

/// The length of what `push_topic` writes.
fn topic_len(what: &str, name: Option<&str>) -> usize {
    what.len() + name.map_or(0, |n| " ``".len() + n.len())
}

/// Digits of `n` in decimal.
fn decimal_len(n: usize) -> usize {
    n.checked_ilog10().map_or(1, |d| d as usize + 1)
}

/// The day of a digest (`2024-07-05`), empty when it has no date.
fn push_day(out: &mut String, info: &DigestInfo) {
    let Some(d) = info.date else { return };
    if (0..=9999).contains(&d.year) {
        push_padded(out, d.year as usize, 4);
        out.push('-');
        push_padded(out, d.month.into(), 2);
        out.push('-');
        push_padded(out, d.day.into(), 2);
    } else {
        out.push_str(&d.day_string());
    }
}

/// `n` in decimal, with leading zeros up to `width` digits (itoa: `format!` was a
/// visible share of building 100,000 notes).
fn push_padded(out: &mut String, n: usize, width: usize) {
    let mut buf = itoa::Buffer::new();
    let digits = buf.format(n);
    out.extend(std::iter::repeat_n('0', width.saturating_sub(digits.len())));
    out.push_str(digits);
}

fn push_number(out: &mut String, n: usize) {
    push_padded(out, n, 1);
}

/// Where a citation is: its topic, else the digest's title (what, and its name if any).
fn topic_of<'i>(info: &'i DigestInfo, c: &Citation) -> (&'static str, Option<&'i str>) {
    match (c.topic.and_then(|t| info.topics.get(t)), &info.title) {
        (Some(t), _) => ("topic", Some(t)),
        (None, Some(t)) => ("the digest", Some(t)),
        (None, None) => ("the digest", None),
    }
}

fn push_topic(out: &mut String, what: &str, name: Option<&str>) {
    out.push_str(what);
    if let Some(name) = name {
        out.push_str(" `");
        out.push_str(name);
        out.push('`');
    }
}

/// The checks over the whole digest: title and headline against the topics.
pub(super) fn check_whole(analysis: &Analysis, memo: Option<&mut HeadlineMemo>, out: &mut Vec<Diagnostic>) {
    title_topics(analysis, out);
    headline_topics(analysis, memo, out);
}

/// A host pattern: `host` or `host/path-prefix`, `!` in front to exclude. `host` is in
/// lower case. Allocation-free: it runs for every reference on every keystroke.
fn matches(pattern: &str, host: &str, path: &str) -> bool {
    let (p_host, p_path) = match pattern.split_once('/') {
        Some((h, p)) => (h, Some(p.trim_end_matches('/'))),
        None => (pattern, None),
    };
    let lowered;
    let p_host = if p_host.bytes().any(|b| b.is_ascii_uppercase()) || !p_host.is_ascii() {
        lowered = p_host.to_lowercase();
        lowered.as_str()
    } else {
        p_host
    };
    let p_host = p_host.strip_prefix("www.").unwrap_or(p_host);
    let host_ok = host == p_host || under(host, p_host, '.');
    let path = path.trim_start_matches('/');
    host_ok && p_path.is_none_or(|p| path == p || under(path, p, '/'))
}

/// `whole` is `prefix` + `sep` + something, or something + `sep` + `suffix` for `.`:
/// a subdomain (`colab.google.com` under `google.com`) or a sub-path (`a/b` under `a`).
fn under(whole: &str, part: &str, sep: char) -> bool {
    if whole.len() <= part.len() {
        return false;
    }
    if sep == '.' {
        whole.ends_with(part) && whole[..whole.len() - part.len()].ends_with(sep)
    } else {
        whole.starts_with(part) && whole[part.len()..].starts_with(sep)
    }
}

/// Whether a URL fits a label's patterns; `None` when it fits (or cannot be read).
fn label_mismatch(label: &str, url: &UrlFacts, patterns: &[String], config: &Config) -> Option<String> {
    if patterns.is_empty() {
        return None;
    }
    let UrlSyntax::Parsed { host: Some(host), path, .. } = &url.syntax else { return None };
    let (host, path) = (&**host, &**path);
    let mut allow_any = false;
    let mut allowed = false;
    let mut denied = false;
    for p in patterns {
        match p.strip_prefix('!') {
            Some(deny) => denied = denied || matches(deny, host, path),
            None => {
                allow_any = true;
                allowed = allowed || matches(p, host, path);
            }
        }
    }
    if (allowed || !allow_any) && !denied {
        return None;
    }
    let (deny, allow): (Vec<&String>, Vec<&String>) = patterns.iter().partition(|p| p.starts_with('!'));
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

/// The parts of a title or headline: split at `;`, `；`, `、` and `,`, without `.etc`.
fn parts(s: &str) -> Vec<String> {
    s.split([';', '；', '、', '，'])
        .map(|p| {
            let p = p.trim();
            let p =
                p.strip_suffix(".etc").or_else(|| p.strip_suffix("etc.")).or_else(|| p.strip_suffix("等")).unwrap_or(p);
            fold_title(p)
        })
        .filter(|p| p.chars().count() >= 2)
        .collect()
}

/// Whether a title or headline part and a topic title name the same thing.
fn names(part: &str, topic: &str) -> bool {
    !topic.is_empty() && (topic.contains(part) || part.contains(topic))
}

fn title_topics(analysis: &Analysis, out: &mut Vec<Diagnostic>) {
    let topics: Vec<&str> = analysis.body.topics().iter().map(|t| t.start.title_key.as_str()).collect();
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

/// The last headline check's left-out topics, which depend on the headline's text and
/// the folded topic titles only: a keystroke elsewhere reuses them.
#[derive(Clone, Debug, Default, PartialEq)]
pub(super) struct HeadlineMemo {
    text: String,
    titles: Vec<String>,
    missing: Vec<usize>,
}

/// The indices of the topics (by folded title) that the headline `text` leaves out.
fn left_out(text: &str, titles: &[&str]) -> Vec<usize> {
    let whole = fold_title(text);
    // `names(part, title)` for every part and topic: a part that contains the title is
    // inside `whole`, so what is left is a part inside the title. A big digest's headline
    // has hundreds of parts, where pairwise is quadratic: then one Aho-Corasick pass per
    // title (too costly to build for the few parts of an everyday headline).
    let headline_parts = parts(text);
    let automaton = (headline_parts.len() > 16).then(|| aho_corasick::AhoCorasick::new(&headline_parts).ok()).flatten();
    let in_title = |title: &str| match &automaton {
        Some(a) => a.is_match(title),
        None => headline_parts.iter().any(|p| title.contains(p.as_str())),
    };
    (0..titles.len())
        .filter(|&i| {
            let title = titles[i];
            !title.is_empty() && !whole.contains(title) && !in_title(title)
        })
        .collect()
}

fn headline_topics(analysis: &Analysis, memo: Option<&mut HeadlineMemo>, out: &mut Vec<Diagnostic>) {
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
    let titles: Vec<&str> = topics.iter().map(|t| t.start.title_key.as_str()).collect();
    let missing: Vec<&TopicStart> = match memo {
        Some(m)
            if m.text == text
                && m.titles.len() == titles.len()
                && m.titles.iter().zip(&titles).all(|(a, b)| a == b) =>
        {
            m.missing.iter().filter_map(|&i| topics.get(i)).map(|t| t.start).collect()
        }
        memo => {
            let missing = left_out(text, &titles);
            if let Some(m) = memo {
                *m = HeadlineMemo {
                    text: text.to_string(),
                    titles: titles.iter().map(|t| t.to_string()).collect(),
                    missing: missing.clone(),
                };
            }
            missing.iter().filter_map(|&i| topics.get(i)).map(|t| t.start).collect()
        }
    };
    if missing.is_empty() {
        return;
    }
    // A digest with hundreds of topics would get a message too long to read (and to build per keystroke).
    let mut listed = missing
        .iter()
        .take(LISTED_CAP)
        .map(|t| match t.number {
            Some(n) => format!("`{n}. {}`", t.title),
            None => format!("`{}`", t.title),
        })
        .collect::<Vec<_>>()
        .join(", ");
    if missing.len() > LISTED_CAP {
        listed.push_str(&format!(" and {} more", missing.len() - LISTED_CAP));
    }
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
        assert!(matches("GitHub.com", "github.com", "/"), "patterns ignore case");
        assert!(matches("www.GitHub.com/Org", "github.com", "/Org/repo"), "paths keep it");
        assert!(matches("huggingface.co/datasets/", "huggingface.co", "/datasets"));
        assert!(!matches("google.com", "google.co", "/"));
    }

    #[test]
    fn a_long_list_of_left_out_topics_is_cut() {
        let topics: String = (1..=15).map(|n| format!("**{n}. Topic{n}**: about it.\n\n")).collect();
        let text = format!("---\ntitle: x\n---\n## Nothing here\n\n{topics}");
        let analysis = Analysis::new(&text, &Config::default());
        let mut out = Vec::new();
        headline_topics(&analysis, None, &mut out);
        assert_eq!(out.len(), 1);
        let m = &out[0].message;
        assert!(m.starts_with("The `##` headline leaves out 15 topics: `1. Topic1`, "), "{m}");
        assert!(m.contains("`12. Topic12` and 3 more."), "{m}");
        assert!(!m.contains("Topic13"), "{m}");
    }

    #[test]
    fn a_headline_of_many_parts_is_matched_like_a_short_one() {
        // Over 16 parts takes the Aho-Corasick path; the answer must not change.
        let headline: Vec<String> = (1..=20).map(|n| format!("Part{n:02}")).collect();
        let text = format!(
            "---\ntitle: x\n---\n## {}\n\n**1. New Part18 study**: a.\n\n**2. Other**: b.\n",
            headline.join("; ")
        );
        let analysis = Analysis::new(&text, &Config::default());
        let mut out = Vec::new();
        headline_topics(&analysis, None, &mut out);
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("leaves out 1 topic: `2. Other`"), "{}", out[0].message);
    }

    #[test]
    fn a_topic_named_by_a_headline_part_is_not_left_out() {
        let text = "---\ntitle: x\n---\n## Adam 优化器; RLHF etc.\n\n**1. Adam 优化器的新变体**: a.\n\n**2. RL**: b.\n\n**3. Other**: c.\n";
        let analysis = Analysis::new(text, &Config::default());
        let mut out = Vec::new();
        headline_topics(&analysis, None, &mut out);
        // Topic 1 contains a part, topic 2 is inside one; only topic 3 is left out.
        assert_eq!(out.len(), 1);
        assert!(out[0].message.contains("leaves out 1 topic: `3. Other`"), "{}", out[0].message);
    }

    #[test]
    fn title_parts() {
        assert_eq!(
            parts("Adam 优化器; LLM 角色指令增强; Step-DPO .etc"),
            vec!["adam优化器", "llm角色指令增强", "stepdpo"]
        );
    }

    #[test]
    fn numbers_are_padded_to_their_width_and_never_cut() {
        let padded = |n, width| {
            let mut s = String::from(">");
            push_padded(&mut s, n, width);
            s
        };
        assert_eq!([padded(7, 4), padded(2024, 4), padded(12345, 2), padded(0, 1)], [">0007", ">2024", ">12345", ">0"]);
    }

    #[test]
    fn lengths_of_message_pieces_match_what_is_written() {
        for (n, digits) in [(0, 1), (9, 1), (10, 2), (99, 2), (100, 3), (usize::MAX, 20)] {
            assert_eq!(decimal_len(n), digits, "{n}");
            let mut s = String::new();
            push_number(&mut s, n);
            assert_eq!(s.len(), digits, "{n}");
        }
        for (what, name) in [("topic", Some("GaLore 低秩 😀")), ("the digest", None), ("the digest", Some(""))] {
            let mut s = String::new();
            push_topic(&mut s, what, name);
            assert_eq!(s.len(), topic_len(what, name));
        }
    }
}
