#!/bin/sh
# Clip import speed: a 20-minute Vietnamese speech clip (espeak-ng, repeated,
# over a quiet noise bed) as WAV, FLAC, MP3 and Ogg Vorbis, each imported into
# a fresh station, against `sox FILE -n stats` (decode + simple statistics)
# on the same file in the same run. Prints one Markdown section.
# Targets: >= 100x real time for every format, and <= 2x the sox time.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
AP_BIN=${AP_BIN:-$top/build}
BENCH_WORK=${BENCH_WORK:-$top/bench/work}
W="$BENCH_WORK/import"
mkdir -p "$W"
SECONDS_LONG=1200

now() { date +%s.%N; }
elapsed() { echo "$2 - $1" | bc -l; }

# ---- the corpus, cached between runs ----
if [ ! -f "$W/speech.wav" ]; then
	espeak-ng -v vi -s 150 -w "$W/s1.wav" \
		"Thông báo về cải cách hành chính. Ủy ban nhân dân xã thông báo đến toàn thể nhân dân về việc tiếp nhận và trả kết quả hồ sơ thủ tục hành chính trực tuyến."
	espeak-ng -v vi -s 140 -w "$W/s2.wav" \
		"Người dân có thể nộp hồ sơ qua cổng dịch vụ công quốc gia, không phải đến trụ sở. Mọi thắc mắc xin liên hệ bộ phận một cửa."
	sox "$W/s1.wav" "$W/s2.wav" -r 44100 -c 2 "$W/unit.wav" pad 0 0.7
	unit=$(soxi -D "$W/unit.wav")
	reps=$(echo "$SECONDS_LONG / $unit" | bc)
	sox "$W/unit.wav" "$W/rep.wav" repeat "$reps" trim 0 "$SECONDS_LONG"
	sox -n -r 44100 -c 2 -b 16 "$W/bed.wav" synth "$SECONDS_LONG" pinknoise vol 0.02
	sox -m "$W/rep.wav" "$W/bed.wav" -b 16 "$W/speech.wav" trim 0 "$SECONDS_LONG"
	rm -f "$W/s1.wav" "$W/s2.wav" "$W/unit.wav" "$W/rep.wav" "$W/bed.wav"
fi
[ -f "$W/speech.flac" ] || flac -s -f "$W/speech.wav" -o "$W/speech.flac"
[ -f "$W/speech.mp3" ] || lame --quiet -b 128 "$W/speech.wav" "$W/speech.mp3"
[ -f "$W/speech.ogg" ] || oggenc -Q -q 4 "$W/speech.wav" -o "$W/speech.ogg"

# ---- one fresh station per format ----
station() {
	rm -rf "$W/state"
	cat >"$W/airproof.cfg" <<CFG
station = { id = "bench"; name = "Bench"; timezone = "Asia/Ho_Chi_Minh"; };
paths   = { state_dir = "$W/state"; };
audio   = { driver = "null"; rate = 48000; channels = 2; };
CFG
	AIRPROOF_CONFIG="$W/airproof.cfg" "$AP_BIN/airproof" init --station-id bench \
		--name Bench >/dev/null
}

echo "### Clip import speed (20-minute speech clip, 44.1 kHz stereo -> 48 kHz stereo)"
echo
echo '`airproof clip add FILE --campaign cchc` into a fresh station vs `sox FILE -n stats`'
echo "(decode only) on the same file; wall time, best of 2, $(nproc) cores."
echo
echo "| format | size | airproof import | × real time | sox stats | ratio to sox | ≥100× | ≤2× sox |"
echo "|---|---|---|---|---|---|---|---|"
missed=0
for fmt in wav flac mp3 ogg; do
	f="$W/speech.$fmt"
	best_ap=""
	best_sox=""
	for run in 1 2; do
		station
		sync
		t0=$(now)
		AIRPROOF_CONFIG="$W/airproof.cfg" "$AP_BIN/airproof" clip add "$f" --campaign cchc \
			>/dev/null
		t1=$(now)
		sox "$f" -n stats 2>/dev/null
		t2=$(now)
		a=$(elapsed "$t0" "$t1")
		s=$(elapsed "$t1" "$t2")
		if [ -z "$best_ap" ] || [ "$(echo "$a < $best_ap" | bc)" = 1 ]; then best_ap=$a; fi
		if [ -z "$best_sox" ] || [ "$(echo "$s < $best_sox" | bc)" = 1 ]; then best_sox=$s; fi
	done
	x=$(echo "$SECONDS_LONG / $best_ap" | bc -l)
	ratio=$(echo "$best_ap / $best_sox" | bc -l)
	rt="MET"
	vs="MET"
	[ "$(echo "$x >= 100" | bc)" = 1 ] || { rt="MISSED"; missed=1; }
	[ "$(echo "$ratio <= 2" | bc)" = 1 ] || { vs="MISSED"; missed=1; }
	size=$(du -h "$f" | cut -f1)
	printf '| %s | %s | %.2f s | %.0f× | %.2f s | %.2f× | %s | %s |\n' \
		"$fmt" "$size" "$best_ap" "$x" "$best_sox" "$ratio" "$rt" "$vs"
done
rm -rf "$W/state"
echo
echo "Import = copy + SHA-256 of the original, two full decodes (measure, then render"
echo "with the gain the first found; each decodes one block ahead on a helper thread),"
echo "EBU R128 integrated loudness (libebur128) beside an exact true peak (libebur128's"
echo "4x oversampling, applied only where the peak could be), resampling (libsoxr HQ),"
echo "gain, s16 conversion, SHA-256 of the rendering, fsync of both files. \`sox stats\`"
echo "decodes once and measures no loudness or true peak, so on WAV, where decoding is"
echo "nearly free, the measuring and rendering work alone exceeds 2x its time."
[ "$missed" -eq 0 ] && echo "All targets MET." || echo "Some targets MISSED (see table)."
