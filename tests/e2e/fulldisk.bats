#!/usr/bin/env bats
# A full disk (SPEC 10): the database on a 4 MiB tmpfs, filled with metric
# points and stream lines until writes fail. The failing write(2) gets
# ENOSPC; the daemon keeps serving reads; nothing acknowledged is lost; an
# operation that cannot be recorded is refused whole; the database passes
# sqlite's integrity check; and after room is made, writes resume. Room
# is made by the user, as the tests do it: a bigger disk (remount), or
# removing a stream, which monfs lets commit on a full disk by giving up
# the reserve file it keeps beside the database (a 16th of the disk, at
# most 1 MiB), and makes again when the disk has room.
# Needs root (to mount a tmpfs); skipped where a tmpfs cannot be mounted.

load helpers

setup() {
	monfs_paths
	FS="$BATS_TEST_TMPDIR/small"
	mkdir -p "$FS"
	if ! mount -t tmpfs -o size=4m tmpfs "$FS" 2>/dev/null; then
		skip "cannot mount a tmpfs (needs root)"
	fi
	DB="$FS/monfs.db"
	mount_monfs
	NS="$MNT/metrics/Full"
	G="$MNT/logs/full"
	mkdir "$NS" "$G"
	M="$NS/points"
	S="$G/lines"
	EXPECT="$BATS_TEST_TMPDIR/expected-lines"
	: >"$EXPECT"
	ERR="$BATS_TEST_TMPDIR/err"
}

teardown() {
	local i rc=0
	# monfs first, then the tmpfs under it, then the harness's own checks
	for i in "${!MONFS_PIDS[@]}"; do
		stop_daemon "${MONFS_MNTS[$i]}" "${MONFS_PIDS[$i]}" || rc=1
	done
	if mountpoint -q "$FS" 2>/dev/null; then
		umount "$FS" || umount -l "$FS"
	fi
	stop_all_daemons || rc=1
	return "$rc"
}

