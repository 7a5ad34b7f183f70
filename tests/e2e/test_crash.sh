# kill -9 at random moments during playout, then restart: every killed play
# appears exactly once, as interrupted; the chain verifies with no gap and
# no duplicate. 5 rounds here, 1000 with STRESS=1 (CRASH_ROUNDS=N to choose).
. tests/e2e/lib.sh
. tests/e2e/daemon_lib.sh

rounds=5
[ "${STRESS:-0}" = 1 ] && rounds=1000
rounds=${CRASH_ROUNDS:-$rounds}
new_station crash-test
clip=$(add_clip crash 3)
add_quota_now cchc 1
ok=1
killed=""
for i in $(seq "$rounds"); do
	# (re)start: recovery of the last killed play runs first, then its
	# make-good airs at once
	start_daemon
	if ! wait_for 10 'p=$(DB "SELECT item FROM pending_play"); test -n "$p" -a "$p" != "$killed"'; then
		fail "round $i: a play started" "$(tail -n 3 "$T/daemon.log")"
		ok=0
		break
	fi
	if [ -n "$killed" ] &&
		[ "$(DB "SELECT count(*) || ' ' || max(status) FROM proofs WHERE item = '$killed'")" != "1 interrupted" ]; then
		fail "round $i: the killed play $killed is one interrupted proof" "$(plays | tail -n 3)"
		ok=0
	fi
	if ! seq_ok || ! verify_chain >/dev/null 2>&1; then
		fail "round $i: the chain verifies with no gap"
		ok=0
	fi
	[ "$ok" = 1 ] || break
	# kill at a random moment within the first 2 s of the 3 s play
	sleep "$(shuf -i 0-1 -n 1).$(shuf -i 0-9 -n 1)"
	kill -9 "$DPID"
	wait "$DPID" 2>/dev/null
	killed=$(DB 'SELECT item FROM pending_play')
done
# the last restart recovers the last killed play, with the rendering gone
# (a disk fault): the frames played cannot be re-hashed, so the proof must
# say so and claim no digest, least of all the whole clip's
render=$(DB "SELECT render_sha256 FROM clips WHERE id = '$clip'")
mv "$T/state/media/$clip.pcm" "$T/held.pcm"
DB ".mode insert pending_play" "SELECT * FROM pending_play" >"$T/pending.sql"
start_daemon --run-for 1
wait "$DPID"
mv "$T/held.pcm" "$T/state/media/$clip.pcm"
field() { DB "SELECT json_extract(CAST(payload AS TEXT), '\$.$1') FROM proofs WHERE item = '$killed' AND kind = 'play'"; }
check "a recovery that cannot re-hash never claims the clip's digest" \
	test -n "$(field pcm_sha256)" -a "$(field pcm_sha256)" != "$render"
check "a recovery that cannot re-hash says so in the proof" \
	sh -c 'printf "%s" "$1" | grep -q "digest of the .* frames played is unknown"' - "$(field error)"
[ "$ok" = 1 ] && pass "$rounds kill -9 rounds: each killed play is exactly one interrupted proof"
check "the last killed play is recovered too" \
	test "$(DB "SELECT status FROM proofs WHERE item = '$killed'")" = interrupted
check "crash_recovered events match the interrupted plays" \
	test "$(n_event crash_recovered)" = "$(n_status interrupted)"
check "no duplicate items" \
	test "$(DB 'SELECT count(*) - count(DISTINCT item) FROM proofs WHERE item IS NOT NULL')" = 0
check "proofs verify at the end" verify_chain

# A write-ahead left for an item that is already recorded (its final proof
# failed, then the item was recorded otherwise) must not stop start-up: it
# is dropped, with a log line, and nothing is recorded twice.
DB <"$T/pending.sql"
check "airproofd starts over a write-ahead whose item is already recorded" \
	"$APD" --run-for 1
cp "$T/out" "$T/run.log"
check "the stale write-ahead is dropped and logged" \
	grep -q "write-ahead of $killed dropped" "$T/run.log"
check "no write-ahead is left" test "$(DB "SELECT count(*) FROM pending_play")" = 0

check "the item is still recorded once" \
	test "$(DB "SELECT count(*) FROM proofs WHERE item = '$killed'")" = 1
