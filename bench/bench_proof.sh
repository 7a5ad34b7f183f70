#!/bin/sh
# Proof recording and verification speed (bench/proof_bench.c): appends per
# second into SQLite with synchronous=FULL against bare inserts, and
# proof_chain_next against raw libsodium Ed25519 verification in the same
# run. Target (for the hub): verify >= 0.6 x raw crypto_sign_verify_detached.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
AP_BIN=${AP_BIN:-$top/build}
BENCH_WORK=${BENCH_WORK:-$(mktemp -d)}
bin="$AP_BIN/bench/proof_bench"
[ -x "$bin" ] || { echo "bench_proof: $bin missing (make bench builds it)" >&2; exit 1; }
dir="$BENCH_WORK/proof"
rm -rf "$dir"
mkdir -p "$dir"
out=$("$bin" "$dir" 300 3000)
ratio=$(echo "$out" | sed -n 's/^verify_ratio=//p')
echo "### Proofs: sign + append, and chain verification"
echo
echo "Command: \`$(basename "$AP_BIN")/bench/proof_bench \$BENCH_WORK/proof 300 3000\`"
echo
echo "$out" | grep '^|'
echo
if awk "BEGIN { exit !($ratio >= 0.6) }"; then verdict=MET; else verdict=MISSED; fi
echo "Target: proof_chain_next >= 0.6 x raw Ed25519 verify: **$verdict** (ratio $ratio)."
rm -rf "$dir"
