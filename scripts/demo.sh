#!/bin/sh
# make demo: a demo station in ./demo-station, from nothing to a verified
# as-played log. Uses libao's null driver unless AIRPROOF_DEMO_DRIVER says
# otherwise (e.g. AIRPROOF_DEMO_DRIVER=alsa to hear it).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
B="$top/${1:-build}"
D="$top/demo-station"
AP="$B/airproof"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

rm -rf "$D"
mkdir -p "$D"
cat >"$D/airproof.cfg" <<CFG
station = { id = "demo-xa"; name = "Đài truyền thanh xã Demo"; level = "commune";
            timezone = "Asia/Ho_Chi_Minh"; };
paths   = { state_dir = "$D/state"; };
audio   = { driver = "${AIRPROOF_DEMO_DRIVER:-null}"; output = "loa"; max_late = 60; };
media   = { require_approval = true; };
CFG
export AIRPROOF_CONFIG="$D/airproof.cfg"

step "1. Create the station"
"$AP" init --station-id demo-xa --name "Đài truyền thanh xã Demo"

step "2. Two Vietnamese reform clips, spoken by espeak-ng"
espeak-ng -v vi -s 150 -w "$D/thu-tuc-mot-cua.wav" \
	"Thông báo của Ủy ban nhân dân xã về cải cách hành chính. Từ tuần này, người dân có thể nộp hồ sơ trực tuyến tại bộ phận một cửa."
espeak-ng -v vi -s 150 -w "$D/dich-vu-cong.wav" \
	"Cải cách hành chính: dịch vụ công trực tuyến giúp người dân tiết kiệm thời gian và chi phí."
ls -l "$D"/*.wav
