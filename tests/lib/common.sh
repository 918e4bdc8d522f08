# common.sh: helpers for the integration tests (tests/t-*.sh).  Source it first.
#
# It starts a private MariaDB in $TEST_TMP (tests/lib/mariadb.sh), stops it on exit,
# and offers: need_cmd/need_py/... (tests/lib/need.sh: skip, exit 77, when a prerequisite
# is missing), cs_setup VERSION (load a sample CloudStack database, create a user and a
# config), run (csmaint with captured output), expect_exit, expect_out/expect_err,
# sql (one value from the test database), check, and finish.
set -u
: "${TOP_SRCDIR:?}" "${TEST_TMP:?}" "${CSMAINT:?}"
. "$TOP_SRCDIR/tests/lib/mariadb.sh"
. "$TOP_SRCDIR/tests/lib/need.sh"

T_PASS=0 T_FAIL=0
OUT=$TEST_TMP/out ERR=$TEST_TMP/err RC=0
CLOUD=cloud JOURNAL=csmaint
CONF=$TEST_TMP/csmaint.conf

_cleanup() {
	mdb_stop >/dev/null 2>&1
	[ -n "${XAPISIM_PID:-}" ] && kill "$XAPISIM_PID" 2>/dev/null
	return 0
}
trap _cleanup EXIT

ok() { T_PASS=$((T_PASS + 1)); echo "ok - $*"; }
not_ok() {
	T_FAIL=$((T_FAIL + 1))
	echo "not ok - $*"
	echo "  # exit $RC; stdout:"; sed 's/^/  #   /' "$OUT" 2>/dev/null | head -20
	echo "  # stderr:"; sed 's/^/  #   /' "$ERR" 2>/dev/null | head -20
}

# check DESC COMMAND...: the command must succeed.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else not_ok "$d"; fi
}

# run ARGS...: csmaint with this test's config; stdout in $OUT, stderr in $ERR, status $RC.
run() {
	"$CSMAINT" -c "$CONF" "$@" >"$OUT" 2>"$ERR"
	RC=$?
}

# expect_exit N DESC ARGS...: run csmaint and check its exit status.
expect_exit() {
	local want=$1 d=$2
	shift 2
	run "$@"
	if [ "$RC" -eq "$want" ]; then ok "$d (exit $want)"; else not_ok "$d: want exit $want"; fi
}

expect_out() { if grep -qE -- "$1" "$OUT"; then ok "${2:-stdout matches $1}"; else not_ok "${2:-stdout matches $1}"; fi; }
expect_err() { if grep -qE -- "$1" "$ERR"; then ok "${2:-stderr matches $1}"; else not_ok "${2:-stderr matches $1}"; fi; }
expect_no_err() { if grep -qE -- "$1" "$ERR" "$OUT"; then not_ok "${2:-output lacks $1}"; else ok "${2:-output lacks $1}"; fi; }

# expect_eq DESC WANT GOT
expect_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1: want '$2', got '$3'"; fi
}

# sql QUERY [DB]: one result (tab-separated) from the test database.
sql() { mdb_sql "${2:-$CLOUD}" -e "$1"; }

# A host's allocation value, whichever the generation.
alloc_of() {
	local col=allocation_state
	[ "${CS_VERSION:-2.2}" = 3.0 ] && col=resource_state
	sql "SELECT $col FROM host WHERE id = $1"
}

# Fingerprint of every CloudStack table csmaint may read, to prove nothing changed.
cs_digest() { mdb_sql "$CLOUD" -e "CHECKSUM TABLE host, vm_instance" | md5sum | cut -c1-32; }

# write_conf [EXTRA-LINES]: the test's config file, mode 600.
write_conf() {
	cat >"$CONF" <<CONF
database = {
  socket = "$MDB_SOCK";
  user = "csm";
  password_file = "$TEST_TMP/db.pass";
  name = "$CLOUD";
  journal = "$JOURNAL";
  lock_wait_timeout = 2;
};
${1:-}
CONF
	chmod 600 "$CONF"
}

# cs_setup [VERSION]: server, sample CloudStack database, user csm, config, journal.
cs_setup() {
	CS_VERSION=${1:-2.2}
	need_mariadb
	mdb_start "$TEST_TMP/db" >/dev/null || { echo "cannot start MariaDB"; exit 1; }
	mdb_load_cloudstack "$CS_VERSION" "$CLOUD" || { echo "cannot load fixtures"; exit 1; }
	mdb_create_user csm 's3cr3t-pw' "ALL PRIVILEGES ON *.*" || exit 1
	printf 's3cr3t-pw\n' >"$TEST_TMP/db.pass"
	chmod 600 "$TEST_TMP/db.pass"
	write_conf
	"$CSMAINT" -c "$CONF" schema install --execute >/dev/null 2>&1 || {
		echo "schema install failed"; "$CSMAINT" -c "$CONF" schema install --execute; exit 1; }
}

