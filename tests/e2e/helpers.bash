# helpers.bash: the harness every tests/e2e/*.bats file loads.
#
# Each test gets a fresh monfs, mounted in the foreground on a directory
# under $BATS_TEST_TMPDIR with its own database there, and the teardown
# takes down every daemon the test started, even when the test failed, so
# that no mount and no daemon outlives its test. Nothing here measures
# time: where the suite must wait for the daemon, it polls with a generous
# deadline, because these machines are shared and noisy.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
MONFS_BIN="${MONFS_BIN:-$REPO/build/monfs}"

# Deadlines for polling, in seconds. A sanitizer build starts and exits
# slowly (leak checking runs at exit), so the defaults are generous.
MOUNT_DEADLINE_S="${MONFS_MOUNT_DEADLINE_S:-10}"
# MONFS_WRAPPER runs the daemon under a tool (make check-valgrind).
EXIT_DEADLINE_S="${MONFS_EXIT_DEADLINE_S:-30}"

# The environment only the daemon sees: sanitizer reports go to files that
# the run script inspects afterwards.
MONFS_ENV=()
if [ -n "${MONFS_ASAN_LOG_DIR:-}" ]; then
	# verify_asan_link_order=0: faults.bats preloads its failing-disk shim.
	MONFS_ENV+=("ASAN_OPTIONS=log_path=$MONFS_ASAN_LOG_DIR/asan:detect_leaks=1:verify_asan_link_order=0")
	MONFS_ENV+=("UBSAN_OPTIONS=log_path=$MONFS_ASAN_LOG_DIR/ubsan:print_stacktrace=1")
fi

# Daemons started by this test, as parallel arrays: pid and mount point.
MONFS_PIDS=()
MONFS_MNTS=()

# ---------------------------------------------------------------------------
# Mounting and unmounting

# monfs_paths: set MNT, DB and LOG for this test and make the mount point.
# With MONFS_TEST_PG (a cluster of tests/support/pg-cluster, which
# tests/run-all starts for the fleet's run), DB is a new PostgreSQL
# database of this test's instead of a sqlite file (SPEC 17).
monfs_paths() {
	MNT="$BATS_TEST_TMPDIR/mnt"
	DB="$BATS_TEST_TMPDIR/monfs.db"
	LOG="$BATS_TEST_TMPDIR/monfs.log"
	mkdir -p "$MNT"
	: >>"$LOG"
	if [ -n "${MONFS_TEST_PG:-}" ]; then
		DB=$(fresh_pg_database) || return 1
	fi
}

# fresh_pg_database: make an empty database in the MONFS_TEST_PG cluster
# and print the connection string monfs takes for it.
fresh_pg_database() {
	local name="t_$(date +%s%N)_$$_${RANDOM}"
	psql -X -q -h "$MONFS_TEST_PG" -U monfs -d postgres \
		-c "CREATE DATABASE $name" >&2 || return 1
	echo "postgresql:///$name?host=$MONFS_TEST_PG&user=monfs"
}

# on_postgres: true in the fleet's run of a suite (MONFS_TEST_PG set).
on_postgres() {
	[ -n "${MONFS_TEST_PG:-}" ]
}

