//! Hovers on links (inline, autolink, reference-style, bare URL) and on tags, in fixtures with several digests.

use digest_ls::fixture::Fixture;
use digest_ls::hover::hover;
use digest_ls::text::{Encoding, LineIndex};
use expect_test::{expect, Expect};

/// The hover's range as 1-based line:column (UTF-16) with the text it covers, then
/// the Markdown.
fn check(fixture: &str, expect: Expect) {
    let f = Fixture::parse(fixture);
    let file = f.main();
    let text = &file.text;
    let workspace = f.workspace();
    let actual = match hover(&f.analysis(), &file.path, f.offset(), &f.config, &workspace) {
        Some(h) => {
            let index = LineIndex::new(text);
            let (l1, c1) = index.position(text, h.span.start, Encoding::Utf16);
            let (l2, c2) = index.position(text, h.span.end, Encoding::Utf16);
            let covered = text.get(h.span.range()).unwrap_or("<bad span>");
            format!("{}:{}..{}:{} `{}`\n{}\n", l1 + 1, c1 + 1, l2 + 1, c2 + 1, covered.escape_debug(), h.markdown)
        }
        None => "no hover\n".to_string(),
    };
    expect.assert_eq(&actual);
}

const A: &str = r#"//- content/posts/2024-07-05.md
---
title: "Adam 优化器; Step-DPO .etc"
date: 2024-07-05T19:31:56+08:00
tags: ["优化", "DPO"]
---

