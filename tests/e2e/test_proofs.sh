# airproof proofs verify, log and status against a station whose proofs are
# written by an independent implementation of the v1 format: this script
# signs payloads with the openssl CLI (Ed25519 over "airproof-proof-v1\n" ||
# payload) and inserts them with sqlite3. So the verifier is checked against
# DESIGN.md's contract, not against its own encoder; and no daemon and no
# hidden verb is needed.
. tests/e2e/lib.sh

new_station xa-proof
DB="$T/state/airproof.db"
# PKCS#8 wrapping of the 32-byte Ed25519 seed (the key file is seed || pk)
{ printf '\060\056\002\001\000\060\005\006\003\053\145\160\004\042\004\040'
  head -c 32 "$T/state/station.key"; } >"$T/key.der"
PREV=0000000000000000000000000000000000000000000000000000000000000000
SEQ=0

hex() { od -An -v -tx1 "$1" | tr -d ' \n'; }

# add_proof PAYLOAD_WITHOUT_V_STATION_SEQ_PREV COLUMNS_SQL
# COLUMNS_SQL: kind, at_ms, event, item, rule_id, clip, campaign,
# scheduled_ms, started_ms, ended_ms, status, makegood_of
add_proof() {
	SEQ=$((SEQ + 1))
	printf '{"v":1,"station":"xa-proof","seq":%d,"prev":"%s",%s}' "$SEQ" "$PREV" "$1" >"$T/p"
	{ printf 'airproof-proof-v1\n'; cat "$T/p"; } >"$T/m"
	openssl pkeyutl -sign -inkey "$T/key.der" -keyform DER -rawin -in "$T/m" -out "$T/s" ||
		{ fail "openssl signs proof $SEQ"; exit 1; }
	PREV=$(cat "$T/p" "$T/s" | sha256sum | cut -c1-64)
	sqlite3 "$DB" "INSERT INTO proofs(seq, payload, sig, hash, kind, at_ms, event, item,
	  rule_id, clip, campaign, scheduled_ms, started_ms, ended_ms, status, makegood_of)
	  VALUES ($SEQ, X'$(hex "$T/p")', X'$(hex "$T/s")', X'$PREV', $2)" ||
		{ fail "sqlite3 inserts proof $SEQ"; exit 1; }
}

CLIP=$(printf 'clip' | sha256sum | cut -c1-64)
PCM=$(printf 'pcm' | sha256sum | cut -c1-64)
ms() { echo "$(date -d "$1" +%s)000"; }
MON=$(ms '2026-03-02 17:00:00 +0700') # Monday of 2026-W10, 17:00 in Hà Nội
TUE=$(ms '2026-03-03 08:30:00 +0700')
WED=$(ms '2026-03-04 17:00:00 +0700')
NOW=$(ms now)
TITLE='Cải cách \"một cửa\", tháng 3'

play() { # item rule scheduled started status extra campaign
	printf '"kind":"play","at":%s,"mono_ms":5000,"clock_synced":true,"item":"%s","rule":%s,"scheduled":%s,"started":%s,"ended":%s,"clip":"%s","title":"%s","campaign":"%s","lang":"vi","approved_by":"Trần Thị Bình","frames_expected":2880000,"frames_played":2880000,"rate":48000,"channels":2,"gain_db":-3.25,"loudness_lufs":-12.75,"pcm_sha256":"%s","driver":"null","output":"fm","status":"%s"%s' \
		"$(($4 + 60000))" "$1" "$2" "$3" "$4" "$(($4 + 60000))" "$CLIP" "$TITLE" "$7" "$PCM" "$5" "$6"
}

add_proof '"kind":"event","at":'"$MON"',"mono_ms":1,"clock_synced":false,"event":"start","detail":"airproofd 0.1.0"' \
	"'event', $MON, 'start', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL"
add_proof "$(play r1@$MON 1 "$MON" "$MON" complete '' cchc)" \
	"'play', $((MON + 60000)), NULL, 'r1@$MON', 1, '$CLIP', 'cchc', $MON, $MON, $((MON + 60000)), 'complete', NULL"
