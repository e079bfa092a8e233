#!/usr/bin/env bats
# The audit trail, trail/<YYYY-MM-DD> (SPEC 6, with the trail options of
# SPEC 1 and the modes of SPEC 9), read on a real mount with the tools a
# user would point at it: jq, tail -f, tail -c, dd, stat, ls, wc.
#
# Records reach the trail asynchronously (a close's record may follow the
# close), so the tests poll for the records they expect. Where a test says
# that something was NOT recorded, it first makes a later sentinel event
# and waits for that (sync_trail): records are in time order.

load helpers

setup() {
	monfs_paths
	T="$MNT/trail"
	BG_PIDS=()
	SYNC_N=0
	MARK=0
}

teardown() {
	local p
	# background processes (tail -f, holders of open files) first, by pid
	for p in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

UUID4_RE='^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$'

# bg COMMAND...: run COMMAND in the background (fd 3 closed, so bats does
# not wait for it); sets BG_PID, and the teardown ends it.
bg() {
	"$@" 3>&- &
	BG_PID=$!
	BG_PIDS+=("$BG_PID")
}

# stop_bg PID: end one background command started with bg.
stop_bg() {
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

# records: every record of the trail, all day files oldest first.
records() {
	local f
	for f in "$T"/*; do
		[ -e "$f" ] || continue
		cat -- "$f" || return 1
	done
}

# mark: wait for the events so far to be in the trail (sync_trail), then
# remember how many records there are; since prints those after the mark.
mark() {
	sync_trail || return 1
	MARK=$(records | wc -l)
}
since() {
	records | tail -n +$((MARK + 1))
}

# pick FILTER: the records since the mark for which the jq FILTER is true,
# compact, one a line.
pick() {
	since | jq -c "select($1)"
}

# count FILTER: how many records since the mark FILTER selects.
count() {
	pick "$1" | grep -c '^' || true
}

# await FILTER [SECONDS]: wait until a record since the mark satisfies
# FILTER; sets REC to the last such record.
await() {
	local deadline=$((SECONDS + ${2:-10})) out
	while :; do
		out=$(pick "$1") || {
			echo "the trail does not parse"
			return 1
		}
		if [ -n "$out" ]; then
			REC=$(printf '%s\n' "$out" | tail -n 1)
			return 0
		fi
		if ((SECONDS >= deadline)); then
			echo "no record with $1 within ${2:-10} s; records since the mark:"
			since
			return 1
		fi
		sleep 0.2
	done
}

# only FILTER: exactly one record since the mark satisfies FILTER (waits
# for it, then for a later sentinel); sets REC to it.
only() {
	local n
	await "$1" || return 1
	sync_trail || return 1
	n=$(count "$1")
	if [ "$n" -ne 1 ]; then
		echo "expected one record with $1, found $n:"
		pick "$1"
		return 1
	fi
	REC=$(pick "$1")
}

# none FILTER: no record since the mark satisfies FILTER (after a sentinel).
none() {
	sync_trail || return 1
	if [ "$(count "$1")" -ne 0 ]; then
		echo "expected no record with $1, found:"
		pick "$1"
		return 1
	fi
}

# sync_trail: make a sentinel event and wait until it is in the trail, so
# that every event before it is there too.
sync_trail() {
	SYNC_N=$((SYNC_N + 1))
	local ns="sync-$$-$SYNC_N"
	mkdir "$MNT/metrics/$ns" || return 1
	await ".eventName == \"CreateNamespace\" and .requestParameters.namespace == \"$ns\""
}

# rec FILTER: the jq FILTER is true of REC.
rec() {
	json_check "$REC" "$1"
}

# today: the UTC day, as the day files are named.
today() {
	date -u +%F
}

# day_file: the newest day file (made after at least one event); fails
# unless it is today's (a test straddling midnight UTC may fail here).
day_file() {
	local d
	d=$(ls "$T" | tail -n 1)
	assert_equal "$d" "$(today)" || return 1
	DAY="$T/$d"
}

# refused_on_trail EVENTNAME COMMAND...: COMMAND fails with EPERM, and a
# record of trail.monfs with EVENTNAME and AccessDenied appears.
refused_on_trail() {
	local name="$1"
	shift
	fails_with "Operation not permitted" "$@" || return 1
	await ".eventSource == \"trail.monfs\" and .eventName == \"$name\"" || return 1
	rec '.errorCode == "AccessDenied" and (.errorMessage | type == "string" and length > 0)
		and .readOnly == false and .eventType == "AwsApiCall"'
}

# unchanged_prefix FILE COPY: FILE still begins with the bytes of COPY.
unchanged_prefix() {
	local n
	n=$(wc -c <"$2")
	if ! cmp -s <(head -c "$n" -- "$1") "$2"; then
		echo "the first $n bytes of $1 changed"
		return 1
	fi
}

# as_nobody COMMAND...: run COMMAND as nobody, with no groups.
as_nobody() {
	setpriv --reuid=65534 --regid=65534 --clear-groups "$@"
}

# as_nobody_in GID COMMAND...: run COMMAND as nobody, a member of GID.
as_nobody_in() {
	local gid="$1"
	shift
	setpriv --reuid=65534 --regid=65534 --groups="$gid" "$@"
}

# ---------------------------------------------------------------------------
# The day files

@test "a fresh mount has an empty trail/; the first event makes today's day file" {
	mount_monfs
	assert_equal "$(ls -A "$T")" ""
	mkdir "$MNT/metrics/NS"
	await '.eventName == "CreateNamespace"'
	assert_equal "$(ls "$T")" "$(today)"
	assert_equal "$(ls -A "$T")" "$(today)"
	[ -f "$T/$(today)" ]
	# a day without events is not there
	fails_with "No such file or directory" cat "$T/2001-01-01"
}

@test "trail/ is root's, mode 0755; day files are 0644; st_size equals wc -c" {
	mount_monfs
	mkdir "$MNT/metrics/NS"
	echo 1 >"$MNT/metrics/NS/m"
	await '.eventName == "CreateNamespace"'
	day_file
	assert_equal "$(stat -c '%F %a %U %G' "$T")" "directory 755 root root"
	assert_equal "$(stat -c '%F %a %U %G' "$DAY")" "regular file 644 root root"
	assert_equal "$(stat -c %s "$DAY")" "$(wc -c <"$DAY")"
	assert_equal "$(ls -l "$T" | awk 'NR > 1 { print $5 }')" "$(wc -c <"$DAY")"
}

@test "with --trail-group adm (or -o trail_group=adm), trail/ is 0750 and day files 0640, group adm" {
	getent group adm >/dev/null || skip "no group adm"
	mount_monfs --trail-group adm
	mkdir "$MNT/metrics/NS"
	await '.eventName == "CreateNamespace"'
	day_file
	assert_equal "$(stat -c '%a %U %G' "$T")" "750 root adm"
	assert_equal "$(stat -c '%a %U %G' "$DAY")" "640 root adm"
	unmount_monfs
	mount_monfs -o trail_group=adm
	assert_equal "$(stat -c '%a %U %G' "$T")" "750 root adm"
	assert_equal "$(stat -c '%a %U %G' "$DAY")" "640 root adm"
}

@test "with --trail-group adm, members of adm may read the trail and others may not" {
	getent group adm >/dev/null || skip "no group adm"
	getent passwd 65534 >/dev/null || skip "no user 65534"
	let_others_in
	mount_monfs -o allow_other --trail-group adm
	mkdir "$MNT/metrics/NS"
	await '.eventName == "CreateNamespace"'
	day_file
	local adm
	adm=$(getent group adm | cut -d: -f3)
	# a member of adm reads it
	succeeds as_nobody_in "$adm" cat "$DAY"
	assert_contains "$output" '"CreateNamespace"'
	succeeds as_nobody_in "$adm" ls "$T"
	assert_equal "$output" "$(today)"
	# others cannot (SPEC 1 and 9: "members of GROUP may read the trail,
	# others not"; the modes say 0750/0640 root:adm)
	fails_with "Permission denied" as_nobody cat "$DAY"
	fails_with "Permission denied" as_nobody ls "$T"
}

@test "without --trail-group anyone may read the trail, and nobody may write it; records name the user" {
	getent passwd 65534 >/dev/null || skip "no user 65534"
	let_others_in
	mount_monfs -o allow_other
	local name
	name=$(getent passwd 65534 | cut -d: -f1)
	mark
	succeeds as_nobody mkdir "$MNT/metrics/theirs"
	await '.eventName == "CreateNamespace" and .requestParameters.namespace == "theirs"'
	rec ".userIdentity == {\"type\":\"LocalUser\",\"principalId\":\"65534\",\"userName\":\"$name\",
		\"uid\":65534,\"gid\":65534,\"pid\":.userIdentity.pid,\"processName\":\"mkdir\"}"
	rec '.userIdentity.pid | type == "number" and . > 0'
	rec '.userAgent == "mkdir"'
	day_file
	succeeds as_nobody cat "$DAY"
	assert_contains "$output" '"theirs"'
	fails_with "Operation not permitted" as_nobody sh -c 'echo x >>"$1"' sh "$DAY"
	await '.eventSource == "trail.monfs" and .userIdentity.uid == 65534'
	rec '.errorCode == "AccessDenied" and .eventName == "Write" and .userIdentity.principalId == "65534"'
}

# ---------------------------------------------------------------------------
# The record

@test "a record carries CloudTrail's fields: time, source, region, host, identity, IDs, category" {
	mount_monfs
	local pidfile="$BATS_TEST_TMPDIR/pid" t0 t1
	t0=$(date -u +%s)
	sh -c 'echo $$ >"$1"; exec mkdir "$2"' sh "$pidfile" "$MNT/metrics/NS"
	await '.eventName == "CreateNamespace"'
	t1=$(date -u +%s)
	rec '.eventVersion == "1.08"'
	rec '.eventTime | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$")'
	in_range "$(jq -r '.eventTime | fromdateiso8601' <<<"$REC")" $((t0 - 1)) $((t1 + 1))
	rec '.eventSource == "metrics.monfs"'
	rec '.awsRegion == "local"'
	rec ".sourceIPAddress == \"$(hostname)\""
	rec ".userIdentity == {\"type\":\"LocalUser\",\"principalId\":\"$(id -u)\",
		\"userName\":\"$(id -un)\",\"uid\":$(id -u),\"gid\":$(id -g),
		\"pid\":$(cat "$pidfile"),\"processName\":\"mkdir\"}"
	rec '.userAgent == "mkdir"'
	rec '.requestParameters == {"namespace":"NS"}'
	rec 'has("responseElements") and .responseElements == null'
	rec ".eventID | test(\"$UUID4_RE\")"
	rec ".requestID | test(\"$UUID4_RE\")"
	rec '.eventID != .requestID'
	rec '.readOnly == false and .eventType == "AwsApiCall"'
	rec '.managementEvent == true and .eventCategory == "Management"'
	rec '(has("errorCode") or has("errorMessage")) | not'
}

@test "--region and --host name awsRegion and sourceIPAddress, and so do -o region= and -o host=" {
	mount_monfs --region eu-north-7 --host web-1.example
	mkdir "$MNT/metrics/A"
	await '.requestParameters.namespace == "A"'
	rec '.awsRegion == "eu-north-7" and .sourceIPAddress == "web-1.example"'
	unmount_monfs
	mount_monfs -o region=ap-x-1,host=db-9
	mark
	mkdir "$MNT/metrics/B"
	await '.requestParameters.namespace == "B"'
	rec '.awsRegion == "ap-x-1" and .sourceIPAddress == "db-9"'
	# the records made before keep what they said
	[ "$(records | jq -r 'select(.requestParameters.namespace == "A") | .awsRegion')" = eu-north-7 ]
}

# ---------------------------------------------------------------------------
# Management events

@test "mkdir and rmdir of namespaces: CreateNamespace, DeleteNamespace; a non-empty rmdir is OperationAbortedException" {
	mount_monfs
	mark
	mkdir -p "$MNT/metrics/AWS/EC2"
	only '.eventName == "CreateNamespace" and .requestParameters == {"namespace":"AWS"}'
	rec '.eventSource == "metrics.monfs" and .userAgent == "mkdir" and .managementEvent == true'
	only '.eventName == "CreateNamespace" and .requestParameters == {"namespace":"AWS/EC2"}'
	fails_with "Directory not empty" rmdir "$MNT/metrics/AWS"
	only '.eventName == "DeleteNamespace" and .requestParameters.namespace == "AWS"'
	rec '.errorCode == "OperationAbortedException" and (.errorMessage | length > 0)'
	rec '.userAgent == "rmdir" and .eventSource == "metrics.monfs"'
	rmdir "$MNT/metrics/AWS/EC2"
	only '.eventName == "DeleteNamespace" and .requestParameters == {"namespace":"AWS/EC2"}'
	rec 'has("errorCode") | not'
}

@test "log groups and streams: CreateLogGroup, CreateLogStream, DeleteLogStream, DeleteLogGroup" {
	mount_monfs
	mark
	mkdir -p "$MNT/logs/aws/lambda/checkout"
	only '.eventName == "CreateLogGroup" and .requestParameters == {"logGroupName":"aws/lambda/checkout"}'
	rec '.eventSource == "logs.monfs" and .userAgent == "mkdir" and .eventCategory == "Management"'
	only '.eventName == "CreateLogGroup" and .requestParameters == {"logGroupName":"aws"}'
	touch "$MNT/logs/aws/lambda/checkout/s1"
	only '.eventName == "CreateLogStream"'
	rec '.requestParameters == {"logGroupName":"aws/lambda/checkout","logStreamName":"s1"}'
	rec '.userAgent == "touch" and .userIdentity.processName == "touch"'
	fails_with "Directory not empty" rmdir "$MNT/logs/aws/lambda/checkout"
	only '.eventName == "DeleteLogGroup" and .errorCode == "OperationAbortedException"'
	rec '.requestParameters.logGroupName == "aws/lambda/checkout"'
	rm "$MNT/logs/aws/lambda/checkout/s1"
	only '.eventName == "DeleteLogStream"'
	rec '.requestParameters == {"logGroupName":"aws/lambda/checkout","logStreamName":"s1"}'
	rec '.userAgent == "rm" and (has("errorCode") | not)'
	rmdir "$MNT/logs/aws/lambda/checkout"
	only '.eventName == "DeleteLogGroup" and (has("errorCode") | not)'
	rec '.requestParameters == {"logGroupName":"aws/lambda/checkout"}'
}

@test "creating a metric file is Create; rm is DeleteMetric" {
	mount_monfs
	mkdir "$MNT/metrics/NS"
	mark
	touch "$MNT/metrics/NS/m"
	only '.eventName == "Create"'
	rec '.eventSource == "metrics.monfs" and .requestParameters == {"namespace":"NS","metricName":"m"}'
	rec '.userAgent == "touch" and .managementEvent == true and .eventCategory == "Management"'
	# touching it again creates nothing
	mark
	touch "$MNT/metrics/NS/m"
	none '.eventName == "Create"'
	rm "$MNT/metrics/NS/m"
	only '.eventName == "DeleteMetric"'
	rec '.requestParameters == {"namespace":"NS","metricName":"m"} and .userAgent == "rm"'
}

@test "setfattr: Setxattr and Removexattr on a metric, PutRetentionPolicy and DeleteRetentionPolicy on a group" {
	mount_monfs
	mkdir "$MNT/metrics/NS" "$MNT/logs/G"
	touch "$MNT/metrics/NS/m"
	mark
	setfattr -n user.unit -v Percent "$MNT/metrics/NS/m"
	only '.eventName == "Setxattr"'
	rec '.requestParameters == {"namespace":"NS","metricName":"m","attribute":"user.unit","value":"Percent"}'
	rec '.eventSource == "metrics.monfs" and .userAgent == "setfattr" and (has("errorCode") | not)'
	setfattr -x user.unit "$MNT/metrics/NS/m"
	only '.eventName == "Removexattr"'
	rec '.requestParameters.namespace == "NS" and .requestParameters.metricName == "m"'
	rec '.requestParameters.attribute == "user.unit"'
	setfattr -n user.retention_days -v 7 "$MNT/logs/G"
	only '.eventName == "PutRetentionPolicy"'
	rec '.eventSource == "logs.monfs" and .requestParameters == {"logGroupName":"G","retentionInDays":7}'
	setfattr -x user.retention_days "$MNT/logs/G"
	only '.eventName == "DeleteRetentionPolicy"'
	rec '.requestParameters == {"logGroupName":"G"} and (has("errorCode") | not)'
	# a value CloudWatch does not offer: EINVAL, and the trail says why
	mark
	fails_with "Invalid argument" setfattr -n user.retention_days -v 8 "$MNT/logs/G"
	only '.eventName == "PutRetentionPolicy"'
	rec '.errorCode == "InvalidParameterValue" and (.errorMessage | length > 0)'
	rec '.requestParameters.logGroupName == "G"'
}

@test "setfattr of an attribute monfs does not keep there: UnsupportedOperation, saying where it belongs" {
	mount_monfs
	mkdir "$MNT/metrics/NS" "$MNT/logs/G"
	touch "$MNT/metrics/NS/m" "$MNT/logs/G/S"
	mark
	fails_with "Operation not supported" setfattr -n user.retention_days -v 7 "$MNT/logs/G/S"
	only '.eventName == "Setxattr" and .requestParameters.path == "/logs/G/S"'
	rec '.eventSource == "logs.monfs" and .errorCode == "UnsupportedOperation"
		and .errorMessage == "user.retention_days is kept on log groups, not streams"'
	fails_with "Operation not supported" setfattr -n user.unit -v Percent "$MNT/logs/G"
	only '.eventName == "Setxattr" and .requestParameters.path == "/logs/G"'
	rec '.errorCode == "UnsupportedOperation" and .errorMessage == "user.unit is kept on metrics, not log groups"'
	fails_with "Operation not supported" setfattr -n user.foo -v 1 "$MNT/metrics/NS/m"
	only '.eventName == "Setxattr" and .requestParameters.path == "/metrics/NS/m"'
	rec '.errorCode == "UnsupportedOperation"
		and .errorMessage == "user.foo is not an attribute monfs keeps (it keeps user.unit on metrics and user.retention_days on log groups)"'
	# a value that is no number of days says what is accepted
	fails_with "Invalid argument" setfattr -n user.retention_days -v soon "$MNT/logs/G"
	only '.eventName == "PutRetentionPolicy"'
	rec '.errorCode == "InvalidParameterValue"
		and .errorMessage == "a retention is a number of days, one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288 or 3653"'
	none '.errorCode == "ServiceUnavailable"'
}

# probe_acls FILE: what editors, cp -a, ls and getfattr ask of FILE's
# ACLs and security labels; every one is refused or absent.
probe_acls() {
	local f="$1" acl=0sAgAAAAEABgD/////BAAEAP////8QAAQA/////yAABAD/////
	if command -v getfacl >/dev/null && command -v setfacl >/dev/null; then
		getfacl -p "$f" >/dev/null
		fails_with "Operation not supported" setfacl -m u:nobody:r "$f"
		setfacl -b "$f" 2>/dev/null || true
	fi
	# the same calls, by name (as libacl makes them)
	fails_with "Operation not supported" getfattr -n system.posix_acl_access "$f"
	fails_with "Operation not supported" getfattr -n system.posix_acl_default "$f"
	fails_with "Operation not supported" setfattr -n system.posix_acl_access -v "$acl" "$f"
	# (the kernel itself answers this one for a file that is no directory)
	setfattr -x system.posix_acl_default "$f" 2>/dev/null || true
	fails_with "Operation not supported" getfattr -n security.selinux "$f"
	fails_with "Operation not supported" setfattr -n security.selinux -v unconfined_u "$f"
	getfattr -d -m - "$f" >/dev/null
	getfattr -d "$f" >/dev/null
}

@test "ACL and security-label probes get ENOTSUP and leave no record, on every kind of file" {
	mount_monfs
	mkdir "$MNT/metrics/NS" "$MNT/logs/G"
	touch "$MNT/metrics/NS/m" "$MNT/logs/G/S"
	printf 'metric = NS/m\nstatistic = average\nperiod = 60\ncomparison = >\nthreshold = 5\n' \
		| cat >"$MNT/alarms/high"
	sync_trail
	day_file
	mark
	local f
	for f in "$MNT/metrics/NS/m" "$MNT/metrics/NS" "$MNT/logs/G/S" "$MNT/logs/G" \
		"$MNT/alarms/high" "$MNT/metrics" "$DAY"; do
		probe_acls "$f"
	done
	none '.eventName != "CreateNamespace"'
}

@test "a write to a stream whose group was removed under it: ResourceNotFoundException, in the user's words" {
	mount_monfs
	mkdir "$MNT/logs/G" "$MNT/metrics/NS"
	touch "$MNT/logs/G/S" "$MNT/metrics/NS/m"
	mark
	run bash -c 'exec 5>>"$1" || exit 9; rm -r -- "$2"; echo hi >&5' _ "$MNT/logs/G/S" "$MNT/logs/G"
	[ "$status" -ne 0 ] && [ "$status" -ne 9 ]
	await '.eventName == "PutLogEvents" and has("errorCode")'
	rec '.errorCode == "ResourceNotFoundException"
		and .errorMessage == "the stream was deleted while this file was open"
		and .requestParameters.logGroupName == "G" and .requestParameters.logStreamName == "S"'
	run bash -c 'exec 5>>"$1" || exit 9; rm -- "$1"; echo 5 >&5' _ "$MNT/metrics/NS/m"
	[ "$status" -ne 0 ] && [ "$status" -ne 9 ]
	await '.eventName == "PutMetricData" and has("errorCode")'
	rec '.errorCode == "ResourceNotFoundException"
		and .errorMessage == "the metric was deleted while this file was open"'
	none '.errorCode == "ServiceUnavailable"'
}

@test "chmod is SetPermissions, chown is SetOwner, on metrics, namespaces, groups and streams" {
	mount_monfs
	mkdir "$MNT/metrics/NS" "$MNT/logs/G"
	touch "$MNT/metrics/NS/m" "$MNT/logs/G/S"
	mark
	chmod 600 "$MNT/metrics/NS/m"
	only '.eventName == "SetPermissions" and .requestParameters.metricName == "m"'
	rec '.eventSource == "metrics.monfs" and .requestParameters == {"namespace":"NS","metricName":"m","mode":"0600"}'
	rec '.userAgent == "chmod" and .managementEvent == true'
	chmod 750 "$MNT/metrics/NS"
	only '.eventName == "SetPermissions" and .requestParameters == {"namespace":"NS","mode":"0750"}'
	chmod 700 "$MNT/logs/G"
	only '.eventName == "SetPermissions" and .requestParameters == {"logGroupName":"G","mode":"0700"}'
	rec '.eventSource == "logs.monfs"'
	chmod 640 "$MNT/logs/G/S"
	only '.eventName == "SetPermissions" and .requestParameters == {"logGroupName":"G","logStreamName":"S","mode":"0640"}'
	chown 1234:1234 "$MNT/metrics/NS/m"
	assert_equal "$(stat -c '%u %g' "$MNT/metrics/NS/m")" "1234 1234"
	only '.eventName == "SetOwner" and .requestParameters.metricName == "m"'
	rec '.requestParameters == {"namespace":"NS","metricName":"m","uid":1234,"gid":1234}'
	rec '.userAgent == "chown" and .eventSource == "metrics.monfs"'
	chown 1234:1234 "$MNT/logs/G/S"
	only '.eventName == "SetOwner" and .requestParameters.logStreamName == "S"'
	rec '.requestParameters == {"logGroupName":"G","logStreamName":"S","uid":1234,"gid":1234}'
}

@test "invalid names are recorded as InvalidParameterValue (EINVAL and ENAMETOOLONG)" {
	mount_monfs
	mark
	fails_with "Invalid argument" mkdir "$MNT/metrics/.hidden"
	only '.eventName == "CreateNamespace" and .requestParameters.namespace == ".hidden"'
	rec '.errorCode == "InvalidParameterValue" and (.errorMessage | length > 0)'
	local a b
	a=$(printf 'a%.0s' {1..200})
	b=$(printf 'b%.0s' {1..100})
	fails_with "File name too long" mkdir -p "$MNT/metrics/$a/$b"
	only ".eventName == \"CreateNamespace\" and .requestParameters.namespace == \"$a/$b\""
	rec '.errorCode == "InvalidParameterValue" and (.errorMessage | length > 0)'
}

@test "what the kernel answers itself (EEXIST, ENOENT) does not reach the trail" {
	mount_monfs
	mkdir "$MNT/metrics/NS" "$MNT/logs/G"
	sync_trail
	mark
	fails_with "File exists" mkdir "$MNT/metrics/NS"
	fails_with "No such file or directory" rm "$MNT/metrics/NS/nothing"
	fails_with "No such file or directory" rmdir "$MNT/logs/nothing"
	fails_with "No such file or directory" cat "$MNT/logs/G/nothing"
	none '(.requestParameters.namespace // "" | startswith("sync-")) | not'
}

@test "rename, link, symlink and mknod in metrics/ and logs/ are refused and recorded as AccessDenied" {
	mount_monfs
	mkdir "$MNT/metrics/NS" "$MNT/logs/G"
	touch "$MNT/metrics/NS/m" "$MNT/logs/G/S"
	mark
	fails_with "Operation not permitted" mv "$MNT/metrics/NS/m" "$MNT/metrics/NS/n"
	only '.eventName == "Rename"'
	rec '.eventSource == "metrics.monfs" and .errorCode == "AccessDenied" and .userAgent == "mv"'
	fails_with "Operation not permitted" ln "$MNT/metrics/NS/m" "$MNT/metrics/NS/l"
	only '.eventName == "Link"'
	rec '.eventSource == "metrics.monfs" and .errorCode == "AccessDenied" and .userAgent == "ln"'
	fails_with "Operation not permitted" ln -s m "$MNT/metrics/NS/s"
	only '.eventName == "Symlink"'
	rec '.eventSource == "metrics.monfs" and .errorCode == "AccessDenied"'
	fails_with "Operation not permitted" mkfifo "$MNT/metrics/NS/f"
	only '.eventName == "Mknod"'
	rec '.eventSource == "metrics.monfs" and .errorCode == "AccessDenied" and .userAgent == "mkfifo"'
	fails_with "Operation not permitted" mv "$MNT/logs/G/S" "$MNT/logs/G/T"
	only '.eventName == "Rename" and .eventSource == "logs.monfs"'
	rec '.errorCode == "AccessDenied"'
	# nothing moved
	assert_equal "$(ls "$MNT/metrics/NS")" "m"
	assert_equal "$(ls "$MNT/logs/G")" "S"
}

@test "attempts on alarms/ and filters/ are recorded under alarms.monfs and filters.monfs" {
	mount_monfs
	mkdir "$MNT/logs/app"
	mark
	printf 'metric = NS/m\nstatistic = average\nperiod = 60\ncomparison = >\nthreshold = 5\n' \
		| cat >"$MNT/alarms/high" || true
	await '.eventSource == "alarms.monfs"'
	rec '.userIdentity.type == "LocalUser" and (.eventName | length > 0)'
	printf 'group = app\npattern = ERROR\nmetric = App/Errors\nvalue = 1\n' \
		| cat >"$MNT/filters/errors" || true
	await '.eventSource == "filters.monfs"'
	rec '.userIdentity.type == "LocalUser" and (.eventName | length > 0)'
}

# ---------------------------------------------------------------------------
# Data events

@test "PutMetricData: one data event per open file handle, at close, with its points and bytes" {
	mount_monfs --trail-data write
	mkdir "$MNT/metrics/NS"
	local m="$MNT/metrics/NS/m"
	mark
	/bin/printf '1\n2\n3\n' >"$m"
	only '.eventName == "Create"'
	only '.eventName == "PutMetricData"'
	rec '.eventSource == "metrics.monfs" and .requestParameters == {"namespace":"NS","metricName":"m","datapoints":3,"bytes":6}'
	rec '.readOnly == false and .managementEvent == false and .eventCategory == "Data"'
	rec '.eventType == "AwsApiCall" and (has("errorCode") | not) and .responseElements == null'
	rec '.userIdentity.type == "LocalUser" and .userIdentity.uid == 0 and .userAgent == .userIdentity.processName'
	# three writes (echo is a builtin) on one descriptor: one event
	mark
	{
		echo 1
		echo 2
		echo 30
	} >"$m"
	only '.eventName == "PutMetricData"'
	rec '.requestParameters == {"namespace":"NS","metricName":"m","datapoints":3,"bytes":7}'
	rec ".userIdentity.pid == $BASHPID"
	rec ".userIdentity.processName == \"$(cat /proc/$BASHPID/comm)\""
	# appending to an existing metric: no Create, one PutMetricData
	mark
	echo 5 >>"$m"
	only '.eventName == "PutMetricData"'
	rec '.requestParameters.datapoints == 1 and .requestParameters.bytes == 2'
	none '.eventName == "Create"'
	assert_equal "$(total_samples "$m")" 7
}

@test "a refused metric write: PutMetricData with InvalidParameterValue and the reason" {
	mount_monfs
	mkdir "$MNT/metrics/NS"
	local m="$MNT/metrics/NS/m"
	touch "$m"
	mark
	fails_with "Invalid argument" /bin/sh -c '/bin/printf "1\nabc\n" >"$1"' sh "$m"
	await '.eventName == "PutMetricData" and has("errorCode")'
	rec '.errorCode == "InvalidParameterValue"'
	rec '.errorMessage == "line 2: \"abc\" is not a number"'
	rec '.requestParameters.namespace == "NS" and .requestParameters.metricName == "m"'
	rec '.eventCategory == "Data" and .readOnly == false and .managementEvent == false'
	# nothing of it was stored, and no record claims otherwise
	none '.eventName == "PutMetricData" and (.requestParameters.datapoints // 0) > 0'
	assert_equal "$(total_samples "$m")" 0
}

@test "PutLogEvents: one data event per handle, with events and bytes; an unterminated line counts at close" {
	mount_monfs --trail-data write
	mkdir "$MNT/logs/G"
	local s="$MNT/logs/G/S"
	mark
	/bin/printf 'one\ntwo\nthree\n' >"$s"
	only '.eventName == "CreateLogStream"'
	only '.eventName == "PutLogEvents"'
	rec '.eventSource == "logs.monfs" and .requestParameters == {"logGroupName":"G","logStreamName":"S","events":3,"bytes":14}'
	rec '.readOnly == false and .managementEvent == false and .eventCategory == "Data"'
	# an unterminated line becomes an event at close, gaining its newline:
	# bytes counts what the stream grew by
	local size0
	size0=$(stat -c %s "$s")
	mark
	/bin/printf 'tail' >>"$s"
	only '.eventName == "PutLogEvents"'
	assert_equal "$(stat -c %s "$s")" $((size0 + 5))
	rec '.requestParameters.events == 1 and .requestParameters.bytes == 5'
}

@test "a stream line over 256 KiB: PutLogEvents with InvalidParameterException, nothing stored" {
	mount_monfs
	mkdir "$MNT/logs/G"
	local s="$MNT/logs/G/S" out
	echo first >"$s"
	mark
	# one write(2) of a 262,145-byte line and its newline
	out=$(perl -e 'open(my $f, ">>", $ARGV[0]) or die "open: $!";
		my $n = syswrite($f, ("a" x 262145) . "\n");
		print defined $n ? "$n\n" : "E: $!\n"; close $f' "$s")
	assert_equal "$out" "E: Message too long"
	only '.eventName == "PutLogEvents"'
	rec '.errorCode == "InvalidParameterException" and (.errorMessage | length > 0)'
	rec '.requestParameters.logGroupName == "G" and .requestParameters.logStreamName == "S"'
	rec '.userAgent == "perl" and .eventCategory == "Data"'
	assert_equal "$(cat "$s")" "first"
}

@test "without --trail-reads, reads are not recorded" {
	mount_monfs
	mkdir "$MNT/metrics/NS" "$MNT/logs/G"
	echo 1 >"$MNT/metrics/NS/m"
	echo hi >"$MNT/logs/G/S"
	mark
	cat "$MNT/metrics/NS/m" >/dev/null
	cat "$MNT/metrics/NS/m?period=300" >/dev/null
	cat "$MNT/logs/G/S" >/dev/null
	tail -n 1 "$MNT/logs/G/S" >/dev/null
	cat "$MNT/logs/G/S?format=json" >/dev/null
	none '.readOnly == true or .eventName == "GetMetricStatistics" or .eventName == "GetLogEvents"'
}

@test "a bad view is recorded as GetMetricStatistics with InvalidParameterValue naming the key" {
	mount_monfs
	mkdir "$MNT/metrics/NS"
	echo 1 >"$MNT/metrics/NS/m"
	mark
	fails_with "Invalid argument" cat "$MNT/metrics/NS/m?bogus=1"
	only '.eventName == "GetMetricStatistics"'
	rec '.errorCode == "InvalidParameterValue" and (.errorMessage | contains("bogus"))'
	rec '.readOnly == true and .eventSource == "metrics.monfs" and .userAgent == "cat"'
	rec '.requestParameters.namespace == "NS" and .requestParameters.metricName == "m"'
}

@test "with --trail-reads, cat of a metric is GetMetricStatistics and of a stream GetLogEvents" {
	mount_monfs --trail-reads
	mkdir "$MNT/metrics/NS" "$MNT/logs/G"
	echo 1 >"$MNT/metrics/NS/m"
	echo hi >"$MNT/logs/G/S"
	mark
	cat "$MNT/metrics/NS/m" >/dev/null
	await '.eventName == "GetMetricStatistics"'
	rec '.eventSource == "metrics.monfs" and .readOnly == true and .eventCategory == "Data"'
	rec '.managementEvent == false and .userAgent == "cat" and (has("errorCode") | not)'
	rec '.requestParameters.namespace == "NS" and .requestParameters.metricName == "m"'
	cat "$MNT/logs/G/S" >/dev/null
	await '.eventName == "GetLogEvents"'
	rec '.eventSource == "logs.monfs" and .readOnly == true and .eventCategory == "Data"'
	rec '.requestParameters.logGroupName == "G" and .requestParameters.logStreamName == "S"'
	rec '.userAgent == "cat"'
}

# ---------------------------------------------------------------------------
# trail/ is read-only, for root too, and every attempt is recorded

@test "nothing can be made in trail/: touch, mkdir, ln, ln -s, mkfifo fail with EPERM and are recorded" {
	mount_monfs
	mkdir "$MNT/metrics/NS"
	sync_trail
	day_file
	local copy="$BATS_TEST_TMPDIR/day.copy"
	cp "$DAY" "$copy"
	mark
	refused_on_trail Create touch "$T/x"
	rec '.userAgent == "touch"'
	refused_on_trail Mkdir mkdir "$T/x"
	rec '.userAgent == "mkdir"'
	refused_on_trail Link ln "$DAY" "$T/hard"
	refused_on_trail Symlink ln -s "$DAY" "$T/soft"
	refused_on_trail Mknod mkfifo "$T/fifo"
	assert_equal "$(ls -A "$T")" "$(today)"
	unchanged_prefix "$DAY" "$copy"
	# everything after the copy is new, whole records
	tail -c +$(($(wc -c <"$copy") + 1)) "$DAY" | jq -R -e 'fromjson | type == "object"' >/dev/null
}

@test "a day file cannot be written, appended, truncated or touched: EPERM, recorded, bytes unchanged" {
	mount_monfs
	mkdir "$MNT/metrics/NS"
	sync_trail
	day_file
	local copy="$BATS_TEST_TMPDIR/day.copy"
	cp "$DAY" "$copy"
	mark
	refused_on_trail Write sh -c 'echo x >"$1"' sh "$DAY"
	mark
	refused_on_trail Write sh -c 'echo x >>"$1"' sh "$DAY"
	# truncate(2) itself
	mark
	refused_on_trail Truncate perl -e 'truncate($ARGV[0], 0) or die "$!\n"' "$DAY"
	rec '.userAgent == "perl"'
	# truncate(1) opens the file for writing first: that open is what is
	# refused, and recorded (as Write, or as Truncate)
	mark
	fails_with "Operation not permitted" truncate -s 0 "$DAY"
	await '.eventSource == "trail.monfs" and .userAgent == "truncate"'
	rec '.errorCode == "AccessDenied" and (.eventName == "Truncate" or .eventName == "Write")'
	# touch on an existing file sets its times (utimensat)
	mark
	refused_on_trail Utimens touch "$DAY"
	rec '.userAgent == "touch"'
	unchanged_prefix "$DAY" "$copy"
	assert_equal "$(stat -c '%a %U %G' "$DAY")" "644 root root"
	[ "$(stat -c %s "$DAY")" -gt "$(wc -c <"$copy")" ]
}

@test "a day file cannot be removed, renamed, chmod-ed, chown-ed or given attributes: EPERM, recorded" {
	mount_monfs
	mkdir "$MNT/metrics/NS"
	sync_trail
	day_file
	local copy="$BATS_TEST_TMPDIR/day.copy"
	cp "$DAY" "$copy"
	mark
	refused_on_trail Unlink rm -f "$DAY"
	rec '.userAgent == "rm"'
	refused_on_trail Rename mv "$DAY" "$T/y"
	rec '.userAgent == "mv"'
	refused_on_trail Chmod chmod 600 "$DAY"
	rec '.userAgent == "chmod"'
	mark
	refused_on_trail Chmod chmod 700 "$T"
	refused_on_trail Chown chown 1234:1234 "$DAY"
	rec '.userAgent == "chown"'
	refused_on_trail Setxattr setfattr -n user.note -v hi "$DAY"
	rec '.userAgent == "setfattr"'
	refused_on_trail Removexattr setfattr -x user.note "$DAY"
	assert_equal "$(ls -A "$T")" "$(today)"
	assert_equal "$(stat -c '%a %U %G' "$T")" "755 root root"
	assert_equal "$(stat -c '%a %U %G' "$DAY")" "644 root root"
	unchanged_prefix "$DAY" "$copy"
}

# ---------------------------------------------------------------------------
# Reading the day file as a file

@test "the day file is JSON Lines in time order; jq parses every line; st_size equals wc -c" {
	mount_monfs --trail-data write
	local i
	mkdir "$MNT/metrics/NS" "$MNT/logs/G"
	for i in $(seq 1 15); do
		echo "$i" >"$MNT/metrics/NS/m$((i % 3))"
		echo "line $i" >>"$MNT/logs/G/s$((i % 2))"
		chmod 644 "$MNT/metrics/NS/m$((i % 3))"
	done
	touch "$T/refused" 2>/dev/null || true
	sync_trail
	day_file
	local n
	n=$(wc -l <"$DAY")
	[ "$n" -ge 50 ]
	# every line alone is one JSON object; jq -c . sees as many records
	jq -R -e 'fromjson | type == "object"' "$DAY" >/dev/null
	assert_equal "$(jq -c . "$DAY" | wc -l)" "$n"
	# it ends with a newline, and holds no blank line
	assert_equal "$(tail -c 1 "$DAY" | od -An -c | tr -d ' ')" '\n'
	assert_equal "$(grep -c '^$' "$DAY" || true)" 0
	# in time order
	jq -s -e 'map(.eventTime) | . == sort' "$DAY" >/dev/null
	# all of today
	assert_equal "$(jq -r '.eventTime[0:10]' "$DAY" | sort -u)" "$(today)"
	assert_equal "$(stat -c %s "$DAY")" "$(wc -c <"$DAY")"
	assert_equal "$(stat -c %s "$DAY")" "$(cat "$DAY" | wc -c)"
}

@test "reads at any offset agree with a full read: tail -c, head -c, dd skip=" {
	mount_monfs
	local i full="$BATS_TEST_TMPDIR/full" size
	mkdir "$MNT/metrics/NS"
	for i in $(seq 1 30); do
		echo "$i" >"$MNT/metrics/NS/m$i"
	done
	sync_trail
	day_file
	cat "$DAY" >"$full"
	size=$(wc -c <"$full")
	assert_equal "$(stat -c %s "$DAY")" "$size"
	cmp <(tail -c 100 "$DAY") <(tail -c 100 "$full")
	cmp <(tail -c 5000 "$DAY") <(tail -c 5000 "$full")
	cmp <(tail -c +1234 "$DAY") <(tail -c +1234 "$full")
	cmp <(tail -n 3 "$DAY") <(tail -n 3 "$full")
	cmp <(head -c 777 "$DAY") <(head -c 777 "$full")
	cmp <(dd if="$DAY" bs=1 skip=4321 count=97 2>/dev/null) <(dd if="$full" bs=1 skip=4321 count=97 2>/dev/null)
	cmp <(dd if="$DAY" bs=512 skip=3 count=4 2>/dev/null) <(dd if="$full" bs=512 skip=3 count=4 2>/dev/null)
	cmp <(dd if="$DAY" bs=4096 skip=1 2>/dev/null) <(dd if="$full" bs=4096 skip=1 2>/dev/null)
	# past the end: nothing
	assert_equal "$(dd if="$DAY" bs=1 skip=$((size + 10)) 2>/dev/null | wc -c)" 0
	# sed and awk read the same records
	assert_equal "$(sed -n '7p' "$DAY")" "$(sed -n '7p' "$full")"
}

@test "eventIDs and requestIDs are unique UUIDv4s" {
	mount_monfs --trail-data write
	local i
	mkdir "$MNT/metrics/NS"
	for i in $(seq 1 40); do
		mkdir "$MNT/metrics/NS/d$i"
		echo "$i" >"$MNT/metrics/NS/m"
	done
	rmdir "$MNT/metrics/NS/d"* 2>/dev/null || true
	sync_trail
	day_file
	local n
	n=$(wc -l <"$DAY")
	[ "$n" -ge 120 ]
	assert_equal "$(jq -r .eventID "$DAY" | sort | uniq -d)" ""
	assert_equal "$(jq -r .requestID "$DAY" | sort | uniq -d)" ""
	assert_equal "$(jq -r .eventID "$DAY" | grep -Ecv "$UUID4_RE" || true)" 0
	assert_equal "$(jq -r .requestID "$DAY" | grep -Ecv "$UUID4_RE" || true)" 0
	assert_equal "$(jq -r '.eventID, .requestID' "$DAY" | sort -u | wc -l)" $((2 * n))
}

@test "tail -f trail/DAY shows new events as they happen" {
	mount_monfs --trail-data write
	local out="$BATS_TEST_TMPDIR/tail.out"
	mkdir "$MNT/metrics/first"
	await '.requestParameters.namespace == "first"'
	day_file
	bg tail -f "$DAY" >"$out" 2>&1
	eventually 10 'grep -q "\"first\"" "$out"'
	mkdir "$MNT/metrics/second"
	eventually 10 'grep -q "\"namespace\":\"second\"" "$out"'
	echo 5 >"$MNT/metrics/second/m"
	eventually 10 'grep -q "\"PutMetricData\"" "$out"'
	touch "$T/nope" 2>/dev/null || true
	eventually 10 'grep -q "\"trail.monfs\"" "$out"'
	sleep 1.5
	stop_bg "$BG_PID"
	# whole records, the same bytes as the file
	jq -R -e 'fromjson | type == "object"' "$out" >/dev/null
	cmp "$out" <(tail -n "$(wc -l <"$out")" "$DAY")
}

# ---------------------------------------------------------------------------
# Durability

@test "records survive a remount, and new ones are appended after them" {
	mount_monfs --trail-data write
	mkdir "$MNT/metrics/before" "$MNT/logs/G"
	echo 1 >"$MNT/metrics/before/m"
	echo hi >"$MNT/logs/G/S"
	sync_trail
	local copy="$BATS_TEST_TMPDIR/trail.copy"
	records >"$copy"
	remount
	cmp <(records | head -c "$(wc -c <"$copy")") "$copy"
	mark
	MARK=$(wc -l <"$copy")
	mkdir "$MNT/metrics/after"
	only '.eventName == "CreateNamespace" and .requestParameters.namespace == "after"'
	assert_equal "$(records | head -n "$MARK" | jq -r 'select(.eventName == "PutMetricData") | .requestParameters.namespace')" before
	assert_equal "$(records | jq -r .eventID | sort | uniq -d)" ""
	day_file
	assert_equal "$(stat -c %s "$DAY")" "$(wc -c <"$DAY")"
}

@test "a file held open for writing reaches the trail within a minute, and its close adds the rest" {
	mount_monfs --trail-data write
	mkdir "$MNT/metrics/NS"
	local m="$MNT/metrics/NS/m" fifo="$BATS_TEST_TMPDIR/go" holder
	touch "$m"
	mkfifo "$fifo"
	mark
	# one process opens m, writes two points with builtin echo (each
	# write(2) by the opener), then holds m open until told to go on
	bg bash -c 'exec 5>>"$1"; echo 1 >&5; echo 2 >&5; read -r _ <"$2"; echo 3 >&5; exec 5>&-' \
		bash "$m" "$fifo"
	holder=$BG_PID
	await '.eventName == "PutMetricData"' 80
	rec '.requestParameters == {"namespace":"NS","metricName":"m","datapoints":2,"bytes":4}'
	rec ".userIdentity.pid == $holder"
	# the descriptor is still open
	process_alive "$holder"
	echo go >"$fifo"
	eventually 10 '! process_alive "$holder"'
	await '.eventName == "PutMetricData" and .requestParameters.datapoints == 1'
	rec ".userIdentity.pid == $holder and .requestParameters.bytes == 2"
	sync_trail
	assert_equal "$(pick '.eventName == "PutMetricData"' | jq -s 'map(.requestParameters.datapoints) | add')" 3
	assert_equal "$(total_samples "$m")" 3
}

@test "after kill -9 with a file open and its writes acknowledged, the remount records them" {
	mount_monfs --trail-data write
	mkdir "$MNT/metrics/NS"
	local m="$MNT/metrics/NS/m" done="$BATS_TEST_TMPDIR/written" holder
	touch "$m"
	sync_trail
	mark
	bg bash -c 'exec 5>>"$1"; echo 41 >&5 && echo 42 >&5 && echo 43 >&5 && : >"$2"; exec sleep 600' \
		bash "$m" "$done"
	holder=$BG_PID
	eventually 10 '[ -e "$done" ]'
	kill -9 "$MONFS_MAIN_PID"
	stop_daemon "$MNT" "$MONFS_MAIN_PID" || true
	stop_bg "$holder"
	mount_monfs --trail-data write
	await '.eventName == "PutMetricData"'
	rec '.requestParameters == {"namespace":"NS","metricName":"m","datapoints":3,"bytes":9}'
	rec ".userIdentity.pid == $holder and .eventCategory == \"Data\""
	assert_equal "$(total_samples "$m")" 3
	assert_equal "$(records | jq -r .eventID | sort | uniq -d)" ""
	jq -R -e 'fromjson | type == "object"' <(records) >/dev/null
}
