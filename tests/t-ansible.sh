#!/usr/bin/env bash
# conf/ansible/rolling.yml under Debian's ansible-playbook, against the simulated site:
# two XenServer pools in one CloudStack database, the operator played by the
# management-server simulator's autopilot.  Check mode is csmaint's dry run and
# changes nothing; a real run patches pool-a, then pool-b; a pool that fails (a
# capacity refusal, an apply failure) stops the play and the pool after it is
# untouched; after `csmaint resume` the playbook again finishes the fleet.  The
# inventory is the sample's, with this test's pools and paths.
. "$TOP_SRCDIR/tests/lib/common.sh"
need_cmd /usr/bin/ansible-playbook ansible-core	# Debian's, not one from pip in $PATH
need_py yaml python3-yaml	# the sample inventory, read and rewritten (ansible-core needs it too)
need_py pymysql python3-pymysql	# the management-server simulator (tests/mssim)

# Ansible offline and inside TEST_TMP: no ~/.ansible, no config from the working
# directory or /etc/ansible, no colour, no retry files.
ANS=$TEST_TMP/ansible REAL_HOME=$HOME
mkdir -p "$ANS/home" "$ANS/tmp"
cat >"$ANS/ansible.cfg" <<EOF
[defaults]
home = $ANS/home/.ansible
local_tmp = $ANS/tmp/local
remote_tmp = $ANS/tmp/remote
retry_files_enabled = false
nocolor = true
interpreter_python = /usr/bin/python3
EOF
export HOME=$ANS/home ANSIBLE_CONFIG=$ANS/ansible.cfg ANSIBLE_HOME=$ANS/home/.ansible \
	ANSIBLE_LOCAL_TEMP=$ANS/tmp/local ANSIBLE_REMOTE_TEMP=$ANS/tmp/remote \
	ANSIBLE_ASYNC_DIR=$ANS/tmp/async ANSIBLE_NOCOLOR=1 ANSIBLE_FORCE_COLOR=0 \
	ANSIBLE_RETRY_FILES_ENABLED=0 ANSIBLE_COLLECTIONS_PATH=$ANS/collections \
	ANSIBLE_ROLES_PATH=$ANS/roles \
	ANSIBLE_DEPRECATION_WARNINGS=0
PLAYBOOK=$TOP_SRCDIR/conf/ansible/rolling.yml SAMPLE=$TOP_SRCDIR/conf/ansible/inventory.sample.yml

# The site: one CloudStack database, pools pool-a, pool-b (each fits with one host out)
# and pool-tight (does not), each its own simulated XenServer pool.
# Three hosts a pool keep the play short; the 4-host runs are t-rolling's.
MKPOOL_ARGS_pool_a="--hosts 3" MKPOOL_ARGS_pool_b="--hosts 3"
rolling_setup 2.2 pool-a pool-b pool-tight	# also $F3, $F4 (XS56EFP1003, XS56EFP1004)
U3=c3c3c3c3-0000-4000-8000-000000000003 U4=c4c4c4c4-0000-4000-8000-000000000004
U5=c5c5c5c5-0000-4000-8000-000000000005 F5=$TEST_TMP/XS56EFP1005.xsupdate
mkpatch "$F5" $U5 XS56EFP1005 restartHost "requires=$U4"

