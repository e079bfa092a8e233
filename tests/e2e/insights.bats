#!/usr/bin/env bats
# insights.bats: CloudTrail Insights (SPEC 14, "Insights"): with
# --trail-insights, a minute of management calls far above its baseline
# starts an insight and the first minute back ends it, each recorded in
# the trail as an AwsCloudTrailInsight record and put on the default bus.
#
# Insights judge whole minutes, so these tests wait real minutes: each
# mounts with a baseline of 2 minutes, waits for the mount's minute to
# pass (the first minute has no history and never starts an insight),
# makes its burst in one minute, and polls with deadlines that allow for
# the minute to end and the sweeper's tick (every 10 s) to judge it.

load helpers

setup() {
	monfs_paths
	T="$MNT/trail"
}

teardown() {
	stop_all_daemons
}

# as_nobody COMMAND...: run COMMAND as nobody, with no groups.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# records: every record of the trail, all day files oldest first.
records() {
	local f
	for f in "$T"/*; do
		[ -e "$f" ] || continue
		cat -- "$f" || return 1
	done
}

# insights FILTER: the Insights records for which jq FILTER holds.
insights() {
	records | jq -c "select(.eventType == \"AwsCloudTrailInsight\") | select($1)"
}

# has_insight FILTER: whether some Insights record satisfies FILTER.
has_insight() {
	[ -n "$(insights "$1")" ]
}

eventually_explain() {
	echo "Insights records so far:"
	insights 'true' || true
}

# next_minute: wait for the next minute to begin, then a second more, so
# that a burst made now falls in one minute after the mount's.
next_minute() {
	local now=$(date +%s)
	sleep $((60 - now % 60 + 1))
	BURST_MINUTE=$(($(date +%s) / 60))
}

# in_burst_minute: whether the burst is still within BURST_MINUTE.
in_burst_minute() {
	[ $(($(date +%s) / 60)) -eq "$BURST_MINUTE" ]
}

@test "a burst of management calls starts an ApiCallRateInsight; the next quiet minute ends it" {
	mount_monfs --trail-insights --insights-baseline 2
	next_minute
	for i in $(seq 1 30); do mkdir "$MNT/metrics/ns$i"; done
	in_burst_minute
	start='.insightDetails.state == "Start" and .insightDetails.eventName == "CreateNamespace"'
	eventually 150 "has_insight '$start'"
	rec=$(insights "$start")
	assert_equal "$(wc -l <<<"$rec")" 1
	json_check "$rec" '.eventSource == "metrics.monfs" and .eventName == "CreateNamespace"'
	json_check "$rec" '.eventCategory == "Insight" and .eventVersion == "1.08"'
	json_check "$rec" '.recipientAccountId == "000000000000" and .awsRegion == "local"'
	json_check "$rec" '(.sharedEventID | test("^[0-9a-f-]{36}$")) and (.eventID | test("^[0-9a-f-]{36}$"))'
	json_check "$rec" 'has("userIdentity") | not'
	json_check "$rec" 'has("requestID") | not'
	json_check "$rec" '.insightDetails.eventSource == "metrics.monfs"'
	json_check "$rec" '.insightDetails.insightType == "ApiCallRateInsight"'
	# the statistics: a quiet minute of baseline, a minute of 30 calls
	stats='.insightDetails.insightContext.statistics'
	json_check "$rec" "$stats.baseline.average == 0"
	json_check "$rec" "$stats.insight.average == 30"
	json_check "$rec" "$stats.insightDuration == 1"
	json_check "$rec" "$stats.baselineDuration >= 1 and $stats.baselineDuration <= 2"
	# attributions name the user, the program and the absence of errors
	attr='.insightDetails.insightContext.attributions'
	json_check "$rec" "[$attr[].attribute] == [\"userIdentityArn\", \"userAgent\", \"errorCode\"]"
	json_check "$rec" "$attr[0].insight == [{\"value\": \"arn:aws:iam::000000000000:user/root\", \"average\": 30}]"
	json_check "$rec" "$attr[1].insight[0].value == \"mkdir\""
	json_check "$rec" "$attr[2].insight[0].value == \"null\""
	# the next minute has no CreateNamespace: the insight ends
	shared=$(jq -r .sharedEventID <<<"$rec")
	end=".insightDetails.state == \"End\" and .sharedEventID == \"$shared\""
	eventually 90 "has_insight '$end'"
	rec=$(insights "$end")
	json_check "$rec" '.insightDetails.eventName == "CreateNamespace"'
	json_check "$rec" '.insightDetails.insightType == "ApiCallRateInsight"'
	json_check "$rec" "$stats.insightDuration == 1 and $stats.insight.average == 30"
	json_check "$rec" "$attr[0].insight[0].value == \"arn:aws:iam::000000000000:user/root\""
	# the Start comes before its End in the trail
	assert_equal "$(insights "$start or ($end)" | jq -r .insightDetails.state | tr '\n' ' ')" "Start End "
}

@test "a burst of refusals starts an ApiErrorRateInsight, and a rule on default receives it" {
	let_others_in
	mount_monfs -o allow_other --trail-insights --insights-baseline 2
	printf '%s\n' 'pattern = {"detail-type":["AWS Insight via CloudTrail"]}' \
		'target = log:ops/insights' >"$MNT/rules/insights"
	sleep 2.2 # a new rule delivers nothing in its first 2 seconds
	next_minute
	# invalid alarm definitions, by nobody: PutMetricAlarm refused
	for i in $(seq 1 30); do
		as_nobody sh -c 'echo "not an alarm" >"$1"' sh "$MNT/alarms/bad$i" 2>/dev/null || true
	done
	in_burst_minute
	refused='select(.eventName == "PutMetricAlarm" and .errorCode == "InvalidParameterValue")'
	eventually 10 "[ \$(records | jq -c '$refused' | wc -l) -eq 30 ]"
	start='.insightDetails.state == "Start" and .insightDetails.insightType == "ApiErrorRateInsight"'
	eventually 150 "has_insight '$start'"
	rec=$(insights "$start")
	json_check "$rec" '.eventSource == "alarms.monfs" and .insightDetails.eventName == "PutMetricAlarm"'
	stats='.insightDetails.insightContext.statistics'
	json_check "$rec" "$stats.insight.average == 30 and $stats.baseline.average == 0"
	attr='.insightDetails.insightContext.attributions'
	json_check "$rec" "$attr[0].insight[0].value == \"arn:aws:iam::000000000000:user/nobody\""
	json_check "$rec" "$attr[2].insight == [{\"value\": \"InvalidParameterValue\", \"average\": 30}]"
	# the calls themselves were unusual too
	has_insight '.insightDetails.state == "Start" and .insightDetails.insightType == "ApiCallRateInsight" and .insightDetails.eventName == "PutMetricAlarm"'
	# on the default bus as "AWS Insight via CloudTrail", and to the rule
	got="$MNT/logs/ops/insights"
	eventually 10 "grep -q ApiErrorRateInsight '$got' 2>/dev/null"
	line=$(grep ApiErrorRateInsight "$got" | head -1)
	json_check "$line" '.["detail-type"] == "AWS Insight via CloudTrail" and .source == "aws.cloudwatch"'
	json_check "$line" ".detail.sharedEventID == $(jq .sharedEventID <<<"$rec")"
	json_check "$line" '.detail.insightDetails.state == "Start"'
}

@test "without --trail-insights nothing of the kind is recorded or emitted" {
	mount_monfs --insights-baseline 2
	next_minute
	for i in $(seq 1 30); do mkdir "$MNT/metrics/ns$i"; done
	# past the time the burst's minute would have been judged
	while (($(date +%s) < (BURST_MINUTE + 1) * 60 + 25)); do sleep 1; done
	mkdir "$MNT/metrics/sentinel"
	eventually 10 "records | grep -q '\"namespace\":\"sentinel\"'"
	assert_equal "$(records | grep -c AwsCloudTrailInsight)" 0
	assert_equal "$(grep -c 'AWS Insight via CloudTrail' "$MNT/events/default")" 0
}