# fill: write metric points (value i at a distinct timestamp each) and
# stream lines, in turn, until both have failed. Sets M_OK (acknowledged
# points), M_SUM (their values' sum), M_ERR and S_ERR (the error each
# failing write printed); $EXPECT holds every acknowledged line. Each
# point and line is its own open, write(2) and close, as `printf >> FILE`
# does, in one perl process: a shell forking two printf per round took a
# minute to fill the disk.
fill() {
	local out
	NOW=$(date +%s)
	out=$(perl -e '
		my ($m, $s, $expect, $now) = @ARGV;
		my ($m_ok, $m_sum, $m_err, $s_err) = (0, 0, "", "");
		my $pad = "x" x 300;
		open(my $exp, ">>", $expect) or die "$expect: $!";
		# one write(2) through a fresh descriptor: "" or the error
		sub put { my ($file, $text) = @_;
			open(my $f, ">>", $file) or return "$!";
			my $n = syswrite($f, $text);
			my $e = defined $n && $n == length $text ? "" : "$!";
			close($f) or $e ||= "$!";
			return $e; }
		for my $i (1 .. 20000) {
			if ($m_err eq "") {
				my $e = put($m, sprintf("%d %d\n", $i, $now - 60 - $i));
				if ($e eq "") { $m_ok++; $m_sum += $i } else { $m_err = $e }
			}
			if ($s_err eq "") {
				my $line = "line $i $pad\n";
				my $e = put($s, $line);
				if ($e eq "") { syswrite($exp, $line) } else { $s_err = $e }
			}
			last if $m_err ne "" && $s_err ne "";
		}
		print "$m_ok\n$m_sum\n$m_err\n$s_err\n";
	' "$M" "$S" "$EXPECT" "$NOW") || return 1
	{
		read -r M_OK
		read -r M_SUM
		read -r M_ERR
		read -r S_ERR
	} <<<"$out"
	if [ -z "$M_ERR" ] || [ -z "$S_ERR" ]; then
		echo "the 4 MiB disk never filled after 20000 rounds"
		return 1
	fi
}

# metric_window: a view of the metric covering every point written.
metric_window() {
	window "$M" $((NOW - 30000)) $((NOW + 60)) '&period=3600'
}

# daemon_serving: the daemon runs and the mount answers.
daemon_serving() {
	if ! process_alive "$MONFS_MAIN_PID"; then
		echo "monfs (pid $MONFS_MAIN_PID) died; log:"
		cat "$LOG"
		return 1
	fi
	mountpoint -q "$MNT"
	ls "$MNT" "$NS" "$G" >/dev/null
}

# records: every trail record.
records() {
	local f
	for f in "$MNT"/trail/*; do
		[ -e "$f" ] || continue
		cat -- "$f" || return 1
	done
}

# await_record FILTER: poll until a trail record matches the jq FILTER.
await_record() {
	local deadline=$((SECONDS + 15))
	until [ -n "$(records | jq -c "select($1)")" ]; do
		if ((SECONDS >= deadline)); then
			echo "no trail record with: $1; the last records:"
			records | tail -n 8 | jq -c '{eventTime, eventName, errorCode, errorMessage, requestParameters}'
			return 1
		fi
		sleep 0.2
	done
}

# acknowledged_intact: the stream is every acknowledged line, in order,
# and the metric holds exactly the acknowledged points.
acknowledged_intact() {
	cmp "$EXPECT" "$S" || {
		echo "stream differs from the acknowledged lines: $(wc -l <"$EXPECT") expected, $(wc -l <"$S") read"
		return 1
	}
	assert_equal "$(total_samples "$(metric_window)")" "$M_OK" || return 1
	assert_equal "$(column "$(metric_window)" sum | awk '{ s += $1 } END { printf "%d", s }')" "$M_SUM"
}

@test "a full disk: ENOSPC to the writer, reads keep working, nothing acknowledged lost, room brings writes back" {
	fill
	echo "filled after $M_OK points and $(wc -l <"$EXPECT") lines" >&3
	((M_OK > 0))
	[ -s "$EXPECT" ]
	assert_contains "$M_ERR" "No space left on device"
	assert_contains "$S_ERR" "No space left on device"
	daemon_serving

	# reads keep working and show everything acknowledged, nothing more
	acknowledged_intact
	run cat "$S"
	[ "$status" -eq 0 ]
	run tail -n 1 "$S"
	assert_equal "$output" "$(tail -n 1 "$EXPECT")"

	# still full: the next writes are refused the same way
	fails_with "No space left on device" append_to "$S" 'one more\n'
	fails_with "No space left on device" append_to "$M" '1\n'
	acknowledged_intact
	daemon_serving

	# make room
	mount -o remount,size=64m "$FS"
	succeeds append_to "$S" 'after room\n'
	printf 'after room\n' >>"$EXPECT"
	succeeds append_to "$M" '%s %s\n' 7 $((NOW - 30))
	M_OK=$((M_OK + 1))
	M_SUM=$((M_SUM + 7))
	succeeds mkdir "$NS/Later"
	succeeds write_to "$NS/Later/m" '3\n'
	acknowledged_intact
	await_record '.eventName == "CreateNamespace" and .requestParameters.namespace == "Full/Later"
		and (has("errorCode") | not)'
	daemon_serving

	# the database is sound, and holds it all after a restart
	unmount_monfs
	assert_equal "$DAEMON_STATUS" 0
	run sqlite3 "$DB" 'PRAGMA integrity_check'
	assert_equal "$output" "ok"
	mount_monfs
	acknowledged_intact
	assert_equal "$(column "$NS/Later/m" sum)" 3
}

@test "a full disk: an operation whose trail record cannot be written is refused whole, or done whole" {
	fill
	daemon_serving
	# each of these either fails (ENOSPC) and leaves nothing, or succeeds
	# and, once there is room, its record is in the trail
	local made=()
	run mkdir "$NS/WhenFull"
	if [ "$status" -ne 0 ]; then
		assert_contains "$output" "No space left on device"
		[ ! -e "$NS/WhenFull" ]
		! ls "$NS" | grep -qx WhenFull
	else
		[ -d "$NS/WhenFull" ]
		made+=(ns)
	fi
	run mkdir "$MNT/logs/fullgroup"
	if [ "$status" -ne 0 ]; then
		assert_contains "$output" "No space left on device"
		[ ! -e "$MNT/logs/fullgroup" ]
	else
		made+=(group)
	fi
	run touch "$G/newstream"
	if [ "$status" -ne 0 ]; then
		assert_contains "$output" "No space left on device"
		[ ! -e "$G/newstream" ]
	else
		made+=(stream)
	fi
	run touch "$NS/newmetric"
	if [ "$status" -ne 0 ]; then
		assert_contains "$output" "No space left on device"
		[ ! -e "$NS/newmetric" ]
	else
		made+=(metric)
	fi
	run rm "$NS/points"
	if [ "$status" -ne 0 ]; then
		assert_contains "$output" "No space left on device"
		[ -f "$NS/points" ]
		acknowledged_intact
	else
		[ ! -e "$NS/points" ]
		made+=(rm)
	fi
	echo "done while full: ${made[*]:-nothing}" >&3
	daemon_serving

	# make room: what was refused is still absent, what was done is recorded
	mount -o remount,size=64m "$FS"
	local w
	for w in ${made[@]+"${made[@]}"}; do
		case $w in
		ns) await_record '.eventName == "CreateNamespace" and .requestParameters.namespace == "Full/WhenFull" and (has("errorCode") | not)' ;;
		group) await_record '.eventName == "CreateLogGroup" and (.requestParameters | tostring | contains("fullgroup")) and (has("errorCode") | not)' ;;
		stream) await_record '.eventName == "CreateLogStream" and (.requestParameters | tostring | contains("newstream")) and (has("errorCode") | not)' ;;
		metric) await_record '.eventSource == "metrics.monfs" and (.requestParameters | tostring | contains("newmetric")) and (has("errorCode") | not)' ;;
		rm) await_record '.eventName == "DeleteMetric" and (has("errorCode") | not)' ;;
		esac
	done
	[[ " ${made[*]-} " == *" ns "* ]] || [ ! -e "$NS/WhenFull" ]
	[[ " ${made[*]-} " == *" group "* ]] || [ ! -e "$MNT/logs/fullgroup" ]
	# and the refused ones now succeed
	mkdir -p "$NS/WhenFull" "$MNT/logs/fullgroup"
	touch "$G/newstream"
	await_record '.eventName == "CreateNamespace" and .requestParameters.namespace == "Full/WhenFull" and (has("errorCode") | not)'
	cmp "$EXPECT" "$S"
	unmount_monfs
	run sqlite3 "$DB" 'PRAGMA integrity_check'
	assert_equal "$output" "ok"
}

@test "a full disk: removing a big stream makes room, and writes resume" {
	# a big stream first, then fill what is left
	local blob="$BATS_TEST_TMPDIR/blob" i
	for i in $(seq 400); do printf 'bulk %d %0300d\n' "$i" 0; done >"$blob"
	run cp "$blob" "$G/bulk"
	fill
	daemon_serving
	fails_with "No space left on device" append_to "$S" 'one more\n'
	# rm needs the database to write too: the reserve gives it room
	succeeds rm "$G/bulk"
	[ ! -e "$G/bulk" ]
	await_record '.eventName == "DeleteLogStream" and .requestParameters.logStreamName == "bulk"
		and (has("errorCode") | not)'
	local deadline=$((SECONDS + 20))
	until append_to "$S" 'after rm\n' 2>/dev/null; do
		if ((SECONDS >= deadline)); then
			echo "writes did not resume within 20 s of removing $G/bulk"
			df "$FS"
			ls -l "$FS"
			return 1
		fi
		sleep 0.5
	done
	printf 'after rm\n' >>"$EXPECT"
	acknowledged_intact
	daemon_serving
	unmount_monfs
	run sqlite3 "$DB" 'PRAGMA integrity_check'
	assert_equal "$output" "ok"
}

@test "a full disk: the reserve a removal used comes back once there is room" {
	local blob="$BATS_TEST_TMPDIR/blob" i want
	want=$((4 * 1024 * 1024 / 16))
	assert_equal "$(stat -c %s "$DB.reserve")" "$want"
	for i in $(seq 400); do printf 'bulk %d %0300d\n' "$i" 0; done >"$blob"
	cp "$blob" "$G/bulk"
	fill
	succeeds rm "$G/bulk"
	[ ! -e "$DB.reserve" ]
	daemon_serving
	# the sweep (every 10 s) makes it again once the disk has room: a
	# 16th of the 64 MiB disk, at most 1 MiB
	mount -o remount,size=64m "$FS"
	want=$((1024 * 1024))
	local deadline=$((SECONDS + 30))
	until [ "$(stat -c %s "$DB.reserve" 2>/dev/null)" = "$want" ]; do
		if ((SECONDS >= deadline)); then
			echo "no reserve of $want bytes 30 s after room was made:"
			ls -l "$FS"
			return 1
		fi
		sleep 0.5
	done
	acknowledged_intact
	daemon_serving
}
