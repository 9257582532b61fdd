//! The stdio framing in front of tower-lsp-server: reads `Content-Length` frames itself, answers what tower-lsp-server would mishandle, and forwards only messages it can decode.
//!
//! Why this layer exists (tower-lsp-server 0.23, `src/transport.rs` and `src/codec.rs`):
//! - its reader is a `tokio_util` `FramedRead`, which ends the stream after the first
//!   decode error, so one malformed frame (bad JSON, a wrong `Content-Length`, a broken
//!   header) ends the whole server;
//! - its codec waits for as many bytes as `Content-Length` says, however absurd, so a
//!   length of 1e15 makes the server wait (and buffer) forever;
//! - its service answers an unknown `$/` method with nothing, even when it is a request
//!   (with an id) that the spec says must get MethodNotFound.
//!
//! So the real stdin is read here: frames are parsed with a bounded header and a capped
//! body, checked to decode as tower-lsp-server's own message type, and only then re-framed
//! into a pipe that tower-lsp-server reads. Everything else is answered here with a
//! JSON-RPC error and the stream resynchronised at the next `Content-Length` header.
//! Both this layer and tower-lsp-server answer on stdout, so tower-lsp-server writes into a
//! second pipe that cuts its bytes into whole messages; those and this layer's errors go
//! through one queue to the one task that writes stdout: two messages never interleave.

use serde::Deserialize;
use serde_json::{json, Value};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc;
use tower_lsp_server::jsonrpc::{Request, Response};
use tower_lsp_server::{ClientSocket, LanguageServer, LspService, Server};
use tracing::{error, info, warn};

/// The largest message body accepted from the client (a 50 MB document still fits).
pub const MAX_MESSAGE_BYTES: usize = 64 * 1024 * 1024;
/// The most bytes a message's header block may take (a real one is under 100).
const MAX_HEADER_BYTES: usize = 8 * 1024;
/// The most bytes read from the input at once.
const READ_BYTES: usize = 64 * 1024;
/// What resynchronisation looks for, compared ignoring ASCII case.
const LENGTH_HEADER: &[u8] = b"content-length";

// ---- frames ----

/// What the frame reader found next in the stream.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    /// A message body, exactly as long as its `Content-Length` said.
    Message(Vec<u8>),
    /// A framing error; the reader is resynchronising to the next `Content-Length`.
    Fault(Fault),
}

#[derive(Debug, PartialEq, Eq)]
pub enum Fault {
    /// A header line that is not `Name: value`, or a `Content-Length` that is not a number.
    BadHeader(&'static str),
    /// A header block without `Content-Length`.
    MissingLength,
    /// A header block over [`MAX_HEADER_BYTES`] (or garbage without line breaks).
    HeaderTooLong,
    /// A `Content-Length` over the limit; the body is not waited for.
    TooLarge(u64),
}

impl std::fmt::Display for Fault {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Fault::BadHeader(why) => write!(f, "bad header: {why}"),
            Fault::MissingLength => write!(f, "a header without Content-Length"),
            Fault::HeaderTooLong => write!(f, "a header over {MAX_HEADER_BYTES} bytes"),
            Fault::TooLarge(n) => write!(f, "a message of {n} bytes, over the limit of {MAX_MESSAGE_BYTES} bytes"),
        }
    }
}

enum ReadState {
    /// Reading header lines: the length once seen, the header bytes so far, and
    /// whether any header line was read (blank lines before the first are skipped).
    Headers { length: Option<usize>, bytes: usize, any: bool },
    /// Waiting for a body of this many bytes.
    Body(usize),
    /// After a fault: skipping to the next `Content-Length`.
    Resync,
}

impl ReadState {
    fn headers() -> ReadState {
        ReadState::Headers { length: None, bytes: 0, any: false }
    }
}

