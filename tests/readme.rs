//! The README documents every diagnostic code and every configuration key.

use digest_ls::diagnostics::CODES;

const README: &str = include_str!("../README.md");

#[test]
fn every_code_is_in_the_catalogue_with_its_severity() {
    for c in CODES {
        let row = format!("| `{}` | {} |", c.code, c.severity.as_str());
        assert!(README.contains(&row), "README's diagnostic table lacks the row for `{}` ({row})", c.code);
    }
    let rows = README.lines().filter(|l| l.starts_with("| `") && l.matches('|').count() == 4).count();
    assert_eq!(rows, CODES.len(), "README lists codes that do not exist");
}

#[test]
fn every_setting_is_documented() {
    for key in [
        "include",
        "exclude",
        "required-keys",
        "reference-lists",
        "[labels]",
        "[tags]",
        "vocabulary",
        "[severity]",
        "[limits]",
        "front-matter-bytes",
        "yaml-depth",
        "yaml-nodes",
    ] {
        assert!(README.contains(key), "README does not document `{key}`");
    }
}
