#!/usr/bin/python3
"""mssim - a CloudStack 2.2.x / 3.0 management-server simulator for csmaint's tests.

It does to the CloudStack database what a running management server does, so that
csmaint's CTX133466 procedure meets the same concurrent writes and state resets as on a
real site.  "NOTES §n" refers to shared/reference/cloudstack/NOTES.md; class names are
the CloudStack classes (tag-2.2.13, tag-3.0.1) whose behaviour each part mirrors.
See tests/mssim/README for the CLI and the control commands.

Every database change is a short transaction of its own, written the way CloudStack's
DAOs write it: compare-and-set on the old status (HostDaoImpl.updateStatus: WHERE id = ?
AND status = ?; 3.0 also AND update_count = ?), and on vm_instance
VMInstanceDaoImpl.updateState (update_count + 1, WHERE id, state, host_id, update_count).
"""
import argparse
import collections
import json
import os
import signal
import re
import socket
import ssl
import struct
import sys
import tempfile
import threading
import time
import traceback
import urllib.request

import pymysql
import pymysql.constants.CLIENT
import pymysql.cursors

MAINT = ("PrepareForMaintenance", "ErrorInMaintenance", "Maintenance")
KEEP = object()   # "leave mgmt_server_id alone"

DEFAULTS = {                       # seconds; `msctl set KEY VALUE` changes them
    "ping_interval": 0.005,        # DirectAgentAttache ping -> HostDaoImpl.updateStatus(Ping)
    "monitor_period": 0.2,         # AgentMonitor.run (real: 60 s)
    "ha_period": 0.05,             # HighAvailabilityManagerImpl WorkerThread poll
    "migrate_delay": 0.3,          # MigrateCommand duration
    "stop_delay": 0.05, "start_delay": 0.1,
    "ping_timeout": 0.4,           # real: ping.interval * ping.timeout = 150 s
    "reconnect_delay": 0.1,        # Disconnected -> scanDirectAgentToLoad picks it up
    "connect_delay": 0.05,         # Connecting -> Up (StartupCommand processing)
    "restart_delay": 0.3,          # restart-ms: time the management server is down
    "xapi_poll": 0.2,              # GET /sim/state period
    "heartbeat_interval": 1.0,     # ClusterManagerImpl heartbeat (mshost.last_update)
    "migrate_retries": 0,          # HA work retries after a failed migration
    "migrate_retry_interval": 1.0,
    "autopilot_poll": 0.1,
    "switch_master_wait": 30.0,    # switchMaster: 30 tries x forceSleep(5) until the new master answers
    "proposal_wait": 15.0,         # autopilot-cluster: wait for csmaint's proposed targets
}


def ping_time():
    """CloudStack's last_ping unit: System.currentTimeMillis() >> 10 (NOTES §5)."""
    return int(time.time() * 1000) >> 10


class DbError(Exception):
    pass


class CtlError(Exception):
    pass


class Db:
    """One connection per thread, autocommit off; tx() = one short transaction."""

    def __init__(self, args, password):
        self.args, self.password, self.c = args, password, None

    def close(self):
        c, self.c = self.c, None
        try:
            c and c.close()
        except Exception:
            pass

    def tx(self, fn, *a):
        for attempt in range(3):
            try:
                return self._tx(fn, *a)
            except DbError as e:
                # deadlock (between our own threads, too): InnoDB rolled the transaction
                # back; run it again like a caller retrying the operation
                if "1213" not in str(e) or attempt == 2:
                    raise

    def _tx(self, fn, *a):
        try:
            if self.c is None:
                self.c = pymysql.connect(
                    unix_socket=self.args.socket, user=self.args.user, password=self.password,
                    database=self.args.db, charset="utf8mb4", autocommit=False,
                    connect_timeout=5, cursorclass=pymysql.cursors.DictCursor,
                    # matched (not changed) rows, like Connector/J's default: a ping in
                    # the same second as the last one still "updates" its row
                    client_flag=pymysql.constants.CLIENT.FOUND_ROWS)
            self.c.begin()
            with self.c.cursor() as cur:
                r = fn(cur, *a)
            self.c.commit()
            return r
        except (pymysql.err.OperationalError, pymysql.err.InterfaceError,
                pymysql.err.InternalError) as e:
            # lock wait timeout (1205), deadlock (1213), server gone (2006/2013): give up
            # this unit of work, reconnect next time, as CloudStack's Transaction does.
            self.close()
            raise DbError(str(e))
        except BaseException:
            try:
                self.c.rollback()
            except Exception:
                self.close()
            raise


