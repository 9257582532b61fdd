//! The workspace index: what every digest contributes (date, title, tags, topics, citations), updated one file at a time.
//!
//! Architecture invariant: an update costs the size of the file's summary, never the
//! size of the workspace. Nothing here keeps a file's text.
//!
//! Layout, for 10,000 digests and more: each digest gets a small id; tags and
//! resource keys are interned (one `Arc<str>` per distinct string, shared by every
//! digest that uses it); every tag keeps its count and latest date up to date, so
//! `tags()` costs the vocabulary, not the workspace. Tag member lists keep the ids
//! next to the paths so that a removal scans integers, not paths.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::analysis::Analysis;
use crate::body::{Block, BlockKind, Body, Keep, Resolver};
use crate::config::Config;
use crate::date::HugoDate;
use crate::document::BlockMemo;
use crate::front_matter::FrontMatter;
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

/// A citation in another digest with that digest's path (shared, for related locations) and summary.
pub type EarlierCitation<'a> = (&'a Arc<Path>, &'a DigestInfo, &'a Citation);

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
        let resolver = analysis.body.resolver();
        let mut citations = Vec::with_capacity(analysis.body.blocks.iter().map(|b| b.links.len()).sum());
        let mut labels = Vec::new();
        for (block, topic) in analysis.body.blocks_with_topics() {
            push_citations(block, &resolver, topic, &mut citations, &mut labels);
        }
        DigestInfo::assemble(&analysis.front_matter, topic_titles(analysis), citations)
    }

    /// The index entry of a digest that is not open, from its text: equal to
    /// `from_analysis(&Analysis::for_index(text, config))`, and built without the
    /// analysis when the body can be read straight through (`body::visit_blocks`).
    pub fn read(text: &str, config: &Config) -> DigestInfo {
        let front_matter = crate::front_matter::parse(text, &config.limits);
        let start = front_matter.body_start.min(text.len());
        let (mut citations, mut topics, mut labels) = (Vec::new(), Vec::new(), Vec::new());
        let mut topic = None;
        // A body read straight through defines no link, so a reference link has no
        // target: resolving against no definitions is resolving against its own.
        let nothing = Body::default();
        let resolver = nothing.resolver();
        let read = crate::body::visit_blocks(&text[start..], start, config, Keep::Summary, |block| {
            match &block.kind {
                BlockKind::TopicStart(t) => {
                    topic = Some(topics.len());
                    topics.push(t.title.clone());
                }
                BlockKind::Heading { .. } => topic = None,
                BlockKind::List | BlockKind::Other => {}
            }
            push_citations(block, &resolver, topic, &mut citations, &mut labels);
        });
        if !read {
            let body = crate::body::parse_keeping(&text[start..], start, config, Keep::Summary);
            return DigestInfo::from_analysis(&Analysis { front_matter, body });
        }
        DigestInfo::assemble(&front_matter, topics, citations)
    }

    /// The summary with the topics' titles and the citations given; the rest is read
    /// from the front matter.
    fn assemble(front_matter: &FrontMatter, topics: Vec<String>, mut citations: Vec<Citation>) -> DigestInfo {
        let date = front_matter.scalar("date").and_then(|d| crate::date::parse(d).ok());
        let title = front_matter.scalar("title").map(str::to_string);
        let mut tags: Vec<Arc<str>> = front_matter.tag_values().map(|(value, _)| value.into()).collect();
        dedupe(&mut tags);
        // Summaries live as long as the index: no spare capacity.
        citations.shrink_to_fit();
        tags.shrink_to_fit();
        DigestInfo { date, title, tags, topics, citations }
    }
}

fn topic_titles(analysis: &Analysis) -> Vec<String> {
    analysis.body.topics().iter().map(|t| t.start.title.clone()).collect()
}

/// Appends the citations of one block, with `topic`, to `out`; `labels` is scratch space.
fn push_citations(
    block: &Block,
    resolver: &Resolver<'_>,
    topic: Option<usize>,
    out: &mut Vec<Citation>,
    labels: &mut Vec<Option<usize>>,
) {
    if block.links.is_empty() {
        return;
    }
    // Each link's label: that of the first reference bullet whose target it is (by
    // index into the block's references).
    labels.clear();
    labels.resize(block.links.len(), None);
    for (i, r) in block.references.iter().enumerate() {
        if let Some(slot) = r.link.and_then(|l| labels.get_mut(l)) {
            slot.get_or_insert(i);
        }
    }
    for (link, label) in block.links.iter().zip(labels.iter()) {
        let Some(key) = resolver.target(link).and_then(|(_, f)| f.key.clone()) else { continue };
        let label = label.and_then(|i| block.references.get(i)).map_or("", |r| r.label.as_str());
        out.push(Citation { key, label: label.to_string(), topic, span: link.span });
    }
}

