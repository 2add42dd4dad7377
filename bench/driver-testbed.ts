/**
 * driver-testbed: the driver against the embedded testbed (kube front, napi, etcd, IPAM, hollow
 * agents), with autocannon creating the same attachments through the same kube front. The
 * testbed's processes share the two cores with the driver, so its CPU is shown apart.
 */
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { API_VERSION } from '../src/api/kos-types.js';
import { RestClient } from '../src/kube/rest-client.js';
import { Testbed } from '../src/testbed/supervisor/testbed.js';
import type { BenchContext } from './benchmark.js';
import { benchDriverOn, type DriverTarget } from './driver-target-bench.js';
import { attachmentsPath } from './napi-api.js';
import type { BenchReport } from './report.js';

const AC_NAMESPACE = 'bench-autocannon';

/** The testbed the driver benchmarks run against, up in `workDir`; the caller takes it down. */
export function driverBenchTestbed(workDir: string): Promise<Testbed> {
  return Testbed.up({ dir: join(workDir, 'testbed'), config: { nca: 20, agentsPerGroup: 10 } });
}

/** The testbed as a driver target: its processes, and autocannon's create through its kube front. */
export async function testbedTarget(testbed: Testbed): Promise<DriverTarget> {
  const status = testbed.status();
  const kc = new KubeConfig();
  kc.loadFromFile(testbed.kubeconfigPath);
  const server = kc.getCurrentCluster()?.server;
  if (server === undefined) throw new Error('the testbed kubeconfig has no current cluster');
  const base = server.replace(/\/+$/, '');
  // autocannon's creates need a namespace; generateName makes each of its identical bodies new.
  const client = new RestClient({ server: base, connections: 1 });
  await client.create(
    { group: '', version: 'v1', resource: 'namespaces' },
    { apiVersion: 'v1', kind: 'Namespace', metadata: { name: AC_NAMESPACE } },
  );
  await client.close();
  const body = JSON.stringify({
    apiVersion: API_VERSION,
    kind: 'NetworkAttachment',
    metadata: { generateName: 'ac-' },
    spec: { node: 'comp0-0', subnet: 'none' },
  });
  return {
    name: 'testbed',
    kubeconfigPath: testbed.kubeconfigPath,
    pids: Object.fromEntries(status.processes.filter((p) => p.running).map((p) => [p.name, p.pid])),
    autocannon: { url: `${base}${attachmentsPath(AC_NAMESPACE)}`, method: 'POST', body },
    searchFrom: 500,
    maxRate: 16_000,
    cpuRate: 500,
    setupLeadMs: 15_000,
  };
}

export async function runDriverTestbed(ctx: BenchContext): Promise<BenchReport> {
  const testbed = await driverBenchTestbed(ctx.workDir);
  try {
    return await benchDriverOn(await testbedTarget(testbed), ctx);
  } finally {
    await testbed.down();
  }
}
