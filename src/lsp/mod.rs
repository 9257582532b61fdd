//! The protocol shell: serve LSP over stdio with tower-lsp-server, converting in and out of the core's plain types.
//!
//! - `server`: the `LanguageServer` impl (convert in, call the core, convert out)
//! - `state`: the one owner of documents, index and configuration
//! - `convert`: the one place for positions, ranges, URIs and LSP result types
//! - `features`: navigation, symbols, folding, links, rename, code actions and commands
//! - `transport`: the stdio framing in front of tower-lsp-server (bad frames, limits, `$/` requests)

pub mod convert;
pub mod features;
pub mod server;
pub mod state;
pub mod transport;

use std::panic::{catch_unwind, AssertUnwindSafe};

use tower_lsp_server::LspService;
use tracing::error;

/// Runs `f` (a call into the core); a panic is logged and becomes `None`, so one bad
/// input never takes the server down.
pub(crate) fn guarded<T>(what: &str, f: impl FnOnce() -> T) -> Option<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(v) => Some(v),
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            error!("internal error while {what}: {msg}");
            None
        }
    }
}

/// Logs go to stderr only (stdout carries the protocol); the filter comes from
/// `DIGEST_LS_LOG` (default `info`).
fn init_logging() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("DIGEST_LS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt().with_writer(std::io::stderr).with_ansi(false).with_env_filter(filter).try_init();
    // Panics are caught by `guarded`; the hook makes their location part of the log.
    std::panic::set_hook(Box::new(|info| error!("panic: {info}")));
}

/// Serves LSP on stdin/stdout until `exit` or end of input; returns the process exit code.
pub fn run() -> i32 {
    init_logging();
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            error!("cannot start the async runtime: {e}");
            return 2;
        }
    };
    let code = runtime.block_on(async {
        let outbox = transport::Outbox::default();
        let (service, socket) = LspService::new(|client| server::Backend::new(client, outbox.clone()));
        let state = service.inner().state();
        // Through our own framing: see `transport` for what it works around.
        transport::serve(tokio::io::stdin(), tokio::io::stdout(), service, socket, &outbox).await;
        // `exit` after `shutdown` is a clean stop; `exit` alone or the end of input is not.
        if state::lock(&state).shutdown {
            0
        } else {
            1
        }
    });
    // A read of stdin may still be blocked (clients need not close it after `exit`):
    // do not wait for it.
    runtime.shutdown_background();
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};

    #[test]
    fn a_panic_in_the_core_becomes_none() {
        assert_eq!(guarded("testing", || 42), Some(42));
        assert_eq!(guarded("testing", || -> i32 { panic!("boom") }), None);
        assert_eq!(guarded("testing", || -> i32 { panic!("{}", String::from("owned")) }), None);
    }

    #[test]
    fn a_poisoned_state_lock_still_serves() {
        let (tx, _rx) = tokio::sync::mpsc::unbounded_channel();
        let shared = Arc::new(Mutex::new(state::State::new(tx)));
        let poisoner = shared.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.lock().unwrap();
            panic!("poison the lock");
        })
        .join();
        assert!(shared.is_poisoned());
        let mut st = state::lock(&shared);
        st.shutdown = true;
        assert!(st.shutdown);
    }
}
