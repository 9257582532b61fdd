//! Quick fixes for the diagnostics, and rewrites at the cursor: plain edits with a title, the code they fix and where the cursor goes.
//!
//! Fixes are computed from the document, not from the diagnostic's message, so a
//! client's stale diagnostic never yields a wrong edit: a fix whose subject is no
//! longer there is simply not offered. Fixed by code:
//! - `missing-key`: add `title` (from the `##` headline, else the topics), `date`
//!   (now, with the local offset) or `tags: []` (cursor inside the brackets);
//! - `invalid-date`: rewrite into a form Hugo reads when the meaning is clear
//!   (`2024/07/05` -> `2024-07-05`, `2024-07-05T19:31+08:00` -> `2024-07-05T19:31:00+08:00`,
//!   `25/07/2024` -> `2024-07-25`, never `07/05/2024`);
//! - `duplicate-tag`: remove the item; `tag-variant`: the workspace's spelling (merging
//!   when it is already listed), here or in every digest;
//! - `tags-not-list`: `"优化, DPO"` -> `["优化", "DPO"]`; `key-typo`: the suggested key;
//! - `topic-number`: renumber the topics 1, 2, 3, ...
//!
//! At the cursor, without a diagnostic: an arXiv pdf link -> its abs page; a bare URL
//! -> `[host/path](url)`.

use std::path::Path;

use crate::analysis::Analysis;
use crate::body::LinkKind;
use crate::config::Config;
use crate::front_matter::{NodeKind, ScalarStyle};
use crate::rename::{self, FileEdit, Scope, Texts};
use crate::resource::Resource;
use crate::text::Span;
use crate::workspace::Workspace;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ActionKind {
    /// Fixes a diagnostic.
    QuickFix,
    /// Rewrites something at the cursor.
    Rewrite,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Action {
    pub title: String,
    pub kind: ActionKind,
    /// The diagnostic code it fixes (quick fixes).
    pub code: Option<&'static str>,
    /// The span of the diagnostic it fixes.
    pub diagnostic: Option<Span>,
    pub edits: Vec<FileEdit>,
    /// Where the cursor should go after the edit: a byte offset in the edited text of
    /// the requesting file.
    pub cursor: Option<usize>,
    /// The fix everyone wants: clients may apply it with a shortcut.
    pub preferred: bool,
}

/// A diagnostic of the request's context: its code and span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Wanted {
    pub code: String,
    pub span: Span,
}

/// What the code actions need to know.
pub struct Request<'a> {
    /// The document's text, at least up to the end of the front matter (fixes in the
    /// body read the analysis, never the text).
    pub text: &'a str,
    pub analysis: &'a Analysis,
    pub path: &'a Path,
    /// The range the user asked about.
    pub range: Span,
    /// The diagnostics in the request's context.
    pub diagnostics: &'a [Wanted],
    pub config: &'a Config,
    pub workspace: &'a Workspace,
    pub texts: Texts<'a>,
    /// Now in RFC 3339 with the local offset (injected so tests are fixed).
    pub now: &'a str,
}

/// Every action for the request: quick fixes for its diagnostics, then rewrites at the range.
pub fn actions(req: &Request<'_>) -> Vec<Action> {
    let mut out: Vec<Action> = Vec::new();
    for w in req.diagnostics {
        let found = match w.code.as_str() {
            "missing-key" | "empty-value" => missing_key(req, w),
            "invalid-date" => date_fix(req, w).into_iter().collect(),
            "duplicate-tag" => remove_tag(req, w).into_iter().collect(),
            "tag-variant" => variant(req, w),
            "tags-not-list" => scalar_tags(req, w).into_iter().collect(),
            "key-typo" => key_typo(req, w).into_iter().collect(),
            "topic-number" => renumber(req, w).into_iter().collect(),
            _ => Vec::new(),
        };
        for a in found {
            if !out.iter().any(|o| o.title == a.title) {
                out.push(a);
            }
        }
    }
    out.extend(rewrites(req));
    out
}

