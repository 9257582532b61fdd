//! Checks on the body of one digest: link targets that are broken or empty, reference links with a scheme other than http(s), topic numbers out of order.

use std::collections::HashSet;

use url::ParseError;

use super::Diagnostic;
use crate::analysis::Analysis;
use crate::body::{Block, Body, Link, LinkKind, Resolver};
use crate::config::Config;
use crate::resource::UrlSyntax;
use crate::text::Span;

pub(super) fn check(analysis: &Analysis, config: &Config, out: &mut Vec<Diagnostic>) {
    let body = &analysis.body;
    let resolver = body.resolver();
    for block in &body.blocks {
        check_block(block, &resolver, config, out);
    }
    check_whole(analysis, config, out);
}

/// The checks of one block's links: they read the block and, for reference links, the
/// definitions (`resolver`), nothing else.
pub(super) fn check_block(block: &Block, resolver: &Resolver<'_>, config: &Config, out: &mut Vec<Diagnostic>) {
    let _ = config;
    // Links that are the target of a reference (`* **文章**: [..](..)`).
    let mut in_reference = vec![false; block.links.len()];
    for r in &block.references {
        if let Some(flag) = r.link.and_then(|i| in_reference.get_mut(i)) {
            *flag = true;
        }
    }
    for (link, &is_ref) in block.links.iter().zip(&in_reference) {
        check_link(resolver, link, is_ref, out);
    }
}

/// The checks over the whole body (topic numbers).
pub(super) fn check_whole(analysis: &Analysis, config: &Config, out: &mut Vec<Diagnostic>) {
    let _ = config;
    check_topic_numbers(&analysis.body, out);
}

/// Where to point: the URL when it is written, else the whole link.
fn url_span(link: &Link) -> Span {
    link.url_span.filter(|s| !s.is_empty()).unwrap_or(link.span)
}

fn check_link(resolver: &Resolver<'_>, link: &Link, is_ref: bool, out: &mut Vec<Diagnostic>) {
    let Some((url, facts)) = resolver.target(link) else {
        if is_ref {
            let label = link.label.as_deref().unwrap_or("");
            out.push(Diagnostic::new(
                "empty-link",
                link.span,
                format!("no definition `[{label}]: <url>` in this digest, so Hugo shows the link as plain text: add the definition or write the URL inline"),
            ));
        }
        return;
    };
    let url = url.trim();
    let span = url_span(link);
    // The URL was read when its block was parsed (`UrlFacts`): nothing is parsed here.
    match &facts.syntax {
        UrlSyntax::Empty => {
            let message = match &link.label {
                Some(label) => {
                    format!("the definition of `[{label}]` has an empty URL: write the URL after `[{label}]:`")
                }
                None => {
                    "the link has an empty target: put the URL between the parentheses, or remove the link".to_string()
                }
            };
            out.push(Diagnostic::new("empty-link", link.span, message));
        }
        UrlSyntax::Whitespace => {
            let message = if link.kind == LinkKind::Inline && link.label.is_none() && link.url_span.is_some() {
                "the URL contains a space, so Markdown does not make this a link: encode the space as `%20` or remove it"
            } else {
                "the URL contains a space: encode it as `%20` or remove it"
            };
            out.push(Diagnostic::new("bad-url", span, message));
        }
        UrlSyntax::Parsed { scheme, host, .. } => {
            if matches!(&**scheme, "http" | "https") {
                if host.as_deref().is_none_or(str::is_empty) {
                    out.push(Diagnostic::new("bad-url", span, "the URL has no host: write `https://host/path`"));
                }
            } else if is_ref && &**scheme != "mailto" {
                out.push(Diagnostic::new(
                    "non-http-link",
                    span,
                    format!("the reference uses the `{scheme}:` scheme: readers expect an http(s) link"),
                ));
            }
        }
        UrlSyntax::Relative => {
            if is_ref {
                out.push(Diagnostic::new(
                    "bad-url",
                    span,
                    format!("the reference URL has no scheme, so it is a relative link: write `https://{url}`"),
                ));
            }
        }
        UrlSyntax::Invalid(e) => {
            let hint = match e {
                ParseError::EmptyHost => "write the host after `//`, as in `https://example.com/`",
                ParseError::InvalidIpv6Address => "an IPv6 host is written in brackets, as in `http://[::1]:8080/`",
                ParseError::InvalidIpv4Address => "an IPv4 host has four numbers up to 255",
                ParseError::InvalidPort => "the port is a number up to 65535",
                ParseError::InvalidDomainCharacter => "the host has a character that no domain name can hold",
                _ => "check how the URL is written",
            };
            out.push(Diagnostic::new("bad-url", span, format!("the URL does not parse ({e}): {hint}")));
        }
    }
}

fn check_topic_numbers(body: &Body, out: &mut Vec<Diagnostic>) {
    let mut seen: HashSet<u32> = HashSet::new();
    let mut max = 0u32;
    for topic in body.topics() {
        let Some(n) = topic.start.number else { continue };
        let span = topic.start.number_span;
        let expected = max.saturating_add(1);
        if seen.contains(&n) {
            out.push(Diagnostic::new(
                "topic-number",
                span,
                format!("topic number {n} is used twice: this topic should be {expected}"),
            ));
        } else if n > expected {
            let missing = if n == expected + 1 { format!("{expected}") } else { format!("{expected} to {}", n - 1) };
            out.push(Diagnostic::new(
                "topic-number",
                span,
                format!("topic number {n} skips {missing}: this topic should be {expected}"),
            ));
        } else if n < expected {
            out.push(Diagnostic::new(
                "topic-number",
                span,
                format!("topic number {n} is out of order: it comes after topic {max}, so it should be {expected}"),
            ));
        }
        seen.insert(n);
        max = max.max(n);
    }
}
