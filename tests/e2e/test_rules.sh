# airproof rule add/list/remove and airproof plan, on a demo-like station:
# a quota of one cchc play in 17:00-19:00 plus a weekly 06:15 item. Clips
# are inserted straight into the clips table (no media files needed here).
. tests/e2e/lib.sh

# Monday 30/11/2026 08:00 in Asia/Ho_Chi_Minh (01:00 UTC), week 2026-W49.
export AIRPROOF_NOW_MS=1796000400000

# add_clip ID TITLE CAMPAIGN SEQ SECONDS [APPROVED_BY]
add_clip() {
	appr=${6:-board}
	sqlite3 "$T/state/airproof.db" "INSERT INTO clips(id, import_seq, title, campaign, lang,
	  source_name, source_format, source_bytes, source_rate, source_channels, source_frames,
	  rate, channels, frames, render_sha256, loudness_lufs, true_peak_dbtp, gain_db,
	  approved_by, approved_ms, added_ms) VALUES ('$1', $4, '$2', '$3', 'vi', 'x.wav', 'wav',
	  1, 48000, 2, $5 * 48000, 48000, 2, $5 * 48000, '00', -16, -1, 0,
	  $( [ "$appr" = none ] && echo NULL || echo "'$appr'" ), 1, 1)"
}
C1=aaaa1111000000000000000000000000000000000000000000000000000000aa
C2=bbbb2222000000000000000000000000000000000000000000000000000000bb

new_station plan-test
add_clip $C1 "CCHC tuần 49" cchc 1 150
add_clip $C2 "Bản tin sáng" news 2 90

check "a quota rule is added" "$AP" rule add quota --campaign cchc --per-week 1 \
	--window "mon-sun 17:00-19:00" --label "CCHC weekly"
check "a weekly rule with a clip prefix is added" "$AP" rule add weekly --days daily \
	--time 06:15 --clip bbbb2222
check "a once rule in dd/mm/yyyy form is added" "$AP" rule add once \
	--at "02/12/2026 09:00" --campaign cchc
check "Vietnamese day names are accepted" "$AP" rule add weekly --days t2-t6 --time 12:00 \
	--campaign cchc --label "trưa"
"$AP" rule list >"$T/list"
check "rule list shows the quota in words" grep -q '1/week in daily 17:00-19:00' "$T/list"
check "rule list shows weekday ranges" grep -q 'weekly Mon-Fri 12:00' "$T/list"
check "rule list --json has four rules" sh -c "'$AP' rule list --json | grep -o '\"id\":' | wc -l | grep -qx 4"

"$AP" plan >"$T/plan"
check "status names the next item from the plan" sh -c "'$AP' status | \
	grep -q '^Next:      30/11/2026 12:00  CCHC tuần 49 \[cchc\]'"
check "plan shows the quota play at 17:00 on Monday" \
	grep -q '^Mon 30/11/2026 17:00 .*CCHC tuần 49.*rule 1 (quota)' "$T/plan"
check "plan shows the weekly 06:15 item with its title" \
	grep -q '^Tue 01/12/2026 06:15 .*1:30  Bản tin sáng' "$T/plan"
check "plan shows the once item" grep -q '^Wed 02/12/2026 09:00 .*rule 3 (once)' "$T/plan"
check "plan has a per-week quota line" grep -q '2026-W49 (30/11/2026-06/12/2026)  cchc: 1 of 1 planned' "$T/plan"
check "plan --week shows only that week" sh -c "'$AP' plan --week 2026-W50 >'$T/w50' &&
	grep -q '^Mon 07/12/2026 17:00' '$T/w50' && ! grep -q '30/11/2026 17:00' '$T/w50'"
check "plan --json parses and lists items" sh -c "'$AP' plan --json | grep -q '\"items\":\[{'"

# Removing the only eligible clip makes the plan say so.
sqlite3 "$T/state/airproof.db" "UPDATE clips SET removed_ms = 2 WHERE id = '$C1'"
"$AP" plan >"$T/plan2"
check "without an eligible clip the plan says why" \
	grep -q 'NO ELIGIBLE CLIP: no approved clip in campaign cchc valid on 30/11/2026' "$T/plan2"
check "status names the problem too" sh -c "'$AP' status | \
	grep -q '^Problem:   no approved clip in campaign cchc valid on 30/11/2026'"
sqlite3 "$T/state/airproof.db" "UPDATE clips SET removed_ms = NULL WHERE id = '$C1'"

check "a colliding once rule is accepted with a warning" sh -c "'$AP' rule add once \
	--at '01/12/2026 06:15' --clip $C1 2>'$T/warn' && grep -q 'will not air' '$T/warn'"
check "rule remove takes a rule out of the plan" sh -c "'$AP' rule remove 3 &&
	! '$AP' plan | grep -q 'rule 3 (once)' && '$AP' rule list --all | grep -q '(removed)'"

db_snapshot "$T/before"
expect_fail "a window ending where it starts is refused" "$AP" rule add quota \
	--campaign cchc --per-week 1 --window "mon 17:00-17:00"
expect_fail "a quota of zero is refused" "$AP" rule add quota --campaign cchc --per-week 0 \
	--window "mon 17:00-19:00"
expect_fail "an invalid time is refused" "$AP" rule add weekly --days mon --time 25:00 \
	--campaign cchc
expect_fail "an unknown day is refused" "$AP" rule add weekly --days funday --time 06:00 \
	--campaign cchc
expect_fail "an unknown clip is refused" "$AP" rule add weekly --days mon --time 06:00 \
	--clip cccc3333
expect_fail "a once rule in the past is refused" "$AP" rule add once --at "2026-11-29 06:00" \
	--campaign cchc
expect_fail "clip and campaign together are refused" "$AP" rule add once \
	--at "2026-12-29 06:00" --campaign cchc --clip $C1
expect_fail "a bad campaign name is refused" "$AP" rule add weekly --days mon --time 06:00 \
	--campaign "CCHC!"
expect_fail "removing an unknown rule is refused" "$AP" rule remove 99
expect_fail "a bad week is refused" "$AP" plan --week 2026-W60
db_snapshot "$T/after"
check "refused rules changed nothing" cmp "$T/before" "$T/after"

check "a campaign without clips is accepted with a warning" sh -c "'$AP' rule add weekly \
	--days mon --time 07:00 --campaign nothing 2>'$T/warn' && grep -q 'has no clips' '$T/warn'"
check "rule --help exits 0" "$AP" rule --help
check "plan --help exits 0" "$AP" plan --help
