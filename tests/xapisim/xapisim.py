#!/usr/bin/python3
"""xapisim - a XenAPI (xapi) simulator for the csmaint test suite.

Standard library only.  Run it with /usr/bin/python3:

    xapisim.py --scenario FILE.json --cert CERT --key KEY --port PORT \
               --state-dir DIR [--cacert CA] [--quiet]

It serves HTTPS on every host address of the scenario (127.x.y.z, one port),
speaks XenAPI XML-RPC on POST /, accepts hotfix uploads on
PUT /pool_patch_upload, and has a JSON control interface under /sim/.
See README beside this file.  "NOTES §n" refers to
shared/reference/xenapi/NOTES.md, where the real xapi behaviour is sourced.
"""

import argparse
import hashlib
import html
import json
import os
import re
import shlex
import shutil
import signal
import socket
import ssl
import sys
import threading
import time
import uuid as uuidlib
import xml.etree.ElementTree as ET
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

NULL = "OpaqueRef:NULL"            # NOTES §1.3
CHUNK = 1 << 20                    # upload read size (constant memory)
QUIET = False


def log(msg):
    if not QUIET:
        sys.stderr.write("xapisim %s %s\n" % (time.strftime("%H:%M:%S"), msg))
        sys.stderr.flush()


def new_ref():
    return "OpaqueRef:" + str(uuidlib.uuid4())


def new_uuid():
    return str(uuidlib.uuid4())


def ocaml_float(t):
    """other_config boot_time / agent_start_time are OCaml string_of_float
    of an integral float, e.g. "1286883345." (NOTES §4)."""
    return "%d." % int(t)


class XapiError(Exception):
    """A XenAPI failure: ErrorDescription = [code, params...] (NOTES §1.2)."""

    def __init__(self, code, *params):
        super().__init__(code)
        self.desc = [str(code)] + [str(p) for p in params]


class DateTime:
    """An XML-RPC dateTime.iso8601 value (UTC)."""

    def __init__(self, t):
        self.t = float(t)

    def wire(self, z=True):
        return time.strftime("%Y%m%dT%H:%M:%S", time.gmtime(self.t)) + ("Z" if z else "")

    @staticmethod
    def parse(text):
        text = text.strip()
        for fmt in ("%Y%m%dT%H:%M:%SZ", "%Y%m%dT%H:%M:%S", "%Y%m%dT%H%M%S",
                    "%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%M:%S"):
            try:
                import calendar
                return DateTime(calendar.timegm(time.strptime(text, fmt)))
            except ValueError:
                pass
        raise ValueError("bad dateTime %r" % text)


class IntParam(int):
    """An <int>/<i4>/<i8> received from a client (a 5.6 host rejects it)."""


# --------------------------------------------------------------------------
# XML-RPC codec (NOTES §1.2, §1.3; wire-examples.md)
# --------------------------------------------------------------------------

class Codec:
    def __init__(self, empty_value_style="open_close", datetime_z=True, whitespace=False):
        self.self_closing = empty_value_style == "self_closing"
        self.datetime_z = datetime_z
        self.sep = "\n" if whitespace else ""

    # ---- requests -------------------------------------------------------
    @staticmethod
    def parse_call(body):
        """Return (method, [params]); raise ValueError if malformed."""
        try:
            root = ET.fromstring(body)
        except ET.ParseError as e:
            raise ValueError("Xml_parser error: %s" % e)
        try:
            return Codec._parse_call(root)
        except ValueError:
            raise
        except Exception as e:                       # any structural surprise
            raise ValueError("malformed methodCall: %s: %s" % (type(e).__name__, e))

    @staticmethod
    def _parse_call(root):
        if root.tag != "methodCall":
            raise ValueError("expected methodCall, got %s" % root.tag)
        method = (root.findtext("methodName") or "").strip()
        if not method:
            raise ValueError("missing methodName")
        params = []
        for p in root.findall("params/param"):
            v = p.find("value")
            if v is None:
                raise ValueError("param without value")
            params.append(Codec.parse_value(v))
        return method, params

    @staticmethod
    def parse_value(v):
        kids = list(v)
        if not kids:                       # bare <value>text</value> = string
            return v.text or ""
        c = kids[0]
        t = c.tag
        if t == "string":
            return c.text or ""
        if t in ("int", "i4", "i8"):
            return IntParam(int((c.text or "").strip()))
        if t == "boolean":                 # 2010 From.boolean: not "0" = true
            return (c.text or "").strip() != "0"
        if t == "double":
            return float((c.text or "").strip())
        if t == "dateTime.iso8601":
            return DateTime.parse(c.text or "")
        if t == "array":
            return [Codec.parse_value(x) for x in c.findall("data/value")]
        if t == "struct":
            return {(m.findtext("name") or ""): Codec.parse_value(m.find("value"))
                    for m in c.findall("member")}
        if t == "nil":
            return None
        raise ValueError("unsupported value type <%s>" % t)

    # ---- responses ------------------------------------------------------
    @staticmethod
    def esc(s):
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    def value(self, v):
        """Serialise like xapi: strings and int64 as bare text (NOTES §1.3)."""
        if isinstance(v, RawValue):
            return str(v)
        if v is None or (isinstance(v, str) and v == ""):
            return "<value/>" if self.self_closing else "<value></value>"
        if isinstance(v, bool):
            return "<value><boolean>%d</boolean></value>" % int(v)
        if isinstance(v, int):
            return "<value>%d</value>" % v
        if isinstance(v, float):
            s = "NaN" if v != v or v in (float("inf"), float("-inf")) else "%.16g" % v
            return "<value><double>%s</double></value>" % s
        if isinstance(v, DateTime):
            return "<value><dateTime.iso8601>%s</dateTime.iso8601></value>" % v.wire(self.datetime_z)
        if isinstance(v, str):
            return "<value>%s</value>" % self.esc(v)
        s = self.sep
        if isinstance(v, (list, tuple)):
            if not v:
                return "<value><array><data/></array></value>" if self.self_closing \
                    else "<value><array><data></data></array></value>"
            return "<value><array><data>%s%s%s</data></array></value>" % (
                s, s.join(self.value(x) for x in v), s)
        if isinstance(v, dict):
            return "<value><struct>%s%s%s</struct></value>" % (s, s.join(
                "<member><name>%s</name>%s</member>" % (self.esc(str(k)), self.value(x))
                for k, x in v.items()), s)
        raise TypeError("cannot serialise %r" % (v,))

    def envelope(self, members):
        s = self.sep
        return ('<?xml version="1.0"?>%s<methodResponse><params><param><value><struct>%s%s%s'
                '</struct></value></param></params></methodResponse>%s' % (
                    s, s, s.join("<member><name>%s</name>%s</member>" % (k, v) for k, v in members), s, s)
                ).encode()

    def success(self, v):
        return self.envelope([("Status", "<value>Success</value>"), ("Value", self.value(v))])

    def failure(self, desc):
        return self.envelope([("Status", "<value>Failure</value>"),
                              ("ErrorDescription", self.value([str(d) for d in desc]))])


TRANSPORT_KINDS = ("drop", "stall", "slow", "malformed", "truncated", "http500", "html", "cut",
                   "doctype", "deep", "huge")
EXECUTING_KINDS = ("stall", "slow", "truncated", "doctype")


def typed_value(v):
    """A JSON value as the XML-RPC value of the same type, each type explicit
    (null -> <nil/>, int -> <int>, a string bare): for wrong-typed reply faults."""
    if v is None:
        return "<value><nil/></value>"
    if isinstance(v, bool):
        return "<value><boolean>%d</boolean></value>" % int(v)
    if isinstance(v, int):
        return "<value><int>%d</int></value>" % v
    if isinstance(v, float):
        return "<value><double>%r</double></value>" % v
    if isinstance(v, str):
        return "<value>%s</value>" % Codec.esc(v)
    if isinstance(v, list):
        return "<value><array><data>%s</data></array></value>" % "".join(typed_value(x) for x in v)
    if isinstance(v, dict):
        return "<value><struct>%s</struct></value>" % "".join(
            "<member><name>%s</name>%s</member>" % (Codec.esc(str(k)), typed_value(x))
            for k, x in v.items())
    raise ValueError("cannot encode %r" % (v,))


class RawValue(str):
    """An XML-RPC <value> fragment to splice into a reply as it is."""


def mangle_records(result, how):
    """The "records" fault: in a REF -> record map (get_all_records) or a single record
    (get_record), replace every record by how["value"], remove the fields how["drop"],
    or give the fields of how["set"] the (typed) values given."""
    def one(rec):
        if "value" in how:
            return RawValue(typed_value(how["value"]))
        if isinstance(rec, dict):
            rec = {k: x for k, x in rec.items() if k not in how.get("drop", [])}
            for k, x in how.get("set", {}).items():
                rec[k] = RawValue(typed_value(x))
        return rec
    if isinstance(result, dict) and result and all(isinstance(k, str) and k.startswith("OpaqueRef:")
                                                  for k in result):
        return {k: one(r) for k, r in result.items()}
    return one(result)


def html_500(reason):
    """xapi's answer to a malformed request: HTTP 500 with an HTML body (NOTES §1.2)."""
    return ("<html><body><h1>HTTP 500 internal server error</h1>An unexpected error "
            "occurred; please wait a while and try again. If the problem persists, please "
            "contact your support representative.<h1> Additional information </h1>%s"
            "</body></html>" % html.escape(str(reason))).encode()


# --------------------------------------------------------------------------
# Data model: visible fields per class.  "A.B:" switches the minimum API
# version for the following fields (classes.tsv; NOTES §0 for versions).
# Adding a field here gives it a generic get_<field> getter.
# --------------------------------------------------------------------------

