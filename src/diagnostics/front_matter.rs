//! Checks on the front matter of one digest: the block itself, YAML syntax and limits, required keys, types, dates, duplicate and misspelt keys.
//!
//! What matters is what Hugo does with the file: it fails the build on a missing
//! closing fence, but silently drops a date it cannot read, keeps the last of two
//! equal keys, and reads a scalar `tags` as one tag. Hugo's front-matter keys are
//! case-insensitive (`Title` is the title), so keys are compared in lower case.
//! Spans: the key when the value is missing or the key itself is at fault, else the
//! value (quotes and brackets included), or the single list item.

use std::collections::HashMap;

use super::Diagnostic;
use crate::analysis::Analysis;
use crate::config::Config;
use crate::date::{self, DateProblem, HugoDate};
use crate::front_matter::{scalar_type, FenceKind, FrontMatter, NodeId, NodeKind, ProblemKind, ScalarType, Yaml};
use crate::text::Span;

/// Keys a misspelt key is compared with: Hugo's own front-matter keys and the few
/// that themes made common. A key close to one of these is probably a typo of it.
const KNOWN_KEYS: &[&str] = &[
    "title",
    "date",
    "tags",
    "draft",
    "lastmod",
    "publishDate",
    "expiryDate",
    "slug",
    "summary",
    "description",
    "categories",
    "series",
    "weight",
    "author",
    "authors",
    "aliases",
    "keywords",
    "type",
    "layout",
    "url",
    "images",
    "toc",
    "math",
    "linkTitle",
    "menu",
    "outputs",
    "resources",
    "markup",
    "headless",
    "cascade",
    "translationKey",
    "isCJKLanguage",
    "sitemap",
    "build",
    "params",
];

/// Keys that are legitimate although close to a known one (Hugo's synonyms and
/// widespread theme keys): never flagged.
const OTHER_LEGIT_KEYS: &[&str] = &[
    "pubdate",
    "published",
    "modified",
    "expirydate",
    "image",
    "cover",
    "thumbnail",
    "featured_image",
    "featuredImage",
    "subtitle",
    "comment",
    "comments",
    "hidden",
    "private",
    "license",
    "lang",
    "language",
    "mathjax",
    "katex",
    "showToc",
    "tocOpen",
    "hidemeta",
    "canonicalURL",
];

/// Keys whose value is a date.
const DATE_KEY: &str = "date";

pub(super) fn check(analysis: &Analysis, config: &Config, out: &mut Vec<Diagnostic>) {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
    check_at(analysis, config, now, out);
}

/// The checks, with the current time (Unix seconds) given, so tests can fix it.
pub(super) fn check_at(analysis: &Analysis, config: &Config, now: i64, out: &mut Vec<Diagnostic>) {
    let fm = &analysis.front_matter;
    let Some(kind) = fm.kind else {
        out.push(Diagnostic::new(
            "missing-front-matter",
            Span::empty(0),
            format!(
                "The digest does not start with a front matter: Hugo finds no {} in it. \
                 Start the file with a `---` line, the keys ({}), and a closing `---` line.",
                list(&config.required_keys, "or"),
                list(&config.required_keys, "and")
            ),
        ));
        return;
    };
    block(fm, kind, out);
    for p in &fm.problems {
        let code = match p.kind {
            ProblemKind::Syntax => "yaml-syntax",
            ProblemKind::Limit => "limit",
        };
        out.push(Diagnostic::new(code, p.span, p.message.clone()));
    }
    let Some(yaml) = &fm.yaml else { return };
    let complete = fm.problems.is_empty();
    let Some(root) = yaml.root else {
        if complete {
            missing_keys(fm, yaml, config, out);
        }
        return;
    };
    if !matches!(yaml.node(yaml.resolve(root)).kind, NodeKind::Map { .. }) {
        out.push(Diagnostic::new(
            "wrong-type",
            yaml.node(root).span,
            "The front matter is not a mapping of keys to values: Hugo cannot read it. \
             Write one `key: value` per line.",
        ));
        return;
    }
    // A syntax error or a limit cut the tree: a key after the cut is not missing.
    if complete {
        missing_keys(fm, yaml, config, out);
    }
    duplicates(yaml, out);
    typos(yaml, out);
    aliases(yaml, out);
    for (key, key_id, value) in last_of_each(yaml) {
        let required = config.required_keys.iter().any(|k| k.eq_ignore_ascii_case(key));
        if required && is_empty(yaml, value) {
            empty_value(yaml, key, key_id, value, out);
            continue;
        }
        match key.to_ascii_lowercase().as_str() {
            "title" => title(yaml, value, out),
            "tags" => tags(yaml, value, out),
            DATE_KEY => date_value(yaml, value, now, out),
            _ => {}
        }
    }
}

