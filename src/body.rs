//! The Markdown body: top-level blocks from one pulldown-cmark pass, giving topics, reference lists, links and bare URLs.
//!
//! The body is a list of top-level blocks. Parsing from the start of any top-level
//! block gives the same blocks as parsing the whole body, which is what lets
//! `document.rs` reparse only the blocks an edit touches. The one document-wide
//! thing in Markdown, link reference definitions, is resolved after the blocks
//! (`Body::resolve`), not inside them.

use std::ops::Range;
use std::sync::Arc;

use linkify::LinkFinder;
use pulldown_cmark::{BrokenLink, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use crate::config::Config;
use crate::resource::UrlFacts;
use crate::text::Span;

/// A top-level Markdown block and what it holds. All spans are absolute byte offsets.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Block {
    /// From the block's first byte to the start of the next top-level block (or the end
    /// of the body), so trailing blank lines belong to the block before them.
    pub span: Span,
    pub kind: BlockKind,
    /// Every link in the block, in source order.
    pub links: Vec<Link>,
    /// Labelled bullets inside reference lists (`相关引用：` etc.), in source order.
    pub references: Vec<Reference>,
    /// Link reference definitions `[label]: url` in this block.
    pub definitions: Vec<Definition>,
    /// The items of a top-level list (`List` blocks only), e.g. the quick points.
    pub items: Vec<ListItem>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub enum BlockKind {
    /// `## ...` (any level): `level` 1 to 6.
    Heading { level: u8, text: String, text_span: Span },
    /// A paragraph opening with bold `**N. title**` followed by `:` or `：`.
    TopicStart(TopicStart),
    /// A numbered or bulleted list.
    List,
    #[default]
    Other,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TopicStart {
    /// The number as written, if it parses (`**3.  Step-DPO**` gives 3).
    pub number: Option<u32>,
    /// The span of the number's digits.
    pub number_span: Span,
    /// The title text after `N.` inside the bold, trimmed.
    pub title: String,
    /// `fold_title(title)`, kept because the title and headline checks compare it on every keystroke.
    pub title_key: String,
    pub title_span: Span,
    /// The one-line summary after the colon, trimmed.
    pub summary: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LinkKind {
    /// `[text](url)`
    Inline,
    /// `<https://...>`
    Autolink,
    /// `[text][label]`, `[text][]`, `[label]`: the URL comes from a definition.
    Reference,
    /// A URL in plain text (found with linkify), as on the sample's `Demo` line.
    Bare,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    pub kind: LinkKind,
    /// The whole link in the source (`[text](url)`, `<url>`, or the bare URL).
    pub span: Span,
    /// The link text (empty for bare URLs and autolinks).
    pub text: String,
    /// The destination as written; empty for reference links (see `label`) and for `[x]()`.
    pub url: String,
    /// The span of the destination inside the source, when it is written there.
    pub url_span: Option<Span>,
    /// For reference links, the label to look up among the definitions.
    pub label: Option<String>,
    /// What `url` is (links with a label take it from their definition, `Resolver::target`).
    pub facts: Option<Arc<UrlFacts>>,
}

/// A labelled bullet in a reference list: `* **文章**: [Adam-Mini](https://...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// The list heading it sits under, without the colon: `相关引用`, `相关模型`, ...
    pub list: Arc<str>,
    pub label: String,
    pub label_span: Span,
    /// The bullet's text span (after the bullet marker).
    pub span: Span,
    /// Index into the block's `links` of the link that is the target, if there is one.
    pub link: Option<usize>,
    /// The target as plain text when it is not a link (`相关模型` items).
    pub text: String,
}

/// An item of a top-level list, read as `**label**: text` when it has that shape
/// (the quick points do).
#[derive(Clone, Debug, PartialEq)]
pub struct ListItem {
    /// The item's text span (after the list marker, up to a nested block).
    pub span: Span,
    pub label: Option<String>,
    pub label_span: Option<Span>,
    /// The text after the label's colon, or the whole text without a label, trimmed.
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub label: String,
    pub url: String,
    pub span: Span,
    pub facts: Arc<UrlFacts>,
}

/// The parsed body: top-level blocks in order.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Body {
    pub blocks: Vec<Block>,
}

/// A topic, assembled from a `TopicStart` block and the blocks up to the next topic
/// or heading.
#[derive(Clone, Debug, PartialEq)]
pub struct Topic<'a> {
    pub start: &'a TopicStart,
    /// Index of the `TopicStart` block in `Body::blocks`.
    pub block: usize,
    /// Span from the topic's start to the end of its last block.
    pub span: Span,
}

impl Body {
    /// Topics in order.
    pub fn topics(&self) -> Vec<Topic<'_>> {
        let mut topics: Vec<Topic<'_>> = Vec::new();
        let mut open = false;
        for (i, block) in self.blocks.iter().enumerate() {
            match &block.kind {
                BlockKind::TopicStart(start) => {
                    topics.push(Topic { start, block: i, span: block.span });
                    open = true;
                }
                BlockKind::Heading { .. } => open = false,
                _ if open => {
                    if let Some(t) = topics.last_mut() {
                        t.span.end = block.span.end;
                    }
                }
                _ => {}
            }
        }
        topics
    }

    /// The topic (by index into `topics()`) that block `block` belongs to.
    pub fn topic_of_block(&self, block: usize) -> Option<usize> {
        self.blocks_with_topics().nth(block).and_then(|(_, topic)| topic)
    }

    /// Every block with the topic (index into `topics()`) it belongs to, in one pass: a
    /// topic runs from its start to the next topic or heading.
    pub fn blocks_with_topics(&self) -> impl Iterator<Item = (&Block, Option<usize>)> {
        let (mut current, mut count) = (None, 0);
        self.blocks.iter().map(move |b| {
            match b.kind {
                BlockKind::TopicStart(_) => {
                    current = Some(count);
                    count += 1;
                }
                BlockKind::Heading { .. } => current = None,
                _ => {}
            }
            (b, current)
        })
    }

    /// The URL a link points to: its own destination, or for a reference link the
    /// first definition with a matching label anywhere in the body (CommonMark: the
    /// first definition wins; labels match case-insensitively with spaces folded).
    pub fn resolve<'a>(&'a self, link: &'a Link) -> Option<&'a str> {
        match &link.label {
            None => Some(link.url.as_str()),
            Some(label) => {
                let key = normalize_label(label);
                self.blocks
                    .iter()
                    .flat_map(|b| b.definitions.iter())
                    .find(|d| normalize_label(&d.label) == key)
                    .map(|d| d.url.as_str())
            }
        }
    }

    /// A resolver for many links: builds the definition map once, on the first
    /// reference link, so resolving every link of a body stays linear.
    pub fn resolver(&self) -> Resolver<'_> {
        Resolver { body: self, map: std::cell::OnceCell::new() }
    }

    /// Index of the first block whose span ends after `offset`.
    pub fn block_at(&self, offset: usize) -> Option<usize> {
        let i = self.blocks.partition_point(|b| b.span.end <= offset);
        (i < self.blocks.len()).then_some(i)
    }

    /// Shifts every span by `delta` (blocks after an edit).
    pub fn shift_block(block: &mut Block, delta: isize) {
        block.span = block.span.shift(delta);
        match &mut block.kind {
            BlockKind::Heading { text_span, .. } => *text_span = text_span.shift(delta),
            BlockKind::TopicStart(t) => {
                t.number_span = t.number_span.shift(delta);
                t.title_span = t.title_span.shift(delta);
            }
            BlockKind::List | BlockKind::Other => {}
        }
        for l in &mut block.links {
            l.span = l.span.shift(delta);
            l.url_span = l.url_span.map(|s| s.shift(delta));
        }
        for r in &mut block.references {
            r.span = r.span.shift(delta);
            r.label_span = r.label_span.shift(delta);
        }
        for d in &mut block.definitions {
            d.span = d.span.shift(delta);
        }
        for i in &mut block.items {
            i.span = i.span.shift(delta);
            i.label_span = i.label_span.map(|s| s.shift(delta));
        }
    }

    /// The items of the `## Quick points：` section: the top-level lists after that
    /// heading, up to the next heading.
    pub fn quick_points(&self) -> Vec<&ListItem> {
        let mut inside = false;
        let mut out = Vec::new();
        for b in &self.blocks {
            match &b.kind {
                BlockKind::Heading { text, .. } => {
                    inside = strip_colon(text.trim()).trim().eq_ignore_ascii_case("quick points");
                }
                BlockKind::List if inside => out.extend(b.items.iter()),
                _ => {}
            }
        }
        out
    }
}

