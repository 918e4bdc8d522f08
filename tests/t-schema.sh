#!/usr/bin/env bash
# schema / schema install: generation detection, refusals, idempotent journal install.
. "$TOP_SRCDIR/tests/lib/common.sh"
mdb_start "$TEST_TMP/db" >/dev/null || exit 1
mdb_load_cloudstack 2.2 "$CLOUD" || exit 1
mdb_create_user csm 's3cr3t-pw' "ALL PRIVILEGES ON *.*" || exit 1
printf 's3cr3t-pw\n' >"$TEST_TMP/db.pass"; chmod 600 "$TEST_TMP/db.pass"
write_conf

expect_exit 0 "schema before the journal exists" schema -o json
expect_out '"cloudstack_version": "2.2.14.20120210102939"' "newest Complete version row"
expect_out '"generation": "2.2.4-2.2.15"' "generation 2.2"
expect_out '"journal_installed": false' "journal not installed"
expect_err "schema install --execute" "tells how to install the journal"
expect_exit 2 "commands that write need the journal" host disable 1 --execute
expect_err "journal schema 'csmaint' is not installed" "says so"
expect_exit 0 "host list works without the journal" host list

expect_exit 0 "schema install dry run" schema install
expect_out "^CREATE DATABASE IF NOT EXISTS \`csmaint\`" "prints the DDL"
expect_eq "dry run created nothing" 0 "$(mdb_sql -e "SELECT COUNT(*) FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'csmaint'")"
expect_exit 0 "schema install" schema install --execute
expect_err "created at version 2" "reports creation"
expect_exit 0 "schema install again is a no-op" schema install --execute
expect_err "already at version 2" "reports nothing to do"
expect_eq "three journal tables" 3 "$(mdb_sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'csmaint'")"
expect_exit 0 "schema after install" schema -o csv
expect_out ',true,2,2' "installed at version 2"

# The DDL a DBA applies by hand is the same: sql/journal.sql loads as-is.
mdb_sql -e "DROP DATABASE csmaint"
mdb_sql <"$TOP_SRCDIR/sql/journal.sql"
expect_exit 0 "journal applied by hand is recognised" schema -o csv
expect_out ',true,2,2' "version 2 from sql/journal.sql"

# A version 1 journal (csmaint before pool runs) is upgraded in place, its rows kept.
mdb_sql -e "DROP DATABASE csmaint"
mdb_sql <<'V1'
CREATE DATABASE csmaint DEFAULT CHARACTER SET utf8;
CREATE TABLE csmaint.meta (name varchar(64) NOT NULL, value varchar(255) NOT NULL, PRIMARY KEY (name)) ENGINE=InnoDB;
CREATE TABLE csmaint.operation (id bigint unsigned NOT NULL AUTO_INCREMENT, kind varchar(32) NOT NULL,
  cloud_schema varchar(64) NOT NULL, host_id bigint unsigned NOT NULL, host_name varchar(255) NOT NULL,
  cluster_id bigint unsigned NULL, column_name varchar(32) NOT NULL, prior_value varchar(32) NULL,
  new_value varchar(32) NULL, state varchar(16) NOT NULL, open_host bigint unsigned NULL,
  operator varchar(255) NOT NULL, pid int unsigned NULL, started datetime NOT NULL, updated datetime NOT NULL,
  finished datetime NULL, arguments text NULL, reason text NULL, last_error text NULL, PRIMARY KEY (id),
  UNIQUE KEY u_operation__open_host (cloud_schema, open_host), KEY i_operation__host (cloud_schema, host_id),
  KEY i_operation__state (state)) ENGINE=InnoDB;
CREATE TABLE csmaint.operation_step (operation_id bigint unsigned NOT NULL, seq int unsigned NOT NULL,
  name varchar(64) NOT NULL, state varchar(16) NOT NULL, started datetime NOT NULL, finished datetime NULL,
  detail text NULL, PRIMARY KEY (operation_id, seq), CONSTRAINT fk_operation_step__operation
  FOREIGN KEY (operation_id) REFERENCES csmaint.operation (id) ON DELETE CASCADE) ENGINE=InnoDB;
INSERT INTO csmaint.meta VALUES ('schema_version', '1');
INSERT INTO csmaint.operation (kind, cloud_schema, host_id, host_name, column_name, state, operator, started, updated)
  VALUES ('disable', 'cloud', 1, 'xs-01', 'allocation_state', 'done', 'dba@old', NOW(), NOW());
V1
expect_exit 2 "a version 1 journal is refused until upgraded" journal list
expect_err "at version 1" "says which version"
expect_exit 0 "schema install dry run on version 1" schema install
expect_out "^ALTER TABLE \`csmaint\`.\`operation\`" "the dry run shows the upgrade, not the whole schema"
expect_exit 0 "schema install upgrades version 1" schema install --execute
expect_err "upgraded from version 1 to 2" "reports the upgrade"
expect_eq "the old operation is kept" "disable	xs-01" "$(mdb_sql -e "SELECT kind, host_name FROM csmaint.operation")"
expect_eq "parent_id and open_cluster exist" 2 "$(mdb_sql -e "SELECT COUNT(*) FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'csmaint' AND TABLE_NAME = 'operation' AND COLUMN_NAME IN ('parent_id', 'open_cluster')")"
expect_exit 0 "the upgraded journal lists" journal list -o csv
expect_exit 0 "schema install again after the upgrade" schema install --execute
expect_err "already at version 2" "nothing to do after the upgrade"

# A journal schema with another name.
write_conf
sed -i 's/journal = "csmaint"/journal = "csm_journal_2"/' "$CONF"
expect_exit 0 "install under another name" schema install --execute
expect_eq "created under the configured name" 3 "$(mdb_sql -e "SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'csm_journal_2'")"
write_conf

# Unsupported CloudStack schemas are refused with the reason.
mdb_sql "$CLOUD" -e "DELETE FROM version"
expect_exit 4 "empty version table (2.2.2/2.2.3)" schema
expect_err "2.2.2 or 2.2.3" "says which versions"
expect_exit 4 "other commands refuse too" host list
expect_err "refusing to work on schema 'cloud'" "refusal names the schema"
mdb_sql "$CLOUD" -e "INSERT INTO version (version, updated, step) VALUES ('2.2.3', NOW(), 'Complete')"
expect_exit 4 "2.2.3 is refused" schema
expect_err "exists from 2.2.4" "explains why"
mdb_sql "$CLOUD" -e "DELETE FROM version; INSERT INTO version (version, updated, step) VALUES ('2.2.14', NOW(), 'Upgrade')"
expect_exit 4 "unfinished upgrade is refused" schema
expect_err "no 'Complete' row" "says the upgrade is unfinished"
mdb_sql "$CLOUD" -e "DROP TABLE version"
expect_exit 4 "no version table" schema
expect_err "no CloudStack version table" "says so"
mdb_sql -e "CREATE DATABASE notcloud"
sed -i 's/name = "cloud"/name = "notcloud"/' "$CONF"
expect_exit 4 "an empty schema is not CloudStack" host list
sed -i 's/name = "notcloud"/name = "nosuchdb"/' "$CONF"
expect_exit 2 "a schema that does not exist" host list
expect_err "Unknown database" "server's reason"
finish
