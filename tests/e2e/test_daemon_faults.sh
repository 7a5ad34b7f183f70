# airproofd faced with rows it cannot use: a clip whose title is not valid
# UTF-8 (put straight into the database, as an old or hand-edited one could
# hold) cannot be written ahead, so it never airs; it must end as one
# truthful record, and the daemon must not spin retrying it.
. tests/e2e/lib.sh
. tests/e2e/daemon_lib.sh

new_station faults
sed -i 's/max_late = 60/max_late = 120/' "$CFG"
bad=$(add_clip bad 0.5)
DB "UPDATE clips SET title = CAST(X'4261ff642074c3ad74' AS TEXT) WHERE id = '$bad'"
# A once rule at the current local minute, made before it: due now.
s=$(date +%s)
d=$(TZ=Asia/Ho_Chi_Minh date -d "@$s" +%Y-%m-%d)
min=$(TZ=Asia/Ho_Chi_Minh date -d "@$s" '+%H %M' | awk '{ print $1 * 60 + $2 }')
DB "INSERT INTO rules(kind, clip, once_date, minute, created_ms)
    VALUES ('once', '$bad', '$d', $min, 0)"
check "airproofd runs with a clip it cannot write ahead" "$APD" --run-for 3
cp "$T/out" "$T/run.log"

check "the item ends as exactly one record" \
	test "$(DB "SELECT count(*) FROM proofs WHERE clip = '$bad'")" = 1
check "that record is a missed event (no proof of the play can be encoded)" \
	test "$(DB "SELECT kind || ' ' || event || ' ' || status FROM proofs WHERE clip = '$bad'")" = "event missed missed"
detail=$(DB "SELECT CAST(payload AS TEXT) FROM proofs WHERE clip = '$bad'")
check "the missed event says why: the title is not valid UTF-8" \
	sh -c 'printf "%s" "$1" | grep -q "title.*not valid UTF-8" && ! printf "%s" "$1" | grep -q "station off"' - "$detail"
n=$(wc -l <"$T/run.log")
check "the daemon logged a few lines, not thousands ($n lines)" test "$n" -le 12
check "no write-ahead is left behind" test "$(DB 'SELECT count(*) FROM pending_play')" = 0
check "proofs verify" verify_chain
