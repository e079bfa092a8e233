#!/usr/bin/env bats
# The trail archive, --trail-archive DIR (SPEC 14): CloudTrail's S3
# layout of gzip'd log files and signed digests, and `monfs verify DIR`,
# which checks it as `aws cloudtrail validate-logs` does.
#
# Unmount delivers every record and writes a digest, so a test needs no
# five-minute wait: one mount makes one log file and one digest, two
# mounts in a row a chain of two digests. Tampering is done the way an
# intruder would, with gzip, sed and openssl, and each must be caught.

load helpers

setup() {
	monfs_paths
	ARCH="$BATS_TEST_TMPDIR/archive"
	mkdir -p "$ARCH"
}

teardown() {
	stop_all_daemons
}

# ---------------------------------------------------------------------------
# Local helpers

# session NAME: mount with the archive, make namespace NAME (a record),
# wait until the trail holds it, unmount (which delivers and digests).
session() {
	mount_monfs --trail-archive "$ARCH"
	mkdir "$MNT/metrics/$1"
	eventually 10 "grep -qs '\"namespace\":\"$1\"' \"$MNT\"/trail/*"
	unmount_monfs
}

# log_files, digest_files: the archive's files of each kind, sorted.
log_files() {
	find "$ARCH/AWSLogs" -path '*/CloudTrail/*' -name '*.json.gz' | sort
}
digest_files() {
	find "$ARCH/AWSLogs" -path '*/CloudTrail-Digest/*' -name '*.json.gz' | sort
}

# archived_records: every record of every log file, one JSON line each.
archived_records() {
	local f
	for f in $(log_files); do
		zcat "$f" | jq -c '.Records[]'
	done
}

# signing_string DIGEST: the string CloudTrail signs for DIGEST.
signing_string() {
	local d="$1" rel
	rel="${d#"$ARCH"/}"
	printf '%s\nmonfs/%s\n%s\n%s' \
		"$(zcat "$d" | jq -r .digestEndTime)" "$rel" \
		"$(zcat "$d" | sha256sum | cut -d' ' -f1)" \
		"$(zcat "$d" | jq -r '.previousDigestSignature // "null"')"
}

# ---------------------------------------------------------------------------
# Delivery

