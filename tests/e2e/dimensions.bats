#!/usr/bin/env bats
# Dimensions (SPEC 11): Name=Value directories under a namespace, one set
# whatever the order its components are written in, the series= and
# merge=true views of a metric name, and the trail's dimensions. Data is
# written some minutes in the past and read back through since/until
# views of exactly those minutes, as metrics.bats does.

load helpers

setup() {
	export LC_ALL=C # ls and sort in byte order, as monfs lists
	monfs_paths
	mount_monfs
	NS="$MNT/metrics/Fleet"
	mkdir "$NS"
	# the start of a five-minute period 20 to 25 minutes ago
	T=$(($(date +%s) / 300 * 300 - 1200))
	W="since=$T&until=$((T + 300))&period=300"
}

teardown() {
	stop_all_daemons
}

# trail_records: every record of the trail, all day files, oldest first.
trail_records() {
	cat "$MNT"/trail/* 2>/dev/null
}

# trail_has FILTER: some record of the trail satisfies the jq FILTER.
trail_has() {
	trail_records | jq -e -s "any(.[]; $1)" >/dev/null 2>&1
}

# expected_row VALUES...: "samples sum minimum maximum" of VALUES.
expected_row() {
	printf '%s\n' "$@" | awk '
		NR == 1 { min = $1; max = $1 }
		{ n++; s += $1; if ($1 < min) min = $1; if ($1 > max) max = $1 }
		END { printf "%d %.17g %.17g %.17g\n", n, s, min, max }'
}

# num_eq A B: A and B are the same number.
num_eq() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a != "" && a + 0 == b + 0) }' ||
		{ echo "$1 is not $2"; return 1; }
}

# ---------------------------------------------------------------------------
# Directories and paths

@test "a series written through one order of two dimensions reads back through the other" {
	succeeds mkdir -p "$NS/Role=web/Host=a"
	write_to "$NS/Role=web/Host=a/cpu" '5 %s\n7 %s\n' "$T" "$((T + 1))"
	assert_rows "$(window "$NS/Host=a/Role=web/cpu" $T $((T + 300)) '&period=300')" \
		"$(iso $T) 2 12 6 5 7 5 7 7"
	assert_rows "$(window "$NS/Role=web/Host=a/cpu" $T $((T + 300)) '&period=300')" \
		"$(iso $T) 2 12 6 5 7 5 7 7"
	# one series: a write through either order adds to the same data
	write_to "$NS/Host=a/Role=web/cpu" '9 %s\n' "$T"
	[ "$(total_samples "$(window "$NS/Role=web/Host=a/cpu" $T $((T + 300)) '&period=300')")" = 3 ]
	[ "$(ls "$NS/Host=a/Role=web")" = cpu ]
}

@test "ls lists each set once, in canonical order, values encoded with uppercase escapes" {
	succeeds mkdir -p "$NS/Role=web/Host=a"
	succeeds mkdir -p "$NS/Host=a/Role=db"
	succeeds mkdir "$NS/path=%2fvar%2flog"
	touch "$NS/cpu"
	mkdir "$NS/Sub"
	# mkdir -p made Role=web on its way; the set {Host=a, Role=web} is
	# listed once, under Host=a
	assert_equal "$(ls "$NS" | tr '\n' ' ')" "Host=a Role=web Sub cpu path=%2Fvar%2Flog "
	assert_equal "$(ls "$NS/Host=a" | tr '\n' ' ')" "Role=db Role=web "
	assert_equal "$(ls "$NS/Role=web")" ""
	# the lowercase spelling reaches the canonical directory
	[ -d "$NS/path=%2fvar%2flog" ]
	[ -d "$NS/path=%2Fvar%2Flog" ]
	# find sees each set once
	assert_equal "$(cd "$NS" && find . -mindepth 1 -type d | sort | tr '\n' ' ')" \
		"./Host=a ./Host=a/Role=db ./Host=a/Role=web ./Role=web ./Sub ./path=%2Fvar%2Flog "
}

@test "a step in another order than the canonical one resolves but is not listed" {
	succeeds mkdir -p "$NS/A=1/B=2/C=3"
	# C=3 alone is no set: it resolves as a step towards {A,B,C}
	[ -d "$NS/C=3/B=2/A=1" ]
	[ -d "$NS/C=3" ]
	assert_equal "$(ls "$NS" | tr '\n' ' ')" "A=1 "
	assert_equal "$(ls "$NS/C=3")" ""
	fails_with "Directory not empty" rmdir "$NS/C=3"
	# no set extends D=4: it does not exist
	[ ! -e "$NS/D=4" ]
	write_to "$NS/C=3/A=1/B=2/m" '1 %s\n' "$T"
	[ "$(ls "$NS/A=1/B=2/C=3")" = m ]
}

@test "every refused dimension path is EINVAL, makes nothing, and is on the record" {
	succeeds mkdir "$NS/A=x"
	local before
	before=$(cd "$NS" && find . | sort)
	fails_with "Invalid argument" mkdir "$NS/A=x/Sub"             # namespace level below a dimension
	fails_with "Invalid argument" mkdir "$NS/A=x/A=y"             # a Name twice
	fails_with "Invalid argument" mkdir "$NS/=x"                  # an empty Name
	fails_with "Invalid argument" mkdir "$NS/A="                  # an empty Value
	fails_with "Invalid argument" mkdir "$MNT/metrics/A=x"        # no namespace before it
	fails_with "Invalid argument" mkdir "$NS/B=%zz"               # a bad escape
	fails_with "Invalid argument" mkdir "$NS/B=ab%2"              # a cut escape
	fails_with "Invalid argument" mkdir "$NS/B=%01"               # a control byte
	# the kernel looks A=x/Sub up first: a metric name that is not there
	fails_with "No such file" touch "$NS/A=x/Sub/m"
	fails_with "Invalid argument" touch "$NS/A=x/A=y/m"           # a Name twice
	fails_with "Invalid argument" touch "$NS/A=x/m=1"             # '=' in a metric name
	fails_with "Invalid argument" mkdir "$MNT/metrics/a=b/c"      # '=' in a namespace level
	# 30 dimensions are a set; a 31st is refused
	local p="$NS" i
	for i in $(seq -w 1 30); do p="$p/D$i=v"; done
	succeeds mkdir -p "$p"
	fails_with "Invalid argument" mkdir "$p/D31=v"
	fails_with "Invalid argument" touch "$p/D31=v/m"
	rm -r "$NS/D01=v"
	assert_equal "$(cd "$NS" && find . | sort)" "$before"
	# the refusals are recorded, naming the component
	eventually 10 'trail_has "(.errorCode // \"\") != \"\" and (.errorMessage // \"\" | contains(\"A=y\"))"'
	eventually 10 'trail_has "(.errorCode // \"\") != \"\" and (.errorMessage // \"\" | contains(\"%zz\"))"'
	eventually 10 'trail_has "(.errorCode // \"\") != \"\" and (.errorMessage // \"\" | contains(\"D31=v\"))"'
}

@test "rmdir removes an empty set, refuses a full one; rm -r removes a set with its series" {
	succeeds mkdir -p "$NS/Host=a/Role=web"
	write_to "$NS/Host=a/Role=web/cpu" '1 %s\n' "$T"
	fails_with "Directory not empty" rmdir "$NS/Host=a/Role=web"
	fails_with "Directory not empty" rmdir "$NS/Host=a"
	rm "$NS/Host=a/Role=web/cpu"
	succeeds rmdir "$NS/Host=a/Role=web"
	succeeds rmdir "$NS/Host=a"
	[ ! -e "$NS/Host=a" ]
	succeeds mkdir -p "$NS/Host=b/Role=db"
	write_to "$NS/Role=db/Host=b/mem" '2 %s\n' "$T"
	write_to "$NS/Host=b/disk" '3 %s\n' "$T"
	succeeds rm -r "$NS/Host=b"
	assert_equal "$(ls "$NS")" ""
	# a series made again starts without the old data
	mkdir -p "$NS/Host=b/Role=db"
	touch "$NS/Host=b/Role=db/mem"
	assert_no_data "$(window "$NS/Host=b/Role=db/mem" $T $((T + 300)) '&period=300')"
}

@test "the sets and their series outlive a remount" {
	mkdir -p "$NS/Role=web/Host=a"
	write_to "$NS/Host=a/Role=web/cpu" '4 %s\n' "$T"
	remount
	[ -d "$NS/Role=web/Host=a" ]
	assert_rows "$(window "$NS/Role=web/Host=a/cpu" $T $((T + 300)) '&period=300')" \
		"$(iso $T) 1 4 4 4 4 4 4 4"
}

# ---------------------------------------------------------------------------
# series= and merge=true

# three series of cpu and a dimensionless one, their points in one period
write_fleet() {
	mkdir -p "$NS/Host=a/Role=web" "$NS/Host=b/Role=db" "$NS/Host=c%2Fx"
	A=(1.5 2 30 4)
	B=(10 0.25 7)
	C=(100)
	D=(8 9)
	write_to "$NS/Role=web/Host=a/cpu" "$(printf "%s $((T + 5))\n" "${A[@]}")\n"
	write_to "$NS/Host=b/Role=db/cpu" "$(printf "%s $((T + 65))\n" "${B[@]}")\n"
	write_to "$NS/Host=c%2fx/cpu" "$(printf "%s $((T + 125))\n" "${C[@]}")\n"
	write_to "$NS/cpu" "$(printf "%s $((T + 185))\n" "${D[@]}")\n"
}

@test "series=Host,Role: one row per series, its dimension values first" {
	write_fleet
	local view="$NS/cpu?series=Role,Host&$W&stat=samples,sum,minimum,maximum"
	assert_equal "$(read_view "$view" | head -1)" "# Host Role timestamp samples sum minimum maximum"
	assert_rows "$view" "a web $(iso $T) $(expected_row "${A[@]}")
b db $(iso $T) $(expected_row "${B[@]}")"
	assert_rows "$NS/cpu?series=Host&$W&stat=samples,sum,minimum,maximum" \
		"c%2Fx $(iso $T) $(expected_row "${C[@]}")"
}

@test "series=*: every series, the dimensionless one as -" {
	write_fleet
	local view="$NS/cpu?series=*&$W&stat=samples,sum,minimum,maximum"
	assert_equal "$(read_view "$view" | head -1)" "# dimensions timestamp samples sum minimum maximum"
	assert_rows "$view" "- $(iso $T) $(expected_row "${D[@]}")
Host=a/Role=web $(iso $T) $(expected_row "${A[@]}")
Host=b/Role=db $(iso $T) $(expected_row "${B[@]}")
Host=c%2Fx $(iso $T) $(expected_row "${C[@]}")"
}

@test "series= in JSON is GetMetricData's response, one result per series and statistic" {
	write_fleet
	local json
	json=$(cat "$NS/cpu?series=Host,Role&$W&stat=sum,maximum&format=json")
	json_check "$json" '.Messages == [] and (.MetricDataResults | length) == 4'
	json_check "$json" '[.MetricDataResults[].Id] == ["m1","m2","m3","m4"]'
	json_check "$json" '[.MetricDataResults[].Label] == ["a web sum","a web maximum","b db sum","b db maximum"]'
	json_check "$json" "all(.MetricDataResults[]; .StatusCode == \"Complete\" and .Timestamps == [\"$(iso $T)\"])"
	read -r _ sa _ ma <<<"$(expected_row "${A[@]}")"
	read -r _ sb _ mb <<<"$(expected_row "${B[@]}")"
	json_check "$json" "[.MetricDataResults[].Values[0]] == [$sa, $ma, $sb, $mb]"
}

@test "a series= view opens where only dimensioned series of the name exist" {
	mkdir "$NS/Host=a"
	write_to "$NS/Host=a/mem" '3 %s\n' "$T"
	[ ! -e "$NS/mem" ]
	assert_rows "$NS/mem?series=Host&$W&stat=samples,sum" "a $(iso $T) 1 3"
	fails_with "No such file" cat "$NS/nothing?series=*"
	fails_with "Invalid argument" cat "$NS/mem?series=Host&merge=maybe"
	fails_with "Invalid argument" cat "$NS/mem?series=Host,Host"
	write_to "$NS/mem" '1 %s\n' "$T"
	fails_with "Invalid argument" cat "$NS/mem?merge=true"
}

@test "merge=true adds samples and sums, takes extremes over all, percentiles within 1 % over all points" {
	local i all=()
	for i in 1 2 3 4 5; do
		mkdir -p "$NS/Host=h$i/Role=web"
		# 700 varied points per series, spread over the period
		awk -v seed="$i" -v t="$T" 'BEGIN { srand(seed)
			for (k = 0; k < 700; k++) {
				v = int(exp(rand() * 9) * 1000) / 1000 + seed
				printf "%s %d\n", v, t + k % 290 }
		}' >"$BATS_TEST_TMPDIR/points$i"
		write_to "$NS/Host=h$i/Role=web/lat" '%s' "$(cat "$BATS_TEST_TMPDIR/points$i")"$'\n'
	done
	cut -d' ' -f1 "$BATS_TEST_TMPDIR"/points[1-5] >"$BATS_TEST_TMPDIR/all"
	mapfile -t all <"$BATS_TEST_TMPDIR/all"
	[ "${#all[@]}" -eq 3500 ]
	local view="$NS/lat?series=*&merge=true&$W&stat=samples,sum,minimum,maximum,p50,p99"
	assert_equal "$(read_view "$view" | head -1)" "# timestamp samples sum minimum maximum p50 p99"
	read -r n s mn mx p50 p99 <<<"$(rows "$view" | cut -d' ' -f2-)"
	read -r en es emn emx <<<"$(expected_row "${all[@]}")"
	[ "$n" = "$en" ]
	within_1pct "$s" "$es"
	num_eq "$mn" "$emn"
	num_eq "$mx" "$emx"
	# exact nearest-rank percentiles over all 3500 points
	local e50 e99
	e50=$(sort -g "$BATS_TEST_TMPDIR/all" | awk -v n=3500 'NR == int((0.50 * n) + 0.999999) { print; exit }')
	e99=$(sort -g "$BATS_TEST_TMPDIR/all" | awk -v n=3500 'NR == int((0.99 * n) + 0.999999) { print; exit }')
	within_1pct "$p50" "$e50"
	within_1pct "$p99" "$e99"
	# JSON: one result per statistic, the same numbers
	local json
	json=$(cat "$NS/lat?series=Host,Role&merge=true&$W&stat=samples,p99&format=json")
	json_check "$json" '[.MetricDataResults[].Label] == ["samples","p99"]'
	json_check "$json" ".MetricDataResults[0].Values == [$en]"
	json_check "$json" ".MetricDataResults[1].Values == [$p99]"
}

# ---------------------------------------------------------------------------
# The trail

@test "trail records of a dimensioned metric carry the namespace and its dimensions apart" {
	# PutMetricData is a data event: recorded with --trail-data write.
	stop_all_daemons
	mount_monfs --trail-data write
	mkdir -p "$NS/Role=web/Host=a%2Fb"
	write_to "$NS/Host=a%2Fb/Role=web/cpu" '1 %s\n2 %s\n' "$T" "$T"
	local dims='[{"name":"Host","value":"a/b"},{"name":"Role","value":"web"}]'
	eventually 10 "trail_has '.eventName == \"PutMetricData\" and .requestParameters.namespace == \"Fleet\" and .requestParameters.dimensions == $dims and .requestParameters.metricName == \"cpu\" and .requestParameters.datapoints == 2'"
	eventually 10 "trail_has '.eventName == \"CreateNamespace\" and .requestParameters.namespace == \"Fleet\" and .requestParameters.dimensions == [{\"name\":\"Role\",\"value\":\"web\"}]'"
	rm "$NS/Host=a%2Fb/Role=web/cpu"
	eventually 10 "trail_has '.eventName == \"DeleteMetric\" and .requestParameters.dimensions == $dims'"
}
