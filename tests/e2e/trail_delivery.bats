#!/usr/bin/env bats
# trail_delivery.bats: the trail beyond its day files (SPEC 14): which data
# events are recorded (--trail-data), and the trail delivered to a log
# group (--trail-log-group) where metric filters and alarms watch it as
# CloudTrail's classic alarms do.

load helpers

setup() {
	monfs_paths
}

teardown() {
	stop_all_daemons
}

day() {
	echo "$MNT/trail/$(date -u +%F)"
}

# names: the eventNames of today's records, one a line.
names() {
	jq -r .eventName "$(day)"
}

# stream: the trail's log stream of the default account and region.
stream() {
	echo "$MNT/logs/$1/000000000000_CloudTrail_local"
}

@test "by default the trail holds management events and refusals, no data events" {
	mount_monfs
	mkdir "$MNT/metrics/NS" "$MNT/logs/g"
	echo 1 >"$MNT/metrics/NS/m"
	echo line >>"$MNT/logs/g/s"
	cat "$MNT/metrics/NS/m" >/dev/null
	fails_with "Invalid argument" write_to "$MNT/metrics/NS/m" 'abc\n'
	eventually 10 "names | grep -qx PutMetricData"
	names | grep -qx CreateNamespace
	names | grep -qx CreateLogStream
	# The one PutMetricData is the refusal.
	assert_equal "$(jq -c 'select(.eventName == "PutMetricData") | .errorCode' "$(day)")" '"InvalidParameterValue"'
	! names | grep -qx PutLogEvents
	! names | grep -qx GetMetricStatistics
	jq -s -e 'map(select(.eventName == "CreateNamespace")) | length == 1 and all(.recipientAccountId == "000000000000")' "$(day)" >/dev/null
}

@test "--trail-data write records writes but not reads; all records both; -o trail_data= too" {
	mount_monfs --trail-data write
	mkdir "$MNT/metrics/NS"
	echo 1 >"$MNT/metrics/NS/m"
	cat "$MNT/metrics/NS/m" >/dev/null
	eventually 10 "names | grep -qx PutMetricData"
	! names | grep -qx GetMetricStatistics
	stop_all_daemons
	mount_monfs -o trail_data=all
	cat "$MNT/metrics/NS/m" >/dev/null
	eventually 10 "names | grep -qx GetMetricStatistics"
}

@test "a bad --trail-data value, or one that contradicts --trail-reads, refuses to start" {
	mkdir -p "$MNT"
	run_monfs_to_exit "$MNT" -- -f --db "$DB" --trail-data some "$MNT"
	assert_contains "$output" "--trail-data some: give none, write or all"
	[ "$status" -ne 0 ]
	run_monfs_to_exit "$MNT" -- -f --db "$DB" --trail-reads --trail-data none "$MNT"
	assert_contains "$output" "--trail-reads is all"
	run_monfs_to_exit "$MNT" -- -f --db "$DB" --trail-log-group 'a//b' "$MNT"
	assert_contains "$output" "--trail-log-group a//b"
	[ "$status" -ne 0 ]
}

@test "--trail-log-group: every record is also a line of GROUP/ACCOUNT_CloudTrail_REGION, byte for byte" {
	mount_monfs --trail-log-group /aws/cloudtrail
	eventually 10 "[ -f '$(stream aws/cloudtrail)' ]"
	mkdir "$MNT/metrics/NS" "$MNT/logs/app"
	echo 1 >"$MNT/metrics/NS/m"
	fails_with "Invalid argument" write_to "$MNT/metrics/NS/m" 'abc\n'
	eventually 10 "grep -q InvalidParameterValue '$(stream aws/cloudtrail)'"
	# The stream's lines are the day file's, from the stream's first on.
	first=$(head -n 1 "$(stream aws/cloudtrail)")
	assert_equal "$(grep -F -x -A 1000000 -- "$first" "$(day)")" "$(cat "$(stream aws/cloudtrail)")"
	# monfs's own appends are not recorded: no PutLogEvents for the group.
	jq -s -e 'map(select(.eventName == "PutLogEvents")) | length == 0' "$(day)" >/dev/null
	assert_equal "$(stat -c '%U %a' "$MNT/logs/aws/cloudtrail")" "root 755"
	# tail -f follows it.
	tail -n 0 -f "$(stream aws/cloudtrail)" >"$BATS_TEST_TMPDIR/tail" &
	tail_pid=$!
	sleep 0.5
	mkdir "$MNT/metrics/Later"
	eventually 10 "grep -q '\"namespace\":\"Later\"' '$BATS_TEST_TMPDIR/tail'"
	kill "$tail_pid"
}

@test "removed, the trail's stream is made again; with --trail-group it is readable by that group only" {
	getent group adm >/dev/null || skip "no group adm"
	mount_monfs --trail-log-group ct --trail-group adm
	eventually 10 "[ -f '$(stream ct)' ]"
	assert_equal "$(stat -c '%U %G %a' "$MNT/logs/ct")" "root adm 750"
	assert_equal "$(stat -c '%U %G %a' "$(stream ct)")" "root adm 640"
	rm "$(stream ct)"
	eventually 30 "[ -f '$(stream ct)' ]"
	mkdir "$MNT/metrics/After"
	eventually 10 "grep -q '\"namespace\":\"After\"' '$(stream ct)'"
}

@test "the CIS alarm on refusals, written for CloudTrail, goes to ALARM" {
	mount_monfs -o allow_other --trail-log-group cloudtrail
	let_others_in
	eventually 10 "[ -f '$(stream cloudtrail)' ]"
	cat >"$MNT/filters/unauthorized" <<'EOT'
group = cloudtrail
pattern = { ($.errorCode = "*UnauthorizedOperation") || ($.errorCode = "AccessDenied*") }
metric = CloudTrailMetrics/UnauthorizedAttemptCount
value = 1
EOT
	cat >"$MNT/alarms/unauthorized" <<'EOT'
metric = CloudTrailMetrics/UnauthorizedAttemptCount
statistic = sum
period = 10
comparison = >=
threshold = 3
evaluation_periods = 1
EOT
	mkdir -m 700 "$MNT/metrics/Private"
	for i in 1 2 3 4; do
		setpriv --reuid=65534 --regid=65534 --clear-groups mkdir "$MNT/metrics/Private/x$i" 2>/dev/null || true
	done
	eventually 10 "[ \"\$(grep -c AccessDenied '$(stream cloudtrail)')\" -ge 4 ]"
	eventually 40 "grep -q '^state = ALARM' '$MNT/alarms/unauthorized'"
}