add_proof "$(play q2@2026-W10#1 2 "$TUE" "$TUE" failed ',"error":"audio device: no such card"' cchc)" \
	"'play', $((TUE + 60000)), NULL, 'q2@2026-W10#1', 2, '$CLIP', 'cchc', $TUE, $TUE, $((TUE + 60000)), 'failed', NULL"
add_proof '"kind":"event","at":'"$((WED + 61000))"',"mono_ms":9,"clock_synced":true,"event":"missed","detail":"item r1@'"$WED"' scheduled 04/03/2026 17:00: đài tắt"' \
	"'event', $((WED + 61000)), 'missed', 'r1@$WED', 1, '$CLIP', 'cchc', $WED, NULL, NULL, 'missed', NULL"
add_proof "$(play "q2@now#1" 2 "$((NOW - 60000))" "$((NOW - 60000))" complete '' cchc)" \
	"'play', $NOW, NULL, 'q2@now#1', 2, '$CLIP', 'cchc', $((NOW - 60000)), $((NOW - 60000)), $NOW, 'complete', NULL"

check "proofs written by openssl verify" sh -c \
	"'$AP' proofs verify | grep -qx '5 proofs verified, chain head $PREV'"
check "proofs verify --json says ok with the head" sh -c \
	"'$AP' proofs verify --json | grep -q '\"ok\":true,\"verified\":5,\"head\":\"$PREV\"'"

# append-only, with the plain sqlite3 shell (recursive_triggers off)
sqlite3 "$DB" ".backup '$T/good.db'"
expect_refused() { # name sql
	if sqlite3 "$DB" "$2" 2>"$T/err"; then fail "$1" "sqlite3 accepted it"
	elif grep -q 'append-only' "$T/err"; then pass "$1"
	else fail "$1" "$(cat "$T/err")"; fi
}
expect_refused "UPDATE of a proof is refused" "UPDATE proofs SET status = 'complete' WHERE seq = 3"
expect_refused "DELETE of a proof is refused" "DELETE FROM proofs WHERE seq = 3"
expect_refused "INSERT OR REPLACE of a proof is refused" \
	"INSERT OR REPLACE INTO proofs SELECT * FROM proofs WHERE seq = 3"
check "the refused edits changed nothing" "$AP" proofs verify

restore() { cp "$T/good.db" "$DB"; rm -f "$DB-wal" "$DB-shm"; }
untrigger() { sqlite3 "$DB" "DROP TRIGGER proofs_no_update; DROP TRIGGER proofs_no_delete;
	DROP TRIGGER proofs_no_replace; $1"; }
untrigger "UPDATE proofs SET payload = CAST(replace(CAST(payload AS TEXT), '\"failed\"',
	'\"complete\",\"x\":0') AS BLOB) WHERE seq = 3"
expect_fail "an edited payload is caught" "$AP" proofs verify
check "the edited payload is named as a bad signature" grep -q '^airproof: proof 3: bad signature' "$T/err"
restore
untrigger "DELETE FROM proofs WHERE seq = 4"
expect_fail "a deleted proof is caught" "$AP" proofs verify
check "the deleted proof is named" grep -q '^airproof: proof 4: missing' "$T/err"
restore
untrigger "UPDATE proofs SET status = 'complete' WHERE seq = 3"
expect_fail "an edited query column is caught" "$AP" proofs verify
check "the edited column is named" grep -q '^airproof: proof 3: column status' "$T/err"
restore
check "the restored chain verifies again" "$AP" proofs verify

# the as-played log of 2026-W10
check "text log has the week, dates and the Vietnamese title" sh -c \
	"'$AP' log --week 2026-W10 >'$T/log.txt' && grep -q 'Week 2026-W10, Monday 02/03/2026 to Sunday 08/03/2026' '$T/log.txt' && \
	 grep -q '02/03/2026 17:00:00  02/03/2026 17:00:00  1:00 .*complete .*Cải cách \"một cửa\", tháng 3' '$T/log.txt' && \
	 grep -q 'audio device: no such card' '$T/log.txt' && grep -q 'Complete plays: cchc 1' '$T/log.txt' && \
	 grep -q 'Chain head: seq 5, $PREV' '$T/log.txt'"
