#!/usr/bin/env bats
# Alarms on dimensioned metrics (SPEC 11, SPEC 5): `metric =
# NS/Name=Value/NAME` in any order of its dimensions, `dimension =
# Name=Value` lines, PutMetricAlarm's Dimensions; the series such an
# alarm watches and the ones it does not; the reading, its round trip
# through cp, the refusals, and the trail's record.
#
# As in alarms.bats, data points are written at explicit past times, T -
# 60*i + 5 for the i-th last complete minute, and the assertions are
# about the evaluation made at definition time; the one test that
# watches the live evaluation polls with a generous deadline.

load helpers

STATE_DEADLINE_S="${MONFS_STATE_DEADLINE_S:-40}"

setup() {
	export LC_ALL=C # sort in byte order, as canonical sets are
	monfs_paths
	mount_monfs
	A="$MNT/alarms"
	mkdir -p "$MNT/metrics/EC2"
	T=$(($(date +%s) / 60 * 60))
}

teardown() {
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

# define NAME: cat > alarms/NAME (an external command, so close(2)'s error
# shows); the definition comes on stdin.
define() {
	cat >"$A/$1"
}

# points PATH V1 V2 ...: one data point per value to metrics/PATH, Vi at
# T - 60*i + 5; "-" skips a minute. Makes the dimension directories first.
points() {
	local m="$MNT/metrics/$1" i=1 v lines=""
	shift
	mkdir -p "$(dirname "$m")"
	for v in "$@"; do
		[ "$v" = - ] || lines+="$v $((T - 60 * i + 5))"$'\n'
		i=$((i + 1))
	done
	/bin/printf '%s' "$lines" >>"$m"
}

# cpu_alarm NAME METRIC [LINES]: a 2-of-3 "average > 80" alarm on METRIC
# (the `metric =` value), with LINES (newline-separated) appended.
cpu_alarm() {
	/bin/printf '%s\n' "metric = $2" "statistic = average" "period = 60" \
		"comparison = >" "threshold = 80" "evaluation_periods = 3" \
		"datapoints_to_alarm = 2" ${3:+"$3"} | define "$1"
}

# field NAME KEY: the values of "KEY = ..." in the reading of alarms/NAME.
field() {
	local out
	out=$(cat -- "$A/$1") || return 1
	printf '%s\n' "$out" | sed -n "s/^$2 = //p"
}

# state NAME: the state alarms/NAME reads.
state() {
	field "$1" state
}

# definition NAME: the reading of alarms/NAME without the state lines.
definition() {
	grep -vE '^(state|reason|state_updated) = ' "$A/$1"
}

# assert_state NAME STATE: alarms/NAME reads state = STATE.
assert_state() {
	local got
	got=$(state "$1")
	assert_equal "$got" "$2" || {
		echo "--- alarms/$1:"
		cat -- "$A/$1"
		return 1
	}
}

trail() {
	cat "$MNT"/trail/*
}

# last_put NAME: the newest PutMetricAlarm record for alarm NAME.
last_put() {
	trail | jq -c --arg n "$1" \
		'select(.eventName == "PutMetricAlarm" and .requestParameters.alarmName == $n)' | tail -n 1
}

# refused NAME TEXT: the newest PutMetricAlarm of NAME is a refusal whose
# errorMessage holds TEXT.
refused() {
	local rec
	rec=$(last_put "$1")
	json_check "$rec" '.errorCode == "InvalidParameterValue"'
	assert_contains "$(jq -r .errorMessage <<<"$rec")" "$2"
}

# skeleton FILE: `aws cloudwatch put-metric-alarm --generate-cli-skeleton
# input` into FILE, its required members filled in with jq as a user
# would, and Dimensions set to the JSON array $2.
skeleton() {
	local home="$BATS_TEST_TMPDIR/aws-home" cli=/usr/bin/aws
	[ -x "$cli" ] || cli=$(command -v aws) || {
		echo "no aws CLI installed (Debian: apt-get install awscli)"
		return 1
	}
	mkdir -p "$home"
	HOME="$home" AWS_DEFAULT_REGION=us-east-1 AWS_PAGER= \
		"$cli" cloudwatch put-metric-alarm --generate-cli-skeleton input \
		>"$1.raw" || return 1
	jq --argjson dims "$2" '.Namespace = "EC2" | .MetricName = "CPU"
		| .Statistic = "Average" | .Period = 60 | .EvaluationPeriods = 3
		| .DatapointsToAlarm = 2 | .Threshold = 80
		| .ComparisonOperator = "GreaterThanThreshold"
		| .Dimensions = $dims' "$1.raw" >"$1"
}

# ---------------------------------------------------------------------------
# The series an alarm watches

@test "an alarm on a dimensioned metric is decided by that series alone" {
	# its own series: 2 of the last 3 minutes above 80
	points EC2/AutoScalingGroupName=web/InstanceId=i-1/CPU 91.5 88 50
	# every other series of CPU stays below 80
	points EC2/AutoScalingGroupName=web/InstanceId=i-2/CPU 10 10 10
	points EC2/InstanceId=i-1/CPU 10 10 10
	points EC2/AutoScalingGroupName=web/InstanceId=i-1/Role=db/CPU 10 10 10
	points EC2/CPU 10 10 10

	cpu_alarm web-1 EC2/AutoScalingGroupName=web/InstanceId=i-1/CPU
	assert_state web-1 ALARM
	assert_contains "$(field web-1 reason)" "[91.5 ("
	cpu_alarm web-2 EC2/AutoScalingGroupName=web/InstanceId=i-2/CPU
	assert_state web-2 OK
	cpu_alarm i-1 EC2/InstanceId=i-1/CPU
	assert_state i-1 OK
	cpu_alarm plain EC2/CPU
	assert_state plain OK
	# a series with no data at all, beside breaching ones: no data
	cpu_alarm web-3 EC2/AutoScalingGroupName=web/InstanceId=i-3/CPU
	assert_state web-3 INSUFFICIENT_DATA
}

@test "the other order of two dimensions names the same series" {
	points EC2/InstanceId=i-1/AutoScalingGroupName=web/CPU 91.5 88 50
	cpu_alarm canonical EC2/AutoScalingGroupName=web/InstanceId=i-1/CPU
	cpu_alarm reversed EC2/InstanceId=i-1/AutoScalingGroupName=web/CPU
	assert_state canonical ALARM
	assert_state reversed ALARM
	assert_equal "$(field reversed reason)" "$(field canonical reason)"
	assert_equal "$(definition reversed)" "$(definition canonical)"
}

@test "points written through either order drive the alarm from OK to ALARM, as they come" {
	local dir="$MNT/metrics/EC2/AutoScalingGroupName=web/InstanceId=i-1"
	mkdir -p "$dir"
	/bin/printf '%s\n' "metric = EC2/InstanceId=i-1/AutoScalingGroupName=web/CPU" \
		"statistic = maximum" "period = 10" "comparison = >" "threshold = 50" \
		"treat_missing_data = ignore" | define live
	assert_state live INSUFFICIENT_DATA
	# another series breaching does not move it
	mkdir -p "$MNT/metrics/EC2/InstanceId=i-2"
	echo "99 $(date +%s)" >>"$MNT/metrics/EC2/InstanceId=i-2/CPU"
	echo "99 $(date +%s)" >>"$MNT/metrics/EC2/CPU"
	echo "10 $(date +%s)" >>"$MNT/metrics/EC2/InstanceId=i-1/AutoScalingGroupName=web/CPU"
	eventually "$STATE_DEADLINE_S" '[ "$(state live)" = OK ]'
	echo "99 $(date +%s)" >>"$dir/CPU"
	eventually "$STATE_DEADLINE_S" '[ "$(state live)" = ALARM ]'
	assert_contains "$(field live reason)" "[99.0 ("
}

# ---------------------------------------------------------------------------
# The three spellings, the reading, the round trip

@test "dimension = lines and the JSON Dimensions of an AWS CLI skeleton define what the path does" {
	local sk="$BATS_TEST_TMPDIR/skeleton.json"
	points EC2/AutoScalingGroupName=web/InstanceId=i-1/CPU 91.5 88 50
	cpu_alarm by-path EC2/InstanceId=i-1/AutoScalingGroupName=web/CPU
	cpu_alarm by-lines EC2/CPU $'dimension = InstanceId=i-1\ndimension = AutoScalingGroupName=web'
	cpu_alarm mixed EC2/InstanceId=i-1/CPU 'dimension = AutoScalingGroupName=web'
	skeleton "$sk" '[{"Name":"InstanceId","Value":"i-1"},{"Name":"AutoScalingGroupName","Value":"web"}]'
	define by-json <"$sk"
	local name
	for name in by-path by-lines mixed by-json; do
		assert_state "$name" ALARM
	done
	assert_equal "$(definition by-lines)" "$(definition by-path)"
	assert_equal "$(definition mixed)" "$(definition by-path)"
	# the JSON names CloudWatch's statistic and comparison: compare the rest
	assert_equal "$(field by-json metric)" "$(field by-path metric)"
	assert_equal "$(field by-json dimension)" "$(field by-path dimension)"
	assert_equal "$(field by-json reason)" "$(field by-path reason)"
}

@test "the skeleton's blank Dimensions member is no dimension" {
	local sk="$BATS_TEST_TMPDIR/skeleton.json"
	points EC2/CPU 91.5 88 50
	skeleton "$sk" '[{"Name":"","Value":""}]'
	define x <"$sk"
	assert_state x ALARM
	assert_equal "$(field x dimension)" ""
	json_check "$(cat "$A/x?format=json")" '.Dimensions == []'
}

@test "reading shows metric = NS/NAME and one dimension line per dimension, canonical and decoded; cp writes it back" {
	# written out of order, a value percent-encoded
	cpu_alarm x 'EC2/path=%2Fvar%2Flog/InstanceId=i-1/AutoScalingGroupName=web/CPU'
	assert_equal "$(field x metric)" EC2/CPU
	# the lines are the dimensions written, names sorted, values decoded
	assert_equal "$(field x dimension)" \
		"$(printf '%s\n' path=/var/log InstanceId=i-1 AutoScalingGroupName=web | sort)"
	# the dimension lines follow the metric line
	assert_equal "$(sed -n 2p "$A/x")" "dimension = $(printf '%s\n' path=/var/log InstanceId=i-1 AutoScalingGroupName=web | sort | head -1)"
	local before
	before=$(definition x)
	succeeds cp "$A/x" "$A/y"
	assert_equal "$(definition y)" "$before"
	# a reading written back over itself changes nothing
	cat "$A/x" >"$BATS_TEST_TMPDIR/x.txt"
	succeeds cp "$BATS_TEST_TMPDIR/x.txt" "$A/x"
	assert_equal "$(definition x)" "$before"
	# the JSON view shows the set as CloudWatch names it, values decoded
	json_check "$(cat "$A/x?format=json")" '.Namespace == "EC2" and .MetricName == "CPU"
		and .Dimensions == [{"Name":"AutoScalingGroupName","Value":"web"},
			{"Name":"InstanceId","Value":"i-1"},{"Name":"path","Value":"/var/log"}]'
}

@test "an alarm on a dimensioned metric survives a restart and a rename" {
	points EC2/AutoScalingGroupName=web/InstanceId=i-1/CPU 91.5 88 50
	cpu_alarm x EC2/InstanceId=i-1/AutoScalingGroupName=web/CPU
	local before
	before=$(definition x)
	remount
	assert_equal "$(definition x)" "$before"
	succeeds mv "$A/x" "$A/z"
	assert_equal "$(definition z)" "$before"
	assert_state z ALARM
}

# ---------------------------------------------------------------------------
# Refusals

@test "each bad dimension is refused with EINVAL, nothing changes, and the trail names it" {
	cpu_alarm x EC2/InstanceId=i-1/CPU
	local before
	before=$(cat "$A/x")

	fails_with "Invalid argument" cpu_alarm x EC2/InstanceId=i-1/Sub/CPU
	refused x '"Sub" is a namespace level after the dimension'
	fails_with "Invalid argument" cpu_alarm x EC2/InstanceId=i-1/InstanceId=i-2/CPU
	refused x 'InstanceId'
	fails_with "Invalid argument" cpu_alarm x EC2/InstanceId=i-1/CPU 'dimension = InstanceId=i-2'
	refused x 'line 8: dimension: dimension "InstanceId" is given twice'
	fails_with "Invalid argument" cpu_alarm x EC2/=i-1/CPU
	refused x '"=i-1"'
	fails_with "Invalid argument" cpu_alarm x EC2/InstanceId=/CPU
	refused x '"InstanceId="'
	fails_with "Invalid argument" cpu_alarm x EC2/CPU 'dimension = InstanceId='
	refused x 'line 8: dimension'
	fails_with "Invalid argument" cpu_alarm x EC2/CPU 'dimension = InstanceId'
	refused x '"InstanceId" is not Name=Value'
	fails_with "Invalid argument" cpu_alarm x 'EC2/path=%zz/CPU'
	refused x 'path=%zz'
	local p=EC2 i
	for i in $(seq -w 1 31); do p="$p/D$i=v"; done
	fails_with "Invalid argument" cpu_alarm x "$p/CPU"
	refused x 'more than 30 dimensions'
	# 30 on the path and one more line
	fails_with "Invalid argument" cpu_alarm x "${p%/D31=v}/CPU" 'dimension = E=v'
	refused x 'more than 30 dimensions'

	local base='"Namespace":"EC2","MetricName":"CPU","Statistic":"Average","Period":60,"EvaluationPeriods":1,"Threshold":1,"ComparisonOperator":"GreaterThanThreshold"'
	fails_with "Invalid argument" define x <<<"{$base,\"Dimensions\":[{\"Name\":\"InstanceId\"}]}"
	refused x 'Dimensions[0]: must be {"Name": string, "Value": string}'
	fails_with "Invalid argument" define x <<<"{$base,\"Dimensions\":[{\"Name\":\"a\",\"Value\":\"1\"},{\"Name\":\"a\",\"Value\":\"2\"}]}"
	refused x 'Dimensions[1]: dimension "a" is given twice'
	fails_with "Invalid argument" define x <<<"{$base,\"Dimensions\":[{\"Name\":\"a\",\"Value\":\"\"}]}"
	refused x 'Dimensions[0]'
	fails_with "Invalid argument" define x <<<'{"Namespace":"EC2/InstanceId=i-1","MetricName":"CPU","Statistic":"Average","Period":60,"Threshold":1,"ComparisonOperator":"GreaterThanThreshold"}'
	refused x "Namespace: \"EC2/InstanceId=i-1\" holds '='"

	# cp reports it too
	/bin/printf '%s\n' "metric = EC2/InstanceId=i-1/Sub/CPU" "statistic = sum" \
		"period = 60" "comparison = >" "threshold = 1" >"$BATS_TEST_TMPDIR/bad"
	fails_with "Invalid argument" cp "$BATS_TEST_TMPDIR/bad" "$A/x"
	refused x '"Sub"'
	# nothing changed, and a refused new alarm is not made
	assert_equal "$(cat "$A/x")" "$before"
	fails_with "Invalid argument" cp "$BATS_TEST_TMPDIR/bad" "$A/new"
	[ ! -e "$A/new" ]
	[ ! -e "$MNT/metrics/EC2/InstanceId=i-1/Sub" ]
}

# ---------------------------------------------------------------------------
# The trail

@test "the PutMetricAlarm record carries the namespace alone and the dimensions" {
	cpu_alarm x EC2/InstanceId=i-1/AutoScalingGroupName=web/CPU
	cpu_alarm plain EC2/CPU
	local rec
	rec=$(last_put x)
	json_check "$rec" '.requestParameters.namespace == "EC2" and .requestParameters.metricName == "CPU"'
	json_check "$rec" '.requestParameters.dimensions == [{"name":"AutoScalingGroupName","value":"web"},{"name":"InstanceId","value":"i-1"}]'
	json_check "$(last_put plain)" '.requestParameters.namespace == "EC2" and (.requestParameters | has("dimensions") | not)'
	# a rename's record is the definition moved: the same set
	succeeds mv "$A/x" "$A/y"
	json_check "$(last_put y)" '.requestParameters.dimensions == [{"name":"AutoScalingGroupName","value":"web"},{"name":"InstanceId","value":"i-1"}]'
}
