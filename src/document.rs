//! An open document: rope, version and cached analysis; edits applied in order, and the analysis updated incrementally.
//!
//! Architecture invariant: after any sequence of edits, `Document::analysis()` equals
//! `Analysis::new` of the current text (a property test checks it). The update reads
//! only the part of the text an edit can affect:
//! - an edit inside the YAML of a terminated front matter reparses the front matter
//!   and shifts the body, if the closing fence stays where it was;
//! - an edit in the body reparses from the top-level block before the edit to the
//!   first old block boundary after it that the new parse also has, and shifts the
//!   blocks after it;
//! - anything else (fences touched, no closing fence, a front matter appearing) is a
//!   full parse.

use std::sync::Arc;

use ropey::Rope;

use crate::analysis::Analysis;
use crate::body::{self, Block, Body};
use crate::config::Config;
use crate::front_matter::{self, FenceKind};
use crate::text::{self, Encoding, Source, Span};

/// One content change of a `didChange`: a range in (line, column) of the negotiated
/// encoding, or the whole text when `range` is `None`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub range: Option<((u32, u32), (u32, u32))>,
    pub text: String,
}

/// A replacement in byte offsets: `[start, old_end)` of the old text became
/// `[start, new_end)` of the new one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub old_end: usize,
    pub new_end: usize,
}

impl Edit {
    fn delta(self) -> isize {
        self.new_end as isize - self.old_end as isize
    }
}

/// Which path an update took (for tests and benchmarks).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reparse {
    Full,
    /// The front matter was reparsed, the body shifted.
    FrontMatter,
    /// Body blocks were reparsed from a window of `bytes` bytes.
    Body {
        bytes: usize,
    },
}

/// Which body blocks an update replaced: the old blocks `old` became `new_len` blocks at
/// the same index, and the blocks after them moved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Splice {
    pub old: std::ops::Range<usize>,
    pub new_len: usize,
}

#[derive(Debug)]
pub struct Document {
    rope: Rope,
    version: i32,
    /// Shared with readers that took a snapshot; an edit copies it only if one is held.
    analysis: Arc<Analysis>,
    /// One id per body block, parallel to `analysis.body.blocks`: a block keeps its id
    /// while an edit only moves it, and a reparsed block gets a new one, so results that
    /// depend on a block's own content can be cached by id (`diagnostics::Cache`).
    block_ids: Vec<u64>,
}

/// Block ids are unique in the process (not per document), so that a memo kept beside a
/// document that was replaced (reopened, reconfigured) cannot take its blocks for old ones.
static NEXT_BLOCK_ID: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn fresh_block_ids(n: usize) -> std::ops::Range<u64> {
    let start = NEXT_BLOCK_ID.fetch_add(n as u64, std::sync::atomic::Ordering::Relaxed);
    start..start + n as u64
}

/// A deep copy: the clone's edits never copy the analysis on write.
impl Clone for Document {
    fn clone(&self) -> Document {
        Document {
            rope: self.rope.clone(),
            version: self.version,
            analysis: Arc::new((*self.analysis).clone()),
            block_ids: self.block_ids.clone(),
        }
    }
}

impl Document {
    pub fn new(text: &str, version: i32, config: &Config) -> Document {
        let analysis = Analysis::new(text, config);
        let block_ids = fresh_block_ids(analysis.body.blocks.len()).collect();
        Document { rope: Rope::from_str(text), version, analysis: Arc::new(analysis), block_ids }
    }

    /// The ids of the body blocks, in block order (see `block_ids` on the struct).
    pub fn block_ids(&self) -> &[u64] {
        &self.block_ids
    }

    fn splice_ids(&mut self, splice: Splice) {
        let start = splice.old.start.min(self.block_ids.len());
        let end = splice.old.end.clamp(start, self.block_ids.len());
        self.block_ids.splice(start..end, fresh_block_ids(splice.new_len));
    }

