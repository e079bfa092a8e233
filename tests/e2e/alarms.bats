#!/usr/bin/env bats
# Alarms (SPEC 5), their views (SPEC 8) and their trail records (SPEC 6),
# driven as users drive them: cat > alarms/NAME <<EOF, cat, rm, ls, jq.
#
# Nothing here depends on the clock: every data point is written at an
# explicit past time, T - 60*i + 5 for the i-th last complete minute
# (T = the start of the current minute when the test began), and every
# assertion is about the evaluation made at definition time. Should the
# minute turn between writing and defining, the evaluation range (N +
# max(N/3, 2) periods) still covers the same datapoints, so the verdict
# and its reason are the same. Where the daemon acts asynchronously
# (actions, the live transition) the test polls with a generous deadline.

load helpers

ACTION_DEADLINE_S="${MONFS_ACTION_DEADLINE_S:-30}"

setup() {
	monfs_paths
	mount_monfs
	A="$MNT/alarms"
	mkdir "$MNT/metrics/EC2"
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

# points METRIC V1 V2 ...: one data point per value, Vi at T - 60*i + 5
# (V1 in the last complete minute, V2 in the one before, ...); "-" skips a
# minute. METRIC is NAMESPACE/NAME under metrics/.
points() {
	local m="$MNT/metrics/$1" i=1 v lines=""
	shift
	for v in "$@"; do
		[ "$v" = - ] || lines+="$v $((T - 60 * i + 5))"$'\n'
		i=$((i + 1))
	done
	/bin/printf '%s' "$lines" >>"$m"
}

# cwtime SECONDS: a period start as CloudWatch's reasons print it.
cwtime() {
	date -u -d "@$1" '+%d/%m/%y %H:%M:%S'
}

# field NAME KEY: the value of "KEY = ..." in the reading of alarms/NAME.
field() {
	local out
	out=$(cat -- "$A/$1") || return 1
	printf '%s\n' "$out" | sed -n "s/^$2 = //p"
}

# assert_state NAME STATE [REASON]: alarms/NAME reads state = STATE (and
# reason = REASON when given).
assert_state() {
	local out
	out=$(cat -- "$A/$1") || {
		echo "cannot read alarms/$1"
		return 1
	}
	assert_equal "$(printf '%s\n' "$out" | sed -n 's/^state = //p')" "$2" || {
		echo "--- alarms/$1:"
		printf '%s\n' "$out"
		return 1
	}
	if [ $# -ge 3 ]; then
		assert_equal "$(printf '%s\n' "$out" | sed -n 's/^reason = //p')" "$3"
	fi
}

# definition NAME: the reading of alarms/NAME without its state lines.
definition() {
	local out
	out=$(cat -- "$A/$1") || return 1
	printf '%s\n' "$out" | grep -v -E '^(state|reason|state_updated) = '
}

# trail: every record of every day file (a test may straddle midnight UTC).
trail() {
	cat "$MNT"/trail/*
}

# last_put NAME: the newest PutMetricAlarm record for alarm NAME.
last_put() {
	trail | jq -c --arg n "$1" \
		'select(.eventName == "PutMetricAlarm" and .requestParameters.alarmName == $n)' | tail -n 1
}

# history NAME: the history view of alarms/NAME, one JSON line per item.
history() {
	cat -- "$A/$1?view=history"
}

# write_hook FILE OUT: an executable script at FILE that writes its
# environment (MONFS_*), `id -u` and its standard input to OUT, whole.
write_hook() {
	cat >"$1" <<EOF
#!/bin/sh
{
	echo "ALARM=\$MONFS_ALARM"
	echo "STATE=\$MONFS_STATE"
	echo "OLD=\$MONFS_OLD_STATE"
	echo "REASON=\$MONFS_REASON"
	echo "TIME=\$MONFS_TIME"
	echo "UID=\$(id -u)"
	echo "STDIN=\$(cat)"
} >"$2.tmp"
mv "$2.tmp" "$2"
EOF
	chmod +x "$1"
}

# cpu_high NAME [LINES]: define a 2-of-3 alarm on the average of EC2/CPU
# > 80; each "key = value" line of LINES replaces the line of that key, or
# is added (a key given twice is refused, so they are not simply appended).
cpu_high() {
	/bin/printf '%s\n' "metric = EC2/CPU" "statistic = average" "period = 60" \
		"comparison = >" "threshold = 80" "evaluation_periods = 3" \
		"datapoints_to_alarm = 2" | awk -v more="${2:-}" '
		BEGIN { n = split(more, m, "\n")
			for (i = 1; i <= n; i++) { k = m[i]; sub(/ *=.*/, "", k); key[i] = k } }
		{ k = $0; sub(/ *=.*/, "", k)
		  for (i = 1; i <= n; i++) if (key[i] == k) { print m[i]; used[i] = 1; next }
		  print }
		END { for (i = 1; i <= n; i++) if (!used[i] && m[i] != "") print m[i] }' | define "$1"
}

# ---------------------------------------------------------------------------
# Definitions and reading back

@test "a key = value definition reads back with every key in SPEC order, then state, reason, state_updated" {
	points EC2/CPU 91.5 88 50
	local before after upd
	before=$(date -u +%s)
	define cpu-high <<'EOF'
# keys in no particular order, comments and a quoted '#'
tag = team=ops
unit = Percent
actions_enabled = true
insufficient_data_action = log:ops/alarms
ok_action = log:ops/alarms
alarm_action = log:ops/alarms     # where the page goes
description = "CPU # too high"
treat_missing_data = notBreaching
datapoints_to_alarm = 2
evaluation_periods = 3
threshold = 80
comparison = >
period = 60
statistic = average
metric = EC2/CPU
tag = env=prod
EOF
	after=$(date -u +%s)
	run cat "$A/cpu-high"
	[ "$status" -eq 0 ]
	assert_equal "$(printf '%s\n' "$output" | head -n 15)" "metric = EC2/CPU
statistic = average
period = 60
comparison = >
threshold = 80
evaluation_periods = 3
datapoints_to_alarm = 2
treat_missing_data = notBreaching
description = \"CPU # too high\"
alarm_action = log:ops/alarms
ok_action = log:ops/alarms
insufficient_data_action = log:ops/alarms
actions_enabled = true
unit = Percent
tag = team=ops"
	assert_equal "$(printf '%s\n' "$output" | sed -n 16p)" "tag = env=prod"
	assert_equal "$(printf '%s\n' "$output" | sed -n '17,19p' | sed 's/ = .*//')" "state
reason
state_updated"
	assert_equal "$(printf '%s\n' "$output" | wc -l)" 19
	upd=$(field cpu-high state_updated)
	[[ "$upd" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$ ]]
	in_range "$(date -u -d "$upd" +%s)" "$before" "$after"
}

