//! Body parsing: blocks, topics, reference lists and links of a digest; parsing from a block boundary; body diagnostics.

use digest_ls::body::{self, Block, BlockKind, Body};
use digest_ls::config::Config;
use digest_ls::fixture::{render_diagnostics, Fixture};
use expect_test::{expect, Expect};
use proptest::prelude::*;

/// One line per block, then its links, references, definitions and list items, each
/// with the source text its span covers.
fn render(text: &str, body: &Body) -> String {
    let mut out = String::new();
    let s = |sp: digest_ls::text::Span| text.get(sp.range()).unwrap_or("<bad span>").escape_debug().to_string();
    for b in &body.blocks {
        let kind = match &b.kind {
            BlockKind::Heading { level, text, text_span } => format!("Heading h{level} {text:?} `{}`", s(*text_span)),
            BlockKind::TopicStart(t) => format!(
                "Topic {:?} `{}` title={:?} `{}` summary={:?}",
                t.number,
                s(t.number_span),
                t.title,
                s(t.title_span),
                t.summary
            ),
            BlockKind::List => "List".to_string(),
            BlockKind::Other => "Other".to_string(),
        };
        let first_line = text[b.span.range()].lines().next().unwrap_or("");
        let first: String = first_line.chars().take(24).collect();
        out.push_str(&format!("{}..{} {kind} | {}\n", b.span.start, b.span.end, first.escape_debug()));
        for l in &b.links {
            out.push_str(&format!(
                "  link {:?} `{}` text={:?} url={:?}{}{}\n",
                l.kind,
                s(l.span),
                l.text,
                l.url,
                l.url_span.map(|u| format!(" url_span=`{}`", s(u))).unwrap_or_default(),
                l.label.as_ref().map(|x| format!(" label={x:?}")).unwrap_or_default(),
            ));
        }
        for r in &b.references {
            out.push_str(&format!(
                "  ref [{}] {:?} `{}` link={:?} text={:?} span=`{}`\n",
                r.list,
                r.label,
                s(r.label_span),
                r.link,
                r.text,
                s(r.span)
            ));
        }
        for d in &b.definitions {
            out.push_str(&format!("  def {:?} -> {:?} `{}`\n", d.label, d.url, s(d.span)));
        }
        for i in &b.items {
            out.push_str(&format!("  item {:?} {:?} span=`{}`\n", i.label, i.text, s(i.span)));
        }
    }
    out
}

fn check(text: &str, expect: Expect) {
    let body = body::parse(text, 0, &Config::default());
    assert_tiles(text, 0, &body.blocks);
    expect.assert_eq(&render(text, &body));
}

/// The blocks cover the text from `base` with no gap and no overlap.
fn assert_tiles(text: &str, base: usize, blocks: &[Block]) {
    let mut at = base;
    for b in blocks {
        assert_eq!(b.span.start, at, "gap or overlap before {b:?}");
        assert!(b.span.end > b.span.start, "empty block {b:?}");
        at = b.span.end;
    }
    assert_eq!(at, base + text.len(), "blocks do not reach the end");
}

const SAMPLE: &str = include_str!("fixtures/seed-digest.md");

/// The sample without its front matter (the body parser never sees it).
fn sample_body() -> String {
    let end = SAMPLE[3..].find("\n---\n").map(|i| i + 3 + 5).unwrap();
    SAMPLE[end..].to_string()
}

#[test]
fn quick_points_of_the_sample() {
    let body = body::parse(&sample_body(), 0, &Config::default());
    let points: Vec<String> =
        body.quick_points().iter().map(|p| format!("{}: {}", p.label.as_deref().unwrap_or("-"), p.text)).collect();
    assert_eq!(points.len(), 8);
    assert_eq!(points[0], "RNN 模式推理框架: Mamba 或其他 state-space 模型是否有现成的 RNN 模式推理框架");
    assert_eq!(points[7], "Context 中插入 Textbook: 在 Context 中插入 Textbook 对 LLM 模型回答问题准确性的影响");
}