finish() {
	echo "# $T_PASS passed, $T_FAIL failed"
	[ "$T_FAIL" -eq 0 ] && [ "$T_PASS" -gt 0 ]
	exit $?
}

# xapi_setup [SCENARIO]: certificates, the XenAPI simulator on 127.0.0.x, and the
# config's xenapi group (CA-verified HTTPS).  Sets XS_STATE, XS_PORT, XS_CERTS.
xapi_setup() {
	local scenario=${1:-$TOP_SRCDIR/tests/data/xapi-pool-2.2.json}
	XS_CERTS=$TEST_TMP/certs XS_STATE=$TEST_TMP/xapisim
	need_cmd openssl openssl
	need_cmd /usr/bin/python3 python3
	mkdir -p "$XS_STATE"
	"$TOP_SRCDIR/tests/xapisim/mkcert.sh" "$XS_CERTS" >/dev/null || { echo "mkcert failed"; exit 1; }
	/usr/bin/python3 "$TOP_SRCDIR/tests/xapisim/xapisim.py" --scenario "$scenario" \
		--cert "$XS_CERTS/server.pem" --key "$XS_CERTS/server.key" --cacert "$XS_CERTS/ca.pem" \
		--port 0 --state-dir "$XS_STATE" 2>"$TEST_TMP/xapisim.log" &
	XAPISIM_PID=$!
	for _ in $(seq 100); do [ -f "$XS_STATE/ready" ] && break; sleep 0.1; done
	[ -f "$XS_STATE/ready" ] || { echo "xapisim did not start"; cat "$TEST_TMP/xapisim.log"; exit 1; }
	XS_PORT=$(cat "$XS_STATE/port")
	printf 'xenroot\n' >"$TEST_TMP/xapi.pass"
	chmod 600 "$TEST_TMP/xapi.pass"
	XAPI_CONF="xenapi = { url = \"https://%s:$XS_PORT/\"; user = \"root\";
  password_file = \"$TEST_TMP/xapi.pass\"; ca_file = \"$XS_CERTS/ca.pem\"; timeout = 5; connect_timeout = 2; };"
	write_conf "$XAPI_CONF"
}

# simctl ARGS...: drive the XenAPI simulator's control interface.
simctl() { /usr/bin/python3 "$TOP_SRCDIR/tests/xapisim/simctl" --state-dir "$XS_STATE" "$@"; }

# mkpatch FILE UUID NAME GUIDANCE [EXTRA...]: a hotfix file in the simulator's format
# (line 1 the metadata xapi would read with the patch's "info", line 2 the signature).
mkpatch() {
	local file=$1 uuid=$2 name=$3 guidance=$4
	shift 4
	{
		printf 'XSUPDATE uuid=%s name-label=%s version=1.0 after-apply-guidance=%s' \
			"$uuid" "$name" "$guidance"
		[ $# -gt 0 ] && printf ' %s' "$@"
		printf '\nSIGNATURE ok\n'
		head -c 65536 /dev/urandom | base64
	} >"$file"
	# A 7.1+ update is an ISO 9660 image: its volume descriptor says CD001 at 32769
	# (csmaint checks it before anything changes).
	case $file in *.iso|*.ISO)
		printf 'CD001' | dd of="$file" bs=1 seek=32769 conv=notrunc status=none ;;
	esac
}

# ms_setup [ARGS...]: the CloudStack management-server simulator on the test database,
# tied to the XenAPI simulator (it plays the operator's UI steps with msctl autopilot).
ms_setup() {
	need_py pymysql python3-pymysql
	mdb_create_user mssim 'ms-pw' "ALL PRIVILEGES ON *.*" >/dev/null || exit 1
	printf 'ms-pw\n' >"$TEST_TMP/ms.pass"
	MS_STATE=$TEST_TMP/mssim
	mkdir -p "$MS_STATE"
	/usr/bin/python3 "$TOP_SRCDIR/tests/mssim/mssim.py" --socket "$MDB_SOCK" --user mssim \
		--password-file "$TEST_TMP/ms.pass" --db "$CLOUD" --state-dir "$MS_STATE" \
		${XS_STATE:+--xapisim-state-dir "$XS_STATE"} "$@" 2>"$TEST_TMP/mssim.log" &
	MSSIM_PID=$!
	for _ in $(seq 100); do [ -e "$MS_STATE/ready" ] && break; sleep 0.1; done
	[ -e "$MS_STATE/ready" ] || { echo "mssim did not start"; cat "$TEST_TMP/mssim.log"; exit 1; }
	trap 'kill $MSSIM_PID 2>/dev/null; wait $MSSIM_PID 2>/dev/null; _cleanup' EXIT
}
msctl() { /usr/bin/python3 "$TOP_SRCDIR/tests/mssim/msctl" --state-dir "$MS_STATE" "$@"; }

