#!/usr/bin/env bash
# t-json.sh: every output honours -o (issue 9.4).  With -o json every listing and every
# dry run prints exactly one JSON object on stdout and nothing else (parsed by Python's
# json, which refuses trailing text); a dry run's object has the members csmaint(8)
# OUTPUT names (dry_run, command, arguments, plan, sql, xenapi, http, refused) and no
# secret.  With -o csv each prints valid CSV (one table: every row as wide as the
# header) or refuses: exit 2, nothing on stdout, a message naming the formats it has.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_cmd /usr/bin/python3 python3
cs_setup 2.2
xapi_setup
write_conf "$XAPI_CONF
procedure = { poll_interval = 0.2; wait_timeout = 60; reboot_timeout = 60; };"
P=$TEST_TMP/patches
mkdir -p "$P"
U3=c3c3c3c3-0000-4000-8000-000000000003
mkpatch "$P/XS56EFP1003.xsupdate" $U3 XS56EFP1003 restartHost

# json_one DESC [PYTHON]: stdout is one JSON object and nothing else; PYTHON (with the
# object as d) asserts more.
json_one() {
	check "$1: one JSON object, nothing else on stdout" /usr/bin/python3 -c '
import json, sys
text = open(sys.argv[1], encoding="utf-8").read()
d = json.loads(text)          # raises on a second document or any trailing text
assert isinstance(d, dict), type(d)
exec(sys.argv[2])
' "$OUT" "${2:-pass}"
}

# A dry run's object: the members, their types, and no secret or session.
DRY='
for k, t in (("plan", list), ("sql", list), ("xenapi", list), ("http", list)):
    assert isinstance(d.get(k), t), (k, d.get(k))
assert d["dry_run"] is True and isinstance(d["command"], str) and isinstance(d["arguments"], list)
assert "refused" in d
for s in d["sql"]:
    assert set(s) == {"statement", "values"} and isinstance(s["values"], list), s
    assert s["statement"].count("?") == len(s["values"]), s
for c in d["xenapi"]:
    assert set(c) == {"method", "params", "note"} and isinstance(c["params"], list), c
for h in d["http"]:
    assert set(h) == {"method", "url", "file", "bytes"}, h
raw = open(sys.argv[1]).read()
for secret in ("s3cr3t-pw", "xenroot", "OpaqueRef"):
    assert secret not in raw, secret
'

# json_dry WANT DESC ARGS...: the dry run exits WANT and prints its object.
json_dry() {
	local want=$1 d=$2
	shift 2
	expect_exit "$want" "$d -o json" "$@" -o json
	json_one "$d" "$DRY${PY:-}"
	PY=
}

# csv_ok DESC ARGS...: -o csv is valid CSV of one table (exit WANT_CSV, default 0), or a
# refusal: exit 2, empty stdout, a message naming -o table and -o json.
csv_check() {
	local want=$1 d=$2
	shift 2
	run "$@" -o csv
	if [ "$RC" -eq 2 ]; then
		if [ ! -s "$OUT" ] && grep -q "use -o table or -o json" "$ERR"; then
			ok "$d -o csv: refused (exit 2, nothing on stdout, formats named)"
		else
			not_ok "$d -o csv: exit 2 without a clear refusal"
		fi
		return
	fi
	if [ "$RC" -ne "$want" ]; then not_ok "$d -o csv: want exit $want or 2"; return; fi
	check "$d -o csv: valid CSV, one table" /usr/bin/python3 -c '
import csv, sys
rows = list(csv.reader(open(sys.argv[1], newline="", encoding="utf-8"), strict=True))
assert rows, "no header"
assert all(len(r) == len(rows[0]) for r in rows), [len(r) for r in rows]
' "$OUT"
}
csv_refused() {
	run "$@" -o csv
	if [ "$RC" -eq 2 ] && [ ! -s "$OUT" ] && grep -q "use -o table or -o json" "$ERR"; then
		ok "$* -o csv: refused (exit 2, nothing on stdout, formats named)"
	else
		not_ok "$* -o csv: want the refusal"
	fi
}

# The sample's in-flight migration off xs-01 is over (its checks pass: the hotfix dry
# run below gets past them).
sql "UPDATE vm_instance SET state = 'Running', host_id = 2, last_host_id = 1 WHERE id = 4"
sql "DELETE FROM op_ha_work WHERE id = 1"
sql "UPDATE async_job SET job_status = 1 WHERE id = 1"

