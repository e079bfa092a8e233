#!/usr/bin/env bats
# Removing what is open (SPEC 10): a stream removed while a process holds
# it open — by rm, or by rm -r of its group — stays whole for that process
# until it closes: every byte that was there when it opened is read, or
# the read fails with an error, never an early end of file. The name goes
# at once (a new stream or group of that name can be made meanwhile), and
# the bytes go when the last reader closes.
#
# fstat(2) of a file whose name is gone: Linux sends it to the daemon
# without the open file's handle, and libfuse's high-level API, which
# finds files by path, answers "Stale file handle" (ESTALE) before monfs
# sees it. Tools that fstat their input before reading it (cat, cp, tail,
# grep) therefore fail loudly on a descriptor opened before the removal
# and first used after it; those that had begun read to the end; and
# dd, head, sed, awk, perl and python read it whole at any time. lseek to
# the end (which does reach monfs with the handle) finds the true size.
# The tests say which tool they use, and why.

load helpers

setup() {
	monfs_paths
	mount_monfs
	G="$MNT/logs/g"
	S="$G/s"
	L="$BATS_TEST_TMPDIR/local"
	GOT="$BATS_TEST_TMPDIR/got"
	BG_PIDS=()
	mkdir "$G"
}

teardown() {
	local p
	# the test shell's own descriptor on the mount, and background
	# readers, go before the unmount
	exec 7<&- || true
	for p in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	stop_all_daemons
}

# fill FILE LINES: seq-numbered lines of some width into the stream FILE
# (one cp, so a few big writes) and into $L.
fill() {
	seq -f 'line %08g of a stream that a reader holds open' "$2" >"$L"
	cp "$L" "$1"
}

# assert_same A B: the two local files hold the same bytes.
assert_same() {
	if ! cmp -s -- "$1" "$2"; then
		echo "$1 ($(wc -c <"$1") bytes) differs from $2 ($(wc -c <"$2") bytes):"
		cmp -- "$1" "$2" 2>&1 | head -n 2
		return 1
	fi
}

# reaped: no removed stream and no chunk of one is left in the database.
reaped() {
	[ "$(sqlite3 "$DB" 'SELECT count(*) FROM log_streams WHERE group_id IS NULL')" = 0 ] &&
		[ "$(sqlite3 "$DB" 'SELECT count(*) FROM log_chunks WHERE stream_id NOT IN (SELECT id FROM log_streams)')" = 0 ]
}

# hold_open FILE: a background process holding FILE open for reading,
# once it does; its pid in HOLDER (the teardown ends it).
hold_open() {
	HELD="$1"
	sleep 600 <"$HELD" 3>&- &
	HOLDER=$!
	BG_PIDS+=("$HOLDER")
	eventually 10 '[ "$(readlink "/proc/$HOLDER/fd/0")" = "$HELD" ]'
}

@test "a stream removed while open reads to its end, byte for byte" {
	fill "$S" 20000
	exec 7<"$S"
	head -c 100 <&7 >"$GOT"
	assert_equal "$(wc -c <"$GOT")" 100
	rm "$S"
	[ ! -e "$S" ]
	assert_equal "$(ls -A "$G")" ""
	# the rest, with a reader that does not fstat (see the top)
	dd status=none bs=64k <&7 >>"$GOT"
	assert_same "$GOT" "$L"
	# and at its end it stays at its end
	assert_equal "$(dd status=none <&7 | wc -c)" 0
	exec 7<&-
}

@test "a stream removed while open is read whole by dd, head, sed, awk, perl and python" {
	local tool
	fill "$S" 5000
	for tool in "dd status=none" "head -c 100000000" "sed -n p" "awk 1" "perl -pe1" \
		"python3 -c 'import os, sys; sys.stdout.buffer.write(os.read(0, 1 << 24))'"; do
		[ -e "$S" ] || cp "$L" "$S"
		exec 7<"$S"
		rm "$S"
		eval "$tool" <&7 >"$GOT"
		exec 7<&-
		assert_same "$GOT" "$L" || {
			echo "with: $tool"
			return 1
		}
	done
}

@test "a reader that began before the removal reads every byte (cat and cp into slow pipes)" {
	fill "$S" 60000
	# each reader stops in the middle, its pipe full, until the rm is done
	{ cat "$S" | { sleep 1.5; cat >"$GOT.cat"; }; } &
	BG_PIDS+=($!)
	{ cp "$S" /dev/stdout | { sleep 1.5; cat >"$GOT.cp"; }; } &
	BG_PIDS+=($!)
	sleep 0.5
	rm "$S"
	[ ! -e "$S" ]
	wait "${BG_PIDS[0]}"
	wait "${BG_PIDS[1]}"
	assert_same "$GOT.cat" "$L"
	assert_same "$GOT.cp" "$L"
	eventually 10 reaped
}

