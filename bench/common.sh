# Shared by the shell benchmarks (source it after `set -euo pipefail`; needs $1..$3 passed on).
#
# bench_setup [PLUGINS VERSIONS PAGES]: sets here, REPS, WORK, portal and portico; generates the
# synthetic portal once per WORK (bench/gen-portal.py, real git repositories) and builds Portico
# in release mode, unless PORTICO names a binary to measure instead.
bench_setup() {
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
    local plugins=${1:-20} versions=${2:-5} pages=${3:-40}
    REPS=${REPS:-3}
    WORK=${WORK:-$(mktemp -d /tmp/portico-bench.XXXXXX)}
    portal="$WORK/portal"
    echo "# portal: $plugins plugins x $versions versions x $pages pages in $portal"
    if [[ ! -f "$portal/site.toml" ]]; then
        python3 "$here/bench/gen-portal.py" --plugins "$plugins" --versions "$versions" --pages "$pages" --out "$portal" >/dev/null 2>&1
    fi
    if [[ -n "${PORTICO:-}" ]]; then
        portico=$(realpath "$PORTICO")
    else
        cargo build --release --quiet --manifest-path "$here/Cargo.toml"
        portico="$here/target/release/portico"
    fi
}

# median: the median of the numbers on stdin, one per line.
median() { sort -g | awk '{a[NR]=$1} END{ if (NR%2) print a[(NR+1)/2]; else printf "%.2f\n", (a[NR/2]+a[NR/2+1])/2 }'; }

# wait_quiet: with QUIET=1, waits (at most 45 s) until the other processes on the machine
# leave it mostly idle (< 25 % busy over 2 s), so a run is not measured in someone's compile.
wait_quiet() {
    [[ "${QUIET:-0}" == 1 ]] || return 0
    local waited=0 busy
    while ((waited < 45)); do
        busy=$({ head -n 1 /proc/stat; sleep 2; head -n 1 /proc/stat; } | awk '
            { idle = $5 + $6; total = 0; for (i = 2; i <= NF; i++) total += $i }
            NR == 1 { i1 = idle; t1 = total } NR == 2 { printf "%.0f", 100 * (1 - (idle - i1) / (total - t1)) }')
        ((busy < 25)) && return 0
        waited=$((waited + 2))
    done
    echo "# (the machine stayed busy: measuring anyway)" >&2
}

# peer_cmd TOOL BINARY DIR OUT [JOBS]: sets the array `cmd` to the command that builds the flat
# copy of portal DIR (made by gen-portal.py) with TOOL (hugo, zola or mdbook) into OUT. Zola up to
# 0.21 highlights with syntect (config.toml), 0.22 on with giallo (config-giallo.toml). mdBook has
# no versions: it builds the portal's one book per integration version, JOBS books at a time
# (default 1), each into OUT/<book>.
peer_cmd() {
    local tool=$1 bin=$2 dir=$3 out=$4 jobs=${5:-1}
    case $tool in
        hugo) cmd=("$bin" --quiet -s "$dir/flat/hugo" -d "$out") ;;
        zola)
            local version config=config.toml
            version=$("$bin" --version | awk '{print $2}')
            if [[ "$(printf '%s\n' 0.22.0 "$version" | sort -V | head -n 1)" == 0.22.0 ]]; then
                config=config-giallo.toml
            fi
            cmd=("$bin" --root "$dir/flat/zola" --config "$dir/flat/zola/$config" build -o "$out" --force)
            ;;
        mdbook)
            # shellcheck disable=SC2016 # expanded by the inner shells
            cmd=(bash -c 'find "$1" -mindepth 1 -maxdepth 1 -type d -print0 | sort -z |
                xargs -0 -n1 -P"$3" sh -c '\''"$0" build -d "$1/$(basename "$2")" "$2" 2>/dev/null'\'' "$0" "$2"' \
                "$bin" "$dir/flat/mdbook" "$out" "$jobs")
            ;;
        *)
            echo "peer_cmd: unknown tool $tool" >&2
            return 2
            ;;
    esac
}

# tool_version TOOL BINARY: one line naming the tool's version, e.g. "zola 0.21.0".
tool_version() {
    case $1 in
        hugo) "$2" version | awk '{print "hugo", $2}' | sed 's/+extended//' ;;
        *) "$2" --version | head -n 1 | awk '{print $1, $2}' ;;
    esac
}
