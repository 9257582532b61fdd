//! Completion tests: a fixture workspace, a `$0` cursor, and the items offered there.

use digest_ls::completion::complete;
use digest_ls::fixture::Fixture;
use expect_test::{expect, Expect};

/// Renders each item as `label | detail | replaced text -> new text`.
fn check(fixture: &str, expect: Expect) {
    let f = Fixture::parse(fixture);
    let ws = f.workspace();
    let text = &f.main().text;
    let items = complete(text.as_str(), &f.analysis(), f.offset(), &f.config, &ws);
    let mut out = String::new();
    for item in items.iter().take(12) {
        let (span, new) = &item.edit;
        out.push_str(&format!(
            "{} | {} | {:?} -> {:?}\n",
            item.label,
            item.detail.as_deref().unwrap_or(""),
            &text[span.range()],
            new
        ));
    }
    expect.assert_eq(&out);
}

/// Three other digests: DPO in 3 (latest 2024-09-01), 优化 in 2, MoE and 长上下文 in 1.
const OTHERS: &str = r#"
//- content/posts/a.md
---
title: a
date: 2024-07-05T19:31:56+08:00
tags: ["优化", "DPO"]
---
//- content/posts/b.md
---
title: b
date: 2024-08-01T10:00:00+08:00
tags: ["DPO", "MoE", "优化"]
---
//- content/posts/c.md
---
title: c
date: 2024-09-01T10:00:00+08:00
tags:
  - DPO
  - 长上下文
---
"#;

fn with_others(main: &str) -> String {
    format!("//- content/posts/main.md\n{main}{OTHERS}")
}

#[test]
fn empty_flow_list_offers_every_tag_most_used_first() {
    check(
        &with_others("---\ntitle: x\ntags: [$0]\n---\n"),
        expect![[r#"
        DPO | 3 digests, last 2024-09-01 | "" -> "DPO"
        优化 | 2 digests, last 2024-08-01 | "" -> "优化"
        长上下文 | 1 digest, last 2024-09-01 | "" -> "长上下文"
        MoE | 1 digest, last 2024-08-01 | "" -> "MoE"
    "#]],
    );
}

#[test]
fn after_a_comma_leaves_out_present_tags_and_follows_quotes() {
    check(
        &with_others("---\ntitle: x\ntags: [\"DPO\", $0]\n---\n"),
        expect![[r#"
        优化 | 2 digests, last 2024-08-01 | "" -> "\"优化\""
        长上下文 | 1 digest, last 2024-09-01 | "" -> "\"长上下文\""
        MoE | 1 digest, last 2024-08-01 | "" -> "\"MoE\""
    "#]],
    );
}

#[test]
fn partly_typed_cjk_tag_is_replaced_whole() {
    check(
        &with_others("---\ntitle: 😀 x\ntags: ['DPO', '优$0']\n---\n"),
        expect![[r#"
        优化 | 2 digests, last 2024-08-01 | "'优'" -> "'优化'"
        长上下文 | 1 digest, last 2024-09-01 | "'优'" -> "'长上下文'"
        MoE | 1 digest, last 2024-08-01 | "'优'" -> "'MoE'"
    "#]],
    );
}

#[test]
fn block_list_item() {
    check(
        &with_others("---\ntitle: x\ntags:\n  - 优化\n  - $0\n---\n"),
        expect![[r#"
        DPO | 3 digests, last 2024-09-01 | "" -> "DPO"
        长上下文 | 1 digest, last 2024-09-01 | "" -> "长上下文"
        MoE | 1 digest, last 2024-08-01 | "" -> "MoE"
    "#]],
    );
}

#[test]
fn crlf_file() {
    check(
        &with_others("---\r\ntitle: x\r\ntags: [优化, D$0]\r\n---\r\n"),
        expect![[r#"
        DPO | 3 digests, last 2024-09-01 | "D" -> "DPO"
        长上下文 | 1 digest, last 2024-09-01 | "D" -> "长上下文"
        MoE | 1 digest, last 2024-08-01 | "D" -> "MoE"
    "#]],
    );
}

#[test]
fn keys_at_line_start_leave_out_existing_keys() {
    check(
        &with_others("---\ntitle: x\nda$0\n---\n"),
        expect![[r#"
        date | front matter | "da" -> "date: "
        tags | front matter | "da" -> "tags: "
        draft | front matter | "da" -> "draft: "
        lastmod | front matter | "da" -> "lastmod: "
        publishDate | front matter | "da" -> "publishDate: "
        expiryDate | front matter | "da" -> "expiryDate: "
        slug | front matter | "da" -> "slug: "
        summary | front matter | "da" -> "summary: "
        description | front matter | "da" -> "description: "
        categories | front matter | "da" -> "categories: "
        series | front matter | "da" -> "series: "
        weight | front matter | "da" -> "weight: "
    "#]],
    );
}

#[test]
fn no_tags_outside_the_tags_list() {
    check(&with_others("---\ntitle: [$0]\n---\n"), expect![[""]]);
    check(&with_others("---\ntitle: x\n---\n\ntags: [$0]\n"), expect![[""]]);
    check(&with_others("---\ntitle: \"ab$0c\"\n---\n"), expect![[""]]);
}

#[test]
fn date_value_offers_now() {
    let f = Fixture::parse("---\ndate: $0\n---\n");
    let items = complete(f.main().text.as_str(), &f.analysis(), f.offset(), &f.config, &f.workspace());
    assert_eq!(items.len(), 1);
    let now = &items[0].edit.1;
    assert!(digest_ls::date::parse(now).is_ok(), "{now}");
}

#[test]
fn space_before_the_closing_bracket() {
    check(
        &with_others("---\ntitle: x\ntags: [\"优化\", $0 ]\n---\n"),
        expect![[r#"
            DPO | 3 digests, last 2024-09-01 | "" -> "\"DPO\""
            长上下文 | 1 digest, last 2024-09-01 | "" -> "\"长上下文\""
            MoE | 1 digest, last 2024-08-01 | "" -> "\"MoE\""
        "#]],
    );
}

#[test]
fn right_before_an_item_inserts_a_new_one() {
    check(
        &with_others("---\ntitle: x\ntags: [$0\"优化\"]\n---\n"),
        expect![[r#"
            DPO | 3 digests, last 2024-09-01 | "" -> "\"DPO\", "
            长上下文 | 1 digest, last 2024-09-01 | "" -> "\"长上下文\", "
            MoE | 1 digest, last 2024-08-01 | "" -> "\"MoE\", "
        "#]],
    );
}

#[test]
fn variants_of_listed_tags_are_not_offered() {
    let fixture = format!(
        "{}\n//- content/posts/d.md\n---\ntitle: d\ntags: [dpo, ＭｏＥ]\n---\n",
        with_others("---\ntitle: x\ntags: [\"DPO\", \"moe\", $0]\n---\n")
    );
    check(
        &fixture,
        expect![[r#"
        优化 | 2 digests, last 2024-08-01 | "" -> "\"优化\""
        长上下文 | 1 digest, last 2024-09-01 | "" -> "\"长上下文\""
    "#]],
    );
}
