//! Fixture tests of the front-matter checks: the block, YAML syntax and limits, required keys, types, dates, duplicate and misspelt keys.
//!
//! Snapshots show `line:col..line:col` (1-based, UTF-16 columns), the underlined
//! text and the message. Only the front-matter codes are shown, so the tag and body
//! checks do not blur them.

use digest_ls::analysis::Analysis;
use digest_ls::diagnostics::{self, Diagnostic};
use digest_ls::fixture::{render_diagnostics, Fixture};
use digest_ls::workspace::Workspace;
use expect_test::{expect, Expect};

const CODES: &[&str] = &[
    "missing-front-matter",
    "unterminated-front-matter",
    "dots-closing-fence",
    "yaml-syntax",
    "limit",
    "missing-key",
    "empty-value",
    "wrong-type",
    "tags-not-list",
    "invalid-date",
    "unix-date",
    "date-without-offset",
    "future-date",
    "duplicate-key",
    "key-typo",
    "yaml-alias",
];

fn run(fixture: &str) -> (String, Vec<Diagnostic>) {
    let f = Fixture::parse(fixture);
    // The front-matter checks do not look at other digests.
    let workspace = Workspace::new();
    let main = f.main();
    let analysis = Analysis::new(&main.text, &f.config);
    let mut out = diagnostics::check(&analysis, &main.path, &f.config, &workspace);
    out.retain(|d| CODES.contains(&d.code));
    (main.text.clone(), out)
}

fn check(fixture: &str, expect: Expect) {
    let (text, diagnostics) = run(fixture);
    expect.assert_eq(&render_diagnostics(&text, &diagnostics));
}

/// A digest whose `date` is `value`, as written.
fn check_date(value: &str, expect: Expect) {
    check(&format!("---\ntitle: \"t\"\ndate: {value}\ntags: [\"a\"]\n---\n\n**1. A**: b\n"), expect);
}

const SAMPLE: &str = include_str!("fixtures/seed-digest.md");

