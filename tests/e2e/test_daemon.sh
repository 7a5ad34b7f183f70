# airproofd end to end: a once item airs on time through libao's wav
# driver byte for byte, a rule added while it sleeps airs within a second,
# a second daemon is refused, SIGTERM mid-play gives an interrupted proof,
# and an output that cannot be opened gives a failed proof and a make-good.
. tests/e2e/lib.sh
. tests/e2e/daemon_lib.sh

new_station
cat >>"$CFG" <<CFG
audio = { driver = "wav"; options = { file = "$T/out.wav"; }; output = "test";
          rate = 48000; channels = 2; max_late = 3; };
CFG
# libconfig refuses a repeated group: rewrite the audio line instead.
sed -i '/^audio   = { driver = "null"/d' "$CFG"
clip=$(add_clip one 1.5)

at=$(add_once_next_minute "$clip")
start_daemon --exit-when-idle 120
check "airproofd starts and records a start event" wait_for 5 'test "$(n_event start)" = 1'
expect_fail "a second airproofd for the same station is refused" "$APD"
check "the refusal names the lock" grep -q "another airproofd" "$T/err"

# A CLI edit while the daemon sleeps towards the once item: a quota rule
# whose window is now airs within a second or two (plus the 1.5 s clip).
add_quota_now cchc 1
check "a rule added while the daemon sleeps airs at once" \
	wait_for 6 'test "$(n_status complete)" -ge 1'
check "the wav file is closed after an idle gap" wait_for 10 'test -s "$T/out.wav"'
cp "$T/out.wav" "$T/first.wav"

check "the once item airs at its minute" wait_for 75 'test "$(n_status complete)" -ge 2'
started=$(DB "SELECT started_ms FROM proofs WHERE kind = 'play' AND item LIKE 'r%'")
check "the once item started within 50 ms of its time" \
	test "$((started - at))" -ge 0 -a "$((started - at))" -lt 50
check "the daemon exits when nothing airs within the idle limit" wait_for 20 '! kill -0 $DPID'
wait "$DPID" 2>/dev/null
# wav_data FILE: the samples after the "data" chunk header (libao may
# write an extensible header, so the offset is found, not assumed).
wav_data() {
	off=$(grep -obUa data "$1" | head -n 1 | cut -d: -f1)
	tail -c +$((off + 9)) "$1"
}
cmp_wav() { wav_data "$1" | cmp - "$T/state/media/$clip.pcm"; }
# Each play after an idle gap reopens (and rewrites) the wav file.
check "the first play's wav data equals the rendering byte for byte" \
	cmp_wav "$T/first.wav"
check "the once item's wav data equals the rendering byte for byte" \
	cmp_wav "$T/out.wav"
check "proofs verify" verify_chain
check "both plays are complete with the clip's digest" test \
	"$(DB "SELECT count(*) FROM proofs WHERE kind = 'play' AND status = 'complete'
	       AND clip = '$clip'")" = 2
check "the chain has no gap and no duplicate" seq_ok
check "start, config and stop events are recorded" \
	test "$(n_event start)" = 1 -a "$(n_event config)" = 1 -a "$(n_event stop)" = 1

# SIGTERM mid-play: a long clip from a fresh quota rule.
long=$(add_clip long 20)
DB "UPDATE clips SET campaign = 'long' WHERE id = '$long'"
add_quota_now long 1
start_daemon
check "the long clip starts" wait_for 10 'test -n "$(DB "SELECT item FROM pending_play")"'
sleep 1
kill -TERM "$DPID"
check "SIGTERM stops the daemon with exit 0" wait "$DPID"
check "the cut play is recorded as interrupted" \
	test "$(DB "SELECT count(*) FROM proofs WHERE clip = '$long' AND status = 'interrupted'")" = 1
check "no write-ahead is left behind" test "$(DB 'SELECT count(*) FROM pending_play')" = 0
check "proofs verify after SIGTERM" verify_chain

# An output that cannot be opened: a wav file in a missing folder.
sed -i "s#$T/out.wav#$T/missing/out.wav#" "$CFG"
DB "UPDATE clips SET campaign = 'short' WHERE id = '$clip'"
add_quota_now short 1
start_daemon --run-for 12
wait "$DPID"
check "a play whose output cannot be opened is a failed proof" \
	test "$(DB "SELECT count(*) FROM proofs WHERE campaign = 'short' AND status = 'failed'")" -ge 1
check "the failed quota play gets a make-good" \
	test "$(DB "SELECT count(*) FROM proofs WHERE campaign = 'short' AND makegood_of IS NOT NULL")" -ge 1
check "proofs verify after failures" verify_chain
check "the chain still has no gap" seq_ok
