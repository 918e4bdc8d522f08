#!/usr/bin/python3
"""mkpool.py - a XenServer pool (one CloudStack cluster) for the `csmaint rolling` tests.

    mkpool.py POOL VERSION --sql OUT.sql --json OUT.json [--hosts N] [--patched HOST,...]
              [--apply-fail-on HOST,...] [--migrate-seconds S] [--reboot-seconds S]
              [--apply-seconds S] [--master HOST]

Deterministic: the same arguments give the same files (no clock, no random).  OUT.sql adds
the pool to a CloudStack VERSION (2.2 or 3.0) database that holds the sample site
(sql/sample: zone 1, pod 1, mshost 345051509694, service offerings 1-4, 8-10,
cpu.overprovisioning.factor); OUT.json is the matching xapisim scenario (same host uuids,
addresses, VM name labels, VM memory from the offerings, host memory).

Pools (k = index; host i of N, i = 1..N):
  pool-a      k 1  hosts rx-01..  127.0.0.21..  16 GiB hosts: fits with any one host out
  pool-b      k 2  hosts ry-01..  127.0.0.41..  16 GiB hosts: fits (a second pool)
  pool-tight  k 3  hosts rt-01..  127.0.0.61..   8 GiB hosts: does NOT fit with one host out
  pool-c      k 4  hosts rc-01..  127.0.0.81..  16 GiB hosts: fits
  cluster id 10*k, cluster name = POOL; host id = the last octet of its address (20*k + i);
  guid (the XenServer host uuid) e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3fNNNN (NNNN = host id);
  3.0 host uuid 6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2aNNNN; N at most 16.  VM ids 1000*k + n.
  The master is the first host (--master to change it).
Memory as CloudStack counts it (CitrixResourceBase.fillHostInfo, 2.2.15):
  host.ram = (memory_total - dom0 memory_dynamic_max - 128 MiB) * 63/64, and
  op_host_capacity (type 0, bytes) total = host.ram; (type 1, MHz) total = cpus * speed;
  used = the sum of the offerings of the VMs placed on the host (Running, and the stopped
  VM without Tools is Running too at the start).
VMs per host (user VMs i-2-ID-VM with Tools unless said; offerings 1 small 512 MiB,
2 medium 1024, 3 large 2048, 4 xl 4096; 8 router 128, 9 console proxy 1024, 10 SSVM 256):
  fitting pools, host i (0-based) by i % 4: 0 large + small + router r- (host 0's small
  has no Tools: HVM, no PV drivers); 1 large + medium + console proxy v- (host 1 only,
  else small); 2 medium + small + SSVM s- (host 2 only, else small); 3 large + small.
  pool-tight: every host xl + large, and host 0 small (no Tools) + router, host 1 console
  proxy, host 2 SSVM, host 3.. small: 6400 to 7168 MiB used of 7195 MiB per host, so
  no host's VMs (at least 6144 MiB) fit in the others' 27 to 795 MiB free.  Fitting
  pools: 1792 to 4096 MiB used of 15259 MiB per host.
Patches: XS56EFP1003 (c3c3c3c3-..-000000000003, restartHost) and XS56EFP1004
(c4c4c4c4-..-000000000004, restartXAPI, requires 1003), the files tests/lib/common.sh
mk_hotfixes writes.  --patched HOST,... : those hosts have both applied already (the pool
knows the patches, their files cleaned); --apply-fail-on HOST,... : applying any patch on
those hosts fails (xapisim option apply_fail_on).
"""
import argparse
import json
import os
import sys

POOLS = {"pool-a": (1, "rx", 16, "fit"), "pool-b": (2, "ry", 16, "fit"),
         "pool-tight": (3, "rt", 8, "tight"), "pool-c": (4, "rc", 16, "fit")}
OFFERINGS = {1: (1, 500, 512), 2: (1, 1000, 1024), 3: (2, 1000, 2048), 4: (4, 1000, 4096),
             8: (1, 500, 128), 9: (1, 500, 1024), 10: (1, 500, 256)}
