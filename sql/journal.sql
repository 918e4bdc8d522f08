-- csmaint journal schema, version 2 (sql/journal-upgrade-2.sql upgrades version 1).
--
-- `csmaint schema install` runs exactly these statements (the program embeds this
-- file at build time), replacing the schema name `csmaint` with database.journal from
-- csmaint.conf.  A DBA may also apply it by hand:  mariadb < journal.sql
-- Written for MySQL 5.1 and later (no fractional seconds, no DEFAULT CURRENT_TIMESTAMP
-- on DATETIME, utf8 as CloudStack 2.2 uses).  Times are UTC.

CREATE DATABASE IF NOT EXISTS `csmaint` DEFAULT CHARACTER SET utf8;

CREATE TABLE IF NOT EXISTS `csmaint`.`meta` (
  `name` varchar(64) NOT NULL,
  `value` varchar(255) NOT NULL,
  PRIMARY KEY (`name`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- One row per csmaint operation on a host, or on a pool (kind 'rolling': host_id NULL,
-- host_name the cluster's name).  open_host holds the host id while the operation holds
-- the host and is NULL once it is closed: the unique key makes "one open operation per
-- host" a fact the server enforces, not only a check.  open_cluster does the same for a
-- pool operation and its cluster.  parent_id: the pool operation a host's operation is
-- part of.
CREATE TABLE IF NOT EXISTS `csmaint`.`operation` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `kind` varchar(32) NOT NULL COMMENT 'disable, hotfix, rolling',
  `parent_id` bigint unsigned NULL COMMENT 'the rolling operation this one is part of',
  `cloud_schema` varchar(64) NOT NULL COMMENT 'the CloudStack schema of the host',
  `host_id` bigint unsigned NULL COMMENT 'NULL for a rolling operation',
  `host_name` varchar(255) NOT NULL,
  `cluster_id` bigint unsigned NULL,
  `column_name` varchar(32) NOT NULL COMMENT 'allocation_state (2.2) or resource_state (3.0+)',
  `prior_value` varchar(32) NULL COMMENT 'value before csmaint wrote',
  `new_value` varchar(32) NULL COMMENT 'value csmaint wrote',
  `state` varchar(16) NOT NULL COMMENT 'holding, running, done, failed, rolled_back, interrupted',
  `open_host` bigint unsigned NULL,
  `open_cluster` bigint unsigned NULL,
  `operator` varchar(255) NOT NULL COMMENT 'user@machine',
  `pid` int unsigned NULL,
  `started` datetime NOT NULL,
  `updated` datetime NOT NULL,
  `finished` datetime NULL,
  `arguments` text NULL,
  `reason` text NULL,
  `last_error` text NULL,
  PRIMARY KEY (`id`),
  UNIQUE KEY `u_operation__open_host` (`cloud_schema`, `open_host`),
  UNIQUE KEY `u_operation__open_cluster` (`cloud_schema`, `open_cluster`),
  KEY `i_operation__parent` (`parent_id`),
  KEY `i_operation__host` (`cloud_schema`, `host_id`),
  KEY `i_operation__state` (`state`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE IF NOT EXISTS `csmaint`.`operation_step` (
  `operation_id` bigint unsigned NOT NULL,
  `seq` int unsigned NOT NULL,
  `name` varchar(64) NOT NULL,
  `state` varchar(16) NOT NULL COMMENT 'running, done, failed',
  `started` datetime NOT NULL,
  `finished` datetime NULL,
  `detail` text NULL,
  PRIMARY KEY (`operation_id`, `seq`),
  CONSTRAINT `fk_operation_step__operation` FOREIGN KEY (`operation_id`)
    REFERENCES `csmaint`.`operation` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

INSERT IGNORE INTO `csmaint`.`meta` (`name`, `value`) VALUES ('schema_version', '2');
