#!/usr/bin/env bats
# Metrics (SPEC 3) and their views (SPEC 8), driven with the shell tools
# users type. Data is written with explicit timestamps some minutes in the
# past and read back through since/until views of exactly those minutes,
# so that no test straddles a period boundary by chance.

load helpers

HEADER="# timestamp samples sum average minimum maximum p50 p90 p99"

setup() {
	monfs_paths
	mount_monfs
	NS="$MNT/metrics/Test"
	M="$NS/m"
	mkdir "$NS"
	# the start of a five-minute period 20 to 25 minutes ago
	T=$(($(date +%s) / 300 * 300 - 1200))
}

teardown() {
	stop_all_daemons
}

# minute METRIC START: the view of the one minute starting at START
minute() {
	window "$1" "$2" $(($2 + 60))
}

# row_of_one VALUE TIME: the row a minute holding the single point VALUE shows
row_of_one() {
	echo "$(iso "$2") 1 $1 $1 $1 $1 $1 $1 $1"
}

# ---------------------------------------------------------------------------
# Namespaces

@test "mkdir makes a namespace" {
	succeeds mkdir "$MNT/metrics/EC2"
	[ -d "$MNT/metrics/EC2" ]
	assert_equal "$(ls "$MNT/metrics" | xargs)" "EC2 Test"
	assert_equal "$(stat -c %F "$MNT/metrics/EC2")" "directory"
}

@test "mkdir -p makes nested namespaces, each a namespace" {
	succeeds mkdir -p "$MNT/metrics/AWS/EC2"
	[ -d "$MNT/metrics/AWS" ]
	[ -d "$MNT/metrics/AWS/EC2" ]
	write_to "$MNT/metrics/AWS/EC2/CPUUtilization" '50 %s\n' "$T"
	write_to "$MNT/metrics/AWS/Count" '2 %s\n' "$T"
	assert_rows "$(minute "$MNT/metrics/AWS/EC2/CPUUtilization" "$T")" "$(row_of_one 50 "$T")"
	assert_rows "$(minute "$MNT/metrics/AWS/Count" "$T")" "$(row_of_one 2 "$T")"
}

@test "a namespace may hold both metrics and sub-namespaces" {
	mkdir -p "$NS/sub/deeper"
	touch "$NS/a" "$NS/sub/b"
	assert_equal "$(ls "$NS" | xargs)" "a sub"
	assert_equal "$(stat -c %F "$NS/sub")" "directory"
	[ -f "$NS/a" ]
	assert_equal "$(ls "$NS/sub" | xargs)" "b deeper"
	[ -f "$NS/sub/b" ]
	[ -d "$NS/sub/deeper" ]
}

@test "rmdir removes an empty namespace" {
	mkdir "$MNT/metrics/Empty"
	succeeds rmdir "$MNT/metrics/Empty"
	[ ! -e "$MNT/metrics/Empty" ]
	assert_equal "$(ls "$MNT/metrics")" "Test"
}

@test "rmdir of a namespace holding a metric fails with ENOTEMPTY and keeps it" {
	write_to "$M" '8 %s\n' "$T"
	fails_with "Directory not empty" rmdir "$NS"
	[ -d "$NS" ]
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 8 "$T")"
}

@test "rmdir of a namespace holding only a sub-namespace fails with ENOTEMPTY" {
	mkdir "$NS/sub"
	fails_with "Directory not empty" rmdir "$NS"
	[ -d "$NS/sub" ]
	succeeds rmdir "$NS/sub"
	succeeds rmdir "$NS"
	[ ! -e "$NS" ]
}

@test "rm -r removes a namespace with its metrics and sub-namespaces" {
	mkdir -p "$NS/sub"
	write_to "$M" '1 %s\n' "$T"
	write_to "$NS/sub/n" '2 %s\n' "$T"
	succeeds rm -r "$NS"
	[ ! -e "$NS" ]
	assert_equal "$(ls -A "$MNT/metrics")" ""
	mkdir -p "$NS/sub"
	touch "$M" "$NS/sub/n"
	assert_no_data "$(minute "$M" "$T")"
	assert_no_data "$(minute "$NS/sub/n" "$T")"
}

@test "rm -r of a namespace leaves namespaces whose names share its prefix" {
	mkdir -p "$MNT/metrics/AWS/EC2" "$MNT/metrics/AWSX" "$MNT/metrics/aws" "$MNT/metrics/A_S"
	touch "$MNT/metrics/AWS/EC2/m" "$MNT/metrics/AWSX/m" "$MNT/metrics/aws/m" "$MNT/metrics/A_S/m"
	assert_equal "$(ls "$MNT/metrics/AWS")" "EC2"
	succeeds rm -r "$MNT/metrics/AWS"
	assert_equal "$(ls "$MNT/metrics" | sort | xargs)" "AWSX A_S Test aws"
	[ -f "$MNT/metrics/AWSX/m" ]
	[ -f "$MNT/metrics/aws/m" ]
	[ -f "$MNT/metrics/A_S/m" ]
}

@test "rmdir of a namespace is not blocked by namespaces that share its prefix" {
	mkdir -p "$MNT/metrics/Web" "$MNT/metrics/WebX/sub" "$MNT/metrics/Web_" "$MNT/metrics/web"
	touch "$MNT/metrics/WebX/m" "$MNT/metrics/Web_/m" "$MNT/metrics/web/m"
	succeeds rmdir "$MNT/metrics/Web"
	[ ! -e "$MNT/metrics/Web" ]
	[ -f "$MNT/metrics/WebX/m" ]
}