CPUS, SPEED = 8, 2400
DOM0 = 790626304                      # the sample's host.dom0_memory (754 MiB)
XEN = 128 << 20                       # CitrixResourceBase._xs_memory_used
MSID = 345051509694
PATCHES = [
    {"uuid": "c3c3c3c3-0000-4000-8000-000000000003", "name_label": "XS56EFP1003",
     "after_apply_guidance": ["restartHost"]},
    {"uuid": "c4c4c4c4-0000-4000-8000-000000000004", "name_label": "XS56EFP1004",
     "after_apply_guidance": ["restartXAPI"], "requires": ["c3c3c3c3-0000-4000-8000-000000000003"]},
]
PV = {"PV_drivers_version": {"major": "5", "minor": "6", "micro": "100", "build": "39215"},
      "PV_drivers_up_to_date": True}


def cs_ram(total):
    return (total - DOM0 - XEN) * 63 // 64


def layout(kind, i):
    """[(type, offering, tools)] for host index i (0-based)."""
    if kind == "tight":
        v = [("User", 4, True), ("User", 3, True)]
        v += {0: [("User", 1, False), ("DomainRouter", 8, True)], 1: [("ConsoleProxy", 9, True)],
              2: [("SecondaryStorageVm", 10, True)]}.get(i, [("User", 1, True)])
        return v
    r = i % 4
    if r == 0:
        return [("User", 3, True), ("User", 1, i != 0)] + ([("DomainRouter", 8, True)] if i == 0 else [])
    if r == 1:
        return [("User", 3, True), ("User", 2, True), ("ConsoleProxy", 9, True) if i == 1 else ("User", 1, True)]
    if r == 2:
        return [("User", 2, True), ("User", 1, True), ("SecondaryStorageVm", 10, True) if i == 2 else ("User", 1, True)]
    return [("User", 3, True), ("User", 1, True)]


def q(v):
    if v is None:
        return "NULL"
    if isinstance(v, int):
        return str(v)
    return "'" + str(v).replace("\\", "\\\\").replace("'", "''") + "'"


def insert(table, cols, rows):
    if not rows:
        return ""
    return "INSERT INTO `%s` (%s) VALUES\n%s;\n\n" % (
        table, ", ".join("`%s`" % c for c in cols),
        ",\n".join("  (" + ", ".join(q(r[c]) for c in cols) + ")" for r in rows))


