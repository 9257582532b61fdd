//! The one place that converts between LSP types and the core's plain data: positions, ranges, URIs, diagnostics, completion items, hovers.
//!
//! Columns are never counted here: `crate::text` and `Document::offset/position` do it,
//! in the encoding negotiated at `initialize`.

use std::path::{Path, PathBuf};
use std::str::FromStr;

use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::Uri;

use crate::completion::{self, ItemKind};
use crate::diagnostics::{self, Severity};
use crate::document::{Change, Document};
use crate::hover;
use crate::text::{Encoding, LineIndex, Span};

/// Something that maps byte offsets to (line, column): an open document's rope, or a
/// string read from disk with its line index.
pub trait Positions {
    fn position_of(&self, offset: usize, enc: Encoding) -> (u32, u32);
}

impl Positions for Document {
    fn position_of(&self, offset: usize, enc: Encoding) -> (u32, u32) {
        self.position(offset, enc)
    }
}

/// A text that is not held in a rope (a file on disk), with its line index.
pub struct IndexedText<'a> {
    pub text: &'a str,
    pub index: LineIndex,
}

impl<'a> IndexedText<'a> {
    pub fn new(text: &'a str) -> IndexedText<'a> {
        IndexedText { text, index: LineIndex::new(text) }
    }
}

impl Positions for IndexedText<'_> {
    fn position_of(&self, offset: usize, enc: Encoding) -> (u32, u32) {
        self.index.position(self.text, offset, enc)
    }
}

/// The encoding to use, picked among those the client offered: UTF-8 when offered (our
/// text is UTF-8, so it costs nothing), else the client's first known preference, else
/// UTF-16, which every client must support.
pub fn negotiate_encoding(offered: Option<&[lsp::PositionEncodingKind]>) -> Encoding {
    let offered = offered.unwrap_or(&[]);
    if offered.iter().any(|k| k.as_str() == "utf-8") {
        return Encoding::Utf8;
    }
    offered.iter().find_map(encoding_from_kind).unwrap_or(Encoding::Utf16)
}

fn encoding_from_kind(kind: &lsp::PositionEncodingKind) -> Option<Encoding> {
    match kind.as_str() {
        "utf-8" => Some(Encoding::Utf8),
        "utf-16" => Some(Encoding::Utf16),
        "utf-32" => Some(Encoding::Utf32),
        _ => None,
    }
}

pub fn encoding_kind(enc: Encoding) -> lsp::PositionEncodingKind {
    match enc {
        Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
    }
}

/// Byte offset of an LSP position in an open document (clamped by the document).
pub fn offset(doc: &Document, pos: lsp::Position, enc: Encoding) -> usize {
    doc.offset(pos.line, pos.character, enc)
}

pub fn position(text: &impl Positions, offset: usize, enc: Encoding) -> lsp::Position {
    let (line, character) = text.position_of(offset, enc);
    lsp::Position { line, character }
}

pub fn range(text: &impl Positions, span: Span, enc: Encoding) -> lsp::Range {
    lsp::Range { start: position(text, span.start, enc), end: position(text, span.end.max(span.start), enc) }
}

/// One content change of a `didChange`, in the core's terms.
pub fn change(event: lsp::TextDocumentContentChangeEvent) -> Change {
    Change {
        range: event.range.map(|r| ((r.start.line, r.start.character), (r.end.line, r.end.character))),
        text: event.text,
    }
}

/// The path a URI names: the file path for `file:` URIs; for anything else (untitled
/// buffers, other schemes) the URI text itself, which is unique and never on disk.
pub fn uri_to_path(uri: &Uri) -> PathBuf {
    let is_file = uri.scheme().as_str().eq_ignore_ascii_case("file");
    if is_file {
        if let Some(path) = uri.to_file_path() {
            return path.into_owned();
        }
    }
    PathBuf::from(uri.as_str())
}

/// Whether `uri` names a file on disk.
pub fn is_file_uri(uri: &Uri) -> bool {
    uri.scheme().as_str().eq_ignore_ascii_case("file") && uri.to_file_path().is_some()
}

