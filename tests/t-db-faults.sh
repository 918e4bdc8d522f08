#!/usr/bin/env bash
# Database faults: unreachable server, wrong password, lost connection during COMMIT
# (outcome unknown: exit 5), row lock held by someone else (exit 4), server restart.
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

# Someone holds the host row: csmaint waits lock_wait_timeout (2 s) and gives up, exit 4.
write_conf
mdb_sql "$CLOUD" -e "START TRANSACTION; SELECT id FROM host WHERE id = 2 FOR UPDATE; SELECT SLEEP(6); COMMIT;" >/dev/null &
HOLDER=$!
sleep 1
start=$(date +%s)
expect_exit 4 "host row locked by another session" host disable xs-02 --execute
end=$(date +%s)
expect_err "Lock wait timeout exceeded.*another session holds the row" "says the row is locked"
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
