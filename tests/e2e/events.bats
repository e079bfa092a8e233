#!/usr/bin/env bats
# events.bats: event buses (SPEC 13, buses): events/default and buses
# users make, PutEvents lines into EventBridge envelopes, reading a bus
# like a stream, and the events monfs emits on default (alarm state
# changes, trail records).

load helpers

setup() {
	monfs_paths
	mount_monfs
	E="$MNT/events"
	ENTRY='{"Source":"shop","DetailType":"order","Detail":{"n":1}}'
}

teardown() {
	stop_all_daemons
}

# as_nobody COMMAND...: run COMMAND as nobody, with no groups.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# today: this day's trail file.
today() {
	echo "$MNT/trail/$(date -u +%F)"
}

# events_of BUS SELECTOR: the envelopes of BUS that jq's SELECTOR keeps,
# compact, one per line.
events_of() {
	jq -c "select($2)" <"$E/$1"
}

@test "events/ is 1777 and events/default is root's, 0644" {
	assert_equal "$(stat -c '%a %U' "$E")" "1777 root"
	assert_equal "$(stat -c '%a %U %G' "$E/default")" "644 root root"
	assert_equal "$(ls "$E")" "default"
}

@test "with --trail-group adm, events/default is 0640 group adm, as the trail" {
	stop_all_daemons
	mount_monfs --trail-group adm
	assert_equal "$(stat -c '%a %U %G' "$E/default")" "640 root adm"
	fails_with "Operation not permitted" chmod 666 "$E/default"
	fails_with "Operation not permitted" chown nobody "$E/default"
}

@test "touch makes a bus owned by its maker, rm deletes it, both on the trail" {
	let_others_in
	stop_all_daemons
	mount_monfs -o allow_other
	as_nobody touch "$E/orders"
	assert_equal "$(stat -c '%U %s' "$E/orders")" "nobody 0"
	assert_equal "$(ls "$E" | xargs)" "default orders"
	as_nobody rm "$E/orders"
	[ ! -e "$E/orders" ]
	grep -q '"eventSource":"events.monfs","eventName":"CreateEventBus"' "$(today)"
	grep -q '"eventName":"DeleteEventBus".*"eventBusName":"orders"' "$(today)"
}

@test "rm of events/default is refused with EPERM, and recorded" {
	fails_with "Operation not permitted" rm "$E/default"
	[ -f "$E/default" ]
	grep -q '"eventName":"DeleteEventBus".*"errorCode":"AccessDenied","errorMessage":"the default bus cannot be deleted"' "$(today)"
}

@test "buses are files in events/ itself: mkdir and bad names are refused" {
	fails_with "Operation not permitted" mkdir "$E/dir"
	fails_with "Invalid argument" touch "$E/a?b"
	fails_with "File name too long" touch "$E/$(printf 'x%.0s' {1..256})"
}

@test "a PutEvents line becomes its EventBridge envelope, every member" {
	echo '{"Source":"shop","DetailType":"order placed","Detail":{"id":7,"items":["a"]},"Time":"2001-02-03T04:05:06Z","Resources":["arn:x","arn:y"]}' >"$E/default"
	line=$(events_of default '.source == "shop"')
	assert_equal "$(jq -r 'keys_unsorted | join(",")' <<<"$line")" \
		"version,id,detail-type,source,account,time,region,resources,detail"
	assert_equal "$(jq -r .version <<<"$line")" 0
	[[ "$(jq -r .id <<<"$line")" =~ ^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$ ]]
	assert_equal "$(jq -r '."detail-type"' <<<"$line")" "order placed"
	assert_equal "$(jq -r .account <<<"$line")" 000000000000
	assert_equal "$(jq -r .time <<<"$line")" 2001-02-03T04:05:06Z
	assert_equal "$(jq -r .region <<<"$line")" local
	assert_equal "$(jq -c .resources <<<"$line")" '["arn:x","arn:y"]'
	assert_equal "$(jq -c .detail <<<"$line")" '{"id":7,"items":["a"]}'
}

@test "a Detail string holding an object is that object; no Time is the arrival; --account is the account" {
	stop_all_daemons
	mount_monfs --account 123456789012
	before=$(date -u +%s)
	echo '{"Source":"s","DetailType":"t","Detail":"{\"k\":\"v\"}"}' >>"$E/default"
	line=$(events_of default '.source == "s"')
	assert_equal "$(jq -c .detail <<<"$line")" '{"k":"v"}'
	assert_equal "$(jq -c .resources <<<"$line")" '[]'
	assert_equal "$(jq -r .account <<<"$line")" 123456789012
	t=$(date -u -d "$(jq -r .time <<<"$line")" +%s)
	in_range "$t" "$before" $((before + 5))
}