/// The summary of an open document kept per body block, so that a keystroke summarises
/// only the blocks it reparsed; `summarize` always equals `DigestInfo::from_analysis`.
/// A block's citations read the block and, for reference links, the document's link
/// definitions; their topic and the rest of the summary are filled in every time.
#[derive(Clone, Debug, Default)]
pub struct SummaryCache {
    definitions: Vec<(String, String, Arc<crate::resource::UrlFacts>)>,
    /// Per block: whether it has a reference link, and its citations.
    blocks: BlockMemo<(bool, Vec<Citation>)>,
    /// Blocks summarised again by the last run (for tests and benchmarks).
    pub last_computed: usize,
}

impl SummaryCache {
    pub fn new() -> SummaryCache {
        SummaryCache::default()
    }

    /// `DigestInfo::from_analysis(analysis)`, reusing the blocks that `ids`
    /// (`Document::block_ids`) says were only moved since the last call.
    pub fn summarize(&mut self, analysis: &Analysis, ids: &[u64]) -> DigestInfo {
        self.refresh(analysis, ids);
        let mut citations = Vec::new();
        for (topic, moved, cited) in self.citations(analysis) {
            citations.extend(cited.iter().map(|c| Citation { span: c.span.shift(moved), topic, ..c.clone() }));
        }
        DigestInfo::assemble(&analysis.front_matter, topic_titles(analysis), citations)
    }

    /// Makes the index entry of `path` equal `DigestInfo::from_analysis(analysis)`, as
    /// `workspace.update(path, Some(self.summarize(analysis, ids)))` does. Typing mostly
    /// moves citations, or edits the tags or a title, and keeps the date and what is
    /// cited: then the entry is updated in place (`Workspace::update_in_place`), without
    /// building a summary of thousands of citations.
    pub fn update_index(&mut self, analysis: &Analysis, ids: &[u64], path: &Path, workspace: &mut Workspace) {
        self.refresh(analysis, ids);
        if !workspace.update_in_place(path, analysis, self.citations(analysis)) {
            let info = self.summarize(analysis, ids);
            workspace.update(path, Some(info));
        }
        // Take the index's interned keys, so that the next comparison of keys compares
        // pointers, not strings.
        let Some(entry) = workspace.get(path) else { return };
        let mut interned = entry.citations.iter().map(|c| &c.key);
        for (_, cited) in self.blocks.values_mut() {
            for c in cited {
                let Some(key) = interned.next() else { return };
                if !Arc::ptr_eq(&c.key, key) && c.key == *key {
                    c.key = key.clone();
                }
            }
        }
    }

    fn refresh(&mut self, analysis: &Analysis, ids: &[u64]) {
        let definitions = crate::diagnostics::definitions(analysis);
        let same_definitions = definitions == self.definitions;
        self.definitions = definitions;
        let resolver = analysis.body.resolver();
        self.last_computed = self.blocks.refresh(
            &analysis.body.blocks,
            ids,
            |(uses_definitions, _)| same_definitions || !uses_definitions,
            |block| {
                let mut cited = Vec::new();
                push_citations(block, &resolver, None, &mut cited, &mut Vec::new());
                (block.links.iter().any(|l| l.label.is_some()), cited)
            },
        );
    }

    /// Per block in order: its topic, how far it moved since its citations were
    /// computed, and the citations (topic not set, spans not moved).
    fn citations<'a>(&'a self, analysis: &'a Analysis) -> impl Iterator<Item = (Option<usize>, isize, &'a [Citation])> {
        analysis
            .body
            .blocks_with_topics()
            .map(|(_, topic)| topic)
            .zip(self.blocks.values(&analysis.body.blocks))
            .map(|(topic, (moved, (_, cited)))| (topic, moved, cited.as_slice()))
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
    /// The term Hugo files it under (`diagnostics::variant_key`), computed once per tag.
    pub variant: Arc<str>,
}

/// A digest's slot in the index.
type DocId = u32;

/// The index's maps hash with foldhash: SipHash (std's default) was a tenth of
/// indexing, and foldhash still seeds per process, so crafted tags cannot pile up.
type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Debug)]
struct Slot {
    /// Shared by every related location that points into this digest.
    path: Arc<Path>,
    info: DigestInfo,
    /// Updates of this path since its slot was filled (see `Workspace::others_generation`).
    updates: u64,
}

/// The digests that use one tag, with its latest date kept current.
#[derive(Debug, Default)]
struct TagEntry {
    ids: Vec<DocId>,
    last: Option<HugoDate>,
    /// `variant_key` of the tag: Unicode normalisation is too slow to repeat per keystroke.
    variant: Arc<str>,
}

/// Every digest's summary, and reverse maps from tags and resources to digests.
#[derive(Debug, Default)]
pub struct Workspace {
    ids: Map<PathBuf, DocId>,
    slots: Vec<Option<Slot>>,
    free: Vec<DocId>,
    /// The interned tags: the key is the one `Arc` every digest's `tags` shares.
    by_tag: Map<Arc<str>, TagEntry>,
    /// The interned resource keys and the digests citing each (once per digest).
    by_key: Map<Arc<str>, Vec<DocId>>,
    /// The spellings of each term Hugo makes (`diagnostics::variant_key` -> tags).
    by_variant: Map<Arc<str>, Vec<Arc<str>>>,
    /// Counts every `update`.
    generation: u64,
}

