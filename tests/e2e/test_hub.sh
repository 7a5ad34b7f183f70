# The hub end to end on 127.0.0.1: enrol, sync, compliance, hub down and
# up, bad uploads refused with the hub unchanged, a fault-injecting proxy,
# export/import, and a dashboard screenshot when chromium is installed.
# Proofs come from build/tools/ap_fixture (real signed proofs written into
# the station database, as the daemon would).
. tests/e2e/lib.sh
FIX="$AP_BIN/tools/ap_fixture"
HUBDIR="$T/hub"

cat >"$T/hub.cfg" <<CFG
hub = { state_dir = "$HUBDIR"; port = 0; threads = 2; connection_timeout = 2; };
policies = ( { group = "commune"; campaign = "cchc"; per_week = 1; } );
CFG
export AIRPROOF_HUB_CONFIG="$T/hub.cfg"

start_hub() { # sets PORT and HUB_PID
	rm -f "$T/hub.log"
	"$HUB" serve >"$T/hub.log" 2>"$T/hub.err" &
	HUB_PID=$!
	echo "$HUB_PID" >>"$T/pids"
	for _ in $(seq 100); do
		PORT=$(sed -n 's/^listening on http:\/\/127.0.0.1:\([0-9]*\)\/$/\1/p' "$T/hub.log" 2>/dev/null)
		[ -n "$PORT" ] && return 0
		sleep 0.05
	done
	return 1
}
stop_hub() {
	kill "$HUB_PID" 2>/dev/null
	wait "$HUB_PID"
	HUB_RC=$?
}
hub_dump() { sqlite3 "$HUBDIR/hub.db" .dump >"$1"; }
set_hub_url() { # $1 = port
	sed -i '/^sync/d' "$CFG"
	echo "sync = { hub_url = \"http://127.0.0.1:$1/\"; connect_timeout = 2; timeout = 2; };" >>"$CFG"
}
synced() { sqlite3 "$T/state/airproof.db" 'SELECT next_seq - 1 FROM sync_state'; }