/// Resolves links of one body against its definitions (see `Body::resolve`).
pub struct Resolver<'a> {
    body: &'a Body,
    map: std::cell::OnceCell<std::collections::HashMap<String, &'a Definition>>,
}

impl<'a> Resolver<'a> {
    pub fn resolve<'l>(&self, link: &'l Link) -> Option<&'l str>
    where
        'a: 'l,
    {
        match &link.label {
            None => Some(link.url.as_str()),
            Some(label) => self.definition(label).map(|d| d.url.as_str()),
        }
    }

    /// The URL a link points to and what it is: its own, or its definition's.
    pub fn target<'l>(&self, link: &'l Link) -> Option<(&'l str, &'l UrlFacts)>
    where
        'a: 'l,
    {
        match &link.label {
            None => Some((link.url.as_str(), link.facts.as_deref()?)),
            Some(label) => self.definition(label).map(|d| (d.url.as_str(), &*d.facts)),
        }
    }

    fn definition(&self, label: &str) -> Option<&'a Definition> {
        let map = self.map.get_or_init(|| {
            let mut map = std::collections::HashMap::new();
            for d in self.body.blocks.iter().flat_map(|b| b.definitions.iter()) {
                // The first definition of a label wins.
                map.entry(normalize_label(&d.label)).or_insert(d);
            }
            map
        });
        map.get(&normalize_label(label)).copied()
    }
}

/// Text as titles are compared: without case, white space and punctuation.
pub fn fold_title(s: &str) -> String {
    // Sized up front: growing from empty took several allocations per title.
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() {
                out.push(c.to_ascii_lowercase());
            }
        } else if c.is_alphanumeric() {
            // CJK, kana and the rest of U+3000..=U+9FFF have no case: no table lookup
            // (`check` folds every topic title and headline part).
            if ('\u{3000}'..='\u{9fff}').contains(&c) {
                out.push(c);
            } else {
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// CommonMark label matching: case-folded, inner white space collapsed.
pub fn normalize_label(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Parses `text`, a run of whole top-level blocks that starts at absolute offset
/// `base` of the document, into blocks with absolute spans.
///
/// A block's content must be a function of its own text alone (so that `document.rs`
/// can reparse only the blocks an edit touches): no definitions, footnotes or expansion
/// budget may leak in from other blocks. One pulldown-cmark pass over `text` gives the
/// top-level block boundaries and, for almost every block, its events. Two things in
/// that pass can depend on other blocks: footnote references (an event when the
/// definition is anywhere, a broken link when parsed alone) and link reference
/// definitions (the parser keeps one per label for the whole text). A block that could
/// hold either (`[^` or `]:` in its text) is parsed again on its own; every other
/// block reads its events from the one pass. Reference links are links whether or not
/// they are defined (a callback accepts every broken one) and take their URL from
/// `Body::resolve`, so a definition elsewhere changes nothing in them.
pub fn parse_blocks(text: &str, base: usize, config: &Config) -> Vec<Block> {
    parse_blocks_keeping(text, base, config, Keep::All)
}

/// How much of each block a parse builds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Keep {
    /// Everything: open documents and `check`, whose features read it all.
    All,
    /// Only what a digest's index entry reads (`workspace::DigestInfo`): blocks and
    /// their kinds, topic titles, reference labels, link definitions and every link's
    /// label and facts. No list items, link texts, URLs or inline destinations' spans,
    /// reference texts, topic summaries and title keys, or heading texts: for files that
    /// are not open those were a third of the parse's allocations.
    Summary,
}

/// `parse_blocks`, building only what `keep` asks for; everything it builds is as in a
/// full parse.
pub fn parse_blocks_keeping(text: &str, base: usize, config: &Config, keep: Keep) -> Vec<Block> {
    let text = &*lone_cr_to_lf(text);
    if text.is_empty() {
        return Vec::new();
    }
    let mut scratch = Scratch::take();
    let blocks = match streamed(text, base, (config, keep), &mut scratch) {
        Some(blocks) => blocks,
        None => buffered(text, base, (config, keep), &mut scratch),
    };
    scratch.put_back();
    blocks
}

/// The blocks read one at a time from their share of the one pass (`block_from`), for
/// tests: `parse_blocks_keeping` gives the same whenever it reads the pass straight
/// through.
#[doc(hidden)]
pub fn parse_blocks_buffered(text: &str, base: usize, config: &Config, keep: Keep) -> Vec<Block> {
    let text = &*lone_cr_to_lf(text);
    if text.is_empty() {
        return Vec::new();
    }
    let mut scratch = Scratch::take();
    let blocks = buffered(text, base, (config, keep), &mut scratch);
    scratch.put_back();
    blocks
}

/// Whether `parse_blocks_keeping` reads `text` straight through (for tests).
#[doc(hidden)]
pub fn reads_straight_through(text: &str, config: &Config) -> bool {
    let text = &*lone_cr_to_lf(text);
    text.is_empty() || streamed(text, 0, (config, Keep::Summary), &mut Scratch::default()).is_some()
}

/// Every block from the one pass as it comes, with no event held back: when no block
/// has to be parsed on its own (nothing in the text can define a link or a footnote)
/// and every block's events lie inside it, reading a block's events where they come
/// is reading them from `own` in `block_from`, and most bodies are like that. A block
/// whose events do not line up ends the attempt (`None`: parse as `buffered`).
/// Holding every event until its block was complete, then reading it, was a tenth of
/// the index reader's time.
fn streamed(text: &str, base: usize, config: (&Config, Keep), scratch: &mut Scratch) -> Option<Vec<Block>> {
    let mut blocks = Vec::new();
    stream(text, base, config, scratch, |block| blocks.push(std::mem::take(block))).then_some(blocks)
}

/// Reads the body in `text` (at `base`) straight through, as `parse_blocks_keeping` does
/// when it can, lending each block to `visit` instead of collecting them: the block's
/// lists are reused for the next block. False when the body cannot be read straight
/// through (`visit` may have seen some blocks; use `parse_blocks_keeping`).
pub fn visit_blocks(text: &str, base: usize, config: &Config, keep: Keep, visit: impl FnMut(&Block)) -> bool {
    let text = &*lone_cr_to_lf(text);
    if text.is_empty() {
        return true;
    }
    let mut scratch = Scratch::take();
    let mut visit = visit;
    let done = stream(text, base, (config, keep), &mut scratch, |block| visit(block));
    scratch.put_back();
    done
}

/// Whether `text` may hold a footnote (`[^`) or a link reference definition (`]:`),
/// which other blocks can see. memmem: `str::contains` was two scans of every body
/// indexed at about a byte an instruction.
fn may_define(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memmem::find(bytes, b"]:").is_some() || memchr::memmem::find(bytes, b"[^").is_some()
}

/// The straight-through reading: each block goes to `sink` as it is complete, in a
/// `Block` whose lists the sink may take or leave for the next block to reuse.
fn stream(
    text: &str,
    base: usize,
    config: (&Config, Keep),
    scratch: &mut Scratch,
    mut sink: impl FnMut(&mut Block),
) -> bool {
    if may_define(text) {
        return false;
    }
    let mut cuts = Boundaries::new(text);
    let mut p = BlockParser::new(text, base, config, std::mem::take(scratch));
    let mut line = Lineup::new(0);
    let mut block = Block::default();
    let parser = Parser::new_with_broken_link_callback(text, options(), Some(accept_broken_links));
    let mut ok = true;
    for (event, range) in parser.into_offset_iter() {
        if let Some(next) = cuts.feed(&event, &range) {
            if !line.ends_at(next) {
                ok = false;
                break;
            }
            p.finish_block_into(Span::new(base + line.start, base + next), Vec::new(), &mut block);
            sink(&mut block);
            line = Lineup::new(next);
        }
        if !line.take(&event, &range) {
            ok = false;
            break;
        }
        p.event(event, range);
    }
    if ok && line.ends_at(text.len()) {
        p.finish_block_into(Span::new(base + line.start, base + text.len()), Vec::new(), &mut block);
        sink(&mut block);
    } else {
        ok = false;
    }
    *scratch = p.into_scratch();
    ok
}

/// What `aligned` and `block_from`'s cut check, for one block's events as they come.
struct Lineup {
    start: usize,
    depth: usize,
    /// The largest start and end of an event so far.
    last_start: Option<usize>,
    last_end: usize,
}

impl Lineup {
    fn new(start: usize) -> Lineup {
        Lineup { start, depth: 0, last_start: None, last_end: start }
    }

    /// Takes the block's next event; false when it starts before the block or ends
    /// one that did not start in it.
    fn take(&mut self, event: &Event<'_>, range: &Range<usize>) -> bool {
        if range.start < self.start {
            return false;
        }
        self.last_start = Some(self.last_start.map_or(range.start, |s| s.max(range.start)));
        self.last_end = self.last_end.max(range.end);
        match event {
            Event::Start(_) => self.depth += 1,
            Event::End(_) => match self.depth.checked_sub(1) {
                Some(d) => self.depth = d,
                None => return false,
            },
            _ => {}
        }
        true
    }

    /// Whether the events taken are the block's whole share when it ends at `end`:
    /// balanced, none reaching past `end`, none starting at or after it (`block_from`
    /// would leave those to the next block).
    fn ends_at(&self, end: usize) -> bool {
        self.depth == 0 && self.last_end <= end && self.last_start.is_none_or(|s| s < end)
    }
}

/// Each block read from its share of the one pass, held until the block is complete;
/// a block that could see other blocks is parsed again on its own (`block_from`).
fn buffered(text: &str, base: usize, config: (&Config, Keep), scratch: &mut Scratch) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut cuts = Boundaries::new(text);
    let mut start = 0;
    // Room for the events of a typical block, so that it is not grown from empty per file.
    let mut own: Vec<(Event<'_>, Range<usize>)> = Vec::with_capacity(128);
    let parser = Parser::new_with_broken_link_callback(text, options(), Some(accept_broken_links));
    for (event, range) in parser.into_offset_iter() {
        if let Some(next) = cuts.feed(&event, &range) {
            blocks.push(block_from(text, start..next, base, config, &mut own, scratch));
            start = next;
        }
        own.push((event, range));
    }
    blocks.push(block_from(text, start..text.len(), base, config, &mut own, scratch));
    blocks
}

/// The block `range` of `text` from its share of the one pass: the events in `own` up
/// to the first that starts at or after its end (those stay in `own` for the next).
fn block_from<'e>(
    text: &str,
    range: Range<usize>,
    base: usize,
    config: (&Config, Keep),
    own: &mut Vec<(Event<'e>, Range<usize>)>,
    scratch: &mut Scratch,
) -> Block {
    let Range { start, end } = range;
    let cut = own.iter().position(|(_, r)| r.start >= end).unwrap_or(own.len());
    let src = &text[start..end];
    if may_define(src) || !aligned(&own[..cut], start..end) {
        own.drain(..cut);
        parse_one(src, base + start, config, scratch)
    } else {
        let events = own.drain(..cut).map(|(e, r)| (e, r.start - start..r.end - start));
        read_block(src, base + start, config, events, Vec::new(), scratch)
    }
}

/// Whether a block's share of the one pass is whole: every event inside the block and
/// every start matched by its end. A paragraph that a block boundary cuts (the lines
/// that open it are read as link definitions when the block is parsed alone) is not.
fn aligned(events: &[(Event<'_>, Range<usize>)], block: Range<usize>) -> bool {
    let mut depth = 0usize;
    for (event, range) in events {
        if range.start < block.start || range.end > block.end {
            return false;
        }
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            _ => {}
        }
    }
    depth == 0
}

/// Keeps every `[x]`, `[x][]` and `[x][y]` as a reference link whether or not it is
/// defined: the URL is resolved document-wide by `Body::resolve`.
fn accept_broken_links<'a>(_: BrokenLink<'a>) -> Option<(CowStr<'a>, CowStr<'a>)> {
    Some((CowStr::Borrowed(""), CowStr::Borrowed("")))
}

/// Parses a whole body that starts at `base`.
pub fn parse(text: &str, base: usize, config: &Config) -> Body {
    Body { blocks: parse_blocks(text, base, config) }
}

/// Parses a whole body that starts at `base`, building only what `keep` asks for.
pub fn parse_keeping(text: &str, base: usize, config: &Config, keep: Keep) -> Body {
    Body { blocks: parse_blocks_keeping(text, base, config, keep) }
}

/// Hugo's goldmark defaults: tables, strikethrough, task lists, footnotes and
/// definition lists. Never the metadata-block option: the front matter is split
/// off before, and a `---` line in the body is a rule or a setext underline.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_DEFINITION_LIST
}

/// pulldown-cmark mishandles a lone `\r` line break in places (after an indented
/// code block it drops the next line's events). LSP counts it as a line break like
/// `\n`, and swapping one byte for one byte keeps every offset.
fn lone_cr_to_lf(text: &str) -> std::borrow::Cow<'_, str> {
    let bytes = text.as_bytes();
    let lone = |i: usize| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
    // Most files have no `\r` at all: a memchr scan settles that.
    if memchr::memchr(b'\r', bytes).is_none() || !(0..bytes.len()).any(lone) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = text.as_bytes().to_vec();
    for i in 0..out.len() {
        if out[i] == b'\r' && out.get(i + 1) != Some(&b'\n') {
            out[i] = b'\n';
        }
    }
    // Only ASCII bytes changed, so the text is still UTF-8.
    std::borrow::Cow::Owned(String::from_utf8(out).unwrap_or_else(|_| text.to_string()))
}

