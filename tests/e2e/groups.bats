#!/usr/bin/env bats
# groups.bats: views on a log group's path (SPEC 16): FilterLogEvents across
# its streams, interleaved by timestamp; the live tail of a group
# (StartLiveTail); Logs Insights queries (query=) checked against results
# computed here from the lines written; and the AWS response shapes of
# alarms?format=json, alarms?state= and a namespace's ?format=json.

load helpers

setup() {
	monfs_paths
	mount_monfs
	L="$MNT/logs"
	G="$L/app"
	mkdir -p "$G/deeper"
}

teardown() {
	[ -z "${TAIL_PID:-}" ] || kill "$TAIL_PID" 2>/dev/null || true
	stop_all_daemons
}

today() {
	echo "$MNT/trail/$(date -u +%F)"
}

# q QUERY: the group view of app running the Logs Insights QUERY, its
# characters percent-encoded as a path needs them.
q() {
	printf '%s?query=%s%s' "$G" "$(jq -rn --arg s "$1" '$s | @uri')" "${2:-}"
}

@test "a group view interleaves its streams by timestamp, STREAM<TAB>LINE, deeper groups left out" {
	echo one >>"$G/b"
	sleep 0.01
	echo two >>"$G/a"
	sleep 0.01
	printf 'three\nfour\n' >>"$G/b"
	echo deep >>"$G/deeper/s"
	assert_equal "$(cat "$G?since=-1h")" "$(printf 'b\tone\na\ttwo\nb\tthree\nb\tfour')"
	# An empty query is the whole group.
	assert_equal "$(cat "$G?")" "$(cat "$G?since=-1h")"
	! grep -q deep <(cat "$G?")
}

@test "ties in time go by stream name, then the order written; JSON lines are FilteredLogEvents" {
	for i in $(seq 1 30); do
		printf 'z%d\n' "$i" >>"$G/z"
		printf 'y%d\n' "$i" >>"$G/y"
		printf 'x%d\nx%d-b\n' "$i" "$i" >>"$G/x"
	done
	cat "$G?format=json" >"$BATS_TEST_TMPDIR/json"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/json")" 120
	jq -e -s 'all(.[]; keys_unsorted == ["logStreamName", "timestamp", "message", "ingestionTime", "eventId"])' \
		"$BATS_TEST_TMPDIR/json" >/dev/null
	# Sorted by (timestamp, stream), each stream in the order written.
	jq -e -s '(map([.timestamp, .logStreamName]) | . == sort)' "$BATS_TEST_TMPDIR/json" >/dev/null
	for s in x y z; do
		assert_equal "$(jq -r "select(.logStreamName == \"$s\") | .message" "$BATS_TEST_TMPDIR/json")" \
			"$(cat "$G/$s")"
	done
	assert_equal "$(jq -r .eventId "$BATS_TEST_TMPDIR/json" | sort -u | wc -l)" 120
}

@test "filter, since and until apply across the streams" {
	echo "ERROR early" >>"$G/a"
	sleep 1.1
	mid=$(date +%s)
	sleep 0.1
	echo "ok" >>"$G/a"
	echo "ERROR late" >>"$G/b"
	assert_equal "$(cat "$G?filter=ERROR")" "$(printf 'a\tERROR early\nb\tERROR late')"
	assert_equal "$(cat "$G?since=$mid")" "$(printf 'a\tok\nb\tERROR late')"
	assert_equal "$(cat "$G?until=$mid")" "$(printf 'a\tERROR early')"
	fails_with "Invalid argument" cat "$G?filter=ERROR&query=fields%20%40message"
	fails_with "Invalid argument" cat "$G?period=60"
	fails_with "No such file or directory" cat "$L/none?filter=x"
}

@test "tail -f on a group view follows every stream within 2 s, a stream made during the tail too" {
	echo before >>"$G/a"
	tail -n 0 -f "$G?" >"$BATS_TEST_TMPDIR/tail" &
	TAIL_PID=$!
	sleep 1
	echo "to a" >>"$G/a"
	echo "to b" >>"$G/b"
	echo "to c" >>"$G/c"
	eventually 10 "grep -q 'to c' '$BATS_TEST_TMPDIR/tail'"
	echo "to new" >>"$G/new"
	eventually 10 "grep -q 'to new' '$BATS_TEST_TMPDIR/tail'"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/tail")" "$(printf 'a\tto a\nb\tto b\nc\tto c\nnew\tto new')"
}

