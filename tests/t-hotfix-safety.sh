#!/usr/bin/env bash
# The procedure's safety rules under faults:
# - a wait ends only on a positive observation: XenAPI errors while VMs still run on the
#   host never complete wait-vms (issue 8, item 1);
# - every FILE and the catalog are checked before anything changes (item 6);
# - SIGTERM during the reboot wait ends the run within seconds, rolled back (issue 9 §3);
# - a resume after a kill between apply and reboot, or during the reboot, reboots the
#   host exactly once and boot_time moves (issue 10, item 0).
. "$TOP_SRCDIR/tests/lib/common.sh"

boot_time() {	# the XenServer host xs-01's other_config:boot_time in the simulator
	simctl state | /usr/bin/python3 -c 'import json,sys
d=json.load(sys.stdin)["db"]["host"]
print([h for h in d.values() if h["name_label"]=="xs-01"][0]["other_config"]["boot_time"])'
}
count_calls() {	# METHOD: how many times the simulator served it
	simctl calls --methods | grep -cx "$1"
}
step_state() {	# NAME: the state of the operation's step NAME (empty if none)
	sql "SELECT state FROM operation_step WHERE name = '$1' ORDER BY seq DESC LIMIT 1" csmaint
}

# 1. XenAPI errors during wait-vms are "not known yet": the wait goes on.
hotfix_fresh
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$OUT" 2>"$ERR" &
BG=$!
wait_step wait-vms running || echo "wait-vms never started"
simctl reset-calls >/dev/null
for kind in http500 http500 malformed; do
	simctl transport-fault VM.get_all_records "$kind" --count 1 >/dev/null
	for _ in $(seq 100); do
		simctl state | grep -q '"faults": \[\]' && break
		sleep 0.1
	done
done
simctl fault VM.get_all_records INTERNAL_ERROR "hostile" --count 2 >/dev/null
for _ in $(seq 100); do simctl state | grep -q '"faults": \[\]' && break; sleep 0.1; done
sleep 1	# a few more polls with the VMs still on the host
served=$(simctl calls | /usr/bin/python3 -c 'import json,sys
c=json.load(sys.stdin); c=c.get("calls", c) if isinstance(c, dict) else c
print(sum(1 for x in c if x["method"]=="VM.get_all_records" and (x.get("transport_fault") or x.get("result")=="INTERNAL_ERROR")))')
expect_eq "the simulator served the five faults" 5 "$served"
expect_eq "wait-vms still waiting while the VMs run on the host" running "$(step_state wait-vms)"
expect_eq "no later step started" 0 "$(sql "SELECT COUNT(*) FROM operation_step WHERE name IN ('wait-no-tools','wait-maintenance','patch')" csmaint)"
msctl autopilot xs-01 >/dev/null
wait $BG
RC=$?
expect_eq "then the procedure finishes" 0 "$RC"
expect_err "not known yet: XenServer did not answer" "the wait showed the error as not known yet"
expect_eq "operation done" done "$(op_state 1)"

# 2. Unusable files are found before anything changes: exit 3, nothing written.
hotfix_fresh
msctl autopilot xs-01 >/dev/null
placement() { sql "SELECT GROUP_CONCAT(id, ':', IFNULL(host_id, '-'), ':', state ORDER BY id) FROM vm_instance"; }
before="$(alloc_of 1) $(placement)"
mkdir "$TEST_TMP/adir"
mkfifo "$TEST_TMP/afifo"
ln -s "$TEST_TMP/nowhere" "$TEST_TMP/dangling"
: >"$TEST_TMP/empty.xsupdate"
printf 'not an image' >"$TEST_TMP/fake.iso"
for bad in "$TEST_TMP/missing.xsupdate:No such file" "$TEST_TMP/adir:a directory" \
	"/dev/zero:a character device" "$TEST_TMP/afifo:a FIFO" "$TEST_TMP/dangling:No such file" \
	"$TEST_TMP/empty.xsupdate:is empty" "$TEST_TMP/fake.iso:not an ISO 9660 image"; do
	f=${bad%%:*} why=${bad#*:}
	timeout 20 "$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" "$f" --execute >"$OUT" 2>"$ERR"
	RC=$?
	expect_eq "hotfix with $(basename "$f"): exit 3" 3 "$RC"
	expect_err "$why" "the message says why ($why)"
	expect_err "nothing was changed" "and that nothing changed"
done
timeout 20 "$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --catalog "$TEST_TMP/afifo" --execute >"$OUT" 2>"$ERR"
RC=$?
expect_eq "a FIFO as catalog: exit 3 at once" 3 "$RC"
nl="$TEST_TMP/two
lines.xsupdate"
cp "$F3" "$nl"
expect_exit 2 "a path with a newline (it would forge a line of the journal's arguments)" \
	hotfix xs-01 "$nl" --execute
expect_err "path contains a control character" "says why"
expect_eq "no operation was opened" 0 "$(sql "SELECT COUNT(*) FROM operation" csmaint)"
expect_eq "host still Enabled, no VM moved (the operator was never asked)" "$before" \
	"$(alloc_of 1) $(placement)"

# 3. SIGTERM during the reboot wait: ends within 5 s, rolled back, exit 1, journal why.
hotfix_fresh
simctl set-host xs-01 reboot_seconds=120 >/dev/null
msctl autopilot xs-01 >/dev/null
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$OUT" 2>"$ERR" &
BG=$!
wait_step reboot running || echo "reboot never started"
for _ in $(seq 100); do grep -q "reboot requested" "$ERR" && break; sleep 0.1; done
sleep 1
t0=$(date +%s)
kill -TERM $BG
wait $BG
RC=$?
t1=$(date +%s)
expect_eq "SIGTERM in the reboot wait: exit 1" 1 "$RC"
check "it stopped within 5 s ($((t1 - t0)) s)" test $((t1 - t0)) -le 5
expect_eq "row back at its prior value" Enabled "$(alloc_of 1)"
expect_eq "operation rolled back" rolled_back "$(op_state 1)"
why=$(sql "SELECT last_error FROM operation WHERE id = 1" csmaint)
case $why in *"interrupted by signal 15"*) ok "the journal says why" ;; *) not_ok "the journal says why: '$why'" ;; esac

