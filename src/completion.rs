//! Completion: what is being typed at an offset (a tag, a key, a date) and the ranked candidates.
//!
//! The context is read from the text around the cursor rather than from the YAML
//! tree, because while a user types, the front matter is usually not valid YAML
//! (`tags: ["优化", "DP` has no closing bracket yet).

use std::collections::HashSet;

use crate::analysis::Analysis;
use crate::config::Config;
use crate::diagnostics::variant_key;
use crate::front_matter::{self, FenceKind, ScalarStyle, ScalarType};
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

/// Front-matter keys offered at the start of a line, with one-line docs.
const KEYS: &[(&str, &str)] = &[
    ("title", "The digest's title: the main topics joined with `; `."),
    ("date", "Publication date, RFC 3339 with offset: `2024-07-05T19:31:56+08:00`."),
    ("tags", "Tags, a list of strings: `[\"优化\", \"DPO\"]`."),
    ("draft", "`true` keeps the page out of the published site."),
    ("lastmod", "Date of the last modification."),
    ("publishDate", "Hugo publishes the page from this date on."),
    ("expiryDate", "Hugo stops publishing the page after this date."),
    ("slug", "The last part of the page's URL."),
    ("summary", "A summary shown in lists and feeds."),
    ("description", "Description for search engines and feeds."),
    ("categories", "Categories, a list of strings."),
    ("series", "Series, a list of strings."),
    ("weight", "Order of the page in lists (an integer)."),
    ("author", "The author."),
    ("aliases", "Other URLs that redirect to this page."),
];

const DATE_KEYS: &[&str] = &["date", "lastmod", "publishDate", "expiryDate"];

/// What the cursor is in.
#[derive(Debug, PartialEq, Eq)]
enum Context {
    /// Inside `tags: [...]` or a `tags:` block list: `item` is the span of the item
    /// being typed (quotes included), `prefix` the typed text without its quote.
    Tag { item: Span, prefix: String, quote: Option<char>, flow: bool, present: Vec<String>, before_item: bool },
    /// At the start of a line: `word` is the partly typed key.
    Key { word: Span },
    /// After `date:` and friends.
    Date { value: Span },
}

/// Completion items at byte `offset` of `text`.
pub fn complete<S: Source + ?Sized>(
    text: &S,
    analysis: &Analysis,
    offset: usize,
    config: &Config,
    workspace: &Workspace,
) -> Vec<CompletionItem> {
    let _ = config;
    let fm = &analysis.front_matter;
    if fm.kind != Some(FenceKind::Yaml) {
        return Vec::new();
    }
    let region_end = if fm.close.is_some() { fm.content.end } else { text.len().min(fm.content.start + (1 << 20)) };
    if offset < fm.content.start || offset > region_end {
        return Vec::new();
    }
    let region = text.slice(fm.content.start..region_end);
    let Some(context) = context(&region, offset - fm.content.start, fm.content.start) else { return Vec::new() };
    match context {
        Context::Tag { item, prefix, quote, flow, present, before_item } => {
            let suffix = if before_item { ", " } else { "" };
            // The client filters by the typed prefix: every tag is offered.
            let _ = prefix;
            tag_items(analysis, workspace, item, quote, flow, &present, suffix)
        }
        Context::Key { word } => key_items(analysis, word),
        Context::Date { value } => date_items(value),
    }
}

fn is_break(c: char) -> bool {
    c == '\n' || c == '\r'
}