#[test]
fn the_sample_gets_nothing() {
    check(SAMPLE, expect![[r#""#]]);
}

#[test]
fn sample_with_crlf_bom_and_a_leading_blank_line_gets_nothing() {
    let text = format!("\u{feff}\n{}", SAMPLE.replace('\n', "\r\n"));
    check(&text, expect![[r#""#]]);
}

#[test]
fn trailing_spaces_on_fences_and_lone_cr_are_fine() {
    check("---  \rtitle: \"t\"\rdate: 2024-07-05T19:31:56+08:00\rtags: [a]\r--- \rbody", expect![[r#""#]]);
}

#[test]
fn toml_and_json_front_matter_are_never_flagged() {
    check("+++\ntitle = \"t\"\ndate = 2024/07/05\n+++\nbody\n", expect![[r#""#]]);
    check("{\n  \"title\": \"t\",\n  \"date\": \"yesterday\"\n}\nbody\n", expect![[r#""#]]);
}

#[test]
fn missing_front_matter() {
    check(
        "# 周报 😀\n\n**1. A**: b\n",
        expect![[r#"
        1:1..1:1 error[missing-front-matter] ``: The digest does not start with a front matter: Hugo finds no `title`, `date` or `tags` in it. Start the file with a `---` line, the keys (`title`, `date` and `tags`), and a closing `---` line.
    "#]],
    );
    check(
        "",
        expect![[r#"
        1:1..1:1 error[missing-front-matter] ``: The digest does not start with a front matter: Hugo finds no `title`, `date` or `tags` in it. Start the file with a `---` line, the keys (`title`, `date` and `tags`), and a closing `---` line.
    "#]],
    );
}

#[test]
fn unterminated_front_matter() {
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\n\n**1. A**: b\n",
        expect![[r#"
        1:1..1:4 error[unterminated-front-matter] `---`: This front matter has no closing `---` line: Hugo fails the build ("EOF looking for end YAML front matter delimiter"). Add a `---` line after the last key.
    "#]],
    );
    check(
        "+++\ntitle = \"t\"\n",
        expect![[r#"
        1:1..1:4 error[unterminated-front-matter] `+++`: This front matter has no closing `+++` line: Hugo fails the build ("EOF looking for end TOML front matter delimiter"). Add a `+++` line after the last key.
    "#]],
    );
}

#[test]
fn dots_as_closing_fence() {
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n...\n\nbody\n",
        expect![[r#"
        5:1..5:4 error[dots-closing-fence] `...`: The front matter is closed with `...`, which Hugo does not accept: it looks for a `---` line further down and fails the build when there is none. Replace `...` with `---`.
    "#]],
    );
}

#[test]
fn yaml_syntax_error_on_a_cjk_emoji_line() {
    check(
        "---\ntitle: 优化😀: 角色\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n",
        expect![[r#"
        2:12..2:13 error[yaml-syntax] `:`: YAML syntax error: mapping values are not allowed in this context (a `: ` inside a plain value or a wrong indentation: quote the value or fix the indentation)
    "#]],
    );
}

#[test]
fn yaml_syntax_error_unclosed_flow_list() {
    check(
        "---\ntitle: \"t\"\ntags: [\"优化\", \"DPO\"\ndate: 2024-07-05T19:31:56+08:00\n---\n",
        expect![[r#"
        4:1..4:2 error[yaml-syntax] `d`: YAML syntax error: invalid indentation; inside the `[` opened on line 3: is its closing bracket missing?
    "#]],
    );
}

#[test]
fn yaml_syntax_error_unclosed_quote_and_tab() {
    check(
        "---\ntitle: \"优化\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n",
        expect![[r#"
            2:8..2:9 error[yaml-syntax] `\"`: YAML syntax error: invalid indentation in quoted scalar (is the closing quote missing? A quoted value that goes on must be indented)
        "#]],
    );
    check(
        "---\ntitle: \"t\"\n\tdate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n",
        expect![[r#"
            3:1..3:2 error[yaml-syntax] `\t`: YAML syntax error: tabs disallowed within this context (block indentation) (YAML does not allow tabs for indentation: use spaces)
        "#]],
    );
}

#[test]
fn yaml_syntax_error_in_a_crlf_file() {
    check(
        "---\r\ntitle: \"😀 t\"\r\n  date: x\r\ntags: [a]\r\n---\r\n",
        expect![[r#"
        3:3..3:4 error[yaml-syntax] `d`: YAML syntax error: while parsing a block mapping, did not find expected key (check the indentation of this line)
    "#]],
    );
}

#[test]
fn missing_keys_point_at_the_opening_fence() {
    check(
        "---\ntitle: \"t\"\n---\nbody\n",
        expect![[r#"
        1:1..1:4 error[missing-key] `---`: The front matter has no `date`: add `date: 2024-07-05T19:31:56+08:00`.
        1:1..1:4 error[missing-key] `---`: The front matter has no `tags`: add `tags: ["<tag>", "<tag>"]`.
    "#]],
    );
    check(
        "---\n---\nbody\n",
        expect![[r#"
        1:1..1:4 error[missing-key] `---`: The front matter has no `title`: add `title: "<the main topics>"`.
        1:1..1:4 error[missing-key] `---`: The front matter has no `date`: add `date: 2024-07-05T19:31:56+08:00`.
        1:1..1:4 error[missing-key] `---`: The front matter has no `tags`: add `tags: ["<tag>", "<tag>"]`.
    "#]],
    );
}

#[test]
fn missing_key_mentions_the_likely_typo() {
    check(
        "---\ntilte: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n",
        expect![[r#"
            1:1..1:4 error[missing-key] `---`: The front matter has no `title` (`tilte` looks like a misspelling of it): add `title: "<the main topics>"`.
            2:1..2:6 warning[key-typo] `tilte`: `tilte` is not a key Hugo knows; did you mean `title`? Hugo keeps `tilte` only as a custom parameter.
        "#]],
    );
}

#[test]
fn required_keys_are_configurable() {
    check(
        "---\ntitle: \"t\"\n---\nbody\n//- digest-ls.toml\nrequired-keys = [\"title\", \"author\"]\n",
        expect![[r#"
            1:1..1:4 error[missing-key] `---`: The front matter has no `author`: add `author: <value>`.
        "#]],
    );
}

#[test]
fn keys_are_case_insensitive_like_hugo() {
    check("---\nTitle: \"t\"\nDate: 2024-07-05T19:31:56+08:00\nTAGS: [a]\n---\n", expect![[r#""#]]);
}

#[test]
fn empty_values() {
    check(
        "---\ntitle:\ndate:\ntags:\n---\n",
        expect![[r#"
        2:1..2:6 error[empty-value] `title`: The title is empty: Hugo shows the page without a title. Write the main topics.
        3:1..3:5 error[empty-value] `date`: The date is empty: Hugo silently dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
        4:1..4:5 error[empty-value] `tags`: The tags are empty: Hugo lists the page under no tag. Add at least one: `tags: ["<tag>"]`.
    "#]],
    );
    check(
        "---\ntitle: \"\"\ndate: ''\ntags: []\n---\n",
        expect![[r#"
        2:8..2:10 error[empty-value] `\"\"`: The title is empty: Hugo shows the page without a title. Write the main topics.
        3:7..3:9 error[empty-value] `\'\'`: The date is empty: Hugo silently dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
        4:7..4:9 error[empty-value] `[]`: The tags are empty: Hugo lists the page under no tag. Add at least one: `tags: ["<tag>"]`.
    "#]],
    );
    check(
        "---\ntitle: ~\ndate: null\ntags: {}\n---\n",
        expect![[r#"
        2:8..2:9 error[empty-value] `~`: The title is empty: Hugo shows the page without a title. Write the main topics.
        3:7..3:11 error[empty-value] `null`: The date is empty: Hugo silently dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
        4:7..4:9 error[empty-value] `{}`: The tags are empty: Hugo lists the page under no tag. Add at least one: `tags: ["<tag>"]`.
    "#]],
    );
}

#[test]
fn title_not_a_string() {
    check(
        "---\ntitle: 42\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n",
        expect![[r#"
        2:8..2:10 error[wrong-type] `42`: The title `42` is a number, not a string: quote it to keep it as written: `"42"`.
    "#]],
    );
    check(
        "---\ntitle: [a, b]\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n",
        expect![[r#"
        2:8..2:14 error[wrong-type] `[a, b]`: The title is a list, not a string: Hugo shows no title. Write one string, e.g. `title: "<the main topics>"`.
    "#]],
    );
    check(
        "---\ntitle: yes\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n",
        expect![[r#"
        2:8..2:11 error[wrong-type] `yes`: YAML reads the title `yes` as a boolean: Hugo shows it as "true" or "false". Quote it: `"yes"`.
    "#]],
    );
    check(
        "---\ntitle: {zh: 优化}\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n",
        expect![[r#"
        2:8..2:16 error[wrong-type] `{zh: 优化}`: The title is a mapping, not a string: Hugo shows no title. Write one string, e.g. `title: "<the main topics>"`.
    "#]],
    );
}

#[test]
fn title_that_yaml_reads_as_a_timestamp_is_a_string_to_hugo() {
    check("---\ntitle: 2024-07-05\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n", expect![[r#""#]]);
}

#[test]
fn tags_of_the_wrong_type() {
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: {优化: 1}\n---\n",
        expect![[r#"
        4:7..4:14 error[wrong-type] `{优化: 1}`: `tags` is a mapping: Hugo reads no tags from it. Write a list: `tags: ["<tag>", "<tag>"]`.
    "#]],
    );
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: 42\n---\n",
        expect![[r#"
        4:7..4:9 error[wrong-type] `42`: `tags` is a number, not a list of strings: Hugo reads it as the one tag "42". Write a list of strings: `tags: ["42"]`.
    "#]],
    );
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [优化, [a, b], yes]\n---\n",
        expect![[r#"
            4:12..4:18 error[wrong-type] `[a, b]`: This tag is a list, not a string: Hugo silently drops it from the page's tags. Write each tag as one string.
            4:20..4:23 error[wrong-type] `yes`: YAML reads the tag `yes` as a boolean: Hugo makes it the tag "true" or "false". Quote it: `"yes"`.
        "#]],
    );
}

#[test]
fn tags_as_one_string() {
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: \"优化, DPO\"\n---\n",
        expect![[r#"
        4:7..4:16 warning[tags-not-list] `\"优化, DPO\"`: `tags` is one string, not a list: Hugo reads one tag "优化, DPO", commas included. Write a list: `tags: ["优化", "DPO"]`.
    "#]],
    );
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: 优化\n---\n",
        expect![[r#"
        4:7..4:9 warning[tags-not-list] `优化`: `tags` is one string, not a list: Hugo reads it as the one tag "优化". Write a list: `tags: ["优化"]`.
    "#]],
    );
}

#[test]
fn block_style_tags_are_fine() {
    check("---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags:\n  - 优化\n  - DPO\n---\n", expect![[r#""#]]);
}

#[test]
fn dates_hugo_accepts() {
    check_date("2024-07-05T19:31:56+08:00", expect![[r#""#]]);
    check_date("\"2024-07-05T19:31:56Z\"", expect![[r#""#]]);
    check_date("2024-07-05T19:31:56.123+08:00", expect![[r#""#]]);
    check_date("2024-07-05 19:31:56 +0800", expect![[r#""#]]);
    check_date("Fri, 05 Jul 2024 19:31:56 +0800", expect![[r#""#]]);
}

#[test]
fn dates_without_offset_get_a_hint() {
    check_date(
        "2024-07-05",
        expect![[r#"
        3:7..3:17 hint[date-without-offset] `2024-07-05`: `2024-07-05` has no UTC offset: Hugo reads it as UTC. Write the offset, e.g. `2024-07-05T00:00:00+08:00`.
    "#]],
    );
    check_date(
        "2024-07-05 19:31:56",
        expect![[r#"
        3:7..3:26 hint[date-without-offset] `2024-07-05 19:31:56`: `2024-07-05 19:31:56` has no UTC offset: Hugo reads it as UTC. Write the offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
    check_date(
        "'2024-07-05T19:31:56'",
        expect![[r#"
        3:7..3:28 hint[date-without-offset] `\'2024-07-05T19:31:56\'`: `2024-07-05T19:31:56` has no UTC offset: Hugo reads it as UTC. Write the offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
}

#[test]
fn invalid_dates() {
    check_date(
        "2024-07-05T19:31+08:00",
        expect![[r#"
        3:7..3:29 error[invalid-date] `2024-07-05T19:31+08:00`: Hugo cannot read `2024-07-05T19:31+08:00` as a date (the seconds are missing): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:00+08:00`.
    "#]],
    );
    check_date(
        "2024/07/05",
        expect![[r#"
            3:7..3:17 error[invalid-date] `2024/07/05`: Hugo cannot read `2024/07/05` as a date (`/` and `.` do not separate year, month and day for Hugo: write `YYYY-MM-DD`): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
        "#]],
    );
    check_date(
        "07/05/2024",
        expect![[r#"
            3:7..3:17 error[invalid-date] `07/05/2024`: Hugo cannot read `07/05/2024` as a date (`/` and `.` do not separate year, month and day for Hugo: write `YYYY-MM-DD`): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
        "#]],
    );
    check_date(
        "2024-13-40",
        expect![[r#"
        3:7..3:17 error[invalid-date] `2024-13-40`: Hugo cannot read `2024-13-40` as a date (there is no month 13): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
    check_date(
        "yesterday",
        expect![[r#"
        3:7..3:16 error[invalid-date] `yesterday`: Hugo cannot read `yesterday` as a date (it is not a date format Hugo knows): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
    check_date(
        "\"1720179116\"",
        expect![[r#"
        3:7..3:19 error[invalid-date] `\"1720179116\"`: Hugo cannot read `1720179116` as a date (a number in quotes is a string, and not a date format Hugo knows): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
    check_date(
        "2024-07-05T19:31:56 +08:00",
        expect![[r#"
        3:7..3:33 error[invalid-date] `2024-07-05T19:31:56 +08:00`: Hugo cannot read `2024-07-05T19:31:56 +08:00` as a date (no space before the offset after a `T`: write `+08:00` right after the seconds): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
    check_date(
        "[2024-07-05]",
        expect![[r#"
        3:7..3:19 error[invalid-date] `[2024-07-05]`: The date is a list, not a date: Hugo silently dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
    check_date(
        "true",
        expect![[r#"
        3:7..3:11 error[invalid-date] `true`: The date is a boolean, not a date: Hugo silently dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
    check_date(
        "3:04PM",
        expect![[r#"
        3:7..3:13 error[invalid-date] `3:04PM`: Hugo reads `3:04PM` as a date in year 0: the page gets a meaningless date. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
    check_date(
        "0001-01-01",
        expect![[r#"
        3:7..3:17 error[invalid-date] `0001-01-01`: `0001-01-01` is Go's zero time: Hugo treats the page as undated. Write the real date, e.g. `2024-07-05T19:31:56+08:00`.
    "#]],
    );
}

#[test]
fn unix_dates() {
    check_date(
        "1720179116",
        expect![[r#"
        3:7..3:17 warning[unix-date] `1720179116`: `1720179116` is a bare number: Hugo reads it as Unix seconds, 2024-07-05T11:31:56Z. If that is the date you mean, write it as a date: `2024-07-05T11:31:56Z`.
    "#]],
    );
}

#[test]
fn future_dates() {
    check_date(
        "2999-01-01T00:00:00+08:00",
        expect![[r#"
        3:7..3:32 warning[future-date] `2999-01-01T00:00:00+08:00`: The date 2999-01-01 is in the future: Hugo does not publish the page before then (unless built with `--buildFuture`). Check the year and the day.
    "#]],
    );
}

#[test]
fn duplicate_keys() {
    check(
        "---\ntitle: \"a\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\ntitle: \"b\"\nTags: [b]\n---\n",
        expect![[r#"
            2:1..2:6 warning[duplicate-key] `title`: `title` is set again further down: Hugo silently keeps the last one and ignores this one. Remove one of them.
            4:1..4:5 warning[duplicate-key] `tags`: `tags` is set again further down (as `Tags`): Hugo silently keeps the last one and ignores this one. Remove one of them.
        "#]],
    );
}

#[test]
fn duplicate_invalid_date_only_the_last_counts() {
    check(
        "---\ntitle: \"t\"\ndate: yesterday\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\n---\n",
        expect![[r#"
            3:1..3:5 warning[duplicate-key] `date`: `date` is set again further down: Hugo silently keeps the last one and ignores this one. Remove one of them.
        "#]],
    );
}

#[test]
fn key_typos() {
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\ntag: b\ndates: x\nsumary: s\ncategroies: [c]\n---\n",
        expect![[r#"
            5:1..5:4 warning[key-typo] `tag`: `tag` is not a key Hugo knows; did you mean `tags`? Hugo keeps `tag` only as a custom parameter.
            6:1..6:6 warning[key-typo] `dates`: `dates` is not a key Hugo knows; did you mean `date`? Hugo keeps `dates` only as a custom parameter.
            7:1..7:7 warning[key-typo] `sumary`: `sumary` is not a key Hugo knows; did you mean `summary`? Hugo keeps `sumary` only as a custom parameter.
            8:1..8:11 warning[key-typo] `categroies`: `categroies` is not a key Hugo knows; did you mean `categories`? Hugo keeps `categroies` only as a custom parameter.
        "#]],
    );
}

#[test]
fn legitimate_and_custom_keys_are_never_flagged() {
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\ndraft: yes\nlastmod: 2024-07-06T10:00:00+08:00\n\
         publishDate: 2024-07-05T19:31:56+08:00\nexpiryDate: 2030-01-01T00:00:00+08:00\nslug: s\nsummary: s\n\
         description: d\ncategories: [c]\nseries: [s]\nweight: 3\nauthor: me\nauthors: [me]\naliases: [/a]\n\
         keywords: [k]\ntype: post\nlayout: l\nurl: /u\nimages: [i.png]\ntoc: true\nmath: true\nimage: i.png\n\
         speaker: 张三\nreading_group: nlp\n主持人: 李四\nid: 7\n---\n",
        expect![[r#""#]],
    );
}

#[test]
fn aliases_are_reported_not_expanded() {
    check(
        "---\ntitle: &t \"优化\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\nsummary: *t\n---\n",
        expect![[r#"
        5:10..5:12 info[yaml-alias] `*t`: An alias: Hugo copies the anchored value here; digest-ls reads it as that value but does not check it again at this place.
    "#]],
    );
}

#[test]
fn cjk_and_emoji_lines_keep_exact_columns() {
    check(
        "---\ntitle: \"😀 优化; 角色扮演 😀\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [\"😀\", \"优化\"]\n标题: x\ntitel: \"😀\"\n---\n",
        expect![[r#"
            6:1..6:6 warning[key-typo] `titel`: `titel` is not a key Hugo knows; did you mean `title`? Hugo keeps `titel` only as a custom parameter.
        "#]],
    );
}

#[test]
fn crlf_file_positions_are_exact() {
    check(
        "---\r\ntitle: \"优化 😀\"\r\ndate: 2024/07/05\r\ntags: \"优化, DPO\"\r\ntitle: \"again\"\r\n---\r\n\r\nbody\r\n",
        expect![[r#"
            2:1..2:6 warning[duplicate-key] `title`: `title` is set again further down: Hugo silently keeps the last one and ignores this one. Remove one of them.
            3:7..3:17 error[invalid-date] `2024/07/05`: Hugo cannot read `2024/07/05` as a date (`/` and `.` do not separate year, month and day for Hugo: write `YYYY-MM-DD`): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
            4:7..4:16 warning[tags-not-list] `\"优化, DPO\"`: `tags` is one string, not a list: Hugo reads one tag "优化, DPO", commas included. Write a list: `tags: ["优化", "DPO"]`.
        "#]],
    );
}

#[test]
fn bom_file_positions_are_exact() {
    check(
        "\u{feff}---\ntitle: \"t\"\ndate: 2024-07-05T19:31\ntags: [a]\n---\n",
        expect![[r#"
        3:7..3:23 error[invalid-date] `2024-07-05T19:31`: Hugo cannot read `2024-07-05T19:31` as a date (the seconds are missing): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:00+08:00`.
    "#]],
    );
}

#[test]
fn alias_bomb_is_cheap() {
    let mut text = String::from("---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\na: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for i in 0..9u8 {
        let (name, prev) = ((b'b' + i) as char, (b'a' + i) as char);
        text.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(",")));
    }
    text.push_str("---\n");
    let (_, diagnostics) = run(&text);
    // One information per alias written (81), nothing else: no expansion happened.
    assert_eq!(diagnostics.len(), 81, "{diagnostics:?}");
    assert!(diagnostics.iter().all(|d| d.code == "yaml-alias"));
}

#[test]
fn ten_thousand_levels_of_nesting() {
    let text = format!(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\nx: {}{}\n---\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    let (text, diagnostics) = run(&text);
    expect![[r#"
        5:259..5:260 info[limit] `[`: The front matter nests deeper than the YAML parser allows: the rest was not read.
    "#]]
    .assert_eq(&render_diagnostics(&text, &diagnostics).replace(&"[".repeat(100), "[…100"));
    // Block style: `- - - x` nests a sequence in a sequence on one line.
    let block =
        format!("---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a]\nx:\n{}x\n---\n", "- ".repeat(10_000));
    let (text, diagnostics) = run(&block);
    expect![[r#"
        6:127..6:128 info[limit] `-`: The front matter nests deeper than 64 levels: the rest was not read (raise `yaml-depth` under `[limits]` in digest-ls.toml).
    "#]].assert_eq(&render_diagnostics(&text, &diagnostics));
}

#[test]
fn one_megabyte_single_line_front_matter() {
    // A flow mapping on one line: 1 MB of CJK title, then a bad date at a far column.
    let title = "优化".repeat(170_000);
    let text = format!(
        "---\n{{title: \"{title}\", tags: [a], date: 2024/07/05}}\n---\nbody\n//- digest-ls.toml\n[limits]\nfront-matter-bytes = 4000000\n"
    );
    let (text, diagnostics) = run(&text);
    assert!(text.len() > 1_000_000);
    expect![[r#"
        2:340030..2:340040 error[invalid-date] `2024/07/05`: Hugo cannot read `2024/07/05` as a date (`/` and `.` do not separate year, month and day for Hugo: write `YYYY-MM-DD`): it drops it silently and dates the page 0001-01-01. Write RFC 3339 with an offset, e.g. `2024-07-05T19:31:56+08:00`.
    "#]].assert_eq(&render_diagnostics(&text, &diagnostics));
}

#[test]
fn front_matter_over_the_size_limit() {
    check(
        "---\ntitle: \"t\"\ndate: yesterday\ntags: [a]\n---\nbody\n//- digest-ls.toml\n[limits]\nfront-matter-bytes = 20\n",
        expect![[r#"
            1:1..1:4 info[limit] `---`: The front matter is 37 bytes, over the limit of 20 bytes: it was not checked (raise `front-matter-bytes` under `[limits]` in digest-ls.toml to check it).
        "#]],
    );
}

#[test]
fn node_limit() {
    check(
        "---\ntitle: \"t\"\ndate: 2024-07-05T19:31:56+08:00\ntags: [a, b, c, d, e, f]\n---\nbody\n//- digest-ls.toml\n[limits]\nyaml-nodes = 8\n",
        expect![[r#"
            4:11..4:12 info[limit] `b`: The front matter has more than 8 YAML nodes: the rest was not read (raise `yaml-nodes` under `[limits]` in digest-ls.toml).
        "#]],
    );
}
