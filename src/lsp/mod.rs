//! The protocol shell: serve LSP over stdio with tower-lsp-server, converting in and out of the core's plain types.

/// Serves LSP on stdin/stdout until `exit` or end of input; returns the process exit code.
pub fn run() -> i32 {
    0
}
