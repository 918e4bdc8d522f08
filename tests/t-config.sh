#!/usr/bin/env bash
# Configuration: sources of the file, syntax errors, permissions on secrets, keys.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2
good=$CONF

c() {	# c NAME CONTENT: write a config file (mode 600) and point CONF at it
	CONF=$TEST_TMP/$1
	printf '%s\n' "$2" >"$CONF"
	chmod 600 "$CONF"
}
db_group="database = { socket = \"$MDB_SOCK\"; user = \"csm\"; password_file = \"$TEST_TMP/db.pass\"; };"

c syntax.conf "database = { socket = \"$MDB_SOCK\";
  user = \"csm\";
  name = = \"cloud\"; };"
expect_exit 2 "syntax error" host list
expect_err "syntax.conf:3: syntax error" "names the file and line"

c unknown.conf "$db_group
xenapi = { verfy = false; };"
expect_exit 2 "unknown key" host list
expect_err "unknown.conf:2: unknown key 'xenapi.verfy'" "names the key and line"

c type.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; port = \"3306\"; };"
expect_exit 2 "wrong type" host list
expect_err "'port' must be a whole number" "says the type"

c range.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; lock_wait_timeout = 0; };"
expect_exit 2 "out of range" host list
expect_err "lock_wait_timeout' must be between 1 and 3600" "says the range"

c nodb.conf 'xenapi = { user = "root"; };'
expect_exit 2 "missing database group" host list
expect_err "missing group 'database" "says what is missing"

c nouser.conf "database = { socket = \"$MDB_SOCK\"; };"
expect_exit 2 "missing user" host list
expect_err "missing key 'database.user'" "says what is missing"

c badname.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; name = \"cloud; DROP\"; };"
expect_exit 2 "schema name that is not an identifier" host list

c same.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; name = \"cloud\"; journal = \"cloud\"; };"
expect_exit 2 "journal schema equal to the CloudStack schema" host list

# Secrets: a config holding a password must be private; so must a password file.
c inline.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; password = \"s3cr3t-pw\"; };"
expect_exit 0 "password in a private config" host list
chmod 644 "$CONF"
expect_exit 2 "password in a world-readable config" host list
expect_err "holds a password and is accessible by group or others \(mode 0644\): run 'chmod 600" "says how to fix it"
expect_no_err "s3cr3t-pw" "the password is not shown"
chmod 640 "$CONF"
expect_exit 2 "password in a group-readable config" host list

c pwfile.conf "$db_group"
chmod 644 "$CONF"
expect_exit 0 "a config without secrets may be world-readable" host list
chmod 644 "$TEST_TMP/db.pass"
expect_exit 2 "world-readable password file" host list
expect_err "password file '$TEST_TMP/db.pass' holds a password" "names the password file"
chmod 600 "$TEST_TMP/db.pass"
c relpw.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; password_file = \"db.pass\"; };"
expect_exit 0 "password_file relative to the config's directory" host list

c both.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; password = \"x\"; password_file = \"db.pass\"; };"
expect_exit 2 "password and password_file together" host list

# A MariaDB option file (defaults_file + defaults_group).
printf '[csmaint]\nuser=csm\npassword=s3cr3t-pw\n' >"$TEST_TMP/my.cnf"
chmod 600 "$TEST_TMP/my.cnf"
c optfile.conf "database = { socket = \"$MDB_SOCK\"; defaults_file = \"$TEST_TMP/my.cnf\"; defaults_group = \"csmaint\"; };"
expect_exit 0 "credentials from a MariaDB option file" host list
chmod 644 "$TEST_TMP/my.cnf"
expect_exit 2 "world-readable option file" host list
expect_err "option file" "names the option file"

# Files included with @include (issue 8.8): each file that supplies a secret must be
# private, whichever file includes it.
printf '  password = "s3cr3t-pw";\n' >"$TEST_TMP/inc-secret.conf"
chmod 644 "$TEST_TMP/inc-secret.conf"
c include.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\";
  @include \"$TEST_TMP/inc-secret.conf\"
};"
expect_exit 2 "a private config including a world-readable password" host list
expect_err "included file '$TEST_TMP/inc-secret.conf' holds a password and is accessible by group or others \(mode 0644\): run 'chmod 600" "names the included file"
expect_no_err "s3cr3t-pw" "the password is not shown"
chmod 600 "$TEST_TMP/inc-secret.conf"
expect_exit 0 "a private included password is used" host list
chmod 644 "$CONF"
expect_exit 0 "a world-readable config may include a private password" host list
c relinc.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\";
  @include \"inc-secret.conf\"
};"
expect_exit 2 "a relative @include (it would depend on the current directory)" host list
expect_err "relinc.conf:2: @include \"inc-secret.conf\" is a relative path" "says why"