# inventory FILE POOL...: the sample inventory, its pools replaced by POOL... in that
# order (one group, with this test's config, csmaint and hotfix files); the sample's
# structure, its group vars and the group the playbook runs on are kept.
inventory() {
	local file=$1
	shift
	HOTFIX_LIST=$(printf '%s\n' "${HOTFIXES[@]}") \
	/usr/bin/python3 - "$SAMPLE" "$file" "$CSMAINT" "$CONF" "$@" <<'EOF' || exit 1
import os, sys, yaml
sample, out, csmaint, conf, *pools = sys.argv[1:]
inv = yaml.safe_load(open(sample))
group = inv["all"]["children"]["csmaint_pools"]
zones = group["children"]
assert zones and all(z.get("hosts") for z in zones.values()), "sample: no pools"
for z in zones.values():
    for name, h in z["hosts"].items():
        assert "csmaint_cluster" in h, ("sample pool without csmaint_cluster", name)
zone = dict(next(iter(zones.values())))
zone["vars"] = dict(zone.get("vars") or {}, csmaint_config=conf,
                    csmaint_hotfixes=os.environ["HOTFIX_LIST"].split("\n"), csmaint_reason="t-ansible")
zone.pop("hosts")
zone["hosts"] = {"site-" + p: {"csmaint_cluster": p} for p in pools}
group["vars"]["csmaint_command"] = csmaint
group["children"] = {"zone_test": zone}
yaml.safe_dump(inv, open(out, "w"), sort_keys=False)
EOF
}
HOTFIXES=("$F3" "$F4")

# play DESC WANT-EXIT POOL... [-- ANSIBLE-ARGS...]: the playbook on these pools.
PLAY_OUT=$TEST_TMP/play.out PLAYS=0
play() {
	local d=$1 want=$2 pools=() rc
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do pools+=("$1"); shift; done
	[ $# -gt 0 ] && shift
	inventory "$ANS/inventory.yml" "${pools[@]}"
	(cd "$ANS" && /usr/bin/ansible-playbook -i "$ANS/inventory.yml" "$PLAYBOOK" "$@") >"$PLAY_OUT" 2>&1
	rc=$?
	PLAYS=$((PLAYS + 1))
	cp "$PLAY_OUT" "$TEST_TMP/play-$PLAYS.out"	# each play's output, for KEEP_TMP=1
	if [ "$rc" -eq "$want" ]; then ok "$d (ansible-playbook exit $want)"; else
		RC=$rc OUT=$PLAY_OUT ERR=/dev/null not_ok "$d: want ansible-playbook exit $want"; fi
}
expect_play() { if grep -qE -- "$1" "$PLAY_OUT"; then ok "$2"; else OUT=$PLAY_OUT ERR=/dev/null not_ok "$2 (playbook output lacks $1)"; fi; }
# recap POOL: the pool's PLAY RECAP line, e.g. "ok=3 changed=1 ... failed=0".
recap() { sed -n "s/^site-$1 *: *//p" "$PLAY_OUT" | tr -s ' '; }

# The rows an operator cares about (mssim's pings change last_ping all the time).
# rows [POOL]: of the whole site, or of one pool's hosts and the VMs on them.
rows() {
	local h="1 = 1" v="1 = 1"
	[ $# -gt 0 ] && h="cluster_id = (SELECT id FROM cluster WHERE name = '$1')" &&
		v="host_id IN (SELECT id FROM host WHERE $h) OR last_host_id IN (SELECT id FROM host WHERE $h)"
	sql "SELECT id, status, allocation_state FROM host WHERE $h ORDER BY id; SELECT id, state, host_id FROM vm_instance WHERE $v ORDER BY id" | md5sum | cut -c1-32
}
# hosts_of POOL: the CloudStack hosts (Routing) of a cluster, by id.
hosts_of() { sql "SELECT h.name FROM host h JOIN cluster c ON c.id = h.cluster_id WHERE c.name = '$1' AND h.type = 'Routing' AND h.removed IS NULL ORDER BY h.id"; }
# applied HOST UUID: "true" or "false" (the hotfix's applied_here per XenAPI, through
# csmaint patch list), "absent" (the pool does not know it); "error: ..." when the list
# could not be read, which is neither.
applied() {
	local out
	out=$("$CSMAINT" -c "$CONF" patch list --host "$1" -o json 2>"$TEST_TMP/applied.err") ||
		{ echo "error: exit $?: $(tr '\n' ' ' <"$TEST_TMP/applied.err" | head -c 200)"; return; }
	printf '%s\n' "$out" | /usr/bin/python3 -c '
import json, sys
text = sys.stdin.read()
try:
    rows = json.loads(text)["patches"]
except Exception:
    print("error: " + " ".join(text.split())[:200]); sys.exit()
hit = [r for r in rows if r["uuid"] == sys.argv[1]]
print("absent" if not hit else "true" if hit[0]["applied_here"] is True else "false")' "$2"
}
# pool_patched POOL UUID...: every host of POOL has every UUID applied.
pool_patched() {
	local p=$1 h u a bad=
	shift
	for h in $(hosts_of "$p"); do
		for u in "$@"; do a=$(applied "$h" "$u"); [ "$a" = true ] || bad="$bad $h:$u:$a"; done
	done
	[ -z "$bad" ] || { echo "  # not applied:$bad"; return 1; }
}
# pool_untouched POOL UUID: no host of POOL has UUID (known or not to the pool), every
# host Enabled.
pool_untouched() {
	local h a bad=
	for h in $(hosts_of "$1"); do
		a=$(applied "$h" "$2")
		case $a in false|absent) ;; *) bad="$bad $h:$a" ;; esac
		[ "$(sql "SELECT allocation_state FROM host WHERE name = '$h'")" = Enabled ] || bad="$bad $h:not-enabled"
	done
	[ -z "$bad" ] || { echo "  # touched:$bad"; return 1; }
}
rolling_ops() { sql "SELECT COUNT(*) FROM operation WHERE kind = 'rolling' AND host_name = '$1'" "$JOURNAL"; }