class Xapi:
    """The XenAPI simulator's control interface (tests/xapisim/README): HTTPS on
    STATE/master:STATE/port, certificate signed by STATE/ca.pem."""

    def __init__(self, state_dir):
        self.dir = state_dir

    def call(self, path, cmd=None):
        rd = lambda n: open(os.path.join(self.dir, n)).read().strip()
        ca = os.path.join(self.dir, "ca.pem")
        ctx = ssl.create_default_context(cafile=ca) if os.path.exists(ca) \
            else ssl._create_unverified_context()
        req = urllib.request.Request("https://%s:%s%s" % (rd("master"), rd("port"), path),
                                     None if cmd is None else json.dumps(cmd).encode(),
                                     {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, context=ctx, timeout=5 if cmd is None else 120) as r:
            return json.load(r)


class Sim:
    def __init__(self, args, password):
        self.args, self.password = args, password
        self.msid = args.msid
        self.set = dict(DEFAULTS, ping_interval=args.ping_interval,
                        monitor_period=args.monitor_period)
        self.stop = threading.Event()
        self.paused = False
        self.lock = threading.RLock()
        self.tl = threading.local()
        self.actions = collections.deque(maxlen=500)
        self.count = collections.Counter()
        self.vm_moves = collections.Counter()   # instance_name -> migrations that succeeded
        self.host_locks = collections.defaultdict(threading.Lock)
        self.unreachable = {}      # host id -> time xapisim first showed it down
        self.xhosts = {}           # host id -> {ref, live, boot, agent}  (xapisim view)
        self.xvms = {}             # instance_name -> {ref, pv, power}
        self.xlock = threading.Lock()
        self.fail_vm = {}          # vm id -> failures still to inject (-1 = forever)
        self.inflight = {}         # vm id -> description
        self.autopilots = {}       # host id -> {"step", "stopped"}
        self.cluster_pilots = {}   # cluster id -> {"step", "hosts", "cancel"}
        # one XenAPI simulator per XenServer pool; a host belongs to the one whose pool
        # has its address (or guid as the host uuid)
        self.xapis = [Xapi(d) for d in (args.xapisim_state_dir or [])]
        self.xapi = bool(self.xapis)
        self.last_err = {}

    # ---- plumbing -------------------------------------------------------------
    def log(self, msg):
        t = time.time()
        line = "%s.%03d mssim: %s" % (time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(t)),
                                      int(t * 1000) % 1000, msg)
        with self.lock:
            self.actions.append(line)
            sys.stderr.write(line + "\n")
            sys.stderr.flush()

    def log_err(self, where, e):
        """Log a repeated error at most once a second (the ping loop runs every few ms)."""
        now = time.time()
        if now - self.last_err.get(where, 0) >= 1.0:
            self.last_err[where] = now
            self.log("%s: database error: %s" % (where, e))

    def tx(self, fn, *a):
        if not hasattr(self.tl, "db"):
            self.tl.db = Db(self.args, self.password)
        return self.tl.db.tx(fn, *a)

    def spawn(self, name, fn, *a):
        def run():
            try:
                fn(*a)
            except (CtlError, DbError) as e:
                self.log("%s: %s" % (name, e))
            except Exception:
                self.log("%s: internal error\n%s" % (name, traceback.format_exc()))
            finally:
                if hasattr(self.tl, "db"):
                    self.tl.db.close()
        t = threading.Thread(target=run, name=name, daemon=True)
        t.start()
        return t

    def sleep(self, key_or_secs):
        """Sleep a setting (or seconds), then wait while paused; False when stopping."""
        d = self.set[key_or_secs] if isinstance(key_or_secs, str) else key_or_secs
        if self.stop.wait(d):
            return False
        while self.paused and not self.stop.wait(0.05):
            pass
        return not self.stop.is_set()

    def loop(self, name, period, fn):
        while not self.stop.is_set():
            if not self.paused:
                try:
                    fn()
                except DbError as e:
                    self.log_err(name, e)
                except Exception:
                    self.log("%s: internal error\n%s" % (name, traceback.format_exc()))
            self.stop.wait(self.set[period])

    # ---- schema generation ------------------------------------------------------
    def detect(self):
        def q(cur):
            cur.execute("SELECT COLUMN_NAME c FROM information_schema.COLUMNS WHERE "
                        "TABLE_SCHEMA = DATABASE() AND TABLE_NAME = 'host' AND "
                        "COLUMN_NAME IN ('allocation_state', 'resource_state')")
            return {r["c"] for r in cur.fetchall()}
        cols = self.tx(q)
        gen = self.args.generation or ("3.0" if "resource_state" in cols else "2.2")
        self.gen = gen
        # 2.2: host.allocation_state + maintenance in host.status (NOTES §1, §6);
        # 3.0: host.resource_state holds both, status is the agent connection (NOTES §9).
        self.acol = "allocation_state" if gen == "2.2" else "resource_state"
        self.mcol = "status" if gen == "2.2" else "resource_state"
        if self.acol not in cols:
            raise SystemExit("mssim: generation %s but host has no %s column" % (gen, self.acol))

        def t(cur):
            cur.execute("SELECT TABLE_NAME t FROM information_schema.TABLES WHERE TABLE_SCHEMA = "
                        "DATABASE() AND TABLE_NAME IN ('service_offering', 'op_host_capacity', "
                        "'configuration')")
            return {r["t"] for r in cur.fetchall()}
        # capacity as CloudStack counts it needs the offerings and op_host_capacity
        self.capacity = self.tx(t) >= {"service_offering", "op_host_capacity"}
        self.has_config = "configuration" in self.tx(t)
        if not self.capacity:
            self.log("no service_offering / op_host_capacity table: capacity not modelled")

    # ---- lookups --------------------------------------------------------------
    def find(self, table, key):
        """A host or VM by id, or by name (host: name, guid, 3.0 uuid; VM: instance_name,
        name); an unknown or ambiguous name is an error."""
        names = {"host": ["name", "guid"] + (["uuid"] if self.gen == "3.0" else []),
                 "vm_instance": ["instance_name", "name"]}[table]
        cols = ["id"] if str(key).isdigit() else names

        def q(cur):
            cur.execute("SELECT id FROM %s WHERE removed IS NULL AND (%s)" % (
                table, " OR ".join(c + " = %s" for c in cols)), [key] * len(cols))
            return cur.fetchall()
        rows = self.tx(q)
        if len(rows) != 1:
            raise CtlError("%s %s %r" % ("ambiguous" if rows else "no", table, key))
        return rows[0]["id"]

    def find_cluster(self, key):
        """A cluster by id or name (one not removed)."""
        col = "id" if str(key).isdigit() else "name"
        rows = self.tx(lambda cur: (cur.execute("SELECT id FROM cluster WHERE removed IS NULL AND "
                                                "%s = %%s" % col, (key,)), cur.fetchall())[1])
        if len(rows) != 1:
            raise CtlError("%s cluster %r" % ("ambiguous" if rows else "no", key))
        return rows[0]["id"]

    def find_host(self, key):
        return self.find("host", key)

    def find_vm(self, key):
        return self.find("vm_instance", key)

    def host_row(self, cur, hid):
        cur.execute("SELECT * FROM host WHERE id = %s AND removed IS NULL", (hid,))
        return cur.fetchone()

    def vm_row(self, cur, vid):
        cur.execute("SELECT id, instance_name, type, vm_type, state, host_id, last_host_id, "
                    "update_count, pod_id FROM vm_instance WHERE id = %s AND removed IS NULL",
                    (vid,))
        return cur.fetchone()

    # ---- host state changes -------------------------------------------------------
    def transit(self, cur, hid, olds, new, msid=KEEP, ping=False, enable=False):
        """HostDaoImpl.updateStatus (2.2) / updateState (3.0): one UPDATE, compare-and-set
        on the status read just before (and on update_count in 3.0).  enable=True adds
        allocation_state = 'Enabled' to the same UPDATE, as AgentManagerImpl.createHost
        does on 2.2 (NOTES §5).  Returns the old status, or None if nothing changed."""
        r = self.host_row(cur, hid)
        if r is None or r["status"] not in olds:
            return None
        sets, args = ["status = %s"], [new]
        if msid is not KEEP:
            sets.append("mgmt_server_id = %s")
            args.append(msid)
        if ping:
            sets.append("last_ping = %s")
            args.append(ping_time())
        if new in ("Alert", "Disconnected"):
            sets.append("disconnected = UTC_TIMESTAMP()")
        if enable and self.gen == "2.2":
            sets.append("allocation_state = 'Enabled'")
        where, wargs = "id = %s AND status = %s", [hid, r["status"]]
        if self.gen == "3.0":
            sets.append("update_count = update_count + 1")
            where += " AND update_count = %s"
            wargs.append(r["update_count"])
        n = cur.execute("UPDATE host SET %s WHERE %s" % (", ".join(sets), where), args + wargs)
        if n != 1:
            return None
        self.log("host %d: status %s -> %s%s%s" % (
            hid, r["status"], new, " + allocation_state = 'Enabled' (was %s)" % r["allocation_state"]
            if enable and self.gen == "2.2" else "",
            "" if msid is KEEP else ", mgmt_server_id %s" % msid))
        return r["status"]

    def mtransit(self, cur, hid, olds, new):
        """Maintenance state change: host.status on 2.2 (Status.java transitions),
        host.resource_state on 3.0 (ResourceManagerImpl.resourceStateTransitTo)."""
        if self.gen == "2.2":
            return self.transit(cur, hid, olds, new)
        r = self.host_row(cur, hid)
        if r is None or r["resource_state"] not in olds:
            return None
        # resourceStateTransitTo (tag-3.0.2) first writes every op_host_capacity row of a
        # Routing host in a cluster: 'Disabled' unless the next state is Enabled and the
        # cluster's allocation state (findClusterAllocationState: cluster, then pod,
        # then zone) is Enabled.
        cur.execute("SELECT h.type, h.cluster_id, cl.allocation_state AS c, p.allocation_state AS p,"
                    " z.allocation_state AS z FROM host h LEFT JOIN cluster cl ON cl.id = h.cluster_id"
                    " LEFT JOIN host_pod_ref p ON p.id = cl.pod_id"
                    " LEFT JOIN data_center z ON z.id = cl.data_center_id WHERE h.id = %s", (hid,))
        c = cur.fetchone()
        if c and c["type"] == "Routing" and c["cluster_id"] is not None:
            st = ("Disabled" if c["c"] == "Disabled" or c["p"] == "Disabled"
                  else (c["z"] or "Enabled"))
            if st == "Enabled" and new != "Enabled":
                st = "Disabled"
            if cur.execute("UPDATE op_host_capacity SET capacity_state = %s WHERE host_id = %s",
                           (st, hid)):
                self.log("host %d: op_host_capacity.capacity_state -> %s" % (hid, st))
        n = cur.execute("UPDATE host SET resource_state = %s WHERE id = %s AND resource_state = %s",
                        (new, hid, r["resource_state"]))
        if n == 1:
            self.log("host %d: resource_state %s -> %s" % (hid, r["resource_state"], new))
            return r["resource_state"]
        return None

    def maint_state(self, hid):
        r = self.tx(self.host_row, hid)
        return r and r[self.mcol]

    # ---- 1. ping loop ---------------------------------------------------------------
    def ping_round(self):
        """Every connected host pings its management server; each ping is
        HostDaoImpl.updateStatus(host, Event.Ping, msid): its own transaction that
        writes status, mgmt_server_id, last_ping (never allocation/resource_state)."""
        sts = ("Up",) + (MAINT if self.gen == "2.2" else ())

        def hosts(cur):
            cur.execute("SELECT id, status%s FROM host WHERE mgmt_server_id = %%s AND removed IS NULL"
                        " AND status IN (%s)" % (", update_count" if self.gen == "3.0" else "",
                                                 ",".join(["%s"] * len(sts))),
                        (self.msid,) + sts)
            return cur.fetchall()

        for h in self.tx(hosts):
            if h["id"] in self.unreachable:
                continue                                   # the host does not answer pings
            if h["status"] == "Up":
                sql = ("UPDATE host SET status = 'Up', mgmt_server_id = %s, last_ping = %s"
                       "{} WHERE id = %s AND status = 'Up'{}")
                args = [self.msid, ping_time(), h["id"]]
                if self.gen == "3.0":
                    sql = sql.format(", update_count = update_count + 1", " AND update_count = %s")
                    args.append(h["update_count"])
                else:
                    sql = sql.format("", "")
            else:   # 2.2 maintenance statuses: Ping keeps the status and does not
                    # update mgmt_server_id/last_ping (Status.updateManagementServer() false)
                sql, args = "UPDATE host SET status = %s WHERE id = %s AND status = %s", \
                    [h["status"], h["id"], h["status"]]
            try:
                n = self.tx(lambda cur: cur.execute(sql, args))
                self.count["pings" if n == 1 else "ping_conflicts"] += 1
            except DbError as e:
                self.count["ping_errors"] += 1
                self.log_err("ping", e)

    # ---- 2. AgentMonitor ----------------------------------------------------------
    def vms_on(self, cur, hid):
        """NOTES §7: VMInstanceDao.listByHostId + listVmsMigratingFromHost."""
        cur.execute("SELECT id, type, vm_type, state, host_id, last_host_id, instance_name "
                    "FROM vm_instance WHERE removed IS NULL AND "
                    "(host_id = %s OR (last_host_id = %s AND state = 'Migrating'))", (hid, hid))
        return cur.fetchall()

    def monitor_round(self):
        """AgentMonitor.run: PrepareForMaintenance/ErrorInMaintenance hosts with no VM
        left -> Maintenance (alert "Migration Complete for host"); hosts that stopped
        answering -> Alert after the ping timeout (Up --PingTimeout--> Alert)."""
        def check(cur):
            cur.execute("SELECT id FROM host WHERE removed IS NULL AND %s IN "
                        "('PrepareForMaintenance', 'ErrorInMaintenance')" % self.mcol)
            for r in cur.fetchall():
                if not self.vms_on(cur, r["id"]):
                    if self.mtransit(cur, r["id"], MAINT[:2], "Maintenance"):
                        self.log("alert: Migration Complete for host %d" % r["id"])
        self.tx(check)
        now = time.time()
        for hid, since in list(self.unreachable.items()):
            if now - since >= self.set["ping_timeout"]:
                # 2.2: the lost-host search only covers connected statuses, so a host
                # in a maintenance status keeps it; 3.0: status is only the connection.
                self.tx(self.transit, hid, ("Up", "Connecting"), "Alert", None)

    def heartbeat(self):
        """ClusterManagerImpl heartbeat: mshost.last_update of this management server."""
        self.tx(lambda cur: cur.execute("UPDATE mshost SET last_update = UTC_TIMESTAMP() "
                                        "WHERE msid = %s AND removed IS NULL", (self.msid,)))

    # ---- 2. maintenance ----------------------------------------------------------
    def prepare_maintenance(self, hid):
        """AgentManagerImpl.maintain (2.2) / ResourceManagerImpl.maintain (3.0): host to
        PrepareForMaintenance, then every VM on it gets an op_ha_work 'Migration' row
        (HighAvailabilityManagerImpl.scheduleMigration), or 'ForceStop' when no other
        Up host is left in the cluster (allocation state not looked at here)."""
        # 3.0: ResourceState's state machine has AdminAskMaintenace only from Enabled
        # (apache/cloudstack api/src/com/cloud/resource/ResourceState.java, 3.0.x):
        # from Disabled or ErrorInMaintenance ResourceManagerImpl.doMaintain throws
        # "Cannot transimit resource state of host ... to Maintenance" (after it sent
        # MaintainCommand).  2.2 looks at host.status only (Status.java), never at
        # allocation_state.
        olds = ("Up", "Down", "Alert", "Connecting", "ErrorInMaintenance") if self.gen == "2.2" \
            else ("Enabled",)
        # MaintainCommand goes to the host first, in both generations (2.2
        # AgentManagerImpl.maintain, 3.0 ResourceManagerImpl.doMaintain): the master role
        # moves even when the state change below is refused.
        self.maintain_command(hid)
        if not self.tx(self.mtransit, hid, olds, "PrepareForMaintenance"):
            if self.gen == "3.0":
                raise CtlError("Cannot transimit resource state of host %d to Maintenance "
                               "(resource_state %s)" % (hid, self.maint_state(hid)))
            raise CtlError("host %d: cannot prepare for maintenance from %s %s"
                           % (hid, self.mcol, self.maint_state(hid)))

        def schedule(cur):
            h = self.host_row(cur, hid)
            cur.execute("SELECT COUNT(*) n FROM host WHERE cluster_id = %s AND type = 'Routing' "
                        "AND status = 'Up' AND removed IS NULL AND id <> %s",
                        (h["cluster_id"], hid))
            others = cur.fetchone()["n"]
            cur.execute("SELECT id, vm_type, state, update_count FROM vm_instance "
                        "WHERE host_id = %s AND removed IS NULL", (hid,))
            for vm in cur.fetchall():
                if vm["state"] != "Running":
                    continue
                kind = "Migration" if others else "ForceStop"
                cur.execute("INSERT INTO op_ha_work (instance_id, type, vm_type, state, "
                            "mgmt_server_id, host_id, created, tried, taken, step, time_to_try, "
                            "updated) VALUES (%s, %s, %s, %s, NULL, %s, UTC_TIMESTAMP(), 0, NULL, "
                            "'Scheduled', %s, %s)", (vm["id"], kind, vm["vm_type"], vm["state"],
                                                     hid, ping_time(), vm["update_count"]))
                self.log("host %d: scheduled %s of VM %d (op_ha_work %d)"
                         % (hid, kind, vm["id"], cur.lastrowid))
        self.tx(schedule)

    def maintain_command(self, hid):
        """CitrixResourceBase.execute(MaintainCommand) (2.2.13 ~1231, 3.0.x ~1260): when the
        host is its pool's master and the pool has more than one host, designate the first
        other host of Host.getAllRecords as master (XenServerConnectionPool.switchMaster:
        pool.sync_database, pool.designate_new_master, then up to 30 x 5 s until the pool
        answers with the new master).  CloudStack re-opens its pool connection itself; the
        xapi restarts this causes are not host reboots (no reload of the hosts)."""
        if not self.xapi:
            return
        with self.xlock:
            row = self.tx(lambda cur: (cur.execute(
                "SELECT private_ip_address ip, guid FROM host WHERE id = %s", (hid,)), cur.fetchone())[1])
            ref = xs = st = None
            for xa in self.xapis:
                try:
                    st = xa.call("/sim/state")
                except Exception as e:
                    self.log_err("xapisim", e)
                    return
                db = st["db"]
                if row:
                    ref = next((r for r, h in db["host"].items() if h["address"] == row["ip"]), None) or \
                        next((r for r, h in db["host"].items() if h["uuid"] == row["guid"]), None)
                if ref is not None:
                    xs, xi = xa, self.xapis.index(xa)
                    break
            if ref is None or ref != st["master"]:
                return
            others = [r for r in db["host"] if r != ref]
            if not others:
                self.log("host %d: MaintainCommand: the only host of its pool stays master" % hid)
                return
            new = others[0]
            xs.call("/sim/control", {"switch_master": {"host": new}})
            self.log("host %d: MaintainCommand: new master for the XenPool is %s (%s)"
                     % (hid, db["host"][new]["name_label"], db["host"][new]["address"]))
            self.count["master_switches"] += 1
            deadline = time.time() + self.set["switch_master_wait"]
            while time.time() < deadline and not self.stop.is_set():
                st = xs.call("/sim/state")
                if st["master"] == new and not st["down"]:
                    break
                time.sleep(0.1)
            for x in self.xhosts.values():
                h = st["db"]["host"].get(x["ref"]) if x["xi"] == xi else None
                if h:
                    x["agent"] = h["other_config"].get("agent_start_time")

    def maintenance_failed(self, hid):
        """AgentManagerImpl.maintenanceFailed: PrepareForMaintenance --UnableToMigrate-->
        ErrorInMaintenance."""
        self.tx(self.mtransit, hid, ("PrepareForMaintenance",), "ErrorInMaintenance")

    def cancel_maintenance(self, hid):
        """AgentManagerImpl.cancelMaintenance: cancel scheduled migrations, then
        disconnect(ResetRequested) -> Disconnected; the reload follows (NOTES §6).  3.0:
        resource_state --AdminCancelMaintenance--> Enabled (ResourceState, 3.0.1)."""
        def cancel(cur):
            cur.execute("UPDATE op_ha_work SET step = 'Cancelled' WHERE host_id = %s AND "
                        "type = 'Migration' AND step = 'Scheduled'", (hid,))
            if self.gen == "2.2":
                return self.transit(cur, hid, MAINT, "Disconnected", None)
            if not self.mtransit(cur, hid, MAINT, "Enabled"):
                return None
            return self.transit(cur, hid, ("Up", "Connecting", "Alert"), "Disconnected", None) or "x"
        if not self.tx(cancel):
            raise CtlError("host %d is not in maintenance (%s %s)" % (hid, self.mcol,
                                                                     self.maint_state(hid)))
        self.spawn("reload-%d" % hid, self.reconnect_seq, hid, "cancel-maintenance")

    # ---- 4. reconnect and the reset to Enabled ----------------------------------------
    def reconnect_seq(self, hid, why, disconnect=None):
        """Optionally disconnect (reconnectHost: Up --ShutdownRequested--> Disconnected;
        ping timeout: Up --PingTimeout--> Alert), then the reload of a direct-connect host
        (ClusteredAgentManagerImpl.scanDirectAgentToLoad -> AgentManagerImpl.createHost ->
        HostDaoImpl.connect): status Connecting with, on 2.2, allocation_state = 'Enabled'
        in the same UPDATE; then Ready -> Up.  The scan skips hosts in a maintenance status
        (2.2, NOTES §5); on 3.0 resource_state is never touched (Disabled stays Disabled)."""
        with self.host_locks[hid]:
            if disconnect:
                self.tx(self.transit, hid, ("Up", "Connecting"), disconnect, None)
            if not self.sleep("reconnect_delay"):
                return
            if hid in self.unreachable:
                self.log("host %d: reload (%s) postponed: host does not answer" % (hid, why))
                return
            r = self.tx(self.host_row, hid)
            if r is None:
                return
            if self.gen == "2.2" and r["status"] in MAINT:
                self.log("host %d: not reloaded (%s): status %s is skipped by "
                         "findAndUpdateDirectAgentToLoad" % (hid, why, r["status"]))
                return
            if not self.tx(self.transit, hid, ("Disconnected", "Alert", "Down", "Connecting"),
                           "Connecting", self.msid, True, True):
                self.log("host %d: reload (%s) skipped: status %s" % (hid, why, r["status"]))
                return
            self.count["reconnects"] += 1
            if self.sleep("connect_delay"):
                self.tx(self.transit, hid, ("Connecting",), "Up", self.msid, True)

    def reconnect(self, hid):
        """API reconnectHost -> AgentManagerImpl.reconnect: only a connected (or
        alerting) host is disconnected and reloaded; a host in maintenance is refused."""
        st = self.tx(self.host_row, hid)["status"]
        if st not in ("Up", "Alert", "Disconnected", "Connecting", "Down"):
            raise CtlError("host %d: status %s: not reconnected (maintenance is kept)" % (hid, st))
        self.spawn("reconnect-%d" % hid, self.reconnect_seq, hid, "reconnect",
                   "Disconnected" if st in ("Up", "Connecting") else None)

    def restart_ms(self):
        """Management-server restart: on start AgentManagerImpl.configure() calls
        HostDaoImpl.markHostsAsDisconnected(msid): its non-maintenance hosts go
        Disconnected, all its hosts lose mgmt_server_id (last_ping backdated 10 min),
        then every such host that is not in maintenance is reloaded (NOTES §5)."""
        def down(cur):
            cur.execute("SELECT id FROM host WHERE mgmt_server_id = %s AND removed IS NULL",
                        (self.msid,))
            ids = [r["id"] for r in cur.fetchall()]
            cur.execute("UPDATE mshost SET state = 'Down' WHERE msid = %s", (self.msid,))
            excl = " AND status NOT IN ('PrepareForMaintenance', 'ErrorInMaintenance', " \
                   "'Maintenance')" if self.gen == "2.2" else ""
            cur.execute("UPDATE host SET status = 'Disconnected'%s WHERE mgmt_server_id = %%s "
                        "AND removed IS NULL%s" % (", update_count = update_count + 1"
                                                   if self.gen == "3.0" else "", excl),
                        (self.msid,))
            cur.execute("UPDATE host SET mgmt_server_id = NULL, last_ping = %s, disconnected = "
                        "UTC_TIMESTAMP() WHERE mgmt_server_id = %s", (ping_time() - 600, self.msid))
            return ids
        ids = self.tx(down)
        self.log("restart-ms: management server %d down; hosts %s disconnected" % (self.msid, ids))

        def up():
            self.sleep("restart_delay")
            self.tx(lambda cur: cur.execute(
                "UPDATE mshost SET state = 'Up', runid = %s, last_update = UTC_TIMESTAMP() "
                "WHERE msid = %s", (int(time.time() * 1000), self.msid)))
            self.log("restart-ms: management server %d up again" % self.msid)
            for hid in ids:
                self.spawn("reload-%d" % hid, self.reconnect_seq, hid, "restart-ms")
        self.spawn("restart-ms", up)

    # ---- 4c. the XenAPI simulator's view: reboots --------------------------------------
    def xapi_round(self):
        with self.xlock:
            sts = []
            for xa in self.xapis:
                try:
                    sts.append(xa.call("/sim/state"))
                except Exception as e:
                    self.log_err("xapisim", e)
                    return
            xvms = {}
            for xi, st in enumerate(sts):
                db = st["db"]
                # Whether XenServer lets the VM live-migrate ("pv", as CloudStack's
                # MigrateCommand meets it): before 6.5 every guest needs PV drivers; from 6.5
                # (API 2.3) a PV guest (HVM_boot_policy "") needs none (xen-api
                # xapi_vm_lifecycle.ml check_op_for_feature, commit 1e7202a6b6, v1.9.58).
                try:
                    api = tuple(int(x) for x in str(st.get("api", "1.0")).split(".")[:2])
                except ValueError:
                    api = (1, 0)
                for ref, v in db["VM"].items():
                    gm = db["VM_guest_metrics"].get(v.get("guest_metrics")) or {}
                    pvd = gm.get("PV_drivers_version") or {}
                    pv_guest = api >= (2, 3) and v.get("HVM_boot_policy", "x") == ""
                    xvms[v["name_label"]] = {"ref": ref, "power": v["power_state"], "xi": xi,
                                             "pv": pv_guest or ("major" in pvd and "minor" in pvd)}
            self.xvms = xvms

            def q(cur):
                cur.execute("SELECT id, private_ip_address ip, guid FROM host WHERE "
                            "type = 'Routing' AND removed IS NULL")
                return cur.fetchall()
            rows = self.tx(q)
            byaddr, byuuid = {}, {}
            for xi, st in enumerate(sts):
                for r, h in st["db"]["host"].items():
                    byaddr.setdefault(h["address"], (xi, r))
                    byuuid.setdefault(h["uuid"], (xi, r))
            now = time.time()
            for row in rows:
                xi, ref = byaddr.get(row["ip"]) or byuuid.get(row["guid"]) or (None, None)
                if ref is None:
                    continue
                st = sts[xi]
                db = st["db"]
                h, hid = db["host"][ref], row["id"]
                hm = db["host_metrics"].get(h["metrics"], {})
                live = hm.get("live", False)
                cur = {"ref": ref, "xi": xi, "name": h["name_label"],
                       "up": live and ref not in st["down"],
                       "boot": h["other_config"].get("boot_time"),
                       "agent": h["other_config"].get("agent_start_time"),
                       "master": ref == st["master"],
                       "memory_total": hm.get("memory_total"), "memory_free": hm.get("memory_free")}
                prev = self.xhosts.get(hid)
                self.xhosts[hid] = cur
                if not cur["up"]:
                    if hid not in self.unreachable:
                        self.unreachable[hid] = now
                        self.log("host %d (%s): not answering (xapisim: live=%s)"
                                 % (hid, cur["name"], live))
                    continue
                was_down = self.unreachable.pop(hid, None) is not None
                if prev is None or not (was_down or prev["boot"] != cur["boot"]
                                        or prev["agent"] != cur["agent"]):
                    continue
                # The XenServer connection was lost (reboot, toolstack restart): CloudStack
                # sees a ping timeout (Alert) and then reloads the host (NOTES §5).
                self.log("host %d (%s): back, boot_time %s -> %s" % (hid, cur["name"],
                                                                    prev["boot"], cur["boot"]))
                self.spawn("reload-%d" % hid, self.reconnect_seq, hid, "host reboot", "Alert")

    def xvm(self, name):
        return self.xvms.get(name) if self.xapi else None

    def xcontrol(self, cmd, xi=0):
        """A control command to xapisim number xi (the pool of the VM or host)."""
        if not self.xapi:
            return {}
        r = self.xapis[xi].call("/sim/control", cmd)
        self.log("xapisim%s: %s%s" % (" %d" % xi if len(self.xapis) > 1 else "", json.dumps(cmd),
                                      " -> %s" % r["error"] if r.get("error") else ""))
        return r

    # ---- 3a. capacity (CloudStack 2.2.15 CapacityManagerImpl) ----------------------------
    @staticmethod
    def f32(x):
        """Java float: cpu.overprovisioning.factor is a float, and long * float is
        computed in float (binary numeric promotion)."""
        return struct.unpack("f", struct.pack("f", x))[0]

    def cpu_factor(self, cur):
        """NumbersUtil.parseFloat(configs.get("cpu.overprovisioning.factor"), 1)."""
        if not self.has_config:
            return 1.0
        cur.execute("SELECT value FROM configuration WHERE name = 'cpu.overprovisioning.factor'")
        r = cur.fetchone()
        try:
            v = float(r["value"].strip())
        except (TypeError, ValueError, AttributeError):
            return 1.0
        return self.f32(v) if v == v and v not in (float("inf"), float("-inf")) else 1.0

    def need(self, cur, vid):
        """The VM's service offering: (cpu * speed MHz, ram_size MiB in bytes)."""
        if not self.capacity:
            return None
        cur.execute("SELECT so.cpu, so.speed, so.ram_size FROM vm_instance v JOIN "
                    "service_offering so ON so.id = v.service_offering_id WHERE v.id = %s", (vid,))
        r = cur.fetchone()
        return (r["cpu"] * r["speed"], r["ram_size"] * 1024 * 1024) if r else None

    def caps(self, cur, hid, lock=False):
        """CapacityDaoImpl.findByHostIdType for CPU (1) and memory (0) (lockRow: FOR UPDATE)."""
        cur.execute("SELECT id, capacity_type, used_capacity, reserved_capacity, total_capacity "
                    "FROM op_host_capacity WHERE host_id = %%s AND capacity_type IN (0, 1) "
                    "ORDER BY id%s" % (" FOR UPDATE" if lock else ""), (hid,))
        rows = {}
        for r in cur.fetchall():
            rows.setdefault(r["capacity_type"], r)
        return rows.get(1), rows.get(0)

    def total_cpu(self, cap, factor):
        return int(self.f32(self.f32(float(cap["total_capacity"])) * factor))

    def has_capacity(self, cur, hid, need, from_reserved):
        """CapacityManagerImpl.checkIfHostHasCapacity (2.2.15 ~296): from reserved (the
        VM's last host) reserved >= requested; else used + reserved + requested <= total
        (CPU total times the overprovisioning factor)."""
        if need is None:
            return True
        cpu, ram = need
        c, m = self.caps(cur, hid)
        if c is None or m is None:
            return False
        if from_reserved:
            return c["reserved_capacity"] >= cpu and m["reserved_capacity"] >= ram
        return (c["reserved_capacity"] + c["used_capacity"] + cpu <= self.total_cpu(c, self.cpu_factor(cur))
                and m["reserved_capacity"] + m["used_capacity"] + ram <= m["total_capacity"])

    def allocate(self, cur, vid, hid, from_last):
        """CapacityManagerImpl.allocateVmCapacity (~209): used += the offering, even when
        the host has no room ("increasing the used capacity anyways"); from the last host
        the reserved part goes down if it covers the VM."""
        need = self.need(cur, vid)
        c, m = self.caps(cur, hid, lock=True)
        if need is None or c is None or m is None:
            return
        cpu, ram = need
        cur.execute("UPDATE op_host_capacity SET used_capacity = used_capacity + %s WHERE id = %s",
                    (cpu, c["id"]))
        cur.execute("UPDATE op_host_capacity SET used_capacity = used_capacity + %s WHERE id = %s",
                    (ram, m["id"]))
        if from_last and c["reserved_capacity"] >= cpu and m["reserved_capacity"] >= ram:
            cur.execute("UPDATE op_host_capacity SET reserved_capacity = reserved_capacity - %s "
                        "WHERE id = %s", (cpu, c["id"]))
            cur.execute("UPDATE op_host_capacity SET reserved_capacity = reserved_capacity - %s "
                        "WHERE id = %s", (ram, m["id"]))
        self.count["capacity_allocations"] += 1
        self.log("capacity: host %s +VM %d (%d MHz, %d MiB)%s: used CPU %d, RAM %d MiB" % (
            hid, vid, cpu, ram >> 20, " from reserved" if from_last else "",
            c["used_capacity"] + cpu, (m["used_capacity"] + ram) >> 20))

    def release(self, cur, vid, hid, from_reserved, to_reserved):
        """CapacityManagerImpl.releaseVmCapacity (~130): used -= the offering where used
        covers it (to_reserved: reserved += it where it stays within the total); or,
        from_reserved, reserved -= it."""
        need = self.need(cur, vid)
        if need is None or hid is None:
            return
        c, m = self.caps(cur, hid, lock=True)
        if c is None or m is None:
            return
        cpu, ram = need
        tc = self.total_cpu(c, self.cpu_factor(cur))
        cu, cr, mu, mr = c["used_capacity"], c["reserved_capacity"], m["used_capacity"], m["reserved_capacity"]
        if not from_reserved:
            if cu >= cpu:
                cu -= cpu
            if mu >= ram:
                mu -= ram
            if to_reserved:
                if cr + cpu <= tc:
                    cr += cpu
                if mr + ram <= m["total_capacity"]:
                    mr += ram
        else:
            if cr >= cpu:
                cr -= cpu
            if mr >= ram:
                mr -= ram
        cur.execute("UPDATE op_host_capacity SET used_capacity = %s, reserved_capacity = %s "
                    "WHERE id = %s", (cu, cr, c["id"]))
        cur.execute("UPDATE op_host_capacity SET used_capacity = %s, reserved_capacity = %s "
                    "WHERE id = %s", (mu, mr, m["id"]))
        self.count["capacity_releases"] += 1
        self.log("capacity: host %s -VM %d%s: used CPU %d, RAM %d MiB; reserved CPU %d, RAM %d MiB"
                 % (hid, vid, " (to reserved)" if to_reserved else "", cu, mu >> 20, cr, mr >> 20))

    def capacity_event(self, cur, old, new):
        """CapacityManagerImpl.postStateTransitionEvent (~611), for the transitions mssim
        makes; old/new are the vm_instance rows before and after."""
        if not self.capacity:
            return
        o, n, vid = old["state"], new["state"], old["id"]
        if o == "Starting" and n != "Running":
            self.release(cur, vid, old["host_id"], False, False)          # start failed
        elif o == "Migrating" and n == "Running":
            if new["host_id"] == old["host_id"]:                          # OperationSucceeded
                self.release(cur, vid, new["last_host_id"], False, False)
            else:                                                         # OperationFailed
                self.release(cur, vid, old["host_id"], False, False)
        elif o == "Stopping" and n == "Stopped":                          # OperationSucceeded
            self.release(cur, vid, old["host_id"], False, True)
        if n in ("Starting", "Migrating") and new["host_id"] is not None:
            self.allocate(cur, vid, new["host_id"], new["last_host_id"] == new["host_id"])

    # ---- 3. VM operations -----------------------------------------------------------
    def plan(self, cur, cluster_id, exclude=(), prefer=None, need=None, last=None):
        """FirstFitPlanner.plan + FirstFitAllocator (vm.allocation.algorithm firstfit, by
        host id): the VM's last host first when it is Up, Enabled, not excluded and has
        the VM in its reserved capacity (checkIfHostHasCapacity from reserved), then the
        Up routing hosts of the cluster (enabled) whose allocation_state (3.0:
        resource_state) is 'Enabled' and that have the capacity (checkIfHostHasCapacity);
        need None: no capacity check (prefer: the last host first, unchecked)."""
        cur.execute("SELECT h.id FROM host h JOIN cluster c ON c.id = h.cluster_id WHERE "
                    "h.type = 'Routing' AND h.status = 'Up' AND h.removed IS NULL AND "
                    "h.cluster_id = %%s AND h.%s = 'Enabled' AND c.allocation_state = 'Enabled' "
                    "ORDER BY h.id" % self.acol, (cluster_id,))
        ids = [r["id"] for r in cur.fetchall()
               if r["id"] not in exclude and r["id"] not in self.unreachable]
        if need is not None and self.capacity:
            first = [last] if last in ids and self.has_capacity(cur, last, need, True) else []
            return first + [h for h in ids if h not in first and self.has_capacity(cur, h, need, False)]
        if prefer in ids:
            ids.remove(prefer)
            ids.insert(0, prefer)
        return ids

    def vm_update(self, cur, vm, state, host_id, last_host_id=KEEP):
        """VMInstanceDaoImpl.updateState: update_count + 1, compare-and-set on the old
        state, host_id and update_count."""
        sets, args = ["state = %s", "host_id = %s", "update_count = %s",
                      "update_time = UTC_TIMESTAMP()"], [state, host_id, vm["update_count"] + 1]
        if last_host_id is not KEEP:
            sets.append("last_host_id = %s")
            args.append(last_host_id)
        n = cur.execute("UPDATE vm_instance SET %s WHERE id = %%s AND state = %%s AND "
                        "host_id <=> %%s AND update_count = %%s" % ", ".join(sets),
                        args + [vm["id"], vm["state"], vm["host_id"], vm["update_count"]])
        if n != 1:
            return None
        self.log("VM %d (%s): %s/host %s -> %s/host %s%s (update_count %d)" % (
            vm["id"], vm["instance_name"], vm["state"], vm["host_id"], state, host_id,
            "" if last_host_id is KEEP else ", last_host_id %s" % last_host_id,
            vm["update_count"] + 1))
        nv = dict(vm, state=state, host_id=host_id, update_count=vm["update_count"] + 1,
                  last_host_id=vm["last_host_id"] if last_host_id is KEEP else last_host_id)
        self.capacity_event(cur, vm, nv)      # the state listener, in the same transaction
        return nv

    def vm_finish(self, vid, expect, state, host_id, last_host_id=KEEP):
        """The second half of a VM operation: transition only if the VM is still in
        the state the operation left it in."""
        def f(cur):
            vm = self.vm_row(cur, vid)
            if vm is None or vm["state"] != expect:
                self.log("VM %d: expected %s, found %s: left alone" % (vid, expect,
                                                                      vm and vm["state"]))
                return None
            return self.vm_update(cur, vm, state, host_id, last_host_id)
        return self.tx(f)

    def migrate(self, vid, dst=None, work=None):
        """VirtualMachineManagerImpl.migrate (2.2.13): last_host_id = source, state
        Migrating with host_id = destination; MigrateCommand; then Running on the
        destination (OperationSucceeded), or back to Running on the source
        (OperationFailed).  dst None = migrateAway through the planner."""
        def begin(cur):
            vm = self.vm_row(cur, vid)
            if work is not None and (vm is None or vm["host_id"] != work["host_id"]):
                return None, None, "gone"   # HighAvailabilityManagerImpl.migrate: nothing to do
            if vm is None or vm["state"] != "Running" or vm["host_id"] is None:
                return None, None, "VM %d is not Running on a host" % vid
            d = dst
            if d is None:
                # migrateAway: the planner in the source's cluster, the source avoided
                src = self.host_row(cur, vm["host_id"])
                cands = self.plan(cur, src["cluster_id"], exclude={vm["host_id"]},
                                  need=self.need(cur, vid), last=vm["last_host_id"])
                if not cands:
                    return vm, None, "no destination for VM %d: no other Up host with %s = " \
                        "'Enabled' and the capacity in cluster %s" % (vid, self.acol,
                                                                      src["cluster_id"])
                d = cands[0]
            else:
                # migrateVirtualMachine with a named host (UserVmManagerImpl 2.2.15 ~3336,
                # VirtualMachineManagerImpl.migrate ~1186): VM Running, same cluster; no
                # capacity check (the capacity is allocated anyway; XenServer decides)
                src, dh = self.host_row(cur, vm["host_id"]), self.host_row(cur, d)
                if dh is None or src is None or dh["cluster_id"] != src["cluster_id"]:
                    return None, None, "Source and destination host are not in same " \
                        "cluster, unable to migrate to host: %s" % d
            if d == vm["host_id"]:
                return None, None, "VM %d is already on host %d" % (vid, d)
            nv = self.vm_update(cur, vm, "Migrating", d, vm["host_id"])
            return nv, d, None if nv else "VM %d changed concurrently" % vid
        vm, d, err = self.tx(begin)
        if err == "gone":
            self.log("VM %d is no longer on host %s: work done" % (vid, work["host_id"]))
            self.work_done(work, True)
            return True
        ok = err is None
        if ok:
            self.count["migrations"] += 1
            with self.lock:
                self.inflight[vid] = "migrating %s -> %s" % (vm["last_host_id"], d)
            ok = self.finish_migration(vm, d)
        else:
            self.log("migration failed: %s" % err)
        if work is not None:
            self.work_done(work, ok)
        return ok

    def finish_migration(self, vm, d):
        try:
            if not self.sleep("migrate_delay"):
                return False
            src, err = vm["last_host_id"], None
            with self.lock:
                n = self.fail_vm.get(vm["id"], 0)
                if n:
                    self.fail_vm[vm["id"]] = n - 1 if n > 0 else n
                    err = "injected failure (fail-migration)"
            x = self.xvm(vm["instance_name"])
            if err is None and x and vm["type"] == "User" and not x["pv"]:
                err = "VM_MISSING_PV_DRIVERS (no Tools in the guest)"
            if err is None and d in self.unreachable:
                err = "destination host %d does not answer" % d
            if err is None and x:
                # MigrateCommand -> CitrixResourceBase.execute(MigrateCommand):
                # VM.pool_migrate on the destination (xapisim checks memory, takes time)
                xd = self.xhosts.get(d)
                if xd is None or xd["xi"] != x["xi"]:
                    err = "destination host %d is not in the VM's XenServer pool" % d
                else:
                    try:
                        r = self.xcontrol({"pool_migrate": {"vm": x["ref"], "host": xd["ref"]}},
                                          x["xi"])
                        if r.get("error"):
                            err = "XenAPI %s" % " ".join(r["error"])
                    except Exception as e:
                        err = "xapisim: %s" % e
            if err:
                self.count["migrations_failed"] += 1
                self.log("VM %d: migration %s -> %s failed: %s" % (vm["id"], src, d, err))
                self.vm_finish(vm["id"], "Migrating", "Running", src)
                return False
            done = self.vm_finish(vm["id"], "Migrating", "Running", d) is not None
            if done:
                with self.lock:
                    self.vm_moves[vm["instance_name"]] += 1
            return done
        finally:
            with self.lock:
                self.inflight.pop(vm["id"], None)

    def stop_vm(self, vid, work=None):
        """VirtualMachineManagerImpl.stop/advanceStop: Running -> Stopping -> Stopped,
        host_id NULL, last_host_id = the host (stateTransitTo on Stopping success)."""
        vm = self.tx(self.vm_row, vid)
        if vm is None or vm["state"] != "Running":
            self.log("stop VM %d: not Running (%s)" % (vid, vm and vm["state"]))
            if work is not None:
                self.work_done(work, False)
            return False
        h = vm["host_id"]
        vm = self.tx(self.vm_update, vm, "Stopping", h)
        ok = vm is not None and self.sleep("stop_delay")
        if ok:
            x = self.xvm(vm["instance_name"])
            if x:
                try:
                    self.xcontrol({"set_vm": {"vm": x["ref"], "power_state": "Halted"}}, x["xi"])
                except Exception as e:
                    self.log("xapisim: halting %s: %s" % (vm["instance_name"], e))
            ok = self.vm_finish(vid, "Stopping", "Stopped", None, h) is not None
        if work is not None:
            self.work_done(work, ok)
        return ok

    def start_vm(self, vid, dst=None, avoid=()):
        """VirtualMachineManagerImpl.start: Stopped -> Starting on the planned (or given)
        host -> Running, last_host_id = that host."""
        def begin(cur):
            vm = self.vm_row(cur, vid)
            if vm is None or vm["state"] != "Stopped":
                return None, "VM %d is not Stopped" % vid
            d = dst
            if d is None:
                last = vm["last_host_id"] and self.host_row(cur, vm["last_host_id"])
                cl = [last["cluster_id"]] if last else []
                cur.execute("SELECT id FROM cluster WHERE pod_id = %s AND removed IS NULL "
                            "ORDER BY id", (vm["pod_id"],))
                cl += [r["id"] for r in cur.fetchall() if r["id"] not in cl]
                need = self.need(cur, vid)
                cands = [h for c in cl for h in self.plan(cur, c, prefer=vm["last_host_id"],
                                                          need=need, last=vm["last_host_id"])]
                cands = [h for h in cands if h not in avoid] + [h for h in cands if h in avoid]
                if not cands:
                    return None, "no host to start VM %d on" % vid
                d = cands[0]
            return self.vm_update(cur, vm, "Starting", d), None
        vm, err = self.tx(begin)
        if vm is None:
            raise CtlError(err or "VM %d changed concurrently" % vid)
        if not self.sleep("start_delay"):
            return False
        x = self.xvm(vm["instance_name"])
        xd = self.xhosts.get(vm["host_id"])
        err = None
        if x and xd and xd["xi"] == x["xi"]:
            # StartCommand -> VM.start_on (xapisim checks the host's free memory)
            try:
                r = self.xcontrol({"start_on": {"vm": x["ref"], "host": xd["ref"]}}, x["xi"])
                err = r.get("error") and "XenAPI %s" % " ".join(r["error"])
            except Exception as e:
                err = "xapisim: %s" % e
        elif x:
            err = "host %s is not in the VM's XenServer pool" % vm["host_id"]
        if err:
            # VirtualMachineManagerImpl.advanceStart: the start failed on that host, the
            # VM goes back to Stopped (OperationFailed)
            self.count["starts_failed"] += 1
            self.log("VM %d: start on host %s failed: %s" % (vid, vm["host_id"], err))
            self.vm_finish(vid, "Starting", "Stopped", None)
            return False
        return self.vm_finish(vid, "Starting", "Running", vm["host_id"], vm["host_id"]) is not None

    # ---- HA worker --------------------------------------------------------------
    def ha_round(self):
        """HighAvailabilityManagerImpl.WorkerThread: take Scheduled op_ha_work rows
        (HighAvailabilityDaoImpl.take: SELECT ... FOR UPDATE, set mgmt_server_id/taken)."""
        def take(cur):
            cur.execute("SELECT id, instance_id, type, host_id, tried FROM op_ha_work WHERE "
                        "mgmt_server_id IS NULL AND step = 'Scheduled' AND type IN "
                        "('Migration', 'ForceStop') AND time_to_try <= %s ORDER BY time_to_try, "
                        "id LIMIT 1 FOR UPDATE", (ping_time(),))
            w = cur.fetchone()
            if w:
                cur.execute("UPDATE op_ha_work SET mgmt_server_id = %s, taken = UTC_TIMESTAMP(), "
                            "step = %s, tried = IFNULL(tried, 0) + 1 WHERE id = %s",
                            (self.msid, "Migrating" if w["type"] == "Migration" else "Stopping",
                             w["id"]))
            return w
        for _ in range(10):
            w = self.tx(take)
            if not w:
                return
            self.log("HA worker: op_ha_work %d: %s of VM %d" % (w["id"], w["type"],
                                                                w["instance_id"]))
            if w["type"] == "Migration":
                self.spawn("ha-%d" % w["id"], self.migrate, w["instance_id"], None, w)
            else:
                self.spawn("ha-%d" % w["id"], self.stop_vm, w["instance_id"], w)

    def work_done(self, w, ok):
        tried = (w.get("tried") or 0) + 1
        if not ok and w["type"] == "Migration":
            self.maintenance_failed(w["host_id"])
            if tried <= self.set["migrate_retries"]:
                self.tx(lambda cur: cur.execute(
                    "UPDATE op_ha_work SET step = 'Scheduled', mgmt_server_id = NULL, "
                    "time_to_try = %s WHERE id = %s",
                    (ping_time() + int(self.set["migrate_retry_interval"]), w["id"])))
                return
        self.tx(lambda cur: cur.execute("UPDATE op_ha_work SET step = %s WHERE id = %s",
                                        ("Done" if ok else "Error", w["id"])))

    def resume_migrations(self):
        """On start: VMs left in Migrating (e.g. the sample's VM 4) are finished, as the
        HA work of a restarted management server is re-run and the VM sync reports them
        Running on their destination."""
        def q(cur):
            cur.execute("SELECT id, instance_name, type, state, host_id, last_host_id, "
                        "update_count FROM vm_instance WHERE state = 'Migrating' AND "
                        "removed IS NULL AND host_id IS NOT NULL")
            return cur.fetchall()
        for vm in self.tx(q):
            self.log("VM %d: resuming migration %s -> %s" % (vm["id"], vm["last_host_id"],
                                                           vm["host_id"]))
            with self.lock:
                self.inflight[vm["id"]] = "resumed migration"
            self.spawn("resume-%d" % vm["id"], self.resume_one, vm)

    def resume_one(self, vm):
        if self.finish_migration(vm, vm["host_id"]):
            self.tx(lambda cur: cur.execute(
                "UPDATE op_ha_work SET step = 'Done' WHERE instance_id = %s AND type = "
                "'Migration' AND step = 'Migrating'", (vm["id"],)))

    # ---- autopilot: the operator's side of CTX133466 ------------------------------------
    def wait_for(self, hid, what, cond, abandon=None):
        ap = self.autopilots[hid]
        ap["step"] = what
        self.log("autopilot host %d: %s" % (hid, what))
        while not ap.get("cancel"):
            r = self.tx(self.host_row, hid)
            if cond(r):
                return True
            if abandon is not None and abandon(r):
                ap["step"] = "abandoned: csmaint closed its operation (%s)" % what
                self.log("autopilot host %d: %s" % (hid, ap["step"]))
                return False
            if not self.sleep("autopilot_poll"):
                break
        return False

    # ---- the journal csmaint writes (read only) ------------------------------------------
    def jq(self, sql, args):
        """A query on the csmaint journal; None when it cannot be read (no journal, or a
        version 1 journal without parent_id)."""
        def q(cur):
            cur.execute(sql.replace("{J}", "`%s`" % self.args.journal), args)
            return cur.fetchall()
        try:
            return self.tx(q)
        except (pymysql.err.ProgrammingError, pymysql.err.InternalError, DbError) as e:
            self.log_err("journal", e)
            return None

    def open_op(self, hid):
        """csmaint's open operation on the host: <journal>.operation WHERE cloud_schema =
        <db> AND open_host = host id."""
        rows = self.jq("SELECT id, parent_id, kind FROM {J}.operation WHERE cloud_schema = %s "
                       "AND open_host = %s", (self.args.db, hid))
        return rows[0] if rows else None

    def step_row(self, op_id, name):
        rows = self.jq("SELECT seq, state, detail FROM {J}.operation_step WHERE operation_id = %s "
                       "AND name = %s ORDER BY seq DESC LIMIT 1", (op_id, name))
        return rows[0] if rows else None

    PROPOSED = "proposed targets: "

    def proposals(self, hid, op_id, step):
        """Wait (proposal_wait seconds) for the step of the child operation and read its
        proposals while it runs: {instance_name: host id}; {} when it says none or
        finished before we saw it; None when the step never came."""
        ap = self.autopilots[hid]
        ap["step"] = "waiting for csmaint's %s proposals (operation %d)" % (step, op_id)
        self.log("autopilot host %d: %s" % (hid, ap["step"]))
        deadline = time.time() + self.set["proposal_wait"]
        while time.time() < deadline and not ap.get("cancel"):
            r = self.step_row(op_id, step)
            if r and r["state"] == "running" and (r["detail"] or "").startswith(self.PROPOSED):
                out = {}
                text = r["detail"][len(self.PROPOSED):].strip()
                if text != "none":
                    h = self.tx(self.host_row, hid)
                    for pair in text.split(", "):
                        m = re.fullmatch(r"(\S+) -> (.+)", pair.strip())
                        if not m:
                            self.log("autopilot host %d: cannot read proposal %r" % (hid, pair))
                            continue
                        rows = self.tx(lambda cur: (cur.execute(
                            "SELECT id FROM host WHERE name = %s AND cluster_id <=> %s AND "
                            "removed IS NULL", (m.group(2), h["cluster_id"])), cur.fetchall())[1])
                        if len(rows) != 1:
                            self.log("autopilot host %d: proposed host %r not found in the "
                                     "cluster" % (hid, m.group(2)))
                            continue
                        out[m.group(1)] = rows[0]["id"]
                self.log("autopilot host %d: %s proposals: %s" % (hid, step, text))
                ap.setdefault("proposals", {})[step] = text
                return out
            if r and r["state"] != "running":
                self.log("autopilot host %d: step %s already %s" % (hid, step, r["state"]))
                return {}
            if not self.sleep("autopilot_poll"):
                break
        self.log("autopilot host %d: no %s step came within %.0f s" % (hid, step,
                                                                  self.set["proposal_wait"]))
        return None

    def suitable(self, vid, hid):
        """ManagementServerImpl.listHostsForMigrationOfVM (2.2.15 ~1251): what the UI
        flags as having capacity for the VM (listHostsWithEnoughCapacity)."""
        return self.tx(lambda cur: self.has_capacity(cur, hid, self.need(cur, vid), False))

    def autopilot(self, hid, in_cluster=False):
        """The operator's side of CTX133466 for one host.  in_cluster: started by the
        cluster autopilot for a host csmaint has just disabled: follows the proposals of
        a rolling run's child operation, and gives up on the host when csmaint closes its
        operation and the host is back in service without maintenance."""
        ap = self.autopilots[hid]
        step = lambda s: (ap.update(step=s), self.log("autopilot host %d: %s" % (hid, s)))
        # in_cluster: csmaint's operation row came with the disable (one transaction); on
        # 3.0 the column may be back at Enabled already (the handback of an empty host)
        if not in_cluster and not self.wait_for(hid, "waiting for csmaint to disable the host",
                                                lambda r: r[self.acol] == "Disabled"):
            return
        boot0 = self.xhosts.get(hid, {}).get("boot")
        op = self.open_op(hid) if in_cluster else None
        child = op is not None and op.get("parent_id") is not None
        ap["operation"] = op and op["id"]

        def closed(r=None):
            if not in_cluster:
                return False
            r = r or self.tx(self.host_row, hid)
            o = self.open_op(hid)
            return (o is None or (op is not None and o["id"] != op["id"])) and \
                r[self.acol] != "Disabled" and r[self.mcol] not in MAINT
        abandon = closed if in_cluster else None

        def user_vms():
            return [v for v in self.tx(self.vms_on, hid)
                    if v["type"] == "User" and v["state"] == "Running" and v["host_id"] == hid]
        if self.xapi:
            self.xapi_round()
        restart_on = {}
        if child:
            # csmaint's order: wait-vms (migrate the VMs with Tools where it proposes),
            # then wait-no-tools (shut down the VMs without Tools; restart them on the
            # proposed hosts after maintenance)
            targets = self.proposals(hid, op["id"], "wait-vms")
            step("migrating user VMs with Tools to the proposed hosts")
            for v in user_vms():
                x = self.xvm(v["instance_name"])
                if x and not x["pv"]:
                    continue
                d = (targets or {}).get(v["instance_name"])
                if d is not None and not self.suitable(v["id"], d):
                    self.count["unsuitable_targets"] += 1
                    self.log("autopilot host %d: proposed host %d is not suitable for "
                             "migration of VM %d (CloudStack capacity): migrating as proposed"
                             % (hid, d, v["id"]))
                self.migrate(v["id"], d)
            nt = [v for v in user_vms() if (self.xvm(v["instance_name"]) or {}).get("pv") is False]
            if nt:
                restart_on = self.proposals(hid, op["id"], "wait-no-tools") or {}
            step("stopping user VMs without Tools (CTX133466 step 3)")
            for v in nt:
                if self.stop_vm(v["id"]):
                    ap["stopped"].append(v["id"])
            if closed():
                ap["step"] = "abandoned: csmaint closed its operation"
                return
        else:
            step("stopping user VMs without Tools (CTX133466 step 3)")
            for v in user_vms():
                x = self.xvm(v["instance_name"])
                if x and not x["pv"]:
                    if self.stop_vm(v["id"]):
                        ap["stopped"].append(v["id"])
            step("migrating user VMs away")
            for v in user_vms():
                self.migrate(v["id"])
        for attempt in range(3):
            step("prepare-maintenance (attempt %d)" % (attempt + 1))
            try:
                self.prepare_maintenance(hid)
            except CtlError as e:
                self.log("autopilot host %d: %s" % (hid, e))
                if self.gen == "3.0" and self.maint_state(hid) == "Disabled":
                    # As an operator would: CloudStack 3.0 refused; wait for csmaint's
                    # word (the column back at Enabled) and ask again.
                    step("waiting for csmaint to re-enable the host before maintenance")
                    if not self.wait_for(hid, "waiting for resource_state Enabled",
                                         lambda r: r[self.acol] != "Disabled", abandon):
                        return
                    continue
            if not self.wait_for(hid, "waiting for Maintenance",
                                 lambda r: r[self.mcol] in ("Maintenance", "ErrorInMaintenance"),
                                 abandon):
                return
            if self.maint_state(hid) == "Maintenance":
                break
        else:
            step("gave up: host stays in ErrorInMaintenance")
            return

        def back(r):
            x = self.xhosts.get(hid)
            rebooted = not self.xapi or (x is not None and x["up"] and x["boot"] != boot0)
            if in_cluster and not rebooted:
                # a failed run rolled back: csmaint restored the column and closed its
                # operation; the operator takes the host out of maintenance
                o = self.open_op(hid)
                rebooted = o is None or (op is not None and o["id"] != op["id"])
            return rebooted and (self.gen == "3.0" or r["allocation_state"] == "Enabled")
        if not self.wait_for(hid, "waiting for the reboot%s" % (
                " and csmaint's restore of allocation_state" if self.gen == "2.2" else ""), back):
            return
        step("cancel-maintenance")
        self.cancel_maintenance(hid)
        if not self.wait_for(hid, "waiting for the host to be Up", lambda r: r["status"] == "Up"):
            return
        step("restarting the stopped VMs (CTX133466 step 5)")
        for v in ap["stopped"]:
            vm = self.tx(self.vm_row, v)
            d = restart_on.get(vm["instance_name"]) if vm else None
            try:
                # startVirtualMachine with hostid (StartVMCmd, 2.2.15): the named host,
                # no capacity check (FirstFitPlanner: "making no checks on this host")
                self.start_vm(v, dst=d, avoid=() if d else (hid,))
            except CtlError as e:
                self.log("autopilot host %d: %s" % (hid, e))
        step("done")

    def autopilot_cluster(self, cid):
        """msctl autopilot-cluster: the operator for a whole pool.  Every routing host of
        the cluster that csmaint disables (an open operation on it) gets the host
        autopilot, one host at a time, each csmaint operation once."""
        cp = self.cluster_pilots[cid]
        seen = set()
        while not cp.get("cancel") and not self.stop.is_set():
            # an open csmaint operation on a routing host of the cluster (its row is
            # written with the disable; the Disabled state itself may last only moments)
            def q(cur):
                cur.execute("SELECT id FROM host WHERE cluster_id = %s AND type = 'Routing' "
                            "AND removed IS NULL ORDER BY id", (cid,))
                return [r["id"] for r in cur.fetchall()]
            ids = self.tx(q)
            rows = self.jq("SELECT id, open_host FROM {J}.operation WHERE cloud_schema = %%s AND "
                           "open_host IN (%s) ORDER BY id" % ",".join(["%s"] * len(ids)),
                           [self.args.db] + ids) if ids else []
            picked = next(((r["open_host"], r["id"]) for r in rows or []
                           if (r["open_host"], r["id"]) not in seen), None)
            if picked is None:
                cp["step"] = "waiting for csmaint to disable a host"
                if not self.sleep("autopilot_poll"):
                    break
                continue
            hid, opid = picked
            seen.add(picked)
            cp["step"] = "host %d (operation %d)" % (hid, opid)
            cp["hosts"].append(hid)
            self.log("autopilot cluster %d: host %d, csmaint operation %d" % (cid, hid, opid))
            self.autopilots[hid] = {"step": "starting", "stopped": [], "cluster": cid}
            self.autopilot(hid, in_cluster=True)
        cp["step"] = "stopped"

    # ---- 5. control interface ------------------------------------------------------
    ARITY = {"status": (0, 0), "pause": (0, 0), "resume": (0, 0), "set": (2, 2),
             "restart-ms": (0, 0), "prepare-maintenance": (1, 1), "cancel-maintenance": (1, 1),
             "reconnect": (1, 1), "migrate-all": (1, 1), "autopilot": (1, 2),
             "autopilot-cluster": (1, 2),
             "migrate": (2, 2), "stop-vm": (1, 1), "start-vm": (1, 2), "fail-migration": (1, 2)}

    def command(self, cmd, args):
        if cmd not in self.ARITY:
            raise CtlError("unknown command %r" % cmd)
        lo, hi = self.ARITY[cmd]
        if not lo <= len(args) <= hi:
            raise CtlError("%s takes %s argument(s)" % (cmd, lo if lo == hi else "%d-%d" % (lo, hi)))
        if cmd == "status":
            with self.lock:
                return json.loads(json.dumps({
                    "generation": self.gen, "msid": self.msid, "paused": self.paused,
                    "settings": self.set, "counters": self.count,
                    "unreachable": sorted(self.unreachable), "inflight": self.inflight,
                    "xapisim_hosts": dict(self.xhosts), "autopilot": dict(self.autopilots),
                    "autopilot_cluster": dict(self.cluster_pilots),
                    "migrations_by_vm": dict(self.vm_moves),
                    "fail_migration": self.fail_vm, "actions": list(self.actions)[-200:]}))
        if cmd in ("pause", "resume"):
            self.paused = cmd == "pause"
            self.log("%sd" % cmd)
            return {}
        if cmd == "set":
            if args[0] not in self.set:
                raise CtlError("unknown setting %r (known: %s)" % (args[0], " ".join(self.set)))
            self.set[args[0]] = float(args[1])
            self.log("set %s = %s" % (args[0], args[1]))
            return {}
        if cmd == "restart-ms":
            self.restart_ms()
            return {}
        if cmd in ("prepare-maintenance", "cancel-maintenance", "reconnect", "migrate-all"):
            hid = self.find_host(args[0])
            self.log("control: %s host %d" % (cmd, hid))
            if cmd == "prepare-maintenance":
                self.prepare_maintenance(hid)
            elif cmd == "cancel-maintenance":
                self.cancel_maintenance(hid)
            elif cmd == "reconnect":
                self.reconnect(hid)
            else:
                vms = [v["id"] for v in self.tx(self.vms_on, hid)
                       if v["type"] == "User" and v["state"] == "Running" and v["host_id"] == hid]
                self.spawn("migrate-all-%d" % hid, lambda: [self.migrate(v) for v in vms])
                return {"vms": vms}
            return {"host": hid}
        if cmd == "autopilot":
            hid = self.find_host(args[0])
            if len(args) == 2:
                self.autopilots.get(hid, {})["cancel"] = True
                return {"host": hid}
            self.autopilots[hid] = {"step": "starting", "stopped": []}
            self.spawn("autopilot-%d" % hid, self.autopilot, hid)
            return {"host": hid}
        if cmd == "autopilot-cluster":
            cid = self.find_cluster(args[0])
            if len(args) == 2:
                if args[1] != "stop":
                    raise CtlError("autopilot-cluster CLUSTER [stop]")
                cp = self.cluster_pilots.get(cid, {})
                cp["cancel"] = True
                for hid, ap in self.autopilots.items():
                    if ap.get("cluster") == cid:
                        ap["cancel"] = True
                return {"cluster": cid}
            if cid in self.cluster_pilots and self.cluster_pilots[cid]["step"] != "stopped":
                raise CtlError("autopilot-cluster %d is running already" % cid)
            self.cluster_pilots[cid] = {"step": "starting", "hosts": []}
            self.spawn("autopilot-cluster-%d" % cid, self.autopilot_cluster, cid)
            return {"cluster": cid}
        if cmd in ("migrate", "stop-vm", "start-vm", "fail-migration"):
            vid = self.find_vm(args[0])
            self.log("control: %s VM %d %s" % (cmd, vid, " ".join(args[1:])))
            if cmd == "fail-migration":
                self.fail_vm[vid] = int(args[1]) if len(args) == 2 else 1
            elif cmd == "migrate":
                # migrateVirtualMachine names the host: no allocation check (NOTES §4)
                self.spawn("migrate-%d" % vid, self.migrate, vid, self.find_host(args[1]))
            elif cmd == "stop-vm":
                self.spawn("stop-%d" % vid, self.stop_vm, vid)
            else:
                dst = self.find_host(args[1]) if len(args) == 2 else None
                self.spawn("start-%d" % vid, self.start_vm, vid, dst)
            return {"vm": vid}

    def handle(self, conn):
        with conn:
            conn.settimeout(10)
            data = b""
            while not data.endswith(b"\n"):
                b = conn.recv(65536)
                if not b:
                    break
                data += b
            try:
                req = json.loads(data or b"{}")
                res = dict(self.command(req.get("cmd", ""), [str(a) for a in req.get("args", [])]),
                           ok=True)
            except (CtlError, DbError, ValueError) as e:
                res = {"ok": False, "error": str(e)}
            except Exception:
                res = {"ok": False, "error": traceback.format_exc()}
            conn.sendall((json.dumps(res, default=str) + "\n").encode())