@test "a minimal definition reads back with the defaults filled in" {
	define m <<'EOF'
metric = EC2/CPU
statistic = maximum
period = 300
comparison = >=
threshold = 2.5
evaluation_periods = 4
EOF
	assert_equal "$(definition m)" "metric = EC2/CPU
statistic = maximum
period = 300
comparison = >=
threshold = 2.5
evaluation_periods = 4
datapoints_to_alarm = 4
treat_missing_data = missing
actions_enabled = true"
	define one <<'EOF'
metric = AWS/EC2/CPUUtilization
statistic = p99
period = 10
comparison = <
threshold = -1
EOF
	assert_equal "$(definition one)" "metric = AWS/EC2/CPUUtilization
statistic = p99
period = 10
comparison = <
threshold = -1
evaluation_periods = 1
datapoints_to_alarm = 1
treat_missing_data = missing
actions_enabled = true"
}

@test "the definition part of a reading, written to another alarm, reads back the same" {
	points EC2/CPU 91.5 88 50
	cpu_high a 'description = "load # high"
alarm_action = log:ops/alarms
tag = team=ops'
	definition a >"$BATS_TEST_TMPDIR/def"
	succeeds define b <"$BATS_TEST_TMPDIR/def"
	assert_equal "$(definition b)" "$(cat "$BATS_TEST_TMPDIR/def")"
	assert_equal "$(field b state)" "$(field a state)"
	assert_equal "$(field b reason)" "$(field a reason)"
}

@test "a PutMetricAlarm JSON definition is accepted; AlarmName is ignored; it reads back as key = value" {
	points EC2/CPU 91.5 88 50
	define cpu-json <<'EOF'
{
  "AlarmName": "some-other-name",
  "AlarmDescription": "CPU too high",
  "ActionsEnabled": true,
  "OKActions": ["log:ops/ok"],
  "AlarmActions": ["log:ops/alarms", "exec:/bin/true"],
  "InsufficientDataActions": [],
  "MetricName": "CPU",
  "Namespace": "EC2",
  "Statistic": "Average",
  "Period": 60,
  "Unit": "Percent",
  "EvaluationPeriods": 3,
  "DatapointsToAlarm": 2,
  "Threshold": 80,
  "ComparisonOperator": "GreaterThanThreshold",
  "TreatMissingData": "breaching",
  "Tags": [{"Key": "team", "Value": "ops"}]
}
EOF
	run ls "$A"
	assert_equal "$output" "cpu-json"
	assert_equal "$(definition cpu-json)" "metric = EC2/CPU
statistic = average
period = 60
comparison = >
threshold = 80
evaluation_periods = 3
datapoints_to_alarm = 2
treat_missing_data = breaching
description = CPU too high
alarm_action = log:ops/alarms
alarm_action = exec:/bin/true
ok_action = log:ops/ok
actions_enabled = true
unit = Percent
tag = team=ops"
	assert_state cpu-json ALARM
}

@test "JSON: ExtendedStatistic, CloudWatch comparison names, defaults for DatapointsToAlarm and TreatMissingData" {
	points EC2/CPU 10 20 30
	define p <<'EOF'
{"Namespace":"EC2","MetricName":"CPU","ExtendedStatistic":"p99","Period":60,
 "EvaluationPeriods":3,"Threshold":80.5,"ComparisonOperator":"GreaterThanOrEqualToThreshold"}
EOF
	assert_equal "$(definition p)" "metric = EC2/CPU
statistic = p99
period = 60
comparison = >=
threshold = 80.5
evaluation_periods = 3
datapoints_to_alarm = 3
treat_missing_data = missing
actions_enabled = true"
	assert_state p OK
	assert_contains "$(field p reason)" "Threshold Crossed: 3 out of the last 3 datapoints [10.0 ($(cwtime $((T - 60)))), 20.0 ($(cwtime $((T - 120)))), 30.0 ($(cwtime $((T - 180))))] were not greater than or equal to the threshold (80.5) (minimum 1 datapoint"
}

@test "JSON ActionsEnabled false keeps the actions and reads back actions_enabled = false" {
	define off <<'EOF'
{"Namespace":"EC2","MetricName":"CPU","Statistic":"Maximum","Period":60,"EvaluationPeriods":1,
 "Threshold":1,"ComparisonOperator":"LessThanThreshold","ActionsEnabled":false,
 "AlarmActions":["log:ops/alarms"]}
EOF
	run cat "$A/off"
	assert_contains "$output" "alarm_action = log:ops/alarms"
	assert_contains "$output" "actions_enabled = false"
	json_check "$(cat "$A/off?format=json")" '.ActionsEnabled == false and .AlarmActions == ["log:ops/alarms"]'
}

# ---------------------------------------------------------------------------
# The state right after definition, and the reason

@test "3 breaching minutes of 3: ALARM at once, every datapoint in the reason, newest first" {
	points EC2/CPU 91.5 88 85.25
	cpu_high cpu-high
	assert_state cpu-high ALARM "Threshold Crossed: 3 out of the last 3 datapoints [91.5 ($(cwtime $((T - 60)))), 88.0 ($(cwtime $((T - 120)))), 85.25 ($(cwtime $((T - 180))))] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."
}

@test "2 breaching of 3 with datapoints_to_alarm 2: ALARM; the reason lists the breaching ones" {
	points EC2/CPU 91.5 88 50
	cpu_high cpu-high
	assert_state cpu-high ALARM "Threshold Crossed: 2 out of the last 3 datapoints [91.5 ($(cwtime $((T - 60)))), 88.0 ($(cwtime $((T - 120))))] were greater than the threshold (80.0) (minimum 2 datapoints for OK -> ALARM transition)."
}

