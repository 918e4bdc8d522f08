#!/usr/bin/env bash
# Two operators on one host at the same moment: exactly one proceeds, the other is
# refused (exit 4) naming the operation that holds the host; the row and the journal agree.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2

rounds=8
for i in $(seq $rounds); do
	"$CSMAINT" -c "$CONF" host disable xs-01 --execute >"$TEST_TMP/a.out" 2>"$TEST_TMP/a.err" &
	a=$!
	"$CSMAINT" -c "$CONF" host disable 1 --execute >"$TEST_TMP/b.out" 2>"$TEST_TMP/b.err" &
	b=$!
	wait $a; ra=$?
	wait $b; rb=$?
	pair="$(printf '%s\n%s\n' $ra $rb | sort | tr '\n' ' ')"
	if [ "$pair" = "0 4 " ]; then ok "round $i: one disable won, the other got exit 4"
	else not_ok "round $i: exits were $ra and $rb"; cat "$TEST_TMP"/[ab].err; fi
	if grep -qh "holds it\|Lock wait timeout\|expected 'Enabled'" "$TEST_TMP/a.err" "$TEST_TMP/b.err"; then
		ok "round $i: the loser says why"
	else
		not_ok "round $i: the loser's message"; cat "$TEST_TMP"/[ab].err
	fi
	expect_eq "round $i: one open operation" 1 "$(sql "SELECT COUNT(*) FROM operation WHERE open_host = 1" csmaint)"
	expect_eq "round $i: row Disabled" Disabled "$(alloc_of 1)"
	# Enable races the same way: one restores, the other finds nothing to restore.
	"$CSMAINT" -c "$CONF" host enable 1 --execute >/dev/null 2>&1 &
	a=$!
	"$CSMAINT" -c "$CONF" host enable 1 --execute >/dev/null 2>&1 &
	b=$!
	wait $a; ra=$?
	wait $b; rb=$?
	pair="$(printf '%s\n%s\n' $ra $rb | sort | tr '\n' ' ')"
	expect_eq "round $i: one enable won" "0 4 " "$pair"
	expect_eq "round $i: row Enabled" Enabled "$(alloc_of 1)"
done
expect_eq "journal: one closed operation per round" "$rounds" "$(sql "SELECT COUNT(*) FROM operation WHERE state = 'done' AND open_host IS NULL" csmaint)"
expect_eq "no operation left open" 0 "$(sql "SELECT COUNT(*) FROM operation WHERE open_host IS NOT NULL" csmaint)"

# The interleaving that matters, made deterministic: another operator's disable of host 1
# has written its journal row but not committed yet.  csmaint waits on the journal's
# unique key (not on the host row, which CloudStack keeps updating meanwhile); when the
# other commits, csmaint is refused naming that operation; when it rolls back, csmaint
# proceeds.  lock_wait_timeout 10 s here, so the wait outlasts the checks.
sed -i 's/lock_wait_timeout = 2;/lock_wait_timeout = 10;/' "$CONF"
other() {	# other END: the other operator's transaction, ended by END once released
	# A gatekeeper session holds a named lock; the other operator waits for it after
	# its INSERT, so the test decides when the other's transaction ends.
	mdb_sql -e "SELECT GET_LOCK('csmaint-test-gate', 0); SELECT SLEEP(120) AS gatekeeper" >/dev/null 2>&1 &
	GATE=$!
	for _ in $(seq 100); do
		[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(120) AS gatekeeper%'")" -gt 0 ] && break
		sleep 0.05
	done
	mdb_sql "$JOURNAL" -e "START TRANSACTION;
		INSERT INTO operation (kind, cloud_schema, host_id, host_name, column_name, prior_value,
		  new_value, state, open_host, operator, started, updated)
		VALUES ('disable', '$CLOUD', 1, 'xs-01', 'allocation_state', 'Enabled', 'Disabled',
		  'holding', 1, 'other@adm', UTC_TIMESTAMP(), UTC_TIMESTAMP());
		SELECT GET_LOCK('csmaint-test-gate', 120) AS other_operator; $1;" >/dev/null 2>&1 &
	OTHER=$!
	for _ in $(seq 100); do
		[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT GET_LOCK(%AS other_operator%'")" -gt 0 ] && return 0
		sleep 0.05
	done
}
release_other() {
	sql "SELECT ID FROM information_schema.PROCESSLIST WHERE INFO LIKE 'SELECT SLEEP(120) AS gatekeeper%'" |
		while read -r id; do sql "KILL $id"; done
	wait $GATE
	wait $OTHER
}
csmaint_inserting() {
	for _ in $(seq 200); do
		[ "$(sql "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE USER = 'csm' AND INFO LIKE 'INSERT INTO%operation %'")" -gt 0 ] && return 0
		sleep 0.05
	done
	return 1
}
for end in COMMIT ROLLBACK; do
	before=$(sql "SELECT COUNT(*) FROM operation" csmaint)
	other "$end"
	"$CSMAINT" -c "$CONF" host disable xs-01 --execute >"$OUT" 2>"$ERR" &
	cs=$!
	check "other operator then $end: csmaint waits on the journal's unique key" csmaint_inserting
	if mdb_sql "$CLOUD" -e "SET SESSION innodb_lock_wait_timeout = 0;
		UPDATE host SET last_ping = last_ping + 1 WHERE id = 1" 2>"$TEST_TMP/ping.err"; then
		ok "other operator then $end: the host row is not locked while csmaint waits"
	else
		not_ok "other operator then $end: CloudStack's update of host 1: $(cat "$TEST_TMP/ping.err")"
	fi
	release_other
	wait $cs; RC=$?
	if [ $end = COMMIT ]; then
		expect_eq "the other committed first: csmaint refused (exit 4)" 4 "$RC"
		expect_err "cannot disable host 1 \(xs-01\): operation [0-9]+ \(disable, holding\) by other@adm since .* holds it" \
			"the refusal names the other operator's operation"
		expect_no_err "nothing changed; nothing changed|Duplicate" "one plain message"
		expect_eq "the row holds what the other wrote (nothing)" Enabled "$(alloc_of 1)"
		expect_eq "csmaint wrote no journal row" $((before + 1)) "$(sql "SELECT COUNT(*) FROM operation" csmaint)"
		sql "UPDATE operation SET open_host = NULL, state = 'done' WHERE operator = 'other@adm'" csmaint
	else
		expect_eq "the other rolled back: csmaint disabled the host (exit 0)" 0 "$RC"
		expect_eq "row Disabled" Disabled "$(alloc_of 1)"
		expect_eq "csmaint's operation holds the host" "holding" "$(sql "SELECT state FROM operation WHERE open_host = 1 AND operator <> 'other@adm'" csmaint)"
		expect_exit 0 "enable it again" host enable 1 --execute
	fi
done
finish
