//! Renaming a tag across the workspace, and replacing variant spellings (`dpo`, `ＤＰＯ`, ` DPO `) by the workspace's canonical one.
//!
//! Every edit is plain data: a file, a byte span in it and the new text. Only items of
//! the front matter's `tags` list are touched, never the body. Each file keeps its own
//! quoting (`"DPO"`, `'DPO'`, `DPO`) and list style (flow `[..]` or block `- `). When a
//! file already has the new spelling, the old item is removed instead of replaced, so
//! that no digest ends up with the same tag twice.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use crate::analysis::Analysis;
use crate::config::Config;
use crate::front_matter::{scalar_type, NodeKind, ScalarStyle, ScalarType};
use crate::text::Span;
use crate::workspace::Workspace;

/// Replace `span` of the file at `path` with `new_text`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct FileEdit {
    pub path: PathBuf,
    pub span: Span,
    pub new_text: String,
}

/// The text of a digest: an open document's current text, else the file on disk.
pub type Texts<'a> = &'a dyn Fn(&Path) -> Option<String>;

/// One item of the `tags` value as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagNode {
    pub value: String,
    /// The item's span, quotes included.
    pub span: Span,
    pub style: ScalarStyle,
    /// In a flow list `[..]`; `false` in a block list or for a scalar `tags` value.
    pub flow: bool,
    /// `tags` is a scalar rather than a list.
    pub scalar: bool,
}

/// The string items of the `tags` value, in order (a scalar value is one item).
pub fn tag_nodes(analysis: &Analysis) -> Vec<TagNode> {
    let Some(yaml) = &analysis.front_matter.yaml else { return Vec::new() };
    let Some(tags) = yaml.get("tags") else { return Vec::new() };
    let node = yaml.node(yaml.resolve(tags));
    match &node.kind {
        NodeKind::Seq { items, flow } => items
            .iter()
            .filter_map(|&i| {
                // Aliases inside the list are not the item's text: leave them alone.
                let NodeKind::Scalar { value, style } = &yaml.node(i).kind else { return None };
                Some(TagNode {
                    value: value.clone(),
                    span: yaml.node(i).span,
                    style: *style,
                    flow: *flow,
                    scalar: false,
                })
            })
            .collect(),
        NodeKind::Scalar { value, style } if !value.is_empty() && tags == yaml.resolve(tags) => {
            vec![TagNode { value: value.clone(), span: node.span, style: *style, flow: false, scalar: true }]
        }
        _ => Vec::new(),
    }
}

/// What Hugo folds into one term: compatibility forms (full-width letters), case,
/// surrounding white space.
pub fn variant_key(tag: &str) -> String {
    tag.nfkc().collect::<String>().trim().to_lowercase()
}

/// Whether a plain YAML scalar would not read back as this string.
pub fn needs_quotes(tag: &str, flow: bool) -> bool {
    tag.is_empty()
        || tag.starts_with([' ', '-', '?', ':', '!', '&', '*', '|', '>', '%', '@', '`', '#', '"', '\'', '[', '{'])
        || tag.ends_with([' ', ':'])
        || tag.contains(": ")
        || tag.contains(" #")
        || tag.contains(['\n', '\r', '\t'])
        || (flow && tag.contains([',', '[', ']', '{', '}']))
        || scalar_type(tag, ScalarStyle::Plain, None) != ScalarType::String
}

/// `tag` written in `style`; a plain style falls back to double quotes where YAML needs them.
pub fn render_tag(tag: &str, style: ScalarStyle, flow: bool) -> String {
    let double = || {
        let mut s = String::from("\"");
        for c in tag.chars() {
            match c {
                '"' => s.push_str("\\\""),
                '\\' => s.push_str("\\\\"),
                '\n' => s.push_str("\\n"),
                '\r' => s.push_str("\\r"),
                '\t' => s.push_str("\\t"),
                c => s.push(c),
            }
        }
        s.push('"');
        s
    };
    match style {
        ScalarStyle::SingleQuoted if !tag.contains(['\n', '\r']) => format!("'{}'", tag.replace('\'', "''")),
        ScalarStyle::Plain if !needs_quotes(tag, flow) => tag.to_string(),
        _ => double(),
    }
}

