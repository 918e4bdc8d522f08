# A hostile XenAPI server over HTTPS (CA-verified), issue 8 items 2 and 9: every reply
# csmaint reads answered with each wrong type, records with missing or wrong-typed
# fields, malformed, DOCTYPE, deeply nested and huge replies, failures with 50,000
# items or control characters, SESSION_INVALID.  The read-only commands must fail with
# a clear "bad reply from XenServer: METHOD ..." error (exit 1), never crash or read a
# wrong type as "nothing there", and change nothing.
# shellcheck shell=bash disable=SC2034 # sourced by tests/hostile/run: RC, PROC_CONF, ... are read by lib.sh and common.sh
xapi_setup
xapi_conf=$CONF

# h_fault FAULT-JSON: clear the simulator's faults and call log, then arm FAULT.
h_fault() {
	simctl json "[{\"clear_faults\": {}}, {\"reset_calls\": {}}, {\"fault\": $1}]" >/dev/null ||
		h_fail "harness: simctl refused the fault $1"
}

# x_case NAME FAULT-JSON METHOD SERVED WANT-EXIT ERR-REGEX [ARGS...]: arm the fault, run
# csmaint (default: vms xs-01 --xapi), check that the simulator served it on METHOD.
x_case() {
	local name=$1 fault=$2 method=$3 served=$4 want=$5 re=$6
	shift 6
	[ $# -gt 0 ] || set -- vms xs-01 --xapi
	hcase "xapi: $name"
	h_fault "$fault"
	hrun "$@"
	# shellcheck disable=SC2086 # WANT may list several statuses
	a_exit $want
	a_err "$re"
	a_clean_text
	a_no_err 'xenroot' "the XenServer password is shown"
	a_fault_served "$method" "$served"
	a_unchanged
	[ -n "${H_MORE:-}" ] && eval "$H_MORE"
	H_MORE=
	hend
}
bad='bad reply|expected|wrong type|type'

# Control: the unharmed run works (exit 0), so the failures below are the faults'.
hcase "xapi: vms --xapi without a fault (control)"
simctl clear-faults >/dev/null
hrun vms xs-01 --xapi
a_exit 0
a_out 'i-2-1-VM'
hend

# Wrong-typed Values: every method vms --xapi reads; each type for the two the issue
# names, two types each for the others (sampled: all types are one accessor each).
for m in VM.get_all_records host.get_all_records; do
	for v in '["x"]' '"x"' 7 true null 1.5; do
		x_case "$m returns $v" "{\"method\": \"$m\", \"value\": $v}" "$m" value 1 "$m.*($bad)|($bad).*$m"
	done
done
x_case "host_metrics.get_all_records returns an array" \
	'{"method": "host_metrics.get_all_records", "value": ["x"]}' host_metrics.get_all_records value 1 "host_metrics"
x_case "host_metrics.get_all_records returns nil" \
	'{"method": "host_metrics.get_all_records", "value": null}' host_metrics.get_all_records value 1 "host_metrics"
x_case "host_patch.get_all_records returns a string" \
	'{"method": "host_patch.get_all_records", "value": "x"}' host_patch.get_all_records value 1 "host_patch"
x_case "host_patch.get_all_records returns an int" \
	'{"method": "host_patch.get_all_records", "value": 3}' host_patch.get_all_records value 1 "host_patch"
x_case "pool_patch.get_all_records returns an array" \
	'{"method": "pool_patch.get_all_records", "value": []}' pool_patch.get_all_records value 1 "pool_patch"
x_case "pool_patch.get_all_records returns a boolean" \
	'{"method": "pool_patch.get_all_records", "value": false}' pool_patch.get_all_records value 1 "pool_patch"
x_case "session.login_with_password returns a struct" \
	'{"method": "session.login_with_password", "value": {"a": "b"}}' session.login_with_password value 1 "session|login"
x_case "session.login_with_password returns an array" \
	'{"method": "session.login_with_password", "value": ["OpaqueRef:x"]}' session.login_with_password value 1 "session|login"
x_case "session.login_with_password returns nil" \
	'{"method": "session.login_with_password", "value": null}' session.login_with_password value 1 "session|login"
# Guest metrics: a wrong type makes the Tools unknown or fails; named either way.
x_case "VM_guest_metrics.get_record returns an array" \
	'{"method": "VM_guest_metrics.get_record", "value": ["x"]}' VM_guest_metrics.get_record value "0 1" "VM_guest_metrics"
x_case "VM_guest_metrics.get_record returns a string" \
	'{"method": "VM_guest_metrics.get_record", "value": "x"}' VM_guest_metrics.get_record value "0 1" "VM_guest_metrics"

# Records of the wrong type, records without the fields csmaint needs, fields of the
# wrong type.
for m in VM.get_all_records host.get_all_records host_metrics.get_all_records; do
	x_case "$m: every record a string" "{\"method\": \"$m\", \"records\": {\"value\": \"x\"}}" "$m" records 1 "${m%%.*}"
	x_case "$m: every record an array" "{\"method\": \"$m\", \"records\": {\"value\": [1]}}" "$m" records 1 "${m%%.*}"
done
x_case "VM records without resident_on, power_state, name_label" \
	'{"method": "VM.get_all_records", "records": {"drop": ["resident_on", "power_state", "name_label"]}}' \
	VM.get_all_records records 1 "VM.*(resident_on|power_state|name_label|$bad|missing)"
x_case "host records without uuid and address" \
	'{"method": "host.get_all_records", "records": {"drop": ["uuid", "address"]}}' \
	host.get_all_records records 1 "host.*(uuid|address|$bad|missing)"
x_case "VM records: resident_on an array" \
	'{"method": "VM.get_all_records", "records": {"set": {"resident_on": ["OpaqueRef:x"]}}}' \
	VM.get_all_records records 1 "resident_on|VM.*($bad)"
x_case "VM records: power_state an int" \
	'{"method": "VM.get_all_records", "records": {"set": {"power_state": 1}}}' \
	VM.get_all_records records 1 "power_state|VM.*($bad)"
x_case "VM records: is_a_template a string" \
	'{"method": "VM.get_all_records", "records": {"set": {"is_a_template": "false"}}}' \
	VM.get_all_records records 1 "is_a_template|VM.*($bad)"
x_case "host records: uuid a struct" \
	'{"method": "host.get_all_records", "records": {"set": {"uuid": {"a": 1}}}}' \
	host.get_all_records records 1 "uuid|host.*($bad)"

# Malformed replies.  (Controls: handled already.)
x_case "HTTP 500 (control)" '{"method": "VM.get_all_records", "transport": "http500"}' \
	VM.get_all_records http500 1 'VM.get_all_records.*500'
x_case "an HTML page instead of XML-RPC" '{"method": "VM.get_all_records", "transport": "html"}' \
	VM.get_all_records html 1 'VM.get_all_records'
x_case "a malformed reply" '{"method": "VM.get_all_records", "transport": "malformed"}' \
	VM.get_all_records malformed 1 'VM.get_all_records'
x_case "a truncated reply" '{"method": "VM.get_all_records", "transport": "truncated"}' \
	VM.get_all_records truncated 1 'VM.get_all_records'
x_case "the connection dropped" '{"method": "VM.get_all_records", "transport": "drop", "count": 2}' \
	VM.get_all_records drop 1 'VM.get_all_records'
x_case "a DOCTYPE before the true reply" '{"method": "host.get_all_records", "transport": "doctype"}' \
	host.get_all_records doctype 1 'doctype'
x_case "values nested 10000 deep" '{"method": "VM.get_all_records", "transport": "deep", "depth": 10000}' \
	VM.get_all_records deep 1 'nest|deep'
x_case "values nested 65 deep" '{"method": "VM.get_all_records", "transport": "deep", "depth": 65}' \
	VM.get_all_records deep 1 'nest|deep'
x_case "a Status that is neither Success nor Failure" \
	'{"method": "VM.get_all_records", "raw_reply": "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Maybe</value></member><member><name>Value</name><value><struct></struct></value></member></struct></value></param></params></methodResponse>"}' \
	VM.get_all_records raw_reply 1 'VM.get_all_records.*(status|maybe|bad reply)'
x_case "Success without a Value" \
	'{"method": "VM.get_all_records", "raw_reply": "<?xml version=\"1.0\"?><methodResponse><params><param><value><struct><member><name>Status</name><value>Success</value></member></struct></value></param></params></methodResponse>"}' \
	VM.get_all_records raw_reply 1 'VM.get_all_records.*(value|bad reply|missing)'
x_case "an XML-RPC <fault> instead of the XenAPI struct" \
	'{"method": "VM.get_all_records", "raw_reply": "<?xml version=\"1.0\"?><methodResponse><fault><value><struct><member><name>faultCode</name><value><int>1</int></value></member><member><name>faultString</name><value>nope</value></member></struct></value></fault></methodResponse>"}' \
	VM.get_all_records raw_reply 1 'VM.get_all_records'
x_case "an empty 200 reply" '{"method": "VM.get_all_records", "raw_reply": ""}' \
	VM.get_all_records raw_reply 1 'VM.get_all_records'
x_case "a Failure with an empty ErrorDescription" '{"method": "VM.get_all_records", "error": []}' \
	VM.get_all_records "(empty ErrorDescription)" 1 'VM.get_all_records'

# Failures with huge or hostile error text: bounded, linear, escaped.
# (Quadratic formatting took 2.7 s for 50,000 items, 36 s for 200,000.)
hcase "xapi: a failure with 100,000 items is reported quickly and bounded"
h_fault '{"method": "VM.get_all_records", "error": ["INTERNAL_ERROR"], "error_items": 100000}'
H_TIMEOUT=6 hrun vms xs-01 --xapi
a_exit 1
a_err 'VM.get_all_records.*INTERNAL_ERROR'
a_err 'more' "the message does not say how many items were left out"
a_err_size 8192
a_secs 3
a_fault_served VM.get_all_records error_items
a_unchanged
hend
hcase "xapi: SIGTERM while a failure with 200,000 items is formatted"
h_fault '{"method": "VM.get_all_records", "error": ["INTERNAL_ERROR"], "error_items": 200000}'
timeout -k 1 8 "$CSMAINT" -c "$CONF" vms xs-01 --xapi >"$OUT" 2>"$ERR" &
pid=$!
sleep 1
t0=$(date +%s.%N)
kill -TERM "$pid" 2>/dev/null
wait "$pid"
RC=$?
H_SECS=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
a_secs 2
a_exit 1 143
a_fault_served VM.get_all_records error_items
a_unchanged
hend
long=$(head -c 100000 /dev/zero | tr '\0' E)
H_MORE='a_err_size 8192'
x_case "a failure with a 100 kB parameter is bounded" \
	"{\"method\": \"VM.get_all_records\", \"error\": [\"INTERNAL_ERROR\", \"$long\"]}" \
	VM.get_all_records INTERNAL_ERROR 1 'VM.get_all_records.*INTERNAL_ERROR'
# XML 1.0 cannot carry ESC or BEL (a bad reply, handled), but it can carry C1 controls
# (U+009B is CSI), direction overrides and newlines: they must be escaped.
x_case "ESC and BEL in an error code: a bad reply (control)" \
	'{"method": "VM.get_all_records", "error": ["EVIL\u001b[2J\u0007"]}' \
	VM.get_all_records $'EVIL\e[2J\a' 1 'VM.get_all_records.*bad reply'
H_MORE="a_no_err '^csmaint: forged'"
x_case "C1 controls, a direction override and a newline in an error are escaped" \
	'{"method": "VM.get_all_records", "error": ["EVIL\u009b2J\u0085", "line\ncsmaint: forged", "\u202egnp.exe"]}' \
	VM.get_all_records $'EVIL\u009b2J\u0085' 1 'VM.get_all_records.*EVIL'


# Sessions: one SESSION_INVALID is retried after a new login (documented); two fail.
hcase "xapi: SESSION_INVALID once: log in again, repeat once (control)"
h_fault '{"method": "VM.get_all_records", "error": ["SESSION_INVALID", "OpaqueRef:x"]}'
hrun vms xs-01 --xapi
a_exit 0
a_out 'i-2-1-VM'
a_eq "logins" 2 "$(simctl calls --methods | grep -c '^session.login_with_password$')"
a_fault_served VM.get_all_records SESSION_INVALID
hend
x_case "SESSION_INVALID twice" '{"method": "VM.get_all_records", "error": ["SESSION_INVALID", "OpaqueRef:x"], "count": 2}' \
	VM.get_all_records SESSION_INVALID 1 'VM.get_all_records.*SESSION_INVALID'
x_case "SESSION_INVALID for ever" '{"method": "*", "error": ["SESSION_INVALID", "OpaqueRef:x"], "count": -1, "skip": 1}' \
	'*' SESSION_INVALID 1 'SESSION_INVALID'

# Task polling (item 1's audit): task.get_record records of the wrong type or with a
# wrong-typed status while patch upload waits for its task: a bad reply, exit 1.
n=0
for rec in '{"value": "x"}' '{"set": {"status": 7}}' '{"set": {"status": ["success"]}}'; do
	n=$((n + 1))
	mkpatch "$TEST_TMP/XS56HOST$n.xsupdate" "d$n$n$n$n$n$n$n-0000-4000-8000-00000000000$n" "XS56HOST$n" restartHost
	H_MORE="a_no_out 'uploaded'"
	x_case "task.get_record during an upload: records $rec" \
		"{\"method\": \"task.get_record\", \"records\": $rec, \"count\": -1}" \
		task.get_record records 1 'task' patch upload "$TEST_TMP/XS56HOST$n.xsupdate" --host xs-01 --execute
done

# The reboot wait (item 1's audit of the other waits): a host record that lacks
# other_config:agent_start_time, or has it of the wrong type, is not "changed": the
# toolstack is not back until a record says so.  The simulated toolstack goes down
# 1 s after the request and stays down 2 s, so a wait that ends before 2.5 s ended
# on the bad record.
simctl set shutdown_delay=1 >/dev/null
simctl set-host xs-02 agent_restart_seconds=2 >/dev/null
# h_all_up: until no simulated host is down (a case that ended early leaves the
# toolstack restart running).
h_all_up() {
	local _
	sleep 1.2	# a restart requested by the last case goes down after shutdown_delay
	for _ in $(seq 50); do
		simctl state | /usr/bin/python3 -c 'import json, sys; sys.exit(1 if json.load(sys.stdin)["down"] else 0)' && return 0
		sleep 0.2
	done
	return 1
}
reboot_case() {	# NAME RECORDS-JSON
	h_all_up
	hcase "xapi: reboot wait: $1"
	h_fault "{\"method\": \"host.get_record\", \"records\": $2, \"skip\": 1, \"count\": 3}"
	H_TIMEOUT=30 hrun host reboot xs-02 --toolstack --execute
	a_exit 0 1
	a_secs 30
	H_ASSERTS=$((H_ASSERTS + 1))
	awk -v s="$H_SECS" 'BEGIN { exit !(s >= 2.5) }' ||
		h_fail "the wait ended after ${H_SECS}s, before the toolstack even went down"
	a_fault_served host.get_record records
	a_clean_text
	a_unchanged
	hend
}
hcase "xapi: reboot wait without a fault (control)"
simctl clear-faults >/dev/null
H_TIMEOUT=30 hrun host reboot xs-02 --toolstack --execute
a_exit 0
a_err 'back after'
H_ASSERTS=$((H_ASSERTS + 1))
awk -v s="$H_SECS" 'BEGIN { exit !(s >= 2.5) }' || h_fail "the control ended after ${H_SECS}s"
hend
reboot_case "host.get_record without other_config" '{"set": {"other_config": {}}}'
reboot_case "agent_start_time an int" '{"set": {"other_config": {"agent_start_time": 5, "boot_time": "1286883350."}}}'
simctl set shutdown_delay=0.1 >/dev/null
h_all_up

# A reply bigger than the documented 256 MiB cap (one case: it streams 300 MiB).
x_case "a 300 MiB reply" '{"method": "host.get_all_records", "transport": "huge", "size": 314572800}' \
	host.get_all_records huge 1 'MiB|large|limit|too'
simctl clear-faults >/dev/null
CONF=$xapi_conf
