#!/usr/bin/env bash
# Prints the functions of the Rust sources under the given directories
# (default: runtime/src) that are longer than a threshold, longest first, as
# `lines  file:line  name`: a function's lines run from its `fn` line to its
# closing brace (a nested function counts in its parent too). Strings, chars
# and comments are skipped when matching braces.
# Usage: scripts/fn_lengths.sh [-n MIN_LINES] [DIR...]   (default: -n 60 runtime/src)
set -euo pipefail
cd "$(dirname "$0")/.."
min=60
if [ "${1:-}" = "-n" ]; then
    min="$2"
    shift 2
fi
[ "$#" -gt 0 ] || set -- runtime/src
find "$@" -name '*.rs' | sort | xargs awk -v min="$min" '
FNR == 1 { state = "code"; depth = 0; top = 0; pending = "" }
{
    line = $0
    clean = ""
    n = length(line)
    for (i = 1; i <= n; i++) {
        c = substr(line, i, 1)
        if (state == "string") {
            if (c == "\\") { i++ }
            else if (c == "\"") { state = "code" }
            continue
        }
        if (state == "raw") {
            if (substr(line, i, length(raw_end)) == raw_end) { i += length(raw_end) - 1; state = "code" }
            continue
        }
        if (state == "block") {
            if (substr(line, i, 2) == "*/") { i++; state = "code" }
            continue
        }
        if (substr(line, i, 2) == "//") break
        if (substr(line, i, 2) == "/*") { state = "block"; i++; continue }
        if (c == "\"") { state = "string"; continue }
        if (c == "r" && match(substr(line, i), /^r#*"/) && (i == 1 || substr(line, i - 1, 1) !~ /[A-Za-z0-9_]/)) {
            hashes = RLENGTH - 2
            raw_end = "\""
            for (h = 0; h < hashes; h++) raw_end = raw_end "#"
            i += RLENGTH - 1
            state = "raw"
            continue
        }
        if (c == "\x27") {
            if (substr(line, i + 1, 1) == "\\") { j = index(substr(line, i + 2), "\x27"); i += j + 1; continue }
            if (substr(line, i + 2, 1) == "\x27") { i += 2; continue }
        }
        clean = clean c
    }
    if (match(clean, /(^|[^A-Za-z0-9_])fn [A-Za-z_][A-Za-z0-9_]*/)) {
        name = substr(clean, RSTART, RLENGTH)
        sub(/^[^f]*fn /, "", name)
        pending = name
        pending_line = FNR
    }
    m = length(clean)
    for (i = 1; i <= m; i++) {
        c = substr(clean, i, 1)
        if (c == "{") {
            depth++
            if (pending != "") {
                top++
                names[top] = pending; starts[top] = pending_line; depths[top] = depth
                pending = ""
            }
        } else if (c == "}") {
            if (top > 0 && depths[top] == depth) {
                len = FNR - starts[top] + 1
                if (len >= min) printf "%5d  %s:%d  %s\n", len, FILENAME, starts[top], names[top]
                top--
            }
            depth--
        } else if (c == ";" && pending != "") {
            pending = ""
        }
    }
}
' | sort -rn
