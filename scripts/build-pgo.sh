#!/usr/bin/env bash
# Builds the release server with profile-guided optimisation (PGO), as rust-analyzer's
# releases are built: an instrumented build runs the end-to-end bench (`lsp-bench
# --quick`: cold indexing, keystrokes, completion, hover, `check`), and the final build
# uses the profile it wrote. The result is target/pgo/digest-ls.
#
#   scripts/build-pgo.sh             # build target/pgo/digest-ls (about 10 minutes on 2 cores)
#   scripts/build-pgo.sh --install   # and copy it to ~/.cargo/bin
#
# Needs the toolchain's llvm-profdata (`rustup component add llvm-tools`; tried here).
set -euo pipefail
cd "$(dirname "$0")/.."

install=false
for arg in "$@"; do
  case "$arg" in
    --install) install=true ;;
    -h | --help) sed -n '2,10p' "$0"; exit 0 ;;
    *) echo "unknown argument: $arg (try --help)" >&2; exit 2 ;;
  esac
done

# The profile's format belongs to the compiler's LLVM: only its own llvm-profdata reads it.
host=$(rustc -vV | sed -n 's/^host: //p')
profdata="$(rustc --print sysroot)/lib/rustlib/$host/bin/llvm-profdata"
if [ ! -x "$profdata" ]; then
  echo "llvm-profdata is missing: rustup component add llvm-tools" >&2
  rustup component add llvm-tools >&2 || true
fi
[ -x "$profdata" ] || { echo "no llvm-profdata at $profdata" >&2; exit 2; }

out=target/pgo
rm -rf "$out/profiles"
mkdir -p "$out/profiles"
profiles=$(cd "$out/profiles" && pwd)
# Builds share the caller's RUSTFLAGS; the PGO flags come last.
flags=${RUSTFLAGS:-}

echo "== 1/4 instrumented build" >&2
RUSTFLAGS="$flags -Cprofile-generate=$profiles" \
  cargo build --release --bin digest-ls --target-dir "$out/gen"

echo "== 2/4 training run: lsp-bench --quick on the instrumented server" >&2
# The bench itself is an ordinary release build (its floor is not optimised with the profile).
cargo run --release --example lsp-bench -- --quick --server "$out/gen/release/digest-ls" >"$out/training.txt"
ls "$profiles"/*.profraw >/dev/null 2>&1 || { echo "the training run wrote no profile" >&2; exit 1; }

echo "== 3/4 merging the profile" >&2
"$profdata" merge -o "$out/digest-ls.profdata" "$profiles"/*.profraw

echo "== 4/4 optimised build" >&2
RUSTFLAGS="$flags -Cprofile-use=$(pwd)/$out/digest-ls.profdata" \
  cargo build --release --bin digest-ls --target-dir "$out/use"
cp "$out/use/release/digest-ls" "$out/digest-ls"
echo "built $out/digest-ls" >&2

if $install; then
  bin="${CARGO_HOME:-$HOME/.cargo}/bin"
  mkdir -p "$bin"
  cp "$out/digest-ls" "$bin/digest-ls"
  echo "installed $bin/digest-ls" >&2
fi
