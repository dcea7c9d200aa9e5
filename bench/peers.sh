#!/usr/bin/env bash
# Time peer static-site generators on a portal made by bench/gen-portal.py.
#
#   bench/peers.sh DIR
#
# (The team's shared peers.sh, brought into the project with gen-portal.py; the tools' command
# lines are common.sh's peer_cmd, which bench/compare.sh uses too. Each tool runs REPS times in
# a row here; bench/compare.sh interleaves them with Portico's builds instead.)
#
# Prints one line per tool: tool, pages, median wall seconds of REPS runs,
# pages/second (docs pages / median), peak RSS (max over runs), plus the median
# CPU seconds (user+sys), min/max wall and the number of HTML files written.
# `pages` is always the docs page count from DIR/flat/manifest.json (P*V*N) so
# that pages/s compares like with like; Hugo and Zola also render P+1 small
# list pages (home + one per plugin) that mdBook does not have.
#
# Also times two floors on the same content:
#   git-cat-all       `git cat-file --batch-all-objects --batch` for every repo
#                     (all objects of all history, once each; summed by timing the loop)
#   git-docs-branches per repo and branch: `git ls-tree -r <branch> -- docs` piped
#                     into one `git cat-file --batch` per repo (every docs blob of
#                     every version, duplicates included, as a per-version reader sees them)
#   cat-flat          cat of every flat markdown page (mdBook copy) to /dev/null,
#                     warm page cache (I/O floor)
#
# Environment:
#   REPS=3                   repetitions per tool (median reported)
#   HUGO=hugo MDBOOK=mdbook  binaries (skipped with a message when not found)
#   ZOLA="zola"              one or more zola binaries, space-separated; each is
#                            labelled zola-<version>.  Zola >= 0.22 is run with
#                            config-giallo.toml (giallo highlighter), older with
#                            config.toml (syntect).
#   OUT_BASE=/tmp            where outputs go (out-hugo, out-zola, out-mdbook*)
#   LOG=/tmp/peers-logs      stderr of each tool run
#   ONLY="hugo zola mdbook mdbook-par git cat"   subset to run
set -euo pipefail
source "$(dirname "$0")/common.sh"