@test "--account must be 12 digits" {
	stop_all_daemons
	run_monfs_to_exit "$MNT" -- -f --db "$DB" --account 12345 "$MNT"
	[ "$status" -ne 0 ]
	grep -q "an account is 12 digits" <<<"$output"
}

@test "a write is all or nothing: one bad line stores none, and says which line and member" {
	touch "$E/b"
	run cat_to "$E/b" <<EOF
$ENTRY
{"Source":"shop","Detail":{}}
EOF
	[ "$status" -ne 0 ]
	grep -q "Invalid argument" <<<"$output"
	assert_equal "$(stat -c %s "$E/b")" 0
	grep -q '"eventName":"PutEvents".*"errorMessage":"line 2: DetailType: missing"' "$(today)"
}

@test "every bad member is refused with EINVAL: bad JSON, no Source, a Detail array, a bad Time, Resources not strings" {
	touch "$E/b"
	for bad in '{' '{"DetailType":"t","Detail":{}}' \
		'{"Source":"s","DetailType":"t","Detail":[1]}' \
		'{"Source":"s","DetailType":"t","Detail":{},"Time":"soon"}' \
		'{"Source":"s","DetailType":"t","Detail":{},"Resources":[1]}'; do
		run cat_to "$E/b" <<<"$bad"
		[ "$status" -ne 0 ]
	done
	assert_equal "$(stat -c %s "$E/b")" 0
	grep -q '"errorMessage":"line 1: Time: \\"soon\\" is not an RFC 3339 time"' "$(today)"
}

@test "a Detail over 256 KiB is refused with EINVAL" {
	touch "$E/b"
	big=$(head -c 270000 /dev/zero | tr '\0' x)
	run cat_to "$E/b" <<<"{\"Source\":\"s\",\"DetailType\":\"t\",\"Detail\":{\"k\":\"$big\"}}"
	[ "$status" -ne 0 ]
	assert_equal "$(stat -c %s "$E/b")" 0
	grep -q '"errorMessage":"line 1: Detail: 270008 bytes, more than 262144"' "$(today)"
}

@test "a partial line waits for the rest; truncation changes nothing" {
	touch "$E/b"
	{
		printf '%s' '{"Source":"shop","Detai'
		sleep 0.3
		printf '%s\n' 'lType":"x","Detail":{}}'
	} >"$E/b"
	assert_equal "$(jq -r '."detail-type"' <"$E/b")" x
	size=$(stat -c %s "$E/b")
	: >"$E/b"
	truncate -s 0 "$E/b"
	assert_equal "$(stat -c %s "$E/b")" "$size"
}

@test "an aws. source is refused for anyone but root (EACCES), accepted from root" {
	let_others_in
	stop_all_daemons
	mount_monfs -o allow_other
	as_nobody touch "$E/mine"
	run as_nobody sh -c "echo '{\"Source\":\"aws.ec2\",\"DetailType\":\"t\",\"Detail\":{}}' | cat >>'$E/mine'"
	[ "$status" -ne 0 ]
	grep -q "Permission denied" <<<"$output"
	assert_equal "$(stat -c %s "$E/mine")" 0
	grep -q '"errorMessage":"line 1: Source: \\"aws.ec2\\" starts with \\"aws.\\", which only root may put"' "$(today)"
	as_nobody sh -c "echo '$ENTRY' >>'$E/mine'"
	echo '{"Source":"aws.ec2","DetailType":"t","Detail":{}}' >>"$E/mine"
	assert_equal "$(jq -r .source <"$E/mine" | xargs)" "shop aws.ec2"
}

@test "a bus reads like a stream: st_size, offsets, cat, grep, jq" {
	touch "$E/b"
	for i in 1 2 3; do
		echo "{\"Source\":\"s\",\"DetailType\":\"n$i\",\"Detail\":{}}" >>"$E/b"
	done
	assert_equal "$(stat -c %s "$E/b")" "$(cat "$E/b" | wc -c)"
	assert_equal "$(grep -c '"detail-type":"n2"' "$E/b")" 1
	assert_equal "$(jq -r '."detail-type"' <"$E/b" | xargs)" "n1 n2 n3"
	first=$(head -n 1 "$E/b" | wc -c)
	assert_equal "$(tail -c +$((first + 1)) "$E/b" | jq -r '."detail-type"' | xargs)" "n2 n3"
	assert_equal "$(tail -n 1 "$E/b" | jq -r '."detail-type"')" n3
}

@test "tail -f on a bus shows a new event within 2 seconds" {
	touch "$E/b"
	tail -f "$E/b" >"$BATS_TEST_TMPDIR/tail.out" 2>&1 3>&- &
	tail_pid=$!
	sleep 0.5
	echo "$ENTRY" >>"$E/b"
	eventually 5 "grep -q '\"source\":\"shop\"' '$BATS_TEST_TMPDIR/tail.out'"
	kill "$tail_pid"
}