# ---------------------------------------------------------------- listings
for args in "schema" "host list" "host list --all" "host show xs-01" "vms xs-01" \
	"vms xs-02 --xapi" "patch list --host xs-01" "patch plan xs-01 $P/XS56EFP1003.xsupdate" \
	"journal list" "check xs-01"; do
	# shellcheck disable=SC2086
	{ run $args -o json; want=$RC; }
	case $want in 0|4) ok "$args -o json (exit $want)" ;; *) not_ok "$args -o json: exit $want" ;; esac
	json_one "$args"
	# shellcheck disable=SC2086
	csv_check "$want" "$args" $args
done
expect_exit 0 "host show xs-01 -o json" host show xs-01 -o json
json_one "host show: hosts, vms and operations in one object" \
	'assert [h["name"] for h in d["hosts"]] == ["xs-01"] and "vms" in d and "operations" in d'
csv_refused host show xs-01
expect_err "'host show' prints several tables \(hosts, vms, operations\)" "the refusal names the tables"

# audit exits 4 with the sample's findings.
expect_exit 4 "audit -o json" audit -o json
json_one "audit"
csv_check 4 "audit" audit

# ---------------------------------------------------------------- dry runs
before=$(cs_digest)
PY='
assert d["command"] == "host disable" and d["arguments"] == ["xs-01"], d
assert d["refused"] is None
st = [s["statement"] for s in d["sql"]]
assert st[0].startswith("SELECT") and "START TRANSACTION" in st and st[-1] == "COMMIT", st
cas = [s for s in d["sql"] if s["statement"].startswith("UPDATE host SET allocation_state = ?")]
assert len(cas) == 1 and cas[0]["values"] == ["Disabled", 1, "Enabled"], cas
ins = [s for s in d["sql"] if s["statement"].startswith("INSERT INTO `csmaint`.operation ")]
assert len(ins) == 1 and "a reason, with \"quotes\"" in ins[0]["values"], ins
assert d["plan"] == ["host 1 (xs-01): allocation_state '"'"'Enabled'"'"' -> '"'"'Disabled'"'"'"], d["plan"]
'
json_dry 0 "host disable dry run" host disable xs-01 --reason 'a reason, with "quotes"'
expect_eq "the dry run left the CloudStack tables alone" "$before" "$(cs_digest)"
expect_eq "and wrote no journal row" 0 "$(sql "SELECT COUNT(*) FROM operation" csmaint)"
csv_refused host disable xs-01
expect_err "the dry run of 'host disable' .* no CSV form" "the refusal says why"
# The same dry run as a table keeps its human form.
expect_exit 0 "host disable dry run as a table" host disable xs-01
expect_out '^-- dry run: csmaint host disable xs-01 would run these statements' "the header"
expect_out "^UPDATE host SET allocation_state = 'Disabled' WHERE id = 1 AND allocation_state = 'Enabled'" "the SQL text"

# A host name from the database keeps its exact bytes in JSON (escaped in the table form).
PY='assert d["plan"][0] == "host 5 (xs\x1b[2J\x07\ncsmaint: all good): allocation_state '"'"'Enabled'"'"' -> '"'"'Disabled'"'"'", d["plan"]'
sql "UPDATE host SET name = CONCAT('xs', CHAR(27), '[2J', CHAR(7), CHAR(10), 'csmaint: all good') WHERE id = 5"
json_dry 0 "host disable dry run on a hostile name" host disable 5

# A dry run refused by a safety check still prints one object, saying why.
expect_exit 0 "disable xs-02" host disable xs-02 --execute -o json
json_one "host disable --execute" 'assert d["operations"][0]["state"] == "holding", d'
csv_check 0 "host disable --execute" host disable xs-03 --execute
PY='assert "operation" in d["refused"] and "holds it" in d["refused"], d["refused"]'
json_dry 4 "a refused host disable dry run" host disable xs-02
PY='
cas = [s for s in d["sql"] if s["statement"].startswith("UPDATE host SET")]
assert cas and cas[0]["values"] == ["Enabled", 2, "Disabled"], cas
'
json_dry 0 "host enable dry run" host enable xs-02
csv_refused host enable xs-02
op=$(sql "SELECT id FROM operation WHERE host_id = 2 AND state = 'holding'" csmaint)
PY="assert d['command'] == 'recover' and d['arguments'] == ['$op'] and d['refused'] is None"
json_dry 0 "recover dry run" recover "$op"
csv_refused recover "$op"

PY='assert d["sql"] == [] and "installed" in d["plan"][0] and "nothing to run" in d["plan"][1], d'
json_dry 0 "schema install dry run (installed at the current version: nothing to run)" schema install
csv_refused schema install

