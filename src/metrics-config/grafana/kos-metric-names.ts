/**
 * Metric families the dashboards chart that come from the driver (kos-system.md; upstream KOS's
 * attachment-tput-driver names, served on :9376/metrics). The testbed's components' names are
 * checked against their live registries instead (test/integration/metrics-config/grafana/dashboard-queries.test.ts).
 */
export const DRIVER_HISTOGRAMS = [
  'kos_driver_attachment_create_latency_seconds',
  'kos_driver_attachment_delete_latency_seconds',
  'kos_driver_attachment_create_to_addressed_latency_seconds',
  'kos_driver_attachment_create_to_ready_latency_seconds',
  'kos_driver_attachment_create_to_broken_latency_seconds',
] as const;

export const DRIVER_COUNTERS = [
  'kos_driver_successful_creates',
  'kos_driver_failed_creates',
  'kos_driver_successful_deletes',
  'kos_driver_failed_deletes',
] as const;

export const AGENT_HISTOGRAMS = [
  'kos_agent_last_client_write_to_local_ifc_latency_seconds',
  'kos_agent_last_client_write_to_remote_ifc_latency_seconds',
  'kos_agent_last_client_write_to_status_update_latency_seconds',
  'kos_agent_attachment_impl_to_remote_ifc_latency_seconds',
  'kos_agent_fabric_latency_seconds',
] as const;

export const IPAM_HISTOGRAMS = [
  'kos_ipam_last_client_write_to_lock_latency_seconds',
  'kos_ipam_last_client_write_to_address_latency_seconds',
] as const;

export const SUBNET_VALIDATOR_HISTOGRAMS = [
  'kos_subnet_validator_subnet_create_to_validated_latency_seconds',
] as const;
