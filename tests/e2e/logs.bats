#!/usr/bin/env bats
# Log groups and streams (SPEC 4), their names (SPEC 2) and stream views
# (SPEC 8), driven with the tools users type: mkdir, rm, echo, printf,
# cat, grep, wc, head, tail (-f and -F too), dd, stat, setfattr, jq. Where
# a test needs exact control over each write(2), it uses perl's syswrite
# (see sysio below). Every comparison is byte for byte against a local
# file holding what the stream should hold.

load helpers

setup() {
	monfs_paths
	mount_monfs
	G="$MNT/logs/app"
	S="$G/s"
	L="$BATS_TEST_TMPDIR/local"
	EXP="$BATS_TEST_TMPDIR/expected"
	BG_PIDS=()
	mkdir "$G"
}

teardown() {
	local p
	# background readers (tail -f) hold files open on the mount: end them
	# (by pid) before unmounting
	for p in ${BG_PIDS[@]+"${BG_PIDS[@]}"}; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

# repeat C N: a string of N copies of the character C
repeat() {
	local s
	printf -v s '%*s' "$2" ''
	echo "${s// /$1}"
}

# uri TEXT: TEXT percent-encoded for a view query
uri() {
	jq -rn --arg s "$1" '$s | @uri'
}

# assert_bytes FILE EXPECTED_FILE: FILE holds exactly EXPECTED_FILE's bytes.
# FILE is read with cat first: cmp -s trusts st_size, which is 0 for views.
assert_bytes() {
	local got="$BATS_TEST_TMPDIR/got.bytes"
	if ! cat -- "$1" >"$got"; then
		echo "cannot read $1"
		return 1
	fi
	if ! cmp -s -- "$got" "$2"; then
		echo "$1 differs from the expected bytes:"
		cmp -- "$got" "$2" 2>&1 | head -n 3
		echo "--- actual ($(wc -c <"$got") bytes), start:"
		od -c -- "$got" | head -n 12
		echo "--- expected ($(wc -c <"$2") bytes), start:"
		od -c -- "$2" | head -n 12
		return 1
	fi
}

# assert_size FILE N: stat -c %s and wc -c both say N
assert_size() {
	assert_equal "$(stat -c %s -- "$1")" "$2"
	assert_equal "$(wc -c <"$1")" "$2"
}

# assert_holds FILE FORMAT [ARG...]: FILE holds exactly the bytes that
# /bin/printf FORMAT ARG... prints; for a stream (no '?' in the name),
# st_size says the same.
assert_holds() {
	local file="$1"
	shift
	/bin/printf "$@" >"$EXP"
	assert_bytes "$file" "$EXP"
	if [[ "$file" != *"?"* ]]; then
		assert_size "$file" "$(wc -c <"$EXP")"
	fi
}

# sysio FILE MODE CODE: open FILE with perl's MODE ('>>' append, '>'
# truncate, '+<' read-write, no O_APPEND) and run the perl CODE, in which
#   w(BUF)   does one write(2) of BUF and prints its result: the count
#            written, or "E: <strerror>"
#   sk(OFF)  seeks to OFF (lseek(2)) and prints nothing
#   $file    is FILE
# Then closes it, printing "closed" or "close E: <strerror>". Prints
# "open E: <strerror>" and exits 1 if the open fails.
sysio() {
	perl -e '
		use strict; use warnings;
		our ($file, $mode, $code) = @ARGV;
		our $F;
		$| = 1;
		unless (open($F, $mode, $file)) { print "open E: $!\n"; exit 1 }
		binmode $F;
		sub w { my $n = syswrite($F, $_[0]); print defined $n ? "$n\n" : "E: $!\n"; }
		sub sk { defined sysseek($F, $_[0], 0) or die "seek: $!\n"; }
		eval $code; die $@ if $@;
		if (close($F)) { print "closed\n" } else { print "close E: $!\n" }
	' "$1" "$2" "$3"
}

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

# daemon_serves: the daemon is alive and the mount answers.
daemon_serves() {
	if ! process_alive "$MONFS_MAIN_PID"; then
		echo "monfs (pid $MONFS_MAIN_PID) died; log:"
		cat "$LOG"
		return 1
	fi
	ls "$MNT/logs" >/dev/null
	mkdir -p "$MNT/logs/probe"
	echo alive >"$MNT/logs/probe/p"
	assert_equal "$(tail -n 1 "$MNT/logs/probe/p")" alive
}

# same_output ARG...: the command ARG... run with every @ in its
# arguments replaced by the stream $S prints the same bytes as with @
# replaced by the local copy $L.
same_output() {
	local a="$BATS_TEST_TMPDIR/same.a" b="$BATS_TEST_TMPDIR/same.b" x
	local on_s=() on_l=()
	for x in "$@"; do
		on_s+=("${x//@/$S}")
		on_l+=("${x//@/$L}")
	done
	"${on_s[@]}" >"$a" || {
		echo "failed: ${on_s[*]}"
		return 1
	}
	"${on_l[@]}" >"$b" || true
	if ! cmp -s "$a" "$b"; then
		echo "$* differs between the stream and a local file:"
		echo "--- stream:"
		od -c "$a" | head -n 8
		echo "--- local:"
		od -c "$b" | head -n 8
		return 1
	fi
}

# now_ms: milliseconds since the epoch
now_ms() {
	date +%s%3N
}

# events FILE: the number of events in a stream (lines of its JSON view)
events() {
	local out
	out=$(cat -- "$1?format=json") || return 1
	if [ -z "$out" ]; then echo 0; else printf '%s\n' "$out" | wc -l; fi
}

# writer_lines W N: the N distinct lines writer W appends in the
# concurrency tests; lengths vary from a few bytes to ~2 KB, and each
# line's filler is W's own letter, so that any interleaving shows.
writer_lines() {
	perl -e 'my ($w, $n) = @ARGV;
		for my $i (1 .. $n) {
			my $len = ($i * 37 + $w * 101) % 2000;
			print "w$w $i ", chr(96 + $w) x $len, "\n";
		}' "$1" "$2"
}

# ---------------------------------------------------------------------------
# Groups

@test "mkdir makes a log group, a directory" {
	succeeds mkdir "$MNT/logs/web"
	[ -d "$MNT/logs/web" ]
	assert_equal "$(stat -c %F "$MNT/logs/web")" "directory"
	assert_equal "$(ls "$MNT/logs" | xargs)" "app web"
	assert_equal "$(ls -A "$MNT/logs/web")" ""
}

@test "mkdir -p logs/aws/lambda/checkout makes every level a group" {
	succeeds mkdir -p "$MNT/logs/aws/lambda/checkout"
	[ -d "$MNT/logs/aws" ]
	[ -d "$MNT/logs/aws/lambda" ]
	[ -d "$MNT/logs/aws/lambda/checkout" ]
	# each level is a group: it can hold streams, beside its deeper levels
	echo top >"$MNT/logs/aws/s"
	echo mid >"$MNT/logs/aws/lambda/s"
	echo deep >"$MNT/logs/aws/lambda/checkout/s"
	assert_equal "$(ls "$MNT/logs/aws" | xargs)" "lambda s"
	assert_equal "$(ls "$MNT/logs/aws/lambda" | xargs)" "checkout s"
	assert_equal "$(ls "$MNT/logs/aws/lambda/checkout")" "s"
	assert_holds "$MNT/logs/aws/s" 'top\n'
	assert_holds "$MNT/logs/aws/lambda/s" 'mid\n'
	assert_holds "$MNT/logs/aws/lambda/checkout/s" 'deep\n'
}

@test "mkdir of an existing group fails with EEXIST and keeps it" {
	echo keep >"$S"
	fails_with "File exists" mkdir "$G"
	assert_holds "$S" 'keep\n'
}

@test "rmdir removes an empty group" {
	mkdir -p "$MNT/logs/empty/inner"
	succeeds rmdir "$MNT/logs/empty/inner"
	succeeds rmdir "$MNT/logs/empty"
	[ ! -e "$MNT/logs/empty" ]
	assert_equal "$(ls "$MNT/logs")" "app"
}

@test "rmdir of a group holding a stream fails with ENOTEMPTY and keeps it" {
	echo line >"$S"
	fails_with "Directory not empty" rmdir "$G"
	[ -d "$G" ]
	assert_holds "$S" 'line\n'
}

@test "rmdir of a group holding only a subgroup fails with ENOTEMPTY" {
	mkdir "$G/sub"
	fails_with "Directory not empty" rmdir "$G"
	[ -d "$G/sub" ]
	succeeds rmdir "$G/sub"
	succeeds rmdir "$G"
	[ ! -e "$G" ]
}

@test "rm -r removes a group with its streams and subgroups" {
	mkdir -p "$G/sub/deeper"
	echo one >"$S"
	echo two >"$G/sub/t"
	echo three >"$G/sub/deeper/u"
	succeeds rm -r "$G"
	[ ! -e "$G" ]
	assert_equal "$(ls -A "$MNT/logs")" ""
	# made again, everything in it starts empty
	mkdir -p "$G/sub/deeper"
	touch "$S" "$G/sub/t" "$G/sub/deeper/u"
	assert_size "$S" 0
	assert_size "$G/sub/t" 0
	assert_size "$G/sub/deeper/u" 0
}

@test "rm -r of a group leaves groups whose names share its prefix" {
	mkdir -p "$MNT/logs/web/a" "$MNT/logs/webx" "$MNT/logs/web_" "$MNT/logs/Web" "$MNT/logs/web%"
	local d
	for d in web/a webx web_ Web web%; do echo "in $d" >"$MNT/logs/$d/s"; done
	succeeds rm -r "$MNT/logs/web"
	assert_equal "$(ls "$MNT/logs" | sort | xargs)" "$(printf '%s\n' Web app web% web_ webx | sort | xargs)"
	for d in webx web_ Web web%; do assert_holds "$MNT/logs/$d/s" 'in %s\n' "$d"; done
}

@test "a group's subgroups and streams are listed only in it" {
	mkdir -p "$G/sub"
	touch "$S" "$G/sub/hidden-from-parent"
	assert_equal "$(ls "$G" | xargs)" "s sub"
	assert_equal "$(stat -c %F "$G/sub")" "directory"
	assert_equal "$(ls "$G/sub")" "hidden-from-parent"
	assert_equal "$(ls -R "$MNT/logs" | grep -c hidden-from-parent)" 1
}

@test "a whole group of exactly 512 bytes is accepted" {
	local a b
	a=$(repeat a 255)
	b=$(repeat b 254)
	# a/b/c is 255 + 1 + 254 + 1 + 1 = 512 bytes
	succeeds mkdir -p "$MNT/logs/$a/$b/c"
	[ -d "$MNT/logs/$a/$b/c" ]
	succeeds touch "$MNT/logs/$a/$b/c/$(repeat s 255)"
	echo deep >"$MNT/logs/$a/$b/c/s"
	assert_holds "$MNT/logs/$a/$b/c/s" 'deep\n'
}

@test "a whole group over 512 bytes is refused with ENAMETOOLONG" {
	local a b c
	a=$(repeat a 255)
	b=$(repeat b 254)
	mkdir -p "$MNT/logs/$a/$b"
	# 255 + 1 + 254 + 1 + 2 = 513 bytes
	fails_with "File name too long" mkdir "$MNT/logs/$a/$b/cc"
	[ ! -e "$MNT/logs/$a/$b/cc" ]
	assert_equal "$(ls -A "$MNT/logs/$a/$b")" ""
	a=$(repeat x 200)
	b=$(repeat y 200)
	c=$(repeat z 200)
	fails_with "File name too long" mkdir -p "$MNT/logs/$a/$b/$c"
	[ -d "$MNT/logs/$a/$b" ]
	[ ! -e "$MNT/logs/$a/$b/$c" ]
	assert_equal "$(ls -A "$MNT/logs/$a/$b")" ""
}

@test "a 256-byte group or stream name is refused with ENAMETOOLONG" {
	local long
	long=$(repeat x 256)
	fails_with "File name too long" mkdir "$MNT/logs/$long"
	fails_with "File name too long" mkdir "$G/$long"
	fails_with "File name too long" touch "$G/$long"
	fails_with "File name too long" write_to "$G/$long" 'hello\n'
	assert_equal "$(ls -A "$MNT/logs")" "app"
	assert_equal "$(ls -A "$G")" ""
	succeeds mkdir "$MNT/logs/$(repeat g 255)"
	succeeds touch "$G/$(repeat s 255)"
}

@test "a group or stream name starting with . is refused with EINVAL" {
	fails_with "Invalid argument" mkdir "$MNT/logs/.hidden"
	fails_with "Invalid argument" mkdir "$G/.sub"
	fails_with "Invalid argument" touch "$G/.stream"
	fails_with "Invalid argument" write_to "$G/.s2" 'hello\n'
	assert_equal "$(ls -A "$MNT/logs")" "app"
	assert_equal "$(ls -A "$G")" ""
}

@test "a group or stream name with a control character is refused with EINVAL" {
	local c
	for c in $'\x01' $'\t' $'\n' $'\r' $'\x1b' $'\x1f' $'\x7f'; do
		fails_with "Invalid argument" mkdir "$MNT/logs/a${c}b"
		fails_with "Invalid argument" touch "$G/s${c}x"
	done
	fails_with "Invalid argument" write_to "$G/w"$'\x02' 'hello\n'
	assert_equal "$(ls -A "$MNT/logs")" "app"
	assert_equal "$(ls -A "$G")" ""
}

@test "a group or stream name that is not UTF-8, or holds ?, is refused" {
	fails_with "Invalid argument" mkdir "$MNT/logs/bad"$'\xff'
	fails_with "Invalid argument" touch "$G/bad"$'\xc3\x28'
	fails_with "Invalid argument" mkdir "$MNT/logs/a?b"
	run touch "$G/why?x"
	[ "$status" -ne 0 ]
	assert_equal "$(ls -A "$MNT/logs")" "app"
	assert_equal "$(ls -A "$G")" ""
}

@test "UTF-8, blanks and punctuation are accepted in group and stream names" {
	succeeds mkdir -p "$MNT/logs/Zürich/my app"
	echo grüezi >"$MNT/logs/Zürich/my app/温度 %=,;"
	assert_equal "$(ls "$MNT/logs/Zürich/my app")" "温度 %=,;"
	assert_holds "$MNT/logs/Zürich/my app/温度 %=,;" 'grüezi\n'
}

@test "a file directly in logs/, without a group, is refused with EPERM" {
	fails_with "Operation not permitted" touch "$MNT/logs/x"
	fails_with "Operation not permitted" write_to "$MNT/logs/y" 'hello\n'
	[ ! -e "$MNT/logs/x" ]
	[ ! -e "$MNT/logs/y" ]
	assert_equal "$(ls -A "$MNT/logs")" "app"
}

@test "a stream in a group that does not exist is ENOENT" {
	fails_with "No such file or directory" write_to "$MNT/logs/nope/s" 'hello\n'
	fails_with "No such file or directory" touch "$G/nope/s"
	assert_equal "$(ls -A "$MNT/logs")" "app"
	assert_equal "$(ls -A "$G")" ""
}

@test "mv, ln, ln -s, mkfifo and mknod are refused with EPERM in logs/" {
	echo keep >"$S"
	mkdir "$G/sub"
	fails_with "Operation not permitted" mv "$S" "$G/renamed"
	fails_with "Operation not permitted" mv "$G/sub" "$G/sub2"
	fails_with "Operation not permitted" mv "$G" "$MNT/logs/other"
	fails_with "Operation not permitted" ln "$S" "$G/hard"
	fails_with "Operation not permitted" ln -s s "$G/soft"
	fails_with "Operation not permitted" mkfifo "$G/fifo"
	fails_with "Operation not permitted" mknod "$G/null" c 1 3
	assert_equal "$(ls "$G" | xargs)" "s sub"
	assert_equal "$(ls "$MNT/logs")" "app"
	assert_holds "$S" 'keep\n'
}

# ---------------------------------------------------------------------------
# Streams: creating and removing

@test "touch makes a stream: an empty regular file" {
	succeeds touch "$S"
	[ -f "$S" ]
	assert_contains "$(stat -c %F "$S")" "regular"
	assert_size "$S" 0
	assert_equal "$(ls "$G")" "s"
	assert_equal "$(cat "$S")" ""
}

@test "the first echo > makes a stream" {
	echo hello >"$G/new"
	[ -f "$G/new" ]
	assert_holds "$G/new" 'hello\n'
	assert_equal "$(ls -l "$G/new" | awk '{ print $5 }')" 6
}

@test "rm deletes a stream; made again it is empty" {
	printf 'one\ntwo\n' >"$S"
	succeeds rm "$S"
	[ ! -e "$S" ]
	assert_equal "$(ls -A "$G")" ""
	touch "$S"
	assert_size "$S" 0
	echo three >>"$S"
	assert_holds "$S" 'three\n'
}

@test "touch of an existing stream keeps its content" {
	printf 'a\nb\n' >"$S"
	succeeds touch "$S"
	assert_holds "$S" 'a\nb\n'
}

@test "ls lists hundreds of streams, each once" {
	local i
	for i in $(seq 1 300); do : >"$G/stream-$i"; done
	mkdir "$G/sub"
	touch "$G/sub/hidden-from-parent"
	assert_equal "$(ls "$G" | wc -l)" 301
	assert_equal "$(ls "$G" | sort | uniq -d)" ""
	assert_equal "$(ls "$G" | grep -c hidden-from-parent)" 0
}

@test "streams are independent of each other" {
	echo one >"$G/a"
	echo two >"$G/b"
	echo three >>"$G/a"
	rm "$G/b"
	assert_holds "$G/a" 'one\nthree\n'
	assert_equal "$(ls "$G")" "a"
}

# ---------------------------------------------------------------------------
# Writing: every write appends

@test "echo > and echo >> both append" {
	echo a >"$S"
	echo b >"$S"
	echo c >>"$S"
	assert_holds "$S" 'a\nb\nc\n'
}

@test "truncation changes nothing: : >, truncate -s 0, truncate -s 3" {
	printf 'one\ntwo\n' >"$S"
	: >"$S"
	assert_holds "$S" 'one\ntwo\n'
	succeeds truncate -s 0 "$S"
	assert_holds "$S" 'one\ntwo\n'
	run truncate -s 3 "$S"
	assert_holds "$S" 'one\ntwo\n'
}

@test "a write after seeking to 0 still appends (dd seek=, lseek)" {
	printf 'a\nb\n' >"$S"
	echo c | dd of="$S" bs=1 seek=0 conv=notrunc status=none
	assert_holds "$S" 'a\nb\nc\n'
	echo d | dd of="$S" bs=1 seek=2 conv=notrunc status=none
	assert_holds "$S" 'a\nb\nc\nd\n'
	run sysio "$S" '+<' 'sk(0); w("e\n"); sk(1); w("f\n"); sk(100000); w("g\n")'
	assert_equal "$output" "2
2
2
closed"
	assert_holds "$S" 'a\nb\nc\nd\ne\nf\ng\n'
}

@test "content is stored byte for byte: non-UTF-8, CR, tabs, blanks" {
	printf '\xff\xfe\n' >"$S"
	/bin/printf 'tab\there\r\n  lead and trail  \n\n\r\n' >>"$S"
	/bin/printf 'caf\xc3\xa9 \xe6\xb8\xa9 \xc3\x28 \x80\n' >>"$S"
	assert_holds "$S" '\xff\xfe\ntab\there\r\n  lead and trail  \n\n\r\ncaf\xc3\xa9 \xe6\xb8\xa9 \xc3\x28 \x80\n'
}

@test "every byte value round-trips" {
	perl -e 'print map { chr } 0 .. 255; print "\n"; print map { chr(255 - $_) } 0 .. 255; print "\n"' >"$L"
	succeeds cp "$L" "$S"
	assert_bytes "$S" "$L"
	assert_size "$S" "$(wc -c <"$L")"
}

@test "an unterminated last line gains its newline at close" {
	/bin/printf abc >"$S"
	assert_holds "$S" 'abc\n'
	/bin/printf 'd\ne' >>"$S"
	assert_holds "$S" 'abc\nd\ne\n'
	echo -n f >>"$S"
	assert_holds "$S" 'abc\nd\ne\nf\n'
}

@test "a line cut across two writes is joined" {
	run sysio "$S" '>>' 'w("ab"); w("c\nde"); w("f\n")'
	assert_equal "$output" "2
4
2
closed"
	assert_holds "$S" 'abc\ndef\n'
	assert_equal "$(events "$S")" 2
}

@test "a child closing an inherited descriptor does not commit the partial line" {
	{
		/bin/printf ab
		echo c
	} >>"$S"
	assert_holds "$S" 'abc\n'
	assert_equal "$(events "$S")" 1
	{
		/bin/printf d
		/bin/printf e
		/bin/printf 'f\n'
	} >"$S"
	assert_holds "$S" 'abc\ndef\n'
	assert_equal "$(events "$S")" 2
}

@test "partial lines are kept per open file" {
	run sysio "$S" '>>' 'open(my $b, ">>", $file) or die;
		w("A1"); syswrite($b, "B1\n") == 3 or die; w("A2\n"); close($b) or die'
	assert_equal "$output" "2
3
closed"
	assert_holds "$S" 'B1\nA1A2\n'
}

@test "a pending partial line is not read until its writer closes" {
	run sysio "$S" '>>' 'w("done\npart");
		open(my $r, "<", $file) or die; local $/; my $seen = <$r>; close($r);
		print "seen=", length($seen), ":", $seen eq "done\n" ? "ok" : "bad", "\n";
		print "size=", -s $file, "\n"'
	assert_equal "$output" "9
seen=5:ok
size=5
closed"
	assert_holds "$S" 'done\npart\n'
}

@test "a partial line of an opener that is killed is committed, not lost" {
	perl -e 'open(my $f, ">>", $ARGV[0]) or die; syswrite($f, "whole\npart") == 10 or die;
		kill "KILL", $$' "$S" || true
	eventually 10 '[ "$(cat "$S")" = "whole
part" ]'
	assert_holds "$S" 'whole\npart\n'
	daemon_serves
}

@test "cp, tee -a and dd append what they write" {
	printf 'one\ntwo\n' >"$L"
	succeeds cp "$L" "$S"
	echo three | tee -a "$S" >/dev/null
	echo four | dd of="$S" conv=fsync status=none
	assert_holds "$S" 'one\ntwo\nthree\nfour\n'
}

# ---------------------------------------------------------------------------
# The 256 KiB line limit

@test "a line of exactly 262144 bytes is accepted" {
	run sysio "$S" '>>' 'w("x" x 262144 . "\n")'
	assert_equal "$output" "262145
closed"
	perl -e 'print "x" x 262144, "\n"' >"$L"
	assert_bytes "$S" "$L"
	assert_size "$S" 262145
	assert_equal "$(events "$S")" 1
}

@test "an unterminated last line of 262144 bytes is accepted at close" {
	head -c 262144 /dev/zero | tr '\0' y >"$S"
	perl -e 'print "y" x 262144, "\n"' >"$L"
	assert_bytes "$S" "$L"
	assert_size "$S" 262145
}

@test "a line of 262145 bytes fails the write with EMSGSIZE and stores nothing" {
	echo before >"$S"
	run sysio "$S" '>>' 'w("x" x 262145 . "\n")'
	assert_equal "$output" "E: Message too long
closed"
	assert_holds "$S" 'before\n'
	# one write: a good line, then a too-long one: neither is stored
	run sysio "$S" '>>' 'w("good\n" . "x" x 262145 . "\nafter\n")'
	assert_equal "$output" "E: Message too long
closed"
	assert_holds "$S" 'before\n'
	assert_equal "$(events "$S")" 1
	# the daemon keeps serving the stream
	echo later >>"$S"
	assert_holds "$S" 'before\nlater\n'
}

@test "a too-long line from a shell tool shows 'Message too long'" {
	perl -e 'print "z" x 300000, "\n"' >"$L"
	fails_with "Message too long" dd if="$L" of="$S" bs=1M status=none
	assert_size "$S" 0
}

@test "a refused write keeps the partial line pending before it" {
	run sysio "$S" '>>' 'w("ab"); w("x" x 262145 . "\n"); w("c\n")'
	assert_equal "$output" "2
E: Message too long
2
closed"
	assert_holds "$S" 'abc\n'
	assert_equal "$(events "$S")" 1
}

@test "a write that makes a pending line too long fails; the pending part stays" {
	run sysio "$S" '>>' 'w("x" x 200000); w("y" x 62145 . "\n"); w("\n")'
	assert_equal "$output" "200000
E: Message too long
1
closed"
	perl -e 'print "x" x 200000, "\n"' >"$L"
	assert_bytes "$S" "$L"
	# without a newline too: the pending line may not grow past the limit
	run sysio "$S" '>>' 'w("p" x 262000); w("q" x 144); w("r"); w("s" x 10)'
	assert_equal "$output" "262000
144
E: Message too long
E: Message too long
closed"
	perl -e 'print "x" x 200000, "\n", "p" x 262000, "q" x 144, "\n"' >"$L"
	assert_bytes "$S" "$L"
}

@test "a pending line may grow to exactly 262144 bytes across writes" {
	run sysio "$S" '>>' 'w("x" x 200000); w("y" x 62144 . "\n")'
	assert_equal "$output" "200000
62145
closed"
	perl -e 'print "x" x 200000, "y" x 62144, "\n"' >"$L"
	assert_bytes "$S" "$L"
}

# ---------------------------------------------------------------------------
# Reading: size and offsets

@test "st_size is the exact byte count after every append" {
	local i line total=0
	touch "$S"
	: >"$L"
	for i in $(seq 1 60); do
		line="$i $(repeat '#' $((i * 13 % 97)))"
		echo "$line" >>"$S"
		echo "$line" >>"$L"
		total=$((total + ${#line} + 1))
		assert_equal "$(stat -c %s "$S")" "$total"
	done
	assert_size "$S" "$total"
	assert_bytes "$S" "$L"
	assert_equal "$(ls -l "$S" | awk '{ print $5 }')" "$total"
}

@test "reads at any offset: tail -c, tail -n, head -c, dd skip=, grep -c, wc -l" {
	local i
	for i in $(seq 1 40); do
		printf 'line %d %s%s\n' "$i" "$( ((i % 3)) && echo ERROR || echo INFO)" "$(repeat . $((i * 7 % 31)))"
	done >"$L"
	# appended in many writes of odd sizes, lines cut across them
	dd if="$L" of="$S" bs=37 status=none
	assert_bytes "$S" "$L"
	same_output tail -c 5 @
	same_output tail -n 2 @
	same_output tail -c +100 @
	same_output head -c 77 @
	same_output head -n 3 @
	same_output dd if=@ skip=123 bs=1 count=45 status=none
	same_output dd if=@ skip=3 bs=100 count=2 status=none
	same_output dd if=@ skip=100000 bs=1 count=5 status=none
	same_output grep -c ERROR @
	same_output grep -n INFO @
	same_output sh -c 'wc -l <"$1"' sh @
	same_output sh -c 'wc -c <"$1"' sh @
	same_output sed -n '17,19p' @
}

@test "a multi-MB stream written in many writes reads back whole at any offset" {
	seq 1 60000 | awk '{ printf "%d %s\n", $1, substr("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz", 1, ($1 * 7919) % 97) }' >"$L"
	[ "$(stat -c %s "$L")" -gt 3000000 ]
	# 4093-byte writes: lines are cut across them again and again
	dd if="$L" of="$S" bs=4093 status=none
	assert_size "$S" "$(stat -c %s "$L")"
	cmp "$S" "$L"
	same_output tail -c 5 @
	same_output tail -n 2 @
	same_output head -c 100000 @
	same_output dd if=@ skip=2999999 bs=1 count=17 status=none
	same_output dd if=@ skip=100 bs=4096 count=3 status=none
	same_output dd if=@ bs=1M status=none
	same_output grep -c 'abc' @
	same_output sh -c 'wc -l <"$1"' sh @
	# and one write(2) of several MiB, which reaches monfs in pieces, appends whole
	dd if="$L" of="$S" bs=8M iflag=fullblock oflag=append conv=notrunc status=none
	cat "$L" "$L" >"$BATS_TEST_TMPDIR/twice"
	assert_size "$S" "$(stat -c %s "$BATS_TEST_TMPDIR/twice")"
	cmp "$S" "$BATS_TEST_TMPDIR/twice"
}

# ---------------------------------------------------------------------------
# Following: tail -f and tail -F

@test "tail -f shows a line appended by another process" {
	local out="$BATS_TEST_TMPDIR/tail.out"
	printf 'one\ntwo\nthree\n' >"$S"
	bg tail -f "$S" >"$out" 2>&1
	eventually 10 '[ "$(cat "$out")" = "one
two
three" ]'
	echo four >>"$S"
	eventually 10 'grep -qx four "$out"'
	/bin/printf 'five' >>"$S"
	eventually 10 'grep -qx five "$out"'
	sleep 1.5
	stop_bg "$BG_PID"
	assert_holds "$out" 'one\ntwo\nthree\nfour\nfive\n'
}

@test "tail -F shows appended lines, and follows a stream removed and made again" {
	local out="$BATS_TEST_TMPDIR/tail.out"
	echo one >"$S"
	bg tail -F "$S" >"$out" 2>"$BATS_TEST_TMPDIR/tail.err"
	eventually 10 'grep -qx one "$out"'
	echo two >>"$S"
	eventually 10 'grep -qx two "$out"'
	rm "$S"
	sleep 2.5
	echo again >"$S"
	eventually 15 'grep -qx again "$out"'
	stop_bg "$BG_PID"
	assert_holds "$out" 'one\ntwo\nagain\n'
	daemon_serves
}

@test "tail -f of a stream that is removed does not upset the daemon" {
	local out="$BATS_TEST_TMPDIR/tail.out"
	printf 'one\n' >"$S"
	bg tail -f "$S" >"$out" 2>&1
	eventually 10 'grep -qx one "$out"'
	succeeds rm "$S"
	[ ! -e "$S" ]
	assert_equal "$(ls -A "$G")" ""
	sleep 3
	daemon_serves
	echo fresh >"$S"
	sleep 2
	daemon_serves
	assert_holds "$S" 'fresh\n'
	stop_bg "$BG_PID"
	daemon_serves
}

@test "rm -r of a group while tail -f follows one of its streams" {
	local out="$BATS_TEST_TMPDIR/tail.out"
	mkdir "$G/sub"
	echo one >"$G/sub/s"
	bg tail -f "$G/sub/s" >"$out" 2>&1
	eventually 10 'grep -qx one "$out"'
	succeeds rm -r "$G"
	[ ! -e "$G" ]
	sleep 2
	daemon_serves
	stop_bg "$BG_PID"
	daemon_serves
}

@test "tail -f keeps up with 4 concurrent writers, missing and repeating nothing" {
	local out="$BATS_TEST_TMPDIR/tail.out" w pids=()
	touch "$S"
	bg tail -n +1 -f "$S" >"$out" 2>&1
	for w in 1 2 3 4; do
		writer_lines "$w" 500 >"$BATS_TEST_TMPDIR/lines.$w"
	done
	for w in 1 2 3 4; do
		perl -e 'open(my $f, ">>", $ARGV[0]) or die "$!";
			while (my $l = <STDIN>) { syswrite($f, $l) == length($l) or die "write: $!\n" }
			close($f) or die "close: $!\n"' "$S" <"$BATS_TEST_TMPDIR/lines.$w" 3>&- &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w"; done
	eventually 20 '[ "$(stat -c %s "$out")" -ge "$(stat -c %s "$S")" ]'
	sleep 1.5
	stop_bg "$BG_PID"
	cmp "$out" "$S"
	cat "$BATS_TEST_TMPDIR"/lines.* | sort >"$BATS_TEST_TMPDIR/exp.sorted"
	sort "$out" | cmp - "$BATS_TEST_TMPDIR/exp.sorted"
}

# ---------------------------------------------------------------------------
# Concurrent writers

@test "8 concurrent writers, one write per line: every line once and intact" {
	local w pids=()
	for w in 1 2 3 4 5 6 7 8; do
		writer_lines "$w" 2000 >"$BATS_TEST_TMPDIR/lines.$w"
	done
	for w in 1 2 3 4 5 6 7 8; do
		perl -e 'open(my $f, ">>", $ARGV[0]) or die "$!";
			while (my $l = <STDIN>) { my $n = syswrite($f, $l);
				defined $n && $n == length($l) or die "write: $!\n" }
			close($f) or die "close: $!\n"' "$S" <"$BATS_TEST_TMPDIR/lines.$w" 3>&- &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w"; done
	cat "$BATS_TEST_TMPDIR"/lines.* >"$L"
	assert_size "$S" "$(stat -c %s "$L")"
	assert_equal "$(wc -l <"$S")" 16000
	sort "$S" | uniq -c | awk '$1 != 1' >"$BATS_TEST_TMPDIR/dups"
	assert_equal "$(head -n 3 "$BATS_TEST_TMPDIR/dups" | cut -c1-60)" ""
	sort "$S" >"$BATS_TEST_TMPDIR/got.sorted"
	sort "$L" >"$BATS_TEST_TMPDIR/exp.sorted"
	cmp "$BATS_TEST_TMPDIR/got.sorted" "$BATS_TEST_TMPDIR/exp.sorted"
	# each writer's lines keep their order
	for w in 1 2 3 4 5 6 7 8; do
		grep "^w$w " "$S" | cmp - "$BATS_TEST_TMPDIR/lines.$w"
	done
}

@test "concurrent writers cutting every line in two never interleave inside a line" {
	local w pids=()
	for w in 1 2 3 4; do
		writer_lines "$w" 1000 >"$BATS_TEST_TMPDIR/lines.$w"
	done
	for w in 1 2 3 4; do
		perl -e 'open(my $f, ">>", $ARGV[0]) or die "$!";
			while (my $l = <STDIN>) { my $h = int(length($l) / 2);
				syswrite($f, substr($l, 0, $h)) == $h or die "write: $!\n";
				syswrite($f, substr($l, $h)) == length($l) - $h or die "write: $!\n" }
			close($f) or die "close: $!\n"' "$S" <"$BATS_TEST_TMPDIR/lines.$w" 3>&- &
		pids+=($!)
	done
	for w in "${pids[@]}"; do wait "$w"; done
	cat "$BATS_TEST_TMPDIR"/lines.* >"$L"
	assert_size "$S" "$(stat -c %s "$L")"
	sort "$S" >"$BATS_TEST_TMPDIR/got.sorted"
	sort "$L" >"$BATS_TEST_TMPDIR/exp.sorted"
	cmp "$BATS_TEST_TMPDIR/got.sorted" "$BATS_TEST_TMPDIR/exp.sorted"
	for w in 1 2 3 4; do
		grep "^w$w " "$S" | cmp - "$BATS_TEST_TMPDIR/lines.$w"
	done
}

# ---------------------------------------------------------------------------
# Retention: user.retention_days on a group

@test "user.retention_days set with setfattr reads back with getfattr" {
	succeeds setfattr -n user.retention_days -v 7 "$G"
	assert_equal "$(getfattr --absolute-names -n user.retention_days --only-values "$G")" 7
	run getfattr --absolute-names -d "$G"
	[ "$status" -eq 0 ]
	assert_contains "$output" 'user.retention_days="7"'
	succeeds setfattr -n user.retention_days -v 30 "$G"
	assert_equal "$(getfattr --absolute-names -n user.retention_days --only-values "$G")" 30
}

@test "every CloudWatch retention value is accepted" {
	local d
	for d in 1 3 5 7 14 30 60 90 120 150 180 365 400 545 731 1096 1827 2192 2557 2922 3288 3653; do
		succeeds setfattr -n user.retention_days -v "$d" "$G"
		assert_equal "$(getfattr --absolute-names -n user.retention_days --only-values "$G")" "$d"
	done
}

@test "other retention values are refused with EINVAL and change nothing" {
	echo keep >"$S"
	setfattr -n user.retention_days -v 7 "$G"
	local v
	for v in 2 0 -1 abc 4000 6 3654 7.5 1e1 "" " 7"; do
		fails_with "Invalid argument" setfattr -n user.retention_days -v "$v" "$G"
	done
	assert_equal "$(getfattr --absolute-names -n user.retention_days --only-values "$G")" 7
	assert_holds "$S" 'keep\n'
}

@test "setfattr -x removes the retention; a group without one has none" {
	run getfattr --absolute-names -n user.retention_days "$G"
	[ "$status" -ne 0 ]
	assert_contains "$output" "No such attribute"
	setfattr -n user.retention_days -v 14 "$G"
	succeeds setfattr -x user.retention_days "$G"
	run getfattr --absolute-names -n user.retention_days "$G"
	[ "$status" -ne 0 ]
	assert_contains "$output" "No such attribute"
}

@test "retention is per group, also for nested groups" {
	mkdir -p "$MNT/logs/aws/lambda/checkout"
	setfattr -n user.retention_days -v 90 "$MNT/logs/aws/lambda/checkout"
	setfattr -n user.retention_days -v 3 "$G"
	assert_equal "$(getfattr --absolute-names -n user.retention_days --only-values "$MNT/logs/aws/lambda/checkout")" 90
	assert_equal "$(getfattr --absolute-names -n user.retention_days --only-values "$G")" 3
	run getfattr --absolute-names -n user.retention_days "$MNT/logs/aws/lambda"
	[ "$status" -ne 0 ]
	assert_contains "$output" "No such attribute"
}

@test "retention survives a remount" {
	mkdir -p "$MNT/logs/aws/lambda"
	setfattr -n user.retention_days -v 365 "$G"
	setfattr -n user.retention_days -v 1 "$MNT/logs/aws/lambda"
	remount
	assert_equal "$(getfattr --absolute-names -n user.retention_days --only-values "$G")" 365
	assert_equal "$(getfattr --absolute-names -n user.retention_days --only-values "$MNT/logs/aws/lambda")" 1
}

# ---------------------------------------------------------------------------
# Views: filter

# the fixture of the term tests
terms_fixture() {
	cat >"$S" <<-'EOF'
		INFO start
		ERROR disk full
		DEBUG cache miss
		WARN slow request
		ERROR two words here
		info two words
		error in lowercase
		ERR42 something
		ERROR DEBUG mixed
		two and words apart
		code ERR7 done
	EOF
}

@test "?filter=ERROR shows only the lines holding ERROR, in order" {
	terms_fixture
	assert_holds "$S?filter=ERROR" 'ERROR disk full\nERROR two words here\nERROR DEBUG mixed\n'
	assert_equal "$(grep -c . "$S?filter=ERROR")" 3
}

@test "?filter= with a quoted phrase matches the phrase only" {
	terms_fixture
	assert_holds "$S?filter=%22two%20words%22" 'ERROR two words here\ninfo two words\n'
	# unquoted, both terms must occur, anywhere
	assert_holds "$S?filter=two%20words" 'ERROR two words here\ninfo two words\ntwo and words apart\n'
}

@test "?filter=-DEBUG leaves out the lines holding DEBUG" {
	terms_fixture
	grep -v DEBUG "$S" >"$EXP"
	assert_bytes "$S?filter=-DEBUG" "$EXP"
	assert_holds "$S?filter=$(uri 'ERROR -DEBUG')" 'ERROR disk full\nERROR two words here\n'
}

@test "?filter=?ERROR ?WARN matches either" {
	terms_fixture
	assert_holds "$S?filter=$(uri '?ERROR ?WARN')" \
		'ERROR disk full\nWARN slow request\nERROR two words here\nERROR DEBUG mixed\n'
	assert_holds "$S?filter=%3FERROR%20%3FWARN" \
		'ERROR disk full\nWARN slow request\nERROR two words here\nERROR DEBUG mixed\n'
}

@test "?filter=%ERR[0-9]+% matches a regular expression" {
	terms_fixture
	assert_holds "$S?filter=$(uri '%ERR[0-9]+%')" 'ERR42 something\ncode ERR7 done\n'
}

@test "?filter= with a JSON pattern selects JSON events" {
	cat >"$S" <<-'EOF'
		{"level":"error","ms":700,"msg":"db down"}
		{"level":"info","ms":3,"msg":"ok"}
		not json at all, level error
		{"level":"error","ms":20,"msg":"retry"}
		{"level":"warn","ms":900}
	EOF
	assert_holds "$S?filter=$(uri '{ $.level = "error" }')" \
		'{"level":"error","ms":700,"msg":"db down"}\n{"level":"error","ms":20,"msg":"retry"}\n'
	assert_holds "$S?filter=$(uri '{ $.level = "error" && $.ms > 500 }')" \
		'{"level":"error","ms":700,"msg":"db down"}\n'
	assert_holds "$S?filter=$(uri '{ $.ms > 500 }')" \
		'{"level":"error","ms":700,"msg":"db down"}\n{"level":"warn","ms":900}\n'
}

@test "?filter= with a space-delimited pattern selects access log lines" {
	cat >"$S" <<-'EOF'
		127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326
		10.0.0.2 - - [10/Oct/2000:13:55:37 -0700] "GET /checkout HTTP/1.1" 503 12
		10.0.0.3 - bob [10/Oct/2000:13:55:38 -0700] "POST /pay HTTP/1.1" 500 0
		10.0.0.4 - - [10/Oct/2000:13:55:39 -0700] "GET / HTTP/1.1" 404 7
	EOF
	sed -n '2,3p' "$S" >"$EXP"
	assert_bytes "$S?filter=$(uri '[ip, id, user, ts, request, status=5*, bytes]')" "$EXP"
	sed -n '4p' "$S" >"$EXP"
	assert_bytes "$S?filter=$(uri '[ip, id, user, ts, request, status=404, bytes]')" "$EXP"
	# a percent-encoded "/checkout" phrase, which a path could not carry
	sed -n '2p' "$S" >"$EXP"
	assert_bytes "$S?filter=%22%2Fcheckout%22" "$EXP"
}

@test "?filter=[] (no fields) matches every event, as CloudWatch documents; so does [ ]" {
	terms_fixture
	printf '\none two three\n{"level":"error"}\n' >>"$S"
	assert_bytes "$S?filter=%5B%5D" "$S"
	assert_bytes "$S?filter=$(uri '[ ]')" "$S"
	assert_bytes "$S?filter=$(uri '[]')&format=text" "$S"
}

@test "an empty filter= and format=text show every event" {
	terms_fixture
	assert_bytes "$S?filter=" "$S"
	assert_bytes "$S?format=text" "$S"
	assert_bytes "$S?filter=&format=text" "$S"
}

@test "a filter view of a 200000-line stream returns exactly what grep returns" {
	seq 1 200000 | awk '{
		lvl = ($1 % 7 == 0) ? "ERROR" : (($1 % 3 == 0) ? "WARN" : "INFO")
		printf "%s req=%d took=%dms path=/api/v%d/items\n", lvl, $1, ($1 * 7919) % 997, $1 % 5 }' >"$L"
	cat "$L" >"$S"
	assert_size "$S" "$(stat -c %s "$L")"
	grep -F ERROR "$L" >"$EXP"
	assert_equal "$(wc -l <"$EXP")" 28571
	assert_bytes "$S?filter=ERROR" "$EXP"
	assert_equal "$(grep -c . "$S?filter=ERROR")" 28571
	grep -E 'ERROR|WARN' "$L" >"$EXP"
	assert_bytes "$S?filter=$(uri '?ERROR ?WARN')" "$EXP"
	grep -v INFO "$L" >"$EXP"
	assert_bytes "$S?filter=-INFO" "$EXP"
	# read in small pieces, and abandoned early
	grep -F ERROR "$L" >"$EXP"
	dd if="$S?filter=ERROR" bs=1000 status=none | cmp - "$EXP"
	assert_equal "$(head -n 3 "$S?filter=ERROR")" "$(head -n 3 "$EXP")"
	assert_equal "$(tail -n 1 "$S?filter=ERROR")" "$(tail -n 1 "$EXP")"
	assert_equal "$(wc -l <"$S?format=json")" 200000
	assert_equal "$(tail -n 1 "$S?format=json" | jq -r .message)" "$(tail -n 1 "$L")"
	daemon_serves
}

# ---------------------------------------------------------------------------
# Views: format=json

@test "?format=json: one object a line in FilteredLogEvent's shape, ms timestamps, the message, a unique eventId" {
	local before after
	before=$(now_ms)
	/bin/printf 'first line\nERROR second\ttab\r\n{"k":"v \\\\ \\"q\\""}\ncaf\xc3\xa9 \xe6\xb8\xa9\n' >"$S"
	after=$(now_ms)
	cat "$S?format=json" >"$BATS_TEST_TMPDIR/json"
	assert_equal "$(wc -l <"$BATS_TEST_TMPDIR/json")" 4
	run jq -e -s --argjson lo $((before - 2000)) --argjson hi $((after + 2000)) '
		length == 4 and all(.[];
			type == "object" and (keys_unsorted == ["logStreamName", "timestamp", "message", "ingestionTime", "eventId"])
			and .logStreamName == "s"
			and (.timestamp | type == "number" and . == floor and . >= $lo and . <= $hi)
			and (.ingestionTime | type == "number" and . == floor and . >= $lo and . <= $hi))' \
		"$BATS_TEST_TMPDIR/json"
	[ "$status" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/json"; false; }
	run jq -e -s '[.[].message] == ["first line", "ERROR second\ttab\r", "{\"k\":\"v \\\\ \\\"q\\\"\"}", "café 温"]' \
		"$BATS_TEST_TMPDIR/json"
	[ "$status" -eq 0 ] || { cat "$BATS_TEST_TMPDIR/json"; false; }
	# the timestamps are within the last minute
	json_check "$(head -n 1 "$BATS_TEST_TMPDIR/json")" ".timestamp >= $(($(now_ms) - 60000))"
	# eventIds are unique, and the same at every read
	assert_equal "$(jq -r .eventId "$BATS_TEST_TMPDIR/json" | sort -u | wc -l)" 4
	assert_equal "$(cat "$S?format=json" | jq -r .eventId)" "$(jq -r .eventId "$BATS_TEST_TMPDIR/json")"
}

@test "?format=json shows invalid UTF-8 bytes as U+FFFD" {
	/bin/printf 'a\xffb\n\xff\xfe\nok\n' >"$S"
	run jq -e -s '[.[].message] == ["a\ufffdb", "\ufffd\ufffd", "ok"]' <(cat "$S?format=json")
	[ "$status" -eq 0 ] || { cat "$S?format=json"; false; }
	# the stream itself keeps the bytes
	assert_holds "$S" 'a\xffb\n\xff\xfe\nok\n'
}

@test "?format=json escapes control characters and keeps blank lines as events" {
	/bin/printf 'a\x01b\x00c\n\n\nx\ty\x7f\n' >"$S"
	run jq -e -s '[.[].message] == ["a\u0001b\u0000c", "", "", "x\ty\u007f"]' <(cat "$S?format=json")
	[ "$status" -eq 0 ] || { cat "$S?format=json"; false; }
	assert_equal "$(events "$S")" 4
}

@test "a filter matches lines that are not UTF-8 and returns their bytes" {
	/bin/printf '\xffERROR y\nplain\nERROR \xc3\x28\n' >"$S"
	assert_holds "$S?filter=ERROR" '\xffERROR y\nERROR \xc3\x28\n'
	assert_holds "$S?filter=-ERROR" 'plain\n'
}

@test "?format=json combines with a filter" {
	terms_fixture
	run jq -e -s '[.[].message] == ["ERROR disk full", "ERROR two words here", "ERROR DEBUG mixed"]' \
		<(cat "$S?filter=ERROR&format=json")
	[ "$status" -eq 0 ]
	run jq -e -s '[.[].message] == ["ERROR disk full", "ERROR two words here", "ERROR DEBUG mixed"]' \
		<(cat "$S?format=json&filter=ERROR")
	[ "$status" -eq 0 ]
}

@test "?format=json of an empty stream is empty" {
	touch "$S"
	assert_equal "$(cat "$S?format=json" | wc -c)" 0
}

# ---------------------------------------------------------------------------
# Views: since and until

@test "?since= and ?until= on a stream: relative, now, future" {
	local now
	printf 'one\ntwo\nERROR three\n' >"$S"
	now=$(date +%s)
	assert_bytes "$S?since=-1m" "$S"
	assert_bytes "$S?since=-1h" "$S"
	assert_bytes "$S?since=-2d&until=now" "$S"
	assert_bytes "$S?since=-1w&until=$((now + 60))" "$S"
	assert_holds "$S?since=$((now + 3600))&until=$((now + 7200))" ''
	assert_holds "$S?since=$((now + 3600))" ''
	assert_holds "$S?until=-1m" ''
	assert_holds "$S?since=-1h&filter=ERROR" 'ERROR three\n'
	assert_holds "$S?until=-1h&filter=ERROR" ''
}

@test "?since= and ?until= split a stream at a second, until exclusive" {
	local mid
	printf 'old1\nold2\n' >"$S"
	mid=$(($(date +%s) + 1))
	eventually 5 '[ "$(date +%s)" -ge "$mid" ]'
	printf 'new1\nnew2\n' >>"$S"
	assert_holds "$S?since=$mid" 'new1\nnew2\n'
	assert_holds "$S?until=$mid" 'old1\nold2\n'
	assert_holds "$S?since=$(iso "$mid")" 'new1\nnew2\n'
	assert_holds "$S?since=$((mid - 600))&until=$(iso "$mid" | sed 's/:/%3A/g')" 'old1\nold2\n'
	run jq -e -s '[.[].message] == ["new1", "new2"]' <(cat "$S?since=$mid&format=json")
	[ "$status" -eq 0 ]
}

# ---------------------------------------------------------------------------
# Views: refusals

@test "a bad filter pattern is refused with EINVAL at open" {
	terms_fixture
	local p
	for p in '{ $.level = ' '[a, b' '%(%' '"unterminated' '{ $.level = "error" && }'; do
		fails_with "Invalid argument" cat "$S?filter=$(uri "$p")"
		# refused by open(2) itself, not by a later read
		run sysio "$S?filter=$(uri "$p")" '<' ''
		assert_equal "$output" "open E: Invalid argument"
	done
	daemon_serves
}

@test "unknown, repeated and inapplicable keys and bad values are refused with EINVAL" {
	local now q
	printf 'one\n' >"$S"
	now=$(date +%s)
	for q in "foo=1" "period=60" "stat=sum" "stat=average" "view=history" "format=xml" \
		"since=garbage" "since=-5x" "until=tomorrow" "filter=a&filter=b" \
		"format=json&format=json" "since=-1m&until=-2m" "since=$now&until=$now" \
		"since=-1h&since=-2h" "filter=%zz" "filter" "format="; do
		fails_with "Invalid argument" cat "$S?$q"
	done
	assert_holds "$S" 'one\n'
}

@test "opening a view for writing is refused with EPERM" {
	echo one >"$S"
	fails_with "Operation not permitted" write_to "$S?filter=x" 'two\n'
	fails_with "Operation not permitted" append_to "$S?format=json" 'three\n'
	fails_with "Operation not permitted" append_to "$S?filter=" 'four\n'
	assert_holds "$S" 'one\n'
	assert_equal "$(ls -A "$G")" "s"
}

@test "views are not listed by ls" {
	echo one >"$S"
	cat "$S?filter=one" >/dev/null
	cat "$S?format=json" >/dev/null
	[ -e "$S?filter=one" ]
	assert_equal "$(ls -A "$G")" "s"
	assert_equal "$(find "$G" | wc -l)" 2
}

@test "a view of a stream that does not exist is ENOENT" {
	fails_with "No such file or directory" cat "$G/nothing?filter=x"
	fails_with "No such file or directory" cat "$MNT/logs/nogroup/s?format=json"
}

# ---------------------------------------------------------------------------
# Persistence and deletion under an open file

@test "groups, streams, content and sizes survive a remount" {
	mkdir -p "$MNT/logs/aws/lambda/checkout" "$MNT/logs/empty"
	printf 'one\n\xff\xfe\ttab\r\n' >"$S"
	/bin/printf 'unterminated' >>"$S"
	touch "$G/empty-stream"
	seq 1 20000 >"$MNT/logs/aws/lambda/checkout/big"
	local json
	json=$(cat "$S?format=json")
	remount
	assert_equal "$(ls "$MNT/logs" | xargs)" "app aws empty"
	assert_equal "$(ls "$G" | xargs)" "empty-stream s"
	assert_holds "$S" 'one\n\xff\xfe\ttab\r\nunterminated\n'
	assert_size "$G/empty-stream" 0
	seq 1 20000 >"$L"
	assert_bytes "$MNT/logs/aws/lambda/checkout/big" "$L"
	assert_size "$MNT/logs/aws/lambda/checkout/big" "$(stat -c %s "$L")"
	assert_equal "$(ls -A "$MNT/logs/empty")" ""
	# the events keep their timestamps
	assert_equal "$(cat "$S?format=json")" "$json"
	# and appending goes on at the end
	echo more >>"$S"
	assert_holds "$S" 'one\n\xff\xfe\ttab\r\nunterminated\nmore\n'
}

@test "lines acknowledged before the daemon is killed survive" {
	local pid deadline
	printf 'one\ntwo\n' >"$S"
	seq 1 5000 >>"$S"
	{ printf 'one\ntwo\n'; seq 1 5000; } >"$L"
	pid=$MONFS_MAIN_PID
	kill -KILL "$pid"
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while process_alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
	assert_exited "$pid"
	wait "$pid" || true
	forget_daemon "$pid"
	deadline=$((SECONDS + EXIT_DEADLINE_S))
	while mountpoint -q "$MNT" && ((SECONDS < deadline)); do sleep 0.1; done
	if mountpoint -q "$MNT"; then fusermount3 -uz "$MNT"; fi
	mount_monfs
	assert_bytes "$S" "$L"
	assert_size "$S" "$(stat -c %s "$L")"
}

@test "a deleted stream and a removed group stay gone after a remount" {
	mkdir -p "$MNT/logs/gone/sub"
	echo x >"$MNT/logs/gone/sub/s"
	echo y >"$S"
	echo z >"$G/other"
	rm "$S"
	rm -r "$MNT/logs/gone"
	remount
	[ ! -e "$S" ]
	[ ! -e "$MNT/logs/gone" ]
	assert_equal "$(ls "$G")" "other"
	touch "$S"
	assert_size "$S" 0
}

@test "a write to a stream deleted while open fails, and the daemon keeps serving" {
	run sysio "$S" '>>' 'w("a\n"); system("rm", "--", $file) == 0 or print "rm failed\n"; w("b\n")'
	[ "${lines[0]}" = 2 ]
	[ "${lines[1]}" != "rm failed" ] || { echo "$output"; false; }
	[[ "${lines[1]}" == "E: "* ]] || {
		echo "the write after rm did not fail:"
		echo "$output"
		false
	}
	[ ! -e "$S" ]
	assert_equal "$(ls -A "$G")" ""
	daemon_serves
	touch "$S"
	assert_size "$S" 0
}

@test "closing a stream deleted under a pending partial line does not upset the daemon" {
	run sysio "$S" '>>' 'w("whole\npart"); system("rm", "--", $file) == 0 or print "rm failed\n"'
	[ "${lines[0]}" = 10 ]
	[ "${lines[1]}" != "rm failed" ]
	[ ! -e "$S" ]
	daemon_serves
	touch "$S"
	assert_size "$S" 0
	assert_equal "$(ls -A "$G")" "s"
}
