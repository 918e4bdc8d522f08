# mariadb.sh: start a throwaway MariaDB server in a private directory for tests and the demo.
#
# Source this file from bash; the caller sets TOP_SRCDIR (the repository root).
#
#   mdb_start DIR            initialise DIR/data if needed and start mariadbd on DIR/mysqld.sock
#                            and a free TCP port on 127.0.0.1; waits until it answers
#   mdb_sql [ARGS...]        the mariadb client as the server's root over the socket,
#                            --batch --skip-column-names (ARGS may add -e SQL, a database
#                            name, --column-names, ...); SQL from stdin unless -e
#   mdb_load_cloudstack VERSION DBNAME
#                            VERSION 2.2 or 3.0: (re)create DBNAME (utf8) and load
#                            $TOP_SRCDIR/sql/sample/cloudstack-VERSION-{schema,data}.sql
#   mdb_create_user USER PASSWORD [GRANT...]
#                            (re)create USER@'127.0.0.1' and USER@'localhost'; each GRANT
#                            argument is "PRIVILEGES ON TARGET", e.g. "SELECT ON cloud.*"
#   mdb_restart              stop and start again on the same datadir, socket and port
#   mdb_stop [DIR]           graceful shutdown, then SIGTERM, then SIGKILL
#
# After mdb_start the environment has MDB_DIR, MDB_SOCK, MDB_PORT, MDB_PID (exported).
# Optional settings, read by mdb_start:
#   MDB_START_TIMEOUT  seconds to wait for the server (default 30)
#   MDB_SERVER_ARGS    extra mariadbd options, split on blanks (e.g. "--sql-mode=")
#   MDB_WATCHDOG       1 (default): a small background watcher kills the server when the
#                      shell that sourced this file ($$) dies without calling mdb_stop;
#                      0: leave the server running (a long-lived demo)
#
# Every server option is on the command line after --no-defaults, so no system option file
# (/etc/mysql) is read, and nothing under /var/lib/mysql or /run/mysqld is used.
# Functions return 0 on success and 1 with a message on stderr on failure; they never exit.

MDB_SERVER_BIN=${MDB_SERVER_BIN:-}
MDB_INSTALL_BIN=${MDB_INSTALL_BIN:-}
MDB_CLIENT_BIN=${MDB_CLIENT_BIN:-}
MDB_ADMIN_BIN=${MDB_ADMIN_BIN:-}

_mdb_err() {
	printf 'mariadb.sh: %s\n' "$*" >&2
}

# The first of the named programs found in PATH, /usr/sbin or /usr/bin.
_mdb_find() {
	local p d
	for p in "$@"; do
		if command -v "$p" >/dev/null 2>&1; then
			command -v "$p"
			return 0
		fi
		for d in /usr/sbin /usr/bin /usr/local/sbin /usr/local/bin; do
			if [ -x "$d/$p" ]; then
				printf '%s\n' "$d/$p"
				return 0
			fi
		done
	done
	return 1
}

_mdb_bins() {
	[ -n "$MDB_SERVER_BIN" ] || MDB_SERVER_BIN=$(_mdb_find mariadbd mysqld) || {
		_mdb_err "mariadbd not found: install the Debian package mariadb-server"; return 1; }
	[ -n "$MDB_INSTALL_BIN" ] || MDB_INSTALL_BIN=$(_mdb_find mariadb-install-db mysql_install_db) || {
		_mdb_err "mariadb-install-db not found: install the Debian package mariadb-server"; return 1; }
	[ -n "$MDB_CLIENT_BIN" ] || MDB_CLIENT_BIN=$(_mdb_find mariadb mysql) || {
		_mdb_err "mariadb client not found: install the Debian package mariadb-client"; return 1; }
	[ -n "$MDB_ADMIN_BIN" ] || MDB_ADMIN_BIN=$(_mdb_find mariadb-admin mysqladmin) || {
		_mdb_err "mariadb-admin not found: install the Debian package mariadb-client"; return 1; }
	return 0
}

# True if PID is a live process (a zombie counts as dead: our reaper may be slow or absent).
_mdb_alive() {
	local pid=$1 state
	[ -n "$pid" ] || return 1
	kill -0 "$pid" 2>/dev/null || return 1
	state=$(awk '{ print $3 }' "/proc/$pid/stat" 2>/dev/null) || return 0
	[ "$state" != Z ]
}

# True if nothing listens on 127.0.0.1:PORT (a bind attempt succeeds).
_mdb_port_free() {
	local port=$1
	if [ -x /usr/bin/python3 ]; then
		/usr/bin/python3 - "$port" <<'EOF' 2>/dev/null
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(1)
finally:
    s.close()
EOF
		return
	fi
	if command -v ss >/dev/null 2>&1; then
		[ -z "$(ss -Hltn "sport = :$port" 2>/dev/null)" ]
		return
	fi
	# Last resort: nobody answers a connect.
	! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null
}

