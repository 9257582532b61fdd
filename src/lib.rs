//! digest-ls: a language server for Markdown digests (Hugo posts with a YAML front matter).
//!
//! The analysis core takes plain text and byte offsets and returns plain data; it knows
//! nothing of LSP. Only `lsp/` speaks the protocol.
//!
//! - `text`: spans, line breaks, columns in UTF-8/16/32 (the one place for positions)
//! - `front_matter`, `date`: the YAML block as a spanned tree; dates as Hugo reads them
//! - `body`, `resource`: topics, reference lists and links; what a URL points to
//! - `analysis`, `document`: one digest's analysis; an open document and its incremental update
//! - `diagnostics`, `completion`, `hover`: the features
//! - `workspace`, `discover`, `config`: the index of all digests, which files they are, settings
//! - `navigation`, `symbols`, `rename`, `code_actions`: references and definitions, symbols,
//!   folding and links, tag renames, quick fixes (plain edits, no LSP types)
//! - `check`, `tags_cli`: the command-line checker and tag report; `lsp`: the protocol shell

pub mod analysis;
pub mod body;
pub mod check;
pub mod code_actions;
pub mod completion;
pub mod config;
pub mod date;
pub mod diagnostics;
pub mod discover;
pub mod document;
#[doc(hidden)]
pub mod fixture;
pub mod front_matter;
pub mod hover;
pub mod lsp;
pub mod navigation;
pub mod rename;
pub mod resource;
pub mod symbols;
pub mod tags_cli;
pub mod text;
pub mod workspace;

// The benchmark corpus (benches/corpus.rs) names the crate `digest_ls`, as the benches
// and examples see it; a unit test of `check` includes it too.
#[cfg(test)]
extern crate self as digest_ls;
