#!/bin/sh
# make bench: runs every bench/bench_*.sh (each measures airproof side by
# side with a peer tool and prints a Markdown section on stdout), then
# writes bench/RESULTS.md with the machine and the command.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=${1:-build}
export AP_BIN="$top/$B"
export BENCH_WORK="$top/bench/work"
mkdir -p "$BENCH_WORK"
out=$(mktemp)
{
	echo "# Benchmark results"
	echo
	echo "Latest figures from \`make bench\` ($(date -u '+%Y-%m-%d %H:%M UTC'))."
	echo
	echo "Machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/ {print $2}') GiB RAM, $(uname -sr)."
	echo
} >"$out"
status=0
for s in "$top"/bench/bench_*.sh; do
	[ -f "$s" ] || continue
	echo "== $(basename "$s")" >&2
	if ! sh "$s" >>"$out"; then
		echo "$(basename "$s") failed" >&2
		status=1
	fi
	echo >>"$out"
done
mv "$out" "$top/bench/RESULTS.md"
cat "$top/bench/RESULTS.md"
exit $status