/// The fences: unterminated, or closed with `...`.
fn block(fm: &FrontMatter, kind: FenceKind, out: &mut Vec<Diagnostic>) {
    if let Some(dots) = fm.dots_close {
        out.push(Diagnostic::new(
            "dots-closing-fence",
            dots,
            "The front matter is closed with `...`, which Hugo does not accept: it looks for a `---` line \
             further down and fails the build when there is none. Replace `...` with `---`.",
        ));
        return;
    }
    if fm.close.is_some() || kind == FenceKind::Json {
        return;
    }
    let (fence, lang) = if kind == FenceKind::Toml { ("+++", "TOML") } else { ("---", "YAML") };
    out.push(Diagnostic::new(
        "unterminated-front-matter",
        fm.open,
        format!(
            "This front matter has no closing `{fence}` line: Hugo fails the build (\"EOF looking for end {lang} \
             front matter delimiter\"). Add a `{fence}` line after the last key."
        ),
    ));
}

/// Every top-level key, lower-cased, with the last occurrence of each (Hugo keeps it).
fn last_of_each(yaml: &Yaml) -> Vec<(&str, NodeId, NodeId)> {
    let mut seen = std::collections::HashSet::new();
    let mut out: Vec<(&str, NodeId, NodeId)> =
        yaml.top_level().into_iter().rev().filter(|(key, _, _)| seen.insert(key.to_lowercase())).collect();
    out.reverse();
    out
}

fn missing_keys(fm: &FrontMatter, yaml: &Yaml, config: &Config, out: &mut Vec<Diagnostic>) {
    let keys = yaml.top_level();
    for required in &config.required_keys {
        if keys.iter().any(|(k, _, _)| k.eq_ignore_ascii_case(required)) {
            continue;
        }
        let example = match required.to_ascii_lowercase().as_str() {
            "title" => "`title: \"<the main topics>\"`".to_string(),
            "date" => format!("`date: {}`", date::EXAMPLE),
            "tags" => "`tags: [\"<tag>\", \"<tag>\"]`".to_string(),
            _ => format!("`{required}: <value>`"),
        };
        let typo = keys
            .iter()
            .find(|(k, _, _)| suggestion(k).is_some_and(|s| s.eq_ignore_ascii_case(required)))
            .map(|(k, _, _)| format!(" (`{k}` looks like a misspelling of it)"))
            .unwrap_or_default();
        out.push(Diagnostic::new(
            "missing-key",
            fm.open,
            format!("The front matter has no `{required}`{typo}: add {example}."),
        ));
    }
}

/// Null, an empty or blank string, an empty list or mapping.
fn is_empty(yaml: &Yaml, id: NodeId) -> bool {
    let node = yaml.node(yaml.resolve(id));
    match &node.kind {
        NodeKind::Scalar { value, style } => {
            scalar_type(value, *style, node.tag.as_deref()) == ScalarType::Null || value.trim().is_empty()
        }
        NodeKind::Seq { items, .. } => items.is_empty(),
        NodeKind::Map { entries, .. } => entries.is_empty(),
        NodeKind::Alias { .. } => false,
    }
}

fn empty_value(yaml: &Yaml, key: &str, key_id: NodeId, value: NodeId, out: &mut Vec<Diagnostic>) {
    let value_span = yaml.node(value).span;
    let span = if value_span.is_empty() { yaml.node(key_id).span } else { value_span };
    let message = match key.to_ascii_lowercase().as_str() {
        "title" => "The title is empty: Hugo shows the page without a title. Write the main topics.".to_string(),
        DATE_KEY => format!(
            "The date is empty: Hugo silently dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `{}`.",
            date::EXAMPLE
        ),
        "tags" => {
            "The tags are empty: Hugo lists the page under no tag. Add at least one: `tags: [\"<tag>\"]`.".to_string()
        }
        _ => format!("`{key}` is required but empty: give it a value."),
    };
    out.push(Diagnostic::new("empty-value", span, message));
}