/// Reads the context at `at` (relative to `region`); spans come out absolute (`base`).
fn context(region: &str, at: usize, base: usize) -> Option<Context> {
    let line_start = region[..at].rfind(is_break).map_or(0, |i| i + 1);
    let line_end = region[at..].find(is_break).map_or(region.len(), |i| at + i);
    let before = &region[line_start..at];
    let line = &region[line_start..line_end];

    if let Some(open) = flow_list_open(region, at) {
        return Some(flow_tag_context(region, open, at, base));
    }
    let trimmed = before.trim_start();
    if let Some(rest) = trimmed.strip_prefix('-') {
        if (rest.is_empty() || rest.starts_with(' ')) && block_list_key(region, line_start) {
            let indent = before.len() - trimmed.len();
            let item_start = line_start + indent + 1 + (rest.len() - rest.trim_start().len());
            let item = Span::new(item_start, line_end.max(item_start));
            let raw = &region[item_start..at];
            let (quote, prefix) = split_quote(raw);
            let present = block_items(region, line_start);
            return Some(Context::Tag {
                item: item.shift(base as isize),
                prefix: prefix.to_string(),
                quote,
                flow: false,
                present,
                before_item: false,
            });
        }
    }
    if !before.is_empty() && before.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        let word_end = line_start + line.find(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).unwrap_or(line.len());
        return Some(Context::Key { word: Span::new(line_start + base, word_end.max(at) + base) });
    }
    if before.is_empty() && line.trim().is_empty() {
        return Some(Context::Key { word: Span::new(at + base, at + base) });
    }
    if let Some((key, _)) = before.split_once(':') {
        if DATE_KEYS.contains(&key) && !key.starts_with(' ') {
            let value_start = line_start + key.len() + 1;
            let value_start =
                value_start + (region[value_start..line_end].len() - region[value_start..line_end].trim_start().len());
            if value_start <= at {
                return Some(Context::Date { value: Span::new(value_start + base, line_end + base) });
            }
        }
    }
    None
}

/// The offset of the `[` of a `tags:` flow list that the cursor is inside.
fn flow_list_open(region: &str, at: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in region[..at].char_indices().rev() {
        match c {
            ']' => depth += 1,
            '[' if depth > 0 => depth -= 1,
            '[' => {
                let line_start = region[..i].rfind(is_break).map_or(0, |p| p + 1);
                let key = region[line_start..i].trim_end().strip_suffix(':')?;
                return (key == "tags").then_some(i);
            }
            // A line that starts with a key ends the search: the list would have begun below it.
            '\n' | '\r' => {
                let next = &region[i + 1..];
                if next.starts_with(|c: char| c.is_alphanumeric()) && !region[i + 1..at].contains('[') {
                    return None;
                }
            }
            _ => {}
        }
    }
    None
}

fn split_quote(raw: &str) -> (Option<char>, &str) {
    match raw.chars().next() {
        Some(q @ ('"' | '\'')) => (Some(q), raw[1..].trim_end_matches(q)),
        _ => (None, raw),
    }
}

fn flow_tag_context(region: &str, open: usize, at: usize, base: usize) -> Context {
    // The item runs from after the previous separator to the next one.
    let sep_before = region[open + 1..at].rfind(',').map_or(open + 1, |i| open + 1 + i + 1);
    let after = &region[at..];
    let sep_after = at + after.find([',', ']', '\n', '\r']).unwrap_or(after.len());
    let raw_item = &region[sep_before..sep_after];
    let lead = raw_item.len() - raw_item.trim_start().len();
    // A cursor in the white space before the item (or before `]`) types a new item there.
    let item_start = (sep_before + lead).min(at);
    let mut item_end = (sep_before + raw_item.trim_end().len()).max(at);
    if item_start == at && item_end > at && !raw_item.trim().is_empty() {
        // Right before an existing item: insert a new one, never replace that one.
        item_end = at;
    }
    let (quote, prefix) = split_quote(&region[item_start..at]);
    let close = region[open..].find(']').map_or(region.len(), |i| open + i);
    let present = region[open + 1..close]
        .split(',')
        .map(|s| {
            let s = s.trim();
            s.trim_matches(|c| c == '"' || c == '\'').to_string()
        })
        .collect::<Vec<_>>();
    // The item being typed is not "present".
    let typed = split_quote(region[item_start..item_end].trim()).1.to_string();
    let mut present = present;
    if let Some(i) = present.iter().position(|p| *p == typed) {
        present.remove(i);
    }
    let before_item = item_start == at && at < sep_after && !raw_item.trim().is_empty();
    Context::Tag {
        item: Span::new(item_start + base, item_end + base),
        prefix: prefix.to_string(),
        quote,
        flow: true,
        present,
        before_item,
    }
}

/// Whether the block list item on the line at `line_start` belongs to `tags:`.
fn block_list_key(region: &str, line_start: usize) -> bool {
    let mut lines = region[..line_start].lines().rev();
    for line in &mut lines {
        let t = line.trim();
        if t.is_empty() || t.starts_with('-') {
            continue;
        }
        return line.trim_end() == "tags:";
    }
    false
}

