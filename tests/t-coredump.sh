#!/usr/bin/env bash
# No core dump carries the passwords (issue 8.3).  csmaint is caught while it holds both
# secrets: connecting to a "database" that accepts and never answers.  With the core
# size limit unlimited it must still have a core limit of 0 and not be dumpable, and
# SIGABRT must leave no core file.  The machine's core_pattern is not touched: whatever
# it is, a process that is not dumpable is not dumped (the kernel reports no core in the
# wait status), and with a plain-file pattern no file appears.  Not being dumpable is
# seen only by another user (the files in /proc/PID then belong to root), so as root
# the probe runs a second time as an unprivileged user (setpriv, nobody).
set -u
: "${CSMAINT:?}" "${TEST_TMP:?}"
P=0 F=0
ok() { P=$((P + 1)); echo "ok - $*"; }
not_ok() { F=$((F + 1)); echo "not ok - $*"; }

# probe DIR [USER]: run csmaint from DIR (as USER, through setpriv), catch it holding its
# secrets, abort it; the facts go to DIR/result.
probe() {
	local dir=$1 user=${2:-}
	local -a as=()
	mkdir -p "$dir/cwd"
	printf 'db-secret-4711\n' >"$dir/db.pass"
	chmod 600 "$dir/db.pass"
	cp "$CSMAINT" "$dir/csmaint"
	chmod 755 "$dir/csmaint"
	if [ -n "$user" ]; then
		chown -R "$user" "$dir"
		as=(setpriv --reuid="$user" --regid="$(id -g "$user")" --clear-groups)
	fi
	"${as[@]}" /usr/bin/python3 - "$dir/csmaint" "$dir" "$dir/cwd" >"$dir/result" 2>"$dir/py.err" <<'PY'
import os, resource, signal, socket, subprocess, sys, time
csmaint, tmp, work = sys.argv[1:4]
lst = socket.socket()
lst.bind(("127.0.0.1", 0))
lst.listen(1)
port = lst.getsockname()[1]
conf = os.path.join(tmp, "csmaint.conf")
with open(conf, "w") as f:
    f.write('database = { host = "127.0.0.1"; port = %d; user = "csm";\n'
            '  password_file = "%s/db.pass"; connect_timeout = 120; };\n'
            'xenapi = { password = "xapi-secret-0815"; };\n' % (port, tmp))
os.chmod(conf, 0o600)
def unlimited():
    resource.setrlimit(resource.RLIMIT_CORE, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
p = subprocess.Popen([csmaint, "-c", conf, "host", "list"], cwd=work, preexec_fn=unlimited,
                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
lst.settimeout(20)
try:
    conn, _ = lst.accept()	# csmaint has read both secrets and waits for the handshake
except socket.timeout:
    print("accepted=no")
    p.kill()
    sys.exit(0)
print("accepted=yes")
time.sleep(0.2)
for line in open("/proc/%d/limits" % p.pid):
    if line.startswith("Max core file size"):
        print("core_limit=" + "/".join(line.split()[4:6]))
print("proc_owner=%d" % os.stat("/proc/%d/status" % p.pid).st_uid)
print("uid=%d" % os.getuid())
os.kill(p.pid, signal.SIGABRT)
_, status = os.waitpid(p.pid, 0)
print("signal=%d" % (os.WTERMSIG(status) if os.WIFSIGNALED(status) else 0))
print("core_dumped=%s" % ("yes" if os.WCOREDUMP(status) else "no"))
cores = [n for n in os.listdir(work) if n.startswith("core")]
print("core_files=%s" % (",".join(cores) or "none"))
leak = []
for n in cores:
    data = open(os.path.join(work, n), "rb").read()
    for secret in (b"db-secret-4711", b"xapi-secret-0815"):
        if secret in data:
            leak.append(secret.decode())
print("leaked=%s" % (",".join(leak) or "none"))
conn.close()
PY
}

# verdict DIR WHO: the assertions on one probe.
verdict() {
	local dir=$1 who=$2
	get() { sed -n "s/^$1=//p" "$dir/result"; }
	sed 's/^/# /' "$dir/result"
	if [ "$(get accepted)" != yes ]; then
		not_ok "$who: csmaint connected to the silent database"
		sed 's/^/#   /' "$dir/py.err"
		return
	fi
	ok "$who: csmaint holds its secrets, waiting for the database"
	if [ "$(get core_limit)" = "0/0" ]; then ok "$who: core file size limit is 0 (soft and hard)"
	else not_ok "$who: core file size limit is 0: got $(get core_limit)"; fi
	if [ "$(get uid)" != 0 ]; then
		# Root, or in a user namespace whatever root maps to: not the user itself.
		if [ "$(get proc_owner)" != "$(get uid)" ]; then
			ok "$who: not dumpable (/proc/PID/status not owned by us)"
		else
			not_ok "$who: not dumpable: /proc/PID/status owned by uid $(get proc_owner), our own"
		fi
	fi
	[ "$(get signal)" = 6 ] && ok "$who: SIGABRT killed it" || not_ok "$who: SIGABRT killed it (signal $(get signal))"
	[ "$(get core_dumped)" = no ] && ok "$who: the kernel dumped no core" || not_ok "$who: the kernel dumped a core"
	[ "$(get core_files)" = none ] && ok "$who: no core file" || not_ok "$who: no core file: $(get core_files)"
	[ "$(get leaked)" = none ] && ok "$who: no password in any core file" || not_ok "$who: passwords in a core file: $(get leaked)"
	rm -f "$dir"/cwd/core*
}

probe "$TEST_TMP/self"
verdict "$TEST_TMP/self" "$(id -un)"
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null && id nobody >/dev/null 2>&1; then
		# Outside TEST_TMP, whose parent only root may enter.
		# Not under TMPDIR: the suite's temp root is private (0700), and nobody must
		# reach the probe's files.
		nb=$(mktemp -d /tmp/csmaint-core.XXXXXX)
		trap 'rm -rf "$nb"; declare -F _cleanup >/dev/null && _cleanup' EXIT
		chmod 755 "$nb"
		probe "$nb" nobody
		verdict "$nb" nobody
	else
		echo "# no setpriv or no user nobody: dumpable is checked only through SIGABRT"
	fi
fi
echo "# $P passed, $F failed"
[ "$F" -eq 0 ]
