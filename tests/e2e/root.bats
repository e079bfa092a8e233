#!/usr/bin/env bats
# The daemon and its options (SPEC 1), the root of the tree, and names
# (SPEC 2), driven with the shell tools users type.

load helpers

setup() {
	monfs_paths
	mount_monfs
	NS="$MNT/metrics/Names"
	mkdir "$NS"
}

teardown() {
	stop_all_daemons
}

# a string of N copies of the character C
repeat() {
	local s
	printf -v s '%*s' "$2" ''
	echo "${s// /$1}"
}

# ---------------------------------------------------------------------------
# The root

@test "the root holds exactly metrics logs alarms filters trail events rules dashboards" {
	run ls -A "$MNT"
	[ "$status" -eq 0 ]
	assert_equal "$(echo $output)" "alarms dashboards events filters logs metrics rules trail"
	for d in metrics logs alarms filters trail events rules dashboards; do
		[ -d "$MNT/$d" ]
	done
}

@test "mkdir at the root is refused with EPERM" {
	fails_with "Operation not permitted" mkdir "$MNT/extra"
	[ ! -e "$MNT/extra" ]
	assert_equal "$(ls -A "$MNT" | xargs)" "alarms dashboards events filters logs metrics rules trail"
}

@test "touch at the root is refused with EPERM" {
	fails_with "Operation not permitted" touch "$MNT/extra"
	fails_with "Operation not permitted" write_to "$MNT/extra2" 'hello\n'
	[ ! -e "$MNT/extra" ]
	[ ! -e "$MNT/extra2" ]
	assert_equal "$(ls -A "$MNT" | xargs)" "alarms dashboards events filters logs metrics rules trail"
}

@test "nothing else can be made at the root: mkfifo, ln -s, mknod" {
	fails_with "Operation not permitted" mkfifo "$MNT/fifo"
	fails_with "Operation not permitted" ln -s metrics "$MNT/link"
	fails_with "Operation not permitted" mknod "$MNT/null" c 1 3
	assert_equal "$(ls -A "$MNT" | xargs)" "alarms dashboards events filters logs metrics rules trail"
}

@test "the top directories cannot be removed or renamed" {
	run rmdir "$MNT/metrics"
	[ "$status" -ne 0 ]
	fails_with "Operation not permitted" mv "$MNT/logs" "$MNT/logs2"
	assert_equal "$(ls -A "$MNT" | xargs)" "alarms dashboards events filters logs metrics rules trail"
}

@test "metrics logs alarms filters rules dashboards are mode 1777 like /tmp" {
	for d in metrics logs alarms filters rules dashboards; do
		assert_equal "$(stat -c '%A %a' "$MNT/$d")" "drwxrwxrwt 1777"
	done
}

@test "trail is root's, mode 0755" {
	assert_equal "$(stat -c '%A %a %U' "$MNT/trail")" "drwxr-xr-x 755 root"
}

@test "a file directly in metrics/, without a namespace, is refused with EPERM" {
	fails_with "Operation not permitted" touch "$MNT/metrics/x"
	fails_with "Operation not permitted" write_to "$MNT/metrics/y" '1\n'
	[ ! -e "$MNT/metrics/x" ]
	[ ! -e "$MNT/metrics/y" ]
	assert_equal "$(ls -A "$MNT/metrics")" "Names"
}

@test "nothing can be made under trail/: touch and mkdir fail with EPERM" {
	fails_with "Operation not permitted" touch "$MNT/trail/x"
	fails_with "Operation not permitted" mkdir "$MNT/trail/d"
	fails_with "Operation not permitted" touch "$MNT/trail/2026-01-01"
	[ ! -e "$MNT/trail/x" ]
	[ ! -e "$MNT/trail/d" ]
}

# ---------------------------------------------------------------------------
# Names (SPEC 2)

@test "a 255-byte namespace and a 255-byte metric name are accepted" {
	local long
	long=$(repeat n 255)
	succeeds mkdir "$MNT/metrics/$long"
	[ -d "$MNT/metrics/$long" ]
	long=$(repeat m 255)
	succeeds touch "$NS/$long"
	[ -f "$NS/$long" ]
	assert_equal "$(ls "$NS")" "$long"
}