fn strip_colon(s: &str) -> &str {
    s.strip_suffix(':').or_else(|| s.strip_suffix('：')).unwrap_or(s)
}

fn is_break(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// The index of the last line break in `bytes`.
fn last_break(bytes: &[u8]) -> Option<usize> {
    memchr::memrchr2(b'\n', b'\r', bytes)
}

/// Finds the start offsets of the top-level blocks of a text from its events, one
/// event at a time. The first block starts at 0 (leading blank lines belong to it);
/// each other starts at the start of the line its block begins on, so indentation is
/// part of the block that owns it.
struct Boundaries<'t> {
    bytes: &'t [u8],
    depth: usize,
    /// How far the previous top-level block's content reaches: the end of its inner
    /// events (a list's own range can run on over lines that are not its own), or of
    /// its first line when it has none.
    covered: usize,
    seen_first: bool,
    /// The latest block start (0 is the first).
    last: usize,
}

impl<'t> Boundaries<'t> {
    fn new(text: &'t str) -> Boundaries<'t> {
        Boundaries { bytes: text.as_bytes(), depth: 0, covered: 0, seen_first: false, last: 0 }
    }

    /// Takes the next event; returns the start of a new block when the event opens one.
    fn feed(&mut self, event: &Event<'_>, range: &Range<usize>) -> Option<usize> {
        let mut found = None;
        match event {
            Event::Start(_) => {
                if self.depth == 0 {
                    if self.seen_first {
                        found = self.consider(range.start);
                    }
                    self.seen_first = true;
                    self.covered = self.covered.max(self.line_end(range.start));
                } else {
                    self.covered = self.covered.max(range.end);
                }
                self.depth += 1;
            }
            Event::End(_) => self.depth = self.depth.saturating_sub(1),
            _ if self.depth == 0 => {
                if self.seen_first {
                    found = self.consider(range.start);
                }
                self.seen_first = true;
                self.covered = self.covered.max(range.end);
            }
            _ => self.covered = self.covered.max(range.end),
        }
        if let Some(at) = found {
            self.last = at;
        }
        found
    }

    fn line_end(&self, at: usize) -> usize {
        let bytes = self.bytes;
        // memchr: a byte at a time, scanning every top-level block's first line was a
        // twentieth of reading a body.
        let at = at.min(bytes.len());
        memchr::memchr2(b'\n', b'\r', &bytes[at..]).map_or(bytes.len(), |i| at + i)
    }

    /// The start of the block a top-level element at `start` opens, if it opens one.
    fn consider(&self, start: usize) -> Option<usize> {
        let (bytes, covered) = (self.bytes, self.covered);
        let mut i = start.min(bytes.len());
        if i > covered {
            i = covered + last_break(&bytes[covered..i]).map_or(0, |j| j + 1);
        }
        // A block that starts on a line the previous one reaches (never seen at top
        // level, but cheap to guard) stays part of the previous block.
        if !(i == 0 || is_break(bytes[i - 1])) {
            return None;
        }
        // Link reference definitions give no events. Right above a block, without a
        // blank line between, they open the paragraph the block's first line then
        // continues (`[a]: /u` then `</pre>` is a paragraph, not an HTML block), so
        // the block starts at the first of them.
        let mut best = i;
        let mut at = i;
        while at > covered {
            let mut end = at - 1;
            if bytes[end] == b'\n' && end > 0 && bytes[end - 1] == b'\r' {
                end -= 1;
            }
            let ps = last_break(&bytes[..end]).map_or(0, |j| j + 1);
            let line = &bytes[ps..end];
            if ps < covered || line.iter().all(|b| b.is_ascii_whitespace()) {
                break;
            }
            if is_definition_start(line) {
                best = ps;
            }
            at = ps;
        }
        (best > self.last).then_some(best)
    }
}

/// A line that can open a link reference definition: up to three spaces, then `[`
/// (a footnote definition `[^x]:` is a block of its own, with events).
fn is_definition_start(line: &[u8]) -> bool {
    let indent = line.iter().take_while(|&&b| b == b' ').count();
    indent <= 3 && line.get(indent) == Some(&b'[') && line.get(indent + 1) != Some(&b'^')
}

/// A piece of the own text of a list item, heading or top-level paragraph, in
/// local offsets.
#[derive(Debug)]
enum TokKind {
    Text,
    Strong,
    /// Index into the block's links.
    Link(usize),
    Break,
}

#[derive(Debug)]
struct Tok {
    kind: TokKind,
    /// The rendered text: a range of `BlockParser::tok_text`.
    text: Range<usize>,
    span: Range<usize>,
}

impl Tok {
    fn text<'t>(&self, tok_text: &'t str) -> &'t str {
        tok_text.get(self.text.clone()).unwrap_or("")
    }
}

