#!/usr/bin/env bash
# Installs the peers bench/compare.sh and bench/peers.sh measure Portico against, as measured in
# the README (nothing here is needed to build or test Portico):
#
#   bench/install-peers.sh [ZOLA_SOURCE]
#
#   Hugo 0.111.3     Debian's package (apt-get install hugo; bookworm has 0.111.3), when missing.
#   mdBook 0.5.4     cargo install mdbook --version 0.5.4 --locked, into TOOLS/cargo/bin.
#   Zola 0.21.0      built from source with cargo build --release --locked, when ZOLA_SOURCE is
#                    given: a copy of Zola's repository at the tag v0.21.0 (without its docs/
#                    folder, which the build does not need); Zola is not on crates.io.
#
# TOOLS (default /work/tools) holds what is built; the last lines say which environment to give
# bench/compare.sh. Builds run under `nice -n 10` (a shared machine): Zola takes 15 minutes or
# more on 2 cores, mdBook about 5.
set -euo pipefail
TOOLS=${TOOLS:-/work/tools}
mkdir -p "$TOOLS"

if ! command -v hugo >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo >/dev/null
fi

if [[ ! -x "$TOOLS/cargo/bin/mdbook" ]]; then
    CARGO_INSTALL_ROOT="$TOOLS/cargo" CARGO_TARGET_DIR="$TOOLS/mdbook-target" \
        nice -n 10 cargo install mdbook --version 0.5.4 --locked
fi

zola=
if [[ $# -ge 1 ]]; then
    version=$(sed -n 's/^version = "\(.*\)"$/\1/p' "$1/Cargo.toml" | head -n 1)
    if [[ "$version" != 0.21.0 ]]; then
        echo "$1: Zola $version, not 0.21.0 (the README's figures are with 0.21.0)" >&2
    fi
    (cd "$1" && nice -n 10 cargo build --release --locked)
    zola="$(cd "$1" && pwd)/target/release/zola"
fi

echo "# $(hugo version | awk '{print $1, $2}'); $("$TOOLS/cargo/bin/mdbook" --version)${zola:+; $("$zola" --version)}"
echo "export HUGO=$(command -v hugo) MDBOOK=$TOOLS/cargo/bin/mdbook${zola:+ ZOLA=$zola}"
