//! Fixture tests of the quick fixes and rewrites: each action's title, then the file after its edits.
//!
//! The diagnostics of the request are the digest's own diagnostics at the cursor (as
//! an editor sends them), or the code named in the test when the check that reports
//! it is elsewhere. `▮` marks where the cursor goes after the edit.

use std::path::Path;

use digest_ls::analysis::Analysis;
use digest_ls::code_actions::{actions, Request, Wanted};
use digest_ls::diagnostics;
use digest_ls::fixture::Fixture;
use digest_ls::rename::apply;
use digest_ls::text::Span;
use expect_test::{expect, Expect};

const NOW: &str = "2024-07-05T19:31:56+08:00";

fn run(fixture: &str, extra: &[&str]) -> String {
    let f = Fixture::parse(fixture);
    let ws = f.workspace();
    let main = f.main();
    let analysis = Analysis::new(&main.text, &f.config);
    let at = f.offset();
    let mut wanted: Vec<Wanted> = diagnostics::check(&analysis, &main.path, &f.config, &ws)
        .into_iter()
        .filter(|d| d.span.touches(at) || d.span.is_empty() && d.span.start == 0)
        .map(|d| Wanted { code: d.code.to_string(), span: d.span })
        .collect();
    wanted.extend(extra.iter().map(|c| Wanted { code: c.to_string(), span: Span::empty(at) }));
    let texts = |p: &Path| f.files.iter().find(|x| x.path == p).map(|x| x.text.clone());
    let req = Request {
        text: &main.text,
        analysis: &analysis,
        path: &main.path,
        range: Span::empty(at),
        diagnostics: &wanted,
        config: &f.config,
        workspace: &ws,
        texts: &texts,
        now: NOW,
    };
    let mut out = String::new();
    for a in actions(&req) {
        out.push_str(&format!(
            "## {} [{}{}]\n",
            a.title,
            a.code.unwrap_or("rewrite"),
            if a.preferred { ", preferred" } else { "" }
        ));
        let mut paths: Vec<&Path> = a.edits.iter().map(|e| e.path.as_path()).collect();
        paths.sort();
        paths.dedup();
        for p in paths {
            let Some(file) = f.files.iter().find(|x| x.path == p) else { continue };
            let edits: Vec<_> = a.edits.iter().filter(|e| e.path == p).cloned().collect();
            let mut result = apply(&file.text, &edits);
            if let Some(c) = a.cursor.filter(|_| p == main.path) {
                if result.is_char_boundary(c) {
                    result.insert(c, '▮');
                }
            }
            if p != main.path {
                out.push_str(&format!("--- {}\n", p.display()));
            }
            out.push_str(&result.replace("\r\n", "⏎\n"));
        }
    }
    out
}

fn check(fixture: &str, expect: Expect) {
    expect.assert_eq(&run(fixture, &[]));
}