/// The other items of the block list around the line at `line_start`.
fn block_items(region: &str, line_start: usize) -> Vec<String> {
    let item = |l: &str| {
        let t = l.trim_start().strip_prefix('-')?.trim();
        Some(t.trim_matches(|c| c == '"' || c == '\'').to_string())
    };
    let mut out: Vec<String> = Vec::new();
    for line in region[..line_start].lines().rev() {
        match item(line) {
            Some(i) => out.push(i),
            None if line.trim().is_empty() => {}
            None => break,
        }
    }
    let rest = &region[line_start..];
    for line in rest.lines().skip(1) {
        match item(line) {
            Some(i) => out.push(i),
            None => break,
        }
    }
    out
}

/// Whether a tag must be quoted to stay a string in YAML.
fn needs_quotes(tag: &str, flow: bool) -> bool {
    tag.is_empty()
        || tag.starts_with([' ', '-', '?', '!', '&', '*', '|', '>', '%', '@', '`', '#', '"', '\''])
        || tag.ends_with(' ')
        || tag.contains(": ")
        || tag.contains(" #")
        || tag.ends_with(':')
        || (flow && tag.contains([',', '[', ']', '{', '}']))
        || front_matter::scalar_type(tag, ScalarStyle::Plain, None) != ScalarType::String
}

fn quote_with(tag: &str, quote: char) -> String {
    match quote {
        '\'' => format!("'{}'", tag.replace('\'', "''")),
        _ => format!("\"{}\"", tag.replace('\\', "\\\\").replace('"', "\\\"")),
    }
}

fn tag_items(
    analysis: &Analysis,
    workspace: &Workspace,
    item: Span,
    quote: Option<char>,
    flow: bool,
    present: &[String],
    suffix: &str,
) -> Vec<CompletionItem> {
    // Hugo folds case, width and spaces into one term: a variant of a listed tag is no new tag.
    let present: HashSet<String> = present.iter().map(|p| variant_key(p)).collect();
    // This document's own tags are counted in the workspace: leave them out of the counts.
    let own: HashSet<String> = analysis.tags().into_iter().map(|t| t.value).collect();
    // Follow the quoting the list already uses; else plain unless YAML needs quotes.
    let style = quote.or_else(|| list_quote(analysis));
    let mut stats: Vec<_> = workspace
        .tags()
        .into_iter()
        .filter_map(|mut s| {
            if own.contains(&*s.name) {
                s.count -= 1;
            }
            (s.count > 0 && !present.contains(&*s.variant)).then_some(s)
        })
        .collect();
    stats.sort_by(|a, b| b.count.cmp(&a.count).then(b.last.cmp(&a.last)).then(a.name.cmp(&b.name)));
    stats
        .into_iter()
        .enumerate()
        .map(|(rank, s)| {
            let name = s.name.to_string();
            let text = match style {
                Some(q) => quote_with(&name, q),
                None if needs_quotes(&name, flow) => quote_with(&name, '"'),
                None => name.clone(),
            };
            let filter = text.clone();
            let text = format!("{text}{suffix}");
            let digests = if s.count == 1 { "1 digest".to_string() } else { format!("{} digests", s.count) };
            let detail = match s.last {
                Some(d) => format!("{digests}, last {}", d.day_string()),
                None => digests,
            };
            CompletionItem {
                label: name,
                kind: ItemKind::Tag,
                detail: Some(detail),
                documentation: None,
                filter_text: Some(filter),
                edit: (item, text),
                sort_text: format!("{rank:06}"),
            }
        })
        .collect()
}

/// The quote the `tags` list's items use, if they are quoted.
fn list_quote(analysis: &Analysis) -> Option<char> {
    let yaml = analysis.front_matter.yaml.as_ref()?;
    let tags = yaml.get("tags")?;
    let front_matter::NodeKind::Seq { items, .. } = &yaml.node(yaml.resolve(tags)).kind else { return None };
    items.iter().find_map(|&i| match yaml.scalar(i)?.1 {
        ScalarStyle::DoubleQuoted => Some('"'),
        ScalarStyle::SingleQuoted => Some('\''),
        _ => None,
    })
}

