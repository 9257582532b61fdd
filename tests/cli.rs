//! End-to-end tests of the `digest-ls` binary's command line: `check` on temporary workspaces and on examples/workspace.

use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_digest-ls");

/// A clean digest in the sample's style; `{tags}` is replaced by the tag list.
const DIGEST: &str =
    "---\ntitle: \"Adam 优化器; Step-DPO .etc\"\ndate: 2024-07-05T19:31:56+08:00\ntags: {tags}\n---\n\n\
## Adam 优化器; Step-DPO\n\n\
**1. Adam 优化器 State 的显存占用**:  当GPU卡数足够多时，state 不是瓶颈\n\
*  相关引用：\n    * **文章**: [Adam-Mini](https://arxiv.org/abs/2402.00658)\n\n\
**2. Step-DPO**:  提升数学推理能力\n\
*  相关引用：\n    * **代码**: [Step-DPO](https://github.com/dvlab-research/Step-DPO)\n";

fn digest(tags: &str) -> String {
    DIGEST.replace("{tags}", tags)
}

fn write(root: &Path, rel: &str, bytes: impl AsRef<[u8]>) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

/// A temporary Hugo site with the given files.
fn site(files: &[(&str, &[u8])]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "hugo.toml", "title = \"test\"\n");
    for (rel, bytes) in files {
        write(dir.path(), rel, bytes);
    }
    dir
}

fn run(cwd: &Path, args: &[&str]) -> Output {
    Command::new(BIN).args(args).current_dir(cwd).env("NO_COLOR", "1").output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

#[test]
fn version_and_help() {
    let o = Command::new(BIN).arg("--version").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(stdout(&o).trim(), format!("digest-ls {}", env!("CARGO_PKG_VERSION")));

    let o = Command::new(BIN).arg("--help").output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("check"), "{}", stdout(&o));

    let o = Command::new(BIN).args(["check", "--help"]).output().unwrap();
    assert_eq!(o.status.code(), Some(0));
    let help = stdout(&o);
    assert!(help.contains("--format") && help.contains("Exit status: 2"), "{help}");
}