#[test]
fn sample_body_blocks() {
    check(
        &sample_body(),
        expect![[r#"
        0..206 Heading h2 "Adam 优化器 State 的显存占用; LLM 角色指令增强的理论分析; Step-DPO 提升 LLM 数学推理能力; MInference 加速 Long-context LLMs 推理; Dense 模型与 MoE 模型的等效性" `Adam 优化器 State 的显存占用; LLM 角色指令增强的理论分析; Step-DPO 提升 LLM 数学推理能力; MInference 加速 Long-context LLMs 推理; Dense 模型与 MoE 模型的等效性` | 
        206..340 Topic Some(1) `1` title="Adam 优化器 State 的显存占用" `Adam 优化器 State 的显存占用` summary="当GPU卡数足够多时，Adam 优化器的 state 不会成为通信和显存的瓶颈" | **1. Adam 优化器 State 的显存占
        340..622 List | *  Adam 的 state 不涉及卡间通信，
          link Inline `[Adam-Mini](https://arxiv.org/abs/2402.00658)` text="Adam-Mini" url="https://arxiv.org/abs/2402.00658" url_span=`https://arxiv.org/abs/2402.00658`
          ref [相关引用] "文章" `文章` link=Some(0) text="" span=`**文章**: [Adam-Mini](https://arxiv.org/abs/2402.00658)`
          item None "Adam 的 state 不涉及卡间通信，都是卡内通信" span=`Adam 的 state 不涉及卡间通信，都是卡内通信`
          item None "卡越多，Adam state 占总显存的比例越小" span=`卡越多，Adam state 占总显存的比例越小`
          item None "减少优化器本身显存的工作，通常只在少卡的场景才有价值" span=`减少优化器本身显存的工作，通常只在少卡的场景才有价值`
          item None "相关引用：" span=`相关引用：`
        622..741 Topic Some(2) `2` title="LLM 角色指令增强的理论分析" `LLM 角色指令增强的理论分析` summary="如何从理论角度分析 LLM 中角色指令对模型能力的增强" | **2. LLM 角色指令增强的理论分析**: 
        741..1170 List | *  目前缺乏相关的理论分析，只有实验结果
          link Inline `[Characterizing Roles for Instruction Following](https://arxiv.org/pdf/2305.16367)` text="Characterizing Roles for Instruction Following" url="https://arxiv.org/pdf/2305.16367" url_span=`https://arxiv.org/pdf/2305.16367`
          link Inline `[Want to Predict/Explain/Control the Output of GPT-4? Then This Post is For You](https://www.lesswrong.com/posts/G3tuxF4X5R5BY7fut/want-to-predict-explain-control-the-output-of-gpt-4-then)` text="Want to Predict/Explain/Control the Output of GPT-4? Then This Post is For You" url="https://www.lesswrong.com/posts/G3tuxF4X5R5BY7fut/want-to-predict-explain-control-the-output-of-gpt-4-then" url_span=`https://www.lesswrong.com/posts/G3tuxF4X5R5BY7fut/want-to-predict-explain-control-the-output-of-gpt-4-then`
          ref [相关引用] "文章" `文章` link=Some(0) text="" span=`**文章**: [Characterizing Roles for Instruction Following](https://arxiv.org/pdf/2305.16367)`
          ref [相关引用] "文章" `文章` link=Some(1) text="" span=`**文章**: [Want to Predict/Explain/Control the Output of GPT-4? Then This Post is For You](https://www.lesswrong.com/posts/G3tuxF4X5R5BY7fut/want-to-predict-explain-control-the-output-of-gpt-4-then)`
          item None "目前缺乏相关的理论分析，只有实验结果" span=`目前缺乏相关的理论分析，只有实验结果`
          item None "可以借鉴 ICL 的理论分析方法" span=`可以借鉴 ICL 的理论分析方法`
          item None "相关引用：" span=`相关引用：`
        1170..1311 Topic Some(3) `3` title="Step-DPO 提升 LLM 数学推理能力" `Step-DPO 提升 LLM 数学推理能力` summary="使用 Step-DPO 方法，仅需少量数据和训练步骤即可提升LLM数学推理能力" | **3.  Step-DPO 提升 LLM 数学
        1311..1868 List | *  在 Qwen2-7B-Instruct 上
          link Inline `[Step-DPO](https://github.com/dvlab-research/Step-DPO)` text="Step-DPO" url="https://github.com/dvlab-research/Step-DPO" url_span=`https://github.com/dvlab-research/Step-DPO`
          link Bare `http://103.170.5.190:7870/` text="" url="http://103.170.5.190:7870/" url_span=`http://103.170.5.190:7870/`
          link Inline `[Math-Step-DPO-10K](https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K)` text="Math-Step-DPO-10K" url="https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K" url_span=`https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K`
          link Inline `[Step-DPO Models](https://github.com/dvlab-research/Step-DPO?tab=readme-ov-file#models)` text="Step-DPO Models" url="https://github.com/dvlab-research/Step-DPO?tab=readme-ov-file#models" url_span=`https://github.com/dvlab-research/Step-DPO?tab=readme-ov-file#models`
          ref [相关引用] "代码" `代码` link=Some(0) text="" span=`**代码**: [Step-DPO](https://github.com/dvlab-research/Step-DPO)`
          ref [相关引用] "Demo" `Demo` link=Some(1) text="" span=`**Demo**:  http://103.170.5.190:7870/`
          ref [相关引用] "数据" `数据` link=Some(2) text="" span=`**数据**: [Math-Step-DPO-10K](https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K)`
          ref [相关引用] "模型" `模型` link=Some(3) text="" span=`**模型**: [Step-DPO Models](https://github.com/dvlab-research/Step-DPO?tab=readme-ov-file#models)`
          item None "在 Qwen2-7B-Instruct 上微调，MATH 数据集上 0-shot CoT 准确率从 53.0% 提升至 58.6%" span=`在 Qwen2-7B-Instruct 上微调，MATH 数据集上 0-shot CoT 准确率从 53.0% 提升至 58.6%`
          item None "在 Qwen2-72B-Instruct 上训练，MATH 数据集准确率从 59.7% 提升到 70.8%，超过 GPT-4-1106 等模型" span=`在 Qwen2-72B-Instruct 上训练，MATH 数据集准确率从 59.7% 提升到 70.8%，超过 GPT-4-1106 等模型`
          item None "相关引用：" span=`相关引用：`
        1868..2015 Topic Some(4) `4` title="MInference 加速 Long-context LLMs 推理" `MInference 加速 Long-context LLMs 推理` summary="利用动态稀疏注意力机制加速 Long-context LLMs 在 prefilling 阶段的推理速度" | **4.  MInference 加速 Long
        2015..2364 List | *  将 Long-context Attent
          link Inline `[MInference](https://aka.ms/MInference)` text="MInference" url="https://aka.ms/MInference" url_span=`https://aka.ms/MInference`
          ref [相关引用] "项目主页" `项目主页` link=Some(0) text="" span=`**项目主页**: [MInference](https://aka.ms/MInference)`
          item None "将 Long-context Attention 存在的动态稀疏性归纳为三种 pattern，并通过离线搜索确定最优 pattern" span=`将 Long-context Attention 存在的动态稀疏性归纳为三种 pattern，并通过离线搜索确定最优 pattern`
          item None "结合动态稀疏编译器和 GPU 运算，实现 1M tokens pre-filling 阶段 10 倍加速，并保持与 full attention 相同的性能" span=`结合动态稀疏编译器和 GPU 运算，实现 1M tokens pre-filling 阶段 10 倍加速，并保持与 full attention 相同的性能`
          item None "相关引用：" span=`相关引用：`
        2364..2488 Topic Some(5) `5` title="Dense 模型与 MoE 模型的等效性" `Dense 模型与 MoE 模型的等效性` summary="相同参数量情况下，MoE 模型是否能达到 Dense 模型的性能" | **5.  Dense 模型与 MoE 模型的等
        2488..3239 List | *  MoE 模型依靠 routing 的灵活性
          ref [相关模型] "Mixtral-8x7B" `Mixtral-8x7B` link=None text="激活 13B 参数，总参数 46B，等效于一个 25B 的 Dense 模型" span=`**Mixtral-8x7B**: 激活 13B 参数，总参数 46B，等效于一个 25B 的 Dense 模型`
          ref [相关模型] "DeepSeekV2" `DeepSeekV2` link=None text="激活 21B 参数，总参数 236B，等效于一个 90B 的 Dense 模型" span=`**DeepSeekV2**: 激活 21B 参数，总参数 236B，等效于一个 90B 的 Dense 模型`
          item None "MoE 模型依靠 routing 的灵活性，在激活参数量相同的情况下，性能优于 Dense 模型" span=`MoE 模型依靠 routing 的灵活性，在激活参数量相同的情况下，性能优于 Dense 模型`
          item None "MoE 模型相当于多个 well-trained 的模型替补上场，而 Dense 模型只有一个" span=`MoE 模型相当于多个 well-trained 的模型替补上场，而 Dense 模型只有一个`
          item None "追求 MoE 和 Dense 模型的中间临界点没有太大意义，更重要的是根据计算需求设计合适的模型结构" span=`追求 MoE 和 Dense 模型的中间临界点没有太大意义，更重要的是根据计算需求设计合适的模型结构`
          item None "可以通过改变 routing 的 distribution 来适应不同的计算需求" span=`可以通过改变 routing 的 distribution 来适应不同的计算需求`
          item None "可以通过实验比较相同数据量和训练配置下，MoE 模型的最终效果与多大参数量的 Dense 模型等效" span=`可以通过实验比较相同数据量和训练配置下，MoE 模型的最终效果与多大参数量的 Dense 模型等效`
          item None "相关模型:" span=`相关模型:`
        3239..3362 Topic Some(6) `6` title="Exposure Bias 对 LLM 模型训练的影响" `Exposure Bias 对 LLM 模型训练的影响` summary="随着模型规模的增大，Exposure Bias 问题是否依然存在" | **6.  Exposure Bias 对 LL
        3362..3873 List | *  一种可能是模型的表征能力更强，genera
          item None "一种可能是模型的表征能力更强，generalization 能力更好，Exposure Bias 的影响变小" span=`一种可能是模型的表征能力更强，generalization 能力更好，Exposure Bias 的影响变小`
          item None "另一种可能是 Autoregressive 模型本身就是真实分布的一致估计量，数据量足够大时能够收敛到真实分布，从而消除 Exposure Bias" span=`另一种可能是 Autoregressive 模型本身就是真实分布的一致估计量，数据量足够大时能够收敛到真实分布，从而消除 Exposure Bias`
          item None "相关观点:" span=`相关观点:`
        3873..3963 Topic Some(7) `7` title="论文提交时间与影响力" `论文提交时间与影响力` summary="论文提交时间对论文的影响力有多大" | **7.  论文提交时间与影响力**:  论文提
        3963..4241 List | *  提交时间越早，排名越靠前，曝光率越高
          link Inline `[arXiv Local Time](https://arxiv.org/localtime)` text="arXiv Local Time" url="https://arxiv.org/localtime" url_span=`https://arxiv.org/localtime`
          ref [相关工具] "网站" `网站` link=Some(0) text="" span=`**网站**: [arXiv Local Time](https://arxiv.org/localtime)`
          item None "提交时间越早，排名越靠前，曝光率越高" span=`提交时间越早，排名越靠前，曝光率越高`
          item None "大 V 转发能够显著提高论文的曝光率和影响力" span=`大 V 转发能够显著提高论文的曝光率和影响力`
          item None "最终决定一篇论文影响力的因素是论文本身的价值" span=`最终决定一篇论文影响力的因素是论文本身的价值`
          item None "相关工具：" span=`相关工具：`
        4241..4368 Topic Some(8) `8` title="LLM 模型中 Query Tokens 的 Masking" `LLM 模型中 Query Tokens 的 Masking` summary="在预训练阶段屏蔽疑似 query 的 tokens 是否会影响模型的能力" | **8. LLM 模型中 Query Token
        4368..4518 List | *  可能会影响模型提出问题的能力
          item None "可能会影响模型提出问题的能力" span=`可能会影响模型提出问题的能力`
          item None "预训练数据中并非所有数据都是 query + answer 的格式，难以确定 query 的范围" span=`预训练数据中并非所有数据都是 query + answer 的格式，难以确定 query 的范围`
        4518..4537 Heading h2 "Quick points：" `Quick points：` | ## Quick points：
        4537..5353 List | 1.  **RNN 模式推理框架**:  Mam
          item Some("RNN 模式推理框架") "Mamba 或其他 state-space 模型是否有现成的 RNN 模式推理框架" span=`**RNN 模式推理框架**:  Mamba 或其他 state-space 模型是否有现成的 RNN 模式推理框架`
          item Some("MLLM 评估") "BLINK 是一个新的 MLLM 评估基准，关注 14 个视觉感知任务" span=`**MLLM 评估**:  BLINK 是一个新的 MLLM 评估基准，关注 14 个视觉感知任务`
          item Some("数学推理能力提升") "Step-DPO 方法能够显著提升 LLM 的数学推理能力" span=`**数学推理能力提升**:  Step-DPO 方法能够显著提升 LLM 的数学推理能力`
          item Some("Long-context LLMs 推理加速") "MInference 利用动态稀疏注意力机制加速 Long-context LLMs 推理" span=`**Long-context LLMs 推理加速**:  MInference 利用动态稀疏注意力机制加速 Long-context LLMs 推理`
          item Some("MoE 专家数量") "DeepSeek 模型有很多专家并且性能强大，但专家数量过多会导致路由性能下降" span=`**MoE 专家数量**:  DeepSeek 模型有很多专家并且性能强大，但专家数量过多会导致路由性能下降`
          item Some("Greedy Decoding") "实际应用中为什么大家不使用 Greedy Decoding" span=`**Greedy Decoding**:  实际应用中为什么大家不使用 Greedy Decoding`
          item Some("Llama3 批量生成") "如何使用 Llama3-instruct 进行批量生成" span=`**Llama3 批量生成**:  如何使用 Llama3-instruct 进行批量生成`
          item Some("Context 中插入 Textbook") "在 Context 中插入 Textbook 对 LLM 模型回答问题准确性的影响" span=`**Context 中插入 Textbook**:  在 Context 中插入 Textbook 对 LLM 模型回答问题准确性的影响`
    "#]],
    );
}

/// Lines that digests are made of, and the constructs that make block boundaries hard:
/// fences, `---` (rule or setext underline), definitions, lazy lines, tables, HTML.
const LINES: &[&str] = &[
    "",
    "",
    "",
    "## Adam 优化器 😀 State",
    "**1. Adam 优化器 State 的显存占用**:  当GPU卡数足够多时",
    "**3.  Step-DPO 提升**：摘要 😀",
    "**x. not a topic**: text",
    "*  Adam 的 state 不涉及卡间通信",
    "*  相关引用：",
    "    * **文章**: [Adam-Mini](https://arxiv.org/abs/2402.00658) ",
    "    * **Demo**:  http://103.170.5.190:7870/",
    "    * **代码**: [repo][gh]",
    "    * **Mixtral-8x7B**: 激活 13B 参数",
    "  - nested 😀 https://github.com/a/b，好",
    "1.  **RNN 模式推理框架**:  Mamba",
    "2. second",
    "```",
    "```rust",
    "~~~",
    "let x = \"[a](http://in.code)\";",
    "---",
    "***",
    "===",
    "[gh]: https://github.com/dvlab-research/Step-DPO",
    "[Ref Label]: <https://example.com/a b> \"title\"",
    "see [text][gh], [Ref Label] and [x][] or <https://aka.ms/x>",
    "[bad](http://exa mple.com) and [empty]()",
    "plain text with https://huggingface.co/datasets/a/b. end",
    "lazy continuation line",
    "> quote **1. q**: x",
    "    indented code",
    "| a | b |",
    "|---|---|",
    "<div>",
    "</div>",
    "<!-- comment",
    "-->",
    "- [ ] task http://t.co/x",
    "term",
    ": definition",
    "[^1]: footnote text",
    "text with a note[^1]",
    "#",
    "  **2. indented**: topic",
    "\t* tab bullet",
    "<pre>",
    "</pre>",
    "<custom-tag>",
    "3. ordered from three",
    "+ plus bullet",
    "-",
    "[multi]:",
    "  https://example.com/next-line",
    "  'a title on its own line'",
    "    continuation of a footnote",
    "a | b",
    "--- | ---",
    ">",
    "> > nested *emphasis",
    "across lines* **bold",
    "~~~~",
    "\\[not a link](https://x.com)",
    "* **文章**: [unterminated](https://a.com",
];

fn digest() -> impl Strategy<Value = String> {
    let line = proptest::sample::select(LINES);
    let brk = proptest::sample::select(&["\n", "\n", "\n", "\r\n", "\r"][..]);
    proptest::collection::vec((line, brk), 0..40).prop_map(|parts| {
        let mut s = String::new();
        for (l, b) in parts {
            s.push_str(l);
            s.push_str(b);
        }
        s
    })
}

/// The lines of `LINES` that cannot define a link or a footnote.
fn plain_lines() -> Vec<&'static str> {
    LINES.iter().copied().filter(|l| !l.contains("]:") && !l.contains("[^")).collect()
}

/// Like `digest`, from `plain_lines`: the body parser reads such bodies straight
/// through, not block by block.
fn plain_digest() -> impl Strategy<Value = String> {
    let line = proptest::sample::select(plain_lines());
    let brk = proptest::sample::select(&["\n", "\n", "\n", "\r\n", "\r"][..]);
    proptest::collection::vec((line, brk), 0..40)
        .prop_map(|parts| parts.into_iter().flat_map(|(l, b)| [l, b]).collect())
}

/// The straight-through reading is taken where it can be, and only there.
#[test]
fn bodies_without_definitions_are_read_straight_through() {
    let config = Config::default();
    let sample = include_str!("fixtures/seed-digest.md");
    assert!(body::reads_straight_through(sample, &config));
    let all = plain_lines().join("\n");
    assert!(body::reads_straight_through(&all, &config), "every plain line at once");
    assert!(body::reads_straight_through(&all.replace('\n', "\r\n"), &config));
    for defining in ["[a]: https://example.com/\n\nuse [a]\n", "a note[^1]\n", "[^1]: the note\n"] {
        assert!(!body::reads_straight_through(defining, &config), "{defining:?}");
    }
}

/// Texts where one pulldown-cmark pass over the whole body sees across blocks; the body
/// parser must still give each block what parsing it alone gives.
#[test]
fn blocks_read_from_one_pass_equal_blocks_parsed_alone() {
    let texts = [
        // A paragraph whose second line parses as a link definition when its block is alone.
        "title: x\n[ref]: https://github.com/a/b\n*  相关引用：\n    * **文章**: [A](https://arxiv.org/abs/2402.00658)\n",
        // A table row that parses as a link definition when its block is alone.
        "> quote\n------\n| a | b |\n|---|---|\n[ref]: https://github.com/a/b\n...\n## Quick points：\n------\n",
        "| a | b |\n|---|---|\n[ref]: https://github.com/a/b\n* point https://x.org/\n",
        // A footnote referenced in one block and defined in another.
        "See [^1] and https://example.com/a.\n\n[^1]: The note, https://example.com/b\n",
        // A label defined in two blocks, and used in a third.
        "[a]: https://one.example/\n\n[a]: https://two.example/\n\nUse [a] and [b][a] 😀.\n",
        // A reference defined after its use, in a list item.
        "* [x] first\n* [x]: https://github.com/o/r\n\n[x] again\r\n",
    ];
    let config = Config::default();
    for text in texts {
        let full = body::parse_blocks(text, 0, &config);
        assert_tiles(text, 0, &full);
        for (i, block) in full.iter().enumerate() {
            let alone = body::parse_blocks(&text[block.span.start..block.span.end], block.span.start, &config);
            assert_eq!(alone, std::slice::from_ref(block), "block {i} of {text:?}");
        }
    }
}

proptest! {
    // PROPTEST_CASES raises the count (the default is 256).

    /// The incremental reparse contract: from any block boundary, to the end or to a
    /// later boundary, parsing gives exactly the corresponding blocks of the full parse.
    #[test]
    fn parsing_from_a_boundary_equals_the_full_parse(text in digest(), base in 0usize..3) {
        let config = Config::default();
        let full = body::parse_blocks(&text, base, &config);
        assert_tiles(&text, base, &full);
        for i in 0..full.len() {
            let from = full[i].span.start - base;
            let suffix = body::parse_blocks(&text[from..], base + from, &config);
            prop_assert_eq!(&suffix[..], &full[i..], "from block {} at {}", i, from);
            for j in i + 1..=full.len().min(i + 3) {
                let to = full[j - 1].span.end - base;
                let window = body::parse_blocks(&text[from..to], base + from, &config);
                prop_assert_eq!(&window[..], &full[i..j], "window {}..{}", i, j);
            }
        }
    }

    /// Reading the one pass straight through gives the blocks that reading it block by
    /// block gives (`body::parse_blocks_buffered`), in both modes.
    #[test]
    fn reading_straight_through_equals_reading_block_by_block(
        text in prop_oneof![digest(), plain_digest()],
        base in 0usize..3,
        summary in any::<bool>(),
    ) {
        let config = Config::default();
        let keep = if summary { body::Keep::Summary } else { body::Keep::All };
        let got = body::parse_blocks_keeping(&text, base, &config, keep);
        prop_assert_eq!(got, body::parse_blocks_buffered(&text, base, &config, keep), "{:?}", text);
    }

    /// Shifting a block moves every span and nothing else.
    #[test]
    fn shift_block_moves_every_span(text in digest(), delta in 0isize..100) {
        let config = Config::default();
        let full = body::parse_blocks(&text, 0, &config);
        let moved = body::parse_blocks(&text, delta as usize, &config);
        for (mut b, m) in full.into_iter().zip(moved) {
            Body::shift_block(&mut b, delta);
            prop_assert_eq!(&b, &m);
            Body::shift_block(&mut b, -delta);
            Body::shift_block(&mut b, delta);
            prop_assert_eq!(b, m);
        }
    }
}

/// Hostile input: each finishes (linear work: a quadratic path would take minutes
/// here) and the blocks still tile the text.
#[test]
fn malformed_and_huge_input_never_panics() {
    let config = Config::default();
    let mut inputs: Vec<String> = vec![
        "**1. unbalanced**: x **\n**2. also".into(),
        "```\nunterminated fence [a](b)\n".into(),
        "---\n---\n- a\n---\ntext\n---".into(),
        "<div>\n[a](http://x)\n</div>\n\n<!-- unterminated".into(),
        "**".into(),
        "[".into(),
        "](".into(),
        "\r\r\n\r".into(),
        "> > > > > - - - - 1. **2. x**:".into(),
        "\u{feff}**1. 😀**：".into(),
    ];
    inputs.push("优化 😀 **x** ".repeat(80_000));
    inputs.push("[a](http://x.com/".repeat(60_000));
    inputs.push("[a](".repeat(250_000));
    inputs.push("http://".repeat(150_000));
    inputs.push("a:b.c ".repeat(170_000));
    inputs.push("**".repeat(500_000));
    inputs.push("> ".repeat(200_000) + "x");
    inputs.push("- ".repeat(200_000) + "x");
    inputs.push((0..100_000).map(|i| format!("[l{i}](https://e.com/{i}) ")).collect());
    inputs.push((0..100_000).map(|i| format!("* **文章**: https://e.com/{i}\n")).collect());
    for text in &inputs {
        let blocks = body::parse_blocks(text, 7, &config);
        assert_tiles(text, 7, &blocks);
    }
    let links: usize = body::parse_blocks(&inputs[inputs.len() - 2], 0, &config).iter().map(|b| b.links.len()).sum();
    assert_eq!(links, 100_000);
}

#[test]
fn link_kinds() {
    check(
        "See [inline](https://a.com/x \"t\") and <https://b.com> and <me@c.com>,\n\
         [full][Gh], [Gh][], [Gh] and https://d.com/p?q=1. Not `https://code.com` nor\n\
         ![img](https://e.com/i.png). Bare in CJK：https://github.com/a/b，后面 😀 http://103.170.5.190:7870/\n\
         [empty]() [spaced](http://exa mple.com) [angle](<https://f.com/a b>)\n\
         \n\
         [gh]: https://github.com/dvlab-research/Step-DPO\n\
         ```\n\
         https://in.fence.com\n\
         ```\n",
        expect![[r#"
            0..324 Other | See [inline](https://a.c
              link Inline `[inline](https://a.com/x \"t\")` text="inline" url="https://a.com/x" url_span=`https://a.com/x`
              link Autolink `<https://b.com>` text="" url="https://b.com" url_span=`https://b.com`
              link Autolink `<me@c.com>` text="" url="mailto:me@c.com" url_span=`me@c.com`
              link Reference `[full][Gh]` text="full" url="" label="Gh"
              link Reference `[Gh][]` text="Gh" url="" label="Gh"
              link Reference `[Gh]` text="Gh" url="" label="Gh"
              link Bare `https://d.com/p?q=1` text="" url="https://d.com/p?q=1" url_span=`https://d.com/p?q=1`
              link Bare `https://github.com/a/b` text="" url="https://github.com/a/b" url_span=`https://github.com/a/b`
              link Bare `http://103.170.5.190:7870/` text="" url="http://103.170.5.190:7870/" url_span=`http://103.170.5.190:7870/`
              link Inline `[empty]()` text="empty" url="" url_span=``
              link Inline `[spaced](http://exa mple.com)` text="spaced" url="http://exa mple.com" url_span=`http://exa mple.com`
              link Inline `[angle](<https://f.com/a b>)` text="angle" url="https://f.com/a b" url_span=`https://f.com/a b`
            324..402 Other | [gh]: https://github.com
              def "gh" -> "https://github.com/dvlab-research/Step-DPO" `[gh]: https://github.com/dvlab-research/Step-DPO`
        "#]],
    );
}

#[test]
fn topic_variants() {
    check(
        "**1. Plain**: summary one\n\n\
         **2.  Two spaces**：全角冒号 😀\n\n\
         **3. Colon inside:** after\n\n\
         **99999999999. Too big**: x\n\n\
         **4. No colon** text\n\n\
         **x. Not a number**: x\n\n\
         Text **5. Not first**: x\n\n\
         **6. [Linked](https://a.com) `code`**: see [x](https://b.com) too\n\
         next line\n",
        expect![[r#"
            0..27 Topic Some(1) `1` title="Plain" `Plain` summary="summary one" | **1. Plain**: summary on
            27..67 Topic Some(2) `2` title="Two spaces" `Two spaces` summary="全角冒号 😀" | **2.  Two spaces**：全角冒号 
            67..95 Topic Some(3) `3` title="Colon inside" `Colon inside` summary="after" | **3. Colon inside:** aft
            95..124 Topic None `99999999999` title="Too big" `Too big` summary="x" | **99999999999. Too big**
            124..146 Other | **4. No colon** text
            146..170 Other | **x. Not a number**: x
            170..196 Other | Text **5. Not first**: x
            196..272 Topic Some(6) `6` title="Linked code" `[Linked](https://a.com) `code`` summary="see x too" | **6. [Linked](https://a.
              link Inline `[Linked](https://a.com)` text="Linked" url="https://a.com" url_span=`https://a.com`
              link Inline `[x](https://b.com)` text="x" url="https://b.com" url_span=`https://b.com`
        "#]],
    );
}

#[test]
fn reference_lists_nested_and_loose() {
    check(
        "- **相关引用**：\n\
         \x20 - **文章**: [A](https://arxiv.org/abs/1)\n\
         \x20 - **文章：** [B](https://arxiv.org/abs/2)\n\
         \x20 - no label [C](https://c.com)\n\
         \x20 - **Demo**:\n\
         \x20 - **代码**: see [D][d] first\n\
         - 相关工具\n\
         \n\
         \x20 * **网站**: <https://e.com>\n\
         \n\
         \x20 * **博客**: plain text only\n\
         - 不是引用：\n\
         \x20 - **文章**: [F](https://f.com)\n",
        expect![[r#"
            0..327 List | - **相关引用**：
              link Inline `[A](https://arxiv.org/abs/1)` text="A" url="https://arxiv.org/abs/1" url_span=`https://arxiv.org/abs/1`
              link Inline `[B](https://arxiv.org/abs/2)` text="B" url="https://arxiv.org/abs/2" url_span=`https://arxiv.org/abs/2`
              link Inline `[C](https://c.com)` text="C" url="https://c.com" url_span=`https://c.com`
              link Reference `[D][d]` text="D" url="" label="d"
              link Autolink `<https://e.com>` text="" url="https://e.com" url_span=`https://e.com`
              link Inline `[F](https://f.com)` text="F" url="https://f.com" url_span=`https://f.com`
              ref [相关引用] "文章" `文章` link=Some(0) text="" span=`**文章**: [A](https://arxiv.org/abs/1)`
              ref [相关引用] "文章" `文章` link=Some(1) text="" span=`**文章：** [B](https://arxiv.org/abs/2)`
              ref [相关引用] "Demo" `Demo` link=None text="" span=`**Demo**:`
              ref [相关引用] "代码" `代码` link=Some(3) text="" span=`**代码**: see [D][d] first`
              ref [相关工具] "网站" `网站` link=Some(4) text="" span=`**网站**: <https://e.com>`
              ref [相关工具] "博客" `博客` link=None text="plain text only" span=`**博客**: plain text only`
              item Some("相关引用") "" span=`**相关引用**：`
              item None "相关工具" span=`相关工具`
              item None "不是引用：" span=`不是引用：`
        "#]],
    );
}

#[test]
fn crlf_spans_are_exact() {
    check(
        "## 标题 😀\r\n\r\n**1. 优化 😀**:  摘要\r\n*  相关引用：\r\n    * **文章**: [Adam](https://arxiv.org/abs/2402.00658)\r\n    * **Demo**:  http://103.170.5.190:7870/\r\n",
        expect![[r#"
            0..18 Heading h2 "标题 😀" `标题 😀` | ## 标题 😀
            18..47 Topic Some(1) `1` title="优化 😀" `优化 😀` summary="摘要" | **1. 优化 😀**:  摘要
            47..172 List | *  相关引用：
              link Inline `[Adam](https://arxiv.org/abs/2402.00658)` text="Adam" url="https://arxiv.org/abs/2402.00658" url_span=`https://arxiv.org/abs/2402.00658`
              link Bare `http://103.170.5.190:7870/` text="" url="http://103.170.5.190:7870/" url_span=`http://103.170.5.190:7870/`
              ref [相关引用] "文章" `文章` link=Some(0) text="" span=`**文章**: [Adam](https://arxiv.org/abs/2402.00658)`
              ref [相关引用] "Demo" `Demo` link=Some(1) text="" span=`**Demo**:  http://103.170.5.190:7870/`
              item None "相关引用：" span=`相关引用：`
        "#]],
    );
}

const BODY_CODES: &[&str] = &["bad-url", "empty-link", "non-http-link", "topic-number"];

fn check_diagnostics(fixture: &str, expect: Expect) {
    let f = Fixture::parse(fixture);
    let file = f.main();
    let all = digest_ls::diagnostics::check(&f.analysis(), &file.path, &f.config, &f.workspace());
    let mine: Vec<_> = all.into_iter().filter(|d| BODY_CODES.contains(&d.code)).collect();
    expect.assert_eq(&render_diagnostics(&file.text, &mine));
}

#[test]
fn the_sample_has_no_body_diagnostics() {
    check_diagnostics(SAMPLE, expect![[""]]);
}

#[test]
fn broken_reference_urls() {
    check_diagnostics(
        r#"---
title: "x"
date: 2024-07-05T19:31:56+08:00
tags: ["优化"]
---
**1. 链接 😀**:  摘要
*  相关引用：
    * **文章**: [no host](https://)
    * **文章**: [ipv6](http://[::1/x)
    * **文章**: [space](http://exa mple.com/a)
    * **文章**: [empty]()
    * **文章**: [empty angle](<>)
    * **代码**: [ftp](ftp://example.com/x)
    * **代码**: [file](file:///home/me/x)
    * **联系**: [mail](mailto:a@b.com)
    * **文章**: [no scheme](arxiv.org/abs/2402.00658)
    * **文章**: [undefined][nowhere]
    * **文章**: [defined][d]
    * **Demo**:  http://[::1
*  Elsewhere, relative links are fine: [post](/posts/other/) and [top](#top), ftp too: [f](ftp://x.org)
*  but not broken ones: [bad](https://exa_mple..com:99999/)

[d]: <>
"#,
        expect![[r#"
            8:25..8:33 error[bad-url] `https://`: the URL does not parse (empty host): write the host after `//`, as in `https://example.com/`
            9:22..9:35 error[bad-url] `http://[::1/x`: the URL does not parse (invalid IPv6 address): an IPv6 host is written in brackets, as in `http://[::1]:8080/`
            10:23..10:44 error[bad-url] `http://exa mple.com/a`: the URL contains a space, so Markdown does not make this a link: encode the space as `%20` or remove it
            11:15..11:24 error[empty-link] `[empty]()`: the link has an empty target: put the URL between the parentheses, or remove the link
            12:15..12:32 error[empty-link] `[empty angle](<>)`: the link has an empty target: put the URL between the parentheses, or remove the link
            13:21..13:40 warning[non-http-link] `ftp://example.com/x`: the reference uses the `ftp:` scheme: readers expect an http(s) link
            14:22..14:39 warning[non-http-link] `file:///home/me/x`: the reference uses the `file:` scheme: readers expect an http(s) link
            16:27..16:51 error[bad-url] `arxiv.org/abs/2402.00658`: the reference URL has no scheme, so it is a relative link: write `https://arxiv.org/abs/2402.00658`
            17:15..17:35 error[empty-link] `[undefined][nowhere]`: no definition `[nowhere]: <url>` in this digest, so Hugo shows the link as plain text: add the definition or write the URL inline
            18:15..18:27 error[empty-link] `[defined][d]`: the definition of `[d]` has an empty URL: write the URL after `[d]:`
            21:31..21:59 error[bad-url] `https://exa_mple..com:99999/`: the URL does not parse (invalid port number): the port is a number up to 65535
        "#]],
    );
}

#[test]
fn topic_numbers_out_of_order_repeated_and_skipped() {
    check_diagnostics(
        "**2. starts at two**: x\n\n**3. ok**: x\n\n**3. repeated**：x\n\n**6. skips two**: x\n\n**5. back**: x\n\n**7. fine**: x\n\n## Quick points：\n1.  **q**: not a topic\n",
        expect![[r#"
            1:3..1:4 warning[topic-number] `2`: topic number 2 skips 1: this topic should be 1
            5:3..5:4 warning[topic-number] `3`: topic number 3 is used twice: this topic should be 4
            7:3..7:4 warning[topic-number] `6`: topic number 6 skips 4 to 5: this topic should be 4
            9:3..9:4 warning[topic-number] `5`: topic number 5 is out of order: it comes after topic 6, so it should be 7
        "#]],
    );
}