/// What a YAML value is, for messages.
fn describe(yaml: &Yaml, id: NodeId) -> (&'static str, ScalarType) {
    let node = yaml.node(yaml.resolve(id));
    match &node.kind {
        NodeKind::Scalar { value, style } => match scalar_type(value, *style, node.tag.as_deref()) {
            ScalarType::Bool => ("a boolean", ScalarType::Bool),
            ScalarType::Int | ScalarType::Float => ("a number", ScalarType::Int),
            ScalarType::Null => ("null", ScalarType::Null),
            t => ("a string", t),
        },
        NodeKind::Seq { .. } => ("a list", ScalarType::String),
        NodeKind::Map { .. } => ("a mapping", ScalarType::String),
        NodeKind::Alias { .. } => ("an alias", ScalarType::String),
    }
}

fn title(yaml: &Yaml, value: NodeId, out: &mut Vec<Diagnostic>) {
    let span = yaml.node(value).span;
    let node = yaml.node(yaml.resolve(value));
    let message = match &node.kind {
        NodeKind::Scalar { value: text, .. } => match describe(yaml, value).1 {
            ScalarType::Bool => format!(
                "YAML reads the title `{text}` as a boolean: Hugo shows it as \"true\" or \"false\". \
                 Quote it: `\"{text}\"`."
            ),
            ScalarType::Int => {
                format!("The title `{text}` is a number, not a string: quote it to keep it as written: `\"{text}\"`.")
            }
            _ => return,
        },
        _ => format!(
            "The title is {}, not a string: Hugo shows no title. Write one string, e.g. `title: \"<the main topics>\"`.",
            describe(yaml, value).0
        ),
    };
    out.push(Diagnostic::new("wrong-type", span, message));
}

fn tags(yaml: &Yaml, value: NodeId, out: &mut Vec<Diagnostic>) {
    let span = yaml.node(value).span;
    let node = yaml.node(yaml.resolve(value));
    match &node.kind {
        NodeKind::Seq { items, .. } => {
            for &item in items {
                tag_item(yaml, item, out);
            }
        }
        NodeKind::Map { .. } => out.push(Diagnostic::new(
            "wrong-type",
            span,
            "`tags` is a mapping: Hugo reads no tags from it. Write a list: `tags: [\"<tag>\", \"<tag>\"]`.",
        )),
        NodeKind::Scalar { value: text, .. } => {
            let (what, ty) = describe(yaml, value);
            if ty == ScalarType::String || ty == ScalarType::Timestamp {
                let parts: Vec<&str> = text.split([',', '，']).map(str::trim).filter(|s| !s.is_empty()).collect();
                let message = if parts.len() > 1 {
                    format!(
                        "`tags` is one string, not a list: Hugo reads one tag \"{text}\", commas included. \
                         Write a list: `tags: [{}]`.",
                        parts.iter().map(|p| quote(p)).collect::<Vec<_>>().join(", ")
                    )
                } else {
                    format!(
                        "`tags` is one string, not a list: Hugo reads it as the one tag \"{text}\". \
                         Write a list: `tags: [{}]`.",
                        quote(text)
                    )
                };
                out.push(Diagnostic::new("tags-not-list", span, message));
            } else {
                out.push(Diagnostic::new(
                    "wrong-type",
                    span,
                    format!(
                        "`tags` is {what}, not a list of strings: Hugo reads it as the one tag \"{text}\". \
                         Write a list of strings: `tags: [{}]`.",
                        quote(text)
                    ),
                ));
            }
        }
        NodeKind::Alias { .. } => {}
    }
}