# Not a regular file (issue 8.8): refused at once, never opened for a blocking read.
# Under timeout: before the fix a FIFO hung csmaint (timeout's exit 124).
trun() { timeout -k 2 10 "$CSMAINT" -c "$CONF" "$@" >"$OUT" 2>"$ERR"; RC=$?; }
expect_trun() {	# expect_trun WANT DESC ARGS...
	local want=$1 d=$2
	shift 2
	trun "$@"
	if [ "$RC" -eq "$want" ]; then ok "$d (exit $want)"; else not_ok "$d: want exit $want"; fi
}
mkfifo "$TEST_TMP/fifo"
CONF=$TEST_TMP/fifo
expect_trun 2 "the configuration is a FIFO" host list
expect_err "configuration '$TEST_TMP/fifo' is a FIFO, not a regular file" "says what it is"
CONF=$TEST_TMP
expect_trun 2 "the configuration is a directory" host list
expect_err "is a directory, not a regular file" "says what it is"
CONF=/dev/null
expect_trun 2 "the configuration is a device" host list
expect_err "'/dev/null' is a character device" "says what it is"
c fifopw.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; password_file = \"$TEST_TMP/fifo\"; };"
expect_trun 2 "the password file is a FIFO" host list
expect_err "password file '$TEST_TMP/fifo' is a FIFO" "names the password file"
c fifoopt.conf "database = { socket = \"$MDB_SOCK\"; defaults_file = \"$TEST_TMP/fifo\"; };"
expect_trun 2 "the option file is a FIFO" host list
expect_err "option file '$TEST_TMP/fifo' is a FIFO" "names the option file"
c fifoinc.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\";
@include \"$TEST_TMP/fifo\"
};"
expect_trun 2 "an included file is a FIFO" host list
expect_err "fifoinc.conf:2: included file '$TEST_TMP/fifo' is a FIFO" "names the file and the line"
c fifoxapi.conf "$db_group
xenapi = { password_file = \"$TEST_TMP/fifo\"; };"
expect_trun 2 "the XenAPI password file is a FIFO" vms 1 --xapi
expect_err "password file '$TEST_TMP/fifo' is a FIFO" "names it"

# Size (issue 8.10): a 16 MB one-line comment took libconfig two minutes (quadratic
# reading of a stream).  Over 1 MiB is refused before parsing; below, parsing is linear.
CONF=$TEST_TMP/huge.conf
{ printf '# '; head -c $((16 * 1024 * 1024)) /dev/zero | tr '\0' x; printf '\n%s\n' "$db_group"; } >"$CONF"
expect_trun 2 "a 16 MB configuration" host list
expect_err "configuration '$CONF' is too large \([0-9]+ bytes; csmaint reads at most 1048576, 1 MiB\)" "says the limit"
CONF=$TEST_TMP/large.conf
{ printf '# '; head -c 1000000 /dev/zero | tr '\0' x; printf '\n%s\n' "$db_group"; } >"$CONF"
expect_trun 0 "a 1 MB comment line is read" host list

# The journal never goes into the server's own schemas or CloudStack's (issue 8.10).
for j in mysql information_schema performance_schema sys MySQL; do
	c journal.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; password_file = \"$TEST_TMP/db.pass\"; journal = \"$j\"; };"
	expect_exit 2 "journal = \"$j\"" host list
	expect_err "database.journal '$j' is a system schema of the server" "says why"
done
c journal.conf "database = { socket = \"$MDB_SOCK\"; user = \"csm\"; password_file = \"$TEST_TMP/db.pass\"; name = \"$CLOUD\"; journal = \"${CLOUD^^}\"; };"
expect_exit 2 "journal = the CloudStack schema in other case" host list
expect_err "database.journal must differ from database.name" "says why"

# Where the file comes from: -c, then $CSMAINT_CONF, then the default path.
CSMAINT_CONF=$good "$CSMAINT" host list >"$OUT" 2>"$ERR"; RC=$?
expect_eq "CSMAINT_CONF is used" 0 "$RC"
CSMAINT_CONF=$TEST_TMP/none.conf "$CSMAINT" host list >"$OUT" 2>"$ERR"; RC=$?
expect_eq "missing CSMAINT_CONF file: exit 2" 2 "$RC"
expect_err "cannot read configuration '$TEST_TMP/none.conf': No such file" "names the file"
env -u CSMAINT_CONF "$CSMAINT" host list >"$OUT" 2>"$ERR"; RC=$?
expect_err "cannot read configuration '.*/csmaint/csmaint.conf'.*use -c FILE or set CSMAINT_CONF" "default path and how to change it"

# --ask-pass needs a terminal; without one it is a clear usage error.
CONF=$good
expect_exit 2 "--ask-pass without a terminal" --ask-pass host list </dev/null
expect_err "needs a terminal" "says why"

# The sample config parses (it cannot connect here, which is a different error).
CONF=$TOP_SRCDIR/conf/csmaint.conf.sample
run schema
check "sample config is accepted" test "$RC" -ne 2
finish
