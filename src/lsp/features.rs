//! The LSP side of navigation, symbols, folding, links, rename, code actions and the tag command: read the state, call the core, convert with `convert`.
//!
//! Each function takes the locked state and the request's params and returns the
//! response; none holds anything across an `.await`. Positions, ranges and URIs go
//! through `convert` only. Spans in files that are not open are placed with the
//! file's text on disk, read once per request.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use tower_lsp_server::ls_types as lsp;
use tower_lsp_server::ls_types::Uri;

use super::convert::{self, IndexedText};
use super::guarded;
use super::state::{read_text, OpenDoc, State};
use crate::code_actions::{self, ActionKind, Request, Wanted};
use crate::navigation::{self, Definition, Location};
use crate::rename::{self, FileEdit, Scope};
use crate::symbols::{self, FoldKind, SymbolKind};
use crate::text::Span;
use crate::{config, text};

/// The command that replaces variant tags by the workspace's spelling. Arguments: none
/// (every digest) or the URI of one digest.
pub const CANONICALIZE_TAGS: &str = "digest-ls.canonicalizeTags";
/// Moves the cursor after a quick fix (`tags: [|]`). Arguments: a URI and a position.
pub const SHOW_CURSOR: &str = "digest-ls.showCursor";
/// The commands to list in `executeCommandProvider`.
pub const COMMANDS: &[&str] = &[CANONICALIZE_TAGS, SHOW_CURSOR];
/// At most this many workspace symbols per query.
const SYMBOL_LIMIT: usize = 128;

fn open_doc<'a>(st: &'a State, path: &Path) -> Option<&'a OpenDoc> {
    st.docs.values().find(|d| d.path == path)
}

/// The text of a digest: the open document, else the file on disk.
fn text_of(st: &State, path: &Path) -> Option<String> {
    match open_doc(st, path) {
        Some(od) => Some(od.doc.text()),
        None => read_text(path),
    }
}

/// Places spans of any file: open documents through their rope, other files through
/// their text on disk (read once).
struct Placer<'a> {
    st: &'a State,
    disk: HashMap<PathBuf, Option<String>>,
}

impl<'a> Placer<'a> {
    fn new(st: &'a State) -> Placer<'a> {
        Placer { st, disk: HashMap::new() }
    }

    fn range(&mut self, path: &Path, span: Span) -> Option<lsp::Range> {
        let enc = self.st.encoding;
        if let Some(od) = open_doc(self.st, path) {
            return Some(convert::range(&od.doc, span, enc));
        }
        let text = self.disk.entry(path.to_path_buf()).or_insert_with(|| read_text(path)).as_deref()?;
        Some(convert::range(&IndexedText::new(text), span, enc))
    }

    fn location(&mut self, loc: &Location) -> Option<lsp::Location> {
        let uri = convert::path_to_uri(&loc.path)?;
        Some(lsp::Location { uri, range: self.range(&loc.path, loc.span)? })
    }
}

/// The open digest at `uri`, with the byte offset of `pos` in it.
fn at<'a>(st: &'a State, uri: &Uri, pos: lsp::Position) -> Option<(&'a OpenDoc, usize)> {
    let od = st.docs.get(uri).filter(|od| od.digest)?;
    Some((od, convert::offset(&od.doc, pos, st.encoding)))
}

pub fn references(st: &State, params: &lsp::ReferenceParams) -> Option<Vec<lsp::Location>> {
    let pos = &params.text_document_position;
    let (od, offset) = at(st, &pos.text_document.uri, pos.position)?;
    let config = st.config_for(&od.path);
    let analysis = od.doc.analysis();
    let texts = |p: &Path| text_of(st, p);
    let found =
        guarded("references", || navigation::references(&analysis, &od.path, offset, config, &st.workspace, &texts))?;
    let mut placer = Placer::new(st);
    Some(found.iter().filter_map(|l| placer.location(l)).collect())
}