@test "names are case-sensitive" {
	write_to "$NS/Cpu" '1 %s\n' "$T"
	write_to "$NS/cpu" '2 %s\n' "$T"
	assert_equal "$(ls "$NS" | sort | xargs)" "Cpu cpu"
	assert_rows "$(minute "$NS/Cpu" "$T")" "$(row_of_one 1 "$T")"
	assert_rows "$(minute "$NS/cpu" "$T")" "$(row_of_one 2 "$T")"
	rm "$NS/Cpu"
	assert_rows "$(minute "$NS/cpu" "$T")" "$(row_of_one 2 "$T")"
}

@test "ls lists hundreds of metrics, each once" {
	local i
	for i in $(seq 1 300); do : >"$NS/metric-$i"; done
	mkdir "$NS/sub"
	touch "$NS/sub/hidden-from-parent"
	assert_equal "$(ls "$NS" | wc -l)" 301
	assert_equal "$(ls "$NS" | sort | uniq -d)" ""
	assert_equal "$(ls "$NS" | grep -c hidden-from-parent)" 0
}

# ---------------------------------------------------------------------------
# Metrics: creating, removing, writing

@test "touch makes a metric, a regular file" {
	succeeds touch "$M"
	[ -f "$M" ]
	assert_contains "$(stat -c %F "$M")" "regular"
	assert_equal "$(ls "$NS")" "m"
	assert_no_data "$M"
}

@test "the first echo > makes a metric" {
	echo "6 $T" >"$M"
	[ -f "$M" ]
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 6 "$T")"
}

@test "rm deletes a metric and all its data" {
	write_to "$M" '5 %s\n' "$T"
	succeeds rm "$M"
	[ ! -e "$M" ]
	assert_equal "$(ls -A "$NS")" ""
	touch "$M"
	assert_no_data "$(minute "$M" "$T")"
}

@test "echo 42 > m ingests one point" {
	echo 42 >"$M"
	assert_equal "$(total_samples "$M")" 1
	assert_equal "$(column "$M" sum)" 42
}

@test "echo 42 >> m ingests one point" {
	echo 42 >>"$M"
	assert_equal "$(total_samples "$M")" 1
	assert_equal "$(column "$M" sum)" 42
	echo 42 >>"$M"
	assert_equal "$(total_samples "$M")" 2
}

@test "a point without a timestamp is stamped with the time of the write" {
	local before after stamp
	before=$(date +%s)
	echo 3 >"$M"
	after=$(date +%s)
	run rows "$M"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	stamp=$(date -u -d "${lines[0]%% *}" +%s)
	in_range "$stamp" $((before - before % 60)) $((after - after % 60))
}

@test "> never erases a metric" {
	echo "1 $T" >"$M"
	echo "2 $T" >"$M"
	: >"$M"
	assert_equal "$(rows "$(minute "$M" "$T")" | cut -d' ' -f1-3)" "$(iso "$T") 2 3"
}

@test "truncate -s 0 accepts and changes nothing" {
	write_to "$M" '4 %s\n' "$T"
	succeeds truncate -s 0 "$M"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 4 "$T")"
}

@test "values in every decimal form strtod reads are accepted" {
	local v
	for v in 42 -3 +7 0.5 .25 5. 1e3 1.5E+2 6.25e-2; do
		printf '%s %s\n' "$v" "$T"
	done >"$M"
	assert_equal "$(rows "$(minute "$M" "$T")" | cut -d' ' -f1,2,3,5,6)" \
		"$(iso "$T") 9 1201.8125 -3 1000"
}

@test "fields may be separated by several blanks and tabs" {
	write_to "$M" '  1 \t %s\n2\t%s  \n' "$T" "$T"
	assert_equal "$(rows "$(minute "$M" "$T")" | cut -d' ' -f1-3)" "$(iso "$T") 2 3"
}

@test "timestamps in Unix seconds, integer and fractional" {
	write_to "$M" '1 %s\n2 %s.5\n3 %s.999\n' "$T" $((T + 60)) $((T + 120))
	assert_rows "$(window "$M" "$T" $((T + 180)))" "$(row_of_one 1 "$T")
$(row_of_one 2 $((T + 60)))
$(row_of_one 3 $((T + 120)))"
}

@test "timestamps in RFC 3339, with Z and with an offset" {
	local z plus
	z=$(iso "$T")
	plus=$(date -u -d "@$((T + 60 + 3600))" +%Y-%m-%dT%H:%M:%S+01:00)
	write_to "$M" '1 %s\n2 %s\n' "$z" "$plus"
	assert_rows "$(window "$M" "$T" $((T + 120)))" "$(row_of_one 1 "$T")
$(row_of_one 2 $((T + 60)))"
}

@test "points from 13 days ago and 1 hour ahead are accepted" {
	local now old future
	now=$(date +%s)
	old=$(((now - 13 * 86400) / 60 * 60))
	future=$(((now + 3600) / 60 * 60))
	succeeds write_to "$M" '1 %s\n2 %s\n' "$old" "$future"
	assert_rows "$(minute "$M" "$old")" "$(row_of_one 1 "$old")"
	assert_rows "$(minute "$M" "$future")" "$(row_of_one 2 "$future")"
}

