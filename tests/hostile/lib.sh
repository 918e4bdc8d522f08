# tests/hostile/lib.sh: the case machinery of the adversarial suite (tests/hostile/run).
#
# A case is one hostile input.  It opens with hcase NAME, runs csmaint with hrun (a
# timeout guards against hangs), asserts with the a_* helpers, and closes with hend,
# which prints "ok N - NAME" or "not ok N - NAME" with every failed assertion, the exit
# status and the head of stderr.  A case that asserts nothing is a harness bug and
# counts as not handled.  State checks compare fingerprints taken by snap: the
# CloudStack tables csmaint reads (cs_digest) and the journal tables.
# shellcheck source-path=SCRIPTDIR source=../lib/common.sh
. "$TOP_SRCDIR/tests/lib/common.sh"

H_TRIED=0 H_HANDLED=0 H_NOT=() H_CASE='' H_WHY=() H_ASSERTS=0
H_TIMEOUT=${H_TIMEOUT:-30}
H_DIR=$TOP_SRCDIR/tests/hostile

# hcase NAME: start a case; snapshot the database and journal.
hcase() {
	H_CASE=$1 H_WHY=() H_ASSERTS=0 RC=0 H_T0=$(date +%s.%N)
	: >"$OUT"; : >"$ERR"
	snap
	H_SNAP=$H_LAST
}

