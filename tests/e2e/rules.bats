#!/usr/bin/env bats
# rules.bats: rules (SPEC 13, "Rules"): rules/NAME defined at close,
# matching events on their bus, and their deliveries to log:, exec: and
# events: targets; schedules; the settle wait of SPEC 2; at least once
# across a crash.

load helpers

setup() {
	monfs_paths
	mount_monfs
	E="$MNT/events"
	R="$MNT/rules"
	ENTRY='{"Source":"shop","DetailType":"order","Detail":{"n":1}}'
}

teardown() {
	stop_all_daemons
}

# as_nobody COMMAND...: run COMMAND as nobody, with no groups.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

today() {
	echo "$MNT/trail/$(date -u +%F)"
}

# settle: a new rule delivers nothing in its first 2 seconds (SPEC 2).
settle() {
	sleep 2.2
}

# value FILE KEY: the value of `KEY = value` in FILE.
value() {
	sed -n "s/^$2 = //p" "$1"
}

@test "rules/ is 1777 and lists the rules defined" {
	assert_equal "$(stat -c '%a %U' "$R")" "1777 root"
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/events\n' >"$R/r1"
	assert_equal "$(ls "$R")" "r1"
	touch "$R/probe"
	assert_equal "$(ls "$R")" "r1"
}

@test "a read shows the definition with defaults, then the counters; st_size is its bytes" {
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/events\n' >"$R/r1"
	cat "$R/r1"
	assert_equal "$(value "$R/r1" bus)" default
	assert_equal "$(value "$R/r1" state)" ENABLED
	assert_equal "$(value "$R/r1" matched)" 0
	assert_equal "$(value "$R/r1" invocations)" 0
	assert_equal "$(value "$R/r1" failed_invocations)" 0
	! grep -q last_fired "$R/r1"
	assert_equal "$(stat -c %s "$R/r1")" "$(cat "$R/r1" | wc -c)"
	# What a read shows writes back.
	cp "$R/r1" "$BATS_TEST_TMPDIR/copy"
	cat "$BATS_TEST_TMPDIR/copy" >"$R/r1"
	grep -q '"eventName":"PutRule"' "$(today)"
}

@test "an alarm state change reaches a log: target as one JSON line" {
	mkdir -p "$MNT/metrics/EC2"
	echo 95 >"$MNT/metrics/EC2/CPU"
	cat >"$R/page" <<'EOF2'
pattern = {"source":["aws.cloudwatch"],"detail-type":["CloudWatch Alarm State Change"],"detail":{"state":{"value":["ALARM"]}}}
target = log:ops/alarms
EOF2
	settle
	cat >"$MNT/alarms/cpu-high" <<'EOF2'
metric = EC2/CPU
statistic = maximum
period = 60
comparison = >
threshold = 80
treat_missing_data = breaching
EOF2
	eventually 10 "[ -s '$MNT/logs/ops/alarms' ]"
	line=$(head -1 "$MNT/logs/ops/alarms")
	assert_equal "$(jq -r .detail.alarmName <<<"$line")" cpu-high
	assert_equal "$(jq -r '."detail-type"' <<<"$line")" "CloudWatch Alarm State Change"
	eventually 5 "[ \"\$(value '$R/page' invocations)\" = 1 ]"
	assert_equal "$(value "$R/page" matched)" 1
	grep -q '^last_fired = ' "$R/page"
	# monfs's own write is no data event and no event.
	! grep -q '"eventName":"PutLogEvents".*"logStreamName":"alarms"' "$(today)"
}