# process_alive PID: true while PID runs (a zombie counts as gone).
process_alive() {
	local state
	[ -r "/proc/$1/stat" ] || return 1
	state=$(sed -E 's/^.*\) ([A-Za-z]).*$/\1/' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# eventually SECONDS CONDITION: poll the shell CONDITION every 0.2 s until
# it is true, or fail once SECONDS have passed (generous: these machines
# are noisy), saying what was not true and, if the test file defines
# eventually_explain, what that prints.
eventually() {
	local deadline=$((SECONDS + $1))
	while ! eval "$2"; do
		if ((SECONDS >= deadline)); then
			echo "not true within $1 s: $2"
			! declare -F eventually_explain >/dev/null || eventually_explain
			return 1
		fi
		sleep 0.2
	done
}

# start_daemon MOUNTPOINT ARG...: run "monfs -f -o auto_unmount ARG..." in
# the background (its output appended to $LOG) and wait until MOUNTPOINT
# answers. Sets MONFS_PID. Fails, showing the log, if it never does.
# wait_no_mount MOUNTPOINT: a daemon killed with -9 leaves a dead mount
# (mountpoint -q says no, /proc/self/mounts still lists it) until its
# auto_unmount helper removes it: wait for that, then clear it lazily.
wait_no_mount() {
	local mnt="$1" deadline=$((SECONDS + 10))
	while grep -qs " $mnt fuse" /proc/self/mounts && ((SECONDS < deadline)); do
		sleep 0.1
	done
	if grep -qs " $mnt fuse" /proc/self/mounts; then
		fusermount3 -uz "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
	fi
	return 0
}

start_daemon() {
	local mnt="$1"
	shift
	wait_no_mount "$mnt"
	# fd 3 is bats' own: a background process holding it would hang bats.
	# A shell starts background commands with SIGINT ignored; a daemon
	# started from a terminal has it at its default, so restore that.
	env --default-signal=INT,QUIT ${MONFS_DAEMON_ENV[@]+"${MONFS_DAEMON_ENV[@]}"} \
		${MONFS_ENV[@]+"${MONFS_ENV[@]}"} \
		${MONFS_WRAPPER:-} "$MONFS_BIN" -f -o auto_unmount "$@" >>"$LOG" 2>>"$LOG" 3>&- &
	MONFS_PID=$!
	MONFS_PIDS+=("$MONFS_PID")
	MONFS_MNTS+=("$mnt")
	wait_until_mounted "$mnt" "$MONFS_PID"
}

# wait_until_mounted MOUNTPOINT PID: poll until the mount answers.
wait_until_mounted() {
	local mnt="$1" pid="$2"
	local deadline=$((SECONDS + MOUNT_DEADLINE_S))
	while :; do
		if mountpoint -q "$mnt" && ls "$mnt/metrics" >/dev/null 2>&1; then
			return 0
		fi
		if ! process_alive "$pid"; then
			echo "monfs (pid $pid) exited before $mnt answered; log:"
			cat "$LOG"
			return 1
		fi
		if ((SECONDS >= deadline)); then
			echo "monfs (pid $pid) did not answer on $mnt within ${MOUNT_DEADLINE_S}s; log:"
			cat "$LOG"
			return 1
		fi
		sleep 0.1
	done
}

# mount_monfs [ARG...]: the standard mount of this test, on $MNT with $DB;
# extra arguments follow the mount point. remount reuses them.
mount_monfs() {
	[ -n "${MNT:-}" ] || monfs_paths
	MONFS_MOUNT_ARGS=("$@")
	start_daemon "$MNT" --db "$DB" "$MNT" "$@"
	MONFS_MAIN_PID="$MONFS_PID"
}

# stop_daemon MOUNTPOINT PID: unmount, then wait for PID to exit; kill it
# (that pid only) as a last resort. Sets DAEMON_STATUS to its exit status
# (or "killed"). Returns non-zero if the daemon had to be killed or the
# mount would not go away.
stop_daemon() {
	local mnt="$1" pid="$2" rc=0 deadline
	if mountpoint -q "$mnt" 2>/dev/null; then
		fusermount3 -u "$mnt" 2>>"$LOG" || fusermount3 -uz "$mnt" 2>>"$LOG" || true
	fi
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while process_alive "$pid" && ((SECONDS < deadline)); do
		sleep 0.1
	done
	if process_alive "$pid"; then
		echo "monfs (pid $pid) still runs ${EXIT_DEADLINE_S}s after unmounting $mnt: killing it"
		kill -TERM "$pid" 2>/dev/null || true
		deadline=$((SECONDS + 5))
		while process_alive "$pid" && ((SECONDS < deadline)); do
			sleep 0.1
		done
		process_alive "$pid" && kill -KILL "$pid" 2>/dev/null
		rc=1
	fi
	if [ "$rc" -eq 0 ]; then
		wait "$pid" 2>/dev/null && DAEMON_STATUS=0 || DAEMON_STATUS=$?
	else
		wait "$pid" 2>/dev/null || true
		DAEMON_STATUS=killed
	fi
	if mountpoint -q "$mnt" 2>/dev/null; then
		fusermount3 -uz "$mnt" 2>/dev/null || true
		echo "$mnt was still mounted after monfs (pid $pid) exited"
		rc=1
	fi
	forget_daemon "$pid"
	return "$rc"
}

# forget_daemon PID: drop PID from the list the teardown stops.
forget_daemon() {
	local i
	for i in "${!MONFS_PIDS[@]}"; do
		if [ "${MONFS_PIDS[$i]}" = "$1" ]; then
			unset 'MONFS_PIDS[i]' 'MONFS_MNTS[i]'
		fi
	done
	return 0
}

# unmount_monfs: stop the standard mount.
unmount_monfs() {
	stop_daemon "$MNT" "$MONFS_MAIN_PID"
}

# remount: unmount and mount again on the same database, same arguments.
remount() {
	unmount_monfs
	mount_monfs ${MONFS_MOUNT_ARGS[@]+"${MONFS_MOUNT_ARGS[@]}"}
}

# stop_all_daemons: the teardown; stops every daemon this test started,
# then unmounts anything still mounted under this test's directory (a
# daemon that forked into the background where it should have refused).
stop_all_daemons() {
	local i rc=0 mnt
	for i in "${!MONFS_PIDS[@]}"; do
		stop_daemon "${MONFS_MNTS[$i]}" "${MONFS_PIDS[$i]}" || rc=1
	done
	while read -r mnt; do
		[ -n "$mnt" ] || continue
		echo "$mnt was left mounted: unmounting it"
		fusermount3 -u "$mnt" 2>/dev/null || fusermount3 -uz "$mnt" 2>/dev/null || true
		rc=1
	done < <(awk -v dir="$BATS_TEST_TMPDIR/" 'index($2, dir) == 1 { print $2 }' /proc/self/mounts)
	return "$rc"
}

# run_monfs_to_exit [MOUNTPOINT] -- ARG...: run monfs ARG... (no -f or -o
# added) and wait for it to exit by itself, as `run` does: sets status and
# output. If it is still running at the deadline (it mounted where it
# should have refused), it is stopped, status is 255 and output says so.
run_monfs_to_exit() {
	local mnt="" out="$BATS_TEST_TMPDIR/run_monfs.out" pid deadline
	if [ "$1" != -- ]; then
		mnt="$1"
		shift
	fi
	shift
	env ${MONFS_ENV[@]+"${MONFS_ENV[@]}"} "$MONFS_BIN" "$@" >"$out" 2>&1 3>&- </dev/null &
	pid=$!
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while process_alive "$pid" && ((SECONDS < deadline)); do
		sleep 0.1
	done
	if process_alive "$pid"; then
		MONFS_PIDS+=("$pid")
		MONFS_MNTS+=("${mnt:-/nonexistent}")
		stop_daemon "${mnt:-/nonexistent}" "$pid" >/dev/null || true
		status=255
		output="monfs $* was still running after ${EXIT_DEADLINE_S}s: $(cat "$out")"
		return 0
	fi
	wait "$pid" && status=0 || status=$?
	output="$(cat "$out")"
	return 0
}

# let_others_in: let other users traverse this test's directories down to
# the mount point (bats makes its run directory 0700), for the suites that
# run commands as other users.
let_others_in() {
	local d="$BATS_TEST_TMPDIR"
	while :; do
		chmod o+x "$d"
		[ "$d" != "$BATS_RUN_TMPDIR" ] && [ "$d" != / ] || break
		d=$(dirname "$d")
	done
}

# ---------------------------------------------------------------------------
# Assertions (bats-assert is not installed; these say what they compared)

# assert_not_mounted DIR
assert_not_mounted() {
	if mountpoint -q "$1"; then
		echo "$1 is mounted"
		return 1
	fi
}

# assert_exited PID
assert_exited() {
	if process_alive "$1"; then
		echo "process $1 is still running"
		return 1
	fi
}

# assert_equal ACTUAL EXPECTED
assert_equal() {
	if [ "$1" != "$2" ]; then
		printf 'expected:\n%s\nactual:\n%s\n' "$2" "$1"
		return 1
	fi
}

# assert_contains HAYSTACK NEEDLE
assert_contains() {
	if [[ "$1" != *"$2"* ]]; then
		printf 'expected to find "%s" in:\n%s\n' "$2" "$1"
		return 1
	fi
}

# fails_with MESSAGE COMMAND...: COMMAND fails and prints MESSAGE (the
# strerror text, e.g. "Invalid argument"). Leaves status and output set.
fails_with() {
	local msg="$1"
	shift
	run "$@"
	if [ "$status" -eq 0 ]; then
		printf 'expected "%s" from: %s\nbut it succeeded; output:\n%s\n' "$msg" "$*" "$output"
		return 1
	fi
	if [[ "$output" != *"$msg"* ]]; then
		printf 'expected "%s" from: %s\ngot status %s, output:\n%s\n' "$msg" "$*" "$status" "$output"
		return 1
	fi
}

# succeeds COMMAND...: COMMAND exits 0 (shows its output if not).
succeeds() {
	run "$@"
	if [ "$status" -ne 0 ]; then
		printf 'expected success from: %s\ngot status %s, output:\n%s\n' "$*" "$status" "$output"
		return 1
	fi
}

# within_1pct ACTUAL EXPECTED: |ACTUAL - EXPECTED| <= 1 % of |EXPECTED|.
within_1pct() {
	if ! awk -v a="$1" -v e="$2" 'BEGIN {
		d = a - e; if (d < 0) d = -d; m = e < 0 ? -e : e
		exit !(a != "" && d <= 0.01 * m + 1e-12) }'; then
		echo "$1 is not within 1 % of $2"
		return 1
	fi
}

# in_range VALUE LOW HIGH: LOW <= VALUE <= HIGH, numerically.
in_range() {
	if ! awk -v v="$1" -v lo="$2" -v hi="$3" 'BEGIN { exit !(v != "" && v + 0 >= lo + 0 && v + 0 <= hi + 0) }'; then
		echo "$1 is not within [$2, $3]"
		return 1
	fi
}

# ---------------------------------------------------------------------------
# Writing and reading metrics the way users do

# write_to FILE FORMAT [ARG...]: /bin/printf FORMAT ARG... > FILE. An
# external command, so a refused write or close shows its errno.
write_to() {
	local file="$1"
	shift
	/bin/printf "$@" >"$file"
}

# append_to FILE FORMAT [ARG...]: /bin/printf FORMAT ARG... >> FILE.
append_to() {
	local file="$1"
	shift
	/bin/printf "$@" >>"$file"
}

# cat_to FILE: cat > FILE, for `run` (the redirection stays inside).
cat_to() {
	cat >"$1"
}

# iso UNIX_SECONDS: the RFC 3339 UTC form monfs prints (2026-11-23T23:01:00Z).
iso() {
	date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ
}

# minutes_ago N: the start of the minute N minutes before this one.
minutes_ago() {
	echo $(($(date +%s) / 60 * 60 - $1 * 60))
}

# squeeze: blanks runs to one space, no trailing blank.
squeeze() {
	sed -E 's/[[:blank:]]+/ /g; s/ $//'
}

# read_view FILE: the whole rendering of FILE (header included), squeezed.
# Fails if cat fails.
read_view() {
	local out
	out=$(cat -- "$1") || return 1
	printf '%s\n' "$out" | squeeze
}

# rows FILE: the data rows of a metric (or view), header dropped, squeezed.
rows() {
	local out
	out=$(cat -- "$1") || return 1
	printf '%s\n' "$out" | squeeze | sed '1{/^#/d}' | sed '/^$/d'
}

# window METRIC SINCE UNTIL [MORE]: the view of METRIC from SINCE (Unix
# seconds) to UNTIL, with more query text appended (e.g. "&period=300").
window() {
	echo "$1?since=$2&until=$3${4:-}"
}

# assert_rows FILE EXPECTED: the data rows of FILE are exactly EXPECTED.
assert_rows() {
	local actual
	actual=$(rows "$1") || {
		echo "cannot read $1"
		return 1
	}
	assert_equal "$actual" "$2"
}

# assert_no_data FILE: FILE prints the header alone.
assert_no_data() {
	local out
	out=$(read_view "$1") || {
		echo "cannot read $1"
		return 1
	}
	assert_equal "$out" "# timestamp samples sum average minimum maximum p50 p90 p99"
}

# column FILE NAME: the values of column NAME (by the header), one a line.
column() {
	local out
	out=$(read_view "$1") || return 1
	printf '%s\n' "$out" | awk -v name="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i - 1; next }
		c { print $c }'
}

# total_samples FILE: the sum of the samples column of FILE.
total_samples() {
	column "$1" samples | awk '{ s += $1 } END { print s + 0 }'
}

# json_check JSON FILTER: jq FILTER is true of JSON (shows both if not).
json_check() {
	if ! jq -e "$2" >/dev/null 2>&1 <<<"$1"; then
		printf 'jq %s is not true of:\n%s\n' "$2" "$1"
		return 1
	fi
}

# bucket_counts PERIOD TIME...: for points at TIME..., the lines
# "PERIOD_START SAMPLES" a metric view should show, oldest first.
bucket_counts() {
	local period="$1"
	shift
	local t
	for t in "$@"; do
		iso $((t - t % period))
	done | sort | uniq -c | awk '{ print $2, $1 }'
}
