//! Fixture tests of the workspace checks: references cited before, labels that do not fit their URL, title and headline against the topics.
//!
//! The first file is the digest checked; the others make up the workspace. Columns
//! are 1-based UTF-16 units.

use digest_ls::analysis::Analysis;
use digest_ls::diagnostics;
use digest_ls::fixture::{render_diagnostics, Fixture};
use expect_test::{expect, Expect};

const CODES: &[&str] = &["cited-before", "label-mismatch", "title-topics", "headline-topics"];

fn check(fixture: &str, expect: Expect) {
    let f = Fixture::parse(fixture);
    let workspace = f.workspace();
    let main = &f.files[0];
    let analysis = Analysis::new(&main.text, &f.config);
    let mut found = diagnostics::check(&analysis, &main.path, &f.config, &workspace);
    found.retain(|d| CODES.contains(&d.code));
    expect.assert_eq(&render_diagnostics(&main.text, &found));
}

const EARLIER: &str = r#"//- content/posts/2024-03-08.md
---
title: "GaLore"
date: 2024-03-08T19:31:56+08:00
tags: [优化]
---

**1. GaLore 低秩梯度投影 😀**: x
*  相关引用：
    * **文章**: [Adam-Mini](https://arxiv.org/pdf/2402.00658v2)
    * **网站**: [arXiv Local Time](https://arxiv.org/localtime)
//- content/posts/2024-01-12.md
---
title: "Mixtral"
date: 2024-01-12T19:31:56+08:00
tags: [MoE]
---

**1. Mixtral**: y
*  相关引用：
    * **文章**: [Adam-Mini v1](http://www.arxiv.org/abs/2402.00658v1)
//- content/posts/2024-12-01.md
---
title: "later"
date: 2024-12-01T19:31:56+08:00
tags: [MoE]
---

**1. Later**: y
*  相关引用：
    * **文章**: [Adam-Mini](https://arxiv.org/abs/2402.00658)
"#;

fn main_digest(refs: &str) -> String {
    format!(
        "//- content/posts/2024-07-05.md\n---\ntitle: \"Adam 优化器; Step-DPO .etc\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [优化]\n---\n\n\n## Adam 优化器 State 的显存占用; Step-DPO 提升 LLM 数学推理能力\n\n**1. Adam 优化器 State 的显存占用**:  x\n*  相关引用：\n{refs}\n**2.  Step-DPO 提升 LLM 数学推理能力**: y\n"
    )
}

#[test]
fn a_reference_cited_in_earlier_digests() {
    check(
        &format!("{}{EARLIER}", main_digest("    * **文章**: [Adam-Mini 😀](https://arxiv.org/abs/2402.00658)\n    * **网站**: [arXiv Local Time](https://arxiv.org/localtime)\n")),
        expect![[r#"
            12:15..12:63 info[cited-before] `[Adam-Mini 😀](https://arxiv.org/abs/2402.00658)`: Already cited in the digest of 2024-03-08, in topic `GaLore 低秩梯度投影 😀` (and in 1 earlier digest): say what is new since then, or link to that digest.
                related content/posts/2024-03-08.md: cited on 2024-03-08 in topic `GaLore 低秩梯度投影 😀`
                related content/posts/2024-01-12.md: cited on 2024-01-12 in topic `Mixtral`
        "#]],
    );
}

#[test]
fn cited_before_in_a_crlf_file_and_with_an_ignored_label() {
    let main = main_digest("    * **Demo**: https://arxiv.org/abs/2402.00658\n").replace('\n', "\r\n");
    check(&format!("{main}{EARLIER}//- digest-ls.toml\n[references]\ncited-before-ignore = [\"Demo\"]\n"), expect![""]);
    check(
        &format!("{main}{EARLIER}"),
        expect![[r#"
            12:17..12:49 info[cited-before] `https://arxiv.org/abs/2402.00658`: Already cited in the digest of 2024-03-08, in topic `GaLore 低秩梯度投影 😀` (and in 1 earlier digest): say what is new since then, or link to that digest.
                related content/posts/2024-03-08.md: cited on 2024-03-08 in topic `GaLore 低秩梯度投影 😀`
                related content/posts/2024-01-12.md: cited on 2024-01-12 in topic `Mixtral`
        "#]],
    );
}

#[test]
fn labels_that_do_not_fit_their_url() {
    check(
        &main_digest(
            "    * **代码**: [论文 😀](https://arxiv.org/abs/2402.00658)\n    * **代码**: [ok](https://gitlab.com/a/b)\n    * **数据**: [模型](https://huggingface.co/Qwen/Qwen2-7B)\n    * **数据**: [ok](https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K)\n    * **模型**: [数据](https://hf.co/datasets/a/b)\n    * **模型**: [ok](https://huggingface.co/Qwen/Qwen2-7B)\n    * **文章**: [repo](https://github.com/a/b)\n    * **文章**: [ok](https://www.lesswrong.com/posts/x)\n    * **Demo**: http://103.170.5.190:7870/\n",
        ),
        expect![[r#"
            12:9..12:11 hint[label-mismatch] `代码`: `代码` (code repository) points to `arxiv.org/abs/2402.00658`, which does not look like one: expected `github.com`, `gitlab.com`, `gitee.com`, `bitbucket.org` or 5 more. Check the label or the link (the hosts are set in `[references.label-hosts]`).
            14:9..14:11 hint[label-mismatch] `数据`: `数据` (dataset) points to `huggingface.co/Qwen/Qwen2-7B`, which does not look like one: expected `huggingface.co/datasets`, `hf.co/datasets`, `kaggle.com/datasets`, `modelscope.cn/datasets` or 5 more. Check the label or the link (the hosts are set in `[references.label-hosts]`).
            16:9..16:11 hint[label-mismatch] `模型`: `模型` (model weights) points to `hf.co/datasets/a/b`, which does not look like one: expected `huggingface.co`, `hf.co`, `modelscope.cn`, `ollama.com` or 3 more. Check the label or the link (the hosts are set in `[references.label-hosts]`).
            18:9..18:11 hint[label-mismatch] `文章`: `文章` (article or paper) points to `github.com/a/b`, which does not look like one: expected not `github.com`, `gitlab.com`, `gitee.com`, `huggingface.co/datasets`, `hf.co/datasets`, `kaggle.com/datasets`. Check the label or the link (the hosts are set in `[references.label-hosts]`).
        "#]],
    );
}

#[test]
fn label_hosts_are_configurable() {
    check(
        &format!(
            "{}//- digest-ls.toml\n[references.label-hosts]\n\"代码\" = [\"git.example.org\"]\n\"文章\" = []\n",
            main_digest("    * **代码**: [x](https://git.example.org/a/b)\n    * **代码**: [y](https://github.com/a/b)\n    * **文章**: [z](https://github.com/a/b)\n")
        ),
        expect![[r#"
            13:9..13:11 hint[label-mismatch] `代码`: `代码` (code repository) points to `github.com/a/b`, which does not look like one: expected `git.example.org`. Check the label or the link (the hosts are set in `[references.label-hosts]`).
        "#]],
    );
}

#[test]
fn title_and_headline_against_the_topics() {
    check(
        "---\ntitle: \"周会记录 😀\"\ndate: 2024-07-05\ntags: [a]\n---\n\n## Adam 优化器; MoE\n\n**1. Adam 优化器 State 的显存占用**: x\n\n**2. Dense 模型与 MoE 模型的等效性**: y\n\n**3. 论文提交时间与影响力**: z\n\n## Quick points：\n1. **a**: b\n",
        expect![[r#"
            2:8..2:17 hint[title-topics] `\"周会记录 😀\"`: The title names none of the topics of the body: digests are titled with their main topics joined with `; `.
            7:4..7:17 hint[headline-topics] `Adam 优化器; MoE`: The `##` headline leaves out 1 topic: `3. 论文提交时间与影响力`. Add it to the headline (joined with `; `).
        "#]],
    );
}

#[test]
fn the_seed_sample_gets_only_the_headline_hint() {
    let sample = include_str!("fixtures/seed-digest.md");
    check(
        sample,
        expect![[r#"
            8:4..8:123 hint[headline-topics] `Adam 优化器 State 的显存占用; LLM 角色指令增强的理论分析; Step-DPO 提升 LLM 数学推理能力; MInference 加速 Long-context LLMs 推理; Dense 模型与 MoE 模型的等效性`: The `##` headline leaves out 3 topics: `6. Exposure Bias 对 LLM 模型训练的影响`, `7. 论文提交时间与影响力`, `8. LLM 模型中 Query Tokens 的 Masking`. Add them to the headline (joined with `; `).
        "#]],
    );
}
