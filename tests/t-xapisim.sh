#!/bin/bash
# t-xapisim.sh - integration test of the XenAPI simulator (tests/xapisim).
# Uses an independent client: XenAPI.py from Debian's python3-os-xenapi,
# plus raw xmlrpc.client/http.client and curl.  Exit 0 pass, 1 fail, 77 skip.
set -u
: "${TOP_SRCDIR:?}" "${TEST_TMP:?}"
PY=/usr/bin/python3
SIM=$TOP_SRCDIR/tests/xapisim
. "$TOP_SRCDIR/tests/lib/need.sh"
need_cmd openssl openssl
need_cmd curl curl
need_py os_xenapi.client python3-os-xenapi

state=$TEST_TMP/state
mkdir -p "$state"
"$SIM/mkcert.sh" "$TEST_TMP/certs" >/dev/null || { echo "not ok - mkcert.sh"; exit 1; }
echo "ok - mkcert.sh made a CA, a server certificate and a pin"

cat > "$TEST_TMP/scenario.json" <<'EOF'
{
  "pool": {"name_label": "cs-pool-1", "master": "xs1"},
  "mode": "pool_patch",
  "users": {"root": "xenroot"},
  "product_version": "5.6.100", "build_number": "39265p",
  "API_version_major": 1, "API_version_minor": 8,
  "login_max_args": 3,
  "apply_seconds": 0.3,
  "hosts": [
    {"name_label": "xs1", "address": "127.0.0.1", "reboot_seconds": 1,
     "other_config": {"boot_time": "1286883345."}},
    {"name_label": "xs2", "address": "127.0.0.2", "reboot_seconds": 1}
  ],
  "vms": [
    {"name_label": "i-2-10-VM", "resident_on": "xs1", "other_config": {"vm_uuid": "6c1f3f1e-0000-4000-8000-000000000010"},
     "guest_metrics": {"PV_drivers_version": {"major": "5", "minor": "6", "micro": "100", "build": "39215"},
                       "PV_drivers_up_to_date": true}},
    {"name_label": "r-4-VM", "resident_on": "xs2"},
    {"name_label": "tmpl", "is_a_template": true, "power_state": "Halted"}
  ],
  "patches": [
    {"uuid": "b2ab4ae6-9a8f-4f4c-9c3f-5b5a1e2d1c01", "name_label": "XS56EFP1001",
     "version": "1.0", "size": 1234, "after_apply_guidance": ["restartHost"],
     "applied_on": ["xs1"], "timestamp_applied": "20110101T00:00:00Z"}
  ]
}
EOF

"$PY" "$SIM/xapisim.py" --scenario "$TEST_TMP/scenario.json" \
    --cert "$TEST_TMP/certs/server.pem" --key "$TEST_TMP/certs/server.key" \
    --cacert "$TEST_TMP/certs/ca.pem" --port 0 --state-dir "$state" \
    2>"$TEST_TMP/xapisim.log" &
simpid=$!
cleanup() {
    kill "$simpid" 2>/dev/null && wait "$simpid" 2>/dev/null
}
trap cleanup EXIT
for _ in $(seq 100); do
    [ -e "$state/ready" ] && break
    kill -0 "$simpid" 2>/dev/null || break
    sleep 0.1
done
if [ ! -e "$state/ready" ]; then
    echo "not ok - simulator did not start"; sed 's/^/# /' "$TEST_TMP/xapisim.log"; exit 1
fi
echo "ok - simulator listening on port $(cat "$state/port")"

export STATE=$state CA=$TEST_TMP/certs/ca.pem SIMCTL=$SIM/simctl TMPD=$TEST_TMP
"$PY" - <<'EOF'
import http.client, os, ssl, subprocess, sys, time, xmlrpc.client
from os_xenapi.client import XenAPI

state, ca, simctl, tmpd = (os.environ[k] for k in ("STATE", "CA", "SIMCTL", "TMPD"))
port = int(open(os.path.join(state, "port")).read())
ctx = ssl.create_default_context(cafile=ca)
M, S = "https://127.0.0.1:%d/" % port, "https://127.0.0.2:%d/" % port
failed = 0

def check(cond, what, extra=""):
    global failed
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failed += 1
        if extra:
            print("# " + str(extra).replace("\n", "\n# "))

