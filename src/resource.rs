//! What a URL points to (arXiv paper, GitHub repository, Hugging Face dataset or model, short link, bare IP demo) and a normalised key to find the same resource elsewhere.
//!
//! Everything here reads the URL text only: nothing is ever fetched.

use url::{Host, Url};

/// The kind of resource a link target is.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Resource {
    /// `arxiv.org/abs/ID` or `/pdf/ID`, with the version if one was written.
    Arxiv {
        id: String,
        version: Option<String>,
    },
    /// `github.com/owner/repo`, with the rest of the path if any.
    GitHub {
        owner: String,
        repo: String,
        path: Option<String>,
    },
    HuggingFaceDataset {
        id: String,
    },
    HuggingFaceModel {
        id: String,
    },
    /// `huggingface.co/spaces/owner/name`: a hosted demo.
    HuggingFaceSpace {
        id: String,
    },
    /// A link shortener such as `aka.ms`.
    ShortLink {
        host: String,
    },
    /// A demo on a bare IP address (with the port, if one was written).
    IpDemo {
        host: String,
    },
    Other {
        host: String,
    },
}

/// Link shorteners: the target cannot be known without following the link.
const SHORTENERS: &[&str] = &[
    "aka.ms",
    "bit.ly",
    "t.co",
    "tinyurl.com",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "rebrand.ly",
    "t.ly",
    "cutt.ly",
    "shorturl.at",
    "rb.gy",
    "lnkd.in",
    "t.cn",
    "url.cn",
    "dwz.cn",
];

/// First path segments of github.com that are site pages, not owners.
const GITHUB_RESERVED: &[&str] = &[
    "about",
    "apps",
    "collections",
    "contact",
    "customer-stories",
    "enterprise",
    "explore",
    "features",
    "issues",
    "login",
    "marketplace",
    "new",
    "notifications",
    "orgs",
    "pricing",
    "pulls",
    "search",
    "security",
    "settings",
    "signup",
    "site",
    "sponsors",
    "topics",
    "trending",
];

/// First path segments of huggingface.co that are not model owners.
const HF_RESERVED: &[&str] = &[
    "blog",
    "chat",
    "collections",
    "datasets",
    "docs",
    "enterprise",
    "join",
    "learn",
    "login",
    "models",
    "organizations",
    "papers",
    "posts",
    "pricing",
    "settings",
    "spaces",
    "tasks",
];

/// What the checks and the index need to know about a link target, worked out once when
/// its block is parsed: a 1 MB digest has thousands of links, and parsing their URLs again
/// on every keystroke was most of a keystroke's cost.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UrlFacts {
    /// `key(url)`.
    pub key: Option<std::sync::Arc<str>>,
    /// How the url crate reads the target (surrounding white space ignored).
    pub syntax: UrlSyntax,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum UrlSyntax {
    Empty,
    /// White space inside: Markdown does not make it a link, the url crate would encode it.
    Whitespace,
    Parsed {
        scheme: Box<str>,
        /// The host in lower case without `www.`, if the URL has one.
        host: Option<Box<str>>,
        path: Box<str>,
    },
    /// No scheme: a relative link.
    Relative,
    Invalid(url::ParseError),
}

/// URLs per generation of `UrlFacts::shared`'s cache: it holds at most twice this many.
/// The generated 10k corpus cites 19,000 distinct URLs; with 4,096 a quarter of the
/// lookups missed, a third of them URLs seen before. A full cache is a few MB a thread.
const URL_CACHE_GENERATION: usize = 16384;

/// Shards of the cache shared by all threads: two parser threads seldom want the same
/// shard at once.
const URL_SHARDS: usize = 32;

type UrlMap = std::collections::HashMap<Box<str>, std::sync::Arc<UrlFacts>, foldhash::fast::RandomState>;

/// Two generations: a full young one becomes the old one, and a URL found in the old
/// one moves up, so URLs cited again and again stay (with generations of 4,096, 75 %
/// of lookups on the generated 10k corpus hit, against 61 % when one map was emptied
/// when full).
struct UrlCache {
    young: UrlMap,
    old: UrlMap,
    /// URLs per generation.
    generation: usize,
}

impl UrlCache {
    fn new(generation: usize) -> UrlCache {
        UrlCache { young: UrlMap::default(), old: UrlMap::default(), generation }
    }