/// Splits a byte stream into LSP frames (`Content-Length: N`, other headers ignored,
/// CRLF or bare LF line ends) and recovers from any garbage. Memory stays bounded by the
/// largest accepted body plus one read.
pub struct FrameReader {
    buf: Vec<u8>,
    /// Where the unread bytes of `buf` start.
    pos: usize,
    state: ReadState,
    max_body: usize,
    /// After a fault, further faults are not reported until a frame is read: one run
    /// of garbage is one error.
    quiet: bool,
}

impl FrameReader {
    pub fn new(max_body: usize) -> FrameReader {
        FrameReader { buf: Vec::new(), pos: 0, state: ReadState::headers(), max_body, quiet: false }
    }

    /// Adds bytes read from the stream.
    pub fn push(&mut self, bytes: &[u8]) {
        if self.pos > 0 && self.pos >= self.buf.len() / 2 {
            self.buf.drain(..self.pos);
            self.pos = 0;
            // Give back the memory of a huge message once it is gone.
            if self.buf.capacity() > 1024 * 1024 && self.buf.len() < self.buf.capacity() / 4 {
                self.buf.shrink_to(self.buf.len() * 2);
            }
        }
        self.buf.extend_from_slice(bytes);
    }

    /// Whether part of a message is buffered (the stream ended inside it).
    pub fn in_message(&self) -> bool {
        match self.state {
            ReadState::Headers { any, .. } => any || self.pos < self.buf.len(),
            ReadState::Body(_) => true,
            ReadState::Resync => false,
        }
    }

    /// The last frame's body was not JSON, so its length was probably wrong: what
    /// follows is likely the rest of it, and not worth another error.
    pub fn expect_garbage(&mut self) {
        self.quiet = true;
    }

    /// The next frame, or `None` until more bytes are pushed.
    pub fn next_frame(&mut self) -> Option<Frame> {
        loop {
            match self.state {
                ReadState::Body(n) => {
                    if self.buf.len() - self.pos < n {
                        return None;
                    }
                    let body = self.buf[self.pos..self.pos + n].to_vec();
                    self.pos += n;
                    self.state = ReadState::headers();
                    self.quiet = false;
                    return Some(Frame::Message(body));
                }
                ReadState::Resync => {
                    let rest = &self.buf[self.pos..];
                    match rest.windows(LENGTH_HEADER.len()).position(|w| w.eq_ignore_ascii_case(LENGTH_HEADER)) {
                        Some(i) => {
                            self.pos += i;
                            self.state = ReadState::headers();
                        }
                        None => {
                            // Keep only what could be the start of a split `Content-Length`.
                            self.pos = self.pos.max(self.buf.len().saturating_sub(LENGTH_HEADER.len() - 1));
                            return None;
                        }
                    }
                }
                ReadState::Headers { length, bytes, any } => {
                    let rest = &self.buf[self.pos..];
                    // A line must end within the header bytes left.
                    let room = MAX_HEADER_BYTES.saturating_sub(bytes);
                    let Some(eol) = rest[..rest.len().min(room)].iter().position(|&b| b == b'\n') else {
                        // (Some byte is over the limit: one to step past.)
                        if rest.len() >= room && !rest.is_empty() {
                            self.pos += 1;
                            if let Some(f) = self.fault(Fault::HeaderTooLong) {
                                return Some(f);
                            }
                            continue;
                        }
                        return None;
                    };
                    let line = &rest[..eol];
                    let line = line.strip_suffix(b"\r").unwrap_or(line);
                    let consumed = eol + 1;
                    if line.is_empty() {
                        self.pos += consumed;
                        if !any {
                            // A stray line break between messages.
                            continue;
                        }
                        match length {
                            Some(n) => self.state = ReadState::Body(n),
                            None => {
                                if let Some(f) = self.fault(Fault::MissingLength) {
                                    return Some(f);
                                }
                            }
                        }
                        continue;
                    }
                    match parse_header(line) {
                        Err(why) => {
                            // Resync from inside this line: the next header may follow garbage on it.
                            self.pos += 1;
                            if let Some(f) = self.fault(Fault::BadHeader(why)) {
                                return Some(f);
                            }
                        }
                        Ok(Some(n)) if n > self.max_body as u64 => {
                            self.pos += consumed;
                            self.state = ReadState::Resync;
                            // Always reported: the client is waiting for an answer to it.
                            self.quiet = true;
                            return Some(Frame::Fault(Fault::TooLarge(n)));
                        }
                        Ok(found) => {
                            self.pos += consumed;
                            let length = found.map(|n| n as usize).or(length);
                            self.state = ReadState::Headers { length, bytes: bytes + consumed, any: true };
                        }
                    }
                }
            }
        }
    }

