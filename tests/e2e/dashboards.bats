#!/usr/bin/env bats
# dashboards.bats: dashboards (SPEC 15): CloudWatch dashboard bodies
# written to dashboards/NAME, checked at close and read back, and their
# views: NAME.txt (sparklines), NAME.svg (checked with xmllint) and
# NAME.html (opened in headless Chromium, whose screenshot's pixels show
# the lines where the grid puts them).

load helpers

setup() {
	monfs_paths
	mount_monfs
	D="$MNT/dashboards"
	M="$MNT/metrics"
	mkdir -p "$M/App"
}

teardown() {
	stop_all_daemons
}

today() {
	echo "$MNT/trail/$(date -u +%F)"
}

# shared_mount: this test's mount again, with allow_other, for the tests
# that read as another user.
shared_mount() {
	let_others_in
	stop_all_daemons
	mount_monfs -o allow_other
	mkdir -p "$M/App"
}

# svg_count FILE XPATH: how many nodes XPATH selects in the SVG FILE.
svg_count() {
	xmllint --xpath "count($2)" "$1"
}

# svg_attr FILE XPATH: the string value of XPATH in the SVG FILE.
svg_attr() {
	xmllint --xpath "string($2)" "$1"
}

# vertices D: the vertices of an SVG path's d, one per M or L command.
vertices() {
	grep -o '[ML]' <<<"$1" | wc -l
}

# The body of AWS's documentation ("Dashboard Body Structure and Syntax",
# its first example), as the CloudWatch console exports it.
aws_example() {
	cat <<'EOT'
{
  "start": "-PT6H",
  "periodOverride": "inherit",
  "widgets": [
    {
      "type": "metric",
      "x": 0,
      "y": 0,
      "width": 12,
      "height": 6,
      "properties": {
        "metrics": [
          ["AWS/EC2", "CPUUtilization", "InstanceId", "i-012345"],
          [".", "NetworkIn", ".", ".", {"yAxis": "right", "label": "in"}]
        ],
        "period": 300,
        "stat": "Average",
        "region": "us-east-1",
        "title": "EC2 Instance CPU",
        "view": "timeSeries",
        "stacked": false
      }
    },
    {
      "type": "text",
      "x": 0,
      "y": 7,
      "width": 3,
      "height": 3,
      "properties": {
        "markdown": "Hello world"
      }
    }
  ]
}
EOT
}

# one_metric NS NAME [OPTIONS_JSON]: a body with one metric widget of one
# row, 5-minute periods, at the top left, half the grid wide.
one_metric() {
	cat <<EOT
{"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 12, "height": 6,
  "properties": {"title": "t", "period": 300, "stat": "Maximum",
    "metrics": [["$1", "$2"${3:+, $3}]]}}]}
EOT
}

@test "dashboards/ is 1777 and lists the dashboards, not their views" {
	assert_equal "$(stat -c '%a %U' "$D")" "1777 root"
	aws_example >"$D/ec2"
	assert_equal "$(ls "$D")" "ec2"
	[ -f "$D/ec2.txt" ]
	[ -f "$D/ec2.svg" ]
	[ -f "$D/ec2.html" ]
}

@test "a body from AWS's documentation is accepted, read back pretty-printed, and writes back" {
	aws_example >"$D/ec2"
	# The same JSON, members in the order written.
	assert_equal "$(jq -c . "$D/ec2")" "$(aws_example | jq -c .)"
	assert_equal "$(stat -c %s "$D/ec2")" "$(cat "$D/ec2" | wc -c)"
	# Pretty-printed: one member a line, indented.
	grep -q '^  "widgets": \[$' "$D/ec2"
	cp "$D/ec2" "$BATS_TEST_TMPDIR/copy"
	cp "$BATS_TEST_TMPDIR/copy" "$D/ec2-copy"
	cmp "$D/ec2" "$D/ec2-copy"
	# format=json: the body compact.
	assert_equal "$(cat "$D/ec2?format=json")" "$(aws_example | jq -c .)"
}

