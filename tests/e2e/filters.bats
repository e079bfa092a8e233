#!/usr/bin/env bats
# Metric filters (SPEC 7), driven as users drive them: cat > filters/NAME
# <<EOF, cat, rm, ls; logs written with printf/cat >> logs/GROUP/STREAM;
# the metrics they feed read back with ?format=json and summed with jq.
#
# Filter data points carry the event's ingestion time, so nothing here can
# be written in the past: every expectation is computed over the very lines
# written (grep, awk, jq), and the metric is read over a window wide enough
# to hold them all (period=3600 since -1h: the current and previous hour).
# Where the daemon acts asynchronously (an alarm's evaluation at a 10 s
# boundary, default_value after the minute is over) the test polls with a
# generous deadline.

load helpers

ALARM_DEADLINE_S="${MONFS_ALARM_DEADLINE_S:-40}"
DEFAULT_DEADLINE_S="${MONFS_DEFAULT_DEADLINE_S:-100}"

setup() {
	monfs_paths
	mount_monfs
	F="$MNT/filters"
	L="$MNT/logs"
	M="$MNT/metrics"
}

teardown() {
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

# define NAME: cat > filters/NAME (an external command, so close(2)'s error
# shows); the definition comes on stdin.
define() {
	cat >"$F/$1"
}

# stats METRIC: GetMetricStatistics' JSON of metrics/METRIC, one period
# of an hour over the current and previous hour.
stats() {
	cat -- "$M/$1?period=3600&since=-1h&format=json"
}

# stat METRIC FIELD: FIELD (SampleCount, Sum, Minimum, Maximum) over every
# datapoint of stats METRIC: summed for SampleCount and Sum, the min or max
# for Minimum and Maximum; "none" when there is no datapoint.
stat() {
	local out
	out=$(stats "$1") || return 1
	case "$2" in
	Minimum) jq -r '[.Datapoints[].Minimum] | if length == 0 then "none" else min end' <<<"$out" ;;
	Maximum) jq -r '[.Datapoints[].Maximum] | if length == 0 then "none" else max end' <<<"$out" ;;
	*) jq -r --arg f "$2" '[.Datapoints[][$f]] | if length == 0 then "none" else add end' <<<"$out" ;;
	esac
}

# assert_stat METRIC FIELD EXPECTED: stat METRIC FIELD is EXPECTED,
# numerically (awk compares, so 1234 and 1234.0 are one number).
assert_stat() {
	local actual
	actual=$(stat "$1" "$2") || {
		echo "cannot read metrics/$1"
		return 1
	}
	if [ "$3" = none ] || [ "$actual" = none ]; then
		assert_equal "$actual" "$3" || {
			echo "($2 of metrics/$1)"
			return 1
		}
		return 0
	fi
	if ! awk -v a="$actual" -v e="$3" 'BEGIN { exit !(a + 0 == e + 0) }'; then
		printf '%s of metrics/%s: expected %s, got %s\n--- json:\n' "$2" "$1" "$3" "$actual"
		stats "$1"
		return 1
	fi
}

# field NAME KEY: the value of "KEY = ..." in the reading of filters/NAME.
field() {
	local out
	out=$(cat -- "$F/$1") || return 1
	printf '%s\n' "$out" | sed -n "s/^$2 = //p"
}

# assert_counts NAME MATCHED SKIPPED: filters/NAME reads those counts.
assert_counts() {
	local out
	out=$(cat -- "$F/$1") || {
		echo "cannot read filters/$1"
		return 1
	}
	assert_equal "$(printf '%s\n' "$out" | grep -E '^(matched|skipped) = ')" "matched = $2
skipped = $3" || {
		echo "--- filters/$1:"
		printf '%s\n' "$out"
		return 1
	}
}

# definition NAME: the reading of filters/NAME without its counts.
definition() {
	local out
	out=$(cat -- "$F/$1") || return 1
	printf '%s\n' "$out" | grep -v -E '^(matched|skipped) = '
}