#[derive(Debug)]
enum OwnKind {
    /// A list item; `ref_list` is the reference list it sits in, `top` whether its
    /// list is a top-level block.
    Item {
        ref_list: Option<usize>,
        top: bool,
    },
    Heading(u8),
    Paragraph,
}

/// A container whose own text we read: a list item (up to its first nested block),
/// a top-level heading or paragraph.
#[derive(Debug)]
struct Own {
    kind: OwnKind,
    toks: Vec<Tok>,
    done: bool,
    /// Blocks started directly inside (for items: the first paragraph is own text).
    children: usize,
    /// A reference list (index into `Config::reference_lists`) when the item's own
    /// text names one (`相关引用：`).
    list_name: Option<usize>,
    range: Range<usize>,
}

#[derive(Debug)]
enum CtxKind {
    Own(Own),
    /// A list: the reference list it is, if its item is one; whether it is top-level.
    List {
        ref_list: Option<usize>,
        top: bool,
    },
    /// The first paragraph of an item: its text is the item's own text.
    OwnPara,
    Strong,
    Link,
    Image,
    /// Code and HTML blocks: no bare URLs in there.
    Verbatim,
    Inline,
    Other,
}

#[derive(Debug)]
struct Ctx {
    kind: CtxKind,
    /// Stack index of the `Own` whose own text the events at this level are.
    own: Option<usize>,
}

/// A link being read between its start and end events.
struct LinkBuilder {
    index: usize,
    range: Range<usize>,
    /// The end of the last event inside the link: the text ends at the `]` after it.
    inner_end: usize,
    /// A shortcut link can be a failed inline link (`[x](a b)`).
    shortcut: bool,
    collapsed: bool,
}

/// Consecutive text events, read together for bare URLs (their text is in
/// `BlockParser::run_text`).
struct Run {
    range: Range<usize>,
}

/// Strong emphasis being read at an own-text level (a reference label, a topic head).
struct StrongCapture {
    depth: usize,
    start: usize,
    /// Where its text starts in `BlockParser::tok_text` (it runs to the end).
    text: usize,
}

/// Buffers that the blocks of one parse reuse, kept per thread between parses.
#[derive(Default)]
struct Scratch {
    stack: Vec<Ctx>,
    run_text: String,
    tok_text: String,
    link_text: String,
    joined: String,
    tok_pool: Vec<Vec<Tok>>,
}

thread_local! {
    /// Indexing parses thousands of files a thread: growing these buffers from empty
    /// for each was a few dozen reallocations per file.
    static SCRATCH: std::cell::Cell<Option<Scratch>> = const { std::cell::Cell::new(None) };
}

impl Scratch {
    /// Bytes of capacity above which a buffer is freed rather than kept for the next
    /// parse (a 10 MB digest must not pin its buffers in every thread).
    const KEEP_BYTES: usize = 64 * 1024;

    fn take() -> Scratch {
        SCRATCH.with(|s| s.take()).unwrap_or_default()
    }

    fn put_back(mut self) {
        self.stack.clear();
        let big = self.stack.capacity() * std::mem::size_of::<Ctx>() > Self::KEEP_BYTES
            || [&self.run_text, &self.tok_text, &self.link_text, &self.joined]
                .iter()
                .any(|b| b.capacity() > Self::KEEP_BYTES)
            || self.tok_pool.len() > 64
            || self.tok_pool.iter().any(|t| t.capacity() * std::mem::size_of::<Tok>() > Self::KEEP_BYTES);
        if !big {
            // `try_with`: a parse during thread teardown just drops its buffers.
            let _ = SCRATCH.try_with(|s| s.set(Some(self)));
        }
    }
}

struct BlockParser<'a> {
    src: &'a str,
    /// Absolute offset of `src`.
    off: usize,
    config: &'a Config,
    keep: Keep,
    finder: LinkFinder,
    stack: Vec<Ctx>,
    kind: Option<BlockKind>,
    links: Vec<Link>,
    references: Vec<Reference>,
    items: Vec<ListItem>,
    link: Option<LinkBuilder>,
    run: Option<Run>,
    run_text: String,
    /// The text of every tok of the block, and of the strong being read.
    tok_text: String,
    /// The text of the link being read.
    link_text: String,
    /// Own text joined for a look (`join_text`).
    joined: String,
    /// Emptied tok lists of finished own texts.
    tok_pool: Vec<Vec<Tok>>,
    strong: Option<StrongCapture>,
    /// Bare URLs before this local offset sit in a failed inline link's parentheses.
    consumed: usize,
    /// Open code blocks, HTML blocks and images: no bare URLs inside.
    verbatim: usize,
}

/// Parses one block's text on its own.
fn parse_one(src: &str, off: usize, config: (&Config, Keep), scratch: &mut Scratch) -> Block {
    let parser = Parser::new_with_broken_link_callback(src, options(), Some(accept_broken_links));
    let mut definitions: Vec<Definition> = parser
        .reference_definitions()
        .iter()
        .map(|(label, def)| Definition {
            label: label.to_string(),
            url: def.dest.to_string(),
            span: Span::new(off + def.span.start, off + def.span.end),
            facts: UrlFacts::shared(&def.dest),
        })
        .collect();
    definitions.sort_by_key(|d| d.span.start);
    read_block(src, off, config, parser.into_offset_iter(), definitions, scratch)
}

/// Reads one block from its events (ranges local to `src`, the block's text).
fn read_block<'e>(
    src: &str,
    off: usize,
    config: (&Config, Keep),
    events: impl Iterator<Item = (Event<'e>, Range<usize>)>,
    definitions: Vec<Definition>,
    scratch: &mut Scratch,
) -> Block {
    let mut p = BlockParser::new(src, off, config, std::mem::take(scratch));
    for (event, range) in events {
        p.event(event, range);
    }
    let block = p.finish_block(Span::new(off, off + src.len()), definitions);
    *scratch = p.into_scratch();
    block
}

impl<'a> BlockParser<'a> {
    /// A parser of the blocks of `src` (at absolute offset `off`), reusing `scratch`'s buffers.
    fn new(src: &'a str, off: usize, (config, keep): (&'a Config, Keep), scratch: Scratch) -> BlockParser<'a> {
        let Scratch { stack, run_text, tok_text, link_text, joined, tok_pool } = scratch;
        let mut finder = LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]).url_can_be_iri(false);
        BlockParser {
            src,
            off,
            config,
            keep,
            finder,
            stack,
            kind: None,
            links: Vec::new(),
            references: Vec::new(),
            items: Vec::new(),
            link: None,
            run: None,
            run_text,
            tok_text,
            link_text,
            joined,
            tok_pool,
            strong: None,
            consumed: 0,
            verbatim: 0,
        }
    }

    /// Ends the block that spans `span` (all its events read) and makes ready for the next.
    fn finish_block(&mut self, span: Span, definitions: Vec<Definition>) -> Block {
        let mut block = Block::default();
        self.finish_block_into(span, definitions, &mut block);
        block
    }

    /// `finish_block` into `out`, whose lists (emptied) the parser takes for the next block.
    fn finish_block_into(&mut self, span: Span, definitions: Vec<Definition>, out: &mut Block) {
        self.flush();
        for link in &mut self.links {
            // (`Keep::Summary` looks the facts up as it meets each URL, which it does not keep.)
            if link.label.is_none() && link.facts.is_none() {
                link.facts = Some(UrlFacts::shared(&link.url));
            }
        }
        self.stack.clear();
        self.tok_text.clear();
        self.link = None;
        self.strong = None;
        self.consumed = 0;
        self.verbatim = 0;
        out.span = span;
        out.kind = self.kind.take().unwrap_or_default();
        out.definitions = definitions;
        std::mem::swap(&mut out.links, &mut self.links);
        std::mem::swap(&mut out.references, &mut self.references);
        std::mem::swap(&mut out.items, &mut self.items);
        self.links.clear();
        self.references.clear();
        self.items.clear();
    }

    /// The buffers, emptied: a reading given up halfway leaves open contexts behind,
    /// and the buffered reading that follows starts from these.
    fn into_scratch(self) -> Scratch {
        let BlockParser { mut stack, run_text, mut tok_text, link_text, joined, tok_pool, .. } = self;
        stack.clear();
        tok_text.clear();
        Scratch { stack, run_text, tok_text, link_text, joined, tok_pool }
    }
}

