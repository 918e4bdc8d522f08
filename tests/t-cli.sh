#!/usr/bin/env bash
# The command line without a database: help, version, usage errors (exit 2).
set -u
: "${CSMAINT:?}" "${TEST_TMP:?}"
P=0 F=0
t() {	# t WANT-EXIT PATTERN DESC ARGS...
	local want=$1 pat=$2 d=$3 rc
	shift 3
	"$CSMAINT" "$@" >"$TEST_TMP/out" 2>&1 </dev/null
	rc=$?
	if [ $rc -eq "$want" ] && grep -qE -- "$pat" "$TEST_TMP/out"; then
		P=$((P + 1)); echo "ok - $d"
	else
		F=$((F + 1)); echo "not ok - $d (exit $rc, want $want)"; sed 's/^/  # /' "$TEST_TMP/out"
	fi
}
export CSMAINT_CONF=/nonexistent/csmaint.conf
t 0 '^usage: csmaint' "--help" --help
t 0 'host disable HOST' "--help lists the commands" --help
t 0 '^csmaint [0-9]+\.[0-9]+' "--version" --version
t 2 'no command given' "no command" 
t 2 "unknown command 'frobnicate'" "unknown command" frobnicate
t 2 "'host' needs one of: list, show, disable, enable" "noun without verb" host
t 2 "'host' needs one of" "unknown verb" host explode
t 0 '^usage: csmaint host disable HOST \[--reason TEXT\] \[--execute\]' "command help" host disable --help
t 0 '^usage: csmaint host disable' "help before the command" --help host disable
t 2 "unknown option '--frob' for 'host list'" "unknown option" host list --frob
t 2 "option --zone needs a value" "option without its value" host list --zone
t 2 "option --execute takes no value" "flag with a value" host disable 1 --execute=yes
t 2 "needs HOST" "missing argument" host show
t 2 "too many arguments" "extra argument" host show 1 2
t 2 "unknown output format 'yaml'" "bad -o" -o yaml host list
t 2 "option -c needs a value" "-c without a file" host list -c
t 2 "cannot read configuration '/nonexistent/csmaint.conf'" "missing config names the file" host list
t 2 "option --reason given twice" "repeated option" host disable 1 --reason a --reason b
# Bundled short options as the synopsis shows them (issue 8.10): -vv, -qv, -vo json.
t 0 '^usage: csmaint \[-qv\]' "the synopsis shows -qv" --help
t 0 'of -q and -v the last wins' "--help says what -q with -v means" host list --help
t 0 '^usage: csmaint' "-vv --help" -vv --help
t 0 '^usage: csmaint host list' "-qv after the command" host list -qv --help
t 2 "cannot read configuration" "-vv before a command" -vv host list
t 2 "cannot read configuration" "-qv after a command" host list -qv
t 2 "cannot read configuration" "-vojson: -o takes the rest of the word" -vojson host list
t 2 "unknown output format 'yaml'" "-voyaml is -v -o yaml" -voyaml host list
t 2 "option -c needs a value" "-vc without a file" host list -vc
t 2 "unknown option '-vx' for 'host list'" "a bundle with an unknown letter" host list -vx
t 2 "unknown option '-vx'" "the same before the command" -vx host list
echo "# $P passed, $F failed"
[ $F -eq 0 ]