@test "1 breaching of 3 with datapoints_to_alarm 2: OK" {
	points EC2/CPU 91.5 50 40
	cpu_high cpu-high
	assert_state cpu-high OK
}

@test "one datapoint: 'Threshold Crossed: 1 datapoint [...] was greater than the threshold'" {
	points EC2/CPU 91.5
	define one <<'EOF'
metric = EC2/CPU
statistic = average
period = 60
comparison = >
threshold = 80
EOF
	assert_state one ALARM "Threshold Crossed: 1 datapoint [91.5 ($(cwtime $((T - 60))))] was greater than the threshold (80.0)."
}

@test "values under the threshold: OK, 'were not greater than', minimum N - M + 1 for ALARM -> OK" {
	points EC2/CPU 10 20.5 30
	define low <<'EOF'
metric = EC2/CPU
statistic = average
period = 60
comparison = >
threshold = 80
evaluation_periods = 3
datapoints_to_alarm = 1
EOF
	assert_state low OK "Threshold Crossed: 3 out of the last 3 datapoints [10.0 ($(cwtime $((T - 60)))), 20.5 ($(cwtime $((T - 120)))), 30.0 ($(cwtime $((T - 180))))] were not greater than the threshold (80.0) (minimum 3 datapoints for ALARM -> OK transition)."
}

@test "numbers in reasons print as Java's doubles: 1.0E7, 0.5" {
	points EC2/Big 20000000
	define big <<'EOF'
metric = EC2/Big
statistic = maximum
period = 60
comparison = >
threshold = 1e7
EOF
	assert_state big ALARM "Threshold Crossed: 1 datapoint [2.0E7 ($(cwtime $((T - 60))))] was greater than the threshold (1.0E7)."
	points EC2/Small 0.5
	define small <<'EOF'
metric = EC2/Small
statistic = maximum
period = 60
comparison = <
threshold = 0.75
EOF
	assert_state small ALARM "Threshold Crossed: 1 datapoint [0.5 ($(cwtime $((T - 60))))] was less than the threshold (0.75)."
}

@test "no data on an existing metric: INSUFFICIENT_DATA, 'Insufficient Data: 3 datapoints were unknown.'" {
	# a point far older than the evaluation range, so the metric exists
	echo "99 $((T - 3600))" >"$MNT/metrics/EC2/CPU"
	cpu_high cpu-high
	assert_state cpu-high INSUFFICIENT_DATA "Insufficient Data: 3 datapoints were unknown."
}

@test "an alarm on a metric that does not exist yet is INSUFFICIENT_DATA, with the unknown-datapoints reason" {
	define ghost <<'EOF'
metric = Nowhere/Nothing
statistic = average
period = 60
comparison = >
threshold = 1
evaluation_periods = 3
EOF
	run ls "$A"
	assert_equal "$output" ghost
	assert_state ghost INSUFFICIENT_DATA "Insufficient Data: 3 datapoints were unknown."
}

@test "ALARM -> INSUFFICIENT_DATA on redefinition onto a metric without data: 'Insufficient Data: 3 datapoints were unknown.'" {
	points EC2/CPU 91.5 88 85
	cpu_high a
	assert_state a ALARM
	define a <<'EOF'
metric = EC2/Empty
statistic = average
period = 60
comparison = >
threshold = 80
evaluation_periods = 3
datapoints_to_alarm = 2
EOF
	assert_state a INSUFFICIENT_DATA "Insufficient Data: 3 datapoints were unknown."
}

@test "statistics by monfs's and CloudWatch's names decide on the right number" {
	# the last complete minute holds 10, 20, 90: samples 3, sum 120,
	# average 40, minimum 10, maximum 90, p99 90
	/bin/printf '%s\n' "10 $((T - 55))" "20 $((T - 50))" "90 $((T - 45))" >"$MNT/metrics/EC2/S"
	local stat thr want value
	while read -r stat thr want value; do
		define "s-$stat" <<EOF
metric = EC2/S
statistic = $stat
period = 60
comparison = >
threshold = $thr
EOF
		assert_state "s-$stat" "$want"
		# percentiles are approximate (within 1 %): their value is not compared
		[ "$value" = - ] || assert_contains "$(field "s-$stat" reason)" "[$value ($(cwtime $((T - 60))))]"
	done <<'EOF'
maximum 50 ALARM 90.0
Maximum 95 OK 90.0
average 50 OK 40.0
Average 39 ALARM 40.0
p99 50 ALARM -
p50 50 OK -
sum 100 ALARM 120.0
Sum 130 OK 120.0
samples 2 ALARM 3.0
SampleCount 3 OK 3.0
minimum 5 ALARM 10.0
Minimum 10 OK 10.0
EOF
}

@test "comparisons by symbol and by CloudWatch's name, at the threshold exactly, with their words" {
	points EC2/CPU 50
	local cmp want words
	while IFS='|' read -r cmp want words; do
		define c <<EOF
metric = EC2/CPU
statistic = average
period = 60
comparison = $cmp
threshold = 50
EOF
		assert_state c "$want" "Threshold Crossed: 1 datapoint [50.0 ($(cwtime $((T - 60))))] $words the threshold (50.0)."
	done <<'EOF'
>|OK|was not greater than
GreaterThanThreshold|OK|was not greater than
>=|ALARM|was greater than or equal to
GreaterThanOrEqualToThreshold|ALARM|was greater than or equal to
<|OK|was not less than
LessThanThreshold|OK|was not less than
<=|ALARM|was less than or equal to
LessThanOrEqualToThreshold|ALARM|was less than or equal to
EOF
}

@test "treat_missing_data with no data: breaching gives ALARM, notBreaching OK, missing INSUFFICIENT_DATA" {
	local t want
	while read -r t want; do
		define "tm-$t" <<EOF
metric = EC2/None
statistic = average
period = 60
comparison = <
threshold = 5
evaluation_periods = 3
treat_missing_data = $t
EOF
		assert_state "tm-$t" "$want"
	done <<'EOF'
breaching ALARM
notBreaching OK
missing INSUFFICIENT_DATA
EOF
}

@test "treat_missing_data ignore with no data keeps the current state" {
	points EC2/CPU 91.5 88 85
	cpu_high a
	assert_state a ALARM
	cpu_high a 'metric = EC2/None
treat_missing_data = ignore'
	assert_state a ALARM
}