@test "a point older than 14 days is refused with EINVAL" {
	local old
	old=$((($(date +%s) - 15 * 86400) / 60 * 60))
	fails_with "Invalid argument" write_to "$M" '1 %s\n' "$old"
	fails_with "Invalid argument" write_to "$M" '2 %s\n1 %s\n' "$T" "$old"
	assert_no_data "$(minute "$M" "$T")"
	assert_equal "$(rows "$(window "$M" $((old - 3600)) $((old + 3600)) '&period=3600')")" ""
}

@test "a point more than 2 hours ahead is refused with EINVAL" {
	local future
	future=$((($(date +%s) + 3 * 3600) / 60 * 60))
	fails_with "Invalid argument" write_to "$M" '1 %s\n' "$future"
	fails_with "Invalid argument" write_to "$M" '2 %s\n1 %s\n' "$T" "$future"
	assert_no_data "$(minute "$M" "$T")"
	assert_no_data "$(minute "$M" "$future")"
}

@test "NaN, infinities, overflow and hexadecimal values are refused with EINVAL" {
	local v
	for v in NaN nan -nan inf -inf Infinity INF 1e400 -1e400 0x10 0X1p3 0x1.8p1; do
		fails_with "Invalid argument" write_to "$M" '%s %s\n' "$v" "$T"
	done
	assert_no_data "$(minute "$M" "$T")"
}

@test "words and malformed numbers are refused with EINVAL" {
	local v
	for v in abc 12abc 1,5 1.2.3 - e5 '$5'; do
		fails_with "Invalid argument" write_to "$M" '%s %s\n' "$v" "$T"
	done
	assert_no_data "$(minute "$M" "$T")"
}

@test "malformed timestamps are refused with EINVAL" {
	local ts
	for ts in yesterday 2026-13-01T00:00:00Z "$(iso "$T")x" 12abc; do
		fails_with "Invalid argument" write_to "$M" '1 %s\n' "$ts"
	done
	assert_no_data "$(minute "$M" "$T")"
}

@test "a NUL byte in a line is refused with EINVAL" {
	fails_with "Invalid argument" write_to "$M" '1\0 %s\n' "$T"
	fails_with "Invalid argument" write_to "$M" '1 %s\0\n' "$T"
	assert_no_data "$(minute "$M" "$T")"
}

@test "timestamps in milliseconds are refused (they are far in the future)" {
	fails_with "Invalid argument" write_to "$M" '1 %s000\n' "$T"
	assert_no_data "$(minute "$M" "$T")"
}

@test "RFC 3339 timestamps may carry fractions and negative offsets" {
	local minus
	minus=$(date -u -d "@$((T + 60 - 5 * 3600))" +%Y-%m-%dT%H:%M:%S-05:00)
	write_to "$M" '1 %s\n2 %s\n' "$(iso "$T" | sed 's/Z$/.250Z/')" "$minus"
	assert_rows "$(window "$M" "$T" $((T + 120)))" "$(row_of_one 1 "$T")
$(row_of_one 2 $((T + 60)))"
}

@test "a line with three fields is refused with EINVAL" {
	fails_with "Invalid argument" write_to "$M" '1 %s extra\n' "$T"
	assert_no_data "$(minute "$M" "$T")"
}

@test "a write with one bad line stores nothing" {
	fails_with "Invalid argument" write_to "$M" '1 %s\n2 %s\nabc %s\n4 %s\n' "$T" "$T" "$T" "$T"
	assert_no_data "$(minute "$M" "$T")"
	fails_with "Invalid argument" cat_to "$M" <<<"1 $T
2 $T
NaN $T"
	assert_no_data "$(minute "$M" "$T")"
}

@test "a refused write costs no data already stored, and the daemon keeps serving" {
	write_to "$M" '10 %s\n' "$T"
	fails_with "Invalid argument" write_to "$M" '20 %s\nbad\n' "$T"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 10 "$T")"
	succeeds write_to "$M" '30 %s\n' $((T + 60))
	assert_rows "$(minute "$M" $((T + 60)))" "$(row_of_one 30 $((T + 60)))"
}

@test "a line cut across two writes is joined" {
	{
		/bin/printf 4
		/bin/printf '2 %s\n' "$T"
	} >"$M"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 42 "$T")"
}

@test "a refused write keeps the partial line that came before it" {
	local err="$BATS_TEST_TMPDIR/err" refused=no
	{
		/bin/printf 4
		/bin/printf 'x\n' 2>"$err" || refused=yes
		/bin/printf '2 %s\n' "$T"
	} >"$M"
	assert_equal "$refused" yes
	assert_contains "$(cat "$err")" "Invalid argument"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 42 "$T")"
}

@test "an unterminated last line is ingested at close" {
	/bin/printf '7 %s' "$T" >"$M"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 7 "$T")"
}

@test "a child closing an inherited descriptor changes nothing" {
	{
		/bin/printf 5
		echo " $T"
	} >"$M"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 5 "$T")"
}

@test "an invalid unterminated last line fails close with EINVAL and stores nothing" {
	fails_with "Invalid argument" write_to "$M" 'abc'
	assert_no_data "$M"
	fails_with "Invalid argument" write_to "$M" '1 %s x' "$T"
	assert_no_data "$(minute "$M" "$T")"
}

@test "an invalid unterminated last line costs only itself" {
	fails_with "Invalid argument" write_to "$M" '1 %s\nabc' "$T"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 1 "$T")"
}

