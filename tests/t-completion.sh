#!/usr/bin/env bash
# t-completion.sh: the bash completion that 'csmaint completion bash' prints, sourced in
# bash: commands, verbs, options, option values, HOST and OP from the database; and every
# command and option that --help shows is completable (the script is generated from the
# same table, so they cannot drift).
. "$TOP_SRCDIR/tests/lib/common.sh"
SCRIPT=$TEST_TMP/csmaint.bash
"$CSMAINT" completion bash >"$SCRIPT" 2>"$ERR"
expect_eq "completion bash exits 0" 0 "$?"
check "the script is valid bash" bash -n "$SCRIPT"
expect_exit 2 "another shell is refused" completion zsh
expect_err "csmaint: no completion for shell 'zsh'" "the refusal names the shell"

# comp WORDS...: COMPREPLY, one word a line, for the command line WORDS (the last word is
# the one being completed; "" completes a new word), in a fresh bash.
comp() {
	bash -c '
		. "$1"; shift
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_csmaint
		printf "%s\n" "${COMPREPLY[@]}"' bash "$SCRIPT" "$CSMAINT" "$@" | sort
}
# expect_comp DESC WANT WORDS...: the completions, joined by spaces, are WANT.
expect_comp() {
	local d=$1 want=$2
	shift 2
	expect_eq "$d" "$want" "$(comp "$@" | paste -sd' ')"
}
expect_comp "the nouns and commands" "audit check completion host hotfix journal patch recover resume rolling schema vms" ""
expect_comp "h: host and hotfix" "host hotfix" h
expect_comp "host's verbs" "disable enable list reboot show" host ""
expect_comp "host di: disable" "disable" host di
expect_comp "global options" "--ask-pass --config --help --output --quiet --verbose --version" --
expect_comp "a global option's value" "csv json table" -o ""
expect_comp "after a global option and its value" "host hotfix" -o json h
expect_comp "host disable's options (and the global ones)" "--reason" host disable xs-01 --r
expect_comp "host list --state values" "Disabled Enabled" host list --state ""
expect_comp "schema: its verb" "install" schema ""
expect_comp "completion's shell" "bash" completion ""
mkdir -p "$TEST_TMP/files"
: >"$TEST_TMP/files/XS56EFP1003.xsupdate"
expect_comp "hotfix --catalog: a file" "$TEST_TMP/files/XS56EFP1003.xsupdate" hotfix --catalog "$TEST_TMP/files/XS"

# HOST and OP come from the database, through the -c FILE on the command line.
cs_setup 2.2
expect_comp "HOST: the host names starting xs-0" "xs-01 xs-02 xs-03 xs-04 xs-05 xs-06 xs-07 xs-08 xs-09" \
	-c "$CONF" host disable xs-0
expect_comp "HOST after another option" "xs-dup xs-dup" -c "$CONF" vms --xapi xs-d
expect_comp "a name with a quote and blanks is quoted for the shell" "xs\\'\\;\\ DROP\\ TABLE\\ host\\;\\ --\\\"q" \
	-c "$CONF" host show "xs'"
expect_comp "--host HOST" "xs-01" --config="$CONF" journal list --host xs-01
expect_comp "no HOST after host show HOST" "" -c "$CONF" host show xs-01 ""
expect_comp "without a reachable database: nothing, quietly" "" -c /nonexistent host show ""
run host disable xs-01 --execute
run host disable xs-02 --execute
expect_comp "OP: the operation ids" "1 2" -c "$CONF" journal show ""
expect_comp "OP for recover" "1" -c "$CONF" recover 1

# Every command and option --help shows is completable.
missing=
while read -r cmd; do
	read -ra w <<<"$cmd"
	for ((i = 0; i < ${#w[@]}; i++)); do
		comp "${w[@]:0:i}" "${w[i]}" | grep -qx -- "${w[i]}" || missing="$missing '$cmd'"
	done
	for opt in $("$CSMAINT" $cmd --help | awk '/^options:|^global options:/ { on = 1; next } on && /^$/ { on = 0 } on { for (i = 1; i <= NF && $i ~ /^-/; i++) { sub(/,$/, "", $i); print $i } }'); do
		comp "${w[@]}" "$opt" | grep -qx -- "$opt" || missing="$missing '$cmd $opt'"
	done
done < <("$CSMAINT" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on {
	sub(/^ +/, ""); split($0, f, /  +/); n = split(f[1], w, " "); s = ""
	for (i = 1; i <= n && w[i] ~ /^[a-z]+$/; i++) s = s (s == "" ? "" : " ") w[i]
	print s }')
expect_eq "every command and option of --help completes" "" "$missing"
# Loaded the way bash-completion loads an installed completion (inside a function).
need_file /usr/share/bash-completion/bash_completion "the Debian package bash-completion"
mkdir -p "$TEST_TMP/bc/completions"
cp "$SCRIPT" "$TEST_TMP/bc/completions/csmaint"
expect_eq "loaded by bash-completion on demand" "disable enable list reboot show" "$(BASH_COMPLETION_USER_DIR=$TEST_TMP/bc bash -c '
	. /usr/share/bash-completion/bash_completion
	__load_completion csmaint || exit 1
	COMP_WORDS=(csmaint host ""); COMP_CWORD=2; _csmaint; printf "%s\n" "${COMPREPLY[@]}"' | sort | paste -sd' ')"
n=$("$CSMAINT" --help | awk '/^commands:/ { on = 1; next } on && /^$/ { exit } on' | wc -l)
expect_eq "the help lists every command of the script" "$n" "$(bash -c '. "$1"; echo ${#_csmaint_commands[@]}' bash "$SCRIPT")"
finish
