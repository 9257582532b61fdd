//! Writes a deterministic benchmark corpus: N daily digests under `DIR/content/posts/`, and a 1 MB and a 10 MB digest under `DIR/big/`.
//!
//! `cargo run --release --example gen-corpus -- --out DIR --count N --seed S`
//! The same seed gives the same bytes on every machine. The big digests open with a
//! front matter, so a server rooted at `DIR` indexes them too: pass `--no-big` to
//! leave them out.

#[path = "../benches/corpus.rs"]
mod corpus;

use std::path::PathBuf;
use std::time::Instant;

use clap::Parser;

#[derive(Parser)]
#[command(about = "Write a deterministic corpus of digests for benchmarks")]
struct Args {
    /// Folder to write into (created if missing).
    #[arg(long)]
    out: PathBuf,
    /// Number of daily digests.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Seed of the generator.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Do not write the 1 MB and 10 MB digests.
    #[arg(long)]
    no_big: bool,
}

fn main() {
    let args = Args::parse();
    let started = Instant::now();
    let corpus = corpus::Corpus::new(args.seed);
    let written = match corpus.write(&args.out, args.count) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("gen-corpus: cannot write under {}: {e}", args.out.display());
            std::process::exit(2);
        }
    };
    println!(
        "{} digests, {:.1} MB, under {}",
        written.files.len(),
        written.bytes as f64 / 1e6,
        args.out.join("content/posts").display()
    );
    if !args.no_big {
        let dir = args.out.join("big");
        let result = std::fs::create_dir_all(&dir).and_then(|()| {
            for (name, bytes) in [("digest-1mb.md", 1usize << 20), ("digest-10mb.md", 10 << 20)] {
                let path = dir.join(name);
                std::fs::write(&path, corpus.big(bytes))?;
                println!("{}", path.display());
            }
            Ok(())
        });
        if let Err(e) = result {
            eprintln!("gen-corpus: cannot write the big digests: {e}");
            std::process::exit(2);
        }
    }
    eprintln!("done in {:.2} s", started.elapsed().as_secs_f64());
}
