# Database faults (issue 8 items 4 and 5): a DBA's LOCK TABLES on the journal (a
# metadata lock), a running backup's FLUSH TABLES WITH READ LOCK, a connection cut at
# COMMIT whose server side stays open, cuts at other statements.  csmaint must give way
# within its lock_wait_timeout (2 s here), exit 4 and say why, and never keep the host
# row locked long enough to block CloudStack.
# shellcheck shell=bash disable=SC2034 # sourced by tests/hostile/run: RC, PROC_CONF, ... are read by lib.sh and common.sh
write_conf
db_conf=$CONF

# h_holder SQL: a second connection runs SQL, then sleeps 4 s holding what it took.
h_holder() {
	mdb_sql -e "$1; SELECT SLEEP(4); UNLOCK TABLES" >/dev/null 2>&1 &
	H_HOLDER=$!
	sleep 0.7
}

# hrun in the background: keep its status and time in files.
hrun_bg_wrap() { hrun "$@"; echo "$RC" >"$TEST_TMP/hrun.rc"; echo "$H_SECS" >"$TEST_TMP/hrun.secs"; }

# lock_case_run NAME HOLD-SQL ERR-REGEX [nocs]: csmaint's host disable while a second
# connection holds HOLD-SQL's lock for 4 s; meanwhile (unless nocs) CloudStack's
# management server writes the host row, and must not wait on csmaint for longer than
# csmaint's own lock timeout.
lock_case_run() {
	local name=$1 hold=$2 re=$3 cs=${4:-cs} cs_rc cs_t0 cs_secs pid
	hcase "db: $name"
	rm -f "$TEST_TMP/hrun.rc" "$TEST_TMP/hrun.secs"
	h_holder "$hold"
	hrun_bg_wrap host disable xs-02 --execute &
	pid=$!
	sleep 1
	cs_t0=$(date +%s.%N)
	if [ "$cs" = cs ]; then
		mdb_sql "$CLOUD" -e "SET SESSION innodb_lock_wait_timeout = 4;
			UPDATE host SET last_ping = last_ping WHERE id = 2" >"$TEST_TMP/cs.out" 2>&1
		cs_rc=$?
	fi
	cs_secs=$(awk -v a="$cs_t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	wait $pid
	RC=$(cat "$TEST_TMP/hrun.rc") H_SECS=$(cat "$TEST_TMP/hrun.secs")
	wait "$H_HOLDER"
	a_exit 4
	a_err "$re"
	a_secs 5
	if [ "$cs" = cs ]; then
		h_assert "CloudStack's UPDATE of the host row failed: $(tr '\n' ' ' <"$TEST_TMP/cs.out")" test "$cs_rc" -eq 0
		h_assert "CloudStack's UPDATE waited ${cs_secs}s on csmaint's row lock" \
			awk -v s="$cs_secs" 'BEGIN { exit !(s <= 2.5) }'
	fi
	a_unchanged
	hend
	h_reset_db
}

lock_case_run "LOCK TABLES csmaint.operation WRITE held by a DBA" \
	"LOCK TABLES $JOURNAL.operation WRITE" 'lock.*(journal|operation|metadata|another session|table)'
lock_case_run "FLUSH TABLES WITH READ LOCK (a running backup)" \
	"FLUSH TABLES WITH READ LOCK" 'read lock|backup|flush|global' nocs
# Control: a plain row lock held by CloudStack (already handled: exit 4 in 2 s).
lock_case_run "host row held FOR UPDATE by another session (control)" \
	"START TRANSACTION; SELECT id FROM $CLOUD.host WHERE id = 2 FOR UPDATE" 'lock wait timeout|another session' nocs

# A connection cut exactly at COMMIT, server side left open: exit 5 (outcome unknown),
# and the abandoned transaction must die soon (csmaint lowers wait_timeout and
# net_read_timeout for its session), releasing the host row to CloudStack.
/usr/bin/python3 "$H_DIR/halfcut.py" "$TEST_TMP/halfcut.port" "$MDB_PORT" "$(printf '\003COMMIT')" \
	2>"$TEST_TMP/halfcut.log" &
H_PROXY=$!
for _ in $(seq 50); do [ -s "$TEST_TMP/halfcut.port" ] && break; sleep 0.1; done
write_conf
sed -i -e "s|socket = .*|host = \"127.0.0.1\"; port = $(cat "$TEST_TMP/halfcut.port");|" \
	-e 's|lock_wait_timeout = 2|lock_wait_timeout = 1|' "$CONF"
hcase "db: connection cut at COMMIT, the server's side left open"
hrun host disable xs-01 --execute
a_exit 5
a_err 'commit.*unknown|unknown.*commit'
h_assert "the proxy did not cut (no COMMIT seen)" grep -q 'cut the client' "$TEST_TMP/halfcut.log"
freed=no
for _ in $(seq 15); do
	if mdb_sql "$CLOUD" -e "SET SESSION innodb_lock_wait_timeout = 1;
		UPDATE host SET last_ping = last_ping WHERE id = 1" >/dev/null 2>&1; then
		freed=yes; break
	fi
done
a_eq "the abandoned transaction released the host row within ~15 s (lock_wait_timeout 1 s)" yes "$freed"
kill "$H_PROXY" 2>/dev/null; wait "$H_PROXY" 2>/dev/null
sleep 0.3
a_eq "the server rolled the transaction back" Enabled "$(alloc_of 1)"
a_eq "no operation was recorded" 0 "$(sql "SELECT COUNT(*) FROM operation" "$JOURNAL")"
hend
h_reset_db

# Cuts at other statements of the transaction (both sides): exit 1, nothing changed.
cut_case() {	# NAME TEXT WANT ERR-REGEX
	hcase "db: connection cut at $1"
	rm -f "$TEST_TMP/fp.port"
	/usr/bin/python3 "$TOP_SRCDIR/tests/lib/faultproxy.py" "$TEST_TMP/fp.port" "$MDB_PORT" \
		--cut-on "$2" 2>"$TEST_TMP/fp.log" &
	H_PROXY=$!
	for _ in $(seq 50); do [ -s "$TEST_TMP/fp.port" ] && break; sleep 0.1; done
	write_conf
	sed -i "s|socket = .*|host = \"127.0.0.1\"; port = $(cat "$TEST_TMP/fp.port");|" "$CONF"
	hrun host disable xs-01 --execute
	kill "$H_PROXY" 2>/dev/null; wait "$H_PROXY" 2>/dev/null
	# shellcheck disable=SC2086 # WANT may list several statuses
	a_exit $3
	a_err "$4"
	h_assert "the proxy never cut" grep -q 'cut the connection' "$TEST_TMP/fp.log"
	sleep 0.3
	a_unchanged
	hend
	h_reset_db
}
cut_case "the row lock (FOR UPDATE)" "FOR UPDATE" 1 'lost|connection|gone'
cut_case "the compare-and-set UPDATE" "UPDATE " 1 'lost|connection|gone'
cut_case "the journal INSERT" "INSERT INTO" 1 'lost|connection|gone'
cut_case "COMMIT (control: exit 5)" "$(printf '\003COMMIT')" 5 'commit.*unknown|unknown.*commit'
CONF=$db_conf
write_conf