# The sample itself, as Ansible reads it: every pool in csmaint_pools, with a cluster.
sample_ok() {
	(cd "$ANS" && /usr/bin/ansible-inventory -i "$SAMPLE" --list 2>"$ANS/inventory.err") |
		/usr/bin/python3 -c '
import json, sys
pools = json.load(sys.stdin)["_meta"]["hostvars"]
assert len(pools) >= 2, pools
for name, v in pools.items():
    assert str(v["csmaint_cluster"]) != "", name
    assert v.get("csmaint_hotfixes") or v.get("csmaint_catalog"), name
    assert v["ansible_connection"] == "local", name
'
}
check "the sample inventory parses: its pools, each with a cluster and hotfixes or a catalog" sample_ok
check "the site has two hosts or more in pool-a and pool-b" \
	test "$(hosts_of pool-a | wc -l)" -ge 2 -a "$(hosts_of pool-b | wc -l)" -ge 2

# (a) Check mode: the dry run of both pools; nothing changes.
before=$(rows)
play "check mode on pool-a, pool-b" 0 pool-a pool-b -- --check
expect_eq "check mode: no host or VM row changed" "$before" "$(rows)"
expect_eq "check mode: the journal has no operation" 0 "$(sql "SELECT COUNT(*) FROM operation" "$JOURNAL")"
check "check mode: no host has a hotfix applied" pool_untouched pool-a $U3
check "check mode: pool-b neither" pool_untouched pool-b $U3
expect_play "TASK \[csmaint rolling pool-a \(dry run\)\]" "the task says it is a dry run"
expect_play "\"host 1/3 rx-01: the hotfix procedure as a child operation" "check mode shows csmaint's plan for pool-a"
expect_play "\"host 3/3 ry-03: the hotfix procedure" "and for pool-b"
expect_play "\"1\. rx-01( \(master\))?: pending, 2 to apply\"" "the report says what each host would get"
expect_play "\"capacity step 1 \(rx-01 out\): [0-9]+ VMs, [0-9]+ MiB needed, .*, fits\"" "and the capacity at each step"
case $(recap pool-a) in *"changed=1"*"failed=0"*) ok "check mode: pool-a would change" ;;
	*) not_ok "check mode recap of pool-a: $(recap pool-a)" ;; esac

