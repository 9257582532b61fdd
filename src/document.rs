//! An open document: rope, version and cached analysis; edits applied in order, and the analysis updated incrementally.

use std::sync::Arc;

use ropey::Rope;

use crate::analysis::Analysis;
use crate::config::Config;
use crate::text::{self, Encoding, Span};

/// One content change of a `didChange`: a range in (line, column) of the negotiated
/// encoding, or the whole text when `range` is `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub range: Option<((u32, u32), (u32, u32))>,
    pub text: String,
}

#[derive(Clone, Debug)]
pub struct Document {
    rope: Rope,
    version: i32,
    analysis: Arc<Analysis>,
}

impl Document {
    pub fn new(text: &str, version: i32, config: &Config) -> Document {
        Document { rope: Rope::from_str(text), version, analysis: Arc::new(Analysis::new(text, config)) }
    }

    pub fn version(&self) -> i32 {
        self.version
    }

    pub fn rope(&self) -> &Rope {
        &self.rope
    }

    pub fn text(&self) -> String {
        self.rope.to_string()
    }

    pub fn analysis(&self) -> Arc<Analysis> {
        self.analysis.clone()
    }

    /// Byte offset of an LSP position (clamped).
    pub fn offset(&self, line: u32, col: u32, enc: Encoding) -> usize {
        text::rope_offset(&self.rope, line, col, enc)
    }

    /// LSP position of a byte offset.
    pub fn position(&self, offset: usize, enc: Encoding) -> (u32, u32) {
        text::rope_position(&self.rope, offset, enc)
    }

    /// Applies the changes in order, then updates the analysis.
    pub fn apply(&mut self, changes: &[Change], version: i32, enc: Encoding, config: &Config) {
        for change in changes {
            let span = match change.range {
                None => Span::new(0, self.rope.len_bytes()),
                Some(((l1, c1), (l2, c2))) => {
                    let a = self.offset(l1, c1, enc);
                    let b = self.offset(l2, c2, enc);
                    Span::new(a.min(b), a.max(b))
                }
            };
            let start = self.rope.byte_to_char(span.start);
            let end = self.rope.byte_to_char(span.end);
            self.rope.remove(start..end);
            self.rope.insert(start, &change.text);
        }
        self.version = version;
        self.analysis = Arc::new(Analysis::new(&self.rope.to_string(), config));
    }
}