@test "the documentation's body renders as text, SVG and HTML" {
	aws_example >"$D/ec2"
	run cat "$D/ec2.txt"
	[ "$status" -eq 0 ]
	assert_contains "$output" "EC2 Instance CPU"
	assert_contains "$output" "Hello world"
	cat "$D/ec2.svg" >"$BATS_TEST_TMPDIR/d.svg"
	xmllint --noout "$BATS_TEST_TMPDIR/d.svg"
	# A metric that does not exist draws an empty series, not an error.
	assert_equal "$(svg_count "$BATS_TEST_TMPDIR/d.svg" "//*[local-name()='path'][@class='series']")" 2
	grep -q '<text[^>]*>EC2 Instance CPU</text>' "$BATS_TEST_TMPDIR/d.svg"
	run cat "$D/ec2.html"
	assert_contains "$output" '<meta http-equiv="refresh" content="60">'
	assert_contains "$output" '<svg'
}

@test "a bad body is refused with EINVAL and the JSON path of the fault; the old body stays" {
	aws_example >"$D/ec2"
	fails_with "Invalid argument" write_to "$D/ec2" '{"widgets": [ {"type": "metric"'
	fails_with "Invalid argument" write_to "$D/ec2" '{"widgets": [{"properties": {}}]}'
	grep -q '"eventName":"PutDashboard".*"errorMessage":"widgets\[0\]' "$(today)"
	fails_with "Invalid argument" write_to "$D/ec2" '{"widgets": [{"type": "chart", "properties": {}}]}'
	fails_with "Invalid argument" write_to "$D/ec2" '{"widgets": [{"type": "text", "properties": {"markdown": "a"}}, {"type": "metric", "properties": {"metrics": [["A", "b"], ["A", 5]]}}]}'
	grep -q '"eventName":"PutDashboard".*"errorMessage":"widgets\[1\].properties.metrics\[1\]' "$(today)"
	fails_with "Invalid argument" write_to "$D/ec2" '{"widgets": [{"type": "text", "x": 20, "y": 0, "width": 6, "height": 2, "properties": {"markdown": "a"}}]}'
	grep -q '"eventName":"PutDashboard".*"errorMessage":"widgets\[0\]' "$(today)"
	assert_equal "$(jq -c . "$D/ec2")" "$(aws_example | jq -c .)"
}

@test "a dashboard's name may not end in .txt, .html or .svg; its views are read-only" {
	fails_with "Invalid argument" write_to "$D/x.svg" '{"widgets": []}'
	aws_example >"$D/ec2"
	fails_with "Operation not permitted" write_to "$D/ec2.svg" '{"widgets": []}'
	fails_with "Operation not permitted" write_to "$D/ec2?format=text" '{"widgets": []}'
	fails_with "Invalid argument" cat "$D/ec2?format=pdf"
	fails_with "Invalid argument" cat "$D/ec2.txt?width=5"
	fails_with "No such file or directory" cat "$D/none.svg"
}

@test "PutDashboard and DeleteDashboards are on the trail; rm and mv work" {
	aws_example >"$D/ec2"
	grep -q '"eventName":"PutDashboard".*"dashboardName":"ec2"' "$(today)"
	mv "$D/ec2" "$D/web"
	assert_equal "$(ls "$D")" "web"
	grep -q '"eventName":"DeleteDashboards".*"dashboardNames":\["ec2"\]' "$(today)"
	rm "$D/web"
	assert_equal "$(ls "$D")" ""
	grep -q '"eventName":"DeleteDashboards".*"dashboardNames":\["web"\]' "$(today)"
	fails_with "No such file or directory" cat "$D/web"
}

@test "sed -i and vim edit a body in place" {
	aws_example >"$D/ec2"
	succeeds sed -i 's/"Hello world"/"Hello monfs"/' "$D/ec2"
	grep -q '"markdown": "Hello monfs"' "$D/ec2"
	succeeds vim -es -u NONE -c '%s/Hello monfs/Hello vim/' -c 'wq' "$D/ec2"
	grep -q '"markdown": "Hello vim"' "$D/ec2"
	assert_equal "$(ls -A "$D")" "ec2"
}