@test "a trail event reaches an exec: target with the event on stdin and MONFS_* set" {
	out="$BATS_TEST_TMPDIR/got"
	cat >"$BATS_TEST_TMPDIR/hook" <<EOF2
#!/bin/sh
cat >"$out.tmp"
echo "\$MONFS_RULE|\$MONFS_EVENT_SOURCE|\$MONFS_EVENT_DETAIL_TYPE" >>"$out.tmp"
mv "$out.tmp" "$out"
EOF2
	chmod 755 "$BATS_TEST_TMPDIR/hook"
	chmod 755 "$BATS_TEST_TMPDIR"
	printf 'pattern = {"detail":{"eventName":["CreateNamespace"]}}\ntarget = exec:%s\n' "$BATS_TEST_TMPDIR/hook" >"$R/ns"
	settle
	mkdir "$MNT/metrics/Shop"
	eventually 10 "[ -s '$out' ]"
	cat "$out"
	jq -e 'select(.detail.requestParameters.namespace == "Shop")' <(head -1 "$out")
	assert_equal "$(tail -1 "$out")" "ns|aws.cloudwatch|AWS API Call via CloudTrail"
}

@test "input_path delivers that part of the event" {
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/parts\ninput_path = $.detail\n' >"$R/p"
	settle
	echo "$ENTRY" >"$E/default"
	eventually 10 "[ -s '$MNT/logs/ops/parts' ]"
	assert_equal "$(cat "$MNT/logs/ops/parts")" '{"n":1}'
}

@test "an input_path that selects nothing is a failed invocation, on the trail" {
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/parts\ninput_path = $.detail.missing\n' >"$R/p"
	settle
	echo "$ENTRY" >"$E/default"
	eventually 10 "[ \"\$(value '$R/p' failed_invocations)\" = 1 ]"
	grep -q '"eventName":"FailedInvocation".*input_path selects nothing' "$(today)"
}

@test "events: forwards to another bus, where its rules see it" {
	touch "$E/b2"
	printf 'pattern = {"source":["shop"]}\ntarget = events:b2\n' >"$R/fwd"
	printf 'pattern = {"source":["shop"]}\nbus = b2\ntarget = log:ops/b2\n' >"$R/there"
	settle
	echo "$ENTRY" >"$E/default"
	eventually 10 "[ -s '$MNT/logs/ops/b2' ]"
	assert_equal "$(jq -r .source "$E/b2")" shop
	assert_equal "$(jq -r .source "$MNT/logs/ops/b2")" shop
}

@test "a cycle of events: targets is refused with EINVAL" {
	touch "$E/b2"
	printf 'pattern = {"source":["shop"]}\ntarget = events:b2\n' >"$R/a"
	run cat_to "$R/b" <<<$'pattern = {"source":["shop"]}\nbus = b2\ntarget = events:default'
	[ "$status" -ne 0 ]
	grep -q '"eventName":"PutRule".*cycle' "$(today)"
	[ ! -e "$R/b" ]
}

@test "a DISABLED rule delivers nothing" {
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/off\nstate = DISABLED\n' >"$R/off"
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/on\n' >"$R/on"
	settle
	echo "$ENTRY" >"$E/default"
	eventually 10 "[ -s '$MNT/logs/ops/on' ]"
	sleep 1
	[ ! -e "$MNT/logs/ops/off" ]
	assert_equal "$(value "$R/off" matched)" 0
}

@test "a bad definition is refused at close naming the line; the old one stays" {
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/x\n' >"$R/r"
	run cat_to "$R/r" <<<$'pattern = {"source":["shop"]}\ntarget = sms:123'
	[ "$status" -ne 0 ]
	grep -q "Invalid argument" <<<"$output"
	grep -q 'target = log:ops/x' "$R/r"
	grep -q '"eventName":"PutRule".*"errorMessage":"line 2' "$(today)"
}

@test "a target the writer may not use is EACCES" {
	let_others_in
	stop_all_daemons
	mount_monfs -o allow_other
	mkdir -p "$MNT/logs/private"
	chmod 700 "$MNT/logs/private"
	run as_nobody sh -c "printf 'pattern = {\"source\":[\"shop\"]}\ntarget = log:private/s\n' | cat >'$R/n'"
	[ "$status" -ne 0 ]
	grep -q "Permission denied" <<<"$output"
	[ ! -e "$R/n" ]
	grep -q '"eventName":"PutRule".*"errorCode":"AccessDenied".*log:private/s: nobody may not write to it' "$(today)"
	# Nor may nobody put events on a bus it may not write.
	touch "$E/b3"
	run as_nobody sh -c "printf 'pattern = {\"source\":[\"shop\"]}\ntarget = events:b3\n' | cat >'$R/n'"
	[ "$status" -ne 0 ]
	grep -q "Permission denied" <<<"$output"
}