/// An item of the tags list that Hugo does not read as the string written.
fn tag_item(yaml: &Yaml, item: NodeId, out: &mut Vec<Diagnostic>) {
    let span = yaml.node(item).span;
    let node = yaml.node(yaml.resolve(item));
    let message = match &node.kind {
        NodeKind::Scalar { value, .. } => match describe(yaml, item).1 {
            ScalarType::Bool => format!(
                "YAML reads the tag `{value}` as a boolean: Hugo makes it the tag \"true\" or \"false\". \
                 Quote it: `\"{value}\"`."
            ),
            _ => return,
        },
        NodeKind::Seq { .. } | NodeKind::Map { .. } => format!(
            "This tag is {}, not a string: Hugo silently drops it from the page's tags. Write each tag as one string.",
            describe(yaml, item).0
        ),
        NodeKind::Alias { .. } => return,
    };
    out.push(Diagnostic::new("wrong-type", span, message));
}

/// A string quoted for YAML flow style.
fn quote(s: &str) -> String {
    format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\""))
}

fn date_value(yaml: &Yaml, value: NodeId, now: i64, out: &mut Vec<Diagnostic>) {
    let span = yaml.node(value).span;
    let text = yaml.scalar(value).map_or("", |(v, _)| v);
    match date::read(yaml, value) {
        Err(DateProblem::Invalid(message)) => out.push(Diagnostic::new("invalid-date", span, message)),
        Err(DateProblem::UnixSeconds) => {
            let Some(unix) = date::unix_seconds(text) else { return };
            let utc = rfc3339_utc(unix);
            out.push(Diagnostic::new(
                "unix-date",
                span,
                format!(
                    "`{text}` is a bare number: Hugo reads it as Unix seconds, {utc}. \
                     If that is the date you mean, write it as a date: `{utc}`."
                ),
            ));
        }
        Ok(d) if d.year < 1 => out.push(Diagnostic::new(
            "invalid-date",
            span,
            format!(
                "Hugo reads `{text}` as a date in year 0: the page gets a meaningless date. \
                 Write RFC 3339 with an offset, e.g. `{}`.",
                date::EXAMPLE
            ),
        )),
        Ok(d) if d.is_zero() => out.push(Diagnostic::new(
            "invalid-date",
            span,
            format!(
                "`{text}` is Go's zero time: Hugo treats the page as undated. \
                 Write the real date, e.g. `{}`.",
                date::EXAMPLE
            ),
        )),
        Ok(d) => {
            if d.offset.is_none() {
                out.push(Diagnostic::new(
                    "date-without-offset",
                    span,
                    format!(
                        "`{text}` has no UTC offset: Hugo reads it as UTC. Write the offset, e.g. `{}`.",
                        with_offset(text, &d)
                    ),
                ));
            }
            if d.unix > now {
                out.push(Diagnostic::new(
                    "future-date",
                    span,
                    format!(
                        "The date {} is in the future: Hugo does not publish the page before then \
                         (unless built with `--buildFuture`). Check the year and the day.",
                        d.day_string()
                    ),
                ));
            }
        }
    }
}

/// `2024-07-05T11:31:56Z`.
fn rfc3339_utc(unix: i64) -> String {
    let d = HugoDate::from_unix(unix);
    let secs = unix.rem_euclid(86_400);
    format!("{}T{:02}:{:02}:{:02}Z", d.day_string(), secs / 3600, secs / 60 % 60, secs % 60)
}

/// The written date with `+08:00` added, when it has the `YYYY-MM-DD[ T]HH:MM:SS` shape.
fn with_offset(text: &str, d: &HugoDate) -> String {
    let b = text.as_bytes();
    let time_shape = b.len() == 19 && matches!(b[10], b' ' | b'T') && b[13] == b':' && b[16] == b':';
    if time_shape && text.starts_with(&d.day_string()) {
        format!("{}T{}+08:00", d.day_string(), &text[11..])
    } else {
        format!("{}T00:00:00+08:00", d.day_string())
    }
}

/// Keys written twice (in any case): the earlier ones are ignored by Hugo.
fn duplicates(yaml: &Yaml, out: &mut Vec<Diagnostic>) {
    let entries = yaml.top_level();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, (key, _, _)) in entries.iter().enumerate().rev() {
        let lower = key.to_lowercase();
        if let Some(&later) = seen.get(&lower) {
            let (later_key, _, _) = entries[later];
            let k = entries[i].1;
            let spelling = if later_key == *key { String::new() } else { format!(" (as `{later_key}`)") };
            out.push(Diagnostic::new(
                "duplicate-key",
                yaml.node(k).span,
                format!(
                    "`{key}` is set again further down{spelling}: Hugo silently keeps the last one \
                     and ignores this one. Remove one of them."
                ),
            ));
        }
        seen.insert(lower, i);
    }
}