@test "fstat on an open group view reports the bytes rendered so far, and grows" {
	echo first >>"$G/a"
	run python3 -c '
import os, sys
fd = os.open(sys.argv[1], os.O_RDONLY)
before = os.fstat(fd).st_size
open(sys.argv[2], "a").write("second\n")
after = os.fstat(fd).st_size
data = os.read(fd, 4096)
print(before, after, len(data))
' "$G?" "$G/b"
	assert_equal "$output" "8 17 17"
}

@test "query=: fields, filter, stats count/sum/avg/min/max/pct by a field, sort, limit, against the lines written" {
	: >"$BATS_TEST_TMPDIR/ms"
	for i in $(seq 1 40); do
		ms=$((i * 7 % 101))
		level=info
		[ $((i % 4)) = 0 ] && level=error
		printf '{"level":"%s","req":{"ms":%d},"path":"/p%d"}\n' "$level" "$ms" $((i % 3)) >>"$G/s$((i % 2))"
		echo "$level $ms" >>"$BATS_TEST_TMPDIR/ms"
	done
	# count by level
	run cat "$(q 'stats count(*) as n by level | sort level asc')"
	assert_equal "$(squeeze <<<"$output")" "$(printf 'level n\nerror 10\ninfo 30')"
	# sum, avg, min, max and p90 (nearest rank) of req.ms
	sum=$(awk '{ s += $2 } END { print s }' "$BATS_TEST_TMPDIR/ms")
	min=$(awk '{ print $2 }' "$BATS_TEST_TMPDIR/ms" | sort -n | head -n 1)
	max=$(awk '{ print $2 }' "$BATS_TEST_TMPDIR/ms" | sort -n | tail -n 1)
	p90=$(awk '{ print $2 }' "$BATS_TEST_TMPDIR/ms" | sort -n | sed -n 36p) # ceil(0.9 * 40)
	run cat "$(q 'stats sum(req.ms) as s, avg(req.ms) as a, min(req.ms) as lo, max(req.ms) as hi, pct(req.ms, 90) as p90' '&format=json')"
	json_check "$output" ".status == \"Complete\" and .statistics.recordsMatched == 40 and .statistics.recordsScanned == 40"
	json_check "$output" "[.results[0][] | {(.field): .value}] | add | .s == \"$sum\" and .lo == \"$min\" and .hi == \"$max\" and .p90 == \"$p90\""
	json_check "$output" "[.results[0][] | {(.field): .value}] | add | (.a | tonumber) == ($sum / 40)"
	# filter, fields, sort, limit
	top=$(awk '$1 == "error" { print $2 }' "$BATS_TEST_TMPDIR/ms" | sort -rn | head -n 3 | paste -sd' ')
	run cat "$(q 'filter level = "error" | fields req.ms as ms | sort ms desc | limit 3')"
	assert_equal "$(sed 1d <<<"$output" | squeeze | paste -sd' ')" "$top"
	# dedup and display
	run cat "$(q 'fields path | sort path asc | dedup path')"
	assert_equal "$(squeeze <<<"$output")" "$(printf 'path\n/p0\n/p1\n/p2')"
}

@test "query=: parse, bins of 5 minutes, @logStream and @message, and the default order" {
	for i in 1 2 3; do
		echo "user=u$i action=login" >>"$G/auth"
	done
	echo "user=u1 action=logout" >>"$G/auth"
	run cat "$(q 'parse @message "user=* action=*" as user, action | filter action = "login" | stats count(*) as n by @logStream')"
	assert_equal "$(squeeze <<<"$output")" "$(printf '@logStream n\nauth 3')"
	run cat "$(q 'parse @message /user=(?<u>\w+) action=(?<a>\w+)/ | stats count_distinct(u) as users')"
	assert_equal "$(sed 1d <<<"$output" | squeeze)" 3
	# bin(5m): every event of this minute in the bin its minute starts.
	now=$(date +%s)
	bin=$(date -u -d "@$((now / 300 * 300))" '+%Y-%m-%d %H:%M:%S.000')
	run cat "$(q 'stats count(*) as n by bin(5m) as t')"
	# (a 5-minute boundary between the writes and the query splits it)
	grep -q "^$bin " <<<"$output" || [ $(($(date +%s) / 300)) != $((now / 300)) ]
	# No sort: newest first, @timestamp and @message.
	run cat "$(q 'limit 2')"
	assert_equal "$(head -n 1 <<<"$output" | squeeze)" "@timestamp @message"
	assert_equal "$(sed -n 2p <<<"$output" | squeeze | cut -d' ' -f3-)" "user=u1 action=logout"
}