impl BlockParser<'_> {
    fn span(&self, r: Range<usize>) -> Span {
        Span::new(self.off + r.start, self.off + r.end)
    }

    /// The own-text container that an inline event at the current level belongs to.
    fn own_target(&self) -> Option<usize> {
        let i = self.stack.last()?.own?;
        match &self.stack.get(i)?.kind {
            CtxKind::Own(o) if !o.done => Some(i),
            _ => None,
        }
    }

    fn own_mut(&mut self, i: usize) -> Option<&mut Own> {
        match &mut self.stack.get_mut(i)?.kind {
            CtxKind::Own(o) => Some(o),
            _ => None,
        }
    }

    fn verbatim(&self) -> bool {
        self.verbatim > 0
    }

    /// Adds a piece of own text; `text` is copied only when it is kept (most text is in
    /// long paragraphs, whose own text ends with their first line).
    fn push_tok(&mut self, kind: TokKind, text: &str, span: Range<usize>) {
        if self.strong.is_some() {
            if !matches!(kind, TokKind::Break) {
                self.tok_text.push_str(text);
            }
            return;
        }
        let at = self.tok_text.len();
        if self.add_tok(kind, at..at + text.len(), span) {
            self.tok_text.push_str(text);
        }
    }

    /// Adds a tok whose text is (or is about to be put at) `text` in `tok_text`; false
    /// when no own text takes it.
    fn add_tok(&mut self, kind: TokKind, text: Range<usize>, span: Range<usize>) -> bool {
        let Some(o) = self.own_target().and_then(|i| self.own_mut(i)) else { return false };
        // A topic head needs the bold at the start and the rest of its line;
        // a long paragraph keeps nothing more.
        if matches!(o.kind, OwnKind::Paragraph) {
            let bold_first = matches!(kind, TokKind::Strong) && span.start == o.range.start;
            if (o.toks.is_empty() && !bold_first) || matches!(kind, TokKind::Break) {
                o.done = true;
            }
        }
        o.toks.push(Tok { kind, text, span });
        true
    }

    fn event(&mut self, event: Event<'_>, range: Range<usize>) {
        if let Some(l) = &mut self.link {
            if !matches!(event, Event::End(TagEnd::Link)) {
                l.inner_end = l.inner_end.max(range.end);
            }
        }
        match event {
            Event::Text(t) => {
                if self.link.is_some() {
                    self.link_text.push_str(&t);
                } else if !self.verbatim() {
                    match &mut self.run {
                        Some(run) if run.range.end == range.start => {
                            run.range.end = range.end;
                            self.run_text.push_str(&t);
                        }
                        _ => {
                            self.flush();
                            self.run_text.clear();
                            self.run_text.push_str(&t);
                            self.run = Some(Run { range });
                        }
                    }
                }
                return;
            }
            _ => self.flush(),
        }
        match event {
            Event::Start(tag) => self.start(tag, range),
            Event::End(end) => self.end(end, range),
            Event::Code(t) => {
                if self.link.is_some() {
                    self.link_text.push_str(&t);
                } else {
                    self.push_tok(TokKind::Text, &t, range);
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if self.link.is_some() {
                    self.link_text.push(' ');
                } else {
                    self.push_tok(TokKind::Break, " ", range);
                }
            }
            Event::Rule if self.stack.is_empty() && self.kind.is_none() => self.kind = Some(BlockKind::Other),
            // Any other top-level leaf (an HTML or math line) makes a plain block.
            _ if self.stack.is_empty() && self.kind.is_none() => self.kind = Some(BlockKind::Other),
            _ => {}
        }
    }

    fn start(&mut self, tag: Tag<'_>, range: Range<usize>) {
        let top_level = self.stack.is_empty();
        let parent_own = self.stack.last().and_then(|c| c.own);
        let target = self.own_target();
        let is_block = !matches!(
            tag,
            Tag::Emphasis
                | Tag::Strong
                | Tag::Strikethrough
                | Tag::Superscript
                | Tag::Subscript
                | Tag::Link { .. }
                | Tag::Image { .. }
        );
        // A block directly inside an item: its first paragraph is own text, anything
        // else ends the own text.
        let mut own_para = false;
        if is_block {
            if let Some(Ctx { kind: CtxKind::Own(o), .. }) = self.stack.last_mut() {
                if matches!(o.kind, OwnKind::Item { .. }) {
                    o.children += 1;
                    if o.children == 1 && matches!(tag, Tag::Paragraph) && !o.done {
                        own_para = true;
                    } else {
                        let i = self.stack.len() - 1;
                        self.finish_own(i);
                    }
                }
            }
        }
        // The first top-level element decides the block's kind; a heading or a
        // paragraph decides it at its end.
        let first = top_level && self.kind.is_none();
        let (kind, own) = match tag {
            Tag::Heading { level, .. } if first => {
                (CtxKind::Own(self.new_own(OwnKind::Heading(level as u8), range.clone())), None)
            }
            Tag::Paragraph if first => (CtxKind::Own(self.new_own(OwnKind::Paragraph, range.clone())), None),
            Tag::Paragraph if own_para => (CtxKind::OwnPara, parent_own),
            Tag::List(_) => {
                if first {
                    self.kind = Some(BlockKind::List);
                }
                let ref_list = match self.stack.last() {
                    Some(Ctx { kind: CtxKind::Own(o), .. }) => o.list_name,
                    _ => None,
                };
                (CtxKind::List { ref_list, top: top_level }, None)
            }
            Tag::Item => {
                let (ref_list, top) = match self.stack.last() {
                    Some(Ctx { kind: CtxKind::List { ref_list, top }, .. }) => (*ref_list, *top),
                    _ => (None, false),
                };
                let own = self.new_own(OwnKind::Item { ref_list, top }, range.clone());
                (CtxKind::Own(own), Some(self.stack.len()))
            }
            Tag::CodeBlock(_) | Tag::HtmlBlock | Tag::MetadataBlock(_) => (CtxKind::Verbatim, None),
            Tag::Strong => {
                if target.is_some() && self.strong.is_none() {
                    self.strong =
                        Some(StrongCapture { depth: self.stack.len(), start: range.start, text: self.tok_text.len() });
                }
                (CtxKind::Strong, parent_own)
            }
            Tag::Link { link_type, dest_url, id, .. } => {
                self.start_link(link_type, &dest_url, &id, range.clone());
                (CtxKind::Link, parent_own)
            }
            Tag::Image { .. } => (CtxKind::Image, parent_own),
            Tag::Emphasis | Tag::Strikethrough | Tag::Superscript | Tag::Subscript => (CtxKind::Inline, parent_own),
            _ => (CtxKind::Other, None),
        };
        if first && self.kind.is_none() && !matches!(kind, CtxKind::Own(_)) {
            self.kind = Some(BlockKind::Other);
        }
        let own = match kind {
            CtxKind::Own(_) => Some(self.stack.len()),
            _ => own,
        };
        if matches!(kind, CtxKind::Verbatim | CtxKind::Image) {
            self.verbatim += 1;
        }
        self.stack.push(Ctx { kind, own });
    }

    fn new_own(&mut self, kind: OwnKind, range: Range<usize>) -> Own {
        let toks = self.tok_pool.pop().unwrap_or_default();
        Own { kind, toks, done: false, children: 0, list_name: None, range }
    }

    fn start_link(&mut self, link_type: LinkType, dest: &str, id: &str, range: Range<usize>) {
        if self.link.is_some() {
            return;
        }
        let (kind, (url, facts), url_span, label) = match link_type {
            LinkType::Inline => (LinkKind::Inline, self.destination(dest), None, None),
            LinkType::Autolink => {
                let inner = Span::new(self.off + range.start + 1, self.off + range.end.saturating_sub(1));
                (LinkKind::Autolink, self.destination(dest), Some(inner), None)
            }
            LinkType::Email => {
                let inner = Span::new(self.off + range.start + 1, self.off + range.end.saturating_sub(1));
                (LinkKind::Autolink, self.destination(&format!("mailto:{dest}")), Some(inner), None)
            }
            LinkType::Reference
            | LinkType::ReferenceUnknown
            | LinkType::Collapsed
            | LinkType::CollapsedUnknown
            | LinkType::Shortcut
            | LinkType::ShortcutUnknown => {
                let label = if id.is_empty() { self.bracket_text(range.clone()) } else { id.to_string() };
                // `[^1]` without a definition in this block: a footnote, not a link.
                if label.starts_with('^') {
                    return;
                }
                (LinkKind::Reference, (String::new(), None), None, Some(label))
            }
            LinkType::WikiLink { .. } => return,
        };
        let shortcut = matches!(link_type, LinkType::Shortcut | LinkType::ShortcutUnknown);
        let collapsed = matches!(link_type, LinkType::Collapsed | LinkType::CollapsedUnknown);
        self.links.push(Link {
            kind,
            span: self.span(range.clone()),
            text: String::new(),
            url,
            url_span,
            label,
            facts,
        });
        self.link_text.clear();
        self.link =
            Some(LinkBuilder { index: self.links.len() - 1, inner_end: range.start + 1, range, shortcut, collapsed });
    }

    /// A link's URL and its facts: the URL, with the facts looked up once the block is
    /// read, or under `Keep::Summary` only the facts, looked up now.
    fn destination(&self, url: &str) -> (String, Option<Arc<UrlFacts>>) {
        match self.keep {
            Keep::All => (url.to_string(), None),
            Keep::Summary => (String::new(), Some(UrlFacts::shared(url))),
        }
    }

    /// The text between the first `[` and its `]` of a link, as written.
    fn bracket_text(&self, range: Range<usize>) -> String {
        let s = self.src.get(range).unwrap_or("");
        let s = s.strip_prefix('[').unwrap_or(s);
        match s.rfind(']') {
            Some(i) => s[..i].trim_end_matches("][").to_string(),
            None => s.to_string(),
        }
    }

    fn end_link(&mut self) {
        let Some(b) = self.link.take() else { return };
        let src = self.src;
        let end = b.range.end.min(src.len());
        let keep = self.keep;
        let Some(link) = self.links.get_mut(b.index) else { return };
        // Autolinks have no text of their own (the URL is in `url`).
        let has_text = link.kind != LinkKind::Autolink;
        match link.kind {
            // The destination's span is for diagnostics only.
            LinkKind::Inline if keep == Keep::All => {
                let close = src.get(b.inner_end.min(end)..end).and_then(|s| s.find(']')).map(|i| b.inner_end + i);
                if let Some(close) = close {
                    if src.as_bytes().get(close + 1) == Some(&b'(') {
                        let d = inline_dest(src, close + 2, end);
                        link.url_span = Some(Span::new(self.off + d.start, self.off + d.end));
                    }
                }
            }
            // pulldown-cmark's range of a collapsed link `[x][]` stops before the `[]`.
            LinkKind::Reference if b.collapsed && src.get(end..end + 2) == Some("[]") => {
                link.span.end = self.off + end + 2;
            }
            LinkKind::Reference if b.shortcut && src.as_bytes().get(end) == Some(&b'(') => {
                // `[x](a b)` is no link in CommonMark (a space in the destination), but
                // it was meant as one: keep it as an inline link so the URL is checked.
                // Up to the next bracket and at most 1 KiB, so that `[a](` repeated
                // on one long line stays linear.
                let window = &src[end + 1..crate::text::floor_char_boundary(src, end.saturating_add(1024))];
                if let Some(close) = window.find([')', '\n', '\r', '[', ']', '(']).map(|i| end + 1 + i) {
                    if src.as_bytes()[close] == b')' {
                        let mut d = (end + 1)..close;
                        let inner = &src[d.clone()];
                        let lead = inner.len() - inner.trim_start().len();
                        let trail = inner.len() - inner.trim_end().len();
                        d = (d.start + lead)..(d.end - trail).max(d.start + lead);
                        let inner = &src[d.clone()];
                        if inner.starts_with('<') && inner.ends_with('>') && inner.len() >= 2 {
                            d = (d.start + 1)..(d.end - 1);
                        }
                        link.kind = LinkKind::Inline;
                        link.label = None;
                        match keep {
                            Keep::All => {
                                link.url = src[d.clone()].to_string();
                                link.url_span = Some(Span::new(self.off + d.start, self.off + d.end));
                            }
                            Keep::Summary => link.facts = Some(UrlFacts::shared(&src[d.clone()])),
                        }
                        link.span = Span::new(self.off + b.range.start, self.off + close + 1);
                        self.consumed = close + 1;
                    }
                }
            }
            _ => {}
        }
        let span = b.range.start..(link.span.end - self.off);
        // The buffer is lent out and put back, so that links reuse one allocation.
        let link_text = std::mem::take(&mut self.link_text);
        let text = if has_text { link_text.trim() } else { "" };
        self.push_tok(TokKind::Link(b.index), text, span);
        if keep == Keep::All {
            if let Some(link) = self.links.get_mut(b.index) {
                link.text = text.to_string();
            }
        }
        self.link_text = link_text;
    }

    fn end(&mut self, end: TagEnd, range: Range<usize>) {
        let _ = range;
        if matches!(end, TagEnd::Link) {
            self.end_link();
        }
        let Some(ctx) = self.stack.pop() else { return };
        if matches!(ctx.kind, CtxKind::Verbatim | CtxKind::Image) {
            self.verbatim = self.verbatim.saturating_sub(1);
        }
        if matches!(ctx.kind, CtxKind::Strong) {
            if let Some(s) = self.strong.take_if(|s| s.depth == self.stack.len()) {
                self.add_tok(TokKind::Strong, s.text..self.tok_text.len(), s.start..range.end);
            }
        }
        match ctx.kind {
            CtxKind::OwnPara => {
                if let Some(i) = ctx.own {
                    self.finish_own(i);
                }
            }
            CtxKind::Own(mut own) => {
                // Items finish at their first nested block or here; headings and
                // paragraphs here.
                if !own.done {
                    self.analyse_own(&mut own);
                }
                match own.kind {
                    OwnKind::Heading(level) if self.stack.is_empty() && self.kind.is_none() => {
                        let text_span = match (own.toks.first(), own.toks.last()) {
                            (Some(a), Some(b)) => self.span(a.span.start..b.span.end),
                            _ => Span::empty(self.off + own.range.start),
                        };
                        let mut text = String::new();
                        if self.keep == Keep::All {
                            self.joined.clear();
                            join_text(&own.toks, &self.links, &self.tok_text, &mut self.joined);
                            text = self.joined.trim().to_string();
                        }
                        self.kind = Some(BlockKind::Heading { level, text, text_span });
                    }
                    OwnKind::Paragraph if self.stack.is_empty() && self.kind.is_none() => {
                        let topic = self.topic(&own);
                        self.kind = Some(topic.map_or(BlockKind::Other, BlockKind::TopicStart));
                    }
                    _ => {}
                }
                own.toks.clear();
                self.tok_pool.push(own.toks);
            }
            _ => {}
        }
    }

    /// Marks the own text of the item at stack index `i` as read and analyses it.
    fn finish_own(&mut self, i: usize) {
        let Some(ctx) = self.stack.get_mut(i) else { return };
        let CtxKind::Own(own) = &mut ctx.kind else { return };
        if own.done {
            return;
        }
        let mut own = std::mem::replace(own, Own::placeholder());
        self.analyse_own(&mut own);
        if let Some(Ctx { kind: CtxKind::Own(slot), .. }) = self.stack.get_mut(i) {
            *slot = own;
        }
    }

    fn analyse_own(&mut self, own: &mut Own) {
        own.done = true;
        let OwnKind::Item { ref_list, top } = own.kind else { return };
        let items = top && self.keep == Keep::All;
        let names = &self.config.reference_lists;
        // Joining an item's text only to compare it with the list names cost more than
        // anything else the index reads in a bullet; a name must start the text.
        if items || may_start_with_name(&own.toks, &self.links, &self.tok_text, names) {
            let joined = &mut self.joined;
            joined.clear();
            join_text(&own.toks, &self.links, &self.tok_text, joined);
            let name = strip_colon(joined.trim()).trim();
            if let Some(i) = names.iter().position(|l| **l == *name) {
                own.list_name = Some(i);
            }
        }
        // Only reference bullets and the items kept need the `**label**: text` reading.
        if ref_list.is_none() && !items {
            return;
        }
        let span = match (own.toks.first(), own.toks.last()) {
            (Some(a), Some(b)) => self.span(a.span.start..b.span.end),
            _ => Span::empty(self.off + own.range.start),
        };
        let Some(l) = labelled(self.src, &own.toks, &self.tok_text) else {
            if items {
                let text = self.joined.trim().to_string();
                self.items.push(ListItem { span, label: None, label_span: None, text });
            }
            return;
        };
        let label_span = Span::new(self.off + l.label_span.start, self.off + l.label_span.end);
        if let Some(list) = ref_list.and_then(|i| self.config.reference_lists.get(i)) {
            let text = match l.link {
                None if self.keep == Keep::All => l.rest(&self.tok_text, &mut self.joined),
                _ => String::new(),
            };
            let (label, link) = (l.label.to_string(), l.link);
            self.references.push(Reference { list: list.clone(), label, label_span, span, link, text });
        }
        if items {
            let text = l.rest_all(&self.tok_text, &self.links, &mut self.joined);
            self.items.push(ListItem { span, label: Some(l.label.to_string()), label_span: Some(label_span), text });
        }
    }

    /// A top-level paragraph opening with `**N. title**` and a colon.
    fn topic(&mut self, own: &Own) -> Option<TopicStart> {
        let first = own.toks.first()?;
        if !matches!(first.kind, TokKind::Strong) || first.span.start != own.range.start {
            return None;
        }
        let (inner, inner_text) = strong_inner(self.src, first, &self.tok_text)?;
        let bytes = self.src.as_bytes();
        let digits_end = (inner.start..inner.end).find(|&i| !bytes[i].is_ascii_digit()).unwrap_or(inner.end);
        if digits_end == inner.start || bytes.get(digits_end) != Some(&b'.') || digits_end >= inner.end {
            return None;
        }
        let colon_inside = strip_colon(inner_text.trim_end()).len() != inner_text.trim_end().len();
        // The summary: the rest of the first line, link texts included.
        let line = own.toks[1..].iter().take_while(|t| !matches!(t.kind, TokKind::Break));
        let summary = &mut self.joined;
        summary.clear();
        join_text(line, &self.links, &self.tok_text, summary);
        let trimmed = summary.trim_start();
        let summary = match trimmed.strip_prefix(':').or_else(|| trimmed.strip_prefix('：')) {
            Some(rest) => rest.trim(),
            None if colon_inside => trimmed.trim(),
            None => return None,
        };
        let summary = if self.keep == Keep::All { summary.to_string() } else { String::new() };
        let number = self.src[inner.start..digits_end].parse().ok();
        let title_src = &self.src[digits_end + 1..inner.end];
        let lead = title_src.len() - title_src.trim_start().len();
        let title_start = digits_end + 1 + lead;
        let title_end = title_start + strip_colon(title_src.trim()).trim_end().len();
        let rendered = inner_text.trim_start().trim_start_matches(|c: char| c.is_ascii_digit());
        let title = strip_colon(rendered.strip_prefix('.').unwrap_or(rendered).trim()).trim().to_string();
        Some(TopicStart {
            number,
            number_span: self.span(inner.start..digits_end),
            title_key: if self.keep == Keep::All { fold_title(&title) } else { String::new() },
            title,
            title_span: self.span(title_start..title_end.max(title_start)),
            summary,
        })
    }

    /// Reads the pending text run: bare URLs become links, the text goes to the own
    /// text it belongs to.
    fn flush(&mut self) {
        let Some(run) = self.run.take() else { return };
        let (src, off) = (self.src, self.off);
        let first = self.links.len();
        let text = &src[run.range.clone()];
        // linkify finds a URL here only at a `://` (the finder requires a scheme, and
        // linkify takes only schemes with an authority): most runs have none, labels
        // (`**文章**: `) have a colon without it, and each call of `links` allocates.
        let urls = may_hold_url(text).then(|| self.finder.links(text));
        for l in urls.into_iter().flatten() {
            let start = run.range.start + l.start();
            if start < self.consumed {
                continue;
            }
            let span = Span::new(off + start, off + run.range.start + l.end());
            let (url, facts) = self.destination(l.as_str());
            self.links.push(Link {
                kind: LinkKind::Bare,
                span,
                text: String::new(),
                url,
                url_span: Some(span),
                label: None,
                facts,
            });
        }
        // The buffer is lent out and put back, so that runs reuse one allocation.
        let text = std::mem::take(&mut self.run_text);
        self.push_tok(TokKind::Text, &text, run.range);
        self.run_text = text;
        if self.strong.is_none() {
            for i in first..self.links.len() {
                let Some(span) = self.links.get(i).map(|l| l.span) else { continue };
                self.push_tok(TokKind::Link(i), "", span.start - off..span.end - off);
            }
        }
    }
}

