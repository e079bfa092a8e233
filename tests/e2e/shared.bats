#!/usr/bin/env bats
# Shared hosts (SPEC 9): monfs mounted by root with -o allow_other, used
# by two real unprivileged users, monfs_alice and monfs_bob, who share the
# group monfs_team (each also has a primary group of their own name). The
# users are made by setup_file and removed by teardown_file; commands run
# as them through setpriv, as a login would (their own uid, primary gid
# and supplementary groups).
#
# Every refused operation is checked twice: the command fails with the
# errno a Unix filesystem would give, and a record with errorCode
# AccessDenied naming the refused user is in the trail (SPEC 6). The one
# exception is a delete refused under the sticky bit: SPEC 6 says the
# kernel answers it itself, so it may never reach the trail.
#
# The permission matrices compute what Unix would answer from the mode
# bits (owner bits for the owner, else group bits for a member of the
# file's group, else other bits; root bypasses read and write bits) and
# run every cell before failing, so that one run shows every cell where
# monfs disagrees. Their objects are made by root and given to alice with
# chown, so that the matrices test access checks, not creation (which has
# tests of its own).

load helpers

ALICE=monfs_alice
BOB=monfs_bob
TEAM=monfs_team
ACTION_DEADLINE_S="${MONFS_ACTION_DEADLINE_S:-30}"

setup_file() {
	local g
	for g in "$TEAM" "$ALICE" "$BOB"; do
		getent group "$g" >/dev/null || groupadd "$g"
	done
	getent passwd "$ALICE" >/dev/null ||
		useradd -M -N -g "$ALICE" -G "$TEAM" -s /bin/sh "$ALICE"
	getent passwd "$BOB" >/dev/null ||
		useradd -M -N -g "$BOB" -G "$TEAM" -s /bin/sh "$BOB"
	# idempotent: users that already existed get the groups this file needs
	usermod -g "$ALICE" -G "$TEAM" "$ALICE"
	usermod -g "$BOB" -G "$TEAM" "$BOB"
}

teardown_file() {
	local u g
	for u in "$ALICE" "$BOB"; do
		getent passwd "$u" >/dev/null && userdel "$u"
	done
	for g in "$ALICE" "$BOB" "$TEAM"; do
		getent group "$g" >/dev/null && groupdel "$g"
	done
	return 0
}

setup() {
	monfs_paths
	let_others_in
	M="$MNT/metrics"
	L="$MNT/logs"
	A="$MNT/alarms"
	T=$(($(date +%s) / 60 * 60))
	SYNC_N=0
	MISMATCHES=()
	declare -gA DENIED=() ALLOWED=()
	ALICE_UID=$(id -u "$ALICE")
	BOB_UID=$(id -u "$BOB")
}

teardown() {
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

mount_shared() {
	mount_monfs -o allow_other "$@"
}

# as USER COMMAND...: run COMMAND as USER (root: as is), with the user's
# primary group and supplementary groups.
as() {
	local u="$1"
	shift
	if [ "$u" = root ]; then
		"$@"
	else
		setpriv --reuid="$u" --regid="$u" --init-groups "$@"
	fi
}

# sh_as USER SCRIPT [ARG...]: sh -c "umask 022; SCRIPT" as USER, ARG... as
# $1...
sh_as() {
	local u="$1" script="$2"
	shift 2
	as "$u" sh -c "umask 022; $script" sh "$@"
}

# give OWNER:GROUP MODE PATH...: root hands PATH... over (chown, chmod).
give() {
	local og="$1" mode="$2"
	shift 2
	chown "$og" "$@" && chmod "$mode" "$@"
}

# alarm_text METRIC THRESHOLD [MORE_LINE...]: a valid definition.
alarm_text() {
	local metric="$1" thr="$2"
	shift 2
	/bin/printf '%s\n' "metric = $metric" "statistic = maximum" "period = 60" \
		"comparison = >" "threshold = $thr" "$@"
}

# mk KIND PATH OWNER:GROUP MODE: root makes a namespace/group (dir), a
# metric with one data point (metric), a stream with one line (stream)
# or an alarm (alarm), and gives it to OWNER:GROUP with MODE.
mk() {
	local kind="$1" p="$2"
	case "$kind" in
	metric | stream) [ -d "$(dirname "$p")" ] || mkdir -p "$(dirname "$p")" ;;
	esac || return 1
	case "$kind" in
	dir) mkdir -p "$p" ;;
	metric) echo 5 >>"$p" ;;
	stream) echo hello >>"$p" ;;
	alarm) alarm_text Shared/probe 80 | cat >"$p" ;;
	esac || return 1
	give "$3" "$4" "$p"
}

# expect MODE CLASS NEED: "ok" if CLASS (owner, group, other, root) has
# the permission bits NEED (4 read, 2 write, 3 write and search) in MODE,
# as Unix decides: one class only, root bypasses.
expect() {
	local mode=$((8#$1)) bits
	case "$2" in
	root)
		echo ok
		return
		;;
	owner) bits=$(((mode >> 6) & 7)) ;;
	group) bits=$(((mode >> 3) & 7)) ;;
	other) bits=$((mode & 7)) ;;
	esac
	if (((bits & $3) == $3)); then echo ok; else echo denied; fi
}

# user_of CLASS: who plays CLASS against alice's objects.
user_of() {
	case "$1" in
	owner) echo "$ALICE" ;;
	group | other) echo "$BOB" ;;
	root) echo root ;;
	esac
}

# obj_of PREFIX MODE CLASS: the object a cell uses. Objects ending in g
# belong to alice:monfs_team (bob is a member), in o to alice:monfs_alice
# (bob is other); owner and group cells use the g one, other and root
# cells the o one, so that no user meets an object twice in one matrix.
obj_of() {
	case "$3" in
	owner | group) echo "$1$2g" ;;
	*) echo "$1$2o" ;;
	esac
}

