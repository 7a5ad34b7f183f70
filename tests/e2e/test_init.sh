# airproof init, key show and config errors, driven through the real binary.
. tests/e2e/lib.sh

new_station lamdong-malam
check "init creates the database, media folder and a 0600 key" \
	sh -c "test -f '$T/state/airproof.db' && test -d '$T/state/media' && \
	       test \"\$(stat -c %a '$T/state/station.key')\" = 600"
check "key show prints the station and a 64-hex public key" \
	sh -c "'$AP' key show | grep -Eq '^pubkey +[0-9a-f]{64}$'"
check "key show --json names the station" \
	sh -c "'$AP' key show --json | grep -q '\"station\":\"lamdong-malam\"'"
db_snapshot "$T/before"
expect_fail "a second init is refused" "$AP" init --station-id lamdong-malam --name X
db_snapshot "$T/after"
check "the refused init changed nothing" cmp "$T/before" "$T/after"
check "init --force replaces the key" sh -c "k1=\$('$AP' key show); \
	'$AP' init --station-id lamdong-malam --name X --force >/dev/null && \
	k2=\$('$AP' key show); test \"\$k1\" != \"\$k2\""

# once a proof is signed, no new identity may replace the key
sqlite3 "$T/state/airproof.db" "INSERT INTO proofs(seq, payload, sig, hash, kind, at_ms)
	VALUES (1, X'7b7d', zeroblob(64), zeroblob(32), 'event', 1)" || fail "fixture: insert a proof row"
db_snapshot "$T/before"
cp "$T/state/station.key" "$T/key.before"
expect_fail "init --force is refused once the station has signed proofs" \
	"$AP" init --station-id lamdong-malam --name X --force
check "the refusal says why" grep -q 'has 1 proofs signed with its key' "$T/err"
db_snapshot "$T/after"
check "the refused init --force kept the key and the database" sh -c \
	"cmp '$T/before' '$T/after' && cmp '$T/key.before' '$T/state/station.key'"

printf 'audio = { rate = 1000; };\n' >"$T/bad1.cfg"
expect_fail "an out-of-range rate is refused" "$AP" --config "$T/bad1.cfg" key show
check "the config error names file:line" sh -c "grep -q 'bad1.cfg:1: audio.rate' '$T/err'"
printf 'station = { id = "x"; colour = "red"; };\n' >"$T/bad2.cfg"
expect_fail "an unknown key is refused" "$AP" --config "$T/bad2.cfg" key show
printf 'station = { timezone = "Mars/Olympus"; };\n' >"$T/bad3.cfg"
expect_fail "an unknown time zone is refused" "$AP" --config "$T/bad3.cfg" key show
printf 'station = { id = "Bad_ID"; };\n' >"$T/bad4.cfg"
expect_fail "a station id with capitals is refused" "$AP" --config "$T/bad4.cfg" key show
printf 'station = { id = "x" \n' >"$T/bad5.cfg"
expect_fail "a syntax error is refused" "$AP" --config "$T/bad5.cfg" key show
expect_fail "a missing --config file is refused" "$AP" --config "$T/nope.cfg" key show
expect_fail "an unknown command is refused" "$AP" frobnicate
expect_fail "init without --name is refused" "$AP" --config "$T/bad1.cfg" init --station-id a
check "--help exits 0" "$AP" init --help