#[test]
fn add_missing_keys() {
    check(
        "$0---\ndraft: false\n---\n\n\n## Adam 优化器; Step-DPO 😀\n\n**1. Adam**: x\n",
        expect![[r###"
            ## Add `title: "Adam 优化器; Step-DPO 😀"` [missing-key, preferred]
            ---
            draft: false
            title: "Adam 优化器; Step-DPO 😀"
            ---


            ## Adam 优化器; Step-DPO 😀

            **1. Adam**: x
            ## Add `date: 2024-07-05T19:31:56+08:00` [missing-key, preferred]
            ---
            draft: false
            date: 2024-07-05T19:31:56+08:00
            ---


            ## Adam 优化器; Step-DPO 😀

            **1. Adam**: x
            ## Add `tags: []` [missing-key, preferred]
            ---
            draft: false
            tags: [▮]
            ---


            ## Adam 优化器; Step-DPO 😀

            **1. Adam**: x
        "###]],
    );
}

#[test]
fn add_missing_tags_in_a_crlf_file() {
    check(
        "$0---\r\ntitle: \"优化 😀\"\r\ndate: 2024-07-05T19:31:56+08:00\r\n---\r\n\r\n**1. Adam**: x\r\n",
        expect![[r###"
            ## Add `tags: []` [missing-key, preferred]
            ---⏎
            title: "优化 😀"⏎
            date: 2024-07-05T19:31:56+08:00⏎
            tags: [▮]⏎
            ---⏎
            ⏎
            **1. Adam**: x⏎
        "###]],
    );
}

#[test]
fn rewrite_dates_hugo_cannot_read() {
    check(
        "---\ntitle: 😀\ndate: 2024/07/0$05\ntags: [a]\n---\n",
        expect![[r#"
            ## Write the date as `2024-07-05` [invalid-date, preferred]
            ---
            title: 😀
            date: 2024-07-05
            tags: [a]
            ---
        "#]],
    );
    check(
        "---\ntitle: 😀\ndate: \"2024-07-05T19:31+08:00$0\"\ntags: [a]\n---\n",
        expect![[r###"
            ## Write the date as `2024-07-05T19:31:00+08:00` [invalid-date, preferred]
            ---
            title: 😀
            date: "2024-07-05T19:31:00+08:00"
            tags: [a]
            ---
        "###]],
    );
    check("---\ntitle: 😀\ndate: 07/05/2024$0\ntags: [a]\n---\n", expect![""]);
}

#[test]
fn remove_a_duplicate_tag_after_an_emoji() {
    check(
        "---\ntitle: t\ndate: 2024-07-05\ntags: [\"优化😀\", \"DPO\", \"D$0PO\"]\n---\n",
        expect![[r###"
            ## Remove the duplicate tag `DPO` [duplicate-tag, preferred]
            ---
            title: t
            date: 2024-07-05
            tags: ["优化😀", "DPO"]
            ---
        "###]],
    );
}

#[test]
fn scalar_tags_become_a_list() {
    check(
        "---\ntitle: t\ndate: 2024-07-05\ntags: \"优化, DPO，长上下文$0\"\n---\n",
        expect![[r###"
            ## Split into a list of 3 tags: `["优化", "DPO", "长上下文"]` [tags-not-list, preferred]
            ---
            title: t
            date: 2024-07-05
            tags: ["优化", "DPO", "长上下文"]
            ---
        "###]],
    );
}

#[test]
fn fix_a_key_typo() {
    check(
        "---\ntil$0te: 优化\ndate: 2024-07-05\ntags: [a]\n---\n",
        expect![[r#"
            ## Rename `tilte` to `title` [key-typo, preferred]
            ---
            title: 优化
            date: 2024-07-05
            tags: [a]
            ---
        "#]],
    );
}

#[test]
fn variant_tag_here_and_everywhere() {
    check(
        r#"//- content/posts/main.md
---
title: t
tags: ["优化", "d$0po"]
---
//- content/posts/a.md
---
tags: [DPO, 优化]
---
//- content/posts/b.md
---
tags:
  - DPO
---
//- content/posts/c.md
---
tags: ['dpo', '长上下文 😀']
---
"#,
        expect![[r###"
            ## Write `DPO` instead of `dpo` [tag-variant, preferred]
            ---
            title: t
            tags: ["优化", "DPO"]
            ---
            ## Write `DPO` for `dpo` in every digest (2 files) [tag-variant]
            --- content/posts/c.md
            ---
            tags: ['DPO', '长上下文 😀']
            ---
            ---
            title: t
            tags: ["优化", "DPO"]
            ---
        "###]],
    );
}

#[test]
fn renumber_topics() {
    let text = "---\ntitle: t\n---\n\n**1. A 😀**: x\n\n**3.  B**: y\n\n**3. C**：z$0\n";
    expect![[r#"
        ## Renumber the topics 1 to 3 [topic-number, preferred]
        ---
        title: t
        ---

        **1. A 😀**: x

        **2.  B**: y

        **3. C**：z
    "#]]
    .assert_eq(&run(text, &["topic-number"]));
}

#[test]
fn arxiv_pdf_to_abs_and_bare_url_to_link() {
    check(
        "---\ntitle: t\n---\n\n**1. A**: x\n*  相关引用：\n    * **文章**: [论文 😀](https://arxiv.org/pdf/2305.$016367v2)\n",
        expect![[r#"
            ## Link the arXiv abstract page: https://arxiv.org/abs/2305.16367v2 [rewrite]
            ---
            title: t
            ---

            **1. A**: x
            *  相关引用：
                * **文章**: [论文 😀](https://arxiv.org/abs/2305.16367v2)
        "#]],
    );
    check(
        "---\r\ntitle: t\r\n---\r\n\r\n**1. A**: x\r\n*  相关引用：\r\n    * **Demo**:  http://103.170.5.190:7870/$0\r\n    * **代码**: https://github.com/a/b\r\n",
        expect![[r#"
            ## Make it a link: `[103.170.5.190:7870](http://103.170.5.190:7870/)` [rewrite]
            ---⏎
            title: t⏎
            ---⏎
            ⏎
            **1. A**: x⏎
            *  相关引用：⏎
                * **Demo**:  [103.170.5.190:7870](http://103.170.5.190:7870/)⏎
                * **代码**: https://github.com/a/b⏎
        "#]],
    );
}

/// Random digests made of the pieces that matter to the features: every feature at
/// every offset answers without panicking, with spans inside the text on character
/// boundaries.
#[test]
fn arbitrary_input_never_panics() {
    use digest_ls::navigation::target_at;
    use digest_ls::rename::prepare_rename;
    use digest_ls::symbols::{document_links, document_symbols, folding_ranges};
    let pieces = [
        "---",
        "\n",
        "\r\n",
        "\r",
        "tags: [",
        "]",
        "\"",
        "'",
        ", ",
        "- ",
        "DPO",
        "优化",
        "😀",
        "title: ",
        "date: ",
        "2024/07/05",
        "T19:31+0８",
        "**1. ",
        "**",
        ": ",
        "：",
        "*  相关引用：",
        "    * **文章**: ",
        "[x](",
        "https://arxiv.org/pdf/2305.16367v2",
        ")",
        "http://103.170.5.190:7870/",
        "<https://a.b/>",
        "## ",
        "Quick points：",
        " ",
        "\t",
    ];
    let codes =
        ["missing-key", "invalid-date", "duplicate-tag", "tag-variant", "tags-not-list", "key-typo", "topic-number"];
    let mut seed = 0x9e37_79b9_7f4a_7c15u64;
    let config = digest_ls::config::Config::default();
    let ws = digest_ls::workspace::Workspace::new();
    let texts = |_: &Path| None;
    for _ in 0..400 {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        let mut text = String::new();
        let mut s = seed;
        for _ in 0..(seed % 40) {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            text.push_str(pieces[(s >> 33) as usize % pieces.len()]);
        }
        let ok = |span: Span| span.start <= span.end && text.get(span.range()).is_some();
        let analysis = Analysis::new(&text, &config);
        let mut spans: Vec<Span> =
            diagnostics::check(&analysis, Path::new("a.md"), &config, &ws).iter().map(|d| d.span).collect();
        for s in document_symbols(text.as_str(), &analysis) {
            spans.push(s.span);
            spans.push(s.selection);
            spans.extend(s.children.iter().flat_map(|c| [c.span, c.selection]));
        }
        spans.extend(folding_ranges(text.as_str(), &analysis, &config).iter().map(|f| f.span));
        spans.extend(document_links(&analysis).iter().map(|l| l.span));
        for at in (0..=text.len()).filter(|&i| text.is_char_boundary(i)) {
            spans.extend(prepare_rename(&analysis, at).map(|(s, _)| s));
            let _ = target_at(&analysis, at);
            let wanted: Vec<Wanted> =
                codes.iter().map(|c| Wanted { code: c.to_string(), span: Span::empty(at) }).collect();
            let req = Request {
                text: &text,
                analysis: &analysis,
                path: Path::new("a.md"),
                range: Span::empty(at),
                diagnostics: &wanted,
                config: &config,
                workspace: &ws,
                texts: &texts,
                now: NOW,
            };
            for a in actions(&req) {
                spans.extend(a.edits.iter().map(|e| e.span));
                let _ = apply(&text, &a.edits);
            }
        }
        for span in spans {
            assert!(ok(span), "bad span {span:?} in {text:?}");
        }
    }
}