/// The known key that `key` is probably a misspelling of.
fn suggestion(key: &str) -> Option<&'static str> {
    // No known key is near a long or non-ASCII one; this also keeps hostile keys cheap.
    if key.len() > 24 || !key.is_ascii() {
        return None;
    }
    let legit = |s: &&str| s.eq_ignore_ascii_case(key);
    if KNOWN_KEYS.iter().any(legit) || OTHER_LEGIT_KEYS.iter().any(legit) {
        return None;
    }
    let k = key.to_ascii_lowercase();
    let mut best: Option<(usize, &'static str)> = None;
    for &known in KNOWN_KEYS {
        // Plural for singular and back: `tag`, `dates`, `alias`, `category`.
        let plural_of = |a: &str, b: &str| {
            [("s", ""), ("es", ""), ("ies", "y")].iter().any(|(plural, singular)| {
                a.len() > plural.len()
                    && a[a.len() - plural.len()..].eq_ignore_ascii_case(plural)
                    && b.len() + plural.len() == a.len() + singular.len()
                    && b[b.len() - singular.len()..].eq_ignore_ascii_case(singular)
                    && a[..a.len() - plural.len()].eq_ignore_ascii_case(&b[..b.len() - singular.len()])
            })
        };
        let number = plural_of(&k, known) || plural_of(known, &k);
        // Short keys are too easily close to another word to guess.
        let allowed = match k.len().min(known.len()) {
            0..=3 => 0,
            4..=6 => 1,
            _ => 2,
        };
        // The bag distance is a lower bound of the edit distance and costs no
        // allocation: most keys are ruled out by it (keeps 100,000 keys cheap).
        if !number && (k.len().abs_diff(known.len()) > allowed || bag_distance(&k, known) > allowed) {
            continue;
        }
        // Edits and swaps of neighbours (`tilte`): the restricted Damerau-Levenshtein.
        let distance = if number { 1 } else { strsim::osa_distance(&k, &known.to_ascii_lowercase()) };
        if (number || distance <= allowed) && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, known));
        }
    }
    best.map(|(_, known)| known)
}

/// How many characters one side has that the other lacks (as multisets, ASCII case
/// folded): never more than the edit distance, and no allocation.
fn bag_distance(a: &str, b: &str) -> usize {
    let mut counts = [0u8; 128];
    for c in a.bytes() {
        let i = usize::from(c.to_ascii_lowercase() & 0x7f);
        counts[i] = counts[i].saturating_add(1);
    }
    let mut common = 0;
    for c in b.bytes() {
        let i = usize::from(c.to_ascii_lowercase() & 0x7f);
        if counts[i] > 0 {
            counts[i] -= 1;
            common += 1;
        }
    }
    a.len().max(b.len()) - common
}

fn typos(yaml: &Yaml, out: &mut Vec<Diagnostic>) {
    for (key, k, _) in yaml.top_level() {
        if let Some(known) = suggestion(key) {
            out.push(Diagnostic::new(
                "key-typo",
                yaml.node(k).span,
                format!(
                    "`{key}` is not a key Hugo knows; did you mean `{known}`? \
                     Hugo keeps `{key}` only as a custom parameter."
                ),
            ));
        }
    }
}

fn aliases(yaml: &Yaml, out: &mut Vec<Diagnostic>) {
    for node in &yaml.nodes {
        if let NodeKind::Alias { .. } = node.kind {
            out.push(Diagnostic::new(
                "yaml-alias",
                node.span,
                "An alias: Hugo copies the anchored value here; digest-ls reads it as that value but does not \
                 check it again at this place.",
            ));
        }
    }
}

