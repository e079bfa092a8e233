#!/usr/bin/env bats
# A fleet on one store (SPEC 17): several daemons mount one PostgreSQL
# database. This file starts its own cluster (tests/support/pg-cluster:
# initdb and pg_ctl as nobody, a Unix socket in a temporary directory),
# gives each test a database of its own, and stops the cluster at the
# end. The suites of one daemon run on PostgreSQL from tests/run-all.

load helpers

PG_CLUSTER="$BATS_TEST_DIRNAME/../support/pg-cluster"
ACTION_DEADLINE_S="${MONFS_ACTION_DEADLINE_S:-45}"

setup_file() {
	ls -d /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 ||
		skip "no PostgreSQL server (scripts/install-deps --test)"
	# nobody must reach the socket's directory: not under bats' own 0700.
	FLEET_PG=$(mktemp -d "${TMPDIR:-/tmp}/monfs-fleet-pg.XXXXXX")
	chmod 755 "$FLEET_PG"
	export FLEET_PG
	"$PG_CLUSTER" start "$FLEET_PG/c" >/dev/null
}

teardown_file() {
	[ -n "${FLEET_PG:-}" ] || return 0
	"$PG_CLUSTER" stop "$FLEET_PG/c"
	rm -rf "$FLEET_PG"
}

setup() {
	MONFS_TEST_PG="$FLEET_PG/c"
	monfs_paths
	M1="$BATS_TEST_TMPDIR/m1"
	M2="$BATS_TEST_TMPDIR/m2"
	M3="$BATS_TEST_TMPDIR/m3"
	mkdir -p "$M1" "$M2" "$M3"
}

teardown() {
	stop_all_daemons
}

# host N MOUNTPOINT [ARG...]: daemon N of the fleet, --host hostN.
host() {
	local n="$1" mnt="$2"
	shift 2
	start_daemon "$mnt" --db "$DB" --host "host$n" "$mnt" "$@"
	eval "PID$n=\$MONFS_PID"
}

# samples FILE: the samples of every period a metric's read shows.
samples() {
	awk '!/^#/ { n += $2 } END { print n + 0 }' "$1"
}

# leaders: how many times a daemon of this test took the lead.
leaders() {
	grep -c "now does the fleet's once-only work" "$LOG" || true
}

@test "a point, a line, an alarm and a dashboard written on one host are read on the other within 1 s" {
	host 1 "$M1"
	host 2 "$M2"
	mkdir "$M1/metrics/Fleet" "$M1/logs/app"
	echo 42 >"$M1/metrics/Fleet/Requests"
	echo "started on one" >>"$M1/logs/app/web"
	printf '%s\n' "metric = Fleet/Requests" "statistic = sum" "period = 60" \
		"comparison = >" "threshold = 100" >"$M1/alarms/busy"
	echo '{"widgets": []}' >"$M1/dashboards/ops"
	eventually 1 '[ "$(samples "$M2/metrics/Fleet/Requests")" = 1 ]'
	eventually 1 '[ "$(cat "$M2/logs/app/web")" = "started on one" ]'
	eventually 1 'grep -q "^threshold = 100" "$M2/alarms/busy"'
	eventually 1 '[ -e "$M2/dashboards/ops" ]'
	# and back: the second host's writes on the first
	echo 8 >"$M2/metrics/Fleet/Requests"
	eventually 1 '[ "$(samples "$M1/metrics/Fleet/Requests")" = 2 ]'
}

@test "tail -f on one host shows lines appended through another within 2 s" {
	host 1 "$M1"
	host 2 "$M2"
	mkdir "$M1/logs/app"
	echo first >>"$M1/logs/app/web"
	tail -n +1 -f "$M2/logs/app/web" >"$BATS_TEST_TMPDIR/tail.out" 2>&1 3>&- &
	local tail_pid=$!
	eventually 5 'grep -qx first "$BATS_TEST_TMPDIR/tail.out"'
	echo "second, from host one" >>"$M1/logs/app/web"
	eventually 2 'grep -qx "second, from host one" "$BATS_TEST_TMPDIR/tail.out"'
	kill "$tail_pid"
	wait "$tail_pid" 2>/dev/null || true
}