@test "a rule receives on default only what its writer may read: nobody, with the trail 0640, gets no API-call event" {
	let_others_in
	stop_all_daemons
	mount_monfs -o allow_other --trail-group adm
	as_nobody sh -c "printf 'pattern = {\"source\":[\"aws.cloudwatch\"]}\ntarget = log:nb/events\n' >'$R/nb'"
	printf 'pattern = {"source":["aws.cloudwatch"]}\ntarget = log:root/events\n' >"$R/rt"
	settle
	mkdir "$MNT/metrics/Shop"
	eventually 10 "[ -s '$MNT/logs/root/events' ]"
	sleep 1
	[ ! -e "$MNT/logs/nb/events" ]
	assert_equal "$(value "$R/nb" matched)" 0
}

@test "rm deletes a rule; mv renames it" {
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/x\n' >"$R/r"
	mv "$R/r" "$R/s"
	assert_equal "$(ls "$R")" s
	rm "$R/s"
	assert_equal "$(ls "$R")" ""
	grep -q '"eventName":"DeleteRule"' "$(today)"
}

@test "an editor's temporary file renamed within 2 s never delivers under its name" {
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/ed\n' >"$R/.r.swp"
	echo "$ENTRY" >"$E/default"
	mv "$R/.r.swp" "$R/r"
	sleep 3.5
	[ ! -e "$MNT/logs/ops/ed" ]
	echo "$ENTRY" >"$E/default"
	eventually 10 "[ -s '$MNT/logs/ops/ed' ]"
	assert_equal "$(wc -l <"$MNT/logs/ops/ed")" 1
}

@test "deliveries pending at a crash are done after restart" {
	printf 'pattern = {"source":["shop"]}\ntarget = log:ops/crash\n' >"$R/c"
	# Freshly defined: its deliveries wait 2 s, so the crash finds them.
	for i in 1 2 3; do echo "$ENTRY" >"$E/default"; done
	kill -9 "$MONFS_PID"
	wait_no_mount "$MNT"
	forget_daemon "$MONFS_PID"
	mount_monfs
	eventually 10 "[ \"\$(wc -l <'$MNT/logs/ops/crash' 2>/dev/null)\" = 3 ]"
}

@test "a cron schedule fires on the minute, one Scheduled Event to its targets" {
	printf 'schedule = cron(* * * * ? *)\ntarget = log:ops/tick\n' >"$R/tick"
	eventually 75 "[ -s '$MNT/logs/ops/tick' ]"
	line=$(head -1 "$MNT/logs/ops/tick")
	assert_equal "$(jq -r '."detail-type"' <<<"$line")" "Scheduled Event"
	assert_equal "$(jq -c .resources <<<"$line")" '["arn:aws:events:local:000000000000:rule/tick"]'
	assert_equal "$(jq -r .time <<<"$line" | cut -c18-)" "00Z"
	# On time: the line arrived within 2 s of the minute.
	t=$(stat -c %Y "$MNT/logs/ops/tick")
	in_range $((t % 60)) 0 2
	grep -q '"detail-type":"Scheduled Event"' "$E/default"
}

# hook NAME: an executable that appends when it ran (Unix seconds with
# nanoseconds) and its stdin to $BATS_TEST_TMPDIR/NAME.out; its path.
hook() {
	local h="$BATS_TEST_TMPDIR/$1"
	cat >"$h" <<EOF2
#!/bin/sh
{ date +%s.%N; cat; echo; } >>"$h.out"
EOF2
	chmod 755 "$h"
	echo "$h"
}

# ran NAME: how many times hook NAME ran.
ran() {
	[ -e "$BATS_TEST_TMPDIR/$1.out" ] || {
		echo 0
		return
	}
	grep -c '^[0-9]*\.[0-9]*$' "$BATS_TEST_TMPDIR/$1.out"
}