@test "blank lines and a trailing CR are ignored" {
	succeeds write_to "$M" '\n1 %s\r\n\r\n\n2 %s\r\n' "$T" "$T"
	assert_equal "$(rows "$(minute "$M" "$T")" | cut -d' ' -f1-3)" "$(iso "$T") 2 3"
}

@test "a line of only blanks is ignored" {
	succeeds write_to "$M" '  \n\t\n3 %s\n' "$T"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 3 "$T")"
}

@test "touch of an existing metric keeps its data" {
	write_to "$M" '6 %s\n' "$T"
	succeeds touch "$M"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 6 "$T")"
}

@test "cp, tee -a and dd conv=fsync ingest what they write" {
	printf '1 %s\n2 %s\n' "$T" "$T" >"$BATS_TEST_TMPDIR/points"
	succeeds cp "$BATS_TEST_TMPDIR/points" "$M"
	echo "3 $T" | tee -a "$M" >/dev/null
	echo "4 $T" | dd of="$M" conv=fsync status=none
	assert_equal "$(rows "$(minute "$M" "$T")" | cut -d' ' -f1-6)" "$(iso "$T") 4 10 2.5 1 4"
}

@test "partial lines are kept per open file" {
	# perl, because a shell's "printf >&5" closes a copy of fd 5 after
	# each command, and a close by the opener commits the pending line.
	perl -e 'my ($f, $t) = @ARGV;
		open(my $a, ">", $f) or die; open(my $b, ">>", $f) or die;
		syswrite($a, "4") == 1 or die; syswrite($b, "1") == 1 or die;
		syswrite($a, "2 $t\n") or die; syswrite($b, "7 $t\n") or die;
		close($a) or die; close($b) or die' "$M" "$T"
	assert_equal "$(rows "$(minute "$M" "$T")" | cut -d' ' -f1-6)" "$(iso "$T") 2 59 29.5 17 42"
}

@test "a write of several MiB, which reaches monfs in pieces, is stored whole" {
	seq 1 300000 | awk -v t="$T" '{ print 1, t }' >"$BATS_TEST_TMPDIR/big"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/big")" -gt 3000000 ]
	succeeds cat_to "$M" <"$BATS_TEST_TMPDIR/big"
	assert_equal "$(rows "$(minute "$M" "$T")" | cut -d' ' -f1-6)" "$(iso "$T") 300000 300000 1 1 1"
}

@test "concurrent writers lose no point" {
	local i pids=()
	for i in 1 2 3 4; do
		seq 1 5000 | awk -v t="$T" '{ print 1, t }' >>"$M" &
		pids+=($!)
	done
	for i in "${pids[@]}"; do wait "$i"; done
	assert_equal "$(rows "$(minute "$M" "$T")" | cut -d' ' -f1-3)" "$(iso "$T") 20000 20000"
}

@test "a write into a namespace that does not exist fails with ENOENT" {
	fails_with "No such file or directory" write_to "$NS/nope/m" '1 %s\n' "$T"
	fails_with "No such file or directory" touch "$MNT/metrics/Nope/m"
	assert_equal "$(ls -A "$MNT/metrics")" "Test"
}

# ---------------------------------------------------------------------------
# Reading

@test "the header line names the columns" {
	write_to "$M" '1 %s\n' "$T"
	run cat "$M"
	[ "$status" -eq 0 ]
	assert_equal "$(head -n 1 <<<"$output" | squeeze)" "$HEADER"
	[[ "${lines[0]}" == "#"* ]]
}

@test "a metric without data prints the header alone" {
	touch "$M"
	run cat "$M"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	assert_equal "$(squeeze <<<"${lines[0]}")" "$HEADER"
}

@test "10, 70 and 40 in one minute: samples 3 sum 120 average 40 minimum 10 maximum 70" {
	write_to "$M" '10 %s\n70 %s\n40 %s\n' "$T" $((T + 20)) $((T + 59))
	run rows "$(minute "$M" "$T")"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	read -r stamp samples sum average minimum maximum p50 p90 p99 <<<"${lines[0]}"
	assert_equal "$stamp $samples $sum $average $minimum $maximum" "$(iso "$T") 3 120 40 10 70"
	within_1pct "$p50" 40
	within_1pct "$p90" 70
	within_1pct "$p99" 70
	in_range "$p50" 10 70
	in_range "$p90" 10 70
	in_range "$p99" 10 70
}

@test "rows are oldest first and periods without data are left out" {
	write_to "$M" '3 %s\n' $((T + 180))
	write_to "$M" '1 %s\n' "$T"
	write_to "$M" '2 %s\n' $((T + 60))
	assert_rows "$(window "$M" "$T" $((T + 240)))" "$(row_of_one 1 "$T")
$(row_of_one 2 $((T + 60)))
$(row_of_one 3 $((T + 180)))"
}

@test "the default view is period 60 over the last 60 minutes" {
	write_to "$M" '1 %s\n2 %s\n3 %s\n' $((T - 3600)) "$T" "$T"
	run rows "$M"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	read -r stamp samples sum average minimum maximum p50 p90 p99 <<<"${lines[0]}"
	assert_equal "$stamp $samples $sum $average $minimum $maximum" "$(iso "$T") 2 5 2.5 2 3"
	in_range "$p50" 2 3
}

