//! The front matter: find the block (BOM, CRLF, fences), build a spanned YAML tree from saphyr's parser events, enforce limits.
//!
//! Parsing never fails: it returns what it could read and a list of problems with
//! their spans. Aliases stay aliases (a reference to the anchored node), so an alias
//! bomb costs nothing; nesting depth, node count and block size are capped.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, Tag};

use crate::text::{floor_char_boundary, Span};

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

impl FrontMatter {
    /// The values and spans of the items of a `tags` sequence (string items only), or
    /// of a non-empty `tags` scalar.
    pub fn tag_values(&self) -> impl Iterator<Item = (&str, Span)> {
        let yaml = self.yaml.as_ref();
        let tags = yaml.and_then(|y| Some((y, y.get("tags")?)));
        let (items, single): (&[_], _) = match tags {
            Some((yaml, tags)) => match &yaml.node(yaml.resolve(tags)).kind {
                NodeKind::Seq { items, .. } => (items.as_slice(), None),
                NodeKind::Scalar { value, .. } if !value.is_empty() => {
                    (&[], Some((value.as_str(), yaml.node(tags).span)))
                }
                _ => (&[], None),
            },
            None => (&[], None),
        };
        let items = items.iter().filter_map(move |&i| {
            let yaml = yaml?;
            let (value, _) = yaml.scalar(i)?;
            Some((value, yaml.node(i).span))
        });
        single.into_iter().chain(items)
    }

    /// A top-level scalar (`title`, `date`, ...).
    pub fn scalar(&self, key: &str) -> Option<&str> {
        let yaml = self.yaml.as_ref()?;
        yaml.scalar(yaml.get(key)?).map(|(v, _)| v)
    }
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

/// How a scalar resolves, the way Hugo's YAML reader (go-yaml v2, YAML 1.1 rules) sees it.
///
/// Quoted and block scalars are strings; an explicit core tag (`!!str`, `!!int`, ...)
/// wins. Plain scalars: `~`, `null` and the empty value are null; `y`, `yes`, `on`,
/// `true` (and their `n`/`no`/`off`/`false` opposites, in three spellings each) are
/// booleans; Go integers (`42`, `0x2a`, `0o52`, `052`, `1_000`) and floats (`1.5`,
/// `.inf`); `2024-07-05` and `2024-07-05T19:31:56+08:00` are timestamps. Note that
/// Hugo decodes a timestamp into its untyped front matter as the string it was
/// written as: `title: 2024-07-05` is the title "2024-07-05".
pub fn scalar_type(value: &str, style: ScalarStyle, tag: Option<&str>) -> ScalarType {
    match tag.map(|t| t.strip_prefix("tag:yaml.org,2002:").map_or(t, |s| s)) {
        Some("!!str" | "str" | "!") => return ScalarType::String,
        Some("!!int" | "int") => return ScalarType::Int,
        Some("!!float" | "float") => return ScalarType::Float,
        Some("!!bool" | "bool") => return ScalarType::Bool,
        Some("!!null" | "null") => return ScalarType::Null,
        Some("!!timestamp" | "timestamp") => return ScalarType::Timestamp,
        _ => {}
    }
    if style != ScalarStyle::Plain {
        return ScalarType::String;
    }
    resolve_plain(value)
}

fn resolve_plain(value: &str) -> ScalarType {
    match value {
        "" | "~" | "null" | "Null" | "NULL" => return ScalarType::Null,
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" | "true" | "True" | "TRUE" | "n" | "N" | "no" | "No"
        | "NO" | "off" | "Off" | "OFF" | "false" | "False" | "FALSE" => return ScalarType::Bool,
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" | "-.inf" | "-.Inf" | "-.INF" | ".nan" | ".NaN"
        | ".NAN" => return ScalarType::Float,
        _ => {}
    }
    // go-yaml only tries numbers and timestamps on values that start like one.
    let Some(&first) = value.as_bytes().first() else { return ScalarType::String };
    if !(first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.')) {
        return ScalarType::String;
    }
    if is_yaml_timestamp(value) {
        return ScalarType::Timestamp;
    }
    let plain: String = if first == b'.' { value.to_string() } else { value.replace('_', "") };
    match go_int(&plain) {
        Some(n) if n <= u64::MAX as u128 => return ScalarType::Int,
        _ => {}
    }
    if is_go_float(&plain) {
        return ScalarType::Float;
    }
    ScalarType::String
}

/// Go's `strconv.ParseInt(s, 0, 64)` digits (sign, `0x`/`0o`/`0b`/leading-`0` octal),
/// as a magnitude; `None` if it is not an integer or does not fit in 128 bits.
pub(crate) fn go_int(s: &str) -> Option<u128> {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (digits, radix) = match s.as_bytes() {
        [b'0', b'x' | b'X', ..] => (&s[2..], 16),
        [b'0', b'o' | b'O', ..] => (&s[2..], 8),
        [b'0', b'b' | b'B', ..] => (&s[2..], 2),
        [b'0', _, ..] => (&s[1..], 8),
        _ => (s, 10),
    };
    if digits.is_empty() {
        return None;
    }
    let mut n: u128 = 0;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        n = n.checked_mul(radix as u128)?.checked_add(d as u128)?;
    }
    Some(n)
}

/// Go's `strconv.ParseFloat` on decimal forms (`1.5`, `.5`, `1e3`, `inf`, `nan`).
fn is_go_float(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") || body.eq_ignore_ascii_case("nan") {
        return true;
    }
    body.bytes().all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'e' | b'E' | b'+' | b'-'))
        && body.bytes().any(|b| b.is_ascii_digit())
        && body.parse::<f64>().is_ok()
}

