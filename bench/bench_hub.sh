#!/bin/sh
# The hub (bench/hub_bench.c, bench/hub_report_bench.c):
# 1. ingest over HTTP on one core: 100 stations x 1,000 signed proofs in
#    500-proof POST bodies (made beforehand), posted to 'airproof-hub serve'
#    pinned to CPU 0 by a load generator on CPU 1; against libsodium's raw
#    crypto_sign_verify_detached over the same messages on CPU 0 in the same
#    run. Target >= 0.6x. The hub's VmHWM after the run is its peak memory.
# 2. the compliance report (hub_report_build + JSON, what /v1/report and
#    'airproof-hub report' run) for 1,000 stations x 52 weeks; the database
#    is generated through the store API first. Target <= 100 ms (median).
# Scale down for a quick look: HUB_BENCH_STATIONS, HUB_BENCH_PER_STATION,
# HUB_BENCH_REPORT_STATIONS.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
AP_BIN=${AP_BIN:-$top/build}
BENCH_WORK=${BENCH_WORK:-$(mktemp -d)}
NS=${HUB_BENCH_STATIONS:-100}
PER=${HUB_BENCH_PER_STATION:-1000}
RS=${HUB_BENCH_REPORT_STATIONS:-1000}
HUB="$AP_BIN/airproof-hub"
HB="$AP_BIN/bench/hub_bench"
RB="$AP_BIN/bench/hub_report_bench"
for b in "$HUB" "$HB" "$RB"; do
	[ -x "$b" ] || { echo "bench_hub: $b missing (make bench builds it)" >&2; exit 1; }
done
cpus=$(nproc)
if [ "$cpus" -ge 2 ]; then HUBCPU=0 GENCPU=1; else HUBCPU=0 GENCPU=0; fi
dir="$BENCH_WORK/hub"
rm -rf "$dir"
mkdir -p "$dir"
hub_pid=
cleanup() { [ -z "$hub_pid" ] || kill "$hub_pid" 2>/dev/null || true; rm -rf "$dir"; }
trap cleanup EXIT INT TERM

# ---- 1. ingest ----
cat >"$dir/ingest.cfg" <<CFG
hub = { state_dir = "$dir/ingest"; port = 0; threads = 2; };
policies = ( { group = "commune"; campaign = "cchc"; per_week = 1; } );
CFG
"$HUB" --config "$dir/ingest.cfg" init >/dev/null
"$HB" prep "$dir/ingest.cfg" "$NS" "$PER" 500 "$dir/bodies" >/dev/null
raw=$(taskset -c $HUBCPU "$HB" raw "$dir/bodies" 2)
raw_per_s=$(echo "$raw" | sed -n 's/^raw_per_s=//p')

taskset -c $HUBCPU "$HUB" --config "$dir/ingest.cfg" serve >"$dir/hub.out" 2>"$dir/hub.err" &
hub_pid=$!
port=
for _ in $(seq 100); do
	port=$(sed -n 's/^listening on http:\/\/127.0.0.1:\([0-9]*\)\/$/\1/p' "$dir/hub.out")
	[ -n "$port" ] && break
	sleep 0.05
done
[ -n "$port" ] || { echo "bench_hub: the hub did not start" >&2; cat "$dir/hub.err" >&2; exit 1; }
post=$(taskset -c $GENCPU "$HB" post "$port" "$dir/bodies" 4)
hwm_kb=$(awk '/^VmHWM:/ {print $2}' "/proc/$hub_pid/status")
kill "$hub_pid"
wait "$hub_pid" || true
hub_pid=
stored=$(sqlite3 "$dir/ingest/hub.db" 'SELECT count(*) FROM proofs')
per_s=$(echo "$post" | sed -n 's/^per_s=//p')
secs=$(echo "$post" | sed -n 's/^seconds=//p')
proofs=$(echo "$post" | sed -n 's/^proofs=//p')
ratio=$(awk "BEGIN { printf \"%.2f\", $per_s / $raw_per_s }")
want=$((NS * PER))
if [ "$stored" -eq "$want" ] && awk "BEGIN { exit !($ratio >= 0.6) }"; then v1=MET; else v1=MISSED; fi

# ---- 2. report ----
cat >"$dir/report.cfg" <<CFG
hub = { state_dir = "$dir/report"; port = 0; threads = 1; };
policies = ( { group = "commune"; campaign = "cchc"; per_week = 5; },
             { group = "province"; campaign = "cchc"; per_week = 3; window = "18:00-21:00"; } );
CFG
"$HUB" --config "$dir/report.cfg" init >/dev/null
prep=$("$RB" prep "$dir/report.cfg" "$RS" 52)
rep=$("$RB" run "$dir/report.cfg" 52 9)
get() { echo "$rep" | sed -n "s/^$1=//p"; }
t0=$(date +%s%N)
"$HUB" --config "$dir/report.cfg" report --from 2025-W49 --to 2026-W48 --format json >/dev/null
cli_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
median=$(get total_median_ms)
if awk "BEGIN { exit !($median <= 100) }"; then v2=MET; else v2=MISSED; fi

echo "### Hub: ingest over HTTP, compliance report, memory"
echo
echo "Commands: \`bench/bench_hub.sh\` = \`hub_bench prep\` ($NS stations x $PER proofs, 500 a body),"
echo "\`taskset -c $HUBCPU hub_bench raw\`, \`taskset -c $HUBCPU airproof-hub serve\` (2 threads) +"
echo "\`taskset -c $GENCPU hub_bench post PORT DIR 4\`; \`hub_report_bench prep CFG $RS 52\` +"
echo "\`hub_report_bench run CFG 52 9\` and \`airproof-hub report --from 2025-W49 --to 2026-W48 --format json\`."
echo
echo "| Measure | airproof hub | Peer | Ratio |"
echo "|---|---|---|---|"
echo "| Ingest, HTTP, hub on 1 core | $per_s proofs/s ($proofs in ${secs} s; $stored stored) | raw Ed25519 verify $raw_per_s/s | ${ratio}x |"
echo "| Hub peak memory (VmHWM) during ingest | $((hwm_kb / 1024)) MiB | | |"
echo "| Report build, $(get cells) cells ($(echo "$prep" | sed -n 's/^proofs=//p') proofs), median / best | $(get build_median_ms) / $(get build_best_ms) ms | | |"
echo "| Report build + JSON ($(get json_bytes) bytes), median / best | $median / $(get total_best_ms) ms | | |"
echo "| \`airproof-hub report\` process, JSON to /dev/null | $cli_ms ms | | |"
echo
echo "Target: ingest >= 0.6 x raw verify: **$v1** (${ratio}x). Target: report <= 100 ms: **$v2** (median $median ms, build + JSON)."
echo "The machine is shared (2 cores); figures vary with the other load."
