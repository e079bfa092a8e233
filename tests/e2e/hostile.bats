#!/usr/bin/env bats
# Hostile input (SPEC 2, 8, 10): random bytes written into every kind of
# file, overlong names and paths, a 100-level mkdir -p, views with garbage
# queries. Each is refused with the errno the SPEC names (or, for streams,
# accepted byte for byte), stores nothing, leaves a trail record with an
# errorCode (SPEC 6), and the daemon keeps serving: after each, a metric
# written at setup renders exactly as before.

load helpers

setup() {
	monfs_paths
	mount_monfs
	NS="$MNT/metrics/Hostile"
	G="$MNT/logs/hostile"
	mkdir "$NS" "$G"
	# a reference metric, read through a fixed window so that the passing
	# of time does not change its rendering
	local t0
	t0=$(minutes_ago 30)
	BASE="$NS/base"
	append_to "$BASE" '10 %s\n20 %s\n35 %s\n' "$t0" $((t0 + 1)) $((t0 + 61))
	BASE_VIEW=$(window "$BASE" $((t0 - 600)) $((t0 + 600)))
	BEFORE=$(read_view "$BASE_VIEW")
	assert_equal "$(rows "$BASE_VIEW" | wc -l)" 2
	RND="$BATS_TEST_TMPDIR/rnd"
}