**1. Adam 优化器 State 的显存占用**:  摘要
*  相关引用：
    * **文章**: [Adam-Mini](https://arxiv.org/abs/2402.00658)

**2. Step-DPO 提升 LLM 数学推理能力**:  摘要
*  相关引用：
    * **代码**: [Step-DPO](https://github.com/dvlab-research/Step-DPO)
    * **Demo**:  http://103.170.5.190:7870/
    * **数据**: [Math-Step-DPO-10K](https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K)
    * **模型**: [Step-DPO Models](https://github.com/dvlab-research/Step-DPO?tab=readme-ov-file#models)
    * **项目主页**: <https://aka.ms/MInference>
    * **论文**: [Step-DPO paper][step]

[step]: https://arxiv.org/abs/2406.18629v1
"#;

const B: &str = r#"//- content/posts/2024-08-02.md
---
title: "Mini optimisers"
date: 2024-08-02T19:00:00+08:00
tags: ["优化"]
---
**1. 省显存的优化器**:  再谈 Adam-Mini
*  相关引用：
    * **文章**: [Adam-Mini PDF](https://arxiv.org/pdf/2402.00658v2)
    * **代码**: [repo](http://www.github.com/dvlab-research/step-dpo/)
"#;

const C: &str = r#"//- content/posts/2024-06-01.md
---
title: "Older"
date: 2024-06-01
tags: ["DPO", "优化"]
---
**1. 旧的讨论**:  x
*  相关引用：
    * **文章**: [Adam-Mini again](https://www.arxiv.org/abs/2402.00658/)
"#;

/// The fixture with `$0` placed before the first occurrence of `needle` in file A.
fn at(needle: &str, others: &[&str]) -> String {
    let i = A.find(needle).unwrap_or_else(|| panic!("{needle} not in A"));
    let mut s = format!("{}$0{}", &A[..i], &A[i..]);
    for o in others {
        s.push_str(o);
    }
    s
}

#[test]
fn inline_arxiv_link_also_cited_in_pdf_form_elsewhere() {
    check(
        &at("Adam-Mini](", &[B, C]),
        expect![[r#"
            9:15..9:60 `[Adam-Mini](https://arxiv.org/abs/2402.00658)`
            **文章** (article or paper) in 相关引用

            Link: Adam-Mini

            URL: <https://arxiv.org/abs/2402.00658>

            arXiv paper `2402.00658`, latest version: [abs](https://arxiv.org/abs/2402.00658) · [pdf](https://arxiv.org/pdf/2402.00658)

            Also cited in:
            - 2024-08-02 · 2024-08-02.md · 省显存的优化器
            - 2024-06-01 · 2024-06-01.md · 旧的讨论
        "#]],
    );
}

#[test]
fn pdf_form_from_the_other_side() {
    let fixture = format!("{}{}{}", B.replace("[Adam-Mini PDF]", "[Adam-$0Mini PDF]"), A, C);
    check(
        &fixture,
        expect![[r#"
        8:15..8:66 `[Adam-Mini PDF](https://arxiv.org/pdf/2402.00658v2)`
        **文章** (article or paper) in 相关引用

        Link: Adam-Mini PDF

        URL: <https://arxiv.org/pdf/2402.00658v2>

        arXiv paper `2402.00658`, version v2: [abs](https://arxiv.org/abs/2402.00658v2) · [pdf](https://arxiv.org/pdf/2402.00658v2)

        Also cited in:
        - 2024-07-05 · 2024-07-05.md · Adam 优化器 State 的显存占用
        - 2024-06-01 · 2024-06-01.md · 旧的讨论
    "#]],
    );
}

#[test]
fn github_repository_and_readme_tab_are_the_same_repository() {
    check(
        &at("Step-DPO](https://github", &[B]),
        expect![[r#"
        13:15..13:69 `[Step-DPO](https://github.com/dvlab-research/Step-DPO)`
        **代码** (code repository) in 相关引用

        Link: Step-DPO

        URL: <https://github.com/dvlab-research/Step-DPO>

        GitHub repository `dvlab-research/Step-DPO`

        Also cited in:
        - 2024-08-02 · 2024-08-02.md · 省显存的优化器
        - 2024-07-05 · this digest · Step-DPO 提升 LLM 数学推理能力
    "#]],
    );
}

#[test]
fn bare_url_on_the_demo_line() {
    check(
        &at("103.170.5.190", &[]),
        expect![[r#"
        14:18..14:44 `http://103.170.5.190:7870/`
        **Demo** (live demo) in 相关引用

        Bare URL (Hugo's linkify makes it a link)

        URL: <http://103.170.5.190:7870/>

        Demo on a bare IP address `103.170.5.190:7870`
    "#]],
    );
}

#[test]
fn hugging_face_dataset() {
    check(
        &at("Math-Step-DPO-10K]", &[]),
        expect![[r#"
        15:15..15:92 `[Math-Step-DPO-10K](https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K)`
        **数据** (dataset) in 相关引用

        Link: Math-Step-DPO-10K

        URL: <https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K>

        Hugging Face dataset `xinlai/Math-Step-DPO-10K`
    "#]],
    );
}

#[test]
fn autolink_short_link() {
    check(
        &at("https://aka.ms", &[]),
        expect![[r#"
        17:17..17:44 `<https://aka.ms/MInference>`
        **项目主页** (project homepage) in 相关引用

        Autolink

        URL: <https://aka.ms/MInference>

        Short link on `aka.ms`: the target is known only by following it
    "#]],
    );
}

#[test]
fn reference_style_link_resolves_its_definition() {
    check(
        &at("Step-DPO paper]", &[]),
        expect![[r#"
        18:15..18:37 `[Step-DPO paper][step]`
        **论文** (paper) in 相关引用

        Reference link: Step-DPO paper

        Label: `[step]`

        URL: <https://arxiv.org/abs/2406.18629v1>

        arXiv paper `2406.18629`, version v1: [abs](https://arxiv.org/abs/2406.18629v1) · [pdf](https://arxiv.org/pdf/2406.18629v1)
    "#]],
    );
}

#[test]
fn undefined_reference_link() {
    check(
        "**1. x**: y\n*  相关引用：\n    * **文章**: [paper][$0nowhere]\n",
        expect![[r#"
        3:15..3:31 `[paper][nowhere]`
        **文章** (article or paper) in 相关引用

        Reference link: paper

        Label: `[nowhere]`

        No definition `[nowhere]: <url>` in this digest.
    "#]],
    );
}

#[test]
fn tag_hover_counts_digests_and_lists_the_latest() {
    let fixture = format!("{}{B}{C}", A.replacen("\"优化\"", "\"优$0化\"", 1));
    check(
        &fixture,
        expect![[r#"
        4:8..4:12 `\"优化\"`
        Tag `优化`

        Used in 3 digests, last on 2024-08-02.

        Latest:
        - 2024-08-02 · 2024-08-02.md · Mini optimisers
        - 2024-07-05 · this digest · Adam 优化器; Step-DPO .etc
        - 2024-06-01 · 2024-06-01.md · Older
    "#]],
    );
}

#[test]
fn no_hover_on_plain_text_or_a_label() {
    check(
        &at("摘要", &[B]),
        expect![[r#"
        no hover
    "#]],
    );
    check(
        &at("代码", &[B]),
        expect![[r#"
        no hover
    "#]],
    );
    check(
        &at("title:", &[]),
        expect![[r#"
        no hover
    "#]],
    );
}

#[test]
fn also_cited_is_capped_newest_first() {
    let mut fixture = String::from(
        "//- content/posts/now.md\n---\ntitle: x\ndate: 2025-01-01\ntags: [a]\n---\n**1. t**: x\n*  相关引用：\n    * **文章**: [p]($0https://arxiv.org/abs/2101.00001)\n",
    );
    for m in 1..=8 {
        fixture.push_str(&format!(
            "//- content/posts/2024-{m:02}.md\n---\ntitle: x\ndate: 2024-{m:02}-10\ntags: [a]\n---\n**1. 第 {m} 篇**: x\n*  相关引用：\n    * **文章**: [p](https://arxiv.org/pdf/2101.00001v{m})\n"
        ));
    }
    check(
        &fixture,
        expect![[r#"
        8:15..8:52 `[p](https://arxiv.org/abs/2101.00001)`
        **文章** (article or paper) in 相关引用

        Link: p

        URL: <https://arxiv.org/abs/2101.00001>

        arXiv paper `2101.00001`, latest version: [abs](https://arxiv.org/abs/2101.00001) · [pdf](https://arxiv.org/pdf/2101.00001)

        Also cited in:
        - 2024-08-10 · 2024-08.md · 第 8 篇
        - 2024-07-10 · 2024-07.md · 第 7 篇
        - 2024-06-10 · 2024-06.md · 第 6 篇
        - 2024-05-10 · 2024-05.md · 第 5 篇
        - 2024-04-10 · 2024-04.md · 第 4 篇
        - and 3 more
    "#]],
    );
}

#[test]
fn cjk_emoji_line_exact_span() {
    check(
        "**1. 优化 😀**:  摘要 😀😀 见 [论文 😀](https://arxiv.org/abs/2402.00658)$0，以及 https://github.com/a/b。\n",
        expect![[r#"
            1:26..1:67 `[论文 😀](https://arxiv.org/abs/2402.00658)`
            Link: 论文 😀

            URL: <https://arxiv.org/abs/2402.00658>

            arXiv paper `2402.00658`, latest version: [abs](https://arxiv.org/abs/2402.00658) · [pdf](https://arxiv.org/pdf/2402.00658)
        "#]],
    );
    check(
        "**1. 优化 😀**:  摘要 😀😀 见 [论文](https://a.com)，以及 https://github.com/a/$0b。\n",
        expect![[r#"
        1:49..1:71 `https://github.com/a/b`
        Bare URL (Hugo's linkify makes it a link)

        URL: <https://github.com/a/b>

        GitHub repository `a/b`
    "#]],
    );
}

#[test]
fn crlf_file_exact_span() {
    check(
        "---\r\ntitle: x\r\ndate: 2024-07-05\r\ntags: [\"优化\"]\r\n---\r\n\r\n**1. 优化 😀**:  摘要\r\n*  相关引用：\r\n    * **Demo**:  http://103.170.5.190:7870/$0\r\n    * **文章**: [x](https://a.com)\r\n",
        expect![[r#"
            9:18..9:44 `http://103.170.5.190:7870/`
            **Demo** (live demo) in 相关引用

            Bare URL (Hugo's linkify makes it a link)

            URL: <http://103.170.5.190:7870/>

            Demo on a bare IP address `103.170.5.190:7870`
        "#]],
    );
}