/// The URI of a path: a `file:` URI for absolute paths; a pseudo path made from a
/// non-file URI (see `uri_to_path`) parses back to that URI.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    if path.is_absolute() {
        if let Some(uri) = Uri::from_file_path(path) {
            return Some(uri);
        }
    }
    let text = path.to_str()?;
    if text.contains(':') {
        return Uri::from_str(text).ok();
    }
    None
}

pub fn severity(s: Severity) -> lsp::DiagnosticSeverity {
    match s {
        Severity::Error => lsp::DiagnosticSeverity::ERROR,
        Severity::Warning => lsp::DiagnosticSeverity::WARNING,
        Severity::Information => lsp::DiagnosticSeverity::INFORMATION,
        Severity::Hint => lsp::DiagnosticSeverity::HINT,
    }
}

/// A core diagnostic in LSP terms. `related_location` places a span of another file
/// (open or on disk); entries whose file cannot be read are dropped rather than pointed
/// at the wrong place.
pub fn diagnostic(
    d: &diagnostics::Diagnostic,
    text: &impl Positions,
    enc: Encoding,
    mut related_location: impl FnMut(&Path, Span) -> Option<lsp::Location>,
) -> lsp::Diagnostic {
    let related: Vec<lsp::DiagnosticRelatedInformation> = d
        .related
        .iter()
        .filter_map(|r| {
            let location = related_location(&r.path, r.span)?;
            Some(lsp::DiagnosticRelatedInformation { location, message: r.message.clone() })
        })
        .collect();
    lsp::Diagnostic {
        range: range(text, d.span, enc),
        severity: Some(severity(d.severity)),
        code: Some(lsp::NumberOrString::String(d.code.to_string())),
        source: Some("digest-ls".to_string()),
        message: d.message.clone(),
        related_information: (!related.is_empty()).then_some(related),
        ..Default::default()
    }
}

/// A diagnostic on a configuration file (`digest-ls.toml`).
pub fn config_diagnostic(text: &IndexedText<'_>, span: Span, message: &str, enc: Encoding) -> lsp::Diagnostic {
    lsp::Diagnostic {
        range: range(text, span, enc),
        severity: Some(lsp::DiagnosticSeverity::ERROR),
        code: Some(lsp::NumberOrString::String("config".to_string())),
        source: Some("digest-ls".to_string()),
        message: format!("{message} (the defaults apply)"),
        ..Default::default()
    }
}

fn markdown(value: String) -> lsp::MarkupContent {
    lsp::MarkupContent { kind: lsp::MarkupKind::Markdown, value }
}

pub fn completion_item(item: completion::CompletionItem, range: lsp::Range) -> lsp::CompletionItem {
    let kind = match item.kind {
        ItemKind::Tag => lsp::CompletionItemKind::VALUE,
        ItemKind::Key => lsp::CompletionItemKind::PROPERTY,
        ItemKind::Date => lsp::CompletionItemKind::CONSTANT,
    };
    // Clients filter by the label when there is no filter text: leaving out a copy of
    // it trims a 300-tag list by a tenth.
    let filter_text = item.filter_text.filter(|f| *f != item.label);
    lsp::CompletionItem {
        label: item.label,
        kind: Some(kind),
        detail: item.detail,
        documentation: item.documentation.map(|d| lsp::Documentation::MarkupContent(markdown(d))),
        sort_text: Some(item.sort_text),
        filter_text,
        text_edit: Some(lsp::CompletionTextEdit::Edit(lsp::TextEdit { range, new_text: item.edit.1 })),
        ..Default::default()
    }
}

pub fn completion_response(
    items: Vec<completion::CompletionItem>,
    doc: &Document,
    enc: Encoding,
) -> lsp::CompletionResponse {
    // The items of one list nearly always replace the same span: convert it once.
    let mut last: Option<(Span, lsp::Range)> = None;
    let items = items
        .into_iter()
        .map(|item| {
            let span = item.edit.0;
            let range = match last {
                Some((s, r)) if s == span => r,
                _ => {
                    let r = range(doc, span, enc);
                    last = Some((span, r));
                    r
                }
            };
            completion_item(item, range)
        })
        .collect();
    lsp::CompletionResponse::List(lsp::CompletionList { is_incomplete: false, items })
}