/// go-yaml v2's timestamps: `2006-1-2`, `2006-1-2T15:4:5.999999999Z07:00` (or `t`),
/// `2006-1-2 15:4:5.999999999`.
fn is_yaml_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    let num = |i: &mut usize, max: usize| {
        let start = *i;
        while *i < b.len() && *i - start < max && b[*i].is_ascii_digit() {
            *i += 1;
        }
        *i > start
    };
    if !(b.len() >= 5 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-') {
        return false;
    }
    let mut i = 5;
    if !(num(&mut i, 2) && b.get(i) == Some(&b'-') && {
        i += 1;
        num(&mut i, 2)
    }) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    let zoned = match b[i] {
        b'T' | b't' => {
            i += 1;
            true
        }
        b' ' => {
            while b.get(i) == Some(&b' ') {
                i += 1;
            }
            false
        }
        _ => return false,
    };
    for k in 0..3 {
        if !num(&mut i, 2) {
            return false;
        }
        if k < 2 {
            if b.get(i) != Some(&b':') {
                return false;
            }
            i += 1;
        }
    }
    if b.get(i) == Some(&b'.') && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        i += 1;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
    }
    if !zoned {
        return i == b.len();
    }
    match b.get(i) {
        Some(b'Z') => i + 1 == b.len(),
        Some(b'+' | b'-') => {
            b.len() == i + 6
                && b[i + 1..i + 3].iter().all(u8::is_ascii_digit)
                && b[i + 3] == b':'
                && b[i + 4..i + 6].iter().all(u8::is_ascii_digit)
        }
        _ => false,
    }
}

/// Finds and parses the front matter at the start of `text` (which may start with a BOM).
///
/// Hugo skips white space (blank lines, indentation) before the opening fence; so do
/// we. A fence line may end with spaces or tabs. Line breaks are `\n`, `\r\n`, `\r`.
pub fn parse(text: &str, limits: &Limits) -> FrontMatter {
    let mut fm = FrontMatter::default();
    let bytes = text.as_bytes();
    let mut at = if text.starts_with('\u{feff}') { 3 } else { 0 };
    while at < bytes.len() && matches!(bytes[at], b' ' | b'\t' | b'\n' | b'\r') {
        at += 1;
    }
    let (open_end, after_open) = line_at(text, at);
    let fence = text[at..open_end].trim_end_matches([' ', '\t']);
    let kind = match fence {
        "---" => FenceKind::Yaml,
        "+++" => FenceKind::Toml,
        _ if fence.starts_with('{') => FenceKind::Json,
        _ => return fm,
    };
    fm.kind = Some(kind);
    fm.open = Span::new(at, open_end);
    if kind == FenceKind::Json {
        find_json_end(text, at, after_open, &mut fm);
        return fm;
    }
    let delim = if kind == FenceKind::Yaml { "---" } else { "+++" };
    fm.content = Span::empty(after_open);
    fm.body_start = after_open;
    let mut pos = after_open;
    while pos < bytes.len() {
        let (end, next) = line_at(text, pos);
        let line = text[pos..end].trim_end_matches([' ', '\t']);
        if line == delim {
            fm.close = Some(Span::new(pos, end));
        } else if kind == FenceKind::Yaml && line == "..." {
            fm.dots_close = Some(Span::new(pos, end));
        }
        if fm.close.is_some() || fm.dots_close.is_some() {
            fm.content = Span::new(after_open, pos);
            fm.body_start = next;
            break;
        }
        pos = next;
    }
    if kind == FenceKind::Yaml && (fm.close.is_some() || fm.dots_close.is_some()) {
        if fm.content.len() > limits.max_bytes {
            fm.problems.push(Problem {
                span: fm.open,
                kind: ProblemKind::Limit,
                message: format!(
                    "The front matter is {} bytes, over the limit of {} bytes: it was not checked \
                     (raise `front-matter-bytes` under `[limits]` in digest-ls.toml to check it).",
                    fm.content.len(),
                    limits.max_bytes
                ),
            });
        } else {
            let (yaml, problems) = Builder::run(text, fm.content, limits);
            fm.yaml = Some(yaml);
            fm.problems = problems;
        }
    }
    fm
}

/// The end of the line starting at `pos` (before its break) and the start of the next.
fn line_at(text: &str, pos: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let mut i = pos.min(bytes.len());
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => return (i, i + 1),
            b'\r' if bytes.get(i + 1) == Some(&b'\n') => return (i, i + 2),
            b'\r' => return (i, i + 1),
            _ => i += 1,
        }
    }
    (i, i)
}

/// A JSON front matter is one object: find its closing brace, outside strings.
fn find_json_end(text: &str, at: usize, after_open: usize, fm: &mut FrontMatter) {
    let bytes = text.as_bytes();
    fm.open = Span::new(at, at + 1);
    let (mut depth, mut in_string, mut escaped) = (0usize, false, false);
    for (i, &b) in bytes.iter().enumerate().skip(at) {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    fm.close = Some(Span::new(i, i + 1));
                    fm.content = Span::new(at, i + 1);
                    fm.body_start = line_at(text, i + 1).1;
                    return;
                }
            }
            _ => {}
        }
    }
    fm.content = Span::new(at, bytes.len());
    fm.body_start = after_open;
}

/// saphyr's markers count characters; this turns them into byte offsets of one text.
/// Positions arrive almost in order, so walking from the last one is O(1) amortised.
struct CharToByte<'a> {
    text: &'a str,
    ascii: bool,
    chars: usize,
    bytes: usize,
}

impl<'a> CharToByte<'a> {
    fn new(text: &'a str) -> Self {
        CharToByte { text, ascii: text.is_ascii(), chars: 0, bytes: 0 }
    }

