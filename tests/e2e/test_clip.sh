# airproof clip: a corpus of good and bad files through the real binary.
# Every file either imports with the right length or is refused with one
# line naming it, exit 1, and the database and media store unchanged.
. tests/e2e/lib.sh

new_station clip-test
C="$T/corpus"
mkdir -p "$C"

# ---- the corpus (short clips: a few seconds in all) ----
sox -n -b 16 -r 44100 -c 2 "$C/noise.wav" synth 4 pinknoise vol 0.3
lame --quiet "$C/noise.wav" "$C/noise.mp3"
flac -s "$C/noise.wav" -o "$C/noise.flac"
oggenc -Q "$C/noise.wav" -o "$C/noise.ogg"
for f in noise.mp3 noise.flac noise.ogg; do
	size=$(stat -c %s "$C/$f")
	head -c $((size * 2 / 5)) "$C/$f" >"$C/cut-$f"
done
: >"$C/empty.wav"
echo "Đây không phải là âm thanh" >"$C/text.wav"
head -c 30000 /dev/urandom >"$C/random.mp3"
python3 - "$C" <<'PY'
import struct, sys
d = sys.argv[1]
def wav(ch, data):
    fmt = struct.pack('<IHHIIHH', 16, 1, ch, 48000, 48000 * 2 * max(ch, 1), 2 * max(ch, 1), 16)
    return (b'RIFF' + struct.pack('<I', 36 + len(data)) + b'WAVEfmt ' + fmt + b'data' +
            struct.pack('<I', len(data)) + data)
open(d + '/header-only.wav', 'wb').write(wav(2, b''))
open(d + '/zero-channels.wav', 'wb').write(wav(0, bytes(4000)))
# float WAV peaking at 3.0 (about +9.5 dBFS): sox would clip it
import math
pcm = b''.join(struct.pack('<ff', v, v) for v in
               (3.0 * math.sin(2 * math.pi * 1000 * i / 48000) for i in range(48000)))
fmt = struct.pack('<IHHIIHH', 16, 3, 2, 48000, 48000 * 8, 8, 32)
open(d + '/hot.wav', 'wb').write(b'RIFF' + struct.pack('<I', 36 + len(pcm)) + b'WAVEfmt ' +
                                 fmt + b'data' + struct.pack('<I', len(pcm)) + pcm)
PY
sox -n -b 16 -r 48000 -c 2 "$C/silent.wav" trim 0 2
sox -n -b 16 -r 48000 -c 1 "$C/short.wav" synth 0.05 sine 440 vol 0.5
sox -n -r 8000 -c 1 -e u-law "$C/ulaw.wav" synth 2 sine 300 vol 0.3
sox -n -b 24 -r 96000 -c 2 "$C/hires.wav" synth 1.5 sine 1000 vol 0.3
sox -n -b 16 -r 48000 -c 6 "$C/six.wav" synth 1 sine 500 vol 0.3
sox -n -b 16 -r 22050 -c 1 "$C/Tin cải cách hành chính.wav" synth 1.2 sine 600 vol 0.3
espeak-ng -v vi -w "$C/speech.wav" "Thông báo về cải cách hành chính"
mkdir -p "$C/folder"
sox -n -b 16 -r 44100 -c 1 "$C/folder/a.wav" synth 1 sine 440 vol 0.3
sox -n -b 16 -r 44100 -c 1 "$C/folder/b.flac" synth 1 sine 550 vol 0.3
echo notes >"$C/folder/readme.txt"
sox -n -b 16 -r 44100 -c 1 "$C/target.wav" synth 1.1 sine 660 vol 0.3
ln -s target.wav "$C/link.wav"
ln -s missing.wav "$C/dangling.wav"

# json FIELD: one field of the JSON object on stdin.
json() { python3 -c "import json,sys; v=json.load(sys.stdin); print(v[0]['$1'] if isinstance(v, list) else v['$1'])"; }