def ctl(*args):
    r = subprocess.run([simctl, "--state-dir", state] + list(args), capture_output=True, text=True)
    if r.returncode:
        print("# simctl %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout.strip()

def xenapi(uri):
    return XenAPI.Session(uri, transport=xmlrpc.client.SafeTransport(context=ctx))

def raw(body, host="127.0.0.1", method="POST"):
    c = http.client.HTTPSConnection(host, port, context=ctx, timeout=10)
    c.request(method, "/", body=body, headers={"Content-Type": "text/xml"})
    r = c.getresponse()
    out = (r.status, r.getheader("Content-Type"), r.read())
    c.close()
    return out

def failure(fn, *a):
    try:
        fn(*a)
    except XenAPI.Failure as e:
        return e.details
    return None

# --- XenAPI.py: login, the API-version calls, records, logout ---
try:
    s = xenapi(M)
    s.login_with_password("root", "xenroot", "1.8")   # runs the 4 version calls
    x = s.xenapi
    check(s.handle.startswith("OpaqueRef:"), "XenAPI.py login_with_password (3 args)")
    pool = x.pool.get_all()
    check(len(pool) == 1, "pool.get_all")
    master = x.pool.get_master(pool[0])
    check(x.host.get_record(master)["address"] == "127.0.0.1", "pool.get_master is xs1")
    check((x.host.get_API_version_major(master), x.host.get_API_version_minor(master)) == ("1", "8")
          and s.API_version == "1.8", "host.get_API_version_major/minor = 1.8 (int64 as string)")
    vms = x.VM.get_all_records()
    names = sorted(v["name_label"] for v in vms.values())
    guest = [v for v in vms.values() if v["name_label"] == "i-2-10-VM"][0]
    check(len(vms) == 5 and "Control domain on host: xs2" in names
          and guest["power_state"] == "Running" and guest["resident_on"] == master
          and guest["other_config"]["vm_uuid"].startswith("6c1f"), "VM.get_all_records", names)
    gm = x.VM_guest_metrics.get_record(guest["guest_metrics"])
    check(gm["PV_drivers_version"]["major"] == "5" and gm["PV_drivers_up_to_date"] is True
          and "PV_drivers_detected" not in gm, "VM_guest_metrics record has 5.6-era fields only")
    pp = x.pool_patch.get_all_records()
    p1 = list(pp.values())[0]
    check(len(pp) == 1 and p1["name_label"] == "XS56EFP1001" and p1["after_apply_guidance"] == ["restartHost"]
          and "pool_update" not in p1, "pool_patch.get_all_records", pp)
    hp = x.host_patch.get_record(p1["host_patches"][0])
    check(hp["applied"] is True and hp["host"] == master and x.host.get_patches(master) == p1["host_patches"],
          "host_patch applied on xs1, host.get_patches")
    check(failure(x.host.get_record, "OpaqueRef:nope") == ["HANDLE_INVALID", "host", "OpaqueRef:nope"],
          "HANDLE_INVALID for an unknown ref")
    check(ctl("sessions") == "1", "one open session while logged in")
    s.xenapi.session.logout()
    check(ctl("sessions") == "0", "session.logout closes the session")
except Exception as e:
    check(False, "XenAPI.py session", repr(e))

# --- sessions: member, bad password, arg counts ---
check(failure(xenapi(S).login_with_password, "root", "xenroot") == ["HOST_IS_SLAVE", "127.0.0.1"],
      "login on a member address -> HOST_IS_SLAVE [master]")
check((failure(xenapi(M).login_with_password, "root", "bad") or [None])[0] == "SESSION_AUTHENTICATION_FAILED",
      "wrong password -> SESSION_AUTHENTICATION_FAILED")
check(failure(xenapi(M).login_with_password, "root", "xenroot", "1.8", "csmaint")
      == ["MESSAGE_PARAMETER_COUNT_MISMATCH", "session.login_with_password", "3", "4"],
      "4-arg login on a 5.6 scenario -> MESSAGE_PARAMETER_COUNT_MISMATCH")
sp = xmlrpc.client.ServerProxy(M, context=ctx)
sess = sp.session.login_with_password("root", "xenroot")["Value"]
r = xmlrpc.client.ServerProxy(S, context=ctx).pool.get_all(sess)
check(r.get("ErrorDescription") == ["HOST_IS_SLAVE", "127.0.0.1"], "call on a member -> HOST_IS_SLAVE", r)
check(sp.no_such.method(sess).get("ErrorDescription") == ["MESSAGE_METHOD_UNKNOWN", "no_such.method"],
      "unknown method -> MESSAGE_METHOD_UNKNOWN")

# --- wire format ---
host = sp.pool.get_master(sess, sp.pool.get_all(sess)["Value"][0])["Value"]
st, ct, body = raw('<?xml version="1.0"?><methodCall><methodName>host.get_record</methodName><params>'
                   '<param><value>%s</value></param><param><value><int>5</int></value></param>'
                   '</params></methodCall>' % sess)
check(st == 200 and b"<value>FIELD_TYPE_ERROR</value><value>self</value>" in body,
      "<int> parameter -> FIELD_TYPE_ERROR [self]", body)
st, ct, body = raw('<?xml version="1.0"?><methodCall><methodName>host.get_enabled</methodName><params>'
                   '<param><value><string>%s</string></value></param><param><value>%s</value></param>'
                   '</params></methodCall>' % (sess, host))
check(b"<member><name>Status</name><value>Success</value></member>" in body
      and b"<value><boolean>1</boolean></value>" in body, "<string> params accepted, bool as <boolean>", body)
st, ct, body = raw("<methodCall><methodName>pool.get_all</methodName><params><param>")
check(st == 500 and ct.startswith("text/html") and b"<html>" in body, "malformed XML -> HTTP 500 HTML")
st, ct, body = raw("<methodCall><params></params></methodCall>")
check(st == 500 and b"<html>" in body, "missing methodName -> HTTP 500 HTML")
st, ct, body = raw(None, method="GET")
check(st == 500 and b"<html>" in body, "GET / -> HTTP 500 HTML")

# --- fault injection through simctl ---
ctl("fault", "VM.get_all_records", "HOST_OFFLINE", "OpaqueRef:x", "--count", "1")
r1 = sp.VM.get_all_records(sess)
r2 = sp.VM.get_all_records(sess)
check(r1.get("ErrorDescription") == ["HOST_OFFLINE", "OpaqueRef:x"] and r2["Status"] == "Success",
      "injected fault comes back once", r1)
# count 2: xmlrpc.client silently retries once when a keep-alive connection drops
ctl("transport-fault", "pool.get_all", "drop", "--count", "2")
try:
    sp.pool.get_all(sess)
    check(False, "transport fault drop closes the connection")
except (OSError, http.client.HTTPException) as e:
    check(True, "transport fault drop closes the connection (%s)" % type(e).__name__)
ctl("transport-fault", "pool.get_all", "malformed")
try:
    sp.pool.get_all(sess)
    check(False, "transport fault malformed")
except Exception as e:
    check(isinstance(e, xmlrpc.client.expat.ExpatError), "transport fault malformed -> XML error", repr(e))
calls = ctl("calls")
check("xenroot" not in calls and sess not in calls and '"VM.get_all_records"' in calls,
      "calls are recorded with password and session redacted")

# --- toolstack restart ---
ctl("toolstack-restart")
r = sp.pool.get_all(sess)
check(r.get("ErrorDescription") == ["SESSION_INVALID", sess], "toolstack restart -> SESSION_INVALID", r)
check(ctl("sessions") == "0", "toolstack restart dropped all sessions")

# --- phase 2: upload with the early 200, precheck, apply ---
sess = sp.session.login_with_password("root", "xenroot")["Value"]
hosts = sp.host.get_all(sess)["Value"]
task = sp.task.create(sess, "upload", "")["Value"]
patch = os.path.join(tmpd, "XS56E002.xsupdate")
with open(patch, "wb") as f:
    f.write(b"XSUPDATE uuid=11111111-2222-3333-4444-555555555555 name-label=XS56E002 version=1.0 "
            b"after-apply-guidance=restartHost restartXAPI "
            b"requires=b2ab4ae6-9a8f-4f4c-9c3f-5b5a1e2d1c01 product-version=5.6.100\nSIGNATURE ok\n")
    f.write(os.urandom(1 << 20))
url = "https://127.0.0.1:%d/pool_patch_upload?session_id=%s&task_id=%s" % (port, sess, task)
c = subprocess.run(["curl", "-sS", "-i", "-T", patch, "--cacert", ca, "-H", "Expect:", "--max-time", "20", url],
                   capture_output=True)
check(c.returncode == 0 and c.stdout.startswith(b"HTTP/1.1 200 OK") and b"Content-Length" not in c.stdout,
      "curl -T upload gets the early 200 without Content-Length", c.stderr)
deadline = time.time() + 10
while sp.task.get_status(sess, task)["Value"] == "pending" and time.time() < deadline:
    time.sleep(0.1)
rec = sp.task.get_record(sess, task)["Value"]
pref = rec["result"]
check(rec["status"] == "success" and pref.startswith("OpaqueRef:") and "<value>" not in pref,
      "upload task result is a bare pool_patch ref", rec)
check(sp.pool_patch.get_record(sess, pref)["Value"]["uuid"] == "11111111-2222-3333-4444-555555555555",
      "uploaded pool_patch has the file's uuid")
sp.task.destroy(sess, task)
task = sp.task.create(sess, "upload", "")["Value"]
url = "https://127.0.0.1:%d/pool_patch_upload?session_id=%s&task_id=%s" % (port, sess, task)
subprocess.run(["curl", "-sS", "-T", patch, "--cacert", ca, "-H", "Expect:", url], capture_output=True)
time.sleep(0.2)
check(sp.task.get_error_info(sess, task)["Value"] == ["PATCH_ALREADY_EXISTS", "11111111-2222-3333-4444-555555555555"],
      "second upload -> task fails PATCH_ALREADY_EXISTS [uuid]")
c = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", patch, "--cacert", ca,
                    "-H", "Expect:", url.replace(sess, "OpaqueRef:bad")], capture_output=True, text=True)
