//! Configuration: `digest-ls.toml` at the workspace root and the client's settings, merged over the defaults.
//!
//! A broken file never stops the server: `Config::from_toml` returns the defaults and
//! an error with its span, which becomes a diagnostic in that file.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use crate::diagnostics::Severity;
use crate::front_matter::Limits;
use crate::text::Span;

/// The file name looked up at each workspace root.
pub const FILE_NAME: &str = "digest-ls.toml";

#[derive(Clone, Debug, PartialEq)]
pub struct Config {
    /// Globs (relative to the workspace root) of files that are digests. Empty: the
    /// default rule (Markdown under a `content/` folder, or any Markdown file that
    /// opens with a front matter; never README or CHANGELOG).
    pub include: Vec<String>,
    /// Globs of files that are never digests.
    pub exclude: Vec<String>,
    pub required_keys: Vec<String>,
    /// Names of reference lists (`相关引用` ...), without the colon; shared by every
    /// `Reference` in them.
    pub reference_lists: Vec<Arc<str>>,
    /// Reference labels and what they mean (`文章` -> "article or paper").
    pub labels: BTreeMap<String, String>,
    /// A closed tag vocabulary: when set, other tags are flagged.
    pub vocabulary: Option<Vec<String>>,
    /// Per-code severity: `Some(level)` or `None` for off.
    pub severity: BTreeMap<String, Option<Severity>>,
    pub limits: Limits,
    /// Reference labels whose links are never reported as `cited-before` (a website
    /// such as arXiv's local time is cited again on purpose).
    pub cited_before_ignore: Vec<String>,
    /// Per label, where its links should point (`label-mismatch`): `host` or
    /// `host/path-prefix` patterns; a pattern starting with `!` excludes. With only
    /// exclusions, any other URL fits. A label not listed is never checked.
    pub label_hosts: BTreeMap<String, Vec<String>>,
}

/// The default `label_hosts`: code hosts for `代码`, dataset pages for `数据`, model
/// pages for `模型`, and for `文章` anything but code and dataset pages.
fn default_label_hosts() -> BTreeMap<String, Vec<String>> {
    let table: &[(&str, &[&str])] = &[
        (
            "代码",
            &[
                "github.com",
                "gitlab.com",
                "gitee.com",
                "bitbucket.org",
                "codeberg.org",
                "sourceforge.net",
                "huggingface.co/spaces",
                "colab.research.google.com",
                "kaggle.com/code",
            ],
        ),
        (
            "数据",
            &[
                "huggingface.co/datasets",
                "hf.co/datasets",
                "kaggle.com/datasets",
                "modelscope.cn/datasets",
                "zenodo.org",
                "figshare.com",
                "opendatalab.com",
                "paperswithcode.com/dataset",
                "github.com",
            ],
        ),
        (
            "模型",
            &[
                "huggingface.co",
                "hf.co",
                "!huggingface.co/datasets",
                "!huggingface.co/spaces",
                "!hf.co/datasets",
                "!hf.co/spaces",
                "modelscope.cn",
                "ollama.com",
                "civitai.com",
                "replicate.com",
                "github.com",
            ],
        ),
        (
            "文章",
            &[
                "!github.com",
                "!gitlab.com",
                "!gitee.com",
                "!huggingface.co/datasets",
                "!hf.co/datasets",
                "!kaggle.com/datasets",
            ],
        ),
    ];
    table.iter().map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect())).collect()
}

impl Default for Config {
    fn default() -> Self {
        Config {
            include: Vec::new(),
            exclude: Vec::new(),
            required_keys: ["title", "date", "tags"].map(String::from).to_vec(),
            reference_lists: ["相关引用", "相关模型", "相关观点", "相关工具"].map(Arc::from).to_vec(),
            labels: [
                ("文章", "article or paper"),
                ("代码", "code repository"),
                ("Demo", "live demo"),
                ("数据", "dataset"),
                ("模型", "model weights"),
                ("项目主页", "project homepage"),
                ("网站", "website"),
                ("论文", "paper"),
                ("博客", "blog post"),
                ("视频", "video"),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
            vocabulary: None,
            severity: BTreeMap::new(),
            limits: Limits::default(),
            cited_before_ignore: vec!["网站".to_string()],
            label_hosts: default_label_hosts(),
        }
    }
}

/// A configuration problem with the span in the TOML text it comes from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ConfigError {
    pub span: Span,
    pub message: String,
}

/// The settings a user can write; every field optional, merged over the defaults.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct Settings {
    pub include: Option<Vec<String>>,
    pub exclude: Option<Vec<String>>,
    pub required_keys: Option<Vec<String>>,
    pub reference_lists: Option<Vec<String>>,
    /// Labels added to (or overriding) the default ones.
    pub labels: Option<BTreeMap<String, String>>,
    pub tags: Option<TagSettings>,
    /// `code = "error" | "warning" | "info" | "hint" | "off"`.
    pub severity: Option<BTreeMap<String, String>>,
    pub limits: Option<LimitSettings>,
    pub references: Option<ReferenceSettings>,
}

/// `[references]`: the workspace checks on reference lists.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct ReferenceSettings {
    /// Labels never reported as cited before (replaces the default `["网站"]`).
    pub cited_before_ignore: Option<Vec<String>>,
    /// Per label, host patterns its links should match (merged over the defaults;
    /// an empty list turns the check off for that label).
    pub label_hosts: Option<BTreeMap<String, Vec<String>>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct TagSettings {
    /// The closed vocabulary; absent means open.
    pub vocabulary: Option<Vec<String>>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default, rename_all = "kebab-case", deny_unknown_fields)]
