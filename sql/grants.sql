-- The least privileges csmaint needs.  Replace the account, the password and, if
-- your schemas are not named `cloud` and `csmaint`, the schema names; then run it as
-- an administrator:  mariadb < grants.sql
-- Written for MySQL 5.1 and later (CREATE USER without IF NOT EXISTS).
--
-- csmaint reads these CloudStack tables and never writes any of them but the host
-- allocation column.  It writes only its own journal schema.

CREATE USER 'csmaint'@'localhost' IDENTIFIED BY 'change-me';

GRANT SELECT ON `cloud`.`version` TO 'csmaint'@'localhost';
GRANT SELECT ON `cloud`.`host` TO 'csmaint'@'localhost';
GRANT SELECT ON `cloud`.`vm_instance` TO 'csmaint'@'localhost';
GRANT SELECT ON `cloud`.`user_vm` TO 'csmaint'@'localhost';
GRANT SELECT ON `cloud`.`cluster` TO 'csmaint'@'localhost';
GRANT SELECT ON `cloud`.`host_pod_ref` TO 'csmaint'@'localhost';
GRANT SELECT ON `cloud`.`data_center` TO 'csmaint'@'localhost';
GRANT SELECT ON `cloud`.`op_ha_work` TO 'csmaint'@'localhost';
GRANT SELECT ON `cloud`.`async_job` TO 'csmaint'@'localhost';
GRANT SELECT ON `cloud`.`mshost` TO 'csmaint'@'localhost';
-- 3.0 and later: host show and audit compare op_host_capacity.capacity_state.
-- rolling: its capacity plan counts op_host_capacity as CloudStack's placement does.
GRANT SELECT ON `cloud`.`op_host_capacity` TO 'csmaint'@'localhost';
-- rolling: the VMs' sizes, from their service offerings.
GRANT SELECT ON `cloud`.`service_offering` TO 'csmaint'@'localhost';
-- rolling: cpu.overprovisioning.factor.  The table holds every global setting, some of
-- them secret; the column grant is all MySQL offers (no row grants): review it.
GRANT SELECT (`name`, `value`) ON `cloud`.`configuration` TO 'csmaint'@'localhost';

-- CloudStack 2.2.4-2.2.15: the allocation column is host.allocation_state.
GRANT UPDATE (`allocation_state`) ON `cloud`.`host` TO 'csmaint'@'localhost';
-- CloudStack 3.0 and later: use this line instead of the one above.
-- GRANT UPDATE (`resource_state`) ON `cloud`.`host` TO 'csmaint'@'localhost';

GRANT ALL PRIVILEGES ON `csmaint`.* TO 'csmaint'@'localhost';
