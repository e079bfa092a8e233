#!/usr/bin/env bats
# Everything lives in the one database file: stop the daemon, start it
# again on the same --db, and the tree is as it was (SPEC 1, 3, 10).

load helpers

setup() {
	monfs_paths
	mount_monfs
	NS="$MNT/metrics/Keep"
	M="$NS/m"
	mkdir "$NS"
	T=$(($(date +%s) / 300 * 300 - 1200))
}

teardown() {
	stop_all_daemons
}

@test "data survives an unmount and a remount" {
	local text json
	write_to "$M" '10 %s\n70 %s\n40 %s\n5 %s\n' "$T" "$T" "$T" $((T + 120))
	text=$(cat "$(window "$M" "$T" $((T + 300)))")
	json=$(cat "$(window "$M" "$T" $((T + 300)) '&format=json')")
	assert_equal "$(rows "$(window "$M" "$T" $((T + 300)))" | cut -d' ' -f1-3)" \
		"$(iso "$T") 3 120
$(iso $((T + 120))) 1 5"
	remount
	assert_equal "$(cat "$(window "$M" "$T" $((T + 300)))")" "$text"
	assert_equal "$(cat "$(window "$M" "$T" $((T + 300)) '&format=json')")" "$json"
}

@test "namespaces, nested and empty, survive a remount" {
	mkdir -p "$MNT/metrics/AWS/EC2/Deep" "$MNT/metrics/Empty"
	touch "$MNT/metrics/AWS/top"
	remount
	assert_equal "$(ls "$MNT/metrics" | xargs)" "AWS Empty Keep"
	assert_equal "$(ls "$MNT/metrics/AWS" | xargs)" "EC2 top"
	[ -d "$MNT/metrics/AWS/EC2/Deep" ]
	[ -f "$MNT/metrics/AWS/top" ]
	assert_equal "$(ls -A "$MNT/metrics/Empty")" ""
}

@test "a metric without data survives a remount" {
	touch "$M"
	remount
	[ -f "$M" ]
	assert_no_data "$M"
}

@test "the unit survives a remount" {
	write_to "$M" '1 %s\n' "$T"
	setfattr -n user.unit -v Percent "$M"
	remount
	assert_equal "$(getfattr --absolute-names -n user.unit --only-values "$M")" "Percent"
	json_check "$(cat "$(window "$M" "$T" $((T + 60)) '&format=json')")" '.Datapoints[0].Unit == "Percent"'
}

@test "sub-minute data survives a remount" {
	local s
	s=$(minutes_ago 5)
	write_to "$M" '1 %s\n2 %s\n' "$s" $((s + 1))
	remount
	assert_equal "$(rows "$(window "$M" "$s" $((s + 60)) '&period=1')" | cut -d' ' -f1-3)" \
		"$(iso "$s") 1 1
$(iso $((s + 1))) 1 2"
}

@test "a deleted metric and a removed namespace stay gone after a remount" {
	mkdir "$MNT/metrics/Gone"
	write_to "$MNT/metrics/Gone/x" '1 %s\n' "$T"
	write_to "$M" '2 %s\n' "$T"
	write_to "$NS/other" '3 %s\n' "$T"
	rm "$M"
	rm -r "$MNT/metrics/Gone"
	remount
	[ ! -e "$M" ]
	[ ! -e "$MNT/metrics/Gone" ]
	assert_equal "$(ls "$NS")" "other"
	touch "$M"
	assert_no_data "$(window "$M" "$T" $((T + 60)))"
}

@test "data written across several restarts adds up" {
	local i
	for i in 1 2 3; do
		write_to "$M" '%s %s\n' "$i" "$T"
		remount
	done
	assert_equal "$(rows "$(window "$M" "$T" $((T + 60)))" | cut -d' ' -f1-6)" \
		"$(iso "$T") 3 6 2 1 3"
}

@test "a write acknowledged before the daemon is killed survives" {
	local pid deadline
	write_to "$M" '9 %s\n' "$T"
	pid=$MONFS_MAIN_PID
	kill -KILL "$pid"
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while process_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
	assert_exited "$pid"
	wait "$pid" || true
	forget_daemon "$pid"
	# auto_unmount's helper removes the dead mount; wait for it
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while mountpoint -q "$MNT" && ((SECONDS < deadline)); do sleep 0.1; done
	if mountpoint -q "$MNT"; then fusermount3 -uz "$MNT"; fi
	mount_monfs
	assert_equal "$(rows "$(window "$M" "$T" $((T + 60)))" | cut -d' ' -f1-3)" "$(iso "$T") 1 9"
}

@test "the database lock is released at unmount: a new daemon starts on it" {
	unmount_monfs
	[ -e "$DB" ]
	mount_monfs
	[ -d "$NS" ]
}