    fn byte(&mut self, ch: usize) -> usize {
        if self.ascii {
            return ch.min(self.text.len());
        }
        if ch >= self.chars {
            let mut rest = self.text[self.bytes..].chars();
            while self.chars < ch {
                let Some(c) = rest.next() else { break };
                self.bytes += c.len_utf8();
                self.chars += 1;
            }
        } else {
            while self.chars > ch && self.bytes > 0 {
                self.bytes -= 1;
                while !self.text.is_char_boundary(self.bytes) {
                    self.bytes -= 1;
                }
                self.chars -= 1;
            }
        }
        self.bytes
    }
}

/// A container being built.
struct Open {
    id: NodeId,
    flow: bool,
    /// A mapping's key waiting for its value.
    key: Option<NodeId>,
}

/// Builds the spanned tree from saphyr's events, without recursion.
struct Builder<'a> {
    text: &'a str,
    /// The YAML text and its offset in `text`.
    src: &'a str,
    base: usize,
    conv: CharToByte<'a>,
    limits: &'a Limits,
    yaml: Yaml,
    stack: Vec<Open>,
    anchors: HashMap<usize, NodeId>,
    problems: Vec<Problem>,
    documents: usize,
}

impl<'a> Builder<'a> {
    fn run(text: &'a str, content: Span, limits: &'a Limits) -> (Yaml, Vec<Problem>) {
        let src = &text[content.range()];
        let mut b = Builder {
            text,
            src,
            base: content.start,
            conv: CharToByte::new(src),
            limits,
            // About a node per 16 bytes of YAML (`tags: ["a", "b"]` is four): the vector
            // grew four or five times for each front matter indexed.
            yaml: Yaml { nodes: Vec::with_capacity((src.len() / 16).clamp(8, 1024)), root: None },
            stack: Vec::new(),
            anchors: HashMap::new(),
            problems: Vec::new(),
            documents: 0,
        };
        let mut parser = Parser::new_from_str(src);
        while let Some(next) = parser.next_event() {
            let go_on = match next {
                Err(e) => {
                    b.syntax_error(&e);
                    false
                }
                Ok((event, span)) => b.event(event, span),
            };
            if !go_on {
                break;
            }
        }
        while !b.stack.is_empty() {
            b.close(None);
        }
        (b.yaml, b.problems)
    }

