#!/usr/bin/env bash
# How migrations and opens grow with the store, up to 10M rows: staged and
# hand-written side by side, time and peak memory (see BENCHMARKS.md, "Growth
# with rows"). Not run by CI: the 10M-row stores take about 1 GB each; a run
# up to 1M rows takes about 2 minutes here.
#
# Each store is seeded once per size; every run works on a fresh copy,
# flushed to disk, in a process of its own under /usr/bin/time -v. Prints,
# per size and case, the median time over the runs and the largest peak RSS.
#
# Usage: scripts/scale.sh [max rows] [runs] [directory]
#        (defaults: 10000000, 3, target/scale)
set -euo pipefail
cd "$(dirname "$0")/.."
max_rows="${1:-10000000}"
runs="${2:-3}"
dir="${3:-target/scale}"
cargo build --release -p staged-bench --example scale
bin=target/release/examples/scale
mkdir -p "$dir"

printf '| rows | case | median time | peak RSS |\n|---:|---|---:|---:|\n'
for rows in 1000 100000 1000000 10000000; do
    [ "$rows" -le "$max_rows" ] || continue
    for store in items events events-current; do
        rm -f "$dir/$store.seed"
        "$bin" seed "$store" "$rows" "$dir/$store.seed"
    done
    for case in lightweight lightweight-sql-alter add-column add-column-sql \
        transform transform-loop open open-raw; do
        case "$case" in
            lightweight* | add-column*) store=items ;;
            transform*) store=events ;;
            open*) store=events-current ;;
        esac
        times=()
        peak=0
        for _ in $(seq "$runs"); do
            rm -f "$dir/copy" "$dir/copy-journal" "$dir/copy-wal" "$dir/copy-shm"
            cp "$dir/$store.seed" "$dir/copy"
            sync "$dir/copy"
            /usr/bin/time -v "$bin" run "$case" "$dir/copy" >"$dir/out" 2>"$dir/time"
            times+=("$(awk '{ print $2 }' "$dir/out")")
            kib=$(awk '/Maximum resident set size/ { print $6 }' "$dir/time")
            [ "$kib" -gt "$peak" ] && peak=$kib
        done
        median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }')
        awk -v r="$rows" -v c="$case" -v t="$median" -v k="$peak" \
            'BEGIN { printf "| %d | %s | %.1f ms | %.1f MiB |\n", r, c, t * 1000, k / 1024 }'
    done
done
rm -f "$dir"/*.seed "$dir/copy" "$dir/out" "$dir/time"
