# The systemd units: `systemd-analyze verify` accepts them (with ExecStart
# pointed at the binaries under test, since nothing is installed here) and
# `systemd-analyze security --offline` rates airproofd.service at an
# exposure of 2.5 or less. Skipped with a PASS-free note when systemd-analyze
# is missing (scripts/deps.sh --all installs it).
. tests/e2e/lib.sh
top=$(pwd)
if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "SKIP: systemd-analyze not installed"
	exit 0
fi
mkdir -p "$T/units"
for f in "$top"/systemd/*.service "$top"/systemd/*.timer; do
	sed "s#/usr/local/sbin/airproofd#$AP_BIN/airproofd#; s#/usr/local/bin/airproof #$AP_BIN/airproof #" \
		"$f" >"$T/units/$(basename "$f")"
done
U="$T/units"

check "systemd-analyze verify accepts the daemon, sync service and timer" \
	systemd-analyze verify --man=no "$U/airproofd.service" "$U/airproof-sync.service" \
	"$U/airproof-sync.timer"

# The check can fail: a unit whose program is missing is refused.
sed "s#$AP_BIN/airproofd#$T/missing/airproofd#" "$U/airproofd.service" >"$T/bad.service"
if systemd-analyze verify --man=no "$T/bad.service" >/dev/null 2>&1; then
	fail "verify refuses a unit whose program is missing" "it accepted it"
else
	pass "verify refuses a unit whose program is missing"
fi

exposure() { # unit file -> the overall exposure figure
	systemd-analyze security --offline=yes "$1" 2>/dev/null |
		sed -n 's/.*Overall exposure level for [^:]*: \([0-9.]*\).*/\1/p'
}
e=$(exposure "$U/airproofd.service")
if [ -n "$e" ] && awk -v e="$e" 'BEGIN { exit !(e <= 2.5) }'; then
	pass "airproofd.service exposure $e <= 2.5"
else
	fail "airproofd.service exposure <= 2.5" "got '${e:-nothing}'"
fi
e=$(exposure "$U/airproof-sync.service")
if [ -n "$e" ] && awk -v e="$e" 'BEGIN { exit !(e <= 3.5) }'; then
	pass "airproof-sync.service exposure $e <= 3.5"
else
	fail "airproof-sync.service exposure <= 3.5" "got '${e:-nothing}'"
fi
check "the daemon unit has no network and only ALSA devices" \
	sh -c "grep -qx 'RestrictAddressFamilies=AF_UNIX' '$U/airproofd.service' && \
	       grep -qx 'IPAddressDeny=any' '$U/airproofd.service' && \
	       grep -qx 'DevicePolicy=closed' '$U/airproofd.service' && \
	       grep -qx 'DeviceAllow=char-alsa rw' '$U/airproofd.service'"
check "the sync unit sees no sound card" \
	sh -c "grep -qx 'PrivateDevices=yes' '$U/airproof-sync.service'"
check "sysusers puts the service user in group audio" \
	grep -qx 'm airproof audio' "$top/systemd/airproof.sysusers"
