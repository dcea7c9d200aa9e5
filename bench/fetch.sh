#!/usr/bin/env bash
# Remote-repository benchmark: what the clone cache costs and saves, in one run.
#
#   bench/fetch.sh [PLUGINS VERSIONS PAGES]        (default: 20 5 40, about 4,000 pages)
#
# Generates the synthetic portal with bench/gen-portal.py, then builds it four ways
# and prints the median wall time of each and its ratio to the local-path build:
#   local    repo = "repos/<id>"             (the repositories read in place)
#   cold     repo = "file://…", empty cache   (every mirror fetched: what a fresh CI runner pays)
#   warm     repo = "file://…", cache kept     (fetches that find nothing new: a cached CI run)
#   offline  repo = "file://…", --offline      (no fetch at all)
# file:// keeps the network out of the figure: what is measured is Portico's own cost
# (mirror bookkeeping, negotiation, pack indexing), not the link.
#
# Environment: REPS (default 3), WORK (default a temporary folder), JOBS (--fetch-jobs, default 4).
set -euo pipefail
source "$(dirname "$0")/common.sh"
JOBS=${JOBS:-4}
bench_setup "$@"

# The same portal with every repository as a file:// URL.
remote="$WORK/remote"
mkdir -p "$remote"
sed "s|^repo = \"repos/|repo = \"file://$portal/repos/|" "$portal/site.toml" >"$remote/site.toml"

# time_build NAME PREPARE ARGS...: runs PREPARE (a shell snippet) then the build, REPS times.
time_build() {
    local name=$1 prepare=$2
    shift 2
    local secs=()
    for ((i = 1; i <= REPS; i++)); do
        eval "$prepare"
        rm -rf "$WORK/out"
        sync
        local start end
        start=$(date +%s.%N)
        "$portico" build --quiet --out "$WORK/out" --report "$WORK/$name.json" "$@" 2>"$WORK/$name.$i.err"
        end=$(date +%s.%N)
        secs+=("$(awk -v a="$start" -v b="$end" 'BEGIN{printf "%.3f", b-a}')")
    done
    printf '%s\n' "${secs[@]}" | median
}

local_s=$(time_build local ":" --root "$portal")
cold_s=$(time_build cold "rm -rf '$WORK/cache'" --root "$remote" --cache-dir "$WORK/cache" --fetch-jobs "$JOBS")
warm_s=$(time_build warm ":" --root "$remote" --cache-dir "$WORK/cache" --fetch-jobs "$JOBS")
offline_s=$(time_build offline ":" --root "$remote" --cache-dir "$WORK/cache" --offline)

# The fetch and read stages of the last run of each, from its --report.
stage_ms() { python3 -c 'import json,sys; print(next(t["ms"] for t in json.load(open(sys.argv[1]))["timings_ms"] if t["stage"] == sys.argv[2]))' "$WORK/$1.json" "$2"; }
printf '%-8s %9s %8s %9s %8s\n' build median_s x_local fetch_ms read_ms
for row in "local $local_s" "cold $cold_s" "warm $warm_s" "offline $offline_s"; do
    read -r name s <<<"$row"
    printf '%-8s %9s %8s %9s %8s\n' "$name" "$s" "$(awk -v s="$s" -v l="$local_s" 'BEGIN{printf "%.2f", s/l}')" \
        "$(stage_ms "$name" fetch)" "$(stage_ms "$name" read)"
done
echo "# cache: $(du -sh "$WORK/cache" | cut -f1) for $(du -sh "$portal/repos" | cut -f1) of repositories"
