#!/usr/bin/env bats
# Definitions are files that everyday tools edit (SPEC 2): cp, sed -i,
# vim, nano, ed, tee, tar and rsync, run for real on alarms/ and
# filters/; renames; the size a definition file reports; and the wait of
# a new definition's actions, so that an editor's temporary file never
# acts under its own name.
#
# Each alarm that acts runs an exec: hook that appends "NAME STATE" to
# one log, so that a test can say which names ever acted. A negative
# ("this never acted") is decided by a fence: an alarm defined after the
# fact, whose own action comes after every earlier one was due (the
# evaluator acts on waiting changes in the order they fall due). Nothing
# here asserts a time: every wait is a poll with a generous deadline.

load helpers

ACTION_DEADLINE_S="${MONFS_ACTION_DEADLINE_S:-30}"

setup() {
	monfs_paths
	mount_monfs
	A="$MNT/alarms"
	F="$MNT/filters"
	mkdir "$MNT/metrics/EC2"
	T=$(($(date +%s) / 60 * 60))
	HOOK="$BATS_TEST_TMPDIR/hook"
	ACTED="$BATS_TEST_TMPDIR/acted"
	cat >"$HOOK" <<EOF
#!/bin/sh
echo "\$MONFS_ALARM \$MONFS_STATE" >>"$ACTED"
EOF
	chmod +x "$HOOK"
	: >"$ACTED"
	# 91.5 and 88 in the last two complete minutes: over any threshold
	# below 88, so ALARM at once (and as the minutes turn, for two more).
	/bin/printf '%s\n' "91.5 $((T - 55))" "88 $((T - 115))" "50 $((T - 175))" \
		>>"$MNT/metrics/EC2/CPU"
}

