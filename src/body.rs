//! The Markdown body: one pulldown-cmark pass per top-level block, giving topics, reference lists, links and bare URLs.
//!
//! The body is a list of top-level blocks. Parsing from the start of any top-level
//! block gives the same blocks as parsing the whole body, which is what lets
//! `document.rs` reparse only the blocks an edit touches. The one document-wide
//! thing in Markdown, link reference definitions, is resolved after the blocks
//! (`Body::resolve`), not inside them.

use crate::config::Config;
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
}

/// A labelled bullet in a reference list: `* **文章**: [Adam-Mini](https://...)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// The list heading it sits under, without the colon: `相关引用`, `相关模型`, ...
    pub list: String,
    pub label: String,
    pub label_span: Span,
    /// The bullet's text span (after the bullet marker).
    pub span: Span,
    /// Index into the block's `links` of the link that is the target, if there is one.
    pub link: Option<usize>,
    /// The target as plain text when it is not a link (`相关模型` items).
    pub text: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Definition {
    pub label: String,
    pub url: String,
    pub span: Span,
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
        let mut current = None;
        let mut count = 0;
        for b in self.blocks.iter().take(block + 1) {
            match b.kind {
                BlockKind::TopicStart(_) => {
                    current = Some(count);
                    count += 1;
                }
                BlockKind::Heading { .. } => current = None,
                _ => {}
            }
        }
        current
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

    /// Index of the first block whose span ends after `offset`.
    pub fn block_at(&self, offset: usize) -> Option<usize> {
        let i = self.blocks.partition_point(|b| b.span.end <= offset);
        (i < self.blocks.len()).then_some(i)
    }

    /// Shifts every span by `delta` (blocks after an edit).
    pub fn shift_block(block: &mut Block, delta: isize) {
        let _ = (block, delta);
    }
}

/// CommonMark label matching: case-folded, inner white space collapsed.
pub fn normalize_label(label: &str) -> String {
    label.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// Parses `text`, a run of whole top-level blocks that starts at absolute offset
/// `base` of the document, into blocks with absolute spans.
pub fn parse_blocks(text: &str, base: usize, config: &Config) -> Vec<Block> {
    let _ = (text, base, config);
    Vec::new()
}

/// Parses a whole body that starts at `base`.
pub fn parse(text: &str, base: usize, config: &Config) -> Body {
    Body { blocks: parse_blocks(text, base, config) }
}