/// Whether a digest's tags name one tag twice. A digest has a handful: comparing
/// pairs beats building a hash set for each file indexed; long lists are hashed.
fn has_duplicates(tags: &[Arc<str>]) -> bool {
    if tags.len() <= 16 {
        return tags.iter().enumerate().any(|(i, t)| tags[..i].contains(t));
    }
    let mut seen: Map<&str, ()> = Map::default();
    tags.iter().any(|t| seen.insert(t, ()).is_some())
}

/// Keeps the first of each tag.
fn dedupe(tags: &mut Vec<Arc<str>>) {
    if has_duplicates(tags) {
        let mut seen: Map<Arc<str>, ()> = Map::default();
        tags.retain(|t| seen.insert(t.clone(), ()).is_none());
    }
}

/// Removes one `id` from a member list (order is not kept).
fn remove_id(ids: &mut Vec<DocId>, id: DocId) {
    if let Some(i) = ids.iter().position(|&x| x == id) {
        ids.swap_remove(i);
    }
}

/// The date of digest `id`, for ordering (a slot being withdrawn or filled has none yet
/// and is never compared: it is not in the lists it is being added to or removed from).
/// Where the digest dated `date` at `path` goes in (or is found in) a list of the digests
/// citing one resource. The list is in date order, so the citations before a date are a
/// prefix; digests of one date by path, descending (read backwards, as `citations` lists
/// them), so the order does not depend on the order files were indexed in.
fn place_in(slots: &[Option<Slot>], ids: &[DocId], date: Option<HugoDate>, path: &Path) -> usize {
    let goes_before = |d: DocId| {
        let other = slots.get(d as usize).and_then(Option::as_ref);
        let by_date = other.and_then(|s| s.info.date).cmp(&date);
        by_date.then_with(|| other.map_or(std::cmp::Ordering::Greater, |s| path.cmp(&s.path))).is_lt()
    };
    // Files mostly arrive in date order: appending is the common case.
    if ids.last().is_none_or(|&d| goes_before(d)) {
        ids.len()
    } else {
        ids.partition_point(|&d| goes_before(d))
    }
}

fn date_of(slots: &[Option<Slot>], id: DocId) -> Option<HugoDate> {
    slots.get(id as usize)?.as_ref()?.info.date
}

/// The distinct keys of a digest's citations (a digest may cite a resource twice).
fn distinct_keys(info: &DigestInfo) -> Vec<Arc<str>> {
    let mut keys: Vec<Arc<str>> = info.citations.iter().map(|c| c.key.clone()).collect();
    keys.sort_unstable();
    keys.dedup();
    keys
}

impl Workspace {
    pub fn new() -> Workspace {
        Workspace::default()
    }

    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    fn slot(&self, id: DocId) -> Option<&Slot> {
        self.slots.get(id as usize)?.as_ref()
    }

    pub fn get(&self, path: &Path) -> Option<&DigestInfo> {
        self.slot(*self.ids.get(path)?).map(|s| &s.info)
    }

    pub fn digests(&self) -> impl Iterator<Item = (&Path, &DigestInfo)> {
        self.slots.iter().flatten().map(|s| (&*s.path, &s.info))
    }

    /// A number that changes whenever a digest other than `path` may have changed in the
    /// index, and not when only `path` itself was updated: cached results of `path` that
    /// read the index only for other digests (`cited-before`) stay valid while it stays.
    /// It is `generation` minus the updates of `path`; when `path` leaves the index its
    /// count is lost, which only makes the number jump ahead (a spurious change).
    pub fn others_generation(&self, path: &Path) -> u64 {
        let own = self.ids.get(path).and_then(|&id| self.slot(id)).map_or(0, |s| s.updates);
        self.generation - own
    }

