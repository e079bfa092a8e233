#!/usr/bin/env bats
# POSIX semantics (issue 15): what pjdfstest and everyday tools expect of
# a Unix filesystem, checked where monfs keeps files of its own: streams
# in logs/<group>/ and metrics in metrics/<ns>/. monfs is mounted by root
# with -o allow_other; the second user is nobody (uid 65534, group
# nogroup, no supplementary groups), through setpriv. monfs checks
# permissions itself (no default_permissions), so each rule below is
# monfs's, compared with what ext4 answers on this kernel.

load helpers

NOBODY_UID=65534

setup() {
	monfs_paths
	let_others_in
	mount_monfs -o allow_other
	M="$MNT/metrics"
	L="$MNT/logs"
	mkdir "$M/ns" "$L/g"
	chmod 0777 "$M/ns" "$L/g"
	# one directory of each tree, for the tests that run in both
	DIRS=("$L/g" "$M/ns")
}

teardown() {
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

# as_nobody COMMAND...: run COMMAND as nobody:nogroup, no other groups.
as_nobody() {
	setpriv --reuid="$NOBODY_UID" --regid="$NOBODY_UID" --clear-groups "$@"
}

# nobody_sh SCRIPT [ARG...]: sh -c SCRIPT as nobody, ARG... as $1...
nobody_sh() {
	local script="$1"
	shift
	as_nobody sh -c "$script" sh "$@"
}

# put FILE: root makes FILE (a stream or a metric) with one line of data.
put() {
	case "$1" in
	"$M"/*) echo 5 >>"$1" ;;
	*) echo hello >>"$1" ;;
	esac
}

# mode_of PATH: its permission bits in octal, as stat prints them (6777).
mode_of() {
	stat -c %a -- "$1"
}

# mtime_of PATH, ctime_of PATH: seconds since the epoch, to the
# millisecond (monfs keeps milliseconds).
mtime_of() {
	stat -c %.3Y -- "$1"
}
ctime_of() {
	stat -c %.3Z -- "$1"
}

# later A B: time A is after time B.
later() {
	if ! awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 > b + 0) }'; then
		echo "$1 is not later than $2"
		return 1
	fi
}

# tick: let the clock move past the millisecond of what came before.
tick() {
	sleep 0.05
}

# python FILE CODE: run python3 CODE with f set to FILE (as the caller;
# the system's python, which nobody can run).
python() {
	/usr/bin/python3 -c "import os, sys; f = sys.argv[1]; $2" "$1"
}

# records: every trail record, day files oldest first.
records() {
	local f
	for f in "$MNT"/trail/*; do
		[ -e "$f" ] || continue
		cat -- "$f" || return 1
	done
}

# await_record FILTER: poll until a trail record matches FILTER (jq).
await_record() {
	local deadline=$((SECONDS + 15))
	until [ -n "$(records | jq -c "select($1)")" ]; do
		if ((SECONDS >= deadline)); then
			echo "no trail record with: $1; the error records:"
			records | jq -c 'select(.errorCode) | {eventName, eventSource, errorCode, errorMessage, requestParameters}' | cut -c1-300
			return 1
		fi
		sleep 0.2
	done
}

# long CHAR N: CHAR repeated N times.
long() {
	local s
	printf -v s '%*s' "$2" ''
	echo "${s// /$1}"
}

# ---------------------------------------------------------------------------
# 1. Set-id bits and writes

@test "a write by another user drops set-user-ID and set-group-ID with group-execute, as ext4 does" {
	local d f
	for d in "${DIRS[@]}"; do
		f="$d/suid"
		put "$f"
		chmod 06777 "$f"
		succeeds nobody_sh 'echo 7 >>"$1"' "$f"
		assert_equal "$(mode_of "$f")" 777
		# set-user-ID alone, and set-group-ID without group-execute for
		# a writer outside the file's group (root), go too (Linux 6.2 on)
		chmod 04666 "$f"
		succeeds nobody_sh 'echo 7 >>"$1"' "$f"
		assert_equal "$(mode_of "$f")" 666
		chmod 02666 "$f"
		succeeds nobody_sh 'echo 7 >>"$1"' "$f"
		assert_equal "$(mode_of "$f")" 666
		# root (CAP_FSETID) keeps them
		chmod 06777 "$f"
		put "$f"
		assert_equal "$(mode_of "$f")" 6777
	done
}

@test "set-group-ID without group-execute stays when the writer is in the file's group" {
	local d f
	for d in "${DIRS[@]}"; do
		f="$d/sgid"
		put "$f"
		chgrp nogroup "$f"
		chmod 06666 "$f"
		succeeds nobody_sh 'echo 7 >>"$1"' "$f"
		# set-user-ID goes, the locking mark 2000 stays
		assert_equal "$(mode_of "$f")" 2666
	done
}

# ---------------------------------------------------------------------------
# 2. chmod and set-group-ID

@test "chmod g+s by an owner who is not in the file's group drops S_ISGID; root keeps it" {
	local d f
	for d in "${DIRS[@]}"; do
		f="$d/chmod"
		put "$f"
		chown nobody:root "$f"
		succeeds as_nobody chmod 02755 "$f"
		assert_equal "$(mode_of "$f")" 755
		succeeds as_nobody chmod 06755 "$f"
		assert_equal "$(mode_of "$f")" 4755
		chmod 02755 "$f"
		assert_equal "$(mode_of "$f")" 2755
		# in its own group, the owner keeps it
		chgrp nogroup "$f"
		succeeds as_nobody chmod 02750 "$f"
		assert_equal "$(mode_of "$f")" 2750
	done
	# directories follow the same rule
	mkdir "$M/ns/sub"
	chown nobody:root "$M/ns/sub"
	succeeds as_nobody chmod 02775 "$M/ns/sub"
	assert_equal "$(mode_of "$M/ns/sub")" 775
}

# ---------------------------------------------------------------------------
# 3. ctime

@test "chmod and chown move ctime (streams, metrics, namespaces, groups), mtime stays" {
	local p before mbefore
	put "$L/g/s"
	put "$M/ns/m"
	for p in "$L/g/s" "$M/ns/m" "$L/g" "$M/ns"; do
		before=$(ctime_of "$p")
		mbefore=$(mtime_of "$p")
		tick
		chmod 0750 "$p"
		later "$(ctime_of "$p")" "$before"
		assert_equal "$(mtime_of "$p")" "$mbefore"
		before=$(ctime_of "$p")
		tick
		chown nobody "$p"
		later "$(ctime_of "$p")" "$before"
		before=$(ctime_of "$p")
		tick
		chgrp nogroup "$p"
		later "$(ctime_of "$p")" "$before"
	done
}

@test "a write that drops set-id bits moves ctime" {
	local d f before
	for d in "${DIRS[@]}"; do
		f="$d/s"
		put "$f"
		chmod 04666 "$f"
		before=$(ctime_of "$f")
		tick
		succeeds nobody_sh 'echo 7 >>"$1"' "$f"
		later "$(ctime_of "$f")" "$before"
	done
}

# ---------------------------------------------------------------------------
# 4. Directory times

@test "creating or removing a file moves its namespace's or group's mtime and ctime" {
	local d m c
	for d in "${DIRS[@]}"; do
		m=$(mtime_of "$d")
		c=$(ctime_of "$d")
		tick
		put "$d/f"
		later "$(mtime_of "$d")" "$m"
		later "$(ctime_of "$d")" "$c"
		m=$(mtime_of "$d")
		c=$(ctime_of "$d")
		tick
		rm "$d/f"
		later "$(mtime_of "$d")" "$m"
		later "$(ctime_of "$d")" "$c"
		# writing to a file in it is no change of the directory
		put "$d/f"
		m=$(mtime_of "$d")
		tick
		put "$d/f"
		assert_equal "$(mtime_of "$d")" "$m"
	done
}

@test "mkdir and rmdir of a deeper level move the level above's times" {
	local d m
	for d in "${DIRS[@]}"; do
		m=$(mtime_of "$d")
		tick
		mkdir "$d/sub"
		later "$(mtime_of "$d")" "$m"
		later "$(ctime_of "$d")" "$m"
		m=$(mtime_of "$d")
		tick
		rmdir "$d/sub"
		later "$(mtime_of "$d")" "$m"
		later "$(ctime_of "$d")" "$m"
	done
}

@test "metrics/ logs/ alarms/ filters/ move when an entry is made or removed in them; find -newer sees it" {
	local top m ref="$BATS_TEST_TMPDIR/ref"
	for top in metrics logs; do
		m=$(mtime_of "$MNT/$top")
		tick
		mkdir "$MNT/$top/new"
		later "$(mtime_of "$MNT/$top")" "$m"
		later "$(ctime_of "$MNT/$top")" "$m"
		m=$(mtime_of "$MNT/$top")
		tick
		rmdir "$MNT/$top/new"
		later "$(mtime_of "$MNT/$top")" "$m"
	done
	m=$(mtime_of "$MNT/alarms")
	tick
	/bin/printf 'metric = ns/m\nstatistic = maximum\nperiod = 60\ncomparison = >\nthreshold = 1\n' |
		cat >"$MNT/alarms/a"
	later "$(mtime_of "$MNT/alarms")" "$m"
	m=$(mtime_of "$MNT/alarms")
	tick
	rm "$MNT/alarms/a"
	later "$(mtime_of "$MNT/alarms")" "$m"
	m=$(mtime_of "$MNT/filters")
	tick
	/bin/printf 'group = g\npattern = ERROR\nmetric = ns/errors\nvalue = 1\n' |
		cat >"$MNT/filters/f"
	later "$(mtime_of "$MNT/filters")" "$m"
	# find -newer: only what changed after the reference
	touch "$ref"
	sleep 0.1
	mkdir "$L/g/after"
	run find "$MNT/logs" "$MNT/metrics" -newer "$ref" -type d
	assert_equal "$(sort <<<"$output")" "$(printf '%s\n' "$L/g" "$L/g/after" | sort)"
}

@test "the top directories' times survive a restart" {
	mkdir "$M/kept"
	local m
	m=$(mtime_of "$M")
	sleep 1.1
	remount
	assert_equal "$(mtime_of "$M")" "$m"
}

# ---------------------------------------------------------------------------
# 5. utimensat

@test "touch -d by a user who does not own a 0666 file: EPERM; touch (now) is allowed; both recorded when refused" {
	local d f
	for d in "${DIRS[@]}"; do
		f="$d/t"
		put "$f"
		chmod 0666 "$f"
		fails_with "Operation not permitted" as_nobody touch -d '2020-01-02 03:04:05' "$f"
		fails_with "Operation not permitted" as_nobody touch -m -d '2020-01-02 03:04:05' "$f"
		succeeds as_nobody touch "$f"
		# explicit times through utime(2), and now for one time only
		fails_with "Operation not permitted" as_nobody /usr/bin/python3 -c \
			'import os, sys; os.utime(sys.argv[1], (1, 1))' "$f"
		fails_with "Operation not permitted" as_nobody /usr/bin/python3 -c \
			'import os, sys; os.utime(sys.argv[1], ns=(0, 1000000000))' "$f"
		# without write permission, not even now
		chmod 0644 "$f"
		fails_with "Permission denied" as_nobody touch -c "$f"
		fails_with "Permission denied" as_nobody /usr/bin/python3 -c \
			'import os, sys; os.utime(sys.argv[1])' "$f"
	done
	await_record ".eventName == \"Utimens\" and .errorCode == \"AccessDenied\"
		and .userIdentity.uid == $NOBODY_UID and (.errorMessage | test(\"own\"))"
}

@test "a stream keeps the mtime touch -d gives it until the next append moves it" {
	local f="$L/g/s" t
	put "$f"
	t=$(date -d '2020-01-02 03:04:05 UTC' +%s)
	touch -d '2020-01-02 03:04:05 UTC' "$f"
	assert_equal "$(stat -c %Y "$f")" "$t"
	# the owner may, too
	chown nobody "$f"
	succeeds as_nobody touch -d '2021-01-02 03:04:05 UTC' "$f"
	assert_equal "$(stat -c %Y "$f")" "$(date -d '2021-01-02 03:04:05 UTC' +%s)"
	# tail -f polls for a change of mtime or size: an append moves both
	put "$f"
	later "$(stat -c %Y "$f")" "$(($(date +%s) - 60))"
	# touch -a leaves the mtime alone
	touch -d '2020-01-02 03:04:05 UTC' "$f"
	touch -a "$f"
	assert_equal "$(stat -c %Y "$f")" "$t"
}

@test "namespaces and groups keep the times touch -d gives them; a metric's mtime follows its data" {
	local d t
	t=$(date -d '2020-01-02 03:04:05 UTC' +%s)
	for d in "${DIRS[@]}"; do
		touch -d '2020-01-02 03:04:05 UTC' "$d"
		assert_equal "$(stat -c %Y "$d")" "$t"
	done
	put "$M/ns/m"
	local m
	m=$(stat -c %Y "$M/ns/m")
	succeeds touch -d '2020-01-02 03:04:05 UTC' "$M/ns/m"
	assert_equal "$(stat -c %Y "$M/ns/m")" "$m"
}

@test "touch of a new alarm or filter name by a user: allowed, makes nothing; touch -d by its writer is kept" {
	succeeds as_nobody touch "$MNT/alarms/probe" "$MNT/filters/probe"
	assert_equal "$(ls -A "$MNT/alarms" "$MNT/filters" | grep -c probe)" 0
	# a definition nobody wrote is nobody's, and keeps the times it is given
	succeeds nobody_sh '/bin/printf "metric = ns/m\nstatistic = maximum\nperiod = 60\ncomparison = >\nthreshold = 1\n" | cat >"$1"' "$MNT/alarms/a"
	succeeds as_nobody touch -d '2020-01-02 03:04:05 UTC' "$MNT/alarms/a"
	assert_equal "$(stat -c '%U %Y' "$MNT/alarms/a")" "nobody $(date -d '2020-01-02 03:04:05 UTC' +%s)"
}

# ---------------------------------------------------------------------------
# 6. open(O_RDONLY | O_TRUNC)

@test "open(O_RDONLY|O_TRUNC) without write permission: EACCES, recorded as AccessDenied; with it, nothing erased" {
	local d f before
	for d in "${DIRS[@]}"; do
		f="$d/ro"
		put "$f"
		chmod 0644 "$f"
		before=$(cat "$f")
		fails_with "Permission denied" as_nobody /usr/bin/python3 -c \
			'import os, sys; os.open(sys.argv[1], os.O_RDONLY | os.O_TRUNC)' "$f"
		assert_equal "$(cat "$f")" "$before"
		# with write permission it opens, and truncation erases nothing
		chmod 0666 "$f"
		succeeds as_nobody /usr/bin/python3 -c \
			'import os, sys; os.close(os.open(sys.argv[1], os.O_RDONLY | os.O_TRUNC))' "$f"
		assert_equal "$(cat "$f")" "$before"
	done
	await_record ".errorCode == \"AccessDenied\" and .userIdentity.uid == $NOBODY_UID
		and .eventName == \"Truncate\" and .eventSource == \"logs.monfs\""
	await_record ".errorCode == \"AccessDenied\" and .userIdentity.uid == $NOBODY_UID
		and .eventName == \"Truncate\" and .eventSource == \"metrics.monfs\""
}

# ---------------------------------------------------------------------------
# 7. Overlong names

@test "a name over 255 bytes: ENAMETOOLONG from stat, chmod, rm, rmdir, in every directory; recorded" {
	local n256 d
	n256=$(long x 256)
	put "$L/g/s"
	for d in "${DIRS[@]}" "$M" "$L" "$MNT/alarms" "$MNT/filters" "$MNT"; do
		fails_with "File name too long" stat "$d/$n256"
		fails_with "File name too long" chmod 0644 "$d/$n256"
		fails_with "File name too long" rm "$d/$n256"
		fails_with "File name too long" rmdir "$d/$n256"
		fails_with "File name too long" as_nobody stat "$d/$n256"
	done
	# deeper: the overlong level is not the last one
	fails_with "File name too long" stat "$L/g/$n256/s"
	fails_with "File name too long" ls "$M/$n256/ns"
	await_record ".eventName == \"Lookup\" and .errorCode == \"InvalidParameterValue\"
		and .eventSource == \"logs.monfs\""
}

@test "a view's name may run past 255 bytes after its '?'; its file name may not" {
	local pat
	put "$L/g/s"
	put "$M/ns/m"
	pat=$(long y 400)
	run cat "$L/g/s?filter=$pat"
	[ "$status" -eq 0 ]
	assert_equal "$output" ""
	run cat "$L/g/s?filter=hello&format=json&since=-1h&until=now&filter_padding=$pat"
	[ "$status" -ne 0 ]
	assert_contains "$output" "Invalid argument"
	run cat "$M/ns/m?period=60&stat=sum&since=-$(long 0 250)1h"
	[ "$status" -eq 0 ]
	fails_with "File name too long" cat "$L/g/$(long z 256)?filter=x"
}

# ---------------------------------------------------------------------------
# 8. st_nlink

@test "a directory's st_nlink is 2 + its sub-directories (root, areas, namespaces, groups); files do not count" {
	mkdir -p "$M/ns/a/b" "$M/ns/c" "$L/g/x/y"
	put "$M/ns/m"
	put "$M/ns/a/m"
	put "$L/g/s"
	assert_equal "$(stat -c %h "$MNT")" 10
	assert_equal "$(stat -c %h "$M")" 3
	assert_equal "$(stat -c %h "$M/ns")" 4
	assert_equal "$(stat -c %h "$M/ns/a")" 3
	assert_equal "$(stat -c %h "$M/ns/a/b")" 2
	assert_equal "$(stat -c %h "$L")" 3
	assert_equal "$(stat -c %h "$L/g")" 3
	assert_equal "$(stat -c %h "$L/g/x")" 3
	assert_equal "$(stat -c %h "$MNT/alarms")" 2
	assert_equal "$(stat -c %h "$MNT/trail")" 2
	mkdir "$M/other"
	assert_equal "$(stat -c %h "$M")" 4
	rmdir "$M/ns/c"
	assert_equal "$(stat -c %h "$M/ns")" 3
	# files are 1
	assert_equal "$(stat -c %h "$M/ns/m")" 1
	# find's leaf optimisation (it trusts st_nlink unless -noleaf)
	assert_equal "$(find "$M" -type d | wc -l)" "$(find "$M" -noleaf -type d | wc -l)"
	assert_equal "$(find "$M" -type d | wc -l)" 5
}