FIELD_SPEC = {
    "pool": "uuid name_label name_description master default_SR ha_enabled other_config",
    "host": "uuid name_label name_description address hostname enabled resident_VMs metrics "
            "software_version API_version_major API_version_minor API_version_vendor patches "
            "other_config memory_overhead 2.6: control_domain updates updates_requiring_reboot",
    "host_metrics": "uuid live memory_total memory_free last_updated other_config",
    "VM": "uuid name_label name_description power_state resident_on affinity is_control_domain "
          "is_a_template is_a_snapshot snapshot_of domid guest_metrics other_config "
          "HVM_boot_policy PV_bootloader memory_static_max memory_static_min memory_dynamic_max "
          "memory_dynamic_min memory_target VCPUs_max",
    "VM_guest_metrics": "uuid os_version PV_drivers_version PV_drivers_up_to_date memory disks "
                        "networks other last_updated other_config live "
                        "2.5: can_use_hotplug_vbd can_use_hotplug_vif PV_drivers_detected",
    "pool_patch": "uuid name_label name_description version size pool_applied host_patches "
                  "after_apply_guidance other_config 2.6: pool_update",
    "host_patch": "uuid name_label name_description version host applied timestamp_applied "
                  "size pool_patch other_config",
    "pool_update": "uuid name_label name_description version installation_size key "
                   "after_apply_guidance vdi hosts 2.8: other_config enforce_homogeneity",
    "SR": "uuid name_label name_description type content_type shared other_config",
    "task": "uuid name_label name_description allowed_operations current_operations created "
            "finished status resident_on progress type result error_info other_config "
            "subtask_of subtasks 2.5: backtrace",
}
NAMED = {"pool", "host", "VM", "pool_patch", "host_patch", "pool_update", "task", "SR"}


def parse_field_spec(api):
    out = {}
    for cls, spec in FIELD_SPEC.items():
        minv, fields = (0, 0), []
        for tok in spec.split():
            if tok.endswith(":"):
                minv = tuple(int(x) for x in tok[:-1].split("."))
            elif api >= minv:
                fields.append(tok)
        out[cls] = fields
    return out


class Spec:
    """A callable message: params are 'name' or 'name:type' (session excluded)."""

    def __init__(self, name, params, fn, async_ok=True, login=False, optional=0):
        self.name, self.fn, self.async_ok, self.login = name, fn, async_ok, login
        self.params = [p.split(":") + ["string"] if ":" not in p else p.split(":") for p in params]
        self.params = [(p[0], p[1]) for p in self.params]
        self.optional = optional
        n = len(self.params) + (0 if login else 1)
        self.max_args, self.min_args = n, n - optional


ACTIONS = {}


def xapi(name, params="", async_ok=True, login=False, optional=0):
    """Register a non-generated message.  One line per message."""
    def deco(f):
        ACTIONS[name] = (params.split(), f, async_ok, login, optional)
        return f
    return deco


class Ctx:
    def __init__(self, host, session=None, task=None):
        self.host, self.session, self.task = host, session, task


# --------------------------------------------------------------------------
# The simulated pool
# --------------------------------------------------------------------------