teardown() {
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

# still_serving: the daemon runs, the mount answers, and the reference
# metric renders exactly as it did at setup.
still_serving() {
	if ! process_alive "$MONFS_MAIN_PID"; then
		echo "monfs (pid $MONFS_MAIN_PID) died; log:"
		cat "$LOG"
		return 1
	fi
	mountpoint -q "$MNT" || {
		echo "$MNT is no longer mounted"
		return 1
	}
	ls "$MNT/metrics" >/dev/null || return 1
	local now
	now=$(read_view "$BASE_VIEW") || {
		echo "cannot read $BASE_VIEW"
		return 1
	}
	assert_equal "$now" "$BEFORE"
}

# records: every trail record, day files oldest first.
records() {
	local f
	for f in "$MNT"/trail/*; do
		[ -e "$f" ] || continue
		cat -- "$f" || return 1
	done
}

# count_records FILTER: how many trail records FILTER (jq) selects.
count_records() {
	records | jq -c "select($1)" | wc -l
}

# await_records N FILTER: poll until at least N records match FILTER
# (records reach the trail asynchronously); shows the error records if not.
await_records() {
	local n="$1" filter="$2" deadline=$((SECONDS + 15)) c
	while :; do
		c=$(count_records "$filter")
		((c >= n)) && return 0
		if ((SECONDS >= deadline)); then
			echo "expected at least $n trail records with: $filter; found $c. Error records:"
			records | jq -c 'select(.errorCode) | {eventName, eventSource, errorCode, errorMessage, requestParameters}' | cut -c1-300
			return 1
		fi
		sleep 0.2
	done
}

# await_record FILTER: at least one record matches FILTER.
await_record() {
	await_records 1 "$1"
}

# random_file N: N random bytes in $RND.
random_file() {
	head -c "$1" /dev/urandom >"$RND"
}

# percent_random N: N random bytes, every one percent-encoded.
percent_random() {
	head -c "$1" /dev/urandom | od -An -v -tx1 | tr -d ' \n' | sed 's/../%&/g'
}

# copy SRC DST: cat SRC > DST, for `run` (the redirection stays inside).
copy() {
	cat -- "$1" >"$2"
}

# long STRING N: STRING repeated to N bytes.
long() {
	local s
	printf -v s '%*s' "$2" ''
	echo "${s// /$1}"
}

# ---------------------------------------------------------------------------
# Random bytes into every kind of file

@test "random bytes into a metric: EINVAL, nothing stored, daemon serving" {
	random_file 65536
	touch "$NS/rnd"
	fails_with "Invalid argument" copy "$RND" "$NS/rnd"
	assert_no_data "$NS/rnd"
	assert_no_data "$(window "$NS/rnd" $(minutes_ago 14000) $(($(date +%s) + 3600)) '&period=3600')"
	await_record '.eventSource == "metrics.monfs" and .eventName == "PutMetricData"
		and .requestParameters.metricName == "rnd" and .errorCode == "InvalidParameterValue"
		and (.errorMessage | length > 0)'
	still_serving
}

@test "random bytes into a stream: stored byte for byte" {
	random_file 65536
	succeeds copy "$RND" "$G/rnd"
	local expect="$BATS_TEST_TMPDIR/expect"
	cp "$RND" "$expect"
	# an unterminated last line gains its \n
	[ "$(tail -c 1 "$RND" | od -An -tx1 | tr -d ' ')" = 0a ] || printf '\n' >>"$expect"
	cmp "$expect" "$G/rnd"
	assert_equal "$(stat -c %s "$G/rnd")" "$(stat -c %s "$expect")"
	# and again, appended, a second time
	succeeds bash -c 'cat -- "$1" >>"$2"' _ "$RND" "$G/rnd"
	cat "$RND" >>"$expect"
	[ "$(tail -c 1 "$RND" | od -An -tx1 | tr -d ' ')" = 0a ] || printf '\n' >>"$expect"
	cmp "$expect" "$G/rnd"
	still_serving
}

@test "random bytes without a newline over 256 KiB in one write: EMSGSIZE, stream unchanged" {
	/bin/echo "kept line" >"$G/big"
	head -c 400000 /dev/urandom | tr -d '\n' | head -c 300000 >"$RND"
	assert_equal "$(stat -c %s "$RND")" 300000
	# dd writes it in one write(2), under FUSE's largest request
	fails_with "Message too long" dd if="$RND" of="$G/big" bs=300000 count=1 oflag=append conv=notrunc
	assert_equal "$(cat "$G/big")" "kept line"
	assert_equal "$(stat -c %s "$G/big")" 10
	await_record '.eventSource == "logs.monfs" and .requestParameters.logStreamName == "big"
		and .errorCode == "InvalidParameterException"'
	# the stream still takes lines
	/bin/echo "after" >>"$G/big"
	assert_equal "$(cat "$G/big")" "$(printf 'kept line\nafter')"
	still_serving
}

@test "random bytes as an alarm definition: EINVAL at close, no alarm defined" {
	random_file 65536
	fails_with "Invalid argument" copy "$RND" "$MNT/alarms/rnd"
	[ ! -e "$MNT/alarms/rnd" ]
	assert_equal "$(ls -A "$MNT/alarms")" ""
	await_record '.eventSource == "alarms.monfs" and .eventName == "PutMetricAlarm"
		and .requestParameters.alarmName == "rnd" and .errorCode == "InvalidParameterValue"
		and (.errorMessage | length > 0)'
	still_serving
}

@test "random bytes as a filter definition: EINVAL at close, no filter defined" {
	random_file 8192
	fails_with "Invalid argument" copy "$RND" "$MNT/filters/rnd"
	[ ! -e "$MNT/filters/rnd" ]
	assert_equal "$(ls -A "$MNT/filters")" ""
	await_record '.eventSource == "filters.monfs" and .eventName == "PutMetricFilter"
		and .errorCode == "InvalidParameterValue" and (.errorMessage | length > 0)'
	still_serving
}

@test "oversized definitions (64 KiB of random bytes as a filter, over 64 KiB as an alarm): EFBIG, nothing defined" {
	random_file 65536
	fails_with "File too large" copy "$RND" "$MNT/filters/big"
	random_file 70000
	fails_with "File too large" copy "$RND" "$MNT/alarms/big"
	[ ! -e "$MNT/filters/big" ]
	[ ! -e "$MNT/alarms/big" ]
	assert_equal "$(ls -A "$MNT/alarms" "$MNT/filters" | grep -c big)" 0
	still_serving
}

@test "oversized definitions refused with EFBIG leave a trail record with an errorCode" {
	random_file 65536
	fails_with "File too large" copy "$RND" "$MNT/filters/big"
	random_file 70000
	fails_with "File too large" copy "$RND" "$MNT/alarms/big"
	# SPEC 6: a refused operation carries errorCode (EFBIG is not one the
	# kernel answers itself). ServiceUnavailable is never the answer to a
	# user's mistake: a definition too large is a parameter too large, as
	# a log line too long (EMSGSIZE) is
	await_record '.eventSource == "filters.monfs" and (.requestParameters | tostring | contains("big"))
		and .errorCode == "InvalidParameterException"
		and (.errorMessage | startswith("a definition is at most"))'
	await_record '.eventSource == "alarms.monfs" and (.requestParameters | tostring | contains("big"))
		and .errorCode == "InvalidParameterException"'
	still_serving
}

# ---------------------------------------------------------------------------
# Overlong names and paths

@test "256-byte names: ENAMETOOLONG everywhere, nothing made, each refusal in the trail" {
	local n256 n255
	n256=$(long a 256)
	n255=$(long a 255)
	fails_with "File name too long" touch "$NS/$n256"
	fails_with "File name too long" write_to "$NS/${n256}b" '1\n'
	fails_with "File name too long" mkdir "$MNT/metrics/$n256"
	fails_with "File name too long" mkdir "$MNT/logs/$n256"
	fails_with "File name too long" touch "$G/$n256"
	fails_with "File name too long" write_to "$MNT/alarms/$n256" 'metric = Hostile/base\n'
	fails_with "File name too long" write_to "$MNT/filters/$n256" 'group = hostile\n'
	assert_equal "$(ls -A "$NS")" "base"
	assert_equal "$(ls -A "$MNT/metrics")" "Hostile"
	assert_equal "$(ls -A "$MNT/logs")" "hostile"
	assert_equal "$(ls -A "$G")" ""
	assert_equal "$(ls -A "$MNT/alarms")" ""
	assert_equal "$(ls -A "$MNT/filters")" ""
	# 255 bytes is a valid name
	succeeds touch "$NS/$n255"
	[ -f "$NS/$n255" ]
	rm "$NS/$n255"
	# ENAMETOOLONG is InvalidParameterValue in the trail. The kernel looks
	# a name up before it makes it, and the lookup is refused (so that
	# stat, chmod and rm say ENAMETOOLONG too): each refusal is recorded
	# as a Lookup of that path, in its tree.
	local e='.eventName == "Lookup" and .errorCode == "InvalidParameterValue" and (.errorMessage | length > 0)'
	await_records 2 ".eventSource == \"metrics.monfs\" and (.requestParameters.path | startswith(\"/metrics/Hostile/\")) and $e"
	await_record ".eventSource == \"metrics.monfs\" and .requestParameters.path == \"/metrics/$n256\" and $e"
	await_record ".eventSource == \"logs.monfs\" and .requestParameters.path == \"/logs/$n256\" and $e"
	await_record ".eventSource == \"logs.monfs\" and (.requestParameters.path | startswith(\"/logs/hostile/\")) and $e"
	await_record ".eventSource == \"alarms.monfs\" and $e"
	await_record ".eventSource == \"filters.monfs\" and $e"
	still_serving
}

@test "4000-byte paths and components: ENAMETOOLONG, nothing made, daemon serving" {
	local level p i
	level=$(long b 199)
	p="$MNT/metrics"
	for i in $(seq 20); do p="$p/$level"; done
	((${#p} > 4000))
	fails_with "File name too long" mkdir -p "$p"
	fails_with "File name too long" mkdir -p "$G/x/$(long c 4000)"
	fails_with "File name too long" touch "$NS/$(long d 4000)"
	run cat "$NS/$(long e 4000)"
	[ "$status" -ne 0 ]
	# mkdir -p makes the first level (199 bytes), and no deeper one
	assert_equal "$(ls -A "$MNT/metrics" | sort | xargs)" "Hostile $level"
	assert_equal "$(ls -A "$MNT/metrics/$level")" ""
	assert_equal "$(ls -A "$NS")" "base"
	# likewise logs/hostile/x, and nothing under it
	assert_equal "$(ls -A "$G")" "x"
	assert_equal "$(ls -A "$G/x")" ""
	await_record '.eventName == "CreateNamespace" and .errorCode == "InvalidParameterValue"'
	still_serving
}

@test "mkdir -p of 100 levels under metrics/: levels up to 255 bytes made, then ENAMETOOLONG" {
	local p="$MNT/metrics" i
	for i in $(seq -f '%03g' 100); do p="$p/lvl$i"; done
	# each level is 6 bytes and a /: 36 levels are 251 bytes, 37 are 258
	fails_with "File name too long" mkdir -p "$p"
	local ns36
	ns36=$(seq -f 'lvl%03g' 36 | paste -sd/)
	[ -d "$MNT/metrics/$ns36" ]
	[ ! -e "$MNT/metrics/$ns36/lvl037" ]
	assert_equal "$(ls -A "$MNT/metrics/$ns36")" ""
	# the deepest namespace works like any other
	succeeds write_to "$MNT/metrics/$ns36/m" '7\n'
	assert_equal "$(column "$MNT/metrics/$ns36/m" sum)" 7
	await_record '.eventName == "CreateNamespace" and .errorCode == "InvalidParameterValue"
		and (.errorMessage | length > 0)'
	await_record ".eventName == \"CreateNamespace\" and .requestParameters.namespace == \"$ns36\"
		and (has(\"errorCode\") | not)"
	still_serving
}

# ---------------------------------------------------------------------------
# Views with garbage queries

@test "metric views with garbage queries: EINVAL, each in the trail, daemon serving" {
	local enc long9 q n=0
	enc=$(percent_random 300)
	long9=$(long 9 3000)
	local queries=(
		"period=$enc" "$enc=60" "$enc" "stat=$enc" "since=$enc"
		"period=%zz" "period=60%zz" "period=%6" "%zz=60" "period=%%"
		"period=60&period=60" "stat=sum&stat=sum" "format=json&format=text"
		"=60" "=" "&&&" "period=" "&period=60" "period=60&&stat=sum" "since=now&until=now"
		"filter=x" "view=history" "period=60=60" "period=7"
	)
	for q in "${queries[@]}"; do
		fails_with "Invalid argument" cat "$BASE?$q" || {
			echo "query: ${q:0:200}"
			return 1
		}
		n=$((n + 1))
		still_serving
	done
	await_records "$n" '.eventName == "GetMetricStatistics" and .errorCode == "InvalidParameterValue"'
	# a view's name over 1,024 bytes (SPEC 16): ENAMETOOLONG
	for q in "period=$long9" "since=$long9" "stat=$(long p 3000)" "format=$(long j 3000)"; do
		fails_with "File name too long" cat "$BASE?$q" || {
			echo "query: ${q:0:200}"
			return 1
		}
		still_serving
	done
	# a value longer than PATH_MAX is the kernel's to refuse
	run cat "$BASE?period=$(long 9 100000)"
	[ "$status" -ne 0 ]
	still_serving
}

@test "stream views with garbage queries: EINVAL, each in the trail, daemon serving" {
	/bin/echo "one line" >"$G/s"
	local enc q n=0
	enc=$(percent_random 300)
	local squeries=(
		"filter=$enc&filter=x" "$enc=x" "since=$enc" "filter=%zz" "filter=%"
		"filter=a&filter=a" "format=json&format=json" "=x" "=" "&&" "since=-1x"
		"period=60" "stat=sum" "view=history"
	)
	for q in "${squeries[@]}"; do
		fails_with "Invalid argument" cat "$G/s?$q" || {
			echo "query: ${q:0:200}"
			return 1
		}
		n=$((n + 1))
	done
	still_serving
	await_records "$n" '.eventSource == "logs.monfs" and .eventName == "GetLogEvents"
		and .errorCode == "InvalidParameterValue"'
	# a view's name over 1,024 bytes (SPEC 16): ENAMETOOLONG
	for q in "since=$(long 9 3000)" "format=$(long x 3000)"; do
		fails_with "File name too long" cat "$G/s?$q" || {
			echo "query: ${q:0:200}"
			return 1
		}
	done
	still_serving
	assert_equal "$(cat "$G/s")" "one line"
}

@test "an empty key at the end of a query is refused like one at the start" {
	fails_with "Invalid argument" cat "$BASE?&period=60"
	fails_with "Invalid argument" cat "$BASE?period=60&&stat=sum"
	fails_with "Invalid argument" cat "$BASE?period=60&"
	/bin/echo "one line" >"$G/s"
	fails_with "Invalid argument" cat "$G/s?&format=json"
	fails_with "Invalid argument" cat "$G/s?format=json&"
	still_serving
}

@test "alarm views with garbage queries: EINVAL, each in the trail as alarms.monfs" {
	write_to "$MNT/alarms/a" 'metric = Hostile/base\nstatistic = average\nperiod = 60\ncomparison = >\nthreshold = 1\n'
	[ -f "$MNT/alarms/a" ]
	local enc q n=0
	enc=$(percent_random 300)
	local aqueries=("view=%zz" "view=$enc" "view=history&view=history" "format=json&format=json"
		"period=60" "=history" "view=" "$enc=1")
	n=0
	for q in "${aqueries[@]}"; do
		fails_with "Invalid argument" cat "$MNT/alarms/a?$q" || {
			echo "query: ${q:0:200}"
			return 1
		}
		n=$((n + 1))
	done
	# SPEC 6: eventSource names the tree
	await_records "$n" '.eventSource == "alarms.monfs" and .errorCode == "InvalidParameterValue"'
	still_serving
}

@test "views cannot be opened for writing, whatever the query" {
	local enc
	enc=$(percent_random 100)
	fails_with "Operation not permitted" write_to "$BASE?period=60" '5\n'
	fails_with "Operation not permitted" write_to "$BASE?$enc" '5\n'
	/bin/echo x >"$G/s"
	fails_with "Operation not permitted" append_to "$G/s?filter=%zz" 'x\n'
	assert_equal "$(ls -A "$NS")" "base"
	await_records 2 '.errorCode == "AccessDenied"'
	still_serving
}
