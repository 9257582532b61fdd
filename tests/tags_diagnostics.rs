//! Fixture tests of the tag checks: duplicates, variants Hugo merges, empty tags, typos and the closed vocabulary.
//!
//! The first file of a fixture is the digest checked; the other files make up the
//! rest of the workspace. Columns in the snapshots are 1-based UTF-16 units.

use digest_ls::analysis::Analysis;
use digest_ls::diagnostics::{self, Severity};
use digest_ls::fixture::{render_diagnostics, Fixture};
use expect_test::{expect, Expect};

const TAG_CODES: &[&str] = &["duplicate-tag", "tag-variant", "empty-tag", "tag-typo", "unknown-tag"];

/// Every error and warning of the first file (of any check), rendered.
fn errors_and_warnings(fixture: &str) -> String {
    let f = Fixture::parse(fixture);
    let workspace = f.workspace();
    let main = f.main();
    let analysis = Analysis::new(&main.text, &f.config);
    let mut diagnostics = diagnostics::check(&analysis, &main.path, &f.config, &workspace);
    diagnostics.retain(|d| matches!(d.severity, Severity::Error | Severity::Warning));
    render_diagnostics(&main.text, &diagnostics)
}

/// The tag diagnostics of the first file, so that other checks do not blur the snapshot.
fn check(fixture: &str, expect: Expect) {
    let f = Fixture::parse(fixture);
    let workspace = f.workspace();
    let main = f.main();
    let analysis = Analysis::new(&main.text, &f.config);
    let mut diagnostics = diagnostics::check(&analysis, &main.path, &f.config, &workspace);
    diagnostics.retain(|d| TAG_CODES.contains(&d.code));
    expect.assert_eq(&render_diagnostics(&main.text, &diagnostics));
}

/// A digest with these tags (as written after `tags: `) at `path`.
fn digest(path: &str, tags: &str) -> String {
    format!("//- {path}\n---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: {tags}\n---\n\n**1. A**: b\n")
}