# cell WANT USER KEY COMMAND...: run COMMAND as USER; it must succeed
# (WANT ok) or fail with "Permission denied" (WANT denied, or the MESSAGE
# set in CELL_MSG). KEY (a name in the path) is what the trail records of
# the cell are matched on. A disagreement is noted, not fatal:
# check_cells reports them all.
cell() {
	local want="$1" user="$2" key="$3" out rc msg="${CELL_MSG:-Permission denied}"
	shift 3
	out=$(as "$user" "$@" 2>&1 </dev/null) && rc=0 || rc=$?
	if [ "$want" = ok ]; then
		ALLOWED["$user $key"]=1
		if [ "$rc" -ne 0 ]; then
			MISMATCHES+=("$user: $* -- expected success, got status $rc: $out")
		fi
	else
		DENIED["$user $key"]=$((${DENIED["$user $key"]:-0} + 1))
		if [ "$rc" -eq 0 ]; then
			MISMATCHES+=("$user: $* -- expected \"$msg\", but it succeeded")
		elif [[ "$out" != *"$msg"* ]]; then
			MISMATCHES+=("$user: $* -- expected \"$msg\", got status $rc: $out")
		fi
	fi
	return 0
}

# mismatch TEXT: note a disagreement (reported by check_cells).
mismatch() {
	MISMATCHES+=("$*")
}

