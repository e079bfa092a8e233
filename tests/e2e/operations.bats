# Running monfs for real: mount.fuse3 and fstab syntax, make install,
# the systemd units.

load helpers

setup() {
	monfs_paths
}

teardown() {
	if mountpoint -q "$MNT"; then
		fusermount3 -u "$MNT" || fusermount3 -uz "$MNT"
	fi
	# The daemon mount.fuse3 started runs in the background: wait for it.
	local deadline=$((SECONDS + 30))
	while [ -n "$(daemon_pid)" ] && ((SECONDS < deadline)); do
		sleep 0.2
	done
	[ -z "$(daemon_pid)" ] || kill "$(daemon_pid)"
}

# daemon_pid: the background daemon serving this test's database, if any.
daemon_pid() {
	local pid
	read -r pid <"$DB.lock" 2>/dev/null || return 0
	if [ -n "$pid" ] && grep -qs monfs "/proc/$pid/comm"; then
		echo "$pid"
	fi
}

@test "mount.fuse3 mounts monfs as an fstab line would, options passed through" {
	# fstab: /path/monfs#monfs  MNT  fuse  db=DB,region=...,allow_other
	run mount.fuse3 "$MONFS_BIN#monfs" "$MNT" \
		-o "db=$DB,region=eu-test-1,host=fleet-7,allow_other"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	mountpoint -q "$MNT"
	grep -q " $MNT fuse.monfs .*allow_other" /proc/mounts
	mkdir "$MNT/metrics/App"
	echo 42 >"$MNT/metrics/App/lat"
	rec=$(grep CreateNamespace "$MNT/trail/$(date -u +%F)")
	[ "$(jq -r .awsRegion <<<"$rec")" = eu-test-1 ]
	[ "$(jq -r .sourceIPAddress <<<"$rec")" = fleet-7 ]
	[ -s "$DB" ]
}

@test "unmounting a mount.fuse3 mount stops its daemon and keeps the data" {
	mount.fuse3 "$MONFS_BIN#monfs" "$MNT" -o "db=$DB"
	mkdir "$MNT/metrics/Keep"
	pid=$(daemon_pid)
	[ -n "$pid" ]
	fusermount3 -u "$MNT"
	local deadline=$((SECONDS + 30))
	while [ -d "/proc/$pid" ] && ((SECONDS < deadline)); do sleep 0.2; done
	[ ! -d "/proc/$pid" ]
	mount.fuse3 "$MONFS_BIN#monfs" "$MNT" -o "db=$DB"
	[ -d "$MNT/metrics/Keep" ]
}

@test "make install puts the daemon, agent, manual page, units and config under DESTDIR" {
	dest="$BATS_TEST_TMPDIR/dest"
	run make -C "$REPO" --no-print-directory install DESTDIR="$dest" \
		PREFIX=/usr/local BUILD="$(dirname "$MONFS_BIN")"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	[ -x "$dest/usr/local/bin/monfs" ]
	[ -x "$dest/usr/local/bin/monfs-agent" ]
	[ -f "$dest/usr/local/share/man/man1/monfs.1" ]
	[ -f "$dest/etc/monfs/agent.conf" ]
	for unit in monfs.service monfs-agent.service; do
		f="$dest/usr/local/lib/systemd/system/$unit"
		[ -f "$f" ]
		! grep -q @PREFIX@ "$f"
		grep -q '^ExecStart=/usr/local/bin/monfs' "$f"
	done
	grep -q '^After=local-fs.target' "$dest/usr/local/lib/systemd/system/monfs.service"
	grep -q '^Requires=monfs.service' "$dest/usr/local/lib/systemd/system/monfs-agent.service"
	"$dest/usr/local/bin/monfs" --version | grep -q '^monfs '
}

@test "the systemd units are well formed" {
	command -v systemd-analyze >/dev/null || skip "systemd-analyze not installed"
	dest="$BATS_TEST_TMPDIR/dest"
	make -C "$REPO" --no-print-directory install DESTDIR="$dest" \
		PREFIX=/usr/local BUILD="$(dirname "$MONFS_BIN")" >/dev/null
	# verify resolves ExecStart paths on this machine: check the syntax only.
	run systemd-analyze verify --man=no \
		"$dest/usr/local/lib/systemd/system/monfs.service" 2>&1
	! grep -qi "unknown\|invalid\|bad" <<<"$output"
}