def build(a):
    k, prefix, gib, kind = POOLS[a.pool]
    n = a.hosts
    if not 1 <= n <= 16:
        sys.exit("mkpool: --hosts must be 1..16")
    v30 = a.version == "3.0"
    csver = "3.0.2.20120506223416" if v30 else "2.2.14.20120210102939"
    cid, base = 10 * k, 20 * k
    total = gib << 30
    names = ["%s-%02d" % (prefix, i + 1) for i in range(n)]
    for opt in (a.patched, a.apply_fail_on, [a.master] if a.master else []):
        for h in opt:
            if h not in names:
                sys.exit("mkpool: no host %r in %s (%s)" % (h, a.pool, " ".join(names)))
    master = a.master or names[0]
    sql = ["-- %s: pool %s for CloudStack %s, %d hosts (generated by tests/data/mkpool.py)\n"
           "SET NAMES utf8;\n\n" % (os.path.basename(a.sql), a.pool, a.version, n)]
    cl = {"id": cid, "name": a.pool, "guid": "f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f%04d" % cid,
          "pod_id": 1, "data_center_id": 1, "hypervisor_type": "XenServer",
          "cluster_type": "CloudManaged", "allocation_state": "Enabled",
          "managed_state": "Managed", "removed": None,
          "uuid": "2b0f7c1e-4e8a-4d2b-9c3f-1a0e5d6c%04d" % (200 + cid)}
    sql.append(insert("cluster", list(cl)[:-1] + (["uuid"] if v30 else []), [cl]))
    hosts, details, vms, uvms, routers, proxies, ssvms, caps = [], [], [], [], [], [], [], []
    xhosts, xvms = [], []
    vmid = 1000 * k
    for i, name in enumerate(names):
        hid = base + i + 1
        ip = "127.0.0.%d" % hid
        mac = "00:16:3e:0a:%02x:%02x" % (k, i + 1)
        guid = "e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f%04d" % hid
        h = {"id": hid, "name": name, "uuid": "6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a%04d" % hid,
             "status": "Up", "type": "Routing", "private_ip_address": ip,
             "private_netmask": "255.0.0.0", "private_mac_address": mac, "storage_ip_address": ip,
             "storage_netmask": "255.0.0.0", "storage_mac_address": mac, "cluster_id": cid,
             "public_ip_address": ip, "public_netmask": "255.0.0.0", "public_mac_address": mac,
             "proxy_port": None, "data_center_id": 1, "pod_id": 1, "cpus": CPUS, "speed": SPEED,
             "url": "iqn.2011-06.com.example:%s" % name, "fs_type": None,
             "hypervisor_type": "XenServer", "hypervisor_version": "5.6.100",
             "ram": cs_ram(total),
             "resource": "com.cloud.hypervisor.xen.resource.XenServer56FP1Resource",
             "version": csver, "parent": None, "total_size": None,
             "capabilities": "xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64",
             "guid": guid, "available": 1, "setup": 0, "dom0_memory": DOM0,
             "last_ping": 1299406640, "mgmt_server_id": MSID, "disconnected": None,
             "created": "2012-01-%02d 10:00:00" % (i + 1), "removed": None, "update_count": 0,
             "allocation_state": "Enabled", "resource_state": "Enabled"}
        hosts.append(h)
        for j, (dn, dv) in enumerate([("username", "root"), ("password", "xenroot"), ("url", ip),
                                      ("product_version", "5.6.100"), ("product_brand", "XenServer")]):
            details.append({"id": 10000 * k + 10 * (i + 1) + j, "host_id": hid, "name": dn, "value": dv})
        mem_used = cpu_used = 0
        for vtype, off, tools in layout(kind, i):
            vmid += 1
            cpu, speed, ram = OFFERINGS[off]
            mem_used += ram << 20
            cpu_used += cpu * speed
            pre = {"User": "i-2-%d-VM", "DomainRouter": "r-%d-VM", "ConsoleProxy": "v-%d-VM",
                   "SecondaryStorageVm": "s-%d-VM"}[vtype] % vmid
            acct = 1 if vtype in ("ConsoleProxy", "SecondaryStorageVm") else 2
            disp = "%s-vm-%02d" % (prefix, vmid % 1000) if vtype == "User" else pre
            vms.append({"id": vmid, "name": disp, "uuid": "9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f%04d" % (vmid % 10000),
                        "instance_name": pre, "state": "Running",
                        "vm_template_id": 2 if vtype == "User" else 1,
                        "guest_os_id": 12 if vtype == "User" else 15,
                        "private_mac_address": "02:00:0a:%02x:%02x:%02x" % (k, i + 1, vmid % 256),
                        "private_ip_address": "10.%d.%d.%d" % (k, i + 1, vmid % 250 + 2),
                        "private_netmask": "255.255.255.0", "pod_id": 1, "data_center_id": 1,
                        "host_id": hid, "last_host_id": hid, "proxy_id": None, "proxy_assign_time": None,
                        "vnc_password": "Pw%dvnc" % vmid, "ha_enabled": 0 if vtype == "User" else 1,
                        "limit_cpu_use": 0, "update_count": 2, "update_time": "2012-03-01 08:00:00",
                        "created": "2012-02-01 12:00:00", "removed": None, "type": vtype,
                        "vm_type": vtype, "account_id": acct, "domain_id": acct,
                        "service_offering_id": off,
                        "reservation_id": "5d1c2a3b-77%02d-4c0e-9a1b-%012d" % (k, vmid),
                        "hypervisor_type": "XenServer"})
            if vtype == "User":
                uvms.append({"id": vmid, "iso_id": None, "display_name": disp, "user_data": None})
            elif vtype == "DomainRouter":
                routers.append({"id": vmid, "element_id": 1, "public_mac_address": "06:b4:0c:%02x:00:%02x" % (k, vmid % 256),
                                "public_ip_address": "192.0.2.%d" % (100 + k), "public_netmask": "255.255.255.0",
                                "guest_netmask": "255.255.255.0", "guest_ip_address": "10.%d.0.1" % k,
                                "network_id": 204, "is_redundant_router": 0, "priority": 0,
                                "is_priority_bumpup": 0, "redundant_state": "UNKNOWN", "stop_pending": 0,
                                "role": "VIRTUAL_ROUTER" if v30 else "DHCP_FIREWALL_LB_PASSWD_USERDATA",
                                "template_version": "Cloudstack Release 3.0.2 Tue May  1 12:00:00 PDT 2012",
                                "scripts_version": "8fa2f31b1dbe24b6fb8a1fe1a4c6e3a1"})
            elif vtype == "ConsoleProxy":
                proxies.append({"id": vmid, "public_mac_address": "06:b4:0c:%02x:00:%02x" % (k, vmid % 256),
                                "public_ip_address": "192.0.2.%d" % (120 + k), "public_netmask": "255.255.255.0",
                                "active_session": 0, "last_update": "2012-03-01 09:00:00", "session_details": None})
            else:
                if vtype == "SecondaryStorageVm":
                    ssvms.append({"id": vmid, "public_mac_address": "06:b4:0c:%02x:00:%02x" % (k, vmid % 256),
                                  "public_ip_address": "192.0.2.%d" % (140 + k), "public_netmask": "255.255.255.0",
                                  "guid": "s-%d-VM-NfsSecondaryStorageResource" % vmid,
                                  "nfs_share": "nfs://10.1.1.5/export/secondary",
                                  "last_update": "2012-03-01 09:00:00", "role": "templateProcessor"})
            xv = {"name_label": pre, "resident_on": name, "memory": ram << 20,
                  "uuid": "7a7a%04d-0000-4000-8000-%012d" % (k, vmid)}
            if tools:
                xv["guest_metrics"] = PV
            else:
                xv["hvm"], xv["guest_metrics"] = True, None
            xvms.append(xv)
        for t, used, tot in ((0, mem_used, cs_ram(total)), (1, cpu_used, CPUS * SPEED)):
            caps.append({"id": 1000 * k + 2 * (i + 1) + t, "host_id": hid, "data_center_id": 1,
                         "pod_id": 1, "cluster_id": cid, "used_capacity": used,
                         "reserved_capacity": 0, "total_capacity": tot, "capacity_type": t,
                         "capacity_state": "Enabled", "update_time": "2012-03-01 09:00:00",
                         "created": "2012-01-01 10:00:00"})
        xh = {"name_label": name, "uuid": guid, "address": ip, "memory_total": total,
              "dom0_memory": DOM0, "reboot_seconds": a.reboot_seconds,
              "other_config": {"boot_time": "%d." % (1325412000 + 3600 * (i + 1))}}
        xhosts.append(xh)
    hcols = ["id", "name"] + (["uuid"] if v30 else []) + [
        "status", "type", "private_ip_address", "private_netmask", "private_mac_address",
        "storage_ip_address", "storage_netmask", "storage_mac_address", "cluster_id",
        "public_ip_address", "public_netmask", "public_mac_address", "proxy_port",
        "data_center_id", "pod_id", "cpus", "speed", "url", "fs_type", "hypervisor_type"] + \
        (["hypervisor_version"] if v30 else []) + [
        "ram", "resource", "version", "parent", "total_size", "capabilities", "guid",
        "available", "setup", "dom0_memory", "last_ping", "mgmt_server_id", "disconnected",
        "created", "removed"] + (["update_count", "resource_state"] if v30 else ["allocation_state"])
    sql.append(insert("host", hcols, hosts))
    sql.append(insert("host_details", ["id", "host_id", "name", "value"], details))
    vcols = ["id", "name"] + (["uuid"] if v30 else []) + [
        "instance_name", "state", "vm_template_id", "guest_os_id", "private_mac_address",
        "private_ip_address"] + ([] if v30 else ["private_netmask"]) + [
        "pod_id", "data_center_id", "host_id", "last_host_id", "proxy_id", "proxy_assign_time",
        "vnc_password", "ha_enabled", "limit_cpu_use", "update_count", "update_time", "created",
        "removed", "type", "vm_type", "account_id", "domain_id", "service_offering_id",
        "reservation_id", "hypervisor_type"]
    sql.append(insert("vm_instance", vcols, vms))
    sql.append(insert("user_vm", ["id", "iso_id", "display_name", "user_data"], uvms))
    rcols = ["id"] + (["element_id"] if v30 else []) + [
        "public_mac_address", "public_ip_address", "public_netmask", "guest_netmask",
        "guest_ip_address", "network_id", "is_redundant_router", "priority",
        "is_priority_bumpup", "redundant_state", "stop_pending", "role"] + \
        (["template_version", "scripts_version"] if v30 else [])
    sql.append(insert("domain_router", rcols, routers))
    sql.append(insert("console_proxy", ["id", "public_mac_address", "public_ip_address",
                                        "public_netmask", "active_session", "last_update",
                                        "session_details"], proxies))
    sql.append(insert("secondary_storage_vm", ["id", "public_mac_address", "public_ip_address",
                                               "public_netmask", "guid", "nfs_share",
                                               "last_update", "role"], ssvms))
    ccols = ["id", "host_id", "data_center_id", "pod_id", "cluster_id", "used_capacity",
             "reserved_capacity", "total_capacity", "capacity_type"] + \
        (["capacity_state", "update_time", "created"] if v30 else [])
    sql.append(insert("op_host_capacity", ccols, caps))

    patches = []
    if a.patched:
        for p in PATCHES:
            patches.append(dict(p, version="1.0", size=1048576, applied_on=list(a.patched),
                                timestamp_applied="20120301T00:00:00Z", file_present=False))
    sc = {"_comment": "pool %s (tests/data/mkpool.py %s): master %s" % (a.pool, a.version, master),
          "pool": {"name_label": a.pool, "master": master,
                   "uuid": "f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f%04d" % cid, "default_SR": "primary-nfs"},
          "mode": "pool_patch", "users": {"root": "xenroot"},
          "product_version": "5.6.100", "build_number": "39265p",
          "API_version_major": 1, "API_version_minor": 8, "login_max_args": 3,
          "apply_seconds": a.apply_seconds, "shutdown_delay": 0.1,
          "master_switch_seconds": 0.5, "migrate_seconds": a.migrate_seconds,
          "apply_fail_on": list(a.apply_fail_on),
          "hosts": xhosts, "vms": xvms,
          "srs": [{"name_label": "primary-nfs", "uuid": "5d5d5d5d-0000-4000-8000-%012d" % cid,
                   "type": "nfs", "shared": True}],
          "patches": patches}
    return "".join(sql), sc


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pool", choices=sorted(POOLS))
    ap.add_argument("version", choices=("2.2", "3.0"))
    ap.add_argument("--sql", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--hosts", type=int, default=4)
    lst = lambda s: [x for x in s.split(",") if x]
    ap.add_argument("--patched", type=lst, default=[])
    ap.add_argument("--apply-fail-on", type=lst, default=[])
    ap.add_argument("--master")
    ap.add_argument("--migrate-seconds", type=float, default=0.2)
    ap.add_argument("--reboot-seconds", type=float, default=1.0)
    ap.add_argument("--apply-seconds", type=float, default=0.2)
    a = ap.parse_args()
    sql, sc = build(a)
    with open(a.sql, "w") as f:
        f.write(sql)
    with open(a.json, "w") as f:
        json.dump(sc, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
