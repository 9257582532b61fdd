//! Fixture tests of document symbols, folding ranges, document links and workspace symbols.
//!
//! Spans render as `line:col..line:col` (1-based, UTF-16 columns) with the first line
//! of the spanned text, so the snapshots show what an editor would select or fold.

use digest_ls::fixture::Fixture;
use digest_ls::symbols::{document_links, document_symbols, folding_ranges, workspace_symbols, Symbol};
use digest_ls::text::{Encoding, LineIndex, Span};
use expect_test::{expect, Expect};

fn at(text: &str, span: Span) -> String {
    let index = LineIndex::new(text);
    let (l1, c1) = index.position(text, span.start, Encoding::Utf16);
    let (l2, c2) = index.position(text, span.end, Encoding::Utf16);
    format!("{}:{}..{}:{}", l1 + 1, c1 + 1, l2 + 1, c2 + 1)
}

fn first_line(text: &str, span: Span) -> String {
    let s = text.get(span.range()).unwrap_or("<bad span>");
    s.lines().next().unwrap_or("").to_string()
}

fn render_symbols(text: &str, symbols: &[Symbol], depth: usize, out: &mut String) {
    for s in symbols {
        out.push_str(&format!(
            "{}{:?} {:?}{} {} sel `{}`\n",
            "  ".repeat(depth),
            s.kind,
            s.name,
            s.detail.as_deref().map(|d| format!(" ({d})")).unwrap_or_default(),
            at(text, s.span),
            text.get(s.selection.range()).unwrap_or("<bad span>")
        ));
        render_symbols(text, &s.children, depth + 1, out);
    }
}

fn check_symbols(fixture: &str, expect: Expect) {
    let f = Fixture::parse(fixture);
    let text = &f.main().text;
    let mut out = String::new();
    render_symbols(text, &document_symbols(text.as_str(), &f.analysis()), 0, &mut out);
    expect.assert_eq(&out);
}

fn check_folds(fixture: &str, expect: Expect) {
    let f = Fixture::parse(fixture);
    let text = &f.main().text;
    let mut out = String::new();
    for fold in folding_ranges(text.as_str(), &f.analysis(), &f.config) {
        out.push_str(&format!("{:?} {} `{}`\n", fold.kind, at(text, fold.span), first_line(text, fold.span)));
    }
    expect.assert_eq(&out);
}

fn check_links(fixture: &str, expect: Expect) {
    let f = Fixture::parse(fixture);
    let text = &f.main().text;
    let mut out = String::new();
    for l in document_links(&f.analysis()) {
        out.push_str(&format!("{} `{}` -> {}\n", at(text, l.span), &text[l.span.range()], l.target));
    }
    expect.assert_eq(&out);
}