# The procedure's timings for tests: quick polls, short waits.
PROC_FAST='procedure = { poll_interval = 0.2; wait_timeout = 60; reboot_timeout = 60; };'

# hotfix_fresh: a fresh sample database, journal, XenAPI and management-server
# simulators, and two hotfix files $F3 (restartHost) and $F4 (restartXAPI, needs $F3).
# For the procedure tests, which each start from a clean site.
hotfix_fresh() {
	[ -n "${MSSIM_PID:-}" ] && { kill "$MSSIM_PID" 2>/dev/null; wait "$MSSIM_PID" 2>/dev/null; MSSIM_PID=; }
	[ -n "${XAPISIM_PID:-}" ] && { kill "$XAPISIM_PID" 2>/dev/null; wait "$XAPISIM_PID" 2>/dev/null; XAPISIM_PID=; }
	rm -rf "$TEST_TMP/xapisim" "$TEST_TMP/mssim"
	if [ -z "${MDB_PID:-}" ]; then
		cs_setup "${CS_VERSION:-2.2}"
	else
		mdb_load_cloudstack "${CS_VERSION:-2.2}" "$CLOUD" >/dev/null
		mdb_sql -e "DROP DATABASE IF EXISTS $JOURNAL"
		"$CSMAINT" -c "$CONF" schema install --execute >/dev/null 2>&1
	fi
	xapi_setup "${1:-$TOP_SRCDIR/tests/data/xapi-pool-2.2.json}"
	write_conf "$XAPI_CONF
${PROC_CONF:-$PROC_FAST}"
	ms_setup
	sleep 1	# mssim finishes the sample's in-flight migration of VM 4; its API job ends too
	sql "UPDATE async_job SET job_status = 1 WHERE id = 1"
	F3=$TEST_TMP/XS56EFP1003.xsupdate F4=$TEST_TMP/XS56EFP1004.xsupdate
	mkpatch "$F3" c3c3c3c3-0000-4000-8000-000000000003 XS56EFP1003 restartHost
	mkpatch "$F4" c4c4c4c4-0000-4000-8000-000000000004 XS56EFP1004 restartXAPI \
		"requires=c3c3c3c3-0000-4000-8000-000000000003"
}

# op_state ID: the operation's state as `journal show` reports it (interrupted included).
op_state() { "$CSMAINT" -c "$CONF" journal show "$1" -o json 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["operations"][0]["state"])' 2>/dev/null; }

# wait_step NAME [STATE]: until the procedure's journal has step NAME in STATE (done).
wait_step() {
	local i
	for i in $(seq 600); do
		[ "$(mdb_sql "$JOURNAL" -e "SELECT COUNT(*) FROM operation_step WHERE name = '$1' AND state = '${2:-done}'" 2>/dev/null)" -gt 0 ] && return 0
		sleep 0.05
	done
	return 1
}

# mk_hotfixes: the hotfix files $F3 (XS56EFP1003, restartHost) and $F4 (XS56EFP1004,
# restartXAPI, needs $F3) in $TEST_TMP, the two patches tests/data/mkpool.py knows.
mk_hotfixes() {
	F3=$TEST_TMP/XS56EFP1003.xsupdate F4=$TEST_TMP/XS56EFP1004.xsupdate
	mkpatch "$F3" c3c3c3c3-0000-4000-8000-000000000003 XS56EFP1003 restartHost
	mkpatch "$F4" c4c4c4c4-0000-4000-8000-000000000004 XS56EFP1004 restartXAPI \
		"requires=c3c3c3c3-0000-4000-8000-000000000003"
}