@test "some data, breaching fills the gaps: 1 real breaching of 3, filled breaching, M = 3: ALARM" {
	points EC2/CPU 91.5
	cpu_high a 'datapoints_to_alarm = 3
treat_missing_data = breaching'
	assert_state a ALARM
	cpu_high b 'datapoints_to_alarm = 3
treat_missing_data = notBreaching'
	assert_state b OK
}

@test "premature-alarm rule: one breaching datapoint 2 periods back, nothing newer, M = 2, missing: ALARM" {
	points EC2/CPU - 91.5
	cpu_high a
	assert_state a ALARM
}

# ---------------------------------------------------------------------------
# Refused definitions

# refused NAME KEY: the newest PutMetricAlarm record for NAME is an
# InvalidParameterValue whose message names KEY.
refused() {
	local rec
	rec=$(last_put "$1")
	json_check "$rec" '.errorCode == "InvalidParameterValue"'
	json_check "$rec" '.eventSource == "alarms.monfs" and .userIdentity.type == "LocalUser"'
	assert_contains "$(jq -r .errorMessage <<<"$rec")" "$2"
}

@test "refused key = value definitions: EINVAL at close, the old definition stays, the trail names the key" {
	points EC2/CPU 91.5 88 50
	cpu_high x
	local before
	before=$(cat "$A/x")
	sleep 1 # so that a wrongly re-stamped state_updated would show

	fails_with "Invalid argument" define x <<<$'metric = EC2/CPU\nstatistic = average\nperiod = 60\ncomparison = >\nthreshold = 1\nbogus = 1'
	refused x bogus
	assert_equal "$(cat "$A/x")" "$before"

	fails_with "Invalid argument" define x <<<$'metric = EC2/CPU\nstatistic = average\nperiod = 7\ncomparison = >\nthreshold = 1'
	refused x period
	assert_equal "$(cat "$A/x")" "$before"

	fails_with "Invalid argument" define x <<<$'metric = EC2/CPU\nstatistic = average\nperiod = 60\ncomparison = >\nthreshold = 1\nevaluation_periods = 2\ndatapoints_to_alarm = 3'
	refused x datapoints_to_alarm
	assert_equal "$(cat "$A/x")" "$before"

	fails_with "Invalid argument" define x <<<$'metric = EC2/CPU\nstatistic = average\nperiod = 60\ncomparison = >\nthreshold = 1\nalarm_action = arn:aws:sns:us-east-1:123456789012:ops'
	refused x alarm_action
	assert_equal "$(cat "$A/x")" "$before"

	fails_with "Invalid argument" define x <<<$'metric = EC2/CPU\nstatistic = max\nperiod = 60\ncomparison = >\nthreshold = 1'
	refused x statistic
	fails_with "Invalid argument" define x <<<$'metric = EC2/CPU\nstatistic = average\nperiod = 60\ncomparison = =\nthreshold = 1'
	refused x comparison
	fails_with "Invalid argument" define x <<<$'metric = EC2/CPU\nstatistic = average\nperiod = 60\ncomparison = >\nthreshold = 1\ntreat_missing_data = sometimes'
	refused x treat_missing_data
	fails_with "Invalid argument" define x <<<$'metric = EC2/CPU\nstatistic = average\nperiod = 60\ncomparison = >\nthreshold = 1\nalarm_action = exec:relative/page'
	refused x alarm_action
	assert_equal "$(cat "$A/x")" "$before"
}

@test "refused JSON definitions: a bad Dimensions member, Metrics, ThresholdMetricId, an SNS ARN, an unknown member" {
	points EC2/CPU 91.5 88 50
	cpu_high x
	local before base
	before=$(cat "$A/x")
	base='"Namespace":"EC2","MetricName":"CPU","Statistic":"Average","Period":60,"EvaluationPeriods":1,"Threshold":1,"ComparisonOperator":"GreaterThanThreshold"'

	fails_with "Invalid argument" define x <<<"{$base,\"Dimensions\":[{\"Name\":\"InstanceId\"}]}"
	refused x 'Dimensions[0]'
	fails_with "Invalid argument" define x <<<'{"Metrics":[{"Id":"m1","Expression":"1"}],"EvaluationPeriods":1,"Threshold":1,"ComparisonOperator":"GreaterThanThreshold"}'
	refused x Metrics
	fails_with "Invalid argument" define x <<<"{$base,\"ThresholdMetricId\":\"ad1\"}"
	refused x ThresholdMetricId
	fails_with "Invalid argument" define x <<<"{$base,\"AlarmActions\":[\"arn:aws:sns:us-east-1:123456789012:ops\"]}"
	refused x AlarmActions
	fails_with "Invalid argument" define x <<<"{$base,\"Bogus\":1}"
	refused x Bogus
	fails_with "Invalid argument" define x <<<"{$base,\"DatapointsToAlarm\":2}"
	refused x DatapointsToAlarm
	assert_equal "$(cat "$A/x")" "$before"
}

# aws_cli: the AWS CLI to take skeletons from: Debian's awscli 2.x
# (/usr/bin/aws) where it is, else whichever aws is on the PATH.
aws_cli() {
	if [ -x /usr/bin/aws ]; then
		echo /usr/bin/aws
	else
		command -v aws
	fi
}

# skeleton FILE: `aws cloudwatch put-metric-alarm --generate-cli-skeleton
# input` into FILE, with the required members filled in as a user would
# fill them, with jq. The CLI needs no network and no credentials for it.
skeleton() {
	local home="$BATS_TEST_TMPDIR/aws-home" cli
	cli=$(aws_cli) || {
		echo "no aws CLI installed (Debian: apt-get install awscli)"
		return 1
	}
	mkdir -p "$home"
	HOME="$home" AWS_DEFAULT_REGION=us-east-1 AWS_PAGER= \
		"$cli" cloudwatch put-metric-alarm --generate-cli-skeleton input \
		>"$1.raw" || return 1
	jq '.Namespace = "EC2" | .MetricName = "CPU" | .Statistic = "Average"
		| .Period = 60 | .EvaluationPeriods = 3 | .Threshold = 80
		| .ComparisonOperator = "GreaterThanThreshold"' "$1.raw" >"$1"
}