fn fix(req: &Request<'_>, code: &'static str, w: &Wanted, title: String, edits: Vec<(Span, String)>) -> Action {
    Action {
        title,
        kind: ActionKind::QuickFix,
        code: Some(code),
        diagnostic: Some(w.span),
        edits: edits
            .into_iter()
            .map(|(span, new_text)| FileEdit { path: req.path.to_path_buf(), span, new_text })
            .collect(),
        cursor: None,
        preferred: true,
    }
}

/// The line break the front matter uses.
fn eol(text: &str) -> &'static str {
    if text.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    }
}

fn quote(s: &str) -> String {
    rename::render_tag(s, ScalarStyle::DoubleQuoted, false)
}

/// Adds the missing required keys (one action each) before the closing fence.
fn missing_key(req: &Request<'_>, w: &Wanted) -> Vec<Action> {
    let fm = &req.analysis.front_matter;
    if fm.close.is_none() || !fm.problems.is_empty() {
        return Vec::new();
    }
    let present: Vec<String> =
        fm.yaml.as_ref().map(|y| y.top_level().iter().map(|(k, _, _)| k.to_lowercase()).collect()).unwrap_or_default();
    let nl = eol(req.text);
    let at = fm.content.end;
    // A front matter whose last line has no break (impossible before a closing fence,
    // but cheap to guard) gets one first.
    let lead = if at > 0 && !matches!(req.text.as_bytes().get(at - 1), Some(b'\n' | b'\r')) { nl } else { "" };
    let mut out = Vec::new();
    for key in &req.config.required_keys {
        let lower = key.to_lowercase();
        if present.contains(&lower) {
            continue;
        }
        let (line, cursor_in_line) = match lower.as_str() {
            "title" => {
                let title = title_from_body(req.analysis).unwrap_or_default();
                let line = format!("{key}: {}", quote(&title));
                let cursor = if title.is_empty() { Some(line.len() - 1) } else { None };
                (line, cursor)
            }
            "date" => (format!("{key}: {}", req.now), None),
            "tags" => (format!("{key}: []"), Some(key.len() + 3)),
            _ => (format!("{key}: "), Some(key.len() + 2)),
        };
        let new_text = format!("{lead}{line}{nl}");
        let mut a = fix(req, "missing-key", w, format!("Add `{line}`"), vec![(Span::empty(at), new_text)]);
        a.cursor = cursor_in_line.map(|c| at + lead.len() + c);
        out.push(a);
    }
    out
}

/// The headline of the day, else the topic titles joined with `; `.
fn title_from_body(analysis: &Analysis) -> Option<String> {
    if let Some((text, _, _)) = crate::symbols::headline(analysis) {
        return Some(text.to_string());
    }
    let topics: Vec<String> = analysis.body.topics().iter().map(|t| t.start.title.clone()).collect();
    (!topics.is_empty()).then(|| topics.join("; "))
}