    /// Enters resynchronisation; the fault to report, unless one was reported already.
    fn fault(&mut self, fault: Fault) -> Option<Frame> {
        self.state = ReadState::Resync;
        let report = !self.quiet;
        self.quiet = true;
        report.then_some(Frame::Fault(fault))
    }
}

/// A header line: `Some(length)` for `Content-Length`, `None` for any other header.
fn parse_header(line: &[u8]) -> Result<Option<u64>, &'static str> {
    let colon = line.iter().position(|&b| b == b':').ok_or("a header line without a colon")?;
    let name = &line[..colon];
    // An HTTP token, as header names are.
    let token = |b: &u8| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b);
    if name.is_empty() || !name.iter().all(token) {
        return Err("an invalid header name");
    }
    if !name.eq_ignore_ascii_case(LENGTH_HEADER) {
        return Ok(None);
    }
    let value = line[colon + 1..].trim_ascii();
    if value.is_empty() || !value.iter().all(u8::is_ascii_digit) {
        return Err("a Content-Length that is not a number");
    }
    // Saturating: any overflow is over the limit anyway.
    let n = value.iter().fold(0u64, |n, d| n.saturating_mul(10).saturating_add(u64::from(d - b'0')));
    Ok(Some(n))
}

// ---- messages ----

/// tower-lsp-server's own (crate-private) message type, mirrored: a body that decodes
/// as this is one its codec decodes too.
#[derive(Deserialize)]
#[serde(untagged)]
enum Incoming {
    Response(#[allow(dead_code)] Response),
    Request(Request),
}

/// What to do with a message body.
#[derive(Debug, PartialEq)]
enum Verdict {
    /// Hand it to tower-lsp-server.
    Forward,
    /// Answer it here; `garbage` when it was not even JSON.
    Answer { reply: Value, garbage: bool },
}

fn error_reply(id: Value, code: i64, message: String) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

fn judge(body: &[u8]) -> Verdict {
    if let Err(e) = crate::text::utf8_str(body) {
        let message = format!("Parse error: the message is not UTF-8 ({e})");
        return Verdict::Answer { reply: error_reply(Value::Null, -32700, message), garbage: true };
    }
    match serde_json::from_slice::<Incoming>(body) {
        // tower-lsp-server drops MethodNotFound for `$/` methods, right for notifications
        // only. (No `$/` request is ours: a custom one would need an exception here.)
        Ok(Incoming::Request(req)) if req.method().starts_with("$/") && req.id().is_some() => {
            let id = serde_json::to_value(req.id()).unwrap_or(Value::Null);
            let message = format!("Method not found: {}", req.method());
            Verdict::Answer { reply: error_reply(id, -32601, message), garbage: false }
        }
        Ok(_) => Verdict::Forward,
        Err(_) => match serde_json::from_slice::<Value>(body) {
            Err(e) => {
                Verdict::Answer { reply: error_reply(Value::Null, -32700, format!("Parse error: {e}")), garbage: true }
            }
            Ok(value) => {
                // The id, when there is a usable one, lets the client match the error.
                let id = value.get("id").filter(|id| id.is_string() || id.is_i64()).cloned().unwrap_or(Value::Null);
                let message = "Invalid request: not a JSON-RPC 2.0 request, notification or response".to_string();
                Verdict::Answer { reply: error_reply(id, -32600, message), garbage: false }
            }
        },
    }
}

// ---- the pipes ----

/// Messages (or errors) queued for the output at most; beyond, senders wait.
const OUTPUT_QUEUE: usize = 16;
/// Bytes buffered in each pipe to and from tower-lsp-server.
const PIPE_BYTES: usize = 64 * 1024;

fn header(len: usize) -> String {
    format!("Content-Length: {len}\r\n\r\n")
}

/// Reads the client's frames: valid messages go on to tower-lsp-server, the rest are
/// answered here. The end of input closes the pipe, which ends the server.
async fn read_input<I, S>(mut input: I, mut to_server: S, out: mpsc::Sender<Vec<u8>>)
where
    I: AsyncRead + Unpin,
    S: AsyncWrite + Unpin,
{
    let mut reader = FrameReader::new(MAX_MESSAGE_BYTES);
    let mut chunk = vec![0; READ_BYTES];
    loop {
        while let Some(frame) = reader.next_frame() {
            let reply = match frame {
                Frame::Message(body) => match judge(&body) {
                    Verdict::Forward => {
                        let sent = async {
                            to_server.write_all(header(body.len()).as_bytes()).await?;
                            to_server.write_all(&body).await?;
                            to_server.flush().await
                        };
                        if sent.await.is_err() {
                            // The server stopped reading (after `exit`).
                            return;
                        }
                        continue;
                    }
                    Verdict::Answer { reply, garbage } => {
                        if garbage {
                            reader.expect_garbage();
                        }
                        warn!("answered a bad message: {}", reply["error"]["message"]);
                        reply
                    }
                },
                Frame::Fault(fault) => {
                    warn!("bad input: {fault}; skipping to the next message");
                    let (code, what) = if matches!(fault, Fault::TooLarge(_)) {
                        (-32600, "Invalid request")
                    } else {
                        (-32700, "Parse error")
                    };
                    error_reply(Value::Null, code, format!("{what}: {fault}"))
                }
            };
            if out.send(reply.to_string().into_bytes()).await.is_err() {
                return;
            }
        }
        match input.read(&mut chunk).await {
            Ok(0) => break,
            Ok(n) => reader.push(&chunk[..n]),
            Err(e) => {
                error!("cannot read from the client: {e}");
                break;
            }
        }
    }
    if reader.in_message() {
        info!("the input ended inside a message");
    }
    // Dropping `to_server` is the end of tower-lsp-server's input.
}

/// Cuts tower-lsp-server's output into whole messages for the one writer of stdout.
async fn relay_server_output<R: AsyncRead + Unpin>(mut from_server: R, out: mpsc::Sender<Vec<u8>>) {
    // tower-lsp-server's own output is trusted: no limit on a message's size.
    let mut frames = FrameReader::new(usize::MAX);
    let mut chunk = vec![0; READ_BYTES];
    loop {
        match from_server.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => frames.push(&chunk[..n]),
        }
        while let Some(frame) = frames.next_frame() {
            match frame {
                Frame::Message(body) => {
                    if out.send(body).await.is_err() {
                        return;
                    }
                }
                Frame::Fault(fault) => error!("unexpected output from tower-lsp-server: {fault}"),
            }
        }
    }
}

