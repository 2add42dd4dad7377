/** Where each shard of a run serves its /metrics: distinct free ports on the target's driver address. */
import { findFreePort } from '../../net/free-port.js';

export interface MetricsEndpoint {
  host: string;
  port: number;
}

export function metricsUrlOf(e: MetricsEndpoint): string {
  return `http://${e.host}:${e.port}/metrics`;
}

/** One free port per shard (a port found free may still be taken before the driver binds it: rare). */
export async function driverMetricsEndpoints(host: string, shards: number): Promise<MetricsEndpoint[]> {
  const ports = new Set<number>();
  while (ports.size < shards) ports.add(await findFreePort(host));
  return [...ports].map((port) => ({ host, port }));
}