    fn renumber_all(&mut self) {
        let old = self.block_ids.len();
        let new_len = self.analysis.body.blocks.len();
        self.splice_ids(Splice { old: 0..old, new_len });
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

    /// Applies the changes in order (each change's range refers to the text after the
    /// previous one), updating the analysis after each.
    pub fn apply(&mut self, changes: &[Change], version: i32, enc: Encoding, config: &Config) {
        for change in changes {
            match change.range {
                None => {
                    self.rope = Rope::from_str(&change.text);
                    self.analysis = Arc::new(Analysis::new(&change.text, config));
                    self.renumber_all();
                }
                Some(((l1, c1), (l2, c2))) => {
                    let a = self.offset(l1, c1, enc);
                    let b = self.offset(l2, c2, enc);
                    self.replace(Span::new(a.min(b), a.max(b)), &change.text, config);
                }
            }
        }
        self.version = version;
    }

    /// Replaces a byte range (clamped to char boundaries) and updates the analysis.
    pub fn replace(&mut self, span: Span, new_text: &str, config: &Config) -> Reparse {
        let start_char = self.rope.byte_to_char(span.start.min(self.rope.len_bytes()));
        let end_char = self.rope.byte_to_char(span.end.min(self.rope.len_bytes())).max(start_char);
        let start = self.rope.char_to_byte(start_char);
        let old_end = self.rope.char_to_byte(end_char);
        self.rope.remove(start_char..end_char);
        self.rope.insert(start_char, new_text);
        let edit = Edit { start, old_end, new_end: start + new_text.len() };
        let (how, splice) = reanalyze_spliced(Arc::make_mut(&mut self.analysis), &self.rope, edit, config);
        self.splice_ids(splice);
        debug_assert_eq!(self.block_ids.len(), self.analysis.body.blocks.len());
        how
    }
}

/// Updates `analysis` of the old text to the analysis of `src`, the text after `edit`.
pub fn reanalyze<S: Source + ?Sized>(analysis: &mut Analysis, src: &S, edit: Edit, config: &Config) -> Reparse {
    reanalyze_spliced(analysis, src, edit, config).0
}

/// `reanalyze`, also telling which blocks were replaced.
fn reanalyze_spliced<S: Source + ?Sized>(
    analysis: &mut Analysis,
    src: &S,
    edit: Edit,
    config: &Config,
) -> (Reparse, Splice) {
    let old_len = analysis.body.blocks.len();
    let fm = &analysis.front_matter;
    let terminated = matches!(fm.kind, Some(FenceKind::Yaml | FenceKind::Toml)) && fm.close.is_some();
    // Strictly after the body start: an edit right at it could turn a closing "\r"
    // into "\r\n" and move the body start.
    let in_body = if fm.kind.is_none() {
        edit.start > no_front_matter_horizon(src, edit.start)
    } else {
        terminated && edit.start > fm.body_start
    };
    if in_body {
        return reparse_body(analysis, src, edit, config);
    }
    let in_yaml = terminated
        && fm.kind == Some(FenceKind::Yaml)
        && edit.start >= fm.content.start
        && edit.old_end <= fm.content.end;
    if in_yaml {
        let old_body_start = fm.body_start;
        let new_body_start = text::shift(old_body_start, edit.delta());
        let prefix = src.slice(0..new_body_start);
        let new_fm = front_matter::parse(&prefix, &config.limits);
        if new_fm.close.is_some() && new_fm.body_start == new_body_start {
            analysis.front_matter = new_fm;
            for block in &mut analysis.body.blocks {
                Body::shift_block(block, edit.delta());
            }
            return (Reparse::FrontMatter, Splice { old: 0..0, new_len: 0 });
        }
    }
    *analysis = Analysis::new(&src.slice(0..src.len()), config);
    (Reparse::Full, Splice { old: 0..old_len, new_len: analysis.body.blocks.len() })
}

/// Without a front matter, only the first line that is not blank decides whether one
/// starts; returns the offset after it (text before `limit` is unchanged by the edit).
fn no_front_matter_horizon<S: Source + ?Sized>(src: &S, limit: usize) -> usize {
    let head = src.slice(0..limit);
    let mut offset = 0;
    for line in head.split_inclusive(['\n', '\r']) {
        offset += line.len();
        if !line.trim().is_empty() {
            return offset;
        }
    }
    // Every line before the edit is blank: the edit may start the front matter.
    usize::MAX
}

fn reparse_body<S: Source + ?Sized>(
    analysis: &mut Analysis,
    src: &S,
    edit: Edit,
    config: &Config,
) -> (Reparse, Splice) {
    let body_start = analysis.front_matter.body_start;
    let blocks = &mut analysis.body.blocks;
    let delta = edit.delta();
    // The block containing the edit's start, and one before it: an edit at a block's
    // start can merge it into the previous one (lazy continuation, setext underline).
    let containing = blocks.partition_point(|b| b.span.end <= edit.start).min(blocks.len().saturating_sub(1));
    let first = containing.saturating_sub(1);
    let window_start = blocks.get(first).map_or(body_start, |b| b.span.start);
    // Old blocks that start at or after the edit's old end are candidates for reuse.
    let reuse_from = blocks.partition_point(|b| b.span.start < edit.old_end).max(first + 1);
    let new_len = src.len();
    let mut take = 1usize;
    loop {
        let end_index = reuse_from + take;
        let (window_end, complete) = match blocks.get(end_index) {
            Some(b) => (text::shift(b.span.start, delta), false),
            None => (new_len, true),
        };
        let window = src.slice(window_start..window_end);
        let mut parsed = body::parse_blocks(&window, window_start, config);
        if complete {
            let splice = Splice { old: first..blocks.len(), new_len: parsed.len() };
            blocks.splice(first.., parsed);
            return (Reparse::Body { bytes: window_end - window_start }, splice);
        }
        // The first reusable old boundary that the new parse also has. The window
        // holds the whole old block after each candidate, so the new parse saw the
        // lines that decide whether a block ends there.
        for k in reuse_from..end_index {
            let boundary = text::shift(blocks[k].span.start, delta);
            if boundary <= window_start {
                continue;
            }
            if let Some(cut) = parsed.iter().position(|b| b.span.start == boundary) {
                parsed.truncate(cut);
                for block in &mut blocks[k..] {
                    Body::shift_block(block, delta);
                }
                let splice = Splice { old: first..k, new_len: parsed.len() };
                blocks.splice(first..k, parsed);
                return (Reparse::Body { bytes: window_end - window_start }, splice);
            }
        }
        take *= 2;
    }
}

/// Blocks whose spans tile the body; used by tests to check the invariant.
pub fn blocks_tile(blocks: &[Block], body_start: usize, len: usize) -> bool {
    let mut at = body_start;
    for b in blocks {
        if b.span.start != at {
            return false;
        }
        at = b.span.end;
    }
    blocks.is_empty() || at == len
}

/// Values computed from one body block each, kept by block id (`Document::block_ids`)
/// across edits: a block an edit only moved keeps its value, which `update` hands out
/// with the distance the block moved; a reparsed block is computed again.
#[derive(Clone, Debug)]
pub struct BlockMemo<T> {
    /// The ids of the last update's blocks, in block order, and the largest of them.
    ids: Vec<u64>,
    max_id: Option<u64>,
    /// Parallel to `ids`: the block's start when computed, and the value.
    values: Vec<Option<(usize, T)>>,
}

impl<T> Default for BlockMemo<T> {
    fn default() -> BlockMemo<T> {
        BlockMemo { ids: Vec::new(), max_id: None, values: Vec::new() }
    }
}

impl<T> BlockMemo<T> {
    /// Forgets every value.
    pub fn clear(&mut self) {
        *self = BlockMemo::default();
    }