/// The one writer of the output: whole messages, in the order they were queued.
async fn write_output<O: AsyncWrite + Unpin>(mut output: O, mut queue: mpsc::Receiver<Vec<u8>>) {
    while let Some(body) = queue.recv().await {
        // One write per message: tokio's stdout hands every write to a blocking thread,
        // so a separate header write cost a thread hop (about 0.5 ms) per message.
        let mut message = header(body.len()).into_bytes();
        message.extend_from_slice(&body);
        let written = async {
            output.write_all(&message).await?;
            output.flush().await
        };
        if let Err(e) = written.await {
            error!("cannot write to the client: {e}");
            return;
        }
    }
}

/// A way to the output around tower-lsp-server, for notifications too big for its
/// path: it turns every outgoing message into a `serde_json::Value` tree first. For
/// the diagnostics of a 10 MB digest in a workspace of 10,000 (36,000 diagnostics,
/// 170,000 related locations, 50 MB of JSON) building and freeing that tree took
/// about a second and a gigabyte. Messages sent here are serialized straight from
/// their types and queued with tower-lsp-server's as whole messages.
#[derive(Clone, Default)]
pub struct Outbox(std::sync::Arc<std::sync::Mutex<Option<mpsc::Sender<Vec<u8>>>>>);

impl Outbox {
    fn sender(&self) -> Option<mpsc::Sender<Vec<u8>>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    fn wire(&self, sender: Option<mpsc::Sender<Vec<u8>>>) {
        *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = sender;
    }