    /// Handles one event; `false` stops the build.
    fn event(&mut self, event: Event<'_>, span: saphyr_parser::Span) -> bool {
        let raw = Span::new(self.abs(span.start.index()), self.abs(span.end.index()));
        match event {
            Event::Nothing | Event::StreamStart => true,
            // Hugo reads the first document only.
            Event::DocumentStart(_) => {
                self.documents += 1;
                self.documents == 1
            }
            Event::DocumentEnd | Event::StreamEnd => false,
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    saphyr_parser::ScalarStyle::Plain => ScalarStyle::Plain,
                    saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
                    saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
                    saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
                    saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
                };
                let span = self.scalar_span(raw, style);
                let kind = NodeKind::Scalar { value: value.into_owned(), style };
                self.add(span, kind, tag.as_deref().map(tag_string), anchor)
            }
            Event::SequenceStart(anchor, tag) => self.open(raw, true, tag.as_deref().map(tag_string), anchor),
            Event::MappingStart(anchor, tag) => self.open(raw, false, tag.as_deref().map(tag_string), anchor),
            Event::SequenceEnd | Event::MappingEnd => {
                self.close(Some(raw));
                true
            }
            Event::Alias(anchor) => {
                let target = self.anchors.get(&anchor).copied();
                self.add(raw, NodeKind::Alias { target }, None, 0)
            }
        }
    }

    /// Absolute byte offset of a character index into the YAML text.
    fn abs(&mut self, ch: usize) -> usize {
        self.base + self.conv.byte(ch)
    }

    fn end(&self) -> usize {
        self.base + self.src.len()
    }

    /// Adds a node under the innermost open container; `false` when a limit is hit.
    fn add(&mut self, span: Span, kind: NodeKind, tag: Option<String>, anchor: usize) -> bool {
        if self.yaml.nodes.len() >= self.limits.max_nodes {
            self.limit(
                span,
                format!(
                    "The front matter has more than {} YAML nodes: the rest was not read \
                     (raise `yaml-nodes` under `[limits]` in digest-ls.toml).",
                    self.limits.max_nodes
                ),
            );
            return false;
        }
        let id = self.yaml.nodes.len();
        self.yaml.nodes.push(Node { span, kind, tag });
        if anchor != 0 {
            self.anchors.insert(anchor, id);
        }
        match self.stack.last_mut() {
            None => {
                self.yaml.root.get_or_insert(id);
            }
            Some(open) => match &mut self.yaml.nodes[open.id].kind {
                NodeKind::Seq { items, .. } => items.push(id),
                NodeKind::Map { entries, .. } => match open.key.take() {
                    None => open.key = Some(id),
                    Some(key) => entries.push((key, id)),
                },
                _ => {}
            },
        }
        true
    }

    fn open(&mut self, raw: Span, seq: bool, tag: Option<String>, anchor: usize) -> bool {
        if self.stack.len() >= self.limits.max_depth {
            // A block collection's start is an empty span: underline its `-` or key.
            let span = if raw.is_empty() { self.one_char(raw.start) } else { raw };
            self.limit(
                span,
                format!(
                    "The front matter nests deeper than {} levels: the rest was not read \
                     (raise `yaml-depth` under `[limits]` in digest-ls.toml).",
                    self.limits.max_depth
                ),
            );
            return false;
        }
        let start = self.skip_properties(raw.start, raw.end);
        let flow = matches!(self.text.as_bytes().get(start), Some(b'[' | b'{'));
        let kind =
            if seq { NodeKind::Seq { items: Vec::new(), flow } } else { NodeKind::Map { entries: Vec::new(), flow } };
        if !self.add(Span::empty(start), kind, tag, anchor) {
            return false;
        }
        self.stack.push(Open { id: self.yaml.nodes.len() - 1, flow, key: None });
        true
    }

    /// Closes the innermost container: a flow one ends after its bracket, a block one
    /// (or one cut short by an error) at the end of its last child.
    fn close(&mut self, raw: Option<Span>) {
        let Some(open) = self.stack.pop() else { return };
        let node = &self.yaml.nodes[open.id];
        let start = node.span.start;
        let last_child = match &node.kind {
            NodeKind::Seq { items, .. } => items.last().map(|&i| self.yaml.nodes[i].span.end),
            NodeKind::Map { entries, .. } => {
                entries.last().map(|&(k, v)| self.yaml.nodes[k].span.end.max(self.yaml.nodes[v].span.end))
            }
            _ => None,
        };
        let last_child = last_child.max(open.key.map(|k| self.yaml.nodes[k].span.end));
        let end = match raw {
            Some(raw) if open.flow => raw.end,
            _ if open.flow => last_child.unwrap_or(start + 1),
            _ => last_child.unwrap_or(start),
        };
        self.yaml.nodes[open.id].span.end = end.max(start);
    }

    /// The span of the written scalar: without its anchor and tag, quotes included,
    /// a block scalar from its `|` or `>` to its last non-blank character.
    fn scalar_span(&self, raw: Span, style: ScalarStyle) -> Span {
        let start = self.skip_properties(raw.start, raw.end).min(raw.end.max(raw.start));
        if !matches!(style, ScalarStyle::Literal | ScalarStyle::Folded) {
            return Span::new(start, raw.end.max(start));
        }
        let bytes = self.text.as_bytes();
        let mut end = raw.end.max(start);
        while end > start && bytes[end - 1].is_ascii_whitespace() {
            end -= 1;
        }
        Span::new(self.block_header(start), end)
    }

    /// Skips an anchor (`&a`) and a tag (`!!str`) and the white space after them.
    fn skip_properties(&self, start: usize, limit: usize) -> usize {
        let bytes = self.text.as_bytes();
        let mut i = start;
        while i < limit && matches!(bytes.get(i), Some(b'&' | b'!')) {
            while i < limit && !matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r' | b',' | b'[' | b']' | b'{' | b'}') {
                i += 1;
            }
            while i < limit && matches!(bytes[i], b' ' | b'\t' | b'\n' | b'\r') {
                i += 1;
            }
        }
        floor_char_boundary(self.text, i)
    }

    /// The `|` or `>` header before a block scalar's content starting at `start`.
    fn block_header(&self, start: usize) -> usize {
        let from = floor_char_boundary(self.text, start.saturating_sub(1024).max(self.base));
        let window = &self.text[from..start];
        let Some(p) = window.rfind(['|', '>']) else { return start };
        let rest = window[p + 1..].trim_start_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
        let rest = rest.trim_start_matches([' ', '\t']);
        let rest = match rest.strip_prefix('#') {
            Some(comment) => comment.find(['\n', '\r']).map_or("", |n| &comment[n..]),
            None => rest,
        };
        if rest.chars().all(|c| c.is_ascii_whitespace()) {
            from + p
        } else {
            start
        }
    }

    /// The character at `at` (none at a line break or the end of the YAML).
    fn one_char(&self, at: usize) -> Span {
        let at = floor_char_boundary(self.text, at.min(self.end()));
        let next = self.text[at..self.end()].chars().next().filter(|c| !matches!(c, '\n' | '\r'));
        Span::new(at, at + next.map_or(0, char::len_utf8))
    }

    fn limit(&mut self, span: Span, message: String) {
        self.problems.push(Problem { span, kind: ProblemKind::Limit, message });
    }

    fn syntax_error(&mut self, e: &saphyr_parser::ScanError) {
        let mut at = self.abs(e.marker().index()).min(self.end());
        if e.info() == "recursion limit exceeded" {
            let span = Span::new(at, (at + 1).min(self.end()));
            let message = "The front matter nests deeper than the YAML parser allows: the rest was not read.";
            return self.limit(floor_span(self.text, span), message.to_string());
        }
        // saphyr points near the tab (the value before it, or the text after it):
        // point at the tab itself, on this line if there is one before, else after.
        if e.info().contains("tab") {
            let line_start = self.text[self.base..at].rfind(['\n', '\r']).map_or(self.base, |i| self.base + i + 1);
            at = match self.text[line_start..at].find('\t') {
                Some(i) => line_start + i,
                None => at + self.text[at..self.end()].find('\t').unwrap_or(0),
            };
        }
        // Underline the character at the error, unless it is a line break or the end.
        let span = self.one_char(at);
        let mut message = format!("YAML syntax error: {}", e.info());
        if let Some(hint) = syntax_hint(e.info()) {
            message.push_str(&format!(" ({hint})"));
        }
        if let Some(open) = self.stack.iter().rev().find(|o| o.flow) {
            let start = self.yaml.nodes[open.id].span.start;
            let bracket = if self.text.as_bytes().get(start) == Some(&b'[') { "[" } else { "{" };
            let line = crate::text::LineIndex::new(&self.text[..start]).line_count();
            message
                .push_str(&format!("; inside the `{bracket}` opened on line {line}: is its closing bracket missing?"));
        }
        self.problems.push(Problem { span, kind: ProblemKind::Syntax, message });
    }
}

