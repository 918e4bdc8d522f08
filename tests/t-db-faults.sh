#!/usr/bin/env bash
# Database faults: unreachable server, wrong password, lost connection during COMMIT
# (outcome unknown: exit 5), a connection hung at COMMIT (the server must drop the
# session soon), row lock held by someone else (exit 4), server restart.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2

# Unreachable: a port nobody listens on.  Exit 1, message names the server.
write_conf
sed -i "s|socket = .*|host = \"127.0.0.1\"; port = 1;|" "$CONF"
expect_exit 1 "database unreachable" host list
expect_err "cannot connect to MariaDB at 127.0.0.1:1" "message names the server"

# Wrong password: a configuration problem, exit 2, and the password is never shown.
write_conf
printf 'wrong-password\n' >"$TEST_TMP/db.pass"
expect_exit 2 "wrong password" host list
expect_err "Access denied" "server's reason is shown"
expect_no_err "wrong-password" "the password is not in the output"
printf 's3cr3t-pw\n' >"$TEST_TMP/db.pass"

# Connection lost exactly at COMMIT: csmaint cannot know the outcome: exit 5.
/usr/bin/python3 "$TOP_SRCDIR/tests/lib/faultproxy.py" "$TEST_TMP/proxy.port" "$MDB_PORT" \
	--cut-on "$(printf '\003COMMIT')" 2>"$TEST_TMP/proxy.log" &
PROXY=$!
trap 'kill $PROXY 2>/dev/null; _cleanup' EXIT
for _ in $(seq 50); do [ -s "$TEST_TMP/proxy.port" ] && break; sleep 0.1; done
write_conf
sed -i "s|socket = .*|host = \"127.0.0.1\"; port = $(cat "$TEST_TMP/proxy.port");|" "$CONF"
expect_exit 5 "connection lost during COMMIT" host disable xs-01 --execute
expect_err "outcome of COMMIT is unknown" "says the outcome is unknown"
expect_eq "the server rolled the transaction back" Enabled "$(alloc_of 1)"
expect_eq "and no journal row exists" 0 "$(sql "SELECT COUNT(*) FROM operation" csmaint)"
expect_exit 0 "reads still work through the proxy" host list -o json
kill $PROXY 2>/dev/null

# Connection hung at COMMIT: the client is gone but the server hears nothing (a network
# partition).  csmaint says exit 5; the server must end csmaint's session and roll back
# within the wait_timeout csmaint sets for its transactions (4 x lock_wait_timeout, at
# least 10 s), not the server's 8 hours, so CloudStack's updates of the row go through.
rm -f "$TEST_TMP/proxy.port"
/usr/bin/python3 "$TOP_SRCDIR/tests/lib/faultproxy.py" "$TEST_TMP/proxy.port" "$MDB_PORT" \
	--hang-on "$(printf '\003COMMIT')" 2>"$TEST_TMP/proxy.log" &
PROXY=$!
for _ in $(seq 50); do [ -s "$TEST_TMP/proxy.port" ] && break; sleep 0.1; done
write_conf
sed -i "s|socket = .*|host = \"127.0.0.1\"; port = $(cat "$TEST_TMP/proxy.port");|" "$CONF"
expect_exit 5 "connection hung at COMMIT" host disable xs-01 --execute
expect_err "outcome of COMMIT is unknown \(if the server did not get it, it rolls the transaction back and frees its row locks within 10 s" \
	"says when the server lets go"
check "the server still holds csmaint's transaction right after the cut" \
	test "$(sql "SELECT COUNT(*) FROM information_schema.INNODB_TRX")" -ge 1
# CloudStack's heartbeat, waiting at most 1 s each time, for 40 s at most.
freed=
for i in $(seq 40); do
	if mdb_sql "$CLOUD" -e "SET SESSION innodb_lock_wait_timeout = 1;
		UPDATE host SET last_ping = last_ping + 1 WHERE id = 1" 2>/dev/null; then
		freed=$i; break
	fi
done
check "CloudStack's UPDATE of the host row went through once the server dropped csmaint's session (attempt ${freed:-none})" test -n "$freed"
expect_eq "the server rolled the transaction back" Enabled "$(alloc_of 1)"
expect_eq "no journal row" 0 "$(sql "SELECT COUNT(*) FROM operation" csmaint)"
expect_eq "no transaction left on the server" 0 "$(sql "SELECT COUNT(*) FROM information_schema.INNODB_TRX")"
kill $PROXY 2>/dev/null

# Someone holds the host row: csmaint waits lock_wait_timeout (2 s) and gives up, exit 4.
write_conf
mdb_sql "$CLOUD" -e "START TRANSACTION; SELECT id FROM host WHERE id = 2 FOR UPDATE; SELECT SLEEP(6); COMMIT;" >/dev/null &
HOLDER=$!
sleep 1
start=$(date +%s)
expect_exit 4 "host row locked by another session" host disable xs-02 --execute
end=$(date +%s)
expect_err "cannot disable host 2 \(xs-02\): another session holds the row .*giving way.*Lock wait timeout exceeded.*nothing changed" "says the row is locked"
check "gave up within the lock wait timeout" test $((end - start)) -le 5
wait $HOLDER
expect_eq "row unchanged" Enabled "$(alloc_of 2)"
expect_eq "no journal row" 0 "$(sql "SELECT COUNT(*) FROM operation" csmaint)"

# A restarted server: the next run simply works; the journal survived.
expect_exit 0 "disable before restart" host disable xs-02 --execute
mdb_restart >/dev/null
expect_exit 0 "enable after the server restarted" host enable xs-02 --execute
expect_eq "row Enabled" Enabled "$(alloc_of 2)"
finish