@test "the AWS CLI's skeleton, its required members filled in with jq, is accepted as it is" {
	local sk="$BATS_TEST_TMPDIR/skeleton.json"
	skeleton "$sk"
	# the skeleton leaves members empty: "", [""], [{"Name":"","Value":""}], 0
	json_check "$(cat "$sk")" '.AlarmActions == [""] and .Dimensions == [{"Name":"","Value":""}]
		and .DatapointsToAlarm == 0 and (.Metrics | length) == 1'
	define x <"$sk"
	assert_state x INSUFFICIENT_DATA
	assert_equal "$(field x metric)" EC2/CPU
	assert_equal "$(field x evaluation_periods)" 3
	assert_equal "$(field x datapoints_to_alarm)" 3
	assert_equal "$(field x treat_missing_data)" missing
	[ -z "$(field x alarm_action)" ]
	json_check "$(last_put x)" 'has("errorCode") | not'
}

@test "a skeleton with EvaluationCriteria filled in is refused, naming it as not supported" {
	local sk="$BATS_TEST_TMPDIR/skeleton.json"
	skeleton "$sk"
	jq '.EvaluationCriteria = {"PromQLCriteria": {"Query": "up == 0"}}' "$sk" >"$sk.2"
	fails_with "Invalid argument" define x <"$sk.2"
	refused x "EvaluationCriteria: not supported yet"
	run ls "$A"
	assert_equal "$output" ""
	jq '.EvaluationInterval = 60' "$sk" >"$sk.3"
	fails_with "Invalid argument" define x <"$sk.3"
	refused x "EvaluationInterval: not supported yet"
}

@test "every error of a JSON definition is reported at once, one per line of errorMessage" {
	local sk="$BATS_TEST_TMPDIR/skeleton.json"
	skeleton "$sk"
	jq '.Period = 7 | .Metrics[0].Id = "m1" | .Bogus = 1' "$sk" >"$sk.2"
	fails_with "Invalid argument" define x <"$sk.2"
	local msg
	msg=$(last_put x | jq -r .errorMessage)
	assert_equal "$(printf '%s\n' "$msg" | grep -c '^')" 3
	assert_equal "$(printf '%s\n' "$msg" | grep -c '^Period: "7" is not 1, 5, 10, 20, 30 or a multiple of 60$')" 1
	assert_equal "$(printf '%s\n' "$msg" | grep -c '^Metrics: not supported yet')" 1
	assert_equal "$(printf '%s\n' "$msg" | grep -c '^"Bogus" is not a member of PutMetricAlarm$')" 1
}

@test "an empty Dimensions list in JSON is accepted" {
	define d <<<'{"Namespace":"EC2","MetricName":"CPU","Statistic":"Average","Period":60,"EvaluationPeriods":1,"Threshold":1,"ComparisonOperator":"GreaterThanThreshold","Dimensions":[]}'
	assert_state d INSUFFICIENT_DATA
}

@test "a refused definition of a new name makes no alarm" {
	fails_with "Invalid argument" define nope <<<$'metric = EC2/CPU\nperiod = 7'
	run ls "$A"
	assert_equal "$output" ""
	fails_with "No such file or directory" cat "$A/nope"
}

@test "a shell builtin's echo bad > alarms/y shows nothing, but the trail says why and nothing is defined" {
	run bash -c "echo bad > '$A/y'"
	assert_equal "$status" 0
	assert_equal "$output" ""
	run ls "$A"
	assert_equal "$output" ""
	refused y bad
	# and over an existing alarm: it stays as it was
	cpu_high x
	local before
	before=$(cat "$A/x")
	run bash -c "echo 'period = 7' > '$A/x'"
	assert_equal "$status" 0
	refused x period
	assert_equal "$(cat "$A/x")" "$before"
}

@test "touch alarms/probe, or an empty open and close, makes nothing" {
	succeeds touch "$A/probe"
	run ls "$A"
	assert_equal "$output" ""
	fails_with "No such file or directory" cat "$A/probe"
	: >"$A/probe2"
	run ls "$A"
	assert_equal "$output" ""
}

@test "an exec: target the writer cannot execute is refused with EACCES at close, recorded as AccessDenied" {
	/bin/printf '#!/bin/sh\nexit 0\n' >"$BATS_TEST_TMPDIR/noexec"
	chmod 0644 "$BATS_TEST_TMPDIR/noexec"
	fails_with "Permission denied" define x <<EOF
metric = EC2/CPU
statistic = average
period = 60
comparison = >
threshold = 1
alarm_action = exec:$BATS_TEST_TMPDIR/noexec
EOF
	run ls "$A"
	assert_equal "$output" ""
	json_check "$(last_put x)" '.errorCode == "AccessDenied" and (.errorMessage | contains("noexec"))'
}

@test "an exec: target that does not exist is EINVAL at close; the trail names the path: 'no such file'" {
	fails_with "Invalid argument" define x <<EOF
metric = EC2/CPU
statistic = average
period = 60
comparison = >
threshold = 1
alarm_action = exec:/usr/bin/pagr
EOF
	run ls "$A"
	assert_equal "$output" ""
	json_check "$(last_put x)" '.errorCode == "InvalidParameterValue"
		and .errorMessage == "exec:/usr/bin/pagr: no such file"'
}

@test "an exec: target that is a directory or not executable says so" {
	local base=$'metric = EC2/CPU\nstatistic = average\nperiod = 60\ncomparison = >\nthreshold = 1'
	fails_with "Invalid argument" define x <<<"$base"$'\nalarm_action = exec:/usr/bin'
	json_check "$(last_put x)" '.errorCode == "InvalidParameterValue"
		and (.errorMessage | endswith("exec:/usr/bin: a directory, not a program"))'
	/bin/printf '#!/bin/sh\nexit 0\n' >"$BATS_TEST_TMPDIR/noexec"
	chmod 0644 "$BATS_TEST_TMPDIR/noexec"
	fails_with "Permission denied" define x <<<"$base"$'\nalarm_action = exec:'"$BATS_TEST_TMPDIR/noexec"
	json_check "$(last_put x)" '.errorCode == "AccessDenied"
		and (.errorMessage | endswith("/noexec: not executable (mode 0644 has no x bit)"))'
}

# ---------------------------------------------------------------------------
# Redefining, deleting, listing