/// The span that removes item `i` of `items` cleanly: in a flow list with its
/// separating comma, in a block list its whole line.
pub fn removal_span(text: &str, items: &[TagNode], i: usize) -> Option<Span> {
    let item = items.get(i)?;
    if item.scalar {
        return None;
    }
    if item.flow {
        if i > 0 {
            return Some(Span::new(items[i - 1].span.end, item.span.end));
        }
        if let Some(next) = items.get(1) {
            return Some(Span::new(item.span.start, next.span.start));
        }
        // The only item: the list's brackets stay (`[]`).
        return Some(item.span);
    }
    let bytes = text.as_bytes();
    let mut start = item.span.start.min(text.len());
    while start > 0 && !matches!(bytes[start - 1], b'\n' | b'\r') {
        start -= 1;
    }
    let mut end = item.span.end.min(text.len());
    while end < bytes.len() && !matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    if bytes.get(end) == Some(&b'\r') {
        end += 1;
    }
    if bytes.get(end) == Some(&b'\n') {
        end += 1;
    }
    Some(Span::new(start, end))
}

/// The tag item at `offset`, with the span of its text inside the quotes (what a
/// rename replaces).
pub fn prepare_rename(analysis: &Analysis, offset: usize) -> Option<(Span, String)> {
    let node = tag_nodes(analysis).into_iter().find(|n| n.span.touches(offset))?;
    let inner = match node.style {
        ScalarStyle::SingleQuoted | ScalarStyle::DoubleQuoted if node.span.len() >= 2 => {
            Span::new(node.span.start + 1, node.span.end - 1)
        }
        _ => node.span,
    };
    Some((inner, node.value))
}

/// A workspace edit and what it does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Rename {
    /// E.g. "Rename tag `DPO` to `偏好优化` in 3 digests; merged into the existing tag in 1".
    pub label: String,
    /// Sorted by path and span; spans of one file never overlap.
    pub edits: Vec<FileEdit>,
    /// Digests where the new name was already present, so the old item was removed.
    pub merged: Vec<PathBuf>,
}

/// Edits of one file that turn the tags in `from` (exact spellings) into `to`: the
/// first matching item is replaced (keeping its quoting), further ones and all of
/// them when `to` is already in the list are removed. Returns whether it merged.
fn retag_file(path: &Path, text: &str, from: &dyn Fn(&str) -> bool, to: &str, out: &mut Vec<FileEdit>) -> bool {
    let analysis = Analysis::new(text, &Config::default());
    let items = tag_nodes(&analysis);
    let present = items.iter().any(|n| n.value == to);
    let mut replaced = present;
    let mut merged = false;
    let mut removed: Vec<usize> = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if item.value == to || !from(&item.value) {
            continue;
        }
        if !replaced {
            out.push(FileEdit {
                path: path.to_path_buf(),
                span: item.span,
                new_text: render_tag(to, item.style, item.flow),
            });
            replaced = true;
            continue;
        }
        merged |= present;
        removed.push(i);
    }
    out.extend(removals(text, &items, &removed).into_iter().map(|span| FileEdit {
        path: path.to_path_buf(),
        span,
        new_text: String::new(),
    }));
    merged
}

/// Removal spans for several items of one list, never overlapping. In a flow list an
/// item goes with the comma before it, or, before the first kept item, with the comma
/// after it; when every item goes, the brackets stay (`[]`).
fn removals(text: &str, items: &[TagNode], removed: &[usize]) -> Vec<Span> {
    let is_removed = |i: usize| removed.contains(&i);
    let first_kept = (0..items.len()).find(|&i| !is_removed(i));
    let mut spans: Vec<Span> = Vec::new();
    for (i, item) in items.iter().enumerate().filter(|(i, _)| is_removed(*i)) {
        let span = if item.scalar {
            None
        } else if !item.flow {
            removal_span(text, items, i)
        } else {
            match first_kept {
                None if i == 0 => items.last().map(|l| Span::new(item.span.start, l.span.end)),
                None => None,
                Some(k) if k < i => Some(Span::new(items[i - 1].span.end, item.span.end)),
                Some(_) => items.get(i + 1).map(|n| Span::new(item.span.start, n.span.start)),
            }
        };
        spans.extend(span);
    }
    spans.sort();
    spans.dedup();
    // Overlaps can only come from odd inputs (two items on one block line): keep the first.
    let mut out: Vec<Span> = Vec::new();
    for s in spans {
        if out.last().is_none_or(|l| l.end <= s.start) {
            out.push(s);
        }
    }
    out
}

/// Renames the tag at `offset` of the digest at `path` to `new_name` in every digest
/// of the workspace that uses it. `Err` says why not (no tag there, an empty name).
pub fn rename(
    analysis: &Analysis,
    path: &Path,
    offset: usize,
    new_name: &str,
    workspace: &Workspace,
    texts: Texts<'_>,
) -> Result<Rename, String> {
    let (_, old) = prepare_rename(analysis, offset).ok_or("there is no tag here to rename")?;
    rename_tag(&old, new_name, Some(path), workspace, texts)
}

