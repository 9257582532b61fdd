//! Criterion benchmarks of one keystroke in a 1 MB digest with 10,000 other digests indexed: the whole server path (`State::change`) and its parts.
//!
//! `cargo bench --bench keystroke`. The corpus comes from `benches/corpus.rs` (seed 1),
//! as in `lsp-bench`; the 1 MB digest is opened from outside the workspace folder.

#[path = "corpus.rs"]
mod corpus;

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use criterion::{criterion_group, criterion_main, Criterion};
use digest_ls::analysis::Analysis;
use digest_ls::config::Config;
use digest_ls::document::Document;
use digest_ls::lsp::state::State;
use digest_ls::text::Span;
use digest_ls::workspace::{DigestInfo, Workspace};
use rayon::prelude::*;
use tower_lsp_server::ls_types as lsp;

const BIG_PATH: &str = "/elsewhere/digest-1mb.md";

/// The summaries of `count` generated digests.
/// The files are written under `root`: the server reads them to place related locations.
fn summaries(root: &Path, count: usize, config: &Config) -> Vec<(PathBuf, DigestInfo)> {
    let corpus = corpus::Corpus::new(1);
    (0..count)
        .into_par_iter()
        .map(|i| {
            let d = corpus.digest(i, count);
            let path = root.join(d.path);
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir).expect("a corpus folder");
            }
            std::fs::write(&path, &d.text).expect("a corpus file");
            (path, DigestInfo::from_analysis(&Analysis::new(&d.text, config)))
        })
        .collect()
}

/// Where `lsp-bench` types in the body: the end of the first point line after the middle.
fn body_offset(text: &str) -> usize {
    let mid = (text.len() / 2..).find(|&i| text.is_char_boundary(i)).unwrap_or(0);
    let line_start = mid + text[mid..].find("\n*  ").map_or(0, |i| i + 1);
    line_start + text[line_start..].find('\n').unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let config = Config::default();
    let root = tempfile::tempdir().expect("a temporary folder");
    let infos = summaries(root.path(), 10_000, &config);
    let big = corpus::Corpus::new(1).big(1 << 20);
    let path = Path::new(BIG_PATH);
    let at = body_offset(&big);

    let mut group = c.benchmark_group("keystroke 1 MB (10k indexed)");
    group.sample_size(50);

    // The parts, each on the state a keystroke leaves: typing and deleting one
    // character alternately, so that the text stays the same over the run.
    let mut ws = Workspace::new();
    for (p, info) in &infos {
        ws.update(p, Some(info.clone()));
    }
    let mut doc = Document::new(&big, 0, &config);
    ws.update(path, Some(DigestInfo::from_analysis(&doc.analysis())));
    let mut typed = false;
    let mut toggle = |doc: &mut Document| {
        if typed {
            doc.replace(Span::new(at, at + 1), "", &config);
        } else {
            doc.replace(Span::empty(at), "x", &config);
        }
        typed = !typed;
    };
    group.bench_function("reparse", |b| b.iter(|| toggle(&mut doc)));
    let analysis = doc.analysis();
    group.bench_function("summary", |b| b.iter(|| DigestInfo::from_analysis(black_box(&analysis))));
    let info = DigestInfo::from_analysis(&analysis);
    group.bench_function("index update", |b| b.iter(|| ws.update(path, Some(info.clone()))));
    group.bench_function("diagnostics", |b| {
        b.iter(|| digest_ls::diagnostics::check(black_box(&analysis), path, &config, &ws))
    });
    let empty = Workspace::new();
    group.bench_function("diagnostics, empty workspace", |b| {
        b.iter(|| digest_ls::diagnostics::check(black_box(&analysis), path, &config, &empty))
    });

    // The whole path of a `didChange` in the server, up to the queued LSP diagnostics,
    // with the 10,000 digests indexed and with none (as `lsp-bench --only big`), typing
    // in the body and in a new item of the tags list.
    let in_body = doc.position(at, digest_ls::text::Encoding::Utf16);
    let tags_at = big.find("tags: [").expect("a tags list") + "tags: [".len();
    let in_tags = doc.position(tags_at, digest_ls::text::Encoding::Utf16);
    let cases = [
        ("didChange -> diagnostics queued", &infos[..], in_body, false),
        ("didChange -> diagnostics queued, empty workspace", &[][..], in_body, false),
        ("didChange in the tags -> diagnostics queued, empty workspace", &[][..], in_tags, true),
    ];
    for (name, indexed, (line, character), new_tag) in cases {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut state = State::new(tx);
        for (p, info) in indexed {
            state.workspace.update(p, Some(info.clone()));
        }
        let uri = lsp::Uri::from_str(&format!("file://{BIG_PATH}")).expect("a URI");
        state.open(uri.clone(), "markdown", 1, &big);
        let mut version = 1;
        let change = |range: (u32, u32), text: &str| lsp::TextDocumentContentChangeEvent {
            range: Some(lsp::Range::new(lsp::Position::new(line, range.0), lsp::Position::new(line, range.1))),
            range_length: None,
            text: text.into(),
        };
        // In the tags, type into a new empty item (`"", ` inserted first), as lsp-bench does.
        let character = if new_tag {
            version += 1;
            state.change(&uri, version, vec![change((character, character), "\"\", ")]);
            character + 1
        } else {
            character
        };
        let mut typed = false;
        group.bench_function(name, |b| {
            b.iter(|| {
                version += 1;
                let event =
                    if typed { change((character, character + 1), "") } else { change((character, character), "x") };
                typed = !typed;
                state.change(&uri, version, vec![event]);
                while let Ok(p) = rx.try_recv() {
                    black_box(p);
                }
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
