//! Criterion benchmarks of the workspace index: completion and hover with 10,000 digests indexed, indexing 1,000 digests, and a one-file update in a 10,000-digest index.
//!
//! `cargo bench --bench workspace`. The corpus comes from `benches/corpus.rs`
//! (seed 1), so every run measures the same bytes.

#[path = "corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::path::{Path, PathBuf};

use criterion::{criterion_group, criterion_main, BatchSize, Criterion};
use digest_ls::analysis::Analysis;
use digest_ls::config::Config;
use digest_ls::workspace::{DigestInfo, Workspace};
use rayon::prelude::*;

const SAMPLE: &str = include_str!("../tests/fixtures/seed-digest.md");
const SAMPLE_PATH: &str = "/bench/content/posts/sample.md";

/// A workspace of `count` generated digests plus the sample, all under `/bench`.
fn indexed(count: usize, config: &Config) -> (Workspace, Vec<(PathBuf, DigestInfo)>) {
    let corpus = corpus::Corpus::new(1);
    let infos: Vec<(PathBuf, DigestInfo)> = (0..count)
        .into_par_iter()
        .map(|i| {
            let d = corpus.digest(i, count);
            let info = DigestInfo::from_analysis(&Analysis::new(&d.text, config));
            (Path::new("/bench").join(d.path), info)
        })
        .collect();
    let mut ws = Workspace::new();
    for (path, info) in &infos {
        ws.update(path, Some(info.clone()));
    }
    ws.update(Path::new(SAMPLE_PATH), Some(DigestInfo::from_analysis(&Analysis::new(SAMPLE, config))));
    (ws, infos)
}

fn queries(c: &mut Criterion) {
    let config = Config::default();
    let (mut ws, infos) = indexed(10_000, &config);
    let analysis = Analysis::new(SAMPLE, &config);
    let path = Path::new(SAMPLE_PATH);

    let in_tags = SAMPLE.find("tags: [").unwrap() + "tags: [".len();
    c.bench_function("completion in tags: [ (10k digests)", |b| {
        b.iter(|| digest_ls::completion::complete(SAMPLE, &analysis, black_box(in_tags), &config, &ws))
    });
    let on_link = SAMPLE.find("[Adam-Mini]").unwrap() + 3;
    c.bench_function("hover on a link (10k digests)", |b| {
        b.iter(|| digest_ls::hover::hover(&analysis, path, black_box(on_link), &config, &ws))
    });
    c.bench_function("diagnostics of the sample (10k digests)", |b| {
        b.iter(|| digest_ls::diagnostics::check(black_box(&analysis), path, &config, &ws))
    });

    // The same file changing back and forth between two versions: a real change each time.
    let (target, before) = infos[infos.len() / 2].clone();
    let after = infos[infos.len() / 2 + 1].1.clone();
    let mut flip = false;
    c.bench_function("update one file (10k digests)", |b| {
        b.iter_batched(
            || {
                flip = !flip;
                if flip {
                    after.clone()
                } else {
                    before.clone()
                }
            },
            |info| ws.update(&target, Some(info)),
            BatchSize::SmallInput,
        )
    });
}

fn indexing(c: &mut Criterion) {
    let config = Config::default();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let written = corpus::Corpus::new(1).write(dir.path(), 1000).expect("the corpus is written");
    let files = written.files;

    let mut group = c.benchmark_group("index 1000 digests");
    group.sample_size(20);
    // What the server does: read, analyse and summarise on all cores, then update the index.
    group.bench_function("all cores", |b| {
        b.iter(|| {
            let infos: Vec<(&PathBuf, DigestInfo)> = files
                .par_iter()
                .map(|p| {
                    let text = std::fs::read_to_string(p).unwrap();
                    (p, DigestInfo::from_analysis(&Analysis::new(&text, &config)))
                })
                .collect();
            let mut ws = Workspace::new();
            for (p, info) in infos {
                ws.update(p, Some(info));
            }
            ws
        })
    });
    group.bench_function("one thread", |b| {
        b.iter(|| {
            let mut ws = Workspace::new();
            for p in &files {
                let text = std::fs::read_to_string(p).unwrap();
                ws.update(p, Some(DigestInfo::from_analysis(&Analysis::new(&text, &config))));
            }
            ws
        })
    });
    group.finish();
}

criterion_group!(benches, queries, indexing);
criterion_main!(benches);