class Sim:
    def __init__(self, scenario, state_dir):
        self.lock = threading.Lock()
        self.state_dir = state_dir
        self.db = {c: {} for c in FIELD_SPEC}
        self.sessions = {}
        self.faults = []
        self.calls = []
        self.uploads = []
        self.down = set()
        self.stats = {"logins": 0, "logouts": 0, "max_open_sessions": 0,
                      "sink_bytes": 0, "sink_uploads": 0}
        self.load(scenario)

    # ---- scenario -------------------------------------------------------
    def load(self, sc):
        now = time.time()
        self.sc = sc
        hosts = sc["hosts"]
        master_name = sc.get("pool", {}).get("master", hosts[0]["name_label"])
        mh = [h for h in hosts if h["name_label"] == master_name][0]
        self.api = (int(mh.get("API_version_major", sc.get("API_version_major", 1))),
                    int(mh.get("API_version_minor", sc.get("API_version_minor", 8))))
        self.mode = sc.get("mode", "pool_update" if self.api >= (2, 6) else "pool_patch")
        self.opts = {
            "empty_value_style": "open_close", "datetime_z": True, "xml_whitespace": False,
            "login_max_args": 3 if self.api < (2, 0) else 4,
            "auth_fail_delay": 0, "apply_seconds": 0.5, "shutdown_delay": 0.2,
            "upload_space_factor": 3, "upload_sink": False,
            "session_timeout": 0,          # idle seconds before SESSION_INVALID; 0 = never
            "master_switch_seconds": 1.0,  # xapi restarts on every host at a master change
            # 7.1 (API 2.6) PUT /pool_patch_upload needs sr_id (import_raw_vdi.ml, v1.14.61);
            # 7.2+ (CA-249662) falls back to pool.default_SR
            "upload_needs_sr": self.api < (2, 7),
            "migrate_seconds": 0,          # VM.pool_migrate duration (lock released)
            "apply_fail_on": [],           # hosts (name_label) on which every apply fails
            # what xen itself takes besides dom0 and the guests (host_metrics.memory_free)
            "host_memory_overhead": 134217728,
        }
        self.opts.update(sc.get("options", {}))
        for k in list(self.opts):
            if k in sc:
                self.opts[k] = sc[k]
        self.users = sc.get("users", {"root": "xenroot"})
        self.fields = parse_field_spec(self.api)
        if self.mode != "pool_update":
            del self.fields["pool_update"]
        self.addr = {}                                  # address -> host ref
        names = {}
        for i, hs in enumerate(hosts):
            href, mref = new_ref(), new_ref()
            name = hs["name_label"]
            addr = hs.get("address", "127.0.0.%d" % (i + 1))
            if not addr.startswith("127."):
                raise SystemExit("host %s: address %s is not in 127.0.0.0/8" % (name, addr))
            g = lambda k, d: hs.get(k, sc.get(k, d))
            pv, bn = g("product_version", "5.6.100"), g("build_number", "39265p")
            sv = {"product_version": pv, "build_number": bn, "product_brand": "XenServer",
                  "xapi": "1.3", "xen": "3.4.2", "hostname": name, "date": "2010-12-01",
                  "linux": "2.6.32.12-0.7.1.xs%s.170596xen" % pv, "dbv": "2010.0521"}
            sv.update(hs.get("software_version", {}))
            oc = {"boot_time": ocaml_float(now - 86400), "agent_start_time": ocaml_float(now - 86300)}
            oc.update(hs.get("other_config", {}))
            dom0 = self.add_vm({"name_label": "Control domain on host: " + name,
                                "is_control_domain": True, "power_state": "Running",
                                "memory": int(hs.get("dom0_memory", 790626304)),
                                "other_config": {}}, href)
            self.db["host_metrics"][mref] = {
                "uuid": new_uuid(), "live": bool(hs.get("live", True)),
                "memory_total": int(hs.get("memory_total", 34359738368)), "memory_free": 0,
                "last_updated": DateTime(now), "other_config": {}}
            self.db["host"][href] = {
                "uuid": hs.get("uuid", new_uuid()), "name_label": name,
                "name_description": hs.get("name_description", "Default install of XenServer"),
                "address": addr, "hostname": hs.get("hostname", name),
                "enabled": bool(hs.get("enabled", True)), "metrics": mref,
                "software_version": sv,
                "API_version_major": int(g("API_version_major", 1)),
                "API_version_minor": int(g("API_version_minor", 8)),
                "API_version_vendor": "XenSource", "other_config": oc,
                "memory_overhead": 0, "control_domain": dom0, "updates_requiring_reboot": [],
                "_reboot_seconds": float(hs.get("reboot_seconds", 2)),
                "_agent_restart_seconds": float(hs.get("agent_restart_seconds", 0.5)),
                "_enable_delay": float(hs.get("enable_delay", 0)),
                "_never_comes_back": bool(hs.get("never_comes_back", False)),
                "_patch_space_free": int(hs.get("patch_space_free", 10 << 30)),
            }
            self.addr[addr] = href
            names[name] = href
        self.host_by_name = names
        self.master = names[master_name]
        ps = sc.get("pool", {})
        srs = {}
        for ss in sc.get("srs", []):
            sref = new_ref()
            self.db["SR"][sref] = {
                "uuid": ss.get("uuid", new_uuid()), "name_label": ss["name_label"],
                "name_description": ss.get("name_description", ""), "type": ss.get("type", "nfs"),
                "content_type": ss.get("content_type", "user"), "shared": bool(ss.get("shared", False)),
                "other_config": {},
                # a local (unshared) SR is plugged on one host only
                "_host": names.get(ss.get("host")) if not ss.get("shared") else None}
            srs[ss["name_label"]] = sref
        dsr = ps.get("default_SR")
        self.db["pool"][new_ref()] = {
            "uuid": ps.get("uuid", new_uuid()), "name_label": ps.get("name_label", ""),
            "name_description": ps.get("name_description", ""), "master": self.master,
            "default_SR": srs[dsr] if dsr in srs else new_ref() if dsr == "dangling" else NULL,
            "ha_enabled": False, "other_config": ps.get("other_config", {})}
        for vs in sc.get("vms", []):
            self.add_vm(vs, names.get(vs.get("resident_on")))
        for p in sc.get("patches", []):
            pref = self.add_patch(p, p.get("size", 1048576))
            for hn in p.get("applied_on", []):
                ts = DateTime.parse(p["timestamp_applied"]) if "timestamp_applied" in p \
                    else DateTime(now - 3600)
                self.mark_applied(pref, names[hn], ts)

    def add_vm(self, vs, host):
        ref = new_ref()
        ps = vs.get("power_state", "Running" if host else "Halted")
        running = ps in ("Running", "Paused")
        rec = {"uuid": vs.get("uuid", new_uuid()), "name_label": vs["name_label"],
               "name_description": vs.get("name_description", ""), "power_state": ps,
               "resident_on": host if running and host else NULL, "affinity": NULL,
               "is_control_domain": bool(vs.get("is_control_domain", False)),
               "is_a_template": bool(vs.get("is_a_template", False)),
               "is_a_snapshot": bool(vs.get("is_a_snapshot", False)), "snapshot_of": NULL,
               "domid": (0 if vs.get("is_control_domain") else 1 + len(self.db["VM"])) if running else -1,
               "guest_metrics": NULL, "other_config": dict(vs.get("other_config", {})),
               "HVM_boot_policy": "BIOS order" if vs.get("hvm") else "",
               "PV_bootloader": "" if vs.get("hvm") else "pygrub",
               "VCPUs_max": 1}
        # memory: static_max = dynamic_max = target (CloudStack 2.2/3.0 start VMs with
        # fixed memory: CitrixResourceBase.createVmFromTemplate sets static_min = dynamic_min
        # = dynamic_max = static_max = the offering's ram_size)
        mem = int(vs.get("memory", 1 << 30))
        for k in ("memory_static_max", "memory_static_min", "memory_dynamic_max",
                  "memory_dynamic_min", "memory_target"):
            rec[k] = int(vs.get(k, mem))
        self.db["VM"][ref] = rec
        self.set_guest_metrics(ref, vs.get("guest_metrics"))
        return ref

    def set_guest_metrics(self, vref, gm):
        """gm: None (no metrics, NULL ref), "dangling" (ref to nothing) or a dict."""
        vm = self.db["VM"][vref]
        old = vm["guest_metrics"]
        if gm is None:
            self.db["VM_guest_metrics"].pop(old, None)
            vm["guest_metrics"] = NULL
            return
        if gm == "dangling":
            self.db["VM_guest_metrics"].pop(old, None)
            vm["guest_metrics"] = new_ref()
            return
        rec = self.db["VM_guest_metrics"].get(old)
        if rec is None:
            old = new_ref()
            rec = {"uuid": new_uuid(), "os_version": {}, "PV_drivers_version": {},
                   "PV_drivers_up_to_date": False, "memory": {}, "disks": {}, "networks": {},
                   "other": {}, "last_updated": DateTime(time.time()), "other_config": {},
                   "live": True, "can_use_hotplug_vbd": "unspecified",
                   "can_use_hotplug_vif": "unspecified", "PV_drivers_detected": False}
            self.db["VM_guest_metrics"][old] = rec
            vm["guest_metrics"] = old
        for k, v in gm.items():
            rec[k] = v

    def add_patch(self, p, size):
        """A pool_patch (and, in pool_update mode, its pool_update)."""
        pref = new_ref()
        aag = p.get("after_apply_guidance", [])
        if isinstance(aag, str):
            aag = aag.split()
        rec = {"uuid": p["uuid"].lower(), "name_label": p.get("name_label", ""),
               "name_description": p.get("name_description", ""),
               "version": str(p.get("version", "1.0")), "size": int(size),
               "pool_applied": False, "after_apply_guidance": aag,
               "other_config": {}, "pool_update": NULL,
               # simulation knobs (private: "_" fields never go on the wire)
               "_requires": [u.lower() for u in p.get("requires", [])],
               "_product_version": p.get("product_version"),
               "_requires_no_vms": bool(p.get("requires_no_vms", False)),
               "_required_space": int(p.get("required_space", 0)),
               "_precheck_error": p.get("precheck_error"),
               "_precheck_output": p.get("precheck_output", ""),
               "_apply_fail": p.get("apply_fail"),
               "_apply_fail_on": list(p.get("apply_fail_on", [])),
               "_apply_output": p.get("apply_output", "Installing %s ... done\n" % p.get("name_label", "")),
               "_apply_seconds": p.get("apply_seconds"),
               "_fetch_fails": bool(p.get("fetch_fails", False)),
               # Hosts whose /var/patch holds the file named by pool_patch.filename
               # (before 7.1 the upload writes it on the master only: NOTES §10)
               "_files": ({self.master} if p.get("file_present", True) else set())
                         if not p.get("files") else {self.host_by_name[h] for h in p["files"]}}
        self.db["pool_patch"][pref] = rec
        if self.mode == "pool_update":
            uref = new_ref()
            self.db["pool_update"][uref] = {
                "uuid": rec["uuid"], "name_label": rec["name_label"],
                "name_description": rec["name_description"], "version": rec["version"],
                "installation_size": int(size), "key": "Citrix", "after_apply_guidance": aag,
                "vdi": new_ref(), "hosts": [], "other_config": {}, "enforce_homogeneity": False,
                "_patch": pref}
            rec["pool_update"] = uref
        return pref

    def mark_applied(self, pref, href, ts, applied=True):
        """host_patch record as pool_patch.apply writes it (NOTES §2.1);
        applied=False while an apply is in progress."""
        hp = new_ref()
        self.db["host_patch"][hp] = {
            "uuid": new_uuid(), "name_label": "", "name_description": "", "version": "",
            "host": href, "applied": applied, "timestamp_applied": ts, "size": 0,
            "pool_patch": pref, "other_config": {}}
        u = self.db["pool_patch"][pref]["pool_update"]
        if applied and u in self.db["pool_update"] and href not in self.db["pool_update"][u]["hosts"]:
            self.db["pool_update"][u]["hosts"].append(href)
        return hp

    # ---- record access -------------------------------------------------
    def get(self, cls, ref):
        try:
            return self.db[cls][ref]
        except KeyError:
            raise XapiError("HANDLE_INVALID", cls, ref)

    def derived(self, cls, ref, rec):
        if cls == "host":
            return {"resident_VMs": [v for v, r in self.db["VM"].items() if r["resident_on"] == ref],
                    "patches": [h for h, r in self.db["host_patch"].items() if r["host"] == ref],
                    "updates": [u for u, r in self.db["pool_update"].items() if ref in r["hosts"]]}
        if cls == "host_metrics":
            return {"memory_free": self.memory_free(ref)}
        if cls == "pool_patch":
            return {"host_patches": [h for h, r in self.db["host_patch"].items() if r["pool_patch"] == ref]}
        return {}

    def record(self, cls, ref):
        rec = dict(self.get(cls, ref))
        rec.update(self.derived(cls, ref, rec))
        return {f: rec[f] for f in self.fields[cls] if f in rec}

    def by_uuid(self, cls, u):
        for ref, r in self.db[cls].items():
            if r["uuid"] == u:
                return ref
        raise XapiError("UUID_INVALID", cls, u)

    # ---- memory (host_metrics.memory_free moves as VMs start, stop and migrate) ----
    def host_of_metrics(self, mref):
        return next((h for h, r in self.db["host"].items() if r["metrics"] == mref), None)

    def memory_free(self, mref, exclude=None):
        """memory_total less xen's own overhead, the control domain and every guest
        resident on the host (memory_target; a VM being migrated in counts on its
        destination from the start: xapi reserves it there first)."""
        m = self.db["host_metrics"][mref]
        href = self.host_of_metrics(mref)
        used = sum(int(v["memory_target"]) for r, v in self.db["VM"].items()
                   if r != exclude and v["power_state"] in ("Running", "Paused")
                   and (v["resident_on"] == href or v.get("_migrating_to") == href))
        return int(m["memory_total"]) - int(self.opts["host_memory_overhead"]) - used

    def refresh_memory(self):
        for mref, m in self.db["host_metrics"].items():
            m["memory_free"] = self.memory_free(mref)

    def assert_enough_memory(self, vref, href):
        """Xapi_vm_helpers.assert_enough_memory_available (xen-api 1.9.0, ~436):
        HOST_NOT_ENOUGH_FREE_MEMORY [needed; available] in bytes, needed the VM's start
        memory (static max with fixed memory), available the host's free memory not
        counting the VM itself (host_compute_free_memory_with_maximum_compression
        ~host (Some self))."""
        vm = self.db["VM"][vref]
        need = int(vm["memory_static_max"])
        free = self.memory_free(self.db["host"][href]["metrics"], exclude=vref)
        if free < need:
            raise XapiError("HOST_NOT_ENOUGH_FREE_MEMORY", str(need), str(free))

    def host_is_down(self, href):
        return href in self.down

    def running_guests(self, href):
        return [v for v, r in self.db["VM"].items() if r["resident_on"] == href
                and r["power_state"] in ("Running", "Paused") and not r["is_control_domain"]]

    def drop_sessions_and_tasks(self):
        """Sessions and tasks are PersistNothing: lost when xapi restarts (NOTES §1.4, §6)."""
        self.sessions.clear()
        for t in self.db["task"].values():
            t["_gone"] = True
        self.db["task"].clear()

    # ---- message lookup -------------------------------------------------
    def lookup(self, method):
        if method in ACTIONS:
            params, f, async_ok, login, optional = ACTIONS[method]
            cls = method.split(".")[0]
            if cls in self.fields or cls == "session":
                if login:
                    optional = self.opts["login_max_args"] - 2
                    params = params[:self.opts["login_max_args"]]
                return Spec(method, params, lambda ctx, *a: f(self, ctx, *a), async_ok, login, optional)
        if method.startswith("Async."):
            inner = self.lookup(method[6:])
            if inner.async_ok:
                return Spec(method, [":".join(p) for p in inner.params],
                            lambda ctx, *a: self.start_task(ctx, inner, a), False)
            raise XapiError("MESSAGE_METHOD_UNKNOWN", method)
        cls, _, msg = method.partition(".")
        fields = self.fields.get(cls)
        if fields is None:
            raise XapiError("MESSAGE_METHOD_UNKNOWN", method)
        # Generated messages every class gets (NOTES §1.3)
        if msg == "get_all":
            return Spec(method, [], lambda ctx: list(self.db[cls]), False)
        if msg == "get_all_records":
            return Spec(method, [], lambda ctx: {r: self.record(cls, r) for r in self.db[cls]}, False)
        if msg == "get_record":
            return Spec(method, ["self"], lambda ctx, r: self.record(cls, r), False)
        if msg == "get_by_uuid":
            return Spec(method, ["uuid"], lambda ctx, u: self.by_uuid(cls, u), False)
        if msg == "get_by_name_label" and cls in NAMED:
            return Spec(method, ["label"], lambda ctx, n: [
                r for r, x in self.db[cls].items() if x.get("name_label") == n], False)
        if msg.startswith("get_") and msg[4:] in fields:
            return Spec(method, ["self"], lambda ctx, r: self.record(cls, r)[msg[4:]], False)
        if "other_config" in fields:
            oc = lambda r: self.get(cls, r)["other_config"]
            if msg == "add_to_other_config":
                return Spec(method, ["self", "key", "value"],
                            lambda ctx, r, k, v: oc(r).__setitem__(k, v), False)
            if msg == "remove_from_other_config":
                return Spec(method, ["self", "key"], lambda ctx, r, k: oc(r).pop(k, None) and None, False)
            if msg == "set_other_config":
                return Spec(method, ["self", "value:map"],
                            lambda ctx, r, m: self.get(cls, r).__setitem__("other_config", dict(m)), False)
        raise XapiError("MESSAGE_METHOD_UNKNOWN", method)

    @staticmethod
    def check_types(spec, params):
        """Type rules of a 5.6 server (NOTES §1.3): int64 must come as a string,
        bools only as <boolean>; anything else is FIELD_TYPE_ERROR [field]."""
        names = ([] if spec.login else [("session_id", "string")]) + spec.params
        for (name, typ), v in zip(names, params):
            if typ == "bool":
                ok = isinstance(v, bool)
            elif typ == "int":
                ok = isinstance(v, str) and re.fullmatch(r"-?\d+", v) is not None
            elif typ == "map":
                ok = isinstance(v, dict)
            elif typ == "set":
                ok = isinstance(v, list)
            else:
                ok = isinstance(v, str)
            if not ok:
                raise XapiError("FIELD_TYPE_ERROR", name)

    def dispatch(self, addr, method, params):
        """Run one XML-RPC call under the state lock; return the value or raise."""
        href = self.addr[addr]
        spec = self.lookup(method)
        n = len(params)
        if not spec.min_args <= n <= spec.max_args:
            raise XapiError("MESSAGE_PARAMETER_COUNT_MISMATCH", method, spec.max_args, n)
        self.check_types(spec, params)
        if spec.login:
            return spec.fn(Ctx(href), *params)
        sess = params[0]
        idle = float(self.opts["session_timeout"])
        if idle and sess in self.sessions and time.time() - self.sessions[sess]["last_active"] > idle:
            del self.sessions[sess]                  # db_gc destroys idle sessions (NOTES §1.4)
        if sess not in self.sessions:
            raise XapiError("SESSION_INVALID", sess)
        if href != self.master:                      # NOTES §1.4 HOST_IS_SLAVE
            raise XapiError("HOST_IS_SLAVE", self.db["host"][self.master]["address"])
        self.sessions[sess]["last_active"] = time.time()
        return spec.fn(Ctx(href, sess), *params[1:])

    # ---- tasks (NOTES §6) ------------------------------------------------
    def new_task(self, label, description="", ctx=None):
        ref = new_ref()
        self.db["task"][ref] = {
            "uuid": new_uuid(), "name_label": label, "name_description": description,
            "allowed_operations": [], "current_operations": {}, "created": DateTime(time.time()),
            "finished": DateTime(0), "status": "pending", "resident_on": self.master,
            "progress": 0.0, "type": "<none/>", "result": "", "error_info": [],
            "other_config": {}, "subtask_of": NULL, "subtasks": [], "backtrace": "()",
            "_busy": False}
        return ref

    def finish_task(self, tref, result=None, error=None):
        t = self.db["task"].get(tref)
        if t is None:                                 # destroyed, or lost at a restart
            return
        t["finished"] = DateTime(time.time())
        if error is not None:
            t["status"] = "cancelled" if error[0] == "TASK_CANCELLED" else "failure"
            t["error_info"] = list(error)
        else:
            t["status"], t["progress"], t["result"] = "success", 1.0, result or ""
        t["_busy"] = False

    def start_task(self, ctx, spec, args):
        tref = self.new_task("Async." + spec.name)
        self.db["task"][tref]["_busy"] = True
        tctx = Ctx(ctx.host, ctx.session, tref)

        def run():
            with self.lock:
                try:
                    fault = self.take_fault(spec.name, None, error_only=True)
                    if fault:
                        raise XapiError(*fault["error"])
                    v = spec.fn(tctx, *args)
                    # Async results are an XML-RPC <value> fragment; void is "" (NOTES §6)
                    self.finish_task(tref, "" if v is None else self.codec().value(v))
                except XapiError as e:
                    self.finish_task(tref, error=e.desc)
        threading.Thread(target=run, daemon=True).start()
        return tref

    def sleep(self, seconds, ctx):
        """Sleep with the state lock released; honour task.cancel."""
        end = time.time() + seconds
        while True:
            t = self.db["task"].get(ctx.task) if ctx.task else None
            if t is not None and t["status"] == "cancelling":
                raise XapiError("TASK_CANCELLED", ctx.task)
            left = end - time.time()
            if left <= 0:
                return
            self.lock.release()
            try:
                time.sleep(min(left, 0.05))
            finally:
                self.lock.acquire()

    def codec(self):
        o = self.opts
        return Codec(o["empty_value_style"], o["datetime_z"], o["xml_whitespace"])

    # ---- faults ------------------------------------------------------------
    def take_fault(self, method, addr, error_only=False):
        for f in self.faults:
            if f["method"] not in (method, "*") or (error_only and "error" not in f):
                continue
            if f.get("host") and addr and f["host"] not in (addr, self.db["host"][self.addr[addr]]["name_label"]):
                continue
            if f.get("skip", 0) > 0:
                f["skip"] -= 1
                continue
            f["count"] -= 1
            if f["count"] == 0:
                self.faults.remove(f)
            return dict(f)
        return None

    # ---- hosts going down (reboot, agent restart) ----------------------------
    def restart_host(self, href, reboot, delay=None):
        """Host goes away after a delay, stays down, then comes back (NOTES §4)."""
        def run():
            time.sleep(self.opts["shutdown_delay"] if delay is None else delay)
            with self.lock:
                h = self.db["host"][href]
                self.down.add(href)
                if reboot:
                    self.db["host_metrics"][h["metrics"]]["live"] = False
                if href == self.master:
                    self.drop_sessions_and_tasks()
                down_for = h["_reboot_seconds"] if reboot else h["_agent_restart_seconds"]
                never = h["_never_comes_back"]
                log("host %s down (%s)%s" % (h["name_label"], "reboot" if reboot else "agent restart",
                                              ", never comes back" if never else ""))
            if never:
                return
            time.sleep(down_for)
            with self.lock:
                self.host_up(href, reboot)
                enable_delay = h["_enable_delay"]
            if reboot:
                time.sleep(enable_delay)
                with self.lock:
                    h["enabled"] = True          # xapi re-enables the host itself (NOTES §4)
        threading.Thread(target=run, daemon=True).start()

    def host_up(self, href, reboot):
        h = self.db["host"][href]
        oc = h["other_config"]
        now = int(time.time())
        if reboot:
            bt = max(now, int(float(oc.get("boot_time", "0"))) + 1)
            oc["boot_time"] = ocaml_float(bt)
            self.db["host_metrics"][h["metrics"]]["live"] = True
            if h["_enable_delay"] <= 0:
                h["enabled"] = True
        oc["agent_start_time"] = ocaml_float(max(now, int(float(oc.get("agent_start_time", "0"))) + 1))
        self.down.discard(href)
        log("host %s up" % h["name_label"])

    def assert_live(self, href):
        self.get("host", href)
        if href in self.down:
            raise XapiError("HOST_OFFLINE", href)

    def upload_sr_error(self, sr_id, sr_uuid):
        """7.1+ upload = Import_raw_vdi.localhost_handler (v1.14.61 ~61-72): the SR comes
        from sr_id (a ref, not checked until VDI.create) or sr_uuid (looked up: UUID_INVALID);
        none at all is INTERNAL_ERROR "Not enough info supplied to import" with HTTP 400
        (7.2+, CA-249662: pool.default_SR first).  Returns (error, http status) or (None, 0)."""
        if sr_uuid is not None and sr_id is None:
            try:
                sr_id = self.by_uuid("SR", sr_uuid)
            except XapiError as e:
                return e.desc, 500
        if sr_id is None and not self.opts["upload_needs_sr"]:
            d = self.db["pool"][next(iter(self.db["pool"]))]["default_SR"]
            sr_id = d if d != NULL else None
        if sr_id is None:
            return ["INTERNAL_ERROR", "Not enough info supplied to import"], 400
        sr = self.db["SR"].get(sr_id)
        if sr is None:                         # VDI.create ~sR:<bad ref>
            return ["HANDLE_INVALID", "SR", sr_id], 500
        if not sr["shared"] and sr["_host"] != self.master:
            # the master cannot attach a VDI of a local SR of another host (simulated)
            return ["INTERNAL_ERROR", "SR %s is not attached to the master" % sr["uuid"]], 500
        return None, 0

    # ---- master change (pool.designate_new_master) ------------------------------
    def switch_master(self, new, seconds=None):
        """pool.designate_new_master as CloudStack's switchMaster calls it (NOTES §10;
        xen-api xapi_pool_transition.ml at v1.14.61): a two-phase commit, then every host
        points pool.conf at the new master and restarts xapi (Xapi_fuse.light_fuse_and_run).
        Sessions and tasks are PersistNothing (datamodel.ml: session ~persist:PersistNothing),
        so none survives, on the old master or the new one: an old session gets
        SESSION_INVALID everywhere; the old master answers logins (and calls with a new
        session) HOST_IS_SLAVE [new master address].  Every host is unreachable while its
        xapi restarts and comes back with a new agent_start_time."""
        if new == self.master:
            raise ValueError("%s is the master already" % self.db["host"][new]["name_label"])
        self.assert_live(new)
        old = self.master
        down_for = float(self.opts["master_switch_seconds"] if seconds is None else seconds)
        self.master = new
        for pool in self.db["pool"].values():
            pool["master"] = new
        self.drop_sessions_and_tasks()
        for t in self.db["task"].values():
            t["resident_on"] = new
        hosts = [h for h in self.db["host"] if h not in self.down]
        try:
            path = os.path.join(self.state_dir, "master")
            with open(path + ".tmp", "w") as f:
                f.write(self.db["host"][new]["address"] + "\n")
            os.rename(path + ".tmp", path)
        except OSError as e:
            log("cannot write %s: %s" % (path, e))
        log("master %s -> %s (xapi restarts on %d hosts for %.1fs)" % (
            self.db["host"][old]["name_label"], self.db["host"][new]["name_label"],
            len(hosts), down_for))
        if down_for <= 0:
            for h in hosts:
                self.host_up(h, reboot=False)
            return
        self.down.update(hosts)

        def run():
            time.sleep(down_for)
            with self.lock:
                for h in hosts:
                    self.host_up(h, reboot=False)
        threading.Thread(target=run, daemon=True).start()

    # ---- hotfix logic (NOTES §2.3, §3) ---------------------------------------
    def is_applied(self, pref, href):
        return any(r["pool_patch"] == pref and r["host"] == href and r["applied"]
                   for r in self.db["host_patch"].values())

    def get_patch_to_local(self, pref, href):
        """Xapi_pool_patch.get_patch_to_local + execute_patch (28c904dfb5, ~337-399, ~120):
        on a slave the file is fetched from the *current* master's /pool_patch_download:
        CANNOT_FIND_PATCH [] when the master has no file, CANNOT_FETCH_PATCH [uuid] when
        the transfer fails otherwise; on the master the file must be in its /var/patch."""
        p = self.db["pool_patch"][pref]
        if href != self.master:
            if p["_fetch_fails"]:
                raise XapiError("CANNOT_FETCH_PATCH", p["uuid"])
            if self.master not in p["_files"]:
                raise XapiError("CANNOT_FIND_PATCH")
            p["_files"].add(href)
        elif href not in p["_files"]:
            raise XapiError("CANNOT_FIND_PATCH")

    def precheck(self, pref, href, kind, obj_ref, fetch=False):
        """Shared precheck; kind is "PATCH" or "UPDATE"; obj_ref goes in the error.
        fetch: the pool_patch.precheck entry point (5.6 to 7.0): fetch the file first and
        unlink a slave's copy afterwards (the finally in Xapi_pool_patch.precheck)."""
        p = self.db["pool_patch"][pref]
        if fetch:
            self.get_patch_to_local(pref, href)
            try:
                return self.precheck(pref, href, kind, obj_ref)
            finally:
                if href != self.master:
                    p["_files"].discard(href)
        self.assert_live(href)
        h = self.db["host"][href]
        pre = kind + "_PRECHECK_FAILED_"
        req, found = p["_product_version"], h["software_version"].get("product_version", "")
        if req and not (re.fullmatch(req.strip("^$"), found) if req.startswith("^") else req == found):
            raise XapiError(pre + "WRONG_SERVER_VERSION", obj_ref, found, req)
        by_uuid = {r["uuid"]: x for x, r in self.db["pool_patch"].items()}
        missing = [u for u in p["_requires"] if u not in by_uuid or not self.is_applied(by_uuid[u], href)]
        if missing:
            raise XapiError(pre + "PREREQUISITE_MISSING", obj_ref, ";".join(missing))
        if kind == "PATCH" and p["_requires_no_vms"] and self.running_guests(href):
            raise XapiError(pre + "VM_RUNNING", obj_ref)
        if p["_required_space"] > h["_patch_space_free"]:
            raise XapiError(pre + "OUT_OF_SPACE", obj_ref, h["_patch_space_free"], p["_required_space"])
        if p["_precheck_error"]:
            raise XapiError(pre + "UNKNOWN_ERROR", obj_ref, p["_precheck_error"])
        return p["_precheck_output"]

    def apply(self, pref, href, ctx, kind, obj_ref):
        p = self.db["pool_patch"][pref]
        self.get("host", href)
        for r in self.db["host_patch"].values():
            if r["pool_patch"] == pref and r["host"] == href:
                if r["applied"]:
                    raise XapiError(kind + "_ALREADY_APPLIED", obj_ref)
                raise XapiError("OTHER_OPERATION_IN_PROGRESS", "Pool_patch", obj_ref, "apply")
        if kind == "PATCH":
            self.get_patch_to_local(pref, href)      # file stays on a slave after apply
        elif not p["_files"]:
            raise XapiError("CANNOT_FIND_UPDATE")
        self.precheck(pref, href, kind, obj_ref)
        hp = self.mark_applied(pref, href, DateTime(time.time()), applied=False)
        secs = p["_apply_seconds"] if p["_apply_seconds"] is not None else self.opts["apply_seconds"]
        try:
            for i in range(10):
                self.sleep(float(secs) / 10, ctx)
                if ctx.task in self.db["task"]:
                    self.db["task"][ctx.task]["progress"] = (i + 1) / 10.0
        except XapiError:
            self.db["host_patch"].pop(hp, None)
            raise
        hn = self.db["host"][href]["name_label"]
        fail = p["_apply_fail"] or (
            "simulated failure on %s" % hn if hn in (p.get("_apply_fail_on") or [])
            or hn in (self.opts.get("apply_fail_on") or []) else None)
        if fail:
            self.db["host_patch"].pop(hp, None)
            raise XapiError(kind + "_APPLY_FAILED", fail)
        rec = self.db["host_patch"].get(hp)
        if rec:
            rec["applied"], rec["timestamp_applied"] = True, DateTime(time.time())
        u = p["pool_update"]
        if u in self.db["pool_update"] and href not in self.db["pool_update"][u]["hosts"]:
            self.db["pool_update"][u]["hosts"].append(href)
        if "restartHost" in p["after_apply_guidance"] and p["pool_update"] != NULL:
            self.db["host"][href]["updates_requiring_reboot"].append(p["pool_update"])
        return p["_apply_output"]

    def create_uploaded_patch(self, meta, size):
        u = meta["uuid"]
        for pref, r in self.db["pool_patch"].items():
            if r["uuid"] == u:
                # Uniqueness_constraint_violation: if the file named by the record is not
                # on this master (cleaned, or uploaded to an earlier master), the new file
                # takes its place and the existing ref is the result (8fd5b05b8b ~235-253)
                present = self.master in r["_files"] if self.mode == "pool_patch" else r["_files"]
                if not present:
                    r["_files"] = {self.master}
                    r["size"] = int(size)
                    return pref
                raise XapiError("PATCH_ALREADY_EXISTS" if self.mode == "pool_patch"
                                else "UPDATE_ALREADY_EXISTS", u)
        return self.add_patch(meta, size)

    # ---- recorded calls ----------------------------------------------------
    def record_call(self, addr, method, params):
        p = list(params)
        if method.endswith("session.login_with_password"):
            if len(p) > 1:
                p[1] = "<password>"
        elif p:
            p[0] = "<session>"
        self.calls.append({"t": round(time.time(), 3), "host": addr, "method": method,
                           "params": p})
        return self.calls[-1]

    def state_json(self):
        self.refresh_memory()
        return {"api": "%d.%d" % self.api, "mode": self.mode, "master": self.master,
                "db": self.db, "open_sessions": len(self.sessions), "stats": self.stats,
                "down": sorted(self.down), "faults": self.faults, "options": self.opts,
                "uploads": self.uploads}