# refused FILE REASON: exit 1, one stderr line naming the file and the reason,
# nothing changed.
refused() {
	db_snapshot "$T/before"
	expect_fail "$(basename "$1") is refused" "$AP" clip add "$1" --campaign cchc
	if grep -q "$(basename "$1")" "$T/err" && grep -qi "$2" "$T/err"; then
		pass "$(basename "$1"): the message names the file and '$2'"
	else
		fail "$(basename "$1"): the message names the file and '$2'" "$(cat "$T/err")"
	fi
	db_snapshot "$T/after"
	check "$(basename "$1"): the database and media store are unchanged" \
		cmp "$T/before" "$T/after"
}

# imported FILE MS: imports, and clip show --json says MS milliseconds long at
# 48000 Hz stereo.
imported() {
	if "$AP" clip add "$1" --campaign cchc --json >"$T/add.json" 2>"$T/err" &&
		[ ! -s "$T/err" ]; then
		pass "$(basename "$1") imports"
	else
		fail "$(basename "$1") imports" "$(cat "$T/err")"
		return
	fi
	id=$(json id <"$T/add.json")
	"$AP" clip show "$id" --json >"$T/show.json"
	got="$(json duration_ms <"$T/show.json") $(json rate <"$T/show.json") $(json channels <"$T/show.json")"
	if [ "$got" = "$2 48000 2" ]; then pass "$(basename "$1") is $2 ms at 48000 Hz stereo"; else
		fail "$(basename "$1") is $2 ms at 48000 Hz stereo" "got $got"; fi
}

refused "$C/cut-noise.mp3" "truncated"
refused "$C/cut-noise.flac" "decoding failed"
refused "$C/cut-noise.ogg" "truncated"
refused "$C/empty.wav" "empty file"
refused "$C/text.wav" "not a readable audio file"
refused "$C/random.mp3" "not a readable audio file"
refused "$C/header-only.wav" "no audio"
refused "$C/zero-channels.wav" "not a readable audio file"
refused "$C/silent.wav" "silent"
refused "$C/short.wav" "too short"
refused "$C/dangling.wav" "cannot open"
refused "$C/nothing-here.wav" "cannot open"

imported "$C/noise.mp3" 4000
imported "$C/noise.flac" 4000
imported "$C/noise.ogg" 4000
imported "$C/ulaw.wav" 2000
imported "$C/hires.wav" 1500
imported "$C/six.wav" 1000
imported "$C/hot.wav" 1000
check "the float file above full scale got a negative gain" python3 -c "
import json; v = json.load(open('$T/add.json'))[0]
assert v['true_peak_dbtp'] > 9 and v['gain_db'] < -10, v"
imported "$C/Tin cải cách hành chính.wav" 1200
imported "$C/link.wav" 1100
check "a symlink is followed: the clip id is the target's sha256" \
	sh -c "'$AP' clip show $(sha256sum "$C/target.wav" | cut -c1-12) --json | grep -q link.wav"
if "$AP" clip add "$C/speech.wav" --campaign cchc --title "Thông báo CCHC" --json >"$T/add.json" 2>"$T/err"; then
	pass "Vietnamese speech imports"
	check "the speech clip is near the target loudness or peak-limited" python3 -c "
import json; v = json.load(open('$T/add.json'))[0]
out = v['loudness_lufs'] + v['gain_db']
assert abs(out + 16) < 0.2 or abs(v['true_peak_dbtp'] + v['gain_db'] + 1) < 0.01, v"
else
	fail "Vietnamese speech imports" "$(cat "$T/err")"
fi