    /// When the entry of `path` has the date and the citations (key, label, topic) of the
    /// summary of `analysis`, whose citations are `blocks` (per block: topic, move,
    /// citations as in `SummaryCache::citations`), makes the entry equal that summary in
    /// place: citation spans, title, topics and tags (the tag maps follow, as in
    /// `replace_in_place`). Returns false, changing nothing, otherwise. Neither spans nor
    /// titles nor topics are in a reverse map.
    fn update_in_place<'a>(
        &mut self,
        path: &Path,
        analysis: &Analysis,
        blocks: impl Iterator<Item = (Option<usize>, isize, &'a [Citation])>,
    ) -> bool {
        let Some(&id) = self.ids.get(path) else { return false };
        let Some(slot) = self.slots.get(id as usize).and_then(Option::as_ref) else { return false };
        let old = &slot.info;
        let date = analysis.scalar("date").and_then(|d| crate::date::parse(d).ok());
        if old.date != date {
            return false;
        }
        let mut spans = Vec::with_capacity(old.citations.len());
        let mut at = old.citations.iter();
        for (topic, moved, cited) in blocks {
            for c in cited {
                let Some(o) = at.next() else { return false };
                if o.key != c.key || o.label != c.label || o.topic != topic {
                    return false;
                }
                spans.push(c.span.shift(moved));
            }
        }
        if at.next().is_some() {
            return false;
        }
        // The tags as `DigestInfo::from_analysis` lists them: the first of each value.
        let mut tags = analysis.tags();
        let mut seen = std::collections::HashSet::new();
        tags.retain(|t| seen.insert(t.value.clone()));
        let same_tags = tags.len() == old.tags.len() && tags.iter().zip(&old.tags).all(|(a, b)| a.value == **b);
        let title = analysis.scalar("title");
        let same_title = old.title.as_deref() == title;
        let topics = analysis.body.topics();
        let same_topics =
            topics.len() == old.topics.len() && topics.iter().zip(&old.topics).all(|(a, b)| a.start.title == *b);
        let title = (!same_title).then(|| title.map(str::to_string));
        let topics = (!same_topics).then(|| topics.iter().map(|t| t.start.title.clone()).collect::<Vec<_>>());
        if !same_tags {
            let mut new_tags: Vec<Arc<str>> = tags.iter().map(|t| Arc::from(t.value.as_str())).collect();
            let Some(slot) = self.slots.get_mut(id as usize).and_then(Option::as_mut) else { return false };
            let old_tags = std::mem::take(&mut slot.info.tags);
            self.withdraw_tags(id, &old_tags, date);
            self.contribute_tags(id, &mut new_tags, date);
            new_tags.shrink_to_fit();
            if let Some(slot) = self.slots.get_mut(id as usize).and_then(Option::as_mut) {
                slot.info.tags = new_tags;
            }
        }
        let Some(slot) = self.slots.get_mut(id as usize).and_then(Option::as_mut) else { return false };
        for (c, span) in slot.info.citations.iter_mut().zip(spans) {
            c.span = span;
        }
        if let Some(title) = title {
            slot.info.title = title;
        }
        if let Some(topics) = topics {
            slot.info.topics = topics;
        }
        // An update of `path` like any other (others' cited-before points at these spans).
        self.generation += 1;
        slot.updates += 1;
        true
    }

    /// Makes room for an index of `files` digests at once (a workspace's first indexing),
    /// so that the maps do not grow, and rehash every path, along the way.
    pub fn reserve(&mut self, files: usize) {
        let more = files.saturating_sub(self.ids.len());
        self.ids.reserve(more);
        self.slots.reserve(more.saturating_sub(self.free.len()));
    }

    /// Replaces what `path` contributes (`None` removes it).
    pub fn update(&mut self, path: &Path, info: Option<DigestInfo>) {
        self.generation += 1;
        let Some(info) = info else {
            if let Some(id) = self.ids.remove(path) {
                self.withdraw(id);
                self.free.push(id);
            }
            return;
        };
        // One lookup of the path: hashing a `Path` walks its bytes one by one, and
        // indexing a workspace comes here for every file.
        let (id, known) = match self.ids.entry(path.to_path_buf()) {
            std::collections::hash_map::Entry::Occupied(e) => (*e.get(), true),
            std::collections::hash_map::Entry::Vacant(e) => {
                let id = self.free.pop().unwrap_or_else(|| {
                    self.slots.push(None);
                    (self.slots.len() - 1) as DocId
                });
                (*e.insert(id), false)
            }
        };
        let updates = self.slot(id).map_or(0, |s| s.updates) + 1;
        if known {
            match self.replace_in_place(id, info) {
                Ok(()) => {}
                Err(info) => {
                    self.withdraw(id);
                    self.contribute(id, path, info);
                }
            }
        } else {
            self.contribute(id, path, info);
        }
        if let Some(slot) = self.slots.get_mut(id as usize).and_then(Option::as_mut) {
            slot.updates = updates;
        }
    }

    /// Stores `info` in slot `id` without touching the citation maps when the digest's
    /// date and cited keys are unchanged (typing moves spans and labels, not those); the
    /// tag maps follow a change of tags. Then an update costs a comparison and the tags,
    /// not a withdrawal and a contribution of thousands of citations (a 1 MB digest).
    fn replace_in_place(&mut self, id: DocId, mut info: DigestInfo) -> Result<(), DigestInfo> {
        let Some(old) = self.slot(id).map(|s| &s.info) else { return Err(info) };
        let same_citations = old.date == info.date
            && old.citations.len() == info.citations.len()
            && old.citations.iter().zip(&info.citations).all(|(a, b)| a.key == b.key);
        if !same_citations {
            return Err(info);
        }
        let same_tags = !has_duplicates(&info.tags) && old.tags == info.tags;
        // Keep sharing the interned strings.
        for (new, old) in info.citations.iter_mut().zip(&old.citations) {
            new.key = old.key.clone();
        }
        let date = info.date;
        let Some(slot) = self.slots.get_mut(id as usize).and_then(Option::as_mut) else { return Err(info) };
        if same_tags {
            info.tags.clone_from(&slot.info.tags);
        } else {
            let old_tags = std::mem::take(&mut slot.info.tags);
            self.withdraw_tags(id, &old_tags, date);
            self.contribute_tags(id, &mut info.tags, date);
        }
        if let Some(slot) = self.slots.get_mut(id as usize).and_then(Option::as_mut) {
            slot.info = info;
        }
        Ok(())
    }