check(c.stdout == "401", "upload with a bad session -> HTTP 401", c.stdout)
xs2 = [h for h in hosts if h != host][0]
r = sp.pool_patch.precheck(sess, pref, xs2)
check(r.get("ErrorDescription") == ["PATCH_PRECHECK_FAILED_PREREQUISITE_MISSING", pref,
                                    "b2ab4ae6-9a8f-4f4c-9c3f-5b5a1e2d1c01"],
      "precheck on xs2 -> PREREQUISITE_MISSING [patch; uuid]", r)
t = sp.Async.pool_patch.apply(sess, pref, host)["Value"]
while sp.task.get_status(sess, t)["Value"] == "pending":
    time.sleep(0.05)
rec = sp.task.get_record(sess, t)["Value"]
check(rec["status"] == "success" and rec["result"].startswith("<value>"),
      "Async.pool_patch.apply -> task result is a <value> fragment", rec)
r = sp.pool_patch.apply(sess, pref, host)
check(r.get("ErrorDescription") == ["PATCH_ALREADY_APPLIED", pref], "apply again -> PATCH_ALREADY_APPLIED")

# --- phase 2: member reboot ---
check(sp.host.reboot(sess, xs2).get("ErrorDescription") == ["HOST_NOT_DISABLED"], "reboot enabled host -> HOST_NOT_DISABLED")
sp.host.disable(sess, xs2)
r = sp.host.reboot(sess, xs2)
check((r.get("ErrorDescription") or [None])[0] == "HOST_IN_USE", "reboot with a running guest -> HOST_IN_USE", r)
ctl("set-vm", "r-4-VM", "power_state=Halted")
old = sp.host.get_other_config(sess, xs2)["Value"]["boot_time"]
metrics = sp.host.get_metrics(sess, xs2)["Value"]
t = sp.Async.host.reboot(sess, xs2)["Value"]
seen_down, deadline = False, time.time() + 8
while time.time() < deadline:
    if not sp.host_metrics.get_live(sess, metrics)["Value"]:
        seen_down = True
    rec = sp.host.get_record(sess, xs2)["Value"]
    if rec["other_config"]["boot_time"] != old and rec["enabled"]:
        break
    time.sleep(0.1)
