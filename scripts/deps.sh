#!/bin/sh
# Installs the Debian packages airproof builds, tests and benchmarks with.
# One list, one place: `make deps` (run by `make demo`/`make check`) calls it.
# As root it installs what is missing; otherwise it prints the apt-get line.
set -eu

# build and runtime libraries
LIBS="pkg-config libao-dev libsndfile1-dev libsoxr-dev libebur128-dev
libconfig-dev libsqlite3-dev libsodium-dev libssl-dev libjansson-dev
libcurl4-openssl-dev libmicrohttpd-dev libsystemd-dev tzdata"
# tests, demo and benchmarks (openssl: tests/e2e/test_proofs.sh signs proofs
# with it, an implementation of the proof format independent of ours)
TOOLS="libcmocka-dev espeak-ng sox libsox-fmt-all mpg123 vorbis-tools flac
lame sqlite3 valgrind systemd python3 curl openssl bc"

want="$LIBS"
case "${1:-}" in --all) want="$LIBS $TOOLS" ;; esac

missing=""
for p in $want; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "airproof: missing Debian packages; install them with:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "airproof: installing$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null 2>&1 || apt-get update
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null || apt-get install -y --no-install-recommends $missing