fn floor_span(text: &str, span: Span) -> Span {
    Span::new(floor_char_boundary(text, span.start), floor_char_boundary(text, span.end))
}

/// What to do about the parser's most common complaints.
fn syntax_hint(info: &str) -> Option<&'static str> {
    let hints: &[(&str, &str)] = &[
        (
            "mapping values are not allowed",
            "a `: ` inside a plain value or a wrong indentation: quote the value or fix the indentation",
        ),
        ("did not find expected key", "check the indentation of this line"),
        ("unknown anchor", "the alias `*name` has no `&name` anchor before it"),
        ("duplicated anchor", "each `&name` anchor must be defined once"),
        ("tab", "YAML does not allow tabs for indentation: use spaces"),
        ("quoted scalar, found unexpected end of stream", "a quoted string is not closed"),
        ("indentation in quoted scalar", "is the closing quote missing? A quoted value that goes on must be indented"),
        (
            "unknown escape character",
            "in double quotes a backslash starts an escape: write `\\\\`, or use single quotes",
        ),
        ("unexpected character", "this character cannot start a plain value: quote the value"),
        ("expected ',' or", "a `,` or the closing bracket is missing"),
        ("did not find expected '-' indicator", "check the indentation of this list"),
    ];
    hints.iter().find(|(k, _)| info.contains(k)).map(|(_, h)| *h)
}

/// `!!str`, `!custom`, or the verbatim tag.
fn tag_string(tag: &Tag) -> String {
    let full = format!("{}{}", tag.handle, tag.suffix);
    if let Some(core) = full.strip_prefix("tag:yaml.org,2002:") {
        return format!("!!{core}");
    }
    if tag.handle == "!" {
        return format!("!{}", tag.suffix);
    }
    full
}

#[cfg(test)]
mod tests {
    use expect_test::{expect, Expect};

    use super::*;

    /// The tree as indented lines `kind `source text``, then the block's spans and problems.
    fn show(text: &str) -> String {
        show_with(text, &Limits::default())
    }

    fn show_with(text: &str, limits: &Limits) -> String {
        let fm = parse(text, limits);
        let mut out = String::new();
        let s = |span: Span| text.get(span.range()).unwrap_or("<bad span>").escape_debug().to_string();
        out.push_str(&format!("{:?} open `{}`", fm.kind, s(fm.open)));
        if let Some(close) = fm.close {
            out.push_str(&format!(" close `{}`", s(close)));
        }
        if let Some(dots) = fm.dots_close {
            out.push_str(&format!(" dots `{}`", s(dots)));
        }
        out.push_str(&format!(
            " content {:?} body `{}`\n",
            fm.content.range(),
            s(Span::new(fm.body_start, text.len()))
        ));
        if let Some(yaml) = &fm.yaml {
            // Iterative walk: (node, depth, prefix).
            let mut todo: Vec<(NodeId, usize, &str)> = yaml.root.map(|r| (r, 0, "")).into_iter().collect();
            while let Some((id, depth, prefix)) = todo.pop() {
                let node = yaml.node(id);
                let tag = node.tag.as_deref().map(|t| format!(" {t}")).unwrap_or_default();
                let what = match &node.kind {
                    NodeKind::Scalar { value, style } => format!("{style:?} {value:?}"),
                    NodeKind::Seq { flow, .. } => format!("seq flow={flow}"),
                    NodeKind::Map { flow, .. } => format!("map flow={flow}"),
                    NodeKind::Alias { target } => format!("alias -> {target:?}"),
                };
                out.push_str(&format!("{}{prefix}#{id} {what}{tag} `{}`\n", "  ".repeat(depth), s(node.span)));
                match &node.kind {
                    NodeKind::Seq { items, .. } => todo.extend(items.iter().rev().map(|&i| (i, depth + 1, "- "))),
                    NodeKind::Map { entries, .. } => {
                        for &(k, v) in entries.iter().rev() {
                            todo.push((v, depth + 1, "v "));
                            todo.push((k, depth + 1, "k "));
                        }
                    }
                    _ => {}
                }
            }
        }
        for p in &fm.problems {
            out.push_str(&format!("{:?} `{}` {:?}: {}\n", p.kind, s(p.span), p.span.range(), p.message));
        }
        out
    }

    fn check(text: &str, expect: Expect) {
        expect.assert_eq(&show(text));
    }

