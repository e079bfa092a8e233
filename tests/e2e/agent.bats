#!/usr/bin/env bats
# scripts/monfs-agent, the CloudWatch agent's counterpart: run under dash
# against a fresh monfs with interval = 1, it writes the host metrics with
# the agent's names and dimensions (SPEC 11: a series per mount, disk,
# interface and CPU, each checked against what this test reads from df,
# stat -f and /proc itself) and follows a file into a log stream, across
# rotation; it refuses a bad configuration and stops its tail children on
# SIGTERM. Everything is polled with a generous deadline: these machines
# are noisy.

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
	BIND_MOUNTS=()
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
	for p in ${BIND_MOUNTS[@]+"${BIND_MOUNTS[@]}"}; do
		umount "$p" 2>/dev/null || umount -l "$p" || true
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

# latest METRIC: the average of METRIC's newest 1 s period.
latest() {
	json "$1" | jq '.Datapoints | max_by(.Timestamp) | .Average'
}

# highest METRIC: the largest point METRIC holds.
highest() {
	json "$1" | jq '[.Datapoints[].Maximum] | max'
}

# encoded VALUE: VALUE as monfs lists a dimension value (SPEC 11): `%`,
# `/` and `?` as %25, %2F, %3F (the values here hold no control byte).
encoded() {
	local v=${1//%/%25}
	v=${v//\//%2F}
	printf '%s' "${v//\?/%3F}"
}

# disk_set MOUNTPOINT: the dimension set of MOUNTPOINT's disk_used_percent,
# in canonical order, from what df says of it (device without /dev/).
disk_set() {
	local source fstype
	read -r source fstype < <(df --output=source,fstype -- "$1" | tail -n 1)
	echo "device=$(encoded "${source#/dev/}")/fstype=$(encoded "$fstype")/path=$(encoded "$1")"
}

# used_percent MOUNTPOINT: used / (used + available) * 100 by stat -f.
used_percent() {
	stat -f -c '%b %f %a' -- "$1" | awk '{ u = $1 - $2; print u * 100 / (u + $3) }'
}

# cpus: cpu-total and cpuN for each cpuN line of /proc/stat.
cpus() {
	echo cpu-total
	awk '/^cpu[0-9]/ { print $1 }' /proc/stat
}

# interfaces: every interface of /proc/net/dev but lo.
interfaces() {
	awk -F: 'NR > 2 { gsub(/[ \t]/, "", $1); if ($1 != "lo") print $1 }' /proc/net/dev
}

# disks: the whole disks the kernel lists in /sys/block (partitions are
# not there), less the virtual ones the agent leaves out.
disks() {
	local d
	for d in /sys/block/*; do
		d=${d##*/}
		case $d in loop* | ram* | zram* | dm-* | md* | nbd*) continue ;; esac
		echo "$d"
	done
}

# net_bytes IFACE FIELD: IFACE's received (FIELD 1) or sent (FIELD 9)
# bytes in /proc/net/dev.
net_bytes() {
	awk -F: -v i="$1" -v f="$2" '{ n = $1; gsub(/[ \t]/, "", n) }
		n == i { split($2, v, " "); print v[f] }' /proc/net/dev
}

# disk_ios DISK FIELD: DISK's completed reads (FIELD 4) or writes (FIELD 8)
# in /proc/diskstats.
disk_ios() {
	awk -v d="$1" -v f="$2" '$3 == d { print $f }' /proc/diskstats
}

# bind_root DIR: make DIR and bind-mount / on it (a real mount, which the
# agent reports like any other); the teardown unmounts it.
bind_root() {
	mkdir -p -- "$1"
	mount --bind / "$1"
	BIND_MOUNTS+=("$1")
}

# ls_lines DIR: the names in DIR, one a line, in monfs's (bytewise) order.
ls_lines() {
	LC_ALL=C ls -- "$1"
}

PERCENTS="cpu=cpu-total/cpu_usage_active cpu=cpu-total/cpu_usage_iowait mem_used_percent swap_used_percent"

# ---------------------------------------------------------------------------

@test "every metric is written each interval with plausible values" {
	start_agent
	eventually "$AGENT_DEADLINE_S" '(($(samples processes_total) >= 3))'
	local m j first second counters="" percents="$PERCENTS $(disk_set /)/disk_used_percent" x
	for x in $(disks); do counters+=" name=$x/diskio_reads name=$x/diskio_writes"; done
	for x in $(interfaces); do counters+=" interface=$x/net_bytes_sent interface=$x/net_bytes_recv"; done
	for m in $percents $counters processes_total load_average; do
		eventually "$AGENT_DEADLINE_S" "((\$(samples $m) >= 3))"
	done
	for m in $percents; do
		j=$(json "$m")
		json_check "$j" '(.Datapoints | length) > 0'
		json_check "$j" 'all(.Datapoints[]; .Minimum >= 0 and .Maximum <= 100)'
	done
	# the mount under test is no disk of the host
	run find "$NS"
	[[ "$output" != *"$(encoded "$MNT")"* ]] || {
		echo "$MNT reported as a disk: $output"
		false
	}
	# counters never go down: across successive periods, and read twice
	for m in $counters; do
		j=$(json "$m")
		json_check "$j" '.Datapoints | sort_by(.Timestamp) as $d
			| all(range(1; $d | length); $d[. - 1].Maximum <= $d[.].Minimum)'
		json_check "$j" 'all(.Datapoints[]; .Minimum >= 0)'
		first=$(highest "$m")
		second=$(samples "$m")
		eventually "$AGENT_DEADLINE_S" "((\$(samples $m) > $second))"
		second=$(highest "$m")
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

@test "after one interval ls shows the dimension sets; only the agent's dimensionless metrics are plain files" {
	start_agent
	eventually "$AGENT_DEADLINE_S" '(($(samples load_average) >= 1))'
	local listing x
	listing=$(ls_lines "$NS")
	for x in $(cpus); do assert_contains "$listing" "cpu=$x"; done
	for x in $(interfaces); do assert_contains "$listing" "interface=$x"; done
	for x in $(disks); do assert_contains "$listing" "name=$x"; done
	x=$(disk_set /)
	assert_contains "$listing" "${x%%/*}"
	assert_contains "$(ls_lines "$NS/${x%/*}")" "path=%2F"
	# no encoded names (disk_used_percent_root) and no summed series: the
	# files of the namespace itself are the CloudWatch agent's metrics
	# without dimensions
	assert_equal "$(cd "$NS" && find . -maxdepth 1 -type f | sort | tr '\n' ' ')" \
		"./load_average ./mem_used_percent ./processes_total ./swap_used_percent "
	# every series of cpu_usage_active has its cpu: series=* (SPEC 11)
	# shows one per CPU and none without dimensions ('-')
	run cat "$NS/cpu_usage_active?series=*"
	assert_equal "$status" 0
	assert_equal "$(printf '%s\n' "$output" | awk 'NR > 1 { print $1 }' | LC_ALL=C sort -u)" \
		"$(cpus | sed 's/^/cpu=/' | LC_ALL=C sort)"
}

@test "disk_used_percent of / is under its device, fstype and path=%2F and agrees with stat -f" {
	start_agent
	local set m value expected
	set=$(disk_set /)
	m="$set/disk_used_percent"
	eventually "$AGENT_DEADLINE_S" '(($(samples "$m") >= 2))'
	# the order the task names them in resolves too (SPEC 11)
	[ -f "$NS/${set##*/}/${set%%/*}/$(cut -d/ -f2 <<<"$set")/disk_used_percent" ]
	value=$(latest "$m")
	expected=$(used_percent /)
	# another process may write meanwhile: within one percentage point
	in_range "$value" "$(awk -v e="$expected" 'BEGIN { print e - 1 }')" \
		"$(awk -v e="$expected" 'BEGIN { print e + 1 }')"
}

@test "a CPU series per cpuN line of /proc/stat and cpu-total, each a percentage" {
	start_agent
	eventually "$AGENT_DEADLINE_S" '(($(samples cpu=cpu-total/cpu_usage_active) >= 2))'
	assert_equal "$(ls_lines "$NS" | grep '^cpu=' | sort)" "$(cpus | sed 's/^/cpu=/' | LC_ALL=C sort)"
	local x m
	for x in $(cpus); do
		for m in cpu_usage_active cpu_usage_iowait; do
			eventually "$AGENT_DEADLINE_S" "((\$(samples cpu=$x/$m) >= 1))"
			json_check "$(json "cpu=$x/$m")" 'all(.Datapoints[]; .Minimum >= 0 and .Maximum <= 100)'
		done
	done
}

@test "a net series per interface but lo, between the bytes /proc/net/dev counts before and after" {
	local x before_sent=() before_recv=() i=0 v
	for x in $(interfaces); do
		before_sent+=("$(net_bytes "$x" 9)")
		before_recv+=("$(net_bytes "$x" 1)")
	done
	start_agent
	eventually "$AGENT_DEADLINE_S" '(($(samples load_average) >= 2))'
	assert_equal "$(ls_lines "$NS" | grep '^interface=' | sort)" \
		"$(interfaces | sed 's/^/interface=/' | LC_ALL=C sort)"
	[ -z "$(ls_lines "$NS" | grep -x 'interface=lo')" ]
	for x in $(interfaces); do
		v=$(highest "interface=$x/net_bytes_sent")
		in_range "$v" "${before_sent[i]}" "$(net_bytes "$x" 9)"
		v=$(highest "interface=$x/net_bytes_recv")
		in_range "$v" "${before_recv[i]}" "$(net_bytes "$x" 1)"
		i=$((i + 1))
	done
}

@test "diskio per whole disk, between the I/Os /proc/diskstats counts before and after" {
	local x before_reads=() before_writes=() i=0 v
	for x in $(disks); do
		before_reads+=("$(disk_ios "$x" 4)")
		before_writes+=("$(disk_ios "$x" 8)")
	done
	start_agent
	eventually "$AGENT_DEADLINE_S" '(($(samples load_average) >= 2))'
	assert_equal "$(ls_lines "$NS" | grep '^name=' | sort)" "$(disks | sed 's/^/name=/' | LC_ALL=C sort)"
	for x in $(disks); do
		v=$(highest "name=$x/diskio_reads")
		in_range "$v" "${before_reads[i]}" "$(disk_ios "$x" 4)"
		v=$(highest "name=$x/diskio_writes")
		in_range "$v" "${before_writes[i]}" "$(disk_ios "$x" 8)"
		i=$((i + 1))
	done
}

@test "a mount point with blanks, %, ? and a backslash is its path= value, encoded as monfs lists it" {
	local odd="$BATS_TEST_TMPDIR/my disk %41?\\x" tabbed="$BATS_TEST_TMPDIR/tab"$'\t'"bed" set m
	bind_root "$odd"
	# /proc/mounts escapes the blank and the backslash: the agent decodes them
	grep -qF 'my\040disk\040%41?\134x' /proc/self/mounts
	bind_root "$tabbed"
	start_agent
	set=$(disk_set "$odd")
	assert_contains "$set" "path=$(encoded "$BATS_TEST_TMPDIR")%2Fmy disk %2541%3F\\x"
	m="$set/disk_used_percent"
	eventually "$AGENT_DEADLINE_S" '(($(samples "$m") >= 2))'
	# listed under its canonical encoding: the value decoded to the path
	assert_contains "$(ls_lines "$NS/${set%/*}")" "${set##*/}"
	in_range "$(latest "$m")" "$(used_percent / | awk '{ print $1 - 1 }')" \
		"$(used_percent / | awk '{ print $1 + 1 }')"
	# a tab is a control byte, which monfs refuses in a value (SPEC 2):
	# warned about once, the other mounts still reported
	eventually "$AGENT_DEADLINE_S" '(($(samples "$m") >= 4))'
	assert_equal "$(grep -c 'not reporting' "$AGENT_LOG")" 1
	assert_contains "$(cat "$AGENT_LOG")" "%2Ftab%09bed (Invalid argument)"
	[[ "$(find "$NS")" != *%09* ]]
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

@test "dashboard = NAME: after its first report the agent installs the host's dashboard, drawn with its series; one already there stays" {
	echo "dashboard = host" >>"$CONF"
	start_agent
	eventually "$AGENT_DEADLINE_S" '[ -e "$MNT/dashboards/host" ]'
	# CPU, memory, disk and network widgets, each row naming a series the
	# agent writes.
	assert_equal "$(jq -r '[.widgets[].properties.title] | join(",")' "$MNT/dashboards/host")" \
		"CPU (%),Memory (%),Disk used (%),Network (bytes since boot)"
	jq -e '[.widgets[].properties.metrics[]] | length >= 4' "$MNT/dashboards/host" >/dev/null
	jq -r '.widgets[2].properties.metrics[] | .[7]' "$MNT/dashboards/host" | grep -qx /
	# Its rows draw data within a few intervals.
	eventually "$AGENT_DEADLINE_S" "grep -q '^memory .*last ' '$MNT/dashboards/host.txt'"
	eventually "$AGENT_DEADLINE_S" "grep -q '^active .*last ' '$MNT/dashboards/host.txt'"
	cat "$MNT/dashboards/host.svg" >"$BATS_TEST_TMPDIR/host.svg"
	xmllint --noout "$BATS_TEST_TMPDIR/host.svg"
	# Edited by its user, it is not written again by the next agent.
	kill -TERM "$AGENT_PID"
	wait_gone "$AGENT_PID" 10
	AGENT_PID=
	sed -i 's/"CPU (%)"/"Processors"/' "$MNT/dashboards/host"
	start_agent
	sleep 3
	jq -e '.widgets[0].properties.title == "Processors"' "$MNT/dashboards/host" >/dev/null
}