# hend: print the verdict of the current case.
hend() {
	H_TRIED=$((H_TRIED + 1))
	[ "$H_ASSERTS" -gt 0 ] || H_WHY+=("harness: the case asserted nothing")
	local took
	took=$(awk -v a="$H_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	if [ ${#H_WHY[@]} -eq 0 ]; then
		H_HANDLED=$((H_HANDLED + 1))
		echo "ok $H_TRIED - $H_CASE # ${took}s"
		[ "${H_VERBOSE:-0}" = 1 ] && head -n 3 "$ERR" | cut -c1-200 | cat -v | sed 's/^/  # (ok) /'
	else
		H_NOT+=("$H_CASE")
		echo "not ok $H_TRIED - $H_CASE # ${took}s"
		local w
		for w in "${H_WHY[@]}"; do echo "  # $w"; done
		echo "  # exit $RC; stderr:"
		head -c 2000 "$ERR" | head -n 8 | cat -v | sed 's/^/  #   /'
	fi
}

h_fail() { H_WHY+=("$*"); }
h_pass() { H_ASSERTS=$((H_ASSERTS + 1)); }
h_assert() {	# DESC COMMAND...
	local d=$1
	shift
	H_ASSERTS=$((H_ASSERTS + 1))
	"$@" || H_WHY+=("$d")
}

# hrun ARGS...: csmaint with this case's config ($CONF) under a timeout; stdout in $OUT,
# stderr in $ERR, status in $RC (124: it was killed by the timeout), seconds in $H_SECS.
hrun() {
	local t0 t1
	H_RAN_TIMEOUT=$H_TIMEOUT
	t0=$(date +%s.%N)
	timeout -k 2 "$H_TIMEOUT" "$CSMAINT" -c "$CONF" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
	t1=$(date +%s.%N)
	H_SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
}
# hrun_raw ARGS...: as hrun, without -c (the case gives its own options).
hrun_raw() {
	timeout -k 2 "$H_TIMEOUT" "$CSMAINT" "$@" >"$OUT" 2>"$ERR" </dev/null
	RC=$?
}

# a_exit WANT...: the exit status is one of WANT; never a crash or a hang.
a_exit() {
	H_ASSERTS=$((H_ASSERTS + 1))
	local w
	# Under ASan a crash exits 1, the status many cases want: look for its report first.
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$ERR" 2>/dev/null; then
		H_WHY+=("crashed: sanitizer report (exit $RC, want $*)"); return
	fi
	for w in "$@"; do [ "$RC" -eq "$w" ] && return; done
	if [ "$RC" -eq 124 ] || [ "$RC" -eq 137 ]; then
		H_WHY+=("hung: killed after ${H_RAN_TIMEOUT:-$H_TIMEOUT}s (want exit $*)"); return
	fi
	if [ "$RC" -gt 128 ]; then
		H_WHY+=("crashed: signal $((RC - 128)) (want exit $*)"); return
	fi
	H_WHY+=("exit $RC, want $*")
}

# a_err REGEX [DESC]: stderr matches (extended regex, ignoring case).
a_err() {
	H_ASSERTS=$((H_ASSERTS + 1))
	grep -qiE -- "$1" "$ERR" || H_WHY+=("${2:-stderr lacks /$1/}")
}
# a_out REGEX [DESC]: stdout matches.
a_out() {
	H_ASSERTS=$((H_ASSERTS + 1))
	grep -qiE -- "$1" "$OUT" || H_WHY+=("${2:-stdout lacks /$1/}")
}
# a_no_out REGEX [DESC]: stdout does not match.
a_no_out() {
	H_ASSERTS=$((H_ASSERTS + 1))
	! grep -qiE -- "$1" "$OUT" || H_WHY+=("${2:-stdout has /$1/}")
}
# a_any REGEX [DESC]: stdout or stderr matches (a check's fact is on stdout).
a_any() {
	H_ASSERTS=$((H_ASSERTS + 1))
	cat "$OUT" "$ERR" | grep -qiE -- "$1" || H_WHY+=("${2:-output lacks /$1/}")
}
# a_no_err REGEX [DESC]: stderr does not match.
a_no_err() {
	H_ASSERTS=$((H_ASSERTS + 1))
	! grep -qiE -- "$1" "$ERR" || H_WHY+=("${2:-stderr has /$1/}")
}
# a_clean_text [FILE]: no raw control characters other than newline and tab (escape
# sequences from a hostile server or database must be escaped), no sanitizer report.
a_clean_text() {
	H_ASSERTS=$((H_ASSERTS + 1))
	local f=${1:-$ERR}
	if LC_ALL=C grep -q $'[\x01-\x08\x0b-\x1f\x7f]' "$f"; then
		H_WHY+=("raw control characters in $(basename "$f")")
	fi
	if LC_ALL=C grep -qP '\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae]|\xe2\x81[\xa6-\xa9]' "$f"; then
		H_WHY+=("raw C1 controls or direction overrides in $(basename "$f")")
	fi
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$f"; then
		H_WHY+=("sanitizer report in $(basename "$f")")
	fi
}
# a_err_size MAX: stderr is at most MAX bytes.
a_err_size() {
	H_ASSERTS=$((H_ASSERTS + 1))
	local n
	n=$(wc -c <"$ERR")
	[ "$n" -le "$1" ] || H_WHY+=("stderr is $n bytes, want at most $1")
}
# a_secs MAX: the run took at most MAX seconds.
a_secs() {
	H_ASSERTS=$((H_ASSERTS + 1))
	awk -v s="$H_SECS" -v m="$1" 'BEGIN { exit !(s <= m) }' || H_WHY+=("took ${H_SECS}s, want at most ${1}s")
}
# a_eq DESC WANT GOT
a_eq() {
	H_ASSERTS=$((H_ASSERTS + 1))
	[ "$2" = "$3" ] || H_WHY+=("$1: want '$2', got '$3'")
}

# snap: fingerprint of what csmaint may change or must not touch, into $H_LAST: the
# host rows (less the columns the management-server simulator keeps writing, such as
# last_ping), the VM placements, and the journal tables.
snap() {
	H_LAST=$(mdb_sql "$CLOUD" -e "
		SELECT MD5(GROUP_CONCAT(CONCAT_WS(',', id, name, status, type, allocation_state,
			IFNULL(guid, ''), IFNULL(removed, '')) ORDER BY id SEPARATOR ';')) FROM host;
		SELECT MD5(GROUP_CONCAT(CONCAT_WS(',', id, instance_name, state, IFNULL(host_id, ''),
			IFNULL(last_host_id, ''), IFNULL(removed, '')) ORDER BY id SEPARATOR ';')) FROM vm_instance;
		CHECKSUM TABLE $JOURNAL.operation, $JOURNAL.operation_step" 2>/dev/null | md5sum | cut -c1-32)
}
# a_unchanged: the database and the journal are as at hcase.
a_unchanged() {
	H_ASSERTS=$((H_ASSERTS + 1))
	snap
	[ "$H_LAST" = "$H_SNAP" ] || H_WHY+=("database or journal changed$(h_delta)")
}
# What changed, for the report: open operations and the hosts not Enabled that were.
h_delta() {
	local ops
	ops=$(mdb_sql "$JOURNAL" -e "SELECT CONCAT(id, ':', kind, ':', state, ':host ', host_id) FROM operation ORDER BY id DESC LIMIT 3" 2>/dev/null | tr '\n' ' ')
	[ -n "$ops" ] && printf ' (latest operations: %s)' "$ops"
}

# a_fault_served METHOD KIND: the XenAPI simulator served fault KIND (a transport_fault
# name, or an error code as the call's result) on a call of METHOD: the case is not
# vacuous.
a_fault_served() {
	H_ASSERTS=$((H_ASSERTS + 1))
	h_served "$1" "$2" || H_WHY+=("the simulator never served $2 on $1")
}
h_served() { /usr/bin/python3 "$H_DIR/served.py" "$XS_STATE" "$1" "$2"; }

# h_baseline: remember the host rows' allocation and name (in a schema of the suite's
# own); h_reset_db: put them back and empty the journal, after a case that changed
# something, so that the next case starts from the same site.
h_baseline() {
	mdb_sql -e "DROP DATABASE IF EXISTS hostile_bak; CREATE DATABASE hostile_bak;
		CREATE TABLE hostile_bak.host AS SELECT id, name, allocation_state FROM $CLOUD.host"
}
h_reset_db() {
	mdb_sql "$JOURNAL" -e "DELETE FROM operation_step; DELETE FROM operation" 2>/dev/null
	mdb_sql -e "UPDATE $CLOUD.host h JOIN hostile_bak.host b USING (id)
		SET h.name = b.name, h.allocation_state = b.allocation_state"
}

# h_summary: the count the lead quotes; exit status of the suite.
h_summary() {
	echo "hostile: $H_TRIED tried, $H_HANDLED handled"
	if [ ${#H_NOT[@]} -gt 0 ]; then
		echo "not handled:"
		printf '  %s\n' "${H_NOT[@]}"
	fi
	[ "$H_TRIED" -gt 0 ] && [ "$H_TRIED" -eq "$H_HANDLED" ]
}