@test "the default view ends now: points ahead of now are not shown" {
	local future
	future=$(($(date +%s) / 60 * 60 + 1800))
	write_to "$M" '1 %s\n2 %s\n' "$T" "$future"
	assert_equal "$(rows "$M" | cut -d' ' -f1-3)" "$(iso "$T") 1 1"
	assert_rows "$(minute "$M" "$future")" "$(row_of_one 2 "$future")"
}

@test "the daemon's time zone changes nothing: times are read and shown in UTC" {
	unmount_monfs
	MONFS_DAEMON_ENV=(TZ=Asia/Kolkata)
	mount_monfs
	MONFS_DAEMON_ENV=()
	write_to "$M" '1 %s\n2 %s\n' "$(iso "$T")" $((T + 60))
	assert_rows "$M?since=$(iso "$T")&until=$(iso $((T + 120)))" "$(row_of_one 1 "$T")
$(row_of_one 2 $((T + 60)))"
	assert_rows "$(window "$M" "$T" $((T + 60)))" "$(row_of_one 1 "$T")"
}

@test "numbers print as the shortest decimal, in plain notation from 1e-6 to 1e21" {
	local values=(0.1 3.6 1.2e2 -2.5 0.000001 123456789012 1e20 0.30000000000000004 7.0)
	local printed=(0.1 3.6 120 -2.5 0.000001 123456789012 100000000000000000000 0.30000000000000004 7)
	local i expected=""
	for i in "${!values[@]}"; do
		printf '%s %s\n' "${values[$i]}" $((T + 60 * i))
		expected+="$(row_of_one "${printed[$i]}" $((T + 60 * i)))"$'\n'
	done >"$M"
	assert_rows "$(window "$M" "$T" $((T + 600)))" "${expected%$'\n'}"
}

@test "number printing at the edges: -0, the smallest and largest doubles, the 1e-6 and 1e21 bounds" {
	local values=(-0 5e-324 1.7976931348623157e308 123e-20 0.000001234 9.99e-7 999999999999999900000)
	local printed=(0 5e-324 1.7976931348623157e+308 1.23e-18 0.000001234 9.99e-7 999999999999999900000)
	local i expected=""
	for i in "${!values[@]}"; do
		printf '%s %s\n' "${values[$i]}" $((T + 60 * i))
		expected+="$(iso $((T + 60 * i))) ${printed[$i]} ${printed[$i]}"$'\n'
	done >"$M"
	assert_rows "$(window "$M" "$T" $((T + 600)) '&stat=sum,maximum')" "${expected%$'\n'}"
}

@test "numbers outside 1e-6 to 1e21 print in exponent notation" {
	write_to "$M" '1e21 %s\n1.5e-7 %s\n-1e-7 %s\n2.5e300 %s\n' "$T" $((T + 60)) $((T + 120)) $((T + 180))
	assert_rows "$(window "$M" "$T" $((T + 240)))" "$(row_of_one 1e+21 "$T")
$(row_of_one 1.5e-7 $((T + 60)))
$(row_of_one -1e-7 $((T + 120)))
$(row_of_one 2.5e+300 $((T + 180)))"
}

@test "percentiles of 1..100 are within 1 % of the nearest rank and within [min, max]" {
	seq 1 100 | shuf | awk -v t="$T" '{ print $1, t }' >"$M"
	run rows "$(minute "$M" "$T")"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	read -r stamp samples sum average minimum maximum p50 p90 p99 <<<"${lines[0]}"
	assert_equal "$samples $sum $average $minimum $maximum" "100 5050 50.5 1 100"
	within_1pct "$p50" 50
	within_1pct "$p90" 90
	within_1pct "$p99" 99
	in_range "$p50" 1 100
	in_range "$p90" 1 100
	in_range "$p99" 1 100
}

@test "percentiles of negative values are within 1 % of the nearest rank" {
	seq 1 100 | awk -v t="$T" '{ print -$1, t }' >"$M"
	run rows "$(minute "$M" "$T")"
	[ "$status" -eq 0 ]
	read -r stamp samples sum average minimum maximum p50 p90 p99 <<<"${lines[0]}"
	assert_equal "$samples $sum $average $minimum $maximum" "100 -5050 -50.5 -100 -1"
	within_1pct "$p50" -51
	within_1pct "$p90" -11
	within_1pct "$p99" -2
}

@test "percentiles of zeros are zero, and mixed signs are ordered" {
	write_to "$M" '0 %s\n0 %s\n0 %s\n5 %s\n' "$T" "$T" "$T" "$T"
	run rows "$(minute "$M" "$T")&stat=p50,p75,p76,p100"
	[ "$status" -eq 0 ]
	read -r stamp p50 p75 p76 p100 <<<"${lines[0]}"
	assert_equal "$stamp $p50 $p75 $p100" "$(iso "$T") 0 0 5"
	within_1pct "$p76" 5
	write_to "$M" '-10 %s\n-1 %s\n0 %s\n1 %s\n10 %s\n' $((T + 60)) $((T + 60)) $((T + 60)) $((T + 60)) $((T + 60))
	run rows "$(minute "$M" $((T + 60)))&stat=p0,p20,p40,p60,p80,p100"
	[ "$status" -eq 0 ]
	read -r stamp p0 p20 p40 p60 p80 p100 <<<"${lines[0]}"
	assert_equal "$stamp $p0 $p100" "$(iso $((T + 60))) -10 10"
	within_1pct "$p20" -10
	within_1pct "$p40" -1
	assert_equal "$p60" 0
	within_1pct "$p80" 1
}