check "hub init creates the database" "$HUB" init
new_station xa-malam
PK=$("$AP" key show --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/')
check "a station is enrolled" "$HUB" station add --id xa-malam --name "Xã Ma Lâm" --group commune --pubkey "$PK"
check "a group with quotes and a backslash is enrolled" "$HUB" station add --id xa-quote --name 'Xã "Hai"' --group 'a"b\c' --pubkey "$PK"
"$HUB" station list --json >"$T/list.json"
check "station list --json is valid JSON with the group as given" python3 -c "import json, sys; rows = [json.loads(l) for l in open(sys.argv[1])]; sys.exit(not any(r['group'] == sys.argv[2] for r in rows))" "$T/list.json" 'a"b\c'
expect_fail "enrolling it twice is refused" "$HUB" station add --id xa-malam --name X --group commune --pubkey "$PK"
check "the hub starts on a free port" start_hub
set_hub_url "$PORT"

"$FIX" plays "$T/state" 30
check "sync uploads the station's proofs" "$AP" sync
check "status dates the last sync by the wall clock" sh -c "t=\$('$AP' status --json | \
	sed -n 's/.*\"last_sync_ms\": *\([0-9]*\).*/\\1/p'); now=\$(date +%s%3N); \
	test -n \"\$t\" && test \$((now - t)) -lt 600000 && test \$((now - t)) -ge 0"
check "the hub holds all 30" sh -c "'$HUB' station list --json | grep -q '\"next_seq\":31'"
check "the station marks exactly those synced" test "$(synced)" = 30
WEEK=$(date +%G-W%V)
check "this week is compliant" sh -c "curl -sf 'http://127.0.0.1:$PORT/v1/compliance?week=$WEEK' | grep -q '\"status\":\"compliant\"'"
check "the station's week lists its plays" sh -c "curl -sf 'http://127.0.0.1:$PORT/v1/stations/xa-malam/weeks/$WEEK' | grep -q '\"seq\":30'"
check "the dashboard links the cell" sh -c "curl -sf 'http://127.0.0.1:$PORT/' | grep -q 'href=\"/v1/stations/xa-malam/weeks/$WEEK'"
check "a CSV report by period" sh -c "curl -sf 'http://127.0.0.1:$PORT/v1/report?from=$WEEK&format=csv' | grep -q 'xa-malam.*compliant'"
check "metrics count accepted proofs" sh -c "curl -sf 'http://127.0.0.1:$PORT/metrics' | grep -q '^airproof_hub_proofs_accepted_total 30$'"
check "healthz" sh -c "curl -sf 'http://127.0.0.1:$PORT/healthz' | grep -q ok"

# Bad uploads: each refused, the hub unchanged.
hub_dump "$T/before"
code() { curl -s -o /dev/null -w '%{http_code}' -X POST -H 'Content-Type: application/json' "$@" "http://127.0.0.1:$PORT/v1/proofs"; }
check "malformed JSON gets 400" test "$(code --data '{"station":')" = 400
check "duplicate keys get 400" test "$(code --data '{"station":"xa-malam","station":"x","proofs":[]}')" = 400
check "an unknown station gets 403" test "$(code --data '{"station":"nobody","proofs":[]}')" = 403
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/big"
check "a body over 1 MiB gets 413" test "$(code --data-binary @"$T/big")" = 413
python3 - "$PORT" >"$T/slow" 2>&1 <<'PY'
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
s.sendall(b"POST /v1/proofs HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
t = time.time()
s.settimeout(10)
try:
    data = s.recv(100)
except OSError:
    data = b""
print("closed" if not data or time.time() - t < 9 else "open", round(time.time() - t, 1))
PY
check "a slow client is cut off by the connection timeout" grep -q '^closed' "$T/slow"
hub_dump "$T/after"
check "the refused uploads changed nothing" cmp "$T/before" "$T/after"

# Hub down, then up: nothing lost.
stop_hub
"$FIX" plays "$T/state" 5
expect_fail "sync with the hub down fails with one line" "$AP" sync --max-wait 2
check "nothing new is marked synced while it is down" test "$(synced)" = 30
check "the hub restarts" start_hub
set_hub_url "$PORT"
check "sync after the restart" "$AP" sync
check "the hub holds 35 and the station agrees" sh -c "test \"\$(sqlite3 '$HUBDIR/hub.db' 'SELECT count(*) FROM proofs')\" = 35 && test \"\$(sqlite3 '$T/state/airproof.db' 'SELECT next_seq - 1 FROM sync_state')\" = 35"
hub_dump "$T/hub.before"
check "the hub's proofs refuse INSERT OR REPLACE from a plain sqlite3 shell" sh -c \
	"! sqlite3 '$HUBDIR/hub.db' 'INSERT OR REPLACE INTO proofs SELECT * FROM proofs WHERE seq = 1' 2>/dev/null"
hub_dump "$T/hub.after"
check "and the stored proofs are unchanged" cmp "$T/hub.before" "$T/hub.after"

# Export and import: the same verification, twice changes nothing.
check "export writes a bundle" "$AP" export --out "$T/bundle.json"
check "import of proofs the hub holds counts duplicates" sh -c "'$HUB' import '$T/bundle.json' | grep -q '0 accepted, 35 duplicates'"
hub_dump "$T/b1"
"$HUB" import "$T/bundle.json" >/dev/null 2>&1
hub_dump "$T/b2"
check "importing twice changes nothing" cmp "$T/b1" "$T/b2"
sed 's/"seq\\":3,/"seq\\":4,/' "$T/bundle.json" >"$T/bad.json"
expect_fail "a tampered bundle is refused" "$HUB" import "$T/bad.json"

# Faults between station and hub: 500s, stalls and resets.
N=${STRESS:+5000}
N=${N:-1000}
"$FIX" plays "$T/state" "$N"
python3 tests/e2e/faulty_proxy.py "$PORT" "$T/proxy.port" 7 &
echo $! >>"$T/pids"
for _ in $(seq 100); do [ -s "$T/proxy.port" ] && break; sleep 0.05; done
set_hub_url "$(cat "$T/proxy.port")"
for _ in $(seq 30); do "$AP" sync --max-wait 20 >/dev/null 2>&1 && break; done
TOTAL=$((35 + N))
check "through the faulty proxy the hub ends with exactly $TOTAL" test "$(sqlite3 "$HUBDIR/hub.db" 'SELECT count(*) FROM proofs')" = "$TOTAL"
check "and the station marks exactly those synced" test "$(synced)" = "$TOTAL"

# Dashboard screenshot (optional: chromium is not in scripts/deps.sh).
CHROME=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$CHROME" ]; then
	"$CHROME" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$(mktemp -d "$T/chrome.XXXX")" --screenshot="$T/dash.png" \
		--window-size=1200,800 "http://127.0.0.1:$PORT/" >/dev/null 2>&1
	check "the dashboard screenshot is not blank" python3 -c "
import sys, zlib
d = open('$T/dash.png', 'rb').read()
sys.exit(0 if d[:8] == b'\x89PNG\r\n\x1a\n' and len(d) > 5000 else 1)"
else
	echo "SKIP: dashboard screenshot (chromium not installed)"
fi

stop_hub
check "the hub stops cleanly on SIGTERM" test "$HUB_RC" = 0
