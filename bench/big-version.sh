#!/usr/bin/env bash
# One very large version: what a build costs when a single version has PAGES pages.
#
#   bench/big-version.sh [PAGES]        (default: 10000)
#
# Generates a portal with one integration whose current version has PAGES pages in nested
# folders with a SUMMARY.md (bench/gen-big-version.py, a real git repository), builds
# Portico in release mode, times `portico build` REPS times and prints the median wall
# time, the peak RSS, the output's size and file count, and the size of one deep page.
# Targets (issue 11): under 20 s and under 1 GB written for 10,000 pages; a page's size
# must not grow with the number of pages.
#
# Runs without ../shared. Environment: REPS (default 1), WORK (default a temporary folder;
# the portal is generated once per WORK, PAGES and LAYOUT), LAYOUT=flat (every page in one
# folder, no SUMMARY.md: one level of PAGES entries), PORTICO (a binary to time instead of
# this checkout's release build, to compare before and after a change).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
pages=${1:-10000}
REPS=${REPS:-1}
WORK=${WORK:-$(mktemp -d /tmp/portico-big.XXXXXX)}
layout=${LAYOUT:-nested}
flat=()
[[ $layout == flat ]] && flat=(--flat)
portal="$WORK/portal-$pages${flat:+-flat}"
out="$WORK/out-$pages"

if [[ ! -f "$portal/site.toml" ]]; then
    python3 "$here/bench/gen-big-version.py" --pages "$pages" --out "$portal" "${flat[@]}"
fi
if [[ -n "${PORTICO:-}" ]]; then
    portico=$PORTICO
else
    cargo build --release --quiet --manifest-path "$here/Cargo.toml"
    portico="$here/target/release/portico"
fi
echo "# portal: one integration, one version of $pages pages ($layout), in $portal"

median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }

secs=() rss=()
for ((i = 1; i <= REPS; i++)); do
    rm -rf "$out"
    sync
    tf=$(mktemp)
    /usr/bin/time -f "%e %M" -o "$tf" "$portico" build --quiet --root "$portal" --out "$out" 2>"$WORK/big.$i.err" || {
        echo "build failed:" >&2
        tail -n 20 "$WORK/big.$i.err" >&2
        exit 1
    }
    read -r e m < <(tail -n 1 "$tf")
    secs+=("$e")
    rss+=("$m")
    rm -f "$tf"
done

med=$(printf '%s\n' "${secs[@]}" | median)
peak_mb=$(printf '%s\n' "${rss[@]}" | sort -g | tail -n 1 | awk '{printf "%.0f", $1/1024}')
bytes=$(du -sb "$out" | cut -f1)
files=$(find "$out" -type f | wc -l)
deep="$out/integrations/big/latest/section-001/topic-01/page-002.html"
[[ $layout == flat ]] && deep="$out/integrations/big/latest/page-05000.html"
page_bytes=$(stat -c %s "$deep" 2>/dev/null || echo "?")
printf '%-8s %9s %11s %10s %8s %11s\n' pages median_s peak_rss_MB output_MB files page_bytes
printf '%-8s %9s %11s %10s %8s %11s\n' "$pages" "$med" "$peak_mb" \
    "$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1048576}')" "$files" "$page_bytes"
awk -v t="$med" -v b="$bytes" -v p="$pages" 'BEGIN{
    if (p != 10000) exit
    printf "# targets for 10,000 pages: time %s (< 20 s), output %s (< 1 GB)\n",
        (t < 20 ? "met" : "MISSED"), (b < 1e9 ? "met" : "MISSED")
}'