impl Own {
    fn placeholder() -> Own {
        Own { kind: OwnKind::Paragraph, toks: Vec::new(), done: true, children: 0, list_name: None, range: 0..0 }
    }
}

/// Whether linkify, as the body parser sets it up, can find a URL in `text`: only at a
/// `://`.
fn may_hold_url(text: &str) -> bool {
    let bytes = text.as_bytes();
    memchr::memchr_iter(b':', bytes).any(|i| bytes[i + 1..].starts_with(b"//"))
}

/// Appends the own text as plain text to `out`: text, bold and link texts; breaks as
/// spaces.
fn join_text<'t>(toks: impl IntoIterator<Item = &'t Tok>, links: &[Link], tok_text: &str, out: &mut String) {
    for t in toks {
        match t.kind {
            TokKind::Link(i) if t.text.is_empty() => {
                if let Some(l) = links.get(i) {
                    if l.kind == LinkKind::Bare {
                        continue;
                    }
                    out.push_str(&l.text);
                }
            }
            _ => out.push_str(t.text(tok_text)),
        }
    }
}

/// Whether the text `join_text` makes of `toks`, trimmed, could begin with one of
/// `names`: its first piece that is not all white space agrees with a name as far as
/// both go. (A name that the text equals, after a colon and white space are taken off
/// its end, starts the trimmed text.)
fn may_start_with_name(toks: &[Tok], links: &[Link], tok_text: &str, names: &[Arc<str>]) -> bool {
    let pieces = toks.iter().filter_map(|t| match t.kind {
        TokKind::Link(i) if t.text.is_empty() => {
            links.get(i).filter(|l| l.kind != LinkKind::Bare).map(|l| l.text.as_str())
        }
        _ => Some(t.text(tok_text)),
    });
    let head = pieces.map(str::trim_start).find(|p| !p.is_empty()).unwrap_or("");
    names.iter().any(|name| {
        let n = head.len().min(name.len());
        head.as_bytes()[..n] == name.as_bytes()[..n]
    })
}