# ---- folders, duplicates ----
"$AP" clip add "$C/folder" --campaign cchc >"$T/out" 2>"$T/err"
check "a folder imports its audio files only" sh -c "grep -q '\[1/2\] .*a.wav: imported' '$T/err' && grep -q '\[2/2\] .*b.flac: imported' '$T/err'"
db_snapshot "$T/before"
check "adding the same file twice exits 0" "$AP" clip add "$C/noise.flac" --campaign cchc
cp "$T/out" "$T/again"
check "and says it is already in the library" grep -q "already in the library" "$T/again"
db_snapshot "$T/after"
check "and changes nothing" cmp "$T/before" "$T/after"
check "the clip id is the sha256sum of the file" \
	sh -c "'$AP' clip show $(sha256sum "$C/noise.flac" | cut -c1-64) >/dev/null"

# ---- metadata, approve, list, show ----
expect_fail "a campaign with capitals is refused" "$AP" clip add "$C/target.wav" --campaign CCHC
expect_fail "--until before --from is refused" \
	"$AP" clip add "$C/folder/a.wav" --campaign cchc --from 2026-05-01 --until 30/04/2026
expect_fail "a bad date is refused" "$AP" clip add "$C/folder/a.wav" --campaign cchc --from 31/02/2026
expect_fail "a missing --campaign is refused" "$AP" clip add "$C/folder/a.wav"
sox -n -b 16 -r 44100 -c 1 "$C/dated.wav" synth 1 sine 700 vol 0.3
check "--from/--until accept both date forms" \
	"$AP" clip add "$C/dated.wav" --campaign tet --from 01/05/2026 --until 2026-05-31 --lang en
ID=$(sha256sum "$C/dated.wav" | cut -c1-64)
check "show prints the validity in dd/mm/yyyy" sh -c "'$AP' clip show ${ID%${ID#????????}} | grep -q '01/05/2026 to 31/05/2026'"
expect_fail "approve without --by is refused" "$AP" clip approve "$ID"
expect_fail "approve with a 7-digit prefix is refused" "$AP" clip approve "$(echo "$ID" | cut -c1-7)" --by "Nguyễn Văn A"
check "approve by an 8-digit prefix" "$AP" clip approve "$(echo "$ID" | cut -c1-8)" --by "Nguyễn Văn A"
check "show --json has the approver" sh -c "'$AP' clip show $ID --json | grep -q '\"approved_by\":\"Nguyễn Văn A\"'"
check "list shows the approver and the dates" sh -c "'$AP' clip list | grep '^$(echo "$ID" | cut -c1-12)' | grep 'Nguyễn' | grep -q '01/05/2026-31/05/2026'"
check "list --campaign filters" sh -c "test \$('$AP' clip list --campaign tet --json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)))') = 1"
expect_fail "an unknown clip is refused" "$AP" clip show deadbeefdeadbeef
expect_fail "an unknown option is refused" "$AP" clip list --colour

# ---- verify, remove ----
check "verify passes on an intact library" "$AP" clip verify
NOISE=$(sha256sum "$C/noise.mp3" | cut -c1-64)
RENDER=$("$AP" clip show "$NOISE" --json | json render_sha256)
check "the rendering's sha256 is render_sha256" sh -c "sha256sum '$T/state/media/$NOISE.pcm' | grep -q '^$RENDER'"
python3 -c "
f = open('$T/state/media/$NOISE.pcm', 'r+b'); f.seek(5000); b = f.read(1); f.seek(5000)
f.write(bytes([b[0] ^ 1])); f.close()"
FLAC=$(sha256sum "$C/noise.flac" | cut -c1-64)
rm "$T/state/media/$FLAC.pcm"
"$AP" clip verify >"$T/out" 2>"$T/err"
rc=$?
check "verify exits 1 on damage" test "$rc" -eq 1
check "verify names the damaged rendering" grep -q "$NOISE.pcm: rendering is damaged" "$T/err"
check "verify names the missing rendering" grep -q "$FLAC.pcm: rendering is missing" "$T/err"
check "remove deletes the row and files" sh -c "'$AP' clip remove $NOISE >/dev/null && \
	! test -e '$T/state/media/$NOISE.pcm' && ! test -e '$T/state/media/$NOISE.src' && \
	! '$AP' clip show $NOISE 2>/dev/null"
