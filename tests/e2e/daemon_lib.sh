# Helpers for the airproofd scripts (sourced after lib.sh): a clip put
# straight into the station (a random rendering is as good as speech for
# byte-exact checks, and needs no decoder), rules, and proof queries.
DB() { sqlite3 -cmd '.timeout 10000' "$T/state/airproof.db" "$@"; }

# add_clip NAME SECONDS: writes the rendering, inserts an approved clip
# row; prints the clip id.
add_clip() {
	frames=$(awk -v s="$2" 'BEGIN { printf "%d", s * 48000 }')
	id=$(printf 'original %s %s' "$1" "$$" | sha256sum | cut -c1-64)
	head -c $((frames * 4)) /dev/urandom >"$T/state/media/$id.pcm"
	sum=$(sha256sum "$T/state/media/$id.pcm" | cut -c1-64)
	seq=$(DB "SELECT coalesce(max(import_seq), 0) + 1 FROM clips")
	now=$(($(date +%s) * 1000))
	DB "INSERT INTO clips(id, import_seq, title, campaign, lang, source_name, source_format,
	    source_bytes, source_rate, source_channels, source_frames, rate, channels, frames,
	    render_sha256, loudness_lufs, true_peak_dbtp, gain_db, approved_by, approved_ms, added_ms)
	    VALUES ('$id', $seq, 'Clip $1', 'cchc', 'vi', '$1.wav', 'wav', 1, 48000, 2, $frames,
	    48000, 2, $frames, '$sum', -16.0, -1.5, 0.0, 'editor', $now, $now)"
	echo "$id"
}

# add_quota_now CAMPAIGN N: a quota rule whose window is the whole week, so
# its attempts air at once (make-goods too).
add_quota_now() {
	now=$(($(date +%s%3N)))
	DB "INSERT INTO rules(kind, campaign, quota, created_ms) VALUES ('quota', '$1', $2, $now);
	    INSERT INTO rule_windows(rule_id, days, start_min, end_min)
	    VALUES (last_insert_rowid(), 127, 0, 0);"
}

# add_once_next_minute CLIP: a once rule at the next local minute with at
# least 15 s to go (time for a play, the idle close and a clock step
# before it); prints
# its UTC ms.
add_once_next_minute() {
	s=$(date +%s)
	m=$(((s / 60 + 1) * 60))
	[ $((m - s)) -lt 15 ] && m=$((m + 60))
	d=$(TZ=Asia/Ho_Chi_Minh date -d "@$m" +%Y-%m-%d)
	min=$(TZ=Asia/Ho_Chi_Minh date -d "@$m" '+%H %M' | awk '{ print $1 * 60 + $2 }')
	DB "INSERT INTO rules(kind, clip, once_date, minute, created_ms)
	    VALUES ('once', '$1', '$d', $min, $(date +%s%3N))"
	echo $((m * 1000))
}

pending_clip() { DB "SELECT json_extract(info, '\$.clip') FROM pending_play"; }
plays() { DB "SELECT item || ' ' || status FROM proofs WHERE kind = 'play' ORDER BY seq"; }
n_status() { DB "SELECT count(*) FROM proofs WHERE kind = 'play' AND status = '$1'"; }
n_event() { DB "SELECT count(*) FROM proofs WHERE kind = 'event' AND event = '$1'"; }

# wait_for SECONDS 'SHELL TEXT': evaluates the text every 0.2 s until it
# succeeds (quote it, so $(...) inside runs each time).
wait_for() {
	n=$(($1 * 5))
	shift
	while [ "$n" -gt 0 ]; do
		eval "$1" >/dev/null 2>&1 && return 0
		sleep 0.2
		n=$((n - 1))
	done
	return 1
}

start_daemon() { # ARGS...: airproofd in the background; sets DPID
	"$APD" "$@" >>"$T/daemon.log" 2>&1 &
	DPID=$!
	echo "$DPID" >>"$T/pids"
}

seq_ok() { # no gap, no duplicate: seq runs 1..count
	test "$(DB 'SELECT count(*) = max(seq) AND min(seq) = 1 FROM proofs')" = 1
}

# verify_chain: `airproof proofs verify` must give a real verdict: exit 0.
verify_chain() {
	"$AP" proofs verify
}

# clock_step_ns NS: steps the real wall clock forward by NS nanoseconds
# (adjtimex ADJ_SETOFFSET; needs CAP_SYS_TIME). The kernel path is the real
# one (timerfd cancel); the step is kept to a few ms so other programs on the
# machine do not notice, and only forward, so no timestamp goes backwards.
clock_step_ns() {
	python3 - "$1" <<'PY'
import ctypes, sys
class Timex(ctypes.Structure):
    _fields_ = [("modes", ctypes.c_uint), ("offset", ctypes.c_long), ("freq", ctypes.c_long),
                ("maxerror", ctypes.c_long), ("esterror", ctypes.c_long), ("status", ctypes.c_int),
                ("constant", ctypes.c_long), ("precision", ctypes.c_long),
                ("tolerance", ctypes.c_long), ("tv_sec", ctypes.c_long), ("tv_usec", ctypes.c_long),
                ("tick", ctypes.c_long), ("ppsfreq", ctypes.c_long), ("jitter", ctypes.c_long),
                ("shift", ctypes.c_int), ("stabil", ctypes.c_long), ("jitcnt", ctypes.c_long),
                ("calcnt", ctypes.c_long), ("errcnt", ctypes.c_long), ("stbcnt", ctypes.c_long),
                ("tai", ctypes.c_int), ("pad", ctypes.c_int * 11)]
ADJ_SETOFFSET, ADJ_NANO = 0x0100, 0x2000
t = Timex(modes=ADJ_SETOFFSET | ADJ_NANO, tv_sec=0, tv_usec=int(sys.argv[1]))
libc = ctypes.CDLL(None, use_errno=True)
if libc.adjtimex(ctypes.byref(t)) < 0:
    sys.exit("adjtimex: errno %d" % ctypes.get_errno())
PY
}

# can_step_clock: CAP_SYS_TIME (bit 25) in the effective set.
can_step_clock() {
	eff=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
	[ $((0x$eff >> 25 & 1)) = 1 ]
}
