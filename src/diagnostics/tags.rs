//! Checks on the `tags` list: duplicates, variants Hugo merges, empty tags, likely typos of frequent tags.
//!
//! Each item gets at most one of: `empty-tag`, `duplicate-tag`, `tag-variant` (of
//! an earlier item, of a more used spelling elsewhere in the workspace, or for
//! surrounding spaces alone); then `unknown-tag` (closed vocabulary) or the
//! `tag-typo` hint. Workspace counts never include the checked digest itself, so a
//! digest cannot confirm its own spelling.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

use unicode_normalization::UnicodeNormalization;

use super::{Diagnostic, Related};
use crate::analysis::{Analysis, TagItem};
use crate::config::Config;
use crate::workspace::Workspace;

/// A tag used in at least this many other digests is frequent enough that a
/// near-miss of it is probably a typo.
const FREQUENT: usize = 3;

/// What Hugo folds together into one term: compatibility forms (full-width letters,
/// ideographic spaces), case, surrounding white space.
pub fn variant_key(tag: &str) -> String {
    tag.nfkc().collect::<String>().trim().to_lowercase()
}

/// A spelling used in other digests of the workspace.
struct Spelling {
    name: Arc<str>,
    /// Digests other than the checked one that use it.
    others: usize,
}

pub(super) fn check(
    analysis: &Analysis,
    path: &Path,
    config: &Config,
    workspace: &Workspace,
    out: &mut Vec<Diagnostic>,
) {
    let items = analysis.tags();
    if items.is_empty() {
        return;
    }
    // What this file contributes to the index (if it is indexed) is not "other digests".
    let own_tags: HashSet<&str> =
        workspace.get(path).map(|d| d.tags.iter().map(|t| &**t).collect()).unwrap_or_default();
    // Asked per item, not built per file from every tag of the workspace: `digest-ls
    // check` runs this for each of 10,000 digests against a vocabulary of hundreds.
    let others_using = |name: &str| {
        workspace.tag(name).map_or(0, |stat| stat.count.saturating_sub(usize::from(own_tags.contains(name))))
    };
    let spellings_of = |key: &str| -> Vec<Spelling> {
        workspace
            .spellings(key)
            .iter()
            .filter_map(|name| {
                let others = others_using(name);
                (others > 0).then(|| Spelling { name: name.clone(), others })
            })
            .collect()
    };
    let here: HashSet<&str> = items.iter().map(|i| i.value.as_str()).collect();
    let frequent = std::cell::OnceCell::new();
    let frequent = || -> &Vec<(Arc<str>, String, usize)> {
        frequent.get_or_init(|| {
            workspace
                .tags()
                .into_iter()
                .filter_map(|stat| {
                    let others = stat.count.saturating_sub(usize::from(own_tags.contains(&*stat.name)));
                    (others >= FREQUENT).then(|| (stat.name, stat.variant.to_string(), others))
                })
                .collect()
        })
    };
    let mut first_by_value: HashMap<&str, usize> = HashMap::new();
    let mut first_by_key: HashMap<String, usize> = HashMap::new();
    let related =
        |item: &TagItem, message: &str| Related { path: path.into(), span: item.span, message: message.into() };

    for (i, item) in items.iter().enumerate() {
        let value = item.value.as_str();
        let key = variant_key(value);
        let first_same = *first_by_value.entry(value).or_insert(i);
        let first_variant = *first_by_key.entry(key.clone()).or_insert(i);
        if value.trim().is_empty() {
            out.push(Diagnostic::new(
                "empty-tag",
                item.span,
                "empty tag: Hugo makes a term without a name; remove it or write the tag",
            ));
            continue;
        }
        if let Some(first) = (first_same < i).then(|| &items[first_same]) {
            let mut d = Diagnostic::new(
                "duplicate-tag",
                item.span,
                format!("duplicate tag `{value}`: it is already in the list; remove this one"),
            );
            d.related.push(related(first, "first listed here"));
            out.push(d);
            continue;
        }
        if let Some(first) = (first_variant < i).then(|| &items[first_variant]) {
            let mut d = Diagnostic::new(
                "tag-variant",
                item.span,
                format!(
                    "`{value}` and `{}` are one term to Hugo (case, width and surrounding spaces are merged); keep one spelling",
                    first.value
                ),
            );
            d.related.push(related(first, "the other spelling"));
            out.push(d);
            continue;
        }
        if let Some(canonical) = canonical_spelling(value, &spellings_of(&key), &here) {
            let n = others_using(&canonical);
            out.push(Diagnostic::new(
                "tag-variant",
                item.span,
                format!(
                    "`{value}` is written `{canonical}` in {n} other digest{}; Hugo merges them into one term: write `{canonical}`",
                    if n == 1 { "" } else { "s" }
                ),
            ));
            continue;
        }
        if value.trim() != value {
            out.push(Diagnostic::new(
                "tag-variant",
                item.span,
                format!("tag `{value}` has surrounding spaces, which Hugo drops: write `{}`", value.trim()),
            ));
            continue;
        }
        if let Some(vocabulary) = &config.vocabulary {
            if !vocabulary.iter().any(|v| v == value) {
                let suggestion = vocabulary.iter().find(|v| variant_key(v) == key).map(String::as_str).or_else(|| {
                    closest(&key, vocabulary.iter().map(|v| (v.as_str(), variant_key(v), 0)).collect::<Vec<_>>().iter())
                        .copied()
                });
                let message = match suggestion {
                    Some(s) => format!("`{value}` is not in the tag vocabulary of digest-ls.toml; did you mean `{s}`?"),
                    None => format!(
                        "`{value}` is not in the tag vocabulary of digest-ls.toml; use a listed tag or add it to `[tags] vocabulary`"
                    ),
                };
                out.push(Diagnostic::new("unknown-tag", item.span, message));
                if suggestion.is_some() {
                    continue;
                }
            } else {
                // A listed tag is intentional, whatever it looks like.
                continue;
            }
        }
        if others_using(value) == 0 {
            if let Some(near) = closest(&key, frequent().iter()).map(|n| &**n) {
                let n = others_using(near);
                out.push(Diagnostic::new(
                    "tag-typo",
                    item.span,
                    format!("`{value}` is used in no other digest and is close to `{near}` (used in {n} digests): did you mean `{near}`?"),
                ));
            }
        }
    }
}