    /// Queues the notification `method` with `params`; false when no output is wired
    /// (then the caller sends it through tower-lsp-server's client).
    pub async fn notify<P: serde::Serialize>(&self, method: &str, params: &P) -> bool {
        #[derive(serde::Serialize)]
        struct Notification<'a, P> {
            jsonrpc: &'static str,
            method: &'a str,
            params: &'a P,
        }
        let Some(out) = self.sender() else { return false };
        match serde_json::to_vec(&Notification { jsonrpc: "2.0", method, params }) {
            // A closed queue means the server is stopping: nothing more goes out.
            Ok(body) => {
                let _ = out.send(body).await;
                true
            }
            Err(e) => {
                error!("cannot serialize {method}: {e}");
                true
            }
        }
    }
}

/// Serves `service` on `input`/`output` through this layer; returns when the server
/// stops (`exit`, or the end of input) with all its output written. `outbox` is wired
/// to the output while the server runs.
pub async fn serve<I, O, S>(input: I, output: O, service: LspService<S>, socket: ClientSocket, outbox: &Outbox)
where
    I: AsyncRead + Unpin + Send + 'static,
    O: AsyncWrite + Unpin + Send + 'static,
    S: LanguageServer,
{
    let (server_in, to_server) = tokio::io::duplex(PIPE_BYTES);
    let (server_out, from_server) = tokio::io::duplex(PIPE_BYTES);
    let (out, out_rx) = mpsc::channel(OUTPUT_QUEUE);
    let reader = tokio::spawn(read_input(input, to_server, out.clone()));
    outbox.wire(Some(out.clone()));
    let relay = tokio::spawn(relay_server_output(from_server, out));
    let writer = tokio::spawn(write_output(output, out_rx));
    Server::new(server_in, server_out, socket).serve(service).await;
    // The writer ends when every sender is gone.
    outbox.wire(None);
    // A read of the input may still be blocked (clients need not close it after
    // `exit`): stop it. The server's pipe is closed now, so the relay and then the
    // writer end once the server's last message is out.
    reader.abort();
    let _ = reader.await;
    let _ = relay.await;
    let _ = writer.await;
}

#[cfg(test)]
mod tests {
    use super::*;

    fn framed(body: &str) -> Vec<u8> {
        format!("{}{body}", header(body.len())).into_bytes()
    }

    /// Every frame from `bytes` pushed in pieces of `step` bytes.
    fn frames(bytes: &[u8], step: usize, max_body: usize) -> Vec<Frame> {
        let mut reader = FrameReader::new(max_body);
        let mut out = Vec::new();
        for piece in bytes.chunks(step.max(1)) {
            reader.push(piece);
            while let Some(f) = reader.next_frame() {
                out.push(f);
            }
        }
        out
    }

    fn msg(body: &str) -> Frame {
        Frame::Message(body.as_bytes().to_vec())
    }

    const A: &str = r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#;
    const B: &str = r#"{"jsonrpc":"2.0","id":1,"method":"shutdown"}"#;

    #[test]
    fn frames_split_at_every_byte() {
        let bytes = [framed(A), framed("优化😀"), framed(B)].concat();
        for step in [1, 2, 3, 7, 64, bytes.len()] {
            assert_eq!(frames(&bytes, step, 1024), vec![msg(A), msg("优化😀"), msg(B)], "pieces of {step}");
        }
    }