# aligned: the start of the hour three hours ago (a start of every
# period the tests draw with, and 2 h of 5-minute periods before now).
aligned() {
	local now
	now=$(date +%s)
	echo $((now / 3600 * 3600 - 3 * 3600))
}

# spark FILE LABEL COUNT: the sparkline of row LABEL in the text FILE (the
# COUNT characters before its numbers), as one line.
spark() {
	python3 - "$1" "$2" "$3" <<'EOT'
import sys
path, label, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
for line in open(path, encoding="utf-8"):
    if line.startswith(label + " "):
        print(line.split(" last ")[0][-count:])
EOT
}

@test "the text view draws a sparkline per row: the highest block at the maximum's period, blanks where no data" {
	local t0
	t0=$(aligned)
	for i in 0:1 3:5 7:9 11:3; do
		echo "${i#*:} $((t0 + ${i%:*} * 300 + 10))" >>"$M/App/lat"
	done
	one_metric App lat '{"label": "L1"}' >"$D/d"
	cat "$D/d.txt?since=$t0&until=$((t0 + 3600))" >"$BATS_TEST_TMPDIR/d.txt"
	cat "$BATS_TEST_TMPDIR/d.txt"
	s=$(spark "$BATS_TEST_TMPDIR/d.txt" L1 12)
	assert_equal "${s:0:1}" "▁"
	assert_equal "${s:7:1}" "█"
	for i in 1 2 4 5 6 8 9 10; do
		assert_equal "${s:$i:1}" " "
	done
	[ "${s:3:1}" != " " ] && [ "${s:11:1}" != " " ]
	grep -q '^L1 .* last 3 min 1 max 9$' "$BATS_TEST_TMPDIR/d.txt"
	# One value for all: the middle block.
	one_metric App lat '{"label": "L1", "stat": "SampleCount"}' >"$D/d"
	s=$(cat "$D/d.txt?since=$t0&until=$((t0 + 3600))" | tee /dev/stderr | grep '^L1 ')
	assert_contains "$s" "▄  ▄   ▄   ▄"
}

@test "width= bounds every line; a longer range widens the periods to fit" {
	local t0
	t0=$(aligned)
	for i in $(seq 0 23); do echo "$i $((t0 + i * 300))" >>"$M/App/lat"; done
	one_metric App lat >"$D/d"
	for w in 40 60 80 120; do
		cat "$D/d.txt?width=$w" >"$BATS_TEST_TMPDIR/w.txt"
		max=$(while IFS= read -r l; do printf '%s' "$l" | wc -m; done <"$BATS_TEST_TMPDIR/w.txt" | sort -n | tail -1)
		in_range "$max" 1 "$w"
	done
	# 40 columns give 8 sparkline columns: 2 h of 5-minute periods are
	# drawn 15 minutes a column, the last maximum 23.
	cat "$D/d.txt?width=40&since=$t0&until=$((t0 + 7200))" >"$BATS_TEST_TMPDIR/w.txt"
	s=$(spark "$BATS_TEST_TMPDIR/w.txt" 'App lat' 8)
	assert_equal "$(printf '%s' "$s" | wc -m)" 8
	grep -q 'last 23 min 2 max 23$' "$BATS_TEST_TMPDIR/w.txt"
	# period= overrides the body's: hourly maxima.
	s=$(cat "$D/d.txt?period=3600&since=$t0&until=$((t0 + 7200))" | grep '^App lat')
	assert_contains "$s" "last 23 min 11 max 23"
}