@test "percentiles across a wide range of magnitudes" {
	awk -v t="$T" 'BEGIN { for (i = 0; i < 1000; i++) printf "%.17g %s\n", 0.001 * 10 ^ (i / 111.0), t }' >"$M"
	local p50 p90 expected50 expected90
	expected50=$(awk 'BEGIN { printf "%.17g", 0.001 * 10 ^ (499 / 111.0) }')
	expected90=$(awk 'BEGIN { printf "%.17g", 0.001 * 10 ^ (899 / 111.0) }')
	p50=$(column "$(minute "$M" "$T")" p50)
	p90=$(column "$(minute "$M" "$T")" p90)
	within_1pct "$p50" "$expected50"
	within_1pct "$p90" "$expected90"
}

@test "p0 and p100 are exactly the minimum and maximum; pNN.N and pNN.NN work" {
	seq 1 100 | awk -v t="$T" '{ print $1 * 1.5, t }' >"$M"
	run rows "$(minute "$M" "$T")&stat=p0,p100,p25,p99.9,p99.99"
	[ "$status" -eq 0 ]
	read -r stamp p0 p100 p25 p999 p9999 <<<"${lines[0]}"
	assert_equal "$stamp $p0 $p100" "$(iso "$T") 1.5 150"
	within_1pct "$p25" 37.5
	within_1pct "$p999" 150
	within_1pct "$p9999" 150
	in_range "$p999" 1.5 150
}

@test "points a minute apart stay in their own periods" {
	local i
	for i in 0 1 2 3 4; do printf '%s %s\n' $((i + 1)) $((T + 60 * i + 59)); done >"$M"
	assert_equal "$(rows "$(window "$M" "$T" $((T + 300)))" | cut -d' ' -f1,3)" \
		"$(for i in 0 1 2 3 4; do echo "$(iso $((T + 60 * i))) $((i + 1))"; done)"
}

@test "a metric reads with head, tail, wc and grep like a file" {
	write_to "$M" '1 %s\n2 %s\n3 %s\n' "$T" $((T + 60)) $((T + 120))
	local v
	v=$(window "$M" "$T" $((T + 180)))
	assert_equal "$(wc -l <"$v")" 4
	assert_equal "$(head -n 2 "$v" | tail -n 1 | squeeze)" "$(row_of_one 1 "$T")"
	assert_equal "$(tail -n 1 "$v" | squeeze)" "$(row_of_one 3 $((T + 120)))"
	assert_equal "$(grep -c "^$(iso "$T" | cut -c1-10)" "$v")" 3
	assert_equal "$(dd if="$v" bs=7 status=none)" "$(cat "$v")"
	assert_equal "$(tail -c 30 "$v")" "$(cat "$v" | tail -c 30)"
}

# ---------------------------------------------------------------------------
# Views

@test "?period=300 groups points into five-minute periods" {
	write_to "$M" '1 %s\n2 %s\n3 %s\n4 %s\n' "$T" $((T + 60)) $((T + 299)) $((T + 300))
	assert_equal "$(rows "$(window "$M" "$T" $((T + 600)) '&period=300')" | cut -d' ' -f1-3)" \
		"$(iso "$T") 3 6
$(iso $((T + 300))) 1 4"
}

@test "?period= takes any multiple of 60 seconds" {
	local p times=("$T" $((T + 60)) $((T + 240)) $((T + 300)) $((T + 900)))
	printf '1 %s\n' "${times[@]}" >"$M"
	for p in 60 120 180 600 3600; do
		assert_equal "$(rows "$(window "$M" "$T" $((T + 960)) "&period=$p")" | cut -d' ' -f1,2)" \
			"$(bucket_counts "$p" "${times[@]}")"
	done
}

@test "periods of 1, 5, 10, 20 and 30 seconds answer recent points" {
	local s p times
	s=$(minutes_ago 5)
	times=("$s" $((s + 1)) $((s + 4)) $((s + 5)) $((s + 12)) $((s + 29)) $((s + 31)))
	printf '1 %s\n' "${times[@]}" >"$M"
	for p in 1 5 10 20 30 60; do
		assert_equal "$(rows "$(window "$M" "$s" $((s + 60)) "&period=$p")" | cut -d' ' -f1,2)" \
			"$(bucket_counts "$p" "${times[@]}")"
	done
}

@test "periods under 60 seconds answer only the last 3 hours" {
	local old
	old=$(minutes_ago 240)
	write_to "$M" '1 %s\n' "$old"
	assert_equal "$(rows "$(window "$M" "$old" $((old + 60)) '&period=1')")" ""
	assert_equal "$(rows "$(window "$M" "$old" $((old + 60)) '&period=30')")" ""
	assert_rows "$(minute "$M" "$old")" "$(row_of_one 1 "$old")"
}

@test "?since= and ?until= take Unix seconds, and until is exclusive" {
	write_to "$M" '1 %s\n2 %s\n3 %s\n' "$T" $((T + 60)) $((T + 120))
	assert_rows "$(window "$M" $((T + 60)) $((T + 120)))" "$(row_of_one 2 $((T + 60)))"
	assert_rows "$(window "$M" "$T" $((T + 121)))" "$(row_of_one 1 "$T")
$(row_of_one 2 $((T + 60)))
$(row_of_one 3 $((T + 120)))"
}