@test "a 256-byte name is refused with ENAMETOOLONG" {
	local long
	long=$(repeat x 256)
	fails_with "File name too long" mkdir "$MNT/metrics/$long"
	fails_with "File name too long" mkdir "$NS/$long"
	fails_with "File name too long" touch "$NS/$long"
	fails_with "File name too long" write_to "$NS/$long" '1\n'
	assert_equal "$(ls -A "$MNT/metrics")" "Names"
	assert_equal "$(ls -A "$NS")" ""
}

@test "name lengths count bytes, not characters" {
	local e85 e86
	e85=$(repeat é 85)
	e86=$(repeat é 86)
	[ "$(printf %s "$e85" | wc -c)" -eq 170 ]
	local w85 w86
	w85=$(repeat 温 85)
	w86=$(repeat 温 86)
	succeeds touch "$NS/$w85"
	fails_with "File name too long" touch "$NS/$w86"
	fails_with "File name too long" mkdir "$NS/$w86"
	assert_equal "$(ls "$NS")" "$w85"
}

@test "a whole namespace of exactly 255 bytes is accepted" {
	local a b
	a=$(repeat a 127)
	b=$(repeat b 127)
	succeeds mkdir -p "$MNT/metrics/$a/$b"
	[ -d "$MNT/metrics/$a/$b" ]
	succeeds touch "$MNT/metrics/$a/$b/m"
	[ -f "$MNT/metrics/$a/$b/m" ]
}

@test "a whole namespace over 255 bytes is refused with ENAMETOOLONG" {
	local a b c
	a=$(repeat a 100)
	b=$(repeat b 100)
	c=$(repeat c 100)
	fails_with "File name too long" mkdir -p "$MNT/metrics/$a/$b/$c"
	[ -d "$MNT/metrics/$a/$b" ]
	[ ! -e "$MNT/metrics/$a/$b/$c" ]
	assert_equal "$(ls -A "$MNT/metrics/$a/$b")" ""
	# 100 + "/" + 155 = 256 bytes
	fails_with "File name too long" mkdir "$MNT/metrics/$a/$(repeat d 155)"
	[ ! -e "$MNT/metrics/$a/$(repeat d 155)" ]
}

@test "a name starting with . is refused with EINVAL" {
	fails_with "Invalid argument" mkdir "$MNT/metrics/.hidden"
	fails_with "Invalid argument" mkdir "$NS/.sub"
	fails_with "Invalid argument" touch "$NS/.metric"
	fails_with "Invalid argument" write_to "$NS/.m2" '1\n'
	assert_equal "$(ls -A "$MNT/metrics")" "Names"
	assert_equal "$(ls -A "$NS")" ""
}

@test "a name with a control character is refused with EINVAL" {
	local c
	for c in $'\x01' $'\t' $'\n' $'\x1f' $'\x7f'; do
		fails_with "Invalid argument" mkdir "$MNT/metrics/a${c}b"
		fails_with "Invalid argument" touch "$NS/m${c}x"
	done
	fails_with "Invalid argument" write_to "$NS/w"$'\x02' '1\n'
	assert_equal "$(ls -A "$MNT/metrics")" "Names"
	assert_equal "$(ls -A "$NS")" ""
}

@test "a namespace name with ? is refused with EINVAL" {
	fails_with "Invalid argument" mkdir "$MNT/metrics/a?b"
	fails_with "Invalid argument" mkdir "$NS/why?"
	assert_equal "$(ls -A "$MNT/metrics")" "Names"
	assert_equal "$(ls -A "$NS")" ""
}

@test "a name that is not UTF-8 is refused with EINVAL" {
	fails_with "Invalid argument" mkdir "$MNT/metrics/bad"$'\xff'
	fails_with "Invalid argument" touch "$NS/bad"$'\xc3\x28'
	assert_equal "$(ls -A "$MNT/metrics")" "Names"
	assert_equal "$(ls -A "$NS")" ""
}

@test "UTF-8 names are accepted" {
	succeeds mkdir "$MNT/metrics/Zürich"
	succeeds touch "$MNT/metrics/Zürich/温度"
	[ -f "$MNT/metrics/Zürich/温度" ]
	assert_equal "$(ls "$MNT/metrics/Zürich")" "温度"
}

