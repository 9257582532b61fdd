//! The stdio framing in front of tower-lsp-server: reads `Content-Length` frames itself, answers what tower-lsp-server would mishandle, and forwards only messages it can decode.

/// The largest message body accepted from the client (a 50 MB document still fits).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;
