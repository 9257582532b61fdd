//! Fixture tests of find references and go to definition: tags across digests, links by resource key, the vocabulary entry.
//!
//! Locations render as `path line:col..line:col `text`` with 1-based lines and UTF-16
//! columns, so the snapshots show exactly what an editor would highlight.

use std::path::Path;

use digest_ls::fixture::Fixture;
use digest_ls::navigation::{definition, references, Definition, Location};
use digest_ls::text::{Encoding, LineIndex};
use expect_test::{expect, Expect};

fn text_of<'a>(f: &'a Fixture, path: &Path) -> Option<&'a str> {
    f.files.iter().find(|x| x.path == path).map(|x| x.text.as_str())
}

fn render(f: &Fixture, raw: &str, locs: &[Location]) -> String {
    let mut out = String::new();
    for l in locs {
        let text = text_of(f, &l.path).map(str::to_string).unwrap_or_else(|| toml_text(raw));
        let index = LineIndex::new(&text);
        let (l1, c1) = index.position(&text, l.span.start, Encoding::Utf16);
        let (l2, c2) = index.position(&text, l.span.end, Encoding::Utf16);
        out.push_str(&format!(
            "{} {}:{}..{}:{} `{}`\n",
            l.path.display(),
            l1 + 1,
            c1 + 1,
            l2 + 1,
            c2 + 1,
            text.get(l.span.range()).unwrap_or("<bad span>")
        ));
    }
    out
}

/// The `digest-ls.toml` section of a fixture (the fixture keeps only its parsed config).
fn toml_text(raw: &str) -> String {
    let mut out = String::new();
    let mut inside = false;
    for line in raw.split_inclusive('\n') {
        if let Some(p) = line.strip_prefix("//- ") {
            inside = p.trim() == "digest-ls.toml";
        } else if inside {
            out.push_str(line);
        }
    }
    out
}

fn check_refs(raw: &str, expect: Expect) {
    let f = Fixture::parse(raw);
    let ws = f.workspace();
    let main = f.main();
    let texts = |p: &Path| text_of(&f, p).map(str::to_string);
    let locs = references(&f.analysis(), &main.path, f.offset(), &f.config, &ws, &texts);
    expect.assert_eq(&render(&f, raw, &locs));
}

fn check_def(raw: &str, expect: Expect) {
    let f = Fixture::parse(raw);
    let ws = f.workspace();
    let main = f.main();
    let toml = toml_text(raw);
    let texts = |p: &Path| {
        if p == Path::new("digest-ls.toml") {
            return (!toml.is_empty()).then(|| toml.clone());
        }
        text_of(&f, p).map(str::to_string)
    };
    let found =
        definition(&f.analysis(), &main.path, f.offset(), &f.config, Some(Path::new("digest-ls.toml")), &ws, &texts);
    let out = match found {
        None => "none\n".to_string(),
        Some(Definition::Vocabulary(l)) => format!("vocabulary {}", render(&f, raw, &[l])),
        Some(Definition::EarliestUse(l)) => format!("earliest use {}", render(&f, raw, &[l])),
    };
    expect.assert_eq(&out);
}

const OTHERS: &str = r#"
//- content/posts/a.md
---
title: a
date: 2024-03-08T19:00:00+08:00
tags: ["优化😀", "DPO"]
---

**1. GaLore**: 低秩
*  相关引用：
    * **文章**: [Adam-Mini](https://arxiv.org/pdf/2402.00658v2)
//- content/posts/b.md
---
title: b
date: 2024-01-12T19:00:00+08:00
tags:
  - DPO
  - MoE
---

**1. Mixtral**: x
*  相关引用：
    * **文章**: [Adam mini again](http://www.arxiv.org/abs/2402.00658/)
    * **代码**: https://github.com/dvlab-research/Step-DPO
//- content/posts/c.md
---
title: c
date: 2024-02-01T19:00:00+08:00
tags: [dpo, 长上下文]
---
"#;

#[test]
fn references_of_a_tag_in_every_digest() {
    check_refs(
        &format!("//- content/posts/main.md\n---\ntitle: 😀 x\ntags: [\"优化\", \"D$0PO\"]\n---\n{OTHERS}"),
        expect![[r#"
            content/posts/a.md 4:16..4:21 `"DPO"`
            content/posts/b.md 5:5..5:8 `DPO`
            content/posts/main.md 3:14..3:19 `"DPO"`
        "#]],
    );
}

#[test]
fn references_of_a_link_use_the_resource_key() {
    check_refs(
        &format!(
            "//- content/posts/main.md\n---\ntitle: x\ntags: [x]\n---\n\n**1. 优化器 😀**: y\n*  相关引用：\n    * **文章**: [Adam-Mini](https://arxiv.org/abs/$02402.00658)\n{OTHERS}"
        ),
        expect![[r#"
            content/posts/a.md 9:15..9:62 `[Adam-Mini](https://arxiv.org/pdf/2402.00658v2)`
            content/posts/b.md 11:15..11:70 `[Adam mini again](http://www.arxiv.org/abs/2402.00658/)`
            content/posts/main.md 8:15..8:60 `[Adam-Mini](https://arxiv.org/abs/2402.00658)`
        "#]],
    );
}

#[test]
fn references_of_a_bare_url_in_a_crlf_file() {
    let main = "//- content/posts/main.md\n---\ntitle: x\ntags: [x]\n---\n\n**1. 代码 🚀**: y\n*  相关引用：\n    * **代码**: https://github.com/dvlab-research/step-dpo/$0\n"
        .replace('\n', "\r\n")
        .replace("//- content/posts/main.md\r\n", "//- content/posts/main.md\n");
    check_refs(
        &format!("{main}{OTHERS}"),
        expect![[r#"
            content/posts/b.md 12:15..12:57 `https://github.com/dvlab-research/Step-DPO`
            content/posts/main.md 8:15..8:58 `https://github.com/dvlab-research/step-dpo/`
        "#]],
    );
}

#[test]
fn nothing_outside_tags_and_links() {
    check_refs(&format!("//- content/posts/main.md\n---\nti$0tle: x\ntags: [DPO]\n---\n{OTHERS}"), expect![""]);
}

#[test]
fn definition_is_the_earliest_use_by_date() {
    check_def(
        &format!(
            "//- content/posts/main.md\n---\ntitle: x\ndate: 2024-07-05\ntags: [\"优化😀\", DPO$0]\n---\n{OTHERS}"
        ),
        expect![[r#"
            earliest use content/posts/b.md 5:5..5:8 `DPO`
        "#]],
    );
}

#[test]
fn definition_of_a_tag_only_here_is_itself() {
    check_def(
        &format!(
            "//- content/posts/main.md\n---\ntitle: x\ndate: 2024-07-05\ntags: [\"新😀\", 'only$0']\n---\n{OTHERS}"
        ),
        expect![[r#"
            earliest use content/posts/main.md 4:15..4:21 `'only'`
        "#]],
    );
}

#[test]
fn definition_in_a_closed_vocabulary_is_its_entry() {
    check_def(
        &format!(
            // The configuration comes last: `Fixture` numbers the cursor's file before it drops the toml.
            "//- content/posts/main.md\n---\ntitle: x\ntags: [\"D$0PO\"]\n---\n{OTHERS}//- digest-ls.toml\n[tags]\nvocabulary = [\n  \"优化😀\",\n  \"DPO\",\n]\n"
        ),
        expect![[r#"
            vocabulary digest-ls.toml 4:3..4:8 `"DPO"`
        "#]],
    );
}