/// `a, b or c`.
fn list(items: &[String], conj: &str) -> String {
    let quoted: Vec<String> = items.iter().map(|k| format!("`{k}`")).collect();
    match quoted.split_last() {
        None => "keys".to_string(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {conj} {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes_at(text: &str, now: i64) -> Vec<(&'static str, String)> {
        let config = Config::default();
        let analysis = Analysis::new(text, &config);
        let mut out = Vec::new();
        check_at(&analysis, &config, now, &mut out);
        out.into_iter().map(|d| (d.code, text[d.span.range()].to_string())).collect()
    }

    const NOW: i64 = 1_720_179_116; // 2024-07-05T19:31:56+08:00

    #[test]
    fn future_is_relative_to_the_injected_now() {
        let text = "---\ntitle: t\ndate: 2024-07-05T19:31:57+08:00\ntags: [a]\n---\n";
        assert_eq!(codes_at(text, NOW), vec![("future-date", "2024-07-05T19:31:57+08:00".to_string())]);
        assert_eq!(codes_at(text, NOW + 1), vec![]);
        let text = "---\ntitle: t\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n";
        assert_eq!(codes_at(text, NOW), vec![]);
    }

    #[test]
    fn suggestions() {
        let table = [
            ("tilte", Some("title")),
            ("Titel", Some("title")),
            ("tag", Some("tags")),
            ("category", Some("categories")),
            ("tagz", Some("tags")),
            ("dates", Some("date")),
            ("date", None),
            ("Date", None),
            ("publishdate", None),
            ("pubishDate", Some("publishDate")),
            ("categroies", Some("categories")),
            ("summery", Some("summary")),
            ("weigth", Some("weight")),
            ("auther", Some("author")),
            ("alias", Some("aliases")),
            ("image", None),
            ("cover", None),
            ("reading_group", None),
            ("speaker", None),
            ("id", None),
            ("ur", None),
            ("优化", None),
        ];
        for (key, want) in table {
            assert_eq!(suggestion(key), want, "{key}");
        }
    }

    /// Through the front-matter checks alone: `diagnostics::check` also runs the tag
    /// checks, which compare every pair of tags.
    #[test]
    fn one_hundred_thousand_tags() {
        let tags = (0..100_000).map(|i| format!("t{i}")).collect::<Vec<_>>().join(", ");
        let text = format!("---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [{tags}, on]\n---\n");
        let found = codes_at(&text, NOW);
        assert_eq!(found, vec![("wrong-type", "on".to_string())]);
        let config = Config::default();
        let analysis = Analysis::new(&text, &config);
        let mut out = Vec::new();
        check_at(&analysis, &config, NOW, &mut out);
        assert_eq!(out[0].span.start, text.len() - "on]\n---\n".len());
    }

    #[test]
    fn arbitrary_front_matter_never_panics_and_spans_are_in_the_text() {
        let pieces = [
            "---\n",
            "\n",
            "\r\n",
            "\r",
            "title",
            "date",
            "tags",
            "tilte",
            "Tags",
            ": ",
            "[",
            "]",
            "{",
            "}",
            ", ",
            "\"",
            "'",
            "- ",
            "  ",
            "\t",
            "&a ",
            "*a",
            "!!str ",
            "yes",
            "42",
            "2024-07-05",
            "T19:31",
            ":56",
            "+08:00",
            "优化",
            "😀",
            "...",
            "~",
            "#",
            "|",
        ];
        let mut seed = 0x0123_4567_89ab_cdefu64;
        for _ in 0..3000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let mut s = seed;
            let mut text = String::from("---\n");
            for _ in 0..(seed % 30) {
                s = s.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
                text.push_str(pieces[(s >> 33) as usize % pieces.len()]);
            }
            text.push_str("\n---\n");
            let config = Config::default();
            let analysis = Analysis::new(&text, &config);
            let mut out = Vec::new();
            check_at(&analysis, &config, NOW, &mut out);
            for d in &out {
                assert!(text.get(d.span.range()).is_some(), "{:?} in {text:?}", d);
            }
        }
    }

    #[test]
    fn ninety_thousand_keys() {
        // 90,000 keys: 180,000 nodes, under the default node limit.
        let keys: String = (0..90_000).map(|i| format!("k{i}: v\n")).collect();
        let text = format!("---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n{keys}k7: again\n---\n");
        let found = codes_at(&text, NOW);
        assert_eq!(found, vec![("duplicate-key", "k7".to_string())]);
    }
}