/// A date rewritten into a form Hugo reads, when its meaning is clear.
pub fn rewrite_date(value: &str) -> Option<String> {
    let v = value.trim();
    let (date, rest) = split_date(v)?;
    let (y, m, d) = date;
    if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
        return None;
    }
    let day = format!("{y:04}-{m:02}-{d:02}");
    let rest = rest.trim_start_matches([' ', 'T', 't']);
    if rest.is_empty() {
        return Some(day);
    }
    // HH:MM[:SS[.frac]] then an optional offset.
    let time_end = rest.find(|c: char| !(c.is_ascii_digit() || c == ':' || c == '.')).unwrap_or(rest.len());
    let (time, zone) = rest.split_at(time_end);
    let mut parts = time.split(':');
    let hh: u32 = parts.next()?.parse().ok()?;
    let mm: u32 = parts.next()?.parse().ok()?;
    let ss = parts.next().unwrap_or("00");
    if parts.next().is_some() || hh > 23 || mm > 59 {
        return None;
    }
    let (whole, frac) = ss.split_once('.').map_or((ss, None), |(a, b)| (a, Some(b)));
    let sec: u32 = whole.parse().ok()?;
    if sec > 60 || frac.is_some_and(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit())) {
        return None;
    }
    let frac = frac.map(|f| format!(".{f}")).unwrap_or_default();
    let zone = zone.trim();
    let zone = match zone {
        "" => String::new(),
        "Z" | "z" | "UTC" => "Z".to_string(),
        z => {
            if !z.starts_with(['+', '-']) {
                return None;
            }
            let (sign, digits) = z.split_at(1);
            let digits: String = digits.chars().filter(|c| *c != ':').collect();
            if !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let (oh, om) = match digits.len() {
                2 => (&digits[..2], "00"),
                4 => (&digits[..2], &digits[2..]),
                _ => return None,
            };
            let (h, m): (u32, u32) = (oh.parse().ok()?, om.parse().ok()?);
            if h > 14 || m > 59 {
                return None;
            }
            format!("{sign}{oh}:{om}")
        }
    };
    Some(format!("{day}T{hh:02}:{mm:02}:{sec:02}{frac}{zone}"))
}