pub struct LimitSettings {
    pub front_matter_bytes: Option<usize>,
    pub yaml_depth: Option<usize>,
    pub yaml_nodes: Option<usize>,
}

fn parse_severity(s: &str) -> Result<Option<Severity>, String> {
    Ok(Some(match s {
        "error" => Severity::Error,
        "warning" => Severity::Warning,
        "info" | "information" => Severity::Information,
        "hint" => Severity::Hint,
        "off" => return Ok(None),
        other => return Err(format!("unknown severity `{other}`: use error, warning, info, hint or off")),
    }))
}

impl Config {
    /// The configured severity of `code`: `None` if not configured, `Some(None)` if off.
    pub fn severity_of(&self, code: &str) -> Option<Option<Severity>> {
        self.severity.get(code).copied()
    }

    /// Applies `settings` over `self`; unknown codes or severities are errors.
    pub fn apply(&mut self, settings: &Settings) -> Vec<String> {
        let mut errors = Vec::new();
        let s = settings.clone();
        if let Some(v) = s.include {
            self.include = v;
        }
        if let Some(v) = s.exclude {
            self.exclude = v;
        }
        if let Some(v) = s.required_keys {
            self.required_keys = v;
        }
        if let Some(v) = s.reference_lists {
            self.reference_lists = v.into_iter().map(Arc::from).collect();
        }
        if let Some(v) = s.labels {
            self.labels.extend(v);
        }
        if let Some(t) = s.tags {
            self.vocabulary = t.vocabulary;
        }
        for (code, level) in s.severity.unwrap_or_default() {
            if !crate::diagnostics::CODES.iter().any(|c| c.code == code) {
                errors.push(format!("unknown diagnostic code `{code}` in [severity]"));
                continue;
            }
            match parse_severity(&level) {
                Ok(sev) => {
                    self.severity.insert(code, sev);
                }
                Err(e) => errors.push(e),
            }
        }
        if let Some(r) = s.references {
            if let Some(v) = r.cited_before_ignore {
                self.cited_before_ignore = v;
            }
            if let Some(v) = r.label_hosts {
                self.label_hosts.extend(v);
            }
        }
        if let Some(l) = s.limits {
            if let Some(v) = l.front_matter_bytes {
                self.limits.max_bytes = v;
            }
            if let Some(v) = l.yaml_depth {
                self.limits.max_depth = v;
            }
            if let Some(v) = l.yaml_nodes {
                self.limits.max_nodes = v;
            }
        }
        errors
    }

    /// Reads `digest-ls.toml` text. On any error the defaults apply and the errors
    /// are returned with their spans in `text`.
    pub fn from_toml(text: &str) -> (Config, Vec<ConfigError>) {
        let mut config = Config::default();
        match toml::from_str::<Settings>(text) {
            Ok(settings) => {
                let errors = config.apply(&settings);
                if errors.is_empty() {
                    return (config, Vec::new());
                }
                let errors = errors.into_iter().map(|message| ConfigError { span: Span::new(0, 0), message }).collect();
                (Config::default(), errors)
            }
            Err(e) => {
                let span = e.span().map(Span::from).unwrap_or_default();
                (Config::default(), vec![ConfigError { span, message: e.message().trim().to_string() }])
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_overrides() {
        let (config, errors) = Config::from_toml(
            "required-keys = [\"title\"]\n[labels]\n\"论文\" = \"paper\"\n[severity]\nfuture-date = \"off\"\ntag-typo = \"warning\"\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(config.required_keys, vec!["title"]);
        assert_eq!(config.severity_of("future-date"), Some(None));
        assert_eq!(config.severity_of("tag-typo"), Some(Some(Severity::Warning)));
        assert_eq!(config.labels.get("文章").map(String::as_str), Some("article or paper"));
    }

    #[test]
    fn broken_file_gives_defaults_and_a_spanned_error() {
        let text = "required-keys = [\"title\"\n";
        let (config, errors) = Config::from_toml(text);
        assert_eq!(config, Config::default());
        assert_eq!(errors.len(), 1);
        assert!(errors[0].span.end <= text.len());
    }

    #[test]
    fn reference_settings_merge_over_the_defaults() {
        let (config, errors) = Config::from_toml(
            "[references]\ncited-before-ignore = [\"网站\", \"Demo\"]\n[references.label-hosts]\n\"代码\" = [\"git.example.org\"]\n\"文章\" = []\n",
        );
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(config.cited_before_ignore, vec!["网站", "Demo"]);
        assert_eq!(config.label_hosts["代码"], vec!["git.example.org"]);
        assert!(config.label_hosts["文章"].is_empty());
        assert!(config.label_hosts["数据"].iter().any(|h| h == "huggingface.co/datasets"));
    }

    #[test]
    fn unknown_key_and_unknown_severity_are_errors() {
        assert!(!Config::from_toml("requird-keys = []").1.is_empty());
        assert!(!Config::from_toml("[severity]\nfuture-date = \"loud\"").1.is_empty());
        assert!(!Config::from_toml("[severity]\nno-such-code = \"off\"").1.is_empty());
    }
}