check(seen_down and rec["other_config"]["boot_time"] != old and rec["enabled"],
      "member reboot: live goes false, then new boot_time and enabled", rec["other_config"])
sp.session.logout(sess)
check(ctl("sessions") == "0", "no sessions left open")
sys.exit(1 if failed else 0)
EOF
rc=$?
if [ $rc -ne 0 ]; then
    echo "# simulator log:"; tail -n 30 "$TEST_TMP/xapisim.log" | sed 's/^/# /'
fi
kill -TERM "$simpid"
wait "$simpid"
src=$?
trap - EXIT
if [ $src -eq 0 ]; then echo "ok - SIGTERM: simulator exits 0"
else echo "not ok - SIGTERM: simulator exit status $src"; rc=1; fi

# ---- a 7.1 (API 2.6) pool: pool_update mode --------------------------------
cat > "$TEST_TMP/scenario71.json" <<'EOF'
{
  "pool": {"name_label": "p71", "master": "m", "default_SR": "nfs-pool"},
  "product_version": "7.1.0", "build_number": "137272c",
  "API_version_major": 2, "API_version_minor": 6,
  "empty_value_style": "self_closing", "apply_seconds": 0.1,
  "hosts": [{"name_label": "m"}, {"name_label": "n"}],
  "srs": [{"name_label": "nfs-pool", "uuid": "5a5a5a5a-0000-4000-8000-000000000001", "type": "nfs",
           "shared": true},
          {"name_label": "Local storage on n", "uuid": "5a5a5a5a-0000-4000-8000-000000000002",
           "type": "lvm", "host": "n"}],
  "vms": [{"name_label": "i-2-3-VM", "resident_on": "n",
           "guest_metrics": {"PV_drivers_version": {"major": "7", "minor": "1"},
                             "PV_drivers_up_to_date": true, "PV_drivers_detected": true}}],
  "patches": [{"uuid": "aaaaaaaa-0000-4000-8000-000000000001", "name_label": "XS71E001",
               "applied_on": ["m"], "after_apply_guidance": ["restartHost"]}]
}
EOF
state=$TEST_TMP/state71
"$PY" "$SIM/xapisim.py" --scenario "$TEST_TMP/scenario71.json" \
    --cert "$TEST_TMP/certs/server.pem" --key "$TEST_TMP/certs/server.key" \
    --cacert "$TEST_TMP/certs/ca.pem" --port 0 --state-dir "$state" \
    2>"$TEST_TMP/xapisim71.log" &
