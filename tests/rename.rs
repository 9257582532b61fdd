//! Fixture tests of tag rename and variant canonicalisation: the edits are applied and each changed file is shown whole.
//!
//! Applying the edits and showing the resulting front matter makes the snapshots
//! check what matters: quoting and list style kept, merges instead of duplicates,
//! the body untouched.

use std::path::Path;

use digest_ls::fixture::Fixture;
use digest_ls::rename::{apply, canonicalize, prepare_rename, rename, Rename, Scope};
use expect_test::{expect, Expect};

/// The label, then every changed file after the edits (`⏎` marks a CRLF).
fn render(f: &Fixture, r: &Rename) -> String {
    let mut out = format!("{}\n", r.label);
    let mut paths: Vec<&Path> = r.edits.iter().map(|e| e.path.as_path()).collect();
    paths.dedup();
    for p in paths {
        let Some(file) = f.files.iter().find(|x| x.path == p) else { continue };
        let edits: Vec<_> = r.edits.iter().filter(|e| e.path == p).cloned().collect();
        out.push_str(&format!("--- {}\n{}", p.display(), apply(&file.text, &edits).replace("\r\n", "⏎\n")));
    }
    out
}

fn texts(f: &Fixture) -> impl Fn(&Path) -> Option<String> + '_ {
    move |p: &Path| f.files.iter().find(|x| x.path == p).map(|x| x.text.clone())
}

fn check(fixture: &str, new_name: &str, expect: Expect) {
    let f = Fixture::parse(fixture);
    let ws = f.workspace();
    let t = texts(&f);
    let out = match rename(&f.analysis(), &f.main().path, f.offset(), new_name, &ws, &t) {
        Ok(r) => render(&f, &r),
        Err(e) => format!("error: {e}\n"),
    };
    expect.assert_eq(&out);
}

const OTHERS: &str = r#"//- content/posts/a.md
---
title: a
tags: ['优化😀', 'DPO']
---

**1. DPO 🚀**: DPO in the body stays DPO
//- content/posts/b.md
---
title: b
tags:
  - DPO
  - 偏好优化
  - MoE
---
//- content/posts/c.md
---
title: c
tags: [DPO, "长上下文"]
---
"#;

#[test]
fn prepare_rename_selects_the_tag_text_inside_quotes() {
    let f = Fixture::parse("---\ntags: [\"优化😀\", \"D$0PO\"]\n---\n");
    let (span, name) = prepare_rename(&f.analysis(), f.offset()).unwrap();
    assert_eq!((&f.main().text[span.range()], name.as_str()), ("DPO", "DPO"));
    let f = Fixture::parse("---\ntitle: D$0PO\ntags: [DPO]\n---\n");
    assert_eq!(prepare_rename(&f.analysis(), f.offset()), None);
}

#[test]
fn rename_keeps_each_files_style_and_merges() {
    check(
        &format!("//- content/posts/main.md\n---\ntitle: x\ntags: [\"优化\", \"D$0PO\"]\n---\n\nDPO\n{OTHERS}"),
        "偏好优化",
        expect![[r#"
            Rename tag `DPO` to `偏好优化` in 4 digests; merged into the existing `偏好优化` in 1 digest (the old item is removed there)
            --- content/posts/a.md
            ---
            title: a
            tags: ['优化😀', '偏好优化']
            ---

            **1. DPO 🚀**: DPO in the body stays DPO
            --- content/posts/b.md
            ---
            title: b
            tags:
              - 偏好优化
              - MoE
            ---
            --- content/posts/c.md
            ---
            title: c
            tags: [偏好优化, "长上下文"]
            ---
            --- content/posts/main.md
            ---
            title: x
            tags: ["优化", "偏好优化"]
            ---

            DPO
        "#]],
    );
}

#[test]
fn rename_in_a_crlf_block_list() {
    let main = "---\r\ntitle: x\r\ntags:\r\n  - 😀\r\n  - DP$0O\r\n---\r\n";
    check(
        &format!("//- content/posts/main.md\n{main}{OTHERS}"),
        "yes",
        expect![[r#"
            Rename tag `DPO` to `yes` in 4 digests
            --- content/posts/a.md
            ---
            title: a
            tags: ['优化😀', 'yes']
            ---

            **1. DPO 🚀**: DPO in the body stays DPO
            --- content/posts/b.md
            ---
            title: b
            tags:
              - "yes"
              - 偏好优化
              - MoE
            ---
            --- content/posts/c.md
            ---
            title: c
            tags: ["yes", "长上下文"]
            ---
            --- content/posts/main.md
            ---⏎
            title: x⏎
            tags:⏎
              - 😀⏎
              - "yes"⏎
            ---⏎
        "#]],
    );
}

#[test]
fn rename_to_an_empty_name_is_refused() {
    check(
        &format!("//- content/posts/main.md\n---\ntags: [D$0PO]\n---\n{OTHERS}"),
        "  ",
        expect![[r#"
            error: a tag cannot be empty
        "#]],
    );
}

#[test]
fn canonicalise_variants_in_one_file_and_in_all() {
    let fixture = r#"//- content/posts/main.md
---
title: x
tags: ["ＤＰＯ", "优化", " DPO ", "dpo"]
---
//- content/posts/a.md
---
tags: [DPO, 优化]
---
//- content/posts/b.md
---
tags:
  - DPO
  - 优化
---
//- content/posts/c.md
---
tags: ['dpo', '长上下文 😀']
---
"#;
    let f = Fixture::parse(fixture);
    let ws = f.workspace();
    let t = texts(&f);
    let one = canonicalize(&Scope::File("content/posts/main.md".into()), None, &ws, &t);
    let all = canonicalize(&Scope::Workspace, Some("dpo"), &ws, &t);
    expect![[r#"
        Replace variant tags with the workspace's spellings in this digest
        --- content/posts/main.md
        ---
        title: x
        tags: ["DPO", "优化"]
        ---
        Replace 3 variant spellings with the workspace's spelling in 2 digests
        --- content/posts/c.md
        ---
        tags: ['DPO', '长上下文 😀']
        ---
        --- content/posts/main.md
        ---
        title: x
        tags: ["DPO", "优化"]
        ---
    "#]]
    .assert_eq(&format!("{}{}", render(&f, &one), render(&f, &all)));
}
