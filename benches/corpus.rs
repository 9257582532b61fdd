//! A deterministic corpus of digests for benchmarks: N daily digests in the digest format, plus single big digests, all from one seed.
//!
//! Shared by the criterion benches and the examples (`#[path = "../benches/corpus.rs"] mod corpus;`).
//! Everything is derived from the seed with a fixed generator (SplitMix64), so a
//! corpus is byte-for-byte the same on every machine and with every crate version.
//! Digest `i` has its own generator seeded from `(seed, i)`: digests can be made in
//! any order and in parallel.
//!
//! What it looks like (checked against `../shared/DIGEST-FORMAT.md` and the sample):
//! 3 to 10 numbered topics in Chinese and English, points, reference lists with
//! arXiv (abs and pdf, with and without version), GitHub, Hugging Face datasets and
//! models, short links and bare IP demos on 203.0.113.0/24 (a documentation range),
//! tags drawn from a Zipf-like vocabulary of 300 with a few case variants, and
//! resources drawn from Zipf-like pools so that popular papers and repositories are
//! cited again in many digests.

#![allow(dead_code)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// SplitMix64: tiny, fast and fully specified, so the corpus never changes under us.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// A generator for item `index` of a corpus made from `seed`.
    pub fn for_item(seed: u64, index: u64) -> Rng {
        let mut r = Rng(seed ^ index.wrapping_mul(0xA076_1D64_78BD_642F));
        r.next_u64();
        r
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`); the modulo bias is irrelevant here.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// Uniform in `[0, 1)`.
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

/// Ranks `0..n` drawn with probability proportional to `1 / (rank + 1)^s`.
#[derive(Clone, Debug)]
pub struct Zipf {
    cdf: Vec<f64>,
}

impl Zipf {
    pub fn new(n: usize, s: f64) -> Zipf {
        let mut acc = 0.0;
        let mut cdf = Vec::with_capacity(n);
        for rank in 0..n {
            acc += 1.0 / ((rank + 1) as f64).powf(s);
            cdf.push(acc);
        }
        for c in &mut cdf {
            *c /= acc;
        }
        Zipf { cdf }
    }

    pub fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.unit();
        self.cdf.partition_point(|&c| c < u).min(self.cdf.len() - 1)
    }
}

const EN_TERMS: &[&str] = &[
    "LLM",
    "DPO",
    "RLHF",
    "MoE",
    "Agent",
    "RAG",
    "SFT",
    "PPO",
    "LoRA",
    "Transformer",
    "Mamba",
    "Diffusion",
    "VLM",
    "CoT",
    "ICL",
    "KV Cache",
    "Long-context",
    "Tokenizer",
    "Benchmark",
    "Scaling Law",
    "Quantization",
    "Distillation",
    "Pruning",
    "Speculative Decoding",
    "FlashAttention",
    "RoPE",
    "Embedding",
    "Retrieval",
    "Reward Model",
    "GRPO",
    "Self-Play",
    "Synthetic Data",
    "Code LLM",
    "Math",
    "Vision",
    "Speech",
    "Robotics",
    "Multi-Agent",
    "Tool Use",
    "Function Calling",
    "Alignment",
    "Safety",
    "Jailbreak",
    "Hallucination",
    "Evaluation",
    "Inference",
    "Serving",
    "vLLM",
    "Triton",
    "CUDA",
    "TPU",
    "Sparse Attention",
    "Linear Attention",
    "State Space Model",
    "Pretraining",
    "Data Mixture",
    "Curriculum",
    "Continual Learning",
    "Federated Learning",
    "Graph",
    "Recommendation",
    "Search",
    "World Model",
    "Video Generation",
    "Text-to-Image",
    "3D",
    "Audio",
    "OCR",
    "Document AI",
    "Chatbot",
    "Prompt",
];

const ZH_TERMS: &[&str] = &[
    "优化",
    "角色扮演",
    "推理",
    "多模态",
    "强化学习",
    "对齐",
    "数学推理",
    "代码生成",
    "长上下文",
    "检索增强",
    "评估",
    "数据集",
    "预训练",
    "微调",
    "蒸馏",
    "量化",
    "剪枝",
    "稀疏注意力",
    "显存优化",
    "分布式训练",
    "通信",
    "推理加速",
    "模型压缩",
    "指令跟随",
    "偏好学习",
    "奖励模型",
    "幻觉",
    "安全",
    "可解释性",
    "知识编辑",
    "记忆",
    "规划",
    "工具调用",
    "智能体",
    "多智能体",
    "具身智能",
    "机器人",
    "语音",
    "视频生成",
    "图像生成",
    "三维重建",
    "信息检索",
    "推荐系统",
    "搜索",
    "知识图谱",
    "数据合成",
    "数据清洗",
    "课程学习",
    "持续学习",
    "联邦学习",
    "开源模型",
    "闭源模型",
    "基准测试",
    "论文写作",
    "学术会议",
    "系统设计",
    "编译器",
    "算子优化",
    "硬件",
    "芯片",
    "能耗",
    "扩展定律",
    "涌现能力",
    "思维链",
    "上下文学习",
    "提示工程",
    "文本分类",
    "机器翻译",
    "摘要",
    "问答",
    "对话系统",
];

const ZH_SUFFIXES: &[&str] = &["评估", "加速", "综述", "框架", "方法", "理论", "实践", "系统"];

/// Lower-case or capitalised spellings of a few popular tags: workspaces have some.
const VARIANTS: &[(&str, &str)] =
    &[("DPO", "dpo"), ("LLM", "llm"), ("RLHF", "Rlhf"), ("MoE", "moe"), ("Agent", "agent")];

const TOPIC_HEADS: &[&str] = &[
    "{t} 的显存占用",
    "{t} 的理论分析",
    "{t} 提升 {u} 能力",
    "{t} 加速 {u} 推理",
    "{t} 与 {u} 的等效性",
    "{t} 对 {u} 训练的影响",
    "{t} 在 {u} 上的应用",
    "Scaling {t} for {u}",
    "{t} meets {u}",
    "Rethinking {t}",
    "{t} 的评估方法",
    "{t} 的开源实现",
];

const SUMMARIES: &[&str] = &[
    "当 {t} 足够大时，{u} 不会成为瓶颈",
    "如何从理论角度分析 {t} 对 {u} 的增强",
    "使用 {t} 方法，仅需少量数据即可提升 {u}",
    "利用 {t} 加速 {u} 在 prefilling 阶段的推理速度",
    "相同参数量情况下，{t} 是否能达到 {u} 的性能",
    "{t} works well on {u}, but the gains shrink at scale",
    "A simple recipe: {t} first, then {u}",
    "讨论 {t} 与 {u} 的结合方式以及实际部署中的问题",
];

const POINTS: &[&str] = &[
    "{t} 的 state 不涉及卡间通信，都是卡内通信",
    "卡越多，{t} 占总显存的比例越小",
    "目前缺乏相关的理论分析，只有 {u} 的实验结果",
    "可以借鉴 {t} 的分析方法来研究 {u}",
    "在 Qwen2-7B-Instruct 上微调，{u} 准确率从 53.0% 提升至 58.6%",
    "{t} 依靠 routing 的灵活性，在激活参数量相同的情况下优于 {u}",
    "Training with {t} is stable once the learning rate is warmed up",
    "The {u} baseline is strong; {t} only helps on long inputs",
    "数据量足够大时，{t} 能够收敛到真实分布，从而消除 {u} 带来的偏差",
    "实际应用中，{t} 的推理成本仍然高于 {u} 😅",
    "结合 {t} 和 GPU 运算，实现 1M tokens 阶段 10 倍加速",
    "可以通过实验比较相同数据量下 {t} 与 {u} 的最终效果",
];

const OPINIONS: &[&str] = &[
    "{t} 的规模不断增大，{u} 等问题依然存在",
    "{t} 可以缓解 {u} 带来的问题",
    "{t} is overrated for {u}",
    "{t} 过程中出现的问题可能与 {u} 相关",
];

const LABELS_PAPER: &[&str] = &["文章", "文章", "文章", "论文"];
const OWNERS: &[&str] = &[
    "dvlab-research",
    "microsoft",
    "meta-llama",
    "google-research",
    "openai",
    "deepseek-ai",
    "Qwen",
    "THUDM",
    "huggingface",
    "vllm-project",
    "state-spaces",
    "Dao-AILab",
    "allenai",
    "EleutherAI",
    "mistralai",
    "bigcode",
    "lm-sys",
    "stanford-crfm",
    "NVIDIA",
    "tatsu-lab",
    "xinlai",
    "OpenGVLab",
    "InternLM",
    "01-ai",
    "baichuan-inc",
];
const NAME_PARTS: &[&str] = &[
    "Step", "DPO", "Mini", "Flash", "Long", "Math", "Code", "Vision", "Chat", "Instruct", "Reward", "Sparse", "Fast",
    "Open", "Tiny", "Mega", "Align", "Agent", "Bench", "Eval", "Mix", "Data", "Lite", "Pro",
];

fn fill(template: &str, t: &str, u: &str) -> String {
    template.replace("{t}", t).replace("{u}", u)
}

/// The shared pools: tag vocabulary and resources, with their popularity.
#[derive(Clone, Debug)]
pub struct Corpus {
    pub seed: u64,
    pub tags: Vec<String>,
    tag_zipf: Zipf,
    papers: Vec<String>,
    paper_titles: Vec<String>,
    paper_zipf: Zipf,
    repos: Vec<String>,
    repo_zipf: Zipf,
    datasets: Vec<String>,
    models: Vec<String>,
    hf_zipf: Zipf,
    demos: Vec<String>,
    terms: Vec<&'static str>,
}

/// Days since 1970-01-01 to (year, month, day): the crate's own calendar.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let (y, m, d) = digest_ls::date::civil_from_days(days);
    (y, u32::from(m), u32::from(d))
}

/// 2025-06-30, the day of the last digest: in the past, so no `future-date` warnings.
const LAST_DAY: i64 = 20_269;

/// One generated digest.
#[derive(Clone, Debug)]
pub struct Digest {
    /// `content/posts/YYYY-MM-DD.md`.
    pub path: PathBuf,
    pub text: String,
}

/// What `write` produced.
#[derive(Clone, Debug, Default)]
pub struct Written {
    pub files: Vec<PathBuf>,
    pub bytes: u64,
}

impl Corpus {
    pub fn new(seed: u64) -> Corpus {
        let mut rng = Rng::new(seed);
        let mut tags: Vec<String> = Vec::new();
        fn push(tags: &mut Vec<String>, t: String) {
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        // Interleave English and Chinese so both are among the popular tags.
        for i in 0..EN_TERMS.len().max(ZH_TERMS.len()) {
            if let Some(t) = ZH_TERMS.get(i) {
                push(&mut tags, t.to_string());
            }
            if let Some(t) = EN_TERMS.get(i) {
                push(&mut tags, t.to_string());
            }
        }
        'outer: for s in ZH_SUFFIXES {
            for t in ZH_TERMS.iter().chain(EN_TERMS) {
                if tags.len() >= 300 {
                    break 'outer;
                }
                push(&mut tags, format!("{t}{s}"));
            }
        }
        tags.truncate(300);
        let terms: Vec<&'static str> = EN_TERMS.iter().chain(ZH_TERMS).copied().collect();

        let mut papers = Vec::new();
        let mut paper_titles = Vec::new();
        for i in 0..4000u32 {
            let yymm = 1800 + (i % 7) * 100 + 1 + rng.below(12) as u32;
            papers.push(format!("{yymm:04}.{:05}", rng.below(100_000)));
            let (a, b) = (rng.pick(NAME_PARTS), rng.pick(&terms));
            paper_titles.push(format!("{a}-{b}: {}", fill(rng.pick::<&str>(TOPIC_HEADS), b, rng.pick::<&str>(&terms))));
        }
        let name = |rng: &mut Rng| format!("{}-{}{}", rng.pick(NAME_PARTS), rng.pick(NAME_PARTS), rng.range(1, 99));
        let repos: Vec<String> = (0..1200).map(|_| format!("{}/{}", rng.pick(OWNERS), name(&mut rng))).collect();
        let datasets: Vec<String> = (0..400).map(|_| format!("{}/{}", rng.pick(OWNERS), name(&mut rng))).collect();
        let models: Vec<String> =
            (0..400).map(|_| format!("{}/{}-{}B", rng.pick(OWNERS), name(&mut rng), rng.range(1, 72))).collect();
        let demos: Vec<String> =
            (0..120).map(|_| format!("http://203.0.113.{}:{}/", rng.range(1, 254), 7860 + rng.below(11))).collect();
        Corpus {
            seed,
            tag_zipf: Zipf::new(tags.len(), 1.0),
            tags,
            paper_zipf: Zipf::new(papers.len(), 1.05),
            papers,
            paper_titles,
            repo_zipf: Zipf::new(repos.len(), 1.05),
            repos,
            hf_zipf: Zipf::new(400, 1.0),
            datasets,
            models,
            demos,
            terms,
        }
    }

    /// The date of digest `index` of `count`: one per day, the last on 2025-06-30.
    pub fn day(index: usize, count: usize) -> (i64, u32, u32) {
        civil_from_days(LAST_DAY - (count - 1 - index) as i64)
    }

    /// Digest `index` of a corpus of `count` digests.
    pub fn digest(&self, index: usize, count: usize) -> Digest {
        let mut rng = Rng::for_item(self.seed, index as u64);
        let (y, m, d) = Corpus::day(index, count);
        let topics = rng.range(3, 10);
        let text = self.render(&mut rng, (y, m, d), topics, None);
        Digest { path: PathBuf::from(format!("content/posts/{y:04}-{m:02}-{d:02}.md")), text }
    }

    /// One digest of at least `bytes` bytes (many topics), for the big-file benchmarks.
    pub fn big(&self, bytes: usize) -> String {
        let mut rng = Rng::for_item(self.seed ^ 0xB16, bytes as u64);
        self.render(&mut rng, (2025, 6, 30), usize::MAX, Some(bytes))
    }

    fn tag_list(&self, rng: &mut Rng) -> Vec<String> {
        let n = rng.range(2, 6);
        let mut out: Vec<String> = Vec::new();
        while out.len() < n {
            let mut t = self.tags[self.tag_zipf.sample(rng)].clone();
            // About 1 in 150 uses of a popular tag is a case variant.
            if let Some((_, v)) = VARIANTS.iter().find(|(k, _)| *k == t) {
                if rng.chance(1.0 / 150.0) {
                    t = v.to_string();
                }
            }
            if !out.contains(&t) {
                out.push(t);
            }
        }
        out
    }

    fn term(&self, rng: &mut Rng) -> &'static str {
        // Popular terms come up more often, as in real notes.
        let i = (rng.unit() * rng.unit() * self.terms.len() as f64) as usize;
        self.terms[i.min(self.terms.len() - 1)]
    }

    fn phrase(&self, rng: &mut Rng, templates: &[&str]) -> String {
        let t = self.term(rng);
        let mut u = self.term(rng);
        if u == t {
            u = self.terms[(self.terms.iter().position(|x| *x == t).unwrap_or(0) + 1) % self.terms.len()];
        }
        fill(rng.pick::<&str>(templates), t, u)
    }

    fn reference(&self, rng: &mut Rng, out: &mut String) {
        match rng.below(10) {
            0..=3 => {
                let i = self.paper_zipf.sample(rng);
                let id = &self.papers[i];
                let form = match rng.below(6) {
                    0 => format!("https://arxiv.org/pdf/{id}"),
                    1 => format!("https://arxiv.org/abs/{id}v{}", rng.range(1, 3)),
                    2 => format!("https://arxiv.org/pdf/{id}v{}", rng.range(1, 3)),
                    3 => format!("http://arxiv.org/abs/{id}"),
                    _ => format!("https://arxiv.org/abs/{id}"),
                };
                let label = rng.pick(LABELS_PAPER);
                let _ = writeln!(out, "    * **{label}**: [{}]({form}) ", self.paper_titles[i]);
            }
            4 | 5 => {
                let repo = &self.repos[self.repo_zipf.sample(rng)];
                let tail = match rng.below(8) {
                    0 => "?tab=readme-ov-file#models",
                    1 => "/tree/main/src",
                    2 => "/",
                    _ => "",
                };
                let name = repo.split('/').nth(1).unwrap_or(repo);
                let label = if tail.starts_with('?') { "模型" } else { "代码" };
                let _ = writeln!(out, "    * **{label}**: [{name}](https://github.com/{repo}{tail})");
            }
            6 => {
                let ds = &self.datasets[self.hf_zipf.sample(rng)];
                let _ = writeln!(out, "    * **数据**: [{ds}](https://huggingface.co/datasets/{ds})");
            }
            7 => {
                let model = &self.models[self.hf_zipf.sample(rng)];
                let _ = writeln!(out, "    * **模型**: [{model}](https://huggingface.co/{model})");
            }
            8 => {
                let _ = writeln!(out, "    * **Demo**:  {}", rng.pick(&self.demos));
            }
            _ => {
                let name = rng.pick(NAME_PARTS);
                let (label, url) = match rng.below(3) {
                    0 => ("项目主页", format!("https://aka.ms/{name}{}", rng.range(1, 40))),
                    1 => ("网站", format!("https://www.lesswrong.com/posts/{}/{}", rng.next_u64() % 1_000_000, name)),
                    _ => {
                        ("博客", format!("https://blog.example.org/{}/{}", rng.range(2019, 2025), name.to_lowercase()))
                    }
                };
                let _ = writeln!(out, "    * **{label}**: [{name}]({url})");
            }
        }
    }

    /// A digest with `topics` topics, or with as many as it takes to reach `min_bytes`.
    fn render(&self, rng: &mut Rng, (y, m, d): (i64, u32, u32), topics: usize, min_bytes: Option<usize>) -> String {
        let tags = self.tag_list(rng);
        let planned = topics.min(10);
        let heads: Vec<String> = (0..planned).map(|_| self.phrase(rng, TOPIC_HEADS)).collect();
        let mut out = String::with_capacity(min_bytes.unwrap_or(6000) + 4096);
        let title: Vec<&str> = heads.iter().take(3).map(String::as_str).collect();
        let quoted: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
        let _ = write!(
            out,
            "---\ntitle: \"{} .etc\"\ndate: {y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}+08:00\ntags: [{}]\n---\n\n\n## {}\n\n",
            title.join("; "),
            rng.range(18, 22),
            rng.below(60),
            rng.below(60),
            quoted.join(", "),
            heads.join("; ")
        );
        let mut n = 0;
        loop {
            let done = match min_bytes {
                Some(min) => out.len() >= min,
                None => n >= topics,
            };
            if done {
                break;
            }
            let head = match heads.get(n) {
                Some(h) => h.clone(),
                None => self.phrase(rng, TOPIC_HEADS),
            };
            n += 1;
            let gap = if rng.chance(0.3) { "  " } else { " " };
            let colon = if rng.chance(0.2) { "：" } else { ":" };
            let _ = writeln!(out, "**{n}.{gap}{head}**{colon}  {}", self.phrase(rng, SUMMARIES));
            for _ in 0..rng.range(1, 4) {
                let _ = writeln!(out, "*  {}", self.phrase(rng, POINTS));
            }
            match rng.below(10) {
                0 => {
                    let _ = writeln!(out, "*  相关模型:");
                    for _ in 0..rng.range(1, 3) {
                        let model = self.term(rng);
                        let _ = writeln!(
                            out,
                            "    * **{model}-{}B**: 激活 {}B 参数，效果接近更大的 Dense 模型",
                            rng.range(1, 70),
                            rng.range(1, 30)
                        );
                    }
                }
                1 => {
                    let _ = writeln!(out, "*  相关观点:");
                    for _ in 0..rng.range(1, 3) {
                        let _ = writeln!(out, "    *  {}", self.phrase(rng, OPINIONS));
                    }
                }
                2 => {}
                _ => {
                    let list = if rng.chance(0.1) { "相关工具" } else { "相关引用" };
                    let colon = if rng.chance(0.7) { "：" } else { ":" };
                    let _ = writeln!(out, "*  {list}{colon}");
                    for _ in 0..rng.range(1, 4) {
                        self.reference(rng, &mut out);
                    }
                }
            }
            out.push('\n');
        }
        out.push_str("\n## Quick points：\n");
        for i in 1..=rng.range(3, 8) {
            let _ = writeln!(out, "{i}.  **{}**:  {}", self.term(rng), self.phrase(rng, SUMMARIES));
        }
        // Like the sample, half of the digests end without a newline.
        if rng.chance(0.5) {
            out.pop();
        }
        out
    }

    /// Writes digests `0..count` under `dir`, in parallel.
    pub fn write(&self, dir: &Path, count: usize) -> std::io::Result<Written> {
        use rayon::prelude::*;
        std::fs::create_dir_all(dir.join("content/posts"))?;
        let results: Vec<std::io::Result<(PathBuf, u64)>> = (0..count)
            .into_par_iter()
            .map(|i| {
                let d = self.digest(i, count);
                let path = dir.join(&d.path);
                std::fs::write(&path, &d.text)?;
                Ok((path, d.text.len() as u64))
            })
            .collect();
        let mut written = Written::default();
        for r in results {
            let (path, bytes) = r?;
            written.files.push(path);
            written.bytes += bytes;
        }
        Ok(written)
    }
}

/// Run with `cargo test --example gen-corpus`.
#[cfg(test)]
mod tests {
    // Unused where this module is built without the test harness (the benches).
    #[allow(unused_imports)]
    use super::*;

    #[test]
    fn deterministic_and_shaped_like_a_digest() {
        let a = Corpus::new(7);
        let b = Corpus::new(7);
        assert_eq!(a.digest(3, 10).text, b.digest(3, 10).text);
        assert_ne!(a.digest(3, 10).text, a.digest(4, 10).text);
        let d = a.digest(9, 10);
        assert_eq!(d.path, PathBuf::from("content/posts/2025-06-30.md"));
        assert!(d.text.starts_with("---\ntitle: "));
        assert!(d.text.contains("\n**1."));
        assert_eq!(a.tags.len(), 300);
    }

    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(LAST_DAY), (2025, 6, 30));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
    }

    #[test]
    fn big_digest_reaches_its_size() {
        let big = Corpus::new(1).big(100_000);
        assert!(big.len() >= 100_000 && big.len() < 110_000);
    }
}
