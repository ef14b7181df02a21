#!/usr/bin/env bash
# Prints the peak resident memory of the transform example over N rows.
# Usage: scripts/peak_rss.sh [rows]   (default 1000000)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-1000000}"
cargo build --release --example transform_memory
/usr/bin/time -v target/release/examples/transform_memory "$rows" 2> target/peak_rss.txt
grep -E "Maximum resident set size" target/peak_rss.txt | awk '{ printf "peak RSS: %.1f MiB\n", $6 / 1024 }'