@test "names with blanks and punctuation are accepted" {
	succeeds mkdir "$MNT/metrics/My App"
	succeeds touch "$MNT/metrics/My App/Disk Used %" "$MNT/metrics/My App/a+b,c;d"
	assert_equal "$(ls "$MNT/metrics/My App" | sort)" "Disk Used %
a+b,c;d"
	# '=' makes a component a dimension (SPEC 11): no metric name holds one
	fails_with "Invalid argument" touch "$MNT/metrics/My App/a=b,c;d"
	assert_equal "$(ls "$MNT/metrics/My App" | wc -l)" 2
}

@test "mv of a metric or a namespace is refused with EPERM" {
	local ts
	ts=$(minutes_ago 10)
	write_to "$NS/m" '5 %s\n' "$ts"
	mkdir "$NS/sub"
	fails_with "Operation not permitted" mv "$NS/m" "$NS/renamed"
	fails_with "Operation not permitted" mv "$NS/sub" "$NS/sub2"
	fails_with "Operation not permitted" mv "$NS" "$MNT/metrics/Other"
	assert_equal "$(ls "$NS" | xargs)" "m sub"
	assert_rows "$(window "$NS/m" "$ts" $((ts + 60)))" "$(iso "$ts") 1 5 5 5 5 5 5 5"
}

@test "ln and ln -s are refused with EPERM in metrics/" {
	touch "$NS/m"
	fails_with "Operation not permitted" ln "$NS/m" "$NS/hard"
	fails_with "Operation not permitted" ln -s m "$NS/soft"
	fails_with "Operation not permitted" ln -s "$NS" "$MNT/metrics/soft"
	assert_equal "$(ls -A "$NS")" "m"
	assert_equal "$(ls -A "$MNT/metrics")" "Names"
}

@test "mkfifo and mknod are refused with EPERM in metrics/" {
	fails_with "Operation not permitted" mkfifo "$NS/fifo"
	fails_with "Operation not permitted" mknod "$NS/null" c 1 3
	fails_with "Operation not permitted" mknod "$NS/pipe" p
	assert_equal "$(ls -A "$NS")" ""
}

# ---------------------------------------------------------------------------
# The daemon and its options (SPEC 1)

@test "monfs --version exits 0 and prints a version" {
	run_monfs_to_exit -- --version
	[ "$status" -eq 0 ]
	[ -n "$output" ]
}

@test "monfs --help exits 0 and describes the options" {
	run_monfs_to_exit -- --help
	[ "$status" -eq 0 ]
	assert_contains "$output" "--db"
}

@test "without a mount point monfs exits non-zero and says so" {
	run_monfs_to_exit -- --db "$BATS_TEST_TMPDIR/x.db"
	[ "$status" -ne 0 ]
	[ "$status" -ne 255 ]
	[ -n "$output" ]
}

@test "an unknown option refuses to start" {
	mkdir -p "$BATS_TEST_TMPDIR/mnt2"
	run_monfs_to_exit "$BATS_TEST_TMPDIR/mnt2" -- -f --no-such-option --db "$BATS_TEST_TMPDIR/x.db" "$BATS_TEST_TMPDIR/mnt2"
	[ "$status" -ne 0 ]
	[ "$status" -ne 255 ]
	assert_not_mounted "$BATS_TEST_TMPDIR/mnt2"
}

@test "a mount point that already holds a mount is refused with a message, status 1" {
	# $MNT holds this test's monfs: a second daemon must not stack on it
	run_monfs_to_exit "$MNT" -- -f --db "$BATS_TEST_TMPDIR/second.db" "$MNT"
	[ "$status" -eq 1 ]
	assert_contains "$output" "already a mount point"
	# the first mount still answers, and only one monfs is mounted there
	succeeds ls "$MNT/metrics"
	assert_equal "$(awk -v m="$MNT" '$5 == m' /proc/self/mountinfo | wc -l)" 1
}

@test "a mount point that holds another filesystem is refused too" {
	local mnt2="$BATS_TEST_TMPDIR/on tmpfs"
	mkdir -p "$mnt2"
	mount -t tmpfs -o size=1m none "$mnt2"
	run_monfs_to_exit "$mnt2" -- -f --db "$BATS_TEST_TMPDIR/x.db" "$mnt2"
	umount "$mnt2"
	[ "$status" -eq 1 ]
	assert_contains "$output" "already a mount point"
}