/// The spelling of `key` that the workspace prefers, when it is not `value`: the one
/// used in the most digests (this one included), then one without width or space
/// variants, then the first by name. Only spellings used in other digests compete,
/// so every digest of a workspace agrees on the same canonical spelling.
fn canonical_spelling(value: &str, spellings: &[Spelling], here: &HashSet<&str>) -> Option<Arc<str>> {
    let uses_here = |name: &str| usize::from(here.contains(name));
    let mut candidates: Vec<(usize, bool, Arc<str>)> =
        spellings.iter().map(|s| (s.others + uses_here(&s.name), is_clean(&s.name), s.name.clone())).collect();
    if !candidates.iter().any(|c| &*c.2 != value) {
        return None;
    }
    if !candidates.iter().any(|c| &*c.2 == value) {
        candidates.push((1, is_clean(value), value.into()));
    }
    candidates.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then_with(|| a.2.cmp(&b.2)));
    let best = candidates.swap_remove(0).2;
    (&*best != value).then_some(best)
}

/// A spelling with no surrounding spaces and no compatibility forms.
fn is_clean(name: &str) -> bool {
    name.trim() == name && name.nfkc().eq(name.chars())
}

/// The candidate closest to `key` (a `variant_key`) within typo distance: fewest
/// edits, then most used, then first by name.
fn closest<'a, N: AsRef<str>>(key: &str, candidates: impl Iterator<Item = &'a (N, String, usize)>) -> Option<&'a N> {
    candidates
        .filter_map(|(name, other, uses)| {
            (other != key).then(|| typo_distance(key, other)).flatten().map(|d| (d, *uses, name))
        })
        .min_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)).then_with(|| a.2.as_ref().cmp(b.2.as_ref())))
        .map(|(_, _, name)| name)
}

/// Edits (insertions, deletions, substitutions, adjacent swaps) between two tags when
/// they are close enough to be a typo, scaled to their length: none for one or two
/// characters (`优化` and `优雅` are different words), for up to four only a swap or
/// one extra or missing character (`LLM` and `VLM` are different acronyms), then one
/// edit, and two from eight characters.
fn typo_distance(a: &str, b: &str) -> Option<usize> {
    let (la, lb) = (a.chars().count(), b.chars().count());
    let shorter = la.min(lb);
    let allowed = match shorter {
        0..=2 => 0,
        3..=7 => 1,
        _ => 2,
    };
    if la.abs_diff(lb) > allowed {
        return None;
    }
    let d = strsim::osa_distance(a, b);
    if d == 0 || d > allowed {
        return None;
    }
    // Same length and one OSA edit is a substitution (Levenshtein 1) or a swap (2).
    if shorter <= 4 && la == lb && strsim::levenshtein(a, b) != 2 {
        return None;
    }
    Some(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variant_keys_fold_case_width_and_spaces() {
        assert_eq!(variant_key("DPO"), "dpo");
        assert_eq!(variant_key("ＤＰＯ"), "dpo");
        assert_eq!(variant_key("　DPO "), "dpo");
        assert_eq!(variant_key("长上下文"), "长上下文");
    }

    #[test]
    fn typo_distance_is_length_aware() {
        assert_eq!(typo_distance("llm", "llms"), Some(1));
        assert_eq!(typo_distance("dop", "dpo"), Some(1));
        assert_eq!(typo_distance("llm", "vlm"), None);
        assert_eq!(typo_distance("优化", "优雅"), None);
        assert_eq!(typo_distance("长上下文", "长下上文"), Some(1));
        assert_eq!(typo_distance("multimodal", "multimodl"), Some(1));
        assert_eq!(typo_distance("reasoning", "reasonnig"), Some(1));
        assert_eq!(typo_distance("rlhf", "rlaif"), None);
        assert_eq!(typo_distance("agent", "agents"), Some(1));
        assert_eq!(typo_distance("quantization", "quantisation"), Some(1));
    }

    #[test]
    fn clean_spellings() {
        assert!(is_clean("DPO"));
        assert!(!is_clean("ＤＰＯ"));
        assert!(!is_clean(" DPO"));
    }

    #[test]
    fn a_hundred_thousand_tags_are_checked_in_one_pass() {
        // In each run of ten, the tenth repeats the first and the fifth is its upper-case variant.
        let tags: Vec<String> = (0..100_000)
            .map(|i| match i % 10 {
                9 => format!("\"t{}\"", i - 9),
                4 => format!("\"T{}\"", i - 4),
                _ => format!("\"t{i}\""),
            })
            .collect();
        let text = format!("---\ntitle: x\ndate: 2024-07-05\ntags: [{}]\n---\n", tags.join(", "));
        let config = Config::default();
        let analysis = Analysis::new(&text, &config);
        let mut out = Vec::new();
        check(&analysis, Path::new("a.md"), &config, &Workspace::new(), &mut out);
        let count = |code: &str| out.iter().filter(|d| d.code == code).count();
        assert_eq!(count("duplicate-tag"), 10_000);
        // "T{n}" follows "t{n}", listed four items earlier.
        assert_eq!(count("tag-variant"), 10_000);
    }
}
