//! The `digest-ls` binary: serve LSP over stdio (the default), or `check` digests from the command line.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
    Check {
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(long, value_enum, default_value_t)]
        format: digest_ls::check::Format,
    },
}

fn main() {
    let cli = Cli::parse();
    let code = match cli.command {
        None => digest_ls::lsp::run(),
        Some(Command::Check { paths, format }) => digest_ls::check::run(&paths, format),
    };
    std::process::exit(code);
}