# 4. Killed between the apply and the reboot: resume reboots exactly once.
hotfix_fresh
simctl transport-fault host.disable stall --seconds 30 --execute no --count 1 >/dev/null
msctl autopilot xs-01 >/dev/null
boot0=$(boot_time)
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" "$F4" --execute >"$OUT" 2>"$ERR" &
BG=$!
wait_step patch done || echo "patch never done"
for _ in $(seq 100); do [ "$(count_calls host.disable)" -gt 0 ] && break; sleep 0.1; done
kill -KILL $BG
wait $BG 2>/dev/null
simctl clear-faults >/dev/null
expect_eq "killed before the reboot was asked for: no reboot yet" 0 "$(count_calls Async.host.reboot)"
expect_eq "boot_time not moved yet" "$boot0" "$(boot_time)"
expect_exit 0 "resume after the patch step" resume 1
expect_eq "resume rebooted the host once" 1 "$(count_calls Async.host.reboot)"
check "boot_time moved" test "$(boot_time)" != "$boot0"
detail=$(sql "SELECT detail FROM operation_step WHERE name = 'reboot' AND state = 'done'" csmaint)
expect_eq "the reboot step says the host rebooted" "host rebooted; 2 patches verified applied" "$detail"
expect_eq "operation done" done "$(op_state 1)"
expect_eq "row restored" Enabled "$(alloc_of 1)"

# 5. Killed during the reboot: resume waits for it and does not reboot again.
hotfix_fresh
simctl set-host xs-01 reboot_seconds=3 >/dev/null
msctl autopilot xs-01 >/dev/null
boot0=$(boot_time)
"$CSMAINT" -c "$CONF" hotfix xs-01 "$F3" --execute >"$OUT" 2>"$ERR" &
BG=$!
for _ in $(seq 300); do [ "$(count_calls Async.host.reboot)" -gt 0 ] && break; sleep 0.1; done
kill -KILL $BG
wait $BG 2>/dev/null
expect_exit 0 "resume during the reboot" resume 1
expect_eq "still one reboot in all" 1 "$(count_calls Async.host.reboot)"
check "boot_time moved" test "$(boot_time)" != "$boot0"
detail=$(sql "SELECT detail FROM operation_step WHERE name = 'reboot' AND state = 'done'" csmaint)
expect_eq "the reboot step says it only waited" "host rebooted (before this resume); 1 patch verified applied" "$detail"
expect_eq "operation done" done "$(op_state 1)"
finish