@test "unmount delivers the trail's records as a gzip'd {\"Records\":[...]} in CloudTrail's layout" {
	session App
	run log_files
	[ "${#lines[@]}" -eq 1 ]
	[[ "${lines[0]}" =~ /AWSLogs/000000000000/CloudTrail/local/[0-9]{4}/[0-9]{2}/[0-9]{2}/000000000000_CloudTrail_local_[0-9]{8}T[0-9]{4}Z_[0-9a-f]{16}\.json\.gz$ ]]
	zcat "${lines[0]}" | jq -e '.Records | length > 0' >/dev/null
	# The records are the day file's, byte for byte and in order.
	mount_monfs
	archived_records >"$BATS_TEST_TMPDIR/archived"
	n=$(wc -l <"$BATS_TEST_TMPDIR/archived")
	[ "$n" -gt 0 ]
	cat "$MNT"/trail/* | head -n "$n" >"$BATS_TEST_TMPDIR/day"
	assert_equal "$(cat "$BATS_TEST_TMPDIR/archived")" "$(cat "$BATS_TEST_TMPDIR/day")"
}

@test "--account and --region name the archive's paths" {
	mount_monfs --trail-archive "$ARCH" --account 123456789012 --region eu-west-3
	mkdir "$MNT/metrics/App"
	unmount_monfs
	[ -n "$(find "$ARCH/AWSLogs/123456789012/CloudTrail/eu-west-3" -name '123456789012_CloudTrail_eu-west-3_*.json.gz')" ]
	[ -n "$(find "$ARCH/AWSLogs/123456789012/CloudTrail-Digest/eu-west-3" -name '123456789012_CloudTrail-Digest_eu-west-3_monfs_eu-west-3_*Z.json.gz')" ]
}

@test "the digest holds CloudTrail's fields, the log file's hash, and a signature the public key verifies" {
	session App
	d=$(digest_files)
	log=$(log_files)
	digest=$(zcat "$d")
	json_check "$digest" '.awsAccountId == "000000000000" and .digestS3Bucket == "monfs"
		and .digestSignatureAlgorithm == "SHA256withRSA"
		and (.digestPublicKeyFingerprint | test("^[0-9a-f]{32}$"))
		and .previousDigestSignature == null and .previousDigestS3Object == null
		and (.logFiles | length) == 1 and .logFiles[0].hashAlgorithm == "SHA-256"
		and .logFiles[0].s3Bucket == "monfs"
		and .oldestEventTime <= .newestEventTime and .digestStartTime <= .digestEndTime'
	assert_equal "$(jq -r .digestS3Object <<<"$digest")" "${d#"$ARCH"/}"
	assert_equal "$(jq -r '.logFiles[0].s3Object' <<<"$digest")" "${log#"$ARCH"/}"
	assert_equal "$(jq -r '.logFiles[0].hashValue' <<<"$digest")" "$(zcat "$log" | sha256sum | cut -d' ' -f1)"
	# The .sig is hex SHA256withRSA over CloudTrail's signing string.
	signing_string "$d" >"$BATS_TEST_TMPDIR/signed"
	xxd -r -p "$d.sig" >"$BATS_TEST_TMPDIR/sig.bin"
	succeeds openssl dgst -sha256 -verify "$ARCH/monfs-public-key.pem" \
		-signature "$BATS_TEST_TMPDIR/sig.bin" "$BATS_TEST_TMPDIR/signed"
	# The fingerprint: MD5 of the public key's DER (PKCS#1), as CloudTrail.
	fp=$(openssl rsa -pubin -in "$ARCH/monfs-public-key.pem" -RSAPublicKey_out -outform DER 2>/dev/null | md5sum | cut -d' ' -f1)
	assert_equal "$(jq -r .digestPublicKeyFingerprint <<<"$digest")" "$fp"
}

@test "the key is made beside the database with mode 0600, its public half in DIR" {
	session App
	if on_postgres; then
		# a fleet's key is its database's, whichever daemon signs
		psql -X -qAt "$DB" -c "SELECT value FROM fleet_settings WHERE name = 'trail-key'" \
			>"$BATS_TEST_TMPDIR/key.pem"
		diff <(openssl rsa -in "$BATS_TEST_TMPDIR/key.pem" -pubout 2>/dev/null) \
			"$ARCH/monfs-public-key.pem"
		return
	fi
	[ -f "$DB.trail-key.pem" ]
	assert_equal "$(stat -c %a "$DB.trail-key.pem")" 600
	openssl rsa -in "$DB.trail-key.pem" -check -noout >/dev/null 2>&1
	assert_equal "$(openssl rsa -in "$DB.trail-key.pem" -pubout 2>/dev/null)" "$(cat "$ARCH/monfs-public-key.pem")"
	# A second mount signs with the same key.
	before=$(md5sum <"$DB.trail-key.pem")
	session Web
	assert_equal "$(md5sum <"$DB.trail-key.pem")" "$before"
}

@test "monfs verify passes on an untouched archive of two mounts, whose digests chain" {
	session App
	session Web
	run digest_files
	[ "${#lines[@]}" -eq 2 ]
	first="${lines[0]}" second="${lines[1]}"
	json_check "$(zcat "$second")" ".previousDigestS3Object == \"${first#"$ARCH"/}\"
		and .previousDigestHashValue == \"$(zcat "$first" | sha256sum | cut -d' ' -f1)\"
		and .previousDigestSignature == \"$(cat "$first.sig")\"
		and .digestStartTime == \"$(zcat "$first" | jq -r .digestEndTime)\""
	run "$MONFS_BIN" verify "$ARCH"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
	assert_contains "$output" "Results requested for "
	assert_contains "$output" "2/2 digest files valid"
	assert_contains "$output" "2/2 log files valid"
	[[ "$output" != *INVALID* ]]
	# Records are never delivered twice: the second file starts after the first.
	assert_equal "$(archived_records | jq -r .eventID | sort | uniq -d)" ""
}

# ---------------------------------------------------------------------------
# Tampering

@test "verify: a log file with one byte changed fails with hash value doesn't match" {
	session App
	session Web
	log=$(log_files | head -n 1)
	zcat "$log" | sed 's/"eventVersion":"1.08"/"eventVersion":"1.09"/' | gzip >"$log.new"
	mv "$log.new" "$log"
	run "$MONFS_BIN" verify "$ARCH"
	[ "$status" -eq 1 ]
	assert_contains "$output" "Log file $log INVALID: hash value doesn't match"
	assert_contains "$output" "1/2 log files valid"
	assert_contains "$output" "2/2 digest files valid"
}

@test "verify: a deleted log file fails with not found" {
	session App
	log=$(log_files)
	rm "$log"
	run "$MONFS_BIN" verify "$ARCH"
	[ "$status" -eq 1 ]
	assert_contains "$output" "Log file $log INVALID: not found"
	assert_contains "$output" "0/1 log files valid"
}

@test "verify: a deleted digest breaks the next digest's chain" {
	session App
	session Web
	first=$(digest_files | head -n 1)
	rm "$first" "$first.sig"
	run "$MONFS_BIN" verify "$ARCH"
	[ "$status" -eq 1 ]
	assert_contains "$output" "Digest file $first INVALID: not found"
	assert_contains "$output" "1/2 digest files valid"
	# Its log file is covered by no digest any more.
	assert_contains "$output" "INVALID: not covered by any digest"
}

@test "verify: a digest re-signed with another key fails signature verification" {
	session App
	d=$(digest_files)
	# Forge: drop the log file from the digest, re-sign with a new key.
	zcat "$d" | jq -c '.logFiles = []' | gzip >"$d.new"
	mv "$d.new" "$d"
	openssl genrsa -out "$BATS_TEST_TMPDIR/other.pem" 2048 2>/dev/null
	signing_string "$d" >"$BATS_TEST_TMPDIR/signed"
	openssl dgst -sha256 -sign "$BATS_TEST_TMPDIR/other.pem" \
		-out "$BATS_TEST_TMPDIR/sig.bin" "$BATS_TEST_TMPDIR/signed"
	xxd -p "$BATS_TEST_TMPDIR/sig.bin" | tr -d '\n' >"$d.sig"
	run "$MONFS_BIN" verify "$ARCH"
	[ "$status" -eq 1 ]
	assert_contains "$output" "Digest file $d INVALID: signature verification failed"
	assert_contains "$output" "0/1 digest files valid"
	# The forged digest's own public key proves it only to itself.
	openssl rsa -in "$BATS_TEST_TMPDIR/other.pem" -pubout -out "$BATS_TEST_TMPDIR/other.pub" 2>/dev/null
	run "$MONFS_BIN" verify "$ARCH" --public-key "$BATS_TEST_TMPDIR/other.pub"
	[ "$status" -eq 1 ]
	assert_contains "$output" "INVALID"
}

@test "verify: an added log file is not covered by any digest" {
	session App
	log=$(log_files)
	added="${log%_*}_0123456789abcdef.json.gz"
	cp "$log" "$added"
	run "$MONFS_BIN" verify "$ARCH"
	[ "$status" -eq 1 ]
	assert_contains "$output" "Log file $added INVALID: not covered by any digest"
	assert_contains "$output" "1/2 log files valid"
}

@test "verify: usage errors exit 2, a missing public key 1" {
	run "$MONFS_BIN" verify
	[ "$status" -eq 2 ]
	assert_contains "$output" "usage: monfs verify DIR"
	run "$MONFS_BIN" verify "$ARCH" --bogus
	[ "$status" -eq 2 ]
	run "$MONFS_BIN" verify "$ARCH"
	[ "$status" -eq 1 ]
	assert_contains "$output" "monfs-public-key.pem"
}

# ---------------------------------------------------------------------------
# Faults

@test "a missing archive directory: the mount works, the trail says so once, and delivery catches up" {
	ARCH="$BATS_TEST_TMPDIR/not-yet"
	mount_monfs --trail-archive "$ARCH"
	mkdir "$MNT/metrics/Early"
	echo 1 >"$MNT/metrics/Early/cpu"
	eventually 10 "grep -qs '\"eventName\":\"DeliverLogFiles\"' \"$MNT\"/trail/*"
	rec=$(cat "$MNT"/trail/* | jq -c 'select(.eventName == "DeliverLogFiles")')
	json_check "$rec" '.eventSource == "trail.monfs" and .errorCode == "ResourceNotFoundException"
		and (.errorMessage | contains("delivery will catch up"))
		and .userIdentity.type == "AWSService"'
	assert_equal "$(grep -c "monfs: trail archive $ARCH: .*delivery will catch up" "$LOG")" 1
	mkdir "$ARCH"
	mkdir "$MNT/metrics/Late"
	unmount_monfs
	# Nothing was skipped: both namespaces are in the archive, and it verifies.
	archived_records | grep -q '"namespace":"Early"'
	archived_records | grep -q '"namespace":"Late"'
	run "$MONFS_BIN" verify "$ARCH"
	[ "$status" -eq 0 ] || { echo "$output"; false; }
}

@test "an archive path that is a file: the mount works and the trail says why" {
	: >"$BATS_TEST_TMPDIR/a-file"
	mount_monfs --trail-archive "$BATS_TEST_TMPDIR/a-file"
	mkdir "$MNT/metrics/App"
	eventually 10 "grep -qs 'Not a directory; delivery will catch up' \"$MNT\"/trail/*"
	[ -d "$MNT/metrics/App" ]
}

@test "a corrupted key file: the daemon refuses to start, and the key is kept as it was" {
	if on_postgres; then
		# a fleet's key is a row of its database
		mount_monfs
		unmount_monfs
		psql -X -q "$DB" -c "INSERT INTO fleet_settings VALUES ('trail-key', 'not a key')"
		run_monfs_to_exit "$MNT" -- --db "$DB" "$MNT" --trail-archive "$ARCH"
		[ "$status" -ne 0 ]
		assert_contains "$output" "the fleet's signing key: not an RSA private key"
		assert_not_mounted "$MNT"
		assert_equal "$(psql -X -qAt "$DB" -c "SELECT value FROM fleet_settings WHERE name = 'trail-key'")" "not a key"
		return
	fi
	echo "not a key" >"$DB.trail-key.pem"
	run_monfs_to_exit "$MNT" -- --db "$DB" "$MNT" --trail-archive "$ARCH"
	[ "$status" -ne 0 ]
	assert_contains "$output" "trail-key.pem does not hold an RSA private key"
	assert_not_mounted "$MNT"
	assert_equal "$(cat "$DB.trail-key.pem")" "not a key"
}
