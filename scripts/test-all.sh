#!/usr/bin/env bash
# Runs every test of the project from a fresh clone: the Rust suite (unit, fixture,
# property and end-to-end tests), then the editor integrations (Neovim end-to-end,
# VS Code extension build, unit tests and packaging). Installs what it needs first.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test"
cargo test --locked --all-targets
# Doc tests are separate from --all-targets.
cargo test --locked --doc

if [ "${DIGEST_LS_SKIP_EDITORS:-0}" != "1" ] && [ -x scripts/ci-editors.sh ]; then
  echo "== editors"
  scripts/ci-editors.sh
fi