#[test]
fn usage_errors_exit_2() {
    let o = Command::new(BIN).args(["check", "--format", "xml"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let dir = site(&[]);
    let o = run(dir.path(), &["check", "no-such-folder"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("no-such-folder: error: cannot read"), "{}", stderr(&o));
}

#[test]
fn clean_workspace_exits_0() {
    let text = digest(r#"["优化", "DPO"]"#);
    let dir = site(&[("content/posts/a.md", text.as_bytes()), ("README.md", b"# not a digest\n")]);
    let o = run(dir.path(), &["check"]);
    assert_eq!(stdout(&o), "0 errors, 0 warnings in 1 file\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn human_output_points_at_the_span_under_cjk_and_emoji() {
    let text = digest(r#"["优化😀", "DPO", "DPO"]"#);
    let dir = site(&[("content/posts/a.md", text.as_bytes())]);
    let o = run(dir.path(), &["check", "content"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "warnings do not fail: {out}");
    assert!(!out.contains('\u{1b}'), "no colour through a pipe: {out}");
    // `tags: ["优化😀", "DPO", ` is 21 characters: the duplicate starts at column 22.
    assert!(out.contains("warning[duplicate-tag]"), "{out}");
    assert!(out.contains("--> content/posts/a.md:4:22"), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let source = lines.iter().position(|l| l.starts_with("4 | tags:")).expect("the source line");
    let underline = lines[source + 1];
    // 优, 化 and 😀 take two columns each: the 21 characters take 24 columns.
    let start = lines[source].find("tags").unwrap() + 24;
    assert_eq!(&underline[start..start + 5], "^^^^^", "{out}");
    assert!(out.ends_with("0 errors, 1 warning in 1 file\n"), "{out}");
}

#[test]
fn errors_exit_1_and_a_broken_config_is_reported_in_itself() {
    let text = digest(r#"["DPO", "DPO"]"#);
    let config = "[severity]\nduplicate-tag = \"error\"\n";
    let dir = site(&[("content/posts/a.md", text.as_bytes()), ("digest-ls.toml", config.as_bytes())]);
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(stdout(&o).contains("error[duplicate-tag]"), "{}", stdout(&o));
    assert!(stdout(&o).ends_with("1 error, 0 warnings in 1 file\n"), "{}", stdout(&o));

    write(dir.path(), "digest-ls.toml", "required-keys = [\"title\"\n");
    let o = run(dir.path(), &["check"]);
    let out = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{out}");
    assert!(out.contains("error[config]") && out.contains("--> digest-ls.toml:"), "{out}");
    // The defaults apply: the duplicate is a warning again.
    assert!(out.contains("warning[duplicate-tag]"), "{out}");
}

#[test]
fn a_file_that_is_not_utf8_is_reported_and_the_run_continues() {
    let good = digest(r#"["DPO", "DPO"]"#);
    let mut bad = b"---\ntitle: \"".to_vec();
    bad.extend_from_slice(&[0xe4, 0xbc, 0xff]);
    bad.extend_from_slice(b"\"\n---\n");
    let dir = site(&[("content/posts/a.md", good.as_bytes()), ("content/posts/b.md", &bad)]);
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("content/posts/b.md: error: not valid UTF-8 (byte 12)"), "{}", stderr(&o));
    let out = stdout(&o);
    assert!(out.contains("--> content/posts/a.md:4:15"), "a.md is still checked: {out}");
    assert!(out.ends_with("0 errors, 1 warning in 1 file; 1 path could not be checked\n"), "{out}");

    let o = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(2));
    let json: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(json["problems"][0]["path"], "content/posts/b.md");
    assert_eq!(json["summary"]["problems"], 1);
}

#[test]
fn json_has_utf8_and_utf16_columns_in_a_stable_order() {
    let emoji = digest(r#"["优化😀", "DPO", "DPO"]"#);
    let plain = digest(r#"["", "DPO"]"#);
    let dir = site(&[("content/posts/b.md", emoji.as_bytes()), ("content/posts/a.md", plain.as_bytes())]);
    let o = run(dir.path(), &["check", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0));
    let json: Value = serde_json::from_str(&stdout(&o)).expect("one JSON document");
    let diagnostics = json["diagnostics"].as_array().unwrap();
    let codes: Vec<(&str, &str)> =
        diagnostics.iter().map(|d| (d["path"].as_str().unwrap(), d["code"].as_str().unwrap())).collect();
    assert_eq!(codes, [("content/posts/a.md", "empty-tag"), ("content/posts/b.md", "duplicate-tag")]);
    let d = &diagnostics[1];
    assert_eq!(d["line"], 4);
    assert_eq!(d["end_line"], 4);
    // `tags: ["优化😀", "DPO", ` is 7 + 1 + 3 + 3 + 4 + 1 + 9 = 28 bytes, 7 + 1 + 1 + 1 + 2 + 1 + 9 = 22 UTF-16 units.
    assert_eq!((d["column_utf8"].as_u64(), d["column_utf16"].as_u64()), (Some(29), Some(23)));
    assert_eq!((d["end_column_utf8"].as_u64(), d["end_column_utf16"].as_u64()), (Some(34), Some(28)));
    assert_eq!(d["severity"], "warning");
    assert!(d["message"].as_str().unwrap().contains("DPO"));
    assert_eq!(json["summary"]["warnings"], 2);
    assert_eq!(json["summary"]["files"], 2);
}

#[test]
fn a_named_file_is_checked_with_the_whole_workspace_known() {
    // `dpo` is a variant only because other digests write `DPO`.
    let dir = site(&[
        ("content/posts/a.md", digest(r#"["dpo"]"#).as_bytes()),
        ("content/posts/b.md", digest(r#"["DPO"]"#).as_bytes()),
        ("content/posts/c.md", digest(r#"["DPO"]"#).as_bytes()),
    ]);
    let o = run(&dir.path().join("content"), &["check", "posts/a.md"]);
    let out = stdout(&o);
    assert!(out.contains("warning[tag-variant]") && out.contains("--> posts/a.md:4:8"), "{out}");
    assert!(out.ends_with("0 errors, 1 warning in 1 file\n"), "{out}");
}

/// `digest-ls check PATH --format json` run from the crate's folder: exit code and report.
fn check_json(path: &str) -> (Option<i32>, Value) {
    let o = run(Path::new(env!("CARGO_MANIFEST_DIR")), &["check", path, "--format", "json"]);
    (o.status.code(), serde_json::from_str(&stdout(&o)).expect("one JSON document"))
}

#[test]
fn the_example_workspace() {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let (code, json) = check_json("examples/workspace");
    let diagnostics = json["diagnostics"].as_array().unwrap();
    // Exactly the two digests with deliberate mistakes get errors or warnings; the
    // others may get infos and hints (e.g. a paper cited in an earlier digest).
    let files: std::collections::BTreeSet<&str> = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error" || d["severity"] == "warning")
        .map(|d| d["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        files.into_iter().collect::<Vec<_>>(),
        [
            "examples/workspace/content/posts/2024-05-10-deepseek-v2-simpo.md",
            "examples/workspace/content/posts/2024-10-11-rl-reasoning-online-dpo.md"
        ]
    );
    let has = |file: &str, code: &str| {
        diagnostics.iter().any(|d| d["path"].as_str().unwrap().contains(file) && d["code"] == code)
    };
    assert!(has("2024-05-10", "duplicate-tag"));
    assert!(has("2024-10-11", "tag-variant"));
    assert_eq!(json["summary"]["files"], 12);
    assert_eq!(json["problems"].as_array().map(Vec::len), Some(0));
    // Errors (the date without seconds, the misspelt title, the bad port) fail the run.
    assert!(has("2024-05-10", "invalid-date"), "{json:#}");
    assert!(has("2024-05-10", "topic-number"), "{json:#}");
    assert!(has("2024-10-11", "key-typo"), "{json:#}");
    assert!(has("2024-10-11", "bad-url"), "{json:#}");
    assert_eq!(code, Some(1));

    let o = run(manifest, &["check", "examples/workspace"]);
    let out = stdout(&o);
    assert!(out.contains("--> examples/workspace/content/posts/2024-05-10-deepseek-v2-simpo.md:4:"), "{out}");
    assert!(out.trim_end().lines().last().unwrap().ends_with("in 12 files"), "{out}");
}

#[test]
fn a_file_gets_the_same_diagnostics_checked_alone_as_with_its_workspace() {
    // Files that are only indexed are read with the index's share of a parse; what a
    // checked file is told about them (cited before, related locations) must not change.
    let (_, all) = check_json("examples/workspace");
    let all = all["diagnostics"].as_array().unwrap();
    let paths: std::collections::BTreeSet<&str> = all.iter().map(|d| d["path"].as_str().unwrap()).collect();
    assert!(paths.len() >= 3, "{paths:?}");
    let mut related = 0;
    for path in paths {
        let (_, alone) = check_json(path);
        let want: Vec<&Value> = all.iter().filter(|d| d["path"] == path).collect();
        let got: Vec<&Value> = alone["diagnostics"].as_array().unwrap().iter().collect();
        assert_eq!(got, want, "{path}");
        related += got.iter().filter(|d| d["related"].as_array().is_some_and(|r| !r.is_empty())).count();
    }
    assert!(related > 0, "some diagnostics point into other digests");
}