# (c) A refusal in the first pool stops the play: pool-tight cannot absorb a host.
before=$(rows)
play "pool-tight first: refused" 2 pool-tight pool-a
expect_eq "refused: no host or VM row changed" "$before" "$(rows)"
expect_play "csmaint rolling pool-tight: exit status 4, refused by a safety check" \
	"the failure names the pool and the exit status's meaning"
expect_play "The pools after this one were not touched" "and says the next pools were left alone"
expect_play "\"capacity step [0-9] \(rt-0[1-4] out\): .*, does not fit: " "the step that does not fit is shown"
expect_eq "refused: no operation for pool-tight, none for pool-a" "0 0" "$(rolling_ops pool-tight) $(rolling_ops pool-a)"
check "refused: pool-a untouched" pool_untouched pool-a $U3
if grep -q "TASK \[csmaint rolling pool-a\]" "$PLAY_OUT"; then not_ok "the play went on to pool-a"; else
	ok "the play never reached pool-a"; fi

# (b) The real run: pool-a, then pool-b.
msctl autopilot-cluster pool-a >/dev/null
msctl autopilot-cluster pool-b >/dev/null
play "real run on pool-a, pool-b" 0 pool-a pool-b
expect_play "\"1\. rx-01 \(master\): done, 2 applied, disabled [0-9]+ s" "the report shows each host done"
expect_play "\"pool pool-b: done, operation [0-9]+" "and each pool"
expect_eq "two rolling operations, both done" "pool-a	done
pool-b	done" "$(sql "SELECT host_name, state FROM operation WHERE kind = 'rolling' ORDER BY id" "$JOURNAL")"
expect_eq "pool-a finished before pool-b started" 1 \
	"$(sql "SELECT a.finished <= b.started AND a.id < b.id FROM operation a, operation b WHERE a.kind = 'rolling' AND a.host_name = 'pool-a' AND b.kind = 'rolling' AND b.host_name = 'pool-b'" "$JOURNAL")"
expect_eq "every host of pool-a's children done before pool-b's first began" 1 \
	"$(sql "SELECT MAX(ca.finished) <= MIN(cb.started) FROM operation a JOIN operation ca ON ca.parent_id = a.id, operation b JOIN operation cb ON cb.parent_id = b.id WHERE a.host_name = 'pool-a' AND a.kind = 'rolling' AND b.host_name = 'pool-b' AND b.kind = 'rolling'" "$JOURNAL")"
for p in pool-a pool-b; do
	check "$p: every host has both hotfixes applied (XenAPI)" pool_patched $p $U3 $U4
	expect_eq "$p: one done child operation per host" "$(hosts_of $p | wc -l)" \
		"$(sql "SELECT COUNT(*) FROM operation c JOIN operation r ON c.parent_id = r.id WHERE r.host_name = '$p' AND r.kind = 'rolling' AND c.kind = 'hotfix' AND c.state = 'done'" "$JOURNAL")"
	case $(recap $p) in *"changed=1"*"failed=0"*) ok "$p reported changed" ;;
		*) not_ok "recap of $p: $(recap $p)" ;; esac
done
# The autopilot cancels maintenance after the last restore: the hosts come back.
for _ in $(seq 100); do
	[ "$(sql "SELECT COUNT(*) FROM host h JOIN cluster c ON c.id = h.cluster_id WHERE c.name IN ('pool-a','pool-b') AND h.type = 'Routing' AND (h.status <> 'Up' OR h.allocation_state <> 'Enabled')")" = 0 ] && break
	sleep 0.2
done
expect_eq "every host of both pools Up and Enabled" 0 \
	"$(sql "SELECT COUNT(*) FROM host h JOIN cluster c ON c.id = h.cluster_id WHERE c.name IN ('pool-a','pool-b') AND h.type = 'Routing' AND (h.status <> 'Up' OR h.allocation_state <> 'Enabled')")"
