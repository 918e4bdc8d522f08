# Bad configurations (issue 8 items 8 and 10): secrets in included files readable by
# others, a FIFO, a device or a directory as the config or a password file, a journal
# schema that is a system schema or the CloudStack schema, a huge one-line comment.
# shellcheck shell=bash disable=SC2034 # sourced by tests/hostile/run: RC, PROC_CONF, ... are read by lib.sh and common.sh
C=$TEST_TMP/hostile-conf
mkdir -p "$C"
good_conf=$CONF

# conf_case NAME WANT-EXIT ERR-REGEX CONFIG [ARGS...]: csmaint -c CONFIG fails as
# wanted within a few seconds (a FIFO must not hang it) and changes nothing.
conf_case() {
	local name=$1 want=$2 re=$3 cf=$4
	shift 4
	[ $# -gt 0 ] || set -- host disable xs-01 --execute
	hcase "config: $name"
	CONF=$cf H_TIMEOUT=3 hrun "$@"
	a_exit "$want"
	a_err "$re"
	a_unchanged
	hend
	h_reset_db
}
# db_conf FILE [DATABASE-LINES] [REST]: a config with the test's database settings, but
# the password lines replaced by DATABASE-LINES; mode 600.
db_conf() {
	local pw="  password_file = \"$TEST_TMP/db.pass\";"
	cat >"$1" <<CONF
database = {
  socket = "$MDB_SOCK";
  user = "csm";
${2:-$pw}
  name = "$CLOUD";
  journal = "${H_JOURNAL:-$JOURNAL}";
  lock_wait_timeout = 2;
};
${3:-}
CONF
	chmod 600 "$1"
}

# A password pulled in by @include from a file others can read.
printf 'password = "s3cr3t-pw";\n' >"$C/secret.inc"
chmod 644 "$C/secret.inc"
db_conf "$C/inc.conf" "  @include \"$C/secret.inc\""
conf_case "@include of a mode-644 file holding the password" 2 'secret\.inc.*(mode|permission|group|others|readable)|(mode|permission|group|others|readable).*secret\.inc' "$C/inc.conf"
chmod 640 "$C/secret.inc"
conf_case "@include of a mode-640 file holding the password" 2 'secret\.inc' "$C/inc.conf"
# Control: the same include at mode 600 works, so the refusal above is about the mode.
chmod 600 "$C/secret.inc"
hcase "config: @include of a mode-600 password file (control)"
CONF=$C/inc.conf H_TIMEOUT=5 hrun host list
a_exit 0
a_out 'xs-01'
hend
# Nested: the include includes the secret.
chmod 644 "$C/secret.inc"
printf '@include "%s"\n' "$C/secret.inc" >"$C/outer.inc"
chmod 600 "$C/outer.inc"
db_conf "$C/inc2.conf" "  @include \"$C/outer.inc\""
conf_case "nested @include reaching a mode-644 password" 2 'secret\.inc' "$C/inc2.conf"
# Controls that should hold already: the main file or the password file readable by others.
db_conf "$C/pw644.conf" '  password = "s3cr3t-pw";'
chmod 644 "$C/pw644.conf"
conf_case "mode-644 config holding the password (control)" 2 'pw644\.conf|mode|permission' "$C/pw644.conf"
cp "$TEST_TMP/db.pass" "$C/db644.pass"
chmod 644 "$C/db644.pass"
db_conf "$C/pf644.conf" "  password_file = \"$C/db644.pass\";"
conf_case "mode-644 password file (control)" 2 'db644\.pass' "$C/pf644.conf"

# Not regular files: refused at once, never read (a FIFO would block for ever).
mkfifo -m 600 "$C/conf.fifo" "$C/pass.fifo" "$C/defaults.fifo"
conf_case "config is a FIFO" 2 'conf\.fifo.*(regular|fifo)|(regular|fifo).*conf\.fifo' "$C/conf.fifo"
conf_case "config is /dev/zero" 2 '/dev/zero.*(regular|device)|(regular|device).*/dev/zero' /dev/zero
conf_case "config is /dev/null" 2 '/dev/null' /dev/null
conf_case "config is a directory" 2 'hostile-conf.*(regular|directory)' "$C"
conf_case "config does not exist (control)" 2 'no-such\.conf' "$C/no-such.conf"
db_conf "$C/pfifo.conf" "  password_file = \"$C/pass.fifo\";"
conf_case "password_file is a FIFO" 2 'pass\.fifo.*(regular|fifo)|(regular|fifo).*pass\.fifo' "$C/pfifo.conf"
db_conf "$C/pzero.conf" '  password_file = "/dev/zero";'
conf_case "password_file is /dev/zero" 2 '/dev/zero' "$C/pzero.conf"
db_conf "$C/pdir.conf" "  password_file = \"$C\";"
conf_case "password_file is a directory" 2 'hostile-conf.*(regular|directory)|(regular|directory).*hostile-conf' "$C/pdir.conf"
ln -sf "$C/nowhere" "$C/dangling.pass"
db_conf "$C/pdang.conf" "  password_file = \"$C/dangling.pass\";"
conf_case "password_file is a dangling symlink" 2 'dangling\.pass' "$C/pdang.conf"
db_conf "$C/dfifo.conf" "  defaults_file = \"$C/defaults.fifo\";"
conf_case "defaults_file is a FIFO" 2 'defaults\.fifo' "$C/dfifo.conf"
db_conf "$C/xfifo.conf" "  password_file = \"$TEST_TMP/db.pass\";" \
	"xenapi = { url = \"https://%s:1/\"; user = \"root\"; password_file = \"$C/pass.fifo\"; };"
conf_case "xenapi password_file is a FIFO" 2 'pass\.fifo' "$C/xfifo.conf" vms xs-01 --xapi

# The journal must be a schema of csmaint's own: never a system schema or CloudStack's.
for j in mysql information_schema performance_schema sys "$CLOUD"; do
	H_JOURNAL=$j db_conf "$C/j-$j.conf"
	hcase "config: journal = \"$j\": schema install refused"
	CONF=$C/j-$j.conf H_TIMEOUT=5 hrun schema install --execute
	a_exit 2
	a_err "journal.*$j|$j.*journal"
	a_no_err 'denied|not installed' "refused for a reason other than the schema's name"
	a_eq "journal tables created in $j" 0 "$(mdb_sql -e "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = '$j' AND table_name IN ('operation', 'operation_step', 'meta')")"
	a_unchanged
	hend
	hcase "config: journal = \"$j\": host disable refused"
	CONF=$C/j-$j.conf H_TIMEOUT=5 hrun host disable xs-01 --execute
	a_exit 2
	a_err "journal.*$j|$j.*journal"
	a_no_err 'denied|not installed' "refused for a reason other than the schema's name"
	a_eq "row untouched" Enabled "$(alloc_of 1)"
	hend
	h_reset_db
	mdb_sql -e "DROP TABLE IF EXISTS \`$j\`.operation_step, \`$j\`.operation, \`$j\`.meta" 2>/dev/null
done

# A huge one-line comment: parsed in linear time (2 MB took 2 s when it was quadratic),
# or refused as too large; never slow.
{ cat "$good_conf"; printf '# '; head -c $((2 << 20)) /dev/zero | tr '\0' x; printf '\n'; } >"$C/big.conf"
chmod 600 "$C/big.conf"
hcase "config: a 2 MB one-line comment"
CONF=$C/big.conf H_TIMEOUT=10 hrun host list
a_exit 0 2
[ "$RC" = 2 ] && a_err 'big\.conf.*(large|size|long)'
a_secs 1.0
a_unchanged
hend
CONF=$good_conf