simpid=$!
trap cleanup EXIT
for _ in $(seq 100); do
    [ -e "$state/ready" ] && break
    kill -0 "$simpid" 2>/dev/null || break
    sleep 0.1
done
[ -e "$state/ready" ] || { echo "not ok - 7.1 simulator did not start"; exit 1; }
STATE=$state "$PY" - <<'EOF' || rc=1
import os, ssl, subprocess, sys, time, xmlrpc.client
from os_xenapi.client import XenAPI
state, ca, simctl, tmpd = (os.environ[k] for k in ("STATE", "CA", "SIMCTL", "TMPD"))
port = int(open(os.path.join(state, "port")).read())
ctx = ssl.create_default_context(cafile=ca)
failed = 0
def check(cond, what, extra=""):
    global failed
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failed += 1
        print("# " + str(extra).replace("\n", "\n# "))
try:
    s = XenAPI.Session("https://127.0.0.1:%d/" % port, transport=xmlrpc.client.SafeTransport(context=ctx))
    s.login_with_password("root", "xenroot", "2.6", "csmaint-test")
    x = s.xenapi
    check(s.API_version == "2.6", "7.1: 4-arg login, API 2.6")
    gm = list(x.VM_guest_metrics.get_all_records().values())[0]
    check(gm.get("PV_drivers_detected") is True, "7.1: VM_guest_metrics has PV_drivers_detected")
    ups = x.pool_update.get_all_records()
    pp = list(x.pool_patch.get_all_records().values())[0]
    check(len(ups) == 1 and pp["pool_update"] in ups and x.pool_patch.get_pool_update(
          x.pool_patch.get_by_uuid(pp["uuid"])) == pp["pool_update"], "7.1: pool_patch.pool_update links the update")
    m = x.pool.get_master(x.pool.get_all()[0])
    n = [h for h in x.host.get_all() if h != m][0]
    check(x.host.get_updates(m) == [pp["pool_update"]] and x.host.get_updates(n) == [],
          "7.1: host.get_updates")
    subprocess.run([simctl, "--state-dir", state, "sink", "on"], check=True)
    patch = os.path.join(tmpd, "XS71E002.iso")
    with open(patch, "wb") as f:
        f.write(b"XSUPDATE uuid=aaaaaaaa-0000-4000-8000-000000000002 name-label=XS71E002 "
                b"after-apply-guidance=restartXAPI\nSIGNATURE ok\n")
    os.truncate(patch, 32 << 20)
    # 7.1: no sr_id -> Import_raw_vdi: INTERNAL_ERROR "Not enough info supplied to import", HTTP 400
    def upload71(extra):
        task = x.task.create("upload", "")
        c = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", patch,
                            "--cacert", ca, "-H", "Expect:",
                            "https://127.0.0.1:%d/pool_patch_upload?session_id=%s&task_id=%s%s"
                            % (port, s.handle, task, extra)], capture_output=True, text=True)
        deadline = time.time() + 10
        while x.task.get_status(task) == "pending" and time.time() < deadline:
            time.sleep(0.05)
        return c.stdout, task
    srs = x.SR.get_all_records()
    dsr = x.pool.get_default_SR(x.pool.get_all()[0])
    check(srs[dsr]["shared"] is True and srs[dsr]["type"] == "nfs"
          and sorted(r["shared"] for r in srs.values()) == [False, True],
          "7.1: SR records (uuid, name_label, type, shared) and pool.default_SR", srs)
    code, task = upload71("")
    check(code == "400" and x.task.get_error_info(task) == ["INTERNAL_ERROR", "Not enough info supplied to import"],
          "7.1: upload without sr_id -> HTTP 400, INTERNAL_ERROR Not enough info supplied to import",
          (code, x.task.get_error_info(task)))
    code, task = upload71("&sr_id=OpaqueRef:00000000-bad0-4000-8000-000000000000")
    check(code == "500" and x.task.get_error_info(task)[:2] == ["HANDLE_INVALID", "SR"],
          "7.1: sr_id naming no SR -> HANDLE_INVALID [SR; ref] (VDI.create)", (code, x.task.get_error_info(task)))
    code, task = upload71("&sr_uuid=5a5a5a5a-0000-4000-8000-0000000000ff")
    check(x.task.get_error_info(task)[:2] == ["UUID_INVALID", "SR"], "7.1: unknown sr_uuid -> UUID_INVALID",
          x.task.get_error_info(task))
    local = [r for r, v in srs.items() if not v["shared"]][0]
    code, task = upload71("&sr_id=" + local)
    check(x.task.get_status(task) == "failure", "7.1: a local SR of another host cannot take the upload",
          x.task.get_error_info(task))
    check(x.pool_patch.get_by_name_label("XS71E002") == [], "7.1: no failed upload created a record")
    task = x.task.create("upload", "")
    subprocess.run(["curl", "-sS", "-T", patch, "--cacert", ca, "-H", "Expect:",
                    "https://127.0.0.1:%d/pool_patch_upload?session_id=%s&task_id=%s&sr_id=%s"
                    % (port, s.handle, task, dsr)], check=True)
    while x.task.get_status(task) == "pending":
        time.sleep(0.05)
    pref = x.task.get_result(task)
    u = x.pool_patch.get_pool_update(pref)
    stats = subprocess.run([simctl, "--state-dir", state, "stats"], capture_output=True, text=True).stdout
    check(x.pool_update.get_record(u)["name_label"] == "XS71E002" and '"sink_bytes": %d' % (32 << 20) in stats,
          "7.1: sink-mode upload counted 32 MiB and introduced a pool_update", stats)
    check(x.pool_update.precheck(u, n) == "ok", "7.1: pool_update.precheck -> ok")
    t = x.Async.pool_update.apply(u, n)
    while x.task.get_status(t) == "pending":
        time.sleep(0.05)
    check(x.task.get_status(t) == "success" and x.task.get_result(t) == "" and n in x.pool_update.get_hosts(u),
          "7.1: Async.pool_update.apply (void result)")
    try:
        x.pool_update.apply(u, n)
        e = None
    except XenAPI.Failure as f:
        e = f.details
    check(e == ["UPDATE_ALREADY_APPLIED", u], "7.1: UPDATE_ALREADY_APPLIED", e)
    x.session.logout()