@test "one trail for the fleet: each record names its daemon's --host and --region" {
	host 1 "$M1" --region eu-west-1
	host 2 "$M2" --region us-east-1
	mkdir "$M1/metrics/One" "$M2/metrics/Two"
	local day
	day=$(date -u +%Y-%m-%d)
	eventually 2 'grep -q "\"namespace\":\"Two\"" "$M1/trail/$day"'
	run jq -r 'select(.eventName == "CreateNamespace") |
		"\(.requestParameters.namespace) \(.sourceIPAddress) \(.awsRegion)"' "$M1/trail/$day"
	assert_contains "$output" "One host1 eu-west-1"
	assert_contains "$output" "Two host2 us-east-1"
	# the same records through either mount
	diff <(cat "$M1/trail/$day") <(cat "$M2/trail/$day")
}

@test "a daemon with other store-wide options than the fleet's refuses to start, naming them" {
	host 1 "$M1" --trail-days 30
	run "$MONFS_BIN" -f --db "$DB" --trail-days 7 --account 123456789012 "$M2"
	[ "$status" -ne 0 ]
	assert_contains "$output" "--trail-days 7 (the fleet's: 30)"
	assert_contains "$output" "--account 123456789012 (the fleet's: unset)"
	! mountpoint -q "$M2"
	# the same options are welcome
	host 2 "$M2" --trail-days 30
	[ -d "$M2/metrics" ]
}

# an alarm of period 10 that breaches on one point over 80, with an exec:
# action that appends the host that ran it to $BATS_TEST_TMPDIR/ran.
define_busy() {
	local hook="$BATS_TEST_TMPDIR/hook"
	/bin/printf '%s\n' '#!/bin/sh' "echo \"\$MONFS_ALARM \$MONFS_STATE\" >>'$BATS_TEST_TMPDIR/ran'" >"$hook"
	chmod 755 "$hook"
	/bin/printf '%s\n' "metric = Fleet/CPU" "statistic = maximum" "period = 10" \
		"comparison = >" "threshold = 80" "alarm_action = exec:$hook" >"$1/alarms/$2"
}

@test "three daemons: an alarm's state change runs its action once" {
	host 1 "$M1"
	host 2 "$M2"
	host 3 "$M3"
	mkdir "$M1/metrics/Fleet"
	define_busy "$M2" busy
	echo 95 >"$M3/metrics/Fleet/CPU"
	eventually "$ACTION_DEADLINE_S" '[ -s "$BATS_TEST_TMPDIR/ran" ]'
	eventually 5 'grep -q "^state = ALARM" "$M1/alarms/busy"'
	# three evaluation ticks more: nobody runs it again
	sleep 3
	run cat "$BATS_TEST_TMPDIR/ran"
	assert_equal "$output" "busy ALARM"
	assert_equal "$(leaders)" 1
}

@test "the leader killed with -9: another daemon takes over within 30 s and evaluates" {
	host 1 "$M1"
	host 2 "$M2"
	host 3 "$M3"
	assert_equal "$(leaders)" 1
	kill -9 "$PID1"
	wait_no_mount "$M1"
	eventually 30 '[ "$(leaders)" = 2 ]'
	mkdir "$M2/metrics/Fleet"
	define_busy "$M3" after
	echo 99 >"$M2/metrics/Fleet/CPU"
	eventually "$ACTION_DEADLINE_S" '[ -s "$BATS_TEST_TMPDIR/ran" ]'
	sleep 3
	run cat "$BATS_TEST_TMPDIR/ran"
	assert_equal "$output" "after ALARM"
}

@test "PostgreSQL stopped and started under writers: EIO while it is gone, no acknowledged point lost, service back within 5 s" {
	host 1 "$M1"
	host 2 "$M2"
	mkdir "$M1/metrics/Fleet"
	local acked="$BATS_TEST_TMPDIR/acked" errs="$BATS_TEST_TMPDIR/errs"
	local stop="$BATS_TEST_TMPDIR/stop" writers=()
	: >"$acked"
	# two writers, one per host, counting what was acknowledged
	for m in "$M1" "$M2"; do
		(while [ ! -e "$stop" ]; do
			if { echo 1 >>"$m/metrics/Fleet/Writes"; } 2>>"$errs"; then
				echo ok >>"$acked"
			fi
			sleep 0.05
		done) 3>&- &
		writers+=($!)
	done
	eventually 10 '[ "$(wc -l <"$acked")" -ge 20 ]'
	"$PG_CLUSTER" stop "$FLEET_PG/c"
	sleep 2
	local before
	before=$(wc -l <"$acked")
	"$PG_CLUSTER" start "$FLEET_PG/c" >/dev/null
	# service is back within 5 s of the database's return
	eventually 5 '[ "$(wc -l <"$acked")" -gt $((before + 10)) ]'
	touch "$stop"
	wait "${writers[@]}"
	# the writes refused while it was gone were refused with EIO
	grep -q "Input/output error" "$errs"
	run grep -v "Input/output error" "$errs"
	assert_equal "$output" ""
	# every acknowledged point is there, on both hosts
	local n
	n=$(wc -l <"$acked")
	eventually 2 '[ "$(samples "$M1/metrics/Fleet/Writes")" = "$n" ]'
	assert_equal "$(samples "$M2/metrics/Fleet/Writes")" "$n"
}

