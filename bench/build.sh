#!/usr/bin/env bash
# Full-build benchmark: Portico against its peers on the same synthetic portal, in one run.
#
#   bench/build.sh [PLUGINS VERSIONS PAGES]        (default: 20 5 40, about 4,000 pages)
#
# Generates the portal with bench/gen-portal.py (real git repositories), builds
# Portico in release mode, times `portico build` REPS times (median wall, CPU, peak RSS),
# then runs bench/peers.sh on the same pages (Hugo, Zola, mdBook where installed,
# plus the git and cat floors). Compare figures from the same run only.
#
# Environment: REPS (default 3), WORK (default a temporary folder), PEERS=0 to skip peers.
set -euo pipefail
source "$(dirname "$0")/common.sh"
bench_setup "$@"

secs=() cpu=() rss=()
for ((i = 1; i <= REPS; i++)); do
    rm -rf "$WORK/out-portico"
    sync
    tf=$(mktemp)
    /usr/bin/time -f "%e %M %U %S" -o "$tf" "$portico" build --root "$portal" --out "$WORK/out-portico" 2>"$WORK/portico.$i.err"
    read -r e m u s < <(tail -n 1 "$tf")
    secs+=("$e"); rss+=("$m"); cpu+=("$(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u+s}')")
    rm -f "$tf"
done
total=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pages_total"])' "$portal/flat/manifest.json")
med=$(printf '%s\n' "${secs[@]}" | median)
printf '%-22s %7s %9s %9s %11s %9s\n' tool pages median_s pages/s peak_rss_MB cpu_s
printf '%-22s %7s %9s %9s %11s %9s\n' portico "$total" "$med" \
    "$(awk -v p="$total" -v t="$med" 'BEGIN{ if (t > 0) printf "%.0f", p/t; else print "inf" }')" \
    "$(printf '%s\n' "${rss[@]}" | sort -g | tail -n 1 | awk '{printf "%.0f", $1/1024}')" \
    "$(printf '%s\n' "${cpu[@]}" | median)"
tail -n 1 "$WORK/portico.1.err"

if [[ "${PEERS:-1}" != 0 ]]; then
    REPS=$REPS OUT_BASE="$WORK" LOG="$WORK/peer-logs" bash "$here/bench/peers.sh" "$portal"
fi
