//! Tests of `digest-ls tags`: the report of a fixture workspace in text and JSON, and the built binary on a temporary workspace.

use std::process::Command;

use digest_ls::fixture::Fixture;
use digest_ls::tags_cli::{render_json, render_text, report};
use expect_test::expect;

const WORKSPACE: &str = r#"//- content/posts/a.md
---
title: a
date: 2024-07-05T19:31:56+08:00
tags: ["优化😀", "DPO", "长上下文"]
---
//- content/posts/b.md
---
title: b
date: 2024-08-01T10:00:00+08:00
tags:
  - DPO
  - MoE
---
//- content/posts/c.md
---
title: c
date: 2024-09-01T10:00:00+08:00
tags: [dpo, ＤＰＯ, 长上下文]
---
//- content/posts/d.md
---
title: d
tags: [" DPO ", MoE]
---
"#;

#[test]
fn text_report_aligns_cjk_and_flags_variants() {
    let f = Fixture::parse(WORKSPACE);
    let out = render_text(&report(&f.workspace()));
    expect![[r#"
        tag       digests  last use
        长上下文        2  2024-09-01
        DPO             2  2024-08-01
        MoE             2  2024-08-01
        dpo             1  2024-09-01  variant of `DPO`
        ＤＰＯ          1  2024-09-01  variant of `DPO`
        优化😀          1  2024-07-05
        " DPO "         1  undated  variant of `DPO`

        7 tags in 4 digests, 1 variant group (Hugo merges each into one term; `digest-ls.canonicalizeTags` in the editor rewrites them):
          `DPO` <- ` DPO `, `dpo`, `ＤＰＯ`
    "#]]
    .assert_eq(&out);
}

#[test]
fn json_report() {
    let f = Fixture::parse(WORKSPACE);
    let out = render_json(&report(&f.workspace()));
    let json: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(json["digests"], 4);
    assert_eq!(json["variant_groups"][0]["canonical"], "DPO");
    expect![[r#"
        {
          "digests": 4,
          "tags": [
            {
              "name": "长上下文",
              "digests": 2,
              "last": "2024-09-01",
              "variant_of": null
            },
            {
              "name": "DPO",
              "digests": 2,
              "last": "2024-08-01",
              "variant_of": null
            },
            {
              "name": "MoE",
              "digests": 2,
              "last": "2024-08-01",
              "variant_of": null
            },
            {
              "name": "dpo",
              "digests": 1,
              "last": "2024-09-01",
              "variant_of": "DPO"
            },
            {
              "name": "ＤＰＯ",
              "digests": 1,
              "last": "2024-09-01",
              "variant_of": "DPO"
            },
            {
              "name": "优化😀",
              "digests": 1,
              "last": "2024-07-05",
              "variant_of": null
            },
            {
              "name": " DPO ",
              "digests": 1,
              "last": null,
              "variant_of": "DPO"
            }
          ],
          "variant_groups": [
            {
              "canonical": "DPO",
              "variants": [
                " DPO ",
                "dpo",
                "ＤＰＯ"
              ]
            }
          ]
        }
    "#]]
    .assert_eq(&out);
}

#[test]
fn the_binary_on_a_crlf_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let posts = dir.path().join("content/posts");
    std::fs::create_dir_all(&posts).unwrap();
    std::fs::write(dir.path().join("hugo.toml"), "title = \"x\"\n").unwrap();
    std::fs::write(posts.join("a.md"), "---\r\ntitle: a\r\ndate: 2024-07-05\r\ntags: [\"优化\", DPO]\r\n---\r\n")
        .unwrap();
    std::fs::write(posts.join("b.md"), "---\ntitle: b\ndate: 2024-08-05\ntags: [dpo]\n---\n").unwrap();
    std::fs::write(dir.path().join("README.md"), "---\ntags: [readme]\n---\n").unwrap();
    let bin = env!("CARGO_BIN_EXE_digest-ls");
    let run = |args: &[&str]| Command::new(bin).args(args).current_dir(dir.path()).output().unwrap();
    let text = run(&["tags"]);
    assert_eq!(text.status.code(), Some(0));
    expect![[r#"
        tag   digests  last use
        dpo         1  2024-08-05  variant of `DPO`
        DPO         1  2024-07-05
        优化        1  2024-07-05

        3 tags in 2 digests, 1 variant group (Hugo merges each into one term; `digest-ls.canonicalizeTags` in the editor rewrites them):
          `DPO` <- `dpo`
    "#]]
    .assert_eq(&String::from_utf8_lossy(&text.stdout));
    let json = run(&["tags", "content", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(v["digests"], 2);
    assert_eq!(v["tags"].as_array().map(Vec::len), Some(3));
    let missing = run(&["tags", "no/such/folder"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("no/such/folder"));
}
