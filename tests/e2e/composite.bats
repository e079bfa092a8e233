#!/usr/bin/env bats
# Composite alarms (SPEC 12): a rule over other alarms' states, written
# to alarms/NAME as `rule = ...` or as PutCompositeAlarm's JSON; what a
# rule may name; the alarms it names may not go; and its state, reason,
# history, trail records and actions follow theirs.
#
# Children whose state only needs to be given are metric alarms on a
# metric with no data, where treat_missing_data alone decides at once:
# `breaching` is ALARM, `notBreaching` OK. The test that drives children
# through every state writes live points to 10-second periods and polls
# with generous deadlines: nothing here is timed.

load helpers

DEADLINE_S="${MONFS_ACTION_DEADLINE_S:-30}"
# A live child leaves ALARM or OK for INSUFFICIENT_DATA once its whole
# evaluation range (3 periods of 10 s) has no data: allow for slow hosts.
QUIET_DEADLINE_S=120

setup() {
	monfs_paths
	mount_monfs
	A="$MNT/alarms"
	mkdir "$MNT/metrics/EC2"
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

# given NAME STATE: a metric alarm that is STATE (ALARM or OK) at once,
# on a metric without data.
given() {
	local missing=breaching
	[ "$2" = OK ] && missing=notBreaching
	/bin/printf '%s\n' "metric = EC2/Quiet" "statistic = maximum" \
		"period = 60" "comparison = >" "threshold = 80" \
		"treat_missing_data = $missing" | define "$1"
}

# live NAME METRIC: an alarm on the maximum of EC2/METRIC over 10-second
# periods, ALARM above 50, deciding on one datapoint, INSUFFICIENT_DATA
# when there is none.
live() {
	/bin/printf '%s\n' "metric = EC2/$2" "statistic = maximum" "period = 10" \
		"comparison = >" "threshold = 50" "evaluation_periods = 1" | define "$1"
}

# field NAME KEY: the value of "KEY = ..." in the reading of alarms/NAME.
field() {
	local out
	out=$(cat -- "$A/$1") || return 1
	printf '%s\n' "$out" | sed -n "s/^$2 = //p"
}

# is NAME STATE [REASON]: alarms/NAME reads state = STATE (and reason =
# REASON when given); quiet, for eventually.
is() {
	[ "$(field "$1" state)" = "$2" ] || return 1
	[ $# -lt 3 ] || [ "$(field "$1" reason)" = "$3" ]
}

# drive "METRIC=VALUE ..." NAME STATE: write each VALUE to its EC2/METRIC
# every second until alarms/NAME is STATE (a new 10-second period has to
# end first); a metric not written to goes quiet.
drive() {
	local deadline=$((SECONDS + QUIET_DEADLINE_S)) mv
	while ! is "$2" "$3"; do
		if ((SECONDS >= deadline)); then
			echo "alarms/$2 did not reach $3 within $QUIET_DEADLINE_S s:"
			cat "$A/$2"
			return 1
		fi
		for mv in $1; do
			echo "${mv#*=}" >>"$MNT/metrics/EC2/${mv%%=*}"
		done
		sleep 1
	done
}

# settle NAME STATE REASON: alarms/NAME comes to STATE with REASON.
settle() {
	eventually "$DEADLINE_S" "is '$1' '$2' '$3'" || {
		cat "$A/$1"
		return 1
	}
}

# trail: every record of every day file (a test may straddle midnight UTC).
trail() {
	cat "$MNT"/trail/*
}

# last_put NAME: the newest PutMetricAlarm or PutCompositeAlarm record
# for alarm NAME.
last_put() {
	trail | jq -c --arg n "$1" \
		'select((.eventName == "PutMetricAlarm" or .eventName == "PutCompositeAlarm") and .requestParameters.alarmName == $n)' | tail -n 1
}

# refused NAME TEXT: the newest put of NAME was refused as invalid, and
# its errorMessage holds TEXT.
refused() {
	local rec
	rec=$(last_put "$1")
	json_check "$rec" '.errorCode == "InvalidParameterValue"' || return 1
	assert_contains "$(jq -r .errorMessage <<<"$rec")" "$2"
}

# ---------------------------------------------------------------------------
# Definitions

@test "rule = makes a composite: it reads back rule = first, then description, actions, tags and its state" {
	given a ALARM
	given b OK
	define c <<'EOF'
rule = ALARM(a) AND NOT OK(b)
description = a is up and b is not fine
alarm_action = log:ops/composite
tag = team=ops
EOF
	run cat "$A/c"
	assert_equal "$output" "rule = ALARM(a) AND NOT OK(b)
description = a is up and b is not fine
alarm_action = log:ops/composite
actions_enabled = true
tag = team=ops
state = OK
reason = Rule false
state_updated = $(field c state_updated)"
	json_check "$(last_put c)" '.eventName == "PutCompositeAlarm" and (has("errorCode") | not)'
	json_check "$(last_put c)" '(.requestParameters | has("namespace") or has("metricName")) | not'
}

@test "PutCompositeAlarm's JSON is accepted and reads back, as key = value and as CompositeAlarm" {
	given cpu-high ALARM
	given 'disk full' ALARM
	define web <<'EOF'
{
  "AlarmName": "ignored",
  "AlarmRule": "ALARM(cpu-high) AND ALARM(\"disk full\")",
  "AlarmDescription": "web is in trouble",
  "ActionsEnabled": true,
  "AlarmActions": ["log:ops/web"],
  "OKActions": [],
  "InsufficientDataActions": [],
  "Tags": [{"Key": "team", "Value": "web"}]
}
EOF
	# a value holding quotes reads back quoted, as kv writes it
	assert_equal "$(field web rule)" '"ALARM(cpu-high) AND ALARM(\"disk full\")"'
	assert_equal "$(field web description)" "web is in trouble"
	assert_equal "$(field web state)" ALARM
	assert_equal "$(field web reason)" "Rule true: cpu-high is ALARM, disk full is ALARM"
	local j
	j=$(cat "$A/web?format=json")
	json_check "$j" '.AlarmName == "web" and .AlarmRule == "ALARM(cpu-high) AND ALARM(\"disk full\")"'
	json_check "$j" '.StateValue == "ALARM" and .StateReason == "Rule true: cpu-high is ALARM, disk full is ALARM"'
	json_check "$j" '.AlarmActions == ["log:ops/web"] and .ActionsEnabled == true and .AlarmDescription == "web is in trouble"'
	json_check "$j" '(has("MetricName") or has("Namespace") or has("Threshold")) | not'
	json_check "$(last_put web)" '.eventName == "PutCompositeAlarm" and (has("errorCode") | not)'
}

@test "a rule naming an alarm that does not exist: EINVAL at close, the trail names it, nothing is made" {
	given a ALARM
	fails_with "Invalid argument" define c <<<'rule = ALARM(a) OR ALARM(nope)'
	refused c 'no alarm named "nope"'
	fails_with "No such file or directory" cat "$A/c"
}

@test "a rule naming its own alarm is a cycle: EINVAL, named" {
	given a ALARM
	fails_with "Invalid argument" define c <<<'rule = ALARM(a) AND NOT ALARM(c)'
	refused c "cycle: c -> c"
	fails_with "No such file or directory" cat "$A/c"
}

@test "two composites naming each other are a cycle: EINVAL, named; the old rule stays" {
	given a ALARM
	define c1 <<<'rule = ALARM(a)'
	define c2 <<<'rule = ALARM(c1)'
	fails_with "Invalid argument" define c1 <<<'rule = ALARM(c2)'
	refused c1 "cycle: c1 -> c2 -> c1"
	assert_equal "$(field c1 rule)" "ALARM(a)"
	assert_equal "$(field c1 state)" ALARM
}

@test "a rule with bad syntax: EINVAL, the trail gives the position" {
	given a ALARM
	fails_with "Invalid argument" define c <<<'rule = ALARM(a) AND (OK(a)'
	refused c "rule"
	refused c "position"
	# refused, it is on the record as the request it was meant as
	json_check "$(last_put c)" '.eventName == "PutCompositeAlarm"'
	fails_with "Invalid argument" define c <<<'rule = alarm(a)'
	refused c "position 1"
	fails_with "No such file or directory" cat "$A/c"
}

# ---------------------------------------------------------------------------
# What a rule names may not go

@test "rm of an alarm a rule names: EBUSY naming the composite, ResourceInUseException; the alarm stays" {
	given a ALARM
	define c <<<'rule = ALARM(a)'
	fails_with "Device or resource busy" rm "$A/a"
	assert_equal "$(field a state)" ALARM
	local rec
	rec=$(trail | jq -c 'select(.eventName == "DeleteAlarms" and (.requestParameters | tostring | contains("\"a\"")))' | tail -n 1)
	json_check "$rec" '.errorCode == "ResourceInUseException"'
	assert_contains "$(jq -r .errorMessage <<<"$rec")" 'composite alarm "c"'
	# renamed away it would go as well
	fails_with "Device or resource busy" mv "$A/a" "$A/a2"
	assert_equal "$(field a state)" ALARM
	json_check "$(last_put a2)" '.errorCode == "ResourceInUseException" and (.errorMessage | contains("composite alarm \"c\""))'
	# the composite itself may move, and be removed; then a may go
	succeeds mv "$A/c" "$A/d"
	assert_equal "$(field d rule)" "ALARM(a)"
	json_check "$(last_put d)" '.eventName == "PutCompositeAlarm" and .requestParameters.sourceAlarmName == "c" and (has("errorCode") | not)'
	json_check "$(last_put d)" '(.requestParameters | has("namespace") or has("metricName")) | not'
	fails_with "Device or resource busy" rm "$A/a"
	succeeds rm "$A/d"
	succeeds rm "$A/a"
}

# ---------------------------------------------------------------------------
# State

@test "ALARM(a) AND NOT OK(b) follows a and b through OK, ALARM and INSUFFICIENT_DATA, with SPEC 12's reasons" {
	live a A
	live b B
	define both <<<'rule = ALARM(a) AND ALARM(b)'
	define c <<<'rule = ALARM(a) AND NOT OK(b)'
	define chain <<<'rule = ALARM(c)'
	is a INSUFFICIENT_DATA
	is b INSUFFICIENT_DATA
	is c OK "Rule false"
	is chain OK "Rule false"

	# a ALARM, b INSUFFICIENT_DATA: true
	drive "A=99" a ALARM
	settle c ALARM "Rule true: a is ALARM"
	settle chain ALARM "Rule true: c is ALARM"
	is both OK "Rule false"

	# b OK: NOT OK(b) is false
	drive "A=99 B=1" b OK
	settle c OK "Rule false"
	settle chain OK "Rule false"

	# b ALARM: true again; both names in the other rule's reason
	drive "A=99 B=99" b ALARM
	settle c ALARM "Rule true: a is ALARM"
	settle both ALARM "Rule true: a is ALARM, b is ALARM"
	settle chain ALARM "Rule true: c is ALARM"

	# b goes quiet (INSUFFICIENT_DATA) while a stays ALARM: still true
	drive "A=99" b INSUFFICIENT_DATA
	is c ALARM "Rule true: a is ALARM"
	settle both OK "Rule false"

	# a goes quiet too: false
	eventually "$QUIET_DEADLINE_S" "is a INSUFFICIENT_DATA"
	settle c OK "Rule false"
	settle chain OK "Rule false"

	# every transition is in the history and the trail
	run jq -r 'select(.HistoryItemType == "StateUpdate") | .HistorySummary' < <(cat "$A/c?view=history")
	assert_equal "$output" "Alarm updated from INSUFFICIENT_DATA to OK
Alarm updated from OK to ALARM
Alarm updated from ALARM to OK
Alarm updated from OK to ALARM
Alarm updated from ALARM to OK"
	run jq -r 'select(.eventName == "AlarmStateChange" and .requestParameters.alarmName == "c") | .requestParameters.newState' < <(trail)
	assert_equal "$output" "OK
ALARM
OK
ALARM
OK"
}

@test "a composite's action runs when a named alarm's change changes it" {
	given a OK
	define c <<'EOF'
rule = ALARM(a)
description = a is up
alarm_action = log:ops/composite
EOF
	assert_equal "$(field c state)" OK
	given a ALARM
	settle c ALARM "Rule true: a is ALARM"
	local S="$MNT/logs/ops/composite" line
	eventually "$DEADLINE_S" '[ -s "$S" ]'
	line=$(head -n 1 "$S")
	json_check "$line" '.AlarmName == "c" and .AlarmDescription == "a is up"'
	json_check "$line" '.NewStateValue == "ALARM" and .OldStateValue == "OK"'
	json_check "$line" '.NewStateReason == "Rule true: a is ALARM"'
	eventually "$DEADLINE_S" 'cat "$A/c?view=history" | jq -e "select(.HistoryItemType == \"Action\") | .HistorySummary | contains(\"log:ops/composite\")" >/dev/null'
}

@test "a composite and its state survive unmount and mount, and still follow" {
	given a ALARM
	define c <<<'rule = ALARM(a)'
	is c ALARM "Rule true: a is ALARM"
	remount
	is c ALARM "Rule true: a is ALARM"
	given a OK
	settle c OK "Rule false"
	fails_with "Device or resource busy" rm "$A/a"
}
