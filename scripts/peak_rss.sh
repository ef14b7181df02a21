#!/usr/bin/env bash
# Prints the peak resident memory of the transform example over N rows, and
# fails when it is over the 64 MiB goal (see BENCHMARKS.md).
# Usage: scripts/peak_rss.sh [rows]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
limit_kib=$((64 * 1024))
cargo build --release --example transform_memory
/usr/bin/time -v target/release/examples/transform_memory "$rows" 2> target/peak_rss.txt
peak_kib=$(awk '/Maximum resident set size/ { print $6 }' target/peak_rss.txt)
awk -v k="$peak_kib" 'BEGIN { printf "peak RSS: %.1f MiB\n", k / 1024 }'
if [ "$peak_kib" -gt "$limit_kib" ]; then
    echo "over the goal of 64 MiB" >&2
    exit 1
fi