# rolling_setup VERSION POOL...: a site for `csmaint rolling`: the sample CloudStack
# VERSION (2.2 or 3.0) database with each POOL of tests/data/mkpool.py (pool-a, pool-b,
# pool-tight, pool-c) added as a cluster, one XenAPI simulator per pool (all on the same
# port, each host on its own 127.0.0.x), the management-server simulator tied to all of
# them, the config ($CONF: database, xenapi, PROC_FAST) and the hotfix files $F3 $F4.
# Extra mkpool.py options per pool in MKPOOL_ARGS_<pool with - as _>, e.g.
#   MKPOOL_ARGS_pool_a="--patched rx-02 --apply-fail-on rx-03 --hosts 16"
# and extra mssim options in MSSIM_OPTS.  Sets, for each pool P (P_ = P with - as _):
#   XS_STATE_P_   the pool's xapisim state dir (simctl --state-dir, e.g. XS_STATE_pool_a)
#   XS_PID_P_     its pid;  POOL_SQL_P_ / POOL_JSON_P_  the generated fixture files
# and XS_STATE (the first pool's, for simctl), XS_PORT, XS_CERTS, XAPI_CONF, MS_STATE,
# MSSIM_PID, CS_VERSION, F3, F4.  Everything is stopped on exit.  Called again in the
# same test it starts over: simulators restarted, the CloudStack database reloaded (VERSION
# may differ) and the journal emptied, on the same MariaDB.
rolling_setup() {
	local v=$1 p u st first=1 pids=
	shift
	if [ -n "${MDB_PID:-}" ] && [ -n "${ROLLING_DONE:-}" ]; then
		kill $MSSIM_PID $ROLLING_XS_PIDS $XAPISIM_PID 2>/dev/null
		wait $MSSIM_PID $ROLLING_XS_PIDS $XAPISIM_PID 2>/dev/null
		MSSIM_PID= XAPISIM_PID= ROLLING_XS_PIDS=
		rm -rf "$TEST_TMP/xapisim" "$TEST_TMP"/xapisim-* "$TEST_TMP/mssim" "$TEST_TMP/pools"
		CS_VERSION=$v
		mdb_load_cloudstack "$v" "$CLOUD" >/dev/null || { echo "cannot load fixtures"; exit 1; }
		mdb_sql -e "DROP DATABASE IF EXISTS $JOURNAL"
		write_conf
		"$CSMAINT" -c "$CONF" schema install --execute >/dev/null 2>&1 || {
			echo "schema install failed"; exit 1; }
	else
		cs_setup "$v"
	fi
	ROLLING_DONE=1
	mkdir -p "$TEST_TMP/pools"
	for p in "$@"; do
		u=${p//-/_}
		eval "local extra=\${MKPOOL_ARGS_$u:-}"
		# shellcheck disable=SC2086
		/usr/bin/python3 "$TOP_SRCDIR/tests/data/mkpool.py" "$p" "$v" $extra \
			--sql "$TEST_TMP/pools/$p.sql" --json "$TEST_TMP/pools/$p.json" ||
			{ echo "mkpool.py $p failed"; exit 1; }
		mdb_sql "$CLOUD" <"$TEST_TMP/pools/$p.sql" || { echo "cannot load pool $p"; exit 1; }
		eval "POOL_SQL_$u=\$TEST_TMP/pools/\$p.sql POOL_JSON_$u=\$TEST_TMP/pools/\$p.json"
		if [ $first = 1 ]; then
			xapi_setup "$TEST_TMP/pools/$p.json"
			st=$XS_STATE
			eval "XS_PID_$u=\$XAPISIM_PID"
			first=0
		else
			st=$TEST_TMP/xapisim-$p
			mkdir -p "$st"
			/usr/bin/python3 "$TOP_SRCDIR/tests/xapisim/xapisim.py" --scenario "$TEST_TMP/pools/$p.json" \
				--cert "$XS_CERTS/server.pem" --key "$XS_CERTS/server.key" --cacert "$XS_CERTS/ca.pem" \
				--port "$XS_PORT" --state-dir "$st" 2>"$TEST_TMP/xapisim-$p.log" &
			eval "XS_PID_$u=\$!"
			pids="$pids $!"
			for _ in $(seq 100); do [ -f "$st/ready" ] && break; sleep 0.1; done
			[ -f "$st/ready" ] || { echo "xapisim $p did not start"; cat "$TEST_TMP/xapisim-$p.log"; exit 1; }
		fi
		eval "XS_STATE_$u=\$st"
	done
	XS_STATE=$(eval "echo \$XS_STATE_${1//-/_}")
	ROLLING_XS_PIDS=$pids
	write_conf "$XAPI_CONF
${PROC_CONF:-$PROC_FAST}"
	# ms_setup adds --xapisim-state-dir $XS_STATE (the first pool); the others here
	local rest=
	for p in "${@:2}"; do rest="$rest --xapisim-state-dir $(eval "echo \$XS_STATE_${p//-/_}")"; done
	# shellcheck disable=SC2086
	ms_setup $rest ${MSSIM_OPTS:-}
	trap 'kill $MSSIM_PID $ROLLING_XS_PIDS 2>/dev/null; wait $MSSIM_PID $ROLLING_XS_PIDS 2>/dev/null; _cleanup' EXIT
	sleep 1	# mssim finishes the sample's in-flight migration of VM 4; its API job ends too
	sql "UPDATE async_job SET job_status = 1 WHERE id = 1"
	mk_hotfixes
}