@test "?since= and ?until= take RFC 3339 times" {
	local plus
	write_to "$M" '1 %s\n2 %s\n3 %s\n' "$T" $((T + 60)) $((T + 120))
	assert_rows "$M?since=$(iso $((T + 60)))&until=$(iso $((T + 120)))" "$(row_of_one 2 $((T + 60)))"
	plus=$(date -u -d "@$((T + 3600))" +%Y-%m-%dT%H:%M:%S%%2B01:00)
	assert_rows "$M?since=$plus&until=$(iso $((T + 60)))" "$(row_of_one 1 "$T")"
}

@test "?since= and ?until= take now and relative times" {
	# T is 20 to 25 minutes ago, T + 900 is 5 to 10 minutes ago
	write_to "$M" '1 %s\n2 %s\n' "$T" $((T + 900))
	local both only_new only_old
	both="$(row_of_one 1 "$T")
$(row_of_one 2 $((T + 900)))"
	only_new="$(row_of_one 2 $((T + 900)))"
	only_old="$(row_of_one 1 "$T")"
	assert_rows "$M?since=-15m" "$only_new"
	assert_rows "$M?since=-900s" "$only_new"
	assert_rows "$M?since=-2h" "$both"
	assert_rows "$M?since=-2h&until=now" "$both"
	assert_rows "$M?since=-2d&until=now" "$both"
	assert_rows "$M?since=-1w" "$both"
	assert_rows "$M?until=-15m" "$only_old"
	assert_rows "$M?since=-2h&until=-15m" "$only_old"
	# since rounds down to its minute: -4m starts after T + 900
	assert_rows "$M?since=-4m" ""
}

@test "?since= rounds down to the start of its period" {
	write_to "$M" '1 %s\n2 %s\n' "$T" $((T + 240))
	assert_rows "$(window "$M" $((T + 30)) $((T + 60)))" "$(row_of_one 1 "$T")"
	assert_equal "$(rows "$(window "$M" $((T + 100)) $((T + 300)) '&period=300')" | cut -d' ' -f1-3)" \
		"$(iso "$T") 2 3"
}

@test "?stat=average,p99 prints those columns only" {
	write_to "$M" '10 %s\n70 %s\n40 %s\n' "$T" "$T" "$T"
	run read_view "$(minute "$M" "$T")&stat=average,p99"
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 2 ]
	assert_equal "${lines[0]}" "# timestamp average p99"
	read -r stamp average p99 extra <<<"${lines[1]}"
	assert_equal "$stamp $average" "$(iso "$T") 40"
	within_1pct "$p99" 70
	assert_equal "$extra" ""
}

@test "?stat= accepts CloudWatch's statistic names" {
	write_to "$M" '10 %s\n70 %s\n40 %s\n' "$T" "$T" "$T"
	assert_rows "$(minute "$M" "$T")&stat=SampleCount,Sum,Average,Minimum,Maximum" \
		"$(iso "$T") 3 120 40 10 70"
	assert_rows "$(minute "$M" "$T")&stat=maximum,samples,sum" "$(iso "$T") 70 3 120"
}

@test "?format=json has GetMetricStatistics' shape" {
	write_to "$M" '10 %s\n70 %s\n40 %s\n' "$T" "$T" "$T"
	run cat "$(minute "$M" "$T")&format=json"
	[ "$status" -eq 0 ]
	json_check "$output" '.Label == "m"'
	json_check "$output" '.Datapoints | length == 1'
	json_check "$output" '.Datapoints[0] | .SampleCount == 3 and .Sum == 120 and .Average == 40
		and .Minimum == 10 and .Maximum == 70 and .Unit == "None"'
	json_check "$output" "(.Datapoints[0].Timestamp | sub(\"(\\\\.0+)?(Z|[+]00:?00)\$\"; \"Z\") | fromdateiso8601) == $T"
	json_check "$output" 'def close(e): (. - e) as $d | ($d * $d) <= (0.01 * e) * (0.01 * e);
		.Datapoints[0].ExtendedStatistics | (.p50 | close(40)) and (.p90 | close(70)) and (.p99 | close(70))'
}

@test "?format=json with stat= holds only the statistics named" {
	write_to "$M" '10 %s\n70 %s\n40 %s\n' "$T" "$T" "$T"
	run cat "$(minute "$M" "$T")&format=json&stat=average,p99"
	[ "$status" -eq 0 ]
	json_check "$output" '.Datapoints | length == 1'
	json_check "$output" '.Datapoints[0] | .Average == 40 and has("Timestamp")
		and (has("Sum") or has("SampleCount") or has("Minimum") or has("Maximum") | not)'
	json_check "$output" '.Datapoints[0].ExtendedStatistics | keys == ["p99"]'
	json_check "$output" '.Datapoints[0].ExtendedStatistics.p99 | . >= 69.3 and . <= 70'
}

@test "?format=json names percentiles as asked and labels nested metrics by name" {
	mkdir -p "$MNT/metrics/AWS/EC2"
	seq 1 100 | awk -v t="$T" '{ print $1, t }' >"$MNT/metrics/AWS/EC2/CPUUtilization"
	run cat "$(minute "$MNT/metrics/AWS/EC2/CPUUtilization" "$T")&format=json&stat=p99.9,SampleCount"
	[ "$status" -eq 0 ]
	json_check "$output" '.Label == "CPUUtilization"'
	json_check "$output" '.Datapoints[0].SampleCount == 100'
	json_check "$output" '.Datapoints[0].ExtendedStatistics | keys == ["p99.9"]'
	json_check "$output" '.Datapoints[0].ExtendedStatistics["p99.9"] | . >= 99 and . <= 100'
}