except Exception as e:
    check(False, "7.1 scenario", repr(e))
sys.exit(1 if failed else 0)
EOF
[ $rc -eq 0 ] || { echo "# 7.1 simulator log:"; tail -n 20 "$TEST_TMP/xapisim71.log" | sed 's/^/# /'; }
kill -TERM "$simpid"; wait "$simpid"

# ---- the master moves (pool.designate_new_master), and where a 5.6 patch file lives ----
cat > "$TEST_TMP/scenario-switch.json" <<'JSON'
{
  "pool": {"name_label": "p56", "master": "xs1"},
  "product_version": "5.6.100", "API_version_major": 1, "API_version_minor": 8,
  "login_max_args": 3, "apply_seconds": 0.1, "master_switch_seconds": 1,
  "hosts": [{"name_label": "xs1", "address": "127.0.0.1"}, {"name_label": "xs2", "address": "127.0.0.2"},
            {"name_label": "xs3", "address": "127.0.0.3"}]
}
JSON
state=$TEST_TMP/state-switch
"$PY" "$SIM/xapisim.py" --scenario "$TEST_TMP/scenario-switch.json" \
    --cert "$TEST_TMP/certs/server.pem" --key "$TEST_TMP/certs/server.key" \
    --cacert "$TEST_TMP/certs/ca.pem" --port 0 --state-dir "$state" \
    2>"$TEST_TMP/xapisim-switch.log" &
simpid=$!
trap cleanup EXIT
for _ in $(seq 100); do
    [ -e "$state/ready" ] && break
    kill -0 "$simpid" 2>/dev/null || break
    sleep 0.1