@test "an exec: program missing on the host that runs the action is a failed action, in the history" {
	host 1 "$M1"
	host 2 "$M2"
	mkdir "$M1/metrics/Fleet"
	define_busy "$M2" gone
	# defined while it existed; gone from the host when the action runs
	rm "$BATS_TEST_TMPDIR/hook"
	echo 97 >"$M1/metrics/Fleet/CPU"
	eventually "$ACTION_DEADLINE_S" 'cat "$M2/alarms/gone?view=history" |
		jq -e "select(.HistoryItemType == \"Action\") |
			.HistorySummary | contains(\"Failed to execute action exec:\")" >/dev/null'
	[ ! -e "$BATS_TEST_TMPDIR/ran" ]
}

@test "a rule defined through one host matches events put through another, and stops when removed there" {
	host 1 "$M1"
	host 2 "$M2"
	# the second daemon matches events first, with no rule yet
	echo '{"Source": "shop", "DetailType": "order", "Detail": "{}"}' >>"$M2/events/default"
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/events\n' >"$M1/rules/orders"
	echo '{"Source": "shop", "DetailType": "order", "Detail": "{\"n\": 1}"}' >>"$M2/events/default"
	eventually "$ACTION_DEADLINE_S" '[ "$(cat "$M1/logs/ops/events" 2>/dev/null | wc -l)" = 1 ]'
	jq -e '.detail.n == 1' "$M1/logs/ops/events" >/dev/null
	rm "$M1/rules/orders"
	echo '{"Source": "shop", "DetailType": "order", "Detail": "{\"n\": 2}"}' >>"$M2/events/default"
	sleep 2
	assert_equal "$(wc -l <"$M2/logs/ops/events")" 1
}

@test "two hosts appending to one stream at once: every line there once, whole" {
	host 1 "$M1"
	host 2 "$M2"
	mkdir "$M1/logs/app"
	local pids=()
	for k in 1 2; do
		(for i in $(seq 1 200); do echo "host$k line $i"; done |
			while read -r l; do echo "$l" >>"$BATS_TEST_TMPDIR/m$k/logs/app/web"; done) 3>&- &
		pids+=($!)
	done
	wait "${pids[@]}"
	local out
	out=$(cat "$M1/logs/app/web")
	assert_equal "$(wc -l <<<"$out")" 400
	assert_equal "$(grep -cE '^host[12] line [0-9]+$' <<<"$out")" 400
	assert_equal "$(sort -u <<<"$out" | wc -l)" 400
	diff <(echo "$out") <(cat "$M2/logs/app/web")
}

@test "a daemon that starts while another has a file open leaves that file's pending data event alone" {
	host 1 "$M1" --trail-data write
	mkdir "$M1/metrics/Fleet"
	exec 5>>"$M1/metrics/Fleet/Open"
	echo 1 >&5
	echo 2 >&5
	# (the descriptor is this shell's, not the second daemon's)
	host 2 "$M2" --trail-data write 5>&-
	echo 3 >&5
	exec 5>&-
	local day
	day=$(date -u +%Y-%m-%d)
	eventually 5 'jq -e "select(.eventName == \"PutMetricData\")" "$M2/trail/$day" >/dev/null'
	run jq -c 'select(.eventName == "PutMetricData") | .requestParameters' "$M2/trail/$day"
	assert_equal "$output" '{"namespace":"Fleet","metricName":"Open","datapoints":3,"bytes":6}'
}
