#!/usr/bin/env bats
# A disk that fails under the database (STYLE: "no row" and "the database
# failed" are different answers). The daemon runs with tests/fault/failio
# preloaded: while $TRIGGER exists, every read of the database or its WAL
# fails with EIO. Each test stores something, makes the disk fail, and
# checks that what exists answers "Input/output error": never "No such
# file or directory", an empty listing, or a short or empty read. Then the
# disk heals, and everything answers again with nothing lost.
#
# sqlite keeps the pages it has read; a real disk's failures reach it when
# it reads again. So, once the trigger is set, another connection (the
# sqlite3 shell, as a backup tool or an operator would) commits a change
# that monfs ignores, the user_version: in WAL mode every other connection
# then drops its cached pages before its next read, and reads the disk.
#
# monfs also keeps the answers of its lookups until its next commit
# (store/memo.h), as sqlite keeps its pages. So before the disk fails,
# disk_fails makes monfs commit something (a log group nobody looks at),
# and the lookups under test ask the database again.
#
# A path from the mount's root would fail at its first level (metrics/,
# whose times are in the database) and never ask about the namespace or
# the metric itself. So the directories are opened before the disk
# fails, and the commands name what is in them through /dev/fd/N, where
# the kernel starts from the open directory and looks up the last name
# only: that lookup is the one under test.

load helpers

setup() {
	SHIM="$(dirname "$MONFS_BIN")/tests/fault/failio.so"
	[ -f "$SHIM" ] || skip "no $SHIM (make build/tests/fault/failio.so)"
	command -v sqlite3 >/dev/null || skip "no sqlite3 shell"
	monfs_paths
	TRIGGER="$BATS_TEST_TMPDIR/disk-fails"
	MONFS_DAEMON_ENV=("LD_PRELOAD=$SHIM"
		"MONFS_FAIL_PATH=$(realpath "$BATS_TEST_TMPDIR")/$(basename "$DB")"
		"MONFS_FAIL_TRIGGER=$TRIGGER")
	mount_monfs
	MONFS_DAEMON_ENV=()
	NS="$MNT/metrics/App"
	M="$NS/latency"
	G="$MNT/logs/app"
	S="$G/web"
	mkdir "$NS" "$G"
	printf '5\n7\n' >"$M"
	printf 'first line\nsecond line\n' >"$S"
	ERR="$BATS_TEST_TMPDIR/err"
	OUT="$BATS_TEST_TMPDIR/out"
	METRIC_TEXT=$(cat "$M")
}

teardown() {
	rm -f "$TRIGGER"
	exec 5<&- 6<&- 7<&- 8<&- 9<&-
	stop_all_daemons
}

# hold_dirs: open the directories the tests look into (see the header).
# fd 6 the namespace, 7 the log group, 8 metrics/, 9 trail/.
hold_dirs() {
	exec 6<"$NS" 7<"$G" 8<"$MNT/metrics" 9<"$MNT/trail"
}

# disk_fails: from now on the daemon's reads of its database fail, and its
# cached pages are stale (see the header).
disk_fails() {
	mkdir "$MNT/logs/commit-$((++COMMITS))"
	touch "$TRIGGER"
	sqlite3 -cmd ".timeout 10000" "$DB" "PRAGMA user_version = 1;" >/dev/null
}

# disk_heals: reads succeed again.
disk_heals() {
	rm -f "$TRIGGER"
}

# fails_with_eio CMD...: CMD fails, saying "Input/output error", never
# "No such file or directory", and prints nothing on stdout.
fails_with_eio() {
	local rc=0
	"$@" >"$OUT" 2>"$ERR" || rc=$?
	echo "$* -> status $rc, stdout: $(cat "$OUT"), stderr: $(cat "$ERR")"
	[ "$rc" -ne 0 ]
	grep -q 'Input/output error' "$ERR"
	! grep -q 'No such file' "$ERR"
	[ ! -s "$OUT" ]
}

# everything_answers: what setup stored is all there.
everything_answers() {
	stat "$M" >/dev/null
	stat "$S" >/dev/null
	[ "$(ls "$NS")" = latency ]
	[ "$(ls "$G")" = web ]
	[ "$(cat "$S")" = "$(printf 'first line\nsecond line')" ]
	[ "$(cat "$M")" = "$METRIC_TEXT" ]
}

@test "stat of an existing metric, stream or namespace on a failing disk is EIO, not ENOENT" {
	hold_dirs
	disk_fails
	fails_with_eio stat /dev/fd/6/latency
	fails_with_eio stat /dev/fd/7/web
	fails_with_eio stat /dev/fd/8/App
	fails_with_eio stat "$MNT/metrics/App/latency"
	disk_heals
	everything_answers
}

@test "ls of a namespace or log group on a failing disk is EIO, not an empty listing" {
	hold_dirs
	disk_fails
	fails_with_eio ls /dev/fd/6/
	fails_with_eio ls /dev/fd/7/
	fails_with_eio ls /dev/fd/8/
	fails_with_eio ls "$NS"
	disk_heals
	everything_answers
}

@test "cat of a stream or a metric on a failing disk is EIO, not an empty read" {
	hold_dirs
	disk_fails
	fails_with_eio cat /dev/fd/7/web
	fails_with_eio cat /dev/fd/6/latency
	disk_heals
	everything_answers
}

@test "a stream open before the disk fails reads EIO, not a short read or EOF" {
	exec 5<"$S"
	disk_fails
	fails_with_eio cat <&5
	disk_heals
	[ "$(cat <&5)" = "$(printf 'first line\nsecond line')" ]
	everything_answers
}

@test "a trail day on a failing disk is EIO, and the trail keeps every record" {
	local day before
	day=$(date -u +%F)
	before=$(wc -l <"$MNT/trail/$day")
	hold_dirs
	disk_fails
	fails_with_eio cat "/dev/fd/9/$day"
	fails_with_eio stat "/dev/fd/9/$day"
	disk_heals
	[ "$(wc -l <"$MNT/trail/$day")" -ge "$before" ]
	grep -q '"eventName":"CreateNamespace"' "$MNT/trail/$day"
	grep -q '"eventName":"CreateLogStream"' "$MNT/trail/$day"
}

@test "after the disk heals, writes go on and nothing was lost" {
	hold_dirs
	disk_fails
	fails_with_eio stat /dev/fd/6/latency
	disk_heals
	printf 'third line\n' >>"$S"
	[ "$(cat "$S")" = "$(printf 'first line\nsecond line\nthird line')" ]
	printf '9\n' >"$M"
	stat "$M" >/dev/null
	exec 6<&- 7<&- 8<&- 9<&-
	remount
	[ "$(cat "$S")" = "$(printf 'first line\nsecond line\nthird line')" ]
	[ "$(ls "$NS")" = latency ]
}
