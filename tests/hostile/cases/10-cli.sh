# Bad command lines (issue 8 items 7 and 10): host names that match only under the
# database collation, --reason with invalid UTF-8 or direction overrides, -vv and -qv,
# control characters from the database in messages.
# shellcheck shell=bash disable=SC2034 # sourced by tests/hostile/run: RC, PROC_CONF, ... are read by lib.sh and common.sh
write_conf

# cli_case NAME WANT-EXIT ERR-REGEX ARGS...: refused, nothing changed.
cli_case() {
	local name=$1 want=$2 re=$3
	shift 3
	hcase "cli: $name"
	hrun "$@"
	a_exit "$want"
	a_err "$re"
	a_clean_text
	a_unchanged
	hend
	h_reset_db
}

# Host names: a name matches exactly or not at all (exit 3, naming what it nearly
# matched); the collation's case, accent and trailing-space folding must not pick a host.
near='xs-01|nearly|did you mean|similar|differs'
cli_case "host disable, name in upper case" 3 "$near" host disable XS-01 --execute
cli_case "host disable, name with a trailing space" 3 "$near" host disable 'xs-01 ' --execute
cli_case "host disable, name with an accent (xš-01)" 3 "$near" host disable 'xš-01' --execute
cli_case "host disable, unicode name folded (xs-unïcødé-☃)" 3 'xs-ünïcødé|nearly|did you mean|similar' \
	host disable 'xs-unïcødé-☃' --execute
cli_case "host disable, unicode name in upper case" 3 'xs-ünïcødé|nearly|did you mean|similar' \
	host disable 'XS-ÜNÏCØDÉ-☃' --execute
cli_case "host disable dry run, trailing space" 3 "$near" host disable 'xs-02 '
cli_case "host show, upper case" 3 'xs-02|nearly|did you mean|similar' host show XS-02
cli_case "host enable, trailing space" 3 "$near" host enable 'xs-01 ' --execute
cli_case "journal list --host, upper case" 3 "$near" journal list --host XS-01
# The exact name still works (the case above cannot pass by refusing every name).
hcase "cli: host disable, exact name (control)"
hrun host disable xs-01 --reason 'hostile control' --execute
a_exit 0
a_eq "row disabled" Disabled "$(alloc_of 1)"
hend
h_reset_db

# --reason: printable UTF-8 only (exit 2); nothing is stored.
reason='reason|utf-8|printable|invalid'
cli_case "--reason with a UTF-16 surrogate (ED A0 80)" 2 "$reason" \
	host disable xs-01 --reason $'before \xed\xa0\x80 after' --execute
cli_case "--reason with an overlong slash (C0 AF)" 2 "$reason" \
	host disable xs-01 --reason $'a\xc0\xafb' --execute
cli_case "--reason with a lone continuation byte" 2 "$reason" \
	host disable xs-01 --reason $'a\x80b' --execute
cli_case "--reason with a truncated sequence" 2 "$reason" \
	host disable xs-01 --reason $'a\xe2\x82' --execute
cli_case "--reason with RIGHT-TO-LEFT OVERRIDE (U+202E)" 2 "$reason|override|direction|bidi" \
	host disable xs-01 --reason $'lag\u202etxet' --execute
cli_case "--reason with LEFT-TO-RIGHT OVERRIDE (U+202D)" 2 "$reason|override|direction|bidi" \
	host disable xs-01 --reason $'a\u202db' --execute
cli_case "--reason with RIGHT-TO-LEFT ISOLATE (U+2067)" 2 "$reason|override|direction|bidi" \
	host disable xs-01 --reason $'a\u2067b\u2069' --execute
cli_case "--reason with an escape sequence" 2 "$reason|control" \
	host disable xs-01 --reason $'\e[31mred' --execute
cli_case "--reason with a newline" 2 "$reason|control" \
	host disable xs-01 --reason $'two\nlines' --execute
cli_case "--reason of 1001 characters" 2 "$reason|1000|long" \
	host disable xs-01 --reason "$(printf '%1001s' '' | tr ' ' r)" --execute
# A valid non-ASCII reason is stored as given and journal list -o json stays valid.
hcase "cli: --reason in UTF-8 (control), journal JSON valid"
hrun host disable xs-01 --reason 'Wartung für 日本 ☃' --execute
a_exit 0
hrun journal list -o json
a_exit 0
h_assert "journal list -o json is valid JSON with the reason" \
	/usr/bin/python3 -c 'import json,sys; d=json.load(open(sys.argv[1], encoding="utf-8")); sys.exit(0 if any(o.get("reason") == "Wartung für 日本 ☃" for o in d["operations"]) else 1)' "$OUT"
hend
h_reset_db

# -vv (more verbose, as the man page documents) and -qv (the synopsis's [-qv]).
hcase "cli: -vv prints the SQL statements"
hrun -vv host list
a_exit 0
a_out 'xs-01'
a_err 'SELECT'
hend
hcase "cli: -qv is accepted"
hrun -qv host list
a_exit 0
a_out 'xs-01'
hend
hcase "cli: -v -v is accepted like -vv"
hrun -v -v host list
a_exit 0
a_out 'xs-01'
hend
hcase "cli: -x (unknown flag) is a usage error (control)"
hrun -x host list
a_exit 2
a_err 'csmaint: .*(-x|unknown|invalid)'
hend

# Control characters in a host name from the database: messages escape them, as the
# listings do (ESC, BEL, newline).
sql "UPDATE host SET allocation_state = 'Disabled', name = CONCAT('xs-', CHAR(27), '[2J', CHAR(7), 'evil', CHAR(10), 'csmaint: forged') WHERE id = 3"
h_baseline
cli_case "control characters of a host name in a refusal message" 4 'host 3' host disable 3 --execute
hcase "cli: a newline in a host name cannot forge a message line"
hrun host disable 3 --execute
a_exit 4
a_no_err '^csmaint: forged'
a_unchanged
hend
cli_case "control characters of a host name, dry run" 4 'host 3' host disable 3
hcase "cli: control characters of a host name in host show"
hrun host show 3
a_exit 0
a_clean_text "$OUT"
a_clean_text
hend
mdb_load_cloudstack 2.2 "$CLOUD" >/dev/null
h_baseline