    #[test]
    fn crlf_and_bare_lf_headers_and_extra_headers() {
        let typed = format!(
            "Content-Type: application/vscode-jsonrpc; charset=utf-8\r\nContent-Length: {}\r\nX-Other: 1\r\n\r\n{A}",
            A.len()
        );
        let lf = format!("content-length:{}\n\n{B}", B.len());
        let bytes = [typed.as_bytes(), b"\r\n", lf.as_bytes()].concat();
        assert_eq!(frames(&bytes, 5, 1024), vec![msg(A), msg(B)]);
    }

    #[test]
    fn a_missing_length_is_one_fault_then_the_next_frame() {
        let bytes = [format!("Content-Type: x\r\n\r\n{A}").into_bytes(), framed(B)].concat();
        assert_eq!(frames(&bytes, 1, 1024), vec![Frame::Fault(Fault::MissingLength), msg(B)]);
    }

    #[test]
    fn an_oversize_length_is_refused_without_waiting_for_the_body() {
        let bytes = [b"Content-Length: 999999999999999999999999\r\n\r\n{}".to_vec(), framed(B)].concat();
        assert_eq!(frames(&bytes, 4, 1024), vec![Frame::Fault(Fault::TooLarge(u64::MAX)), msg(B)]);
        let mut reader = FrameReader::new(10);
        reader.push(b"Content-Length: 11\r\n\r\n");
        assert_eq!(reader.next_frame(), Some(Frame::Fault(Fault::TooLarge(11))));
        assert_eq!(reader.next_frame(), None);
        // Exactly at the limit is fine.
        assert_eq!(frames(&framed("0123456789"), 3, 10), vec![msg("0123456789")]);
    }

    #[test]
    fn garbage_between_frames_is_one_fault() {
        let bytes = [framed(A), b"garbage: not { a header }\r\nmore\r\n\r\n}}".to_vec(), framed(B)].concat();
        let found = frames(&bytes, 3, 1024);
        // `garbage: ...` is a header like any unknown one; `more` is not.
        assert_eq!(found, vec![msg(A), Frame::Fault(Fault::BadHeader("a header line without a colon")), msg(B)]);
        // Garbage right before the next header, on the same line.
        let bytes = [b"{\"x\":1}}".to_vec(), framed(B)].concat();
        assert_eq!(frames(&bytes, 1, 1024), vec![Frame::Fault(Fault::BadHeader("an invalid header name")), msg(B)]);
    }

    #[test]
    fn broken_header_lines() {
        for (line, why) in [
            ("Content-Length 12", "a header line without a colon"),
            ("Content-Length: lots", "a Content-Length that is not a number"),
            ("Content-Length: -5", "a Content-Length that is not a number"),
            ("Content-Length: ", "a Content-Length that is not a number"),
        ] {
            let bytes = [format!("{line}\r\n\r\n{A}").into_bytes(), framed(B)].concat();
            assert_eq!(frames(&bytes, 2, 1024), vec![Frame::Fault(Fault::BadHeader(why)), msg(B)], "{line}");
        }
    }

    #[test]
    fn endless_garbage_keeps_the_buffer_small() {
        let mut reader = FrameReader::new(1024);
        let mut faults = 0;
        for _ in 0..1000 {
            reader.push(&[b'x'; 1000]);
            while let Some(f) = reader.next_frame() {
                assert_eq!(f, Frame::Fault(Fault::HeaderTooLong));
                faults += 1;
            }
        }
        assert_eq!(faults, 1);
        assert!(reader.buf.len() - reader.pos < LENGTH_HEADER.len(), "only a possible split header is kept");
        reader.push(&framed(B));
        assert_eq!(reader.next_frame(), Some(msg(B)));
    }

