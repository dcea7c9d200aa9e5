#!/usr/bin/env bash
# Hostile-input benchmark: how build time grows with pathological nesting in one page.
#
#   bench/hostile.sh [N]            (default N = 100000)
#
# For each input shape (nested <div>s on one line, one per line, unclosed; nested `>`
# blockquotes; nested `- ` lists; nested inline formatting; markdown kept open by raw
# `<object>`s; content foster-parented out of an unclosed raw `<table>`), writes a one-page integration
# of size N/2 and N into a fresh portal (real git repositories), once community-managed
# (sanitized) and once Mattermost-managed (trusted), and times `portico build` in release
# mode. Prints each build's wall time and the ratio time(N) / time(N/2): about 2 means the
# work is linear, about 4 quadratic. A build slower than LIMIT seconds (default 120) is
# cut off and shown as `>LIMIT`.
#
# Environment: WORK (default a temporary folder), LIMIT, SHAPES and MANAGED (space-separated
# subsets of the shapes and of community / mattermost).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
N=${1:-100000}
LIMIT=${LIMIT:-120}
WORK=${WORK:-$(mktemp -d /tmp/portico-hostile.XXXXXX)}
cargo build --release --quiet --manifest-path "$here/Cargo.toml"
portico="$here/target/release/portico"

# page SHAPE COUNT: the markdown of one hostile page.
page() {
    python3 - "$1" "$2" <<'EOF'
import sys
shape, n = sys.argv[1], int(sys.argv[2])
out = {
    "divs-one-line": "<div>" * n + "deep" + "</div>" * n,
    "divs-per-line": "<div>\n" * n + "deep\n" + "</div>\n" * n,
    "divs-unclosed": "<div>" * n + "deep",
    "blockquotes": ">" * n + " deep",
    "lists": "- " * n + "deep",
    "formatting": "".join(f'<b id="b{i}">' for i in range(n)) + "deep",
    # Markdown levels kept open by a scope boundary in each paragraph (`</em>` cannot
    # reach past `<object>`): few raw tags, deep pages.
    "object-strands": "> > > > > ***a <object> b***\n\n" * (n // 10) + "</object>",
    # Paragraphs after an unclosed `<table>` are moved in front of it, one by one.
    "foster-paragraphs": "<table>\n\n" + "x\n\n" * n,
    # Text moved in front of a table that has many siblings already: each move looks the
    # table up among them (even when the text then joins the text before it).
    "foster-text": "x\n\n" * (n // 2) + "<table>" + "x<!---->" * (n // 2) + "\n",
}[shape]
sys.stdout.write("# Hostile\n\n" + out + "\n\nThe end.\n")
EOF
}

# portal DIR MANAGED_BY SHAPE COUNT: a portal with one integration whose README is hostile.
portal() {
    local dir=$1 managed=$2 shape=$3 count=$4
    rm -rf "$dir"
    mkdir -p "$dir/repos/hostile" "$dir/content"
    cat >"$dir/site.toml" <<EOF
[site]
title = "Hostile"
base_url = "https://docs.example.com/"
description = "Hostile input"

[[integrations]]
id = "hostile"
repo = "repos/hostile"
managed_by = "$managed"
deployments = ["cloud"]
EOF
    printf '# Welcome\n' >"$dir/content/_index.md"
    (
        cd "$dir/repos/hostile"
        git init -q -b main
        printf 'id: hostile\nname: Hostile\nversion: 1.0.0\n' >plugin.yaml
        page "$shape" "$count" >README.md
        git add -A
        git -c user.name=bench -c user.email=bench@example.com commit -qm hostile
    )
}

# build_time DIR: wall seconds of one build, or >LIMIT.
build_time() {
    local dir=$1 tf
    tf=$(mktemp)
    if timeout "$LIMIT" /usr/bin/time -f "%e" -o "$tf" "$portico" build --root "$dir" --out "$dir/public" >"$dir/build.log" 2>&1; then
        tail -n 1 "$tf"
    else
        echo ">$LIMIT"
    fi
    rm -f "$tf"
}

half=$((N / 2))
printf '%-15s %-10s %10s %10s %7s\n' shape managed_by "t(${half})" "t(${N})" ratio
for shape in ${SHAPES:-divs-one-line divs-per-line divs-unclosed blockquotes lists formatting object-strands foster-paragraphs foster-text}; do
    for managed in ${MANAGED:-community mattermost}; do
        portal "$WORK/p" "$managed" "$shape" "$half"
        small=$(build_time "$WORK/p")
        portal "$WORK/p" "$managed" "$shape" "$N"
        large=$(build_time "$WORK/p")
        ratio=$(awk -v a="$small" -v b="$large" 'BEGIN{ if (a ~ /^>/ || b ~ /^>/ || a <= 0) print "-"; else printf "%.1f", b/a }')
        printf '%-15s %-10s %10s %10s %7s\n' "$shape" "$managed" "$small" "$large" "$ratio"
        grep -m1 -o 'warning:.*nest[^.]*' "$WORK/p/build.log" | cut -c1-100 | sed 's/^/    /' || true
    done
done
rm -rf "$WORK/p"