# --------------------------------------------------------------------------
# Messages (everything that is not a generated getter)
# --------------------------------------------------------------------------

@xapi("session.login_with_password", "uname pwd version originator", async_ok=False, login=True)
def _login(sim, ctx, uname, pwd, version="1.1", originator=""):
    # NOTES §1.4: 5.6 accepts 2-3 args, clearwater+ 2-4 (login_max_args).
    if sim.users.get(uname) != pwd:
        sim.sleep(float(sim.opts["auth_fail_delay"]), ctx)
        raise XapiError("SESSION_AUTHENTICATION_FAILED", uname, "Authentication failure")
    if ctx.host != sim.master:
        raise XapiError("HOST_IS_SLAVE", sim.db["host"][sim.master]["address"])
    ref = new_ref()
    sim.sessions[ref] = {"user": uname, "version": version, "originator": originator,
                         "created": time.time(), "last_active": time.time()}
    sim.stats["logins"] += 1
    sim.stats["max_open_sessions"] = max(sim.stats["max_open_sessions"], len(sim.sessions))
    return ref


@xapi("session.logout", "", async_ok=False)
def _logout(sim, ctx):
    sim.sessions.pop(ctx.session, None)
    sim.stats["logouts"] += 1


@xapi("session.get_this_host", "self", async_ok=False)
def _this_host(sim, ctx, s):
    if s not in sim.sessions:
        raise XapiError("SESSION_INVALID", s)
    return sim.master