    #[test]
    fn a_header_block_over_the_limit_is_one_fault() {
        let many = "X-Pad: 0123456789abcdef\r\n".repeat(MAX_HEADER_BYTES / 10);
        let bytes = [many.into_bytes(), framed(A)].concat();
        for step in [1, 100, bytes.len()] {
            assert_eq!(
                frames(&bytes, step, 1024),
                vec![Frame::Fault(Fault::HeaderTooLong), msg(A)],
                "pieces of {step}"
            );
        }
        // A block that reaches the limit exactly, then waits for more.
        let mut reader = FrameReader::new(1024);
        reader.push(format!("X-Pad: {}\r\n", "p".repeat(MAX_HEADER_BYTES - 9)).as_bytes());
        assert_eq!(reader.next_frame(), None);
        reader.push(b"\r\n");
        assert_eq!(reader.next_frame(), Some(Frame::Fault(Fault::HeaderTooLong)));
        reader.push(&framed(A));
        assert_eq!(reader.next_frame(), Some(msg(A)));
        // Just under the limit is fine.
        let pad = format!("X-Pad: {}\r\n", "p".repeat(MAX_HEADER_BYTES - 200));
        let bytes = [pad.into_bytes(), framed(A)].concat();
        assert_eq!(frames(&bytes, 7, 1024), vec![msg(A)]);
    }