# A free port in 20000-40000, tried at random.
_mdb_pick_port() {
	local n=200 port
	while [ "$n" -gt 0 ]; do
		n=$((n - 1))
		port=$(( 20000 + (RANDOM * 32768 + RANDOM) % 20001 ))
		if _mdb_port_free "$port"; then
			printf '%s\n' "$port"
			return 0
		fi
	done
	_mdb_err "no free TCP port found in 20000-40000 on 127.0.0.1"
	return 1
}

_mdb_log_tail() {
	if [ -f "$MDB_DIR/error.log" ]; then
		_mdb_err "last lines of $MDB_DIR/error.log:"
		tail -n 25 "$MDB_DIR/error.log" >&2
	fi
}

# Wait up to TENTHS tenths of a second for PID to end; false if it is still alive.
_mdb_wait_dead() {
	local pid=$1 n=$2
	while [ "$n" -gt 0 ]; do
		_mdb_alive "$pid" || return 0
		sleep 0.1
		n=$((n - 1))
	done
	! _mdb_alive "$pid"
}

_mdb_ping() {
	"$MDB_ADMIN_BIN" --no-defaults "--socket=$MDB_SOCK" --user=root \
		--connect-timeout=2 ping >/dev/null 2>&1
}

# Create the system tables in DIR/data unless they are there already.
_mdb_init_datadir() {
	local dir=$1 auth=socket
	[ -d "$dir/data/mysql" ] && return 0
	rm -rf "$dir/data"
	mkdir -p "$dir/data" "$dir/tmp" || return 1
	# Socket authentication lets only the OS user root log in as root; a non-root caller
	# gets a password-less root instead (the server listens on 127.0.0.1 only).
	[ "$(id -u)" = 0 ] || auth=normal
	if ! "$MDB_INSTALL_BIN" --no-defaults "--datadir=$dir/data" \
		"--auth-root-authentication-method=$auth" --skip-test-db \
		"--user=$(id -un)" --innodb-buffer-pool-size=32M --innodb-log-file-size=8M \
		--innodb-data-file-path=ibdata1:10M:autoextend \
		>"$dir/install.log" 2>&1; then
		_mdb_err "mariadb-install-db failed in $dir/data:"
		tail -n 25 "$dir/install.log" >&2
		return 1
	fi
	return 0
}

# Close every inherited descriptor above 2 (in a subshell about to start a long-lived
# process), so the server never holds open a pipe of whoever ran the test.
_mdb_close_fds() {
	local f
	for f in /proc/"$BASHPID"/fd/*; do
		f=${f##*/}
		[ "$f" -gt 2 ] 2>/dev/null && eval "exec $f>&-"
	done 2>/dev/null
	return 0
}

# Launch mariadbd on MDB_PORT, detached from this shell (so it is never our zombie).
# Returns 0 once it answers, 2 if the port was taken, 1 on any other failure.
_mdb_launch() {
	local dir=$MDB_DIR timeout=${MDB_START_TIMEOUT:-30} deadline pid logsize
	local -a extra=()
	# shellcheck disable=SC2206
	[ -n "${MDB_SERVER_ARGS:-}" ] && extra=($MDB_SERVER_ARGS)
	rm -f "$MDB_SOCK" "$MDB_SOCK.lock" "$dir/mysqld.pid"
	logsize=0
	[ -f "$dir/error.log" ] && logsize=$(stat -c %s "$dir/error.log")
	(
		exec </dev/null >>"$dir/server.out" 2>&1
		_mdb_close_fds
		"$MDB_SERVER_BIN" --no-defaults \
			"--datadir=$dir/data" "--tmpdir=$dir/tmp" \
			"--socket=$MDB_SOCK" "--pid-file=$dir/mysqld.pid" \
			"--log-error=$dir/error.log" \
			--bind-address=127.0.0.1 "--port=$MDB_PORT" --skip-name-resolve \
			"--user=$(id -un)" \
			--character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci \
			--innodb-buffer-pool-size=32M --innodb-log-file-size=8M \
			--innodb-data-file-path=ibdata1:10M:autoextend \
			--innodb-flush-log-at-trx-commit=2 --innodb-doublewrite=0 \
			--performance-schema=OFF --skip-log-bin \
			--max-connections=200 --key-buffer-size=1M \
			"${extra[@]}" &
		echo $! >"$dir/launch.pid"
	)
	pid=$(cat "$dir/launch.pid" 2>/dev/null)
	MDB_PID=$pid
	deadline=$(( $(date +%s) + timeout ))
	while :; do
		if _mdb_ping; then
			[ -s "$dir/mysqld.pid" ] && MDB_PID=$(cat "$dir/mysqld.pid")
			export MDB_PID
			return 0
		fi
		if ! _mdb_alive "$pid"; then
			if tail -c +"$((logsize + 1))" "$dir/error.log" 2>/dev/null |
				grep -q -e 'Address already in use' -e 'Bind on TCP/IP port'; then
				return 2
			fi
			_mdb_err "mariadbd exited during start-up"
			_mdb_log_tail
			return 1
		fi
		if [ "$(date +%s)" -ge "$deadline" ]; then
			_mdb_err "mariadbd did not accept connections within ${timeout}s"
			_mdb_log_tail
			kill -KILL "$pid" 2>/dev/null
			return 1
		fi
		sleep 0.1
	done
}