@test "an alarm state change appears on default with CloudWatch's shape" {
	mkdir "$MNT/metrics/EC2"
	T=$(($(date +%s) / 60 * 60))
	echo "91.5 $((T - 55))" >"$MNT/metrics/EC2/CPU"
	cat >"$MNT/alarms/cpu-high" <<'EOF'
metric = EC2/CPU
statistic = average
period = 60
comparison = >
threshold = 80
description = CPU too high
EOF
	eventually 10 "grep -q '\"detail-type\":\"CloudWatch Alarm State Change\"' '$E/default'"
	line=$(events_of default '."detail-type" == "CloudWatch Alarm State Change"')
	assert_equal "$(jq -r .source <<<"$line")" aws.cloudwatch
	assert_equal "$(jq -c .resources <<<"$line")" '["arn:aws:cloudwatch:local:000000000000:alarm:cpu-high"]'
	assert_equal "$(jq -r .detail.alarmName <<<"$line")" cpu-high
	assert_equal "$(jq -r .detail.state.value <<<"$line")" ALARM
	assert_equal "$(jq -r .detail.previousState.value <<<"$line")" INSUFFICIENT_DATA
	jq -e '.detail.state.reason | startswith("Threshold Crossed: 1 datapoint")' <<<"$line"
	jq -e '.detail.state.timestamp | test("^[0-9-]{10}T[0-9:]{8}\\.[0-9]{3}\\+0000$")' <<<"$line"
	jq -e '.detail.previousState.reason == "Unchecked: Initial alarm creation"' <<<"$line"
	assert_equal "$(jq -r .detail.configuration.description <<<"$line")" "CPU too high"
	assert_equal "$(jq -c '.detail.configuration.metrics[0].metricStat' <<<"$line")" \
		'{"metric":{"namespace":"EC2","name":"CPU","dimensions":{}},"period":60,"stat":"Average"}'
	# Its trail record is an event too: a service event.
	events_of default '."detail-type" == "AWS Service Event via CloudTrail" and .detail.eventName == "AlarmStateChange"' | grep -q .
}

@test "an alarm on a dimensioned metric names its dimensions in its state-change event" {
	mkdir -p "$MNT/metrics/EC2/InstanceId=i-1/Zone=a%2Fb"
	T=$(($(date +%s) / 60 * 60))
	echo "91.5 $((T - 55))" >"$MNT/metrics/EC2/InstanceId=i-1/Zone=a%2Fb/CPU"
	cat >"$MNT/alarms/cpu-i1" <<'EOF'
metric = EC2/Zone=a%2Fb/CPU
dimension = InstanceId=i-1
statistic = average
period = 60
comparison = >
threshold = 80
EOF
	eventually 10 "grep -q '\"alarmName\":\"cpu-i1\"' '$E/default'"
	line=$(events_of default '."detail-type" == "CloudWatch Alarm State Change" and .detail.alarmName == "cpu-i1"')
	assert_equal "$(jq -r .detail.state.value <<<"$line")" ALARM
	assert_equal "$(jq -c '.detail.configuration.metrics[0].metricStat.metric' <<<"$line")" \
		'{"namespace":"EC2","name":"CPU","dimensions":{"InstanceId":"i-1","Zone":"a/b"}}'
}

@test "a trail record becomes an 'AWS API Call via CloudTrail' event; data events do not" {
	stop_all_daemons
	mount_monfs --trail-data write
	mkdir "$MNT/metrics/App"
	echo 5 >"$MNT/metrics/App/m"
	mkdir "$MNT/logs/g"
	line=$(events_of default '.detail.eventName == "CreateNamespace"')
	assert_equal "$(jq -r '."detail-type"' <<<"$line")" "AWS API Call via CloudTrail"
	assert_equal "$(jq -r .source <<<"$line")" aws.cloudwatch
	assert_equal "$(jq -r .detail.eventSource <<<"$line")" metrics.monfs
	assert_equal "$(jq -r .detail.requestParameters.namespace <<<"$line")" App
	assert_equal "$(events_of default '.detail.eventName == "CreateLogGroup"' | jq -r .source)" aws.logs
	echo "$ENTRY" >>"$E/default"
	sleep 1
	assert_equal "$(events_of default '.detail.eventCategory == "Data"' | wc -l)" 0
	grep -q '"eventName":"PutEvents".*"entries":1' "$(today)"
}

@test "events survive a restart" {
	touch "$E/keep"
	echo "$ENTRY" >>"$E/keep"
	before=$(cat "$E/keep")
	stop_all_daemons
	mount_monfs
	assert_equal "$(cat "$E/keep")" "$before"
}
