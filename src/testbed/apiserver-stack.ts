/**
 * etcd plus N network-apiservers on their own loopback addresses, and a kubeconfig for them:
 * what `kos-test testbed apiserver` runs for manual use, and what integration tests stand on.
 */
import { join } from 'node:path';
import { addStopHook } from '../process/child-registry.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { startEtcdCluster, type EtcdCluster } from './etcd/etcd-cluster.js';
import { renderKubeconfig } from './kubeconfig.js';
import { NetworkApiserver, type NetworkApiserverOptions } from './napi/network-apiserver.js';
import { nodeAddress, nodeName } from './node-addresses.js';

export interface ApiserverStackOptions {
  /** Directory for etcd data, logs and the kubeconfig. */
  dir: string;
  netcdMembers?: 1 | 3;
  napiCount?: number;
  /** Settings passed to every network-apiserver. */
  napi?: Omit<NetworkApiserverOptions, 'etcdEndpoints' | 'name' | 'host'>;
  log?: (message: string) => void;
}

export interface ApiserverStack {
  etcd: EtcdCluster;
  napis: NetworkApiserver[];
  kubeconfigPath: string;
  stop(): Promise<void>;
}

export async function startApiserverStack(opts: ApiserverStackOptions): Promise<ApiserverStack> {
  const members = opts.netcdMembers ?? 1;
  const etcd = await startEtcdCluster({
    name: 'netcd',
    members,
    hosts: Array.from({ length: members }, (_, i) => nodeAddress('netcd', i)),
    dataDir: join(opts.dir, 'etcd'),
  });
  const napis: NetworkApiserver[] = [];
  let stopping: Promise<void> | undefined;
  // Apiservers stop before their etcd, whether the caller or a ^C (via the child registry) stops us.
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      removeStopHook();
      await Promise.allSettled(napis.map((n) => n.stop()));
      await etcd.stop();
    })();
    return stopping;
  };
  const removeStopHook = addStopHook(stop);
  try {
    for (let i = 0; i < (opts.napiCount ?? 1); i++) {
      napis.push(
        await NetworkApiserver.start({
          ...opts.napi,
          name: nodeName('napi', i),
          host: nodeAddress('napi', i),
          etcdEndpoints: etcd.clientUrls,
          ...(opts.log === undefined ? {} : { log: opts.log }),
        }),
      );
    }
    const kubeconfigPath = join(opts.dir, 'kubeconfig');
    await writeFileAtomic(
      kubeconfigPath,
      renderKubeconfig(napis.map((n) => ({ name: `kos-testbed-${n.name}`, server: n.url }))),
    );
    return { etcd, napis, kubeconfigPath, stop };
  } catch (e: unknown) {
    await stop();
    throw e;
  }
}