@test "the SVG has one path per row, one vertex per period with data, a gap where none, and the row's colour" {
	local t0
	t0=$(aligned)
	for i in 0 1 2 5 6; do echo "$i $((t0 + i * 300))" >>"$M/App/lat"; done
	echo "7 $((t0 + 300))" >>"$M/App/other"
	cat >"$D/d" <<EOT
{"widgets": [{"type": "metric", "x": 0, "y": 0, "width": 24, "height": 8,
  "properties": {"title": "Latency <ms>", "period": 300, "stat": "Average",
    "annotations": {"horizontal": [{"value": 4, "label": "slo"}]},
    "metrics": [["App", "lat", {"color": "#ff0000", "label": "lat"}],
                [".", "other"], [".", "missing"]]}}]}
EOT
	f="$BATS_TEST_TMPDIR/d.svg"
	cat "$D/d.svg?since=$t0&until=$((t0 + 3600))" >"$f"
	xmllint --noout "$f"
	P="//*[local-name()='path'][@class='series']"
	assert_equal "$(svg_count "$f" "$P")" 3
	d=$(svg_attr "$f" "$P[1]/@d")
	assert_equal "$(vertices "$d")" 5
	assert_equal "$(grep -o M <<<"$d" | wc -l)" 2
	assert_equal "$(svg_attr "$f" "$P[1]/@stroke")" "#ff0000"
	assert_equal "$(vertices "$(svg_attr "$f" "$P[2]/@d")")" 1
	# A metric that does not exist: an empty line, not an error.
	assert_equal "$(svg_attr "$f" "$P[3]/@d")" ""
	# Titles, legends and ticks are text; the title is escaped.
	grep -q '<text[^>]*>Latency &lt;ms&gt;</text>' "$f"
	[ "$(svg_count "$f" "//*[local-name()='text'][.='lat']")" -ge 1 ]
	[ "$(svg_count "$f" "//*[local-name()='line'][@class='annotation']")" -ge 1 ]
	# Time ticks read HH:MM.
	[ "$(svg_count "$f" "//*[local-name()='text'][contains(., ':')]")" -ge 2 ]
}

@test "alarm widgets show each alarm's state; text widgets their markdown; other CloudWatch widgets are not drawn" {
	/bin/printf '%s\n' "metric = App/quiet" "statistic = maximum" "period = 60" \
		"comparison = >" "threshold = 80" "treat_missing_data = breaching" >"$MNT/alarms/down"
	/bin/printf '%s\n' "metric = App/quiet" "statistic = maximum" "period = 60" \
		"comparison = >" "threshold = 80" "treat_missing_data = notBreaching" >"$MNT/alarms/fine"
	cat >"$D/d" <<'EOT'
{"widgets": [
  {"type": "alarm", "x": 0, "y": 0, "width": 12, "height": 3,
   "properties": {"title": "States", "alarms": [
     "arn:aws:cloudwatch:us-east-1:123456789012:alarm:down", "fine", "gone"]}},
  {"type": "text", "x": 12, "y": 0, "width": 12, "height": 3,
   "properties": {"markdown": "# Runbook\nCall ops"}},
  {"type": "explorer", "x": 0, "y": 3, "width": 24, "height": 3, "properties": {}}]}
EOT
	eventually 30 "grep -q '^state = ALARM' '$MNT/alarms/down'"
	eventually 30 "grep -q '^state = OK' '$MNT/alarms/fine'"
	run cat "$D/d.txt"
	assert_contains "$output" "States"
	grep -Eq '^down +ALARM$' <<<"$output"
	grep -Eq '^fine +OK$' <<<"$output"
	grep -Eq '^gone +\(no such alarm\)$' <<<"$output"
	assert_contains "$output" "# Runbook"
	assert_contains "$output" "Call ops"
	assert_contains "$output" "(not drawn)"
	f="$BATS_TEST_TMPDIR/d.svg"
	cat "$D/d.svg" >"$f"
	assert_equal "$(svg_attr "$f" "//*[local-name()='rect'][@class='alarm'][@data-state='ALARM']/@fill")" "#d62728"
	assert_equal "$(svg_attr "$f" "//*[local-name()='rect'][@class='alarm'][@data-state='OK']/@fill")" "#2ca02c"
}

@test "a log widget shows its query's table over the dashboard's range" {
	shared_mount
	mkdir -p "$MNT/logs/web"
	printf 'GET / 200\nGET /pay 500\n' >>"$MNT/logs/web/a"
	printf 'GET /x 500\n' >>"$MNT/logs/web/b"
	cat >"$D/d" <<'EOT'
{"widgets": [{"type": "log", "x": 0, "y": 0, "width": 24, "height": 6,
  "properties": {"title": "Errors", "query": "SOURCE 'web' | filter @message like /500/ | stats count(*) as n by @logStream | sort @logStream asc"}}]}
EOT
	run cat "$D/d.txt"
	assert_contains "$output" "Errors"
	grep -Eq '^@logStream +n$' <<<"$output"
	grep -Eq '^a +1$' <<<"$output"
	grep -Eq '^b +1$' <<<"$output"
	# A group the reader may not read: the widget says so.
	chmod 700 "$MNT/logs/web"
	run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$D/d.txt"
	assert_contains "$output" "web: permission denied"
	# A bad query: the widget says why.
	sed -i 's/stats count/statz count/' "$D/d"
	run cat "$D/d.txt"
	assert_contains "$output" "query failed"
}

@test "a row the reader may not read draws empty" {
	shared_mount
	t0=$(aligned)
	echo "5 $((t0 + 10))" >>"$M/App/secret"
	chmod 600 "$M/App/secret"
	one_metric App secret '{"label": "S"}' >"$D/d"
	run setpriv --reuid=65534 --regid=65534 --clear-groups cat "$D/d.txt?since=$t0&until=$((t0 + 3600))"
	grep -q '^S .*no data' <<<"$output"
	run cat "$D/d.txt?since=$t0&until=$((t0 + 3600))"
	grep -q '^S .*last 5 min 5 max 5' <<<"$output"
}

@test "the page opens in headless Chromium: the line in its colour where the grid puts its widget, the alarm's tile beside it" {
	t0=$(aligned)
	for i in $(seq 0 23); do echo "$((i % 5 * 20)) $((t0 + i * 300))" >>"$M/App/lat"; done
	/bin/printf '%s\n' "metric = App/quiet" "statistic = maximum" "period = 60" \
		"comparison = >" "threshold = 80" "treat_missing_data = notBreaching" >"$MNT/alarms/fine"
	cat >"$D/page" <<EOT
{"start": "-PT4H", "widgets": [
  {"type": "metric", "x": 0, "y": 0, "width": 12, "height": 8,
   "properties": {"title": "t", "period": 300, "stat": "Maximum",
     "metrics": [["App", "lat", {"color": "#ff0000"}]]}},
  {"type": "alarm", "x": 12, "y": 0, "width": 12, "height": 8,
   "properties": {"alarms": ["fine"]}}]}
EOT
	eventually 30 "grep -q '^state = OK' '$MNT/alarms/fine'"
	# st_size is what a read gives: Chromium reads that many bytes.
	assert_equal "$(stat -c %s "$D/page.html")" "$(cat "$D/page.html" | wc -c)"
	png="$BATS_TEST_TMPDIR/page.png"
	(cd "$BATS_TEST_TMPDIR" && timeout 120 chromium --headless --no-sandbox --disable-gpu \
		--hide-scrollbars --user-data-dir="$BATS_TEST_TMPDIR/chromium" \
		--window-size=1200,600 --screenshot="$png" "file://$D/page.html") 2>/dev/null
	[ -s "$png" ]
	# The grid's left half (x 0-11 of 24) holds the red line; the right half none.
	[ "$("$BATS_TEST_DIRNAME/../support/png-colour" "$png" '#ff0000' 0 0 600 600 30)" -ge 100 ]
	assert_equal "$("$BATS_TEST_DIRNAME/../support/png-colour" "$png" '#ff0000' 620 0 1200 600 30)" 0
	# The OK alarm's green tile is in the right half only.
	[ "$("$BATS_TEST_DIRNAME/../support/png-colour" "$png" '#2ca02c' 620 0 1200 600 20)" -ge 500 ]
	assert_equal "$("$BATS_TEST_DIRNAME/../support/png-colour" "$png" '#2ca02c' 0 0 580 600 20)" 0
}