fn key_items(analysis: &Analysis, word: Span) -> Vec<CompletionItem> {
    let existing: HashSet<&str> = analysis
        .front_matter
        .yaml
        .as_ref()
        .map(|y| y.top_level().into_iter().filter(|(_, k, _)| y.node(*k).span != word).map(|(k, _, _)| k).collect())
        .unwrap_or_default();
    KEYS.iter()
        .enumerate()
        .filter(|(_, (k, _))| !existing.contains(k))
        .map(|(rank, (k, doc))| CompletionItem {
            label: k.to_string(),
            kind: ItemKind::Key,
            detail: Some("front matter".into()),
            documentation: Some(doc.to_string()),
            edit: (word, format!("{k}: ")),
            sort_text: format!("{rank:06}"),
            filter_text: Some(k.to_string()),
        })
        .collect()
}

fn date_items(value: Span) -> Vec<CompletionItem> {
    let now = now_rfc3339();
    vec![CompletionItem {
        label: now.clone(),
        kind: ItemKind::Date,
        detail: Some("now, local time".into()),
        documentation: Some("The current time in RFC 3339 with the local UTC offset, the form Hugo reads.".into()),
        edit: (value, now.clone()),
        sort_text: "000000".into(),
        filter_text: Some(now),
    }]
}

/// Now in RFC 3339 with the local offset (UTC where the offset cannot be read).
fn now_rfc3339() -> String {
    use time::macros::format_description;
    let now = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
    );
    now.format(&fmt).unwrap_or_else(|_| now.unix_timestamp().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(text: &str) -> Option<Context> {
        let at = text.find("$0").unwrap();
        let text = text.replace("$0", "");
        context(&text, at, 0)
    }

    #[test]
    fn flow_contexts() {
        let Some(Context::Tag { item, prefix, quote, flow, present, .. }) = ctx("tags: [\"优化\", \"DP$0\"]\n")
        else {
            panic!()
        };
        assert_eq!((item, prefix.as_str(), quote, flow), (Span::new(17, 21), "DP", Some('"'), true));
        assert_eq!(present, vec!["优化"]);
        assert!(matches!(ctx("tags: [$0]\n"), Some(Context::Tag { prefix, .. }) if prefix.is_empty()));
        assert!(matches!(ctx("tags: [a, $0"), Some(Context::Tag { prefix, .. }) if prefix.is_empty()));
        assert!(matches!(ctx("tags: [a,\n  优$0\n]"), Some(Context::Tag { prefix, .. }) if prefix == "优"));
        assert_eq!(ctx("title: [x$0]"), None);
        // White space before `]` or before the next item: a new item at the cursor.
        for text in ["tags: [$0 ]", "tags: [ $0 ]", "tags: [\"优化\", $0 ]"] {
            let Some(Context::Tag { item, before_item, .. }) = ctx(text) else { panic!("{text}") };
            let at = text.find("$0").unwrap();
            assert_eq!((item, before_item), (Span::empty(at), false), "{text}");
        }
        let Some(Context::Tag { item, before_item, present, .. }) = ctx("tags: [$0\"优化\", \"DPO\"]") else {
            panic!()
        };
        assert_eq!((item, before_item, present.len()), (Span::empty(7), true, 2));
        assert_eq!(ctx("tags: [a]\ntitle: x$0"), None);
    }

    #[test]
    fn block_contexts() {
        let Some(Context::Tag { item, prefix, flow, present, .. }) = ctx("tags:\n  - 优化\n  - D$0\n") else {
            panic!()
        };
        assert_eq!((item, prefix.as_str(), flow), (Span::new(21, 22), "D", false));
        assert_eq!(present, vec!["优化"]);
        assert_eq!(ctx("aliases:\n  - /a$0\n"), None);
    }

    #[test]
    fn key_and_date_contexts() {
        assert_eq!(ctx("ti$0\n"), Some(Context::Key { word: Span::new(0, 2) }));
        assert_eq!(ctx("title: x\n$0"), Some(Context::Key { word: Span::new(9, 9) }));
        assert_eq!(ctx("date: $0\n"), Some(Context::Date { value: Span::new(6, 6) }));
        assert_eq!(ctx("date: 2024$0\n"), Some(Context::Date { value: Span::new(6, 10) }));
    }

    #[test]
    fn now_has_an_offset() {
        let now = now_rfc3339();
        assert_eq!(now.len(), 25, "{now}");
        assert!(now[19..].starts_with(['+', '-']), "{now}");
        assert_eq!(&now[10..11], "T");
    }
}
