# airproofd end to end: a once item airs on time through libao's wav
# driver byte for byte, a rule added while it sleeps airs within a second,
# a second daemon is refused, a real (tiny) wall clock step is noticed and
# sized, an output that cannot be opened gives a failed proof and, once
# fixed and reloaded (SIGHUP), a make-good; SIGTERM mid-play gives an
# interrupted proof.
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
pcm_bytes=$(stat -c %s "$T/state/media/$clip.pcm")
check "the wav file holds the whole play once the device closes" \
	wait_for 10 'test "$(stat -c %s "$T/out.wav")" -gt "$pcm_bytes"'
cp "$T/out.wav" "$T/first.wav"

# A real wall clock step while the daemon sleeps towards the once item
# (a 2 ms forward step: the kernel's timerfd cancel path, harmless to
# others): one clock_step event with the step's size, and the item still
# starts on time (checked below).
steps=0
if can_step_clock && clock_step_ns 2000000; then
	steps=1
	check "a wall clock step wakes the daemon: one clock_step event" \
		wait_for 3 'test "$(n_event clock_step)" = 1'
	size=$(DB "SELECT CAST(payload AS TEXT) FROM proofs WHERE event = 'clock_step'" |
		sed -n 's/.*stepped by \([-+0-9.]*\) ms.*/\1/p')
	check "the clock_step event gives the step's size (+2 ms, got '$size')" \
		awk -v s="$size" 'BEGIN { exit !(s != "" && s > 1.8 && s < 2.2) }'
else
	echo "SKIP: clock step (no CAP_SYS_TIME here, or adjtimex refused)"
fi

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
check "no clock_step event besides the real step" test "$(n_event clock_step)" = "$steps"
check "start, config and stop events are recorded" \
	test "$(n_event start)" = 1 -a "$(n_event config)" = 1 -a "$(n_event stop)" = 1

# An output that cannot be opened (a wav file in a missing folder): a failed
# proof; once the output is fixed and SIGHUP reloads the config, the quota's
# make-good airs complete.
sed -i "s#$T/out.wav#$T/missing/out.wav#" "$CFG"
DB "UPDATE clips SET campaign = 'short' WHERE id = '$clip'"
add_quota_now short 1
start_daemon
check "a play whose output cannot be opened is a failed proof" \
	wait_for 10 'test "$(DB "SELECT count(*) FROM proofs WHERE campaign = '"'short'"' AND status = '"'failed'"'")" -ge 1'
failed_says_why() {
	DB "SELECT CAST(payload AS TEXT) FROM proofs WHERE campaign = 'short' AND status = 'failed'" |
		grep -q "missing/out.wav: cannot open the output file"
}
check "the failed proof says why (the output cannot be opened)" failed_says_why
sed -i "s#$T/missing/out.wav#$T/out.wav#" "$CFG"
kill -HUP "$DPID"
check "SIGHUP reloads the config (a config event)" wait_for 5 'test "$(n_event config)" = 3'
check "the failed quota play gets a make-good that airs complete" \
	wait_for 15 'test "$(DB "SELECT count(*) FROM proofs WHERE campaign = '"'short'"' AND status = '"'complete'"' AND makegood_of IS NOT NULL")" = 1'

# SIGHUP with a config naming another station, or another state folder:
# refused whole with one clear line, nothing recorded; a new time zone
# applies (and is a config event).
cp "$CFG" "$T/good.cfg"
refused() { test "$(grep -c "reload refused.*$1" "$T/daemon.log")" = 1; }
sed -i 's/id = "test-station"/id = "other-station"/' "$CFG"
kill -HUP "$DPID"
check "a reload naming another station is refused" wait_for 5 'refused "belongs to .test-station."'
cp "$T/good.cfg" "$CFG"
sed -i "s#state_dir = \"$T/state\"#state_dir = \"$T/elsewhere\"#" "$CFG"
kill -HUP "$DPID"
check "a reload moving the state folder is refused" wait_for 5 'refused "paths.state_dir changed"'
check "refused reloads record nothing" test "$(n_event config)" = 3
cp "$T/good.cfg" "$CFG"
sed -i 's#Asia/Ho_Chi_Minh#Asia/Bangkok#' "$CFG"
kill -HUP "$DPID"
check "a reload with a new time zone applies it" \
	wait_for 5 'grep -q "time zone now Asia/Bangkok (was Asia/Ho_Chi_Minh)" "$T/daemon.log"'
check "the new time zone is a config event" test "$(n_event config)" = 4
cp "$T/good.cfg" "$CFG"
kill -HUP "$DPID"

# SIGTERM mid-play: a long clip from a fresh quota rule, same daemon.
long=$(add_clip long 20)
DB "UPDATE clips SET campaign = 'long' WHERE id = '$long'"
add_quota_now long 1
check "the long clip starts" wait_for 10 'test "$(pending_clip)" = "$long"'
sleep 1
kill -TERM "$DPID"
check "SIGTERM stops the daemon with exit 0" wait "$DPID"
check "the cut play is recorded as interrupted" \
	test "$(DB "SELECT count(*) FROM proofs WHERE clip = '$long' AND status = 'interrupted'")" = 1
check "no write-ahead is left behind" test "$(DB 'SELECT count(*) FROM pending_play')" = 0
check "proofs verify after failures and SIGTERM" verify_chain
check "the chain still has no gap" seq_ok