check "the log leaves out plays of other weeks" sh -c \
	"! grep -q 'q2@now' '$T/log.txt'"
"$AP" log --week 2026-W10 --format csv >"$T/log.csv"
check "CSV parses (RFC 4180) with the title intact" python3 -c "
import csv, sys
rows = list(csv.reader(open('$T/log.csv', encoding='utf-8', newline='')))
assert rows[0][:4] == ['seq', 'kind', 'item', 'scheduled'], rows[0]
assert [r[1] for r in rows[1:]] == ['play', 'play', 'missed'], rows
assert rows[1][6] == 'Cải cách \"một cửa\", tháng 3', rows[1][6]
assert rows[1][5] == '60.000' and rows[2][9] == 'failed' and rows[3][11].endswith('đài tắt')
"
check "CSV lines end in CRLF" sh -c "head -n1 '$T/log.csv' | od -c | grep -q '\\\\r  \\\\n'"
"$AP" log --week 2026-W10 --format html >"$T/log.html"
check "HTML has the rows, A4 page, escaped title and signature line" sh -c \
	"test \$(grep -c '<tr class=\"play\">' '$T/log.html') -eq 2 && grep -q '<tr class=\"missed\">' '$T/log.html' && \
	 grep -q '@page { size: A4' '$T/log.html' && grep -q 'Cải cách &quot;một cửa&quot;, tháng 3' '$T/log.html' && \
	 grep -q 'Người lập biểu' '$T/log.html' && grep -q 'Trưởng đài' '$T/log.html'"
check "JSON log parses and counts" sh -c "'$AP' log --week 2026-W10 --format json | python3 -c \"
import json, sys
d = json.load(sys.stdin)
assert d['week'] == '2026-W10' and d['monday'] == '02/03/2026' and d['complete'] == {'cchc': 1}
assert d['missed'] == 1 and len(d['rows']) == 3 and d['head'] == '$PREV'
\""
check "the default log is this week's" sh -c "'$AP' log | grep -q 'Complete plays: cchc 1'"
expect_fail "a bad week is refused" "$AP" log --week 2026-W60
expect_fail "a bad format is refused" "$AP" log --format pdf

# status
sqlite3 "$DB" "INSERT INTO rules(kind, campaign, quota, created_ms) VALUES ('quota', 'cchc', 2, 0);
	INSERT INTO rule_windows(rule_id, days, start_min, end_min) VALUES (1, 127, 0, 1440)"
check "status --json: not running, unsynced count, quota progress" sh -c "'$AP' status --json | python3 -c \"
import json, sys
d = json.load(sys.stdin)
assert d['running'] is False and d['playing'] is None, d
assert d['proofs'] == 5 and d['unsynced'] == 5, d
q = d['quotas']
assert len(q) == 1 and q[0]['rule'] == 1 and q[0]['campaign'] == 'cchc', d
assert q[0]['quota'] == 2 and q[0]['complete'] == 1 and q[0]['met'] is False, d
\""
check "status text shows quota and unsynced proofs" sh -c \
	"'$AP' status | grep -q 'rule 1: cchc 1 of 2 complete plays' && '$AP' status | grep -q '5 not yet acknowledged'"
: >"$T/state/airproofd.lock"
# stand-in daemon: the pid recorded is the process holding the lock
sh -c 'exec 9>"$1"; flock 9; exec sleep 30' sh "$T/state/airproofd.lock" &
echo $! >>"$T/pids"
# wait until the background flock holds the lock (it takes a few ms)
i=0
while flock -n "$T/state/airproofd.lock" true && [ $i -lt 100 ]; do sleep 0.05; i=$((i + 1)); done
check "status sees a daemon holding the lock" sh -c "'$AP' status --json | grep -q '\"running\": true'"
