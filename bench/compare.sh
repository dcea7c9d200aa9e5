#!/usr/bin/env bash
# Portico against Zola, Hugo and mdBook on the same pages, in one interleaved run (issue 11, point 5).
#
#   bench/compare.sh [PLUGINS VERSIONS PAGES]     (default 40 6 40: the 9,600-page bench portal)
#
# Generates the portal with bench/gen-portal.py (real git repositories for Portico, the same page
# bodies as flat Hugo/Zola/mdBook sites), builds Portico in release mode (or takes PORTICO), then
# runs REPS rounds; each round runs every build once, one after the other (never two at once: the
# machine has few cores), in this order:
#   portico-cold     empty cache folder (--cache-dir, a fresh one) and no output folder
#   portico-warm     the same cache folder and output folder again, nothing changed (a no-op)
#   portico-onepage  then one page committed on one repository's default branch
#                    (bench/commit-page.sh, a new note each round; reset after the build)
#   zola, hugo, mdbook   each where installed (a line says which are skipped)
# Each build runs under /usr/bin/time: wall seconds, CPU seconds (user + system), peak RSS; the
# output folder's size is taken after it. Prints per build the median wall and CPU seconds of the
# rounds, the largest peak RSS, the output size; then the issue's targets (Zola / Portico cold
# >= 3, Hugo / Portico cold >= 4, warm / cold < 10 %, one-page / cold < 20 %, Portico's peak RSS
# <= 250 MB beside Zola's) and a Markdown table for the README, with the command that made it.
#
# Environment:
#   REPS=3          rounds
#   PORTICO=PATH    the portico binary to measure (default: this checkout, built in release mode)
#   WORK=DIR        the portal, the outputs and the logs (default: a new folder on the tmpfs
#                   /dev/shm when it has 4 GB free, else under /tmp: the script says which; a tmpfs
#                   keeps the disk's other traffic out of the timings)
#   PORTAL=DIR      an existing gen-portal.py portal of the same size, copied into WORK instead of
#                   generating one (the one-page commits are made in the copy)
#   ZOLA, HUGO, MDBOOK   the peers' binaries (default: zola, hugo, mdbook on PATH)
#   MDBOOK_JOBS     mdBook books built at once (default: nproc; Portico, Zola and Hugo use every
#                   core too)
#   QUIET=1         start each build only when the machine is mostly idle (a shared machine)
#   KEEP=1          keep WORK's outputs at the end (by default they are removed, and WORK too
#                   when this script made it)
set -euo pipefail
source "$(dirname "$0")/common.sh"

made_work=0
if [[ -z "${WORK:-}" ]]; then
    if (($(df --output=avail -k /dev/shm 2>/dev/null | tail -n 1 || echo 0) > 4 * 1024 * 1024)); then
        WORK=$(mktemp -d /dev/shm/portico-compare.XXXXXX)
    else
        WORK=$(mktemp -d /tmp/portico-compare.XXXXXX)
    fi
    made_work=1
fi
mkdir -p "$WORK"
echo "# work folder: $WORK ($(df --output=fstype "$WORK" | tail -n 1))"
if [[ -n "${PORTAL:-}" && ! -f "$WORK/portal/site.toml" ]]; then
    cp -a "$PORTAL" "$WORK/portal"
fi
bench_setup "${1:-40}" "${2:-6}" "${3:-40}"
ZOLA=${ZOLA:-zola} HUGO=${HUGO:-hugo} MDBOOK=${MDBOOK:-mdbook}
MDBOOK_JOBS=${MDBOOK_JOBS:-$(nproc)}
pages=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pages_total"])' "$portal/flat/manifest.json")
results="$WORK/results" logs="$WORK/logs"
rm -rf "$results"
mkdir -p "$results" "$logs"

# The repository that gets the one-page commits: the first in site.toml. Its default branch is
# put back as it was after each such build, and on any exit.
edited=$(sed -n 's/^repo = "\(.*\)"$/\1/p' "$portal/site.toml" | head -n 1)
edited="$portal/$edited"
edited_tip=$(git -C "$edited" rev-parse HEAD)
restore_edited() { git -C "$edited" reset -q --hard "$edited_tip"; }
cleanup() {
    restore_edited
    if [[ "${KEEP:-0}" != 1 ]]; then
        rm -rf "$WORK"/out-* "$WORK/cache"
        ((made_work)) && rm -rf "$WORK"
    fi
    return 0
}
trap cleanup EXIT