# trail: every record, all day files.
trail() {
	cat "$MNT"/trail/* 2>/dev/null
}

# refusals: "USER<TAB>requestParameters" for each AccessDenied record.
refusals() {
	trail | jq -r 'select(.errorCode == "AccessDenied")
		| [.userIdentity.userName // "", (.requestParameters | tostring)] | @tsv'
}

# refusal_count USER KEY: how many AccessDenied records of USER name KEY.
refusal_count() {
	refusals | awk -F '\t' -v u="$1" -v k="$2" '$1 == u && index($2, k) { n++ } END { print n + 0 }'
}

# sync_trail: make a sentinel event (as root) and wait until it is in the
# trail, so that every event before it is there too.
sync_trail() {
	SYNC_N=$((SYNC_N + 1))
	local ns="sync-$$-$SYNC_N" deadline=$((SECONDS + 10))
	mkdir "$M/$ns" || return 1
	until trail | jq -e --arg ns "$ns" 'select(.eventName == "CreateNamespace" and .requestParameters.namespace == $ns)' >/dev/null 2>&1; do
		if ((SECONDS >= deadline)); then
			echo "the sentinel $ns did not reach the trail within 10 s"
			return 1
		fi
		sleep 0.2
	done
}

# check_cells: every cell gave the expected answer, every refused cell's
# refusals are in the trail as AccessDenied records of that user, and no
# allowed cell left one. Reports every disagreement at once.
check_cells() {
	local k u key n have missing deadline=$((SECONDS + 10)) tsv
	sync_trail || return 1
	while :; do
		missing=()
		tsv=$(refusals)
		for k in "${!DENIED[@]}"; do
			u=${k%% *}
			key=${k#* }
			have=$(awk -F '\t' -v u="$u" -v k="$key" '$1 == u && index($2, k) { n++ } END { print n + 0 }' <<<"$tsv")
			if ((have < DENIED[$k])); then
				missing+=("trail: $u refused ${DENIED[$k]} time(s) on $key, but $have AccessDenied record(s) of $u name it")
			fi
		done
		((${#missing[@]} == 0 || SECONDS >= deadline)) && break
		sleep 0.5
	done
	MISMATCHES+=(${missing[@]+"${missing[@]}"})
	for k in "${!ALLOWED[@]}"; do
		[ -z "${DENIED[$k]:-}" ] || continue
		u=${k%% *}
		key=${k#* }
		have=$(awk -F '\t' -v u="$u" -v k="$key" '$1 == u && index($2, k) { n++ } END { print n + 0 }' <<<"$tsv")
		if ((have > 0)); then
			MISMATCHES+=("trail: $u was allowed on $key, yet $have AccessDenied record(s) of $u name it")
		fi
	done
	if ((${#MISMATCHES[@]})); then
		echo "${#MISMATCHES[@]} disagreement(s):"
		printf '  %s\n' "${MISMATCHES[@]}" | sort
		return 1
	fi
}

# await_refusal USER FILTER: an AccessDenied record of USER for which the
# jq FILTER is true reaches the trail; sets REC to the last one.
await_refusal() {
	local deadline=$((SECONDS + 10)) out
	while :; do
		out=$(trail | jq -c --arg u "$1" "select(.errorCode == \"AccessDenied\" and .userIdentity.userName == \$u and ($2))")
		if [ -n "$out" ]; then
			REC=$(tail -n 1 <<<"$out")
			return 0
		fi
		if ((SECONDS >= deadline)); then
			echo "no AccessDenied record of $1 with $2 within 10 s; the refusals:"
			trail | jq -c 'select(.errorCode)'
			return 1
		fi
		sleep 0.2
	done
}

# owner_mode PATH: "USER:GROUP MODE" as stat shows them.
owner_mode() {
	stat -c '%U:%G %a' "$1"
}

# ls_owner DIR NAME: "USER GROUP" as ls -l DIR shows them for NAME.
ls_owner() {
	ls -l "$1" | awk -v n="$2" '$NF == n { print $3, $4 }'
}

# points METRIC VALUE...: one point per value, the i-th at T - 60*i + 5
# (explicit past times, so an alarm's verdict is known at definition).
points() {
	local m="$1" i=1 v lines=""
	shift
	for v in "$@"; do
		lines+="$v $((T - 60 * i + 5))"$'\n'
		i=$((i + 1))
	done
	/bin/printf '%s' "$lines" >>"$m"
}

# write_hook FILE OUTDIR: an executable script at FILE that writes
# "`id -u` $MONFS_STATE" to OUTDIR/ALARM.STATE.
write_hook() {
	cat >"$1" <<EOF
#!/bin/sh
echo "\$(id -u) \$MONFS_STATE" >"$2/\$MONFS_ALARM.\$MONFS_STATE.tmp"
mv "$2/\$MONFS_ALARM.\$MONFS_STATE.tmp" "$2/\$MONFS_ALARM.\$MONFS_STATE"
EOF
	chmod 755 "$1"
}

# hooks: HOOKS (0755, root's) holding hook (0755), OUT (1777) for its
# output.
hooks() {
	HOOKS="$BATS_TEST_TMPDIR/hooks"
	OUT="$BATS_TEST_TMPDIR/out"
	mkdir -p "$HOOKS" "$OUT"
	chmod 755 "$HOOKS"
	chmod 1777 "$OUT"
	write_hook "$HOOKS/hook" "$OUT"
}

# ---------------------------------------------------------------------------
# The tree's own directories

@test "metrics/ logs/ alarms/ filters/ are drwxrwxrwt root; trail/ is 0755 root, its day files 0644" {
	mount_shared
	local d
	for d in metrics logs alarms filters; do
		assert_equal "$(stat -c '%A %a %U:%G' "$MNT/$d")" "drwxrwxrwt 1777 root:root"
	done
	assert_equal "$(stat -c '%A %a %U:%G' "$MNT/trail")" "drwxr-xr-x 755 root:root"
	mkdir "$M/NS"
	eventually 10 '[ -e "$MNT/trail/$(date -u +%F)" ]'
	assert_equal "$(stat -c '%a %U:%G' "$MNT/trail/$(date -u +%F)")" "644 root:root"
	# anyone may create in them
	succeeds sh_as "$ALICE" 'mkdir "$1"' "$M/AliceNS"
	succeeds sh_as "$BOB" 'mkdir "$1"' "$L/bobgroup"
	# and anyone may read the trail
	succeeds as "$BOB" cat "$MNT/trail/$(date -u +%F)"
	assert_contains "$output" '"AliceNS"'
}

# ---------------------------------------------------------------------------
# Ownership

@test "what alice creates is alice's, group her primary group, mode = requested less umask; it persists" {
	mount_shared
	local ag="$ALICE:$ALICE"
	# directories: mkdir asks for 0777
	cell ok "$ALICE" 'NSpub"' sh -c 'umask 022; mkdir "$1"' sh "$M/NSpub"
	cell ok "$ALICE" 'NSpriv"' sh -c 'umask 077; mkdir "$1"' sh "$M/NSpriv"
	cell ok "$ALICE" 'NSteam"' sh -c 'umask 002; mkdir "$1"' sh "$M/NSteam"
	cell ok "$ALICE" 'grp1"' sh -c 'umask 022; mkdir "$1"' sh "$L/grp1"
	cell ok "$ALICE" 'grp2"' sh -c 'umask 027; mkdir "$1"' sh "$L/grp2"
	# files: the shell asks for 0666
	cell ok "$ALICE" 'mpub"' sh -c 'umask 022; echo 1 >"$1"' sh "$M/NSpub/mpub"
	cell ok "$ALICE" 'mpriv"' sh -c 'umask 077; echo 1 >"$1"' sh "$M/NSpub/mpriv"
	cell ok "$ALICE" 'mtouch"' sh -c 'umask 022; touch "$1"' sh "$M/NSpub/mtouch"
	cell ok "$ALICE" 'sweb"' sh -c 'umask 022; echo hi >"$1"' sh "$L/grp1/sweb"
	cell ok "$ALICE" 'sapp"' sh -c 'umask 026; echo hi >>"$1"' sh "$L/grp1/sapp"
	alarm_text NSpub/mpub 80 >"$BATS_TEST_TMPDIR/def"
	cell ok "$ALICE" 'a-pub"' sh -c 'umask 022; cat >"$1" <"$2"' sh "$A/a-pub" "$BATS_TEST_TMPDIR/def"
	cell ok "$ALICE" 'a-priv"' sh -c 'umask 077; cat >"$1" <"$2"' sh "$A/a-priv" "$BATS_TEST_TMPDIR/def"
	# a mode without the owner's write bit still lets the creator write
	# the file it is creating (open(2) with O_CREAT, as on any Unix)
	cell ok "$ALICE" 'mro"' sh -c 'umask 0222; echo 1 >"$1"' sh "$M/NSpub/mro"

	local -a want=(
		"$M/NSpub $ag 755" "$M/NSpriv $ag 700" "$M/NSteam $ag 775"
		"$L/grp1 $ag 755" "$L/grp2 $ag 750"
		"$M/NSpub/mpub $ag 644" "$M/NSpub/mpriv $ag 600" "$M/NSpub/mtouch $ag 644"
		"$M/NSpub/mro $ag 444"
		"$L/grp1/sweb $ag 644" "$L/grp1/sapp $ag 640"
		"$A/a-pub $ag 644" "$A/a-priv $ag 600")
	check_owners() {
		local w p rest got
		for w in "${want[@]}"; do
			p=${w%% *}
			rest=${w#* }
			got=$(owner_mode "$p" 2>&1) || true
			[ "$got" = "$rest" ] || mismatch "$1: stat -c '%U:%G %a' $p: expected $rest, got $got"
			got=$(ls_owner "$(dirname "$p")" "$(basename "$p")" 2>&1) || true
			[ "$got" = "$ALICE $ALICE" ] || mismatch "$1: ls -l $(dirname "$p"): $(basename "$p") shows owner/group '$got'"
		done
	}
	check_owners "before remount"
	# the data went in as alice's
	[ "$(rows "$M/NSpub/mpub" 2>/dev/null | wc -l)" -eq 1 ] || mismatch "metrics/NSpub/mpub holds no data point"
	check_cells
	remount
	check_owners "after remount"
	check_cells
}

# ---------------------------------------------------------------------------
# The matrices: operation x (owner, group member, other, root) x mode

FILE_MODES="0600 0640 0660 0644 0604 0066 0444 0400"
CLASSES="owner group other root"

# file_objects KIND DIR PREFIX: for each FILE_MODES, alice's PREFIXMODEg
# (group monfs_team) and PREFIXMODEo (group monfs_alice) in DIR.
file_objects() {
	local mode
	for mode in $FILE_MODES; do
		mk "$1" "$2/$3${mode}g" "$ALICE:$TEAM" "$mode" || return 1
		mk "$1" "$2/$3${mode}o" "$ALICE:$ALICE" "$mode" || return 1
	done
}

@test "matrix: reading a metric (cat), ingesting (echo >>), reading a view (cat 'm?stat=average')" {
	mount_shared
	mk dir "$M/NS" root:root 0755
	file_objects metric "$M/NS" r
	file_objects metric "$M/NS" w
	file_objects metric "$M/NS" v
	local mode class o u
	for mode in $FILE_MODES; do
		for class in $CLASSES; do
			u=$(user_of "$class")
			o=$(obj_of r "$mode" "$class")
			cell "$(expect "$mode" "$class" 4)" "$u" "$o" cat "$M/NS/$o"
			o=$(obj_of w "$mode" "$class")
			cell "$(expect "$mode" "$class" 2)" "$u" "$o" sh -c 'echo 7 >>"$1"' sh "$M/NS/$o"
			o=$(obj_of v "$mode" "$class")
			cell "$(expect "$mode" "$class" 4)" "$u" "$o" cat "$M/NS/$o?stat=average"
		done
	done
	# what was allowed took effect: 1 point at creation + 1 per allowed ingest
	for mode in $FILE_MODES; do
		local n=1 got
		for class in owner group; do [ "$(expect "$mode" "$class" 2)" = ok ] && n=$((n + 1)); done
		got=$(total_samples "$M/NS/w${mode}g")
		[ "$got" = "$n" ] || mismatch "metrics/NS/w${mode}g holds $got points, expected $n"
		n=2 # root always, bob as other if the other bits allow
		[ "$(expect "$mode" other 2)" = ok ] && n=3
		got=$(total_samples "$M/NS/w${mode}o")
		[ "$got" = "$n" ] || mismatch "metrics/NS/w${mode}o holds $got points, expected $n"
	done
	check_cells
}

@test "matrix: reading (cat) and appending to (echo >>) a stream" {
	mount_shared
	mk dir "$L/G" root:root 0755
	file_objects stream "$L/G" r
	file_objects stream "$L/G" w
	local mode class o u
	for mode in $FILE_MODES; do
		for class in $CLASSES; do
			u=$(user_of "$class")
			o=$(obj_of r "$mode" "$class")
			cell "$(expect "$mode" "$class" 4)" "$u" "$o" cat "$L/G/$o"
			o=$(obj_of w "$mode" "$class")
			cell "$(expect "$mode" "$class" 2)" "$u" "$o" sh -c 'echo "by $(id -un)" >>"$1"' sh "$L/G/$o"
		done
	done
	local want got
	for mode in $FILE_MODES; do
		want="hello"
		[ "$(expect "$mode" owner 2)" = ok ] && want+=$'\n'"by $ALICE"
		[ "$(expect "$mode" group 2)" = ok ] && want+=$'\n'"by $BOB"
		got=$(cat "$L/G/w${mode}g")
		[ "$got" = "$want" ] || mismatch "logs/G/w${mode}g holds $(printf %q "$got"), expected $(printf %q "$want")"
	done
	check_cells
}

DIR_MODES="0700 0750 0755 0770 0711 0705 0730 0703 0760 0070 0777"

# dir_objects DIR PREFIX: for each DIR_MODES, alice's namespaces or groups
# DIR/PREFIXMODEg and DIR/PREFIXMODEo.
dir_objects() {
	local mode
	for mode in $DIR_MODES; do
		mk dir "$1/$2${mode}g" "$ALICE:$TEAM" "$mode" || return 1
		mk dir "$1/$2${mode}o" "$ALICE:$ALICE" "$mode" || return 1
	done
}

@test "matrix: listing (ls) and creating in (mkdir, echo >) a namespace and a log group" {
	mount_shared
	local top
	for top in "$M" "$L"; do
		dir_objects "$top" l
		dir_objects "$top" c
		local mode
		for mode in $DIR_MODES; do
			local kind=stream
			[ "$top" = "$M" ] && kind=metric
			mk "$kind" "$top/l${mode}g/x" "$ALICE:$TEAM" 0644
			mk "$kind" "$top/l${mode}o/x" "$ALICE:$ALICE" 0644
		done
	done
	local mode class o u
	for top in "$M" "$L"; do
		for mode in $DIR_MODES; do
			for class in $CLASSES; do
				u=$(user_of "$class")
				o=$(obj_of l "$mode" "$class")
				cell "$(expect "$mode" "$class" 4)" "$u" "$o" ls "$top/$o"
				o=$(obj_of c "$mode" "$class")
				cell "$(expect "$mode" "$class" 3)" "$u" "$o" mkdir "$top/$o/sub-$u"
				cell "$(expect "$mode" "$class" 3)" "$u" "$o" sh -c 'umask 022; echo 1 >"$1"' sh "$top/$o/file-$u"
			done
		done
	done
	# an allowed ls lists the entry; an allowed creation is the creator's
	for top in "$M" "$L"; do
		for mode in $DIR_MODES; do
			for class in $CLASSES; do
				u=$(user_of "$class")
				o=$(obj_of l "$mode" "$class")
				if [ "$(expect "$mode" "$class" 4)" = ok ]; then
					[ "$(as "$u" ls "$top/$o" 2>&1)" = x ] || mismatch "$u: ls $top/$o does not list x"
				fi
				o=$(obj_of c "$mode" "$class")
				if [ "$(expect "$mode" "$class" 3)" = ok ]; then
					local g
					g=$([ "$u" = root ] && echo root || echo "$u")
					[ "$(stat -c %U:%G "$top/$o/sub-$u" 2>&1)" = "$u:$g" ] || mismatch "$top/$o/sub-$u: $(stat -c %U:%G "$top/$o/sub-$u" 2>&1), expected $u:$g"
				else
					[ ! -e "$top/$o/sub-$u" ] || mismatch "$top/$o/sub-$u exists after a refused mkdir"
					[ ! -e "$top/$o/file-$u" ] || mismatch "$top/$o/file-$u exists after a refused creation"
				fi
			done
		done
	done
	check_cells
}

DEL_MODES="0700 0750 0770 0777 0730 0703 0760 0705"

@test "matrix: deleting (rm a metric or stream, rmdir a namespace or group) needs write and search on the directory" {
	mount_shared
	local top mode class o u
	for top in "$M" "$L"; do
		for mode in $DEL_MODES; do
			for class in $CLASSES; do
				# one directory per cell: a deletion consumes its object
				case "$class" in
				owner) o="d${mode}a" g=$ALICE ;;
				group) o="d${mode}g" g=$TEAM ;;
				other) o="d${mode}o" g=$ALICE ;;
				root) o="d${mode}r" g=$ALICE ;;
				esac
				mk dir "$top/$o/sub" "$ALICE:$ALICE" 0755
				# the entries' own modes do not matter, only the directory's
				if [ "$top" = "$M" ]; then mk metric "$top/$o/f" "$ALICE:$ALICE" 0600; else mk stream "$top/$o/f" "$ALICE:$ALICE" 0600; fi
				give "$ALICE:$g" "$mode" "$top/$o"
			done
		done
	done
	for top in "$M" "$L"; do
		for mode in $DEL_MODES; do
			for class in $CLASSES; do
				u=$(user_of "$class")
				case "$class" in
				owner) o="d${mode}a" ;; group) o="d${mode}g" ;; other) o="d${mode}o" ;; root) o="d${mode}r" ;;
				esac
				cell "$(expect "$mode" "$class" 3)" "$u" "$o" rm -f "$top/$o/f"
				cell "$(expect "$mode" "$class" 3)" "$u" "$o" rmdir "$top/$o/sub"
				if [ "$(expect "$mode" "$class" 3)" = ok ]; then
					[ ! -e "$top/$o/f" ] && [ ! -e "$top/$o/sub" ] || mismatch "$top/$o: f or sub still there after $u removed them"
				else
					[ -e "$top/$o/f" ] && [ -e "$top/$o/sub" ] || mismatch "$top/$o: f or sub gone after $u was refused"
				fi
			done
		done
	done
	check_cells
}

ALARM_MODES="0600 0640 0660 0644 0604 0066 0444"

@test "matrix: reading an alarm (cat) and redefining it (cat >)" {
	mount_shared
	local mode
	for mode in $ALARM_MODES; do
		mk alarm "$A/r${mode}g" "$ALICE:$TEAM" "$mode"
		mk alarm "$A/r${mode}o" "$ALICE:$ALICE" "$mode"
		mk alarm "$A/w${mode}g" "$ALICE:$TEAM" "$mode"
		mk alarm "$A/w${mode}o" "$ALICE:$ALICE" "$mode"
	done
	local class o u
	for mode in $ALARM_MODES; do
		for class in $CLASSES; do
			u=$(user_of "$class")
			o=$(obj_of r "$mode" "$class")
			cell "$(expect "$mode" "$class" 4)" "$u" "$o" cat "$A/$o"
			o=$(obj_of w "$mode" "$class")
			alarm_text Shared/probe 80 "description = by $u" >"$BATS_TEST_TMPDIR/def"
			local before d
			before=$(sed -n 's/^description = //p' "$A/$o")
			cell "$(expect "$mode" "$class" 2)" "$u" "$o" sh -c 'exec cat >"$1" <"$2"' sh "$A/$o" "$BATS_TEST_TMPDIR/def"
			# what a refused redefinition left, or an allowed one made
			d=$(sed -n 's/^description = //p' "$A/$o")
			if [ "$(expect "$mode" "$class" 2)" = ok ]; then
				[ "$d" = "by $u" ] || mismatch "alarms/$o: description '$d' after $u redefined it"
			else
				[ "$d" = "$before" ] || mismatch "alarms/$o: description '$d' (was '$before') after $u was refused"
			fi
		done
	done
	check_cells
}

# ---------------------------------------------------------------------------
# The path walk

@test "path walk: bob cannot reach a 0666 metric in alice's 0700 namespace" {
	mount_shared
	succeeds sh_as "$ALICE" 'umask 077; mkdir "$1"' "$M/Vault"
	assert_equal "$(owner_mode "$M/Vault")" "$ALICE:$ALICE 700"
	mk metric "$M/Vault/m" "$ALICE:$ALICE" 0666
	mk stream "$L/vault/s" "$ALICE:$ALICE" 0666
	give "$ALICE:$ALICE" 0700 "$L/vault"
	cell denied "$BOB" Vault/m cat "$M/Vault/m"
	cell denied "$BOB" Vault/m sh -c 'echo 1 >>"$1"' sh "$M/Vault/m"
	cell denied "$BOB" Vault/m cat "$M/Vault/m?stat=average"
	cell denied "$BOB" vault/s cat "$L/vault/s"
	cell denied "$BOB" vault/s sh -c 'echo x >>"$1"' sh "$L/vault/s"
	cell ok "$ALICE" Vault/m cat "$M/Vault/m"
	cell ok root Vault/m cat "$M/Vault/m"
	# once alice opens the namespace to search (0711), bob reaches it
	succeeds as "$ALICE" chmod 0711 "$M/Vault"
	cell ok "$BOB" Vault/m2 cat "$M/Vault/m"
	check_cells
	await_refusal "$BOB" '.requestParameters.path == "/metrics/Vault/m"'
	json_check "$REC" '.errorMessage | test("search")'
}

# ---------------------------------------------------------------------------
# The sticky bit

@test "sticky bit: bob cannot remove alice's 0777 namespace, group or alarm at the top level; alice can" {
	mount_shared
	succeeds sh_as "$ALICE" 'mkdir "$1" && chmod 0777 "$1"' "$M/Shared"
	succeeds sh_as "$ALICE" 'mkdir "$1" && chmod 0777 "$1"' "$L/shared"
	mk alarm "$A/shared" "$ALICE:$ALICE" 0666
	fails_with "Operation not permitted" as "$BOB" rmdir "$M/Shared"
	fails_with "Operation not permitted" as "$BOB" rmdir "$L/shared"
	fails_with "Operation not permitted" as "$BOB" rm -f "$A/shared"
	fails_with "Operation not permitted" as "$BOB" rm -rf "$M/Shared"
	[ -d "$M/Shared" ] && [ -d "$L/shared" ] && [ -e "$A/shared" ]
	# bob may still write alice's 0666 alarm: only deleting is restricted
	alarm_text Shared/probe 90 >"$BATS_TEST_TMPDIR/def"
	succeeds as "$BOB" sh -c 'exec cat >"$1" <"$2"' sh "$A/shared" "$BATS_TEST_TMPDIR/def"
	# bob may remove his own in the same directories
	succeeds sh_as "$BOB" 'mkdir "$1" && chmod 0777 "$1"' "$M/BobNS"
	succeeds as "$BOB" rmdir "$M/BobNS"
	# and alice hers
	succeeds as "$ALICE" rmdir "$M/Shared"
	succeeds as "$ALICE" rmdir "$L/shared"
	succeeds as "$ALICE" rm "$A/shared"
	[ ! -e "$M/Shared" ] && [ ! -e "$L/shared" ] && [ ! -e "$A/shared" ]
	# root may remove anyone's
	succeeds sh_as "$ALICE" 'mkdir "$1"' "$M/Other"
	succeeds rmdir "$M/Other"
}

@test "sticky bit: in a 0777 namespace without it anyone may rm; with chmod 1777 only the entry's or the directory's owner" {
	mount_shared
	succeeds sh_as "$ALICE" 'mkdir "$1" && chmod 0777 "$1"' "$M/Open"
	mk metric "$M/Open/alices" "$ALICE:$ALICE" 0600
	# no sticky bit: write and search on the directory are enough (Unix)
	succeeds as "$BOB" rm -f "$M/Open/alices"
	[ ! -e "$M/Open/alices" ]
	succeeds as "$ALICE" chmod 1777 "$M/Open"
	assert_equal "$(stat -c %A "$M/Open")" drwxrwxrwt
	mk metric "$M/Open/alices" "$ALICE:$ALICE" 0666
	mk metric "$M/Open/bobs" "$BOB:$BOB" 0666
	mk metric "$M/Open/bobs2" "$BOB:$BOB" 0666
	fails_with "Operation not permitted" as "$BOB" rm -f "$M/Open/alices"
	[ -e "$M/Open/alices" ]
	succeeds as "$BOB" rm -f "$M/Open/bobs"
	# the directory's owner may remove anything in it
	succeeds as "$ALICE" rm -f "$M/Open/bobs2"
	[ ! -e "$M/Open/bobs" ] && [ ! -e "$M/Open/bobs2" ]
}

# ---------------------------------------------------------------------------
# chmod, chown, chgrp

@test "chmod by the owner or root; chown by root; chgrp by the owner to its own groups; refusals recorded" {
	mount_shared
	succeeds sh_as "$ALICE" 'mkdir "$1"' "$M/Own"
	mk metric "$M/Own/m" "$ALICE:$ALICE" 0644
	mk alarm "$A/own" "$ALICE:$ALICE" 0644
	mk stream "$L/own/s" "$ALICE:$ALICE" 0644
	# chmod
	cell ok "$ALICE" Own/m chmod 0640 "$M/Own/m"
	cell ok "$ALICE" Own chmod 0711 "$M/Own"
	cell ok "$ALICE" alarms/own chmod 0600 "$A/own"
	cell ok "$ALICE" own/s chmod 0600 "$L/own/s"
	CELL_MSG="Operation not permitted"
	cell denied "$BOB" Own/m chmod 0666 "$M/Own/m"
	cell denied "$BOB" Own chmod 0777 "$M/Own"
	cell denied "$BOB" alarms/own chmod 0666 "$A/own"
	cell denied "$BOB" own/s chmod 0666 "$L/own/s"
	unset CELL_MSG
	assert_equal "$(owner_mode "$M/Own/m")" "$ALICE:$ALICE 640"
	assert_equal "$(owner_mode "$M/Own")" "$ALICE:$ALICE 711"
	assert_equal "$(owner_mode "$A/own")" "$ALICE:$ALICE 600"
	assert_equal "$(owner_mode "$L/own/s")" "$ALICE:$ALICE 600"
	# root chmods anything
	succeeds chmod 0660 "$A/own"
	assert_equal "$(owner_mode "$A/own")" "$ALICE:$ALICE 660"
	# chgrp by the owner: to a group she is in, yes; to another, no
	cell ok "$ALICE" Own/m chgrp "$TEAM" "$M/Own/m"
	assert_equal "$(owner_mode "$M/Own/m")" "$ALICE:$TEAM 640"
	cell ok "$ALICE" Own/m chgrp "$ALICE" "$M/Own/m"
	cell ok "$ALICE" alarms/own chgrp "$TEAM" "$A/own"
	CELL_MSG="Operation not permitted"
	cell denied "$ALICE" Own chgrp "$BOB" "$M/Own"
	cell denied "$ALICE" own/s chgrp root "$L/own/s"
	# chown to another user by the owner: no
	cell denied "$ALICE" Own/m chown "$BOB" "$M/Own/m"
	cell denied "$ALICE" alarms/own chown "$BOB:$TEAM" "$A/own"
	# chgrp by a member of the group who is not the owner: no
	cell denied "$BOB" Own chgrp "$TEAM" "$M/Own"
	unset CELL_MSG
	assert_equal "$(owner_mode "$M/Own")" "$ALICE:$ALICE 711"
	assert_equal "$(owner_mode "$M/Own/m")" "$ALICE:$ALICE 640"
	assert_equal "$(owner_mode "$A/own")" "$ALICE:$TEAM 660"
	assert_equal "$(owner_mode "$L/own/s")" "$ALICE:$ALICE 600"
	# chown by root
	succeeds chown "$BOB:$BOB" "$M/Own/m"
	succeeds chown "$BOB" "$A/own"
	succeeds chown "$BOB:$TEAM" "$L/own"
	assert_equal "$(owner_mode "$M/Own/m")" "$BOB:$BOB 640"
	assert_equal "$(owner_mode "$A/own")" "$BOB:$TEAM 660"
	assert_equal "$(owner_mode "$L/own")" "$BOB:$TEAM 755"
	assert_equal "$(ls_owner "$M/Own" m)" "$BOB $BOB"
	# the new owner has the owner's rights, the old one no more
	cell ok "$BOB" Own/m chmod 0600 "$M/Own/m"
	cell ok "$BOB" Own/m cat "$M/Own/m"
	cell denied "$ALICE" Own/m cat "$M/Own/m"
	check_cells
	remount
	assert_equal "$(owner_mode "$M/Own")" "$ALICE:$ALICE 711"
	assert_equal "$(owner_mode "$M/Own/m")" "$BOB:$BOB 600"
	assert_equal "$(owner_mode "$A/own")" "$BOB:$TEAM 660"
	assert_equal "$(owner_mode "$L/own")" "$BOB:$TEAM 755"
	assert_equal "$(owner_mode "$L/own/s")" "$ALICE:$ALICE 600"
	await_refusal "$BOB" '.requestParameters.path == "/metrics/Own/m" and .eventName == "Chmod"'
	await_refusal "$ALICE" '.requestParameters.path == "/metrics/Own/m" and .eventName == "Chown"'
}

# ---------------------------------------------------------------------------
# Extended attributes

@test "setfattr user.unit needs write permission, getfattr read permission; refusals recorded" {
	mount_shared
	mk dir "$M/NS" root:root 0755
	mk metric "$M/NS/ro" "$ALICE:$ALICE" 0644
	mk metric "$M/NS/rw" "$ALICE:$ALICE" 0666
	mk metric "$M/NS/priv" "$ALICE:$ALICE" 0600
	cell denied "$BOB" NS/ro setfattr -n user.unit -v Percent "$M/NS/ro"
	cell ok "$ALICE" NS/ro setfattr -n user.unit -v Count "$M/NS/ro"
	cell ok "$BOB" NS/rw setfattr -n user.unit -v Bytes "$M/NS/rw"
	cell ok root NS/priv setfattr -n user.unit -v Seconds "$M/NS/priv"
	cell denied "$BOB" NS/priv getfattr -n user.unit "$M/NS/priv"
	cell denied "$BOB" NS/ro setfattr -x user.unit "$M/NS/ro"
	assert_equal "$(getfattr --only-values -n user.unit "$M/NS/ro")" Count
	assert_equal "$(getfattr --only-values -n user.unit "$M/NS/rw")" Bytes
	check_cells
	await_refusal "$BOB" '.requestParameters.path == "/metrics/NS/ro" and .eventName == "Setxattr"'
}

# ---------------------------------------------------------------------------
# Root

@test "root bypasses mode bits on bob's files but not the trail's rules" {
	mount_shared
	mk dir "$M/NS" "$BOB:$BOB" 0700
	mk metric "$M/NS/m" "$BOB:$BOB" 0600
	mk metric "$M/NS/ro" "$BOB:$BOB" 0400
	mk stream "$L/bg/s" "$BOB:$BOB" 0600
	give "$BOB:$BOB" 0700 "$L/bg"
	succeeds cat "$M/NS/m"
	assert_equal "$(rows "$M/NS/m" | awk '{ print $2 }')" 1
	succeeds sh -c 'echo 9 >>"$1"' sh "$M/NS/ro"
	assert_equal "$(total_samples "$M/NS/ro")" 2
	succeeds ls "$M/NS"
	succeeds cat "$L/bg/s"
	assert_equal "$output" hello
	succeeds mkdir "$M/NS/rootsub"
	# the trail is nobody's to change, root's included
	local day="$MNT/trail/$(date -u +%F)"
	eventually 10 '[ -e "$day" ]'
	fails_with "Operation not permitted" touch "$MNT/trail/x"
	fails_with "Operation not permitted" sh -c 'echo x >>"$1"' sh "$day"
	fails_with "Operation not permitted" chmod 0666 "$day"
	fails_with "Operation not permitted" rm -f "$day"
	await_refusal root '.eventSource == "trail.monfs" and (.requestParameters | tostring | contains("trail/x"))'
	await_refusal root '.eventSource == "trail.monfs" and .eventName == "Chmod"'
	# and bob can't either
	fails_with "Operation not permitted" as "$BOB" touch "$MNT/trail/y"
	await_refusal "$BOB" '.eventSource == "trail.monfs"'
}

# ---------------------------------------------------------------------------
# Alarm actions run as their writer


@test "an alarm alice writes with alarm_action = exec: runs the program as alice, not root" {
	mount_shared
	hooks
	mk dir "$M/Host" root:root 0755
	points "$M/Host/cpu" 95 96 97
	alarm_text Host/cpu 80 "alarm_action = exec:$HOOKS/hook" >"$BATS_TEST_TMPDIR/def"
	succeeds sh_as "$ALICE" 'exec cat >"$1" <"$2"' "$A/page" "$BATS_TEST_TMPDIR/def"
	assert_equal "$(owner_mode "$A/page")" "$ALICE:$ALICE 644"
	assert_equal "$(sed -n 's/^state = //p' "$A/page")" ALARM
	eventually "$ACTION_DEADLINE_S" '[ -e "$OUT/page.ALARM" ]'
	assert_equal "$(cat "$OUT/page.ALARM")" "$ALICE_UID ALARM"
	assert_equal "$(stat -c %U "$OUT/page.ALARM")" "$ALICE"
}

@test "when bob rewrites alice's 0666 alarm, its exec: actions run as bob" {
	mount_shared
	hooks
	mk dir "$M/Host" root:root 0755
	points "$M/Host/cpu" 95 96 97
	alarm_text Host/cpu 80 "alarm_action = exec:$HOOKS/hook" "ok_action = exec:$HOOKS/hook" >"$BATS_TEST_TMPDIR/def1"
	succeeds sh_as "$ALICE" 'umask 000; cat >"$1" <"$2"' "$A/shared" "$BATS_TEST_TMPDIR/def1"
	assert_equal "$(owner_mode "$A/shared")" "$ALICE:$ALICE 666"
	eventually "$ACTION_DEADLINE_S" '[ -e "$OUT/shared.ALARM" ]'
	assert_equal "$(cat "$OUT/shared.ALARM")" "$ALICE_UID ALARM"
	# bob raises the threshold: the alarm goes to OK at once, as bob's
	alarm_text Host/cpu 99 "alarm_action = exec:$HOOKS/hook" "ok_action = exec:$HOOKS/hook" >"$BATS_TEST_TMPDIR/def2"
	succeeds sh_as "$BOB" 'exec cat >"$1" <"$2"' "$A/shared" "$BATS_TEST_TMPDIR/def2"
	assert_equal "$(sed -n 's/^state = //p' "$A/shared")" OK
	eventually "$ACTION_DEADLINE_S" '[ -e "$OUT/shared.OK" ]'
	assert_equal "$(cat "$OUT/shared.OK")" "$BOB_UID OK"
	# the owner stays alice
	assert_equal "$(owner_mode "$A/shared")" "$ALICE:$ALICE 666"
}

@test "bob's alarm whose exec: target bob may not execute is refused at close with EACCES, recorded" {
	mount_shared
	hooks
	# root's own program, 0700: bob may not execute it
	printf '#!/bin/sh\nexit 0\n' >"$HOOKS/secret"
	chmod 0700 "$HOOKS/secret"
	# a 0755 program in a directory bob may not search
	mkdir -m 0700 "$BATS_TEST_TMPDIR/locked"
	write_hook "$BATS_TEST_TMPDIR/locked/hook" "$OUT"
	alarm_text Host/cpu 80 "alarm_action = exec:$HOOKS/secret" >"$BATS_TEST_TMPDIR/secret.def"
	alarm_text Host/cpu 80 "ok_action = exec:$BATS_TEST_TMPDIR/locked/hook" >"$BATS_TEST_TMPDIR/locked.def"
	alarm_text Host/cpu 80 "alarm_action = exec:$HOOKS/hook" >"$BATS_TEST_TMPDIR/ok.def"
	fails_with "Permission denied" sh_as "$BOB" 'exec cat >"$1" <"$2"' "$A/bobs" "$BATS_TEST_TMPDIR/secret.def"
	fails_with "No such file or directory" cat "$A/bobs"
	await_refusal "$BOB" '.eventName == "PutMetricAlarm" and (tostring | contains("secret"))'
	fails_with "Permission denied" sh_as "$BOB" 'exec cat >"$1" <"$2"' "$A/bobs" "$BATS_TEST_TMPDIR/locked.def"
	await_refusal "$BOB" '.eventName == "PutMetricAlarm" and (tostring | contains("locked/hook"))'
	# a program bob may run is accepted, and the alarm is bob's
	succeeds sh_as "$BOB" 'exec cat >"$1" <"$2"' "$A/bobs" "$BATS_TEST_TMPDIR/ok.def"
	assert_equal "$(owner_mode "$A/bobs")" "$BOB:$BOB 644"
	# redefining it with the forbidden target is refused; the old one stays
	fails_with "Permission denied" sh_as "$BOB" 'exec cat >"$1" <"$2"' "$A/bobs" "$BATS_TEST_TMPDIR/secret.def"
	assert_equal "$(sed -n 's/^alarm_action = //p' "$A/bobs")" "exec:$HOOKS/hook"
	# root may name the same program: it is root's to run
	succeeds sh -c 'exec cat >"$1" <"$2"' sh "$A/roots" "$BATS_TEST_TMPDIR/secret.def"
	# a log: stream bob may not append to (alice's 0755 group) is refused too
	succeeds sh_as "$ALICE" 'mkdir "$1"' "$L/alicelog"
	alarm_text Host/cpu 80 "alarm_action = log:alicelog/pages" >"$BATS_TEST_TMPDIR/log.def"
	fails_with "Permission denied" sh_as "$BOB" 'exec cat >"$1" <"$2"' "$A/boblog" "$BATS_TEST_TMPDIR/log.def"
	await_refusal "$BOB" '.eventName == "PutMetricAlarm" and (tostring | contains("alicelog"))'
}
