#!/usr/bin/env bats
# The README's tour, run as written: every command line of the indented
# block under "## A tour" runs, one by one and in order, in one shell on a
# fresh mount (from the directory holding it, so that its `cd mnt` works),
# and the test fails at the first line that fails, naming it. So the
# README and monfs cannot drift apart.
#
# How the block is read (tour_commands):
#   - its lines are those indented by 4 spaces or more, up to the next
#     "## " heading; blank lines and lines starting with "#" (comments)
#     are skipped;
#   - a line indented 2 more than the commands is output, shown under the
#     command that prints it: not compared (times and values differ from
#     run to run), but that command must print something;
#   - a command ending in "\" goes on on the next line, and one with a
#     here-document (<<EOF) takes the lines up to its terminator.
# Lines that never end by themselves run under `timeout 2` instead (a
# timeout is then their success): those following a file (tail -f,
# tail -F), and those started in the background with a trailing "&",
# which run in the foreground for their 2 seconds.

load helpers

setup() {
	monfs_paths
	mount_monfs
	README="$REPO/README.md"
}

teardown() {
	cd "$BATS_TEST_TMPDIR"
	stop_all_daemons
}

# tour_block: the tour's code block, its 4-space indent removed.
tour_block() {
	awk '
		/^## / { in_tour = ($0 == "## A tour"); next }
		in_tour && /^    / { print substr($0, 5); next }
		in_tour && /^[[:space:]]*$/ { print ""; next }
	' "$README"
}

# tour_commands: the tour's commands, NUL-separated, each as
# "SHOWS_OUTPUT<TAB>COMMAND" (SHOWS_OUTPUT 1 when the README shows
# output under it), commands possibly of several lines.
tour_commands() {
	local line cmd="" shows=0 heredoc="" cont=0
	local re_heredoc="<<-?[[:space:]]*['\"]?([A-Za-z_][A-Za-z_0-9]*)['\"]?"
	flush() {
		[ -n "$cmd" ] && printf '%s\t%s\0' "$shows" "$cmd"
		cmd="" shows=0
	}
	while IFS= read -r line; do
		if [ -n "$heredoc" ]; then
			cmd+=$'\n'"$line"
			[ "$line" = "$heredoc" ] && heredoc=""
			continue
		fi
		if ((cont)); then
			cmd+=$'\n'"$line"
			[[ "$line" == *\\ ]] || cont=0
			continue
		fi
		if [[ "$line" =~ ^[[:space:]]*$ ]]; then
			continue
		elif [[ "$line" == "  "* ]]; then
			[ -n "$cmd" ] && shows=1 # output of the command before
		elif [[ "$line" == "#"* ]]; then
			continue
		else
			flush
			cmd="$line"
			[[ "$line" == *\\ ]] && cont=1
			if [[ "$line" =~ $re_heredoc ]]; then
				heredoc="${BASH_REMATCH[1]}"
			fi
		fi
	done < <(tour_block)
	flush
}

# runs_forever COMMAND: true for a command that does not end by itself.
runs_forever() {
	[[ "$1" =~ (^|[[:space:]|])tail[[:space:]]+(-[a-zA-Z]*[fF]) ]] ||
		[[ "$1" =~ \&[[:space:]]*(#.*)?$ && ! "$1" =~ \&\&[[:space:]]*(#.*)?$ ]]
}

@test "the README's tour has its commands where tour.bats looks" {
	local n
	n=$(tour_commands | tr -cd '\0' | wc -c)
	# the tour is a tour: it has a few dozen lines
	((n >= 30)) || {
		echo "only $n commands found under '## A tour' in $README"
		return 1
	}
	tour_commands | tr '\0' '\n' | grep -q '^0	cd mnt$'
	tour_commands | tr '\0' '\n' | grep -q 'cat > alarms/cpu-high <<EOF'
}

@test "every line of the README's tour works as written on a fresh mount" {
	local entry shows cmd out="$BATS_TEST_TMPDIR/line.out" n=0 rc
	set -o pipefail
	cd "$BATS_TEST_TMPDIR" # where `cd mnt` finds the mount
	while IFS= read -r -d '' entry; do
		shows="${entry%%$'\t'*}"
		cmd="${entry#*$'\t'}"
		n=$((n + 1))
		if runs_forever "$cmd"; then
			# e.g. "tail -f x | jq" or "producer >> stream &"
			rc=0
			timeout 2 bash -o pipefail -c "${cmd%&*}" >"$out" 2>&1 </dev/null || rc=$?
			if [ "$rc" -ne 0 ] && [ "$rc" -ne 124 ]; then
				printf 'tour line %d failed (status %d) under timeout 2:\n%s\n--- it printed:\n' "$n" "$rc" "$cmd"
				cat "$out"
				return 1
			fi
		else
			rc=0
			eval "$cmd" >"$out" 2>&1 </dev/null || rc=$?
			if [ "$rc" -ne 0 ]; then
				printf 'tour line %d failed (status %d):\n%s\n--- it printed:\n' "$n" "$rc" "$cmd"
				cat "$out"
				return 1
			fi
		fi
		if [ "$shows" = 1 ] && [ ! -s "$out" ]; then
			printf 'tour line %d printed nothing, where the README shows output:\n%s\n' "$n" "$cmd"
			return 1
		fi
	done < <(tour_commands)
	echo "$n tour lines ran" >&3
}
