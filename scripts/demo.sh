#!/bin/sh
# make demo: a demo station in ./demo-station, from nothing to a verified
# as-played log, synced into a provincial hub on 127.0.0.1.
# Audio goes to libao's null driver unless AIRPROOF_DEMO_DRIVER names
# another (e.g. AIRPROOF_DEMO_DRIVER=alsa to hear it through the sound card).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B=$(cd "$top/${1:-build}" && pwd)
D="$top/demo-station"
AP="$B/airproof"
TZ_STATION=Asia/Ho_Chi_Minh

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

# A previous demo's hub may still be serving; stop it before wiping.
if [ -f "$D/hub.pid" ]; then kill "$(cat "$D/hub.pid")" 2>/dev/null || true; fi
rm -rf "$D"
mkdir -p "$D"

step "1. A provincial hub on 127.0.0.1 (a free port)"
cat >"$D/hub.cfg" <<CFG
hub = { listen = "127.0.0.1"; port = 0; state_dir = "$D/hub"; timezone = "$TZ_STATION"; };
policies = ( { group = "commune"; campaign = "cchc"; per_week = 1; } );
CFG
export AIRPROOF_HUB_CONFIG="$D/hub.cfg"
"$B/airproof-hub" init
"$B/airproof-hub" serve >"$D/hub.log" 2>&1 &
echo $! >"$D/hub.pid"
url=""
for _ in $(seq 50); do
	url=$(sed -n 's/^listening on //p' "$D/hub.log")
	[ -n "$url" ] && break
	sleep 0.1
done
[ -n "$url" ] || { cat "$D/hub.log"; echo "demo: the hub did not start" >&2; exit 1; }
echo "hub listening on $url"

step "2. The station: config, state folder, database and signing key"
cat >"$D/airproof.cfg" <<CFG
station = { id = "demo-xa"; name = "Đài truyền thanh xã Demo"; level = "commune";
            timezone = "$TZ_STATION"; };
paths   = { state_dir = "$D/state"; };
audio   = { driver = "${AIRPROOF_DEMO_DRIVER:-null}"; output = "loa"; max_late = 60; };
media   = { require_approval = true; };
sync    = { hub_url = "$url"; };
CFG
export AIRPROOF_CONFIG="$D/airproof.cfg"
"$AP" init --station-id demo-xa --name "Đài truyền thanh xã Demo"
pubkey=$("$AP" key show --json | sed 's/.*"pubkey":"\([0-9a-f]*\)".*/\1/')
"$B/airproof-hub" station add --id demo-xa --name "Đài truyền thanh xã Demo" \
	--group commune --pubkey "$pubkey"

step "3. Two Vietnamese reform clips (espeak-ng), imported and approved"
espeak-ng -v vi -s 150 -w "$D/mot-cua.wav" \
	"Thông báo của Ủy ban nhân dân xã về cải cách hành chính. Người dân có thể nộp hồ sơ trực tuyến tại bộ phận một cửa."
espeak-ng -v vi -s 150 -w "$D/dich-vu-cong.wav" \
	"Cải cách hành chính: dịch vụ công trực tuyến giúp người dân tiết kiệm thời gian và chi phí."
"$AP" clip add "$D/mot-cua.wav" --campaign cchc --title "Bộ phận một cửa"
"$AP" clip add "$D/dich-vu-cong.wav" --campaign cchc --title "Dịch vụ công trực tuyến"
for id in $("$AP" clip list --json | tr ',' '\n' | sed -n 's/.*"id":"\([0-9a-f]*\)".*/\1/p'); do
	"$AP" clip approve "$id" --by "Nguyễn Văn A"
done
"$AP" clip list

step "4. Rules: one cchc play a week in a window open now, and a one-off"
now_s=$(date +%s)
win_start=$(TZ=$TZ_STATION date -d "@$now_s" +%H:%M)
win_end=$(TZ=$TZ_STATION date -d "@$((now_s + 3600))" +%H:%M)
# the one-off at the next minute at least 15 s away (rules are per minute)
once_s=$(((now_s + 15 + 59) / 60 * 60))
once_at=$(TZ=$TZ_STATION date -d "@$once_s" '+%Y-%m-%d %H:%M')
"$AP" rule add quota --campaign cchc --per-week 1 --window "daily $win_start-$win_end"
"$AP" rule add once --at "$once_at" --campaign cchc --label "demo"
"$AP" rule list
"$AP" plan | head -8

step "5. airproofd airs them (driver ${AIRPROOF_DEMO_DRIVER:-null}), then exits when idle"
"$B/airproofd" --exit-when-idle 120

step "6. What aired: the as-played log, the proofs, the status"
"$AP" log
"$AP" log --format html >"$D/log.html"
echo "(printable A4 log: $D/log.html)"
"$AP" proofs verify
"$AP" status

step "7. Sync the proofs to the hub"
"$AP" sync
printf '\nDashboard: %s\n' "$url"
echo "The hub keeps running (pid $(cat "$D/hub.pid")); stop it with: kill \$(cat demo-station/hub.pid)"