    /// Takes digest `id` out of the reverse maps and empties its slot.
    fn withdraw(&mut self, id: DocId) {
        let Some(slot) = self.slots.get_mut(id as usize).and_then(Option::take) else { return };
        self.withdraw_tags(id, &slot.info.tags, slot.info.date);
        for k in distinct_keys(&slot.info) {
            if let Some(ids) = self.by_key.get_mut(&k) {
                // Keep the date order: shift, do not swap.
                if let Some(i) = ids.iter().position(|&x| x == id) {
                    ids.remove(i);
                }
                if ids.is_empty() {
                    self.by_key.remove(&k);
                }
            }
        }
    }

    /// Takes digest `id` (dated `date`) out of the member lists of `tags`.
    fn withdraw_tags(&mut self, id: DocId, tags: &[Arc<str>], date: Option<HugoDate>) {
        for t in tags {
            let Some(entry) = self.by_tag.get_mut(t) else { continue };
            remove_id(&mut entry.ids, id);
            if entry.ids.is_empty() {
                if let Some(names) = self.by_variant.get_mut(&entry.variant) {
                    names.retain(|n| n != t);
                    if names.is_empty() {
                        self.by_variant.remove(&entry.variant);
                    }
                }
                self.by_tag.remove(t);
            } else if date.is_some() && entry.last == date {
                // The latest use may be gone: ask the remaining digests (ids, no hashing).
                let slots = &self.slots;
                entry.last = entry.ids.iter().filter_map(|&d| slots.get(d as usize)?.as_ref()?.info.date).max();
            }
        }
    }

    /// Dedupes and interns `tags` and adds digest `id` to their member lists.
    fn contribute_tags(&mut self, id: DocId, tags: &mut Vec<Arc<str>>, date: Option<HugoDate>) {
        dedupe(tags);
        for t in tags {
            let name = match self.by_tag.get_key_value(&**t) {
                Some((k, _)) => k.clone(),
                None => t.clone(),
            };
            let by_variant = &mut self.by_variant;
            let entry = self.by_tag.entry(name.clone()).or_insert_with(|| {
                let variant: Arc<str> = crate::diagnostics::variant_key(&name).into();
                by_variant.entry(variant.clone()).or_default().push(name.clone());
                TagEntry { variant, ..TagEntry::default() }
            });
            entry.ids.push(id);
            entry.last = entry.last.max(date);
            *t = name;
        }
    }

    /// Interns `info`'s tags and keys, adds it to the reverse maps and stores it in slot `id`.
    fn contribute(&mut self, id: DocId, path: &Path, mut info: DigestInfo) {
        self.contribute_tags(id, &mut info.tags, info.date);
        let date = info.date;
        for c in &mut info.citations {
            match self.by_key.get_key_value(&*c.key) {
                Some((k, _)) => c.key = k.clone(),
                None => {
                    self.by_key.insert(c.key.clone(), Vec::new());
                }
            }
        }
        // Each cited resource once: interned keys compare by address.
        let mut cited: Vec<&Arc<str>> = info.citations.iter().map(|c| &c.key).collect();
        cited.sort_unstable_by_key(|k| Arc::as_ptr(k) as *const u8);
        cited.dedup_by(|a, b| Arc::ptr_eq(a, b));
        for key in cited {
            let Some(ids) = self.by_key.get_mut(key) else { continue };
            let at = place_in(&self.slots, ids, date, path);
            ids.insert(at, id);
        }
        self.slots[id as usize] = Some(Slot { path: path.into(), info, updates: 0 });
    }

    fn stat(name: &Arc<str>, entry: &TagEntry) -> TagStat {
        TagStat { name: name.clone(), count: entry.ids.len(), last: entry.last, variant: entry.variant.clone() }
    }

    /// Usage of one tag (exact spelling).
    pub fn tag(&self, name: &str) -> Option<TagStat> {
        let (k, entry) = self.by_tag.get_key_value(name)?;
        Some(Workspace::stat(k, entry))
    }

    /// The tags that are spellings of one term (`variant` from `diagnostics::variant_key`).
    pub fn spellings(&self, variant: &str) -> &[Arc<str>] {
        self.by_variant.get(variant).map_or(&[], Vec::as_slice)
    }

    /// Every tag, most used first, then most recently used, then by name.
    pub fn tags(&self) -> Vec<TagStat> {
        let mut out: Vec<TagStat> = self.by_tag.iter().map(|(k, e)| Workspace::stat(k, e)).collect();
        out.sort_unstable_by(|a, b| b.count.cmp(&a.count).then(b.last.cmp(&a.last)).then(a.name.cmp(&b.name)));
        out
    }

    /// Every tag with the digests that use it other than `path` (tags only `path`
    /// uses are left out), in the order of `tags()`; `last` still counts `path`.
    pub fn tags_except(&self, path: &Path) -> Vec<TagStat> {
        let own: &[Arc<str>] = self.get(path).map_or(&[], |d| d.tags.as_slice());
        let mut out: Vec<TagStat> = self
            .by_tag
            .iter()
            .filter_map(|(k, e)| {
                let mut s = Workspace::stat(k, e);
                if own.iter().any(|t| Arc::ptr_eq(t, k)) {
                    s.count -= 1;
                }
                (s.count > 0).then_some(s)
            })
            .collect();
        out.sort_unstable_by(|a, b| b.count.cmp(&a.count).then(b.last.cmp(&a.last)).then(a.name.cmp(&b.name)));
        out
    }