pub fn goto_definition(st: &State, params: &lsp::GotoDefinitionParams) -> Option<lsp::GotoDefinitionResponse> {
    let pos = &params.text_document_position_params;
    let (od, offset) = at(st, &pos.text_document.uri, pos.position)?;
    let config = st.config_for(&od.path);
    let config_file = st.root_of(&od.path).map(|r| r.path.join(config::FILE_NAME));
    let analysis = od.doc.analysis();
    let texts = |p: &Path| text_of(st, p);
    let found = guarded("definition", || {
        navigation::definition(&analysis, &od.path, offset, config, config_file.as_deref(), &st.workspace, &texts)
    })??;
    let loc = match &found {
        Definition::Vocabulary(l) | Definition::EarliestUse(l) => l,
    };
    Placer::new(st).location(loc).map(lsp::GotoDefinitionResponse::Scalar)
}

fn symbol_kind(kind: SymbolKind) -> lsp::SymbolKind {
    match kind {
        SymbolKind::Headline => lsp::SymbolKind::STRING,
        SymbolKind::Topic => lsp::SymbolKind::CLASS,
        SymbolKind::Reference => lsp::SymbolKind::FIELD,
        SymbolKind::QuickPoints => lsp::SymbolKind::NAMESPACE,
        SymbolKind::QuickPoint => lsp::SymbolKind::KEY,
    }
}

#[allow(deprecated)] // `DocumentSymbol::deprecated` must be written, as `None`.
fn document_symbol(od: &OpenDoc, s: &symbols::Symbol, enc: text::Encoding) -> lsp::DocumentSymbol {
    let range = convert::range(&od.doc, s.span, enc);
    let mut selection = convert::range(&od.doc, s.selection, enc);
    // LSP requires the selection inside the range.
    if selection.start < range.start || selection.end > range.end {
        selection = range;
    }
    lsp::DocumentSymbol {
        name: if s.name.trim().is_empty() { "(untitled)".to_string() } else { s.name.clone() },
        detail: s.detail.clone(),
        kind: symbol_kind(s.kind),
        tags: None,
        deprecated: None,
        range,
        selection_range: selection,
        children: (!s.children.is_empty()).then(|| s.children.iter().map(|c| document_symbol(od, c, enc)).collect()),
    }
}

pub fn document_symbols(st: &State, params: &lsp::DocumentSymbolParams) -> Option<lsp::DocumentSymbolResponse> {
    let od = st.docs.get(&params.text_document.uri).filter(|od| od.digest)?;
    let analysis = od.doc.analysis();
    let found = guarded("document symbols", || symbols::document_symbols(od.doc.rope(), &analysis))?;
    let enc = st.encoding;
    Some(lsp::DocumentSymbolResponse::Nested(found.iter().map(|s| document_symbol(od, s, enc)).collect()))
}

pub fn workspace_symbols(st: &State, params: &lsp::WorkspaceSymbolParams) -> Option<lsp::WorkspaceSymbolResponse> {
    let found =
        guarded("workspace symbols", || symbols::workspace_symbols(&st.workspace, &params.query, SYMBOL_LIMIT))?;
    let mut placer = Placer::new(st);
    let mut titles: HashMap<PathBuf, Vec<Span>> = HashMap::new();
    let mut out = Vec::new();
    for m in found {
        let Some(uri) = convert::path_to_uri(&m.path) else { continue };
        let spans = titles.entry(m.path.clone()).or_insert_with(|| {
            let config = st.config_for(&m.path);
            match open_doc(st, &m.path) {
                Some(od) => od.doc.analysis().body.topics().iter().map(|t| t.start.title_span).collect(),
                None => read_text(&m.path)
                    .map(|t| {
                        let a = crate::analysis::Analysis::for_index(&t, config);
                        a.body.topics().iter().map(|t| t.start.title_span).collect()
                    })
                    .unwrap_or_default(),
            }
        });
        // The index may be a step behind the disk: without the topic, point at the file.
        let location = match spans.get(m.topic).copied().and_then(|s| placer.range(&m.path, s)) {
            Some(range) => lsp::OneOf::Left(lsp::Location { uri, range }),
            None => lsp::OneOf::Right(lsp::WorkspaceLocation { uri }),
        };
        out.push(lsp::WorkspaceSymbol {
            name: m.title.clone(),
            kind: lsp::SymbolKind::CLASS,
            tags: None,
            container_name: Some(symbols::container(&m.path, m.date)),
            location,
            data: None,
        });
    }
    Some(lsp::WorkspaceSymbolResponse::Nested(out))
}