    /// Brings the memo to `blocks` (with their `ids`, parallel to them): each block keeps
    /// its old value when its id is known and `keep` accepts the value, else gets
    /// `compute(block)`. Then `visit(block, moved_by, value)` runs for every block in
    /// order. Returns how many blocks were computed. With `ids` not parallel to `blocks`
    /// nothing is reused, now or next time.
    pub fn update(
        &mut self,
        blocks: &[Block],
        ids: &[u64],
        keep: impl FnMut(&T) -> bool,
        compute: impl FnMut(&Block) -> T,
        mut visit: impl FnMut(&Block, isize, &T),
    ) -> usize {
        let computed = self.refresh(blocks, ids, keep, compute);
        for (block, (moved, value)) in blocks.iter().zip(self.values(blocks)) {
            visit(block, moved, value);
        }
        computed
    }

    /// The values of `blocks` after `refresh`, each with the distance its block moved
    /// since it was computed.
    pub fn values<'a>(&'a self, blocks: &'a [Block]) -> impl Iterator<Item = (isize, &'a T)> + 'a {
        blocks.iter().zip(&self.values).filter_map(|(block, v)| {
            let (base, value) = v.as_ref()?;
            Some((block.span.start as isize - *base as isize, value))
        })
    }

    /// The values in block order, to change them in place.
    pub fn values_mut(&mut self) -> impl Iterator<Item = &mut T> {
        self.values.iter_mut().flatten().map(|(_, v)| v)
    }

    /// `update` without the visit.
    pub fn refresh(
        &mut self,
        blocks: &[Block],
        ids: &[u64],
        mut keep: impl FnMut(&T) -> bool,
        mut compute: impl FnMut(&Block) -> T,
    ) -> usize {
        let parallel = ids.len() == blocks.len();
        let mut old = std::mem::take(&mut self.values);
        let old_ids = std::mem::take(&mut self.ids);
        let old_max = if parallel { self.max_id } else { None };
        let mut values = Vec::with_capacity(blocks.len());
        let mut computed = 0;
        // Blocks an edit did not reparse keep their order, and new ids are larger than
        // every old one: one walk over the old ids finds every kept block.
        let mut j = 0;
        for (i, block) in blocks.iter().enumerate() {
            let mut found = None;
            if let (Some(&id), Some(max)) = (ids.get(i), old_max) {
                if id <= max {
                    if let Some(k) = old_ids[j..].iter().position(|&x| x == id) {
                        found = old.get_mut(j + k).and_then(Option::take);
                        j += k + 1;
                    }
                }
            }
            let (base, value) = match found.filter(|(_, v)| keep(v)) {
                Some(kept) => kept,
                None => {
                    computed += 1;
                    (block.span.start, compute(block))
                }
            };
            values.push(Some((base, value)));
        }
        // Without parallel ids the values are kept for `values` but can never be reused.
        self.ids = if parallel { ids.to_vec() } else { Vec::new() };
        self.max_id = if parallel { ids.iter().copied().max() } else { None };
        self.values = values;
        computed
    }
}
