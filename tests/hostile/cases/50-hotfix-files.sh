# hotfix HOST FILE... --execute with FILEs that cannot be hotfixes (issue 8 item 6):
# every FILE and the catalog are opened and checked in step 0, before the disable, so
# the host is never disabled, no operation is written and nothing is sent to XenServer:
# exit 3, naming the file.  Nobody plays the operator here, and the waits time out
# after 1 s, so a csmaint that checks too late fails fast (rolled back, exit 1).
# shellcheck shell=bash disable=SC2034 # sourced by tests/hostile/run: RC, PROC_CONF, ... are read by lib.sh and common.sh
PROC_CONF='procedure = { poll_interval = 0.2; wait_timeout = 1; reboot_timeout = 5; };'
hotfix_fresh
h_baseline
F=$TEST_TMP/hostile-files
mkdir -p "$F/dir.xsupdate"
mkfifo "$F/fifo.xsupdate"
ln -sf "$F/nowhere.xsupdate" "$F/dangling.xsupdate"
: >"$F/empty.xsupdate"
printf 'not a hotfix at all\n' >"$F/garbage.xsupdate"

# file_case NAME WANT ERR-REGEX ARGS...: hotfix xs-01 ARGS --execute.
file_case() {
	local name=$1 want=$2 re=$3
	shift 3
	hcase "hotfix files: $name"
	simctl json '[{"clear_faults": {}}, {"reset_calls": {}}]' >/dev/null
	H_TIMEOUT=8 hrun hotfix xs-01 "$@" --execute
	a_exit "$want"
	a_err "$re"
	a_unchanged
	a_eq "row" Enabled "$(alloc_of 1)"
	h_assert "XenServer was asked to change something: $(simctl calls --methods | grep -E 'disable|task.create|Async|upload' | sort -u | tr '\n' ' ')" \
		eval '! simctl calls --methods | grep -qE "^(host.disable|task.create|Async\.)"'
	hend
	h_reset_db
}
file_case "a missing file" 3 'missing\.xsupdate' "$F/missing.xsupdate"
file_case "a directory" 3 'dir\.xsupdate' "$F/dir.xsupdate"
file_case "/dev/zero" 3 '/dev/zero' /dev/zero
file_case "a FIFO" 3 'fifo\.xsupdate' "$F/fifo.xsupdate"
file_case "a dangling symlink" 3 'dangling\.xsupdate' "$F/dangling.xsupdate"
file_case "an empty file" 3 'empty\.xsupdate' "$F/empty.xsupdate"
file_case "a good file, then a missing one" 3 'missing\.xsupdate' "$F3" "$F/missing.xsupdate"
file_case "a missing catalog" 3 'nocat\.xml' --catalog "$F/nocat.xml" "$F3"
file_case "a FIFO as the catalog" 3 'fifo\.xsupdate' --catalog "$F/fifo.xsupdate" "$F3"
# Controls: patch upload already checks its files (exit 3, nothing sent).
hcase "hotfix files: patch upload of /dev/zero (control)"
simctl json '[{"clear_faults": {}}, {"reset_calls": {}}]' >/dev/null
H_TIMEOUT=10 hrun patch upload /dev/zero --host xs-01 --execute
a_exit 3
a_err '/dev/zero'
a_eq "uploads" 0 "$(simctl calls --methods | grep -c '^task.create$')"
a_unchanged
hend
hcase "hotfix files: patch upload of a directory (control)"
H_TIMEOUT=10 hrun patch upload "$F/dir.xsupdate" --host xs-01 --execute
a_exit 3
a_err 'dir\.xsupdate'
a_unchanged
hend
PROC_CONF=
