//! The workspace index: what every digest contributes (date, title, tags, topics, citations), updated one file at a time.
//!
//! Architecture invariant: an update costs the size of the file's summary, never the
//! size of the workspace. Nothing here keeps a file's text.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::text::Span;

/// What one digest contributes to the workspace.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct DigestInfo {
    pub date: Option<crate::date::HugoDate>,
    pub title: Option<String>,
    pub tags: Vec<Arc<str>>,
    /// Topic titles in order.
    pub topics: Vec<String>,
    pub citations: Vec<Citation>,
}

/// A reference to a resource in a digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Citation {
    /// The normalised resource key (`resource::key`).
    pub key: Arc<str>,
    pub label: String,
    /// Index into `DigestInfo::topics`.
    pub topic: Option<usize>,
    /// The link's span in its digest.
    pub span: Span,
}

impl DigestInfo {
    pub fn from_analysis(analysis: &Analysis) -> DigestInfo {
        let date = analysis.scalar("date").and_then(|d| crate::date::parse(d).ok());
        let title = analysis.scalar("title").map(str::to_string);
        let mut tags: Vec<Arc<str>> = Vec::new();
        for t in analysis.tags() {
            if !tags.iter().any(|x| **x == *t.value) {
                tags.push(t.value.as_str().into());
            }
        }
        let body = &analysis.body;
        let topics = body.topics().iter().map(|t| t.start.title.clone()).collect();
        let mut citations = Vec::new();
        for (i, block) in body.blocks.iter().enumerate() {
            let topic = body.topic_of_block(i);
            for link in &block.links {
                let Some(key) = body.resolve(link).and_then(crate::resource::key) else { continue };
                let label = block
                    .references
                    .iter()
                    .find(|r| r.link.is_some_and(|l| std::ptr::eq(&block.links[l], link)))
                    .map(|r| r.label.clone())
                    .unwrap_or_default();
                citations.push(Citation { key: key.into(), label, topic, span: link.span });
            }
        }
        DigestInfo { date, title, tags, topics, citations }
    }
}

/// How a tag is used across the workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagStat {
    pub name: Arc<str>,
    /// Number of digests that use it.
    pub count: usize,
    /// The latest date of a digest that uses it.
    pub last: Option<crate::date::HugoDate>,
}

/// Every digest's summary, and reverse maps from tags and resources to digests.
#[derive(Debug, Default)]
pub struct Workspace {
    docs: HashMap<PathBuf, DigestInfo>,
    by_tag: HashMap<Arc<str>, Vec<PathBuf>>,
    by_key: HashMap<Arc<str>, Vec<PathBuf>>,
}

fn remove_one(map: &mut HashMap<Arc<str>, Vec<PathBuf>>, key: &Arc<str>, path: &Path) {
    if let Some(v) = map.get_mut(key) {
        v.retain(|p| p != path);
        if v.is_empty() {
            map.remove(key);
        }
    }
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
    }

    pub fn len(&self) -> usize {
        self.docs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn get(&self, path: &Path) -> Option<&DigestInfo> {
        self.docs.get(path)
    }

    pub fn digests(&self) -> impl Iterator<Item = (&Path, &DigestInfo)> {
        self.docs.iter().map(|(p, d)| (p.as_path(), d))
    }

    /// Replaces what `path` contributes (`None` removes it).
    pub fn update(&mut self, path: &Path, info: Option<DigestInfo>) {
        if let Some(old) = self.docs.remove(path) {
            for t in &old.tags {
                remove_one(&mut self.by_tag, t, path);
            }
            let mut keys: Vec<&Arc<str>> = old.citations.iter().map(|c| &c.key).collect();
            keys.dedup();
            for k in keys {
                remove_one(&mut self.by_key, k, path);
            }
        }
        let Some(info) = info else { return };
        for t in &info.tags {
            self.by_tag.entry(t.clone()).or_default().push(path.to_path_buf());
        }
        for c in &info.citations {
            let v = self.by_key.entry(c.key.clone()).or_default();
            if v.last().map(PathBuf::as_path) != Some(path) {
                v.push(path.to_path_buf());
            }
        }
        self.docs.insert(path.to_path_buf(), info);
    }

    fn stat(&self, name: &Arc<str>, paths: &[PathBuf]) -> TagStat {
        let last = paths.iter().filter_map(|p| self.docs.get(p)?.date).max();
        TagStat { name: name.clone(), count: paths.len(), last }
    }

    /// Usage of one tag (exact spelling).
    pub fn tag(&self, name: &str) -> Option<TagStat> {
        let (k, paths) = self.by_tag.get_key_value(name)?;
        Some(self.stat(k, paths))
    }

    /// Every tag, most used first, then most recently used, then by name.
    pub fn tags(&self) -> Vec<TagStat> {
        let mut out: Vec<TagStat> = self.by_tag.iter().map(|(k, v)| self.stat(k, v)).collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then(b.last.cmp(&a.last)).then(a.name.cmp(&b.name)));
        out
    }

    /// The digests that use a tag.
    pub fn tagged(&self, name: &str) -> &[PathBuf] {
        self.by_tag.get(name).map_or(&[], Vec::as_slice)
    }

    /// Citations of the resource `key`, in every digest, newest digest first.
    pub fn citations(&self, key: &str) -> Vec<(&Path, &DigestInfo, &Citation)> {
        let mut out = Vec::new();
        for p in self.by_key.get(key).map_or(&[][..], Vec::as_slice) {
            if let Some(info) = self.docs.get(p) {
                for c in info.citations.iter().filter(|c| &*c.key == key) {
                    out.push((p.as_path(), info, c));
                }
            }
        }
        out.sort_by(|a, b| b.1.date.cmp(&a.1.date).then(a.0.cmp(b.0)).then(a.2.span.start.cmp(&b.2.span.start)));
        out
    }
}