def rm(*paths):
    for p in paths:
        try:
            os.unlink(p)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser(description="CloudStack management-server simulator")
    for opt in ("--socket", "--user", "--password-file", "--db", "--state-dir"):
        ap.add_argument(opt, required=True)
    ap.add_argument("--xapisim-state-dir", action="append",
                    help="a XenAPI simulator's state dir; once per pool")
    ap.add_argument("--ping-interval", type=float, default=DEFAULTS["ping_interval"])
    ap.add_argument("--monitor-period", type=float, default=DEFAULTS["monitor_period"])
    ap.add_argument("--msid", type=int, default=345051509694)
    ap.add_argument("--generation", choices=("2.2", "3.0"))
    ap.add_argument("--journal", default="csmaint",
                    help="csmaint's journal schema (autopilot-cluster reads it)")
    a = ap.parse_args()
    if not re.fullmatch(r"[A-Za-z0-9_]+", a.journal):
        ap.error("--journal: letters, digits and _ only")
    with open(a.password_file) as f:
        password = f.read().rstrip("\r\n")
    sd = lambda n: os.path.join(os.path.abspath(a.state_dir), n)
    os.makedirs(a.state_dir, exist_ok=True)
    rm(sd("ready"), sd("socket"))
    with open(sd("pid"), "w") as f:
        f.write("%d\n" % os.getpid())
    sim = Sim(a, password)
    for i in range(50):                           # the database may still be starting
        try:
            sim.detect()
            break
        except DbError as e:
            if i == 49:
                raise SystemExit("mssim: cannot use the database: %s" % e)
            time.sleep(0.1)
    signal.signal(signal.SIGTERM, lambda *_: sim.stop.set())
    signal.signal(signal.SIGINT, lambda *_: sim.stop.set())

    # Control socket: STATE/ctl.sock, or in a short /tmp directory (sun_path is 108
    # bytes); STATE/socket names it for msctl.
    tmpdir = tempfile.mkdtemp(prefix="mssim.") if len(sd("ctl.sock")) > 100 else None
    path = os.path.join(tmpdir, "ctl.sock") if tmpdir else sd("ctl.sock")
    rm(path)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(16)
    srv.settimeout(0.2)
    with open(sd("socket"), "w") as f:
        f.write(path + "\n")

    sim.log("generation %s (%s / %s), msid %d, database %s, xapisim %s" % (
        sim.gen, sim.acol, sim.mcol, sim.msid, a.db, " ".join(a.xapisim_state_dir or ["none"])))
    if sim.xapi:
        try:
            sim.xapi_round()          # the XenServer view first: resumed work needs it
        except Exception as e:
            sim.log("xapisim: %s" % e)
    try:
        sim.resume_migrations()
    except DbError as e:
        sim.log("resume: %s" % e)
    for name, period, fn in [("ping", "ping_interval", sim.ping_round),
                             ("monitor", "monitor_period", sim.monitor_round),
                             ("ha", "ha_period", sim.ha_round),
                             ("heartbeat", "heartbeat_interval", sim.heartbeat)] + \
            ([("xapisim", "xapi_poll", sim.xapi_round)] if sim.xapi else []):
        sim.spawn(name, sim.loop, name, period, fn)
    with open(sd("ready"), "w") as f:
        f.write("%d\n" % os.getpid())
    sim.log("ready: control socket %s" % path)
    while not sim.stop.is_set():
        try:
            conn, _ = srv.accept()
        except (socket.timeout, InterruptedError):
            continue
        threading.Thread(target=sim.handle, args=(conn,), daemon=True).start()
    sim.log("SIGTERM: exiting (%s)" % json.dumps(dict(sim.count)))
    srv.close()
    rm(path, sd("ready"))
    if tmpdir:
        os.rmdir(tmpdir)
    time.sleep(0.05)                              # let the loops end their transaction
    return 0


if __name__ == "__main__":
    sys.exit(main())