done
[ -e "$state/ready" ] || { echo "not ok - switch simulator did not start"; exit 1; }
STATE=$state "$PY" - <<'PY' || rc=1
import json, os, ssl, subprocess, sys, time, xmlrpc.client
state, ca, simctl, tmpd = (os.environ[k] for k in ("STATE", "CA", "SIMCTL", "TMPD"))
port = int(open(os.path.join(state, "port")).read())
ctx = ssl.create_default_context(cafile=ca)
failed = 0
def check(cond, what, extra=""):
    global failed
    print(("ok - " if cond else "not ok - ") + what)
    if not cond:
        failed += 1
        print("# " + str(extra).replace("\n", "\n# "))
def ctl(*args):
    r = subprocess.run([simctl, "--state-dir", state] + list(args), capture_output=True, text=True)
    if r.returncode:
        print("# simctl %s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout.strip()
def proxy(i):
    return xmlrpc.client.ServerProxy("https://127.0.0.%d:%d/" % (i, port), context=ctx)
def err(r):
    return r.get("ErrorDescription") if r.get("Status") != "Success" else None
def wait_task(p, sess, t):
    deadline = time.time() + 10
    while p.task.get_status(sess, t)["Value"] == "pending" and time.time() < deadline:
        time.sleep(0.05)
    return p.task.get_record(sess, t)["Value"]
def upload(i, sess, path):
    p = proxy(i)
    task = p.task.create(sess, "upload", "")["Value"] if i == cur_master else None
    url = "https://127.0.0.%d:%d/pool_patch_upload?session_id=%s%s" % (
        i, port, sess, "&task_id=%s" % task if task else "")
    c = subprocess.run(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-T", path, "--cacert", ca,
                        "-H", "Expect:", url], capture_output=True, text=True)
    return c.stdout, (wait_task(p, sess, task) if task else None)
def files(uuid):
    st = json.loads(ctl("state"))
    rec = [r for r in st["db"]["pool_patch"].values() if r["uuid"] == uuid][0]
    return sorted(st["db"]["host"][h]["name_label"] for h in rec["_files"])

cur_master = 1
m1 = proxy(1)
sess = m1.session.login_with_password("root", "xenroot")["Value"]
hosts = {m1.host.get_name_label(sess, h)["Value"]: h for h in m1.host.get_all(sess)["Value"]}
agent0 = {n: m1.host.get_other_config(sess, h)["Value"]["agent_start_time"] for n, h in hosts.items()}
U = "33333333-0000-4000-8000-000000000056"
patch = os.path.join(tmpd, "XS56E010.xsupdate")
with open(patch, "wb") as f:
    f.write(("XSUPDATE uuid=%s name-label=XS56E010 version=1.0 after-apply-guidance=restartHost\n"
             "SIGNATURE ok\n" % U).encode())
    f.write(os.urandom(4096))
code, rec = upload(1, sess, patch)
pref = rec["result"]
check(rec["status"] == "success" and files(U) == ["xs1"], "upload: the file is on the master xs1 only", files(U))
r = m1.pool_patch.precheck(sess, pref, hosts["xs3"])
check(r["Status"] == "Success" and files(U) == ["xs1"],
      "precheck on a member fetches the file and removes its copy afterwards", (r, files(U)))

# pool.designate_new_master as CloudStack's switchMaster does it
held = sess
ctl("switch-master", "xs2")
check(ctl("master") == "xs2" and open(os.path.join(state, "master")).read().strip() == "127.0.0.2",
      "switch-master: the state's master is xs2 (and STATE/master names its address)")
try:
    proxy(2).pool.get_all(held)
    down = False
except OSError:
    down = True
check(down, "while xapi restarts on every host the new master does not answer")
deadline, login = time.time() + 10, None
while time.time() < deadline:
    try:
        login = proxy(2).session.login_with_password("root", "xenroot")
        break
    except OSError:
        time.sleep(0.1)
cur_master = 2
check(login is not None and login["Status"] == "Success", "the new master xs2 accepts logins", login)
sess = login["Value"]
m2 = proxy(2)
check(err(m2.pool.get_all(held)) == ["SESSION_INVALID", held],
      "a session opened before the switch is invalid on the new master (sessions are PersistNothing)")
check(err(proxy(1).pool.get_all(held)) == ["SESSION_INVALID", held],
      "... and on the old master")
check(err(proxy(1).session.login_with_password("root", "xenroot")) == ["HOST_IS_SLAVE", "127.0.0.2"],
      "the old master answers a login HOST_IS_SLAVE [new master]")