/// Renames the tag `old` to `new_name` everywhere it is used (`current`, the file the
/// request came from, is always included).
pub fn rename_tag(
    old: &str,
    new_name: &str,
    current: Option<&Path>,
    workspace: &Workspace,
    texts: Texts<'_>,
) -> Result<Rename, String> {
    let new_name = new_name.trim_matches(['\n', '\r']);
    if new_name.trim().is_empty() {
        return Err("a tag cannot be empty".to_string());
    }
    if new_name == old {
        return Ok(Rename { label: format!("`{old}` is unchanged"), edits: Vec::new(), merged: Vec::new() });
    }
    let mut paths: Vec<PathBuf> = workspace.tagged(old).map(Path::to_path_buf).collect();
    if let Some(p) = current {
        if !paths.iter().any(|x| x == p) {
            paths.push(p.to_path_buf());
        }
    }
    paths.sort();
    let mut edits = Vec::new();
    let mut merged = Vec::new();
    let mut files = 0;
    for p in paths {
        let Some(text) = texts(&p) else { continue };
        let before = edits.len();
        if retag_file(&p, &text, &|v| v == old, new_name, &mut edits) {
            merged.push(p.clone());
        }
        if edits.len() > before {
            files += 1;
        }
    }
    edits.sort();
    let digests = if files == 1 { "1 digest".to_string() } else { format!("{files} digests") };
    let mut label = format!("Rename tag `{old}` to `{new_name}` in {digests}");
    if !merged.is_empty() {
        label.push_str(&format!(
            "; merged into the existing `{new_name}` in {} (the old item is removed there)",
            if merged.len() == 1 { "1 digest".to_string() } else { format!("{} digests", merged.len()) }
        ));
    }
    Ok(Rename { label, edits, merged })
}

/// The workspace's spelling of the term `tag` belongs to: the spelling used by the
/// most digests, then one without width or space variants, then the first by name.
/// `None` when the workspace has no other spelling of it.
pub fn canonical(tag: &str, workspace: &Workspace) -> Option<String> {
    let key = variant_key(tag);
    let mut spellings: Vec<(usize, bool, String)> = workspace
        .tags()
        .into_iter()
        .filter(|s| variant_key(&s.name) == key)
        .map(|s| (s.count, is_clean(&s.name), s.name.to_string()))
        .collect();
    if !spellings.iter().any(|s| s.2 != tag) {
        return None;
    }
    spellings.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(&b.2)));
    spellings.into_iter().next().map(|s| s.2)
}

/// No surrounding spaces and no compatibility forms.
pub fn is_clean(name: &str) -> bool {
    name.trim() == name && name.nfkc().eq(name.chars())
}

/// Groups of spellings that Hugo merges into one term, each with its canonical
/// spelling first (as `canonical` ranks them) and the others by name; only groups
/// with more than one spelling. One pass over the workspace's tags.
pub fn variant_groups(workspace: &Workspace) -> Vec<Vec<String>> {
    let mut groups: BTreeMap<String, Vec<(usize, bool, String)>> = BTreeMap::new();
    for s in workspace.tags() {
        groups.entry(variant_key(&s.name)).or_default().push((s.count, is_clean(&s.name), s.name.to_string()));
    }
    let mut out: Vec<Vec<String>> = groups
        .into_values()
        .filter(|g| g.len() > 1)
        .map(|mut g| {
            g.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(&b.2)));
            let mut names: Vec<String> = g.into_iter().map(|s| s.2).collect();
            names[1..].sort();
            names
        })
        .collect();
    out.sort();
    out
}

/// Where to replace variant spellings.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Scope {
    /// One digest (the text given).
    File(PathBuf),
    /// Every digest of the workspace.
    Workspace,
}