teardown() {
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

# alarm_text [THRESHOLD]: a 2-of-3 alarm on EC2/CPU > THRESHOLD (80),
# whose ALARM action runs the hook; ALARM at once on setup's data.
alarm_text() {
	/bin/printf '%s\n' "metric = EC2/CPU" "statistic = average" "period = 60" \
		"comparison = >" "threshold = ${1:-80}" "evaluation_periods = 3" \
		"datapoints_to_alarm = 2" "alarm_action = exec:$HOOK"
}

# define NAME [THRESHOLD]: alarm_text into alarms/NAME with cat (an
# external command, so close(2)'s error shows).
define() {
	alarm_text "${2:-80}" | cat >"$A/$1"
}

# filter_text PATTERN: a filter on group app into App/Errors.
filter_text() {
	/bin/printf '%s\n' "group = app" "pattern = $1" "metric = App/Errors"
}

# field FILE KEY: the value of "KEY = ..." in the reading of FILE.
field() {
	local out
	out=$(cat -- "$1") || return 1
	printf '%s\n' "$out" | sed -n "s/^$2 = //p"
}

# definition FILE: the reading of FILE without the lines a read adds.
definition() {
	local out
	out=$(cat -- "$1") || return 1
	printf '%s\n' "$out" | grep -v -E '^(state|reason|state_updated|matched|skipped) = '
}

# listing DIR: the names in DIR, dot names included, one a line.
listing() {
	ls -A -- "$1"
}

# history NAME: the history view of alarms/NAME.
history() {
	cat -- "$A/$1?view=history"
}

# state_changes NAME: how many StateUpdate items alarms/NAME's history has.
state_changes() {
	history "$1" | jq -s '[.[] | select(.HistoryItemType == "StateUpdate")] | length'
}

# acted NAME: the hook ran for alarm NAME.
acted() {
	grep -qx "$1 ALARM" "$ACTED"
}

# fence: define alarm "fence" and wait for its action; every change that
# fell due before it has then been acted on or dropped. Then remove it.
fence() {
	define fence
	eventually "$ACTION_DEADLINE_S" 'acted fence'
	sleep 0.5 # an exec: started just before is done writing by now
	rm "$A/fence"
}

# only_acted NAME...: the hook ran for exactly these names (fence
# included when given), each once.
only_acted() {
	local expected
	expected=$(printf '%s ALARM\n' "$@" | sort)
	assert_equal "$(sort "$ACTED")" "$expected"
}

# trail: every record of every day file.
trail() {
	cat "$MNT"/trail/*
}

# rename FROM TO [FLAGS]: renameat2(2), printing strerror on failure.
rename() {
	python3 - "$1" "$2" "${3:-0}" <<'EOF'
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
rc = libc.renameat2(-100, sys.argv[1].encode(), -100, sys.argv[2].encode(),
                    int(sys.argv[3]))
if rc:
    print(os.strerror(ctypes.get_errno()))
    sys.exit(1)
EOF
}

RENAME_NOREPLACE=1
RENAME_EXCHANGE=2

# ---------------------------------------------------------------------------
# What a read shows writes back

@test "an alarm's reading, state lines included, written back is the same definition" {
	define cpu
	local before="$BATS_TEST_TMPDIR/cpu.txt"
	cat "$A/cpu" >"$before"
	grep -q '^state = ALARM$' "$before"
	succeeds cp "$before" "$A/cpu"
	run sh -c "cat '$before' > '$A/cpu'"
	[ "$status" -eq 0 ]
	assert_equal "$(definition "$A/cpu")" "$(definition "$before")"
	assert_equal "$(field "$A/cpu" state)" ALARM
	assert_equal "$(state_changes cpu)" 1
}

@test "a filter's reading, its counts included, edited and written back is its new definition; the counts stay" {
	mkdir "$MNT/logs/app"
	filter_text ERROR >"$F/errors"
	printf 'ERROR a\nERROR b\n' >>"$MNT/logs/app/web"
	local edited="$BATS_TEST_TMPDIR/errors.txt"
	sed 's/^pattern = ERROR$/pattern = WARN/' "$F/errors" >"$edited"
	grep -q '^matched = 2$' "$edited"
	succeeds cp "$edited" "$F/errors"
	assert_equal "$(definition "$F/errors")" "$(definition "$edited")"
	assert_equal "$(field "$F/errors" pattern)" WARN
	assert_equal "$(field "$F/errors" matched)" 2
}

@test "an alarm and a filter report as their size the bytes a read returns" {
	define cpu
	filter_text ERROR >"$F/errors"
	assert_equal "$(stat -c %s "$A/cpu")" "$(wc -c <"$A/cpu")"
	assert_equal "$(stat -c %s "$F/errors")" "$(wc -c <"$F/errors")"
	[ "$(stat -c %s "$A/cpu")" -gt 0 ]
	# the size follows the reading: a new reason, a longer description
	alarm_text | sed 's/^metric/description = a longer reading than before\nmetric/' >"$A/cpu"
	assert_equal "$(stat -c %s "$A/cpu")" "$(wc -c <"$A/cpu")"
	exec 5<"$A/cpu" # (fd 3 is bats' own)
	assert_equal "$(stat -L -c %s /dev/fd/5)" "$(wc -c <"$A/cpu")"
	exec 5<&-
}

# ---------------------------------------------------------------------------
# The tools

@test "cp of an alarm to a new name defines it; cp onto an existing one redefines it, keeping its state and history" {
	define cpu
	alarm_text 85 >"$BATS_TEST_TMPDIR/x"
	succeeds cp "$A/cpu" "$A/copy"
	assert_equal "$(definition "$A/copy")" "$(definition "$A/cpu")"
	eventually "$ACTION_DEADLINE_S" 'acted cpu && acted copy'
	succeeds cp "$BATS_TEST_TMPDIR/x" "$A/cpu"
	assert_equal "$(field "$A/cpu" threshold)" 85
	assert_equal "$(field "$A/cpu" state)" ALARM
	assert_equal "$(state_changes cpu)" 1
	assert_equal "$(listing "$A")" $'copy\ncpu'
	fence
	only_acted cpu copy fence
}

@test "sed -i changes a threshold: one alarm, state and history kept, no action under sed's temporary name" {
	define cpu
	eventually "$ACTION_DEADLINE_S" 'acted cpu'
	succeeds sed -i 's/^threshold = 80$/threshold = 85/' "$A/cpu"
	assert_equal "$(field "$A/cpu" threshold)" 85
	assert_equal "$(field "$A/cpu" state)" ALARM
	assert_equal "$(state_changes cpu)" 1
	assert_equal "$(listing "$A")" cpu
	fence
	only_acted cpu fence
	# on the record as CloudWatch calls: the target put, the source gone
	trail | jq -s -e 'any(.[]; .eventName == "PutMetricAlarm" and .requestParameters.alarmName == "cpu"
		and (.requestParameters.sourceAlarmName // "" | startswith("sed")))' >/dev/null
	trail | jq -s -e 'any(.[]; .eventName == "DeleteAlarms" and (.requestParameters.alarmNames | startswith("sed")))' >/dev/null
}

@test "sed -i on a filter: one filter, its counts kept" {
	mkdir "$MNT/logs/app"
	filter_text ERROR >"$F/errors"
	printf 'ERROR a\nWARN b\n' >>"$MNT/logs/app/web"
	succeeds sed -i 's/^pattern = ERROR$/pattern = WARN/' "$F/errors"
	assert_equal "$(field "$F/errors" pattern)" WARN
	assert_equal "$(field "$F/errors" matched)" 1
	assert_equal "$(listing "$F")" errors
	printf 'ERROR c\nWARN d\n' >>"$MNT/logs/app/web"
	assert_equal "$(field "$F/errors" matched)" 2
}

# vim 9.0 (vim.basic and vim.tiny) writes in place with either backupcopy
# (strace: open O_WRONLY|O_CREAT, ftruncate, write, fchmod, close), and
# keeps its swap file, .NAME.swp, beside the file it edits.
@test "vim -es with backupcopy=yes and with backupcopy=no edits an alarm; no swap file or stray alarm is left" {
	define cpu
	succeeds vim -es -u NONE -c 'set backupcopy=yes' -c '%s/= 80$/= 85/' -c 'wq' "$A/cpu"
	assert_equal "$(field "$A/cpu" threshold)" 85
	succeeds vim -es -u NONE -c 'set backupcopy=no' -c '%s/= 85$/= 87/' -c 'wq' "$A/cpu"
	assert_equal "$(field "$A/cpu" threshold)" 87
	if command -v vim.tiny >/dev/null; then
		succeeds vim.tiny -es -u NONE -c 'set backupcopy=no writebackup' -c '%s/= 87$/= 86/' -c 'wq' "$A/cpu"
		assert_equal "$(field "$A/cpu" threshold)" 86
	fi
	assert_equal "$(field "$A/cpu" state)" ALARM
	assert_equal "$(listing "$A")" cpu
	# the swap file was no definition, and nothing was refused for it
	run sh -c "cat '$MNT'/trail/* | jq -c 'select(.errorCode and (.requestParameters.alarmName // \"\" | startswith(\".\")))'"
	assert_equal "$output" ""
	fence
	only_acted cpu fence
}

@test "vim on a filter" {
	filter_text ERROR >"$F/errors"
	succeeds vim -es -u NONE -c '%s/= ERROR$/= WARN/' -c 'wq' "$F/errors"
	assert_equal "$(field "$F/errors" pattern)" WARN
	assert_equal "$(listing "$F")" errors
}

@test "nano edits an alarm in place (driven through a terminal by script)" {
	command -v script >/dev/null || skip "no script(1)"
	define cpu
	# ^\ replace 80 with 85, all; ^O write, Enter; ^X exit
	{
		sleep 1
		printf '\034'
		sleep 0.5
		printf '= 80\r'
		sleep 0.5
		printf '= 85\r'
		sleep 0.5
		printf 'a'
		sleep 0.5
		printf '\017'
		sleep 0.5
		printf '\r'
		sleep 0.5
		printf '\030'
		sleep 1
	} | TERM=xterm timeout 30 script -qec "nano --ignorercfile '$A/cpu'" /dev/null >/dev/null 2>&1
	assert_equal "$(field "$A/cpu" threshold)" 85
	assert_equal "$(field "$A/cpu" state)" ALARM
	assert_equal "$(listing "$A")" cpu
}

@test "ed edits an alarm and a filter" {
	define cpu
	filter_text ERROR >"$F/errors"
	run sh -c "printf '%s\n' ',s/= 80\$/= 85/' w q | ed -s '$A/cpu'"
	[ "$status" -eq 0 ]
	assert_equal "$(field "$A/cpu" threshold)" 85
	run sh -c "printf '%s\n' ',s/= ERROR\$/= WARN/' w q | ed -s '$F/errors'"
	[ "$status" -eq 0 ]
	assert_equal "$(field "$F/errors" pattern)" WARN
}

@test "tee writes an edited reading back" {
	define cpu
	run sh -c "sed 's/= 80\$/= 85/' '$A/cpu' | tee '$A/cpu.new' >/dev/null"
	[ "$status" -eq 0 ]
	run sh -c "cat '$A/cpu' | sed 's/= 80\$/= 87/' | tee '$A/cpu' >/dev/null"
	[ "$status" -eq 0 ]
	assert_equal "$(field "$A/cpu.new" threshold)" 85
	assert_equal "$(field "$A/cpu" threshold)" 87
}

@test "tar of alarms/ and filters/, everything removed, tar back in: the same definitions, modes and owners" {
	define cpu
	define disk 85
	chmod 600 "$A/disk"
	mkdir "$MNT/logs/app"
	filter_text ERROR >"$F/errors"
	local before
	before=$(cd "$MNT" && for f in alarms/* filters/*; do
		echo "$f $(stat -c '%a %u %g' "$f")"
		definition "$f"
	done)
	(cd "$MNT" && tar cf "$BATS_TEST_TMPDIR/defs.tar" alarms filters)
	rm "$A"/* "$F"/*
	assert_equal "$(listing "$A")" ""
	run sh -c "cd '$MNT' && tar xf '$BATS_TEST_TMPDIR/defs.tar'"
	[ "$status" -eq 0 ] || {
		echo "$output"
		return 1
	}
	assert_equal "$(cd "$MNT" && for f in alarms/* filters/*; do
		echo "$f $(stat -c '%a %u %g' "$f")"
		definition "$f"
	done)" "$before"
	assert_equal "$(listing "$A")" $'cpu\ndisk'
	# what tar copied is whole: each member's size is the reading's
	tar tvf "$BATS_TEST_TMPDIR/defs.tar" | awk '$3 > 0' | grep -q alarms/cpu
}

@test "rsync -a restores alarms/ through its .NAME.XXXXXX temporary files; none acts under its own name" {
	command -v rsync >/dev/null || skip "no rsync"
	define cpu
	define disk 85
	eventually "$ACTION_DEADLINE_S" 'acted cpu && acted disk'
	succeeds rsync -a "$A/" "$BATS_TEST_TMPDIR/backup/"
	rm "$A"/*
	succeeds rsync -a "$BATS_TEST_TMPDIR/backup/" "$A/"
	assert_equal "$(listing "$A")" $'cpu\ndisk'
	assert_equal "$(definition "$A/disk")" "$(definition "$BATS_TEST_TMPDIR/backup/disk")"
	# an rsync over an unchanged copy changes nothing
	succeeds rsync -a "$BATS_TEST_TMPDIR/backup/" "$A/"
	assert_equal "$(listing "$A")" $'cpu\ndisk'
	fence
	run grep -v -E '^(cpu|disk|fence) ALARM$' "$ACTED"
	assert_equal "$output" ""
}

# ---------------------------------------------------------------------------
# Renames

@test "mv to a free name moves an alarm with its state and history; the old name is gone" {
	define cpu
	eventually "$ACTION_DEADLINE_S" 'acted cpu'
	succeeds mv "$A/cpu" "$A/cpu-high"
	assert_equal "$(listing "$A")" cpu-high
	assert_equal "$(field "$A/cpu-high" state)" ALARM
	assert_equal "$(state_changes cpu-high)" 1
	history cpu-high | jq -s -e 'any(.[]; .HistorySummary == "Alarm \"cpu\" renamed to \"cpu-high\"")' >/dev/null
}

@test "mv onto an existing alarm replaces its definition, keeping its state, history and mode; the source is gone" {
	define cpu
	chmod 640 "$A/cpu"
	eventually "$ACTION_DEADLINE_S" 'acted cpu'
	alarm_text 87 >"$A/.cpu.new"
	succeeds mv "$A/.cpu.new" "$A/cpu"
	assert_equal "$(listing "$A")" cpu
	assert_equal "$(field "$A/cpu" threshold)" 87
	assert_equal "$(field "$A/cpu" state)" ALARM
	assert_equal "$(state_changes cpu)" 1
	assert_equal "$(stat -c %a "$A/cpu")" 640
	fence
	only_acted cpu fence
}

@test "mv of a filter, to a free name and onto another, keeps the counts of the one it lands on" {
	mkdir "$MNT/logs/app"
	filter_text ERROR >"$F/a"
	filter_text WARN >"$F/b"
	printf 'ERROR x\nERROR y\nWARN z\n' >>"$MNT/logs/app/web"
	succeeds mv "$F/a" "$F/c"
	assert_equal "$(field "$F/c" matched)" 2
	succeeds mv "$F/c" "$F/b"
	assert_equal "$(listing "$F")" b
	assert_equal "$(field "$F/b" pattern)" ERROR
	assert_equal "$(field "$F/b" matched)" 1
}

@test "renames across directories are EXDEV; a metric is never renamed (EPERM)" {
	define cpu
	filter_text ERROR >"$F/errors"
	fails_with "Invalid cross-device link" rename "$A/cpu" "$F/cpu"
	fails_with "Invalid cross-device link" rename "$F/errors" "$A/errors"
	fails_with "Invalid cross-device link" rename "$A/cpu" "$MNT/metrics/EC2/cpu"
	fails_with "Operation not permitted" rename "$MNT/metrics/EC2/CPU" "$MNT/metrics/EC2/CPU2"
	fails_with "Operation not permitted" mv "$MNT/metrics/EC2" "$MNT/metrics/EC3"
	assert_equal "$(listing "$A")" cpu
	assert_equal "$(listing "$F")" errors
}

@test "RENAME_EXCHANGE is EINVAL; RENAME_NOREPLACE onto a name in use is EEXIST, to a free name it renames" {
	define a
	define b 85
	fails_with "Invalid argument" rename "$A/a" "$A/b" "$RENAME_EXCHANGE"
	fails_with "File exists" rename "$A/a" "$A/b" "$RENAME_NOREPLACE"
	assert_equal "$(field "$A/b" threshold)" 85
	succeeds rename "$A/a" "$A/c" "$RENAME_NOREPLACE"
	assert_equal "$(listing "$A")" $'b\nc'
}

@test "a file being written, renamed before its close, defines the new name at its close" {
	exec 4>"$A/.tmp"
	alarm_text 85 >&4
	succeeds mv "$A/.tmp" "$A/cpu"
	exec 4>&-
	assert_equal "$(listing "$A")" cpu
	assert_equal "$(field "$A/cpu" threshold)" 85
}

# ---------------------------------------------------------------------------
# The wait of a new definition

@test "a new alarm removed within 2 s never runs its action" {
	local t0=$SECONDS
	define gone
	rm "$A/gone"
	((SECONDS - t0 < 2)) || skip "too slow to remove it within 2 s"
	fence
	only_acted fence
}

@test "a new alarm that stays runs its action after about 2 s, not at once" {
	local start end
	start=$(date +%s%N)
	define cpu
	end=$(date +%s%N)
	# if this check itself came within a second of the definition, the
	# action has not run yet
	if (((end - start) / 1000000 < 1000)); then
		run cat "$ACTED"
		assert_equal "$output" ""
	fi
	eventually "$ACTION_DEADLINE_S" 'acted cpu'
	assert_equal "$(field "$A/cpu" state)" ALARM
}

@test "a new alarm renamed within 2 s never acts under its first name" {
	local t0=$SECONDS
	define .cpu.tmp
	mv "$A/.cpu.tmp" "$A/cpu"
	((SECONDS - t0 < 2)) || skip "too slow to rename it within 2 s"
	fence
	run grep -c '^\.cpu\.tmp ' "$ACTED"
	assert_equal "$output" 0
	assert_equal "$(field "$A/cpu" state)" ALARM
}

# ---------------------------------------------------------------------------
# Names and attributes of files being written

@test "chmod and chown of a definition being written are kept for it" {
	# (fd 3 is bats' own)
	exec 5>"$A/t"
	chmod 600 "$A/t"
	chown 65534:65534 "$A/t"
	assert_equal "$(stat -c '%a %u %g' "$A/t")" "600 65534 65534"
	alarm_text >&5
	exec 5>&-
	assert_equal "$(stat -c '%a %u %g' "$A/t")" "600 65534 65534"
	exec 5>"$F/f"
	chmod 640 "$F/f"
	filter_text ERROR >&5
	exec 5>&-
	assert_equal "$(stat -c %a "$F/f")" 640
}

@test "names in alarms/ and filters/ may start with '.'; elsewhere they may not" {
	define .cpu.swp
	filter_text ERROR >"$F/.errors"
	assert_equal "$(listing "$A")" .cpu.swp
	assert_equal "$(listing "$F")" .errors
	assert_equal "$(field "$A/.cpu.swp" state)" ALARM
	fails_with "Invalid argument" touch "$MNT/metrics/EC2/.hidden"
	fails_with "Invalid argument" mkdir "$MNT/logs/.hidden"
}

@test "a definition being written and removed before its close makes nothing" {
	exec 5>"$A/.tmp" # (fd 3 is bats' own)
	alarm_text >&5
	succeeds rm "$A/.tmp"
	exec 5>&-
	assert_equal "$(listing "$A")" ""
	fence
	only_acted fence
}

@test "binary bytes in a new hidden file make nothing and close cleanly; under a plain name they are EINVAL" {
	printf 'b0VIM 9.0\0\0\0' >"$BATS_TEST_TMPDIR/swap"
	succeeds cp "$BATS_TEST_TMPDIR/swap" "$MNT/alarms/.x.swp"
	assert_equal "$(ls -A "$MNT/alarms")" ""
	fails_with "Invalid argument" cp "$BATS_TEST_TMPDIR/swap" "$MNT/alarms/x"
	assert_equal "$(ls -A "$MNT/alarms")" ""
}
