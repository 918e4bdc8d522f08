#!/usr/bin/env bash
# No core dump carries the passwords (issue 8.3).  csmaint is caught while it holds both
# secrets: connecting to a "database" that accepts and never answers.  With the core
# size limit unlimited it must still have a core limit of 0 and not be dumpable, and
# SIGABRT must leave no core file.  The machine's core_pattern is not touched: whatever
# it is, a process that is not dumpable is not dumped (the kernel reports no core in the
# wait status), and with a plain-file pattern no file appears.
set -u
: "${CSMAINT:?}" "${TEST_TMP:?}"
P=0 F=0
ok() { P=$((P + 1)); echo "ok - $*"; }
not_ok() { F=$((F + 1)); echo "not ok - $*"; }

work=$TEST_TMP/cwd
mkdir -p "$work"
printf 'db-secret-4711\n' >"$TEST_TMP/db.pass"
chmod 600 "$TEST_TMP/db.pass"

/usr/bin/python3 - "$CSMAINT" "$TEST_TMP" "$work" >"$TEST_TMP/result" 2>"$TEST_TMP/py.err" <<'PY'
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
print("proc_owner=%d" % os.stat("/proc/%d" % p.pid).st_uid)
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
sed 's/^/# /' "$TEST_TMP/result"
get() { sed -n "s/^$1=//p" "$TEST_TMP/result"; }

if [ "$(get accepted)" != yes ]; then
	not_ok "csmaint connected to the silent database"
	sed 's/^/#   /' "$TEST_TMP/py.err"
	echo "# $P passed, $F failed"
	exit 1
fi
ok "csmaint holds its secrets, waiting for the database"
if [ "$(get core_limit)" = "0/0" ]; then ok "core file size limit is 0 (soft and hard)"
else not_ok "core file size limit is 0: got $(get core_limit)"; fi
if [ "$(get uid)" != 0 ]; then
	# /proc/PID of a process that is not dumpable belongs to root (or, in a user
	# namespace, to whatever root maps to), not to the user who started it.  As root
	# this cannot be seen: the SIGABRT below shows it instead.
	if [ "$(get proc_owner)" != "$(get uid)" ]; then ok "not dumpable (/proc/PID not owned by us)"
	else not_ok "not dumpable: /proc/PID owned by uid $(get proc_owner), our own"; fi
fi
[ "$(get signal)" = 6 ] && ok "SIGABRT killed it" || not_ok "SIGABRT killed it (signal $(get signal))"
[ "$(get core_dumped)" = no ] && ok "the kernel dumped no core" || not_ok "the kernel dumped a core"
[ "$(get core_files)" = none ] && ok "no core file" || not_ok "no core file: $(get core_files)"
[ "$(get leaked)" = none ] && ok "no password in any core file" || not_ok "passwords in a core file: $(get leaked)"
rm -f "$work"/core*
echo "# $P passed, $F failed"
[ "$F" -eq 0 ]