    fn get(&mut self, url: &str) -> Option<std::sync::Arc<UrlFacts>> {
        if let Some(facts) = self.young.get(url) {
            return Some(facts.clone());
        }
        let (key, facts) = self.old.remove_entry(url)?;
        self.insert(key, facts.clone());
        Some(facts)
    }

    fn insert(&mut self, key: Box<str>, facts: std::sync::Arc<UrlFacts>) {
        if self.young.len() >= self.generation {
            // The old generation's table is emptied and kept: a new map grew from
            // empty, rehashing, every generation.
            std::mem::swap(&mut self.young, &mut self.old);
            self.young.clear();
        }
        self.young.insert(key, facts);
    }
}

/// Empties the cache that `UrlFacts::shared` shares between threads, so that a
/// benchmark run in a long-lived process starts as cold as a fresh server does.
#[doc(hidden)]
pub fn forget_shared_urls() {
    for shard in url_shards() {
        let mut cache = shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        cache.young.clear();
        cache.old.clear();
    }
}

fn url_shards() -> &'static [std::sync::Mutex<UrlCache>] {
    use std::sync::{LazyLock, Mutex};
    static SHARDS: LazyLock<Vec<Mutex<UrlCache>>> = LazyLock::new(|| {
        (0..URL_SHARDS).map(|_| Mutex::new(UrlCache::new(URL_CACHE_GENERATION / URL_SHARDS))).collect()
    });
    &SHARDS
}

/// The shared level of `UrlFacts::shared`: looked up on a thread's own miss. The URL is
/// parsed outside the lock; if another thread stored it meanwhile, its facts win, so
/// that every thread hands out the same `Arc`.
fn shared_facts(url: &str) -> std::sync::Arc<UrlFacts> {
    use std::hash::BuildHasher;
    use std::sync::Arc;
    let shard = &url_shards()[foldhash::fast::FixedState::default().hash_one(url) as usize % URL_SHARDS];
    let lock = || shard.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(facts) = lock().get(url) {
        return facts;
    }
    let fresh = Arc::new(UrlFacts::of(url));
    let mut cache = lock();
    if let Some(facts) = cache.young.get(url) {
        return facts.clone();
    }
    cache.insert(url.into(), fresh.clone());
    fresh
}

impl UrlFacts {
    /// `UrlFacts::of(url)`, shared: digests cite the same URLs over and over, and
    /// parsing one (plus its four allocations, and their frees) was an eighth of
    /// indexing. A per-thread cache of recent URLs answers most repeats without a
    /// lock; what it misses is looked up in a cache shared by all threads, so that a
    /// URL is parsed once per process rather than once per parser thread (a fresh
    /// server's two parser threads each parsed the 10k corpus's URLs anew).
    pub fn shared(url: &str) -> std::sync::Arc<UrlFacts> {
        use std::cell::RefCell;
        thread_local! {
            static LOCAL: RefCell<UrlCache> = RefCell::new(UrlCache::new(URL_CACHE_GENERATION));
        }
        // A very long URL (a pasted blob) is not worth keeping.
        if url.len() > 2048 {
            return std::sync::Arc::new(UrlFacts::of(url));
        }
        LOCAL.with(|local| {
            let Ok(mut local) = local.try_borrow_mut() else {
                return std::sync::Arc::new(UrlFacts::of(url));
            };
            if let Some(facts) = local.get(url) {
                return facts;
            }
            let facts = shared_facts(url);
            local.insert(url.into(), facts.clone());
            facts
        })
    }

    pub fn of(url: &str) -> UrlFacts {
        let url = url.trim();
        if url.is_empty() {
            return UrlFacts { key: None, syntax: UrlSyntax::Empty };
        }
        if has_whitespace(url) {
            return UrlFacts { key: None, syntax: UrlSyntax::Whitespace };
        }
        match Url::parse(url) {
            Ok(parsed) => {
                let key = web(&parsed).then(|| key_of(&parsed)).flatten().map(Into::into);
                let host = parsed.host_str().map(|h| {
                    // http(s) hosts come lower-cased from the url crate; others are opaque.
                    let lower = if h.bytes().any(|b| !b.is_ascii() || b.is_ascii_uppercase()) {
                        std::borrow::Cow::Owned(h.to_lowercase())
                    } else {
                        std::borrow::Cow::Borrowed(h)
                    };
                    Box::from(lower.strip_prefix("www.").unwrap_or(&lower))
                });
                let syntax = UrlSyntax::Parsed { scheme: parsed.scheme().into(), host, path: parsed.path().into() };
                UrlFacts { key, syntax }
            }
            Err(url::ParseError::RelativeUrlWithoutBase) => UrlFacts { key: None, syntax: UrlSyntax::Relative },
            Err(e) => UrlFacts { key: None, syntax: UrlSyntax::Invalid(e) },
        }
    }
}

