#!/bin/bash
# t-docs.sh: the documentation agrees with the code.
#
# - every command of 'csmaint --help' has an ".It Cm WORDS" entry in csmaint(8) COMMANDS,
#   and its own --help exits 0 and starts with "usage: csmaint <command>";
# - every option of each command's --help is in that command's entry (with its argument
#   name), and the global options are in csmaint(8);
# - every exit status of enum csm_exit (src/csmaint.h) is in EXIT STATUS;
# - every key of the key tables in src/conf.c is in csmaint.conf(5) under its group and
#   in conf/csmaint.conf.sample inside its group;
# - the man pages pass mandoc -T lint -W warning and groff's warnings;
# - the sample configuration parses, as it is and with every optional key uncommented.
# Needs no database; needs mandoc, groff and col (skips, exit 77, naming the package when
# one is missing). Exit 0 pass, 1 fail.
set -u

if [ -z "${TOP_SRCDIR:-}" ] || [ -z "${TEST_TMP:-}" ] || [ -z "${CSMAINT:-}" ]; then
	echo "t-docs.sh: TOP_SRCDIR, TEST_TMP and CSMAINT must be set" >&2
	exit 1
fi

. "$TOP_SRCDIR/tests/lib/need.sh"
need_cmd mandoc mandoc
need_cmd groff groff-base
need_cmd col bsdextrautils

MAN8=$TOP_SRCDIR/src/csmaint.8
MAN5=$TOP_SRCDIR/src/csmaint.conf.5
SAMPLE=$TOP_SRCDIR/conf/csmaint.conf.sample
HDR=$TOP_SRCDIR/src/csmaint.h
CONFC=$TOP_SRCDIR/src/conf.c
failed=0

ok() { printf 'ok - %s\n' "$1"; }
not_ok() { printf 'not ok - %s\n' "$1"; failed=1; }
diag() { sed 's/^/#   /'; }

for f in "$MAN8" "$MAN5" "$SAMPLE" "$HDR" "$CONFC"; do
	if [ ! -s "$f" ]; then
		not_ok "$f exists and is not empty"
		exit 1
	fi
done

