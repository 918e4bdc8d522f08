#!/usr/bin/env bash
# Locks held by others: a DBA's LOCK TABLES on the journal or on host, a backup's
# FLUSH TABLES WITH READ LOCK.  csmaint gives way within its lock_wait_timeout (2 s
# here) with exit 4 and says which lock stopped it; nothing changes; and CloudStack's
# own updates of the host row are not held up behind csmaint meanwhile.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
HOLDER=
trap '[ -n "$HOLDER" ] && kill $HOLDER 2>/dev/null; _cleanup' EXIT

# hold SQL: another session runs SQL, then sleeps (holding what SQL took) until killed.
hold() {
	mdb_sql -e "$1; SELECT SLEEP(120) AS holding;" >/dev/null 2>&1 &
	HOLDER=$!
	for _ in $(seq 100); do
		[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(120) AS holding%'")" -gt 0 ] && return 0
		sleep 0.05
	done
	echo "the holder did not start"; exit 1
}
release() {
	sql "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(120) AS holding%'" |
		while read -r id; do sql "KILL $id"; done
	wait $HOLDER 2>/dev/null
	HOLDER=
}
# until csmaint's session waits for a lock (state "Waiting for ... lock"); false after 10 s.
csmaint_waits() {
	for _ in $(seq 200); do
		[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'csm' AND STATE LIKE 'Waiting for%lock%'")" -gt 0 ] && return 0
		sleep 0.05
	done
	return 1
}
# ping: CloudStack's heartbeat on host 1, willing to wait at most $1 s for the row.
ping_host() {
	mdb_sql "$CLOUD" -e "SET SESSION innodb_lock_wait_timeout = $1;
		UPDATE host SET last_ping = last_ping + 1 WHERE id = 1" >"$TEST_TMP/ping.out" 2>&1
}
# The host rows as an operator sees them (last_ping excluded: CloudStack's heartbeat moves it).
hosts() { sql "SELECT id, name, status, allocation_state, removed, cluster_id FROM host ORDER BY id" | md5sum; }
journal_rows() { sql "SELECT (SELECT COUNT(*) FROM operation) + (SELECT COUNT(*) FROM operation_step)" "$JOURNAL"; }

# 1. A DBA holds LOCK TABLES csmaint.operation WRITE.  csmaint waits for the table
# only lock_wait_timeout (the server's default is a day), then gives way: exit 4.
before=$(hosts)
hold "LOCK TABLES $JOURNAL.operation WRITE"
start=$(date +%s)
"$CSMAINT" -c "$CONF" host disable xs-01 --execute >"$OUT" 2>"$ERR" &
CS=$!
if csmaint_waits; then
	ok "csmaint waits for the table lock"
	# csmaint writes the journal first and locks the host row last: while it waits
	# for the journal table, the host row is not locked at all (no wait allowed).
	if ping_host 0; then ok "CloudStack's UPDATE of host 1 succeeds at once while csmaint waits for the journal"
	else not_ok "CloudStack's UPDATE of host 1 while csmaint waits: $(cat "$TEST_TMP/ping.out")"; fi
else
	not_ok "csmaint never waited for the table lock"
fi
wait $CS; RC=$?
end=$(date +%s)
release
expect_eq "disable while the journal table is locked: exit 4" 4 "$RC"
expect_err "cannot disable host 1 \(xs-01\): another session holds a table lock on .*$JOURNAL\.operation.* \(LOCK TABLES\): giving way .*; nothing changed" \
	"says which table is locked and that nothing changed"
expect_no_err "lost connection" "the server gave up first, not the connection"
check "gave way within a few times lock_wait_timeout (took $((end - start)) s)" test $((end - start)) -le 10
expect_eq "the host row is unchanged" "$before" "$(hosts)"
expect_eq "no journal rows" 0 "$(journal_rows)"

# 2. A DBA reads host under LOCK TABLES host READ (a dump): the CAS cannot write.
hold "LOCK TABLES $CLOUD.host READ"
expect_exit 4 "disable while host is locked for reading" host disable xs-01 --execute
release
expect_err "cannot disable host 1 \(xs-01\): another session holds a table lock on $CLOUD\.host \(LOCK TABLES\): giving way" \
	"names the locked host table"
expect_eq "the host row is unchanged" "$before" "$(hosts)"
expect_eq "no journal rows" 0 "$(journal_rows)"

# 3. A backup holds FLUSH TABLES WITH READ LOCK: no write can happen; csmaint gives way.
hold "FLUSH TABLES WITH READ LOCK"
start=$(date +%s)
expect_exit 4 "disable during a backup's global read lock" host disable xs-01 --execute
end=$(date +%s)
expect_err "cannot disable host 1 \(xs-01\): the database is locked for writing \(FLUSH TABLES WITH READ LOCK, a backup\?\): giving way .*; nothing changed" \
	"says the database is read-locked"
expect_no_err "lost connection" "no lost connection under the read lock"
check "gave way within a few times lock_wait_timeout (took $((end - start)) s)" test $((end - start)) -le 10
check "csmaint left no session waiting behind" test "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'csm'")" -eq 0
release
if ping_host 0; then ok "once the backup ends, nothing of csmaint's holds host 1"
else not_ok "host 1 still locked after the backup: $(cat "$TEST_TMP/ping.out")"; fi
expect_eq "allocation unchanged" Enabled "$(alloc_of 1)"
expect_eq "no journal rows" 0 "$(journal_rows)"

# 4. enable gives way the same way and leaves the operation holding the host.
expect_exit 0 "disable xs-02" host disable xs-02 --execute
hold "LOCK TABLES $JOURNAL.operation WRITE"
expect_exit 4 "enable while the journal table is locked" host enable xs-02 --execute
release
expect_err "cannot enable host 2 \(xs-02\): another session holds a table lock" "enable names the lock"
expect_eq "row still Disabled" Disabled "$(alloc_of 2)"
expect_eq "the operation still holds the host" holding "$(sql "SELECT state FROM operation WHERE open_host = 2" "$JOURNAL")"
hold "FLUSH TABLES WITH READ LOCK"
expect_exit 4 "enable during a backup" host enable xs-02 --execute
release
expect_err "the database is locked for writing" "enable says the database is read-locked"
expect_eq "row still Disabled" Disabled "$(alloc_of 2)"
expect_exit 0 "enable once the locks are gone" host enable xs-02 --execute
expect_eq "row Enabled" Enabled "$(alloc_of 2)"
finish