@test "?format=json of a metric without data has an empty Datapoints" {
	touch "$M"
	run cat "$M?format=json"
	[ "$status" -eq 0 ]
	json_check "$output" '.Label == "m" and .Datapoints == []'
}

@test "?format=text is the default rendering" {
	write_to "$M" '10 %s\n70 %s\n' "$T" "$T"
	assert_equal "$(read_view "$(minute "$M" "$T")&format=text")" "$(read_view "$(minute "$M" "$T")")"
}

@test "a raw + in an RFC 3339 offset is a plus, not a blank" {
	write_to "$M" '1 %s\n' "$T"
	local plus
	plus=$(date -u -d "@$((T + 3600))" +%Y-%m-%dT%H:%M:%S+01:00)
	assert_rows "$M?since=$plus&until=$((T + 60))" "$(row_of_one 1 "$T")"
}

@test "view values are percent-decoded" {
	write_to "$M" '10 %s\n70 %s\n40 %s\n' "$T" "$T" "$T"
	local since until
	since=$(iso "$T" | sed 's/:/%3A/g')
	until=$(iso $((T + 60)) | sed 's/:/%3a/g')
	run read_view "$M?since=$since&until=$until&stat=average%2Csum"
	[ "$status" -eq 0 ]
	assert_equal "$output" "# timestamp average sum
$(iso "$T") 40 120"
	run cat "$(minute "$M" "$T")&format=%6Ason"
	[ "$status" -eq 0 ]
	json_check "$output" '.Datapoints[0].Sum == 120'
}

@test "views are not listed by ls" {
	write_to "$M" '1 %s\n' "$T"
	cat "$M?period=300" >/dev/null
	cat "$(minute "$M" "$T")&format=json" >/dev/null
	[ -e "$M?period=300" ]
	assert_equal "$(ls -A "$NS")" "m"
	assert_equal "$(find "$NS" | wc -l)" 2
}

@test "opening a view for writing is refused with EPERM" {
	write_to "$M" '1 %s\n' "$T"
	fails_with "Operation not permitted" write_to "$M?period=60" '2 %s\n' "$T"
	fails_with "Operation not permitted" append_to "$(minute "$M" "$T")" '3 %s\n' "$T"
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 1 "$T")"
	assert_equal "$(ls -A "$NS")" "m"
}

@test "a view of a metric that does not exist is ENOENT" {
	fails_with "No such file or directory" cat "$NS/nothing?period=60"
}

@test "bad views are refused with EINVAL" {
	write_to "$M" '1 %s\n' "$T"
	local q
	for q in "foo=1" "period=60&period=60" "period=abc" "period=7" "period=0" "period=90" \
		"period=-60" "since=garbage" "since=-15x" "until=tomorrow" \
		"since=$T&until=$T" "since=$((T + 60))&until=$T" "stat=bogus" "stat=p101" \
		"stat=average,bogus" "format=xml" "filter=x" "view=history" "stat=average&stat=sum" \
		"period=%zz" "stat=average%2" "period" "stat=" "period=" "since=-2h&since=-1h"; do
		fails_with "Invalid argument" cat "$M?$q"
	done
	assert_rows "$(minute "$M" "$T")" "$(row_of_one 1 "$T")"
}

# ---------------------------------------------------------------------------
# The unit: extended attribute user.unit

@test "user.unit labels the metric in the JSON view" {
	write_to "$M" '5 %s\n' "$T"
	json_check "$(cat "$(minute "$M" "$T")&format=json")" '.Datapoints[0].Unit == "None"'
	succeeds setfattr -n user.unit -v Percent "$M"
	run getfattr --absolute-names -n user.unit --only-values "$M"
	[ "$status" -eq 0 ]
	assert_equal "$output" "Percent"
	run getfattr --absolute-names -d "$M"
	assert_contains "$output" 'user.unit="Percent"'
	json_check "$(cat "$(minute "$M" "$T")&format=json")" '.Datapoints[0].Unit == "Percent"'
}

@test "user.unit takes CloudWatch's unit names" {
	touch "$M"
	local u
	for u in Seconds Microseconds Bytes Kilobytes Bits Percent Count Bytes/Second Count/Second None; do
		succeeds setfattr -n user.unit -v "$u" "$M"
		assert_equal "$(getfattr --absolute-names -n user.unit --only-values "$M")" "$u"
	done
}

@test "an invalid unit is refused with EINVAL and changes nothing" {
	write_to "$M" '5 %s\n' "$T"
	setfattr -n user.unit -v Bytes "$M"
	fails_with "Invalid argument" setfattr -n user.unit -v Parsecs "$M"
	fails_with "Invalid argument" setfattr -n user.unit -v "" "$M"
	assert_equal "$(getfattr --absolute-names -n user.unit --only-values "$M")" "Bytes"
	json_check "$(cat "$(minute "$M" "$T")&format=json")" '.Datapoints[0].Unit == "Bytes"'
}

@test "removing user.unit makes the unit None again" {
	write_to "$M" '5 %s\n' "$T"
	setfattr -n user.unit -v Count "$M"
	succeeds setfattr -x user.unit "$M"
	json_check "$(cat "$(minute "$M" "$T")&format=json")" '.Datapoints[0].Unit == "None"'
}