pub fn hover(h: &hover::Hover, doc: &Document, enc: Encoding) -> lsp::Hover {
    lsp::Hover {
        contents: lsp::HoverContents::Markup(markdown(h.markdown.clone())),
        range: Some(range(doc, h.span, enc)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(list: &[&'static str]) -> Vec<lsp::PositionEncodingKind> {
        list.iter().map(|s| lsp::PositionEncodingKind::new(s)).collect()
    }

    #[test]
    fn encoding_is_always_one_the_client_offered() {
        assert_eq!(negotiate_encoding(None), Encoding::Utf16);
        assert_eq!(negotiate_encoding(Some(&[])), Encoding::Utf16);
        assert_eq!(negotiate_encoding(Some(&kinds(&["utf-16"]))), Encoding::Utf16);
        assert_eq!(negotiate_encoding(Some(&kinds(&["utf-32", "utf-16", "utf-8"]))), Encoding::Utf8);
        assert_eq!(negotiate_encoding(Some(&kinds(&["utf-32"]))), Encoding::Utf32);
        assert_eq!(negotiate_encoding(Some(&kinds(&["latin-1", "utf-32", "utf-16"]))), Encoding::Utf32);
        assert_eq!(negotiate_encoding(Some(&kinds(&["latin-1"]))), Encoding::Utf16);
    }

    #[test]
    fn filter_text_is_sent_only_when_it_differs_from_the_label() {
        let item = |label: &str, filter: &str| completion::CompletionItem {
            label: label.into(),
            kind: ItemKind::Tag,
            detail: None,
            documentation: None,
            edit: (Span::new(0, 0), filter.into()),
            sort_text: "000000".into(),
            filter_text: Some(filter.into()),
        };
        let range = lsp::Range::default();
        assert_eq!(completion_item(item("优化", "优化"), range).filter_text, None);
        assert_eq!(completion_item(item("优化", "\"优化\""), range).filter_text.as_deref(), Some("\"优化\""));
    }

    #[test]
    fn ranges_on_cjk_and_emoji() {
        let text = "tags: [\"优化😀\", \"DPO\"]\r\nx";
        let doc = Document::new(text, 1, &crate::config::Config::default());
        let start = text.find("\"DPO\"").unwrap();
        let span = Span::new(start, start + 5);
        let r16 = range(&doc, span, Encoding::Utf16);
        assert_eq!((r16.start.line, r16.start.character, r16.end.character), (0, 15, 20));
        let r8 = range(&doc, span, Encoding::Utf8);
        assert_eq!((r8.start.character, r8.end.character), (start as u32, start as u32 + 5));
        let r32 = range(&doc, span, Encoding::Utf32);
        assert_eq!((r32.start.character, r32.end.character), (14, 19));
        let disk = IndexedText::new(text);
        assert_eq!(range(&disk, span, Encoding::Utf16), r16);
        // Positions past the end clamp instead of panicking.
        assert_eq!(offset(&doc, lsp::Position::new(0, 999), Encoding::Utf16), text.find('\r').unwrap());
        assert_eq!(offset(&doc, lsp::Position::new(99, 0), Encoding::Utf16), text.len());
    }

    #[test]
    fn uris_and_paths() {
        let uri = Uri::from_str("file:///tmp/a%20b/%E4%BC%98.md").unwrap();
        assert_eq!(uri_to_path(&uri), PathBuf::from("/tmp/a b/优.md"));
        assert!(is_file_uri(&uri));
        assert_eq!(path_to_uri(&uri_to_path(&uri)), Some(uri));
        let untitled = Uri::from_str("untitled:Untitled-1").unwrap();
        assert!(!is_file_uri(&untitled));
        assert_eq!(path_to_uri(&uri_to_path(&untitled)), Some(untitled));
    }
}
