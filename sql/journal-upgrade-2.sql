-- csmaint journal schema: upgrade version 1 -> 2 (pool operations, `csmaint rolling`).
--
-- `csmaint schema install` runs these statements when it finds version 1 (the program
-- embeds this file), replacing `csmaint` with database.journal.  By hand:
--   mariadb < journal-upgrade-2.sql     (only on a version 1 journal)
-- MySQL 5.1: one ALTER TABLE, no new syntax.

ALTER TABLE `csmaint`.`operation`
  ADD COLUMN `parent_id` bigint unsigned NULL COMMENT 'the rolling operation this one is part of' AFTER `kind`,
  MODIFY `kind` varchar(32) NOT NULL COMMENT 'disable, hotfix, rolling',
  MODIFY `host_id` bigint unsigned NULL COMMENT 'NULL for a rolling operation',
  ADD COLUMN `open_cluster` bigint unsigned NULL AFTER `open_host`,
  ADD UNIQUE KEY `u_operation__open_cluster` (`cloud_schema`, `open_cluster`),
  ADD KEY `i_operation__parent` (`parent_id`);

UPDATE `csmaint`.`meta` SET `value` = '2' WHERE `name` = 'schema_version' AND `value` = '1';