@test "redefining keeps state and history and evaluates at once" {
	points EC2/CPU 91.5 88 85
	cpu_high x
	assert_state x ALARM
	local upd reason
	upd=$(field x state_updated)
	reason=$(field x reason)
	sleep 1
	# same verdict: the state, its reason and its time are kept
	cpu_high x 'description = now with a description'
	assert_state x ALARM "$reason"
	assert_equal "$(field x state_updated)" "$upd"
	assert_equal "$(field x description)" "now with a description"
	# a new threshold: evaluated again at once, OK
	cpu_high x 'threshold = 95'
	assert_state x OK
	run history x
	[ "$status" -eq 0 ]
	assert_equal "$(jq -r '.HistoryItemType' <<<"$output" | tr '\n' ' ')" \
		"ConfigurationUpdate StateUpdate ConfigurationUpdate ConfigurationUpdate StateUpdate "
	json_check "$(sed -n 5p <<<"$output")" '.HistoryData | fromjson | .oldState.stateValue == "ALARM" and .newState.stateValue == "OK"'
}

@test "rm alarms/x deletes it and records DeleteAlarms; ls alarms lists the defined alarms" {
	cpu_high a
	cpu_high b
	cpu_high 'c d'
	run ls "$A"
	assert_equal "$output" "a
b
c d"
	succeeds rm "$A/b"
	run ls "$A"
	assert_equal "$output" "a
c d"
	fails_with "No such file or directory" cat "$A/b"
	json_check "$(trail | jq -c 'select(.eventName == "DeleteAlarms")' | tail -n 1)" \
		'.eventSource == "alarms.monfs" and (.requestParameters | tostring | contains("\"b\"")) and (has("errorCode") | not)'
	fails_with "No such file or directory" rm "$A/b"
}

# ---------------------------------------------------------------------------
# Views

@test "alarms/x?format=json is DescribeAlarms' MetricAlarm" {
	points EC2/CPU 91.5 88 50
	cpu_high cpu-high 'description = CPU too high'
	local j
	j=$(cat "$A/cpu-high?format=json")
	json_check "$j" '.AlarmName == "cpu-high" and .StateValue == "ALARM"'
	json_check "$j" '.MetricName == "CPU" and .Namespace == "EC2" and .Statistic == "Average"'
	json_check "$j" '.Threshold == 80 and .ComparisonOperator == "GreaterThanThreshold"'
	json_check "$j" '.EvaluationPeriods == 3 and .DatapointsToAlarm == 2 and .Period == 60'
	json_check "$j" '.TreatMissingData == "missing" and .AlarmDescription == "CPU too high" and .ActionsEnabled == true'
	assert_equal "$(jq -r .StateReason <<<"$j")" "$(field cpu-high reason)"
	define p99 <<'EOF'
metric = EC2/CPU
statistic = p99
period = 60
comparison = <=
threshold = 1
EOF
	json_check "$(cat "$A/p99?format=json")" '.ExtendedStatistic == "p99" and .ComparisonOperator == "LessThanOrEqualToThreshold"'
	assert_equal "$(cat "$A/cpu-high?format=text")" "$(cat "$A/cpu-high")"
}

@test "alarms/x?view=history: JSON lines, newest last, whose HistoryData parses" {
	points EC2/CPU 91.5 88 50
	cpu_high x
	run history x
	[ "$status" -eq 0 ]
	assert_equal "$(wc -l <<<"$output")" 2
	while read -r line; do
		json_check "$line" '.AlarmName == "x" and (.Timestamp | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$"))'
		json_check "$line" '(.HistorySummary | type) == "string" and (.HistoryData | type) == "string"'
		json_check "$line" '.HistoryData | fromjson | type == "object"'
	done <<<"$output"
	json_check "$(sed -n 1p <<<"$output")" '.HistoryItemType == "ConfigurationUpdate"'
	json_check "$(sed -n 2p <<<"$output")" '.HistoryItemType == "StateUpdate" and (.HistorySummary | contains("INSUFFICIENT_DATA to ALARM"))'
	json_check "$(sed -n 2p <<<"$output")" '.HistoryData | fromjson | .newState.stateValue == "ALARM" and .oldState.stateValue == "INSUFFICIENT_DATA"'
	# timestamps never go backwards
	assert_equal "$(jq -r .Timestamp <<<"$output")" "$(jq -r .Timestamp <<<"$output" | sort)"
}

@test "bad alarm view keys are EINVAL; views are not listed; opening a view for writing is EPERM" {
	cpu_high x
	local q
	for q in 'bogus=1' 'view=foo' 'format=xml' 'period=60' 'since=-1h' 'stat=average' 'filter=x' 'format=json&format=json' 'format='; do
		fails_with "Invalid argument" cat "$A/x?$q"
	done
	run ls "$A"
	assert_equal "$output" x
	fails_with "Operation not permitted" write_to "$A/x?format=json" 'x\n'
	fails_with "Operation not permitted" append_to "$A/x?view=history" 'x\n'
	fails_with "Operation not permitted" cp /dev/null "$A/x?format=text"
	fails_with "No such file or directory" cat "$A/nope?format=json"
	assert_state x INSUFFICIENT_DATA
}

# ---------------------------------------------------------------------------
# Actions

@test "alarm_action = log:ops/alarms: one JSON line, SNS notification fields, after the transition" {
	points EC2/CPU 91.5 88 50
	cpu_high cpu-high 'description = CPU too high
alarm_action = log:ops/alarms
ok_action = log:ops/ok'
	local S="$MNT/logs/ops/alarms" line
	eventually "$ACTION_DEADLINE_S" '[ -s "$S" ]'
	sleep 1 # a second line would show by now
	run cat "$S"
	assert_equal "$(wc -l <<<"$output")" 1
	line=$output
	json_check "$line" '.AlarmName == "cpu-high" and .AlarmDescription == "CPU too high"'
	json_check "$line" '.NewStateValue == "ALARM" and .OldStateValue == "INSUFFICIENT_DATA"'
	assert_equal "$(jq -r .NewStateReason <<<"$line")" "$(field cpu-high reason)"
	assert_contains "$(jq -r .StateChangeTime <<<"$line")" "$(field cpu-high state_updated | sed 's/Z$//')"
	# the OK action did not run: no OK transition
	[ ! -e "$MNT/logs/ops/ok" ]
	eventually "$ACTION_DEADLINE_S" 'history cpu-high | jq -e "select(.HistoryItemType == \"Action\") | .HistorySummary | contains(\"log:ops/alarms\")" >/dev/null'
}