/// `Y-M-D`, `Y/M/D`, `Y.M.D`, or `D/M/Y` when the day is over 12 (else ambiguous).
fn split_date(v: &str) -> Option<((i32, u32, u32), &str)> {
    let end = v.find(|c: char| !(c.is_ascii_digit() || matches!(c, '-' | '/' | '.'))).unwrap_or(v.len());
    let (date, rest) = v.split_at(end);
    let sep = date.chars().find(|c| !c.is_ascii_digit())?;
    let fields: Vec<&str> = date.split(sep).collect();
    if fields.len() != 3 || fields.iter().any(|f| f.is_empty() || f.len() > 4) {
        return None;
    }
    let n: Vec<u32> = fields.iter().map(|f| f.parse().ok()).collect::<Option<_>>()?;
    if fields[0].len() == 4 {
        return Some(((n[0] as i32, n[1], n[2]), rest));
    }
    if fields[2].len() == 4 {
        // Day first or month first: only clear when one of them cannot be a month.
        return match (n[0] > 12, n[1] > 12) {
            (true, false) => Some(((n[2] as i32, n[1], n[0]), rest)),
            (false, true) => Some(((n[2] as i32, n[0], n[1]), rest)),
            _ => None,
        };
    }
    None
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

fn date_fix(req: &Request<'_>, w: &Wanted) -> Option<Action> {
    let yaml = req.analysis.front_matter.yaml.as_ref()?;
    let (_, _, value) = yaml
        .top_level()
        .into_iter()
        .find(|(k, _, v)| k.eq_ignore_ascii_case("date") || yaml.node(*v).span == w.span)?;
    let node = yaml.node(value);
    let NodeKind::Scalar { value: text, style } = &node.kind else { return None };
    let fixed = rewrite_date(text)?;
    // Only offer what Hugo will actually read.
    crate::date::parse_string(&fixed).ok()?;
    let new_text = match style {
        ScalarStyle::DoubleQuoted => format!("\"{fixed}\""),
        ScalarStyle::SingleQuoted => format!("'{fixed}'"),
        _ => fixed.clone(),
    };
    Some(fix(req, "invalid-date", w, format!("Write the date as `{fixed}`"), vec![(node.span, new_text)]))
}

fn remove_tag(req: &Request<'_>, w: &Wanted) -> Option<Action> {
    let items = rename::tag_nodes(req.analysis);
    let i = items.iter().position(|n| n.span == w.span)?;
    // Only a real duplicate: an earlier item with the same value.
    if !items[..i].iter().any(|n| n.value == items[i].value) {
        return None;
    }
    let span = rename::removal_span(req.text, &items, i)?;
    let title = format!("Remove the duplicate tag `{}`", items[i].value);
    Some(fix(req, "duplicate-tag", w, title, vec![(span, String::new())]))
}

fn variant(req: &Request<'_>, w: &Wanted) -> Vec<Action> {
    let items = rename::tag_nodes(req.analysis);
    let Some(i) = items.iter().position(|n| n.span == w.span) else { return Vec::new() };
    let item = &items[i];
    let mut out = Vec::new();
    // Within the file: keep the first spelling of the term.
    let key = rename::variant_key(&item.value);
    let workspace_spelling = rename::canonical(&item.value, req.workspace);
    let earlier = items[..i].iter().find(|n| rename::variant_key(&n.value) == key);
    let target = workspace_spelling.clone().or_else(|| earlier.map(|n| n.value.clone()));
    let target = target.or_else(|| (item.value.trim() != item.value).then(|| item.value.trim().to_string()));
    if let Some(to) = target.filter(|t| *t != item.value) {
        let present = items.iter().any(|n| n.value == to);
        let edit = if present {
            rename::removal_span(req.text, &items, i).map(|s| (s, String::new()))
        } else {
            Some((item.span, rename::render_tag(&to, item.style, item.flow)))
        };
        if let Some(edit) = edit {
            let title = if present {
                format!("Remove `{}`: `{to}` is already listed", item.value)
            } else {
                format!("Write `{to}` instead of `{}`", item.value)
            };
            out.push(fix(req, "tag-variant", w, title, vec![edit]));
        }
    }
    if let Some(to) = workspace_spelling {
        let all = rename::canonicalize(&Scope::Workspace, Some(&item.value), req.workspace, req.texts);
        if all.edits.iter().any(|e| e.path != req.path) {
            let mut files: Vec<&Path> = all.edits.iter().map(|e| e.path.as_path()).collect();
            files.dedup();
            let title = format!("Write `{to}` for `{}` in every digest ({} files)", item.value, files.len());
            let mut a = fix(req, "tag-variant", w, title, Vec::new());
            a.edits = all.edits;
            a.preferred = false;
            out.push(a);
        }
    }
    out
}

fn scalar_tags(req: &Request<'_>, w: &Wanted) -> Option<Action> {
    let items = rename::tag_nodes(req.analysis);
    let item = items.first().filter(|n| n.scalar)?;
    let parts: Vec<&str> = item.value.split([',', '，']).map(str::trim).filter(|s| !s.is_empty()).collect();
    if parts.is_empty() {
        return None;
    }
    let style =
        if item.style == ScalarStyle::SingleQuoted { ScalarStyle::SingleQuoted } else { ScalarStyle::DoubleQuoted };
    let list = format!("[{}]", parts.iter().map(|p| rename::render_tag(p, style, true)).collect::<Vec<_>>().join(", "));
    let title = if parts.len() > 1 {
        format!("Split into a list of {} tags: `{list}`", parts.len())
    } else {
        format!("Make it a list: `{list}`")
    };
    Some(fix(req, "tags-not-list", w, title, vec![(item.span, list)]))
}

fn key_typo(req: &Request<'_>, w: &Wanted) -> Option<Action> {
    let yaml = req.analysis.front_matter.yaml.as_ref()?;
    let (key, _, _) = yaml.top_level().into_iter().find(|(_, k, _)| yaml.node(*k).span == w.span)?;
    // The suggestion is the check's own: recompute it rather than trust a client's copy.
    let own = crate::diagnostics::check(req.analysis, req.path, req.config, req.workspace);
    let d = own.iter().find(|d| d.code == "key-typo" && d.span == w.span)?;
    let suggestion = d.message.split("did you mean `").nth(1)?.split('`').next()?;
    if suggestion.is_empty() || suggestion == key {
        return None;
    }
    let present = yaml.top_level().iter().any(|(k, _, _)| k.eq_ignore_ascii_case(suggestion));
    let mut a =
        fix(req, "key-typo", w, format!("Rename `{key}` to `{suggestion}`"), vec![(w.span, suggestion.to_string())]);
    // With the right key already there, renaming makes a duplicate key: still offered, not preferred.
    a.preferred = !present;
    Some(a)
}

fn renumber(req: &Request<'_>, w: &Wanted) -> Option<Action> {
    let topics = req.analysis.body.topics();
    let edits: Vec<(Span, String)> = topics
        .iter()
        .enumerate()
        .filter(|(i, t)| t.start.number != Some(*i as u32 + 1))
        .map(|(i, t)| (t.start.number_span, (i + 1).to_string()))
        .collect();
    if edits.is_empty() {
        return None;
    }
    Some(fix(req, "topic-number", w, format!("Renumber the topics 1 to {}", topics.len()), edits))
}

/// Rewrites of the link at the range.
fn rewrites(req: &Request<'_>) -> Vec<Action> {
    let body = &req.analysis.body;
    let mut out = Vec::new();
    let Some(i) = body.block_at(req.range.start) else { return out };
    let blocks = body.blocks.get(i.saturating_sub(1)..=i).unwrap_or_default();
    for l in blocks.iter().flat_map(|b| b.links.iter()) {
        if !(l.span.touches(req.range.start) || (req.range.start <= l.span.start && l.span.end <= req.range.end)) {
            continue;
        }
        let rewrite = |title: String, span: Span, new_text: String| Action {
            title,
            kind: ActionKind::Rewrite,
            code: None,
            diagnostic: None,
            edits: vec![FileEdit { path: req.path.to_path_buf(), span, new_text }],
            cursor: None,
            preferred: false,
        };
        if let (Some(url_span), Some(Resource::Arxiv { id, version })) = (l.url_span, crate::resource::classify(&l.url))
        {
            let lower = l.url.to_ascii_lowercase();
            if lower.contains("/pdf/") {
                let abs = format!("https://arxiv.org/abs/{id}{}", version.unwrap_or_default());
                out.push(rewrite(format!("Link the arXiv abstract page: {abs}"), url_span, abs));
            }
        }
        if l.kind == LinkKind::Bare {
            if let Some(text) = short_text(&l.url) {
                let new_text = format!("[{text}]({})", l.url);
                out.push(rewrite(format!("Make it a link: `{new_text}`"), l.span, new_text));
            }
        }
    }
    out
}

/// `host/path` of a URL, without `www.` and the trailing slash.
fn short_text(url: &str) -> Option<String> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    let port = parsed.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = parsed.path().trim_end_matches('/');
    // Brackets in the text would end the link text early.
    Some(format!("{host}{port}{path}").replace(['[', ']'], ""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_rewritten_only_when_clear() {
        let table = [
            ("2024/07/05", Some("2024-07-05")),
            ("2024.7.5", Some("2024-07-05")),
            ("2024-07-05T19:31+08:00", Some("2024-07-05T19:31:00+08:00")),
            ("2024-07-05 19:31:56 +0800", Some("2024-07-05T19:31:56+08:00")),
            ("2024/07/05 9:31", Some("2024-07-05T09:31:00")),
            ("25/07/2024", Some("2024-07-25")),
            ("07/25/2024", Some("2024-07-25")),
            ("07/05/2024", None),
            ("2024-13-40", None),
            ("2023-02-29", None),
            ("2024-02-29", Some("2024-02-29")),
            ("yesterday", None),
            ("2024-07-05T25:00+08:00", None),
            ("", None),
            ("2024-07-05T19:31优", None),
            ("2024-07-05T19:31+0８:00", None),
            ("2024-07-05T19:31+0８", None),
        ];
        for (input, want) in table {
            assert_eq!(rewrite_date(input).as_deref(), want, "{input}");
        }
    }
}