@xapi("task.create", "label description", async_ok=False)
def _task_create(sim, ctx, label, description):
    return sim.new_task(label, description)


@xapi("task.destroy", "self", async_ok=False)
def _task_destroy(sim, ctx, t):
    sim.get("task", t)
    del sim.db["task"][t]


@xapi("task.cancel", "task", async_ok=False)
def _task_cancel(sim, ctx, t):
    rec = sim.get("task", t)
    if rec["status"] == "pending":
        if rec["_busy"]:
            rec["status"] = "cancelling"
        else:
            sim.finish_task(t, error=["TASK_CANCELLED", t])


@xapi("host.enable", "host")
def _host_enable(sim, ctx, h):
    sim.assert_live(h)
    sim.db["host"][h]["enabled"] = True


@xapi("host.disable", "host")
def _host_disable(sim, ctx, h):
    sim.assert_live(h)
    sim.db["host"][h]["enabled"] = False


@xapi("host.reboot", "host")
def _host_reboot(sim, ctx, h):
    # assert_bacon_mode (NOTES §4): disabled, and no running guest
    sim.assert_live(h)
    if sim.db["host"][h]["enabled"]:
        raise XapiError("HOST_NOT_DISABLED")
    guests = sim.running_guests(h)
    if guests:
        raise XapiError("HOST_IN_USE", h, "vm", guests[0])
    sim.restart_host(h, reboot=True)


@xapi("host.restart_agent", "host")
def _host_restart_agent(sim, ctx, h):
    sim.assert_live(h)
    sim.restart_host(h, reboot=False)


@xapi("host.evacuate", "host")
def _host_evacuate(sim, ctx, h):
    sim.assert_live(h)
    targets = [x for x, r in sim.db["host"].items() if x != h and r["enabled"] and x not in sim.down]
    for i, v in enumerate(sim.running_guests(h)):
        if not targets:
            raise XapiError("NO_HOSTS_AVAILABLE")
        _vm_pool_migrate(sim, ctx, v, targets[i % len(targets)], {"live": "true"})