@test "a bad query is EINVAL with the position on the trail; limit over 10,000, SOURCE, unknown functions too" {
	echo x >>"$G/a"
	fails_with "Invalid argument" cat "$(q 'stats count(* by level')"
	grep -q '"eventName":"StartQuery".*"errorMessage":"[^"]*position [0-9]' "$(today)"
	fails_with "Invalid argument" cat "$(q 'fields @message | limit 10001')"
	fails_with "Invalid argument" cat "$(q 'fields nosuch(@message)')"
	fails_with "Invalid argument" cat "$(q "SOURCE 'other' | fields @message")"
	fails_with "Invalid argument" cat "$(q 'frobnicate')"
}

@test "a group the reader may not read: EACCES; its streams a reader may not read are left out" {
	let_others_in
	stop_all_daemons
	mount_monfs -o allow_other
	mkdir -p "$G" "$L/private"
	echo open >>"$G/a"
	echo secret >>"$G/b"
	chmod 600 "$G/b"
	echo hidden >>"$L/private/s"
	chmod 700 "$L/private"
	run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$G?"
	assert_equal "$output" "$(printf 'a\topen')"
	fails_with "Permission denied" setpriv --reuid=65534 --regid=65534 --clear-groups cat "$L/private?"
	fails_with "Permission denied" setpriv --reuid=65534 --regid=65534 --clear-groups cat "$L/private?query=fields%20%40message"
}

@test "a view name over 1,024 bytes is ENAMETOOLONG" {
	long=$(printf 'x%.0s' $(seq 1 1100))
	fails_with "File name too long" cat "$G?filter=$long"
	# 1,024 bytes is still a name.
	short=$(printf 'x%.0s' $(seq 1 $((1024 - 11))))
	run cat "$G?filter=$short"
	[ "$status" -eq 0 ]
}

@test "alarms?format=json is DescribeAlarms' response; alarms?state=S lists those in S" {
	mkdir -p "$MNT/metrics/App"
	/bin/printf '%s\n' "metric = App/quiet" "statistic = maximum" "period = 60" \
		"comparison = >" "threshold = 1" "treat_missing_data = breaching" >"$MNT/alarms/down"
	/bin/printf '%s\n' "metric = App/quiet" "statistic = maximum" "period = 60" \
		"comparison = >" "threshold = 1" "treat_missing_data = notBreaching" >"$MNT/alarms/fine"
	echo 'rule = ALARM(down) OR ALARM(fine)' >"$MNT/alarms/either"
	eventually 20 "grep -q '^state = ALARM' '$MNT/alarms/down'"
	eventually 20 "grep -q '^state = ALARM' '$MNT/alarms/either'"
	run cat "$MNT/alarms?format=json"
	json_check "$output" '[.MetricAlarms[].AlarmName] == ["down", "fine"] and [.CompositeAlarms[].AlarmName] == ["either"]'
	json_check "$output" '.MetricAlarms[0].StateValue == "ALARM" and .MetricAlarms[1].StateValue == "OK"'
	assert_equal "$(cat "$MNT/alarms?state=ALARM")" "$(printf 'down ALARM\neither ALARM')"
	assert_equal "$(cat "$MNT/alarms?state=OK")" "fine OK"
	json_check "$(cat "$MNT/alarms?state=OK&format=json")" '[.MetricAlarms[].AlarmName] == ["fine"] and .CompositeAlarms == []'
	fails_with "Invalid argument" cat "$MNT/alarms?state=BAD"
	! ls "$MNT" | grep -q '?'
}

@test "a namespace's ?format=json is ListMetrics' response for it and below" {
	M="$MNT/metrics"
	mkdir -p "$M/AWS/EC2/InstanceId=i-1" "$M/AWS/EC2/Sub"
	echo 1 >"$M/AWS/EC2/CPU"
	echo 1 >"$M/AWS/EC2/InstanceId=i-1/CPU"
	echo 1 >"$M/AWS/EC2/Sub/x"
	echo 1 >"$M/AWS/top"
	run cat "$M/AWS/EC2?format=json"
	json_check "$output" '.Metrics | length == 3'
	json_check "$output" '.Metrics | map(select(.MetricName == "CPU" and .Namespace == "AWS/EC2")) | length == 2'
	json_check "$output" '.Metrics | map(select(.Dimensions == [{"Name":"InstanceId","Value":"i-1"}])) | length == 1'
	json_check "$output" '.Metrics | map(select(.Namespace == "AWS/EC2/Sub" and .MetricName == "x" and (has("Dimensions") | not))) | length == 1'
	json_check "$(cat "$M/AWS?format=json")" '.Metrics | length == 4'
}