pub fn folding_ranges(st: &State, params: &lsp::FoldingRangeParams) -> Option<Vec<lsp::FoldingRange>> {
    let od = st.docs.get(&params.text_document.uri).filter(|od| od.digest)?;
    let config = st.config_for(&od.path);
    let analysis = od.doc.analysis();
    let found = guarded("folding ranges", || symbols::folding_ranges(od.doc.rope(), &analysis, config))?;
    let enc = st.encoding;
    Some(
        found
            .iter()
            .filter_map(|f| {
                let r = convert::range(&od.doc, f.span, enc);
                (r.end.line > r.start.line).then_some(lsp::FoldingRange {
                    start_line: r.start.line,
                    start_character: None,
                    end_line: r.end.line,
                    end_character: None,
                    kind: match f.kind {
                        FoldKind::FrontMatter => Some(lsp::FoldingRangeKind::Imports),
                        _ => Some(lsp::FoldingRangeKind::Region),
                    },
                    collapsed_text: None,
                })
            })
            .collect(),
    )
}

pub fn document_links(st: &State, params: &lsp::DocumentLinkParams) -> Option<Vec<lsp::DocumentLink>> {
    let od = st.docs.get(&params.text_document.uri).filter(|od| od.digest)?;
    let analysis = od.doc.analysis();
    let found = guarded("document links", || symbols::document_links(&analysis))?;
    let enc = st.encoding;
    Some(
        found
            .iter()
            .filter_map(|l| {
                Some(lsp::DocumentLink {
                    range: convert::range(&od.doc, l.span, enc),
                    target: Some(Uri::from_str(&l.target).ok()?),
                    tooltip: None,
                    data: None,
                })
            })
            .collect(),
    )
}

pub fn prepare_rename(st: &State, params: &lsp::TextDocumentPositionParams) -> Option<lsp::PrepareRenameResponse> {
    let (od, offset) = at(st, &params.text_document.uri, params.position)?;
    let analysis = od.doc.analysis();
    let (span, placeholder) = guarded("prepare rename", || rename::prepare_rename(&analysis, offset))??;
    Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
        range: convert::range(&od.doc, span, st.encoding),
        placeholder,
    })
}

/// A `WorkspaceEdit` from plain edits: with `document_changes`, one text document edit
/// per file, versioned for open documents and unversioned (`null`) for files on disk;
/// else a plain `changes` map. `None` when a file cannot be placed (its URI or text is
/// gone): a partial rename is worse than none.
pub fn workspace_edit(st: &State, edits: &[FileEdit], document_changes: bool) -> Option<lsp::WorkspaceEdit> {
    let mut by_path: BTreeMap<&Path, Vec<&FileEdit>> = BTreeMap::new();
    for e in edits {
        by_path.entry(e.path.as_path()).or_default().push(e);
    }
    let mut placer = Placer::new(st);
    let mut files: Vec<(Uri, Option<i32>, Vec<lsp::TextEdit>)> = Vec::new();
    for (path, edits) in by_path {
        let uri = convert::path_to_uri(path)?;
        let version = open_doc(st, path).map(|od| od.doc.version());
        let mut text_edits = Vec::new();
        for e in edits {
            text_edits.push(lsp::TextEdit { range: placer.range(path, e.span)?, new_text: e.new_text.clone() });
        }
        files.push((uri, version, text_edits));
    }
    if document_changes {
        let edits = files
            .into_iter()
            .map(|(uri, version, edits)| lsp::TextDocumentEdit {
                text_document: lsp::OptionalVersionedTextDocumentIdentifier { uri, version },
                edits: edits.into_iter().map(lsp::OneOf::Left).collect(),
            })
            .collect();
        return Some(lsp::WorkspaceEdit {
            changes: None,
            document_changes: Some(lsp::DocumentChanges::Edits(edits)),
            change_annotations: None,
        });
    }
    let changes = files.into_iter().map(|(uri, _, edits)| (uri, edits)).collect();
    Some(lsp::WorkspaceEdit { changes: Some(changes), document_changes: None, change_annotations: None })
}