@test "a sqlite database of another application is refused, and left as it was" {
	local other="$BATS_TEST_TMPDIR/other.db" mnt2="$BATS_TEST_TMPDIR/mnt2"
	mkdir -p "$mnt2"
	sqlite3 "$other" "CREATE TABLE customers (id INTEGER); INSERT INTO customers VALUES (7)"
	run_monfs_to_exit "$mnt2" -- -f --db "$other" "$mnt2"
	[ "$status" -eq 1 ]
	assert_contains "$output" "not a monfs database"
	assert_not_mounted "$mnt2"
	assert_equal "$(sqlite3 "$other" .tables)" "customers"
	assert_equal "$(sqlite3 "$other" 'PRAGMA journal_mode')" "delete"
}

@test "after fusermount3 -u the foreground daemon exits with status 0" {
	unmount_monfs
	assert_equal "$DAEMON_STATUS" 0
	assert_not_mounted "$MNT"
}

@test "SIGINT unmounts the foreground daemon cleanly" {
	local pid deadline
	touch "$NS/kept"
	pid=$MONFS_MAIN_PID
	kill -INT "$pid"
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while process_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
	assert_exited "$pid"
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while mountpoint -q "$MNT" && ((SECONDS < deadline)); do sleep 0.1; done
	assert_not_mounted "$MNT"
	forget_daemon "$pid"
	wait "$pid" || true
	mount_monfs
	[ -f "$NS/kept" ]
}

@test "without -f monfs forks into the background and serves the mount" {
	local mnt2="$BATS_TEST_TMPDIR/mnt2" db2="$BATS_TEST_TMPDIR/bg.db" deadline
	mkdir -p "$mnt2"
	run_monfs_to_exit "$mnt2" -- --db "$db2" "$mnt2"
	[ "$status" -eq 0 ]
	deadline=$((SECONDS + MOUNT_DEADLINE_S))
	until mountpoint -q "$mnt2" || ((SECONDS >= deadline)); do sleep 0.1; done
	mountpoint -q "$mnt2"
	succeeds mkdir "$mnt2/metrics/Bg"
	succeeds touch "$mnt2/metrics/Bg/m"
	[ -f "$mnt2/metrics/Bg/m" ]
	fusermount3 -u "$mnt2"
	assert_not_mounted "$mnt2"
	# the daemon exits once unmounted: wait for it, so none outlives the test
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while grep -qsF -- "$mnt2" /proc/[0-9]*/cmdline && ((SECONDS < deadline)); do sleep 0.1; done
	if grep -lsF -- "$mnt2" /proc/[0-9]*/cmdline; then
		echo "a daemon for $mnt2 still runs after unmounting"
		false
	fi
}

@test "a relative --db is relative to where monfs was started, also in the background" {
	local mnt2="$BATS_TEST_TMPDIR/mnt2" deadline
	mkdir -p "$mnt2" "$BATS_TEST_TMPDIR/here"
	cd "$BATS_TEST_TMPDIR/here"
	run_monfs_to_exit "$mnt2" -- --db rel.db ../mnt2
	[ "$status" -eq 0 ]
	deadline=$((SECONDS + MOUNT_DEADLINE_S))
	until mountpoint -q "$mnt2" || ((SECONDS >= deadline)); do sleep 0.1; done
	succeeds mkdir "$mnt2/metrics/Rel"
	fusermount3 -u "$mnt2"
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while grep -qsF -- "../mnt2" /proc/[0-9]*/cmdline && ((SECONDS < deadline)); do sleep 0.1; done
	[ -s "$BATS_TEST_TMPDIR/here/rel.db" ]
	unmount_monfs
	start_daemon "$MNT" --db "$BATS_TEST_TMPDIR/here/rel.db" "$MNT"
	[ -d "$MNT/metrics/Rel" ]
}

@test "SIGTERM unmounts the foreground daemon cleanly" {
	local ts pid deadline
	ts=$(minutes_ago 10)
	write_to "$NS/m" '3 %s\n' "$ts"
	pid=$MONFS_MAIN_PID
	kill -TERM "$pid"
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while process_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
	assert_exited "$pid"
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while mountpoint -q "$MNT" && ((SECONDS < deadline)); do sleep 0.1; done
	assert_not_mounted "$MNT"
	forget_daemon "$pid"
	wait "$pid" || true
	mount_monfs
	assert_rows "$(window "$NS/m" "$ts" $((ts + 60)))" "$(iso "$ts") 1 3 3 3 3 3 3 3"
}