/// The own text up to the first link (link texts are not in it).
fn until_link<'t>(toks: &'t [Tok], tok_text: &'t str) -> impl Iterator<Item = &'t str> {
    toks.iter().take_while(|t| !matches!(t.kind, TokKind::Link(_))).map(|t| t.text(tok_text))
}

/// The source range inside `**...**` (trimmed) and the rendered text of a strong tok.
fn strong_inner<'t>(src: &str, tok: &Tok, tok_text: &'t str) -> Option<(Range<usize>, &'t str)> {
    if tok.span.len() < 4 {
        return None;
    }
    let inner = (tok.span.start + 2)..(tok.span.end - 2);
    let s = src.get(inner.clone())?;
    let lead = s.len() - s.trim_start().len();
    let trimmed = (inner.start + lead)..(inner.start + lead + s.trim().len());
    Some((trimmed, tok.text(tok_text)))
}

/// `s` without leading white space and then one leading `:` or `：`, if it has one.
fn after_colon(s: &str) -> &str {
    let t = s.trim_start();
    t.strip_prefix(':').or_else(|| t.strip_prefix('：')).unwrap_or(t)
}

/// A `**label**: target` item, its texts built only when they are kept.
struct Labelled<'t> {
    label: &'t str,
    label_span: Range<usize>,
    link: Option<usize>,
    /// The toks after the label.
    rest: &'t [Tok],
    /// Whether the colon is inside the bold (`**label:**`).
    colon_inside: bool,
}

impl Labelled<'_> {
    /// The text after the colon, up to the first link, trimmed.
    fn rest(&self, tok_text: &str, buf: &mut String) -> String {
        buf.clear();
        buf.extend(until_link(self.rest, tok_text));
        after_colon(buf).trim().to_string()
    }

    /// All the text after the colon, link texts included, trimmed.
    fn rest_all(&self, tok_text: &str, links: &[Link], buf: &mut String) -> String {
        buf.clear();
        join_text(self.rest, links, tok_text, buf);
        let all = buf.trim_start();
        let all = if self.colon_inside { all } else { after_colon(all) };
        all.trim().to_string()
    }
}

