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