expect_eq "the journal has nothing open" 0 "$(sql "SELECT COUNT(*) FROM operation WHERE finished IS NULL" "$JOURNAL")"

# Again: both pools are at the level, csmaint skips every host: ok, not changed.
play "a second run: nothing to do" 0 pool-a pool-b
case "$(recap pool-a) / $(recap pool-b)" in *"changed=0"*"failed=0"*" / "*"changed=0"*"failed=0"*) ok "both pools ok, not changed" ;;
	*) not_ok "second run recaps: $(recap pool-a) / $(recap pool-b)" ;; esac

# (c) An apply failure on pool-a's first host (an async job this time, as the README
# advises over SSH): pool-a's operation fails, the play stops, pool-b is untouched.
n_b=$(rolling_ops pool-b) before_b=$(rows pool-b)
HOTFIXES=("$F3" "$F4" "$F5")
second=$(hosts_of pool-a | sed -n 2p)
# shellcheck disable=SC2154 # XS_STATE_pool_a: set by rolling_setup (eval)
/usr/bin/python3 "$TOP_SRCDIR/tests/xapisim/simctl" --state-dir "$XS_STATE_pool_a" set "apply_fail_on=[\"$second\"]" >/dev/null ||
	{ echo "simctl set apply_fail_on failed"; exit 1; }
play "apply failure in pool-a" 2 pool-a pool-b -- -e csmaint_async=240 -e csmaint_poll=1
expect_play "csmaint rolling pool-a: exit status 1, failed" "the failure says the host was rolled back"
expect_play "Pool operation [0-9]+ is failed" "and names the pool operation"
expect_eq "pool-a's operation failed" failed \
	"$(sql "SELECT state FROM operation WHERE kind = 'rolling' AND host_name = 'pool-a' ORDER BY id DESC LIMIT 1" "$JOURNAL")"
expect_eq "no new operation for pool-b" "$n_b" "$(rolling_ops pool-b)"
check "pool-b untouched: no host has XS56EFP1005" pool_untouched pool-b $U5
expect_eq "pool-b's host and VM rows unchanged" "$before_b" "$(rows pool-b)"
if grep -q "TASK \[csmaint rolling pool-b\]" "$PLAY_OUT"; then not_ok "the play went on to pool-b"; else
	ok "the play never reached pool-b"; fi
# As conf/ansible/README says: fix the cause, resume the pool operation, run the
# playbook again: pool-a (at the level now) is ok, pool-b is patched.
op=$(sql "SELECT id FROM operation WHERE kind = 'rolling' AND host_name = 'pool-a' ORDER BY id DESC LIMIT 1" "$JOURNAL")
# shellcheck disable=SC2154
/usr/bin/python3 "$TOP_SRCDIR/tests/xapisim/simctl" --state-dir "$XS_STATE_pool_a" set "apply_fail_on=[]" >/dev/null
expect_exit 0 "csmaint resume finishes pool-a" resume "$op"
play "the playbook again after the resume" 0 pool-a pool-b
case "$(recap pool-a) / $(recap pool-b)" in *"changed=0"*"failed=0"*" / "*"changed=1"*"failed=0"*) ok "pool-a ok, pool-b changed" ;;
	*) not_ok "recaps after the resume: $(recap pool-a) / $(recap pool-b)" ;; esac
check "pool-a: every host has XS56EFP1005" pool_patched pool-a $U5
check "and pool-b" pool_patched pool-b $U5

if [ -e "$REAL_HOME/.ansible" ]; then
	expect_eq "nothing written under the real ~/.ansible" "" "$(find "$REAL_HOME/.ansible" -newer "$ANS/ansible.cfg" | head -n 3)"
else
	check "no ~/.ansible in the real home" test ! -e "$REAL_HOME/.ansible"
fi
check "Ansible's temporary files went to the test's directory" test -d "$ANS/tmp/local"
finish