# Kill the server if the shell that started it goes away without mdb_stop.
_mdb_watchdog() {
	local owner=$1 server=$2 dir=$3
	[ "${MDB_WATCHDOG:-1}" = 1 ] || return 0
	(
		exec </dev/null >/dev/null 2>&1
		_mdb_close_fds
		while _mdb_alive "$server"; do
			if ! _mdb_alive "$owner"; then
				kill -TERM "$server" 2>/dev/null
				sleep 5
				kill -KILL "$server" 2>/dev/null
				break
			fi
			sleep 1
		done
	) &
	echo $! >"$dir/watchdog.pid"
	disown $! 2>/dev/null || true
}

mdb_start() {
	local dir=${1:-} port rc attempt fixed_port=${_MDB_FIXED_PORT:-}
	if [ -z "$dir" ]; then
		_mdb_err "usage: mdb_start DIR"
		return 1
	fi
	_mdb_bins || return 1
	mkdir -p "$dir" || return 1
	dir=$(cd "$dir" && pwd) || return 1
	MDB_DIR=$dir

	# A server already running from this directory is reused as it is.
	if [ -s "$dir/mysqld.pid" ] && _mdb_alive "$(cat "$dir/mysqld.pid")" &&
		[ -s "$dir/socket" ] && [ -s "$dir/port" ]; then
		MDB_SOCK=$(cat "$dir/socket")
		MDB_PORT=$(cat "$dir/port")
		MDB_PID=$(cat "$dir/mysqld.pid")
		if _mdb_ping; then
			export MDB_DIR MDB_SOCK MDB_PORT MDB_PID
			return 0
		fi
		_mdb_err "a server (pid $MDB_PID) runs in $dir but does not answer; stopping it"
		mdb_stop "$dir" || return 1
	fi

	# sun_path holds 108 bytes; a deep DIR gets its socket in a short private directory.
	MDB_SOCK=$dir/mysqld.sock
	if [ "${#MDB_SOCK}" -gt 100 ]; then
		if [ -s "$dir/socket" ] && [ "$(dirname "$(cat "$dir/socket")")" != "$dir" ] &&
			[ -d "$(dirname "$(cat "$dir/socket")")" ]; then
			MDB_SOCK=$(cat "$dir/socket")
		else
			MDB_SOCK=$(mktemp -d /tmp/mdb.XXXXXX)/mysqld.sock || return 1
		fi
	fi
	printf '%s\n' "$MDB_SOCK" >"$dir/socket"

	_mdb_init_datadir "$dir" || return 1
	mkdir -p "$dir/tmp"

	for attempt in 1 2 3 4 5; do
		if [ -n "$fixed_port" ]; then
			port=$fixed_port
		elif [ "$attempt" = 1 ] && [ -s "$dir/port" ] && _mdb_port_free "$(cat "$dir/port")"; then
			port=$(cat "$dir/port")	# same port as last time, if still free
		else
			port=$(_mdb_pick_port) || return 1
		fi
		MDB_PORT=$port
		printf '%s\n' "$port" >"$dir/port"
		_mdb_launch
		rc=$?
		if [ "$rc" = 0 ]; then
			export MDB_DIR MDB_SOCK MDB_PORT MDB_PID
			_mdb_watchdog "$$" "$MDB_PID" "$dir"
			return 0
		fi
		if [ "$rc" = 2 ] && [ -z "$fixed_port" ]; then
			continue	# lost a race for the port: try another one
		fi
		[ "$rc" = 2 ] && { _mdb_err "port $port on 127.0.0.1 is in use"; _mdb_log_tail; }
		return 1
	done
	_mdb_err "could not start mariadbd: every port tried was taken"
	return 1
}