expect_fail "removing it again is refused" "$AP" clip remove "$NOISE"
check "it can be added again" "$AP" clip add "$C/noise.mp3" --campaign cchc
sqlite3 "$T/state/airproof.db" "INSERT INTO proofs(seq, payload, sig, hash, kind, at_ms, clip) VALUES (1, X'00', X'00', X'00', 'play', 0, '$ID')"
check "a clip a proof refers to keeps its row when removed" sh -c "'$AP' clip remove $ID | grep -q 'record stays' && \
	'$AP' clip show $ID --json | grep -q '\"removed_ms\":[0-9]' && ! test -e '$T/state/media/$ID.pcm'"
check "a removed clip is not listed" sh -c "! '$AP' clip list | grep -q '^$(echo "$ID" | cut -c1-12)'"
expect_fail "a removed clip cannot be approved" "$AP" clip approve "$ID" --by X
check "re-adding a removed clip restores it, unapproved" sh -c "'$AP' clip add '$C/dated.wav' --campaign tet | grep -q restored && \
	'$AP' clip show $ID --json | grep -q '\"removed_ms\":null' && '$AP' clip show $ID --json | grep -q '\"approved_by\":null'"
check "clip --help exits 0" "$AP" clip --help
check "clip add --help exits 0" "$AP" clip add --help
check "no temp files are left in the media store" sh -c "! ls -A '$T/state/media' | grep -q tmp\\\|import"

# ---- an import killed midway: the next clip add removes what it left ----
sox -n -b 16 -r 44100 -c 2 "$C/long.wav" synth 300 pinknoise vol 0.3
"$AP" clip add "$C/long.wav" --campaign cchc >/dev/null 2>&1 &
pid=$!
i=0
while [ $i -lt 500 ] && ! ls -A "$T/state/media" | grep -q '^\.import-'; do
	sleep 0.01
	i=$((i + 1))
done
kill -9 "$pid" 2>/dev/null
wait "$pid" 2>/dev/null
check "a killed import leaves its temp file" sh -c "ls -A '$T/state/media' | grep -q '^\.import-'"
sox -n -b 16 -r 48000 -c 2 "$C/fresh.wav" synth 1 sine 700 vol 0.3
check "the next clip add imports" "$AP" clip add "$C/fresh.wav" --campaign cchc
check "and removes the killed import's temp files" sh -c "! ls -A '$T/state/media' | grep -q 'tmp\|import'"

# ---- a sample rate no station uses is refused with its real value ----
sox -n -b 16 -r 500 -c 1 "$C/rate500.wav" synth 1 sine 100 vol 0.3
refused "$C/rate500.wav" "unsupported sample rate 500 Hz"

# ---- text that is not UTF-8 never reaches the library ----
latin1="$C/tin$(printf '\340').wav" # "tinà" written in Latin-1
sox -n -b 16 -r 44100 -c 1 "$latin1" synth 1 sine 720 vol 0.3
check "a Latin-1 file name imports with a readable title" sh -c "'$AP' clip add '$latin1' \
	--campaign cchc --json | python3 -c 'import json,sys; v=json.load(sys.stdin); \
	t=(v[0] if isinstance(v, list) else v)[\"title\"]; sys.exit(t != \"tin\ufffd\")'"
db_snapshot "$T/before"
expect_fail "a --title that is not UTF-8 is refused" "$AP" clip add "$C/fresh.wav" \
	--campaign cchc --title "$(printf 'b\341o')"
expect_fail "an approver that is not UTF-8 is refused" "$AP" clip approve "$ID" \
	--by "$(printf 'Nguy\352n')"
check "the refusal says why" grep -q 'not valid UTF-8' "$T/err"
db_snapshot "$T/after"
check "refused text changed nothing" cmp "$T/before" "$T/after"