/// `textDocument/rename`: `Err` carries a message for an `InvalidParams` error.
pub fn rename(
    st: &State,
    params: &lsp::RenameParams,
    document_changes: bool,
) -> Result<Option<lsp::WorkspaceEdit>, String> {
    let pos = &params.text_document_position;
    let Some((od, offset)) = at(st, &pos.text_document.uri, pos.position) else { return Ok(None) };
    let analysis = od.doc.analysis();
    let texts = |p: &Path| text_of(st, p);
    let found =
        guarded("rename", || rename::rename(&analysis, &od.path, offset, &params.new_name, &st.workspace, &texts))
            .unwrap_or_else(|| Err("internal error".to_string()))?;
    tracing::info!("{}", found.label);
    Ok(workspace_edit(st, &found.edits, document_changes))
}

/// The current local time in RFC 3339 (UTC when the offset cannot be read).
fn now_rfc3339() -> String {
    use time::macros::format_description;
    let now = time::OffsetDateTime::now_local().unwrap_or_else(|_| time::OffsetDateTime::now_utc());
    let fmt = format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second][offset_hour sign:mandatory]:[offset_minute]"
    );
    now.format(&fmt).unwrap_or_else(|_| crate::date::EXAMPLE.to_string())
}

pub fn code_actions(
    st: &State,
    params: &lsp::CodeActionParams,
    document_changes: bool,
) -> Option<lsp::CodeActionResponse> {
    let uri = &params.text_document.uri;
    let od = st.docs.get(uri).filter(|od| od.digest)?;
    let enc = st.encoding;
    let offset = |p: lsp::Position| convert::offset(&od.doc, p, enc);
    let range = Span::new(offset(params.range.start), offset(params.range.end).max(offset(params.range.start)));
    // The client's diagnostics of ours, by code and span.
    let context: Vec<(&lsp::Diagnostic, Wanted)> = params
        .context
        .diagnostics
        .iter()
        .filter_map(|d| {
            let lsp::NumberOrString::String(code) = d.code.as_ref()? else { return None };
            let span = Span::new(offset(d.range.start), offset(d.range.end));
            Some((d, Wanted { code: code.clone(), span }))
        })
        .collect();
    let wanted: Vec<Wanted> = context.iter().map(|(_, w)| w.clone()).collect();
    let analysis = od.doc.analysis();
    // The fixes read the text of the front matter only (the body through the
    // analysis): no copy of a large body per cursor move.
    let head_end = analysis.front_matter.body_start.max(analysis.front_matter.content.end);
    let text = text::Source::slice(od.doc.rope(), 0..head_end);
    let config = st.config_for(&od.path);
    let texts = |p: &Path| text_of(st, p);
    let now = now_rfc3339();
    let req = Request {
        text: &text,
        analysis: &analysis,
        path: &od.path,
        range,
        diagnostics: &wanted,
        config,
        workspace: &st.workspace,
        texts: &texts,
        now: &now,
    };
    let found = guarded("code actions", || code_actions::actions(&req))?;
    let only = params.context.only.as_ref();
    let mut out = Vec::new();
    for a in found {
        let kind = match a.kind {
            ActionKind::QuickFix => lsp::CodeActionKind::QUICKFIX,
            ActionKind::Rewrite => lsp::CodeActionKind::REFACTOR_REWRITE,
        };
        if only.is_some_and(|o| !o.iter().any(|k| kind.as_str().starts_with(k.as_str()))) {
            continue;
        }
        let Some(edit) = workspace_edit(st, &a.edits, document_changes) else { continue };
        let diagnostics: Vec<lsp::Diagnostic> = context
            .iter()
            .filter(|(_, w)| Some(w.code.as_str()) == a.code && Some(w.span) == a.diagnostic)
            .map(|(d, _)| (*d).clone())
            .collect();
        let command = a.cursor.map(|c| cursor_command(uri, c));
        out.push(lsp::CodeActionOrCommand::CodeAction(lsp::CodeAction {
            title: a.title,
            kind: Some(kind),
            diagnostics: (!diagnostics.is_empty()).then_some(diagnostics),
            edit: Some(edit),
            command,
            is_preferred: a.preferred.then_some(true),
            disabled: None,
            data: None,
        }));
    }
    Some(out)
}