@test "cp of a multi-MB stream removed while it copies makes a whole copy" {
	local pid
	fill "$S" 150000 # 7 MB
	cp "$S" "$GOT" &
	pid=$!
	BG_PIDS+=("$pid")
	eventually 10 '[ -s "$GOT" ]'
	rm "$S"
	wait "$pid"
	assert_same "$GOT" "$L"
}

@test "lseek to the end of a removed stream finds its true size; fstat never lies" {
	fill "$S" 3000
	run python3 - "$S" <<'EOF'
import errno, os, sys
path = sys.argv[1]
fd = os.open(path, os.O_RDONLY)
size = os.fstat(fd).st_size
os.unlink(path)
assert not os.path.exists(path)
print("end", os.lseek(fd, 0, os.SEEK_END) == size)
print("pread", len(os.pread(fd, size + 100, 0)) == size)
try:
    st = os.fstat(fd)
    print("fstat", st.st_size == size and st.st_nlink == 0)
except OSError as e:
    # libfuse cannot find a removed file by path (see the top)
    print("fstat", e.errno == errno.ESTALE)
EOF
	assert_equal "$output" "$(printf 'end True\npread True\nfstat True')"
}

@test "a write to a stream removed while open fails with ENOENT; a reader's bytes stay" {
	fill "$S" 100
	exec 7<"$S"
	run perl -e 'open(my $f, ">>", $ARGV[0]) or die "open: $!";
		system("rm", "--", $ARGV[0]) == 0 or die "rm failed";
		print defined(syswrite($f, "more\n")) ? "written\n" : "E: $!\n"' "$S"
	assert_equal "$output" "E: No such file or directory"
	dd status=none <&7 >"$GOT"
	assert_same "$GOT" "$L"
}

@test "rm -r of the group while a stream is open: read whole, and the names are free meanwhile" {
	mkdir "$G/sub"
	fill "$G/sub/s" 20000
	exec 7<"$G/sub/s"
	head -c 100 <&7 >"$GOT"
	rm -r "$G"
	[ ! -e "$G" ]
	# the group and the stream are made again, and are new
	mkdir -p "$G/sub"
	echo new >"$G/sub/s"
	assert_equal "$(cat "$G/sub/s")" new
	dd status=none bs=64k <&7 >>"$GOT"
	assert_same "$GOT" "$L"
	exec 7<&-
	assert_equal "$(cat "$G/sub/s")" new
	eventually 10 reaped
}

@test "the bytes of a removed stream go at its last close, not before" {
	fill "$S" 2000
	exec 7<"$S"
	hold_open "$S"
	rm "$S"
	# two readers hold it
	run reaped
	[ "$status" -ne 0 ]
	exec 7<&-
	run reaped
	[ "$status" -ne 0 ]
	kill "$HOLDER"
	wait "$HOLDER" || true
	BG_PIDS=()
	eventually 10 reaped
	# none of users' streams: the buses' (the group named "") hold the
	# events monfs emits for the trail (store/buses.c)
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM log_chunks WHERE stream_id NOT IN
		(SELECT s.id FROM log_streams s JOIN log_groups g ON g.id = s.group_id
		 WHERE length(g.name) = 0)")" 0
}

@test "a stream view open when its stream is removed renders to the end" {
	fill "$S" 4000
	grep 7 "$L" >"$L.7"
	exec 7<"$S?filter=7"
	rm "$S"
	dd status=none <&7 >"$GOT"
	exec 7<&-
	assert_same "$GOT" "$L.7"
}

@test "a metric open when it is removed still reads what it showed at open" {
	mkdir "$MNT/metrics/NS"
	echo 5 >"$MNT/metrics/NS/m"
	cat "$MNT/metrics/NS/m" >"$L"
	exec 7<"$MNT/metrics/NS/m"
	rm "$MNT/metrics/NS/m"
	dd status=none <&7 >"$GOT"
	exec 7<&-
	assert_same "$GOT" "$L"
	[ ! -e "$MNT/metrics/NS/m" ]
}

@test "a stream removed while open is reaped after a crash, at the next start" {
	local pid=$MONFS_MAIN_PID deadline
	fill "$S" 3000
	hold_open "$S"
	rm "$S"
	run reaped
	[ "$status" -ne 0 ]
	kill -KILL "$pid"
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while process_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
	wait "$pid" || true
	forget_daemon "$pid"
	kill "$HOLDER"
	wait "$HOLDER" || true
	BG_PIDS=()
	wait_no_mount "$MNT"
	mount_monfs
	eventually 10 reaped
	[ ! -e "$S" ]
	assert_equal "$(ls -A "$G")" ""
}