@xapi("VM.pool_migrate", "vm host options:map")
def _vm_pool_migrate(sim, ctx, v, h, options, memory_only=False):
    """memory_only: the management-server simulator's call (control pool_migrate),
    which checks liveness and PV drivers itself: only the memory check and the time."""
    vm = sim.get("VM", v)
    if memory_only:
        if vm["resident_on"] != h:
            sim.assert_enough_memory(v, h)
            vm["_migrating_to"] = h
            try:
                sim.sleep(float(sim.opts["migrate_seconds"]), ctx)
                vm["resident_on"] = h
            finally:
                vm.pop("_migrating_to", None)
        return
    sim.assert_live(h)
    if vm["power_state"] != "Running":
        raise XapiError("VM_BAD_POWER_STATE", v, "Running", vm["power_state"].lower())
    gm = sim.db["VM_guest_metrics"].get(vm["guest_metrics"])
    pvd = gm["PV_drivers_version"] if gm else {}
    # 5.6: every guest needs PV drivers (NOTES §5).  6.5+ (API 2.3): a guest that did not
    # boot HVM migrates implicitly (xen-api xapi_vm_lifecycle.ml check_op_for_feature,
    # commit 1e7202a6b6, v1.9.58); only HVM guests need the drivers.
    pv_guest = sim.api >= (2, 3) and vm["HVM_boot_policy"] == ""
    if not pv_guest and ("major" not in pvd or "minor" not in pvd):
        raise XapiError("VM_MISSING_PV_DRIVERS", v)
    if vm["resident_on"] == h:
        return
    sim.assert_enough_memory(v, h)
    # the migration takes migrate_seconds: the VM stays resident on its source, its memory
    # is already taken on the destination; the state lock is released meanwhile
    vm["_migrating_to"] = h
    try:
        sim.sleep(float(sim.opts["migrate_seconds"]), ctx)
        sim.assert_live(h)
        if vm["power_state"] != "Running":
            raise XapiError("VM_BAD_POWER_STATE", v, "Running", vm["power_state"].lower())
        vm["resident_on"] = h
    finally:
        vm.pop("_migrating_to", None)


@xapi("VM.start_on", "vm host start_paused:bool force:bool")
def _vm_start_on(sim, ctx, v, h, start_paused, force, memory_only=False):
    """VM.start_on: assert_can_boot_here (memory), then Running on the host.
    memory_only: the management-server simulator's call (control start_on)."""
    vm = sim.get("VM", v)
    if not memory_only:
        sim.assert_live(h)
        if vm["power_state"] != "Halted":
            raise XapiError("VM_BAD_POWER_STATE", v, "Halted", vm["power_state"].lower())
    sim.assert_enough_memory(v, h)
    vm["power_state"], vm["resident_on"] = ("Paused" if start_paused else "Running"), h
    vm["domid"] = 1 + len(sim.db["VM"])


def _patch_and_host(sim, p, h):
    sim.get("pool_patch", p)
    sim.get("host", h)


@xapi("pool_patch.precheck", "self host")
def _pp_precheck(sim, ctx, p, h):
    _patch_and_host(sim, p, h)
    if sim.mode == "pool_update":                 # forwards to pool_update, returns "" (NOTES §2.4)
        sim.precheck(p, h, "UPDATE", sim.db["pool_patch"][p]["pool_update"])
        return ""
    return sim.precheck(p, h, "PATCH", p, fetch=True)


@xapi("pool_patch.apply", "self host")
def _pp_apply(sim, ctx, p, h):
    _patch_and_host(sim, p, h)
    if sim.mode == "pool_update":
        sim.apply(p, h, ctx, "UPDATE", sim.db["pool_patch"][p]["pool_update"])
        return ""
    return sim.apply(p, h, ctx, "PATCH", p)


@xapi("pool_patch.pool_apply", "self")
def _pp_pool_apply(sim, ctx, p):
    for h in list(sim.db["host"]):
        if not sim.is_applied(p, h):
            _pp_apply(sim, ctx, p, h)
    sim.db["pool_patch"][p]["pool_applied"] = True


@xapi("pool_patch.clean", "self")
def _pp_clean(sim, ctx, p):
    # unlinks the file on the host that runs it: the master (xapi_pool_patch.ml clean)
    rec = sim.get("pool_patch", p)
    if sim.mode == "pool_patch":
        rec["_files"].discard(sim.master)
    else:
        rec["_files"].clear()


@xapi("pool_patch.clean_on_host", "self host")
def _pp_clean_on_host(sim, ctx, p, h):
    sim.get("host", h)
    sim.get("pool_patch", p)["_files"].discard(h)


@xapi("pool_patch.pool_clean", "self")
def _pp_pool_clean(sim, ctx, p):
    # clean_on_host on every host, then filename "" (a re-upload re-attaches)
    sim.get("pool_patch", p)["_files"].clear()


@xapi("pool_patch.destroy", "self")
def _pp_destroy(sim, ctx, p):
    sim.get("pool_patch", p)
    if any(r["pool_patch"] == p for r in sim.db["host_patch"].values()):
        raise XapiError("PATCH_IS_APPLIED")
    u = sim.db["pool_patch"].pop(p)["pool_update"]
    sim.db["pool_update"].pop(u, None)


@xapi("pool_update.precheck", "self host")
def _pu_precheck(sim, ctx, u, h):
    upd = sim.get("pool_update", u)
    sim.get("host", h)
    sim.precheck(upd["_patch"], h, "UPDATE", u)
    return "ok"                                    # livepatch_status (NOTES §3)


@xapi("pool_update.apply", "self host")
def _pu_apply(sim, ctx, u, h):
    upd = sim.get("pool_update", u)
    sim.get("host", h)
    sim.apply(upd["_patch"], h, ctx, "UPDATE", u)


# --------------------------------------------------------------------------
# Control interface (not XenAPI)
# --------------------------------------------------------------------------

def find(sim, cls, key):
    """Find an object by ref, uuid or name_label."""
    if key in sim.db[cls]:
        return key
    for ref, r in sim.db[cls].items():
        if key in (r.get("uuid"), r.get("name_label")):
            return ref
    raise ValueError("no %s %r" % (cls, key))


def control(sim, cmd):
    """Apply one control command dict; return a JSON-able result."""
    out = {}
    for name, a in cmd.items():
        a = a if isinstance(a, dict) else {}
        if name == "fault":
            kinds = [k for k in ("error", "transport", "value", "raw_value", "raw_reply", "records")
                     if k in a]
            if len(kinds) != 1:
                raise ValueError("fault needs exactly one of error, transport, value, raw_value, "
                                 "raw_reply, records")
            if "transport" in a and a["transport"] not in TRANSPORT_KINDS:
                raise ValueError("unknown transport fault %r" % a["transport"])
            if "records" in a and not isinstance(a["records"], dict):
                raise ValueError("records needs an object: {\"value\": X}, {\"drop\": [fields]} "
                                 "or {\"set\": {field: X}}")
            f = {"method": a["method"], "count": int(a.get("count", 1)), "skip": int(a.get("skip", 0))}
            for k in ("error", "transport", "seconds", "host", "execute", "piece", "value",
                      "raw_value", "raw_reply", "records", "error_items", "depth", "size"):
                if k in a:
                    f[k] = a[k]
            sim.faults.append(f)
        elif name == "clear_faults":
            sim.faults.clear()
        elif name == "toolstack_restart":
            href = find(sim, "host", a.get("host", sim.master))
            if float(a.get("seconds", 0)) > 0:
                sim.db["host"][href]["_agent_restart_seconds"] = float(a["seconds"])
                sim.restart_host(href, reboot=False, delay=0)
            else:
                if href == sim.master:
                    sim.drop_sessions_and_tasks()
                sim.host_up(href, reboot=False)
        elif name == "set_vm":
            v = find(sim, "VM", a["vm"])
            vm = sim.db["VM"][v]
            for k, x in a.items():
                if k == "guest_metrics":
                    sim.set_guest_metrics(v, x)
                elif k == "resident_on":
                    vm[k] = find(sim, "host", x) if x not in (None, NULL, "") else NULL
                elif k != "vm":
                    vm[k] = x
            if vm["power_state"] in ("Halted", "Suspended"):
                vm["resident_on"], vm["domid"] = NULL, -1
            elif vm["resident_on"] == NULL:
                vm["resident_on"] = sim.master
        elif name in ("pool_migrate", "start_on"):
            # the XenAPI call as CloudStack's MigrateCommand / StartCommand makes it
            # (VM.pool_migrate, VM.start_on), for the management-server simulator: the
            # memory check and the duration (mssim checks liveness and PV drivers
            # itself); an XenAPI error is the result, not a failure
            v, h = find(sim, "VM", a["vm"]), find(sim, "host", a["host"])
            try:
                if name == "pool_migrate":
                    _vm_pool_migrate(sim, Ctx(sim.master), v, h, {"live": "true"}, True)
                else:
                    _vm_start_on(sim, Ctx(sim.master), v, h, False, False, True)
            except XapiError as e:
                out["error"] = list(e.desc)
        elif name == "move_vm":
            sim.db["VM"][find(sim, "VM", a["vm"])]["resident_on"] = find(sim, "host", a["host"])
        elif name == "set_host":
            href = find(sim, "host", a["host"])
            h = sim.db["host"][href]
            for k, x in a.items():
                if k == "live":
                    sim.db["host_metrics"][h["metrics"]]["live"] = bool(x)
                elif k == "up":
                    if x:
                        sim.host_up(href, reboot=True)
                    else:
                        sim.down.add(href)
                        sim.db["host_metrics"][h["metrics"]]["live"] = False
                elif k in ("reboot_seconds", "agent_restart_seconds", "never_comes_back",
                           "patch_space_free", "enable_delay"):
                    h["_" + k] = x
                elif k in ("software_version", "other_config"):
                    h[k].update(x)
                elif k != "host":
                    h[k] = x
        elif name == "set_patch":
            p = sim.db["pool_patch"][find(sim, "pool_patch", a["patch"])]
            for k, x in a.items():
                if k == "file_present":          # the file on the current master
                    (p["_files"].add if x else p["_files"].discard)(sim.master)
                elif k == "files":               # the hosts holding the file
                    p["_files"] = {find(sim, "host", h) for h in x}
                elif k != "patch":
                    p[k if k in p else "_" + k] = x
        elif name == "switch_master":
            sim.switch_master(find(sim, "host", a["host"]), a.get("seconds"))
        elif name == "set_pool":
            pool = sim.db["pool"][next(iter(sim.db["pool"]))]
            if "default_SR" in a:
                x = a["default_SR"]
                pool["default_SR"] = NULL if x in (None, "", NULL) else \
                    new_ref() if x == "dangling" else find(sim, "SR", x)
        elif name == "set_sr":
            r = sim.db["SR"][find(sim, "SR", a["sr"])]
            for k, x in a.items():
                if k == "host":
                    r["_host"] = find(sim, "host", x) if x else None
                elif k != "sr":
                    r[k] = x
        elif name == "set":
            sim.opts.update(a)
        elif name == "reset_calls":
            sim.calls.clear()
        elif name == "sessions":
            pass
        elif name == "ping":
            pass
        else:
            raise ValueError("unknown control command %r" % name)
    out.update({"ok": True, "open_sessions": len(sim.sessions), "stats": sim.stats})
    return out