@test "exec: runs the program with MONFS_* in its environment and the JSON line on stdin, as the writer" {
	local hook="$BATS_TEST_TMPDIR/hook" out="$BATS_TEST_TMPDIR/hook.out"
	write_hook "$hook" "$out"
	points EC2/CPU 91.5 88 50
	cpu_high pager "description = page me
alarm_action = exec:$hook"
	eventually "$ACTION_DEADLINE_S" '[ -e "$out" ]'
	local reason upd
	reason=$(field pager reason)
	upd=$(field pager state_updated)
	run sed -n 's/^ALARM=//p' "$out"
	assert_equal "$output" pager
	run sed -n 's/^STATE=//p' "$out"
	assert_equal "$output" ALARM
	run sed -n 's/^OLD=//p' "$out"
	assert_equal "$output" INSUFFICIENT_DATA
	run sed -n 's/^REASON=//p' "$out"
	assert_equal "$output" "$reason"
	run sed -n 's/^TIME=//p' "$out"
	assert_contains "$output" "${upd%Z}"
	run sed -n 's/^UID=//p' "$out"
	assert_equal "$output" "$(id -u)"
	run sed -n 's/^STDIN=//p' "$out"
	json_check "$output" '.AlarmName == "pager" and .NewStateValue == "ALARM" and .OldStateValue == "INSUFFICIENT_DATA" and .AlarmDescription == "page me"'
	assert_equal "$(jq -r .NewStateReason <<<"$output")" "$reason"
	eventually "$ACTION_DEADLINE_S" 'history pager | jq -e "select(.HistoryItemType == \"Action\") | .HistorySummary | contains(\"exec:\")" >/dev/null'
}

@test "actions_enabled = false runs no action" {
	local hook="$BATS_TEST_TMPDIR/hook" out="$BATS_TEST_TMPDIR/hook.out"
	local hook2="$BATS_TEST_TMPDIR/hook2" out2="$BATS_TEST_TMPDIR/hook2.out"
	write_hook "$hook" "$out"
	write_hook "$hook2" "$out2"
	points EC2/CPU 91.5 88 50
	cpu_high quiet "alarm_action = log:ops/quiet
alarm_action = exec:$hook
actions_enabled = false"
	# a control alarm, defined after it, whose actions do run
	cpu_high loud "alarm_action = log:ops/loud
alarm_action = exec:$hook2"
	assert_state quiet ALARM
	assert_state loud ALARM
	eventually "$ACTION_DEADLINE_S" '[ -e "$out2" ] && [ -s "$MNT/logs/ops/loud" ]'
	sleep 2
	[ ! -e "$out" ]
	[ ! -e "$MNT/logs/ops/quiet" ]
	run history quiet
	[ "$status" -eq 0 ]
	[[ "$output" != *'"Action"'* ]]
}

@test "state changes are in the trail as AlarmStateChange by AWSService, eventType AwsServiceEvent" {
	points EC2/CPU 91.5 88 50
	cpu_high cpu-high
	local rec
	rec=$(trail | jq -c 'select(.eventName == "AlarmStateChange")' | tail -n 1)
	json_check "$rec" '.eventSource == "alarms.monfs" and .eventType == "AwsServiceEvent"'
	json_check "$rec" '.userIdentity.type == "AWSService" and .userIdentity.invokedBy == "monfs"'
	json_check "$rec" 'tostring | contains("cpu-high")'
	json_check "$rec" 'tostring | contains("INSUFFICIENT_DATA") and contains("ALARM")'
	json_check "$(last_put cpu-high)" '(has("errorCode") | not) and .userIdentity.type == "LocalUser" and .eventType == "AwsApiCall"'
	# a redefinition with the same verdict is no state change
	cpu_high cpu-high 'description = same verdict'
	assert_equal "$(trail | jq -c 'select(.eventName == "AlarmStateChange")' | wc -l)" 1
}

# ---------------------------------------------------------------------------
# Evaluation as time passes, and across a remount

@test "a transition observed live: period 10, data arrives, INSUFFICIENT_DATA becomes ALARM" {
	define live <<'EOF'
metric = EC2/Live
statistic = maximum
period = 10
comparison = >
threshold = 50
evaluation_periods = 1
alarm_action = log:ops/live
EOF
	assert_state live INSUFFICIENT_DATA
	local deadline=$((SECONDS + 40))
	while :; do
		echo 99 >>"$MNT/metrics/EC2/Live"
		[ "$(field live state)" = ALARM ] && break
		if ((SECONDS >= deadline)); then
			echo "alarm live did not reach ALARM within 40 s:"
			cat "$A/live"
			return 1
		fi
		sleep 1
	done
	assert_contains "$(field live reason)" "Threshold Crossed: 1 datapoint [99.0 ("
	assert_contains "$(field live reason)" "was greater than the threshold (50.0)."
	eventually "$ACTION_DEADLINE_S" '[ -s "$MNT/logs/ops/live" ]'
	json_check "$(head -n 1 "$MNT/logs/ops/live")" '.NewStateValue == "ALARM" and .OldStateValue == "INSUFFICIENT_DATA"'
}

@test "definitions, state, reason and history survive unmount and mount" {
	points EC2/CPU 91.5 88 50
	cpu_high cpu-high 'alarm_action = log:ops/alarms
tag = team=ops'
	define other <<<'{"Namespace":"EC2","MetricName":"None","Statistic":"Average","Period":60,"EvaluationPeriods":1,"Threshold":1,"ComparisonOperator":"GreaterThanThreshold"}'
	assert_state cpu-high ALARM
	eventually "$ACTION_DEADLINE_S" '[ -s "$MNT/logs/ops/alarms" ]'
	local before hist
	before=$(cat "$A/cpu-high")
	hist=$(history cpu-high)
	remount
	run ls "$A"
	assert_equal "$output" "cpu-high
other"
	assert_equal "$(cat "$A/cpu-high")" "$before"
	# the history kept, newest last; nothing changed, so nothing added
	assert_equal "$(history cpu-high)" "$hist"
	assert_state other INSUFFICIENT_DATA
	# no second notification: the state did not change
	assert_equal "$(wc -l <"$MNT/logs/ops/alarms")" 1
}