    #[test]
    fn random_input_never_panics_and_stays_bounded() {
        let pieces: [&[u8]; 9] =
            [b"Content-Length: ", b"content-length:", b"12", b"99999999999", b"\r\n", b"\n", b":", b"{}", b"\xff x"];
        let mut seed = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed as usize
        };
        let mut reader = FrameReader::new(64);
        for _ in 0..20_000 {
            let mut chunk = Vec::new();
            for _ in 0..next() % 4 {
                chunk.extend_from_slice(pieces[next() % pieces.len()]);
            }
            reader.push(&chunk);
            while let Some(frame) = reader.next_frame() {
                if let Frame::Message(body) = frame {
                    assert!(body.len() <= 64);
                }
            }
            assert!(reader.buf.len() - reader.pos <= 64 + MAX_HEADER_BYTES + chunk.len());
        }
    }

    #[test]
    fn after_a_garbage_body_the_rest_is_skipped_quietly() {
        // A Content-Length too long: the body eats the start of the next message.
        let bytes =
            [format!("Content-Length: {}\r\n\r\n{A}", A.len() + 20).into_bytes(), framed(B), framed(B)].concat();
        let mut reader = FrameReader::new(1024);
        reader.push(&bytes);
        let Some(Frame::Message(body)) = reader.next_frame() else { panic!("a frame") };
        assert!(matches!(judge(&body), Verdict::Answer { garbage: true, .. }));
        reader.expect_garbage();
        assert_eq!(reader.next_frame(), Some(msg(B)));
        assert_eq!(reader.next_frame(), None);
    }

    #[test]
    fn the_end_inside_a_message_is_noticed() {
        let mut reader = FrameReader::new(1024);
        assert!(!reader.in_message());
        reader.push(&framed(A)[..10]);
        assert_eq!(reader.next_frame(), None);
        assert!(reader.in_message());
    }

    #[tokio::test]
    async fn read_input_forwards_valid_messages_and_answers_the_rest() {
        let dollar = r#"{"jsonrpc":"2.0","id":9,"method":"$/digest-ls/x"}"#;
        let input = [
            framed(A),
            b"Content-Length: 3\r\n\r\n{x}".to_vec(),
            framed(dollar),
            b"Content-Length: 99999999999\r\n\r\n".to_vec(),
            framed(B),
            framed(A)[..9].to_vec(),
        ]
        .concat();
        let (to_server, mut server_rx) = tokio::io::duplex(1 << 20);
        let (out, mut out_rx) = mpsc::channel(64);
        read_input(&input[..], to_server, out).await;
        let mut forwarded = Vec::new();
        server_rx.read_to_end(&mut forwarded).await.expect("the pipe ends");
        assert_eq!(forwarded, [framed(A), framed(B)].concat(), "only the valid messages, framed again");
        let mut replies = Vec::new();
        while let Some(reply) = out_rx.recv().await {
            let reply: Value = serde_json::from_slice(&reply).expect("a JSON reply");
            replies.push((reply["error"]["code"].clone(), reply["id"].clone()));
        }
        assert_eq!(
            replies,
            vec![(json!(-32700), Value::Null), (json!(-32601), json!(9)), (json!(-32600), Value::Null)]
        );
    }

    #[tokio::test]
    async fn server_output_leaves_as_whole_messages() {
        // Small pipe and a queue of one: tower-lsp-server's writes wait for the writer.
        let (mut server_out, from_server) = tokio::io::duplex(7);
        let (tx, rx) = mpsc::channel(1);
        let relay = tokio::spawn(relay_server_output(from_server, tx));
        let writer = tokio::spawn(async move {
            let mut out = Vec::new();
            write_output(&mut out, rx).await;
            out
        });
        let bytes = [framed(A), framed("优化😀"), framed(B), framed(A)].concat();
        for piece in bytes.chunks(5) {
            server_out.write_all(piece).await.expect("written");
        }
        drop(server_out);
        relay.await.expect("the relay ends");
        assert_eq!(writer.await.expect("the writer ends"), bytes);
    }

    #[tokio::test]
    async fn the_outbox_queues_whole_notifications_while_wired() {
        let outbox = Outbox::default();
        let params = json!({"uri": "file:///d/优化😀.md", "diagnostics": [{"message": "a\r\nb"}]});
        assert!(!outbox.notify("textDocument/publishDiagnostics", &params).await, "not wired yet");
        let (tx, rx) = mpsc::channel(1);
        outbox.wire(Some(tx));
        assert!(outbox.notify("textDocument/publishDiagnostics", &params).await);
        outbox.wire(None);
        assert!(!outbox.notify("textDocument/publishDiagnostics", &params).await, "unwired");
        // Unwired, the outbox holds no sender: the writer ends.
        let mut out = Vec::new();
        write_output(&mut out, rx).await;
        let frames = frames(&out, out.len(), usize::MAX);
        let [Frame::Message(body)] = frames.as_slice() else { panic!("one message: {frames:?}") };
        let sent: Value = serde_json::from_slice(body).expect("JSON");
        assert_eq!(sent, json!({"jsonrpc": "2.0", "method": "textDocument/publishDiagnostics", "params": params}));
    }

    fn answer(body: &[u8]) -> (i64, Value) {
        match judge(body) {
            Verdict::Answer { reply, .. } => (reply["error"]["code"].as_i64().unwrap_or(0), reply["id"].clone()),
            Verdict::Forward => panic!("forwarded: {}", String::from_utf8_lossy(body)),
        }
    }

    #[test]
    fn messages_are_forwarded_or_answered() {
        assert_eq!(judge(A.as_bytes()), Verdict::Forward);
        assert_eq!(judge(B.as_bytes()), Verdict::Forward);
        assert_eq!(judge(br#"{"jsonrpc":"2.0","id":"x","result":null}"#), Verdict::Forward);
        assert_eq!(judge(br#"{"jsonrpc":"2.0","method":"$/setTrace","params":{"value":"off"}}"#), Verdict::Forward);
        assert_eq!(answer(br#"{"jsonrpc":"2.0","id":7,"method":"$/x"}"#), (-32601, json!(7)));
        assert_eq!(answer(br#"{"jsonrpc":"2.0","id":"s","method":"$/x","params":null}"#), (-32601, json!("s")));
        assert_eq!(answer(br#"{"jsonrpc":"2.0","id":1,"method":"#), (-32700, Value::Null));
        assert_eq!(answer(br#"{"jsonrpc":"2.0","method":"initialized"} trailing"#), (-32700, Value::Null));
        assert_eq!(answer(b"\xff\xfe{}"), (-32700, Value::Null));
        assert_eq!(answer(b""), (-32700, Value::Null));
        assert_eq!(answer(b"[1,2,3]"), (-32600, Value::Null));
        assert_eq!(answer(b"null"), (-32600, Value::Null));
        assert_eq!(answer(b"{}"), (-32600, Value::Null));
        assert_eq!(answer(br#"{"jsonrpc":"1.0","id":3,"method":"x"}"#), (-32600, json!(3)));
        assert_eq!(answer(br#"{"jsonrpc":"2.0","id":{"a":1},"method":"textDocument/hover"}"#), (-32600, Value::Null));
    }
}
