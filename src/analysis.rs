//! The analysis of one digest: its front matter and its body, parsed from plain text.

use crate::body::{self, Body};
use crate::config::Config;
use crate::front_matter::{self, FrontMatter};
use crate::text::Span;

/// Everything the features need to know about one digest's text.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Analysis {
    pub front_matter: FrontMatter,
    pub body: Body,
}

/// One item of the `tags` list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TagItem {
    pub value: String,
    /// The item's span, quotes included.
    pub span: Span,
}

impl Analysis {
    /// A full parse of `text`.
    pub fn new(text: &str, config: &Config) -> Analysis {
        let front_matter = front_matter::parse(text, &config.limits);
        let start = front_matter.body_start.min(text.len());
        let body = body::parse(&text[start..], start, config);
        Analysis { front_matter, body }
    }

    /// The parse that the digest's index entry reads (`body::Keep::Summary`), for files
    /// that are not open: `DigestInfo::from_analysis` gives the same entry as from `new`.
    pub fn for_index(text: &str, config: &Config) -> Analysis {
        let front_matter = front_matter::parse(text, &config.limits);
        let start = front_matter.body_start.min(text.len());
        let body = body::parse_keeping(&text[start..], start, config, body::Keep::Summary);
        Analysis { front_matter, body }
    }

    /// The tags as written in a `tags` sequence (string items only).
    pub fn tags(&self) -> Vec<TagItem> {
        self.tag_values().map(|(value, span)| TagItem { value: value.to_string(), span }).collect()
    }

    /// The tags' values and spans, borrowed (`tags` without a copy of each value).
    pub fn tag_values(&self) -> impl Iterator<Item = (&str, Span)> {
        self.front_matter.tag_values()
    }

    /// A top-level scalar of the front matter (`title`, `date`, ...).
    pub fn scalar(&self, key: &str) -> Option<&str> {
        self.front_matter.scalar(key)
    }
}
