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
