#!/bin/sh
# Reads which front-matter `date` values Hugo accepts, by building a one-page site per value.
#
# Usage: scripts/hugo-dates.sh [OUT]   (default: tests/data/hugo-dates.tsv)
# Needs `hugo` on PATH (the Debian package is the reference: apt-get install hugo).
# Each line of OUT: the value as written after `date: `, a tab, then what Hugo did:
#   error <message>          the build failed
#   zero                     the page was built with the zero date (0001-01-01)
#   <unix> <RFC 3339 date>   the date Hugo read
# src/date.rs reads OUT in a table test, so the parser is checked against Hugo itself.
set -eu

out=${1:-tests/data/hugo-dates.tsv}
command -v hugo >/dev/null || { echo "hugo not found: apt-get install hugo" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/site/content/posts" "$work/site/layouts/_default"
cat >"$work/site/config.toml" <<'TOML'
baseURL = "http://example.org/"
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404", "home", "section"]
buildFuture = true
TOML
# One line per page: zero, or the unix seconds and the date with its offset.
cat >"$work/site/layouts/_default/single.html" <<'TPL'
{{ if .Date.IsZero }}zero{{ else }}{{ .Date.Unix }} {{ .Date.Format "2006-01-02T15:04:05.999999999Z07:00" }}{{ end }}
TPL

# Candidate values, one per line, exactly as written after `date: ` (quoted ones too).
candidates() {
    for v in \
        '2024-07-05T19:31:56+08:00' '2024-07-05T19:31:56Z' '2024-07-05T19:31:56z' '2024-07-05t19:31:56Z' \
        '2024-07-05T19:31:56.123+08:00' '2024-07-05T19:31:56.123456789Z' '2024-07-05T19:31:56-00:00' \
        '2024-07-05' '2024-07-05 19:31:56' '2024-07-05T19:31:56' '2024-07-05T19:31:56.5' \
        '2024-07-05 19:31:56+08:00' '2024-07-05 19:31:56 +08:00' '2024-07-05 19:31:56 +0800' \
        '2024-07-05T19:31:56+0800' '2024-07-05T19:31:56+08' '2024-07-05 19:31:56.5 +08:00' \
        '2024-07-05T19:31+08:00' '2024-07-05T19:31' '2024-07-05 19:31' '2024-7-5' '2024-07-5' \
        '2024-07-05T9:31:56Z' '2024-07-05T19:31:56 +08:00' '2024-07-05  19:31:56' \
        '2024/07/05' '07/05/2024' '05.07.2024' '20240705' '2024-13-40' '2024-02-30' '2024-02-29' '2023-02-29' \
        '2024-07-05T24:00:00Z' '2024-07-05T23:59:60Z' '2024-07-05T19:31:56+24:00' \
        'yesterday' 'now' '' '~' 'null' '1720179116' '0' '-1' '1720179116.5' '0x10' 'true' \
        'Fri, 05 Jul 2024 19:31:56 +0800' 'Fri, 05 Jul 2024 19:31:56 CST' 'Fri, 05 Jul 2024 19:31:56 GMT' \
        '05 Jul 24 19:31 +0800' '05 Jul 2024' 'Jul 5, 2024' 'Friday, 05-Jul-24 19:31:56 UTC' \
        'Fri Jul  5 19:31:56 2024' 'Fri Jul  5 19:31:56 UTC 2024' '2024-07-05 19:31:56 +0800 CST' \
        '0001-01-01' '0000-01-01' '9999-12-31T23:59:59Z' '10000-01-01' '1969-12-31T23:59:59Z' \
        ' 2024-07-05' '2024-07-05T19:31:56+08:00 # comment' '2024-07-05T19:31:56,5Z' \
        '2024-07-05T19:31:56.Z' '2024-07-05T19:31:56.1234567891Z' '2024-07-05T19:31:56+8:00' \
        '2024-07-05T19:31:56+08:60' '2024-07-05T19:31:56+08:61' '2024-07-05 19:31:56Z' \
        '2024-07-05 19:31:56 -0700 MST' '2024-07-05 19:31:56.000' 'FRI, 05 JUL 2024 19:31:56 +0800' \
        'Sun, 05 Jul 2024 19:31:56 +0800' '5 Jul 2024' '05 July 2024' '3:04PM' 'Jul  5 19:31:56' \
        'Fri Jul 05 19:31:56 +0800 2024' '+1720179116' '1_720_179_116' '017' '0o17'
    do
        printf '%s\n' "$v"
        printf '"%s"\n' "$v"
    done
    # Quoted only (unquoted they are other YAML), and block forms.
    printf '%s\n' "'2024-07-05'" "[2024-07-05]" "{a: 1}" "!!str 2024-07-05" "!!timestamp 2024-07-05"
}

: >"$out.tmp"
candidates | while IFS= read -r value; do
    rm -rf "$work/site/content/posts/"* "$work/site/public"
    printf -- '---\ntitle: t\ndate: %s\n---\nbody\n' "$value" >"$work/site/content/posts/p.md"
    if log=$(cd "$work/site" && TZ=UTC hugo --quiet -d public 2>&1); then
        result=$(tr -d '\n' <"$work/site/public/posts/p/index.html" | sed -e 's/&#43;/+/g')
    else
        # Keep the message, without the temporary path.
        result="error $(printf '%s' "$log" | grep -i error | head -n 1 | sed -e "s|$work/site/||g" | tr '\t' ' ')"
    fi
    printf '%s\t%s\n' "$value" "$result" >>"$out.tmp"
done
{
    echo "# $(hugo version | cut -d' ' -f1-2)"
    cat "$out.tmp"
} >"$out"
rm -f "$out.tmp"
echo "wrote $out" >&2