#[test]
fn duplicate_after_an_emoji_has_exact_columns() {
    check(
        &digest("content/posts/a.md", r#"["优化😀", "DPO", "DPO"]"#),
        expect![[r#"
            4:23..4:28 warning[duplicate-tag] `\"DPO\"`: duplicate tag `DPO`: it is already in the list; remove this one
                related content/posts/a.md: first listed here
        "#]],
    );
}

#[test]
fn duplicate_in_a_crlf_file() {
    let fixture = digest("content/posts/a.md", r#"["优化", "DPO", "优化"]"#).replace('\n', "\r\n");
    check(
        &fixture,
        expect![[r#"
            4:21..4:25 warning[duplicate-tag] `\"优化\"`: duplicate tag `优化`: it is already in the list; remove this one
                related content/posts/a.md: first listed here
        "#]],
    );
}

#[test]
fn duplicate_in_a_block_list() {
    check(
        "//- content/posts/a.md\n---\ntitle: t\ndate: 2024-07-05\ntags:\n  - 优化\n  - DPO\n  - 优化\n---\n",
        expect![[r#"
            7:5..7:7 warning[duplicate-tag] `优化`: duplicate tag `优化`: it is already in the list; remove this one
                related content/posts/a.md: first listed here
        "#]],
    );
}

#[test]
fn case_and_width_variants_in_one_file() {
    check(
        &digest("content/posts/a.md", r#"["DPO", "dpo", "ＤＰＯ", "LLM"]"#),
        expect![[r#"
            4:15..4:20 warning[tag-variant] `\"dpo\"`: `dpo` and `DPO` are one term to Hugo (case, width and surrounding spaces are merged); keep one spelling
                related content/posts/a.md: the other spelling
            4:22..4:27 warning[tag-variant] `\"ＤＰＯ\"`: `ＤＰＯ` and `DPO` are one term to Hugo (case, width and surrounding spaces are merged); keep one spelling
                related content/posts/a.md: the other spelling
        "#]],
    );
}

#[test]
fn surrounding_spaces() {
    check(
        &digest("content/posts/a.md", r#"[" DPO", "LLM　", "MoE"]"#),
        expect![[r#"
            4:8..4:14 warning[tag-variant] `\" DPO\"`: tag ` DPO` has surrounding spaces, which Hugo drops: write `DPO`
            4:16..4:22 warning[tag-variant] `\"LLM\u{3000}\"`: tag `LLM　` has surrounding spaces, which Hugo drops: write `LLM`
        "#]],
    );
}

#[test]
fn empty_tags() {
    check(
        &digest("content/posts/a.md", r#"["", "DPO", "  "]"#),
        expect![[r#"
            4:8..4:10 warning[empty-tag] `\"\"`: empty tag: Hugo makes a term without a name; remove it or write the tag
            4:19..4:23 warning[empty-tag] `\"  \"`: empty tag: Hugo makes a term without a name; remove it or write the tag
        "#]],
    );
}

#[test]
fn variant_of_a_spelling_used_elsewhere() {
    let fixture = [
        digest("content/posts/a.md", r#"["dpo", "ＬＬＭ"]"#),
        digest("content/posts/b.md", r#"["DPO", "LLM"]"#),
        digest("content/posts/c.md", r#"["DPO"]"#),
    ]
    .concat();
    check(
        &fixture,
        expect![[r#"
            4:8..4:13 warning[tag-variant] `\"dpo\"`: `dpo` is written `DPO` in 2 other digests; Hugo merges them into one term: write `DPO`
            4:15..4:20 warning[tag-variant] `\"ＬＬＭ\"`: `ＬＬＭ` is written `LLM` in 1 other digest; Hugo merges them into one term: write `LLM`
        "#]],
    );
}

#[test]
fn the_majority_spelling_is_not_flagged() {
    // `DPO` is used here and in two other digests; `dpo` in one: only `dpo`'s digest is told.
    let fixture = [
        digest("content/posts/a.md", r#"["DPO"]"#),
        digest("content/posts/b.md", r#"["DPO"]"#),
        digest("content/posts/c.md", r#"["DPO"]"#),
        digest("content/posts/d.md", r#"["dpo"]"#),
    ]
    .concat();
    check(&fixture, expect![[r#""#]]);
    // A tie between two spellings picks the same one from both sides: the one without
    // compatibility forms, then the first by name.
    let tie = [digest("content/posts/a.md", r#"["dpo"]"#), digest("content/posts/b.md", r#"["DPO"]"#)].concat();
    check(
        &tie,
        expect![[r#"
            4:8..4:13 warning[tag-variant] `\"dpo\"`: `dpo` is written `DPO` in 1 other digest; Hugo merges them into one term: write `DPO`
        "#]],
    );
    let tie = [digest("content/posts/b.md", r#"["DPO"]"#), digest("content/posts/a.md", r#"["dpo"]"#)].concat();
    check(&tie, expect![[r#""#]]);
}

#[test]
fn typo_of_a_frequent_tag() {
    let others = [
        digest("content/posts/b.md", r#"["LLM", "长上下文"]"#),
        digest("content/posts/c.md", r#"["LLM", "长上下文"]"#),
        digest("content/posts/d.md", r#"["LLM", "长上下文"]"#),
    ]
    .concat();
    check(
        &[digest("content/posts/a.md", r#"["LLMs", "长下上文", "VLM", "DPO"]"#), others.clone()].concat(),
        expect![[r#"
            4:8..4:14 hint[tag-typo] `\"LLMs\"`: `LLMs` is used in no other digest and is close to `LLM` (used in 3 digests): did you mean `LLM`?
            4:16..4:22 hint[tag-typo] `\"长下上文\"`: `长下上文` is used in no other digest and is close to `长上下文` (used in 3 digests): did you mean `长上下文`?
        "#]],
    );
    // A tag used in another digest is deliberate, not a typo.
    let with_llms = [digest("content/posts/e.md", r#"["LLMs"]"#), others.clone()].concat();
    check(&[digest("content/posts/a.md", r#"["LLMs"]"#), with_llms].concat(), expect![[r#""#]]);
    // Only frequent tags (three other digests or more) attract typos.
    let two = [digest("content/posts/b.md", r#"["LLM"]"#), digest("content/posts/c.md", r#"["LLM"]"#)].concat();
    check(&[digest("content/posts/a.md", r#"["LLMs"]"#), two].concat(), expect![[r#""#]]);
}

#[test]
fn the_checked_file_does_not_count_as_elsewhere() {
    // `LLMs` is indexed for a.md itself: that use must not make it "used elsewhere".
    let fixture = [
        digest("content/posts/a.md", r#"["LLMs"]"#),
        digest("content/posts/b.md", r#"["LLM"]"#),
        digest("content/posts/c.md", r#"["LLM"]"#),
        digest("content/posts/d.md", r#"["LLM"]"#),
    ]
    .concat();
    check(
        &fixture,
        expect![[r#"
            4:8..4:14 hint[tag-typo] `\"LLMs\"`: `LLMs` is used in no other digest and is close to `LLM` (used in 3 digests): did you mean `LLM`?
        "#]],
    );
}

#[test]
fn closed_vocabulary() {
    let fixture = format!(
        "//- digest-ls.toml\n[tags]\nvocabulary = [\"DPO\", \"优化\", \"长上下文\"]\n{}",
        digest("content/posts/a.md", r#"["DPO", "MoE", "Dpo", "长下上文", "优化"]"#)
    );
    check(
        &fixture,
        expect![[r#"
            4:15..4:20 warning[unknown-tag] `\"MoE\"`: `MoE` is not in the tag vocabulary of digest-ls.toml; use a listed tag or add it to `[tags] vocabulary`
            4:22..4:27 warning[tag-variant] `\"Dpo\"`: `Dpo` and `DPO` are one term to Hugo (case, width and surrounding spaces are merged); keep one spelling
                related content/posts/a.md: the other spelling
            4:29..4:35 warning[unknown-tag] `\"长下上文\"`: `长下上文` is not in the tag vocabulary of digest-ls.toml; did you mean `长上下文`?
        "#]],
    );
}

#[test]
fn severities_follow_the_configuration() {
    let fixture = format!(
        "//- digest-ls.toml\n[severity]\nduplicate-tag = \"error\"\nempty-tag = \"off\"\n{}",
        digest("content/posts/a.md", r#"["DPO", "DPO", ""]"#)
    );
    check(
        &fixture,
        expect![[r#"
            4:15..4:20 error[duplicate-tag] `\"DPO\"`: duplicate tag `DPO`: it is already in the list; remove this one
                related content/posts/a.md: first listed here
        "#]],
    );
}

const SAMPLE: &str = include_str!("../examples/workspace/content/posts/2024-07-05-adam-step-dpo.md");

#[test]
fn the_sample_has_no_error_and_no_warning() {
    let fixture = format!("//- content/posts/2024-07-05.md\n{SAMPLE}");
    expect![[r#""#]].assert_eq(&errors_and_warnings(&fixture));
}

#[test]
fn the_sample_with_a_duplicate_after_an_emoji_has_exactly_one() {
    let line = r#"tags: ["优化", "角色扮演", "DPO"]"#;
    assert!(SAMPLE.contains(line));
    let text = SAMPLE.replace(line, r#"tags: ["优化😀", "角色扮演", "DPO", "DPO"]"#);
    let fixture = format!("//- content/posts/2024-07-05.md\n{text}");
    expect![[r#"
        4:31..4:36 warning[duplicate-tag] `\"DPO\"`: duplicate tag `DPO`: it is already in the list; remove this one
            related content/posts/2024-07-05.md: first listed here
    "#]]
    .assert_eq(&errors_and_warnings(&fixture));
}
