#!/usr/bin/env bats
# scripts/monfs-agent, the CloudWatch agent's counterpart: run under dash
# against a fresh monfs with interval = 1, it writes the host metrics with
# the agent's names and follows a file into a log stream, across rotation;
# it refuses a bad configuration and stops its tail children on SIGTERM.
# Everything is polled with a generous deadline: these machines are noisy.

load helpers

AGENT="$REPO/scripts/monfs-agent"
AGENT_DEADLINE_S=30

setup() {
	monfs_paths
	mount_monfs
	NS="$MNT/metrics/Host/test"
	FOLLOWED="$BATS_TEST_TMPDIR/app.log"
	STREAM="$MNT/logs/aws/app/web-1"
	CONF="$BATS_TEST_TMPDIR/agent.conf"
	AGENT_LOG="$BATS_TEST_TMPDIR/agent.log"
	AGENT_PID=
	TAIL_PIDS=()
	: >"$FOLLOWED"
	cat >"$CONF" <<EOF
# written by agent.bats
mount = $MNT   # the monfs under test
interval = 1
namespace = Host/test
file = $FOLLOWED /aws/app/web-1
EOF
}

teardown() {
	local p
	# the agent and its tails hold files open on the mount: end them (by
	# pid) before unmounting
	if [ -n "$AGENT_PID" ]; then
		kill -TERM "$AGENT_PID" 2>/dev/null || true
		wait_gone "$AGENT_PID" 10 || kill -KILL "$AGENT_PID" 2>/dev/null || true
		wait "$AGENT_PID" 2>/dev/null || true
	fi
	for p in ${TAIL_PIDS[@]+"${TAIL_PIDS[@]}"}; do
		kill "$p" 2>/dev/null || true
	done
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

# eventually_explain: what eventually (helpers.bash) shows when the
# deadline passes here: the agent's output.
eventually_explain() {
	[ ! -s "$AGENT_LOG" ] || { echo "agent's output:"; cat "$AGENT_LOG"; }
}

# wait_gone PID SECONDS: poll until PID has exited.
wait_gone() {
	local deadline=$((SECONDS + $2))
	while process_alive "$1"; do
		((SECONDS < deadline)) || return 1
		sleep 0.1
	done
}

# start_agent [ENV_ARG...]: run the agent under dash in the background with
# $CONF (env ARG... before it); sets AGENT_PID, then waits until its tail
# child runs and records it in TAIL_PIDS.
start_agent() {
	env "$@" dash "$AGENT" -c "$CONF" >"$AGENT_LOG" 2>&1 3>&- </dev/null &
	AGENT_PID=$!
	eventually 10 '[ -n "$(children_of "$AGENT_PID" tail)" ]'
	TAIL_PIDS=($(children_of "$AGENT_PID" tail))
}

# children_of PID [COMM]: the pids whose parent is PID (named COMM).
children_of() {
	local f stat rest ppid comm
	for f in /proc/[0-9]*/stat; do
		stat=$(cat "$f" 2>/dev/null) || continue
		comm=${stat#*(}
		comm=${comm%)*}
		rest=${stat##*) }
		read -r _ ppid _ <<<"$rest"
		if [ "$ppid" = "$1" ] && { [ -z "${2:-}" ] || [ "$comm" = "$2" ]; }; then
			f=${f#/proc/}
			echo "${f%/stat}"
		fi
	done
}

# samples METRIC: how many points METRIC holds (0 if it does not exist).
samples() {
	[ -e "$NS/$1" ] || { echo 0; return; }
	cat "$NS/$1?format=json&since=-10m" | jq '[.Datapoints[].SampleCount] | add // 0'
}

# json METRIC: the JSON view of METRIC's last 10 minutes in 1 s periods.
json() {
	cat "$NS/$1?format=json&period=1&since=-10m"
}

PERCENTS="cpu_usage_active cpu_usage_iowait mem_used_percent swap_used_percent disk_used_percent_root"
COUNTERS="diskio_reads diskio_writes net_bytes_sent net_bytes_recv"

# ---------------------------------------------------------------------------

@test "every metric is written each interval with plausible values" {
	start_agent
	eventually "$AGENT_DEADLINE_S" '(($(samples processes_total) >= 3))'
	local m j first second
	for m in $PERCENTS $COUNTERS processes_total load_average; do
		eventually "$AGENT_DEADLINE_S" "((\$(samples $m) >= 3))"
	done
	for m in $PERCENTS $(cd "$NS" && ls -d disk_used_percent_*); do
		j=$(json "$m")
		json_check "$j" '(.Datapoints | length) > 0'
		json_check "$j" 'all(.Datapoints[]; .Minimum >= 0 and .Maximum <= 100)'
	done
	# the mount under test is no disk of the host
	run ls "$NS"
	[[ "$output" != *"$(basename "$MNT")"* ]] || {
		echo "$MNT reported as a disk: $output"
		false
	}
	# counters never go down: across successive periods, and read twice
	for m in $COUNTERS; do
		j=$(json "$m")
		json_check "$j" '.Datapoints | sort_by(.Timestamp) as $d
			| all(range(1; $d | length); $d[. - 1].Maximum <= $d[.].Minimum)'
		json_check "$j" 'all(.Datapoints[]; .Minimum >= 0)'
		first=$(json "$m" | jq '[.Datapoints[].Maximum] | max')
		second=$(samples "$m")
		eventually "$AGENT_DEADLINE_S" "((\$(samples $m) > $second))"
		second=$(json "$m" | jq '[.Datapoints[].Maximum] | max')
		in_range "$second" "$first" 1e300
	done
	j=$(json processes_total)
	json_check "$j" 'all(.Datapoints[]; .Minimum > 0 and .Minimum == (.Minimum | floor))'
	j=$(json load_average)
	json_check "$j" 'all(.Datapoints[]; .Minimum >= 0)'
	[ ! -s "$AGENT_LOG" ] || {
		echo "the agent complained:"
		cat "$AGENT_LOG"
		false
	}
}

@test "lines appended to a followed file reach its stream, also after rotation" {
	start_agent
	[ -d "$MNT/logs/aws/app" ]
	echo "first line" >>"$FOLLOWED"
	printf 'second line\nthird line\n' >>"$FOLLOWED"
	eventually "$AGENT_DEADLINE_S" '[ "$(tail -n 1 "$STREAM" 2>/dev/null)" = "third line" ]'
	assert_equal "$(cat "$STREAM")" "$(printf 'first line\nsecond line\nthird line')"

	# logrotate's way: move the file aside, make a new one, write to it
	mv "$FOLLOWED" "$FOLLOWED.1"
	: >"$FOLLOWED"
	echo "after rotation" >>"$FOLLOWED"
	eventually "$AGENT_DEADLINE_S" 'grep -qx "after rotation" "$STREAM"'
	echo "and more" >>"$FOLLOWED"
	eventually "$AGENT_DEADLINE_S" '[ "$(tail -n 1 "$STREAM")" = "and more" ]'
	assert_equal "$(grep -c . "$STREAM")" 5
}

@test "a bad configuration is refused with a message and status 2" {
	printf 'mount = %s\ncolour = blue\n' "$MNT" >"$CONF"
	run dash "$AGENT" -c "$CONF"
	assert_equal "$status" 2
	assert_contains "$output" "unknown key 'colour'"

	printf '# no mount\ninterval = 1\n' >"$CONF"
	run dash "$AGENT" -c "$CONF"
	assert_equal "$status" 2
	assert_contains "$output" "mount"

	printf 'mount = %s\ninterval = often\n' "$MNT" >"$CONF"
	run dash "$AGENT" -c "$CONF"
	assert_equal "$status" 2
	assert_contains "$output" "interval 'often' is not a number"

	run dash "$AGENT" -c "$BATS_TEST_TMPDIR/missing.conf"
	assert_equal "$status" 2
	assert_contains "$output" "cannot read"

	# nothing was written
	assert_equal "$(ls -A "$MNT/metrics")" ""
	assert_equal "$(ls -A "$MNT/logs")" ""
}

@test "the example configuration is accepted" {
	sed "s|^mount = .*|mount = $MNT|; s|^interval = .*|interval = 1|" \
		"$REPO/scripts/agent.conf.example" >"$CONF"
	start_agent
	eventually "$AGENT_DEADLINE_S" '[ -e "$MNT/metrics/System/processes_total" ]'
	[ -d "$MNT/logs/aws/nginx" ]
	[ -d "$MNT/logs/host" ]
}

@test "SIGTERM stops the agent and its tail children" {
	start_agent
	eventually "$AGENT_DEADLINE_S" '(($(samples load_average) >= 1))'
	[ "${#TAIL_PIDS[@]}" -eq 1 ]
	kill -TERM "$AGENT_PID"
	wait_gone "$AGENT_PID" 10 || {
		echo "the agent still runs 10 s after SIGTERM"
		false
	}
	local rc=0
	wait "$AGENT_PID" || rc=$?
	assert_equal "$rc" 0
	local p
	for p in "${TAIL_PIDS[@]}"; do
		wait_gone "$p" 10 || {
			echo "tail (pid $p) outlived the agent"
			false
		}
	done
	AGENT_PID=
}

@test "SIGINT stops it too, when not ignored" {
	start_agent --default-signal=INT
	kill -INT "$AGENT_PID"
	wait_gone "$AGENT_PID" 10
	local rc=0 p
	wait "$AGENT_PID" || rc=$?
	assert_equal "$rc" 0
	for p in "${TAIL_PIDS[@]}"; do
		wait_gone "$p" 10
	done
	AGENT_PID=
}