const DIGEST: &str = "---
title: \"Adam 优化器; Step-DPO .etc\"
date: 2024-07-05T19:31:56+08:00
tags: [\"优化\", \"DPO\"]
---


## Adam 优化器 State 的显存占用; Step-DPO 😀 数学推理

**1. Adam 优化器 State 的显存占用**:  当GPU卡数足够多时
*  卡越多，Adam state 占总显存的比例越小
*  相关引用：
    * **文章**: [Adam-Mini](https://arxiv.org/abs/2402.00658) 

**2.  Step-DPO 😀 数学推理**:  少量数据
*  相关引用：
    * **代码**: [Step-DPO](https://github.com/dvlab-research/Step-DPO)
    * **Demo**:  http://103.170.5.190:7870/
*  相关模型:
    * **Mixtral-8x7B**: 激活 13B 参数
*  相关观点:
    *  PPO 算法可以缓解 Exposure Bias


## Quick points：
1.  **RNN 模式推理框架**:  Mamba 是否有 RNN 模式
2.  **MLLM 评估**:  BLINK <https://zeyofu.github.io/blink/>";

#[test]
fn document_symbols_of_a_digest() {
    check_symbols(
        DIGEST,
        expect![[r#"
            Headline "Adam 优化器 State 的显存占用; Step-DPO 😀 数学推理" 8:1..8:42 sel `Adam 优化器 State 的显存占用; Step-DPO 😀 数学推理`
            Topic "1. Adam 优化器 State 的显存占用" (当GPU卡数足够多时) 10:1..13:60 sel `Adam 优化器 State 的显存占用`
              Reference "文章" (Adam-Mini) 13:7..13:60 sel `文章`
            Topic "2. Step-DPO 😀 数学推理" (少量数据) 15:1..22:32 sel `Step-DPO 😀 数学推理`
              Reference "代码" (Step-DPO) 17:7..17:69 sel `代码`
              Reference "Demo" (http://103.170.5.190:7870/) 18:7..18:44 sel `Demo`
              Reference "Mixtral-8x7B" (激活 13B 参数) 20:7..20:34 sel `Mixtral-8x7B`
            QuickPoints "Quick points：" 25:1..27:58 sel `Quick points：`
              QuickPoint "RNN 模式推理框架" (Mamba 是否有 RNN 模式) 26:5..26:38 sel `RNN 模式推理框架`
              QuickPoint "MLLM 评估" (BLINK) 27:5..27:58 sel `MLLM 评估`
        "#]],
    );
}

#[test]
fn document_symbols_in_a_crlf_file() {
    check_symbols(
        &DIGEST.replace('\n', "\r\n"),
        expect![[r#"
            Headline "Adam 优化器 State 的显存占用; Step-DPO 😀 数学推理" 8:1..8:42 sel `Adam 优化器 State 的显存占用; Step-DPO 😀 数学推理`
            Topic "1. Adam 优化器 State 的显存占用" (当GPU卡数足够多时) 10:1..13:60 sel `Adam 优化器 State 的显存占用`
              Reference "文章" (Adam-Mini) 13:7..13:60 sel `文章`
            Topic "2. Step-DPO 😀 数学推理" (少量数据) 15:1..22:32 sel `Step-DPO 😀 数学推理`
              Reference "代码" (Step-DPO) 17:7..17:69 sel `代码`
              Reference "Demo" (http://103.170.5.190:7870/) 18:7..18:44 sel `Demo`
              Reference "Mixtral-8x7B" (激活 13B 参数) 20:7..20:34 sel `Mixtral-8x7B`
            QuickPoints "Quick points：" 25:1..27:58 sel `Quick points：`
              QuickPoint "RNN 模式推理框架" (Mamba 是否有 RNN 模式) 26:5..26:38 sel `RNN 模式推理框架`
              QuickPoint "MLLM 评估" (BLINK) 27:5..27:58 sel `MLLM 评估`
        "#]],
    );
}

#[test]
fn folding_ranges_of_a_digest() {
    check_folds(
        DIGEST,
        expect![[r#"
            FrontMatter 1:1..5:4 `---`
            Topic 10:1..13:60 `**1. Adam 优化器 State 的显存占用**:  当GPU卡数足够多时`
            ReferenceList 12:1..13:60 `*  相关引用：`
            Topic 15:1..22:32 `**2.  Step-DPO 😀 数学推理**:  少量数据`
            ReferenceList 16:1..18:44 `*  相关引用：`
            ReferenceList 19:1..20:34 `*  相关模型:`
            ReferenceList 21:1..22:32 `*  相关观点:`
            QuickPoints 25:1..27:58 `## Quick points：`
        "#]],
    );
}

#[test]
fn folding_ranges_in_a_crlf_file() {
    check_folds(
        &DIGEST.replace('\n', "\r\n"),
        expect![[r#"
            FrontMatter 1:1..5:4 `---`
            Topic 10:1..13:60 `**1. Adam 优化器 State 的显存占用**:  当GPU卡数足够多时`
            ReferenceList 12:1..13:60 `*  相关引用：`
            Topic 15:1..22:32 `**2.  Step-DPO 😀 数学推理**:  少量数据`
            ReferenceList 16:1..18:44 `*  相关引用：`
            ReferenceList 19:1..20:34 `*  相关模型:`
            ReferenceList 21:1..22:32 `*  相关观点:`
            QuickPoints 25:1..27:58 `## Quick points：`
        "#]],
    );
}

#[test]
fn document_links_of_every_kind() {
    check_links(
        &format!(
            "{DIGEST}\n\n[ref link][r] and [site](/posts/x) and [bad](http://exa mple.com)\n\n[r]: https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K\n"
        ),
        expect![[r#"
            13:15..13:60 `[Adam-Mini](https://arxiv.org/abs/2402.00658)` -> https://arxiv.org/abs/2402.00658
            17:15..17:69 `[Step-DPO](https://github.com/dvlab-research/Step-DPO)` -> https://github.com/dvlab-research/Step-DPO
            18:18..18:44 `http://103.170.5.190:7870/` -> http://103.170.5.190:7870/
            27:25..27:58 `<https://zeyofu.github.io/blink/>` -> https://zeyofu.github.io/blink/
            29:1..29:14 `[ref link][r]` -> https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K
        "#]],
    );
}

#[test]
fn workspace_symbols_match_fuzzily_with_dates() {
    let fixture = format!(
        "//- content/posts/a.md\n{DIGEST}\n//- content/posts/b.md\n---\ntitle: b\ndate: 2024-08-09T19:00:00+08:00\ntags: [x]\n---\n\n**1. Step-DPO 复现**: x\n\n**2. 数学推理的评测**: y\n//- content/posts/c.md\n---\ntitle: c\ntags: [x]\n---\n\n**1. 长上下文 Dense 模型**: z\n"
    );
    let f = Fixture::parse(&fixture);
    let ws = f.workspace();
    let render = |query: &str| {
        let mut out = format!("query {query:?}\n");
        for m in workspace_symbols(&ws, query, 10) {
            let date = m.date.map(|d| d.day_string()).unwrap_or_else(|| "undated".into());
            out.push_str(&format!("  {} #{} {:?} {date}\n", m.path.display(), m.topic, m.title));
        }
        out
    };
    let out = ["dpo", "数学推理", "数推", "sdpo", "dense模型", "nothing"].map(render).join("");
    expect![[r#"
        query "dpo"
          content/posts/b.md #0 "Step-DPO 复现" 2024-08-09
          content/posts/a.md #1 "Step-DPO 😀 数学推理" 2024-07-05
        query "数学推理"
          content/posts/b.md #1 "数学推理的评测" 2024-08-09
          content/posts/a.md #1 "Step-DPO 😀 数学推理" 2024-07-05
        query "数推"
          content/posts/b.md #1 "数学推理的评测" 2024-08-09
          content/posts/a.md #1 "Step-DPO 😀 数学推理" 2024-07-05
        query "sdpo"
          content/posts/b.md #0 "Step-DPO 复现" 2024-08-09
          content/posts/a.md #1 "Step-DPO 😀 数学推理" 2024-07-05
        query "dense模型"
          content/posts/c.md #0 "长上下文 Dense 模型" undated
        query "nothing"
    "#]]
    .assert_eq(&out);
}