# The peers: label, version line and command; a missing one is said and skipped.
peers=()
declare -A peer_bin peer_version
for tool in zola hugo mdbook; do
    bin=${tool^^}
    bin=${!bin}
    if command -v "$bin" >/dev/null 2>&1; then
        peers+=("$tool")
        peer_bin[$tool]=$(command -v "$bin")
        peer_version[$tool]=$(tool_version "$tool" "$bin")
    else
        echo "# $tool: not installed ($bin not found), skipped"
    fi
done

# measure NAME OUT COMMAND...: one timed run; appends "wall cpu peak_rss_kb output_mb" to
# results/NAME. Returns the command's status (its stderr is in logs/NAME.ROUND.err).
measure() {
    local name=$1 out=$2 tf status=0
    shift 2
    sync # the previous build's writes are flushed before, not during, this one
    wait_quiet
    tf=$(mktemp)
    /usr/bin/time -f "%e %U %S %M" -o "$tf" "$@" >"$logs/$name.$round.out" 2>"$logs/$name.$round.err" || status=$?
    if ((status == 0)); then
        read -r e u s m < <(tail -n 1 "$tf")
        echo "$e $(awk -v u="$u" -v s="$s" 'BEGIN{printf "%.2f", u + s}') $m $(du -sm "$out" | cut -f1)" >>"$results/$name"
    else
        echo "# $name failed (exit $status) in round $round; see $logs/$name.$round.err:" >&2
        tail -n 5 "$logs/$name.$round.err" | sed 's/^/#     /' >&2
    fi
    rm -f "$tf"
    return "$status"
}

portico_cmd=("$portico" build --root "$portal" --out "$WORK/out-portico" --cache-dir "$WORK/cache")

failed=()
for ((round = 1; round <= REPS; round++)); do
    echo "# round $round of $REPS"
    rm -rf "$WORK/cache" "$WORK/out-portico"
    mkdir -p "$WORK/cache"
    measure portico-cold "$WORK/out-portico" "${portico_cmd[@]}"
    measure portico-warm "$WORK/out-portico" "${portico_cmd[@]}"
    bash "$here/bench/commit-page.sh" "$edited" "Edited by bench/compare.sh, round $round." >"$logs/commit.$round"
    measure portico-onepage "$WORK/out-portico" "${portico_cmd[@]}"
    restore_edited
    for tool in "${peers[@]}"; do
        [[ " ${failed[*]} " == *" $tool "* ]] && continue
        rm -rf "$WORK/out-$tool"
        peer_cmd "$tool" "${peer_bin[$tool]}" "$portal" "$WORK/out-$tool" "$MDBOOK_JOBS"
        measure "$tool" "$WORK/out-$tool" "${cmd[@]}" || failed+=("$tool")
    done
done

# The report: medians per build, the targets, the Markdown table and the command.
if [[ "${PORTICO:-}" ]]; then
    portico_version="$("$portico" --version) ($portico)"
else
    portico_version="$("$portico" --version) (commit $(git -C "$here" rev-parse --short HEAD)$(git -C "$here" diff --quiet HEAD -- src || echo ', with uncommitted changes'))"
fi
quiet=
if [[ "${QUIET:-0}" == 1 ]]; then quiet=" QUIET=1"; fi
command="REPS=$REPS${quiet} bench/compare.sh ${1:-40} ${2:-6} ${3:-40}"
labels=("portico-cold=$portico_version")
for tool in "${peers[@]}"; do labels+=("$tool=${peer_version[$tool]}"); done
python3 - "$results" "$pages" "$command" "$REPS" "$MDBOOK_JOBS" "$(nproc)" \
    "$(df --output=fstype "$WORK" | tail -n 1)" "${labels[@]}" <<'PY'