@test "rate(1 minute) fires once a minute from its definition's phase" {
	h=$(hook rate)
	t0=$(date +%s.%N)
	printf 'schedule = rate(1 minute)\ntarget = exec:%s\n' "$h" >"$R/rate"
	t1=$(date +%s.%N)
	eventually 150 "[ \$(ran rate) -ge 2 ]"
	mapfile -t at < <(grep '^[0-9]*\.[0-9]*$' "$h.out")
	# The first a minute after the definition (on time within 1 s; 2 s
	# of slack for a loaded machine), the next a minute after that.
	in_range "$(awk -v a="${at[0]}" -v t="$t0" 'BEGIN { print a - t }')" 59.9 \
		"$(awk -v t0="$t0" -v t1="$t1" 'BEGIN { print t1 - t0 + 62 }')"
	in_range "$(awk -v a="${at[0]}" -v b="${at[1]}" 'BEGIN { print b - a }')" 58 62
	assert_equal "$(value "$R/rate" matched)" 2
	eventually 5 "[ \"\$(value '$R/rate' invocations)\" = 2 ]"
	grep -q '^last_fired = ' "$R/rate"
	# Each run got a Scheduled Event on stdin.
	assert_equal "$(grep -c '"detail-type":"Scheduled Event"' "$h.out")" 2
}

@test "a schedule due while the daemon was down fires once at start" {
	t0=$(date +%s)
	printf 'schedule = rate(1 minute)\ntarget = log:ops/catch\n' >"$R/catch"
	t1=$(date +%s)
	unmount_monfs
	# Down across its first firing (t0 + 60 s).
	while (($(date +%s) < t1 + 66)); do sleep 1; done
	mount_monfs
	eventually 10 "[ -s '$MNT/logs/ops/catch' ]"
	sleep 3
	assert_equal "$(wc -l <"$MNT/logs/ops/catch")" 1
	assert_equal "$(value "$R/catch" matched)" 1
	# The firing missed: its event carries the time it was due.
	due=$(date -u -d "$(jq -r .time "$MNT/logs/ops/catch")" +%s)
	in_range "$due" $((t0 + 60)) $((t1 + 61))
	assert_equal "$(grep -c '"detail-type":"Scheduled Event"' "$E/default")" 1
}

@test "an exec: target that exits non-zero is a failed invocation, its reason on the trail" {
	cat >"$BATS_TEST_TMPDIR/fail" <<'EOF2'
#!/bin/sh
cat >/dev/null
exit 3
EOF2
	chmod 755 "$BATS_TEST_TMPDIR/fail"
	printf 'pattern = {"source":["shop"]}\ntarget = exec:%s\n' "$BATS_TEST_TMPDIR/fail" >"$R/f"
	settle
	echo "$ENTRY" >"$E/default"
	eventually 10 "[ \"\$(value '$R/f' failed_invocations)\" = 1 ]"
	assert_equal "$(value "$R/f" invocations)" 1
	assert_equal "$(value "$R/f" matched)" 1
	rec=$(grep '"eventName":"FailedInvocation"' "$(today)")
	json_check "$rec" '.eventSource == "rules.monfs"'
	json_check "$rec" '.requestParameters.name == "f"'
	json_check "$rec" ".requestParameters.target == \"exec:$BATS_TEST_TMPDIR/fail\""
	json_check "$rec" '.requestParameters.reason == "exit status 3"'
	# Not retried.
	sleep 2
	assert_equal "$(value "$R/f" failed_invocations)" 1
}

