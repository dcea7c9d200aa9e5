# Shared by the shell benchmarks (source it after `set -euo pipefail`; needs $1..$3 passed on).
#
# bench_setup [PLUGINS VERSIONS PAGES]: sets here, shared, REPS, WORK, portal and portico;
# generates the synthetic portal once per WORK (../shared/bench/gen-portal.py, real git
# repositories) and builds Portico in release mode.
bench_setup() {
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    shared=$(cd "$here/../shared/bench" && pwd)
    local plugins=${1:-20} versions=${2:-5} pages=${3:-40}
    REPS=${REPS:-3}
    WORK=${WORK:-$(mktemp -d /tmp/portico-bench.XXXXXX)}
    portal="$WORK/portal"
    echo "# portal: $plugins plugins x $versions versions x $pages pages in $portal"
    if [[ ! -f "$portal/site.toml" ]]; then
        python3 "$shared/gen-portal.py" --plugins "$plugins" --versions "$versions" --pages "$pages" --out "$portal" >/dev/null 2>&1
    fi
    cargo build --release --quiet --manifest-path "$here/Cargo.toml"
    portico="$here/target/release/portico"
}

# median: the median of the numbers on stdin, one per line.
median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }
