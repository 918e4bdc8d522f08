-- cloudstack-3.0-schema.sql: the CloudStack 3.0.x tables that csmaint reads, for tests.
--
-- host, vm_instance, op_host_capacity and version follow CloudStack 3.0.1's fresh-install
-- schema (setup/db/create-schema.sql). The other tables are the 2.2.14 ones (see
-- cloudstack-2.2-schema.sql) with the changes of the 2.2.14 -> 3.0 upgrade applied
-- (uuid columns on data_center, host_pod_ref and cluster; data_center.vnet dropped;
-- domain_router.element_id, template_version, scripts_version), i.e. what a site upgraded
-- from 2.2.14 has. In 3.0 host.allocation_state is gone: host.resource_state carries
-- Enabled/Disabled and the maintenance states, and host.status only the agent connection.
-- Indexes are kept, foreign keys only between the tables defined here. Table names are
-- unqualified: load into any database (see cloudstack-2.2-schema.sql).
-- Written for MySQL 5.1 and later (and MariaDB): InnoDB, utf8, no newer syntax.

CREATE TABLE `version` (
  `id` bigint unsigned NOT NULL UNIQUE AUTO_INCREMENT,
  `version` char(40) NOT NULL UNIQUE,
  `updated` datetime NOT NULL,
  `step` char(32) NOT NULL,
  PRIMARY KEY (`id`),
  INDEX `i_version__version` (`version`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `data_center` (
  `id` bigint unsigned NOT NULL UNIQUE AUTO_INCREMENT,
  `name` varchar(255),
  `description` varchar(255),
  `dns1` varchar(255) NOT NULL,
  `dns2` varchar(255),
  `internal_dns1` varchar(255) NOT NULL,
  `internal_dns2` varchar(255),
  `gateway` varchar(15),
  `netmask` varchar(15),
  `router_mac_address` varchar(17) NOT NULL DEFAULT '02:00:00:00:00:01',
  `mac_address` bigint unsigned NOT NULL DEFAULT '1',
  `guest_network_cidr` varchar(18),
  `domain` varchar(100),
  `domain_id` bigint unsigned,
  `networktype` varchar(255) NOT NULL DEFAULT 'Basic',
  `dns_provider` char(64) DEFAULT 'VirtualRouter',
  `gateway_provider` char(64) DEFAULT 'VirtualRouter',
  `firewall_provider` char(64) DEFAULT 'VirtualRouter',
  `dhcp_provider` char(64) DEFAULT 'VirtualRouter',
  `lb_provider` char(64) DEFAULT 'VirtualRouter',
  `vpn_provider` char(64) DEFAULT 'VirtualRouter',
  `userdata_provider` char(64) DEFAULT 'VirtualRouter',
  `is_security_group_enabled` tinyint NOT NULL DEFAULT 0,
  `allocation_state` varchar(32) NOT NULL DEFAULT 'Enabled',
  `zone_token` varchar(255),
  `removed` datetime,
  `uuid` varchar(40),
  PRIMARY KEY (`id`),
  CONSTRAINT `uc_data_center__uuid` UNIQUE (`uuid`),
  INDEX `i_data_center__domain_id` (`domain_id`),
  INDEX `i_data_center__allocation_state` (`allocation_state`),
  INDEX `i_data_center__zone_token` (`zone_token`),
  INDEX `i_data_center__removed` (`removed`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `host_pod_ref` (
  `id` bigint unsigned NOT NULL UNIQUE AUTO_INCREMENT,
  `name` varchar(255),
  `data_center_id` bigint unsigned NOT NULL,
  `gateway` varchar(255) NOT NULL,
  `cidr_address` varchar(15) NOT NULL,
  `cidr_size` bigint unsigned NOT NULL,
  `description` varchar(255),
  `allocation_state` varchar(32) NOT NULL DEFAULT 'Enabled',
  `external_dhcp` tinyint NOT NULL DEFAULT 0,
  `removed` datetime,
  `uuid` varchar(40),
  PRIMARY KEY (`id`),
  CONSTRAINT `uc_host_pod_ref__uuid` UNIQUE (`uuid`),
  UNIQUE KEY (`name`, `data_center_id`),
  INDEX `i_host_pod_ref__data_center_id` (`data_center_id`),
  INDEX `i_host_pod_ref__allocation_state` (`allocation_state`),
  INDEX `i_host_pod_ref__removed` (`removed`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `cluster` (
  `id` bigint unsigned NOT NULL UNIQUE AUTO_INCREMENT,
  `name` varchar(255),
  `guid` varchar(255) UNIQUE DEFAULT NULL,
  `pod_id` bigint unsigned NOT NULL,
  `data_center_id` bigint unsigned NOT NULL,
  `hypervisor_type` varchar(32),
  `cluster_type` varchar(64) DEFAULT 'CloudManaged',
  `allocation_state` varchar(32) NOT NULL DEFAULT 'Enabled',
  `managed_state` varchar(32) NOT NULL DEFAULT 'Managed',
  `removed` datetime,
  `uuid` varchar(40),
  PRIMARY KEY (`id`),
  CONSTRAINT `uc_cluster__uuid` UNIQUE (`uuid`),
  CONSTRAINT `fk_cluster__data_center_id` FOREIGN KEY (`data_center_id`) REFERENCES `data_center` (`id`) ON DELETE CASCADE,
  CONSTRAINT `fk_cluster__pod_id` FOREIGN KEY (`pod_id`) REFERENCES `host_pod_ref` (`id`),
  UNIQUE `i_cluster__pod_id__name` (`pod_id`, `name`),
  INDEX `i_cluster__allocation_state` (`allocation_state`),
  INDEX `i_cluster__removed` (`removed`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- host.mgmt_server_id holds mshost.msid (not mshost.id).
CREATE TABLE `mshost` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `msid` bigint unsigned NOT NULL UNIQUE,
  `runid` bigint NOT NULL DEFAULT 0,
  `name` varchar(255),
  `state` varchar(10) NOT NULL DEFAULT 'Down',
  `version` varchar(255),
  `service_ip` char(40) NOT NULL,
  `service_port` integer NOT NULL,
  `last_update` datetime NULL,
  `removed` datetime,
  `alert_count` integer NOT NULL DEFAULT 0,
  PRIMARY KEY (`id`),
  INDEX `i_mshost__removed` (`removed`),
  INDEX `i_mshost__last_update` (`last_update`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- resource_state: Creating, Enabled, Disabled, PrepareForMaintenance, ErrorInMaintenance,
-- Maintenance, Error. status: Creating, Connecting, Up, Down, Disconnected, Alert, Removed,
-- Error, Rebalancing. uuid is CloudStack's id for the API; guid is the XenServer host uuid.
CREATE TABLE `host` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `name` varchar(255) NOT NULL,
  `uuid` varchar(40),
  `status` varchar(32) NOT NULL,
  `type` varchar(32) NOT NULL,
  `private_ip_address` char(40) NOT NULL,
  `private_netmask` varchar(15),
  `private_mac_address` varchar(17),
  `storage_ip_address` char(40),
  `storage_netmask` varchar(15),
  `storage_mac_address` varchar(17),
  `storage_ip_address_2` char(40),
  `storage_mac_address_2` varchar(17),
  `storage_netmask_2` varchar(15),
  `cluster_id` bigint unsigned,
  `public_ip_address` char(40),
  `public_netmask` varchar(15),
  `public_mac_address` varchar(17),
  `proxy_port` int(10) unsigned,
  `data_center_id` bigint unsigned NOT NULL,
  `pod_id` bigint unsigned,
  `cpus` int(10) unsigned,
  `speed` int(10) unsigned,
  `url` varchar(255),
  `fs_type` varchar(32),
  `hypervisor_type` varchar(32),
  `hypervisor_version` varchar(32),
  `ram` bigint unsigned,
  `resource` varchar(255) DEFAULT NULL,
  `version` varchar(40) NOT NULL,
  `parent` varchar(255),
  `total_size` bigint unsigned,
  `capabilities` varchar(255),
  `guid` varchar(255) UNIQUE,
  `available` int(1) unsigned NOT NULL DEFAULT 1,
  `setup` int(1) unsigned NOT NULL DEFAULT 0,
  `dom0_memory` bigint unsigned NOT NULL,
  `last_ping` int(10) unsigned NOT NULL,
  `mgmt_server_id` bigint unsigned,
  `disconnected` datetime,
  `created` datetime,
  `removed` datetime,
  `update_count` bigint unsigned NOT NULL DEFAULT 0,
  `resource_state` varchar(32) NOT NULL DEFAULT 'Enabled',
  PRIMARY KEY (`id`),
  INDEX `i_host__removed` (`removed`),
  INDEX `i_host__last_ping` (`last_ping`),
  INDEX `i_host__status` (`status`),
  INDEX `i_host__data_center_id` (`data_center_id`),
  CONSTRAINT `fk_host__pod_id` FOREIGN KEY (`pod_id`) REFERENCES `host_pod_ref` (`id`) ON DELETE CASCADE,
  INDEX `i_host__pod_id` (`pod_id`),
  CONSTRAINT `fk_host__cluster_id` FOREIGN KEY (`cluster_id`) REFERENCES `cluster` (`id`),
  CONSTRAINT `uc_host__uuid` UNIQUE (`uuid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `host_details` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `host_id` bigint unsigned NOT NULL,
  `name` varchar(255) NOT NULL,
  `value` varchar(255) NOT NULL,
  PRIMARY KEY (`id`),
  CONSTRAINT `fk_host_details__host_id` FOREIGN KEY (`host_id`) REFERENCES `host` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- The foreign keys to vm_template, account and service_offering are left out (those tables
-- are not here); their indexes are kept.
CREATE TABLE `vm_instance` (
  `id` bigint unsigned UNIQUE NOT NULL,
  `name` varchar(255) NOT NULL,
  `uuid` varchar(40),
  `instance_name` varchar(255) NOT NULL,
  `state` varchar(32) NOT NULL,
  `vm_template_id` bigint unsigned,
  `guest_os_id` bigint unsigned NOT NULL,
  `private_mac_address` varchar(17),
  `private_ip_address` char(40),
  `pod_id` bigint unsigned,
  `data_center_id` bigint unsigned NOT NULL,
  `host_id` bigint unsigned,
  `last_host_id` bigint unsigned,
  `proxy_id` bigint unsigned NULL,
  `proxy_assign_time` datetime NULL,
  `vnc_password` varchar(255) NOT NULL,
  `ha_enabled` tinyint(1) NOT NULL DEFAULT 0,
  `limit_cpu_use` tinyint(1) unsigned NOT NULL DEFAULT 0,
  `update_count` bigint unsigned NOT NULL DEFAULT 0,
  `update_time` datetime,
  `created` datetime NOT NULL,
  `removed` datetime,
  `type` varchar(32) NOT NULL,
  `vm_type` varchar(32) NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `domain_id` bigint unsigned NOT NULL,
  `service_offering_id` bigint unsigned NOT NULL,
  `reservation_id` char(40),
  `hypervisor_type` char(32),
  PRIMARY KEY (`id`),
  INDEX `i_vm_instance__removed` (`removed`),
  INDEX `i_vm_instance__type` (`type`),
  INDEX `i_vm_instance__pod_id` (`pod_id`),
  INDEX `i_vm_instance__update_time` (`update_time`),
  INDEX `i_vm_instance__update_count` (`update_count`),
  INDEX `i_vm_instance__state` (`state`),
  INDEX `i_vm_instance__data_center_id` (`data_center_id`),
  CONSTRAINT `fk_vm_instance__host_id` FOREIGN KEY `fk_vm_instance__host_id` (`host_id`) REFERENCES `host` (`id`),
  CONSTRAINT `fk_vm_instance__last_host_id` FOREIGN KEY `fk_vm_instance__last_host_id` (`last_host_id`) REFERENCES `host` (`id`),
  INDEX `i_vm_instance__template_id` (`vm_template_id`),
  INDEX `i_vm_instance__account_id` (`account_id`),
  INDEX `i_vm_instance__service_offering_id` (`service_offering_id`),
  CONSTRAINT `uc_vm_instance_uuid` UNIQUE (`uuid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `user_vm` (
  `id` bigint unsigned UNIQUE NOT NULL,
  `iso_id` bigint unsigned,
  `display_name` varchar(255),
  `user_data` varchar(2048),
  PRIMARY KEY (`id`),
  CONSTRAINT `fk_user_vm__id` FOREIGN KEY `fk_user_vm__id` (`id`) REFERENCES `vm_instance` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `domain_router` (
  `id` bigint unsigned UNIQUE NOT NULL,
  `element_id` bigint unsigned NOT NULL,
  `public_mac_address` varchar(17),
  `public_ip_address` char(40),
  `public_netmask` varchar(15),
  `guest_netmask` varchar(15),
  `guest_ip_address` char(40),
  `network_id` bigint unsigned NOT NULL,
  `is_redundant_router` int(1) unsigned NOT NULL,
  `priority` int(4) unsigned,
  `is_priority_bumpup` int(1) unsigned NOT NULL,
  `redundant_state` varchar(64) NOT NULL,
  `stop_pending` int(1) unsigned NOT NULL,
  `role` varchar(64) NOT NULL,
  `template_version` varchar(100),
  `scripts_version` varchar(100),
  PRIMARY KEY (`id`),
  CONSTRAINT `fk_domain_router__id` FOREIGN KEY `fk_domain_router__id` (`id`) REFERENCES `vm_instance` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `console_proxy` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `public_mac_address` varchar(17) UNIQUE,
  `public_ip_address` char(40) UNIQUE,
  `public_netmask` varchar(15),
  `active_session` int(10) NOT NULL DEFAULT 0,
  `last_update` datetime NULL,
  `session_details` blob NULL,
  PRIMARY KEY (`id`),
  CONSTRAINT `fk_console_proxy__id` FOREIGN KEY `fk_console_proxy__id` (`id`) REFERENCES `vm_instance` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE `secondary_storage_vm` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `public_mac_address` varchar(17) UNIQUE,
  `public_ip_address` char(40) UNIQUE,
  `public_netmask` varchar(15),
  `guid` varchar(255),
  `nfs_share` varchar(255),
  `last_update` datetime NULL,
  `role` varchar(64) NOT NULL DEFAULT 'templateProcessor',
  PRIMARY KEY (`id`),
  CONSTRAINT `fk_secondary_storage_vm__id` FOREIGN KEY `fk_secondary_storage_vm__id` (`id`) REFERENCES `vm_instance` (`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- type: Migration, Stop, CheckStop, ForceStop, Destroy, HA;
-- step: Scheduled, Investigating, Fencing, Stopping, Restarting, Migrating, Cancelled, Done, Error.
CREATE TABLE `op_ha_work` (
  `id` bigint unsigned UNIQUE NOT NULL AUTO_INCREMENT,
  `instance_id` bigint unsigned NOT NULL,
  `type` varchar(32) NOT NULL,
  `vm_type` varchar(32) NOT NULL,
  `state` varchar(32) NOT NULL,
  `mgmt_server_id` bigint unsigned,
  `host_id` bigint unsigned,
  `created` datetime NOT NULL,
  `tried` int(10) unsigned,
  `taken` datetime,
  `step` varchar(32) NOT NULL,
  `time_to_try` bigint,
  `updated` bigint unsigned NOT NULL,
  PRIMARY KEY (`id`),
  CONSTRAINT `fk_op_ha_work__instance_id` FOREIGN KEY `fk_op_ha_work__instance_id` (`instance_id`) REFERENCES `vm_instance` (`id`) ON DELETE CASCADE,
  INDEX `i_op_ha_work__instance_id` (`instance_id`),
  CONSTRAINT `fk_op_ha_work__host_id` FOREIGN KEY `fk_op_ha_work__host_id` (`host_id`) REFERENCES `host` (`id`),
  INDEX `i_op_ha_work__host_id` (`host_id`),
  INDEX `i_op_ha_work__step` (`step`),
  INDEX `i_op_ha_work__type` (`type`),
  CONSTRAINT `fk_op_ha_work__mgmt_server_id` FOREIGN KEY `fk_op_ha_work__mgmt_server_id` (`mgmt_server_id`) REFERENCES `mshost` (`msid`),
  INDEX `i_op_ha_work__mgmt_server_id` (`mgmt_server_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- job_status: 0 in progress, 1 succeeded, 2 failed.
CREATE TABLE `async_job` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `user_id` bigint unsigned NOT NULL,
  `account_id` bigint unsigned NOT NULL,
  `session_key` varchar(64),
  `instance_type` varchar(64),
  `instance_id` bigint unsigned,
  `job_cmd` varchar(64) NOT NULL,
  `job_cmd_originator` varchar(64),
  `job_cmd_info` text,
  `job_cmd_ver` int(1),
  `callback_type` int(1),
  `callback_address` varchar(128),
  `job_status` int(1),
  `job_process_status` int(1),
  `job_result_code` int(1),
  `job_result` text,
  `job_init_msid` bigint,
  `job_complete_msid` bigint,
  `created` datetime,
  `last_updated` datetime,
  `last_polled` datetime,
  `removed` datetime,
  PRIMARY KEY (`id`),
  INDEX `i_async_job__removed` (`removed`),
  INDEX `i_async__user_id` (`user_id`),
  INDEX `i_async__account_id` (`account_id`),
  INDEX `i_async__instance_type_id` (`instance_type`, `instance_id`),
  INDEX `i_async__job_cmd` (`job_cmd`),
  INDEX `i_async__created` (`created`),
  INDEX `i_async__last_updated` (`last_updated`),
  INDEX `i_async__last_poll` (`last_polled`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- capacity_type: 0 memory, 1 CPU, 2 storage, 3 storage allocated, 4 public IP,
-- 5 private IP, 6 secondary storage.
CREATE TABLE `op_host_capacity` (
  `id` bigint unsigned NOT NULL AUTO_INCREMENT,
  `host_id` bigint unsigned,
  `data_center_id` bigint unsigned NOT NULL,
  `pod_id` bigint unsigned,
  `cluster_id` bigint unsigned,
  `used_capacity` bigint NOT NULL,
  `reserved_capacity` bigint NOT NULL,
  `total_capacity` bigint NOT NULL,
  `capacity_type` int(1) unsigned NOT NULL,
  `capacity_state` varchar(32) NOT NULL DEFAULT 'Enabled',
  `update_time` datetime,
  `created` datetime,
  PRIMARY KEY (`id`),
  INDEX `i_op_host_capacity__host_type` (`host_id`, `capacity_type`),
  INDEX `i_op_host_capacity__pod_id` (`pod_id`),
  INDEX `i_op_host_capacity__data_center_id` (`data_center_id`),
  INDEX `i_op_host_capacity__cluster_id` (`cluster_id`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

-- Offerings and global settings, as CloudStack 3.0.1 and 3.0.2's create-schema.sql have them (the
-- 2.2.14 -> 3.0 upgrade, schema-2214to30.sql, adds disk_offering.uuid and the sort_key
-- columns): the capacity a VM takes is its service offering's cpu x speed (MHz) and
-- ram_size (MiB) (CapacityManagerImpl), and configuration holds
-- cpu.overprovisioning.factor.  service_offering.id is the id of its disk_offering row.
CREATE TABLE `disk_offering` (
  `id` bigint unsigned NOT NULL auto_increment,
  `domain_id` bigint unsigned,
  `name` varchar(255) NOT NULL,
  `uuid` varchar(40),
  `display_text` varchar(4096) NULL COMMENT 'Descrianaption text set by the admin for display purpose only',
  `disk_size` bigint unsigned NOT NULL COMMENT 'disk space in byte',
  `type` varchar(32) COMMENT 'inheritted by who?',
  `tags` varchar(4096) COMMENT 'comma separated tags about the disk_offering',
  `recreatable` tinyint(1) unsigned NOT NULL DEFAULT 0 COMMENT 'The root disk is always recreatable',
  `use_local_storage` tinyint(1) unsigned NOT NULL DEFAULT 0 COMMENT 'Indicates whether local storage pools should be used',
  `unique_name` varchar(32) UNIQUE COMMENT 'unique name',
  `system_use` tinyint(1) unsigned NOT NULL DEFAULT 0 COMMENT 'is this offering for system used only',
  `customized` tinyint(1) unsigned NOT NULL DEFAULT 0 COMMENT '0 implies not customized by default',
  `removed` datetime COMMENT 'date removed',
  `created` datetime COMMENT 'date the disk offering was created',
  `sort_key` int(32) NOT NULL default 0 COMMENT 'sort key used for customising sort method',
  PRIMARY KEY  (`id`),
  INDEX `i_disk_offering__removed`(`removed`),
  CONSTRAINT `uc_disk_offering__uuid` UNIQUE (`uuid`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE  `service_offering` (
  `id` bigint unsigned NOT NULL,
  `cpu` int(10) unsigned NOT NULL COMMENT '# of cores',
  `speed` int(10) unsigned NOT NULL COMMENT 'speed per core in mhz',
  `ram_size` bigint unsigned NOT NULL,
  `nw_rate` smallint unsigned default 200 COMMENT 'network rate throttle mbits/s',
  `mc_rate` smallint unsigned default 10 COMMENT 'mcast rate throttle mbits/s',
  `ha_enabled` tinyint(1) unsigned NOT NULL DEFAULT 0 COMMENT 'Enable HA',
  `limit_cpu_use` tinyint(1) unsigned NOT NULL DEFAULT 0 COMMENT 'Limit the CPU usage to service offering',
  `host_tag` varchar(255) COMMENT 'host tag specified by the service_offering',
  `default_use` tinyint(1) unsigned NOT NULL DEFAULT 0 COMMENT 'is this offering a default system offering',
  `vm_type` varchar(32) COMMENT 'type of offering specified for system offerings',
  `sort_key` int(32) NOT NULL default 0 COMMENT 'sort key used for customising sort method',
  PRIMARY KEY  (`id`),
  CONSTRAINT `fk_service_offering__id` FOREIGN KEY `fk_service_offering__id`(`id`) REFERENCES `disk_offering`(`id`) ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8;

CREATE TABLE  `configuration` (
  `category` varchar(255) NOT NULL DEFAULT 'Advanced',
  `instance` varchar(255) NOT NULL,
  `component` varchar(255) NOT NULL DEFAULT 'management-server',
  `name` varchar(255) NOT NULL,
  `value` varchar(4095),
  `description` varchar(1024),
  PRIMARY KEY (`name`),
  INDEX `i_configuration__instance`(`instance`),
  INDEX `i_configuration__name`(`name`),
  INDEX `i_configuration__category`(`category`),
  INDEX `i_configuration__component`(`component`)
) ENGINE=InnoDB DEFAULT CHARSET=utf8;