/// Reads `**label**: target` (or `**label:** target`).
fn labelled<'t>(src: &str, toks: &'t [Tok], tok_text: &'t str) -> Option<Labelled<'t>> {
    let first = toks.iter().position(|t| !(matches!(t.kind, TokKind::Text) && t.text(tok_text).trim().is_empty()))?;
    let tok = &toks[first];
    if !matches!(tok.kind, TokKind::Strong) {
        return None;
    }
    let (inner, text) = strong_inner(src, tok, tok_text)?;
    let text = text.trim();
    let label = strip_colon(text).trim_end();
    let colon_inside = label.len() != text.len();
    let inner_src = &src[inner.clone()];
    let label_end = inner.start + strip_colon(inner_src).trim_end().len();
    let rest = &toks[first + 1..];
    // Without a colon in the bold, one must open the text after it (up to a link).
    let colon_after = until_link(rest, tok_text)
        .map(str::trim_start)
        .find(|t| !t.is_empty())
        .is_some_and(|t| t.starts_with([':', '：']));
    if !colon_inside && !colon_after {
        return None;
    }
    let link = rest.iter().find_map(|t| match t.kind {
        TokKind::Link(i) => Some(i),
        _ => None,
    });
    Some(Labelled { label, label_span: inner.start..label_end, link, rest, colon_inside })
}

/// The destination of an inline link starting after `(` at `from` (local offsets,
/// not past `end`): `<...>` or a run without spaces and with balanced parentheses.
fn inline_dest(src: &str, from: usize, end: usize) -> Range<usize> {
    let end = end.min(src.len());
    let from = from.min(end);
    let s = &src[from..end];
    let lead = s.len() - s.trim_start().len();
    let start = from + lead;
    let s = &src[start..end];
    if let Some(rest) = s.strip_prefix('<') {
        let close = rest.find(['>', '\n', '\r']).unwrap_or(rest.len());
        return (start + 1)..(start + 1 + close);
    }
    let mut depth = 0usize;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' => escaped = true,
            '(' => depth += 1,
            ')' if depth == 0 => return start..start + i,
            ')' => depth -= 1,
            c if c.is_whitespace() => return start..start + i,
            _ => {}
        }
    }
    start..end
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_titles_keep_letters_and_digits_lower_cased() {
        // Every character, against the plain definition: alphanumerics, lower-cased.
        let fold =
            |s: &str| -> String { s.chars().filter(|c| c.is_alphanumeric()).flat_map(char::to_lowercase).collect() };
        for c in (0..=u32::from(char::MAX)).filter_map(char::from_u32) {
            let s = c.to_string();
            assert_eq!(fold_title(&s), fold(&s), "U+{:04X}", u32::from(c));
        }
        let title = "Rethinking 推理; ΣΟΦΙΑ、Ｒｅａｓｏｎｉｎｇ (2024) — İstanbul 😀";
        assert_eq!(fold_title(title), fold(title));
        assert_eq!(fold_title("A-b_C 优化！"), "abc优化");
    }

    #[test]
    fn list_names_are_found_however_the_item_is_marked_up() {
        // The pre-check before joining an item's text must pass every spelling that
        // the join would read as a list name: split over tokens, after white space,
        // with the colon apart.
        let config = Config::default();
        let cases = [
            ("相关引用：", true),
            ("**相关引用**:", true),
            ("**相关**引用：", true),
            ("*相关*引用:", true),
            ("相关引用 ：", true),
            ("` `相关引用：", true),
            ("[ ](https://example.org) 相关引用：", true),
            ("相关 引用：", false),
            ("See 相关引用：", false),
            ("相关引用：and more", false),
            ("相关", false),
        ];
        for (item, is_name) in cases {
            let text = format!("- topic\n  - {item}\n    - **文章**: [x](https://arxiv.org/abs/1)\n");
            for keep in [Keep::All, Keep::Summary] {
                let blocks = parse_blocks_keeping(&text, 0, &config, keep);
                let refs: usize = blocks.iter().map(|b| b.references.len()).sum();
                assert_eq!(refs == 1, is_name, "{item:?} ({keep:?})");
            }
        }
    }

    fn scratch_is_kept() -> bool {
        SCRATCH.with(|s| {
            let kept = s.take();
            let some = kept.is_some();
            s.set(kept);
            some
        })
    }

    #[test]
    fn scratch_is_kept_between_parses_only_when_small() {
        let config = Config::default();
        let small = parse("**1. a**: b\n* x\n", 0, &config);
        assert!(scratch_is_kept());
        let long = format!("# {}\n", "x".repeat(100_000));
        let big = parse(&long, 0, &config);
        assert!(!scratch_is_kept(), "a heading of 100 KB grows the text buffer past the limit");
        // Buffers left by an earlier parse change nothing in the next.
        assert_eq!(parse("**1. a**: b\n* x\n", 0, &config), small);
        assert_eq!(parse(&long, 0, &config), big);
    }

    #[test]
    fn lineup_takes_only_a_whole_share() {
        let (open, close, text) =
            (Event::Start(Tag::Paragraph), Event::End(TagEnd::Paragraph), Event::Text(CowStr::Borrowed("x")));
        let mut line = Lineup::new(10);
        assert!(line.take(&open, &(10..20)) && line.take(&text, &(10..19)));
        assert!(!line.ends_at(20), "a paragraph still open");
        assert!(line.take(&close, &(10..20)));
        assert!(line.ends_at(20) && line.ends_at(25));
        assert!(!line.ends_at(19), "an event reaching past the end");
        assert!(!Lineup::new(10).take(&text, &(9..12)), "an event starting before the block");
        assert!(!Lineup::new(10).take(&close, &(10..12)), "an end without its start");
        let mut empty_at_end = Lineup::new(10);
        assert!(empty_at_end.take(&text, &(20..20)));
        assert!(!empty_at_end.ends_at(20), "an event at the end belongs to the next block");
        assert!(Lineup::new(10).ends_at(10), "a block without events");
    }

    #[test]
    fn a_reading_given_up_halfway_leaves_empty_buffers() {
        let config = Config::default();
        let text = "* **相关引用**: [a](https://github.com/a/b) and more\n";
        let mut p = BlockParser::new(text, 0, (&config, Keep::All), Scratch::default());
        for (event, range) in Parser::new_ext(text, options()).into_offset_iter().take(5) {
            p.event(event, range);
        }
        assert!(!p.stack.is_empty() && !p.tok_text.is_empty(), "inside the item's bold label");
        let scratch = p.into_scratch();
        assert!(scratch.stack.is_empty() && scratch.tok_text.is_empty());
        let mut scratch = scratch;
        let alone = read_block(
            text,
            0,
            (&config, Keep::All),
            Parser::new_ext(text, options()).into_offset_iter(),
            Vec::new(),
            &mut scratch,
        );
        assert_eq!(alone, parse_blocks(text, 0, &config).remove(0));
    }

    #[test]
    fn linkify_finds_urls_only_where_may_hold_url_says() {
        let mut finder = LinkFinder::new();
        finder.kinds(&[linkify::LinkKind::Url]).url_can_be_iri(false);
        let texts = [
            ("see https://github.com/a/b，好", true),
            ("mailto:someone@example.com and urn:isbn:123", false),
            ("**文章**: the paper", false),
            ("ftp://files.example/x and a://b", true),
            ("http:/one.example http:example.com", false),
            ("a:// then x://y.org 😀", true),
            ("Ｈttps：//全角.example", false),
            ("www.example.com example.org/path", false),
            ("ends with http:", false),
        ];
        for (text, found) in texts {
            assert_eq!(finder.links(text).next().is_some(), found, "{text:?}");
            if found {
                assert!(may_hold_url(text), "{text:?}");
            }
        }
        assert!(!may_hold_url("no colon") && !may_hold_url("a: b") && may_hold_url("x://"));
    }

    #[test]
    fn resolver_agrees_with_resolve() {
        let text = "[a] [B] [c][a] [missing]\n\n[A]: https://first.example\n\n[a]: https://second.example\n[b]: https://b.example\n";
        let body = parse(text, 0, &Config::default());
        let resolver = body.resolver();
        let links: Vec<&Link> = body.blocks.iter().flat_map(|b| b.links.iter()).collect();
        assert!(links.len() >= 4, "{links:?}");
        let got: Vec<Option<&str>> = links.iter().map(|l| resolver.resolve(l)).collect();
        let want: Vec<Option<&str>> = links.iter().map(|l| body.resolve(l)).collect();
        assert_eq!(got, want);
        assert_eq!(got[0], Some("https://first.example"));
        assert!(got.contains(&None));
    }
}