@test "a pattern rule on a bus its writer may not read gets nothing (nobody)" {
	let_others_in
	stop_all_daemons
	mount_monfs -o allow_other
	touch "$E/priv"
	chmod 600 "$E/priv"
	assert_equal "$(stat -c '%a %U' "$E/priv")" "600 root"
	as_nobody sh -c "printf 'pattern = {\"source\":[\"shop\"]}\nbus = priv\ntarget = log:nb/got\n' >'$R/nb'"
	printf 'pattern = {"source":["shop"]}\nbus = priv\ntarget = log:root/got\n' >"$R/rt"
	settle
	echo "$ENTRY" >"$E/priv"
	eventually 10 "[ -s '$MNT/logs/root/got' ]"
	sleep 1
	[ ! -e "$MNT/logs/nb/got" ]
	assert_equal "$(value "$R/nb" matched)" 0
	assert_equal "$(value "$R/rt" matched)" 1
	# Once nobody may read it, nobody's rule receives.
	chmod 644 "$E/priv"
	echo "$ENTRY" >"$E/priv"
	eventually 10 "[ -s '$MNT/logs/nb/got' ]"
	assert_equal "$(value "$R/nb" matched)" 1
}

@test "an events: target forwards the whole envelope, whatever input_path says (README: the same envelope)" {
	touch "$E/b2"
	printf 'pattern = {"source":["shop"]}\ntarget = events:b2\ntarget = log:ops/part\ninput_path = $.detail\n' >"$R/fwd"
	settle
	echo "$ENTRY" >"$E/default"
	eventually 10 "[ -s '$E/b2' ] && [ -s '$MNT/logs/ops/part' ]"
	assert_equal "$(cat "$MNT/logs/ops/part")" '{"n":1}'
	assert_equal "$(cat "$E/b2")" "$(grep '"source":"shop"' "$E/default")"
	eventually 5 "[ \"\$(value '$R/fwd' invocations)\" = 2 ]"
	assert_equal "$(value "$R/fwd" failed_invocations)" 0
}

# recipe TITLE: the README's Rules recipe under "# TITLE", as a script.
recipe() {
	awk -v title="# $1" '
		/^## Rules/ { rules = 1 }
		/^## / && !/^## Rules/ { rules = 0 }
		rules && $0 ~ "^    " title "$" { on = 1; next }
		on && /^    EOF$/ { print "EOF"; exit }
		on { sub(/^    /, ""); print }' "$REPO/README.md"
}

@test "README recipe: page on any alarm" {
	h=$(hook page)
	script=$(recipe "Page on any alarm.")
	[ -n "$script" ]
	script=${script//\/mnt\/monfs/$MNT}
	script=${script//\/usr\/local\/bin\/page-oncall/$h}
	bash -ec "$script"
	grep -q "^target = exec:$h$" "$R/page-on-alarm"
	settle
	mkdir -p "$MNT/metrics/EC2"
	echo 95 >"$MNT/metrics/EC2/CPU"
	cat >"$MNT/alarms/cpu-high" <<'EOF2'
metric = EC2/CPU
statistic = maximum
period = 60
comparison = >
threshold = 80
treat_missing_data = breaching
EOF2
	eventually 15 "[ \$(ran page) -ge 1 ]"
	line=$(grep '^{' "$h.out" | head -1)
	json_check "$line" '.detail.alarmName == "cpu-high"'
	json_check "$line" '.detail.state.value == "ALARM"'
}

@test "README recipe: run a script every 15 minutes" {
	h=$(hook housekeeping)
	script=$(recipe "Run a script every 15 minutes.")
	[ -n "$script" ]
	script=${script//\/mnt\/monfs/$MNT}
	script=${script//\/usr\/local\/bin\/housekeeping/$h}
	bash -ec "$script"
	assert_equal "$(value "$R/every-15" schedule)" "cron(0/15 * * * ? *)"
	grep -q "^target = exec:$h$" "$R/every-15"
	grep -q '"eventName":"PutRule".*"scheduleExpression":"cron(0/15 \* \* \* ? \*)"' "$(today)"
	# Its next firing (kept in the database: no file shows it) is the
	# next quarter hour.
	now=$(date +%s)
	next=$(sqlite3 -readonly "$DB" "SELECT next_fire_ms FROM rules WHERE name = 'every-15'")
	assert_equal $((next % 900000)) 0
	in_range $((next / 1000 - now)) 0 900
}
