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
finish