check(err(proxy(1).pool.get_all(sess)) == ["HOST_IS_SLAVE", "127.0.0.2"],
      "the old master answers a call with a new session HOST_IS_SLAVE [new master]")
pool = m2.pool.get_all(sess)["Value"][0]
check(m2.pool.get_master(sess, pool)["Value"] == hosts["xs2"], "pool.master is xs2")
agent1 = {n: m2.host.get_other_config(sess, h)["Value"]["agent_start_time"] for n, h in hosts.items()}
check(all(agent1[n] != agent0[n] for n in hosts), "xapi restarted on every host (agent_start_time)",
      (agent0, agent1))

# the file stayed on xs1, which is no longer the master
r = m2.pool_patch.precheck(sess, pref, hosts["xs3"])
check(err(r) == ["CANNOT_FIND_PATCH"], "precheck on a member after the switch -> CANNOT_FIND_PATCH []", r)
r = m2.pool_patch.precheck(sess, pref, hosts["xs2"])
check(err(r) == ["CANNOT_FIND_PATCH"], "precheck on the new master -> CANNOT_FIND_PATCH []", r)
r = m2.pool_patch.precheck(sess, pref, hosts["xs1"])
check(err(r) == ["CANNOT_FIND_PATCH"], "precheck on the old master (its copy is not used) -> CANNOT_FIND_PATCH", r)
t = m2.Async.pool_patch.apply(sess, pref, hosts["xs3"])["Value"]
rec = wait_task(m2, sess, t)
check(rec["error_info"] == ["CANNOT_FIND_PATCH"], "Async apply on a member -> task fails CANNOT_FIND_PATCH",
      rec["error_info"])
check(m2.pool_patch.get_host_patches(sess, pref)["Value"] == [], "the failed apply left no host_patch")
code, _ = upload(1, sess, patch)
check(code == "500", "upload to the old master -> HTTP 500 (CannotUploadPatchToSlave)", code)
code, rec = upload(2, sess, patch)
check(rec["status"] == "success" and rec["result"] == pref and files(U) == ["xs2"],
      "upload again to the new master re-attaches the file to the same pool_patch (no PATCH_ALREADY_EXISTS)",
      (rec, files(U)))
code, rec = upload(2, sess, patch)
check(rec["error_info"] == ["PATCH_ALREADY_EXISTS", U], "a third upload -> PATCH_ALREADY_EXISTS [uuid]",
      rec["error_info"])
ctl("set-patch", U, "fetch_fails=true")
r = m2.pool_patch.precheck(sess, pref, hosts["xs3"])
check(err(r) == ["CANNOT_FETCH_PATCH", U], "a failed transfer from the master -> CANNOT_FETCH_PATCH [uuid]", r)
ctl("set-patch", U, "fetch_fails=false")
t = m2.Async.pool_patch.apply(sess, pref, hosts["xs3"])["Value"]
rec = wait_task(m2, sess, t)
check(rec["status"] == "success" and files(U) == ["xs2", "xs3"],
      "apply on a member after the re-upload works; the member keeps its copy", (rec, files(U)))
r = m2.pool_patch.clean(sess, pref)
check(r["Status"] == "Success" and files(U) == ["xs3"], "pool_patch.clean removes the file on the master only",
      files(U))
r = m2.pool_patch.precheck(sess, pref, hosts["xs1"])
check(err(r) == ["CANNOT_FIND_PATCH"], "after clean a member cannot fetch it -> CANNOT_FIND_PATCH", r)
r = m2.pool_patch.pool_clean(sess, pref)
check(r["Status"] == "Success" and files(U) == [], "pool_patch.pool_clean removes it on every host", files(U))
code, rec = upload(2, sess, patch)
check(rec["status"] == "success" and rec["result"] == pref, "after pool_clean an upload re-attaches", rec)
ctl("switch-master", "xs1", "--seconds", "0")
r = proxy(1).session.login_with_password("root", "xenroot")
check(r["Status"] == "Success" and err(proxy(2).session.login_with_password("root", "xenroot")) ==
      ["HOST_IS_SLAVE", "127.0.0.1"], "switch back to xs1 (--seconds 0): xs2 now answers HOST_IS_SLAVE", r)
sys.exit(1 if failed else 0)
PY
[ $rc -eq 0 ] || { echo "# switch simulator log:"; tail -n 20 "$TEST_TMP/xapisim-switch.log" | sed 's/^/# /'; }
exit $rc
