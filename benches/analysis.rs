//! Criterion benchmarks of the analysis core: the sample digest, and a one-character edit in a 1 MB digest, incremental against full.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use digest_ls::analysis::Analysis;
use digest_ls::config::Config;
use digest_ls::document::Document;
use digest_ls::text::Span;
use std::hint::black_box;

const SAMPLE: &str = include_str!("../tests/fixtures/seed-digest.md");

/// The sample's front matter followed by its topics repeated (renumbered) up to `size` bytes.
fn big_digest(size: usize) -> String {
    let body_start = SAMPLE.find("\n**1.").unwrap() + 1;
    let quick = SAMPLE.find("\n## Quick points").unwrap();
    let topics = &SAMPLE[body_start..quick];
    let mut out = SAMPLE[..body_start].to_string();
    let mut n = 1;
    while out.len() < size {
        for part in topics.split("\n**").filter(|p| !p.trim().is_empty()) {
            let rest = part.trim_start_matches("**").split_once('.').map_or(part, |(_, r)| r);
            out.push_str(&format!("\n**{n}.{rest}"));
            n += 1;
        }
    }
    out.push_str(&SAMPLE[quick..]);
    out
}

fn bench(c: &mut Criterion) {
    let config = Config::default();
    c.bench_function("analyse sample", |b| b.iter(|| Analysis::new(black_box(SAMPLE), &config)));

    let big = big_digest(1 << 20);
    c.bench_function("full parse 1 MB", |b| b.iter(|| Analysis::new(black_box(&big), &config)));

    let body_at = big.len() / 2 + big[big.len() / 2..].find("卡越多").unwrap();
    let doc = Document::new(&big, 0, &config);
    c.bench_function("one-char body edit 1 MB (incremental)", |b| {
        b.iter_batched_ref(|| doc.clone(), |d| d.replace(Span::empty(body_at), "x", &config), BatchSize::LargeInput)
    });
    let fm_at = big.find("角色扮演").unwrap();
    c.bench_function("one-char front-matter edit 1 MB (incremental)", |b| {
        b.iter_batched_ref(|| doc.clone(), |d| d.replace(Span::empty(fm_at), "x", &config), BatchSize::LargeInput)
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