    #[test]
    fn sample_front_matter() {
        check(
            "---\ntitle: \"Adam 优化器; Step-DPO .etc\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [\"优化\", \"角色扮演\", \"DPO\"]\n---\n\n\n## 标题",
            expect![[r#"
                Some(Yaml) open `---` close `---` content 4..115 body `\n\n## 标题`
                #0 map flow=false `title: \"Adam 优化器; Step-DPO .etc\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [\"优化\", \"角色扮演\", \"DPO\"]`
                  k #1 Plain "title" `title`
                  v #2 DoubleQuoted "Adam 优化器; Step-DPO .etc" `\"Adam 优化器; Step-DPO .etc\"`
                  k #3 Plain "date" `date`
                  v #4 Plain "2024-07-05T19:31:56+08:00" `2024-07-05T19:31:56+08:00`
                  k #5 Plain "tags" `tags`
                  v #6 seq flow=true `[\"优化\", \"角色扮演\", \"DPO\"]`
                    - #7 DoubleQuoted "优化" `\"优化\"`
                    - #8 DoubleQuoted "角色扮演" `\"角色扮演\"`
                    - #9 DoubleQuoted "DPO" `\"DPO\"`
            "#]],
        );
    }

    #[test]
    fn bom_blank_lines_and_trailing_spaces() {
        check(
            "\u{feff}\n  \n---  \ntitle: x\n---\t\nbody",
            expect![[r#"
            Some(Yaml) open `---  ` close `---\t` content 13..22 body `body`
            #0 map flow=false `title: x`
              k #1 Plain "title" `title`
              v #2 Plain "x" `x`
        "#]],
        );
    }

    #[test]
    fn crlf_and_lone_cr_spans() {
        check(
            "---\r\ntitle: 优化\r\ntags: [a, b]\r\n---\r\nbody",
            expect![[r#"
            Some(Yaml) open `---` close `---` content 5..34 body `body`
            #0 map flow=false `title: 优化\r\ntags: [a, b]`
              k #1 Plain "title" `title`
              v #2 Plain "优化" `优化`
              k #3 Plain "tags" `tags`
              v #4 seq flow=true `[a, b]`
                - #5 Plain "a" `a`
                - #6 Plain "b" `b`
        "#]],
        );
        check(
            "---\rtitle: 优\rtags: [a]\r---\rbody",
            expect![[r#"
            Some(Yaml) open `---` close `---` content 4..25 body `body`
            #0 map flow=false `title: 优\rtags: [a]`
              k #1 Plain "title" `title`
              v #2 Plain "优" `优`
              k #3 Plain "tags" `tags`
              v #4 seq flow=true `[a]`
                - #5 Plain "a" `a`
        "#]],
        );
    }

    #[test]
    fn fences() {
        check(
            "no front matter\n---\na: 1\n---\n",
            expect![[r#"
            None open `` content 0..0 body `no front matter\n---\na: 1\n---\n`
        "#]],
        );
        check(
            "---\ntitle: x\n...\nbody\n---\n",
            expect![[r#"
            Some(Yaml) open `---` dots `...` content 4..13 body `body\n---\n`
            #0 map flow=false `title: x`
              k #1 Plain "title" `title`
              v #2 Plain "x" `x`
        "#]],
        );
        check(
            "---\ntitle: x\nbody\n",
            expect![[r#"
            Some(Yaml) open `---` content 4..4 body `title: x\nbody\n`
        "#]],
        );
        check(
            "---",
            expect![[r#"
            Some(Yaml) open `---` content 3..3 body ``
        "#]],
        );
        check(
            "---\n---\nbody",
            expect![[r#"
            Some(Yaml) open `---` close `---` content 4..4 body `body`
        "#]],
        );
        check(
            "---\ntitle: a\n----\n---\nbody",
            expect![[r#"
            Some(Yaml) open `---` close `---` content 4..18 body `body`
            #0 map flow=false `title: a`
              k #1 Plain "title" `title`
              v #2 Plain "a" `a`
            Syntax `` 18..18: YAML syntax error: simple key expect ':'
        "#]],
        );
        check(
            "+++\ntitle = \"x\"\n+++\nbody",
            expect![[r#"
            Some(Toml) open `+++` close `+++` content 4..16 body `body`
        "#]],
        );
        check(
            "{\n  \"title\": \"a}\",\n  \"tags\": [\"x\"]\n}\nbody",
            expect![[r#"
            Some(Json) open `{` close `}` content 0..36 body `body`
        "#]],
        );
        check(
            "{ \"title\": \"never closed\"\nbody",
            expect![[r#"
            Some(Json) open `{` content 0..30 body `body`
        "#]],
        );
        check(
            "",
            expect![[r#"
            None open `` content 0..0 body ``
        "#]],
        );
    }

    #[test]
    fn block_styles_anchors_tags() {
        check(
            "---\ntags:\n  - 优化\n  - &d 'DPO'\nb: &m\n  k: !!str 12\nc: *d\nd: |-  # note\n  lit 😀\n\ne: >\n  folded\nf:\ng: !!seq [!custom x, {k: v}]\n---\n",
            expect![[r#"
                Some(Yaml) open `---` close `---` content 4..132 body ``
                #0 map flow=false `tags:\n  - 优化\n  - &d \'DPO\'\nb: &m\n  k: !!str 12\nc: *d\nd: |-  # note\n  lit 😀\n\ne: >\n  folded\nf:\ng: !!seq [!custom x, {k: v}]`
                  k #1 Plain "tags" `tags`
                  v #2 seq flow=false `- 优化\n  - &d \'DPO\'`
                    - #3 Plain "优化" `优化`
                    - #4 SingleQuoted "DPO" `\'DPO\'`
                  k #5 Plain "b" `b`
                  v #6 map flow=false `k: !!str 12`
                    k #7 Plain "k" `k`
                    v #8 Plain "12" !!str `12`
                  k #9 Plain "c" `c`
                  v #10 alias -> Some(4) `*d`
                  k #11 Plain "d" `d`
                  v #12 Literal "lit 😀" `|-  # note\n  lit 😀`
                  k #13 Plain "e" `e`
                  v #14 Folded "folded\n" `>\n  folded`
                  k #15 Plain "f" `f`
                  v #16 Plain "" ``
                  k #17 Plain "g" `g`
                  v #18 seq flow=true !!seq `[!custom x, {k: v}]`
                    - #19 Plain "x" !custom `x`
                    - #20 map flow=true `{k: v}`
                      k #21 Plain "k" `k`
                      v #22 Plain "v" `v`
            "#]],
        );
    }

    #[test]
    fn syntax_errors_at_the_true_position() {
        check(
            "---\ntitle: 优化😀: x\n---\n",
            expect![[r#"
            Some(Yaml) open `---` close `---` content 4..25 body ``
            #0 map flow=false `title: 优化😀`
              k #1 Plain "title" `title`
              v #2 Plain "优化😀" `优化😀`
            Syntax `:` 21..22: YAML syntax error: mapping values are not allowed in this context (a `: ` inside a plain value or a wrong indentation: quote the value or fix the indentation)
        "#]],
        );
        check(
            "---\ntags: [\"优化\", \"DPO\"\ndate: 2024-07-05\n---\n",
            expect![[r#"
            Some(Yaml) open `---` close `---` content 4..44 body ``
            #0 map flow=false `tags: [\"优化\"`
              k #1 Plain "tags" `tags`
              v #2 seq flow=true `[\"优化\"`
                - #3 DoubleQuoted "优化" `\"优化\"`
            Syntax `d` 27..28: YAML syntax error: invalid indentation; inside the `[` opened on line 2: is its closing bracket missing?
        "#]],
        );
        check(
            "---\ntitle: \"优化\n---\n",
            expect![[r#"
            Some(Yaml) open `---` close `---` content 4..19 body ``
            #0 map flow=false `title`
            Syntax `\"` 11..12: YAML syntax error: while scanning a quoted scalar, found unexpected end of stream (a quoted string is not closed)
        "#]],
        );
        check(
            "---\ntitle: x\n\tdate: y\n---\n",
            expect![[r#"
            Some(Yaml) open `---` close `---` content 4..22 body ``
            #0 map flow=false `title`
            Syntax `\t` 13..14: YAML syntax error: while scanning a plain scalar, found a tab (YAML does not allow tabs for indentation: use spaces)
        "#]],
        );
        check(
            "---\r\ntitle: 😀\r\n  bad: [\r\n---\r\n",
            expect![[r#"
            Some(Yaml) open `---` close `---` content 5..28 body ``
            #0 map flow=false `title: 😀\r\n  bad`
              k #1 Plain "title" `title`
              v #2 Plain "😀 bad" `😀\r\n  bad`
            Syntax `:` 23..24: YAML syntax error: mapping values are not allowed in this context (a `: ` inside a plain value or a wrong indentation: quote the value or fix the indentation)
        "#]],
        );
    }

    #[test]
    fn limits() {
        let limits = Limits { max_bytes: 10, max_depth: 3, max_nodes: 6 };
        expect![[r#"
            Some(Yaml) open `---` close `---` content 4..22 body ``
            Limit `---` 0..3: The front matter is 18 bytes, over the limit of 10 bytes: it was not checked (raise `front-matter-bytes` under `[limits]` in digest-ls.toml to check it).
        "#]].assert_eq(&show_with("---\ntitle: 0123456789\n---\n", &limits));
        let limits = Limits { max_bytes: 100, max_depth: 3, max_nodes: 100 };
        expect![[r#"
            Some(Yaml) open `---` close `---` content 4..17 body ``
            #0 map flow=false `a: [[`
              k #1 Plain "a" `a`
              v #2 seq flow=true `[[`
                - #3 seq flow=true `[`
            Limit `[` 9..10: The front matter nests deeper than 3 levels: the rest was not read (raise `yaml-depth` under `[limits]` in digest-ls.toml).
        "#]].assert_eq(&show_with("---\na: [[[[1]]]]\n---\n", &limits));
        let limits = Limits { max_bytes: 100, max_depth: 10, max_nodes: 5 };
        expect![[r#"
            Some(Yaml) open `---` close `---` content 4..20 body ``
            #0 map flow=false `a: [1, 2`
              k #1 Plain "a" `a`
              v #2 seq flow=true `[1, 2`
                - #3 Plain "1" `1`
                - #4 Plain "2" `2`
            Limit `3` 14..15: The front matter has more than 5 YAML nodes: the rest was not read (raise `yaml-nodes` under `[limits]` in digest-ls.toml).
        "#]].assert_eq(&show_with("---\na: [1, 2, 3, 4]\n---\n", &limits));
    }

    #[test]
    fn alias_bomb_stays_small() {
        let mut text = String::from(
            "---\na: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n",
        );
        for i in 0..9u8 {
            let (name, prev) = ((b'b' + i) as char, (b'a' + i) as char);
            text.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(", ")));
        }
        text.push_str("---\n");
        let fm = parse(&text, &Limits::default());
        assert!(fm.problems.is_empty(), "{:?}", fm.problems);
        let yaml = fm.yaml.unwrap();
        // The root, 10 keys, 10 sequences, 9 strings, 81 aliases: nothing expanded.
        assert_eq!(yaml.nodes.len(), 111);
        let j = yaml.get("j").unwrap();
        let NodeKind::Seq { items, .. } = &yaml.node(j).kind else { panic!("j is not a sequence") };
        let i_seq = yaml.get("i").unwrap();
        assert_eq!(yaml.node(items[0]).kind, NodeKind::Alias { target: Some(i_seq) });
        assert_eq!(yaml.resolve(items[0]), i_seq);
    }

    #[test]
    fn deep_nesting_is_cut_without_recursion() {
        let text = format!("---\na: {}{}\n---\nbody", "[".repeat(10_000), "]".repeat(10_000));
        let fm = parse(&text, &Limits::default());
        assert_eq!(fm.problems.len(), 1, "{:?}", fm.problems);
        assert_eq!(fm.problems[0].kind, ProblemKind::Limit);
        // saphyr's scanner looks ahead through the brackets and stops at 255 levels,
        // before the tree reaches `max_depth`: still a limit, on the 256th bracket.
        assert_eq!(fm.problems[0].span, Span::new(4 + 3 + 255, 4 + 3 + 256));
        let block =
            format!("---\n{}x\n---\n", (0..10_000).map(|i| format!("{}k:\n", " ".repeat(i))).collect::<String>());
        let fm = parse(&block, &Limits::default());
        assert_eq!(fm.problems.iter().map(|p| p.kind).collect::<Vec<_>>(), vec![ProblemKind::Limit]);
    }

    #[test]
    fn one_megabyte_line_with_cjk() {
        let items = (0..100_000).map(|i| format!("\"优化{i}\"")).collect::<Vec<_>>().join(", ");
        let text = format!("---\ntitle: 长\ntags: [{items}]\n---\nbody");
        assert!(text.len() > 1_000_000);
        let limits = Limits { max_bytes: 4 << 20, ..Limits::default() };
        let fm = parse(&text, &limits);
        assert!(fm.problems.is_empty(), "{:?}", fm.problems);
        let yaml = fm.yaml.unwrap();
        let NodeKind::Seq { items, .. } = &yaml.node(yaml.get("tags").unwrap()).kind else { panic!() };
        assert_eq!(items.len(), 100_000);
        let last = yaml.node(*items.last().unwrap()).span;
        assert_eq!(&text[last.range()], "\"优化99999\"");
        // Over the default 1 MB limit: not parsed, one limit problem on the opening fence.
        let fm = parse(&text, &Limits::default());
        assert!(fm.yaml.is_none());
        assert_eq!((fm.problems[0].kind, fm.problems[0].span), (ProblemKind::Limit, Span::new(0, 3)));
    }

    #[test]
    fn char_to_byte_both_directions() {
        let text = "a优😀b\r\nc";
        let mut conv = CharToByte::new(text);
        let table = [(0, 0), (2, 4), (3, 8), (1, 1), (4, 9), (6, 11), (7, 12), (99, 12), (0, 0)];
        for (ch, byte) in table {
            assert_eq!(conv.byte(ch), byte, "char {ch}");
        }
    }

    #[test]
    fn scalar_types() {
        use ScalarStyle::*;
        use ScalarType as T;
        let table: &[(&str, ScalarStyle, Option<&str>, ScalarType)] = &[
            ("yes", Plain, None, T::Bool),
            ("y", Plain, None, T::Bool),
            ("Off", Plain, None, T::Bool),
            ("TRUE", Plain, None, T::Bool),
            ("yes", DoubleQuoted, None, T::String),
            ("42", Plain, None, T::Int),
            ("-0x1F", Plain, None, T::Int),
            ("0o17", Plain, None, T::Int),
            ("017", Plain, None, T::Int),
            ("1_000", Plain, None, T::Int),
            ("018", Plain, None, T::Float),
            ("1.5", Plain, None, T::Float),
            (".5", Plain, None, T::Float),
            ("1e3", Plain, None, T::Float),
            ("-.inf", Plain, None, T::Float),
            (".NaN", Plain, None, T::Float),
            ("~", Plain, None, T::Null),
            ("", Plain, None, T::Null),
            ("Null", Plain, None, T::Null),
            ("", SingleQuoted, None, T::String),
            ("2024-07-05", Plain, None, T::Timestamp),
            ("2024-7-5", Plain, None, T::Timestamp),
            ("2024-07-05T19:31:56+08:00", Plain, None, T::Timestamp),
            ("2024-07-05t19:31:56.5Z", Plain, None, T::Timestamp),
            ("2024-07-05 19:31:56", Plain, None, T::Timestamp),
            ("2024-07-05T19:31+08:00", Plain, None, T::String),
            ("2024/07/05", Plain, None, T::String),
            ("2024-07-05", DoubleQuoted, None, T::String),
            ("42", Plain, Some("!!str"), T::String),
            ("x", Plain, Some("!!int"), T::Int),
            ("2024-07-05", Plain, Some("!!timestamp"), T::Timestamp),
            ("42", Plain, Some("!custom"), T::Int),
            ("42", Literal, None, T::String),
            ("优化", Plain, None, T::String),
            ("1.2.3", Plain, None, T::String),
            ("-", Plain, None, T::String),
            ("+", Plain, None, T::String),
            ("infinity", Plain, None, T::String),
        ];
        for &(value, style, tag, want) in table {
            assert_eq!(scalar_type(value, style, tag), want, "{value:?} {style:?} {tag:?}");
        }
    }

    #[test]
    fn scalar_type_from_the_tree() {
        let fm = parse("---\na: !!str 12\nb: yes\n---\n", &Limits::default());
        let yaml = fm.yaml.unwrap();
        let ty = |key: &str| {
            let node = yaml.node(yaml.get(key).unwrap());
            let NodeKind::Scalar { value, style } = &node.kind else { panic!() };
            scalar_type(value, *style, node.tag.as_deref())
        };
        assert_eq!((ty("a"), ty("b")), (ScalarType::String, ScalarType::Bool));
    }

    #[test]
    fn arbitrary_input_never_panics() {
        let pieces = [
            "---", "\n", "\r", "\r\n", "...", "+++", "{", "}", "[", "]", "\"", "'", ":", " ", "\t", "-", "&a", "*a",
            "!!str", "|", ">", "#", "优", "😀", "\u{feff}", "a", "? ", ",",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..3000 {
            let mut text = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = (seed % 40) as usize;
            let mut s = seed;
            for _ in 0..len {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                text.push_str(pieces[(s >> 33) as usize % pieces.len()]);
            }
            let fm = parse(&text, &Limits { max_bytes: 1 << 20, max_depth: 8, max_nodes: 50 });
            for p in &fm.problems {
                assert!(text.get(p.span.range()).is_some(), "bad problem span in {text:?}");
            }
            if let Some(yaml) = &fm.yaml {
                for n in &yaml.nodes {
                    assert!(text.get(n.span.range()).is_some(), "bad node span {:?} in {text:?}", n.span);
                }
            }
            assert!(fm.body_start <= text.len() && text.is_char_boundary(fm.body_start));
        }
    }
}