    /// Whether the digest at `path` uses the tag `name` (cheap: no scan of the tag's users).
    pub fn uses(&self, name: &str, path: &Path) -> bool {
        self.get(path).is_some_and(|d| d.tags.iter().any(|t| &**t == name))
    }

    /// The digests that use a tag (in no particular order).
    pub fn tagged(&self, name: &str) -> impl Iterator<Item = &Path> {
        let ids = self.by_tag.get(name).map_or(&[][..], |e| e.ids.as_slice());
        ids.iter().filter_map(|&id| self.slot(id)).map(|s| &*s.path)
    }

    /// Citations of the resource `key`, in every digest, newest digest first.
    /// Citations of `key` in digests dated before `before` (Unix seconds), other than
    /// `except`: those of the newest `cap` digests (at most `cap` citations), newest
    /// first, and how many such digests there are. The digests citing a resource are
    /// kept in date order, so this is a binary search and `cap` steps.
    pub fn earlier_citations(
        &self,
        key: &str,
        before: i64,
        except: &Path,
        cap: usize,
    ) -> (Vec<EarlierCitation<'_>>, usize) {
        let Some((interned, ids)) = self.by_key.get_key_value(key) else { return (Vec::new(), 0) };
        let except = self.ids.get(except).copied();
        let first_dated = ids.partition_point(|&d| date_of(&self.slots, d).is_none());
        let end = ids.partition_point(|&d| date_of(&self.slots, d).is_none_or(|x| x.unix < before));
        let earlier = &ids[first_dated..end];
        // `except` is in `earlier` when it cites `key` (then it is in `ids`, found by a
        // binary search: scanning its citations made checking a big digest quadratic)
        // and is dated before `before`.
        let except_inside = except.and_then(|e| Some((e, self.slot(e)?))).is_some_and(|(e, slot)| {
            slot.info.date.is_some_and(|d| d.unix < before)
                && ids.get(place_in(&self.slots, ids, slot.info.date, &slot.path)) == Some(&e)
        });
        let total = earlier.len() - usize::from(except_inside);
        let mut out = Vec::with_capacity(cap.min(total));
        for &id in earlier.iter().rev().filter(|&&id| Some(id) != except) {
            let Some(slot) = self.slot(id) else { continue };
            for c in slot.info.citations.iter().filter(|c| Arc::ptr_eq(&c.key, interned)) {
                out.push((&slot.path, &slot.info, c));
            }
            if out.len() >= cap {
                break;
            }
        }
        out.truncate(cap);
        (out, total)
    }