@test "a SOURCE word before the mount point is accepted and ignored" {
	local ts
	unmount_monfs
	start_daemon "$MNT" --db "$DB" monfs "$MNT"
	ts=$(minutes_ago 10)
	succeeds write_to "$NS/m" '7 %s\n' "$ts"
	assert_rows "$(window "$NS/m" "$ts" $((ts + 60)))" "$(iso "$ts") 1 7 7 7 7 7 7 7"
}

@test "-o db=FILE names the database" {
	local ts other="$BATS_TEST_TMPDIR/other.db"
	ts=$(minutes_ago 10)
	unmount_monfs
	start_daemon "$MNT" -o "db=$other" "$MNT"
	[ ! -d "$NS" ]
	mkdir "$MNT/metrics/Other"
	write_to "$MNT/metrics/Other/m" '9 %s\n' "$ts"
	stop_daemon "$MNT" "$MONFS_PID"
	[ -s "$other" ]
	start_daemon "$MNT" --db "$other" "$MNT"
	assert_equal "$(ls "$MNT/metrics")" "Other"
	assert_rows "$(window "$MNT/metrics/Other/m" "$ts" $((ts + 60)))" "$(iso "$ts") 1 9 9 9 9 9 9 9"
}

@test "every long option is accepted" {
	unmount_monfs
	start_daemon "$MNT" --db "$DB" --region eu-west-1 --host web-1 \
		--trail-days 30 --trail-reads --trail-group root "$MNT"
	[ -d "$NS" ]
	succeeds touch "$NS/m"
	[ -f "$NS/m" ]
}

@test "every option has a -o form" {
	unmount_monfs
	start_daemon "$MNT" -o "db=$DB,region=eu-west-1,host=web-1,trail_days=30,trail_reads,trail_group=root" "$MNT"
	[ -d "$NS" ]
	succeeds touch "$NS/m"
	[ -f "$NS/m" ]
}

@test "MONFS_DB names the database when --db is not given" {
	local ts env_db="$BATS_TEST_TMPDIR/env.db"
	ts=$(minutes_ago 10)
	unmount_monfs
	MONFS_DAEMON_ENV=("MONFS_DB=$env_db")
	start_daemon "$MNT" "$MNT"
	MONFS_DAEMON_ENV=()
	mkdir "$MNT/metrics/FromEnv"
	write_to "$MNT/metrics/FromEnv/m" '4 %s\n' "$ts"
	stop_daemon "$MNT" "$MONFS_PID"
	[ -s "$env_db" ]
	start_daemon "$MNT" --db "$env_db" "$MNT"
	assert_equal "$(ls "$MNT/metrics")" "FromEnv"
	assert_rows "$(window "$MNT/metrics/FromEnv/m" "$ts" $((ts + 60)))" "$(iso "$ts") 1 4 4 4 4 4 4 4"
}

@test "a second daemon on the same database refuses to start and names the first's pid" {
	local mnt2="$BATS_TEST_TMPDIR/mnt2" ts
	mkdir -p "$mnt2"
	run_monfs_to_exit "$mnt2" -- -f -o auto_unmount --db "$DB" "$mnt2"
	[ "$status" -ne 0 ]
	[ "$status" -ne 255 ]
	assert_not_mounted "$mnt2"
	if ! grep -qw -- "$MONFS_MAIN_PID" <<<"$output"; then
		echo "expected the first daemon's pid $MONFS_MAIN_PID in: $output"
		false
	fi
	# the first daemon keeps serving
	ts=$(minutes_ago 10)
	succeeds write_to "$NS/m" '2 %s\n' "$ts"
	assert_rows "$(window "$NS/m" "$ts" $((ts + 60)))" "$(iso "$ts") 1 2 2 2 2 2 2 2"
}

@test "a second daemon in the background on the same database also refuses" {
	local mnt2="$BATS_TEST_TMPDIR/mnt2"
	mkdir -p "$mnt2"
	run_monfs_to_exit "$mnt2" -- -o auto_unmount --db "$DB" "$mnt2"
	[ "$status" -ne 0 ]
	[ "$status" -ne 255 ]
	assert_not_mounted "$mnt2"
	if ! grep -qw -- "$MONFS_MAIN_PID" <<<"$output"; then
		echo "expected the first daemon's pid $MONFS_MAIN_PID in: $output"
		false
	fi
}