/// Recognises a URL; `None` when it does not parse as an http(s) URL with a host.
pub fn classify(url: &str) -> Option<Resource> {
    classify_parsed(&parse(url)?)
}

fn classify_parsed(url: &Url) -> Option<Resource> {
    let host = url.host()?;
    let name = match host {
        Host::Ipv4(_) | Host::Ipv6(_) => {
            let mut host = url.host_str()?.to_string();
            if let Some(port) = url.port() {
                host = format!("{host}:{port}");
            }
            return Some(Resource::IpDemo { host });
        }
        Host::Domain(d) => d.strip_prefix("www.").unwrap_or(d),
    };
    let segments: Vec<&str> = url.path_segments().map(|s| s.filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    let other = || Resource::Other { host: name.to_string() };
    Some(match name {
        "arxiv.org" | "export.arxiv.org" => match arxiv(&segments) {
            Some((id, version)) => Resource::Arxiv { id, version },
            None => other(),
        },
        "github.com" => match segments.as_slice() {
            [owner, repo, rest @ ..] if !GITHUB_RESERVED.contains(owner) => Resource::GitHub {
                owner: owner.to_string(),
                repo: repo.strip_suffix(".git").unwrap_or(repo).to_string(),
                path: (!rest.is_empty()).then(|| rest.join("/")),
            },
            _ => other(),
        },
        "huggingface.co" | "hf.co" => match segments.as_slice() {
            ["datasets", owner, dataset, ..] => Resource::HuggingFaceDataset { id: format!("{owner}/{dataset}") },
            ["datasets", dataset] => Resource::HuggingFaceDataset { id: dataset.to_string() },
            ["spaces", owner, space, ..] => Resource::HuggingFaceSpace { id: format!("{owner}/{space}") },
            [owner, model, ..] if !HF_RESERVED.contains(owner) => {
                Resource::HuggingFaceModel { id: format!("{owner}/{model}") }
            }
            _ => other(),
        },
        _ if SHORTENERS.contains(&name) => Resource::ShortLink { host: name.to_string() },
        _ => other(),
    })
}

/// A key that is equal for URLs that point to the same resource: arXiv abs/pdf and
/// versions, http/https, `www.`, a trailing slash, the fragment. A GitHub link to a
/// repository's front page (`?tab=readme-ov-file#models` included) is the repository;
/// a deeper path (`tree/main/src`) keeps the path.
pub fn key(url: &str) -> Option<String> {
    key_of(&parse(url)?)
}

/// `key` of a URL that `parse` accepted. It is written straight from the URL's parts:
/// going through a [`Resource`] and `format!` cost five allocations a URL, and keys
/// are worked out for every link target of every digest indexed.
fn key_of(url: &Url) -> Option<String> {
    if let Host::Domain(domain) = url.host()? {
        if let Some(key) = site_key(domain.strip_prefix("www.").unwrap_or(domain), url) {
            return Some(key);
        }
    }
    // Anything else (IP demos and short links too) is its host, port, path and query.
    let host = url.host_str()?;
    let host = host.strip_prefix("www.").unwrap_or(host);
    let path = url.path().trim_end_matches('/');
    let query = url.query().filter(|q| !q.is_empty());
    let mut key = String::with_capacity(host.len() + 6 + path.len() + query.map_or(0, |q| 1 + q.len()));
    key.push_str(host);
    if let Some(port) = url.port() {
        key.push(':');
        key.push_str(&port.to_string());
    }
    key.push_str(path);
    if let Some(q) = query {
        key.push('?');
        key.push_str(q);
    }
    Some(key)
}

/// The key of a link to an arXiv paper, a GitHub repository or a Hugging Face
/// dataset, space or model (as [`classify_parsed`] recognises them); `None` for any
/// other link, whose key is its address.
fn site_key(name: &str, url: &Url) -> Option<String> {
    if !matches!(name, "arxiv.org" | "export.arxiv.org" | "github.com" | "huggingface.co" | "hf.co") {
        return None;
    }
    let segments: Vec<&str> = url.path_segments().map(|s| s.filter(|s| !s.is_empty()).collect()).unwrap_or_default();
    // GitHub and Hugging Face names are case-insensitive; paths are not.
    let named = |prefix: &str, parts: &[&str]| {
        let mut key = String::with_capacity(prefix.len() + parts.iter().map(|p| p.len() + 1).sum::<usize>());
        key.push_str(prefix);
        for (i, part) in parts.iter().enumerate() {
            if i > 0 {
                key.push('/');
            }
            push_lowercase(&mut key, part);
        }
        key
    };
    match name {
        "arxiv.org" | "export.arxiv.org" => {
            let raw = arxiv_raw(&segments)?;
            let (id, _) = arxiv_split(&raw)?;
            Some(["arxiv:", id].concat())
        }
        "github.com" => match segments.as_slice() {
            [owner, repo, rest @ ..] if !GITHUB_RESERVED.contains(owner) => {
                let mut key = named("github:", &[owner, repo.strip_suffix(".git").unwrap_or(repo)]);
                // Segments are never empty and hold no `/`: the path needs no trimming.
                for segment in rest {
                    key.push('/');
                    key.push_str(segment);
                }
                Some(key)
            }
            _ => None,
        },
        _ => match segments.as_slice() {
            ["datasets", owner, dataset, ..] => Some(named("hf-dataset:", &[owner, dataset])),
            ["datasets", dataset] => Some(named("hf-dataset:", &[dataset])),
            ["spaces", owner, space, ..] => Some(named("hf-space:", &[owner, space])),
            [owner, model, ..] if !HF_RESERVED.contains(owner) => Some(named("hf:", &[owner, model])),
            _ => None,
        },
    }
}

/// Appends `s` lower-cased. A URL's path and host are ASCII (the url crate
/// percent-encodes the rest), so the full Unicode mapping is seldom needed.
fn push_lowercase(out: &mut String, s: &str) {
    if s.is_ascii() {
        let start = out.len();
        out.push_str(s);
        out[start..].make_ascii_lowercase();
    } else {
        out.push_str(&s.to_lowercase());
    }
}

/// `s.chars().any(char::is_whitespace)`, without decoding characters when `s` is ASCII.
fn has_whitespace(s: &str) -> bool {
    if s.is_ascii() {
        s.bytes().any(|b| matches!(b, b'\t' | b'\n' | 0x0b | 0x0c | b'\r' | b' '))
    } else {
        s.chars().any(char::is_whitespace)
    }
}

/// An http(s) URL with a host. Surrounding white space is ignored; inner white space
/// is not a URL (the url crate would quietly percent-encode it).
fn parse(url: &str) -> Option<Url> {
    let url = url.trim();
    if has_whitespace(url) {
        return None;
    }
    let parsed = Url::parse(url).ok()?;
    web(&parsed).then_some(parsed)
}

/// An http(s) URL with a host.
fn web(url: &Url) -> bool {
    matches!(url.scheme(), "http" | "https") && !url.host_str().is_none_or(str::is_empty)
}

/// The arXiv id and version in `abs/ID`, `pdf/ID`, `pdf/ID.pdf`, `html/ID`, for
/// new-style (`2402.00658v2`) and old-style (`hep-th/9901001`) ids.
fn arxiv(segments: &[&str]) -> Option<(String, Option<String>)> {
    let raw = arxiv_raw(segments)?;
    let (id, version) = arxiv_split(&raw)?;
    Some((id.to_string(), version.map(str::to_string)))
}

/// What follows `abs/`, `pdf/` or `html/`: one segment for new-style ids (borrowed),
/// two for old-style ones.
fn arxiv_raw<'a>(segments: &[&'a str]) -> Option<std::borrow::Cow<'a, str>> {
    let (kind, rest) = segments.split_first()?;
    if !matches!(*kind, "abs" | "pdf" | "html") {
        return None;
    }
    Some(match rest {
        [one] => std::borrow::Cow::Borrowed(*one),
        _ => std::borrow::Cow::Owned(rest.join("/")),
    })
}

