/**
 * What every benchmark measures against: one etcd member and one network-apiserver in its own
 * process (so /proc charges each its own CPU), on their testbed loopback addresses.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { startEtcdCluster, type EtcdCluster } from '../src/testbed/etcd/etcd-cluster.js';
import { nodeAddress } from '../src/testbed/node-addresses.js';
import { startNodeProcess, type NodeProcess } from '../src/testbed/node-process/start-node-process.js';

export interface BenchStack {
  etcd: EtcdCluster;
  napi: NodeProcess;
  /** e.g. http://127.2.0.1:41234 */
  api: string;
  etcdPid: number;
  napiPid: number;
  /** Stops the napi, then etcd, and removes etcd's data (logs stay in `dir`). Idempotent. */
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  /** Another build's node-main.js for the napi (an A/B against a baseline). @default this build's */
  napiMain?: string;
}

export async function startBenchStack(dir: string, opts: BenchStackOptions = {}): Promise<BenchStack> {
  const etcdDir = join(dir, 'etcd');
  const etcd = await startEtcdCluster({
    name: 'netcd',
    members: 1,
    hosts: [nodeAddress('netcd', 0)],
    dataDir: etcdDir,
  });
  let napi: NodeProcess;
  try {
    napi = await startNodeProcess({
      spec: {
        component: 'napi',
        name: 'napi0',
        host: nodeAddress('napi', 0),
        port: 0,
        etcdEndpoints: etcd.clientUrls,
      },
      dir: join(dir, 'napi0'),
      // e.g. BENCH_NAPI_FLAGS='--cpu-prof --cpu-prof-dir=/tmp/prof' to profile the napi alone.
      nodeFlags: (process.env.BENCH_NAPI_FLAGS ?? '').split(' ').filter((f) => f !== ''),
      ...(opts.napiMain !== undefined ? { nodeMain: opts.napiMain } : {}),
    });
  } catch (e: unknown) {
    await etcd.stop();
    throw e;
  }
  const api = napi.ready.endpoints.api;
  if (api === undefined) {
    await napi.child.stop();
    await etcd.stop();
    throw new Error('the napi process reported no api endpoint');
  }
  let stopping: Promise<void> | undefined;
  return {
    etcd,
    napi,
    api,
    etcdPid: etcd.members[0]?.pid ?? -1,
    napiPid: napi.child.pid,
    stop: () =>
      (stopping ??= (async () => {
        try {
          await napi.child.stop();
        } finally {
          await etcd.stop();
          await Promise.all(etcd.members.map((m) => rm(m.dataDir, { recursive: true, force: true })));
        }
      })()),
  };
}
