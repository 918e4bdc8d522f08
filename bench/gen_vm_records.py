#!/usr/bin/python3
"""gen_vm_records.py: write a VM.get_all_records reply as xapi serialises it (bare values)."""
import random
import sys
import uuid
from xml.sax.saxutils import escape

def v(s):
    return "<value>%s</value>" % escape(s)

def boolean(b):
    return "<value><boolean>%d</boolean></value>" % b

def arr(items):
    return "<value><array><data>%s</data></array></value>" % "".join(items)

def struct(pairs):
    return "<value><struct>%s</struct></value>" % "".join(
        "<member><name>%s</name>%s</member>" % (escape(k), x) for k, x in pairs)

def smap(d):
    return struct([(k, v(x)) for k, x in d.items()])

def ref():
    return "OpaqueRef:" + str(uuid.UUID(int=rnd.getrandbits(128)))

def vm(i):
    name = "i-%d-%d-VM" % (rnd.randint(2, 40), 1000 + i)
    mem = str(rnd.choice([512, 1024, 2048, 4096]) * 1048576)
    booted = "('struct' ('uuid' '%s') ('name_label' '%s') ('memory_static_max' '%s') %s)" % (
        uuid.UUID(int=rnd.getrandbits(128)), name, mem, "('x' 'y') " * 60)
    fields = [
        ("uuid", v(str(uuid.UUID(int=rnd.getrandbits(128))))),
        ("allowed_operations", arr([v(o) for o in ("changing_dynamic_range", "pool_migrate",
            "suspend", "hard_reboot", "clean_shutdown", "clean_reboot", "hard_shutdown",
            "pause", "snapshot", "checkpoint")])),
        ("current_operations", struct([])),
        ("power_state", v(rnd.choice(["Running", "Halted", "Suspended"]))),
        ("name_label", v(name)),
        ("name_description", v("CloudStack VM for account %d" % rnd.randint(1, 500))),
        ("user_version", v("1")),
        ("is_a_template", boolean(0)),
        ("suspend_VDI", v("OpaqueRef:NULL")),
        ("resident_on", v(ref())),
        ("affinity", v(ref())),
        ("memory_overhead", v("11534336")),
        ("memory_target", v(mem)),
        ("memory_static_max", v(mem)),
        ("memory_dynamic_max", v(mem)),
        ("memory_dynamic_min", v(mem)),
        ("memory_static_min", v(mem)),
        ("VCPUs_params", smap({"weight": "256", "cap": "0"})),
        ("VCPUs_max", v("2")),
        ("VCPUs_at_startup", v("2")),
        ("actions_after_shutdown", v("destroy")),
        ("actions_after_reboot", v("restart")),
        ("actions_after_crash", v("destroy")),
        ("consoles", arr([v(ref())])),
        ("VIFs", arr([v(ref()) for _ in range(rnd.randint(1, 3))])),
        ("VBDs", arr([v(ref()) for _ in range(rnd.randint(1, 4))])),
        ("crash_dumps", arr([])),
        ("VTPMs", arr([])),
        ("PV_bootloader", v("pygrub")),
        ("PV_kernel", v("")),
        ("PV_ramdisk", v("")),
        ("PV_args", v("")),
        ("PV_bootloader_args", v("")),
        ("PV_legacy_args", v("")),
        ("HVM_boot_policy", v("")),
        ("HVM_boot_params", struct([])),
        ("HVM_shadow_multiplier", "<value><double>1</double></value>"),
        ("platform", smap({"timeoffset": "0", "viridian": "true", "acpi": "true",
                           "apic": "true", "pae": "true", "nx": "false"})),
        ("PCI_bus", v("")),
        ("other_config", smap({"vm_uuid": str(uuid.UUID(int=rnd.getrandbits(128))),
                               "mac_seed": str(uuid.UUID(int=rnd.getrandbits(128))),
                               "install-methods": "cdrom,nfs,http,ftp",
                               "linux_template": "true"})),
        ("domid", v(str(rnd.randint(-1, 500)))),
        ("domarch", v("x64")),
        ("last_boot_CPU_flags", smap({"vendor": "GenuineIntel",
                                      "features": "0098e3fd-bfebfbff-00000001-28100800"})),
        ("is_control_domain", boolean(0)),
        ("metrics", v(ref())),
        ("guest_metrics", v(ref())),
        ("last_booted_record", v(booted)),
        ("recommendations", v('<restrictions><restriction field="memory-static-max" '
                              'max="34359738368"/><restriction field="vcpus-max" max="8"/>'
                              '<restriction property="number-of-vbds" max="7"/>'
                              '<restriction property="number-of-vifs" max="7"/></restrictions>')),
        ("xenstore_data", smap({"vm-data": ""})),
        ("ha_always_run", boolean(0)),
        ("ha_restart_priority", v("")),
        ("is_a_snapshot", boolean(0)),
        ("snapshot_of", v("OpaqueRef:NULL")),
        ("snapshots", arr([])),
        ("snapshot_time", "<value><dateTime.iso8601>19700101T00:00:00Z</dateTime.iso8601></value>"),
        ("transportable_snapshot_id", v("")),
        ("blobs", struct([])),
        ("tags", arr([])),
        ("blocked_operations", struct([])),
        ("snapshot_info", struct([])),
        ("snapshot_metadata", v("")),
        ("parent", v("OpaqueRef:NULL")),
        ("children", arr([])),
        ("bios_strings", smap({"bios-vendor": "Xen", "bios-version": "",
                               "system-manufacturer": "Xen", "system-product-name": "HVM domU"})),
        ("protection_policy", v("OpaqueRef:NULL")),
        ("is_snapshot_from_vmpp", boolean(0)),
        ("appliance", v("OpaqueRef:NULL")),
        ("start_delay", v("0")),
        ("shutdown_delay", v("0")),
        ("order", v("0")),
        ("VGPUs", arr([])),
        ("attached_PCIs", arr([])),
        ("suspend_SR", v("OpaqueRef:NULL")),
        ("version", v("0")),
    ]
    return fields

rnd = random.Random(42)
target = int(sys.argv[2]) if len(sys.argv) > 2 else 20 * 1024 * 1024
out = []
size = 0
i = 0
while size < target:
    rec = "<member><name>%s</name>%s</member>" % (ref(), struct(vm(i)))
    out.append(rec)
    size += len(rec)
    i += 1
doc = ('<?xml version="1.0"?>\n<methodResponse><params><param><value><struct>'
       '<member><name>Status</name><value>Success</value></member>'
       '<member><name>Value</name><value><struct>%s</struct></value></member>'
       '</struct></value></param></params></methodResponse>\n' % "".join(out))
with open(sys.argv[1], "w") as f:
    f.write(doc)
print("%d VM records, %d bytes" % (i, len(doc)), file=sys.stderr)
