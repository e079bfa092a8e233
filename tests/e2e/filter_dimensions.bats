#!/usr/bin/env bats
# Metric filters with dimensions (SPEC 11, SPEC 7): `dimension =
# Name=$field` lines send each matching event's value to the series whose
# dimension values are that event's fields, metrics/NS/Name=value/NAME.
#
# Every expectation is computed (jq, awk) over the very lines the test
# wrote; the series are read over the current and previous hour, since a
# filter's points carry the events' ingestion time.

load helpers

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
# Local helpers (as filters.bats has them)

# define NAME: cat > filters/NAME, the definition on stdin.
define() {
	cat >"$F/$1"
}

# stat METRIC FIELD: FIELD (SampleCount or Sum) summed over every
# datapoint of metrics/METRIC in the last hour and this one; "none" when
# there is no datapoint.
stat() {
	local out
	out=$(cat -- "$M/$1?period=3600&since=-1h&format=json") || return 1
	jq -r --arg f "$2" '[.Datapoints[][$f]] | if length == 0 then "none" else add end' <<<"$out"
}

# assert_stat METRIC FIELD EXPECTED: numerically, or both "none".
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
	awk -v a="$actual" -v e="$3" 'BEGIN { exit !(a + 0 == e + 0) }' || {
		printf '%s of metrics/%s: expected %s, got %s\n' "$2" "$1" "$3" "$actual"
		return 1
	}
}

# assert_counts NAME MATCHED SKIPPED: filters/NAME reads those counts.
assert_counts() {
	assert_equal "$(grep -E '^(matched|skipped) = ' "$F/$1")" "matched = $2
skipped = $3"
}

# definition NAME: the reading of filters/NAME without its counts.
definition() {
	grep -v -E '^(matched|skipped) = ' "$F/$1"
}