mdb_stop() {
	local dir=${1:-${MDB_DIR:-}} pid sock
	if [ -z "$dir" ]; then
		_mdb_err "mdb_stop: no server directory (call mdb_start first or pass DIR)"
		return 1
	fi
	_mdb_bins || return 1
	pid=
	[ -s "$dir/mysqld.pid" ] && pid=$(cat "$dir/mysqld.pid")
	[ -z "$pid" ] && [ -s "$dir/launch.pid" ] && pid=$(cat "$dir/launch.pid")
	sock=$dir/mysqld.sock
	[ -s "$dir/socket" ] && sock=$(cat "$dir/socket")
	if [ -n "$pid" ] && _mdb_alive "$pid"; then
		"$MDB_ADMIN_BIN" --no-defaults "--socket=$sock" --user=root \
			--connect-timeout=2 --shutdown-timeout=20 shutdown >/dev/null 2>&1
		_mdb_wait_dead "$pid" 100 ||
			{ kill -TERM "$pid" 2>/dev/null; _mdb_wait_dead "$pid" 100; } ||
			{ kill -KILL "$pid" 2>/dev/null; _mdb_wait_dead "$pid" 50; } || {
			_mdb_err "mariadbd (pid $pid) does not stop"
			return 1
		}
	fi
	if [ -s "$dir/watchdog.pid" ]; then
		kill "$(cat "$dir/watchdog.pid")" 2>/dev/null
		rm -f "$dir/watchdog.pid"
	fi
	rm -f "$dir/mysqld.pid" "$dir/launch.pid" "$sock" "$sock.lock"
	case $sock in
	/tmp/mdb.*/mysqld.sock) rmdir "$(dirname "$sock")" 2>/dev/null ;;
	esac
	return 0
}

mdb_restart() {
	local dir=${MDB_DIR:-} port=${MDB_PORT:-}
	if [ -z "$dir" ] || [ -z "$port" ]; then
		_mdb_err "mdb_restart: no server (call mdb_start first)"
		return 1
	fi
	mdb_stop "$dir" || return 1
	_MDB_FIXED_PORT=$port mdb_start "$dir"
}

mdb_sql() {
	if [ -z "${MDB_SOCK:-}" ]; then
		_mdb_err "mdb_sql: no server (call mdb_start first)"
		return 1
	fi
	_mdb_bins || return 1
	"$MDB_CLIENT_BIN" --no-defaults "--socket=$MDB_SOCK" --user=root \
		--default-character-set=utf8mb4 --batch --skip-column-names "$@"
}

# SQL string literal for $1 (quotes and backslashes escaped).
mdb_quote() {
	local s=$1
	s=${s//\\/\\\\}
	s=${s//\'/\\\'}
	printf "'%s'" "$s"
}

mdb_load_cloudstack() {
	local version=${1:-} db=${2:-} dir f
	case $version in
	2.2|3.0) ;;
	*) _mdb_err "mdb_load_cloudstack: VERSION must be 2.2 or 3.0, not '$version'"; return 1 ;;
	esac
	case $db in
	''|*[!A-Za-z0-9_]*)
		_mdb_err "mdb_load_cloudstack: DBNAME must be letters, digits and _ (got '$db')"
		return 1 ;;
	esac
	if [ -z "${TOP_SRCDIR:-}" ]; then
		_mdb_err "mdb_load_cloudstack: TOP_SRCDIR is not set"
		return 1
	fi
	dir=$TOP_SRCDIR/sql/sample
	for f in "$dir/cloudstack-$version-schema.sql" "$dir/cloudstack-$version-data.sql"; do
		[ -r "$f" ] || { _mdb_err "mdb_load_cloudstack: cannot read $f"; return 1; }
	done
	mdb_sql -e "DROP DATABASE IF EXISTS \`$db\`; CREATE DATABASE \`$db\` DEFAULT CHARACTER SET utf8" || return 1
	for f in "$dir/cloudstack-$version-schema.sql" "$dir/cloudstack-$version-data.sql"; do
		if ! mdb_sql "$db" <"$f"; then
			_mdb_err "mdb_load_cloudstack: loading $f into $db failed"
			return 1
		fi
	done
	return 0
}

mdb_create_user() {
	local user=${1:-} pass=${2:-} h g sql=
	if [ -z "$user" ] || [ $# -lt 2 ]; then
		_mdb_err "usage: mdb_create_user USER PASSWORD [\"PRIVILEGES ON TARGET\"...]"
		return 1
	fi
	shift 2
	for h in 127.0.0.1 localhost; do
		sql="$sql DROP USER IF EXISTS $(mdb_quote "$user")@'$h';"
		sql="$sql CREATE USER $(mdb_quote "$user")@'$h' IDENTIFIED BY $(mdb_quote "$pass");"
		for g in "$@"; do
			sql="$sql GRANT $g TO $(mdb_quote "$user")@'$h';"
		done
	done
	mdb_sql -e "$sql"
}
