//! The `digest-ls` binary: serve LSP over stdio (the default), or `check` digests from the command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

// jemalloc, as ruff does: with glibc's allocator, whose per-thread arenas contend when one
// thread frees what another allocated, `check` took about a tenth more CPU and indexing
// switched threads more often (docs/PERFORMANCE.md). Where jemalloc is at home only.
#[cfg(any(target_os = "linux", target_os = "macos"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;

#[derive(Parser)]
#[command(
    name = "digest-ls",
    version,
    about = "Language server and checker for Markdown digests (Hugo, YAML front matter)"
)]
struct Cli {
    /// Serve LSP over stdin/stdout (the default; accepted because editors pass it).
    #[arg(long)]
    stdio: bool,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Check every digest under the given files and folders (default: the current folder).
    #[command(after_help = "Exit status: 2 if a path is missing or a file cannot be read or is not UTF-8 \
(the check is incomplete), else 1 if any diagnostic is an error, else 0 (warnings, infos and hints never fail).\n\
Columns in the human output count characters; --format json gives UTF-8 and UTF-16 columns.")]
    Check {
        /// Files and folders to check (default: the current folder).
        paths: Vec<PathBuf>,
        /// Output format: rustc-style text (coloured on a terminal unless NO_COLOR is set) or one JSON document.
        #[arg(long, value_enum, default_value_t)]
        format: digest_ls::check::Format,
    },
    /// List every tag of the workspace with its digest count and last use, and the variant groups Hugo merges.
    Tags {
        /// A folder or file of the workspace (default: the current folder).
        path: Option<PathBuf>,
        /// Output format: aligned text or one JSON document.
        #[arg(long, value_enum, default_value_t)]
        format: digest_ls::tags_cli::Format,
    },
}

/// Logs of the command-line tools go to stderr (stdout is the report); warnings by
/// default, so a skipped symlink loop or unreadable folder is not silent.
fn init_cli_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DIGEST_LS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn"));
    let _ = tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .with_env_filter(filter)
        .try_init();
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        None => digest_ls::lsp::run(),
        Some(Command::Check { paths, format }) => {
            init_cli_logging();
            digest_ls::check::run(&paths, format)
        }
        Some(Command::Tags { path, format }) => {
            init_cli_logging();
            digest_ls::tags_cli::run(path.as_deref(), format)
        }
    };
    std::process::exit(code);
}