PY='
m = [c["method"] for c in d["xenapi"]]
assert m == ["task.create", "task.get_record", "task.destroy"], m
assert d["xenapi"][0]["params"] == ["csmaint patch upload", "XS56EFP1003"], d["xenapi"][0]
h = d["http"][0]
assert h["method"] == "PUT" and h["url"].endswith("/pool_patch_upload?session_id=\u2026&task_id=\u2026"), h
assert h["file"].endswith("XS56EFP1003.xsupdate") and h["bytes"] > 0, h
'
json_dry 0 "patch upload dry run" patch upload --host xs-01 "$P/XS56EFP1003.xsupdate"
csv_refused patch upload --host xs-01 "$P/XS56EFP1003.xsupdate"

expect_exit 0 "patch upload --execute -o json" patch upload --host xs-01 "$P/XS56EFP1003.xsupdate" --execute -o json
json_one "patch upload --execute" 'assert d["patches"][0]["action"] == "uploaded", d'
for args in "patch precheck xs-01 XS56EFP1003"; do
	# shellcheck disable=SC2086
	expect_exit 0 "$args -o json" $args -o json
	json_one "$args"
	# shellcheck disable=SC2086
	csv_check 0 "$args" $args
done
PY='
m = [c["method"] for c in d["xenapi"]]
assert m[:4] == ["pool_patch.precheck", "Async.pool_patch.apply", "task.get_record", "task.destroy"], m
assert d["xenapi"][1]["params"] == [{"class": "pool_patch", "name_label": "XS56EFP1003"},
    {"class": "host", "name_label": "xs-01"}], d["xenapi"][1]
assert any("after-apply guidance: reboot the host" in p for p in d["plan"]), d["plan"]
'
json_dry 0 "patch apply dry run" patch apply xs-01 XS56EFP1003
csv_refused patch apply xs-01 XS56EFP1003

PY='assert [c["method"] for c in d["xenapi"]] == ["host.disable", "Async.host.reboot"], d["xenapi"]'
json_dry 0 "host reboot dry run" host reboot xs-01
PY='assert [c["method"] for c in d["xenapi"]] == ["host.restart_agent"], d["xenapi"]'
json_dry 0 "host reboot --toolstack dry run" host reboot xs-01 --toolstack
csv_refused host reboot xs-01

# ---------------------------------------------------------------- results of --execute
expect_exit 0 "recover --execute -o json" recover "$op" --execute -o json
json_one "recover --execute" 'assert d["operations"][0]["state"] == "rolled_back", d'
expect_exit 0 "recover again (already closed) -o json" recover "$op" --execute -o json
json_one "recover of a closed operation" 'assert d["operations"][0]["state"] == "rolled_back", d'
csv_check 0 "recover of a closed operation" recover "$op" --execute
op3=$(sql "SELECT id FROM operation WHERE host_id = 3 AND state = 'holding'" csmaint)
expect_exit 0 "journal show -o json" journal show "$op3" -o json
json_one "journal show" 'assert d["operations"][0]["id"] == '"$op3"' and isinstance(d["steps"], list)'
csv_refused journal show "$op3"
expect_exit 0 "host enable --execute -o json" host enable xs-03 --execute -o json
json_one "host enable --execute" 'assert d["operations"][0]["state"] == "done", d'
expect_exit 0 "schema install --execute -o json" schema install --execute -o json
json_one "schema install --execute" 'assert d["schema"][0]["journal_installed"] is True, d'
csv_check 0 "schema install --execute" schema install --execute
expect_exit 0 "host reboot --toolstack --execute -o json" host reboot xs-02 --toolstack --execute -o json
json_one "host reboot --toolstack --execute" 'assert d["hosts"][0]["name"] == "xs-02", d'

# completion prints a shell script, not data.
expect_exit 2 "completion bash -o json is refused" completion bash -o json
expect_eq "nothing on stdout" 0 "$(wc -c <"$OUT")"

# ---------------------------------------------------------------- hotfix
# The procedure records its dry run (generated from its step table) into the recorder:
# the checks and plan tables, and every step's SQL and XenAPI calls, in one object.
PY='assert "checks" in d and "patches" in d and any(s["statement"].startswith("UPDATE host") for s in d["sql"])'
json_dry 0 "hotfix dry run" hotfix xs-01 "$P/XS56EFP1003.xsupdate"
csv_refused hotfix xs-01 "$P/XS56EFP1003.xsupdate"
finish