# trail: every record of every day file (a test may straddle midnight UTC).
trail() {
	cat "$MNT"/trail/*
}

# last_record EVENT NAME: the newest EVENT record (PutMetricFilter,
# DeleteMetricFilter) for filter NAME.
last_record() {
	trail | jq -c --arg e "$1" --arg n "$2" \
		'select(.eventName == $e and .requestParameters.filterName == $n)' | tail -n 1
}

# refused NAME NEEDLE...: the newest PutMetricFilter record for NAME is an
# InvalidParameterValue whose message contains every NEEDLE.
refused() {
	local rec msg n
	rec=$(last_record PutMetricFilter "$1")
	json_check "$rec" '.errorCode == "InvalidParameterValue"' || return 1
	json_check "$rec" '.eventSource == "filters.monfs" and .userIdentity.type == "LocalUser"' || return 1
	msg=$(jq -r .errorMessage <<<"$rec")
	shift
	for n in "$@"; do
		assert_contains "$msg" "$n" || return 1
	done
}

# access_log N: N lines of an Apache combined-style access log, the same
# on every run (a Park-Miller generator, so mawk and gawk agree): statuses
# 200 301 304 404 500 503, byte counts 0..99999, and "-" for the bytes of
# every 304 and of some 503s, as Apache logs a response without a body.
access_log() {
	awk -v n="$1" 'BEGIN {
		x = 20261125
		split("200 200 200 200 200 200 200 200 301 301 304 404 404 404 500 500 503 503 503 200", st, " ")
		split("- - - - frank alice", us, " ")
		split("/ /index.html /api/cart /img/logo.png /checkout /login", pa, " ")
		for (i = 1; i <= n; i++) {
			x = (x * 16807) % 2147483647; s = st[x % 20 + 1]
			x = (x * 16807) % 2147483647; b = x % 100000
			x = (x * 16807) % 2147483647; u = us[x % 6 + 1]; p = pa[int(x / 7) % 6 + 1]
			if (s == 304 || (s == 503 && i % 3 == 0)) b = "-"
			if (i % 97 == 0) b = 0
			printf "10.0.%d.%d %s %s [25/Nov/2026:14:%02d:%02d +0000] \"GET %s?id=%d HTTP/1.1\" %s %s\n", \
				i % 7, i % 251, "-", u, int(i / 60) % 60, i % 60, p, i, s, b
		}
	}'
}

# ---------------------------------------------------------------------------
# Definitions and reading back

@test "a definition reads back with the group's leading / dropped, the pattern as written, value 1, then matched and skipped" {
	mkdir "$L/web"
	define http5xx <<'EOF'
# 5xx responses of the web servers
group = /web
pattern = [ip, id, user, ts, request, status=5*, bytes]   # the rest of the line
metric = Web/App/Http5xx
EOF
	run cat "$F/http5xx"
	[ "$status" -eq 0 ]
	assert_equal "$output" "group = web
pattern = [ip, id, user, ts, request, status=5*, bytes]
metric = Web/App/Http5xx
value = 1
matched = 0
skipped = 0"
	# the namespace levels and the metric were made at definition, empty
	[ -d "$M/Web" ]
	[ -d "$M/Web/App" ]
	[ -f "$M/Web/App/Http5xx" ]
	assert_no_data "$M/Web/App/Http5xx"
	# the reading's definition, written to another filter, reads back the same
	definition http5xx | define copy
	assert_equal "$(definition copy)" "$(definition http5xx)"
	# recorded as PutMetricFilter, without an error
	local rec
	rec=$(last_record PutMetricFilter http5xx)
	json_check "$rec" '.eventSource == "filters.monfs" and (has("errorCode") | not) and .userIdentity.type == "LocalUser"'
	json_check "$rec" '.requestParameters | tostring | contains("\"web\"")'
	json_check "$rec" '.requestParameters | tostring | contains("status=5*")'
}

# ---------------------------------------------------------------------------
# Logs become metrics

@test "an Apache access log: 5xx counted into App/Http5xx, \$bytes into App/Bytes; statistics equal grep and awk over the same lines" {
	mkdir "$L/web"
	define http5xx <<'EOF'
group = web
pattern = [ip, id, user, ts, request, status=5*, bytes]
metric = App/Http5xx
EOF
	define bytes <<'EOF'
group = web
pattern = [ip, id, user, ts, request, status, bytes]
metric = App/Bytes
value = $bytes
EOF
	local log="$BATS_TEST_TMPDIR/access.log"
	access_log 400 >"$log"
	# the generator gives what the test needs: each status, and "-" bytes
	local s
	for s in 200 301 304 404 500 503; do
		grep -q "\" $s " "$log"
	done
	cat "$log" >>"$L/web/access"
	cmp "$log" "$L/web/access"

	local n5xx nbytes ndash sum min max
	n5xx=$(grep -cE '" 5[0-9][0-9] [-0-9]+$' "$log")
	read -r nbytes ndash sum min max < <(awk '
		$NF == "-" { d++; next }
		{ n++; s += $NF; if (n == 1 || $NF < lo) lo = $NF; if (n == 1 || $NF > hi) hi = $NF }
		END { printf "%d %d %.0f %d %d\n", n, d, s, lo, hi }' "$log")
	[ "$n5xx" -gt 20 ]
	[ "$ndash" -gt 5 ]
	[ $((nbytes + ndash)) -eq 400 ]

	assert_stat App/Http5xx SampleCount "$n5xx"
	assert_stat App/Http5xx Sum "$n5xx"
	assert_stat App/Http5xx Minimum 1
	assert_stat App/Http5xx Maximum 1
	assert_counts http5xx "$n5xx" 0

	assert_stat App/Bytes SampleCount "$nbytes"
	assert_stat App/Bytes Sum "$sum"
	assert_stat App/Bytes Minimum "$min"
	assert_stat App/Bytes Maximum "$max"
	# lines whose bytes are "-" matched the pattern but gave no value
	assert_counts bytes "$nbytes" "$ndash"
}

@test "pattern = [] (no fields) counts every event of the group, blank lines and JSON included" {
	mkdir "$L/web"
	define all <<'EOF'
group = web
pattern = []
metric = App/Events
EOF
	assert_equal "$(sed -n 's/^pattern = //p' "$F/all")" "[]"
	printf 'one\n\ntwo words\n{"level":"error"}\n' >>"$L/web/a"
	printf '127.0.0.1 - - [t] "GET /" 200 1\n' >>"$L/web/b"
	assert_counts all 5 0
	assert_stat App/Events SampleCount 5
	assert_stat App/Events Sum 5
}

@test "a JSON-log filter { \$.level = \"error\" } with value \$.req.latency: only error lines, their latencies; no latency is skipped" {
	mkdir "$L/api"
	define errlat <<'EOF'
group = api
pattern = { $.level = "error" }
metric = App/ErrorLatency
value = $.req.latency
EOF
	local log="$BATS_TEST_TMPDIR/api.log"
	awk 'BEGIN {
		for (i = 1; i <= 120; i++) {
			lvl = (i % 4 == 0) ? "error" : (i % 4 == 1 ? "warn" : "info")
			if (i % 20 == 0)
				printf "{\"level\":\"%s\",\"msg\":\"no latency %d\"}\n", lvl, i
			else
				printf "{\"level\":\"%s\",\"req\":{\"path\":\"/p%d\",\"latency\":%g},\"msg\":\"m%d\"}\n", lvl, i, i * 7.25, i
		}
		print "plain text: level error, not JSON"
		print "{\"level\":\"error\", \"req\": {\"latency\": 5"
		print "{\"level\":\"ERROR\",\"req\":{\"latency\":1000}}"
	}' >"$log"
	cat "$log" >>"$L/api/svc-1"

	local n skipped sum min max
	read -r n skipped sum min max < <(jq -R -r -s '
		[split("\n")[] | fromjson? | select(.level == "error")] as $e
		| [$e[] | .req.latency | numbers] as $v
		| "\($v | length) \(($e | length) - ($v | length)) \($v | add) \($v | min) \($v | max)"' "$log")
	[ "$n" -gt 20 ]
	[ "$skipped" -gt 0 ]

	assert_stat App/ErrorLatency SampleCount "$n"
	assert_stat App/ErrorLatency Sum "$sum"
	assert_stat App/ErrorLatency Minimum "$min"
	assert_stat App/ErrorLatency Maximum "$max"
	assert_counts errlat "$n" "$skipped"
}

@test "two streams of one group both feed the filter, at their ingestion times; earlier events and other groups do not" {
	mkdir -p "$L/aws/lambda/checkout" "$L/other"
	printf 'ERROR before the filter existed\n' >>"$L/aws/lambda/checkout/s1"
	printf 'ERROR before the filter existed\n' >>"$L/other/x"
	define checkout <<'EOF'
group = /aws/lambda/checkout
pattern = ERROR
metric = Lambda/Checkout/Errors
value = 2.5
EOF
	# the parent level is another group; so is "other"
	define parent <<'EOF'
group = aws
pattern = ERROR
metric = Lambda/Parent/Errors
EOF
	define other <<'EOF'
group = other
pattern = ERROR
metric = Other/Errors
EOF
	printf 'INFO start\nERROR one\nERROR two\nWARN three\n' >>"$L/aws/lambda/checkout/s1"
	printf 'ERROR four\n' >>"$L/aws/lambda/checkout/s2"
	printf 'error five, lower case: no match\nERROR six\n' >>"$L/aws/lambda/checkout/s2"

	assert_counts checkout 4 0
	assert_stat Lambda/Checkout/Errors SampleCount 4
	assert_stat Lambda/Checkout/Errors Sum 10
	assert_counts parent 0 0
	assert_stat Lambda/Parent/Errors SampleCount none
	assert_counts other 0 0
	assert_stat Other/Errors SampleCount none

	# each point is at its event's ingestion time: per minute, the samples
	# are the matching events ingested in that minute
	local times
	times=$(cat "$L/aws/lambda/checkout/s1?format=json" "$L/aws/lambda/checkout/s2?format=json" |
		jq -r 'select((.message | startswith("ERROR")) and (.message | contains("before") | not)) | .ingestionTime / 1000 | floor')
	assert_equal "$(printf '%s\n' "$times" | wc -l)" 4
	assert_equal "$(rows "$M/Lambda/Checkout/Errors?period=60&since=-1h" | awk '{ print $1, $2 }')" \
		"$(bucket_counts 60 $times)"

	# an event in the other group counts there, not in checkout
	printf 'ERROR seven\n' >>"$L/other/x"
	assert_counts other 1 0
	assert_stat Other/Errors SampleCount 1
	assert_counts checkout 4 0
	assert_stat Lambda/Checkout/Errors SampleCount 4
}

@test "events, not writes, are matched: a line cut across writes counts once, a held-open writer's lines at once, an unterminated last line at close" {
	mkdir "$L/sp"
	define sp <<'EOF'
group = sp
pattern = [level, code, ms]
metric = App/Ms
value = $ms
EOF
	{
		/bin/printf 'ERR'
		/bin/printf 'OR 7 1'
		/bin/printf '5\nINFO 1 2\nWA'
		/bin/printf 'RN 3 4\n'
	} >>"$L/sp/s"
	assert_equal "$(cat "$L/sp/s")" "ERROR 7 15
INFO 1 2
WARN 3 4"
	assert_counts sp 3 0
	assert_stat App/Ms Sum 21

	exec 5>>"$L/sp/held"
	/bin/printf 'ERROR 1 100\n' >&5
	assert_counts sp 4 0
	/bin/printf 'ERROR 2 1000' >&5
	assert_counts sp 4 0
	exec 5>&-
	assert_counts sp 5 0
	assert_stat App/Ms Sum 1121
	assert_stat App/Ms Maximum 1000
}

@test "redefining a filter applies the new pattern and metric from then on" {
	mkdir "$L/web"
	printf 'group = web\npattern = ERROR\nmetric = App/Old\n' | define f
	printf 'ERROR 1\nWARN 1\n' >>"$L/web/s"
	assert_stat App/Old SampleCount 1
	printf 'group = web\npattern = WARN\nmetric = App/New\nvalue = 3\n' | define f
	assert_equal "$(definition f)" "group = web
pattern = WARN
metric = App/New
value = 3"
	printf 'ERROR 2\nWARN 2\nWARN 3\n' >>"$L/web/s"
	assert_stat App/Old SampleCount 1
	assert_stat App/New SampleCount 2
	assert_stat App/New Sum 6
}

@test "every filter a group accepted applies: of 40 filters defined on one group, each accepted one counts the event" {
	# SPEC 7 sets no limit; a daemon with one must refuse the definition
	# beyond it, not accept a filter and then never apply it
	mkdir "$L/busy"
	local i accepted=()
	for i in $(seq 1 40); do
		if printf 'group = busy\npattern = ERROR\nmetric = Busy/F%d\n' "$i" | define "f$i" 2>/dev/null; then
			accepted+=("$i")
		fi
	done
	[ "${#accepted[@]}" -ge 1 ]
	assert_equal "$(ls "$F" | wc -l)" "${#accepted[@]}"
	printf 'ERROR once\n' >>"$L/busy/s"
	local missing=""
	for i in "${accepted[@]}"; do
		[ "$(field "f$i" matched)" = 1 ] || missing+=" f$i"
		[ "$(stat "Busy/F$i" SampleCount)" = 1 ] || missing+=" Busy/F$i"
	done
	assert_equal "${missing:-none}" none
}

@test "an alarm on the filtered metric goes to ALARM" {
	mkdir "$L/jobs"
	define failures <<'EOF'
group = jobs
pattern = "job failed"
metric = Jobs/Failures
EOF
	printf 'job ok: 1\njob failed: 2 disk\njob failed: 3 net\njob ok: 4\njob failed: 5 oom\nthe job has failed: 6\njob failed: 7 disk\n' >>"$L/jobs/runner"
	assert_counts failures 4 0
	# period 10: the alarm is evaluated at the next 10 s boundary over
	# complete periods, which then hold the four failures
	cat >"$MNT/alarms/jobs-failing" <<'EOF'
metric = Jobs/Failures
statistic = sum
period = 10
comparison = >=
threshold = 3
EOF
	eventually "$ALARM_DEADLINE_S" '[ "$(sed -n "s/^state = //p" "$MNT/alarms/jobs-failing")" = ALARM ]'
	assert_contains "$(sed -n 's/^reason = //p' "$MNT/alarms/jobs-failing")" \
		"Threshold Crossed: 1 datapoint [4.0 ("
}

# ---------------------------------------------------------------------------
# Refused definitions

@test "refused definitions (unknown key, missing metric, bad pattern, \$selector not in the pattern, ...) keep the old one; the trail says why" {
	mkdir "$L/web"
	define f <<'EOF'
group = web
pattern = [ip, status=5*, bytes]
metric = App/Errors
value = $bytes
EOF
	printf '1.2.3.4 500 100\n1.2.3.4 200 7\n' >>"$L/web/a"
	local before
	before=$(cat "$F/f")
	assert_counts f 1 0

	fails_with "Invalid argument" define f <<<$'group = web\npattern = [ip, status, bytes]\ncolour = red\nmetric = App/Errors'
	refused f "line 3" colour
	assert_equal "$(cat "$F/f")" "$before"

	fails_with "Invalid argument" define f <<<$'group = web\npattern = [ip, status, bytes]\nvalue = 1'
	refused f metric
	assert_equal "$(cat "$F/f")" "$before"

	fails_with "Invalid argument" define f <<<$'group = web\npattern = [ip, status=5*, bytes\nmetric = App/Errors'
	refused f "line 2" pattern
	assert_equal "$(cat "$F/f")" "$before"

	fails_with "Invalid argument" define f <<<$'group = web\npattern = [ip, status, size]\nmetric = App/Errors\nvalue = $bytes'
	refused f "line 4" value
	assert_equal "$(cat "$F/f")" "$before"

	fails_with "Invalid argument" define f <<<$'group = web\npattern = ERROR\nmetric = App/Errors\nvalue = lots'
	refused f "line 4" value
	fails_with "Invalid argument" define f <<<$'group = web\npattern = ERROR\nmetric = App/Errors\ndefault_value = none'
	refused f "line 4" default_value
	fails_with "Invalid argument" define f <<<$'group = web\npattern = ERROR\nmetric = Errors'
	refused f "line 3" metric
	fails_with "Invalid argument" define f <<<$'pattern = ERROR\nmetric = App/Errors'
	refused f group
	fails_with "Invalid argument" define f <<<$'group = web\npattern = ERROR\nmetric = App/Errors\nmetric = App/Other'
	refused f metric
	assert_equal "$(cat "$F/f")" "$before"

	# the old definition still applies, with its old pattern and value
	printf '1.2.3.4 503 40\nERROR x y\n' >>"$L/web/a"
	assert_counts f 2 0
	assert_stat App/Errors Sum 140
}

@test "a refused definition of a new name makes no filter; a shell builtin's echo shows nothing but the trail says why" {
	mkdir "$L/web"
	fails_with "Invalid argument" define nope <<<$'group = web\npattern = ERROR\ncolour = red\nmetric = App/Nope'
	run ls "$F"
	assert_equal "$output" ""
	fails_with "No such file or directory" cat "$F/nope"
	[ ! -e "$M/App/Nope" ]

	run bash -c "echo 'colour = red' > '$F/y'"
	assert_equal "$status" 0
	assert_equal "$output" ""
	run ls "$F"
	assert_equal "$output" ""
	refused y "line 1" colour
}

# ---------------------------------------------------------------------------
# The directory: ls, touch, rm

@test "ls filters lists the defined filters; touch filters/probe makes nothing; rm deletes (DeleteMetricFilter) and stops counting" {
	mkdir "$L/web"
	local n
	for n in a b 'c d'; do
		printf 'group = web\npattern = ERROR\nmetric = App/%s\n' "$n" | define "$n"
	done
	succeeds touch "$F/probe"
	: >"$F/probe2"
	run ls "$F"
	assert_equal "$output" "a
b
c d"
	fails_with "No such file or directory" cat "$F/probe"
	fails_with "No such file or directory" cat "$F/probe2"

	printf 'ERROR 1\n' >>"$L/web/s"
	assert_counts b 1 0
	succeeds rm "$F/b"
	run ls "$F"
	assert_equal "$output" "a
c d"
	fails_with "No such file or directory" cat "$F/b"
	json_check "$(last_record DeleteMetricFilter b)" \
		'.eventSource == "filters.monfs" and (has("errorCode") | not) and .userIdentity.type == "LocalUser"'

	printf 'ERROR 2\n' >>"$L/web/s"
	assert_counts a 2 0
	assert_stat App/a SampleCount 2
	# the deleted filter's metric keeps its data and gains nothing
	assert_stat App/b SampleCount 1
	fails_with "No such file or directory" rm "$F/b"
}

# ---------------------------------------------------------------------------
# Persistence

@test "definitions and counts survive unmount and mount; the filter keeps applying" {
	mkdir "$L/web"
	define bytes <<'EOF'
group = web
pattern = [ip, status, bytes]
metric = App/Bytes
value = $bytes
EOF
	printf '1.1.1.1 200 10\n1.1.1.1 304 -\n1.1.1.1 200 32\n' >>"$L/web/a"
	assert_counts bytes 2 1
	local before
	before=$(cat "$F/bytes")

	remount
	assert_equal "$(cat "$F/bytes")" "$before"
	run ls "$F"
	assert_equal "$output" "bytes"
	assert_stat App/Bytes Sum 42

	printf '1.1.1.1 200 8\n1.1.1.1 304 -\n' >>"$L/web/b"
	assert_counts bytes 3 2
	assert_stat App/Bytes SampleCount 3
	assert_stat App/Bytes Sum 50
}

# ---------------------------------------------------------------------------
# default_value

@test "default_value: a minute with events but no match adds the value once, after the minute is over" {
	mkdir "$L/quiet"
	define quiet <<'EOF'
group = quiet
pattern = ERROR
metric = App/QuietErrors
default_value = 0
EOF
	assert_equal "$(definition quiet)" "group = quiet
pattern = ERROR
metric = App/QuietErrors
value = 1
default_value = 0"
	# keep the two events in one minute, with time left to read before it ends
	while (($(date +%s) % 60 >= 50)); do sleep 1; done
	local t0 t1
	t0=$(date +%s)
	printf 'INFO a\nINFO b\n' >>"$L/quiet/s"
	printf 'INFO c\n' >>"$L/quiet/s2"
	assert_stat App/QuietErrors SampleCount none
	t1=$(date +%s)
	[ $((t0 / 60)) -eq $((t1 / 60)) ] # the check above was within the minute

	eventually "$DEFAULT_DEADLINE_S" '[ "$(stat App/QuietErrors SampleCount)" != none ]'
	sleep 1
	assert_stat App/QuietErrors SampleCount 1
	assert_stat App/QuietErrors Sum 0
	assert_equal "$(rows "$M/App/QuietErrors?period=60&since=-1h" | awk '{ print $1, $2, $3 }')" \
		"$(iso $((t0 / 60 * 60))) 1 0"
	assert_counts quiet 0 0
}