# ---------------------------------------------------------------------------
# No silent caps: the longest fields, and any number of alarms and actions

@test "a 255-byte name, a 1024-byte description and 30 datapoints reach log: and exec: whole, as JSON" {
	local hook="$BATS_TEST_TMPDIR/hook" out="$BATS_TEST_TMPDIR/hook.out"
	local name desc i vals=() reason line
	# dash's echo would mangle the backslashes: keep every byte as given
	cat >"$hook" <<EOF
#!/bin/sh
printf '%s\n' "\$MONFS_ALARM" >"$out.alarm"
printf '%s\n' "\$MONFS_REASON" >"$out.reason"
cat >"$out.tmp"
mv "$out.tmp" "$out"
EOF
	chmod 755 "$hook"
	name=$(printf 'n%.0s' {1..255})
	desc=$(for i in {1..128}; do printf 'd%03d \\x/' "$i"; done)
	assert_equal "${#desc}" 1024
	for i in {1..30}; do vals+=($((90 + i))); done
	points EC2/CPU "${vals[@]}"
	cpu_high "$name" "evaluation_periods = 30
datapoints_to_alarm = 30
description = $desc
alarm_action = log:ops/long
alarm_action = exec:$hook"
	assert_state "$name" ALARM
	reason=$(field "$name" reason)
	assert_contains "$reason" "Threshold Crossed: 30 out of the last 30 datapoints [91.0 ("
	assert_contains "$reason" ", 120.0 ("
	[[ "$reason" != *...* ]]
	eventually "$ACTION_DEADLINE_S" '[ -s "$MNT/logs/ops/long" ] && [ -e "$out" ]'
	line=$(cat "$MNT/logs/ops/long")
	assert_equal "$(wc -l <<<"$line")" 1
	assert_equal "$(jq -r .AlarmName <<<"$line")" "$name"
	assert_equal "$(jq -r .AlarmDescription <<<"$line")" "$desc"
	assert_equal "$(jq -r .NewStateReason <<<"$line")" "$reason"
	assert_equal "$(cat "$out")" "$line"
	assert_equal "$(cat "$out.reason")" "$reason"
	assert_equal "$(cat "$out.alarm")" "$name"
}

# live_alarms N ACTION...: alarms live-1 .. live-N on EC2/Live, period 10,
# maximum > 50, each with the action lines given; no data yet.
live_alarms() {
	local n=$1 i
	shift
	for ((i = 1; i <= n; i++)); do
		/bin/printf '%s\n' "metric = EC2/Live" "statistic = maximum" \
			"period = 10" "comparison = >" "threshold = 50" "$@" \
			>"$A/live-$i" || return 1
	done
}

# live_until_alarm N: feed EC2/Live a breaching point each second until
# alarms live-1 .. live-N are all in ALARM (each within 40 s).
live_until_alarm() {
	local deadline=$((SECONDS + 40)) n
	while :; do
		echo 99 >>"$MNT/metrics/EC2/Live"
		n=$(grep -l '^state = ALARM$' "$A"/live-* | wc -l)
		[ "$n" -eq "$1" ] && return 0
		if ((SECONDS >= deadline)); then
			echo "$n of $1 alarms reached ALARM within 40 s"
			return 1
		fi
		sleep 1
	done
}

@test "100 alarms due in the same tick all act: the log stream gets 100 lines" {
	live_alarms 100 "alarm_action = log:ops/many"
	assert_state live-100 INSUFFICIENT_DATA
	live_until_alarm 100
	eventually "$ACTION_DEADLINE_S" '[ "$(wc -l <"$MNT/logs/ops/many")" -ge 100 ]'
	sleep 1 # a 101st line would show by now
	assert_equal "$(wc -l <"$MNT/logs/ops/many")" 100
	assert_equal "$(jq -r .AlarmName "$MNT/logs/ops/many" | sort -u | wc -l)" 100
}

@test "100 exec: programs alive at once are all reaped, each with its history item" {
	local hook="$BATS_TEST_TMPDIR/slow" i
	printf '#!/bin/sh\nsleep 3\necho "$MONFS_ALARM" >>"%s"\n' "$BATS_TEST_TMPDIR/ran" >"$hook"
	chmod 755 "$hook"
	live_alarms 100 "alarm_action = exec:$hook"
	live_until_alarm 100
	eventually "$ACTION_DEADLINE_S" '[ -e "$BATS_TEST_TMPDIR/ran" ] && [ "$(wc -l <"$BATS_TEST_TMPDIR/ran")" -eq 100 ]'
	for ((i = 1; i <= 100; i++)); do
		eventually "$ACTION_DEADLINE_S" "history live-$i | grep -q '\"HistorySummary\":\"Successfully executed action exec:$hook\"'"
	done
	# reaped: no zombie of the daemon's is left
	run ps -o pid=,stat= --ppid "$MONFS_MAIN_PID"
	[[ "$output" != *Z* ]]
}

@test "after 5,000 alarms made and deleted in turn, a new alarm is still evaluated and acts" {
	local batch i start=$SECONDS
	# In batches of 1,000 that the evaluator sweeps whole (every 250 ms),
	# so that it meets 5,000 ids (past the old table of 4,096) and forgets
	# each once deleted; the unit test alarm_due goes one alarm at a time.
	for batch in 1 2 3 4 5; do
		for ((i = 1; i <= 1000; i++)); do
			printf '%s\n' "metric = EC2/Gone" "statistic = maximum" \
				"period = 10" "comparison = >" "threshold = 1" \
				>"$A/gone-$i"
		done
		assert_equal "$(ls "$A" | wc -l)" 1000
		sleep 0.6
		rm -- "$A"/gone-*
	done
	echo "# 5,000 alarms made and deleted in $((SECONDS - start)) s" >&3
	live_alarms 1 "alarm_action = log:ops/after"
	live_until_alarm 1
	eventually "$ACTION_DEADLINE_S" '[ -s "$MNT/logs/ops/after" ]'
	json_check "$(cat "$MNT/logs/ops/after")" '.AlarmName == "live-1" and .NewStateValue == "ALARM"'
}
