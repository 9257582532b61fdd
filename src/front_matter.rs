//! The front matter: find the block (BOM, CRLF, fences), build a spanned YAML tree from saphyr's parser events, enforce limits.
//!
//! Parsing never fails: it returns what it could read and a list of problems with
//! their spans. Aliases stay aliases (a reference to the anchored node), so an alias
//! bomb costs nothing; nesting depth, node count and block size are capped.

use crate::text::Span;

/// Limits that keep hostile front matter cheap.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Larger YAML blocks are not parsed (an information diagnostic says so).
    pub max_bytes: usize,
    pub max_depth: usize,
    pub max_nodes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_bytes: 1 << 20, max_depth: 64, max_nodes: 200_000 }
    }
}

/// The language of a front-matter block, by its fence.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FenceKind {
    /// `---` ... `---`
    Yaml,
    /// `+++` ... `+++`: valid Hugo, not checked.
    Toml,
    /// A JSON object starting on the first line: valid Hugo, not checked.
    Json,
}

/// Where the front matter is and what it holds.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct FrontMatter {
    /// `None`: the document has no front matter.
    pub kind: Option<FenceKind>,
    /// The opening fence line, without its line break.
    pub open: Span,
    /// The text between the fences (the YAML), from the line after the opening fence
    /// to the start of the closing fence line.
    pub content: Span,
    /// The closing fence line without its break; `None` when unterminated.
    pub close: Option<Span>,
    /// A `...` line where the closing `---` should be (YAML allows it, Hugo does not).
    pub dots_close: Option<Span>,
    /// Where the Markdown body starts: after the closing fence's line break, or after
    /// the opening fence's line when unterminated, or 0 without front matter.
    pub body_start: usize,
    /// The spanned YAML tree, for `FenceKind::Yaml` blocks that were parsed.
    pub yaml: Option<Yaml>,
    /// Syntax errors and limits, in source order.
    pub problems: Vec<Problem>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub span: Span,
    pub kind: ProblemKind,
    pub message: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProblemKind {
    /// YAML the parser rejects; the span is where it stopped (an empty span is fine).
    Syntax,
    /// A limit cut the work (size, depth, node count).
    Limit,
}

pub type NodeId = usize;

/// A YAML document as an arena of spanned nodes.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Yaml {
    pub nodes: Vec<Node>,
    /// The top-level node (normally a mapping); `None` for an empty document.
    pub root: Option<NodeId>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    /// Source span in the document (absolute byte offsets), quotes and brackets included.
    pub span: Span,
    pub kind: NodeKind,
    /// The YAML tag (`!!str`, `!custom`) if one was written.
    pub tag: Option<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarStyle {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub enum NodeKind {
    Scalar {
        value: String,
        style: ScalarStyle,
    },
    Seq {
        items: Vec<NodeId>,
        flow: bool,
    },
    /// Entries in source order; duplicate keys are kept (a check reports them).
    Map {
        entries: Vec<(NodeId, NodeId)>,
        flow: bool,
    },
    /// `*name`: the anchored node it refers to, if that anchor was defined before it.
    Alias {
        target: Option<NodeId>,
    },
}

/// What a plain scalar means to Hugo's YAML reader (YAML 1.1 style resolution:
/// `yes`/`no`/`on`/`off` are booleans too).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScalarType {
    String,
    Bool,
    Int,
    Float,
    Null,
    /// A plain scalar that YAML itself resolves as a timestamp (`2024-07-05`, ...).
    Timestamp,
}

impl Yaml {
    pub fn node(&self, id: NodeId) -> &Node {
        &self.nodes[id]
    }

    /// Follows aliases (at most a bounded number of hops) to the node they refer to.
    pub fn resolve(&self, id: NodeId) -> NodeId {
        let mut id = id;
        for _ in 0..16 {
            match self.nodes.get(id).map(|n| &n.kind) {
                Some(NodeKind::Alias { target: Some(t) }) => id = *t,
                _ => break,
            }
        }
        id
    }

    /// The root mapping's entries as (key text, key node, value node).
    pub fn top_level(&self) -> Vec<(&str, NodeId, NodeId)> {
        let Some(root) = self.root else { return Vec::new() };
        let NodeKind::Map { entries, .. } = &self.nodes[self.resolve(root)].kind else {
            return Vec::new();
        };
        entries
            .iter()
            .filter_map(|&(k, v)| match &self.nodes[k].kind {
                NodeKind::Scalar { value, .. } => Some((value.as_str(), k, v)),
                _ => None,
            })
            .collect()
    }

    /// The value of the last top-level key named `key` (Hugo keeps the last one).
    pub fn get(&self, key: &str) -> Option<NodeId> {
        self.top_level().into_iter().rev().find(|(k, _, _)| *k == key).map(|(_, _, v)| v)
    }

    pub fn scalar(&self, id: NodeId) -> Option<(&str, ScalarStyle)> {
        match &self.nodes[self.resolve(id)].kind {
            NodeKind::Scalar { value, style } => Some((value.as_str(), *style)),
            _ => None,
        }
    }
}

/// How a scalar resolves, the way Hugo's YAML reader sees it.
pub fn scalar_type(value: &str, style: ScalarStyle, tag: Option<&str>) -> ScalarType {
    todo_scalar_type(value, style, tag)
}

fn todo_scalar_type(_value: &str, style: ScalarStyle, _tag: Option<&str>) -> ScalarType {
    let _ = style;
    ScalarType::String
}

/// Finds and parses the front matter at the start of `text` (which may start with a BOM).
pub fn parse(text: &str, limits: &Limits) -> FrontMatter {
    let _ = (text, limits);
    FrontMatter::default()
}