/// Replaces every variant spelling of every tag in `scope` by the canonical one
/// (merging when the canonical spelling is already in the list). `only` restricts it
/// to the term of one tag.
pub fn canonicalize(scope: &Scope, only: Option<&str>, workspace: &Workspace, texts: Texts<'_>) -> Rename {
    let only_key = only.map(variant_key);
    // Every non-canonical spelling with its canonical one.
    let mut replace: BTreeMap<String, String> = BTreeMap::new();
    for group in variant_groups(workspace) {
        if only_key.as_ref().is_some_and(|k| *k != variant_key(&group[0])) {
            continue;
        }
        for other in &group[1..] {
            replace.insert(other.clone(), group[0].clone());
        }
    }
    let mut paths: Vec<PathBuf> = match scope {
        Scope::File(p) => vec![p.clone()],
        Scope::Workspace => {
            let mut v: Vec<PathBuf> = replace.keys().flat_map(|t| workspace.tagged(t).map(Path::to_path_buf)).collect();
            v.sort();
            v.dedup();
            v
        }
    };
    paths.sort();
    let mut edits = Vec::new();
    let mut merged = Vec::new();
    let mut files = 0;
    for p in &paths {
        let Some(text) = texts(p) else { continue };
        let before = edits.len();
        let mut file_merged = false;
        // One canonical spelling at a time, so that each file's edits stay disjoint.
        let mut targets: Vec<&String> = replace.values().collect();
        targets.sort();
        targets.dedup();
        for to in targets {
            let from = |v: &str| replace.get(v) == Some(to);
            file_merged |= retag_file(p, &text, &from, to, &mut edits);
        }
        if file_merged {
            merged.push(p.clone());
        }
        if edits.len() > before {
            files += 1;
        }
    }
    edits.sort();
    let n = replace.len();
    let label = match (scope, only) {
        (Scope::File(_), Some(t)) => match replace.get(t) {
            Some(c) => format!("Replace `{t}` with the workspace's spelling `{c}`"),
            None => format!("Replace the variants of `{t}` with the workspace's spelling"),
        },
        (Scope::File(_), None) => "Replace variant tags with the workspace's spellings in this digest".to_string(),
        (Scope::Workspace, _) => format!(
            "Replace {n} variant spelling{} with the workspace's spelling in {files} digest{}",
            if n == 1 { "" } else { "s" },
            if files == 1 { "" } else { "s" }
        ),
    };
    Rename { label, edits, merged }
}

/// Applies edits of one file to its text (tests, and to preview a result).
pub fn apply(text: &str, edits: &[FileEdit]) -> String {
    let mut edits: Vec<&FileEdit> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse((e.span.start, e.span.end)));
    let mut out = text.to_string();
    for e in edits {
        let end = crate::text::floor_char_boundary(&out, e.span.end);
        let start = crate::text::floor_char_boundary(&out, e.span.start.min(end));
        out.replace_range(start..end, &e.new_text);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_follows_the_item() {
        assert_eq!(render_tag("偏好", ScalarStyle::DoubleQuoted, true), "\"偏好\"");
        assert_eq!(render_tag("it's", ScalarStyle::SingleQuoted, true), "'it''s'");
        assert_eq!(render_tag("DPO", ScalarStyle::Plain, true), "DPO");
        assert_eq!(render_tag("a, b", ScalarStyle::Plain, true), "\"a, b\"");
        assert_eq!(render_tag("a, b", ScalarStyle::Plain, false), "a, b");
        assert_eq!(render_tag("yes", ScalarStyle::Plain, false), "\"yes\"");
        assert_eq!(render_tag("- x", ScalarStyle::Plain, false), "\"- x\"");
    }

    fn nodes(text: &str) -> Vec<TagNode> {
        tag_nodes(&Analysis::new(text, &Config::default()))
    }

    #[test]
    fn removals_keep_the_list_valid() {
        let text = "---\ntags: [a, b, c, d]\n---\n";
        let items = nodes(text);
        for removed in [vec![0], vec![1], vec![3], vec![0, 1], vec![1, 2], vec![0, 3], vec![0, 1, 2, 3], vec![0, 2]] {
            let spans = removals(text, &items, &removed);
            let edits: Vec<FileEdit> =
                spans.into_iter().map(|span| FileEdit { path: "a".into(), span, new_text: String::new() }).collect();
            let out = apply(text, &edits);
            let left: Vec<String> = nodes(&out).into_iter().map(|n| n.value).collect();
            let want: Vec<&str> = ["a", "b", "c", "d"]
                .iter()
                .enumerate()
                .filter(|(i, _)| !removed.contains(i))
                .map(|(_, v)| *v)
                .collect();
            assert_eq!(left, want, "{removed:?}: {out}");
        }
        let text = "---\r\ntags:\r\n  - a\r\n  - b\r\ntitle: x\r\n---\r\n";
        let items = nodes(text);
        let spans = removals(text, &items, &[1]);
        let edits: Vec<FileEdit> =
            spans.into_iter().map(|span| FileEdit { path: "a".into(), span, new_text: String::new() }).collect();
        assert_eq!(apply(text, &edits), "---\r\ntags:\r\n  - a\r\ntitle: x\r\n---\r\n");
    }
}