# section FILE NAME: the mdoc source of section ".Sh NAME" up to the next .Sh.
section() {
	awk -v want="$2" '
		/^\.Sh / { name = substr($0, 5); gsub(/"/, "", name); on = (name == want); next }
		on { print }' "$1"
}

# The command words of each top-level COMMANDS entry: ".It [Nm] Cm w1 w2 ..." up to the
# next macro.
man_commands() {
	section "$MAN8" COMMANDS | awk '
		/^\.It / {
			i = 2
			if ($i == "Nm") i++
			if ($i != "Cm") next
			words = ""
			for (i++; i <= NF && $i !~ /^[A-Z][a-z]$/; i++)
				words = words (words == "" ? "" : " ") $i
			print words
		}'
}

# The block of one command entry: from its ".It Cm WORDS" line to the next ".It Cm".
man_block() {
	section "$MAN8" COMMANDS | awk -v want="$1" '
		/^\.It / {
			i = 2
			if ($i == "Nm") i++
			if ($i == "Cm") {
				words = ""
				for (i++; i <= NF && $i !~ /^[A-Z][a-z]$/; i++)
					words = words (words == "" ? "" : " ") $i
				on = (words == want)
			}
		}
		on { print }'
}

# Commands from 'csmaint --help': the lines between "commands:" and the blank line,
# the words before the first upper-case argument or the summary.
help_out=$TEST_TMP/help
"$CSMAINT" --help >"$help_out" 2>&1
rc=$?
if [ "$rc" -eq 0 ]; then ok "csmaint --help exits 0"; else not_ok "csmaint --help exits 0 (got $rc)"; fi
mapfile -t commands < <(awk '
	/^commands:/ { on = 1; next }
	on && /^$/ { exit }
	on {
		sub(/^ +/, "")
		split($0, part, /  +/)
		n = split(part[1], w, " ")
		out = ""
		for (i = 1; i <= n && w[i] !~ /^[A-Z]/; i++)
			out = out (out == "" ? "" : " ") w[i]
		print out
	}' "$help_out")
if [ "${#commands[@]}" -gt 0 ]; then
	ok "csmaint --help lists ${#commands[@]} commands"
else
	not_ok "csmaint --help lists commands"
	diag <"$help_out"
fi

mapfile -t documented < <(man_commands)
for c in "${commands[@]}"; do
	found=0
	for d in "${documented[@]}"; do
		[ "$d" = "$c" ] && found=1
	done
	if [ "$found" = 1 ]; then ok "csmaint.8 COMMANDS has '.It Cm $c'"; else not_ok "csmaint.8 COMMANDS has '.It Cm $c'"; fi
done
for d in "${documented[@]}"; do
	found=0
	for c in "${commands[@]}"; do
		[ "$d" = "$c" ] && found=1
	done
	[ "$found" = 1 ] || not_ok "csmaint.8 documents '$d', which csmaint --help does not list"
done
# The entries follow the command table's order.
if [ "$(printf '%s\n' "${documented[@]}")" = "$(printf '%s\n' "${commands[@]}")" ]; then
	ok "csmaint.8 COMMANDS is in command table order"
else
	not_ok "csmaint.8 COMMANDS is in command table order"
	printf 'want:\n%s\ngot:\n%s\n' "$(printf '%s\n' "${commands[@]}")" \
		"$(printf '%s\n' "${documented[@]}")" | diag
fi

# Each command's --help, its options, and its arguments.
for c in "${commands[@]}"; do
	out=$TEST_TMP/help-${c// /-}
	# shellcheck disable=SC2086 # the command words are separate arguments
	"$CSMAINT" $c --help >"$out" 2>&1
	rc=$?
	if [ "$rc" -eq 0 ] && head -n 1 "$out" | grep -q "^usage: csmaint $c\( \|\$\)"; then
		ok "csmaint $c --help exits 0 with 'usage: csmaint $c'"
	else
		not_ok "csmaint $c --help exits 0 with 'usage: csmaint $c' (exit $rc)"
		diag <"$out"
	fi
	block=$(man_block "$c")
	itline=$(printf '%s\n' "$block" | head -n 1)
	# Positional arguments: the upper-case words after the command in the usage line.
	usage=$(head -n 1 "$out" | sed "s/^usage: csmaint $c//; s/\[[^]]*\]//g")
	for a in $usage; do
		if printf '%s\n' "$itline" | grep -q -- "Ar $a\( \|\$\)"; then
			ok "csmaint.8 '$c' shows argument $a"
		else
			not_ok "csmaint.8 '$c' shows argument $a"
		fi
	done
	# Options: "  --name ARG   help" lines under "options:".
	while read -r opt arg; do
		[ -n "$opt" ] || continue
		case $arg in
		[A-Z]*) arg=${arg%% *}; want="Fl ${opt#-} Ar $arg" ;;
		*) arg=""; want="Fl ${opt#-}" ;;
		esac
		# In the entry's synopsis line and as an item of its option list.
		if printf '%s\n' "$itline" | grep -q -- "$want\( \|\$\)" &&
			printf '%s\n' "$block" | grep -q -- "^\.It $want\( \|\$\)"; then
			ok "csmaint.8 '$c' documents $opt${arg:+ $arg}"
		else
			not_ok "csmaint.8 '$c' documents $opt${arg:+ $arg} (want '$want' in its '.It Cm' line and an '.It $want' item)"
		fi
	done < <(awk '/^options:/ { on = 1; next } on && /^$/ { exit } on { print $1, $2 }' "$out")
done

# Global options: those the usage names, and the long forms args.c accepts.
globals=$(sed -n 's/^global options: //p' "$TEST_TMP/help-${commands[0]// /-}" 2>/dev/null)
man8_text=$TEST_TMP/csmaint.8.txt
mandoc -T ascii "$MAN8" 2>/dev/null | col -b >"$man8_text"
for g in $(printf '%s\n' "$globals" | tr ',' '\n' | awk '{ print $1 }') --config --output \
	--verbose --quiet -h --version; do
	if grep -q -- "\(^\|[^a-z-]\)$g\([^a-z-]\|\$\)" "$man8_text"; then
		ok "csmaint.8 documents global option $g"
	else
		not_ok "csmaint.8 documents global option $g"
	fi
done

# Exit statuses: every value of enum csm_exit has an ".It N" in EXIT STATUS.
mapfile -t statuses < <(awk '
	/^enum csm_exit/ { on = 1; next }
	on && /^}/ { exit }
	on && /=/ { sub(/.*= */, ""); sub(/[^0-9].*/, ""); print }' "$HDR")
if [ "${#statuses[@]}" -ge 6 ]; then
	ok "src/csmaint.h defines ${#statuses[@]} exit statuses"
else
	not_ok "src/csmaint.h defines the exit statuses (found ${#statuses[@]})"
fi
exit_sec=$(section "$MAN8" "EXIT STATUS")
for s in "${statuses[@]}"; do
	if printf '%s\n' "$exit_sec" | grep -q "^\.It $s\( \|\$\)"; then
		ok "csmaint.8 EXIT STATUS has $s"
	else
		not_ok "csmaint.8 EXIT STATUS has $s"
	fi
done
# ...and no status the code does not have.
while read -r n; do
	found=0
	for s in "${statuses[@]}"; do [ "$s" = "$n" ] && found=1; done
	[ "$found" = 1 ] || not_ok "csmaint.8 EXIT STATUS documents $n, which enum csm_exit lacks"
done < <(printf '%s\n' "$exit_sec" | sed -n 's/^\.It \([0-9][0-9]*\).*/\1/p')

# Configuration keys: "GROUP KEY" for each "{ "key", K_" line, with the group from the
# groups[] table (a key table not in it is top level).
mapfile -t keys < <(awk '
	/^static const struct key [a-z_]+\[\]/ { t = $5; sub(/\[\].*/, "", t); next }
	/^static const struct group/ { t = ""; g = 1; next }
	g && /\{ *"[a-z_]+", *[a-z_]+_keys *\}/ {
		match($0, /"[a-z_]+"/); name = substr($0, RSTART + 1, RLENGTH - 2)
		match($0, /[a-z_]+_keys/); group[substr($0, RSTART, RLENGTH)] = name
		next
	}
	t != "" && /\{ *"[a-z_]+", *K_/ {
		match($0, /"[a-z_]+"/); n++; tab[n] = t; key[n] = substr($0, RSTART + 1, RLENGTH - 2)
	}
	END {
		for (i = 1; i <= n; i++)
			print (tab[i] in group ? group[tab[i]] : "-") " " key[i]
	}' "$CONFC")
if [ "${#keys[@]}" -ge 20 ]; then
	ok "src/conf.c accepts ${#keys[@]} keys"
else
	not_ok "src/conf.c key tables parsed (found ${#keys[@]})"
fi

# The ".Ss" subsection of csmaint.conf.5 for a group: "The GROUP group", or the
# top-level one.
man5_group() {
	awk -v want="$1" '
		/^\.S[hs] / {
			t = substr($0, 5)
			on = (want == "-") ? (t ~ /^Top-level/) : (t == "The " want " group")
			next
		}
		on { print }' "$MAN5"
}

# The lines of the sample inside "GROUP = {" ... "};", or outside every group for "-".
sample_group() {
	awk -v want="$1" '
		/^[a-z_]+ *= *\{/ { g = $1; next }
		g != "" && /^\};/ { g = ""; next }
		(want == "-" && g == "") || g == want { print }' "$SAMPLE"
}

for gk in "${keys[@]}"; do
	g=${gk%% *} k=${gk#* }
	label=$k
	[ "$g" = - ] || label=$g.$k
	if man5_group "$g" | grep -q "^\.It Cm $k\( \|\$\)"; then
		ok "csmaint.conf.5 documents $label"
	else
		not_ok "csmaint.conf.5 documents $label (want '.It Cm $k' in its group's section)"
	fi
	if sample_group "$g" | grep -q "^[[:space:]]*#\?[[:space:]]*${k}[[:space:]]*="; then
		ok "csmaint.conf.sample has $label"
	else
		not_ok "csmaint.conf.sample has $label"
	fi
done

# The man pages pass mandoc's and groff's checks.
for m in "$MAN8" "$MAN5"; do
	name=$(basename "$m")
	if lint=$(mandoc -T lint -W warning "$m" 2>&1) && [ -z "$lint" ]; then
		ok "$name passes mandoc -T lint -W warning"
	else
		not_ok "$name passes mandoc -T lint -W warning"
		printf '%s\n' "$lint" | diag
	fi
	# groff's own warnings (what 'man --warnings' shows), tbl/eqn-free mdoc.
	if warn=$(groff -mandoc -Tutf8 -ww -z "$m" 2>&1) && [ -z "$warn" ]; then
		ok "$name renders without groff warnings"
	else
		not_ok "$name renders without groff warnings"
		printf '%s\n' "$warn" | diag
	fi
done

# sample_parses DESC FILE: csmaint gets past configuration parsing: it fails only to
# connect (the sample points at a server that is not there, or refuses us).
sample_parses() {
	local desc=$1 file=$2 rc err=$TEST_TMP/sample.err
	CSMAINT_CONF="" timeout 60 "$CSMAINT" -c "$file" schema >/dev/null 2>"$err"
	rc=$?
	if { [ "$rc" -ne 2 ] || grep -q "cannot connect" "$err"; } &&
		! grep -q "csmaint: $file" "$err" && [ "$rc" -ne 124 ]; then
		ok "$desc (exit $rc: $(head -c 100 "$err"))"
	else
		not_ok "$desc: exit $rc"
		diag <"$err"
	fi
}
sample_parses "conf/csmaint.conf.sample parses as it is" "$SAMPLE"

# Every commented-out optional key, uncommented, must also be valid; the secrets keys
# stay commented (they need files, and password conflicts with password_file).
uncommented=$TEST_TMP/csmaint.conf.uncommented
sed -E 's/^([[:space:]]*)#([a-z_]+[[:space:]]*=)/\1\2/' "$SAMPLE" |
	grep -Ev '^[[:space:]]*(password|password_file|defaults_file|defaults_group|socket)[[:space:]]*=' \
	>"$uncommented"
chmod 600 "$uncommented"
if [ "$(grep -c '^[[:space:]]*[a-z_]*[[:space:]]*=' "$uncommented")" -gt \
	"$(grep -c '^[[:space:]]*[a-z_]*[[:space:]]*=' "$SAMPLE")" ]; then
	sample_parses "the sample's optional keys, uncommented, are valid" "$uncommented"
else
	not_ok "the sample has commented-out optional keys to check"
fi

exit "$failed"
