# Shared by the end-to-end scripts: a throwaway station in a temp folder,
# and PASS/FAIL lines that tests/run.sh counts.
# Each script: . tests/e2e/lib.sh; then `check NAME CMD...` or pass/fail.
set -u
AP_BIN=${AP_BIN:-$(pwd)/build}
AP="$AP_BIN/airproof"
APD="$AP_BIN/airproofd"
HUB="$AP_BIN/airproof-hub"
T=$(mktemp -d /tmp/airproof-e2e.XXXXXX)
trap 'e2e_cleanup' EXIT
e2e_cleanup() {
	for p in $(cat "$T"/pids 2>/dev/null); do kill -9 "$p" 2>/dev/null; done
	rm -rf "$T"
}

pass() { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ -- $2}"; }

# check NAME CMD...: passes when CMD exits 0.
check() {
	name=$1
	shift
	if "$@" >"$T/out" 2>&1; then pass "$name"; else fail "$name" "$(tail -n 5 "$T/out")"; fi
}

# expect_fail NAME CMD...: passes when CMD exits exactly 1 and prints one
# line on stderr.
expect_fail() {
	name=$1
	shift
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	lines=$(wc -l <"$T/err")
	if [ "$rc" -eq 1 ] && [ "$lines" -eq 1 ]; then pass "$name"; else
		fail "$name" "exit $rc, $lines stderr lines: $(head -c 300 "$T/err")"; fi
}

# new_station [ID]: writes $T/airproof.cfg for a station in $T/state
# (null audio driver) and runs init. Sets CFG.
new_station() {
	id=${1:-test-station}
	CFG="$T/airproof.cfg"
	cat >"$CFG" <<CFG
station = { id = "$id"; name = "Đài truyền thanh thử nghiệm"; level = "commune";
            timezone = "Asia/Ho_Chi_Minh"; };
paths   = { state_dir = "$T/state"; };
audio   = { driver = "null"; output = "test"; rate = 48000; channels = 2; max_late = 60; };
media   = { require_approval = true; };
CFG
	export AIRPROOF_CONFIG="$CFG"
	"$AP" init --station-id "$id" --name "Đài truyền thanh thử nghiệm" >/dev/null
}

# db_snapshot FILE: a dump of the database and a listing of the media store,
# to prove that a refused input changed nothing.
db_snapshot() {
	{ sqlite3 "$T/state/airproof.db" .dump; find "$T/state/media" -type f | sort | xargs -r sha256sum; } >"$1"
}