# last_put NAME: the newest PutMetricFilter record for filter NAME.
last_put() {
	cat "$MNT"/trail/* | jq -c --arg n "$1" \
		'select(.eventName == "PutMetricFilter" and .requestParameters.filterName == $n)' | tail -n 1
}

# refused NAME NEEDLE...: the newest PutMetricFilter record for NAME is an
# InvalidParameterValue whose message holds every NEEDLE.
refused() {
	local rec msg n
	rec=$(last_put "$1")
	json_check "$rec" '.errorCode == "InvalidParameterValue"' || return 1
	msg=$(jq -r .errorMessage <<<"$rec")
	shift
	for n in "$@"; do
		assert_contains "$msg" "$n" || return 1
	done
}

# json_log FILE: 60 JSON events, errors and infos, of services pay and
# cart, of an empty service, and of none.
json_log() {
	local i svc lvl
	for i in $(seq 1 60); do
		case $((i % 5)) in
		0 | 4) svc='"service":"pay",' ;;
		1) svc='"service":"cart",' ;;
		2) svc='"service":"",' ;;
		3) svc='' ;;
		esac
		lvl=error
		[ $((i % 3)) -ne 0 ] || lvl=info
		printf '{"level":"%s",%s"ms":%d}\n' "$lvl" "$svc" $((i * 3))
	done >"$1"
}

# http_log FILE SEED: 80 lines "ip user status bytes", statuses 200 500
# 502 503, users alice bob and "-", bytes "-" now and then.
http_log() {
	awk -v seed="$2" 'BEGIN {
		split("200 500 502 503 500 200 503", st, " ")
		split("alice bob - alice", us, " ")
		for (i = 1; i <= 80; i++) {
			s = st[(i * 3 + seed) % 7 + 1]; u = us[(i + seed) % 4 + 1]
			b = (i % 11 == 0) ? "-" : i * 7 + seed
			printf "10.0.0.%d %s %s %s\n", i, u, s, b
		}
	}' >"$1"
}

# ---------------------------------------------------------------------------

@test "a JSON filter with dimension = Service=\$.service: each service's series gets exactly its error events' values" {
	mkdir "$L/app"
	define bysvc <<'EOF'
group = app
pattern = { $.level = "error" }
metric = App/Latency
dimension = Service=$.service
value = $.ms
EOF
	local log="$BATS_TEST_TMPDIR/app.log" s n sum
	json_log "$log"
	cat "$log" >>"$L/app/web"
	for s in pay cart; do
		n=$(jq -s --arg s $s '[.[] | select(.level == "error" and .service == $s)] | length' "$log")
		sum=$(jq -s --arg s $s '[.[] | select(.level == "error" and .service == $s) | .ms] | add' "$log")
		[ "$n" -gt 0 ]
		assert_stat "App/Service=$s/Latency" SampleCount "$n"
		assert_stat "App/Service=$s/Latency" Sum "$sum"
	done
	# an empty or missing service adds to no series, and the metric
	# itself gets nothing
	assert_stat App/Latency SampleCount none
	assert_equal "$(ls "$M/App" | grep =)" "Service=cart
Service=pay"
	n=$(jq -s '[.[] | select(.level == "error" and (.service // "") != "")] | length' "$log")
	sum=$(jq -s '[.[] | select(.level == "error" and (.service // "") == "")] | length' "$log")
	assert_counts bysvc "$n" "$sum"
}

@test "a space-delimited filter with dimension = Status=\$status, then with two dimensions: each series gets the sum computed from its lines" {
	mkdir "$L/web"
	define http <<'EOF'
group = web
pattern = [ip, user, status=5*, bytes]
metric = Web/Bytes
dimension = Status=$status
value = $bytes
EOF
	local one="$BATS_TEST_TMPDIR/one.log" two="$BATS_TEST_TMPDIR/two.log"
	local s u n sum json
	http_log "$one" 1
	cat "$one" >>"$L/web/a"
	for s in 500 502 503; do
		n=$(awk -v s=$s '$3 == s && $4 != "-"' "$one" | wc -l)
		sum=$(awk -v s=$s '$3 == s && $4 != "-" { t += $4 } END { print t + 0 }' "$one")
		[ "$n" -gt 0 ]
		assert_stat "Web/Status=$s/Bytes" SampleCount "$n"
		assert_stat "Web/Status=$s/Bytes" Sum "$sum"
	done
	[ ! -e "$M/Web/Status=200" ]

	define http <<'EOF'
group = web
pattern = [ip, user, status=5*, bytes]
metric = Web/Bytes
dimension = Status=$status
dimension = User=$user
value = $bytes
EOF
	http_log "$two" 2
	cat "$two" >>"$L/web/a"
	for s in 500 502 503; do
		for u in alice bob; do
			n=$(awk -v s=$s -v u=$u '$2 == u && $3 == s && $4 != "-"' "$two" | wc -l)
			sum=$(awk -v s=$s -v u=$u '$2 == u && $3 == s && $4 != "-" { t += $4 } END { print t + 0 }' "$two")
			if [ "$n" -eq 0 ]; then
				[ ! -e "$M/Web/Status=$s/User=$u/Bytes" ]
				continue
			fi
			# the set in either order names the same series
			assert_stat "Web/Status=$s/User=$u/Bytes" SampleCount "$n"
			assert_stat "Web/User=$u/Status=$s/Bytes" Sum "$sum"
		done
		# the one-dimension series kept the first batch's points only
		sum=$(awk -v s=$s '$3 == s && $4 != "-" { t += $4 } END { print t + 0 }' "$one")
		assert_stat "Web/Status=$s/Bytes" Sum "$sum"
	done
	# user "-" is no value: no series
	[ -z "$(ls "$M/Web/Status=500" | grep 'User=-')" ]
	# the series= view finds the same sums
	json=$(cat "$M/Web/Bytes?series=Status,User&period=3600&since=-1h&stat=sum&format=json")
	sum=$(awk '$2 == "alice" && $3 == 503 && $4 != "-" { t += $4 } END { print t + 0 }' "$two")
	json_check "$json" "[.MetricDataResults[] | select(.Label == \"503 alice sum\") | .Values[]] | add == $sum"
}

@test "a definition with dimension lines reads back with them after metric =, and what is read writes back unchanged" {
	mkdir "$L/web"
	define f <<'EOF'
# by status and user
group = /web
value = $bytes
dimension = User=$user
pattern = [ip, user, status=5*, bytes]
metric = Web/Bytes
dimension = Status=$status
EOF
	assert_equal "$(definition f)" 'group = web
pattern = [ip, user, status=5*, bytes]
metric = Web/Bytes
dimension = User=$user
dimension = Status=$status
value = $bytes'
	cp "$F/f" "$BATS_TEST_TMPDIR/copy"
	cp "$BATS_TEST_TMPDIR/copy" "$F/f"
	assert_equal "$(cat "$F/f")" "$(cat "$BATS_TEST_TMPDIR/copy")"
	# and it still counts by both
	printf '1.2.3.4 bob 500 10\n1.2.3.4 bob 500 5\n' >>"$L/web/a"
	assert_stat "Web/Status=500/User=bob/Bytes" Sum 15
}

@test "the trail's PutMetricFilter carries metricTransformations with the dimensions as CloudWatch names them" {
	mkdir "$L/app"
	define bysvc <<'EOF'
group = app
pattern = { $.level = "error" }
metric = App/Errors
dimension = Service=$.service
dimension = Host=$.host
EOF
	local rec
	rec=$(last_put bysvc)
	json_check "$rec" '.errorCode == null'
	json_check "$rec" '.requestParameters.metricTransformations == [{"metricName":"Errors","metricNamespace":"App","metricValue":"1","dimensions":{"Service":"$.service","Host":"$.host"}}]'
}

@test "bad dimension lines are refused with EINVAL naming the line; the old definition stays and nothing is made; the trail says why" {
	mkdir "$L/web"
	define f <<'EOF'
group = web
pattern = [ip, user, status=5*, bytes]
metric = Web/Bytes
dimension = Status=$status
value = $bytes
EOF
	local before base=$'group = web\npattern = [ip, user, status=5*, bytes]\nmetric = Web/Other'
	before=$(definition f)

	fails_with "Invalid argument" define f <<<"$base"$'\ndimension = A=$ip\ndimension = B=$user\ndimension = C=$status\ndimension = D=$bytes'
	refused f "line 7: dimension" "more than 3"
	fails_with "Invalid argument" define f <<<"$base"$'\ndimension = S=$status\ndimension = S=$user'
	refused f "line 5: dimension" "S given twice"
	fails_with "Invalid argument" define f <<<"$base"$'\ndimension = =$status'
	refused f "line 4: dimension" "Name=\$field"
	fails_with "Invalid argument" define f <<<"$base"$'\ndimension = Status=500'
	refused f "line 4: dimension" '"500"'
	fails_with "Invalid argument" define f <<<"$base"$'\ndimension = Status=$code'
	refused f "line 4: dimension Status" '$code' "ip, user, status, bytes"
	fails_with "Invalid argument" define f <<<"$base"$'\ndimension = Status=$status\ndefault_value = 0'
	refused f "line 5: default_value" "dimension"
	printf '%s\n' "$base" 'dimension = Sta=tus=$status' >"$BATS_TEST_TMPDIR/bad"
	fails_with "Invalid argument" cp "$BATS_TEST_TMPDIR/bad" "$F/f"
	refused f "line 4: dimension"

	assert_equal "$(definition f)" "$before"
	[ ! -e "$M/Web/Other" ]
	# a refused new name makes no filter
	fails_with "Invalid argument" define g <<<"$base"$'\ndimension = Status=$nope'
	[ ! -e "$F/g" ]
	# the old definition still applies
	printf '1.2.3.4 bob 503 9\n' >>"$L/web/a"
	assert_stat "Web/Status=503/Bytes" Sum 9
}
