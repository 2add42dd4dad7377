/**
 * ketcd plus NKA kube fronts on their own loopback addresses, and a kubeconfig for them: the
 * Kubernetes side of the testbed, in front of network-apiservers started elsewhere.
 */
import { join } from 'node:path';
import { addStopHook } from '../../process/child-registry.js';
import { writeFileAtomic } from '../../util/atomic-write.js';
import { startEtcdCluster, type EtcdCluster } from '../etcd/etcd-cluster.js';
import { renderKubeconfig } from '../kubeconfig.js';
import { nodeAddress, nodeName } from '../node-addresses.js';
import { startKubeFront, type KubeFront, type KubeFrontOptions } from './kube-front.js';

export interface KubeFrontStackOptions {
  /** Directory for ketcd's data and logs and the kubeconfig. */
  dir: string;
  /** Base URLs of the network-apiservers the fronts aggregate. */
  napiServers: readonly string[];
  /** Kube fronts (NKA). @default 1 */
  nka?: number;
  /** @default 1 */
  ketcdMembers?: 1 | 3;
  /** Settings passed to every front. */
  front?: Omit<KubeFrontOptions, 'name' | 'host' | 'etcdEndpoints' | 'napiServers' | 'log'>;
  log?: (message: string) => void;
}

export interface KubeFrontStack {
  ketcd: EtcdCluster;
  fronts: KubeFront[];
  /** One context per front, the first current. */
  kubeconfigPath: string;
  setNapiServers(urls: readonly string[]): void;
  /** Fronts first, then ketcd; idempotent. */
  stop(): Promise<void>;
}

export async function startKubeFrontStack(opts: KubeFrontStackOptions): Promise<KubeFrontStack> {
  const members = opts.ketcdMembers ?? 1;
  const ketcd = await startEtcdCluster({
    name: 'ketcd',
    members,
    hosts: Array.from({ length: members }, (_, i) => nodeAddress('ketcd', i)),
    dataDir: join(opts.dir, 'ketcd'),
  });
  const fronts: KubeFront[] = [];
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      removeStopHook();
      await Promise.allSettled(fronts.map((f) => f.stop()));
      await ketcd.stop();
    })();
    return stopping;
  };
  const removeStopHook = addStopHook(stop);
  try {
    for (let i = 0; i < (opts.nka ?? 1); i++) {
      fronts.push(
        await startKubeFront({
          ...opts.front,
          name: nodeName('kapi', i),
          host: nodeAddress('kapi', i),
          etcdEndpoints: ketcd.clientUrls,
          napiServers: opts.napiServers,
          ...(opts.log === undefined ? {} : { log: opts.log }),
        }),
      );
    }
    const kubeconfigPath = join(opts.dir, 'kube-front.kubeconfig');
    await writeFileAtomic(
      kubeconfigPath,
      renderKubeconfig(fronts.map((f) => ({ name: `kos-testbed-${f.name}`, server: f.url }))),
    );
    return {
      ketcd,
      fronts,
      kubeconfigPath,
      setNapiServers: (urls) => {
        for (const f of fronts) f.setNapiServers(urls);
      },
      stop,
    };
  } catch (e: unknown) {
    await stop();
    throw e;
  }
}
