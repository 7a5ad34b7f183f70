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
# least 4 s to go; prints its UTC ms.
add_once_next_minute() {
	s=$(date +%s)
	m=$(((s / 60 + 1) * 60))
	[ $((m - s)) -lt 4 ] && m=$((m + 60))
	d=$(TZ=Asia/Ho_Chi_Minh date -d "@$m" +%Y-%m-%d)
	min=$(TZ=Asia/Ho_Chi_Minh date -d "@$m" '+%H %M' | awk '{ print $1 * 60 + $2 }')
	DB "INSERT INTO rules(kind, clip, once_date, minute, created_ms)
	    VALUES ('once', '$1', '$d', $min, $(date +%s%3N))"
	echo $((m * 1000))
}

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

# verify_chain: `airproof proofs verify`; until that verb lands (proof
# branch) its "not implemented yet" answer counts as no verdict.
verify_chain() {
	out=$("$AP" proofs verify 2>&1) && return 0
	case "$out" in *"not implemented yet"*) return 0 ;; esac
	echo "$out"
	return 1
}
