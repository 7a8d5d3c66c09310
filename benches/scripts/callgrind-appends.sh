#!/usr/bin/env bash
# Instructions per append, counted by `valgrind --tool=callgrind`: the same
# on a quiet or a busy machine, unlike wall-clock figures.
#
# Runs `loadgen --spawn` twice against a node under callgrind, with N1 and
# then N2 timed appends (same concurrency, 1,000 VINs, sled), and prints the
# marginal instructions per append, (Ir(N2) - Ir(N1)) / (N2 - N1): start-up,
# key generation and shutdown cancel out. It gives them for the whole node
# process, for the sequencer thread (`sequencer::run`, which decides and
# signs) and for the commit thread (`sequencer::commit_in_order`, which
# writes and syncs).
#
#   cargo build --release -p vledger-node -p vledger-benches
#   benches/scripts/callgrind-appends.sh            # N1=2000 N2=6000
#   N1=1000 N2=3000 CONCURRENCY=64 benches/scripts/callgrind-appends.sh
#   STREAM=1 benches/scripts/callgrind-appends.sh   # over AppendStream
#
# Under callgrind the node runs about 50 times slower: the default run
# takes a few minutes.
set -euo pipefail
cd "$(dirname "$0")/../.."

N1=${N1:-2000}
N2=${N2:-6000}
CONCURRENCY=${CONCURRENCY:-256}
STREAM=${STREAM:-}
bin=${CARGO_TARGET_DIR:-target}/release
for tool in valgrind callgrind_annotate; do
    command -v "$tool" >/dev/null || { echo "$tool is missing: apt-get install valgrind" >&2; exit 1; }
done
[ -x "$bin/vledger" ] && [ -x "$bin/loadgen" ] || {
    echo "build first: cargo build --release -p vledger-node -p vledger-benches" >&2
    exit 1
}

work=$(mktemp -d)
[ -n "${KEEP:-}" ] && echo "keeping $work" >&2 || trap 'rm -rf "$work"' EXIT
# loadgen starts whatever --vledger names; this one runs the node under
# callgrind, one output file per process.
cat >"$work/vledger" <<SHIM
#!/bin/sh
exec valgrind -q --tool=callgrind --separate-threads=yes --callgrind-out-file="$work/callgrind.out.\$\$" "$PWD/$bin/vledger" "\$@"
SHIM
chmod +x "$work/vledger"

# Prints "total sequencer commit" instructions for one run of N appends.
count() {
    local n=$1
    rm -f "$work"/callgrind.out.*
    "$bin/loadgen" --spawn --vledger "$work/vledger" --data "$work/data-$n" \
        --records "$n" --concurrency "$CONCURRENCY" --vins 1000 --rounds 3 --warmup 0 \
        --timeout 900 --round-limit 1800 ${STREAM:+--stream} >"$work/loadgen-$n.txt" 2>&1 || {
        cat "$work/loadgen-$n.txt" >&2
        exit 1
    }
    # One file per thread: the sequencer's is the one that runs
    # `LogWriter::sequence`, the commit thread's the one that runs
    # `LogStore::commit` (callgrind names them by their generic form).
    local total=0 seq=0 commit=0 file ir
    for file in "$work"/callgrind.out.*; do
        callgrind_annotate --inclusive=yes "$file" >"$file.txt" 2>/dev/null || true
        ir=$(awk '/PROGRAM TOTALS/ { gsub(",", "", $1); print $1; exit }' "$file.txt")
        ir=${ir:-0}
        total=$((total + ir))
        if grep -qF 'LogWriter<B>::sequence' "$file.txt"; then
            seq=$((seq + ir))
        elif grep -qF 'LogStore<B>::commit' "$file.txt"; then
            commit=$((commit + ir))
        fi
    done
    echo "$total $seq $commit"
}

read -r t1 s1 c1 < <(count "$N1")
read -r t2 s2 c2 < <(count "$N2")
per() { echo $(( ($2 - $1) / (N2 - N1) )); }
echo "instructions per append (callgrind, marginal from $N1 to $N2 appends, concurrency $CONCURRENCY${STREAM:+, AppendStream}):"
echo "  whole node:        $(per "$t1" "$t2")"
echo "  sequencer thread:  $(per "$s1" "$s2")"
echo "  commit thread:     $(per "$c1" "$c2")"