def to_json(o):
    def default(x):
        if isinstance(x, DateTime):
            return x.wire()
        if isinstance(x, (set, tuple)):
            return list(x)
        return repr(x)
    return (json.dumps(o, default=default, indent=1) + "\n").encode()


# --------------------------------------------------------------------------
# HTTP(S) front end
# --------------------------------------------------------------------------

class Handler(BaseHTTPRequestHandler):
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm
    # and the client's delayed ACK hold every reply back ~40 ms (xapi has no such stall).
    disable_nagle_algorithm = True
    protocol_version = "HTTP/1.1"
    server_version = "xapi"
    sys_version = ""
    timeout = 120

    @property
    def sim(self):
        return self.server.sim

    @property
    def addr(self):
        return self.server.sim_addr

    def setup(self):
        # TLS handshake here, in the connection's own thread, not in accept()
        self.request.settimeout(self.timeout)
        self.request = self.server.ssl_ctx.wrap_socket(self.request, server_side=True)
        super().setup()

    def log_message(self, fmt, *args):
        log("%s %s" % (self.addr, fmt % args))

    # -- helpers --
    def reply(self, code, body, ctype="text/xml", extra=()):
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in extra:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)

    def reply_500(self, reason):
        self.close_connection = True
        self.reply(500, html_500(reason), "text/html", [("Connection", "close")])

    def reply_huge(self, codec, size):
        """A Success reply whose Value is a string of SIZE bytes, streamed in 1 MiB
        pieces with a Content-Length (constant memory)."""
        head, tail = codec.envelope([("Status", "<value>Success</value>"),
                                     ("Value", "<value>@@</value>")]).split(b"@@")
        self.close_connection = True
        self.send_response(200)
        self.send_header("Content-Type", "text/xml")
        self.send_header("Content-Length", str(len(head) + size + len(tail)))
        self.send_header("Connection", "close")
        self.end_headers()
        try:
            self.wfile.write(head)
            piece = b"A" * CHUNK
            left = size
            while left > 0:
                self.wfile.write(piece[:min(left, CHUNK)])
                left -= min(left, CHUNK)
            self.wfile.write(tail)
        except OSError:
            pass            # the client gave up reading: what a bounded client does

    def drop(self):
        """Close the connection without replying."""
        self.close_connection = True
        try:
            self.request.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def drain(self):
        """Read and discard a declared body, so that closing the socket does not
        reset it under a reply the client has not read yet."""
        n = self.headers.get("Content-Length", "")
        left = int(n) if n.isdigit() and "chunked" not in self.headers.get("Transfer-Encoding", "") else 0
        try:
            while left > 0:
                got = len(self.rfile.read(min(left, CHUNK)))
                if not got:
                    break
                left -= got
        except OSError:
            pass

    def host_down(self):
        with self.sim.lock:
            return self.sim.addr[self.addr] in self.sim.down

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            return None
        n = self.headers.get("Content-Length")
        return self.rfile.read(int(n)) if n and n.isdigit() else None

    # -- verbs --
    def do_GET(self):
        if self.path.startswith("/sim/"):
            return self.sim_get()
        if self.host_down():
            return self.drop()
        self.reply_500("Only POST / (XML-RPC) is served here")

    do_HEAD = do_DELETE = do_GET

    def do_POST(self):
        if self.path.startswith("/sim/"):
            return self.sim_post()
        if self.host_down():
            return self.drop()
        body = self.read_body()
        if self.path.split("?")[0] != "/" or body is None:
            return self.reply_500("Unknown URI or missing Content-Length: %s" % self.path)
        self.xmlrpc(body)

    def do_PUT(self):
        if self.host_down():
            return self.drop()
        if urlsplit(self.path).path == "/pool_patch_upload":
            return self.upload()
        self.reply_500("Unknown URI %s" % self.path)

    # -- XML-RPC --
    def xmlrpc(self, body):
        sim = self.sim
        try:
            method, params = Codec.parse_call(body)
        except ValueError as e:
            return self.reply_500(e)
        with sim.lock:
            call = sim.record_call(self.addr, method, params)
            fault = sim.take_fault(method, self.addr)
            codec = sim.codec()
        kind = fault.get("transport") if fault else None
        if fault and "error" in fault:
            desc = list(fault["error"]) + ["item-%d" % i for i in range(int(fault.get("error_items", 0)))]
            call["result"] = desc[0] if desc else "(empty ErrorDescription)"
            if "error_items" in fault:
                call["transport_fault"] = "error_items"
            return self.reply(200, codec.failure(desc))
        if fault and ("value" in fault or "raw_value" in fault):
            # A wrong-typed (or otherwise surprising) Value in a Success reply.
            call["result"] = "Success"
            call["transport_fault"] = "value"
            v = fault["raw_value"] if "raw_value" in fault else typed_value(fault["value"])
            return self.reply(200, codec.envelope([("Status", "<value>Success</value>"), ("Value", v)]))
        if fault and "raw_reply" in fault:
            call["result"] = "raw_reply"
            call["transport_fault"] = "raw_reply"
            return self.reply(200, fault["raw_reply"].encode("utf-8", "surrogateescape"))
        execute = fault.get("execute", kind in EXECUTING_KINDS) if fault else True
        if fault and "records" in fault:
            execute = True
        if kind == "stall":
            time.sleep(float(fault.get("seconds", 5)))
        resp = b""
        if execute:
            with sim.lock:
                try:
                    result = sim.dispatch(self.addr, method, params)
                    if fault and "records" in fault:
                        result = mangle_records(result, fault["records"])
                        call["transport_fault"] = "records"
                    resp = codec.success(result)
                    call["result"] = "Success"
                except XapiError as e:
                    resp = codec.failure(e.desc)
                    call["result"] = e.desc[0]
        if kind:
            call["transport_fault"] = kind
        if kind == "doctype":
            # The true answer, behind a DOCTYPE with an internal subset (an entity a
            # parser that honours DTDs would expand; xapi never sends one).
            head = b'<?xml version="1.0"?>'
            body = resp[len(head):] if resp.startswith(head) else resp
            return self.reply(200, head + b'<!DOCTYPE methodResponse [<!ENTITY sim "x">]>' + body)
        if kind == "deep":
            n = int(fault.get("depth", 10000))
            v = "<value><array><data>" * n + "<value>x</value>" + "</data></array></value>" * n
            return self.reply(200, codec.envelope([("Status", "<value>Success</value>"), ("Value", v)]))
        if kind == "huge":
            return self.reply_huge(codec, int(fault.get("size", 300 << 20)))
        if kind == "drop":
            return self.drop()
        if kind == "http500":
            return self.reply_500("injected fault")
        if kind == "html":
            return self.reply(200, b"<html><body><h1>Welcome</h1></body></html>", "text/html")
        if kind == "malformed":
            return self.reply(200, b'<?xml version="1.0"?><methodResponse><params><param>'
                                   b'<value><struct><member><name>Status</name><value>Succ')
        if kind == "truncated":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(resp)))
            self.end_headers()
            self.wfile.write(resp[:len(resp) // 2])
            return self.drop()
        if kind == "slow":
            self.send_response(200)
            self.send_header("Content-Type", "text/xml")
            self.send_header("Content-Length", str(len(resp)))
            self.end_headers()
            piece = int(fault.get("piece", 64))
            pieces = [resp[i:i + piece] for i in range(0, len(resp), piece)]
            delay = float(fault.get("seconds", 2)) / max(1, len(pieces))
            for p in pieces:
                self.wfile.write(p)
                time.sleep(delay)
            return
        self.reply(200, resp)

    # -- PUT /pool_patch_upload (NOTES §2.2) --
    def upload(self):
        sim = self.sim
        q = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        cookie = re.search(r"session_id=([^;\s]+)", self.headers.get("Cookie", ""))
        sess = q.get("session_id") or (cookie.group(1) if cookie else None)
        tref = q.get("task_id")
        cookies = dict(re.findall(r"(\w+)=([^;\s]+)", self.headers.get("Cookie", "")))
        sr_id = q.get("sr_id") or cookies.get("sr_id")
        sr_uuid = q.get("sr_uuid") or cookies.get("sr_uuid")
        with sim.lock:
            call = sim.record_call(self.addr, "PUT /pool_patch_upload", [])
            call["params"] = {"session_id": "<session>" if sess else None, "task_id": tref,
                              "Content-Length": self.headers.get("Content-Length")}
            if sr_id is not None:
                call["params"]["sr_id"] = sr_id
            if sr_uuid is not None:
                call["params"]["sr_uuid"] = sr_uuid
            fault = sim.take_fault("/pool_patch_upload", self.addr)
            valid = sess in sim.sessions
            if tref is None and valid:
                tref = sim.new_task("uploading hotfix")
            task = sim.db["task"].get(tref)
            if task is not None:
                task["_busy"] = True
            master = sim.addr[self.addr] == sim.master

            def fail(*err):
                sim.finish_task(tref, error=list(err))
                call["result"] = err[0]
        kind = fault.get("transport") if fault else None
        if kind == "stall":
            time.sleep(float(fault.get("seconds", 5)))
        if kind == "drop":
            return self.drop()
        if kind == "http500":
            return self.reply_500("injected fault")
        if not valid:
            # bad session: HTTP 401, task fails SESSION_AUTHENTICATION_FAILED
            with sim.lock:
                fail("SESSION_AUTHENTICATION_FAILED")
            self.close_connection = True
            self.reply(401, b"", "text/html",
                       [("WWW-Authenticate", 'Basic realm="xapi"'), ("Connection", "close")])
            return self.drain()
        if task is None:
            self.reply_500("HANDLE_INVALID task %s" % tref)
            return self.drain()
        if not master:
            # 2015 handler refuses on a slave (CannotUploadPatchToSlave, not an API error).
            with sim.lock:
                fail("INTERNAL_ERROR", "Xapi_pool_patch.CannotUploadPatchToSlave")
            self.reply_500("CannotUploadPatchToSlave")
            return self.drain()
        if sim.mode == "pool_update":
            with sim.lock:
                err, code = sim.upload_sr_error(sr_id, sr_uuid)
                if err:
                    fail(*err)
            if err:
                self.close_connection = True
                self.reply(code, b"" if code == 400 else html_500(" ".join(err)),
                           "text/html", [("Connection", "close")])
                return self.drain()
        # The real handler answers *before* reading the body: 200, keep-alive,
        # no Content-Length, then streams the body (NOTES §2.2 step 3).
        self.close_connection = True
        self.wfile.write(b"HTTP/1.1 200 OK\r\nConnection: keep-alive\r\n"
                         b"Cache-Control: no-cache, no-store\r\n\r\n")
        self.wfile.flush()
        cl = self.headers.get("Content-Length")
        with sim.lock:
            if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                return fail("INTERNAL_ERROR", "Chunked encoding not yet implemented")
            if not (cl and cl.isdigit()):
                return fail("INTERNAL_ERROR", "Content-Length required")
            cl = int(cl)
            free = sim.db["host"][sim.master]["_patch_space_free"]
            nospace = free < int(sim.opts["upload_space_factor"]) * cl
            if nospace:
                fail("OUT_OF_SPACE", "/var/patch")
            sink = bool(sim.opts["upload_sink"])
        if nospace:
            return self.drain()
        n = len(sim.uploads) + 1
        os.makedirs(os.path.join(sim.state_dir, "uploads"), exist_ok=True)
        path = os.path.join(sim.state_dir, "uploads", "upload-%d.xsupdate" % n)
        fh = None if sink else open(path, "wb")
        digest = None if sink else hashlib.sha256()
        head, remaining = bytearray(), cl
        try:
            while remaining > 0:
                chunk = self.rfile.read(min(remaining, CHUNK))
                if not chunk:
                    break
                remaining -= len(chunk)
                if kind == "cut" and cl - remaining >= int(fault.get("after", cl // 2)):
                    # the connection breaks in the middle of the body
                    log("upload %d: cutting the connection after %d bytes" % (n, cl - remaining))
                    self.drop()
                    break
                if len(head) < 65536:
                    head += chunk[:65536 - len(head)]
                if fh:
                    fh.write(chunk)
                    digest.update(chunk)
        except OSError as e:
            log("upload read error: %s" % e)
        finally:
            if fh:
                fh.close()
        got = cl - remaining
        with sim.lock:
            sim.uploads.append({"n": n, "bytes": got, "content_length": cl, "sink": sink,
                                "path": None if sink else path, "task": tref,
                                "sha256": digest.hexdigest() if digest else None})
            if sink:
                sim.stats["sink_bytes"] += got
                sim.stats["sink_uploads"] += 1
            call["bytes"] = got
            if remaining:
                return fail("INVALID_PATCH")
            if fault and "error" in fault:
                return fail(*fault["error"])
            try:
                meta = parse_xsupdate(bytes(head), sim.mode)
                pref = sim.create_uploaded_patch(meta, cl)
            except XapiError as e:
                return fail(*e.desc)
            # the upload handler stores the *bare* ref as the result (NOTES §2.2 step 4)
            sim.finish_task(tref, pref)
            call["result"] = "Success"
            log("upload %d: %d bytes -> pool_patch %s" % (n, got, meta["uuid"]))

    # -- control --
    def sim_get(self):
        sim = self.sim
        path = urlsplit(self.path).path
        with sim.lock:
            if path == "/sim/calls":
                return self.reply(200, to_json(sim.calls), "application/json")
            if path == "/sim/state":
                return self.reply(200, to_json(sim.state_json()), "application/json")
            if path == "/sim/sessions":
                return self.reply(200, to_json({"open_sessions": len(sim.sessions),
                                                "stats": sim.stats}), "application/json")
        self.reply(404, b"not found\n", "text/plain")

    def sim_post(self):
        sim = self.sim
        path = urlsplit(self.path).path
        body = self.read_body() or b"{}"
        try:
            with sim.lock:
                if path == "/sim/reset_calls":
                    sim.calls.clear()
                    return self.reply(200, to_json({"ok": True}), "application/json")
                if path != "/sim/control":
                    return self.reply(404, b"not found\n", "text/plain")
                cmds = json.loads(body)
                res = [control(sim, c) for c in (cmds if isinstance(cmds, list) else [cmds])]
                log("control %s" % body.decode(errors="replace")[:200])
                self.reply(200, to_json(res[-1] if res else {"ok": True}), "application/json")
        except (ValueError, KeyError, TypeError) as e:
            self.reply(400, to_json({"ok": False, "error": str(e)}), "application/json")


def parse_xsupdate(head, mode):
    """Simulated .xsupdate: line 1 'XSUPDATE key=value ...', line 2 'SIGNATURE ok'.
    A bare word continues the previous value (after-apply-guidance lists)."""
    lines = head.split(b"\n", 2)
    bad_sig = "INVALID_PATCH" if mode == "pool_patch" else "INVALID_UPDATE"
    if len(lines) < 2 or lines[1].strip() != b"SIGNATURE ok":
        raise XapiError(bad_sig, *([] if mode == "pool_patch" else ["bad signature"]))
    try:
        toks = shlex.split(lines[0].decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as e:
        toks = ["?", str(e)]
    meta, last = {}, None
    for t in toks[1:]:
        if "=" in t:
            last, _, v = t.partition("=")
            meta[last] = v
        elif last:
            meta[last] += " " + t
    ok = toks[:1] == ["XSUPDATE"] and re.fullmatch(
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", meta.get("uuid", "").lower())
    if not ok:
        err = "INVALID_PATCH_WITH_LOG" if mode == "pool_patch" else "INVALID_UPDATE"
        raise XapiError(err, "cannot parse patch metadata: %r" % lines[0][:200])
    return {"uuid": meta["uuid"].lower(), "name_label": meta.get("name-label", ""),
            "name_description": meta.get("name-description", ""),
            "version": meta.get("version", "1.0"),
            "after_apply_guidance": meta.get("after-apply-guidance", "").split(),
            "requires": [u for u in meta.get("requires", "").split(",") if u],
            "product_version": meta.get("product-version"),
            "requires_no_vms": meta.get("requires-no-vms", "") in ("1", "true", "yes"),
            "required_space": int(meta.get("required-space", "0") or 0)}


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        e = sys.exc_info()[1]
        log("%s connection from %s: %s: %s" % (self.sim_addr, client_address[0],
                                                type(e).__name__, e))


def main():
    global QUIET
    ap = argparse.ArgumentParser(description="XenAPI simulator for csmaint tests")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--cert", required=True)
    ap.add_argument("--key", required=True)
    ap.add_argument("--cacert", help="copied to STATE_DIR/ca.pem for simctl")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--quiet", action="store_true")
    a = ap.parse_args()
    QUIET = a.quiet
    with open(a.scenario) as f:
        sim = Sim(json.load(f), a.state_dir)
    os.makedirs(a.state_dir, exist_ok=True)
    for n in ("ready", "port"):
        if os.path.exists(os.path.join(a.state_dir, n)):
            os.unlink(os.path.join(a.state_dir, n))
    if a.cacert:
        shutil.copyfile(a.cacert, os.path.join(a.state_dir, "ca.pem"))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(a.cert, a.key)
    # Bind every host address on one port; with port 0 retry until all fit.
    addrs = list(sim.addr)
    for attempt in range(50):
        servers, port = [], a.port
        try:
            for ad in addrs:
                s = Server((ad, port), Handler)
                port = s.server_address[1]
                servers.append(s)
            break
        except OSError as e:
            for s in servers:
                s.server_close()
            if a.port:
                raise SystemExit("xapisim: cannot bind %s:%d: %s" % (ad, port, e))
    else:
        raise SystemExit("xapisim: no free common port")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    for s, ad in zip(servers, addrs):
        s.sim, s.sim_addr, s.ssl_ctx = sim, ad, ctx
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True).start()

    def write(name, text):
        tmp = os.path.join(a.state_dir, name + ".tmp")
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, os.path.join(a.state_dir, name))
    write("pid", "%d\n" % os.getpid())
    write("master", sim.db["host"][sim.master]["address"] + "\n")
    write("addresses", "".join("%s %s\n" % (ad, sim.db["host"][r]["name_label"])
                               for ad, r in sim.addr.items()))
    write("port", "%d\n" % port)
    write("ready", "%d\n" % port)
    log("listening on %s port %d (API %d.%d, mode %s)" % (
        " ".join(addrs), port, sim.api[0], sim.api[1], sim.mode))
    while not stop.wait(0.5):
        pass
    log("SIGTERM: shutting down")
    for s in servers:
        s.shutdown()
        s.server_close()
    try:
        os.unlink(os.path.join(a.state_dir, "ready"))
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
