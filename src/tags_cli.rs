//! `digest-ls tags [PATH]`: every tag of a workspace with its digest count and last use, and the variant groups Hugo would merge.
//!
//! The workspace is read the way `check` reads it: the root is the nearest ancestor
//! with `digest-ls.toml`, a Hugo config or `.git`, and its `digest-ls.toml` decides
//! which files are digests.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;
use unicode_width::UnicodeWidthStr;

use crate::config::{self, Config};
use crate::rename::variant_groups;
use crate::workspace::{DigestInfo, Workspace};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct TagRow {
    pub name: String,
    pub digests: usize,
    /// `2024-07-05`, the latest date of a digest using it.
    pub last: Option<String>,
    /// The workspace's spelling, when this one is a variant of it.
    pub variant_of: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VariantGroup {
    pub canonical: String,
    pub variants: Vec<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct TagsReport {
    pub digests: usize,
    pub tags: Vec<TagRow>,
    pub variant_groups: Vec<VariantGroup>,
}

/// The report of a workspace index: tags most used first, then most recent, then by name.
pub fn report(workspace: &Workspace) -> TagsReport {
    let groups = variant_groups(workspace);
    // Each variant spelling with its canonical one, from one pass over the tags.
    let canonical_of: HashMap<&str, &str> =
        groups.iter().flat_map(|g| g[1..].iter().map(move |v| (v.as_str(), g[0].as_str()))).collect();
    let tags = workspace
        .tags()
        .into_iter()
        .map(|s| TagRow {
            name: s.name.to_string(),
            digests: s.count,
            last: s.last.map(|d| d.day_string()),
            variant_of: canonical_of.get(&*s.name).map(|c| c.to_string()),
        })
        .collect();
    let variant_groups =
        groups.iter().map(|g| VariantGroup { canonical: g[0].clone(), variants: g[1..].to_vec() }).collect();
    TagsReport { digests: workspace.len(), tags, variant_groups }
}

fn pad(s: &str, width: usize) -> String {
    let w = UnicodeWidthStr::width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// Aligned columns (by display width, so CJK tags line up), then the variant groups.
pub fn render_text(report: &TagsReport) -> String {
    let mut out = String::new();
    // Surrounding spaces would be invisible: such names are shown quoted.
    let shown = |name: &str| if name.trim() != name { format!("{name:?}") } else { name.to_string() };
    let name_w = report.tags.iter().map(|t| UnicodeWidthStr::width(shown(&t.name).as_str())).max().unwrap_or(0).max(3);
    out.push_str(&format!("{}  digests  last use\n", pad("tag", name_w)));
    for t in &report.tags {
        let mut line =
            format!("{}  {:>7}  {}", pad(&shown(&t.name), name_w), t.digests, t.last.as_deref().unwrap_or("undated"));
        if let Some(c) = &t.variant_of {
            line.push_str(&format!("  variant of `{c}`"));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    let n = report.tags.len();
    out.push_str(&format!(
        "\n{n} tag{} in {} digest{}",
        if n == 1 { "" } else { "s" },
        report.digests,
        if report.digests == 1 { "" } else { "s" }
    ));
    if report.variant_groups.is_empty() {
        out.push_str(", no variant groups\n");
        return out;
    }
    let g = report.variant_groups.len();
    out.push_str(&format!(
        ", {g} variant group{} (Hugo merges each into one term; `digest-ls.canonicalizeTags` in the editor rewrites them):\n",
        if g == 1 { "" } else { "s" }
    ));
    for group in &report.variant_groups {
        let variants = group.variants.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ");
        out.push_str(&format!("  `{}` <- {variants}\n", group.canonical));
    }
    out
}

pub fn render_json(report: &TagsReport) -> String {
    let mut s = serde_json::to_string_pretty(report).unwrap_or_else(|_| "{}".to_string());
    s.push('\n');
    s
}

/// Indexes every digest of the workspace that holds `path` (a folder or a file).
pub fn load(path: &Path) -> Result<Workspace, String> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().map_err(|e| format!("cannot read the current folder: {e}"))?.join(path)
    };
    let meta = std::fs::metadata(&abs).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let dir = if meta.is_dir() { abs.clone() } else { abs.parent().map_or_else(|| abs.clone(), Path::to_path_buf) };
    let root = crate::check::find_root(&dir);
    let config = match std::fs::read_to_string(root.join(config::FILE_NAME)) {
        Ok(text) => {
            let (config, errors) = Config::from_toml(&text);
            for e in errors {
                eprintln!("{}: error: {}; the defaults apply", root.join(config::FILE_NAME).display(), e.message);
            }
            config
        }
        Err(_) => Config::default(),
    };
    let files: Vec<PathBuf> =
        crate::discover::walk(&root, &config).into_iter().filter(|p| p.starts_with(&dir)).collect();
    let infos: Vec<(PathBuf, Option<DigestInfo>)> = files
        .into_par_iter()
        .map(|p| {
            let info = std::fs::read(&p)
                .ok()
                .and_then(|b| crate::text::utf8_string(b).ok())
                .map(|text| DigestInfo::read(&text, &config));
            (p, info)
        })
        .collect();
    let mut workspace = Workspace::new();
    for (p, info) in infos {
        if info.is_some() {
            workspace.update(&p, info);
        }
    }
    Ok(workspace)
}

/// Runs the subcommand; returns the exit code (0, or 2 when the path cannot be read).
pub fn run(path: Option<&Path>, format: Format) -> i32 {
    let path = path.unwrap_or(Path::new("."));
    let workspace = match load(path) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let report = report(&workspace);
    let out = match format {
        Format::Text => render_text(&report),
        Format::Json => render_json(&report),
    };
    use std::io::Write;
    let _ = std::io::stdout().lock().write_all(out.as_bytes());
    0
}