    pub fn citations(&self, key: &str) -> Vec<(&Path, &DigestInfo, &Citation)> {
        let Some((interned, ids)) = self.by_key.get_key_value(key) else { return Vec::new() };
        let mut docs: Vec<&Slot> = ids.iter().filter_map(|&id| self.slot(id)).collect();
        // Paths are compared only between different digests of the same date: path
        // comparison walks components and dominated the profile when it ran per pair.
        docs.sort_unstable_by(|a, b| b.info.date.cmp(&a.info.date).then_with(|| a.path.cmp(&b.path)));
        let mut out = Vec::new();
        for slot in docs {
            // A digest's citations are in text order already.
            for c in slot.info.citations.iter().filter(|c| Arc::ptr_eq(&c.key, interned)) {
                out.push((&*slot.path, &slot.info, c));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(unix: i64) -> Option<HugoDate> {
        Some(HugoDate { unix, year: 2024, month: 1, day: 1, offset: None })
    }

    fn info(unix: i64, tags: &[&str], keys: &[&str]) -> DigestInfo {
        DigestInfo {
            date: date(unix),
            tags: tags.iter().map(|t| Arc::from(*t)).collect(),
            citations: keys
                .iter()
                .enumerate()
                .map(|(i, k)| Citation { key: Arc::from(*k), label: String::new(), topic: None, span: Span::empty(i) })
                .collect(),
            ..DigestInfo::default()
        }
    }

    #[test]
    fn counts_dates_and_removal_follow_updates() {
        let mut ws = Workspace::new();
        ws.update(Path::new("/a.md"), Some(info(10, &["DPO", "优化"], &["arxiv:1", "arxiv:1"])));
        ws.update(Path::new("/b.md"), Some(info(20, &["DPO", "DPO"], &["arxiv:1"])));
        assert_eq!(
            ws.tag("DPO"),
            Some(TagStat { name: "DPO".into(), count: 2, last: date(20), variant: "dpo".into() })
        );
        assert_eq!(ws.get(Path::new("/b.md")).unwrap().tags.len(), 1, "duplicates are dropped");
        assert_eq!(ws.citations("arxiv:1").len(), 3);
        // The newest user leaves: the latest date falls back to the other one.
        ws.update(Path::new("/b.md"), Some(info(20, &["优化"], &[])));
        assert_eq!(
            ws.tag("DPO"),
            Some(TagStat { name: "DPO".into(), count: 1, last: date(10), variant: "dpo".into() })
        );
        assert_eq!(ws.tagged("优化").count(), 2);
        assert_eq!(ws.tags_except(Path::new("/a.md")).len(), 1);
        assert!(ws.uses("DPO", Path::new("/a.md")) && !ws.uses("DPO", Path::new("/b.md")));
        ws.update(Path::new("/a.md"), None);
        assert_eq!(ws.tag("DPO"), None);
        assert!(ws.spellings("dpo").is_empty());
        assert!(ws.citations("arxiv:1").is_empty());
        assert_eq!(ws.len(), 1);
        // A freed slot is reused.
        ws.update(Path::new("/c.md"), Some(info(5, &["DPO"], &[])));
        assert_eq!(ws.slots.len(), 2);
        assert_eq!(ws.tagged("DPO").collect::<Vec<_>>(), [Path::new("/c.md")]);
        // The spellings of one term follow their tags.
        ws.update(Path::new("/d.md"), Some(info(30, &["dpo", "ＤＰＯ"], &[])));
        let mut spellings = ws.spellings("dpo").to_vec();
        spellings.sort();
        assert_eq!(spellings, [Arc::<str>::from("DPO"), "dpo".into(), "ＤＰＯ".into()]);
        ws.update(Path::new("/d.md"), None);
        assert_eq!(ws.spellings("dpo"), [Arc::<str>::from("DPO")]);
    }

    #[test]
    fn long_tag_lists_keep_the_first_of_each_tag() {
        // Past 16 tags duplicates are found by hashing instead of comparing pairs.
        let names: Vec<String> = (0..20).map(|i| format!("t{i}")).collect();
        let mut tags: Vec<&str> = names.iter().map(String::as_str).collect();
        tags.extend(["t3", "t19", "新"]);
        let mut ws = Workspace::new();
        ws.reserve(1);
        ws.update(Path::new("/a.md"), Some(info(10, &tags, &[])));
        let kept: Vec<&str> = ws.get(Path::new("/a.md")).unwrap().tags.iter().map(|t| &**t).collect();
        let mut want: Vec<&str> = names.iter().map(String::as_str).collect();
        want.push("新");
        assert_eq!(kept, want);
        assert_eq!(ws.tag("t3").map(|t| t.count), Some(1));
        assert!(!has_duplicates(&ws.get(Path::new("/a.md")).unwrap().tags));
    }

    #[test]
    fn typing_that_keeps_date_tags_and_keys_updates_in_place_like_a_fresh_index() {
        let (a, b) = (Path::new("/a.md"), Path::new("/b.md"));
        let mut ws = Workspace::new();
        ws.update(a, Some(info(10, &["DPO"], &["arxiv:1", "github:x/y"])));
        ws.update(b, Some(info(20, &["DPO", "RL"], &["arxiv:1"])));
        // Typing in a: spans move, labels and the title change; date, tags and keys stay.
        let mut typed = info(10, &["DPO"], &["arxiv:1", "github:x/y"]);
        typed.title = Some("new title".into());
        for c in &mut typed.citations {
            c.span = c.span.shift(5);
            c.label = "文章".into();
        }
        ws.update(a, Some(typed.clone()));
        assert_eq!(ws.get(a), Some(&typed));
        let (ka, kb) = (&ws.get(a).unwrap().citations[0].key, &ws.get(b).unwrap().citations[0].key);
        assert!(Arc::ptr_eq(ka, kb), "keys stay interned");
        let mut fresh = Workspace::new();
        fresh.update(a, Some(typed));
        fresh.update(b, Some(info(20, &["DPO", "RL"], &["arxiv:1"])));
        assert_eq!(ws.tags(), fresh.tags());
        for key in ["arxiv:1", "github:x/y"] {
            let paths =
                |w: &Workspace| w.citations(key).iter().map(|(p, _, c)| (p.to_path_buf(), c.span)).collect::<Vec<_>>();
            assert_eq!(paths(&ws), paths(&fresh), "{key}");
        }
        // A changed key takes the long way, and the maps follow it.
        ws.update(a, Some(info(10, &["DPO"], &["arxiv:2"])));
        assert!(ws.citations("github:x/y").is_empty());
        assert_eq!(ws.citations("arxiv:1").len(), 1);
        assert_eq!(ws.citations("arxiv:2").len(), 1);
        // A changed tag list moves the tag maps only.
        ws.update(a, Some(info(10, &["RL", "新", "RL"], &["arxiv:2"])));
        let mut fresh = Workspace::new();
        fresh.update(a, Some(info(10, &["RL", "新"], &["arxiv:2"])));
        fresh.update(b, Some(info(20, &["DPO", "RL"], &["arxiv:1"])));
        assert_eq!(ws.tags(), fresh.tags());
        assert_eq!(ws.get(a).unwrap().tags.len(), 2, "duplicates are dropped");
        assert!(Arc::ptr_eq(&ws.get(a).unwrap().tags[0], &ws.get(b).unwrap().tags[1]), "tags stay interned");
        assert_eq!(ws.tagged("DPO").collect::<Vec<_>>(), [Path::new("/b.md")]);
        assert_eq!(ws.spellings("新"), [Arc::<str>::from("新")]);
        // So does a changed date (the tag's latest date and the citation order depend on it).
        ws.update(b, Some(info(5, &["DPO", "RL"], &["arxiv:1"])));
        assert_eq!(ws.tag("DPO").unwrap().last, date(5));
        assert_eq!(ws.tag("RL").unwrap().last, date(10));
    }

    #[test]
    fn tags_and_keys_are_interned() {
        let mut ws = Workspace::new();
        ws.update(Path::new("/a.md"), Some(info(1, &["RLHF"], &["github:x/y"])));
        ws.update(Path::new("/b.md"), Some(info(2, &["RLHF"], &["github:x/y"])));
        let (a, b) = (ws.get(Path::new("/a.md")).unwrap(), ws.get(Path::new("/b.md")).unwrap());
        assert!(Arc::ptr_eq(&a.tags[0], &b.tags[0]));
        assert!(Arc::ptr_eq(&a.citations[0].key, &b.citations[0].key));
    }

    #[test]
    fn citation_order_does_not_depend_on_the_order_files_are_indexed() {
        let files: Vec<(String, DigestInfo)> = (0..30i64)
            .map(|i| {
                let keys: &[&str] = if i % 3 == 0 { &["k", "x"] } else { &["k"] };
                // Dates out of name order, some repeated, one missing.
                let d = if i == 7 { None } else { Some((i * 7) % 11) };
                let info = DigestInfo { date: d.and_then(date), ..info(0, &[], keys) };
                (format!("d{i:02}.md"), info)
            })
            .collect();
        let build = |order: &[usize]| {
            let mut ws = Workspace::new();
            for &i in order {
                ws.update(Path::new(&files[i].0), Some(files[i].1.clone()));
            }
            ws
        };
        let forward: Vec<usize> = (0..files.len()).collect();
        let mut shuffled: Vec<usize> = (0..files.len()).map(|i| (i * 17) % files.len()).collect();
        let a = build(&forward);
        let b = build(&shuffled);
        shuffled.reverse();
        let c = build(&shuffled);
        let me = Path::new("d05.md");
        let seen = |ws: &Workspace, before: i64, cap: usize| {
            let (list, total) = ws.earlier_citations("k", before, me, cap);
            let found: Vec<(Option<HugoDate>, PathBuf)> =
                list.iter().map(|(p, d, _)| (d.date, p.to_path_buf())).collect();
            (found, total)
        };
        for before in [0, 3, 6, 11, 99] {
            // Capped inside a run of same-date digests too: which of them are named must not vary.
            for cap in [2, 5, 50] {
                let want = seen(&a, before, cap);
                // Newest first, then by path, as `citations` lists them.
                let key = |(d, p): &(Option<HugoDate>, PathBuf)| (std::cmp::Reverse(*d), p.clone());
                assert!(want.0.windows(2).all(|w| key(&w[0]) < key(&w[1])), "order {:?}", want.0);
                assert_eq!(seen(&b, before, cap), want, "before {before}, cap {cap}");
                assert_eq!(seen(&c, before, cap), want, "before {before}, cap {cap}");
            }
        }
        assert_eq!(a.earlier_citations("k", 99, me, 50).1, 28, "30 digests, minus the undated and `me`");
    }

    #[test]
    fn earlier_citations_agree_with_the_full_list() {
        let mut ws = Workspace::new();
        for i in 0..40i64 {
            // Two citations of `k` in every fifth digest; dates repeat in pairs.
            let keys: &[&str] = if i % 5 == 0 { &["k", "k", "x"] } else { &["k", "y"] };
            ws.update(Path::new(&format!("d{i:02}.md")), Some(info(i / 2, &[], keys)));
        }
        let me = Path::new("d30.md");
        let (newest, total) = ws.earlier_citations("k", 15, me, 5);
        let all: Vec<_> =
            ws.citations("k").into_iter().filter(|(p, d, _)| *p != me && d.date.is_some_and(|d| d.unix < 15)).collect();
        let mut digests: Vec<&Path> = all.iter().map(|(p, _, _)| *p).collect();
        digests.dedup();
        assert_eq!(total, digests.len());
        assert_eq!(newest.len(), 5);
        let dates = |v: &mut dyn Iterator<Item = &DigestInfo>| v.map(|d| d.date).collect::<Vec<_>>();
        assert_eq!(dates(&mut newest.iter().map(|c| c.1)), dates(&mut all[..5].iter().map(|c| c.1)));
        assert_eq!(ws.earlier_citations("k", 0, me, 5), (Vec::new(), 0));
        assert_eq!(ws.earlier_citations("nope", 99, me, 5).1, 0);
        // `x` is cited by every fifth digest (d00 to d35): a digest counts itself out
        // only when it is one of them.
        for (me, expected) in [("d30.md", 7), ("d31.md", 8), ("d35.md", 7), ("d00.md", 7)] {
            let (_, total) = ws.earlier_citations("x", 99, Path::new(me), 5);
            assert_eq!(total, expected, "{me}");
        }
    }
}
