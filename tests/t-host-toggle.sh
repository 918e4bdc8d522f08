#!/usr/bin/env bash
# host disable / host enable on CloudStack 2.2: dry run, CAS, journal row, refusals.
. "$TOP_SRCDIR/tests/lib/common.sh"
cs_setup 2.2

# A dry run prints the exact statements and changes nothing.
before=$(cs_digest)
jbefore=$(sql "SELECT COUNT(*) FROM operation" csmaint)
expect_exit 0 "dry run of disable" host disable xs-01 --reason "dry"
expect_out '^UPDATE host SET allocation_state = .Disabled. WHERE id = 1 AND allocation_state = .Enabled.' "dry run shows the CAS update"
expect_out '^INSERT INTO `csmaint`.operation' "dry run shows the journal insert"
expect_out '^COMMIT;' "dry run shows COMMIT"
expect_eq "dry run left the CloudStack tables alone" "$before" "$(cs_digest)"
expect_eq "dry run wrote no journal row" "$jbefore" "$(sql "SELECT COUNT(*) FROM operation" csmaint)"
expect_no_err 's3cr3t-pw' "dry run output has no password"

# The real thing: one transaction, CAS, journal row with prior/new values.
expect_exit 0 "disable xs-01" host disable xs-01 --reason "hotfix XS56EFP1001" --execute
expect_eq "row is Disabled" Disabled "$(alloc_of 1)"
expect_eq "journal row" "disable	1	xs-01	allocation_state	Enabled	Disabled	holding	1	hotfix XS56EFP1001" \
	"$(sql "SELECT kind, host_id, host_name, column_name, prior_value, new_value, state, open_host, reason FROM operation" csmaint)"
expect_eq "journal step" "1	disable	done" "$(sql "SELECT seq, name, state FROM operation_step" csmaint)"
expect_out '"?holding' "disable prints the operation"
expect_err "allocation_state 'Enabled' -> 'Disabled' \(operation 1\)" "disable says what changed"
expect_eq "other hosts untouched" "1" "$(sql "SELECT COUNT(*) FROM host WHERE id <> 1 AND allocation_state = 'Disabled'")"

# A second operator is refused, naming the operation that holds the host.
expect_exit 4 "second disable of the same host" host disable 1 --execute
expect_err "operation 1 \(disable, holding\) by .* holds it" "refusal names the holding operation"
expect_eq "still one journal row" 1 "$(sql "SELECT COUNT(*) FROM operation" csmaint)"

# Enable restores the recorded value and closes the operation.
expect_exit 0 "dry run of enable" host enable xs-01
expect_out "^UPDATE host SET allocation_state = 'Enabled' WHERE id = 1 AND allocation_state = 'Disabled'" "enable dry run shows the restoring CAS"
expect_eq "enable dry run changed nothing" Disabled "$(alloc_of 1)"
expect_exit 0 "enable xs-01" host enable xs-01 --execute
expect_eq "row is Enabled again" Enabled "$(alloc_of 1)"
expect_eq "operation closed" "done	NULL" "$(sql "SELECT state, IFNULL(open_host, 'NULL') FROM operation WHERE id = 1" csmaint)"
expect_eq "enable step recorded" "2	enable	done" "$(sql "SELECT seq, name, state FROM operation_step WHERE seq = 2" csmaint)"
expect_exit 4 "enable when no operation holds the host" host enable 1 --execute
expect_err "no csmaint operation holds it" "says csmaint did not disable it"

# Refusals: already Disabled (not by csmaint), not a hypervisor, removed, unknown.
before=$(cs_digest)
expect_exit 4 "disable an already Disabled host" host disable xs-04 --execute
expect_err "cannot disable host 4 \(xs-04\): allocation_state is 'Disabled', expected 'Enabled'" "says what the row holds"
expect_exit 4 "disable a Storage host" host disable 16 --execute
expect_err "Storage host, not a hypervisor" "non-Routing refused"
expect_exit 4 "disable a removed host" host disable xs-old --execute
expect_err "removed from CloudStack" "removed host refused"
expect_exit 3 "disable an unknown host" host disable no-such-host --execute
expect_exit 3 "unknown numeric id" host disable 999999 --execute
expect_exit 2 "ambiguous name" host disable xs-dup --execute
expect_err "ambiguous: ids 10 .*11" "ambiguity lists the candidates"
expect_exit 3 "name with SQL text that matches nothing" host disable "x' OR '1'='1" --execute
expect_exit 3 "a 300-character name" host disable "$(printf 'x%.0s' $(seq 300))" --execute
expect_eq "refusals changed nothing" "$before" "$(cs_digest)"
expect_eq "refusals wrote no journal rows" 1 "$(sql "SELECT COUNT(*) FROM operation" csmaint)"