/// The id and version in `raw` (from [`arxiv_raw`]), if it is an arXiv id.
fn arxiv_split(raw: &str) -> Option<(&str, Option<&str>)> {
    let raw = raw.strip_suffix(".pdf").unwrap_or(raw);
    let (id, version) = split_version(raw);
    valid_arxiv_id(id).then_some((id, version))
}

/// `2402.00658v2` -> (`2402.00658`, `v2`).
fn split_version(id: &str) -> (&str, Option<&str>) {
    if let Some(v) = id.rfind('v') {
        let digits = &id[v + 1..];
        if v > 0 && !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
            return (&id[..v], Some(&id[v..]));
        }
    }
    (id, None)
}

fn valid_arxiv_id(id: &str) -> bool {
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if let Some((yymm, num)) = id.split_once('.') {
        if yymm.len() == 4 && all_digits(yymm) && (4..=5).contains(&num.len()) && all_digits(num) {
            return true;
        }
    }
    // Old style: `archive(.SUBJ)/YYMMNNN`.
    match id.split_once('/') {
        Some((archive, num)) => {
            let name = archive.split('.').next().unwrap_or("");
            !name.is_empty()
                && name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-')
                && num.len() == 7
                && all_digits(num)
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_url_facts_equal_fresh_ones_and_are_shared() {
        let urls =
            ["https://arxiv.org/abs/2406.16838", " https://www.GitHub.com/a/b ", "", "a b", "./x.md", "http://[::1"];
        for url in urls {
            let first = UrlFacts::shared(url);
            assert_eq!(*first, UrlFacts::of(url), "{url:?}");
            assert!(std::sync::Arc::ptr_eq(&first, &UrlFacts::shared(url)), "{url:?} is answered from the cache");
        }
        let long = format!("https://example.com/{}", "x".repeat(3000));
        assert_eq!(*UrlFacts::shared(&long), UrlFacts::of(&long));
        assert!(!std::sync::Arc::ptr_eq(&UrlFacts::shared(&long), &UrlFacts::shared(&long)), "long URLs are not kept");
    }

    #[test]
    fn url_cache_keeps_urls_in_use_and_stays_bounded() {
        let url = "https://kept.example/paper";
        let kept = UrlFacts::shared(url);
        for i in 0..URL_CACHE_GENERATION {
            UrlFacts::shared(&format!("https://a.example/{i}"));
        }
        assert!(std::sync::Arc::ptr_eq(&kept, &UrlFacts::shared(url)), "found in the old generation, moved up");
        // Enough for two generations of this thread's cache and of every shard of the
        // shared one (a shard gets about one URL in 32).
        for i in 0..4 * URL_CACHE_GENERATION {
            UrlFacts::shared(&format!("https://b.example/{i}"));
        }
        assert!(!std::sync::Arc::ptr_eq(&kept, &UrlFacts::shared(url)), "two generations later it is gone");
    }

    #[test]
    fn threads_share_url_facts_until_forgotten() {
        let url = "https://shared.example/paper-for-two-threads";
        let first = UrlFacts::shared(url);
        let other = std::thread::spawn(move || UrlFacts::shared(url)).join().unwrap();
        assert!(std::sync::Arc::ptr_eq(&first, &other), "a new thread finds the URL in the shared level");
        forget_shared_urls();
        let fresh = shared_facts(url);
        assert!(!std::sync::Arc::ptr_eq(&first, &fresh), "parsed again once forgotten");
        assert_eq!(*fresh, *first);
        assert!(std::sync::Arc::ptr_eq(&fresh, &shared_facts(url)), "and shared again");
    }

    #[test]
    fn url_facts_read_the_url_once() {
        let f = UrlFacts::of(" https://www.GitHub.com/Org/Repo?tab=readme-ov-file ");
        assert_eq!(f.key.as_deref(), Some("github:org/repo"));
        let UrlSyntax::Parsed { scheme, host, path } = f.syntax else { panic!("parsed") };
        assert_eq!((&*scheme, host.as_deref(), &*path), ("https", Some("github.com"), "/Org/Repo"));
        assert_eq!(UrlFacts::of("  ").syntax, UrlSyntax::Empty);
        assert_eq!(UrlFacts::of("https://a.com/x y").syntax, UrlSyntax::Whitespace);
        assert_eq!(UrlFacts::of("arxiv.org/abs/2402.00658").syntax, UrlSyntax::Relative);
        assert_eq!(UrlFacts::of("http://[::1").syntax, UrlSyntax::Invalid(url::ParseError::InvalidIpv6Address));
        let mail = UrlFacts::of("mailto:a@b.c");
        assert_eq!(mail.key, None, "only http(s) resources have a key");
        assert!(matches!(mail.syntax, UrlSyntax::Parsed { host: None, .. }));
        for url in ["https://arxiv.org/pdf/2402.00658v2", "http://203.0.113.7:7860/", "https://aka.ms/x/"] {
            assert_eq!(UrlFacts::of(url).key.as_deref(), key(url).as_deref(), "{url}");
        }
    }

    fn arxiv(id: &str, version: Option<&str>) -> Option<Resource> {
        Some(Resource::Arxiv { id: id.into(), version: version.map(Into::into) })
    }

    #[test]
    fn classify_table() {
        let gh = |o: &str, r: &str, p: Option<&str>| {
            Some(Resource::GitHub { owner: o.into(), repo: r.into(), path: p.map(Into::into) })
        };
        let other = |h: &str| Some(Resource::Other { host: h.into() });
        let cases: &[(&str, Option<Resource>)] = &[
            ("https://arxiv.org/abs/2402.00658", arxiv("2402.00658", None)),
            ("https://arxiv.org/pdf/2305.16367", arxiv("2305.16367", None)),
            ("https://arxiv.org/pdf/2305.16367v2", arxiv("2305.16367", Some("v2"))),
            ("http://arxiv.org/pdf/2305.16367v2.pdf", arxiv("2305.16367", Some("v2"))),
            ("https://www.arxiv.org/abs/2402.00658v10/", arxiv("2402.00658", Some("v10"))),
            ("https://export.arxiv.org/abs/hep-th/9901001", arxiv("hep-th/9901001", None)),
            ("https://arxiv.org/abs/math.AG/0601001v1", arxiv("math.AG/0601001", Some("v1"))),
            ("https://arxiv.org/html/2402.00658v1", arxiv("2402.00658", Some("v1"))),
            ("https://arxiv.org/localtime", other("arxiv.org")),
            ("https://arxiv.org/abs/not-an-id", other("arxiv.org")),
            ("https://github.com/dvlab-research/Step-DPO", gh("dvlab-research", "Step-DPO", None)),
            (
                "https://github.com/dvlab-research/Step-DPO?tab=readme-ov-file#models",
                gh("dvlab-research", "Step-DPO", None),
            ),
            ("https://github.com/a/b.git", gh("a", "b", None)),
            ("https://github.com/a/b/tree/main/src/", gh("a", "b", Some("tree/main/src"))),
            ("https://github.com/a", other("github.com")),
            ("https://github.com/topics/llm", other("github.com")),
            (
                "https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K",
                Some(Resource::HuggingFaceDataset { id: "xinlai/Math-Step-DPO-10K".into() }),
            ),
            ("https://huggingface.co/datasets/squad", Some(Resource::HuggingFaceDataset { id: "squad".into() })),
            (
                "https://huggingface.co/Qwen/Qwen2-7B-Instruct/tree/main",
                Some(Resource::HuggingFaceModel { id: "Qwen/Qwen2-7B-Instruct".into() }),
            ),
            ("https://hf.co/spaces/a/demo", Some(Resource::HuggingFaceSpace { id: "a/demo".into() })),
            ("https://huggingface.co/docs/transformers", other("huggingface.co")),
            ("https://huggingface.co/papers/2402.00658", other("huggingface.co")),
            ("https://aka.ms/MInference", Some(Resource::ShortLink { host: "aka.ms".into() })),
            ("https://bit.ly/x", Some(Resource::ShortLink { host: "bit.ly".into() })),
            ("http://103.170.5.190:7870/", Some(Resource::IpDemo { host: "103.170.5.190:7870".into() })),
            ("http://[::1]:8080/", Some(Resource::IpDemo { host: "[::1]:8080".into() })),
            ("https://www.lesswrong.com/posts/x", other("lesswrong.com")),
            ("mailto:a@b.c", None),
            ("ftp://example.com/x", None),
            ("https://", None),
            ("http://exa mple.com", None),
            ("http://[::1/", None),
            ("not a url", None),
            ("", None),
        ];
        for (url, want) in cases {
            assert_eq!(&classify(url), want, "{url}");
        }
    }

    #[test]
    fn keys_equal_for_the_same_resource() {
        let same: &[&[&str]] = &[
            &[
                "https://arxiv.org/abs/2402.00658",
                "https://arxiv.org/pdf/2402.00658",
                "http://arxiv.org/pdf/2402.00658v2.pdf",
                "https://www.arxiv.org/abs/2402.00658v1/",
            ],
            &[
                "https://github.com/dvlab-research/Step-DPO",
                "http://www.github.com/dvlab-research/step-dpo/",
                "https://github.com/dvlab-research/Step-DPO?tab=readme-ov-file#models",
                "https://github.com/dvlab-research/Step-DPO.git",
            ],
            &[
                "https://www.lesswrong.com/posts/G3tuxF4X5R5BY7fut/want",
                "http://lesswrong.com/posts/G3tuxF4X5R5BY7fut/want/",
                "https://lesswrong.com/posts/G3tuxF4X5R5BY7fut/want#comments",
            ],
            &["http://103.170.5.190:7870/", "http://103.170.5.190:7870"],
            &[
                "https://huggingface.co/datasets/xinlai/Math-Step-DPO-10K",
                "https://hf.co/datasets/xinlai/math-step-dpo-10k/",
            ],
        ];
        for group in same {
            let keys: Vec<Option<String>> = group.iter().map(|u| key(u)).collect();
            assert!(keys[0].is_some(), "{group:?}");
            assert!(keys.iter().all(|k| k == &keys[0]), "{group:?}: {keys:?}");
        }
        let different: &[(&str, &str)] = &[
            ("https://arxiv.org/abs/2402.00658", "https://arxiv.org/abs/2402.00659"),
            ("https://github.com/a/b", "https://github.com/a/b/tree/main/src"),
            ("https://github.com/a/b", "https://github.com/a/c"),
            ("https://huggingface.co/a/b", "https://huggingface.co/datasets/a/b"),
            ("https://example.com/a?x=1", "https://example.com/a?x=2"),
            ("https://bit.ly/AbC", "https://bit.ly/abc"),
            ("http://103.170.5.190:7870/", "http://103.170.5.190:7871/"),
        ];
        for (a, b) in different {
            assert_ne!(key(a), key(b), "{a} vs {b}");
        }
    }

    /// The key as first written, through `classify` and `format!`: the oracle for `key_of`.
    fn reference_key(url: &str) -> Option<String> {
        let parsed = parse(url)?;
        Some(match classify_parsed(&parsed)? {
            Resource::Arxiv { id, .. } => format!("arxiv:{id}"),
            Resource::GitHub { owner, repo, path } => {
                let base = format!("github:{}/{}", owner.to_lowercase(), repo.to_lowercase());
                match path {
                    Some(p) => format!("{base}/{}", p.trim_end_matches('/')),
                    None => base,
                }
            }
            Resource::HuggingFaceDataset { id } => format!("hf-dataset:{}", id.to_lowercase()),
            Resource::HuggingFaceModel { id } => format!("hf:{}", id.to_lowercase()),
            Resource::HuggingFaceSpace { id } => format!("hf-space:{}", id.to_lowercase()),
            Resource::ShortLink { .. } | Resource::IpDemo { .. } | Resource::Other { .. } => {
                let host = parsed.host_str()?;
                let mut key = host.strip_prefix("www.").unwrap_or(host).to_string();
                if let Some(port) = parsed.port() {
                    key.push_str(&format!(":{port}"));
                }
                key.push_str(parsed.path().trim_end_matches('/'));
                if let Some(q) = parsed.query().filter(|q| !q.is_empty()) {
                    key.push('?');
                    key.push_str(q);
                }
                key
            }
        })
    }

    #[test]
    fn keys_written_straight_equal_keys_through_resources() {
        let hosts = [
            "arxiv.org",
            "www.arxiv.org",
            "export.arxiv.org",
            "github.com",
            "www.GitHub.com",
            "huggingface.co",
            "HF.co",
            "aka.ms",
            "example.com",
            "WWW.Example.COM",
            "203.0.113.7",
            "[::1]",
            "例子.测试",
            "www.",
            "arxiv.org.",
        ];
        let ports = ["", ":443", ":7860", ":80"];
        let paths = [
            "",
            "/",
            "/abs/2402.00658",
            "/pdf/2402.00658v2.pdf",
            "/abs/hep-th/9901001v2",
            "/html/2402.00658v1/",
            "/abs/not-an-id",
            "/Org/Repo",
            "/Org/Repo.git",
            "/Org/Repo/tree/main/src/",
            "/topics/llm",
            "/a",
            "//a//b//",
            "/datasets/Owner/Set",
            "/datasets/Squad",
            "/spaces/a/Demo/x",
            "/docs/x",
            "/Qwen/Qwen2-7B/tree/main",
            "/%C3%89t%C3%A9/Caf%C3%A9",
            "/Été/Ünï",
            "/ΑΣ/ΣΑΣ",
        ];
        let tails = ["", "?", "?X=1", "?tab=readme-ov-file#models", "#frag"];
        let mut checked = 0;
        for scheme in ["https://", "HTTP://", "ftp://"] {
            for host in hosts {
                for port in ports {
                    for path in paths {
                        for tail in tails {
                            let url = format!("{scheme}{host}{port}{path}{tail}");
                            let want = reference_key(&url);
                            assert_eq!(key(&url), want, "{url}");
                            assert_eq!(UrlFacts::of(&url).key.as_deref(), want.as_deref(), "{url}");
                            checked += usize::from(want.is_some());
                        }
                    }
                }
            }
        }
        assert!(checked > 5000, "most of the table are web URLs with keys: {checked}");
    }

    #[test]
    fn hosts_are_lower_cased_without_www() {
        let host = |url: &str| match UrlFacts::of(url).syntax {
            UrlSyntax::Parsed { host, .. } => host.map(String::from),
            other => panic!("{url}: {other:?}"),
        };
        assert_eq!(host("https://WWW.Example.COM/x").as_deref(), Some("example.com"));
        assert_eq!(host("foo://WWW.Host.Example/x").as_deref(), Some("host.example"), "opaque hosts too");
        assert_eq!(
            host("foo://ÉTÉ.example/x").as_deref(),
            Some("%c3%89t%c3%89.example"),
            "percent-encoded, then lowered"
        );
        assert_eq!(host("mailto:a@b.c"), None);
    }

    #[test]
    fn white_space_is_what_rust_calls_white_space() {
        for c in ['\t', '\n', '\u{b}', '\u{c}', '\r', ' ', '\u{85}', '\u{a0}', '\u{3000}', '\u{2028}'] {
            let url = format!("https://a.example/x{c}y");
            assert!(has_whitespace(&url), "{c:?}");
            assert_eq!(UrlFacts::of(&url).syntax, UrlSyntax::Whitespace, "{c:?}");
        }
        for url in ["https://a.example/x_y", "https://例子.测试/路径", "https://a.example/\u{1c}\u{7f}"] {
            assert!(!has_whitespace(url), "{url:?}");
        }
    }

    #[test]
    fn key_values() {
        let cases: &[(&str, Option<&str>)] = &[
            ("https://arxiv.org/pdf/2305.16367v3", Some("arxiv:2305.16367")),
            ("https://arxiv.org/abs/hep-th/9901001v2", Some("arxiv:hep-th/9901001")),
            (
                "https://github.com/Dvlab-Research/Step-DPO?tab=readme-ov-file#models",
                Some("github:dvlab-research/step-dpo"),
            ),
            ("https://github.com/a/b/blob/main/README.md", Some("github:a/b/blob/main/README.md")),
            ("https://huggingface.co/Qwen/Qwen2-7B", Some("hf:qwen/qwen2-7b")),
            ("https://aka.ms/MInference", Some("aka.ms/MInference")),
            ("HTTPS://WWW.Example.COM/Path/", Some("example.com/Path")),
            ("https://example.com/", Some("example.com")),
            ("mailto:someone@example.com", None),
            ("", None),
        ];
        for (url, want) in cases {
            assert_eq!(key(url).as_deref(), *want, "{url}");
        }
    }
}