if [[ $# -ne 1 || ! -f "$1/flat/manifest.json" ]]; then
    echo "usage: $0 DIR   (DIR made by gen-portal.py; DIR/flat/manifest.json must exist)" >&2
    exit 2
fi
DIR=$(cd "$1" && pwd)
REPS=${REPS:-3}
OUT_BASE=${OUT_BASE:-/tmp}
LOG=${LOG:-/tmp/peers-logs}
HUGO=${HUGO:-hugo}
MDBOOK=${MDBOOK:-mdbook}
ZOLA=${ZOLA:-zola}
ONLY=${ONLY:-"hugo zola mdbook mdbook-par git cat"}
TIMEFMT="%e s %M KB %U user %S sys"
mkdir -p "$LOG"

PAGES=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pages_total"])' "$DIR/flat/manifest.json")
BOOKS=$(find "$DIR/flat/mdbook" -mindepth 1 -maxdepth 1 -type d | wc -l)
REPOS=$(find "$DIR/repos" -mindepth 1 -maxdepth 1 -type d | wc -l)

want() { [[ " $ONLY " == *" $1 "* ]]; }

have() { command -v "$1" >/dev/null 2>&1; }

# max / min of numbers on stdin (median: common.sh)
maxof() { sort -g | tail -n 1; }
minof() { sort -g | head -n 1; }

printf '# peers.sh %s  (pages=%s books=%s repos=%s reps=%s nproc=%s load=%s)\n' \
    "$DIR" "$PAGES" "$BOOKS" "$REPOS" "$REPS" "$(nproc)" "$(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-22s %7s %9s %9s %11s %9s %15s %7s %7s\n' tool pages median_s pages/s peak_rss_MB cpu_s min-max_s html out_MB

# bench LABEL OUTDIR -- command...   (OUTDIR is wiped and `sync` run before every run, untimed)
bench() {
    local label=$1 outdir=$2; shift 3
    local secs=() rss=() cpu=() i tf rc
    for ((i = 1; i <= REPS; i++)); do
        [[ -n "$outdir" ]] && rm -rf "$outdir"
        sync  # flush the previous run's writes so they are not billed to this one
        tf=$(mktemp)
        set +e
        /usr/bin/time -f "$TIMEFMT" -o "$tf" "$@" >"$LOG/$label.$i.out" 2>"$LOG/$label.$i.err"
        rc=$?
        set -e
        if [[ $rc -ne 0 ]]; then
            printf '%-22s FAILED (exit %s) on run %s; see %s\n' "$label" "$rc" "$i" "$LOG/$label.$i.err"
            tail -n 5 "$LOG/$label.$i.err" | sed 's/^/    /'
            rm -f "$tf"
            return 0
        fi
        # last line: "<e> s <M> KB <U> user <S> sys"
        read -r e _ m _ u _ s _ < <(tail -n 1 "$tf")
        secs+=("$e"); rss+=("$m"); cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')")
        rm -f "$tf"
    done
    local med mx mn rmax cmed html=- omb=-
    med=$(printf '%s\n' "${secs[@]}" | median)
    mn=$(printf '%s\n' "${secs[@]}" | minof)
    mx=$(printf '%s\n' "${secs[@]}" | maxof)
    rmax=$(printf '%s\n' "${rss[@]}" | maxof)
    cmed=$(printf '%s\n' "${cpu[@]}" | median)
    if [[ -n "$outdir" && -d "$outdir" ]]; then
        html=$(find "$outdir" -name '*.html' | wc -l)
        omb=$(du -sm "$outdir" | cut -f1)
    fi
    printf '%-22s %7s %9s %9s %11s %9s %15s %7s %7s\n' "$label" "$PAGES" "$med" \
        "$(awk -v p="$PAGES" -v t="$med" 'BEGIN{ if (t > 0) printf "%.0f", p/t; else print "inf" }')" \
        "$(awk -v k="$rmax" 'BEGIN{printf "%.0f", k/1024}')" "$cmed" "$mn-$mx" "$html" "$omb"
    printf '%s\n' "${secs[@]}" >"$LOG/$label.secs"
}

# ---------------------------------------------------------------- hugo
if want hugo; then
    if have "$HUGO"; then
        peer_cmd hugo "$HUGO" "$DIR" "$OUT_BASE/out-hugo"
        bench hugo "$OUT_BASE/out-hugo" -- "${cmd[@]}"
    else
        echo "hugo: not installed (HUGO=$HUGO), skipped"
    fi
fi

# ---------------------------------------------------------------- zola
if want zola; then
    for z in $ZOLA; do
        if have "$z"; then
            zv=$("$z" --version | awk '{print $2}')
            peer_cmd zola "$z" "$DIR" "$OUT_BASE/out-zola"
            bench "zola-$zv" "$OUT_BASE/out-zola" -- "${cmd[@]}"
        else
            echo "zola: not installed (ZOLA=$z), skipped"
        fi
    done
fi

# ---------------------------------------------------------------- mdbook
if want mdbook || want mdbook-par; then
    if have "$MDBOOK"; then
        MDBOOK_BIN=$(command -v "$MDBOOK")
        if want mdbook; then
            peer_cmd mdbook "$MDBOOK_BIN" "$DIR" "$OUT_BASE/out-mdbook" 1
            bench mdbook-seq "$OUT_BASE/out-mdbook" -- "${cmd[@]}"
        fi
        if want mdbook-par; then
            peer_cmd mdbook "$MDBOOK_BIN" "$DIR" "$OUT_BASE/out-mdbook-par" 2
            bench mdbook-xargs-P2 "$OUT_BASE/out-mdbook-par" -- "${cmd[@]}"
        fi
    else
        echo "mdbook: not installed (MDBOOK=$MDBOOK), skipped"
    fi
fi

# ---------------------------------------------------------------- floors
if want git; then
    bench git-cat-all "" -- bash -c '
        for r in "$0"/*/; do git -C "$r" cat-file --batch-all-objects --batch >/dev/null; done' "$DIR/repos"
    bench git-docs-branches "" -- bash -c '
        for r in "$0"/*/; do
            for b in $(git -C "$r" for-each-ref --format="%(refname)" refs/heads); do
                git -C "$r" ls-tree -r "$b" -- docs
            done | awk "\$2==\"blob\" {print \$3}" | git -C "$r" cat-file --batch >/dev/null
        done' "$DIR/repos"
    bytes_all=0; bytes_docs=0
    for r in "$DIR"/repos/*/; do
        bytes_all=$((bytes_all + $(git -C "$r" cat-file --batch-all-objects --batch-check='%(objectsize)' | awk '{s+=$1} END{print s+0}')))
        bytes_docs=$((bytes_docs + $(for b in $(git -C "$r" for-each-ref --format='%(refname)' refs/heads); do
            git -C "$r" ls-tree -r -l "$b" -- docs; done | awk '$2=="blob"{s+=$4} END{print s+0}')))
    done
    pack=$(du -sk "$DIR"/repos/*/.git/objects | awk '{s+=$1} END{print s}')
    awk -v a="$bytes_all" -v d="$bytes_docs" -v p="$pack" 'BEGIN{printf "#   git bytes: all objects %.1f MiB (inflated), docs blobs over all branches %.1f MiB, on-disk .git/objects %.1f MiB\n", a/1048576, d/1048576, p/1024}'
fi
if want cat; then
    bench cat-flat "" -- bash -c '
        find "$0" -name "*.md" ! -name SUMMARY.md -print0 | xargs -0 cat >/dev/null' "$DIR/flat/mdbook"
    read -r fw fb < <(find "$DIR/flat/mdbook" -name '*.md' ! -name SUMMARY.md -print0 | xargs -0 cat | wc -w -c)
    awk -v b="$fb" -v w="$fw" -v n="$(find "$DIR/flat/mdbook" -name '*.md' ! -name SUMMARY.md | wc -l)" \
        'BEGIN{printf "#   flat markdown: %.1f MiB, %.1f M words in %d files (%.0f words/page incl. code)\n", b/1048576, w/1e6, n, w/n}'
fi
