-- cloudstack-3.0-data.sql: sample CloudStack 3.0.2 database contents for csmaint tests and the demo.
--
-- Load after cloudstack-3.0-schema.sql. Ids are explicit and stable: tests assert on them.
-- Routing hosts are XenServer hosts whose private_ip_address is 127.0.0.<id>, so a XenAPI
-- simulator on the loopback network can stand in for them; guid is the XenServer host uuid
-- e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3fNNNN (NNNN = host id, zero-padded).
-- host.uuid (CloudStack's own id, usable to name a host) is 6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2aNNNN,
-- vm_instance.uuid is 9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0fNNNN (NNNN = id, zero-padded).
-- Zone 1 "zone-1", pod 1 "pod-1", clusters 1 "cl-a" (pool f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f0001)
-- and 2 "cl-b" (pool ...-5c4d3e2f0002). Management servers (mshost): id 1 "cs-mgmt-01",
-- msid 345051509694, Up (every connected host has mgmt_server_id = this msid); id 2
-- "cs-mgmt-02", msid 345051509695, Down.
-- Current version (highest id with step 'Complete'): '3.0.2' (row 2; row 1 is the 2.2.14 install).
--
-- Hosts (3.0: maintenance lives in resource_state; status is only the agent connection)
--  id | name                            | type               | status       | resource_state        | cl | VMs (vm_instance ids)
-- ----+---------------------------------+--------------------+--------------+-----------------------+----+----------------------
--   1 | xs-01                           | Routing            | Up           | Enabled               |  1 | 1, 2, 3 (router); 4 migrating away
--   2 | xs-02                           | Routing            | Up           | Enabled               |  1 | 4 (migrating in), 7 (cons. proxy), 8 (SSVM), 9
--   3 | xs-03                           | Routing            | Disconnected | Maintenance           |  1 | none
--   4 | xs-04                           | Routing            | Up           | Disabled              |  2 | 10 (audit: VM on a disabled host)
--   5 | xs-05                           | Routing            | Disconnected | Enabled               |  2 | none
--   6 | xs-06                           | Routing            | Alert        | Enabled               |  2 | 11 (Starting)
--   7 | xs-07                           | Routing            | Up           | PrepareForMaintenance |  1 | none
--   8 | xs-08                           | Routing            | Up           | ErrorInMaintenance    |  1 | none
--   9 | xs-09                           | Routing            | Down         | Enabled               |  2 | none
--  10 | xs-dup                          | Routing            | Up           | Enabled               |  1 | none (ambiguous name)
--  11 | xs-dup                          | Routing            | Up           | Enabled               |  2 | none (ambiguous name)
--  12 | xs-old                          | Routing            | Removed      | Enabled               |  2 | removed (removed NOT NULL)
--  13 | xs'; DROP TABLE host; --"q      | Routing            | Up           | Enabled               |  2 | none (quotes in the name)
--  14 | xs-ünïcødé-☃                    | Routing            | Up           | Enabled               |  2 | none (UTF-8 name)
--  15 | xs-long-0123...(255 chars)      | Routing            | Up           | Enabled               |  2 | none (255-character name)
--  16 | storage-01                      | Storage            | Up           | Enabled               |  - | not a hypervisor
--  17 | nfs://10.1.1.5/export/secondary | SecondaryStorage   | Up           | Enabled               |  - | not a hypervisor (NFS)
--  18 | v-7-VM                          | ConsoleProxy       | Up           | Enabled               |  - | agent in VM 7
--  19 | s-8-VM                          | SecondaryStorageVM | Up           | Enabled               |  - | agent in VM 8
--  20 | xs-10                           | Routing            | Up           | Error                 |  2 | 3.0 only: resource_state Error
-- Host 1 "xs-01" (127.0.0.1) is the demo's target; host 2 "xs-02" (127.0.0.2) is the migration
-- target. Host 13's name is exactly: xs'; DROP TABLE host; --"q   Host 15's name is "xs-long-"
-- followed by "0123456789" 24 times and "0123456" (255 characters).
-- Host 3 is as the 2.2.14 -> 3.0 upgrade leaves a Maintenance host (status Disconnected);
-- hosts 7 and 8 went into maintenance under 3.0 (status stays Up).
--
-- VMs (vm_instance; type = vm_type; user VMs also in user_vm, the router in domain_router,
-- the console proxy in console_proxy, the SSVM in secondary_storage_vm)
--  id | instance_name | name      | type               | state     | host_id | last_host_id | removed
-- ----+---------------+-----------+--------------------+-----------+---------+--------------+--------
--   1 | i-2-1-VM      | web-01    | User               | Running   |       1 |            1 | 
--   2 | i-2-2-VM      | db-01     | User               | Running   |       1 |            1 | 
--   3 | r-3-VM        | r-3-VM    | DomainRouter       | Running   |       1 |            1 | 
--   4 | i-2-4-VM      | app-01    | User               | Migrating |       2 |            1 | 
--   5 | i-3-5-VM      | batch-01  | User               | Stopped   |    NULL |            1 | 
--   6 | i-3-6-VM      | old-01    | User               | Expunging |       1 |            1 | yes
--   7 | v-7-VM        | v-7-VM    | ConsoleProxy       | Running   |       2 |            2 | 
--   8 | s-8-VM        | s-8-VM    | SecondaryStorageVm | Running   |       2 |            2 | 
--   9 | i-2-9-VM      | web-02    | User               | Running   |       2 |            2 | 
--  10 | i-3-10-VM     | legacy-01 | User               | Running   |       4 |            4 | 
--  11 | i-2-11-VM     | web-03    | User               | Starting  |       6 |         NULL | 
-- Accounts: 1 system, 2 "alice", 3 "bob" (domain 1 ROOT, 2 and 3 below it).
--
-- VMs on host H, i.e. removed IS NULL AND (host_id = H OR (last_host_id = H AND
-- state = 'Migrating')) (the condition CloudStack uses to call a host empty):
-- host 1 -> 1, 2, 3, 4; host 2 -> 4, 7, 8, 9; host 4 -> 10; host 6 -> 11; every other
-- host -> none (VM 5 is Stopped with last_host_id 1; VM 6 is removed but has host_id 1).
-- In-flight work: op_ha_work 1 migrates VM 4 off host 1; async_job 1 (MigrateVMCmd, VM 4)
-- and 3 (PrepareForMaintenanceCmd, host 7) are in progress (job_status 0); jobs 2 (host 3)
-- and 4 (host 8) are finished (1 succeeded, 2 failed).
-- op_host_capacity.capacity_state: CloudStack's own resource-state transitions write it
-- (tag-3.0.2 ResourceManagerImpl.resourceStateTransitTo: 'Disabled' unless the next
-- state is Enabled), so hosts 7, 8 and 20, which changed state under 3.0, have 'Disabled'
-- rows; the 2.2.14 -> 3.0 upgrade only adds the column with DEFAULT 'Enabled', so hosts 3
-- (Maintenance) and 4 (Disabled) keep 'Enabled' rows (audit: capacity-mismatch).
-- async_job rows as CloudStack writes them (tag-2.2.13/tag-3.0.2 ApiServer, BaseAsyncCmd):
-- job_cmd is the command's class, job_cmd_info the request parameters as a JSON map of
-- strings (ids in 2.2, uuids in 3.0); commands without getInstanceType() (MigrateVMCmd,
-- MigrateSystemVMCmd) are stored with instance_type 'None' and instance_id NULL, so jobs
-- 1, 7 and 8 name their VM and destination host only in job_cmd_info. Jobs 5 (router 3,
-- DomainRouter), 6 (SSVM 8, SystemVm) and 7 (console proxy 7 to host 1) are finished
-- (tests reopen them); job 8 (VM 10, host 4 -> host 6) and job 9 (DeleteTemplateCmd,
-- template 1: an "id" that is not a VM) are in progress and concern neither host 1 nor 2.

SET NAMES utf8;

INSERT INTO `version` (`id`, `version`, `updated`, `step`) VALUES
  (1, '2.2.14.20120210102939', '2012-02-20 10:31:02', 'Complete'),
  (2, '3.0.2', '2012-05-21 09:12:40', 'Complete');

INSERT INTO `data_center` (`id`, `name`, `description`, `dns1`, `dns2`, `internal_dns1`, `internal_dns2`, `gateway`, `netmask`, `router_mac_address`, `mac_address`, `guest_network_cidr`, `domain`, `domain_id`, `networktype`, `is_security_group_enabled`, `allocation_state`, `zone_token`, `removed`, `uuid`) VALUES
  (1, 'zone-1', 'test zone', '192.0.2.53', NULL, '10.1.1.2', NULL, NULL, NULL, '02:00:00:00:00:01', 40, '10.1.1.0/24', 'cs.example', NULL, 'Advanced', 0, 'Enabled', '7c2a9a31-2d5e-3b61-9f0e-2a1c5b7d1e01', NULL, '2b0f7c1e-4e8a-4d2b-9c3f-1a0e5d6c0001');

INSERT INTO `host_pod_ref` (`id`, `name`, `data_center_id`, `gateway`, `cidr_address`, `cidr_size`, `description`, `allocation_state`, `external_dhcp`, `removed`, `uuid`) VALUES
  (1, 'pod-1', 1, '10.1.1.1', '10.1.1.0', 24, '10.1.1.100-10.1.1.199', 'Enabled', 0, NULL, '2b0f7c1e-4e8a-4d2b-9c3f-1a0e5d6c0101');

INSERT INTO `cluster` (`id`, `name`, `guid`, `pod_id`, `data_center_id`, `hypervisor_type`, `cluster_type`, `allocation_state`, `managed_state`, `removed`, `uuid`) VALUES
  (1, 'cl-a', 'f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f0001', 1, 1, 'XenServer', 'CloudManaged', 'Enabled', 'Managed', NULL, '2b0f7c1e-4e8a-4d2b-9c3f-1a0e5d6c0201'),
  (2, 'cl-b', 'f1e2d3c4-b5a6-4978-8a6b-5c4d3e2f0002', 1, 1, 'XenServer', 'CloudManaged', 'Enabled', 'Managed', NULL, '2b0f7c1e-4e8a-4d2b-9c3f-1a0e5d6c0202');

INSERT INTO `mshost` (`id`, `msid`, `runid`, `name`, `state`, `version`, `service_ip`, `service_port`, `last_update`, `removed`, `alert_count`) VALUES
  (1, 345051509694, 1330592391021, 'cs-mgmt-01', 'Up', '3.0.2.20120506223416', '127.0.0.1', 9090, '2012-06-01 09:00:00', NULL, 0),
  (2, 345051509695, 1330431002517, 'cs-mgmt-02', 'Down', '3.0.2.20120506223416', '127.0.0.1', 9091, '2012-05-28 12:30:07', NULL, 0);

INSERT INTO `host` (`id`, `name`, `uuid`, `status`, `type`, `private_ip_address`, `private_netmask`, `private_mac_address`, `storage_ip_address`, `storage_netmask`, `storage_mac_address`, `cluster_id`, `public_ip_address`, `public_netmask`, `public_mac_address`, `proxy_port`, `data_center_id`, `pod_id`, `cpus`, `speed`, `url`, `fs_type`, `hypervisor_type`, `hypervisor_version`, `ram`, `resource`, `version`, `parent`, `total_size`, `capabilities`, `guid`, `available`, `setup`, `dom0_memory`, `last_ping`, `mgmt_server_id`, `disconnected`, `created`, `removed`, `update_count`, `resource_state`) VALUES
  (1, 'xs-01', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0001', 'Up', 'Routing', '127.0.0.1', '255.0.0.0', '00:16:3e:0a:01:01', '127.0.0.1', '255.0.0.0', '00:16:3e:0a:01:01', 1, '127.0.0.1', '255.0.0.0', '00:16:3e:0a:01:01', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs01', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0001', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-11 10:01:00', NULL, 41, 'Enabled'),
  (2, 'xs-02', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0002', 'Up', 'Routing', '127.0.0.2', '255.0.0.0', '00:16:3e:0a:01:02', '127.0.0.2', '255.0.0.0', '00:16:3e:0a:01:02', 1, '127.0.0.2', '255.0.0.0', '00:16:3e:0a:01:02', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs02', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0002', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-12 10:02:00', NULL, 37, 'Enabled'),
  (3, 'xs-03', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0003', 'Disconnected', 'Routing', '127.0.0.3', '255.0.0.0', '00:16:3e:0a:01:03', '127.0.0.3', '255.0.0.0', '00:16:3e:0a:01:03', 1, '127.0.0.3', '255.0.0.0', '00:16:3e:0a:01:03', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs03', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0003', 1, 0, 790626304, 1307131293, NULL, '2012-05-31 22:17:31', '2011-06-13 10:03:00', NULL, 12, 'Maintenance'),
  (4, 'xs-04', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0004', 'Up', 'Routing', '127.0.0.4', '255.0.0.0', '00:16:3e:0a:02:04', '127.0.0.4', '255.0.0.0', '00:16:3e:0a:02:04', 2, '127.0.0.4', '255.0.0.0', '00:16:3e:0a:02:04', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs04', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0004', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-14 10:04:00', NULL, 10, 'Disabled'),
  (5, 'xs-05', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0005', 'Disconnected', 'Routing', '127.0.0.5', '255.0.0.0', '00:16:3e:0a:02:05', '127.0.0.5', '255.0.0.0', '00:16:3e:0a:02:05', 2, '127.0.0.5', '255.0.0.0', '00:16:3e:0a:02:05', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs05', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0005', 1, 0, 790626304, 1307131293, NULL, '2012-05-31 22:17:31', '2011-06-15 10:05:00', NULL, 11, 'Enabled'),
  (6, 'xs-06', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0006', 'Alert', 'Routing', '127.0.0.6', '255.0.0.0', '00:16:3e:0a:02:06', '127.0.0.6', '255.0.0.0', '00:16:3e:0a:02:06', 2, '127.0.0.6', '255.0.0.0', '00:16:3e:0a:02:06', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs06', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0006', 1, 0, 790626304, 1307131293, NULL, '2012-05-31 22:17:31', '2011-06-16 10:06:00', NULL, 12, 'Enabled'),
  (7, 'xs-07', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0007', 'Up', 'Routing', '127.0.0.7', '255.0.0.0', '00:16:3e:0a:01:07', '127.0.0.7', '255.0.0.0', '00:16:3e:0a:01:07', 1, '127.0.0.7', '255.0.0.0', '00:16:3e:0a:01:07', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs07', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0007', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-17 10:07:00', NULL, 13, 'PrepareForMaintenance'),
  (8, 'xs-08', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0008', 'Up', 'Routing', '127.0.0.8', '255.0.0.0', '00:16:3e:0a:01:08', '127.0.0.8', '255.0.0.0', '00:16:3e:0a:01:08', 1, '127.0.0.8', '255.0.0.0', '00:16:3e:0a:01:08', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs08', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0008', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-18 10:08:00', NULL, 14, 'ErrorInMaintenance'),
  (9, 'xs-09', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0009', 'Down', 'Routing', '127.0.0.9', '255.0.0.0', '00:16:3e:0a:02:09', '127.0.0.9', '255.0.0.0', '00:16:3e:0a:02:09', 2, '127.0.0.9', '255.0.0.0', '00:16:3e:0a:02:09', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs09', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0009', 1, 0, 790626304, 1307131293, NULL, '2012-05-31 22:17:31', '2011-06-19 10:09:00', NULL, 15, 'Enabled'),
  (10, 'xs-dup', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0010', 'Up', 'Routing', '127.0.0.10', '255.0.0.0', '00:16:3e:0a:01:0a', '127.0.0.10', '255.0.0.0', '00:16:3e:0a:01:0a', 1, '127.0.0.10', '255.0.0.0', '00:16:3e:0a:01:0a', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs10', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0010', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-20 10:10:00', NULL, 16, 'Enabled'),
  (11, 'xs-dup', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0011', 'Up', 'Routing', '127.0.0.11', '255.0.0.0', '00:16:3e:0a:02:0b', '127.0.0.11', '255.0.0.0', '00:16:3e:0a:02:0b', 2, '127.0.0.11', '255.0.0.0', '00:16:3e:0a:02:0b', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs11', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0011', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-21 10:11:00', NULL, 17, 'Enabled'),
  (12, 'xs-old', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0012', 'Removed', 'Routing', '127.0.0.12', '255.0.0.0', '00:16:3e:0a:02:0c', '127.0.0.12', '255.0.0.0', '00:16:3e:0a:02:0c', 2, '127.0.0.12', '255.0.0.0', '00:16:3e:0a:02:0c', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs12', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0012', 1, 0, 790626304, 1295626757, NULL, '2012-01-16 13:55:40', '2011-06-22 10:12:00', '2012-01-16 14:02:11', 18, 'Enabled'),
  (13, 'xs''; DROP TABLE host; --"q', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0013', 'Up', 'Routing', '127.0.0.13', '255.0.0.0', '00:16:3e:0a:02:0d', '127.0.0.13', '255.0.0.0', '00:16:3e:0a:02:0d', 2, '127.0.0.13', '255.0.0.0', '00:16:3e:0a:02:0d', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs13', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0013', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-23 10:13:00', NULL, 19, 'Enabled'),
  (14, 'xs-ünïcødé-☃', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0014', 'Up', 'Routing', '127.0.0.14', '255.0.0.0', '00:16:3e:0a:02:0e', '127.0.0.14', '255.0.0.0', '00:16:3e:0a:02:0e', 2, '127.0.0.14', '255.0.0.0', '00:16:3e:0a:02:0e', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs14', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0014', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-24 10:14:00', NULL, 20, 'Enabled'),
  (15, 'xs-long-0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0015', 'Up', 'Routing', '127.0.0.15', '255.0.0.0', '00:16:3e:0a:02:0f', '127.0.0.15', '255.0.0.0', '00:16:3e:0a:02:0f', 2, '127.0.0.15', '255.0.0.0', '00:16:3e:0a:02:0f', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs15', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0015', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-10 10:15:00', NULL, 21, 'Enabled'),
  (16, 'storage-01', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0016', 'Up', 'Storage', '10.1.1.16', '255.255.255.0', '06:10:00:00:00:10', '10.1.1.16', '255.255.255.0', '06:10:00:00:00:10', NULL, NULL, NULL, NULL, NULL, 1, 1, NULL, NULL, 'nfs://10.1.1.16/export/storage', NULL, 'None', NULL, NULL, NULL, '3.0.2.20120506223416', '/export/storage', 1099511627776, NULL, 'storage-01-0a0101100', 1, 0, 0, 1307169140, 345051509694, NULL, '2011-06-10 11:16:00', NULL, 5, 'Enabled'),
  (17, 'nfs://10.1.1.5/export/secondary', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0017', 'Up', 'SecondaryStorage', '10.1.1.5', '255.255.255.0', '06:11:00:00:00:11', '10.1.1.5', '255.255.255.0', '06:11:00:00:00:11', NULL, NULL, NULL, NULL, NULL, 1, NULL, NULL, NULL, 'nfs://10.1.1.5/export/secondary', NULL, 'None', NULL, NULL, 'com.cloud.storage.resource.DummySecondaryStorageResource', '3.0.2.20120506223416', '/export/secondary', 2199023255552, NULL, 'nfs://10.1.1.5/export/secondary', 1, 0, 0, 1307169140, 345051509694, NULL, '2011-06-10 11:17:00', NULL, 5, 'Enabled'),
  (18, 'v-7-VM', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0018', 'Up', 'ConsoleProxy', '10.1.1.107', '255.255.255.0', '06:12:00:00:00:12', '10.1.1.107', '255.255.255.0', '06:12:00:00:00:12', NULL, NULL, NULL, NULL, NULL, 1, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '3.0.2.20120506223416', NULL, NULL, NULL, 'Proxy.7-ConsoleProxyResource', 1, 0, 0, 1307169140, 345051509694, NULL, '2011-06-10 11:18:00', NULL, 5, 'Enabled'),
  (19, 's-8-VM', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0019', 'Up', 'SecondaryStorageVM', '10.1.1.108', '255.255.255.0', '06:13:00:00:00:13', '10.1.1.108', '255.255.255.0', '06:13:00:00:00:13', NULL, NULL, NULL, NULL, NULL, 1, 1, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, '3.0.2.20120506223416', NULL, NULL, NULL, 's-8-VM-NfsSecondaryStorageResource', 1, 0, 0, 1307169140, 345051509694, NULL, '2011-06-10 11:19:00', NULL, 5, 'Enabled'),
  (20, 'xs-10', '6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0020', 'Up', 'Routing', '127.0.0.20', '255.0.0.0', '00:16:3e:0a:02:14', '127.0.0.20', '255.0.0.0', '00:16:3e:0a:02:14', 2, '127.0.0.20', '255.0.0.0', '00:16:3e:0a:02:14', NULL, 1, 1, 8, 2533, 'iqn.2011-06.com.example:xs20', NULL, 'XenServer', '5.6.100', 33285996544, 'com.cloud.hypervisor.xen.resource.XenServer56FP1Resource', '3.0.2.20120506223416', NULL, NULL, 'xen-3.0-x86_64 , xen-3.0-x86_32p , hvm-3.0-x86_32 , hvm-3.0-x86_32p , hvm-3.0-x86_64', 'e2d1c6a4-8f3b-4c57-9d2e-5a7b1c3f0020', 1, 0, 790626304, 1307169140, 345051509694, NULL, '2011-06-15 10:20:00', NULL, 26, 'Error');

INSERT INTO `host_details` (`id`, `host_id`, `name`, `value`) VALUES
  (1, 1, 'username', 'root'),
  (2, 1, 'password', 'xenroot'),
  (3, 1, 'url', '127.0.0.1'),
  (4, 1, 'product_version', '5.6.100'),
  (5, 1, 'product_brand', 'XenServer'),
  (6, 2, 'username', 'root'),
  (7, 2, 'password', 'xenroot'),
  (8, 2, 'url', '127.0.0.2'),
  (9, 2, 'product_version', '5.6.100'),
  (10, 2, 'product_brand', 'XenServer'),
  (11, 3, 'username', 'root'),
  (12, 3, 'password', 'xenroot'),
  (13, 3, 'url', '127.0.0.3'),
  (14, 3, 'product_version', '5.6.100'),
  (15, 3, 'product_brand', 'XenServer'),
  (16, 4, 'username', 'root'),
  (17, 4, 'password', 'xenroot'),
  (18, 4, 'url', '127.0.0.4'),
  (19, 4, 'product_version', '5.6.100'),
  (20, 4, 'product_brand', 'XenServer'),
  (21, 5, 'username', 'root'),
  (22, 5, 'password', 'xenroot'),
  (23, 5, 'url', '127.0.0.5'),
  (24, 5, 'product_version', '5.6.100'),
  (25, 5, 'product_brand', 'XenServer'),
  (26, 6, 'username', 'root'),
  (27, 6, 'password', 'xenroot'),
  (28, 6, 'url', '127.0.0.6'),
  (29, 6, 'product_version', '5.6.100'),
  (30, 6, 'product_brand', 'XenServer'),
  (31, 7, 'username', 'root'),
  (32, 7, 'password', 'xenroot'),
  (33, 7, 'url', '127.0.0.7'),
  (34, 7, 'product_version', '5.6.100'),
  (35, 7, 'product_brand', 'XenServer'),
  (36, 8, 'username', 'root'),
  (37, 8, 'password', 'xenroot'),
  (38, 8, 'url', '127.0.0.8'),
  (39, 8, 'product_version', '5.6.100'),
  (40, 8, 'product_brand', 'XenServer'),
  (41, 9, 'username', 'root'),
  (42, 9, 'password', 'xenroot'),
  (43, 9, 'url', '127.0.0.9'),
  (44, 9, 'product_version', '5.6.100'),
  (45, 9, 'product_brand', 'XenServer'),
  (46, 10, 'username', 'root'),
  (47, 10, 'password', 'xenroot'),
  (48, 10, 'url', '127.0.0.10'),
  (49, 10, 'product_version', '5.6.100'),
  (50, 10, 'product_brand', 'XenServer'),
  (51, 11, 'username', 'root'),
  (52, 11, 'password', 'xenroot'),
  (53, 11, 'url', '127.0.0.11'),
  (54, 11, 'product_version', '5.6.100'),
  (55, 11, 'product_brand', 'XenServer'),
  (56, 12, 'username', 'root'),
  (57, 12, 'password', 'xenroot'),
  (58, 12, 'url', '127.0.0.12'),
  (59, 12, 'product_version', '5.6.100'),
  (60, 12, 'product_brand', 'XenServer'),
  (61, 13, 'username', 'root'),
  (62, 13, 'password', 'xenroot'),
  (63, 13, 'url', '127.0.0.13'),
  (64, 13, 'product_version', '5.6.100'),
  (65, 13, 'product_brand', 'XenServer'),
  (66, 14, 'username', 'root'),
  (67, 14, 'password', 'xenroot'),
  (68, 14, 'url', '127.0.0.14'),
  (69, 14, 'product_version', '5.6.100'),
  (70, 14, 'product_brand', 'XenServer'),
  (71, 15, 'username', 'root'),
  (72, 15, 'password', 'xenroot'),
  (73, 15, 'url', '127.0.0.15'),
  (74, 15, 'product_version', '5.6.100'),
  (75, 15, 'product_brand', 'XenServer'),
  (76, 20, 'username', 'root'),
  (77, 20, 'password', 'xenroot'),
  (78, 20, 'url', '127.0.0.20'),
  (79, 20, 'product_version', '5.6.100'),
  (80, 20, 'product_brand', 'XenServer');

INSERT INTO `vm_instance` (`id`, `name`, `uuid`, `instance_name`, `state`, `vm_template_id`, `guest_os_id`, `private_mac_address`, `private_ip_address`, `pod_id`, `data_center_id`, `host_id`, `last_host_id`, `proxy_id`, `proxy_assign_time`, `vnc_password`, `ha_enabled`, `limit_cpu_use`, `update_count`, `update_time`, `created`, `removed`, `type`, `vm_type`, `account_id`, `domain_id`, `service_offering_id`, `reservation_id`, `hypervisor_type`) VALUES
  (1, 'web-01', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0001', 'i-2-1-VM', 'Running', 2, 12, '02:00:0a:01:01:01', '10.1.1.21', 1, 1, 1, 1, 7, '2012-05-28 16:01:00', 'Zq7Xw3Rt7k', 0, 0, 4, '2012-06-01 08:11:05', '2011-07-02 12:00:00', NULL, 'User', 'User', 2, 2, 1, '5d1c2a3b-7701-4c0e-9a1b-000000000001', 'XenServer'),
  (2, 'db-01', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0002', 'i-2-2-VM', 'Running', 2, 12, '02:00:0a:01:02:02', '10.1.1.22', 1, 1, 1, 1, 7, '2012-05-28 16:02:00', 'Zq14Xw6Rt7k', 1, 0, 4, '2012-06-01 08:12:10', '2011-07-03 12:00:00', NULL, 'User', 'User', 2, 2, 2, '5d1c2a3b-7702-4c0e-9a1b-000000000002', 'XenServer'),
  (3, 'r-3-VM', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0003', 'r-3-VM', 'Running', 1, 15, '0e:00:a9:fe:03:03', '169.254.3.13', 1, 1, 1, 1, NULL, NULL, 'Zq21Xw9Rt7k', 1, 0, 6, '2012-06-01 08:13:15', '2011-07-04 12:00:00', NULL, 'DomainRouter', 'DomainRouter', 2, 2, 8, '5d1c2a3b-7703-4c0e-9a1b-000000000003', 'XenServer'),
  (4, 'app-01', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0004', 'i-2-4-VM', 'Migrating', 2, 12, '02:00:0a:01:04:04', '10.1.1.24', 1, 1, 2, 1, NULL, NULL, 'Zq28Xw12Rt7k', 0, 0, 9, '2012-06-01 08:14:20', '2011-07-05 12:00:00', NULL, 'User', 'User', 2, 2, 1, '5d1c2a3b-7704-4c0e-9a1b-000000000004', 'XenServer'),
  (5, 'batch-01', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0005', 'i-3-5-VM', 'Stopped', 2, 12, '02:00:0a:01:05:05', '10.1.1.25', 1, 1, NULL, 1, NULL, NULL, 'Zq35Xw15Rt7k', 0, 0, 8, '2012-06-01 08:15:25', '2011-07-06 12:00:00', NULL, 'User', 'User', 3, 3, 1, NULL, 'XenServer'),
  (6, 'old-01', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0006', 'i-3-6-VM', 'Expunging', 2, 12, '02:00:0a:01:06:06', '10.1.1.26', 1, 1, 1, 1, NULL, NULL, 'Zq42Xw18Rt7k', 0, 0, 14, '2012-06-01 08:16:30', '2011-07-07 12:00:00', '2012-05-27 03:12:44', 'User', 'User', 3, 3, 1, NULL, 'XenServer'),
  (7, 'v-7-VM', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0007', 'v-7-VM', 'Running', 1, 15, '0e:00:a9:fe:07:07', '169.254.7.17', 1, 1, 2, 2, NULL, NULL, 'Zq49Xw21Rt7k', 1, 0, 22, '2012-06-01 08:17:35', '2011-07-08 12:00:00', NULL, 'ConsoleProxy', 'ConsoleProxy', 1, 1, 9, '5d1c2a3b-7707-4c0e-9a1b-000000000007', 'XenServer'),
  (8, 's-8-VM', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0008', 's-8-VM', 'Running', 1, 15, '0e:00:a9:fe:08:08', '169.254.8.18', 1, 1, 2, 2, NULL, NULL, 'Zq56Xw24Rt7k', 1, 0, 22, '2012-06-01 08:18:40', '2011-07-09 12:00:00', NULL, 'SecondaryStorageVm', 'SecondaryStorageVm', 1, 1, 10, '5d1c2a3b-7708-4c0e-9a1b-000000000008', 'XenServer'),
  (9, 'web-02', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0009', 'i-2-9-VM', 'Running', 2, 12, '02:00:0a:01:09:09', '10.1.1.29', 1, 1, 2, 2, 7, '2012-05-28 16:09:00', 'Zq63Xw27Rt7k', 0, 0, 4, '2012-06-01 08:19:45', '2011-07-10 12:00:00', NULL, 'User', 'User', 2, 2, 1, '5d1c2a3b-7709-4c0e-9a1b-000000000009', 'XenServer'),
  (10, 'legacy-01', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0010', 'i-3-10-VM', 'Running', 2, 12, '02:00:0a:01:0a:0a', '10.1.1.30', 1, 1, 4, 4, NULL, NULL, 'Zq70Xw30Rt7k', 1, 0, 12, '2012-06-01 08:20:50', '2011-07-11 12:00:00', NULL, 'User', 'User', 3, 3, 1, '5d1c2a3b-7710-4c0e-9a1b-000000000010', 'XenServer'),
  (11, 'web-03', '9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0011', 'i-2-11-VM', 'Starting', 2, 12, '02:00:0a:01:0b:0b', '10.1.1.31', 1, 1, 6, NULL, NULL, NULL, 'Zq77Xw33Rt7k', 0, 0, 1, '2012-06-01 08:21:55', '2011-07-12 12:00:00', NULL, 'User', 'User', 2, 2, 1, '5d1c2a3b-7711-4c0e-9a1b-000000000011', 'XenServer');

INSERT INTO `user_vm` (`id`, `iso_id`, `display_name`, `user_data`) VALUES
  (1, NULL, 'web-01', NULL),
  (2, NULL, 'db-01', NULL),
  (4, NULL, 'app-01', NULL),
  (5, NULL, 'batch-01', NULL),
  (6, NULL, 'old-01', NULL),
  (9, NULL, 'web-02', NULL),
  (10, NULL, 'legacy-01', NULL),
  (11, NULL, 'web-03', NULL);

INSERT INTO `domain_router` (`id`, `element_id`, `public_mac_address`, `public_ip_address`, `public_netmask`, `guest_netmask`, `guest_ip_address`, `network_id`, `is_redundant_router`, `priority`, `is_priority_bumpup`, `redundant_state`, `stop_pending`, `role`, `template_version`, `scripts_version`) VALUES
  (3, 1, '06:b4:0c:00:00:03', '192.0.2.10', '255.255.255.0', '255.255.255.0', '10.1.1.1', 204, 0, 0, 0, 'UNKNOWN', 0, 'VIRTUAL_ROUTER', 'Cloudstack Release 3.0.2 Tue May  1 12:00:00 PDT 2012', '8fa2f31b1dbe24b6fb8a1fe1a4c6e3a1');

INSERT INTO `console_proxy` (`id`, `public_mac_address`, `public_ip_address`, `public_netmask`, `active_session`, `last_update`, `session_details`) VALUES
  (7, '06:b4:0c:00:00:07', '192.0.2.20', '255.255.255.0', 1, '2012-06-01 09:00:00', NULL);

INSERT INTO `secondary_storage_vm` (`id`, `public_mac_address`, `public_ip_address`, `public_netmask`, `guid`, `nfs_share`, `last_update`, `role`) VALUES
  (8, '06:b4:0c:00:00:08', '192.0.2.21', '255.255.255.0', 's-8-VM-NfsSecondaryStorageResource', 'nfs://10.1.1.5/export/secondary', '2012-06-01 09:00:00', 'templateProcessor');

INSERT INTO `op_ha_work` (`id`, `instance_id`, `type`, `vm_type`, `state`, `mgmt_server_id`, `host_id`, `created`, `tried`, `taken`, `step`, `time_to_try`, `updated`) VALUES
  (1, 4, 'Migration', 'User', 'Running', 345051509694, 1, '2012-06-01 08:58:30', 1, '2012-06-01 08:58:31', 'Migrating', 1299406587, 8),
  (2, 10, 'HA', 'User', 'Running', NULL, 4, '2012-05-12 04:11:09', 1, '2012-05-12 04:11:10', 'Done', 1294932670, 10);

INSERT INTO `async_job` (`id`, `user_id`, `account_id`, `session_key`, `instance_type`, `instance_id`, `job_cmd`, `job_cmd_originator`, `job_cmd_info`, `job_cmd_ver`, `callback_type`, `callback_address`, `job_status`, `job_process_status`, `job_result_code`, `job_result`, `job_init_msid`, `job_complete_msid`, `created`, `last_updated`, `last_polled`, `removed`) VALUES
  (1, 2, 2, NULL, 'None', NULL, 'com.cloud.api.commands.MigrateVMCmd', NULL, '{"hostid":"6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0002","virtualmachineid":"9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0004","ctxUserId":"2","ctxAccountId":"2","ctxStartEventId":"311"}', 0, 0, NULL, 0, 0, 0, NULL, 345051509694, NULL, '2012-06-01 08:58:29', '2012-06-01 08:58:30', '2012-06-01 08:59:55', NULL),
  (2, 1, 1, NULL, 'Host', 3, 'com.cloud.api.commands.PrepareForMaintenanceCmd', NULL, '{"id":"3","ctxUserId":"1","ctxAccountId":"1","ctxStartEventId":"298"}', 0, 0, NULL, 1, 0, 0, 'com.cloud.api.response.HostResponse/host/{"id":3,"name":"xs-03","state":"PrepareForMaintenance"}', 345051509694, 345051509694, '2012-05-29 17:40:02', '2012-05-29 17:44:10', '2012-05-29 17:44:12', NULL),
  (3, 1, 1, NULL, 'Host', 7, 'com.cloud.api.commands.PrepareForMaintenanceCmd', NULL, '{"id":"7","ctxUserId":"1","ctxAccountId":"1","ctxStartEventId":"305"}', 0, 0, NULL, 0, 0, 0, NULL, 345051509694, NULL, '2012-06-01 08:50:12', '2012-06-01 08:50:12', '2012-06-01 08:59:58', NULL),
  (4, 1, 1, NULL, 'Host', 8, 'com.cloud.api.commands.PrepareForMaintenanceCmd', NULL, '{"id":"8","ctxUserId":"1","ctxAccountId":"1","ctxStartEventId":"301"}', 0, 0, NULL, 2, 0, 530, 'com.cloud.api.response.ExceptionResponse/null/{"errorcode":530,"errortext":"Failed to prepare host for maintenance"}', 345051509694, 345051509694, '2012-05-29 18:05:44', '2012-05-29 18:21:09', '2012-05-29 18:21:10', NULL),
  (5, 2, 2, NULL, 'DomainRouter', 3, 'com.cloud.api.commands.RebootRouterCmd', NULL, '{"id":"9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0003","ctxUserId":"2","ctxAccountId":"2","ctxStartEventId":"320"}', 0, 0, NULL, 1, 0, 0, 'com.cloud.api.response.DomainRouterResponse/router/{"id":3}', 345051509694, 345051509694, '2012-06-01 07:10:00', '2012-06-01 07:11:02', '2012-06-01 07:11:03', NULL),
  (6, 1, 1, NULL, 'SystemVm', 8, 'com.cloud.api.commands.StopSystemVmCmd', NULL, '{"id":"9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0008","ctxUserId":"1","ctxAccountId":"1","ctxStartEventId":"321"}', 0, 0, NULL, 1, 0, 0, 'com.cloud.api.response.SystemVmResponse/systemvm/{"id":8}', 345051509694, 345051509694, '2012-06-01 07:20:00', '2012-06-01 07:21:30', '2012-06-01 07:21:31', NULL),
  (7, 1, 1, NULL, 'None', NULL, 'com.cloud.api.commands.MigrateSystemVMCmd', NULL, '{"hostid":"6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0001","virtualmachineid":"9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0007","ctxUserId":"1","ctxAccountId":"1","ctxStartEventId":"322"}', 0, 0, NULL, 1, 0, 0, 'com.cloud.api.response.SystemVmResponse/systemvm/{"id":7}', 345051509694, 345051509694, '2012-06-01 07:30:00', '2012-06-01 07:31:10', '2012-06-01 07:31:11', NULL),
  (8, 3, 3, NULL, 'None', NULL, 'com.cloud.api.commands.MigrateVMCmd', NULL, '{"hostid":"6f1d0a4e-3c2b-4d7e-8a91-0c5e7b2a0006","virtualmachineid":"9b3e5f70-1a2c-4e8d-b6f4-3d2c1e0f0010","ctxUserId":"1","ctxAccountId":"1","ctxStartEventId":"323"}', 0, 0, NULL, 0, 0, 0, NULL, 345051509694, NULL, '2012-06-01 08:57:00', '2012-06-01 08:57:01', '2012-06-01 08:59:50', NULL),
  (9, 2, 2, NULL, 'Template', 1, 'com.cloud.api.commands.DeleteTemplateCmd', NULL, '{"id":"4c2e6b1a-0d3f-4e5a-8b7c-1f2e3d4c0001","ctxUserId":"2","ctxAccountId":"2","ctxStartEventId":"324"}', 0, 0, NULL, 0, 0, 0, NULL, 345051509694, NULL, '2012-06-01 08:58:00', '2012-06-01 08:58:01', '2012-06-01 08:59:51', NULL);

INSERT INTO `op_host_capacity` (`id`, `host_id`, `data_center_id`, `pod_id`, `cluster_id`, `used_capacity`, `reserved_capacity`, `total_capacity`, `capacity_type`, `capacity_state`, `update_time`, `created`) VALUES
  (1, 1, 1, 1, 1, 1744830464, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (2, 1, 1, 1, 1, 2000, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (3, 2, 1, 1, 1, 2415919104, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (4, 2, 1, 1, 1, 2000, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (5, 3, 1, 1, 1, 0, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (6, 3, 1, 1, 1, 0, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (7, 4, 1, 1, 2, 536870912, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (8, 4, 1, 1, 2, 500, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (9, 5, 1, 1, 2, 0, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (10, 5, 1, 1, 2, 0, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (11, 6, 1, 1, 2, 536870912, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (12, 6, 1, 1, 2, 500, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (13, 7, 1, 1, 1, 0, 0, 33285996544, 0, 'Disabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (14, 7, 1, 1, 1, 0, 0, 20264, 1, 'Disabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (15, 8, 1, 1, 1, 0, 0, 33285996544, 0, 'Disabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (16, 8, 1, 1, 1, 0, 0, 20264, 1, 'Disabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (17, 9, 1, 1, 2, 0, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (18, 9, 1, 1, 2, 0, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (19, 10, 1, 1, 1, 0, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (20, 10, 1, 1, 1, 0, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (21, 11, 1, 1, 2, 0, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (22, 11, 1, 1, 2, 0, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (23, 13, 1, 1, 2, 0, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (24, 13, 1, 1, 2, 0, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (25, 14, 1, 1, 2, 0, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (26, 14, 1, 1, 2, 0, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (27, 15, 1, 1, 2, 0, 0, 33285996544, 0, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (28, 15, 1, 1, 2, 0, 0, 20264, 1, 'Enabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (29, 20, 1, 1, 2, 0, 0, 33285996544, 0, 'Disabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00'),
  (30, 20, 1, 1, 2, 0, 0, 20264, 1, 'Disabled', '2012-06-01 09:00:00', '2012-05-21 09:13:00');

-- Service offerings of the VMs above (vm_instance.service_offering_id): 1 "Small Instance"
-- (1 x 500 MHz, 512 MiB; VMs 1, 4, 5, 6, 9, 10, 11), 2 "Medium Instance" (1 x 1000 MHz,
-- 1024 MiB; VM 2), 3 "Large Instance" (2 x 1000 MHz, 2048 MiB) and 4 "XL Instance" (4 x 1000
-- MHz, 4096 MiB) (no sample VM: the pools of tests/data/mkpool.py use them), and the default system offerings 8 (router, 1 x 500 MHz, 128 MiB), 9
-- (console proxy, 1 x 500 MHz, 1024 MiB), 10 (SSVM, 1 x 500 MHz, 256 MiB), as
-- ConfigurationServerImpl / the system VM managers create them; op_host_capacity above is
-- their sum per host.  cpu.overprovisioning.factor is CloudStack's default, '1' (Config.java).
INSERT INTO `disk_offering` (`id`, `domain_id`, `name`, `uuid`, `display_text`, `disk_size`, `type`, `tags`, `recreatable`, `use_local_storage`, `unique_name`, `system_use`, `customized`, `removed`, `created`) VALUES
  (1, NULL, 'Small Instance', 'b1a2c3d4-0001-4e5f-8a9b-0c1d2e3f0001', 'Small Instance, $0.05 per hour', 0, 'Service', NULL, 0, 0, NULL, 0, 1, NULL, '2011-06-30 10:00:00'),
  (3, NULL, 'Large Instance', 'b1a2c3d4-0003-4e5f-8a9b-0c1d2e3f0003', 'Large Instance, 2 x 1 GHz, 2 GiB', 0, 'Service', NULL, 0, 0, NULL, 0, 1, NULL, '2011-06-30 10:00:00'),
  (4, NULL, 'XL Instance', 'b1a2c3d4-0004-4e5f-8a9b-0c1d2e3f0004', 'XL Instance, 4 x 1 GHz, 4 GiB', 0, 'Service', NULL, 0, 0, NULL, 0, 1, NULL, '2011-06-30 10:00:00'),
  (2, NULL, 'Medium Instance', 'b1a2c3d4-0002-4e5f-8a9b-0c1d2e3f0002', 'Medium Instance, $0.10 per hour', 0, 'Service', NULL, 0, 0, NULL, 0, 1, NULL, '2011-06-30 10:00:00'),
  (8, NULL, 'System Offering For Software Router', 'b1a2c3d4-0008-4e5f-8a9b-0c1d2e3f0008', 'System Offering For Software Router', 0, 'Service', NULL, 1, 0, 'Cloud.Com-SoftwareRouter', 1, 1, NULL, '2011-06-30 10:05:00'),
  (9, NULL, 'System Offering For Console Proxy', 'b1a2c3d4-0009-4e5f-8a9b-0c1d2e3f0009', 'System Offering For Console Proxy', 0, 'Service', NULL, 1, 0, 'Cloud.com-ConsoleProxy', 1, 1, NULL, '2011-06-30 10:05:00'),
  (10, NULL, 'System Offering For Secondary Storage VM', 'b1a2c3d4-0010-4e5f-8a9b-0c1d2e3f0010', 'System Offering For Secondary Storage VM', 0, 'Service', NULL, 1, 0, 'Cloud.com-SecondaryStorage', 1, 1, NULL, '2011-06-30 10:05:00');

INSERT INTO `service_offering` (`id`, `cpu`, `speed`, `ram_size`, `nw_rate`, `mc_rate`, `ha_enabled`, `limit_cpu_use`, `host_tag`, `default_use`, `vm_type`) VALUES
  (1, 1, 500, 512, 200, 10, 0, 0, NULL, 0, NULL),
  (2, 1, 1000, 1024, 200, 10, 0, 0, NULL, 0, NULL),
  (3, 2, 1000, 2048, 200, 10, 0, 0, NULL, 0, NULL),
  (4, 4, 1000, 4096, 200, 10, 0, 0, NULL, 0, NULL),
  (8, 1, 500, 128, 200, 10, 1, 0, NULL, 1, 'domainrouter'),
  (9, 1, 500, 1024, 0, 0, 1, 0, NULL, 1, 'consoleproxy'),
  (10, 1, 500, 256, 0, 0, 1, 0, NULL, 1, 'secondarystoragevm');

INSERT INTO `configuration` (`category`, `instance`, `component`, `name`, `value`, `description`) VALUES
  ('Advanced', 'DEFAULT', 'management-server', 'cpu.overprovisioning.factor', '1', 'Used for CPU overprovisioning calculation; available CPU will be (actualCpuCapacity * cpu.overprovisioning.factor)');