/// The command that puts the cursor at byte `cursor` of the text after the edit
/// (the client applies the edit, sends `didChange`, then runs the command).
fn cursor_command(uri: &Uri, cursor: usize) -> lsp::Command {
    lsp::Command {
        title: "Move the cursor".to_string(),
        command: SHOW_CURSOR.to_string(),
        arguments: Some(vec![serde_json::json!(uri.as_str()), serde_json::json!({ "offset": cursor })]),
    }
}

/// What `workspace/executeCommand` asks the server to do next.
#[derive(Debug)]
pub enum CommandResult {
    /// Send `workspace/applyEdit` with this edit.
    ApplyEdit { label: String, edit: lsp::WorkspaceEdit },
    /// Send `window/showDocument` with these params.
    ShowDocument(lsp::ShowDocumentParams),
    /// Nothing to do (unknown command, or nothing to change).
    Nothing,
}

/// `workspace/executeCommand` for `COMMANDS`.
pub fn execute_command(st: &State, params: &lsp::ExecuteCommandParams, document_changes: bool) -> CommandResult {
    let uri_arg = params.arguments.first().and_then(|v| v.as_str()).and_then(|s| Uri::from_str(s).ok());
    match params.command.as_str() {
        CANONICALIZE_TAGS => {
            let scope = match &uri_arg {
                Some(uri) => Scope::File(convert::uri_to_path(uri)),
                None => Scope::Workspace,
            };
            let texts = |p: &Path| text_of(st, p);
            let Some(found) =
                guarded("canonicalising tags", || rename::canonicalize(&scope, None, &st.workspace, &texts))
            else {
                return CommandResult::Nothing;
            };
            if found.edits.is_empty() {
                return CommandResult::Nothing;
            }
            match workspace_edit(st, &found.edits, document_changes) {
                Some(edit) => CommandResult::ApplyEdit { label: found.label, edit },
                None => CommandResult::Nothing,
            }
        }
        SHOW_CURSOR => {
            let Some(uri) = uri_arg else { return CommandResult::Nothing };
            let Some(offset) = params.arguments.get(1).and_then(|v| v.get("offset")).and_then(|v| v.as_u64()) else {
                return CommandResult::Nothing;
            };
            let Some(od) = st.docs.get(&uri) else { return CommandResult::Nothing };
            // By now the client has applied the edit and told us (didChange): the
            // offset is in the current text.
            let pos = convert::position(&od.doc, offset as usize, st.encoding);
            CommandResult::ShowDocument(lsp::ShowDocumentParams {
                uri,
                external: Some(false),
                take_focus: Some(true),
                selection: Some(lsp::Range { start: pos, end: pos }),
            })
        }
        _ => CommandResult::Nothing,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state() -> (State, tokio::sync::mpsc::UnboundedReceiver<super::super::state::Publish>) {
        let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
        (State::new(tx), rx)
    }

    #[test]
    fn rename_edits_open_documents_with_versions_and_utf16_columns() {
        let (mut st, _rx) = state();
        let a = Uri::from_str("untitled:a").unwrap();
        let b = Uri::from_str("untitled:b").unwrap();
        st.open(a.clone(), "markdown", 3, "---\r\ntags: [\"优化😀\", \"DPO\"]\r\n---\r\n");
        st.open(b.clone(), "markdown", 7, "---\ntags:\n  - DPO\n  - 偏好\n---\n");
        let params = lsp::RenameParams {
            text_document_position: lsp::TextDocumentPositionParams {
                text_document: lsp::TextDocumentIdentifier { uri: a.clone() },
                position: lsp::Position::new(1, 17),
            },
            new_name: "偏好".to_string(),
            work_done_progress_params: Default::default(),
        };
        let edit = rename(&st, &params, true).unwrap().unwrap();
        let Some(lsp::DocumentChanges::Edits(files)) = edit.document_changes else { panic!("no document changes") };
        type Summary = Vec<(String, Option<i32>, Vec<(u32, u32, u32, String)>)>;
        let summary: Summary = files
            .iter()
            .map(|f| {
                let edits = f
                    .edits
                    .iter()
                    .map(|e| match e {
                        lsp::OneOf::Left(t) => {
                            (t.range.start.line, t.range.start.character, t.range.end.character, t.new_text.clone())
                        }
                        lsp::OneOf::Right(t) => (0, 0, 0, t.text_edit.new_text.clone()),
                    })
                    .collect();
                (f.text_document.uri.as_str().to_string(), f.text_document.version, edits)
            })
            .collect();
        assert_eq!(
            summary,
            vec![
                ("untitled:a".to_string(), Some(3), vec![(1, 15, 20, "\"偏好\"".to_string())]),
                // Merged: the DPO line goes (from the start of line 2 to the start of line 3).
                ("untitled:b".to_string(), Some(7), vec![(2, 0, 0, String::new())]),
            ]
        );
        let prepare = prepare_rename(
            &st,
            &lsp::TextDocumentPositionParams {
                text_document: lsp::TextDocumentIdentifier { uri: a },
                position: lsp::Position::new(1, 17),
            },
        );
        assert_eq!(
            prepare,
            Some(lsp::PrepareRenameResponse::RangeWithPlaceholder {
                range: lsp::Range::new(lsp::Position::new(1, 16), lsp::Position::new(1, 19)),
                placeholder: "DPO".to_string(),
            })
        );
    }

    #[test]
    fn code_actions_attach_to_the_context_diagnostics() {
        let (mut st, _rx) = state();
        let uri = Uri::from_str("untitled:c").unwrap();
        st.open(uri.clone(), "markdown", 1, "---\ntitle: 😀\ndate: 2024/07/05\ntags: [a]\n---\n");
        let diagnostic = lsp::Diagnostic {
            range: lsp::Range::new(lsp::Position::new(2, 6), lsp::Position::new(2, 16)),
            code: Some(lsp::NumberOrString::String("invalid-date".to_string())),
            message: "x".to_string(),
            ..Default::default()
        };
        let params = lsp::CodeActionParams {
            text_document: lsp::TextDocumentIdentifier { uri: uri.clone() },
            range: diagnostic.range,
            context: lsp::CodeActionContext { diagnostics: vec![diagnostic.clone()], only: None, trigger_kind: None },
            work_done_progress_params: Default::default(),
            partial_result_params: Default::default(),
        };
        let actions = code_actions(&st, &params, true).unwrap();
        let [lsp::CodeActionOrCommand::CodeAction(a)] = actions.as_slice() else { panic!("{actions:?}") };
        assert_eq!(a.title, "Write the date as `2024-07-05`");
        assert_eq!(a.kind, Some(lsp::CodeActionKind::QUICKFIX));
        assert_eq!(a.diagnostics.as_deref(), Some(std::slice::from_ref(&diagnostic)));
        let Some(lsp::DocumentChanges::Edits(files)) = &a.edit.as_ref().unwrap().document_changes else { panic!() };
        assert_eq!(files[0].text_document.version, Some(1));
    }

    #[test]
    fn requests_on_unknown_documents_answer_nothing() {
        let (st, _rx) = state();
        let uri = Uri::from_str("file:///nowhere/x.md").unwrap();
        let id = lsp::TextDocumentIdentifier { uri: uri.clone() };
        assert!(document_symbols(
            &st,
            &lsp::DocumentSymbolParams {
                text_document: id.clone(),
                work_done_progress_params: Default::default(),
                partial_result_params: Default::default()
            }
        )
        .is_none());
        assert!(prepare_rename(
            &st,
            &lsp::TextDocumentPositionParams { text_document: id, position: lsp::Position::new(u32::MAX, u32::MAX) }
        )
        .is_none());
        let cmd = lsp::ExecuteCommandParams {
            command: CANONICALIZE_TAGS.to_string(),
            arguments: vec![],
            work_done_progress_params: Default::default(),
        };
        assert!(matches!(execute_command(&st, &cmd, true), CommandResult::Nothing));
    }
}