# Hostile names are data: quotes, SQL text and UTF-8 round-trip exactly.
expect_exit 0 "disable the host whose name is SQL text" host disable "xs'; DROP TABLE host; --\"q" --execute
expect_eq "its row changed" Disabled "$(alloc_of 13)"
expect_eq "journal holds the exact name" "xs'; DROP TABLE host; --\"q" "$(sql "SELECT host_name FROM operation WHERE host_id = 13" csmaint)"
expect_exit 0 "enable it again" host enable 13 --execute
expect_exit 0 "disable the UTF-8 host by name" host disable "xs-ünïcødé-☃" --reason "Ünïcode reason ☃" --execute
expect_eq "UTF-8 reason stored" "Ünïcode reason ☃" "$(sql "SELECT reason FROM operation WHERE host_id = 14" csmaint)"
expect_exit 0 "enable the UTF-8 host" host enable 14 --execute
long="xs-long-$(printf '0123456789%.0s' $(seq 24))0123456"
expect_exit 0 "disable the 255-character host by name" host disable "$long" --execute
expect_exit 0 "enable it" host enable 15 --execute

# Bad input is refused before anything runs.
expect_exit 2 "control character in --reason" host disable 2 --reason "$(printf 'a\001b')" --execute
expect_exit 2 "4-byte UTF-8 in --reason (MySQL 5.1 utf8 cannot store it)" host disable 2 --reason "emoji 😀" --execute
expect_exit 2 "missing HOST" host disable
expect_exit 2 "unknown option" host disable 2 --force
expect_eq "host 2 untouched" Enabled "$(alloc_of 2)"

# Drift: CloudStack re-enabled the host behind csmaint's back; enable refuses and says so.
expect_exit 0 "disable xs-02" host disable xs-02 --execute
sql "UPDATE host SET allocation_state = 'Enabled' WHERE id = 2"
expect_exit 4 "enable after CloudStack reset the row" host enable xs-02 --execute
expect_err "allocation_state is 'Enabled', expected 'Disabled' as operation [0-9]+ wrote it; CloudStack re-enabled" "refusal explains the reset on reconnect"
expect_eq "operation still holding" holding "$(sql "SELECT state FROM operation WHERE host_id = 2" csmaint)"
op=$(sql "SELECT id FROM operation WHERE host_id = 2" csmaint)

# recover closes it: the row already holds the prior value, so nothing is written.
expect_exit 0 "recover dry run" recover "$op"
expect_eq "dry run left the operation open" holding "$(sql "SELECT state FROM operation WHERE id = $op" csmaint)"
expect_exit 0 "recover after the reset" recover "$op" --execute
expect_err "already had allocation_state 'Enabled'; nothing written" "says nothing was written"
expect_eq "operation rolled back and closed" "rolled_back	NULL" "$(sql "SELECT state, IFNULL(open_host, 'NULL') FROM operation WHERE id = $op" csmaint)"
expect_exit 0 "recover again is a no-op" recover "$op" --execute
expect_err "already closed \(rolled_back\): nothing to do" "second recover says so"

# recover of a held host restores the prior value with the same compare-and-set.
expect_exit 0 "disable xs-02 again" host disable xs-02 --execute
op=$(sql "SELECT id FROM operation WHERE open_host = 2" csmaint)
expect_exit 0 "recover restores" recover "$op" --execute
expect_eq "row Enabled" Enabled "$(alloc_of 2)"
expect_eq "recover step recorded" "recover	done" "$(sql "SELECT name, state FROM operation_step WHERE operation_id = $op ORDER BY seq DESC LIMIT 1" csmaint)"
expect_exit 3 "recover of an unknown operation" recover 99999 --execute
expect_exit 2 "recover needs a number" recover abc
expect_exit 0 "journal alone lists operations" journal -o json
expect_out '"operations": \[' "journal is journal list"
finish