import os, statistics, sys
results, pages, command, reps, mdbook_jobs, cores, fstype = sys.argv[1:8]
versions = dict(arg.split("=", 1) for arg in sys.argv[8:])
books = len(os.listdir(os.path.join(os.path.dirname(results), "portal", "flat", "mdbook")))
names = {
    "portico-cold": "Portico, cold (empty cache, new output)",
    "portico-warm": "Portico, warm, nothing changed",
    "portico-onepage": "Portico, warm, after a one-page commit",
    "zola": f"Zola {versions.get('zola', '').split(' ')[-1]}",
    "hugo": f"Hugo {versions.get('hugo', '').split(' ')[-1].lstrip('v')}",
    "mdbook": f"mdBook {versions.get('mdbook', '').split(' ')[-1].lstrip('v')} ({books} books, {mdbook_jobs} at a time)",
}
rows = {}
for key in names:
    path = os.path.join(results, key)
    if not os.path.exists(path):
        continue
    runs = [list(map(float, line.split())) for line in open(path) if line.strip()]
    rows[key] = {
        "runs": len(runs),
        "wall": statistics.median(r[0] for r in runs),
        "cpu": statistics.median(r[1] for r in runs),
        "rss": max(r[2] for r in runs) / 1024,
        "out": runs[-1][3],
        "walls": [r[0] for r in runs],
    }
cold = rows.get("portico-cold")
print(f"\n## {pages} pages, {reps} interleaved rounds, {cores} cores, outputs on {fstype}")
print(f"{'build':44} {'runs':>4} {'wall_s':>7} {'cpu_s':>7} {'rss_MB':>7} {'out_MB':>7} {'pages/s':>8}   walls")
for key, r in rows.items():
    print(f"{names[key]:44} {r['runs']:>4} {r['wall']:>7.2f} {r['cpu']:>7.2f} {r['rss']:>7.0f} {r['out']:>7.0f} "
          f"{int(pages) / r['wall'] if r['wall'] else 0:>8.0f}   {' '.join(f'{w:.2f}' for w in r['walls'])}")
print("\nversions: " + "; ".join(versions.values()))

def ratio(num, den, field="wall"):
    if num in rows and den in rows and rows[den][field] > 0:
        return rows[num][field] / rows[den][field]
    return None

targets = []  # (what, measured text, goal text, met)
for peer, goal in (("zola", 3), ("hugo", 4)):
    x, c = ratio(peer, "portico-cold"), ratio(peer, "portico-cold", "cpu")
    if x is not None:
        targets.append((f"{names[peer]} / Portico cold", f"{x:.1f}× ({c:.1f}× in CPU seconds)", f"≥ {goal}×", x >= goal))
for build, goal in (("portico-warm", 10), ("portico-onepage", 20)):
    x = ratio(build, "portico-cold")
    if x is not None:
        what = "no-op" if build == "portico-warm" else "one-page commit"
        targets.append((f"Portico warm {what} / cold", f"{x * 100:.0f} %", f"< {goal} %", x * 100 < goal))
if cold:
    rss = max(rows[k]["rss"] for k in rows if k.startswith("portico"))
    beside = f", Zola {rows['zola']['rss']:.0f} MB" if "zola" in rows else ""
    targets.append(("Portico peak RSS", f"{rss:.0f} MB{beside}", "≤ 250 MB", rss <= 250))
print()
for what, measured, goal, met in targets:
    print(f"{what:52} {measured:32} target {goal:8} {'met' if met else 'NOT met'}")

print("\n--- Markdown for the README ---\n")
print(f"Measured with `{command}` ({pages} pages; medians of {reps} interleaved rounds on a "
      f"{cores}-core machine; outputs on {fstype}; {versions.get('portico-cold', 'portico')}):\n")
print("| build | wall (s) | CPU (s) | peak RSS (MB) | output (MB) | wall vs Portico cold |")
print("|---|---:|---:|---:|---:|---:|")
for key, r in rows.items():
    vs = f"{r['wall'] / cold['wall']:.2f}×" if cold and cold["wall"] else "–"
    print(f"| {names[key]} | {r['wall']:.2f} | {r['cpu']:.2f} | {r['rss']:.0f} | {r['out']:.0f} | {vs} |")
print("\n| target | measured | goal | met |")
print("|---|---|---|---|")
for what, measured, goal, met in targets:
    print(f"| {what} | {measured} | {goal} | {'yes' if met else 'no'} |")
PY
echo
echo "# logs: $logs$([[ "${KEEP:-0}" == 1 || $made_work == 0 ]] || echo ' (removed with WORK at exit: KEEP=1 keeps them)')"
