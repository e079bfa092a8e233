#!/usr/bin/env bats
# The manual page, man/monfs.1: it renders without a warning, and it and
# the daemon agree on the options (SPEC 1): every option that
# `monfs --help` prints is in the page, and every option the page's
# OPTIONS section documents is one the daemon knows and accepts.
#
# The page is read as users read it, rendered by man(1) at 80 columns;
# its OPTIONS section is the text between the OPTIONS and the next
# section heading, and its options are the tag lines, indented by 7.

load helpers

PAGE="$REPO/man/monfs.1"

setup() {
	monfs_paths
}

teardown() {
	stop_all_daemons
}

# render: the page as text, as `man` shows it at 80 columns.
render() {
	MANWIDTH=80 man -l "$PAGE" 2>/dev/null | col -bx
}

# page_options: the tag lines of the rendered OPTIONS section, one
# form per line ("--db FILE", "-o db=FILE", "-f", ...).
page_options() {
	render | awk '/^OPTIONS$/ { f = 1; next } /^[A-Z]/ { f = 0 }
		f && /^       -/ { sub(/^ +/, ""); sub(/  .*/, ""); print }' |
		sed 's/, /\n/g'
}

# help_longs: the long options `monfs --help` prints, one per line.
help_longs() {
	"$MONFS_BIN" --help 2>&1 | grep -oE -- '--[a-z][a-z-]*' | sort -u
}

# value PLACEHOLDER: a value a test mount can give for an option argument.
value() {
	case "$1" in
	FILE) echo "$DB" ;;
	NAME) echo manpage-test ;;
	N) echo 7 ;;
	GROUP) id -gn ;;
	ID) echo 123456789012 ;;
	DIR) echo "$BATS_TEST_TMPDIR/archive" ;;
	*) return 1 ;;
	esac
}

@test "man and groff render the page without a warning" {
	[ -f "$PAGE" ]
	run bash -c "groff -ww -man -Tutf8 '$PAGE' 2>&1 >/dev/null"
	[ "$status" -eq 0 ]
	[ -z "$output" ] || { echo "groff: $output"; false; }
	run bash -c "MANWIDTH=80 man -l '$PAGE' 2>&1 >/dev/null"
	[ "$status" -eq 0 ]
	[ -z "$output" ] || { echo "man: $output"; false; }
	# and it says something: the sections a reader looks for are there
	text=$(render)
	for s in NAME SYNOPSIS DESCRIPTION OPTIONS ERRORS ENVIRONMENT FILES \
		EXAMPLES "SEE ALSO"; do
		grep -qx "$s" <<<"$text" || { echo "no section $s"; false; }
	done
}

@test "every long option of --help is in the page's OPTIONS section" {
	longs=$(help_longs)
	[ -n "$longs" ]
	documented=$(page_options)
	missing=""
	for opt in $longs; do
		grep -qE -- "^$opt( |\$)" <<<"$documented" || missing="$missing $opt"
	done
	[ -z "$missing" ] || { echo "not in the page's OPTIONS:$missing"; false; }
}

@test "every option of the page's OPTIONS section is in --help" {
	help=$("$MONFS_BIN" --help 2>&1)
	documented=$(page_options)
	[ "$(grep -c . <<<"$documented")" -ge 10 ]
	unknown=""
	while read -r form _; do
		case "$form" in
		-o) # an -o form: "-o db=FILE" or "-o trail_reads"
			continue ;;
		esac
		grep -qE -- "(^|[ ,])$form([ ,=]|\$)" <<<"$help" || unknown="$unknown $form"
	done <<<"$documented"
	# the -o forms: "db=" of "-o db=FILE", "trail_reads" of "-o trail_reads"
	for o in $(sed -nE 's/^-o ([a-z_]+=?).*/\1/p' <<<"$documented"); do
		grep -qF -- "$o" <<<"$help" || unknown="$unknown -o $o"
	done
	[ -z "$unknown" ] || { echo "not in --help:$unknown"; false; }
}

@test "the daemon accepts every option of the page, long and -o forms" {
	documented=$(page_options)
	# long forms: "--region NAME" becomes "--region manpage-test"
	args=()
	while read -r opt arg; do
		case "$opt" in
		--help | --version | --db) continue ;;
		--*) args+=("$opt") ;;
		*) continue ;;
		esac
		[ -z "$arg" ] || args+=("$(value "$arg")")
	done <<<"$documented"
	[ "${#args[@]}" -ge 5 ]
	mount_monfs "${args[@]}"
	mkdir "$MNT/metrics/Man"
	grep -q '"awsRegion":"manpage-test"' "$MNT/trail/$(date -u +%F)"
	unmount_monfs

	# -o forms: "-o region=NAME" becomes "region=manpage-test"
	opts=""
	while read -r o; do
		name=${o%%=*}
		[ "$name" != db ] || continue
		if [ "$o" != "$name" ]; then
			o="$name=$(value "${o#*=}")"
		fi
		opts="$opts,$o"
	done < <(sed -nE 's/^-o ([a-z_]+(=[A-Z]+)?)$/\1/p' <<<"$documented")
	[ -n "$opts" ]
	DB="$BATS_TEST_TMPDIR/o.db" # a trail of this mount's records only
	mount_monfs -o "${opts#,}"
	mkdir "$MNT/metrics/Man"
	grep -q '"awsRegion":"manpage-test"' "$MNT/trail/$(date -u +%F)"
}
